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
}
