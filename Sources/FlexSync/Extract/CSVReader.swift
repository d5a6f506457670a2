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

    public init(delimiter: UInt8? = nil, encoding: TextEncoding? = nil, padShortRows: Bool = false, lazyValues: Bool = false) {
        self.delimiter = delimiter; self.encoding = encoding; self.padShortRows = padShortRows
        self.lazyValues = lazyValues
    }
}

/// A streaming RFC 4180 reader for real exports: BOMs, UTF-16, Windows-1252, CRLF/LF/CR, quoted
/// fields with delimiters, doubled quotes and line breaks. Memory is bounded by a few batches of
/// records (and the longest record), not by the file. Every error names the file and line.
///
/// Reading runs on two threads: a background thread reads the file and finds record and field
/// boundaries a few batches ahead, and both it and the caller of ``next()`` turn scanned batches
/// into records, so a caller that does little per record still gets both cores, and one that does
/// a lot (mapping) finds its records ready. Records and errors arrive in file order either way.
public final class CSVReader: RecordReader {
    public let schema: RecordSchema
    public private(set) var skippedEmptyRows = 0
    /// The delimiter in use (given or detected).
    public let delimiter: UInt8
    /// The encoding in use (declared or from the byte-order mark).
    public let encoding: TextEncoding
    /// Header columns with a blank name (1-based), as Excel writes trailing `;;;`: named
    /// `(column N)` in the schema, for the caller to ignore or refuse.
    public let blankColumns: [Int]
    /// The header's line.
    public let headerLine: Int

    /// Internal, not private: tests watch the background thread let go of it when the reader goes.
    let pipeline: CSVPipeline
    private var batch: [Record] = []
    private var index = 0
    private var batchNumber = 0
    private var pendingError: Error?
    private var finished = false
    private var builtInBackground = false

    /// Opens a CSV file and reads its header.
    public convenience init(path: String, options: CSVOptions = CSVOptions()) throws {
        try self.init(input: try ByteInput(path: path), options: options)
    }

    /// Reads CSV from memory (tests, stdin), named `name` in messages.
    public convenience init(bytes: [UInt8], name: String, options: CSVOptions = CSVOptions()) throws {
        try self.init(input: ByteInput(bytes: bytes, name: name), options: options)
    }

    /// `chunkSize` is how many bytes each read asks for; tests shrink it to split records anywhere.
    init(input: ByteInput, options: CSVOptions, chunkSize: Int = 1 << 20) throws {
        let scanner = try CSVScanner(input: input, options: options, chunkSize: chunkSize)
        schema = scanner.schema
        delimiter = scanner.delimiter
        encoding = scanner.encoding
        blankColumns = scanner.blankColumns
        headerLine = scanner.headerLine
        pipeline = CSVPipeline(scanner: scanner, lazyValues: options.lazyValues)
        pipeline.start()
    }

    deinit { pipeline.cancel() }

    public func next() throws -> Record? {
        while true {
            if index < batch.count {
                index += 1
                return batch[index - 1]
            }
            if let pendingError { throw pendingError }
            if finished { return nil }
            guard let next = pipeline.take(batchNumber) else {
                finished = true
                if builtInBackground { pipeline.recycle(batch) }
                batch = []
                return nil
            }
            batchNumber += 1
            let done = batch
            batch = next.records
            index = 0
            if builtInBackground { pipeline.recycle(done) }
            builtInBackground = next.builtInBackground
            skippedEmptyRows += next.emptyRows
            pendingError = next.error
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
}

/// Records whose boundaries are known but whose values are still bytes. `bytes` shares the
/// scanner's buffer (no copy); extents index into it.
struct ScannedBatch: @unchecked Sendable {
    var bytes: [UInt8] = []
    /// Offset in the (UTF-8) stream of `bytes[0]`, for error messages.
    var byteOffset = 0
    var fields: [FieldExtent] = []
    var records: [ScannedRecord] = []
    var emptyRows = 0
    /// The error that ended reading, after these records.
    var error: Error?
}

/// Records ready for the caller, then the error that stopped reading, if any.
struct RecordBatch: @unchecked Sendable {
    var records: [Record]
    var emptyRows: Int
    var error: Error?
    /// Built by the background thread, which should also free it: memory freed by the thread
    /// that allocated it costs no allocator lock.
    var builtInBackground = false
}

/// Hands scanned batches from the background thread to whichever thread is free to turn them
/// into records, and the records to the caller in order. At most `limit` batches are in flight,
/// which bounds memory whatever the file size.
final class CSVPipeline: @unchecked Sendable {
    private enum Slot {
        case scanned(ScannedBatch)
        case working
        case done(RecordBatch)
    }

    // Everything below is guarded by `condition`, except `scanner`, which only the background
    // thread touches once it has started.
    private let condition = NSCondition()
    private var slots: [Int: Slot] = [:]
    private var produced = 0
    private var scanningDone = false
    private var cancelled = false
    private var producing = true
    /// Batches the caller is done with, for the background thread to free.
    private var trash: [[Record]] = []
    private let scanner: CSVScanner
    private let schema: RecordSchema
    private let file: String
    private let columns: Int
    private let limit = 6
    private let recordsPerBatch = 2048

    private let lazyValues: Bool

    init(scanner: CSVScanner, lazyValues: Bool) {
        self.scanner = scanner
        self.lazyValues = lazyValues
        schema = scanner.schema
        file = scanner.file
        columns = scanner.headerCount
    }

    func start() {
        let thread = Thread { [self] in produce() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops the background thread; the reader is gone.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest batch that is scanned and not yet claimed by either thread.
    private func oldestUnclaimed(after first: Int = -1) -> Int? {
        var oldest: Int?
        for (number, slot) in slots where number > first {
            if case .scanned = slot, oldest == nil || number < oldest! { oldest = number }
        }
        return oldest
    }

    private func newestUnclaimed() -> Int? {
        var newest: Int?
        var unclaimed = 0
        for (number, slot) in slots {
            if case .scanned = slot {
                unclaimed += 1
                if newest == nil || number > newest! { newest = number }
            }
        }
        return unclaimed > 1 || slots.count >= limit || scanningDone ? newest : nil
    }

    /// Claims a scanned batch, builds its records with the lock released, and stores them.
    private func build(_ number: Int) -> RecordBatch {
        guard case .scanned(let scanned) = slots[number] else { fatalError("batch \(number) is not waiting to be built") }
        slots[number] = .working
        condition.unlock()
        let built = Self.records(of: scanned, schema: schema, file: file, columns: columns, lazyValues: lazyValues)
        condition.lock()
        return built
    }

    /// Takes back a batch the background thread built, once the caller has moved past it.
    func recycle(_ records: [Record]) {
        condition.lock()
        if producing {
            trash.append(records)
            condition.signal()
            condition.unlock()
        } else {
            condition.unlock()
        }
    }

    /// The background thread: scan ahead, and build records when there is nothing to scan.
    private func produce() {
        condition.lock()
        while !cancelled {
            if !trash.isEmpty {
                var done: [[Record]] = []
                swap(&done, &trash)
                condition.unlock()
                done = []
                condition.lock()
            } else if let number = newestUnclaimed() {
                var built = build(number)
                built.builtInBackground = true
                slots[number] = .done(built)
                condition.broadcast()
            } else if !scanningDone && slots.count < limit {
                condition.unlock()
                let scanned = scanner.nextBatch(limit: recordsPerBatch)
                condition.lock()
                if let scanned {
                    slots[produced] = .scanned(scanned)
                    produced += 1
                    if scanned.error != nil { scanningDone = true }
                } else {
                    scanningDone = true
                }
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        producing = false
        condition.unlock()
    }

    /// Batch `number` as records, or nil after the last one. While it is being built by the
    /// background thread, the caller builds a later one instead of waiting idle.
    func take(_ number: Int) -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch slots[number] {
            case .done(let built)?:
                slots[number] = nil
                condition.broadcast()
                return built
            case .scanned?:
                let built = build(number)
                slots[number] = nil
                condition.broadcast()
                return built
            case .working?:
                break
            case nil:
                if scanningDone && number >= produced { return nil }
            }
            if let later = oldestUnclaimed(after: number) {
                slots[later] = .done(build(later))
                condition.broadcast()
                continue
            }
            condition.wait()
        }
    }

    /// Turns a scanned batch into records, every field checked as UTF-8: built as strings, or
    /// with `lazyValues` left as extents into the batch's bytes until read.
    static func records(of scanned: ScannedBatch, schema: RecordSchema, file: String, columns: Int, lazyValues: Bool) -> RecordBatch {
        // Checked here, so that an error comes after the records before it. A record is checked
        // in one go, from its first field to its last: the separators between fields are ASCII,
        // so the span is valid UTF-8 exactly when every field is.
        var failure: Error?
        var built = 0
        scanned.bytes.withUnsafeBufferPointer { bytes in
            scanned.fields.withUnsafeBufferPointer { fields in
                for record in scanned.records {
                    let first = fields[record.firstField], last = fields[record.firstField + record.fieldCount - 1]
                    let span = UnsafeBufferPointer(start: bytes.baseAddress! + first.start, count: last.end - first.start)
                    if !CSVScanner.isASCII(span) && CSVScanner.firstInvalidUTF8(span) != span.count {
                        for index in record.firstField..<record.firstField + record.fieldCount {
                            let field = fields[index]
                            let slice = UnsafeBufferPointer(start: bytes.baseAddress! + field.start, count: field.end - field.start)
                            if CSVScanner.firstInvalidUTF8(slice) != slice.count {
                                failure = CSVScanner.invalidUTF8(in: field, bytes: bytes, recordStart: first.start,
                                                                 line: record.line, byteOffset: scanned.byteOffset, file: file)
                                return
                            }
                        }
                    }
                    built += 1
                }
            }
        }
        let kept = scanned.records[0..<built]
        // Every record's position counts a reference to the file's name; one string shared by
        // every batch had the threads that map records and the one that checks them contending
        // for its count, so each batch gets a copy of its own.
        let file = file.unshared
        // Where each record's values start in the block; short rows are padded with empty values.
        var starts: [Int] = []
        starts.reserveCapacity(built)
        let block: TextBlock
        if lazyValues {
            // Records whose fields are exactly the header's use the scanned extents as they are.
            var extents = scanned.fields
            if kept.allSatisfy({ $0.fieldCount == columns }) {
                starts = kept.map(\.firstField)
            } else {
                extents = []
                extents.reserveCapacity(built * columns)
                for record in kept {
                    starts.append(extents.count)
                    extents += scanned.fields[record.firstField..<record.firstField + record.fieldCount]
                    for _ in record.fieldCount..<max(columns, record.fieldCount) { extents.append(FieldExtent(start: 0, end: 0, escaped: false)) }
                }
            }
            block = TextBlock(bytes: scanned.bytes, extents: extents, schema: schema, file: file)
        } else {
            var texts: [String] = []
            texts.reserveCapacity(built * columns)
            scanned.bytes.withUnsafeBufferPointer { bytes in
                for record in kept {
                    starts.append(texts.count)
                    for index in record.firstField..<record.firstField + record.fieldCount {
                        texts.append(CSVScanner.checkedText(of: scanned.fields[index], in: bytes))
                    }
                    for _ in record.fieldCount..<max(columns, record.fieldCount) { texts.append("") }
                }
            }
            block = TextBlock(texts, schema: schema, file: file)
        }
        var records: [Record] = []
        records.reserveCapacity(built)
        for (record, start) in zip(kept, starts) {
            records.append(Record(block: block, start: start, count: max(columns, record.fieldCount), line: record.line, number: record.number))
        }
        return RecordBatch(records: records, emptyRows: scanned.emptyRows, error: failure ?? scanned.error)
    }
}

/// The reading half of ``CSVReader``: bytes in, transcoded to UTF-8, the header read, then
/// batches of record and field boundaries. Used by one thread at a time: the opening thread for
/// the header, then the pipeline's background thread.
final class CSVScanner: @unchecked Sendable {
    private(set) var schema = RecordSchema(names: [])
    private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    private(set) var encoding: TextEncoding = .utf8
    private(set) var headerCount = 0
    private(set) var blankColumns: [Int] = []
    private var delimiterDeclared = false
    private var detectedDelimiter: UInt8 = UInt8(ascii: ",")
    private(set) var headerLine = 1

    private let input: ByteInput
    private let options: CSVOptions
    var file: String { input.name }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Offset in the (UTF-8) stream of `buffer[0]`.
    private var bufferOffset = 0
    private var eof = false
    private var finished = false
    private var transcoder: UTF8Transcoder?
    private var chunk: [UInt8]
    private var line = 1
    private var recordNumber = 0
    /// `special[byte]` is true for the delimiter, CR and LF: the only bytes an unquoted field stops at.
    private let special = UnsafeMutablePointer<Bool>.allocate(capacity: 256)

    init(input: ByteInput, options: CSVOptions, chunkSize: Int) throws {
        self.input = input
        self.options = options
        chunk = [UInt8](repeating: 0, count: max(1, chunkSize))
        special.initialize(repeating: false, count: 256)
        try detectEncoding()
        try readHeader()
    }

    deinit { special.deallocate() }

    // MARK: Input

    /// Moves unread bytes to a fresh buffer (batches still share the old one) and appends the
    /// next chunk, transcoded to UTF-8.
    private func fill() throws {
        if transcoder == nil {
            // UTF-8: the unread bytes and the next read go straight into a new buffer.
            guard !eof else { return }
            let leftover = buffer.count - start
            let wanted = chunk.count
            var read = 0
            let fresh = try [UInt8](unsafeUninitializedCapacity: leftover + wanted) { out, initialized in
                if leftover > 0 {
                    buffer.withUnsafeBufferPointer { old in out.baseAddress!.initialize(from: old.baseAddress! + start, count: leftover) }
                }
                initialized = leftover
                read = try input.read(into: UnsafeMutableRawBufferPointer(start: out.baseAddress! + leftover, count: wanted))
                initialized = leftover + read
            }
            buffer = fresh
            bufferOffset += start
            start = 0
            if read == 0 { eof = true }
            return
        }
        if start > 0 {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(buffer.count - start + chunk.count)
            fresh.append(contentsOf: buffer[start...])
            buffer = fresh
            bufferOffset += start
            start = 0
        }
        while !eof {
            let count = try chunk.withUnsafeMutableBytes { raw throws in try input.read(into: raw) }
            if count == 0 {
                eof = true
                if transcoder != nil { try transcode(count: 0) }
                return
            }
            if transcoder != nil {
                try transcode(count: count)
            } else {
                buffer.append(contentsOf: chunk[0..<count])
            }
            if count > 0 { return }
        }
    }

    private func transcode(count: Int) throws {
        let failure = chunk.withUnsafeBytes { raw in
            transcoder!.transcode(UnsafeRawBufferPointer(rebasing: raw[0..<count]), into: &buffer, final: count == 0)
        }
        if let failure { throw ExtractError.invalidUTF16(file: file, offset: failure + (encodingBOMLength)) }
    }

    private var encodingBOMLength = 0

    private func detectEncoding() throws {
        // Read raw bytes first: the BOM decides how the rest is decoded.
        while buffer.count < 3 && !eof {
            let count = try chunk.withUnsafeMutableBytes { raw throws in try input.read(into: raw) }
            if count == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<count]) }
        }
        var detected = options.encoding ?? .utf8
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            detected = .utf8; encodingBOMLength = 3
        } else if buffer.starts(with: [0xFF, 0xFE]) {
            detected = .utf16LE; encodingBOMLength = 2
        } else if buffer.starts(with: [0xFE, 0xFF]) {
            detected = .utf16BE; encodingBOMLength = 2
        } else if detected == .utf16 {
            detected = .utf16LE
        }
        encoding = detected
        if detected == .utf8 {
            start = encodingBOMLength
            return
        }
        let raw = Array(buffer[encodingBOMLength...])
        buffer.removeAll(keepingCapacity: true)
        transcoder = UTF8Transcoder(encoding: detected)
        let failure = raw.withUnsafeBytes { transcoder!.transcode($0, into: &buffer, final: eof) }
        if let failure { throw ExtractError.invalidUTF16(file: file, offset: failure + encodingBOMLength) }
    }

    // MARK: Header

    private func readHeader() throws {
        // Make sure the first line is in the buffer, to detect the delimiter from it.
        while !eof && buffer.count - start <= Self.maxFieldBytes
                && !buffer[start...].contains(UInt8(ascii: "\n")) && !buffer[start...].contains(UInt8(ascii: "\r")) {
            try fill()
        }
        let declared = skipSepLine()
        detectedDelimiter = detectDelimiter()
        delimiter = options.delimiter ?? declared ?? detectedDelimiter
        delimiterDeclared = options.delimiter != nil || declared != nil
        special[Int(delimiter)] = true
        special[0x0A] = true
        special[0x0D] = true
        guard let (header, headerLine) = try nextHeaderFields() else { throw ExtractError.noHeader(file: file) }
        var seen: [String: Int] = [:]
        var names: [String] = []
        for (position, name) in header.enumerated() {
            let trimmed = name.trimmingSpaces
            if trimmed.isEmpty {
                // Whether a blank-named column carries anything is for the caller to find out.
                blankColumns.append(position + 1)
                names.append(CSVReader.blankColumnName(position + 1))
                continue
            }
            if let first = seen[trimmed] {
                throw ExtractError.duplicateColumnName(file: file, line: headerLine, name: trimmed, first: first + 1, second: position + 1)
            }
            seen[trimmed] = position
            names.append(trimmed)
        }
        self.headerLine = headerLine
        schema = RecordSchema(names: names)
        headerCount = header.count
    }

    /// The first non-blank line's fields as strings, and its line.
    private func nextHeaderFields() throws -> ([String], line: Int)? {
        var fields: [FieldExtent] = []
        while true {
            switch try scanRecord(into: &fields) {
            case .needMore:
                fields.removeAll()
                try fill()
            case .end:
                return nil
            case .blank(let end, let lines):
                start = end
                line += lines
            case .record(let end, let lines):
                let names = try buffer.withUnsafeBufferPointer { bytes throws in
                    try fields.map { field throws in
                        guard let text = Self.text(of: field, in: bytes) else {
                            throw Self.invalidUTF8(in: field, bytes: bytes, recordStart: fields[0].start, line: line, byteOffset: bufferOffset, file: file)
                        }
                        return text
                    }
                }
                let headerLine = line
                start = end
                line += lines
                return (names, headerLine)
            }
        }
    }

    /// Excel honours a first line `sep=;`: it names the delimiter and is not the header.
    /// Skips such a line and returns its delimiter.
    private func skipSepLine() -> UInt8? {
        let prefix = Array("sep=".utf8)
        guard buffer.count - start >= 5, Array(buffer[start..<start + 4]) == prefix else { return nil }
        var end = start + 5
        guard end == buffer.count || buffer[end] == 0x0A || buffer[end] == 0x0D else { return nil }
        let separator = buffer[start + 4]
        if end < buffer.count && buffer[end] == 0x0D { end += 1 }
        if end < buffer.count && buffer[end] == 0x0A { end += 1 }
        start = end
        line += 1
        return separator
    }

    private func detectDelimiter() -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted {
                if byte == 0x0A || byte == 0x0D { break }
                if let position = candidates.firstIndex(of: byte) { counts[position] += 1 }
            }
            index += 1
        }
        let best = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
        return counts[best] > 0 ? candidates[best] : UInt8(ascii: ",")
    }

    // MARK: Records

    /// The next batch of at most `limit` records, with the error that ended reading (if one
    /// did) after them; nil when the file is done.
    func nextBatch(limit: Int) -> ScannedBatch? {
        if finished { return nil }
        var batch = ScannedBatch()
        func sealed() -> ScannedBatch {
            batch.bytes = buffer
            batch.byteOffset = bufferOffset
            return batch
        }
        do {
            while true {
                let mark = batch.fields.count
                switch try scanRecord(into: &batch.fields) {
                case .needMore:
                    batch.fields.removeSubrange(mark...)
                    // A fill replaces the buffer, so the batch ends at the last whole record.
                    if !batch.records.isEmpty || batch.emptyRows > 0 { return sealed() }
                    try fill()
                case .end:
                    finished = true
                    return batch.records.isEmpty && batch.emptyRows == 0 ? nil : sealed()
                case .blank(let end, let lines):
                    start = end
                    line += lines
                case .record(let end, let lines):
                    let recordLine = line
                    start = end
                    line += lines
                    let count = batch.fields.count - mark
                    if batch.fields[mark...].allSatisfy({ $0.start == $0.end }) {
                        // Excel's `;;;` rows: skipped, and counted for the run report.
                        batch.fields.removeSubrange(mark...)
                        batch.emptyRows += 1
                        continue
                    }
                    var kept = count
                    if count != headerCount {
                        if count < headerCount && options.padShortRows {
                            kept = count
                        } else if count > headerCount && options.padShortRows
                                    && batch.fields[(mark + headerCount)...].allSatisfy({ $0.start == $0.end }) {
                            kept = headerCount
                        } else {
                            if recordNumber == 0 {
                                throw ExtractError.firstRecordFieldCount(file: file, line: recordLine, found: count,
                                                                         expected: headerCount, delimiter: delimiter,
                                                                         declared: delimiterDeclared,
                                                                         detected: detectedDelimiter)
                            }
                            throw ExtractError.fieldCount(file: file, line: recordLine, found: count, expected: headerCount)
                        }
                    }
                    recordNumber += 1
                    batch.records.append(ScannedRecord(firstField: mark, fieldCount: kept, line: recordLine, number: recordNumber))
                    if batch.records.count >= limit { return sealed() }
                }
            }
        } catch {
            finished = true
            batch.error = error
            return sealed()
        }
    }

    private enum Scan {
        case record(end: Int, lines: Int)
        case blank(end: Int, lines: Int)
        case needMore
        case end
    }

    /// Scans the record at `start`, appending its fields' extents to `fields`.
    private func scanRecord(into fields: inout [FieldExtent]) throws -> Scan {
        // The scan works on locals only: class properties in a hot loop pay for exclusivity checks.
        let (from, eof, delimiter, currentLine, special) = (start, self.eof, self.delimiter, line, self.special)
        do {
            return try buffer.withUnsafeBufferPointer { bytes throws(ScanFault) in
                try Self.scan(bytes, from: from, eof: eof, delimiter: delimiter, line: currentLine, special: special, fields: &fields)
            }
        } catch .unterminatedQuote(let line) {
            throw ExtractError.unterminatedQuote(file: file, line: line)
        } catch .characterAfterQuote(let line) {
            throw ExtractError.characterAfterQuote(file: file, line: line)
        } catch .fieldTooLong(let line, let column) {
            let name = column <= schema.names.count ? schema.names[column - 1] : nil
            throw ExtractError.fieldTooLong(file: file, line: line, column: column, name: name, limit: CSVScanner.maxFieldBytes)
        }
    }

    /// The longest field read: far beyond anything Insights takes (128 characters a value, 4,096
    /// a document) and beyond a CRM's long text areas (32,768), so that a quote never closed or
    /// a file that is not CSV is reported at once instead of being buffered whole.
    static let maxFieldBytes = 65_536

    /// A malformed record, before the file's name is put to it (the scan does not take the name:
    /// passing it counted a reference to a string every thread shares, once per record).
    private enum ScanFault: Error {
        case unterminatedQuote(line: Int)
        case characterAfterQuote(line: Int)
        case fieldTooLong(line: Int, column: Int)
    }

    /// Finds the extent of one record starting at `start`, appending its fields. Asks for more
    /// input when the record may continue past the buffer.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, delimiter: UInt8, line: Int,
                             special: UnsafeMutablePointer<Bool>, fields: inout [FieldExtent]) throws(ScanFault) -> Scan {
        let count = bytes.count
        let quote = UInt8(ascii: "\"")
        let firstField = fields.count
        var index = start
        var lines = 0
        if index >= count { return eof ? .end : .needMore }
        // A blank line.
        if bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0D {
                if index + 1 == count && !eof { return .needMore }
                index += (index + 1 < count && bytes[index + 1] == 0x0A) ? 2 : 1
            } else {
                index += 1
            }
            return .blank(end: index, lines: 1)
        }
        while true {
            if index < count && bytes[index] == quote {
                let openedOn = line + lines
                index += 1
                let fieldStart = index
                var escaped = false
                while true {
                    while index < count && bytes[index] != quote {
                        let byte = bytes[index]
                        if byte == 0x0A { lines += 1 }
                        else if byte == 0x0D && !(index + 1 < count && bytes[index + 1] == 0x0A) { lines += 1 }
                        index += 1
                    }
                    if index - fieldStart > maxFieldBytes {
                        throw .fieldTooLong(line: openedOn, column: fields.count - firstField + 1)
                    }
                    if index >= count {
                        if eof { throw .unterminatedQuote(line: openedOn) }
                        return .needMore
                    }
                    if index + 1 < count && bytes[index + 1] == quote {
                        escaped = true
                        index += 2
                        continue
                    }
                    if index + 1 == count && !eof { return .needMore }
                    break
                }
                fields.append(FieldExtent(start: fieldStart, end: index, escaped: escaped))
                index += 1
                if index >= count {
                    if !eof { return .needMore }
                    return .record(end: index, lines: lines + 1)
                }
                let byte = bytes[index]
                if byte == delimiter { index += 1; continue }
                if byte != 0x0A && byte != 0x0D { throw .characterAfterQuote(line: line + lines) }
            } else {
                let fieldStart = index
                while index < count && !special[Int(bytes[index])] { index += 1 }
                if index - fieldStart > maxFieldBytes {
                    throw .fieldTooLong(line: line + lines, column: fields.count - firstField + 1)
                }
                if index >= count {
                    if !eof { return .needMore }
                    fields.append(FieldExtent(start: fieldStart, end: index, escaped: false))
                    return .record(end: index, lines: lines + 1)
                }
                fields.append(FieldExtent(start: fieldStart, end: index, escaped: false))
                if bytes[index] == delimiter {
                    index += 1
                    if index >= count && eof {
                        fields.append(FieldExtent(start: index, end: index, escaped: false))
                        return .record(end: index, lines: lines + 1)
                    }
                    continue
                }
            }
            // At a line terminator.
            if bytes[index] == 0x0D {
                if index + 1 == count && !eof { return .needMore }
                index += (index + 1 < count && bytes[index + 1] == 0x0A) ? 2 : 1
            } else {
                index += 1
            }
            return .record(end: index, lines: lines + 1)
        }
    }

    // MARK: Values

    /// A field's text, doubled quotes undone; nil when it is not valid UTF-8.
    @inline(__always)
    static func text(of field: FieldExtent, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // Pointer arithmetic rather than range slicing: slices of buffer pointers go through
        // unspecialised generic code and cost a metadata lookup per field. Doubled quotes are
        // ASCII, so the field is valid UTF-8 with or without them.
        let slice = UnsafeBufferPointer(start: bytes.baseAddress! + field.start, count: field.end - field.start)
        guard isASCII(slice) || firstInvalidUTF8(slice) == slice.count else { return nil }
        return checkedText(of: field, in: bytes)
    }

    /// The text of a field already checked as UTF-8, doubled quotes undone.
    @inline(__always)
    static func checkedText(of field: FieldExtent, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = field.end - field.start
        guard count > 0, let base = bytes.baseAddress else { return "" }
        let slice = UnsafeBufferPointer(start: base + field.start, count: count)
        guard field.escaped else { return String(decoding: slice, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: count) { out in
            var written = 0
            var index = 0
            while index < count {
                out[written] = slice[index]
                written += 1
                index += slice[index] == UInt8(ascii: "\"") ? 2 : 1
            }
            return written
        }
    }

    /// The located error for a field that is not valid UTF-8.
    static func invalidUTF8(in field: FieldExtent, bytes: UnsafeBufferPointer<UInt8>, recordStart: Int, line: Int,
                            byteOffset: Int, file: String) -> ExtractError {
        let slice = UnsafeBufferPointer(start: bytes.baseAddress! + field.start, count: field.end - field.start)
        let bad = firstInvalidUTF8(slice)
        var fieldLine = line
        for byte in bytes[recordStart..<field.start + bad] where byte == 0x0A { fieldLine += 1 }
        // Every byte reads as Windows-1252 but for five it leaves undefined.
        let windows1252 = !slice[bad...].contains { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }
        return ExtractError.invalidUTF8(file: file, line: fieldLine, offset: byteOffset + field.start + bad,
                                        windows1252: windows1252)
    }

    /// True when no byte has the high bit set, eight bytes at a time.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// The index of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            var lowest: UInt32
            switch byte {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2; lowest = 0x80
            case 0xE0...0xEF: length = 3; lowest = 0x800
            case 0xF0...0xF4: length = 4; lowest = 0x10000
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            var scalar = UInt32(byte) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            if scalar < lowest || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar < 0xE000) { return index }
            index += length
            lowest = 0
        }
        return bytes.count
    }
}

extension String {
    /// The same text in storage of its own (short strings have none to share).
    var unshared: String { utf8.count <= 15 ? self : String(decoding: Array(utf8), as: UTF8.self) }

    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        // Most texts have nothing to trim: say so from the bytes, without building a Substring.
        guard let first = utf8.first, let last = utf8.last,
              first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 else { return self }
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
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
        while let record = try next() {
            for (name, column) in names {
                if let text = record[name]?.firstText, !text.trimmingSpaces.isEmpty { return (record.position.line, column) }
            }
        }
        return nil
    }
}
