import Foundation

/// What a request may have repeated. A read can be sent again as it is; a conditional write whose
/// answer was lost may have landed, so it is read back before anything is sent again.
public enum RequestKind: Sendable {
    /// A GET: safe to send again.
    case read
    /// A POST with `If-Match`: sent again as it is only when TaskRouter said it was not processed.
    case conditionalWrite
}

/// How one attempt ended, as far as the retry policy needs to know.
public enum AttemptEnd: Sendable, Equatable {
    /// TaskRouter answered with this status; `retryAfter` is its `Retry-After` header in seconds.
    case status(Int, retryAfter: Double?)
    /// No answer: the connection was refused, reset or timed out. The request may have arrived.
    case noAnswer
    /// The request could not be made (a configuration error): no later attempt can mend it.
    case notSent

    init(_ result: Result<HTTPResponse, TaskRouterError>) {
        switch result {
        case .success(let response):
            self = .status(response.status, retryAfter: response.header("Retry-After").flatMap(Double.init))
        case .failure(.transport):
            self = .noAnswer
        case .failure:
            self = .notSent
        }
    }
}

/// The retry policy's verdict on one attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Keep the answer: a success, or an error the caller must see (404, 401, 400…).
    case accept
    /// Wait `after` seconds, then send the same request again.
    case resend(after: Double)
    /// Wait `after` seconds, then read the target back: the write may or may not have landed.
    case readBack(after: Double)
    /// The target changed since it was read (412): read it again and re-merge, at once.
    case reread
    /// Out of attempts, or an error no attempt can mend.
    case giveUp

    /// The wait before trying again, when the decision is a retry of a failed link (a 412's
    /// re-read is not one: the link worked, the target moved).
    public var retryDelay: Double? {
        switch self {
        case .resend(let delay), .readBack(let delay): delay
        case .accept, .reread, .giveUp: nil
        }
    }
}

/// The one retry policy every TaskRouter request is sent under: which endings are tried again,
/// how, and after how long. Attempts are 1-based; `n` is the attempt that just ended.
///
/// | attempt n ended with | read (GET) | conditional write (POST with `If-Match`) |
/// |---|---|---|
/// | 2xx, 404, other 4xx | accept | accept |
/// | 412 | accept | re-read at once, while n ≤ `maxRetries` + `preconditionAllowance` |
/// | 429 (not processed) | resend after `Retry-After`, else backoff(n) | the same: resend as it is |
/// | 500, 502, 503, 504 | resend after backoff(n) | read back after backoff(n): it may have landed |
/// | no answer (reset, timeout) | resend after backoff(n) | read back after backoff(n) |
/// | not sent (configuration) | give up | give up |
/// | a retryable ending with n > `maxRetries` | give up | give up |
///
/// Backoff is exponential with full jitter, capped; `Retry-After` wins when a 429 carries it:
///
/// | n | ceiling of the random delay |
/// |---|---|
/// | 1 | 0.5 s |
/// | 2 | 1 s |
/// | 3 | 2 s |
/// | 4 | 4 s |
/// | … | doubling, capped at 30 s |
public struct RetryPolicy: Sendable {
    /// Retries after 429s, 5xx and lost answers; a request is sent at most `maxRetries + 1` times.
    public var maxRetries: Int
    public var base = 0.5
    public var cap = 30.0
    /// Attempts a conditional write may spend beyond `maxRetries` when it meets 412s: each is a
    /// fresh read and merge, not a failure of the link.
    public var preconditionAllowance = 3

    /// Statuses that say "not now": the same request may succeed later.
    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public init(maxRetries: Int) { self.maxRetries = maxRetries }

    /// The delay before retry `attempt` (1-based); `unit` is a uniform draw in [0, 1).
    public func delay(attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        if let retryAfter { return retryAfter }
        let ceiling = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return ceiling * unit
    }

    /// What to do after attempt `attempt` of a request of `kind` ended as `ended`; `unit` is a
    /// uniform draw in [0, 1) for the jitter.
    public func decide(_ kind: RequestKind, attempt: Int, ended: AttemptEnd, unit: Double) -> RetryDecision {
        switch ended {
        case .notSent:
            return .giveUp
        case .status(412, _) where kind == .conditionalWrite:
            return attempt <= maxRetries + preconditionAllowance ? .reread : .giveUp
        case .status(let status, let retryAfter) where Self.retryableStatuses.contains(status):
            guard attempt <= maxRetries else { return .giveUp }
            // A 429 was not processed, so even a write goes again as it is; a 5xx may have been.
            if status == 429 { return .resend(after: delay(attempt: attempt, retryAfter: retryAfter, unit: unit)) }
            let wait = delay(attempt: attempt, retryAfter: nil, unit: unit)
            return kind == .read ? .resend(after: wait) : .readBack(after: wait)
        case .status:
            return .accept
        case .noAnswer:
            guard attempt <= maxRetries else { return .giveUp }
            let wait = delay(attempt: attempt, retryAfter: nil, unit: unit)
            return kind == .read ? .resend(after: wait) : .readBack(after: wait)
        }
    }
}
