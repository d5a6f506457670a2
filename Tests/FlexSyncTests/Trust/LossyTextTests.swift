import Foundation
import Testing

@testable import FlexSync

/// Text damaged by a legacy code page is reported, on every path validate takes.
struct LossyTextTests {
    @Test(arguments: [
        ("Lea ?? Sommer", LossyText.Damage.questionMarks),
        ("Ji?í Nov?k", .questionMarks),
        ("Ren\u{FFFD}e Dubois", .replacementCharacter),
        ("JosÃ© GarcÃ\u{AD}a", .doubleEncoding),
        ("MÃ¼ller", .doubleEncoding),
        // UTF-8 read as Windows-1250 by a Polish or Czech Excel: Górski, Łódź.
        ("GĂłrski", .doubleEncoding), ("Ĺ\u{81}ĂłdĹş", .doubleEncoding),
        ("O\u{E2}\u{20AC}\u{2122}Brien", .doubleEncoding),
        ("Sam \u{F0}\u{178}\u{2018}\u{8D}", .doubleEncoding),
        // Mac OS Roman read as Windows-1252: Renée, Muñoz, Jäger, Müller, Gómez.
        ("RenŽe Smith", .macRoman), ("Mu–oz", .macRoman), ("JŠger", .macRoman), ("MŸller", .macRoman),
        ("G—mez", .macRoman), ("Fran\u{8D}ois", .macRoman), ("Ir\u{8F}ne", .macRoman),
        // ISO-8859-15 read as Windows-1252: Dubœuf, Œnologie, Ÿvon.
        ("Hélène Dub½uf", .latin9), ("¼nologie SARL", .latin9), ("¾von", .latin9),
        // Windows-1250 read as Windows-1252: Wrocław, Łukasz, Ząbki, Krzyżanowski.
        ("Wroc³aw", .centralEuropean), ("£ukasz Nowak", .centralEuropean), ("Z¹bki", .centralEuropean),
        ("Krzy¿anowski", .centralEuropean),
        // SAP's '#' for what its code page lacks: Tomáš Dvořák, Łukasz.
        ("Tomá# Dvo#ák", .hashMarks), ("#ukasz Kowalski", .hashMarks),
        // Japanese UTF-8 read as Shift_JIS: あり (E3 81 82, E3 82 8A), サポート.
        ("縺ゅｊ", .shiftJIS), ("繧ｵ繝昴?繝", .shiftJIS),
        // A Turkish DOS export (code page 857) read as Windows-1252: Çelik Özkan.
        ("€elik ™zkan", .dosCodePage), ("Kara€am", .dosCodePage), ("Do§an O§uz", .dosCodePage),
        ("Mu¤oz", .dosCodePage),
        // A cell of two lines (Excel's Alt+Enter): a warning, whatever lossy_text says.
        ("Agent\nTrainer", .lineBreak), ("Support\r\nTier 2", .lineBreak),
        // A quote that opened nothing (which rows it counts for: strayQuoteIsAWarningWhereTheRowWroteOne).
        ("The \"Anchor Inn", .strayQuote),
        // A byte Windows-1252 leaves undefined (0x81) read as a C1 control; a tab; markup escaped twice.
        ("LUIZ\u{81}HENRIQUE COSTA", .controlCharacter), ("Alba Cort\u{81}s Domínguez", .controlCharacter),
        ("Ana\u{1}Lima", .controlCharacter), ("Ana\tLima", .tab),
        ("Flosi&#10;Jr.", .escapedMarkup), ("Smith &amp; Co", .escapedMarkup), ("O&#x2019;Neil", .escapedMarkup)
    ])
    func damageIsNamed(text: String, damage: LossyText.Damage) {
        #expect(LossyText.damage(in: text) == damage)
    }

    @Test(arguments: [
        "Müller", "José García", "Straße", "Ñandú Ltd.", "Łukasz Żółć", "Sam 👩‍💻", "Ärzte & Co",
        "https://rec.example.com/r?id=1&sig=x", "ÄÖÜ äöü ß", "Zoë",
        // What a word may hold in Windows-1252 itself.
        "Tomšič", "Anžej", "sœur", "O’Neil", "it’s", "Jean–Paul", "2019–2020", "ŠKODA", "Žarko", "Acme™",
        "1½ cups", "Size ½", "€5 off", "Price: 20€", "€ 20", "Acme™ Ltd", "§ 4 BGB", "Art. §12", "¤ sign", "D´Angelo",
        "Team #1", "C# developer", "Smith & Co", "R&D", "AT&T; Verizon", "Q&A;", "&#;",
        "Suite #5B", "#1 Plumbing",
        "Bar ¿qué tal", "Price £5", "£ 20", "10 m³", "x²", "Ăsta e", "Ärzte Äpfel",
        // Japanese as it should read, kanji, kana and half-width katakana.
        "山田 太郎", "サポートセンター", "ｶﾀｶﾅ", "髙橋 ①", "東京都千代田区"
    ])
    func goodTextIsLeftAlone(text: String) {
        #expect(LossyText.damage(in: text) == nil)
        #expect(!LossyText.mayBeDamaged(text) || LossyText.damage(in: text) == nil)
    }

    @Test(arguments: [
        ("Lea ?? Sommer", "Lea 🌸 Sommer", true),
        ("Ji?í Nov?k", "Jiří Novák", true),
        ("JosÃ©", "José", true),
        ("GĂłrski", "Górski", true),
        ("Ren\u{FFFD}e", "Renée", true),
        ("Tomá# Dvo#ák", "Tomáš Dvořák", true),
        ("Lea ?? Team #1", "Lea 🌸 Team #1", true),  // `#1` is itself, not a lost character
        ("Jos?", "Josh", false),  // an ASCII letter is never lost to a code page
        ("Lea ?? Sommer", "Lea Winter", false),
        ("Lea ?? Sommer", "Lea ?? Sommer", false)
    ])
    func damagedCopiesAreRecognised(damaged: String, live: String, copy: Bool) {
        #expect(LossyText.isDamagedCopy(damaged, of: live) == copy)
    }

    /// The word-at-a-time first look against its rule written out byte by byte.
    @Test func theFirstLookAgreesWithItsRule() {
        let pool: [UInt8] = [
            0x61, 0x20, 0x3F, 0xC3, 0xA9, 0xC2, 0xC5, 0xEF, 0xBF, 0xE2, 0x2E, 0xBD, 0x80, 0x93, 0x41, 0x23,
            0xC4, 0x82, 0xB3, 0x84, 0x22, 0x26, 0x09, 0x3B, 0x31
        ]
        var random = SeededGenerator(state: 29)
        // `Ž` (C5 BD) or `–` (E2 80 93) after an ASCII letter and before a lower-case one.
        func macRoman(_ bytes: [UInt8], _ index: Int) -> Bool {
            let tell: [UInt8]? =
                bytes[index...].starts(with: [0xC5, 0xBD])
                ? [0xC5, 0xBD] : bytes[index...].starts(with: [0xE2, 0x80, 0x93]) ? [0xE2, 0x80, 0x93] : nil
            guard let tell, index > 0, index + tell.count < bytes.count else { return false }
            return [0x61, 0x41].contains(bytes[index - 1]) && bytes[index + tell.count] == 0x61
        }
        // `½` (C2 BD) before a lower-case letter, anywhere: ISO-8859-15's `œ` misread.
        func latin9(_ bytes: [UInt8], _ index: Int) -> Bool { bytes[index...].starts(with: [0xC2, 0xBD, 0x61]) }
        // `³` (C2 B3) before a lower-case letter, anywhere; `¿` (C2 BF) inside a word: Windows-1250's `ł`, `ż`.
        func centralEuropean(_ bytes: [UInt8], _ index: Int) -> Bool {
            if bytes[index...].starts(with: [0xC2, 0xB3, 0x61]) { return true }
            return index > 0 && [0x61, 0x41].contains(bytes[index - 1])
                && bytes[index...].starts(with: [0xC2, 0xBF, 0x61])
        }
        // `Ă` (C4 82) or `Ä` (C3 84) before a character beyond ASCII: UTF-8 read as Windows-1250.
        func doubleCentral(_ bytes: [UInt8], _ index: Int) -> Bool {
            guard index + 2 < bytes.count, bytes[index + 2] >= 0xC2 else { return false }
            return bytes[index...].starts(with: [0xC4, 0x82]) || bytes[index...].starts(with: [0xC3, 0x84])
        }
        // `#` between ASCII letters, or before a lower-case letter where no letter precedes it.
        func hash(_ bytes: [UInt8], _ index: Int) -> Bool {
            guard bytes[index] == 0x23, index + 1 < bytes.count else { return false }
            let letters: Set<UInt8> = [0x61, 0x41]
            if index > 0 && (letters.contains(bytes[index - 1]) || bytes[index - 1] >= 0x80) {
                return letters.contains(bytes[index + 1]) || bytes[index + 1] >= 0xC2
            }
            return bytes[index + 1] == 0x61
        }
        // `&`, `#`, digits and `;`: a numeric character reference (`&#11;`).
        func reference(_ bytes: [UInt8], _ index: Int) -> Bool {
            guard bytes[index] == 0x26, index + 3 < bytes.count, bytes[index + 1] == 0x23 else { return false }
            var end = index + 2
            while end < bytes.count && bytes[end] == 0x31 { end += 1 }
            return end > index + 2 && end - index <= 9 && end < bytes.count && bytes[end] == 0x3B
        }
        for _ in 0..<40_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in pool.randomElement(using: &random)! }
            let rule = bytes.indices.contains { index in
                bytes[index] == 0x3F || bytes[index] == 0xEF || bytes[index] == 0x22 || bytes[index] == 0x09
                    || reference(bytes, index) || hash(bytes, index)
                    || (bytes[index] == 0xC2 && index + 1 < bytes.count && bytes[index + 1] <= 0x9F)
                    || (bytes[index] == 0x23 && index == 0 && bytes.count <= 16)
                    || (bytes[index] == 0xC3 && index + 2 < bytes.count
                        && [0xC2, 0xC5, 0xC6, 0xCB, 0xE2].contains(bytes[index + 2]))
                    || macRoman(bytes, index) || latin9(bytes, index) || centralEuropean(bytes, index)
                    || doubleCentral(bytes, index)
            }
            #expect(bytes.withUnsafeBufferPointer { LossyText.mayBeDamaged($0) } == rule, "\(bytes)")
        }
    }

    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        attributes:
          agent_id: id
          full_name: { template: "{first} {last}" }
          location: city
          manager: { field: boss, transforms: [trim] }
        """

    /// Repeated damaged values go through the memo and the byte checks: every row is still reported.
    @Test func everyRowIsReportedWhateverPathItsValuesTake() throws {
        var rows: [String] = []
        for index in 1...60 {
            rows.append(index % 3 == 0 ? "\(index),Lea,?? Sommer,M?nchen,Ren\u{FFFD}" : "\(index),Ana,Lima,Berlin,Bo")
        }
        let job = try TrustJob.csv(
            "id,first,last,city,boss\n" + rows.joined(separator: "\n") + "\n", mapping: Self.mapping)
        var counts: [Int] = []
        for keep in [false, true] {
            let outcome = try DatasetValidator(job: job, keepRecords: keep).run()
            #expect(outcome.isValid)
            let lossy = outcome.problems.filter { $0.rule.hasPrefix("lossy text") && $0.severity == .warning }
            counts.append(lossy.count)
            #expect(Set(lossy.map(\.field)) == ["full_name", "location", "manager"])
        }
        #expect(counts == [60, 60])
    }

    /// A `"` in a field written without quotes is a warning at its row, also under `lossy_text:
    /// error` (it loses no character); a quote a quoted field doubled is the value's own.
    @Test func strayQuoteIsAWarningWhereTheRowWroteOne() throws {
        let csv =
            "id,first,last,city,boss\n1,Ana,Lima,The \"Anchor Inn,Bo\n2,Bo,Chen,\"5'11\"\"\",Bo\n"
            + "3,Cy,Diaz,\"Rio \"\"Centro\"\"\",Bo\n"
        for lossy in ["warning", "error"] {
            let job = try TrustJob.csv(csv, mapping: Self.mapping, policies: "{ lossy_text: \(lossy) }")
            let outcome = try DatasetValidator(job: job, keepRecords: true).run()
            #expect(outcome.valid == 3 && outcome.invalid == 0 && outcome.warnings == 1)
            #expect(
                outcome.problems.map { $0.line(showValues: true) } == [
                    "\(job.source.pattern):2: location: a lone '\"' in a value written without quotes: the "
                        + "export's quoting may be damaged (a quote never closed, or one not doubled); check the row: "
                        + "The \"Anchor Inn"
                ])
        }
    }

    @Test func lossyTextCanBeAnError() throws {
        let job = try TrustJob.csv(
            "id,first,last,city,boss\n1,Lea,?? Sommer,Berlin,Bo\n2,Ana,Lima,Berlin,Bo\n",
            mapping: Self.mapping, policies: "{ lossy_text: error, max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: true).run()
        #expect(outcome.invalid == 1 && outcome.valid == 1)
        #expect(
            outcome.problems.map { $0.line(showValues: false) }.contains {
                $0.hasSuffix(
                    ":2: full_name: lossy text: '?' in place of characters (saved in a legacy code page?): "
                        + "L*** (13 chars)"
                )
            })
    }
}

/// A job that names the wrong single-byte encoding reads every accented letter wrong; besides the
/// lossy text of each value, the run says once, at line 1, which encoding the file's letters tell.
struct DeclaredEncodingTests {
    static let mapping = """
        target: tasks
        key: { match: [customers.external_id] }
        attributes:
          customers.external_id: id
          customers.organization: name
        """

    static func problems(_ rows: [String], bytes: (String) -> [UInt8], declared: String) throws -> [String] {
        let text = "id;name\r\n" + rows.joined(separator: "\r\n") + "\r\n"
        let job = try TrustJob.file(
            bytes(text), name: "clientes.csv", format: "csv", mapping: Self.mapping,
            policies: "{ max_invalid_share: 1 }", source: "delimiter: ';', encoding: \(declared)")
        return try DatasetValidator(job: job, keepRecords: false).run().problems.filter { $0.position?.line == 1 }
            .map(\.rule)
    }

    /// Text in a single-byte encoding: ASCII as it is, the few letters used here by `table`.
    static func encoded(_ text: String, _ table: [Character: UInt8]) -> [UInt8] {
        text.flatMap { character in table[character].map { [$0] } ?? Array(String(character).utf8) }
    }

    static func latin9(_ text: String) -> [UInt8] {
        encoded(text, ["Œ": 0xBC, "œ": 0xBD, "Š": 0xA6, "Ÿ": 0xBE, "ü": 0xFC, "é": 0xE9])
    }

    static func windows1252(_ text: String) -> [UInt8] {
        encoded(text, ["é": 0xE9, "ñ": 0xF1, "ë": 0xEB, "ü": 0xFC, "ö": 0xF6, "½": 0xBD, "è": 0xE8])
    }

    static func macRoman(_ text: String) -> [UInt8] {
        encoded(text, ["é": 0x8E, "ñ": 0x96, "ë": 0x91, "ü": 0x9F, "ö": 0x9A])
    }

    static let french = ["1;Œnologie Dubœuf SARL", "2;Caves Šimon", "3;Café Müller", "4;Quesos Ÿvon"]

    @Test func latin9NamedWindows1252IsNamedOnce() throws {
        #expect(
            try Self.problems(Self.french, bytes: Self.latin9, declared: "windows-1252") == [
                "the job says 'encoding: windows-1252', but the file's letters read as ISO-8859-15 (with œ, Š or Ž "
                    + "where Windows-1252 has symbols; 4 letters in the first megabyte tell it): set 'encoding: iso-8859-15'"
            ])
        #expect(try Self.problems(Self.french, bytes: Self.latin9, declared: "iso-8859-15").isEmpty)
    }

    @Test func macRomanNamedWindows1252IsNamedAndTheReverseToo() throws {
        let names = ["1;René Muñoz", "2;Zoë Hervé", "3;Jürgen Köhler"]
        let mac = try Self.problems(names, bytes: Self.macRoman, declared: "windows-1252")
        #expect(mac.count == 1 && mac[0].hasSuffix("set 'encoding: mac-roman'"), "\(mac)")
        let windows = try Self.problems(names, bytes: Self.windows1252, declared: "mac-roman")
        #expect(windows.count == 1 && windows[0].hasSuffix("set 'encoding: windows-1252'"), "\(windows)")
        #expect(try Self.problems(names, bytes: Self.windows1252, declared: "windows-1252").isEmpty)
        #expect(try Self.problems(names, bytes: Self.macRoman, declared: "mac-roman").isEmpty)
    }

    static func windows1250(_ text: String) -> [UInt8] {
        encoded(
            text, ["ł": 0xB3, "Ł": 0xA3, "ą": 0xB9, "ż": 0xBF, "ó": 0xF3, "ś": 0x9C, "č": 0xE8, "ř": 0xF8, "š": 0x9A])
    }

    /// A Polish export from Excel in Central Europe, named windows-1252 by its job; a Czech one,
    /// whose `š` between letters sits where Mac OS Roman's letters do, named rightly says nothing.
    @Test func windows1250NamedWindows1252IsNamed() throws {
        let polish = ["1;Łukasz Wróbel", "2;Wrocław Krzyżanowski", "3;Ząbki Sp. z o.o."]
        let named = try Self.problems(polish, bytes: Self.windows1250, declared: "windows-1252")
        #expect(named.count == 1 && named[0].hasSuffix("set 'encoding: windows-1250'"), "\(named)")
        #expect(try Self.problems(polish, bytes: Self.windows1250, declared: "windows-1250").isEmpty)
        let czech = ["1;Košice Dvořák", "2;Tomáš Čapek", "3;Ivošek Prášil"]
        #expect(try Self.problems(czech, bytes: Self.windows1250, declared: "windows-1250").isEmpty)
    }

    /// One `½` after a digit-like word is no proof: a Windows-1252 price list keeps its encoding.
    @Test func aSingleTellIsNotEnough() throws {
        let rows = ["1;Tarte ½kg Müller", "2;Café Crème"]
        #expect(try Self.problems(rows, bytes: Self.windows1252, declared: "windows-1252").isEmpty)
    }
}
