#include "sip/user_agent.h"

#include <algorithm>

#include "wire/sip_headers.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::sip {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

std::string Bracketed(std::string_view uri) {
  const std::string_view text = wire::TrimLws(uri);
  if (!text.empty() && text.front() == '<') return std::string(text);
  return "<" + std::string(text) + ">";
}

// A Route entry for a proxy URI: in angle brackets and with ;lr (RFC 3261 16.12.1.1 loose routing).
std::string LooseRoute(std::string_view uri) {
  const std::string_view text = wire::TrimLws(uri);
  if (!text.empty() && text.front() == '<') return std::string(text);
  auto parsed = wire::ParseSipUri(text);
  if (!parsed.ok()) return Bracketed(text);
  if (!parsed->Param("lr")) parsed->params.push_back(wire::Param{"lr", std::nullopt});
  return "<" + parsed->ToString() + ">";
}

// The URI inside a Route / Service-Route / P-Associated-URI element, or the text as written.
std::string UriOf(std::string_view element) {
  auto address = wire::ParseNameAddr(element);
  return address.ok() ? address->uri : std::string(wire::TrimLws(element));
}

}  // namespace

std::string_view RegistrationStateName(RegistrationState state) {
  switch (state) {
    case RegistrationState::kUnregistered: return "unregistered";
    case RegistrationState::kRegistering: return "registering";
    case RegistrationState::kRegistered: return "registered";
    case RegistrationState::kDeregistering: return "deregistering";
  }
  return "unknown";
}

UserAgent::UserAgent(Host& host, const Resolver& resolver, UserAgentConfig config)
    : Element(host, resolver, config.element), ua_config_(std::move(config)) {
  register_call_id_ = "r" + NewTag() + "@" + this->config().local.HostText();
  register_from_tag_ = NewTag();
}

UserAgent::~UserAgent() { CancelTimers(); }

void UserAgent::CancelTimers() {
  for (TimerId* timer : {&refresh_timer_, &retry_timer_, &expiry_timer_}) {
    host().CancelTimer(*timer);
    *timer = kNoTimer;
  }
}

Duration UserAgent::RefreshDelay(std::uint32_t granted_seconds) {
  if (granted_seconds > 1200) return std::chrono::seconds(granted_seconds - 600);
  return std::chrono::milliseconds(static_cast<std::int64_t>(granted_seconds) * 500);
}

Duration UserAgent::BackoffDelay(int consecutive_failures) const {
  const int exponent = std::clamp(consecutive_failures, 0, 30);
  Duration upper = ua_config_.retry_max;
  if (ua_config_.retry_base.count() <= ua_config_.retry_max.count() >> exponent) {
    upper = ua_config_.retry_base * (std::int64_t{1} << exponent);
  }
  // RFC 5626 4.5 draws the wait uniformly from [50 %, 100 %] of the bound, so that UEs failing
  // together do not retry together; the draw here is a hash, so runs are reproducible.
  const std::uint64_t draw =
      wire::StableHash(ua_config_.aor + "#" + std::to_string(consecutive_failures)) % 1001;
  return upper / 2 + (upper / 2) * static_cast<std::int64_t>(draw) / 1000;
}

std::string UserAgent::HomeDomainUri() const {
  auto aor = wire::ParseSipUri(ua_config_.aor);
  if (!aor.ok()) return ua_config_.aor;
  return aor->scheme + ":" + aor->host;
}

std::string UserAgent::ContactUri() const {
  std::string user = ua_config_.contact_user;
  if (user.empty()) {
    auto aor = wire::ParseSipUri(ua_config_.aor);
    if (aor.ok()) user = aor->user;
  }
  std::string uri = "sip:";
  if (!user.empty()) uri += user + "@";
  uri += config().local.HostText() + ":" + std::to_string(config().local.port);
  if (config().local.transport == Transport::kTcp) uri += ";transport=tcp";
  return uri;
}

std::string UserAgent::ContactValue() const {
  std::string value = "<" + ContactUri() + ">";
  if (!ua_config_.instance.empty()) value += ";+sip.instance=" + wire::QuoteString(ua_config_.instance);
  wire::AppendParams(value, ua_config_.contact_params);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Registration

void UserAgent::Register() {
  host().CancelTimer(retry_timer_);
  retry_timer_ = kNoTimer;
  SendRegister(ua_config_.expires, true);
}

void UserAgent::Deregister() {
  CancelTimers();
  if (state_ == RegistrationState::kUnregistered && !in_flight_) return;
  SendRegister(0, true);
}

void UserAgent::ReRegister(std::vector<wire::Param> contact_params) {
  ua_config_.contact_params = std::move(contact_params);
  Register();
}

void UserAgent::SendRegister(std::uint32_t expires, bool new_attempt) {
  if (in_flight_) {
    // RFC 3261 10.2: no new REGISTER before the previous one has its final response.
    queued_ = expires;
    return;
  }
  if (expires == 0) {
    CancelTimers();
    state_ = RegistrationState::kDeregistering;
  } else if (state_ != RegistrationState::kRegistered) {
    state_ = RegistrationState::kRegistering;
  }
  if (new_attempt) {
    attempt_started_ = host().Now();
    attempt_retransmissions_ = 0;
  }
  requested_ = expires;

  // TS 24.229 5.1.1.2.1: Request-URI the home domain, From and To the public user identity, no
  // Route (the P-CSCF is the next hop by configuration, TS 34.229-1 A.1.1), Supported: path.
  const std::string registrar = ua_config_.registrar_uri.empty() ? HomeDomainUri() : ua_config_.registrar_uri;
  SipMessage request = SipMessage::MakeRequest(Method::kRegister, registrar);
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, Bracketed(ua_config_.aor) + ";tag=" + register_from_tag_);
  request.Add(HeaderId::kTo, Bracketed(ua_config_.aor));
  request.Add(HeaderId::kCallId, register_call_id_);
  request.Add(HeaderId::kCSeq, std::to_string(++register_cseq_) + " REGISTER");
  request.Add(HeaderId::kContact, ContactValue());
  request.Add(HeaderId::kExpires, std::to_string(expires));
  // RFC 5627 4.1: a UA that wants a GRUU says so with the "gruu" option tag.
  request.Add(HeaderId::kSupported, ua_config_.gruu ? "path, gruu" : "path");

  const std::uint64_t generation = ++generation_;
  const auto destination = resolver().Resolve(ua_config_.outbound_proxy);
  if (!destination) {
    // No address for the P-CSCF: as a transport failure, a 503 (RFC 3263 4.3).
    OnRegisterResponse(generation, expires, nullptr, ClientOutcome{0, host().Now()});
    return;
  }
  in_flight_ = true;
  SendRequest(std::move(request), *destination,
              [this, generation, expires](const SipMessage* response, const ClientOutcome& outcome) {
                OnRegisterResponse(generation, expires, response, outcome);
              });
}

void UserAgent::OnRegisterResponse(std::uint64_t generation, std::uint32_t requested, const SipMessage* response,
                                   const ClientOutcome& outcome) {
  if (generation != generation_) return;
  if (response && response->status_code() < 200) return;
  const bool sent = in_flight_;
  in_flight_ = false;
  ++generation_;  // late retransmitted finals of this transaction are ignored from now on
  attempt_retransmissions_ += outcome.retransmissions;
  const int code = response ? response->status_code() : (sent ? 408 : 503);

  if (requested == 0) {
    // De-registration: whatever the answer, this UA no longer has a binding it relies on.
    state_ = RegistrationState::kUnregistered;
    service_route_.clear();
    pub_gruu_.reset();
    temp_gruu_.reset();
    Report(code);
    StartNext();
    return;
  }
  if (response && code / 100 == 2) {
    OnRegistered(*response, requested);
  } else if (response && code == 423) {
    // RFC 3261 10.2.8: retry with the registrar's Min-Expires, part of the same attempt.
    std::optional<std::uint32_t> minimum;
    if (auto value = response->Get(HeaderId::kMinExpires)) {
      auto parsed = wire::ParseDeltaSeconds(*value);
      if (parsed.ok()) minimum = *parsed;
    }
    if (minimum && *minimum > requested) {
      ua_config_.expires = std::max(ua_config_.expires, *minimum);
      SendRegister(*minimum, false);
      return;
    }
    OnRegisterFailed(code, std::nullopt);
  } else {
    std::optional<std::uint32_t> retry_after;
    if (response) {
      if (auto value = response->Get(HeaderId::kRetryAfter)) {
        auto parsed = wire::ParseRetryAfter(*value);
        if (parsed.ok()) retry_after = parsed->seconds;
      }
    }
    OnRegisterFailed(code, retry_after);
  }
  StartNext();
}

void UserAgent::OnRegistered(const SipMessage& response, std::uint32_t requested) {
  // RFC 3261 10.2.4: the 200 lists the bindings; ours is found by its instance ID (RFC 5626 6)
  // or, without one, by its URI.
  std::optional<wire::Contact> ours;
  if (auto contacts = wire::ParseContacts(response); contacts.ok()) {
    const std::string own_uri = ContactUri();
    auto own = wire::ParseSipUri(own_uri);
    for (const wire::Contact& contact : *contacts) {
      if (contact.star) continue;
      bool match = false;
      if (!ua_config_.instance.empty()) {
        match = contact.instance() == ua_config_.instance;
      } else {
        auto uri = contact.address.SipUriValue();
        match = own.ok() && uri.ok() ? wire::SipUriEquivalent(*uri, *own) : contact.address.uri == own_uri;
      }
      if (match) {
        ours = contact;
        break;
      }
    }
  }
  std::optional<std::uint32_t> granted;
  if (ours) granted = ours->expires();
  if (!granted) {
    if (auto value = response.Get(HeaderId::kExpires)) {
      auto parsed = wire::ParseDeltaSeconds(*value);
      if (parsed.ok()) granted = *parsed;
    }
  }
  granted_ = granted.value_or(requested);
  failures_ = 0;

  // RFC 3608 6.1: the Service-Route of the latest 200 replaces the one before.
  service_route_.clear();
  for (std::string_view route : response.GetAll(HeaderId::kServiceRoute)) {
    service_route_.emplace_back(wire::TrimLws(route));
  }
  // RFC 3455 4.1: the identities associated with the registered one, the default first.
  associated_uris_.clear();
  for (std::string_view uri : response.GetAll(HeaderId::kPAssociatedUri)) associated_uris_.push_back(UriOf(uri));
  // RFC 5627 5.1 and 5.2: GRUUs of our own contact.
  if (ours) {
    if (auto gruu = ours->pub_gruu()) pub_gruu_ = *gruu;
    if (auto gruu = ours->temp_gruu()) temp_gruu_ = *gruu;
  }

  host().CancelTimer(expiry_timer_);
  expiry_timer_ = kNoTimer;
  host().CancelTimer(refresh_timer_);
  refresh_timer_ = kNoTimer;
  if (granted_ == 0) {
    state_ = RegistrationState::kUnregistered;
    Report(response.status_code(), 0);
    return;
  }
  state_ = RegistrationState::kRegistered;
  expires_at_ = host().Now() + std::chrono::seconds(granted_);
  ScheduleRefresh(granted_);
  expiry_timer_ = host().StartTimer(std::chrono::seconds(granted_), [this] {
    expiry_timer_ = kNoTimer;
    if (state_ != RegistrationState::kRegistered) return;
    state_ = RegistrationState::kUnregistered;
    service_route_.clear();
    pub_gruu_.reset();
    temp_gruu_.reset();
    Report(0);
  });
  Report(response.status_code(), granted_);
}

void UserAgent::ScheduleRefresh(std::uint32_t granted) {
  host().CancelTimer(refresh_timer_);
  refresh_timer_ = host().StartTimer(RefreshDelay(granted), [this] {
    refresh_timer_ = kNoTimer;
    SendRegister(ua_config_.expires, true);
  });
}

void UserAgent::OnRegisterFailed(int code, std::optional<std::uint32_t> retry_after) {
  ++failures_;
  // A failed refresh leaves the previous binding in place until it expires.
  if (!(state_ == RegistrationState::kRegistered && host().Now() < expires_at_)) {
    state_ = RegistrationState::kUnregistered;
  }
  Report(code);
  // RFC 3261 20.33: Retry-After says when to try again (at least 1 s here, so a registrar that
  // keeps answering "Retry-After: 0" cannot make the UA loop without time passing); without it,
  // the RFC 5626 4.5 back-off.
  const Duration delay = retry_after ? Duration(std::chrono::seconds(std::max<std::uint32_t>(*retry_after, 1)))
                                     : BackoffDelay(failures_);
  host().CancelTimer(retry_timer_);
  retry_timer_ = host().StartTimer(delay, [this] {
    retry_timer_ = kNoTimer;
    SendRegister(ua_config_.expires, true);
  });
}

void UserAgent::StartNext() {
  if (in_flight_ || !queued_) return;
  const std::uint32_t expires = *queued_;
  queued_.reset();
  SendRegister(expires, true);
}

void UserAgent::Report(int code, std::uint32_t expires) {
  if (!on_registration_state) return;
  RegistrationEvent event;
  event.state = state_;
  event.code = code;
  event.delay = host().Now() - attempt_started_;
  event.retransmissions = attempt_retransmissions_;
  event.expires = expires;
  on_registration_state(event);
}

// ---------------------------------------------------------------------------------------------
// Requests

SipMessage UserAgent::NewRequest(Method method, std::string_view target_uri) {
  SipMessage request = SipMessage::MakeRequest(method, target_uri);
  request.Add(HeaderId::kMaxForwards, "70");
  // TS 24.229 5.1.2A.1.1: Route holds the P-CSCF, then the Service-Route from registration.
  if (!ua_config_.outbound_proxy.empty()) request.Add(HeaderId::kRoute, LooseRoute(ua_config_.outbound_proxy));
  for (const std::string& route : service_route_) request.Add(HeaderId::kRoute, route);
  request.Add(HeaderId::kFrom, Bracketed(ua_config_.aor) + ";tag=" + NewTag());
  request.Add(HeaderId::kTo, Bracketed(target_uri));
  request.Add(HeaderId::kCallId, "m" + NewTag() + "@" + config().local.HostText());
  request.Add(HeaderId::kCSeq, "1 " + std::string(wire::MethodName(method)));
  return request;
}

TransactionId UserAgent::SendInitialRequest(SipMessage request, ResponseHandler handler) {
  const auto destination = resolver().Resolve(ua_config_.outbound_proxy);
  if (!destination) return 0;
  return SendRequest(std::move(request), *destination, std::move(handler));
}

TransactionId UserAgent::SendMessage(std::string_view target_uri, std::string_view content_type,
                                     std::string_view body, const Headers& extra_headers, ResponseHandler handler,
                                     std::string_view preferred_identity) {
  SipMessage request = NewRequest(Method::kMessage, target_uri);
  if (!preferred_identity.empty()) request.Add(HeaderId::kPPreferredIdentity, Bracketed(preferred_identity));
  for (const auto& [name, value] : extra_headers) request.Add(name, value);
  request.SetBody(body, content_type);
  return SendInitialRequest(std::move(request), std::move(handler));
}

// ---------------------------------------------------------------------------------------------
// UAS

void UserAgent::HandleRequest(TransactionId server, const SipMessage& request, const Endpoint&) {
  if (on_request) on_request(request);
  int code = 0;
  if (request_handler) {
    code = request_handler(request);
  } else {
    const bool allowed = std::any_of(ua_config_.allow.begin(), ua_config_.allow.end(),
                                     [&](const std::string& method) { return method == request.method_name(); });
    code = allowed ? 200 : 405;
  }
  if (code < 200 || code > 699) code = 500;  // the handler must pick a final response
  SipMessage response = MakeResponse(request, code);
  if (code == 405) {
    // RFC 3261 21.4.6: a 405 lists the methods the UA does accept.
    std::string allow;
    for (const std::string& method : ua_config_.allow) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    response.Add(HeaderId::kAllow, allow);
  }
  Respond(server, std::move(response));
}

void UserAgent::HandleAck(const SipMessage&, const Endpoint&) {}

}  // namespace pushsim::sip
