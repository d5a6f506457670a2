import Foundation
import Testing

@testable import FlexSync

struct XMLReaderTests {
    /// The job's prefix (`w`) differs from the file's (`wd`), and matches by URI prefix.
    static let workday: [String: NamespaceMatch] = ["w": NamespaceMatch(declaration: "urn:com.workday.report/*")]

    static func options(_ record: String, _ fields: [(String, XMLTake)], namespaces: [String: NamespaceMatch] = workday)
        throws -> XMLOptions
    {
        XMLOptions(
            recordPath: try XMLPath(record, namespaces: namespaces),
            fields: try fields.map { XMLField(name: $0.0, path: try XMLPath($0.0, namespaces: namespaces), take: $0.1) }
        )
    }

    @Test func workdayReportWithPredicatesAttributesListsAndCounts() throws {
        let path = Fixtures.path("extract/workday.xml")
        let reader = try XMLReader(
            path: path,
            options: try Self.options(
                "/w:Report_Data/w:Report_Entry",
                [
                    ("w:Worker/w:ID[@w:type='Employee_ID']", .first),
                    ("w:Email_Address[@w:primary='1']", .first),
                    ("w:Supervisory_Organization/@w:Descriptor", .first),
                    ("w:Worker_s_Manager/@w:Descriptor", .list),
                    ("w:Worker_s_Manager", .count),
                    ("w:Hire_Date", .first),
                    ("w:Preferred_Name", .first),
                    ("w:Phone", .first)
                ]))
        let ana = try #require(try reader.next())
        #expect(
            ana.values == [
                .text("1001"), .text("ana.lima@example.com"), .text("Sales & Retention"),
                .list(["Maria Silva", "Tom Ng"]), .text("2"), .text("2021-06-14-07:00"),
                .text("Ana \u{2019}Lima"), .text("")
            ])
        #expect(ana.position == SourcePosition(file: path, line: 3, record: 1, inXML: true))
        #expect(ana.position.description.hasSuffix("workday.xml:3 (record 1)"))
        let bo = try #require(try reader.next())
        // A missing element is nil; an empty one (`<wd:Phone/>` above) is an empty string.
        #expect(bo.values == [nil, .text("bo.chen@example.com"), nil, .list([]), .text("0"), nil, nil, nil])
        let cy = try #require(try reader.next())
        #expect(cy["w:Worker/w:ID[@w:type='Employee_ID']"] == .text("1003"))
        #expect(cy.position.record == 3)
        #expect(try reader.next() == nil)
    }

    @Test func anExactNamespaceThatDiffersMatchesNothing() throws {
        let other: [String: NamespaceMatch] = ["w": .exact("urn:com.workday.report/Other_Report")]
        let reader = try XMLReader(
            path: Fixtures.path("extract/workday.xml"),
            options: try Self.options("/w:Report_Data/w:Report_Entry", [("w:Hire_Date", .first)], namespaces: other))
        #expect(try reader.next() == nil)
    }

    @Test func bambooHRFieldsByIdAttribute() throws {
        let reader = try XMLReader(
            path: Fixtures.path("extract/bamboohr.xml"),
            options: try Self.options(
                "/report/employees/employee",
                [
                    ("@id", .first), ("field[@id='employeeNumber']", .first), ("field[@id='firstName']", .first),
                    ("field[@id='department']", .first), ("field[@id='hireDate']", .first)
                ], namespaces: [:]))
        #expect(
            try reader.allRows() == [
                ["40", "E-0040", "Zoë", "Customer Care", "0000-00-00"], ["41", "E-0041", "Raj", nil, nil]
            ])
    }

    @Test(arguments: [("latin1.xml", "François"), ("cp1252.xml", "€ 5 – café"), ("utf16.xml", "Łódź")])
    func declaredEncodingsAreHonoured(name: String, expected: String) throws {
        let reader = try XMLReader(
            path: Fixtures.path("extract/" + name), options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        #expect(try reader.allRows() == [[expected]])
    }

    @Test func malformedXMLNamesFileAndLine() throws {
        let path = Fixtures.path("extract/malformed.xml")
        let reader = try XMLReader(path: path, options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        // libxml2 parses ahead, so the error may surface before the first record is handed out.
        #expect(
            errorMessage { while try reader.next() != nil {} }
                == "\(path):3: Opening and ending tag mismatch: n line 3 and x")
    }

    @Test func aTruncatedFileNeverPassesAsComplete() throws {
        let path = Fixtures.path("extract/truncated.xml")
        let reader = try XMLReader(path: path, options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        let message = errorMessage { while try reader.next() != nil {} }
        #expect(message?.hasPrefix("\(path):3: ") == true, "\(message ?? "no error")")
    }

    @Test(arguments: ["billion_laughs.xml", "xxe.xml"])
    func doctypesAreRefusedBeforeAnyEntityIsExpanded(name: String) throws {
        let path = Fixtures.path("extract/" + name)
        let reader = try XMLReader(path: path, options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        let message = errorMessage { while try reader.next() != nil {} }
        // Named on the DOCTYPE's own line, not where libxml2 stopped reading.
        #expect(message?.hasPrefix(path + ":2: ") == true, "\(message ?? "no error")")
        #expect(
            message?.hasSuffix(
                "DOCTYPE declarations are not allowed (external entities and entity expansion are refused)") == true)
    }

    @Test func whitespaceBetweenElementsIsIgnoredButValuesKeepTheirs() throws {
        let xml = "<r>\n  <e>\n    <n>   </n>\n    <m> x </m>\n    <k>a<b>b</b>c</k>\n  </e>\n  <e><n/></e>\n</r>\n"
        let reader = try XMLReader(
            bytes: Array(xml.utf8), name: "w.xml",
            options: try Self.options("/r/e", [("n", .first), ("m", .first), ("k", .first)], namespaces: [:]))
        #expect(try reader.allRows() == [["   ", " x ", "abc"], ["", nil, nil]])
    }

    @Test func oversizedRecordsAreRefused() throws {
        let big = "<r><e><n>" + String(repeating: "x", count: 300_000) + "</n></e></r>"
        var options = try Self.options("/r/e", [("n", .first)], namespaces: [:])
        options.maxRecordBytes = 100_000
        let reader = try XMLReader(bytes: Array(big.utf8), name: "big.xml", options: options)
        #expect(errorMessage { _ = try reader.next() } == "big.xml:1: record is larger than the 100000-byte limit")
    }

    @Test(arguments: [
        ("w:A/@w:b/c", "invalid XML path 'w:A/@w:b/c': '@b' must be the last step"),
        ("x:A", "invalid XML path 'x:A': namespace prefix 'x' is not declared by the job"),
        ("A[@b=c]", "invalid XML path 'A[@b=c]': predicate values must be quoted"),
        ("A[b='c']", "invalid XML path 'A[b='c']': only predicates of the form [@name='value'] are supported"),
        ("", "invalid XML path '': the path is empty")
    ])
    func badPathsAreExplained(path: String, message: String) {
        #expect(errorMessage { _ = try XMLPath(path, namespaces: Self.workday) } == message)
    }
}
