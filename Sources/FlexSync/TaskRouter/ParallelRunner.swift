import Foundation

/// Runs work on a fixed number of OS threads, each with its own libcurl session. libcurl's easy
/// interface blocks, so it runs on threads of its own rather than on Swift's cooperative pool.
public struct ParallelRunner {
    public let count: Int

    public init(count: Int) { self.count = max(1, count) }

    /// Applies `body` to every item; the first error (if any) is rethrown after all threads stop.
    public func map<Item, Result>(_ items: [Item], _ body: @escaping (Item, CurlSession) throws -> Result) throws
        -> [Result]
    {
        let state = RunnerState(count: items.count, work: { index, session in try body(items[index], session) })
        let group = DispatchGroup()
        for _ in 0..<min(count, max(1, items.count)) {
            group.enter()
            let thread = Thread {
                state.drain()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        if let failure = state.failure { throw failure }
        return state.results.map { $0 as! Result }
    }
}

/// The shared queue of one ``ParallelRunner/map(_:_:)`` call.
// @unchecked: `next`, `results` and `failure` are read and written under `lock`.
private final class RunnerState: @unchecked Sendable {
    let lock = NSLock()
    let count: Int
    let work: (Int, CurlSession) throws -> Any
    var next = 0
    var results: [Any?]
    var failure: Error?

    init(count: Int, work: @escaping (Int, CurlSession) throws -> Any) {
        self.count = count
        self.work = work
        results = Array(repeating: nil, count: count)
    }

    func drain() {
        let session: CurlSession
        do { session = try CurlSession() } catch {
            lock.withLock { if failure == nil { failure = error } }
            return
        }
        while true {
            let index: Int? = lock.withLock {
                guard failure == nil, next < count else { return nil }
                defer { next += 1 }
                return next
            }
            guard let index else { return }
            do {
                let result = try work(index, session)
                lock.withLock { results[index] = result }
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
    }
}
