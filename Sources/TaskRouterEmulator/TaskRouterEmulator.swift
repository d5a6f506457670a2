import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A TaskRouter v1 stand-in for Workers and Tasks, served over real HTTP on loopback.
///
/// It follows Twilio's published contract — form-encoded updates, JSON bodies with `attributes`
/// as a string, paging by `next_page_url`, Basic auth, Twilio error bodies, ETag/If-Match, 429s —
/// and can inject the faults a real link produces. It shares no code with flexsync: it stands in
/// for Twilio, and a bug shared by both sides would hide.
public final class TaskRouterEmulator: Sendable {
    let workspace: Workspace
    let seed: EmulatorSeed
    let options: EmulatorOptions
    let log: RequestLog
    let faults: FaultPlan
    let rateWindow: RateWindow?
    let traffic: TaskTraffic?
    /// Where a started emulator's tasks run (see ``EmulatorExecutor``).
    private let executor = EmulatorExecutor()
    /// When the first request arrived: `--outage` counts from there, so a window lands on the
    /// client's traffic however late it starts.
    private let firstRequest = Mutex<Double?>(nil)
    private let running = RunningState()

    public init(seed: EmulatorSeed, options: EmulatorOptions = EmulatorOptions()) throws {
        self.seed = seed
        self.options = options
        workspace = Workspace(seed: seed, taskTTL: options.taskTTLSeconds)
        log = try RequestLog(path: options.requestLogPath)
        faults = FaultPlan(
            seed: options.randomSeed, failRate: options.failRate, resetRate: options.resetRate,
            refuseRate: options.refuseRate)
        rateWindow = options.requestsPerSecond.map { RateWindow(limit: $0) }
        if options.taskArrivalsPerSecond > 0 {
            guard let path = options.taskCustomersPath else {
                throw EmulatorError.startFailed("task arrivals need a customers file")
            }
            let settings = TaskTraffic.Settings(
                arrivalsPerSecond: options.taskArrivalsPerSecond, lifetime: options.taskLifetime,
                callers: try TaskTraffic.callers(path: path))
            traffic = TaskTraffic(settings: settings, workspace: workspace, log: log, seed: options.randomSeed)
        } else {
            traffic = nil
        }
    }

    /// Starts the live traffic, if configured, beside the server.
    private func startTraffic() {
        guard let traffic else { return }
        running.traffic = Task(executorPreference: executor) { await traffic.run() }
    }

    /// Whether an `--outage` window covers `now` (seconds, the request log's clock).
    func isInOutage(now: Double) -> Bool {
        guard let outage = options.outage else { return false }
        let first = firstRequest.withLock { first in
            if first == nil { first = now }
            return first!
        }
        return outage.contains(now - first)
    }

    /// The workspace SID requests must name.
    public var workspaceSid: String { seed.workspaceSid }

    /// The port the server listens on, once started.
    public var port: Int? { running.port }

    /// `http://127.0.0.1:PORT`, once started.
    public var baseURL: String? { running.port.map { "http://127.0.0.1:\($0)" } }

    /// Starts serving in the background on `host`, port 0 meaning any free port; returns the port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = makeApplication(host: host, port: port) { port in continuation.yield(port) }
        let task = Task(executorPreference: executor) {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                continuation.finish()
            }
        }
        running.task = task
        startTraffic()
        for await bound in stream {
            running.port = bound
            return bound
        }
        throw EmulatorError.startFailed("the server did not start on \(host):\(port)")
    }

    /// Stops a server started with ``start(host:port:)``.
    public func stop() async {
        running.traffic?.cancel()
        guard let task = running.task else { return }
        task.cancel()
        _ = await task.result
        running.task = nil
        log.close()
    }

    /// Serves in the foreground until SIGTERM or SIGINT, calling `onListening` with the bound port.
    public func runUntilSignalled(
        host: String = "127.0.0.1", port: Int = 0, onListening: @escaping @Sendable (Int) -> Void
    ) async throws {
        let app = makeApplication(host: host, port: port) { [running] port in
            running.port = port
            onListening(port)
        }
        startTraffic()
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        running.traffic?.cancel()
        log.close()
    }

    /// Every request seen so far, in arrival order.
    public func requestLog() -> [RequestLogEntry] { log.all }

    /// The workspace as JSON, attributes parsed: `{"workspace_sid", "workers": [...], "tasks": [...]}`.
    public func stateJSON() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: workspace.snapshot(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// The current attributes text of a worker, or nil when there is no such worker.
    public func workerAttributes(_ sid: String) -> String? { workspace.worker(sid)?.attributes }

    /// The current attributes text of a task, or nil when there is none (or it was deleted).
    public func taskAttributes(_ sid: String) -> String? { workspace.task(sid)?.attributes }

    /// SIDs of all workers, in list order.
    public func workerSids() -> [String] {
        workspace.workerPage(after: nil, size: Int.max, filter: { _ in true }).items.map(\.sid)
    }

    /// SIDs of all tasks that still exist, in list order.
    public func taskSids() -> [String] {
        workspace.taskPage(after: nil, size: Int.max, filter: { _ in true }).items.map(\.sid)
    }

    private func makeApplication(host: String, port: Int, onPort: @escaping @Sendable (Int) -> Void)
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "taskrouter-emulator")
        logger.logLevel = .critical
        return Application(
            responder: EmulatorResponder(emulator: self),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onPort(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

/// Mutable bookkeeping of a running server.
// @unchecked: the port and tasks are read and written under `lock`.
private final class RunningState: @unchecked Sendable {
    private let lock = NSLock()
    private var _port: Int?
    private var _task: Task<Void, Never>?
    private var _traffic: Task<Void, Never>?

    var traffic: Task<Void, Never>? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return _traffic
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            _traffic = newValue
        }
    }

    var port: Int? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return _port
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            _port = newValue
        }
    }

    var task: Task<Void, Never>? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return _task
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            _task = newValue
        }
    }
}

/// The thread an emulator started in-process serves on: a serial queue of its own, which always
/// gets a thread, instead of the shared cooperative pool (as wide as the machine has cores). A
/// test that blocks a pool thread while it waits for the emulator's answer — a synchronous
/// client, as flexsync's libcurl client is — would otherwise leave the emulator no thread to
/// answer on when as many such tests run at once as there are cores.
final class EmulatorExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "taskrouter-emulator")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
