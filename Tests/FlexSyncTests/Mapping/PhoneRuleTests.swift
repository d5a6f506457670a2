import Testing

@testable import FlexSync

/// Phone numbers as HR and CRM exports write them, read by libphonenumber: each row is the
/// text, the country it is read in (`default_country`, or the record's `country_field` column
/// when written `column:`), and the E.164 number or the problem expected. Rows marked `old`
/// are ones flexsync's former 36-country table got wrong.
struct PhoneRuleTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var input: String
        var country: String
        var expected: String
        var old = false
        /// More options of the transform (`require: valid`).
        var options = ""
        var testDescription: String { "\(country)\(options.isEmpty ? "" : " " + options): \(input) → \(expected)" }
    }

    static func e(_ input: String, _ country: String, _ expected: String, old: Bool = false, _ options: String = "")
        -> Example
    {
        Example(input: input, country: country, expected: expected, old: old, options: options)
    }

    static let examples: [Example] = [
        // North America
        e("(202) 555-0143", "US", "+12025550143"),
        e("202.555.0143 x204", "US", "+12025550143"),
        e("1 (303) 555-0104", "US", "+13035550104"),
        e("555-0127", "US", "local US number without its area code"),
        e("+1 416 555 0199", "GB", "+14165550199"),
        e("416/555-0199", "CA", "+14165550199"),
        e("55 1234 5678", "MX", "+525512345678"),
        // Britain and Ireland
        e("020 7946 0018", "GB", "+442079460018"),
        e("+44 (0)20 7946 0018", "GB", "+442079460018"),
        e("0044 20 7946 0018", "US", "+442079460018", old: false),
        e("07700 900123", "GB", "+447700900123"),
        // A digit short: libphonenumber keeps the 0 and calls `+44077009001` possible.
        e("07700 9001", "GB", "not a valid GB phone number: a digit is missing after the national prefix 0"),
        e("077009001", "GB", "not a valid GB phone number: a digit is missing after the national prefix 0"),
        e(
            "+44 07700 9001", "GB",
            "not a valid international phone number: a digit is missing after the national prefix 0"),
        e("01 234 5678", "IE", "+35312345678"),
        e("+353 (0)87 123 4567", "IE", "+353871234567"),
        // Western and central Europe
        e("030/555 01 03", "DE", "+49305550103"),
        e("+49 (0)89 1234567", "DE", "+49891234567"),
        e("0171 1234567", "DE", "+491711234567"),
        e("0664 1234567", "AT", "+436641234567"),
        e("044 668 18 00", "CH", "+41446681800"),
        e("+41 (0)79 123 45 67", "CH", "+41791234567"),
        e("01 23 45 67 89", "FR", "+33123456789"),
        e("06.12.34.56.78", "FR", "+33612345678"),
        e("0033 6 12 34 56 78", "FR", "+33612345678"),
        e("02 123 45 67", "BE", "+3221234567"),
        e("0470 12 34 56", "BE", "+32470123456"),
        e("020-1234567", "NL", "+31201234567"),
        e("06-12345678", "NL", "+31612345678"),
        e("621 123 456", "LU", "+352621123456"),
        // Southern Europe
        e("912 345 678", "ES", "+34912345678"),
        e("0034 612 345 678", "ES", "+34612345678"),
        e("21 234 5678", "PT", "+351212345678"),
        e("06 1234 5678", "IT", "+390612345678"),
        e("+39 (0)6 1234 5678", "IT", "+390612345678", old: true),
        e("333 123 4567", "IT", "+393331234567"),
        e("21 0123 4567", "GR", "+302101234567", old: true),
        e("0212 123 45 67", "TR", "+902121234567"),
        // Northern Europe
        e("08-123 456 78", "SE", "+46812345678"),
        e("070-123 45 67", "SE", "+46701234567"),
        e("22 12 34 56", "NO", "+4722123456"),
        e("32 12 34 56", "DK", "+4532123456"),
        e("040 1234567", "FI", "+358401234567"),
        // Eastern Europe: trunk prefixes the old table did not know
        e("22 123 45 67", "PL", "+48221234567"),
        e("601 123 456", "CZ", "+420601123456"),
        e("06 1 234 5678", "HU", "+3612345678", old: true),
        e("8 (495) 123-45-67", "RU", "+74951234567", old: true),
        e("044 123 4567", "UA", "+380441234567", old: true),
        e("021 123 4567", "RO", "+40211234567", old: true),
        // Asia and Oceania
        e("(02) 9876 5432", "AU", "+61298765432"),
        e("0412 345 678", "AU", "+61412345678"),
        e("09-123 4567", "NZ", "+6491234567"),
        e("03-1234-5678", "JP", "+81312345678"),
        e("090-1234-5678", "JP", "+819012345678"),
        e("9123 4567", "SG", "+6591234567"),
        e("010 1234 5678", "CN", "+861012345678", old: true),
        e("138 0013 8000", "CN", "+8613800138000", old: true),
        e("2123 4567", "HK", "+85221234567", old: true),
        e("010-1234-5678", "KR", "+821012345678", old: true),
        e("098765 43210", "IN", "+919876543210"),
        e("0917 123 4567", "PH", "+639171234567", old: true),
        e("03-123-4567", "IL", "+97231234567"),
        e("050 123 4567", "AE", "+971501234567"),
        e("050 123 4567", "SA", "+966501234567", old: true),
        // Americas south, Africa
        e("(11) 91234-5678", "BR", "+5511912345678"),
        e("011 1234-5678", "AR", "+541112345678"),
        e("321 1234567", "CO", "+573211234567"),
        e("9 6123 4567", "CL", "+56961234567"),
        e("021 123 4567", "ZA", "+27211234567"),
        e("0803 123 4567", "NG", "+2348031234567", old: true),
        e("0712 345678", "KE", "+254712345678", old: true),
        e("010 1234 5678", "EG", "+201012345678", old: true),
        e("0612-345678", "MA", "+212612345678", old: true),
        // The country from a column, as exports name it
        e("(202) 555-0143", "column:U.S.A.", "+12025550143", old: true),
        e("(202) 555-0143", "column:United States of America", "+12025550143", old: true),
        e("020 7946 0018", "column:GBR", "+442079460018", old: true),
        e("020 7946 0018", "column:+44", "+442079460018", old: true),
        e("020 7946 0018", "column:uk", "+442079460018"),
        e("030 5550103", "column:Deutschland", "+49305550103"),
        e("912 345 678", "column:españa", "+34912345678", old: true),
        e("044 668 18 00", "column:Schweiz", "+41446681800", old: true),
        e("02-123-4567", "column:Korea, Republic of", "+8221234567", old: true),
        e("020 7946 0018", "column:Narnia", "national phone number with an unknown country 'Narnia'"),
        e("020 7946 0018", "column:", "national phone number without a known country"),
        e("+44 20 7946 0018", "column:", "+442079460018"),
        // Damage and placeholders
        e("4,93056E+11", "US", "phone number damaged by Excel (scientific notation)"),
        e("n/a", "US", "not a phone number"),
        e("TBD", "GB", "not a phone number"),
        e("000-000-0000", "US", "placeholder, not a phone number", old: true),
        // A privacy mask, which libphonenumber would read as keypad letters (X is 9).
        e("339XXXXXXX", "IT", "masked phone number (digits hidden by X or *)"),
        e("+44 7700 9xx xxx", "GB", "masked phone number (digits hidden by X or *)"),
        e("0171 ***4567", "DE", "masked phone number (digits hidden by X or *)"),
        e("1-800-FLOWERS", "US", "+18003569377"),
        // A letter typed for the digit it looks like: libphonenumber drops it, and so a digit.
        e("O7911 123456", "GB", Self.letterForDigit), e("0207946O018", "GB", Self.letterForDigit),
        e("606 789 0l2", "CZ", Self.letterForDigit), e("07911 I23456", "GB", Self.letterForDigit),
        e("020 7946 OO18", "GB", Self.letterForDigit), e("0207 946 OOl8", "GB", Self.letterForDigit),
        e("O 7911 123456", "GB", Self.letterForDigit),
        // Labels and extensions hold no such word.
        e("Tel: 020 7946 0018", "GB", "+442079460018"), e("020 7946 0018 ext 12", "GB", "+442079460018"),
        e("1-800-GO-FEDEX", "US", "+18004633339"),
        e("(303) 555-0104 x12", "US", "+13035550104"),
        e("+999 1234 5678", "US", "unknown country calling code", old: true),
        e("+49 30", "DE", "not a valid international phone number"),
        e("00 49 30", "DE", "not a valid international phone number"),
        // Only numbers in assigned ranges, when the mapping requires valid ones
        e("(202) 555-0143", "US", "+12025550143", "require: valid"),
        e("(555) 010-0000", "US", "US number outside the assigned ranges", old: true, "require: valid"),
        e("9876 5432", "AU", "AU number outside the assigned ranges", old: true, "require: valid"),
        e("020 7946 0018", "GB", "+442079460018", "require: valid"),
        e("+1 555 010 0000", "DE", "international number outside the assigned ranges", old: true, "require: valid"),
        // Why, where the number says it: a digit or more short, a leading 0 a spreadsheet dropped.
        e(
            "412 34", "NO", "NO number outside the assigned ranges: too short for a fixed-line or mobile number",
            "require: valid"),
        e(
            "06-1234567", "NL", "NL number outside the assigned ranges: too short for a fixed-line or mobile number",
            "require: valid"),
        e(
            "212345678", "IT",
            "IT number outside the assigned ranges: its leading 0 lost to a spreadsheet? (0212345678 is a valid number)",
            "require: valid")
    ]

    static let letterForDigit =
        "a letter where a digit should be ('O' for 0, 'l' or 'I' for 1): correct the number in the export"

    @Test(arguments: examples)
    func readsNumbersAsExportsWriteThem(_ example: Example) throws {
        let column = example.country.hasPrefix("column:")
        let options =
            (column ? "country_field: c" : "default_country: \(example.country)")
            + (example.options.isEmpty ? "" : ", " + example.options)
        let yaml = MapHarness.one("phone", "{ field: v, transforms: [{ phone: { \(options) } }] }")
        let country = column ? String(example.country.dropFirst("column:".count)) : ""
        let csv = "id,v,c\n1,\"\(example.input)\",\"\(country)\"\n"
        let got = try MapHarness.value(yaml, csv: csv, key: "phone")
        let expected =
            example.expected.hasPrefix("+")
            ? "\"\(example.expected)\"" : "error: in.csv:2: phone: \(example.expected): \(example.input)"
        #expect(got == expected)
    }

    @Test func theTableCoversSixtyNumbersAndThirtyRegions() {
        let regions = Set(Self.examples.compactMap { $0.country.hasPrefix("column:") ? nil : $0.country })
        #expect(
            Self.examples.count >= 60 && regions.count >= 30,
            "\(Self.examples.count) numbers, \(regions.count) regions")
    }

    /// The forms a number can be written out in, extensions kept in another attribute, and
    /// `country` still accepted for `default_country`.
    @Test(arguments: [
        ("{ default_country: GB, output: international }", "020 7946 0018", #""+44 20 7946 0018""#),
        ("{ default_country: GB, output: national }", "+44 (0)20 7946 0018", #""020 7946 0018""#),
        ("{ default_country: DE, output: e164 }", "030/555 01 03", #""+49305550103""#),
        ("{ country: gb }", "020 7946 0018", #""+442079460018""#),
        ("{ default_country: United Kingdom }", "020 7946 0018", #""+442079460018""#)
    ])
    func outputForms(options: String, input: String, expected: String) throws {
        let yaml = MapHarness.one("phone", "{ field: v, transforms: [{ phone: \(options) }] }")
        #expect(try MapHarness.value(yaml, csv: "id,v\n1,\"\(input)\"\n", key: "phone") == expected)
    }

    @Test(arguments: [
        ("(303) 555-0104 ext. 21", #""21""#),
        ("303-555-0104 x4412", #""4412""#),
        ("+1 303 555 0104 #7", #""7""#),
        ("(303) 555-0104", "remove"),
        ("n/a", "error: in.csv:2: phone: not a phone number: n/a")
    ])
    func extensionsGoToTheirOwnAttribute(input: String, expected: String) throws {
        let yaml = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              phone:
                field: v
                transforms: [trim, { phone: { default_country: US, keep_extension_in: agent_attribute_2 } }]
            """
        let csv = "id,v\n1,\"\(input)\"\n"
        #expect(try MapHarness.value(yaml, csv: csv, key: "agent_attribute_2") == expected)
        // A refused number is one problem, the number's; its extension is not reported again.
        let record = try MapHarness.map(yaml, csv: csv)[0]
        #expect(record.problems.count == (input == "n/a" ? 1 : 0))
        if input != "n/a" { #expect(try MapHarness.value(yaml, csv: csv, key: "phone") == #""+13035550104""#) }
    }

    /// A country column read from a CSV file's bytes (as `validate` and `plan` read them) names
    /// the region as written in any case and spacing; a blank one falls back to the default
    /// country, an unknown one is named in the error. A run that keeps only checked values
    /// reports the same.
    @Test func countryColumnsReadFromTheFilesBytes() throws {
        let mapping = try Mapping.parse(
            MapHarness.one("phone", "{ field: v, transforms: [{ phone: { country_field: c, default_country: FR } }] }"),
            path: "m.yaml")
        let rows: [(country: String, phone: String, expected: String)] = [
            (" gb ", "020 7946 0018", "+442079460018"), ("u.s.a.", "(303) 555-0104", "+13035550104"),
            ("", "01 23 45 67 89", "+33123456789"), ("  ", "01 23 45 67 89", "+33123456789"),
            ("United Kingdom", "020 7946 0018", "+442079460018"), ("Deutschland", "030 5550103", "+49305550103"),
            ("Österreich", "0664 1234567", "+436641234567"), ("+44", "020 7946 0018", "+442079460018"),
            ("Atlantis", "020 7946 0018", "national phone number with an unknown country 'Atlantis'")
        ]
        let csv = "id,v,c\n" + rows.enumerated().map { "\($0),\($1.phone),\"\($1.country)\"\n" }.joined()
        for checksOnly in [false, true] {
            let reader = try CSVReader(bytes: Array(csv.utf8), name: "in.csv", options: CSVOptions(lazyValues: true))
            var policy = Mapping.RunPolicy()
            policy.checksOnly = checksOnly
            let bound = mapping.bind(to: reader.schema, policy: policy, shortcuts: ByteCheck.shortcut(for:))
            for row in rows {
                let record = try bound.map(#require(try reader.next()))
                if row.expected.hasPrefix("+") {
                    #expect(record.problems.isEmpty, "\(row.country): \(record.problems)")
                    if !checksOnly { #expect(record.set.last?.value == .string(row.expected), "\(row.country)") }
                } else {
                    #expect(record.problems.map(\.rule) == [row.expected], "\(row.country)")
                }
            }
        }
    }

    /// Each message is located on the mapping's line 5 and ends as shown.
    @Test(arguments: [
        ("{ default_country: Narnia }", ".phone: unknown country 'Narnia' (use an ISO code such as US, GB, DE)"),
        ("{ country: GB, default_country: GB }", ".phone: 'country' is another name for 'default_country'; give one"),
        ("{ default_country: GB, require: exact }", ".require must be one of 'possible', 'valid', not 'exact'"),
        ("{ default_country: GB, keep_extension_in: team_id }", "keep_extension_in: 'team_id' is mapped already")
    ])
    func optionsAreChecked(options: String, message: String) throws {
        let yaml = MapHarness.one("phone", "{ field: v, transforms: [{ phone: \(options) }] }") + "\n  team_id: t"
        #expect { try Mapping.parse(yaml, path: "m.yaml") } throws: {
            "\($0)".hasPrefix("m.yaml:5:") && "\($0)".hasSuffix(message)
        }
    }

    @Test func aMatchKeyIsNotWrittenNationally() {
        let yaml = """
            target: tasks
            key: { match: [customers.phone] }
            attributes:
              customers.phone: { field: v, transforms: [{ phone: { default_country: GB, output: national } }] }
            """
        #expect { try Mapping.parse(yaml, path: "m.yaml") } throws: {
            "\($0)".hasSuffix(
                "'customers.phone' is a match key: its phone numbers must be written e164 or "
                    + "international, the forms a caller's number is compared in")
        }
    }

    /// A match key compares phone numbers as E.164, whichever way each side wrote them.
    @Test func matchValuesMeetInE164() {
        let forms = ["+442079460018", "+44 20 7946 0018", "0044 20 7946 0018", "whatsapp:+442079460018"]
        #expect(Set(forms.map { MappedRecord.normalizedMatch($0, key: "customers.phone") }) == ["+442079460018"])
        #expect(MappedRecord.normalizedMatch("client:ana", key: "customers.phone") == "client:ana")
        #expect(MappedRecord.normalizedMatch("Ana@Example.com", key: "customers.email") == "ana@example.com")
    }
}
