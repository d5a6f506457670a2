import Foundation
import TaskRouterEmulator
import Testing

/// The emulator's behaviour over real HTTP: paging, auth, errors, versions, task lifecycle, limits, faults.
struct BehaviourTests {
    static func workers(_ count: Int) -> [EmulatorSeed.Worker] {
        (0..<count).map { .init(friendlyName: "agent\($0)", attributes: #"{"agent_id":"\#($0)"}"#) }
    }

    @Test func pagingFollowsNextPageURLWithoutGapsOrRepeats() async throws {
        let harness = try await EmulatorHarness.start(workers: Self.workers(2345))
        defer { Task { await harness.stop() } }
        var url: String? = harness.workspacePath + "/Workers?PageSize=1000"
        var pages = 0
        var seen: [String] = []
        while let next = url {
            let reply = try await harness.send("GET", next)
            #expect(reply.status == 200)
            let body = reply.json
            let workers = try #require(body["workers"] as? [[String: Any]])
            seen += workers.compactMap { $0["sid"] as? String }
            let meta = try #require(body["meta"] as? [String: Any])
            #expect(meta["page"] as? Int == pages)
            #expect(meta["page_size"] as? Int == 1000)
            url = meta["next_page_url"] as? String
            if let url { #expect(url.hasPrefix(harness.base) && url.contains("PageToken=")) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(seen.count == 2345)
        #expect(Set(seen).count == 2345)
        #expect(seen == harness.emulator.workerSids())
    }

    @Test func defaultPageSizeIsFifty() async throws {
        let harness = try await EmulatorHarness.start(workers: Self.workers(60))
        defer { Task { await harness.stop() } }
        let body = try await harness.send("GET", harness.workspacePath + "/Workers").json
        #expect((body["workers"] as? [Any])?.count == 50)
        #expect((body["meta"] as? [String: Any])?["next_page_url"] is String)
    }

    @Test func authAcceptsAccountTokenAndAPIKeyOnly() async throws {
        let key = EmulatorSeed.APIKey(sid: "SK" + String(repeating: "c", count: 32), secret: "key-secret")
        let harness = try await EmulatorHarness.start(apiKeys: [key])
        defer { Task { await harness.stop() } }
        let path = harness.workspacePath + "/Workers"
        #expect(try await harness.send("GET", path).status == 200)
        #expect(try await harness.send("GET", path, user: key.sid, password: key.secret).status == 200)
        for (user, password) in [
            (EmulatorHarness.account, "wrong"), (key.sid, EmulatorHarness.token), (nil, nil) as (String?, String?)
        ] {
            let reply = try await harness.send("GET", path, user: user, password: password)
            #expect(reply.status == 401)
            #expect(reply.json["code"] as? Int == 20003)
        }
    }

    @Test func unknownSidsAndPathsAre20404() async throws {
        let harness = try await EmulatorHarness.start(workers: Self.workers(1))
        defer { Task { await harness.stop() } }
        for path in [
            harness.workspacePath + "/Workers/WK" + String(repeating: "9", count: 32),
            harness.workspacePath + "/Tasks/WT" + String(repeating: "9", count: 32),
            "/v1/Workspaces/WS" + String(repeating: "9", count: 32) + "/Workers",
            "/v1/Nothing"
        ] {
            let reply = try await harness.send("GET", path)
            #expect(reply.status == 404, "\(path)")
            #expect(reply.json["code"] as? Int == 20404, "\(path)")
        }
    }

    @Test func invalidParametersAre20001() async throws {
        let harness = try await EmulatorHarness.start(workers: Self.workers(1))
        defer { Task { await harness.stop() } }
        let sid = harness.emulator.workerSids()[0]
        let path = harness.workspacePath + "/Workers/\(sid)"
        let cases: [(String, [(String, String)], String)] = [
            ("POST", [("Attributes", "[1,2]")], "Attributes must be a valid JSON object"),
            ("POST", [("Attributes", "{not json")], "Attributes must be a valid JSON object"),
            (
                "POST", [("Attributes", #"{"a":""# + String(repeating: "x", count: 4090) + #""}"#)],
                "Attributes must be at most 4096 characters"
            ),
            (
                "POST", [("FriendlyName", String(repeating: "n", count: 65))],
                "FriendlyName must be at most 64 characters"
            )
        ]
        for (method, form, message) in cases {
            let reply = try await harness.send(method, path, form: form)
            #expect(reply.status == 400)
            #expect(reply.json["code"] as? Int == 20001)
            #expect(reply.json["message"] as? String == message)
        }
        for size in ["0", "1001", "x"] {
            let reply = try await harness.send("GET", harness.workspacePath + "/Workers?PageSize=\(size)")
            #expect(reply.status == 400 && reply.json["code"] as? Int == 20001, "PageSize=\(size)")
        }
        #expect(harness.emulator.workerAttributes(sid) == #"{"agent_id":"0"}"#)
    }

    @Test func ifMatchGuardsUpdatesAndRevisionsAdvance() async throws {
        let harness = try await EmulatorHarness.start(workers: Self.workers(1))
        defer { Task { await harness.stop() } }
        let sid = harness.emulator.workerSids()[0]
        let path = harness.workspacePath + "/Workers/\(sid)"
        let fetched = try await harness.send("GET", path)
        let etag = try #require(fetched.header("ETag"))
        let first = try await harness.send(
            "POST", path, form: [("Attributes", #"{"n":1}"#)], headers: ["If-Match": etag])
        #expect(first.status == 200)
        let newTag = try #require(first.header("ETag"))
        #expect(newTag != etag)
        #expect(first.json["date_updated"] as? String != fetched.json["date_updated"] as? String)
        let stale = try await harness.send(
            "POST", path, form: [("Attributes", #"{"n":2}"#)], headers: ["If-Match": etag])
        #expect(stale.status == 412)
        #expect(stale.json["code"] as? Int == 20412)
        #expect(harness.emulator.workerAttributes(sid) == #"{"n":1}"#)
        // The bare form of the same revision is accepted too.
        let bare = newTag.replacingOccurrences(of: "\"", with: "")
        let second = try await harness.send(
            "POST", path, form: [("Attributes", #"{"n":3}"#)], headers: ["If-Match": bare])
        #expect(second.status == 200)
        // Attributes replace the whole document.
        #expect(harness.emulator.workerAttributes(sid) == #"{"n":3}"#)
        // Without If-Match the update is unconditional.
        #expect(try await harness.send("POST", path, form: [("Attributes", #"{"n":4}"#)]).status == 200)
    }

    @Test func assignmentStatusFilterTakesBothForms() async throws {
        let statuses = ["pending", "reserved", "assigned", "wrapping", "completed", "canceled"]
        let harness = try await EmulatorHarness.start(tasks: statuses.map { .init(assignmentStatus: $0) })
        defer { Task { await harness.stop() } }
        func count(_ query: String) async throws -> Int {
            (try await harness.send("GET", harness.workspacePath + "/Tasks?" + query).json["tasks"] as? [Any])?.count
                ?? -1
        }
        #expect(try await count("AssignmentStatus=pending&AssignmentStatus=reserved") == 2)
        #expect(try await count("AssignmentStatus=pending%2Creserved,assigned") == 3)
        #expect(try await count("") == 6)
        #expect(try await harness.send("GET", harness.workspacePath + "/Tasks?AssignmentStatus=bogus").status == 400)
    }

    @Test func completedTasksDisappearAfterTheirTTL() async throws {
        var options = EmulatorOptions()
        // Long enough that the read right after completing still comes before it on a loaded machine.
        options.taskTTLSeconds = 5
        let harness = try await EmulatorHarness.start(tasks: [.init(assignmentStatus: "assigned")], options: options)
        defer { Task { await harness.stop() } }
        let sid = harness.emulator.taskSids()[0]
        let path = harness.workspacePath + "/Tasks/\(sid)"
        #expect(
            try await harness.send("POST", path, form: [("AssignmentStatus", "completed"), ("Reason", "done")]).status
                == 200)
        let read = try await harness.send("GET", path)
        #expect(read.status == 200, "\(String(decoding: read.body, as: UTF8.self))")
        try await Task.sleep(nanoseconds: 6_000_000_000)
        let gone = try await harness.send("POST", path, form: [("Attributes", "{}")])
        #expect(gone.status == 404)
        #expect(gone.json["code"] as? Int == 20404)
    }

    @Test func rateLimitAnswers429BeyondTheConfiguredRate() async throws {
        var options = EmulatorOptions()
        options.requestsPerSecond = 5
        options.sendRetryAfter = true
        let harness = try await EmulatorHarness.start(workers: Self.workers(1), options: options)
        defer { Task { await harness.stop() } }
        // Ask faster than 5/s until refused (a loaded machine may space the first requests out).
        var statuses: [Int] = []
        var retryAfter: String?
        while !statuses.contains(429) && statuses.count < 100 {
            let reply = try await harness.send("GET", harness.workspacePath + "/Workers")
            statuses.append(reply.status)
            if reply.status == 429 {
                retryAfter = reply.header("Retry-After")
                #expect(reply.json["code"] as? Int == 20429)
            } else {
                #expect(reply.header("X-Rate-Limit-Limit") == "5")
            }
        }
        #expect(statuses.count >= 6 && statuses.dropLast().allSatisfy { $0 == 200 } && statuses.last == 429)
        #expect(retryAfter == "1")
        // The log shows no more than 5 accepted requests in any one-second window.
        let accepted = harness.emulator.requestLog().filter { $0.status == 200 }.map(\.time)
        for (index, time) in accepted.enumerated() {
            #expect(accepted[index...].prefix { $0 < time + 1 }.count <= 5)
        }
    }

    @Test func theSameRandomSeedGivesTheSameFaults() async throws {
        func faults(seed: UInt64) async throws -> [Int] {
            var options = EmulatorOptions()
            options.failRate = 0.3
            options.randomSeed = seed
            let harness = try await EmulatorHarness.start(workers: Self.workers(3), options: options)
            defer { Task { await harness.stop() } }
            var statuses: [Int] = []
            for _ in 0..<30 {
                statuses.append(try await harness.send("GET", harness.workspacePath + "/Workers").status)
            }
            return statuses
        }
        let first = try await faults(seed: 7)
        #expect(first.contains(200) && first.contains { $0 >= 500 })
        #expect(try await faults(seed: 7) == first)
        #expect(try await faults(seed: 8) != first)
    }

    @Test func failedPostsAreSometimesAppliedAndResetsDropTheConnection() async throws {
        var options = EmulatorOptions()
        options.failRate = 0.5
        options.resetRate = 0.3
        options.randomSeed = 3
        let harness = try await EmulatorHarness.start(workers: Self.workers(1), options: options)
        defer { Task { await harness.stop() } }
        let path = harness.workspacePath + "/Workers/\(harness.emulator.workerSids()[0])"
        var transportErrors = 0
        for attempt in 0..<30 {
            do {
                _ = try await harness.send("POST", path, form: [("Attributes", #"{"n":\#(attempt)}"#)])
            } catch {
                transportErrors += 1
            }
        }
        let log = harness.emulator.requestLog()
        #expect(transportErrors == log.filter { $0.status == 0 }.count)
        #expect(transportErrors > 0)
        #expect(log.contains { $0.status >= 500 && $0.applied })
        #expect(log.contains { $0.status >= 500 && !$0.applied })
    }
}
