import Foundation
import Yams

/// Reads a YAML file strictly: unknown keys, wrong types and duplicate keys are errors that name
/// the file, line and column. YAML's usual last-one-wins on duplicates would hide a typo.
struct YAMLFile {
    let path: String
    let root: Node

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(
                file: path, line: 1, column: 1,
                message: "cannot read the file: " + (YAMLFile.unreadable(path) ?? "unknown reason"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 1, column: 1, message: "the file is not UTF-8")
        }
        try self.init(text: text, path: path)
    }

    init(text: String, path: String) throws {
        self.path = path
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: path, line: 1, column: 1, message: "the file is empty")
            }
            root = node
        } catch let error as YamlError {
            throw YAMLFile.convert(error, path: path)
        }
    }

    /// Why a file cannot be read, or nil when it can.
    static func unreadable(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }

    static func convert(_ error: YamlError, path: String) -> ConfigError {
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigError(
                file: path, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(names) in one mapping (YAML would silently keep only the last)")
        case .scanner(let context, let problem, let mark, _):
            return ConfigError(
                file: path, line: mark.line, column: mark.column,
                message: [context?.text, problem].compactMap { $0 }.joined(separator: " "))
        case .parser(let context, let problem, let mark, _):
            return ConfigError(
                file: path, line: mark.line, column: mark.column,
                message: [context?.text, problem].compactMap { $0 }.joined(separator: " "))
        default:
            return ConfigError(
                file: path, line: 1, column: 1,
                message: "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid YAML")
        }
    }

    func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
    }

    /// The members of a mapping node, refusing keys not in `allowed` and missing `required` ones.
    func members(_ node: Node, allowed: [String], required: [String] = [], context: String) throws -> Members {
        guard case .mapping(let mapping) = node else { throw error(node, "\(context) must be a mapping") }
        var result = Members(node: node)
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else { throw error(keyNode, "\(context): keys must be text") }
            guard allowed.contains(key) else {
                let hint = Spelling.closest(to: key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw error(keyNode, "unknown key '\(key)' in \(context)\(hint)")
            }
            result.pairs.append((key, keyNode, value))
        }
        for key in required where result[key] == nil {
            throw error(node, "\(context) needs '\(key)'")
        }
        return result
    }

    /// The pairs of a mapping node whose keys are free-form (attribute names, value maps).
    func pairs(_ node: Node, context: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else { throw error(node, "\(context) must be a mapping") }
        return try mapping.map { keyNode, value in
            guard let key = keyNode.scalar?.string else { throw error(keyNode, "\(context): keys must be text") }
            return (key, keyNode, value)
        }
    }

    func string(_ node: Node, context: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(context) must be text") }
        return scalar.string
    }

    func int(_ node: Node, context: String) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error(node, "\(context) must be a whole number")
        }
        return value
    }

    func double(_ node: Node, context: String) throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else {
            throw error(node, "\(context) must be a number")
        }
        return value
    }

    func bool(_ node: Node, context: String) throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error(node, "\(context) must be true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, "\(context) must be true or false")
        }
    }

    func strings(_ node: Node, context: String) throws -> [String] {
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let sequence): return try sequence.map { try string($0, context: context) }
        default: throw error(node, "\(context) must be text or a list of text")
        }
    }

    func choice<T: RawRepresentable>(_ node: Node, context: String) throws -> T
    where T.RawValue == String, T: CaseIterable {
        let text = try string(node, context: context)
        guard let value = T(rawValue: text) else {
            throw error(
                node,
                "\(context) must be one of \(T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")), not '\(text)'"
            )
        }
        return value
    }

    /// A path written in this file, resolved against the file's folder.
    func resolve(_ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        let directory = URL(fileURLWithPath: path).absoluteURL.deletingLastPathComponent()
        return YAMLFile.displayPath(directory.appendingPathComponent(relative).standardizedFileURL.path)
    }

    /// An absolute path shown relative to the working directory when it lies below it.
    static func displayPath(_ absolute: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return absolute.hasPrefix(cwd) ? String(absolute.dropFirst(cwd.count)) : absolute
    }
}

/// The checked members of one YAML mapping, in file order.
struct Members {
    let node: Node
    var pairs: [(key: String, keyNode: Node, value: Node)] = []

    subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }
}
