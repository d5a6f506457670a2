// readPlainNumber: PhoneNumberUtil::ParseHelper (libphonenumber 8.12, phonenumberutil.cc) for an
// optional `+` and ASCII digits, and for a plain number with a simple extension. Each function
// below names the library function it follows; the steps Parse takes that cannot change such text
// are listed where they would run.
#include "PlainNumberReader.h"

#include "NumberingPlans.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdint>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace flexsync {

namespace {

// PhoneNumberUtil::kMinLengthForNsn, kMaxLengthForNsn, kMaxLengthCountryCode.
constexpr size_t kMinLengthForNsn = 2;
constexpr size_t kMaxLengthForNsn = 17;
constexpr size_t kMaxLengthCountryCode = 3;

icu::UnicodeString utf16(const std::string &ascii) {
    return icu::UnicodeString(ascii.data(), static_cast<int32_t>(ascii.size()), icu::UnicodeString::kInvariant);
}

bool isDigits(const std::string &text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// TestNumberLength(number, metadata): the UNKNOWN type, whose description is the general one.
PhoneNumberUtil::ValidationResult testNumberLength(size_t length, const NumberingPlan &plan) {
    const std::vector<int> &possible = plan.possibleLengths;  // never empty (NumberingPlans::load)
    if (possible.front() == -1) return PhoneNumberUtil::INVALID_LENGTH;
    int actual = static_cast<int>(length);
    const std::vector<int> &local = plan.localOnlyLengths;
    if (std::find(local.begin(), local.end(), actual) != local.end()) return PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY;
    int minimum = possible.front();
    if (minimum == actual) return PhoneNumberUtil::IS_POSSIBLE;
    if (minimum > actual) return PhoneNumberUtil::TOO_SHORT;
    if (possible.back() < actual) return PhoneNumberUtil::TOO_LONG;
    return std::find(possible.begin() + 1, possible.end(), actual) != possible.end() ? PhoneNumberUtil::IS_POSSIBLE
                                                                                     : PhoneNumberUtil::INVALID_LENGTH;
}

class Reader {
public:
    explicit Reader(const NumberingPlans &plans) : plans_(plans) {}

    bool failed() const { return failure_.failed; }

    // IsMatch(*matcher_api_, number, general_desc): RegexBasedMatcher::MatchNationalNumber without
    // prefix matches, i.e. a full match; an empty pattern matches nothing.
    bool isMatch(const std::string &number, const NumberingPlan &plan) {
        return plans_.fullMatch(plan.generalPattern, utf16(number), &failure_);
    }

    // MaybeStripNationalPrefixAndCarrierCode; the carrier code is only kept by
    // ParseAndKeepRawInput, so it is read (the adapter's calls depend on it) and dropped.
    bool stripNationalPrefixAndCarrierCode(const NumberingPlan &plan, std::string *number) {
        int prefix = plan.nationalPrefixForParsing;
        if (number->empty() || prefix < 0) return false;
        const icu::UnicodeString input = utf16(*number);
        int positionWithTransform = 0;
        int positionWithoutTransform = 0;
        std::string carrierCode;
        std::string capturedPartOfPrefix;
        // Whether the number as written fits the plan: the library works this out first, but it
        // only matters once a prefix is found, so this asks ICU only then.
        int viable = -1;
        auto viableOriginal = [&] {
            if (viable < 0) viable = isMatch(*number, plan) ? 1 : 0;
            return viable == 1;
        };
        const std::string &rule = plan.nationalPrefixTransformRule;
        if (!rule.empty() &&
            (plans_.consume(prefix, input, &positionWithTransform, &carrierCode, &capturedPartOfPrefix, &failure_) ||
             plans_.consume(prefix, input, &positionWithTransform, &capturedPartOfPrefix, nullptr, &failure_)) &&
            !capturedPartOfPrefix.empty()) {
            std::string transformed = *number;
            plans_.replaceFirst(prefix, input, rule, &transformed, &failure_);
            if (viableOriginal() && !isMatch(transformed, plan)) return false;
            *number = transformed;
            return true;
        }
        if (plans_.consume(prefix, input, &positionWithoutTransform, &carrierCode, nullptr, &failure_) ||
            plans_.consume(prefix, input, &positionWithoutTransform, nullptr, nullptr, &failure_)) {
            std::string rest = number->substr(static_cast<size_t>(positionWithoutTransform));
            if (viableOriginal() && !isMatch(rest, plan)) return false;
            *number = rest;
            return true;
        }
        return false;
    }

    // ExtractCountryCode: the shortest prefix (1 to 3 digits, not starting with 0) that is a
    // calling code the library knows; 0 when none.
    int extractCountryCode(std::string *number) const {
        if (number->empty() || (*number)[0] == '0') return 0;
        int code = 0;
        for (size_t length = 1; length <= kMaxLengthCountryCode && length <= number->size(); length++) {
            code = code * 10 + ((*number)[length - 1] - '0');
            if (plans_.mainRegion(code) != "ZZ") {
                number->erase(0, length);
                return code;
            }
        }
        return 0;
    }

    const NumberingPlans &plans() const { return plans_; }

private:
    const NumberingPlans &plans_;
    MatchFailure failure_;
};

bool isDigit(char byte) { return byte >= '0' && byte <= '9'; }

// `ext` in any case at `at`.
bool isExtLabel(const std::string &text, size_t at) {
    return (text[at] | 0x20) == 'e' && (text[at + 1] | 0x20) == 'x' && (text[at + 2] | 0x20) == 't';
}

// A number written plainly and then an extension as US exports write one: spaces, `x`, `ext` or
// `ext.` in any case, optional spaces, one to six digits, the end of the text. Parse finds exactly
// that extension there (MaybeStripExtension): every extension form the library knows starts with
// separators and a label (letters, `#`, `~`, `;` or `,`), so the first match that reaches the end
// starts at the spaces before the label, and six digits are within every form's limit. What
// remains once it is cut is viable (three digits or more, and only punctuation the library's
// pattern allows — which a tab is not) and normalises to the digits plainDigits gives, so the
// number is read as those digits with that extension.
bool splitExtension(const std::string &text, std::string *digits, std::string *extension) {
    size_t end = text.size();
    size_t start = end;
    while (start > 0 && isDigit(text[start - 1])) start--;
    if (end - start < 1 || end - start > 6) return false;
    size_t label = start;
    while (label > 0 && text[label - 1] == ' ') label--;
    size_t before;
    if (label >= 1 && (text[label - 1] | 0x20) == 'x') {
        before = label - 1;
    } else if (label >= 4 && text[label - 1] == '.' && isExtLabel(text, label - 4)) {
        before = label - 4;
    } else if (label >= 3 && isExtLabel(text, label - 3)) {
        before = label - 3;
    } else {
        return false;
    }
    if (before == 0 || text[before - 1] != ' ') return false;
    size_t numberEnd = before;
    while (numberEnd > 0 && text[numberEnd - 1] == ' ') numberEnd--;
    if (numberEnd == 0 || !isDigit(text[numberEnd - 1])) return false;
    if (text.find('\t') < numberEnd || !plainDigits(text.data(), numberEnd, digits)) return false;
    if (std::count_if(digits->begin(), digits->end(), isDigit) < 3) return false;
    extension->assign(text, start, end - start);
    return true;
}

// ParseHelper's steps for an optional `+` and digits.
bool readDigits(const std::string &text, const std::string &region, PhoneNumber *number, PlainReading *reading) {
    const NumberingPlans *plans = NumberingPlans::shared();
    if (plans == nullptr) return false;
    bool plus = !text.empty() && text[0] == '+';
    std::string national = plus ? text.substr(1) : text;
    // BuildNationalNumberForParsing leaves such text as it is (no "tel:" or ";phone-context=",
    // it starts with a valid start character, ends with a digit, holds no "/ x" or ";isub=");
    // IsViablePhoneNumber holds for three digits or more; MaybeStripExtension finds no
    // extension (every form needs a letter, `#`, `~`, `,` or `;`).
    if (national.size() < 3 || !isDigits(national)) return false;
    const NumberingPlan *regionPlan = plans->region(region);
    // CheckRegionForParsing: without a region, only a `+` number can be read.
    if (regionPlan == nullptr && !plus) return false;
    Reader reader(*plans);

    // MaybeExtractCountryCode, with MaybeStripInternationalPrefixAndNormalize (Normalize leaves
    // ASCII digits as they are).
    int callingCode = 0;
    bool international = plus;
    if (!plus) {
        // ParsePrefixAsIdd with the region's international prefix (only non-geographical
        // entities have none, and they are never a default region).
        if (regionPlan->internationalPrefix < 0) return false;
        int position = 0;
        MatchFailure failure;
        if (plans->consume(regionPlan->internationalPrefix, utf16(national), &position, nullptr, nullptr, &failure)) {
            // Stripped only when the digit after it is not a 0: calling codes never start with one.
            std::string rest = national.substr(static_cast<size_t>(position));
            if (rest.empty() || rest[0] != '0') {
                national = rest;
                international = true;
            }
        }
        if (failure.failed) return false;
    }
    if (international) {
        // Parse's TOO_SHORT_AFTER_IDD, or INVALID_COUNTRY_CODE_ERROR (which it may retry).
        if (national.size() <= kMinLengthForNsn) return false;
        callingCode = reader.extractCountryCode(&national);
        if (callingCode == 0) return false;
    } else if (national.compare(0, regionPlan->callingCodeText.size(), regionPlan->callingCodeText) == 0) {
        // The region's calling code written without `+`: kept as such when the number is no
        // match for the region without it but is one with it stripped, or is too long with it.
        std::string potential = national.substr(regionPlan->callingCodeText.size());
        reader.stripNationalPrefixAndCarrierCode(*regionPlan, &potential);
        if ((!reader.isMatch(national, *regionPlan) && reader.isMatch(potential, *regionPlan)) ||
            testNumberLength(national.size(), *regionPlan) == PhoneNumberUtil::TOO_LONG) {
            national = potential;
            callingCode = regionPlan->callingCode;
        }
    }

    // ParseHelper: the plan of the number's own region, unless that is the default one.
    const NumberingPlan *plan = regionPlan;
    if (callingCode != 0) {
        const std::string &numberRegion = plans->mainRegion(callingCode);
        if (numberRegion != region) plan = plans->forRegionOrCallingCode(callingCode, numberRegion);
    } else {
        callingCode = regionPlan->callingCode;
    }
    if (national.size() < kMinLengthForNsn) return false;  // TOO_SHORT_NSN
    if (plan != nullptr) {
        // The national prefix and carrier code go only if what remains has a possible length.
        std::string potential = national;
        reader.stripNationalPrefixAndCarrierCode(*plan, &potential);
        PhoneNumberUtil::ValidationResult length = testNumberLength(potential.size(), *plan);
        if (length != PhoneNumberUtil::TOO_SHORT && length != PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY &&
            length != PhoneNumberUtil::INVALID_LENGTH) {
            national = potential;
        }
    }
    if (national.size() < kMinLengthForNsn || national.size() > kMaxLengthForNsn) return false;  // TOO_SHORT/LONG_NSN
    // A transform rule could in principle write something else than digits.
    if (reader.failed() || !isDigits(national)) return false;

    number->Clear();
    number->set_country_code(callingCode);
    // SetItalianLeadingZerosForPhoneNumber: an all-zero number keeps its last zero as the value.
    if (national.size() > 1 && national[0] == '0') {
        number->set_italian_leading_zero(true);
        size_t zeros = 1;
        while (zeros < national.size() - 1 && national[zeros] == '0') zeros++;
        if (zeros != 1) number->set_number_of_leading_zeros(static_cast<int32_t>(zeros));
    }
    uint64_t value = 0;
    for (char digit : national) value = value * 10 + static_cast<uint64_t>(digit - '0');
    number->set_national_number(value);

    // GetNationalSignificantNumber gives the leading zeros counted above and the value's digits:
    // the digits read. IsPossibleNumberWithReason: the length against the plan of the calling
    // code's main region (or non-geographical entity), when the library knows the code.
    reading->nationalSignificantNumber = national;
    const std::string &mainRegion = plans->mainRegion(callingCode);
    if (mainRegion == "ZZ") {
        reading->possibility = PhoneNumberUtil::INVALID_COUNTRY_CODE;
    } else {
        const NumberingPlan *own = plans->forRegionOrCallingCode(callingCode, mainRegion);
        if (own == nullptr) return false;
        reading->possibility = testNumberLength(national.size(), *own);
    }
    return true;
}

}  // namespace

// Such text can hold no extension (every extension form needs a letter, `#`, `,`, `;` or `~`)
// and no second number (`/ x…`): Parse reads it as it reads its digits (a tab aside, which
// Parse's viability pattern refuses and this accepts, so reading the digits is the defined
// behaviour), and the plain-number reader can then read it.
bool plainDigits(const char *text, size_t length, std::string *digits) {
    digits->clear();
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (byte >= '0' && byte <= '9') {
            digits->push_back(byte);
        } else if (byte == '+') {
            if (!digits->empty()) return false;
            digits->push_back(byte);
        } else if (byte != ' ' && byte != '\t' && byte != '-' && byte != '.' && byte != '/' && byte != '(' &&
                   byte != ')') {
            return false;
        }
    }
    return digits->size() >= 3;
}

bool readsBackAsItself(int callingCode, const std::string &national) {
    const NumberingPlans *plans = NumberingPlans::shared();
    if (plans == nullptr || national.size() < kMinLengthForNsn || national.size() > kMaxLengthForNsn ||
        !isDigits(national)) {
        return false;
    }
    // readDigits on `+`, the code and the number, with no region: the calling code it extracts
    // must be this one (calling codes are prefix-free, but the table says what the library knows).
    std::string digits = std::to_string(callingCode) + national;
    Reader reader(*plans);
    if (digits.size() <= kMinLengthForNsn || reader.extractCountryCode(&digits) != callingCode) return false;
    // Its plan must exist (without one readDigits leaves the text to Parse), and the national
    // prefix must not be found at the number's start: every branch of
    // stripNationalPrefixAndCarrierCode needs the prefix pattern to match there, so nothing is
    // stripped and the same digits are read, written `+`, code, digits.
    const NumberingPlan *plan = plans->forRegionOrCallingCode(callingCode, plans->mainRegion(callingCode));
    if (plan == nullptr) return false;
    if (plan->nationalPrefixForParsing < 0) return true;
    int position = 0;
    MatchFailure failure;
    bool found = plans->consume(plan->nationalPrefixForParsing, utf16(national), &position, nullptr, nullptr, &failure);
    return !found && !failure.failed;
}

bool readPlainNumber(const std::string &text, const std::string &region, PhoneNumber *number, PlainReading *reading) {
    if (readDigits(text, region, number, reading)) return true;
    std::string digits;
    std::string extension;
    if (!splitExtension(text, &digits, &extension) || !readDigits(digits, region, number, reading)) return false;
    // MaybeStripExtension sets it before the rest is read; the rest does not look at it.
    number->set_extension(extension);
    return true;
}

}  // namespace flexsync
