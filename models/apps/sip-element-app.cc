#include "apps/sip-element-app.h"

#include "ns3/boolean.h"
#include "ns3/enum.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "wire/sip_headers.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimSipElementApplication");
NS_OBJECT_ENSURE_REGISTERED(SipElementApplication);

namespace {

std::optional<ns3::Ipv4Address> FirstAddress(ns3::Ptr<ns3::Node> node) {
  if (!node) return std::nullopt;
  ns3::Ptr<ns3::Ipv4> ipv4 = node->GetObject<ns3::Ipv4>();
  if (!ipv4) return std::nullopt;
  for (std::uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i) {
    for (std::uint32_t j = 0; j < ipv4->GetNAddresses(i); ++j) {
      const ns3::Ipv4Address candidate = ipv4->GetAddress(i, j).GetLocal();
      if (!candidate.IsLocalhost()) return candidate;
    }
  }
  return std::nullopt;
}

sip::Duration ToDuration(ns3::Time time) { return sip::Duration(time.GetNanoSeconds()); }

// The method a message counts under: its own for a request, the CSeq method for a response.
std::string KindName(const wire::SipMessage& message) {
  if (message.IsRequest()) return std::string(message.method_name());
  if (auto cseq = message.Get(wire::HeaderId::kCSeq)) {
    auto parsed = wire::ParseCSeq(*cseq);
    if (parsed.ok()) return parsed->method;
  }
  return std::string(wire::MethodName(message.cseq_method()));
}

}  // namespace

ns3::TypeId SipElementApplication::GetTypeId() {
  static const std::string kZero = "ns3::ConstantRandomVariable[Constant=0]";
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::SipElementApplication")
          .SetParent<ns3::Application>()
          .SetGroupName("Pushsim")
          .AddAttribute("Port", "The SIP port (UDP and TCP).", ns3::UintegerValue(5060),
                        ns3::MakeUintegerAccessor(&SipElementApplication::port_),
                        ns3::MakeUintegerChecker<std::uint16_t>())
          .AddAttribute("Host",
                        "The element's host name (Via, Record-Route, Path, Service-Route); added to the "
                        "resolver with the node's address. Empty: the node's address.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&SipElementApplication::host_name_),
                        ns3::MakeStringChecker())
          .AddAttribute("Resolver", "The host-name table shared by the simulation's SIP applications.",
                        ns3::PointerValue(), ns3::MakePointerAccessor(&SipElementApplication::resolver_),
                        ns3::MakePointerChecker<SipResolver>())
          .AddAttribute("T1", "RFC 3261 T1, the round-trip time estimate.", ns3::TimeValue(ns3::MilliSeconds(500)),
                        ns3::MakeTimeAccessor(&SipElementApplication::t1_), ns3::MakeTimeChecker())
          .AddAttribute("T2", "RFC 3261 T2, the longest non-INVITE retransmission interval.",
                        ns3::TimeValue(ns3::Seconds(4)), ns3::MakeTimeAccessor(&SipElementApplication::t2_),
                        ns3::MakeTimeChecker())
          .AddAttribute("T4", "RFC 3261 T4, the longest time a message stays in the network.",
                        ns3::TimeValue(ns3::Seconds(5)), ns3::MakeTimeAccessor(&SipElementApplication::t4_),
                        ns3::MakeTimeChecker())
          .AddAttribute("QueueCapacity", "Messages the element holds at once, waiting or in service; 0: unlimited.",
                        ns3::UintegerValue(0), ns3::MakeUintegerAccessor(&SipElementApplication::queue_capacity_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("OverloadAction", "What a request that finds the queue full gets.",
                        ns3::EnumValue(sip::ProcessingConfig::kReject503),
                        ns3::MakeEnumAccessor(&SipElementApplication::overload_action_),
                        ns3::MakeEnumChecker(sip::ProcessingConfig::kReject503, "Reject503",
                                             sip::ProcessingConfig::kDrop, "Drop"))
          .AddAttribute("RetryAfter", "Retry-After of the 503 sent when the queue is full, in seconds.",
                        ns3::UintegerValue(5), ns3::MakeUintegerAccessor(&SipElementApplication::retry_after_),
                        ns3::MakeUintegerChecker<std::uint32_t>())
          .AddAttribute("RegisterServiceTime", "CPU time of a REGISTER, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::register_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("InviteServiceTime", "CPU time of an INVITE, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::invite_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("MessageServiceTime", "CPU time of a MESSAGE, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::message_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("SubscribeServiceTime", "CPU time of a SUBSCRIBE, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::subscribe_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("NotifyServiceTime", "CPU time of a NOTIFY, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::notify_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("ReferServiceTime", "CPU time of a REFER, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::refer_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("OtherServiceTime", "CPU time of any other request, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::other_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddAttribute("ResponseServiceTime", "CPU time of a response, in seconds.", ns3::StringValue(kZero),
                        ns3::MakePointerAccessor(&SipElementApplication::response_time_),
                        ns3::MakePointerChecker<ns3::RandomVariableStream>())
          .AddTraceSource("Rx", "A SIP message received from the network.",
                          ns3::MakeTraceSourceAccessor(&SipElementApplication::rx_trace_),
                          "pushsim::SipElementApplication::WireTracedCallback")
          .AddTraceSource("Tx", "A SIP message sent to the network.",
                          ns3::MakeTraceSourceAccessor(&SipElementApplication::tx_trace_),
                          "pushsim::SipElementApplication::WireTracedCallback")
          .AddTraceSource("QueueLength", "Messages in the element, waiting or in service.",
                          ns3::MakeTraceSourceAccessor(&SipElementApplication::queue_length_),
                          "ns3::TracedValueCallback::Uint32")
          .AddTraceSource("Refused", "A message that found the queue full: answered with 503 or dropped.",
                          ns3::MakeTraceSourceAccessor(&SipElementApplication::refused_trace_),
                          "pushsim::SipElementApplication::RefusedTracedCallback")
          .AddTraceSource("Processed", "A message whose service completed, handed to the element.",
                          ns3::MakeTraceSourceAccessor(&SipElementApplication::processed_trace_),
                          "pushsim::SipElementApplication::ProcessedTracedCallback");
  return tid;
}

SipElementApplication::SipElementApplication() : queue_length_(0) {}

SipElementApplication::~SipElementApplication() = default;

sip::Endpoint SipElementApplication::GetLocalEndpoint() const {
  if (host_) return host_->local();
  const auto address = FirstAddress(GetNode());
  return sip::Endpoint{address ? address->Get() : 0, port_, sip::Transport::kUdp};
}

std::string SipElementApplication::GetHostName() const {
  if (!host_name_.empty()) return host_name_;
  return GetLocalEndpoint().HostText();
}

void SipElementApplication::RegisterHostName() {
  if (!resolver_) resolver_ = ns3::CreateObject<SipResolver>();
  if (host_name_.empty()) return;
  if (const auto address = FirstAddress(GetNode())) resolver_->Add(host_name_, *address);
}

void SipElementApplication::DoInitialize() {
  // Names are known before any application starts, so an element starting at the same instant
  // as its peer can already resolve it.
  RegisterHostName();
  ns3::Application::DoInitialize();
}

void SipElementApplication::DoDispose() {
  StopApplication();
  resolver_ = nullptr;
  for (auto* variable : {&register_time_, &invite_time_, &message_time_, &subscribe_time_, &notify_time_,
                         &refer_time_, &other_time_, &response_time_}) {
    *variable = nullptr;
  }
  ns3::Application::DoDispose();
}

sip::ProcessingConfig SipElementApplication::ProcessingConfigFromAttributes() const {
  sip::ProcessingConfig config;
  config.capacity = queue_capacity_;
  config.action = overload_action_;
  config.retry_after_seconds = retry_after_;
  return config;
}

void SipElementApplication::StartApplication() {
  if (host_) return;
  RegisterHostName();
  queue_.set_config(ProcessingConfigFromAttributes());
  host_ = std::make_unique<Ns3SipHost>(GetNode(), port_);
  host_->set_received_observer([this](const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer) {
    rx_trace_(message, size, peer);
  });
  host_->set_sent_observer([this](const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer) {
    tx_trace_(message, size, peer);
  });
  host_->Start([this](const wire::SipMessage& message, const sip::Endpoint& source) { OnReceived(message, source); });

  sip::ElementConfig config;
  config.host = GetHostName();
  config.local = host_->local();
  config.timers.t1 = ToDuration(t1_);
  config.timers.t2 = ToDuration(t2_);
  config.timers.t4 = ToDuration(t4_);
  element_ = CreateElement(*host_, resolver_->resolver(), std::move(config));
  NS_LOG_INFO(GetHostName() << " started on " << host_->local().ToString());
  OnElementStarted();
}

void SipElementApplication::StopApplication() {
  if (!host_) return;
  OnElementStopping();
  // The element cancels its timers on the host in its destructor, so it goes first.
  element_.reset();
  host_->Stop();
  host_.reset();
  // Messages still queued die with the element; the counters keep what was served.
  pending_.clear();
}

ns3::Ptr<ns3::RandomVariableStream> SipElementApplication::ServiceTimeOf(const wire::SipMessage& message) const {
  if (message.IsResponse()) return response_time_;
  switch (message.method()) {
    case wire::Method::kRegister: return register_time_;
    case wire::Method::kInvite: return invite_time_;
    case wire::Method::kMessage: return message_time_;
    case wire::Method::kSubscribe: return subscribe_time_;
    case wire::Method::kNotify: return notify_time_;
    case wire::Method::kRefer: return refer_time_;
    default: return other_time_;
  }
}

void SipElementApplication::InjectMessage(const wire::SipMessage& message, const sip::Endpoint& source) {
  if (!host_) return;
  OnReceived(message, source);
}

void SipElementApplication::OnReceived(const wire::SipMessage& message, const sip::Endpoint& source) {
  const ns3::Ptr<ns3::RandomVariableStream> variable = ServiceTimeOf(message);
  const ns3::Time service = variable ? ns3::Seconds(variable->GetValue()) : ns3::Time(0);
  const wire::Method kind = message.IsRequest() ? message.method() : message.cseq_method();
  const sip::TimePoint now = host_->Now();
  const auto completes = queue_.Admit(kind, message.IsResponse(), now, ToDuration(service));
  if (!completes) {
    Refuse(message, source);
    return;
  }
  pending_.push_back(Pending{message, source, ns3::Simulator::Now()});
  queue_length_ = static_cast<std::uint32_t>(queue_.length());
  const sip::Duration delay = *completes - now;
  if (delay == sip::Duration::zero() && pending_.size() == 1) {
    CompleteHead();  // no CPU cost and nothing ahead: straight to the element
    return;
  }
  host_->StartTimer(delay, [this] { CompleteHead(); });
}

void SipElementApplication::CompleteHead() {
  if (pending_.empty()) return;
  Pending head = std::move(pending_.front());
  pending_.pop_front();
  queue_.Completed(host_ ? host_->Now() : sip::TimePoint(ns3::Simulator::Now().GetNanoSeconds()));
  queue_length_ = static_cast<std::uint32_t>(queue_.length());
  processed_trace_(head.message, ns3::Simulator::Now() - head.admitted);
  if (element_) element_->Receive(head.message, head.source);
}

void SipElementApplication::Refuse(const wire::SipMessage& message, const sip::Endpoint& source) {
  const std::string kind = KindName(message);
  // An ACK has no response (RFC 3261 17.1.1.3): it can only be dropped; so can an injected
  // request without the Call-ID a response has to copy.
  const bool answerable =
      message.IsRequest() && message.method() != wire::Method::kAck && message.Has(wire::HeaderId::kCallId);
  if (answerable && queue_.RefusalFor(false) == sip::Refusal::kAnswer503 && element_ && host_) {
    // RFC 3261 21.5.4: 503 with Retry-After, sent without a transaction: the overloaded element
    // keeps no state for what it refuses.
    wire::SipMessage response = element_->MakeResponse(message, 503);
    response.Add(wire::HeaderId::kRetryAfter, std::to_string(retry_after_));
    host_->Send(source, response);
    NS_LOG_INFO(GetHostName() << " overloaded: 503 to " << kind << " from " << source.ToString());
    refused_trace_(kind, 503);
    return;
  }
  NS_LOG_INFO(GetHostName() << " overloaded: dropped " << kind << " from " << source.ToString());
  refused_trace_(kind, 0);
}

int64_t SipElementApplication::AssignStreams(int64_t stream) {
  int64_t used = 0;
  for (const auto& variable : {register_time_, invite_time_, message_time_, subscribe_time_, notify_time_,
                               refer_time_, other_time_, response_time_}) {
    if (variable) variable->SetStream(stream + used);
    ++used;
  }
  return used;
}

}  // namespace pushsim
