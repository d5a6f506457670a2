/// Valid CRM records indexed by their match keys (`customers.external_id`, `customers.phone` as
/// E.164, `customers.email` case-folded): built once per export, so that `watch` matches each
/// new task with a few hash lookups instead of going through the export again.
public struct CustomerIndex: Sendable {
    public let records: [MappedRecord]
    /// Match key → normalised value → positions in `records`.
    let byKey: [String: [String: [Int]]]

    public init(records: [MappedRecord]) {
        self.records = records
        var byKey: [String: [String: [Int]]] = [:]
        for (position, record) in records.enumerated() {
            for (key, value) in record.matchValues { byKey[key, default: [:]][value, default: []].append(position) }
        }
        self.byKey = byKey
    }

    /// The records whose `key` normalises to `value`'s normal form.
    func records(_ key: String, _ value: String) -> [Int]? {
        byKey[key]?[MappedRecord.normalizedMatch(value, key: key)]
    }
}
