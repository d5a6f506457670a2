import Foundation
import Testing

@testable import FlexSync

struct TransformTests {
    /// (expression, input value of column `v`, expected JSON or "error: …")
    @Test(arguments: [
        ("{ field: v, transforms: [trim] }", "  Ana  ", #""Ana""#),
        ("{ field: v, transforms: [collapse_whitespace] }", " Ana \t  Lima ", #""Ana Lima""#),
        ("{ field: v, transforms: [collapse_whitespace] }", "\u{00A0}Zoë\u{00A0}\u{00A0} Weiß ", #""Zoë Weiß""#),
        ("{ field: v, transforms: [trim] }", "\u{3000}Łukasz\u{00A0}", #""Łukasz""#),
        ("{ field: v, transforms: [collapse_whitespace] }", "Ana\tLima", #""Ana Lima""#),
        ("{ field: v, transforms: [lower] }", "ÉMILE", #""émile""#),
        ("{ field: v, transforms: [upper] }", "straße", #""STRASSE""#),
        ("{ field: v, transforms: [title] }", "mARIA dA silva", #""Maria Da Silva""#),
        ("{ field: v, transforms: [{ default: Unknown }] }", "", #""Unknown""#),
        ("{ field: v, transforms: [{ map: { A: Active, T: Terminated } }] }", "T", #""Terminated""#),
        ("{ field: v, transforms: [{ map: { A: Active }, otherwise: Other }] }", "X", #""Other""#),
        (
            "{ field: v, transforms: [{ map: { A: Active } }] }", "X",
            "error: in.csv:2: state: value is not in the map: X"
        ),
        ("{ field: v, transforms: [{ replace: \"[^0-9]\", with: \"\" }] }", "A-12 3", #""123""#),
        ("{ field: v, transforms: [{ extract: \"^([A-Z]+)-\" }] }", "SUP-100", #""SUP""#),
        (
            "{ field: v, transforms: [{ require: \"^[A-Z]{3}-\\\\d+$\" }] }", "sup100",
            "error: in.csv:2: state: does not match /^[A-Z]{3}-\\d+$/: sup100"
        ),
        ("{ field: v, transforms: [{ split: \"|\" }, upper, { join: \", \" }] }", "a| b |c", #""A, B, C""#),
        (
            "{ field: v, transforms: [{ split: \"|\" }] }", "a|b",
            "error: in.csv:2: state: a list of 2 values: add a 'join' transform: [a, b]"
        ),
        ("{ field: v, transforms: [hierarchy] }", "London/Sales/Sales 2", #""London ▸ Sales ▸ Sales 2""#),
        ("{ field: v, transforms: [{ hierarchy: \" > \" }] }", "EMEA > UK", #""EMEA ▸ UK""#),
        ("{ field: v, transforms: [{ truncate: 5 }] }", "Sam 👩‍💻 rocks", #""Sam ""#),
        ("{ field: v, transforms: [{ truncate: 9 }] }", "Sam 👩‍💻 rocks", #""Sam 👩‍💻""#),
        ("{ field: v, transforms: [{ prefix: \"sf:\" }] }", "003A", #""sf:003A""#),
        ("{ field: v, transforms: [email] }", " Ana.Lima@Example.COM ", #""ana.lima@example.com""#),
        (
            "{ field: v, transforms: [email] }", "ana at example",
            "error: in.csv:2: state: not an e-mail address: ana at example"
        ),
        (
            "{ field: v, transforms: [email] }", "a@b@example.com",
            "error: in.csv:2: state: not an e-mail address: a@b@example.com"
        ),
        (
            "{ field: v, transforms: [email] }", "@example.com",
            "error: in.csv:2: state: not an e-mail address: @example.com"
        ),
        (
            "{ field: v, transforms: [email] }", "ana@example",
            "error: in.csv:2: state: not an e-mail address: ana@example"
        ),
        (
            "{ field: v, transforms: [email] }", "ana@.example.com",
            "error: in.csv:2: state: not an e-mail address: ana@.example.com"
        ),
        (
            "{ field: v, transforms: [email] }", "ana@example.com.",
            "error: in.csv:2: state: not an e-mail address: ana@example.com."
        ),
        (
            "{ field: v, transforms: [email] }", "ola..hansen@example.no",
            "error: in.csv:2: state: not an e-mail address: ola..hansen@example.no"
        ),
        (
            "{ field: v, transforms: [email] }", "ola.@example.no",
            "error: in.csv:2: state: not an e-mail address: ola.@example.no"
        ),
        (
            "{ field: v, transforms: [email] }", ".ola@example.no",
            "error: in.csv:2: state: not an e-mail address: .ola@example.no"
        ),
        ("{ field: v, transforms: [email] }", "ola.k.hansen@example.no", #""ola.k.hansen@example.no""#),
        // A top-level domain typed wrong, and a Cyrillic `а` among Latin letters: no mail arrives.
        (
            "{ field: v, transforms: [email] }", "Ana@Gmail.CON",
            "error: in.csv:2: state: a misspelt top-level domain ('.con'): correct the address: Ana@Gmail.CON"
        ),
        (
            "{ field: v, transforms: [email] }", "ana@ex\u{430}mple.com",
            "error: in.csv:2: state: Latin and Cyrillic or Greek letters in one part of the domain (a look-alike "
                + "letter): correct the address: ana@ex\u{430}mple.com"
        ),
        ("{ field: v, transforms: [email] }", "ivan@пример.рф", #""ivan@пример.рф""#),
        (
            "{ field: v, transforms: [email] }", "NoEmail@acme.com",
            "error: in.csv:2: state: a placeholder mailbox, not the person's address: leave it empty, or list it in "
                + "'null_tokens': NoEmail@acme.com"
        ),
        (
            "{ field: v, transforms: [email] }", "test@test.com",
            "error: in.csv:2: state: a placeholder mailbox, not the person's address: leave it empty, or list it in "
                + "'null_tokens': test@test.com"
        ),
        ("{ field: v, transforms: [email] }", "nora.lind@acme.com", #""nora.lind@acme.com""#),
        ("{ field: v, transforms: [email] }", "ana@example.co", #""ana@example.co""#),
        (
            "{ field: v, transforms: [email] }", "ana lima@example.com",
            "error: in.csv:2: state: not an e-mail address: ana lima@example.com"
        ),
        ("{ field: v, transforms: [email] }", "Zoë.Weiß@Example.DE", #""zoë.weiß@example.de""#),
        ("{ field: v, transforms: [lower] }", "Team-42 A", #""team-42 a""#),
        ("{ template: \"{v} ({w})\" }", "Ana", #""Ana (x)""#),
        ("{ coalesce: [missing_column, w] }", "Ana", #""x""#),
        ("{ hierarchy: [v, w] }", "London", #""London ▸ x""#),
        ("{ const: Active }", "", #""Active""#),
        (
            "{ when: { field: v, matches: \"^Term\" }, then: { const: Inactive }, else: { const: Active } }",
            "Terminated", #""Inactive""#
        ),
        (
            "{ when: { field: v, matches: \"^Term\" }, then: { const: Inactive }, else: { const: Active } }", "Active",
            #""Active""#
        ),
        ("{ when: { field: v, empty: true }, then: { const: none }, else: v }", "", #""none""#)
    ])
    func textTransforms(expression: String, input: String, expected: String) throws {
        let yaml = MapHarness.one("state", expression)
        let value = try MapHarness.value(yaml, csv: "id,v,w\n1,\"\(input)\",x\n", key: "state")
        #expect(value == expected)
    }

    @Test(arguments: [
        ("{ date: dd.MM.yyyy }", "14.06.2021", #""2021-06-14""#),
        ("{ date: MM/dd/yyyy }", "06/14/2021", #""2021-06-14""#),
        ("{ date: [dd.MM.yyyy, iso] }", "2021-06-14", #""2021-06-14""#),
        ("date", "2021-06-14-07:00", #""2021-06-14""#),
        ("date", "2023-04-12T17:03:11.000Z", #""2023-04-12""#),
        ("date", "2011-05-23T17:56:22+04:00", #""2011-05-23""#),
        ("{ date: excel }", "43556", #""2019-04-01""#),
        (
            "date", "03/04/21",
            "error: in.csv:2: customers.acquisition_date: ambiguous date: declare its format (e.g. 'dd.MM.yyyy' or 'MM/dd/yyyy'): 03/04/21"
        ),
        (
            "{ date: dd.MM.yyyy }", "31.02.2021",
            "error: in.csv:2: customers.acquisition_date: not a date: there is no 31 February (February has 28 days): 31.02.2021"
        ),
        (
            "date", "1899-06-30",
            "error: in.csv:2: customers.acquisition_date: date outside Insights' years 1901–2049: 1899-06-30"
        ),
        // Excel's day 0 as its XML Spreadsheet writes a DateTime cell.
        (
            "date", "1899-12-31T00:00:00.000",
            "error: in.csv:2: customers.acquisition_date: placeholder date (1899-12-31 stands in for an unknown or "
                + "open-ended date): leave it empty, or list it in 'null_tokens': 1899-12-31T00:00:00.000"
        ),
        // An empty date-time as Keap and Access write it is empty, like the date alone.
        ("{ date: MM/dd/yyyy }", "00/00/0000 12:00 AM", "remove"),
        (
            "date", "2050-01-01",
            "error: in.csv:2: customers.acquisition_date: date outside Insights' years 1901–2049: 2050-01-01"
        )
    ])
    func dates(transform: String, input: String, expected: String) throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.acquisition_date: { field: v, transforms: [\(transform)] }
            """
        #expect(try MapHarness.value(yaml, csv: "id,v\n1,\(input)\n", key: "customers.acquisition_date") == expected)
    }

    @Test(arguments: [
        ("number", "1234.5", "1234.5"),
        ("{ number: { decimal: \",\", group: \".\" } }", "1.234,56", "1234.56"),
        ("number", "1,000", "1000"),
        (
            "number", "4,93056E+11",
            "error: in.csv:2: customers.business_value: looks like a number Excel turned into scientific notation: 4,93056E+11"
        ),
        ("number", "twelve", "error: in.csv:2: customers.business_value: not a number: twelve")
    ])
    func numbers(transform: String, input: String, expected: String) throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.business_value: { field: v, transforms: [\(transform)] }
            """
        #expect(try MapHarness.value(yaml, csv: "id,v\n1,\"\(input)\"\n", key: "customers.business_value") == expected)
    }

    @Test(arguments: [
        ("{ country: US }", "(303) 555-0104 ext. 21", #""+13035550104""#),
        ("{ country: GB }", "+44 (0)20 7946 0018", #""+442079460018""#),
        ("{ country: GB }", "0044 20 7946 0018", #""+442079460018""#),
        ("{ country: DE }", "030/555 01 03", #""+49305550103""#),
        ("{ country: DE }", "'+49 30 5550103", #""+49305550103""#),
        ("{ country: US }", "555-0127", "error: in.csv:2: phone: local US number without its area code: 555-0127"),
        (
            "{ country: US }", "4,93056E+11",
            "error: in.csv:2: phone: phone number damaged by Excel (scientific notation): 4,93056E+11"
        ),
        ("{ country_field: c }", "020 7946 0018", #""+442079460018""#),
        ("{ country: DE }", "  +49 (0)30 555-0103  ", #""+49305550103""#),
        ("{ country: DE }", "(0)30 5550103", #""+49305550103""#),
        ("{ country: DE }", "\t030 5550103\u{00A0}", #""+49305550103""#),
        ("{ country: US }", "1-303-555-0104", #""+13035550104""#),
        ("{ country: US }", "+1 (303) 555.0104", #""+13035550104""#),
        ("{ country: DE }", "00 49 30 5550103", #""+49305550103""#),
        ("{ country: DE }", "030 55+50103", "error: in.csv:2: phone: not a phone number: 030 55+50103"),
        ("{ country: DE }", "+49 30", "error: in.csv:2: phone: not a valid international phone number: +49 30"),
        (
            "{ country: DE, require: valid }", "030 55",
            "error: in.csv:2: phone: DE number outside the assigned ranges: 030 55"
        ),
        ("{ country: ES }", "612 345 678", #""+34612345678""#)
    ])
    func phones(rule: String, input: String, expected: String) throws {
        let yaml = MapHarness.one("phone", "{ field: v, transforms: [{ phone: \(rule) }] }")
        let csv = "id,v,c\n1,\"\(input)\",United Kingdom\n"
        let got = try MapHarness.value(yaml, csv: csv, key: "phone", policy: .init())
        #expect(got == expected)
    }

    @Test func nullTokensMissingAndEmptyAreAllNull() throws {
        let yaml = MapHarness.one("location", "{ field: v, on_empty: keep }")
        let policy = Mapping.RunPolicy(nullTokens: ["", "N/A", "-"])
        for input in ["", "N/A", "-", " - "] {
            #expect(
                try MapHarness.value(yaml, csv: "id,v\n1,\"\(input)\"\n", key: "location", policy: policy) == "keep",
                "\(input)")
        }
        let removing = MapHarness.one("location", "v")
        #expect(try MapHarness.value(removing, csv: "id,v\n1,\n", key: "location") == "remove")
        let emptying = MapHarness.one("location", "{ field: v, on_empty: empty }")
        #expect(try MapHarness.value(emptying, csv: "id,v\n1,\n", key: "location") == #""""#)
    }

    @Test func valuesAreNormalisedToNFC() throws {
        let decomposed = "Zoe\u{0308}"  // e + combining diaeresis
        let value = try MapHarness.value(
            MapHarness.one("full_name", "v"), csv: "id,v\n1,\(decomposed)\n", key: "full_name")
        #expect(Array(value.utf8) == Array("\"Zo\u{00EB}\"".utf8))
    }

    @Test func lookupTablesBesideTheMapping() throws {
        let mapping = try Mapping.load(
            path: Fixtures.repositoryRoot.appendingPathComponent("Mappings/excel-hr-de-workers.yaml").path)
        let reader = try CSVReader(
            bytes: Array(
                "Personalnummer;Vorname;Nachname;E-Mail;Telefon;Abteilung;Team;Standort;Eintrittsdatum;Status\n1;A;B;a@b.de;030 5550103;K;T 1;Köln;01.02.2020;aktiv\n2;A;B;c@b.de;030 5550103;Z;T;Köln;01.02.2020;aktiv\n"
                    .utf8), name: "hr.csv")
        let first = mapping.run(try #require(try reader.next()), policy: .init())
        #expect(first.set.first { $0.key == "department_name" }?.value == .string("Kundenservice"))
        #expect(first.set.first { $0.key == "team_id" }?.value == .string("t-1"))
        #expect(first.set.first { $0.key == "agent_attribute_1" }?.value == .string("2020"))
        let second = mapping.run(try #require(try reader.next()), policy: .init())
        #expect(
            second.problems.map { $0.line(showValues: true) } == [
                "hr.csv:3: department_name: no row in lookup table 'abteilungen.csv': Z"
            ])
    }

    /// Attributes that depend on one field remember what each text made; every row still gets
    /// its own value and its own located problem, whether the result was computed or remembered.
    @Test func rememberedResultsStillComeRowByRow() throws {
        let yaml = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              team_id: { field: team, transforms: [lower, { replace: "[^a-z0-9]+", with: "-" }] }
              location: { field: dept, transforms: [{ map: { V: Berlin } }] }
            """
        var csv = "id,team,dept\n"
        for row in 1...9_000 { csv += "\(row),Team \(row % 7),\(row % 1000 == 0 ? "X" : "V")\n" }
        let records = try MapHarness.map(yaml, csv: csv)
        #expect(records.count == 9_000)
        for (index, record) in records.enumerated() {
            let row = index + 1
            #expect(record.set.first { $0.key == "team_id" }?.value == .string("team-\(row % 7)"))
            if row % 1000 == 0 {
                #expect(
                    record.problems.map { $0.line(showValues: true) } == [
                        "in.csv:\(row + 1): location: value is not in the map: X"
                    ])
            } else {
                #expect(
                    record.problems.isEmpty && record.set.first { $0.key == "location" }?.value == .string("Berlin"))
            }
        }
    }

    /// A mapping reused with other null tokens maps the same text differently, and a phone number
    /// whose country comes from another column is never taken from an earlier row's result.
    @Test func rememberedResultsFollowNullTokensAndOtherColumns() throws {
        let mapping = try Mapping.parse(
            """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              location: loc
              phone: { field: phone, transforms: [{ phone: { country_field: country } }] }
            """, path: "m.yaml")
        let csv = "id,loc,phone,country\n1,N/A,030 1234567,DE\n2,N/A,030 1234567,GB\n"
        let plain = try MapHarness.run(mapping, csv: csv)
        #expect(plain.map { $0.set.first { $0.key == "location" }?.value } == [.string("N/A"), .string("N/A")])
        #expect(
            plain.map { $0.set.first { $0.key == "phone" }?.value } == [
                .string("+49301234567"), .string("+44301234567")
            ])
        let nulls = try MapHarness.run(mapping, csv: csv, policy: Mapping.RunPolicy(nullTokens: ["", "N/A"]))
        #expect(nulls.allSatisfy { $0.remove.contains("location") && !$0.set.contains { $0.key == "location" } })
    }

    /// Lower case on bytes must agree with Unicode's on every text: ASCII, the Latin-1 letters it
    /// handles itself, and whatever it hands on (Ł, Σ, İ, combining marks, ×, ß, ÿ).
    @Test func byteLowerCaseAgreesWithUnicode() {
        let pool = Array("AZaz09 -.@ÀÉÖ×ØÞßàéöøÿŁłΣİ\u{0301}😀") + (0xC0...0x17F).map { Character(Unicode.Scalar($0)!) }
        var random = SeededGenerator(state: 7)
        for _ in 0..<20_000 {
            let text = String(
                (0..<Int.random(in: 0...12, using: &random)).map { _ in pool.randomElement(using: &random)! })
            #expect(Transform.lowercased(text) == text.lowercased(), "\(text)")
        }
    }

    /// Trimming through its shortcuts must agree with Foundation's trimming of white space.
    @Test func trimmingAgreesWithFoundation() {
        let pool = Array("a Zë\t\n\u{00A0}\u{3000}Ł1.\u{0301}")
        var random = SeededGenerator(state: 11)
        for _ in 0..<20_000 {
            let text = String(
                (0..<Int.random(in: 0...8, using: &random)).map { _ in pool.randomElement(using: &random)! })
            #expect(
                Transform.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(text.unicodeScalars.map(\.value))")
        }
    }

    /// Collapsing on bytes against the rule it implements, word by word on scalars: ASCII white
    /// space and the no-break space separate words; words are joined by one space.
    @Test func collapsingAgreesWithSplittingIntoWords() {
        let pool = Array("ab ë\t\n\r\u{00A0}\u{3000}Ł\u{0301}")
        let separators: Set<Unicode.Scalar> = [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\u{00A0}"]
        var random = SeededGenerator(state: 13)
        for _ in 0..<20_000 {
            let text = String(
                (0..<Int.random(in: 0...10, using: &random)).map { _ in pool.randomElement(using: &random)! })
            let words = text.unicodeScalars.split { separators.contains($0) }.map {
                String(String.UnicodeScalarView($0))
            }
            #expect(Transform.collapsed(text) == words.joined(separator: " "), "\(text.unicodeScalars.map(\.value))")
        }
    }

    /// The e-mail check on bytes against its rule written out plainly.
    @Test func emailCheckAgreesWithItsRule() {
        let pool = Array("a.@ \tb,(-")
        var random = SeededGenerator(state: 17)
        for _ in 0..<20_000 {
            let text = String(
                (0..<Int.random(in: 0...7, using: &random)).map { _ in pool.randomElement(using: &random)! })
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            let rule =
                parts.count == 2 && !parts[0].isEmpty && !text.contains { $0 == " " || $0 == "\t" }
                && parts[1].contains(".") && parts[1].first != "." && parts[1].last != "."
                && !parts[1].contains("..") && parts[1].allSatisfy { "ab.-".contains($0) }
                && !parts[0].contains { ",(".contains($0) }
                && parts[0].first != "." && parts[0].last != "." && !parts[0].contains("..")
            var copy = text
            #expect(copy.withUTF8(Transform.isEmailAddress) == rule, "\(text)")
        }
    }
}
