// The Push Receiver Agent (OMA SIP Push TS 6.2): the UE side of SIP push.
//
//  - Registration (TS 7.2, 8.2.1): REGISTER with the Application Resource Identifier feature tag
//    +g.oma.pusheventapp="id1,id2" in Contact, "Require: pref" (TS 7.2 step 3, the option tag of
//    RFC 3840 section 12; RFC 3840 section 6.1 makes it a MAY for any UA, the TS makes it a SHALL),
//    +sip.instance and "Supported: gruu" for GRUUs (TS 7.2 step 4, RFC 5627 4.1); WithdrawPush()
//    re-registers without the tag (step 5b), Deregister() sends Expires: 0 (step 5c).
//  - Pager-mode push (TS 9.1.1): a MESSAGE is checked for our application id in Accept-Contact
//    (403), for a trusted P-Asserted-Identity (403), for a content type the target application
//    accepts (415 with Accept, RFC 3428 and RFC 3261 21.4.13), then answered 200; content by
//    indirection (RFC 4483, message/external-body) is fetched after the 200 and delivered then.
//  - Session-mode push (TS 9.3.1): INVITE with MSRP media; the same 403 checks, 488 when no
//    offered accept-type is supported, files chosen by `accept_file` (RFC 5547; the others refused
//    with port 0, RFC 3264 6), 200 with a recvonly SDP answer carrying a=path and a=max-size
//    (RFC 4975 8), MSRP received on the listening port, BYE releases the session (9.3.1.2).
//  - Subscription model (004): SUBSCRIBE to the sender's ua-profile event package (RFC 6080) for
//    one application, refreshed before expiry, NOTIFY bodies delivered as pushes (the 200 to the
//    NOTIFY is the delivery report).
//  - REFER-triggered subscription (003 6.2.3.5, RFC 3515): a trusted REFER is accepted with 202,
//    the refer NOTIFYs report the SUBSCRIBE the Refer-To asks for, and the REFER lockout timer
//    (003 "Processing REFER requests") defers or discards REFERs that arrive while one is being
//    processed.
//
// Ordering choices where the TS is silent or ambiguous are written where they are made.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "push/msrp_receiver.h"
#include "sip/stream.h"
#include "sip/user_agent.h"
#include "wire/body.h"
#include "wire/mime.h"
#include "wire/sdp.h"
#include "wire/sip_headers.h"

namespace pushsim::push {

using sip::Duration;
using sip::TimePoint;

// The indirect-content fetcher (the application wires it to an HTTP client): GET `url`, then
// call `done` with the HTTP status (0 when the connection failed) and the body.
using FetchFunction =
    std::function<void(std::string url, std::function<void(int http_status, std::string body)> done)>;

enum class ReferLockoutMode : std::uint8_t {
  kNone,    // no lockout: every REFER is processed at once, in parallel
  kDefer,   // accept with 202, first NOTIFY "pending", process when the lockout ends (003)
  kDiscard  // 503 with Retry-After (003, RFC 3261 21.5.4)
};

struct PushReceiverConfig {
  sip::UserAgentConfig ua;
  // Application ids registered in +g.oma.pusheventapp (TS 8.1.1 event-app-id syntax).
  std::vector<std::string> app_ids;
  // P-Asserted-Identity URIs accepted as push senders (TS 9.1.1 step 6, 12.3.2), compared as
  // RFC 3261 19.1.4 URIs on the address of record (scheme, user, host).
  std::vector<std::string> trusted_senders;
  // Media types each application accepts ("*", "type/*" allowed). An application without an
  // entry accepts every type.
  std::map<std::string, std::vector<std::string>> accepted_types;
  // TS 7.2 step 3: "Require: pref" in REGISTER.
  bool require_pref = true;
  std::uint16_t msrp_port = 2855;
  // a=max-size of the SDP answer and the largest message reassembled (RFC 4975 8.6).
  std::uint64_t msrp_max_size = 16ull << 20;
  // At most this many simultaneous MSRP messages under reassembly per connection.
  std::size_t msrp_max_open_messages = 16;
  ReferLockoutMode lockout_mode = ReferLockoutMode::kDefer;
  // 003: the lockout lasts until the REFER dialog ends (the timer is reset then) and at most this
  // long: a REFER whose processing outlasts it is abandoned (its final NOTIFY reports 408), so
  // that the lockout is never shorter than the processing of a REFER (003: "MUST be at least the
  // duration of the processing").
  Duration lockout_duration = std::chrono::seconds(32);
  // Retry-After of the 503 for a discarded REFER; 0 means the seconds left of the lockout timer.
  std::uint32_t retry_after_seconds = 0;
  // Deferred REFERs waiting for the lockout; more are discarded with 503.
  std::size_t max_deferred_refers = 64;
  // RFC 6665 / RFC 3515 3.2: the lifetime of the implicit refer subscription when the REFER has
  // no Expires.
  std::uint32_t refer_subscription_expires = 600;
  // Lifetime asked for in a ua-profile SUBSCRIBE whose Refer-To carries no Expires.
  std::uint32_t subscribe_expires = 3600;
  // Which offered files to accept (RFC 5547 file-selector); empty accepts every file.
  std::function<bool(const wire::FileSelector&)> accept_file;
  FetchFunction fetch;
  // Largest indirect content accepted from a fetch; larger bodies are not delivered.
  std::uint64_t max_fetch_size = 16ull << 20;
  // Time between 180 Ringing and the 200 to an INVITE (user alerting); 0 answers at once. A
  // CANCEL within it gets the INVITE a 487 (RFC 3261 9.2).
  Duration invite_answer_delay{};
  // RFC 3261 13.3.1.4: without an ACK within 64*T1 after the 200 the session is released.
  Duration ack_timeout = std::chrono::seconds(32);
};

enum class PushVia : std::uint8_t { kMessage, kIndirection, kMsrp, kNotify };
std::string_view PushViaName(PushVia via);

// One piece of push content handed to an application (TS 9.1.1 step 9).
struct PushDelivery {
  std::string app_id;
  std::string content_type;
  std::uint64_t size = 0;  // octets of `body`
  std::string body;
  PushVia via = PushVia::kMessage;
  std::string sender;      // P-Asserted-Identity (MESSAGE, INVITE) or the notifier URI (NOTIFY)
  std::string message_id;  // MSRP Message-ID, or the SIP Call-ID
  std::optional<wire::FileSelector> file;  // the file-selector the MSRP media was accepted for
  // Latency: when the push request (MESSAGE, INVITE, NOTIFY) arrived, and when the content was
  // complete (after the fetch, or after the last MSRP chunk).
  TimePoint request_received_at{};
  TimePoint delivered_at{};
  Duration latency() const { return delivered_at - request_received_at; }
};

using PushCallback = std::function<void(const PushDelivery&)>;

struct PushReceiverStats {
  // MESSAGE (TS 9.1.1)
  std::uint64_t messages_received = 0;
  std::uint64_t messages_accepted = 0;          // 200
  std::uint64_t messages_forbidden_app = 0;     // 403: no or unknown application id
  std::uint64_t messages_forbidden_sender = 0;  // 403: no or untrusted P-Asserted-Identity
  std::uint64_t messages_unsupported_type = 0;  // 415
  std::uint64_t messages_bad = 0;               // 400: malformed body description
  std::uint64_t fetches_started = 0;
  std::uint64_t fetches_succeeded = 0;
  std::uint64_t fetches_failed = 0;             // HTTP error, no fetcher, or too large
  std::uint64_t fetch_size_mismatches = 0;      // body length differs from the size parameter
  // INVITE (TS 9.3.1)
  std::uint64_t invites_received = 0;
  std::uint64_t invites_accepted = 0;           // 200 with an answer
  std::uint64_t invites_forbidden = 0;          // 403
  std::uint64_t invites_not_acceptable = 0;     // 488
  std::uint64_t invites_bad = 0;                // 400
  std::uint64_t invites_cancelled = 0;          // 487
  std::uint64_t files_accepted = 0;
  std::uint64_t files_refused = 0;
  std::uint64_t sessions_established = 0;       // ACK received
  std::uint64_t sessions_released = 0;          // BYE
  std::uint64_t sessions_without_ack = 0;
  std::uint64_t msrp_messages_delivered = 0;
  std::uint64_t msrp_connections = 0;
  std::uint64_t msrp_connections_broken = 0;
  // Subscriptions (004, RFC 6665)
  std::uint64_t subscribes_sent = 0;            // initial, refresh and removal
  std::uint64_t subscriptions_active = 0;       // 2xx to an initial SUBSCRIBE
  std::uint64_t subscriptions_failed = 0;
  std::uint64_t subscriptions_terminated = 0;
  std::uint64_t notifies_received = 0;
  std::uint64_t notifies_unknown = 0;           // 481
  std::uint64_t notify_pushes = 0;              // NOTIFY bodies delivered
  // REFER (003)
  std::uint64_t refers_received = 0;
  std::uint64_t refers_accepted = 0;            // 202, processed at once
  std::uint64_t refers_deferred = 0;            // 202 with a pending NOTIFY
  std::uint64_t refers_discarded = 0;           // 503
  std::uint64_t refers_forbidden = 0;           // 403
  std::uint64_t refers_bad = 0;                 // 400
  std::uint64_t refers_processed = 0;           // final NOTIFY sent
  std::uint64_t refers_timed_out = 0;           // abandoned at the lockout timer
  std::uint64_t refer_notifies_sent = 0;
  std::uint64_t lockouts_engaged = 0;
  // Other
  std::uint64_t byes_unknown = 0;               // 481
  std::uint64_t deliveries = 0;
  std::uint64_t deliveries_unclaimed = 0;       // no application callback and no on_push
};

// What a REFER observer learns.
struct ReferEvent {
  std::uint64_t refer_id = 0;
  std::string referrer;     // P-Asserted-Identity
  std::string refer_to;     // the Refer-To URI
  TimePoint received_at{};
  int final_code = 0;       // on_refer_processed: the SUBSCRIBE's final status reported
  std::uint32_t retry_after = 0;  // on_refer_discarded
};

enum class PushSubscriptionState : std::uint8_t { kSubscribing, kPending, kActive, kTerminated };

struct PushSubscriptionInfo {
  std::uint64_t id = 0;
  std::string target_uri;
  std::string app_id;
  PushSubscriptionState state = PushSubscriptionState::kSubscribing;
  int final_code = 0;
  std::uint32_t expires = 0;
  std::uint64_t notifies = 0;
  std::uint64_t refer_id = 0;  // non-zero when a REFER triggered it
};

namespace detail {
// TS 7.2 step 3 puts "Require: pref" in REGISTER, which sip::UserAgent builds itself; the agent
// hands the UserAgent this Host, which adds the header to outgoing REGISTERs and forwards
// everything else unchanged. A base class so that it exists before the UserAgent base.
class RegisterRequirePref : public sip::Host {
 public:
  RegisterRequirePref(sip::Host& inner, bool enabled) : inner_(inner), enabled_(enabled) {}
  sip::TimePoint Now() const override { return inner_.Now(); }
  void Send(const sip::Endpoint& destination, const wire::SipMessage& message) override;
  sip::TimerId StartTimer(sip::Duration delay, std::function<void()> callback) override {
    return inner_.StartTimer(delay, std::move(callback));
  }
  void CancelTimer(sip::TimerId id) override { inner_.CancelTimer(id); }
  sip::Host& inner() { return inner_; }

 private:
  sip::Host& inner_;
  bool enabled_;
};
}  // namespace detail

class PushReceiverAgent : private detail::RegisterRequirePref, public sip::UserAgent {
 public:
  PushReceiverAgent(sip::Host& host, const sip::Resolver& resolver, sip::StreamHost& streams,
                    PushReceiverConfig config);
  ~PushReceiverAgent() override;

  // --- Registration (TS 7.2) ---  Register() and Deregister() are the UserAgent's.
  // Step 5b: remain registered without the Application Resource Identifier.
  void WithdrawPush();
  // Registers the feature tag again after WithdrawPush().
  void RestorePush();
  bool push_advertised() const { return push_advertised_; }

  // --- Applications (TS 9.1.1 step 9) ---
  void RegisterApplication(std::string app_id, PushCallback callback);
  void UnregisterApplication(const std::string& app_id);
  // Every delivery, after the application callback.
  PushCallback on_push;

  // --- Subscriptions (004) ---
  // SUBSCRIBE to `target_uri`'s ua-profile package for `app_id`. Returns the subscription id.
  std::uint64_t Subscribe(const std::string& target_uri, const std::string& app_id, std::uint32_t expires);
  // SUBSCRIBE with Expires: 0 in the subscription's dialog (RFC 6665 4.1.2.3).
  void Unsubscribe(std::uint64_t subscription_id);
  std::optional<PushSubscriptionInfo> subscription(std::uint64_t subscription_id) const;
  std::function<void(const PushSubscriptionInfo&)> on_subscription_state;

  // --- REFER (003) ---
  std::function<void(const ReferEvent&)> on_lockout_engaged;
  std::function<void(const ReferEvent&)> on_refer_deferred;
  std::function<void(const ReferEvent&)> on_refer_discarded;
  std::function<void(const ReferEvent&)> on_refer_processed;
  bool lockout_active() const { return lockout_holder_ != 0; }
  std::size_t deferred_refers() const { return deferred_.size(); }

  // --- State ---
  const PushReceiverConfig& push_config() const { return config_; }
  const PushReceiverStats& stats() const { return stats_; }
  std::size_t msrp_sessions() const { return sessions_.size(); }
  std::size_t msrp_connections() const { return connections_.size(); }
  bool msrp_listening() const { return listening_; }
  // The Contact feature parameters registered while push is advertised.
  std::vector<wire::Param> PushContactParams() const;

 protected:
  void HandleRequest(sip::TransactionId server, const wire::SipMessage& request,
                     const sip::Endpoint& source) override;
  void HandleAck(const wire::SipMessage& ack, const sip::Endpoint& source) override;
  void HandleCancelledInvite(sip::TransactionId invite_server) override;

 private:
  // A dialog as RFC 3261 12 keeps it.
  struct Dialog {
    std::string call_id;
    std::string local_tag;
    std::string remote_tag;
    std::string local_uri;
    std::string remote_uri;
    std::string remote_target;
    std::vector<std::string> route_set;
    std::uint32_t local_cseq = 0;
  };
  struct MsrpSession;
  struct Subscription;
  struct Refer;
  struct ConnectionState {
    std::unique_ptr<MsrpReceiverSession> session;
  };

  // Checks shared by MESSAGE and INVITE; 0 when they pass, else the response code.
  int CheckPushRequest(const wire::SipMessage& request, std::string& app_id, std::string& sender) const;
  std::optional<std::string> TrustedSender(const wire::SipMessage& request) const;
  std::optional<std::string> TargetApp(const wire::SipMessage& request) const;
  bool TypeAccepted(const std::string& app_id, const wire::MediaType& type) const;
  std::string AcceptValue(const std::string& app_id) const;

  void HandleMessage(sip::TransactionId server, const wire::SipMessage& request);
  void HandleInvite(sip::TransactionId server, const wire::SipMessage& request);
  void HandleBye(sip::TransactionId server, const wire::SipMessage& request);
  void HandleNotify(sip::TransactionId server, const wire::SipMessage& request);
  void HandleRefer(sip::TransactionId server, const wire::SipMessage& request);
  void HandleInDialogSubscribe(sip::TransactionId server, const wire::SipMessage& request);

  void Fetch(std::string app_id, std::string sender, std::string call_id, wire::ExternalBody external,
             TimePoint received_at);
  void Deliver(PushDelivery delivery);

  // INVITE / MSRP
  void AnswerInvite(std::uint64_t session_id);
  void ReleaseSession(std::uint64_t session_id);
  void OnMsrpMessage(MsrpReceivedMessage message);
  sip::StreamCallbacks AcceptConnection(sip::ConnectionId connection);
  std::string NewMsrpSessionId();

  // Dialog helpers
  wire::SipMessage NewInDialogRequest(Dialog& dialog, wire::Method method);
  std::optional<sip::Endpoint> NextHop(const Dialog& dialog) const;
  std::string DialogContact() const;
  static std::string ResponseToTag(const wire::SipMessage& response);

  // Subscriptions
  std::uint64_t StartSubscription(const std::string& request_uri, const std::string& app_id,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::uint32_t expires, std::uint64_t refer_id);
  void SendSubscribe(std::uint64_t subscription_id, std::uint32_t expires);
  void OnSubscribeResponse(std::uint64_t subscription_id, std::uint32_t expires, const wire::SipMessage* response);
  void ScheduleSubscriptionRefresh(Subscription& subscription, std::uint32_t expires);
  void EndSubscription(Subscription& subscription);
  void ReportSubscription(const Subscription& subscription);
  Subscription* FindSubscription(const wire::SipMessage& notify);

  // REFER
  void StartRefer(std::uint64_t refer_id);
  void SendReferNotify(Refer& refer, const std::string& state, int code, std::string_view reason);
  void FinishRefer(std::uint64_t refer_id, int code, std::string_view reason);
  void EndReferDialog(std::uint64_t refer_id);
  void ReleaseLockout(std::uint64_t refer_id);
  void EngageLockout(Refer& refer);
  ReferEvent EventOf(const Refer& refer) const;
  void MaybeFinishReferFor(Subscription& subscription);

  PushReceiverConfig config_;
  sip::StreamHost& streams_;
  bool push_advertised_ = true;
  bool listening_ = false;
  PushReceiverStats stats_;
  std::map<std::string, PushCallback> applications_;

  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, std::unique_ptr<MsrpSession>> sessions_;
  std::map<sip::ConnectionId, ConnectionState> connections_;
  std::map<std::uint64_t, std::unique_ptr<Subscription>> subscriptions_;
  std::map<std::uint64_t, std::unique_ptr<Refer>> refers_;
  std::map<std::string, std::uint64_t> msrp_paths_;  // local MSRP URI -> session
  std::deque<std::uint64_t> deferred_;
  // Callbacks that may outlive the agent (fetches) hold a weak reference to this.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::uint64_t lockout_holder_ = 0;  // the REFER holding the lockout, 0 when free
  sip::TimerId lockout_timer_ = sip::kNoTimer;
  TimePoint lockout_ends_at_{};
};

}  // namespace pushsim::push
