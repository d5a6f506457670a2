import Foundation
import Logging
import Testing

@testable import FlexSync

/// Dataset rules over a whole export, through real job files in a temporary folder.
struct DatasetValidatorTests {
    static func job(csv: String, mapping: String = "", policies: String = "", nullTokens: [String] = []) throws -> Job {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: directory.appendingPathComponent("in.csv"))
        try Data(
            (mapping.isEmpty
                ? """
                target: workers
                key: { match: [agent_id] }
                attributes:
                  agent_id: id
                  agent_attribute_1: v
                """ : mapping).utf8
        ).write(to: directory.appendingPathComponent("m.yaml"))
        try Data(
            """
            name: t
            mapping: m.yaml
            source: { path: in.csv, format: csv\(nullTokens.isEmpty ? "" : ", null_tokens: [" + nullTokens.map { "'\($0)'" }.joined(separator: ", ") + "]") }
            taskrouter: { workspace_sid: WS00000000000000000000000000000000 }
            \(policies.isEmpty ? "" : "policies: " + policies)
            """.utf8
        ).write(to: directory.appendingPathComponent("job.yaml"))
        return try Job.load(path: directory.appendingPathComponent("job.yaml").path)
    }

    /// The problem list stops at `maxProblems`; the invalid count, which the invalid-share gate
    /// reads, does not: both ways of running count every invalid row once.
    @Test func invalidRowsAreCountedPastTheProblemListsEnd() throws {
        // 60 rows: 20 with an empty key, 10 keys twice (20 rows, both lines invalid), 20 valid.
        var rows: [String] = []
        for row in 1...20 { rows.append(",v\(row)") }
        for key in 1...10 {
            rows.append("D\(key),a")
            rows.append("D\(key),b")
        }
        for row in 1...20 { rows.append("V\(row),c") }
        let job = try Self.job(
            csv: "id,v\n" + rows.joined(separator: "\n") + "\n", policies: "{ max_invalid_share: 0.5 }")
        for keep in [false, true] {
            var validator = DatasetValidator(job: job, keepRecords: keep)
            validator.maxProblems = 5
            let outcome = try validator.run()
            #expect(outcome.problems.count == 5)
            #expect((outcome.invalid, outcome.valid) == (40, 20), "keepRecords: \(keep)")
            // 40 of 60 is more than half: the gate stops the run whatever the list kept.
            #expect(outcome.invalidShareReason?.hasPrefix("40 of 60 rows are invalid") == true)
        }
    }

    @Test func duplicateKeysAreAConflictListingBothLines() throws {
        let job = try Self.job(csv: "id,v\n1,a\n2,b\n1,c\n")
        for keep in [true, false] {
            let outcome = try DatasetValidator(job: job, keepRecords: keep).run()
            let lines = outcome.problems.map {
                $0.line(showValues: true).replacingOccurrences(of: job.source.pattern, with: "in.csv")
            }
            #expect(lines.contains("in.csv:4: agent_id: duplicate key, also on in.csv:2: 1"))
            #expect(lines.contains("in.csv:2: agent_id: duplicate key, also on in.csv:4: 1"))
            #expect(outcome.invalid == 2 && outcome.valid == 1)
        }
    }

    /// An id written once in upper case and once in lower case is one id (a UUID upper-cased by
    /// one system): both rows are named, each with its own spelling. Ids that mix cases, where
    /// case tells records apart (Salesforce's 15-character ids), are compared as written.
    @Test func idsOfOneCaseAreComparedWithoutIt() throws {
        let csv =
            "id,v\n3f1a9c2e-5b7d-4e10-9e37-79b97f4a7c15,a\nE1001,b\n3F1A9C2E-5B7D-4E10-9E37-79B97F4A7C15,c\n"
            + "e1001,d\n003A000001aBcDe,e\n003A000001AbCdE,f\n12,g\n"
        for keep in [true, false] {
            let outcome = try DatasetValidator(job: try Self.job(csv: csv), keepRecords: keep).run()
            let folder = try Self.directory(of: outcome)
            let lines = outcome.problems.map {
                "\($0.position?.line ?? 0) \($0.rule) \($0.value ?? "")".replacingOccurrences(of: folder, with: "")
            }
            let note = "duplicate key (the same id in other letter case), also on"
            #expect(
                lines == [
                    "2 \(note) in.csv:4 3f1a9c2e-5b7d-4e10-9e37-79b97f4a7c15",
                    "3 \(note) in.csv:5 E1001",
                    "4 \(note) in.csv:2 3F1A9C2E-5B7D-4E10-9E37-79B97F4A7C15",
                    "5 \(note) in.csv:3 e1001"
                ], "keepRecords: \(keep)")
            #expect((outcome.invalid, outcome.valid) == (4, 3))
        }
    }

    /// Under `first` and `last` too, an id met again in other letter case refuses both rows: live
    /// workers are matched by the id as written, and keeping one spelling could drop the row that
    /// matches.
    @Test(arguments: ["first", "last"])
    func idsInOtherCaseAreRefusedUnderEveryPolicy(policy: String) throws {
        let outcome = try DatasetValidator(
            job: try Self.job(
                csv: "id,v\ne1001,a\nE1001,b\nE1002,c\n", policies: "{ on_duplicate: \(policy), max_invalid_share: 1 }"),
            keepRecords: true
        ).run()
        #expect(outcome.records.map(\.identity) == ["E1002"])
        #expect(
            outcome.problems.map { "\($0.severity) \($0.position?.line ?? 0) \($0.value ?? "")" } == [
                "error 2 e1001", "error 3 E1001"
            ])
    }

    /// The folder part of the positions a job's problems name, to leave out of compared lines.
    static func directory(of outcome: ValidationOutcome) throws -> String {
        let file = try #require(outcome.problems.first?.position?.file)
        return String(file.dropLast("in.csv".count))
    }

    /// In a column of UUIDs, an id that begins like one but is shorter is named: cut short, it
    /// would be written as a customer nobody has.
    @Test func aUUIDCutShortIsNamed() throws {
        var rows = (0..<14).map { String(format: "%08x-5b7d-4e10-9e37-79b97f4a7c%02d,a", 0x3F1A_9C00 + $0, $0) }
        rows.insert("3f1a9c2e-5b7d-4e10,b", at: 5)
        let outcome = try DatasetValidator(
            job: try Self.job(csv: "id,v\n" + rows.joined(separator: "\n") + "\n"), keepRecords: false
        ).run()
        #expect(
            outcome.problems.map { "\($0.severity) \($0.position?.line ?? 0) \($0.value ?? "")" } == [
                "warning 7 3f1a9c2e-5b7d-4e10"
            ])
        #expect(
            outcome.problems.first?.rule.hasPrefix("a UUID of 36 characters is expected (14 of the export's 15") == true
        )
    }

    /// A row written with another delimiter (`,` in a `;` file) is named as such, not taken for a
    /// report's title line.
    @Test func aRowWithAnotherDelimiterIsNamed() throws {
        let outcome = try DatasetValidator(
            job: try Self.job(
                csv: "id;v;w;x\n1;a;b;c\n2,a,b,c\nAgent roster for December\nAs of 1 Dec, 2026\n3;a;b;c\n", mapping: "",
                policies: "{ max_invalid_share: 1 }"),
            keepRecords: false
        ).run()
        let rules = outcome.problems.map { "\($0.position?.line ?? 0) \($0.rule)" }
        // A title holding a comma or two is still a title.
        #expect(
            rules.contains { $0.hasPrefix("5 found 1 field, but the header has 4: a line of one value") }, "\(rules)")
        #expect(
            rules.contains {
                $0.hasPrefix("3 found 1 field, but the header has 4: the row's values are separated by ','")
            })
        #expect(rules.contains { $0.hasPrefix("4 found 1 field, but the header has 4: a line of one value") })
        // inspect names the row alike.
        let inspected = InspectReport.text(
            try ExportInspection.inspect(
                path: try Self.job(csv: "id;v;w;x\n1;a;b;c\n2,a,b,c\n").source.pattern,
                recordPath: nil), showValues: false)
        #expect(
            inspected.contains(
                "line 3: 1 field, the header has 4: left out of the counts: the row's values are "
                    + "separated by ','"), "\(inspected)")
    }

    /// What exports write for no id (`TBD`, `N/A`, `-`, `?`, SQL's `NULL`) is refused as an id, as
    /// zeros are: written, it would make a department called `TBD`; an id that merely begins so
    /// (`TBD-7`, `North`) passes.
    @Test func placeholderWordsAreRefusedAsIds() throws {
        let mapping = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              department_id: dept
            """
        let csv = "id,dept\n1,TBD\n2,n/a\n3,-\n4,?\n5,NULL\n6,tbd-7\n7,North\n8,Unknown\n9,'18273645019\n"
        for keep in [true, false] {
            let outcome = try DatasetValidator(
                job: try Self.job(csv: csv, mapping: mapping, policies: "{ max_invalid_share: 1 }"), keepRecords: keep
            ).run()
            #expect(outcome.problems.map { $0.position?.line ?? 0 } == [2, 3, 4, 5, 6, 9, 10], "keepRecords: \(keep)")
            #expect(outcome.problems.first?.rule.hasPrefix("'TBD' stands for none, not an id") == true)
            // Excel's text marker kept before an id: it would match no record.
            #expect(outcome.problems.last?.rule.hasPrefix("an id behind Excel's text marker (')") == true)
        }
        // The byte paths' cheap look lets every such word through to the full check, in any case.
        for word in ValueRules.idPlaceholders {
            for spelling in [word, word.uppercased(), word.capitalized] {
                #expect(ValueRules.mayBeDamagedID(spelling.utf8), "\(spelling)")
            }
        }
        // Listed in null_tokens, such a word is empty, also with a no-break space after it.
        let listed = try DatasetValidator(
            job: try Self.job(
                csv: "id,dept\n1,TBD\u{A0}\n2,\u{3000}\n", mapping: mapping, policies: "{ max_invalid_share: 1 }",
                nullTokens: ["TBD"]),
            keepRecords: true
        ).run()
        #expect(listed.problems.isEmpty && listed.records.allSatisfy { $0.set.count == 1 }, "\(listed.problems)")
    }

    /// An ideographic space (U+3000, Japanese and Chinese typing) around an id is left out and
    /// named, as a no-break space is: `0035h00000AA00TAAQ　` and the same id without it are one key.
    @Test func anIdeographicSpaceAroundAnIdIsLeftOut() throws {
        let outcome = try DatasetValidator(
            job: try Self.job(csv: "id,v\n0035h00000AA00TAAQ\u{3000},a\n0035h00000AA00TAAQ,b\n"), keepRecords: false
        ).run()
        #expect(
            outcome.problems.map { "\($0.severity) \($0.position?.line ?? 0)" } == ["warning 2", "error 2", "error 3"],
            "\(outcome.problems)")
    }

    /// A key is matched without the spaces around it, no-break spaces too (`1020` and `1020`
    /// with a U+00A0 copied from a web page are one key, not a second worker nobody has).
    @Test func keysAreComparedWithoutSurroundingSpaces() throws {
        let job = try Self.job(csv: "id,v\n1020,a\n1020\u{A0},b\n\u{202F}1020 ,c\n")
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        let conflicts = outcome.problems.filter { $0.rule.hasPrefix("duplicate key") }
        #expect(conflicts.compactMap { $0.position?.line }.sorted() == [2, 3, 4], "\(outcome.problems)")
        // The id is written without them; a no-break space, which no report shows, is named.
        let single = try DatasetValidator(
            job: try Self.job(csv: "id,v\n1020\u{A0},a\n 1021 ,b\n1\u{A0}022 ,c\n"), keepRecords: true
        ).run()
        // A no-break space inside an id is the id's own: only the trailing space goes, unnamed.
        #expect(
            single.records.map { $0.set[0].value } == [.string("1020"), .string("1021"), .string("1\u{A0}022")])
        let checked = try DatasetValidator(
            job: try Self.job(csv: "id,v\n1020\u{A0},a\n 1021 ,b\n1\u{A0}022 ,c\n"), keepRecords: false
        ).run()
        for outcome in [single, checked] {
            #expect(
                outcome.problems.map { "\($0.severity) \($0.position?.line ?? 0) \($0.rule)" } == [
                    "warning 2 \(BoundMapping.noBreakSpaceRule)"
                ])
        }
    }

    @Test func duplicatePoliciesPickADeterministicWinner() throws {
        let first = try DatasetValidator(
            job: try Self.job(csv: "id,v\n1,a\n1,b\n", policies: "{ on_duplicate: first, max_invalid_share: 1 }"),
            keepRecords: true
        ).run()
        #expect(first.records.map { $0.set[1].value } == [.string("a")])
        let last = try DatasetValidator(
            job: try Self.job(csv: "id,v\n1,a\n1,b\n", policies: "{ on_duplicate: last }"), keepRecords: true
        ).run()
        #expect(last.records.map { $0.set[1].value } == [.string("b")])
        #expect(last.isValid)
    }

    @Test func anEmptyExportAborts() throws {
        let outcome = try DatasetValidator(job: try Self.job(csv: "id,v\n"), keepRecords: false).run()
        #expect(outcome.abortReason == "the export has no rows")
        #expect(!outcome.isValid)
    }

    @Test func tooManyInvalidRowsAbort() throws {
        let rows = (1...20).map { "\($0),x" } + [",y"]
        let outcome = try DatasetValidator(
            job: try Self.job(csv: "id,v\n" + rows.joined(separator: "\n") + "\n"), keepRecords: false
        ).run()
        #expect(outcome.invalid == 1)
        #expect(outcome.abortReason == nil)  // 1 of 21 rows is 4.8%, under the default 5%
        let strict = try DatasetValidator(
            job: try Self.job(
                csv: "id,v\n" + rows.joined(separator: "\n") + "\n", policies: "{ max_invalid_share: 0.01 }"),
            keepRecords: false
        ).run()
        #expect(strict.abortReason == "1 of 21 rows are invalid, more than the 1% the job allows")
    }

    @Test func identifiersInCustomAttributesAreFlagged() throws {
        // Forty rows set it, each to its own value; twenty more leave it empty.
        let unique = ((1...40).map { "\($0),id-\($0)" } + (41...60).map { "\($0)," }).joined(separator: "\n")
        let outcome = try DatasetValidator(job: try Self.job(csv: "id,v\n" + unique + "\n"), keepRecords: false).run()
        #expect(
            outcome.problems.map { $0.line(showValues: false) }
                == [
                    "agent_attribute_1: 40 distinct values in the 40 valid rows that set it: high-cardinality values "
                        + "slow Insights; use 'agent_label_1' instead"
                ])
        // Too few rows set it to tell.
        let sparse = ((1...19).map { "\($0),id-\($0)" } + (20...60).map { "\($0)," }).joined(separator: "\n")
        #expect(
            try DatasetValidator(job: try Self.job(csv: "id,v\n" + sparse + "\n"), keepRecords: false).run().problems
                .isEmpty)
        let repeated = (1...40).map { "\($0),team-\($0 % 3)" }.joined(separator: "\n")
        #expect(
            try DatasetValidator(job: try Self.job(csv: "id,v\n" + repeated + "\n"), keepRecords: false).run().problems
                .isEmpty)
    }

    @Test func aGlobSourceReadsEveryFileInOrder() throws {
        let job = try Self.job(csv: "id,v\n1,a\n")
        let directory = URL(fileURLWithPath: job.path).deletingLastPathComponent()
        try Data("id,v\n3,c\n".utf8).write(to: directory.appendingPathComponent("part-2.csv"))
        try Data("id,v\n2,b\n".utf8).write(to: directory.appendingPathComponent("part-1.csv"))
        var glob = job
        glob.source.pattern = directory.appendingPathComponent("part-*.csv").path
        let outcome = try DatasetValidator(job: glob, keepRecords: true).run()
        #expect(outcome.records.map { $0.identity } == ["2", "3"])
        #expect(
            outcome.records.map { URL(fileURLWithPath: $0.position.file).lastPathComponent } == [
                "part-1.csv", "part-2.csv"
            ])
        glob.source.pattern = directory.appendingPathComponent("nothing-*.csv").path
        #expect(
            errorMessage { _ = try DatasetValidator(job: glob, keepRecords: false).run() }
                == "\(glob.source.pattern): no files match")
    }

    @Test func jobFilesAreCheckedStrictly() throws {
        func message(_ policies: String) -> String? {
            errorMessage { _ = try Self.job(csv: "id\n", policies: policies) }?.components(separatedBy: "/job.yaml")
                .last
        }
        #expect(message("{ max_invalid_share: 5 }") == ":5:32: 'policies.max_invalid_share' is a share between 0 and 1")
        #expect(
            message("{ on_duplicate: newest }")
                == ":5:27: 'policies.on_duplicate' must be one of 'error', 'first', 'last', not 'newest'")
        #expect(message("{ rate: 3 }") == ":5:13: unknown key 'rate' in 'policies'")
    }

    /// `validate` reads files only: a job without `taskrouter` validates, and a command that
    /// talks to TaskRouter says what the job lacks before anything is read or sent.
    @Test func aJobForValidateAloneNeedsNoTaskRouter() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-ds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("id,v\n1,a\n".utf8).write(to: directory.appendingPathComponent("in.csv"))
        try Data("target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n".utf8).write(
            to: directory.appendingPathComponent("m.yaml"))
        let path = directory.appendingPathComponent("job.yaml").path
        try Data("name: t\nmapping: m.yaml\nsource: { path: in.csv, format: csv }\n".utf8).write(
            to: URL(fileURLWithPath: path))
        let job = try Job.load(path: path)
        #expect(try DatasetValidator(job: job, keepRecords: false).run().valid == 1)
        #expect(
            errorMessage { _ = try SyncContext(job: job, baseURLFlag: nil, logger: Logger(label: "t")) }
                == "\(path):1:1: the job has no 'taskrouter' section: 'validate' needs none, but this command talks to "
                + "TaskRouter: add 'taskrouter: { workspace_sid: WS… }'")
    }

    /// A path that matches several elements with different texts in a record takes the first:
    /// the run says so, naming how many records and the first, since the first may not be the
    /// one meant (a home e-mail listed before the work one). The same text twice is no doubt.
    @Test func aPathMatchingSeveralElementsIsNamed() throws {
        let xml = """
            <r>
              <w><id>1</id><mail>home@example.net</mail><mail>ana@example.com</mail></w>
              <w><id>2</id><mail>bo@example.com</mail></w>
              <w><id>3</id><mail>cy@example.com</mail><mail>cy@example.com</mail></w>
            </r>
            """
        func problems(_ expression: String) throws -> [String] {
            let job = try TrustJob.file(
                Array(xml.utf8), name: "w.xml", format: "xml",
                mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n"
                    + "  email: \(expression)\n", source: "record: /r/w")
            return try DatasetValidator(job: job, keepRecords: false).run().problems.map { $0.line(showValues: true) }
        }
        let first = try problems("{ field: mail, transforms: [email] }")
        #expect(first.count == 1, "\(first)")
        #expect(
            first.first?.contains(
                "mail: matched several elements in 1 of 3 records of ") == true
                && first.first?.hasSuffix(
                    "w.xml (first: record 1): the first of each was taken; pick one with a predicate "
                        + "([@attribute='…'] or [child='…']), or 'take: list'")
                    == true,
            "\(first)")
        #expect(try problems("{ field: mail, take: list, transforms: [{ join: \", \" }] }").isEmpty)
        // A path the mapping cannot use is the mapping's error, at its line.
        let bad = errorMessage {
            _ = try TrustJob.file(
                Array(xml.utf8), name: "w.xml", format: "xml",
                mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n"
                    + "  email: \"mail[0]\"\n", source: "record: /r/w")
        }
        #expect(
            bad?.hasSuffix(
                "/m.yaml:5:1: invalid XML path 'mail[0]': positions count from 1: 'mail[0]' selects nothing") == true,
            "\(bad ?? "")")
    }
}
