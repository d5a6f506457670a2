import ArgumentParser
import FlexSync
import Foundation

extension FlexSyncCommand {
    struct ExportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract:
                "Write the live workspace's managed keys (workers or open tasks) as CSV in the mapping's column names.",
            discussion: "Exit codes: 0 written, 1 error. Personal values are masked unless --show-values.")

        @OptionGroup var job: JobOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The CSV file to write.") var out: String

        func run() throws {
            let job = try CLI.run { try self.job.load() }
            let context = try CLI.run {
                try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
            }
            let export = try CLI.run { try context.exportLive(showValues: output.showValues) }
            try CLI.run { try Data(export.csv.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
            CLI.out(
                "\(export.rows.count) \(job.mapping.target == .workers ? "workers" : "tasks") written to \(out) "
                    + "(columns: \(export.columns.joined(separator: ", ")))\n")
            if export.withoutKey > 0 {
                CLI.err(
                    "\(export.withoutKey) without '\(job.mapping.key.match.first ?? "")' left out: no row could match them back"
                )
            }
            if !export.omitted.isEmpty {
                CLI.err("no column of their own, not exported: \(export.omitted.joined(separator: ", "))")
            }
            if !output.showValues { CLI.err("personal values are masked as ***: pass --show-values to export them") }
        }
    }
}
