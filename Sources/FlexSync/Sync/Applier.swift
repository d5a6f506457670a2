import Foundation
import Logging

/// What an apply did, for the summary line, `--summary-json` and the exit code.
public struct ApplySummary: Sendable {
    public var planned = 0
    public var applied = 0
    public var unchanged = 0
    public var conflicts = 0
    public var gone = 0
    public var failed = 0
    /// Targets an earlier run of the same plan had finished.
    public var resumedDone = 0
    public var retries = 0
    public var throttled = 0
    public var requests = 0
    public var duration = 0.0
    public var failures: [String] = []
    public var conflictDetails: [String] = []
    /// How each target ended, by SID.
    public var results: [String: Journal.Result] = [:]
    /// Failed targets whose write TaskRouter refused with a 4xx it will give again (see
    /// ``WriteOutcome/refused(_:)``): `watch` holds those back instead of sending them every cycle.
    public var refused: Set<String> = []
    /// The workspace written to, as confirmed before the first write.
    public var workspace: ConfirmedWorkspace?

    public init() {}

    /// Whether targets were planned and none of them landed (every one gone or failed).
    public var landedNothing: Bool { planned > 0 && applied + unchanged + resumedDone + conflicts == 0 }

    public var requestsPerSecond: Double { duration > 0 ? Double(requests) / duration : 0 }

    public var line: String {
        "\(applied.grouped) applied, \(unchanged.grouped) unchanged, \(conflicts.grouped) conflicts, "
            + "\(gone.grouped) gone, "
            + "\(failed.grouped) failed, \(retries.grouped) retries, \(throttled.grouped) 429s, "
            + String(format: "%.1f s, %.1f requests/s", duration, requestsPerSecond)
            + (resumedDone > 0 ? " (\(resumedDone.grouped) already done by an earlier run)" : "")
    }

    public var json: JSONValue {
        func n(_ value: Int) -> JSONValue { .number(JSONNumber(Double(value))) }
        return .object(
            JSONObject([
                ("planned", n(planned)), ("applied", n(applied)), ("unchanged", n(unchanged)),
                ("conflicts", n(conflicts)),
                ("gone", n(gone)), ("failed", n(failed)), ("resumed_done", n(resumedDone)), ("retries", n(retries)),
                ("throttled_429", n(throttled)), ("requests", n(requests)),
                ("duration_seconds", .number(JSONNumber(literal: String(format: "%.3f", duration)))),
                ("requests_per_second", .number(JSONNumber(literal: String(format: "%.3f", requestsPerSecond)))),
                ("failures", .array(failures.map { .string($0) })),
                ("conflict_details", .array(conflictDetails.map { .string($0) })),
                (
                    "workspace",
                    workspace.map { workspace in
                        .object(
                            JSONObject([
                                ("sid", .string(workspace.sid)), ("friendly_name", .string(workspace.friendlyName)),
                                ("base_url", .string(workspace.baseURL))
                            ]))
                    } ?? .null
                )
            ]))
    }
}

/// Progress as it happens, for a progress bar or periodic log lines.
public struct ApplyProgress: Sendable {
    public var done: Int
    public var total: Int
    public var rate: Double
    public var elapsed: Double
}

/// Applies a plan: one conditional write of the full desired document per target, through the
/// client's retry policy; whenever the client reads a target back (a 412, a lost answer, no ETag in
/// the plan), the live document is re-merged, or the target is a conflict when someone changed a
/// managed key. Paced, concurrent, journaled.
public final class Applier: @unchecked Sendable {
    // Sendable: `summary` and `done` are guarded by `lock`; every other property is immutable.
    let client: TaskRouterClient
    let plan: Plan
    let journal: Journal
    let logger: Logger
    /// Whether conflict details may show personal values (`--show-values`).
    let showValues: Bool
    /// Whether targets an earlier run of the same journal finished are skipped (`apply`); `watch`
    /// plans from the live state every cycle and writes one journal for all of them.
    let resume: Bool
    /// Asked before each target is started: true leaves the rest undone (`watch` stopping).
    let shouldStop: @Sendable () -> Bool
    private let lock = NSLock()
    private var summary = ApplySummary()
    private var done = 0

    public init(
        client: TaskRouterClient, plan: Plan, journal: Journal, logger: Logger, showValues: Bool = false,
        resume: Bool = true, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) {
        self.client = client
        self.plan = plan
        self.journal = journal
        self.logger = logger
        self.showValues = showValues
        self.resume = resume
        self.shouldStop = shouldStop
    }

    /// Where this run writes: outcomes are recorded against it, and only its own count on resume.
    var place: String { client.workspaceURL }

    public func run(progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }) throws -> ApplySummary {
        let started = Date()
        let previous = resume ? try Journal.progress(path: journal.path, place: place) : (finished: [:], inDoubt: [])
        try journal.append(
            .start,
            [
                ("plan", .string(plan.id)), ("place", .string(place)),
                ("targets", .number(JSONNumber(Double(plan.targets.count))))
            ])
        let pending = plan.targets.filter { previous.finished[$0.sid] == nil }
        lock.withLock {
            summary.planned = plan.targets.count
            summary.resumedDone = plan.targets.count - pending.count
        }
        // This run's traffic only: `apply JOB` plans on the same client first.
        let traffic = TrafficStats()
        let total = pending.count
        let reporter = Thread {
            while !Thread.current.isCancelled {
                Thread.sleep(forTimeInterval: 1)
                let (count, elapsed) = self.lock.withLock { (self.done, Date().timeIntervalSince(started)) }
                let rate = elapsed > 0 ? Double(traffic.requests) / elapsed : 0
                progress(ApplyProgress(done: count, total: total, rate: rate, elapsed: elapsed))
            }
        }
        reporter.start()
        defer { reporter.cancel() }
        let inDoubt = previous.inDoubt
        _ = try ParallelRunner(count: client.concurrency).map(pending) { (target: Plan.Target, session: CurlSession) in
            if self.shouldStop() { return }
            try self.process(target, inDoubt: inDoubt.contains(target.sid), traffic: traffic, session: session)
        }
        let counts = traffic.snapshot
        let final = lock.withLock {
            summary.duration = Date().timeIntervalSince(started)
            summary.requests = counts.requests
            summary.retries = counts.retries
            summary.throttled = counts.throttled
            return summary
        }
        try journal.append(.finish, [("summary", final.json)])
        return final
    }

    private func process(_ target: Plan.Target, inDoubt: Bool, traffic: TrafficStats, session: CurlSession) throws {
        let (result, detail, refused) = apply(target, inDoubt: inDoubt, traffic: traffic, session: session)
        var fields: [(String, JSONValue)] = [
            ("sid", .string(target.sid)), ("result", .string(result.rawValue)),
            ("place", .string(place)), ("detail", detail.map { .string($0) } ?? .null)
        ]
        // What the target's managed keys now hold, for the last-applied store: only when they hold it.
        if result == .applied || result == .unchanged, let planned = try? JSONValue.parse(target.before).objectValue {
            let after = Self.image(of: target.edit.keys, in: Merge.apply(target.edit, to: planned))
            fields.append(("after", .object(after)))
        }
        try journal.append(.outcome, fields)
        lock.withLock {
            done += 1
            summary.results[target.sid] = result
            if refused { summary.refused.insert(target.sid) }
            switch result {
            case .applied: summary.applied += 1
            case .unchanged: summary.unchanged += 1
            case .conflict:
                summary.conflicts += 1
                summary.conflictDetails.append("\(target.sid) \(label(target)): \(detail ?? "")")
            case .gone: summary.gone += 1
            case .failed:
                summary.failed += 1
                summary.failures.append("\(target.sid) \(label(target)): \(detail ?? "")")
            }
        }
        if result == .failed || result == .conflict {
            logger.warning("\(result.rawValue)", metadata: ["sid": "\(target.sid)", "detail": "\(detail ?? "")"])
        }
    }

    /// A task's label is its customer's name: masked unless `showValues`, as in reports.
    private func label(_ target: Plan.Target) -> String {
        plan.job.target == .tasks && !showValues ? "customer ***" : target.label
    }

    private func url(_ sid: String) -> String {
        plan.job.target == .workers ? client.workerURL(sid) : client.taskURL(sid)
    }

    /// The managed keys' values in a document.
    static func image(of keys: [String], in document: JSONObject) -> JSONObject {
        var image = JSONObject()
        for key in keys { image[key] = Merge.value(at: key, in: document) ?? .null }
        return image
    }

    /// Asks the client for the target's conditional write, and says what the outcome means for
    /// the plan: the client owns every retry, read-back and wait; this owns the merge.
    private func apply(
        _ target: Plan.Target, inDoubt: Bool, traffic: TrafficStats,
        session: CurlSession
    ) -> (Journal.Result, String?, refused: Bool) {
        let keys = target.edit.keys
        guard let planned = try? JSONValue.parse(target.before).objectValue else {
            return (.failed, "the plan's before-image is not a JSON object", false)
        }
        let plannedImage = Self.image(of: keys, in: planned)
        let desiredImage = Self.image(of: keys, in: Merge.apply(target.edit, to: planned))
        let write = ConditionalWrite(
            url: url(target.sid), document: target.desired, etag: target.etag,
            inDoubt: inDoubt)
        let journal = journal
        let outcome = client.conditionalWrite(
            write, traffic: traffic, session: session,
            willSend: { attempt, etag in
                try journal.append(
                    .intent,
                    [
                        ("sid", .string(target.sid)),
                        ("attempt", .number(JSONNumber(Double(attempt)))),
                        ("etag", etag.map { .string($0) } ?? .null),
                        ("before", .object(plannedImage)), ("after", .object(desiredImage))
                    ])
            },
            rebase: { live in
                let liveImage = Self.image(of: keys, in: live.attributes)
                if liveImage == desiredImage { return .alreadyDone }
                // Someone changed a managed key since the plan: theirs stands.
                if liveImage != plannedImage { return .conflict }
                return .write(JSONValue.object(Merge.apply(target.edit, to: live.attributes)).minified)
            })
        switch outcome {
        case .applied(let write) where write.confirmedByReadBack:
            // Found as planned before anything was sent, unless an earlier run may have sent it.
            if write.attempts > 0 || inDoubt { return (.applied, "confirmed by read-back", false) }
            return (.unchanged, "already as planned", false)
        case .applied:
            return (.applied, nil, false)
        case .conflict(let live):
            let liveImage = Self.image(of: keys, in: live.attributes)
            let detail = Self.conflictDetail(keys: keys, planned: plannedImage, live: liveImage, showValues: showValues)
            return (.conflict, detail, false)
        case .gone(let phase):
            let (result, detail) = notFound(phase.rawValue)
            return (result, detail, false)
        case .failed(let reason):
            return (.failed, reason, false)
        case .refused(let reason):
            return (.failed, reason, true)
        }
    }

    /// A 404: tasks are deleted by TaskRouter after completion (gone); a worker that is not
    /// there means the plan meets another workspace than it was made for (a failure).
    private func notFound(_ request: String) -> (Journal.Result, String?) {
        if plan.job.target == .tasks { return (.gone, "404 on \(request)") }
        return (.failed, "worker not found (404 on \(request)) in \(place)")
    }

    /// The keys changed since the plan, old → new; personal values masked unless `showValues`.
    static func conflictDetail(keys: [String], planned: JSONObject, live: JSONObject, showValues: Bool) -> String {
        let changed = keys.filter { planned[$0] != live[$0] }
        return "changed since the plan: "
            + changed.map { key in
                // Images hold JSON null for an absent key.
                let before = ValueRules.shown(
                    planned[key].flatMap { $0 == .null ? nil : $0 }, key: key,
                    showValues: showValues)
                let after = ValueRules.shown(
                    live[key].flatMap { $0 == .null ? nil : $0 }, key: key, showValues: showValues)
                return "\(key) \(before) → \(after)"
            }.joined(separator: ", ")
    }
}
