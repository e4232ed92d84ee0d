// Typed values of the SIP header fields the project interprets (RFC 3261 section 20 and 25, and
// the extensions listed with each parser). SipMessage stores values unparsed; these functions
// interpret one when it is needed.
//
// Error offsets:
//   - functions taking a std::string_view report the offset relative to that value (line 1,
//     column offset + 1);
//   - functions taking a SipMessage report `HeaderField::input_offset` plus the position in the
//     field value (exact for unfolded fields; use ValidateSipMessage for exact positions in folded
//     fields), with line and column 0 because the original input is not known here.
//
// Limits (hostile input cannot grow memory without bound; all are rejected with kTooLarge):
//   - a value longer than kMaxHeaderValueBytes (the default SipLimits::max_line_bytes);
//   - more than kMaxHeaderParams ;parameters in one value;
//   - more than kMaxListElements elements in one list, over all fields of the header;
//   - comments nested deeper than kMaxCommentDepth (Retry-After).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"
#include "wire/sip_message.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxHeaderValueBytes = 8 * 1024;
inline constexpr std::size_t kMaxHeaderParams = 64;
inline constexpr std::size_t kMaxListElements = 256;
inline constexpr std::size_t kMaxCommentDepth = 16;

// The branch prefix of RFC 3261 transactions (section 8.1.1.7).
inline constexpr std::string_view kMagicCookie = "z9hG4bK";

// ---------------------------------------------------------------------------------------------
// name-addr / addr-spec (RFC 3261 20.10, 20.20, 20.39, 25.1)

struct NameAddr {
  std::string display_name;  // unquoted; empty when absent
  std::string uri;           // the URI text as written
  bool bracketed = false;    // the URI was enclosed in <>
  Params params;             // header parameters after the address

  // Display name (always as a quoted-string), URI in <> when bracketed, when there is a display
  // name, or when the URI contains ',', ';' or '?' (RFC 3261 20.10), then the parameters.
  std::string ToString() const;
  Result<SipUri> SipUriValue() const;
};

// name-addr or addr-spec followed by header parameters. Without angle brackets the ;params
// belong to the header, not to the URI (RFC 3261 20.10). Display names are a quoted-string or
// tokens separated by LWS (kept as written, trimmed). sip: and sips: URIs must parse with
// ParseSipUri; other URIs need a scheme (RFC 3986 3.1).
Result<NameAddr> ParseNameAddr(std::string_view value);

// Every element of every field of a name-addr list header, in order: Route, Record-Route, Path
// (RFC 3327), Service-Route (RFC 3608), P-Associated-URI (RFC 3455) require name-addr (angle
// brackets); P-Asserted-Identity and P-Preferred-Identity (RFC 3325) also accept addr-spec.
Result<std::vector<NameAddr>> ParseNameAddrList(const SipMessage& message, HeaderId id);
// The same for one field value (a comma list).
Result<std::vector<NameAddr>> ParseNameAddrListValue(std::string_view value, bool require_brackets);

// From and To (RFC 3261 20.20, 20.39): name-addr or addr-spec; a tag parameter must be a token.
Result<NameAddr> ParseFromTo(std::string_view value);

// Refer-To (RFC 3515 2.1) and Referred-By (RFC 3892 3): name-addr or addr-spec with parameters.
Result<NameAddr> ParseReferTo(std::string_view value);
Result<NameAddr> ParseReferredBy(std::string_view value);

// ---------------------------------------------------------------------------------------------
// Via (RFC 3261 20.42, RFC 3581 rport)

struct Via {
  std::string protocol_name;     // "SIP"
  std::string protocol_version;  // "2.0"
  std::string transport;         // "UDP", "TCP", "TLS", ...
  std::string host;              // as written; IPv6 references keep their brackets
  std::optional<std::uint16_t> port;
  Params params;

  // The branch parameter as written; empty when absent.
  std::string_view branch() const;
  std::optional<std::string> received() const;
  bool has_rport() const;
  // The rport value a server filled in (RFC 3581 4); nullopt when absent or empty.
  std::optional<std::uint16_t> rport() const;
  std::string ToString() const;
};

// One via-parm. Checks: branch is a token, received an IPv4 or IPv6 address, rport empty or a
// port, ttl 0 to 255, maddr a host.
Result<Via> ParseVia(std::string_view value);
// Every Via element of the message, topmost first.
Result<std::vector<Via>> ParseVias(const SipMessage& message);
Result<std::vector<Via>> ParseViaValue(std::string_view value);

// ---------------------------------------------------------------------------------------------
// Contact (RFC 3261 20.10, RFC 5626 +sip.instance, RFC 5627 pub-gruu / temp-gruu)

struct Contact {
  bool star = false;  // "Contact: *" (RFC 3261 10.2.2)
  NameAddr address;   // feature tags such as +g.oma.pusheventapp stay in address.params as written

  std::optional<std::uint32_t> expires() const;
  std::optional<double> q() const;
  // +sip.instance without its quotes, e.g. "<urn:uuid:...>".
  std::optional<std::string> instance() const;
  std::optional<std::string> pub_gruu() const;
  std::optional<std::string> temp_gruu() const;
  std::string ToString() const;
};

// Every Contact element of the message. A "*" must be the only element (RFC 3261 10.2.2, 20.10);
// q must be a qvalue and expires delta-seconds.
Result<std::vector<Contact>> ParseContacts(const SipMessage& message);
Result<std::vector<Contact>> ParseContactValue(std::string_view value);

// ---------------------------------------------------------------------------------------------
// Simple values

struct CSeq {
  std::uint32_t number = 0;  // below 2^31 (RFC 3261 8.1.1.5)
  std::string method;
};
Result<CSeq> ParseCSeq(std::string_view value);

// delta-seconds = 1*DIGIT (Expires, Min-Expires, Max-Forwards, expires= parameters). RFC 3261
// 20.19 gives the range 0 to 2^32-1; longer digit strings saturate at 2^32-1 instead of failing.
Result<std::uint32_t> ParseDeltaSeconds(std::string_view value);
// Max-Forwards = 1*DIGIT, 0 to 255 in practice (RFC 3261 8.1.1.6; larger values are rejected).
Result<std::uint32_t> ParseMaxForwards(std::string_view value);

// Event (RFC 6665 8.4): event-type = event-package *( "." event-template ), token-nodot parts.
struct EventHeader {
  std::string package;
  std::vector<std::string> templates;
  Params params;  // id=... and generic parameters

  std::optional<std::string_view> id() const;
};
Result<EventHeader> ParseEvent(std::string_view value);

// Subscription-State (RFC 6665 8.4): substate-value *( ";" subexp-params ).
struct SubscriptionState {
  std::string state;  // active, pending, terminated or an extension token (kept as written)
  std::optional<std::string> reason;
  std::optional<std::uint32_t> expires;
  std::optional<std::uint32_t> retry_after;
  Params params;  // parameters other than reason, expires and retry-after

  std::string ToString() const;
};
Result<SubscriptionState> ParseSubscriptionState(std::string_view value);

// Retry-After (RFC 3261 20.33): delta-seconds [ comment ] *( ";" retry-param ).
struct RetryAfter {
  std::uint32_t seconds = 0;
  std::string comment;  // the comment's text without the outer parentheses; empty when absent
  std::optional<std::uint32_t> duration;
  Params params;  // parameters other than duration
};
Result<RetryAfter> ParseRetryAfter(std::string_view value);

// Token lists of every field: Require, Supported, Allow, Allow-Events, Proxy-Require,
// Unsupported. Supported and Allow may be empty (RFC 3261 20.5, 20.37); the others need at least
// one token.
Result<std::vector<std::string>> ParseTokenList(const SipMessage& message, HeaderId id);
Result<std::vector<std::string>> ParseTokenListValue(std::string_view value, bool allow_empty);

// P-Asserted-Service / P-Preferred-Service (RFC 6050 4.1, 4.2): Service-IDs of every field.
// Service-ID = "urn:urn-7:" urn-service-id. RFC 6050's ABNF keeps '-' out of the top-level label,
// but its own registered example "3gpp-service" has one, so the top level follows the
// sub-service-id grammar (let-dig [ *(let-dig / "-") let-dig ]).
Result<std::vector<std::string>> ParseServiceList(const SipMessage& message, HeaderId id);
Result<std::vector<std::string>> ParseServiceListValue(std::string_view value);

}  // namespace pushsim::wire
