// Feature tags in SIP (RFC 3840), caller preferences (RFC 3841) and the OMA SIP Push Application
// Resource Identifier `+g.oma.pusheventapp` (SIP Push TS section 8).
//
// A Contact advertises what its user agent can do with feature parameters (RFC 3840 section 9):
//   Contact: <sip:bob@192.0.2.4>;audio;methods="INVITE,MESSAGE";+g.oma.pusheventapp="mms.ua"
// A request states what the caller wants with Accept-Contact and Reject-Contact elements
// (RFC 3841 section 9):
//   Accept-Contact: *;+g.oma.pusheventapp="mms.ua";require;explicit
// and a proxy or registrar matches the two (RFC 3841 section 7.2) to decide which registered
// contacts receive the request and in which order.
//
// Value model. RFC 3840 section 9 turns every feature parameter into a term of a feature set
// predicate (RFC 2533): a bare parameter is (tag=TRUE); a quoted list "a,!b,#>=2" is the
// disjunction (| (tag=a) (! (tag=b)) (tag>=2)); a string "<text>" is (tag="text"). A FeatureValue
// is that disjunction, one FeatureAtom per element.
//
// Comparison rules: feature tag names are case-insensitive (they are SIP parameter names); token
// and boolean values are case-insensitive, string values "<...>" are case-sensitive (RFC 2533
// token and quoted-string values, carried over by RFC 3840 section 9).
//
// The Application Resource Identifier has its own value syntax (TS 8.1.1): a quoted-string holding
// event-app-id *("," event-app-id) with event-app-id = 1*(%x21 / %x23-2B / %x2D-7E). That set is
// wider than an RFC 3840 token ("x-wap-application:mms.ua" has a ':'), so values of
// +g.oma.pusheventapp are parsed with the TS grammar and become token atoms: a leading '!', '#' or
// '<' is then part of the identifier, not RFC 3840 notation.
//
// Limits (enforced, exceeding them is ErrorCode::kTooLarge or kBadNumber):
//   kMaxFeatureTags        feature tags in one Contact or one Accept/Reject-Contact element
//   kMaxValuesPerTag       elements in one value list (tokens, numbers, application ids)
//   kMaxFeatureValueLength bytes of one parameter value as it is on the wire, quotes included
//   kMaxNumberDigits       digits of one number in "#=n", "#>=n", "#<=n", "#a:b"
//   kMaxPredicateLength    bytes of one Accept-Contact / Reject-Contact element
// Matching cost is bounded by them: one contact against one predicate is at most
// kMaxFeatureTags * (kMaxFeatureTags + kMaxValuesPerTag^2) comparisons.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"
#include "wire/text.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxFeatureTags = 64;
inline constexpr std::size_t kMaxValuesPerTag = 64;
inline constexpr std::size_t kMaxFeatureValueLength = 1024;
inline constexpr std::size_t kMaxNumberDigits = 15;  // every such number is exact in a double
inline constexpr std::size_t kMaxPredicateLength = 8192;

// ---------------------------------------------------------------------------------------------
// Application Resource Identifier (SIP Push TS section 8.1.1)

// The feature parameter name as it appears in Contact and Accept-Contact (TS 8.1.1: the media
// feature tag g.oma.pusheventapp prefixed with "+").
inline constexpr std::string_view kPushEventAppTag = "+g.oma.pusheventapp";

// event-app-id = 1*(%x21 / %x23-2B / %x2D-7E): visible ASCII except '"' and ','.
bool IsEventAppIdChar(char c);
bool IsEventAppId(std::string_view id);

// Parses the parameter value: the quoted list `"mms.ua,x-wap-application:push.sia"` or a single
// unquoted id `mms.ua`. Inside the quotes a quoted-pair (RFC 3261 section 25.1) stands for the
// character it escapes, which must itself be allowed. Every id is checked against the ABNF; the
// error offset is relative to `value`. At most kMaxValuesPerTag ids, kMaxFeatureValueLength bytes.
Result<std::vector<std::string>> ParseEventAppIds(std::string_view value);

// The quoted form `"id1,id2"`. Fails (kBadCharacter, offset into the would-be output) if an id is
// empty or has a character outside the ABNF, so a bad id can never break the header's framing.
Result<std::string> FormatEventAppIds(const std::vector<std::string>& ids);

// ---------------------------------------------------------------------------------------------
// Feature values (RFC 3840 section 9)

// One element of a feature parameter value.
struct FeatureAtom {
  enum class Kind : std::uint8_t { kBoolean, kToken, kNumeric, kString };
  // Which of "#=n", "#>=n", "#<=n", "#a:b" a numeric atom came from (kept to serialize it back).
  enum class Relation : std::uint8_t { kEqual, kAtLeast, kAtMost, kRange };

  Kind kind = Kind::kBoolean;
  bool negated = false;  // "!" prefix: (! (tag=value))
  bool boolean = true;   // kBoolean
  // kToken: the token as written; kString: the content of <...>, unescaped. A string built by hand
  // must not hold CR or LF and must be UTF-8: the grammar has no way to carry anything else.
  std::string text;
  Relation relation = Relation::kEqual;  // kNumeric
  double low = 0;                         // kNumeric: inclusive bounds; -inf / +inf when open
  double high = 0;

  static FeatureAtom Boolean(bool value);
  static FeatureAtom Token(std::string token, bool negated = false);
  static FeatureAtom String(std::string content);
  static FeatureAtom Numeric(Relation relation, double low, double high, bool negated = false);

  bool operator==(const FeatureAtom& other) const;
  bool operator!=(const FeatureAtom& other) const { return !(*this == other); }
};

// A feature parameter value: the disjunction of its atoms. A string value is a single kString atom.
struct FeatureValue {
  std::vector<FeatureAtom> atoms;

  static FeatureValue True() { return FeatureValue{{FeatureAtom::Boolean(true)}}; }
  static FeatureValue Tokens(const std::vector<std::string>& tokens);

  // True if some atom is the (not negated) token `token`, compared without regard to case.
  bool HasToken(std::string_view token) const;
  bool operator==(const FeatureValue& other) const { return atoms == other.atoms; }
};

// Parses the value of a feature parameter as kept by ParseParams (quotes included):
//   nullopt            -> TRUE (a bare parameter, RFC 3840 section 9)
//   "TRUE" / "FALSE"   -> boolean
//   "a,!b,#>=2,#1:5"   -> tag-value-list: tokens (token-nobang), booleans, numerics, '!' negation
//   "<text>"           -> string-value (qdtext-no-abkt / quoted-pair between angle brackets)
// A single unquoted tag-value (`methods=INVITE`) is accepted as well, since generic-param allows
// it. Errors carry an offset relative to `raw`: unterminated quotes (kBadQuotedString), characters
// outside the grammar (kBadCharacter), "#" without a valid number or an inverted range "#5:1"
// (kBadNumber), empty elements (kBadHeaderValue), and the limits above (kTooLarge).
Result<FeatureValue> ParseFeatureValue(std::optional<std::string_view> raw);

// Same, choosing the grammar by tag: the TS 8.1.1 syntax for +g.oma.pusheventapp, RFC 3840
// otherwise.
Result<FeatureValue> ParseFeatureParam(std::string_view tag, std::optional<std::string_view> raw);

// The parameter value, quoted: `"mms.ua,x-wap-application:push.sia"`, `"TRUE"`, `"#>=2"`, `"<a b>"`.
std::string ToParamValue(const FeatureValue& value);
// The whole parameter: `audio` for a lone TRUE, otherwise `name="..."`.
std::string FormatFeatureParam(std::string_view name, const FeatureValue& value);

// ---------------------------------------------------------------------------------------------
// Feature sets

// RFC 3840 section 9 base-tags (written without "+"), e.g. "audio", "methods", "isfocus".
bool IsBaseFeatureTag(std::string_view name);
// True for a parameter that is a feature parameter: a base tag, or "+" followed by a feature tag
// name, except "+sip.instance" (RFC 5626 section 4.1 defines it as a Contact parameter carrying
// the instance identifier; it is not a capability and is never matched).
bool IsFeatureParamName(std::string_view name);

struct FeatureTag {
  std::string name;  // as written: "audio", "+g.oma.pusheventapp"
  FeatureValue value;
};

// The feature parameters of one Contact (or one Accept/Reject-Contact element), in wire order.
// A tag appears at most once.
struct FeatureSet {
  std::vector<FeatureTag> tags;

  bool empty() const { return tags.empty(); }
  std::size_t size() const { return tags.size(); }
  // Case-insensitive lookup by parameter name.
  const FeatureValue* Find(std::string_view name) const;
};

// Takes the feature parameters out of a Contact's parameters and ignores the rest (expires, q,
// +sip.instance, reg-id, pub-gruu, ...). Errors: a malformed value, a "+" name that is not a
// feature tag name (ALPHA after "+"), a tag given twice (kBadHeaderValue), more than
// kMaxFeatureTags tags (kTooLarge). Parameters carry no position, so an error's offset is relative
// to the offending parameter's value and its detail names the parameter.
Result<FeatureSet> FeatureSetFromParams(const Params& contact_params);

// Does the contact advertise `app_id` in +g.oma.pusheventapp (TS 8.2.1)? Compared like a token,
// without regard to case; "mms.ua" and "x-wap-application:mms.ua" are different identifiers.
bool SupportsPushApp(const FeatureSet& features, std::string_view app_id);

// ---------------------------------------------------------------------------------------------
// Caller preferences (RFC 3841)

struct ContactPredicate {
  FeatureSet features;
  bool explicit_tag = false;  // "explicit": only features the contact states count (section 9)
  bool require = false;       // "require": contacts that do not match are dropped
};

// One element of Accept-Contact: "*" *(SEMI ac-params) (RFC 3841 section 9), LWS allowed around
// ';' and '=' (`*; +g.oma.pusheventapp="mms.ua"`). Generic parameters are ignored; "require" and
// "explicit" must appear at most once and without a value. Offsets are relative to `element`.
Result<ContactPredicate> ParseAcceptContact(std::string_view element);
// One element of Reject-Contact: "*" *(SEMI rc-params). "require" and "explicit" have no meaning
// there and are ignored like any generic parameter.
Result<ContactPredicate> ParseRejectContact(std::string_view element);

// The implicit preference of RFC 3841 section 7.2.2 for a request that carries no caller
// preferences: *;methods="<method>"[;events="<package>"];require (require, not explicit, so a
// contact that does not list its methods is kept). `method` and `event_package` must be tokens.
Result<ContactPredicate> ImplicitPreference(std::string_view method,
                                            std::optional<std::string_view> event_package = std::nullopt);

// How one Accept-Contact predicate applies to one contact (RFC 3841 section 7.2.4).
//   Na = terms (feature tags) of the predicate, Nc = those the contact also states.
//   The terms whose tag the contact does not state are set aside; the rest must be satisfiable
//   together with the contact's predicate (RFC 2533 matching). If not: matches = false and the
//   predicate does not count toward Qa (counts = false); a "require" predicate drops the contact.
//   If so and the predicate is "explicit" with Nc < Na: matches = false, counts = true, score 0.
//   Otherwise: matches = true, counts = true, score = Nc / Na (1 when the predicate has no terms).
struct MatchResult {
  bool matches = false;
  double score = 0;
  bool counts = false;
  std::size_t stated_terms = 0;     // Nc
  std::size_t predicate_terms = 0;  // Na
};

MatchResult MatchAcceptContact(const ContactPredicate& predicate, const FeatureSet& contact);
// A Reject-Contact predicate removes a contact when the contact states every one of its feature
// tags and the two predicates are satisfiable together (RFC 3841 section 7.2.4). A predicate with
// a tag the contact does not state is discarded for that contact; one without any tag rejects
// nothing.
bool MatchesRejectContact(const ContactPredicate& predicate, const FeatureSet& contact);

// A contact kept by caller preference processing.
struct ContactChoice {
  std::size_t index = 0;  // position in the targets given to SelectContacts
  double q = 1.0;         // the callee's preference (Contact q parameter)
  double score = 0;       // the caller preference Qa
  bool immune = false;    // no feature parameters: untouched by caller preferences
};

// The whole of RFC 3841 section 7.2.4 over a target set:
//  - a contact without feature parameters is immune: never removed, Qa = 1;
//  - a contact matched by any Reject-Contact predicate is removed;
//  - a contact that does not match a "require" Accept-Contact predicate is removed;
//  - Qa is the mean of the scores of the Accept-Contact predicates that count for the contact,
//    0 when none counts, and 1 for every contact when there is no Accept-Contact predicate at all
//    (the caller stated no preference);
//  - the survivors are ordered by q (highest first) and, for equal q, by Qa (highest first):
//    caller preferences only order contacts that the callee ranks equally. Ties keep input order.
// `q_values[i]` is the q of targets[i]; missing entries count as 1.0.
std::vector<ContactChoice> SelectContacts(const std::vector<FeatureSet>& targets,
                                          const std::vector<double>& q_values,
                                          const std::vector<ContactPredicate>& accept,
                                          const std::vector<ContactPredicate>& reject);
// Every target with q = 1.0: the order is by Qa alone.
std::vector<ContactChoice> SelectContacts(const std::vector<FeatureSet>& targets,
                                          const std::vector<ContactPredicate>& accept,
                                          const std::vector<ContactPredicate>& reject);

}  // namespace pushsim::wire
