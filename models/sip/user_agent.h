// A SIP user agent as an IMS UE needs it (3GPP TS 24.229 5.1): registration of one public user
// identity through the P-CSCF with refreshes, de-registration and re-registration with other
// feature tags; GRUUs (RFC 5627) and Service-Route (RFC 3608) learnt from the 200; initial
// requests such as MESSAGE routed over the P-CSCF and the Service-Route; a UAS that answers
// incoming requests. The Push Receiver Agent builds on it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sip/element.h"
#include "wire/text.h"

namespace pushsim::sip {

struct UserAgentConfig {
  ElementConfig element;
  // The public user identity to register, e.g. "sip:alice@home1.net".
  std::string aor;
  // The P-CSCF, e.g. "sip:pcscf.home1.net": REGISTER and initial requests are sent there.
  std::string outbound_proxy;
  // The Request-URI of REGISTER; empty means the home domain of the AOR, "sip:home1.net"
  // (TS 24.229 5.1.1.2.1).
  std::string registrar_uri;
  // The user part of the Contact; empty means the user part of the AOR.
  std::string contact_user;
  // Contact header parameters such as feature tags: +g.oma.pusheventapp="mms.ua" (RFC 3840).
  std::vector<wire::Param> contact_params;
  // The instance ID, "<urn:uuid:...>" (RFC 5626 4.1); empty for none.
  std::string instance;
  // Ask for GRUUs (RFC 5627 4.1: Supported: gruu, needs an instance).
  bool gruu = false;
  // Requested registration lifetime; TS 24.229 5.1.1.2.1 asks for 600000 s.
  std::uint32_t expires = 600000;
  // RFC 5626 4.5 back-off after a failed registration: base-time and max-time.
  Duration retry_base = std::chrono::seconds(30);
  Duration retry_max = std::chrono::seconds(1800);
  // Methods this UA accepts; listed in Allow of a 405 (RFC 3261 21.4.6).
  std::vector<std::string> allow = {"MESSAGE", "NOTIFY", "OPTIONS"};
};

enum class RegistrationState : std::uint8_t {
  kUnregistered,
  kRegistering,    // initial REGISTER in progress
  kRegistered,     // a binding is in place (a refresh may be in progress)
  kDeregistering,  // REGISTER with Expires: 0 in progress
};
std::string_view RegistrationStateName(RegistrationState state);

// Reported on each change of registration state and after each REGISTER attempt.
struct RegistrationEvent {
  RegistrationState state = RegistrationState::kUnregistered;
  // The final response code of the attempt; 408 for a transaction timeout, 0 when the binding
  // expired without a successful refresh.
  int code = 0;
  // RFC 6076 4.1 Registration Request Delay: from the first REGISTER of the attempt (a 423 retry
  // belongs to the same attempt) to its final response.
  Duration delay{};
  // Retransmissions of REGISTER over the attempt (timer E, RFC 3261 17.1.2.2).
  int retransmissions = 0;
  // Granted lifetime in seconds (for a 2xx).
  std::uint32_t expires = 0;
};

class UserAgent : public Element {
 public:
  // Decides the final response code of an incoming request.
  using RequestHandler = std::function<int(const wire::SipMessage& request)>;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  UserAgent(Host& host, const Resolver& resolver, UserAgentConfig config);
  ~UserAgent() override;

  // --- Registration (TS 24.229 5.1.1) ---
  // Sends the initial REGISTER. When a REGISTER is in progress the new one waits for its final
  // response (RFC 3261 10.2).
  void Register();
  // Removes the binding: REGISTER with Expires: 0 (TS 24.229 5.1.1.6); stops refreshes.
  void Deregister();
  // Registers again with other Contact parameters, e.g. to add or withdraw a feature tag.
  void ReRegister(std::vector<wire::Param> contact_params);

  // TS 24.229 5.1.1.4.1: refresh 600 s before expiry when the registration was for more than
  // 1200 s, else when half of it has passed.
  static Duration RefreshDelay(std::uint32_t granted_seconds);
  // RFC 5626 4.5: min(max-time, base-time * 2^failures), scaled into [50 %, 100 %] by a
  // deterministic jitter derived from the AOR and the failure count.
  Duration BackoffDelay(int consecutive_failures) const;

  // --- Requests (TS 24.229 5.1.2A.1) ---
  // An out-of-dialog request from this user: From the AOR with a tag, To the target, a new
  // Call-ID, CSeq 1, Max-Forwards 70, Route: the outbound proxy then the Service-Route.
  wire::SipMessage NewRequest(wire::Method method, std::string_view target_uri);
  // Sends a request built by NewRequest to the outbound proxy. Returns 0 when it cannot be
  // resolved.
  TransactionId SendInitialRequest(wire::SipMessage request, ResponseHandler handler);
  // A MESSAGE (RFC 3428) with the body; `preferred_identity` adds P-Preferred-Identity (RFC 3325).
  TransactionId SendMessage(std::string_view target_uri, std::string_view content_type, std::string_view body,
                            const Headers& extra_headers = {}, ResponseHandler handler = {},
                            std::string_view preferred_identity = {});

  // --- State ---
  RegistrationState registration_state() const { return state_; }
  // When the current binding expires (valid while registered).
  TimePoint expires_at() const { return expires_at_; }
  std::uint32_t granted_expires() const { return granted_; }
  const std::vector<std::string>& service_route() const { return service_route_; }
  const std::vector<std::string>& associated_uris() const { return associated_uris_; }
  const std::optional<std::string>& pub_gruu() const { return pub_gruu_; }
  const std::optional<std::string>& temp_gruu() const { return temp_gruu_; }
  // The Contact URI this UA registers: sip:user@address:port.
  std::string ContactUri() const;
  // The Contact header value: <ContactUri>;+sip.instance=...;feature tags.
  std::string ContactValue() const;
  const UserAgentConfig& ua_config() const { return ua_config_; }
  int consecutive_failures() const { return failures_; }

  // --- Hooks ---
  std::function<void(const RegistrationEvent&)> on_registration_state;
  std::function<void(const wire::SipMessage& request)> on_request;
  // Default: 200 for the methods in `allow`, 405 with Allow for the others.
  RequestHandler request_handler;

 protected:
  void HandleRequest(TransactionId server, const wire::SipMessage& request, const Endpoint& source) override;
  // A UAS consumes the ACK; it is never forwarded.
  void HandleAck(const wire::SipMessage& ack, const Endpoint& source) override;

 private:
  void SendRegister(std::uint32_t expires, bool new_attempt);
  void OnRegisterResponse(std::uint64_t generation, std::uint32_t requested, const wire::SipMessage* response,
                          const ClientOutcome& outcome);
  void OnRegistered(const wire::SipMessage& response, std::uint32_t requested);
  void OnRegisterFailed(int code, std::optional<std::uint32_t> retry_after);
  void Report(int code, std::uint32_t expires = 0);
  void SetState(RegistrationState state) { state_ = state; }
  void CancelTimers();
  void ScheduleRefresh(std::uint32_t granted);
  void StartNext();
  std::string HomeDomainUri() const;

  UserAgentConfig ua_config_;
  RegistrationState state_ = RegistrationState::kUnregistered;
  // The Call-ID and From tag of every REGISTER of this UA (RFC 3261 10.2: same Call-ID, rising
  // CSeq for all registrations to one registrar).
  std::string register_call_id_;
  std::string register_from_tag_;
  std::uint32_t register_cseq_ = 0;
  // A REGISTER is in progress; `queued_` is the lifetime of one waiting behind it.
  bool in_flight_ = false;
  std::optional<std::uint32_t> queued_;
  std::uint64_t generation_ = 0;
  std::uint32_t requested_ = 0;  // lifetime asked for in the current attempt
  TimePoint attempt_started_{};
  int attempt_retransmissions_ = 0;
  int failures_ = 0;
  std::uint32_t granted_ = 0;
  TimePoint expires_at_{};
  TimerId refresh_timer_ = kNoTimer;
  TimerId retry_timer_ = kNoTimer;
  TimerId expiry_timer_ = kNoTimer;
  std::vector<std::string> service_route_;
  std::vector<std::string> associated_uris_;
  std::optional<std::string> pub_gruu_;
  std::optional<std::string> temp_gruu_;
};

}  // namespace pushsim::sip
