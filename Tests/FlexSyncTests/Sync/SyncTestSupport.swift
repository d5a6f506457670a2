import Foundation
import Logging
import TaskRouterEmulator

@testable import FlexSync

/// Runs blocking work (libcurl) on a thread of its own, so Swift's cooperative pool stays free
/// for the in-process emulator's handlers.
func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// An emulator on a free port plus job files in a temporary folder that point at it.
struct SyncFixture: @unchecked Sendable {
    static let account = "AC" + String(repeating: "1", count: 32)
    static let token = "fixture-token-5e3a9c"
    static let workspace = "WS" + String(repeating: "2", count: 32)

    let emulator: TaskRouterEmulator
    let baseURL: String
    let directory: URL

    static func start(
        workers: [EmulatorSeed.Worker] = [], tasks: [EmulatorSeed.Task] = [],
        options: EmulatorOptions = EmulatorOptions()
    ) async throws -> SyncFixture {
        let seed = EmulatorSeed(
            accountSid: account, authToken: token, workspaceSid: workspace, workers: workers, tasks: tasks)
        let emulator = try TaskRouterEmulator(seed: seed, options: options)
        let port = try await emulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return SyncFixture(emulator: emulator, baseURL: "http://127.0.0.1:\(port)", directory: directory)
    }

    func stop() async { await emulator.stop() }

    var environment: [String: String] { ["TWILIO_ACCOUNT_SID": Self.account, "TWILIO_AUTH_TOKEN": Self.token] }

    /// Writes a CSV export, a mapping and a job; returns the loaded job.
    func job(
        csv: String, mapping: String,
        policies: String =
            "{ max_changed_share: 1, max_key_change_share: 1, requests_per_second: 200, max_requests_per_second: 200 }",
        name: String = "t"
    ) throws -> Job {
        try Data(csv.utf8).write(to: directory.appendingPathComponent("\(name).csv"))
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("\(name)-mapping.yaml"))
        try Data(
            """
            name: \(name)
            mapping: \(name)-mapping.yaml
            source: { path: \(name).csv, format: csv }
            taskrouter: { base_url: "\(baseURL)", workspace_sid: \(Self.workspace) }
            policies: \(policies)
            """.utf8
        ).write(to: directory.appendingPathComponent("\(name).yaml"))
        return try Job.load(path: directory.appendingPathComponent("\(name).yaml").path)
    }

    func context(_ job: Job) throws -> SyncContext {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try SyncContext(job: job, environment: environment, logger: logger)
    }

    /// Someone else's write, as a Flex admin or SSO makes it: one POST, no `If-Match`, no retry.
    @discardableResult
    func post(_ url: String, form: [(String, String)]) throws -> Int {
        let body = form.map { "\(TaskRouterClient.formEncode($0.0))=\(TaskRouterClient.formEncode($0.1))" }
            .joined(separator: "&")
        let credentials = Data("\(Self.account):\(Self.token)".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [
                ("Authorization", "Basic \(credentials)"),
                ("Content-Type", "application/x-www-form-urlencoded")
            ],
            body: Array(body.utf8))
        return try CurlSession().perform(request).status
    }

    /// The live attributes of a worker, parsed.
    func attributes(_ sid: String) throws -> JSONObject {
        try JSONValue.parse(emulator.workerAttributes(sid) ?? "null").objectValue ?? JSONObject()
    }

    static let workerMapping = """
        target: workers
        key: { match: [agent_id, email] }
        attributes:
          agent_id: id
          email: { field: email, transforms: [email], on_empty: keep }
          team_id: team_id
          team_name: team
          agent_attribute_1: { field: score, transforms: [number] }
        """
}
