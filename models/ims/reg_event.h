// The reg event package (RFC 3680) with the GRUU extension (RFC 5628), as the S-CSCF's
// notifier: subscriptions from the user, its P-CSCF, and (when allowed) application servers;
// a full application/reginfo+xml NOTIFY after each SUBSCRIBE and partial ones on every change;
// refresh and termination (RFC 6665).
//
// Also the reginfo document model, which the Push Sender Agent parses to learn terminals, their
// GRUUs and their application ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ims/registrar.h"
#include "sip/element.h"
#include "wire/error.h"

namespace pushsim::ims {

// application/reginfo+xml (RFC 3680 section 5, RFC 5628 section 4).
//
// Parsing rules:
// - The root is <reginfo> in urn:ietf:params:xml:ns:reginfo with the mandatory version (a 32-bit
//   number, RFC 3680 5.1) and state (full | partial); <registration> needs aor, id and state
//   (init | active | terminated); <contact> needs id, state (active | terminated), event (the nine
//   values of RFC 3680 5.1) and one <uri>. Numbers (version, expires, cseq, first-cseq,
//   duration-registered, retry-after) must be decimal and fit 32 bits; q must be a qvalue
//   (RFC 3261 25.1).
// - Elements and attributes in other namespaces are ignored (RFC 3680 5.1: "MUST be ignored"),
//   except the GRUU elements pub-gruu and temp-gruu of urn:ietf:params:xml:ns:gruuinfo (RFC 5628
//   4), whose uri (and first-cseq) attributes are mandatory. Unknown elements in the reginfo
//   namespace are ignored too; <display-name>, duration-registered and retry-after are checked
//   but not kept.
// - <uri> is trimmed of XML white space (xs:anyURI); <unknown-param> content is kept exactly.
// - The document must not contain a document type declaration (no entity definitions, so no
//   entity expansion attack and no external entity); the parser never touches the network.
// Errors: kTooLarge for the limits below, kBadNumber for numbers, kBadBody for the rest; each
// carries the line of the offending element.
struct RegInfoLimits {
  static constexpr std::size_t kMaxInputBytes = 256 * 1024;
  static constexpr std::size_t kMaxRegistrations = 256;
  static constexpr std::size_t kMaxContacts = 1024;            // in the whole document
  static constexpr std::size_t kMaxUnknownParamsPerContact = 64;
};

struct RegInfoContact {
  std::string id;
  std::string state;   // active | terminated
  std::string event;   // registered | created | refreshed | shortened | expired | deactivated | probation | unregistered | rejected
  std::optional<std::uint32_t> expires;
  std::optional<double> q;
  std::string call_id;
  std::optional<std::uint32_t> cseq;
  std::string uri;
  std::vector<std::pair<std::string, std::string>> unknown_params;  // name, value (e.g. +sip.instance, +g.oma.pusheventapp)
  std::string pub_gruu;
  std::string temp_gruu;
  std::optional<std::uint32_t> temp_gruu_first_cseq;

  bool operator==(const RegInfoContact& other) const;
  bool operator!=(const RegInfoContact& other) const { return !(*this == other); }
};
struct RegInfoRegistration {
  std::string aor;
  std::string id;
  std::string state;  // init | active | terminated
  std::vector<RegInfoContact> contacts;

  bool operator==(const RegInfoRegistration& other) const {
    return aor == other.aor && id == other.id && state == other.state && contacts == other.contacts;
  }
  bool operator!=(const RegInfoRegistration& other) const { return !(*this == other); }
};
struct RegInfo {
  std::uint32_t version = 0;
  bool full = true;  // state="full" or "partial"
  std::vector<RegInfoRegistration> registrations;

  bool operator==(const RegInfo& other) const {
    return version == other.version && full == other.full && registrations == other.registrations;
  }
  bool operator!=(const RegInfo& other) const { return !(*this == other); }
};
wire::Result<RegInfo> ParseRegInfo(std::string_view xml);
// A UTF-8 document with the reginfo namespace as default and the gruuinfo namespace as "gr" when a
// GRUU is present. Optional attributes and elements are written only when set; an unknown-param
// with an empty value is written as an empty element. For every document ParseRegInfo accepts,
// ParseRegInfo(SerializeRegInfo(info)) == info. Strings must hold only characters XML 1.0 allows.
std::string SerializeRegInfo(const RegInfo& info);
// The <contact> element for a binding and an event: state terminated for expired, unregistered,
// deactivated and rejected, else active with the seconds left in expires; every Contact parameter
// that is a feature tag (RFC 3840) or +sip.instance (RFC 5626) as an unknown-param whose content
// is the parameter value as written in the Contact, quotes included (RFC 3680 5.1, RFC 5628 4);
// a parameter without value gives an empty unknown-param; a value XML 1.0 cannot carry (control
// bytes from a quoted-pair, broken UTF-8) is left out. The GRUUs of the binding (RFC 5628).
RegInfoContact ToRegInfoContact(const Binding& binding, ContactEvent event, sip::TimePoint now);
// The registration id the notifier uses for an AOR: stable across notifications (RFC 3680 5.1).
std::string RegistrationId(std::string_view aor);

enum class RegSubscriber : std::uint8_t { kUser, kPCscf, kApplicationServer };

struct RegEventConfig {
  std::uint32_t default_expires = 3761;  // RFC 3680 5.1 suggests 3761 s
  std::uint32_t max_expires = 7200;
  bool allow_application_servers = true;
  std::vector<std::string> trusted_as_hosts;
};

// Notifier behaviour:
// - A SUBSCRIBE out of dialog creates a subscription (To tag from Element::NewTag) and is answered
//   200 with Expires (the requested value, default_expires without one, at most max_expires) and
//   Contact; in dialog it refreshes (new expiry, Contact as new remote target). Either way a NOTIFY
//   with the full state follows; version counts from 0 per subscription.
// - Refusals: 489 with Allow-Events: reg for another event; 406 when Accept excludes
//   application/reginfo+xml (RFC 3680 4.5); 403 for an application server when they are not
//   allowed or its host (P-Asserted-Identity, else From) is not in trusted_as_hosts (when that
//   list is set); 481 for an unknown dialog; 500 for a CSeq not above the last (RFC 3261 12.2.2);
//   400 without Contact or dialog identifiers.
// - Subscriptions end with a NOTIFY terminated;reason=timeout at expiry or on Expires: 0; when the
//   registration terminates, with reason=deactivated (all changes deactivated), rejected (any
//   rejected) or noresource (RFC 6665 4.1.3); and silently when a NOTIFY times out or fails
//   without Retry-After (RFC 6665 4.2.2).
// - RFC 3680 4.10's rate limit (one NOTIFY per 5 s) is not applied: every change is notified.
class RegEventPackage {
 public:
  RegEventPackage(sip::Element& element, const Registrar& registrar, RegEventConfig config);
  ~RegEventPackage();

  // A SUBSCRIBE with Event: reg for `aor`, classified by the S-CSCF. Answers it (200, or 403 for
  // a refused subscriber, 489 for another event), then sends the full NOTIFY (RFC 6665 4.2.1);
  // Expires: 0 ends the subscription with a final NOTIFY (terminated;reason=timeout).
  void HandleSubscribe(sip::TransactionId server, const wire::SipMessage& subscribe, const sip::Endpoint& source,
                       const std::string& aor, RegSubscriber kind);
  // The bindings of `aor` changed: a partial NOTIFY with the changed contacts to each subscriber;
  // when the AOR has no binding left the registration element is terminated, and so are the
  // subscriptions (RFC 3680 5.2 deactivated).
  void OnChange(const std::string& aor, const std::vector<ContactChange>& changes);

  std::size_t subscription_count() const;

  // Observer for traces: every NOTIFY sent (optional).
  std::function<void(const wire::SipMessage& notify)> on_notify;

 private:
  struct Subscription;
  // The full document for a subscription (RFC 3680 4.7.2: after a SUBSCRIBE, full state).
  RegInfo FullState(const Subscription& subscription) const;
  // Sends a NOTIFY in the subscription's dialog with `info` (its version set here) and the
  // Subscription-State; `terminated_reason` empty means active.
  void Notify(Subscription& subscription, RegInfo info, std::string_view terminated_reason);
  void StartExpiryTimer(Subscription& subscription);
  void Expire(const std::string& key);
  void Remove(const std::string& key);

  sip::Element& element_;
  const Registrar& registrar_;
  RegEventConfig config_;
  std::map<std::string, std::unique_ptr<Subscription>> subscriptions_;  // by dialog id
  // Handlers of NOTIFY transactions may outlive the package; they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pushsim::ims
