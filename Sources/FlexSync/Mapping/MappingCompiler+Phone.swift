import Yams

/// The `phone` transform's options, and the attributes its `keep_extension_in` adds.
extension MappingCompiler {
    static let phoneOptions = ["default_country", "country", "country_field", "require", "keep_extension_in", "output"]

    /// `{ phone: { default_country: GB, country_field: Country, require: valid, output: e164,
    /// keep_extension_in: agent_attribute_2 } }`; `country` is the older name of `default_country`.
    func phoneRule(_ value: Node, context: String) throws -> PhoneRule {
        let members = try file.members(value, allowed: Self.phoneOptions, context: context)
        if members["country"] != nil, members["default_country"] != nil {
            throw file.error(
                members["country"],
                "\(context): 'country' is another name for 'default_country'; give one")
        }
        var rule = PhoneRule()
        if let node = members["default_country"] ?? members["country"] {
            let name = try file.string(node, context: context)
            guard let region = CountryNames.region(for: name) else {
                throw file.error(node, "\(context): unknown country '\(name)' (use an ISO code such as US, GB, DE)")
            }
            rule.defaultCountry = region
        }
        rule.countryField = try members["country_field"].map {
            try file.string($0, context: "\(context).country_field")
        }
        if let node = members["require"] { rule.requirement = try file.choice(node, context: "\(context).require") }
        if let node = members["output"] { rule.output = try file.choice(node, context: "\(context).output") }
        rule.extensionAttribute = try members["keep_extension_in"].map {
            try file.string($0, context: "\(context).keep_extension_in")
        }
        return rule
    }

    /// One attribute for each phone transform with `keep_extension_in`: the same field and the
    /// transforms before it, ending in the number's extension instead of the number.
    mutating func extensionAttributes(
        of attributes: [(MappedAttribute, Node)], target: MappingTarget,
        matchKeys: [String]
    ) throws -> [MappedAttribute] {
        var added: [MappedAttribute] = []
        for (attribute, keyNode) in attributes {
            var own: [PhoneRule] = []
            if case .piped(let inner, let transforms) = attribute.expression {
                for (index, transform) in transforms.enumerated() {
                    guard case .phone(let rule) = transform, let name = rule.extensionAttribute else { continue }
                    own.append(rule)
                    let context = "'\(attribute.key)': keep_extension_in"
                    if attributes.contains(where: { $0.0.key == name }) || added.contains(where: { $0.key == name }) {
                        throw file.error(keyNode, "\(context): '\(name)' is mapped already")
                    }
                    let (object, leaf) = try placement(of: name, keyNode: keyNode, target: target)
                    guard InsightsSchema.kind(of: leaf, in: object) != .numeric else {
                        throw file.error(
                            keyNode,
                            "\(context): '\(name)' holds numbers; an extension goes in a text attribute")
                    }
                    let expression = Expression.piped(inner, Array(transforms[..<index]) + [.phoneExtension(rule)])
                    added.append(
                        MappedAttribute(
                            key: name, object: object, leaf: leaf, expression: expression,
                            onEmpty: attribute.onEmpty, numeric: false, line: attribute.line))
                }
            }
            let rules = Self.phoneRules(in: attribute.expression)
            if rules.filter({ $0.extensionAttribute != nil }).count != own.count {
                throw file.error(
                    keyNode,
                    "'\(attribute.key)': keep_extension_in works in an attribute's own transforms")
            }
            if matchKeys.contains(attribute.key), rules.contains(where: { $0.output == .national }) {
                throw file.error(
                    keyNode,
                    "'\(attribute.key)' is a match key: its phone numbers must be written "
                        + "e164 or international, the forms a caller's number is compared in")
            }
        }
        return added
    }

    /// Every phone rule anywhere in an expression.
    static func phoneRules(in expression: Expression) -> [PhoneRule] {
        switch expression {
        case .field, .constant, .template: return []
        case .coalesce(let parts), .hierarchy(let parts): return parts.flatMap(phoneRules)
        case .conditional(_, let then, let otherwise): return phoneRules(in: then) + (otherwise.map(phoneRules) ?? [])
        case .piped(let inner, let transforms):
            return phoneRules(in: inner) + transforms.compactMap { if case .phone(let rule) = $0 { rule } else { nil } }
        }
    }
}
