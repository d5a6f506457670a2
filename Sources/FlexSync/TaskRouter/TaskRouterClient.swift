import Foundation
import Logging

/// A worker as TaskRouter returned it.
public struct LiveWorker: Sendable {
    public var sid: String
    public var friendlyName: String
    /// The attributes JSON text, verbatim; nil when a list left it out.
    public var attributesText: String?
    /// The ETag, verbatim, when the response carried one for this worker.
    public var etag: String?
}

/// A task as TaskRouter returned it.
public struct LiveTask: Sendable {
    public var sid: String
    public var assignmentStatus: String
    public var attributesText: String?
    public var etag: String?
    /// `date_created` as TaskRouter gave it (ISO 8601), for latency figures.
    public var dateCreated: String?
}

/// Counters of one run's traffic.
public final class TrafficStats: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int] = [:]

    func add(_ name: String, _ amount: Int = 1) { lock.withLock { values[name, default: 0] += amount } }
    public subscript(name: String) -> Int { lock.withLock { values[name, default: 0] } }
}

/// TaskRouter v1 Workers and Tasks over libcurl: Basic auth, paging by `next_page_url`, Twilio
/// error bodies as typed errors, shared pacing, and retries for idempotent reads.
public final class TaskRouterClient: @unchecked Sendable {
    public let baseURL: String
    public let workspaceSid: String
    let credentials: Credentials
    public let limiter: RateLimiter
    public let retry: RetryPolicy
    public let stats = TrafficStats()
    let clock: TimeSource
    let logger: Logger
    /// Parallel requests allowed.
    public let concurrency: Int

    public init(baseURL: String, workspaceSid: String, credentials: Credentials, limiter: RateLimiter, retry: RetryPolicy,
                concurrency: Int, clock: TimeSource = SystemTime(), logger: Logger = Logger(label: "flexsync.taskrouter")) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.workspaceSid = workspaceSid
        self.credentials = credentials
        self.limiter = limiter
        self.retry = retry
        self.concurrency = max(1, concurrency)
        self.clock = clock
        self.logger = logger
    }

    /// The workspace's URL: where a run writes, as journals and the last-applied store record it.
    public var workspaceURL: String { "\(baseURL)/v1/Workspaces/\(workspaceSid)" }

    func workerURL(_ sid: String) -> String { "\(workspaceURL)/Workers/\(sid)" }
    func taskURL(_ sid: String) -> String { "\(workspaceURL)/Tasks/\(sid)" }

    // MARK: Sending

    /// One paced attempt; the answer, whatever its status, or a transport error.
    public func sendOnce(_ method: String, _ url: String, form: [(String, String)] = [], ifMatch: String? = nil,
                         session: CurlSession) throws -> HTTPResponse {
        var headers = [("Authorization", credentials.authorizationHeader), ("Accept", "application/json")]
        var body: [UInt8]?
        if method == "POST" {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&").utf8)
        }
        if let ifMatch { headers.append(("If-Match", ifMatch)) }
        limiter.acquire()
        stats.add("requests")
        let response = try session.perform(HTTPRequest(method: method, url: url, headers: headers, body: body))
        if response.status == 429 {
            stats.add("429s")
            limiter.didThrottle(retryAfter: response.header("Retry-After").flatMap(Double.init))
        } else if response.status < 300 {
            limiter.didSucceed(remaining: response.header("X-Rate-Limit-Remaining").flatMap(Int.init))
        }
        return response
    }

    /// A GET, retried with backoff on 429, 5xx, timeouts and connection errors.
    func get(_ url: String, session: CurlSession) throws -> (HTTPResponse, JSONObject) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try sendOnce("GET", url, session: session)
                if response.status == 200 {
                    guard let object = (try? JSONValue.parse(bytes: response.body))?.objectValue else {
                        throw TaskRouterError.badResponse(method: "GET", path: CurlSession.pathForMessages(url), reason: "the body is not a JSON object")
                    }
                    return (response, object)
                }
                throw Self.apiError("GET", url, response)
            } catch let error as TaskRouterError where error.isRetryable && attempt <= retry.maxRetries {
                stats.add("retries")
                let delay = retry.delay(attempt: attempt, retryAfter: nil, unit: Double.random(in: 0..<1))
                logger.debug("retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                clock.sleep(delay)
            } catch let error as TaskRouterError {
                throw error.withAttempts(attempt)
            }
        }
    }

    /// Turns an error response into a typed error with Twilio's code and message.
    static func apiError(_ method: String, _ url: String, _ response: HTTPResponse) -> TaskRouterError {
        let body = (try? JSONValue.parse(bytes: response.body))?.objectValue
        let message = body?["message"]?.stringValue ?? "HTTP \(response.status)"
        var code: Int?
        if case .number(let number)? = body?["code"] { code = Int(number.doubleValue) }
        return .api(method: method, path: CurlSession.pathForMessages(url), status: response.status,
                    code: code, message: message, moreInfo: body?["more_info"]?.stringValue, attempts: 1)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: Workspace, workers and tasks

    /// The workspace's `friendly_name`: one GET, which also proves the credentials reach it.
    public func fetchWorkspaceName(session: CurlSession) throws -> String {
        let (_, body) = try get(workspaceURL, session: session)
        return body["friendly_name"]?.stringValue ?? ""
    }

    /// Every worker, following `meta.next_page_url` with `PageSize=1000`; workers whose
    /// attributes the list left out are fetched one by one, concurrently within the rate.
    public func listWorkers(session: CurlSession) throws -> [LiveWorker] {
        try listAll("\(workspaceURL)/Workers?PageSize=1000", key: "workers", session: session,
                    item: { item in
                        item["sid"]?.stringValue.map {
                            LiveWorker(sid: $0, friendlyName: item["friendly_name"]?.stringValue ?? "",
                                       attributesText: item["attributes"]?.stringValue, etag: nil)
                        }
                    },
                    isComplete: { $0.attributesText != nil },
                    fetch: { worker, session in try self.fetchWorker(worker.sid, session: session) })
    }

    public func fetchWorker(_ sid: String, session: CurlSession) throws -> LiveWorker {
        let (response, item) = try get(workerURL(sid), session: session)
        return LiveWorker(sid: sid, friendlyName: item["friendly_name"]?.stringValue ?? "",
                          attributesText: item["attributes"]?.stringValue ?? "{}", etag: response.header("ETag"))
    }

    /// Open tasks (`pending`, `reserved`, `assigned`, `wrapping`), with the same paging rules.
    public func listOpenTasks(session: CurlSession) throws -> [LiveTask] {
        try listTasks(statuses: "&AssignmentStatus=pending,reserved,assigned,wrapping", session: session)
    }

    /// Every task TaskRouter still holds: open ones, and completed or canceled ones not yet
    /// deleted (Insights reads a task's attributes when it completes; `watch` needs both).
    public func listAllTasks(session: CurlSession) throws -> [LiveTask] {
        try listTasks(statuses: "", session: session)
    }

    private func listTasks(statuses: String, session: CurlSession) throws -> [LiveTask] {
        try listAll("\(workspaceURL)/Tasks?PageSize=1000\(statuses)", key: "tasks", session: session,
                    item: { item in
                        item["sid"]?.stringValue.map {
                            LiveTask(sid: $0, assignmentStatus: item["assignment_status"]?.stringValue ?? "",
                                     attributesText: item["attributes"]?.stringValue, etag: nil,
                                     dateCreated: item["date_created"]?.stringValue)
                        }
                    },
                    isComplete: { $0.attributesText != nil },
                    fetch: { task, session in try self.fetchTask(task.sid, session: session) })
    }

    public func fetchTask(_ sid: String, session: CurlSession) throws -> LiveTask {
        let (response, item) = try get(taskURL(sid), session: session)
        return LiveTask(sid: sid, assignmentStatus: item["assignment_status"]?.stringValue ?? "",
                        attributesText: item["attributes"]?.stringValue ?? "{}", etag: response.header("ETag"),
                        dateCreated: item["date_created"]?.stringValue)
    }

    /// Reads every page of a list, then fetches the items the list did not give in full.
    private func listAll<Item>(_ url: String, key: String, session: CurlSession, item: (JSONObject) -> Item?,
                               isComplete: (Item) -> Bool, fetch: @escaping (Item, CurlSession) throws -> Item) throws -> [Item] {
        var items: [Item] = []
        try readPages(url, key: key, session: session) { object in
            if let value = item(object) { items.append(value) }
        }
        let missing = items.indices.filter { !isComplete(items[$0]) }
        if !missing.isEmpty {
            let snapshot = items
            let fetched = try ParallelRunner(count: concurrency).map(missing) { index, session in try fetch(snapshot[index], session) }
            for (index, value) in zip(missing, fetched) { items[index] = value }
        }
        return items
    }

    private func readPages(_ first: String, key: String, session: CurlSession, each: (JSONObject) -> Void) throws {
        var next: String? = first
        var pages = 0
        while let url = next {
            let (_, body) = try get(url, session: session)
            guard case .array(let items)? = body[key], let meta = body["meta"]?.objectValue else {
                throw TaskRouterError.badResponse(method: "GET", path: CurlSession.pathForMessages(url), reason: "no '\(key)' list or 'meta'")
            }
            for item in items { if let object = item.objectValue { each(object) } }
            next = meta["next_page_url"]?.stringValue
            pages += 1
            if pages > 100_000 { throw TaskRouterError.badResponse(method: "GET", path: key, reason: "paging does not end") }
        }
    }
}

