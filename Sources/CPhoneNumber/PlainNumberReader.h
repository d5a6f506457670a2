// PhoneNumberUtil::Parse, step for step, for the text nearly every export holds once its
// punctuation is gone: an optional `+` and then only ASCII digits (and, ahead of that, a plain
// number with a simple extension). Parse spends most of its
// ~10 µs on what such text cannot contain (it runs regular expressions to find where a number
// starts, whether it is viable, an extension, and converts the text to UTF-16 for each); what
// depends on the region — the international prefix, the calling code, the national prefix and
// carrier code, the possible lengths — is done here as Parse does it, with the same metadata and
// the same ICU patterns (NumberingPlans), in about a tenth of the time.
#ifndef FLEXSYNC_PLAIN_NUMBER_READER_H
#define FLEXSYNC_PLAIN_NUMBER_READER_H

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

namespace flexsync {

/// What the caller would otherwise ask the library about the number read, answered from the same
/// plans: GetNationalSignificantNumber and IsPossibleNumberWithReason.
struct PlainReading {
    std::string nationalSignificantNumber;
    i18n::phonenumbers::PhoneNumberUtil::ValidationResult possibility =
        i18n::phonenumbers::PhoneNumberUtil::INVALID_COUNTRY_CODE;
};

/// The digits of a number written with nothing but digits, white space, `-./()` and a leading `+`
/// (nearly every number in an export), with the `+`, when there are three or more; false for any
/// other text. fs_phone_parse reads these digits instead of the text on both of its routes.
bool plainDigits(const char *text, size_t length, std::string *digits);

/// Reads `text` in `region` as PhoneNumberUtil::Parse(text, region, number) does, when `text` is
/// an optional `+` and at least three ASCII digits, or a plain number and an extension written
/// ` x12`, ` ext 12` or ` ext. 12` (any case, one to six digits). True only when Parse would
/// succeed, with `number` then set to exactly what Parse sets; false when the text is not of that
/// form, Parse would report an error (it alone says which, and it retries some), the plans could
/// not be read, or ICU failed: then `number` and `reading` are unspecified and the caller asks Parse.
bool readPlainNumber(const std::string &text, const std::string &region, i18n::phonenumbers::PhoneNumber *number,
                     PlainReading *reading);

/// Whether reading `+`, `callingCode` and `national` with no region (as matching reads a number)
/// gives exactly that number back, by the plain-number reader: true when the calling code is the
/// one the library extracts from those digits, its plan is known, and its national prefix for
/// parsing is not found at the start of `national`. False when that cannot be told cheaply (the
/// caller then reads the text again).
bool readsBackAsItself(int callingCode, const std::string &national);

}  // namespace flexsync

#endif
