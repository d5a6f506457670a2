/// Phone numbers read by libphonenumber in a default region, or the one named in a record's
/// column, and written as E.164, international or national. What HR and CRM exports hold —
/// national formats, `00` and `+` prefixes, a `(0)` after the country code, dots and slashes,
/// extensions (`x4412`, `ext. 21`) — is read by the library; flexsync adds what exports damage:
/// Excel's scientific notation and placeholders.
///
/// | `require` | accepts | e.g. for `US` |
/// |---|---|---|
/// | `possible` (default) | a length the region's numbers have | `(555) 010-0000` |
/// | `valid` | only numbers in the region's assigned ranges | `(303) 555-0104`, not `(555) 010-0000` |
///
/// Either way a local number without its area code (`555-0127` in the US) is refused.
struct PhoneRule: Sendable {
    enum Requirement: String, Sendable, CaseIterable {
        case possible
        case valid
    }

    /// The region national numbers are read in (alpha-2), unless the record's column names one.
    var defaultCountry: String?
    /// The column naming each record's country (a code, a name, or `+CC`).
    var countryField: String?
    var requirement = Requirement.possible
    var output = PhoneNumberLibrary.Format.e164
    /// The attribute that receives the number's extension, when the mapping keeps it.
    var extensionAttribute: String?

    /// Why a text is not a number this rule accepts.
    enum Refusal: Error, Equatable {
        case excelDamage
        /// Digits hidden for privacy (`339XXXXXXX`, `+44 7*** ***123`): libphonenumber would read
        /// letters as a keypad's digits.
        case masked
        /// `O7911 123456`, `606 789 0l2`: a letter typed for the digit it looks like, which
        /// libphonenumber would drop (or read as a keypad's) and so lose a digit.
        case letterForDigit
        case notANumber
        case placeholder
        /// A national number and no region: none configured, or the record's `country` is unknown.
        case noCountry(named: String?)
        case unknownCallingCode
        case impossible(region: String?)
        case localOnly(region: String?)
        /// `hint`: what the number's length or a lost leading zero says of why.
        case unassigned(region: String?, hint: String? = nil)
        /// Read with its national prefix `0` still in front: too short once it is taken off.
        case keepsNationalPrefix(region: String?)

        /// The rule a problem names; `region` nil for numbers written internationally.
        var rule: String {
            func kind(_ region: String?) -> String { region.map { "\($0) " } ?? "international " }
            switch self {
            case .excelDamage: return "phone number damaged by Excel (scientific notation)"
            case .masked: return "masked phone number (digits hidden by X or *)"
            case .letterForDigit:
                return
                    "a letter where a digit should be ('O' for 0, 'l' or 'I' for 1): correct the number in the export"
            case .notANumber: return "not a phone number"
            case .placeholder: return "placeholder, not a phone number"
            case .noCountry(nil): return "national phone number without a known country"
            case .noCountry(let name?): return "national phone number with an unknown country '\(name)'"
            case .unknownCallingCode: return "unknown country calling code"
            case .impossible(let region): return "not a valid \(kind(region))phone number"
            case .localOnly(let region): return "local \(kind(region))number without its area code"
            case .unassigned(let region, let hint):
                return "\(kind(region))number outside the assigned ranges" + (hint.map { ": \($0)" } ?? "")
            case .keepsNationalPrefix(let region):
                return "not a valid \(kind(region))phone number: a digit is missing after the national prefix 0"
            }
        }
    }

    /// The number as this rule writes it.
    func formatted(_ raw: String, record: Record) throws -> String {
        try number(raw, record: record).formatted
    }

    /// The number's extension, or nil (also when the number is refused: that is its attribute's problem).
    func extensionDigits(_ raw: String, record: Record) -> String? {
        (try? number(raw, record: record))?.extensionDigits
    }

    private func number(_ raw: String, record: Record) throws -> PhoneNumberLibrary.Number {
        let (region, named) = self.region(of: record)
        var text = raw
        return try text.withUTF8 { bytes in
            switch read(bytes, region: region, countryNamed: named) {
            case .success(let number): return number
            case .failure(let refusal): throw TransformFailure(rule: refusal.rule, value: raw)
            }
        }
    }

    /// The region to read a record's national numbers in, and the column's text when it named
    /// no country flexsync knows. An empty column falls back to the default country.
    func region(of record: Record) -> (region: String?, unknownName: String?) {
        if let region = knownRegion(of: record) { return (region, nil) }
        guard let countryField, let value = record[countryField]?.firstText,
            !Transform.trimmed(value).isEmpty
        else { return (defaultCountry, nil) }
        guard let region = CountryNames.region(for: value) else { return (nil, Transform.trimmed(value)) }
        return (region, nil)
    }

    /// The region to read a record's national numbers in, when the country column's bytes name
    /// a region flexsync knows or are empty (the default country, which may be none); nil when
    /// only ``region(of:)`` can tell. Costs no string for the column's text.
    func knownRegion(of record: Record) -> String?? {
        guard let countryField else { return .some(defaultCountry) }
        let found = record.withPlainBytes(named: countryField) { CountryNames.lookup(bytes: $0) }
        switch found {
        case .some(.some(.empty)): return .some(defaultCountry)
        case .some(.some(.region(let region))): return .some(region)
        default: return nil
        }
    }

    /// The one reading of a number's bytes that both the full evaluation and `validate`'s byte
    /// checks use, so that they cannot disagree.
    func read(_ bytes: UnsafeBufferPointer<UInt8>, region: String?, countryNamed: String? = nil)
        -> Result<PhoneNumberLibrary.Number, Refusal>
    {
        if bytes.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) {
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " '\t\u{00A0}")
            if NumberParsing.isExcelScientific(text) { return .failure(.excelDamage) }
        }
        if Self.isMasked(bytes) { return .failure(.masked) }
        if Self.hasLetterForDigit(bytes) { return .failure(.letterForDigit) }
        let international = Self.isWrittenInternationally(bytes)
        let place = international ? nil : region
        switch PhoneNumberLibrary.read(bytes, region: region, format: output, validate: requirement == .valid) {
        case .notANumber: return .failure(.notANumber)
        case .unknownCountry: return .failure(international ? .unknownCallingCode : .noCountry(named: countryNamed))
        case .impossibleLength: return .failure(.impossible(region: place))
        // A `+CC` number too short to be complete is simply not a valid one.
        case .localOnly: return .failure(international ? .impossible(region: nil) : .localOnly(region: place))
        case .possible(let number):
            if number.national.utf8.allSatisfy({ $0 == UInt8(ascii: "0") }) { return .failure(.placeholder) }
            if keepsNationalPrefix(number, bytes, region: region) {
                return .failure(.keepsNationalPrefix(region: place))
            }
            if number.valid == false {
                return .failure(.unassigned(region: place, hint: unassignedHint(number, bytes, region: place)))
            }
            return .success(number)
        }
    }

    /// Why a number outside the assigned ranges is, when it can be told: too short or too long
    /// for the region's fixed-line and mobile numbers, or a national number whose leading `0` a
    /// spreadsheet dropped (Italy's `02 1234 5678` saved as `212345678`: valid with it).
    private func unassignedHint(
        _ number: PhoneNumberLibrary.Number, _ bytes: UnsafeBufferPointer<UInt8>, region: String?
    ) -> String? {
        if let region, bytes.first.map({ $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) == true,
            bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        {
            let padded = [UInt8(ascii: "0")] + Array(bytes)
            let reading = padded.withUnsafeBufferPointer {
                PhoneNumberLibrary.read($0, region: region, format: output, validate: true)
            }
            if case .possible(let withZero) = reading, withZero.valid == true {
                let digits = String(decoding: bytes, as: UTF8.self)
                return "its leading 0 lost to a spreadsheet? (0\(digits) is a valid number)"
            }
        }
        if number.tooShort { return "too short for a fixed-line or mobile number" }
        if number.tooLong { return "too long for a fixed-line or mobile number" }
        return nil
    }

    /// libphonenumber keeps a national prefix when the number is too short without it, and then
    /// calls the number possible by its length with the `0` (`07700 9001` in GB is
    /// `+44077009001`): a number that is still in the region's ranges with it is a real leading
    /// zero; otherwise a digit was lost, and the number is refused whatever `require` says.
    private func keepsNationalPrefix(
        _ number: PhoneNumberLibrary.Number, _ bytes: UnsafeBufferPointer<UInt8>, region: String?
    ) -> Bool {
        guard number.national.utf8.first == UInt8(ascii: "0"), number.valid != true,
            PhoneNumberLibrary.nationalPrefixIsZero(callingCode: number.callingCode)
        else { return false }
        if number.valid == false { return true }
        guard
            case .possible(let checked) = PhoneNumberLibrary.read(bytes, region: region, format: output, validate: true)
        else { return true }
        return checked.valid == false
    }

    /// The E.164 form of a number written internationally (`+44 20 7946 0018`, `0044…`,
    /// `whatsapp:+442079460018`), for matching; nil for anything else.
    static func matchForm(_ text: String) -> String? {
        var bytesOf = text
        return bytesOf.withUTF8 { bytes in
            // What a phone transform on this thread has just written is already in its match form.
            if PhoneNumberLibrary.isSettledE164(bytes) { return text }
            let reading = PhoneNumberLibrary.read(bytes, region: nil, format: .e164, validate: false)
            guard case .possible(let number) = reading else { return nil }
            return number.formatted
        }
    }

    /// Whether two `X` (either case) or `*` follow each other: a mask over digits, never a
    /// vanity number's word.
    static func isMasked(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous = false
        for byte in bytes {
            let hides = byte | 0x20 == UInt8(ascii: "x") || byte == UInt8(ascii: "*")
            if hides && previous { return true }
            previous = hides
        }
        return false
    }

    /// Whether a word made only of letters that look like digits (`O`, `o`, `I`, `l`) touches a
    /// digit (`O7911`, `0l2`, `OO18`, `0207 946 OOl8`), or opens the text before a space and a
    /// digit (`O 7911 123456`). A vanity number's words hold other letters (`1-800-FLOWERS`,
    /// `1-800-GO-FEDEX`), an extension's `x` or `ext` is no such word, and a Spanish `o` ("or")
    /// between two numbers stands between spaces.
    static func hasLetterForDigit(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func looksLikeDigit(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "O") || byte == UInt8(ascii: "o") || byte == UInt8(ascii: "I")
                || byte == UInt8(ascii: "l")
        }
        var index = 0
        while index < bytes.count {
            guard isLetter(bytes[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && isLetter(bytes[end]) { end += 1 }
            if bytes[index..<end].allSatisfy(looksLikeDigit) {
                let touchesDigit =
                    (index > 0 && isDigit(bytes[index - 1])) || (end < bytes.count && isDigit(bytes[end]))
                let opensNumber =
                    index == 0 && end + 1 < bytes.count && bytes[end] == UInt8(ascii: " ") && isDigit(bytes[end + 1])
                if touchesDigit || opensNumber { return true }
            }
            index = end
        }
        return false
    }

    /// Whether the text's first digit or `+` is a `+`, or its first two digits are `00`.
    static func isWrittenInternationally(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var zeros = 0
        for byte in bytes {
            if byte == UInt8(ascii: "+") { return zeros == 0 }
            guard byte >= 0x30 && byte <= 0x39 else { continue }
            guard byte == 0x30 else { return false }
            zeros += 1
            if zeros == 2 { return true }
        }
        return false
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        // Most values have nothing to trim: say so without building a Substring.
        if let first = first, let last = last, !set.contains(first), !set.contains(last) { return self }
        return Substring(self).trimmingCharacters(in: set)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var view = self
        while let first = view.first, set.contains(first) { view.removeFirst() }
        while let last = view.last, set.contains(last) { view.removeLast() }
        return String(view)
    }
}
