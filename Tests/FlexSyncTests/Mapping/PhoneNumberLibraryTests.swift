import Testing

@testable import FlexSync

/// `CPhoneNumber`'s plain-number reader beside `PhoneNumberUtil::Parse`: the same outcome field
/// for field (status, possibility, type, validity, calling code, national number, the formatted
/// number, extension) for PhoneRuleTests' table, for the prefixes that make reading hard (trunk
/// prefixes that are patterns, carrier codes, transform rules, Italian zeros, `00` and `+` and
/// calling codes written without either), and for a fixed set of generated numbers in every region
/// libphonenumber knows.
struct PhoneNumberLibraryTests {
    typealias Format = PhoneNumberLibrary.Format

    /// A text read in a region (nil for none).
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var region: String?
        var testDescription: String { "\(region ?? "no region"): \(text)" }
    }

    /// What comparing many cases found: the differences, and how many readings the reader took.
    struct Comparison {
        var differences: [String] = []
        var readings = 0
        var readByPlainReader = 0

        /// Reads the case both ways, in `format` and with or without validation.
        mutating func compare(_ item: Case, format: Format, validate: Bool) {
            var text = item.text
            let (reader, plain, parse) = text.withUTF8 { bytes in
                let read = PhoneNumberLibrary.outcome(
                    of: bytes, region: item.region, format: format, validate: validate,
                    route: .plainReader)
                let reference = PhoneNumberLibrary.outcome(
                    of: bytes, region: item.region, format: format,
                    validate: validate, route: .reference)
                return (read.outcome, read.readByPlainReader, reference.outcome)
            }
            readings += 1
            if plain { readByPlainReader += 1 }
            if reader != parse {
                differences.append(
                    "\(item.testDescription) (\(format), validate \(validate)): reader \(reader); "
                        + "Parse \(parse)")
            }
        }

        /// Every format, with and without validation.
        mutating func compareEveryWay(_ item: Case) {
            for format in Format.allCases {
                compare(item, format: format, validate: false)
                compare(item, format: format, validate: true)
            }
        }
    }

    /// The reader must be on, or every comparison below compares Parse with itself.
    @Test func thePlainReaderIsOn() {
        #expect(PhoneNumberLibrary.plainReaderIsAvailable)
    }

    /// The table's numbers in their own region, in none, and in three others.
    @Test func theRuleTableReadsAsParseReadsIt() {
        var comparison = Comparison()
        for example in PhoneRuleTests.examples {
            let own =
                example.country.hasPrefix("column:")
                ? CountryNames.region(for: String(example.country.dropFirst("column:".count)))
                : example.country
            for region in [own, nil, "US", "DE", "IT"] {
                comparison.compareEveryWay(Case(text: example.input, region: region))
            }
        }
        #expect(comparison.differences.isEmpty, "\(comparison.differences.prefix(10).joined(separator: "\n"))")
        #expect(comparison.readByPlainReader * 2 > comparison.readings, "\(comparison.readByPlainReader) read")
    }

    /// Prefixes that libphonenumber reads with patterns, captures or transform rules, and texts
    /// at the edges of what the reader takes.
    static let hardCases: [Case] = [
        // Argentina: `0`, area code and `15` for mobiles, rewritten to `9`.
        ("011 15 2345-6789", "AR"), ("0 11 15 2345 6789", "AR"), ("+54 9 11 2345 6789", "AR"),
        ("+54 11 15 2345 6789", "AR"), ("0351 15 123 4567", "AR"), ("15 2345 6789", "AR"),
        ("0054 11 2345 6789", "AR"), ("54 9 11 2345 6789", "AR"), ("0 223 15 412 3456", "AR"),
        // Mexico: `01`, `044`, `045` and a `1` after +52.
        ("044 55 1234 5678", "MX"), ("045 55 1234 5678", "MX"), ("01 55 1234 5678", "MX"),
        ("+52 1 55 1234 5678", "MX"), ("1 55 1234 5678", "MX"), ("00 52 55 1234 5678", "MX"),
        ("09 52 55 1234 5678", "MX"),
        // Brazil: carrier codes after the trunk prefix, and international prefixes with carriers.
        ("0 21 2345 6789", "BR"), ("0 15 11 91234 5678", "BR"), ("015 11 91234-5678", "BR"),
        ("90 21 11 91234 5678", "BR"), ("+55 (21) 3123-4567", "BR"), ("0055 11 91234 5678", "BR"),
        ("0014 55 11 91234 5678", "BR"), ("0021 1 212 555 0143", "BR"), ("(11) 91234-5678", "BR"),
        // Italy: the leading zero is part of the number.
        ("06 1234 5678", "IT"), ("+39 06 1234 5678", "IT"), ("0039 333 123 4567", "IT"), ("39 06 1234 5678", "IT"),
        ("333 123 4567", "IT"), ("0 6 1234 5678", "IT"), ("+39 0 6 1234 5678", "IT"), ("0039 06 1234 5678", "IT"),
        // Russia: trunk `8`, international `810`.
        ("8 (495) 123-45-67", "RU"), ("8 10 44 20 7946 0018", "RU"), ("810 44 20 7946 0018", "RU"),
        ("7 495 123 45 67", "RU"), ("+7 (495) 123-45-67", "RU"), ("8 800 555 35 35", "RU"), ("8 701 123 4567", "KZ"),
        // Korea and China: carrier codes in the trunk prefix and international prefix.
        ("010-1234-5678", "KR"), ("0082 2 123 4567", "KR"), ("00700 82 2 123 4567", "KR"), ("081 2 123 4567", "KR"),
        ("0085 1 2 123 4567", "KR"), ("010 1234 5678", "CN"), ("17951 010 1234 5678", "CN"),
        ("12593 138 0013 8000", "CN"), ("0086 10 1234 5678", "CN"), ("86 138 0013 8000", "CN"),
        ("17900 44 20 7946 0018", "CN"),
        // Australia: `0011` and the `14…0011` prefixes; `1831` for Christmas Island dialling.
        ("0011 44 20 7946 0018", "AU"), ("1831 2 9876 5432", "AU"), ("(02) 9876 5432", "AU"),
        ("0412 345 678", "AU"), ("61 412 345 678", "AU"), ("14110011 44 20 7946 0018", "AU"),
        ("0011 61 412 345 678", "CX"), ("08 9164 1234", "CC"),
        // Japan, the US, Britain, Germany, France, India.
        ("010 81 3 1234 5678", "JP"), ("03-1234-5678", "JP"), ("81 3 1234 5678", "JP"), ("0120-123-456", "JP"),
        ("1 212 555 0143", "US"), ("011 44 20 7946 0018", "US"), ("212.555.0143", "US"), ("1 800 555 0199", "US"),
        ("+1 (212) 555-0143", "US"), ("0011 212 555 0143", "US"), ("1 441 234 5678", "BM"), ("234 5678", "BM"),
        ("020 7946 0018", "GB"), ("44 20 7946 0018", "GB"), ("0044 (0)20 7946 0018", "GB"),
        ("+44 (0) 20 7946 0018", "GB"), ("0800 123 456", "GB"), ("01481 123456", "GG"), ("123456", "GG"),
        ("01624 123456", "IM"), ("030 123456", "DE"), ("0049 30 123456", "DE"), ("+49 (0)30 123456", "DE"),
        ("49 30 123456", "DE"), ("0 30 / 12 34 56", "DE"), ("01511 2345678", "DE"),
        ("01 23 45 67 89", "FR"), ("+33 (0)1 23 45 67 89", "FR"), ("33 1 23 45 67 89", "FR"),
        ("098765 43210", "IN"), ("91 98765 43210", "IN"), ("+91-98765-43210", "IN"), ("0091 80 1234 5678", "IN"),
        // Transform rules of smaller plans.
        ("01 23 45 67", "GA"), ("011 23 45 67", "GA"), ("0549 123456", "SM"), ("123456", "SM"), ("12345", "NF"),
        ("34 123 45", "MG"), ("020 34 123 45", "MG"),
        // Non-geographical codes, unknown codes, short and long texts.
        ("+800 1234 5678", nil), ("+882 3456 7890 12", "DE"), ("+979 1234 5678", nil), ("+999 1234 5678", "US"),
        ("+0044 20 7946 0018", "GB"), ("00 0 44 20 7946 0018", "GB"), ("0 0 44 20 7946 0018", "GB"),
        ("+1 2", "US"), ("123", "US"), ("+12", nil), ("+123", nil), ("00 44", "GB"), ("+44 20", "GB"),
        ("00 49 30", "DE"),
        ("000-000-0000", "US"), ("0000", "DE"), ("00000000000", "IT"), ("1234567890123456789", "US"),
        ("+1 234 567 890 123 456 789 01", nil), ("12345678901234567", "DE"), ("0 12345678901234567", "DE"),
        // Extensions: ` x12`, ` ext 12`, ` ext. 12` after a plain number are read without Parse.
        ("(303) 555-0104 x12", "US"), ("303-555-0104 ext. 4412", "US"), ("+1 303 555 0104 EXT 7", "GB"),
        ("0044 20 7946 0018 x 123", "US"), ("020 7946 0018 x1234567", "GB"), ("555-0104 x12", "US"),
        ("12 x3", "US"), ("+44 20 7946 0018  X 99", nil), ("030/555 01 03 ext.21", "DE"), ("(0) x12", "GB"),
        ("020\t7946 0018 x12", "GB"), ("1-617-555-0134 x57", "US"), ("0 0 44 20 7946 0018 x12", "US"),
        ("+1 x12", "US"), ("020 7946 0018 ext 000000", "GB"), ("020 7946 0018 extn 12", "GB"),
        // Not plain text: Parse on both routes.
        ("(303) 555-0104 ext. 21", "US"), ("n/a", "US"), ("+４４ ２０ ７９４６ ００１８", "GB"), ("tel:+44-20-7946-0018", nil)
    ].map { Case(text: $0.0, region: $0.1) }

    @Test(arguments: hardCases)
    func hardCasesReadAsParseReadsThem(_ item: Case) {
        var comparison = Comparison()
        comparison.compareEveryWay(item)
        comparison.compareEveryWay(Case(text: item.text, region: nil))
        comparison.compareEveryWay(Case(text: item.text, region: "US"))
        #expect(comparison.differences.isEmpty, "\(comparison.differences.joined(separator: "\n"))")
    }

    /// 240 generated numbers per region, each read in one format, turn about, validated or not.
    @Test(arguments: PhoneNumberLibrary.supportedRegions)
    func generatedNumbersReadAsParseReadsThem(region: String) {
        var comparison = Comparison()
        for (index, text) in GeneratedNumbers.texts(for: region, count: 240).enumerated() {
            let format = Format.allCases[index % 3]
            let validate = index % 2 == 1
            comparison.compare(Case(text: text, region: region), format: format, validate: validate)
            // International forms are also read without a region, and national ones in another.
            if index % 4 == 0 {
                comparison.compare(
                    Case(text: text, region: index % 8 == 0 ? nil : "GB"),
                    format: .e164, validate: false)
            }
        }
        #expect(comparison.differences.isEmpty, "\(comparison.differences.prefix(10).joined(separator: "\n"))")
        #expect(comparison.readByPlainReader > 0)
    }
}

/// A number a phone transform writes in E.164 is marked as its own match form only when reading
/// it again, as matching does, gives it back: then matching skips that second reading.
struct SettledNumberTests {
    static func isSettled(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(PhoneNumberLibrary.isSettledE164)
    }

    /// Every region's generated numbers and the hard cases, written E.164 and read again.
    @Test func aSettledNumberIsItsOwnMatchForm() {
        var written = 0
        var settled = 0
        var wrong: [String] = []
        let cases =
            PhoneNumberLibrary.supportedRegions.flatMap { region in
                GeneratedNumbers.texts(for: region, count: 120).map {
                    PhoneNumberLibraryTests.Case(text: $0, region: region)
                }
            } + PhoneNumberLibraryTests.hardCases
        for item in cases {
            var text = item.text
            let reading = text.withUTF8 {
                PhoneNumberLibrary.read($0, region: item.region, format: .e164, validate: false)
            }
            let number: PhoneNumberLibrary.Number
            switch reading {
            case .possible(let read), .localOnly(let read): number = read
            default: continue
            }
            written += 1
            var formatted = number.formatted
            guard Self.isSettled(formatted) else { continue }
            settled += 1
            // Marked: matching's reading of it gives it back, a possible number.
            let again = formatted.withUTF8 { PhoneNumberLibrary.read($0, region: nil, format: .e164, validate: false) }
            guard case .possible(let reread) = again, reread.formatted == number.formatted else {
                wrong.append("\(item.testDescription): \(number.formatted) reads back as \(again)")
                continue
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10).joined(separator: "\n"))")
        // The mark is worth having: most numbers written are settled.
        #expect(settled * 2 > written, "\(settled) of \(written) settled")
    }

    /// A number whose digits after the calling code start with its national prefix lose it when
    /// read again (libphonenumber kept it the first time only because the text had another prefix
    /// before it): such a number is never marked, and matching reads it again.
    @Test(arguments: [
        ("+375 (0)-060 50 38", "AE", "+3750605038", "+375605038"),
        ("0 08 - 599 - 9", "AU", "+61085999", "+6185999"),
        ("+375 081997 10 951", "BY", "+3758199710951", "+375199710951")
    ])
    func aNumberThatReadsBackOtherwiseIsNotSettled(text: String, region: String, written: String, reread: String) {
        var text = text
        let reading = text.withUTF8 { PhoneNumberLibrary.read($0, region: region, format: .e164, validate: false) }
        guard case .possible(let number) = reading else {
            Issue.record("\(text) in \(region): \(reading)")
            return
        }
        #expect(number.formatted == written)
        #expect(!Self.isSettled(number.formatted))
        #expect(PhoneRule.matchForm(number.formatted) == reread)
    }

    /// A number of impossible length is written too, but matching reads it as no number at all:
    /// it is not marked (the mark promises a possible number).
    @Test func aNumberOfImpossibleLengthIsNotSettled() {
        var tooLong = "+44 20 7946 00181"
        let long = tooLong.withUTF8 { PhoneNumberLibrary.read($0, region: "GB", format: .e164, validate: false) }
        #expect(long == .impossibleLength)
        #expect(!Self.isSettled("+4420794600181"))
        var local = "253 0000"
        let short = local.withUTF8 { PhoneNumberLibrary.read($0, region: "US", format: .e164, validate: false) }
        guard case .localOnly(let number) = short else {
            Issue.record("253 0000 in US: \(short)")
            return
        }
        #expect(number.formatted == "+12530000")
        #expect(!Self.isSettled(number.formatted))
    }
}
