import Foundation
import Logging

/// Everything one run needs to talk to TaskRouter: the job, the resolved base URL, credentials,
/// and a client paced by the job's policies.
public struct SyncContext: Sendable {
    public let job: Job
    public let client: TaskRouterClient
    public let logger: Logger

    /// The base URL in force: `--base-url`, else `$FLEXSYNC_BASE_URL`, else the job's.
    public static func baseURL(job: Job, flag: String?, environment: [String: String]) -> String {
        flag ?? environment["FLEXSYNC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? job.taskRouter.baseURL
    }

    public init(
        job: Job, baseURLFlag: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: TimeSource = SystemTime(), logger: Logger
    ) throws {
        guard !job.taskRouter.workspaceSid.isEmpty else {
            throw ConfigError(
                file: job.path, line: 1, column: 1,
                message: "the job has no 'taskrouter' section: 'validate' needs none, but this command talks to "
                    + "TaskRouter: add 'taskrouter: { workspace_sid: WS… }'")
        }
        var job = job
        job.taskRouter.baseURL = SyncContext.baseURL(job: job, flag: baseURLFlag, environment: environment)
        try CurlSession.checkTransportSecurity(job.taskRouter.baseURL + "/")
        let credentials = try Credentials.fromEnvironment(job.taskRouter, environment: environment)
        let policies = job.policies
        var logger = logger
        logger[metadataKey: "job"] = "\(job.name)"
        logger[metadataKey: "profile"] = "\(job.profile ?? "default")"
        logger[metadataKey: "workspace"] = "\(job.taskRouter.workspaceSid)"
        self.job = job
        self.logger = logger
        let limiter = RateLimiter(
            rate: policies.requestsPerSecond, ceiling: policies.maxRequestsPerSecond,
            reserveShare: policies.reserveShare, clock: clock)
        client = TaskRouterClient(
            baseURL: job.taskRouter.baseURL, workspaceSid: job.taskRouter.workspaceSid,
            credentials: credentials, limiter: limiter,
            retry: RetryPolicy(maxRetries: policies.maxRetries),
            concurrency: policies.concurrency, clock: clock, logger: logger)
    }

    /// Validates the export, reads the live state and plans.
    public func makePlan(overrides: PlanOverrides) throws -> (plan: Plan, validation: ValidationOutcome) {
        let validation = try DatasetValidator(job: job, keepRecords: true).run()
        logger.info(
            "export read",
            metadata: [
                "rows": "\(validation.rowsRead)", "valid": "\(validation.valid)",
                "invalid": "\(validation.invalid)"
            ])
        let state = try StateDirectory(path: job.policies.stateDirectory)
        let digest = try job.inputDigest()
        let session = try CurlSession()
        let traffic = TrafficStats()
        let plan: Plan
        switch job.mapping.target {
        case .workers:
            let workers = try client.listWorkers(traffic: traffic, session: session)
            logger.info("workers read", metadata: ["workers": "\(workers.count)", "requests": "\(traffic.requests)"])
            let store = try lastApplied(state, overrides: overrides, live: workers.map { ($0.sid, $0.attributesText) })
            let planner = Planner(
                job: job, digest: digest, overrides: overrides, lastRunRows: state.lastSuccessRows(),
                lastApplied: store)
            plan = planner.planWorkers(validation, live: workers)
        case .tasks:
            let tasks = try client.listOpenTasks(traffic: traffic, session: session)
            logger.info("open tasks read", metadata: ["tasks": "\(tasks.count)", "requests": "\(traffic.requests)"])
            let store = try lastApplied(state, overrides: overrides, live: tasks.map { ($0.sid, $0.attributesText) })
            let planner = Planner(
                job: job, digest: digest, overrides: overrides, lastRunRows: state.lastSuccessRows(),
                lastApplied: store)
            plan = planner.planTasks(validation, live: tasks)
        }
        logger.info("planned", metadata: ["summary": "\(plan.summaryLine)"])
        return (plan, validation)
    }

    /// The last-applied store, brought up to date from the journals (a run killed mid-apply left
    /// its writes there). A damaged store stops the run unless `--rebuild-state` asks to take the
    /// live state as the new baseline.
    func lastApplied(
        _ state: StateDirectory, overrides: PlanOverrides,
        live: [(String, String?)]
    ) throws -> LastApplied {
        let place = client.workspaceURL
        var store: LastApplied
        do {
            store = try LastApplied.load(directory: state.path, place: place)
        } catch let damaged as LastAppliedError where overrides.rebuildState {
            logger.warning(
                "rebuilding the last-applied store from the live state",
                metadata: ["reason": "\(damaged.reason)"])
            let documents = live.compactMap { sid, text in
                text.flatMap { try? JSONValue.parse($0).objectValue }.map { (sid: sid, document: $0) }
            }
            store = LastApplied.rebuilt(
                place: place, live: documents, keys: job.mapping.managedKeys,
                journals: state.journalsPath, run: "rebuild")
            try store.save(directory: state.path)
            return store
        }
        if try store.replay(journals: state.journalsPath) { try store.save(directory: state.path) }
        return store
    }
}
