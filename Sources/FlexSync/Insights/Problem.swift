/// A validation finding about one record (or the whole export), printed as
/// `file:line: field: rule: value`.
public struct Problem: Sendable, Equatable {
    public enum Severity: String, Sendable, CaseIterable { case error, warning }

    public var severity: Severity
    public var position: SourcePosition?
    /// The attribute or source field concerned, `-` when none.
    public var field: String
    public var rule: String
    public var value: String?
    /// Whether `value` may be personal data, masked unless asked for.
    public var personal: Bool

    public init(
        _ severity: Severity, _ position: SourcePosition?, field: String, rule: String, value: String? = nil,
        personal: Bool = false
    ) {
        self.severity = severity
        self.position = position
        self.field = field
        self.rule = rule
        self.value = value
        self.personal = personal
    }

    /// The one-line form; personal values become `***` unless `showValues`.
    public func line(showValues: Bool) -> String {
        var text = position.map { "\($0): " } ?? ""
        text += "\(field): \(rule)"
        if let value {
            text += ": " + (personal && !showValues ? Problem.mask(value) : ValueRules.echoed(value))
        }
        return text
    }

    /// Keeps the shape of a value (length, first character) without its content.
    static func mask(_ value: String) -> String {
        guard let first = value.first else { return "" }
        return "\(first)*** (\(value.count) chars)"
    }
}
