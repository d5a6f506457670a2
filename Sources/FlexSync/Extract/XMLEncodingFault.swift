internal import CLibXML2
import Foundation

/// Why libxml2 stopped reading a document, when a byte says: a byte the declared code page leaves
/// undefined (Windows-1250's 0x98, pasted from another encoding), or bytes that are not UTF-8 in
/// a document that declares UTF-8 or nothing. libxml2 itself calls both "malformed" at best.
enum XMLEncodingFault {
    /// Whether a code page flexsync reads leaves a byte undefined: its tables map the bytes
    /// 0x80–0x9F the code page does not define to the C1 control of the same number, as WHATWG
    /// does (Windows-1250's 0x98, Windows-1252's 0x81).
    static func leavesUndefined(_ encoding: TextEncoding, _ byte: UInt8) -> Bool {
        guard byte >= 0x80 && byte < 0xA0 else { return false }
        let high =
            encoding == .windows1252 ? UTF8Transcoder.windows1252High : UTF8Transcoder.upperHalf(of: encoding)
        return high.count > Int(byte - 0x80) && high[Int(byte - 0x80)] == UInt32(byte)
    }

    /// The encoding an XML declaration names (`<?xml version="1.0" encoding="Windows-1250"?>`),
    /// lower-cased; nil without one.
    static func declaredEncoding(_ start: ArraySlice<UInt8>) -> String? {
        let head = String(decoding: start.prefix(256), as: UTF8.self)
        guard head.hasPrefix("<?xml") || head.dropFirst().hasPrefix("<?xml"),
            let close = head.range(of: "?>"), let name = head[..<close.lowerBound].range(of: "encoding")
        else { return nil }
        // `encoding = "…"`: spaces may stand around the `=`.
        let equals = head[name.upperBound...].drop { $0 == " " || $0 == "\t" }
        guard equals.first == "=" else { return nil }
        let rest = equals.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote }).lowercased()
    }

    /// Where the first byte is that the document's declared encoding cannot read, and why: a
    /// byte a code page flexsync reads leaves undefined, or bytes that are not UTF-8 (by the CSV
    /// reader's own check) where UTF-8 is declared or nothing is; nil when there is none.
    static func reason(document: [UInt8]) -> (line: Int, offset: Int, message: String)? {
        // UTF-16 and UTF-32 documents are not read byte by byte.
        if document.prefix(4).contains(0) || document.starts(with: [0xFF, 0xFE]) || document.starts(with: [0xFE, 0xFF])
        {
            return nil
        }
        let declared = declaredEncoding(document.prefix(256))
        let found: Int
        let message: String
        if let declared, let encoding = TextEncoding(name: declared),
            encoding == .windows1252 || !UTF8Transcoder.upperHalf(of: encoding).isEmpty
        {
            guard let index = document.firstIndex(where: { leavesUndefined(encoding, $0) }) else { return nil }
            found = index
            message =
                "byte 0x\(String(document[index], radix: 16, uppercase: true)) is no character in \(declared), the "
                + "encoding the XML declaration names: a character pasted from another encoding? Correct it in the "
                + "export, or export the file as UTF-8"
        } else if declared == nil || declared == "utf-8" || declared == "utf8" {
            let index = document.withUnsafeBufferPointer(CSVScanner.firstInvalidUTF8)
            guard index < document.count else { return nil }
            found = index
            let said = declared == nil ? "no XML declaration names another encoding" : "the XML declaration names UTF-8"
            message =
                "bytes that are not UTF-8 (0x\(String(document[index], radix: 16, uppercase: true))), where \(said): "
                + "the file (or this value) is in another encoding, such as Windows-1252; correct the XML "
                + "declaration's encoding, or export the file as UTF-8"
        } else {
            return nil
        }
        let line = 1 + document[..<found].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let lineStart = document[..<found].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return (line, found, "column \(found - lineStart + 1): " + message)
    }

    /// How far past the start of the line libxml2 stopped on a byte it could not decode may lie:
    /// it decodes its input ahead of the parser, a buffer at a time.
    static let readAhead = 1 << 16

    /// The error for a document libxml2 stopped reading, at `line`: with the reason a byte the
    /// declared encoding cannot read gives, when libxml2's error is one of encoding or of a
    /// character (`code`, nil when it gave none) and the byte lies no further than libxml2 had
    /// read; else libxml2's own words, else "malformed XML". A document broken otherwise before
    /// such a byte is reported as libxml2 found it.
    static func error(
        file: String, document: [UInt8]?, line: Int, libxml2Message: String?, code: Int32?
    ) -> ExtractError {
        let line = max(line, 1)
        // libxml2 2.9 calls a failed conversion of its input an "encoder error" (XML_IO_ENCODER).
        let encodingCodes = [XML_ERR_INVALID_CHAR, XML_ERR_INVALID_ENCODING, XML_I18N_CONV_FAILED, XML_IO_ENCODER]
            .map { Int32($0.rawValue) }
        if code.map(encodingCodes.contains) ?? true, let document, let found = reason(document: document),
            found.offset < start(of: line, in: document) + readAhead
        {
            return .xml(file: file, line: found.line, message: found.message)
        }
        return .xml(file: file, line: line, message: libxml2Message ?? "malformed XML")
    }

    /// Where line `line` (1-based) of a document starts; the document's end past its last line.
    static func start(of line: Int, in document: [UInt8]) -> Int {
        guard line > 1 else { return 0 }
        var current = 1
        for index in document.indices where document[index] == 0x0A {
            current += 1
            if current == line { return index + 1 }
        }
        return document.count
    }

    /// A file's bytes, for the reason of a failure (read only then); nil when it cannot be read.
    static func contents(of path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map(Array.init)
    }

    /// libxml2's last error on this thread, its message and code, when it has one.
    static func lastLibxml2Error() -> (message: String?, code: Int32?) {
        guard let error = xmlGetLastError() else { return (nil, nil) }
        var text = error.pointee.message.map { String(cString: $0) } ?? ""
        while text.last == "\n" || text.last == " " { text.removeLast() }
        return (text.isEmpty ? nil : text, Int32(error.pointee.code))
    }
}
