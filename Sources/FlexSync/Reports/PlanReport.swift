/// Renders a plan for a reviewer: terminal text and Markdown. The HTML form is in PlanHTML.
public enum PlanReport {
    /// Personal values become `***` unless the reviewer asks to see them.
    static func shown(_ value: JSONValue?, key: String, showValues: Bool) -> String {
        ValueRules.shown(value, key: key, showValues: showValues)
    }

    /// Whether a change only rewrites a text in Unicode's composed form (NFC): the two look the
    /// same, and Swift's `==` says so, while their bytes differ.
    static func onlyNormalised(_ change: Change) -> Bool {
        guard case .string(let before)? = change.before, case .string(let after)? = change.after else { return false }
        return before == after && !before.utf8.elementsEqual(after.utf8)
    }

    static func label(_ target: Plan.Target, plan: Plan, showValues: Bool) -> String {
        plan.job.target == .tasks && !showValues ? "customer ***" : target.label
    }

    static func header(_ plan: Plan) -> String {
        "job \(plan.job.name)\(plan.job.profile.map { " (profile \($0))" } ?? "") → workspace \(plan.job.workspaceSid) at \(plan.job.baseURL)"
    }

    public static func text(_ plan: Plan, color: Bool, showValues: Bool, maxTargets: Int = 500) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let colors: [Action: String] = [.add: "32", .change: "33", .remove: "31"]
        var lines = [paint(header(plan), "1")]
        for target in plan.targets.prefix(maxTargets) {
            lines.append(
                paint("~ \(plan.kindName) \(label(target, plan: plan, showValues: showValues)) (\(target.sid))", "1")
                    + "  from \(target.source)")
            for change in target.changes {
                let line: String
                switch change.action {
                case .add: line = "    + \(change.key): \(shown(change.after, key: change.key, showValues: showValues))"
                case .remove:
                    line = "    - \(change.key): \(shown(change.before, key: change.key, showValues: showValues))"
                case .change:
                    line =
                        "    ~ \(change.key): \(shown(change.before, key: change.key, showValues: showValues)) → \(shown(change.after, key: change.key, showValues: showValues))"
                        + (onlyNormalised(change)
                            ? " (the same text, composed: the live value's accents are separate characters)" : "")
                }
                lines.append(paint(line + DriftReport.policyTag(change), colors[change.action]!))
            }
        }
        if plan.targets.count > maxTargets {
            lines.append("… and \(plan.targets.count - maxTargets) more (see the JSON plan or the HTML report)")
        }
        if !plan.quarantined.isEmpty || !plan.oversize.isEmpty {
            lines.append("quarantined (not planned):")
            for item in plan.quarantined + plan.oversize {
                lines.append("  " + (item.position.map { "\($0): " } ?? "") + item.reason)
            }
        }
        if !plan.drift.isEmpty {
            lines.append(paint("drift (managed keys changed outside flexsync since it last wrote them):", "35"))
            for line in DriftReport.lines(plan, showValues: showValues) { lines.append("  " + line) }
        }
        if !plan.kept.isEmpty {
            lines.append("kept (lossy text in the export, the live value stays):")
            for item in plan.kept { lines.append("  " + (item.position.map { "\($0): " } ?? "") + item.reason) }
        }
        if !plan.ssoOwnedKeys.isEmpty {
            lines.append(
                paint(
                    "note: Flex SSO rewrites \(plan.ssoOwnedKeys.joined(separator: ", ")) at every login when the identity provider maps them",
                    "36"))
        }
        lines.append("safety gates:")
        for gate in plan.gates {
            let mark =
                !gate.tripped
                ? paint("ok", "32") : gate.overridden ? paint("overridden", "33") : paint("TRIPPED", "31;1")
            lines.append(
                "  \(mark) \(gate.name): \(gate.detail)"
                    + (gate.tripped && !gate.overridden ? " (override with \(gate.override))" : ""))
        }
        lines.append(paint(plan.summaryLine, "1"))
        return lines.joined(separator: "\n") + "\n"
    }

    public static func markdown(_ plan: Plan, showValues: Bool) -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "## flexsync plan: \(plan.job.name)\(plan.job.profile.map { " (\($0))" } ?? "")\n\n"
        out +=
            "Workspace `\(plan.job.workspaceSid)` at \(plan.job.baseURL). Plan `\(plan.id)`.\n\n**\(plan.summaryLine)**\n\n"
        out += "| gate | status | detail |\n|---|---|---|\n"
        for gate in plan.gates {
            out +=
                "| \(gate.name) | \(!gate.tripped ? "ok" : gate.overridden ? "overridden" : "**tripped** (\(gate.override))") | \(cell(gate.detail)) |\n"
        }
        if !plan.targets.isEmpty {
            out += "\n| \(plan.kindName) | SID | | key | before | after |\n|---|---|---|---|---|---|\n"
            for target in plan.targets {
                for change in target.changes {
                    out +=
                        "| \(cell(label(target, plan: plan, showValues: showValues))) | `\(target.sid)` | \(change.action.rawValue) | `\(change.key)`\(DriftReport.policyTag(change)) | "
                        + "\(cell(shown(change.before, key: change.key, showValues: showValues))) | \(cell(shown(change.after, key: change.key, showValues: showValues))) |\n"
                }
            }
        }
        if !plan.drift.isEmpty {
            out += "\n### Drift\n\n"
            for line in DriftReport.lines(plan, showValues: showValues) { out += "- " + cell(line) + "\n" }
        }
        if !plan.quarantined.isEmpty || !plan.oversize.isEmpty {
            out += "\n### Quarantined\n\n"
            for item in plan.quarantined + plan.oversize {
                out += "- " + (item.position.map { "`\($0)` " } ?? "") + cell(item.reason) + "\n"
            }
        }
        if !plan.kept.isEmpty {
            out += "\n### Kept (lossy text in the export, the live value stays)\n\n"
            for item in plan.kept { out += "- " + (item.position.map { "`\($0)` " } ?? "") + cell(item.reason) + "\n" }
        }
        if !plan.ssoOwnedKeys.isEmpty {
            out +=
                "\n> Flex SSO rewrites \(plan.ssoOwnedKeys.map { "`\($0)`" }.joined(separator: ", ")) at every login when the identity provider maps them.\n"
        }
        return out
    }
}
