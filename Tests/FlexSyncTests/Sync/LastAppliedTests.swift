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

    /// One applied outcome for `sid` at `place`, in a journal last modified `daysAgo` days ago.
    static func journal(_ folder: String, _ name: String, sid: String, place: String, daysAgo: Double) throws {
        let journal = try Journal(path: folder + "/journals/\(name).jsonl")
        try journal.append(
            .outcome,
            [
                ("sid", .string(sid)), ("result", .string("applied")), ("place", .string(place)),
                ("after", .object(JSONObject([("customers.name", .string(name))])))
            ])
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-daysAgo * 86_400)],
            ofItemAtPath: folder + "/journals/\(name).jsonl")
    }

    /// After a run the store takes in the journals, then the old ones it holds in full go; recent
    /// ones, and old ones that record another place's writes, stay. Tasks no longer listed are
    /// forgotten when the caller says which are.
    @Test func catchUpDeletesOldJournalsOnlyOnceTheStoreHoldsThem() throws {
        let folder = try Self.folder()
        let state = try StateDirectory(path: folder)
        try Self.journal(folder, "old", sid: "WT1", place: "here", daysAgo: 40)
        try Self.journal(folder, "recent", sid: "WT2", place: "here", daysAgo: 2)
        try Self.journal(folder, "staging", sid: "WT3", place: "staging", daysAgo: 40)
        try LastApplied.catchUp(state, place: "here", keepJournalsDays: 30)
        let remaining = try FileManager.default.contentsOfDirectory(atPath: folder + "/journals").sorted()
        #expect(remaining == ["recent.jsonl", "staging.jsonl"])
        var store = try LastApplied.load(directory: folder, place: "here")
        #expect(store.entry("WT1", "customers.name")?.value == .string("old"))
        #expect(store.entry("WT2", "customers.name")?.value == .string("recent"))
        #expect(try store.replay(journals: folder + "/journals") == false)
        #expect(store.replayed["old.jsonl"] == nil)

        // As many SIDs as the store holds, one of them not stored: WT1 still goes.
        try LastApplied.catchUp(state, place: "here", keepJournalsDays: 30, retaining: ["WT2", "WT9"])
        store = try LastApplied.load(directory: folder, place: "here")
        #expect(store.entry("WT1", "customers.name") == nil && store.entry("WT2", "customers.name") != nil)
    }

    /// Journals whose runs did not end stay however old: an apply killed mid-write (an intent
    /// without its outcome) or between writes (a start without its finish) is resumed from them.
    /// So does the journal a watcher is writing, and none goes when the caller may not delete.
    @Test func journalsOfRunsThatDidNotEndStay() throws {
        let folder = try Self.folder()
        let state = try StateDirectory(path: folder)
        let inDoubt = try Journal(path: folder + "/journals/in-doubt.jsonl")
        try inDoubt.append(.start, [("place", .string("here"))])
        try inDoubt.append(.intent, [("sid", .string("WK1")), ("after", .object(JSONObject()))])
        let unfinished = try Journal(path: folder + "/journals/unfinished.jsonl")
        try unfinished.append(.start, [("place", .string("here"))])
        try unfinished.append(
            .outcome, [("sid", .string("WK2")), ("result", .string("applied")), ("place", .string("here"))])
        try Self.journal(folder, "current", sid: "WK3", place: "here", daysAgo: 40)
        try Self.journal(folder, "ended", sid: "WK4", place: "here", daysAgo: 40)
        for name in ["in-doubt", "unfinished"] {
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-40 * 86_400)],
                ofItemAtPath: folder + "/journals/\(name).jsonl")
        }
        try LastApplied.catchUp(state, place: "here", keepJournalsDays: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/journals").count == 4)
        try LastApplied.catchUp(state, place: "here", keepJournalsDays: 30, except: "current.jsonl")
        let remaining = try FileManager.default.contentsOfDirectory(atPath: folder + "/journals").sorted()
        #expect(remaining == ["current.jsonl", "in-doubt.jsonl", "unfinished.jsonl"])
    }

    /// A damaged store holds nothing for sure: no journal is deleted, however old.
    @Test func aDamagedStoreDeletesNoJournal() throws {
        let folder = try Self.folder()
        try Self.journal(folder, "old", sid: "WT1", place: "here", daysAgo: 40)
        try Data("not a store\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/" + LastApplied.fileName(place: "here")))
        try LastApplied.catchUp(try StateDirectory(path: folder), place: "here", keepJournalsDays: 30)
        #expect(FileManager.default.fileExists(atPath: folder + "/journals/old.jsonl"))
    }

    /// The two journal policies are read from the job, and a value that would delete journals at
    /// once or never let one be replaced is refused with its line.
    @Test func journalPoliciesAreReadAndCheckedFromTheJob() throws {
        let folder = try Self.folder()
        try Data("target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/m.yaml"))
        func load(_ policies: String) throws -> Job {
            let text =
                "name: t\nmapping: m.yaml\nsource: { path: in.csv, format: csv }\n"
                + "taskrouter: { workspace_sid: WS00000000000000000000000000000000 }\npolicies: \(policies)\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/job.yaml"))
            return try Job.load(path: folder + "/job.yaml")
        }
        let defaults = try load("{}").policies
        #expect(defaults.keepJournalsDays == 30 && defaults.watchJournalMaxMB == 64)
        let set = try load("{ keep_journals_days: 7, watch_journal_max_mb: 16 }").policies
        #expect(set.keepJournalsDays == 7 && set.watchJournalMaxMB == 16)
        let message = errorMessage { _ = try load("{ keep_journals_days: 0 }") } ?? ""
        #expect(
            message.contains(":5:") && message.contains("'policies.keep_journals_days' must be positive"), "\(message)")
    }
}
