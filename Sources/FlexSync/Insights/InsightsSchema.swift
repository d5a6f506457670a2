/// The Flex Insights attribute schema as data: which keys Insights reads on workers, on a task's
/// `conversations` object and on its `customers` object, which are numeric measures, how many
/// custom slots each has, and which keys hold personal data.
public enum InsightsSchema {
    /// The objects Insights reads attributes from.
    public enum Object: String, Sendable, CaseIterable {
        case worker
        case conversations
        case customers

        var slotPrefixes: [(prefix: String, count: Int, numeric: Bool)] {
            switch self {
            case .worker: [("agent_attribute_", 3, false), ("agent_label_", 3, false)]
            case .conversations:
                [
                    ("conversation_attribute_", 10, false), ("conversation_label_", 10, false),
                    ("conversation_measure_", 10, true)
                ]
            case .customers: [("customer_attribute_", 3, false), ("customer_label_", 3, false)]
            }
        }
    }

    static let workerKeys: Set<String> = [
        "agent_id", "full_name", "email", "phone", "location", "manager", "role", "state",
        "team_id", "team_name", "team_name_in_hierarchy", "department_id", "department_name",
        "department_name_in_hierarchy"
    ]

    static let conversationTextKeys: Set<String> = [
        "segment_link", "abandoned", "abandoned_phase", "activity", "campaign", "case", "channel", "content",
        "conversation_id",
        "destination", "direction", "external_contact", "followed_by", "handling_department_id",
        "handling_department_name",
        "handling_department_name_in_hierarchy", "handling_team_id", "handling_team_name",
        "handling_team_name_in_hierarchy",
        "hang_up_by", "in_business_hours", "initiated_by", "initiative", "ivr_path", "language", "outcome",
        "preceded_by",
        "productive", "queue", "service_level", "source", "virtual", "workflow"
    ]

    static let conversationNumericKeys: Set<String> = [
        "order", "activity_time", "average_response_time", "first_response_time", "focus_time", "hold_time", "ivr_time"
    ]

    static let customerTextKeys: Set<String> = [
        "external_id", "name", "customer_link", "acquisition_date", "category", "customer_manager", "email", "gender",
        "geo_location", "market_segment", "organization", "phone", "year_of_birth", "zip"
    ]

    static let customerNumericKeys: Set<String> = ["acquisition_cost", "business_value"]

    /// Keys whose values are dates or times, checked against Insights' 1901–2049 range.
    static let dateKeys: Set<String> = ["acquisition_date"]

    /// Keys that hold personal data, withheld under `pii: withhold` (HIPAA accounts).
    public static let personalKeys: [Object: Set<String>] = [
        .worker: ["full_name", "email", "phone", "manager", "location"],
        .customers: [
            "name", "email", "phone", "year_of_birth", "zip", "geo_location", "gender", "customer_link", "external_id"
        ],
        .conversations: ["external_contact", "content", "segment_link"]
    ]

    /// Worker keys Flex SSO rewrites at every login when the IdP maps them.
    public static let ssoOwnedWorkerKeys: Set<String> = [
        "full_name", "email", "roles", "image_url", "department", "location", "manager", "phone", "team_id",
        "team_name",
        "team_name_in_hierarchy"
    ]

    /// Pairs where the first shows in Insights only when the second is set.
    public static let requiredCompanions: [Object: [(key: String, needs: String)]] = [
        .worker: [("team_name", "team_id"), ("department_name", "department_id")],
        .conversations: [
            ("handling_team_name", "handling_team_id"), ("handling_department_name", "handling_department_id")
        ],
        .customers: []
    ]

    /// Whether Insights reads `key` on `object`, and whether it is numeric.
    public static func kind(of key: String, in object: Object) -> KeyKind {
        switch object {
        case .worker: if workerKeys.contains(key) { return .text }
        case .conversations:
            if conversationTextKeys.contains(key) { return .text }
            if conversationNumericKeys.contains(key) { return .numeric }
        case .customers:
            if customerTextKeys.contains(key) { return .text }
            if customerNumericKeys.contains(key) { return .numeric }
        }
        for slot in object.slotPrefixes where key.hasPrefix(slot.prefix) {
            let suffix = key.dropFirst(slot.prefix.count)
            guard let number = Int(suffix), String(number) == suffix else { return .unknown }
            return (1...slot.count).contains(number)
                ? (slot.numeric ? .numeric : .text) : .slotOutOfRange(max: slot.count)
        }
        return .unknown
    }

    /// How Insights treats a key.
    public enum KeyKind: Equatable, Sendable {
        case text
        case numeric
        case unknown
        /// A custom slot past the last one Insights has (`agent_attribute_4`).
        case slotOutOfRange(max: Int)
    }

    /// Every key Insights reads on `object`, for suggestions.
    static func allKeys(of object: Object) -> [String] {
        var keys: [String]
        switch object {
        case .worker: keys = Array(workerKeys)
        case .conversations: keys = Array(conversationTextKeys.union(conversationNumericKeys))
        case .customers: keys = Array(customerTextKeys.union(customerNumericKeys))
        }
        for slot in object.slotPrefixes { keys += (1...slot.count).map { slot.prefix + String($0) } }
        return keys.sorted()
    }

    /// Why `key` is not an Insights key of `object`, with a suggestion; nil when it is one.
    public static func keyProblem(_ key: String, in object: Object) -> String? {
        switch kind(of: key, in: object) {
        case .text, .numeric: return nil
        case .slotOutOfRange(let max):
            let prefix = object.slotPrefixes.first { key.hasPrefix($0.prefix) }!.prefix
            return "'\(key)' is past the last custom slot: Insights has \(prefix)1 to \(prefix)\(max)"
        case .unknown:
            let others = Object.allCases.filter { $0 != object && kind(of: key, in: $0) != .unknown }
            if let other = others.first {
                return "'\(key)' is not a \(object.displayName) attribute; it belongs \(other.displayPlace)"
            }
            if let suggestion = Spelling.closest(to: key, among: allKeys(of: object)) {
                return "unknown Flex Insights \(object.displayName) attribute '\(key)' (did you mean '\(suggestion)'?)"
            }
            return "unknown Flex Insights \(object.displayName) attribute '\(key)'"
        }
    }
}

extension InsightsSchema.Object {
    var displayName: String {
        switch self {
        case .worker: "worker"
        case .conversations: "conversations"
        case .customers: "customers"
        }
    }

    var displayPlace: String {
        switch self {
        case .worker: "on workers"
        case .conversations: "under 'conversations'"
        case .customers: "under 'customers'"
        }
    }
}
