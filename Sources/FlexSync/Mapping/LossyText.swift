import Foundation

/// Text that a legacy code page destroyed on its way into an export, and how to tell a damaged
/// copy of a value from a different value.
///
/// Three kinds of damage, as Excel, Data Loader and friends leave it:
///
/// | damage | example | how it happened |
/// |---|---|---|
/// | question marks | `Lea ?? Sommer`, `Ji?í` | a character the code page lacks became `?` (an emoji two) |
/// | hash marks | `Dvo#ák`, `#ukasz` | SAP's `#` for a character its code page lacks |
/// | replacement character | `Ren\u{FFFD}` | bytes that were not valid UTF-8 were decoded as U+FFFD |
/// | double encoding | `JosÃ©`, `â€™`, `GĂłrski` | UTF-8 bytes were read as Windows-1252 (or Windows-1250) and written again as UTF-8 |
/// | Mac OS Roman | `RenŽe`, `Mu–oz` | Excel for Mac's plain CSV read as Windows-1252 (`é` is Mac's 0x8E, 1252's `Ž`) |
/// | ISO-8859-15 | `Dub½uf`, `¼nologie` | Latin-9 read as Windows-1252 or Latin-1 (`œ` is 0xBD, their `½`) |
/// | Windows-1250 | `Wroc³aw`, `£ukasz` | Central European read as Windows-1252 (`ł` is 0xB3, its `³`) |
/// | DOS | `€elik ™zkan`, `Do§an`, `Mu¤oz` | a DOS export (code page 857, 850, 437) read as Windows-1252: `Ç` is 0x80, `Ö` 0x99, `ğ` 0xA7, `ñ` 0xA4 |
/// | Windows-1251 | `Р˜РІР°РЅРѕРІ` | Cyrillic UTF-8 read as Windows-1251 (`И` is D0 98: `Р` and `˜`) |
/// | Shift_JIS | `縺ゅｊ`, `繧ｵ繝昴` | Japanese UTF-8 read as Shift_JIS: a kana's first two bytes make `縺`, `繧` or `繝` |
/// | control character | `LUIZ\u{81}HENRIQUE` | a byte the code page leaves undefined (Windows-1252's 0x81) |
///
/// Besides those, what is no lost character but still a damaged export, named and never refused:
/// a line break or a tab inside a value, markup escaped twice (`Flosi&#10;Jr.`, `Smith &amp; Co`)
/// and a lone `"` in a field written without quotes.
///
/// Values that look like URLs (`://`) are left alone: a query string has a legitimate `?`.
public enum LossyText {
    /// What is wrong with a value, for the problem's rule.
    public enum Damage: Equatable, Sendable {
        case questionMarks
        case hashMarks
        case replacementCharacter
        case doubleEncoding
        case macRoman
        case latin9
        case centralEuropean
        case cyrillic
        case dosCodePage
        case lineBreak
        case shiftJIS
        /// A lone `"` in a value a CSV field gave without quotes: never a reason to refuse the row
        /// (`24" monitor` is one), a sign the export's quoting went wrong.
        case strayQuote
        /// An invisible control character (U+0000–U+001F but line breaks and tabs, U+0080–U+009F):
        /// what a byte the file's code page leaves undefined becomes (Windows-1252's 0x81).
        case controlCharacter
        /// A tab inside the value.
        case tab
        /// An XML or HTML reference written as text (`&#10;`, `&amp;`): escaped twice on its way.
        case escapedMarkup

        /// Whether `lossy_text: error` refuses a value with this damage: a line break, a tab, a
        /// stray quote and markup escaped twice are display and quoting matters, never lost
        /// characters.
        var refusable: Bool { ![.lineBreak, .strayQuote, .tab, .escapedMarkup].contains(self) }

        /// The rule's wording: `lossy text: '?' in place of characters`.
        public var rule: String {
            switch self {
            case .questionMarks: "lossy text: '?' in place of characters (saved in a legacy code page?)"
            case .hashMarks: "lossy text: '#' in place of characters (as SAP writes what its code page lacks)"
            case .replacementCharacter:
                "lossy text: U+FFFD replacement character (bytes that could not be read as text, in this file or before it)"
            case .doubleEncoding: "lossy text: UTF-8 read as Windows-1252 or Windows-1250 (double encoded)"
            case .macRoman:
                "lossy text: Mac OS Roman read as Windows-1252 ('é' shows as 'Ž', 'ñ' as '–'): "
                    + "if the file came from Excel for Mac, set 'encoding: mac-roman'"
            case .latin9:
                "lossy text: ISO-8859-15 read as Windows-1252 or ISO-8859-1 ('œ' shows as '½', 'Š' as '¦'): "
                    + "set 'encoding: iso-8859-15'"
            case .centralEuropean:
                "lossy text: Windows-1250 (Central European) read as Windows-1252 ('ł' shows as '³', 'ż' as '¿', "
                    + "'Ł' as '£'): set 'encoding: windows-1250'"
            case .cyrillic:
                "lossy text: Cyrillic UTF-8 read as Windows-1251 (double encoded: 'Р˜' where 'И' was, "
                    + "'Рѕ' where 'о' was)"
            case .lineBreak:
                "a line break inside the value (a cell of several lines): Insights shows one line; correct the export"
            case .dosCodePage:
                "lossy text: a DOS code page (437, 850, 857) or Mac OS Roman read as Windows-1252 ('Ç' or 'Ä' "
                    + "shows as '€', 'Ö' as '™'): the file was converted without its code page"
            case .shiftJIS:
                "lossy text: Japanese UTF-8 read as Shift_JIS ('縺', '繧' or '繝' where kana were): the value was "
                    + "pasted from a UTF-8 file, or the file is UTF-8"
            case .controlCharacter:
                "an invisible control character in the value (a byte the file's code page leaves undefined, "
                    + "such as Windows-1252's 0x81?): correct the export"
            case .tab: "a tab inside the value: Insights shows it as a space or not at all; correct the export"
            case .escapedMarkup:
                "an HTML character reference written as text ('&amp;', '&#039;', '&#10;': the value was stored "
                    + "HTML-encoded, as some CRMs do, or escaped twice on its way): correct the export"
            case .strayQuote:
                "a lone '\"' in a value written without quotes: the export's quoting may be damaged (a quote "
                    + "never closed, or one not doubled); check the row"
            }
        }
    }

    /// A cheap first look at a value's UTF-8 bytes: false means it certainly has no damage.
    /// True for a `?`, U+FFFD's lead byte, a Latin-1 letter followed by a character that
    /// double encoding leaves behind (its second byte in U+0080–U+00BF, Š, Œ, ˆ, €, ’…), or a
    /// character Windows-1252 makes of Mac OS Roman's accented letters inside a word, or a short
    /// value opening with `#` (an Excel error such as `#N/A`, which validate refuses), a control
    /// character (a line break, a tab, C1's U+0080–U+009F), a `"`, or an `&` opening a character
    /// reference or entity. Runs on every value validate checks: one tight pass over ASCII, and a
    /// closer look only past one of those bytes or the first byte outside ASCII.
    @inline(__always)
    public static func mayBeDamaged(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        // Eight bytes at a time: a word holds a candidate byte when it XORed with that byte
        // repeated has a zero byte (the classic has-zero-byte test); most values have none.
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if hasZeroByte(word ^ 0x3F3F_3F3F_3F3F_3F3F) || hasZeroByte(word ^ 0x2323_2323_2323_2323)
                || hasZeroByte(word ^ 0x2222_2222_2222_2222) || hasZeroByte(word ^ 0x2626_2626_2626_2626)
                || word & 0x8080_8080_8080_8080 != 0
                || hasControl(word)
            {
                break
            }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x3F || byte == 0x23 || byte == 0x22 || byte == 0x26 || byte >= 0x80 || byte < 0x20 {
                return closerLook(bytes, from: index)
            }
            index += 1
        }
        return false
    }

    /// Whether a word of ASCII holds a byte below 0x20 (a line break, a tab).
    @inline(__always)
    private static func hasControl(_ word: UInt64) -> Bool {
        (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0
    }

    @inline(__always)
    private static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
    }

    @inline(__always)
    static func mayBeDamaged(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        mayBeDamaged(UnsafeBufferPointer(rebasing: bytes))
    }

    /// ``mayBeDamaged(_:)`` for a string, on its contiguous UTF-8 where it has it.
    static func mayBeDamaged(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { mayBeDamaged($0) } ?? mayBeDamaged(Array(text.utf8))
    }

    private static func mayBeDamaged(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { mayBeDamaged($0) }
    }

    /// What Shift_JIS makes of the first two bytes of UTF-8's hiragana and katakana (E3 81–83):
    /// `縺` (U+7E3A), `繧` (U+7E67), `繝` (U+7E5D) — kanji no name or word uses, where every
    /// Japanese text has kana.
    static let shiftJISMisreadKana: Set<Unicode.Scalar> = ["\u{7E3A}", "\u{7E67}", "\u{7E5D}"]

    /// Whether the UTF-8 at `index` (lead byte 0xE7) is one of ``shiftJISMisreadKana``.
    @inline(__always)
    private static func isKanaMisreadAsShiftJIS(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 2 < bytes.count else { return false }
        let (second, third) = (bytes[index + 1], bytes[index + 2])
        return (second == 0xB8 && third == 0xBA) || (second == 0xB9 && (third == 0xA7 || third == 0x9D))
    }

    private static func closerLook(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x3F || byte == 0xEF || byte < 0x20 || byte == 0x22 { return true }
            // A C1 control character (C2 80–C2 9F), or `&` opening a reference.
            if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] <= 0x9F { return true }
            if byte == 0x26 && isReference(bytes, at: index) { return true }
            if byte == 0xE7 && isKanaMisreadAsShiftJIS(bytes, at: index) { return true }
            if byte == 0x23 && isHashInWord(bytes, at: index) { return true }
            // An Excel error value (`#N/A`, `#REF!`), which the full evaluation refuses.
            if byte == 0x23 && index == 0 && bytes.count <= 16 { return true }
            // 0xC3 leads U+00C0–U+00FF; its continuation byte follows, then what double encoding left.
            if byte == 0xC3, index + 2 < bytes.count {
                let next = bytes[index + 2]
                if next == 0xC2 || next == 0xC5 || next == 0xC6 || next == 0xCB || next == 0xE2 { return true }
            }
            if byte >= 0xC2 && codePageTell(bytes, at: index) != nil { return true }
            // `Р` or `С` (D0 A0, D0 A1) before a character Windows-1251 has at 0x80–0xBF: what it
            // makes of Cyrillic UTF-8 (``cyrillicRuns(in:)`` looks closer).
            if byte == 0xD0, index + 2 < bytes.count, bytes[index + 1] == 0xA0 || bytes[index + 1] == 0xA1,
                [0xC2, 0xCB, 0xD0, 0xD1, 0xD2, 0xE2].contains(bytes[index + 2])
            {
                return true
            }
            // Windows-1250's readings of UTF-8 lead bytes 0xC3–0xC5 (`Ă`, `Ä`, `Ĺ`) before one of
            // its continuation bytes' characters: `GĂłrski`.
            if index + 2 < bytes.count, bytes[index + 2] >= 0xC2,
                (byte == 0xC4 && (bytes[index + 1] == 0x82 || bytes[index + 1] == 0xB9))
                    || (byte == 0xC3 && bytes[index + 1] == 0x84)
            {
                return true
            }
            index += 1
        }
        return false
    }

    /// What Windows-1252 makes of Mac OS Roman's 0x80–0x9F, its accented letters (`Ž` for `é`,
    /// `–` for `ñ`, `Ÿ` for `ü`), less those a word may hold in its own right (`š`, `ž`, `œ`,
    /// an apostrophe), and less 0x81, Mac's `Å`, which no word holds inside it: that byte inside
    /// a word (`Cort\u{81}s`) is a stray one, named as a control character, and advice to read
    /// the file as Mac OS Roman would garble its every accent. (Mac's `ç è ê ù`, 0x8D 0x8F 0x90
    /// 0x9D, are undefined in Windows-1252 too, and stay tells.) A switch: it runs for every
    /// character outside ASCII that validate checks.
    private static func isMacRomanTell(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x8D, 0x8F, 0x90, 0x9D, 0x152, 0x160, 0x178, 0x17D, 0x192, 0x2C6, 0x2DC, 0x2013, 0x2014, 0x201A,
            0x201C, 0x201D, 0x201E, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122:
            true
        default: false
        }
    }

    /// What Windows-1252 or Latin-1 make of ISO-8859-15's `Š š ž Œ œ Ÿ` (0xA6, 0xA8, 0xB8, 0xBC,
    /// 0xBD, 0xBE): `¦ ¨ ¸ ¼ ½ ¾`, symbols no word holds (`Dub½uf` for `Dubœuf`).
    private static func isLatin9Tell(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0xA6, 0xA8, 0xB8, 0xBC, 0xBD, 0xBE: true
        default: false
        }
    }

    /// The code page a misread left at `index` (a UTF-8 lead byte), if the character there is a
    /// tell before a lower-case letter: a Mac OS Roman one (``isMacRomanTell(_:)``) or Windows-1250's
    /// `¿` after an ASCII letter too (inside a word, where an accented letter would be), an
    /// ISO-8859-15 one (``isLatin9Tell(_:)``) or Windows-1250's `£ ³ ¹` anywhere.
    private static func codePageTell(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Damage? {
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        let lead = bytes[index]
        let length = lead >= 0xE0 ? 3 : 2
        guard lead >= 0xC2, lead < 0xF0, index + length < bytes.count else { return nil }
        let after = bytes[index + length]
        guard after >= 0x61 && after <= 0x7A, bytes[index + 1] & 0xC0 == 0x80,
            length == 2 || bytes[index + 2] & 0xC0 == 0x80
        else { return nil }
        let scalar =
            length == 2
            ? UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
            : UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
        if isLatin9Tell(scalar) { return .latin9 }
        // `€` before a lower-case letter, `™` before one at a word's start (`Brand™s` is a
        // brand's): DOS's `Ç` and `Ö` (Mac OS Roman's `Ä` and `ô`) read as Windows-1252.
        if scalar == 0x20AC || (scalar == 0x2122 && (index == 0 || !isLetter(bytes[index - 1]))) {
            return .dosCodePage
        }
        // `§` and `¤` inside a word: DOS's `ğ` (code page 857) and `ñ` (850) read as Windows-1252,
        // `Do§an`, `Mu¤oz`; no word holds those signs.
        if scalar == 0xA7 || scalar == 0xA4, index > 0, isLetter(bytes[index - 1]) { return .dosCodePage }
        // Windows-1250's `Ł ł ą` (`£ ³ ¹` in Windows-1252) before a letter: `£ukasz`, `Wroc³aw`.
        if scalar == 0xA3 || scalar == 0xB3 || scalar == 0xB9 { return .centralEuropean }
        guard index > 0, isLetter(bytes[index - 1]) else { return nil }
        // Its `ż` (`¿`) inside a word only: `¿qué?` opens a Spanish question.
        if scalar == 0xBF { return .centralEuropean }
        return isMacRomanTell(scalar) ? .macRoman : nil
    }

    /// Whether the `#` at `index` stands in a word, where SAP writes it for a character its code
    /// page lacks (`Dvo#ák`, `#ukasz`): between letters, or before a lower-case one at a word's
    /// start. `#1`, `C#` and `Suite #5` are left alone.
    private static func isHashInWord(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        guard index + 1 < bytes.count else { return false }
        let next = bytes[index + 1]
        // After a letter (ASCII, or the last byte of one outside ASCII), before a letter (ASCII, or
        // the first byte of one outside ASCII).
        if index > 0 && (isASCIILetter(bytes[index - 1]) || bytes[index - 1] >= 0x80) {
            return isASCIILetter(next) || next >= 0xC2
        }
        return next >= 0x61 && next <= 0x7A
    }

    static func hasHashInWord(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.indices.contains { bytes[$0] == 0x23 && isHashInWord(bytes, at: $0) } }
    }

    /// The code-page misread a text shows, if any (``codePageTell(_:at:)``).
    static func codePageDamage(_ text: String) -> Damage? {
        var text = text
        return text.withUTF8 { bytes in
            for index in bytes.indices where bytes[index] >= 0xC2 {
                if let damage = codePageTell(bytes, at: index) { return damage }
            }
            return nil
        }
    }

    /// A control character but the line breaks and the tab, which have damages of their own.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n" && scalar != "\r" && scalar != "\t")
            || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether an `&` at `index` opens a character reference (`&#10;`, `&#x2019;`) or one of the
    /// entities a twice-escaped value shows (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`).
    static func isReference(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        var end = index + 1
        while end < bytes.count && end - index <= 9 && bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";"), end > index + 1 else { return false }
        let name = bytes[(index + 1)..<end]
        if name.first == UInt8(ascii: "#") {
            let digits = name.dropFirst()
            if digits.first.map({ $0 | 0x20 == UInt8(ascii: "x") }) == true {
                return digits.count > 1
                    && digits.dropFirst().allSatisfy {
                        ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66)
                    }
            }
            return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        return ["amp", "lt", "gt", "quot", "apos", "nbsp"].contains { $0.utf8.elementsEqual(name) }
    }

    static func hasReference(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.indices.contains { bytes[$0] == 0x26 && isReference(bytes, at: $0) } }
    }

    /// The damage a text value carries, if any.
    public static func damage(in text: String) -> Damage? {
        guard mayBeDamaged(text), !text.contains("://") else { return nil }
        if text.unicodeScalars.contains("\u{FFFD}") { return .replacementCharacter }
        if !doubleEncodedRuns(in: Array(text.unicodeScalars)).isEmpty { return .doubleEncoding }
        if let damage = codePageDamage(text) { return damage }
        if !cyrillicRuns(in: Array(text.unicodeScalars)).isEmpty { return .cyrillic }
        if text.unicodeScalars.contains(where: { shiftJISMisreadKana.contains($0) }) { return .shiftJIS }
        if text.unicodeScalars.contains(where: isControl) { return .controlCharacter }
        // `&#x2019;` before SAP's `#`, which it holds.
        if hasReference(text) { return .escapedMarkup }
        if text.unicodeScalars.contains("?") { return .questionMarks }
        if hasHashInWord(text) { return .hashMarks }
        if text.utf8.contains(0x0A) || text.utf8.contains(0x0D) { return .lineBreak }
        if text.utf8.contains(0x09) { return .tab }
        if text.utf8.lazy.filter({ $0 == 0x22 }).count % 2 == 1 { return .strayQuote }
        return nil
    }

}
