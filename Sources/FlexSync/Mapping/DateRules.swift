/// What Insights accepts of a date, checked wherever a value came from one: after `date` (any
/// pattern, ISO, Excel serials) and `year`, and on date-like keys (`year_of_birth`).
///
/// | value | outcome |
/// |---|---|
/// | `1985-03-02`, `1985` | kept |
/// | `1890-02-11`, `2061`, `2061-04-03` | error: outside Insights' years 1901–2049 |
/// | `1900-01-01`, `0001-01-01`, `9999-12-31`, `4712-12-31`, `4501-01-01`, `1899-12-30`, `1800-01-01`, `1970-01-01 00:00` | error, named as a placeholder for an unknown or open-ended date |
/// | `0000-00-00` (BambooHR's empty date), `0/0/00` (Outlook's), `--03-14` (no year) | empty |
enum DateRules {
    /// Stand-ins for "unknown" or "never": SQL Server's and Excel's first day, .NET's
    /// `DateTime.MinValue` and `MaxValue`, Oracle's end of time, Outlook's "None" (`1/1/4501`),
    /// day 0 of OLE Automation dates (Access, VB, LibreOffice: `30/12/1899`), and SAP's low date
    /// (`18000101`, the start of a record valid since forever). The Unix epoch counts only with a
    /// time of day after it (`1970-01-01 00:00:00`, a time of 0 where none was recorded): a date
    /// alone may be a birthday.
    static let placeholders: Set<String> = [
        "1900-01-01", "0001-01-01", "9999-12-31", "4712-12-31", "4501-01-01", "1899-12-30", "1800-01-01",
        // Excel's day 0 as its XML Spreadsheet 2003 and ISO exports write it.
        "1899-12-31"
    ]

    /// A sentinel that means "no date": the value is empty. Day, month and year all zero in any
    /// order and separator (BambooHR's `0000-00-00`, Outlook's `0/0/00`, SAP's `00000000`), and a
    /// date without its year (`--03-14`, as Google Contacts and vCard write a birthday whose year
    /// is not known): neither names a day Insights could show.
    static func isNullDate(_ text: String) -> Bool {
        if text.hasPrefix("0000-00-00") { return true }
        // A time after the zeros (`00/00/0000 12:00 AM`, as Keap and Access write an empty date-time).
        if text.utf8.first == UInt8(ascii: "0"), let space = text.firstIndex(of: " "),
            text[text.index(after: space)...].range(
                of: #"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp]\.?[Mm]\.?)?$"#, options: .regularExpression) != nil
        {
            return isNullDate(String(text[..<space]))
        }
        let bytes = text.utf8
        if bytes.count == 7, bytes.starts(with: "--".utf8),
            text.range(of: #"^--\d\d-\d\d$"#, options: .regularExpression) != nil
        {
            return true
        }
        guard bytes.count >= 5, bytes.count <= 10 else { return false }
        var groups = 0
        var inGroup = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0"):
                if !inGroup { groups += 1 }
                inGroup = true
            case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-"):
                guard inGroup else { return false }
                inGroup = false
            default: return false
            }
        }
        // Three groups of zeros, or one as fixed-width formats write it: SAP's `00000000`
        // (yyyyMMdd), `000000` (yyMMdd).
        return inGroup && (groups == 3 || (groups == 1 && (bytes.count == 6 || bytes.count == 8)))
    }

    /// Throws unless `date` (`YYYY-MM-DD`) lies within Insights' years and is no placeholder.
    static func check(date: String, raw: String) throws {
        if placeholders.contains(date) || (date == "1970-01-01" && isEpochTime(raw)) {
            throw TransformFailure(
                rule: "placeholder date (\(date) stands in for an unknown or open-ended date): "
                    + "leave it empty, or list it in 'null_tokens'", value: raw)
        }
        guard let year = Int(date.prefix(4)), ValueRules.years.contains(year) else {
            throw TransformFailure(rule: "date outside Insights' years 1901–2049", value: raw)
        }
    }

    /// Whether a date's text goes on to a time of day (`1970-01-01 00:00:00`, `1970-01-01T00:00Z`).
    private static func isEpochTime(_ raw: String) -> Bool {
        raw.contains(":")
    }

    /// Throws unless `text` is a four-digit year within Insights' years.
    static func check(year text: String) throws {
        guard text.utf8.count == 4, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let year = Int(text) else {
            throw TransformFailure(
                rule: "a year needs four digits (add [date, year] to read it from a date)", value: text)
        }
        guard ValueRules.years.contains(year) else {
            throw TransformFailure(rule: "year outside Insights' years 1901–2049", value: text)
        }
    }
}
