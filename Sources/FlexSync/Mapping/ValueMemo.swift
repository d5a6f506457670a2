/// What an attribute made of each input text, for attributes that depend on one field alone:
/// exports repeat most values (teams, locations, departments, job titles), and a remembered
/// result costs one hash lookup on the text's bytes instead of the transform pipeline. Columns
/// that barely repeat (IDs, e-mail addresses) switch the memo off after a trial, and it never
/// holds more than `capacity` entries, so memory stays bounded whatever the export.
///
/// One thread's: a ``BoundMapping`` owns its memos, so nothing here is shared or locked.
final class ValueMemo {
    static let capacity = 16_384
    /// Lookups after which a memo that has not paid for itself (a hit on at least a quarter of
    /// them) is switched off.
    static let trial = 4_096
    /// The trial of a memo in front of a costly transform (a phone number's parse by
    /// libphonenumber, about 10 µs): it keeps trying until it is full, since a column of a few
    /// thousand numbers in no particular order repeats only after more than `trial` rows.
    static let costlyTrial = capacity

    /// How many lookups this memo is given to pay for itself.
    let trialLength: Int

    init(trial: Int = ValueMemo.trial) { trialLength = trial }

    private struct Entry {
        var result: Result<MappedValue, TransformFailure>
        /// What a run that keeps only checked values needs of the result, when that is all
        /// there is to it (see ``MappedAttribute/checkOutcome(of:)``).
        var outcome: CheckOutcome?
    }

    private var results = TextTable<Entry>()
    private var lookups = 0
    private var hits = 0
    private(set) var active = true

    /// The remembered result for `text`, if any.
    @inline(__always)
    func lookup(_ text: String) -> Result<MappedValue, TransformFailure>? {
        lookups += 1
        guard let known = results[text] else { return nil }
        hits += 1
        return known.result
    }

    /// The remembered result for the text these UTF-8 bytes spell, if any.
    @inline(__always)
    func lookup(bytes: UnsafeBufferPointer<UInt8>) -> Result<MappedValue, TransformFailure>? {
        lookups += 1
        guard let known = results.withValue(forBytes: bytes, { $0.pointee.result }) else { return nil }
        hits += 1
        return known
    }

    /// The remembered outcome for the text these UTF-8 bytes spell, when the memo has one;
    /// nil leaves the lookup to ``lookup(bytes:)``. The value itself is not copied.
    @inline(__always)
    func outcome(bytes: UnsafeBufferPointer<UInt8>) -> CheckOutcome? {
        guard case .some(.some(let outcome)) = results.withValue(forBytes: bytes, { $0.pointee.outcome }) else {
            return nil
        }
        lookups += 1
        hits += 1
        return outcome
    }

    /// Remembers a result, and its outcome for runs that keep only checked values, while there
    /// is room; ends the memo when the trial says it does not pay.
    func store(_ result: Result<MappedValue, TransformFailure>, outcome: CheckOutcome?, for text: String) {
        if lookups >= trialLength && hits * 4 < lookups {
            active = false
            results = TextTable()
        } else if results.count < Self.capacity {
            results[text] = Entry(result: result, outcome: outcome)
        }
    }
}
