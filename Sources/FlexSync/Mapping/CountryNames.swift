import Foundation

/// Turns what exports write for a country into the region libphonenumber reads numbers of:
/// ISO alpha-2 (`GB`, and `UK`) and alpha-3 (`GBR`), English names (`United Kingdom`, `U.S.A.`,
/// `United States of America`, `Korea, Republic of`), the country's own names (`Deutschland`,
/// `España`, `Schweiz`, `日本`), and calling codes (`+44`). Case, accents, spaces and punctuation
/// are ignored. Only regions with a numbering plan are answered.
enum CountryNames {
    /// The region (alpha-2) for a country as an export writes it, or nil.
    static func region(for text: String) -> String? {
        let trimmed = Transform.trimmed(text)
        let utf8 = trimmed.utf8
        // Most values are already a code: say so without folding them.
        if utf8.count == 2, utf8.allSatisfy({ $0 < 0x80 }) {
            let upper = trimmed.uppercased()
            if upper == "UK" { return "GB" }
            if PhoneNumberLibrary.isSupported(region: upper) { return upper }
        }
        if utf8.first == UInt8(ascii: "+") {
            let digits = trimmed.dropFirst().filter { $0 != " " && $0 != "-" }
            guard let code = Int(digits) else { return nil }
            return PhoneNumberLibrary.region(callingCode: code)
        }
        return table[key(trimmed)]
    }

    /// What a country column's bytes say, when that can be told on the bytes alone (ASCII text
    /// naming a known region, or nothing but white space); nil sends the caller to
    /// ``region(for:)``, which also answers non-ASCII names, calling codes and unknown names.
    enum Lookup: Equatable {
        case empty
        case region(String)
    }

    static func lookup(bytes: UnsafeBufferPointer<UInt8>) -> Lookup? {
        var start = 0
        var end = bytes.count
        while start < end, Transform.isASCIISpace(bytes[start]) { start += 1 }
        while end > start, Transform.isASCIISpace(bytes[end - 1]) { end -= 1 }
        if start == end { return .empty }
        if end - start == 2, let region = alpha2[alpha2Slot(bytes[start], bytes[start + 1])] {
            return .region(region)
        }
        guard end - start <= 64, bytes[start] != UInt8(ascii: "+"), let folded = foldedASCII(bytes[start..<end]),
            let region = table[folded]
        else { return nil }
        return .region(region)
    }

    /// ``key(_:)`` of an ASCII name, folded straight from its bytes; nil for any other text.
    private static func foldedASCII(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        var ascii = true
        let folded = String(unsafeUninitializedCapacity: bytes.count) { buffer in
            var count = 0
            for byte in bytes {
                switch byte {
                case 0x41...0x5A: buffer[count] = byte | 0x20
                case 0x61...0x7A, 0x30...0x39: buffer[count] = byte
                case 0x80...: ascii = false
                default: continue
                }
                count += 1
            }
            return count
        }
        return ascii ? folded : nil
    }

    /// Two ASCII letters' slot in ``alpha2`` (either case); anything else lands on the last, empty one.
    @inline(__always)
    private static func alpha2Slot(_ first: UInt8, _ second: UInt8) -> Int {
        let a = Int(first | 0x20) - 0x61
        let b = Int(second | 0x20) - 0x61
        guard (0..<26).contains(a), (0..<26).contains(b) else { return 26 * 26 }
        return a * 26 + b
    }

    /// The region of every alpha-2 code with a numbering plan, and `UK`, by ``alpha2Slot(_:_:)``.
    private static let alpha2: [String?] = {
        var slots = [String?](repeating: nil, count: 26 * 26 + 1)
        for region in PhoneNumberLibrary.supportedRegions where region.utf8.count == 2 {
            let bytes = Array(region.utf8)
            slots[alpha2Slot(bytes[0], bytes[1])] = region
        }
        slots[alpha2Slot(UInt8(ascii: "U"), UInt8(ascii: "K"))] = "GB"
        return slots
    }()

    /// A name as a lookup key: case and accents folded, only letters and digits kept
    /// (`U.S.A.` → `usa`, `Côte d’Ivoire` → `cotedivoire`).
    static func key(_ name: String) -> String {
        // ASCII names (most of them) are folded on bytes; accents and other scripts by Foundation.
        var name = name
        if let folded = name.withUTF8({ foldedASCII($0[...]) }) { return folded }
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return String(
            String.UnicodeScalarView(
                folded.unicodeScalars.filter {
                    $0.properties.isAlphabetic || $0.properties.numericType != nil
                }))
    }

    /// Names exports use that neither ISO nor the locales spell that way.
    static let aliases: [String: String] = [
        "usa": "US", "america": "US", "us": "US",
        "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
        "northernireland": "GB", "holland": "NL", "turkey": "TR", "ivorycoast": "CI", "swaziland": "SZ",
        "macedonia": "MK", "burma": "MM", "vatican": "VA", "palestine": "PS", "macau": "MO",
        "czechrepublic": "CZ", "russia": "RU", "southkorea": "KR", "northkorea": "KP", "uae": "AE"
    ]

    /// Every known name's key → region. Earlier sources win a clash: aliases, ISO names, English
    /// names from the locale data, then the names each region's own languages give it.
    static let table: [String: String] = {
        var table = aliases
        let regions = Set(PhoneNumberLibrary.supportedRegions)
        func add(_ name: String, _ region: String) {
            let key = key(name)
            if !key.isEmpty, table[key] == nil { table[key] = region }
            // `Myanmar (Burma)`: the name with and without its bracketed part, and the part alone.
            if let open = name.firstIndex(of: "("), let close = name.lastIndex(of: ")"), open < close {
                add(String(name[..<open]), region)
                add(String(name[name.index(after: open)..<close]), region)
            }
        }
        for line in iso3166.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, regions.contains(String(fields[0])) else { continue }
            let region = String(fields[0])
            if table[key(String(fields[1]))] == nil { table[key(String(fields[1]))] = region }
            for name in fields[2].split(separator: "|") { add(String(name), region) }
        }
        let english = Locale(identifier: "en")
        for region in regions.sorted() {
            if let name = english.localizedString(forRegionCode: region) { add(name, region) }
        }
        for identifier in Locale.availableIdentifiers.sorted() {
            let locale = Locale(identifier: identifier)
            guard let region = locale.region?.identifier, regions.contains(region),
                let name = locale.localizedString(forRegionCode: region)
            else { continue }
            add(name, region)
        }
        return table
    }()
}
