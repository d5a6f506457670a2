/// How a CSV export is read.
public struct CSVOptions: Sendable {
    /// The field delimiter; nil detects `,` `;` tab or `|` from the header line.
    public var delimiter: UInt8?
    /// The declared encoding; nil means UTF-8. A byte-order mark always wins.
    public var encoding: TextEncoding?
    /// Pad records with fewer fields than the header with empty values instead of failing.
    public var padShortRows = false

    public init(delimiter: UInt8? = nil, encoding: TextEncoding? = nil, padShortRows: Bool = false) {
        self.delimiter = delimiter; self.encoding = encoding; self.padShortRows = padShortRows
    }
}

/// A streaming RFC 4180 reader for real exports: BOMs, UTF-16, Windows-1252, CRLF/LF/CR, quoted
/// fields with delimiters, doubled quotes and line breaks. Memory is bounded by the longest
/// record, not the file. Every error names the file and line.
public final class CSVReader: RecordReader {
    public private(set) var schema = RecordSchema(names: [])
    public private(set) var skippedEmptyRows = 0
    /// The delimiter in use (given or detected).
    public private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    /// The encoding in use (declared or from the byte-order mark).
    public private(set) var encoding: TextEncoding = .utf8

    private let input: ByteInput
    private let options: CSVOptions
    private var file: String { input.name }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Offset in the (UTF-8) stream of `buffer[0]`.
    private var bufferOffset = 0
    private var eof = false
    private var transcoder: UTF8Transcoder?
    private var chunk: [UInt8]
    private var line = 1
    private var recordNumber = 0
    /// Field extents of the record being read; `quoted` fields may hold line breaks and doubled quotes.
    private var fields: [(start: Int, end: Int, quoted: Bool, escaped: Bool)] = []
    /// `special[byte]` is true for the delimiter, CR and LF: the only bytes an unquoted field stops at.
    private let special = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
    private var headerCount = 0

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
        self.input = input
        self.options = options
        chunk = [UInt8](repeating: 0, count: max(1, chunkSize))
        special.initialize(repeating: false, count: 256)
        try detectEncoding()
        try readHeader()
    }

    deinit { special.deallocate() }

    // MARK: Input

    /// Moves unread bytes to the front and appends the next chunk (transcoded to UTF-8).
    private func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
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
        while !eof && !buffer[start...].contains(UInt8(ascii: "\n")) && !buffer[start...].contains(UInt8(ascii: "\r")) {
            try fill()
        }
        let declared = skipSepLine()
        delimiter = options.delimiter ?? declared ?? detectDelimiter()
        special[Int(delimiter)] = true
        special[0x0A] = true
        special[0x0D] = true
        guard let (header, headerLine) = try nextFields() else { throw ExtractError.noHeader(file: file) }
        let names = header.map { $0?.firstText ?? "" }
        var seen: [String: Int] = [:]
        for (position, name) in names.enumerated() {
            let trimmed = name.trimmingSpaces
            if trimmed.isEmpty { throw ExtractError.blankColumnName(file: file, line: headerLine, column: position + 1) }
            if let first = seen[trimmed] {
                throw ExtractError.duplicateColumnName(file: file, line: headerLine, name: trimmed, first: first + 1, second: position + 1)
            }
            seen[trimmed] = position
        }
        schema = RecordSchema(names: names.map(\.trimmingSpaces))
        headerCount = names.count
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

    public func next() throws -> Record? {
        while true {
            guard let (values, recordLine) = try nextFields() else { return nil }
            if allEmpty {
                skippedEmptyRows += 1
                continue
            }
            var row = values
            if row.count != headerCount {
                if row.count < headerCount && options.padShortRows {
                    row += Array(repeating: .text(""), count: headerCount - row.count)
                } else if row.count > headerCount && options.padShortRows && row[headerCount...].allSatisfy({ $0 == .text("") }) {
                    row.removeLast(row.count - headerCount)
                } else {
                    throw ExtractError.fieldCount(file: file, line: recordLine, found: row.count, expected: headerCount)
                }
            }
            recordNumber += 1
            return Record(schema: schema, values: row, position: SourcePosition(file: file, line: recordLine, record: recordNumber))
        }
    }

    /// The fields of the next non-blank line and the line it starts on, or nil at the end.
    func nextFields() throws -> ([FieldValue?], line: Int)? {
        while true {
            // The scan works on locals only: class properties in a hot loop pay for exclusivity checks.
            var fields: [(start: Int, end: Int, quoted: Bool, escaped: Bool)] = []
            swap(&fields, &self.fields)
            let (from, eof, delimiter, currentLine, special, file) = (self.start, self.eof, self.delimiter, self.line, self.special, self.file)
            let outcome = try buffer.withUnsafeBufferPointer { bytes throws in
                try CSVReader.scan(bytes, from: from, eof: eof, delimiter: delimiter, line: currentLine, special: special, file: file, fields: &fields)
            }
            swap(&fields, &self.fields)
            switch outcome {
            case .needMore:
                try fill()
            case .end:
                return nil
            case .blank(let end, let lines):
                start = end
                line += lines
            case .record(let end, let lines):
                let values = try materialize()
                let recordLine = line
                start = end
                line += lines
                return (values, recordLine)
            }
        }
    }

    private enum Scan {
        case record(end: Int, lines: Int)
        case blank(end: Int, lines: Int)
        case needMore
        case end
    }

    /// Finds the extent of one record starting at `start`, noting its fields. Asks for more
    /// input when the record may continue past the buffer.
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, delimiter: UInt8, line: Int,
                             special: UnsafeMutablePointer<Bool>, file: String,
                             fields: inout [(start: Int, end: Int, quoted: Bool, escaped: Bool)]) throws -> Scan {
        let count = bytes.count
        let quote = UInt8(ascii: "\"")
        var index = start
        var lines = 0
        fields.removeAll(keepingCapacity: true)
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
                    if index >= count {
                        if eof { throw ExtractError.unterminatedQuote(file: file, line: openedOn) }
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
                fields.append((fieldStart, index, true, escaped))
                index += 1
                if index >= count {
                    if !eof { return .needMore }
                    return .record(end: index, lines: lines + 1)
                }
                let byte = bytes[index]
                if byte == delimiter { index += 1; continue }
                if byte != 0x0A && byte != 0x0D { throw ExtractError.characterAfterQuote(file: file, line: line + lines) }
            } else {
                let fieldStart = index
                while index < count && !special[Int(bytes[index])] { index += 1 }
                if index >= count {
                    if !eof { return .needMore }
                    fields.append((fieldStart, index, false, false))
                    return .record(end: index, lines: lines + 1)
                }
                fields.append((fieldStart, index, false, false))
                if bytes[index] == delimiter {
                    index += 1
                    if index >= count && eof {
                        fields.append((index, index, false, false))
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

    /// Whether every field of the last materialised record was empty.
    private var allEmpty = false

    /// The current record's fields as values, each a validated UTF-8 string.
    private func materialize() throws -> [FieldValue?] {
        var values: [FieldValue?] = []
        let fields = self.fields
        values.reserveCapacity(fields.count)
        var empty = true
        let (line, file, bufferOffset) = (self.line, self.file, self.bufferOffset)
        try buffer.withUnsafeBufferPointer { bytes throws in
            let base = bytes.baseAddress!
            for field in fields {
                // Pointer arithmetic rather than range slicing: slices of buffer pointers go
                // through unspecialised generic code and cost a metadata lookup per field.
                let slice = UnsafeBufferPointer(start: base + field.start, count: field.end - field.start)
                if !slice.isEmpty { empty = false }
                var text: String?
                if field.escaped {
                    var unescaped: [UInt8] = []
                    unescaped.reserveCapacity(slice.count)
                    var index = 0
                    while index < slice.count {
                        unescaped.append(slice[index])
                        index += slice[index] == UInt8(ascii: "\"") ? 2 : 1
                    }
                    text = String(validating: unescaped, as: UTF8.self)
                } else if CSVReader.isASCII(slice) {
                    text = String(decoding: slice, as: UTF8.self)
                } else {
                    text = String(validating: slice, as: UTF8.self)
                }
                guard let text else {
                    let bad = CSVReader.firstInvalidUTF8(slice)
                    var fieldLine = line
                    for byte in bytes[fields[0].start..<field.start + bad] where byte == 0x0A { fieldLine += 1 }
                    throw ExtractError.invalidUTF8(file: file, line: fieldLine, offset: bufferOffset + field.start + bad)
                }
                values.append(.text(text))
            }
        }
        allEmpty = empty
        return values
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
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
