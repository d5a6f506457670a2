import Foundation

/// A live contact centre: tasks arrive at a Poisson rate, each carrying a caller drawn from a
/// customers file (as `from`, `customers.phone` or `customers.email`), move through reserved →
/// assigned → wrapping → completed over a random lifetime, and are deleted `--task-ttl` after
/// completion. Creation and completion go to the request log (methods `CREATE` and `COMPLETE`),
/// so coverage and latency are measured from it, not assumed.
actor TaskTraffic {
    struct Caller {
        var phone: String?
        var email: String?
    }

    /// Arrivals per second, lifetimes in seconds, and who calls.
    struct Settings: Sendable {
        var arrivalsPerSecond: Double
        var lifetime: ClosedRange<Double>
        var callers: [Caller]
    }

    private struct Open {
        var sid: String
        var created: Date
        var lifetime: Double
        var stage: Int
    }

    private static let stages: [(share: Double, status: String)] = [
        (0.05, "reserved"), (0.1, "assigned"), (0.85, "wrapping"), (1.0, "completed")
    ]

    private let settings: Settings
    private let workspace: Workspace
    private let log: RequestLog
    private var state: UInt64
    private var open: [Open] = []
    private var created = 0

    init(settings: Settings, workspace: Workspace, log: RequestLog, seed: UInt64) {
        self.settings = settings
        self.workspace = workspace
        self.log = log
        state = seed ^ 0x7A5C_17E2
    }

    /// Reads a customers file: a CSV header naming `phone` and/or `email` (or `from`), one caller a line.
    static func callers(path: String) throws -> [Caller] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EmulatorError.startFailed("cannot read the task customers file '\(path)'")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw EmulatorError.startFailed("'\(path)' has no header") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map { $0.lowercased() }
        let phone = header.firstIndex { $0 == "phone" || $0 == "from" }
        let email = header.firstIndex(of: "email")
        guard phone != nil || email != nil else {
            throw EmulatorError.startFailed("'\(path)' needs a 'phone' or 'email' column")
        }
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func field(_ index: Int?) -> String? {
                index.flatMap { $0 < fields.count && !fields[$0].isEmpty ? fields[$0] : nil }
            }
            return Caller(phone: field(phone), email: field(email))
        }.filter { $0.phone != nil || $0.email != nil }
    }

    /// Runs until cancelled, in steps of 50 ms.
    func run() async {
        var nextArrival = Date().addingTimeInterval(gap())
        while !Task.isCancelled {
            let now = Date()
            while nextArrival <= now {
                arrive(at: nextArrival)
                nextArrival = nextArrival.addingTimeInterval(gap())
            }
            advance(now)
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    private func unit() -> Double { FaultPlan.unit(&state) }

    private func gap() -> Double { -Foundation.log(1 - unit()) / settings.arrivalsPerSecond }

    private func arrive(at date: Date) {
        created += 1
        let sid = "WT" + SIDGenerator.hex32(of: "traffic-\(created)")
        let caller = settings.callers[Int(unit() * Double(settings.callers.count)) % settings.callers.count]
        var attributes: [String: Any] = ["channel": "voice", "direction": "inbound"]
        let form = Int(unit() * 3)
        var who = ""
        if let phone = caller.phone, form != 2 || caller.email == nil {
            if form == 0 { attributes["from"] = phone } else { attributes["customers"] = ["phone": phone] }
            who = "caller=" + phone
        } else if let email = caller.email {
            attributes["customers"] = ["email": email]
            attributes["channel"] = "email"
            who = "caller=" + email
        }
        let text = String(
            decoding: (try? JSONSerialization.data(withJSONObject: attributes, options: [.sortedKeys]))
                ?? Data("{}".utf8),
            as: UTF8.self)
        workspace.createTask(sid: sid, attributes: text, at: date)
        let span = settings.lifetime.upperBound - settings.lifetime.lowerBound
        open.append(Open(sid: sid, created: date, lifetime: settings.lifetime.lowerBound + unit() * span, stage: 0))
        record("CREATE", sid, at: date, query: who)
    }

    private func advance(_ now: Date) {
        var still: [Open] = []
        for var task in open {
            let age = now.timeIntervalSince(task.created)
            while task.stage < Self.stages.count && age >= Self.stages[task.stage].share * task.lifetime {
                let status = Self.stages[task.stage].status
                if !workspace.advanceTask(task.sid, to: status) {
                    task.stage = Self.stages.count
                    break
                }
                if status == "completed" { record("COMPLETE", task.sid, at: now) }
                task.stage += 1
            }
            if task.stage < Self.stages.count { still.append(task) }
        }
        open = still
    }

    private func record(_ event: String, _ sid: String, at date: Date, query: String = "") {
        log.append(
            RequestLogEntry(
                time: date.timeIntervalSince1970, method: event,
                path: "/v1/Workspaces/\(workspace.workspaceSid)/Tasks/\(sid)",
                query: query, status: 200, ifMatch: nil, applied: true))
    }
}
