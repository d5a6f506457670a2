import Foundation
import Testing

@testable import FlexSync

struct CSVReaderTests {
    @Test func dataLoaderExportWithBOMCRLFQuotesAndEmbeddedNewline() throws {
        let path = Fixtures.path("extract/salesforce_bom_crlf.csv")
        let reader = try CSVReader(path: path)
        #expect(reader.schema.names == ["Id", "FirstName", "LastName", "Description"])
        #expect(reader.encoding == .utf8)
        let first = try #require(try reader.next())
        #expect(first["Description"]?.firstText == #"Said "hi", then left"#)
        #expect(first["LastName"]?.firstText == "O'Neil")
        #expect(first.position == SourcePosition(file: path, line: 2, record: 1))
        let second = try #require(try reader.next())
        #expect(second["FirstName"]?.firstText == "Björn")
        #expect(second["Description"]?.firstText == "line one\nline two")
        #expect(second.position.line == 3)
        #expect(
            errorMessage { _ = try reader.next() }
                == "\(path):5: field 4 ('Description') goes on after its closing quote: a quote inside a quoted "
                + "value must be doubled (\"Anna \"\"Kaja\"\" Lund\"); the file is not read further: correct the "
                + "quoting of that line and run again")
    }

    @Test func windows1252SemicolonExcelExport() throws {
        let reader = try CSVReader(
            path: Fixtures.path("extract/excel_de_1252.csv"), options: CSVOptions(encoding: .windows1252))
        #expect(reader.delimiter == UInt8(ascii: ";"))
        #expect(
            try reader.allRows() == [
                ["1001", "Jürgen Weiß", "Vertrieb €", "01.02.2020"], ["1002", "Zoë", "", "15.03.2021"]
            ])
        #expect(reader.skippedEmptyRows == 1)
    }

    @Test func windows1252BytesAreRefusedAsUTF8WithTheirOffset() throws {
        let path = Fixtures.path("extract/excel_de_1252.csv")
        let reader = try CSVReader(path: path)
        #expect(
            errorMessage { _ = try reader.next() }
                == "\(path):2: invalid UTF-8 at byte offset 46 (the bytes read as Windows-1252, as Excel's plain 'CSV' writes: set 'encoding: windows-1252' in the job's source)"
        )
    }

    /// Excel for Mac's plain "Comma Separated Values": Mac OS Roman, lines ended by CR alone, a
    /// line feed inside a quoted cell (written by someone who had read only the README).
    @Test func excelForMacIsMacRomanAndItsLettersSaySo() throws {
        let path = Fixtures.path("extract/excel_mac_roman.csv")
        let reader = try CSVReader(path: path, options: CSVOptions(encoding: .macRoman))
        let rows = try reader.allRows()
        #expect(rows.count == 12 && rows[0][1] == "Renée" && rows[2][1] == "Zoë" && rows[7][2] == "Davíes")
        #expect(rows[3][12] == "Part-time Mon-Wed\nReturning from leave 1 Sept")
        #expect(
            errorMessage { _ = try CSVReader(path: path).allRows() }
                == "\(path):2: invalid UTF-8 at byte offset 118 (the bytes read as Mac OS Roman, as Excel for Mac's "
                + "plain 'CSV' writes: set 'encoding: mac-roman' in the job's source)")
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        #expect(inspection.encoding.hasPrefix("mac-roman (not valid UTF-8") && inspection.records == 12)
        #expect(inspection.columns[1].samples.first == "Renée")
        // Declared Windows-1252, its accented letters come out as other characters: lossy text.
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: Employee ID
              full_name: { template: "{First Name} {Last Name}" }
            """
        let job = try TrustJob.file(
            Array(try Data(contentsOf: URL(fileURLWithPath: path))), name: "mac.csv", format: "csv", mapping: mapping,
            policies: "{ lossy_text: error, max_invalid_share: 1 }", source: "encoding: windows-1252")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let lossy = outcome.problems.filter { $0.rule.hasPrefix("lossy text: Mac OS Roman read as Windows-1252") }
        #expect(lossy.map { $0.position?.line } == [2], "\(outcome.problems)")
    }

    /// LibreOffice's "Western Europe (ISO-8859-15)": `œ` is 0xBD, which Windows-1252 reads as `½`.
    @Test func latin9IsReadAndSuggestedByItsLetters() throws {
        let bytes: [UInt8] =
            Array("N".utf8) + [0xBA] + Array(" Cliente;Nombre\r\n1;H".utf8) + [0xE9]
            + Array("l".utf8) + [0xE8] + Array("ne Dub".utf8) + [0xBD] + Array("uf\r\n2;".utf8) + [0xBC]
            + Array("nologie\r\n".utf8)
        let reader = try CSVReader(bytes: bytes, name: "clientes.csv", options: CSVOptions(encoding: .latin9))
        #expect(try reader.allRows() == [["1", "Hélène Dubœuf"], ["2", "Œnologie"]])
        #expect(reader.schema.names == ["Nº Cliente", "Nombre"])
        #expect(
            errorMessage { _ = try CSVReader(bytes: bytes, name: "clientes.csv").allRows() }
                == "clientes.csv:1: invalid UTF-8 at byte offset 1 (the bytes read as ISO-8859-15, with œ, Š or Ž "
                + "where Windows-1252 has symbols: set 'encoding: iso-8859-15' in the job's source)")
        #expect(TextEncoding(name: "latin9") == .latin9 && TextEncoding(name: "ISO-8859-15") == .latin9)
        // A name flexsync does not know is refused with every one it does.
        let unknown = errorMessage {
            _ = try TrustJob.file(
                bytes, name: "clientes.csv", format: "csv",
                mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: Nombre\n",
                source: "encoding: latin-10")
        }
        #expect(
            unknown?.hasSuffix(
                "unknown encoding 'latin-10' (expected utf-8, utf-16, utf-16le, utf-16be, windows-1252, iso-8859-1, "
                    + "iso-8859-15, mac-roman, windows-1250, windows-1251, windows-1253, windows-1254 or shift_jis)")
                == true,
            "\(unknown ?? "")")
    }

    /// Excel's plain "CSV" on a Windows set up for Polish writes Windows-1250: `ł` is 0xB3.
    @Test func windows1250IsReadAndSuggestedByItsLetters() throws {
        let bytes: [UInt8] =
            Array("id;name\r\n1;".utf8) + [0xA3] + Array("ukasz Wr".utf8) + [0xF3] + Array("bel\r\n2;Wroc".utf8)
            + [0xB3] + Array("aw Krzy".utf8) + [0xBF] + Array("anowski\r\n3;Ko".utf8) + [0x9A] + Array("ice\r\n".utf8)
        let reader = try CSVReader(bytes: bytes, name: "pracownicy.csv", options: CSVOptions(encoding: .windows1250))
        #expect(
            try reader.allRows() == [["1", "Łukasz Wróbel"], ["2", "Wrocław Krzyżanowski"], ["3", "Košice"]])
        #expect(
            errorMessage { _ = try CSVReader(bytes: bytes, name: "pracownicy.csv").allRows() }
                == "pracownicy.csv:2: invalid UTF-8 at byte offset 11 (the bytes read as Windows-1250, with ł, ą or "
                + "ż where Windows-1252 has symbols, or Czech ř, č, ě where it has ø, è, ì, as Excel writes in "
                + "Central Europe: set 'encoding: windows-1250' in the job's source)")
        #expect(TextEncoding(name: "cp1250") == .windows1250 && TextEncoding(name: "Windows-1250") == .windows1250)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pracownicy-\(UUID().uuidString).csv")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let inspection = try ExportInspection.inspect(path: path.path, recordPath: nil)
        #expect(inspection.encoding.hasPrefix("windows-1250 (not valid UTF-8") && inspection.records == 3)
        #expect(inspection.columns[1].samples.first == "Łukasz Wróbel")
    }

    @Test func excelUnicodeTextIsUTF16LittleEndianWithTabs() throws {
        let reader = try CSVReader(path: Fixtures.path("extract/excel_unicode.txt"))
        #expect(reader.encoding == .utf16LE)
        #expect(reader.delimiter == 0x09)
        #expect(reader.schema.names == ["employee_id", "name", "team"])
        #expect(try reader.allRows() == [["7", "Łukasz Żółć", "Support 😀"]])
    }

    @Test func utf16BigEndianAndLatin1() throws {
        #expect(try CSVReader(path: Fixtures.path("extract/utf16be.csv")).allRows() == [["1", "Ünïcode"]])
        let latin = try CSVReader(path: Fixtures.path("extract/latin1.csv"), options: CSVOptions(encoding: .latin1))
        #expect(try latin.allRows() == [["1", "François"]])
    }

    @Test func loneCarriageReturnsEndLines() throws {
        let reader = try CSVReader(path: Fixtures.path("extract/lone_cr.csv"))
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        #expect(first.values.map { $0?.firstText } == ["1", "2"])
        #expect(second.position.line == 3)
        #expect(try reader.next() == nil)
    }

    @Test func blankLinesAreSkippedAndPipeIsDetected() throws {
        let reader = try CSVReader(path: Fixtures.path("extract/pipe_blank_lines.csv"))
        #expect(reader.delimiter == UInt8(ascii: "|"))
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        #expect(first.position.line == 3 && first.position.record == 1)
        #expect(second.position.line == 6 && second.position.record == 2)
        #expect(second["name"]?.firstText == "y")
    }

    @Test func excelSepLineNamesTheDelimiter() throws {
        let reader = try CSVReader(path: Fixtures.path("extract/sep_line.csv"))
        #expect(reader.schema.names == ["id", "name"])
        let record = try #require(try reader.next())
        #expect(record.position.line == 3)
    }

    @Test func invalidUTF8NamesLineAndByteOffset() throws {
        let path = Fixtures.path("extract/invalid_utf8.csv")
        let reader = try CSVReader(path: path)
        _ = try reader.next()
        #expect(
            errorMessage { _ = try reader.next() }
                == "\(path):3: invalid UTF-8 at byte offset 19 (the bytes read as Windows-1252, as Excel's plain 'CSV' writes: set 'encoding: windows-1252' in the job's source)"
        )
    }

    @Test func shortRowsFailUnlessPaddingIsAsked() throws {
        let path = Fixtures.path("extract/short_row.csv")
        let strict = try CSVReader(path: path)
        _ = try strict.next()
        #expect(errorMessage { _ = try strict.next() } == "\(path):3: found 2 fields, but the header has 3")
        let padded = try CSVReader(path: path, options: CSVOptions(padShortRows: true))
        #expect(try padded.allRows() == [["1", "a", "t"], ["2", "b", ""], ["3", "c", "t"]])
    }

    @Test func unterminatedQuoteNamesTheLineItOpenedOn() throws {
        let path = Fixtures.path("extract/unterminated.csv")
        let reader = try CSVReader(path: path)
        _ = try reader.next()
        #expect(
            errorMessage { _ = try reader.next() }
                == "\(path):3: field 2 ('note') opens a quote on line 3 that is never closed: the file is not read "
                + "further; correct the quoting of that line and run again")
    }

    /// A runaway field is reported where it starts instead of being buffered whole; long text
    /// areas under the limit (a CRM's 32,768-character notes) still read.
    @Test func aFieldPastTheLimitIsReportedNotBuffered() throws {
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 5 << 20)
        let quoted = Array("id,notes\n1,ok\n2,\"".utf8) + huge + Array("\"\n".utf8)
        let reader = try CSVReader(bytes: quoted, name: "crm.csv")
        #expect(try reader.next()?["notes"]?.firstText == "ok")
        #expect(
            errorMessage { _ = try reader.next() }
                == "crm.csv:3: field 2 ('notes') is longer than 65,536 bytes: not read further (a quote that is never closed, or not a CSV file?)"
        )
        let bare = try CSVReader(bytes: Array("id,notes\n".utf8) + huge, name: "bare.csv")
        #expect(
            errorMessage { _ = try bare.next() }?.hasPrefix("bare.csv:2: field 1 ('id') is longer than 65,536 bytes")
                == true)
        #expect(
            errorMessage { _ = try CSVReader(bytes: huge, name: "one-line.csv") }?.hasPrefix(
                "one-line.csv:1: field 1 is longer") == true)
        let notes = String(repeating: "n", count: 32_768)
        let long = try CSVReader(bytes: Array("id,notes\n1,\"\(notes)\"\n".utf8), name: "long.csv")
        #expect(try long.next()?["notes"]?.firstText == notes)
    }

    @Test func headerProblemsNameTheColumn() throws {
        let blank = Fixtures.path("extract/blank_header.csv")
        // A blank name is the caller's to judge (empty on every row, or not): the reader names the column.
        let blankReader = try CSVReader(path: blank)
        #expect(blankReader.blankColumns == [2] && blankReader.schema.names == ["id", "(column 2)", "team"])
        #expect(try blankReader.firstLineWithBlankColumnData()?.line == 2)
        let duplicate = Fixtures.path("extract/duplicate_header.csv")
        #expect(
            errorMessage { _ = try CSVReader(path: duplicate) }
                == "\(duplicate):1: duplicate column name 'Email' (columns 1 and 4)")
        #expect(
            errorMessage { _ = try CSVReader(bytes: [], name: "empty.csv") }
                == "empty.csv: the file is empty: a header row is required")
        #expect(
            errorMessage { _ = try CSVReader(path: "/nonexistent/x.csv") }
                == "/nonexistent/x.csv: cannot open: No such file or directory")
    }

    @Test(arguments: [
        ("a;b;c\n1;2;3\n", UInt8(ascii: ";")),
        ("a\tb\n1\t2\n", UInt8(0x09)),
        ("\"x,y\";b\n1;2\n", UInt8(ascii: ";")),
        ("single\nvalue\n", UInt8(ascii: ","))
    ])
    func delimiterIsDetectedFromTheHeaderOutsideQuotes(text: String, expected: UInt8) throws {
        #expect(try CSVReader(bytes: Array(text.utf8), name: "t.csv").delimiter == expected)
    }

    @Test func lastLineWithoutNewlineAndTrailingEmptyField() throws {
        let reader = try CSVReader(bytes: Array("a,b\n1,".utf8), name: "t.csv")
        #expect(try reader.allRows() == [["1", ""]])
        let quoted = try CSVReader(bytes: Array("a,b\n1,\"q\"".utf8), name: "t.csv")
        #expect(try quoted.allRows() == [["1", "q"]])
    }

    /// Every fixture, read with every tiny chunk size, gives the same records or the same error
    /// as reading it whole: no record boundary depends on where a read happens to stop.
    @Test(arguments: [
        "salesforce_bom_crlf.csv", "excel_unicode.txt", "utf16be.csv", "lone_cr.csv", "pipe_blank_lines.csv",
        "unterminated.csv", "invalid_utf8.csv", "short_row.csv", "sep_line.csv"
    ])
    func chunkBoundariesNeverChangeTheResult(name: String) throws {
        let bytes = try Fixtures.bytes("extract/" + name)
        func read(chunk: Int) -> String {
            do {
                let reader = try CSVReader(
                    input: ByteInput(bytes: bytes, name: name), options: CSVOptions(), chunkSize: chunk)
                var out: [String] = []
                while let record = try reader.next() {
                    out.append("\(record.position.line):\(record.values.map { $0?.firstText ?? "∅" })")
                }
                return out.joined(separator: "|")
            } catch {
                return "error: \(error)"
            }
        }
        let whole = read(chunk: 1 << 20)
        for chunk in 1...9 {
            #expect(read(chunk: chunk) == whole, "chunk size \(chunk)")
        }
    }

    /// A file of many batches: every record in file order with its line and number, rows with
    /// line breaks and blank and empty rows anywhere, as the background thread scans ahead and
    /// both threads build records.
    @Test(arguments: [1 << 20, 4096, 777])
    func manyBatchesKeepFileOrderLinesAndNumbers(chunk: Int) throws {
        var text = "id,name,note\r\n"
        var expected: [(line: Int, id: String, note: String)] = []
        var line = 2
        var empty = 0
        for row in 1...20_000 {
            if row % 997 == 0 {
                text += ",,\r\n"
                line += 1
                empty += 1
            }
            if row % 1511 == 0 {
                // A blank line between records is an empty row too.
                text += "\r\n"
                line += 1
                empty += 1
            }
            let note = row % 613 == 0 ? "first\nsecond \"quoted\"" : "n\(row)"
            text += "\(row),Zoë \(row),\(row % 613 == 0 ? "\"first\nsecond \"\"quoted\"\"\"" : note)\r\n"
            expected.append((line, String(row), note))
            line += row % 613 == 0 ? 2 : 1
        }
        let reader = try CSVReader(
            input: ByteInput(bytes: Array(text.utf8), name: "big.csv"), options: CSVOptions(), chunkSize: chunk)
        var number = 0
        while let record = try reader.next() {
            let want = expected[number]
            number += 1
            #expect(record.position == SourcePosition(file: "big.csv", line: want.line, record: number))
            #expect(
                record["id"]?.firstText == want.id && record["note"]?.firstText == want.note
                    && record["name"]?.firstText == "Zoë \(want.id)",
                "record \(number)")
        }
        #expect(number == expected.count)
        #expect(reader.skippedEmptyRows == empty)
        #expect(try reader.next() == nil)
    }

    /// An error deep in the file arrives after every record before it, and only then.
    @Test func aLateErrorFollowsEveryRecordBeforeIt() throws {
        var bytes = Array("id,name\n".utf8)
        for row in 1...30_000 {
            bytes += Array("\(row),".utf8)
            bytes += row == 25_000 ? [0x4D, 0xFC, 0x6C] : Array("name\(row)".utf8)  // "Mül" in Windows-1252
            bytes += [0x0A]
        }
        let reader = try CSVReader(bytes: bytes, name: "late.csv")
        var read = 0
        let message = errorMessage { while try reader.next() != nil { read += 1 } }
        #expect(read == 24_999)
        let offset =
            Array("id,name\n".utf8).count + (1..<25_000).map { "\($0),name\($0)\n".utf8.count }.reduce(0, +)
            + "25000,M".utf8.count
        #expect(
            message
                == "late.csv:25001: invalid UTF-8 at byte offset \(offset) (the bytes read as Windows-1252, as Excel's plain 'CSV' writes: set 'encoding: windows-1252' in the job's source)"
        )
        #expect(errorMessage { _ = try reader.next() } == message)
    }

    /// Readers dropped half-way stop their background thread (which alone keeps the pipeline's
    /// work alive once the reader is gone); later readers are unaffected.
    @Test func abandonedReadersStopTheirBackgroundThread() async throws {
        let text = "a,b\n" + (1...50_000).map { "\($0),x\n" }.joined()
        var pipelines: [() -> AnyObject?] = []
        for _ in 0..<20 {
            let reader = try CSVReader(bytes: Array(text.utf8), name: "drop.csv")
            #expect(try reader.next()?["a"]?.firstText == "1")
            weak let work: AnyObject? = reader.pipeline.work
            pipelines.append { work }
        }
        for _ in 0..<500 where pipelines.contains(where: { $0() != nil }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(pipelines.allSatisfy { $0() == nil }, "a background thread outlived its reader")
        let reader = try CSVReader(bytes: Array(text.utf8), name: "whole.csv")
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count == 50_000)
    }

    /// The reader accepts a field as UTF-8 exactly when Swift's own validation does: overlong
    /// forms, surrogates, code points past U+10FFFF and truncated sequences are all refused.
    @Test func utf8CheckAgreesWithSwiftsValidation() {
        var generator = SeededGenerator(state: 2026)
        let interesting: [UInt8] = [
            0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0
        ]
        var accepted = 0
        for _ in 0..<50_000 {
            let length = Int.random(in: 1...6, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let ours = bytes.withUnsafeBufferPointer { CSVScanner.firstInvalidUTF8($0) == $0.count }
            let swift = String(validating: bytes, as: UTF8.self) != nil
            #expect(ours == swift, "\(bytes.map { String($0, radix: 16) })")
            if ours { accepted += 1 }
        }
        #expect(accepted > 1_000)
    }

    /// Blank lines count as empty rows between records only: not before the first, not after the
    /// last, and not the second line end of a doubled CR (`\r\r\n`).
    @Test(arguments: [
        ("id,v\n\n1,a\n\n\n2,b\n\n\n", 2), ("id,v\r\r\n1,a\r\r\n2,b\r\r\n3,c\r\r\n", 0),
        ("id,v\r\n1,a\r\n\r\n2,b\r\n", 1)
    ])
    func blankLinesBetweenRecordsAreEmptyRows(text: String, empty: Int) throws {
        let reader = try CSVReader(bytes: Array(text.utf8), name: "in.csv")
        while try reader.next() != nil {}
        #expect(reader.skippedEmptyRows == empty)
    }
}
