import Foundation
import Testing

@testable import FlexSync

/// The README's examples are real: its job file loads, its mapping compiles, its transform table
/// gives the results it shows.
struct ReadmeExampleTests {
    static func yamlBlocks() throws -> [String] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        return text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test func theJobFileExampleLoads() throws {
        let blocks = try Self.yamlBlocks()
        let job = try #require(blocks.first { $0.hasPrefix("name: workday-workers") })
        // Lay out the paths the example names: jobs/ two levels below Mappings/, exports/ beside jobs/.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flexsync-readme-\(UUID().uuidString)")
        let jobs = root.appendingPathComponent("examples/jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("Mappings"),
            withDestinationURL: Fixtures.repositoryRoot.appendingPathComponent("Mappings"))
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("examples/exports"),
            withDestinationURL: Fixtures.repositoryRoot.appendingPathComponent("examples/exports"))
        let path = jobs.appendingPathComponent("job.yaml").path
        try Data(job.utf8).write(to: URL(fileURLWithPath: path))
        let production = try Job.load(path: path)
        #expect(production.policies.maxChangedShare == 0.2 && production.policies.concurrency == 8)
        #expect(try Job.load(path: path, profile: "staging").taskRouter.accountSidVariable == "STAGING_ACCOUNT_SID")
        let outcome = try DatasetValidator(job: production, keepRecords: false).run()
        #expect(outcome.isValid && outcome.rowsRead == 300)
    }

    @Test func theMappingExampleCompiles() throws {
        let mapping = try #require(try Self.yamlBlocks().first { $0.hasPrefix("target: workers") })
        let compiled = try Mapping.parse(mapping, path: "README.md")
        #expect(compiled.managedKeys == ["agent_id", "full_name", "state", "email", "phone"])
        #expect(compiled.key.match == ["agent_id", "email"])
        #expect(!compiled.key.allowFallback)
    }

    /// Each row of the transform table: `| transform | example | result |`, where the example is a
    /// YAML transform and the result a quoted value or number.
    @Test func theTransformTableIsTrue() throws {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let rows: [(transforms: String, input: String, output: String)] = [
            ("trim, collapse_whitespace", "  Ana   Lima ", "\"Ana Lima\""),
            ("title", "mARIA dA silva", "\"Maria Da Silva\""),
            ("{ default: Unknown }", "", "\"Unknown\""),
            ("lower, { replace: \"[^a-z0-9]+\", with: \"-\" }", "Tech Support", "\"tech-support\""),
            ("{ extract: \"^([A-Z]+)-\" }", "SUP-100", "\"SUP\""),
            ("{ split: \"|\" }, upper, { join: \", \" }", "a|b|c", "\"A, B, C\""),
            ("hierarchy", "London/Sales/Sales 2", "\"London ▸ Sales ▸ Sales 2\""),
            ("{ date: dd.MM.yyyy }", "14.06.2021", "\"2021-06-14\""),
            ("date, year", "1985-03-02", "\"1985\""),
            ("{ phone: { default_country: US } }", "(303) 555-0104 ext. 21", "\"+13035550104\""),
            ("email", " Ana.Lima@Example.COM ", "\"ana.lima@example.com\""),
            ("{ truncate: 9 }", "Sam 👩‍💻 rocks", "\"Sam 👩‍💻\""),
            ("{ prefix: \"hubspot:\" }", "701", "\"hubspot:701\"")
        ]
        for row in rows {
            #expect(text.contains(row.output), "the README shows \(row.output)")
            let yaml = MapHarness.one("location", "{ field: v, transforms: [\(row.transforms)] }")
            #expect(
                try MapHarness.value(yaml, csv: "id,v\n1,\"\(row.input)\"\n", key: "location") == row.output,
                "\(row.transforms)")
        }
        // Numbers go to measures, which are written as JSON numbers.
        let measure = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.business_value: { field: v, transforms: [{ number: { decimal: ",", group: "." } }] }
            """
        #expect(text.contains("| `1234.56` |"))
        #expect(
            try MapHarness.value(measure, csv: "id,v\n1,\"1.234,56\"\n", key: "customers.business_value") == "1234.56")
    }
}
