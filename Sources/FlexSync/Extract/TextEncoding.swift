import Foundation

/// Encodings an export may come in. UTF-8 and UTF-16 are recognised by their byte-order mark;
/// the single-byte ones must be declared, since their bytes cannot be told apart from UTF-8's.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"

    /// Parses a job's encoding name, accepting the usual spellings.
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "utf-16", "utf16": self = .utf16
        case "utf-16le", "utf16le": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        case "windows-1252", "cp1252", "win-1252", "ansi": self = .windows1252
        case "iso-8859-1", "latin1", "latin-1", "iso8859-1": self = .latin1
        default: return nil
        }
    }
}

/// Converts bytes of a single-byte or UTF-16 encoding to UTF-8, chunk by chunk.
struct UTF8Transcoder {
    let encoding: TextEncoding
    /// A UTF-16 code unit or surrogate half carried over between chunks.
    private var pendingByte: UInt8?
    private var pendingHighSurrogate: UInt16?
    private(set) var consumed = 0

    init(encoding: TextEncoding) { self.encoding = encoding }

    /// Windows-1252's 0x80–0x9F; the five undefined bytes map to the C1 controls, as WHATWG does.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,
        0x017E, 0x0178
    ]

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80: out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Appends the UTF-8 form of `input` to `out`; returns the byte offset of invalid UTF-16, if any.
    mutating func transcode(_ input: UnsafeRawBufferPointer, into out: inout [UInt8], final: Bool) -> Int? {
        defer { consumed += input.count }
        switch encoding {
        case .utf8:
            out.append(contentsOf: input)
        case .latin1:
            for byte in input { UTF8Transcoder.appendUTF8(UInt32(byte), to: &out) }
        case .windows1252:
            for byte in input {
                UTF8Transcoder.appendUTF8(
                    byte >= 0x80 && byte < 0xA0 ? UTF8Transcoder.windows1252High[Int(byte - 0x80)] : UInt32(byte),
                    to: &out)
            }
        case .utf16, .utf16LE, .utf16BE:
            let bigEndian = encoding == .utf16BE
            var index = 0
            while index < input.count {
                let byte = input[index]
                guard let first = pendingByte else {
                    pendingByte = byte
                    index += 1
                    continue
                }
                pendingByte = nil
                index += 1
                let unit = bigEndian ? UInt16(first) << 8 | UInt16(byte) : UInt16(byte) << 8 | UInt16(first)
                if let high = pendingHighSurrogate {
                    pendingHighSurrogate = nil
                    guard unit >= 0xDC00 && unit < 0xE000 else { return consumed + index - 2 }
                    UTF8Transcoder.appendUTF8(
                        0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00), to: &out)
                } else if unit >= 0xD800 && unit < 0xDC00 {
                    pendingHighSurrogate = unit
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    return consumed + index - 2
                } else {
                    UTF8Transcoder.appendUTF8(UInt32(unit), to: &out)
                }
            }
            if final && (pendingByte != nil || pendingHighSurrogate != nil) { return consumed + input.count - 1 }
        }
        return nil
    }
}
