/// Mapped records kept compactly, for runs that need every record after validation (`plan`,
/// `apply JOB`, `watch`): each record is a few bytes in shared blocks instead of a structure
/// of arrays and strings, and its match values are indexed by a 64-bit hash. A million CRM
/// records take about a tenth of the memory they take as ``MappedRecord`` values; a record is
/// decoded again only when it is needed (a match, or a workers plan going through them all).
///
/// Layout of one record (`varint` = LEB128): line, record number; then counts and entries of
/// `set` (key number, value as minified JSON), `remove` and `keep` (key numbers), the match
/// values (key number, then 0 and the position of the `set` entry whose text it is, or 1 and the
/// text) and the friendly name (present flag, text). Key numbers index the store's own list of
/// attribute keys; the file is the same for a run of records, and kept once per run.
public struct RecordStore: Sendable {
    /// Why a record is not planned.
    enum State: UInt8 { case valid, invalid, skipped }

    /// Records' bytes in blocks: a chunk's as its mapping thread wrote them
    /// (``EncodedRecords``), or about 1 MiB of records kept one by one, so that growing the store
    /// never copies (and for a moment doubles) everything kept so far; a record lies within one block.
    private var blocks: [[UInt8]] = []
    /// Where each record starts: its block and offset.
    private var starts: [(block: UInt32, offset: UInt32)] = []
    private static let blockSize = 1 << 20
    private var states: [State] = []
    private(set) var keys: [String]
    /// The files records came from, by number.
    var files: [String] = []
    /// From which record on each file's records run (a file's records are kept together).
    private var fileRuns: [(first: Int, file: Int)] = []
    /// Record numbers by the hash of their normalised match value, one index per key number,
    /// when the store indexes match values: built by ``sealIndex()`` from `pending`, the
    /// entries gathered as records were kept (a million inserts at once cost a tenth of a
    /// million inserts one by one, each into a table larger than the cache).
    private var indexes: [MatchIndex] = []
    private var pending: [[UInt64]] = []
    let indexesMatches: Bool

    /// `keys`: the attribute keys records will name (a mapping's, and `friendly_name`), which
    /// chunks encoded beforehand number by; records naming others are still kept.
    public init(indexesMatches: Bool = false, keys: [String] = []) {
        self.indexesMatches = indexesMatches
        self.keys = keys
    }

    /// How many records the store holds, valid or not.
    public var count: Int { starts.count }

    // MARK: Writing

    /// Keeps a record; returns its number.
    @discardableResult
    mutating func append(_ record: MappedRecord) -> Int {
        let named = record.set.map(\.key) + record.remove + record.keep + record.matchValues.map(\.key)
        for key in named where !keys.contains(key) { keys.append(key) }
        // Every key is listed now: the encoding cannot fail.
        guard let encoded = Encoder(keys: keys).encode([record]) else { preconditionFailure("a key left unlisted") }
        let size = encoded.bytes.count
        if blocks.isEmpty || blocks[blocks.count - 1].count + size > blocks[blocks.count - 1].capacity {
            var block: [UInt8] = []
            block.reserveCapacity(max(Self.blockSize, size))
            blocks.append(block)
        }
        let block = blocks.count - 1
        let offset = blocks[block].count
        blocks[block].append(contentsOf: encoded.bytes)
        return keep(record, block: block, offset: offset, encoded: encoded, at: 0)
    }

    /// Takes an encoded chunk's bytes as a block of the store; returns the block's number, for
    /// ``append(_:encoded:block:at:)``.
    mutating func adopt(_ chunk: EncodedRecords) -> Int {
        blocks.append(chunk.bytes)
        return blocks.count - 1
    }

    /// Keeps the record at `index` of an adopted chunk (`record` is that record as the caller
    /// holds it: whether it is valid or skipped, and its file); returns its number.
    @discardableResult
    mutating func append(_ record: MappedRecord, encoded chunk: EncodedRecords, block: Int, at index: Int) -> Int {
        keep(record, block: block, offset: chunk.start(of: index), encoded: chunk, at: index)
    }

    private mutating func keep(
        _ record: MappedRecord, block: Int, offset: Int, encoded: EncodedRecords, at index: Int
    ) -> Int {
        let number = starts.count
        states.append(record.skipped ? .skipped : record.isValid ? .valid : .invalid)
        if files.last != record.position.file {
            files.append(record.position.file)
            fileRuns.append((number, files.count - 1))
        }
        starts.append((UInt32(block), UInt32(offset)))
        if indexesMatches {
            for entry in encoded.matches[encoded.matchRange(of: index)] {
                let keyNumber = Int(entry.key)
                while pending.count <= keyNumber { pending.append([]) }
                pending[keyNumber].append(MatchIndex.entry(number, hash: entry.hash))
            }
        }
        return number
    }

    /// Indexes the match values of the records kept since the last call; ``records(matching:_:)``
    /// finds only records indexed so.
    mutating func sealIndex() {
        for keyNumber in pending.indices where !pending[keyNumber].isEmpty {
            if keyNumber < indexes.count {
                for entry in pending[keyNumber] { indexes[keyNumber].insert(entry) }
            } else {
                while indexes.count < keyNumber { indexes.append(MatchIndex()) }
                indexes.append(MatchIndex(entries: pending[keyNumber]))
            }
            pending[keyNumber] = []
        }
    }

    /// Marks a record invalid (a duplicate found later) or skipped (`on_duplicate: last`).
    mutating func invalidate(_ number: Int) { if states[number] == .valid { states[number] = .invalid } }
    mutating func skip(_ number: Int) { states[number] = .skipped }

    /// The value's ``ByteHash``: a candidate filter, always confirmed on the decoded record.
    static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { ByteHash.of($0) }
    }

    // MARK: Reading

    /// Counts of valid and invalid records (skipped ones are neither).
    var validCount: Int { states.lazy.filter { $0 == .valid }.count }
    var invalidCount: Int { states.lazy.filter { $0 == .invalid }.count }

    /// Every valid record, decoded, in file order.
    public var validRecords: [MappedRecord] {
        states.indices.compactMap { states[$0] == .valid ? record($0) : nil }
    }

    /// The valid records whose match value for `key` is `value` (already normalised).
    func records(matching key: String, _ value: String) -> [MappedRecord] {
        guard let keyNumber = keys.firstIndex(of: key), keyNumber < indexes.count else { return [] }
        return indexes[keyNumber].numbers(for: Self.hash(value)).compactMap { number in
            guard states[Int(number)] == .valid else { return nil }
            let record = record(Int(number))
            return record.matchValues.contains { $0.key == key && $0.value == value } ? record : nil
        }
    }

    /// Groups of valid records sharing one match value for `key` (compared exactly, not by
    /// hash), each in file order, the groups by their first record.
    func validRecordsSharing(_ key: String) -> [[Int]] {
        guard let keyNumber = keys.firstIndex(of: key), keyNumber < indexes.count else { return [] }
        var groups: [[Int]] = []
        for candidates in indexes[keyNumber].sharedTags {
            var byValue: [String: [Int]] = [:]
            for number in candidates.map(Int.init) where states[number] == .valid {
                guard let value = record(number).matchValues.first(where: { $0.key == key })?.value else { continue }
                byValue[value, default: []].append(number)
            }
            groups += byValue.values.filter { $0.count > 1 }
        }
        return groups.sorted { $0[0] < $1[0] }
    }

    /// Decodes record `number`.
    func record(_ number: Int) -> MappedRecord {
        let start = starts[number]
        var reader = Reader(bytes: blocks[Int(start.block)], offset: Int(start.offset))
        let file = files[file(of: number)]
        let line = reader.int()
        let numbered = reader.int()
        var record = MappedRecord(
            position: SourcePosition(file: file, line: line, record: numbered >> 1, inXML: numbered & 1 == 1))
        for _ in 0..<reader.int() {
            let key = keys[reader.int()]
            record.set.append((key, (try? JSONValue.parse(bytes: reader.chunk())) ?? .null))
        }
        for _ in 0..<reader.int() { record.remove.append(keys[reader.int()]) }
        for _ in 0..<reader.int() { record.keep.append(keys[reader.int()]) }
        for _ in 0..<reader.int() {
            let key = keys[reader.int()]
            let value = reader.int() == 0 ? record.set[reader.int()].value.displayText : reader.text()
            record.matchValues.append((key, value))
        }
        if reader.int() == 1 { record.friendlyName = reader.text() }
        record.skipped = states[number] == .skipped
        return record
    }

    /// The number of the file record `number` came from: that of the last run starting at or before it.
    private func file(of number: Int) -> Int {
        var low = 0
        var high = fileRuns.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if fileRuns[middle].first <= number { low = middle } else { high = middle - 1 }
        }
        return fileRuns[low].file
    }

    /// Reads one record's fields back in the order they were put.
    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func int() -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return Int(value) }
                shift += 7
            }
        }

        mutating func chunk() -> [UInt8] {
            let count = int()
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func text() -> String { String(decoding: chunk(), as: UTF8.self) }
    }
}
