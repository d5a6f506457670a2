import Foundation
import Testing

@testable import FlexSync

/// Excel for Windows set up for Japanese saves "CSV (コンマ区切り)" in Shift_JIS as Windows writes
/// it (Windows-31J, code page 932). The bytes below are Python's `cp932` codec's.
struct ShiftJISTests {
    /// `番号,氏名,表示名` / `1,山田 太郎,ｶﾀｶﾅ` / `2,①髙橋,ソース`: `表` and `ソ` end in 0x5C (a backslash in
    /// ASCII), `ｶﾀｶﾅ` is half-width katakana (single bytes), `①` an NEC and `髙` an IBM extension.
    static let agents: [UInt8] = [
        0x94, 0xD4, 0x8D, 0x86, 0x2C, 0x8E, 0x81, 0x96, 0xBC, 0x2C, 0x95, 0x5C, 0x8E, 0xA6, 0x96, 0xBC, 0x0D, 0x0A,
        0x31, 0x2C, 0x8E, 0x52, 0x93, 0x63, 0x20, 0x91, 0xBE, 0x98, 0x59, 0x2C, 0xB6, 0xC0, 0xB6, 0xC5, 0x0D, 0x0A,
        0x32, 0x2C, 0x87, 0x40, 0xEE, 0xE0, 0x8B, 0xB4, 0x2C, 0x83, 0x5C, 0x81, 0x5B, 0x83, 0x58, 0x0D, 0x0A
    ]

    @Test(arguments: ["shift_jis", "Shift-JIS", "sjis", "cp932", "windows-31j", "MS932"])
    func japaneseExcelCSVIsRead(name: String) throws {
        let encoding = try #require(TextEncoding(name: name))
        #expect(encoding == .shiftJIS)
        let reader = try CSVReader(bytes: Self.agents, name: "agents.csv", options: CSVOptions(encoding: encoding))
        #expect(reader.schema.names == ["番号", "氏名", "表示名"])
        #expect(try reader.allRows() == [["1", "山田 太郎", "ｶﾀｶﾅ"], ["2", "①髙橋", "ソース"]])
    }

    /// A character's two bytes split between two reads, or a lone lead byte last, read as whole.
    @Test func chunkBoundariesNeverSplitACharacter() throws {
        let bytes = Self.agents + [0x33, 0x2C, 0x93, 0x63, 0x81, 0x2C, 0x81]
        func read(chunk: Int) throws -> [[String?]] {
            let reader = try CSVReader(
                input: ByteInput(bytes: bytes, name: "agents.csv"), options: CSVOptions(encoding: .shiftJIS),
                chunkSize: chunk)
            var rows: [[String?]] = []
            while let record = try reader.next() { rows.append(record.values.map { $0?.firstText }) }
            return rows
        }
        let whole = try read(chunk: 1 << 20)
        #expect(whole.last == ["3", "田\u{FFFD}", "\u{FFFD}"])
        for chunk in 1...7 { #expect(try read(chunk: chunk) == whole, "chunk size \(chunk)") }
    }

    /// A trail byte may be an ASCII delimiter's byte (`ポ` is 0x83 0x7C, `|` being 0x7C): the
    /// file is read as characters, not bytes, so the value stays whole.
    @Test func aTrailByteIsNeverADelimiter() throws {
        let bytes: [UInt8] = [
            0x69, 0x64, 0x7C, 0x96, 0xBC, 0x91, 0x4F, 0x0D, 0x0A, 0x31, 0x7C, 0x83, 0x7C, 0x81, 0x5B, 0x83, 0x8B,
            0x0D, 0x0A
        ]
        let reader = try CSVReader(
            bytes: bytes, name: "pipes.csv", options: CSVOptions(delimiter: UInt8(ascii: "|"), encoding: .shiftJIS))
        #expect(try reader.allRows() == [["1", "ポール"]])
    }

    /// Bytes Windows-31J does not define (UTF-8 pasted into the file, a lead byte cut off before a
    /// comma) become U+FFFD, which validate reports as lossy text at the row, without losing the
    /// comma after them or the rows around them.
    @Test func undefinedBytesAreLossyTextAtTheirRow() throws {
        // `名前,部署` / `田中 花子,東京` / the UTF-8 bytes of `池田` / a lone lead byte, then `,東京`.
        let bytes: [UInt8] =
            [0x96, 0xBC, 0x91, 0x4F, 0x2C, 0x95, 0x94, 0x8F, 0x90, 0x0D, 0x0A]
            + [0x93, 0x63, 0x92, 0x86, 0x20, 0x89, 0xD4, 0x8E, 0x71, 0x2C, 0x93, 0x8C, 0x8B, 0x9E, 0x0D, 0x0A]
            + [0xE6, 0xB1, 0xA0, 0xE7, 0x94, 0xB0, 0x2C, 0x93, 0x8C, 0x8B, 0x9E, 0x0D, 0x0A]
            + [0x93, 0x63, 0x81, 0x2C, 0x93, 0x8C, 0x8B, 0x9E, 0x0D, 0x0A]
        let reader = try CSVReader(bytes: bytes, name: "agents.csv", options: CSVOptions(encoding: .shiftJIS))
        let rows = try reader.allRows()
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 2 && $0[1] == "東京" }, "\(rows)")
        #expect(rows[0][0] == "田中 花子" && rows[1][0]?.contains("\u{FFFD}") == true && rows[2][0] == "田\u{FFFD}")
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: 名前
              location: 部署
            """
        let job = try TrustJob.file(
            bytes, name: "agents.csv", format: "csv", mapping: mapping,
            policies: "{ lossy_text: error, max_invalid_share: 1 }", source: "encoding: shift_jis")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        let lossy = outcome.problems.filter { $0.rule.hasPrefix("lossy text: U+FFFD") }
        #expect(lossy.map { $0.position?.line } == [3, 4], "\(outcome.problems)")
        #expect(outcome.valid == 1)
    }

    /// Without a declared encoding the error names Shift_JIS, and `inspect` reads the file as it;
    /// a job that declares a single-byte encoding for it is warned at line 1.
    @Test func japaneseBytesAreRecognised() throws {
        #expect(
            errorMessage { _ = try CSVReader(bytes: Self.agents, name: "agents.csv").allRows() }
                == "agents.csv:1: invalid UTF-8 at byte offset 0 (the bytes read as Shift_JIS, Japanese in pairs of "
                + "bytes, as Excel writes in Japan: set 'encoding: shift_jis' in the job's source)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString).csv")
        try Data(Self.agents).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let inspection = try ExportInspection.inspect(path: path.path, recordPath: nil)
        #expect(inspection.encoding.hasPrefix("shift_jis (not valid UTF-8") && inspection.records == 2)
        #expect(inspection.columns[0].name == "番号")
        let mapping = "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: 番号\n  full_name: 氏名\n"
        for declared in ["windows-1252", "mac-roman"] {
            let job = try TrustJob.file(
                Self.agents, name: "agents.csv", format: "csv", mapping: mapping,
                policies: "{ max_invalid_share: 1 }", source: "encoding: \(declared)")
            let warning = job.source.encodingProblem(try job.source.files()[0])
            #expect(
                warning?.rule.hasSuffix("set 'encoding: shift_jis'") == true,
                "\(declared): \(String(describing: warning))")
        }
        // A European file's accented letters are not taken for Japanese; nor is UTF-8 read as
        // Windows-1252 in it (`MÃ¼ller`: 0xBC after 0xC3) taken for ISO-8859-15's `œ`.
        let french: [UInt8] = Array("nom\r\nH".utf8) + [0xE9] + Array("l".utf8) + [0xE8] + Array("ne\r\n".utf8)
        #expect(TextEncoding.singleByteGuess(french) == .windows1252)
        let damaged: [UInt8] = french + Array("M".utf8) + [0xC3, 0xBC] + Array("ller\r\n".utf8)
        #expect(TextEncoding.singleByteGuess(damaged) == .windows1252)
        // Nor, in a Brazilian list, a `São` pasted from UTF-8 (0xA3 after 0xC3) for Windows-1250's `Ł`.
        let brazilian: [UInt8] = french + Array("S".utf8) + [0xC3, 0xA3] + Array("o Paulo\r\n".utf8)
        #expect(TextEncoding.singleByteGuess(brazilian) == .windows1252)
    }

    /// A Japanese report's totals line (`合計,2,,,` as Excel pads it) is not a person.
    @Test func aJapaneseTotalsLineIsNoRecord() throws {
        // `番号,氏名,部署,勤務地` / `1,田中 花子,,東京` / `2,鈴木 一郎,,東京` / `合計,2,,`
        let bytes: [UInt8] =
            [0x94, 0xD4, 0x8D, 0x86, 0x2C, 0x8E, 0x81, 0x96, 0xBC, 0x2C, 0x95, 0x94, 0x8F, 0x90, 0x2C]
            + [0x8B, 0xCE, 0x96, 0xB1, 0x92, 0x6E, 0x0D, 0x0A]
            + [0x31, 0x2C, 0x93, 0x63, 0x92, 0x86, 0x20, 0x89, 0xD4, 0x8E, 0x71, 0x2C, 0x2C, 0x93, 0x8C, 0x8B, 0x9E]
            + [0x0D, 0x0A, 0x32, 0x2C, 0x97, 0xE9, 0x96, 0xD8, 0x20, 0x88, 0xEA, 0x98, 0x59, 0x2C, 0x2C, 0x93, 0x8C]
            + [0x8B, 0x9E, 0x0D, 0x0A, 0x8D, 0x87, 0x8C, 0x76, 0x2C, 0x32, 0x2C, 0x2C, 0x0D, 0x0A]
        let reader = try CSVReader(bytes: bytes, name: "agents.csv", options: CSVOptions(encoding: .shiftJIS))
        #expect(reader.schema.names == ["番号", "氏名", "部署", "勤務地"])
        let mapping = "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: 番号\n  full_name: 氏名\n"
        let job = try TrustJob.file(
            bytes, name: "agents.csv", format: "csv", mapping: mapping, policies: "{ max_invalid_share: 1 }",
            source: "encoding: shift_jis")
        let outcome = try DatasetValidator(job: job, keepRecords: false).run()
        #expect(outcome.valid == 2 && outcome.invalid == 0 && outcome.skipped == 1, "\(outcome.problems)")
        #expect(outcome.problems.map { $0.position?.line } == [4])
        #expect(outcome.problems.first?.rule.contains("'合計'") == true)
    }
}
