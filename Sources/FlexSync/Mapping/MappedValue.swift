/// A value on its way through a mapping expression.
public enum MappedValue: Sendable, Equatable {
    case null
    case text(String)
    case list([String])
    case number(JSONNumber)
    /// A calendar date, `YYYY-MM-DD`, checked against Insights' 1901–2049 range.
    case date(String)

    var isNull: Bool { self == .null }

    /// The value as text for transforms that work on text.
    var text: String? {
        switch self {
        case .null: nil
        case .text(let text), .date(let text): text
        case .number(let number): number.literal
        case .list(let items): items.isEmpty ? nil : items.joined(separator: ", ")
        }
    }

    /// For messages: the value as a person would read it.
    var display: String {
        switch self {
        case .null: "(empty)"
        case .list(let items): "[" + items.joined(separator: ", ") + "]"
        default: text ?? ""
        }
    }
}

/// Why a value could not be mapped; becomes a validation problem of its record.
public struct TransformFailure: Error, Equatable {
    public var rule: String
    public var value: String
}
