#include "apps/push-apps.h"

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/log.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "wire/text.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimPushApplications");
NS_OBJECT_ENSURE_REGISTERED(PushReceiverApplication);
NS_OBJECT_ENSURE_REGISTERED(PushSenderApplication);
NS_OBJECT_ENSURE_REGISTERED(ReferFloodApplication);

namespace {

sip::Duration ToDuration(ns3::Time time) { return sip::Duration(time.GetNanoSeconds()); }
ns3::Time ToTime(sip::Duration duration) { return ns3::NanoSeconds(duration.count()); }

std::string Trimmed(std::string_view text) { return std::string(wire::TrimLws(text)); }

}  // namespace

std::vector<std::string> SplitCommaSeparated(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = Trimmed(std::string_view(text).substr(start, comma - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PushReceiverApplication
// ---------------------------------------------------------------------------------------------

ns3::TypeId PushReceiverApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::PushReceiverApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<PushReceiverApplication>()
          .AddAttribute("Aor", "The public user identity to register, e.g. sip:alice@home1.net.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushReceiverApplication::aor_),
                        ns3::MakeStringChecker())
          .AddAttribute("OutboundProxy", "The P-CSCF, where REGISTER and initial requests go.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushReceiverApplication::outbound_proxy_),
                        ns3::MakeStringChecker())
          .AddAttribute("Instance", "The RFC 5626 instance ID, <urn:uuid:...>; empty: none.", ns3::StringValue(""),
                        ns3::MakeStringAccessor(&PushReceiverApplication::instance_), ns3::MakeStringChecker())
          .AddAttribute("Gruu", "Ask for GRUUs (RFC 5627; TS 7.2 step 4).", ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&PushReceiverApplication::gruu_), ns3::MakeBooleanChecker())
          .AddAttribute("Expires", "Requested registration lifetime in seconds.", ns3::UintegerValue(600000),
                        ns3::MakeUintegerAccessor(&PushReceiverApplication::expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("RegisterAt", "When to send the initial REGISTER (simulation time).",
                        ns3::TimeValue(ns3::Seconds(0)), ns3::MakeTimeAccessor(&PushReceiverApplication::register_at_),
                        ns3::MakeTimeChecker())
          .AddAttribute("DeregisterAt", "When to de-register (simulation time); 0: never.",
                        ns3::TimeValue(ns3::Seconds(0)),
                        ns3::MakeTimeAccessor(&PushReceiverApplication::deregister_at_), ns3::MakeTimeChecker())
          .AddAttribute("AppIds",
                        "Application ids registered in +g.oma.pusheventapp (TS 8.1.1), comma-separated, "
                        "e.g. \"mms.ua,x-wap-application:push.sia\".",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushReceiverApplication::app_ids_),
                        ns3::MakeStringChecker())
          .AddAttribute("TrustedSenders",
                        "P-Asserted-Identity URIs accepted as push senders (TS 12.3.2), comma-separated.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushReceiverApplication::trusted_senders_),
                        ns3::MakeStringChecker())
          .AddAttribute("AcceptedTypes",
                        "Media types per application, \"app=type,type;app2=type\" (\"*\" and \"type/*\" "
                        "allowed); an application not listed accepts every type.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushReceiverApplication::accepted_types_),
                        ns3::MakeStringChecker())
          .AddAttribute("RequirePref", "Send \"Require: pref\" in REGISTER (TS 7.2 step 3).", ns3::BooleanValue(true),
                        ns3::MakeBooleanAccessor(&PushReceiverApplication::require_pref_), ns3::MakeBooleanChecker())
          .AddAttribute("MsrpPort", "The TCP port the MSRP receiving sessions listen on (RFC 4975).",
                        ns3::UintegerValue(2855), ns3::MakeUintegerAccessor(&PushReceiverApplication::msrp_port_),
                        ns3::MakeUintegerChecker<std::uint16_t>(1))
          .AddAttribute("MsrpMaxSize", "a=max-size of the SDP answer and the largest MSRP message (RFC 4975 8.6).",
                        ns3::UintegerValue(16ull << 20),
                        ns3::MakeUintegerAccessor(&PushReceiverApplication::msrp_max_size_),
                        ns3::MakeUintegerChecker<std::uint64_t>(1))
          .AddAttribute("ReferLockout", "What a REFER arriving during the lockout gets (003).",
                        ns3::EnumValue(static_cast<int>(push::ReferLockoutMode::kDefer)),
                        ns3::MakeEnumAccessor(&PushReceiverApplication::lockout_mode_),
                        ns3::MakeEnumChecker(static_cast<int>(push::ReferLockoutMode::kNone), "None",
                                             static_cast<int>(push::ReferLockoutMode::kDefer), "Defer",
                                             static_cast<int>(push::ReferLockoutMode::kDiscard), "Discard"))
          .AddAttribute("LockoutDuration",
                        "The longest the REFER lockout lasts; a REFER still in progress then is abandoned (003).",
                        ns3::TimeValue(ns3::Seconds(32)),
                        ns3::MakeTimeAccessor(&PushReceiverApplication::lockout_duration_),
                        ns3::MakeTimeChecker(ns3::MilliSeconds(1)))
          .AddAttribute("ReferRetryAfter", "Retry-After of the 503 to a discarded REFER; 0: the lockout time left.",
                        ns3::UintegerValue(0), ns3::MakeUintegerAccessor(&PushReceiverApplication::retry_after_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("MaxDeferredRefers", "Deferred REFERs kept; more are answered 503.", ns3::UintegerValue(64),
                        ns3::MakeUintegerAccessor(&PushReceiverApplication::max_deferred_refers_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddTraceSource("Push", "A push delivered to an application: app id, via, size, latency.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::push_trace_),
                          "pushsim::PushReceiverApplication::PushTracedCallback")
          .AddTraceSource("Delivery", "A push delivered to an application, with its content.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::delivery_trace_),
                          "pushsim::PushReceiverApplication::DeliveryTracedCallback")
          .AddTraceSource("RegistrationState", "The outcome of a registration attempt or a change of state.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::registration_trace_),
                          "pushsim::PushReceiverApplication::RegistrationTracedCallback")
          .AddTraceSource("LockoutEngaged", "A REFER took the lockout and its processing started.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::lockout_trace_),
                          "pushsim::PushReceiverApplication::ReferTracedCallback")
          .AddTraceSource("ReferDeferred", "A REFER was accepted during the lockout and waits for it.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::deferred_trace_),
                          "pushsim::PushReceiverApplication::ReferTracedCallback")
          .AddTraceSource("ReferDiscarded", "A REFER was answered 503 because of the lockout.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::discarded_trace_),
                          "pushsim::PushReceiverApplication::ReferTracedCallback")
          .AddTraceSource("ReferProcessed", "A REFER's final NOTIFY was sent: the event, start and end times.",
                          ns3::MakeTraceSourceAccessor(&PushReceiverApplication::processed_trace_),
                          "pushsim::PushReceiverApplication::ReferProcessedTracedCallback");
  return tid;
}

PushReceiverApplication::PushReceiverApplication() = default;
PushReceiverApplication::~PushReceiverApplication() = default;

push::PushReceiverAgent* PushReceiverApplication::GetAgent() {
  return static_cast<push::PushReceiverAgent*>(GetElement());
}

void PushReceiverApplication::RegisterApplication(const std::string& app_id, push::PushCallback callback) {
  applications_[app_id] = callback;
  if (push::PushReceiverAgent* agent = GetAgent()) agent->RegisterApplication(app_id, std::move(callback));
}

void PushReceiverApplication::UnregisterApplication(const std::string& app_id) {
  applications_.erase(app_id);
  if (push::PushReceiverAgent* agent = GetAgent()) agent->UnregisterApplication(app_id);
}

std::map<std::string, std::vector<std::string>> PushReceiverApplication::ParseAcceptedTypes(const std::string& text) {
  std::map<std::string, std::vector<std::string>> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t semicolon = text.find(';', start);
    if (semicolon == std::string::npos) semicolon = text.size();
    const std::string_view item = std::string_view(text).substr(start, semicolon - start);
    const std::size_t equals = item.find('=');
    if (equals != std::string_view::npos) {
      const std::string app = Trimmed(item.substr(0, equals));
      if (!app.empty()) {
        auto& types = out[app];
        for (std::string& type : SplitCommaSeparated(std::string(item.substr(equals + 1)))) {
          types.push_back(std::move(type));
        }
      }
    }
    start = semicolon + 1;
  }
  return out;
}

std::unique_ptr<sip::Element> PushReceiverApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                                     sip::ElementConfig config) {
  streams_ = std::make_unique<Ns3StreamHost>(GetNode());
  fetcher_ = std::make_unique<push::HttpFetcher>(host, *streams_, resolver);

  push::PushReceiverConfig push_config;
  push_config.ua.element = std::move(config);
  push_config.ua.aor = aor_;
  push_config.ua.outbound_proxy = outbound_proxy_;
  push_config.ua.instance = instance_;
  push_config.ua.gruu = gruu_;
  push_config.ua.expires = expires_;
  push_config.app_ids = SplitCommaSeparated(app_ids_);
  push_config.trusted_senders = SplitCommaSeparated(trusted_senders_);
  push_config.accepted_types = ParseAcceptedTypes(accepted_types_);
  push_config.require_pref = require_pref_;
  push_config.msrp_port = msrp_port_;
  push_config.msrp_max_size = msrp_max_size_;
  push_config.lockout_mode = static_cast<push::ReferLockoutMode>(lockout_mode_);
  push_config.lockout_duration = ToDuration(lockout_duration_);
  push_config.retry_after_seconds = retry_after_;
  push_config.max_deferred_refers = max_deferred_refers_;
  // The fetcher lives as long as the agent's transport; after stop a fetch is dropped.
  push_config.fetch = [this](std::string url, std::function<void(int, std::string)> done) {
    if (fetcher_) fetcher_->Fetch(std::move(url), std::move(done));
  };

  auto agent = std::make_unique<push::PushReceiverAgent>(host, resolver, *streams_, std::move(push_config));
  for (const auto& [app_id, callback] : applications_) agent->RegisterApplication(app_id, callback);
  agent->on_push = [this](const push::PushDelivery& delivery) { OnDelivery(delivery); };
  agent->on_registration_state = [this](const sip::RegistrationEvent& event) {
    NS_LOG_INFO(aor_ << " " << sip::RegistrationStateName(event.state) << " (" << event.code << ")");
    registration_trace_(std::string(sip::RegistrationStateName(event.state)), static_cast<std::uint16_t>(event.code),
                        ToTime(event.delay), static_cast<std::uint32_t>(event.retransmissions));
  };
  agent->on_lockout_engaged = [this](const push::ReferEvent& event) {
    refer_started_[event.refer_id] = ns3::Simulator::Now();
    lockout_trace_(event);
  };
  agent->on_refer_deferred = [this](const push::ReferEvent& event) { deferred_trace_(event); };
  agent->on_refer_discarded = [this](const push::ReferEvent& event) { discarded_trace_(event); };
  agent->on_refer_processed = [this](const push::ReferEvent& event) {
    // Without a lockout a REFER is processed from its arrival (it never waits).
    ns3::Time started = ToTime(event.received_at);
    if (auto it = refer_started_.find(event.refer_id); it != refer_started_.end()) {
      started = it->second;
      refer_started_.erase(it);
    }
    processed_trace_(event, started, ns3::Simulator::Now());
  };
  return agent;
}

void PushReceiverApplication::OnDelivery(const push::PushDelivery& delivery) {
  NS_LOG_INFO(aor_ << " push for " << delivery.app_id << " via " << push::PushViaName(delivery.via) << ", "
                   << delivery.size << " octets");
  push_trace_(delivery.app_id, std::string(push::PushViaName(delivery.via)), delivery.size,
              ToTime(delivery.latency()));
  delivery_trace_(delivery);
}

void PushReceiverApplication::OnElementStarted() {
  const ns3::Time now = ns3::Simulator::Now();
  const ns3::Time register_delay = register_at_ > now ? register_at_ - now : ns3::Time(0);
  register_event_ = ns3::Simulator::Schedule(register_delay, [this] {
    if (push::PushReceiverAgent* agent = GetAgent()) agent->Register();
  });
  if (deregister_at_.IsStrictlyPositive() && deregister_at_ >= now) {
    deregister_event_ = ns3::Simulator::Schedule(deregister_at_ - now, [this] {
      if (push::PushReceiverAgent* agent = GetAgent()) agent->Deregister();
    });
  }
}

void PushReceiverApplication::OnElementStopping() {
  ns3::Simulator::Cancel(register_event_);
  ns3::Simulator::Cancel(deregister_event_);
  // The fetcher's clock (the SIP transport) goes away with the element: no callback after this.
  fetcher_.reset();
  if (streams_) streams_->Stop();
  refer_started_.clear();
}

void PushReceiverApplication::DoDispose() {
  SipElementApplication::DoDispose();
  fetcher_.reset();
  streams_.reset();
  applications_.clear();
}

// ---------------------------------------------------------------------------------------------
// PushSenderApplication
// ---------------------------------------------------------------------------------------------

ns3::TypeId PushSenderApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::PushSenderApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<PushSenderApplication>()
          .AddAttribute("Identity", "The identity asserted in P-Asserted-Identity; empty: sip:<Host>.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&PushSenderApplication::identity_),
                        ns3::MakeStringChecker())
          .AddAttribute("ScscfRoute", "The Route of requests the sender originates (TS 24.229 5.7.3).",
                        ns3::StringValue("<sip:scscf.home1.net;lr>"),
                        ns3::MakeStringAccessor(&PushSenderApplication::scscf_route_), ns3::MakeStringChecker())
          .AddAttribute("LargeContent", "How content above MessageSizeLimit goes (TS 9.1.2 step 8).",
                        ns3::EnumValue(static_cast<int>(push::LargeContentPolicy::kIndirection)),
                        ns3::MakeEnumAccessor(&PushSenderApplication::large_content_),
                        ns3::MakeEnumChecker(static_cast<int>(push::LargeContentPolicy::kIndirection), "Indirection",
                                             static_cast<int>(push::LargeContentPolicy::kInviteMsrp), "InviteMsrp"))
          .AddAttribute("MessageSizeLimit", "Largest MESSAGE as sent, in bytes (RFC 3428 section 4).",
                        ns3::UintegerValue(1300),
                        ns3::MakeUintegerAccessor(&PushSenderApplication::message_size_limit_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("ContentBaseUrl", "Base of content indirection URLs (RFC 4483).",
                        ns3::StringValue("http://content.home1.net"),
                        ns3::MakeStringAccessor(&PushSenderApplication::content_base_url_), ns3::MakeStringChecker())
          .AddAttribute("MsrpPort", "The port in the a=path of the MSRP sending sessions.", ns3::UintegerValue(2855),
                        ns3::MakeUintegerAccessor(&PushSenderApplication::msrp_port_),
                        ns3::MakeUintegerChecker<std::uint16_t>(1))
          .AddAttribute("MsrpChunkSize", "Octets of content per MSRP SEND chunk (RFC 4975 5.1).",
                        ns3::UintegerValue(2048), ns3::MakeUintegerAccessor(&PushSenderApplication::msrp_chunk_size_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("MaxRetries", "Retries after the first attempt when Appendix D allows them.",
                        ns3::UintegerValue(3), ns3::MakeUintegerAccessor(&PushSenderApplication::max_retries_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("BaseBackoff", "Delay before the first retry when the response has no Retry-After.",
                        ns3::TimeValue(ns3::Seconds(2)), ns3::MakeTimeAccessor(&PushSenderApplication::base_backoff_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("SubscribeRegEvent", "Subscribe to the reg event of users learnt (RFC 3680).",
                        ns3::BooleanValue(false),
                        ns3::MakeBooleanAccessor(&PushSenderApplication::subscribe_reg_event_),
                        ns3::MakeBooleanChecker())
          .AddAttribute("RegEventExpires", "Expires of the reg event SUBSCRIBE, in seconds.", ns3::UintegerValue(3761),
                        ns3::MakeUintegerAccessor(&PushSenderApplication::reg_event_expires_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddTraceSource("Outcome", "The application-level outcome of a push (Appendix D).",
                          ns3::MakeTraceSourceAccessor(&PushSenderApplication::outcome_trace_),
                          "pushsim::PushSenderApplication::OutcomeTracedCallback")
          .AddTraceSource("Reachability", "The terminals of a user changed.",
                          ns3::MakeTraceSourceAccessor(&PushSenderApplication::reachability_trace_),
                          "pushsim::PushSenderApplication::ReachabilityTracedCallback");
  return tid;
}

PushSenderApplication::PushSenderApplication() = default;
PushSenderApplication::~PushSenderApplication() = default;

push::PushSenderAgent* PushSenderApplication::GetAgent() { return static_cast<push::PushSenderAgent*>(GetElement()); }

std::string PushSenderApplication::GetIdentity() const {
  return identity_.empty() ? "sip:" + GetHostName() : identity_;
}

push::PushId PushSenderApplication::Push(const push::PushRequest& request) {
  push::PushSenderAgent* agent = GetAgent();
  if (!agent) return 0;
  return agent->Push(request);
}

std::unique_ptr<sip::Element> PushSenderApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                                   sip::ElementConfig config) {
  streams_ = std::make_unique<Ns3StreamHost>(GetNode());
  push::PushSenderConfig sender;
  sender.element = std::move(config);
  sender.identity = GetIdentity();
  sender.scscf_route = scscf_route_;
  sender.large_content = static_cast<push::LargeContentPolicy>(large_content_);
  sender.message_size_limit = message_size_limit_;
  sender.content_base_url = content_base_url_;
  sender.msrp_port = msrp_port_;
  sender.msrp_chunk_size = msrp_chunk_size_;
  sender.retry.max_retries = static_cast<int>(max_retries_);
  sender.retry.base_backoff = ToDuration(base_backoff_);
  sender.subscribe_reg_event = subscribe_reg_event_;
  sender.reg_event_expires = reg_event_expires_;
  auto agent = std::make_unique<push::PushSenderAgent>(host, resolver, *streams_, std::move(sender));
  agent->on_outcome = [this](const push::PushOutcome& outcome) {
    NS_LOG_INFO("push " << outcome.id << " to " << outcome.terminal << ": " << outcome.code << " "
                        << push::AppStatusName(outcome.status));
    outcome_trace_(outcome);
  };
  agent->on_reachability = [this](const std::string& aor) { reachability_trace_(aor); };
  return agent;
}

void PushSenderApplication::OnElementStopping() {
  if (streams_) streams_->Stop();
}

void PushSenderApplication::DoDispose() {
  SipElementApplication::DoDispose();
  streams_.reset();
}

// ---------------------------------------------------------------------------------------------
// ReferFloodApplication
// ---------------------------------------------------------------------------------------------

ns3::TypeId ReferFloodApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::ReferFloodApplication")
          .SetParent<SipElementApplication>()
          .SetGroupName("Pushsim")
          .AddConstructor<ReferFloodApplication>()
          .AddAttribute("Target", "The Request-URI of the REFERs: an AOR, a GRUU or a contact URI.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&ReferFloodApplication::target_),
                        ns3::MakeStringChecker())
          .AddAttribute("Route", "The first hop of the REFERs: the S-CSCF, as for an application server.",
                        ns3::StringValue("<sip:scscf.home1.net;lr>"),
                        ns3::MakeStringAccessor(&ReferFloodApplication::route_), ns3::MakeStringChecker())
          .AddAttribute("Rate", "REFERs per second.", ns3::DoubleValue(50),
                        ns3::MakeDoubleAccessor(&ReferFloodApplication::rate_), ns3::MakeDoubleChecker<double>(1e-6))
          .AddAttribute("Start", "When the first REFER is sent (simulation time).", ns3::TimeValue(ns3::Seconds(0)),
                        ns3::MakeTimeAccessor(&ReferFloodApplication::start_), ns3::MakeTimeChecker())
          .AddAttribute("Duration", "How long REFERs are sent; Rate x Duration of them.",
                        ns3::TimeValue(ns3::Seconds(1)), ns3::MakeTimeAccessor(&ReferFloodApplication::duration_),
                        ns3::MakeTimeChecker(ns3::Time(0)))
          .AddAttribute("Identity", "The identity asserted in the REFERs and named in Refer-To; empty: sip:<Host>.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&ReferFloodApplication::identity_),
                        ns3::MakeStringChecker())
          .AddAttribute("AppId", "The application id in the Refer-To's Event and Accept-Contact.",
                        ns3::StringValue("mms.ua"), ns3::MakeStringAccessor(&ReferFloodApplication::app_id_),
                        ns3::MakeStringChecker())
          .AddTraceSource("ReferSent", "A REFER, as first sent.",
                          ns3::MakeTraceSourceAccessor(&ReferFloodApplication::sent_trace_),
                          "pushsim::ReferFloodApplication::ReferSentTracedCallback")
          .AddTraceSource("ReferAnswered", "The final response code to a REFER.",
                          ns3::MakeTraceSourceAccessor(&ReferFloodApplication::answered_trace_),
                          "pushsim::ReferFloodApplication::ReferAnsweredTracedCallback");
  return tid;
}

ReferFloodApplication::ReferFloodApplication() = default;
ReferFloodApplication::~ReferFloodApplication() = default;

push::PushSenderAgent* ReferFloodApplication::GetAgent() { return static_cast<push::PushSenderAgent*>(GetElement()); }

std::string ReferFloodApplication::GetIdentity() const {
  return identity_.empty() ? "sip:" + GetHostName() : identity_;
}

void ReferFloodApplication::DoInitialize() {
  SipElementApplication::DoInitialize();
  TraceConnectWithoutContext("Tx", ns3::MakeCallback(&ReferFloodApplication::OnTx, this));
  TraceConnectWithoutContext("Rx", ns3::MakeCallback(&ReferFloodApplication::OnRx, this));
}

std::unique_ptr<sip::Element> ReferFloodApplication::CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                                   sip::ElementConfig config) {
  streams_ = std::make_unique<Ns3StreamHost>(GetNode());
  push::PushSenderConfig sender;
  sender.element = std::move(config);
  sender.identity = GetIdentity();
  sender.scscf_route = route_;
  // Every REFER is sent once: a flood does not back off.
  sender.retry.max_retries = 0;
  return std::make_unique<push::PushSenderAgent>(host, resolver, *streams_, std::move(sender));
}

void ReferFloodApplication::OnElementStarted() {
  const ns3::Time now = ns3::Simulator::Now();
  const ns3::Time first = start_ > now ? start_ : now;
  stop_at_ = first + duration_;
  next_event_ = ns3::Simulator::Schedule(first - now, &ReferFloodApplication::SendNext, this);
}

void ReferFloodApplication::SendNext() {
  push::PushSenderAgent* agent = GetAgent();
  if (!agent || ns3::Simulator::Now() >= stop_at_) return;
  agent->ReferSubscribe(target_, app_id_);
  next_event_ = ns3::Simulator::Schedule(ns3::Seconds(1.0 / rate_), &ReferFloodApplication::SendNext, this);
}

void ReferFloodApplication::OnTx(const wire::SipMessage& message, std::size_t, const sip::Endpoint&) {
  if (!message.IsRequest() || message.method() != wire::Method::kRefer) return;
  // A retransmission carries the same Call-ID: only the first transmission is reported.
  if (!sent_call_ids_.insert(std::string(message.Get(wire::HeaderId::kCallId).value_or(""))).second) return;
  ++sent_;
  sent_trace_(message);
}

void ReferFloodApplication::OnRx(const wire::SipMessage& message, std::size_t, const sip::Endpoint&) {
  if (!message.IsResponse() || message.cseq_method() != wire::Method::kRefer || message.status_code() < 200) return;
  if (!answered_call_ids_.insert(std::string(message.Get(wire::HeaderId::kCallId).value_or(""))).second) return;
  ++answered_;
  answered_trace_(static_cast<std::uint16_t>(message.status_code()));
}

void ReferFloodApplication::OnElementStopping() {
  ns3::Simulator::Cancel(next_event_);
  if (streams_) streams_->Stop();
}

void ReferFloodApplication::DoDispose() {
  ns3::Simulator::Cancel(next_event_);
  SipElementApplication::DoDispose();
  streams_.reset();
}

}  // namespace pushsim
