/// Mapped records kept compactly, for runs that need every record after validation (`plan`,
/// `apply JOB`, `watch`): each record is a few bytes in shared blocks instead of a structure
/// of arrays and strings, and its match values are indexed by a 64-bit hash. A million CRM
/// records take about a tenth of the memory they take as ``MappedRecord`` values; a record is
/// decoded again only when it is needed (a match, or a workers plan going through them all).
///
/// Layout of one record (`varint` = LEB128): file, line, record number; then counts and entries
/// of `set` (key number, value as minified JSON), `remove` and `keep` (key numbers), the match
/// values (key number, then 0 and the position of the `set` entry whose text it is, or 1 and the
/// text) and the friendly name (present flag, text). Key numbers index the store's own list of
/// attribute keys.
public struct RecordStore: Sendable {
    /// Why a record is not planned.
    enum State: UInt8 { case valid, invalid, skipped }

    /// Records' bytes in blocks of about 1 MiB, so that growing the store never copies (and for
    /// a moment doubles) everything kept so far; a record lies within one block.
    private var blocks: [[UInt8]] = []
    /// Where each record starts: its block and offset.
    private var starts: [(block: UInt32, offset: UInt32)] = []
    /// The record being written, before it goes into a block.
    private var bytes: [UInt8] = []
    private static let blockSize = 1 << 20
    private var states: [State] = []
    private var keys: [String] = []
    /// The files records came from, by number.
    var files: [String] = []
    /// Record numbers by the hash of their normalised match value, one index per key number,
    /// when the store indexes match values: built by ``sealIndex()`` from `pending`, the
    /// entries gathered as records were kept (a million inserts at once cost a tenth of a
    /// million inserts one by one, each into a table larger than the cache).
    private var indexes: [MatchIndex] = []
    private var pending: [[UInt64]] = []
    let indexesMatches: Bool

    public init(indexesMatches: Bool = false) { self.indexesMatches = indexesMatches }

    /// How many records the store holds, valid or not.
    public var count: Int { starts.count }

    // MARK: Writing

    /// Keeps a record; returns its number.
    @discardableResult
    mutating func append(_ record: MappedRecord) -> Int {
        let number = starts.count
        bytes.removeAll(keepingCapacity: true)
        states.append(record.skipped ? .skipped : record.isValid ? .valid : .invalid)
        if files.last != record.position.file { files.append(record.position.file) }
        put(files.count - 1)
        put(record.position.line)
        // The record number, and in its lowest bit whether it is an XML record's.
        put(record.position.record << 1 | (record.position.inXML ? 1 : 0))
        put(record.set.count)
        for (key, value) in record.set {
            put(keyNumber(key))
            put(json: value)
        }
        put(record.remove.count)
        for key in record.remove { put(keyNumber(key)) }
        put(record.keep.count)
        for key in record.keep { put(keyNumber(key)) }
        put(record.matchValues.count)
        for (key, value) in record.matchValues {
            let keyNumber = keyNumber(key)
            put(keyNumber)
            // Match values are usually the normalised value itself (an E.164 phone, a
            // lower-case e-mail): then only where it is.
            if let same = record.set.firstIndex(where: { $0.key == key && $0.value.isString(value) }) {
                put(0)
                put(same)
            } else {
                put(1)
                put(value)
            }
            if indexesMatches {
                while pending.count <= keyNumber { pending.append([]) }
                pending[keyNumber].append(MatchIndex.entry(number, hash: Self.hash(value)))
            }
        }
        put(record.friendlyName == nil ? 0 : 1)
        if let name = record.friendlyName { put(name) }
        if blocks.isEmpty || blocks[blocks.count - 1].count + bytes.count > blocks[blocks.count - 1].capacity {
            var block: [UInt8] = []
            block.reserveCapacity(max(Self.blockSize, bytes.count))
            blocks.append(block)
        }
        let block = blocks.count - 1
        starts.append((UInt32(block), UInt32(blocks[block].count)))
        blocks[block].append(contentsOf: bytes)
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

    private mutating func keyNumber(_ key: String) -> Int {
        // A mapping has a few keys, all from the same strings: a scan beats hashing each one.
        if let number = keys.firstIndex(of: key) { return number }
        keys.append(key)
        return keys.count - 1
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

    /// Decodes record `number`.
    func record(_ number: Int) -> MappedRecord {
        let start = starts[number]
        var reader = Reader(bytes: blocks[Int(start.block)], offset: Int(start.offset))
        let file = files[reader.int()]
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

extension JSONValue {
    /// Whether this is the string `text` (without building a `JSONValue` to compare with).
    fileprivate func isString(_ text: String) -> Bool {
        if case .string(let value) = self { return value == text }
        return false
    }
}
