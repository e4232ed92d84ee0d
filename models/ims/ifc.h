// Initial filter criteria evaluation (3GPP TS 29.228 Annex B.2.2; TS 23.218 filter criteria): which
// application servers an S-CSCF involves for an initial request, in which order. Independent of
// the simulator and of the transport: it reads a parsed SipMessage and the profile only.
//
// Semantics:
// - A TriggerPoint is a boolean expression over its SPTs, each SPT optionally negated
//   (ConditionNegated). SPTs that share a Group number form one clause; an SPT listed in several
//   groups takes part in each of them. ConditionTypeCNF = 1 (conjunctive normal form): the
//   expression is the AND of the clauses, each clause the OR of its SPTs. ConditionTypeCNF = 0
//   (disjunctive normal form): the OR of the clauses, each clause the AND of its SPTs. (An empty
//   trigger point, which the schema forbids, is true in CNF and false in DNF, as an empty AND and
//   an empty OR are.) An iFC without a TriggerPoint matches every request.
// - Method: equal to the request method, case-sensitively (RFC 3261 7.1). RegistrationType
//   restricts a Method SPT whose value is "REGISTER" to REGISTER requests of the listed kinds; it
//   is ignored on every other SPT (TS 29.228 B.2.2). A restricted SPT does not match a REGISTER
//   whose kind the context leaves unknown.
// - RequestURI: the regular expression is searched in the Request-URI.
// - SIPHeader: the header name is compared case-insensitively, compact forms included ("m" is
//   Contact). Without Content the SPT is true when the header is present. With Content it is true
//   when the expression matches any element of that header: each field, and for list headers
//   (Contact, Accept-Contact, ...) each comma-separated element, since RFC 3261 7.3.1 makes
//   "H: a, b" and two fields "H: a" / "H: b" equivalent.
// - SessionCase: equal to the context's session case.
// - SessionDescription: true when an SDP line (RFC 4566 5) of type Line exists whose value
//   (after "x=") matches Content, or, without Content, when such a line exists. Only a body whose
//   Content-Type is application/sdp is read.
// - SPTs that look at the request (all but SessionCase) are false when the context has no request
//   or holds a response.
// - ProfilePartIndicator (TS 29.228 B.2.2): an iFC marked REGISTERED is skipped for the
//   unregistered session cases (TERMINATING_UNREGISTERED, ORIGINATING_UNREGISTERED) and an iFC
//   marked UNREGISTERED for the registered ones (ORIGINATING_REGISTERED, TERMINATING_REGISTERED);
//   ORIGINATING_CDIV applies both parts; an iFC without the indicator applies always.
#pragma once

#include <optional>
#include <vector>

#include "ims/subscription.h"
#include "wire/sip_message.h"

namespace pushsim::ims {

// SessionCase and RegistrationType are declared in ims/subscription.h (the profile uses them).

struct IfcContext {
  const wire::SipMessage* request = nullptr;  // the initial request being served
  SessionCase session_case = SessionCase::kOriginating;
  // For a REGISTER: initial registration, re-registration or de-registration (the registrar
  // knows; TS 24.229 5.4.1). Unset for other requests.
  std::optional<RegistrationType> registration_type;
};

// The value of one service point trigger, ConditionNegated not applied.
bool SptConditionHolds(const ServicePointTrigger& spt, const IfcContext& context);

// Evaluates a trigger point as TS 29.228 B.2.2 defines (see the top of this file).
bool Matches(const TriggerPoint& trigger_point, const IfcContext& context);

// Whether `ifc` applies: its ProfilePartIndicator fits the session case and its trigger point (if
// any) matches.
bool Matches(const InitialFilterCriteria& ifc, const IfcContext& context);

// The iFCs of `profile` that apply to the request, in ascending Priority (a lower value is a
// higher priority, TS 29.228 B.2.2); iFCs with equal priority keep their document order. The
// pointers refer into `profile`.
std::vector<const InitialFilterCriteria*> MatchingFilters(const ServiceProfile& profile, const IfcContext& context);

}  // namespace pushsim::ims
