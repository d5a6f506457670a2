import ArgumentParser
import FlexSync
import Logging

@main
struct FlexSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flexsync",
        abstract: "Sync HR and CRM exports into Twilio TaskRouter attributes for Flex Insights.",
        discussion: "Run 'flexsync help COMMAND' for a command's options and exit codes.",
        version: FlexSyncVersion.current,
        subcommands: [
            Validate.self, Inspect.self, PlanCommand.self, ApplyCommand.self, Rollback.self, ExportCommand.self,
            WatchCommand.self
        ]
    )

    static func main() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
