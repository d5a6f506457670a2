import Foundation

@testable import FlexSync

/// Maps CSV text through mapping YAML, for tests of transforms and rules.
enum MapHarness {
    static func map(_ yaml: String, csv: String, policy: Mapping.RunPolicy = Mapping.RunPolicy()) throws
        -> [MappedRecord]
    {
        try run(try Mapping.parse(yaml, path: "m.yaml"), csv: csv, policy: policy)
    }

    /// Runs an already compiled mapping over CSV text (`in.csv`).
    static func run(_ mapping: Mapping, csv: String, policy: Mapping.RunPolicy = Mapping.RunPolicy()) throws
        -> [MappedRecord]
    {
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv")
        var out: [MappedRecord] = []
        while let record = try reader.next() { out.append(mapping.run(record, policy: policy)) }
        return out
    }

    /// A one-attribute worker mapping keyed on agent_id (from column `id`).
    static func one(_ attribute: String, _ expression: String) -> String {
        """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          \(attribute): \(expression)
        """
    }

    /// The value the mapping produced for `key` in the first record, or its first problem.
    static func value(_ yaml: String, csv: String, key: String, policy: Mapping.RunPolicy = Mapping.RunPolicy()) throws
        -> String
    {
        let record = try map(yaml, csv: csv, policy: policy)[0]
        if let problem = record.problems.first(where: { $0.severity == .error }) {
            return "error: " + problem.line(showValues: true)
        }
        if let value = record.set.first(where: { $0.key == key })?.value { return value.minified }
        if record.remove.contains(key) { return "remove" }
        if record.keep.contains(key) { return "keep" }
        return "absent"
    }
}
