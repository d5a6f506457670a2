import Foundation

/// A hash table from texts to values that compares texts by their UTF-8 bytes.
///
/// `Dictionary<String, _>` hashes with SipHash and compares under Unicode canonical equivalence,
/// which for non-ASCII text (half the names and every `München` of an export) means normalising
/// each key on every lookup. Keys here come straight from exports, and two spellings of the same
/// text that differ only in normalisation may simply be two entries, so bytes are enough: an
/// FNV-1a hash, open addressing with linear probing, stored hashes so growing never rehashes text.
struct TextTable<Value> {
    private var hashes: [UInt64]
    private var keys: [String]
    private var values: [Value?]
    private var mask: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 16) {
        var slots = 16
        while slots < 2 * minimumCapacity { slots *= 2 }
        hashes = Array(repeating: 0, count: slots)
        keys = Array(repeating: "", count: slots)
        values = Array(repeating: nil, count: slots)
        mask = slots - 1
    }

    /// FNV-1a of the text's UTF-8 bytes, never 0 (which marks an empty slot).
    static func hash(_ text: String) -> UInt64 {
        if let hash = text.utf8.withContiguousStorageIfAvailable(hash(bytes:)) { return hash }
        return hash(bytes: Array(text.utf8).withUnsafeBufferPointer { $0 })
    }

    @inline(__always)
    static func hash(bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash == 0 ? 1 : hash
    }

    /// The value stored under the text these UTF-8 bytes spell, without building the text.
    func value(forBytes bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        let hash = Self.hash(bytes: bytes)
        var index = Self.start(hash) & mask
        while true {
            let stored = hashes[index]
            if stored == 0 { return nil }
            if stored == hash, keys[index].utf8.withContiguousStorageIfAvailable({ key in
                key.count == bytes.count && (key.count == 0 || memcmp(key.baseAddress!, bytes.baseAddress!, key.count) == 0)
            }) ?? keys[index].utf8.elementsEqual(bytes) {
                return values[index]
            }
            index = (index + 1) & mask
        }
    }

    /// Where probing starts: the hash's high half folded into the low bits the mask keeps.
    private static func start(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash ^ (hash >> 32)) }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        if let same = a.utf8.withContiguousStorageIfAvailable({ left in
            b.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && (left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }), let same { return same }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func slot(of key: String, hash: UInt64) -> Int {
        var index = Self.start(hash) & mask
        while true {
            let stored = hashes[index]
            if stored == 0 || (stored == hash && Self.sameBytes(keys[index], key)) { return index }
            index = (index + 1) & mask
        }
    }

    subscript(key: String) -> Value? {
        get {
            let index = slot(of: key, hash: Self.hash(key))
            return hashes[index] == 0 ? nil : values[index]
        }
        set {
            guard let newValue else { preconditionFailure("TextTable does not remove keys") }
            let hash = Self.hash(key)
            var index = slot(of: key, hash: hash)
            if hashes[index] == 0 {
                if 2 * (count + 1) > hashes.count {
                    grow()
                    index = slot(of: key, hash: hash)
                }
                hashes[index] = hash
                keys[index] = key
                count += 1
            }
            values[index] = newValue
        }
    }

    private mutating func grow() {
        let oldHashes = hashes, oldKeys = keys, oldValues = values
        let slots = 2 * hashes.count
        hashes = Array(repeating: 0, count: slots)
        keys = Array(repeating: "", count: slots)
        values = Array(repeating: nil, count: slots)
        mask = slots - 1
        for index in oldHashes.indices where oldHashes[index] != 0 {
            var target = Self.start(oldHashes[index]) & mask
            while hashes[target] != 0 { target = (target + 1) & mask }
            hashes[target] = oldHashes[index]
            keys[target] = oldKeys[index]
            values[target] = oldValues[index]
        }
    }
}
