import Testing

@testable import FlexSync

/// Countries as exports name them, read as the region whose numbering plan applies.
struct CountryNamesTests {
    @Test(arguments: [
        ("GB", "GB"), ("gb", "GB"), ("UK", "GB"), (" GBR ", "GB"), ("deu", "DE"), ("USA", "US"), ("U.S.A.", "US"),
        ("United States of America", "US"), ("united states", "US"), ("United Kingdom", "GB"), ("England", "GB"),
        ("Great Britain", "GB"), ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Viet Nam", "VN"),
        ("Vietnam", "VN"), ("Türkiye", "TR"), ("Turkey", "TR"), ("Côte d’Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
        ("Ivory Coast", "CI"), ("Deutschland", "DE"), ("Österreich", "AT"), ("España", "ES"), ("Schweiz", "CH"),
        ("Suisse", "CH"), ("Svizzera", "CH"), ("日本", "JP"), ("Holland", "NL"), ("Czech Republic", "CZ"),
        ("Czechia", "CZ"), ("Burma", "MM"), ("Russian Federation", "RU"), ("+44", "GB"), ("+1", "US"), ("+49", "DE"),
        ("Kosovo", "XK")
    ])
    func namesCodesAndCallingCodes(text: String, region: String) {
        #expect(CountryNames.region(for: text) == region)
    }

    /// The byte lookup a country column goes through first answers only what it is sure of, and
    /// then as ``CountryNames/region(for:)`` does.
    @Test(arguments: [
        "GB", "gb", "Gb", "UK", " GBR ", "U.S.A.", "United States of America", "united  states", "Viet Nam",
        "Korea, Republic of", "ZZ", "XX", "Narnia", "Österreich", "日本", "+44", "44", "\tde\r", "U K", "a",
        String(repeating: "a", count: 80)
    ])
    func byteLookupAgreesWithTheNames(text: String) {
        var copy = text
        let lookup = copy.withUTF8 { CountryNames.lookup(bytes: $0) }
        switch lookup {
        case .region(let region)?: #expect(CountryNames.region(for: text) == region)
        case .empty?: Issue.record("'\(text)' is not empty")
        case nil:
            // Left to the names: those that are known are not ASCII, or are calling codes.
            if CountryNames.region(for: text) != nil {
                #expect(!text.utf8.allSatisfy { $0 < 0x80 } || text.hasPrefix("+"), "'\(text)'")
            }
        }
    }

    @Test(arguments: ["", " ", "\t \r\n"])
    func blankColumnsAreEmpty(text: String) {
        var copy = text
        #expect(copy.withUTF8 { CountryNames.lookup(bytes: $0) } == .empty)
    }

    @Test(arguments: ["Narnia", "", "+999", "ZZ", "Antarctica", "XX"])
    func unknownOrWithoutNumberingPlan(text: String) {
        #expect(CountryNames.region(for: text) == nil)
    }
}
