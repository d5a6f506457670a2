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
    /// The workspace written to, as confirmed before the first write.
    public var workspace: ConfirmedWorkspace?

    public init() {}

    /// Whether targets were planned and none of them landed (every one gone or failed).
    public var landedNothing: Bool { planned > 0 && applied + unchanged + resumedDone + conflicts == 0 }

    public var requestsPerSecond: Double { duration > 0 ? Double(requests) / duration : 0 }

    public var line: String {
        "\(applied.grouped) applied, \(unchanged.grouped) unchanged, \(conflicts.grouped) conflicts, \(gone.grouped) gone, "
            + "\(failed.grouped) failed, \(retries.grouped) retries, \(throttled.grouped) 429s, "
            + String(format: "%.1f s, %.1f requests/s", duration, requestsPerSecond)
            + (resumedDone > 0 ? " (\(resumedDone.grouped) already done by an earlier run)" : "")
    }

    public var json: JSONValue {
        func n(_ value: Int) -> JSONValue { .number(JSONNumber(Double(value))) }
        return .object(JSONObject([
            ("planned", n(planned)), ("applied", n(applied)), ("unchanged", n(unchanged)), ("conflicts", n(conflicts)),
            ("gone", n(gone)), ("failed", n(failed)), ("resumed_done", n(resumedDone)), ("retries", n(retries)),
            ("throttled_429", n(throttled)), ("requests", n(requests)),
            ("duration_seconds", .number(JSONNumber(literal: String(format: "%.3f", duration)))),
            ("requests_per_second", .number(JSONNumber(literal: String(format: "%.3f", requestsPerSecond)))),
            ("failures", .array(failures.map { .string($0) })), ("conflict_details", .array(conflictDetails.map { .string($0) })),
            ("workspace", workspace.map { workspace in
                .object(JSONObject([("sid", .string(workspace.sid)), ("friendly_name", .string(workspace.friendlyName)),
                                    ("base_url", .string(workspace.baseURL))]))
            } ?? .null),
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

/// Applies a plan: one POST of the full desired document per target, with `If-Match`; on 412 a
/// re-fetch and re-merge (or a conflict when someone changed a managed key); writes whose answer
/// was lost are read back before anything is sent again. Paced, concurrent, journaled.
public final class Applier: @unchecked Sendable {
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

    public init(client: TaskRouterClient, plan: Plan, journal: Journal, logger: Logger, showValues: Bool = false, resume: Bool = true,
                shouldStop: @escaping @Sendable () -> Bool = { false }) {
        self.client = client; self.plan = plan; self.journal = journal; self.logger = logger; self.showValues = showValues
        self.resume = resume
        self.shouldStop = shouldStop
    }

    /// Where this run writes: outcomes are recorded against it, and only its own count on resume.
    var place: String { client.workspaceURL }

    public func run(progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }) throws -> ApplySummary {
        let started = Date()
        let previous = resume ? try Journal.progress(path: journal.path, place: place) : (finished: [:], inDoubt: [])
        try journal.append(.start, [("plan", .string(plan.id)), ("place", .string(place)),
                            ("targets", .number(JSONNumber(Double(plan.targets.count))))])
        summary.planned = plan.targets.count
        let pending = plan.targets.filter { target in
            if previous.finished[target.sid] != nil { summary.resumedDone += 1; return false }
            return true
        }
        // This run's traffic only: `apply JOB` plans on the same client first.
        let requestsBefore = client.stats["requests"]
        let retriesBefore = client.stats["retries"]
        let throttledBefore = client.stats["429s"]
        let total = pending.count
        let reporter = Thread {
            while !Thread.current.isCancelled {
                Thread.sleep(forTimeInterval: 1)
                let (count, elapsed) = self.lock.withLock { (self.done, Date().timeIntervalSince(started)) }
                progress(ApplyProgress(done: count, total: total, rate: elapsed > 0 ? Double(self.client.stats["requests"] - requestsBefore) / elapsed : 0, elapsed: elapsed))
            }
        }
        reporter.start()
        defer { reporter.cancel() }
        let inDoubt = previous.inDoubt
        _ = try ParallelRunner(count: client.concurrency).map(pending) { (target: Plan.Target, session: CurlSession) throws -> Void in
            if self.shouldStop() { return }
            try self.process(target, inDoubt: inDoubt.contains(target.sid), session: session)
        }
        summary.duration = Date().timeIntervalSince(started)
        summary.requests = client.stats["requests"] - requestsBefore
        summary.retries = client.stats["retries"] - retriesBefore
        summary.throttled = client.stats["429s"] - throttledBefore
        try journal.append(.finish, [("summary", summary.json)])
        return summary
    }

    private func process(_ target: Plan.Target, inDoubt: Bool, session: CurlSession) throws {
        let (result, detail) = apply(target, inDoubt: inDoubt, session: session)
        var fields: [(String, JSONValue)] = [("sid", .string(target.sid)), ("result", .string(result.rawValue)), ("place", .string(place)),
                                             ("detail", detail.map { .string($0) } ?? .null)]
        // What the target's managed keys now hold, for the last-applied store: only when they hold it.
        if result == .applied || result == .unchanged, let planned = try? JSONValue.parse(target.before).objectValue {
            fields.append(("after", .object(Self.image(of: target.edit.keys, in: Merge.apply(target.edit, to: planned)))))
        }
        try journal.append(.outcome, fields)
        lock.withLock {
            done += 1
            summary.results[target.sid] = result
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

    /// Reads a target back: its live document and ETag, or nil when it is gone.
    private func readBack(_ sid: String, session: CurlSession) throws -> (JSONObject, String?)? {
        do {
            let (response, body) = try client.get(url(sid), session: session)
            guard let text = body["attributes"]?.stringValue, let document = try? JSONValue.parse(text).objectValue else {
                throw TaskRouterError.badResponse(method: "GET", path: sid, reason: "attributes are not a JSON object")
            }
            return (document, response.header("ETag"))
        } catch let error as TaskRouterError where error.status == 404 {
            return nil
        }
    }

    private func apply(_ target: Plan.Target, inDoubt: Bool, session: CurlSession) -> (Journal.Result, String?) {
        let keys = target.edit.keys
        guard let planned = try? JSONValue.parse(target.before).objectValue else { return (.failed, "the plan's before-image is not a JSON object") }
        let plannedImage = Self.image(of: keys, in: planned)
        let desiredImage = Self.image(of: keys, in: Merge.apply(target.edit, to: planned))
        var document = target.desired
        var etag = target.etag
        var attempt = 0
        var mustReadBack = inDoubt || etag == nil

        do {
            while true {
                if mustReadBack {
                    // The state is unknown (a lost answer, an earlier crash, or no ETag in the plan): look before writing.
                    guard let (live, liveTag) = try readBack(target.sid, session: session) else { return notFound("read-back") }
                    let liveImage = Self.image(of: keys, in: live)
                    if liveImage == desiredImage { return (attempt > 0 || inDoubt ? .applied : .unchanged, attempt > 0 || inDoubt ? "confirmed by read-back" : "already as planned") }
                    if liveImage != plannedImage {
                        return (.conflict, Self.conflictDetail(keys: keys, planned: plannedImage, live: liveImage, showValues: showValues))
                    }
                    document = JSONValue.object(Merge.apply(target.edit, to: live)).minified
                    etag = liveTag
                    mustReadBack = false
                }
                attempt += 1
                try journal.append(.intent, [("sid", .string(target.sid)), ("attempt", .number(JSONNumber(Double(attempt)))),
                                    ("etag", etag.map { .string($0) } ?? .null), ("before", .object(plannedImage)), ("after", .object(desiredImage))])
                let response: HTTPResponse
                do {
                    response = try client.sendOnce("POST", url(target.sid), form: [("Attributes", document)], ifMatch: etag, session: session)
                } catch let error as TaskRouterError {
                    // No answer to a POST: it may or may not have been applied.
                    guard attempt <= client.retry.maxRetries else { return (.failed, "\(error.withAttempts(attempt))") }
                    client.stats.add("retries")
                    client.clock.sleep(client.retry.delay(attempt: attempt, retryAfter: nil, unit: Double.random(in: 0..<1)))
                    mustReadBack = true
                    continue
                }
                switch response.status {
                case 200, 201:
                    return (.applied, nil)
                case 412:
                    mustReadBack = true
                    guard attempt <= client.retry.maxRetries + 3 else { return (.failed, "the target kept changing (412 \(attempt) times)") }
                case 404:
                    return notFound("update")
                case 429, 500, 502, 503, 504:
                    guard attempt <= client.retry.maxRetries else {
                        return (.failed, "\(TaskRouterClient.apiError("POST", url(target.sid), response).withAttempts(attempt))")
                    }
                    client.stats.add("retries")
                    let retryAfter = response.status == 429 ? response.header("Retry-After").flatMap(Double.init) : nil
                    client.clock.sleep(client.retry.delay(attempt: attempt, retryAfter: retryAfter, unit: Double.random(in: 0..<1)))
                    // A 429 was not processed; a 5xx may have been.
                    mustReadBack = response.status != 429
                default:
                    return (.failed, "\(TaskRouterClient.apiError("POST", url(target.sid), response).withAttempts(attempt))")
                }
            }
        } catch {
            return (.failed, "\(error)")
        }
    }

    /// A 404: tasks are deleted by TaskRouter after completion (gone); a worker that is not
    /// there means the plan meets another workspace than it was made for (a failure).
    private func notFound(_ request: String) -> (Journal.Result, String?) {
        plan.job.target == .tasks ? (.gone, "404 on \(request)") : (.failed, "worker not found (404 on \(request)) in \(place)")
    }

    /// The keys changed since the plan, old → new; personal values masked unless `showValues`.
    static func conflictDetail(keys: [String], planned: JSONObject, live: JSONObject, showValues: Bool) -> String {
        let changed = keys.filter { planned[$0] != live[$0] }
        return "changed since the plan: " + changed.map { key in
            // Images hold JSON null for an absent key.
            let before = ValueRules.shown(planned[key].flatMap { $0 == .null ? nil : $0 }, key: key, showValues: showValues)
            let after = ValueRules.shown(live[key].flatMap { $0 == .null ? nil : $0 }, key: key, showValues: showValues)
            return "\(key) \(before) → \(after)"
        }.joined(separator: ", ")
    }
}
