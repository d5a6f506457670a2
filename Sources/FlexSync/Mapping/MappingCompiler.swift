import Foundation
import Yams

/// Turns a mapping file's YAML into a ``Mapping``, refusing anything Insights would ignore.
struct MappingCompiler {
    let file: YAMLFile
    let locale: String?
    var takes: [String: XMLTake] = [:]
    /// The lookup tables read so far (transforms are compiled without mutating the compiler).
    let lookupFiles = LookupFiles()
    var defaultPolicy = KeyPolicy.sync
    var keyPolicies: [String: KeyPolicy] = [:]
    var keptWhenAbsent: Set<String> = []

    /// Field slots handed out so far, by name (``FieldReference/slot``).
    private let slots = FieldSlots()

    final class LookupFiles {
        var paths: [String] = []
    }

    private final class FieldSlots {
        var names: [String] = []
        var byName: [String: Int] = [:]
    }

    /// A reference to a field, with the slot every reference to that name shares.
    private func reference(_ name: String) -> FieldReference {
        if let slot = slots.byName[name] { return FieldReference(name, slot: slot) }
        slots.byName[name] = slots.names.count
        slots.names.append(name)
        return FieldReference(name, slot: slots.names.count - 1)
    }

    init(file: YAMLFile, locale: String? = nil) {
        self.file = file
        self.locale = locale
    }

    mutating func compile() throws -> Mapping {
        let top = try file.members(
            file.root,
            allowed: [
                "target", "description", "key", "skip_when", "attributes", "friendly_name",
                "default_policy"
            ],
            required: ["target", "key", "attributes"], context: "the mapping")
        let target: MappingTarget = try file.choice(top["target"]!, context: "'target'")
        if let node = top["default_policy"] { defaultPolicy = try file.choice(node, context: "'default_policy'") }
        let keyMembers = try file.members(
            top["key"]!, allowed: ["match", "allow_fallback"], required: ["match"],
            context: "'key'")
        let allowFallback =
            try keyMembers["allow_fallback"].map {
                try file.bool($0, context: "'key.allow_fallback'")
            } ?? false
        let match = try file.strings(keyMembers["match"]!, context: "'key.match'")
        var written: [(MappedAttribute, Node)] = []
        for (key, keyNode, value) in try file.pairs(top["attributes"]!, context: "'attributes'") {
            written.append((try attribute(key, keyNode: keyNode, value: value, target: target), keyNode))
        }
        if written.isEmpty { throw file.error(top["attributes"], "'attributes' maps nothing") }
        let attributes = written.map(\.0) + (try extensionAttributes(of: written, target: target, matchKeys: match))
        let friendlyName = try top["friendly_name"].map { try expression($0, context: "'friendly_name'") }
        guard !match.isEmpty else { throw file.error(keyMembers["match"], "'key.match' names no key") }
        for name in match {
            switch target {
            case .workers:
                if name == "friendly_name" {
                    if friendlyName == nil {
                        throw file.error(
                            keyMembers["match"],
                            "matching on 'friendly_name' needs a top-level 'friendly_name' expression")
                    }
                } else if !attributes.contains(where: { $0.key == name }) {
                    throw file.error(keyMembers["match"], "key '\(name)' must be one of the mapped attributes")
                }
            case .tasks:
                guard ["customers.external_id", "customers.phone", "customers.email"].contains(name) else {
                    throw file.error(
                        keyMembers["match"],
                        "tasks match customers by 'customers.external_id', 'customers.phone' or 'customers.email', not '\(name)'"
                    )
                }
                if !attributes.contains(where: { $0.key == name }) {
                    throw file.error(keyMembers["match"], "key '\(name)' must be one of the mapped attributes")
                }
            }
        }
        let skipWhen = try top["skip_when"].map { try condition($0, context: "'skip_when'") }
        if let dropped = attributes.first(where: { $0.onError == .drop && $0.key == match[0] }) {
            throw ConfigError(
                file: file.path, line: dropped.line, column: 1,
                message: "'\(dropped.key)' is the first key: 'on_error: drop' would match records without it")
        }
        var extras = Mapping.Extras(
            fieldNames: slots.names, lookupFiles: lookupFiles.paths, keyPolicies: keyPolicies,
            keptWhenAbsent: keptWhenAbsent)
        for (name, expressionFields) in [
            ("friendly_name", friendlyName?.fields ?? []), ("skip_when", skipWhen.map { [$0.field.name] } ?? [])
        ] {
            for field in expressionFields { extras.fieldLines[field] = top[name]?.mark?.line ?? 0 }
        }
        return Mapping(
            path: file.path, target: target, key: MappingKey(match: match, allowFallback: allowFallback),
            attributes: attributes, friendlyName: friendlyName, skipWhen: skipWhen, takes: takes, extras: extras)
    }

    private mutating func attribute(_ key: String, keyNode: Node, value: Node, target: MappingTarget) throws
        -> MappedAttribute
    {
        let (object, leaf) = try placement(of: key, keyNode: keyNode, target: target)
        var onEmpty = EmptyPolicy.remove
        var required = false
        var onError = ErrorPolicy.rejectRow
        var policy = defaultPolicy
        var removeWhenAbsent: Bool?
        if case .mapping = value, let members = try? file.pairs(value, context: "'\(key)'") {
            if let node = members.first(where: { $0.key == "on_error" })?.value {
                onError = try file.choice(node, context: "'\(key).on_error'")
            }
            if let node = members.first(where: { $0.key == "policy" })?.value {
                policy = try file.choice(node, context: "'\(key).policy'")
            }
            if let node = members.first(where: { $0.key == "remove_when_absent" })?.value {
                removeWhenAbsent = try file.bool(node, context: "'\(key).remove_when_absent'")
            }
            if let node = members.first(where: { $0.key == "on_empty" })?.value {
                onEmpty = try file.choice(node, context: "'\(key).on_empty'")
            }
            if let node = members.first(where: { $0.key == "required" })?.value {
                required = try file.bool(node, context: "'\(key).required'")
            }
        }
        keyPolicies[key] = policy
        if !(removeWhenAbsent ?? policy.removesWhenAbsentByDefault) { keptWhenAbsent.insert(key) }
        let compiled = try expression(value, context: "'\(key)'")
        let numeric = InsightsSchema.kind(of: leaf, in: object) == .numeric
        return MappedAttribute(
            key: key, object: object, leaf: leaf, expression: compiled, onEmpty: onEmpty, required: required,
            onError: onError, numeric: numeric, line: keyNode.mark?.line ?? 0)
    }

    /// The object and key inside it an attribute key names, checked against the Insights schema.
    func placement(of key: String, keyNode: Node, target: MappingTarget) throws -> (InsightsSchema.Object, String) {
        let object: InsightsSchema.Object
        let leaf: String
        switch target {
        case .workers:
            object = .worker
            leaf = key
            if key.hasPrefix("customers.") || key.hasPrefix("conversations.") {
                throw file.error(keyNode, "'\(key)' is a task attribute, but this mapping's target is 'workers'")
            }
        case .tasks:
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let parsed = InsightsSchema.Object(rawValue: parts[0]), parsed != .worker else {
                throw file.error(
                    keyNode, "task attributes are written as 'customers.<key>' or 'conversations.<key>', not '\(key)'")
            }
            object = parsed
            leaf = parts[1]
        }
        if let problem = InsightsSchema.keyProblem(leaf, in: object) {
            throw file.error(keyNode, problem)
        }
        return (object, leaf)
    }

    static let expressionKeys = [
        "field", "const", "template", "coalesce", "hierarchy", "when", "then", "else", "transforms", "on_empty", "take",
        "required", "on_error", "policy", "remove_when_absent"
    ]

    /// A plain scalar is a field name; a mapping is one of `field`, `const`, `template`,
    /// `coalesce`, `hierarchy`, `when`/`then`/`else`, with optional `transforms`.
    mutating func expression(_ node: Node, context: String) throws -> Expression {
        if case .scalar(let scalar) = node { return .field(reference(scalar.string)) }
        let members = try file.members(node, allowed: Self.expressionKeys, context: context)
        let forms = ["field", "const", "template", "coalesce", "hierarchy", "when"].filter { members[$0] != nil }
        guard forms.count == 1 else {
            throw file.error(
                node, "\(context) needs exactly one of 'field', 'const', 'template', 'coalesce', 'hierarchy' or 'when'")
        }
        var base: Expression
        switch forms[0] {
        case "field":
            let name = try file.string(members["field"]!, context: "\(context).field")
            if let takeNode = members["take"] {
                let take: XMLTake = try file.choice(takeNode, context: "\(context).take")
                if let existing = takes[name], existing != take {
                    throw file.error(
                        takeNode, "field '\(name)' is taken as '\(existing.rawValue)' elsewhere in this mapping")
                }
                takes[name] = take
            }
            base = .field(reference(name))
        case "const": base = .constant(try file.string(members["const"]!, context: "\(context).const"))
        case "template": base = .template(try template(members["template"]!, context: context))
        case "coalesce", "hierarchy":
            guard case .sequence(let items) = members[forms[0]]! else {
                throw file.error(members[forms[0]], "\(context).\(forms[0]) must be a list")
            }
            let parts = try items.map { try expression($0, context: "\(context).\(forms[0])") }
            base = forms[0] == "coalesce" ? .coalesce(parts) : .hierarchy(parts)
        default:
            guard let then = members["then"] else { throw file.error(node, "\(context): 'when' needs 'then'") }
            base = .conditional(
                try condition(members["when"]!, context: "\(context).when"),
                then: try expression(then, context: "\(context).then"),
                otherwise: try members["else"].map { try expression($0, context: "\(context).else") })
        }
        if forms[0] != "when", members["then"] != nil || members["else"] != nil {
            throw file.error(node, "\(context): 'then' and 'else' go with 'when'")
        }
        if let transformsNode = members["transforms"] {
            guard case .sequence(let items) = transformsNode else {
                throw file.error(transformsNode, "\(context).transforms must be a list")
            }
            base = .piped(base, try items.map { try transform($0, context: "\(context).transforms") })
        }
        return base
    }

    private func template(_ node: Node, context: String) throws -> [Expression.TemplatePart] {
        let text = try file.string(node, context: "\(context).template")
        var parts: [Expression.TemplatePart] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw file.error(node, "\(context): '{' without '}' in the template")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard !name.isEmpty else { throw file.error(node, "\(context): empty '{}' in the template") }
            parts.append(.field(reference(name)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return parts
    }

    func condition(_ node: Node, context: String) throws -> Condition {
        let members = try file.members(
            node, allowed: ["field", "matches", "equals", "empty", "not"], required: ["field"], context: context)
        let field = reference(try file.string(members["field"]!, context: "\(context).field"))
        let negated = try members["not"].map { try file.bool($0, context: "\(context).not") } ?? false
        let tests = ["matches", "equals", "empty"].filter { members[$0] != nil }
        guard tests.count == 1 else {
            throw file.error(node, "\(context) needs exactly one of 'matches', 'equals' or 'empty'")
        }
        switch tests[0] {
        case "matches":
            return Condition(
                field: field, test: .matches(try regex(members["matches"]!, context: context)), negated: negated)
        case "equals":
            return Condition(
                field: field, test: .equals(Set(try file.strings(members["equals"]!, context: context))),
                negated: negated)
        default:
            let empty = try file.bool(members["empty"]!, context: "\(context).empty")
            return Condition(field: field, test: .isEmpty, negated: negated != !empty)
        }
    }

    func regex(_ node: Node, context: String) throws -> NSRegularExpression {
        let pattern = try file.string(node, context: context)
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw file.error(node, "\(context): invalid regular expression /\(pattern)/")
        }
    }

    static let bareTransforms: [String: Transform] = [
        "trim": .trim, "collapse_whitespace": .collapseWhitespace, "lower": .lower, "upper": .upper, "title": .title,
        "email": .email, "year": .year, "number": .number(decimal: ".", group: ","), "date": .date([.iso]),
        "hierarchy": .hierarchy(separator: "/")
    ]
}
