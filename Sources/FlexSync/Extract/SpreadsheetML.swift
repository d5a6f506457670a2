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
}
