import Foundation
import Testing

@testable import FlexSync

/// The last-applied store follows the journals and only records what an outcome confirmed.
struct LastAppliedTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flexsync-store-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path + "/journals", withIntermediateDirectories: true)
        return path
    }

    /// An outcome found equal by a read-back, with no intent of its own, records the image it
    /// confirms, not an earlier intent's.
    @Test func outcomesRecordTheirOwnImage() throws {
        let folder = try Self.folder()
        let journal = try Journal(path: folder + "/journals/watch-1.jsonl")
        try journal.append(
            .intent,
            [
                ("sid", .string("WT1")), ("before", .object(JSONObject([("customers.name", .null)]))),
                ("after", .object(JSONObject([("customers.name", .string("Sales"))])))
            ])
        try journal.append(
            .outcome, [("sid", .string("WT1")), ("result", .string("failed")), ("place", .string("here"))])
        try journal.append(
            .outcome,
            [
                ("sid", .string("WT1")), ("result", .string("unchanged")), ("place", .string("here")),
                ("after", .object(JSONObject([("customers.name", .string("Support"))])))
            ])
        try journal.append(
            .outcome,
            [
                ("sid", .string("WT2")), ("result", .string("applied")), ("place", .string("elsewhere")),
                ("after", .object(JSONObject([("customers.name", .string("Other"))])))
            ])
        var store = LastApplied(place: "here")
        #expect(try store.replay(journals: folder + "/journals"))
        #expect(store.entry("WT1", "customers.name")?.value == .string("Support"))
        #expect(store.entry("WT2", "customers.name") == nil)
        try store.save(directory: folder)
        var loaded = try LastApplied.load(directory: folder, place: "here")
        #expect(loaded.entry("WT1", "customers.name") == store.entry("WT1", "customers.name"))
        #expect(try loaded.replay(journals: folder + "/journals") == false)  // nothing new since
    }

    /// Stores are kept per place: planning against another server neither reads nor replaces this one's.
    @Test func eachPlaceHasItsOwnStore() throws {
        let folder = try Self.folder()
        var here = LastApplied(place: "https://a/v1/Workspaces/WS1")
        here.record("WK1", "team_id", .string("T1"), run: "r", at: "2026-01-01T00:00:00Z")
        try here.save(directory: folder)
        try LastApplied(place: "http://127.0.0.1:9/v1/Workspaces/WS1").save(directory: folder)
        #expect(
            try LastApplied.load(directory: folder, place: "https://a/v1/Workspaces/WS1").entry("WK1", "team_id")?.value
                == .string("T1"))
        #expect(
            try LastApplied.load(directory: folder, place: "http://127.0.0.1:9/v1/Workspaces/WS1").entry(
                "WK1", "team_id") == nil)
    }
}
