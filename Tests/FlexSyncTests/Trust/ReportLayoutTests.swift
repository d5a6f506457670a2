import Foundation
import Testing

@testable import FlexSync

/// HR and CRM report builders print more than a table: a title and a run date above the header,
/// a total line below the data, the header again where two downloads were joined. Each is named
/// where it is, and no data row is lost or read as another row.
struct ReportLayoutTests {
    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: Associate ID
          full_name: { template: "{Legal First Name} {Legal Last Name}" }
        """

    static let header = "\"Associate ID\",\"Legal First Name\",\"Legal Last Name\""

    /// Two title lines and a blank line above the header, CRLF, a total line at the end.
    static let titled =
        "\"Agent Roster - Flex\"\r\n\"Run Date: 11/30/2026 02:00 AM\"\r\n\r\n\(header)\r\n"
        + "\"G3B01\",\"Grace\",\"Navarro\"\r\n\"G3B02\",\"Mateo\",\"Aziz\"\r\n\r\n\"Total Records: 2\"\r\n"

    @Test func withoutHeaderLineTheErrorSaysWhereTheHeaderIs() throws {
        let job = try TrustJob.csv(Self.titled, mapping: Self.mapping)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        #expect(
            message.hasSuffix(
                "in.csv:4: -: the columns the mapping reads are on line 4, not on line 1: the lines above it are not "
                    + "the header (a report title?): set 'source.header_line: 4'"), "\(message)")
        // One line, not an error per column.
        #expect(!message.contains("no column"))
    }

    /// A title Excel padded to the table's width reads as a header of blank columns with values
    /// below them: the header's line is still what the error names, not the blank columns.
    @Test func aPaddedTitleNamesTheHeaderLineNotItsBlankColumns() throws {
        let padded =
            "\"Agent Roster - Flex\",,\r\n\"Filtered By: Active\",,\r\n\(Self.header)\r\n\"G3B01\",\"Grace\",\"Navarro\"\r\n"
        let job = try TrustJob.csv(padded, mapping: Self.mapping)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        #expect(message.hasSuffix("set 'source.header_line: 3'"), "\(message)")
    }

    @Test func headerLineReadsFromThatLineAndKeepsTheFilesLineNumbers() throws {
        let job = try TrustJob.csv(
            Self.titled, mapping: Self.mapping, policies: "{ max_invalid_share: 1 }", source: "header_line: 4")
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(outcome.rowsRead == 3 && outcome.valid == 2 && outcome.invalid == 0 && outcome.skipped == 1)
        #expect(outcome.store.validRecords.map(\.position.line) == [5, 6])
        // The total alone on its line is the report's, as when Excel pads it.
        let lines = outcome.problems.map { $0.line(showValues: true) }
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "in.csv:8: -: a report's total line ('Total Records: 2', alone on its line): the row is left out")
            }, "\(lines)")
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func headerLineCountsPhysicalLinesWhateverTheirEnds(end: String) throws {
        let csv =
            ["Roster", "", "Associate ID,Legal First Name,Legal Last Name", "G1,Ana,Lima", "G2,Bo,Chen"]
            .joined(separator: end) + end
        var options = CSVOptions()
        options.headerLine = 3
        // Read whole, and a byte at a time (a CR and its LF in different reads).
        for chunk in [1 << 20, 1] {
            let reader = try CSVReader(
                input: ByteInput(bytes: Array(csv.utf8), name: "in.csv"), options: options, chunkSize: chunk)
            #expect(reader.headerLine == 3)
            #expect(reader.schema.names == ["Associate ID", "Legal First Name", "Legal Last Name"])
            var lines: [Int] = []
            while let record = try reader.next() { lines.append(record.position.line) }
            #expect(lines == [4, 5])
        }
    }

    @Test func aHeaderLinePastTheEndIsAnError() throws {
        var options = CSVOptions()
        options.headerLine = 9
        let message = errorMessage {
            _ = try CSVReader(bytes: Array("Title\nA,B\n1,2\n".utf8), name: "in.csv", options: options)
        }
        #expect(message == "in.csv: 'source.header_line' is 9, but the file has no header there: it ends first")
        let xml = errorMessage {
            _ = try TrustJob.file(
                Array("<r><w><id>1</id></w></r>".utf8), name: "in.xml", format: "xml",
                mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n",
                source: "record: /r/w, header_line: 2")
        }
        #expect(xml?.contains("'source.header_line' is for CSV sources") == true, "\(xml ?? "")")
    }

    /// Two downloads joined into one file: the second header is left out with a warning at its
    /// line; the rows around it are read as usual (their duplicates are the duplicate check's).
    @Test func aRepeatedHeaderRowIsAWarningNotBadValues() throws {
        let csv = "\(Self.header)\r\n\"G1\",\"Ana\",\"Lima\"\r\n\(Self.header)\r\n\"G2\",\"Bo\",\"Chen\"\r\n"
        let outcome = try DatasetValidator(job: try TrustJob.csv(csv, mapping: Self.mapping), keepRecords: true).run()
        #expect(outcome.rowsRead == 2 && outcome.valid == 2 && outcome.invalid == 0)
        #expect(
            outcome.problems.map { $0.line(showValues: true) }.contains {
                $0.hasSuffix("in.csv:3: -: this row repeats the header (two exports joined into one?): left out")
            }, "\(outcome.problems)")
        #expect(outcome.warnings == 1)
        // A second export appended whole brings its byte order mark before its header.
        let appended =
            "\(Self.header)\r\n\"G1\",\"Ana\",\"Lima\"\r\n\u{FEFF}\(Self.header)\r\n\"G2\",\"Bo\",\"Chen\"\r\n"
        let joined = try DatasetValidator(job: try TrustJob.csv(appended, mapping: Self.mapping), keepRecords: true)
            .run()
        #expect(
            joined.rowsRead == 2 && joined.valid == 2 && joined.warnings == 1,
            "\(joined.rowsRead) \(joined.valid) \(joined.problems)")
        // A row that merely shares the first column's name is data, and checked as such.
        let lookalike = "\(Self.header)\r\n\"Associate ID\",\"Ana\",\"Lima\"\r\n"
        let other = try DatasetValidator(job: try TrustJob.csv(lookalike, mapping: Self.mapping), keepRecords: true)
            .run()
        #expect(other.rowsRead == 1 && other.warnings == 0)
        // inspect leaves it out of the counts and says where it was.
        let inspection = try ExportInspection.inspect(
            path: try TrustJob.csv(csv, mapping: Self.mapping).source.pattern, recordPath: nil)
        #expect(inspection.records == 2 && inspection.repeatedHeaderLines == [3])
    }

    /// Excel pads a report's totals line with empty columns (`Total,2,,`): it is left out with a
    /// warning at its line (skipped, never a person, and no error to stop a run its people pass);
    /// a row whose first value merely starts like a label is data.
    @Test func aTotalsLineIsNamedNotReadAsAPerson() throws {
        let csv =
            "Label,\(Self.header)\r\nx,\"G1\",\"Ana\",\"Lima\"\r\nSummer,\"G2\",\"Bo\",\"Chen\"\r\n"
            + "Total,2,,\r\n"
        let job = try TrustJob.csv(csv, mapping: Self.mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(outcome.rowsRead == 3 && outcome.valid == 2 && outcome.invalid == 0 && outcome.skipped == 1)
        #expect(outcome.problems.allSatisfy { $0.severity == .warning })
        #expect(
            outcome.problems.map { $0.line(showValues: true) } == [
                "\(job.source.pattern):4: -: a report's total line ('Total' first, most other columns empty): the "
                    + "row is left out"
            ])
    }

    /// A person whose name is a label's word (`Soma`, `Suma`, `Total`) with an id or an e-mail
    /// beside it is a person: a report's line holds counts and sums at most.
    @Test func aSurnameLikeALabelIsAPerson() throws {
        let mapping =
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n  full_name: { template: \"{first} {last}\" }\n"
        let csv =
            "last,first,id,email,title,site,phone,manager\r\nSoma,Kenji,E002,kenji@example.com,,,,\r\n"
            + "Suma,Priya,E003,,,,,\r\nTotal,2,,,,,,\r\n"
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: mapping, policies: "{ max_invalid_share: 1 }"), keepRecords: false
        ).run()
        #expect(outcome.valid == 2 && outcome.skipped == 1, "\(outcome.problems)")
        #expect(outcome.problems.map { $0.position?.line } == [4])
    }

    /// SAP SuccessFactors' user data file: field ids on the first line, their labels on the
    /// second. The labels are left out with a warning, never a worker called `User ID`; a first
    /// row that merely shares two names with the header in a wide file is data.
    @Test func aSecondHeaderRowOfLabelsIsLeftOut() throws {
        let csv =
            "STATUS,USERID,FIRSTNAME,LASTNAME\r\nSTATUS,User ID,First Name,Last Name\r\n"
            + "active,100101,Sarah,Whitfield\r\n"
        let mapping =
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: USERID\n"
            + "  full_name: { template: \"{FIRSTNAME} {LASTNAME}\" }\n"
        let job = try TrustJob.csv(csv, mapping: mapping)
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(outcome.rowsRead == 1 && outcome.valid == 1, "\(outcome.problems)")
        #expect(
            outcome.problems.map { $0.line(showValues: true) } == [
                "\(job.source.pattern):2: -: this row names the columns again as labels (a second header row, as "
                    + "SAP SuccessFactors writes): left out"
            ])
        let inspection = try ExportInspection.inspect(path: job.source.pattern, recordPath: nil)
        #expect(inspection.records == 1 && inspection.repeatedHeaderLines == [2])
        let data = "a,b,c,d,e,f\r\nA,B,x,y,z,w\r\n"
        #expect(
            try DatasetValidator(
                job: try TrustJob.csv(
                    data,
                    mapping: mapping.replacingOccurrences(
                        of: "USERID", with: "a"
                    ).replacingOccurrences(of: "{FIRSTNAME} {LASTNAME}", with: "{b} {c}")),
                keepRecords: false
            ).run().rowsRead == 1)
    }

    /// A total's label with words after it that are not letters alone (`Total S.A.`, a company)
    /// is data.
    @Test func aLabelWithMoreThanWordsIsData() throws {
        let csv = "Label,\(Self.header)\r\nTotal S.A.,1,,\r\nTotal 2026 staff,1,,\r\n"
        let job = try TrustJob.csv(csv, mapping: Self.mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(outcome.skipped == 0 && outcome.rowsRead == 2, "\(outcome.problems)")
    }

    /// A file of nothing but a report's lines selects nothing, and says so without naming a
    /// `skip_when` the job does not have.
    @Test func onlyLayoutLinesSelectNothing() throws {
        let csv = "Label,\(Self.header)\r\nTotal,0,,\r\nConfidential Information - Do Not Distribute,,,\r\n"
        let outcome = try DatasetValidator(job: try TrustJob.csv(csv, mapping: Self.mapping), keepRecords: false).run()
        #expect(
            outcome.abortReason == "0 of 2 rows selected: every row is a report's total, heading or footer line",
            "\(outcome.abortReason ?? "")")
    }

    /// The same in the languages spreadsheets are set up in (`Razem;26;;` from a Polish Excel).
    @Test(arguments: [
        "Razem", "Ogółem", "Celkem", "Összesen", "Total général", "Yhteensä", "I alt", "Insgesamt", "Toplam",
        "GENEL TOPLAM", "Итого", "Общий итог", "Σύνολο", "Totale dipendenti", "Total employees",
        "Totalt antall ansatte"
    ])
    func aTotalsLineInAnotherLanguage(label: String) throws {
        let csv = "Label,\(Self.header)\r\nx,\"G1\",\"Ana\",\"Lima\"\r\n\(label),1,,\r\n"
        let job = try TrustJob.csv(csv, mapping: Self.mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(outcome.valid == 1 && outcome.invalid == 0 && outcome.skipped == 1)
        #expect(outcome.problems.map(\.rule).first?.hasPrefix("a report's total line ('\(label)' first") == true)
    }

    @Test func inspectFindsTheHeaderBelowATitle() throws {
        let path = try TrustJob.csv(Self.titled, mapping: Self.mapping).source.pattern
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        #expect(inspection.headerLine == 4)
        #expect(inspection.columns.map(\.name) == ["Associate ID", "Legal First Name", "Legal Last Name"])
        #expect(inspection.records == 2 && inspection.malformedRows.isEmpty && inspection.totalLines.map(\.line) == [8])
        let text = InspectReport.text(inspection, showValues: false)
        #expect(
            text.contains(
                "header on line 4: the lines above it are not the header (a report title?): "
                    + "set 'source.header_line: 4' in the job"), "\(text)")
        #expect(
            text.contains(
                "line 8: a report's total line ('Total Records: 2' first): left out of the counts"), "\(text)")
        // An ordinary file keeps its first line.
        let plain = try TrustJob.csv("\(Self.header)\n\"G1\",\"Ana\",\"Lima\"\n", mapping: Self.mapping)
        #expect(try ExportInspection.inspect(path: plain.source.pattern, recordPath: nil).headerLine == nil)
    }

    /// Alone on its line, only a footer's opening words or a total's label with a figure are the
    /// report's: a person's name that begins with a label's word (`Soma Das`, from a tool that
    /// drops empty fields) stays that row's error, and so does a row written with another delimiter.
    @Test func aNameAloneOnItsLineIsNoTotal() throws {
        let csv =
            "Associate ID;Legal First Name;Legal Last Name\n1;Ana;Lima\nSoma Das\nSum Yee Wong\nCopyright Clearance Center,C9,CCC\nTotal 2\n"
            + "Copyright (c) 2026 Example Ltd.\n"
        let job = try TrustJob.csv(csv, mapping: Self.mapping, policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let found = outcome.problems.map { "\($0.severity) \($0.position?.line ?? 0)" }
        #expect(found == ["error 3", "error 4", "error 5", "warning 6", "warning 7"], "\(outcome.problems)")
        #expect(outcome.problems[2].rule.contains("separated by ','"))
        #expect(outcome.problems[3].rule.hasPrefix("a report's total line ('Total 2', alone on its line)"))
    }
}
