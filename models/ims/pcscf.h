// The P-CSCF (3GPP TS 24.229 5.2): the first hop of every UE.
// - REGISTER from a UE: adds Path (RFC 3327) with its own URI and Require: path, forwards to the
//   I-CSCF or S-CSCF; on the 200 keeps the Service-Route (RFC 3608) and the P-Associated-URI for
//   that UE until the granted expiry, and forgets them on the 200 to a de-REGISTER. A REGISTER
//   without Supported: path gets 421 with Require: path (RFC 3327 5.2).
// - Other requests from a registered UE: removes any P-Asserted-Identity the UE wrote and asserts
//   the registered identity (RFC 3325), honouring P-Preferred-Identity when it is one of the
//   user's associated identities; removes P-Preferred-Identity; routes along the Service-Route.
//   A request from an unregistered UE gets 403.
// - Requests from the core towards a UE (Route: this P-CSCF, from the Path): forwarded to the
//   Request-URI, the UE's registered contact, over the address its REGISTER came from.
// - Initial INVITE, SUBSCRIBE and REFER are Record-Routed in both directions; in-dialog requests
//   follow their Route. UEs are told apart by source address and port.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sip/element.h"

namespace pushsim::ims {

struct PCscfConfig {
  sip::ElementConfig element;
  // Where REGISTER goes: the I-CSCF when present, else the S-CSCF ("sip:icscf.home1.net;lr").
  std::string registrar_uri;
  // The user part of the Path entry (TS 24.229 5.2.2: the Path URI carries an indication that
  // requests arriving along it are UE-terminating; here "sip:term@<host>;lr").
  std::string terminating_user = "term";
};

class PCscf : public sip::Element {
 public:
  // What the P-CSCF keeps about a UE after its registration succeeded.
  struct UeRegistration {
    std::string contact_uri;                   // as registered
    sip::Endpoint ue;                          // where the REGISTER came from
    std::vector<std::string> service_route;    // from the 200, in order
    std::vector<std::string> associated_uris;  // P-Associated-URI, the first is the default identity
    sip::TimePoint expires_at{};
  };

  PCscf(sip::Host& host, const sip::Resolver& resolver, PCscfConfig config);
  ~PCscf() override;

  // The registration that a request from `source` belongs to, or nullptr.
  const UeRegistration* FindBySource(const sip::Endpoint& source) const;
  // The Path entry this P-CSCF writes: <sip:term@pcscf.home1.net;lr> (the port only when it is
  // not 5060).
  std::string PathEntry() const;
  std::size_t registration_count() const { return registrations_.size(); }

  // Observers for traces (all optional).
  std::function<void(const wire::SipMessage& request, std::string_view removed_identity)> on_identity_replaced;

 protected:
  void HandleRequest(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source) override;

 private:
  void HandleRegister(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source);
  void HandleOriginating(sip::TransactionId server, const wire::SipMessage& request, const UeRegistration& ue);
  void HandleTerminating(sip::TransactionId server, const wire::SipMessage& request);
  // The 200 to a REGISTER from `source` passes by: keep or drop the UE's registration.
  void OnRegisterResponse(const wire::SipMessage& response, const sip::Endpoint& source, std::string contact_uri,
                          bool deregister);
  void Drop(std::uint64_t key);
  // Stores or forgets the registration of the UE at source key `key`, keeping contact_index_.
  void Store(std::uint64_t key, UeRegistration registration);
  void Forget(std::uint64_t key);
  // Whether a Route value is the Path entry of this P-CSCF (terminating direction).
  bool IsTerminatingRoute(std::string_view route) const;

  PCscfConfig pcscf_config_;
  std::map<std::uint64_t, UeRegistration> registrations_;  // by UE source address and port
  // Source keys by ContactKey of the registered contact: a terminating request finds its UE
  // among the few registrations with that key, not by comparing every registration.
  std::multimap<std::string, std::uint64_t> contact_index_;
  std::map<std::uint64_t, sip::TimerId> expiry_timers_;
};

}  // namespace pushsim::ims
