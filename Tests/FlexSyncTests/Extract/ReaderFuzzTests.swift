import Foundation
import Testing

@testable import FlexSync

/// Random bytes, truncated files and mutated valid files: each reader yields records or a located
/// error, never a crash or a hang.
struct ReaderFuzzTests {
    static func inputs(from seeds: [String], count: Int, seed: UInt64) throws -> [[UInt8]] {
        var random = SeededGenerator(state: seed)
        let originals = try seeds.map { try Fixtures.bytes("extract/" + $0) }
        var inputs: [[UInt8]] = []
        let alphabet: [UInt8] = Array("\"\r\n,;\t|<>/=&#x'ab \u{00}".utf8) + [0xC3, 0xA9, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF]
        for index in 0..<count {
            // Every seed meets every kind of damage; kind 4 leaves it whole as a control.
            var bytes = originals[(index / 5) % originals.count]
            switch index % 5 {
            case 0:
                bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)!
                }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 2:
                for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = alphabet.randomElement(using: &random)!
                }
            case 3:
                if !bytes.isEmpty {
                    let cut = Int.random(in: 0..<bytes.count, using: &random)
                    bytes.insert(contentsOf: (0..<5).map { _ in alphabet.randomElement(using: &random)! }, at: cut)
                }
            default:
                break
            }
            inputs.append(bytes)
        }
        return inputs
    }

    @Test func csvReaderYieldsRecordsOrLocatedErrors() throws {
        let inputs = try Self.inputs(
            from: ["pipe_blank_lines.csv", "excel_unicode.txt", "lone_cr.csv", "sep_line.csv", "latin1.csv"],
            count: 600, seed: 11)
        var outcomes = (records: 0, errors: 0)
        for (index, bytes) in inputs.enumerated() {
            let name = "fuzz\(index).csv"
            do {
                let reader = try CSVReader(
                    input: ByteInput(bytes: bytes, name: name), options: CSVOptions(), chunkSize: 1 + index % 7)
                var count = 0
                while let record = try reader.next() {
                    #expect(record.values.count == reader.schema.names.count)
                    #expect(record.position.line >= 1)
                    count += 1
                    #expect(count <= bytes.count + 1)
                }
                outcomes.records += count
            } catch let error as ExtractError {
                outcomes.errors += 1
                #expect("\(error)".hasPrefix(name + ":"), "\(error)")
            }
        }
        #expect(outcomes.records > 100 && outcomes.errors > 100, "\(outcomes)")
    }

    /// Values kept as bytes until read (how a job's CSV is read for mapping) must give exactly
    /// the records, positions and errors of values built up front, on damaged input as well as
    /// on every fixture (short rows padded, doubled quotes, BOMs, Windows-1252, UTF-16).
    @Test func lazyValuesReadExactlyLikeBuiltOnes() throws {
        let fixtures = ["pipe_blank_lines.csv", "excel_unicode.txt", "lone_cr.csv", "sep_line.csv", "latin1.csv"]
        let whole =
            fixtures + [
                "blank_header.csv", "duplicate_header.csv", "excel_de_1252.csv", "invalid_utf8.csv",
                "salesforce_bom_crlf.csv", "short_row.csv", "unterminated.csv", "utf16be.csv"
            ]
        let inputs =
            try whole.map { try Fixtures.bytes("extract/" + $0) } + Self.inputs(from: fixtures, count: 600, seed: 21)
        func read(_ bytes: [UInt8], lazy: Bool, pad: Bool, chunk: Int) -> [String] {
            var out: [String] = []
            do {
                let reader = try CSVReader(
                    input: ByteInput(bytes: bytes, name: "in.csv"),
                    options: CSVOptions(padShortRows: pad, lazyValues: lazy), chunkSize: chunk)
                while let record = try reader.next() { out.append("\(record.position) \(record.values)") }
                out.append("empty rows: \(reader.skippedEmptyRows)")
            } catch {
                out.append("error: \(error)")
            }
            return out
        }
        var compared = 0
        for (index, bytes) in inputs.enumerated() {
            let pad = index % 2 == 0
            let chunk = 1 + index % 9
            let built = read(bytes, lazy: false, pad: pad, chunk: chunk)
            #expect(read(bytes, lazy: true, pad: pad, chunk: chunk) == built, "input \(index)")
            compared += built.count
        }
        #expect(compared > 800)
    }

    @Test func xmlReaderYieldsRecordsOrLocatedErrors() throws {
        let inputs = try Self.inputs(from: ["workday.xml", "utf16.xml", "cp1252.xml"], count: 600, seed: 12)
        let namespaces = XMLReaderTests.workday
        let options = XMLOptions(
            recordPath: try XMLPath("/w:Report_Data/w:Report_Entry", namespaces: namespaces),
            fields: [XMLField(name: "id", path: try XMLPath("w:Worker/w:ID", namespaces: namespaces), take: .list)])
        var outcomes = (records: 0, errors: 0)
        for (index, bytes) in inputs.enumerated() {
            let name = "fuzz\(index).xml"
            do {
                let reader = try XMLReader(bytes: bytes, name: name, options: options)
                var count = 0
                while try reader.next() != nil {
                    count += 1
                    #expect(count <= bytes.count)
                }
                outcomes.records += count
            } catch let error as ExtractError {
                outcomes.errors += 1
                #expect("\(error)".hasPrefix(name + ":"), "\(error)")
            }
        }
        #expect(outcomes.records > 100 && outcomes.errors > 100, "\(outcomes)")
    }
}
