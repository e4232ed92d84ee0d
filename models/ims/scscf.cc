#include "ims/scscf.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "ims/reg_event.h"
#include "wire/body.h"
#include "wire/feature_tags.h"
#include "wire/sip_headers.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::ims {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

// The identity a URI names: the AOR of a sip/sips URI, else the URI as written (tel:).
std::string IdentityOf(std::string_view uri_text) {
  std::string_view text = wire::TrimLws(uri_text);
  auto uri = wire::ParseSipUri(text);
  if (uri.ok()) return wire::AddressOfRecord(*uri);
  const std::size_t semicolon = text.find(';');
  return std::string(text.substr(0, semicolon));
}

std::optional<wire::SipUri> UriOfNameAddr(std::string_view value) {
  auto address = wire::ParseNameAddr(value);
  if (!address.ok()) return std::nullopt;
  auto uri = address->SipUriValue();
  if (!uri.ok()) return std::nullopt;
  return std::move(uri).value();
}

bool IsDialogForming(Method method) {
  // RFC 3261 12.1, RFC 6665 4.1.2.1 (SUBSCRIBE), RFC 3515 2.4.4 (REFER).
  return method == Method::kInvite || method == Method::kSubscribe || method == Method::kRefer;
}

bool IsOriginatingCase(SessionCase session_case) {
  return session_case == SessionCase::kOriginating || session_case == SessionCase::kOriginatingUnregistered ||
         session_case == SessionCase::kOriginatingCdiv;
}

// The iFCs of a profile in evaluation order: ascending Priority, document order for ties
// (TS 29.228 B.2.2).
std::vector<std::size_t> FilterOrder(const ServiceProfile& profile) {
  std::vector<std::size_t> order(profile.initial_filter_criteria.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return profile.initial_filter_criteria[a].priority < profile.initial_filter_criteria[b].priority;
  });
  return order;
}

// A Route value for an AS ServerName: angle brackets and the lr parameter (RFC 3261 16.12).
std::string AsRoute(const std::string& server_name) {
  auto uri = wire::ParseSipUri(server_name);
  if (uri.ok() && !uri->Param("lr")) return "<" + server_name + ";lr>";
  return "<" + server_name + ">";
}

}  // namespace

Scscf::Scscf(sip::Host& host, const sip::Resolver& resolver, ScscfConfig config, Hss& hss)
    : Element(host, resolver, config.element), scscf_config_(std::move(config)), hss_(hss) {
  RegEventConfig reg_config;
  reg_config.allow_application_servers = scscf_config_.allow_as_reg_subscription;
  reg_config.trusted_as_hosts = scscf_config_.trusted_as_hosts;
  reg_event_ = std::make_unique<RegEventPackage>(*this, registrar_, reg_config);
}

Scscf::~Scscf() {
  *alive_ = false;
  for (const auto& timer : expiry_timers_) host().CancelTimer(timer.second);
}

std::string Scscf::OwnContact() const { return OwnUri(""); }

std::string Scscf::ServiceRoute() const {
  std::string route = "<sip:orig@" + config().host;
  if (config().local.port != 5060) route += ":" + std::to_string(config().local.port);
  return route + ";lr>";
}

bool Scscf::IsHomeDomain(std::string_view host) const {
  return std::any_of(scscf_config_.home_domains.begin(), scscf_config_.home_domains.end(),
                     [&](const std::string& domain) { return wire::EqualsIgnoreCase(domain, host); });
}

std::string Scscf::TerminatingIdentity(std::string_view request_uri) const {
  // A temporary GRUU hides its AOR (RFC 5627 3.2): only the registrar can map it back.
  std::string aor;
  if (registrar_.FindByGruu(request_uri, &aor)) return aor;
  return IdentityOf(request_uri);
}

std::string Scscf::RegisteredAor(std::string_view identity) const {
  for (const std::string& member : hss_.ImplicitSet(identity)) {
    const std::string key = IdentityOf(member);
    const Registrar::Record* record = registrar_.Find(key);
    if (record && !record->bindings.empty()) return key;
  }
  return {};
}

std::optional<Scscf::OwnRoute> Scscf::PopOwnServiceRoute(SipMessage& request) const {
  const auto routes = request.GetAll(HeaderId::kRoute);
  if (routes.empty()) return std::nullopt;
  const auto uri = UriOfNameAddr(routes.front());
  if (!uri) return std::nullopt;
  if (uri->port && *uri->port != config().local.port) return std::nullopt;
  // Element::IsMe refuses a user part; the Service-Route's "orig" user names this S-CSCF too.
  if (!uri->user.empty() && uri->user != "orig") return std::nullopt;
  const bool host_is_me = wire::EqualsIgnoreCase(uri->host, config().host) || uri->host == config().local.HostText() ||
                          std::any_of(config().aliases.begin(), config().aliases.end(), [&](const std::string& alias) {
                            return wire::EqualsIgnoreCase(uri->host, alias);
                          });
  if (!host_is_me) return std::nullopt;
  OwnRoute own;
  own.orig = uri->user == "orig" || uri->Param("orig").has_value();
  if (auto odi = uri->Param("odi")) own.odi = std::string(*odi);
  request.RemoveFirstElement(HeaderId::kRoute);
  return own;
}

bool Scscf::RetargetGruu(SipMessage& request) const {
  // RFC 5627 5.3: the proxy that owns a GRUU retargets requests addressed to it to the one
  // contact bound to it, in a dialog too (a UE with a GRUU puts it in its dialog Contact, RFC 5627
  // 4.2); the rest of the route set, or else the registration's Path, leads there.
  auto uri = wire::ParseSipUri(request.request_uri());
  if (!uri.ok() || !uri->IsGruu() || !IsHomeDomain(uri->host)) return true;
  const Binding* binding = registrar_.FindByGruu(request.request_uri());
  if (!binding) return false;
  if (request.GetAll(HeaderId::kRoute).empty()) {
    for (auto path = binding->path.rbegin(); path != binding->path.rend(); ++path) {
      request.Prepend(HeaderId::kRoute, *path);
    }
  }
  request.set_request_uri(binding->contact_uri);
  return true;
}

void Scscf::HandleAck(const SipMessage& ack, const sip::Endpoint& source) {
  SipMessage routed = ack;
  const std::optional<OwnRoute> own = PopOwnServiceRoute(routed);
  if (!own) Element::PopOwnRoute(routed, *this);
  if (!RetargetGruu(routed)) return;  // an ACK is never answered
  Element::HandleAck(routed, source);
}

void Scscf::HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) {
  if (request.method() == Method::kRegister) {
    // Cx SAR: the profile arrives after the HSS round trip (TS 29.228 6.1.2).
    const std::weak_ptr<bool> alive = alive_;
    host().StartTimer(scscf_config_.cx.sar_delay, [this, alive, server, copy = request]() {
      const auto token = alive.lock();
      if (token && *token) ProcessRegister(server, copy);
    });
    return;
  }

  SipMessage routed = request;
  const std::optional<OwnRoute> own = PopOwnServiceRoute(routed);
  if (!own) Element::PopOwnRoute(routed, *this);
  const bool no_route_left = routed.GetAll(HeaderId::kRoute).empty();

  const auto to = wire::ParseFromTo(request.Get(HeaderId::kTo).value_or(""));
  const bool in_dialog = to.ok() && wire::HasParam(to->params, "tag");
  if (request.method() == Method::kSubscribe && no_route_left) {
    // This S-CSCF is the reg notifier of its users (TS 24.229 5.4.2.1): a new subscription names
    // a user of the HSS, a refresh is addressed to the Contact the notifier gave.
    const bool for_us =
        in_dialog ? IsMe(routed.request_uri()) : hss_.FindProfile(IdentityOf(routed.request_uri())) != nullptr;
    if (auto event = request.Get(HeaderId::kEvent); event && for_us) {
      auto parsed = wire::ParseEvent(*event);
      if (parsed.ok() && wire::EqualsIgnoreCase(parsed->package, "reg")) {
        HandleRegSubscribe(server, routed, source);
        return;
      }
    }
  }

  // Requests inside a dialog follow their route set (RFC 3261 16.12 loose routing).
  if (in_dialog) {
    if (no_route_left && IsMe(routed.request_uri())) {
      Respond(server, 481);
      return;
    }
    if (!RetargetGruu(routed)) {
      Respond(server, 480);
      return;
    }
    Forward(server, routed, {sip::ForwardTarget{std::string(routed.request_uri()), {}, std::nullopt}});
    return;
  }

  if (own && !own->odi.empty()) {
    // Back from an application server: resume after the filter that sent it there.
    const auto token = wire::ParseDecimal(own->odi, UINT64_MAX);
    const auto chain = token ? chains_.find(*token) : chains_.end();
    if (chain != chains_.end()) {
      ServiceChain resumed = chain->second;
      chains_.erase(chain);
      RunServiceChain(server, std::move(routed), std::move(resumed));
      return;
    }
    // The chain was forgotten (limits): finish without more application servers rather than
    // invoking the same ones again.
    ServiceChain finished;
    finished.session_case = own->orig ? SessionCase::kOriginating : SessionCase::kTerminatingRegistered;
    finished.served_user = own->orig ? std::string() : IdentityOf(routed.request_uri());
    finished.next_filter = SIZE_MAX;
    RunServiceChain(server, std::move(routed), std::move(finished));
    return;
  }

  if (own && own->orig) {
    // TS 24.229 5.4.3.2: the served user is the asserted identity (RFC 3325), else From.
    std::string served;
    auto asserted = wire::ParseNameAddrList(routed, HeaderId::kPAssertedIdentity);
    if (asserted.ok() && !asserted->empty()) served = IdentityOf(asserted->front().uri);
    if (served.empty()) {
      auto from = wire::ParseFromTo(routed.Get(HeaderId::kFrom).value_or(""));
      if (from.ok()) served = IdentityOf(from->uri);
    }
    if (served.empty() || !hss_.FindProfile(served)) {
      Respond(server, 403, "Unknown Served User");
      return;
    }
    ServiceChain chain;
    chain.served_user = served;
    chain.session_case =
        RegisteredAor(served).empty() ? SessionCase::kOriginatingUnregistered : SessionCase::kOriginating;
    chain.created = host().Now();
    RunServiceChain(server, std::move(routed), std::move(chain));
    return;
  }

  // Terminating (TS 24.229 5.4.3.3).
  const std::string target = TerminatingIdentity(routed.request_uri());
  if (hss_.FindProfile(target)) {
    ServiceChain chain;
    chain.served_user = target;
    chain.session_case =
        RegisteredAor(target).empty() ? SessionCase::kTerminatingUnregistered : SessionCase::kTerminatingRegistered;
    chain.created = host().Now();
    RunServiceChain(server, std::move(routed), std::move(chain));
    return;
  }
  auto uri = wire::ParseSipUri(routed.request_uri());
  if (!uri.ok() || IsHomeDomain(uri->host) || (no_route_left && IsMe(routed.request_uri()))) {
    Respond(server, 404);
    return;
  }
  sip::ForwardOptions options;
  options.record_route = IsDialogForming(routed.method());
  Forward(server, routed, {sip::ForwardTarget{std::string(routed.request_uri()), {}, std::nullopt}}, options);
}

void Scscf::RunServiceChain(sip::TransactionId server, SipMessage request, ServiceChain chain) {
  const ServiceProfile* profile = chain.served_user.empty() ? nullptr : hss_.FindProfile(chain.served_user);
  if (profile) {
    const std::vector<std::size_t> order = FilterOrder(*profile);
    const IfcContext context{&request, chain.session_case, std::nullopt};
    for (std::size_t i = chain.next_filter; i < order.size(); ++i) {
      const InitialFilterCriteria& ifc = profile->initial_filter_criteria[order[i]];
      if (!Matches(ifc, context)) continue;
      // Forget chains whose request never came back, and keep the table bounded. Tokens grow
      // with time, so the oldest chain is the first.
      const sip::TimePoint now = host().Now();
      while (!chains_.empty() &&
             (now - chains_.begin()->second.created > kServiceChainLifetime || chains_.size() >= kMaxServiceChains)) {
        chains_.erase(chains_.begin());
      }
      chain.next_filter = i + 1;
      chain.created = now;
      const std::uint64_t token = ++odi_counter_;
      const bool originating = IsOriginatingCase(chain.session_case);
      chains_[token] = chain;
      const std::string back = "<" + OwnUri("lr;odi=" + std::to_string(token) + (originating ? ";orig" : "")) + ">";
      Forward(
          server, request,
          {sip::ForwardTarget{
              std::string(request.request_uri()), {AsRoute(ifc.application_server.server_name), back}, std::nullopt}});
      return;
    }
  }

  if (IsOriginatingCase(chain.session_case)) {
    // Originating services done: a user of ours is served by this same S-CSCF on the
    // terminating side (the network has one S-CSCF).
    const std::string target = TerminatingIdentity(request.request_uri());
    if (hss_.FindProfile(target)) {
      ServiceChain terminating;
      terminating.served_user = target;
      terminating.session_case =
          RegisteredAor(target).empty() ? SessionCase::kTerminatingUnregistered : SessionCase::kTerminatingRegistered;
      terminating.created = host().Now();
      RunServiceChain(server, std::move(request), std::move(terminating));
      return;
    }
    auto uri = wire::ParseSipUri(request.request_uri());
    if (!uri.ok() || IsHomeDomain(uri->host)) {
      Respond(server, 404);
      return;
    }
    sip::ForwardOptions options;
    options.record_route = IsDialogForming(request.method());
    Forward(server, request, {sip::ForwardTarget{std::string(request.request_uri()), {}, std::nullopt}}, options);
    return;
  }
  RouteToTerminal(server, request, chain.served_user);
}

void Scscf::RouteToTerminal(sip::TransactionId server, const SipMessage& request, const std::string& identity) {
  std::vector<Binding> targets;
  auto uri = wire::ParseSipUri(request.request_uri());
  if (uri.ok() && uri->IsGruu()) {
    // RFC 5627 5.3: a GRUU reaches exactly the instance it names.
    const Binding* binding = registrar_.FindByGruu(request.request_uri());
    if (!binding) {
      const auto gr = uri->Param("gr");
      const bool public_gruu_of_user = gr && !gr->empty() && hss_.FindProfile(wire::AddressOfRecord(*uri));
      Respond(server, public_gruu_of_user ? 480 : 404);
      return;
    }
    targets.push_back(*binding);
  } else {
    const std::string aor = RegisteredAor(identity.empty() ? IdentityOf(request.request_uri()) : identity);
    const Registrar::Record* record = aor.empty() ? nullptr : registrar_.Find(aor);
    if (!record || record->bindings.empty()) {
      Respond(server, 480);
      return;
    }
    // RFC 3841 7.2: caller preferences over the registered contacts.
    std::vector<wire::ContactPredicate> accept;
    std::vector<wire::ContactPredicate> reject;
    for (std::string_view element : request.GetAll(HeaderId::kAcceptContact)) {
      auto predicate = wire::ParseAcceptContact(element);
      if (!predicate.ok()) {
        Respond(server, 400, "Bad Accept-Contact");
        return;
      }
      accept.push_back(std::move(predicate).value());
    }
    for (std::string_view element : request.GetAll(HeaderId::kRejectContact)) {
      auto predicate = wire::ParseRejectContact(element);
      if (!predicate.ok()) {
        Respond(server, 400, "Bad Reject-Contact");
        return;
      }
      reject.push_back(std::move(predicate).value());
    }
    if (accept.empty() && reject.empty()) {
      // RFC 3841 7.2.2: without caller preferences the method (and event package) is implied.
      std::optional<std::string> package;
      if (auto event = request.Get(HeaderId::kEvent)) {
        auto parsed = wire::ParseEvent(*event);
        if (parsed.ok()) package = parsed->package;
      }
      auto implicit = wire::ImplicitPreference(request.method_name(),
                                               package ? std::optional<std::string_view>(*package) : std::nullopt);
      if (implicit.ok()) accept.push_back(std::move(implicit).value());
    }
    std::vector<wire::FeatureSet> features;
    std::vector<double> q_values;
    for (const Binding& binding : record->bindings) {
      features.push_back(binding.features);
      q_values.push_back(binding.q);
    }
    for (const wire::ContactChoice& choice : wire::SelectContacts(features, q_values, accept, reject)) {
      targets.push_back(record->bindings[choice.index]);
    }
    if (targets.empty()) {
      Respond(server, 480);
      return;
    }
  }
  std::vector<sip::ForwardTarget> branches;
  for (const Binding& binding : targets) {
    branches.push_back(sip::ForwardTarget{binding.contact_uri, binding.path, std::nullopt});
  }
  sip::ForwardOptions options;
  options.record_route = IsDialogForming(request.method());
  Forward(server, request, std::move(branches), options);
}

// ---------------------------------------------------------------------------------------------
// Registration

void Scscf::ProcessRegister(sip::TransactionId server, const SipMessage& request) {
  const auto to = UriOfNameAddr(request.Get(HeaderId::kTo).value_or(""));
  if (!to) {
    Respond(server, 400, "Bad To");
    return;
  }
  const std::string aor = wire::AddressOfRecord(*to);
  if (!hss_.FindProfile(aor)) {
    Respond(server, 403, "Unknown User");
    return;
  }
  if (hss_.IsBarred(aor)) {
    Respond(server, 403, "Barred Identity");
    return;
  }
  RegisterPolicy policy;
  policy.min_expires = scscf_config_.min_expires;
  policy.max_expires = scscf_config_.max_expires;
  policy.default_expires = scscf_config_.default_expires;
  policy.gruu = scscf_config_.gruu;
  const sip::TimePoint now = host().Now();
  RegisterResult result = registrar_.Apply(aor, request, now, policy);
  if (result.status != 200) {
    SipMessage response = MakeResponse(request, result.status);
    if (result.status == 423) response.Add(HeaderId::kMinExpires, std::to_string(result.min_expires));
    Respond(server, std::move(response));
    return;
  }

  const Registrar::Record* record = registrar_.Find(aor);
  if (record) {
    hss_.AssignScscf(aor, OwnContact());
  } else if (!result.changes.empty()) {
    hss_.UnassignScscf(aor);
  }

  SipMessage response = MakeResponse(request, 200);
  if (record) {
    for (const Binding& binding : record->bindings)
      response.Add(HeaderId::kContact, binding.ContactValue(now, result.gruu));
  }
  const auto path = request.GetAll(HeaderId::kPath);
  if (!path.empty()) {
    for (std::string_view value : path) response.Add(HeaderId::kPath, wire::TrimLws(value));
    response.Add(HeaderId::kSupported, "path");
  }
  response.Add(HeaderId::kServiceRoute, ServiceRoute());
  std::string associated;
  for (const std::string& identity : hss_.ImplicitSet(aor)) {
    if (hss_.IsBarred(identity)) continue;
    if (!associated.empty()) associated += ", ";
    associated += "<" + identity + ">";
  }
  if (!associated.empty()) response.Add(HeaderId::kPAssociatedUri, associated);
  Respond(server, response);

  if (result.changes.empty()) return;  // a query (no Contact) changes nothing
  ReportChanges(aor, result.changes);
  ScheduleExpiry(aor);
  std::uint32_t expires = 0;
  if (record) {
    expires = result.granted_expires;
    for (const Binding& binding : record->bindings) {
      if (expires == 0) expires = std::max(expires, binding.RemainingSeconds(now));
    }
    if (scscf_config_.third_party_expires != 0) expires = scscf_config_.third_party_expires;
  }
  ThirdPartyRegister(aor, request, &response, result.type, expires);
}

void Scscf::ReportChanges(const std::string& aor, const std::vector<ContactChange>& changes) {
  if (changes.empty()) return;
  if (on_contact_change) {
    for (const ContactChange& change : changes) on_contact_change(aor, change);
  }
  reg_event_->OnChange(aor, changes);
}

void Scscf::ScheduleExpiry(const std::string& aor) {
  if (auto timer = expiry_timers_.find(aor); timer != expiry_timers_.end()) {
    host().CancelTimer(timer->second);
    expiry_timers_.erase(timer);
  }
  const auto next = registrar_.NextExpiry(aor);
  if (!next) return;
  const sip::Duration delay = std::max(sip::Duration::zero(), *next - host().Now());
  const std::weak_ptr<bool> alive = alive_;
  expiry_timers_[aor] = host().StartTimer(delay, [this, alive, aor]() {
    const auto token = alive.lock();
    if (token && *token) OnExpiryTimer(aor);
  });
}

namespace {

// The REGISTER the iFCs and the application servers see for a de-registration the network
// decides (expiry, TS 24.229 5.4.1.5): the removed contacts with Expires 0, as a UE would send.
SipMessage DeregistrationRequest(const Scscf& scscf, const std::string& aor, const std::vector<ContactChange>& changes,
                                 std::string_view call_id) {
  const std::size_t at = aor.find('@');
  SipMessage request = SipMessage::MakeRequest(Method::kRegister,
                                               "sip:" + (at == std::string::npos ? aor.substr(4) : aor.substr(at + 1)));
  request.Add(HeaderId::kVia, "SIP/2.0/UDP " + scscf.config().local.HostText() + ":" +
                                  std::to_string(scscf.config().local.port) + ";branch=z9hG4bK.dereg");
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, "<" + aor + ">;tag=dereg");
  request.Add(HeaderId::kTo, "<" + aor + ">");
  request.Add(HeaderId::kCallId, call_id);
  request.Add(HeaderId::kCSeq, "1 REGISTER");
  for (const ContactChange& change : changes) {
    std::string contact = "<" + change.binding.contact_uri + ">";
    wire::AppendParams(contact, change.binding.contact_params);
    request.Add(HeaderId::kContact, contact + ";expires=0");
  }
  request.Add(HeaderId::kExpires, "0");
  return request;
}

}  // namespace

void Scscf::OnExpiryTimer(const std::string& aor) {
  expiry_timers_.erase(aor);
  const std::vector<ContactChange> changes = registrar_.Expire(aor, host().Now());
  ReportChanges(aor, changes);
  ScheduleExpiry(aor);
  if (changes.empty() || registrar_.Find(aor)) return;
  hss_.UnassignScscf(aor);
  const SipMessage request = DeregistrationRequest(*this, aor, changes, NewCallId());
  ThirdPartyRegister(aor, request, nullptr, RegistrationType::kDeRegistration, 0);
}

void Scscf::Deregister(const std::string& aor, ContactEvent event, const std::string& exclude_as) {
  if (auto timer = expiry_timers_.find(aor); timer != expiry_timers_.end()) {
    host().CancelTimer(timer->second);
    expiry_timers_.erase(timer);
  }
  const std::vector<ContactChange> changes = registrar_.RemoveAll(aor, event);
  if (changes.empty()) return;
  ReportChanges(aor, changes);
  hss_.UnassignScscf(aor);
  const SipMessage request = DeregistrationRequest(*this, aor, changes, NewCallId());
  ThirdPartyRegister(aor, request, nullptr, RegistrationType::kDeRegistration, 0, exclude_as);
}

void Scscf::ThirdPartyRegister(const std::string& aor, const SipMessage& request, const SipMessage* response,
                               RegistrationType type, std::uint32_t expires, const std::string& exclude_as) {
  const ServiceProfile* profile = hss_.FindProfile(aor);
  if (!profile) return;
  const IfcContext context{&request, SessionCase::kOriginating, type};
  std::set<std::string> notified;
  for (const InitialFilterCriteria* ifc : MatchingFilters(*profile, context)) {
    const ApplicationServer& server = ifc->application_server;
    if (server.server_name == exclude_as || !notified.insert(server.server_name).second) continue;
    SendThirdParty(aor, server, &request, response, expires);
  }
  if (expires != 0) return;
  // An AS that holds a registration of this identity hears of its end even when the
  // de-registering REGISTER no longer matches its filter (the UE dropped the feature tag).
  const std::string prefix = aor + "|";
  std::vector<std::string> remembered;
  for (auto it = third_party_.lower_bound(prefix);
       it != third_party_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (it->second.registered) remembered.push_back(it->first.substr(prefix.size()));
  }
  for (const std::string& server_name : remembered) {
    if (server_name == exclude_as || !notified.insert(server_name).second) continue;
    ApplicationServer server;
    server.server_name = server_name;
    for (const InitialFilterCriteria& ifc : profile->initial_filter_criteria) {
      if (ifc.application_server.server_name == server_name) server = ifc.application_server;
    }
    SendThirdParty(aor, server, &request, response, 0);
  }
}

void Scscf::SendThirdParty(const std::string& aor, const ApplicationServer& server, const SipMessage* request,
                           const SipMessage* response, std::uint32_t expires) {
  const std::string key = aor + "|" + server.server_name;
  ThirdParty& state = third_party_[key];
  if (state.call_id.empty()) state.call_id = NewCallId();
  ++state.cseq;

  // TS 24.229 5.4.1.7 a): the Request-URI is the AS's SIP URI (lr only means something in Route).
  std::string request_uri = server.server_name;
  if (auto uri = wire::ParseSipUri(server.server_name); uri.ok()) {
    wire::RemoveParam(uri->params, "lr");
    request_uri = uri->ToString();
  }
  SipMessage third = SipMessage::MakeRequest(Method::kRegister, request_uri);
  third.Add(HeaderId::kMaxForwards, "70");
  third.Add(HeaderId::kFrom, "<" + OwnContact() + ">;tag=" + NewTag());  // b) the S-CSCF's SIP URI
  third.Add(HeaderId::kTo, "<" + aor + ">");                             // c) the public user identity
  third.Add(HeaderId::kCallId, state.call_id);
  third.Add(HeaderId::kCSeq, std::to_string(state.cseq) + " REGISTER");
  third.Add(HeaderId::kContact, "<" + OwnContact() + ">");  // d) the S-CSCF's SIP URI
  third.Add(HeaderId::kExpires, std::to_string(expires));   // e) the granted expiry
  if (request) {
    if (auto charging = request->Get(HeaderId::kPChargingVector)) third.Add(HeaderId::kPChargingVector, *charging);
  }
  // h), i): the incoming REGISTER and / or its 200 (OK) as message/sip.
  std::vector<wire::BodyPart> parts;
  if (server.include_register_request && request) parts.push_back(wire::BodyPart{{}, request->Serialize()});
  if (server.include_register_response && response) parts.push_back(wire::BodyPart{{}, response->Serialize()});
  if (parts.size() == 1) {
    third.SetBody(parts.front().content, "message/sip");
  } else if (parts.size() == 2) {
    for (wire::BodyPart& part : parts) part.headers.Add("Content-Type", "message/sip");
    const std::string boundary = wire::MakeBoundary(parts);
    third.SetBody(wire::SerializeMultipart(parts, boundary), "multipart/mixed;boundary=" + boundary);
  }

  if (on_third_party_register) on_third_party_register(server.server_name, third);
  const auto destination = resolver().Resolve(server.server_name);
  if (!destination) {
    if (on_third_party_result) on_third_party_result(server.server_name, 404);
    if (expires != 0) ThirdPartyFailed(aor, server);
    return;
  }
  // The answer or the as_timeout, whichever comes first, decides.
  const std::weak_ptr<bool> alive = alive_;
  const auto decided = std::make_shared<bool>(false);
  const auto conclude = [this, alive, decided, key, aor, server, expires](int code) {
    const auto token = alive.lock();
    if (!token || !*token || *decided) return;
    *decided = true;
    if (on_third_party_result) on_third_party_result(server.server_name, code);
    if (auto it = third_party_.find(key); it != third_party_.end()) {
      it->second.registered = code / 100 == 2 && expires != 0;
    }
    if (code / 100 != 2 && expires != 0) ThirdPartyFailed(aor, server);
  };
  const sip::TimerId timer = host().StartTimer(scscf_config_.as_timeout, [conclude]() { conclude(408); });
  SendRequest(std::move(third), *destination,
              [this, alive, conclude, timer](const SipMessage* answer, const sip::ClientOutcome&) {
                if (answer && answer->status_code() < 200) return;
                const auto token = alive.lock();
                if (!token || !*token) return;
                host().CancelTimer(timer);
                conclude(answer ? answer->status_code() : 408);
              });
}

void Scscf::ThirdPartyFailed(const std::string& aor, const ApplicationServer& server) {
  // TS 24.229 5.4.1.7: without DefaultHandling the session continues.
  if (server.default_handling != DefaultHandling::kSessionTerminated) return;
  Deregister(aor, ContactEvent::kDeactivated, server.server_name);
}

// ---------------------------------------------------------------------------------------------
// reg event subscriptions

void Scscf::HandleRegSubscribe(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) {
  const auto to = UriOfNameAddr(request.Get(HeaderId::kTo).value_or(""));
  const auto from = UriOfNameAddr(request.Get(HeaderId::kFrom).value_or(""));
  if (!to || !from) {
    Respond(server, 400, "Bad To or From");
    return;
  }
  const std::string identity = wire::AddressOfRecord(*to);
  if (!hss_.FindProfile(identity)) {
    Respond(server, 404);
    return;
  }
  const std::string registered = RegisteredAor(identity);
  const std::string aor = registered.empty() ? identity : registered;

  // RFC 3680 5.1 / TS 24.229 5.4.2.1.1: the user itself, its P-CSCF, or a trusted AS.
  const std::string subscriber = wire::AddressOfRecord(*from);
  const auto implicit_set = hss_.ImplicitSet(identity);
  const bool is_user = std::any_of(implicit_set.begin(), implicit_set.end(), [&](const std::string& member) {
    return NormalizeIdentity(member) == NormalizeIdentity(subscriber);
  });
  const auto host_matches = [&](const std::string& host) {
    if (wire::EqualsIgnoreCase(host, from->host)) return true;
    const auto address = resolver().Lookup(host);
    return address && *address == source.address;
  };
  bool is_pcscf = false;
  if (const Registrar::Record* record = registrar_.Find(aor)) {
    for (const Binding& binding : record->bindings) {
      for (const std::string& hop : binding.path) {
        const auto uri = UriOfNameAddr(hop);
        if (uri && host_matches(uri->host)) is_pcscf = true;
      }
    }
  }
  const bool is_as =
      std::any_of(scscf_config_.trusted_as_hosts.begin(), scscf_config_.trusted_as_hosts.end(), host_matches);
  RegSubscriber kind;
  if (is_user) {
    kind = RegSubscriber::kUser;
  } else if (is_pcscf) {
    kind = RegSubscriber::kPCscf;
  } else if (is_as && scscf_config_.allow_as_reg_subscription) {
    kind = RegSubscriber::kApplicationServer;
  } else {
    Respond(server, 403);
    return;
  }
  reg_event_->HandleSubscribe(server, request, source, aor, kind);
}

}  // namespace pushsim::ims
