import Foundation

/// Time, injectable so the rate limiter and retry policy can be tested without sleeping.
public protocol TimeSource: Sendable {
    /// Seconds since an arbitrary, fixed origin.
    func now() -> Double
    func sleep(_ seconds: Double)
}

/// The real clock.
public struct SystemTime: TimeSource {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public func sleep(_ seconds: Double) { if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } }
}

/// A token bucket of one token shared by every request of a run, with a sliding one-second
/// window on top, so no second ever sees more than the rate, and adaptive on 429s.
///
/// | event | effect |
/// |---|---|
/// | start | rate = `min(target, ceiling × (1 − reserve))` |
/// | 429 | rate × 0.75 (never below 0.5/s); all requests pause for `Retry-After`, else one interval |
/// | `X-Rate-Limit-Remaining: 0` | all requests pause for one interval |
/// | 10 successes in a row | rate grows by 10% of the target, up to the target |
public final class RateLimiter: @unchecked Sendable {
    // Sendable: the rate, slots, pause, grants and success count are read and written under `lock`.
    public let target: Double
    private let clock: TimeSource
    private let lock = NSLock()
    private var rate: Double
    private var nextSlot = 0.0
    private var pausedUntil = 0.0
    private var grants: [Double] = []
    private var successes = 0
    /// The sliding window is a little over a second: a request granted on time may still reach
    /// the server a few milliseconds after the next one, and the server counts arrivals.
    static let window = 1.04

    /// `rate`: requests per second wanted; `ceiling`: never more; `reserveShare`: left for live traffic.
    public init(rate: Double, ceiling: Double, reserveShare: Double = 0, clock: TimeSource = SystemTime()) {
        target = max(0.1, min(rate, ceiling * (1 - reserveShare)))
        self.rate = target
        self.clock = clock
    }

    /// The rate in force now.
    public var currentRate: Double { lock.withLock { rate } }

    /// Blocks until the request may be sent.
    public func acquire() {
        while true {
            let wait: Double = lock.withLock {
                let now = clock.now()
                while let first = grants.first, first <= now - RateLimiter.window { grants.removeFirst() }
                var earliest = max(nextSlot, pausedUntil)
                let perWindow = max(1, Int(rate.rounded(.down)))
                if grants.count >= perWindow {
                    earliest = max(earliest, grants[grants.count - perWindow] + RateLimiter.window)
                }
                if earliest <= now {
                    nextSlot = max(nextSlot, now) + 1.0 / rate
                    grants.append(now)
                    return 0
                }
                return earliest - now
            }
            if wait <= 0 { return }
            clock.sleep(wait)
        }
    }

    /// TaskRouter said 429: slow down, and pause everyone for `retryAfter` when it said how long.
    public func didThrottle(retryAfter: Double?) {
        lock.withLock {
            successes = 0
            rate = max(0.5, rate * 0.75)
            pausedUntil = max(pausedUntil, clock.now() + (retryAfter ?? 1.0 / rate))
        }
    }

    /// A request went through; `remaining` is `X-Rate-Limit-Remaining` when present.
    public func didSucceed(remaining: Int?) {
        lock.withLock {
            // At the server's limit "0 remaining" is the steady state of its sliding window: the
            // next slot frees one interval later, not at the next wall-clock second.
            if let remaining, remaining <= 0 { pausedUntil = max(pausedUntil, clock.now() + 1.0 / rate) }
            successes += 1
            if successes >= 10 && rate < target {
                rate = min(target, rate + target * 0.1)
                successes = 0
            }
        }
    }
}
