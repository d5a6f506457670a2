import Foundation
import Testing

@testable import FlexSync

/// A run that selects nothing is not a success, and says why.
struct SelectionTests {
    static let salesforce = """
        target: tasks
        key: { match: [customers.external_id] }
        skip_when: { field: IsDeleted, equals: ["true"] }
        attributes:
          customers.external_id: Id
          customers.name: { template: "{FirstName} {LastName}" }
        """

    @Test func everyRowSkippedBySkipWhen() throws {
        let rows = (1...50).map { "\"003Dn00000\(1000 + $0)AAA\",\"Ana\",\"Lima\",\"true\"" }
        let csv =
            "\u{FEFF}\"Id\",\"FirstName\",\"LastName\",\"IsDeleted\"\r\n" + rows.joined(separator: "\r\n") + "\r\n"
        let outcome = try DatasetValidator(job: try TrustJob.csv(csv, mapping: Self.salesforce), keepRecords: false)
            .run()
        #expect(!outcome.isValid)
        #expect(outcome.selected == 0)
        #expect(
            outcome.abortReason == "0 of 50 rows selected: skip_when field 'IsDeleted' equals [true] held on every row")
        let job = try TrustJob.csv(csv, mapping: Self.salesforce)
        let json = ValidationReport.json(outcome, job: job, showValues: false)
        #expect(json.contains("\"selected\": 0") && json.contains("\"nothing_selected\": \"0 of 50 rows selected: "))
    }

    /// A misspelt skip_when field is caught before any row is read, at its line.
    @Test func aMisspeltSkipWhenFieldIsNamedBeforeTheFirstRow() throws {
        let mapping = Self.salesforce.replacingOccurrences(of: "field: IsDeleted", with: "field: IsDelted")
        let job = try TrustJob.csv("Id,FirstName,LastName,IsDeleted\n003A,Ana,Lima,true\n", mapping: mapping)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        #expect(message.contains("m.yaml:3: IsDelted: no column 'IsDelted' in the header of "), "\(message)")
        #expect(message.hasSuffix("(did you mean 'IsDeleted'?)"))
    }

    @Test func everySelectedRowInvalid() throws {
        let csv = "Id,FirstName,LastName,IsDeleted\n,Ana,Lima,false\n,Bo,Chen,false\n003Dn000001,Cy,Dee,true\n"
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: Self.salesforce, policies: "{ max_invalid_share: 1 }"),
            keepRecords: true
        ).run()
        #expect(!outcome.isValid)
        #expect(outcome.abortReason == "0 of 3 rows selected: all 2 rows skip_when kept are invalid")
        // Without a skip_when (or one that skipped nothing), every row was selected: say only that all are invalid.
        let unfiltered = Self.salesforce.replacingOccurrences(
            of: "skip_when: { field: IsDeleted, equals: [\"true\"] }\n", with: "")
        let all = try DatasetValidator(
            job: try TrustJob.csv(
                "Id,FirstName,LastName,IsDeleted\n,Ana,Lima,false\n,Bo,Chen,false\n", mapping: unfiltered,
                policies: "{ max_invalid_share: 1 }"), keepRecords: false
        ).run()
        #expect(all.abortReason == "0 of 2 rows valid: every row is invalid", "\(all.abortReason ?? "")")
    }

    @Test func noRecordsAtTheRecordPath() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <wd:Report_Data xmlns:wd="urn:com.workday.report/Flex_Agents">
            <wd:Report_Entry><wd:Employee_ID>1</wd:Employee_ID></wd:Report_Entry>
            </wd:Report_Data>
            """
        let mapping = "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: wd:Employee_ID\n"
        let job = try TrustJob.file(
            Array(xml.utf8), name: "r.xml", format: "xml", mapping: mapping,
            source: "record: /wd:Report_Data/wd:Entry, namespaces: { wd: \"urn:com.workday.report/*\" }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(
            outcome.abortReason
                == "the export has no rows: 0 records at the record path '/wd:Report_Data/wd:Entry' "
                + "(check 'source.record' and 'namespaces')"
        )
    }

    @Test func theEmptyExportGateCountsSelectedRows() throws {
        let csv = "Id,FirstName,LastName,IsDeleted\n003A,Ana,Lima,true\n003B,Bo,Chen,true\n"
        let job = try TrustJob.csv(csv, mapping: Self.salesforce)
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        let plan = Planner(job: job, digest: "d", overrides: PlanOverrides(), lastRunRows: nil).planTasks(
            outcome, live: [])
        let gate = try #require(plan.gates.first { $0.name == "empty-export" })
        #expect(gate.tripped)
        #expect(gate.detail == "0 of 2 rows selected: skip_when field 'IsDeleted' equals [true] held on every row")
        #expect(plan.trippedGates.map(\.name).contains("empty-export"))
    }
    /// ADP-style reports pick one field from two sections: a repeated column name the mapping
    /// does not read is a warning and the rows are read; one it reads cannot be told apart and
    /// stops the run, naming both columns.
    @Test func aRepeatedColumnNameMattersOnlyWhenMapped() throws {
        let csv = "Id,Position ID,FirstName,LastName,Position ID\n003A,P1,Ana,Lima,P9\n003B,P2,Bo,Chen,P8\n"
        let unfiltered = Self.salesforce.replacingOccurrences(
            of: "skip_when: { field: IsDeleted, equals: [\"true\"] }\n", with: "")
        let outcome = try DatasetValidator(job: try TrustJob.csv(csv, mapping: unfiltered), keepRecords: true).run()
        #expect(outcome.valid == 2 && outcome.isValid)
        #expect(
            outcome.problems.map { $0.line(showValues: true) }.contains {
                $0.hasSuffix("in.csv:1: -: the header repeats 'Position ID' (columns 2 and 5): not mapped, ignored")
            }, "\(outcome.problems)")
        let reading = unfiltered + "\n  customers.customer_attribute_1: Position ID\n"
        let job = try TrustJob.csv(csv, mapping: reading)
        let message = errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() } ?? ""
        #expect(message.hasSuffix("in.csv:1: duplicate column name 'Position ID' (columns 2 and 5)"), "\(message)")
        // inspect shows both, the later one by its column.
        let inspection = try ExportInspection.inspect(path: job.source.pattern, recordPath: nil)
        #expect(
            inspection.columns.map(\.name) == ["Id", "Position ID", "FirstName", "LastName", "Position ID (column 5)"])
    }
    /// SQL Server's "Save results as" does not quote: a comma in one value makes that row one
    /// field too many. The row is that row's error (nothing of it is used) and every other row is
    /// still read and checked; a row spanning lines (a lost quote may have swallowed rows) still
    /// stops the run, as does a first row that disagrees (more likely the wrong delimiter).
    @Test func aRowWithAStrayDelimiterIsThatRowsError() throws {
        let unfiltered = Self.salesforce.replacingOccurrences(
            of: "skip_when: { field: IsDeleted, equals: [\"true\"] }\n", with: "")
        let csv = "Id,FirstName,LastName\n003A,Ana,Lima\n003B,Bo,Chen, Jr.\n003C,Cy\n003D,Dee,Ng\n"
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: unfiltered, policies: "{ max_invalid_share: 1 }"), keepRecords: true
        ).run()
        #expect(outcome.rowsRead == 4 && outcome.valid == 2 && outcome.invalid == 2)
        let lines = outcome.problems.map { $0.line(showValues: true) }
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "in.csv:3: -: found 4 fields, but the header has 3: a value holds an unquoted delimiter, or a "
                        + "field is missing; the row is left out")
            }, "\(lines)")
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "in.csv:4: -: found 2 fields, but the header has 3: a value holds an unquoted delimiter, or a field is missing; the row is left out"
                )
            })
        #expect(outcome.store.validRecords.map(\.position.line) == [2, 5])
        // Across lines, or on the first row, the file stops being read.
        let spanning = "Id,FirstName,LastName\n003A,Ana,Lima\n003B,\"Bo\nChen\",x,y\n003D,Dee,Ng\n"
        let job = try TrustJob.csv(spanning, mapping: unfiltered)
        #expect(
            errorMessage { _ = try DatasetValidator(job: job, keepRecords: false).run() }?.hasSuffix(
                "in.csv:3: found 4 fields, but the header has 3") == true)
        let inspection = try ExportInspection.inspect(
            path: try TrustJob.csv(csv, mapping: unfiltered).source.pattern, recordPath: nil)
        #expect(inspection.records == 2 && inspection.malformedRows.map(\.line) == [3, 4])
        #expect(
            InspectReport.text(inspection, showValues: false).contains(
                "line 3: 4 fields, the header has 3: left out of the counts: a value holds an unquoted delimiter, or a "
                    + "field is missing"))
    }
}
