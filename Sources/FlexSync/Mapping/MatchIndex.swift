/// Record numbers by a 32-bit hash of a match value, for ``RecordStore``: open addressing over
/// one flat array of 8-byte slots (hash in the high half, record number in the low half), so an
/// insert or a lookup touches one cache line where a dictionary of dictionaries touches several
/// and a million CRM records take 16 MiB per match key. A hash is a candidate filter only: the
/// store confirms each candidate on the decoded record. Records sharing a hash (the same value
/// on several rows, or a collision) are listed in `more`; their slot holds the list's number,
/// negated.
struct MatchIndex: Sendable {
    private var slots: [UInt64]
    private var more: [[Int32]] = []
    private var used = 0
    /// 64 − log2(slot count): the home slot is the top bits of the hash times the golden ratio.
    private var shift: UInt64

    init() {
        slots = Array(repeating: 0, count: 1 << 10)
        shift = 64 - 10
    }

    /// An index of `entries` (each ``entry(_:hash:)``), built at once: sized for them, and filled
    /// in the order of their home slots, so that a million inserts walk the table once instead of
    /// each waiting for a cache miss. Records sharing a hash keep the order they have in `entries`.
    init(entries: [UInt64]) {
        var bits = 10
        while (1 << bits) * 7 < entries.count * 10 { bits += 1 }
        slots = Array(repeating: 0, count: 1 << bits)
        shift = UInt64(64 - bits)
        // A stable counting sort by the top bits of the home slot.
        let bucketBits = min(bits, 16)
        let bucketShift = UInt64(64 - bucketBits)
        var starts = [Int](repeating: 0, count: (1 << bucketBits) + 1)
        func bucket(_ entry: UInt64) -> Int {
            Int(truncatingIfNeeded: ((entry >> 32) &* 0x9E37_79B9_7F4A_7C15) >> bucketShift)
        }
        for entry in entries { starts[bucket(entry) + 1] += 1 }
        for index in 1..<starts.count { starts[index] += starts[index - 1] }
        var sorted = [UInt64](repeating: 0, count: entries.count)
        for entry in entries {
            let target = bucket(entry)
            sorted[starts[target]] = entry
            starts[target] += 1
        }
        for entry in sorted { insert(entry) }
    }

    /// A record number with its value's hash, as ``init(entries:)`` takes them.
    static func entry(_ number: Int, hash: UInt64) -> UInt64 {
        // Negative numbers in a slot name a `more` list: a record number must fit in 31 bits.
        precondition(number >= 0 && number <= Int(Int32.max), "record number \(number) beyond the index's range")
        return tag(hash) << 32 | UInt64(UInt32(truncatingIfNeeded: number))
    }

    /// The hash kept for a value's 64-bit hash: never 0, which marks an empty slot.
    static func tag(_ hash: UInt64) -> UInt64 { (hash ^ (hash >> 32)) & 0xFFFF_FFFF | 1 }

    private func home(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// Adds one ``entry(_:hash:)``.
    mutating func insert(_ newEntry: UInt64) {
        if (used + 1) * 10 > slots.count * 7 { grow() }
        let tag = newEntry >> 32
        let number = Int32(bitPattern: UInt32(truncatingIfNeeded: newEntry))
        let mask = slots.count - 1
        var slot = home(tag)
        while true {
            let current = slots[slot]
            if current == 0 {
                slots[slot] = newEntry
                used += 1
                return
            }
            if current >> 32 == tag {
                let first = Int32(bitPattern: UInt32(truncatingIfNeeded: current))
                if first >= 0 {
                    more.append([first, number])
                    slots[slot] = tag << 32 | UInt64(UInt32(bitPattern: -Int32(more.count)))
                } else {
                    more[Int(-first) - 1].append(number)
                }
                return
            }
            slot = (slot + 1) & mask
        }
    }

    /// The lists of records inserted with one tag (the same value, or values whose hashes share
    /// the tag), each in insertion order.
    var sharedTags: [[Int32]] { more }

    /// The records inserted with `hash`, in insertion order (and perhaps others sharing its tag).
    func numbers(for hash: UInt64) -> [Int32] {
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        var slot = home(tag)
        while true {
            let current = slots[slot]
            if current == 0 { return [] }
            if current >> 32 == tag {
                let first = Int32(bitPattern: UInt32(truncatingIfNeeded: current))
                return first >= 0 ? [first] : more[Int(-first) - 1]
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for current in old where current != 0 {
            var slot = home(current >> 32)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = current
        }
    }
}
