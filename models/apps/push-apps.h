// The push agents of OMA SIP Push as ns-3 applications, and a REFER-flood attacker.
//
// PushReceiverApplication: a UE running the Push Receiver Agent (push::PushReceiverAgent,
// TS 6.2). It registers through the P-CSCF at "RegisterAt" with the application ids in
// +g.oma.pusheventapp (TS 7.2), receives MESSAGE pushes (TS 9.1.1) and fetches indirect content
// over HTTP (RFC 4483) with push::HttpFetcher, accepts INVITE + MSRP pushes (TS 9.3.1) on its MSRP
// port, and processes REFER-triggered subscriptions under the REFER lockout timer (003). MSRP and
// HTTP run over the node's TCP (Ns3StreamHost).
//   Attributes: the UE part as SipUeApplication ("Aor", "OutboundProxy", "Instance", "Gruu",
//   "Expires", "RegisterAt", "DeregisterAt") and the push part: "AppIds" and "TrustedSenders"
//   (comma-separated), "AcceptedTypes" ("app=type,type;app2=type"), "RequirePref", "MsrpPort",
//   "MsrpMaxSize", "ReferLockout" (None, Defer, Discard), "LockoutDuration", "ReferRetryAfter"
//   (the base's "RetryAfter" is for its own 503s), "MaxDeferredRefers".
//   Trace sources: "Push" (app id; via "message", "indirection", "msrp" or "notify"; size;
//   latency), "Delivery" (the whole push::PushDelivery, body included), "RegistrationState",
//   "LockoutEngaged", "ReferDeferred", "ReferDiscarded", "ReferProcessed" (with the times its
//   processing started and ended).
//
// PushSenderApplication: the Push Sender Agent (push::PushSenderAgent, TS 6.1) as an application
// server behind the S-CSCF. It learns terminals from third-party REGISTERs (and, with
// "SubscribeRegEvent", the reg event) and sends pushes given to Push().
//   Attributes: "Identity" (empty: sip:<Host>), "ScscfRoute", "LargeContent" (Indirection,
//   InviteMsrp), "MessageSizeLimit", "ContentBaseUrl", "MsrpPort", "MsrpChunkSize",
//   "MaxRetries", "BaseBackoff", "SubscribeRegEvent", "RegEventExpires".
//   Trace sources: "Outcome" (push::PushOutcome), "Reachability" (the AOR whose terminals changed).
//
// ReferFloodApplication: sends "Rate" REFERs per second from "Start" for "Duration" to "Target",
// each built as the Push Sender Agent builds a REFER-triggered subscription (003 6.2.3.3) but
// with its own "Identity". It runs a push::PushSenderAgent, so it also answers the refer NOTIFYs
// and acts as the ua-profile notifier for the SUBSCRIBEs the UE sends back: each REFER the UE
// processes costs it a full SUBSCRIBE/NOTIFY exchange, which is what the lockout timer protects.
//   The REFERs go through the core: "Route" is the S-CSCF, as for an application server. In IMS
//   the UE's only SIP peer is its P-CSCF (TS 24.229 5.1.1.1, TS 33.203 security associations),
//   and the UE trusts a P-Asserted-Identity only from the core (RFC 3325 4), so a REFER sent
//   straight at the UE's contact would neither reach it in a real network nor pass the TS 12.3.2
//   check. The flood therefore models a trusted but misbehaving (or compromised) sender whose
//   requests the core delivers; "Target" may be the AOR, a GRUU or the contact URI (the S-CSCF
//   forwards a contact URI outside its home domains as it is).
//   Trace sources: "ReferSent" (the REFER as first sent), "ReferAnswered" (the final response
//   code of each REFER as it reaches the flood, one per REFER: 202, or 500 for the UE's 503 since
//   the core's proxies do not forward a 503, RFC 3261 16.7 step 6). A REFER without any answer
//   is not reported there (its outcome, 408, is the agent's).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "apps/sip-element-app.h"
#include "apps/stream-host.h"
#include "ns3/event-id.h"
#include "push/content.h"
#include "push/receiver.h"
#include "push/sender.h"

namespace pushsim {

// Splits "a, b,c" at commas (quotes are not special); empty items are dropped.
std::vector<std::string> SplitCommaSeparated(const std::string& text);

class PushReceiverApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();

  // Push: the application id, how the content came (message, indirection, msrp, notify), its
  // size in octets, and the time from the push request's arrival to the complete content.
  typedef void (*PushTracedCallback)(const std::string& app_id, const std::string& via, std::uint64_t size,
                                     ns3::Time latency);
  typedef void (*DeliveryTracedCallback)(const push::PushDelivery& delivery);
  // As SipUeApplication's RegistrationState.
  typedef void (*RegistrationTracedCallback)(const std::string& state, std::uint16_t code, ns3::Time delay,
                                             std::uint32_t retransmissions);
  typedef void (*ReferTracedCallback)(const push::ReferEvent& event);
  // ReferProcessed: the REFER, when its processing started (its arrival, or the moment it took
  // the lockout when it was deferred) and when its final NOTIFY was sent.
  typedef void (*ReferProcessedTracedCallback)(const push::ReferEvent& event, ns3::Time started, ns3::Time finished);

  PushReceiverApplication();
  ~PushReceiverApplication() override;

  // The agent; nullptr while the application is not running.
  push::PushReceiverAgent* GetAgent();
  std::string GetAor() const { return aor_; }

  // TS 9.1.1 step 9: the callback of one application id. Kept across restarts of the application.
  void RegisterApplication(const std::string& app_id, push::PushCallback callback);
  void UnregisterApplication(const std::string& app_id);

  // Parses "AcceptedTypes": "app=type,type;app2=type". Items without '=' are ignored.
  static std::map<std::string, std::vector<std::string>> ParseAcceptedTypes(const std::string& text);

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void OnElementStarted() override;
  void OnElementStopping() override;
  void DoDispose() override;

 private:
  void OnDelivery(const push::PushDelivery& delivery);

  // UE attributes.
  std::string aor_;
  std::string outbound_proxy_;
  std::string instance_;
  bool gruu_ = false;
  std::uint32_t expires_ = 600000;
  ns3::Time register_at_;
  ns3::Time deregister_at_;
  // Push attributes.
  std::string app_ids_;
  std::string trusted_senders_;
  std::string accepted_types_;
  bool require_pref_ = true;
  std::uint16_t msrp_port_ = 2855;
  std::uint64_t msrp_max_size_ = 16ull << 20;
  // push::ReferLockoutMode as int: ns-3's EnumValue holds an int.
  int lockout_mode_ = static_cast<int>(push::ReferLockoutMode::kDefer);
  ns3::Time lockout_duration_;
  std::uint32_t retry_after_ = 0;
  std::uint32_t max_deferred_refers_ = 64;

  std::map<std::string, push::PushCallback> applications_;
  // When each REFER under way started its processing.
  std::map<std::uint64_t, ns3::Time> refer_started_;

  ns3::TracedCallback<const std::string&, const std::string&, std::uint64_t, ns3::Time> push_trace_;
  ns3::TracedCallback<const push::PushDelivery&> delivery_trace_;
  ns3::TracedCallback<const std::string&, std::uint16_t, ns3::Time, std::uint32_t> registration_trace_;
  ns3::TracedCallback<const push::ReferEvent&> lockout_trace_;
  ns3::TracedCallback<const push::ReferEvent&> deferred_trace_;
  ns3::TracedCallback<const push::ReferEvent&> discarded_trace_;
  ns3::TracedCallback<const push::ReferEvent&, ns3::Time, ns3::Time> processed_trace_;

  // The streams outlive the agent (its destructor may close connections); they are stopped when
  // the application stops and replaced at the next start.
  std::unique_ptr<Ns3StreamHost> streams_;
  std::unique_ptr<push::HttpFetcher> fetcher_;
  ns3::EventId register_event_;
  ns3::EventId deregister_event_;
};

class PushSenderApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();

  typedef void (*OutcomeTracedCallback)(const push::PushOutcome& outcome);
  typedef void (*ReachabilityTracedCallback)(const std::string& aor);

  PushSenderApplication();
  ~PushSenderApplication() override;

  // The agent; nullptr while the application is not running.
  push::PushSenderAgent* GetAgent();
  // Sends a push (see push::PushSenderAgent::Push); 0 when the application is not running.
  push::PushId Push(const push::PushRequest& request);
  // The asserted identity: "Identity", or sip:<host name> when it is empty.
  std::string GetIdentity() const;

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void OnElementStopping() override;
  void DoDispose() override;

 private:
  std::string identity_;
  std::string scscf_route_;
  // push::LargeContentPolicy as int: ns-3's EnumValue holds an int.
  int large_content_ = static_cast<int>(push::LargeContentPolicy::kIndirection);
  std::uint32_t message_size_limit_ = 1300;
  std::string content_base_url_;
  std::uint16_t msrp_port_ = 2855;
  std::uint32_t msrp_chunk_size_ = 2048;
  std::uint32_t max_retries_ = 3;
  ns3::Time base_backoff_;
  bool subscribe_reg_event_ = false;
  std::uint32_t reg_event_expires_ = 3761;

  ns3::TracedCallback<const push::PushOutcome&> outcome_trace_;
  ns3::TracedCallback<const std::string&> reachability_trace_;

  std::unique_ptr<Ns3StreamHost> streams_;
};

class ReferFloodApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();

  typedef void (*ReferSentTracedCallback)(const wire::SipMessage& refer);
  typedef void (*ReferAnsweredTracedCallback)(std::uint16_t code);

  ReferFloodApplication();
  ~ReferFloodApplication() override;

  push::PushSenderAgent* GetAgent();
  std::string GetIdentity() const;
  std::uint64_t refers_sent() const { return sent_; }
  std::uint64_t refers_answered() const { return answered_; }

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void OnElementStarted() override;
  void OnElementStopping() override;
  void DoInitialize() override;
  void DoDispose() override;

 private:
  void SendNext();
  void OnTx(const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer);
  void OnRx(const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer);

  std::string target_;
  std::string route_;
  double rate_ = 50;
  ns3::Time start_;
  ns3::Time duration_;
  std::string identity_;
  std::string app_id_;

  std::uint64_t sent_ = 0;
  std::uint64_t answered_ = 0;
  std::set<std::string> sent_call_ids_;
  std::set<std::string> answered_call_ids_;
  ns3::EventId next_event_;
  ns3::Time stop_at_;

  ns3::TracedCallback<const wire::SipMessage&> sent_trace_;
  ns3::TracedCallback<std::uint16_t> answered_trace_;

  std::unique_ptr<Ns3StreamHost> streams_;
};

}  // namespace pushsim
