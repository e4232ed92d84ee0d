// The HSS: subscriber data (3GPP TS 29.228 IMSSubscription documents) and the S-CSCF assignment
// state. The Cx procedures (UAR, LIR, SAR, MAR) are function calls here; their network delay is
// modelled by the CSCFs waiting CxConfig's delays before they use the answer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ims/subscription.h"
#include "sip/host.h"
#include "wire/error.h"

namespace pushsim::ims {

struct CxConfig {
  sip::Duration uar_delay = std::chrono::milliseconds(5);  // I-CSCF: user authorization (REGISTER)
  sip::Duration lir_delay = std::chrono::milliseconds(5);  // I-CSCF: location info (terminating)
  sip::Duration sar_delay = std::chrono::milliseconds(5);  // S-CSCF: server assignment (profile download)
};

class Hss {
 public:
  // Adds a subscriber. Fails (kBadBody, nothing added) if one of its public identities is already
  // known or appears twice in it.
  wire::Result<bool> Add(ImsSubscription subscription);
  // Parses and adds an IMSSubscription XML document.
  wire::Result<bool> AddXml(std::string_view xml);

  // The subscription and service profile holding a public identity (sip: or tel: URI, compared
  // as written after lower-casing the scheme and host), or nullptr.
  const ImsSubscription* FindSubscription(std::string_view public_identity) const;
  const ServiceProfile* FindProfile(std::string_view public_identity) const;
  // Every public identity of the implicit registration set of `public_identity` (TS 29.228: the
  // identities of the same service profile), in document order; the identity itself first.
  std::vector<std::string> ImplicitSet(std::string_view public_identity) const;
  // The barring indication of a public identity.
  bool IsBarred(std::string_view public_identity) const;

  // S-CSCF assignment (Cx SAR / UAR answers). An assignment covers the implicit registration set
  // of the identity (TS 29.228 6.1.2); unknown identities are ignored.
  std::optional<std::string> AssignedScscf(std::string_view public_identity) const;
  void AssignScscf(std::string_view public_identity, std::string scscf_uri);
  void UnassignScscf(std::string_view public_identity);
  // The S-CSCF the I-CSCF picks for an unassigned user (a capability match in a real network).
  void set_default_scscf(std::string scscf_uri) { default_scscf_ = std::move(scscf_uri); }
  const std::string& default_scscf() const { return default_scscf_; }

  std::size_t subscriber_count() const { return subscriptions_.size(); }

 private:
  std::vector<ImsSubscription> subscriptions_;
  std::map<std::string, std::size_t, std::less<>> by_identity_;  // normalized identity -> index
  std::map<std::string, std::string, std::less<>> assigned_;
  std::string default_scscf_;
};

// Normalizes a public identity for comparisons: lower-case scheme and host, no port, no URI
// parameters; angle brackets around it are dropped. The user part stays case-sensitive
// (RFC 3261 19.1.4). A tel URI also loses its visual separators "-", ".", "(", ")" (RFC 3966
// 5.1.1) and its parameters: "tel:+1-212-555-2222" and "tel:+12125552222" are the same identity.
// An identity the SIP URI grammar refuses (a wildcarded PSI) is normalized textually.
std::string NormalizeIdentity(std::string_view identity);

}  // namespace pushsim::ims
