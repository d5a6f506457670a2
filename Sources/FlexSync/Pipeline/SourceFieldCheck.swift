/// Fields a mapping names that the export does not have: a CSV column missing from the header is
/// an error before the first row; an XML path that matched in none of the records is reported
/// when the file has been read.
public enum SourceFieldCheck {
    /// Where the mapping reads a field: the mapping file's line of the first attribute using it.
    static func place(of field: String, in mapping: Mapping) -> SourcePosition {
        let attribute = mapping.attributes.first { $0.expression.fields.contains(field) }
        let line = attribute?.line ?? mapping.fieldLines[field] ?? 0
        return SourcePosition(file: mapping.path, line: line, record: 0)
    }

    /// Every field the mapping reads that the CSV header lacks, with a suggestion from the header.
    public static func missingColumns(_ mapping: Mapping, header: [String], file: String) -> [Problem] {
        let names = Set(header)
        return mapping.sourceFields.filter { !names.contains($0) }.map { field in
            let rule = "no column '\(field)' in the header of \(file)" + suggestion(for: field, among: header)
            return Problem(.error, place(of: field, in: mapping), field: field, rule: rule)
        }
    }

    /// ` (did you mean 'E-Mail'?)`: the same name in other case or spacing first, else the
    /// closest by edit distance.
    static func suggestion(for field: String, among names: [String]) -> String {
        func folded(_ text: String) -> String {
            text.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "-" }
        }
        let wanted = folded(field)
        let near =
            names.first { folded($0) == wanted } ?? Spelling.closest(to: field, among: names)
            ?? names.first { name in
                let other = folded(name)
                return other.count >= 3 && (wanted.hasPrefix(other) || other.hasPrefix(wanted))
            }
        return near.map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// XML fields that matched in none of `records` records: an error when every field of a key
    /// or required attribute matched nothing, a warning otherwise.
    public static func unmatchedFields(
        _ mapping: Mapping, matches: [String: Int], records: Int,
        file: String
    ) -> [Problem] {
        guard records > 0 else { return [] }
        let unmatched = Set(matches.filter { $0.value == 0 }.map(\.key))
        guard !unmatched.isEmpty else { return [] }
        var fatal = Set<String>()
        for attribute in mapping.attributes where attribute.required || attribute.isMatchKey {
            let fields = attribute.expression.fields
            if !fields.isEmpty && fields.allSatisfy(unmatched.contains) { fatal.formUnion(fields) }
        }
        return mapping.sourceFields.filter(unmatched.contains).map { field in
            Problem(
                fatal.contains(field) ? .error : .warning, place(of: field, in: mapping), field: field,
                rule: "matched in 0 of \(records) records of \(file)"
                    + (fatal.contains(field)
                        ? ": every record lacks this key or required value (check the path and 'namespaces')" : ""))
        }
    }
}

extension SourceFieldCheck {
    /// XML fields that matched several elements of a record, of which the first was taken: a
    /// warning per field, since the first is not always the one meant (Workday lists a worker's
    /// home e-mail before the work one when it was entered first).
    public static func fieldsMatchingSeveral(
        _ mapping: Mapping, _ several: [String: (records: Int, first: Int)], records: Int, file: String
    ) -> [Problem] {
        mapping.sourceFields.compactMap { field in
            guard let found = several[field] else { return nil }
            return Problem(
                .warning, place(of: field, in: mapping), field: field,
                rule: "matched several elements in \(found.records) of \(records) records of \(file) (first: record "
                    + "\(found.first)): the first of each was taken; pick one with a predicate ([@attribute='…'] or [child='…']), or 'take: list'"
            )
        }
    }
}

/// The mapping reads fields the export does not have: the run stops before the first row.
public struct SourceFieldError: Error, CustomStringConvertible {
    public var problems: [Problem]

    public var description: String { problems.map { $0.line(showValues: false) }.joined(separator: "\n") }
}
