/// A path relative to a record element, or the absolute path of the record element itself:
/// `wd:Employee_ID`, `wd:Supervisory_Organization/@wd:Descriptor`,
/// `wd:ID[@wd:type='Employee_ID']`, `field[@id='department']`, alternatives joined by `or`:
/// `wd:ID[@wd:type='Employee_ID' or @wd:type='Contingent_Worker_ID']`, and a child element's
/// text, through a path of its own with predicates of its own (Workday Web Services tells a work
/// e-mail from a home one only there):
/// `wd:Email_Address_Data[wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='WORK']/wd:Email_Address`.
public struct XMLPath: Sendable, Equatable {
    /// A test on an element: one of its comparisons holds.
    struct Predicate: Sendable, Equatable {
        var alternatives: [Comparison]
    }

    /// `path='value'`: a node the relative path selects from the element (an attribute, or a
    /// descendant element's text) equals one of `values`.
    struct Comparison: Sendable, Equatable {
        var steps: [Step]
        var values: [String]

        /// The attribute tested, when the path is that one attribute (read without building a node list).
        var attribute: XMLName? { steps.count == 1 && steps[0].isAttribute ? steps[0].name : nil }
    }

    struct Step: Sendable, Equatable {
        var name: XMLName
        var isAttribute: Bool
        var predicates: [Predicate]
        /// `value[3]`: the third of the elements the name and predicates select (from 1), as
        /// XPath counts; a Cognos report's `<row>` holds its columns as unnamed `<value>`s.
        var position: Int? = nil
    }

    let text: String
    let steps: [Step]
    let isAbsolute: Bool

    /// Compiles a path; prefixes must be among `namespaces`.
    public init(_ text: String, namespaces: [String: NamespaceMatch]) throws {
        self.text = text
        var parser = PathParser(text: text, namespaces: namespaces)
        parser.skipSpaces()
        isAbsolute = parser.take("/")
        guard !parser.atEnd else { throw ExtractError.invalidPath(path: text, reason: "the path is empty") }
        steps = try parser.steps(inPredicate: false)
        parser.skipSpaces()
        if !parser.atEnd { throw parser.failure("unexpected '\(parser.rest)'") }
        if isAbsolute && steps.contains(where: { $0.position != nil }) {
            throw parser.failure("a record path names every record: select by position in a field's path instead")
        }
    }
}

/// Reads a path's text into steps, predicates and comparisons, one character at a time, so that
/// brackets, quotes and `or` count only where they stand outside quotes.
private struct PathParser {
    let text: String
    let namespaces: [String: NamespaceMatch]
    private let characters: [Character]
    private var index = 0

    init(text: String, namespaces: [String: NamespaceMatch]) {
        self.text = text
        self.namespaces = namespaces
        characters = Array(text)
    }

    var atEnd: Bool { index >= characters.count }
    var rest: String { String(characters[index...]) }
    private var next: Character? { atEnd ? nil : characters[index] }

    func failure(_ reason: String) -> ExtractError { ExtractError.invalidPath(path: text, reason: reason) }

    mutating func skipSpaces() {
        while next == " " { index += 1 }
    }

    mutating func take(_ character: Character) -> Bool {
        guard next == character else { return false }
        index += 1
        return true
    }

    /// Steps separated by `/`, up to the end, or inside a predicate up to `=`, `]` or a space.
    mutating func steps(inPredicate: Bool) throws -> [XMLPath.Step] {
        var steps: [XMLPath.Step] = []
        repeat {
            let isAttribute = take("@")
            let start = index
            while let character = next, !"/[]=@'\" ".contains(character) { index += 1 }
            let nameText = String(characters[start..<index])
            if nameText.isEmpty {
                throw failure(atEnd ? "a step has no name" : "'\(rest)' does not start with a name")
            }
            if let first = nameText.first, first.isNumber {
                throw failure("'\(nameText)' is not an element's name")
            }
            var predicates: [XMLPath.Predicate] = []
            var position: Int?
            while take("[") {
                if position != nil { throw failure("a position comes last among the tests of '\(nameText)'") }
                skipSpaces()
                if let digit = next, digit.isNumber {
                    position = try self.position(of: nameText)
                } else {
                    predicates.append(try predicate())
                }
                skipSpaces()
                guard take("]") else { throw failure("expected ']' after the predicate of '\(nameText)'") }
            }
            if isAttribute && (!predicates.isEmpty || position != nil) {
                throw failure("an attribute step cannot have predicates")
            }
            steps.append(
                XMLPath.Step(
                    name: try name(nameText, element: !isAttribute), isAttribute: isAttribute, predicates: predicates,
                    position: position))
        } while take("/")
        if let attribute = steps.dropLast().first(where: \.isAttribute) {
            throw failure("'@\(attribute.name.local)' must be the last step")
        }
        return steps
    }

    /// `[3]`: a position, counted from 1.
    private mutating func position(of nameText: String) throws -> Int {
        let start = index
        while let character = next, character.isNumber { index += 1 }
        let digits = String(characters[start..<index])
        guard let position = Int(digits), position >= 1 else {
            throw failure("positions count from 1: '\(nameText)[\(digits)]' selects nothing")
        }
        return position
    }

    /// `path='value'`, alternatives joined by ` or `.
    private mutating func predicate() throws -> XMLPath.Predicate {
        var alternatives = [try comparison()]
        while true {
            skipSpaces()
            let mark = index
            guard take("o"), take("r"), next == " " || next == "@" else {
                index = mark
                break
            }
            alternatives.append(try comparison())
        }
        return XMLPath.Predicate(alternatives: alternatives)
    }

    private mutating func comparison() throws -> XMLPath.Comparison {
        skipSpaces()
        let steps = try steps(inPredicate: true)
        skipSpaces()
        guard take("=") else {
            throw failure("a predicate compares a path with a quoted value: [@name='value'] or [child='value']")
        }
        skipSpaces()
        guard let quote = next, quote == "'" || quote == "\"" else { throw failure("predicate values must be quoted") }
        index += 1
        let start = index
        while let character = next, character != quote { index += 1 }
        guard take(quote) else { throw failure("predicate values must be quoted") }
        return XMLPath.Comparison(steps: steps, values: [String(characters[start..<(index - 1)])])
    }

    /// A step's name. An unprefixed element name is in the namespace the job binds to `""` (a
    /// file's default namespace: Atom and OData feeds put every element in one), else in none;
    /// an unprefixed attribute is in none, as XML says.
    private func name(_ text: String, element: Bool) throws -> XMLName {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return XMLName(namespace: element ? namespaces[""] : nil, local: text)
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            guard let rule = namespaces[String(parts[0])] else {
                throw failure("namespace prefix '\(parts[0])' is not declared by the job")
            }
            return XMLName(namespace: rule, local: String(parts[1]))
        default:
            throw failure("'\(text)' is not a name")
        }
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
