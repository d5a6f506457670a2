import Foundation
import Logging
import Synchronization

/// What one watch cycle saw and did, for its log line and the metrics.
public struct WatchCycle: Sendable {
    public var number = 0
    public var seen = 0
    public var written = 0
    /// Handled before and unchanged since: no work, no request.
    public var unchanged = 0
    /// No record of the export matches them.
    public var unmatched = 0
    public var gone = 0
    public var failed = 0
    public var conflicts = 0
    /// Writes left for the next cycle by `watch_max_writes_per_cycle`.
    public var deferred = 0
    /// Targets not tried this cycle because TaskRouter refused their last writes (see ``Watcher``).
    public var heldBack = 0
    /// A safety gate stopped the cycle's writes (workers jobs).
    public var gated = false
    /// Why the cycle stopped short, when TaskRouter could not be reached or kept failing: the
    /// watcher tries again after the interval.
    public var failure: String?
    public var requests = 0
    public var seconds = 0.0
    /// Task creation to attributes written, per task written (seconds).
    public var latencies: [Double] = []

    /// `cycle 12: 310 tasks seen, 4 written, 301 unchanged, 5 unmatched, 0 gone, 0 failed, latency max 3.2 s`
    public func line(kind: String) -> String {
        if let failure {
            return "cycle \(number) failed after \(requests) requests, trying again after the interval: \(failure)"
        }
        var text =
            "cycle \(number): \(seen) \(kind)s seen, \(written) written, \(unchanged) unchanged, "
            + "\(unmatched) unmatched, \(gone) gone, \(failed) failed, \(conflicts) conflicts, \(requests) requests, "
            + String(format: "%.2f s", seconds)
        if deferred > 0 { text += ", \(deferred) deferred to the next cycle" }
        if heldBack > 0 { text += ", \(heldBack) held back after refused writes" }
        if let worst = latencies.max() { text += String(format: ", latency max %.1f s", worst) }
        return text
    }
}

/// Keeps live tasks (or workers) carrying what the export says: the export is read and indexed
/// once, and every interval the workspace is listed and each target whose managed keys differ is
/// written through the same merge, conditional write, pacing, retry and journal as `apply`.
/// Targets handled before and unchanged since cost nothing; the export is reloaded when its files
/// change, and the new index replaces the old only if it passes the job's gates.
///
/// Left unattended, it rides out what heals by itself: a cycle TaskRouter fails (unreachable,
/// 5xx or 429 past the retry policy) is logged and counted, and the next one runs after the
/// interval; a target whose write TaskRouter refused (a 4xx it gives again to the same request)
/// is held back for 1, 2, 4 and at most 8 cycles after each refusal in a row, unless its live
/// attributes or what the export wants for it change; other failures are tried the next cycle.
///
/// A watcher runs on one thread; other threads (a signal handler) stop it through ``stopSignal``.
public final class Watcher {
    let context: SyncContext
    /// The journal being written; replaced by a new one when it outgrows
    /// `policies.watch_journal_max_mb`.
    public internal(set) var journal: Journal
    let state: StateDirectory
    /// The tasks the last cycle listed: the on-disk store keeps only those (tasks jobs).
    var listedTasks: Set<String>?
    let interval: Double
    let metrics: WatchMetrics
    /// Gate overrides given on the command line (workers jobs).
    let overrides: PlanOverrides
    /// What another thread calls to stop the loop.
    public let stopSignal = StopSignal()
    /// Target SID → digest of the attributes text last handled (written, found equal or unmatched).
    private var handled: [String: String] = [:]
    /// Targets whose last writes TaskRouter refused, by SID.
    private var failing: [String: Failing] = [:]
    /// Cycles run by this watcher, over every call of ``run(cycles:each:)``: what holds count in.
    private var cyclesRun = 0
    /// The most cycles a refused target waits before it is tried again.
    static let maxHoldCycles = 8

    /// A target whose writes TaskRouter refused: what it was listed with and what the export
    /// wanted for it then, how many writes in a row were refused, and the first cycle that may
    /// try it again.
    struct Failing {
        var listed: String
        var desired: String
        var failures: Int
        var retryCycle: Int
    }
    private var export: LoadedExport
    /// What flexsync last wrote or saw per target and key: key policies and drift hold in watch
    /// as in plan. Kept in memory and updated after every cycle (the journal has it all too).
    private var store: LastApplied
    /// The journal's name, which is the run id the store records.
    var session: String

    /// The export as validated and indexed, and what its files looked like.
    struct LoadedExport {
        var validation: ValidationOutcome
        var index: CustomerIndex?
        var digest: String
        var stamp: [String]
    }

    /// Reads and validates the export once; a first export that fails the job's gates is an error.
    public init(
        context: SyncContext, journal: Journal, interval: Double, metricsFile: String?,
        overrides: PlanOverrides = PlanOverrides()
    ) throws {
        self.context = context
        self.overrides = overrides
        let state = try StateDirectory(path: context.job.policies.stateDirectory)
        self.state = state
        store = try context.lastApplied(state, overrides: overrides, live: [])
        session = Self.session(of: journal)
        self.journal = journal
        self.interval = interval
        metrics = WatchMetrics(job: context.job.name, file: metricsFile)
        export = try Self.load(context.job)
    }

    /// Asks the loop to stop after the cycle in flight (its writes finish, the journal is flushed).
    public func stop() { stopSignal.stop() }

    var isStopping: Bool { stopSignal.isStopping }

    /// Runs cycles until ``stop()`` (or `cycles` of them); returns the number of cycles run.
    @discardableResult
    public func run(cycles limit: Int? = nil, each: (WatchCycle) -> Void = { _ in }) throws -> Int {
        var number = 0
        while !isStopping {
            number += 1
            cyclesRun += 1
            let started = Date()
            reloadIfChanged()
            var cycle = WatchCycle()
            cycle.number = cyclesRun
            do {
                try runCycle(&cycle)
            } catch let error where Self.canHeal(error) {
                cycle.failure = "\(error)"
            }
            cycle.seconds = Date().timeIntervalSince(started)
            metrics.record(cycle)
            each(cycle)
            if cycle.failure == nil { try rotateJournalIfLarge() }
            if let limit, number >= limit { break }
            let rest = interval - Date().timeIntervalSince(started)
            if rest > 0 { _ = stopSignal.wake.wait(timeout: .now() + rest) }
        }
        return number
    }

    // MARK: The export

    static func load(_ job: Job) throws -> LoadedExport {
        let stamp = try stamp(job)
        let digest = try job.inputDigest()
        let validation = try DatasetValidator(job: job, keepRecords: true).run()
        if let reason = validation.nothingSelected ?? validation.invalidShareReason {
            throw WatchError.exportRefused(reason)
        }
        let index = job.mapping.target == .tasks ? CustomerIndex(store: validation.store) : nil
        return LoadedExport(validation: validation, index: index, digest: digest, stamp: stamp)
    }

    /// Each source file's path, size and modification time: compared every cycle, cheaply.
    static func stamp(_ job: Job) throws -> [String] {
        try ([job.path, job.mapping.path] + job.mapping.lookupFiles + job.source.files()).map { path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let size = attributes?[.size] as? Int ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(path)|\(size)|\(modified)"
        }
    }

    private func reloadIfChanged() {
        let job = context.job
        guard let stamp = try? Self.stamp(job), stamp != export.stamp else { return }
        do {
            let digest = try job.inputDigest()
            if digest == export.digest {
                export.stamp = stamp
                return
            }
            let fresh = try Self.load(job)
            // The shrunk-export gate, against the export serving now.
            let floor = Double(export.validation.rowsRead) * job.policies.minRowsShareOfLastRun
            if Double(fresh.validation.rowsRead) < floor {
                let share = DatasetValidator.percent(job.policies.minRowsShareOfLastRun)
                throw WatchError.exportRefused(
                    "\(fresh.validation.rowsRead) rows, fewer than \(share) of the "
                        + "\(export.validation.rowsRead) the serving export has (shrunk-export)")
            }
            export = fresh
            handled = [:]  // every target is measured against the new export
            metrics.reloads += 1
            context.logger.notice(
                "export reloaded",
                metadata: [
                    "rows": "\(fresh.validation.rowsRead)",
                    "valid": "\(fresh.validation.valid)"
                ])
        } catch {
            // The old index keeps serving; the same files are not tried again until they change.
            export.stamp = stamp
            metrics.reloadFailures += 1
            context.logger.error(
                "export not reloaded, the previous one keeps serving",
                metadata: ["reason": "\(error)"])
        }
    }

    // MARK: A cycle

    /// Whether a failed cycle may succeed later by itself: TaskRouter unreachable, or answering
    /// 5xx or 429 past the retry policy. Anything else (credentials refused, a workspace not
    /// found, the journal unwritable) ends the watch.
    static func canHeal(_ error: Error) -> Bool {
        switch error as? TaskRouterError {
        case .transport?: return true
        case .api(_, _, let status, _, _, _, _)?: return RetryPolicy.retryableStatuses.contains(status)
        default: return false
        }
    }

    private func runCycle(_ cycle: inout WatchCycle) throws {
        let client = context.client
        // The cycle's reads; its writes are counted by the applier's own run.
        let traffic = TrafficStats()
        defer { cycle.requests += traffic.requests }
        let session = try CurlSession()
        let planner = Planner(
            job: context.job, digest: export.digest, overrides: overrides, lastRunRows: nil,
            lastApplied: store)
        var plan: Plan
        var texts: [String: (text: String?, created: String?)] = [:]
        var listed = Set<String>()
        switch context.job.mapping.target {
        case .tasks:
            let tasks = try client.listAllTasks(traffic: traffic, session: session)
            cycle.seen = tasks.count
            var pending: [LiveTask] = []
            for task in tasks {
                listed.insert(task.sid)
                if handled[task.sid] == Self.digest(task.attributesText) {
                    cycle.unchanged += 1
                } else {
                    pending.append(task)
                    texts[task.sid] = (task.attributesText, task.dateCreated)
                }
            }
            plan = planner.planTasks(export.validation, live: pending, index: export.index)
            // Tasks arrive all day: each one is a change by design, so only the export's own
            // gates (checked when it was loaded) hold here.
            plan.gates = []
        case .workers:
            let workers = try client.listWorkers(traffic: traffic, session: session)
            cycle.seen = workers.count
            for worker in workers {
                listed.insert(worker.sid)
                texts[worker.sid] = (worker.attributesText, nil)
            }
            plan = planner.planWorkers(export.validation, live: workers)
            if !plan.trippedGates.isEmpty {
                context.logger.error("\(ApplyRefusal.gatesTripped(plan.trippedGates))")
                metrics.gatesTripped += 1
                cycle.gated = true
                return
            }
        }
        let planned = Set(plan.targets.map(\.sid))
        let untouched = Set(plan.untouched)
        for (sid, entry) in texts where !planned.contains(sid) {
            if context.job.mapping.target == .tasks && untouched.contains(sid) { cycle.unmatched += 1 }
            // Equal, unmatched, quarantined or kept by a key's policy: nothing to do until it changes.
            handled[sid] = Self.digest(entry.text)
        }
        // Targets whose writes failed wait their turn, unless something about them changed.
        plan.targets.removeAll { target in
            guard let entry = failing[target.sid], cycle.number < entry.retryCycle,
                entry.listed == Self.digest(texts[target.sid]?.text), entry.desired == Self.digest(target.desired)
            else { return false }
            cycle.heldBack += 1
            return true
        }
        let now = ISO8601DateFormatter().string(from: Date())
        for (sid, image) in plan.seen {
            for (key, value) in image { store.record(sid, key, value, run: self.session, at: now) }
        }
        if context.job.mapping.target == .workers { cycle.unchanged = plan.unchanged }
        let ceiling = context.job.policies.watchMaxWritesPerCycle
        cycle.deferred = max(0, plan.targets.count - ceiling)
        plan.targets = Array(plan.targets.prefix(ceiling))
        if !plan.targets.isEmpty {
            let applier = Applier(
                client: client, plan: plan, journal: journal, logger: context.logger, resume: false,
                shouldStop: { [stopSignal] in stopSignal.isStopping })
            let summary = try applier.run()
            cycle.requests += summary.requests
            let finished = Date()
            for target in plan.targets {
                let result = summary.results[target.sid]
                if result == .applied || result == .unchanged {
                    handled[target.sid] = Self.digest(target.desired)
                    if let planned = try? JSONValue.parse(target.before).objectValue {
                        let image = Applier.image(of: target.edit.keys, in: Merge.apply(target.edit, to: planned))
                        for (key, value) in image { store.record(target.sid, key, value, run: self.session, at: now) }
                    }
                }
                if result == .failed && summary.refused.contains(target.sid) {
                    let failures = (failing[target.sid]?.failures ?? 0) + 1
                    let hold = min(1 << min(failures - 1, 8), Self.maxHoldCycles)
                    failing[target.sid] = Failing(
                        listed: Self.digest(texts[target.sid]?.text), desired: Self.digest(target.desired),
                        failures: failures, retryCycle: cycle.number + hold + 1)
                } else if result != nil {
                    failing[target.sid] = nil
                }
                switch result {
                case .applied?:
                    cycle.written += 1
                    if let created = texts[target.sid]?.created.flatMap(Self.parseDate) {
                        cycle.latencies.append(finished.timeIntervalSince(created))
                    }
                case .unchanged?: cycle.unchanged += 1
                case .gone?:
                    cycle.gone += 1
                    handled[target.sid] = nil
                case .conflict?: cycle.conflicts += 1
                case .failed?: cycle.failed += 1
                case nil: cycle.deferred += 1  // stopping: not started, left for the next run
                }
            }
        }
        // Forget targets TaskRouter no longer lists (completed tasks are deleted after a while).
        if handled.count > listed.count { handled = handled.filter { listed.contains($0.key) } }
        if !failing.isEmpty { failing = failing.filter { listed.contains($0.key) } }
        // Deleted tasks never come back: their last-applied values go with them.
        if context.job.mapping.target == .tasks {
            store.retain(listed)
            listedTasks = listed
        }
    }

    static func digest(_ text: String?) -> String {
        var hash = SHA256()
        hash.update(Array((text ?? "").utf8))
        return hash.finalizeHex()
    }

    static func parseDate(_ text: String) -> Date? {
        ISO8601DateFormatter().date(from: text)
    }
}

/// Why `watch` did not start.
public enum WatchError: Error, CustomStringConvertible {
    case exportRefused(String)

    public var description: String {
        switch self {
        case .exportRefused(let reason): "the export does not pass the job's gates: \(reason)"
        }
    }
}

/// Stops a ``Watcher`` from any thread: the loop sees it between writes and wakes from its wait.
public final class StopSignal: Sendable {
    private let stopping = Mutex(false)
    fileprivate let wake = DispatchSemaphore(value: 0)

    public func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
    }

    public var isStopping: Bool { stopping.withLock { $0 } }
}
