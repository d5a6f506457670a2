import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension SourceSpec {
    /// The files the source names, in sorted order; a glob that matches nothing is an error.
    public func files() throws -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0, result.gl_pathc > 0 else {
            throw ExtractError.noFilesMatch(pattern: pattern)
        }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// A reader for one file, extracting what `mapping` reads.
    public func reader(for file: String, mapping: Mapping) throws -> RecordReader {
        switch format {
        case .csv:
            // A mapping reads a few columns and looks most of them up by their bytes.
            var options = csv
            options.lazyValues = true
            options.allowDuplicateColumns = true
            options.malformedRowsAsRecords = true
            options.skipRepeatedHeaders = true
            return try CSVReader(path: file, options: options)
        case .xml:
            let fields = try mapping.sourceFields.map { field in
                XMLField(name: field, path: try XMLPath(field, namespaces: namespaces), take: mapping.take(of: field))
            }
            let options = XMLOptions(
                recordPath: try XMLPath(recordPath ?? "", namespaces: namespaces), fields: fields,
                maxRecordBytes: maxRecordBytes)
            return try XMLReader(path: file, options: options)
        }
    }
}

extension SourceSpec {
    /// When the mapping's columns are not in a CSV file's header: the line below it that holds
    /// them all (lines above it a report's title), as an error telling to set `header_line`.
    public func headerLineHint(_ file: String, reader: CSVReader, mapping: Mapping) -> Problem? {
        let wanted = mapping.sourceFields
        guard !wanted.isEmpty,
            let line = CSVReader.headerLine(
                in: file, options: csv, after: reader.headerLine,
                accepts: { names in Set(wanted).isSubset(of: names) })
        else { return nil }
        return Problem(
            .error, SourcePosition(file: file, line: line, record: 0), field: "-",
            rule: "the columns the mapping reads are on line \(line), not on line \(reader.headerLine): "
                + "the lines above it are not the header (a report title?): set 'source.header_line: \(line)'")
    }

    /// Column names the header repeats: an error when the mapping reads one (which column it
    /// means cannot be told), a warning naming them otherwise (a report that picked one field
    /// from two sections, unused here).
    public func duplicateColumnProblem(_ file: String, reader: CSVReader, mapping: Mapping) throws -> Problem? {
        let duplicates = reader.duplicateColumns
        guard !duplicates.isEmpty else { return nil }
        let read = Set(mapping.sourceFields)
        if let used = duplicates.first(where: { read.contains($0.name) }) {
            throw ExtractError.duplicateColumnName(
                file: file, line: reader.headerLine, name: used.name, first: used.first, second: used.second)
        }
        let named = duplicates.map { "'\($0.name)' (columns \($0.first) and \($0.second))" }.joined(separator: ", ")
        return Problem(
            .warning, SourcePosition(file: file, line: reader.headerLine, record: 0), field: "-",
            rule: "the header repeats \(named): not mapped, ignored")
    }

    /// A warning when the job names a single-byte encoding that the file's letters say it is not
    /// (judged on its first megabyte, from where its letters sit): LibreOffice's ISO-8859-15
    /// named `windows-1252` reads `œ` as `½`, Excel for Mac's Mac OS Roman reads `é` as `Ž`. Each
    /// damaged value is lossy text of its own; this says once, at the top, what to change.
    public func encodingProblem(_ file: String) -> Problem? {
        guard let declared = csv.encoding,
            [.windows1252, .latin1, .latin9, .macRoman, .windows1250, .windows1251, .windows1253, .windows1254]
                .contains(
                    declared),
            let handle = FileHandle(forReadingAtPath: file)
        else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 1 << 20) else { return nil }
        let tells = Array(head).withUnsafeBufferPointer { TextEncoding.singleByteTells($0) }
        let counts: [TextEncoding: Int] = [
            .macRoman: tells.mac, .latin9: tells.latin9, .windows1250: tells.centralEuropean,
            .windows1252: tells.windows, .shiftJIS: tells.shiftJIS, .windows1251: tells.cyrillic,
            .windows1254: tells.turkish, .windows1253: tells.greek
        ]
        // Windows-1252 and Latin-1 read every letter alike; a Latin-9 or Windows-1250 file
        // without its own letters reads as Windows-1252; Windows-1250's š and ž between letters
        // sit where Mac OS Roman's letters do, and a Mac file has them in nearly every word.
        let found = tells.guess
        let agrees: Bool
        switch declared {
        case .windows1252, .latin1: agrees = found == .windows1252
        case .latin9: agrees = found == .latin9 || found == .windows1252
        case .windows1250:
            agrees = ![.macRoman, .latin9, .shiftJIS, .windows1251, .windows1253, .windows1254].contains(found)
        // A Cyrillic file's Latin words read alike in any of them; a Turkish one without ı, ş or ğ
        // reads as Windows-1252.
        case .windows1251, .windows1253: agrees = found == declared || (!tells.wordsOfHighBytes && tells.cyrillic > 0)
        case .windows1254: agrees = found == .windows1254 || found == .windows1252
        default: agrees = found == .macRoman || (tells.mac > 0 && found != .shiftJIS)
        }
        if tells.unreadScript {
            return Problem(
                .warning, SourcePosition(file: file, line: 1, record: 0), field: "-",
                rule:
                    "the job says 'encoding: \(declared.rawValue)', but the file's words are in another script "
                    + "(Chinese, Korean, Hebrew, Arabic…?), whose code page flexsync does not read: save the file as UTF-8"
            )
        }
        guard !agrees, let count = counts[found], count >= 2 else { return nil }
        guard let (reading, why) = found.whyGuessed else { return nil }
        return Problem(
            .warning, SourcePosition(file: file, line: 1, record: 0), field: "-",
            rule:
                "the job says 'encoding: \(declared.rawValue)', but the file's letters read as \(reading) (\(why); "
                + "\(count) letters in the first megabyte tell it): set 'encoding: \(found.rawValue)'")
    }

    /// Header columns with a blank name: a warning naming them when they are empty on every row,
    /// an error at the first line with a value in one otherwise; under `blank_columns: ignore`, a
    /// warning naming them and another at the first line whose value is dropped.
    public func blankColumnProblems(_ file: String, reader: CSVReader) throws -> [Problem] {
        let columns = reader.blankColumns
        guard !columns.isEmpty else { return [] }
        let named = (columns.count == 1 ? "column " : "columns ") + columns.map { "\($0)" }.joined(separator: ", ")
        let position = SourcePosition(file: file, line: reader.headerLine, record: 0)
        var options = csv
        options.lazyValues = false
        options.allowDuplicateColumns = true
        options.malformedRowsAsRecords = true
        let withData = try CSVReader(path: file, options: options).firstLineWithBlankColumnData()
        if blankColumns == .ignore {
            var found = [
                Problem(
                    .warning, position, field: "-",
                    rule: "\(named) of the header have a blank name: ignored (blank_columns: ignore)")
            ]
            if let (line, column) = withData {
                found.append(
                    Problem(
                        .warning, SourcePosition(file: file, line: line, record: 0), field: "-",
                        rule: "a value in column \(column), whose header is blank, is dropped (blank_columns: ignore): "
                            + "the first such line"))
            }
            return found
        }
        if let (line, column) = withData {
            throw ExtractError.blankColumnWithData(file: file, line: reader.headerLine, column: column, dataLine: line)
        }
        return [
            Problem(
                .warning, position, field: "-", rule: "\(named) of the header have a blank name and no values: ignored")
        ]
    }
}

extension Job {
    /// The job file's absolute path, as plans and journals record it (so `apply` works from any
    /// directory).
    public var absolutePath: String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// SHA-256 over the job file, the mapping file, the lookup tables it reads and every source
    /// file: a plan made from other inputs than the current ones is refused at apply time.
    public func inputDigest() throws -> String {
        var hash = SHA256()
        for path in [self.path, mapping.path] + mapping.lookupFiles + (try source.files()) {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ExtractError.cannotOpen(file: path, reason: "unreadable")
            }
            defer { try? handle.close() }
            // Absolute paths: the same inputs digest the same from any working directory.
            hash.update(Array(URL(fileURLWithPath: path).standardizedFileURL.path.utf8) + [0])
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(chunk) }
        }
        return hash.finalizeHex()
    }
}
