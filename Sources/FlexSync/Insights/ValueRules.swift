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

    /// Whether a value of `key` may hold personal data.
    static func isPersonal(_ leaf: String, _ object: InsightsSchema.Object) -> Bool {
        InsightsSchema.personalKeys[object]?.contains(leaf) ?? false
    }
}
