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

    /// A byte the declared code page leaves undefined (Windows-1250's 0x98) or bytes that are
    /// not UTF-8 stop the reading, and the error says which byte, where, and what to do; inspect
    /// stops on them too instead of counting only the records before them.
    @Test(arguments: [
        (
            "<?xml version=\"1.0\" encoding = \"Windows-1250\"?>\r\n<r>\r\n<e><n>Luk\u{E1}\u{9A}</n></e>\r\n"
                + "<e><n>Luk\u{98}\u{9A}</n></e>\r\n</r>\r\n", 4,
            "column 10: byte 0x98 is no character in windows-1250, the encoding the XML declaration names"
        ),
        (
            "<?xml version=\"1.0\"?>\n<r>\n<e><n>Ana</n></e>\n<e><n>Jos\u{E9}</n></e>\n</r>\n", 4,
            "column 10: bytes that are not UTF-8 (0xE9), where no XML declaration names another encoding"
        )
    ])
    func aByteTheEncodingCannotReadIsNamed(document: String, line: Int, reason: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flexsync-xml-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("export.xml").path
        // Each scalar below 0x100 is written as the one byte of the same value.
        try Data(document.unicodeScalars.map { UInt8($0.value) }).write(to: URL(fileURLWithPath: path))
        let reader = try XMLReader(path: path, options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        let message = errorMessage { while try reader.next() != nil {} }
        #expect(message?.hasPrefix("\(path):\(line): \(reason)") == true, "\(message ?? "no error")")
        let inspected = errorMessage { _ = try ExportInspection.xml(path: path, recordPath: nil) }
        #expect(inspected?.hasPrefix("\(path):\(line): \(reason)") == true, "\(inspected ?? "no error")")
    }

    /// A document broken otherwise (a tag left open) before such a byte is reported as libxml2
    /// found it, at its own line, by validate and inspect alike.
    @Test func anEarlierStructuralErrorIsNotBlamedOnALaterByte() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flexsync-xml-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("export.xml").path
        let document =
            "<?xml version=\"1.0\" encoding = \"windows-1250\"?>\n<r>\n<e><n>Ana</nam></e>\n<e><n>B</n></e>\n"
            + "<e><n>Luk\u{98}</n></e>\n</r>\n"
        try Data(document.unicodeScalars.map { UInt8($0.value) }).write(to: URL(fileURLWithPath: path))
        let reader = try XMLReader(path: path, options: try Self.options("/r/e", [("n", .first)], namespaces: [:]))
        let message = errorMessage { while try reader.next() != nil {} }
        #expect(message?.hasPrefix("\(path):3: ") == true && message?.contains("0x98") == false, "\(message ?? "")")
        let inspected = errorMessage { _ = try ExportInspection.xml(path: path, recordPath: nil) }
        #expect(
            inspected?.hasPrefix("\(path):3: ") == true && inspected?.contains("0x98") == false, "\(inspected ?? "")")
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
        (
            "A[b]",
            "invalid XML path 'A[b]': a predicate compares a path with a quoted value: [@name='value'] or [child='value']"
        ),
        ("A[0]", "invalid XML path 'A[0]': positions count from 1: 'A[0]' selects nothing"),
        ("A[2][@b='c']", "invalid XML path 'A[2][@b='c']': a position comes last among the tests of 'A'"),
        (
            "/w:A/w:B[2]",
            "invalid XML path '/w:A/w:B[2]': a record path names every record: select by position in a field's path instead"
        ),
        ("A[b='c'", "invalid XML path 'A[b='c'': expected ']' after the predicate of 'A'"),
        ("A[@b='c']/B[C/@d/e='f']", "invalid XML path 'A[@b='c']/B[C/@d/e='f']': '@d' must be the last step"),
        ("A[x:b='c']", "invalid XML path 'A[x:b='c']': namespace prefix 'x' is not declared by the job"),
        ("A//B", "invalid XML path 'A//B': '/B' does not start with a name"),
        ("", "invalid XML path '': the path is empty")
    ])
    func badPathsAreExplained(path: String, message: String) {
        #expect(errorMessage { _ = try XMLPath(path, namespaces: Self.workday) } == message)
    }
}

/// Workday Web Services (`Get_Workers`) repeats `Email_Address_Data` and `Organization_Data` and
/// tells them apart only by a reference ID in a child element: predicates on a child's text.
struct XMLChildPredicateTests {
    static let namespaces: [String: NamespaceMatch] = ["wd": .exact("urn:com.workday/bsvc")]
    static let worker = """
        <wd:Get_Workers_Response xmlns:wd="urn:com.workday/bsvc"><wd:Response_Data>
          <wd:Worker><wd:Worker_Data><wd:Worker_ID>21001</wd:Worker_ID>
            <wd:Email_Address_Data>
              <wd:Email_Address>ana@home.example</wd:Email_Address>
              <wd:Usage_Data wd:Public="0"><wd:Type_Data wd:Primary="1"><wd:Type_Reference>
                <wd:ID wd:type="WID">f1</wd:ID><wd:ID wd:type="Communication_Usage_Type_ID">HOME</wd:ID>
              </wd:Type_Reference></wd:Type_Data></wd:Usage_Data>
            </wd:Email_Address_Data>
            <wd:Email_Address_Data>
              <wd:Email_Address>ana.lima@corp.example</wd:Email_Address>
              <wd:Usage_Data wd:Public="1"><wd:Type_Data wd:Primary="1"><wd:Type_Reference>
                <wd:ID wd:type="Communication_Usage_Type_ID">WORK</wd:ID><wd:ID wd:type="WID">HOME</wd:ID>
              </wd:Type_Reference></wd:Type_Data></wd:Usage_Data>
            </wd:Email_Address_Data>
            <wd:Organization_Data>
              <wd:Organization_Code>CC-310</wd:Organization_Code><wd:Organization_Name>Cost 310</wd:Organization_Name>
              <wd:Organization_Type_Reference><wd:ID wd:type="Organization_Type_ID">COST_CENTER</wd:ID></wd:Organization_Type_Reference>
            </wd:Organization_Data>
            <wd:Organization_Data>
              <wd:Organization_Name>Retention or Sales</wd:Organization_Name>
              <wd:Organization_Type_Reference><wd:ID wd:type="Organization_Type_ID">SUPERVISORY</wd:ID></wd:Organization_Type_Reference>
            </wd:Organization_Data>
          </wd:Worker_Data></wd:Worker>
        </wd:Response_Data></wd:Get_Workers_Response>
        """

    func values(_ paths: [String], record: String = "/wd:Get_Workers_Response/wd:Response_Data/wd:Worker") throws
        -> [FieldValue?]
    {
        let reader = try XMLReader(
            bytes: Array(Self.worker.utf8), name: "w.xml",
            options: try XMLReaderTests.options(record, paths.map { ($0, .first) }, namespaces: Self.namespaces))
        let record = try #require(try reader.next())
        #expect(try reader.next() == nil)
        return record.values
    }

    @Test func aChildsTextChoosesAmongRepeatedElements() throws {
        let data = "wd:Worker_Data/wd:Email_Address_Data"
        let usage = "wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID"
        #expect(
            try values([
                // Any ID equal to WORK, then only the usage-type ID (a WID of 'HOME' must not count).
                "\(data)[\(usage)='WORK']/wd:Email_Address",
                "\(data)[\(usage)[@wd:type='Communication_Usage_Type_ID']='HOME']/wd:Email_Address",
                "\(data)[\(usage)[@wd:type='WID']='HOME']/wd:Email_Address",
                // An attribute deeper down, and alternatives over different paths.
                "\(data)[wd:Usage_Data/@wd:Public='1']/wd:Email_Address",
                "\(data)[\(usage)='PAGER' or wd:Usage_Data/@wd:Public = \"0\"]/wd:Email_Address",
                // Predicates one after the other must all hold.
                "\(data)[wd:Usage_Data/@wd:Public='1'][\(usage)='HOME']/wd:Email_Address"
            ]) == [
                .text("ana.lima@corp.example"), .text("ana@home.example"), .text("ana.lima@corp.example"),
                .text("ana.lima@corp.example"), .text("ana@home.example"), .text("ana.lima@corp.example")
            ])
        // ' or ' inside quotes is part of the value; a supervisory organization without a code is null.
        let organization = "wd:Worker_Data/wd:Organization_Data"
        let supervisory = "[wd:Organization_Type_Reference/wd:ID='SUPERVISORY']"
        #expect(
            try values([
                "\(organization)[wd:Organization_Name='Retention or Sales']/wd:Organization_Type_Reference/wd:ID",
                "\(organization)\(supervisory)/wd:Organization_Code",
                "\(organization)\(supervisory)/wd:Organization_Name"
            ]) == [.text("SUPERVISORY"), nil, .text("Retention or Sales")])
    }

    @Test func aRecordPathMayTestAChildsText() throws {
        let record = "/wd:Get_Workers_Response/wd:Response_Data/wd:Worker[wd:Worker_Data/wd:Worker_ID='21001']"
        #expect(try values(["wd:Worker_Data/wd:Worker_ID"], record: record) == [.text("21001")])
        let reader = try XMLReader(
            bytes: Array(Self.worker.utf8), name: "w.xml",
            options: try XMLReaderTests.options(
                "/wd:Get_Workers_Response/wd:Response_Data/wd:Worker[wd:Worker_Data/wd:Worker_ID='9']",
                [("wd:Worker_Data/wd:Worker_ID", .first)], namespaces: Self.namespaces))
        #expect(try reader.next() == nil)
    }
}

/// An IBM Cognos report saved as "XML data" (UKG Pro, among others) names its columns once, in
/// `<metadata>`, and writes each row as unnamed `<value>`s in that order, a null as
/// `<value xs:nil="true"/>`: a field selects its column by position, and a null one is empty
/// without moving the columns after it.
struct XMLPositionTests {
    static let report = """
        <?xml version="1.0" encoding="utf-8"?>
        <dataset xmlns="http://developer.cognos.com/schemas/xmldata/1/" xmlns:xs="http://www.w3.org/2001/XMLSchema-instance">
        <metadata>
          <item name="Employee Number" type="xs:string" length="20"/>
          <item name="Work Phone" type="xs:string" length="40"/>
          <item name="Email Address" type="xs:string" length="200"/>
        </metadata>
        <data>
          <row><value>100231</value><value>+1 416 555 0142</value><value>ana@example.com</value></row>
          <row><value xs:nil="true" /><value xs:nil="true" /><value>bo@example.com</value></row>
        </data>
        </dataset>
        """

    @Test func columnsAreSelectedByPositionAndANullKeepsItsPlace() throws {
        let namespaces: [String: NamespaceMatch] = ["c": .exact("http://developer.cognos.com/schemas/xmldata/1/")]
        let options = try XMLReaderTests.options(
            "/c:dataset/c:data/c:row", [("c:value[1]", .first), ("c:value[2]", .first), ("c:value[3]", .first)],
            namespaces: namespaces)
        let reader = try XMLReader(bytes: Array(Self.report.utf8), name: "ukg.xml", options: options)
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        #expect(try reader.next() == nil)
        #expect(first.values == [.text("100231"), .text("+1 416 555 0142"), .text("ana@example.com")])
        #expect(second.values == [.text(""), .text(""), .text("bo@example.com")])
    }

    /// A position counts the elements the step's name and predicates select, as XPath does.
    @Test func aPositionCountsWhatThePredicatesSelect() throws {
        let xml = "<r><e><p t='home'>1</p><p t='work'>2</p><p t='work'>3</p></e></r>"
        let options = try XMLReaderTests.options(
            "/r/e", [("p[2]", .first), ("p[@t='work'][2]", .first), ("p[4]", .first)], namespaces: [:])
        let record = try #require(try XMLReader(bytes: Array(xml.utf8), name: "p.xml", options: options).next())
        #expect(record.values == [.text("2"), .text("3"), nil])
    }
}
