import Foundation

/// The scanner's limits and outcomes, and turning scanned fields into text: unescaping and the
/// reader's own UTF-8 check.
extension CSVScanner {
    /// The longest field read: far beyond anything Insights takes (128 characters a value, 4,096
    /// a document) and beyond a CRM's long text areas (32,768), so that a quote never closed or
    /// a file that is not CSV is reported at once instead of being buffered whole.
    static let maxFieldBytes = 65_536

    enum Scan {
        case record(end: Int, lines: Int)
        case blank(end: Int, lines: Int)
        case needMore
        case end
    }

    /// A malformed record, before the file's name is put to it (the scan does not take the name:
    /// passing it counted a reference to a string every thread shares, once per record).
    enum ScanFault: Error {
        case unterminatedQuote(line: Int, column: Int)
        case characterAfterQuote(line: Int, column: Int)
        case fieldTooLong(line: Int, column: Int)
    }

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
    static func invalidUTF8(
        in field: FieldExtent, bytes: UnsafeBufferPointer<UInt8>, recordStart: Int, line: Int,
        byteOffset: Int, file: String
    ) -> ExtractError {
        let slice = UnsafeBufferPointer(start: bytes.baseAddress! + field.start, count: field.end - field.start)
        let bad = firstInvalidUTF8(slice)
        var fieldLine = line
        for byte in bytes[recordStart..<field.start + bad] where byte == 0x0A { fieldLine += 1 }
        // Where its letters sit tells Mac OS Roman and ISO-8859-15 from Windows-1252, which reads
        // every byte but for five it leaves undefined.
        // Guessed from all that is read so far (the header alone may hold no telling letter).
        let tells = TextEncoding.singleByteTells(bytes)
        let guess = tells.guess
        // Words in a script none of flexsync's code pages reads (Hebrew, Arabic): nothing to suggest.
        let readable =
            !tells.unreadScript
            && (guess != .windows1252 || !slice[bad...].contains { [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) })
        return ExtractError.invalidUTF8(
            file: file, line: fieldLine, offset: byteOffset + field.start + bad, suggested: readable ? guess : nil)
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
            case 0x00...0x7F:
                index += 1
                continue
            case 0xC2...0xDF:
                length = 2
                lowest = 0x80
            case 0xE0...0xEF:
                length = 3
                lowest = 0x800
            case 0xF0...0xF4:
                length = 4
                lowest = 0x10000
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

    /// Whether `fields` of `bytes` repeat the header's names byte for byte; the first may open
    /// with a byte order mark (a second export appended whole brings its own).
    static func repeats(
        _ headerBytes: [[UInt8]], _ fields: ArraySlice<FieldExtent>, in bytes: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard fields.count == headerBytes.count, let head = fields.first else { return false }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        // After a mark, a quoted first name is read as the mark and the name in its quotes.
        let headLength = head.end - head.start
        guard
            headLength == headerBytes[0].count || headLength == headerBytes[0].count + bom.count
                || headLength == headerBytes[0].count + bom.count + 2
        else { return false }
        var (start, end) = (head.start, head.end)
        if headLength > headerBytes[0].count {
            guard bytes[start..<start + bom.count].elementsEqual(bom) else { return false }
            start += bom.count
            if end - start == headerBytes[0].count + 2 {
                guard bytes[start] == UInt8(ascii: "\""), bytes[end - 1] == UInt8(ascii: "\"") else { return false }
                (start, end) = (start + 1, end - 1)
            }
        }
        guard bytes[start..<end].elementsEqual(headerBytes[0]) else { return false }
        return zip(fields.dropFirst(), headerBytes.dropFirst()).allSatisfy { field, name in
            field.end - field.start == name.count && bytes[field.start..<field.end].elementsEqual(name)
        }
    }

    /// The delimiter the line at `start` uses most, outside quotes (a comma when none).
    static func delimiter(in buffer: [UInt8], from start: Int) -> UInt8 {
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

    /// Whether a row names the header's columns again as labels: SAP SuccessFactors' user data
    /// files put field ids on the first line (`USERID`, `FIRSTNAME`) and labels on the second
    /// (`User ID`, `First Name`). Most of its values are the header's names once case, spaces and
    /// punctuation are set aside, and it is not the header itself (a repeat of that is named as such).
    static func isLabelsRow(_ values: [String], of names: [String]) -> Bool {
        guard values.count == names.count, values != names else { return false }
        func folded(_ text: String) -> String {
            String(
                String.UnicodeScalarView(
                    text.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
        }
        let same = zip(values, names).filter { !$0.0.isEmpty && folded($0.0) == folded($0.1) }.count
        return same >= 2 && same * 5 >= names.count * 3
    }

    /// Whether the blank line at `offset` is CR LF right after a record's CR (`\r\r\n`, a
    /// conversion that doubled the CR): no line of its own.
    static func isDoubledCR(_ buffer: [UInt8], at offset: Int) -> Bool {
        offset >= 2 && offset + 1 < buffer.count && buffer[offset] == 0x0D && buffer[offset + 1] == 0x0A
            && buffer[offset - 1] == 0x0D && buffer[offset - 2] != 0x0A
    }
}
