import Foundation

/// Decides, reproducibly, which requests fail and how. A request's fate depends on the random
/// seed, its method and path, and how many times that method and path were seen before — not on
/// how concurrent requests interleave — so one seed gives the same faults run after run.
// @unchecked: `seen` is read and written under `lock`; the rest is immutable.
final class FaultPlan: @unchecked Sendable {
    enum Fault: Equatable {
        case none
        /// Close the connection with no response; `afterApplying` lets a POST take effect first.
        case reset(afterApplying: Bool)
        /// Answer with a 5xx; `afterApplying` lets a POST take effect first.
        case serverError(status: Int, afterApplying: Bool)
    }

    private let seed: UInt64
    private let failRate: Double
    private let resetRate: Double
    private let refuseRate: Double
    private let lock = NSLock()
    private var seen: [String: UInt64] = [:]

    init(seed: UInt64, failRate: Double, resetRate: Double, refuseRate: Double = 0) {
        self.seed = seed
        self.failRate = failRate
        self.resetRate = resetRate
        self.refuseRate = refuseRate
    }

    /// Whether every update of the worker or task at `path` is refused with a 400: drawn once
    /// per path, so a refused target stays refused, as one TaskRouter will not take stays so.
    func refuses(path: String) -> Bool {
        guard refuseRate > 0 else { return false }
        var state = seed ^ SIDGenerator.fnv1a("refuse " + path)
        return FaultPlan.unit(&state) < refuseRate
    }

    func fault(method: String, path: String) -> Fault {
        guard failRate > 0 || resetRate > 0 else { return .none }
        let key = method + " " + path
        lock.lock()
        let occurrence = seen[key, default: 0]
        seen[key] = occurrence + 1
        lock.unlock()
        var state = seed ^ SIDGenerator.fnv1a(key) ^ (occurrence &* 0x9E37_79B9_7F4A_7C15)
        let draw = FaultPlan.unit(&state)
        let shape = FaultPlan.unit(&state)
        let isPost = method == "POST"
        if draw < resetRate { return .reset(afterApplying: isPost && shape < 0.5) }
        if draw < resetRate + failRate {
            return .serverError(
                status: shape < 0.25 || (shape >= 0.5 && shape < 0.75) ? 500 : 503,
                afterApplying: isPost && shape < 0.5)
        }
        return .none
    }

    /// A uniform draw in [0, 1) from a SplitMix64 step.
    static func unit(_ state: inout UInt64) -> Double {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

/// Accepts at most `limit` requests in any one-second window (a sliding log of accepted requests).
// @unchecked: the window is read and written under `lock`.
final class RateWindow: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var accepted: [Double] = []
    private var head = 0

    init(limit: Int) { self.limit = limit }

    /// Admits a request at `now` when the window has room; otherwise says how long until it will.
    func admit(now: Double) -> (accepted: Bool, remaining: Int, retryAfter: Double) {
        lock.lock()
        defer { lock.unlock() }
        while head < accepted.count, accepted[head] <= now - 1.0 { head += 1 }
        if head > 4096 {
            accepted.removeFirst(head)
            head = 0
        }
        let inWindow = accepted.count - head
        if inWindow < limit {
            accepted.append(now)
            return (true, limit - inWindow - 1, 0)
        }
        return (false, 0, accepted[head] + 1.0 - now)
    }
}
