import Foundation
import Testing

@testable import FlexSync

/// Excel's "XML Spreadsheet 2003", as older HR and workforce tools export it: a row leaves its
/// empty cells out and numbers the cell after a gap (`ss:Index`), a cell may span columns
/// (`ss:MergeAcross`), a failed formula is a cell of type `Error`, and a totals row ends the table.
struct SpreadsheetMLTests {
    static let workbook = """
        <?xml version="1.0"?>
        <?mso-application progid="Excel.Sheet"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"
         xmlns:o="urn:schemas-microsoft-com:office:office"
         xmlns:x="urn:schemas-microsoft-com:office:excel"
         xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"
         xmlns:html="http://www.w3.org/TR/REC-html40">
         <Styles>
          <Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style>
          <Style ss:ID="s62"><NumberFormat ss:Format="Short Date"/></Style>
          <Style ss:ID="s63"><Font ss:Bold="1"/></Style>
         </Styles>
         <Worksheet ss:Name="Agents">
          <Table ss:ExpandedColumnCount="5" ss:ExpandedRowCount="7" x:FullColumns="1" x:FullRows="1">
           <Row ss:StyleID="s63">
            <Cell><Data ss:Type="String">Agent ID</Data></Cell>
            <Cell><Data ss:Type="String">Name</Data></Cell>
            <Cell><Data ss:Type="String">Email</Data></Cell>
            <Cell><Data ss:Type="String">Team</Data></Cell>
            <Cell><Data ss:Type="String">Site</Data></Cell>
           </Row>
           <Row>
            <Cell><Data ss:Type="Number">1001</Data></Cell>
            <Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40">Ana <B>Lima</B></ss:Data></Cell>
            <Cell><Data ss:Type="String">ana.lima@example.com</Data></Cell>
            <Cell><Data ss:Type="String">Billing</Data></Cell>
            <Cell><Data ss:Type="String">Denver</Data></Cell>
           </Row>
           <Row>
            <Cell><Data ss:Type="Number">1002</Data></Cell>
            <Cell><Data ss:Type="String">Bo Chen</Data></Cell>
            <Cell ss:Index="4"><Data ss:Type="String">Support</Data></Cell>
            <Cell><Data ss:Type="String">Austin</Data></Cell>
           </Row>
           <Row>
            <Cell ss:Index="2"><Data ss:Type="String">Priya Nair</Data></Cell>
            <Cell><Data ss:Type="String">priya.nair@example.com</Data></Cell>
            <Cell><Data ss:Type="String">Support</Data></Cell>
           </Row>
           <Row>
            <Cell><Data ss:Type="Number">1004</Data></Cell>
            <Cell ss:MergeAcross="1"><Data ss:Type="String">Dee Park</Data></Cell>
            <Cell ss:Index="5"><Data ss:Type="String">Boston</Data></Cell>
           </Row>
           <Row>
            <Cell><Data ss:Type="Number">1005</Data></Cell>
            <Cell><Data ss:Type="String">Eli Moss</Data></Cell>
            <Cell><Data ss:Type="String">eli.moss@example.com</Data></Cell>
            <Cell ss:Formula="=VLOOKUP(A7,Teams!A:B,2,FALSE)"><Data ss:Type="Error">#N/A</Data></Cell>
           </Row>
           <Row>
            <Cell><Data ss:Type="String">Total</Data></Cell>
            <Cell ss:Formula="=COUNTA(R[-5]C:R[-1]C)"><Data ss:Type="Number">5</Data></Cell>
           </Row>
          </Table>
         </Worksheet>
        </Workbook>

        """

    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        skip_when: { field: "ss:Cell[1]/ss:Data", equals: ["Agent ID"] }
        attributes:
          agent_id: "ss:Cell[1]/ss:Data"
          full_name: "ss:Cell[2]/ss:Data"
          email: { field: "ss:Cell[3]/ss:Data", transforms: [email] }
          team_id: "ss:Cell[4]/ss:Data"
          location: "ss:Cell[5]/ss:Data"
        """

    /// Each valid record's attributes as text, by its key.
    static func valuesByID(_ outcome: ValidationOutcome) -> [String: [String: String]] {
        Dictionary(
            outcome.records.map { record in
                (record.identity ?? "", Dictionary(record.set.map { ($0.key, $0.value.displayText) }) { a, _ in a })
            }
        ) { a, _ in a }
    }

    static func job() throws -> Job {
        try TrustJob.file(
            Array(workbook.utf8), name: "agents.xml", format: "xml", mapping: mapping,
            policies: "{ max_invalid_share: 1 }",
            source: "record: /ss:Workbook/ss:Worksheet/ss:Table/ss:Row, "
                + "namespaces: { ss: \"urn:schemas-microsoft-com:office:spreadsheet\" }")
    }

    /// A position counts columns: the cell after a gap is read from its own column, never the
    /// next one along, and a merged cell's columns hold nothing of their own.
    @Test func aPositionCountsColumnsNotCells() throws {
        let outcome = try DatasetValidator(job: try Self.job(), keepRecords: true).run()
        let byID = SpreadsheetMLTests.valuesByID(outcome)
        // Rich text (HTML inside the cell's data) reads as its text.
        #expect(byID["1001"]?["location"] == "Denver" && byID["1001"]?["full_name"] == "Ana Lima")
        // Email left out: team and site in their own columns, no e-mail made of "Support".
        #expect(byID["1002"]?["team_id"] == "Support" && byID["1002"]?["location"] == "Austin")
        #expect(byID["1002"]?["email"] == nil)
        // MergeAcross="1" spans columns 2 and 3; the site names its column.
        #expect(byID["1004"]?["full_name"] == "Dee Park" && byID["1004"]?["email"] == nil)
        #expect(byID["1004"]?["location"] == "Boston")
    }

    /// The row without its id is an empty key (not an agent called "Priya Nair"), the failed
    /// lookup is an error naming it, and the totals row is left out.
    @Test func gapsErrorsAndTotalsAreNamed() throws {
        let outcome = try DatasetValidator(job: try Self.job(), keepRecords: false).run()
        let rules = outcome.problems.map { "\($0.position?.record ?? 0) \($0.field): \($0.rule)" }
        #expect(rules.contains("4 agent_id: empty key 'agent_id'"), "\(rules)")
        #expect(
            rules.contains { $0.hasPrefix("6 team_id: an Excel formula error where a value should be") }, "\(rules)")
        #expect(rules.contains { $0.hasPrefix("7 -: a report's total line ('Total' first") }, "\(rules)")
        // The header row by skip_when, the totals row as a report's line: both skipped.
        #expect(outcome.rowsRead == 7 && outcome.skipped == 2 && outcome.valid == 3 && outcome.invalid == 2)
    }

    /// The same failure in a CSV cell, in German, and listed as a null token instead.
    @Test func anExcelErrorInACSVIsAnErrorUnlessListed() throws {
        let mapping = "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n  team_id: team\n"
        let csv = "id,team\r\n1,#NV\r\n2,Billing\r\n3,#1 Plumbing\r\n"
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: mapping, policies: "{ max_invalid_share: 1 }"), keepRecords: false
        ).run()
        #expect(outcome.invalid == 1 && outcome.problems.map(\.position?.line) == [2], "\(outcome.problems)")
        let listed = try DatasetValidator(
            job: try TrustJob.csv(
                csv, mapping: mapping, policies: "{ max_invalid_share: 1 }", source: "null_tokens: ['#NV']"),
            keepRecords: false
        ).run()
        #expect(listed.invalid == 0)
    }

    /// inspect takes the table's rows as records (not the styles nearer the root), names each
    /// column by the header row's text, leaves that row out of the counts, and drafts a mapping
    /// that skips it and compiles.
    @Test func inspectReadsTheSheetAndDraftsAMappingThatRuns() throws {
        let path = try Self.job().source.pattern
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        // Rich text re-binds the default namespace to HTML's: the sheet's names take their declared prefix.
        #expect(inspection.recordPath == "/ss:Workbook/ss:Worksheet/ss:Table/ss:Row")
        #expect(inspection.records == 6)
        #expect(inspection.headerRow?.field == "ss:Cell[1]/ss:Data" && inspection.headerRow?.value == "Agent ID")
        #expect(
            inspection.columns.map { "\($0.name) (\($0.label ?? ""))" } == [
                "ss:Cell[1]/ss:Data (Agent ID)", "ss:Cell[2]/ss:Data (Name)", "ss:Cell[3]/ss:Data (Email)",
                "ss:Cell[4]/ss:Data (Team)", "ss:Cell[5]/ss:Data (Site)"
            ])
        // The gapped row's team counts in column 4, not as an e-mail.
        #expect(inspection.columns[2].filled == 3 && inspection.columns[3].filled == 4)
        let draft = MappingDraft.yaml(inspection, target: .workers)
        #expect(draft.contains("skip_when: { field: \"ss:Cell[1]/ss:Data\", equals: [\"Agent ID\"] }"), "\(draft)")
        #expect(
            draft.contains("  agent_id: \"ss:Cell[1]/ss:Data\"") && draft.contains("  location: \"ss:Cell[5]/ss:Data\"")
        )
        _ = try Mapping.parse(draft, path: "draft.yaml")
        let report = InspectReport.text(inspection, showValues: false)
        #expect(
            report.contains("'#N/A' fills 'ss:Cell[4]/ss:Data' (1): an Excel formula error, which validate refuses"))
    }
}
