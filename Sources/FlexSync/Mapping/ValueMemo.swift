/// What an attribute made of each input text, for attributes that depend on one field alone:
/// exports repeat most values (teams, locations, departments, job titles), and a remembered
/// result costs one hash lookup on the text's bytes instead of the transform pipeline. Columns
/// that barely repeat (IDs, e-mail addresses) switch the memo off after a trial, and it never
/// holds more than `capacity` entries, so memory stays bounded whatever the export.
final class ValueMemo: @unchecked Sendable {
    static let capacity = 16_384
    /// Lookups after which a memo that has not paid for itself (a hit on at least a quarter of
    /// them) is switched off.
    static let trial = 4_096

    // A mapping runs on one thread at a time (other threads map with replicas, each with its own
    // memos), so neither is shared.
    private var results = TextTable<Result<MappedValue, TransformFailure>>()
    private var lookups = 0
    private var hits = 0
    private(set) var active = true

    /// The remembered result for `text`, if any.
    @inline(__always)
    func lookup(_ text: String) -> Result<MappedValue, TransformFailure>? {
        lookups += 1
        guard let known = results[text] else { return nil }
        hits += 1
        return known
    }

    /// The remembered result for the text these UTF-8 bytes spell, if any.
    @inline(__always)
    func lookup(bytes: UnsafeBufferPointer<UInt8>) -> Result<MappedValue, TransformFailure>? {
        lookups += 1
        guard let known = results.value(forBytes: bytes) else { return nil }
        hits += 1
        return known
    }

    /// Remembers a result while there is room; ends the memo when the trial says it does not pay.
    func store(_ result: Result<MappedValue, TransformFailure>, for text: String) {
        if lookups >= Self.trial && hits * 4 < lookups {
            active = false
            results = TextTable()
        } else if results.count < Self.capacity {
            results[text] = result
        }
    }

    /// Forgets everything: the run's null tokens changed what a text maps to.
    func reset() {
        results = TextTable()
        lookups = 0
        hits = 0
        active = true
    }
}
