/// One self-contained HTML file for reviewers: summary, safety gates, charts of changes per
/// attribute and per team, a filterable table of every change, quarantined records and
/// validation problems. No external assets or scripts are fetched.
public enum PlanHTML {
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func barChart(_ title: String, _ counts: [(String, Int)], id: String) -> String {
        let rows = counts.prefix(20)
        let maximum = max(1, rows.map(\.1).max() ?? 1)
        var svg =
            "<figure><figcaption>\(escape(title))</figcaption><svg id=\"\(id)\" role=\"img\" width=\"620\" height=\"\(rows.count * 24 + 8)\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (index, (name, count)) in rows.enumerated() {
            let y = index * 24 + 4
            let width = Int(Double(count) / Double(maximum) * 360)
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(escape(name))</text>"
            svg += "<rect x=\"220\" y=\"\(y)\" width=\"\(max(width, 1))\" height=\"18\" fill=\"#3b7dd8\"/>"
            svg += "<text x=\"\(226 + width)\" y=\"\(y + 14)\" font-size=\"12\">\(count)</text>"
        }
        return svg + "</svg></figure>"
    }

    public static func render(_ plan: Plan, showValues: Bool) -> String {
        var perKey: [String: Int] = [:]
        var perTeam: [String: Int] = [:]
        for target in plan.targets {
            for change in target.changes { perKey[change.key, default: 0] += 1 }
            perTeam[target.team ?? "(no team)", default: 0] += 1
        }
        let sorted: ([String: Int]) -> [(String, Int)] = {
            $0.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
        }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>flexsync plan: \(escape(plan.job.name))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}table{border-collapse:collapse;width:100%;margin:1em 0}
            td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px;vertical-align:top}th{background:#f3f3f3}
            .add{color:#1a7f37}.change{color:#9a6700}.remove{color:#cf222e}.tripped{background:#ffe0e0;font-weight:bold}.ok{color:#1a7f37}
            .summary{font-size:1.1em;font-weight:bold;padding:.6em;background:#eef4ff;border-radius:6px}code{font-size:12px}
            figure{display:inline-block;margin:0 2em 1em 0;vertical-align:top}figcaption{font-weight:bold;margin-bottom:4px}
            </style></head><body>
            <h1>flexsync plan: \(escape(plan.job.name))\(plan.job.profile.map { " — profile " + escape($0) } ?? "")</h1>
            <p>Workspace <code>\(escape(plan.job.workspaceSid))</code> at \(escape(plan.job.baseURL)) · plan <code>\(escape(plan.id))</code> · inputs <code>\(escape(String(plan.job.digest.prefix(16))))…</code></p>
            <p class="summary" id="summary">\(escape(plan.summaryLine))</p>
            <h2>Safety gates</h2><table id="gates"><tr><th>gate</th><th>status</th><th>detail</th></tr>
            """
        for gate in plan.gates {
            let status =
                !gate.tripped
                ? "<span class=\"ok\">ok</span>"
                : gate.overridden ? "overridden" : "tripped — override with <code>\(escape(gate.override))</code>"
            html +=
                "<tr class=\"\(gate.tripped && !gate.overridden ? "tripped" : "")\"><td>\(escape(gate.name))</td><td>\(status)</td><td>\(escape(gate.detail))</td></tr>"
        }
        html += "</table>"
        if !plan.ssoOwnedKeys.isEmpty {
            html +=
                "<p><strong>Note:</strong> Flex SSO rewrites \(plan.ssoOwnedKeys.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")) at every login when the identity provider maps them.</p>"
        }
        html +=
            "<h2>Changes</h2>" + barChart("Changes per attribute", sorted(perKey), id: "chart-keys")
            + barChart("\(plan.kindName.capitalized)s changed per team", sorted(perTeam), id: "chart-teams")
        html += """
            <p><label>Filter: <input id="filter" type="search" placeholder="name, SID, key or value" oninput="filterRows(this.value)"></label></p>
            <table id="changes"><thead><tr><th>\(plan.kindName)</th><th>SID</th><th></th><th>key</th><th>before</th><th>after</th><th>source</th></tr></thead><tbody>
            """
        let classes: [Action: String] = [.add: "add", .change: "change", .remove: "remove"]
        for target in plan.targets {
            for change in target.changes {
                html +=
                    "<tr class=\"\(classes[change.action]!)\"><td>\(escape(PlanReport.label(target, plan: plan, showValues: showValues)))</td><td><code>\(escape(target.sid))</code></td>"
                    + "<td>\(change.action.rawValue)</td><td><code>\(escape(change.key))</code>\(escape(DriftReport.policyTag(change)))</td>"
                    + "<td>\(escape(PlanReport.shown(change.before, key: change.key, showValues: showValues)))</td>"
                    + "<td>\(escape(PlanReport.shown(change.after, key: change.key, showValues: showValues)))</td><td>\(escape(target.source.description))</td></tr>"
            }
        }
        html += "</tbody></table><h2>Drift</h2><ul id=\"drift\">"
        for line in DriftReport.lines(plan, showValues: showValues) { html += "<li>\(escape(line))</li>" }
        html += "</ul><h2>Quarantined records</h2><table id=\"quarantined\"><tr><th>source</th><th>reason</th></tr>"
        for item in plan.quarantined + plan.oversize {
            html += "<tr><td>\(escape(item.position?.description ?? "-"))</td><td>\(escape(item.reason))</td></tr>"
        }
        if !plan.kept.isEmpty {
            // Live values the export's lossy text would have replaced: kept, listed for the reviewer.
            html +=
                "</table><h2>Kept live values (lossy text in the export)</h2>"
                + "<table id=\"kept\"><tr><th>source</th><th>reason</th></tr>"
            for item in plan.kept {
                html += "<tr><td>\(escape(item.position?.description ?? "-"))</td><td>\(escape(item.reason))</td></tr>"
            }
        }
        html += "</table><h2>Validation problems</h2><table id=\"problems\"><tr><th>problem</th></tr>"
        for problem in plan.problems.prefix(2000) {
            html += "<tr><td>\(escape(problem.line(showValues: showValues)))</td></tr>"
        }
        html += """
            </table>
            <script>
            function filterRows(text) {
              var needle = text.toLowerCase();
              document.querySelectorAll('#changes tbody tr').forEach(function (row) {
                row.style.display = row.textContent.toLowerCase().indexOf(needle) >= 0 ? '' : 'none';
              });
            }
            </script>
            </body></html>

            """
        return html
    }
}
