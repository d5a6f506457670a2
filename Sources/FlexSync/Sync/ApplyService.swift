import Foundation

/// Why `apply` stopped before writing.
public enum ApplyStop: Error, CustomStringConvertible {
    /// The operator (or the lack of a terminal) said no.
    case declined
    /// Another run holds the job's lock.
    case locked(RunLock.Held)

    public var description: String {
        switch self {
        case .declined: "nothing written"
        case .locked(let held): "\(held)"
        }
    }
}

/// Applies a plan as one unit of work: confirms the workspace, asks the caller to confirm, takes
/// the run lock, journals, writes, brings the last-applied store up to date and records a
/// success. The command line only parses, renders the question and progress, and prints.
public struct ApplyService: Sendable {
    public let context: SyncContext
    public let showValues: Bool

    public init(context: SyncContext, showValues: Bool) {
        self.context = context
        self.showValues = showValues
    }

    /// What the caller shows and decides along the way.
    public struct Hooks {
        /// Asked once, with the question, before anything is written; false writes nothing.
        public var confirm: (String) -> Bool
        public var progress: @Sendable (ApplyProgress) -> Void

        public init(
            confirm: @escaping (String) -> Bool, progress: @escaping @Sendable (ApplyProgress) -> Void = { _ in }
        ) {
            self.confirm = confirm
            self.progress = progress
        }
    }

    /// The result of a run, and the journal it wrote (nil when nothing was to be applied).
    public struct Outcome: Sendable {
        public var summary: ApplySummary
        public var journal: String?
    }

    /// Applies `plan`. `skippedConflicts` are targets the caller left out because they changed
    /// since (rollback): they count as conflicts in the summary and so in the exit code.
    public func run(_ plan: Plan, skippedConflicts: [String] = [], hooks: Hooks) throws -> Outcome {
        let job = context.job
        let place = context.client.workspaceURL
        let state = try StateDirectory(path: job.policies.stateDirectory)
        guard !plan.targets.isEmpty else {
            if plan.rowsRead > 0 { try? state.recordSuccess(rowsRead: plan.rowsRead, planID: plan.id) }
            if !plan.seen.isEmpty {
                // What the plan saw equal becomes the baseline drift is measured against.
                try LastApplied.recordSeen(
                    plan, place: place, in: try Journal(path: state.journalPath(planID: plan.id)))
                // Without the run lock: journals are taken in, none is deleted.
                try LastApplied.catchUp(state, place: place, keepJournalsDays: nil)
            }
            var summary = ApplySummary()
            summary.conflicts = skippedConflicts.count
            summary.conflictDetails = skippedConflicts
            return Outcome(summary: summary, journal: nil)
        }
        // One GET of the workspace before anything is written: another server or account answers
        // 404 or 401 here instead of on every target.
        let workspace = try context.confirmWorkspace()
        let count = plan.targets.count
        guard
            hooks.confirm(
                "apply \(count.grouped) change\(count == 1 ? "" : "s") to workspace \(workspace) (profile \(job.profile ?? "default"))?"
            )
        else { throw ApplyStop.declined }
        let lock: RunLock
        do {
            lock = try RunLock(directory: state.path)
        } catch let held as RunLock.Held {
            throw ApplyStop.locked(held)
        }
        defer { withExtendedLifetime(lock) {} }
        let journal = try Journal(path: state.journalPath(planID: plan.id))
        try journal.appendBegin(plan: plan.id, job: job)
        let applier = Applier(
            client: context.client, plan: plan, journal: journal, logger: context.logger, showValues: showValues)
        var summary = try applier.run(progress: hooks.progress)
        try LastApplied.recordSeen(plan, place: place, in: journal)
        try LastApplied.catchUp(state, place: place, keepJournalsDays: job.policies.keepJournalsDays)
        summary.workspace = workspace
        summary.conflicts += skippedConflicts.count
        summary.conflictDetails += skippedConflicts
        if summary.failed == 0 && summary.conflicts == 0 && !summary.landedNothing && plan.rowsRead > 0 {
            try? state.recordSuccess(rowsRead: plan.rowsRead, planID: plan.id)
        }
        return Outcome(summary: summary, journal: journal.path)
    }
}
