@testable import FlexSync

/// Phone numbers as exports write them, generated from a fixed seed per region, so that every run
/// reads the same ones: national numbers with and without a trunk prefix, `+CC`, `00CC`, `+CC (0)`,
/// the region's own calling code without `+`, other countries' international prefixes, bare digit
/// strings of any length, in groups separated by spaces, hyphens, dots or slashes, the first one
/// sometimes in parentheses.
enum GeneratedNumbers {
    /// SplitMix64: small, and the same sequence on every platform.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ count: Int) -> Int { Int(next() % UInt64(count)) }

        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

        mutating func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(below(10))) })
        }
    }

    /// Each known calling code's main region, and the reverse for main regions.
    static let regionsByCode: [Int: String] = Dictionary(
        uniqueKeysWithValues: (1...999).compactMap { code in
            PhoneNumberLibrary.region(callingCode: code).map { (code, $0) }
        })
    static let codesByRegion: [String: Int] = Dictionary(
        regionsByCode.map { ($0.value, $0.key) },
        uniquingKeysWith: { first, _ in first })
    static let callingCodes = regionsByCode.keys.sorted()

    /// What comes before a national number: nothing, and the trunk prefixes (with carrier codes)
    /// of the world's plans.
    static let trunkPrefixes = [
        "", "", "", "0", "0", "0", "1", "8", "01", "044", "045", "06", "9", "90", "015",
        "0 15", "081", "17951", "1831", "8 10", "00", "011", "0011", "010", "810", "0 21"
    ]
    /// International prefixes, in use somewhere.
    static let internationalPrefixes = [
        "+", "+", "00", "00", "011", "0011", "010", "810", "001", "0014", "00700",
        "17900", "14110011", "+0", "+ ", "0 0"
    ]

    /// Extensions as exports write them, some of which the plain-number reader takes.
    static let extensions = [
        " x12", " ext. 4412", " X 7", " ext 123456", " x1234567", " ext.12", "  x 99", " #12",
        " ext:12", " EXT 1", "x12", " ex12", " Ext. 654321", " x-12"
    ]

    /// `count` texts to read in `region`; one in five has an extension.
    static func texts(for region: String, count: Int) -> [String] {
        let letters = Array(region.utf8)
        var generator = Generator(state: 0x5EED_0000 + UInt64(letters[0]) << 8 + UInt64(letters[1]))
        let own = codesByRegion[region]
        return (0..<count).map { index in
            let text = number(index, own: own, &generator)
            return index % 5 == 4 ? text + generator.pick(extensions) : text
        }
    }

    /// A number in the form `index` picks.
    static func number(_ index: Int, own: Int?, _ generator: inout Generator) -> String {
        let national = nationalNumber(&generator)
        let code =
            own.map { generator.below(2) == 0 ? $0 : generator.pick(callingCodes) }
            ?? generator.pick(callingCodes)
        switch index % 8 {
        case 0, 1: return written(generator.pick(trunkPrefixes), national, &generator)
        case 2: return written("+\(code)", national, &generator)
        case 3: return written("\(generator.pick(internationalPrefixes))\(code)", national, &generator)
        case 4: return written("+\(code) (0)", national, &generator)
        case 5: return written(own.map { "\($0)" } ?? "+\(code)", national, &generator)
        case 6: return written("+\(code) \(generator.pick(trunkPrefixes))", national, &generator)
        default: return written("", generator.digits(3 + generator.below(18)), &generator)
        }
    }

    /// Digits of a national significant number: mostly 6 to 11, starting anywhere but mostly not at 0.
    static func nationalNumber(_ generator: inout Generator) -> String {
        let first = generator.below(8) == 0 ? "0" : String(1 + generator.below(9))
        return first + generator.digits(3 + generator.below(9))
    }

    /// A prefix and digits in groups of two to four, as a person or a spreadsheet writes them.
    static func written(_ prefix: String, _ digits: String, _ generator: inout Generator) -> String {
        let separator = generator.pick([" ", " ", "-", ".", "/", " - ", "", " / "])
        var groups: [String] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            let size = min(rest.count, 2 + generator.below(3))
            groups.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        if groups.count > 1, generator.below(4) == 0 { groups[0] = "(\(groups[0]))" }
        let number = groups.joined(separator: separator)
        return prefix.isEmpty ? number : prefix + generator.pick([" ", "", "-", " "]) + number
    }
}
