internal import CLibXML2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Excel's "XML Spreadsheet 2003" (SpreadsheetML), as older HR and workforce tools export it:
/// `Workbook/Worksheet/Table/Row/Cell/Data`, the first row usually the header. A row leaves its
/// empty cells out, and the cell after a gap carries its column number (`ss:Index`); a cell
/// may span columns (`ss:MergeAcross`).
enum SpreadsheetML {
    static let namespace = "urn:schemas-microsoft-com:office:spreadsheet"

    /// For a `Cell` of SpreadsheetML: its `ss:Index` when it has one, and how many columns
    /// after its own it spans. Nil for any other element.
    static func columns(of node: xmlNodePtr) -> (index: Int?, mergeAcross: Int)? {
        func equal(_ text: UnsafePointer<xmlChar>, _ other: String) -> Bool {
            strcmp(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self), other) == 0
        }
        guard let name = node.pointee.name, equal(name, "Cell"), let href = node.pointee.ns?.pointee.href,
            equal(href, namespace)
        else { return nil }
        return (number(node, "Index").flatMap { $0 >= 1 ? $0 : nil }, max(0, number(node, "MergeAcross") ?? 0))
    }

    private static func number(_ node: xmlNodePtr, _ name: String) -> Int? {
        guard let value = xmlGetNsProp(node, name, namespace) else { return nil }
        defer { free(value) }
        return Int(String(cString: value))
    }

    /// A row's cells by column, as a position in a job's path reads them: `Cell[N]/Data` (names
    /// written by `name`, from an element's local name and namespace) and the data's text.
    static func cells(
        _ row: xmlNodePtr, name: (UnsafePointer<xmlChar>?, xmlNsPtr?) -> String
    ) -> [(path: String, text: String)] {
        var found: [(path: String, text: String)] = []
        var column = 0
        var child = row.pointee.children
        while let cell = child {
            defer { child = cell.pointee.next }
            guard cell.pointee.type == XML_ELEMENT_NODE, let span = columns(of: cell) else { continue }
            let first = span.index ?? column + 1
            column = first + span.mergeAcross
            var data = cell.pointee.children
            while let node = data, node.pointee.type != XML_ELEMENT_NODE { data = node.pointee.next }
            guard let data else { continue }
            let content = xmlNodeGetContent(data)
            defer { free(content) }
            let path =
                "\(name(cell.pointee.name, cell.pointee.ns))[\(first)]/\(name(data.pointee.name, data.pointee.ns))"
            found.append((path, content.map { String(cString: $0) } ?? ""))
        }
        return found
    }
}
