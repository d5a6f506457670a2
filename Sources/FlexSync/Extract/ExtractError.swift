/// Why an export could not be read, always with the file and, where there is one, the line.
public enum ExtractError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case readFailed(file: String, reason: String)
    case noHeader(file: String)
    /// `source.header_line` names a line at or past the file's end.
    case headerLineBeyondEnd(file: String, line: Int)
    case blankColumnName(file: String, line: Int, column: Int)
    case blankColumnWithData(file: String, line: Int, column: Int, dataLine: Int)
    case duplicateColumnName(file: String, line: Int, name: String, first: Int, second: Int)
    case fieldCount(file: String, line: Int, found: Int, expected: Int)
    /// `column`: the field's place in the row (1-based); `name`: the header's name for it.
    case unterminatedQuote(file: String, line: Int, column: Int, name: String?)
    case characterAfterQuote(file: String, line: Int, column: Int, name: String?)
    /// `suggested`: the single-byte encoding the bytes there most likely are, for the message.
    case invalidUTF8(file: String, line: Int, offset: Int, suggested: TextEncoding?)
    /// A field-count mismatch on the first record: the delimiter is the usual culprit.
    /// `detected`: the delimiter the header line suggests, which differs from a declared one.
    case firstRecordFieldCount(
        file: String, line: Int, found: Int, expected: Int, delimiter: UInt8, declared: Bool,
        detected: UInt8)
    case invalidUTF16(file: String, offset: Int)
    case unknownEncoding(file: String, name: String)
    case xml(file: String, line: Int, message: String)
    case doctypeNotAllowed(file: String, line: Int)
    case recordTooLarge(file: String, line: Int, limit: Int)
    case fieldTooLong(file: String, line: Int, column: Int, name: String?, limit: Int)
    case noFilesMatch(pattern: String)
    case invalidPath(path: String, reason: String)

    static func delimiterName(_ byte: UInt8) -> String { byte == 0x09 ? "tab" : String(UnicodeScalar(byte)) }

    public var description: String {
        switch self {
        case .cannotOpen(let file, let reason): "\(file): cannot open: \(reason)"
        case .readFailed(let file, let reason): "\(file): read failed: \(reason)"
        case .noHeader(let file): "\(file): the file is empty: a header row is required"
        case .headerLineBeyondEnd(let file, let line):
            "\(file): 'source.header_line' is \(line), but the file has no header there: it ends first"
        case .blankColumnName(let file, let line, let column):
            "\(file):\(line): column \(column) of the header has a blank name"
        case .blankColumnWithData(let file, let line, let column, let dataLine):
            "\(file):\(line): column \(column) of the header has a blank name, but line \(dataLine) has a value in it: "
                + "name the column, or set 'source.blank_columns: ignore' to drop it"
        case .duplicateColumnName(let file, let line, let name, let first, let second):
            "\(file):\(line): duplicate column name '\(name)' (columns \(first) and \(second))"
        case .fieldCount(let file, let line, let found, let expected):
            "\(file):\(line): found \(found) field\(found == 1 ? "" : "s"), but the header has \(expected)"
        case .unterminatedQuote(let file, let line, let column, let name):
            "\(file):\(line): field \(column)\(name.map { " ('\($0)')" } ?? "") opens a quote on line \(line) that "
                + "is never closed: the file is not read further; correct the quoting of that line and run again"
        case .characterAfterQuote(let file, let line, let column, let name):
            "\(file):\(line): field \(column)\(name.map { " ('\($0)')" } ?? "") goes on after its closing quote: "
                + "a quote inside a quoted value must be doubled (\"Anna \"\"Kaja\"\" Lund\"); the file is not read "
                + "further: correct the quoting of that line and run again"
        case .invalidUTF8(let file, let line, let offset, let suggested):
            "\(file):\(line): invalid UTF-8 at byte offset \(offset)"
                + (suggested.flatMap { encoding in
                    encoding.whyGuessed.map { reading, why in
                        " (the bytes read as \(reading), \(why): set 'encoding: \(encoding.rawValue)' in the job's source)"
                    }
                } ?? "")
        case .firstRecordFieldCount(
            let file, let line, let found, let expected, let delimiter, let declared, let detected):
            "\(file):\(line): found \(found) field\(found == 1 ? "" : "s"), but the header has \(expected); "
                + "the delimiter '\(ExtractError.delimiterName(delimiter))' was "
                + (!declared
                    ? "detected from the header: if it is wrong, set 'source.delimiter'"
                    : detected != delimiter
                        ? "declared (source.delimiter or a 'sep=' line), but the header line reads as "
                            + "'\(ExtractError.delimiterName(detected))': check 'source.delimiter'"
                        : "declared (source.delimiter or a 'sep=' line): check it against the file")
        case .invalidUTF16(let file, let offset): "\(file): invalid UTF-16 at byte offset \(offset)"
        case .unknownEncoding(let file, let name):
            "\(file): unknown encoding '\(name)' (expected \(TextEncoding.expectedNames))"
        case .xml(let file, let line, let message): "\(file):\(line): \(message)"
        case .doctypeNotAllowed(let file, let line):
            "\(file):\(line): DOCTYPE declarations are not allowed (external entities and entity expansion are refused)"
        case .recordTooLarge(let file, let line, let limit):
            "\(file):\(line): record is larger than the \(limit)-byte limit"
        case .fieldTooLong(let file, let line, let column, let name, let limit):
            "\(file):\(line): field \(column)\(name.map { " ('\($0)')" } ?? "") is longer than \(limit.grouped) bytes: "
                + "not read further (a quote that is never closed, or not a CSV file?)"
        case .noFilesMatch(let pattern): "\(pattern): no files match"
        case .invalidPath(let path, let reason): "invalid XML path '\(path)': \(reason)"
        }
    }
}
