// The S-CSCF's registrar state: for each address of record (AOR, the public user identity), the
// bindings of its terminals (RFC 3261 10.3), keyed by +sip.instance when present (RFC 5626,
// RFC 5627) or by contact URI. Pure data with its rules; the S-CSCF drives it.
//
// Rules applied by Registrar::Apply (one REGISTER for one AOR):
// - RFC 3261 10.3 step 6: "Contact: *" must be the only Contact and come with "Expires: 0";
//   otherwise 400. The expiry of a contact is its expires parameter, else the Expires header,
//   else RegisterPolicy::default_expires; above max_expires it is lowered to max_expires; a
//   non-zero expiry below min_expires is refused with 423 (RFC 3261 10.3 step 7, 20.23).
// - RFC 3261 10.3 step 7: a contact already bound under the same Call-ID with a CSeq at least as
//   high as the request's aborts the whole request with 500; the updates of one REGISTER are
//   committed together or not at all ("if and only if all binding updates and additions
//   succeed").
// - A binding is found by its +sip.instance (RFC 5627 section 5.1: a REGISTER with an instance
//   already bound replaces that binding, whatever its contact URI) or, without instance, by
//   URI equivalence of the contact URI (RFC 3261 19.1.4). A refresh replaces the binding's
//   parameters (feature tags dropped by the UE disappear from the binding).
// - RFC 5627 section 5.1: when the REGISTER has "Supported: gruu" and a contact has
//   +sip.instance, the binding gets a public GRUU (the AOR with gr=<instance URN>) and a new
//   temporary GRUU on every REGISTER. Earlier temporary GRUUs stay valid while the binding is
//   refreshed under the same Call-ID, and all of them become invalid when the Call-ID changes or
//   the binding ends (RFC 5627 section 3.2, RFC 5628 first-cseq).
//
// Limits (hostile or runaway terminals cannot grow the registrar without bound):
//   kMaxContactsPerRegister  Contact elements in one REGISTER (more: 403)
//   kMaxBindingsPerAor       bindings of one AOR after the update (more: 403)
//   kMaxOldTempGruus         earlier temporary GRUUs kept valid per binding (the oldest is
//                            forgotten first)
// The number of AORs is bounded by the subscribers of the HSS: the S-CSCF only registers users
// the HSS knows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ims/subscription.h"
#include "sip/host.h"
#include "wire/feature_tags.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {

inline constexpr std::size_t kMaxContactsPerRegister = 16;
inline constexpr std::size_t kMaxBindingsPerAor = 32;
inline constexpr std::size_t kMaxOldTempGruus = 16;

struct Binding {
  std::string contact_uri;      // the URI inside the Contact, e.g. sip:alice@10.0.0.7:5060
  std::string instance;         // +sip.instance value without quotes, e.g. <urn:uuid:...>; empty if none
  wire::Params contact_params;  // every Contact parameter as registered (feature tags included)
  wire::FeatureSet features;    // the feature tags of those parameters (RFC 3840)
  double q = 1.0;
  sip::TimePoint expires_at{};
  std::string call_id;  // for the RFC 3261 10.3 step 7 ordering check
  std::uint32_t cseq = 0;
  std::vector<std::string> path;            // Path values from the REGISTER (RFC 3327), in order
  std::string pub_gruu;                     // RFC 5627 public GRUU: AOR;gr=<instance>; empty without GRUU
  std::string temp_gruu;                    // current temporary GRUU; empty without GRUU
  std::vector<std::string> old_temp_gruus;  // still valid until the registration ends (RFC 5627 5.1)
  std::uint32_t first_cseq = 0;             // CSeq of the REGISTER that minted temp_gruu (RFC 5628)
  std::string id;                           // stable id for reginfo <contact id=...>

  // Seconds left before `expires_at` (rounded up), 0 when expired.
  std::uint32_t RemainingSeconds(sip::TimePoint now) const;
  // The Contact header value of a 200 (OK) to REGISTER: <uri>, the registered parameters, the
  // remaining expiry and, when `with_gruu`, pub-gruu and temp-gruu (RFC 5627 section 5.1).
  std::string ContactValue(sip::TimePoint now, bool with_gruu) const;
};

enum class ContactEvent : std::uint8_t {
  kRegistered,  // a new binding
  kRefreshed,   // same binding, new expiry or parameters
  kShortened,
  kExpired,
  kUnregistered,  // Expires: 0
  kDeactivated,
  kRejected,
};
std::string_view ContactEventName(ContactEvent event);  // RFC 3680 5.3 event attribute values

struct ContactChange {
  ContactEvent event;
  Binding binding;  // the binding as it is (or was, for removals)
};

struct RegisterPolicy {
  std::uint32_t min_expires = 60;
  std::uint32_t max_expires = 600000;
  std::uint32_t default_expires = 3600;
  bool gruu = true;  // mint GRUUs when the UE asks (Supported: gruu and +sip.instance)
};

// What one REGISTER did.
struct RegisterResult {
  int status = 200;                                    // 200, or 400 / 403 / 423 / 500 with nothing changed
  std::string detail;                                  // why it failed (for the reason phrase / traces)
  std::uint32_t min_expires = 0;                       // with 423: the Min-Expires value
  RegistrationType type = RegistrationType::kInitial;  // TS 29.228 B.2.2 for the iFC evaluation
  bool gruu = false;                                   // the UE asked for GRUUs (Supported: gruu) and we mint them
  std::uint32_t granted_expires = 0;                   // the largest expiry granted to a contact of the request
  std::vector<ContactChange> changes;
};

class Registrar {
 public:
  struct Record {
    std::string aor;
    std::vector<Binding> bindings;
  };

  // The record for an AOR (canonical form "sip:user@domain" from wire::AddressOfRecord).
  const Record* Find(std::string_view aor) const;
  Record& FindOrCreate(std::string_view aor);
  // The binding a GRUU (public or temporary) designates, with its AOR; nullptr if none.
  const Binding* FindByGruu(std::string_view gruu_uri, std::string* aor = nullptr) const;
  // Removes bindings whose expiry is at or before `now`, and returns them.
  std::vector<ContactChange> Expire(std::string_view aor, sip::TimePoint now);
  void Erase(std::string_view aor);
  std::size_t aor_count() const { return records_.size(); }
  std::size_t binding_count() const;

  // Applies a REGISTER for `aor` (RFC 3261 10.3 steps 6 to 8, RFC 5627 5.1; see the top of this
  // file). A REGISTER without Contact is a query: status 200, no change. The Path of the request
  // is stored with every binding it adds or refreshes (RFC 3327 5.3).
  RegisterResult Apply(std::string_view aor, const wire::SipMessage& request, sip::TimePoint now,
                       const RegisterPolicy& policy);
  // Removes every binding of `aor` (network-initiated de-registration) and reports them with
  // `event`.
  std::vector<ContactChange> RemoveAll(std::string_view aor, ContactEvent event);
  // The earliest expiry among the bindings of `aor`.
  std::optional<sip::TimePoint> NextExpiry(std::string_view aor) const;

  // The public GRUU of an instance (RFC 5627 3.1): the AOR with gr set to the instance URN
  // ("<urn:uuid:...>" loses its angle brackets; characters a URI parameter cannot hold are
  // %-escaped).
  static std::string PublicGruu(std::string_view aor, std::string_view instance);

 private:
  std::string MintTempGruu(std::string_view aor, std::string_view instance);
  void ForgetTempGruus(const Binding& binding);

  std::map<std::string, Record, std::less<>> records_;
  std::map<std::string, std::string, std::less<>> temp_gruu_index_;  // user part "tgruu.N.H" -> AOR
  std::uint64_t temp_gruu_counter_ = 0;
  std::uint64_t binding_counter_ = 0;
};

}  // namespace pushsim::ims
