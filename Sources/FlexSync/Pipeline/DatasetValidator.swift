import Foundation

/// The outcome of extract → map → validate over a whole export.
public struct ValidationOutcome: Sendable {
    public var rowsRead = 0
    public var valid = 0
    public var invalid = 0
    public var skipped = 0
    /// Rows the mapping's `skip_when` left out, and a report's total, heading and footer lines
    /// (part of `skipped`).
    public var skippedByCondition = 0
    /// Of those, a report's own lines.
    public var layoutRows = 0
    /// Rows `skip_when` did not leave out: what the empty-export gate counts.
    public var selected: Int { rowsRead - skippedByCondition }
    /// Why the run has nothing to write when it has not: no records, every row skipped by
    /// `skip_when`, or every selected row invalid. A run that selects nothing is not a success.
    public var nothingSelected: String?
    /// Why the share of invalid rows stops the run, when it does.
    public var invalidShareReason: String?
    /// Errors about the export as a whole (an XML key path that matched in no record).
    public var datasetErrors = 0
    public var emptyRowsSkipped = 0
    public var warnings = 0
    public var problems: [Problem] = []
    /// The mapped records, compactly, when asked for (plan needs them; validate does not).
    public var store = RecordStore()
    /// Valid mapped records, decoded from ``store`` (in file order).
    public var records: [MappedRecord] { store.validRecords }
    /// Why the run must stop, when it must.
    public var abortReason: String?
    /// Personal keys dropped under `pii: withhold`.
    public var withheldKeys: [String] = []

    /// Valid when nothing is invalid and nothing aborted the run.
    public var isValid: Bool { invalid == 0 && abortReason == nil && datasetErrors == 0 }
}

/// Runs a job's records through its mapping and applies the dataset rules: duplicate keys, empty
/// keys, high-cardinality custom attributes, the invalid-row share, and an empty export.
public struct DatasetValidator {
    public let job: Job
    /// Keep the valid mapped records in the outcome (for planning).
    public var keepRecords: Bool
    /// Stop collecting problem lines past this many (counts stay exact).
    public var maxProblems = 10_000
    /// Threads that map records (the calling one included).
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init(job: Job, keepRecords: Bool) {
        self.job = job
        self.keepRecords = keepRecords
    }

    public func run() throws -> ValidationOutcome {
        var outcome = ValidationOutcome()
        let mapping = job.mapping
        // Tasks are found by their customers' match values, so a tasks job indexes them as it keeps them.
        // The store numbers keys as the mapping threads do when they encode what is kept.
        let storeKeys = mapping.managedKeys + ["friendly_name"]
        outcome.store = RecordStore(indexesMatches: mapping.target == .tasks, keys: storeKeys)
        var policy = Mapping.RunPolicy(
            nullTokens: job.source.nullTokens, tooLong: job.policies.tooLong,
            withholdPersonal: job.policies.pii == .withhold, checksOnly: !keepRecords,
            lossyText: job.policies.lossyText)
        policy.emptyKey = job.policies.emptyKey
        // One entry per distinct key of the whole export, so kept small: where the key was first
        // seen in 24 bytes, the key's bytes in the table's own buffer.
        let firstByKey = TextTable<FirstSeen>()
        var fileNames: [String] = []
        var conflicted = Set<String>()
        /// Rows with an error, each counted once (a duplicate's first row when its key first conflicts).
        var invalidRows = 0
        var cardinality = CardinalityTracker(keys: mapping.attributes.filter(\.isCustomAttributeSlot).map(\.key))
        var postalCodes = ZipLengthTracker(mapping: mapping)
        var idLengths = IdLengthTracker(mapping: mapping)
        // A duplicate names the value it shares, masked when it is personal (an e-mail, a phone,
        // a name): it may come from any match key when the first is empty and falls back.
        let personalKeys = Set(
            mapping.matchKeys.filter { key in
                key.friendlyName || key.attribute.map { mapping.attributes[$0].personal } ?? false
            }.map(\.name))
        var fallbackKeys = FallbackKeyTracker(mapping: mapping)
        // A tasks job's plan indexes every match value already: its shared values are found there.
        let fallbacksFromStore = keepRecords && outcome.store.indexesMatches
        func report(_ problem: Problem) {
            if problem.severity == .warning { outcome.warnings += 1 }
            if outcome.problems.count < maxProblems { outcome.problems.append(problem) }
        }
        for file in try job.source.files() {
            fileNames.append(file)
            let reader = try job.source.reader(for: file, mapping: mapping)
            if let csv = reader as? CSVReader {
                // The header's own problems first: a title line read as the header has blank and
                // missing columns, and what to set is the header's line, not the blank columns.
                let encoding = job.source.encodingProblem(file)
                let missing = SourceFieldCheck.missingColumns(mapping, header: reader.schema.names, file: file)
                if !missing.isEmpty {
                    let hint = job.source.headerLineHint(file, reader: csv, mapping: mapping)
                    // Column names misread in the wrong encoding are missing too: the encoding comes first.
                    throw SourceFieldError(problems: (encoding.map { [$0] } ?? []) + (hint.map { [$0] } ?? missing))
                }
                if let problem = try job.source.duplicateColumnProblem(file, reader: csv, mapping: mapping) {
                    report(problem)
                }
                for problem in try job.source.blankColumnProblems(file, reader: csv) { report(problem) }
                if let encoding { report(encoding) }
            }
            let rowsBefore = outcome.rowsRead
            let stream = MappedStream(
                reader: reader, mapping: mapping, policy: policy, threads: threads,
                storeKeys: keepRecords ? storeKeys : nil)
            /// `encoded`: the record's chunk as its mapping thread encoded it, adopted as a block;
            /// `offset`: the record's place in that chunk; `key`: its identity's ``IdentityKey``.
            @inline(__always) func consider(
                _ mapped: inout MappedRecord, at offset: Int, encoded: (RecordStore.EncodedRecords, Int)?,
                key: (text: String, letters: IdentityKey.LetterCase)?
            ) {
                outcome.rowsRead += 1
                if mapped.skipped {
                    // A report's total or footer line says why (skip_when's rows need no word).
                    for problem in mapped.problems { report(problem) }
                    if !mapped.problems.isEmpty { outcome.layoutRows += 1 }
                    outcome.skipped += 1
                    outcome.skippedByCondition += 1
                    return
                }
                let identity = mapped.identity
                let seen = key.flatMap { firstByKey[$0.text] }
                var caseNote = ""
                if let key, let seen, IdentityKey.differInCaseOnly(seen.letters, key.letters) {
                    caseNote = IdentityKey.caseOnlyNote
                }
                // Under 'error' every row sharing a key is named, whatever else is wrong with it;
                // 'first' and 'last' choose among valid rows only. An id met again in other letter
                // case is an error under every policy: live workers and tasks are matched by the id
                // as written, so keeping one spelling could drop the row that matches.
                let onDuplicate = caseNote.isEmpty ? job.policies.onDuplicate : .error
                if mapped.isValid || onDuplicate == .error, let identity, let seen {
                    let first = (position: seen.position(in: fileNames), index: seen.index)
                    let keysArePersonal = mapped.matchValues.first.map { personalKeys.contains($0.key) } ?? false
                    switch onDuplicate {
                    case .error:
                        mapped.problems.append(
                            Problem(
                                .error, mapped.position, field: mapping.key.match[0],
                                rule: "duplicate key\(caseNote), also on \(first.position)", value: identity,
                                personal: keysArePersonal))
                        // One entry for an id however its letters' case was written.
                        if conflicted.insert(key?.text ?? identity).inserted {
                            let problem = Problem(
                                .error, first.position, field: mapping.key.match[0],
                                rule: "duplicate key\(caseNote), also on \(mapped.position)",
                                value: IdentityKey.spelled(identity, as: seen.letters),
                                personal: keysArePersonal)
                            report(problem)
                            if let index = first.index { outcome.store.invalidate(index) }
                            fallbackKeys.supersede(row: Int(seen.row))
                            if !seen.invalid { invalidRows += 1 }
                        }
                    case .first:
                        report(
                            Problem(
                                .warning, mapped.position, field: mapping.key.match[0],
                                rule: "duplicate key\(caseNote), keeping \(first.position)", value: identity,
                                personal: keysArePersonal))
                        outcome.skipped += 1
                        return
                    case .last:
                        report(
                            Problem(
                                .warning, first.position, field: mapping.key.match[0],
                                rule: "duplicate key\(caseNote), replaced by \(mapped.position)",
                                value: IdentityKey.spelled(identity, as: seen.letters),
                                personal: keysArePersonal))
                        if let index = first.index { outcome.store.skip(index) }
                        fallbackKeys.supersede(row: Int(seen.row))
                        outcome.skipped += 1
                    }
                }
                for problem in mapped.problems { report(problem) }
                // A code's length says the same in a row with another error.
                postalCodes.observe(mapped)
                idLengths.observe(mapped)
                if mapped.isValid { cardinality.observe(mapped) } else { invalidRows += 1 }
                if !fallbacksFromStore {
                    fallbackKeys.observe(mapped, row: outcome.rowsRead, file: fileNames.count - 1)
                }
                let index = keepRecords ? outcome.store.count : nil
                if let identity, mapped.isValid || onDuplicate == .error, seen == nil || onDuplicate == .last {
                    var first = FirstSeen(
                        file: fileNames.count - 1, position: mapped.position, index: index, invalid: !mapped.isValid,
                        row: outcome.rowsRead)
                    first.letters = key?.letters ?? .noLetters
                    firstByKey[key?.text ?? identity] = first
                }
                guard keepRecords else { return }
                if let (chunk, block) = encoded {
                    outcome.store.append(mapped, encoded: chunk, block: block, at: offset)
                } else {
                    outcome.store.append(mapped)
                }
            }
            // Bound as a var at once: a second reference to the chunk would copy it on the first write.
            while case (var chunk, let encodedChunk)? = try stream.nextEncodedChunk() {
                let encoded = keepRecords ? encodedChunk.map { ($0, outcome.store.adopt($0)) } : nil
                // One key per row, a million rows: the table outgrows the cache, and a probe amid
                // the checks waits for its miss alone; a pass of loads first waits for many at once.
                // Each identity's lookup key is worked out once, here.
                var keys: [(text: String, letters: IdentityKey.LetterCase)?] = []
                keys.reserveCapacity(chunk.count)
                chunk.withUnsafeBufferPointer { records in
                    for index in records.indices {
                        let key = records[index].identity.map(IdentityKey.key)
                        if let key { firstByKey.warm(key.text) }
                        keys.append(key)
                    }
                }
                chunk.withUnsafeMutableBufferPointer { records in
                    for index in records.indices {
                        consider(&records[index], at: index, encoded: encoded, key: keys[index])
                    }
                }
                stream.recycle(chunk)
            }
            outcome.emptyRowsSkipped += stream.skippedEmptyRows
            if let line = (reader as? CSVReader)?.labelsLine {
                report(
                    Problem(
                        .warning, SourcePosition(file: file, line: line, record: 0), field: "-",
                        rule: "this row names the columns again as labels (a second header row, as SAP "
                            + "SuccessFactors writes): left out"))
            }
            for line in (reader as? CSVReader)?.repeatedHeaderLines ?? [] {
                report(
                    Problem(
                        .warning, SourcePosition(file: file, line: line, record: 0), field: "-",
                        rule: "this row repeats the header (two exports joined into one?): left out"))
            }
            if let matches = reader.fieldMatches {
                let records = outcome.rowsRead - rowsBefore
                for problem in SourceFieldCheck.unmatchedFields(mapping, matches: matches, records: records, file: file)
                {
                    if problem.severity == .error { outcome.datasetErrors += 1 }
                    report(problem)
                }
                for problem in SourceFieldCheck.fieldsMatchingSeveral(
                    mapping, reader.fieldsMatchingSeveral, records: records, file: file)
                {
                    report(problem)
                }
            }
        }
        outcome.store.sealIndex()
        let shared =
            fallbacksFromStore ? fallbackKeys.problems(in: outcome.store) : fallbackKeys.problems(files: fileNames)
        for problem in shared { report(problem) }
        // Counted row by row, whether records are kept or not: the problem list stops at
        // `maxProblems`, the count does not.
        outcome.invalid = invalidRows
        outcome.valid = outcome.rowsRead - outcome.skipped - outcome.invalid
        for warning in cardinality.warnings() + postalCodes.warnings() + idLengths.warnings() { report(warning) }
        // In file and line order, as a person reads the export beside them: checks made at a
        // file's end (a repeated header, an id's lost zeros) come back to their rows; the
        // export's own (no place) stay last.
        let fileOrder = Dictionary(fileNames.enumerated().map { ($1, $0) }) { first, _ in first }
        outcome.problems = outcome.problems.enumerated().sorted { left, right in
            func place(_ entry: (offset: Int, element: Problem)) -> (Int, Int, Int, Int) {
                guard let position = entry.element.position else { return (Int.max, 0, 0, entry.offset) }
                return (fileOrder[position.file] ?? Int.max - 1, position.line, position.record, entry.offset)
            }
            return place(left) < place(right)
        }.map(\.element)
        if job.policies.pii == .withhold {
            outcome.withheldKeys = mapping.attributes.filter { ValueRules.isPersonal($0.leaf, $0.object) }.map(\.key)
        }
        let considered = outcome.rowsRead - outcome.skipped
        outcome.nothingSelected = nothingSelected(outcome)
        if considered > 0, Double(outcome.invalid) / Double(considered) > job.policies.maxInvalidShare {
            outcome.invalidShareReason =
                "\(outcome.invalid) of \(considered) rows are invalid, "
                + "more than the \(Self.percent(job.policies.maxInvalidShare)) the job allows"
        }
        outcome.abortReason = outcome.nothingSelected ?? outcome.invalidShareReason
        return outcome
    }

    /// Which of the ways to select nothing this run took, if any.
    private func nothingSelected(_ outcome: ValidationOutcome) -> String? {
        let read = outcome.rowsRead
        if read == 0 {
            if job.source.format == .xml, let path = job.source.recordPath {
                return "the export has no rows: 0 records at the record path '\(path)' "
                    + "(check 'source.record' and 'namespaces')"
            }
            return "the export has no rows"
        }
        if outcome.selected == 0 && outcome.layoutRows == read {
            return "0 of \(read.grouped) rows selected: every row is a report's total, heading or footer line"
        }
        if outcome.selected == 0 {
            let condition = job.mapping.skipWhen.map { "skip_when \($0.summary)" } ?? "skip_when"
            return "0 of \(read.grouped) rows selected: \(condition) held on every row"
        }
        if outcome.valid == 0 {
            guard job.mapping.skipWhen != nil, outcome.selected < read else {
                return "0 of \(read.grouped) rows valid: every row is invalid"
            }
            return "0 of \(read.grouped) rows selected: all \(outcome.selected.grouped) rows skip_when kept are invalid"
        }
        return nil
    }

    /// A share as a percentage rounded to a tenth: `26.7%`, `20%` (never `26.700000000000003%`).
    static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0
            ? "\(Int(tenths / 10))%" : String(format: "%.1f%%", tenths / 10)
    }
}

/// Where a key was first seen: its file (an index into the run's files), line, record number,
/// index among kept records (-1 when records are not kept), and whether that row had an error.
struct FirstSeen {
    var file: Int32
    var line: Int32
    var record: Int32
    var kept: Int32
    var invalid: Bool
    var inXML: Bool
    /// The case of the id's letters as first seen (see ``IdentityKey``), in the padding after
    /// the two flags: the entry stays 24 bytes.
    var letters = IdentityKey.LetterCase.noLetters
    /// The record's number among all rows read (for ``FallbackKeyTracker/supersede(row:)``).
    var row: Int32

    init(file: Int, position: SourcePosition, index: Int?, invalid: Bool, row: Int = -1) {
        self.file = Int32(clamping: file)
        line = Int32(clamping: position.line)
        record = Int32(clamping: position.record)
        inXML = position.inXML
        kept = Int32(clamping: index ?? -1)
        self.invalid = invalid
        self.row = Int32(clamping: row)
    }

    var index: Int? { kept >= 0 ? Int(kept) : nil }

    func position(in files: [String]) -> SourcePosition {
        SourcePosition(file: files[Int(file)], line: Int(line), record: Int(record), inXML: inXML)
    }
}

/// Counts distinct values of custom `*_attribute_N` slots; nearly one per row means an identifier
/// sits where Insights wants a low-cardinality value.
struct CardinalityTracker {
    static let cap = 200_000
    let keys: [String]
    /// Distinct values seen, per key, compared by their bytes (values were normalised to NFC when read).
    private let distinct: [TextTable<Bool>]
    /// Per key, how many valid rows set it.
    private var filled: [Int]

    init(keys: [String]) {
        self.keys = keys
        distinct = keys.map { _ in TextTable() }
        filled = keys.map { _ in 0 }
    }

    mutating func observe(_ record: MappedRecord) {
        // Look up the few tracked keys rather than visit (and count references to) every value.
        for (slot, key) in keys.enumerated() {
            guard let index = record.set.firstIndex(where: { $0.key == key }) else { continue }
            filled[slot] += 1
            let seen = distinct[slot]
            if seen.count < Self.cap { seen[record.set[index].value.displayText] = true }
        }
    }

    func warnings() -> [Problem] {
        keys.enumerated().compactMap { slot, key in
            let count = distinct[slot].count
            let rows = filled[slot]
            guard rows >= 20, Double(count) >= 0.9 * Double(min(rows, Self.cap)) else { return nil }
            let label = key.replacingOccurrences(of: "_attribute_", with: "_label_")
            return Problem(
                .warning, nil, field: key,
                rule:
                    "\(count) distinct values in the \(rows) valid rows that set it: high-cardinality values slow "
                    + "Insights; use '\(label)' instead"
            )
        }
    }
}
