import Foundation

/// Options of one planning run: which safety gates the operator overrides.
public struct PlanOverrides: Sendable {
    /// The gates the operator overrides.
    public var allowed: Set<GateKind> = []
    /// Rebuild a damaged last-applied store from the live state instead of refusing to plan.
    public var rebuildState = false
    /// Plan only the first N matched records (canary runs).
    public var limit: Int?
    /// Plan only records whose mapped attribute KEY has VALUE (`team_name=Sales 1`).
    public var only: (key: String, value: String)?

    public init() {}
}

/// Matches mapped records to live workers or tasks, merges, diffs and evaluates the safety gates.
/// Pure given its inputs: the live state is read by the caller.
public struct Planner {
    public let job: Job
    public let digest: String
    public let overrides: PlanOverrides
    /// Rows of the last successful run, for the shrunk-export gate.
    public let lastRunRows: Int?
    /// What flexsync last wrote or saw per target and key, for telling drift from changes.
    public let lastApplied: LastApplied?

    public init(job: Job, digest: String, overrides: PlanOverrides, lastRunRows: Int?, lastApplied: LastApplied? = nil)
    {
        self.job = job
        self.digest = digest
        self.overrides = overrides
        self.lastRunRows = lastRunRows
        self.lastApplied = lastApplied
    }

    /// Plans worker changes from validated records and the live workers.
    public func planWorkers(_ validation: ValidationOutcome, live workers: [LiveWorker]) -> Plan {
        var plan = emptyPlan(validation, considered: workers.count)
        var index: [String: [String: [Int]]] = [:]  // match key → normalised value → worker positions
        var documents: [JSONObject?] = []
        for (position, worker) in workers.enumerated() {
            let document = worker.attributesText.flatMap { try? JSONValue.parse($0) }?.objectValue
            documents.append(document)
            for key in job.mapping.key.match {
                let value =
                    key == "friendly_name"
                    ? worker.friendlyName : document.flatMap { Merge.value(at: key, in: $0) }?.displayText
                if let value, !value.isEmpty {
                    index[key, default: [:]][MappedRecord.normalizedMatch(value, key: key), default: []].append(
                        position)
                }
            }
        }
        var claimedBy: [Int: SourcePosition] = [:]
        for record in selected(validation.records) {
            var match: Int?
            var reason: String?
            for (key, value) in record.matchValues {
                guard let candidates = index[key]?[value] else { continue }
                if candidates.count > 1 {
                    reason =
                        "\(candidates.count) workers share \(key) '\(value)' (\(candidates.map { workers[$0].sid }.joined(separator: ", "))): not guessing"
                } else {
                    match = candidates[0]
                }
                break
            }
            guard let position = match else {
                let keys = record.matchValues.map { "\($0.key) '\($0.value)'" }.joined(separator: " or ")
                let why =
                    record.matchValues.isEmpty
                    ? "empty key: matched to no worker, nothing changes" : "no worker has \(keys)"
                plan.quarantined.append(
                    .init(position: record.position, key: record.identity ?? "", reason: reason ?? why))
                continue
            }
            if let first = claimedBy[position] {
                plan.quarantined.append(
                    .init(
                        position: record.position, key: record.identity ?? "",
                        reason: "worker \(workers[position].sid) is already matched by \(first)"))
                continue
            }
            claimedBy[position] = record.position
            let worker = workers[position]
            guard let live = documents[position] else {
                plan.quarantined.append(
                    .init(
                        position: record.position, key: record.identity ?? "",
                        reason: "worker \(worker.sid) has attributes that are not a JSON object"))
                continue
            }
            addTarget(
                &plan, sid: worker.sid, label: worker.friendlyName, live: live, liveText: worker.attributesText ?? "{}",
                etag: worker.etag, record: record)
        }
        plan.untouched = workers.indices.filter { claimedBy[$0] == nil }.map {
            "\(workers[$0].sid) \(workers[$0].friendlyName)"
        }
        evaluateGates(&plan, validation: validation)
        return plan
    }

    /// Plans customer data on open tasks: each task's customer is identified in Insights' own
    /// order and joined to CRM records by external id, phone (E.164) or e-mail (case-folded).
    /// `index` is the export's records indexed once (``CustomerIndex``), for callers that plan
    /// many times against one export (`watch`); it is built from `validation` when absent.
    public func planTasks(_ validation: ValidationOutcome, live tasks: [LiveTask], index: CustomerIndex? = nil) -> Plan
    {
        var plan = emptyPlan(validation, considered: tasks.count)
        let index =
            index
            ?? (overrides.only == nil && overrides.limit == nil
                ? CustomerIndex(store: validation.store) : CustomerIndex(records: selected(validation.records)))
        var matched = Set<String>()  // tasks whose customer some CRM record matched
        for task in tasks {
            guard let live = task.attributesText.flatMap({ try? JSONValue.parse($0) })?.objectValue else { continue }
            var found: [MappedRecord]?
            var via = ""
            for (key, value) in Self.customerIdentities(of: live) {
                let hits = index.records(key, value)
                if !hits.isEmpty {
                    found = hits
                    via = "\(key) '\(value)'"
                    break
                }
            }
            guard let hits = found else { continue }
            matched.insert(task.sid)
            if hits.count > 1 {
                plan.quarantined.append(
                    .init(
                        position: hits[0].position, key: via,
                        reason:
                            "task \(task.sid): \(hits.count) CRM records share \(via) (\(hits.map { $0.position.description }.joined(separator: ", "))): not guessing"
                    ))
                continue
            }
            let record = hits[0]
            let label = record.set.first { $0.key == "customers.name" }?.value.displayText ?? via
            addTarget(
                &plan, sid: task.sid, label: label, live: live, liveText: task.attributesText ?? "{}", etag: task.etag,
                record: record)
        }
        plan.untouched = tasks.map(\.sid).filter { !matched.contains($0) }
        evaluateGates(&plan, validation: validation)
        return plan
    }

    /// A task's customer identities in the order Insights links them.
    static func customerIdentities(of attributes: JSONObject) -> [(String, String)] {
        var identities: [(String, String)] = []
        let customers = attributes["customers"]?.objectValue
        if let value = customers?["external_id"]?.displayText, !value.isEmpty {
            identities.append(("customers.external_id", value))
        }
        if let value = customers?["phone"]?.displayText, !value.isEmpty {
            identities.append(("customers.phone", value))
        }
        if let value = customers?["email"]?.displayText, !value.isEmpty {
            identities.append(("customers.email", value))
        }
        let direction =
            attributes["direction"]?.stringValue ?? attributes["conversations"]?.objectValue?["direction"]?.stringValue
            ?? "inbound"
        if let party = attributes[direction.lowercased().hasPrefix("out") ? "to" : "from"]?.stringValue, !party.isEmpty
        {
            identities.append((party.contains("@") ? "customers.email" : "customers.phone", party))
        }
        return identities
    }

    private func selected(_ records: [MappedRecord]) -> [MappedRecord] {
        var result = records
        if let only = overrides.only {
            result = result.filter { record in
                record.set.contains { $0.key == only.key && $0.value.displayText == only.value }
            }
        }
        if let limit = overrides.limit { result = Array(result.prefix(limit)) }
        return result
    }

    private func emptyPlan(_ validation: ValidationOutcome, considered: Int) -> Plan {
        let managed = job.mapping.managedKeys
        return Plan(
            id: UUID().uuidString.lowercased(), createdAt: Date(),
            job: .init(
                name: job.name, profile: job.profile, path: job.absolutePath, digest: digest,
                target: job.mapping.target,
                workspaceSid: job.taskRouter.workspaceSid, baseURL: job.taskRouter.baseURL),
            managedKeys: managed,
            ssoOwnedKeys: job.mapping.target == .workers
                ? managed.filter { InsightsSchema.ssoOwnedWorkerKeys.contains($0) } : [],
            rowsRead: validation.rowsRead, targetsConsidered: considered, unchanged: 0, targets: [], quarantined: [],
            oversize: [],
            problems: validation.problems, invalidRows: validation.invalid, untouched: [], gates: [])
    }

    private func addTarget(
        _ plan: inout Plan, sid: String, label: String, live: JSONObject, liveText: String, etag: String?,
        record: MappedRecord
    ) {
        let decision = KeyOwnership.decide(
            ManagedEdit(set: keepingGoodText(record, live: live, sid: sid, plan: &plan), remove: record.remove),
            live: live, sid: sid, label: label, mapping: job.mapping, lastApplied: lastApplied,
            onDrift: job.policies.onDrift)
        plan.drift += decision.drift
        let edit = decision.edit
        let desired = Merge.apply(edit, to: live)
        let changes = Merge.diff(live: live, desired: desired, keys: edit.keys).map { change in
            var change = change
            change.policy = job.mapping.policy(of: change.key)
            return change
        }
        if changes.isEmpty {
            plan.unchanged += 1
            if !edit.keys.isEmpty { plan.seen.append((sid, Applier.image(of: edit.keys, in: live))) }
            return
        }
        let text = JSONValue.object(desired).minified
        if text.taskRouterLength > ValueRules.maxDocumentLength {
            plan.oversize.append(
                .init(
                    position: record.position, key: record.identity ?? sid,
                    reason:
                        "\(sid): the merged attributes would be \(text.taskRouterLength) characters, over TaskRouter's \(ValueRules.maxDocumentLength)"
                ))
            return
        }
        let team = Merge.value(at: "team_name", in: desired)?.displayText
        let email = (Merge.value(at: "email", in: desired) ?? Merge.value(at: "customers.email", in: desired))?
            .displayText
        plan.targets.append(
            Plan.Target(
                sid: sid, label: label, email: email, team: team, etag: etag, changes: changes, edit: edit,
                before: liveText, desired: text, source: record.position))
    }

    /// The record's values, less those that would replace a live value with a copy of it damaged
    /// by a legacy code page (`Lea ?? Sommer` over `Lea 🌸 Sommer`): those are kept and reported.
    private func keepingGoodText(
        _ record: MappedRecord, live: JSONObject, sid: String,
        plan: inout Plan
    ) -> [(key: String, value: JSONValue)] {
        record.set.filter { entry in
            guard case .string(let new) = entry.value, case .string(let old)? = Merge.value(at: entry.key, in: live),
                LossyText.isDamagedCopy(new, of: old)
            else { return true }
            let personal = job.mapping.attributes.first { $0.key == entry.key }?.personal ?? true
            let shown = personal ? Problem.mask(new) : "'\(new)'"
            plan.kept.append(
                .init(
                    position: record.position, key: entry.key,
                    reason: "\(sid): \(entry.key): kept the live value; the export's \(shown) "
                        + "differs from it only where it is damaged (lossy text)"))
            return false
        }
    }

    private func evaluateGates(_ plan: inout Plan, validation: ValidationOutcome) {
        let policies = job.policies
        func percent(_ share: Double) -> String { DatasetValidator.percent(share) }
        var gates: [Plan.Gate] = []
        // Selected rows count, not rows read: an export whose every row is skipped or invalid
        // writes nothing, and that is not a success.
        gates.append(
            .init(
                .emptyExport, tripped: validation.nothingSelected != nil,
                detail: validation.nothingSelected
                    ?? "\(validation.rowsRead) rows read, \(validation.selected) selected",
                overridden: overrides.allowed.contains(.emptyExport)))
        if let lastRunRows, lastRunRows > 0 {
            let share = Double(validation.rowsRead) / Double(lastRunRows)
            gates.append(
                .init(
                    .shrunkExport, tripped: share < policies.minRowsShareOfLastRun,
                    detail:
                        "\(validation.rowsRead) rows, \(percent(share)) of the last successful run's \(lastRunRows) (the job allows down to \(percent(policies.minRowsShareOfLastRun)))",
                    overridden: overrides.allowed.contains(.shrunkExport)))
        }
        gates.append(
            .init(
                .invalidRows, tripped: validation.invalidShareReason != nil,
                detail: validation.invalidShareReason
                    ?? "\(validation.invalid) invalid rows, within the \(percent(policies.maxInvalidShare)) the job allows",
                overridden: overrides.allowed.contains(.invalidRows)))
        let considered = max(plan.targetsConsidered, 1)
        let changedShare = Double(plan.targets.count) / Double(considered)
        gates.append(
            .init(
                .massChange, tripped: changedShare > policies.maxChangedShare,
                detail:
                    "\(plan.targets.count) of \(plan.targetsConsidered) \(plan.kindName)s change (\(percent(changedShare))); the job allows \(percent(policies.maxChangedShare))",
                overridden: overrides.allowed.contains(.massChange)))
        // Changing or removing one key on many targets is the signature of a broken export;
        // adding a key that was never there (a first migration) is not.
        var churn: [String: Int] = [:]
        for target in plan.targets {
            for change in target.changes where change.action != .add { churn[change.key, default: 0] += 1 }
        }
        if let (key, count) = churn.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
            let share = Double(count) / Double(considered)
            gates.append(
                .init(
                    .keyChurn, tripped: share > policies.maxKeyChangeShare,
                    detail:
                        "'\(key)' changes or disappears on \(count) of \(plan.targetsConsidered) \(plan.kindName)s (\(percent(share))); the job allows \(percent(policies.maxKeyChangeShare))",
                    overridden: overrides.allowed.contains(.keyChurn)))
        } else {
            gates.append(
                .init(.keyChurn, tripped: false, detail: "no key changes on existing values", overridden: false))
        }
        // Someone else editing managed keys on many targets (an SSO mapping, a script) is worth
        // a person's look before flexsync writes anything; `on_drift: fail` wants that look always.
        let drifted = Set(plan.drift.filter { $0.kind == .drift || $0.kind == .conflict }.map(\.sid)).count
        let driftShare = Double(drifted) / Double(considered)
        let failOnDrift = policies.onDrift == .fail && drifted > 0
        gates.append(
            .init(
                .drift, tripped: driftShare > policies.maxDriftShare || failOnDrift,
                detail:
                    "\(drifted) of \(plan.targetsConsidered) \(plan.kindName)s have keys changed outside flexsync (\(percent(driftShare))); "
                    + (failOnDrift ? "on_drift is 'fail'" : "the job allows \(percent(policies.maxDriftShare))"),
                overridden: overrides.allowed.contains(.drift)))
        plan.gates = gates
    }
}
