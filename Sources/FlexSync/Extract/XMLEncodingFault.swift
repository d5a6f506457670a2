internal import CLibXML2
import Foundation

/// Why libxml2 stopped reading a document, when a byte says: a byte the declared code page leaves
/// undefined (Windows-1250's 0x98, pasted from another encoding), or bytes that are not UTF-8 in
/// a document that declares UTF-8 or nothing. libxml2 itself calls both "malformed" at best.
enum XMLEncodingFault {
    /// The bytes each single-byte Windows code page leaves undefined.
    static let undefinedBytes: [String: Set<UInt8>] = [
        "windows-1250": [0x81, 0x83, 0x88, 0x90, 0x98],
        "windows-1251": [0x98],
        "windows-1252": [0x81, 0x8D, 0x8F, 0x90, 0x9D],
        "windows-1253": [
            0x81, 0x88, 0x8A, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x98, 0x9A, 0x9C, 0x9D, 0x9E, 0x9F, 0xAA, 0xD2, 0xFF
        ],
        "windows-1254": [0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E],
        "windows-1257": [0x81, 0x83, 0x88, 0x8A, 0x8C, 0x90, 0x98, 0x9A, 0x9C, 0x9F, 0xA1, 0xA5]
    ]

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
    /// byte the declared code page leaves undefined, or bytes that are not UTF-8 where UTF-8 is
    /// declared or nothing is; nil when there is none (the document is malformed otherwise).
    static func reason(document: [UInt8]) -> (line: Int, offset: Int, message: String)? {
        // UTF-16 and UTF-32 documents are not read byte by byte.
        if document.prefix(4).contains(0) || document.starts(with: [0xFF, 0xFE]) || document.starts(with: [0xFE, 0xFF])
        {
            return nil
        }
        let declared = declaredEncoding(document.prefix(256))
        let found: Int
        let message: String
        if let declared, let undefined = undefinedBytes[declared] {
            guard let index = document.firstIndex(where: undefined.contains) else { return nil }
            found = index
            message =
                "byte 0x\(String(document[index], radix: 16, uppercase: true)) is no character in \(declared), the "
                + "encoding the XML declaration names: a character pasted from another encoding? Correct it in the "
                + "export, or export the file as UTF-8"
        } else if declared == nil || declared == "utf-8" || declared == "utf8" {
            guard let index = firstInvalidUTF8(document) else { return nil }
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

    /// Where bytes stop being valid UTF-8; nil when they are.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let length: Int
            switch bytes[index] {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.count,
                bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
            else { return index }
            // Overlong forms, UTF-16 surrogates (CESU-8) and code points past U+10FFFF.
            let second = length > 1 ? bytes[index + 1] : 0
            switch bytes[index] {
            case 0xE0 where second < 0xA0, 0xED where second > 0x9F, 0xF0 where second < 0x90,
                0xF4 where second > 0x8F:
                return index
            default: break
            }
            index += length
        }
        return nil
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
