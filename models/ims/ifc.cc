#include "ims/ifc.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <string_view>

#include "wire/text.h"

namespace pushsim::ims {
namespace {

using wire::HeaderId;
using wire::SipMessage;

const SipMessage* RequestOf(const IfcContext& context) {
  return context.request != nullptr && context.request->IsRequest() ? context.request : nullptr;
}

bool MethodHolds(const MethodCondition& condition, const ServicePointTrigger& spt, const IfcContext& context) {
  const SipMessage* request = RequestOf(context);
  if (request == nullptr || request->method_name() != condition.method) return false;
  // RegistrationType only narrows a REGISTER method SPT (TS 29.228 B.2.2).
  if (condition.method != "REGISTER" || spt.registration_types.empty()) return true;
  if (!context.registration_type) return false;
  return std::find(spt.registration_types.begin(), spt.registration_types.end(), *context.registration_type) !=
         spt.registration_types.end();
}

bool SipHeaderHolds(const SipHeaderCondition& condition, const IfcContext& context) {
  const SipMessage* request = RequestOf(context);
  if (request == nullptr) return false;
  // GetAll(name) resolves compact forms and compares unknown names case-insensitively.
  if (!condition.content) return request->Has(condition.header);
  const std::vector<std::string_view> elements = request->GetAll(condition.header);
  return std::any_of(elements.begin(), elements.end(),
                     [&](std::string_view element) { return condition.content->Matches(element); });
}

bool IsSdpBody(const SipMessage& request) {
  const std::optional<std::string_view> type = request.Get(HeaderId::kContentType);
  if (!type) return false;
  std::string_view media_type = *type;
  media_type = wire::TrimLws(media_type.substr(0, media_type.find(';')));
  return wire::EqualsIgnoreCase(media_type, "application/sdp");
}

bool SessionDescriptionHolds(const SessionDescriptionCondition& condition, const IfcContext& context) {
  const SipMessage* request = RequestOf(context);
  if (request == nullptr || !IsSdpBody(*request)) return false;
  std::string_view body = request->body();
  while (!body.empty()) {
    const std::size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // RFC 4566 5: <type>=<value>, no spaces around '='.
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos || line.substr(0, equals) != condition.line) continue;
    if (!condition.content || condition.content->Matches(line.substr(equals + 1))) return true;
  }
  return false;
}

bool ProfilePartApplies(const InitialFilterCriteria& ifc, SessionCase session_case) {
  if (!ifc.profile_part_indicator) return true;
  switch (session_case) {
    case SessionCase::kOriginating:
    case SessionCase::kTerminatingRegistered:
      return *ifc.profile_part_indicator == ProfilePartIndicator::kRegistered;
    case SessionCase::kTerminatingUnregistered:
    case SessionCase::kOriginatingUnregistered:
      return *ifc.profile_part_indicator == ProfilePartIndicator::kUnregistered;
    case SessionCase::kOriginatingCdiv:
      return true;
  }
  return true;
}

}  // namespace

bool SptConditionHolds(const ServicePointTrigger& spt, const IfcContext& context) {
  if (const auto* method = std::get_if<MethodCondition>(&spt.condition)) return MethodHolds(*method, spt, context);
  if (const auto* uri = std::get_if<RequestUriCondition>(&spt.condition)) {
    const SipMessage* request = RequestOf(context);
    return request != nullptr && uri->pattern.Matches(request->request_uri());
  }
  if (const auto* header = std::get_if<SipHeaderCondition>(&spt.condition)) return SipHeaderHolds(*header, context);
  if (const auto* session_case = std::get_if<SessionCaseCondition>(&spt.condition)) {
    return session_case->session_case == context.session_case;
  }
  if (const auto* description = std::get_if<SessionDescriptionCondition>(&spt.condition)) {
    return SessionDescriptionHolds(*description, context);
  }
  return false;
}

bool Matches(const TriggerPoint& trigger_point, const IfcContext& context) {
  // Each SPT is evaluated once, negation applied; then (group, value) pairs are sorted by group so
  // that each clause is one run, which keeps hostile profiles (1024 SPTs, 32 groups each) cheap.
  std::vector<std::pair<std::uint32_t, bool>> memberships;
  for (const ServicePointTrigger& spt : trigger_point.spts) {
    const bool value = SptConditionHolds(spt, context) != spt.condition_negated;
    for (std::uint32_t group : spt.groups) memberships.emplace_back(group, value);
  }
  std::stable_sort(memberships.begin(), memberships.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  const bool cnf = trigger_point.condition_type_cnf;
  for (std::size_t begin = 0; begin < memberships.size();) {
    std::size_t end = begin;
    // CNF clause: OR of its members; DNF clause: AND of its members.
    bool clause = !cnf;
    for (; end < memberships.size() && memberships[end].first == memberships[begin].first; ++end) {
      clause = cnf ? (clause || memberships[end].second) : (clause && memberships[end].second);
    }
    if (cnf && !clause) return false;  // one false clause falsifies the AND
    if (!cnf && clause) return true;   // one true clause satisfies the OR
    begin = end;
  }
  return cnf;
}

bool Matches(const InitialFilterCriteria& ifc, const IfcContext& context) {
  if (!ProfilePartApplies(ifc, context.session_case)) return false;
  return !ifc.trigger_point || Matches(*ifc.trigger_point, context);
}

std::vector<const InitialFilterCriteria*> MatchingFilters(const ServiceProfile& profile, const IfcContext& context) {
  std::vector<const InitialFilterCriteria*> matching;
  for (const InitialFilterCriteria& ifc : profile.initial_filter_criteria) {
    if (Matches(ifc, context)) matching.push_back(&ifc);
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const InitialFilterCriteria* a, const InitialFilterCriteria* b) {
                     return a->priority < b->priority;
                   });
  return matching;
}

}  // namespace pushsim::ims
