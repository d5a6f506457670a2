import CMemory
import Foundation

/// A hash table from texts to values that compares texts by their UTF-8 bytes.
///
/// `Dictionary<String, _>` hashes with SipHash and compares under Unicode canonical equivalence,
/// which for non-ASCII text (half the names and every `München` of an export) means normalising
/// each key on every lookup. Keys here come straight from exports, and two spellings of the same
/// text that differ only in normalisation may simply be two entries, so bytes are enough: an
/// word-at-a-time hash, open addressing with linear probing, and the keys' bytes kept in one buffer of
/// the table's own. A lookup counts no references (only the value it returns), which matters
/// because memos are asked eight times a row.
final class TextTable<Value> {
    private struct Slot {
        /// 0 marks an empty slot.
        var hash: UInt64
        var keyStart: Int
        var keyCount: Int
    }

    private var slots: UnsafeMutablePointer<Slot>
    private var values: UnsafeMutablePointer<Value>
    private var capacity: Int
    private var keyBytes: UnsafeMutablePointer<UInt8>
    private var keyBytesCount = 0
    private var keyBytesCapacity: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var capacity = 16
        while capacity < 2 * minimumCapacity { capacity *= 2 }
        self.capacity = capacity
        slots = HugePages.allocate(Slot.self, capacity: capacity)
        slots.initialize(repeating: Slot(hash: 0, keyStart: 0, keyCount: 0), count: capacity)
        values = HugePages.allocate(Value.self, capacity: capacity)
        keyBytesCapacity = 16 * capacity
        keyBytes = .allocate(capacity: keyBytesCapacity)
    }

    deinit {
        // Only occupied slots hold values; a walk over the slots' hashes costs a few milliseconds
        // even for a million keys.
        for index in 0..<capacity where slots[index].hash != 0 { (values + index).deinitialize(count: 1) }
        slots.deallocate()
        values.deallocate()
        keyBytes.deallocate()
    }

    /// ``ByteHash/of(_:)``.
    @inline(__always)
    static func hash(bytes: UnsafeBufferPointer<UInt8>) -> UInt64 { ByteHash.of(bytes) }

    /// Where probing starts: the hash's high half folded into the low bits the mask keeps.
    @inline(__always)
    private func start(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (capacity - 1) }

    /// The slot holding the key with these bytes, or the empty slot where it would go.
    @inline(__always)
    private func slot(of bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int {
        var index = start(hash)
        while true {
            let slot = slots[index]
            if slot.hash == 0 { return index }
            if slot.hash == hash && slot.keyCount == bytes.count
                && (bytes.count == 0 || memcmp(keyBytes + slot.keyStart, bytes.baseAddress!, bytes.count) == 0)
            {
                return index
            }
            index = (index + 1) & (capacity - 1)
        }
    }

    /// `body` applied to the value stored under the text these UTF-8 bytes spell, in place: the
    /// text is not built, and reading part of a value copies (and counts references to) nothing
    /// else of it.
    @inline(__always)
    func withValue<Part>(forBytes bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<Value>) -> Part) -> Part? {
        let index = slot(of: bytes, hash: Self.hash(bytes: bytes))
        return slots[index].hash == 0 ? nil : body(values + index)
    }

    /// Starts fetching the memory a lookup of `key` starts at, so that it is in cache when the
    /// lookup comes. Worth it for tables far larger than the cache, ahead of many lookups: the
    /// fetches overlap, where lookups amid other work wait for one miss at a time.
    func warm(_ key: String) {
        var key = key
        let index = key.withUTF8 { start(Self.hash(bytes: $0)) }
        fs_prefetch(slots + index)
        fs_prefetch(values + index)
    }

    subscript(key: String) -> Value? {
        get {
            var key = key
            return key.withUTF8 { withValue(forBytes: $0) { $0.pointee } }
        }
        set {
            guard let newValue else { preconditionFailure("TextTable does not remove keys") }
            var key = key
            key.withUTF8 { store(newValue, forBytes: $0) }
        }
    }

    private func store(_ value: Value, forBytes bytes: UnsafeBufferPointer<UInt8>) {
        let hash = Self.hash(bytes: bytes)
        var index = slot(of: bytes, hash: hash)
        if slots[index].hash != 0 {
            values[index] = value
            return
        }
        if 2 * (count + 1) > capacity {
            grow()
            index = slot(of: bytes, hash: hash)
        }
        if keyBytesCount + bytes.count > keyBytesCapacity {
            var newCapacity = 2 * keyBytesCapacity
            while keyBytesCount + bytes.count > newCapacity { newCapacity *= 2 }
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            moved.update(from: keyBytes, count: keyBytesCount)
            keyBytes.deallocate()
            keyBytes = moved
            keyBytesCapacity = newCapacity
        }
        if let base = bytes.baseAddress { (keyBytes + keyBytesCount).update(from: base, count: bytes.count) }
        slots[index] = Slot(hash: hash, keyStart: keyBytesCount, keyCount: bytes.count)
        (values + index).initialize(to: value)
        keyBytesCount += bytes.count
        count += 1
    }

    private func grow() {
        let oldSlots = slots
        let oldValues = values
        let oldCapacity = capacity
        capacity *= 2
        slots = HugePages.allocate(Slot.self, capacity: capacity)
        slots.initialize(repeating: Slot(hash: 0, keyStart: 0, keyCount: 0), count: capacity)
        values = HugePages.allocate(Value.self, capacity: capacity)
        for index in 0..<oldCapacity where oldSlots[index].hash != 0 {
            var target = start(oldSlots[index].hash)
            while slots[target].hash != 0 { target = (target + 1) & (capacity - 1) }
            slots[target] = oldSlots[index]
            (values + target).moveInitialize(from: oldValues + index, count: 1)
        }
        oldSlots.deallocate()
        oldValues.deallocate()
    }
}

/// The hash of texts' bytes that ``TextTable`` and the record store's match index share.
enum ByteHash {
    /// A hash of UTF-8 bytes, never 0: eight bytes to a multiply (a byte to a multiply, as FNV-1a
    /// takes them, made the memos' lookups a tenth of validate's time), the tail's bytes and the
    /// length mixed in last, then the bits spread so that the low ones probing uses depend on all.
    @inline(__always)
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(base[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        hash = hash &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 32
        return hash == 0 ? 1 : hash
    }
}
