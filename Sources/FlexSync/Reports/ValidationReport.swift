/// Renders a validation outcome for people (text) and machines (JSON).
public enum ValidationReport {
    public static func text(_ outcome: ValidationOutcome, job: Job, showValues: Bool) -> String {
        var lines: [String] = []
        lines.append("job \(job.displayName): \(job.mapping.target.rawValue) from \(job.source.pattern)")
        for problem in outcome.problems { lines.append(problem.line(showValues: showValues)) }
        if let legend = sourceLegend(outcome.problems, mapping: job.mapping) { lines.append(legend) }
        if !outcome.withheldKeys.isEmpty {
            lines.append("pii: withhold: not sending \(outcome.withheldKeys.joined(separator: ", "))")
        }
        var summary =
            "\(outcome.rowsRead.grouped) rows read, \(outcome.valid.grouped) valid, \(outcome.invalid.grouped) invalid, "
            + "\(outcome.warnings.grouped) warning\(outcome.warnings == 1 ? "" : "s")"
        if outcome.skipped > 0 { summary += ", \(outcome.skipped.grouped) skipped" }
        if outcome.emptyRowsSkipped > 0 { summary += ", \(outcome.emptyRowsSkipped.grouped) empty rows ignored" }
        lines.append(summary)
        if let reason = outcome.abortReason { lines.append("aborted: \(reason)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Problems name Insights attributes; an export's people know its columns. One line names
    /// the columns (or XML paths) behind each attribute the problems name, where they differ.
    static func sourceLegend(_ problems: [Problem], mapping: Mapping) -> String? {
        var seen = Set<String>()
        var parts: [String] = []
        for problem in problems where seen.insert(problem.field).inserted {
            let fields = mapping.sourceFields(of: problem.field)
            guard !fields.isEmpty, fields != [problem.field] else { continue }
            parts.append("\(problem.field) ← " + fields.map { "'\($0)'" }.joined(separator: " + "))
        }
        return parts.isEmpty ? nil : "(read from: " + parts.joined(separator: "; ") + ")"
    }

    public static func json(_ outcome: ValidationOutcome, job: Job, showValues: Bool) -> String {
        let problems: [JSONValue] = outcome.problems.map { problem in
            var object = JSONObject()
            object["severity"] = .string(problem.severity.rawValue)
            object["file"] = problem.position.map { .string($0.file) } ?? .null
            object["line"] = problem.position.map { .number(JSONNumber(Double($0.line))) } ?? .null
            object["record"] = problem.position.map { .number(JSONNumber(Double($0.record))) } ?? .null
            object["field"] = .string(problem.field)
            object["source_fields"] = .array(job.mapping.sourceFields(of: problem.field).map { .string($0) })
            object["rule"] = .string(problem.rule)
            object["value"] =
                problem.value.map { .string(problem.personal && !showValues ? Problem.mask($0) : $0) } ?? .null
            return .object(object)
        }
        var root = JSONObject()
        root["job"] = .string(job.name)
        root["profile"] = job.profile.map { .string($0) } ?? .null
        root["target"] = .string(job.mapping.target.rawValue)
        root["rows_read"] = .number(JSONNumber(Double(outcome.rowsRead)))
        root["valid"] = .number(JSONNumber(Double(outcome.valid)))
        root["invalid"] = .number(JSONNumber(Double(outcome.invalid)))
        root["skipped"] = .number(JSONNumber(Double(outcome.skipped)))
        root["selected"] = .number(JSONNumber(Double(outcome.selected)))
        root["nothing_selected"] = outcome.nothingSelected.map { .string($0) } ?? .null
        root["empty_rows_ignored"] = .number(JSONNumber(Double(outcome.emptyRowsSkipped)))
        root["warnings"] = .number(JSONNumber(Double(outcome.warnings)))
        root["withheld_keys"] = .array(outcome.withheldKeys.map { .string($0) })
        root["aborted"] = outcome.abortReason.map { .string($0) } ?? .null
        root["valid_export"] = .bool(outcome.isValid)
        root["problems"] = .array(problems)
        return JSONValue.object(root).pretty + "\n"
    }
}

extension Int {
    /// `1,204`: thousands grouped, as summaries print counts.
    public var grouped: String {
        let digits = String(abs(self))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (self < 0 ? "-" : "") + out
    }
}
