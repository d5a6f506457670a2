import ArgumentParser
import Dispatch
import FlexSync
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension FlexSyncCommand {
    struct WatchCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract:
                "Keep live tasks (or workers) carrying the export: list them every interval and write what differs.",
            discussion: """
                Exit codes: 0 stopped by SIGTERM or SIGINT (or after --cycles), 1 error (a first export that fails its \
                gates, an unreachable workspace), 6 another run holds the lock.
                """)

        @OptionGroup var job: JobOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var gates: GateOptions
        @Option(help: "Seconds between cycles.") var interval: Double = 10
        @Option(help: "Write Prometheus metrics here after every cycle (a node_exporter textfile).")
        var metricsTextfile: String?
        @Option(help: "Stop after this many cycles.") var cycles: Int?

        func validate() throws {
            guard interval > 0 else { throw ValidationError("'--interval' must be positive") }
        }

        func run() throws {
            let job = try CLI.run { try self.job.load() }
            let context = try CLI.run {
                try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
            }
            let workspace = try CLI.run { try context.confirmWorkspace() }
            let state = try CLI.run { try StateDirectory(path: job.policies.stateDirectory) }
            let lock: RunLock
            do {
                lock = try RunLock(directory: state.path)
            } catch let held as RunLock.Held {
                CLI.err("\(held)")
                throw ExitCode(6)
            }
            defer { withExtendedLifetime(lock) {} }
            let journal = try CLI.run { try Watcher.openJournal(job: job, state: state) }
            let watcher = try CLI.run {
                try Watcher(
                    context: context, journal: journal, interval: interval, metricsFile: metricsTextfile,
                    overrides: try gates.overrides())
            }
            // SIGTERM / SIGINT: stop listing, let the writes in flight finish, then exit 0.
            let stopSignal = watcher.stopSignal
            let signals = [SIGTERM, SIGINT].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { stopSignal.stop() }
                source.resume()
                return source
            }
            defer { for signal in signals { signal.cancel() } }
            context.logger.notice(
                "watching",
                metadata: ["workspace": "\(workspace)", "interval_s": "\(interval)", "journal": "\(journal.path)"])
            let kind = job.mapping.target == .workers ? "worker" : "task"
            _ = try CLI.run {
                try watcher.run(cycles: cycles) { cycle in
                    if cycle.failure != nil {
                        context.logger.error("\(cycle.line(kind: kind))")
                    } else {
                        context.logger.notice("\(cycle.line(kind: kind))")
                    }
                }
            }
            try CLI.run { try watcher.catchUp() }
            context.logger.notice("stopped")
        }
    }
}
