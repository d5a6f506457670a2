import Foundation

/// A reader's records mapped on every core, handed back one at a time in file order, with a read
/// error exactly where the reader raised it.
///
/// Mapping a record costs several times what reading it does, so one thread mapping behind a
/// fast reader leaves the other cores idle. Here each thread — the caller and `threads - 1`
/// helpers — takes the reader in turn for a chunk of records, maps the chunk with its own replica
/// of the mapping (memos and field positions are per thread), and files the result under the
/// chunk's number; the caller takes the results in number order. At most `limit` chunks are read
/// and not yet taken, which bounds memory whatever the export.
public final class MappedStream {
    let work: MappingWork
    private var current: [MappedRecord] = []
    private var pendingError: Error?

    /// `threads` counts the caller; 1 maps everything on the caller's thread.
    public init(reader: RecordReader, mapping: Mapping, policy: Mapping.RunPolicy,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, chunkSize: Int = 1024) {
        let threads = max(1, threads)
        work = MappingWork(reader: reader, mapping: mapping, policy: policy, chunkSize: max(1, chunkSize), limit: 2 * threads + 2)
        for _ in 1..<threads {
            let replica = mapping.replica()
            let thread = Thread { [work] in work.help(with: replica) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { work.cancel() }

    /// The next record's mapping, nil after the last, or the reader's error at its place.
    public func next() throws -> MappedRecord? {
        while true {
            // Chunks arrive reversed, so that each record is moved out rather than copied.
            if let record = current.popLast() { return record }
            if let pendingError { throw pendingError }
            guard let chunk = work.take() else { return nil }
            current = chunk.records
            pendingError = chunk.error
        }
    }

    /// Rows the reader skipped as empty; complete once `next()` returned nil or threw.
    public var skippedEmptyRows: Int { work.reader.skippedEmptyRows }
}

/// The state the caller and the helper threads share, all of it guarded by `condition` except the
/// reader, which belongs to whichever thread holds `readerBusy`.
final class MappingWork: @unchecked Sendable {
    struct Chunk {
        /// Last record first.
        var records: [MappedRecord]
        /// The reader's error after these records, which ends the stream.
        var error: Error?
    }

    let reader: RecordReader
    private let mapping: Mapping
    private let policy: Mapping.RunPolicy
    private let chunkSize: Int
    private let limit: Int
    private let condition = NSCondition()
    private var done: [Int: Chunk] = [:]
    /// Chunks handed out so far; the next chunk read gets this number.
    private var claimed = 0
    /// Chunks the caller has taken.
    private var taken = 0
    private var readerBusy = false
    private var readerFinished = false
    private var cancelled = false

    init(reader: RecordReader, mapping: Mapping, policy: Mapping.RunPolicy, chunkSize: Int, limit: Int) {
        self.reader = reader; self.mapping = mapping; self.policy = policy
        self.chunkSize = chunkSize; self.limit = limit
    }

    private var canClaim: Bool { !readerBusy && !readerFinished && !cancelled && claimed - taken < limit }

    /// A helper thread: read and map chunks until the reader is finished or the stream is gone.
    func help(with replica: Mapping) {
        condition.lock()
        while !cancelled && !readerFinished {
            if canClaim {
                process(with: replica)
            } else {
                condition.wait()
            }
        }
        condition.unlock()
    }

    /// The caller: chunk `taken`, mapping chunks itself rather than waiting while it can.
    func take() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let chunk = done.removeValue(forKey: taken) {
                taken += 1
                condition.broadcast()
                return chunk
            }
            if readerFinished && taken == claimed { return nil }
            if canClaim {
                process(with: mapping)
            } else {
                condition.wait()
            }
        }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads the next chunk and maps it with the lock released; called and returns with it held.
    private func process(with mapping: Mapping) {
        readerBusy = true
        let number = claimed
        claimed += 1
        condition.unlock()
        var records: [Record] = []
        records.reserveCapacity(chunkSize)
        var error: Error?
        var ended = false
        do {
            while records.count < chunkSize {
                guard let record = try reader.next() else { ended = true; break }
                records.append(record)
            }
        } catch let failure {
            error = failure
        }
        condition.lock()
        readerBusy = false
        if ended || error != nil { readerFinished = true }
        condition.broadcast()
        condition.unlock()
        var mapped: [MappedRecord] = []
        mapped.reserveCapacity(records.count)
        while let record = records.popLast() { mapped.append(mapping.run(record, policy: policy)) }
        condition.lock()
        done[number] = Chunk(records: mapped, error: error)
        condition.broadcast()
    }
}
