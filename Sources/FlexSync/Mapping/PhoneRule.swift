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

    func e164(_ raw: String, record: Record) throws -> String {
        var text = raw.trimmingCharacters(in: " '\t\u{00A0}")
        if NumberParsing.isExcelScientific(text) {
            throw TransformFailure(rule: "phone number damaged by Excel (scientific notation)", value: raw)
        }
        // Extensions are not part of an E.164 number. Only numbers holding letters or '#' can have one.
        if text.utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x7A) || $0 == 0x23 }),
           let range = text.range(of: #"\s*(ext\.?|extension|x|#)\s*\d+\s*$"#, options: [.regularExpression, .caseInsensitive]) {
            text.removeSubrange(range)
        }
        var bytes = Array(text.utf8)
        // "(0)" after a country code is the national trunk prefix, written for people.
        if let open = (0..<max(0, bytes.count - 2)).first(where: { bytes[$0] == 0x28 && bytes[$0 + 1] == 0x30 && bytes[$0 + 2] == 0x29 }) {
            bytes.removeSubrange(open..<open + 3)
        }
        var international = false
        if bytes.first == UInt8(ascii: "+") { international = true; bytes.removeFirst() }
        var digitBytes: [UInt8] = []
        digitBytes.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 0x30...0x39: digitBytes.append(byte)
            case 0x20, 0x2D, 0x2E, 0x2F, 0x28, 0x29: continue   // space - . / ( )
            default: throw TransformFailure(rule: "not a phone number", value: raw)
            }
        }
        var digits = String(decoding: digitBytes, as: UTF8.self)
        if !international && digits.hasPrefix("00") { international = true; digits.removeFirst(2) }
        if international {
            guard (8...15).contains(digits.count) else { throw TransformFailure(rule: "not a valid international phone number", value: raw) }
            return "+" + digits
        }
        guard let country = countryCode(record: record), let rule = PhoneRule.countries[country] else {
            throw TransformFailure(rule: "national phone number without a known country", value: raw)
        }
        if rule.code == "1" {
            if digits.count == 11 && digits.hasPrefix("1") { digits.removeFirst() }
            guard digits.count == 10 else { throw TransformFailure(rule: "not a valid \(country) phone number", value: raw) }
            return "+1" + digits
        }
        if rule.dropsTrunkZero && digits.hasPrefix("0") { digits.removeFirst() }
        let full = rule.code + digits
        guard digits.count >= 6, (8...15).contains(full.count) else {
            throw TransformFailure(rule: "not a valid \(country) phone number", value: raw)
        }
        return "+" + full
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
