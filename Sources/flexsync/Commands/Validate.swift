import ArgumentParser
import FlexSync
import Foundation

extension FlexSyncCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Read the export, map it and check it against the Flex Insights rules, without touching TaskRouter.",
            discussion: "Exit codes: 0 valid, 1 invalid or an error.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var jobOptions: JobOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Output format: text or json.") var format: Format = .text

        func run() throws {
            let job = try CLI.run(json: format == .json) { try jobOptions.load() }
            let outcome = try CLI.run(json: format == .json) {
                try DatasetValidator(job: job, keepRecords: false).run()
            }
            switch format {
            case .text: CLI.out(ValidationReport.text(outcome, job: job, showValues: output.showValues))
            case .json: CLI.out(ValidationReport.json(outcome, job: job, showValues: output.showValues))
            }
            if !outcome.isValid { throw ExitCode(1) }
        }
    }
}
