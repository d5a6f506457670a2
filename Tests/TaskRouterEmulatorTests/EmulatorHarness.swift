import Foundation
import TaskRouterEmulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An emulator on a free loopback port plus a plain HTTP client (URLSession, not flexsync's) to talk to it.
struct EmulatorHarness {
    static let account = "AC" + String(repeating: "a", count: 32)
    static let token = "secret-token"
    static let workspace = "WS" + String(repeating: "b", count: 32)

    let emulator: TaskRouterEmulator
    let base: String
    let session: URLSession

    static func start(
        workers: [EmulatorSeed.Worker] = [], tasks: [EmulatorSeed.Task] = [],
        apiKeys: [EmulatorSeed.APIKey] = [], options: EmulatorOptions = EmulatorOptions()
    ) async throws -> EmulatorHarness {
        let seed = EmulatorSeed(
            accountSid: account, authToken: token, apiKeys: apiKeys, workspaceSid: workspace,
            workers: workers, tasks: tasks)
        let emulator = try TaskRouterEmulator(seed: seed, options: options)
        let port = try await emulator.start()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 4
        // Generous: the whole suite runs in parallel on two cores, and a loaded machine answers late;
        // nothing here measures time. A dropped connection waits this long, and an answer slower than
        // it would be taken for a dropped one.
        configuration.timeoutIntervalForRequest = 6
        return EmulatorHarness(
            emulator: emulator, base: "http://127.0.0.1:\(port)", session: URLSession(configuration: configuration))
    }

    func stop() async { await emulator.stop() }

    var workspacePath: String { "/v1/Workspaces/\(Self.workspace)" }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// Sends a request; `url` is a path under the base or an absolute URL (as `next_page_url` is).
    func send(
        _ method: String = "GET", _ url: String, form: [(String, String)] = [], headers: [String: String] = [:],
        user: String? = account, password: String? = token
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: url.hasPrefix("http") ? url : base + url)!)
        request.httpMethod = method
        if let user, let password {
            request.setValue(
                "Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if method == "POST" {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(
                form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                    .joined(separator: "&").utf8)
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: data)
    }

    /// Decodes the `attributes` JSON string of a worker or task body.
    static func attributes(_ body: [String: Any]) -> [String: Any]? {
        guard let text = body["attributes"] as? String else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }
}

/// Paths to the shared reference material, beside the repository.
enum Reference {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/reference")
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
