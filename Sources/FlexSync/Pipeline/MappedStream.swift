import Foundation

/// A reader's records mapped on every core, handed back one at a time in file order, with a read
/// error exactly where the reader raised it.
///
/// Mapping a record costs several times what reading it does, so one thread mapping behind a
/// fast reader leaves the other cores idle. Here each thread — the caller and `threads - 1`
/// helpers — takes the reader in turn for a chunk of records, maps the chunk with its own binding
/// of the mapping (``BoundMapping``: memos and field columns are per thread), and files the result under the
/// chunk's number; the caller takes the results in number order. At most `limit` chunks are read
/// and not yet taken, which bounds memory whatever the export. A chunk the caller is done with
/// goes back to the thread that mapped it to be freed: glibc locks the allocating thread's arena
/// to free memory from another thread, and two threads contending for it cost more than mapping.
public final class MappedStream {
    let work: MappingWork
    private var current: [MappedRecord] = []
    private var index = 0
    private var producer = 0
    private var pendingError: Error?

    /// `threads` counts the caller; 1 maps everything on the caller's thread.
    public init(
        reader: RecordReader, mapping: Mapping, policy: Mapping.RunPolicy,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, chunkSize: Int = 4096
    ) {
        let threads = max(1, threads)
        work = MappingWork(
            reader: reader, mapping: mapping, policy: policy, chunkSize: max(1, chunkSize), limit: 2 * threads + 2)
        for helper in 1..<threads {
            let thread = Thread { [work] in work.help(as: helper) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { work.cancel() }

    /// The next record's mapping, nil after the last, or the reader's error at its place.
    public func next() throws -> MappedRecord? {
        while true {
            if index < current.count {
                index += 1
                return current[index - 1]
            }
            if let pendingError { throw pendingError }
            if !current.isEmpty {
                work.recycle(current, mappedBy: producer)
                current = []
            }
            guard let chunk = work.take() else { return nil }
            current = chunk.records
            index = 0
            producer = chunk.producer
            pendingError = chunk.error
        }
    }

    /// The next chunk of mappings, in file order, for callers that go through them in place
    /// (a copy of each record would count references to all its arrays and strings); nil after
    /// the last, or the reader's error after the chunk that holds the records before it. Give
    /// each chunk back with ``recycle(_:)`` when done with it.
    public func nextChunk() throws -> [MappedRecord]? {
        if index < current.count {
            let rest = Array(current[index...])
            index = current.count
            return rest
        }
        if let pendingError { throw pendingError }
        guard let chunk = work.take() else { return nil }
        pendingError = chunk.error
        producer = chunk.producer
        current = []
        index = 0
        return chunk.records
    }

    /// Takes back a chunk from ``nextChunk()``, to be freed by the thread that mapped it.
    public func recycle(_ chunk: [MappedRecord]) {
        work.recycle(chunk, mappedBy: producer)
    }

    /// Rows the reader skipped as empty; complete once `next()` or `nextChunk()` returned nil or threw.
    public var skippedEmptyRows: Int { work.reader.skippedEmptyRows }
}

/// The state the caller and the helper threads share, all of it guarded by `condition` except the
/// reader, which belongs to whichever thread holds `readerBusy`.
// @unchecked: every mutable member is guarded by `condition`, the reader by the `readerBusy` flag.
final class MappingWork: @unchecked Sendable {
    struct Chunk {
        var records: [MappedRecord]
        /// The reader's error after these records, which ends the stream.
        var error: Error?
        /// The thread that mapped the chunk: 0 for the caller, 1… for helpers.
        var producer: Int
    }

    let reader: RecordReader
    /// The reader's schema, read once on the caller's thread.
    private let schema: RecordSchema
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
    /// Chunks the caller is done with, by the helper that mapped them, to be freed there.
    private var trash: [Int: [[MappedRecord]]] = [:]
    /// The caller's own binding of the mapping, made on first use (on the caller's thread).
    private lazy var callerBinding = mapping.bind(to: schema, policy: policy)

    init(reader: RecordReader, mapping: Mapping, policy: Mapping.RunPolicy, chunkSize: Int, limit: Int) {
        self.reader = reader
        self.mapping = mapping
        self.policy = policy
        schema = reader.schema
        self.chunkSize = chunkSize
        self.limit = limit
    }

    private var canClaim: Bool { !readerBusy && !readerFinished && !cancelled && claimed - taken < limit }

    /// A helper thread: read and map chunks until the reader is finished or the stream is gone.
    func help(as helper: Int) {
        let bound = mapping.bind(to: schema, policy: policy)
        condition.lock()
        while !cancelled && !readerFinished {
            if let done = trash.removeValue(forKey: helper) {
                condition.unlock()
                _ = consume done
                condition.lock()
            } else if canClaim {
                process(with: bound, as: helper)
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
                process(with: callerBinding, as: 0)
            } else {
                condition.wait()
            }
        }
    }

    /// Takes back a chunk the caller is done with, for the helper that mapped it to free.
    func recycle(_ records: [MappedRecord], mappedBy producer: Int) {
        guard producer > 0 else { return }
        condition.lock()
        if !readerFinished && !cancelled {
            trash[producer, default: []].append(records)
            condition.broadcast()
        }
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads the next chunk and maps it with the lock released; called and returns with it held.
    private func process(with bound: BoundMapping, as producer: Int) {
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
                guard let record = try reader.next() else {
                    ended = true
                    break
                }
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
        let mapped = records.map { bound.map($0) }
        records = []
        condition.lock()
        done[number] = Chunk(records: mapped, error: error, producer: producer)
        condition.broadcast()
    }
}
