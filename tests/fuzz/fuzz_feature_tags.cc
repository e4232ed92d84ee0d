// Fuzz target for feature tags and caller preferences: arbitrary bytes as an Accept-Contact /
// Reject-Contact element, as Contact parameters, as a feature value and as an application id list.
// Whatever parses must serialize and re-parse to an equal value, and matching against a fixed
// target set must keep every score within [0, 1].
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wire/feature_tags.h"

namespace {

namespace w = pushsim::wire;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

const std::vector<w::FeatureSet>& FixedTargets() {
  static const std::vector<w::FeatureSet> targets = [] {
    std::vector<w::FeatureSet> out;
    for (std::string_view text :
         {";audio;video;+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"",
          ";methods=\"INVITE,MESSAGE\";+g.example.size=\"#1:5\";+g.example.app=\"!push.sia\"",
          ";+g.ims.app_ref=\"<urn:A>\";audio=\"FALSE\"", ";expires=60"}) {
      std::size_t consumed = 0;
      auto params = w::ParseParams(text, consumed);
      Check(params.ok());
      auto set = w::FeatureSetFromParams(*params);
      Check(set.ok());
      out.push_back(*set);
    }
    return out;
  }();
  return targets;
}

const std::vector<w::ContactPredicate>& FixedPredicates() {
  static const std::vector<w::ContactPredicate> predicates = [] {
    std::vector<w::ContactPredicate> out;
    for (std::string_view text : {"*;+g.oma.pusheventapp=\"mms.ua\";require;explicit", "*;audio;video",
                                  "*;+g.example.size=\"#>=4\";methods=\"message\""}) {
      auto predicate = w::ParseAcceptContact(text);
      Check(predicate.ok());
      out.push_back(*predicate);
    }
    return out;
  }();
  return predicates;
}

void CheckValueRoundTrip(const w::FeatureTag& tag) {
  auto again = w::ParseFeatureParam(tag.name, w::ToParamValue(tag.value));
  Check(again.ok());
  Check(*again == tag.value);
}

void CheckChoices(const std::vector<w::ContactChoice>& choices, std::size_t targets) {
  Check(choices.size() <= targets);
  for (const w::ContactChoice& choice : choices) {
    Check(choice.index < targets);
    Check(choice.score >= 0.0 && choice.score <= 1.0);
  }
}

void FuzzPredicate(std::string_view input, bool accept) {
  auto predicate = accept ? w::ParseAcceptContact(input) : w::ParseRejectContact(input);
  if (!predicate.ok()) return;
  std::string text = "*";
  for (const w::FeatureTag& tag : predicate->features.tags) {
    CheckValueRoundTrip(tag);
    text += ";" + w::FormatFeatureParam(tag.name, tag.value);
  }
  if (predicate->require) text += ";require";
  if (predicate->explicit_tag) text += ";explicit";
  auto again = accept ? w::ParseAcceptContact(text) : w::ParseRejectContact(text);
  Check(again.ok());
  Check(again->require == predicate->require && again->explicit_tag == predicate->explicit_tag);
  Check(again->features.size() == predicate->features.size());
  for (std::size_t k = 0; k < again->features.size(); ++k) {
    Check(again->features.tags[k].value == predicate->features.tags[k].value);
  }
  for (const w::FeatureSet& target : FixedTargets()) {
    const w::MatchResult match = w::MatchAcceptContact(*predicate, target);
    Check(match.score >= 0.0 && match.score <= 1.0);
    Check(match.stated_terms <= match.predicate_terms);
    (void)w::MatchesRejectContact(*predicate, target);
  }
  const std::vector<w::ContactPredicate> one = {*predicate};
  CheckChoices(accept ? w::SelectContacts(FixedTargets(), one, {}) : w::SelectContacts(FixedTargets(), {}, one),
               FixedTargets().size());
}

void FuzzContactParams(std::string_view input) {
  std::size_t consumed = 0;
  auto params = w::ParseParams(input, consumed);
  if (!params.ok()) return;
  auto set = w::FeatureSetFromParams(*params);
  if (!set.ok()) return;
  for (const w::FeatureTag& tag : set->tags) CheckValueRoundTrip(tag);
  (void)w::SupportsPushApp(*set, "mms.ua");
  const std::vector<w::FeatureSet> targets = {*set, FixedTargets()[0]};
  CheckChoices(w::SelectContacts(targets, {0.5, 1.0}, FixedPredicates(), FixedPredicates()), targets.size());
}

void FuzzValues(std::string_view input) {
  if (auto value = w::ParseFeatureValue(input); value.ok()) {
    CheckValueRoundTrip(w::FeatureTag{"+g.fuzz", *value});
  }
  if (auto ids = w::ParseEventAppIds(input); ids.ok()) {
    auto text = w::FormatEventAppIds(*ids);
    Check(text.ok());
    auto again = w::ParseEventAppIds(*text);
    Check(again.ok() && *again == *ids);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzPredicate(input, true);
  FuzzPredicate(input, false);
  FuzzContactParams(input);
  FuzzValues(input);
  return 0;
}
