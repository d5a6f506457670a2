/// Where a record came from: the file, the line it starts on, and its 1-based record number.
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var record: Int
    /// An XML record: several can start on one line (an API's feed or a minified export is often
    /// one line), so messages name the record as well.
    public var inXML: Bool

    public init(file: String, line: Int, record: Int, inXML: Bool = false) {
        self.file = file
        self.line = line
        self.record = record
        self.inXML = inXML
    }

    /// `file:line`, or `file:line (record N)` for XML, the prefix of every message about this record.
    public var description: String { inXML ? "\(file):\(line) (record \(record))" : "\(file):\(line)" }
}

/// One value of a record: a single text (CSV cell, XML text or attribute), or every match of a
/// repeated XML element when the source asks for a list.
public enum FieldValue: Sendable, Equatable {
    case text(String)
    case list([String])

    /// The value as one string: a list's first item.
    public var firstText: String? {
        switch self {
        case .text(let text): text
        case .list(let items): items.first
        }
    }
}

/// The field names shared by every record of one source, with a name → index table built once.
public final class RecordSchema: Sendable {
    public let names: [String]
    private let index: [String: Int]

    public init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }

    /// The position of a field, or nil when the source has no such field.
    public func position(of name: String) -> Int? { index[name] }
}

/// A record from any source: named values and where it came from. CSV and XML both yield this,
/// so mappings never care which format the data had.
///
/// Building, handing over and freeing records is most of what reading a CSV file costs, so a
/// record is one reference to storage shared by its batch (the texts, the schema, the file name)
/// plus where its values start, and copying it counts one reference.
public struct Record: Sendable {
    private let block: TextBlock
    private let start: Int
    /// How many values the record holds.
    public let count: Int
    private let line: Int
    private let number: Int

    /// The field names.
    public var schema: RecordSchema { block.schema }
    /// The file, the line the record starts on, and its record number.
    public var position: SourcePosition {
        SourcePosition(file: block.file, line: line, record: number, inXML: block.inXML)
    }

    public init(schema: RecordSchema, values: [FieldValue?], position: SourcePosition) {
        var texts: [String] = []
        texts.reserveCapacity(values.count)
        var absent = Set<Int>()
        var lists: [Int: [String]] = [:]
        for (index, value) in values.enumerated() {
            switch value {
            case .text(let text)?: texts.append(text)
            case .list(let items)?:
                texts.append("")
                lists[index] = items
            case nil:
                texts.append("")
                absent.insert(index)
            }
        }
        block = TextBlock(
            texts, schema: schema, file: position.file, absent: absent, lists: lists, inXML: position.inXML)
        start = 0
        count = texts.count
        line = position.line
        number = position.record
    }

    /// A record of texts only (CSV): `count` texts of `block` from `start`.
    init(block: TextBlock, start: Int, count: Int, line: Int, number: Int) {
        self.block = block
        self.start = start
        self.count = count
        self.line = line
        self.number = number
    }

    /// For a CSV row handed on although its field count is not the header's
    /// (``CSVOptions/malformedRowsAsRecords``): how many fields it has. Its values cannot be
    /// trusted to sit in their columns.
    public var malformedFieldCount: Int? { block.malformed.isEmpty ? nil : block.malformed[start] }

    /// Values in schema order; nil where an XML element or attribute was absent.
    public var values: [FieldValue?] { (0..<count).map { self.value(at: $0) } }

    @inline(__always)
    private func value(at index: Int) -> FieldValue? {
        if block.hasExtras {
            if let items = block.lists[index] { return .list(items) }
            if block.absent.contains(index) { return nil }
        }
        return .text(block.text(at: start + index))
    }

    /// The identity of the record's schema, compared by a mapping bound to one schema (without
    /// counting a reference to the schema, which every mapping thread shares).
    var schemaID: ObjectIdentifier { block.schemaID }

    /// Runs `body` on the bytes of the value at `column` when they can be had without building a
    /// string (a CSV value without doubled quotes); nil otherwise, or when the record has no such
    /// column (`column` is -1 for a field the schema lacks).
    @inline(__always)
    /// Whether the values are a CSV row's bytes (an XML record's are texts).
    var isFromBytes: Bool { block.fromBytes }

    func withPlainBytes<R>(atColumn column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard block.fromBytes, column >= 0, column < count else { return nil }
        let extent = block.extents[start + column]
        guard !extent.escaped else { return nil }
        return block.bytes.withUnsafeBufferPointer { bytes in
            body(UnsafeBufferPointer(rebasing: bytes[extent.start..<extent.end]))
        }
    }

    /// Whether a CSV field of the row was written without quotes yet holds a `"`
    /// (`The "Anchor Inn`): a quote that opened nothing, where the export's quoting is damaged.
    var hasStrayQuote: Bool {
        (0..<count).contains { withPlainBytes(atColumn: $0) { $0.contains(UInt8(ascii: "\"")) } == true }
    }

    /// ``withPlainBytes(atColumn:_:)`` for a field by name; nil also when the schema lacks it.
    func withPlainBytes<R>(named name: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard let column = block.schema.position(of: name) else { return nil }
        return withPlainBytes(atColumn: column, body)
    }

    /// The value of a named field, or nil when absent.
    public subscript(name: String) -> FieldValue? {
        guard let position = block.schema.position(of: name), position < count else { return nil }
        return value(at: position)
    }

    /// The value at a column of the schema (-1 for a field the schema lacks), or nil when absent.
    func value(atColumn column: Int) -> FieldValue? {
        guard column >= 0, column < count else { return nil }
        return value(at: column)
    }
}

/// What the records of a batch share: their values one after another, their schema and file, and
/// for a single XML record which values are absent or lists. CSV values read for a mapping
/// (`CSVOptions.lazyValues`) stay bytes, checked as UTF-8 when the batch was built, until
/// something reads them: a mapping reads a few of a row's columns, and those that repeat are
/// looked up by their bytes.
final class TextBlock: Sendable {
    let texts: [String]
    /// For CSV: the batch's bytes, and each value's extent in them.
    let bytes: [UInt8]
    let extents: [FieldExtent]
    let fromBytes: Bool
    let schema: RecordSchema
    /// The schema's identity, compared without retaining the schema, which every thread that
    /// maps records shares (counting references to it from two cores costs more than the compare).
    let schemaID: ObjectIdentifier
    /// The file's name. CSV batches give their block a copy of its own (see
    /// ``CSVPipeline/records(of:schema:file:columns:lazyValues:)``).
    let file: String
    let hasExtras: Bool
    let absent: Set<Int>
    let lists: [Int: [String]]
    /// Whether the texts are an XML record's (``SourcePosition/inXML``).
    let inXML: Bool
    /// Records whose field count is not the header's, by their start: the count they have.
    let malformed: [Int: Int]

    init(
        _ texts: [String], schema: RecordSchema, file: String, absent: Set<Int> = [], lists: [Int: [String]] = [:],
        inXML: Bool = false, malformed: [Int: Int] = [:]
    ) {
        self.inXML = inXML
        self.malformed = malformed
        self.texts = texts
        self.schema = schema
        self.file = file
        schemaID = ObjectIdentifier(schema)
        self.absent = absent
        self.lists = lists
        hasExtras = !absent.isEmpty || !lists.isEmpty
        bytes = []
        extents = []
        fromBytes = false
    }

    /// CSV values: `extents` into `bytes`, every one valid UTF-8.
    init(bytes: [UInt8], extents: [FieldExtent], schema: RecordSchema, file: String, malformed: [Int: Int] = [:]) {
        self.malformed = malformed
        self.bytes = bytes
        self.extents = extents
        self.schema = schema
        self.file = file
        schemaID = ObjectIdentifier(schema)
        texts = []
        absent = []
        lists = [:]
        hasExtras = false
        fromBytes = true
        inXML = false
    }

    @inline(__always)
    func text(at slot: Int) -> String {
        guard fromBytes else { return texts[slot] }
        return bytes.withUnsafeBufferPointer { CSVScanner.checkedText(of: extents[slot], in: $0) }
    }
}

/// A field name in a compiled mapping, with its slot: the field's number among those the mapping
/// reads. A mapping bound to a schema (``BoundMapping``) keeps each slot's column, so a record's
/// value is found by position, not by name.
final class FieldReference: Sendable, CustomStringConvertible {
    let name: String
    let slot: Int

    init(_ name: String, slot: Int) {
        self.name = name
        self.slot = slot
    }

    var description: String { name }
}

/// Anything that yields records one at a time.
public protocol RecordReader: AnyObject {
    /// The field names every record carries.
    var schema: RecordSchema { get }
    /// The next record, nil at the end, or a located error.
    func next() throws -> Record?
    /// Rows skipped because every field was empty (Excel's `;;;` lines), for the run report.
    var skippedEmptyRows: Int { get }
    /// For readers that look fields up by path (XML): in how many records each field matched
    /// something, complete once `next()` returned nil. Nil for readers with a header (CSV).
    var fieldMatches: [String: Int]? { get }
    /// For readers that look fields up by path: the fields taken `first` that matched several
    /// elements, in how many records, and the first such record's number.
    var fieldsMatchingSeveral: [String: (records: Int, first: Int)] { get }
}

extension RecordReader {
    public var fieldMatches: [String: Int]? { nil }
    public var fieldsMatchingSeveral: [String: (records: Int, first: Int)] { [:] }
}
