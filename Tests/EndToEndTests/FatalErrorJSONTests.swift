import Foundation
import Testing

/// With `--format json`, a fatal error is JSON on stdout too, so a machine reading stdout learns why.
@Suite(.serialized)
struct FatalErrorJSONTests {
    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          team_id: team_ref
        """

    @Test func aMissingColumnIsJSONOnStdout() throws {
        let workspace = try EndToEndWorkspace(workers: 1, mapping: Self.mapping)
        for command in [["validate", workspace.job, "--format", "json"], ["plan", workspace.job, "--format", "json"]] {
            let run = try workspace.run(command)
            #expect(run.status == 1)
            #expect(run.stderr.contains("no column 'team_ref' in the header of"))
            let root = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let error = try #require(root?["error"] as? [String: Any], "\(run.stdout)")
            #expect((error["message"] as? String)?.contains("(did you mean 'team'?)") == true)
            #expect((error["file"] as? String)?.hasSuffix("mapping.yaml") == true)
            #expect(error["line"] as? Int == 5)
            #expect((error["problems"] as? [String])?.count == 1)
        }
        let text = try workspace.run(["validate", workspace.job])
        #expect(text.status == 1 && text.stdout.isEmpty)
    }
}
