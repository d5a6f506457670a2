import Foundation

/// A reader's records mapped on every core, handed back one at a time in file order, with a read
/// error exactly where the reader raised it.
///
/// Mapping a record costs several times what reading it does, so one thread mapping behind a
/// fast reader leaves the other cores idle. Here each thread — the caller and `threads - 1`
/// helpers — takes the reader in turn for a chunk of records and maps the chunk with its own
/// binding of the mapping (``BoundMapping``: memos and field columns are per thread), through
/// ``OrderedWork``, which hands chunks back in file order, bounds how many are in flight, and has
/// each chunk freed by the thread that mapped it.
public final class MappedStream {
    /// A chunk of records read, with the reader's error after them, which ends the stream.
    struct Read {
        var records: [Record]
        var error: Error?
    }

    /// A chunk of mappings, in the store's layout too when the stream encodes them, with the
    /// reader's error after them.
    struct Chunk {
        var records: [MappedRecord]
        var encoded: RecordStore.EncodedRecords?
        var error: Error?
    }

    /// Internal, not private: tests watch the helpers let go of it when the stream goes.
    let work: OrderedWork<Read, Chunk>
    private let reader: RecordReader
    /// The caller's own binding of the mapping.
    private let bound: BoundMapping
    /// The caller's own encoder, when the stream encodes its chunks for a ``RecordStore``.
    private let encoder: RecordStore.Encoder?
    private var current: [MappedRecord] = []
    private var index = 0
    private var producer = 0
    private var pendingError: Error?

    /// `threads` counts the caller; 1 maps everything on the caller's thread. With `storeKeys`
    /// (a ``RecordStore``'s keys) each chunk is also written in the store's layout by the thread
    /// that mapped it (see ``RecordStore/EncodedRecords``).
    public init(
        reader: RecordReader, mapping: Mapping, policy: Mapping.RunPolicy,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, chunkSize: Int = 4096,
        storeKeys: [String]? = nil
    ) {
        let threads = max(1, threads)
        let chunkSize = max(1, chunkSize)
        let schema = reader.schema
        self.reader = reader
        bound = mapping.bind(to: schema, policy: policy, shortcuts: ByteCheck.shortcut(for:))
        encoder = storeKeys.map { RecordStore.Encoder(keys: $0) }
        // Only the thread holding the read step calls the reader (see OrderedWork).
        work = OrderedWork(limit: 2 * threads + 2) {
            var records: [Record] = []
            records.reserveCapacity(chunkSize)
            do {
                while records.count < chunkSize {
                    guard let record = try reader.next() else {
                        return (records.isEmpty ? nil : Read(records: records), true)
                    }
                    records.append(record)
                }
            } catch {
                return (Read(records: records, error: error), true)
            }
            return (Read(records: records), false)
        }
        for helper in 1..<threads {
            let thread = Thread { [work] in
                let bound = mapping.bind(to: schema, policy: policy, shortcuts: ByteCheck.shortcut(for:))
                let encoder = storeKeys.map { RecordStore.Encoder(keys: $0) }
                work.help(as: helper) { Self.map($0, with: bound, encoder: encoder) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { work.cancel() }

    private static func map(_ read: Read, with bound: BoundMapping, encoder: RecordStore.Encoder?) -> Chunk {
        let records = read.records.map { bound.map($0) }
        return Chunk(records: records, encoded: encoder?.encode(records), error: read.error)
    }

    /// The next chunk from the work, mapped by this thread when it gets there first.
    private func take() -> (chunk: Chunk, worker: Int)? {
        let bound = bound
        let encoder = encoder
        guard let made = work.take(process: { Self.map($0, with: bound, encoder: encoder) }) else { return nil }
        return (made.output, made.worker)
    }

    /// The next record's mapping, nil after the last, or the reader's error at its place.
    public func next() throws -> MappedRecord? {
        while true {
            if index < current.count {
                index += 1
                return current[index - 1]
            }
            if let pendingError { throw pendingError }
            if !current.isEmpty {
                work.recycle(Chunk(records: current), from: producer)
                current = []
            }
            guard let (chunk, worker) = take() else { return nil }
            current = chunk.records
            index = 0
            producer = worker
            pendingError = chunk.error
        }
    }

    /// The next chunk of mappings, in file order, for callers that go through them in place
    /// (a copy of each record would count references to all its arrays and strings); nil after
    /// the last, or the reader's error after the chunk that holds the records before it. Give
    /// each chunk back with ``recycle(_:)`` when done with it.
    public func nextChunk() throws -> [MappedRecord]? { try nextEncodedChunk()?.records }

    /// ``nextChunk()``, with the chunk in a ``RecordStore``'s layout when the stream encodes
    /// (nil for records left over from ``next()``, and for a chunk naming a key the store's
    /// list lacks).
    public func nextEncodedChunk() throws -> (records: [MappedRecord], encoded: RecordStore.EncodedRecords?)? {
        if index < current.count {
            let rest = Array(current[index...])
            index = current.count
            return (rest, nil)
        }
        if let pendingError { throw pendingError }
        guard let (chunk, worker) = take() else { return nil }
        pendingError = chunk.error
        producer = worker
        current = []
        index = 0
        return (chunk.records, chunk.encoded)
    }

    /// Takes back a chunk from ``nextChunk()``, to be freed by the thread that mapped it.
    public func recycle(_ chunk: [MappedRecord]) {
        work.recycle(Chunk(records: chunk), from: producer)
    }

    /// Rows the reader skipped as empty; complete once `next()` or `nextChunk()` returned nil or threw.
    public var skippedEmptyRows: Int { reader.skippedEmptyRows }
}
