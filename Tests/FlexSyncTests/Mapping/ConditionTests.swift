import Testing

@testable import FlexSync

/// `equals` in `skip_when` and `when` answers from a CSV value's bytes where it can: the same
/// answers as from the value's text, whatever the null tokens and negation.
struct ConditionTests {
    static let pool = [
        "left", "Left", " left", "left ", "", " ", "N/A", " N/A ", "n/a", "K", "\u{212A}", "Zoë", "Zoe\u{0308}",
        "ausgeschieden", "-", "\t-", "a,b", "He said \"left\""
    ]

    static func mapping(negated: Bool) throws -> Mapping {
        try Mapping.parse(
            """
            target: workers
            key: { match: [agent_id] }
            skip_when: { field: status, equals: [left, "N/A", "\u{212A}", "Zoë", "-"], not: \(negated) }
            attributes:
              agent_id: id
            """, path: "m.yaml")
    }

    /// Which pool values a run skips, read with values as bytes (how jobs read) and as strings.
    static func skipped(negated: Bool, nullTokens: Set<String>, lazyValues: Bool) throws -> [String] {
        let mapping = try mapping(negated: negated)
        let csv =
            "id,status\n"
            + pool.enumerated().map {
                "\($0.offset),\"" + $0.element.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            .joined(separator: "\n") + "\n"
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv", options: CSVOptions(lazyValues: lazyValues))
        var skipped: [String] = []
        var index = 0
        while let record = try reader.next() {
            if mapping.run(record, policy: .init(nullTokens: nullTokens)).skipped { skipped.append(pool[index]) }
            index += 1
        }
        #expect(index == pool.count)
        return skipped
    }

    @Test(arguments: [Set([""]), Set(["", "N/A", "-"])], [false, true])
    func equalsAnswersTheSameOnBytesAsOnText(nullTokens: Set<String>, negated: Bool) throws {
        let onBytes = try Self.skipped(negated: negated, nullTokens: nullTokens, lazyValues: true)
        #expect(onBytes == (try Self.skipped(negated: negated, nullTokens: nullTokens, lazyValues: false)))
        // Exact text after NFC: the Kelvin sign is K, and Zoe with a combining diaeresis is Zoë;
        // a declared null token is null, and null equals nothing.
        let equal =
            nullTokens.count == 1
            ? ["left", "N/A", "K", "\u{212A}", "Zoë", "Zoe\u{0308}", "-"]
            : ["left", "K", "\u{212A}", "Zoë", "Zoe\u{0308}"]
        #expect(onBytes == (negated ? Self.pool.filter { !equal.contains($0) } : equal))
    }
}
