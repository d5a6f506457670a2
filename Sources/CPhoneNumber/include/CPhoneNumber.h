// A plain C interface to libphonenumber's PhoneNumberUtil (C++), so that Swift calls it without
// C++ interop. One call parses, checks and formats a number: crossing the boundary once per
// value, with the results in a caller-owned struct (no allocation, nothing to free).
#ifndef FLEXSYNC_CPHONENUMBER_H
#define FLEXSYNC_CPHONENUMBER_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How a parsed number is written out.
typedef enum {
    fs_phone_format_e164 = 0,           // +442079460018
    fs_phone_format_international = 1,  // +44 20 7946 0018
    fs_phone_format_national = 2,       // 020 7946 0018
} fs_phone_format;

/// Why text could not be parsed as a number (libphonenumber's ErrorType).
typedef enum {
    fs_phone_parsed = 0,
    fs_phone_invalid_country_code = 1,  // no region to read a national number in, or an unknown +CC
    fs_phone_not_a_number = 2,
    fs_phone_too_short_after_idd = 3,
    fs_phone_too_short_nsn = 4,
    fs_phone_too_long_nsn = 5,
} fs_phone_parse_status;

/// Whether a parsed number's length fits its region (libphonenumber's ValidationResult).
typedef enum {
    fs_phone_possible = 0,
    fs_phone_possible_local_only = 1,   // diallable only inside its area: the area code is missing
    fs_phone_invalid_country = 2,
    fs_phone_too_short = 3,
    fs_phone_invalid_length = 4,
    fs_phone_too_long = 5,
} fs_phone_possibility;

/// What libphonenumber makes of a number (PhoneNumberType), when validity was asked for.
typedef enum {
    fs_phone_type_fixed_line = 0, fs_phone_type_mobile, fs_phone_type_fixed_line_or_mobile, fs_phone_type_toll_free,
    fs_phone_type_premium_rate, fs_phone_type_shared_cost, fs_phone_type_voip, fs_phone_type_personal_number,
    fs_phone_type_pager, fs_phone_type_uan, fs_phone_type_voicemail, fs_phone_type_unknown,
} fs_phone_type;

enum { fs_phone_formatted_capacity = 64, fs_phone_extension_capacity = 32, fs_phone_national_capacity = 24 };

typedef struct {
    fs_phone_parse_status status;
    fs_phone_possibility possibility;
    /// Set only when `validate` was asked for; `fs_phone_type_unknown` means outside every assigned range.
    fs_phone_type type;
    bool valid;
    int country_code;
    /// The national significant number's digits (leading zeros included), for placeholder checks.
    char national[fs_phone_national_capacity];
    int national_length;
    char formatted[fs_phone_formatted_capacity];
    int formatted_length;
    char extension[fs_phone_extension_capacity];
    int extension_length;
    /// Read by the plain-number reader rather than `PhoneNumberUtil::Parse` (for tests).
    bool plain_reader;
    /// For a number validity was asked of and that is not valid: 1 when it is too short for both
    /// the region's fixed-line and mobile numbers, 2 when too long for both, else 0.
    int length_hint;
} fs_phone_result;

/// Parses `length` bytes of UTF-8 as a phone number, reading a national number as one of
/// `region` (ISO 3166 alpha-2, or NULL/"ZZ" for none). Text that starts with `00` and is not a
/// possible number of the region is read again as international (`00` is the international
/// prefix in most of the world, and exports write it whatever the region). With `validate`,
/// also says whether the number is in the region's assigned ranges, and of which type.
///
/// Text that is an optional `+` and digits once white space and `-./()` are dropped (nearly every
/// number in an export) is read without `PhoneNumberUtil::Parse`, by the same steps over the
/// library's own metadata and patterns; anything else, and every error, is left to Parse.
void fs_phone_parse(const char *text, size_t length, const char *region, fs_phone_format format, bool validate,
                    fs_phone_result *result);

/// `fs_phone_parse` with every number read by `PhoneNumberUtil::Parse`: the reference the
/// shortcut is tested against, field for field.
void fs_phone_parse_reference(const char *text, size_t length, const char *region, fs_phone_format format,
                              bool validate, fs_phone_result *result);

/// Whether one of this thread's last few `fs_phone_parse` calls with `fs_phone_format_e164` wrote
/// exactly `text` for a number of possible length, and that number read again with no region (as matching reads a number) is
/// known to give `text` back: its match form is then `text` itself, without a second reading.
bool fs_phone_is_settled_e164(const char *text, size_t length);

/// Whether the plain-number reader is on: false when libphonenumber's compiled-in metadata could
/// not be read or disagrees with its public API, and then `fs_phone_parse` sends every text to Parse.
bool fs_phone_plain_reader_available(void);

/// Whether libphonenumber has metadata for the region (alpha-2, upper case).
bool fs_phone_is_supported_region(const char *region);

/// The main region of a calling code (`44` → `GB`), in `region` (3 bytes); false when none.
bool fs_phone_region_for_calling_code(int calling_code, char *region);

/// Whether the main region of a calling code writes `0` before national numbers (its national
/// or trunk prefix: `020 7946 0018` in GB); false for regions without one, such as Italy, whose
/// numbers keep a leading zero after the calling code.
bool fs_phone_national_prefix_is_zero(int calling_code);

/// How many regions libphonenumber knows; `fs_phone_supported_region(i, out)` writes the i-th.
int fs_phone_supported_region_count(void);
void fs_phone_supported_region(int index, char *region);

#ifdef __cplusplus
}
#endif

#endif
