import Testing

@testable import FlexSync

/// The three-way decision per key: export, live, last applied, under each policy.
struct KeyOwnershipTests {
    static let mapping = try! Mapping.parse(
        """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          team_id: team
          team_name: { field: name, policy: fill_empty }
          location: { field: site, policy: create_only }
          manager: { field: boss, policy: report_only }
          department_id: { field: dept, remove_when_absent: false }
        """, path: "m.yaml")

    static func store(_ values: [String: JSONValue]) -> LastApplied {
        var store = LastApplied(place: "here")
        for (key, value) in values { store.record("WK1", key, value, run: "r1", at: "2026-11-30T02:15:00Z") }
        return store
    }

    static func decide(export: String, live: String, last: [String: JSONValue]?, onDrift: OnDrift = .keep) throws
        -> KeyOwnership.Decision
    {
        let exported = try #require(try JSONValue.parse(export).objectValue)
        let edit = ManagedEdit(
            set: Array(exported).filter { $0.value != .null }.map { ($0.key, $0.value) },
            remove: Array(exported).filter { $0.value == .null }.map(\.key))
        return KeyOwnership.decide(
            edit, live: try #require(try JSONValue.parse(live).objectValue), sid: "WK1", label: "ana",
            mapping: mapping, lastApplied: last.map(store), onDrift: onDrift)
    }

    @Test(
        arguments: [
            // export, live, last applied team_id → written value (nil: not written), drift kind
            ("T2", "T1", nil, "T2", nil),  // never applied: an ordinary change
            ("T2", "T1", "T1", "T2", nil),  // live is what flexsync wrote: an ordinary change
            ("T1", "T9", "T1", nil, "drift"),  // someone else changed it; the export did not
            ("T2", "T9", "T1", nil, "conflict"),  // both changed
            ("T1", "T1", "T0", "T1", nil)  // equal: nothing to write, recorded as seen
        ] as [(String, String, String?, String?, String?)])
    func syncTellsDriftFromChanges(export: String, live: String, last: String?, written: String?, kind: String?) throws
    {
        let decision = try Self.decide(
            export: #"{"team_id":"\#(export)"}"#, live: #"{"team_id":"\#(live)"}"#,
            last: last.map { ["team_id": .string($0)] } ?? [:])
        #expect(decision.edit.set.first { $0.key == "team_id" }?.value == written.map { .string($0) })
        #expect(decision.drift.map(\.kind.rawValue) == (kind.map { [$0] } ?? []))
    }

    @Test func revertWritesDriftBack() throws {
        let decision = try Self.decide(
            export: #"{"team_id":"T1"}"#, live: #"{"team_id":"T9"}"#, last: ["team_id": .string("T1")], onDrift: .revert
        )
        #expect(decision.edit.set.map(\.key) == ["team_id"])
        #expect(decision.drift.first?.reverted == true && decision.drift.first?.written == .string("T1"))
    }

    /// A key flexsync only ever saw absent was never written: `create_only` still creates it.
    @Test func createOnlyCreatesAKeyLastSeenAbsent() throws {
        let decision = try Self.decide(export: #"{"location":"Porto"}"#, live: #"{}"#, last: ["location": .null])
        #expect(decision.edit.set.map(\.key) == ["location"])
        let written = try Self.decide(
            export: #"{"location":"Porto"}"#, live: #"{}"#, last: ["location": .string("Lisbon")])
        #expect(written.edit.set.isEmpty)
    }

    @Test func otherPoliciesNeverOverwrite() throws {
        let live = #"{"team_name":"Set in Flex","location":"Lisbon","manager":"Bo","department_id":"D1"}"#
        let export = #"{"team_name":"Sales","location":"Porto","manager":"Cy","department_id":null}"#
        let fresh = try Self.decide(export: export, live: #"{}"#, last: nil)
        #expect(fresh.edit.set.map(\.key) == ["team_name", "location"])  // filled, created; manager only reported
        #expect(fresh.drift.map(\.kind) == [.reportOnly])
        let later = try Self.decide(export: export, live: live, last: ["location": .string("Lisbon")])
        #expect(later.edit.set.isEmpty && later.edit.remove.isEmpty)  // department_id is not removed either
        #expect(later.drift.map(\.key) == ["manager"])
    }
}
