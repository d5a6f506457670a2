extension RecordStore {
    /// A chunk of mapped records written in the store's layout (see ``RecordStore``) by the thread
    /// that mapped them, while their strings are still in that core's cache: read and counted
    /// again on the thread that keeps them, they cost that thread a cache miss for every string
    /// and most of what keeping a record cost. The store adopts the chunk's bytes as one of its
    /// blocks and keeps whichever of its records the validator keeps.
    public struct EncodedRecords: Sendable {
        let bytes: [UInt8]
        /// Where each record's bytes end.
        let ends: [UInt32]
        /// Where each record's entries in `matches` end.
        let matchEnds: [UInt32]
        /// The key number and ``ByteHash`` of each match value, record after record.
        let matches: [(key: UInt32, hash: UInt64)]

        var count: Int { ends.count }

        /// Record `index`'s bytes start here.
        func start(of index: Int) -> Int { index == 0 ? 0 : Int(ends[index - 1]) }
        /// Record `index`'s match entries.
        func matchRange(of index: Int) -> Range<Int> {
            (index == 0 ? 0 : Int(matchEnds[index - 1]))..<Int(matchEnds[index])
        }
    }

    /// Writes records in the store's layout, numbering keys by a fixed list (the mapping's keys,
    /// which are all a record's `set`, `remove`, `keep` and match values name). One thread's: it
    /// keeps its writer's buffer and guesses from chunk to chunk.
    final class Encoder {
        private var writer: Writer

        init(keys: [String]) { writer = Writer(keys: keys) }

        /// The chunk's records in the store's layout; nil when one names a key the list lacks.
        func encode(_ records: [MappedRecord]) -> EncodedRecords? {
            // Written through a local value: a class's stored array is checked for exclusive
            // access on every append.
            var writer = self.writer
            self.writer = Writer(keys: [])
            defer { self.writer = writer }
            return writer.encode(records)
        }
    }

    /// The writing itself. For each place in a record it remembers the key number found there
    /// last, so that a record shaped like the one before costs one comparison per key.
    fileprivate struct Writer {
        let keys: [String]
        private var guesses: [[Int]] = Array(repeating: [], count: Section.allCases.count)
        private var bytes: [UInt8] = []

        init(keys: [String]) { self.keys = keys }

        private enum Section: Int, CaseIterable { case set, remove, keep, match }

        mutating func encode(_ records: [MappedRecord]) -> EncodedRecords? {
            bytes.removeAll(keepingCapacity: true)
            var ends: [UInt32] = []
            ends.reserveCapacity(records.count)
            var matchEnds: [UInt32] = []
            matchEnds.reserveCapacity(records.count)
            var matches: [(key: UInt32, hash: UInt64)] = []
            matches.reserveCapacity(records.count * 2)
            // By index: a `for in` copied every record, counting a reference to each of its arrays.
            for index in records.indices {
                guard write(records[index], matches: &matches) else { return nil }
                ends.append(UInt32(bytes.count))
                matchEnds.append(UInt32(matches.count))
            }
            // An array of exactly the chunk's size: the store keeps it as long as the run.
            return EncodedRecords(bytes: Array(bytes), ends: ends, matchEnds: matchEnds, matches: matches)
        }

        private mutating func write(_ record: MappedRecord, matches: inout [(key: UInt32, hash: UInt64)]) -> Bool {
            put(record.position.line)
            // The record number, and in its lowest bit whether it is an XML record's.
            put(record.position.record << 1 | (record.position.inXML ? 1 : 0))
            put(record.set.count)
            for slot in record.set.indices {
                guard let number = number(of: record.set[slot].key, .set, slot) else { return false }
                put(number)
                put(json: record.set[slot].value)
            }
            put(record.remove.count)
            for (slot, key) in record.remove.enumerated() {
                guard let number = number(of: key, .remove, slot) else { return false }
                put(number)
            }
            put(record.keep.count)
            for (slot, key) in record.keep.enumerated() {
                guard let number = number(of: key, .keep, slot) else { return false }
                put(number)
            }
            put(record.matchValues.count)
            for slot in record.matchValues.indices {
                let match = record.matchValues[slot]
                guard let number = number(of: match.key, .match, slot) else { return false }
                put(number)
                // Match values are usually the normalised value itself (an E.164 phone, a
                // lower-case e-mail): then only where it is.
                if let same = record.set.firstIndex(where: { $0.key == match.key && $0.value.isString(match.value) }) {
                    put(0)
                    put(same)
                } else {
                    put(1)
                    put(match.value)
                }
                matches.append((UInt32(number), RecordStore.hash(match.value)))
            }
            put(record.friendlyName == nil ? 0 : 1)
            if let name = record.friendlyName { put(name) }
            return true
        }

        /// The key's number, tried first where the same place of the record before had it.
        private mutating func number(of key: String, _ section: Section, _ slot: Int) -> Int? {
            if slot < guesses[section.rawValue].count {
                let guess = guesses[section.rawValue][slot]
                if keys[guess] == key { return guess }
            }
            guard let found = keys.firstIndex(of: key) else { return nil }
            while guesses[section.rawValue].count <= slot { guesses[section.rawValue].append(found) }
            guesses[section.rawValue][slot] = found
            return found
        }

        private mutating func put(_ value: Int) {
            var rest = UInt64(max(value, 0))
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }

        private mutating func put(_ text: String) {
            put(text.utf8.count)
            bytes.append(contentsOf: text.utf8)
        }

        /// A value as minified JSON text; a string that needs no escaping (most do not) goes in
        /// without building the text first.
        private mutating func put(json value: JSONValue) {
            guard case .string(var text) = value else {
                put(value.minified)
                return
            }
            let plain = text.withUTF8 { utf8 in
                guard JSONValue.isPlain(utf8) else { return false }
                put(utf8.count + 2)
                bytes.append(UInt8(ascii: "\""))
                bytes.append(contentsOf: utf8)
                bytes.append(UInt8(ascii: "\""))
                return true
            }
            if !plain { put(value.minified) }
        }
    }
}

extension JSONValue {
    /// Whether this is the string `text` (without building a `JSONValue` to compare with).
    fileprivate func isString(_ text: String) -> Bool {
        if case .string(let value) = self { return value == text }
        return false
    }
}
