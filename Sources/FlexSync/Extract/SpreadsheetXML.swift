internal import CLibXML2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Spreadsheets saved as XML, as older HR and workforce tools export them, where a row leaves
/// cells out: Excel's "XML Spreadsheet 2003" (SpreadsheetML:
/// `Workbook/Worksheet/Table/Row/Cell/Data`; the cell after a gap carries its column number,
/// `ss:Index`, and a cell may span more, `ss:MergeAcross`) and LibreOffice's "Flat XML ODF
/// Spreadsheet" (`.fods`: `table:table-row/table:table-cell/text:p`; a run of like cells is one
/// element, `table:number-columns-repeated`, and a merged cell's other columns are
/// `table:covered-table-cell`s). The first row is usually the header.
enum SpreadsheetXML {
    static let spreadsheetML = "urn:schemas-microsoft-com:office:spreadsheet"
    static let openDocumentTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

    /// For a cell of either format: the column it names (SpreadsheetML's `ss:Index`), when it
    /// names one, how many columns it takes, and whether it repeats its value in each of them
    /// (LibreOffice's run of like cells) or holds it in the first only (a merged cell). Nil for
    /// any other element.
    private static func equal(_ text: UnsafePointer<xmlChar>, _ other: String) -> Bool {
        strcmp(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self), other) == 0
    }

    static func columns(of node: xmlNodePtr) -> (index: Int?, span: Int, repeats: Bool)? {
        guard let name = node.pointee.name, let href = node.pointee.ns?.pointee.href else { return nil }
        if equal(name, "Cell") && equal(href, spreadsheetML) {
            let index = number(node, "Index", spreadsheetML).flatMap { $0 >= 1 ? $0 : nil }
            return (index, 1 + (number(node, "MergeAcross", spreadsheetML) ?? 0), false)
        }
        if (equal(name, "table-cell") || equal(name, "covered-table-cell")) && equal(href, openDocumentTable) {
            return (nil, max(1, number(node, "number-columns-repeated", openDocumentTable) ?? 1), true)
        }
        return nil
    }

    /// Whether a node is a spreadsheet row (`Row`, `table:table-row`) without a character of text
    /// in any of its cells.
    static func isEmptyRow(_ node: xmlNodePtr) -> Bool {
        // Every XML record passes here: compared in place, no strings made.
        guard let name = node.pointee.name, let href = node.pointee.ns?.pointee.href,
            (equal(name, "Row") && equal(href, spreadsheetML))
                || (equal(name, "table-row") && equal(href, openDocumentTable))
        else { return false }
        guard let content = xmlNodeGetContent(node) else { return true }
        defer { free(content) }
        return String(cString: content).allSatisfy(\.isWhitespace)
    }

    /// How many rows a LibreOffice row stands for (`table:number-rows-repeated`), at least 1.
    static func rowRepeats(_ node: xmlNodePtr) -> Int {
        guard let name = node.pointee.name, equal(name, "table-row") else { return 1 }
        return max(1, number(node, "number-rows-repeated", openDocumentTable) ?? 1)
    }

    /// Whether a namespace is one of the two formats'.
    static func isSpreadsheet(namespace uri: String) -> Bool {
        uri == spreadsheetML || uri == openDocumentTable
    }

    /// A sheet has at most 1,048,576 rows and 16,384 columns: counts and indexes past them (a
    /// damaged or hostile file's `9223372036854775807`) are taken at that bound, never overflow.
    static let bound = 1 << 20

    private static func number(_ node: xmlNodePtr, _ name: String, _ namespace: String) -> Int? {
        guard let value = xmlGetNsProp(node, name, namespace) else { return nil }
        defer { free(value) }
        return Int(String(cString: value)).map { min(max($0, 0), bound) }
    }

    /// A row's cells by column, as a position in a job's path reads them: `Cell[N]/Data`,
    /// `table:table-cell[N]/text:p` (names written by `name`, from an element's local name and
    /// namespace), and the text of the cell's first element.
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
            column = first + span.span - 1
            var data = cell.pointee.children
            while let node = data, node.pointee.type != XML_ELEMENT_NODE { data = node.pointee.next }
            guard let data else { continue }
            let content = xmlNodeGetContent(data)
            defer { free(content) }
            let text = content.map { String(cString: $0) } ?? ""
            // A run of like cells holds its value in each of its columns.
            for number in first...(span.repeats ? min(column, first + 255) : first) {
                let path =
                    "\(name(cell.pointee.name, cell.pointee.ns))[\(number)]/\(name(data.pointee.name, data.pointee.ns))"
                found.append((path, text))
            }
        }
        return found
    }
}
