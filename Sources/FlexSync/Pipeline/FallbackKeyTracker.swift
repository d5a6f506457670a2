/// Values shared on the match keys after the first (`key.match: [customers.external_id,
/// customers.phone, customers.email]`, or `[agent_id, email]`): two valid records with one
/// e-mail or phone are often two people (a shared mailbox, a switchboard), so neither is
/// refused, but a target found by that value alone cannot be told between them — `plan`
/// quarantines such a task — and a review should know. The later record gets a warning that
/// names the first. The first key's duplicates are the dataset's duplicate keys, reported apart.
struct FallbackKeyTracker {
    let keys: [String]
    /// For runs that keep no index of match values: every fallback value of a valid record, by
    /// its 64-bit ``ByteHash``, with the record's row and place; grouped once the run is over,
    /// when it is known which records a later duplicate key made invalid or replaced.
    private var values: [(slot: UInt8, hash: UInt64, row: Int32, first: FirstSeen)] = []
    /// Rows a later duplicate of their own key made invalid or replaced (``supersede(row:)``).
    private var superseded = Set<Int32>()

    init(mapping: Mapping) { keys = Array(mapping.key.match.dropFirst()) }

    /// Notes a valid record's fallback values; `row` numbers the record among all read.
    mutating func observe(_ mapped: MappedRecord, row: Int, file: Int) {
        guard !keys.isEmpty, mapped.isValid, mapped.matchValues.count > 1 else { return }
        // The first match value is the record's identity, checked as the dataset's key.
        for (key, value) in mapped.matchValues.dropFirst() {
            guard let slot = keys.firstIndex(of: key) else { continue }
            values.append(
                (
                    UInt8(slot), RecordStore.hash(value), Int32(clamping: row),
                    FirstSeen(file: file, position: mapped.position, index: nil, invalid: false)
                ))
        }
    }

    /// A record observed valid that a later duplicate of its key made invalid or replaced.
    mutating func supersede(row: Int) { superseded.insert(Int32(clamping: row)) }

    /// The warnings, in file order, for records still valid: each later record sharing a value
    /// with an earlier one. A 64-bit hash stands for the value: two different values sharing
    /// one (about one chance in 10^7 for a million values) would name a record it is not on.
    func problems(files: [String]) -> [Problem] {
        let kept = values.filter { !superseded.contains($0.row) }.sorted {
            ($0.slot, $0.hash, $0.row) < ($1.slot, $1.hash, $1.row)
        }
        var found: [(row: Int32, problem: Problem)] = []
        var start = 0
        while start < kept.count {
            var end = start + 1
            while end < kept.count && kept[end].slot == kept[start].slot && kept[end].hash == kept[start].hash {
                end += 1
            }
            let first = kept[start].first.position(in: files)
            for later in kept[(start + 1)..<end] {
                let key = keys[Int(later.slot)]
                found.append((later.row, problem(key, at: later.first.position(in: files), first: first)))
            }
            start = end
        }
        return found.sorted { $0.row < $1.row }.map(\.problem)
    }

    /// The same warnings from a store that indexes match values (a tasks job's `plan`), once its
    /// index is sealed: no table of its own beside the store's, values compared exactly.
    func problems(in store: RecordStore) -> [Problem] {
        var found: [(number: Int, problem: Problem)] = []
        for key in keys {
            for group in store.validRecordsSharing(key) {
                let first = store.record(group[0])
                for number in group.dropFirst() {
                    found.append((number, problem(key, at: store.record(number).position, first: first.position)))
                }
            }
        }
        // In file order, as the run would have met them.
        return found.sorted { $0.number < $1.number }.map(\.problem)
    }

    /// The warning names the two places, not the value: a run without an index keeps only the
    /// values' hashes, and both places show it.
    private func problem(_ key: String, at position: SourcePosition, first: SourcePosition) -> Problem {
        Problem(
            .warning, position, field: key,
            rule: "duplicate fallback key, also on \(first): a target found by '\(key)' alone cannot be told "
                + "between them (plan quarantines it rather than guess)")
    }
}
