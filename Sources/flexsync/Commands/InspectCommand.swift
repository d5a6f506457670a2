import ArgumentParser
import FlexSync
import Foundation

extension MappingTarget: ExpressibleByArgument {}

extension FlexSyncCommand {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what an export holds: its columns or element paths, how full each is, samples, encoding "
                + "and delimiter, and optionally a drafted mapping.",
            discussion: "Exit codes: 0 inspected, 1 error.")

        @Argument(help: "The export file (CSV or XML).") var export: String
        @Option(
            help: "XML: the record element's path, with the file's own prefixes (default: the most repeated element).")
        var record: String?
        @Option(help: "Print a drafted mapping for this target: workers or tasks.") var draftMapping: MappingTarget?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let inspection = try CLI.run { try ExportInspection.inspect(path: export, recordPath: record) }
            CLI.out(InspectReport.text(inspection, showValues: output.showValues))
            if let draftMapping { CLI.out("\n" + MappingDraft.yaml(inspection, target: draftMapping)) }
        }
    }
}
