import Foundation
import Synchronization

/// Hands scanned batches from the background thread to whichever thread is free to turn them
/// into records, and the records to the caller in order. At most `limit` batches are in flight,
/// which bounds memory whatever the file size.
// @unchecked: every mutable member is guarded by `condition`; the scanner sits in its own Mutex.
final class CSVPipeline: @unchecked Sendable {
    private enum Slot {
        case scanned(ScannedBatch)
        case working
        case done(RecordBatch)
    }

    // Everything below is guarded by `condition`, except `scanner`, which has a lock of its own
    // (taken once per batch, by the background thread only).
    private let condition = NSCondition()
    private var slots: [Int: Slot] = [:]
    private var produced = 0
    private var scanningDone = false
    private var cancelled = false
    private var producing = true
    /// Batches the caller is done with, for the background thread to free.
    private var trash: [[Record]] = []
    private let scanner: Mutex<CSVScanner>
    private let schema: RecordSchema
    private let file: String
    private let columns: Int
    private let limit = 6
    private let recordsPerBatch = 2048

    private let lazyValues: Bool

    init(scanner: sending CSVScanner, lazyValues: Bool) {
        self.lazyValues = lazyValues
        schema = scanner.schema
        file = scanner.file
        columns = scanner.headerCount
        self.scanner = Mutex(scanner)
    }

    func start() {
        let thread = Thread { [self] in produce() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops the background thread; the reader is gone.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest batch that is scanned and not yet claimed by either thread.
    private func oldestUnclaimed(after first: Int = -1) -> Int? {
        var oldest: Int?
        for (number, slot) in slots where number > first {
            if case .scanned = slot, oldest == nil || number < oldest! { oldest = number }
        }
        return oldest
    }

    private func newestUnclaimed() -> Int? {
        var newest: Int?
        var unclaimed = 0
        for (number, slot) in slots {
            if case .scanned = slot {
                unclaimed += 1
                if newest == nil || number > newest! { newest = number }
            }
        }
        return unclaimed > 1 || slots.count >= limit || scanningDone ? newest : nil
    }

    /// Claims a scanned batch, builds its records with the lock released, and stores them.
    private func build(_ number: Int) -> RecordBatch {
        guard case .scanned(let scanned) = slots[number] else {
            fatalError("batch \(number) is not waiting to be built")
        }
        slots[number] = .working
        condition.unlock()
        let built = Self.records(of: scanned, schema: schema, file: file, columns: columns, lazyValues: lazyValues)
        condition.lock()
        return built
    }

    /// Takes back a batch the background thread built, once the caller has moved past it.
    func recycle(_ records: [Record]) {
        condition.lock()
        if producing {
            trash.append(records)
            condition.signal()
            condition.unlock()
        } else {
            condition.unlock()
        }
    }

    /// The background thread: scan ahead, and build records when there is nothing to scan.
    private func produce() {
        condition.lock()
        while !cancelled {
            if !trash.isEmpty {
                var done: [[Record]] = []
                swap(&done, &trash)
                condition.unlock()
                done = []
                condition.lock()
            } else if let number = newestUnclaimed() {
                var built = build(number)
                built.builtInBackground = true
                slots[number] = .done(built)
                condition.broadcast()
            } else if !scanningDone && slots.count < limit {
                condition.unlock()
                let scanned = scanner.withLock { $0.nextBatch(limit: recordsPerBatch) }
                condition.lock()
                if let scanned {
                    slots[produced] = .scanned(scanned)
                    produced += 1
                    if scanned.error != nil { scanningDone = true }
                } else {
                    scanningDone = true
                }
                condition.broadcast()
            } else {
                condition.wait()
            }
        }
        producing = false
        condition.unlock()
    }

    /// Batch `number` as records, or nil after the last one. While it is being built by the
    /// background thread, the caller builds a later one instead of waiting idle.
    func take(_ number: Int) -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch slots[number] {
            case .done(let built)?:
                slots[number] = nil
                condition.broadcast()
                return built
            case .scanned?:
                let built = build(number)
                slots[number] = nil
                condition.broadcast()
                return built
            case .working?:
                break
            case nil:
                if scanningDone && number >= produced { return nil }
            }
            if let later = oldestUnclaimed(after: number) {
                slots[later] = .done(build(later))
                condition.broadcast()
                continue
            }
            condition.wait()
        }
    }

    /// Turns a scanned batch into records, every field checked as UTF-8: built as strings, or
    /// with `lazyValues` left as extents into the batch's bytes until read.
    static func records(of scanned: ScannedBatch, schema: RecordSchema, file: String, columns: Int, lazyValues: Bool)
        -> RecordBatch
    {
        // Checked here, so that an error comes after the records before it. A record is checked
        // in one go, from its first field to its last: the separators between fields are ASCII,
        // so the span is valid UTF-8 exactly when every field is.
        var failure: Error?
        var built = 0
        scanned.bytes.withUnsafeBufferPointer { bytes in
            scanned.fields.withUnsafeBufferPointer { fields in
                for record in scanned.records {
                    let first = fields[record.firstField]
                    let last = fields[record.firstField + record.fieldCount - 1]
                    let span = UnsafeBufferPointer(
                        start: bytes.baseAddress! + first.start, count: last.end - first.start)
                    if !CSVScanner.isASCII(span) && CSVScanner.firstInvalidUTF8(span) != span.count {
                        for index in record.firstField..<record.firstField + record.fieldCount {
                            let field = fields[index]
                            let slice = UnsafeBufferPointer(
                                start: bytes.baseAddress! + field.start, count: field.end - field.start)
                            if CSVScanner.firstInvalidUTF8(slice) != slice.count {
                                failure = CSVScanner.invalidUTF8(
                                    in: field, bytes: bytes, recordStart: first.start,
                                    line: record.line, byteOffset: scanned.byteOffset, file: file)
                                return
                            }
                        }
                    }
                    built += 1
                }
            }
        }
        let kept = scanned.records[0..<built]
        // Every record's position counts a reference to the file's name; one string shared by
        // every batch had the threads that map records and the one that checks them contending
        // for its count, so each batch gets a copy of its own.
        let file = file.unshared
        // Where each record's values start in the block; short rows are padded with empty values.
        var starts: [Int] = []
        starts.reserveCapacity(built)
        let block: TextBlock
        if lazyValues {
            // Records whose fields are exactly the header's use the scanned extents as they are.
            var extents = scanned.fields
            if kept.allSatisfy({ $0.fieldCount == columns }) {
                starts = kept.map(\.firstField)
            } else {
                extents = []
                extents.reserveCapacity(built * columns)
                for record in kept {
                    starts.append(extents.count)
                    extents += scanned.fields[record.firstField..<record.firstField + record.fieldCount]
                    for _ in record.fieldCount..<max(columns, record.fieldCount) {
                        extents.append(FieldExtent(start: 0, end: 0, escaped: false))
                    }
                }
            }
            block = TextBlock(bytes: scanned.bytes, extents: extents, schema: schema, file: file)
        } else {
            var texts: [String] = []
            texts.reserveCapacity(built * columns)
            scanned.bytes.withUnsafeBufferPointer { bytes in
                for record in kept {
                    starts.append(texts.count)
                    for index in record.firstField..<record.firstField + record.fieldCount {
                        texts.append(CSVScanner.checkedText(of: scanned.fields[index], in: bytes))
                    }
                    for _ in record.fieldCount..<max(columns, record.fieldCount) { texts.append("") }
                }
            }
            block = TextBlock(texts, schema: schema, file: file)
        }
        var records: [Record] = []
        records.reserveCapacity(built)
        for (record, start) in zip(kept, starts) {
            records.append(
                Record(
                    block: block, start: start, count: max(columns, record.fieldCount), line: record.line,
                    number: record.number))
        }
        return RecordBatch(records: records, emptyRows: scanned.emptyRows, error: failure ?? scanned.error)
    }
}
