/// How a record's identity is looked up among the keys seen before it, for duplicate detection.
///
/// An id whose letters are all of one case is compared without it: `3F1A9C2E-…` and
/// `3f1a9c2e-…` are one UUID (RFC 9562 reads them alike), `E1001` and `e1001` one employee, and
/// a system that wrote one of them upper-cased split a customer or an agent in two. An id that
/// mixes cases is compared as written: in Salesforce's 15-character ids (`003A000001aBcDe`) case
/// tells records apart. One-case ids are looked up in upper case, which HR exports' ids
/// (`E1001`, `EMP0042`) already are: those cost a look at their bytes and nothing more. A
/// mixed-case id holds a lower-case letter, so it never meets the upper-cased form of a one-case id.
enum IdentityKey {
    /// The letters of an id, as far as comparing it goes (ASCII letters only).
    enum LetterCase: UInt8 {
        case noLetters, lower, upper, mixed
    }

    /// The text an identity is looked up under, and its letters' case: a one-case lower-case id
    /// upper-cased, any other id as it is.
    @inline(__always)
    static func key(_ identity: String) -> (text: String, letters: LetterCase) {
        var upper = false
        var lower = false
        for byte in identity.utf8 {
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                upper = true
            } else if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
                lower = true
            }
        }
        switch (upper, lower) {
        case (false, false): return (identity, .noLetters)
        case (true, false): return (identity, .upper)
        case (true, true): return (identity, .mixed)
        case (false, true): return (spelled(identity, as: .upper), .lower)
        }
    }

    /// Whether two ids met under one key differ in their letters' case alone: under one key, only
    /// a one-case id and its other-case spelling have different cases.
    static func differInCaseOnly(_ first: LetterCase, _ second: LetterCase) -> Bool { first != second }

    /// A one-case id written in the given case (the first of two that differ in case alone).
    static func spelled(_ identity: String, as letters: LetterCase) -> String {
        guard letters == .upper || letters == .lower else { return identity }
        let flip: UInt8 = letters == .upper ? UInt8(ascii: "a") : UInt8(ascii: "A")
        return String(decoding: identity.utf8.map { $0 >= flip && $0 < flip + 26 ? $0 ^ 0x20 : $0 }, as: UTF8.self)
    }

    /// The words a duplicate's rule adds when the two ids differ in case alone.
    static let caseOnlyNote = " (the same id in other letter case)"
}
