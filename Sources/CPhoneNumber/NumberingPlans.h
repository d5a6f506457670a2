// The numbering plans libphonenumber parses with, as plain values, and their regular expressions
// compiled and run by ICU exactly as the library's ICU adapter runs them: what PlainNumberReader
// needs to read a number the way PhoneNumberUtil::Parse does without going through Parse.
//
// PhoneNumberUtil keeps its metadata private (GetMetadataForRegion is not public in 8.12). The
// library builds it from one serialized PhoneMetadataCollection compiled into it, which it reads
// through `metadata_get()` / `metadata_size()`: exported from libphonenumber.so but declared only
// in a header Debian does not install. NumberingPlans reads the same bytes with the same
// generated protobuf classes (phonemetadata.pb.h is installed), declaring the two functions
// weakly: if a build of the library lacks them, or what they hold disagrees with what the public
// API says of any region or calling code, `shared()` is null and every number goes through Parse.
#ifndef FLEXSYNC_NUMBERING_PLANS_H
#define FLEXSYNC_NUMBERING_PLANS_H

#include <phonenumbers/phonenumberutil.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace flexsync {

/// One region's (or non-geographical entity's) rules for reading numbers, from its metadata.
/// Patterns are indexes into NumberingPlans' compiled patterns, -1 where the field is empty.
struct NumberingPlan {
    int callingCode = 0;
    std::string callingCodeText;
    /// Only to check these plans against the library's public answers.
    std::string nationalPrefix;
    int internationalPrefix = -1;
    int nationalPrefixForParsing = -1;
    std::string nationalPrefixTransformRule;
    /// The general description's national number pattern (an empty one matches nothing).
    int generalPattern = -1;
    /// The general description's possible lengths, as the metadata orders them (ascending), and
    /// the lengths possible only locally.
    std::vector<int> possibleLengths;
    std::vector<int> localOnlyLengths;
};

/// Set when ICU reported an error: the reading in progress is then left to Parse.
struct MatchFailure {
    bool failed = false;
};

class NumberingPlans {
public:
    /// The plans of every region, or null when they cannot be read or do not agree with the
    /// library's public answers. Built once, thread-safely; immutable after.
    static const NumberingPlans *shared();

    /// A region's plan (an exact, case-sensitive lookup, like the library's); null when unknown.
    const NumberingPlan *region(const std::string &code) const;
    /// The library's GetMetadataForRegionOrCallingCode: region "001" means the calling code's
    /// non-geographical entity.
    const NumberingPlan *forRegionOrCallingCode(int callingCode, const std::string &region) const;
    /// The library's GetRegionCodeForCountryCode ("ZZ" when the code is unknown).
    const std::string &mainRegion(int callingCode) const;

    // The library's RegExp adapter over ICU (regexp_adapter_icu.cc), call for call. Inputs are
    // ASCII, so UTF-16 positions are byte positions. A pattern of -1 matches nothing.

    /// RegExp::FullMatch: ICU `matches` from 0.
    bool fullMatch(int pattern, const icu::UnicodeString &input, MatchFailure *failure) const;
    /// RegExp::Consume anchored at the start: ICU `lookingAt` from `*position`; fails when fewer
    /// groups exist than outputs are given; on success writes the groups and moves `*position`
    /// to the match's end.
    bool consume(int pattern, const icu::UnicodeString &input, int *position, std::string *group1,
                 std::string *group2, MatchFailure *failure) const;
    /// RegExp::Replace, not global: the first match `find` gives replaced by `replacement`
    /// ($1, $2 name groups), the rest appended; false (and `output` untouched) without a match.
    bool replaceFirst(int pattern, const icu::UnicodeString &input, const std::string &replacement,
                      std::string *output, MatchFailure *failure) const;

private:
    NumberingPlans() = default;
    bool load(const i18n::phonenumbers::PhoneNumberUtil &util);
    bool agreesWithLibrary(const i18n::phonenumbers::PhoneNumberUtil &util) const;
    int compile(const std::string &source);
    icu::RegexMatcher *matcher(int pattern, MatchFailure *failure) const;

    std::array<std::unique_ptr<NumberingPlan>, 26 * 26> regions_;
    std::map<int, NumberingPlan> nonGeographical_;
    std::vector<std::string> mainRegions_;
    std::vector<std::unique_ptr<icu::RegexPattern>> patterns_;
    /// A pattern of nothing but ASCII digits: ICU matches it exactly where the text is equal.
    std::vector<std::string> literals_;
    std::vector<bool> isLiteral_;
    std::map<std::string, int> patternIndex_;
    bool compiled_ = true;
};

}  // namespace flexsync

#endif
