import Foundation

/// A reviewed-before-written description of every change a run would make. Written as JSON by
/// `flexsync plan --out`, read back by `flexsync apply PLAN.json`.
public struct Plan: Sendable {
    public static let formatName = "flexsync-plan"
    public static let formatVersion = 1

    /// The job a plan was made from.
    public struct JobIdentity: Sendable, Equatable {
        public var name: String
        public var profile: String?
        public var path: String
        public var digest: String
        public var target: MappingTarget
        public var workspaceSid: String
        public var baseURL: String
    }

    /// One worker or task the plan changes.
    public struct Target: Sendable {
        public var sid: String
        /// A name a reviewer recognises: the worker's friendly name, or the task's customer.
        public var label: String
        public var email: String?
        /// The team (name) for grouping in reports.
        public var team: String?
        /// The ETag the target had when planned, when the response carried one.
        public var etag: String?
        public var changes: [Change]
        public var edit: ManagedEdit
        /// The live attributes text the plan was made against.
        public var before: String
        /// The full document apply will send (minified).
        public var desired: String
        public var source: SourcePosition
    }

    /// A record that was not planned, and why.
    public struct Quarantined: Sendable {
        public var position: SourcePosition?
        public var key: String
        public var reason: String
    }

    /// A safety check evaluated before anything can be written.
    public struct Gate: Sendable {
        public var kind: GateKind
        public var tripped: Bool
        public var detail: String
        public var overridden: Bool

        public init(_ kind: GateKind, tripped: Bool, detail: String, overridden: Bool) {
            self.kind = kind
            self.tripped = tripped
            self.detail = detail
            self.overridden = overridden
        }

        public var name: String { kind.rawValue }
        /// The flag that overrides it.
        public var override: String { kind.flag }
    }

    public var id: String
    public var createdAt: Date
    public var job: JobIdentity
    public var managedKeys: [String]
    /// Managed keys that Flex SSO rewrites at every login.
    public var ssoOwnedKeys: [String]
    public var rowsRead: Int
    public var targetsConsidered: Int
    public var unchanged: Int
    public var targets: [Target]
    public var quarantined: [Quarantined]
    /// Targets whose merged document would exceed TaskRouter's 4,096-character limit.
    public var oversize: [Quarantined]
    public var problems: [Problem]
    public var invalidRows: Int
    /// Workers (or tasks) no record matched; left alone.
    public var untouched: [String]
    public var gates: [Gate]
    /// Live values kept because the export's differ from them only where the export's text is
    /// damaged (`Lea ?? Sommer` against `Lea 🌸 Sommer`); informational, nothing is sent for them.
    public var kept: [Quarantined] = []
    /// Managed keys someone else changed since flexsync last wrote them (or `report_only` keys
    /// that differ): reported, written only under `on_drift: revert`.
    public var drift: [Drift] = []
    /// Targets found equal to the export: their managed keys' values, recorded as last seen
    /// equal once the plan is applied.
    public var seen: [(sid: String, image: JSONObject)] = []

    public var trippedGates: [Gate] { gates.filter { $0.tripped && !$0.overridden } }
    public var keyChangeCount: Int { targets.reduce(0) { $0 + $1.changes.count } }
    public var kindName: String { job.target == .workers ? "worker" : "task" }

    /// `12 workers to change (31 keys), 1,204 unchanged, 3 quarantined, 0 invalid`
    public var summaryLine: String {
        let noun = job.target == .workers ? "worker" : "task"
        return
            "\(targets.count.grouped) \(noun)\(targets.count == 1 ? "" : "s") to change (\(keyChangeCount.grouped) key\(keyChangeCount == 1 ? "" : "s")), "
            + "\(unchanged.grouped) unchanged, \((quarantined.count + oversize.count).grouped) quarantined, \(invalidRows.grouped) invalid"
    }
}
