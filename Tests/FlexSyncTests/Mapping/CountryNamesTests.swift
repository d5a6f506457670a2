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

    @Test(arguments: ["Narnia", "", "+999", "ZZ", "Antarctica", "XX"])
    func unknownOrWithoutNumberingPlan(text: String) {
        #expect(CountryNames.region(for: text) == nil)
    }
}
