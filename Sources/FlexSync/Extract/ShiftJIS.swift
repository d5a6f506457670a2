import Foundation

/// Shift_JIS as Windows writes it (Windows-31J, code page 932): what Excel for Windows set up for
/// Japanese saves as "CSV (コンマ区切り)". A byte below 0x80 is ASCII; 0xA1–0xDF are half-width
/// katakana; a lead byte (0x81–0x9F, 0xE0–0xFC) and a trail byte (0x40–0x7E, 0x80–0xFC) make
/// one character. Trail bytes never fall on a delimiter, quote or line break, but the text is
/// read as UTF-8 like every other encoding's.
enum ShiftJIS {
    @inline(__always)
    static func isLead(_ byte: UInt8) -> Bool { (byte >= 0x81 && byte <= 0x9F) || (byte >= 0xE0 && byte <= 0xFC) }

    @inline(__always)
    static func isTrail(_ byte: UInt8) -> Bool { byte >= 0x40 && byte <= 0xFC && byte != 0x7F }

    /// The character of a single byte that is not a lead byte: ASCII, or half-width katakana
    /// (U+FF61–U+FF9F); nil for a byte Windows-31J leaves undefined.
    @inline(__always)
    static func single(_ byte: UInt8) -> UInt32? {
        if byte < 0x80 { return UInt32(byte) }
        if byte >= 0xA1 && byte <= 0xDF { return 0xFF61 + UInt32(byte - 0xA1) }
        return nil
    }

    /// The character of a lead and a trail byte; nil for a pair Windows-31J leaves undefined.
    @inline(__always)
    static func pair(_ lead: UInt8, _ trail: UInt8) -> UInt32? {
        let scalar = table[(Int(leadIndex(lead)) << 8) | Int(trail)]
        return scalar == 0 ? nil : UInt32(scalar)
    }

    /// Lead bytes numbered 0–59 in the table.
    @inline(__always)
    private static func leadIndex(_ lead: UInt8) -> UInt8 { lead <= 0x9F ? lead - 0x81 : lead - 0xE0 + 31 }

    /// Every pair's character (0 where undefined), 256 entries per lead byte, read once from
    /// Foundation's Shift_JIS decoder, which is Windows-31J's (the NEC and IBM extensions
    /// included: `①` 0x8740, `纊` 0xED40, `ⅰ` 0xFA40).
    private static let table: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 60 << 8)
        for leadNumber in 0..<60 {
            let lead = UInt8(leadNumber < 31 ? 0x81 + leadNumber : 0xE0 + leadNumber - 31)
            let trails = (0x40...0xFC).filter { $0 != 0x7F }.map(UInt8.init)
            // One decode per lead byte when its pairs are all defined; one per pair otherwise.
            let row = trails.flatMap { [lead, $0] }
            if let text = String(data: Data(row), encoding: .shiftJIS), text.unicodeScalars.count == trails.count {
                for (trail, scalar) in zip(trails, text.unicodeScalars) where scalar.value <= 0xFFFF {
                    table[(leadNumber << 8) | Int(trail)] = UInt16(scalar.value)
                }
                continue
            }
            for trail in trails {
                guard let text = String(data: Data([lead, trail]), encoding: .shiftJIS),
                    text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, scalar.value <= 0xFFFF
                else { continue }
                table[(leadNumber << 8) | Int(trail)] = UInt16(scalar.value)
            }
        }
        return table
    }()

    /// How many pairs of high bytes (a lead byte, then a trail byte of 0x80 or more) the bytes
    /// hold: Japanese text is made of them, while a single-byte encoding's accented letters sit
    /// alone between ASCII letters.
    static func highPairs(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var pairs = 0
        var index = 0
        while index + 1 < bytes.count {
            let byte = bytes[index]
            if isLead(byte) && isTrail(bytes[index + 1]) {
                if bytes[index + 1] >= 0x80 && pair(byte, bytes[index + 1]) != nil { pairs += 1 }
                index += 2
            } else {
                index += 1
            }
        }
        return pairs
    }
}
