internal import CPhoneNumber

/// libphonenumber, through the C interface of `CPhoneNumber`: the only place its types appear.
/// Every function may be called from any thread at once (the library's singleton is created
/// under `pthread_once`, and its shared regular-expression cache is lock-guarded).
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
    }

    /// Reads `bytes` (UTF-8) as a phone number of `region` (alpha-2; nil for none).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, region: String?, format: Format, validate: Bool) -> Reading {
        var result = fs_phone_result()
        let style: fs_phone_format = switch format {
        case .e164: fs_phone_format_e164
        case .international: fs_phone_format_international
        case .national: fs_phone_format_national
        }
        bytes.withMemoryRebound(to: CChar.self) { text in
            if let region {
                region.withCString { fs_phone_parse(text.baseAddress, text.count, $0, style, validate, &result) }
            } else {
                fs_phone_parse(text.baseAddress, text.count, nil, style, validate, &result)
            }
        }
        switch result.status {
        case fs_phone_parsed: break
        case fs_phone_not_a_number: return .notANumber
        case fs_phone_invalid_country_code: return .unknownCountry
        default: return .impossibleLength
        }
        let number = Number(formatted: text(&result.formatted, count: result.formatted_length),
                            extensionDigits: result.extension_length > 0
                                ? text(&result.extension, count: result.extension_length) : nil,
                            callingCode: Int(result.country_code),
                            national: text(&result.national, count: result.national_length),
                            valid: validate ? result.valid : nil)
        switch result.possibility {
        case fs_phone_possible: return .possible(number)
        case fs_phone_possible_local_only: return .localOnly(number)
        case fs_phone_invalid_country: return .unknownCountry
        default: return .impossibleLength
        }
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

    /// Every region libphonenumber has metadata for.
    static let supportedRegions: [String] = (0..<Int(fs_phone_supported_region_count())).compactMap { index in
        regionCode { fs_phone_supported_region(Int32(index), $0); return true }
    }

    /// The two letters a C function writes into a buffer of three, when it says it wrote them.
    private static func regionCode(_ write: (UnsafeMutablePointer<CChar>) -> Bool) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 3) { buffer in
            buffer.initialize(repeating: 0)
            guard let base = buffer.baseAddress, write(base) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer).prefix(2)),
                          as: UTF8.self)
        }
    }
}
