import Foundation
import Yams

/// What a mapping writes to: worker attributes, or the `customers`/`conversations` objects of tasks.
public enum MappingTarget: String, Sendable, CaseIterable {
    case workers
    case tasks
}

/// What an empty source value means for an attribute.
public enum EmptyPolicy: String, Sendable, CaseIterable {
    /// Remove the key from the live document.
    case remove
    /// Leave the live value as it is.
    case keep
    /// Write an empty string.
    case empty
}

/// What a value an attribute cannot produce does to its record.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// The row is invalid (the default).
    case rejectRow = "reject_row"
    /// The attribute is left out of this record (its live value stays), reported as a warning.
    case drop
}

/// One attribute a mapping produces. A class: the run loop visits every attribute of every record,
/// and copying a struct of strings and expressions each time cost a fifth of validation.
final class MappedAttribute: @unchecked Sendable {
    /// `team_id`, or `customers.name` for tasks.
    let key: String
    let object: InsightsSchema.Object
    /// The key inside its object (`name` for `customers.name`).
    let leaf: String
    let expression: Expression
    let onEmpty: EmptyPolicy
    /// `required: true`: an empty value is an error for the row.
    let required: Bool
    /// `on_error`: what a value that breaks a rule does to the row.
    let onError: ErrorPolicy
    let numeric: Bool
    /// Where the attribute is written in the mapping file, for messages.
    let line: Int
    /// The field the whole attribute depends on, and the memo of its results, when its value
    /// depends on that one field's text alone (both or neither).
    let memoField: FieldReference?
    let memo: ValueMemo?
    /// The same two, for the per-record path (see ``Unretained``).
    private let memoViews: (memo: Unretained<ValueMemo>, field: Unretained<FieldReference>)?
    /// A personal key (names, e-mail, phone…): masked in messages, withheld under `pii: withhold`.
    let personal: Bool
    /// The key's length in a serialised document (UTF-16 units), for the size bound.
    let keyLength: Int
    let isAcquisitionDate: Bool
    /// `year_of_birth`: four digits within Insights' years, whatever made the value.
    let isYearOfBirth: Bool
    /// A custom `*_attribute_N` slot, whose values the dataset checks count for cardinality.
    var isCustomAttributeSlot: Bool { leaf.contains("_attribute_") }
    /// Read by the dataset checks (a match key or a custom `*_attribute_N` slot): kept when a
    /// run keeps only what the checks need.
    var checked = false
    /// Named in `key.match`: never removed or written empty, whatever `on_empty` says.
    var isMatchKey = false
    /// How `validate` can tell this attribute's length and emptiness from a CSV record's bytes.
    let byteCheck: ByteCheck?
    private let byteCheckView: Unretained<ByteCheck>?

    /// The same attribute with its own field references and memo, for another thread.
    func replica() -> MappedAttribute {
        MappedAttribute(key: key, object: object, leaf: leaf, expression: expression.replica(), onEmpty: onEmpty,
                         required: required, onError: onError, numeric: numeric, line: line)
    }

    init(key: String, object: InsightsSchema.Object, leaf: String, expression: Expression, onEmpty: EmptyPolicy,
         required: Bool = false, onError: ErrorPolicy = .rejectRow, numeric: Bool, line: Int) {
        self.key = key; self.object = object; self.leaf = leaf; self.expression = expression
        self.onEmpty = onEmpty; self.required = required; self.onError = onError; self.numeric = numeric; self.line = line
        memoField = expression.soleField
        memo = memoField.map { _ in ValueMemo(trial: expression.isCostly ? ValueMemo.costlyTrial : ValueMemo.trial) }
        if let memo, let memoField { memoViews = (Unretained(memo), Unretained(memoField)) } else { memoViews = nil }
        personal = ValueRules.isPersonal(leaf, object)
        keyLength = key.utf16.count
        isAcquisitionDate = leaf == "acquisition_date"
        isYearOfBirth = leaf == "year_of_birth"
        byteCheck = numeric || isAcquisitionDate || isYearOfBirth ? nil : ByteCheck.make(for: expression)
        byteCheckView = byteCheck.map(Unretained.init)
    }

    /// ``byteCheck``'s outcome for a record, when it has one.
    @inline(__always)
    func byteOutcome(_ record: Record, _ context: EvaluationContext) -> ByteCheck.Outcome? {
        byteCheckView?.with { $0.outcome(record, context) } ?? nil
    }

    /// The attribute's value for a record, from the memo when the field's text was seen before.
    func evaluate(_ record: Record, _ context: EvaluationContext) throws -> MappedValue {
        guard let memoViews else { return try expression.evaluate(record, context) }
        return try memoViews.memo.with { memo in
            try memoViews.field.with { field in try evaluate(record, context, memo: memo, field: field) }
        }
    }

    private func evaluate(_ record: Record, _ context: EvaluationContext, memo: ValueMemo, field memoField: FieldReference) throws -> MappedValue {
        guard memo.active else { return try expression.evaluate(record, context) }
        // A CSV value is looked up by its bytes: a hit builds no string at all.
        let byBytes = record.withPlainBytes(of: memoField) { memo.lookup(bytes: $0) }
        if case .some(.some(let known)) = byBytes { return try known.get() }
        guard case .text(let text)? = record.value(of: memoField) else { return try expression.evaluate(record, context) }
        if byBytes == nil, let known = memo.lookup(text) { return try known.get() }
        let result: Result<MappedValue, TransformFailure>
        do {
            result = .success(try expression.evaluate(record, context))
        } catch let failure as TransformFailure {
            result = .failure(failure)
        }
        memo.store(result, outcome: checkOutcome(of: result), for: text)
        return try result.get()
    }

    /// What a run that keeps only checked values needs of a result for this attribute, when that
    /// is all there is to it: null, or text of a length that raises no problem. Nil for anything
    /// the full path has more to say about (failures, lists, numbers, dates, long text).
    func checkOutcome(of result: Result<MappedValue, TransformFailure>) -> ByteCheck.Outcome? {
        guard !numeric, !isAcquisitionDate, !isYearOfBirth, case .success(let value) = result else { return nil }
        switch value {
        case .null: return .null
        case .text(let text) where text.utf8.count <= ValueRules.maxValueLength && !LossyText.mayBeDamaged(text):
            return .text(text.utf8.count)
        default: return nil
        }
    }

    /// The memo's outcome for this record's field, when the memo is on and has one.
    @inline(__always)
    func memoOutcome(_ record: Record) -> ByteCheck.Outcome? {
        guard let memoViews else { return nil }
        return memoViews.memo.with { memo in
            guard memo.active else { return nil }
            return memoViews.field.with { field in record.withPlainBytes(of: field) { memo.outcome(bytes: $0) } ?? nil }
        }
    }
}

/// How a mapped record is matched to TaskRouter.
public struct MappingKey: Sendable {
    /// Keys tried in order: worker attributes (`agent_id`, `email`), `friendly_name`, or for tasks
    /// `external_id`, `phone`, `email` of `customers`.
    public var match: [String]
    /// `key.allow_fallback`: a record whose first key is empty may be matched by the later
    /// ones. Without it such a record is an error (`empty key 'agent_id'`) and changes nothing.
    public var allowFallback = false
}

/// A compiled mapping file: parsed and checked once, then run per record without re-parsing.
public final class Mapping: @unchecked Sendable {
    public let path: String
    public let target: MappingTarget
    public let key: MappingKey
    let attributes: [MappedAttribute]
    /// The same attributes, for the per-record path (see ``Unretained``).
    let attributeViews: [Unretained<MappedAttribute>]
    let friendlyName: Expression?
    let skipWhen: Condition?
    /// The same condition, for the per-record path (see ``Unretained``).
    let skipWhenView: Unretained<Condition>?
    /// XML fields to extract, with how repeated elements are taken.
    let takes: [String: XMLTake]
    /// For each attribute that Insights shows only with a companion (`team_name` → `team_id`):
    /// its index and the companion's index, or nil when the mapping does not produce it.
    let companions: [(name: Int, needs: Int?)]
    /// `key.match` resolved once: each key's attribute, whether it is `friendly_name` instead,
    /// and how its values are compared.
    let matchKeys: [(name: String, attribute: Int?, friendlyName: Bool, form: MappedRecord.MatchForm)]
    /// How many attributes the dataset checks read.
    let checkedAttributes: Int
    /// The null tokens the attribute memos were filled with.
    var memoNullTokens: Set<String>?
    /// The lookup tables (`lookup: FILE`) the mapping read when it was compiled: inputs of a plan
    /// as much as the export is. Set once, by the compiler.
    public internal(set) var lookupFiles: [String] = []
    /// Each managed key's policy (``KeyPolicy``); set once, by the compiler.
    public internal(set) var keyPolicies: [String: KeyPolicy] = [:]
    /// Managed keys an empty export value never removes (`remove_when_absent: false`).
    public internal(set) var keptWhenAbsent: Set<String> = []

    /// The policy of a managed key.
    public func policy(of key: String) -> KeyPolicy { keyPolicies[key] ?? .sync }

    /// The attributes that read one source field (possibly transformed), with that field: what
    /// `flexsync export` can write back as the export's own columns. Attributes built from
    /// several fields, templates or constants have no single column.
    /// The column the top-level `friendly_name` reads, when it reads one alone.
    public var friendlyNameField: String? {
        switch friendlyName {
        case .field(let reference)?: reference.name
        case .piped(.field(let reference), _)?: reference.name
        default: nil
        }
    }

    public var singleFieldAttributes: [(key: String, field: String)] {
        attributes.compactMap { attribute in
            switch attribute.expression {
            case .field(let reference): (attribute.key, reference.name)
            case .piped(.field(let reference), _): (attribute.key, reference.name)
            default: nil
            }
        }
    }
    /// Lines of the mapping file where `skip_when` and `friendly_name` name their fields, for
    /// messages about fields the export lacks.
    var fieldLines: [String: Int] = [:]

    /// The attribute keys the mapping manages (`team_id`, `customers.name`).
    public var managedKeys: [String] { attributes.map(\.key) }

    /// Every source field the mapping reads.
    public var sourceFields: [String] {
        var seen = Set<String>()
        var fields: [String] = []
        for field in attributes.flatMap(\.expression.fields) + (friendlyName?.fields ?? []) + (skipWhen.map { [$0.field.name] } ?? [])
        where seen.insert(field).inserted { fields.append(field) }
        return fields
    }

    /// How a source field is taken from XML (first, list, count).
    public func take(of field: String) -> XMLTake { takes[field] ?? .first }

    init(path: String, target: MappingTarget, key: MappingKey, attributes: [MappedAttribute], friendlyName: Expression?,
         skipWhen: Condition?, takes: [String: XMLTake]) {
        self.path = path; self.target = target; self.key = key; self.attributes = attributes
        self.friendlyName = friendlyName; self.skipWhen = skipWhen; self.takes = takes
        attributeViews = attributes.map(Unretained.init)
        skipWhenView = skipWhen.map(Unretained.init)
        var companions: [(name: Int, needs: Int?)] = []
        for (index, attribute) in attributes.enumerated() {
            guard let pair = InsightsSchema.requiredCompanions[attribute.object]?.first(where: { $0.key == attribute.leaf }) else { continue }
            let needs = attributes.firstIndex { $0.object == attribute.object && $0.leaf == pair.needs }
            companions.append((index, needs))
        }
        self.companions = companions
        for attribute in attributes {
            attribute.isMatchKey = key.match.contains(attribute.key)
            attribute.checked = attribute.isMatchKey || attribute.isCustomAttributeSlot
        }
        checkedAttributes = attributes.filter(\.checked).count
        matchKeys = key.match.map { name in
            (name, attributes.firstIndex { $0.key == name }, name == "friendly_name", MappedRecord.matchForm(name))
        }
    }

    /// The same mapping with its own caches (field positions, memos), so that another thread can
    /// run it at the same time as this one. Nothing is read or compiled again.
    func replica() -> Mapping {
        let copy = Mapping(path: path, target: target, key: key, attributes: attributes.map { $0.replica() },
                           friendlyName: friendlyName?.replica(), skipWhen: skipWhen?.replica(), takes: takes)
        copy.lookupFiles = lookupFiles
        copy.keyPolicies = keyPolicies
        copy.keptWhenAbsent = keptWhenAbsent
        return copy
    }

    /// Reads and compiles a mapping file; `locale` (the job's `source.locale`, e.g. `de`) adds
    /// its month names to those date patterns read.
    public static func load(path: String, locale: String? = nil) throws -> Mapping {
        var compiler = MappingCompiler(file: try YAMLFile(path: path), locale: locale)
        return try compiler.compile()
    }

    /// Compiles mapping text (tests), named `path` in messages.
    public static func parse(_ text: String, path: String, locale: String? = nil) throws -> Mapping {
        var compiler = MappingCompiler(file: try YAMLFile(text: text, path: path), locale: locale)
        return try compiler.compile()
    }
}

/// Turns a mapping file's YAML into a ``Mapping``, refusing anything Insights would ignore.
struct MappingCompiler {
    let file: YAMLFile
    let locale: String?
    var takes: [String: XMLTake] = [:]
    /// The lookup tables read so far (transforms are compiled without mutating the compiler).
    private let lookupFiles = LookupFiles()
    var defaultPolicy = KeyPolicy.sync
    var keyPolicies: [String: KeyPolicy] = [:]
    var keptWhenAbsent: Set<String> = []

    private final class LookupFiles {
        var paths: [String] = []
    }

    init(file: YAMLFile, locale: String? = nil) { self.file = file; self.locale = locale }

    mutating func compile() throws -> Mapping {
        let top = try file.members(file.root, allowed: ["target", "description", "key", "skip_when", "attributes", "friendly_name",
                                                        "default_policy"],
                                   required: ["target", "key", "attributes"], context: "the mapping")
        let target: MappingTarget = try file.choice(top["target"]!, context: "'target'")
        if let node = top["default_policy"] { defaultPolicy = try file.choice(node, context: "'default_policy'") }
        let keyMembers = try file.members(top["key"]!, allowed: ["match", "allow_fallback"], required: ["match"],
                                          context: "'key'")
        let allowFallback = try keyMembers["allow_fallback"].map {
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
                    if friendlyName == nil { throw file.error(keyMembers["match"], "matching on 'friendly_name' needs a top-level 'friendly_name' expression") }
                } else if !attributes.contains(where: { $0.key == name }) {
                    throw file.error(keyMembers["match"], "key '\(name)' must be one of the mapped attributes")
                }
            case .tasks:
                guard ["customers.external_id", "customers.phone", "customers.email"].contains(name) else {
                    throw file.error(keyMembers["match"], "tasks match customers by 'customers.external_id', 'customers.phone' or 'customers.email', not '\(name)'")
                }
                if !attributes.contains(where: { $0.key == name }) {
                    throw file.error(keyMembers["match"], "key '\(name)' must be one of the mapped attributes")
                }
            }
        }
        let skipWhen = try top["skip_when"].map { try condition($0, context: "'skip_when'") }
        if let dropped = attributes.first(where: { $0.onError == .drop && $0.key == match[0] }) {
            throw ConfigError(file: file.path, line: dropped.line, column: 1,
                              message: "'\(dropped.key)' is the first key: 'on_error: drop' would match records without it")
        }
        let mapping = Mapping(path: file.path, target: target, key: MappingKey(match: match, allowFallback: allowFallback),
                              attributes: attributes, friendlyName: friendlyName, skipWhen: skipWhen, takes: takes)
        mapping.lookupFiles = lookupFiles.paths
        mapping.keyPolicies = keyPolicies
        mapping.keptWhenAbsent = keptWhenAbsent
        for (name, expressionFields) in [("friendly_name", friendlyName?.fields ?? []), ("skip_when", skipWhen.map { [$0.field.name] } ?? [])] {
            for field in expressionFields { mapping.fieldLines[field] = top[name]?.mark?.line ?? 0 }
        }
        return mapping
    }

    private mutating func attribute(_ key: String, keyNode: Node, value: Node, target: MappingTarget) throws -> MappedAttribute {
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
        return MappedAttribute(key: key, object: object, leaf: leaf, expression: compiled, onEmpty: onEmpty, required: required,
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
                throw file.error(keyNode, "task attributes are written as 'customers.<key>' or 'conversations.<key>', not '\(key)'")
            }
            object = parsed
            leaf = parts[1]
        }
        if let problem = InsightsSchema.keyProblem(leaf, in: object) {
            throw file.error(keyNode, problem)
        }
        return (object, leaf)
    }

    static let expressionKeys = ["field", "const", "template", "coalesce", "hierarchy", "when", "then", "else", "transforms", "on_empty", "take",
                                 "required", "on_error", "policy", "remove_when_absent"]

    /// A plain scalar is a field name; a mapping is one of `field`, `const`, `template`,
    /// `coalesce`, `hierarchy`, `when`/`then`/`else`, with optional `transforms`.
    mutating func expression(_ node: Node, context: String) throws -> Expression {
        if case .scalar(let scalar) = node { return .field(FieldReference(scalar.string)) }
        let members = try file.members(node, allowed: Self.expressionKeys, context: context)
        let forms = ["field", "const", "template", "coalesce", "hierarchy", "when"].filter { members[$0] != nil }
        guard forms.count == 1 else {
            throw file.error(node, "\(context) needs exactly one of 'field', 'const', 'template', 'coalesce', 'hierarchy' or 'when'")
        }
        var base: Expression
        switch forms[0] {
        case "field":
            let name = try file.string(members["field"]!, context: "\(context).field")
            if let takeNode = members["take"] {
                let take: XMLTake = try file.choice(takeNode, context: "\(context).take")
                if let existing = takes[name], existing != take {
                    throw file.error(takeNode, "field '\(name)' is taken as '\(existing.rawValue)' elsewhere in this mapping")
                }
                takes[name] = take
            }
            base = .field(FieldReference(name))
        case "const": base = .constant(try file.string(members["const"]!, context: "\(context).const"))
        case "template": base = .template(try template(members["template"]!, context: context))
        case "coalesce", "hierarchy":
            guard case .sequence(let items) = members[forms[0]]! else { throw file.error(members[forms[0]], "\(context).\(forms[0]) must be a list") }
            let parts = try items.map { try expression($0, context: "\(context).\(forms[0])") }
            base = forms[0] == "coalesce" ? .coalesce(parts) : .hierarchy(parts)
        default:
            guard let then = members["then"] else { throw file.error(node, "\(context): 'when' needs 'then'") }
            base = .conditional(try condition(members["when"]!, context: "\(context).when"),
                                then: try expression(then, context: "\(context).then"),
                                otherwise: try members["else"].map { try expression($0, context: "\(context).else") })
        }
        if forms[0] != "when", members["then"] != nil || members["else"] != nil {
            throw file.error(node, "\(context): 'then' and 'else' go with 'when'")
        }
        if let transformsNode = members["transforms"] {
            guard case .sequence(let items) = transformsNode else { throw file.error(transformsNode, "\(context).transforms must be a list") }
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
            guard let close = rest[open...].firstIndex(of: "}") else { throw file.error(node, "\(context): '{' without '}' in the template") }
            let name = String(rest[rest.index(after: open)..<close])
            guard !name.isEmpty else { throw file.error(node, "\(context): empty '{}' in the template") }
            parts.append(.field(FieldReference(name)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return parts
    }

    func condition(_ node: Node, context: String) throws -> Condition {
        let members = try file.members(node, allowed: ["field", "matches", "equals", "empty", "not"], required: ["field"], context: context)
        let field = FieldReference(try file.string(members["field"]!, context: "\(context).field"))
        let negated = try members["not"].map { try file.bool($0, context: "\(context).not") } ?? false
        let tests = ["matches", "equals", "empty"].filter { members[$0] != nil }
        guard tests.count == 1 else { throw file.error(node, "\(context) needs exactly one of 'matches', 'equals' or 'empty'") }
        switch tests[0] {
        case "matches": return Condition(field: field, test: .matches(try regex(members["matches"]!, context: context)), negated: negated)
        case "equals": return Condition(field: field, test: .equals(Set(try file.strings(members["equals"]!, context: context))), negated: negated)
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
        "hierarchy": .hierarchy(separator: "/"),
    ]

    /// A transform: a bare name (`trim`) or a mapping whose first key names it (`map: {…}`).
    func transform(_ node: Node, context: String) throws -> Transform {
        if case .scalar(let scalar) = node {
            guard let bare = Self.bareTransforms[scalar.string] else {
                let hint = InsightsSchema.closest(to: scalar.string, among: Array(Self.bareTransforms.keys) + Self.optionTransforms).map { " (did you mean '\($0)'?)" } ?? ""
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
        let where_ = "\(context).\(name)"
        switch name {
        case "default": try allow([]); return .defaultValue(try file.string(value, context: where_))
        case "map":
            try allow(["otherwise"])
            let table = Dictionary(try file.pairs(value, context: where_).map { ($0.key, try file.string($0.value, context: where_)) },
                                   uniquingKeysWith: { a, _ in a })
            return .valueMap(table, otherwise: try options["otherwise"].map { try file.string($0, context: "\(where_).otherwise") })
        case "lookup":
            try allow(["key", "value", "otherwise"])
            let tablePath = file.resolve(try file.string(value, context: where_))
            guard let keyNode = options["key"], let valueNode = options["value"] else {
                throw file.error(nameNode, "'lookup' needs 'key' and 'value' (the table's column names)")
            }
            let table = try lookupTable(tablePath, key: try file.string(keyNode, context: where_), value: try file.string(valueNode, context: where_), node: nameNode)
            return .lookup(table: table, name: (tablePath as NSString).lastPathComponent,
                           otherwise: try options["otherwise"].map { try file.string($0, context: "\(where_).otherwise") })
        case "replace":
            try allow(["with"])
            return .replace(try regex(value, context: where_), with: try options["with"].map { try file.string($0, context: where_) } ?? "")
        case "extract": try allow([]); return .extract(try regex(value, context: where_))
        case "require": try allow([]); return .require(try regex(value, context: where_), pattern: try file.string(value, context: where_))
        case "split": try allow([]); return .split(try file.string(value, context: where_))
        case "join": try allow([]); return .join(try file.string(value, context: where_))
        case "hierarchy": try allow([]); return .hierarchy(separator: try file.string(value, context: where_))
        case "date":
            try allow([])
            let formats = try file.strings(value, context: where_).map { text -> DateFormat in
                do { return try DateFormat(text, locale: locale) } catch let failure as TransformFailure {
                    throw file.error(value, "\(where_): \(failure.rule): '\(failure.value)'")
                }
            }
            return .date(formats)
        case "number":
            try allow([])
            let members = try file.members(value, allowed: ["decimal", "group"], context: where_)
            let decimal = try members["decimal"].map { try file.string($0, context: where_) } ?? "."
            let group = try members["group"].map { try file.string($0, context: where_) }
            guard decimal.count == 1, group.map({ $0.count <= 1 }) ?? true else { throw file.error(value, "\(where_): separators are single characters") }
            return .number(decimal: decimal.first!, group: group?.first)
        case "phone": try allow([]); return .phone(try phoneRule(value, context: where_))
        case "truncate":
            try allow([])
            let limit = try file.int(value, context: where_)
            guard limit > 0 else { throw file.error(value, "\(where_) must be positive") }
            return .truncate(limit)
        case "prefix": try allow([]); return .prefix(try file.string(value, context: where_))
        default:
            let hint = InsightsSchema.closest(to: name, among: Self.optionTransforms).map { " (did you mean '\($0)'?)" } ?? ""
            throw file.error(nameNode, "unknown transform '\(name)'\(hint)")
        }
    }

    static let optionTransforms = ["default", "map", "lookup", "replace", "extract", "require", "split", "join", "hierarchy",
                                   "date", "number", "phone", "truncate", "prefix"]

    private func lookupTable(_ path: String, key: String, value: String, node: Node) throws -> [String: String] {
        if !lookupFiles.paths.contains(path) { lookupFiles.paths.append(path) }
        do {
            let reader = try CSVReader(path: path)
            guard reader.schema.position(of: key) != nil, reader.schema.position(of: value) != nil else {
                throw file.error(node, "lookup table '\(path)' has no column '\(reader.schema.position(of: key) == nil ? key : value)'")
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
