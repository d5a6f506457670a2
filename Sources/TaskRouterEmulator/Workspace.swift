import Foundation

/// The emulated workspace: workers and tasks with their revisions. Thread-safe; every method
/// takes the lock for its whole duration so each request sees and makes one consistent change.
// @unchecked: every method takes `lock` for its whole duration.
final class Workspace: @unchecked Sendable {
    struct Worker {
        var sid: String
        var friendlyName: String
        var attributes: String
        var activityName: String
        var activitySid: String
        var available: Bool
        var dateCreated: Date
        var dateUpdated: Date
        var dateStatusChanged: Date
        var revision: Int
    }

    struct Task {
        var sid: String
        var assignmentStatus: String
        var attributes: String
        var priority: Int
        var reason: String?
        var dateCreated: Date
        var dateUpdated: Date
        var revision: Int
        var closedAt: Date?
    }

    /// When every seeded resource (and the workspace) was created.
    static let seedCreated = Date(timeIntervalSince1970: 1_700_000_000)

    let accountSid: String
    let workspaceSid: String
    private let lock = NSLock()
    private var workers: [Worker] = []
    private var workerIndex: [String: Int] = [:]
    private var tasks: [Task] = []
    private var taskIndex: [String: Int] = [:]
    private let taskTTL: TimeInterval
    private var listRevision = 1

    init(seed: EmulatorSeed, taskTTL: TimeInterval) {
        accountSid = seed.accountSid
        workspaceSid = seed.workspaceSid
        self.taskTTL = taskTTL
        let created = Workspace.seedCreated
        var generator = SIDGenerator(seed: seed.workspaceSid)
        for worker in seed.workers {
            let activity = worker.activityName ?? "Offline"
            let record = Worker(
                sid: worker.sid ?? generator.next(prefix: "WK"),
                friendlyName: worker.friendlyName,
                attributes: worker.attributes,
                activityName: activity,
                activitySid: "WA" + SIDGenerator.hex32(of: activity),
                available: activity.lowercased() == "available",
                dateCreated: created, dateUpdated: created, dateStatusChanged: created,
                revision: 1)
            workerIndex[record.sid] = workers.count
            workers.append(record)
        }
        for task in seed.tasks {
            let record = Task(
                sid: task.sid ?? generator.next(prefix: "WT"),
                assignmentStatus: task.assignmentStatus,
                attributes: task.attributes,
                priority: 0, reason: nil,
                dateCreated: created, dateUpdated: created,
                revision: 1,
                closedAt: ["completed", "canceled"].contains(task.assignmentStatus) ? Date() : nil)
            taskIndex[record.sid] = tasks.count
            tasks.append(record)
        }
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Workers

    /// One page of workers after the worker with SID `after` (exclusive), filtered.
    func workerPage(after: String?, size: Int, filter: (Worker) -> Bool) -> (items: [Worker], more: Bool, revision: Int)
    {
        withLock {
            var start = 0
            if let after, let position = workerIndex[after] { start = position + 1 }
            var items: [Worker] = []
            var position = start
            while position < workers.count {
                if filter(workers[position]) {
                    if items.count == size { return (items, true, listRevision) }
                    items.append(workers[position])
                }
                position += 1
            }
            return (items, false, listRevision)
        }
    }

    /// Whether the worker or task a request path ends with is here (`--refuse-rate` refuses
    /// updates of those only: one that is not there is still a 404, as TaskRouter answers).
    func holds(path: String) -> Bool {
        let sid = String(path.split(separator: "/").last ?? "")
        return worker(sid) != nil || task(sid) != nil
    }

    func worker(_ sid: String) -> Worker? {
        withLock { workerIndex[sid].map { workers[$0] } }
    }

    /// Applies an update when `ifMatch` (if any) names the current revision.
    func updateWorker(_ sid: String, ifMatch: String?, attributes: String?, friendlyName: String?) -> UpdateOutcome<
        Worker
    > {
        withLock {
            guard let position = workerIndex[sid] else { return .notFound }
            var worker = workers[position]
            if let ifMatch, !Workspace.revision(ifMatch, matches: worker.revision) {
                return .preconditionFailed(worker)
            }
            if let attributes { worker.attributes = attributes }
            if let friendlyName { worker.friendlyName = friendlyName }
            worker.revision += 1
            worker.dateUpdated = Date()
            workers[position] = worker
            listRevision += 1
            return .updated(worker)
        }
    }

    // MARK: Tasks

    func taskPage(after: String?, size: Int, filter: (Task) -> Bool) -> (items: [Task], more: Bool, revision: Int) {
        withLock {
            purgeClosedTasks()
            var start = 0
            if let after, let position = taskIndex[after] { start = position + 1 }
            var items: [Task] = []
            var position = start
            while position < tasks.count {
                if filter(tasks[position]) {
                    if items.count == size { return (items, true, listRevision) }
                    items.append(tasks[position])
                }
                position += 1
            }
            return (items, false, listRevision)
        }
    }

    func task(_ sid: String) -> Task? {
        withLock {
            purgeClosedTasks()
            return taskIndex[sid].map { tasks[$0] }
        }
    }

    func updateTask(
        _ sid: String, ifMatch: String?, attributes: String?, status: String?, reason: String?, priority: Int?
    ) -> UpdateOutcome<Task> {
        withLock {
            purgeClosedTasks()
            guard let position = taskIndex[sid] else { return .notFound }
            var task = tasks[position]
            if let ifMatch, !Workspace.revision(ifMatch, matches: task.revision) { return .preconditionFailed(task) }
            if let attributes { task.attributes = attributes }
            if let status {
                task.assignmentStatus = status
                if ["completed", "canceled"].contains(status) { task.closedAt = Date() }
            }
            if let reason { task.reason = reason }
            if let priority { task.priority = priority }
            task.revision += 1
            task.dateUpdated = Date()
            tasks[position] = task
            listRevision += 1
            return .updated(task)
        }
    }

    /// Adds a task, as a Studio flow or a channel does when a contact arrives.
    func createTask(sid: String, attributes: String, at date: Date) {
        withLock {
            purgeClosedTasks()
            taskIndex[sid] = tasks.count
            tasks.append(
                Task(
                    sid: sid, assignmentStatus: "pending", attributes: attributes, priority: 0, reason: nil,
                    dateCreated: date, dateUpdated: date, revision: 1, closedAt: nil))
            listRevision += 1
        }
    }

    /// Moves a task on (`reserved`, `assigned`, `wrapping`, `completed`), as agents do; false
    /// when the task no longer exists.
    @discardableResult
    func advanceTask(_ sid: String, to status: String) -> Bool {
        if case .updated = updateTask(
            sid, ifMatch: nil, attributes: nil, status: status, reason: status == "completed" ? "done" : nil,
            priority: nil)
        {
            return true
        }
        return false
    }

    /// Deletes completed and canceled tasks whose time has come, as TaskRouter does.
    private func purgeClosedTasks() {
        let now = Date()
        guard tasks.contains(where: { $0.closedAt.map { now.timeIntervalSince($0) >= taskTTL } ?? false }) else {
            return
        }
        tasks.removeAll { $0.closedAt.map { now.timeIntervalSince($0) >= taskTTL } ?? false }
        taskIndex = [:]
        for (position, task) in tasks.enumerated() { taskIndex[task.sid] = position }
        listRevision += 1
    }

    // MARK: Snapshot

    /// The whole state with attributes parsed, as `--state-out` writes it.
    func snapshot() -> [String: Any] {
        withLock {
            func parsed(_ text: String) -> Any {
                (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
            }
            return [
                "account_sid": accountSid,
                "workspace_sid": workspaceSid,
                "workers": workers.map {
                    [
                        "sid": $0.sid, "friendly_name": $0.friendlyName, "revision": $0.revision,
                        "activity_name": $0.activityName, "attributes": parsed($0.attributes)
                    ] as [String: Any]
                },
                "tasks": tasks.map {
                    [
                        "sid": $0.sid, "assignment_status": $0.assignmentStatus, "revision": $0.revision,
                        "attributes": parsed($0.attributes)
                    ] as [String: Any]
                }
            ]
        }
    }

    /// `If-Match` may carry the revision bare (`3`) or quoted (`"3"`, `W/"3"`).
    static func revision(_ header: String, matches revision: Int) -> Bool {
        var token = header.trimmingCharacters(in: .whitespaces)
        if token.hasPrefix("W/") { token.removeFirst(2) }
        if token.count >= 2, token.hasPrefix("\""), token.hasSuffix("\"") {
            token = String(token.dropFirst().dropLast())
        }
        return token == String(revision)
    }
}

/// The result of a conditional update.
enum UpdateOutcome<Item> {
    case updated(Item)
    case notFound
    case preconditionFailed(Item)
}

/// Deterministic SIDs for seeds that leave them out, so a seed file always yields the same workspace.
struct SIDGenerator {
    private var state: UInt64

    init(seed: String) { state = SIDGenerator.fnv1a(seed) }

    mutating func next(prefix: String) -> String {
        var hex = ""
        for _ in 0..<2 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let part = String(z, radix: 16)
            hex += String(repeating: "0", count: 16 - part.count) + part
        }
        return prefix + hex
    }

    static func hex32(of text: String) -> String {
        var generator = SIDGenerator(seed: text)
        return String(generator.next(prefix: "").prefix(32))
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}
