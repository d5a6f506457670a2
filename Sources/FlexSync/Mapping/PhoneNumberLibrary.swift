internal import CPhoneNumber

/// libphonenumber, through the C interface of `CPhoneNumber`: the only place its types appear.
/// Every function may be called from any thread at once (the library's singleton is created
/// under `pthread_once`, and its shared regular-expression cache is lock-guarded; the plain-number
/// reader's plans are immutable and its ICU matchers per thread).
enum PhoneNumberLibrary {
    /// How a number is written out.
    enum Format: String, Sendable, CaseIterable {
        case e164
        case international
        case national
    }

    /// What libphonenumber made of a text.
    enum Reading: Equatable {
        /// The text is not a phone number at all.
        case notANumber
        /// A national number without a region to read it in, or an unknown `+CC`.
        case unknownCountry
        /// Too short or too long for its region.
        case impossibleLength
        /// Long enough only to be dialled inside its area: the area code is missing.
        case localOnly(Number)
        /// A number whose length fits its region.
        case possible(Number)
    }

    /// A parsed number, formatted.
    struct Number: Equatable {
        var formatted: String
        var extensionDigits: String?
        var callingCode: Int
        /// The national significant number (leading zeros included).
        var national: String
        /// Within the region's assigned ranges; nil unless validity was asked for.
        var valid: Bool?
        /// For a number that is not valid: too short (or too long) for both the region's
        /// fixed-line and mobile numbers.
        var tooShort = false
        var tooLong = false
    }

    /// How a text reaches libphonenumber. Text that is digits and punctuation (nearly every number
    /// in an export) is read by `CPhoneNumber`'s plain-number reader: `PhoneNumberUtil::Parse`'s
    /// steps over the library's own metadata and patterns, in a tenth of the time. `reference`
    /// sends every text through Parse; the tests hold the two to the same results.
    enum Route: Sendable {
        case plainReader
        case reference
    }

    /// Everything the C interface says of a text, field for field: what the two routes are
    /// compared on.
    struct Outcome: Equatable, CustomStringConvertible {
        /// libphonenumber's ErrorType, ValidationResult and PhoneNumberType, as numbers.
        var status: UInt32
        var possibility: UInt32
        var type: UInt32
        var valid: Bool
        var callingCode: Int
        var national: String
        var formatted: String
        var extensionDigits: String

        var description: String {
            "status \(status), possibility \(possibility), type \(type), valid \(valid), +\(callingCode) "
                + "national '\(national)' formatted '\(formatted)' extension '\(extensionDigits)'"
        }
    }

    /// Reads `bytes` (UTF-8) as a phone number of `region` (alpha-2; nil for none).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, region: String?, format: Format, validate: Bool) -> Reading {
        var result = call(bytes, region: region, format: format, validate: validate, route: .plainReader)
        switch result.status {
        case fs_phone_parsed: break
        case fs_phone_not_a_number: return .notANumber
        case fs_phone_invalid_country_code: return .unknownCountry
        default: return .impossibleLength
        }
        let number = Number(
            formatted: text(&result.formatted, count: result.formatted_length),
            extensionDigits: result.extension_length > 0
                ? text(&result.extension, count: result.extension_length) : nil,
            callingCode: Int(result.country_code),
            national: text(&result.national, count: result.national_length),
            valid: validate ? result.valid : nil, tooShort: result.length_hint == 1, tooLong: result.length_hint == 2)
        switch result.possibility {
        case fs_phone_possible: return .possible(number)
        case fs_phone_possible_local_only: return .localOnly(number)
        case fs_phone_invalid_country: return .unknownCountry
        default: return .impossibleLength
        }
    }

    /// All that the C interface says of `bytes` read by one route, and whether the plain-number
    /// reader read it (rather than Parse).
    static func outcome(
        of bytes: UnsafeBufferPointer<UInt8>, region: String?, format: Format, validate: Bool,
        route: Route
    ) -> (outcome: Outcome, readByPlainReader: Bool) {
        var result = call(bytes, region: region, format: format, validate: validate, route: route)
        let outcome = Outcome(
            status: result.status.rawValue, possibility: result.possibility.rawValue,
            type: result.type.rawValue, valid: result.valid, callingCode: Int(result.country_code),
            national: text(&result.national, count: result.national_length),
            formatted: text(&result.formatted, count: result.formatted_length),
            extensionDigits: text(&result.extension, count: result.extension_length))
        return (outcome, result.plain_reader)
    }

    /// Whether a phone transform on this thread has just written these bytes as an E.164 number
    /// that reads back as itself (``PhoneRule/matchForm(_:)`` would give them back).
    static func isSettledE164(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withMemoryRebound(to: CChar.self) { fs_phone_is_settled_e164($0.baseAddress, $0.count) }
    }

    /// Whether the plain-number reader is on (it turns itself off, leaving every text to Parse, if
    /// libphonenumber's metadata cannot be read as the library reads it).
    static var plainReaderIsAvailable: Bool { fs_phone_plain_reader_available() }

    private static func call(
        _ bytes: UnsafeBufferPointer<UInt8>, region: String?, format: Format, validate: Bool,
        route: Route
    ) -> fs_phone_result {
        var result = fs_phone_result()
        let style: fs_phone_format =
            switch format {
            case .e164: fs_phone_format_e164
            case .international: fs_phone_format_international
            case .national: fs_phone_format_national
            }
        let parse = route == .plainReader ? fs_phone_parse : fs_phone_parse_reference
        bytes.withMemoryRebound(to: CChar.self) { text in
            if let region {
                region.withCString { parse(text.baseAddress, text.count, $0, style, validate, &result) }
            } else {
                parse(text.baseAddress, text.count, nil, style, validate, &result)
            }
        }
        return result
    }

    /// Bytes of a fixed-size C character array as a string.
    private static func text<T>(_ tuple: inout T, count: Int32) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: UnsafeRawBufferPointer(rebasing: raw.prefix(Int(count))), as: UTF8.self)
        }
    }

    /// Whether libphonenumber knows the region (alpha-2, upper case).
    static func isSupported(region: String) -> Bool {
        region.utf8.count == 2 && region.withCString { fs_phone_is_supported_region($0) }
    }

    /// The main region of a calling code (`44` → `GB`, `1` → `US`).
    static func region(callingCode: Int) -> String? {
        guard callingCode > 0, callingCode < 1000 else { return nil }
        return regionCode { fs_phone_region_for_calling_code(Int32(callingCode), $0) }
    }

    /// Whether the calling code's main region writes `0` before national numbers (GB, DE, FR;
    /// not IT, whose numbers keep their leading zero after `+39`).
    static func nationalPrefixIsZero(callingCode: Int) -> Bool {
        callingCode > 0 && callingCode < 1000 && fs_phone_national_prefix_is_zero(Int32(callingCode))
    }

    /// Every region libphonenumber has metadata for.
    static let supportedRegions: [String] = (0..<Int(fs_phone_supported_region_count())).compactMap { index in
        regionCode {
            fs_phone_supported_region(Int32(index), $0)
            return true
        }
    }

    /// The two letters a C function writes into a buffer of three, when it says it wrote them.
    private static func regionCode(_ write: (UnsafeMutablePointer<CChar>) -> Bool) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 3) { buffer in
            buffer.initialize(repeating: 0)
            guard let base = buffer.baseAddress, write(base) else { return nil }
            return String(
                decoding: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer).prefix(2)),
                as: UTF8.self)
        }
    }
}
