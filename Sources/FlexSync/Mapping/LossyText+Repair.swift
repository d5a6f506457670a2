import Foundation

/// How ``LossyText`` tells a damaged copy of a live value and reads double encoding back.
extension LossyText {
    /// Whether `damaged` is `live` with nothing but damage: double-encoded characters that decode
    /// to `live`'s, and `?`, U+FFFD (or SAP's `#`, in a text it damaged) where `live` has
    /// characters outside ASCII (a run of k marks stands for one to k of them — an emoji became
    /// two). Such a value never replaces `live`.
    public static func isDamagedCopy(_ damaged: String, of live: String) -> Bool {
        // Lost characters only: a stray quote loses none.
        guard damaged != live, let found = damage(in: damaged), found != .strayQuote,
            damage(in: live).map({ $0 == .strayQuote }) ?? true
        else { return false }
        let repaired = repairingDoubleEncoding(damaged)
        if repaired == live { return true }
        // A `#` stands for a lost character only where SAP left it in a word: `#1` is itself.
        let hashIsMark = hasHashInWord(repaired)
        var pattern = "^"
        var run = 0
        func flush() {
            if run > 0 { pattern += "[^\\x{00}-\\x{7F}]{1,\(run)}" }
            run = 0
        }
        for scalar in repaired.unicodeScalars {
            if scalar == "?" || scalar == "\u{FFFD}" || (hashIsMark && scalar == "#") {
                run += 1
            } else {
                flush()
                pattern += NSRegularExpression.escapedPattern(for: String(scalar))
            }
        }
        flush()
        pattern += "$"
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: live, range: NSRange(live.startIndex..., in: live)) != nil
    }

    /// `damaged` with every double-encoded character decoded once (`JosÃ©` → `José`,
    /// `Р˜РІР°РЅРѕРІ` → `Иванов`).
    static func repairingDoubleEncoding(_ damaged: String) -> String {
        let scalars = Array(damaged.unicodeScalars)
        let cyrillic = cyrillicRuns(in: scalars)
        let runs = cyrillic.isEmpty ? doubleEncodedRuns(in: scalars) : cyrillic
        guard !runs.isEmpty else { return damaged }
        var result = String.UnicodeScalarView()
        var index = 0
        for run in runs {
            result.append(contentsOf: scalars[index..<run.range.lowerBound])
            result.append(contentsOf: run.decoded.unicodeScalars)
            index = run.range.upperBound
        }
        result.append(contentsOf: scalars[index...])
        return String(result)
    }

    /// Runs of scalars that are one UTF-8 character's bytes read as Windows-1252: a lead byte
    /// (U+00C2–U+00F4) and as many continuation bytes (0x80–0xBF) as it announces, which
    /// decode to one character.
    static func doubleEncodedRuns(in scalars: [Unicode.Scalar]) -> [(range: Range<Int>, decoded: String)] {
        var runs: [(range: Range<Int>, decoded: String)] = []
        var index = 0
        while index < scalars.count {
            let lead = scalars[index].value
            let length =
                (0xC2...0xDF).contains(lead)
                ? 2 : (0xE0...0xEF).contains(lead) ? 3 : (0xF0...0xF4).contains(lead) ? 4 : 0
            guard length > 0, index + length <= scalars.count else {
                if let (decoded, length) = centralEuropeanRun(scalars, at: index) {
                    runs.append((index..<(index + length), decoded))
                    index += length
                } else {
                    index += 1
                }
                continue
            }
            var bytes = [UInt8(lead)]
            for scalar in scalars[(index + 1)..<(index + length)] {
                guard let byte = windows1252Byte(scalar), (0x80...0xBF).contains(byte) else { break }
                bytes.append(byte)
            }
            if bytes.count == length, let decoded = String(validating: bytes, as: UTF8.self) {
                runs.append((index..<(index + length), decoded))
                index += length
            } else if let (decoded, length) = centralEuropeanRun(scalars, at: index) {
                runs.append((index..<(index + length), decoded))
                index += length
            } else {
                index += 1
            }
        }
        return runs
    }
}
