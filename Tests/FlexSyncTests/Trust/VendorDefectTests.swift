import Foundation
import Testing

@testable import FlexSync

/// Exports written the way the vendors write them, by people who had not read flexsync's code
/// (`Fixtures/vendor` and `vendor-b` to `vendor-q`, each with every planted defect in
/// its `DEFECTS.json`): each file is validated with a mapping for its shape (the set's
/// `-jobs` folder), and every planted defect must be reported at its place — a CSV line or an
/// XML record — while clean records raise no error.
struct VendorDefectTests {
    struct Defect {
        var file: String
        var place: Int
        var field: String
        var kind: String
        var harmless: Bool
    }

    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/FlexSyncTests/Fixtures")

    /// The set a fixture belongs to: its folder, whose jobs are in `<folder>-jobs`.
    static func set(of file: String) -> String {
        if secondSet.contains(file) { return "vendor-b" }
        if thirdSet.contains(file) { return "vendor-c" }
        if fourthSet.contains(file) { return "vendor-d" }
        if fifthSet.contains(file) { return "vendor-e" }
        if sixthSet.contains(file) { return "vendor-f" }
        if seventhSet.contains(file) { return "vendor-g" }
        if eighthSet.contains(file) { return "vendor-h" }
        if ninthSet.contains(file) { return "vendor-i" }
        if tenthSet.contains(file) { return "vendor-j" }
        if eleventhSet.contains(file) { return "vendor-k" }
        if thirteenthSet.contains(file) { return "vendor-m" }
        if fourteenthSet.contains(file) { return "vendor-n" }
        if fifteenthSet.contains(file) { return "vendor-o" }
        if sixteenthSet.contains(file) { return "vendor-p" }
        if seventeenthSet.contains(file) { return "vendor-q" }
        return twelfthSet.contains(file) ? "vendor-l" : "vendor"
    }

    static func defects(of file: String) throws -> [Defect] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(set(of: file))/DEFECTS.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let items = try #require(root["defects"] as? [[String: Any]])
        return items.compactMap { item in
            guard let file = item["file"] as? String, let kind = item["kind"] as? String,
                let place = (item["line"] ?? item["record"]) as? Int
            else { return nil }
            let harmless = item["harmless"] as? Bool == true || Self.harmless.contains(kind)
            return Defect(
                file: file, place: place, field: item["field"] as? String ?? "", kind: kind, harmless: harmless)
        }.filter { $0.file == file }
    }

    /// What a problem's rule (or attribute) says for each kind of planted defect.
    static let evidence = baseEvidence.merging(laterSetsEvidence) { first, _ in first }

    /// A set's own words for its kinds, before the shared ones: two writers may mean different
    /// things by one kind's name.
    static let setEvidence: [String: [String: @Sendable (Problem) -> Bool]] = [
        "vendor-o": fifteenthSetEvidence, "vendor-p": sixteenthSetEvidence, "vendor-q": seventeenthSetEvidence
    ]

    static func evidence(_ kind: String, in file: String) -> (@Sendable (Problem) -> Bool)? {
        setEvidence[set(of: file)]?[kind] ?? evidence[kind] ?? fifteenthSetEvidence[kind]
            ?? sixteenthSetEvidence[kind]
    }

    static let baseEvidence: [String: @Sendable (Problem) -> Bool] = [
        "duplicate_key": { $0.rule.hasPrefix("duplicate key") },
        "empty_key": { $0.rule.hasPrefix("empty key") },
        "lossy_text": { $0.rule.hasPrefix("lossy text") },
        "bad_email": { $0.rule.contains("e-mail") },
        "phone_placeholder": { $0.field.hasSuffix("phone") },
        "bad_phone": { $0.field.hasSuffix("phone") },
        "date_out_of_range": {
            $0.rule.contains("outside Insights' years") || $0.rule.hasPrefix("placeholder date (1899-12-31")
        },
        "bad_date": { $0.rule.hasPrefix("not a date") },
        "placeholder_date": { $0.rule.hasPrefix("placeholder date") },
        "excel_number_damage": {
            $0.rule.contains("does not match") || $0.rule.contains("Excel") || $0.rule.contains("leading zero")
        },
        "too_long": { $0.rule.hasPrefix("longer than 128") },
        "inconsistent_team": { $0.rule.contains("shows in Insights only when") },
        "unquoted_delimiter": { $0.rule.hasPrefix("found ") && $0.rule.contains("but the header has") },
        "footer_row": { $0.rule.contains("total line") },
        "placeholder_id": { $0.rule.hasPrefix("an id of zeros only") },
        "legacy_charset": { $0.rule.contains("but the file's letters read as") }
    ]

    /// Clean records that raise an error by a documented rule: Ofcom's drama mobile range is not
    /// assigned, and the Odoo job reads phones with `require: valid` (`vendor-f/README.md`).
    static let expectedOnClean: Set<String> = ["odoo-res_partner.csv:30"]

    static let files =
        [
            "workday-raas-workers.xml", "bamboohr-custom-report.xml", "excel-hr-de.csv",
            "salesforce-contacts.csv", "hubspot-contacts.csv"
        ] + secondSet + thirdSet + fourthSet + fifthSet + sixthSet + seventhSet + eighthSet + ninthSet + tenthSet
        + eleventhSet + twelfthSet + thirteenthSet + fourteenthSet + fifteenthSet + sixteenthSet
        + seventeenthSet

    static func outcome(_ file: String) throws -> ValidationOutcome {
        let name = file.split(separator: ".").dropLast().joined(separator: ".")
        let job = try Job.load(
            path: directory.appendingPathComponent("\(set(of: file))-jobs/job-\(name).yaml").path)
        return try DatasetValidator(job: job, keepRecords: false).run()
    }

    static func place(_ problem: Problem, csv: Bool) -> Int? {
        problem.position.map { csv ? $0.line : $0.record }
    }

    @Test(arguments: files)
    func everyPlantedDefectIsReportedAtItsPlace(file: String) throws {
        let outcome = try Self.outcome(file)
        let csv = !file.hasSuffix(".xml") && !file.hasSuffix(".fods")
        let planted = try Self.defects(of: file)
        #expect(!planted.isEmpty)
        for defect in planted {
            // Problems about the file as a whole (record 0) count only for a defect of the whole file,
            // or for a line that is no record (a repeated header).
            let here = outcome.problems.filter {
                Self.place($0, csv: csv) == defect.place
                    && ($0.position?.record != 0
                        || ["legacy_charset", "repeated_header", "value_in_blank_column", "bom_and_header_mid_file"]
                            .contains(defect.kind))
            }
            if defect.harmless {
                // A hazard alone on its record raises no error there (but for naming a planted
                // duplicate's other row).
                if !planted.contains(where: { $0.place == defect.place && !$0.harmless }) {
                    let places = Set(planted.filter { !$0.harmless }.map(\.place))
                    #expect(
                        here.allSatisfy { $0.severity == .warning || Self.namesPlantedRow($0, places) },
                        "\(file) \(defect.place) \(defect.kind): \(here)")
                }
                continue
            }
            switch defect.kind {
            case "deleted_row", "blank_trailing_columns", "multi_value_order":
                continue  // below
            default:
                let evidence = try #require(
                    Self.evidence(defect.kind, in: file), "no evidence rule for \(defect.kind)")
                let found = here.map { $0.line(showValues: true) }
                let place = "\(file) \(csv ? "line" : "record") \(defect.place)"
                #expect(
                    here.contains(where: evidence),
                    "\(place): \(defect.kind) in \(defect.field) not reported; found \(found)")
            }
        }
    }

    /// A duplicate names both its rows; a writer may have listed the key at one of them only.
    static func namesPlantedRow(_ problem: Problem, _ places: Set<Int>) -> Bool {
        guard
            problem.rule.hasPrefix("duplicate key, also on ")
                || problem.rule.hasPrefix("duplicate key (the same id in other letter case), also on "),
            let number = problem.rule.split(whereSeparator: { !$0.isNumber }).last.flatMap({ Int($0) })
        else { return false }
        return places.contains(number)
    }

    /// Records with no planted defect raise no error (warnings, such as an unconvertible phone
    /// dropped by `on_error: drop`, may still name them).
    @Test(arguments: files)
    func cleanRecordsRaiseNoError(file: String) throws {
        let outcome = try Self.outcome(file)
        let csv = !file.hasSuffix(".xml") && !file.hasSuffix(".fods")
        let places = Set(try Self.defects(of: file).filter { !$0.harmless }.map(\.place))
        func otherRowIsPlanted(_ problem: Problem) -> Bool { Self.namesPlantedRow(problem, places) }
        let stray = outcome.problems.filter { problem in
            problem.severity == .error && Self.place(problem, csv: csv).map { !places.contains($0) } ?? true
                && !Self.expectedOnClean.contains("\(file):\(Self.place(problem, csv: csv) ?? 0)")
                && !otherRowIsPlanted(problem)
        }
        #expect(stray.isEmpty, "\(stray.map { $0.line(showValues: true) })")
    }

    /// The thirteenth set's Visma and Front files as their writer wrote them: a quote inside a
    /// quoted name not doubled, a quote opened and never closed. Each is refused at its line,
    /// naming the field, and nothing of the file is taken (the set's copies have the quoting mended).
    @Test(arguments: [
        ("visma-lonn-ansattliste", ":26: field 2 ('Navn') goes on after its closing quote"),
        ("front-contacts", ":28: field 9 ('description') opens a quote on line 28 that is never closed"),
        ("sf_userdata", ":20: field 5 ('LASTNAME') goes on after its closing quote"),
        ("amazon_connect_users", ":16: field 2 ('last name') goes on after its closing quote"),
        ("suitecrm_contacts", ":26: field 5 ('Title') goes on after its closing quote"),
        ("activecampaign-contacts", ":21: field 6 ('Organization') goes on after its closing quote")
    ])
    func quoteDamagedOriginalsAreRefusedAtTheirField(stem: String, message: String) throws {
        let folder = Self.directory.appendingPathComponent("\(Self.set(of: stem + ".csv"))-jobs")
        let text = try String(contentsOf: folder.appendingPathComponent("job-\(stem).yaml"), encoding: .utf8)
        let job = folder.appendingPathComponent("job-\(stem)-original-\(UUID().uuidString).yaml")
        try text.replacingOccurrences(of: "\(stem).csv", with: "\(stem).original.csv").write(
            to: job, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: job) }
        let refusal = errorMessage {
            _ = try DatasetValidator(job: try Job.load(path: job.path), keepRecords: false).run()
        }
        #expect(refusal?.contains("\(stem).original.csv\(message)") == true, "\(refusal ?? "")")
    }

    @Test func deletedRowsAreSkippedAndExcelsBlankColumnsIgnored() throws {
        let salesforce = try Self.outcome("salesforce-contacts.csv")
        #expect(salesforce.skippedByCondition == 2)
        let excel = try Self.outcome("excel-hr-de.csv")
        #expect(
            excel.problems.contains {
                $0.severity == .warning && $0.position?.line == 1
                    && $0.rule.hasPrefix("columns 18, 19, 20 of the header have a blank name and no values")
            })
    }

    /// Salesforce's Id 0038d00000G8HiBAAV is on lines 6, 19 and 28; line 28 also has a bad e-mail.
    @Test func allThreeRowsSharingAKeyAreNamedEvenTheInvalidOne() throws {
        let outcome = try Self.outcome("salesforce-contacts.csv")
        let duplicates = outcome.problems.filter { $0.rule.hasPrefix("duplicate key") }
        #expect(Set(duplicates.compactMap { $0.position?.line }) == [6, 19, 28])
        #expect(outcome.problems.contains { $0.position?.line == 28 && $0.rule.contains("e-mail") })
    }
    /// The OData feed is one line: every XML problem names its record, and a duplicate names the
    /// other record too (userId 100237 is on records 7 and 20).
    @Test func oneLineXMLNamesRecords() throws {
        let outcome = try Self.outcome("sf-users-odata.xml")
        let duplicates = outcome.problems.filter { $0.rule.hasPrefix("duplicate key") }.map {
            $0.line(showValues: true)
        }
        #expect(duplicates.count == 2, "\(duplicates)")
        #expect(
            duplicates.contains {
                $0.contains("sf-users-odata.xml:1 (record 20): agent_id: duplicate key, also on ")
                    && $0.contains("sf-users-odata.xml:1 (record 7)")
            }, "\(duplicates)")
        #expect(
            outcome.problems.allSatisfy {
                $0.position.map { $0.record == 0 || $0.description.hasSuffix("(record \($0.record))") } ?? true
            })
    }

    /// ADP repeats a column the report chose twice, and SSMS wrote one row with a comma of its own
    /// unquoted: the first is a warning (the mapping does not read it), the second that row's
    /// error, and every other row of both files is read and checked.
    @Test func aRepeatedColumnAndADamagedRowDoNotStopTheRun() throws {
        let adp = try Self.outcome("adp-wfn-workers.csv")
        #expect(adp.rowsRead == 32)
        #expect(
            adp.problems.contains {
                $0.severity == .warning && $0.position?.line == 1
                    && $0.rule.contains("repeats 'Position ID' (columns 4 and 21)")
            }, "\(adp.problems.map { $0.line(showValues: true) })")
        let ssms = try Self.outcome("ssms-kronos-agents.csv")
        #expect(ssms.rowsRead == 34)
        let damaged = ssms.problems.filter { $0.rule.hasPrefix("found 15 fields, but the header has 14") }
        #expect(damaged.map { $0.position?.line } == [30] && damaged.allSatisfy { $0.severity == .error })
        // The four rows after it are read and valid: 9 invalid rows are the 9 planted defects' rows.
        #expect(ssms.valid == 25 && ssms.invalid == 9)
    }

    /// The same feed read with its default namespace bound to "" (unprefixed names, as the file
    /// writes them) gives the same problems as with a prefix of the job's own for it.
    @Test func aDefaultNamespaceBoundToTheEmptyPrefix() throws {
        let folder = Self.directory.appendingPathComponent("vendor-b-jobs")
        let prefixed = try String(contentsOf: folder.appendingPathComponent("sf-users-odata.yaml"), encoding: .utf8)
        let unprefixed = prefixed.replacingOccurrences(of: "at:", with: "").replacingOccurrences(
            of: "meta:", with: "m:"
        )
        .replacingOccurrences(of: "ds:", with: "d:")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "flexsync-ns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try unprefixed.write(to: directory.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let feed = Self.directory.appendingPathComponent("vendor-b/sf-users-odata.xml").path
        let job = """
            name: sf-default-namespace
            mapping: m.yaml
            source:
              path: \(feed)
              format: xml
              record: /feed/entry
              namespaces:
                "": "http://www.w3.org/2005/Atom"
                m: "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
                d: "http://schemas.microsoft.com/ado/2007/08/dataservices"
              null_tokens: ["N/A", "MISSING"]
            taskrouter: { workspace_sid: WS00000000000000000000000000000000 }
            policies: { lossy_text: error }
            """
        try job.write(to: directory.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let outcome = try DatasetValidator(
            job: try Job.load(path: directory.appendingPathComponent("job.yaml").path), keepRecords: false
        ).run()
        let expected = try Self.outcome("sf-users-odata.xml")
        #expect(outcome.rowsRead == 30 && outcome.valid == expected.valid)
        // The feed's path as each job names it aside.
        let shape = { (problems: [Problem]) in
            problems.map {
                "\($0.position?.record ?? -1) \($0.field) "
                    + $0.rule.replacingOccurrences(
                        of: #"\S*sf-users-odata\.xml"#, with: "F", options: .regularExpression)
            }
        }
        #expect(shape(outcome.problems) == shape(expected.problems))
    }
}

/// Workday Web Services lists a worker's home e-mail before the work one and several
/// organizations of different types: the mapping picks the work address and the supervisory
/// organization by their usage and type IDs, so nothing is reported for the order, and the value
/// taken is the right one.
struct WorkdayWebServicesTests {
    @Test func theWorkAddressAndTheSupervisoryOrganizationAreTaken() throws {
        let folder = VendorDefectTests.directory.appendingPathComponent("vendor-e-jobs")
        let job = try Job.load(path: folder.appendingPathComponent("job-workday-get-workers.yaml").path)
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        func value(_ key: String, record: Int) -> String? {
            outcome.records.first { $0.position.record == record }?.set.first { $0.key == key }?.value.displayText
        }
        // Record 10 lists oliver.ben10@mailbox.example.net (HOME) first.
        #expect(value("email", record: 10) == "oliver.bennett@example.co.uk")
        #expect(
            value("team_id", record: 1) == "CARE-DEN-1" && value("team_name", record: 1) == "Customer Care Denver 1")
        #expect(!outcome.problems.contains { $0.rule.contains("matched several elements") })
        // The writer's own first mapping, without the predicates, took the home address and said so.
        let path = folder.appendingPathComponent("workday-get-workers.yaml").path
        let original = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(
                of:
                    "[wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='WORK']",
                with: "")
        #expect(original.contains("wd:Email_Address_Data/wd:Email_Address"))
        let file = VendorDefectTests.directory.appendingPathComponent("vendor-e/workday-get-workers.xml")
        let plain = try TrustJob.file(
            Array(try Data(contentsOf: file)), name: "w.xml", format: "xml", mapping: original,
            source: "record: \(job.source.recordPath ?? ""), "
                + "namespaces: { env: \"http://schemas.xmlsoap.org/soap/envelope/\", wd: \"urn:com.workday/bsvc\" }")
        let warned = try DatasetValidator(job: plain, keepRecords: false).run().problems
        #expect(
            warned.contains {
                $0.field.hasSuffix("/wd:Email_Address") && $0.rule.contains("matched several elements in 8 of 28")
                    && $0.rule.contains("(first: record 4)")
            }, "\(warned.map { $0.line(showValues: false) })")
    }
}

/// The sixth set's Polish payroll list is Excel's plain CSV on a Polish Windows: Windows-1250,
/// with `Razem` (total) under the data. Read as such, its names come out whole; named
/// windows-1252, the run says once which encoding the letters tell.
struct CentralEuropeanExportTests {
    @Test func thePolishListReadsWholeAndItsWrongEncodingIsNamed() throws {
        let folder = VendorDefectTests.directory.appendingPathComponent("vendor-f-jobs")
        let path = folder.appendingPathComponent("job-lista-pracownikow-pl.yaml").path
        let outcome = try DatasetValidator(job: try Job.load(path: path), keepRecords: true).run()
        let names = outcome.records.compactMap { $0.set.first { $0.key == "full_name" }?.value.displayText }
        #expect(names.contains { $0.contains("ł") || $0.contains("ż") || $0.contains("ą") }, "\(names)")
        #expect(!outcome.problems.contains { $0.rule.contains("Windows-1250 (Central European) read as") })
        #expect(outcome.problems.contains { $0.rule.hasPrefix("a report's total line ('Razem' first") })
        // The same job naming windows-1252: one warning at line 1 says which encoding to set.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let wrong = folder.appendingPathComponent("job-pl-1252-\(UUID().uuidString).yaml")
        try text.replacingOccurrences(of: "encoding: windows-1250", with: "encoding: windows-1252").write(
            to: wrong, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: wrong) }
        // Its column names misread, the mapping's are missing: the error says why first.
        let misread = errorMessage {
            _ = try DatasetValidator(job: try Job.load(path: wrong.path), keepRecords: false).run()
        }
        let lines = misread?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.first?.hasSuffix("set 'encoding: windows-1250'") == true, "\(lines)")
        #expect(lines.contains { $0.contains("no column 'Imię'") }, "\(lines)")
    }
}
