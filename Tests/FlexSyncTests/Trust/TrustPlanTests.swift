import Foundation
import TaskRouterEmulator
import Testing

@testable import FlexSync

/// What `plan` does with records that would lose data: against the emulator over HTTP.
struct TrustPlanTests {
    static let lea = "WK" + String(repeating: "1", count: 32)
    static let max = "WK" + String(repeating: "2", count: 32)

    static func seed() -> [EmulatorSeed.Worker] {
        [
            .init(
                sid: lea, friendlyName: "lea",
                attributes:
                    #"{"agent_id":"4710","email":"lea.sommer@example.de","full_name":"Lea 🌸 Sommer","#
                    + #""location":"München","contact_uri":"client:lea"}"#
            ),
            .init(
                sid: max, friendlyName: "max",
                attributes:
                    #"{"agent_id":"4711","email":"max@example.de","full_name":"José García","location":"Köln"}"#
            )
        ]
    }

    static func mapping(fallback: Bool) -> String {
        """
        target: workers
        key: { match: [agent_id, email], allow_fallback: \(fallback) }
        attributes:
          agent_id: id
          email: { field: mail, transforms: [email] }
          full_name: { template: "{first} {last}" }
          location: city
        """
    }

    @Test(arguments: [false, true])
    func anEmptyKeyNeverRemovesTheLiveOne(fallback: Bool) async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let csv =
            "id,mail,first,last,city\n,lea.sommer@example.de,Lea,Sommer,Berlin\n"
            + "4711,max@example.de,José,García,Köln\n"
        let job = try fixture.job(
            csv: csv, mapping: Self.mapping(fallback: fallback),
            policies: "{ max_changed_share: 1, max_key_change_share: 1, max_invalid_share: 1 }")
        let (plan, _) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        let lea = plan.targets.first { $0.sid == Self.lea }
        if fallback {
            // Matched by e-mail: the name and location change, agent_id stays.
            #expect(lea?.changes.map(\.key) == ["full_name", "location"])
            #expect(lea?.desired.contains(#""agent_id":"4710""#) == true)
        } else {
            #expect(lea == nil)
            #expect(plan.problems.contains { $0.rule == "empty key 'agent_id'" })
        }
        #expect(!plan.targets.contains { target in target.changes.contains { $0.key == "agent_id" } })
    }

    /// `policies.empty_key: warning`: the row is valid and reported, and still changes nothing.
    @Test func anEmptyKeyAsAWarningStillChangesNothing() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        let csv = "id,mail,first,last,city\n,lea.sommer@example.de,Lea,Sommer,Berlin\n"
        let job = try fixture.job(
            csv: csv, mapping: Self.mapping(fallback: false),
            policies: "{ max_changed_share: 1, max_key_change_share: 1, empty_key: warning }")
        let (plan, validation) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(validation.isValid && validation.warnings == 1)
        #expect(validation.problems.map(\.rule) == ["empty key 'agent_id': not matched, nothing changes"])
        #expect(plan.targets.isEmpty)
        #expect(plan.quarantined.map(\.reason) == ["empty key: matched to no worker, nothing changes"])
    }

    @Test func damagedTextNeverReplacesGoodText() async throws {
        let fixture = try await SyncFixture.start(workers: Self.seed())
        defer { Task { await fixture.stop() } }
        // Saved from Excel in Windows-1252 and converted twice: the emoji is '??', 'ü' is 'Ã¼'.
        let csv =
            "id,mail,first,last,city\n4710,lea.sommer@example.de,Lea,?? Sommer,MÃ¼nchen\n"
            + "4711,max@example.de,Jos?,Garc?a,K?ln-Deutz\n"
        let job = try fixture.job(csv: csv, mapping: Self.mapping(fallback: false))
        let (plan, validation) = try await offload { try fixture.context(job).makePlan(overrides: PlanOverrides()) }
        #expect(validation.isValid)
        #expect(validation.warnings == 4)
        #expect(plan.targets.first { $0.sid == Self.lea } == nil)
        // Köln-Deutz is not Köln: that location is a real change, damage and all; the name is kept.
        let max = try #require(plan.targets.first { $0.sid == Self.max })
        #expect(max.changes.map(\.key) == ["location"])
        #expect(plan.kept.map(\.key).sorted() == ["full_name", "full_name", "location"])
        #expect(
            plan.kept.contains {
                $0.reason.hasPrefix("\(Self.lea): location: kept the live value; the export's M*** (8 chars) differs")
            },
            "\(plan.kept.map(\.reason))")
        let text = PlanReport.text(plan, color: false, showValues: false)
        #expect(text.contains("kept (lossy text in the export, the live value stays):"))
        let markdown = PlanReport.markdown(plan, showValues: false)
        #expect(markdown.contains("### Kept (lossy text in the export, the live value stays)"))
        #expect(PlanHTML.render(plan, showValues: false).contains("<table id=\"kept\">"))
    }
}
