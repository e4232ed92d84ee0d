// A UE as an ns-3 application: a sip::UserAgent that registers its public user identity through
// the P-CSCF at "RegisterAt", refreshes on its own (TS 24.229 5.1.1.4) and de-registers at
// "DeregisterAt"; it answers incoming MESSAGE / NOTIFY with 200.
//
// Attributes (besides those of SipElementApplication): "Aor", "OutboundProxy", "RegistrarUri",
// "ContactUser", "FeatureTags", "Instance", "Gruu", "Expires", "RegisterAt", "DeregisterAt".
// Trace sources: "RegistrationState", "MessageReceived".
#pragma once

#include <memory>
#include <string>

#include "apps/sip-element-app.h"
#include "ns3/event-id.h"
#include "sip/user_agent.h"

namespace pushsim {

class SipUeApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();

  // RegistrationState: the new state's name ("registered", "unregistered", ...), the final
  // response code (408 on timeout, 0 on local expiry), the RFC 6076 Registration Request Delay,
  // and the REGISTER retransmissions of the attempt.
  typedef void (*RegistrationTracedCallback)(const std::string& state, std::uint16_t code, ns3::Time delay,
                                             std::uint32_t retransmissions);
  // MessageReceived: an incoming request (MESSAGE, NOTIFY, ...) as it reached the user agent.
  typedef void (*MessageTracedCallback)(const wire::SipMessage& request);

  SipUeApplication();
  ~SipUeApplication() override;

  // The user agent; nullptr while the application is not running.
  sip::UserAgent* GetUserAgent();
  std::string GetAor() const { return aor_; }

  // Parses "FeatureTags" text: header parameters separated by ';', a leading ';' optional, e.g.
  // +g.oma.pusheventapp="mms.ua,x-wap-application:push.sia". Fails on anything else.
  static wire::Result<std::vector<wire::Param>> ParseFeatureTags(std::string_view text);

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void OnElementStarted() override;
  void OnElementStopping() override;
  void DoDispose() override;

 private:
  std::string aor_;
  std::string outbound_proxy_;
  std::string registrar_uri_;
  std::string contact_user_;
  std::string feature_tags_;
  std::string instance_;
  bool gruu_ = false;
  std::uint32_t expires_ = 600000;
  ns3::Time register_at_;
  ns3::Time deregister_at_;

  ns3::TracedCallback<const std::string&, std::uint16_t, ns3::Time, std::uint32_t> registration_trace_;
  ns3::TracedCallback<const wire::SipMessage&> message_trace_;
  ns3::EventId register_event_;
  ns3::EventId deregister_event_;
};

}  // namespace pushsim
