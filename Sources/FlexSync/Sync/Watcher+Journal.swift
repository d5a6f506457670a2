import Foundation

/// The watcher's journal: begun per watch, replaced when it grows large, and taken into the
/// last-applied store (with old journals deleted) when it is replaced and when the watch stops.
extension Watcher {
    /// Begins a watch journal in the job's state directory: `watch-` and the time, with a
    /// `begin` line naming the job (what rollback and the store's replay read).
    public static func openJournal(job: Job, state: StateDirectory) throws -> Journal {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        var name = "watch-" + stamp
        var sequence = 1
        while FileManager.default.fileExists(atPath: state.journalPath(planID: name)) {
            sequence += 1
            name = "watch-\(stamp)-\(sequence)"
        }
        let journal = try Journal(path: state.journalPath(planID: name))
        try journal.appendBegin(plan: name, job: job)
        return journal
    }

    static func session(of journal: Journal) -> String {
        ((journal.path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// Brings the on-disk last-applied store up to date with the journals (a tasks job keeps
    /// only the tasks still listed) and deletes the journals past `policies.keep_journals_days`.
    public func catchUp() throws {
        try LastApplied.catchUp(
            state, place: context.client.workspaceURL, keepJournalsDays: context.job.policies.keepJournalsDays,
            retaining: listedTasks, except: (journal.path as NSString).lastPathComponent)
    }

    /// After a cycle: a journal past `policies.watch_journal_max_mb` is closed and a new one
    /// begun, and the store takes in the old one, so a watcher that runs for weeks keeps a few
    /// journals, not one that fills the disk.
    func rotateJournalIfLarge() throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: journal.path)[.size] as? Int) ?? 0
        guard Double(size) > context.job.policies.watchJournalMaxMB * 1_048_576 else { return }
        let fresh = try Self.openJournal(job: context.job, state: state)
        let previous = journal.path
        journal = fresh
        session = Self.session(of: fresh)
        try catchUp()
        context.logger.notice("journal rotated", metadata: ["previous": "\(previous)", "journal": "\(fresh.path)"])
    }
}
