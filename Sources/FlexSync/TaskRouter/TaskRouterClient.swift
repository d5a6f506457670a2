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

/// TaskRouter v1 Workers and Tasks over libcurl: Basic auth, paging by `next_page_url`, Twilio
/// error bodies as typed errors, shared pacing, and one retry policy for every request (reads, and
/// conditional writes: ``conditionalWrite(_:traffic:session:willSend:rebase:)``). Each call counts
/// its traffic in the ``TrafficStats`` its caller passes, so a run reports only its own.
public final class TaskRouterClient: Sendable {
    public let baseURL: String
    public let workspaceSid: String
    let credentials: Credentials
    public let limiter: RateLimiter
    public let retry: RetryPolicy
    let clock: TimeSource
    let logger: Logger
    /// Parallel requests allowed.
    public let concurrency: Int

    public init(
        baseURL: String, workspaceSid: String, credentials: Credentials, limiter: RateLimiter,
        retry: RetryPolicy, concurrency: Int, clock: TimeSource = SystemTime(),
        logger: Logger = Logger(label: "flexsync.taskrouter")
    ) {
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

    // MARK: Reading

    /// A GET under the retry policy: the 200 answer and its JSON object.
    func get(_ url: String, traffic: TrafficStats, transport: some HTTPTransport) throws -> (HTTPResponse, JSONObject) {
        var exchange = ReadExchange(url: url)
        return try run(&exchange, traffic: traffic, transport: transport).get()
    }

    // MARK: Workspace, workers and tasks

    /// The workspace's `friendly_name`: one GET, which also proves the credentials reach it.
    public func fetchWorkspaceName(traffic: TrafficStats, session: CurlSession) throws -> String {
        let (_, body) = try get(workspaceURL, traffic: traffic, transport: session)
        return body["friendly_name"]?.stringValue ?? ""
    }

    /// Every worker, following `meta.next_page_url` with `PageSize=1000`; workers whose
    /// attributes the list left out are fetched one by one, concurrently within the rate.
    public func listWorkers(traffic: TrafficStats, session: CurlSession) throws -> [LiveWorker] {
        try listAll(
            "\(workspaceURL)/Workers?PageSize=1000", key: "workers", traffic: traffic, session: session,
            item: { item in
                item["sid"]?.stringValue.map {
                    LiveWorker(
                        sid: $0, friendlyName: item["friendly_name"]?.stringValue ?? "",
                        attributesText: item["attributes"]?.stringValue, etag: nil)
                }
            },
            isComplete: { $0.attributesText != nil },
            fetch: { worker, session in try self.fetchWorker(worker.sid, traffic: traffic, session: session) })
    }

    public func fetchWorker(_ sid: String, traffic: TrafficStats, session: CurlSession) throws -> LiveWorker {
        let (response, item) = try get(workerURL(sid), traffic: traffic, transport: session)
        return LiveWorker(
            sid: sid, friendlyName: item["friendly_name"]?.stringValue ?? "",
            attributesText: item["attributes"]?.stringValue ?? "{}", etag: response.header("ETag"))
    }

    /// Open tasks (`pending`, `reserved`, `assigned`, `wrapping`), with the same paging rules.
    public func listOpenTasks(traffic: TrafficStats, session: CurlSession) throws -> [LiveTask] {
        try listTasks(
            statuses: "&AssignmentStatus=pending,reserved,assigned,wrapping", traffic: traffic,
            session: session)
    }

    /// Every task TaskRouter still holds: open ones, and completed or canceled ones not yet
    /// deleted (Insights reads a task's attributes when it completes; `watch` needs both).
    public func listAllTasks(traffic: TrafficStats, session: CurlSession) throws -> [LiveTask] {
        try listTasks(statuses: "", traffic: traffic, session: session)
    }

    private func listTasks(statuses: String, traffic: TrafficStats, session: CurlSession) throws -> [LiveTask] {
        try listAll(
            "\(workspaceURL)/Tasks?PageSize=1000\(statuses)", key: "tasks", traffic: traffic, session: session,
            item: { item in
                item["sid"]?.stringValue.map {
                    LiveTask(
                        sid: $0, assignmentStatus: item["assignment_status"]?.stringValue ?? "",
                        attributesText: item["attributes"]?.stringValue, etag: nil,
                        dateCreated: item["date_created"]?.stringValue)
                }
            },
            isComplete: { $0.attributesText != nil },
            fetch: { task, session in try self.fetchTask(task.sid, traffic: traffic, session: session) })
    }

    public func fetchTask(_ sid: String, traffic: TrafficStats, session: CurlSession) throws -> LiveTask {
        let (response, item) = try get(taskURL(sid), traffic: traffic, transport: session)
        return LiveTask(
            sid: sid, assignmentStatus: item["assignment_status"]?.stringValue ?? "",
            attributesText: item["attributes"]?.stringValue ?? "{}", etag: response.header("ETag"),
            dateCreated: item["date_created"]?.stringValue)
    }

    /// Reads every page of a list, then fetches the items the list did not give in full.
    private func listAll<Item>(
        _ url: String, key: String, traffic: TrafficStats, session: CurlSession,
        item: (JSONObject) -> Item?, isComplete: (Item) -> Bool,
        fetch: @escaping (Item, CurlSession) throws -> Item
    ) throws -> [Item] {
        var items: [Item] = []
        try readPages(url, key: key, traffic: traffic, session: session) { object in
            if let value = item(object) { items.append(value) }
        }
        let missing = items.indices.filter { !isComplete(items[$0]) }
        if !missing.isEmpty {
            let snapshot = items
            let fetched = try ParallelRunner(count: concurrency).map(missing) { index, session in
                try fetch(snapshot[index], session)
            }
            for (index, value) in zip(missing, fetched) { items[index] = value }
        }
        return items
    }

    private func readPages(
        _ first: String, key: String, traffic: TrafficStats, session: CurlSession,
        each: (JSONObject) -> Void
    ) throws {
        var next: String? = first
        var pages = 0
        while let url = next {
            let (_, body) = try get(url, traffic: traffic, transport: session)
            guard case .array(let items)? = body[key], let meta = body["meta"]?.objectValue else {
                throw TaskRouterError.badResponse(
                    method: "GET", path: CurlSession.pathForMessages(url),
                    reason: "no '\(key)' list or 'meta'")
            }
            for item in items { if let object = item.objectValue { each(object) } }
            next = meta["next_page_url"]?.stringValue
            pages += 1
            if pages > 100_000 {
                throw TaskRouterError.badResponse(method: "GET", path: key, reason: "paging does not end")
            }
        }
    }
}
