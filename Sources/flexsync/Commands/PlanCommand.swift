import ArgumentParser
import FlexSync
import Foundation

extension FlexSyncCommand {
    struct PlanCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show exactly what would change in TaskRouter, key by key, and write a plan to review and apply.",
            discussion: "Exit codes: 0 no changes, 2 changes pending, 4 a safety gate tripped, 1 error.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

        @OptionGroup var jobOptions: JobOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var gates: GateOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Write the plan (JSON) here, for 'flexsync apply PLAN.json'.") var out: String?
        @Option(help: "What to print: text, json (the plan) or markdown.") var format: Format = .text
        @Option(help: "Write a self-contained HTML report here.") var report: String?

        func run() throws {
            let json = format == .json
            let job = try CLI.run(json: json) { try jobOptions.load() }
            let context = try CLI.run(json: json) {
                try SyncContext(job: job, baseURLFlag: connection.baseUrl, logger: connection.logger())
            }
            let (plan, _) = try CLI.run(json: json) { try context.makePlan(overrides: try gates.overrides()) }
            try CLI.run {
                if let out { try Data(plan.fileText.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
                if let report {
                    try Data(PlanHTML.render(plan, showValues: output.showValues).utf8).write(
                        to: URL(fileURLWithPath: report), options: .atomic)
                }
            }
            switch format {
            case .text: CLI.out(PlanReport.text(plan, color: CLI.stdoutIsTerminal, showValues: output.showValues))
            case .json: CLI.out(plan.json.pretty + "\n")
            case .markdown: CLI.out(PlanReport.markdown(plan, showValues: output.showValues))
            }
            if !plan.trippedGates.isEmpty { throw ExitCode(4) }
            if !plan.targets.isEmpty { throw ExitCode(2) }
        }
    }
}
