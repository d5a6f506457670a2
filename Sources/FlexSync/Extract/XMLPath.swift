/// How a namespace prefix of a job matches a file's namespace URIs: exactly, or by URI prefix
/// (Workday RaaS names each report's namespace `urn:com.workday.report/<ReportName>`).
public enum NamespaceMatch: Sendable, Equatable {
    case exact(String)
    case prefix(String)

    /// Parses a job's namespace value: a trailing `*` makes it a prefix match.
    public init(declaration: String) {
        if declaration.hasSuffix("*") {
            self = .prefix(String(declaration.dropLast()))
        } else {
            self = .exact(declaration)
        }
    }

    func matches(_ uri: String) -> Bool {
        switch self {
        case .exact(let expected): uri == expected
        case .prefix(let prefix): uri.hasPrefix(prefix)
        }
    }
}

/// A qualified name in a path: a local name and, when prefixed, the namespace rule of its prefix.
/// An unprefixed name matches only nodes in no namespace, as in XPath, unless the job binds a
/// default namespace to `""` for element names.
struct XMLName: Sendable, Equatable {
    var namespace: NamespaceMatch? {
        didSet { namespaceBytes = namespace.map { XMLName.bytes(of: $0) } }
    }
    var local: String {
        didSet { localBytes = Array(local.utf8) + [0] }
    }
    /// The local name, NUL-terminated, and the namespace URI (or prefix) as bytes, so names from
    /// libxml2 compare without becoming Swift strings.
    private(set) var localBytes: [UInt8]
    private(set) var namespaceBytes: [UInt8]?

    init(namespace: NamespaceMatch?, local: String) {
        self.namespace = namespace
        self.local = local
        localBytes = Array(local.utf8) + [0]
        namespaceBytes = namespace.map { XMLName.bytes(of: $0) }
    }

    private static func bytes(of match: NamespaceMatch) -> [UInt8] {
        switch match {
        case .exact(let uri): Array(uri.utf8) + [0]
        case .prefix(let prefix): Array(prefix.utf8)
        }
    }

    /// Compares against a NUL-terminated local name and namespace URI as libxml2 holds them.
    func matches(cLocal: UnsafePointer<UInt8>, cNamespace: UnsafePointer<UInt8>?) -> Bool {
        guard localBytes.withUnsafeBufferPointer({ strcmp(cLocal, $0.baseAddress!) == 0 }) else { return false }
        guard let namespaceBytes else { return cNamespace == nil || cNamespace!.pointee == 0 }
        guard let cNamespace else { return false }
        return namespaceBytes.withUnsafeBufferPointer { expected in
            if case .prefix = namespace { return strncmp(cNamespace, expected.baseAddress!, expected.count) == 0 }
            return strcmp(cNamespace, expected.baseAddress!) == 0
        }
    }

    private func strcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Int32 {
        var index = 0
        while true {
            let x = a[index]
            let y = b[index]
            if x != y { return Int32(x) - Int32(y) }
            if x == 0 { return 0 }
            index += 1
        }
    }

    private func strncmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        for index in 0..<count {
            let x = a[index]
            let y = b[index]
            if x != y || x == 0 { return Int32(x) - Int32(y) }
        }
        return 0
    }

    func matches(local candidate: String, namespaceURI: String?) -> Bool {
        guard candidate == local else { return false }
        switch (namespace, namespaceURI) {
        case (nil, nil): return true
        case (nil, .some(let uri)): return uri.isEmpty
        case (.some, nil): return false
        case (.some(let rule), .some(let uri)): return rule.matches(uri)
        }
    }
}

/// A path relative to a record element, or the absolute path of the record element itself:
/// `wd:Employee_ID`, `wd:Supervisory_Organization/@wd:Descriptor`,
/// `wd:ID[@wd:type='Employee_ID']`, `field[@id='department']`, and alternatives of one attribute:
/// `wd:ID[@wd:type='Employee_ID' or @wd:type='Contingent_Worker_ID']`.
public struct XMLPath: Sendable, Equatable {
    struct Predicate: Sendable, Equatable {
        var attribute: XMLName
        /// The attribute equals one of these.
        var values: [String]
    }

    struct Step: Sendable, Equatable {
        var name: XMLName
        var isAttribute: Bool
        var predicates: [Predicate]
    }

    let text: String
    let steps: [Step]
    let isAbsolute: Bool

    /// Compiles a path; prefixes must be among `namespaces`.
    public init(_ text: String, namespaces: [String: NamespaceMatch]) throws {
        self.text = text
        var rest = Substring(text.trimmingSpaces)
        isAbsolute = rest.hasPrefix("/")
        if isAbsolute { rest.removeFirst() }
        guard !rest.isEmpty else { throw ExtractError.invalidPath(path: text, reason: "the path is empty") }
        var steps: [Step] = []
        for (index, rawStep) in XMLPath.splitSteps(rest).enumerated() {
            var stepText = Substring(rawStep)
            let isAttribute = stepText.hasPrefix("@")
            if isAttribute { stepText.removeFirst() }
            var predicates: [Predicate] = []
            var nameText = stepText
            if let open = stepText.firstIndex(of: "[") {
                nameText = stepText[..<open]
                var predicateText = stepText[open...]
                while !predicateText.isEmpty {
                    guard predicateText.hasPrefix("["), let close = predicateText.firstIndex(of: "]") else {
                        throw ExtractError.invalidPath(
                            path: text, reason: "expected '[@name=\\'value\\']' in step \(index + 1)")
                    }
                    let body = predicateText[predicateText.index(after: predicateText.startIndex)..<close]
                    predicates.append(try XMLPath.predicate(body, path: text, namespaces: namespaces))
                    predicateText = predicateText[predicateText.index(after: close)...]
                }
            }
            if isAttribute && !predicates.isEmpty {
                throw ExtractError.invalidPath(path: text, reason: "an attribute step cannot have predicates")
            }
            steps.append(
                Step(
                    name: try XMLPath.name(nameText, path: text, namespaces: namespaces, element: !isAttribute),
                    isAttribute: isAttribute, predicates: predicates))
        }
        if let attribute = steps.dropLast().first(where: \.isAttribute) {
            throw ExtractError.invalidPath(path: text, reason: "'@\(attribute.name.local)' must be the last step")
        }
        self.steps = steps
    }

    /// Splits on `/` outside predicates' quotes.
    private static func splitSteps(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "/" {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }

    private static func predicate(_ body: Substring, path: String, namespaces: [String: NamespaceMatch]) throws
        -> Predicate
    {
        let alternatives = body.components(separatedBy: " or ")
        guard alternatives.count > 1 else { return try comparison(body, path: path, namespaces: namespaces) }
        let parts = try alternatives.map {
            try comparison(Substring($0.trimmingCharacters(in: " ")), path: path, namespaces: namespaces)
        }
        guard parts.allSatisfy({ $0.attribute == parts[0].attribute }) else {
            throw ExtractError.invalidPath(path: path, reason: "alternatives joined by 'or' must test one attribute")
        }
        return Predicate(attribute: parts[0].attribute, values: parts.flatMap(\.values))
    }

    private static func comparison(
        _ body: Substring, path: String,
        namespaces: [String: NamespaceMatch]
    ) throws -> Predicate {
        guard body.hasPrefix("@"), let equals = body.firstIndex(of: "=") else {
            throw ExtractError.invalidPath(
                path: path, reason: "only predicates of the form [@name='value'] are supported")
        }
        let name = try XMLPath.name(
            body[body.index(after: body.startIndex)..<equals], path: path, namespaces: namespaces, element: false)
        var value = body[body.index(after: equals)...].trimmingCharacters(in: " ")
        guard value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first else {
            throw ExtractError.invalidPath(path: path, reason: "predicate values must be quoted")
        }
        value = String(value.dropFirst().dropLast())
        return Predicate(attribute: name, values: [value])
    }

    /// A step's name. An unprefixed element name is in the namespace the job binds to `""` (a
    /// file's default namespace: Atom and OData feeds put every element in one), else in none;
    /// an unprefixed attribute is in none, as XML says.
    private static func name(_ text: Substring, path: String, namespaces: [String: NamespaceMatch], element: Bool)
        throws -> XMLName
    {
        let trimmed = text.trimmingCharacters(in: " ")
        guard !trimmed.isEmpty, !trimmed.contains(where: { " []=@'\"".contains($0) }) else {
            throw ExtractError.invalidPath(path: path, reason: "'\(trimmed)' is not a name")
        }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return XMLName(namespace: element ? namespaces[""] : nil, local: trimmed)
        case 2:
            guard let rule = namespaces[String(parts[0])] else {
                throw ExtractError.invalidPath(
                    path: path, reason: "namespace prefix '\(parts[0])' is not declared by the job")
            }
            return XMLName(namespace: rule, local: String(parts[1]))
        default:
            throw ExtractError.invalidPath(path: path, reason: "'\(trimmed)' is not a name")
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var view = self
        while let first = view.first, set.contains(first) { view.removeFirst() }
        while let last = view.last, set.contains(last) { view.removeLast() }
        return String(view)
    }
}

/// How a repeated element is taken.
public enum XMLTake: String, Sendable, CaseIterable {
    /// The first match (null when none).
    case first
    /// Every match, for a mapping to join.
    case list
    /// How many matches, as text.
    case count
}

/// One value to extract from each record element.
public struct XMLField: Sendable {
    public var name: String
    public var path: XMLPath
    public var take: XMLTake

    public init(name: String, path: XMLPath, take: XMLTake = .first) {
        self.name = name
        self.path = path
        self.take = take
    }
}
