// The I-CSCF (3GPP TS 24.229 5.3): an optional hop between P-CSCF and S-CSCF. For REGISTER it
// asks the HSS which S-CSCF serves the user (Cx UAR, a delay here) and forwards there; for a
// terminating request it asks where the user is (Cx LIR) and forwards to that S-CSCF, or answers
// 404 for an unknown user and 480 when the user is not registered.
#pragma once

#include <set>
#include <string>

#include "ims/hss.h"
#include "sip/element.h"

namespace pushsim::ims {

struct ICscfConfig {
  sip::ElementConfig element;
  CxConfig cx;
};

class ICscf : public sip::Element {
 public:
  ICscf(sip::Host& host, const sip::Resolver& resolver, ICscfConfig config, const Hss& hss);
  ~ICscf() override;

 protected:
  void HandleRequest(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source) override;

 private:
  void HandleRegister(sip::TransactionId server, wire::SipMessage request);
  void HandleTerminating(sip::TransactionId server, wire::SipMessage request);
  // Runs `action` after the Cx delay (the answer was computed when the query was made).
  void AfterCx(sip::Duration delay, std::function<void()> action);
  void ForwardToScscf(sip::TransactionId server, const wire::SipMessage& request, const std::string& scscf);

  ICscfConfig icscf_config_;
  const Hss& hss_;
  std::set<sip::TimerId> pending_cx_;
};

}  // namespace pushsim::ims
