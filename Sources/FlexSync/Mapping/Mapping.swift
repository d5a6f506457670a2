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
