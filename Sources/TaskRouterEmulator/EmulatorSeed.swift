import Foundation

/// The workspace an emulator starts with, read from a seed file (JSON).
///
/// ```json
/// {"account_sid": "AC…", "auth_token": "…", "api_keys": [{"sid": "SK…", "secret": "…"}],
///  "workspace_sid": "WS…", "workspace_friendly_name": "Flex Task Assignment",
///  "workers": [{"sid": "WK…", "friendly_name": "ana", "attributes": {…}, "activity_name": "Offline"}],
///  "tasks": [{"sid": "WT…", "assignment_status": "pending", "attributes": {…}}]}
/// ```
/// Missing SIDs are generated (`WK`/`WT` followed by 32 hex digits).
public struct EmulatorSeed: Sendable {
    public struct APIKey: Sendable {
        public var sid: String
        public var secret: String
        public init(sid: String, secret: String) {
            self.sid = sid
            self.secret = secret
        }
    }

    public struct Worker: Sendable {
        public var sid: String?
        public var friendlyName: String
        /// Attributes as JSON text.
        public var attributes: String
        public var activityName: String?
        public init(sid: String? = nil, friendlyName: String, attributes: String = "{}", activityName: String? = nil) {
            self.sid = sid
            self.friendlyName = friendlyName
            self.attributes = attributes
            self.activityName = activityName
        }
    }

    public struct Task: Sendable {
        public var sid: String?
        public var assignmentStatus: String
        public var attributes: String
        public init(sid: String? = nil, assignmentStatus: String = "pending", attributes: String = "{}") {
            self.sid = sid
            self.assignmentStatus = assignmentStatus
            self.attributes = attributes
        }
    }

    public var accountSid: String
    public var authToken: String
    public var apiKeys: [APIKey]
    public var workspaceSid: String
    /// The workspace's `friendly_name` (Flex names its workspace `Flex Task Assignment`).
    public var workspaceFriendlyName: String
    public var workers: [Worker]
    public var tasks: [Task]

    public init(
        accountSid: String = "AC" + String(repeating: "0", count: 32),
        authToken: String = "emulator-token",
        apiKeys: [APIKey] = [],
        workspaceSid: String = "WS" + String(repeating: "0", count: 32),
        workspaceFriendlyName: String = "Flex Task Assignment",
        workers: [Worker] = [],
        tasks: [Task] = []
    ) {
        self.accountSid = accountSid
        self.authToken = authToken
        self.apiKeys = apiKeys
        self.workspaceSid = workspaceSid
        self.workspaceFriendlyName = workspaceFriendlyName
        self.workers = workers
        self.tasks = tasks
    }

    /// Reads a seed file.
    public static func load(path: String) throws -> EmulatorSeed {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try parse(data, source: path)
    }

    /// Parses seed JSON.
    public static func parse(_ data: Data, source: String = "seed") throws -> EmulatorSeed {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EmulatorError.invalidSeed("\(source): the seed must be a JSON object")
        }
        func string(_ object: [String: Any], _ key: String, _ context: String) throws -> String {
            guard let value = object[key] as? String else {
                throw EmulatorError.invalidSeed("\(source): \(context): '\(key)' must be a string")
            }
            return value
        }
        func attributesText(_ object: [String: Any], _ context: String) throws -> String {
            guard let raw = object["attributes"] else { return "{}" }
            if let text = raw as? String { return text }
            guard JSONSerialization.isValidJSONObject(raw) else {
                throw EmulatorError.invalidSeed("\(source): \(context): 'attributes' must be an object")
            }
            let data = try JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }
        var seed = EmulatorSeed()
        seed.accountSid = try string(root, "account_sid", "seed")
        seed.authToken = try string(root, "auth_token", "seed")
        seed.workspaceSid = try string(root, "workspace_sid", "seed")
        if root["workspace_friendly_name"] != nil {
            seed.workspaceFriendlyName = try string(root, "workspace_friendly_name", "seed")
        }
        for (index, key) in ((root["api_keys"] as? [[String: Any]]) ?? []).enumerated() {
            seed.apiKeys.append(
                APIKey(
                    sid: try string(key, "sid", "api_keys[\(index)]"),
                    secret: try string(key, "secret", "api_keys[\(index)]")))
        }
        for (index, worker) in ((root["workers"] as? [[String: Any]]) ?? []).enumerated() {
            let context = "workers[\(index)]"
            seed.workers.append(
                Worker(
                    sid: worker["sid"] as? String,
                    friendlyName: try string(worker, "friendly_name", context),
                    attributes: try attributesText(worker, context),
                    activityName: worker["activity_name"] as? String))
        }
        for (index, task) in ((root["tasks"] as? [[String: Any]]) ?? []).enumerated() {
            let context = "tasks[\(index)]"
            seed.tasks.append(
                Task(
                    sid: task["sid"] as? String,
                    assignmentStatus: (task["assignment_status"] as? String) ?? "pending",
                    attributes: try attributesText(task, context)))
        }
        return seed
    }
}

/// Errors the emulator reports about its own configuration.
public enum EmulatorError: Error, CustomStringConvertible {
    case invalidSeed(String)
    case startFailed(String)

    public var description: String {
        switch self {
        case .invalidSeed(let message): "invalid seed: \(message)"
        case .startFailed(let message): "emulator failed to start: \(message)"
        }
    }
}
