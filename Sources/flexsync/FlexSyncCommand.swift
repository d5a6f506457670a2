import ArgumentParser
import FlexSync

@main
struct FlexSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flexsync",
        abstract: "Sync HR and CRM exports into Twilio TaskRouter attributes for Flex Insights.",
        version: FlexSyncVersion.current,
        subcommands: [Validate.self]
    )
}
