import Foundation
import Testing

/// An export row with an empty key and an e-mail, against a worker whose agent_id is set: the
/// built binary plans no change to that worker and apply leaves it byte for byte as it was.
@Suite(.serialized)
struct EmptyKeyTests {
    static let lea =
        #"{"sid": "WK00000000000000000000000000000001", "friendly_name": "lea", "attributes": {"agent_id": "4710", "#
        + #""email": "lea.sommer@example.de", "team_id": "T0", "contact_uri": "client:lea", "#
        + #""routing": {"skills": ["s"], "levels": {"s": 2.50}}}}"#
    static let max =
        #"{"sid": "WK00000000000000000000000000000002", "friendly_name": "max", "#
        + #""attributes": {"agent_id": "4711", "email": "max@example.de", "team_id": "T0"}}"#
    static let mapping = """
        target: workers
        key: { match: [agent_id, email] }
        attributes:
          agent_id: id
          email: { field: email, transforms: [email] }
          team_id: team_id
        """
    // A new-hire style row: no employee number, the e-mail of an existing worker.
    static let csv = "id,email,team_id\n,lea.sommer@example.de,T1\n4711,max@example.de,T1\n"

    @Test func planShowsNoChangeAndApplyLeavesTheWorkerByteIdentical() throws {
        let workspace = try EndToEndWorkspace(
            workers: 0, csv: Self.csv, seedWorkers: [Self.lea, Self.max], mapping: Self.mapping)
        let before = try workspace.run(["plan", workspace.job, "--format", "json", "--allow-invalid"])
        #expect(before.status == 2, "\(before.stderr)")
        let plan = try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any]
        let targets = plan?["targets"] as? [[String: Any]] ?? []
        #expect(targets.compactMap { $0["sid"] as? String } == ["WK00000000000000000000000000000002"])
        let problems = plan?["problems"] as? [String] ?? []
        #expect(problems.contains { $0.hasSuffix("export.csv:2: agent_id: empty key 'agent_id'") })

        let text = try workspace.run(["plan", workspace.job, "--allow-invalid"])
        #expect(!text.stdout.contains("WK00000000000000000000000000000001"))

        let leaBefore = try workspace.run(["validate", workspace.job])
        #expect(leaBefore.status == 1)
        #expect(leaBefore.stdout.contains("agent_id: empty key 'agent_id'"))

        let apply = try workspace.run(["apply", workspace.job, "--yes", "--allow-invalid"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("1 applied, 0 unchanged"))
        let writes = try workspace.requests().filter { $0["method"] as? String == "POST" }.compactMap {
            $0["path"] as? String
        }
        #expect(writes.allSatisfy { $0.hasSuffix("WK00000000000000000000000000000002") })
        let state = try workspace.finalState()
        let lea = try #require(state["WK00000000000000000000000000000001"])
        let seeded = try JSONSerialization.jsonObject(with: Data(Self.lea.utf8)) as? [String: Any]
        let expected = try #require(seeded?["attributes"] as? [String: Any])
        #expect(NSDictionary(dictionary: lea).isEqual(to: expected))
        #expect(state["WK00000000000000000000000000000002"]?["team_id"] as? String == "T1")
    }

    /// The worker's attributes as TaskRouter serves them, byte for byte, before and after.
    @Test func theLiveDocumentIsByteIdenticalAfterApply() throws {
        let workspace = try EndToEndWorkspace(
            workers: 0, csv: Self.csv, seedWorkers: [Self.lea, Self.max], mapping: Self.mapping)
        func leaText() throws -> String {
            let url = URL(
                string: workspace.emulator.baseURL
                    + "/v1/Workspaces/\(EndToEndWorkspace.workspace)/Workers/WK00000000000000000000000000000001")!
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = [
                "-s", "-u", "\(EndToEndWorkspace.account):\(EndToEndWorkspace.token)", url.absoluteString
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return try #require(object?["attributes"] as? String)
        }
        let before = try leaText()
        let apply = try workspace.run(["apply", workspace.job, "--yes", "--allow-invalid"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try leaText() == before)
    }
}
