import Foundation

/// A CSV file's records on two threads, in file order: the scanner's batches (record and field
/// boundaries, read in sequence) are turned into records (every value checked as UTF-8) by
/// whichever thread read them, through ``OrderedWork``. A background thread reads and builds
/// ahead; the caller of ``take()`` does the same instead of waiting, so a caller that does little
/// per record still gets both cores, and one that does a lot (mapping) finds its records ready.
final class CSVPipeline: Sendable {
    /// Internal, not private: tests watch the background thread let go of it when the reader goes.
    let work: OrderedWork<ScannedBatch, RecordBatch>
    private let build: @Sendable (ScannedBatch) -> RecordBatch
    /// Batches in flight at most, and records per batch.
    private static let limit = 6
    private static let recordsPerBatch = 1024

    init(scanner: sending CSVScanner, lazyValues: Bool) {
        let schema = scanner.schema
        let file = scanner.file
        let columns = scanner.headerCount
        build = { Self.records(of: $0, schema: schema, file: file, columns: columns, lazyValues: lazyValues) }
        // Only the thread holding the read step calls the scanner (see OrderedWork).
        work = OrderedWork(limit: Self.limit) {
            let batch = scanner.nextBatch(limit: Self.recordsPerBatch)
            return (batch, batch == nil || batch?.error != nil)
        }
        let thread = Thread { [work, build] in work.help(as: 1, process: build) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The next batch of records in file order, and the thread that built it; nil after the last.
    func take() -> OrderedWork<ScannedBatch, RecordBatch>.Made? { work.take(process: build) }

    /// Takes back a batch the caller is done with, to be freed by the thread that built it.
    func recycle(_ batch: RecordBatch, from worker: Int) { work.recycle(batch, from: worker) }

    /// Stops the background thread; the reader is gone.
    func cancel() { work.cancel() }

    /// The malformed records' starts in their block, with the number of fields each has.
    private static func malformed(_ records: ArraySlice<ScannedRecord>, _ starts: [Int]) -> [Int: Int] {
        var found: [Int: Int] = [:]
        for (record, start) in zip(records, starts) where record.malformed { found[start] = record.fieldCount }
        return found
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
            block = TextBlock(
                bytes: scanned.bytes, extents: extents, schema: schema, file: file,
                malformed: malformed(kept, starts))
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
            block = TextBlock(texts, schema: schema, file: file, malformed: malformed(kept, starts))
        }
        var records: [Record] = []
        records.reserveCapacity(built)
        for (record, start) in zip(kept, starts) {
            records.append(
                Record(
                    block: block, start: start, count: max(columns, record.fieldCount), line: record.line,
                    number: record.number))
        }
        return RecordBatch(
            records: records, emptyRows: scanned.emptyRows, repeatedHeaders: scanned.repeatedHeaders,
            error: failure ?? scanned.error)
    }
}
