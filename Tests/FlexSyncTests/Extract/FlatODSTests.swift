import Foundation
import Testing

@testable import FlexSync

/// LibreOffice's "Flat XML ODF Spreadsheet" (`.fods`): a run of like cells is one element
/// (`table:number-columns-repeated`), a merged cell's other columns are covered cells, and the
/// sheet ends in a run of a million empty rows. A position counts columns, as in XML Spreadsheet.
struct FlatODSTests {
    static let document = """
        <?xml version="1.0" encoding="UTF-8"?>
        <office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
         xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
         xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
         xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
         xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
         office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
         <office:automatic-styles>
          <style:style style:name="co1" style:family="table-column"/>
          <style:style style:name="co2" style:family="table-column"/>
          <style:style style:name="ro1" style:family="table-row"/>
          <style:style style:name="ta1" style:family="table"/>
          <style:style style:name="ce1" style:family="table-cell"/>
          <style:style style:name="ce2" style:family="table-cell"/>
         </office:automatic-styles>
         <office:body>
          <office:spreadsheet>
           <table:table table:name="Agents" table:style-name="ta1">
            <table:table-column table:style-name="co1" table:number-columns-repeated="5"/>
            <table:table-row table:style-name="ro1">
              <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Agent ID</text:p></table:table-cell>
              <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Name</text:p></table:table-cell>
              <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Email</text:p></table:table-cell>
              <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Team</text:p></table:table-cell>
              <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Site</text:p></table:table-cell>
            </table:table-row>
            <table:table-row table:style-name="ro1">
             <table:table-cell office:value-type="float" office:value="1001" calcext:value-type="float"><text:p>1001</text:p></table:table-cell>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Ana Lima</text:p></table:table-cell>
             <table:table-cell table:number-columns-repeated="2"/>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Denver</text:p></table:table-cell>
            </table:table-row>
            <table:table-row table:style-name="ro1">
             <table:table-cell office:value-type="float" office:value="1002" calcext:value-type="float"><text:p>1002</text:p></table:table-cell>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Bo Chen</text:p></table:table-cell>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>bo.chen@example.com</text:p></table:table-cell>
             <table:table-cell table:number-columns-repeated="2" office:value-type="string" calcext:value-type="string"><text:p>Austin</text:p></table:table-cell>
            </table:table-row>
            <table:table-row table:style-name="ro1">
             <table:table-cell office:value-type="float" office:value="1003" calcext:value-type="float"><text:p>1003</text:p></table:table-cell>
             <table:table-cell table:number-columns-spanned="2" office:value-type="string" calcext:value-type="string"><text:p>Dee Park</text:p></table:table-cell>
             <table:covered-table-cell/>
             <table:table-cell table:style-name="ce2"/>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Boston</text:p></table:table-cell>
            </table:table-row>
            <table:table-row table:style-name="ro1" table:number-rows-repeated="2">
             <table:table-cell office:value-type="float" office:value="1004" calcext:value-type="float"><text:p>1004</text:p></table:table-cell>
             <table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Eli Moss</text:p></table:table-cell>
            </table:table-row>
            <table:table-row table:style-name="ro1" table:number-rows-repeated="1048570">
             <table:table-cell table:number-columns-repeated="1024"/>
            </table:table-row>
           </table:table>
          </office:spreadsheet>
         </office:body>
        </office:document>

        """

    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        skip_when: { field: "table:table-cell[1]/text:p", equals: ["Agent ID"] }
        attributes:
          agent_id: "table:table-cell[1]/text:p"
          full_name: "table:table-cell[2]/text:p"
          email: { field: "table:table-cell[3]/text:p", transforms: [email] }
          team_id: "table:table-cell[4]/text:p"
          location: "table:table-cell[5]/text:p"
        """

    static func job(policies: String = "") throws -> Job {
        try TrustJob.file(
            Array(document.utf8), name: "agents.fods", format: "xml", mapping: mapping, policies: policies,
            source: "record: /office:document/office:body/office:spreadsheet/table:table/table:table-row, "
                + "namespaces: { office: \"urn:oasis:names:tc:opendocument:xmlns:office:1.0\", "
                + "table: \"urn:oasis:names:tc:opendocument:xmlns:table:1.0\", "
                + "text: \"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" }")
    }

    @Test func aPositionCountsColumnsAcrossRunsAndMergedCells() throws {
        let outcome = try DatasetValidator(job: try Self.job(), keepRecords: true).run()
        let byID = SpreadsheetMLTests.valuesByID(outcome)
        // The million empty rows after the data are one element, left out like blank lines.
        // (The two like rows written once are the only error: below.)
        #expect(byID.count == 3 && outcome.invalid == 2, "\(outcome.problems)")
        #expect(outcome.problems.allSatisfy { $0.rule.hasPrefix("duplicate key") }, "\(outcome.problems)")
        #expect(outcome.emptyRowsSkipped == 1)
        // Two empty cells in one element: the site is still column 5.
        #expect(byID["1001"]?["email"] == nil && byID["1001"]?["team_id"] == nil)
        #expect(byID["1001"]?["location"] == "Denver")
        // A run of two like cells fills both columns.
        #expect(byID["1002"]?["team_id"] == "Austin" && byID["1002"]?["location"] == "Austin")
        // A merged cell's covered column is empty, and the columns after it keep their places.
        #expect(byID["1003"]?["full_name"] == "Dee Park" && byID["1003"]?["email"] == nil)
        #expect(byID["1003"]?["location"] == "Boston")
    }

    /// Two like rows written once are two records, and so a duplicate key, as in a CSV.
    @Test func aRowWrittenOnceForTwoIsTwoRecords() throws {
        let outcome = try DatasetValidator(
            job: try Self.job(policies: "{ max_invalid_share: 1 }"), keepRecords: false
        ).run()
        #expect(outcome.rowsRead == 6 && outcome.invalid == 2, "\(outcome.problems)")
        #expect(
            outcome.problems.map {
                "\($0.position?.record ?? 0) \($0.rule.hasSuffix("(record \(11 - ($0.position?.record ?? 0)))"))"
            }
                == ["5 true", "6 true"], "\(outcome.problems)")
        #expect(outcome.problems.allSatisfy { $0.rule.hasPrefix("duplicate key, also on") && $0.value == "1004" })
    }

    /// Counts past a sheet's bounds (a damaged or hostile file) are taken at the bound: no
    /// overflow, no billion records.
    @Test func hugeCountsAreBounded() throws {
        let damaged = Self.document.replacingOccurrences(
            of: "table:number-columns-repeated=\"2\"", with: "table:number-columns-repeated=\"9223372036854775807\""
        ).replacingOccurrences(
            of: "table:number-rows-repeated=\"2\"", with: "table:number-rows-repeated=\"9223372036854775807\"")
        let job = try TrustJob.file(
            Array(damaged.utf8), name: "agents.fods", format: "xml", mapping: Self.mapping,
            policies: "{ max_invalid_share: 1 }",
            source: "record: /office:document/office:body/office:spreadsheet/table:table/table:table-row, "
                + "namespaces: { office: \"urn:oasis:names:tc:opendocument:xmlns:office:1.0\", "
                + "table: \"urn:oasis:names:tc:opendocument:xmlns:table:1.0\", "
                + "text: \"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(outcome.rowsRead == 4 + SpreadsheetXML.bound)
    }

    @Test func inspectTakesTheTableRowsAndNamesTheColumns() throws {
        let inspection = try ExportInspection.inspect(path: try Self.job().source.pattern, recordPath: nil)
        #expect(inspection.recordPath?.hasSuffix("table:table-row") == true, "\(inspection.recordPath ?? "")")
        #expect(inspection.headerRow?.value == "Agent ID")
        #expect(
            inspection.columns.map { "\($0.name) (\($0.label ?? ""))" }.prefix(5) == [
                "table:table-cell[1]/text:p (Agent ID)", "table:table-cell[2]/text:p (Name)",
                "table:table-cell[3]/text:p (Email)", "table:table-cell[4]/text:p (Team)",
                "table:table-cell[5]/text:p (Site)"
            ])
        let draft = MappingDraft.yaml(inspection, target: .workers)
        #expect(draft.contains("  agent_id: \"table:table-cell[1]/text:p\""), "\(draft)")
    }
}
