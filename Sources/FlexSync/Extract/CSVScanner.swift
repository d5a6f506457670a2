import Foundation

/// The reading half of ``CSVReader``: bytes in, transcoded to UTF-8, the header read, then
/// batches of record and field boundaries. Not `Sendable`: the opening thread reads the header,
/// then hands it to the pipeline, whose background thread alone scans.
final class CSVScanner {
    private(set) var schema = RecordSchema(names: [])
    private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    private(set) var encoding: TextEncoding = .utf8
    private(set) var headerCount = 0
    private(set) var blankColumns: [Int] = []
    private(set) var duplicateColumns: [(name: String, first: Int, second: Int)] = []
    private var delimiterDeclared = false
    private var detectedDelimiter: UInt8 = UInt8(ascii: ",")
    private(set) var headerLine = 1
    /// The line after the header, when it names the columns again as labels (``isLabelsRow(_:of:)``): left out.
    private(set) var labelsLine: Int?
    /// The header's fields as the file writes them, to know the header when a row repeats it.
    private var headerBytes: [[UInt8]] = []

    private let input: ByteInput
    private let options: CSVOptions
    var file: String { input.name }

    private var buffer: [UInt8] = []
    private var start = 0
    private var bufferOffset = 0  // offset in the (UTF-8) stream of `buffer[0]`
    private var eof = false
    private var finished = false
    private var transcoder: UTF8Transcoder?
    private var chunk: [UInt8]
    private var line = 1
    private var recordNumber = 0
    /// Blank lines since the last record: empty rows once another record follows them.
    private var blankLinesPending = 0
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
                    buffer.withUnsafeBufferPointer { old in
                        out.baseAddress!.initialize(from: old.baseAddress! + start, count: leftover)
                    }
                }
                initialized = leftover
                read = try input.read(
                    into: UnsafeMutableRawBufferPointer(start: out.baseAddress! + leftover, count: wanted))
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
        if let failure { throw ExtractError.invalidUTF16(file: file, offset: failure + encodingBOMLength) }
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
            detected = .utf8
            encodingBOMLength = 3
        } else if buffer.starts(with: [0xFF, 0xFE]) {
            detected = .utf16LE
            encodingBOMLength = 2
        } else if buffer.starts(with: [0xFE, 0xFF]) {
            detected = .utf16BE
            encodingBOMLength = 2
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

    /// Reads until the line at `start` is whole in the buffer (or the file ends).
    private func fillLine() throws {
        while !eof && buffer.count - start <= Self.maxFieldBytes
            && !buffer[start...].contains(UInt8(ascii: "\n")) && !buffer[start...].contains(UInt8(ascii: "\r"))
        {
            try fill()
        }
    }

    private func readHeader() throws {
        // Make sure the first line is in the buffer, to detect the delimiter from it.
        try fillLine()
        let declared = skipSepLine()
        if let wanted = options.headerLine, wanted > line {
            try skipLines(to: wanted)
            try fillLine()
        }
        detectedDelimiter = Self.delimiter(in: buffer, from: start)
        delimiter = options.delimiter ?? declared ?? detectedDelimiter
        delimiterDeclared = options.delimiter != nil || declared != nil
        special[Int(delimiter)] = true
        special[0x0A] = true
        special[0x0D] = true
        guard let (header, headerLine) = try nextHeaderFields() else {
            if let wanted = options.headerLine, wanted > 1 {
                throw ExtractError.headerLineBeyondEnd(file: file, line: wanted)
            }
            throw ExtractError.noHeader(file: file)
        }
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
                guard options.allowDuplicateColumns else {
                    throw ExtractError.duplicateColumnName(
                        file: file, line: headerLine, name: trimmed, first: first + 1, second: position + 1)
                }
                duplicateColumns.append((trimmed, first + 1, position + 1))
                names.append("\(trimmed) (column \(position + 1))")
                continue
            }
            seen[trimmed] = position
            names.append(trimmed)
        }
        self.headerLine = headerLine
        schema = RecordSchema(names: names)
        headerCount = header.count
        if options.skipRepeatedHeaders { try skipLabelsRow() }
    }

    /// Steps over the line after the header when it is whole in the buffer and names the columns
    /// again as labels; any other line (blank, a value over several lines) is read as usual.
    private func skipLabelsRow() throws {
        try fillLine()
        var fields: [FieldExtent] = []
        guard case .record(let end, let lines)? = try? scanRecord(into: &fields) else { return }
        let values = buffer.withUnsafeBufferPointer { bytes in fields.compactMap { Self.text(of: $0, in: bytes) } }
        guard values.count == fields.count, Self.isLabelsRow(values, of: schema.names) else { return }
        labelsLine = line
        start = end
        line += lines
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
                            throw Self.invalidUTF8(
                                in: field, bytes: bytes, recordStart: fields[0].start, line: line,
                                byteOffset: bufferOffset, file: file)
                        }
                        return text
                    }
                }
                headerBytes = fields.map { Array(buffer[$0.start..<$0.end]) }
                let headerLine = line
                start = end
                line += lines
                return (names, headerLine)
            }
        }
    }

    /// Skips whole physical lines (a report's title, its run date) until `wanted` is next.
    private func skipLines(to wanted: Int) throws {
        while line < wanted {
            guard let index = buffer[start...].firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else {
                if eof {
                    throw ExtractError.headerLineBeyondEnd(file: file, line: wanted)
                }
                try fill()
                continue
            }
            if buffer[index] == 0x0D && index + 1 == buffer.count && !eof {
                // A CR at the end of what is read: the LF that may follow decides the line's end.
                try fill()
                continue
            }
            start = index + 1
            if buffer[index] == 0x0D && start < buffer.count && buffer[start] == 0x0A { start += 1 }
            line += 1
        }
    }

    /// Whether the fields from `first` repeat the header (``repeats(_:_:in:)``).
    private func repeatsHeader(_ fields: ArraySlice<FieldExtent>) -> Bool {
        // Every row is asked: its first field's length turns nearly all away before any compare.
        guard fields.count == headerBytes.count, let head = fields.first,
            (0...5).contains(head.end - head.start - headerBytes[0].count)
        else { return false }
        return buffer.withUnsafeBufferPointer { Self.repeats(headerBytes, fields, in: $0) }
    }

    /// Skips Excel's first line `sep=;` (it names the delimiter, and is no header): its delimiter.
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

    // MARK: Records

    /// The next batch of at most `limit` records, and the error that ended reading; nil at the end.
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
                    // Between records only; CR CR LF's second line end is none.
                    if recordNumber > 0 && !Self.isDoubledCR(buffer, at: start) { blankLinesPending += lines }
                    start = end
                    line += lines
                case .record(let end, let lines):
                    batch.emptyRows += blankLinesPending
                    blankLinesPending = 0
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
                    if options.skipRepeatedHeaders && repeatsHeader(batch.fields[mark...]) {
                        batch.fields.removeSubrange(mark...)
                        batch.repeatedHeaders.append(recordLine)
                        continue
                    }
                    var kept = count
                    var malformed = false
                    if count != headerCount {
                        if count < headerCount && options.padShortRows {
                            kept = count
                        } else if count > headerCount && options.padShortRows
                            && batch.fields[(mark + headerCount)...].allSatisfy({ $0.start == $0.end })
                        {
                            kept = headerCount
                        } else if options.malformedRowsAsRecords && recordNumber > 0 && lines <= 1 {
                            malformed = true
                        } else {
                            if recordNumber == 0 {
                                throw ExtractError.firstRecordFieldCount(
                                    file: file, line: recordLine, found: count,
                                    expected: headerCount, delimiter: delimiter,
                                    declared: delimiterDeclared,
                                    detected: detectedDelimiter)
                            }
                            throw ExtractError.fieldCount(
                                file: file, line: recordLine, found: count, expected: headerCount)
                        }
                    }
                    recordNumber += 1
                    batch.records.append(
                        ScannedRecord(
                            firstField: mark, fieldCount: kept, line: recordLine, number: recordNumber,
                            malformed: malformed))
                    if batch.records.count >= limit { return sealed() }
                }
            }
        } catch {
            finished = true
            batch.error = error
            return sealed()
        }
    }

    /// Scans the record at `start`, appending its fields' extents to `fields`.
    private func scanRecord(into fields: inout [FieldExtent]) throws -> Scan {
        // The scan works on locals only: class properties in a hot loop pay for exclusivity checks.
        let (from, eof, delimiter, currentLine, special) = (start, self.eof, self.delimiter, line, self.special)
        do {
            return try buffer.withUnsafeBufferPointer { bytes throws(ScanFault) in
                try Self.scan(
                    bytes, from: from, eof: eof, delimiter: delimiter, line: currentLine, special: special,
                    fields: &fields)
            }
        } catch .unterminatedQuote(let line, let column) {
            throw ExtractError.unterminatedQuote(file: file, line: line, column: column, name: name(ofColumn: column))
        } catch .characterAfterQuote(let line, let column) {
            throw ExtractError.characterAfterQuote(
                file: file, line: line, column: column, name: name(ofColumn: column))
        } catch .fieldTooLong(let line, let column) {
            throw ExtractError.fieldTooLong(
                file: file, line: line, column: column, name: name(ofColumn: column), limit: CSVScanner.maxFieldBytes)
        }
    }

    /// The header's name of a column (1-based), nil past the header's width.
    private func name(ofColumn column: Int) -> String? {
        column >= 1 && column <= schema.names.count ? schema.names[column - 1] : nil
    }
}
