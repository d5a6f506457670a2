import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `flexsync watch` against an emulator with live traffic: tasks arrive, are worked and are
/// deleted while the watcher keeps up.
@Suite(.serialized)
struct WatchTests {
    /// 20 CRM customers; callers are 15 of them (by phone or e-mail) and 5 strangers.
    static let crm =
        "Id,Phone,Email,Name\n"
        + (0..<20).map { index in
            "C\(index),(303) 555-\(String(format: "%04d", 100 + index)),c\(index)@example.com,Customer \(index)"
        }.joined(separator: "\n") + "\n"
    static let callers =
        "phone,email\n"
        + (0..<15).map { "+1303555\(String(format: "%04d", 100 + $0)),c\($0)@example.com" }
        .joined(separator: "\n") + "\n"
        + (0..<5).map { "+1720555\(String(format: "%04d", $0)),stranger\($0)@example.org" }
        .joined(separator: "\n") + "\n"

    /// A tasks job over the CRM export, and an emulator creating tasks with `flags`.
    static func workspace(_ flags: [String], policies: String = "") throws -> EndToEndWorkspace {
        let folder = try Scratch.directory()
        let callers = folder.appendingPathComponent("callers.csv")
        try Data(Self.callers.utf8).write(to: callers)
        let workspace = try EndToEndWorkspace(
            workers: 0, emulatorFlags: ["--task-customers", callers.path] + flags, csv: crm)
        try Data(
            """
            target: tasks
            key: { match: [customers.external_id, customers.phone, customers.email] }
            attributes:
              customers.external_id: Id
              customers.phone: { field: Phone, transforms: [{ phone: { country: US } }] }
              customers.email: { field: Email, transforms: [email] }
              customers.name: Name
            """.utf8
        ).write(to: workspace.directory.appendingPathComponent("mapping.yaml"))
        try Data(
            """
            name: e2e
            mapping: mapping.yaml
            source: { path: export.csv, format: csv }
            taskrouter: { workspace_sid: \(EndToEndWorkspace.workspace) }
            policies: { requests_per_second: 50, max_requests_per_second: 50\(policies) }
            """.utf8
        ).write(to: workspace.directory.appendingPathComponent("job.yaml"))
        return workspace
    }

    /// Per task: when the emulator created and completed it, and when its attributes were written.
    struct Timeline {
        var caller = ""
        var created: Double?
        var completed: Double?
        var written: [Double] = []
    }

    static func timelines(_ workspace: EndToEndWorkspace) throws -> [String: Timeline] {
        var result: [String: Timeline] = [:]
        for entry in try workspace.requests() {
            guard let path = entry["path"] as? String, path.contains("/Tasks/WT"), let time = entry["time"] as? Double
            else { continue }
            let sid = String(path.split(separator: "/").last!)
            switch entry["method"] as? String {
            case "CREATE":
                result[sid, default: Timeline()].created = time
                result[sid, default: Timeline()].caller = (entry["query"] as? String ?? "").replacingOccurrences(
                    of: "caller=", with: "")
            case "COMPLETE": result[sid, default: Timeline()].completed = time
            case "POST" where entry["applied"] as? Bool == true: result[sid, default: Timeline()].written.append(time)
            default: break
            }
        }
        return result
    }

    /// Runs `watch` for `cycles` cycles with a metrics textfile; expects exit 0 and returns the
    /// run and the textfile's last content.
    static func watch(
        _ workspace: EndToEndWorkspace, interval: String, cycles: Int
    ) throws -> (EndToEndWorkspace.Result, String) {
        let metrics = workspace.directory.appendingPathComponent("watch.prom").path
        let watch = try workspace.run([
            "watch", workspace.job, "--interval", interval, "--cycles", "\(cycles)", "--metrics-textfile", metrics
        ])
        #expect(watch.status == 0, "\(watch.stderr)")
        return (watch, try String(contentsOfFile: metrics, encoding: .utf8))
    }

    static func metric(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix("flexsync_watch_\(name){") }
            .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func tasksArrivingDuringAWatchGetTheirCustomersBeforeTheyComplete() throws {
        let workspace = try Self.workspace([
            "--task-arrivals", "4", "--task-lifetime", "2:4", "--task-ttl", "1", "--random-seed", "5"
        ])
        let (watch, text) = try Self.watch(workspace, interval: "0.5", cycles: 16)
        #expect(watch.stderr.contains("cycle 16: "))
        #expect(!watch.stdout.contains(EndToEndWorkspace.token) && !watch.stderr.contains(EndToEndWorkspace.token))
        let timelines = try Self.timelines(workspace)
        // Tasks created early enough to be seen by two cycles before the watch ended.
        let requests = try workspace.requests()
        let end = try #require(requests.compactMap { $0["time"] as? Double }.max())
        let start = try #require(requests.first { $0["method"] as? String == "GET" }?["time"] as? Double)
        let settled = timelines.filter {
            ($0.value.created ?? .infinity) > start && ($0.value.created ?? .infinity) < end - 2.5
        }
        #expect(settled.count >= 10, "too little traffic to judge: \(settled.count) tasks")
        var known = 0
        for (sid, timeline) in settled {
            if timeline.caller.hasPrefix("+1720") || timeline.caller.hasPrefix("stranger") {
                #expect(timeline.written.isEmpty, "a stranger's task \(sid) was written")
                continue
            }
            known += 1
            let written = try #require(timeline.written.first, "task \(sid) of a known caller was never written")
            #expect(written < (timeline.completed ?? .infinity), "task \(sid) was written after it completed")
        }
        #expect(known > 0)
        #expect(Self.metric(text, "cycles_total") == 16)
        #expect((Self.metric(text, "written_total") ?? 0) >= Double(known))
        #expect(Self.metric(text, "failed_total") == 0)
        #expect(text.contains("flexsync_watch_write_latency_seconds_bucket{job=\"e2e\",le=\"+Inf\"}"))
    }

    /// A cycle costs one list request per page plus a read-back and a write per task written:
    /// tasks handled before and unchanged since are neither read nor written again.
    @Test func handledTasksCostNothing() throws {
        let workspace = try Self.workspace(["--task-arrivals", "2", "--task-lifetime", "30:60", "--random-seed", "9"])
        let watch = try workspace.run(["watch", workspace.job, "--interval", "0.3", "--cycles", "12"])
        #expect(watch.status == 0, "\(watch.stderr)")
        let cycles = watch.stderr.split(separator: "\n").filter { $0.contains("cycle ") }
        #expect(cycles.count == 12)
        var idle = 0
        for cycle in cycles {
            func count(_ word: String) -> Int? {
                cycle.range(of: #"(\d+) "# + word, options: .regularExpression).flatMap {
                    Int(cycle[$0].split(separator: " ")[0])
                }
            }
            let written = try #require(count("written"))
            let requests = try #require(count("requests"))
            let unchanged = try #require(count("unchanged"))
            #expect(requests == 1 + 2 * written, "\(cycle)")
            if written == 0 && unchanged > 0 { idle += 1 }
        }
        #expect(idle > 0, "no idle cycle to judge")
    }

    @Test func aTaskDeletedBeforeItCouldBeWrittenIsGoneNotFailed() throws {
        let workspace = try Self.workspace([
            "--task-arrivals", "10", "--task-lifetime", "0.3:0.6", "--task-ttl", "0.05",
            "--latency-ms", "60", "--random-seed", "3"
        ])
        let (_, text) = try Self.watch(workspace, interval: "0.2", cycles: 25)
        #expect((Self.metric(text, "gone_total") ?? 0) > 0, "no task was deleted mid-write: the test proves nothing")
        #expect(Self.metric(text, "failed_total") == 0)
    }

    @Test func aBrokenExportKeepsTheOldIndexServing() throws {
        let workspace = try Self.workspace(["--task-arrivals", "5", "--task-lifetime", "3:5", "--random-seed", "7"])
        let metrics = workspace.directory.appendingPathComponent("watch.prom").path
        let process = try workspace.start(["watch", workspace.job, "--interval", "0.3", "--metrics-textfile", metrics])
        Thread.sleep(forTimeInterval: 1.5)
        // Every row invalid now: the job's gates refuse it.
        // Replaced in one step: a file truncated and then written can be seen half-written by a
        // cycle, which would count a second (right) reload failure.
        try Data("Id,Phone,Email,Name\n,,,\n,,,\n".utf8).write(
            to: workspace.directory.appendingPathComponent("export.csv"), options: .atomic)
        Thread.sleep(forTimeInterval: 1.5)
        let writtenBefore = try workspace.requests().filter { $0["method"] as? String == "POST" }.count
        Thread.sleep(forTimeInterval: 2)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let stderr = String(
            decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("export not reloaded, the previous one keeps serving"))
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(Self.metric(text, "reload_failures_total") == 1)
        #expect(
            try workspace.requests().filter { $0["method"] as? String == "POST" }.count > writtenBefore,
            "the old index stopped serving")
    }

    /// SIGTERM in the middle of writes: they finish, every intent in the journal has its
    /// outcome, and the exit is 0. A second watcher on the same job exits 6 meanwhile.
    @Test func sigtermLeavesAConsistentJournalAndOneWatcherPerJob() throws {
        let workspace = try Self.workspace([
            "--task-arrivals", "30", "--task-lifetime", "20:30", "--latency-ms", "40", "--random-seed", "2"
        ])
        let process = try workspace.start(["watch", workspace.job, "--interval", "0.5"])
        Thread.sleep(forTimeInterval: 1.2)
        let second = try workspace.run(["watch", workspace.job, "--cycles", "1"])
        #expect(second.status == 6)
        #expect(second.stderr.contains("another flexsync run holds the lock"))
        var posts = 0
        for _ in 0..<100 where posts == 0 {
            Thread.sleep(forTimeInterval: 0.05)
            posts = try workspace.requests().filter { $0["method"] as? String == "POST" }.count
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let journals = workspace.directory.appendingPathComponent(".flexsync/e2e/journals")
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: journals.path).first { $0.hasPrefix("watch-") })
        var open: [String: Int] = [:]
        for line in try String(contentsOf: journals.appendingPathComponent(name), encoding: .utf8).split(
            separator: "\n")
        {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let sid = object["sid"] as? String
            else { continue }
            if object["event"] as? String == "intent" { open[sid, default: 0] += 1 }
            if object["event"] as? String == "outcome" { open[sid] = nil }
        }
        #expect(open.isEmpty, "writes without a recorded outcome: \(open.keys.sorted())")
    }

    /// Workers too: HR changes picked up during the day, under the same gates as apply.
    @Test func workersAreWatchedUnderTheSameGates() throws {
        let workspace = try EndToEndWorkspace(workers: 4)
        let watch = try workspace.run(["watch", workspace.job, "--interval", "0.2", "--cycles", "3"])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(watch.stderr.contains("cycle 1: 4 workers seen, 4 written"))
        #expect(watch.stderr.contains("cycle 3: 4 workers seen, 0 written, 4 unchanged"))
        #expect(
            try workspace.finalState().values.allSatisfy {
                $0["team_id"] as? String == "T1" && $0["contact_uri"] != nil
            })
        let gated = try EndToEndWorkspace(workers: 4, policies: "{ max_changed_share: 0.2 }")
        let refused = try gated.run(["watch", gated.job, "--interval", "0.2", "--cycles", "2"])
        #expect(refused.status == 0)
        #expect(refused.stderr.contains("tripped, nothing written: mass-change"))
        #expect(try gated.requests().allSatisfy { $0["method"] as? String == "GET" })
    }

    /// Key ownership holds in watch as in plan: an edit made outside flexsync is drift, kept, and
    /// not written back cycle after cycle.
    @Test func watchKeepsDriftLikePlan() throws {
        let workspace = try EndToEndWorkspace(
            workers: 3, policies: "{ max_changed_share: 1, max_key_change_share: 1, max_drift_share: 1 }")
        #expect(try workspace.run(["watch", workspace.job, "--interval", "0.2", "--cycles", "1"]).status == 0)
        let sid = "WK" + String(format: "%032x", 1)
        #expect(
            try Curl.post(
                "\(workspace.emulator.baseURL)/v1/Workspaces/\(EndToEndWorkspace.workspace)/Workers/\(sid)",
                user: "\(EndToEndWorkspace.account):\(EndToEndWorkspace.token)",
                attributes: #"{"agent_id":"0","team_id":"T9","team_name":"Team One"}"#) == 200)
        let posts = try workspace.requests().filter { $0["method"] as? String == "POST" }.count
        let again = try workspace.run(["watch", workspace.job, "--interval", "0.2", "--cycles", "3"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try workspace.requests().filter { $0["method"] as? String == "POST" }.count == posts)
        #expect(try workspace.finalState()[sid]?["team_id"] as? String == "T9")
    }

    /// TaskRouter unavailable for a few seconds: the cycles it fails are logged and counted, the
    /// watcher keeps going, and the tasks that arrived meanwhile get their customers once it is back.
    @Test func aTaskRouterOutageIsRiddenOut() throws {
        let workspace = try Self.workspace(
            ["--task-arrivals", "4", "--task-lifetime", "30:40", "--random-seed", "11", "--outage", "1:3"],
            policies: ", max_retries: 1")
        let (watch, text) = try Self.watch(workspace, interval: "0.3", cycles: 14)
        let failed = watch.stderr.split(separator: "\n").filter { $0.contains("failed after") }
        #expect(!failed.isEmpty, "no cycle met the outage: the test proves nothing")
        #expect(failed.allSatisfy { $0.contains("HTTP 503") && $0.contains("trying again after the interval") })
        #expect(Self.metric(text, "cycles_total") == 14)
        #expect(Self.metric(text, "failed_cycles_total") == Double(failed.count))
        #expect((Self.metric(text, "last_success_timestamp_seconds") ?? 0) > 0)
        let requests = try workspace.requests()
        let refused = requests.filter { $0["status"] as? Int == 503 }.compactMap { $0["time"] as? Double }
        // The last list but one: a task created while the last list was being answered may be
        // missing from it, and the watcher had no later cycle to find it in.
        let lastList = try #require(
            requests.filter {
                $0["method"] as? String == "GET" && ($0["path"] as? String ?? "").hasSuffix("/Tasks")
                    && $0["status"] as? Int == 200
            }.compactMap { $0["time"] as? Double }.sorted().dropLast().last)
        // Tasks live 30 s: every known caller's task listed after the outage is written.
        var duringOutage = 0
        for (sid, timeline) in try Self.timelines(workspace) {
            guard let created = timeline.created, created < lastList,
                !timeline.caller.hasPrefix("+1720"), !timeline.caller.hasPrefix("stranger")
            else { continue }
            if let first = refused.min(), let last = refused.max(), created > first && created < last {
                duringOutage += 1
            }
            #expect(!timeline.written.isEmpty, "task \(sid) of a known caller was never written")
        }
        #expect(duringOutage > 0, "no known caller's task arrived during the outage")
    }

    /// A task TaskRouter refuses to update is tried again after 1, 2, 4… cycles, not every
    /// cycle; the others are written as usual.
    @Test func aRefusedWriteIsHeldBackNotResentEveryCycle() throws {
        let workspace = try Self.workspace([
            "--task-arrivals", "3", "--task-lifetime", "30:40", "--random-seed", "13", "--refuse-rate", "0.4"
        ])
        let (watch, text) = try Self.watch(workspace, interval: "0.2", cycles: 14)
        var postsByTask: [String: (refused: Int, applied: Int)] = [:]
        for entry in try workspace.requests() where entry["method"] as? String == "POST" {
            let sid = String((entry["path"] as? String ?? "").split(separator: "/").last ?? "")
            if entry["status"] as? Int == 400 { postsByTask[sid, default: (0, 0)].refused += 1 }
            if entry["applied"] as? Bool == true { postsByTask[sid, default: (0, 0)].applied += 1 }
        }
        let refused = postsByTask.filter { $0.value.refused > 0 }
        #expect(!refused.isEmpty, "no write was refused: the test proves nothing")
        #expect(postsByTask.contains { $0.value.applied > 0 }, "the tasks TaskRouter takes were not written")
        // 14 cycles: tried in cycles 1, 3, 6 and 11 of its own at most.
        for (sid, posts) in refused {
            #expect(posts.applied == 0 && posts.refused <= 4, "\(sid) was sent \(posts.refused) times")
        }
        #expect((Self.metric(text, "held_back_total") ?? 0) > 0)
        #expect(Self.metric(text, "failed_total") == Double(refused.values.map(\.refused).reduce(0, +)))
        #expect(watch.stderr.contains("held back after refused writes"))
    }

    /// A watch journal past `watch_journal_max_mb` is replaced between cycles: each journal
    /// begins like one, every write is recorded once with its outcome, and the store the watcher
    /// leaves keeps only the tasks still listed, not every task it ever wrote.
    @Test func aLargeJournalIsReplacedBetweenCycles() throws {
        let workspace = try Self.workspace(
            ["--task-arrivals", "5", "--task-lifetime", "0.8:1.5", "--task-ttl", "0.3", "--random-seed", "17"],
            policies: ", watch_journal_max_mb: 0.002")
        let watch = try workspace.run(["watch", workspace.job, "--interval", "0.3", "--cycles", "14"])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(watch.stderr.contains("journal rotated"))
        let state = workspace.directory.appendingPathComponent(".flexsync/e2e")
        let folder = state.appendingPathComponent("journals")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("watch-") }
        #expect(names.count >= 2, "\(names)")
        var outcomes: [String: Int] = [:]
        for name in names {
            let lines = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(
                separator: "\n")
            let entries = try lines.map {
                try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(entries.first?["event"] as? String == "begin", "\(name)")
            var open = Set<String>()
            for entry in entries {
                guard let sid = entry["sid"] as? String else { continue }
                if entry["event"] as? String == "intent" { open.insert(sid) }
                if entry["event"] as? String == "outcome" {
                    open.remove(sid)
                    if entry["result"] as? String == "applied" { outcomes[sid, default: 0] += 1 }
                }
            }
            #expect(open.isEmpty, "\(name): writes without an outcome \(open)")
        }
        let applied = try workspace.requests().filter {
            $0["method"] as? String == "POST" && $0["applied"] as? Bool == true
        }
        #expect(!applied.isEmpty && outcomes.values.reduce(0, +) == applied.count)
        #expect(outcomes.values.allSatisfy { $0 == 1 }, "a task was written twice")
        let storeName = try #require(
            try FileManager.default.contentsOfDirectory(atPath: state.path).first { $0.hasPrefix("last-applied-") })
        let stored = try String(contentsOf: state.appendingPathComponent(storeName), encoding: .utf8)
            .split(separator: "\n").dropFirst().count
        #expect(stored < outcomes.count, "the store kept \(stored) of \(outcomes.count) tasks, deleted ones too")
    }
}
