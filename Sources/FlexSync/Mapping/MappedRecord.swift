/// What a mapping made of one source record: the managed keys to set, to remove, or to leave as
/// they are, how to find the record's target in TaskRouter, and what was wrong.
public struct MappedRecord: Sendable {
    public var position: SourcePosition
    /// Managed keys with their values, in mapping order (`team_id`, or `customers.name`).
    public var set: [(key: String, value: JSONValue)] = []
    /// Managed keys the source left empty, to be removed from the live document.
    public var remove: [String] = []
    /// Managed keys the source left empty whose live value is kept.
    public var keep: [String] = []
    /// Match values by key name (`agent_id` → `1001`), normalised for comparison.
    public var matchValues: [(key: String, value: String)] = []
    /// The value of `friendly_name`, when the mapping has one.
    public var friendlyName: String?
    public var problems: [Problem] = []
    /// Set when the mapping's `skip_when` held.
    public var skipped = false

    public var isValid: Bool { !problems.contains { $0.severity == .error } }

    /// The record's identity for duplicate detection: its first match value.
    public var identity: String? { matchValues.first?.value }

    /// The mapped attributes as a document (nested for task objects).
    public var document: JSONObject {
        var root = JSONObject()
        for (key, value) in set { MappedRecord.assign(value, at: key, in: &root) }
        return root
    }

    static func assign(_ value: JSONValue, at key: String, in root: inout JSONObject) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 {
            var inner = root[parts[0]]?.objectValue ?? JSONObject()
            inner[parts[1]] = value
            root[parts[0]] = .object(inner)
        } else {
            root[key] = value
        }
    }

    /// How the values of a match key are compared.
    enum MatchForm: Sendable {
        case exact
        /// E-mail addresses and friendly names: TaskRouter treats those case-insensitively.
        case caseFolded
        /// Phone numbers: their E.164 form, so that a CRM's `0044 20 7946 0018` written
        /// international and a caller's `+442079460018` meet.
        case phone
    }

    /// Normalises a match value: trimmed, NFC, case-folded or read as a phone number by its key.
    static func normalizedMatch(_ value: String, key: String) -> String {
        normalizedMatch(value, form: matchForm(key))
    }

    static func normalizedMatch(_ value: String, form: MatchForm) -> String {
        let trimmed = EvaluationContext.nfc(value.trimmingSpaces)
        switch form {
        case .exact: return trimmed
        case .caseFolded: return Transform.lowercased(trimmed)
        case .phone: return PhoneRule.matchForm(trimmed) ?? trimmed
        }
    }

    static func matchForm(_ key: String) -> MatchForm {
        if key.hasSuffix("email") || key == "friendly_name" { return .caseFolded }
        if key == "phone" || key.hasSuffix(".phone") { return .phone }
        return .exact
    }
}

extension Mapping {
    /// Settings of one run that change how records are mapped.
    public struct RunPolicy: Sendable {
        public var nullTokens: Set<String> = [""]
        public var tooLong: ValueRules.TooLong = .error
        public var withholdPersonal = false
        /// Keep in `set` only the values the dataset checks read (match keys and custom
        /// `*_attribute_N` slots), and neither `remove` nor `keep`: what `validate` needs, without
        /// building and freeing the rest of every record. Problems are the same either way.
        public var checksOnly = false
        /// How lossy text (`?` for letters, U+FFFD, double encoding) is reported.
        public var lossyText: Problem.Severity = .warning
        /// How a record whose first key is empty is reported; either way it matches nothing.
        public var emptyKey: Problem.Severity = .error

        public init(
            nullTokens: Set<String> = [""], tooLong: ValueRules.TooLong = .error, withholdPersonal: Bool = false,
            checksOnly: Bool = false, lossyText: Problem.Severity = .warning
        ) {
            self.nullTokens = nullTokens
            self.tooLong = tooLong
            self.withholdPersonal = withholdPersonal
            self.checksOnly = checksOnly
            self.lossyText = lossyText
        }
    }
}

/// Which attributes of a mapping produced a value: bits of one word for up to 64 attributes (no
/// allocation per record), an array beyond.
struct ProducedSet {
    private var bits: UInt64 = 0
    private var more: [Bool]

    init(count: Int) { more = count > 64 ? [Bool](repeating: false, count: count) : [] }

    @inline(__always)
    mutating func insert(_ index: Int) {
        if more.isEmpty { bits |= 1 << UInt64(index) } else { more[index] = true }
    }

    /// How many members come before `index`, when `index` is one.
    func rank(of index: Int) -> Int? {
        guard contains(index) else { return nil }
        if more.isEmpty { return (bits & ((1 << UInt64(index)) - 1)).nonzeroBitCount }
        return more[..<index].reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    @inline(__always)
    func contains(_ index: Int) -> Bool {
        more.isEmpty ? bits & (1 << UInt64(index)) != 0 : more[index]
    }
}
