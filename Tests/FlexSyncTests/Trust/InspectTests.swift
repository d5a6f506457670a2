import Foundation
import Testing

@testable import FlexSync

/// `flexsync inspect` on the vendor-shaped exports: columns or paths, fill counts, samples,
/// encoding and delimiter, and a drafted mapping that compiles.
struct InspectTests {
    static func vendor(_ name: String) -> String {
        Fixtures.repositoryRoot.appendingPathComponent("Tests/FlexSyncTests/Fixtures/vendor/\(name)").path
    }

    @Test func aGermanExcelExportIsReadAsWindows1252WithSemicolons() throws {
        let inspection = try ExportInspection.inspect(path: Self.vendor("excel-hr-de.csv"), recordPath: nil)
        #expect(inspection.format == .csv && inspection.records == 28)
        #expect(inspection.encoding == "windows-1252 (not valid UTF-8)" && inspection.delimiter == ";")
        let names = inspection.columns.map(\.name)
        #expect(names.contains("Telefon (geschäftlich)") && !names.contains("(column 18)"))
        let key = try #require(inspection.columns.first { $0.name == "Personalnummer" })
        #expect(key.filled == 27 && key.samples == ["001201", "001202", "001203"])
        let text = InspectReport.text(inspection, showValues: false)
        #expect(text.contains("0*** (6 chars)") && !text.contains("001201"))
        #expect(InspectReport.text(inspection, showValues: true).contains("'001201'"))
    }

    /// A Spanish Excel report's totals line is no record: left out of the counts and named.
    @Test func aTotalsLineIsNamedAndNotCounted() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-i/paylocity-census-es.csv"
        ).path
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        #expect(inspection.totalLines.map(\.label) == ["Total general"], "\(inspection.totalLines)")
        let line = try #require(inspection.totalLines.first?.line)
        #expect(
            InspectReport.text(inspection, showValues: false).contains(
                "line \(line): a report's total line ('Total general' first): left out of the counts"))
        // 26 lines below the header: 24 employees (one with a stray delimiter, left out of the
        // counts too), a repeated header and the totals line.
        #expect(inspection.records == 23 && inspection.malformedRows.count == 1, "\(inspection.records)")
    }

    /// A Cognos "XML data" report's columns are its `<value>`s by position, named by its
    /// `<metadata>`: the draft reads the names and writes the positions.
    @Test func aCognosReportsColumnsAreNamedByItsMetadata() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-h/ukg-cognos-employees.xml"
        ).path
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        #expect(inspection.recordPath == "/dataset/data/row" && inspection.records == 25)
        #expect(
            inspection.columns.prefix(2).map { "\($0.name) \($0.label ?? "")" } == [
                "value[1] Employee Number", "value[2] First Name"
            ])
        // A null `<value xs:nil="true"/>` keeps its place: record 23 has no employee number.
        #expect(inspection.columns[0].filled == 24 && inspection.columns[1].filled == 25)
        #expect(InspectReport.text(inspection, showValues: false).contains("value[4] (Email Address)"))
        let draft = MappingDraft.yaml(inspection, target: .workers)
        #expect(draft.contains("  agent_id: \"value[1]\""), "\(draft)")
        #expect(draft.contains("  full_name: { template: \"{value[2]} {value[3]}\" }"), "\(draft)")
        #expect(draft.contains("  email: { field: \"value[4]\", transforms: [email] }"), "\(draft)")
        // UKG Pro's organization levels: department, then team.
        #expect(
            draft.contains("  department_id: \"value[6]\"") && draft.contains("  department_name: \"value[7]\"")
                && draft.contains("  team_id: \"value[8]\"") && draft.contains("  team_name: \"value[9]\""),
            "\(draft)")
        _ = try Mapping.parse(draft, path: "draft.yaml")
    }

    @Test func aWorkdayReportsRecordPathAndKeysAreFound() throws {
        let inspection = try ExportInspection.inspect(path: Self.vendor("workday-raas-workers.xml"), recordPath: nil)
        #expect(inspection.recordPath == "/wd:Report_Data/wd:Report_Entry" && inspection.records == 30)
        #expect(inspection.namespaces["wd"] == "urn:com.workday.report/INT_Flex_Worker_Sync")
        #expect(inspection.encoding == "utf-8 (XML declaration)")
        let names = inspection.columns.map(\.name)
        #expect(names.contains("wd:Worker/wd:ID[@wd:type='Employee_ID']"))
        #expect(names.contains("wd:Location/@wd:Descriptor"))
        // Omitted elements count as unfilled: record 9 has no Employee_ID, 13 and 22 are contingent workers.
        #expect(inspection.columns.first { $0.name == "wd:Employee_ID" }?.filled == 27)
        #expect(inspection.columns.first { $0.name == "wd:Worker/wd:ID[@wd:type='Contingent_Worker_ID']" }?.filled == 2)
    }

    @Test func bambooHRFieldsAreKeyedByTheirId() throws {
        let inspection = try ExportInspection.inspect(path: Self.vendor("bamboohr-custom-report.xml"), recordPath: nil)
        #expect(inspection.recordPath == "/report/employees/employee" && inspection.records == 28)
        #expect(inspection.columns.map(\.name).starts(with: ["@id", "field[@id='employeeNumber']"]))
    }

    @Test(arguments: [
        ("excel-hr-de.csv", MappingTarget.workers), ("workday-raas-workers.xml", .workers),
        ("salesforce-contacts.csv", .tasks), ("hubspot-contacts.csv", .tasks)
    ])
    func theDraftedMappingCompilesAndNamesTheKey(file: String, target: MappingTarget) throws {
        let inspection = try ExportInspection.inspect(path: Self.vendor(file), recordPath: nil)
        let yaml = MappingDraft.yaml(inspection, target: target)
        let mapping = try Mapping.parse(yaml, path: "draft.yaml")
        #expect(mapping.key.match.first == (target == .workers ? "agent_id" : "customers.external_id"), "\(yaml)")
        #expect(mapping.managedKeys.contains(target == .workers ? "email" : "customers.email"), "\(yaml)")
    }

    @Test func theDraftPicksTheColumnsAPersonWould() throws {
        let excel = try ExportInspection.inspect(path: Self.vendor("excel-hr-de.csv"), recordPath: nil)
        let yaml = MappingDraft.yaml(excel, target: .workers)
        #expect(yaml.contains("  agent_id: \"Personalnummer\""))
        #expect(yaml.contains("  full_name: { template: \"{Vorname} {Nachname}\" }"))
        #expect(
            yaml.contains(
                "  phone: { field: \"Telefon (geschäftlich)\", transforms: [{ phone: { default_country: DE } }] }"))
        #expect(yaml.contains("  team_id: \"Team-ID\"") && yaml.contains("  team_name: \"Team\""))
        #expect(yaml.contains("  department_id: \"Kostenstelle\"") && yaml.contains("  department_name: \"Abteilung\""))
        let workday = try ExportInspection.inspect(path: Self.vendor("workday-raas-workers.xml"), recordPath: nil)
        let draft = MappingDraft.yaml(workday, target: .workers)
        #expect(draft.contains("  agent_id: \"wd:Worker/wd:ID[@wd:type='Employee_ID']\""), "\(draft)")
        #expect(draft.contains("  manager: \"wd:Worker_s_Manager/@wd:Descriptor\""))
        #expect(
            draft.contains("  team_id: \"wd:Supervisory_Organization/wd:ID[@wd:type='Organization_Reference_ID']\""))
        #expect(draft.contains("  department_id: \"wd:Cost_Center/wd:ID[@wd:type='Cost_Center_Reference_ID']\""))
    }
    /// Column names are not enough: Google Contacts pairs each `… - Value` with a `… - Label`,
    /// a flag's name may say "email", and a department may have no code. The draft reads the
    /// samples, gives a lone name its id, and builds the customer's name from first and last.
    @Test func theDraftReadsSamplesAndGivesANameItsId() throws {
        let csv = """
            First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Send Email,Department,Active Status Date
            Ana,Lima,* Work,ana@example.org,Mobile,+1 317 555 0101,false,Billing,2019-04-01
            Bo,Chen,* Home,bo@example.org,Work,+1 317 555 0102,true,Care,2020-05-02

            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("google-\(UUID().uuidString).csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        let tasks = MappingDraft.yaml(inspection, target: .tasks)
        #expect(tasks.contains("  customers.email: { field: \"E-mail 1 - Value\", transforms: [email] }"), "\(tasks)")
        #expect(tasks.contains("  customers.phone: { field: \"Phone 1 - Value\""))
        #expect(tasks.contains("  customers.name: { template: \"{First Name} {Last Name}\" }"))
        let workers = MappingDraft.yaml(inspection, target: .workers)
        #expect(!workers.contains("\"Send Email\"") && workers.contains("  email: { field: \"E-mail 1 - Value\""))
        #expect(
            workers.contains("  department_name: \"Department\"")
                && workers.contains("  department_id: \"Department\"   # no code column: the name stands as its id"))
        #expect(!workers.contains("state:"), "a status date is no status: \(workers)")
        // A column no row fills feeds nothing, however good its name (Entra ID's users download).
        let entra =
            "userPrincipalName,displayName,authenticationEmail,mail\nana@x.onmicrosoft.com,Ana Lima,,ana@example.org\n"
        let entraPath = FileManager.default.temporaryDirectory.appendingPathComponent("entra-\(UUID().uuidString).csv")
        try Data(entra.utf8).write(to: entraPath)
        defer { try? FileManager.default.removeItem(at: entraPath) }
        let entraDraft = MappingDraft.yaml(
            try ExportInspection.inspect(path: entraPath.path, recordPath: nil), target: .workers)
        #expect(
            entraDraft.contains("  email: { field: \"mail\"") && !entraDraft.contains("authenticationEmail\""),
            "\(entraDraft)")
        // A name is never a system's opaque id: ServiceNow's reference holds a sys_id, its
        // display_value the department's name.
        let servicenow = """
            <unload><sys_user><user_name>ana</user_name><department display_value="Customer Care">4f1c9a0e2b7d4c55a1e0f3b6c8d2e7a9</department></sys_user>            <sys_user><user_name>bo</user_name><department display_value="Billing">0b2e8d3f9c1a4e6b8d7c5a3f1e9b2c4d</department></sys_user>            <sys_user><user_name>cy</user_name><department>9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d</department></sys_user></unload>
            """
        let snPath = FileManager.default.temporaryDirectory.appendingPathComponent("sys_user-\(UUID().uuidString).xml")
        try Data(servicenow.utf8).write(to: snPath)
        defer { try? FileManager.default.removeItem(at: snPath) }
        let snDraft = MappingDraft.yaml(
            try ExportInspection.inspect(path: snPath.path, recordPath: nil), target: .workers)
        #expect(snDraft.contains("  department_name: \"department/@display_value\""), "\(snDraft)")
        // A country column reads each phone in its row's country, one unknown country among its
        // values notwithstanding; one that names no country does not.
        // Freshsales names the customer's company `Account name`.
        let crm =
            "User ID,Phone,Office Country,Country,Account name\n1,020 7946 0018,LON01,United Kingdom,Initech\n"
            + "2,(303) 555-0101,DEN01,USA,Globex\n3,(303) 555-0102,DEN01,Wakanda,Hooli\n"
        let crmPath = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(UUID().uuidString).csv")
        try Data(crm.utf8).write(to: crmPath)
        defer { try? FileManager.default.removeItem(at: crmPath) }
        let crmDraft = MappingDraft.yaml(
            try ExportInspection.inspect(path: crmPath.path, recordPath: nil), target: .tasks)
        #expect(
            crmDraft.contains(
                "  customers.phone: { field: \"Phone\", transforms: [{ phone: { country_field: \"Country\", "
                    + "default_country: US } }] }"), "\(crmDraft)")
        #expect(crmDraft.contains("  customers.organization: \"Account name\""), "\(crmDraft)")
        // A vendor's own name for its id (Copper's), not an account's; Dayforce's code column.
        #expect(MappingDraft.attribute(for: "Copper ID", target: .tasks)?.key == "customers.external_id")
        #expect(MappingDraft.attribute(for: "Account ID", target: .tasks) == nil)
        #expect(MappingDraft.attribute(for: "Department XRefCode", target: .workers)?.key == "department_id")
        #expect(MappingDraft.attribute(for: "Department", target: .workers)?.key == "department_name")
        // Nothing to draft from still reads as a mapping.
        let bare = ExportInspection(file: "x.csv", format: .csv, encoding: "utf-8", records: 1, columns: [])
        #expect(MappingDraft.yaml(bare, target: .workers).contains("\nattributes: {}   # no column name suggests"))
    }

    /// Five9's SOAP response declares its payload's prefix below the root: inspect lists it,
    /// with the record path guessed or given.
    @Test func namespacesDeclaredBelowTheRootAreListed() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-d/five9-getUsersInfo.xml"
        ).path
        let record = "/env:Envelope/env:Body/ns2:getUsersInfoResponse/return"
        for given in [nil, record] {
            let inspection = try ExportInspection.inspect(path: path, recordPath: given)
            #expect(inspection.recordPath == record && inspection.records == 27)
            #expect(inspection.namespaces["ns2"] == "http://service.admin.ws.five9.com/")
            #expect(inspection.namespaces["env"] == "http://schemas.xmlsoap.org/soap/envelope/")
        }
    }

    /// A SuccessFactors OData feed: one line, every element in Atom's default namespace, and
    /// each user's manager expanded inline as another `entry` inside the user's own.
    @Test func anODataFeedsDefaultNamespaceAndItsInlineManager() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-b/sf-users-odata.xml")
        let inspection = try ExportInspection.inspect(path: path.path, recordPath: nil)
        #expect(inspection.recordPath == "/feed/entry" && inspection.records == 30)
        #expect(inspection.namespaces[""] == "http://www.w3.org/2005/Atom")
        #expect(
            InspectReport.text(inspection, showValues: false).contains("namespace \"\": http://www.w3.org/2005/Atom"))
        let draft = MappingDraft.yaml(inspection, target: .workers)
        // The user's own id, e-mail and name, never the manager's nested ones.
        #expect(draft.contains("  agent_id: \"content[@type='application/xml']/m:properties/d:userId\""), "\(draft)")
        #expect(
            draft.contains("  email: { field: \"content[@type='application/xml']/m:properties/d:email\""), "\(draft)")
        let mapped = draft.split(separator: "\n").filter { $0.contains("m:inline") }
        #expect(
            mapped == [
                "  manager: \"link[@title='manager']/m:inline/entry/content[@type='application/xml']/m:properties/"
                    + "d:defaultFullName\"   # 30 of 30 filled"
            ], "\(mapped)")
        #expect(
            draft.contains("  full_name: \"content[@type='application/xml']/m:properties/d:defaultFullName\"")
                && draft.contains("match: [agent_id, email]"), "\(draft)")
    }
    /// SQL Server writes a null as the text `NULL`: inspect counts it as a value, as a job would
    /// read it, and says which columns hold it and how to make it empty.
    @Test func nullLikeTextsAreNamedWithTheJobSettingThatEmptiesThem() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-c/ssms-kronos-agents.csv"
        ).path
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        let termination = try #require(inspection.columns.first { $0.name == "TerminationDate" })
        #expect(termination.filled == 33 && termination.nullLike["NULL"] == 32, "\(termination)")
        #expect(inspection.columns.first { $0.name == "FirstName" }?.nullLike.isEmpty == true)
        let text = InspectReport.text(inspection, showValues: false)
        let hint = try #require(text.split(separator: "\n").first { $0.hasPrefix("'NULL' fills ") })
        #expect(
            hint.contains("'TerminationDate' (") && hint.hasSuffix("if it means empty, list it in 'source.null_tokens'")
        )
        // A department code not yet decided, as an Oracle extract writes it.
        let oracle = Fixtures.repositoryRoot.appendingPathComponent(
            "Tests/FlexSyncTests/Fixtures/vendor-p/oracle_hcm_workers.dat"
        ).path
        let department = try #require(
            try ExportInspection.inspect(path: oracle, recordPath: nil).columns.first { $0.nullLike["TBD"] != nil })
        #expect(department.nullLike["TBD"] == 1, "\(department)")
    }

    /// Column names from ADP, Oracle HCM, Kronos and Zoho exports feed what a person would map
    /// them to; a yes/no "Is Manager" flag and an owner's id feed nothing.
    @Test(arguments: [
        ("Associate ID", MappingTarget.workers, "agent_id" as String?), ("PERSON_NUMBER", .workers, "agent_id"),
        ("PersonNum", .workers, "agent_id"), ("Home Department Code", .workers, "department_id"),
        ("TEAM_CODE", .workers, "team_id"), ("Reports To Name", .workers, "manager"), ("Is Manager", .workers, nil),
        ("Contact Owner", .tasks, "customers.customer_manager"), ("Contact Owner.id", .tasks, nil),
        // PeopleSoft, Personio (a bare ID; its supervisor column with a German gender colon), Pipedrive, Intercom.
        ("EMPLID", .workers, "agent_id"), ("ID", .workers, "agent_id"), ("Vorgesetzte:r", .workers, "manager"),
        ("Person - ID", .tasks, "customers.external_id"), ("User ID", .tasks, "customers.external_id"),
        ("Owner User ID", .tasks, nil), ("wd:Worker_s_Manager/@wd:Descriptor", .workers, "manager")
    ])
    func columnNamesFromMoreVendors(column: String, target: MappingTarget, key: String?) {
        #expect(MappingDraft.attribute(for: column, target: target)?.key == key)
    }
}

/// NetSuite's SOAP responses bind the default namespace once for the response and again for the
/// result inside it: "" in a job can stand for one of them only. `inspect` writes each default
/// namespace's elements with a prefix the document declares for it elsewhere (`m`), or one of its
/// own (`ns1`), so that the record path and namespaces it prints make a job that reads the records.
struct ReboundDefaultNamespaceTests {
    static let xml = """
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>\
        <m:documentInfo xmlns:m="urn:messages"><m:nsId>1</m:nsId></m:documentInfo></soapenv:Header><soapenv:Body>\
        <searchResponse xmlns="urn:messages"><searchResult xmlns="urn:core"><totalRecords>2</totalRecords><recordList>\
        <record internalId="7"><r:email xmlns:r="urn:relationships">ana@example.org</r:email><name>Ana</name></record>\
        <record internalId="8"><r:email xmlns:r="urn:relationships">bo@example.org</r:email><name>Bo</name></record>\
        </recordList></searchResult></searchResponse></soapenv:Body></soapenv:Envelope>
        """

    @Test func eachDefaultNamespaceGetsAPrefixAndTheJobReadsTheRecords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("search.xml")
        try Data(Self.xml.utf8).write(to: file)
        let inspection = try ExportInspection.inspect(path: file.path, recordPath: nil)
        let record = "/soapenv:Envelope/soapenv:Body/m:searchResponse/ns1:searchResult/ns1:recordList/ns1:record"
        #expect(inspection.recordPath == record && inspection.records == 2)
        #expect(inspection.namespaces["m"] == "urn:messages" && inspection.namespaces["ns1"] == "urn:core")
        #expect(inspection.namespaces[""] == nil)
        #expect(inspection.columns.map(\.name) == ["@internalId", "r:email", "ns1:name"])
        // What it printed, as a job: every record is read.
        let namespaces = inspection.namespaces.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")
        let job = try TrustJob.file(
            Array(Self.xml.utf8), name: "search.xml", format: "xml",
            mapping: "target: tasks\nkey: { match: [customers.external_id] }\nattributes:\n"
                + "  customers.external_id: \"@internalId\"\n  customers.name: \"ns1:name\"\n",
            source: "record: \(record), namespaces: { \(namespaces) }")
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(outcome.rowsRead == 2 && outcome.valid == 2, "\(outcome.problems.map(\.rule))")
        #expect(outcome.records.map { $0.set.first { $0.key == "customers.name" }?.value.displayText } == ["Ana", "Bo"])
    }

    /// The eleventh blind set's drafts: Paychex's `Worker ID` (not `Client ID`, the same company
    /// code on every row), Dynamics' `(Do Not Modify) Contact` GUID, a Greek list's own names,
    /// and a LibreOffice sheet read as a table.
    @Test func draftsForTheEleventhSet() throws {
        func draft(_ file: String, _ target: MappingTarget) throws -> String {
            let path = Fixtures.repositoryRoot.appendingPathComponent("Tests/FlexSyncTests/Fixtures/vendor-k/\(file)")
                .path
            let yaml = MappingDraft.yaml(try ExportInspection.inspect(path: path, recordPath: nil), target: target)
            _ = try Mapping.parse(yaml, path: "draft.yaml")
            return yaml
        }
        let paychex = try draft("paychex-census.csv", .workers)
        #expect(paychex.contains("  agent_id: \"Worker ID\"") && !paychex.contains("\"Client ID\""), "\(paychex)")
        let dynamics = try draft("dynamics-contacts.csv", .tasks)
        #expect(dynamics.contains("  customers.external_id: \"(Do Not Modify) Contact\""), "\(dynamics)")
        let greek = try draft("greek-agents.csv", .workers)
        for line in [
            "  agent_id: \"Κωδικός Υπαλλήλου\"", "  full_name: { template: \"{Όνομα} {Επώνυμο}\" }",
            "  team_id: \"Κωδικός Ομάδας\"", "  team_name: \"Ομάδα\"", "  role: \"Θέση\""
        ] {
            #expect(greek.contains(line), "\(greek)")
        }
        let roster = try draft("roster.fods", .workers)
        #expect(roster.contains("  agent_id: \"table:table-cell[1]/text:p\""), "\(roster)")
        #expect(roster.contains("skip_when: { field: \"table:table-cell[1]/text:p\""), "\(roster)")
    }

    /// The twelfth set's drafts: SQL Server's id as an attribute (`@EmpID`), Access's escaped
    /// names (`First_x0020_Name`), a Chinese roster's own column names.
    @Test func draftsForTheTwelfthSet() throws {
        func draft(_ file: String) throws -> String {
            let path = Fixtures.repositoryRoot.appendingPathComponent("Tests/FlexSyncTests/Fixtures/vendor-l/\(file)")
                .path
            let yaml = MappingDraft.yaml(try ExportInspection.inspect(path: path, recordPath: nil), target: .workers)
            _ = try Mapping.parse(yaml, path: "draft.yaml")
            return yaml
        }
        let sqlServer = try draft("sqlserver-agents-forxml.xml")
        #expect(sqlServer.contains("  agent_id: \"@EmpID\""), "\(sqlServer)")
        let access = try draft("access-tblAgents.xml")
        #expect(access.contains("  full_name: { template: \"{First_x0020_Name} {Last_x0020_Name}\" }"), "\(access)")
        #expect(access.contains("  team_id: \"Team_x0020_Code\""), "\(access)")
        let chinese = try draft("zh-cn-agents-utf8.csv")
        for line in ["  agent_id: \"工号\"", "  full_name: \"姓名\"", "  department_id: \"部门编号\"", "  role: \"职位\""] {
            #expect(chinese.contains(line), "\(chinese)")
        }
    }
}
