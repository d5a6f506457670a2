/// How the bytes of a file that is not UTF-8 tell which legacy encoding wrote it.
extension TextEncoding {
    /// Which legacy encoding bytes that are not UTF-8 most likely are: Shift_JIS when they are
    /// mostly pairs of high bytes that make Japanese characters; otherwise a single-byte one,
    /// from where their letters sit: inside words, Windows-1252 (and Latin-1) put accented letters at 0xC0–0xFF,
    /// Mac OS Roman at 0x80–0x9F (`é` is 0x8E, which Windows-1252 reads as `Ž`), and ISO-8859-15
    /// its `Š š Ž ž Œ œ Ÿ` where Windows-1252 has symbols (`œ` is 0xBD, Windows-1252's `½`).
    static func singleByteGuess(_ bytes: UnsafeBufferPointer<UInt8>) -> TextEncoding {
        singleByteTells(bytes).guess
    }

    /// How many bytes next to letters tell each single-byte encoding (see ``singleByteGuess(_:)``).
    struct SingleByteTells {
        var mac = 0
        var windows = 0
        var latin9 = 0
        /// Windows-1250's `Ł ł ą ż` (0xA3, 0xB3, 0xB9, 0xBF) beside letters.
        var centralEuropean = 0
        /// Czech in Windows-1250, whose letters Windows-1252 reads as Western ones (``czechTell``).
        var czech = 0
        /// Pairs of high bytes that Shift_JIS reads as one character (``ShiftJIS/highPairs(_:)``).
        var shiftJIS = 0
        /// High bytes in runs of four or more that Windows-1251 reads as Cyrillic letters alone
        /// (whole words: a Czech `příští` has three such bytes in a row, a Russian name five or more),
        /// and high bytes in runs of two or more that hold another (Shift_JIS's kana and kanji
        /// lead bytes 0x81–0x9F, a European pair such as `«é`).
        var cyrillic = 0
        var otherRuns = 0
        /// Within those Cyrillic-looking runs: how many there are; how many hold a capital
        /// (0xC0–0xDF); a capital right after a small letter (0xE0–0xFF), which no Russian word
        /// has; and, among those, Greek's accented `ά έ ή ί` (0xDC–0xDF), which most Greek words have.
        var cyrillicRuns = 0
        var withCapital = 0
        var mixedCase = 0
        var greek = 0
        /// Pairs shaped like the Chinese and Korean double-byte code pages' common characters
        /// (GBK/GB2312, Big5, EUC-KR: a lead 0xA1–0xF9 and a trail 0xA1–0xFE, which Shift_JIS
        /// reads as two half-width katakana), and the bytes 0x81–0x9F that lead Shift_JIS's kana
        /// and most used kanji.
        var eastAsianPairs = 0
        var shiftJISLeads = 0
        var highBytes = 0

        /// Chinese or Korean: nearly every high byte in such a pair (a German `Größe` has one
        /// here and there), and few of Japanese's lead bytes.
        var isEastAsian: Bool {
            eastAsianPairs >= 4 && eastAsianPairs * 20 >= highBytes * 7 && eastAsianPairs > 2 * shiftJISLeads
        }
        /// Windows-1254's `Ğ İ Ş ğ ı ş` (Windows-1252's `Ð Ý Þ ð ý þ`) beside letters, and the
        /// acute vowels `á é í ó ú` that Icelandic (whose letters `ð þ ý` are) and Czech (`ý`)
        /// write far more often, and Turkish never.
        var turkish = 0
        var acute = 0
        /// Among the Turkish tells, `ğ Ğ` (0xF0, 0xD0), which are Icelandic's `ð Ð` too and its
        /// most frequent: Turkish writes `ı ş İ Ş` more often than `ğ`, Icelandic `ð` more than `þ ý`.
        var eth = 0
        /// Capitals and small letters in the Cyrillic-looking runs, and the capitals Greek lacks
        /// (0xC0 and 0xD2: Russian's `А` and `Т`, which Windows-1253 leaves unused or rare).
        var smallLetters = 0
        var cyrillicOnlyCapitals = 0

        /// Words of high bytes (not Japanese, whose kana's lead bytes 0x82–0x83 are in nearly every one).
        var wordsOfHighBytes: Bool { cyrillic >= 8 && cyrillic > 2 * otherRuns }

        /// Words of high bytes in a script whose code page flexsync does not read: Chinese or
        /// Korean (``isEastAsian``), or neither Cyrillic's (capitals first, never after a small
        /// letter) nor Greek's — Hebrew (no capitals), Arabic (its letters on both sides of 0xE0).
        /// Nothing is suggested for them.
        var unreadScript: Bool { guess == .windows1252 && (wordsOfHighBytes || isEastAsian) }

        var guess: TextEncoding {
            if wordsOfHighBytes {
                if greek >= 2 && greek * 2 >= mixedCase { return .windows1253 }
                // Greek in capitals (`ΠΑΠΑΔΟΠΟΥΛΟΣ`) has no accents: no `А` or `Т` tells it.
                if smallLetters == 0 && cyrillicOnlyCapitals == 0 { return .windows1253 }
                if mixedCase * 10 <= cyrillicRuns && withCapital > 0 { return .windows1251 }
                return .windows1252
            }
            if isEastAsian { return .windows1252 }
            // A European file has a pair of high bytes here and there (`«é`), never most of them.
            if shiftJIS >= 2 && shiftJIS > mac + windows + latin9 + centralEuropean { return .shiftJIS }
            if czech >= 2 && czech * 4 >= mac { return .windows1250 }
            if mac > 0 && mac > 2 * (windows + latin9 + centralEuropean) { return .macRoman }
            if centralEuropean > latin9 { return .windows1250 }
            if turkish >= 2 && turkish > acute && turkish - eth > eth { return .windows1254 }
            return latin9 > 0 ? .latin9 : .windows1252
        }
    }

    static func singleByteTells(_ bytes: UnsafeBufferPointer<UInt8>) -> SingleByteTells {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        var tells = SingleByteTells()
        var index = 1
        while index + 1 < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 && (isLetter(bytes[index - 1]) || isLetter(bytes[index + 1])) {
                if byte < 0xA0 && isLetter(bytes[index - 1]) && isLetter(bytes[index + 1]) {
                    tells.mac += 1
                } else if byte >= 0xC0 {
                    tells.windows += 1
                } else {
                    switch byte {
                    // Not 0xB4 (´, Ž in Latin-9): typed as an apostrophe, `D´Angelo`; nor after
                    // 0xC2 or 0xC3, where UTF-8 read as Windows-1252 puts them (`MÃ¼ller`).
                    case 0xA6, 0xA8, 0xB8, 0xBC, 0xBD, 0xBE:
                        if bytes[index - 1] != 0xC2 && bytes[index - 1] != 0xC3 { tells.latin9 += 1 }
                    // `£ukasz`, `Wroc³aw`, `Z¹bki`, `Krzy¿anowski`; not `¿` opening a Spanish question,
                    // nor after 0xC2 or 0xC3, where UTF-8 read as Windows-1252 puts them (`SÃ£o`
                    // for `São` in a Brazilian list, whose own letters are Windows-1252's).
                    case 0xA3, 0xB3, 0xB9:
                        if bytes[index - 1] != 0xC2 && bytes[index - 1] != 0xC3 { tells.centralEuropean += 1 }
                    case 0xBF where isLetter(bytes[index - 1]): tells.centralEuropean += 1
                    default: break
                    }
                }
                if Self.czechTell(bytes, at: index) { tells.czech += 1 }
                switch byte {
                case 0xD0, 0xDD, 0xDE, 0xF0, 0xFD, 0xFE:
                    tells.turkish += 1
                    if byte == 0xD0 || byte == 0xF0 { tells.eth += 1 }
                case 0xC1, 0xC9, 0xCD, 0xD3, 0xDA, 0xE1, 0xE9, 0xED, 0xF3, 0xFA: tells.acute += 1
                default: break
                }
            }
            index += 1
        }
        tells.shiftJIS = ShiftJIS.highPairs(bytes)
        var at = 0
        while at + 1 < bytes.count {
            let byte = bytes[at]
            if byte >= 0x81 && byte <= 0x9F { tells.shiftJISLeads += 1 }
            if byte >= 0xA1 && byte <= 0xF9 && bytes[at + 1] >= 0xA1 && bytes[at + 1] <= 0xFE {
                tells.eastAsianPairs += 1
                tells.highBytes += 2
                at += 2
            } else {
                if byte >= 0x80 { tells.highBytes += 1 }
                at += 1
            }
        }
        countRuns(bytes, into: &tells)
        return tells
    }

    /// Runs of high bytes: all Cyrillic letters in Windows-1251 (``SingleByteTells/cyrillic``), or not.
    private static func countRuns(_ bytes: UnsafeBufferPointer<UInt8>, into tells: inout SingleByteTells) {
        var index = 0
        while index < bytes.count {
            guard bytes[index] >= 0x80 else {
                index += 1
                continue
            }
            var end = index
            var allCyrillic = true
            while end < bytes.count && bytes[end] >= 0x80 {
                allCyrillic = allCyrillic && UTF8Transcoder.isCyrillicLetter1251(bytes[end])
                end += 1
            }
            let length = end - index
            if allCyrillic && length >= 4 {
                tells.cyrillic += length
                tells.cyrillicRuns += 1
                var capital = false
                for at in index..<end {
                    if bytes[at] >= 0xE0 { tells.smallLetters += 1 }
                    if bytes[at] == 0xC0 || bytes[at] == 0xD2 { tells.cyrillicOnlyCapitals += 1 }
                }
                for at in index..<end where bytes[at] >= 0xC0 && bytes[at] < 0xE0 {
                    capital = true
                    guard at > index, bytes[at - 1] >= 0xE0 else { continue }
                    tells.mixedCase += 1
                    if bytes[at] >= 0xDC { tells.greek += 1 }
                }
                if capital { tells.withCapital += 1 }
            } else if !allCyrillic && length >= 2 {
                tells.otherRuns += length
            }
            index = end
        }
    }

    static func singleByteGuess(_ bytes: [UInt8]) -> TextEncoding {
        bytes.withUnsafeBufferPointer { singleByteGuess($0) }
    }

    /// Whether the byte at `index` reads as a Czech letter in Windows-1250 where Windows-1252
    /// has a Western one no Western word puts there: `ř č` (`ø è`) beside `í á é ý` or another
    /// of them (`příjmení` → `pøíjmení`, `číslo` → `èíslo`), or `ě ů` (`ì ù`) between two ASCII
    /// letters (`město`, `můj`; Italian's `ì` and French's `où` end words).
    static func czechTell(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = bytes[index]
        func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        switch byte {
        case 0xF8, 0xE8, 0xD8, 0xC8:
            let accents: Set<UInt8> = [0xED, 0xE1, 0xE9, 0xFD, 0xF8, 0xE8, 0xEC, 0xF9]
            return index + 1 < bytes.count && accents.contains(bytes[index + 1])
                || index > 0 && accents.contains(bytes[index - 1])
        case 0xEC, 0xF9:
            return index > 0 && index + 1 < bytes.count && isASCIILetter(bytes[index - 1])
                && isASCIILetter(bytes[index + 1])
        default: return false
        }
    }
}
