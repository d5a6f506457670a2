/// The drift section every report carries: who changed which managed key since flexsync last
/// wrote it, what flexsync wrote, what is live now, and the last run that saw it equal.
enum DriftReport {
    /// One line per drifted key.
    static func lines(_ plan: Plan, showValues: Bool) -> [String] {
        plan.drift.map { line($0, plan: plan, showValues: showValues) }
    }

    static func line(_ drift: Drift, plan: Plan, showValues: Bool) -> String {
        let label = plan.job.target == .tasks && !showValues ? "customer ***" : drift.label
        let live = ValueRules.shown(drift.live, key: drift.key, showValues: showValues)
        let export = ValueRules.shown(drift.export, key: drift.key, showValues: showValues)
        var text = "\(plan.kindName) \(label) (\(drift.sid)): \(drift.key): "
        switch drift.kind {
        case .reportOnly:
            return text + "live \(live), export \(export) (report_only: never written)"
        case .masked:
            return text + "the export holds a masked value (***, an export written without --show-values): not written"
        case .drift, .conflict:
            let written = ValueRules.shown(drift.written, key: drift.key, showValues: showValues)
            text += "flexsync wrote \(written)"
            if let run = drift.sinceRun { text += " (run \(run)\(drift.sinceTime.map { ", \($0)" } ?? ""))" }
            text += ", live now \(live)"
            if drift.kind == .conflict { text += ", export now \(export): changed on both sides" }
            return text + (drift.reverted ? ": reverted to the export (on_drift: revert)" : ": kept")
        }
    }

    /// ` [fill_empty]` after a change whose key is not synced plainly.
    static func policyTag(_ change: Change) -> String { change.policy == .sync ? "" : " [\(change.policy.rawValue)]" }
}
