import Foundation

/// Parses locale-formatted numbers (`1.234,56`), refusing Excel's scientific-notation damage.
enum NumberParsing {
    static func parse(_ text: String, decimal: Character, group: Character?) throws -> JSONNumber {
        let trimmed = Transform.trimmed(text)
        if isExcelScientific(trimmed) {
            throw TransformFailure(rule: "looks like a number Excel turned into scientific notation", value: text)
        }
        var normalized = ""
        for character in trimmed {
            if let group, character == group { continue }
            if character == decimal {
                normalized.append(".")
                continue
            }
            if character == " " || character == "\u{00A0}" || character == "'" { continue }
            normalized.append(character)
        }
        guard isPlainDecimal(normalized), let value = Double(normalized), value.isFinite else {
            throw TransformFailure(rule: "not a number", value: text)
        }
        return JSONNumber(value)
    }

    /// `-?digits(.digits)?`, the only number form flexsync writes.
    static func isPlainDecimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let whole = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !whole.isEmpty else { return false }
        bytes = bytes.dropFirst(whole.count)
        if bytes.isEmpty { return true }
        guard bytes.first == UInt8(ascii: ".") else { return false }
        let fraction = bytes.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Excel's damage to long numbers: `4,93056E+11`, `1.4E+10`.
    static func isExcelScientific(_ text: String) -> Bool {
        // Most values have no `+`: no copy of their bytes.
        guard text.utf8.contains(UInt8(ascii: "+")) else { return false }
        let bytes = Array(text.utf8)
        guard let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }), e > 0,
            e + 2 < bytes.count, bytes[e + 1] == UInt8(ascii: "+")
        else { return false }
        let mantissa = bytes[..<e]
        let exponent = bytes[(e + 2)...]
        let digits: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        guard exponent.allSatisfy(digits), let firstDigit = mantissa.first, digits(firstDigit) else { return false }
        let separators = mantissa.filter { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".") }
        return separators.count <= 1
            && mantissa.allSatisfy { digits($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".") }
            && mantissa.last.map(digits) == true
    }

    /// Whether an id ends in a number Excel wrote in scientific notation, whole (`1.00235E+11`)
    /// or after a prefix a mapping put before it (`gorgias:1.00235E+11`, `CRM-4.5E+9`): the
    /// prefix does not bring the lost digits back.
    static func endsInExcelScientific(_ text: String) -> Bool {
        guard text.utf8.contains(UInt8(ascii: "+")) else { return false }
        if isExcelScientific(text) { return true }
        let bytes = Array(text.utf8)
        let isPart: (UInt8) -> Bool = { byte in
            (byte >= 0x30 && byte <= 0x39)
                || [
                    UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "+"),
                    UInt8(ascii: "E"), UInt8(ascii: "e")
                ].contains(byte)
        }
        guard let cut = bytes.lastIndex(where: { !isPart($0) }), cut + 1 < bytes.count else { return false }
        // After a separator only: `ABC1E+5`'s letters belong to the id.
        let before = bytes[cut]
        guard !((before | 0x20) >= 0x61 && (before | 0x20) <= 0x7A) else { return false }
        return isExcelScientific(String(decoding: bytes[(cut + 1)...], as: UTF8.self))
    }
}
