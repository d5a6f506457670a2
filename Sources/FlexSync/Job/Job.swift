import Foundation
import Yams

/// One run's configuration: which export goes through which mapping to which workspace, and the
/// policies that keep the run safe. Paths inside are relative to the job file.
public struct Job: Sendable {
    public var path: String
    public var name: String
    /// The profile selected with `--profile`, if any.
    public var profile: String?
    public var mapping: Mapping
    public var source: SourceSpec
    public var taskRouter: TaskRouterSpec
    public var policies: Policies

    /// `name` or `name (profile)`, as logs and reports print it.
    public var displayName: String { profile.map { "\(name) (\(profile ?? $0))" } ?? name }
}

/// Where the records come from.
public struct SourceSpec: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, xml }

    /// A file path or a glob (`exports/hr-*.csv`), already resolved against the job file.
    public var pattern: String
    public var format: Format
    public var csv: CSVOptions
    public var recordPath: String?
    public var namespaces: [String: NamespaceMatch]
    public var nullTokens: Set<String>
    public var maxRecordBytes: Int
    /// CSV header columns with a blank name: ignored when empty on every row; `ignore` drops
    /// them even when they hold values, `error` (default) refuses those.
    public var blankColumns: BlankColumns = .error

    public enum BlankColumns: String, Sendable, CaseIterable { case error, ignore }

    /// The keys a job's `source` may have.
    static let keys = [
        "path", "format", "encoding", "delimiter", "pad_short_rows", "record", "namespaces", "null_tokens",
        "max_record_bytes", "blank_columns", "locale", "header_line"
    ]
}

/// Which TaskRouter workspace, where, and which environment variables hold the credentials.
public struct TaskRouterSpec: Sendable {
    public var baseURL: String
    public var workspaceSid: String
    public var accountSidVariable: String
    public var authTokenVariable: String
    public var apiKeyVariable: String
    public var apiSecretVariable: String
}

/// The policies of a run. Every safety gate has a default here and can be overridden per job.
public struct Policies: Sendable {
    public enum OnDuplicate: String, Sendable, CaseIterable { case error, first, last }
    public enum PII: String, Sendable, CaseIterable { case keep, withhold }

    public var onDuplicate: OnDuplicate = .error
    public var tooLong: ValueRules.TooLong = .error
    public var pii: PII = .keep
    /// How values with lossy text (`?` for letters, U+FFFD, double encoding) are reported.
    public var lossyText: Problem.Severity = .warning
    /// How a record whose first key is empty is reported (it changes nothing either way).
    public var emptyKey: Problem.Severity = .error
    /// Abort when more than this share of rows is invalid.
    public var maxInvalidShare = 0.05
    /// Gate: the plan changes more than this share of targets.
    public var maxChangedShare = 0.20
    /// Gate: one key changes on more than this share of targets.
    public var maxKeyChangeShare = 0.50
    /// Gate: the export has fewer rows than this share of the last successful run's.
    public var minRowsShareOfLastRun = 0.80
    /// What a plan does with a managed key someone else changed since flexsync last wrote it.
    public var onDrift: OnDrift = .keep
    /// Gate: more than this share of targets have drifted keys.
    public var maxDriftShare = 0.10
    /// `watch`: the most targets written in one cycle; the rest wait for the next.
    public var watchMaxWritesPerCycle = 500
    /// `watch`: a journal larger than this (MiB) is closed after the cycle and a new one begun.
    public var watchJournalMaxMB = 64.0
    /// Journals older than this many days, once the last-applied store holds them, are deleted.
    public var keepJournalsDays = 30.0
    /// Requests per second to aim for, and the ceiling never to pass.
    public var requestsPerSecond = 10.0
    public var maxRequestsPerSecond = 50.0
    /// Share of the rate left for live Flex traffic.
    public var reserveShare = 0.0
    public var concurrency = 8
    public var maxRetries = 6
    public var stateDirectory: String
}

extension Job {
    /// Reads a job file, applying `profile` when given.
    public static func load(path: String, profile: String? = nil) throws -> Job {
        try JobLoader(file: try YAMLFile(path: path)).load(profile: profile)
    }
}

struct JobLoader {
    let file: YAMLFile

    func load(profile: String?) throws -> Job {
        let top = try file.members(
            file.root, allowed: ["name", "description", "mapping", "source", "taskrouter", "policies", "profiles"],
            required: ["name", "mapping", "source"], context: "the job")
        let name = try file.string(top["name"]!, context: "'name'")
        guard name.range(of: #"^[A-Za-z0-9._-]+$"#, options: .regularExpression) != nil else {
            throw file.error(
                top["name"], "'name' may use letters, digits, '.', '_' and '-' only (it names the state folder)")
        }
        let mappingPath = file.resolve(try file.string(top["mapping"]!, context: "'mapping'"))
        if let reason = YAMLFile.unreadable(mappingPath) {
            throw file.error(
                top["mapping"],
                "cannot read the mapping file \(YAMLFile.displayPath(mappingPath)): \(reason)"
                    + " (paths are relative to the job file)")
        }
        // The source's locale names the months date patterns read: the mapping compiles with it.
        var locale: String?
        if let sourceMembers = try? file.members(top["source"]!, allowed: SourceSpec.keys, context: "'source'"),
            let node = sourceMembers["locale"]
        {
            locale = try file.string(node, context: "'source.locale'")
        }
        let mapping = try Mapping.load(path: mappingPath, locale: locale)
        // `validate` reads files only: a job for it alone needs no 'taskrouter' (SyncContext asks).
        var taskRouterNodes: [Node] = top["taskrouter"].map { [$0] } ?? []
        var policyNodes: [Node] = top["policies"].map { [$0] } ?? []
        if let profile {
            guard let profiles = top["profiles"] else {
                throw file.error(top.node, "'--profile \(profile)' was given, but the job has no 'profiles'")
            }
            let all = try file.pairs(profiles, context: "'profiles'")
            guard let selected = all.first(where: { $0.key == profile }) else {
                throw file.error(
                    profiles,
                    "no profile '\(profile)' (the job has \(all.map { "'\($0.key)'" }.joined(separator: ", ")))")
            }
            let members = try file.members(
                selected.value, allowed: ["taskrouter", "policies"], context: "profile '\(profile)'")
            if let node = members["taskrouter"] { taskRouterNodes.append(node) }
            if let node = members["policies"] { policyNodes.append(node) }
        }
        let source = try sourceSpec(top["source"]!, mapping: mapping)
        let taskRouter = try taskRouterSpec(taskRouterNodes)
        let defaultState = file.resolve(".flexsync/\(name)\(profile.map { "-" + $0 } ?? "")")
        let policies = try self.policies(policyNodes, defaultState: defaultState)
        return Job(
            path: file.path, name: name, profile: profile, mapping: mapping, source: source, taskRouter: taskRouter,
            policies: policies)
    }

    private func sourceSpec(_ node: Node, mapping: Mapping) throws -> SourceSpec {
        let members = try file.members(
            node, allowed: SourceSpec.keys, required: ["path", "format"], context: "'source'")
        let format: SourceSpec.Format = try file.choice(members["format"]!, context: "'source.format'")
        var csv = CSVOptions()
        if let node = members["encoding"] {
            let name = try file.string(node, context: "'source.encoding'")
            guard let encoding = TextEncoding(name: name) else {
                throw file.error(
                    node,
                    "unknown encoding '\(name)' (expected \(TextEncoding.expectedNames))"
                )
            }
            if format == .xml {
                throw file.error(node, "XML files declare their encoding in their prolog; remove 'source.encoding'")
            }
            csv.encoding = encoding
        }
        if let node = members["delimiter"] {
            let text = try file.string(node, context: "'source.delimiter'")
            let delimiter = text == "\\t" || text == "tab" ? "\t" : text
            guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, [",", ";", "\t", "|"].contains(delimiter)
            else {
                throw file.error(node, "'source.delimiter' must be one of ',', ';', tab or '|'")
            }
            csv.delimiter = byte
        }
        if let node = members["pad_short_rows"] {
            csv.padShortRows = try file.bool(node, context: "'source.pad_short_rows'")
        }
        if let node = members["header_line"] {
            if format == .xml { throw file.error(node, "'source.header_line' is for CSV sources") }
            let line = try file.int(node, context: "'source.header_line'")
            guard line >= 1 else { throw file.error(node, "'source.header_line' is a line number, from 1") }
            csv.headerLine = line
        }
        var namespaces: [String: NamespaceMatch] = [:]
        if let node = members["namespaces"] {
            for (prefix, _, value) in try file.pairs(node, context: "'source.namespaces'") {
                namespaces[prefix] = NamespaceMatch(
                    declaration: try file.string(value, context: "'source.namespaces.\(prefix)'"))
            }
        }
        let record = try members["record"].map { try file.string($0, context: "'source.record'") }
        if format == .xml {
            guard let record else {
                throw file.error(node, "an XML source needs 'record', the path of the record element")
            }
            do {
                _ = try XMLPath(record, namespaces: namespaces)
            } catch let error as ExtractError {
                throw file.error(members["record"], "\(error)")
            }
            // A field's path is the mapping's: its error names the mapping's line.
            for field in mapping.sourceFields {
                do {
                    _ = try XMLPath(field, namespaces: namespaces)
                } catch let error as ExtractError {
                    let place = SourceFieldCheck.place(of: field, in: mapping)
                    throw ConfigError(file: place.file, line: place.line, column: 1, message: "\(error)")
                }
            }
        } else if record != nil || !namespaces.isEmpty {
            throw file.error(node, "'record' and 'namespaces' are for XML sources")
        }
        let nullTokens = Set(
            try members["null_tokens"].map { try file.strings($0, context: "'source.null_tokens'") } ?? []
        ).union([""])
        let maxRecordBytes =
            try members["max_record_bytes"].map { try file.int($0, context: "'source.max_record_bytes'") } ?? (1 << 20)
        var spec = SourceSpec(
            pattern: file.resolve(try file.string(members["path"]!, context: "'source.path'")), format: format,
            csv: csv, recordPath: record, namespaces: namespaces, nullTokens: nullTokens,
            maxRecordBytes: maxRecordBytes)
        if let node = members["blank_columns"] {
            if format == .xml { throw file.error(node, "'source.blank_columns' is for CSV sources") }
            spec.blankColumns = try file.choice(node, context: "'source.blank_columns'")
        }
        return spec
    }

    private func taskRouterSpec(_ nodes: [Node]) throws -> TaskRouterSpec {
        var spec = TaskRouterSpec(
            baseURL: "https://taskrouter.twilio.com", workspaceSid: "", accountSidVariable: "TWILIO_ACCOUNT_SID",
            authTokenVariable: "TWILIO_AUTH_TOKEN", apiKeyVariable: "TWILIO_API_KEY",
            apiSecretVariable: "TWILIO_API_SECRET")
        var workspaceNode: Node?
        for node in nodes {
            let members = try file.members(
                node, allowed: ["base_url", "workspace_sid", "credentials"], context: "'taskrouter'")
            if let value = members["base_url"] {
                spec.baseURL = try file.string(value, context: "'taskrouter.base_url'")
            }
            if let value = members["workspace_sid"] {
                spec.workspaceSid = try file.string(value, context: "'taskrouter.workspace_sid'")
                workspaceNode = value
            }
            if let value = members["credentials"] {
                let credentials = try file.members(
                    value, allowed: ["account_sid_env", "auth_token_env", "api_key_env", "api_secret_env"],
                    context: "'taskrouter.credentials'")
                if let v = credentials["account_sid_env"] {
                    spec.accountSidVariable = try file.string(v, context: "'account_sid_env'")
                }
                if let v = credentials["auth_token_env"] {
                    spec.authTokenVariable = try file.string(v, context: "'auth_token_env'")
                }
                if let v = credentials["api_key_env"] {
                    spec.apiKeyVariable = try file.string(v, context: "'api_key_env'")
                }
                if let v = credentials["api_secret_env"] {
                    spec.apiSecretVariable = try file.string(v, context: "'api_secret_env'")
                }
            }
        }
        guard nodes.isEmpty || spec.workspaceSid.range(of: #"^WS[0-9a-fA-F]{32}$"#, options: .regularExpression) != nil
        else {
            throw file.error(
                workspaceNode ?? nodes[0], "'taskrouter.workspace_sid' must be WS followed by 32 hex digits")
        }
        return spec
    }

    private func policies(_ nodes: [Node], defaultState: String) throws -> Policies {
        var policies = Policies(stateDirectory: defaultState)
        func share(_ node: Node, _ name: String) throws -> Double {
            let value = try file.double(node, context: "'policies.\(name)'")
            guard (0...1).contains(value) else {
                throw file.error(node, "'policies.\(name)' is a share between 0 and 1")
            }
            return value
        }
        for node in nodes {
            let members = try file.members(
                node,
                allowed: [
                    "on_duplicate", "too_long", "pii", "lossy_text", "empty_key",
                    "max_invalid_share", "max_changed_share",
                    "max_key_change_share", "min_rows_share_of_last_run", "requests_per_second",
                    "max_requests_per_second", "reserve_share", "concurrency", "max_retries", "state_dir",
                    "on_drift", "max_drift_share", "watch_max_writes_per_cycle", "watch_journal_max_mb",
                    "keep_journals_days"
                ],
                context: "'policies'")
            for (key, _, value) in members.pairs {
                switch key {
                case "on_duplicate": policies.onDuplicate = try file.choice(value, context: "'policies.on_duplicate'")
                case "too_long": policies.tooLong = try file.choice(value, context: "'policies.too_long'")
                case "pii": policies.pii = try file.choice(value, context: "'policies.pii'")
                case "lossy_text": policies.lossyText = try file.choice(value, context: "'policies.lossy_text'")
                case "empty_key": policies.emptyKey = try file.choice(value, context: "'policies.empty_key'")
                case "max_invalid_share": policies.maxInvalidShare = try share(value, key)
                case "max_changed_share": policies.maxChangedShare = try share(value, key)
                case "max_key_change_share": policies.maxKeyChangeShare = try share(value, key)
                case "min_rows_share_of_last_run": policies.minRowsShareOfLastRun = try share(value, key)
                case "on_drift": policies.onDrift = try file.choice(value, context: "'policies.on_drift'")
                case "max_drift_share": policies.maxDriftShare = try share(value, key)
                case "watch_max_writes_per_cycle":
                    policies.watchMaxWritesPerCycle = try file.int(
                        value, context: "'policies.watch_max_writes_per_cycle'")
                    guard policies.watchMaxWritesPerCycle >= 1 else {
                        throw file.error(value, "'policies.watch_max_writes_per_cycle' must be at least 1")
                    }
                case "reserve_share": policies.reserveShare = try share(value, key)
                case "requests_per_second", "max_requests_per_second", "watch_journal_max_mb", "keep_journals_days":
                    let amount = try file.double(value, context: "'policies.\(key)'")
                    guard amount > 0 else { throw file.error(value, "'policies.\(key)' must be positive") }
                    switch key {
                    case "requests_per_second": policies.requestsPerSecond = amount
                    case "max_requests_per_second": policies.maxRequestsPerSecond = amount
                    case "watch_journal_max_mb": policies.watchJournalMaxMB = amount
                    default: policies.keepJournalsDays = amount
                    }
                case "concurrency":
                    policies.concurrency = try file.int(value, context: "'policies.concurrency'")
                    guard (1...64).contains(policies.concurrency) else {
                        throw file.error(value, "'policies.concurrency' must be 1 to 64")
                    }
                case "max_retries": policies.maxRetries = try file.int(value, context: "'policies.max_retries'")
                default: policies.stateDirectory = file.resolve(try file.string(value, context: "'policies.state_dir'"))
                }
            }
        }
        if policies.requestsPerSecond > policies.maxRequestsPerSecond {
            throw file.error(
                nodes.last,
                "'policies.requests_per_second' (\(policies.requestsPerSecond)) is above 'max_requests_per_second' (\(policies.maxRequestsPerSecond))"
            )
        }
        return policies
    }
}
