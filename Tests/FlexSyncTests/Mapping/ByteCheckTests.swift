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
    """

    static let pool = ["", " ", "  Ana ", "Zoë", "Ł", "Łukasz", "e\u{0301}", "N/A", " n/a\t", "\u{00A0}Bo", "x\u{00A0}",
                       "ana@example.com", " Ana.Lima@Example.COM ", "ZOË@EXAMPLE.DE", "łukasz@example.pl", "a@b", "@x.y",
                       "030 5550103", "+49 (0)30 555-0103", "(0)30 5550103", "555", "030 55+50103", "030 5550103 x12",
                       "He said \"hi\"", "a,b", String(repeating: "y", count: 130), "Mitte\nBerlin", "\t"]

    @Test(arguments: [[""], ["", "N/A", "n/a"]] as [Set<String>])
    func byteChecksAgreeWithTheFullEvaluation(nullTokens: Set<String>) throws {
        let mapping = try Mapping.parse(Self.mapping, path: "m.yaml")
        var random = ReaderFuzzTests.Generator(state: 31)
        var csv = "id,first,last,mail,tel,loc,boss\n"
        for row in 1...3_000 {
            let fields = (0..<6).map { _ in Self.pool.randomElement(using: &random)! }
            csv += "\(row)," + fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") + "\n"
        }
        let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv", options: CSVOptions(lazyValues: true))
        var policy = Mapping.RunPolicy(nullTokens: nullTokens)
        mapping.prepare(for: policy)
        let context = EvaluationContext(nullTokens: policy.nullTokens)
        var answered = 0, declined = 0
        while let record = try reader.next() {
            policy.checksOnly = false
            let full = mapping.map(record, policy: policy, context: context)
            for attribute in mapping.attributes {
                guard let check = attribute.byteCheck else { continue }
                guard let outcome = check.outcome(record, context) else { declined += 1; continue }
                answered += 1
                let failed = full.problems.contains { $0.field == attribute.key }
                #expect(!failed, "\(attribute.key) at \(record.position): answered \(outcome) where the full evaluation failed")
                if let value = full.set.first(where: { $0.key == attribute.key })?.value, value != .string("") {
                    #expect(outcome == .text(value.stringValue?.utf8.count ?? -1), "\(attribute.key) at \(record.position): \(value)")
                } else {
                    #expect(outcome == .null, "\(attribute.key) at \(record.position): \(outcome)")
                }
            }
            // And the whole record comes out with the same problems either way.
            policy.checksOnly = true
            #expect(mapping.map(record, policy: policy, context: context).problems == full.problems)
        }
        // Most plain values are answered from the bytes, and the hard ones are left to the full evaluation.
        #expect(answered > declined && declined > 500, "answered \(answered), declined \(declined)")
    }
}
