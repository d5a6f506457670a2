import Foundation

/// Why a plan file cannot be used.
public struct PlanFileError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension Plan {
    static func number(_ value: Int) -> JSONValue { .number(JSONNumber(Double(value))) }
    static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    /// The plan as JSON: versioned and self-describing.
    public var json: JSONValue {
        func position(_ position: SourcePosition?) -> JSONValue {
            guard let position else { return .null }
            var object = JSONObject([
                ("file", .string(position.file)), ("line", Plan.number(position.line)),
                ("record", Plan.number(position.record))
            ])
            if position.inXML { object["xml"] = .bool(true) }
            return .object(object)
        }
        let targetValues: [JSONValue] = targets.map { target in
            .object(
                JSONObject([
                    ("sid", .string(target.sid)), ("label", .string(target.label)), ("email", Plan.text(target.email)),
                    ("team", Plan.text(target.team)), ("etag", Plan.text(target.etag)),
                    (
                        "changes",
                        .array(
                            target.changes.map { change in
                                .object(
                                    JSONObject([
                                        ("action", .string(change.action.rawValue)), ("key", .string(change.key)),
                                        ("before", change.before ?? .null), ("after", change.after ?? .null),
                                        ("policy", .string(change.policy.rawValue))
                                    ]))
                            })
                    ),
                    ("set", .object(JSONObject(target.edit.set.map { ($0.key, $0.value) }))),
                    ("remove", .array(target.edit.remove.map { .string($0) })),
                    ("before", .string(target.before)), ("desired", .string(target.desired)),
                    ("source", position(target.source))
                ]))
        }
        func quarantine(_ items: [Quarantined]) -> JSONValue {
            .array(
                items.map {
                    .object(
                        JSONObject([
                            ("source", position($0.position)), ("key", .string($0.key)), ("reason", .string($0.reason))
                        ]))
                })
        }
        return .object(
            JSONObject([
                ("format", .string(Plan.formatName)), ("version", Plan.number(Plan.formatVersion)), ("id", .string(id)),
                ("created_at", .string(ISO8601DateFormatter().string(from: createdAt))),
                (
                    "job",
                    .object(
                        JSONObject([
                            ("name", .string(job.name)), ("profile", Plan.text(job.profile)),
                            ("path", .string(job.path)), ("digest", .string(job.digest)),
                            ("target", .string(job.target.rawValue)), ("workspace_sid", .string(job.workspaceSid)),
                            ("base_url", .string(job.baseURL))
                        ]))
                ),
                (
                    "summary",
                    .object(
                        JSONObject([
                            ("line", .string(summaryLine)), ("rows_read", Plan.number(rowsRead)),
                            ("targets_considered", Plan.number(targetsConsidered)),
                            ("to_change", Plan.number(targets.count)), ("keys_changed", Plan.number(keyChangeCount)),
                            ("unchanged", Plan.number(unchanged)),
                            ("quarantined", Plan.number(quarantined.count)), ("oversize", Plan.number(oversize.count)),
                            ("invalid", Plan.number(invalidRows)),
                            ("untouched", Plan.number(untouched.count))
                        ]))
                ),
                ("managed_keys", .array(managedKeys.map { .string($0) })),
                ("sso_owned_keys", .array(ssoOwnedKeys.map { .string($0) })),
                (
                    "gates",
                    .array(
                        gates.map { gate in
                            .object(
                                JSONObject([
                                    ("name", .string(gate.name)), ("tripped", .bool(gate.tripped)),
                                    ("overridden", .bool(gate.overridden)),
                                    ("detail", .string(gate.detail)), ("override", .string(gate.override))
                                ]))
                        })
                ),
                ("targets", .array(targetValues)),
                ("quarantined", quarantine(quarantined)),
                ("oversize", quarantine(oversize)),
                ("untouched", .array(untouched.map { .string($0) })),
                ("problems", .array(problems.map { .string($0.line(showValues: false)) })),
                ("kept", quarantine(kept)),
                ("drift", .array(drift.map(\.json))),
                ("seen", .object(JSONObject(seen.map { ($0.sid, JSONValue.object($0.image)) })))
            ]))
    }

    /// The plan file's text: its JSON with a `digest` over everything else in it, so that a
    /// plan edited after it was written (a value, a target, a gate) is refused by `apply`.
    public var fileText: String {
        guard case .object(var root) = json else { return json.pretty + "\n" }
        root["digest"] = .string(Plan.digest(of: root))
        return JSONValue.object(root).pretty + "\n"
    }

    /// SHA-256 over the plan's canonical (minified) JSON without its `digest` member.
    static func digest(of root: JSONObject) -> String {
        var content = JSONObject()
        for (key, value) in root where key != "digest" { content[key] = value }
        var hash = SHA256()
        hash.update(Array(JSONValue.object(content).minified.utf8))
        return hash.finalizeHex()
    }

    /// Reads a plan file, refusing other formats and versions, and plans changed after they were
    /// written (their `digest` no longer matches their content).
    public static func load(path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanFileError(path: path, message: "cannot read the file")
        }
        let root: JSONObject
        do {
            guard let object = try JSONValue.parse(bytes: Array(data)).objectValue else {
                throw PlanFileError(path: path, message: "not a plan (not a JSON object)")
            }
            root = object
        } catch let error as JSONParseError {
            throw PlanFileError(path: path, message: "not a plan: \(error)")
        }
        func fail(_ message: String) -> PlanFileError { PlanFileError(path: path, message: message) }
        guard root["format"]?.stringValue == formatName else {
            throw fail("not a flexsync plan (no \"format\": \"\(formatName)\")")
        }
        guard case .number(let version)? = root["version"], Int(version.doubleValue) == formatVersion else {
            throw fail(
                "plan format version \(root["version"]?.minified ?? "?") is not supported (this flexsync reads version \(formatVersion))"
            )
        }
        guard let recorded = root["digest"]?.stringValue else {
            throw fail("the plan has no digest: it was not written by 'flexsync plan --out'")
        }
        guard recorded == digest(of: root) else {
            throw fail("the plan was changed after it was written: run 'flexsync plan' again and review the new plan")
        }
        func string(_ object: JSONObject?, _ key: String) throws -> String {
            guard let value = object?[key]?.stringValue else { throw fail("'\(key)' is missing") }
            return value
        }
        func int(_ object: JSONObject?, _ key: String) -> Int {
            if case .number(let number)? = object?[key] { return Int(number.doubleValue) }
            return 0
        }
        func position(_ value: JSONValue?) -> SourcePosition? {
            guard let object = value?.objectValue, let file = object["file"]?.stringValue else { return nil }
            var position = SourcePosition(file: file, line: int(object, "line"), record: int(object, "record"))
            if case .bool(true)? = object["xml"] { position.inXML = true }
            return position
        }
        let jobObject = root["job"]?.objectValue
        guard let target = MappingTarget(rawValue: try string(jobObject, "target")) else {
            throw fail("unknown target")
        }
        // Plans record the job's absolute path; a relative one is taken from the plan's folder.
        var jobPath = try string(jobObject, "path")
        if !jobPath.hasPrefix("/") {
            jobPath =
                URL(fileURLWithPath: path).absoluteURL.deletingLastPathComponent().appendingPathComponent(jobPath)
                .standardizedFileURL.path
        }
        let job = JobIdentity(
            name: try string(jobObject, "name"), profile: jobObject?["profile"]?.stringValue, path: jobPath,
            digest: try string(jobObject, "digest"), target: target,
            workspaceSid: try string(jobObject, "workspace_sid"),
            baseURL: try string(jobObject, "base_url"))
        var targets: [Target] = []
        if case .array(let items)? = root["targets"] {
            for item in items {
                let object = item.objectValue
                var changes: [Change] = []
                if case .array(let list)? = object?["changes"] {
                    for change in list {
                        let c = change.objectValue
                        guard let action = Action(rawValue: c?["action"]?.stringValue ?? "") else {
                            throw fail("a change has no valid action")
                        }
                        changes.append(
                            Change(
                                action: action, key: try string(c, "key"),
                                before: c?["before"].flatMap { $0 == .null ? nil : $0 },
                                after: c?["after"].flatMap { $0 == .null ? nil : $0 },
                                policy: c?["policy"]?.stringValue.flatMap(KeyPolicy.init) ?? .sync))
                    }
                }
                var removals: [String] = []
                if case .array(let list)? = object?["remove"] { removals = list.compactMap(\.stringValue) }
                let edit = ManagedEdit(
                    set: (object?["set"]?.objectValue).map { Array($0).map { ($0.key, $0.value) } } ?? [],
                    remove: removals)
                targets.append(
                    Target(
                        sid: try string(object, "sid"), label: object?["label"]?.stringValue ?? "",
                        email: object?["email"]?.stringValue,
                        team: object?["team"]?.stringValue, etag: object?["etag"]?.stringValue, changes: changes,
                        edit: edit,
                        before: try string(object, "before"), desired: try string(object, "desired"),
                        source: position(object?["source"]) ?? SourcePosition(file: "?", line: 0, record: 0)))
            }
        }
        func quarantined(_ value: JSONValue?) -> [Quarantined] {
            guard case .array(let items)? = value else { return [] }
            return items.map { item in
                Quarantined(
                    position: position(item.objectValue?["source"]), key: item.objectValue?["key"]?.stringValue ?? "",
                    reason: item.objectValue?["reason"]?.stringValue ?? "")
            }
        }
        var gates: [Gate] = []
        if case .array(let items)? = root["gates"] {
            gates = try items.map { item in
                let g = item.objectValue
                guard let kind = g?["name"]?.stringValue.flatMap(GateKind.init) else {
                    throw fail("a gate has no known name")
                }
                return Gate(
                    kind, tripped: g?["tripped"] == .bool(true), detail: g?["detail"]?.stringValue ?? "",
                    overridden: g?["overridden"] == .bool(true))
            }
        }
        let summary = root["summary"]?.objectValue
        let strings: (String) -> [String] = { key in
            if case .array(let items)? = root[key] { return items.compactMap(\.stringValue) }
            return []
        }
        var plan = Plan(
            id: try string(root, "id"),
            createdAt: ISO8601DateFormatter().date(from: try string(root, "created_at")) ?? Date(),
            job: job, managedKeys: strings("managed_keys"), ssoOwnedKeys: strings("sso_owned_keys"),
            rowsRead: int(summary, "rows_read"),
            targetsConsidered: int(summary, "targets_considered"), unchanged: int(summary, "unchanged"),
            targets: targets,
            quarantined: quarantined(root["quarantined"]), oversize: quarantined(root["oversize"]), problems: [],
            invalidRows: int(summary, "invalid"), untouched: strings("untouched"), gates: gates)
        if case .array(let items)? = root["drift"] {
            plan.drift = items.compactMap { $0.objectValue.flatMap(Drift.init(json:)) }
        }
        plan.seen =
            (root["seen"]?.objectValue).map {
                Array($0).compactMap { item in item.value.objectValue.map { (item.key, $0) } }
            } ?? []
        return plan
    }
}
