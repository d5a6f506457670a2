extension Mapping {
    /// This mapping for one thread reading records of `schema` under `policy` (see ``BoundMapping``).
    public func bind(to schema: RecordSchema, policy: RunPolicy) -> BoundMapping {
        BoundMapping(self, schema: schema, policy: policy, shortcuts: { _ in nil })
    }

    /// The same, with `shortcuts` giving each attribute a way to answer a checks-only run without
    /// evaluating it (the Pipeline's byte checks); asked only for attributes whose values a
    /// checks-only run throws away.
    func bind(
        to schema: RecordSchema, policy: RunPolicy, shortcuts: @escaping (MappedAttribute) -> (any ValueShortcut)?
    ) -> BoundMapping {
        BoundMapping(self, schema: schema, policy: policy, shortcuts: shortcuts)
    }

    /// Maps one record (tests and one-off callers: a run binds once and maps many).
    public func run(_ record: Record, policy: RunPolicy) -> MappedRecord {
        bind(to: record.schema, policy: policy).map(record)
    }

    /// A rule broken by an attribute's value: an error, or with `on_error: drop` a warning (the
    /// attribute is left out of the record).
    static func problem(_ attribute: MappedAttribute, _ position: SourcePosition, rule: String, value: String)
        -> Problem
    {
        let drop = attribute.onError == .drop
        return Problem(
            drop ? .warning : .error, position, field: attribute.key,
            rule: drop ? rule + " (left out: on_error: drop)" : rule, value: value, personal: attribute.personal)
    }
}

/// A mapping bound to one source's schema and one run's policy, for one thread: the schema
/// column of every field the mapping reads, each attribute's memo, and `validate`'s byte checks.
/// The ``Mapping`` itself is immutable and shared; everything a thread changes while mapping
/// lives here, so a bound mapping is used by one thread only (it is not `Sendable`) and two
/// threads mapping the same job never share a mutable byte.
public final class BoundMapping {
    public let mapping: Mapping
    public let policy: Mapping.RunPolicy
    /// The run's null tokens and the bound schema's columns.
    private(set) var context: EvaluationContext
    /// The attributes with this thread's memos and shortcuts, in mapping order.
    let attributes: [BoundAttribute]
    /// The schema the columns were found in, kept so that no later schema can take its identity.
    private var schema: RecordSchema
    private var schemaID: ObjectIdentifier
    /// The same mapping keeping every value, for the rare record a checks-only run must measure.
    private var full: BoundMapping?

    init(
        _ mapping: Mapping, schema: RecordSchema, policy: Mapping.RunPolicy,
        shortcuts: (MappedAttribute) -> (any ValueShortcut)?
    ) {
        self.mapping = mapping
        // Each thread counts references to its own copy of the null tokens.
        var policy = policy
        policy.nullTokens = Set(Array(policy.nullTokens))
        self.policy = policy
        self.schema = schema
        schemaID = ObjectIdentifier(schema)
        context = EvaluationContext(nullTokens: policy.nullTokens, columns: Self.columns(of: mapping, in: schema))
        let checksOnly = policy.checksOnly
        attributes = mapping.attributes.map { attribute in
            let thrownAway = checksOnly && !attribute.checked && attribute.allowsShortcut
            return BoundAttribute(attribute, shortcut: thrownAway ? shortcuts(attribute) : nil)
        }
    }

    /// Where each of the mapping's fields sits in `schema`; -1 for those it lacks.
    private static func columns(of mapping: Mapping, in schema: RecordSchema) -> [Int] {
        mapping.fieldNames.map { schema.position(of: $0) ?? -1 }
    }

    /// Maps one record and applies Insights' value rules to what it produced.
    public func map(_ record: Record) -> MappedRecord {
        if record.schemaID != schemaID {
            // Another source's record: find the fields again (memos hold texts, and stay).
            schema = record.schema
            schemaID = record.schemaID
            context = context.with(columns: Self.columns(of: mapping, in: schema))
        }
        var result = MappedRecord(position: record.position)
        if let found = record.malformedFieldCount { return Self.malformed(record, fields: found, into: result) }
        // A report's own lines are not data: left out with a warning, as `skip_when` leaves a row
        // out, so that a report's subtotals do not stop a run that its people would pass.
        if let (label, kind) = record.layoutLine {
            result.skipped = true
            result.problems.append(
                Problem(.warning, result.position, field: "-", rule: kind.rule(label) + ": the row is left out"))
            return result
        }
        let bound = fill(&result, from: record)
        // Serialise only when a cheap upper bound says the mapped part might be near the limit.
        if Double(bound) > Self.documentWarningLength { measure(&result, record: record) }
        // One return of the local: anything else copied every array of the record and freed the original.
        return result
    }

    private func fullBinding() -> BoundMapping {
        if let full { return full }
        var keepAll = policy
        keepAll.checksOnly = false
        let made = BoundMapping(mapping, schema: schema, policy: keepAll, shortcuts: { _ in nil })
        full = made
        return made
    }

    private static let documentWarningLength = Double(ValueRules.maxDocumentLength) * ValueRules.documentWarningShare

    /// Warns when the mapped document of a record alone is near TaskRouter's limit.
    private func measure(_ result: inout MappedRecord, record: Record) {
        if policy.checksOnly {
            // Near the limit (rare): map again keeping everything, to measure the document.
            result = fullBinding().map(record)
            result.set.removeAll { entry in !mapping.attributes.contains { $0.key == entry.key && $0.checked } }
            result.remove = []
            result.keep = []
            return
        }
        let length = JSONValue.object(result.document).minified.taskRouterLength
        if Double(length) > Self.documentWarningLength {
            result.problems.append(
                Problem(
                    .warning, record.position, field: "-",
                    rule:
                        "mapped attributes alone take \(length) of TaskRouter's \(ValueRules.maxDocumentLength) characters"
                ))
        }
    }

    /// Maps `record` into `result` (in place: returning the record from here copied every one of
    /// its arrays); returns a cheap upper bound of the mapped document's serialised length.
    private func fill(_ result: inout MappedRecord, from record: Record) -> Int {
        let mapping = mapping
        let context = context
        if mapping.skipWhen?.holds(record, context) == true {
            result.skipped = true
            return 0
        }
        result.set.reserveCapacity(policy.checksOnly ? mapping.checkedAttributes : attributes.count)
        var state = FillState(count: attributes.count)
        for index in attributes.indices {
            fill(&result, &state, bound: attributes[index], at: index, record: record, context: context)
        }
        let attributes = mapping.attributes
        let produced = state.produced
        let inSet = state.inSet
        for (name, needs) in mapping.companions
        where produced.contains(name) && !(needs.map { produced.contains($0) } ?? false) {
            let key = attributes[name].key
            let required =
                key.hasPrefix("customers.") || key.hasPrefix("conversations.") ? key.split(separator: ".")[0] + "." : ""
            let needed =
                required
                + (InsightsSchema.requiredCompanions[attributes[name].object]?.first {
                    $0.key == attributes[name].leaf
                }?.needs ?? "")
            result.problems.append(
                Problem(
                    .error, record.position, field: key, rule: "'\(key)' shows in Insights only when '\(needed)' is set"
                ))
        }
        if let friendlyName = mapping.friendlyName {
            result.friendlyName = (try? friendlyName.evaluate(record, context))?.text
        }
        var firstKeyEmpty = false
        result.matchValues.reserveCapacity(mapping.matchKeys.count)
        for (rank, match) in mapping.matchKeys.enumerated() {
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
            } else if rank == 0 && !mapping.key.allowFallback && !attributeFailed(match.name, result.problems) {
                // Falling back to a later key would let `on_empty` act on the account another key
                // finds: the record changes nothing instead.
                firstKeyEmpty = true
                let rule =
                    "empty key '\(match.name)'"
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
            result.problems.append(
                Problem(
                    .error, record.position, field: mapping.key.match.joined(separator: "|"),
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

        init(count: Int) {
            produced = ProducedSet(count: count)
            inSet = ProducedSet(count: count)
        }
    }

    /// Maps one attribute of `record` into `result`. The context comes from the caller's copy:
    /// read from the stored property here, it was copied for every attribute of every record, three
    /// reference counts each way.
    private func fill(
        _ result: inout MappedRecord, _ state: inout FillState, bound: BoundAttribute, at index: Int,
        record: Record, context: EvaluationContext
    ) {
        let attribute = bound.attribute
        if policy.withholdPersonal && attribute.personal { return }
        let checksOnly = policy.checksOnly
        // A value nobody keeps: its emptiness and length are all it adds, from the memo when the
        // field's text was seen before, or from the record's bytes for shapes that tell them.
        if checksOnly && !attribute.checked, let outcome = bound.quickOutcome(record, context) {
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
            value = try bound.evaluate(record, context)
        } catch let failure as TransformFailure {
            result.problems.append(
                Mapping.problem(attribute, result.position, rule: failure.rule, value: failure.value))
            if attribute.onError == .drop && !checksOnly { result.keep.append(attribute.key) }
            return
        } catch {
            result.problems.append(Problem(.error, result.position, field: attribute.key, rule: "\(error)"))
            return
        }
        if case .null = value {
            // The first key without a fallback is reported as an empty key, once.
            if attribute.required && !(index == mapping.matchKeys.first?.attribute && !mapping.key.allowFallback) {
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
        guard let json = jsonValue(value, attribute: attribute, record: record, personal: personal, result: &result)
        else {
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

    private func jsonValue(
        _ value: MappedValue, attribute: MappedAttribute, record: Record, personal: Bool,
        result: inout MappedRecord
    ) -> JSONValue? {
        func fail(_ rule: String, _ shown: String) -> JSONValue? {
            result.problems.append(Mapping.problem(attribute, record.position, rule: rule, value: shown))
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
                return .number(
                    JSONNumber(literal: JSONNumber(number).literal == text ? text : JSONNumber(number).literal))
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
        if ValueRules.isSpreadsheetError(text) {
            return fail(
                "an Excel formula error where a value should be (a lookup or formula that failed in the "
                    + "spreadsheet): correct the export, or list it in 'null_tokens' to leave the attribute empty",
                text)
        }
        // Most ids hold none of what the identifier checks look for (the cheap look the byte path takes).
        if attribute.isIdentifier && ValueRules.mayBeDamagedID(text.utf8) {
            let checked = Self.identifier(text)
            if let refusal = checked.refusal { return fail(refusal, text) }
            if checked.hadNoBreakSpace {
                result.problems.append(
                    Problem(
                        .warning, record.position, field: attribute.key, rule: Self.noBreakSpaceRule, value: text,
                        personal: personal))
            }
            text = checked.text
        }
        // A stray quote is one only where a field of the row was written without quotes around one.
        if let damage = LossyText.damage(in: text), damage != .strayQuote || record.hasStrayQuote {
            if policy.lossyText == .error && damage.refusable { return fail(damage.rule, text) }
            result.problems.append(
                Problem(
                    .warning, record.position, field: attribute.key, rule: damage.rule, value: text,
                    personal: personal))
        }
        // UTF-8 bytes bound UTF-16 units from above, and cost nothing to count.
        if text.utf8.count > ValueRules.maxValueLength && text.utf16.count > ValueRules.maxValueLength {
            switch policy.tooLong {
            case .error: return fail("longer than \(ValueRules.maxValueLength) characters (\(text.utf16.count))", text)
            case .truncate:
                result.problems.append(
                    Problem(
                        .warning, record.position, field: attribute.key,
                        rule: "truncated to \(ValueRules.maxValueLength) characters", value: text, personal: personal))
                text = Transform.truncate(text, toUTF16: ValueRules.maxValueLength)
            }
        }
        return .string(text)
    }
}
