import ArgumentParser
import FlexSync

/// The job file and the profile to use, shared by every command that runs a job.
struct JobOptions: ParsableArguments {
    @Argument(help: "The job file (YAML).") var job: String
    @Option(help: "The job profile to use (e.g. staging, production).") var profile: String?

    func load() throws -> Job {
        try Job.load(path: job, profile: profile)
    }
}

/// How reports show values.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Show personal values (names, e-mails, phones) instead of masking them.") var showValues = false
}
