import Foundation
import Testing

@testable import FlexSync

/// Every defect reported at its place, and every error saying what to do.
struct ReportingTests {
    static let workers = """
        target: workers
        key: { match: [agent_id, email] }
        attributes:
          agent_id: Personalnummer
          email: { field: E-Mail-Adresse, transforms: [email] }
          location: Standort
        """

    @Test func aColumnMissingFromTheHeaderStopsTheRunBeforeTheFirstRow() throws {
        let job = try TrustJob.csv("Personalnummer;E-Mail;standort\n1;a@x.de;Berlin\n", mapping: Self.workers)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        let lines = message.split(separator: "\n").map { $0.components(separatedBy: "/m.yaml").last ?? "" }
        #expect(lines.count == 2)
        #expect(
            lines.contains {
                $0.hasPrefix(":5: E-Mail-Adresse: no column 'E-Mail-Adresse' in the header of ")
                    && $0.hasSuffix("(did you mean 'E-Mail'?)")
            })
        #expect(
            lines.contains {
                $0.hasPrefix(":6: Standort: no column 'Standort'") && $0.hasSuffix("(did you mean 'standort'?)")
            })
    }

    @Test func aPhonesCountryColumnMustExistToo() throws {
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              phone: { field: tel, transforms: [{ phone: { country_field: Land } }] }
            """
        let job = try TrustJob.csv("id,tel,country\n1,030 1234567,DE\n", mapping: mapping)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        #expect(message.contains(":5: Land: no column 'Land' in the header of "), "\(message)")
    }

    static let workday = """
        target: workers
        key: { match: [agent_id, email] }
        attributes:
          agent_id: wd:Employee_ID
          email: { field: wd:Email_Primary_Work, transforms: [email] }
          phone: { field: wd:Phone, required: true }
          location: wd:Location
        """

    static func report(_ entries: Int) -> [UInt8] {
        let entry =
            "<wd:Report_Entry><wd:Employee_ID>1</wd:Employee_ID>"
            + "<wd:Email_-_Primary_Work>a@x.org</wd:Email_-_Primary_Work></wd:Report_Entry>"
        return Array(
            ("<?xml version='1.0' encoding='UTF-8'?>\n<wd:Report_Data xmlns:wd=\"urn:com.workday.report/R\">\n"
                + (1...entries).map { entry.replacingOccurrences(of: ">1<", with: ">\($0)<") }.joined(separator: "\n")
                + "\n</wd:Report_Data>\n").utf8)
    }

    @Test func anXMLPathThatMatchesNothingIsReportedAtTheEnd() throws {
        let job = try TrustJob.file(
            Self.report(43), name: "r.xml", format: "xml", mapping: Self.workday,
            policies: "{ max_invalid_share: 1 }",
            source: "record: /wd:Report_Data/wd:Report_Entry, namespaces: { wd: \"urn:com.workday.report/*\" }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let unmatched = outcome.problems.filter { $0.rule.hasPrefix("matched in 0 of 43 records") }
        #expect(unmatched.map(\.field) == ["wd:Email_Primary_Work", "wd:Phone", "wd:Location"])
        // A key and a required attribute that no record has: errors.
        #expect(unmatched.map(\.severity) == [.error, .error, .warning])
        #expect(unmatched[0].position?.file.hasSuffix("m.yaml") == true && unmatched[0].position?.line == 5)
        #expect(!outcome.isValid)
    }

    @Test(arguments: [
        (
            "{ field: d, transforms: [date, year] }", "1890-02-11",
            "error: in.csv:2: agent_attribute_1: date outside Insights' years 1901–2049: 1890-02-11"
        ),
        (
            "{ field: d, transforms: [year] }", "2061",
            "error: in.csv:2: agent_attribute_1: year outside Insights' years 1901–2049: 2061"
        ),
        (
            "{ field: d, transforms: [{ date: excel }] }", "300",
            "error: in.csv:2: agent_attribute_1: date outside Insights' years 1901–2049: 300"
        ),
        (
            "{ field: d, transforms: [{ date: dd.MM.yyyy }] }", "01.01.1900",
            "error: in.csv:2: agent_attribute_1: placeholder date (1900-01-01 stands in for an unknown"
        ),
        (
            "{ field: d, transforms: [date] }", "9999-12-31",
            "error: in.csv:2: agent_attribute_1: placeholder date (9999-12-31 stands in"
        ),
        (
            "{ field: d, transforms: [date] }", "0001-01-01",
            "error: in.csv:2: agent_attribute_1: placeholder date (0001-01-01 stands in"
        ),
        (
            "{ field: d, transforms: [date] }", "4712-12-31T00:00:00.000+00:00",
            "error: in.csv:2: agent_attribute_1: placeholder date (4712-12-31 stands in for an unknown or open-ended "
                + "date): leave it empty, or list it in 'null_tokens': 4712-12-31T00:00:00.000+00:00"
        ),
        ("{ field: d, transforms: [date] }", "0000-00-00", "remove"),
        (
            "{ field: d, transforms: [{ date: M/d/yyyy }] }", "1/1/4501",
            "error: in.csv:2: agent_attribute_1: placeholder date (4501-01-01 stands in"
        ),
        (
            "{ field: d, transforms: [{ date: dd/MM/yyyy }] }", "30/12/1899",
            "error: in.csv:2: agent_attribute_1: placeholder date (1899-12-30 stands in"
        ),
        // Outlook's empty date, and a birthday without its year (Google Contacts, vCard).
        ("{ field: d, transforms: [{ date: M/d/yy }] }", "0/0/00", "remove"),
        ("{ field: d, transforms: [{ date: yyyyMMdd }] }", "00000000", "remove"),
        ("{ field: d, transforms: [{ date: yyyy-MM-dd }, year] }", "--03-14", "remove"),
        ("{ field: d, transforms: [date] }", "--03-14", "remove"),
        (
            "{ field: d, transforms: [{ date: M/d/yy }] }", "1/0/00",
            "error: in.csv:2: agent_attribute_1: placeholder date (Excel's day 0"
        ),
        // Excel's day 0 in a date-time cell, and the Unix epoch with a time: a time never recorded.
        (
            "{ field: d, transforms: [{ date: M/d/yyyy }] }", "1/0/1900 0:00",
            "error: in.csv:2: agent_attribute_1: placeholder date (Excel's day 0"
        ),
        (
            "{ field: d, transforms: [date] }", "1970-01-01 00:00:00",
            "error: in.csv:2: agent_attribute_1: placeholder date (1970-01-01 stands in"
        ),
        // The epoch's date alone may be a birthday.
        ("{ field: d, transforms: [{ date: M/d/yyyy }] }", "1/1/1970", "\"1970-01-01\""),
        (
            "{ field: d, transforms: [{ date: M/d/yy }] }", "0/5/00",
            "error: in.csv:2: agent_attribute_1: not a date in the declared format: 0/5/00"
        ),
        (
            "{ field: d, transforms: [{ date: dd.MM.yyyy }] }", "43556",
            "error: in.csv:2: agent_attribute_1: not a date in the declared format: "
                + "an Excel serial day number (2019-04-01)?"
        ),
        ("{ field: d, transforms: [{ date: [dd.MM.yyyy, excel] }] }", "43556", "\"2019-04-01\""),
        ("{ field: d, transforms: [date, year] }", "1985-03-02", "\"1985\"")
    ])
    func datesAreCheckedWhateverMadeThem(expression: String, input: String, expected: String) throws {
        let value = try MapHarness.value(
            MapHarness.one("agent_attribute_1", expression), csv: "id,d\n1,\(input)\n",
            key: "agent_attribute_1")
        #expect(value.hasPrefix(expected), "\(value)")
    }

    @Test(arguments: [("85", false), ("1985", true), ("1890", false), ("19850", false), ("1985-03-02", false)])
    func yearOfBirthIsFourDigitsInRange(input: String, valid: Bool) throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.year_of_birth: y
            """
        for keep in [false, true] {
            let job = try TrustJob.csv("id,y\n1,\(input)\n", mapping: yaml, policies: "{ max_invalid_share: 1 }")
            #expect(try DatasetValidator(job: job, keepRecords: keep).run().invalid == (valid ? 0 : 1))
        }
    }

    static let excel = "Personalnummer;E-Mail;Standort;;;\r\n1;a@x.de;Berlin;;;\r\n2;b@x.de;Köln;;;\r\n"

    @Test func blankNamedColumnsWithoutValuesAreIgnoredWithAWarning() throws {
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(
                Self.excel, mapping: Self.workers.replacingOccurrences(of: "E-Mail-Adresse", with: "E-Mail")),
            keepRecords: true
        ).run()
        #expect(outcome.isValid && outcome.valid == 2)
        #expect(
            outcome.problems.map(\.rule) == ["columns 4, 5, 6 of the header have a blank name and no values: ignored"])
    }

    @Test func blankNamedColumnsWithValuesAreAnErrorUnlessIgnored() throws {
        let csv = Self.excel.replacingOccurrences(of: "Köln;;;", with: "Köln;;x;")
        let mapping = Self.workers.replacingOccurrences(of: "E-Mail-Adresse", with: "E-Mail")
        let message = errorMessage {
            _ = try DatasetValidator(job: try TrustJob.csv(csv, mapping: mapping), keepRecords: true).run()
        }
        #expect(
            message?.hasSuffix(
                "in.csv:1: column 5 of the header has a blank name, but line 3 has a value in it: "
                    + "name the column, or set 'source.blank_columns: ignore' to drop it") == true)
        let ignored = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: mapping, source: "blank_columns: ignore"),
            keepRecords: true
        ).run()
        #expect(ignored.valid == 2)
        // The value it drops is named at its line, once.
        #expect(
            ignored.problems.map { "\($0.position?.line ?? 0) \($0.rule)" } == [
                "1 columns 4, 5, 6 of the header have a blank name: ignored (blank_columns: ignore)",
                "3 a value in column 5, whose header is blank, is dropped (blank_columns: ignore): the first such line"
            ])
    }

    @Test func aFieldCountMismatchOnTheFirstRowNamesTheDelimiter() throws {
        let detected = try CSVReader(bytes: Array("id,name,team\n1;Ana;Sales\n".utf8), name: "hr.csv")
        #expect(
            errorMessage { _ = try detected.next() }
                == "hr.csv:2: found 1 field, but the header has 3; the delimiter ',' was detected from the header: "
                + "if it is wrong, set 'source.delimiter'")
        let declared = try CSVReader(
            bytes: Array("id;name\n1,Ana\n".utf8), name: "hr.csv",
            options: CSVOptions(delimiter: UInt8(ascii: ";")))
        #expect(
            errorMessage { _ = try declared.next() }?.hasSuffix(
                "the delimiter ';' was declared (source.delimiter or a 'sep=' line): check it against the file") == true
        )
        let wrong = try CSVReader(
            bytes: Array("id;name;team,x\n1;Ana;Sales\n".utf8), name: "hr.csv",
            options: CSVOptions(delimiter: UInt8(ascii: ",")))
        #expect(
            errorMessage { _ = try wrong.next() }?.hasSuffix(
                "the delimiter ',' was declared (source.delimiter or a 'sep=' line), but the header line reads as ';': "
                    + "check 'source.delimiter'") == true)
    }

    @Test(arguments: [("", "the file is empty"), ("  \n\t\n", "the file holds only white space")])
    func anEmptyXMLFileSaysSo(text: String, what: String) throws {
        let options = XMLOptions(recordPath: try XMLPath("/a/b", namespaces: [:]), fields: [])
        #expect(
            errorMessage { _ = try XMLReader(bytes: Array(text.utf8), name: "r.xml", options: options) }
                == "r.xml:1: \(what): no XML document at all (did the export fail?)")
    }

    @Test func anUnreadableMappingNamesTheJobLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let job = directory.appendingPathComponent("job.yaml")
        let text =
            "name: t\nmapping: mapings/hr.yaml\nsource: { path: in.csv, format: csv }\n"
            + "taskrouter: { workspace_sid: WS00000000000000000000000000000000 }\n"
        try Data(text.utf8).write(to: job)
        let message = errorMessage { _ = try Job.load(path: job.path) } ?? ""
        #expect(message.hasPrefix(job.path + ":2:10: cannot read the mapping file "), "\(message)")
        #expect(message.hasSuffix("mapings/hr.yaml: no such file (paths are relative to the job file)"))
    }

    static let tolerant = """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          team_id: team
          agent_attribute_1: { field: born, transforms: [date, year], on_error: drop }
        """

    @Test func onErrorDropLeavesTheAttributeOutAndKeepsTheRow() throws {
        let records = try MapHarness.map(Self.tolerant, csv: "id,team,born\n1,T1,1890-01-01\n2,T1,1985-02-03\n")
        #expect(records.map(\.isValid) == [true, true])
        #expect(
            records[0].problems.map { $0.line(showValues: true) }
                == [
                    "in.csv:2: agent_attribute_1: date outside Insights' years 1901–2049 (left out: on_error: drop): "
                        + "1890-01-01"
                ])
        #expect(records[0].problems.map(\.severity) == [.warning])
        #expect(
            !records[0].set.contains { $0.key == "agent_attribute_1" }
                && !records[0].remove.contains("agent_attribute_1"))
        #expect(records[0].keep.contains("agent_attribute_1"))
        #expect(records[1].set.contains { $0.key == "agent_attribute_1" && $0.value == .string("1985") })
        let yaml =
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: { field: id, on_error: drop }\n"
        #expect(
            errorMessage { _ = try Mapping.parse(yaml, path: "m.yaml") }
                == "m.yaml:4:1: 'agent_id' is the first key: 'on_error: drop' would match records without it")
    }

    /// Problems name Insights attributes; the report also names the export's columns behind
    /// them, in text (one line) and in JSON (per problem).
    @Test func problemsSayWhichColumnsTheirAttributeReads() throws {
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: Associate ID
              full_name: { template: "{First} {Last}" }
              email: { field: Work Email, transforms: [email] }
              agent_label_1: { field: Hire Date, transforms: [{ date: MM/dd/yyyy }] }
            """
        let csv =
            "Associate ID,First,Last,Work Email,Hire Date\nA1,Ana,Lima,ana@,02/30/2021\nA2,Bo,Chen,bo@x.example,\n"
        let job = try TrustJob.csv(csv, mapping: mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let text = ValidationReport.text(outcome, job: job, showValues: false)
        #expect(
            text.contains("\n(read from: email ← 'Work Email'; agent_label_1 ← 'Hire Date')\n"), "\(text)")
        let json = try #require(
            try JSONSerialization.jsonObject(
                with: Data(ValidationReport.json(outcome, job: job, showValues: false).utf8))
                as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        let sources = problems.map { "\($0["field"] ?? "") \($0["source_fields"] as? [String] ?? ["?"])" }
        #expect(sources == ["email [\"Work Email\"]", "agent_label_1 [\"Hire Date\"]"], "\(sources)")
    }

    /// A duplicate names the key value it shares: masked like any other personal value when the
    /// key is an e-mail, shown when it is an employee id.
    @Test func aDuplicatePersonalKeyIsMaskedUnlessAsked() throws {
        let mapping = """
            target: workers
            key: { match: [email, agent_id], allow_fallback: true }
            attributes:
              email: { field: mail, transforms: [email] }
              agent_id: id
            """
        let csv = "mail,id\nana.lima@example.org,A1\nana.lima@example.org,A2\n,A3\n,A3\n"
        let job = try TrustJob.csv(csv, mapping: mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let masked = ValidationReport.text(outcome, job: job, showValues: false)
        #expect(masked.contains("in.csv:3: email: duplicate key, also on \(job.source.pattern):2: a*** (20 chars)"))
        #expect(!masked.contains("ana.lima"))
        #expect(!ValidationReport.json(outcome, job: job, showValues: false).contains("ana.lima"))
        #expect(
            ValidationReport.text(outcome, job: job, showValues: true).contains(
                "in.csv:3: email: duplicate key, also on \(job.source.pattern):2: ana.lima@example.org"))
        // Rows 4 and 5 fall back to the employee id, which is not personal.
        #expect(masked.contains("in.csv:5: email: duplicate key, also on \(job.source.pattern):4: A3"), "\(masked)")
    }
}
