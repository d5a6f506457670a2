/// A date format a mapping declares: a pattern of `yyyy`, `yy`, `MMMM`/`MMM` (a month's name),
/// `MM`, `M`, `dd`, `d` and literal characters (`dd.MM.yyyy`, `MMMM d, yyyy`, `d MMM yyyy`, `yyyy`
/// alone), ISO 8601, or Excel serial day numbers. A time after the date, after a space or `T`, is
/// read past, written in the pattern (`M/d/yyyy H:mm`) or not. Dates keep their calendar date whatever UTC
/// offset they carry: Workday's `2021-06-14-07:00` is June 14.
///
/// | pattern | reads | date |
/// |---|---|---|
/// | `yyyy` | `1985` | `1985-01-01` (a year alone: `[{ date: yyyy }, year]`) |
/// | `yy` | `49`, `50` | 2049, 1950: 00–49 are 2000–2049, 50–99 are 1950–1999 (Insights keeps 1901–2049) |
/// | `MMMM d, yyyy` | `June 14, 2021` | `2021-06-14` |
/// | `d MMM yyyy` | `14 Jun 2021`, `3 Mär. 2020` (with `source.locale: de`) | `2021-06-14`, `2020-03-03` |
///
/// Month names are English, plus those of the job's `source.locale`, in any case, full or
/// abbreviated, with or without a trailing dot.
enum DateFormat: Equatable, Sendable {
    case iso
    case excel
    case pattern([Token], months: MonthNames)

    enum Token: Equatable, Sendable {
        case year4, year2, month, monthName, day
        case literal(Character)
    }

    /// The pivot of two-digit years: below it 20yy, from it 19yy.
    static let twoDigitPivot = 50

    init(_ text: String, locale: String? = nil) throws {
        switch text.lowercased() {
        case "iso", "iso8601", "iso-8601":
            self = .iso
            return
        case "excel", "excel-serial":
            self = .excel
            return
        default: break
        }
        var tokens: [Token] = []
        var rest = Substring(text)
        while let first = rest.first {
            if rest.hasPrefix("yyyy") {
                tokens.append(.year4)
                rest = rest.dropFirst(4)
            } else if rest.hasPrefix("MMMM") {
                tokens.append(.monthName)
                rest = rest.dropFirst(4)
            } else if rest.hasPrefix("MMM") {
                tokens.append(.monthName)
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("yy") {
                tokens.append(.year2)
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix("MM") || rest.hasPrefix("M") {
                tokens.append(.month)
                rest = rest.dropFirst(rest.hasPrefix("MM") ? 2 : 1)
            } else if rest.hasPrefix("dd") || rest.hasPrefix("d") {
                tokens.append(.day)
                rest = rest.dropFirst(rest.hasPrefix("dd") ? 2 : 1)
            } else if first == "'", let close = rest.dropFirst().firstIndex(of: "'") {
                // A quoted literal, as ICU writes them: `yyyy-MM-dd'T'HH:mm`.
                tokens += rest[rest.index(after: rest.startIndex)..<close].map { .literal($0) }
                rest = rest[rest.index(after: close)...]
            } else if "HhmsSa".contains(first), tokens.contains(.year4) || tokens.contains(.year2) {
                // A time after the date (`M/d/yyyy H:mm`): Insights keeps the date, so the time
                // is read as whatever follows the date after a space or `T`.
                while case .literal(let character)? = tokens.last, character == " " || character == "T" {
                    tokens.removeLast()
                }
                break
            } else if first.isLetter {
                throw TransformFailure(
                    rule:
                        "unknown date pattern letter '\(first)' (use yyyy, yy, MMMM, MMM, MM, M, dd, d; a time such "
                        + "as HH:mm may follow the date)", value: text)
            } else {
                tokens.append(.literal(first))
                rest = rest.dropFirst()
            }
        }
        let hasMonth = tokens.contains(.month) || tokens.contains(.monthName)
        guard tokens.contains(.year4) || tokens.contains(.year2), hasMonth || !tokens.contains(.day) else {
            throw TransformFailure(rule: "a date pattern needs a year (and a month for a day)", value: text)
        }
        self = .pattern(tokens, months: tokens.contains(.monthName) ? try MonthNames(locale: locale) : MonthNames.none)
    }

    /// The ISO date (`YYYY-MM-DD`) of `text` in the first format that reads it.
    static func parse(_ text: String, formats: [DateFormat]) throws -> String {
        let trimmed = Transform.trimmed(text)
        let bytes = Array(trimmed.utf8)
        var missingDay: (year: Int, month: Int, day: Int)?
        for format in formats {
            if let date = format.read(bytes, trimmed, missingDay: &missingDay) { return date }
        }
        // In the format, but a day the calendar lacks: say which, not that the format is wrong.
        if let (year, month, day) = missingDay {
            let leap = month == 2 && day == 29 ? " in \(year), which is no leap year" : ""
            throw TransformFailure(
                rule: "not a date: there is no \(day) \(DateFormat.monthNames[month - 1])\(leap) "
                    + "(\(DateFormat.monthNames[month - 1]) has \(daysIn(month, year)) days)", value: text)
        }
        if formats == [.iso],
            trimmed.range(of: #"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$"#, options: .regularExpression) != nil
        {
            throw TransformFailure(
                rule: "ambiguous date: declare its format (e.g. 'dd.MM.yyyy' or 'MM/dd/yyyy')", value: text)
        }
        // A cell that lost its date format in Excel holds the serial day number: say so.
        if !formats.contains(.excel), trimmed.utf8.count == 5, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let date = DateFormat.excel.read(bytes, trimmed, missingDay: &missingDay)
        {
            throw TransformFailure(
                rule: "not a date in the declared format\(formats.count > 1 ? "s" : ""): an Excel serial "
                    + "day number (\(date))? add 'excel' to the formats if so", value: text)
        }
        if isExcelDayZero(trimmed) {
            throw TransformFailure(
                rule: "placeholder date (Excel's day 0, January 0th 1900, stands in for an empty cell): "
                    + "leave it empty, or list it in 'null_tokens'", value: text)
        }
        throw TransformFailure(rule: "not a date in the declared format\(formats.count > 1 ? "s" : "")", value: text)
    }

    /// Excel's serial 0 in whatever order a locale writes dates: `1/0/1900`, `00/01/1900`,
    /// `00.01.1900`, `1900-01-00` — day 0, month 1 (or 0), year 1900 — or with a two-digit
    /// year, `1/0/00` as an `m/d/yy` cell shows it; with or without a time after it.
    static func isExcelDayZero(_ text: String) -> Bool {
        // A time after the date (`1/0/1900 0:00`, as a date-time cell shows it) is not part of it.
        let parts = Array(text.split { !$0.isASCII || !$0.isNumber }.prefix(3))
        let groups = parts.compactMap { Int($0) }.sorted()
        if groups == [0, 1, 1900] || groups == [0, 0, 1900] { return true }
        return groups == [0, 0, 1] && parts.count == 3 && parts.contains { $0 == "00" }
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December"
    ]

    /// The ISO date the bytes spell in this format; nil otherwise, with `missingDay` set when
    /// they are in the format but name a day the month lacks (31 April, 29 February 2023).
    private func read(
        _ bytes: [UInt8], _ text: String, missingDay: inout (year: Int, month: Int, day: Int)?
    ) -> String? {
        func checked(_ year: Int, _ month: Int, _ day: Int) -> String? {
            let date = DateFormat.validated(year, month, day)
            if date == nil, (1...12).contains(month), (1...31).contains(day), missingDay == nil {
                missingDay = (year, month, day)
            }
            return date
        }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        switch self {
        case .iso:
            // 2021-06-14, 2021-06-14-07:00, 2021-06-14Z, 2023-04-12T17:03:11.000Z, 2011-05-23T17:56:22+04:00
            guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
            else { return nil }
            if bytes.count > 10 && !"TZ+- ".utf8.contains(bytes[10]) { return nil }
            return checked(year, month, day)
        case .excel:
            guard let serial = Double(text), serial >= 1, serial < 2_958_466 else { return nil }
            // Excel day 1 is 1900-01-01, and it believes 1900 was a leap year: count from 1899-12-30.
            return DateFormat.civil(fromDays: Int(serial.rounded(.down)) + DateFormat.days(1899, 12, 30))
        case .pattern(let tokens, let months):
            var index = 0
            var year: Int?
            var month: Int?
            var day: Int?
            let onlyYear = !tokens.contains(.month) && !tokens.contains(.monthName)
            if onlyYear {
                month = 1
                day = 1
            }
            for token in tokens {
                switch token {
                case .monthName:
                    guard let (number, end) = months.read(bytes, at: index) else { return nil }
                    month = number
                    index = end
                case .literal(let character):
                    guard index < bytes.count, character.utf8.count == 1, bytes[index] == character.utf8.first! else {
                        return nil
                    }
                    index += 1
                case .year4, .year2, .month, .day:
                    let maxDigits = token == .year4 ? 4 : 2
                    var end = index
                    while end < bytes.count, end - index < maxDigits, bytes[end] >= 0x30 && bytes[end] <= 0x39 {
                        end += 1
                    }
                    let fixed = token == .year4 || token == .year2
                    guard end > index, !fixed || end - index == maxDigits, let value = number(index..<end) else {
                        return nil
                    }
                    index = end
                    switch token {
                    case .year4: year = value
                    case .year2: year = value < DateFormat.twoDigitPivot ? 2000 + value : 1900 + value
                    case .month: month = value
                    default: day = value
                    }
                }
            }
            guard index == bytes.count || (!onlyYear && (bytes[index] == 0x20 || bytes[index] == UInt8(ascii: "T"))),
                let year, let month
            else { return nil }
            return checked(year, month, day ?? 1)
        }
    }

    static func validated(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month, year) else { return nil }
        return String(format4: year) + "-" + String(format2: month) + "-" + String(format2: day)
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays days: Int) -> String? {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return validated(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    init(format4 value: Int) {
        let text = "\(value)"
        self = text.count >= 4 ? text : Swift.String(repeating: "0", count: 4 - text.count) + text
    }
}
