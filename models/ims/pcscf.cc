#include "ims/pcscf.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <utility>

#include "ims/hss.h"
#include "wire/sip_headers.h"
#include "wire/text.h"

namespace pushsim::ims {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

// Without Expires in the 200 the registrar's default applies (RFC 3261 10.2.1.1 suggests 3600 s).
constexpr std::uint32_t kDefaultRegistrationSeconds = 3600;

std::uint64_t SourceKey(const sip::Endpoint& source) {
  return (static_cast<std::uint64_t>(source.address) << 16) | source.port;
}

bool HasOptionTag(const SipMessage& message, HeaderId id, std::string_view tag) {
  auto tags = wire::ParseTokenList(message, id);
  if (!tags.ok()) return false;
  return std::any_of(tags->begin(), tags->end(), [&](const std::string& t) { return wire::EqualsIgnoreCase(t, tag); });
}

bool HasToTag(const SipMessage& request) {
  const auto to = request.Get(HeaderId::kTo);
  if (!to) return false;
  auto parsed = wire::ParseFromTo(*to);
  return parsed.ok() && wire::HasParam(parsed->params, "tag");
}

// Requests that create a dialog, so the P-CSCF stays on its route set (TS 24.229 5.2.6.3.3 and
// 5.2.6.4.3: the P-CSCF inserts Record-Route in initial requests for a dialog).
bool CreatesDialog(const SipMessage& request) {
  const Method method = request.method();
  return method == Method::kInvite || method == Method::kSubscribe || method == Method::kRefer;
}

bool SameUri(std::string_view a, std::string_view b) {
  auto left = wire::ParseSipUri(a);
  auto right = wire::ParseSipUri(b);
  if (left.ok() && right.ok()) return wire::SipUriEquivalent(*left, *right);
  return a == b;
}

// URIs equivalent under RFC 3261 19.1.4 have the same scheme, decoded user, host (ignoring case)
// and port (present in both or in neither): equal keys. A URI that does not parse is only equal to
// the same text, its own key.
std::string ContactKey(std::string_view uri) {
  auto parsed = wire::ParseSipUri(uri);
  if (!parsed.ok()) return "raw " + std::string(uri);
  std::string host = parsed->host;
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return parsed->scheme + ":" + parsed->user + "@" + host + ":" +
         (parsed->port ? std::to_string(*parsed->port) : std::string());
}

}  // namespace

PCscf::PCscf(sip::Host& host, const sip::Resolver& resolver, PCscfConfig config)
    : sip::Element(host, resolver, config.element), pcscf_config_(std::move(config)) {}

PCscf::~PCscf() {
  for (const auto& [key, timer] : expiry_timers_) host().CancelTimer(timer);
}

const PCscf::UeRegistration* PCscf::FindBySource(const sip::Endpoint& source) const {
  const auto it = registrations_.find(SourceKey(source));
  return it == registrations_.end() ? nullptr : &it->second;
}

std::string PCscf::PathEntry() const {
  std::string entry = "<sip:" + pcscf_config_.terminating_user + "@" + config().host;
  if (config().local.port != 5060) entry += ":" + std::to_string(config().local.port);
  entry += ";lr>";
  return entry;
}

bool PCscf::IsTerminatingRoute(std::string_view route) const {
  auto address = wire::ParseNameAddr(route);
  if (!address.ok()) return false;
  auto uri = address->SipUriValue();
  if (!uri.ok() || uri->user != pcscf_config_.terminating_user) return false;
  if (uri->port.value_or(5060) != config().local.port) return false;
  if (wire::EqualsIgnoreCase(uri->host, config().host) || uri->host == config().local.HostText()) return true;
  return std::any_of(config().aliases.begin(), config().aliases.end(),
                     [&](const std::string& alias) { return wire::EqualsIgnoreCase(uri->host, alias); });
}

void PCscf::HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) {
  if (request.method() == Method::kRegister) {
    HandleRegister(server, request, source);
    return;
  }
  const auto routes = request.GetAll(HeaderId::kRoute);
  if (!routes.empty() && IsTerminatingRoute(routes.front())) {
    HandleTerminating(server, request);
    return;
  }
  if (const UeRegistration* ue = FindBySource(source)) {
    HandleOriginating(server, request, *ue);
    return;
  }
  // A request inside a dialog this P-CSCF record-routed, coming from the core side.
  if (!routes.empty() && IsMe(routes.front()) && HasToTag(request)) {
    HandleTerminating(server, request);
    return;
  }
  // TS 24.229 5.2.6.3.1 / 5.2.6.3.2: requests from a UE that has not registered are refused.
  Respond(server, 403, "Not Registered");
}

void PCscf::HandleRegister(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) {
  // RFC 3327 5.2: a proxy that needs the registrar to keep its Path, when the UA has not said it
  // supports Path, rejects the REGISTER with 421 naming the extension. The UE of TS 24.229 5.1.1.2
  // always sends Supported: path.
  if (!HasOptionTag(request, HeaderId::kSupported, "path")) {
    SipMessage response = MakeResponse(request, 421);
    response.Add(HeaderId::kRequire, "path");
    Respond(server, std::move(response));
    return;
  }
  auto contacts = wire::ParseContacts(request);
  if (!contacts.ok()) {
    Respond(server, 400, "Bad Contact");
    return;
  }
  SipMessage forward = request;
  // The P-CSCF picks the next hop itself (TS 24.229 5.2.2): whatever Route the UE wrote is dropped.
  forward.Remove(HeaderId::kRoute);
  // RFC 3327 4 and TS 24.229 5.2.2: the Path entry makes the S-CSCF route UE-terminating requests
  // through this P-CSCF; its user part marks the terminating direction.
  forward.Prepend(HeaderId::kPath, PathEntry());
  // RFC 3327 5.2: the UA supports Path and this proxy requires the registrar to honour it.
  if (!HasOptionTag(request, HeaderId::kRequire, "path")) forward.Add(HeaderId::kRequire, "path");

  // What the REGISTER does to this UE's registration: a query (no Contact) changes nothing; all
  // contacts with expiry 0 (or "*") remove it (RFC 3261 10.2.2).
  std::string contact_uri;
  bool deregister = false;
  const bool has_contact = !contacts->empty();
  if (has_contact) {
    std::optional<std::uint32_t> header_expires;
    if (auto expires = request.Get(HeaderId::kExpires)) {
      auto parsed = wire::ParseDeltaSeconds(*expires);
      if (parsed.ok()) header_expires = *parsed;
    }
    deregister = true;
    for (const wire::Contact& contact : *contacts) {
      if (contact.star) continue;
      if (contact_uri.empty()) contact_uri = contact.address.uri;
      const std::uint32_t expires = contact.expires().value_or(header_expires.value_or(kDefaultRegistrationSeconds));
      if (expires != 0) deregister = false;
    }
  }
  std::string aor;
  if (auto to = request.Get(HeaderId::kTo)) {
    auto parsed = wire::ParseFromTo(*to);
    if (parsed.ok()) aor = parsed->uri;
  }

  sip::ForwardOptions options;
  if (has_contact) {
    options.before_forwarding_response = [this, source, contact_uri, deregister, aor](SipMessage& response) {
      if (response.status_code() / 100 != 2) return;
      OnRegisterResponse(response, source, contact_uri, deregister);
      if (!deregister) {
        if (auto it = registrations_.find(SourceKey(source));
            it != registrations_.end() && it->second.associated_uris.empty() && !aor.empty()) {
          it->second.associated_uris.push_back(aor);  // no P-Associated-URI: the registered AOR
        }
      }
    };
  }
  std::vector<sip::ForwardTarget> targets;
  targets.push_back(sip::ForwardTarget{std::string(request.request_uri()), {"<" + pcscf_config_.registrar_uri + ">"},
                                       std::nullopt});
  Forward(server, forward, std::move(targets), std::move(options));
}

void PCscf::OnRegisterResponse(const SipMessage& response, const sip::Endpoint& source, std::string contact_uri,
                               bool deregister) {
  const std::uint64_t key = SourceKey(source);
  if (deregister) {
    Drop(key);
    return;
  }
  // The expiry the registrar granted: the expires parameter of our Contact in the 200, else its
  // Expires header (RFC 3261 10.2.4).
  std::optional<std::uint32_t> expires;
  if (auto contacts = wire::ParseContacts(response); contacts.ok()) {
    for (const wire::Contact& contact : *contacts) {
      if (!contact.star && SameUri(contact.address.uri, contact_uri)) expires = contact.expires();
    }
  }
  if (!expires) {
    if (auto header = response.Get(HeaderId::kExpires)) {
      auto parsed = wire::ParseDeltaSeconds(*header);
      if (parsed.ok()) expires = *parsed;
    }
  }
  const std::uint32_t seconds = expires.value_or(kDefaultRegistrationSeconds);
  if (seconds == 0) {
    Drop(key);
    return;
  }
  UeRegistration registration;
  registration.contact_uri = std::move(contact_uri);
  registration.ue = source;
  // RFC 3608 6: the Service-Route of the 200 is the route for the UE's requests, in order.
  for (std::string_view element : response.GetAll(HeaderId::kServiceRoute)) {
    registration.service_route.emplace_back(wire::TrimLws(element));
  }
  // RFC 3455 4.1: P-Associated-URI lists the identities of the user; the first is the default.
  if (auto associated = wire::ParseNameAddrList(response, HeaderId::kPAssociatedUri); associated.ok()) {
    for (const wire::NameAddr& address : *associated) registration.associated_uris.push_back(address.uri);
  }
  registration.expires_at = host().Now() + std::chrono::seconds(seconds);
  Store(key, std::move(registration));
  if (auto timer = expiry_timers_.find(key); timer != expiry_timers_.end()) host().CancelTimer(timer->second);
  expiry_timers_[key] = host().StartTimer(std::chrono::seconds(seconds), [this, key] {
    expiry_timers_.erase(key);
    Forget(key);
  });
}

void PCscf::Store(std::uint64_t key, UeRegistration registration) {
  Forget(key);
  contact_index_.emplace(ContactKey(registration.contact_uri), key);
  registrations_[key] = std::move(registration);
}

void PCscf::Forget(std::uint64_t key) {
  auto it = registrations_.find(key);
  if (it == registrations_.end()) return;
  auto [first, last] = contact_index_.equal_range(ContactKey(it->second.contact_uri));
  for (auto entry = first; entry != last; ++entry) {
    if (entry->second == key) {
      contact_index_.erase(entry);
      break;
    }
  }
  registrations_.erase(it);
}

void PCscf::Drop(std::uint64_t key) {
  Forget(key);
  if (auto timer = expiry_timers_.find(key); timer != expiry_timers_.end()) {
    host().CancelTimer(timer->second);
    expiry_timers_.erase(timer);
  }
}

void PCscf::HandleOriginating(sip::TransactionId server, const SipMessage& request, const UeRegistration& ue) {
  SipMessage forward = request;
  PopOwnRoute(forward, *this);

  // RFC 3325 9.1 and TS 24.229 5.2.6.3.3: an identity the UE asserted itself is never trusted.
  if (forward.Has(HeaderId::kPAssertedIdentity)) {
    std::string removed;
    for (std::string_view value : forward.GetAll(HeaderId::kPAssertedIdentity)) {
      if (!removed.empty()) removed += ", ";
      removed += wire::TrimLws(value);
    }
    forward.Remove(HeaderId::kPAssertedIdentity);
    if (on_identity_replaced) on_identity_replaced(request, removed);
  }
  // RFC 3325 9.1: P-Preferred-Identity picks one of the user's identities; anything else falls
  // back to the default public user identity, the first P-Associated-URI (TS 24.229 5.2.6.3.3).
  std::string asserted = ue.associated_uris.empty() ? std::string() : ue.associated_uris.front();
  if (auto preferred = wire::ParseNameAddrList(forward, HeaderId::kPPreferredIdentity); preferred.ok()) {
    bool chosen = false;
    for (const wire::NameAddr& address : *preferred) {
      const std::string key = NormalizeIdentity(address.uri);
      for (const std::string& associated : ue.associated_uris) {
        if (!chosen && NormalizeIdentity(associated) == key) {
          asserted = associated;
          chosen = true;
        }
      }
    }
  }
  forward.Remove(HeaderId::kPPreferredIdentity);
  if (!asserted.empty()) forward.Add(HeaderId::kPAssertedIdentity, "<" + asserted + ">");

  sip::ForwardOptions options;
  sip::ForwardTarget target{std::string(request.request_uri()), {}, std::nullopt};
  if (!HasToTag(request)) {
    // RFC 3608 6.1 and TS 24.229 5.2.6.3.3: an initial request follows the Service-Route learnt at
    // registration, whatever the UE preloaded.
    forward.Remove(HeaderId::kRoute);
    target.routes = ue.service_route;
    options.record_route = CreatesDialog(request);
  }
  Forward(server, forward, {std::move(target)}, std::move(options));
}

void PCscf::HandleTerminating(sip::TransactionId server, const SipMessage& request) {
  SipMessage forward = request;
  forward.RemoveFirstElement(HeaderId::kRoute);  // our Path entry or our Record-Route entry
  sip::ForwardOptions options;
  options.record_route = !HasToTag(request) && CreatesDialog(request);
  sip::ForwardTarget target{std::string(request.request_uri()), {}, std::nullopt};
  if (forward.GetAll(HeaderId::kRoute).empty()) {
    // The Request-URI is the UE's registered contact (RFC 3327 5.4): send it where that UE's
    // REGISTER came from, the flow it keeps open. Among several UEs that registered equivalent
    // contacts, the one with the highest source key (a deterministic choice).
    std::optional<std::uint64_t> chosen;
    auto [first, last] = contact_index_.equal_range(ContactKey(request.request_uri()));
    for (auto entry = first; entry != last; ++entry) {
      if ((!chosen || entry->second > *chosen) &&
          SameUri(registrations_.at(entry->second).contact_uri, request.request_uri())) {
        chosen = entry->second;
      }
    }
    if (chosen) target.next_hop = registrations_.at(*chosen).ue;
  }
  Forward(server, forward, {std::move(target)}, std::move(options));
}

}  // namespace pushsim::ims
