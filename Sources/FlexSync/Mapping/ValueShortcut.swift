/// What a checks-only run (`validate`) needs of a value nobody keeps: whether it is empty, and
/// how long it is.
enum CheckOutcome: Equatable, Sendable {
    case null
    /// The value's length in UTF-8 bytes.
    case text(Int)
}

/// A way to tell an attribute's ``CheckOutcome`` for a record without evaluating it — from the
/// record's bytes, for instance. The Pipeline part supplies these (its byte checks) when it binds a
/// mapping for a checks-only run; nil from ``outcome(_:_:)`` leaves the value to the full
/// evaluation, whose problems and messages are then the only ones.
protocol ValueShortcut: AnyObject {
    func outcome(_ record: Record, _ context: EvaluationContext) -> CheckOutcome?
}
