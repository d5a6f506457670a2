import Foundation

/// A workspace seed, an export, a mapping and a job in a temporary folder, an emulator process
/// serving the seed, and a way to run the built `flexsync` binary against it.
final class EndToEndWorkspace {
    static let account = "AC" + String(repeating: "3", count: 32)
    static let token = "e2e-secret-token-8d1f"
    static let workspace = "WS" + String(repeating: "4", count: 32)

    let directory: URL
    let emulator: RunningEmulator
    var log: URL { directory.appendingPathComponent("requests.jsonl") }

    /// `seedWorkers` (JSON objects) and `mapping` replace the generated workers and mapping.
    init(
        workers: Int, emulatorFlags: [String] = [], csv: String? = nil,
        policies: String =
            "{ max_changed_share: 1, max_key_change_share: 1, requests_per_second: 100, max_requests_per_second: 100 }",
        seedWorkers: [String]? = nil, mapping: String? = nil
    ) throws {
        directory = try Scratch.directory()
        var generated: [String] = []
        for index in 0..<workers {
            generated.append(
                #"{"sid": "WK\#(String(format: "%032x", index + 1))", "friendly_name": "agent\#(index)", "attributes": {"agent_id": "\#(index)", "team_id": "T0", "contact_uri": "client:agent\#(index)", "routing": {"skills": ["s"], "levels": {"s": 2.50}}}}"#
            )
        }
        try Data(
            #"{"account_sid": "\#(Self.account)", "auth_token": "\#(Self.token)", "workspace_sid": "\#(Self.workspace)", "workers": [\#((seedWorkers ?? generated).joined(separator: ","))]}"#
                .utf8
        )
        .write(to: directory.appendingPathComponent("seed.json"))
        let rows = (0..<workers).map { "\($0),T1,Team One" }.joined(separator: "\n")
        try Data((csv ?? "id,team_id,team\n\(rows)\n").utf8).write(to: directory.appendingPathComponent("export.csv"))
        try Data(
            (mapping ?? """
                target: workers
                key: { match: [agent_id] }
                attributes:
                  agent_id: id
                  team_id: team_id
                  team_name: team
                """).utf8
        ).write(to: directory.appendingPathComponent("mapping.yaml"))
        try Data(
            """
            name: e2e
            mapping: mapping.yaml
            source: { path: export.csv, format: csv }
            taskrouter: { workspace_sid: \(Self.workspace) }
            policies: \(policies)
            """.utf8
        ).write(to: directory.appendingPathComponent("job.yaml"))
        emulator = try RunningEmulator(
            arguments: [
                "--seed", directory.appendingPathComponent("seed.json").path, "--log",
                directory.appendingPathComponent("requests.jsonl").path,
                "--state-out", directory.appendingPathComponent("state.json").path
            ] + emulatorFlags)
    }

    var job: String { directory.appendingPathComponent("job.yaml").path }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `flexsync` with the emulator as base URL and the credentials in the environment.
    func run(
        _ arguments: [String], credentials: Bool = true, environment extra: [String: String] = [:],
        in folder: URL? = nil
    ) throws -> Result {
        let process = try start(arguments, credentials: credentials, environment: extra, in: folder)
        let out = process.standardOutput as! Pipe
        let err = process.standardError as! Pipe
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func start(
        _ arguments: [String], credentials: Bool = true, environment extra: [String: String] = [:],
        in folder: URL? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = Binaries.url("flexsync")
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? directory
        var environment = ProcessInfo.processInfo.environment
        environment["FLEXSYNC_BASE_URL"] = emulator.baseURL
        if credentials {
            environment["TWILIO_ACCOUNT_SID"] = Self.account
            environment["TWILIO_AUTH_TOKEN"] = Self.token
        } else {
            environment["TWILIO_ACCOUNT_SID"] = nil
            environment["TWILIO_AUTH_TOKEN"] = nil
        }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The emulator's request log so far.
    func requests() throws -> [[String: Any]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The final workspace, after stopping the emulator.
    func finalState() throws -> [String: [String: Any]] {
        _ = emulator.terminate()
        let state =
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("state.json")))
            as! [String: Any]
        var workers: [String: [String: Any]] = [:]
        for worker in state["workers"] as! [[String: Any]] {
            workers[worker["sid"] as! String] = worker["attributes"] as? [String: Any]
        }
        return workers
    }
}
