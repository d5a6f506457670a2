/// Finds ids that lost their leading zeros to a spreadsheet: Excel reads an employee number
/// `004512` or `00245` as a number and saves `4512` and `245`. One value cannot tell, but the
/// export can: where nearly every id of a match key has the same length, and that length is
/// one of fixed-width codes — some are zero-padded (`00457` among `10231`…), or they hold
/// letters (`7KQ21M`) — an id of digits alone that is shorter is named, row by row, as a
/// warning. A run of plain counters (`7`, `42`, `1001`) has no such width and is left alone.
struct IdLengthTracker {
    /// Rows named per attribute; past it the rest are counted in one warning.
    static let cap = 1_000
    /// The share of ids the common length must have.
    static let dominance = 0.8
    /// How many ids it takes to speak of a common length.
    static let minimum = 12

    private struct Column {
        let key: String
        /// Ids seen, by length in UTF-8 bytes (the last slot counts every longer one).
        var counts = [Int](repeating: 0, count: 65)
        /// Per length: whether an id of it starts with `0`, and whether one holds a non-digit.
        var padded = [Bool](repeating: false, count: 65)
        var lettered = [Bool](repeating: false, count: 65)
        /// Per length: ids of digits alone, and where they were seen (up to `cap`).
        var numericCounts = [Int](repeating: 0, count: 65)
        var numeric = [[(position: SourcePosition, id: String)]](repeating: [], count: 65)
        /// Ids that are UUIDs (`3f1a9c2e-5b7d-4e10-…`, 36 characters), and ids shorter than one
        /// that begin like one (`3f1a9c2e-5b7d-4e10`), with where they were seen (up to `cap`).
        var uuids = 0
        var cutUUIDs: [(position: SourcePosition, id: String)] = []
        var moreCutUUIDs = 0
    }

    private var columns: [Column]

    init(mapping: Mapping) {
        // Match keys only: they are kept on every record, also when validate keeps nothing else.
        columns = mapping.attributes.filter { $0.isIdentifier && $0.isMatchKey }.map { Column(key: $0.key) }
    }

    mutating func observe(_ record: MappedRecord) {
        for index in columns.indices {
            guard let entry = record.set.first(where: { $0.key == columns[index].key }),
                case .string(let text) = entry.value, let first = text.utf8.first
            else { continue }
            let length = min(text.utf8.count, 64)
            columns[index].counts[length] += 1
            if first == UInt8(ascii: "0") { columns[index].padded[length] = true }
            if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                columns[index].numericCounts[length] += 1
                if columns[index].numeric[length].count < Self.cap {
                    columns[index].numeric[length].append((record.position, text))
                }
            } else {
                columns[index].lettered[length] = true
            }
            switch Self.uuidShape(text) {
            case .whole: columns[index].uuids += 1
            case .cut:
                if columns[index].cutUUIDs.count < Self.cap {
                    columns[index].cutUUIDs.append((record.position, text))
                } else {
                    columns[index].moreCutUUIDs += 1
                }
            case nil: break
            }
        }
    }

    enum UUIDShape { case whole, cut }

    /// Whether an id is a UUID (8-4-4-4-12 hexadecimal digits), or shorter and written as one
    /// begins, past its first dash (a UUID cut short by a field's width or a careless copy); nil
    /// for anything else.
    static func uuidShape(_ text: String) -> UUIDShape? {
        let bytes = text.utf8
        // A cut UUID keeps its first dash at least: most ids are turned away by their length or
        // their ninth character alone.
        guard bytes.count <= 36, bytes.count > 9,
            bytes[bytes.index(bytes.startIndex, offsetBy: 8)] == UInt8(ascii: "-")
        else { return nil }
        for (offset, byte) in bytes.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte.isHexDigit else { return nil }
            }
        }
        return bytes.count == 36 ? .whole : .cut
    }

    func warnings() -> [Problem] {
        var found: [Problem] = []
        for column in columns {
            let total = column.counts.reduce(0, +)
            if total >= Self.minimum && Double(column.uuids) >= Self.dominance * Double(total) {
                found += Self.cutUUIDWarnings(column, total: total)
                continue
            }
            guard total >= Self.minimum,
                let common = column.counts.indices.max(by: { column.counts[$0] < column.counts[$1] }),
                common < 64, Double(column.counts[common]) >= Self.dominance * Double(total),
                column.padded[common] || column.lettered[common]
            else { continue }
            let shape = column.padded[common] ? "zero-padded" : "fixed-width"
            let rule =
                "an id of \(common) characters is expected (\(column.counts[common]) of the export's \(total) are, "
                + "\(shape)): leading zeros lost to a spreadsheet, which reads the id as a number? Export the "
                + "column as text, or correct the id"
            for length in 1..<common where column.numericCounts[length] > 0 {
                for (position, id) in column.numeric[length] {
                    found.append(Problem(.warning, position, field: column.key, rule: rule, value: id))
                }
                let rest = column.numericCounts[length] - column.numeric[length].count
                if rest > 0 {
                    found.append(
                        Problem(
                            .warning, nil, field: column.key,
                            rule: "\(rest) more ids of \(length) digits, not named: " + rule))
                }
            }
        }
        return found
    }

    /// An id in a column of UUIDs that is shorter than one but begins like one.
    private static func cutUUIDWarnings(_ column: Column, total: Int) -> [Problem] {
        let rule =
            "a UUID of 36 characters is expected (\(column.uuids) of the export's \(total) ids are): this one is "
            + "cut short; correct the id in the export"
        var found = column.cutUUIDs.map { Problem(.warning, $0.position, field: column.key, rule: rule, value: $0.id) }
        if column.moreCutUUIDs > 0 {
            found.append(
                Problem(.warning, nil, field: column.key, rule: "\(column.moreCutUUIDs) more ids, not named: " + rule))
        }
        return found
    }
}
