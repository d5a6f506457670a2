/// One attribute of a ``BoundMapping``: the shared attribute, with this thread's memo of its
/// results and, for a checks-only run, its byte check.
final class BoundAttribute {
    let attribute: MappedAttribute
    /// What the attribute made of each text of its one field (``MappedAttribute/memoField``).
    private let memo: ValueMemo?
    private let memoField: FieldReference?
    /// How a checks-only run tells the value's emptiness and length without evaluating it.
    private let shortcut: (any ValueShortcut)?

    init(_ attribute: MappedAttribute, shortcut: (any ValueShortcut)?) {
        self.attribute = attribute
        memoField = attribute.memoField
        memo = attribute.memoField.map { _ in
            ValueMemo(trial: attribute.expression.isCostly ? ValueMemo.costlyTrial : ValueMemo.trial)
        }
        self.shortcut = shortcut
    }

    /// The attribute's value for a record, from the memo when the field's text was seen before.
    func evaluate(_ record: Record, _ context: EvaluationContext) throws -> MappedValue {
        guard let memo, let memoField, memo.active else { return try attribute.expression.evaluate(record, context) }
        // A CSV value is looked up by its bytes: a hit builds no string at all.
        let byBytes = context.withPlainBytes(of: memoField, in: record) { memo.lookup(bytes: $0) }
        if case .some(.some(let known)) = byBytes { return try known.get() }
        guard case .text(let text)? = context.value(of: memoField, in: record) else {
            return try attribute.expression.evaluate(record, context)
        }
        if byBytes == nil, let known = memo.lookup(text) { return try known.get() }
        let result: Result<MappedValue, TransformFailure>
        do {
            result = .success(try attribute.expression.evaluate(record, context))
        } catch let failure as TransformFailure {
            result = .failure(failure)
        }
        memo.store(result, outcome: attribute.checkOutcome(of: result), for: text)
        return try result.get()
    }

    /// What a checks-only run needs of this attribute's value for a record, when the memo or the
    /// byte check can say it without evaluating: null, or text of a length that raises no problem.
    func quickOutcome(_ record: Record, _ context: EvaluationContext) -> CheckOutcome? {
        if let memo, let memoField, memo.active {
            return context.withPlainBytes(of: memoField, in: record) { memo.outcome(bytes: $0) } ?? nil
        }
        return shortcut?.outcome(record, context)
    }

    /// The attribute's shortcut, for tests that hold it against the full evaluation.
    var check: (any ValueShortcut)? { shortcut }

    /// Whether the memo is still on after its trial; nil without a memo.
    var memoActive: Bool? { memo?.active }
}
