import Foundation
import Logging
import TaskRouterEmulator
import Testing

@testable import FlexSync

/// `apply` against the emulator over HTTP.
struct ApplyTests {
    static func workers(_ count: Int) -> [EmulatorSeed.Worker] {
        (0..<count).map { index in
            .init(
                sid: "WK" + String(format: "%032x", index + 1), friendlyName: "agent\(index)",
                attributes:
                    #"{"agent_id":"\#(index)","team_id":"T0","contact_uri":"client:agent\#(index)","routing":{"skills":["s\#(index % 3)"],"levels":{"s":1.50}},"roles":["agent"]}"#
            )
        }
    }

    static func csv(_ count: Int, team: String = "T1") -> String {
        "id,email,team_id,team,score\n"
            + (0..<count).map { "\($0),agent\($0)@example.com,\(team),Team \(team),\($0 % 5)" }.joined(separator: "\n")
            + "\n"
    }

    static func apply(_ plan: Plan, _ context: SyncContext, journal: String) throws -> ApplySummary {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try Applier(client: context.client, plan: plan, journal: try Journal(path: journal), logger: logger)
            .run()
    }

    /// The live state matches the plan exactly: managed keys as desired, every other key as it was.
    static func checkFinalState(_ fixture: SyncFixture, _ plan: Plan) throws {
        for target in plan.targets {
            let live = try fixture.attributes(target.sid)
            let before = try JSONValue.parse(target.before).objectValue!
            let desired = try JSONValue.parse(target.desired).objectValue!
            for key in target.edit.keys {
                #expect(Merge.value(at: key, in: live) == Merge.value(at: key, in: desired), "\(target.sid) \(key)")
            }
            for (key, value) in before where !target.edit.keys.contains(key) {
                #expect(live[key]?.minified == value.minified, "\(target.sid) unmanaged '\(key)' changed")
            }
        }
    }

    @Test func appliesThePlanAndNothingIsLeftToDo() async throws {
        let fixture = try await SyncFixture.start(workers: Self.workers(30))
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv(30), mapping: SyncFixture.workerMapping)
        let context = try fixture.context(job)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        #expect(plan.targets.count == 30)
        let journal = fixture.directory.appendingPathComponent("j.jsonl").path
        let summary = try await offload { try Self.apply(plan, context, journal: journal) }
        #expect(summary.applied == 30 && summary.failed == 0 && summary.conflicts == 0)
        try Self.checkFinalState(fixture, plan)
        // The levels literal 1.50 survived untouched.
        #expect(fixture.emulator.workerAttributes(plan.targets[0].sid)?.contains(#""levels":{"s":1.50}"#) == true)
        let (again, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(again.targets.isEmpty && again.unchanged == 30)
        // Every applied write happened exactly once.
        let posts = fixture.emulator.requestLog().filter { $0.method == "POST" && $0.applied }
        #expect(posts.count == 30 && Set(posts.map(\.path)).count == 30)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func survives5xxResetsAnd429s(seed: UInt64) async throws {
        var options = EmulatorOptions()
        options.failRate = 0.2
        options.resetRate = 0.05
        options.randomSeed = seed
        options.requestsPerSecond = 60
        let fixture = try await SyncFixture.start(workers: Self.workers(60), options: options)
        defer { Task { await fixture.stop() } }
        // The client asks for more than the emulator allows, so some requests meet 429s.
        let job = try fixture.job(
            csv: Self.csv(60), mapping: SyncFixture.workerMapping,
            policies:
                "{ max_changed_share: 1, requests_per_second: 80, max_requests_per_second: 80, max_retries: 12, concurrency: 6 }"
        )
        let context = try fixture.context(job)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        let journal = fixture.directory.appendingPathComponent("j.jsonl").path
        let summary = try await offload { try Self.apply(plan, context, journal: journal) }
        #expect(summary.failed == 0 && summary.conflicts == 0, "\(summary.failures)")
        #expect(summary.applied + summary.unchanged == 60)
        try Self.checkFinalState(fixture, plan)
        let log = fixture.emulator.requestLog()
        #expect(log.contains { $0.status >= 500 && $0.applied }, "the seed should produce a 5xx after applying")
        #expect(log.contains { $0.status == 0 })
        #expect(summary.retries > 0)
    }

    /// Really sleeps, and keeps every wait asked of it.
    final class RecordedTime: TimeSource, @unchecked Sendable {
        // Sendable: `waits` is guarded by `lock`.
        private let lock = NSLock()
        private var waits: [Double] = []
        func now() -> Double { SystemTime().now() }
        func sleep(_ seconds: Double) {
            lock.withLock { waits.append(seconds) }
            SystemTime().sleep(seconds)
        }
        var recorded: [Double] { lock.withLock { waits } }
    }

    /// Planning and applying on one client, against a workspace that answers 429 with Retry-After:
    /// apply's summary counts its own requests and 429s (the emulator's log since planning ended),
    /// and every 429 is waited out as long as Retry-After says.
    @Test func theSummaryCountsOnlyItsOwnTrafficAndRetryAfterIsHonoured() async throws {
        var options = EmulatorOptions()
        options.requestsPerSecond = 2  // planning's burst of requests meets 429s even on a loaded machine
        options.sendRetryAfter = true
        options.nullListAttributes = true  // planning reads every worker too, and meets 429s of its own
        let fixture = try await SyncFixture.start(workers: Self.workers(6), options: options)
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(
            csv: Self.csv(6), mapping: SyncFixture.workerMapping,
            policies: "{ max_changed_share: 1, requests_per_second: 40, "
                + "max_requests_per_second: 40 }")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let clock = RecordedTime()
        let context = try SyncContext(job: job, environment: fixture.environment, clock: clock, logger: logger)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        let planning = fixture.emulator.requestLog().count
        let journal = fixture.directory.appendingPathComponent("j.jsonl").path
        let summary = try await offload { try Self.apply(plan, context, journal: journal) }
        #expect(summary.applied == 6 && summary.failed == 0, "\(summary.failures)")
        let applying = fixture.emulator.requestLog().dropFirst(planning)
        #expect(summary.requests == applying.count)
        #expect(summary.throttled == applying.filter { $0.status == 429 }.count)
        #expect(summary.retries == summary.throttled)  // no other failure was injected
        #expect(fixture.emulator.requestLog().prefix(planning).contains { $0.status == 429 }, "planning met no 429")
        #expect(summary.throttled > 0, "apply met no 429: the test proves nothing")
        // Every 429 (planning's too) was waited out as long as its Retry-After said: whole seconds,
        // at least 1, which neither a backoff draw nor the limiter's waits ever are.
        let throttled = fixture.emulator.requestLog().filter { $0.status == 429 }.count
        #expect(clock.recorded.filter { $0 >= 1 && $0 == $0.rounded() }.count >= throttled)
    }

    @Test(arguments: [false, true])
    func concurrentEditsAreReMergedOrConflict(listsOmitAttributes: Bool) async throws {
        var options = EmulatorOptions()
        options.nullListAttributes = listsOmitAttributes  // then the plan holds ETags and apply meets 412s
        let fixture = try await SyncFixture.start(workers: Self.workers(3), options: options)
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv(3), mapping: SyncFixture.workerMapping)
        let context = try fixture.context(job)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        #expect(plan.targets.allSatisfy { ($0.etag != nil) == listsOmitAttributes })
        // Between plan and apply: someone edits an unmanaged key of agent0 and a managed key of agent1.
        let sids = plan.targets.map(\.sid)
        try await offload {
            let edited = #"{"agent_id":"0","team_id":"T0","contact_uri":"client:new","roles":["agent","supervisor"]}"#
            try fixture.post(context.client.workerURL(sids[0]), form: [("Attributes", edited)])
            try fixture.post(
                context.client.workerURL(sids[1]),
                form: [("Attributes", #"{"agent_id":"1","team_id":"T9","contact_uri":"client:agent1"}"#)])
        }
        let summary = try await offload {
            try Self.apply(plan, context, journal: fixture.directory.appendingPathComponent("j.jsonl").path)
        }
        #expect(summary.applied == 2 && summary.conflicts == 1)
        #expect(summary.conflictDetails.first?.contains(#"changed since the plan: team_id "T0" → "T9""#) == true)
        let first = try fixture.attributes(sids[0])
        #expect(first["contact_uri"] == .string("client:new"))
        #expect(first["roles"] == .array([.string("agent"), .string("supervisor")]))
        #expect(first["team_id"] == .string("T1"))
        #expect(try fixture.attributes(sids[1])["team_id"] == .string("T9"))
        if listsOmitAttributes {
            #expect(fixture.emulator.requestLog().contains { $0.status == 412 })
        }
    }

    @Test func tasksCompletedSincePlanningAreGone() async throws {
        var options = EmulatorOptions()
        options.taskTTLSeconds = 0.05
        let tasks: [EmulatorSeed.Task] = [
            .init(
                sid: "WT" + String(repeating: "7", count: 32), assignmentStatus: "assigned",
                attributes: #"{"customers":{"external_id":"C-1"}}"#)
        ]
        let fixture = try await SyncFixture.start(tasks: tasks, options: options)
        defer { Task { await fixture.stop() } }
        let mapping =
            "target: tasks\nkey: { match: [customers.external_id] }\nattributes:\n  customers.external_id: id\n  customers.name: name\n"
        let job = try fixture.job(csv: "id,name\nC-1,Ana\n", mapping: mapping)
        let context = try fixture.context(job)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        #expect(plan.targets.count == 1)
        try await offload {
            try fixture.post(
                context.client.taskURL(tasks[0].sid!),
                form: [("AssignmentStatus", "completed"), ("Reason", "done")])
            Thread.sleep(forTimeInterval: 0.1)
        }
        let summary = try await offload {
            try Self.apply(plan, context, journal: fixture.directory.appendingPathComponent("j.jsonl").path)
        }
        #expect(summary.gone == 1 && summary.failed == 0)
    }

    @Test func aResumedRunSkipsDoneWorkAndReadsBackWhatWasInDoubt() async throws {
        let fixture = try await SyncFixture.start(workers: Self.workers(3))
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv(3), mapping: SyncFixture.workerMapping)
        let context = try fixture.context(job)
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        let sids = plan.targets.map(\.sid)
        // An earlier run finished target 0, and wrote target 1 but died before recording the answer.
        try await offload {
            for index in 0...1 {
                try fixture.post(
                    context.client.workerURL(sids[index]),
                    form: [("Attributes", plan.targets[index].desired)])
            }
        }
        let journalPath = fixture.directory.appendingPathComponent("j.jsonl").path
        let journal = try Journal(path: journalPath)
        try journal.append(.intent, [("sid", .string(sids[0]))])
        try journal.append(
            .outcome,
            [
                ("sid", .string(sids[0])), ("result", .string("applied")),
                ("place", .string(context.client.workspaceURL))
            ])
        try journal.append(.intent, [("sid", .string(sids[1]))])
        let postsBefore = fixture.emulator.requestLog().filter { $0.method == "POST" }.count
        let summary = try await offload { try Self.apply(plan, context, journal: journalPath) }
        #expect(summary.resumedDone == 1)
        #expect(summary.applied == 2)  // target 1 confirmed by read-back, target 2 written
        let posts = fixture.emulator.requestLog().filter { $0.method == "POST" }.dropFirst(postsBefore)
        #expect(posts.map(\.path) == ["/v1/Workspaces/\(SyncFixture.workspace)/Workers/\(sids[2])"])
        try Self.checkFinalState(fixture, plan)
    }

    @Test func rollbackRestoresTheBeforeImages() async throws {
        let fixture = try await SyncFixture.start(workers: Self.workers(4))
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv(4), mapping: SyncFixture.workerMapping)
        let context = try fixture.context(job)
        let original = Dictionary(
            uniqueKeysWithValues: fixture.emulator.workerSids().map { ($0, try! fixture.attributes($0)) })
        let (plan, _) = try await offload { try context.makePlan(overrides: PlanOverrides()) }
        let journalPath = fixture.directory.appendingPathComponent("j.jsonl").path
        let journal = try Journal(path: journalPath)
        try journal.append(.begin, [("job_path", .string(job.path)), ("profile", .null)])
        _ = try await offload { try Self.apply(plan, context, journal: journalPath) }
        // One worker is edited after the run: its rollback is skipped.
        let edited = plan.targets[3].sid
        try await offload {
            _ = try fixture.post(
                context.client.workerURL(edited),
                form: [("Attributes", #"{"agent_id":"3","team_id":"T5"}"#)])
        }
        let builder = RollbackBuilder(journalPath: journalPath)
        #expect(try builder.origin().jobPath == job.path)
        let outcome = try await offload { try builder.plan(context: context) }
        let rollback = outcome.plan
        #expect(rollback.targets.count == 3)
        #expect(
            outcome.conflicts == [
                #"\#(edited): changed since the run: email *** → (none), team_id "T1" → "T5", team_name "Team T1" → (none), agent_attribute_1 "3" → (none): not rolled back"#
            ])
        let summary = try await offload {
            try Self.apply(rollback, context, journal: fixture.directory.appendingPathComponent("r.jsonl").path)
        }
        #expect(summary.applied == 3)
        for target in plan.targets.prefix(3) {
            #expect(try fixture.attributes(target.sid) == original[target.sid])
        }
    }
}

/// The limiter, with a clock that does not sleep (the backoff is in `RetryPolicyTests`).
struct PacingTests {
    final class FakeTime: TimeSource, @unchecked Sendable {
        private let lock = NSLock()
        private var current = 1000.0
        func now() -> Double { lock.withLock { current } }
        func sleep(_ seconds: Double) { lock.withLock { current += max(seconds, 0) } }
    }

    @Test func grantsAreSpacedAndNoSecondHoldsMoreThanTheRate() {
        let clock = FakeTime()
        let limiter = RateLimiter(rate: 10, ceiling: 50, clock: clock)
        var grants: [Double] = []
        for _ in 0..<50 {
            limiter.acquire()
            grants.append(clock.now())
        }
        for (index, time) in grants.enumerated() {
            #expect(grants[index...].prefix { $0 < time + 1.0 }.count <= 10)
        }
        // The window is 1.04 s to absorb arrival jitter, so the achieved rate is a little under 10/s.
        #expect(Double(grants.count - 1) / (grants.last! - grants.first!) >= 0.95 * 10)
    }

    @Test func noRemainingBudgetWaitsOneIntervalNotASecond() {
        let clock = FakeTime()
        let limiter = RateLimiter(rate: 50, ceiling: 50, clock: clock)
        limiter.acquire()
        limiter.didSucceed(remaining: 0)
        let before = clock.now()
        limiter.acquire()
        #expect(clock.now() - before <= 0.021)
        #expect(clock.now() - before >= 0.019)
    }

    @Test func reserveAndCeilingCapTheRate() {
        #expect(RateLimiter(rate: 100, ceiling: 50, reserveShare: 0.2, clock: FakeTime()).target == 40)
    }

    @Test func throttlingSlowsDownPausesAndRecovers() {
        let clock = FakeTime()
        let limiter = RateLimiter(rate: 20, ceiling: 20, clock: clock)
        limiter.acquire()
        limiter.didThrottle(retryAfter: 3)
        #expect(limiter.currentRate == 15)
        let before = clock.now()
        limiter.acquire()
        #expect(clock.now() - before >= 3)
        limiter.didThrottle(retryAfter: nil)
        #expect(limiter.currentRate == 11.25)
        for _ in 0..<10 { limiter.didSucceed(remaining: nil) }
        #expect(limiter.currentRate == 13.25)
        for _ in 0..<200 { limiter.didSucceed(remaining: nil) }
        #expect(limiter.currentRate == 20)
    }
}
