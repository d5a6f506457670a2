import Testing

@testable import FlexSync

/// How values are shown in messages: shares, personal values, and values too long to echo.
struct ValueRulesTests {
    @Test(arguments: [
        (0.267, "26.7%"), (0.2, "20%"), (0.05, "5%"), (4.0 / 15.0, "26.7%"), (1.0 / 3.0, "33.3%"), (0.0005, "0.1%"),
        (1.0, "100%")
    ])
    func sharesAreRoundedToATenthOfAPercent(share: Double, shown: String) {
        #expect(DatasetValidator.percent(share) == shown)
    }

    @Test func personalValuesAreMaskedByKeyUnlessAskedFor() {
        #expect(ValueRules.shown(.string("ana@example.com"), key: "email", showValues: false) == "***")
        #expect(ValueRules.shown(.string("Ana"), key: "customers.name", showValues: false) == "***")
        #expect(ValueRules.shown(.string("T1"), key: "team_id", showValues: false) == #""T1""#)
        #expect(ValueRules.shown(.string("ana@example.com"), key: "email", showValues: true) == #""ana@example.com""#)
        #expect(ValueRules.shown(nil, key: "email", showValues: false) == "(none)")
    }

    /// `--show-values` echoes a value whole only up to 200 characters, and says how long it was.
    @Test func echoedValuesAreCappedAt200Characters() {
        let long = String(repeating: "x", count: 1_048_576)
        let problem = Problem(.error, nil, field: "team_name", rule: "too long", value: long)
        let line = problem.line(showValues: true)
        #expect(line == "team_name: too long: " + String(repeating: "x", count: 200) + "… (1,048,576 characters)")
        let exact = String(repeating: "é", count: 200)
        #expect(ValueRules.echoed(exact) == exact)
        #expect(
            ValueRules.shown(.string(long), key: "team_name", showValues: true).hasSuffix("… (1,048,578 characters)"))
    }
}
