#include "apps/sip-ue-app.h"

#include "ns3/boolean.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "wire/text.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimSipUeApplication");
NS_OBJECT_ENSURE_REGISTERED(SipUeApplication);

ns3::TypeId SipUeApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::SipUeApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<SipUeApplication>()
          .AddAttribute("Aor", "The public user identity to register, e.g. sip:alice@home1.net.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipUeApplication::aor_),
                        ns3::MakeStringChecker())
          .AddAttribute("OutboundProxy", "The P-CSCF, where REGISTER and initial requests go.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipUeApplication::outbound_proxy_),
                        ns3::MakeStringChecker())
          .AddAttribute("RegistrarUri", "The Request-URI of REGISTER; empty: the home domain of the Aor.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipUeApplication::registrar_uri_),
                        ns3::MakeStringChecker())
          .AddAttribute("ContactUser", "The user part of the Contact; empty: the user part of the Aor.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipUeApplication::contact_user_),
                        ns3::MakeStringChecker())
          .AddAttribute("FeatureTags",
                        "Contact parameters (RFC 3840 feature tags), ';'-separated, e.g. "
                        "+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\".",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipUeApplication::feature_tags_),
                        ns3::MakeStringChecker())
          .AddAttribute("Instance", "The RFC 5626 instance ID, <urn:uuid:...>; empty: none.", ns3::StringValue(""),
                        ns3::MakeStringAccessor(&SipUeApplication::instance_), ns3::MakeStringChecker())
          .AddAttribute("Gruu", "Ask for GRUUs (RFC 5627).", ns3::BooleanValue(false),
                        ns3::MakeBooleanAccessor(&SipUeApplication::gruu_), ns3::MakeBooleanChecker())
          .AddAttribute("Expires", "Requested registration lifetime in seconds.", ns3::UintegerValue(600000),
                        ns3::MakeUintegerAccessor(&SipUeApplication::expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("RegisterAt", "When to send the initial REGISTER (simulation time).",
                        ns3::TimeValue(ns3::Seconds(0)), ns3::MakeTimeAccessor(&SipUeApplication::register_at_),
                        ns3::MakeTimeChecker())
          .AddAttribute("DeregisterAt", "When to de-register (simulation time); 0: never.",
                        ns3::TimeValue(ns3::Seconds(0)), ns3::MakeTimeAccessor(&SipUeApplication::deregister_at_),
                        ns3::MakeTimeChecker())
          .AddTraceSource("RegistrationState", "The outcome of a registration attempt or a change of state.",
                          ns3::MakeTraceSourceAccessor(&SipUeApplication::registration_trace_),
                          "pushsim::SipUeApplication::RegistrationTracedCallback")
          .AddTraceSource("MessageReceived", "An incoming request reached the user agent.",
                          ns3::MakeTraceSourceAccessor(&SipUeApplication::message_trace_),
                          "pushsim::SipUeApplication::MessageTracedCallback");
  return tid;
}

SipUeApplication::SipUeApplication() = default;
SipUeApplication::~SipUeApplication() = default;

sip::UserAgent* SipUeApplication::GetUserAgent() { return static_cast<sip::UserAgent*>(GetElement()); }

wire::Result<std::vector<wire::Param>> SipUeApplication::ParseFeatureTags(std::string_view text) {
  const std::string_view trimmed = wire::TrimLws(text);
  if (trimmed.empty()) return std::vector<wire::Param>{};
  const std::string input = trimmed.front() == ';' ? std::string(trimmed) : ";" + std::string(trimmed);
  const std::size_t shift = trimmed.front() == ';' ? 0 : 1;  // offsets refer to `text` as given
  std::size_t consumed = 0;
  auto params = wire::ParseParams(input, consumed);
  if (!params.ok()) {
    const std::size_t offset = params.error().offset >= shift ? params.error().offset - shift : 0;
    return wire::MakeError(params.error().code, trimmed, offset, params.error().detail);
  }
  if (consumed != input.size()) {
    return wire::MakeError(wire::ErrorCode::kBadCharacter, trimmed, consumed - shift,
                           "expected ';' and another feature tag");
  }
  return std::move(params).value();
}

std::unique_ptr<sip::Element> SipUeApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                              sip::ElementConfig config) {
  auto tags = ParseFeatureTags(feature_tags_);
  NS_ABORT_MSG_IF(!tags.ok(), "FeatureTags \"" << feature_tags_ << "\": " << tags.error().Describe());
  sip::UserAgentConfig ua;
  ua.element = std::move(config);
  ua.aor = aor_;
  ua.outbound_proxy = outbound_proxy_;
  ua.registrar_uri = registrar_uri_;
  ua.contact_user = contact_user_;
  ua.contact_params = std::move(tags).value();
  ua.instance = instance_;
  ua.gruu = gruu_;
  ua.expires = expires_;
  auto agent = std::make_unique<sip::UserAgent>(host, resolver, std::move(ua));
  agent->on_registration_state = [this](const sip::RegistrationEvent& event) {
    NS_LOG_INFO(aor_ << " " << sip::RegistrationStateName(event.state) << " (" << event.code << ")");
    registration_trace_(std::string(sip::RegistrationStateName(event.state)), static_cast<std::uint16_t>(event.code),
                        ns3::NanoSeconds(event.delay.count()), static_cast<std::uint32_t>(event.retransmissions));
  };
  agent->on_request = [this](const wire::SipMessage& request) { message_trace_(request); };
  return agent;
}

void SipUeApplication::OnElementStarted() {
  const ns3::Time now = ns3::Simulator::Now();
  const ns3::Time register_delay = register_at_ > now ? register_at_ - now : ns3::Time(0);
  register_event_ = ns3::Simulator::Schedule(register_delay, [this] {
    if (sip::UserAgent* agent = GetUserAgent()) agent->Register();
  });
  if (deregister_at_.IsStrictlyPositive() && deregister_at_ >= now) {
    deregister_event_ = ns3::Simulator::Schedule(deregister_at_ - now, [this] {
      if (sip::UserAgent* agent = GetUserAgent()) agent->Deregister();
    });
  }
}

void SipUeApplication::OnElementStopping() {
  ns3::Simulator::Cancel(register_event_);
  ns3::Simulator::Cancel(deregister_event_);
}

void SipUeApplication::DoDispose() { SipElementApplication::DoDispose(); }

}  // namespace pushsim
