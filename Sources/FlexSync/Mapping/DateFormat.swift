/// A date format a mapping declares: a pattern of `yyyy`, `yy`, `MM`, `M`, `dd`, `d` and literal
/// characters (`dd.MM.yyyy`, `MM/dd/yyyy`), ISO 8601, or Excel serial day numbers. Dates keep
/// their calendar date whatever UTC offset they carry: Workday's `2021-06-14-07:00` is June 14.
enum DateFormat: Equatable, Sendable {
    case iso
    case excel
    case pattern([Token])

    enum Token: Equatable, Sendable {
        case year4, year2, month, day, literal(Character)
    }

    init(_ text: String) throws {
        switch text.lowercased() {
        case "iso", "iso8601", "iso-8601": self = .iso; return
        case "excel", "excel-serial": self = .excel; return
        default: break
        }
        var tokens: [Token] = []
        var rest = Substring(text)
        while let first = rest.first {
            if rest.hasPrefix("yyyy") { tokens.append(.year4); rest = rest.dropFirst(4) }
            else if rest.hasPrefix("yy") { tokens.append(.year2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("MM") || rest.hasPrefix("M") { tokens.append(.month); rest = rest.dropFirst(rest.hasPrefix("MM") ? 2 : 1) }
            else if rest.hasPrefix("dd") || rest.hasPrefix("d") { tokens.append(.day); rest = rest.dropFirst(rest.hasPrefix("dd") ? 2 : 1) }
            else if first.isLetter { throw TransformFailure(rule: "unknown date pattern letter '\(first)' (use yyyy, yy, MM, dd)", value: text) }
            else { tokens.append(.literal(first)); rest = rest.dropFirst() }
        }
        guard tokens.contains(.month), tokens.contains(.day), tokens.contains(.year4) || tokens.contains(.year2) else {
            throw TransformFailure(rule: "a date pattern needs a year, a month and a day", value: text)
        }
        self = .pattern(tokens)
    }

    /// The ISO date (`YYYY-MM-DD`) of `text` in the first format that reads it.
    static func parse(_ text: String, formats: [DateFormat]) throws -> String {
        let trimmed = Transform.trimmed(text)
        let bytes = Array(trimmed.utf8)
        for format in formats {
            if let date = format.read(bytes, trimmed) { return date }
        }
        if formats == [.iso], trimmed.range(of: #"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$"#, options: .regularExpression) != nil {
            throw TransformFailure(rule: "ambiguous date: declare its format (e.g. 'dd.MM.yyyy' or 'MM/dd/yyyy')", value: text)
        }
        throw TransformFailure(rule: "not a date in the declared format\(formats.count > 1 ? "s" : "")", value: text)
    }

    private func read(_ bytes: [UInt8], _ text: String) -> String? {
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
                  let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            if bytes.count > 10 && !"TZ+- ".utf8.contains(bytes[10]) { return nil }
            return DateFormat.validated(year, month, day)
        case .excel:
            guard let serial = Double(text), serial >= 1, serial < 2_958_466 else { return nil }
            // Excel day 1 is 1900-01-01, and it believes 1900 was a leap year: count from 1899-12-30.
            return DateFormat.civil(fromDays: Int(serial.rounded(.down)) + DateFormat.days(1899, 12, 30))
        case .pattern(let tokens):
            var index = 0
            var year: Int?, month: Int?, day: Int?
            for token in tokens {
                switch token {
                case .literal(let character):
                    guard index < bytes.count, character.utf8.count == 1, bytes[index] == character.utf8.first! else { return nil }
                    index += 1
                case .year4, .year2, .month, .day:
                    let maxDigits = token == .year4 ? 4 : 2
                    var end = index
                    while end < bytes.count, end - index < maxDigits, bytes[end] >= 0x30 && bytes[end] <= 0x39 { end += 1 }
                    let fixed = token == .year4 || token == .year2
                    guard end > index, !fixed || end - index == maxDigits, let value = number(index..<end) else { return nil }
                    index = end
                    switch token {
                    case .year4: year = value
                    case .year2: year = value < 50 ? 2000 + value : 1900 + value
                    case .month: month = value
                    default: day = value
                    }
                }
            }
            guard index == bytes.count || bytes[index] == 0x20 || bytes[index] == UInt8(ascii: "T"), let year, let month, let day else { return nil }
            return DateFormat.validated(year, month, day)
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
