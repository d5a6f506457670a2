import Foundation

/// What an export holds, for `flexsync inspect`: its columns or element paths, how many records
/// fill each, a few sample values, and how it is encoded and delimited.
public struct ExportInspection: Sendable {
    /// One column (CSV) or element path relative to the record (XML).
    public struct Column: Sendable {
        public var name: String
        /// What the column is called where its path does not say it: a Cognos report's
        /// `<metadata>` item for `value[3]`.
        public var label: String?
        /// Records in which it has a non-empty value.
        public var filled: Int
        /// Up to three distinct non-empty values, in order of appearance.
        public var samples: [String]
        /// Values that usually stand for "no value" (`NULL`, `N/A`, `-`…), with how many records
        /// hold each: counted in `filled`, as a job reads them unless listed in `null_tokens`.
        public var nullLike: [String: Int] = [:]
    }

    /// What exports write for "no value" that a job reads as a value unless told otherwise.
    static let nullLike: Set<String> = [
        "NULL", "null", "Null", "(null)", "<null>", "N/A", "n/a", "#N/A", "None", "none", "nil", "-", "--",
        "NaN", "undefined", "TBD", "TBC", "TBA", "?", "unknown"
    ]
    /// ``nullLike`` in lower case: `Unknown`, `tbd` and `UNKNOWN` are named alike.
    static let nullLikeFolded = Set(nullLike.map { $0.lowercased() })

    public var file: String
    public var format: SourceSpec.Format
    /// `utf-8`, `windows-1252`… and whether a byte-order mark said so.
    public var encoding: String
    /// CSV: the delimiter found in the header line.
    public var delimiter: String?
    /// XML: the record path (given, or the most repeated element nearest the root).
    public var recordPath: String?
    /// XML: prefix → namespace URI as the file declares them.
    public var namespaces: [String: String] = [:]
    public var records = 0
    public var columns: [Column] = []
    /// CSV rows left out of the counts because their field count is not the header's: line, fields.
    /// `value`: the row's one value, when it has one (``CSVReader/malformedRowCause(fields:value:header:)``).
    public var malformedRows: [(line: Int, fields: Int, header: Int, value: String?)] = []
    /// CSV: the header's line, when lines above it are not the header (a report's title) and
    /// the inspection read from it instead.
    public var headerLine: Int?
    /// CSV: lines that repeated the header, left out of the counts.
    public var repeatedHeaderLines: [Int] = []
    /// XML Spreadsheet: the first row, the sheet's header, which names the columns (labels) and
    /// which a job skips: its first cell's path and text. Not counted among the records.
    public var headerRow: (field: String, value: String)?
    /// A report's totals lines (`Total general;24;;;`), group headings and footers, with their
    /// label: not records.
    public var totalLines: [(line: Int, label: String, kind: Record.LayoutLine)] = []

    static let sampleCount = 3

    mutating func observe(_ name: String, _ value: String?, label: String? = nil, into index: inout [String: Int]) {
        let position: Int
        if let known = index[name] {
            position = known
        } else {
            position = columns.count
            index[name] = position
            columns.append(Column(name: name, label: label, filled: 0, samples: []))
        }
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return }
        columns[position].filled += 1
        if value.utf8.count <= 9, Self.nullLikeFolded.contains(value.lowercased()) {
            columns[position].nullLike[value, default: 0] += 1
        }
        if columns[position].samples.count < Self.sampleCount && !columns[position].samples.contains(value) {
            columns[position].samples.append(value)
        }
    }

    /// Inspects a CSV export: the encoding is a byte-order mark's, else UTF-8 when the file's
    /// first megabytes are valid UTF-8, else the legacy encoding its letters suggest
    /// (``TextEncoding/singleByteGuess(_:)``: Windows-1252, Mac OS Roman, ISO-8859-15, Windows-1250,
    /// Windows-1251, Windows-1253, Windows-1254 or Shift_JIS); the delimiter is detected from the header. When most rows disagree with the first line's field
    /// count and a line below it has their count, that line is taken as the header (the lines
    /// above it a report's title).
    public static func csv(path: String) throws -> ExportInspection {
        let (encoding, name) = try detectEncoding(path)
        // A repeated column name is shown (`Name (column N)`), not refused: a job refuses it only if mapped.
        var options = CSVOptions(encoding: encoding)
        options.allowDuplicateColumns = true
        options.malformedRowsAsRecords = true
        options.skipRepeatedHeaders = true
        // Values read from the bytes, as validate reads them: what tells a totals line.
        options.lazyValues = true
        let first = try csv(path: path, options: options, encoding: name)
        // A title Excel padded to the table's width (`Список сотрудников;;;;;;;;;;`, as 1C saves a
        // report): one named column of several, and the header the first line that names them all.
        let titled = try CSVReader(path: path, options: options)
        let names = titled.schema.names
        if names.count >= 3 && names.count - titled.blankColumns.count <= 1,
            let line = CSVReader.headerLine(
                in: path, options: options, after: titled.headerLine,
                accepts: { header in
                    header.count == names.count
                        && !header.enumerated().contains {
                            $1.trimmingCharacters(in: .whitespaces).isEmpty || $1 == CSVReader.blankColumnName($0 + 1)
                        }
                })
        {
            options.headerLine = line
            var moved = try csv(path: path, options: options, encoding: name)
            moved.headerLine = line
            return moved
        }
        let counts = Dictionary(grouping: first.malformedRows, by: \.fields)
        guard first.malformedRows.count > first.records,
            let common = counts.max(by: { $0.value.count < $1.value.count })?.key,
            let line = CSVReader.headerLine(
                in: path, options: options, after: first.malformedRows[0].line - 1, accepts: { $0.count == common })
        else { return first }
        options.headerLine = line
        var moved = try csv(path: path, options: options, encoding: name)
        moved.headerLine = line
        return moved
    }

    private static func csv(path: String, options: CSVOptions, encoding: String) throws -> ExportInspection {
        let reader = try CSVReader(path: path, options: options)
        var inspection = ExportInspection(
            file: path, format: .csv, encoding: encoding,
            delimiter: ExtractError.delimiterName(reader.delimiter))
        var index: [String: Int] = [:]
        for name in reader.schema.names { inspection.observe(name, nil, into: &index) }
        while let record = try reader.next() {
            if let found = record.malformedFieldCount {
                let value = found == 1 ? reader.schema.names.first.flatMap { record[$0]?.firstText } : nil
                // A report's footer or total alone on its line, as validate reads it.
                if let value, CSVReader.otherDelimiter(in: value, header: reader.schema.names.count) == nil,
                    let (label, kind) = Record.layoutLine(ofOneValue: value)
                {
                    inspection.totalLines.append((record.position.line, label, kind))
                    continue
                }
                inspection.malformedRows.append((record.position.line, found, reader.schema.names.count, value))
                continue
            }
            if let (label, kind) = record.layoutLine {
                inspection.totalLines.append((record.position.line, label, kind))
                continue
            }
            inspection.records += 1
            for name in reader.schema.names { inspection.observe(name, record[name]?.firstText, into: &index) }
        }
        inspection.repeatedHeaderLines = (reader.labelsLine.map { [$0] } ?? []) + reader.repeatedHeaderLines
        let blank = Set(reader.blankColumns.map(CSVReader.blankColumnName))
        inspection.columns.removeAll { blank.contains($0.name) && $0.filled == 0 }
        return inspection
    }

    /// Inspects a CSV or XML export, told apart by its extension or else its first character.
    public static func inspect(path: String, recordPath: String?) throws -> ExportInspection {
        let lower = path.lowercased()
        if recordPath != nil || lower.hasSuffix(".xml") { return try xml(path: path, recordPath: recordPath) }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".txt") { return try csv(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExtractError.cannotOpen(file: path, reason: "unreadable")
        }
        let start = Array((try handle.read(upToCount: 64)) ?? Data())
        try? handle.close()
        let first = start.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "<") ? try xml(path: path, recordPath: nil) : try csv(path: path)
    }

    private static func detectEncoding(_ path: String) throws -> (TextEncoding?, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExtractError.cannotOpen(file: path, reason: "unreadable")
        }
        defer { try? handle.close() }
        var bytes = Array((try handle.read(upToCount: 4 << 20)) ?? Data())
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (nil, "utf-8 (byte-order mark)") }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return (nil, "utf-16 (byte-order mark)")
        }
        // A cut inside a character at the end of the sample is not invalid UTF-8.
        while let last = bytes.last, last & 0xC0 == 0x80 || last >= 0xC0 { bytes.removeLast() }
        if String(validating: bytes, as: UTF8.self) != nil { return (nil, "utf-8") }
        let tells = bytes.withUnsafeBufferPointer { TextEncoding.singleByteTells($0) }
        if tells.unreadScript {
            return (
                .windows1252,
                "not valid UTF-8, and not a code page flexsync reads: its words are in a script such as Chinese, "
                    + "Korean, Hebrew or Arabic (read here as windows-1252, garbled): save the file as UTF-8"
            )
        }
        switch tells.guess {
        case .macRoman:
            return (
                .macRoman, "mac-roman (not valid UTF-8; its letters sit where Mac OS Roman, Excel for Mac's, has them)"
            )
        case .latin9: return (.latin9, "iso-8859-15 (not valid UTF-8; œ, Š or Ž sit where Windows-1252 has symbols)")
        case .windows1250 where tells.czech >= 2 && tells.centralEuropean == 0:
            return (
                .windows1250, "windows-1250 (not valid UTF-8; Czech ř, č or ě sit where Windows-1252 has ø, è or ì)"
            )
        case .windows1250:
            return (.windows1250, "windows-1250 (not valid UTF-8; ł, ą or ż sit where Windows-1252 has symbols)")
        case .windows1251:
            return (.windows1251, "windows-1251 (not valid UTF-8; Cyrillic words, as Excel and 1C write them)")
        case .windows1253:
            return (
                .windows1253, "windows-1253 (not valid UTF-8; Greek words with their accents, as Excel writes them)"
            )
        case .windows1254:
            return (.windows1254, "windows-1254 (not valid UTF-8; ı, ş or ğ sit where Windows-1252 has ý, þ or ð)")
        case .shiftJIS:
            return (
                .shiftJIS,
                "shift_jis (not valid UTF-8; Japanese characters in pairs of bytes, as Excel writes in Japan)"
            )
        default: break
        }
        return (.windows1252, "windows-1252 (not valid UTF-8)")
    }
}
