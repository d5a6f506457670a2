import Foundation

/// Work read in order by one thread at a time, processed on whichever thread read it, and handed
/// to the caller in the order it was read: how flexsync spreads reading over cores without
/// reordering anything.
///
/// Reading (scanning a CSV file's bytes, taking records from a reader) must happen in sequence;
/// what follows it (building records, mapping them) may run anywhere. Every thread — the caller of
/// ``take(process:)`` and the helpers in ``help(as:process:)`` — takes the read step when no other
/// thread holds it, reads one unit, lets go, processes the unit with its own `process`, and files
/// the output under the unit's number. The caller takes outputs in number order, doing work
/// itself rather than waiting while it can. At most `limit` units are read and not yet taken,
/// which bounds memory whatever the input. An output the caller is done with goes back to the
/// thread that made it to be freed (``recycle(_:from:)``): glibc locks the allocating thread's
/// arena to free memory from another thread, and two threads contending for it cost more than
/// the work.
// @unchecked: every mutable member is guarded by `condition`; `read` (and what it reads from) is
// called only by the thread that set `reading`.
final class OrderedWork<Input, Output>: @unchecked Sendable {
    /// One unit read: the input, and whether it was the last.
    typealias Read = (input: Input?, last: Bool)

    /// An output with the thread that made it: 0 for the caller, 1… for helpers.
    struct Made {
        var output: Output
        var worker: Int
    }

    private let read: () -> Read
    private let limit: Int
    private let condition = NSCondition()
    private var done: [Int: Made] = [:]
    /// Units read so far; the next unit read gets this number.
    private var claimed = 0
    /// Units the caller has taken.
    private var taken = 0
    private var reading = false
    private var finished = false
    private var cancelled = false
    /// Outputs the caller is done with, by the helper that made them, to be freed there.
    private var trash: [Int: [Output]] = [:]

    /// `read` gives the next unit (nil input when there is none) and says whether it was the last.
    init(limit: Int, read: @escaping () -> Read) {
        self.limit = max(1, limit)
        self.read = read
    }

    private var canRead: Bool { !reading && !finished && !cancelled && claimed - taken < limit }

    /// A helper thread: read and process units until the input is finished or the work is cancelled.
    func help(as worker: Int, process: (Input) -> Output) {
        condition.lock()
        while !cancelled && !finished {
            if let outputs = trash.removeValue(forKey: worker) {
                condition.unlock()
                _ = consume outputs
                condition.lock()
            } else if canRead {
                step(as: worker, process: process)
            } else {
                condition.wait()
            }
        }
        // Whatever was given back after the end is freed here too.
        let outputs = trash.removeValue(forKey: worker)
        condition.unlock()
        _ = consume outputs
    }

    /// The caller: the next output in order, or nil after the last.
    func take(process: (Input) -> Output) -> Made? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let made = done.removeValue(forKey: taken) {
                taken += 1
                condition.broadcast()
                return made
            }
            if finished && taken == claimed { return nil }
            if canRead {
                step(as: 0, process: process)
            } else {
                condition.wait()
            }
        }
    }

    /// Takes back an output the caller is done with, for the thread that made it to free.
    func recycle(_ output: Output, from worker: Int) {
        guard worker > 0 else { return }
        condition.lock()
        // Helpers stop once everything is read; what comes back after that is freed here.
        if !cancelled && !finished {
            trash[worker, default: []].append(output)
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Stops the helpers; the caller has gone.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads the next unit and processes it with the lock released; called and returns with it held.
    private func step(as worker: Int, process: (Input) -> Output) {
        reading = true
        let number = claimed
        claimed += 1
        condition.unlock()
        let unit = read()
        condition.lock()
        reading = false
        if unit.last || unit.input == nil { finished = true }
        condition.broadcast()
        guard let input = unit.input else {
            // Nothing was read: the number is not used.
            claimed -= 1
            return
        }
        condition.unlock()
        let output = process(input)
        condition.lock()
        done[number] = Made(output: output, worker: worker)
        condition.broadcast()
    }
}
