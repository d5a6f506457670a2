/// How ``LossyText`` reads a text back into the bytes a code page made of it: the double
/// encodings of Windows-1252, Windows-1250 and Windows-1251.
extension LossyText {
    /// Windows-1251's byte of each character it has beyond ASCII, and 0x98 (which it leaves
    /// undefined) for `˜` too, as tools that read it through Windows-1252's table show it: `Р˜` for `И`.
    static let windows1251Bytes: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: UTF8Transcoder.windows1251High.enumerated().compactMap { offset, value in
            Unicode.Scalar(value).map { ($0, UInt8(0x80 + offset)) }
        } + [("\u{02DC}", 0x98)])

    /// Cyrillic UTF-8 read as Windows-1251: each letter's two bytes became `Р` or `С` and a
    /// character of 0x80–0xBF (`Р˜` for `И`, `Рѕ` for `о`, `С‹` for `ы`). A Russian or Ukrainian
    /// word may hold such a pair in its own right (`Рівне`, whose `Рі` reads as `г`), so the
    /// runs count only where they decode to everyday Cyrillic letters, are two or more in a word,
    /// and hold four in five of the word's characters outside ASCII: a damaged word is nothing else.
    static func cyrillicRuns(in scalars: [Unicode.Scalar]) -> [(range: Range<Int>, decoded: String)] {
        var runs: [(range: Range<Int>, decoded: String)] = []
        // Judged word by word: `РџРµС‚СЂРѕРІ Игорь` is one damaged word beside two good ones.
        var word: [(range: Range<Int>, decoded: String)] = []
        var covered = 0
        var outsideASCII = 0
        func endWord() {
            if word.count >= 2 && covered * 5 >= outsideASCII * 4 { runs += word }
            word = []
            covered = 0
            outsideASCII = 0
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == " " || scalar == "\t" || scalar == "," || scalar == ";" || scalar == "/" {
                endWord()
                index += 1
                continue
            }
            if index + 1 < scalars.count, let lead = windows1251Bytes[scalar], lead == 0xD0 || lead == 0xD1,
                let next = windows1251Bytes[scalars[index + 1]], (0x80...0xBF).contains(next),
                let decoded = String(validating: [lead, next], as: UTF8.self),
                let letter = decoded.unicodeScalars.first,
                (0x0400...0x045F).contains(letter.value) || letter.value == 0x0490 || letter.value == 0x0491
            {
                word.append((index..<(index + 2), decoded))
                covered += 2
                outsideASCII += 2
                index += 2
            } else {
                if !scalar.isASCII { outsideASCII += 1 }
                index += 1
            }
        }
        endWord()
        return runs
    }

    /// Windows-1250's byte of each character it has beyond ASCII.
    static let windows1250Bytes: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: UTF8Transcoder.windows1250High.enumerated().compactMap { offset, value in
            Unicode.Scalar(value).map { ($0, UInt8(0x80 + offset)) }
        })

    /// One UTF-8 character's bytes read as Windows-1250 (a Polish or Czech Excel's), at `index`:
    /// `Ăł` for `ó` (0xC3 0xB3), `Ĺ‚` for `ł`.
    static func centralEuropeanRun(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int)? {
        guard let lead = windows1250Bytes[scalars[index]], (0xC2...0xF4).contains(lead) else { return nil }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard index + length <= scalars.count else { return nil }
        var bytes = [lead]
        for scalar in scalars[(index + 1)..<(index + length)] {
            guard let byte = windows1250Bytes[scalar], (0x80...0xBF).contains(byte) else { return nil }
            bytes.append(byte)
        }
        return String(validating: bytes, as: UTF8.self).map { ($0, length) }
    }

    /// The Windows-1252 byte of a scalar, for the ones that have one; bytes Windows-1252 leaves
    /// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) come through as the C1 controls of the same number.
    static func windows1252Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) || (0x80...0x9F).contains(scalar.value) {
            return UInt8(scalar.value)
        }
        return windows1252High[scalar]
    }

    static let windows1252High: [Unicode.Scalar: UInt8] = [
        "\u{20AC}": 0x80, "\u{201A}": 0x82, "\u{0192}": 0x83, "\u{201E}": 0x84, "\u{2026}": 0x85, "\u{2020}": 0x86,
        "\u{2021}": 0x87, "\u{02C6}": 0x88, "\u{2030}": 0x89, "\u{0160}": 0x8A, "\u{2039}": 0x8B, "\u{0152}": 0x8C,
        "\u{017D}": 0x8E, "\u{2018}": 0x91, "\u{2019}": 0x92, "\u{201C}": 0x93, "\u{201D}": 0x94, "\u{2022}": 0x95,
        "\u{2013}": 0x96, "\u{2014}": 0x97, "\u{02DC}": 0x98, "\u{2122}": 0x99, "\u{0161}": 0x9A, "\u{203A}": 0x9B,
        "\u{0153}": 0x9C, "\u{017E}": 0x9E, "\u{0178}": 0x9F
    ]
}
