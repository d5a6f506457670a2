import Foundation
import Testing

@testable import FlexSync

/// Each ready-made mapping against its sample export, through the job that uses it.
struct ReadyMadeMappingTests {
    static func job(_ name: String, profile: String? = nil) throws -> Job {
        try Job.load(
            path: Fixtures.repositoryRoot.appendingPathComponent("examples/jobs/\(name).yaml").path, profile: profile)
    }

    static func run(_ name: String) throws -> ValidationOutcome {
        try DatasetValidator(job: try job(name), keepRecords: true).run()
    }

    static func document(_ outcome: ValidationOutcome, line: Int) -> [String: String] {
        let record = outcome.records.first { $0.position.line == line }
        var values: [String: String] = [:]
        for (key, value) in record?.set ?? [] { values[key] = value.displayText }
        return values
    }

    @Test func workdayReport() throws {
        let outcome = try Self.run("workday-workers")
        #expect(outcome.isValid)
        #expect(outcome.rowsRead == 300 && outcome.valid == 300)
        let first = try #require(outcome.records.first)
        let values = Dictionary(uniqueKeysWithValues: first.set.map { ($0.key, $0.value.displayText) })
        #expect(values["agent_id"] == "1000")
        #expect(values["full_name"] == "Ana Lima")
        // Entry 0's primary address is upper-case in the export; the e-mail transform folds it.
        #expect(values["email"] == "ana.lima0@example.com")
        #expect(values["phone"] == "+442079460000")
        #expect(values["team_name_in_hierarchy"] == "London ▸ Sales ▸ Sales 1")
        #expect(values["state"] == "Active")
        #expect(first.matchValues.map(\.key) == ["agent_id", "email"])
        // Contingent workers have no Employee_ID: the coalesce falls back.
        #expect(outcome.records[7].set.first { $0.key == "agent_id" }?.value == .string("1007"))
        #expect(outcome.records[5].set.first { $0.key == "state" }?.value == .string("Inactive"))
    }

    @Test func bambooHRReport() throws {
        let outcome = try Self.run("bamboohr-workers")
        #expect(outcome.isValid && outcome.valid == 40)
        let values = Dictionary(uniqueKeysWithValues: outcome.records[1].set.map { ($0.key, $0.value.displayText) })
        #expect(values["full_name"] == "Bo Tanaka")
        #expect(values["department_id"] == "sales")
        #expect(values["team_name_in_hierarchy"] == "Sales ▸ Sales 2")
        #expect(outcome.records[0].set.contains { $0.key == "team_id" && $0.value == .string("SUP-100") })
        #expect(values["phone"] == "+442079460001")
    }

    @Test func germanExcelCSV() throws {
        let outcome = try Self.run("excel-hr-de-workers")
        #expect(outcome.isValid)
        #expect(outcome.skipped == 1)  // 'ausgeschieden' (terminated)
        #expect(outcome.emptyRowsSkipped == 1)  // Excel's ';;;;' line
        let values = Self.document(outcome, line: 2)
        #expect(values["location"] == "Berlin")
        #expect(values["department_name"] == "Vertrieb")
        #expect(values["phone"] == "+49305550100")
        #expect(values["agent_attribute_1"] == "2015")
        #expect(Self.document(outcome, line: 3)["location"] == "München")
    }

    @Test func salesforceContacts() throws {
        let outcome = try Self.run("salesforce-customers")
        #expect(outcome.isValid && outcome.valid == 60)
        let record = try #require(outcome.records.first)
        #expect(
            JSONValue.object(record.document).minified
                == #"{"customers":{"external_id":"003000000000000000","name":"Ana Lima","email":"customer0@example.org","phone":"+15550100000","organization":"Acme Ltd","zip":"10000","market_segment":"Gold","business_value":1000,"acquisition_date":"2023-04-01","year_of_birth":"1960"}}"#
        )
    }

    @Test func hubSpotContacts() throws {
        let outcome = try Self.run("hubspot-customers")
        #expect(outcome.isValid && outcome.valid == 50)
        let values = Self.document(outcome, line: 3)
        #expect(values["customers.external_id"] == "hubspot:701")
        #expect(values["customers.email"] == "hs.user1@example.org")
        #expect(values["customers.organization"] == "Stark")
        #expect(values["customers.category"] == "Customer")
    }

    @Test func profilesChangeWorkspaceCredentialsAndRate() throws {
        let production = try Self.job("workday-workers")
        let staging = try Self.job("workday-workers", profile: "staging")
        #expect(production.taskRouter.workspaceSid == "WS" + String(repeating: "f", count: 32))
        #expect(staging.taskRouter.workspaceSid == "WS00000000000000000000000000000001")
        #expect(staging.taskRouter.accountSidVariable == "STAGING_ACCOUNT_SID")
        #expect(production.taskRouter.accountSidVariable == "TWILIO_ACCOUNT_SID")
        #expect(staging.policies.requestsPerSecond == 5 && production.policies.requestsPerSecond == 20)
        #expect(staging.displayName == "workday-workers (staging)")
        #expect(
            errorMessage { _ = try Self.job("workday-workers", profile: "prod") }?.hasSuffix(
                "no profile 'prod' (the job has 'staging')") == true)
    }
}
