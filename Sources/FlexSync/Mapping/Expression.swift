import Foundation

/// How a record's value becomes one attribute: a field, a constant, a template, a choice among
/// several, a hierarchy, a condition — each optionally followed by transforms.
indirect enum Expression: Sendable {
    case field(FieldReference)
    case constant(String)
    case template([TemplatePart])
    case coalesce([Expression])
    case hierarchy([Expression])
    case conditional(Condition, then: Expression, otherwise: Expression?)
    case piped(Expression, [Transform])

    enum TemplatePart: Sendable {
        case literal(String)
        case field(FieldReference)
    }

    func evaluate(_ record: Record, _ context: EvaluationContext) throws -> MappedValue {
        switch self {
        case .field(let name):
            return context.read(record, name)
        case .constant(let text):
            return .text(text)
        case .template(let parts):
            var out = ""
            var anyValue = false
            for part in parts {
                switch part {
                case .literal(let text): out += text
                case .field(let name):
                    if let text = context.read(record, name).text {
                        out += text
                        anyValue = true
                    }
                }
            }
            let collapsed = Transform.collapsed(out)
            return anyValue && !collapsed.isEmpty ? .text(collapsed) : .null
        case .coalesce(let options):
            for option in options {
                let value = try option.evaluate(record, context)
                if !value.isNull { return value }
            }
            return .null
        case .hierarchy(let levels):
            let parts = try levels.compactMap { try $0.evaluate(record, context).text }
            return parts.isEmpty ? .null : .text(parts.joined(separator: Transform.hierarchySeparator))
        case .conditional(let condition, let then, let otherwise):
            if condition.holds(record, context) { return try then.evaluate(record, context) }
            return try otherwise?.evaluate(record, context) ?? .null
        case .piped(let inner, let transforms):
            var value = try inner.evaluate(record, context)
            for transform in transforms { value = try transform.apply(value, record: record) }
            return value
        }
    }

    /// The one field this expression's value depends on, when nothing else (another field, the
    /// record's other columns) can change what a given text of it maps to.
    var soleField: FieldReference? {
        switch self {
        case .field(let reference): reference
        case .piped(let inner, let transforms):
            transforms.allSatisfy(\.dependsOnValueAlone) ? inner.soleField : nil
        default: nil
        }
    }

    /// Whether a transform of this pipeline is costly (see ``Transform/isCostly``).
    var isCostly: Bool {
        guard case .piped(let inner, let transforms) = self else { return false }
        return transforms.contains(where: \.isCostly) || inner.isCostly
    }

    /// Every source field this expression reads.
    var fields: [String] {
        switch self {
        case .field(let reference): [reference.name]
        case .constant: []
        case .template(let parts):
            parts.compactMap { if case .field(let reference) = $0 { reference.name } else { nil } }
        case .coalesce(let options), .hierarchy(let options): options.flatMap(\.fields)
        case .conditional(let condition, let then, let otherwise):
            [condition.field.name] + then.fields + (otherwise?.fields ?? [])
        // A phone's country column is read too: it must exist, and XML extracts it.
        case .piped(let inner, let transforms):
            inner.fields + transforms.compactMap { if case .phone(let rule) = $0 { rule.countryField } else { nil } }
        }
    }
}

/// `when`: a field matches a regular expression, equals one of some values, or is empty.
/// A class, so that `skip_when`, asked of every record, is called without copying its field
/// reference and test each time.
final class Condition: Sendable {
    enum Test: Sendable {
        case matches(NSRegularExpression)
        case equals(Set<String>)
        case isEmpty
    }

    let field: FieldReference
    let test: Test
    let negated: Bool
    /// For `equals`: the values in NFC as UTF-8, which a CSV value's bytes are compared with.
    private let equalBytes: [[UInt8]]

    init(field: FieldReference, test: Test, negated: Bool) {
        self.field = field
        self.test = test
        self.negated = negated
        if case .equals(let values) = test {
            equalBytes = values.map { Array($0.precomposedStringWithCanonicalMapping.utf8) }
        } else {
            equalBytes = []
        }
    }

    /// For messages: `field 'IsDeleted' equals [true]`.
    var summary: String {
        let test: String
        switch self.test {
        case .matches(let regex): test = "matches /\(regex.pattern)/"
        case .equals(let values): test = "equals [\(values.sorted().joined(separator: ", "))]"
        case .isEmpty: test = "is empty"
        }
        return "field '\(field.name)' \(negated ? "not " : "")\(test)"
    }

    func holds(_ record: Record, _ context: EvaluationContext) -> Bool {
        if !equalBytes.isEmpty,
            case .some(.some(let equal)) = context.withPlainBytes(of: field, in: record, { equals($0, context) })
        {
            return equal != negated
        }
        let value = context.read(record, field).text
        let result: Bool
        switch test {
        case .isEmpty: result = value == nil
        case .equals(let values): result = value.map { values.contains($0) } ?? false
        case .matches(let regex):
            guard let value else {
                result = false
                break
            }
            result = regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
        return result != negated
    }

    /// `equals` on a CSV value's bytes, as the value's text and the set of values would answer
    /// it (two texts in NFC are equal exactly when their bytes are); nil where only the text can
    /// say (see ``EvaluationContext/read(bytes:)``).
    private func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ context: EvaluationContext) -> Bool? {
        guard let read = context.read(bytes: bytes) else { return nil }
        guard let text = read else { return false }
        return equalBytes.contains { $0.elementsEqual(text) }
    }
}

/// What every expression evaluated against one source shares: the run's null tokens, and where
/// each field the mapping reads sits in the source's schema (made by ``Mapping/bind(to:policy:)``).
struct EvaluationContext: Sendable {
    let nullTokens: Set<String>
    /// The null tokens other than "", NFC, as UTF-8, for ``read(bytes:)``.
    let nullTokenBytes: [[UInt8]]
    /// The schema's column of each of the mapping's field slots; -1 where the schema lacks the field.
    let columns: [Int]

    init(nullTokens: Set<String>, columns: [Int]) {
        self.nullTokens = nullTokens
        self.columns = columns
        nullTokenBytes = nullTokens.filter { !$0.isEmpty }.map { Array($0.precomposedStringWithCanonicalMapping.utf8) }
    }

    /// The same context for another schema's columns.
    func with(columns: [Int]) -> EvaluationContext { EvaluationContext(nullTokens: nullTokens, columns: columns) }

    /// A field's column in the bound schema, -1 when the schema lacks it.
    @inline(__always)
    func column(of field: FieldReference) -> Int { columns[field.slot] }

    /// A field's raw value in `record`, nil when absent.
    @inline(__always)
    func value(of field: FieldReference, in record: Record) -> FieldValue? { record.value(atColumn: column(of: field)) }

    /// Runs `body` on a field's bytes when they can be had without building a string (see
    /// ``Record/withPlainBytes(atColumn:_:)``).
    @inline(__always)
    func withPlainBytes<R>(of field: FieldReference, in record: Record, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R?
    {
        record.withPlainBytes(atColumn: column(of: field), body)
    }

    /// A field's value, NFC-normalised, trimmed of nothing, with null tokens, spaces and tabs
    /// alone, and absences as null.
    func read(_ record: Record, _ name: FieldReference) -> MappedValue {
        switch value(of: name, in: record) {
        case nil: return .null
        case .text(let text)?:
            let normalized = EvaluationContext.nfc(text)
            return isNull(normalized) ? .null : .text(normalized)
        case .list(let items)?:
            let kept = items.map(EvaluationContext.nfc).filter { !isNull($0) }
            return kept.isEmpty ? .null : .list(kept)
        }
    }

    /// A field's bytes as ``read(_:_:)`` would read them, for checks that need no string: nil
    /// to give up (bytes NFC might change, a possible null token with more than spaces and tabs
    /// around it), `.some(nil)` for null, or the bytes, which are then the value's text in NFC.
    func read(bytes: UnsafeBufferPointer<UInt8>) -> Slice<UnsafeBufferPointer<UInt8>>?? {
        // Bytes from 0xCC up may be text that NFC changes (and that compares equal to other bytes).
        if !CSVScanner.isASCII(bytes) && bytes.contains(where: { $0 >= 0xCC }) { return nil }
        let all = bytes[...]
        if all.isEmpty { return .some(nil) }
        // Spaces and tabs alone are an empty cell (a blank-padded `char(2)` column).
        if all.first == 0x20 || all.first == 0x09, all.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .some(nil) }
        guard !nullTokenBytes.isEmpty else { return .some(all) }
        if nullTokenBytes.contains(where: { $0.elementsEqual(all) }) { return .some(nil) }
        guard all.first == 0x20 || all.first == 0x09 || all.last == 0x20 || all.last == 0x09 else { return .some(all) }
        // A token with spaces or tabs around it: beyond ASCII at the new ends, give up.
        var trimmed = all
        while let first = trimmed.first, first == 0x20 || first == 0x09 { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
        if let first = trimmed.first, let last = trimmed.last, first >= 0x80 || last >= 0x80 { return nil }
        // "" is always a token, and so are spaces and tabs alone (above).
        return trimmed.isEmpty || nullTokenBytes.contains(where: { $0.elementsEqual(trimmed) })
            ? .some(nil) : .some(all)
    }

    func isNull(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        if first == 0x20 || first == 0x09, text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
        // No-break and ideographic spaces (first bytes C2, E2, E3) count as spaces alone and around
        // a token, as they do around an id (``String/trimmingSpaces``). Only the first byte is
        // looked at for most values: this runs for every value the byte checks leave.
        if nullTokens.count <= 1 {  // only "" (always there)
            return (first == 0xC2 || first == 0xE2 || first == 0xE3) && text.trimmingSpaces.isEmpty
        }
        if nullTokens.contains(text) { return true }
        guard let last = text.utf8.last,
            first == 0x20 || first == 0x09 || first == 0xC2 || first == 0xE2 || first == 0xE3 || last == 0x20
                || last == 0x09 || last == 0xA0 || last == 0xA7 || last == 0xAF || last == 0x80
        else { return false }
        return nullTokens.contains(text.trimmingSpaces)
    }

    /// Unicode NFC. Text whose scalars all lie below U+0300 (ASCII, Latin-1 and the Latin
    /// Extended blocks: no combining marks, nothing that composes) is NFC already and is returned
    /// as it is; only the rest goes through Foundation's normalisation.
    static func nfc(_ text: String) -> String {
        // 0xCC is the first lead byte of U+0300.
        let simple =
            text.utf8.withContiguousStorageIfAvailable { bytes in !bytes.contains { $0 >= 0xCC } }
            ?? !text.utf8.contains { $0 >= 0xCC }
        return simple ? text : text.precomposedStringWithCanonicalMapping
    }
}
