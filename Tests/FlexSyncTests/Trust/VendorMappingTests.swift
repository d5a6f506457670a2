import Foundation
import Testing

@testable import FlexSync

/// The ready-made mappings for exports shaped the way the vendors write them, each through its
/// sample job (`examples/jobs`) over a vendor-shaped export (`examples/exports/vendor`).
struct VendorMappingTests {
    static func run(_ name: String) throws -> ValidationOutcome {
        let path = Fixtures.repositoryRoot.appendingPathComponent("examples/jobs/\(name).yaml").path
        return try DatasetValidator(job: try Job.load(path: path), keepRecords: true).run()
    }

    static func values(_ outcome: ValidationOutcome, at place: Int, xml: Bool) -> [String: String] {
        let record = outcome.records.first { (xml ? $0.position.record : $0.position.line) == place }
        var values: [String: String] = [:]
        for (key, value) in record?.set ?? [] { values[key] = value.displayText }
        return values
    }

    static let jobs = [
        "workday-raas-workers", "bamboohr-custom-report-workers", "excel-personalliste-workers",
        "salesforce-contacts-customers", "hubspot-contacts-customers"
    ]

    /// Every field each mapping names exists in its export: no column is missing, no XML path
    /// matches nothing.
    @Test(arguments: jobs)
    func everyFieldTheMappingNamesIsInTheExport(job: String) throws {
        let outcome = try Self.run(job)
        #expect(outcome.datasetErrors == 0)
        #expect(!outcome.problems.contains { $0.rule.hasPrefix("matched in 0 of") }, "\(outcome.problems.map(\.rule))")
        #expect(outcome.rowsRead > 20 && outcome.valid > outcome.invalid)
    }

    @Test func workdayBusinessKeysAliasesAndContingentWorkers() throws {
        let outcome = try Self.run("workday-raas-workers")
        let first = Self.values(outcome, at: 1, xml: true)
        #expect(first["agent_id"] == "21001" && first["email"] == "mia.hoffmann@care.example.com")
        #expect(first["phone"] == "+13035550101" && first["state"] == "Active")
        #expect(first["team_id"] == "SUP_CC_TIER1" && first["department_id"] == "41000")
        #expect(first["agent_label_1"] == "a84bba07931db925306a0799dc6ebd71")
        #expect(Self.values(outcome, at: 13, xml: true)["agent_id"] == "C-000412")
    }

    /// The key written as the vendor notes describe it: one path, alternatives joined by 'or'.
    @Test func workdayKeyByAnOrPredicate() throws {
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: "wd:Worker/wd:ID[@wd:type='Employee_ID' or @wd:type='Contingent_Worker_ID']"
            """
        let file = Fixtures.repositoryRoot.appendingPathComponent("examples/exports/vendor/workday-raas-workers.xml")
        let source = "record: /wd:Report_Data/wd:Report_Entry, namespaces: { wd: \"urn:com.workday.report/*\" }"
        let job = try TrustJob.file(
            Array(try Data(contentsOf: file)), name: "w.xml", format: "xml", mapping: mapping,
            policies: "{ max_invalid_share: 1 }", source: source)
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(Self.values(outcome, at: 1, xml: true)["agent_id"] == "21001")
        #expect(Self.values(outcome, at: 13, xml: true)["agent_id"] == "C-000412")
        #expect(outcome.problems.contains { $0.position?.record == 9 && $0.rule == "empty key 'agent_id'" })
        // An alternative without the prefix tests an attribute in no namespace, which Workday's
        // `wd:type` is not: the contingent worker has no key, the employees keep theirs.
        let unprefixed = try TrustJob.file(
            Array(try Data(contentsOf: file)), name: "w.xml", format: "xml",
            mapping: mapping.replacingOccurrences(of: "or @wd:type=", with: "or @type="),
            policies: "{ max_invalid_share: 1 }", source: source)
        let missed = try DatasetValidator(job: unprefixed, keepRecords: true).run()
        #expect(Self.values(missed, at: 1, xml: true)["agent_id"] == "21001")
        #expect(missed.problems.contains { $0.position?.record == 13 && $0.rule == "empty key 'agent_id'" })
    }

    @Test func bambooHRCustomFieldsByIdAndAlias() throws {
        let outcome = try Self.run("bamboohr-custom-report-workers")
        let first = Self.values(outcome, at: 1, xml: true)
        #expect(first["agent_id"] == "00104" && first["full_name"] == "Rachel Okafor")
        #expect(first["team_id"] == "T-100" && first["team_name"] == "Support Leadership")
        #expect(first["agent_label_1"] == "104" && first["state"] == "Active")
    }

    @Test func germanExcelListWithWindows1252AndBlankColumns() throws {
        let outcome = try Self.run("excel-personalliste-workers")
        let first = Self.values(outcome, at: 2, xml: false)
        #expect(first["agent_id"] == "001201" && first["full_name"] == "Sabine Krüger")
        #expect(first["phone"] == "+493023125401" && first["state"] == "Active")
        #expect(first["agent_attribute_1"] == "2012")
        #expect(
            outcome.problems.contains {
                $0.rule.hasPrefix("columns 18, 19, 20 of the header have a blank name and no values")
            })
    }

    @Test func salesforceSkipsDeletedRowsAndKeepsEighteenCharacterIds() throws {
        let outcome = try Self.run("salesforce-contacts-customers")
        #expect(outcome.skippedByCondition == 2)
        let first = Self.values(outcome, at: 2, xml: false)
        #expect(first["customers.external_id"] == "0038d000004wEPeAAM")
        #expect(
            first["customers.organization"] == "Nordwind Logistik GmbH" && first["customers.year_of_birth"] == "1979")
        #expect(first["customers.phone"] == "+49405550101")
    }

    @Test func hubspotFreeTextBirthDates() throws {
        let outcome = try Self.run("hubspot-contacts-customers")
        let second = Self.values(outcome, at: 3, xml: false)
        #expect(second["customers.external_id"] == "hubspot:51234567802" && second["customers.year_of_birth"] == "1984")
        #expect(second["customers.phone"] == "+551155550102")
    }
}
