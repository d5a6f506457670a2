import Foundation
import TaskRouterEmulator
import Testing

@testable import FlexSync

/// `plan` against the emulator over HTTP.
struct PlanTests {
    static let flexKeys =
        #""contact_uri":"client:ana","routing":{"skills":["sales"],"levels":{"sales":2}},"roles":["agent"],"image_url":"https://x/a.png""#

    static func seed() -> [EmulatorSeed.Worker] {
        [
            // Already in sync, with keys in another order and 1.0 for 1.
            .init(
                sid: "WK" + String(repeating: "a", count: 32), friendlyName: "ana",
                attributes:
                    #"{"team_name":"Sales","agent_attribute_1":"7","agent_id":"1","email":"ana@example.com","team_id":"T1",\#(flexKeys)}"#
            ),
            // Stale team, and a removal (no score in the export).
            .init(
                sid: "WK" + String(repeating: "b", count: 32), friendlyName: "bo",
                attributes:
                    #"{"agent_id":"2","email":"bo@example.com","team_id":"T0","team_name":"Old","agent_attribute_1":"3","contact_uri":"client:bo"}"#
            ),
            // Never synced: found by e-mail (case-folded).
            .init(
                sid: "WK" + String(repeating: "c", count: 32), friendlyName: "cy",
                attributes: #"{"email":"Cy@Example.com","roles":["agent"]}"#),
            // Two workers share an e-mail: a record keyed on it is ambiguous.
            .init(
                sid: "WK" + String(repeating: "d", count: 32), friendlyName: "dup1",
                attributes: #"{"email":"dup@example.com"}"#),
            .init(
                sid: "WK" + String(repeating: "e", count: 32), friendlyName: "dup2",
                attributes: #"{"email":"dup@example.com"}"#),
            // No record for this one: left alone.
            .init(
                sid: "WK" + String(repeating: "f", count: 32), friendlyName: "zed",
                attributes: #"{"email":"zed@example.com"}"#)
        ]
    }

    static let csv = """
        id,email,team_id,team,score
        1,ana@example.com,T1,Sales,7
        2,bo@example.com,T2,Support,
        3,cy@example.com,T1,Sales,5
        4,dup@example.com,T1,Sales,1
        5,nobody@example.com,T1,Sales,1
        """

    @Test func plansKeyByKeyAndKeepsFlexKeys() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv, mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.summaryLine == "2 workers to change (8 keys), 1 unchanged, 2 quarantined, 0 invalid")
        let bo = try #require(plan.targets.first { $0.label == "bo" })
        #expect(
            bo.changes.map {
                "\($0.action.rawValue) \($0.key): \($0.before?.minified ?? "-") → \($0.after?.minified ?? "-")"
            } == [
                #"~ team_id: "T0" → "T2""#, #"~ team_name: "Old" → "Support""#, #"- agent_attribute_1: "3" → -"#
            ])
        #expect(
            bo.desired
                == #"{"agent_id":"2","email":"bo@example.com","team_id":"T2","team_name":"Support","contact_uri":"client:bo"}"#
        )
        let cy = try #require(plan.targets.first { $0.label == "cy" })
        // email normalised: "Cy@Example.com" → "cy@example.com"
        #expect(cy.changes.map(\.action) == [.add, .change, .add, .add, .add])
        #expect(cy.desired.contains(#""roles":["agent"]"#))
        let reasons = plan.quarantined.map(\.reason)
        #expect(
            reasons.contains {
                $0.hasPrefix("2 workers share email 'dup@example.com' (WKdddd") && $0.hasSuffix("): not guessing")
            })
        #expect(reasons.contains("no worker has agent_id '5' or email 'nobody@example.com'"))
        #expect(plan.untouched.count == 3)  // zed and the two duplicates
        #expect(plan.ssoOwnedKeys == ["email", "team_id", "team_name"])
        // 6 workers, one list page.
        #expect(fixture.emulator.requestLog().map(\.method) == ["GET"])
    }

    @Test func nothingToDoWhenTheLiveStateMatches() async throws {
        let fixture = try await SyncFixture.start(workers: [Self.seed()[0]])
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(
            csv: "id,email,team_id,team,score\n1,ana@example.com,T1,Sales,7.0\n", mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.targets.isEmpty && plan.unchanged == 1)
        #expect(plan.summaryLine == "0 workers to change (0 keys), 1 unchanged, 0 quarantined, 0 invalid")
    }

    @Test func friendlyNamesMatchWhateverTheirCase() async throws {
        let fixture = try await SyncFixture.start(workers: [
            .init(friendlyName: "Ana.Lima", attributes: #"{"contact_uri":"client:ana"}"#)
        ])
        defer { Task { await fixture.stop() } }
        let mapping = """
            target: workers
            key: { match: [friendly_name] }
            friendly_name: login
            attributes:
              team_id: team_id
            """
        let job = try fixture.job(csv: "login,team_id\n ana.LIMA ,T1\n", mapping: mapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.quarantined.isEmpty)
        #expect(plan.targets.map(\.label) == ["Ana.Lima"])
        #expect(plan.targets.first?.desired == #"{"contact_uri":"client:ana","team_id":"T1"}"#)
    }

    @Test func nullListAttributesAreFetchedOneByOne() async throws {
        var options = EmulatorOptions()
        options.nullListAttributes = true
        let fixture = try await SyncFixture.start(workers: Self.seed(), options: options)
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv, mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.summaryLine == "2 workers to change (8 keys), 1 unchanged, 2 quarantined, 0 invalid")
        let log = fixture.emulator.requestLog()
        #expect(log.count == 7)  // one page, then each of the six workers
        #expect(plan.targets.allSatisfy { $0.etag != nil })
    }

    @Test func theMergedDocumentMustFitTaskRoutersLimit() async throws {
        let big = String(repeating: "x", count: 4000)
        let fixture = try await SyncFixture.start(workers: [
            .init(friendlyName: "ana", attributes: #"{"agent_id":"1","notes":"\#(big)"}"#)
        ])
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(
            csv: "id,email,team_id,team,score\n1,ana@example.com,T1,Sales Team Alpha,7\n",
            mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.targets.isEmpty)
        #expect(plan.oversize.count == 1)
        #expect(
            plan.oversize[0].reason.hasSuffix("the merged attributes would be 4123 characters, over TaskRouter's 4096"))
    }

    @Test func safetyGatesTripAndCanBeOverridden() async throws {
        let workers = (0..<10).map {
            EmulatorSeed.Worker(
                friendlyName: "w\($0)", attributes: #"{"agent_id":"\#($0)","team_id":"T1","team_name":"Sales"}"#)
        }
        let fixture = try await SyncFixture.start(workers: workers)
        defer { Task { await fixture.stop() } }
        // A broken export: every team_id changes.
        let rows = (0..<10).map { "\($0),,X\($0),Sales," }.joined(separator: "\n")
        let job = try fixture.job(
            csv: "id,email,team_id,team,score\n" + rows + "\n", mapping: SyncFixture.workerMapping,
            policies:
                "{ max_changed_share: 0.2, max_key_change_share: 0.5, requests_per_second: 100, max_requests_per_second: 100 }"
        )
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.trippedGates.map(\.name) == ["mass-change", "key-churn"])
        #expect(
            plan.trippedGates.map(\.detail) == [
                "10 of 10 workers change (100%); the job allows 20%",
                "'team_id' changes or disappears on 10 of 10 workers (100%); the job allows 50%"
            ])
        var overrides = PlanOverrides()
        overrides.allowed = [.massChange, .keyChurn]
        let frozen = overrides
        let (allowed, _) = try await offload { try fixture.context(job).makePlan(overrides: frozen) }
        #expect(allowed.trippedGates.isEmpty)
        #expect(allowed.gates.filter(\.overridden).count == 2)
        // The last successful run read 10 rows; an export of 2 trips the shrunk-export gate.
        try StateDirectory(path: job.policies.stateDirectory).recordSuccess(rowsRead: 10, planID: "p")
        let small = try fixture.job(
            csv: "id,email,team_id,team,score\n0,,T1,Sales,\n1,,T1,Sales,\n", mapping: SyncFixture.workerMapping)
        let (shrunk, _) = try await offload { try fixture.context(small).makePlan(overrides: PlanOverrides()) }
        #expect(shrunk.trippedGates.map(\.name) == ["shrunk-export"])
        #expect(
            shrunk.trippedGates[0].detail == "2 rows, 20% of the last successful run's 10 (the job allows down to 80%)")
    }

    @Test func tooManyInvalidRowsTripAGate() async throws {
        let fixture = try await SyncFixture.start(workers: [Self.seed()[0]])
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(
            csv: "id,email,team_id,team,score\n1,ana@example.com,T1,Sales,7\n2,bad-address,T1,Sales,1\n",
            mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(plan.trippedGates.map(\.name) == ["invalid-rows"])
        #expect(plan.invalidRows == 1)
    }

    @Test func customersAreJoinedInInsightsOrder() async throws {
        let tasks: [EmulatorSeed.Task] = [
            .init(
                sid: "WT" + String(repeating: "1", count: 32), assignmentStatus: "assigned",
                attributes: #"{"customers":{"external_id":"C-1"},"from":"+15550000002"}"#),
            .init(
                sid: "WT" + String(repeating: "2", count: 32), assignmentStatus: "pending",
                attributes: #"{"customers":{"phone":"+15550000002"}}"#),
            .init(
                sid: "WT" + String(repeating: "3", count: 32), assignmentStatus: "wrapping",
                attributes: #"{"direction":"outbound","to":"c3@example.com","from":"+1555"}"#),
            .init(
                sid: "WT" + String(repeating: "4", count: 32), assignmentStatus: "completed",
                attributes: #"{"customers":{"external_id":"C-1"}}"#),
            .init(
                sid: "WT" + String(repeating: "5", count: 32), assignmentStatus: "reserved",
                attributes: #"{"from":"+15550000009","conversations":{"conversation_id":"x"}}"#)
        ]
        let fixture = try await SyncFixture.start(tasks: tasks)
        defer { Task { await fixture.stop() } }
        let mapping = """
            target: tasks
            key: { match: [customers.external_id, customers.phone, customers.email] }
            attributes:
              customers.external_id: id
              customers.phone: { field: phone, transforms: [{ phone: { country: US } }] }
              customers.email: { field: email, transforms: [email] }
              customers.name: name
            """
        let csv =
            "id,phone,email,name\nC-1,(555) 000-0001,c1@example.com,One\nC-2,555 000 0002,c2@example.com,Two\nC-3,,C3@example.com,Three\n"
        let job = try fixture.job(csv: csv, mapping: mapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let names = Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.sid.suffix(1), $0.label) })
        // Task 1 carries external_id C-1 (which wins over its 'from'); task 2 a phone; task 3 an outbound 'to' e-mail.
        #expect(names == ["1": "One", "2": "Two", "3": "Three"])
        let one = try #require(plan.targets.first { $0.label == "One" })
        #expect(
            one.desired
                == #"{"customers":{"external_id":"C-1","phone":"+15550000001","email":"c1@example.com","name":"One"},"from":"+15550000002"}"#
        )
        #expect(
            fixture.emulator.requestLog().first?.query.contains("AssignmentStatus=pending,reserved,assigned,wrapping")
                == true)
        // Task 5's caller is in no CRM record; the completed task 4 is not listed at all.
        #expect(plan.untouched == ["WT" + String(repeating: "5", count: 32)])
    }

    /// A CRM's `(0)20 7946 0018` (read in GB), `0044 20 7946 0019` and an international
    /// `+44 20 7946 0020` meet callers' `+442079460018`, a customer phone written with spaces, and
    /// a WhatsApp address: both sides are compared in E.164.
    @Test func customersAreMatchedByPhoneInE164() async throws {
        let sid = { (digit: String) in "WT" + String(repeating: digit, count: 32) }
        let tasks: [EmulatorSeed.Task] = [
            .init(sid: sid("1"), assignmentStatus: "assigned", attributes: #"{"from":"+442079460018"}"#),
            .init(
                sid: sid("2"), assignmentStatus: "assigned",
                attributes: #"{"customers":{"phone":"+44 20 7946 0019"}}"#),
            .init(sid: sid("3"), assignmentStatus: "pending", attributes: #"{"from":"whatsapp:+442079460020"}"#)
        ]
        let fixture = try await SyncFixture.start(tasks: tasks)
        defer { Task { await fixture.stop() } }
        let mapping = """
            target: tasks
            key: { match: [customers.phone] }
            attributes:
              customers.phone: { field: phone, transforms: [{ phone: { default_country: GB, output: international } }] }
              customers.name: name
            """
        let csv = "phone,name\n(0)20 7946 0018,One\n0044 20 7946 0019,Two\n+44 20 7946 0020,Three\n"
        let job = try fixture.job(csv: csv, mapping: mapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let names = Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.sid.suffix(1), $0.label) })
        #expect(names == ["1": "One", "2": "Two", "3": "Three"])
        #expect(plan.targets.first { $0.label == "One" }?.desired.contains(#""phone":"+44 20 7946 0018""#) == true)
    }

    @Test func planFilesRoundTripAndRefuseOtherVersions() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv, mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let path = fixture.directory.appendingPathComponent("plan.json").path
        try Data(plan.fileText.utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try Plan.load(path: path)
        #expect(loaded.targets.map(\.desired) == plan.targets.map(\.desired))
        #expect(loaded.targets.map(\.edit) == plan.targets.map(\.edit))
        #expect(loaded.targets.map(\.changes) == plan.targets.map(\.changes))
        #expect(loaded.job == plan.job)
        #expect(loaded.job.path.hasPrefix("/"))
        try Data(plan.fileText.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 9").utf8).write(
            to: URL(fileURLWithPath: path))
        #expect(
            errorMessage { _ = try Plan.load(path: path) }
                == "\(path): plan format version 9 is not supported (this flexsync reads version 1)")
    }

    /// A plan is applied only as it was reviewed: any edit to its content after it was written —
    /// a value, a gate, a dropped target — is refused when it is loaded.
    @Test func planFilesEditedAfterWritingAreRefused() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv, mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let path = fixture.directory.appendingPathComponent("plan.json").path
        let text = plan.fileText
        let refusal =
            "\(path): the plan was changed after it was written: run 'flexsync plan' again and review the new plan"
        var edits: [String] = [
            text.replacingOccurrences(of: #"\"team_id\":\"T2\""#, with: #"\"team_id\":\"T9\""#),
            text.replacingOccurrences(of: #""tripped": false"#, with: #""tripped": true"#)
        ]
        var dropped = try #require(try JSONValue.parse(text).objectValue)
        dropped["targets"] = .array([])
        edits.append(JSONValue.object(dropped).pretty)
        for edited in edits {
            #expect(edited != text)
            try Data(edited.utf8).write(to: URL(fileURLWithPath: path))
            #expect(errorMessage { _ = try Plan.load(path: path) } == refusal)
        }
        var unsigned = try #require(try JSONValue.parse(text).objectValue)
        unsigned["digest"] = nil
        try Data(JSONValue.object(unsigned).pretty.utf8).write(to: URL(fileURLWithPath: path))
        #expect(errorMessage { _ = try Plan.load(path: path) }?.contains("the plan has no digest") == true)
    }

    /// A live value written with separate accents (NFD) and the export's composed one (NFC) look
    /// the same: the plan says why the line is there.
    @Test func aChangeThatOnlyComposesAccentsSaysSo() async throws {
        let worker = EmulatorSeed.Worker(
            sid: "WK" + String(repeating: "e", count: 32), friendlyName: "zoe",
            attributes: #"{"agent_id":"1","email":"zoe@example.com","team_id":"T1","team_name":"Equipe Zoe\#u{0308}"}"#)
        let fixture = try await SyncFixture.start(workers: [worker])
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(
            csv: "id,email,team_id,team,score\n1,zoe@example.com,T1,Equipe Zo\u{00EB},\n",
            mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let text = PlanReport.text(plan, color: false, showValues: false)
        #expect(
            text.contains(
                "    ~ team_name: \"Equipe Zoe\u{0308}\" → \"Equipe Zo\u{00EB}\" (the same text, composed: the live "
                    + "value's accents are separate characters)\n"), "\(text)")
    }

    @Test func reportsShowChangesAndMaskPersonalValues() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let job = try fixture.job(csv: Self.csv, mapping: SyncFixture.workerMapping)
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let text = PlanReport.text(plan, color: false, showValues: false)
        #expect(text.contains("    ~ team_id: \"T0\" → \"T2\"\n"))
        #expect(text.contains("    ~ email: *** → ***\n"))
        #expect(!text.contains("cy@example.com"))
        #expect(
            PlanReport.text(plan, color: false, showValues: true).contains(
                #"~ email: "Cy@Example.com" → "cy@example.com""#))
        #expect(text.hasSuffix("2 workers to change (8 keys), 1 unchanged, 2 quarantined, 0 invalid\n"))
        let markdown = PlanReport.markdown(plan, showValues: false)
        #expect(markdown.contains("| bo | `WKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb` | ~ | `team_id` | \"T0\" | \"T2\" |"))
        let html = PlanHTML.render(plan, showValues: false)
        #expect(
            html.contains(
                "<p class=\"summary\" id=\"summary\">2 workers to change (8 keys), 1 unchanged, 2 quarantined, 0 invalid</p>"
            ))
        #expect(html.contains("id=\"chart-keys\"") && html.contains("id=\"chart-teams\""))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("cy@example.com"))
    }
}
