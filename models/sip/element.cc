#include "sip/element.h"

#include <algorithm>

#include "wire/sip_headers.h"
#include "wire/text.h"

namespace pushsim::sip {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

// ---------------------------------------------------------------------------------------------
// Resolver

void Resolver::Add(std::string_view host, std::uint32_t address) { hosts_[wire::ToLower(host)] = address; }

std::optional<std::uint32_t> Resolver::Lookup(std::string_view host) const {
  std::uint32_t address = 0;
  if (ParseIpv4(host, address)) return address;
  const auto it = hosts_.find(wire::ToLower(host));
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

std::optional<Endpoint> Resolver::Resolve(const wire::SipUri& uri) const {
  const auto address = Lookup(uri.host);
  if (!address) return std::nullopt;
  Endpoint endpoint;
  endpoint.address = *address;
  endpoint.port = uri.port.value_or(5060);
  const auto transport = uri.Param("transport");
  endpoint.transport = transport && wire::EqualsIgnoreCase(*transport, "tcp") ? Transport::kTcp : Transport::kUdp;
  return endpoint;
}

std::optional<Endpoint> Resolver::Resolve(std::string_view uri_text) const {
  std::string_view text = wire::TrimLws(uri_text);
  if (!text.empty() && text.front() != '<' && text.find('<') == std::string_view::npos) {
    auto uri = wire::ParseSipUri(text);
    return uri.ok() ? Resolve(*uri) : std::nullopt;
  }
  auto address = wire::ParseNameAddr(text);
  if (!address.ok()) return std::nullopt;
  auto uri = address->SipUriValue();
  return uri.ok() ? Resolve(*uri) : std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Proxy state (RFC 3261 16.2: a response context per forwarded request)

struct Element::ProxyContext {
  struct BranchState {
    TransactionId client = 0;
    SipMessage request;
    Endpoint next_hop;
    bool provisional_seen = false;
    bool done = false;
    bool cancel_wanted = false;
    bool cancel_sent = false;
  };
  TransactionId server = 0;
  bool invite = false;
  ForwardOptions options;
  std::vector<BranchState> branches;
  std::optional<SipMessage> best;
  bool final_sent = false;
};

namespace {

// RFC 3261 16.7 step 6: any 6xx, else the lowest class; within a class the first received.
bool IsBetter(const SipMessage& candidate, const std::optional<SipMessage>& best) {
  if (!best) return true;
  const int candidate_class = candidate.status_code() / 100;
  const int best_class = best->status_code() / 100;
  if (best_class == 6) return false;
  if (candidate_class == 6) return true;
  return candidate_class < best_class;
}

std::string ValueWithTag(std::string_view to, std::string_view tag) {
  std::string out(to);
  out += ";tag=";
  out += tag;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Element

Element::Element(Host& host, const Resolver& resolver, ElementConfig config)
    : host_(host), resolver_(resolver), config_(std::move(config)), transactions_(host, *this, config_.timers) {
  transactions_.set_branch_prefix(config_.host.empty() ? config_.local.HostText() : config_.host);
}

Element::~Element() = default;

void Element::Receive(const SipMessage& message, const Endpoint& source) { transactions_.Receive(message, source); }

std::string Element::NewTag() { return std::to_string(++tag_counter_) + "." + std::to_string(config_.local.address % 100000); }

std::string Element::NewCallId() {
  return "c" + std::to_string(++tag_counter_) + "@" + (config_.host.empty() ? config_.local.HostText() : config_.host);
}

std::string Element::ViaValue(Transport transport, const std::string& branch) const {
  std::string via = "SIP/2.0/";
  via += TransportName(transport);
  via += ' ';
  via += config_.local.HostText();
  via += ':';
  via += std::to_string(config_.local.port);
  via += ";branch=";
  via += branch;
  via += ";rport";
  return via;
}

std::string Element::OwnUri(std::string_view params) const {
  std::string uri = "sip:" + config_.host + ":" + std::to_string(config_.local.port);
  if (!params.empty()) {
    uri += ';';
    uri += params;
  }
  return uri;
}

bool Element::IsMe(std::string_view uri_text) const {
  std::string_view text = wire::TrimLws(uri_text);
  std::optional<wire::SipUri> uri;
  if (!text.empty() && text.front() == '<') {
    auto address = wire::ParseNameAddr(text);
    if (!address.ok()) return false;
    auto parsed = address->SipUriValue();
    if (!parsed.ok()) return false;
    uri = std::move(parsed).value();
  } else {
    auto parsed = wire::ParseSipUri(text);
    if (!parsed.ok()) return false;
    uri = std::move(parsed).value();
  }
  if (uri->port && *uri->port != config_.local.port) return false;
  if (!uri->user.empty()) return false;  // a user part names a user, not this element
  if (wire::EqualsIgnoreCase(uri->host, config_.host) || uri->host == config_.local.HostText()) return true;
  return std::any_of(config_.aliases.begin(), config_.aliases.end(),
                     [&](const std::string& alias) { return wire::EqualsIgnoreCase(uri->host, alias); });
}

bool Element::PopOwnRoute(SipMessage& request, const Element& self) {
  const auto routes = request.GetAll(HeaderId::kRoute);
  if (routes.empty() || !self.IsMe(routes.front())) return false;
  request.RemoveFirstElement(HeaderId::kRoute);
  return true;
}

TransactionId Element::SendRequest(SipMessage request, const Endpoint& destination, ResponseHandler handler) {
  Endpoint to = destination;
  if (to.transport == Transport::kUdp) to.transport = ChooseTransport(WireSize(request));
  const std::string branch = transactions_.NewBranch();
  request.Prepend(HeaderId::kVia, ViaValue(to.transport, branch));
  const TransactionId id = transactions_.SendRequest(std::move(request), to);
  if (id != 0 && handler) uac_handlers_[id] = std::move(handler);
  return id;
}

std::size_t Element::WireSize(const SipMessage& request) const {
  // "Via: " value CRLF; UDP and TCP have the same length, so the transport does not matter.
  return request.SerializedSize() + std::string_view("Via: \r\n").size() +
         ViaValue(Transport::kUdp, transactions_.PeekBranch()).size();
}

void Element::SendStateless(SipMessage request, const Endpoint& destination) {
  request.Prepend(HeaderId::kVia, ViaValue(destination.transport, transactions_.NewBranch()));
  transactions_.SendStateless(request, destination);
}

SipMessage Element::MakeResponse(const SipMessage& request, int code, std::string_view reason) const {
  SipMessage response = SipMessage::MakeResponse(code, reason);
  for (std::size_t i = 0; i < request.header_count(); ++i) {
    const wire::HeaderField field = request.header(i);
    if (field.id == HeaderId::kVia) response.Add(HeaderId::kVia, field.value);
  }
  if (auto from = request.Get(HeaderId::kFrom)) response.Add(HeaderId::kFrom, *from);
  if (auto to = request.Get(HeaderId::kTo)) {
    auto parsed = wire::ParseFromTo(*to);
    const bool has_tag = parsed.ok() && wire::HasParam(parsed->params, "tag");
    if (code != 100 && !has_tag) {
      // Derived from the request so retransmissions get the same tag.
      const std::string_view call_id = request.Get(HeaderId::kCallId).value_or(std::string_view{});
      const std::string tag = "t" + std::to_string(std::hash<std::string_view>()(call_id) % 1000000007u);
      response.Add(HeaderId::kTo, ValueWithTag(*to, tag));
    } else {
      response.Add(HeaderId::kTo, *to);
    }
  }
  if (auto call_id = request.Get(HeaderId::kCallId)) response.Add(HeaderId::kCallId, *call_id);
  if (auto cseq = request.Get(HeaderId::kCSeq)) response.Add(HeaderId::kCSeq, *cseq);
  return response;
}

void Element::Respond(TransactionId server, SipMessage response) { transactions_.SendResponse(server, std::move(response)); }

void Element::Respond(TransactionId server, int code, std::string_view reason) {
  const SipMessage* request = transactions_.request(server);
  if (!request) return;
  Respond(server, MakeResponse(*request, code, reason));
}

void Element::OnRequest(TransactionId server, const SipMessage& request, const Endpoint& source) {
  if (request.method() != Method::kCancel) {
    HandleRequest(server, request, source);
    return;
  }
  // RFC 3261 9.2 / 16.10: answer the CANCEL, then cancel what it refers to.
  const auto invite = transactions_.FindInviteServer(request);
  if (!invite) {
    Respond(server, 481);
    return;
  }
  Respond(server, 200);
  if (auto proxied = proxied_.find(*invite); proxied != proxied_.end()) {
    CancelPendingBranches(*proxied->second);
    return;
  }
  HandleCancelledInvite(*invite);
}

void Element::HandleCancelledInvite(TransactionId invite_server) { Respond(invite_server, 487); }

void Element::OnAck(const SipMessage& ack, const Endpoint& source) { HandleAck(ack, source); }

void Element::HandleAck(const SipMessage& ack, const Endpoint&) {
  // A proxy forwards an ACK to a 2xx statelessly along its Route (RFC 3261 16.11).
  SipMessage forward = ack;
  PopOwnRoute(forward, *this);
  const auto routes = forward.GetAll(HeaderId::kRoute);
  const std::string next = routes.empty() ? std::string(forward.request_uri()) : std::string(routes.front());
  if (routes.empty() && IsMe(next)) return;
  const auto destination = resolver_.Resolve(next);
  if (!destination) return;
  if (auto max_forwards = forward.Get(HeaderId::kMaxForwards)) {
    const auto value = wire::ParseDecimal(*max_forwards, 255);
    if (!value || *value == 0) return;
    forward.Set(HeaderId::kMaxForwards, std::to_string(*value - 1));
  }
  SendStateless(std::move(forward), *destination);
}

void Element::OnResponse(TransactionId client, const SipMessage& response, const ClientOutcome& outcome) {
  if (auto branch = branches_.find(client); branch != branches_.end()) {
    const std::shared_ptr<ProxyContext> context = branch->second.context;  // keep alive
    BranchResponse(*context, branch->second.index, &response);
    return;
  }
  if (auto handler = uac_handlers_.find(client); handler != uac_handlers_.end()) {
    const ResponseHandler callback = handler->second;  // the handler may start new transactions
    callback(&response, outcome);
  }
}

void Element::OnTimeout(TransactionId client, const ClientOutcome& outcome) {
  if (auto branch = branches_.find(client); branch != branches_.end()) {
    const std::shared_ptr<ProxyContext> context = branch->second.context;
    BranchResponse(*context, branch->second.index, nullptr);
    return;
  }
  if (auto handler = uac_handlers_.find(client); handler != uac_handlers_.end()) {
    const ResponseHandler callback = handler->second;
    callback(nullptr, outcome);
  }
}

void Element::OnClientTerminated(TransactionId client) {
  uac_handlers_.erase(client);
  branches_.erase(client);
}

void Element::OnStrayResponse(const SipMessage& response, const Endpoint&) {
  // A 2xx to INVITE that outlived its client transaction is forwarded statelessly by the Via
  // below ours (RFC 3261 16.7 step 5, RFC 6026).
  if (response.cseq_method() != Method::kInvite || response.status_code() / 100 != 2) return;
  auto vias = wire::ParseVias(response);
  if (!vias.ok() || vias->size() < 2) return;
  if (vias->front().host != config_.local.HostText()) return;
  const wire::Via& next = (*vias)[1];
  const std::string host = next.received().value_or(next.host);
  const auto address = resolver_.Lookup(host);
  if (!address) return;
  Endpoint destination{*address, next.rport().value_or(next.port.value_or(5060)),
                       wire::EqualsIgnoreCase(next.transport, "TCP") ? Transport::kTcp : Transport::kUdp};
  SipMessage forward = response;
  forward.RemoveFirstElement(HeaderId::kVia);
  transactions_.SendStateless(forward, destination);
}

bool Element::Forward(TransactionId server, const SipMessage& request, std::vector<ForwardTarget> targets,
                      ForwardOptions options) {
  // RFC 3261 16.3 step 3 and 16.6 step 3: Max-Forwards.
  std::uint32_t max_forwards = 70;
  if (auto value = request.Get(HeaderId::kMaxForwards)) {
    auto parsed = wire::ParseDecimal(*value, 255);
    if (!parsed) {
      Respond(server, 400, "Bad Max-Forwards");
      return false;
    }
    if (*parsed == 0) {
      Respond(server, 483);
      return false;
    }
    max_forwards = static_cast<std::uint32_t>(*parsed) - 1;
  }
  auto context = std::make_shared<ProxyContext>();
  context->server = server;
  context->invite = request.method() == Method::kInvite;
  context->options = std::move(options);
  if (context->invite) Respond(server, 100);  // RFC 3261 16.2: a proxy answers INVITE with 100 at once

  for (ForwardTarget& target : targets) {
    SipMessage copy = request;
    copy.set_request_uri(target.request_uri);
    copy.Set(HeaderId::kMaxForwards, std::to_string(max_forwards));
    for (auto route = target.routes.rbegin(); route != target.routes.rend(); ++route) {
      copy.Prepend(HeaderId::kRoute, *route);
    }
    if (context->options.record_route) {
      std::string record = "<" + OwnUri("lr");
      if (!context->options.record_route_params.empty()) record += ";" + context->options.record_route_params;
      record += ">";
      copy.Prepend(HeaderId::kRecordRoute, record);
    }
    std::optional<Endpoint> next_hop = target.next_hop;
    if (!next_hop) {
      const auto routes = copy.GetAll(HeaderId::kRoute);
      next_hop = resolver_.Resolve(routes.empty() ? std::string_view(copy.request_uri()) : routes.front());
    }
    if (!next_hop) continue;
    ProxyContext::BranchState state;
    state.request = copy;
    state.next_hop = *next_hop;
    context->branches.push_back(std::move(state));
  }
  if (context->branches.empty()) {
    Respond(server, 404, "No Route To Target");
    return false;
  }
  proxied_[server] = context;
  for (std::size_t i = 0; i < context->branches.size(); ++i) {
    ProxyContext::BranchState& state = context->branches[i];
    Endpoint to = state.next_hop;
    if (to.transport == Transport::kUdp) to.transport = ChooseTransport(WireSize(state.request));
    const std::string branch = transactions_.NewBranch();
    state.request.Prepend(HeaderId::kVia, ViaValue(to.transport, branch));
    state.next_hop = to;
    state.client = transactions_.SendRequest(state.request, to);
    branches_[state.client] = Branch{context, i};
  }
  return true;
}

void Element::SendUpstream(ProxyContext& context, SipMessage response) {
  response.RemoveFirstElement(HeaderId::kVia);
  if (context.options.before_forwarding_response) context.options.before_forwarding_response(response);
  const bool final = response.status_code() >= 200;
  transactions_.SendResponse(context.server, std::move(response));
  if (final && !context.final_sent) {
    context.final_sent = true;
    proxied_.erase(context.server);
  }
}

void Element::BranchResponse(ProxyContext& context, std::size_t index, const SipMessage* response) {
  ProxyContext::BranchState& branch = context.branches[index];
  if (branch.done && !(response && context.invite && response->status_code() / 100 == 2)) return;
  SipMessage synthesized;
  if (!response) {
    // Timer B/F on this branch: as if a 408 had arrived (RFC 3261 16.7 step 1 note, 16.8).
    synthesized = MakeResponse(branch.request, 408);
    response = &synthesized;
  }
  const int code = response->status_code();
  if (code < 200) {
    branch.provisional_seen = true;
    if (branch.cancel_wanted && !branch.cancel_sent) CancelPendingBranches(context);
    if (code != 100 && context.invite && !context.final_sent) SendUpstream(context, *response);
    return;
  }
  branch.done = true;
  if (code < 300) {
    // 2xx goes upstream at once; for INVITE every 2xx does (RFC 3261 16.7 step 5).
    if (context.invite || !context.final_sent) SendUpstream(context, *response);
    if (context.invite) CancelPendingBranches(context);
    return;
  }
  if (IsBetter(*response, context.best)) context.best = *response;
  if (code >= 600 && context.invite) CancelPendingBranches(context);
  FinishIfDone(context);
}

void Element::FinishIfDone(ProxyContext& context) {
  if (context.final_sent) return;
  for (const auto& branch : context.branches) {
    if (!branch.done) return;
  }
  if (!context.best) return;
  SipMessage best = *context.best;
  if (best.status_code() == 503 && config_.convert_503_to_500) {
    SipMessage converted = SipMessage::MakeResponse(500);
    for (std::size_t i = 0; i < best.header_count(); ++i) {
      const wire::HeaderField field = best.header(i);
      if (field.id == HeaderId::kContentLength || field.id == HeaderId::kRetryAfter) continue;
      converted.Add(field.name, field.value);
    }
    best = std::move(converted);
  }
  SendUpstream(context, std::move(best));
}

void Element::CancelPendingBranches(ProxyContext& context) {
  if (!context.invite) return;
  for (auto& branch : context.branches) {
    if (branch.done || branch.cancel_sent) continue;
    if (!branch.provisional_seen) {
      branch.cancel_wanted = true;  // RFC 3261 9.1: no CANCEL before a provisional response
      continue;
    }
    SipMessage cancel = SipMessage::MakeRequest(Method::kCancel, branch.request.request_uri());
    if (auto via = branch.request.GetAll(HeaderId::kVia); !via.empty()) cancel.Add(HeaderId::kVia, via.front());
    cancel.Add(HeaderId::kMaxForwards, "70");
    for (std::string_view route : branch.request.GetAll(HeaderId::kRoute)) cancel.Add(HeaderId::kRoute, route);
    for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId}) {
      if (auto value = branch.request.Get(id)) cancel.Add(id, *value);
    }
    if (auto cseq = branch.request.Get(HeaderId::kCSeq)) {
      cancel.Add(HeaderId::kCSeq, std::string(cseq->substr(0, cseq->find_first_of(" \t"))) + " CANCEL");
    }
    branch.cancel_sent = true;
    transactions_.SendRequest(std::move(cancel), branch.next_hop);
  }
}

}  // namespace pushsim::sip
