/// What a plan does with a managed key that someone else changed since flexsync last wrote it.
public enum OnDrift: String, Sendable, CaseIterable {
    /// Report it and leave it (default).
    case keep
    /// Write the export's value back.
    case revert
    /// Report it and trip the drift gate: nothing is written.
    case fail
}

/// A managed key whose live value is not the export's and that the plan does not simply write.
public struct Drift: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Live changed since flexsync last wrote (or saw) it; the export did not.
        case drift
        /// Live and the export both changed since.
        case conflict
        /// The key's policy is `report_only`: it is never written.
        case reportOnly = "report_only"
        /// The export holds `***` for a personal value (an export written without
        /// `--show-values`): never written over a real value.
        case masked
    }

    public var sid: String
    public var label: String
    public var key: String
    public var kind: Kind
    public var policy: KeyPolicy
    /// What flexsync last wrote or saw (nil when it never did), and the live and export values.
    public var written: JSONValue?
    public var live: JSONValue?
    public var export: JSONValue?
    /// The run that last wrote or saw the key equal, and when.
    public var sinceRun: String?
    public var sinceTime: String?
    /// Whether the plan writes the export's value back (`on_drift: revert`).
    public var reverted: Bool
}

/// The three-way decision per managed key — export, live, and what flexsync last applied —
/// under each key's policy. Pure: the caller reads the live state and the last-applied store.
///
/// | policy | live = export | last applied unknown | live = last applied | live changed, export not | both changed |
/// |---|---|---|---|---|---|
/// | `sync` | nothing | write | write | drift (on_drift) | conflict (on_drift) |
/// | `fill_empty` | nothing | write if live empty | write if live empty | kept | kept |
/// | `create_only` | nothing | write | kept (written while last seen absent) | kept | kept |
/// | `report_only` | nothing | reported | reported | reported | reported |
enum KeyOwnership {
    struct Decision {
        var edit: ManagedEdit
        var drift: [Drift]
    }

    static func decide(
        _ edit: ManagedEdit, live: JSONObject, sid: String, label: String, mapping: Mapping,
        lastApplied: LastApplied?, onDrift: OnDrift
    ) -> Decision {
        var set: [(key: String, value: JSONValue)] = []
        var remove: [String] = []
        var drift: [Drift] = []
        let wanted = edit.set.map { ($0.key, Optional($0.value)) } + edit.remove.map { ($0, JSONValue?.none) }
        for (key, export) in wanted {
            let current = Merge.value(at: key, in: live).flatMap { $0 == .null ? nil : $0 }
            let policy = mapping.policy(of: key)
            let write: Bool
            if current == export {
                write = true  // nothing changes; kept in the edit so the write's after-image records it
            } else if export == .string("***") && ValueRules.isPersonal(key: key) {
                drift.append(
                    Drift(
                        sid: sid, label: label, key: key, kind: .masked, policy: policy, written: nil, live: current,
                        export: export, sinceRun: nil, sinceTime: nil, reverted: false))
                write = false
            } else if export == nil && mapping.keptWhenAbsent.contains(key) {
                write = false
            } else {
                let last = lastApplied?.entry(sid, key)
                let lastValue = last.map { $0.value == .null ? nil : $0.value }
                func report(_ kind: Drift.Kind, reverted: Bool) {
                    drift.append(
                        Drift(
                            sid: sid, label: label, key: key, kind: kind, policy: policy, written: lastValue ?? nil,
                            live: current, export: export, sinceRun: last?.run, sinceTime: last?.at, reverted: reverted)
                    )
                }
                switch policy {
                case .reportOnly:
                    report(.reportOnly, reverted: false)
                    write = false
                case .fillEmpty:
                    write = current == nil || current == .string("")
                case .createOnly:
                    // Never written, or only ever seen absent: creating it is still to come.
                    write = last == nil || last?.value == .null
                case .sync:
                    if let lastValue, current != lastValue {
                        let kind: Drift.Kind = export == lastValue ? .drift : .conflict
                        report(kind, reverted: onDrift == .revert)
                        write = onDrift == .revert
                    } else {
                        write = true
                    }
                }
            }
            guard write else { continue }
            if let export { set.append((key, export)) } else { remove.append(key) }
        }
        return Decision(edit: ManagedEdit(set: set, remove: remove), drift: drift)
    }
}

extension Drift {
    /// The plan file's form.
    var json: JSONValue {
        func value(_ value: JSONValue?) -> JSONValue { value ?? .null }
        return .object(
            JSONObject([
                ("sid", .string(sid)), ("label", .string(label)), ("key", .string(key)),
                ("kind", .string(kind.rawValue)),
                ("policy", .string(policy.rawValue)), ("written", value(written)), ("live", value(live)),
                ("export", value(export)),
                ("since_run", sinceRun.map { .string($0) } ?? .null),
                ("since_time", sinceTime.map { .string($0) } ?? .null),
                ("reverted", .bool(reverted))
            ]))
    }

    init?(json object: JSONObject) {
        guard let sid = object["sid"]?.stringValue, let key = object["key"]?.stringValue,
            let kind = object["kind"]?.stringValue.flatMap(Kind.init),
            let policy = object["policy"]?.stringValue.flatMap(KeyPolicy.init)
        else { return nil }
        func value(_ name: String) -> JSONValue? { object[name].flatMap { $0 == .null ? nil : $0 } }
        self.init(
            sid: sid, label: object["label"]?.stringValue ?? "", key: key, kind: kind, policy: policy,
            written: value("written"),
            live: value("live"), export: value("export"), sinceRun: object["since_run"]?.stringValue,
            sinceTime: object["since_time"]?.stringValue, reverted: object["reverted"] == .bool(true))
    }
}
