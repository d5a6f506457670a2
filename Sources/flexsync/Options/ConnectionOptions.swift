import ArgumentParser
import FlexSync
import Logging

/// Where TaskRouter is and how loud the logs are.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "TaskRouter base URL (overrides $FLEXSYNC_BASE_URL and the job's taskrouter.base_url).") var baseUrl:
        String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "notice"

    func logger() -> Logger {
        var logger = Logger(label: "flexsync")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        return logger
    }
}

/// Safety-gate overrides and canary selection, shared by plan and apply.
struct GateOptions: ParsableArguments {
    @Flag(help: "Proceed although the export shrank against the last successful run (or is empty).")
    var allowShrunkExport = false
    @Flag(help: "Proceed although more targets change than the job allows.") var allowMassChange = false
    @Flag(help: "Proceed although one key changes on more targets than the job allows.") var allowKeyChurn = false
    @Flag(help: "Proceed although more rows are invalid than the job allows (invalid rows are still skipped).")
    var allowInvalid = false
    @Flag(help: "Proceed although keys changed outside flexsync on more targets than the job allows.") var allowDrift =
        false
    @Flag(help: "Rebuild a damaged last-applied store from the live state (what Flex holds now becomes the baseline).")
    var rebuildState = false
    @Option(help: "Plan only the first N matched records (a canary).") var limit: Int?
    @Option(help: "Plan only records whose mapped attribute KEY equals VALUE, e.g. 'team_name=Sales 1'.") var only:
        String?

    func overrides() throws -> PlanOverrides {
        var overrides = PlanOverrides()
        let flags: [(Bool, [GateKind])] = [
            (allowShrunkExport, [.emptyExport, .shrunkExport]), (allowMassChange, [.massChange]),
            (allowKeyChurn, [.keyChurn]), (allowInvalid, [.invalidRows]), (allowDrift, [.drift])
        ]
        for (given, kinds) in flags where given { overrides.allowed.formUnion(kinds) }
        overrides.rebuildState = rebuildState
        overrides.limit = limit
        if let only {
            guard let equals = only.firstIndex(of: "="), equals != only.startIndex else {
                throw ValidationError("'--only' takes KEY=VALUE")
            }
            overrides.only = (String(only[..<equals]), String(only[only.index(after: equals)...]))
        }
        return overrides
    }
}
