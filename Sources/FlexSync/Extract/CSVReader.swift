import Foundation

/// How a CSV export is read.
public struct CSVOptions: Sendable {
    /// The field delimiter; nil detects `,` `;` tab or `|` from the header line.
    public var delimiter: UInt8?
    /// The declared encoding; nil means UTF-8. A byte-order mark always wins.
    public var encoding: TextEncoding?
    /// Pad records with fewer fields than the header with empty values instead of failing.
    public var padShortRows = false
    /// Keep values as bytes (checked as UTF-8) until something reads them, for callers that read
    /// a few columns of each row — a mapping. By default every value is built as a string by the
    /// reader's threads, ahead of the caller.
    public var lazyValues = false
    /// Keep reading past a column name the header repeats (named `Name (column N)` after its
    /// first use, and listed in ``CSVReader/duplicateColumns``) for a caller that refuses only
    /// the names it reads; by default a repeated name is an error.
    public var allowDuplicateColumns = false
    /// Hand on a row of one physical line whose field count is not the header's (an unquoted
    /// delimiter in a value, a lost field) as a record marked malformed
    /// (``Record/malformedFieldCount``) instead of stopping: a mapping reports it as that row's
    /// error. A row spanning lines (a lost quote may have swallowed others) and the first row
    /// (more likely a wrong delimiter) still stop the reader.
    public var malformedRowsAsRecords = false
    /// The physical line the header is on (1-based), for reports that print a title, a run date
    /// or a blank line above it; nil: the first non-blank line (after Excel's `sep=` line).
    public var headerLine: Int?
    /// Leave out a row that repeats the header byte for byte (two exports joined into one),
    /// listing its line in ``CSVReader/repeatedHeaderLines``, instead of handing it on as data.
    public var skipRepeatedHeaders = false

    public init(
        delimiter: UInt8? = nil, encoding: TextEncoding? = nil, padShortRows: Bool = false, lazyValues: Bool = false
    ) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.padShortRows = padShortRows
        self.lazyValues = lazyValues
    }
}

/// A streaming RFC 4180 reader for real exports: BOMs, UTF-16, Windows-1252, CRLF/LF/CR, quoted
/// fields with delimiters, doubled quotes and line breaks. Memory is bounded by a few batches of
/// records (and the longest record), not by the file. Every error names the file and line.
///
/// Reading runs on two threads (``CSVPipeline``): a background thread reads the file a few
/// batches ahead, and the caller of ``next()`` reads and builds too rather than wait. Records and
/// errors arrive in file order either way.
public final class CSVReader: RecordReader {
    public let schema: RecordSchema
    public private(set) var skippedEmptyRows = 0
    /// Lines of rows that repeated the header, left out (``CSVOptions/skipRepeatedHeaders``);
    /// complete once ``next()`` returned nil.
    public private(set) var repeatedHeaderLines: [Int] = []
    /// The delimiter in use (given or detected).
    public let delimiter: UInt8
    /// The encoding in use (declared or from the byte-order mark).
    public let encoding: TextEncoding
    /// Header columns with a blank name (1-based), as Excel writes trailing `;;;`: named
    /// `(column N)` in the schema, for the caller to ignore or refuse.
    public let blankColumns: [Int]
    /// The header's line.
    public let headerLine: Int
    /// The line after it, when it named the columns again as labels and was left out
    /// (``CSVOptions/skipRepeatedHeaders``; SAP SuccessFactors' second header row).
    public let labelsLine: Int?
    /// Column names the header repeats, with their first and later column (1-based), when
    /// ``CSVOptions/allowDuplicateColumns`` let the reader go on.
    public let duplicateColumns: [(name: String, first: Int, second: Int)]

    /// Internal, not private: tests watch the background thread let go of it when the reader goes.
    let pipeline: CSVPipeline
    private var batch = RecordBatch(records: [], emptyRows: 0, error: nil)
    /// The thread that built `batch`, which frees it.
    private var builder = 0
    private var index = 0
    private var pendingError: Error?
    private var finished = false

    /// Opens a CSV file and reads its header.
    public convenience init(path: String, options: CSVOptions = CSVOptions()) throws {
        try self.init(input: try ByteInput(path: path), options: options)
    }

    /// Reads CSV from memory (tests, stdin), named `name` in messages.
    public convenience init(bytes: [UInt8], name: String, options: CSVOptions = CSVOptions()) throws {
        try self.init(input: ByteInput(bytes: bytes, name: name), options: options)
    }

    /// `chunkSize` is how many bytes each read asks for; tests shrink it to split records anywhere.
    init(input: sending ByteInput, options: CSVOptions, chunkSize: Int = 1 << 20) throws {
        let scanner = try CSVScanner(input: input, options: options, chunkSize: chunkSize)
        schema = scanner.schema
        delimiter = scanner.delimiter
        encoding = scanner.encoding
        blankColumns = scanner.blankColumns
        duplicateColumns = scanner.duplicateColumns
        headerLine = scanner.headerLine
        labelsLine = scanner.labelsLine
        pipeline = CSVPipeline(scanner: scanner, lazyValues: options.lazyValues)
    }

    deinit { pipeline.cancel() }

    public func next() throws -> Record? {
        while true {
            if index < batch.records.count {
                index += 1
                return batch.records[index - 1]
            }
            if let pendingError { throw pendingError }
            if finished { return nil }
            let made = pipeline.take()
            let done = batch
            batch = made?.output ?? RecordBatch(records: [], emptyRows: 0, error: nil)
            pipeline.recycle(done, from: builder)
            builder = made?.worker ?? 0
            index = 0
            guard made != nil else {
                finished = true
                return nil
            }
            skippedEmptyRows += batch.emptyRows
            repeatedHeaderLines += batch.repeatedHeaders
            pendingError = batch.error
        }
    }
}

/// One field of a scanned record: its bytes in the batch, and whether it holds doubled quotes.
struct FieldExtent {
    var start: Int
    var end: Int
    var escaped: Bool
}

/// A scanned record: which extents are its fields, and where it is in the file.
struct ScannedRecord {
    var firstField: Int
    var fieldCount: Int
    var line: Int
    var number: Int
    /// A row whose field count is not the header's, handed on by ``CSVOptions/malformedRowsAsRecords``.
    var malformed = false
}

/// Records whose boundaries are known but whose values are still bytes. `bytes` shares the
/// scanner's buffer (no copy); extents index into it.
struct ScannedBatch: Sendable {
    var bytes: [UInt8] = []
    /// Offset in the (UTF-8) stream of `bytes[0]`, for error messages.
    var byteOffset = 0
    var fields: [FieldExtent] = []
    var records: [ScannedRecord] = []
    var emptyRows = 0
    /// Lines of rows that repeated the header, left out.
    var repeatedHeaders: [Int] = []
    /// The error that ended reading, after these records.
    var error: Error?
}

/// Records ready for the caller, then the error that stopped reading, if any.
struct RecordBatch: Sendable {
    var records: [Record]
    var emptyRows: Int
    var repeatedHeaders: [Int] = []
    var error: Error?
}

extension String {
    /// The same text in storage of its own (short strings have none to share).
    var unshared: String { utf8.count <= 15 ? self : String(decoding: Array(utf8), as: UTF8.self) }

    /// The string without leading and trailing spaces, tabs, no-break and ideographic spaces.
    var trimmingSpaces: String {
        // Most texts have nothing to trim: say so from the bytes, without building a Substring.
        // No-break spaces (U+00A0, U+2007, U+202F: C2 A0, E2 80 A7, E2 80 AF) go too: a value
        // copied from a web page or Excel brings them, and they look like spaces in every report;
        // so does the ideographic space (U+3000: E3 80 80) Japanese and Chinese typing leaves.
        guard let first = utf8.first, let last = utf8.last,
            first == 0x20 || first == 0x09 || first == 0xC2 || first == 0xE2 || first == 0xE3 || last == 0x20
                || last == 0x09 || last == 0xA0 || last == 0xA7 || last == 0xAF || last == 0x80
        else { return self }
        func isSpace(_ character: Character) -> Bool {
            character == " " || character == "\t" || character == "\u{A0}" || character == "\u{2007}"
                || character == "\u{202F}" || character == "\u{3000}"
        }
        var view = Substring(self)
        while let first = view.first, isSpace(first) { view.removeFirst() }
        while let last = view.last, isSpace(last) { view.removeLast() }
        return view.utf8.count == utf8.count ? self : String(view)
    }
}

extension CSVReader {
    /// The schema's name for a header column with a blank name.
    public static func blankColumnName(_ column: Int) -> String { "(column \(column))" }

    /// The first record's line with a value in one of the blank-named columns, if any: Excel's
    /// trailing `;;;` columns are empty on every row and carry nothing.
    public func firstLineWithBlankColumnData() throws -> (line: Int, column: Int)? {
        let names = blankColumns.map { (Self.blankColumnName($0), $0) }
        guard !names.isEmpty else { return nil }
        // A malformed row's values are not in their columns: the mapping reports it instead.
        while let record = try next() {
            if record.malformedFieldCount != nil { continue }
            for (name, column) in names {
                if let text = record[name]?.firstText, !text.trimmingSpaces.isEmpty {
                    return (record.position.line, column)
                }
            }
        }
        return nil
    }
}

extension CSVReader {
    /// What most likely made a row of one line have `fields` fields where the header has more or
    /// fewer (``CSVOptions/malformedRowsAsRecords``), for the messages that name the row.
    /// `value`: the row's one value, when it has one, to tell a row written with another
    /// delimiter (`a,b,c` in a `;` file) from a title line.
    public static func malformedRowCause(fields: Int, value: String? = nil, header: Int = 0) -> String {
        if fields == 1, let value, let (delimiter, count) = otherDelimiter(in: value, header: header) {
            let name = delimiter == "\t" ? "tabs" : "'\(delimiter)'"
            return "the row's values are separated by \(name) (\(count + 1) values), not by the file's delimiter: "
                + "a row written by another tool or pasted in? Correct the row"
        }
        return fields == 1
            ? "a line of one value (a report's title, total or footer line?)"
            : "a value holds an unquoted delimiter, or a field is missing"
    }

    /// The delimiter a row of one value holds as many of as the header has columns less one (one
    /// more or fewer from six columns up, where a value may hold one or a field be missing): a
    /// title or a total (`Total: 1,234`) holds one or two.
    static func otherDelimiter(in value: String, header: Int) -> (Character, Int)? {
        guard header >= 3 else { return nil }
        let slack = header >= 6 ? 1 : 0
        for delimiter: Character in [",", ";", "\t", "|"] {
            let count = value.reduce(0) { $0 + ($1 == delimiter ? 1 : 0) }
            if abs(count + 1 - header) <= slack { return (delimiter, count) }
        }
        return nil
    }

    /// The first of the `within` lines after `after` that, read as the header, gives column names
    /// `accepts` takes: where a report that prints a title or a run date above its header has it.
    public static func headerLine(
        in path: String, options: CSVOptions, after: Int, within: Int = 30, accepts: ([String]) -> Bool
    ) -> Int? {
        var options = options
        options.allowDuplicateColumns = true
        var candidate = after + 1
        while candidate <= after + within {
            options.headerLine = candidate
            do {
                let reader = try CSVReader(path: path, options: options)
                if accepts(reader.schema.names) { return reader.headerLine }
                // Blank lines before a candidate are skipped to the next line with fields.
                candidate = max(candidate, reader.headerLine) + 1
            } catch ExtractError.headerLineBeyondEnd {
                return nil
            } catch {
                candidate += 1
            }
        }
        return nil
    }
}
