import Testing

@testable import FlexSync

/// The byte checks `validate` uses for values nobody keeps must agree with the full evaluation:
/// the same emptiness and length whenever they answer, and no answer where the full evaluation
/// finds a problem.
struct ByteCheckTests {
    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          full_name: { template: "{first} {last}", transforms: [collapse_whitespace] }
          email: { field: mail, transforms: [email] }
          phone: { field: tel, transforms: [{ phone: { country: DE } }] }
          location: { field: loc, transforms: [trim] }
          manager: { field: boss, on_empty: empty }
          role: { template: "Agent {first}" }
          agent_label_1: { field: tel, transforms: [{ phone: { country_field: land, default_country: FR } }] }
        """

    /// How the `land` column names the country its row's national numbers are read in.
    static let countries = [
        "DE", "de", " Germany ", "Deutschland", "United Kingdom", "UK", "gb", "GBR", "U.S.A.", "", "  ",
        "Atlantis", "+44", "ÖSTERREICH", "Österreich", "XX", "\u{00A0}DE", "N/A"
    ]

    static let pool = [
        "", " ", "  Ana ", "Zoë", "Ł", "Łukasz", "e\u{0301}", "N/A", " n/a\t", "\u{00A0}Bo", "x\u{00A0}",
        "ana@example.com", " Ana.Lima@Example.COM ", "ZOË@EXAMPLE.DE", "łukasz@example.pl", "a@b", "@x.y",
        "ana@gmail.con", "Ana@Gmail.CON", "NoEmail@acme.com", "test@TEST.com", "nora@acme.com", "ana@exаmple.com",
        "TBD", " tbd ", "'18273645019", "Total 2",
        "030 5550103", "+49 (0)30 555-0103", "(0)30 5550103", "555", "030 55+50103", "030 5550103 x12",
        "0044 20 7946 0018", "000 000 000", "4,93056E+11", "+999 1234 5678", "030.555.0103",
        "He said \"hi\"", "a,b", String(repeating: "y", count: 130), "Mitte\nBerlin", "\t"
    ]

    @Test(arguments: [[""], ["", "N/A", "n/a"]] as [Set<String>])
    func byteChecksAgreeWithTheFullEvaluation(nullTokens: Set<String>) throws {
        let mapping = try Mapping.parse(Self.mapping, path: "m.yaml")
        var random = SeededGenerator(state: 31)
        var csv = "id,first,last,mail,tel,loc,boss,land\n"
        for row in 1...3_000 {
            let fields =
                (0..<6).map { _ in Self.pool.randomElement(using: &random)! }
                + [Self.countries.randomElement(using: &random)!]
            csv +=
                "\(row),"
                + fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
                + "\n"
        }
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv", options: CSVOptions(lazyValues: true))
        let policy = Mapping.RunPolicy(nullTokens: nullTokens)
        var checksOnly = policy
        checksOnly.checksOnly = true
        let fullBound = mapping.bind(to: reader.schema, policy: policy)
        let leanBound = mapping.bind(to: reader.schema, policy: checksOnly, shortcuts: ByteCheck.shortcut(for:))
        let context = leanBound.context
        var answered = 0
        var declined = 0
        while let record = try reader.next() {
            let full = fullBound.map(record)
            for (attribute, bound) in zip(mapping.attributes, leanBound.attributes) {
                guard let check = bound.check else { continue }
                guard let outcome = check.outcome(record, context) else {
                    declined += 1
                    continue
                }
                answered += 1
                let failed = full.problems.contains { $0.field == attribute.key }
                #expect(
                    !failed,
                    "\(attribute.key) at \(record.position): answered \(outcome) where the full evaluation failed")
                if let value = full.set.first(where: { $0.key == attribute.key })?.value, value != .string("") {
                    #expect(
                        outcome == .text(value.stringValue?.utf8.count ?? -1),
                        "\(attribute.key) at \(record.position): \(value)")
                } else {
                    #expect(outcome == .null, "\(attribute.key) at \(record.position): \(outcome)")
                }
            }
            // And the whole record comes out with the same problems either way.
            #expect(leanBound.map(record).problems == full.problems)
        }
        // Most plain values are answered from the bytes, and the hard ones are left to the full evaluation.
        #expect(answered > declined && declined > 500, "answered \(answered), declined \(declined)")
    }
}

/// Values nobody keeps that repeat are answered from the attribute's memo (emptiness and length
/// only, the value is not copied): over repeating awkward values, with and without null tokens and
/// under both length policies, a run that keeps only checked values finds exactly the problems of
/// a full run, and keeps the same checked values.
struct MemoOutcomeTests {
    static let mapping = """
        target: tasks
        key: { match: [customers.external_id] }
        attributes:
          customers.external_id: id
          customers.customer_attribute_1: { field: tier, transforms: [trim, lower] }
          customers.category: tier
          customers.market_segment: { field: seg, transforms: [trim], on_empty: empty }
          customers.organization: { field: org, transforms: [collapse_whitespace], on_empty: keep }
          customers.acquisition_date: { field: since, transforms: [trim] }
          customers.business_value: { field: value, transforms: [trim] }
          customers.acquisition_cost: { field: value, transforms: [{ number: { decimal: ",", group: "." } }] }
          conversations.conversation_attribute_4: { field: since, transforms: [{ date: dd.MM.yyyy }] }
          conversations.handling_team_name: team
          conversations.handling_team_id: { field: teamid, transforms: [lower] }
          conversations.language: { field: lang, transforms: [{ map: { en: English, de: German }, otherwise: Other }] }
          conversations.queue: { field: long, transforms: [trim] }
        \(((1...10).map { "  conversations.conversation_label_\($0): label" } + (5...10).map { "  conversations.conversation_attribute_\($0): label" }).joined(separator: "\n"))
        """

    static let pools: [String: [String]] = [
        "tier": ["gold", " Gold ", "SILVER", "", "N/A", "Müller", "n/a", " - ", "Zoe\u{0308}"],
        "seg": ["Retail", "  ", "", "Öffentlich", "-", "Retail ", "He said \"hi\""],
        "org": ["Acme  Corp", "Acme Corp", "", "Straße  AG", "N/A", "a,b"],
        "since": ["01.02.2020", "31.02.2020", "abc", "", "01.01.1850", "15.06.2049", "N/A", " "],
        "value": ["1.234,56", "12", "", "x", "N/A", "-3,5", " 7 ", "1e3"],
        "team": ["Sales", "", "Support", "N/A"],
        "teamid": ["S1", "", "SUP", "-"],
        "lang": ["en", "de", "fr", "", "EN"],
        "long": [
            String(repeating: "x", count: 120), String(repeating: "y", count: 130), "short", "",
            String(repeating: "é", count: 100), String(repeating: "é", count: 70)
        ],
        // Sixteen of the longest (quotes, which JSON doubles) make a document near TaskRouter's limit,
        // which maps the record in full.
        "label": [String(repeating: "\"", count: 120), "label", ""]
    ]

    @Test(arguments: [(Set([""]), ValueRules.TooLong.error), (Set(["", "N/A", "-"]), .truncate)])
    func memoOutcomesAgreeWithTheFullRun(nullTokens: Set<String>, tooLong: ValueRules.TooLong) throws {
        let columns = ["tier", "seg", "org", "since", "value", "team", "teamid", "lang", "long", "label"]
        var random = SeededGenerator(state: 77)
        var csv = "id," + columns.joined(separator: ",") + "\n"
        for row in 1...2_000 {
            let fields = columns.map { Self.pools[$0]!.randomElement(using: &random)! }
            let id = row % 50 == 0 ? "" : "C\(row)"
            csv +=
                id + ","
                + fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
                + "\n"
        }
        // Separate bindings, so that the lean run fills its memos itself.
        let mapping = try Mapping.parse(Self.mapping, path: "m.yaml")
        let full = Mapping.RunPolicy(nullTokens: nullTokens, tooLong: tooLong)
        var lean = full
        lean.checksOnly = true
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv", options: CSVOptions(lazyValues: true))
        let fullBound = mapping.bind(to: reader.schema, policy: full)
        let leanBound = mapping.bind(to: reader.schema, policy: lean, shortcuts: ByteCheck.shortcut(for:))
        var rows = 0
        var problems = 0
        var nearLimit = 0
        while let record = try reader.next() {
            let expected = fullBound.map(record)
            let got = leanBound.map(record)
            #expect(got.problems == expected.problems, "\(record.position)")
            #expect(got.matchValues.map(\.value) == expected.matchValues.map(\.value))
            let checked = expected.set.filter { $0.key == "customers.external_id" || $0.key.contains("_attribute_") }
            #expect(
                got.set.map(\.key) == checked.map(\.key) && got.set.map(\.value) == checked.map(\.value),
                "\(record.position)")
            rows += 1
            problems += expected.problems.count
            nearLimit += expected.problems.filter { $0.rule.hasPrefix("mapped attributes alone take") }.count
        }
        #expect(rows == 2_000)
        // The pools make problems of every kind often: too long, bad dates, numbers, companions, near the limit.
        #expect(problems > 1_000 && nearLimit > 100, "\(problems) problems, \(nearLimit) near the limit")
        // The memos answered: every attribute's memo is still on after 2,000 rows of 4–9 values.
        let memos = leanBound.attributes.compactMap(\.memoActive)
        #expect(!memos.isEmpty && memos.allSatisfy { $0 })
    }
}
