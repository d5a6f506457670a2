/// Finds postal codes that lost their leading zero to a spreadsheet: Excel and LibreOffice read
/// `08012` (Barcelona) or `02134` (Boston) as a number and save `8012` and `2134`. Where nearly
/// every code of the export is made of the same number of digits, a code of digits one or two
/// shorter is named, row by row, as a warning: it may be a code of a country with shorter ones,
/// but far more often it is damage that would reach Insights as written.
struct ZipLengthTracker {
    /// Rows named per length; past it the rest are counted in one warning.
    static let cap = 1_000
    /// The share of all-digit codes the common length must have.
    static let dominance = 0.8
    /// How many all-digit codes it takes to speak of a common length.
    static let minimum = 12

    /// The `customers.zip` attribute, when the mapping writes it.
    let key: String?
    /// All-digit codes seen, by length (index 0 unused; 1…12 digits).
    private var counts = [Int](repeating: 0, count: 13)
    /// Of those, the codes not starting with `0` (the only ones a spreadsheet can have shortened).
    private var unzeroed = [Int](repeating: 0, count: 13)
    /// Where codes of each length were seen, and the codes, up to `cap` per length.
    private var seen = [[(position: SourcePosition, code: String)]](repeating: [], count: 13)
    /// Whether the attribute is personal (masked in messages).
    private let personal: Bool

    init(mapping: Mapping) {
        let attribute = mapping.attributes.first { $0.isPostalCode }
        key = attribute?.key
        personal = attribute?.personal ?? false
    }

    mutating func observe(_ record: MappedRecord) {
        guard let key, let entry = record.set.first(where: { $0.key == key }), case .string(let text) = entry.value
        else { return }
        let digits = text.utf8
        guard digits.count < counts.count, !digits.isEmpty,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return }
        counts[digits.count] += 1
        // A code that still starts with `0` lost none: a spreadsheet drops every leading zero
        // (Oslo's `0150` is whole; Rome's `00150` would have become `150`).
        if digits.first == UInt8(ascii: "0") { return }
        unzeroed[digits.count] += 1
        if seen[digits.count].count < Self.cap { seen[digits.count].append((record.position, text)) }
    }

    func warnings() -> [Problem] {
        guard let key else { return [] }
        let total = counts.reduce(0, +)
        guard total >= Self.minimum, let common = counts.indices.max(by: { counts[$0] < counts[$1] }),
            Double(counts[common]) >= Self.dominance * Double(total)
        else { return [] }
        var found: [Problem] = []
        for length in max(1, common - 2)..<common where unzeroed[length] > 0 {
            let rule =
                "\(length) digits where \(counts[common]) of the export's \(total) codes have \(common): a leading "
                + "zero lost to a spreadsheet, which reads the code as a number? Export the column as text, or "
                + "correct the code"
            for (position, code) in seen[length] {
                found.append(Problem(.warning, position, field: key, rule: rule, value: code, personal: personal))
            }
            let rest = unzeroed[length] - seen[length].count
            if rest > 0 {
                found.append(
                    Problem(
                        .warning, nil, field: key, rule: "\(rest) more codes of \(length) digits, not named: " + rule))
            }
        }
        return found
    }
}
