/// How an emulator misbehaves, paces and records, as `taskrouter-emulator`'s flags set it.
public struct EmulatorOptions: Sendable {
    /// Requests per second accepted over any one-second window; `nil` for no limit.
    public var requestsPerSecond: Int?
    /// Send `Retry-After` with 429 responses (TaskRouter does not promise it).
    public var sendRetryAfter = false
    /// Share of requests answered with 500 or 503; half of the failed POSTs are applied first.
    public var failRate = 0.0
    /// Share of requests whose connection is closed with no response.
    public var resetRate = 0.0
    /// Share of workers and tasks whose every update is answered 400, drawn once per target.
    public var refuseRate = 0.0
    /// Seconds after the first request during which every request is answered 503, as
    /// TaskRouter does while it is unavailable; `nil` for none.
    public var outage: ClosedRange<Double>?
    /// Added delay per request, in milliseconds, with ±25% jitter.
    public var latencyMilliseconds = 0
    /// Seed for the fault draws, so that runs are reproducible.
    public var randomSeed: UInt64 = 1
    /// Answer lists with `"attributes": null`, as the OpenAPI description says production may.
    public var nullListAttributes = false
    /// Seconds after completion or cancellation before a task is deleted.
    public var taskTTLSeconds = 120.0
    /// A file that receives one JSON line per request.
    public var requestLogPath: String?
    /// Live traffic: tasks created per second (Poisson), 0 for none.
    public var taskArrivalsPerSecond = 0.0
    /// Live traffic: a task's lifetime from creation to completion, in seconds.
    public var taskLifetime: ClosedRange<Double> = 60...300
    /// Live traffic: a CSV of callers (`phone` and/or `email` columns).
    public var taskCustomersPath: String?

    public init() {}
}
