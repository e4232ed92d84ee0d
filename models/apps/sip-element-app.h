// The base of every SIP element application (UE, P-CSCF, I-CSCF, S-CSCF, application servers):
// an ns-3 Application that owns the node's SIP transport (Ns3SipHost), puts the element's CPU in
// front of it (sip::ProcessingQueue: a finite FIFO with per-method service times), and hands each
// message, once served, to the protocol logic, a sip::Element the subclass creates.
//
//   network -> Ns3SipHost -> Rx trace -> ProcessingQueue -(service time)-> Element::Receive
//                                          | full: 503 with Retry-After, or drop
//   Element -> Ns3SipHost::Send -> Tx trace -> network
//
// Attributes: "Port", "Host", "Resolver", "T1", "T2", "T4", "QueueCapacity", "OverloadAction",
// "RetryAfter" and one service-time random variable per kind ("RegisterServiceTime" ...
// "ResponseServiceTime"). Trace sources: "Rx", "Tx", "QueueLength", "Refused", "Processed".
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "apps/sip-host.h"
#include "apps/sip-resolver.h"
#include "ns3/application.h"
#include "ns3/nstime.h"
#include "ns3/ptr.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"
#include "ns3/traced-value.h"
#include "sip/element.h"
#include "sip/processing.h"

namespace pushsim {

class SipElementApplication : public ns3::Application {
 public:
  static ns3::TypeId GetTypeId();

  // Rx / Tx: the message, its size on the wire in bytes, the peer's transport address.
  typedef void (*WireTracedCallback)(const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer);
  // Refused: the method (a response's CSeq method), and 503 when answered or 0 when dropped.
  typedef void (*RefusedTracedCallback)(const std::string& method, std::uint16_t code);
  // Processed: the message handed to the element, and the time it spent in the element's queue
  // (waiting plus service).
  typedef void (*ProcessedTracedCallback)(const wire::SipMessage& message, ns3::Time sojourn);

  SipElementApplication();
  ~SipElementApplication() override;

  // The protocol logic; nullptr before StartApplication and after StopApplication.
  sip::Element* GetElement() { return element_.get(); }
  // The CPU model: counters per method and utilization.
  const sip::ProcessingQueue& GetQueue() const { return queue_; }
  // The transport; nullptr while not running.
  Ns3SipHost* GetSipHost() { return host_.get(); }
  // This element's transport address (the node's first IPv4 address and "Port").
  sip::Endpoint GetLocalEndpoint() const;
  // The host name ("Host"), or the node's address when "Host" is empty.
  std::string GetHostName() const;
  ns3::Ptr<SipResolver> GetResolver() const { return resolver_; }

  // Feeds a message as if it had arrived from `source` (through the processing queue).
  void InjectMessage(const wire::SipMessage& message, const sip::Endpoint& source);

  // Fixes the random streams of the service-time variables; returns how many were used.
  int64_t AssignStreams(int64_t stream);

 protected:
  void DoInitialize() override;
  void DoDispose() override;

  // Creates the element. Called by StartApplication with the transport running.
  virtual std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                                      sip::ElementConfig config) = 0;
  // After CreateElement (e.g. to schedule the first registration) and before the element is
  // destroyed at stop.
  virtual void OnElementStarted() {}
  virtual void OnElementStopping() {}

 private:
  struct Pending {
    wire::SipMessage message;
    sip::Endpoint source;
    ns3::Time admitted;
  };

  void StartApplication() override;
  void StopApplication() override;
  void RegisterHostName();
  void OnReceived(const wire::SipMessage& message, const sip::Endpoint& source);
  void Refuse(const wire::SipMessage& message, const sip::Endpoint& source);
  void CompleteHead();
  ns3::Ptr<ns3::RandomVariableStream> ServiceTimeOf(const wire::SipMessage& message) const;
  sip::ProcessingConfig ProcessingConfigFromAttributes() const;

  // Attributes.
  std::uint16_t port_ = 5060;
  std::string host_name_;
  ns3::Ptr<SipResolver> resolver_;
  ns3::Time t1_;
  ns3::Time t2_;
  ns3::Time t4_;
  std::uint32_t queue_capacity_ = 0;
  sip::ProcessingConfig::OverloadAction overload_action_ = sip::ProcessingConfig::kReject503;
  std::uint32_t retry_after_ = 5;
  ns3::Ptr<ns3::RandomVariableStream> register_time_;
  ns3::Ptr<ns3::RandomVariableStream> invite_time_;
  ns3::Ptr<ns3::RandomVariableStream> message_time_;
  ns3::Ptr<ns3::RandomVariableStream> subscribe_time_;
  ns3::Ptr<ns3::RandomVariableStream> notify_time_;
  ns3::Ptr<ns3::RandomVariableStream> refer_time_;
  ns3::Ptr<ns3::RandomVariableStream> other_time_;
  ns3::Ptr<ns3::RandomVariableStream> response_time_;

  // Traces.
  ns3::TracedCallback<const wire::SipMessage&, std::size_t, const sip::Endpoint&> rx_trace_;
  ns3::TracedCallback<const wire::SipMessage&, std::size_t, const sip::Endpoint&> tx_trace_;
  ns3::TracedValue<std::uint32_t> queue_length_;
  ns3::TracedCallback<const std::string&, std::uint16_t> refused_trace_;
  ns3::TracedCallback<const wire::SipMessage&, ns3::Time> processed_trace_;

  std::unique_ptr<Ns3SipHost> host_;
  std::unique_ptr<sip::Element> element_;
  sip::ProcessingQueue queue_;
  std::deque<Pending> pending_;
};

}  // namespace pushsim
