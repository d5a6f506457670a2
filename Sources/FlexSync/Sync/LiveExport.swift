import Foundation

/// The live workspace's managed keys in the mapping's own column names: what Flex holds today,
/// as an export flexsync can plan from (`flexsync export`).
public struct LiveExport: Sendable {
    /// The columns, in mapping order: one per source field an attribute reads alone.
    public var columns: [String]
    public var rows: [[String]]
    /// Targets without a value for the mapping's first key: no row could match them back.
    public var withoutKey: Int
    /// Managed keys with no column of their own (templates, constants, several fields).
    public var omitted: [String]
}

extension SyncContext {
    /// Reads the live workers (or open tasks) and writes each one's managed keys under the
    /// mapping's column names. Personal values are `***` unless `showValues`.
    public func exportLive(showValues: Bool) throws -> LiveExport {
        let mapping = job.mapping
        var columns: [String] = []
        var keysOf: [String: [String]] = [:]
        for (key, field) in mapping.singleFieldAttributes {
            if keysOf[field] == nil { columns.append(field) }
            keysOf[field, default: []].append(key)
        }
        let exported = Set(keysOf.values.flatMap { $0 })
        // A mapping matching on friendly names gets the worker's friendly name in its column.
        let nameColumn =
            mapping.target == .workers
            ? mapping.friendlyNameField.flatMap { keysOf[$0] == nil ? $0 : nil } : nil
        if let nameColumn { columns.append(nameColumn) }
        let omitted = mapping.managedKeys.filter { !exported.contains($0) }
        let session = try CurlSession()
        let traffic = TrafficStats()
        // Each target's document, with the worker's friendly name where a mapping matches on it.
        let documents: [(document: JSONObject, friendlyName: String?)] = try {
            switch mapping.target {
            case .workers:
                return try client.listWorkers(traffic: traffic, session: session).compactMap { worker in
                    worker.attributesText.flatMap { try? JSONValue.parse($0).objectValue }.map {
                        ($0, worker.friendlyName)
                    }
                }
            case .tasks:
                return try client.listOpenTasks(traffic: traffic, session: session).compactMap { task in
                    task.attributesText.flatMap { try? JSONValue.parse($0).objectValue }.map { ($0, nil) }
                }
            }
        }()
        let firstKey = mapping.key.match.first ?? ""
        var rows: [[String]] = []
        var withoutKey = 0
        for (document, friendlyName) in documents {
            let key = firstKey == "friendly_name" ? friendlyName : Merge.value(at: firstKey, in: document)?.displayText
            if let key, !key.isEmpty {
                rows.append(
                    columns.map { column in
                        if column == nameColumn { return friendlyName ?? "" }
                        // Several attributes reading one column hold the same value; the first present one is written.
                        let key =
                            keysOf[column]?.first { Merge.value(at: $0, in: document) != nil } ?? keysOf[column]![0]
                        guard let value = Merge.value(at: key, in: document), value != .null else { return "" }
                        return !showValues && ValueRules.isPersonal(key: key) ? "***" : value.displayText
                    })
            } else {
                withoutKey += 1
            }
        }
        return LiveExport(columns: columns, rows: rows, withoutKey: withoutKey, omitted: omitted)
    }
}

extension LiveExport {
    /// RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break.
    public var csv: String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([columns] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }
}
