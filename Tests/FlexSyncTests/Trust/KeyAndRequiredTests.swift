import Foundation
import Testing

@testable import FlexSync

/// An empty key never removes anything, and `required: true` makes an empty value an error.
struct KeyAndRequiredTests {
    static func mapping(fallback: Bool? = nil, onEmpty: String = "remove", phone: String = "phone") -> String {
        """
        target: workers
        key: { match: [agent_id, email]\(fallback.map { ", allow_fallback: \($0)" } ?? "") }
        attributes:
          agent_id: { field: Personalnummer, on_empty: \(onEmpty) }
          email: { field: E-Mail, transforms: [email] }
          full_name: { template: "{Vorname} {Nachname}" }
          phone: \(phone)
        """
    }

    /// A new hire without an employee number, with an e-mail, as Excel writes it.
    static let csv = """
        Personalnummer;Vorname;Nachname;E-Mail;phone
        ;Lea;Sommer;lea.sommer@example.de;+4930555
        4711;Max;Muster;max.muster@example.de;

        """

    static func records(_ yaml: String, csv: String = csv, policy: Mapping.RunPolicy = .init()) throws -> [MappedRecord]
    {
        let mapping = try Mapping.parse(yaml, path: "m.yaml")
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "hr.csv")
        var out: [MappedRecord] = []
        while let record = try reader.next() { out.append(mapping.run(record, policy: policy)) }
        return out
    }

    @Test(arguments: ["remove", "empty", "keep"])
    func anEmptyFirstKeyIsAnErrorAndChangesNothing(onEmpty: String) throws {
        let records = try Self.records(Self.mapping(onEmpty: onEmpty))
        let lea = records[0]
        #expect(!lea.isValid)
        #expect(lea.problems.map { $0.line(showValues: true) } == ["hr.csv:2: agent_id: empty key 'agent_id'"])
        #expect(!lea.remove.contains("agent_id"))
        #expect(!lea.set.contains { $0.key == "agent_id" })
        #expect(records[1].isValid)
    }

    @Test(arguments: ["remove", "empty", "keep"])
    func withFallbackTheLaterKeyMatchesButTheKeyIsNeverRemovedOrEmptied(onEmpty: String) throws {
        let lea = try Self.records(Self.mapping(fallback: true, onEmpty: onEmpty))[0]
        #expect(lea.isValid)
        #expect(lea.matchValues.map(\.key) == ["email"])
        #expect(lea.keep.contains("agent_id"))
        #expect(!lea.remove.contains("agent_id"))
        #expect(!lea.set.contains { $0.key == "agent_id" })
    }

    @Test func withFallbackARecordWithNoKeyAtAllIsStillAnError() throws {
        let csv = "Personalnummer;Vorname;Nachname;E-Mail;phone\n;Lea;Sommer;;\n"
        let lea = try Self.records(Self.mapping(fallback: true), csv: csv)[0]
        #expect(!lea.isValid)
        #expect(lea.problems.map(\.rule) == ["empty key: the record cannot be matched to TaskRouter"])
    }

    @Test func requiredAttributesRejectEmptyAndNullTokenValues() throws {
        let yaml = Self.mapping(phone: "{ field: phone, required: true }")
        let csv =
            "Personalnummer;Vorname;Nachname;E-Mail;phone\n1;A;B;a@x.de;\n2;C;D;c@x.de;n/a\n3;E;F;e@x.de;+4930555\n"
        let records = try Self.records(yaml, csv: csv, policy: .init(nullTokens: ["", "n/a"]))
        #expect(records.map(\.isValid) == [false, false, true])
        #expect(records[0].problems.map { $0.line(showValues: true) } == ["hr.csv:2: phone: required value is empty"])
        #expect(records[1].problems.map(\.rule) == ["required value is empty"])
    }

    /// `validate` answers many values from memos and record bytes: a required value is still checked there.
    @Test func requiredHoldsWhenValidateKeepsOnlyTheChecks() throws {
        let rows = (1...50).map { "\($0);Ana;Lima;a\($0)@x.de;\($0 % 10 == 0 ? "" : "+4930555")" }
        let job = try TrustJob.csv(
            "Personalnummer;Vorname;Nachname;E-Mail;phone\n" + rows.joined(separator: "\n") + "\n",
            mapping: Self.mapping(phone: "{ field: phone, required: true }"),
            policies: "{ max_invalid_share: 1 }")
        for keep in [false, true] {
            let outcome = try DatasetValidator(job: job, keepRecords: keep).run()
            #expect(outcome.invalid == 5)
            #expect(outcome.problems.filter { $0.rule == "required value is empty" }.count == 5)
        }
    }

    /// SAP writes `00000000` for no org unit (ORGEH) and no personnel number (PERNR): as an id it
    /// would make a team or an agent called `00000000`. Refused from a plain column and a trimmed
    /// one, in `validate` (which answers most values from
    /// record bytes and memos) and in the full mapping alike; `0` alone and zero-padded ids pass.
    @Test func anIdOfZerosOnlyIsRefused() throws {
        let yaml = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: PERNR
              team_id: ORGEH
              department_id: { field: KOSTL, transforms: [trim] }
              location: { template: "{WERKS}" }
              agent_attribute_1: { template: "{ORGEH}" }
            """
        let rows = (1...40).map { "\(10_000 + $0);5000\($0 % 9);  4100 ;1000;x" }
        let csv =
            "PERNR;ORGEH;KOSTL;WERKS;x\n" + rows.joined(separator: "\n")
            + "\n00000000;00000000; 0000 ;00;x\n00012003;0;0;0;x\n"
        let rule =
            "an id of zeros only is a placeholder for none (as SAP writes for no org unit, or a form for no number), "
            + "not an id: list it in 'null_tokens' to leave the attribute empty"
        let job = try TrustJob.csv(csv, mapping: yaml, policies: "{ max_invalid_share: 1 }")
        for keep in [false, true] {
            let outcome = try DatasetValidator(job: job, keepRecords: keep).run()
            // `location` and the custom slot are not ids: zeros there are left alone.
            let found = outcome.problems.map { "\($0.position?.line ?? 0) \($0.field) \($0.rule) \($0.value ?? "")" }
            #expect(
                found == [
                    "42 agent_id \(rule) 00000000", "42 team_id \(rule) 00000000", "42 department_id \(rule) 0000"
                ], "keepRecords: \(keep)")
            #expect(outcome.invalid == 1)
        }
        let mapped = try Self.records(yaml, csv: csv.replacingOccurrences(of: ";", with: ","))
        #expect(mapped.map(\.isValid) == Array(repeating: true, count: 40) + [false, true])
        #expect(mapped[40].problems.map(\.field) == ["agent_id", "team_id", "department_id"])
        #expect(mapped[41].set.first { $0.key == "agent_id" }?.value == .string("00012003"))
        // Listed as a null token, the zeros are no value: nothing refused, the team left empty.
        let nulls = try Self.records(
            yaml, csv: "PERNR,ORGEH,KOSTL,WERKS,x\n4711,00000000,1,1,x\n", policy: .init(nullTokens: ["", "00000000"]))
        #expect(nulls[0].isValid)
        #expect(nulls[0].remove.contains("team_id"))
    }

    /// Excel shows a long number in scientific notation and saves what it shows: a 12-digit
    /// customer id `100235004711` becomes `1.00235E+11`, which names nobody. Refused on
    /// validate's byte path (a plain column, a template) and in the full mapping (the key) alike.
    @Test func anIdExcelWroteInScientificNotationIsRefused() throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: User ID
              customers.customer_label_1: Plan
              conversations.handling_team_id: Team
              conversations.handling_department_id: { template: "{Dept}{Sub}" }
            """
        // A template of two fields has no memo: its bytes are the shortcut's to read.
        let rows = (1...30).map { "\(100_235_004_700 + $0),Pro,T\($0 % 4),\(4100 + $0 % 3)," }
        let csv = "User ID,Plan,Team,Dept,Sub\n" + rows.joined(separator: "\n") + "\n1.00235E+11,Pro,4.5E+03,4.1E+03,\n"
        let job = try TrustJob.csv(csv, mapping: yaml, policies: "{ max_invalid_share: 1 }")
        let rule = "an id Excel turned into scientific notation: its last digits are lost; export the column as text"
        for keep in [false, true] {
            let outcome = try DatasetValidator(job: job, keepRecords: keep).run()
            let found = outcome.problems.map { "\($0.position?.line ?? 0) \($0.field) \($0.rule)" }
            #expect(
                found == [
                    "32 customers.external_id \(rule)", "32 conversations.handling_team_id \(rule)",
                    "32 conversations.handling_department_id \(rule)"
                ],
                "keepRecords: \(keep)")
        }
    }

    /// A prefix the mapping puts before the id does not bring the digits back: `gorgias:1.00235E+11`
    /// is refused like the bare value, while an id whose letters end in `E+5` is its own.
    @Test func scientificNotationIsFoundBehindAPrefix() throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: { field: id, transforms: [{ prefix: "gorgias:" }] }
            """
        let csv = "id\n3958\n1.00235E+11\nAB1E+5\n"
        let outcome = try DatasetValidator(
            job: try TrustJob.csv(csv, mapping: yaml, policies: "{ max_invalid_share: 1 }"), keepRecords: false
        ).run()
        #expect(
            outcome.problems.map { "\($0.position?.line ?? 0) \($0.rule)" } == [
                "3 an id Excel turned into scientific notation: its last digits are lost; export the column as text"
            ])
    }

    /// A value of spaces alone (a blank-padded `char(2)` column, `<Code>  </Code>`) is an empty
    /// cell: required, it is an error; a key, an empty key; never an id of two spaces.
    @Test func spacesAloneAreEmpty() throws {
        let yaml = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              department_id: { field: dept, required: true }
            """
        let csv = "id,dept\n1,D1\n2,  \n   ,D3\n"
        for keep in [false, true] {
            let outcome = try DatasetValidator(
                job: try TrustJob.csv(csv, mapping: yaml, policies: "{ max_invalid_share: 1 }"), keepRecords: keep
            ).run()
            #expect(
                outcome.problems.map { "\($0.position?.line ?? 0) \($0.field)" } == ["3 department_id", "4 agent_id"],
                "\(outcome.problems)")
            #expect(outcome.valid == 1)
        }
    }

    @Test func mappingKeysAreChecked() throws {
        let wrong = "target: workers\nkey: { match: [agent_id], allow_fallback: maybe }\nattributes:\n  agent_id: id\n"
        #expect(errorMessage { _ = try Mapping.parse(wrong, path: "m.yaml") }?.hasPrefix("m.yaml:2:") == true)
        #expect(try Mapping.parse(Self.mapping(fallback: true), path: "m.yaml").key.allowFallback)
        #expect(try !Mapping.parse(Self.mapping(), path: "m.yaml").key.allowFallback)
    }
}

/// Job files in a temporary folder, for tests of whole runs.
enum TrustJob {
    static func csv(_ csv: String, mapping: String, policies: String = "", source: String = "") throws -> Job {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(csv.utf8).write(to: directory.appendingPathComponent("in.csv"))
        return try job(
            in: directory, file: "in.csv", format: "csv", mapping: mapping, policies: policies, source: source)
    }

    static func file(
        _ bytes: [UInt8], name: String, format: String, mapping: String, policies: String = "",
        source: String = ""
    ) throws -> Job {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: directory.appendingPathComponent(name))
        return try job(in: directory, file: name, format: format, mapping: mapping, policies: policies, source: source)
    }

    static func job(
        in directory: URL, file: String, format: String, mapping: String, policies: String,
        source: String
    ) throws -> Job {
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("m.yaml"))
        try Data(
            """
            name: t
            mapping: m.yaml
            source: { path: \(file), format: \(format)\(source.isEmpty ? "" : ", " + source) }
            taskrouter: { workspace_sid: WS00000000000000000000000000000000 }
            \(policies.isEmpty ? "" : "policies: " + policies)
            """.utf8
        ).write(to: directory.appendingPathComponent("job.yaml"))
        return try Job.load(path: directory.appendingPathComponent("job.yaml").path)
    }
}
