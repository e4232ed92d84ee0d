#include "apps/ims-apps.h"

#include <fstream>
#include <sstream>

#include "ims/reg_event.h"
#include "ns3/boolean.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "wire/text.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimImsApplications");
NS_OBJECT_ENSURE_REGISTERED(HssApplication);
NS_OBJECT_ENSURE_REGISTERED(PCscfApplication);
NS_OBJECT_ENSURE_REGISTERED(ICscfApplication);
NS_OBJECT_ENSURE_REGISTERED(ScscfApplication);

namespace {

sip::Duration ToDuration(ns3::Time time) { return sip::Duration(time.GetNanoSeconds()); }

// RFC 3261 16.7 step 6 says a proxy SHOULD turn a 503 it selected into a 500: the 503 speaks of
// the downstream server, not of this one. An overload-aware core may pass it on so that the UE,
// the one party that can wait, honours Retry-After.
constexpr const char* kConvert503Help =
    "Forward a selected 503 as 500 without Retry-After (RFC 3261 16.7 step 6); false: pass the 503 on.";

}  // namespace

// ---------------------------------------------------------------------------------------------
// HssApplication

ns3::TypeId HssApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::HssApplication")
          .SetParent<ns3::Application>()
          .SetGroupName("Pushsim")
          .AddConstructor<HssApplication>()
          .AddAttribute("ProfileFiles",
                        "IMSSubscription XML files (TS 29.228 Annex B) loaded when the application is "
                        "initialized, separated by ','.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&HssApplication::profile_files_),
                        ns3::MakeStringChecker())
          .AddAttribute("DefaultScscf",
                        "The S-CSCF the I-CSCF selects for a user without one (Cx UAA server capabilities), "
                        "e.g. sip:scscf.home1.net.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&HssApplication::default_scscf_),
                        ns3::MakeStringChecker());
  return tid;
}

HssApplication::HssApplication() = default;
HssApplication::~HssApplication() = default;

std::vector<std::string> HssApplication::SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view item = wire::TrimLws(std::string_view(text).substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

wire::Result<bool> HssApplication::AddSubscriptionXml(const std::string& xml) {
  auto added = hss_.AddXml(xml);
  if (added.ok()) NS_LOG_INFO("HSS: subscriber added, " << hss_.subscriber_count() << " in total");
  return added;
}

void HssApplication::LoadProfileFiles() {
  const std::vector<std::string> files = SplitList(profile_files_);
  for (; files_loaded_ < files.size(); ++files_loaded_) {
    const std::string& path = files[files_loaded_];
    std::ifstream file(path, std::ios::binary);
    NS_ABORT_MSG_IF(!file, "HSS: cannot read profile file " << path);
    std::stringstream content;
    content << file.rdbuf();
    auto added = AddSubscriptionXml(content.str());
    NS_ABORT_MSG_IF(!added.ok(), "HSS: profile file " << path << ": " << added.error().Describe());
  }
}

void HssApplication::DoInitialize() {
  if (!default_scscf_.empty()) hss_.set_default_scscf(default_scscf_);
  LoadProfileFiles();
  ns3::Application::DoInitialize();
}

// ---------------------------------------------------------------------------------------------
// PCscfApplication

ns3::TypeId PCscfApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::PCscfApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<PCscfApplication>()
          .AddAttribute("RegistrarUri",
                        "Where REGISTER goes: the I-CSCF when present, else the S-CSCF, e.g. "
                        "sip:icscf.home1.net;lr.",
                        ns3::StringValue("sip:scscf.home1.net;lr"),
                        ns3::MakeStringAccessor(&PCscfApplication::registrar_uri_), ns3::MakeStringChecker())
          .AddAttribute("TerminatingUser",
                        "The user part of the Path entry, which marks requests towards the UE (TS 24.229 5.2.2).",
                        ns3::StringValue("term"), ns3::MakeStringAccessor(&PCscfApplication::terminating_user_),
                        ns3::MakeStringChecker())
          .AddAttribute("Convert503To500", kConvert503Help, ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&PCscfApplication::convert_503_), ns3::MakeBooleanChecker())
          .AddTraceSource("IdentityReplaced",
                          "A P-Asserted-Identity written by a UE was removed and the registered identity asserted.",
                          ns3::MakeTraceSourceAccessor(&PCscfApplication::identity_replaced_trace_),
                          "pushsim::PCscfApplication::IdentityReplacedTracedCallback");
  return tid;
}

PCscfApplication::PCscfApplication() = default;
PCscfApplication::~PCscfApplication() = default;

std::unique_ptr<sip::Element> PCscfApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                              sip::ElementConfig config) {
  ims::PCscfConfig pcscf;
  config.convert_503_to_500 = convert_503_;
  pcscf.element = std::move(config);
  pcscf.registrar_uri = registrar_uri_;
  pcscf.terminating_user = terminating_user_;
  auto element = std::make_unique<ims::PCscf>(host, resolver, std::move(pcscf));
  element->on_identity_replaced = [this](const wire::SipMessage& request, std::string_view removed) {
    NS_LOG_INFO(GetHostName() << " replaced asserted identity " << removed);
    identity_replaced_trace_(request, std::string(removed));
  };
  return element;
}

// ---------------------------------------------------------------------------------------------
// ICscfApplication

ns3::TypeId ICscfApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::ICscfApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<ICscfApplication>()
          .AddAttribute("Hss", "The HssApplication answering the Cx queries.", ns3::PointerValue(),
                        ns3::MakePointerAccessor(&ICscfApplication::hss_),
                        ns3::MakePointerChecker<HssApplication>())
          .AddAttribute("UarDelay", "Cx User-Authorization round trip before a REGISTER is forwarded.",
                        ns3::TimeValue(ns3::MilliSeconds(5)), ns3::MakeTimeAccessor(&ICscfApplication::uar_delay_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("LirDelay", "Cx Location-Info round trip before a terminating request is forwarded.",
                        ns3::TimeValue(ns3::MilliSeconds(5)), ns3::MakeTimeAccessor(&ICscfApplication::lir_delay_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("Convert503To500", kConvert503Help, ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&ICscfApplication::convert_503_), ns3::MakeBooleanChecker());
  return tid;
}

ICscfApplication::ICscfApplication() = default;
ICscfApplication::~ICscfApplication() = default;

std::unique_ptr<sip::Element> ICscfApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                              sip::ElementConfig config) {
  NS_ABORT_MSG_IF(!hss_, "ICscfApplication: the \"Hss\" attribute is not set");
  ims::ICscfConfig icscf;
  config.convert_503_to_500 = convert_503_;
  icscf.element = std::move(config);
  icscf.cx.uar_delay = ToDuration(uar_delay_);
  icscf.cx.lir_delay = ToDuration(lir_delay_);
  return std::make_unique<ims::ICscf>(host, resolver, std::move(icscf), hss_->GetHss());
}

void ICscfApplication::DoDispose() {
  // The element refers to the HSS: it goes first.
  SipElementApplication::DoDispose();
  hss_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// ScscfApplication

ns3::TypeId ScscfApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::ScscfApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<ScscfApplication>()
          .AddAttribute("Hss", "The HssApplication holding the subscribers and the S-CSCF assignments.",
                        ns3::PointerValue(), ns3::MakePointerAccessor(&ScscfApplication::hss_),
                        ns3::MakePointerChecker<HssApplication>())
          .AddAttribute("MinExpires", "Shortest registration accepted, seconds (below: 423, RFC 3261 10.3 step 7).",
                        ns3::UintegerValue(60), ns3::MakeUintegerAccessor(&ScscfApplication::min_expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("MaxExpires", "Longest registration granted, seconds (above: lowered to this).",
                        ns3::UintegerValue(600000), ns3::MakeUintegerAccessor(&ScscfApplication::max_expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("DefaultExpires", "Registration lifetime when neither Contact nor Expires gives one, seconds.",
                        ns3::UintegerValue(3600), ns3::MakeUintegerAccessor(&ScscfApplication::default_expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("ThirdPartyExpires",
                        "Expires of third-party REGISTERs (TS 24.229 5.4.1.7), seconds; 0: the user's own.",
                        ns3::UintegerValue(0), ns3::MakeUintegerAccessor(&ScscfApplication::third_party_expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("Gruu", "Mint GRUUs (RFC 5627) for UEs that ask.", ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&ScscfApplication::gruu_), ns3::MakeBooleanChecker())
          .AddAttribute("AllowAsRegSubscription", "Application servers may subscribe to the reg event (RFC 3680).",
                        ns3::BooleanValue(true), ns3::MakeBooleanAccessor(&ScscfApplication::allow_as_reg_subscription_),
                        ns3::MakeBooleanChecker())
          .AddAttribute("TrustedAsHosts", "Host names accepted as application servers, separated by ','.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&ScscfApplication::trusted_as_hosts_),
                        ns3::MakeStringChecker())
          .AddAttribute("HomeDomains",
                        "Domains whose users this S-CSCF serves (an unknown user there gets 404), separated by ','.",
                        ns3::StringValue("home1.net"), ns3::MakeStringAccessor(&ScscfApplication::home_domains_),
                        ns3::MakeStringChecker())
          .AddAttribute("AsTimeout", "Wait for an application server's answer before DefaultHandling applies.",
                        ns3::TimeValue(ns3::Seconds(4)), ns3::MakeTimeAccessor(&ScscfApplication::as_timeout_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("SarDelay", "Cx Server-Assignment round trip before a REGISTER is answered.",
                        ns3::TimeValue(ns3::MilliSeconds(5)), ns3::MakeTimeAccessor(&ScscfApplication::sar_delay_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("Convert503To500", kConvert503Help, ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&ScscfApplication::convert_503_), ns3::MakeBooleanChecker())
          .AddTraceSource("ContactChange", "A binding was added, refreshed, shortened or removed.",
                          ns3::MakeTraceSourceAccessor(&ScscfApplication::contact_change_trace_),
                          "pushsim::ScscfApplication::ContactChangeTracedCallback")
          .AddTraceSource("ThirdPartyRegister", "A third-party REGISTER was sent to an application server.",
                          ns3::MakeTraceSourceAccessor(&ScscfApplication::third_party_register_trace_),
                          "pushsim::ScscfApplication::ThirdPartyRegisterTracedCallback")
          .AddTraceSource("ThirdPartyResult", "An application server answered a third-party REGISTER (408: none).",
                          ns3::MakeTraceSourceAccessor(&ScscfApplication::third_party_result_trace_),
                          "pushsim::ScscfApplication::ThirdPartyResultTracedCallback")
          .AddTraceSource("RegNotify", "A NOTIFY of the reg event package was sent.",
                          ns3::MakeTraceSourceAccessor(&ScscfApplication::reg_notify_trace_),
                          "pushsim::ScscfApplication::RegNotifyTracedCallback");
  return tid;
}

ScscfApplication::ScscfApplication() = default;
ScscfApplication::~ScscfApplication() = default;

std::unique_ptr<sip::Element> ScscfApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                              sip::ElementConfig config) {
  NS_ABORT_MSG_IF(!hss_, "ScscfApplication: the \"Hss\" attribute is not set");
  NS_ABORT_MSG_IF(min_expires_ > max_expires_, "ScscfApplication: MinExpires above MaxExpires");
  ims::ScscfConfig scscf;
  config.convert_503_to_500 = convert_503_;
  scscf.element = std::move(config);
  scscf.cx.sar_delay = ToDuration(sar_delay_);
  scscf.min_expires = min_expires_;
  scscf.max_expires = max_expires_;
  scscf.default_expires = default_expires_;
  scscf.third_party_expires = third_party_expires_;
  scscf.as_timeout = ToDuration(as_timeout_);
  scscf.gruu = gruu_;
  scscf.allow_as_reg_subscription = allow_as_reg_subscription_;
  scscf.trusted_as_hosts = HssApplication::SplitList(trusted_as_hosts_);
  scscf.home_domains = HssApplication::SplitList(home_domains_);
  auto element = std::make_unique<ims::Scscf>(host, resolver, std::move(scscf), hss_->GetHss());
  element->on_contact_change = [this](const std::string& aor, const ims::ContactChange& change) {
    NS_LOG_INFO(GetHostName() << " " << aor << " " << ims::ContactEventName(change.event) << " "
                              << change.binding.contact_uri);
    contact_change_trace_(aor, change);
  };
  element->on_third_party_register = [this](const std::string& as_uri, const wire::SipMessage& request) {
    third_party_register_trace_(as_uri, request);
  };
  element->on_third_party_result = [this](const std::string& as_uri, int code) {
    NS_LOG_INFO(GetHostName() << " third-party REGISTER to " << as_uri << ": " << code);
    third_party_result_trace_(as_uri, static_cast<std::uint16_t>(code));
  };
  element->reg_event().on_notify = [this](const wire::SipMessage& notify) { reg_notify_trace_(notify); };
  return element;
}

void ScscfApplication::DoDispose() {
  SipElementApplication::DoDispose();
  hss_ = nullptr;
}

}  // namespace pushsim
