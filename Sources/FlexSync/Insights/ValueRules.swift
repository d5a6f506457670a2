/// Insights' rules on produced values, applied to every mapped record.
public enum ValueRules {
    /// Insights keeps the first 128 characters of a value.
    public static let maxValueLength = 128
    /// Every date and time must lie in these years, inclusive.
    public static let years = 1901...2049
    /// TaskRouter's limit on the serialized attributes document (minified).
    public static let maxDocumentLength = 4096
    /// `validate` warns when the mapped part alone takes more than this share of the limit.
    public static let documentWarningShare = 0.8

    /// What to do with a value over 128 characters.
    public enum TooLong: String, Sendable, CaseIterable {
        case error
        case truncate
    }

    /// Whether an identifier (`agent_id`, `team_id`, `customers.external_id`…) is a run of zeros,
    /// `00` or longer: what SAP and payroll systems write for none (an initial ORGEH or PERNR).
    /// Written, it would make a team or agent called `00000000` in Insights.
    static func isZeroPlaceholder<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.count >= 2 && bytes.allSatisfy { $0 == UInt8(ascii: "0") }
    }

    /// The words exports write for no id (`TBD`, `N/A`, `-`, `?`, `unknown`, SQL's `NULL`), in
    /// lower case; ``BoundMapping`` refuses them as ids.
    static let idPlaceholders: [String] = ["tbd", "tbc", "tba", "n/a", "-", "--", "?", "unknown", "null"]

    /// ``idPlaceholders`` as eight bytes in a word.
    private static let idPlaceholderKeys = idPlaceholders.map { placeholderKey(Array($0.utf8)) }

    /// Up to eight bytes, ASCII letters lower-cased, in one word.
    @inline(__always)
    private static func placeholderKey<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64 {
        bytes.reduce(0) { key, byte in
            key << 8 | UInt64(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
    }

    /// Whether a value is one of ``idPlaceholders`` in any case, from its bytes: exact, so that a
    /// team code `tier-2` keeps the byte and memo paths.
    @inline(__always)
    static func mayBePlaceholderWord<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard bytes.count <= 7, !bytes.isEmpty else { return false }
        return idPlaceholderKeys.contains(placeholderKey(bytes))
    }

    /// Whether an identifier's value may be one the full evaluation refuses (zeros only, or a
    /// number Excel wrote in scientific notation, `1.00235E+11`, also after a prefix): a cheap
    /// look for the byte and memo paths, which then leave the value to it.
    static func mayBeDamagedID<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        // A `+` (Excel's `E+`), a space or tab (left out around an id), anything beyond ASCII
        // (a no-break space, named as it is left out) or a leading `'` (Excel's text marker)
        // sends the id through the full checks.
        isZeroPlaceholder(bytes) || mayBePlaceholderWord(bytes) || bytes.first == UInt8(ascii: "'")
            || bytes.contains { $0 == 0x2B || $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }
    }

    /// What Excel shows in a cell whose formula failed, in the languages it is set up in (`#N/A`,
    /// German `#NV`, Italian and Portuguese `#N/D`, Russian `#Н/Д`, Greek `#Δ/Υ`…, and Google
    /// Sheets' and Airtable's `#ERROR!`), as CSV exports write it and XML Spreadsheet marks it
    /// (`ss:Type="Error"`): a broken lookup, never a value.
    static let spreadsheetErrors: Set<String> = [
        "#N/A", "#NV", "#N/D", "#N/B", "#Н/Д", "#YOK", "#SAKNAS!", "#PUUTTUU!", "#I/T", "#NIEDOSTĘPNY",
        "#REF!", "#BEZUG!", "#VALUE!", "#WERT!", "#VALEUR!", "#VALOR!", "#DIV/0!", "#NAME?", "#NOM?", "#NOMBRE?",
        "#NOME?", "#NUM!", "#ZAHL!", "#NOMBRE!", "#NULL!", "#NUL!", "#SPILL!", "#ÜBERLAUF!", "#CALC!",
        "#GETTING_DATA", "#Δ/Υ", "#N/D!", "#NENÍ_K_DISPOZICI", "#HIÁNYZIK", "#ARVO!", "#ERROR!", "#ERR!"
    ]

    /// Whether a value is one of ``spreadsheetErrors``; a cheap look at its first byte first.
    @inline(__always)
    static func isSpreadsheetError(_ text: String) -> Bool {
        text.utf8.first == UInt8(ascii: "#") && spreadsheetErrors.contains(text.trimmingCharacters(in: .whitespaces))
    }

    /// The longest value echoed whole, even with `--show-values`.
    public static let maxEchoedLength = 200

    /// Whether a value of `key` may hold personal data.
    static func isPersonal(_ leaf: String, _ object: InsightsSchema.Object) -> Bool {
        InsightsSchema.personalKeys[object]?.contains(leaf) ?? false
    }

    /// Whether the attribute `key` (`email`, `customers.phone`) may hold personal data.
    static func isPersonal(key: String) -> Bool {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let object: InsightsSchema.Object =
            key.hasPrefix("customers.")
            ? .customers
            : key.hasPrefix("conversations.") ? .conversations : .worker
        return isPersonal(leaf, object)
    }

    /// A value of `key` as messages show it: `***` for personal values unless `showValues`,
    /// `(none)` when absent, and never more than ``maxEchoedLength`` characters.
    static func shown(_ value: JSONValue?, key: String, showValues: Bool) -> String {
        guard let value else { return "(none)" }
        if !showValues && isPersonal(key: key) { return "***" }
        return echoed(value.minified)
    }

    /// `text` cut to ``maxEchoedLength`` characters, saying how long it was:
    /// `AAAA… (52,428,800 characters)`.
    static func echoed(_ text: String) -> String {
        guard text.utf8.count > maxEchoedLength, text.count > maxEchoedLength else { return text }
        return String(text.prefix(maxEchoedLength)) + "… (\(text.count.grouped) characters)"
    }
}
