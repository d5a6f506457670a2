import Foundation

/// Month names a date pattern's `MMMM`/`MMM` reads: English always, plus a locale's (the job's
/// `source.locale`), full and abbreviated, compared in lower case, a trailing dot allowed.
struct MonthNames: Equatable, Sendable {
    /// Lower-cased name → month number.
    private let numbers: [String: Int]

    static let none = MonthNames(numbers: [:])

    private init(numbers: [String: Int]) { self.numbers = numbers }

    init(locale: String?) throws {
        var numbers: [String: Int] = [:]
        for identifier in ["en_US_POSIX"] + (locale.map { [$0] } ?? []) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.locale = Locale(identifier: identifier)
            let lists = [
                calendar.monthSymbols, calendar.shortMonthSymbols, calendar.standaloneMonthSymbols,
                calendar.shortStandaloneMonthSymbols
            ]
            for list in lists where list.count == 12 {
                for (index, name) in list.enumerated() { numbers[Self.key(name), default: index + 1] = index + 1 }
            }
        }
        // Abbreviations people type that the locale data may spell otherwise.
        let typed = ["sept": 9, "mrz": 3, "mär": 3, "maerz": 3, "märz": 3]
        for (name, month) in typed where locale != nil || month == 9 {
            numbers[name] = numbers[name] ?? month
        }
        self.numbers = numbers
    }

    /// `Mär.` → `mär`: lower case, without a trailing dot, in NFC.
    static func key(_ name: String) -> String {
        var text = name.precomposedStringWithCanonicalMapping.lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The month named at `index` (letters, then an optional dot) and the index after it.
    func read(_ bytes: [UInt8], at index: Int) -> (month: Int, end: Int)? {
        var end = index
        while end < bytes.count, bytes[end] >= 0x80 || (bytes[end] | 0x20 >= 0x61 && bytes[end] | 0x20 <= 0x7A) {
            end += 1
        }
        guard end > index, let word = String(validating: bytes[index..<end], as: UTF8.self),
            let month = numbers[Self.key(word)]
        else { return nil }
        if end < bytes.count, bytes[end] == 0x2E { end += 1 }
        return (month, end)
    }
}
