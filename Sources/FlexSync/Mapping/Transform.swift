import Foundation

/// One step of a mapping pipeline, compiled once (regexes, tables, formats) and run per record.
enum Transform: Sendable {
    case trim
    case collapseWhitespace
    case lower
    case upper
    case title
    case defaultValue(String)
    case valueMap([String: String], otherwise: String?)
    case lookup(table: [String: String], name: String, otherwise: String?)
    case replace(NSRegularExpression, with: String)
    case extract(NSRegularExpression)
    case require(NSRegularExpression, pattern: String)
    case split(String)
    case join(String)
    case hierarchy(separator: String)
    case date([DateFormat])
    case year
    case number(decimal: Character, group: Character?)
    case phone(PhoneRule)
    /// The extension of a phone number the rule reads (for its `keep_extension_in` attribute).
    case phoneExtension(PhoneRule)
    case email
    case truncate(Int)
    case prefix(String)

    /// The separator Flex Insights uses between hierarchy levels: space, U+25B8, space.
    static let hierarchySeparator = " \u{25B8} "

    /// True for transforms that take microseconds rather than nanoseconds (libphonenumber's parse).
    var isCostly: Bool {
        switch self {
        case .phone, .phoneExtension: true
        default: false
        }
    }

    /// False for transforms that read other columns of the record (a phone number's country).
    var dependsOnValueAlone: Bool {
        switch self {
        case .phone(let rule), .phoneExtension(let rule): return rule.countryField == nil
        default: return true
        }
    }

    func apply(_ value: MappedValue, record: Record) throws -> MappedValue {
        if case .defaultValue(let fallback) = self { return value.isNull ? .text(fallback) : value }
        if case .join(let separator) = self {
            if case .list(let items) = value {
                return items.isEmpty ? .null : .text(items.joined(separator: separator))
            }
            return value
        }
        if case .list(let items) = value {
            // Text transforms apply to every item of a list.
            let mapped = try items.compactMap { try apply(.text($0), record: record).text }
            return mapped.isEmpty ? .null : .list(mapped)
        }
        guard let text = value.text else { return .null }
        switch self {
        case .trim:
            let trimmed = Transform.trimmed(text)
            return trimmed.isEmpty ? .null : .text(trimmed)
        case .collapseWhitespace:
            let collapsed = Transform.collapsed(text)
            return collapsed.isEmpty ? .null : .text(collapsed)
        case .lower: return .text(Transform.lowercased(text))
        case .upper: return .text(text.uppercased())
        case .title:
            return .text(
                text.split(separator: " ", omittingEmptySubsequences: false).map { word in
                    word.prefix(1).uppercased() + word.dropFirst().lowercased()
                }.joined(separator: " "))
        case .valueMap(let table, let otherwise):
            if let mapped = table[text] { return .text(mapped) }
            if let otherwise { return .text(otherwise) }
            throw TransformFailure(rule: "value is not in the map", value: text)
        case .lookup(let table, let name, let otherwise):
            if let found = table[text] { return .text(found) }
            if let otherwise { return .text(otherwise) }
            throw TransformFailure(rule: "no row in lookup table '\(name)'", value: text)
        case .replace(let regex, let template):
            let range = NSRange(text.startIndex..., in: text)
            return .text(regex.stringByReplacingMatches(in: text, range: range, withTemplate: template))
        case .extract(let regex):
            let range = NSRange(text.startIndex..., in: text)
            guard let match = regex.firstMatch(in: text, range: range) else { return .null }
            let group = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            guard let swiftRange = Range(group, in: text) else { return .null }
            return .text(String(text[swiftRange]))
        case .require(let regex, let pattern):
            let range = NSRange(text.startIndex..., in: text)
            guard regex.firstMatch(in: text, range: range) != nil else {
                throw TransformFailure(rule: "does not match /\(pattern)/", value: text)
            }
            return .text(text)
        case .split(let separator):
            let parts = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return parts.isEmpty ? .null : .list(parts)
        case .hierarchy(let separator):
            let parts = text.components(separatedBy: separator).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            return parts.isEmpty ? .null : .text(parts.joined(separator: Transform.hierarchySeparator))
        case .date(let formats):
            if DateRules.isNullDate(text) { return .null }
            let date = try DateFormat.parse(text, formats: formats)
            try DateRules.check(date: date, raw: text)
            return .date(date)
        case .year:
            if case .date(let date) = value { return .text(String(date.prefix(4))) }
            if text.count == 4, Int(text) != nil {
                try DateRules.check(year: text)
                return .text(text)
            }
            if DateRules.isNullDate(text) { return .null }
            let date = try DateFormat.parse(text, formats: [.iso])
            try DateRules.check(date: date, raw: text)
            return .text(String(date.prefix(4)))
        case .number(let decimal, let group):
            return .number(try NumberParsing.parse(text, decimal: decimal, group: group))
        case .phone(let rule):
            return .text(try rule.formatted(text, record: record))
        case .phoneExtension(let rule):
            return rule.extensionDigits(text, record: record).map(MappedValue.text) ?? .null
        case .email:
            var address = Transform.lowercased(Transform.trimmed(text))
            guard address.withUTF8(Transform.isEmailAddress) else {
                throw TransformFailure(rule: "not an e-mail address", value: text)
            }
            if let refusal = EmailRules.refusal(address) { throw TransformFailure(rule: refusal, value: text) }
            return .text(address)
        case .truncate(let limit):
            return .text(Transform.truncate(text, toUTF16: limit))
        case .prefix(let prefix):
            return .text(prefix + text)
        case .defaultValue, .join:
            return value
        }
    }

    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// What Foundation's `.whitespacesAndNewlines` holds: the Unicode space, line and paragraph
    /// separators (Z*), U+0009–U+000D and U+0085 — listed, rather than looked up in tables.
    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// How many bytes of white space start at `index` for collapsing: 1 for ASCII white space,
    /// 2 for a no-break space (U+00A0), 0 otherwise. No other byte of UTF-8 can look like these.
    @inline(__always)
    static func whiteSpaceWidth(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        if isASCIISpace(byte) { return 1 }
        return byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] == 0xA0 ? 2 : 0
    }

    /// One `@` with something before it, and a domain with an inner dot; no white space.
    static func isEmailAddress(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // One pass: one '@', no white space; before it none of the characters an unquoted address
        // cannot hold (`a,b@x.org`) and only single dots inside (`ola..hansen@x.org`); after it letters, digits, hyphens, non-ASCII (international
        // names) and single dots, at least one (`lukas@example,org` and `a@b..org` are refused).
        var at: Int?
        var dot = false
        var previousDot = false
        for index in 0..<bytes.count {
            let byte = bytes[index]
            // a–z, the common case on both sides of the '@'.
            if byte >= 0x61 && byte <= 0x7A {
                previousDot = false
                continue
            }
            if byte == UInt8(ascii: "@") {
                // One '@', and no dot just before it (`ola.@example.com`).
                if at != nil || previousDot { return false }
                at = index
                previousDot = false
                continue
            }
            if isASCIISpace(byte) { return false }
            if at == nil {
                switch byte {
                // ( ) , : ; < > [ \ ] "
                case 0x28, 0x29, 0x2C, 0x3A, 0x3B, 0x3C, 0x3E, 0x5B, 0x5C, 0x5D, 0x22: return false
                case 0x2E:
                    // A dot neither starts the name nor follows another (`ola..hansen@`, `.ola@`).
                    if index == 0 || previousDot { return false }
                    previousDot = true
                    continue
                default:
                    previousDot = false
                    continue
                }
            }
            let isDot = byte == 0x2E
            if isDot {
                if previousDot { return false }
                dot = true
            } else if byte < 0x80 && byte != 0x2D && !(byte >= 0x30 && byte <= 0x39)
                && !(byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            {
                return false
            }
            previousDot = isDot
        }
        guard let at, at > 0, at + 1 < bytes.count else { return false }
        guard bytes[at + 1] != 0x2E, bytes[bytes.count - 1] != 0x2E else { return false }
        return dot
    }

    /// Lower case on bytes for ASCII, Latin-1 (`É` → `é`) and Latin Extended-A (`Ł` → `ł`), whose
    /// letters keep their UTF-8 length; unchanged text as it is; anything else through Unicode.
    static func lowercased(_ text: String) -> String {
        enum Scan { case unchanged, unicode, bytes }
        var source = text
        // One pass over the contiguous bytes (e-mail addresses, twice a row: the transform and
        // the match form), not through the generic UTF-8 view.
        let scan = source.withUTF8 { bytes -> Scan in
            var hasUpper = false
            var lead: UInt8 = 0
            for byte in bytes {
                if lead != 0 {
                    guard let lower = lowered(lead, byte) else { return .unicode }
                    if lower != byte { hasUpper = true }
                    lead = 0
                } else if byte >= 0x80 {
                    guard byte == 0xC3 || byte == 0xC4 || byte == 0xC5 else { return .unicode }
                    lead = byte
                } else if byte >= 0x41 && byte <= 0x5A {
                    hasUpper = true
                }
            }
            return hasUpper ? .bytes : .unchanged
        }
        switch scan {
        case .unchanged: return text
        case .unicode: return text.lowercased()
        case .bytes: break
        }
        return source.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { out in
                var lead: UInt8 = 0
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    if lead != 0 {
                        out[index] = lowered(lead, byte) ?? byte
                        lead = 0
                    } else {
                        out[index] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                        if byte >= 0xC3 && byte <= 0xC5 { lead = byte }
                    }
                }
                return bytes.count
            }
        }
    }

    /// Whether ``lowercased(_:)`` works on these bytes without changing their length: ASCII and
    /// the two-byte letters it lowers itself.
    static func lowercaseKeepsLength(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        var lead: UInt8 = 0
        for byte in bytes {
            if lead != 0 {
                if lowered(lead, byte) == nil { return false }
                lead = 0
            } else if byte >= 0x80 {
                guard byte >= 0xC3 && byte <= 0xC5 else { return false }
                lead = byte
            }
        }
        return true
    }

    /// The second byte of the lower-case form of the two-byte letter `lead` `byte` (U+00C0–U+017F),
    /// or nil where lower case changes more than that byte (İ, Ŀ, Ÿ).
    private static func lowered(_ lead: UInt8, _ byte: UInt8) -> UInt8? {
        let scalar = (UInt32(lead & 0x1F) << 6) | UInt32(byte & 0x3F)
        switch scalar {
        case 0xC0...0xDE where scalar != 0xD7: return byte + 0x20  // À–Þ but ×
        case 0xC0...0xFF: return byte
        case 0x130, 0x13F, 0x178: return nil
        case 0x100...0x137, 0x14A...0x177: return scalar % 2 == 0 ? byte + 1 : byte
        case 0x139...0x148, 0x179...0x17E: return scalar % 2 == 1 ? byte + 1 : byte
        default: return byte  // ĸ ŉ ſ
        }
    }

    /// The text without leading and trailing white space. ASCII white space is cut on bytes;
    /// text with other white space (no-break spaces, ideographic spaces) takes the Unicode path.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        if first < 0x80 && last < 0x80 && !isASCIISpace(first) && !isASCIISpace(last) { return text }
        // No white space at either end (`Zoë`, `Łukasz`): nothing to trim, whatever the bytes.
        if let head = text.unicodeScalars.first, let tail = text.unicodeScalars.last,
            !isWhiteSpace(head) && !isWhiteSpace(tail)
        {
            return text
        }
        if utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = Array(utf8)
            guard let start = bytes.firstIndex(where: { !isASCIISpace($0) }) else { return "" }
            let end = bytes.lastIndex(where: { !isASCIISpace($0) })!
            return String(decoding: bytes[start...end], as: UTF8.self)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs of white space (ASCII white space and the no-break space U+00A0) become one space;
    /// leading and trailing white space goes. Works on UTF-8 bytes: no other byte of a UTF-8
    /// sequence can look like these.
    static func collapsed(_ text: String) -> String {
        var source = text
        return source.withUTF8 { bytes in
            // Most text is collapsed already: one space between words, none at the ends.
            var clean = true
            var previousSpace = true
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x20 {
                    if previousSpace {
                        clean = false
                        break
                    }
                    previousSpace = true
                } else if whiteSpaceWidth(bytes, at: index) > 0 {
                    clean = false
                    break
                } else {
                    previousSpace = false
                }
                index += 1
            }
            if clean && !(previousSpace && bytes.count > 0) { return text }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                var written = 0
                var pendingSpace = false
                var index = 0
                while index < bytes.count {
                    let width = whiteSpaceWidth(bytes, at: index)
                    if width > 0 {
                        pendingSpace = written > 0
                        index += width
                        continue
                    }
                    if pendingSpace {
                        out[written] = 0x20
                        written += 1
                        pendingSpace = false
                    }
                    out[written] = bytes[index]
                    written += 1
                    index += 1
                }
                return written
            }
        }
    }

    /// Cuts whole characters (grapheme clusters) from the end until the text fits in `limit`
    /// UTF-16 code units — never half a character, an emoji sequence or a combining mark.
    static func truncate(_ text: String, toUTF16 limit: Int) -> String {
        if text.utf16.count <= limit { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = character.utf16.count
            if used + width > limit { break }
            result.append(character)
            used += width
        }
        return result
    }
}
