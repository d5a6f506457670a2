import Foundation

/// Encodings an export may come in. UTF-8 and UTF-16 are recognised by their byte-order mark;
/// the others must be declared, since their bytes cannot be told apart from UTF-8's.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16 = "utf-16"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"
    /// Latin-9: Latin-1 with `€ Š š Ž ž Œ œ Ÿ` in eight of its places (LibreOffice's "Western
    /// Europe (ISO-8859-15)").
    case latin9 = "iso-8859-15"
    /// Excel for Mac's plain "Comma Separated Values" (Mac OS Roman, `0xDB` as the euro sign).
    case macRoman = "mac-roman"
    /// Central European: Excel's plain "CSV" on Windows set up for Polish, Czech, Slovak,
    /// Hungarian, Slovenian or Croatian (`ł` is 0xB3, Windows-1252's `³`).
    case windows1250 = "windows-1250"
    /// Cyrillic: Excel's plain "CSV" on Windows set up for Russian, Ukrainian, Bulgarian or
    /// Serbian, and 1C's exports (`Иванов` is `C8 E2 E0 ED EE E2`).
    case windows1251 = "windows-1251"
    /// Greek: Excel's plain "CSV" on Windows set up for Greek (`Καλημέρα`: `ά έ ή ί` at 0xDC–0xDF).
    case windows1253 = "windows-1253"
    /// Turkish: Excel's plain "CSV" on Windows set up for Turkish (`ş` is 0xFE, Windows-1252's `þ`).
    case windows1254 = "windows-1254"
    /// Japanese: Excel's "CSV" on Windows set up for Japanese (Windows-31J, code page 932,
    /// which most tools call Shift_JIS).
    case shiftJIS = "shift_jis"

    /// Parses a job's encoding name, accepting the usual spellings.
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "utf-16", "utf16": self = .utf16
        case "utf-16le", "utf16le": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        case "windows-1252", "cp1252", "win-1252", "ansi": self = .windows1252
        case "iso-8859-1", "latin1", "latin-1", "iso8859-1": self = .latin1
        case "iso-8859-15", "latin9", "latin-9", "iso8859-15": self = .latin9
        case "mac-roman", "macroman", "macintosh", "x-mac-roman", "mac": self = .macRoman
        case "windows-1250", "cp1250", "win-1250": self = .windows1250
        case "windows-1251", "cp1251", "win-1251": self = .windows1251
        case "windows-1253", "cp1253", "win-1253": self = .windows1253
        // ISO-8859-9 (Latin-5) is Windows-1254 but for the C1 range, where WHATWG reads it so too.
        case "windows-1254", "cp1254", "win-1254", "iso-8859-9", "latin5", "latin-5", "iso8859-9":
            self = .windows1254
        case "shift-jis", "shiftjis", "sjis", "cp932", "windows-31j", "ms932", "ms-kanji", "x-sjis", "csshiftjis":
            self = .shiftJIS
        default: return nil
        }
    }
}

/// Converts bytes of a single-byte, Shift_JIS or UTF-16 encoding to UTF-8, chunk by chunk.
struct UTF8Transcoder {
    let encoding: TextEncoding
    /// A UTF-16 code unit's first byte, or a Shift_JIS lead byte, carried over between chunks.
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

    /// ISO-8859-15's character for a byte: Latin-1's but for eight.
    static func latin9(_ byte: UInt8) -> UInt32 {
        switch byte {
        case 0xA4: 0x20AC
        case 0xA6: 0x0160
        case 0xA8: 0x0161
        case 0xB4: 0x017D
        case 0xB8: 0x017E
        case 0xBC: 0x0152
        case 0xBD: 0x0153
        case 0xBE: 0x0178
        default: UInt32(byte)
        }
    }

    /// Mac OS Roman's 0x80–0xFF.
    static let macRomanHigh: [UInt32] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3,
        0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
        0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3,
        0x00A7, 0x2022, 0x00B6, 0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
        0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
        0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
        0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D,
        0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
        0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE,
        0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
        0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7
    ]

    /// Windows-1250's 0x80–0xFF; the five undefined bytes map to the C1 controls, as WHATWG does.
    static let windows1250High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0083, 0x201E, 0x2026, 0x2020, 0x2021, 0x0088, 0x2030, 0x0160, 0x2039,
        0x015A, 0x0164, 0x017D, 0x0179, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x0098, 0x2122, 0x0161, 0x203A, 0x015B, 0x0165, 0x017E, 0x017A, 0x00A0, 0x02C7, 0x02D8, 0x0141,
        0x00A4, 0x0104, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x015E, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x017B,
        0x00B0, 0x00B1, 0x02DB, 0x0142, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x0105, 0x015F, 0x00BB,
        0x013D, 0x02DD, 0x013E, 0x017C, 0x0154, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x0139, 0x0106, 0x00C7,
        0x010C, 0x00C9, 0x0118, 0x00CB, 0x011A, 0x00CD, 0x00CE, 0x010E, 0x0110, 0x0143, 0x0147, 0x00D3,
        0x00D4, 0x0150, 0x00D6, 0x00D7, 0x0158, 0x016E, 0x00DA, 0x0170, 0x00DC, 0x00DD, 0x0162, 0x00DF,
        0x0155, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x013A, 0x0107, 0x00E7, 0x010D, 0x00E9, 0x0119, 0x00EB,
        0x011B, 0x00ED, 0x00EE, 0x010F, 0x0111, 0x0144, 0x0148, 0x00F3, 0x00F4, 0x0151, 0x00F6, 0x00F7,
        0x0159, 0x016F, 0x00FA, 0x0171, 0x00FC, 0x00FD, 0x0163, 0x02D9
    ]

    /// The characters of bytes 0x80–0xFF for an encoding read by a table (none for the others).
    static func upperHalf(of encoding: TextEncoding) -> [UInt32] {
        switch encoding {
        case .macRoman: macRomanHigh
        case .windows1250: windows1250High
        case .windows1251: windows1251High
        case .windows1253: windows1253High
        case .windows1254: windows1254High
        default: []
        }
    }

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
        case .latin9:
            for byte in input { UTF8Transcoder.appendUTF8(UTF8Transcoder.latin9(byte), to: &out) }
        case .macRoman, .windows1250, .windows1251, .windows1253, .windows1254:
            // A table of the upper half: Mac OS Roman's and the Windows code pages'.
            let high = UTF8Transcoder.upperHalf(of: encoding)
            for byte in input {
                UTF8Transcoder.appendUTF8(byte >= 0x80 ? high[Int(byte - 0x80)] : UInt32(byte), to: &out)
            }
        case .shiftJIS:
            // A byte or pair Windows-31J leaves undefined (UTF-8 pasted into the file, a stray
            // byte) becomes U+FFFD, which the value's lossy-text check reports at its line and
            // field, as Excel shows a box there; a byte after a lone lead byte is read afresh,
            // so that a delimiter or line break is never swallowed.
            for byte in input {
                if let lead = pendingByte {
                    pendingByte = nil
                    if ShiftJIS.isTrail(byte) {
                        UTF8Transcoder.appendUTF8(ShiftJIS.pair(lead, byte) ?? 0xFFFD, to: &out)
                        continue
                    }
                    UTF8Transcoder.appendUTF8(0xFFFD, to: &out)
                }
                if ShiftJIS.isLead(byte) {
                    pendingByte = byte
                } else {
                    UTF8Transcoder.appendUTF8(ShiftJIS.single(byte) ?? 0xFFFD, to: &out)
                }
            }
            if final && pendingByte != nil {
                pendingByte = nil
                UTF8Transcoder.appendUTF8(0xFFFD, to: &out)
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

extension TextEncoding {
    /// Every name a job may give, for messages: `utf-8, utf-16, … or mac-roman`.
    static var expectedNames: String {
        allCases.dropLast().map(\.rawValue).joined(separator: ", ") + " or " + allCases.last!.rawValue
    }

    /// For a single-byte encoding ``singleByteGuess(_:)`` can name: what the bytes read as, and
    /// what made it the guess, for the message that suggests it.
    var whyGuessed: (reading: String, why: String)? {
        switch self {
        case .windows1252: ("Windows-1252", "as Excel's plain 'CSV' writes")
        case .macRoman: ("Mac OS Roman", "as Excel for Mac's plain 'CSV' writes")
        case .latin9: ("ISO-8859-15", "with œ, Š or Ž where Windows-1252 has symbols")
        case .windows1250:
            (
                "Windows-1250",
                "with ł, ą or ż where Windows-1252 has symbols, or Czech ř, č, ě where it has ø, è, ì, as Excel "
                    + "writes in Central Europe"
            )
        case .windows1251: ("Windows-1251", "Cyrillic words, as Excel and 1C write in Russia, Ukraine or Bulgaria")
        case .windows1253: ("Windows-1253", "Greek words with their accents, as Excel writes in Greece")
        case .windows1254:
            ("Windows-1254", "with ı, ş or ğ where Windows-1252 has ý, þ or ð, as Excel writes in Turkey")
        case .shiftJIS: ("Shift_JIS", "Japanese in pairs of bytes, as Excel writes in Japan")
        default: nil
        }
    }
}
