import Testing

@testable import FlexSync

/// Records kept compactly come back exactly as they went in, and are found by their match values.
struct RecordStoreTests {
    static func record(_ n: Int, valid: Bool = true) -> MappedRecord {
        // XML positions (the later file) keep their kind, which names the record in messages.
        var record = MappedRecord(
            position: SourcePosition(file: n < 3 ? "a.csv" : "b.xml", line: n + 2, record: n + 1, inXML: n >= 3))
        record.set = [
            ("customers.external_id", .string("C\(n)")), ("customers.email", .string("c\(n)@example.com")),
            ("customers.business_value", .number(JSONNumber(literal: "1337.50"))),
            ("customers.name", .string("Zoë \"Z\" \(n)"))
        ]
        record.remove = n % 2 == 0 ? ["customers.phone"] : []
        record.keep = n % 3 == 0 ? ["customers.zip"] : []
        // A match value that is not the set value's text (friendly names fold case).
        record.matchValues = [
            ("customers.external_id", "C\(n)"), ("customers.email", "c\(n)@example.com"), ("friendly_name", "zoë \(n)")
        ]
        record.friendlyName = n % 2 == 0 ? "Zoë \(n)" : nil
        if !valid { record.problems = [Problem(.error, record.position, field: "x", rule: "bad")] }
        return record
    }

    static func same(_ a: MappedRecord, _ b: MappedRecord) -> Bool {
        a.position == b.position && a.set.count == b.set.count
            && zip(a.set, b.set).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            && a.remove == b.remove && a.keep == b.keep && a.friendlyName == b.friendlyName
            && a.matchValues.map(\.key) == b.matchValues.map(\.key)
            && a.matchValues.map(\.value) == b.matchValues.map(\.value)
    }

    @Test func recordsRoundTripAndStatesFilterThem() {
        var store = RecordStore(indexesMatches: true)
        for n in 0..<6 { store.append(Self.record(n, valid: n != 4)) }
        store.invalidate(1)
        store.skip(2)
        #expect(store.count == 6 && store.validCount == 3 && store.invalidCount == 2)
        let valid = store.validRecords
        #expect(valid.map(\.position.record) == [1, 4, 6])
        for record in valid { #expect(Self.same(record, Self.record(record.position.record - 1))) }
    }

    @Test func matchValuesAreFoundOnlyOnValidRecords() {
        var store = RecordStore(indexesMatches: true)
        for n in 0..<300 { store.append(Self.record(n)) }
        store.append(Self.record(7))  // a second record sharing C7
        store.invalidate(9)
        store.sealIndex()
        #expect(store.records(matching: "customers.email", "c42@example.com").map(\.position.record) == [43])
        #expect(store.records(matching: "customers.external_id", "C7").count == 2)
        #expect(store.records(matching: "customers.external_id", "C9").isEmpty)
        #expect(store.records(matching: "friendly_name", "zoë 12").map(\.position.line) == [14])
        #expect(store.records(matching: "customers.email", "nobody@example.com").isEmpty)
        #expect(store.records(matching: "customers.phone", "+15550000000").isEmpty)
    }

    /// Records spread over many blocks, one of them larger than a block, read back whole.
    @Test func recordsAcrossBlocksReadBackWhole() {
        var store = RecordStore(indexesMatches: true)
        var big = Self.record(5_000)
        big.set[3] = ("customers.name", .string(String(repeating: "é", count: 800_000)))
        for n in 0..<20_000 { store.append(n == 5_000 ? big : Self.record(n)) }
        store.sealIndex()
        let valid = store.validRecords
        #expect(valid.count == 20_000)
        #expect(
            Self.same(valid[5_000], big) && Self.same(valid[19_999], Self.record(19_999))
                && Self.same(valid[4_999], Self.record(4_999)))
        #expect(store.records(matching: "customers.email", "c12345@example.com").map(\.position.record) == [12_346])
    }

    /// Records kept after the index was sealed are found once it is sealed again, also by a
    /// match key the first records did not have.
    @Test func recordsKeptAfterSealingAreIndexedByTheNextSeal() {
        var store = RecordStore(indexesMatches: true)
        for n in 0..<100 { store.append(Self.record(n)) }
        store.sealIndex()
        for n in 100..<5_000 {
            var record = Self.record(n)
            if n == 4_321 { record.matchValues.append(("customers.phone", "+15550104321")) }
            store.append(record)
        }
        #expect(store.records(matching: "customers.external_id", "C4000").isEmpty)
        store.sealIndex()
        #expect(store.records(matching: "customers.external_id", "C4000").map(\.position.record) == [4_001])
        #expect(store.records(matching: "customers.external_id", "C42").map(\.position.record) == [43])
        #expect(store.records(matching: "customers.phone", "+15550104321").map(\.position.record) == [4_322])
    }
}

extension RecordStoreTests {
    /// Chunks encoded beforehand (as mapping threads do) keep the same records as one-by-one
    /// appends: only those the caller keeps, across files, found by their match values; a chunk
    /// naming a key the list lacks is not encoded, and its records are still kept one by one.
    @Test func encodedChunksKeepWhatOneByOneAppendsKeep() throws {
        let keys =
            ["customers.external_id", "customers.email", "customers.business_value", "customers.name"]
            + ["customers.phone", "customers.zip", "friendly_name"]
        var appended = RecordStore(indexesMatches: true, keys: keys)
        var encoded = RecordStore(indexesMatches: true, keys: keys)
        let encoder = RecordStore.Encoder(keys: keys)
        let records = (0..<9).map { Self.record($0, valid: $0 != 5) }
        for chunk in [Array(records[0..<3]), Array(records[3..<9])] {
            let made = try #require(encoder.encode(chunk))
            #expect(made.count == chunk.count)
            let block = encoded.adopt(made)
            // The validator leaves some records out (skipped, or a duplicate under 'first').
            for (index, record) in chunk.enumerated() where record.position.record != 7 {
                encoded.append(record, encoded: made, block: block, at: index)
                appended.append(record)
            }
        }
        var other = Self.record(9)
        other.set.append(("customers.segment", .string("Gold")))
        #expect(encoder.encode([other]) == nil)
        encoded.append(other)
        appended.append(other)
        encoded.sealIndex()
        appended.sealIndex()
        #expect(encoded.count == 9 && encoded.validCount == appended.validCount)
        #expect(encoded.validRecords.map(\.position) == appended.validRecords.map(\.position))
        for (a, b) in zip(encoded.validRecords, appended.validRecords) { #expect(Self.same(a, b)) }
        #expect(
            encoded.validRecords.map(\.position.file) == Array(repeating: "a.csv", count: 3)
                + Array(repeating: "b.xml", count: 5))
        #expect(encoded.records(matching: "customers.email", "c4@example.com").map(\.position.record) == [5])
        #expect(encoded.records(matching: "customers.external_id", "C6").isEmpty)
        #expect(encoded.records(matching: "friendly_name", "zoë 8").map(\.position.record) == [9])
        #expect(encoded.validRecords.last?.set.last?.key == "customers.segment")
    }
}

/// The hash index gives back every record inserted with a hash, in insertion order, however it
/// was built; hashes that share the kept 32 bits are candidates of each other, not lost.
struct MatchIndexTests {
    @Test func builtAtOnceOrOneByOneItFindsTheSameRecords() {
        var hashes: [UInt64] = []
        var generator = SeededGenerator(state: 2026)
        for _ in 0..<20_000 { hashes.append(generator.next()) }
        // Some values shared by several records, and a hash sharing the 32 bits kept with another.
        let shared = hashes[17]
        let twin = hashes[99] ^ (0x1234_5678 << 32 | 0x1234_5678)
        let numbered = hashes + [shared, shared, twin]
        let built = MatchIndex(entries: numbered.enumerated().map { MatchIndex.entry($0.offset, hash: $0.element) })
        var incremental = MatchIndex()
        for (number, hash) in numbered.enumerated() { incremental.insert(MatchIndex.entry(number, hash: hash)) }
        for index in [built, incremental] {
            #expect(index.numbers(for: hashes[5]) == [5])
            #expect(index.numbers(for: hashes[19_999]) == [19_999])
            #expect(index.numbers(for: shared) == [17, 20_000, 20_001])
            #expect(index.numbers(for: hashes[99]) == [99, 20_002])
            #expect(index.numbers(for: twin) == [99, 20_002])
            let absent = (0..<1_000).map { _ in generator.next() as UInt64 }.filter { hash in
                !numbered.contains { MatchIndex.tag($0) == MatchIndex.tag(hash) }
            }
            #expect(absent.allSatisfy { index.numbers(for: $0).isEmpty })
            #expect(numbered.indices.allSatisfy { index.numbers(for: numbered[$0]).contains(Int32($0)) })
        }
    }
}
