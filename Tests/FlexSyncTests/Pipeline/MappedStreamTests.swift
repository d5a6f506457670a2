import Foundation
import Testing

@testable import FlexSync

/// Mapping on several threads must give exactly what mapping record by record gives: the same
/// records in file order, the same problems, and a read error at its place.
struct MappedStreamTests {
    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        skip_when: { field: status, equals: [left] }
        attributes:
          agent_id: { field: id, transforms: [trim] }
          full_name: { template: "{first} {last}" }
          location: { field: location, transforms: [trim] }
          phone: { field: phone, transforms: [{ phone: { country: DE } }] }
          team_id: { field: team, transforms: [lower, { replace: "[^a-z0-9]+", with: "-" }] }
          team_name: team
        """

    /// Rows that repeat values (so memos fill), with bad phone numbers, skipped rows, empty rows,
    /// and fields with line breaks in them.
    static func csv(rows: Int) -> String {
        var text = "id,first,last,location,phone,team,status\n"
        let teams = ["Sales", "Support EMEA", "Ünternehmen", "Back Office"]
        for row in 1...rows {
            if row % 97 == 0 {
                text += ",,,,,,\n"
                continue
            }
            let phone = row % 13 == 0 ? "not-a-number" : "030 555\(row % 1000)"
            let location = row % 11 == 0 ? "\"Berlin,\nMitte\"" : "München"
            text +=
                "E\(row),Zoë,Weiß \(row % 7),\(location),\(phone),\(teams[row % teams.count]),\(row % 31 == 0 ? "left" : "active")\n"
        }
        return text
    }

    /// Everything a mapped record says, as one comparable line.
    static func summary(_ record: MappedRecord) -> String {
        let set = record.set.map { "\($0.key)=\($0.value.minified)" }.joined(separator: " ")
        let problems = record.problems.map { $0.line(showValues: true) }.joined(separator: " | ")
        return
            "\(record.position.line)/\(record.position.record) \(record.skipped) \(set) rm=\(record.remove) \(problems) \(record.matchValues.map(\.value))"
    }

    static func streamed(_ csv: String, threads: Int, chunkSize: Int) throws -> (
        lines: [String], error: String?, empty: Int
    ) {
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv")
        let stream = MappedStream(
            reader: reader, mapping: try Mapping.parse(mapping, path: "m.yaml"), policy: .init(),
            threads: threads, chunkSize: chunkSize)
        var lines: [String] = []
        do {
            while let record = try stream.next() { lines.append(summary(record)) }
        } catch {
            // The error stays: asking again gives it again, never more records.
            #expect(throws: (any Error).self) { try stream.next() }
            return (lines, "\(error)", stream.skippedEmptyRows)
        }
        #expect(try stream.next() == nil)
        return (lines, nil, stream.skippedEmptyRows)
    }

    @Test(arguments: [(1, 1024), (2, 1), (2, 7), (3, 64), (5, 1000)])
    func sameRecordsInFileOrderOnAnyNumberOfThreads(threads: Int, chunkSize: Int) throws {
        let csv = Self.csv(rows: 6_000)
        let expected = try MapHarness.run(try Mapping.parse(Self.mapping, path: "m.yaml"), csv: csv).map(Self.summary)
        let streamed = try Self.streamed(csv, threads: threads, chunkSize: chunkSize)
        #expect(streamed.error == nil)
        #expect(streamed.lines.count == expected.count)
        let firstDifference = zip(streamed.lines, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(
            firstDifference == nil,
            "record \(firstDifference?.offset ?? -1): \(firstDifference?.element.0 ?? "") ≠ \(firstDifference?.element.1 ?? "")"
        )
        #expect(streamed.empty == 6_000 / 97)
        // The data exercise what they should: problems, skipped rows, quoted line breaks.
        #expect(expected.contains { $0.contains("phone: not a phone number: not-a-number") })
        #expect(expected.contains { $0.contains(" true ") })
        #expect(streamed.lines.first?.hasPrefix("2/1 ") == true)
    }

    @Test(arguments: [1, 2, 4])
    func aReadErrorComesAfterEveryRecordBeforeIt(threads: Int) throws {
        var bytes = Array(Self.csv(rows: 5_000).utf8)
        // An invalid UTF-8 byte in row 3,000's first name.
        let row = "E3000,Zoë".utf8
        let at = bytes.indices.first { bytes[$0...].starts(with: row) }!
        bytes[at + 6] = 0xFF
        let linesBefore = bytes[..<at].filter { $0 == 0x0A }.count
        let reader = try CSVReader(bytes: bytes, name: "in.csv")
        let stream = MappedStream(
            reader: reader, mapping: try Mapping.parse(Self.mapping, path: "m.yaml"), policy: .init(),
            threads: threads, chunkSize: 100)
        var records: [MappedRecord] = []
        var failure: String?
        do {
            while let record = try stream.next() { records.append(record) }
        } catch {
            failure = "\(error)"
        }
        // Rows 1–2,999, less the empty ones (every 97th), which are not records.
        #expect(records.count == 2_999 - 2_999 / 97)
        #expect(records.last?.position.record == 2_999 - 2_999 / 97)
        #expect(records.last?.matchValues.first?.value == "E2999")
        #expect(failure?.hasPrefix("in.csv:\(linesBefore + 1):") == true, "\(failure ?? "no error")")
    }

    @Test func aStreamDroppedHalfWayStopsItsThreads() throws {
        weak var work: AnyObject?
        do {
            let reader = try CSVReader(bytes: Array(Self.csv(rows: 20_000).utf8), name: "in.csv")
            let stream = MappedStream(
                reader: reader, mapping: try Mapping.parse(Self.mapping, path: "m.yaml"), policy: .init(),
                threads: 3, chunkSize: 50)
            work = stream.work
            for _ in 0..<500 { _ = try stream.next() }
        }
        // Helpers hold the shared state until they have seen the cancellation and returned.
        for _ in 0..<500 where work != nil { Thread.sleep(forTimeInterval: 0.01) }
        #expect(work == nil)
    }

    @Test func validationGivesTheSameOutcomeOnOneThreadAndOnFour() throws {
        let rows = (1...3_000).map { "\($0 % 2_500),v\($0 % 17)" } + ["", ",x"]
        let job = try DatasetValidatorTests.job(
            csv: "id,v\n" + rows.joined(separator: "\n") + "\n", policies: "{ max_invalid_share: 1 }")
        var one = DatasetValidator(job: job, keepRecords: true)
        one.threads = 1
        var four = DatasetValidator(job: job, keepRecords: true)
        four.threads = 4
        let (a, b) = (try one.run(), try four.run())
        #expect(a.problems.count == 1_001)  // 500 keys twice: both lines each, and the empty key
        #expect(a.problems == b.problems)
        #expect(a.records.map(Self.summary) == b.records.map(Self.summary))
        #expect((a.valid, a.invalid, a.rowsRead) == (b.valid, b.invalid, b.rowsRead))
    }

    /// libxml2 reports through a handler of the reader's own, so an XML reader handed from thread
    /// to thread gives the records and the located error it gives when read on one thread.
    @Test(arguments: [1, 3])
    func anXMLErrorIsLocatedWhicheverThreadReadsIt(threads: Int) throws {
        var xml = "<Report>\n"
        for row in 1...3_000 { xml += "  <Entry><ID>\(row)</ID><Team>T\(row % 5)</Team></Entry>\n" }
        xml += "  <Entry><ID>3001</Team></Entry>\n</Report>\n"
        let options = XMLOptions(
            recordPath: try XMLPath("/Report/Entry", namespaces: [:]),
            fields: try ["ID", "Team"].map { XMLField(name: $0, path: try XMLPath($0, namespaces: [:])) })
        // What the reader gives on its own: libxml2 finds the error while parsing ahead, so the
        // last few records before it may not come out — on one thread or several alike.
        let direct = try XMLReader(bytes: Array(xml.utf8), name: "hr.xml", options: options)
        var expected: [String] = []
        var expectedFailure = "no error"
        do {
            while let record = try direct.next() { expected.append(record["ID"]?.firstText ?? "?") }
        } catch {
            expectedFailure = "\(error)"
        }
        let reader = try XMLReader(bytes: Array(xml.utf8), name: "hr.xml", options: options)
        let mapping = try Mapping.parse(
            """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: ID
              team_name: { field: Team, transforms: [lower] }
              team_id: Team
            """, path: "m.yaml")
        let stream = MappedStream(reader: reader, mapping: mapping, policy: .init(), threads: threads, chunkSize: 64)
        var identities: [String] = []
        var failure: String?
        do {
            while let record = try stream.next() { identities.append(record.matchValues.first?.value ?? "?") }
        } catch {
            failure = "\(error)"
        }
        #expect(expected.count > 2_900)
        #expect(identities == expected)
        #expect(expectedFailure.hasPrefix("hr.xml:3002:"), "\(expectedFailure)")
        #expect(failure == expectedFailure)
    }

    /// Chunks in place give what record by record gives, and the error after them.
    @Test(arguments: [1, 3])
    func chunksGiveTheSameRecordsAndTheErrorAfterThem(threads: Int) throws {
        var bytes = Array(Self.csv(rows: 4_000).utf8)
        let at = bytes.indices.first { bytes[$0...].starts(with: "E3500,Zoë".utf8) }!
        bytes[at + 6] = 0xFF
        func stream() throws -> MappedStream {
            MappedStream(
                reader: try CSVReader(bytes: bytes, name: "in.csv"),
                mapping: try Mapping.parse(Self.mapping, path: "m.yaml"),
                policy: .init(), threads: threads, chunkSize: 300)
        }
        var byRecord: [String] = []
        var recordError = ""
        let one = try stream()
        do { while let record = try one.next() { byRecord.append(Self.summary(record)) } } catch {
            recordError = "\(error)"
        }
        var byChunk: [String] = []
        var chunkError = ""
        let chunked = try stream()
        do {
            // Half a chunk record by record first: the rest of it still comes as a chunk.
            for _ in 0..<150 { byChunk.append(Self.summary(try #require(try chunked.next()))) }
            while let chunk = try chunked.nextChunk() {
                byChunk += chunk.map(Self.summary)
                chunked.recycle(chunk)
            }
        } catch {
            chunkError = "\(error)"
        }
        #expect(byRecord.count == 3_499 - 3_499 / 97)
        #expect(byChunk == byRecord)
        #expect(!recordError.isEmpty && chunkError == recordError)
    }

    /// What `validate` asks for — only the values the dataset checks read — gives the same
    /// problems, identities and custom-slot values, and still warns when the mapped document
    /// alone is near TaskRouter's limit.
    @Test func checksOnlyKeepsWhatTheChecksReadAndFindsTheSameProblems() throws {
        let keys =
            (1...10).map { "conversations.conversation_attribute_\($0)" }
            + (1...10).map { "conversations.conversation_label_\($0)" }
            + ["conversations.campaign", "conversations.queue", "conversations.language"]
        let mapping = try Mapping.parse(
            """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.email: { field: mail, transforms: [email] }
              customers.customer_attribute_1: tier
              customers.name: { field: name, on_empty: keep }
            \(keys.map { "  \($0): long" }.joined(separator: "\n"))
            """, path: "m.yaml")
        let long = String(repeating: "x", count: 120)
        let csv =
            "id,mail,tier,name,long\n1,a@example.com,gold,Ana,\(long)\n2,not-mail,silver,,short\n3,c@example.com,,Cy,short\n"
        let full = try MapHarness.run(mapping, csv: csv)
        let lean = try MapHarness.run(mapping, csv: csv, policy: .init(checksOnly: true))
        #expect(lean.map { $0.problems } == full.map { $0.problems })
        #expect(lean.map { $0.matchValues.map(\.value) } == full.map { $0.matchValues.map(\.value) })
        #expect(
            full[0].problems.map { $0.line(showValues: true) }.contains { $0.contains("mapped attributes alone take") })
        #expect(
            full[1].problems.map { $0.line(showValues: true) } == [
                "in.csv:3: customers.email: not an e-mail address: not-mail"
            ])
        #expect(full[1].keep == ["customers.name"] && lean[1].keep.isEmpty)
        for (fullRecord, leanRecord) in zip(full, lean) {
            let checked = fullRecord.set.filter { $0.key == "customers.external_id" || $0.key.contains("_attribute_") }
            #expect(leanRecord.set.map(\.key) == checked.map(\.key))
            #expect(leanRecord.set.map(\.value) == checked.map(\.value))
        }
        #expect(full[0].set.count == 4 + keys.count)
    }

    /// Which attributes produced a value, and where their values sit: in one word up to 64
    /// attributes, in an array beyond (task mappings can have more).
    @Test(arguments: [10, 64, 100])
    func producedSetCountsMembersBeforeEachIndex(count: Int) {
        var set = ProducedSet(count: count)
        let members = (0..<count).filter { $0 % 3 == 0 || $0 == count - 1 }
        for index in members { set.insert(index) }
        for index in 0..<count {
            #expect(set.contains(index) == members.contains(index))
            #expect(set.rank(of: index) == (members.contains(index) ? members.filter { $0 < index }.count : nil))
        }
    }
}
