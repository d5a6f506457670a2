import Foundation
import Testing

@testable import FlexSync

/// Date patterns people meet: a year alone, month names (English and the job's locale), and
/// two-digit years around a documented pivot.
struct DatePatternTests {
    static func date(_ format: String, _ input: String, locale: String? = nil) throws -> String {
        let yaml =
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n"
            + "  agent_attribute_1: { field: d, transforms: [{ date: \"\(format)\" }] }\n"
        let mapping = try Mapping.parse(yaml, path: "m.yaml", locale: locale)
        let reader = try CSVReader(bytes: Array("id\td\n1\t\(input)\n".utf8), name: "in.csv")
        let record = try #require(try reader.next())
        let mapped = mapping.run(record, policy: .init())
        if let problem = mapped.problems.first { return "error: " + problem.rule }
        return mapped.set.first { $0.key == "agent_attribute_1" }?.value.displayText ?? "absent"
    }

    @Test(arguments: [
        ("yyyy", "1985", "1985-01-01"),
        ("yyyy", "85", "error: not a date in the declared format"),
        ("MMMM d, yyyy", "June 14, 2021", "2021-06-14"),
        ("MMMM d, yyyy", "june 4, 2021", "2021-06-04"),
        ("d MMM yyyy", "14 Jun 2021", "2021-06-14"),
        ("d MMM yyyy", "14 Sept. 2021", "2021-09-14"),
        ("d MMM yyyy", "14 Juno 2021", "error: not a date in the declared format"),
        ("dd.MM.yy", "01.02.49", "2049-02-01"),
        ("dd.MM.yy", "01.02.50", "1950-02-01"),
        ("MM/dd/yy", "12/31/99", "1999-12-31"),
        // A time after the date, in the pattern or not, is read past: Insights keeps the date.
        ("M/d/yyyy H:mm", "1/15/2021 9:30", "2021-01-15"),
        ("M/d/yyyy H:mm", "1/15/2021", "2021-01-15"),
        ("M/d/yyyy", "1/15/2021 9:30", "2021-01-15"),
        ("dd/MM/yyyy HH:mm:ss", "15/01/2021 09:30:00", "2021-01-15"),
        ("yyyy-MM-dd'T'HH:mm", "2021-01-15T09:30", "2021-01-15"),
        ("dd/MM/yyyy HH:mm", "15/01/2021 09:30", "2021-01-15"),
        // Excel's day 0, as each locale shows it, is a placeholder for an empty cell.
        (
            "M/d/yyyy", "1/0/1900",
            "error: placeholder date (Excel's day 0, January 0th 1900, stands in for an empty cell): leave it empty, or list it in 'null_tokens'"
        ),
        (
            "dd/MM/yyyy", "00/01/1900",
            "error: placeholder date (Excel's day 0, January 0th 1900, stands in for an empty cell): leave it empty, or list it in 'null_tokens'"
        ),
        (
            "dd.MM.yyyy", "00.01.1900",
            "error: placeholder date (Excel's day 0, January 0th 1900, stands in for an empty cell): leave it empty, or list it in 'null_tokens'"
        ),
        ("dd.MM.yyyy", "00.01.1901", "error: not a date in the declared format"),
        // In the format, but a day the calendar lacks: named as such, not as a format mistake.
        ("dd/MM/yyyy", "31/04/2021", "error: not a date: there is no 31 April (April has 30 days)"),
        (
            "yyyy-MM-dd", "2023-02-29",
            "error: not a date: there is no 29 February in 2023, which is no leap year (February has 28 days)"
        ),
        ("yyyy-MM-dd", "2024-02-29", "2024-02-29"),
        ("yyyy/M/d", "2016/4/31", "error: not a date: there is no 31 April (April has 30 days)"),
        ("dd/MM/yyyy", "31/13/2021", "error: not a date in the declared format")
    ])
    func englishPatterns(format: String, input: String, expected: String) throws {
        #expect(try Self.date(format, input) == expected)
    }

    /// A time goes after the date; before it, the mapping is refused with the letters it takes.
    @Test func aTimeBeforeTheDateIsRefused() {
        #expect(throws: ConfigError.self) { try Self.date("HH:mm dd/MM/yyyy", "09:30 15/01/2021") }
        #expect { try Self.date("HH:mm dd/MM/yyyy", "09:30 15/01/2021") } throws: {
            "\($0)".contains(
                "unknown date pattern letter 'H' (use yyyy, yy, MMMM, MMM, MM, M, dd, d; a time such as HH:mm may follow the date)"
            )
        }
    }

    @Test(arguments: [
        ("d. MMMM yyyy", "3. März 2020", "2020-03-03"),
        ("d. MMM yyyy", "3. Mär. 2020", "2020-03-03"),
        ("d. MMMM yyyy", "14. Dezember 2021", "2021-12-14"),
        ("d. MMMM yyyy", "14. December 2021", "2021-12-14")
    ])
    func theJobsLocaleAddsItsMonthNames(format: String, input: String, expected: String) throws {
        #expect(try Self.date(format, input, locale: "de") == expected)
        if input.contains("Dez") {
            #expect(try Self.date(format, input) == "error: not a date in the declared format")
        }
    }

    @Test func theJobNamesTheLocale() throws {
        let yaml =
            "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n"
            + "  agent_attribute_1: { field: d, transforms: [{ date: \"d. MMMM yyyy\" }, year] }\n"
        let job = try TrustJob.csv("id;d\n1;1. Oktober 1999\n", mapping: yaml, source: "locale: de")
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(outcome.isValid)
        #expect(outcome.records.first?.set.last?.value == .string("1999"))
    }
}
