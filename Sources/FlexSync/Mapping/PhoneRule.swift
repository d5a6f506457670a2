/// Phone numbers to E.164 with a default country, or the country named in a record's column.
/// Handles what HR and CRM exports hold: national formats, `00` and `+` prefixes, a `(0)` after
/// the country code, extensions (`x4412`, `ext. 21`, dropped), and Excel's scientific damage.
struct PhoneRule: Sendable {
    var defaultCountry: String?
    var countryField: String?

    /// Calling codes and whether the national trunk prefix `0` is dropped after the country code.
    static let countries: [String: (code: String, dropsTrunkZero: Bool)] = [
        "US": ("1", false), "CA": ("1", false), "GB": ("44", true), "UK": ("44", true), "IE": ("353", true), "DE": ("49", true),
        "AT": ("43", true), "CH": ("41", true), "FR": ("33", true), "BE": ("32", true), "NL": ("31", true), "LU": ("352", false),
        "ES": ("34", false), "PT": ("351", false), "IT": ("39", false), "SE": ("46", true), "NO": ("47", false), "DK": ("45", false),
        "FI": ("358", true), "PL": ("48", false), "CZ": ("420", false), "AU": ("61", true), "NZ": ("64", true), "BR": ("55", true),
        "MX": ("52", false), "IN": ("91", true), "ZA": ("27", true), "JP": ("81", true), "SG": ("65", false), "NA": ("264", true),
        "AR": ("54", true), "CO": ("57", false), "CL": ("56", false), "IL": ("972", true), "AE": ("971", true), "TR": ("90", true),
    ]

    static let countryNames: [String: String] = [
        "united states": "US", "usa": "US", "canada": "CA", "united kingdom": "GB", "ireland": "IE", "germany": "DE",
        "deutschland": "DE", "austria": "AT", "switzerland": "CH", "france": "FR", "belgium": "BE", "netherlands": "NL",
        "spain": "ES", "portugal": "PT", "italy": "IT", "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI",
        "poland": "PL", "australia": "AU", "new zealand": "NZ", "brazil": "BR", "mexico": "MX", "india": "IN",
        "south africa": "ZA", "japan": "JP", "singapore": "SG", "namibia": "NA",
    ]

    init(defaultCountry: String?, countryField: String?) {
        self.defaultCountry = defaultCountry
        self.countryField = countryField
        defaultRule = defaultCountry.flatMap { PhoneRule.countries[$0] }
    }

    /// The default country's rule, looked up once.
    private let defaultRule: (code: String, dropsTrunkZero: Bool)?

    func e164(_ raw: String, record: Record) throws -> String {
        var text = raw
        // Numbers of digits, spaces and `+-./()` — nearly all — have nothing to trim but spaces,
        // no extension and no Excel damage; the rest is cleaned up first.
        if !raw.utf8.allSatisfy(PhoneRule.isPlain) {
            text = raw.trimmingCharacters(in: " '\t\u{00A0}")
            if NumberParsing.isExcelScientific(text) {
                throw TransformFailure(rule: "phone number damaged by Excel (scientific notation)", value: raw)
            }
            // Extensions are not part of an E.164 number. Only numbers holding letters or '#' can have one.
            if text.utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x7A) || $0 == 0x23 }),
               let range = text.range(of: #"\s*(ext\.?|extension|x|#)\s*\d+\s*$"#, options: [.regularExpression, .caseInsensitive]) {
                text.removeSubrange(range)
            }
        }
        return try text.withUTF8 { try number(from: $0, raw: raw, record: record) }
    }

    /// The bytes that a plain phone number is written with.
    static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x20, 0x2B, 0x2D, 0x2E, 0x2F, 0x28, 0x29: true
        default: false
        }
    }

    /// E.164 from a number's bytes: spaces around it are ignored, a `(0)` after the country code
    /// dropped, and separators skipped; anything else is not a phone number. `raw` is for messages.
    func number(from bytes: UnsafeBufferPointer<UInt8>, raw: String, record: Record) throws -> String {
        var low = 0, high = bytes.count
        while low < high && bytes[low] == 0x20 { low += 1 }
        while high > low && bytes[high - 1] == 0x20 { high -= 1 }
        // "(0)" after a country code is the national trunk prefix, written for people.
        var trunk = high
        var index = low
        while index + 2 < high {
            if bytes[index] == 0x28 && bytes[index + 1] == 0x30 && bytes[index + 2] == 0x29 { trunk = index; break }
            index += 1
        }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: high - low + 4) { digits in
            var count = 0
            var international = false
            var first = true
            index = low
            while index < high {
                if index == trunk { index += 3; continue }
                let byte = bytes[index]
                index += 1
                if first {
                    first = false
                    if byte == UInt8(ascii: "+") { international = true; continue }
                }
                switch byte {
                case 0x30...0x39: digits[count] = byte; count += 1
                case 0x20, 0x2D, 0x2E, 0x2F, 0x28, 0x29: continue   // space - . / ( )
                default: throw TransformFailure(rule: "not a phone number", value: raw)
                }
            }
            var start = 0
            if !international && count >= 2 && digits[0] == 0x30 && digits[1] == 0x30 { international = true; start = 2 }
            if international {
                guard (8...15).contains(count - start) else { throw TransformFailure(rule: "not a valid international phone number", value: raw) }
                return PhoneRule.e164(code: "", digits: UnsafeBufferPointer(rebasing: digits[start..<count]))
            }
            let country = countryField == nil ? defaultCountry : countryCode(record: record)
            guard let country, let rule = countryField == nil ? defaultRule : PhoneRule.countries[country] else {
                throw TransformFailure(rule: "national phone number without a known country", value: raw)
            }
            if rule.code == "1" {
                if count == 11 && digits[0] == 0x31 { start = 1 }
                guard count - start == 10 else { throw TransformFailure(rule: "not a valid \(country) phone number", value: raw) }
                return PhoneRule.e164(code: "1", digits: UnsafeBufferPointer(rebasing: digits[start..<count]))
            }
            if rule.dropsTrunkZero && count > 0 && digits[0] == 0x30 { start = 1 }
            let national = count - start
            guard national >= 6, (8...15).contains(rule.code.utf8.count + national) else {
                throw TransformFailure(rule: "not a valid \(country) phone number", value: raw)
            }
            return PhoneRule.e164(code: rule.code, digits: UnsafeBufferPointer(rebasing: digits[start..<count]))
        }
    }

    /// `+`, the calling code, the digits.
    private static func e164(code: String, digits: UnsafeBufferPointer<UInt8>) -> String {
        let code = Array(code.utf8)
        return String(unsafeUninitializedCapacity: 1 + code.count + digits.count) { out in
            out[0] = UInt8(ascii: "+")
            for (offset, byte) in code.enumerated() { out[1 + offset] = byte }
            for (offset, byte) in digits.enumerated() { out[1 + code.count + offset] = byte }
            return 1 + code.count + digits.count
        }
    }

    private func countryCode(record: Record) -> String? {
        if let countryField, let value = record[countryField]?.firstText?.trimmingCharacters(in: " "), !value.isEmpty {
            let upper = value.uppercased()
            if PhoneRule.countries[upper] != nil { return upper }
            if let named = PhoneRule.countryNames[value.lowercased()] { return named }
        }
        return defaultCountry   // upper case since the mapping was compiled
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        // Most values have nothing to trim: say so without building a Substring.
        if let first = first, let last = last, !set.contains(first), !set.contains(last) { return self }
        return Substring(self).trimmingCharacters(in: set)
    }
}
