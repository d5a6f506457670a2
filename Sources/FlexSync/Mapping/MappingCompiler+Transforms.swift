import Foundation
import Yams

/// Transforms of a mapping file: `trim`, `{ date: … }`, `{ lookup: FILE, … }` and the rest.
extension MappingCompiler {
    /// A transform: a bare name (`trim`) or a mapping whose first key names it (`map: {…}`).
    func transform(_ node: Node, context: String) throws -> Transform {
        if case .scalar(let scalar) = node {
            guard let bare = Self.bareTransforms[scalar.string] else {
                let hint =
                    Spelling.closest(to: scalar.string, among: Array(Self.bareTransforms.keys) + Self.optionTransforms)
                    .map { " (did you mean '\($0)'?)" } ?? ""
                throw file.error(node, "unknown transform '\(scalar.string)'\(hint)")
            }
            return bare
        }
        let pairs = try file.pairs(node, context: context)
        guard let (name, nameNode, value) = pairs.first else { throw file.error(node, "\(context): empty transform") }
        let options = Dictionary(pairs.dropFirst().map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        func allow(_ keys: [String]) throws {
            if let extra = pairs.dropFirst().first(where: { !keys.contains($0.key) }) {
                throw file.error(extra.keyNode, "unknown option '\(extra.key)' for transform '\(name)'")
            }
        }
        let place = "\(context).\(name)"
        switch name {
        case "default":
            try allow([])
            return .defaultValue(try file.string(value, context: place))
        case "map":
            try allow(["otherwise"])
            let table = Dictionary(
                try file.pairs(value, context: place).map { ($0.key, try file.string($0.value, context: place)) },
                uniquingKeysWith: { a, _ in a })
            return .valueMap(
                table, otherwise: try options["otherwise"].map { try file.string($0, context: "\(place).otherwise") })
        case "lookup":
            try allow(["key", "value", "otherwise"])
            let tablePath = file.resolve(try file.string(value, context: place))
            guard let keyNode = options["key"], let valueNode = options["value"] else {
                throw file.error(nameNode, "'lookup' needs 'key' and 'value' (the table's column names)")
            }
            let table = try lookupTable(
                tablePath, key: try file.string(keyNode, context: place),
                value: try file.string(valueNode, context: place), node: nameNode)
            return .lookup(
                table: table, name: (tablePath as NSString).lastPathComponent,
                otherwise: try options["otherwise"].map { try file.string($0, context: "\(place).otherwise") })
        case "replace":
            try allow(["with"])
            return .replace(
                try regex(value, context: place),
                with: try options["with"].map { try file.string($0, context: place) } ?? "")
        case "extract":
            try allow([])
            return .extract(try regex(value, context: place))
        case "require":
            try allow([])
            return .require(try regex(value, context: place), pattern: try file.string(value, context: place))
        case "split":
            try allow([])
            return .split(try file.string(value, context: place))
        case "join":
            try allow([])
            return .join(try file.string(value, context: place))
        case "hierarchy":
            try allow([])
            return .hierarchy(separator: try file.string(value, context: place))
        case "date":
            try allow([])
            let formats = try file.strings(value, context: place).map { text -> DateFormat in
                do { return try DateFormat(text, locale: locale) } catch let failure as TransformFailure {
                    throw file.error(value, "\(place): \(failure.rule): '\(failure.value)'")
                }
            }
            return .date(formats)
        case "number":
            try allow([])
            let members = try file.members(value, allowed: ["decimal", "group"], context: place)
            let decimal = try members["decimal"].map { try file.string($0, context: place) } ?? "."
            let group = try members["group"].map { try file.string($0, context: place) }
            guard decimal.count == 1, group.map({ $0.count <= 1 }) ?? true else {
                throw file.error(value, "\(place): separators are single characters")
            }
            return .number(decimal: decimal.first!, group: group?.first)
        case "phone":
            try allow([])
            return .phone(try phoneRule(value, context: place))
        case "truncate":
            try allow([])
            let limit = try file.int(value, context: place)
            guard limit > 0 else { throw file.error(value, "\(place) must be positive") }
            return .truncate(limit)
        case "prefix":
            try allow([])
            return .prefix(try file.string(value, context: place))
        default:
            let hint = Spelling.closest(to: name, among: Self.optionTransforms).map { " (did you mean '\($0)'?)" } ?? ""
            throw file.error(nameNode, "unknown transform '\(name)'\(hint)")
        }
    }

    static let optionTransforms = [
        "default", "map", "lookup", "replace", "extract", "require", "split", "join", "hierarchy",
        "date", "number", "phone", "truncate", "prefix"
    ]

    private func lookupTable(_ path: String, key: String, value: String, node: Node) throws -> [String: String] {
        if !lookupFiles.paths.contains(path) { lookupFiles.paths.append(path) }
        do {
            let reader = try CSVReader(path: path)
            guard reader.schema.position(of: key) != nil, reader.schema.position(of: value) != nil else {
                throw file.error(
                    node,
                    "lookup table '\(path)' has no column '\(reader.schema.position(of: key) == nil ? key : value)'")
            }
            var table: [String: String] = [:]
            while let record = try reader.next() {
                if let k = record[key]?.firstText, let v = record[value]?.firstText { table[k] = v }
            }
            return table
        } catch let error as ExtractError {
            throw file.error(node, "lookup table: \(error)")
        }
    }
}
