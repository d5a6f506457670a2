import Foundation
import Logging

/// Why an apply did not start.
public enum ApplyRefusal: Error, CustomStringConvertible {
    case inputsChanged(plan: String, now: String)
    case otherWorkspace(plan: String, job: String)
    case gatesTripped([Plan.Gate])

    public var description: String {
        switch self {
        case .inputsChanged:
            return "the job, mapping or export changed since the plan was made: run 'flexsync plan' again and "
                + "review the new plan"
        case .otherWorkspace(let plan, let job):
            return "the plan is for workspace \(plan), but the job (with this profile) targets \(job)"
        case .gatesTripped(let gates):
            return "safety gate\(gates.count == 1 ? "" : "s") tripped, nothing written: "
                + gates.map { "\($0.name) (\($0.detail); override with \($0.override))" }.joined(separator: "; ")
        }
    }
}

extension Plan {
    /// Re-applies the operator's overrides given at apply time to the gates recorded in the plan.
    public mutating func applyOverrides(_ overrides: PlanOverrides) {
        for index in gates.indices where overrides.allowed.contains(gates[index].kind) {
            gates[index].overridden = true
        }
    }

    /// Refuses a plan whose inputs changed, whose workspace differs, or whose gates tripped.
    public func checkApplicable(to job: Job, currentDigest: String) throws {
        guard currentDigest == self.job.digest else {
            throw ApplyRefusal.inputsChanged(plan: self.job.digest, now: currentDigest)
        }
        guard job.taskRouter.workspaceSid == self.job.workspaceSid else {
            throw ApplyRefusal.otherWorkspace(plan: self.job.workspaceSid, job: job.taskRouter.workspaceSid)
        }
        if !trippedGates.isEmpty { throw ApplyRefusal.gatesTripped(trippedGates) }
    }
}

/// Builds the inverse of what a journal's run changed, as a plan to review and apply.
public struct RollbackBuilder: Sendable {
    public let journalPath: String

    public init(journalPath: String) { self.journalPath = journalPath }

    /// The job file and profile the journal's run used.
    public func origin() throws -> (jobPath: String, profile: String?) {
        guard let data = FileManager.default.contents(atPath: journalPath) else {
            throw PlanFileError(path: journalPath, message: "cannot read the journal")
        }
        for line in data.split(separator: 0x0A) {
            if let object = try? JSONValue.parse(bytes: Array(line)).objectValue,
                object["event"]?.stringValue == "begin", let path = object["job_path"]?.stringValue
            {
                return (path, object["profile"]?.stringValue)
            }
        }
        throw PlanFileError(path: journalPath, message: "no 'begin' entry naming the job: not a flexsync journal")
    }

    /// What a rollback would do: a plan restoring the before-images, and the targets it skips
    /// because they changed since the run (conflicts, as apply counts them).
    public struct Outcome: Sendable {
        public var plan: Plan
        public var conflicts: [String]
    }

    /// One plan target per target the run changed, restoring the before-images. Targets with an
    /// intent but no recorded outcome (a run killed between a write and its answer) are read
    /// back: included when the write landed, left alone when it did not. Targets changed since
    /// the run (their managed keys no longer hold what the run wrote) are skipped as conflicts.
    public func plan(context: SyncContext, showValues: Bool = false) throws -> Outcome {
        var images: [String: (before: JSONObject, after: JSONObject)] = [:]
        var applied = Set<String>()
        // An intent stays open until an outcome after it closes it: a write sent again by a resumed
        // run and then killed is in doubt, whatever an earlier attempt's outcome said.
        var inDoubt = Set<String>()
        for entry in try Journal.read(path: journalPath) {
            guard let sid = entry.sid else { continue }
            if entry.event == .intent, let before = entry.before, let after = entry.after {
                if images[sid] == nil { images[sid] = (before, after) } else { images[sid]!.after = after }
                inDoubt.insert(sid)
            }
            if entry.event == .outcome {
                inDoubt.remove(sid)
                if entry.result == .applied { applied.insert(sid) }
            }
        }
        let job = context.job
        let session = try CurlSession()
        let traffic = TrafficStats()
        var live: [String: (String, String?)] = [:]
        if job.mapping.target == .workers {
            for worker in try context.client.listWorkers(traffic: traffic, session: session) {
                live[worker.sid] = (worker.friendlyName, worker.attributesText)
            }
        } else {
            for task in try context.client.listOpenTasks(traffic: traffic, session: session) {
                live[task.sid] = (task.sid, task.attributesText)
            }
        }
        let origin = Plan.JobIdentity(
            name: job.name, profile: job.profile, path: job.absolutePath,
            digest: try job.inputDigest(), target: job.mapping.target,
            workspaceSid: job.taskRouter.workspaceSid, baseURL: job.taskRouter.baseURL)
        var plan = Plan(
            id: UUID().uuidString.lowercased(), createdAt: Date(), job: origin,
            managedKeys: job.mapping.managedKeys, ssoOwnedKeys: [], rowsRead: 0,
            targetsConsidered: applied.union(inDoubt).count, unchanged: 0,
            targets: [], quarantined: [], oversize: [], problems: [], invalidRows: 0, untouched: [],
            gates: [])
        var conflicts: [String] = []
        let position = SourcePosition(file: journalPath, line: 0, record: 0)
        for sid in applied.union(inDoubt).sorted() {
            guard let image = images[sid] else { continue }
            guard let (label, text) = live[sid], let text, let document = try? JSONValue.parse(text).objectValue else {
                plan.quarantined.append(.init(position: position, key: sid, reason: "\(sid) no longer exists"))
                continue
            }
            let keys = Array(image.before).map(\.key)
            let liveImage = Applier.image(of: keys, in: document)
            if liveImage != image.after {
                // An in-doubt write that did not land left nothing to undo.
                if inDoubt.contains(sid) && liveImage == image.before {
                    plan.unchanged += 1
                    continue
                }
                let detail = Applier.conflictDetail(
                    keys: keys, planned: image.after, live: liveImage,
                    showValues: showValues
                )
                .replacingOccurrences(of: "the plan", with: "the run")
                conflicts.append("\(sid): \(detail): not rolled back")
                continue
            }
            let edit = ManagedEdit(
                set: Array(image.before).filter { $0.value != .null }.map { ($0.key, $0.value) },
                remove: Array(image.before).filter { $0.value == .null }.map(\.key))
            let desired = Merge.apply(edit, to: document)
            let changes = Merge.diff(live: document, desired: desired, keys: edit.keys)
            if changes.isEmpty {
                plan.unchanged += 1
                continue
            }
            plan.targets.append(
                .init(
                    sid: sid, label: label, email: nil, team: nil, etag: nil, changes: changes,
                    edit: edit, before: text, desired: JSONValue.object(desired).minified,
                    source: position))
        }
        return Outcome(plan: plan, conflicts: conflicts)
    }
}
