// The subscriber data an HSS sends to the S-CSCF in the Cx User-Data AVP: the IMSSubscription XML
// document of 3GPP TS 29.228 Annex B (schema CxDataType.xsd), as plain value types, with a parser
// and a serializer.
//
// Element nesting follows the schema (TS 29.228 Annex B, Rel-8 and later):
//   IMSSubscription      PrivateID, ServiceProfile+, Extension?
//   ServiceProfile       PublicIdentity+, CoreNetworkServicesAuthorization?, InitialFilterCriteria*,
//                        Extension? (SharedIFCSetID*)
//   PublicIdentity       BarringIndication?, Identity,
//                        Extension? (IdentityType?, WildcardedPSI?, Extension? (DisplayName?))
//   InitialFilterCriteria Priority, TriggerPoint?, ApplicationServer, ProfilePartIndicator?
//   TriggerPoint         ConditionTypeCNF, SPT+
//   SPT                  ConditionNegated?, Group+, one of RequestURI / Method / SIPHeader /
//                        SessionCase / SessionDescription, Extension? (RegistrationType*)
//   ApplicationServer    ServerName, DefaultHandling?, ServiceInfo?,
//                        Extension? (IncludeRegisterRequest?, IncludeRegisterResponse?)
//
// Parsing rules:
// - Unknown elements inside an Extension are ignored (the schema's forward-compatibility hook);
//   elements in a foreign XML namespace are ignored anywhere (the schema's `any ##other`); any
//   other unknown element, a missing mandatory element, a repeated single element, a number out
//   of range or a regular expression that does not compile is an error naming the element and
//   its line.
// - Element order inside a parent is not enforced; multiplicity is.
// - Identifiers, numbers, names and regular expressions are trimmed of XML white space (the schema
//   collapses anyURI and numeric types); ServiceInfo and DisplayName are kept as written.
// - A DisplayName placed directly in PublicIdentity/Extension (instead of the nested Extension the
//   schema defines) is accepted too.
// - The document must be UTF-8 and must not contain a document type declaration: HSS data never
//   has one, and refusing it before libxml2 sees the bytes rules out entity expansion attacks
//   ("billion laughs") and external entities. Entity references other than the five predefined
//   ones and character references are rejected.
//
// Error codes: kTooLarge when a limit below is exceeded, kBadNumber for a number that is not a
// number or out of the range of its schema type, kBadBody for everything else (malformed XML,
// schema violations, bad regular expressions). Each error carries the line (and, where it can be
// found, the column) of the offending element.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "wire/error.h"

namespace pushsim::ims {

using wire::ParseError;
using wire::Result;

// Input limits. The counts are totals over the whole document.
struct SubscriptionLimits {
  static constexpr std::size_t kMaxInputBytes = 1024 * 1024;
  static constexpr std::size_t kMaxServiceProfiles = 64;
  static constexpr std::size_t kMaxPublicIdentities = 256;
  static constexpr std::size_t kMaxFilterCriteria = 256;
  static constexpr std::size_t kMaxServicePointTriggers = 1024;
  static constexpr std::size_t kMaxGroupsPerTrigger = 32;
  static constexpr std::size_t kMaxSharedIfcSets = 256;
  // A regular expression is at most this long, and its estimated compiled size (bounded
  // repetitions such as a{100} expand into copies in the POSIX engine) at most kMaxRegexNodes.
  static constexpr std::size_t kMaxRegexBytes = 1024;
  static constexpr std::size_t kMaxRegexNodes = 8192;
};

// A POSIX extended regular expression (regcomp with REG_EXTENDED | REG_NOSUB), compiled once.
// Copies, and every expression compiled from the same pattern while one is alive, share the
// compiled form. POSIX regexec does not recurse per input byte, so matching long
// untrusted header values cannot exhaust the stack, unlike std::regex. Back-references (a GNU
// extension, exponential to match) are refused.
class PosixRegex {
 public:
  // Fails with kBadBody when the pattern does not compile or uses a back-reference, kTooLarge when
  // it breaks the limits above; the error's offset is 0 and its detail gives the reason.
  static Result<PosixRegex> Compile(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  // True when the expression matches somewhere in `text` (unanchored, as regexec searches).
  bool Matches(std::string_view text) const;

  // Two expressions are equal when their patterns are.
  bool operator==(const PosixRegex& other) const { return pattern_ == other.pattern_; }
  bool operator!=(const PosixRegex& other) const { return !(*this == other); }

  // The compiled form, defined in subscription.cc; one per distinct pattern in use.
  struct Compiled;

 private:
  PosixRegex(std::string pattern, std::shared_ptr<const Compiled> compiled);

  std::string pattern_;
  std::shared_ptr<const Compiled> compiled_;
};

// tDirectionOfRequest (TS 29.228 B.2.2, SessionCase).
enum class SessionCase : std::uint8_t {
  kOriginating = 0,               // ORIGINATING_REGISTERED
  kTerminatingRegistered = 1,     // TERMINATING_REGISTERED
  kTerminatingUnregistered = 2,   // TERMINATING_UNREGISTERED
  kOriginatingUnregistered = 3,   // ORIGINATING_UNREGISTERED
  kOriginatingCdiv = 4,           // ORIGINATING_CDIV
};

// tRegistrationType (TS 29.228 B.2.2, SPT Extension).
enum class RegistrationType : std::uint8_t {
  kInitial = 0,         // INITIAL_REGISTRATION
  kReRegistration = 1,  // RE-REGISTRATION
  kDeRegistration = 2,  // DE-REGISTRATION
};

// tDefaultHandling: what the S-CSCF does when the application server does not answer.
enum class DefaultHandling : std::uint8_t {
  kSessionContinued = 0,
  kSessionTerminated = 1,
};

// tProfilePartIndicator: whether an iFC belongs to the registered or the unregistered part of the
// profile; absent means both.
enum class ProfilePartIndicator : std::uint8_t {
  kRegistered = 0,
  kUnregistered = 1,
};

// tIdentityType.
enum class IdentityType : std::uint8_t {
  kPublicUserIdentity = 0,
  kDistinctPsi = 1,
  kWildcardedPsi = 2,
};

// SPT conditions (the schema's choice inside tSePoTri).
struct RequestUriCondition {
  PosixRegex pattern;  // matched against the Request-URI
  bool operator==(const RequestUriCondition& other) const { return pattern == other.pattern; }
};

struct MethodCondition {
  std::string method;  // compared case-sensitively (RFC 3261 7.1)
  bool operator==(const MethodCondition& other) const { return method == other.method; }
};

struct SipHeaderCondition {
  std::string header;                // header name; compact forms are equivalent
  std::optional<PosixRegex> content;  // absent: the SPT tests presence of the header
  bool operator==(const SipHeaderCondition& other) const {
    return header == other.header && content == other.content;
  }
};

struct SessionCaseCondition {
  SessionCase session_case = SessionCase::kOriginating;
  bool operator==(const SessionCaseCondition& other) const { return session_case == other.session_case; }
};

struct SessionDescriptionCondition {
  std::string line;                   // SDP line type, e.g. "m" (RFC 4566 5)
  std::optional<PosixRegex> content;  // matched against the line's value; absent: line present
  bool operator==(const SessionDescriptionCondition& other) const {
    return line == other.line && content == other.content;
  }
};

using SptCondition = std::variant<MethodCondition, RequestUriCondition, SipHeaderCondition, SessionCaseCondition,
                                  SessionDescriptionCondition>;

// tSePoTri: one service point trigger.
struct ServicePointTrigger {
  bool condition_negated = false;
  std::vector<std::uint32_t> groups;  // at least one; an SPT may belong to several groups
  SptCondition condition;
  // Only meaningful for a Method condition with "REGISTER" (TS 29.228 B.2.2); empty = any.
  std::vector<RegistrationType> registration_types;

  bool operator==(const ServicePointTrigger& other) const;
  bool operator!=(const ServicePointTrigger& other) const { return !(*this == other); }
};

// tTrigger.
struct TriggerPoint {
  // true: conjunctive normal form (AND of groups, each an OR of its SPTs);
  // false: disjunctive normal form (OR of groups, each an AND of its SPTs).
  bool condition_type_cnf = false;
  std::vector<ServicePointTrigger> spts;

  bool operator==(const TriggerPoint& other) const {
    return condition_type_cnf == other.condition_type_cnf && spts == other.spts;
  }
  bool operator!=(const TriggerPoint& other) const { return !(*this == other); }
};

// tApplicationServer.
struct ApplicationServer {
  std::string server_name;  // a SIP URI
  std::optional<DefaultHandling> default_handling;
  std::optional<std::string> service_info;
  // Third-party registration (TS 24.229 5.4.1.7): include the incoming REGISTER request / the
  // 200 (OK) response in the body of the third-party REGISTER sent to this server.
  bool include_register_request = false;
  bool include_register_response = false;

  bool operator==(const ApplicationServer& other) const;
  bool operator!=(const ApplicationServer& other) const { return !(*this == other); }
};

// tInitialFilterCriteria.
struct InitialFilterCriteria {
  std::uint32_t priority = 0;  // lower value = evaluated first; at most 2147483647 (xs:int)
  std::optional<TriggerPoint> trigger_point;  // absent: matches every request
  ApplicationServer application_server;
  std::optional<ProfilePartIndicator> profile_part_indicator;

  bool operator==(const InitialFilterCriteria& other) const;
  bool operator!=(const InitialFilterCriteria& other) const { return !(*this == other); }
};

// tPublicIdentity.
struct PublicIdentity {
  std::string identity;  // sip:, sips: or tel: URI
  bool barring_indication = false;
  std::optional<IdentityType> identity_type;
  std::optional<std::string> wildcarded_psi;
  std::optional<std::string> display_name;

  bool operator==(const PublicIdentity& other) const;
  bool operator!=(const PublicIdentity& other) const { return !(*this == other); }
};

// tCoreNetworkServicesAuthorization.
struct CoreNetworkServicesAuthorization {
  std::optional<std::uint32_t> subscribed_media_profile_id;
  bool operator==(const CoreNetworkServicesAuthorization& other) const {
    return subscribed_media_profile_id == other.subscribed_media_profile_id;
  }
};

// tServiceProfile.
struct ServiceProfile {
  std::vector<PublicIdentity> public_identities;
  std::optional<CoreNetworkServicesAuthorization> core_network_services_authorization;
  std::vector<InitialFilterCriteria> initial_filter_criteria;  // document order
  std::vector<std::uint32_t> shared_ifc_set_ids;

  bool operator==(const ServiceProfile& other) const;
  bool operator!=(const ServiceProfile& other) const { return !(*this == other); }
};

// tIMSSubscription.
struct ImsSubscription {
  std::string private_id;
  std::vector<ServiceProfile> service_profiles;

  bool operator==(const ImsSubscription& other) const {
    return private_id == other.private_id && service_profiles == other.service_profiles;
  }
  bool operator!=(const ImsSubscription& other) const { return !(*this == other); }
};

// Parses an IMSSubscription document. See the rules at the top of this file.
Result<ImsSubscription> ParseImsSubscription(std::string_view xml);

// Writes a schema-valid IMSSubscription document (UTF-8, indented). Optional elements are written
// only when set; BarringIndication only when true; ConditionNegated always. For any subscription the
// parser accepts, ParseImsSubscription(SerializeImsSubscription(s)) == s. Strings must hold only
// characters XML 1.0 allows (no control characters other than tab, LF, CR).
std::string SerializeImsSubscription(const ImsSubscription& subscription);

}  // namespace pushsim::ims
