// The Push Sender Agent (SIP Push TS 6.1) as an application server of the IMS core: it learns
// where users can be reached, chooses a push method, sends the push and maps the result to an
// application-level status (Appendix D).
//
// Reachability (TS 6.1 items 1-3; the 000 change request, appendix X1.2):
//   - third-party REGISTERs from the S-CSCF (TS 24.229 5.4.1.7) are answered 200 and learnt from:
//     the user is the To URI; the message/sip body (or the message/sip parts of a
//     multipart/mixed body) holds the UE's REGISTER and/or the S-CSCF's 200. The 200 lists every
//     current binding, so when present it replaces the user's terminals; a REGISTER alone adds or
//     updates its contacts and removes those with expires 0. A terminal is keyed by +sip.instance
//     (RFC 5626), else by its contact URI; its GRUUs come from pub-gruu / temp-gruu of the 200's
//     Contact (RFC 5627 5.1), its application ids from +g.oma.pusheventapp (TS 8.2.1), found in
//     either message. Expires: 0 on the third-party REGISTER removes the user.
//   - with `subscribe_reg_event`, a SUBSCRIBE to the user's reg event (RFC 3680, via the S-CSCF
//     route) on the first third-party REGISTER of a user or on Watch(aor); full reginfo replaces
//     the user's terminals, partial reginfo updates the contacts it names (RFC 3680 4.7.2),
//     with unknown-param elements for +sip.instance and feature tags and the GRUU elements of
//     RFC 5628. Each NOTIFY is answered 200; the subscription is refreshed at half its lifetime.
//
// Push methods (TS 9):
//   - kAuto: SIP MESSAGE when the whole request as sent, Via included, is within
//     `message_size_limit` (1300 bytes, TS 9.1.2 step 8 and RFC 3428 section 4); otherwise content
//     indirection (RFC 4483) or INVITE + MSRP, per `large_content`.
//   - kIndirection: content indirection whatever the size (a MESSAGE whose message/external-body
//     names the content's URL, RFC 4483), e.g. to compare it with MESSAGE on small content.
//   - MESSAGE (TS 9.1.2): Request-URI the public user identity or the GRUU (step 7),
//     Accept-Contact: *;+g.oma.pusheventapp="<app id>";require;explicit (step 6, TS 8.1.1 format;
//     require and explicit so that the core only delivers to a terminal that registered the
//     application, RFC 3841 section 9), P-Asserted-Identity with our URI (step 9, trusted AS),
//     the content in the body (step 10), Route to the S-CSCF (step 12: an AS originates
//     towards the S-CSCF, TS 24.229 5.7.3).
//   - INVITE + MSRP (TS 9.3.2): the same addressing headers and an SDP offer with one m-line per
//     file (step 5c), each a=sendonly (5a), accept-types the file's type, a=path with our MSRP
//     URI and a per-file session id, and a=file-selector (5b, RFC 5547). On the 200: ACK, one
//     MSRP connection per answered path authority, every file's chunks pipelined with
//     Success-Report: yes when a delivery report is wanted (C.3 step 5), a refused m-line (port 0,
//     RFC 3264 6) reported as a refused file; BYE after the last transfer (9.3.2.3). Abandon()
//     before the final response sends CANCEL (9.3.2.2), after the first provisional response
//     (RFC 3261 9.1).
//   - kNotify (004 section 7): content in a NOTIFY of an active ua-profile subscription of the
//     terminal (or of every terminal of the user) for that application; the 200 is the delivery
//     report.
//   - REFER (003 6.2.3.3): ReferSubscribe() sends a REFER whose Refer-To is our URI with
//     method=SUBSCRIBE and the Event and Accept-Contact headers of the conventions; the refer
//     NOTIFYs are answered 200 and the final sipfrag status gives the outcome. As the ua-profile
//     notifier (RFC 6665, RFC 6080) the agent accepts SUBSCRIBE with 200 and an Expires bounded
//     by `ua_profile_max_expires`, sends the first NOTIFY at once, handles refreshes and
//     unsubscription (Expires: 0) and ends subscriptions at expiry (reason=timeout).
//
// Multi-terminal (TS 6.1 item 8, 9.1.2 step 11): kUser sends one request to the public
// identity (the S-CSCF forks by caller preferences); kTerminal one request to the given GRUU;
// kAllTerminals one request per terminal that registered the application and has a GRUU
// (pub-gruu preferred, else temp-gruu). Each request gives its own PushOutcome.
//
// Outcomes (TS 6.1 item 7, Appendix D) through on_outcome, once per request target, after the
// retries the status allows (outcome.h), each waiting for Retry-After when the response had one.
//
// Limits: at most `max_users` users and `max_terminals_per_user` terminals are kept (further
// ones are ignored); message/sip bodies are parsed with the SipLimits defaults and reginfo with
// RegInfoLimits; at most `max_pending_pushes` requests are in progress (further Push() calls
// report kRejectedMayRetry at once, code 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ims/reg_event.h"
#include "push/msrp_sender.h"
#include "push/outcome.h"
#include "sip/element.h"
#include "sip/stream.h"

namespace pushsim::push {

enum class LargeContentPolicy : std::uint8_t { kIndirection, kInviteMsrp };

struct PushSenderConfig {
  sip::ElementConfig element;
  // Our identity, asserted in P-Asserted-Identity (the AS is trusted by the core, RFC 3325).
  std::string identity = "sip:push@home1.net";
  // The Route for requests we originate (an AS sends them to the S-CSCF).
  std::string scscf_route = "<sip:scscf.home1.net;lr>";
  LargeContentPolicy large_content = LargeContentPolicy::kIndirection;
  std::size_t message_size_limit = 1300;  // TS 9.1.2 step 8, RFC 3428 section 4
  // Base of content indirection URLs: <base>/content/<id>?size=<n>&type=<type>.
  std::string content_base_url = "http://content.home1.net";
  std::uint16_t msrp_port = 2855;
  std::size_t msrp_chunk_size = 2048;
  RetryPolicy retry;
  bool subscribe_reg_event = false;
  std::uint32_t reg_event_expires = 3761;  // RFC 3680 5.1 suggests 3761 s
  std::uint32_t ua_profile_default_expires = 3600;
  std::uint32_t ua_profile_max_expires = 86400;
  std::size_t max_users = 100000;
  std::size_t max_terminals_per_user = 32;
  std::size_t max_pending_pushes = 100000;
};

struct Terminal {
  std::string key;       // +sip.instance ("<urn:uuid:...>"), else the contact URI
  std::string contact;   // contact URI
  std::string instance;  // empty when the terminal gave none
  std::string pub_gruu;
  std::string temp_gruu;
  std::vector<std::string> app_ids;
  sip::TimePoint expires_at{};

  bool Supports(std::string_view app_id) const;
  // The GRUU to address this terminal with: the public one, else the temporary one, else "".
  const std::string& Gruu() const { return pub_gruu.empty() ? temp_gruu : pub_gruu; }
};

struct UserReachability {
  std::string aor;
  std::vector<Terminal> terminals;
  // Terminals whose registration has not expired at `now`.
  std::vector<const Terminal*> Active(sip::TimePoint now) const;
  const Terminal* FindByGruu(std::string_view gruu) const;
};

struct PushFile {
  std::string name;
  std::string content_type = "application/octet-stream";
  std::size_t size = 0;
  std::string content;  // synthetic bytes of `size` when empty
};

using PushId = std::uint64_t;

struct PushRequest {
  enum Target : std::uint8_t { kUser, kTerminal /* one GRUU */, kAllTerminals };
  enum Method : std::uint8_t { kAuto, kMessage, kIndirection, kInviteMsrp, kNotify };
  Target target = kUser;
  std::string uri;  // the public user identity, or the GRUU for kTerminal
  std::string app_id;
  std::string content_type = "text/plain";
  std::size_t size = 0;
  std::string content;  // optional; synthetic bytes of `size` otherwise
  Method method = kAuto;
  bool delivery_report = true;
  // INVITE + MSRP with several files, one m-line each (TS 9.3.2.1 step 5c); when empty, the
  // content above is the one file.
  std::vector<PushFile> files;
};

struct FileOutcome {
  std::string name;
  bool accepted = false;   // the answer kept the m-line (port not 0)
  bool delivered = false;  // 200s and, when asked for, the REPORT
  int msrp_failure = 0;
};

struct PushOutcome {
  PushId id = 0;
  std::string terminal;  // the Request-URI the push went to
  PushMethod method = PushMethod::kMessage;
  int code = 0;          // final SIP response code; 408 for no response; 0 when nothing was sent
  AppStatus status = AppStatus::kPending;
  sip::TimePoint created{};
  sip::TimePoint final_response{};
  std::optional<sip::TimePoint> delivered;  // MESSAGE 200, NOTIFY 200, MSRP REPORT / last 200
  int retries = 0;
  std::vector<FileOutcome> files;  // INVITE + MSRP only
};

// The 64 characters every synthetic content repeats (the content server serves the same).
std::string SyntheticContent(std::size_t size);

class PushSenderAgent : public sip::Element {
 public:
  PushSenderAgent(sip::Host& host, const sip::Resolver& resolver, sip::StreamHost& streams, PushSenderConfig config);
  ~PushSenderAgent() override;

  // --- Reachability ---
  const UserReachability* Find(std::string_view aor) const;
  std::size_t user_count() const { return users_.size(); }
  // Subscribes to the reg event of `aor` unless a subscription exists.
  void Watch(const std::string& aor);
  bool watching(std::string_view aor) const;

  // --- Push ---
  PushId Push(PushRequest request);
  // Gives up on a push: CANCEL for an INVITE without final response, BYE for an established
  // session, no more retries. Its outcomes report kCancelled.
  void Abandon(PushId id);
  // REFER-triggered subscription (003 6.2.3.3) of `target` to our ua-profile event for `app_id`.
  PushId ReferSubscribe(const std::string& target, const std::string& app_id);

  // --- ua-profile notifier ---
  struct ProfileSubscription {
    std::string call_id;
    std::string subscriber;      // AOR of the From URI
    std::string remote_target;   // Contact of the SUBSCRIBE
    std::string app_id;          // from the appids Event parameter, else Accept-Contact
    sip::TimePoint expires_at{};
  };
  std::vector<ProfileSubscription> profile_subscriptions() const;

  // The Refer-To value that makes the receiver SUBSCRIBE to our ua-profile event (conventions).
  std::string ReferToValue(const std::string& app_id) const;

  std::function<void(const PushOutcome&)> on_outcome;
  // Every change of a user's reachability (after it is applied).
  std::function<void(const std::string& aor)> on_reachability;

  const PushSenderConfig& sender_config() const { return config_; }

 protected:
  void HandleRequest(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source) override;
  void HandleAck(const wire::SipMessage& ack, const sip::Endpoint& source) override;

 private:
  struct Delivery;
  struct RegSubscription;
  struct ProfileDialog;

  // Reachability
  void HandleThirdPartyRegister(sip::TransactionId server, const wire::SipMessage& request);
  void LearnFromRegister(const std::string& aor, const wire::SipMessage& embedded, std::uint32_t default_expires,
                         std::vector<Terminal>& terminals, bool& replaced);
  void HandleRegNotify(sip::TransactionId server, const wire::SipMessage& request, RegSubscription& subscription);
  void SendRegSubscribe(RegSubscription& subscription, std::uint32_t expires);
  void RemoveUser(const std::string& aor);
  UserReachability* MutableUser(const std::string& aor, bool create);

  // Push
  void StartDelivery(PushId id, const std::shared_ptr<const PushRequest>& request, const std::string& target);
  void Attempt(std::uint64_t key);
  wire::SipMessage NewOutOfDialog(wire::Method method, const std::string& target, Delivery& delivery);
  void SendMessageRequest(std::uint64_t key, bool indirect);
  void SendInvite(std::uint64_t key);
  void SendNotifyPush(std::uint64_t key);
  void SendRefer(std::uint64_t key);
  void OnFinalResponse(std::uint64_t key, const wire::SipMessage* response);
  void OnInvite2xx(std::uint64_t key, const wire::SipMessage& response);
  void SendInDialog(Delivery& delivery, wire::Method method, std::string body = {}, std::string content_type = {});
  void SendCancel(Delivery& delivery);
  void StartMsrp(std::uint64_t key, const wire::SipMessage& response);
  void OnTransferDone(std::uint64_t key);
  void Complete(std::uint64_t key, AppStatus status);
  void HandleReferNotify(sip::TransactionId server, const wire::SipMessage& request, std::uint64_t key);

  // Notifier
  void HandleProfileSubscribe(sip::TransactionId server, const wire::SipMessage& request);
  void SendProfileNotify(ProfileDialog& dialog, std::string_view state, std::string body, std::string content_type,
                         std::function<void(int code)> done);
  void EndProfile(const std::string& call_id, std::string_view reason);
  std::vector<ProfileDialog*> ProfileTargets(const PushRequest& request);

  std::optional<sip::Endpoint> NextHop(const std::vector<std::string>& route_set, const std::string& target) const;
  std::string OwnContact() const;

  sip::StreamHost& streams_;
  PushSenderConfig config_;
  std::map<std::string, UserReachability, std::less<>> users_;
  std::map<std::string, std::unique_ptr<RegSubscription>, std::less<>> reg_subscriptions_;  // by AOR
  std::map<std::string, std::unique_ptr<ProfileDialog>> profiles_;                           // by Call-ID
  std::map<std::uint64_t, std::unique_ptr<Delivery>> deliveries_;
  std::map<std::string, std::uint64_t> delivery_by_call_id_;
  PushId next_push_id_ = 0;
  std::uint64_t next_delivery_ = 0;
  std::uint64_t content_counter_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace pushsim::push
