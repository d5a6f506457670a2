/// A report's totals line among an export's rows (`Total,30,,,` as Excel pads it): its label,
/// for the row's error, so that it is never read as a person.
extension Record {
    /// Labels report builders put first on a totals line (`Total,30,,,` as Excel pads it).
    /// English, German, Dutch, Romance, Nordic, Central European, Baltic, Turkish, Greek,
    /// Cyrillic (1C's `Итого`, Excel's `Общий итог`), Japanese, Chinese and Korean spreadsheets' words.
    private static let totalLabels: Set<String> = [
        "total", "totals", "grand total", "sum", "total records", "record count",
        "summe", "gesamt", "gesamtsumme", "insgesamt", "totaal", "eindtotaal", "som",
        "totale", "totale generale", "somma", "total general", "total général", "totaux", "total geral", "soma",
        "summa", "totalt", "i alt", "yhteensä", "samtals",
        "razem", "suma", "ogółem", "celkem", "součet", "spolu", "celkom", "összesen", "ukupno", "skupaj",
        "iš viso", "kopā", "kokku", "toplam", "genel toplam", "σύνολο", "γενικό σύνολο",
        "итого", "итог", "всего", "общий итог", "разом", "всього", "загалом", "общо", "укупно",
        "合計", "総計", "合计", "总计", "總計", "합계", "총계"
    ]

    /// A value's first three bytes, lower-cased, in one number (0 for an empty value).
    private static func start(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var key: UInt32 = 0
        for byte in bytes.prefix(3) { key = key << 8 | UInt32(byte | 0x20) }
        return bytes.isEmpty ? 0 : key | 1 << 31
    }

    /// ``start(_:)`` of an XML record's text.
    private static func start(ofText text: String?) -> UInt32 {
        guard var text else { return 0 }
        return text.withUTF8(start)
    }

    /// The labels' first three letters, as ``start(_:)`` gives them: a few numbers, scanned
    /// (cheaper than hashing one per row).
    /// Lower-casing a byte is ASCII's rule: outside ASCII (`Σ` and `σ`, `Р` and `р` differ in
    /// their first byte) each label is taken capitalised and in capitals too.
    private static let totalStarts = Array(
        Set(
            totalLabels.flatMap { [$0, $0.capitalized, $0.uppercased()] }.map { label in
                Array(label.utf8).withUnsafeBufferPointer { start($0) }
            }))

    /// The label of a row that is a report's totals line: its first non-empty value (among
    /// the first three columns) is a total's label, possibly with a count after a colon, and at
    /// most a third of the other columns hold anything. A cheap look at the first three bytes first.
    var totalLineLabel: String? {
        for column in 0..<min(3, count) {
            // The first three letters, lower-cased, from the bytes: most rows end here. An XML
            // record's fields (an XML Spreadsheet's `Total` row) are read as text.
            let start: UInt32
            if let fromBytes = withPlainBytes(atColumn: column, Record.start) {
                start = fromBytes
            } else if isFromBytes {
                return nil  // an escaped CSV value: no label is quoted
            } else {
                start = Record.start(ofText: value(atColumn: column)?.firstText)
            }
            if start == 0 { continue }  // an empty value: look at the next column
            guard Record.totalStarts.contains(start), let text = value(atColumn: column)?.firstText else { return nil }
            let label = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
            guard Record.totalLabels.contains(label.trimmingCharacters(in: .whitespaces).lowercased()) else {
                return nil
            }
            let filled = (0..<count).filter { index in
                index != column && !(value(atColumn: index)?.firstText?.trimmingSpaces.isEmpty ?? true)
            }.count
            return filled * 3 <= count - 1 ? text.trimmingSpaces : nil
        }
        return nil
    }
}
