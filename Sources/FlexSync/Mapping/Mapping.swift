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

/// One attribute a mapping produces: immutable once compiled, shared by every thread that maps
/// (each thread's memo and field columns live in its ``BoundMapping``). A class: the run loop
/// visits every attribute of every record, and copying a struct of strings and expressions each
/// time cost a fifth of validation.
final class MappedAttribute: Sendable {
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
    /// The field the whole attribute depends on, when its value depends on that one field's text
    /// alone: what a bound mapping remembers results by.
    let memoField: FieldReference?
    /// A personal key (names, e-mail, phone…): masked in messages, withheld under `pii: withhold`.
    let personal: Bool
    /// The key's length in a serialised document (UTF-16 units), for the size bound.
    let keyLength: Int
    let isAcquisitionDate: Bool
    /// `year_of_birth`: four digits within Insights' years, whatever made the value.
    let isYearOfBirth: Bool
    /// An identifier (`agent_id`, `team_id`, `customers.external_id`…): a run of zeros, or a
    /// number Excel wrote in scientific notation, is refused.
    let isIdentifier: Bool
    /// A custom `*_attribute_N` slot, whose values the dataset checks count for cardinality.
    let isCustomAttributeSlot: Bool
    /// `customers.zip`: the dataset checks compare the codes' lengths (a lost leading zero).
    let isPostalCode: Bool
    /// Named in `key.match`: never removed or written empty, whatever `on_empty` says.
    let isMatchKey: Bool
    /// Read by the dataset checks (a match key, a custom `*_attribute_N` slot, the postal code):
    /// kept when a run keeps only what the checks need.
    var checked: Bool { isMatchKey || isCustomAttributeSlot || isPostalCode }
    /// Whether `validate` may tell this attribute's length and emptiness from a CSV record's
    /// bytes (a ``ValueShortcut``): not for values the full path checks further.
    var allowsShortcut: Bool { !numeric && !isAcquisitionDate && !isYearOfBirth }

    init(
        key: String, object: InsightsSchema.Object, leaf: String, expression: Expression, onEmpty: EmptyPolicy,
        required: Bool = false, onError: ErrorPolicy = .rejectRow, numeric: Bool, line: Int, isMatchKey: Bool = false
    ) {
        self.key = key
        self.object = object
        self.leaf = leaf
        self.expression = expression
        self.onEmpty = onEmpty
        self.required = required
        self.onError = onError
        self.numeric = numeric
        self.line = line
        self.isMatchKey = isMatchKey
        memoField = expression.soleField
        personal = ValueRules.isPersonal(leaf, object)
        keyLength = key.utf16.count
        isAcquisitionDate = leaf == "acquisition_date"
        isYearOfBirth = leaf == "year_of_birth"
        isCustomAttributeSlot = leaf.contains("_attribute_")
        isIdentifier = leaf.hasSuffix("_id")
        isPostalCode = object == .customers && leaf == "zip"
    }

    /// The same attribute, marked as a match key or not.
    func marked(asMatchKey matchKey: Bool) -> MappedAttribute {
        guard matchKey != isMatchKey else { return self }
        return MappedAttribute(
            key: key, object: object, leaf: leaf, expression: expression, onEmpty: onEmpty,
            required: required, onError: onError, numeric: numeric, line: line, isMatchKey: matchKey)
    }

    /// What a run that keeps only checked values needs of a result for this attribute, when that
    /// is all there is to it: null, or text of a length that raises no problem. Nil for anything
    /// the full path has more to say about (failures, lists, numbers, dates, long text).
    func checkOutcome(of result: Result<MappedValue, TransformFailure>) -> CheckOutcome? {
        guard allowsShortcut, case .success(let value) = result else { return nil }
        switch value {
        case .null: return .null
        case .text(let text)
        where text.utf8.count <= ValueRules.maxValueLength && !LossyText.mayBeDamaged(text)
            && !(isIdentifier && ValueRules.mayBeDamagedID(text.utf8)):
            return .text(text.utf8.count)
        default: return nil
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

/// A compiled mapping file: parsed and checked once, immutable after, and shared by every thread
/// that maps records. Running it per record goes through ``bind(to:policy:)``, which gives one
/// thread its field columns and memos.
public final class Mapping: Sendable {
    public let path: String
    public let target: MappingTarget
    public let key: MappingKey
    let attributes: [MappedAttribute]
    let friendlyName: Expression?
    let skipWhen: Condition?
    /// XML fields to extract, with how repeated elements are taken.
    let takes: [String: XMLTake]
    /// Every field the expressions read, by slot (``FieldReference/slot``).
    let fieldNames: [String]
    /// For each attribute that Insights shows only with a companion (`team_name` → `team_id`):
    /// its index and the companion's index, or nil when the mapping does not produce it.
    let companions: [(name: Int, needs: Int?)]
    /// `key.match` resolved once: each key's attribute, whether it is `friendly_name` instead,
    /// and how its values are compared.
    let matchKeys: [(name: String, attribute: Int?, friendlyName: Bool, form: MappedRecord.MatchForm)]
    /// How many attributes the dataset checks read.
    let checkedAttributes: Int
    /// The lookup tables (`lookup: FILE`) the mapping read when it was compiled: inputs of a plan
    /// as much as the export is.
    public let lookupFiles: [String]
    /// Each managed key's policy (``KeyPolicy``).
    public let keyPolicies: [String: KeyPolicy]
    /// Managed keys an empty export value never removes (`remove_when_absent: false`).
    public let keptWhenAbsent: Set<String>
    /// Lines of the mapping file where `skip_when` and `friendly_name` name their fields, for
    /// messages about fields the export lacks.
    let fieldLines: [String: Int]

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
    /// The attribute keys the mapping manages (`team_id`, `customers.name`).
    public var managedKeys: [String] { attributes.map(\.key) }

    /// Every source field the mapping reads.
    public var sourceFields: [String] {
        var seen = Set<String>()
        var fields: [String] = []
        for field in attributes.flatMap(\.expression.fields) + (friendlyName?.fields ?? [])
            + (skipWhen.map { [$0.field.name] } ?? [])
        where seen.insert(field).inserted { fields.append(field) }
        return fields
    }

    /// The source fields an attribute reads (its expression's, in order): what a problem named
    /// by the attribute came from. Empty for a key the mapping does not manage.
    public func sourceFields(of key: String) -> [String] {
        var seen = Set<String>()
        return (attributes.first { $0.key == key }?.expression.fields ?? []).filter { seen.insert($0).inserted }
    }

    /// How a source field is taken from XML (first, list, count).
    public func take(of field: String) -> XMLTake { takes[field] ?? .first }

    /// What the compiler made of a mapping file, beyond its attributes and expressions.
    struct Extras {
        var fieldNames: [String] = []
        var lookupFiles: [String] = []
        var keyPolicies: [String: KeyPolicy] = [:]
        var keptWhenAbsent: Set<String> = []
        var fieldLines: [String: Int] = [:]
    }

    init(
        path: String, target: MappingTarget, key: MappingKey, attributes: [MappedAttribute], friendlyName: Expression?,
        skipWhen: Condition?, takes: [String: XMLTake], extras: Extras
    ) {
        self.path = path
        self.target = target
        self.key = key
        self.friendlyName = friendlyName
        self.skipWhen = skipWhen
        self.takes = takes
        let attributes = attributes.map { $0.marked(asMatchKey: key.match.contains($0.key)) }
        self.attributes = attributes
        fieldNames = extras.fieldNames
        lookupFiles = extras.lookupFiles
        keyPolicies = extras.keyPolicies
        keptWhenAbsent = extras.keptWhenAbsent
        fieldLines = extras.fieldLines
        var companions: [(name: Int, needs: Int?)] = []
        for (index, attribute) in attributes.enumerated() {
            guard
                let pair = InsightsSchema.requiredCompanions[attribute.object]?.first(where: {
                    $0.key == attribute.leaf
                })
            else { continue }
            let needs = attributes.firstIndex { $0.object == attribute.object && $0.leaf == pair.needs }
            companions.append((index, needs))
        }
        self.companions = companions
        checkedAttributes = attributes.filter(\.checked).count
        matchKeys = key.match.map { name in
            (name, attributes.firstIndex { $0.key == name }, name == "friendly_name", MappedRecord.matchForm(name))
        }
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
