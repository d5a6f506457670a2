internal import CLibXML2
import Foundation

extension ExportInspection {
    /// Inspects an XML export: the record path is `recordPath` (written with the file's own
    /// prefixes), or else the most repeated element nearest the root; within records, every
    /// element holding text and every attribute, keyed by their path relative to the record.
    /// Elements told apart by an `id` or `type` attribute are keyed by it:
    /// `field[@id='workEmail']`, `wd:ID[@wd:type='Employee_ID']`.
    public static func xml(path: String, recordPath: String?) throws -> ExportInspection {
        XMLReader.silenceLibxml2()
        var inspection = ExportInspection(
            file: path, format: .xml, encoding: "utf-8 (XML's default: no encoding declared)")
        // The guess also gathers the namespaces, which a given record path needs as much.
        let record: String
        var names = Names()
        if let recordPath {
            record = recordPath
            names = (try? guessRecordPath(path, namespaces: &inspection.namespaces).names) ?? names
        } else {
            (record, names) = try guessRecordPath(path, namespaces: &inspection.namespaces)
        }
        inspection.recordPath = record
        guard let reader = xmlReaderForFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOBLANKS.rawValue))
        else {
            throw ExtractError.cannotOpen(file: path, reason: "libxml2 could not open the file")
        }
        defer { xmlFreeTextReader(reader) }
        var stack: [String] = []
        var index: [String: Int] = [:]
        var pending = false  // xmlTextReaderNext left the reader on a node not yet looked at
        // An IBM Cognos "XML data" report names its columns once, in `<metadata>`, and writes
        // each row's values unnamed and in that order: they are keyed `value[N]`, named by it.
        var cognosColumns: [String] = []
        // An XML Spreadsheet's rows: cells keyed by column (`Cell[3]/Data`), named by the first row.
        let spreadsheet =
            inspection.namespaces.values.contains(where: SpreadsheetXML.isSpreadsheet)
            && record.split(separator: "/").last.map { ["Row", "table-row"].contains($0.split(separator: ":").last) }
                == true
        var sheetLabels: [String: String] = [:]
        // -1 from a read or a skip: libxml2 stopped on an error (see `stopped`).
        var status: Int32 = 1
        func read() -> Bool {
            status = xmlTextReaderRead(reader)
            return status == 1
        }
        while pending || read() {
            pending = false
            if inspection.records == 0, let encoding = xmlTextReaderConstEncoding(reader) {
                inspection.encoding = String(cString: encoding).lowercased() + " (XML declaration)"
            }
            guard xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { continue }
            let depth = Int(xmlTextReaderDepth(reader))
            stack.removeLast(max(0, stack.count - depth))
            stack.append(names.current(reader))
            if let item = cognosItem(reader) { cognosColumns.append(item) }
            guard "/" + stack.joined(separator: "/") == record, let node = xmlTextReaderExpand(reader) else { continue }
            if spreadsheet {
                let cells = SpreadsheetXML.cells(node, name: { names.name($0, $1, element: true) })
                if inspection.headerRow == nil, let first = cells.first {
                    inspection.headerRow = (first.path, first.text)
                    // The header's columns first, in their order, so that a column a first row
                    // leaves empty is not listed out of place.
                    for cell in cells {
                        sheetLabels[cell.path] = cell.text
                        inspection.observe(cell.path, nil, label: cell.text, into: &index)
                    }
                } else {
                    inspection.records += 1
                    for cell in cells {
                        inspection.observe(cell.path, cell.text, label: sheetLabels[cell.path], into: &index)
                    }
                }
                stack.removeLast()
                status = xmlTextReaderNext(reader)
                guard status == 1 else { break }
                pending = true
                continue
            }
            inspection.records += 1
            if !cognosColumns.isEmpty {
                for (number, (path, value)) in positionalValues(node, names: names).enumerated() {
                    let label = number < cognosColumns.count ? cognosColumns[number] : nil
                    inspection.observe(path, value, label: label, into: &index)
                }
            } else {
                var values: [(String, String)] = []
                collect(node, prefix: "", names: names, into: &values)
                var seen = Set<String>()  // a repeated element counts once per record
                for (name, value) in values where seen.insert(name).inserted {
                    inspection.observe(name, value, into: &index)
                }
            }
            stack.removeLast()
            status = xmlTextReaderNext(reader)
            guard status == 1 else { break }
            pending = true
        }
        if status == -1 { throw stopped(path, reader) }
        return inspection
    }

    /// The error for a document libxml2 stopped reading: the inspection must not pass over it as
    /// the document's end, where its counts would describe part of the file.
    private static func stopped(_ path: String, _ reader: xmlTextReaderPtr) -> ExtractError {
        let last = XMLEncodingFault.lastLibxml2Error()
        return XMLEncodingFault.error(
            file: path, document: XMLEncodingFault.contents(of: path),
            line: Int(xmlTextReaderGetParserLineNumber(reader)), libxml2Message: last.message, code: last.code)
    }

    /// How element names are written: with the file's own prefixes, and — where the document
    /// binds the default namespace to more than one URI (NetSuite's SOAP responses re-bind it on
    /// nested elements), which one "" in a job cannot match — each default URI's elements with a
    /// prefix the document declares for that URI elsewhere, or `ns1`, `ns2`… when it declares none.
    struct Names {
        /// Prefix for each re-bound default namespace URI.
        var defaults: [String: String] = [:]

        /// The qualified name of the element the reader stands on.
        func current(_ reader: xmlTextReaderPtr) -> String {
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            guard !defaults.isEmpty, !name.contains(":"),
                let uri = xmlTextReaderConstNamespaceUri(reader).map({ String(cString: $0) }),
                let prefix = defaults[uri]
            else { return name }
            return prefix + ":" + name
        }

        /// The qualified name of a node or attribute: `wd:Email`.
        func name(_ local: UnsafePointer<xmlChar>?, _ ns: xmlNsPtr?, element: Bool = false) -> String {
            let base = local.map { String(cString: $0) } ?? ""
            if let prefix = ns?.pointee.prefix { return String(cString: prefix) + ":" + base }
            if element, let href = ns?.pointee.href, let prefix = defaults[String(cString: href)] {
                return prefix + ":" + base
            }
            return base
        }
    }

    private static func name(_ local: UnsafePointer<xmlChar>?, _ ns: xmlNsPtr?) -> String {
        Names().name(local, ns)
    }

    static let cognosNamespace = "http://developer.cognos.com/schemas/xmldata/1/"

    /// The `name` of a Cognos report's `<metadata><item name="…"/>`, when the reader is on one.
    private static func cognosItem(_ reader: xmlTextReaderPtr) -> String? {
        guard let uri = xmlTextReaderConstNamespaceUri(reader), String(cString: uri) == cognosNamespace,
            let local = xmlTextReaderConstLocalName(reader), String(cString: local) == "item",
            let value = xmlTextReaderGetAttribute(reader, "name")
        else { return nil }
        defer { free(value) }
        return String(cString: value)
    }

    /// A Cognos row's `<value>`s in order, keyed `value[1]`, `value[2]`…, a null one empty.
    private static func positionalValues(_ node: xmlNodePtr, names: Names) -> [(String, String)] {
        var values: [(String, String)] = []
        var child = node.pointee.children
        while let current = child {
            defer { child = current.pointee.next }
            guard current.pointee.type == XML_ELEMENT_NODE else { continue }
            let step = names.name(current.pointee.name, current.pointee.ns, element: true)
            let content = xmlNodeGetContent(current)
            values.append(("\(step)[\(values.count + 1)]", content.map { String(cString: $0) } ?? ""))
            free(content)
        }
        return values
    }

    private static func collect(
        _ node: xmlNodePtr, prefix: String, names: Names, into values: inout [(String, String)]
    ) {
        var attribute = node.pointee.properties
        while let current = attribute {
            let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
            values.append(
                (
                    (prefix.isEmpty ? "" : prefix + "/") + "@" + name(current.pointee.name, current.pointee.ns),
                    value.map { String(cString: $0) } ?? ""
                ))
            free(value)
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            defer { child = current.pointee.next }
            guard current.pointee.type == XML_ELEMENT_NODE else { continue }
            var step = names.name(current.pointee.name, current.pointee.ns, element: true)
            if let key = distinguishing(current) { step += "[@\(key.name)='\(key.value)']" }
            let path = prefix.isEmpty ? step : prefix + "/" + step
            let hasElements = sequence(first: current.pointee.children) { $0?.pointee.next }
                .contains { $0?.pointee.type == XML_ELEMENT_NODE }
            if hasElements || current.pointee.properties != nil && distinguishing(current) == nil {
                collect(current, prefix: path, names: names, into: &values)
            }
            if !hasElements {
                let content = xmlNodeGetContent(current)
                values.append((path, content.map { String(cString: $0) } ?? ""))
                free(content)
            }
        }
    }

    /// An `id`, `title` or `type` attribute (the first of these the element has) that tells
    /// same-named sibling elements apart: `field[@id='workEmail']`, Atom's `link[@title='manager']`.
    private static func distinguishing(_ node: xmlNodePtr) -> (name: String, value: String)? {
        var found: (rank: Int, name: String, value: String)?
        var attribute = node.pointee.properties
        while let current = attribute {
            let local = current.pointee.name.map { String(cString: $0) } ?? ""
            if let rank = ["id", "title", "type"].firstIndex(of: local), rank < found?.rank ?? 3 {
                let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
                defer { free(value) }
                found = (rank, name(current.pointee.name, current.pointee.ns), value.map { String(cString: $0) } ?? "")
            }
            attribute = current.pointee.next
        }
        return found.map { ($0.name, $0.value) }
    }

    /// The shallowest element path that repeats, the most repeated at that depth, and how to
    /// write names (``Names``); and the namespaces the document declares on any element (a SOAP
    /// body's payload declares its own), the first binding of a prefix kept. One pass: an
    /// unprefixed element's path step carries its namespace until the default namespaces are known.
    private static func guessRecordPath(_ path: String, namespaces: inout [String: String]) throws -> (
        path: String, names: Names
    ) {
        guard let reader = xmlReaderForFile(path, nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOBLANKS.rawValue))
        else {
            throw ExtractError.cannotOpen(file: path, reason: "libxml2 could not open the file")
        }
        defer { xmlFreeTextReader(reader) }
        var stack: [(name: String, uri: String?)] = []
        var counts: [String: Int] = [:]
        var order: [[(name: String, uri: String?)]] = []
        var defaults: [String] = []
        var declared: [String: String] = [:]
        var status: Int32 = 1
        func read() -> Bool {
            status = xmlTextReaderRead(reader)
            return status == 1
        }
        while read() {
            guard xmlTextReaderNodeType(reader) == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { continue }
            let depth = Int(xmlTextReaderDepth(reader))
            stack.removeLast(max(0, stack.count - depth))
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            let uri = name.contains(":") ? nil : xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) }
            stack.append((name, uri))
            let key = stack.map { $0.name + ($0.uri.map { "\u{1}" + $0 } ?? "") }.joined(separator: "/")
            if counts[key] == nil { order.append(stack) }
            counts[key, default: 0] += 1
            if xmlTextReaderHasAttributes(reader) == 1 {
                declare(reader, defaults: &defaults, declared: &declared, namespaces: &namespaces)
            }
        }
        if status == -1 { throw stopped(path, reader) }
        let names = Names.for(defaults: defaults, declared: declared, namespaces: &namespaces)
        // The paths as names writes them, with their counts (paths that read alike add up).
        var written: [String: Int] = [:]
        var writtenOrder: [String] = []
        for steps in order {
            let raw = steps.map { $0.name + ($0.uri.map { "\u{1}" + $0 } ?? "") }.joined(separator: "/")
            let text =
                "/"
                + steps.map { step in step.uri.flatMap { names.defaults[$0] }.map { $0 + ":" + step.name } ?? step.name
                }
                .joined(separator: "/")
            if written[text] == nil { writtenOrder.append(text) }
            written[text, default: 0] += counts[raw, default: 0]
        }
        // An XML Spreadsheet's records are its table's rows, not its many styles nearer the root.
        // LibreOffice's rows are `office:spreadsheet/table:table/table:table-row` (or inside a
        // `table:table-header-rows`), below as many styles.
        func locals(_ text: String) -> [Substring] {
            text.split(separator: "/").map { $0.split(separator: ":").last ?? "" }
        }
        if namespaces.values.contains(where: SpreadsheetXML.isSpreadsheet),
            let rows = writtenOrder.filter({ text in
                let steps = locals(text)
                return steps.suffix(4) == ["Workbook", "Worksheet", "Table", "Row"]
                    || (steps.last == "table-row" && steps.contains("spreadsheet"))
            }).max(by: { written[$0, default: 0] < written[$1, default: 0] })
        {
            return (rows, names)
        }
        let repeated = writtenOrder.filter { written[$0, default: 0] > 1 }
        let depth = repeated.map { $0.split(separator: "/").count }.min()
        guard let depth,
            let best = repeated.filter({ $0.split(separator: "/").count == depth })
                .max(by: { written[$0, default: 0] < written[$1, default: 0] })
        else {
            throw ExtractError.xml(
                file: path, line: 1, message: "no repeated element to take as the record: give '--record PATH'")
        }
        return (best, names)
    }

    /// The namespace declarations on the element the reader stands on: the default ones in
    /// order, each URI's first prefix, and each prefix's first binding.
    private static func declare(
        _ reader: xmlTextReaderPtr, defaults: inout [String], declared: inout [String: String],
        namespaces: inout [String: String]
    ) {
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            guard name == "xmlns" || name.hasPrefix("xmlns:") else { continue }
            let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
            guard !value.isEmpty else { continue }
            if name == "xmlns" {
                if !defaults.contains(value) { defaults.append(value) }
            } else if declared[value] == nil {
                declared[value] = String(name.dropFirst(6))
            }
            // The default namespace: a job binds it to "" for the unprefixed names shown.
            let prefix = name == "xmlns" ? "" : String(name.dropFirst(6))
            if namespaces[prefix] == nil { namespaces[prefix] = value }
        }
        _ = xmlTextReaderMoveToElement(reader)
    }
}

extension ExportInspection.Names {
    /// When the default namespace is bound to more than one URI, a prefix for each, listed in
    /// place of "": the one the document declares for that URI, else `ns1`, `ns2`…
    static func `for`(defaults: [String], declared: [String: String], namespaces: inout [String: String])
        -> ExportInspection.Names
    {
        var names = ExportInspection.Names()
        guard defaults.count > 1 else { return names }
        var number = 0
        for uri in defaults {
            var prefix = declared[uri]
            while prefix == nil || namespaces[prefix!].map({ $0 != uri }) == true {
                number += 1
                prefix = "ns\(number)"
            }
            names.defaults[uri] = prefix!
            namespaces[prefix!] = uri
        }
        namespaces[""] = nil
        return names
    }
}
