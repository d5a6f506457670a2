// The C interface of CPhoneNumber.h over libphonenumber's PhoneNumberUtil.
//
// PhoneNumberUtil::GetInstance() is a process-wide singleton created under pthread_once on
// Linux (phonenumbers/base/memory/singleton_posix.h), and its parsing, checking and formatting
// methods are const, with the one shared mutable part — the regular-expression cache — guarded
// by a lock (phonenumbers/regexp_cache.h). Debian's build uses the POSIX variants of both (the
// library imports pthread_once and pthread_mutex_*; it is not built with
// I18N_PHONENUMBERS_NO_THREAD_SAFETY). The plain-number reader's plans are built once (a C++
// static) and never change, and each thread runs their patterns on ICU matchers of its own. So
// every mapping thread may call these at once.
#include "CPhoneNumber.h"

#include "NumberingPlans.h"
#include "PlainNumberReader.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>
#include <string>
#include <vector>

using i18n::phonenumbers::NullLogger;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

// The instance, muted once before first use: the library must not print (a C++ static local is
// initialised once, thread-safely).
const PhoneNumberUtil &util() {
    static PhoneNumberUtil *const instance = [] {
        PhoneNumberUtil *made = PhoneNumberUtil::GetInstance();
        made->SetLogger(new NullLogger());
        return made;
    }();
    return *instance;
}

const std::vector<std::string> &supportedRegions() {
    static const std::vector<std::string> regions = [] {
        std::set<std::string> set;
        util().GetSupportedRegions(&set);
        return std::vector<std::string>(set.begin(), set.end());
    }();
    return regions;
}

void copy(const std::string &text, char *out, int capacity, int *length) {
    int count = static_cast<int>(std::min<size_t>(text.size(), static_cast<size_t>(capacity - 1)));
    std::memcpy(out, text.data(), static_cast<size_t>(count));
    out[count] = 0;
    *length = count;
}

// A number as parsed, with its national significant number and whether its length is possible.
struct Parsed {
    PhoneNumberUtil::ErrorType error = PhoneNumberUtil::NOT_A_NUMBER;
    PhoneNumber number;
    std::string national;
    PhoneNumberUtil::ValidationResult possible = PhoneNumberUtil::INVALID_COUNTRY_CODE;
    /// Read by flexsync::readPlainNumber rather than Parse.
    bool plain = false;
};

// Parse, or for plain digits the reading that gives what Parse gives without its cost.
Parsed parse(const std::string &text, const std::string &region, bool plainReader) {
    Parsed parsed;
    flexsync::PlainReading reading;
    if (plainReader && flexsync::readPlainNumber(text, region, &parsed.number, &reading)) {
        parsed.error = PhoneNumberUtil::NO_PARSING_ERROR;
        parsed.national = std::move(reading.nationalSignificantNumber);
        parsed.possible = reading.possibility;
        parsed.plain = true;
        return parsed;
    }
    parsed.number.Clear();
    parsed.error = util().Parse(text, region, &parsed.number);
    if (parsed.error == PhoneNumberUtil::NO_PARSING_ERROR) {
        util().GetNationalSignificantNumber(parsed.number, &parsed.national);
        parsed.possible = util().IsPossibleNumberWithReason(parsed.number);
    }
    return parsed;
}

void remember(const std::string &formatted, int callingCode, const std::string &national);

// Whether the text's first digit-or-plus is a `00`.
bool startsWithDoubleZero(const std::string &text) {
    for (size_t index = 0; index < text.size(); index++) {
        char byte = text[index];
        if (byte == '+') return false;
        if (byte >= '0' && byte <= '9') return byte == '0' && index + 1 < text.size() && text[index + 1] == '0';
    }
    return false;
}

void read(const char *text, size_t length, const char *region, fs_phone_format format, bool validate,
          bool plainReader, fs_phone_result *result) {
    const PhoneNumberUtil &phone = util();
    std::memset(result, 0, sizeof *result);
    result->type = fs_phone_type_unknown;
    std::string input;
    if (!flexsync::plainDigits(text, length, &input)) input.assign(text, length);
    std::string home = region ? region : "ZZ";
    Parsed parsed = parse(input, home, plainReader);
    if (parsed.possible != PhoneNumberUtil::IS_POSSIBLE && startsWithDoubleZero(input)) {
        std::string international = input;
        international.replace(international.find("00"), 2, "+");
        Parsed retried = parse(international, home, plainReader);
        if (retried.error == PhoneNumberUtil::NO_PARSING_ERROR && retried.possible == PhoneNumberUtil::IS_POSSIBLE) {
            parsed = std::move(retried);
        }
    }
    result->status = static_cast<fs_phone_parse_status>(parsed.error);
    result->plain_reader = parsed.plain;
    if (parsed.error != PhoneNumberUtil::NO_PARSING_ERROR) return;
    PhoneNumber &number = parsed.number;
    result->possibility = static_cast<fs_phone_possibility>(parsed.possible);
    result->country_code = number.country_code();
    copy(parsed.national, result->national, fs_phone_national_capacity, &result->national_length);
    if (validate) {
        PhoneNumberUtil::PhoneNumberType type = phone.GetNumberType(number);
        result->type = static_cast<fs_phone_type>(type);
        result->valid = type != PhoneNumberUtil::UNKNOWN;
        if (!result->valid) {
            // Why, when the length alone says it: possible for the region as a whole (which
            // counts short codes), but not for its fixed-line or mobile numbers.
            PhoneNumberUtil::ValidationResult fixed =
                phone.IsPossibleNumberForTypeWithReason(number, PhoneNumberUtil::FIXED_LINE);
            PhoneNumberUtil::ValidationResult mobile =
                phone.IsPossibleNumberForTypeWithReason(number, PhoneNumberUtil::MOBILE);
            if (fixed == PhoneNumberUtil::TOO_SHORT && mobile == PhoneNumberUtil::TOO_SHORT) result->length_hint = 1;
            if (fixed == PhoneNumberUtil::TOO_LONG && mobile == PhoneNumberUtil::TOO_LONG) result->length_hint = 2;
        }
    }
    if (number.has_extension()) {
        copy(number.extension(), result->extension, fs_phone_extension_capacity, &result->extension_length);
        number.clear_extension();
    }
    std::string formatted;
    PhoneNumberUtil::PhoneNumberFormat style = format == fs_phone_format_international ? PhoneNumberUtil::INTERNATIONAL
        : format == fs_phone_format_national ? PhoneNumberUtil::NATIONAL : PhoneNumberUtil::E164;
    if (parsed.plain && style == PhoneNumberUtil::E164) {
        // Format's E164 case: `+`, the calling code, the national significant number.
        formatted = "+" + std::to_string(number.country_code()) + parsed.national;
    } else {
        phone.Format(number, style, &formatted);
    }
    copy(formatted, result->formatted, fs_phone_formatted_capacity, &result->formatted_length);
    // A possible number only: matching reads anything else as no number at all. (Possible or
    // not depends on the calling code and national number alone, so the second reading agrees.)
    // Whether it reads back as itself is asked only if matching asks (fs_phone_is_settled_e164):
    // most numbers written are no match key.
    if (style == PhoneNumberUtil::E164 && parsed.possible == PhoneNumberUtil::IS_POSSIBLE &&
        formatted.size() < fs_phone_formatted_capacity &&
        (parsed.plain || formatted == "+" + std::to_string(number.country_code()) + parsed.national)) {
        remember(formatted, number.country_code(), parsed.national);
    }
}

// The last E.164 numbers of possible length this thread wrote, with what they were made of: a
// match key's number is normalised right after its transform wrote it, on the same thread.
struct Written {
    std::string formatted;
    int callingCode = 0;
    std::string national;
};
constexpr size_t kWrittenKept = 4;
thread_local std::array<Written, kWrittenKept> writtenNumbers;
thread_local size_t writtenNext = 0;

void remember(const std::string &formatted, int callingCode, const std::string &national) {
    Written &slot = writtenNumbers[writtenNext];
    slot.formatted = formatted;
    slot.callingCode = callingCode;
    slot.national = national;
    writtenNext = (writtenNext + 1) % kWrittenKept;
}

}  // namespace

extern "C" void fs_phone_parse(const char *text, size_t length, const char *region, fs_phone_format format,
                               bool validate, fs_phone_result *result) {
    read(text, length, region, format, validate, true, result);
}

extern "C" void fs_phone_parse_reference(const char *text, size_t length, const char *region, fs_phone_format format,
                                         bool validate, fs_phone_result *result) {
    read(text, length, region, format, validate, false, result);
}

extern "C" bool fs_phone_is_settled_e164(const char *text, size_t length) {
    for (const Written &number : writtenNumbers) {
        const std::string &formatted = number.formatted;
        if (!formatted.empty() && formatted.size() == length && std::memcmp(formatted.data(), text, length) == 0) {
            return flexsync::readsBackAsItself(number.callingCode, number.national);
        }
    }
    return false;
}

extern "C" bool fs_phone_plain_reader_available(void) { return flexsync::NumberingPlans::shared() != nullptr; }

extern "C" bool fs_phone_is_supported_region(const char *region) {
    const std::vector<std::string> &regions = supportedRegions();
    return std::binary_search(regions.begin(), regions.end(), std::string(region));
}

extern "C" bool fs_phone_region_for_calling_code(int calling_code, char *region) {
    std::string code;
    util().GetRegionCodeForCountryCode(calling_code, &code);
    if (code.size() != 2 || code == "ZZ") return false;
    std::memcpy(region, code.c_str(), 3);
    return true;
}

extern "C" bool fs_phone_national_prefix_is_zero(int calling_code) {
    std::string code;
    util().GetRegionCodeForCountryCode(calling_code, &code);
    if (code.size() != 2 || code == "ZZ") return false;
    std::string prefix;
    util().GetNddPrefixForRegion(code, true, &prefix);
    return prefix == "0";
}

extern "C" int fs_phone_supported_region_count(void) { return static_cast<int>(supportedRegions().size()); }

extern "C" void fs_phone_supported_region(int index, char *region) {
    std::memcpy(region, supportedRegions()[static_cast<size_t>(index)].c_str(), 3);
}
