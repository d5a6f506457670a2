import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Per-key policies, drift against what flexsync last applied, and `export`: the built binary
/// against the emulator over HTTP.
@Suite(.serialized)
struct OwnershipTests {
    static let policies =
        "max_changed_share: 1, max_key_change_share: 1, max_drift_share: 1, requests_per_second: 100, max_requests_per_second: 100"

    static func write(_ text: String, _ name: String, in workspace: EndToEndWorkspace) throws {
        try Data(text.utf8).write(to: workspace.directory.appendingPathComponent(name))
    }

    /// Sets the job's policies (and keeps the rest of the e2e job).
    static func job(_ extra: String, base: String = policies, in workspace: EndToEndWorkspace) throws {
        try write(
            """
            name: e2e
            mapping: mapping.yaml
            source: { path: export.csv, format: csv }
            taskrouter: { workspace_sid: \(EndToEndWorkspace.workspace) }
            policies: { \(base)\(extra.isEmpty ? "" : ", " + extra) }
            """, "job.yaml", in: workspace)
    }

    static func mapping(team: String = "", name: String = "", in workspace: EndToEndWorkspace) throws {
        try write(
            """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              team_id: { field: team_id\(team) }
              team_name: { field: team\(name) }
            """, "mapping.yaml", in: workspace)
    }

    /// Someone else (Flex SSO, a supervisor) replaces a worker's attributes.
    static func edit(_ index: Int, _ attributes: String, in workspace: EndToEndWorkspace) throws {
        let sid = "WK" + String(format: "%032x", index + 1)
        #expect(
            try Curl.post(
                "\(workspace.emulator.baseURL)/v1/Workspaces/\(EndToEndWorkspace.workspace)/Workers/\(sid)",
                user: "\(EndToEndWorkspace.account):\(EndToEndWorkspace.token)", attributes: attributes) == 200)
    }

    static func posts(_ workspace: EndToEndWorkspace) throws -> [String] {
        try workspace.requests().filter { $0["method"] as? String == "POST" }.compactMap { $0["path"] as? String }
    }

    @Test func anEditBetweenRunsIsDriftAndKeptThenRevertWritesItBack() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        try Self.job("", in: workspace)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        try Self.edit(
            1, #"{"agent_id":"1","team_id":"T9","team_name":"Team One","contact_uri":"client:agent1"}"#, in: workspace)
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("drift (managed keys changed outside flexsync since it last wrote them):"))
        #expect(
            plan.stdout.range(
                of:
                    #"worker agent1 \(WK0+2\): team_id: flexsync wrote "T1" \(run [0-9a-f-]{36}, 20\d\d-[0-9T:-]+Z\), live now "T9": kept"#,
                options: .regularExpression) != nil, "\(plan.stdout)")
        #expect(plan.stdout.contains("0 workers to change (0 keys), 3 unchanged"))
        let postsBefore = try Self.posts(workspace).count
        let again = try workspace.run(["apply", workspace.job, "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.posts(workspace).count == postsBefore)
        // The owner decides the export wins.
        try Self.job("on_drift: revert", in: workspace)
        let revert = try workspace.run(["plan", workspace.job, "--format", "markdown"])
        #expect(revert.status == 2)
        #expect(revert.stdout.contains("### Drift"))
        #expect(revert.stdout.contains(#"live now "T9": reverted to the export (on_drift: revert)"#))
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        #expect(try workspace.finalState()["WK" + String(format: "%032x", 2)]?["team_id"] as? String == "T1")
    }

    @Test func bothSidesChangedIsAConflictAndFailTripsTheGate() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        try Self.job("", in: workspace)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        try Self.edit(0, #"{"agent_id":"0","team_id":"T9","team_name":"Team One"}"#, in: workspace)
        try Self.write("id,team_id,team\n0,T2,Team One\n1,T2,Team One\n2,T2,Team One\n", "export.csv", in: workspace)
        let plan = try workspace.run(["plan", workspace.job, "--out", "plan.json"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains(#"live now "T9", export now "T2": changed on both sides: kept"#))
        #expect(plan.stdout.contains("2 workers to change (2 keys)"))
        let json = try String(contentsOf: workspace.directory.appendingPathComponent("plan.json"), encoding: .utf8)
        #expect(json.contains(#""kind": "conflict""#))
        try Self.job("on_drift: fail", in: workspace)
        let failed = try workspace.run(["plan", workspace.job])
        #expect(failed.status == 4)
        #expect(
            failed.stdout.contains(
                "TRIPPED drift: 1 of 3 workers have keys changed outside flexsync (33.3%); on_drift is 'fail'"))
        let overridden = try workspace.run(["plan", workspace.job, "--allow-drift"])
        #expect(overridden.status == 2)
    }

    @Test func fillEmptyNeverOverwritesAndCreateOnlyWritesOnce() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        try Self.job("", in: workspace)
        try Self.mapping(team: ", policy: create_only", name: ", policy: fill_empty", in: workspace)
        // Worker 2 already has a team name someone else set.
        try Self.edit(2, #"{"agent_id":"2","team_id":"T0","team_name":"Set In Flex"}"#, in: workspace)
        let first = try workspace.run(["plan", workspace.job])
        #expect(first.stdout.contains(#"+ team_name: "Team One" [fill_empty]"#))
        #expect(first.stdout.contains(#"~ team_id: "T0" → "T1" [create_only]"#))
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        try Self.write("id,team_id,team\n0,T2,Team Two\n1,T2,Team Two\n2,T2,Team Two\n", "export.csv", in: workspace)
        let later = try workspace.run(["plan", workspace.job])
        #expect(later.status == 0, "\(later.stdout)")
        #expect(later.stdout.contains("0 workers to change (0 keys), 3 unchanged"))
        let state = try workspace.finalState()
        #expect(state.values.allSatisfy { $0["team_id"] as? String == "T1" })
        #expect(state["WK" + String(format: "%032x", 3)]?["team_name"] as? String == "Set In Flex")
        #expect(state["WK" + String(format: "%032x", 1)]?["team_name"] as? String == "Team One")
    }

    @Test func reportOnlyKeysAreShownAsDriftAndNeverWritten() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        try Self.job("", in: workspace)
        try Self.mapping(name: ", policy: report_only", in: workspace)
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.stdout.contains(#"team_name: live (none), export "Team One" (report_only: never written)"#))
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        #expect(
            try workspace.finalState().values.allSatisfy { $0["team_name"] == nil && $0["team_id"] as? String == "T1" })
    }

    /// The store follows the journal: after a kill mid-apply, the writes that landed are the
    /// baseline, so an edit of one of them afterwards is drift, not a change.
    @Test func theStoreIsRebuiltFromTheJournalAfterAKill() throws {
        let workspace = try EndToEndWorkspace(workers: 30, emulatorFlags: ["--latency-ms", "30"])
        try Self.job(
            "requests_per_second: 20, max_requests_per_second: 20, concurrency: 2",
            base: "max_changed_share: 1, max_key_change_share: 1, max_drift_share: 1", in: workspace)
        let process = try workspace.start(["apply", workspace.job, "--yes"])
        // The journal's applied outcomes, as the run records them.
        let journals = workspace.directory.appendingPathComponent(".flexsync/e2e/journals")
        var landed: [String] = []
        for _ in 0..<400 where landed.count < 3 {
            Thread.sleep(forTimeInterval: 0.025)
            let name = try? FileManager.default.contentsOfDirectory(atPath: journals.path).first
            let text =
                name.flatMap { try? String(contentsOf: journals.appendingPathComponent($0), encoding: .utf8) } ?? ""
            landed = text.split(separator: "\n").filter { $0.contains(#""result":"applied""#) }.compactMap { line in
                line.range(of: #"WK[0-9a-f]{32}"#, options: .regularExpression).map { String(line[$0]) }
            }
        }
        let finished = !process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if finished {
            let err = (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
            Issue.record("apply ended before the kill: \(String(decoding: err, as: UTF8.self))")
        }
        let state = workspace.directory.appendingPathComponent(".flexsync/e2e")
        func store() -> String? {
            (try? FileManager.default.contentsOfDirectory(atPath: state.path))?.first { $0.hasPrefix("last-applied-") }
        }
        #expect(store() == nil, "the run finished before the kill")
        let written = try #require(landed.first)
        let index = Int(written.dropFirst(2), radix: 16)! - 1
        try Self.edit(index, #"{"agent_id":"\#(index)","team_id":"SSO","team_name":"Team One"}"#, in: workspace)
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.stdout.contains("(\(written)): team_id: flexsync wrote \"T1\""), "\(plan.stdout)")
        #expect(store() != nil)
    }

    @Test func aDamagedStoreIsReportedAndRebuiltOnlyOnRequest() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        try Self.job("", in: workspace)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        let state = workspace.directory.appendingPathComponent(".flexsync/e2e")
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: state.path).first { $0.hasPrefix("last-applied-") })
        let store = state.appendingPathComponent(name)
        let text = try String(contentsOf: store, encoding: .utf8)
        #expect(text.contains(#""team_id":{"value":"T1""#))
        try Data(text.replacingOccurrences(of: #""value":"T1""#, with: #""value":"T7""#).utf8).write(to: store)
        let refused = try workspace.run(["plan", workspace.job])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the last-applied store is damaged (its content does not match its digest)"))
        #expect(refused.stderr.contains("'--rebuild-state'"))
        let rebuilt = try workspace.run(["plan", workspace.job, "--rebuild-state"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(try workspace.run(["plan", workspace.job]).status == 0)
        #expect(try String(contentsOf: store, encoding: .utf8).contains(#""run":"rebuild""#))
    }

    /// What Flex holds, exported in the mapping's columns and planned again, changes nothing.
    @Test func exportThenPlanRoundTrips() throws {
        let workspace = try EndToEndWorkspace(workers: 4)
        try Self.job("", in: workspace)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        try Self.edit(3, #"{"agent_id":"3","team_id":"T, \"quoted\"","team_name":"Line\nbreak"}"#, in: workspace)
        let export = try workspace.run(["export", workspace.job, "--out", "live.csv", "--show-values"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("4 workers written to live.csv (columns: id, team_id, team)"))
        let csv = try String(contentsOf: workspace.directory.appendingPathComponent("live.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("id,team_id,team\r\n0,T1,Team One\r\n"))
        try FileManager.default.removeItem(at: workspace.directory.appendingPathComponent("export.csv"))
        try FileManager.default.copyItem(
            at: workspace.directory.appendingPathComponent("live.csv"),
            to: workspace.directory.appendingPathComponent("export.csv"))
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("0 workers to change (0 keys), 4 unchanged"))
    }

    @Test func exportMasksPersonalValuesUnlessAsked() throws {
        let csv = "id,team_id,team,name\n0,T1,One,Ana Lima\n"
        let workspace = try EndToEndWorkspace(workers: 1, csv: csv)
        try Self.job("", in: workspace)
        try Self.write(
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n  full_name: name\n  team_id: team_id\n",
            "mapping.yaml", in: workspace)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        let masked = try workspace.run(["export", workspace.job, "--out", "live.csv"])
        #expect(masked.status == 0)
        #expect(
            try String(contentsOf: workspace.directory.appendingPathComponent("live.csv"), encoding: .utf8)
                == "id,name,team_id\r\n0,***,T1\r\n")
        #expect(masked.stderr.contains("pass --show-values"))
        #expect(try workspace.run(["export", workspace.job, "--out", "live.csv", "--show-values"]).status == 0)
        #expect(
            try String(contentsOf: workspace.directory.appendingPathComponent("live.csv"), encoding: .utf8).contains(
                "0,Ana Lima,T1"))
        // Planning over a masked export never writes the mask over a real name.
        #expect(try workspace.run(["export", workspace.job, "--out", "export.csv"]).status == 0)
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.status == 0, "\(plan.stdout)")
        #expect(plan.stdout.contains("full_name: the export holds a masked value"))
    }
}
