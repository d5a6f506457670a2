import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `flexsync` binary, run as cron or a person would, against the emulator process.
@Suite(.serialized)
struct CommandTests {
    @Test func validatePlanApplyAndPlanAgain() throws {
        let workspace = try EndToEndWorkspace(workers: 5)
        let validate = try workspace.run(["validate", workspace.job])
        #expect(validate.status == 0)
        #expect(validate.stdout.hasSuffix("5 rows read, 5 valid, 0 invalid, 0 warnings\n"))
        let plan = try workspace.run([
            "plan", workspace.job, "--out", "plan.json", "--report", "report.html", "--format", "markdown"
        ])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(plan.stdout.contains("**5 workers to change (10 keys), 0 unchanged, 0 quarantined, 0 invalid**"))
        let apply = try workspace.run(["apply", "plan.json", "--yes", "--summary-json", "summary.json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.hasPrefix("5 applied, 0 unchanged, 0 conflicts, 0 gone, 0 failed"))
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: workspace.directory.appendingPathComponent("summary.json"))) as! [String: Any]
        #expect(summary["applied"] as? Int == 5)
        let again = try workspace.run(["plan", workspace.job])
        #expect(again.status == 0)
        #expect(again.stdout.hasSuffix("0 workers to change (0 keys), 5 unchanged, 0 quarantined, 0 invalid\n"))
        // Applying the same plan twice writes nothing: its inputs are unchanged and every target is done.
        let posts = try workspace.requests().filter { $0["method"] as? String == "POST" }.count
        let twice = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(twice.stdout.hasPrefix("0 applied, 0 unchanged, 0 conflicts, 0 gone, 0 failed"))
        #expect(twice.stdout.contains("(5 already done by an earlier run)"))
        #expect(try workspace.requests().filter { $0["method"] as? String == "POST" }.count == posts)
        let state = try workspace.finalState()
        #expect(
            state.values.allSatisfy {
                ($0["team_id"] as? String) == "T1" && ($0["contact_uri"] as? String)?.hasPrefix("client:") == true
            })
    }

    @Test func canariesLimitAndSelectWhatIsPlanned() throws {
        let csv = "id,team_id,team\n0,T1,Team One\n1,T1,Team One\n2,T2,Team Two\n3,T2,Team Two\n4,T2,Team Two\n"
        let workspace = try EndToEndWorkspace(workers: 5, csv: csv)
        let limited = try workspace.run(["plan", workspace.job, "--limit", "2"])
        #expect(limited.status == 2)
        #expect(limited.stdout.hasSuffix("2 workers to change (4 keys), 0 unchanged, 0 quarantined, 0 invalid\n"))
        let only = try workspace.run(["apply", workspace.job, "--only", "team_name=Team Two", "--yes"])
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stdout.contains("3 applied, 0 unchanged"))
        let state = try workspace.finalState()
        #expect(state.values.filter { $0["team_id"] as? String == "T2" }.count == 3)
        #expect(state.values.filter { $0["team_id"] as? String == "T0" }.count == 2)
    }

    @Test func rollbackShowsThenUndoesARun() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        #expect(try workspace.run(["apply", workspace.job, "--yes"]).status == 0)
        let journals = workspace.directory.appendingPathComponent(".flexsync/e2e/journals")
        let journal = try #require(try FileManager.default.contentsOfDirectory(atPath: journals.path).first)
        let path = journals.appendingPathComponent(journal).path
        let dryRun = try workspace.run(["rollback", path, "--dry-run"])
        #expect(dryRun.status == 2)
        #expect(dryRun.stdout.contains(#"~ team_id: "T1" → "T0""#))
        #expect(dryRun.stdout.contains(#"- team_name: "Team One""#))
        #expect(try workspace.requests().filter { $0["method"] as? String == "POST" }.count == 3)
        let undo = try workspace.run(["rollback", path, "--yes"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.contains("3 applied, 0 unchanged"))
        let state = try workspace.finalState()
        #expect(
            state.values.allSatisfy {
                $0["team_id"] as? String == "T0" && $0["team_name"] == nil && $0["contact_uri"] != nil
            })
    }

    /// On a terminal (a pseudo-terminal from script(1)), apply asks first and shows a progress bar.
    @Test func onATerminalApplyAsksAndShowsProgress() throws {
        let workspace = try EndToEndWorkspace(
            workers: 15, emulatorFlags: ["--latency-ms", "50"],
            policies:
                "{ max_changed_share: 1, max_key_change_share: 1, requests_per_second: 10, max_requests_per_second: 10 }"
        )
        func onTerminal(_ answer: String) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "'\(Binaries.url("flexsync").path)' apply '\(workspace.job)'", "/dev/null"]
            process.currentDirectoryURL = workspace.directory
            var environment = ProcessInfo.processInfo.environment
            environment["FLEXSYNC_BASE_URL"] = workspace.emulator.baseURL
            environment["TWILIO_ACCOUNT_SID"] = EndToEndWorkspace.account
            environment["TWILIO_AUTH_TOKEN"] = EndToEndWorkspace.token
            process.environment = environment
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data((answer + "\n").utf8))
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let declined = try onTerminal("n")
        #expect(declined.status == 1)
        #expect(
            declined.output.contains(
                "apply 15 changes to workspace 'Flex Task Assignment' (\(EndToEndWorkspace.workspace)) at \(workspace.emulator.baseURL) (profile default)? [y/N] nothing written"
            ))
        #expect(try workspace.requests().allSatisfy { $0["method"] as? String == "GET" })
        let accepted = try onTerminal("y")
        #expect(accepted.status == 0)
        #expect(accepted.output.contains("\u{1B}[1m15 workers to change"))  // bold on a terminal
        #expect(
            accepted.output.range(of: #"\[#*\.*\] \d+/15 +\d+\.\d req/s  ETA \d+s"#, options: .regularExpression) != nil
        )
        #expect(accepted.output.contains("15 applied, 0 unchanged"))
    }

    @Test func applyNeedsYesWhenNotOnATerminal() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let apply = try workspace.run(["apply", workspace.job])
        #expect(apply.status == 1)
        #expect(
            apply.stderr.contains(
                "flexsync: not on a terminal: pass --yes to apply 2 changes to workspace 'Flex Task Assignment' (\(EndToEndWorkspace.workspace)) at \(workspace.emulator.baseURL) (profile default)"
            ))
        #expect(try workspace.requests().allSatisfy { $0["method"] as? String == "GET" })
    }

    @Test func aPlanWhoseInputsChangedIsRefused() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        try Data("id,team_id,team\n0,T7,Seven\n1,T7,Seven\n".utf8).write(
            to: workspace.directory.appendingPathComponent("export.csv"))
        let apply = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(apply.status == 1)
        #expect(
            apply.stderr
                == "flexsync: the job, mapping or export changed since the plan was made: run 'flexsync plan' again and review the new plan\n"
        )
    }

    @Test func aTrippedGateWritesNothingAndExits4() throws {
        let workspace = try EndToEndWorkspace(
            workers: 4, policies: "{ max_changed_share: 0.5, max_key_change_share: 1 }")
        let plan = try workspace.run(["plan", workspace.job])
        #expect(plan.status == 4)
        #expect(
            plan.stdout.contains(
                "TRIPPED mass-change: 4 of 4 workers change (100%); the job allows 50% (override with --allow-mass-change)"
            ))
        let apply = try workspace.run(["apply", workspace.job, "--yes"])
        #expect(apply.status == 4)
        #expect(try workspace.requests().allSatisfy { $0["method"] as? String == "GET" })
        #expect(try workspace.run(["apply", workspace.job, "--yes", "--allow-mass-change"]).status == 0)
    }

    @Test func aSecondRunExitsAtOnceWhileTheLockIsHeld() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let stateDirectory = workspace.directory.appendingPathComponent(".flexsync/e2e")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let descriptor = open(stateDirectory.appendingPathComponent("run.lock").path, O_RDWR | O_CREAT, 0o644)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let apply = try workspace.run(["apply", workspace.job, "--yes"])
        #expect(apply.status == 6)
        #expect(apply.stderr.contains("another flexsync run holds the lock on"))
        #expect(try workspace.requests().allSatisfy { $0["method"] as? String == "GET" })
    }

    @Test func credentialsNeverAppearInAnyOutput() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        var outputs: [String] = []
        for arguments in [
            ["validate", workspace.job],
            ["plan", workspace.job, "--out", "plan.json", "--report", "r.html", "--format", "json"],
            ["apply", "plan.json", "--yes", "--log-level", "trace"], ["plan", workspace.job, "--log-level", "trace"]
        ] {
            let result = try workspace.run(arguments)
            outputs += [result.stdout, result.stderr]
        }
        // A wrong token: the error names the status and Twilio's code, not the secret.
        let denied = try workspace.run(["plan", workspace.job], environment: ["TWILIO_AUTH_TOKEN": "wrong-secret-77"])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("HTTP 401, Twilio error 20003: Authenticate"))
        outputs += [denied.stdout, denied.stderr]
        let missing = try workspace.run(["plan", workspace.job], credentials: false)
        #expect(missing.stderr.contains("no TaskRouter credentials: set $TWILIO_ACCOUNT_SID and $TWILIO_AUTH_TOKEN"))
        let files = FileManager.default.enumerator(at: workspace.directory, includingPropertiesForKeys: nil)!.compactMap
        { $0 as? URL }
        .filter { !["seed.json", "requests.jsonl"].contains($0.lastPathComponent) }
        for file in files where !file.hasDirectoryPath {
            outputs.append((try? String(contentsOf: file, encoding: .utf8)) ?? "")
        }
        #expect(files.contains { $0.pathExtension == "jsonl" }, "a journal was written")
        let basic = Data("\(EndToEndWorkspace.account):\(EndToEndWorkspace.token)".utf8).base64EncodedString()
        for text in outputs {
            #expect(
                !text.contains(EndToEndWorkspace.token) && !text.contains("wrong-secret-77") && !text.contains(basic))
        }
    }

    @Test func libxml2NeverPrintsAndBadInputIsLocated() throws {
        let workspace = try EndToEndWorkspace(workers: 1)
        try Data("<r>\n<e><n>1</x></e>\n</r>\n".utf8).write(to: workspace.directory.appendingPathComponent("bad.xml"))
        try Data("target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: n\n".utf8).write(
            to: workspace.directory.appendingPathComponent("x.yaml"))
        try Data(
            "name: x\nmapping: x.yaml\nsource: { path: bad.xml, format: xml, record: /r/e }\ntaskrouter: { workspace_sid: \(EndToEndWorkspace.workspace) }\n"
                .utf8
        )
        .write(to: workspace.directory.appendingPathComponent("xjob.yaml"))
        let result = try workspace.run(["validate", "xjob.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr == "flexsync: bad.xml:2: Opening and ending tag mismatch: n line 2 and x\n")
    }

    /// Killed with SIGKILL at random moments, then run again: the final state is right and no
    /// write that completed is sent again.
    @Test(arguments: [0.15, 0.45, 0.9])
    func killedAtAnyInstantAndRunAgain(delay: Double) throws {
        let workspace = try EndToEndWorkspace(
            workers: 40, emulatorFlags: ["--latency-ms", "30"],
            policies:
                "{ max_changed_share: 1, max_key_change_share: 1, requests_per_second: 40, max_requests_per_second: 40, concurrency: 4 }"
        )
        #expect(try workspace.run(["plan", workspace.job, "--out", "plan.json"]).status == 2)
        let process = try workspace.start(["apply", "plan.json", "--yes"])
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let appliedBefore = try workspace.requests().filter {
            $0["method"] as? String == "POST" && $0["applied"] as? Bool == true
        }.count
        let again = try workspace.run(["apply", "plan.json", "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
        let posts = try workspace.requests().filter {
            $0["method"] as? String == "POST" && $0["applied"] as? Bool == true
        }
        var perTarget: [String: Int] = [:]
        for post in posts { perTarget[post["path"] as! String, default: 0] += 1 }
        #expect(perTarget.count == 40)
        #expect(
            perTarget.values.allSatisfy { $0 == 1 },
            "a completed write was repeated: \(perTarget.filter { $0.value > 1 })")
        #expect(appliedBefore < 40, "the kill came after the run had finished; pick a shorter delay")
        let state = try workspace.finalState()
        #expect(
            state.values.allSatisfy {
                $0["team_id"] as? String == "T1" && $0["team_name"] as? String == "Team One"
                    && ($0["routing"] as? [String: Any]) != nil
            })
    }

    @Test func theRateHoldsInEverySecondOfTheEmulatorsLog() throws {
        let workspace = try EndToEndWorkspace(
            workers: 100,
            policies:
                "{ max_changed_share: 1, max_key_change_share: 1, requests_per_second: 25, max_requests_per_second: 25, concurrency: 8 }"
        )
        let apply = try workspace.run(["apply", workspace.job, "--yes"])
        #expect(apply.status == 0)
        let times = try workspace.requests().compactMap { $0["time"] as? Double }.sorted()
        // One list page, one read of the workspace, and a read-back and a write per worker.
        #expect(times.count == 1 + 1 + 100 * 2)
        var busiest = 0
        for (index, time) in times.enumerated() {
            busiest = max(busiest, times[index...].prefix { $0 < time + 1.0 }.count)
        }
        #expect(busiest <= 25)
        let achieved = Double(times.count - 1) / (times.last! - times.first!)
        #expect(achieved >= 0.9 * 25, "achieved \(achieved) requests/s")
    }
}
