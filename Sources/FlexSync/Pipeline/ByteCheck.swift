/// What `validate` needs of a value that nobody reads afterwards — whether it is empty, and its
/// length — worked out on a CSV record's bytes for the common shapes of attribute, without
/// building the strings, the values between transforms, or the JSON value.
///
/// Every shape gives up (nil) where the full evaluation could say something else: doubled quotes,
/// text that NFC might change, white space beyond ASCII at the ends, values longer than Insights
/// allows, anything a transform would reject. The full evaluation then runs, so problems and
/// their messages are always its own.
///
/// A class whose parts are plain values (field slots, literal bytes): an attribute's check runs
/// for every record, and copying an enum with reference payloads out of it counted references to
/// each of them every time. Each ``BoundMapping`` makes its own, so no two threads count
/// references on one.
final class ByteCheck: ValueShortcut, Sendable {
    enum Shape {
        /// `field`, optionally `[trim]`.
        case text(FieldReference, trim: Bool)
        /// `field` with `[email]`.
        case email(FieldReference)
        /// `field` with `[{ phone: { default_country: … } }]`, or `country_field: …`.
        case phone(FieldReference, PhoneRule)
        /// `template`, optionally `[collapse_whitespace]`: collapsed either way.
        case template([Expression.TemplatePart])
    }

    private enum Kind { case text, trimmed, email, phone, template }

    /// A template part: literal bytes (`literal` in ``literals``), or a field's slot (-1 for a literal).
    private struct Part {
        var literal: Range<Int>
        var slot: Int
    }

    private let kind: Kind
    /// The field slot of every shape but the template (-1 for the template).
    private let slot: Int
    private let rule: PhoneRule?
    private let parts: [Part]
    private let literals: [UInt8]
    /// The attribute is an identifier: zeros alone or Excel's `1.00235E+11`, which the full
    /// evaluation refuses there, are left to it (a template's pieces are not looked at: it gives up).
    private let identifier: Bool

    private init(_ shape: Shape, identifier: Bool) {
        self.identifier = identifier
        var parts: [Part] = []
        var literals: [UInt8] = []
        var slot = -1
        var rule: PhoneRule?
        switch shape {
        case .text(let field, let trim):
            kind = trim ? .trimmed : .text
            slot = field.slot
        case .email(let field):
            kind = .email
            slot = field.slot
        case .phone(let field, let phoneRule):
            kind = .phone
            slot = field.slot
            rule = phoneRule
        case .template(let templateParts):
            kind = .template
            for part in templateParts {
                switch part {
                case .literal(let text):
                    parts.append(Part(literal: literals.count..<literals.count + text.utf8.count, slot: -1))
                    literals += text.utf8
                case .field(let field):
                    parts.append(Part(literal: 0..<0, slot: field.slot))
                }
            }
        }
        self.slot = slot
        self.rule = rule
        self.parts = parts
        self.literals = literals
    }

    typealias Outcome = CheckOutcome

    /// The check for an expression of one of the shapes, or nil.
    static func make(for expression: Expression, identifier: Bool = false) -> ByteCheck? {
        shape(of: expression).map { ByteCheck($0, identifier: identifier) }
    }

    /// The shortcut a checks-only binding uses for an attribute (``Mapping/bind(to:policy:shortcuts:)``).
    static func shortcut(for attribute: MappedAttribute) -> (any ValueShortcut)? {
        make(for: attribute.expression, identifier: attribute.isIdentifier)
    }

    private static func shape(of expression: Expression) -> Shape? {
        switch expression {
        case .field(let field): return .text(field, trim: false)
        case .template(let parts): return .template(parts)
        case .piped(.field(let field), let transforms) where transforms.count == 1:
            switch transforms[0] {
            case .trim: return .text(field, trim: true)
            case .email: return .email(field)
            case .phone(let rule): return .phone(field, rule)
            default: return nil
            }
        case .piped(.template(let parts), let transforms) where transforms.count == 1:
            if case .collapseWhitespace = transforms[0] { return .template(parts) }
            return nil
        default: return nil
        }
    }

    /// What the attribute's value is for this record, or nil when only the full evaluation can say.
    func outcome(_ record: Record, _ context: EvaluationContext) -> Outcome? {
        guard kind != .template else { return identifier ? nil : collapsedTemplate(record, context) }
        let kind = kind
        return record.withPlainBytes(atColumn: context.columns[slot]) { bytes -> Outcome? in
            guard let read = context.read(bytes: bytes) else { return nil }
            guard case .some(let text) = read else { return .null }
            // Possibly lossy text: the full evaluation names the damage.
            if LossyText.mayBeDamaged(text) { return nil }
            switch kind {
            case .text: return identifier && ValueRules.mayBeDamagedID(text) ? nil : Self.text(text.count)
            case .trimmed:
                guard let kept = Self.trimmedASCII(text) else { return nil }
                if identifier && ValueRules.mayBeDamagedID(kept) { return nil }
                return kept.isEmpty ? .null : Self.text(kept.count)
            case .email:
                // Lower case keeps the length of the letters it lowers on bytes; other text goes the long way.
                guard let address = Self.trimmedASCII(text), Transform.lowercaseKeepsLength(address),
                    Transform.isEmailAddress(UnsafeBufferPointer(rebasing: address)),
                    !EmailRules.hasMisspeltTLD(UnsafeBufferPointer(rebasing: address)),
                    !EmailRules.mayBePlaceholder(UnsafeBufferPointer(rebasing: address))
                else { return nil }
                return Self.text(address.count)
            case .phone:
                // The rule's own reading of the bytes, as the full evaluation makes it.
                // The region as the full evaluation finds it: the default, or the country column's.
                guard let rule, let region = rule.knownRegion(of: record) else { return nil }
                let reading = rule.read(UnsafeBufferPointer(rebasing: text), region: region)
                guard case .success(let number) = reading else { return nil }
                return Self.text(number.formatted.utf8.count)
            case .template: return nil
            }
        } ?? nil
    }

    private static func text(_ count: Int) -> Outcome? {
        count > ValueRules.maxValueLength ? nil : .text(count)
    }

    /// `Transform.trimmed` where it works on bytes: nil when an end is not ASCII.
    private static func trimmedASCII(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>>? {
        guard let first = text.first, let last = text.last else { return text }
        if first >= 0x80 || last >= 0x80 { return nil }
        var trimmed = text
        while let byte = trimmed.first, Transform.isASCIISpace(byte) { trimmed = trimmed.dropFirst() }
        while let byte = trimmed.last, Transform.isASCIISpace(byte) { trimmed = trimmed.dropLast() }
        if let first = trimmed.first, let last = trimmed.last, first >= 0x80 || last >= 0x80 { return nil }
        return trimmed
    }

    /// A template's collapsed length: literals and fields one after another, runs of white space
    /// one space, none at the ends; null when no field has a value or nothing is left.
    private func collapsedTemplate(_ record: Record, _ context: EvaluationContext) -> Outcome? {
        var collapsed = CollapsedLength()
        var anyValue = false
        for part in parts {
            guard part.slot >= 0 else {
                literals.withUnsafeBufferPointer { collapsed.add(UnsafeBufferPointer(rebasing: $0[part.literal])) }
                continue
            }
            // The totals are a struct updated in place: a nested function that captured them had
            // every update checked for exclusive access at run time.
            let done: Bool? = record.withPlainBytes(atColumn: context.columns[part.slot]) { bytes -> Bool in
                guard let read = context.read(bytes: bytes) else { return false }
                if let text = read {
                    if LossyText.mayBeDamaged(text) { return false }
                    anyValue = true
                    collapsed.add(UnsafeBufferPointer(rebasing: text))
                }
                return true
            }
            guard done == true else { return nil }
        }
        return anyValue && collapsed.length > 0 ? Self.text(collapsed.length) : .null
    }
}

/// The length of text with runs of white space made one space and none at the ends, added up
/// piece by piece.
private struct CollapsedLength {
    var length = 0
    var pendingSpace = false

    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        while index < bytes.count {
            let width = Transform.whiteSpaceWidth(bytes, at: index)
            if width > 0 {
                pendingSpace = length > 0
                index += width
                continue
            }
            if pendingSpace {
                length += 1
                pendingSpace = false
            }
            length += 1
            index += 1
        }
    }
}
