// NumberingPlans: libphonenumber's compiled-in metadata, read as the library reads it, checked
// against its public API, with the library's ICU regular-expression calls.
#include "NumberingPlans.h"

#include <phonenumbers/phonemetadata.pb.h>

#include <algorithm>
#include <set>

// Declared in libphonenumber's src/phonenumbers/metadata.h, which is not installed. Weak: a library
// without them leaves them null, and NumberingPlans::shared() null.
namespace i18n {
namespace phonenumbers {
__attribute__((weak)) int metadata_size();
__attribute__((weak)) const void *metadata_get();
}  // namespace phonenumbers
}  // namespace i18n

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberUtil;

namespace flexsync {

namespace {

// The library's placeholder metadata for unknown regions, which it skips.
const char kUnknownRegion[] = "ZZ";
const char kNonGeographicalRegion[] = "001";

// A slot for each two-upper-case-letter code; -1 for anything else (which names no region).
int slot(const std::string &code) {
    if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') return -1;
    return (code[0] - 'A') * 26 + (code[1] - 'A');
}

bool isAsciiDigits(const std::string &text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const NumberingPlans *NumberingPlans::shared() {
    static const NumberingPlans *const plans = [] {
        // Never freed: per-thread ICU matchers refer to its patterns until their threads end.
        auto *made = new NumberingPlans();
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        if (made->load(util) && made->agreesWithLibrary(util)) return static_cast<const NumberingPlans *>(made);
        delete made;
        return static_cast<const NumberingPlans *>(nullptr);
    }();
    return plans;
}

bool NumberingPlans::load(const PhoneNumberUtil &util) {
    using i18n::phonenumbers::metadata_get;
    using i18n::phonenumbers::metadata_size;
    if (metadata_get == nullptr || metadata_size == nullptr) return false;
    PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(metadata_get(), metadata_size())) return false;
    // As PhoneNumberUtil's constructor: "ZZ" skipped, "001" kept by calling code, the first
    // entry for a key kept.
    for (const PhoneMetadata &metadata : collection.metadata()) {
        const std::string &id = metadata.id();
        if (id == kUnknownRegion) continue;
        NumberingPlan plan;
        plan.callingCode = metadata.country_code();
        plan.callingCodeText = std::to_string(metadata.country_code());
        plan.nationalPrefix = metadata.national_prefix();
        plan.internationalPrefix = compile(metadata.international_prefix());
        plan.nationalPrefixForParsing = compile(metadata.national_prefix_for_parsing());
        plan.nationalPrefixTransformRule = metadata.national_prefix_transform_rule();
        plan.generalPattern = compile(metadata.general_desc().national_number_pattern());
        const auto &lengths = metadata.general_desc().possible_length();
        plan.possibleLengths.assign(lengths.begin(), lengths.end());
        const auto &local = metadata.general_desc().possible_length_local_only();
        plan.localOnlyLengths.assign(local.begin(), local.end());
        // The library reads the first possible length unchecked; a plan without any is not one
        // to imitate.
        if (plan.possibleLengths.empty()) return false;
        if (id == kNonGeographicalRegion) {
            nonGeographical_.emplace(plan.callingCode, std::move(plan));
            continue;
        }
        int index = slot(id);
        if (index < 0) return false;
        if (!regions_[static_cast<size_t>(index)]) {
            regions_[static_cast<size_t>(index)] = std::make_unique<NumberingPlan>(std::move(plan));
        }
    }
    mainRegions_.resize(1000);
    for (int code = 0; code < 1000; code++) util.GetRegionCodeForCountryCode(code, &mainRegions_[static_cast<size_t>(code)]);
    return compiled_;
}

// The bytes read are the ones the library loaded only if it describes every region and calling
// code as they do.
bool NumberingPlans::agreesWithLibrary(const PhoneNumberUtil &util) const {
    std::set<std::string> regions;
    util.GetSupportedRegions(&regions);
    size_t known = static_cast<size_t>(std::count_if(regions_.begin(), regions_.end(), [](const auto &plan) {
        return plan != nullptr;
    }));
    if (known != regions.size()) return false;
    for (const std::string &code : regions) {
        const NumberingPlan *plan = region(code);
        if (plan == nullptr || plan->callingCode != util.GetCountryCodeForRegion(code)) return false;
        std::string nationalPrefix;
        util.GetNddPrefixForRegion(code, false, &nationalPrefix);
        if (nationalPrefix != plan->nationalPrefix) return false;
    }
    std::set<int> global;
    util.GetSupportedGlobalNetworkCallingCodes(&global);
    if (global.size() != nonGeographical_.size()) return false;
    for (int code : global) {
        if (nonGeographical_.count(code) == 0) return false;
    }
    return true;
}

int NumberingPlans::compile(const std::string &source) {
    if (source.empty()) return -1;
    auto found = patternIndex_.find(source);
    if (found != patternIndex_.end()) return found->second;
    UParseError parseError;
    UErrorCode status = U_ZERO_ERROR;
    // As IcuRegExp: the UTF-8 source as UTF-16, no flags.
    std::unique_ptr<icu::RegexPattern> pattern(icu::RegexPattern::compile(
        icu::UnicodeString::fromUTF8(icu::StringPiece(source.c_str(), static_cast<int32_t>(source.size()))), 0,
        parseError, status));
    if (U_FAILURE(status) || !pattern) compiled_ = false;
    int index = static_cast<int>(patterns_.size());
    patterns_.push_back(std::move(pattern));
    isLiteral_.push_back(isAsciiDigits(source));
    literals_.push_back(source);
    patternIndex_.emplace(source, index);
    return index;
}

const NumberingPlan *NumberingPlans::region(const std::string &code) const {
    int index = slot(code);
    return index < 0 ? nullptr : regions_[static_cast<size_t>(index)].get();
}

const NumberingPlan *NumberingPlans::forRegionOrCallingCode(int callingCode, const std::string &region) const {
    if (region != kNonGeographicalRegion) return this->region(region);
    auto found = nonGeographical_.find(callingCode);
    return found == nonGeographical_.end() ? nullptr : &found->second;
}

const std::string &NumberingPlans::mainRegion(int callingCode) const {
    static const std::string unknown = kUnknownRegion;
    if (callingCode < 0 || callingCode >= static_cast<int>(mainRegions_.size())) return unknown;
    return mainRegions_[static_cast<size_t>(callingCode)];
}

// ICU matchers are not thread-safe and cost an allocation to make: each thread keeps one per
// pattern, made when first used.
icu::RegexMatcher *NumberingPlans::matcher(int pattern, MatchFailure *failure) const {
    thread_local std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
    if (matchers.size() < patterns_.size()) matchers.resize(patterns_.size());
    std::unique_ptr<icu::RegexMatcher> &made = matchers[static_cast<size_t>(pattern)];
    if (!made) {
        UErrorCode status = U_ZERO_ERROR;
        made.reset(patterns_[static_cast<size_t>(pattern)]->matcher(status));
        if (U_FAILURE(status)) made.reset();
    }
    if (!made) failure->failed = true;
    return made.get();
}

bool NumberingPlans::fullMatch(int pattern, const icu::UnicodeString &input, MatchFailure *failure) const {
    if (pattern < 0) return false;
    if (isLiteral_[static_cast<size_t>(pattern)]) {
        return input == icu::UnicodeString(literals_[static_cast<size_t>(pattern)].c_str(), -1, icu::UnicodeString::kInvariant);
    }
    icu::RegexMatcher *m = matcher(pattern, failure);
    if (m == nullptr) return false;
    UErrorCode status = U_ZERO_ERROR;
    m->reset(input);
    bool matched = m->matches(0, status);
    if (U_FAILURE(status)) failure->failed = true;
    return matched && !U_FAILURE(status);
}

bool NumberingPlans::consume(int pattern, const icu::UnicodeString &input, int *position, std::string *group1,
                             std::string *group2, MatchFailure *failure) const {
    if (pattern < 0) return false;
    if (isLiteral_[static_cast<size_t>(pattern)]) {
        // No groups: a call asking for one fails, as the adapter's does.
        const std::string &literal = literals_[static_cast<size_t>(pattern)];
        if (group1 != nullptr || group2 != nullptr) return false;
        int length = static_cast<int>(literal.size());
        if (input.length() - *position < length) return false;
        for (int index = 0; index < length; index++) {
            if (input.charAt(*position + index) != static_cast<char16_t>(literal[static_cast<size_t>(index)])) return false;
        }
        *position += length;
        return true;
    }
    icu::RegexMatcher *m = matcher(pattern, failure);
    if (m == nullptr) return false;
    UErrorCode status = U_ZERO_ERROR;
    m->reset(input);
    bool matched = m->lookingAt(*position, status);
    if (!matched || U_FAILURE(status)) {
        if (U_FAILURE(status)) failure->failed = true;
        return false;
    }
    std::string *outputs[] = {group1, group2};
    for (int index = 0; index < 2; index++) {
        if (outputs[index] == nullptr) continue;
        if (index + 1 > m->groupCount()) return false;
        outputs[index]->clear();
        m->group(index + 1, status).toUTF8String(*outputs[index]);
    }
    int end = m->end(status);
    if (U_FAILURE(status)) {
        failure->failed = true;
        return false;
    }
    *position = end;
    return true;
}

bool NumberingPlans::replaceFirst(int pattern, const icu::UnicodeString &input, const std::string &replacement,
                                  std::string *output, MatchFailure *failure) const {
    if (pattern < 0) return false;
    icu::RegexMatcher *m = matcher(pattern, failure);
    if (m == nullptr) return false;
    UErrorCode status = U_ZERO_ERROR;
    m->reset(input);
    if (!m->find()) return false;
    icu::UnicodeString replaced;
    m->appendReplacement(
        replaced, icu::UnicodeString::fromUTF8(icu::StringPiece(replacement.c_str(), static_cast<int32_t>(replacement.size()))),
        status);
    m->appendTail(replaced);
    if (U_FAILURE(status)) {
        failure->failed = true;
        return false;
    }
    output->clear();
    replaced.toUTF8String(*output);
    return true;
}

}  // namespace flexsync
