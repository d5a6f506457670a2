import ArgumentParser
import FlexSync
import Foundation
import Logging
import Synchronization

extension FlexSyncCommand {
    struct ApplyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply a reviewed plan (PLAN.json), or plan and apply a job in one go (the nightly form).",
            discussion: """
                Exit codes: 0 all applied (or nothing to do), 1 error, 3 some targets failed, 4 a safety gate tripped \
                (nothing written), 5 conflicts skipped, 6 another run holds the lock.
                """)

        @Argument(help: "A plan file written by 'flexsync plan --out', or a job file.") var target: String
        @Option(help: "The job profile (job files only; a plan records its own).") var profile: String?
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var gates: GateOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Apply without asking (required when not on a terminal).") var yes = false
        @Option(help: "Also write the final summary as JSON here.") var summaryJson: String?

        func run() throws {
            let overrides = try CLI.run { try gates.overrides() }
            let isPlanFile =
                target.hasSuffix(".json") || (FileManager.default.contents(atPath: target)?.first == UInt8(ascii: "{"))
            var plan: Plan
            let context: SyncContext
            if isPlanFile {
                plan = try CLI.run { try Plan.load(path: target) }
                let job = try CLI.run { try Job.load(path: plan.job.path, profile: plan.job.profile) }
                context = try CLI.run {
                    try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
                }
                plan.applyOverrides(overrides)
                if plan.job.baseURL != context.client.baseURL {
                    CLI.err(
                        "warning: the plan was made against \(plan.job.baseURL); this run writes to \(context.client.baseURL)"
                    )
                }
                do {
                    try plan.checkApplicable(to: job, currentDigest: try job.inputDigest())
                } catch let refusal as ApplyRefusal {
                    CLI.err("\(refusal)")
                    if case .gatesTripped = refusal { throw ExitCode(4) }
                    throw ExitCode(1)
                }
            } else {
                let job = try CLI.run { try Job.load(path: target, profile: profile) }
                context = try CLI.run {
                    try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
                }
                plan = try CLI.run { try context.makePlan(overrides: overrides).plan }
                CLI.out(
                    PlanReport.text(plan, color: CLI.stdoutIsTerminal, showValues: output.showValues, maxTargets: 50))
                if !plan.trippedGates.isEmpty {
                    CLI.err("\(ApplyRefusal.gatesTripped(plan.trippedGates))")
                    throw ExitCode(4)
                }
            }
            let summary = try CLI.applyPlan(
                plan, context: context, yes: yes, summaryJSON: summaryJson, showValues: output.showValues)
            if summary.failed > 0 { throw ExitCode(3) }
            if summary.conflicts > 0 { throw ExitCode(5) }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Undo what an apply run changed, from its journal's before-images (skipping targets changed since).",
            discussion: "Exit codes as for apply; with --dry-run: 0 nothing to undo, 2 changes pending.")

        @Argument(help: "The journal of the run to undo (STATE_DIR/journals/PLAN_ID.jsonl).") var journal: String
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Show the rollback plan; write nothing.") var dryRun = false
        @Option(help: "Write the rollback plan here, to review and 'flexsync apply' later.") var out: String?
        @Flag(help: "Apply without asking (required when not on a terminal).") var yes = false
        @Option(help: "Also write the final summary as JSON here.") var summaryJson: String?

        func run() throws {
            let builder = RollbackBuilder(journalPath: journal)
            let origin = try CLI.run { try builder.origin() }
            let job = try CLI.run { try Job.load(path: origin.jobPath, profile: origin.profile) }
            let context = try CLI.run {
                try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
            }
            let rollback = try CLI.run { try builder.plan(context: context, showValues: output.showValues) }
            let plan = rollback.plan
            if let out {
                try CLI.run { try Data(plan.fileText.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
            }
            CLI.out(PlanReport.text(plan, color: CLI.stdoutIsTerminal, showValues: output.showValues))
            for conflict in rollback.conflicts.prefix(20) { CLI.err("conflict: \(conflict)") }
            if dryRun || out != nil {
                if !plan.targets.isEmpty { throw ExitCode(2) }
                return
            }
            let summary = try CLI.applyPlan(
                plan, context: context, yes: yes, summaryJSON: summaryJson, showValues: output.showValues,
                skippedConflicts: rollback.conflicts)
            if summary.failed > 0 { throw ExitCode(3) }
            if summary.conflicts > 0 { throw ExitCode(5) }
        }
    }
}

extension CLI {
    /// Applies through ``ApplyService``: asks on a terminal (or needs `--yes`), shows progress,
    /// prints the summary and writes `--summary-json`.
    static func applyPlan(
        _ plan: Plan, context: SyncContext, yes: Bool, summaryJSON: String?, showValues: Bool,
        skippedConflicts: [String] = []
    ) throws -> ApplySummary {
        if plan.targets.isEmpty { out("nothing to apply: \(plan.summaryLine)\n") }
        let logger = context.logger
        let terminal = isatty(STDERR_FILENO) == 1
        let lastLog = LastLog()
        let hooks = ApplyService.Hooks(
            confirm: { question in
                if yes { return true }
                guard stdinIsTerminal else {
                    err("not on a terminal: pass --yes to \(question.replacingOccurrences(of: "?", with: ""))")
                    return false
                }
                out(question + " [y/N] ")
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    out("nothing written\n")
                    return false
                }
                return true
            },
            progress: { progress in
                let eta = progress.rate > 0 ? Double(progress.total - progress.done) / max(progress.rate, 0.1) : 0
                if terminal {
                    let width = 30
                    let filled = progress.total > 0 ? width * progress.done / progress.total : width
                    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                    FileHandle.standardError.write(
                        Data(
                            String(
                                format: "\r[%@] %d/%d  %.1f req/s  ETA %.0fs ", bar, progress.done,
                                progress.total, progress.rate, eta
                            ).utf8))
                } else if progress.elapsed - lastLog.value >= 5 {
                    lastLog.value = progress.elapsed
                    logger.notice(
                        "applying",
                        metadata: [
                            "done": "\(progress.done)", "total": "\(progress.total)",
                            "rate": "\(String(format: "%.1f", progress.rate))", "eta_s": "\(Int(eta))"
                        ])
                }
            })
        let outcome: ApplyService.Outcome
        do {
            outcome = try ApplyService(context: context, showValues: showValues).run(
                plan, skippedConflicts: skippedConflicts, hooks: hooks)
        } catch ApplyStop.declined {
            throw ExitCode(1)
        } catch ApplyStop.locked(let held) {
            err("\(held)")
            throw ExitCode(6)
        } catch {
            err("\(error)")
            throw ExitCode(1)
        }
        let summary = outcome.summary
        guard let journal = outcome.journal else { return summary }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        for failure in summary.failures.prefix(20) { err("failed: \(failure)") }
        for conflict in summary.conflictDetails.prefix(20) { err("conflict: \(conflict)") }
        if summary.landedNothing {
            err(
                "nothing landed: all \(summary.planned.grouped) targets were gone or failed; the run is not recorded as a success"
            )
        }
        out(summary.line + "\n")
        if let workspace = summary.workspace { out("workspace: \(workspace)\n") }
        out("journal: \(journal)\n")
        if let summaryJSON {
            try run {
                try Data((summary.json.pretty + "\n").utf8).write(
                    to: URL(fileURLWithPath: summaryJSON), options: .atomic)
            }
        }
        return summary
    }
}

/// The elapsed time of the last progress log line.
final class LastLog: Sendable {
    private let elapsed = Mutex(0.0)

    var value: Double {
        get { elapsed.withLock { $0 } }
        set { elapsed.withLock { $0 = newValue } }
    }
}
