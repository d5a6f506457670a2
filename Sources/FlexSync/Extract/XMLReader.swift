internal import CLibXML2
internal import CXMLShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How an XML export is read.
public struct XMLOptions: Sendable {
    /// The absolute path of the record element, e.g. `/wd:Report_Data/wd:Report_Entry`.
    public var recordPath: XMLPath
    /// The values to take from each record.
    public var fields: [XMLField]
    /// A record element larger than this is an error (the file is not trusted to be sane).
    public var maxRecordBytes: Int

    public init(recordPath: XMLPath, fields: [XMLField], maxRecordBytes: Int = 1 << 20) {
        self.recordPath = recordPath
        self.fields = fields
        self.maxRecordBytes = maxRecordBytes
    }
}

/// A streaming XML reader over libxml2's `xmlTextReader`: only one record element is expanded at
/// a time, the network is never touched, DOCTYPEs (and so external entities and entity expansion)
/// are refused, and libxml2's messages become located errors instead of lines on stderr.
public final class XMLReader: RecordReader {
    public let schema: RecordSchema
    /// Spreadsheet rows with nothing in them (a sheet's cleared rows, the empty rows LibreOffice
    /// writes after the data), left out as a CSV reader leaves out blank lines.
    public private(set) var skippedEmptyRows = 0

    private let reader: xmlTextReaderPtr
    private let file: String
    private let options: XMLOptions
    private var memory: [UInt8]?
    /// For each open element (by depth), whether it and its ancestors match the record path.
    private var matched: [Bool] = []
    private var recordNumber = 0
    private var firstError: (line: Int, message: String, code: Int32)?
    private var finished = false
    /// The line a DOCTYPE starts on, found in the file's first bytes: libxml2 reports the node
    /// once it has read past the whole declaration, and an entity loop where an entity is used.
    private var doctypeLine: Int?

    /// Opens an XML file.
    public convenience init(path: String, options: XMLOptions) throws {
        XMLReader.silenceLibxml2()
        // libxml2 calls an empty file "Extra content at the end of the document": say what it is.
        var start: [UInt8] = []
        if let handle = FileHandle(forReadingAtPath: path) {
            start = ((try? handle.read(upToCount: 1 << 16)) ?? nil).map(Array.init) ?? []
            try? handle.close()
            if start.count < 1 << 16 { try XMLReader.refuseBlank(start, file: path) }
        }
        guard let reader = xmlReaderForFile(path, nil, XMLReader.parserOptions) else {
            throw ExtractError.cannotOpen(file: path, reason: "libxml2 could not open the file")
        }
        self.init(reader: reader, file: path, options: options, memory: nil)
        doctypeLine = XMLReader.doctypeLine(in: start[...])
    }

    /// The line `<!DOCTYPE` starts on in a document's first bytes (ASCII-compatible encodings).
    static func doctypeLine(in bytes: ArraySlice<UInt8>) -> Int? {
        let marker = Array("<!DOCTYPE".utf8)
        guard bytes.count >= marker.count else { return nil }
        var line = 1
        var index = bytes.startIndex
        while index <= bytes.endIndex - marker.count {
            if bytes[index] == 0x0A { line += 1 }
            if bytes[index] == 0x3C, bytes[index..<index + marker.count].elementsEqual(marker) { return line }
            index += 1
        }
        return nil
    }

    /// Reads XML from memory, named `name` in messages.
    public convenience init(bytes: [UInt8], name: String, options: XMLOptions) throws {
        XMLReader.silenceLibxml2()
        try XMLReader.refuseBlank(bytes, file: name)
        var copy = bytes
        if copy.isEmpty { copy = [0x20] }
        let reader = copy.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReaderForMemory($0, Int32(bytes.count), name, nil, XMLReader.parserOptions)
            }
        }
        guard let reader else { throw ExtractError.cannotOpen(file: name, reason: "libxml2 could not read the data") }
        self.init(reader: reader, file: name, options: options, memory: copy)
        doctypeLine = XMLReader.doctypeLine(in: bytes.prefix(1 << 16))
    }

    private init(reader: xmlTextReaderPtr, file: String, options: XMLOptions, memory: [UInt8]?) {
        self.reader = reader
        self.file = file
        self.options = options
        self.memory = memory
        schema = RecordSchema(names: options.fields.map(\.name))
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { userData, error in
                guard let userData, let error else { return }
                XMLReader.from(userData: userData).record(error)
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { xmlFreeTextReader(reader) }

    /// No network; no entity substitution; no DTD loading; line numbers kept; no huge-text override.
    private static let parserOptions = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_NOBLANKS.rawValue
    )

    /// An empty or white-space-only document, named as such.
    private static func refuseBlank(_ bytes: [UInt8], file: String) throws {
        let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard blank else { return }
        let what = bytes.isEmpty ? "the file is empty" : "the file holds only white space"
        throw ExtractError.xml(file: file, line: 1, message: "\(what): no XML document at all (did the export fail?)")
    }

    private static func from(userData: UnsafeMutableRawPointer) -> XMLReader {
        Unmanaged<XMLReader>.fromOpaque(userData).takeUnretainedValue()
    }

    /// libxml2 prints to stderr by default; flexsync reports through its own errors instead.
    static func silenceLibxml2() {
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        xmlThrDefSetStructuredErrorFunc(nil) { _, _ in }
        fs_xml_silence_generic_errors()
    }

    private func record(_ error: xmlErrorPtr) {
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue, firstError == nil else { return }
        var message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
        while message.last == "\n" || message.last == " " { message.removeLast() }
        firstError = (Int(error.pointee.line), message, error.pointee.code)
    }

    private func failure() -> ExtractError {
        // libxml2 may stop an entity bomb inside the DTD before the DOCTYPE node reaches us.
        if let firstError, firstError.code == Int32(XML_ERR_ENTITY_LOOP.rawValue) {
            return .doctypeNotAllowed(file: file, line: doctypeLine ?? max(firstError.line, 1))
        }
        let line = firstError?.line ?? Int(xmlTextReaderGetParserLineNumber(reader))
        return XMLEncodingFault.error(
            file: file, document: memory ?? XMLEncodingFault.contents(of: file), line: line,
            libxml2Message: firstError?.message ?? XMLEncodingFault.lastLibxml2Error().message,
            code: firstError?.code ?? XMLEncodingFault.lastLibxml2Error().code)
    }

    public func next() throws -> Record? {
        // LibreOffice writes identical rows in a row once, with how many they are: each is a
        // record, as it would be in any other export (a duplicate is then named as one).
        if let (values, line, left) = repeating {
            recordNumber += 1
            repeating = left > 1 ? (values, line, left - 1) : nil
            return Record(
                schema: schema, values: values,
                position: SourcePosition(file: file, line: line, record: recordNumber, inXML: true))
        }
        guard !finished else { return nil }
        while true {
            if !onUnvisitedNode {
                let status = xmlTextReaderRead(reader)
                if status == 0 {
                    finished = true
                    if firstError != nil { throw failure() }
                    return nil
                }
                if status < 0 {
                    finished = true
                    throw failure()
                }
            }
            onUnvisitedNode = false
            if let record = try visitCurrentNode() { return record }
        }
    }

    /// Tracks the element path; at a record element, expands it, extracts, and skips past it.
    private func visitCurrentNode() throws -> Record? {
        let type = xmlTextReaderNodeType(reader)
        if type == Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue) {
            finished = true
            throw ExtractError.doctypeNotAllowed(
                file: file, line: doctypeLine ?? max(1, Int(xmlTextReaderGetParserLineNumber(reader))))
        }
        guard type == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { return nil }
        let depth = Int(xmlTextReaderDepth(reader))
        let steps = options.recordPath.steps
        // Which leading steps of the record path the open elements match: a record is an element
        // at the path's depth whose ancestors all matched.
        if matched.count > depth { matched.removeLast(matched.count - depth) }
        while matched.count < depth { matched.append(false) }
        let fits =
            depth < steps.count && (depth == 0 || matched[depth - 1])
            && xmlTextReaderConstLocalName(reader).map {
                steps[depth].name.matches(cLocal: $0, cNamespace: xmlTextReaderConstNamespaceUri(reader))
            } == true
        matched.append(fits)
        guard fits, depth == steps.count - 1 else { return nil }

        let before = xmlTextReaderByteConsumed(reader)
        guard let node = xmlTextReaderExpand(reader) else {
            finished = true
            throw failure()
        }
        if let predicates = steps.last?.predicates, !predicates.isEmpty, !XMLReader.satisfies(node, predicates) {
            return nil
        }
        let line = Int(xmlGetLineNo(node))
        // Read before the reader moves on, which frees the expanded node.
        let isEmptySheetRow = SpreadsheetXML.isEmptyRow(node)
        let repeats = isEmptySheetRow ? 1 : SpreadsheetXML.rowRepeats(node)
        var values: [FieldValue?] = []
        values.reserveCapacity(options.fields.count)
        for (index, field) in options.fields.enumerated() {
            var matches: [String] = []
            field.path.steps.withUnsafeBufferPointer { steps in
                XMLReader.collect(node, steps: steps, at: 0, into: &matches)
            }
            if !matches.isEmpty { matchCounts[index] += 1 }
            // Several elements with different texts: which one was meant cannot be told.
            if matches.count > 1 && field.take == .first && matches.contains(where: { $0 != matches[0] }) {
                if several[index].records == 0 { several[index].first = recordNumber + 1 }
                several[index].records += 1
            }
            switch field.take {
            case .first: values.append(matches.first.map { .text($0) })
            case .list: values.append(.list(matches))
            case .count: values.append(.text(String(matches.count)))
            }
        }
        recordNumber += 1
        let position = SourcePosition(
            file: file, line: line > 0 ? line : Int(xmlTextReaderGetParserLineNumber(reader)), record: recordNumber,
            inXML: true)
        let status = xmlTextReaderNext(reader)
        matched.removeLast()
        if status < 0 {
            finished = true
            throw failure()
        }
        if xmlTextReaderByteConsumed(reader) - before > options.maxRecordBytes + 65536 {
            finished = true
            throw ExtractError.recordTooLarge(file: file, line: position.line, limit: options.maxRecordBytes)
        }
        if status == 0 {
            finished = true
            if firstError != nil { throw failure() }
        } else {
            // xmlTextReaderNext already stands on the following node: visit it before reading on.
            onUnvisitedNode = true
        }
        if isEmptySheetRow {
            skippedEmptyRows += 1
            return nil
        }
        if repeats > 1 { repeating = (values, position.line, repeats - 1) }
        return Record(schema: schema, values: values, position: position)
    }

    private var onUnvisitedNode = false
    /// A LibreOffice row written once for several like ones: its values, line, and how many more.
    private var repeating: (values: [FieldValue?], line: Int, left: Int)?
    /// Per field of `options.fields`, the records in which it matched something.
    private lazy var matchCounts = [Int](repeating: 0, count: options.fields.count)

    public var fieldMatches: [String: Int]? {
        Dictionary(zip(options.fields.map(\.name), matchCounts), uniquingKeysWith: max)
    }

    /// Per field of `options.fields` taken `first`, the records in which it matched several
    /// elements with different texts (of which the first was taken), and the first such record's number.
    private lazy var several = [(records: Int, first: Int)](repeating: (0, 0), count: options.fields.count)

    public var fieldsMatchingSeveral: [String: (records: Int, first: Int)] {
        var found: [String: (records: Int, first: Int)] = [:]
        for (field, count) in zip(options.fields, several) where count.records > 0 { found[field.name] = count }
        return found
    }

    // MARK: Tree walking (inside one expanded record)

    /// Steps are read through a buffer pointer, in place: copying a step out of an array costs
    /// three reference counts per element visited.
    private static func collect(
        _ node: xmlNodePtr, steps: UnsafeBufferPointer<XMLPath.Step>, at index: Int, into matches: inout [String]
    ) {
        guard index < steps.count else {
            matches.append(text(of: node))
            return
        }
        if steps[index].isAttribute {
            let step = steps.baseAddress! + index
            var attribute = node.pointee.properties
            while let current = attribute {
                if step.pointee.name.matches(cLocal: current.pointee.name, cNamespace: current.pointee.ns?.pointee.href)
                {
                    let value = xmlNodeGetContent(
                        UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
                    matches.append(value.map { String(cString: $0) } ?? "")
                    free(value)
                }
                attribute = current.pointee.next
            }
            return
        }
        let step = steps.baseAddress! + index
        let position = step.pointee.position
        var selected = 0
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                let named = step.pointee.name.matches(
                    cLocal: current.pointee.name, cNamespace: current.pointee.ns?.pointee.href)
                // A spreadsheet saved as XML leaves cells out (`ss:Index="5"` on the cell after a
                // gap, `table:number-columns-repeated="3"` for a run, a merged cell's covered
                // columns): there, a position counts columns, not elements.
                if let position, step.pointee.predicates.isEmpty, let span = SpreadsheetXML.columns(of: current) {
                    let first = span.index ?? selected + 1
                    selected = first + span.span - 1
                    if selected < position {
                        child = current.pointee.next
                        continue
                    }
                    // A run of repeated cells holds the same value in each of its columns.
                    if named && (first == position || span.repeats) {
                        collect(current, steps: steps, at: index + 1, into: &matches)
                    }
                    return
                }
                if named, step.pointee.predicates.isEmpty || satisfies(current, step.pointee.predicates) {
                    selected += 1
                    // A position selects one element: the rest are not looked at.
                    if let position, selected < position {
                        child = current.pointee.next
                        continue
                    }
                    collect(current, steps: steps, at: index + 1, into: &matches)
                    if position != nil { return }
                }
            }
            child = current.pointee.next
        }
    }

    private static func satisfies(_ node: xmlNodePtr, _ predicates: [XMLPath.Predicate]) -> Bool {
        predicates.allSatisfy { predicate in
            predicate.alternatives.contains { holds($0, at: node) }
        }
    }

    /// Whether a node `comparison`'s path selects from `node` has one of its values.
    private static func holds(_ comparison: XMLPath.Comparison, at node: xmlNodePtr) -> Bool {
        guard let attribute = comparison.attribute else {
            var found: [String] = []
            comparison.steps.withUnsafeBufferPointer { steps in collect(node, steps: steps, at: 0, into: &found) }
            return found.contains { comparison.values.contains($0) }
        }
        var current = node.pointee.properties
        while let property = current {
            if attribute.matches(cLocal: property.pointee.name, cNamespace: property.pointee.ns?.pointee.href) {
                let value = xmlNodeGetContent(UnsafeMutableRawPointer(property).assumingMemoryBound(to: xmlNode.self))
                defer { free(value) }
                if let value, comparison.values.contains(String(cString: value)) { return true }
            }
            current = property.pointee.next
        }
        return false
    }

    private static func text(of node: xmlNodePtr) -> String {
        // The common case, an element holding one text node, is read in place; anything else
        // (mixed content, nested elements) goes through libxml2's concatenation.
        if let child = node.pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE,
            let content = child.pointee.content
        {
            return String(cString: content)
        }
        if node.pointee.children == nil { return "" }
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { free(content) }  // libxml2 allocates with malloc unless told otherwise
        return String(cString: content)
    }
}
