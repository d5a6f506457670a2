import Foundation
import Testing

/// `apply` writes exactly what was reviewed, to the place it was reviewed for, or nothing: the
/// built binary against emulator processes over HTTP.
@Suite(.serialized)
struct ApplyIntegrityTests {
    static var user: String { "\(EndToEndWorkspace.account):\(EndToEndWorkspace.token)" }

    /// Another emulator process: another server, with the same account, serving `workspace`.
    static func otherServer(_ folder: URL, name: String, workspace: String, friendlyName: String? = nil) throws
        -> RunningEmulator
    {
        let seed = folder.appendingPathComponent("\(name)-seed.json")
        let friendly = friendlyName.map { #", "workspace_friendly_name": "\#($0)""# } ?? ""
        try Data(
            #"{"account_sid": "\#(EndToEndWorkspace.account)", "auth_token": "\#(EndToEndWorkspace.token)", "workspace_sid": "\#(workspace)"\#(friendly), "workers": []}"#
                .utf8
        )
        .write(to: seed)
        return try RunningEmulator(arguments: [
            "--seed", seed.path, "--log", folder.appendingPathComponent("\(name)-requests.jsonl").path
        ])
    }

    static func requests(_ folder: URL, _ name: String) -> [[String: Any]] {
        let text =
            (try? String(contentsOf: folder.appendingPathComponent("\(name)-requests.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func posts(_ requests: [[String: Any]]) -> Int {
        requests.filter { $0["method"] as? String == "POST" }.count
    }

    @Test func aPlanEditedAfterItWasWrittenIsRefused() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        let file = workspace.directory.appendingPathComponent("plan.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        // A reviewer's plan with one value changed by hand.
        let edited = text.replacingOccurrences(of: #"\"team_id\":\"T1\""#, with: #"\"team_id\":\"T7\""#)
        #expect(edited != text)
        try Data(edited.utf8).write(to: file)
        let apply = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("the plan was changed after it was written"))
        #expect(Self.posts(try workspace.requests()) == 0)
    }

    @Test func aLookupTableChangedAfterThePlanRefusesIt() throws {
        let workspace = try EndToEndWorkspace(workers: 2, csv: "id,team_id,team\n0,S,x\n1,S,x\n")
        let folder = workspace.directory
        try Data("code,name\nS,Sales\n".utf8).write(to: folder.appendingPathComponent("teams.csv"))
        try Data(
            """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              team_id: team_id
              team_name: { field: team_id, transforms: [{ lookup: teams.csv, key: code, value: name }] }
            """.utf8
        ).write(to: folder.appendingPathComponent("mapping.yaml"))
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        try Data("code,name\nS,Support\n".utf8).write(to: folder.appendingPathComponent("teams.csv"))
        let apply = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("changed since the plan was made"))
        #expect(Self.posts(try workspace.requests()) == 0)
    }

    @Test func theWorkspaceIsConfirmedBeforeTheFirstWrite() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        // Another account's server: the plan's workspace does not exist there.
        let elsewhere = try Self.otherServer(
            workspace.directory, name: "other", workspace: "WS" + String(repeating: "9", count: 32))
        let refused = try workspace.run(
            ["apply", "plan.json", "--yes"], environment: ["FLEXSYNC_BASE_URL": elsewhere.baseURL])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "workspace \(EndToEndWorkspace.workspace) at \(elsewhere.baseURL) does not exist for these credentials (HTTP 404): nothing written"
            ))
        let seen = Self.requests(workspace.directory, "other")
        #expect(seen.count == 1 && seen.first?["path"] as? String == "/v1/Workspaces/\(EndToEndWorkspace.workspace)")
        // Credentials the workspace refuses.
        let denied = try workspace.run(
            ["apply", "plan.json", "--yes"], environment: ["TWILIO_AUTH_TOKEN": "wrong-token"])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("refused the credentials (HTTP 401): nothing written"))
        #expect(Self.posts(try workspace.requests()) == 0)
        // The right place: its name is in the summary, on stdout and in the JSON.
        let apply = try workspace.run(["apply", "plan.json", "--yes", "--summary-json", "summary.json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "workspace: 'Flex Task Assignment' (\(EndToEndWorkspace.workspace)) at \(workspace.emulator.baseURL)\n")
        )
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.directory.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect((summary?["workspace"] as? [String: Any])?["friendly_name"] as? String == "Flex Task Assignment")
    }

    /// A plan sent to another server holding the same workspace SID meets 404 on every worker:
    /// failures (exit 3), not "gone", and the run at the right server still sends every change.
    @Test func workersMissingElsewhereFailAndTheRightServerStillGetsEverything() throws {
        let workspace = try EndToEndWorkspace(workers: 4)
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        let twin = try Self.otherServer(
            workspace.directory, name: "twin", workspace: EndToEndWorkspace.workspace, friendlyName: "Staging")
        let wrong = try workspace.run(["apply", "plan.json", "--yes"], environment: ["FLEXSYNC_BASE_URL": twin.baseURL])
        #expect(wrong.status == 3, "\(wrong.stderr)")
        #expect(wrong.stdout.hasPrefix("0 applied, 0 unchanged, 0 conflicts, 0 gone, 4 failed"))
        #expect(wrong.stdout.contains("workspace: 'Staging'"))
        #expect(wrong.stderr.contains("failed: WK\(String(format: "%032x", 1)) agent0: worker not found (404"))
        #expect(wrong.stderr.contains("nothing landed"))
        let right = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(right.stdout.hasPrefix("4 applied, 0 unchanged, 0 conflicts, 0 gone, 0 failed"))
        #expect(!right.stdout.contains("already done"))
        #expect(try workspace.finalState().values.allSatisfy { $0["team_id"] as? String == "T1" })
    }

    @Test func aPlanIsAppliedFromAnyDirectory() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        #expect(try workspace.run(["plan", "job.yaml", "--out", "plan.json"]).status == 2)
        let elsewhere = try Scratch.directory()
        let plan = workspace.directory.appendingPathComponent("plan.json").path
        let apply = try workspace.run(["apply", plan, "--yes"], in: elsewhere)
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.hasPrefix("2 applied"))
    }

    /// A run killed between its writes and their recorded answers: rollback reads those targets
    /// back and undoes every write that landed; one edited since is a conflict (exit 5).
    @Test func rollbackUndoesWritesWhoseAnswerWasNeverRecorded() throws {
        let workspace = try EndToEndWorkspace(workers: 4)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        let journals = workspace.directory.appendingPathComponent(".flexsync/e2e/journals")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: journals.path).first)
        let journal = journals.appendingPathComponent(name)
        let kept = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
            .filter { !$0.contains(#""event":"outcome""#) && !$0.contains(#""event":"finish""#) }
        try Data((kept.joined(separator: "\n") + "\n").utf8).write(to: journal)
        let edited = "WK" + String(format: "%032x", 4)
        #expect(
            try Curl.post(
                "\(workspace.emulator.baseURL)/v1/Workspaces/\(EndToEndWorkspace.workspace)/Workers/\(edited)",
                user: Self.user, attributes: #"{"agent_id":"3","team_id":"T5"}"#) == 200)
        let undo = try workspace.run(["rollback", journal.path, "--yes", "--summary-json", "summary.json"])
        #expect(undo.status == 5, "\(undo.stderr)")
        #expect(undo.stdout.contains("\n3 applied, 0 unchanged, 1 conflicts, 0 gone, 0 failed"))
        #expect(undo.stderr.contains("conflict: \(edited): changed since the run: team_id \"T1\" → \"T5\""))
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.directory.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect(summary?["conflicts"] as? Int == 1)
        let state = try workspace.finalState()
        #expect(
            state.filter { $0.key != edited }.values.allSatisfy {
                $0["team_id"] as? String == "T0" && $0["team_name"] == nil
            })
        #expect(state[edited]?["team_id"] as? String == "T5")
    }

    /// A write that failed, was sent again by a resumed run, and whose second answer was never
    /// recorded: still in doubt, read back, and rolled back because it landed.
    @Test func rollbackUndoesAResentWriteAfterAFailedOne() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        let journals = workspace.directory.appendingPathComponent(".flexsync/e2e/journals")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: journals.path).first)
        let journal = journals.appendingPathComponent(name)
        let sid = "WK" + String(format: "%032x", 2)
        var lines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").map(String.init)
        let intent = try #require(lines.first { $0.contains(#""event":"intent""#) && $0.contains(sid) })
        lines = lines.map {
            $0.contains(#""event":"outcome""#) && $0.contains(sid)
                ? $0.replacingOccurrences(of: #""result":"applied""#, with: #""result":"failed""#) : $0
        }
        lines.append(intent)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: journal)
        let undo = try workspace.run(["rollback", journal.path, "--yes"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.contains("\n3 applied, 0 unchanged, 0 conflicts"))
        #expect(try workspace.finalState().values.allSatisfy { $0["team_id"] as? String == "T0" })
    }

    /// Connections reset mid-request: every POST sent again for a target was preceded by a GET of
    /// that target (flexsync's read-back), never re-sent by the transport on its own.
    @Test func aWriteIsNeverSentAgainWithoutAReadBack() throws {
        let workspace = try EndToEndWorkspace(
            workers: 40, emulatorFlags: ["--reset-rate", "0.3", "--random-seed", "11"])
        let apply = try workspace.run(["apply", workspace.job, "--yes"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let log = try workspace.requests().filter { ($0["path"] as? String)?.contains("/Workers/WK") == true }
        #expect(
            log.contains { $0["method"] as? String == "POST" && $0["status"] as? Int == 0 },
            "no POST was reset: the test proves nothing")
        var readSinceLastPost: [String: Bool] = [:]
        var unread: [String] = []
        for entry in log {
            let path = entry["path"] as? String ?? ""
            if entry["method"] as? String == "GET" {
                readSinceLastPost[path] = true
                continue
            }
            if let read = readSinceLastPost[path], !read { unread.append(path) }
            readSinceLastPost[path] = false
        }
        #expect(unread.isEmpty, "POSTs sent again without a GET in between: \(unread)")
    }

    /// Conflicts name the keys that changed but print no personal value, on any output.
    @Test func conflictsPrintNoPersonalValues() throws {
        let csv =
            "id,team_id,team,name,mail\n0,T1,One,Ana Export-Name,ana.export@example.com\n1,T1,One,Bo Export-Name,bo.export@example.com\n"
        let workspace = try EndToEndWorkspace(workers: 2, csv: csv)
        try Data(
            """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              team_id: team_id
              full_name: name
              email: mail
            """.utf8
        ).write(to: workspace.directory.appendingPathComponent("mapping.yaml"))
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        for index in 0..<2 {
            let sid = "WK" + String(format: "%032x", index + 1)
            #expect(
                try Curl.post(
                    "\(workspace.emulator.baseURL)/v1/Workspaces/\(EndToEndWorkspace.workspace)/Workers/\(sid)",
                    user: Self.user,
                    attributes:
                        #"{"agent_id":"\#(index)","full_name":"Zed Sso-Editor\#(index)","email":"zed\#(index)@sso.example.org"}"#
                ) == 200)
        }
        let apply = try workspace.run([
            "apply", "plan.json", "--yes", "--summary-json", "summary.json", "--log-level", "trace"
        ])
        #expect(apply.status == 5, "\(apply.stderr)")
        #expect(apply.stderr.contains("conflict: WK"))
        #expect(apply.stderr.contains("full_name (none) → ***"))
        let summary = try String(
            contentsOf: workspace.directory.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("full_name (none) → ***"))
        for output in [apply.stdout, apply.stderr, summary] {
            for value in ["Export-Name", "export@example.com", "Sso-Editor", "sso.example.org"] {
                #expect(!output.contains(value), "\(value) printed")
            }
        }
    }
}
