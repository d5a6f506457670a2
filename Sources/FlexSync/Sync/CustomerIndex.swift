/// Valid CRM records found by their match keys (`customers.external_id`, `customers.phone` as
/// E.164, `customers.email` case-folded): the export's compact record store, indexed as it was
/// read, or a list of records (a canary's `--only`/`--limit` selection) indexed here. `watch`
/// keeps one for the whole day and matches each new task with a few hash lookups.
public struct CustomerIndex: Sendable {
    private enum Source: Sendable {
        case store(RecordStore)
        case records([MappedRecord], [String: [String: [Int]]])
    }

    private let source: Source

    /// The records of a validation (indexed as they were kept).
    public init(store: RecordStore) { source = .store(store) }

    public init(records: [MappedRecord]) {
        var byKey: [String: [String: [Int]]] = [:]
        for (position, record) in records.enumerated() {
            for (key, value) in record.matchValues { byKey[key, default: [:]][value, default: []].append(position) }
        }
        source = .records(records, byKey)
    }

    /// The records whose `key` normalises to `value`'s normal form.
    func records(_ key: String, _ value: String) -> [MappedRecord] {
        let normalised = MappedRecord.normalizedMatch(value, key: key)
        switch source {
        case .store(let store): return store.records(matching: key, normalised)
        case .records(let records, let byKey): return (byKey[key]?[normalised] ?? []).map { records[$0] }
        }
    }
}
