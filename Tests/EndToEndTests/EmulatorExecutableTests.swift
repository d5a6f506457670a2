import Foundation
import Testing

/// Runs the built `taskrouter-emulator` binary as a user would.
struct EmulatorExecutableTests {
    @Test func printsItsAddressServesAndWritesStateOnSIGTERM() throws {
        let directory = try Scratch.directory()
        let seed = directory.appendingPathComponent("seed.json")
        try Data(
            #"""
            {"account_sid": "AC11111111111111111111111111111111", "auth_token": "tok",
             "workspace_sid": "WS22222222222222222222222222222222",
             "workers": [{"friendly_name": "ana", "attributes": {"routing": {"skills": ["sales"]}}}]}
            """#.utf8
        ).write(to: seed)
        let state = directory.appendingPathComponent("state.json")
        let log = directory.appendingPathComponent("requests.jsonl")
        let emulator = try RunningEmulator(arguments: [
            "--seed", seed.path, "--state-out", state.path, "--log", log.path
        ])
        #expect(emulator.baseURL.hasPrefix("http://127.0.0.1:"))
        let status = try Curl.status(
            emulator.baseURL + "/v1/Workspaces/WS22222222222222222222222222222222/Workers",
            user: "AC11111111111111111111111111111111:tok")
        #expect(status == 200)
        let exit = emulator.terminate()
        #expect(exit == 0)
        let snapshot = try JSONSerialization.jsonObject(with: Data(contentsOf: state)) as! [String: Any]
        let workers = snapshot["workers"] as! [[String: Any]]
        #expect((workers[0]["attributes"] as? [String: Any])?["routing"] != nil)
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines[0].contains(#""status":200"#))
    }
}
