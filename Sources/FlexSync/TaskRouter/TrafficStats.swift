import Foundation

/// Counters of one run's traffic. A run makes one and passes it to every request it sends, so its
/// summary counts its own requests, retries and 429s — never planning's, nor another run's.
public final class TrafficStats: @unchecked Sendable {
    // Sendable: `counts` is guarded by `lock`; the worker threads of one run all add to it.
    private let lock = NSLock()
    private var counts = Counts()

    /// The counters at one moment.
    public struct Counts: Sendable, Equatable {
        /// Requests sent: every attempt counts.
        public var requests = 0
        /// Attempts made again after a 429, a 5xx or a lost answer (a 412's re-read is not one).
        public var retries = 0
        /// 429 answers.
        public var throttled = 0

        public init(requests: Int = 0, retries: Int = 0, throttled: Int = 0) {
            self.requests = requests
            self.retries = retries
            self.throttled = throttled
        }
    }

    public init() {}

    public var snapshot: Counts { lock.withLock { counts } }
    public var requests: Int { snapshot.requests }
    public var retries: Int { snapshot.retries }
    public var throttled: Int { snapshot.throttled }

    func countRequest() { lock.withLock { counts.requests += 1 } }
    func countRetry() { lock.withLock { counts.retries += 1 } }
    func countThrottled() { lock.withLock { counts.throttled += 1 } }
}
