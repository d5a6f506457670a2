import Foundation
import Testing

@testable import FlexSync

/// Excel's plain "CSV" in Russia, Ukraine or Bulgaria (and 1C's exports) is Windows-1251; in
/// Turkey it is Windows-1254, which differs from Windows-1252 in six letters only, so a Turkish
/// file read as Windows-1252 loses `ş ı ğ` to `þ ý ð` without a single invalid byte.
struct CodePageTests {
    /// The bytes a code page makes of a text, by Foundation's encoder (flexsync reads them with its own table).
    static func bytes(_ text: String, _ encoding: String.Encoding) -> [UInt8] {
        Array(text.data(using: encoding)!)
    }

    static let russian =
        "Табельный номер;ФИО;Подразделение\r\n0001;Иванов Иван Петрович;Отдел продаж\r\n"
        + "0002;Смирнова Ольга Сергеевна;Служба поддержки\r\n0003;Фёдоров Алексей;Бухгалтерия\r\n"

    static let turkish =
        "Sicil No;Adı Soyadı;Şehir\r\n1001;Ayşe Yılmaz;İstanbul\r\n1002;Mehmet Doğan;Muğla\r\n"
        + "1003;Şükrü Öztürk;Eskişehir\r\n"

    @Test func windows1251IsReadGuessedAndInspected() throws {
        let bytes = Self.bytes(Self.russian, .windowsCP1251)
        let reader = try CSVReader(bytes: bytes, name: "сотрудники.csv", options: CSVOptions(encoding: .windows1251))
        #expect(reader.schema.names == ["Табельный номер", "ФИО", "Подразделение"])
        #expect(
            try reader.allRows().map { $0[1] } == [
                "Иванов Иван Петрович", "Смирнова Ольга Сергеевна", "Фёдоров Алексей"
            ])
        let refused = errorMessage { _ = try CSVReader(bytes: bytes, name: "сотрудники.csv").allRows() }
        #expect(
            refused?.hasSuffix(
                "(the bytes read as Windows-1251, Cyrillic words, as Excel and 1C write in Russia, Ukraine or "
                    + "Bulgaria: set 'encoding: windows-1251' in the job's source)") == true, "\(refused ?? "")")
        #expect(TextEncoding(name: "cp1251") == .windows1251 && TextEncoding(name: "Windows-1251") == .windows1251)
        let inspection = try Self.inspect(bytes)
        #expect(inspection.encoding.hasPrefix("windows-1251 (not valid UTF-8") && inspection.records == 3)
        #expect(inspection.columns[1].samples.first == "Иванов Иван Петрович")
    }

    @Test func windows1254IsReadGuessedAndInspected() throws {
        let bytes = Self.bytes(Self.turkish, .windowsCP1254)
        let reader = try CSVReader(bytes: bytes, name: "personel.csv", options: CSVOptions(encoding: .windows1254))
        #expect(try reader.allRows().map { $0[1] } == ["Ayşe Yılmaz", "Mehmet Doğan", "Şükrü Öztürk"])
        let refused = errorMessage { _ = try CSVReader(bytes: bytes, name: "personel.csv").allRows() }
        #expect(refused?.hasSuffix("set 'encoding: windows-1254' in the job's source)") == true, "\(refused ?? "")")
        #expect(TextEncoding(name: "ISO-8859-9") == .windows1254 && TextEncoding(name: "cp1254") == .windows1254)
        let inspection = try Self.inspect(bytes)
        #expect(inspection.encoding.hasPrefix("windows-1254 (not valid UTF-8") && inspection.records == 3)
    }

    /// Japanese, Polish and Icelandic keep their own guesses beside the two new ones.
    @Test func neighbouringCodePagesKeepTheirGuesses() throws {
        let japanese = Self.bytes("社員番号,氏名\r\n1,山田 太郎\r\n2,さとう はなこ\r\n3,サポートセンター\r\n", .shiftJIS)
        #expect(TextEncoding.singleByteGuess(japanese) == .shiftJIS)
        let polish = Self.bytes("1;Łukasz Wróbel\r\n2;Wrocław Krzyżanowski\r\n", .windowsCP1250)
        #expect(TextEncoding.singleByteGuess(polish) == .windows1250)
        let icelandic = Self.bytes("1;Guðrún Jónsdóttir;Reykjavík\r\n2;Þórður Sigurðsson;Akureyri\r\n", .windowsCP1252)
        #expect(TextEncoding.singleByteGuess(icelandic) == .windows1252)
        // Czech has no ł, ą or ż: its ř, č, ě and ů read as Western letters (ø, è, ì, ù) where no
        // Western word puts them, beside í or between consonants.
        let czech = Self.bytes(
            "Osobní číslo;Jméno;Příjmení\r\n101;Jiří;Dvořák\r\n102;Věra;Růžičková\r\n103;Tomáš;Černý\r\n",
            .windowsCP1250)
        #expect(TextEncoding.singleByteGuess(czech) == .windows1250)
        #expect(try Self.inspect(czech).encoding.hasPrefix("windows-1250 (not valid UTF-8; Czech ř, č or ě"))
        // Western words keep Windows-1252: Danish `ø`, French `è` and `où`, Italian `così`.
        let western = Self.bytes(
            "1;Søren Bjørn;Århus\r\n2;Hélène Lefèvre;Où est-il\r\n3;Niccolò Ricci;così\r\n4;Jørgen;Næstved\r\n",
            .windowsCP1252)
        #expect(TextEncoding.singleByteGuess(western) == .windows1252)
        #expect(TextEncoding.singleByteGuess(Self.bytes(Self.russian, .windowsCP1251)) == .windows1251)
        #expect(TextEncoding.singleByteGuess(Self.bytes(Self.turkish, .windowsCP1254)) == .windows1254)
    }

    /// Icelandic's `ð þ ý` are Turkish's `ğ ş ı` bytes, and its names write `ð` most: it stays
    /// Windows-1252. Greek in capitals has no accents, and no `А` or `Т`: it is Greek.
    @Test func icelandicAndGreekCapitalsKeepTheirCodePages() {
        let icelandic = Self.bytes(
            "1001;Guðmundsson;Sigurður\r\n1002;Sigurðsson;Guðmundur\r\n1003;Þorsteinsson;Eyþór\r\n"
                + "1004;Halldórsson;Hallgerður\r\n", .windowsCP1252)
        #expect(TextEncoding.singleByteGuess(icelandic) == .windows1252)
        let greek = Self.bytes(
            "1;ΠΑΠΑΔΟΠΟΥΛΟΣ;ΓΕΩΡΓΙΟΣ\r\n2;ΝΙΚΟΛΑΟΥ;ΕΛΕΝΗ\r\n3;ΚΩΝΣΤΑΝΤΙΝΙΔΗΣ;ΜΙΧΑΛΗΣ\r\n", .windowsCP1253)
        #expect(TextEncoding.singleByteGuess(greek) == .windows1253)
        let russianCapitals = Self.bytes("1;ИВАНОВ;ПЕТР\r\n2;СМИРНОВА;АННА\r\n", .windowsCP1251)
        #expect(TextEncoding.singleByteGuess(russianCapitals) == .windows1251)
    }

    /// A Turkish file named windows-1252 reads without an invalid byte: only its letters tell.
    @Test func turkishNamedWindows1252IsNamedAndCyrillicToo() throws {
        let turkish = "1;Ayşe Yılmaz İstanbul\r\n2;Mehmet Doğan Muğla\r\n3;Şükrü Öztürk\r\n"
        let named = try Self.lineOneProblems(turkish, .windowsCP1254, declared: "windows-1252")
        #expect(named.count == 1 && named[0].hasSuffix("set 'encoding: windows-1254'"), "\(named)")
        #expect(try Self.lineOneProblems(turkish, .windowsCP1254, declared: "windows-1254").isEmpty)
        let russian = "1;Иванов Иван Петрович\r\n2;Смирнова Ольга\r\n"
        let cyrillic = try Self.lineOneProblems(russian, .windowsCP1251, declared: "windows-1252")
        #expect(cyrillic.count == 1 && cyrillic[0].hasSuffix("set 'encoding: windows-1251'"), "\(cyrillic)")
        #expect(try Self.lineOneProblems(russian, .windowsCP1251, declared: "windows-1251").isEmpty)
        let icelandic = "1;Guðrún Jónsdóttir\r\n2;Þórður Sigurðsson\r\n"
        #expect(try Self.lineOneProblems(icelandic, .windowsCP1252, declared: "windows-1252").isEmpty)
    }

    @Test(arguments: [
        // Иванов, Ольга, Фёдоров as UTF-8 read as Windows-1251.
        ("Р˜РІР°РЅРѕРІ", true), ("РћР»СЊРіР°", true), ("Р¤С‘РґРѕСЂРѕРІ", true),
        // One damaged word beside good ones: Петров Игорь Александрович.
        ("РџРµС‚СЂРѕРІ Игорь Александрович", true),
        // What Cyrillic words hold in their own right: `Рі` in Рівне reads as `г`, `Сё` as an archaic letter.
        ("Рівне", false), ("Сёмин Семён", false), ("Россия", false), ("Иванов Иван", false), ("Служба", false),
        ("Рівне, Рівненська область", false)
    ])
    func cyrillicDoubleEncodingIsNamed(text: String, damaged: Bool) {
        #expect((LossyText.damage(in: text) == .cyrillic) == damaged, "\(text)")
        #expect(!damaged || LossyText.mayBeDamaged(text))
    }

    @Test func aCyrillicDamagedCopyIsKnownForOne() {
        #expect(LossyText.isDamagedCopy("Р˜РІР°РЅРѕРІ", of: "Иванов"))
        #expect(!LossyText.isDamagedCopy("Р˜РІР°РЅРѕРІ", of: "Петров"))
    }

    static func inspect(_ bytes: [UInt8]) throws -> ExportInspection {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).csv")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try ExportInspection.inspect(path: path.path, recordPath: nil)
    }

    static func lineOneProblems(_ rows: String, _ encoding: String.Encoding, declared: String) throws -> [String] {
        let job = try TrustJob.file(
            bytes("id;name\r\n" + rows, encoding), name: "export.csv", format: "csv",
            mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n",
            policies: "{ max_invalid_share: 1 }", source: "delimiter: ';', encoding: \(declared)")
        return try DatasetValidator(job: job, keepRecords: false).run().problems.filter { $0.position?.line == 1 }
            .map(\.rule)
    }

    /// A 1C report: title lines padded to the table's width above the header, Cyrillic names.
    /// inspect finds the header, and drafts the id, name, department, role and phone (in the
    /// region its numbers call), as it does Turkish column names.
    @Test func inspectFindsA1CHeaderAndDraftsRussianAndTurkishNames() throws {
        let report =
            "Список сотрудников;;;;;\r\nОрганизация: ООО «Ромашка»;;;;;\r\n;;;;;\r\n"
            + "Табельный номер;Сотрудник;Подразделение;Должность;Email;Мобильный телефон\r\n"
            + "0000-00012;Иванов Сергей Петрович;Контакт-центр;Оператор;s.ivanov@example.ru;+7 (916) 555-10-30\r\n"
            + "0000-00015;Смирнова Анна;Контакт-центр;Старший оператор;a.smirnova@example.ru;+7 (916) 555-11-31\r\n"
        let russian = try Self.inspect(Self.bytes(report, .windowsCP1251))
        #expect(russian.headerLine == 4 && russian.records == 2)
        let draft = MappingDraft.yaml(russian, target: .workers)
        for line in [
            "  agent_id: \"Табельный номер\"", "  full_name: \"Сотрудник\"", "  department_name: \"Подразделение\"",
            "  role: \"Должность\"", "default_country: RU"
        ] {
            #expect(draft.contains(line), "\(draft)")
        }
        _ = try Mapping.parse(draft, path: "draft.yaml")
        let turkish = try Self.inspect(
            Self.bytes(
                "Sicil No;Adı;Soyadı;E-posta;Departman Kodu;Departman;Ekip;Görevi\r\n"
                    + "004512;Ayşe;Yılmaz;ayse@example.com.tr;D01;Müşteri Hizmetleri;Çağrı Merkezi;Temsilci\r\n",
                .windowsCP1254))
        let drafted = MappingDraft.yaml(turkish, target: .workers)
        for line in [
            "  agent_id: \"Sicil No\"", "  full_name: { template: \"{Adı} {Soyadı}\" }",
            "  department_id: \"Departman Kodu\"",
            "  team_name: \"Ekip\"", "  role: \"Görevi\""
        ] {
            #expect(drafted.contains(line), "\(drafted)")
        }
    }

    /// No column named like an id: the draft still compiles, keyed by the first column, flagged.
    @Test func aDraftWithoutAnIdColumnStillCompiles() throws {
        let inspection = try Self.inspect(Array("Kod;Ad\r\nA1;Ayşe\r\nA2;Mehmet\r\n".utf8))
        let draft = MappingDraft.yaml(inspection, target: .workers)
        #expect(draft.contains("  agent_id: \"Kod\"   # 2 of 2 filled; no column is named like an id"), "\(draft)")
        _ = try Mapping.parse(draft, path: "draft.yaml")
    }

    /// Greek's bytes are Cyrillic letters to Windows-1251, but its accented `ά έ ή ί` sit where
    /// Windows-1251 has capitals no Russian word has after a small letter: Greek is read as
    /// Greek, and a job that names windows-1251 for it is told.
    @Test func greekIsNotTakenForCyrillic() throws {
        let greek = "1;Γεώργιος Παπαδόπουλος Εξυπηρέτηση\r\n2;Μαρία Κωνσταντίνου Υποστήριξη\r\n"
        let bytes = Self.bytes("Κωδικός;Ονοματεπώνυμο\r\n" + greek, .windowsCP1253)
        #expect(TextEncoding.singleByteGuess(bytes) == .windows1253)
        let reader = try CSVReader(bytes: bytes, name: "agents.csv", options: CSVOptions(encoding: .windows1253))
        #expect(
            try reader.allRows().map { $0[1] } == [
                "Γεώργιος Παπαδόπουλος Εξυπηρέτηση", "Μαρία Κωνσταντίνου Υποστήριξη"
            ])
        let refused = errorMessage { _ = try CSVReader(bytes: bytes, name: "agents.csv").allRows() }
        #expect(refused?.hasSuffix("set 'encoding: windows-1253' in the job's source)") == true, "\(refused ?? "")")
        let named = try Self.lineOneProblems(greek, .windowsCP1253, declared: "windows-1251")
        #expect(named.count == 1 && named[0].hasSuffix("set 'encoding: windows-1253'"), "\(named)")
        #expect(try Self.lineOneProblems(greek, .windowsCP1253, declared: "windows-1253").isEmpty)
    }

    /// Hebrew and Arabic look like words of high bytes too, but like neither Cyrillic nor Greek:
    /// nothing is suggested (a wrong code page would garble every name), and a job that names
    /// any code page for them is told to save the file as UTF-8.
    @Test func aScriptWithoutACodePageIsNotGivenOne() throws {
        for bytes in [Self.hebrew, Self.arabic, Self.chinese] {
            let tells = bytes.withUnsafeBufferPointer { TextEncoding.singleByteTells($0) }
            #expect(tells.unreadScript)
            let refused = errorMessage { _ = try CSVReader(bytes: bytes, name: "agents.csv").allRows() }
            #expect(
                refused?.range(of: #"invalid UTF-8 at byte offset \d+$"#, options: .regularExpression) != nil,
                "\(refused ?? "")")
            let inspection = try Self.inspect(bytes)
            #expect(inspection.encoding.contains("not a code page flexsync reads"))
            let job = try TrustJob.file(
                bytes, name: "export.csv", format: "csv",
                mapping: "target: workers\nkey: { match: [agent_id] }\nattributes:\n  agent_id: id\n",
                policies: "{ max_invalid_share: 1 }", source: "delimiter: ';', encoding: windows-1251")
            let named = try DatasetValidator(job: job, keepRecords: false).run().problems.filter {
                $0.position?.line == 1
            }
            #expect(named.count == 1 && named[0].rule.hasSuffix("save the file as UTF-8"), "\(named)")
        }
    }

    /// `id;name;team` and three people, Hebrew in Windows-1255 and Arabic in Windows-1256.
    static let hebrew: [UInt8] = [
        0x69, 0x64, 0x3B, 0x6E, 0x61, 0x6D, 0x65, 0x3B, 0x74, 0x65, 0x61, 0x6D, 0x0D, 0x0A, 0x31, 0x3B, 0xE9, 0xE5,
        0xF1, 0xE9,
        0x20, 0xEB, 0xE4, 0xEF, 0x3B, 0xF9, 0xE9, 0xF8, 0xE5, 0xFA, 0x20, 0xEC, 0xF7, 0xE5, 0xE7, 0xE5, 0xFA, 0x0D,
        0x0A, 0x32,
        0x3B, 0xEE, 0xE9, 0xEB, 0xEC, 0x20, 0xEC, 0xE5, 0xE9, 0x3B, 0xFA, 0xEE, 0xE9, 0xEB, 0xE4, 0x20, 0xE8, 0xEB,
        0xF0, 0xE9,
        0xFA, 0x0D, 0x0A, 0x33, 0x3B, 0xE3, 0xF0, 0xE4, 0x20, 0xE0, 0xE1, 0xF8, 0xE4, 0xED, 0x3B, 0xEE, 0xEB, 0xE9,
        0xF8, 0xE5,
        0xFA, 0x0D, 0x0A
    ]

    /// `id;name;team` and three people in GBK (Excel's plain CSV in China), which Shift_JIS reads as
    /// half-width katakana.
    static let chinese: [UInt8] = [
        0x69, 0x64, 0x3B, 0x6E, 0x61, 0x6D, 0x65, 0x3B, 0x74, 0x65, 0x61, 0x6D, 0x0D, 0x0A, 0x31, 0x30, 0x30, 0x31,
        0x3B, 0xD5,
        0xC5, 0xCE, 0xB0, 0x3B, 0xBF, 0xCD, 0xBB, 0xA7, 0xB7, 0xFE, 0xCE, 0xF1, 0xB2, 0xBF, 0x0D, 0x0A, 0x31, 0x30,
        0x30, 0x32,
        0x3B, 0xCD, 0xF5, 0xB7, 0xBC, 0x3B, 0xCF, 0xFA, 0xCA, 0xDB, 0xB2, 0xBF, 0x0D, 0x0A, 0x31, 0x30, 0x30, 0x33,
        0x3B, 0xC0,
        0xEE, 0xC4, 0xC8, 0x3B, 0xBC, 0xBC, 0xCA, 0xF5, 0xD6, 0xA7, 0xB3, 0xD6, 0x0D, 0x0A
    ]

    static let arabic: [UInt8] = [
        0x69, 0x64, 0x3B, 0x6E, 0x61, 0x6D, 0x65, 0x3B, 0x74, 0x65, 0x61, 0x6D, 0x0D, 0x0A, 0x31, 0x3B, 0xE3, 0xCD,
        0xE3, 0xCF,
        0x20, 0xC7, 0xE1, 0xDA, 0xE1, 0xED, 0x3B, 0xCE, 0xCF, 0xE3, 0xC9, 0x20, 0xC7, 0xE1, 0xDA, 0xE3, 0xE1, 0xC7,
        0xC1, 0x0D,
        0x0A, 0x32, 0x3B, 0xDD, 0xC7, 0xD8, 0xE3, 0xC9, 0x20, 0xCD, 0xD3, 0xE4, 0x3B, 0xC7, 0xE1, 0xCF, 0xDA, 0xE3,
        0x20, 0xC7,
        0xE1, 0xDD, 0xE4, 0xED, 0x0D, 0x0A, 0x33, 0x3B, 0xC3, 0xCD, 0xE3, 0xCF, 0x20, 0xD3, 0xC7, 0xE1, 0xE3, 0x3B,
        0xC7, 0xE1,
        0xE3, 0xC8, 0xED, 0xDA, 0xC7, 0xCA, 0x0D, 0x0A
    ]
}
