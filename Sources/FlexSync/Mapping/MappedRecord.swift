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

        public init(nullTokens: Set<String> = [""], tooLong: ValueRules.TooLong = .error, withholdPersonal: Bool = false,
                    checksOnly: Bool = false, lossyText: Problem.Severity = .warning) {
            self.nullTokens = nullTokens; self.tooLong = tooLong; self.withholdPersonal = withholdPersonal
            self.checksOnly = checksOnly; self.lossyText = lossyText
        }
    }

    /// Maps one record and applies Insights' value rules to what it produced.
    public func run(_ record: Record, policy: RunPolicy) -> MappedRecord {
        prepare(for: policy)
        return map(record, policy: policy, context: EvaluationContext(nullTokens: policy.nullTokens))
    }

    /// Forgets remembered results when the run's null tokens differ from those they were made
    /// with. Once per batch of records is enough.
    func prepare(for policy: RunPolicy) {
        if policy.nullTokens != memoNullTokens {
            for attribute in attributes { attribute.memo?.reset() }
            memoNullTokens = policy.nullTokens
        }
    }

    /// ``run(_:policy:)`` after ``prepare(for:)``, with the context made once for many records.
    func map(_ record: Record, policy: RunPolicy, context: EvaluationContext) -> MappedRecord {
        var result = MappedRecord(position: record.position)
        let bound = fill(&result, from: record, policy: policy, context: context)
        // Serialise only when a cheap upper bound says the mapped part might be near the limit.
        if Double(bound) > Self.documentWarningLength { measure(&result, record: record, policy: policy, context: context) }
        // One return of the local: anything else copied every array of the record and freed the original.
        return result
    }

    private static let documentWarningLength = Double(ValueRules.maxDocumentLength) * ValueRules.documentWarningShare

    /// Warns when the mapped document of a record alone is near TaskRouter's limit.
    private func measure(_ result: inout MappedRecord, record: Record, policy: RunPolicy, context: EvaluationContext) {
        if policy.checksOnly {
            // Near the limit (rare): map again keeping everything, to measure the document.
            var full = policy
            full.checksOnly = false
            result = map(record, policy: full, context: context)
            result.set.removeAll { entry in !attributes.contains { $0.key == entry.key && $0.checked } }
            result.remove = []
            result.keep = []
            return
        }
        let length = JSONValue.object(result.document).minified.taskRouterLength
        if Double(length) > Self.documentWarningLength {
            result.problems.append(Problem(.warning, record.position, field: "-",
                                           rule: "mapped attributes alone take \(length) of TaskRouter's \(ValueRules.maxDocumentLength) characters"))
        }
    }

    /// Maps `record` into `result` (in place: returning the record from here copied every one of
    /// its arrays); returns a cheap upper bound of the mapped document's serialised length.
    private func fill(_ result: inout MappedRecord, from record: Record, policy: RunPolicy, context: EvaluationContext) -> Int {
        if skipWhenView?.with({ $0.holds(record, context) }) == true {
            result.skipped = true
            return 0
        }
        result.set.reserveCapacity(policy.checksOnly ? checkedAttributes : attributes.count)
        var state = FillState(count: attributes.count)
        for index in attributeViews.indices {
            attributeViews[index].with { attribute in
                fill(&result, &state, attribute: attribute, at: index, record: record, policy: policy, context: context)
            }
        }
        let produced = state.produced, inSet = state.inSet
        for (name, needs) in companions where produced.contains(name) && !(needs.map { produced.contains($0) } ?? false) {
            let key = attributes[name].key
            let required = key.hasPrefix("customers.") || key.hasPrefix("conversations.") ? key.split(separator: ".")[0] + "." : ""
            let needed = required + (InsightsSchema.requiredCompanions[attributes[name].object]?.first { $0.key == attributes[name].leaf }?.needs ?? "")
            result.problems.append(Problem(.error, record.position, field: key, rule: "'\(key)' shows in Insights only when '\(needed)' is set"))
        }
        if let friendlyName {
            result.friendlyName = (try? friendlyName.evaluate(record, context))?.text
        }
        var firstKeyEmpty = false
        for (rank, match) in matchKeys.enumerated() {
            let text: String?
            if match.friendlyName {
                text = result.friendlyName
            } else {
                if let attribute = match.attribute, let rank = inSet.rank(of: attribute) {
                    text = result.set[rank].value.displayText
                } else {
                    text = nil
                }
            }
            if let text, !text.isEmpty {
                result.matchValues.append((match.name, MappedRecord.normalizedMatch(text, form: match.form)))
            } else if rank == 0 && !key.allowFallback && !attributeFailed(match.name, result.problems) {
                // Falling back to a later key would let `on_empty` act on the account another key
                // finds: the record changes nothing instead.
                firstKeyEmpty = true
                let rule = "empty key '\(match.name)'"
                    + (policy.emptyKey == .warning ? ": not matched, nothing changes" : "")
                result.problems.append(Problem(policy.emptyKey, record.position, field: match.name, rule: rule))
            }
        }
        if firstKeyEmpty && policy.emptyKey == .warning {
            // Reported and kept valid, but matched by no key at all.
            result.matchValues.removeAll()
            return state.bound
        }
        if result.matchValues.isEmpty && result.isValid {
            result.problems.append(Problem(.error, record.position, field: key.match.joined(separator: "|"),
                                           rule: "empty key: the record cannot be matched to TaskRouter"))
        }
        return state.bound
    }

    /// Whether an attribute already has an error of its own (a failed transform): an empty key
    /// that follows from it is not reported twice.
    private func attributeFailed(_ key: String, _ problems: [Problem]) -> Bool {
        problems.contains { $0.field == key && $0.severity == .error }
    }

    /// The error for an empty value of a `required: true` attribute.
    private func requiredProblem(_ attribute: MappedAttribute, _ position: SourcePosition) -> Problem {
        Problem(.error, position, field: attribute.key, rule: "required value is empty")
    }

    /// What one record's mapping has gathered besides the record itself.
    private struct FillState {
        /// Which attributes produced a value.
        var produced: ProducedSet
        /// Which attributes have an entry in `set` (produced ones, and empty ones written as ""),
        /// so that a match key finds its value by position.
        var inSet: ProducedSet
        /// A cheap upper bound of the serialised document's length.
        var bound = 2

        init(count: Int) { produced = ProducedSet(count: count); inSet = ProducedSet(count: count) }
    }

    /// Maps one attribute of `record` into `result`.
    private func fill(_ result: inout MappedRecord, _ state: inout FillState, attribute: MappedAttribute, at index: Int,
                      record: Record, policy: RunPolicy, context: EvaluationContext) {
        if policy.withholdPersonal && attribute.personal { return }
        let checksOnly = policy.checksOnly
        // A value nobody keeps: its emptiness and length are all it adds, from the memo when the
        // field's text was seen before, or from the record's bytes for shapes that tell them.
        if checksOnly && !attribute.checked,
           let outcome = attribute.memo?.active == true ? attribute.memoOutcome(record) : attribute.byteOutcome(record, context) {
            switch outcome {
            case .null:
                if attribute.required { result.problems.append(requiredProblem(attribute, result.position)) }
                if attribute.onEmpty == .empty { state.bound += attribute.keyLength + 8 }
            case .text(let count):
                state.produced.insert(index)
                state.bound += attribute.keyLength + 8 + 2 * count
            }
            return
        }
        let personal = attribute.personal
        var value: MappedValue
        do {
            value = try attribute.evaluate(record, context)
        } catch let failure as TransformFailure {
            result.problems.append(Self.problem(attribute, result.position, rule: failure.rule, value: failure.value))
            if attribute.onError == .drop && !checksOnly { result.keep.append(attribute.key) }
            return
        } catch {
            result.problems.append(Problem(.error, result.position, field: attribute.key, rule: "\(error)"))
            return
        }
        if case .null = value {
            // The first key without a fallback is reported as an empty key, once.
            if attribute.required && !(index == matchKeys.first?.attribute && !key.allowFallback) {
                result.problems.append(requiredProblem(attribute, result.position))
                return
            }
            // A key attribute is never removed or written empty: the live one stays.
            if attribute.isMatchKey {
                if !checksOnly { result.keep.append(attribute.key) }
                return
            }
            switch attribute.onEmpty {
            case .remove: if !checksOnly { result.remove.append(attribute.key) }
            case .keep: if !checksOnly { result.keep.append(attribute.key) }
            case .empty:
                state.bound += attribute.keyLength + 8
                if !checksOnly || attribute.checked {
                    state.inSet.insert(index)
                    result.set.append((attribute.key, .string("")))
                }
            }
            return
        }
        guard let json = jsonValue(value, attribute: attribute, record: record, policy: policy, personal: personal, result: &result) else {
            return
        }
        state.produced.insert(index)
        if case .string(let text) = json {
            state.bound += attribute.keyLength + 8 + 2 * text.utf8.count
        } else {
            state.bound += attribute.keyLength + 8 + json.minified.utf16.count
        }
        if !checksOnly || attribute.checked {
            state.inSet.insert(index)
            result.set.append((attribute.key, json))
        }
    }

    /// A rule broken by an attribute's value: an error, or with `on_error: drop` a warning (the
    /// attribute is left out of the record).
    static func problem(_ attribute: MappedAttribute, _ position: SourcePosition, rule: String, value: String) -> Problem {
        let drop = attribute.onError == .drop
        return Problem(drop ? .warning : .error, position, field: attribute.key,
                       rule: drop ? rule + " (left out: on_error: drop)" : rule, value: value, personal: attribute.personal)
    }

    private func jsonValue(_ value: MappedValue, attribute: MappedAttribute, record: Record, policy: RunPolicy,
                           personal: Bool, result: inout MappedRecord) -> JSONValue? {
        func fail(_ rule: String, _ shown: String) -> JSONValue? {
            result.problems.append(Self.problem(attribute, record.position, rule: rule, value: shown))
            if attribute.onError == .drop && !policy.checksOnly { result.keep.append(attribute.key) }
            return nil
        }
        if case .list(let items) = value {
            return fail("a list of \(items.count) values: add a 'join' transform", value.display)
        }
        if attribute.numeric {
            switch value {
            case .number(let number): return .number(number)
            default:
                let text = value.text ?? ""
                guard NumberParsing.isPlainDecimal(text), let number = Double(text), number.isFinite else {
                    return fail("measure must be numeric", text)
                }
                return .number(JSONNumber(literal: JSONNumber(number).literal == text ? text : JSONNumber(number).literal))
            }
        }
        if case .date(let date) = value, let year = Int(date.prefix(4)), !ValueRules.years.contains(year) {
            return fail("date outside Insights' years 1901–2049", date)
        }
        if attribute.isAcquisitionDate, case .text(let text) = value {
            return fail("dates must go through a 'date' transform", text)
        }
        if attribute.isYearOfBirth, let text = value.text {
            do { try DateRules.check(year: text) } catch let failure as TransformFailure {
                return fail(failure.rule, failure.value)
            } catch {
                return fail("\(error)", text)
            }
        }
        guard var text = value.text else { return nil }
        if let damage = LossyText.damage(in: text) {
            if policy.lossyText == .error { return fail(damage.rule, text) }
            result.problems.append(Problem(.warning, record.position, field: attribute.key, rule: damage.rule, value: text,
                                    personal: personal))
        }
        // UTF-8 bytes bound UTF-16 units from above, and cost nothing to count.
        if text.utf8.count > ValueRules.maxValueLength && text.utf16.count > ValueRules.maxValueLength {
            switch policy.tooLong {
            case .error: return fail("longer than \(ValueRules.maxValueLength) characters (\(text.utf16.count))", text)
            case .truncate:
                result.problems.append(Problem(.warning, record.position, field: attribute.key,
                                        rule: "truncated to \(ValueRules.maxValueLength) characters", value: text, personal: personal))
                text = Transform.truncate(text, toUTF16: ValueRules.maxValueLength)
            }
        }
        return .string(text)
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
