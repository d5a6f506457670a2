import Foundation
import Testing

@testable import FlexSync

/// A spreadsheet reads `08012` as a number and saves `8012`: among codes that nearly all have
/// five digits, a four-digit one is named at its row, in `validate` and in `plan` alike.
struct PostalCodeTests {
    static let mapping = """
        target: tasks
        key: { match: [customers.external_id] }
        attributes:
          customers.external_id: id
          customers.zip: zip
        """

    static func outcome(_ zips: [String], keep: Bool) throws -> ValidationOutcome {
        let rows = zips.enumerated().map { "C\($0.offset),\($0.element)" }
        let job = try TrustJob.csv("id,zip\n" + rows.joined(separator: "\n") + "\n", mapping: Self.mapping)
        return try DatasetValidator(job: job, keepRecords: keep).run()
    }

    static let rule =
        "4 digits where 28 of the export's 31 codes have 5: a leading zero lost to a spreadsheet, which reads "
        + "the code as a number? Export the column as text, or correct the code"

    @Test(arguments: [false, true])
    func aCodeOneDigitShortAmongFiveDigitCodesIsNamed(keep: Bool) throws {
        // Barcelona's 08012 and Boston's 02134 as Excel saves them, among Madrid and Denver codes,
        // a code of letters and an empty one, which are not counted.
        var zips = (0..<28).map { String(28001 + $0) }
        zips.insert("8012", at: 5)
        zips.insert("2134", at: 17)
        zips += ["SW1A 1AA", ""]
        // Oslo's 0150 still has its zero: a spreadsheet drops every one, so it lost none.
        zips.append("0150")
        let outcome = try Self.outcome(zips, keep: keep)
        let named = outcome.problems.map { "\($0.position?.line ?? 0) \($0.severity) \($0.field) \($0.rule)" }
        #expect(named == ["7 warning customers.zip \(Self.rule)", "19 warning customers.zip \(Self.rule)"])
        // A warning: the rows stay valid, and the code is masked in the report like other personal values.
        #expect(outcome.invalid == 0)
        #expect(outcome.problems.first?.line(showValues: false).hasSuffix("8*** (4 chars)") == true)
    }

    @Test func mixedLengthsOrTooFewCodesSayNothing() throws {
        // Germany (5) beside Austria and Switzerland (4) in like numbers: no common length.
        let dach = (0..<15).map { String(10115 + $0) } + (0..<15).map { String(1010 + $0) }
        #expect(try Self.outcome(dach, keep: false).problems.isEmpty)
        // Ten codes are too few to tell a common length.
        let few = (0..<9).map { String(28001 + $0) } + ["8012"]
        #expect(try Self.outcome(few, keep: false).problems.isEmpty)
        // A row with another error still counts, and is named.
        var rows = (0..<12).map { "C\($0),\(28001 + $0)" }
        rows.append("C1,8012")
        let job = try TrustJob.csv(
            "id,zip\n" + rows.joined(separator: "\n") + "\n", mapping: Self.mapping,
            policies: "{ max_invalid_share: 1 }")
        let problems = try DatasetValidator(job: job, keepRecords: false).run().problems
        #expect(problems.filter { $0.field == "customers.zip" }.map { $0.position?.line } == [14])
    }
}

/// Ids Excel turned into numbers lose their leading zeros: named where the export's other ids
/// show a fixed width (zero-padded, or with letters), and left alone in a run of plain counters.
struct IdLengthTests {
    static func warnings(_ ids: [String]) throws -> [String] {
        let csv = "id,name\n" + ids.enumerated().map { "\($1),Agent \($0)" }.joined(separator: "\n") + "\n"
        let job = try TrustJob.file(
            Array(csv.utf8), name: "agents.csv", format: "csv",
            mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n  full_name: name\n",
            policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        return outcome.problems.filter { $0.rule.contains("leading zeros lost") }.map {
            "\($0.position?.line ?? 0) \($0.value ?? "")"
        }
    }

    @Test func aShortIdAmongZeroPaddedOrLetteredOnesIsNamed() throws {
        let padded = (1...14).map { String(format: "%05d", 10_230 + $0) } + ["00457", "245"]
        #expect(try Self.warnings(padded) == ["17 245"])
        let lettered = (1...14).map { "K\($0 % 10)V9R\($0 % 7)" } + ["4512"]
        #expect(try Self.warnings(lettered) == ["16 4512"])
        // Counters have no width to lose: 1 to 120 are mostly three digits, none padded.
        #expect(try Self.warnings((1...120).map { String($0) }).isEmpty)
        // Too few ids to speak of a common length.
        #expect(try Self.warnings(["00457", "10231", "245"]).isEmpty)
    }
}
