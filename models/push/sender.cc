#include "push/sender.h"

#include <algorithm>
#include <utility>

#include "wire/body.h"
#include "wire/feature_tags.h"
#include "wire/mime.h"
#include "wire/sdp.h"
#include "wire/sip_headers.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::push {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

std::string UriOf(std::string_view name_addr) {
  auto parsed = wire::ParseNameAddr(name_addr);
  return parsed.ok() ? parsed->uri : std::string(wire::TrimLws(name_addr));
}

std::string AorOf(std::string_view uri_or_name_addr) {
  const std::string uri = UriOf(uri_or_name_addr);
  auto parsed = wire::ParseSipUri(uri);
  return parsed.ok() ? wire::AddressOfRecord(*parsed) : uri;
}

std::string TagOf(std::string_view name_addr) {
  auto parsed = wire::ParseFromTo(name_addr);
  if (!parsed.ok()) return {};
  const wire::Param* tag = wire::FindParam(parsed->params, "tag");
  return tag && tag->value ? *tag->value : std::string();
}

std::string Unquote(std::string_view value) {
  value = wire::TrimLws(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  return std::string(value);
}

std::vector<std::string> AppIdsFromParams(const wire::Params& params) {
  const wire::Param* tag = wire::FindParam(params, wire::kPushEventAppTag);
  if (!tag || !tag->value) return {};
  auto ids = wire::ParseEventAppIds(*tag->value);
  return ids.ok() ? ids.value() : std::vector<std::string>{};
}

bool IsUnreserved(char c) {
  return wire::IsAlpha(c) || wire::IsDigit(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' ||
         c == '*' || c == '\'' || c == '(' || c == ')';
}

// The Accept-Contact element of TS 9.1.2 step 6 / 9.3.2.1 step 2.
std::string AcceptContactFor(const std::string& app_id) {
  auto value = wire::FormatEventAppIds({app_id});
  return "*;" + std::string(wire::kPushEventAppTag) + "=" + (value.ok() ? value.value() : "\"\"") + ";require;explicit";
}

std::optional<std::uint32_t> RetryAfterOf(const SipMessage& response) {
  auto value = response.Get(HeaderId::kRetryAfter);
  if (!value) return std::nullopt;
  auto parsed = wire::ParseRetryAfter(*value);
  if (!parsed.ok()) return std::nullopt;
  return parsed->seconds;
}

}  // namespace

std::string SyntheticContent(std::size_t size) {
  static constexpr std::string_view kPattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < size; ++i) out.push_back(kPattern[i % kPattern.size()]);
  return out;
}

bool Terminal::Supports(std::string_view app_id) const {
  return std::any_of(app_ids.begin(), app_ids.end(),
                     [&](const std::string& id) { return wire::EqualsIgnoreCase(id, app_id); });
}

std::vector<const Terminal*> UserReachability::Active(sip::TimePoint now) const {
  std::vector<const Terminal*> out;
  for (const Terminal& terminal : terminals) {
    if (terminal.expires_at > now) out.push_back(&terminal);
  }
  return out;
}

const Terminal* UserReachability::FindByGruu(std::string_view gruu) const {
  for (const Terminal& terminal : terminals) {
    if ((!terminal.pub_gruu.empty() && terminal.pub_gruu == gruu) || (!terminal.temp_gruu.empty() && terminal.temp_gruu == gruu)) {
      return &terminal;
    }
  }
  return nullptr;
}

struct PushSenderAgent::RegSubscription {
  std::string aor;
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::uint32_t cseq = 0;
  std::vector<std::string> route_set;
  std::string remote_target;
  sip::TimerId refresh_timer = sip::kNoTimer;
};

struct PushSenderAgent::ProfileDialog {
  ProfileSubscription info;
  std::string local_tag;
  std::string remote_tag;
  std::string remote_from;  // the subscriber's From value (our To)
  std::string event;        // the Event value of the SUBSCRIBE, echoed in NOTIFY
  std::uint32_t cseq = 0;   // ours
  std::uint32_t remote_cseq = 0;
  std::vector<std::string> route_set;
  sip::TimerId expiry_timer = sip::kNoTimer;
};

struct PushSenderAgent::Delivery {
  PushId id = 0;
  std::shared_ptr<const PushRequest> request;
  std::string target;
  std::string refer_app;  // ReferSubscribe
  PushOutcome outcome;
  std::vector<PushFile> files;
  // Dialog state (INVITE, REFER).
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string remote_target;
  std::vector<std::string> route_set;
  std::uint32_t cseq = 0;
  SipMessage invite;  // as sent, for CANCEL
  sip::TransactionId invite_tx = 0;
  bool provisional = false;
  bool cancel_wanted = false;
  bool final_received = false;
  bool established = false;
  bool abandoned = false;
  sip::TimerId retry_timer = sip::kNoTimer;
  std::string profile_call_id;  // kNotify
  std::vector<std::unique_ptr<MsrpSenderSession>> sessions;
  std::vector<sip::ConnectionId> connections;
  std::vector<std::vector<std::size_t>> session_files;  // session -> file indexes
  std::size_t sessions_open = 0;
  std::string sdp_session;
};

PushSenderAgent::PushSenderAgent(sip::Host& host, const sip::Resolver& resolver, sip::StreamHost& streams,
                                 PushSenderConfig config)
    : sip::Element(host, resolver, config.element), streams_(streams), config_(std::move(config)) {}

PushSenderAgent::~PushSenderAgent() {
  *alive_ = false;
  for (auto& [key, delivery] : deliveries_) {
    for (sip::ConnectionId connection : delivery->connections) {
      if (connection != sip::kNoConnection) streams_.Close(connection);
    }
  }
}

std::string PushSenderAgent::OwnContact() const { return "<" + OwnUri("") + ">"; }

// ---------------------------------------------------------------------------------------------
// Reachability

const UserReachability* PushSenderAgent::Find(std::string_view aor) const {
  auto it = users_.find(AorOf(aor));
  return it == users_.end() ? nullptr : &it->second;
}

UserReachability* PushSenderAgent::MutableUser(const std::string& aor, bool create) {
  auto it = users_.find(aor);
  if (it != users_.end()) return &it->second;
  if (!create || users_.size() >= config_.max_users) return nullptr;
  UserReachability& user = users_[aor];
  user.aor = aor;
  return &user;
}

void PushSenderAgent::RemoveUser(const std::string& aor) {
  users_.erase(aor);
  if (on_reachability) on_reachability(aor);
}

void PushSenderAgent::HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint&) {
  const std::string call_id(request.Get(HeaderId::kCallId).value_or(""));
  switch (request.method()) {
    case Method::kRegister:
      HandleThirdPartyRegister(server, request);
      return;
    case Method::kSubscribe:
      HandleProfileSubscribe(server, request);
      return;
    case Method::kNotify: {
      const std::string event = std::string(request.Get(HeaderId::kEvent).value_or(""));
      auto parsed = wire::ParseEvent(event);
      const std::string package = parsed.ok() ? parsed->package : "";
      if (wire::EqualsIgnoreCase(package, "reg")) {
        for (auto& [aor, subscription] : reg_subscriptions_) {
          if (subscription->call_id == call_id) {
            HandleRegNotify(server, request, *subscription);
            return;
          }
        }
      } else if (wire::EqualsIgnoreCase(package, "refer")) {
        if (auto it = delivery_by_call_id_.find(call_id); it != delivery_by_call_id_.end()) {
          HandleReferNotify(server, request, it->second);
          return;
        }
      }
      Respond(server, 481);  // RFC 6665 4.1.3: no such subscription
      return;
    }
    case Method::kBye: {
      Respond(server, 200);
      if (auto it = delivery_by_call_id_.find(call_id); it != delivery_by_call_id_.end()) {
        auto delivery = deliveries_.find(it->second);
        if (delivery != deliveries_.end()) {
          delivery->second->established = false;  // the peer ended it; no BYE from us
          for (auto& session : delivery->second->sessions) session->OnClosed();
        }
      }
      return;
    }
    case Method::kOptions:
      Respond(server, 200);
      return;
    default: {
      SipMessage response = MakeResponse(request, 405);
      response.Add(HeaderId::kAllow, "REGISTER, SUBSCRIBE, NOTIFY, BYE, OPTIONS, ACK, CANCEL");
      Respond(server, std::move(response));
      return;
    }
  }
}

void PushSenderAgent::HandleAck(const SipMessage&, const sip::Endpoint&) {}

void PushSenderAgent::HandleThirdPartyRegister(sip::TransactionId server, const SipMessage& request) {
  const auto to = request.Get(HeaderId::kTo);
  if (!to) {
    Respond(server, 400);
    return;
  }
  const std::string aor = AorOf(*to);
  std::uint32_t expires = 0;
  if (auto value = request.Get(HeaderId::kExpires)) {
    auto parsed = wire::ParseDeltaSeconds(*value);
    if (!parsed.ok()) {
      Respond(server, 400);
      return;
    }
    expires = parsed.value();
  }
  Respond(server, 200);
  if (expires == 0) {
    RemoveUser(aor);
    return;
  }

  // The message/sip parts: the whole body, or the parts of a multipart/mixed body.
  std::vector<SipMessage> embedded;
  if (auto type_text = request.Get(HeaderId::kContentType)) {
    auto type = wire::ParseMediaType(*type_text);
    if (type.ok() && type->Essence() == "message/sip") {
      if (auto message = wire::ParseMessageSipBody(request.body()); message.ok()) embedded.push_back(message.value());
    } else if (type.ok() && type->type == "multipart") {
      if (auto parts = wire::ParseMultipart(request.body(), type.value()); parts.ok()) {
        for (const wire::BodyPart& part : parts.value()) {
          auto part_type = part.ContentType();
          if (!part_type.ok() || part_type->Essence() != "message/sip") continue;
          if (auto message = wire::ParseMessageSipBody(part.content); message.ok()) embedded.push_back(message.value());
        }
      }
    }
  }

  UserReachability* user = MutableUser(aor, true);
  if (user) {
    std::vector<Terminal> terminals = user->terminals;
    bool replaced = false;
    // The UE's REGISTER first (feature tags), then the 200 (the full binding list and GRUUs).
    std::stable_sort(embedded.begin(), embedded.end(),
                     [](const SipMessage& a, const SipMessage& b) { return a.IsRequest() && !b.IsRequest(); });
    for (const SipMessage& message : embedded) LearnFromRegister(aor, message, expires, terminals, replaced);
    if (terminals.size() > config_.max_terminals_per_user) terminals.resize(config_.max_terminals_per_user);
    user->terminals = std::move(terminals);
    if (on_reachability) on_reachability(aor);
  }
  if (config_.subscribe_reg_event) Watch(aor);
}

void PushSenderAgent::LearnFromRegister(const std::string&, const SipMessage& embedded, std::uint32_t default_expires,
                                        std::vector<Terminal>& terminals, bool& replaced) {
  const bool is_response = embedded.IsResponse();
  if (is_response && embedded.status_code() / 100 != 2) return;
  if (!embedded.IsRequest() && !is_response) return;
  auto contacts = wire::ParseContacts(embedded);
  if (!contacts.ok()) return;
  std::uint32_t message_expires = default_expires;
  if (auto value = embedded.Get(HeaderId::kExpires)) {
    if (auto parsed = wire::ParseDeltaSeconds(*value); parsed.ok()) message_expires = parsed.value();
  }
  const sip::TimePoint now = host().Now();
  std::vector<Terminal> learnt;
  for (const wire::Contact& contact : contacts.value()) {
    if (contact.star) {
      if (embedded.IsRequest()) terminals.clear();  // RFC 3261 10.2.2: remove every binding
      continue;
    }
    Terminal terminal;
    terminal.contact = contact.address.uri;
    terminal.instance = contact.instance().value_or("");
    terminal.key = terminal.instance.empty() ? terminal.contact : terminal.instance;
    terminal.pub_gruu = contact.pub_gruu().value_or("");
    terminal.temp_gruu = contact.temp_gruu().value_or("");
    terminal.app_ids = AppIdsFromParams(contact.address.params);
    const std::uint32_t seconds = contact.expires().value_or(message_expires);
    terminal.expires_at = now + std::chrono::seconds(seconds);
    // Keep what an earlier message said and this one does not (the 200 may not echo feature tags).
    auto previous = std::find_if(terminals.begin(), terminals.end(),
                                 [&](const Terminal& t) { return t.key == terminal.key; });
    if (previous != terminals.end()) {
      if (terminal.app_ids.empty() && !(embedded.IsRequest())) terminal.app_ids = previous->app_ids;
      if (terminal.pub_gruu.empty()) terminal.pub_gruu = previous->pub_gruu;
      if (terminal.temp_gruu.empty()) terminal.temp_gruu = previous->temp_gruu;
    }
    if (seconds == 0) {
      if (previous != terminals.end()) terminals.erase(previous);
      continue;
    }
    if (is_response) {
      learnt.push_back(std::move(terminal));
    } else if (previous != terminals.end()) {
      *previous = std::move(terminal);
    } else {
      terminals.push_back(std::move(terminal));
    }
  }
  if (is_response) {
    // The 200 lists every current binding (RFC 3261 10.3 step 8): it replaces the set.
    replaced = true;
    terminals = std::move(learnt);
  }
}

bool PushSenderAgent::watching(std::string_view aor) const { return reg_subscriptions_.count(AorOf(aor)) != 0; }

void PushSenderAgent::Watch(const std::string& aor_text) {
  const std::string aor = AorOf(aor_text);
  if (reg_subscriptions_.count(aor) != 0) return;
  auto subscription = std::make_unique<RegSubscription>();
  subscription->aor = aor;
  subscription->call_id = NewCallId();
  subscription->local_tag = NewTag();
  RegSubscription& ref = *subscription;
  reg_subscriptions_[aor] = std::move(subscription);
  SendRegSubscribe(ref, config_.reg_event_expires);
}

void PushSenderAgent::SendRegSubscribe(RegSubscription& subscription, std::uint32_t expires) {
  const bool in_dialog = !subscription.remote_tag.empty();
  SipMessage subscribe = SipMessage::MakeRequest(Method::kSubscribe, in_dialog ? subscription.remote_target : subscription.aor);
  subscribe.Add(HeaderId::kMaxForwards, "70");
  if (in_dialog) {
    for (const std::string& route : subscription.route_set) subscribe.Add(HeaderId::kRoute, route);
  } else {
    subscribe.Add(HeaderId::kRoute, config_.scscf_route);
  }
  subscribe.Add(HeaderId::kFrom, "<" + config_.identity + ">;tag=" + subscription.local_tag);
  subscribe.Add(HeaderId::kTo, "<" + subscription.aor + ">" + (in_dialog ? ";tag=" + subscription.remote_tag : ""));
  subscribe.Add(HeaderId::kCallId, subscription.call_id);
  subscribe.Add(HeaderId::kCSeq, std::to_string(++subscription.cseq) + " SUBSCRIBE");
  subscribe.Add(HeaderId::kPAssertedIdentity, "<" + config_.identity + ">");
  subscribe.Add(HeaderId::kContact, OwnContact());
  subscribe.Add(HeaderId::kEvent, "reg");
  subscribe.Add(HeaderId::kAccept, "application/reginfo+xml");
  subscribe.Add(HeaderId::kExpires, std::to_string(expires));
  const auto destination = NextHop(in_dialog ? subscription.route_set : std::vector<std::string>{config_.scscf_route},
                                   std::string(subscribe.request_uri()));
  if (!destination) return;
  const std::string aor = subscription.aor;
  const std::weak_ptr<bool> alive = alive_;
  SendRequest(std::move(subscribe), *destination, [this, alive, aor](const SipMessage* response, const sip::ClientOutcome&) {
    if (alive.expired()) return;
    if (response && response->status_code() < 200) return;
    auto it = reg_subscriptions_.find(aor);
    if (it == reg_subscriptions_.end()) return;
    RegSubscription& sub = *it->second;
    if (!response || response->status_code() >= 300) {
      host().CancelTimer(sub.refresh_timer);
      reg_subscriptions_.erase(it);
      return;
    }
    if (sub.remote_tag.empty()) {
      sub.remote_tag = TagOf(response->Get(HeaderId::kTo).value_or(""));
      // RFC 3261 12.1.2: the route set is the Record-Route in reverse order.
      std::vector<std::string> records;
      for (std::string_view value : response->GetAll(HeaderId::kRecordRoute)) records.emplace_back(value);
      std::reverse(records.begin(), records.end());
      sub.route_set = records;
      if (auto contact = response->Get(HeaderId::kContact)) sub.remote_target = UriOf(*contact);
      if (sub.remote_target.empty()) sub.remote_target = sub.aor;
    }
    std::uint32_t granted = config_.reg_event_expires;
    if (auto value = response->Get(HeaderId::kExpires)) {
      if (auto parsed = wire::ParseDeltaSeconds(*value); parsed.ok()) granted = parsed.value();
    }
    host().CancelTimer(sub.refresh_timer);
    if (granted > 0) {
      sub.refresh_timer = host().StartTimer(std::chrono::seconds(granted) / 2, [this, alive, aor] {
        if (alive.expired()) return;
        auto found = reg_subscriptions_.find(aor);
        if (found != reg_subscriptions_.end()) SendRegSubscribe(*found->second, config_.reg_event_expires);
      });
    }
  });
}

void PushSenderAgent::HandleRegNotify(sip::TransactionId server, const SipMessage& request, RegSubscription& subscription) {
  Respond(server, 200);
  // The NOTIFY can arrive before the 200 to the SUBSCRIBE (RFC 6665 4.1.2.4): it sets the dialog.
  if (subscription.remote_tag.empty()) {
    subscription.remote_tag = TagOf(request.Get(HeaderId::kFrom).value_or(""));
    for (std::string_view value : request.GetAll(HeaderId::kRecordRoute)) subscription.route_set.emplace_back(value);
    if (auto contact = request.Get(HeaderId::kContact)) subscription.remote_target = UriOf(*contact);
  }
  const std::string aor = subscription.aor;
  bool terminated = false;
  if (auto state = request.Get(HeaderId::kSubscriptionState)) {
    auto parsed = wire::ParseSubscriptionState(*state);
    terminated = parsed.ok() && wire::EqualsIgnoreCase(parsed->state, "terminated");
  }
  auto info = ims::ParseRegInfo(request.body());
  if (info.ok()) {
    const sip::TimePoint now = host().Now();
    for (const ims::RegInfoRegistration& registration : info->registrations) {
      const std::string reg_aor = AorOf(registration.aor);
      if (registration.state == "terminated") {
        RemoveUser(reg_aor);
        continue;
      }
      UserReachability* user = MutableUser(reg_aor, true);
      if (!user) continue;
      if (info->full) user->terminals.clear();
      for (const ims::RegInfoContact& contact : registration.contacts) {
        Terminal terminal;
        terminal.contact = contact.uri;
        for (const auto& [name, value] : contact.unknown_params) {
          if (wire::EqualsIgnoreCase(name, "+sip.instance")) terminal.instance = Unquote(value);
          if (wire::EqualsIgnoreCase(name, wire::kPushEventAppTag)) {
            if (auto ids = wire::ParseEventAppIds(value); ids.ok()) terminal.app_ids = ids.value();
          }
        }
        terminal.key = terminal.instance.empty() ? terminal.contact : terminal.instance;
        terminal.pub_gruu = contact.pub_gruu;
        terminal.temp_gruu = contact.temp_gruu;
        terminal.expires_at = now + std::chrono::seconds(contact.expires.value_or(0));
        auto previous = std::find_if(user->terminals.begin(), user->terminals.end(),
                                     [&](const Terminal& t) { return t.key == terminal.key; });
        if (contact.state == "terminated") {
          if (previous != user->terminals.end()) user->terminals.erase(previous);
          continue;
        }
        if (previous != user->terminals.end()) {
          // A partial notification of a refresh may leave out what did not change (RFC 5628 4).
          if (terminal.temp_gruu.empty()) terminal.temp_gruu = previous->temp_gruu;
          if (terminal.pub_gruu.empty()) terminal.pub_gruu = previous->pub_gruu;
          *previous = std::move(terminal);
        } else if (user->terminals.size() < config_.max_terminals_per_user) {
          user->terminals.push_back(std::move(terminal));
        }
      }
      if (on_reachability) on_reachability(reg_aor);
    }
  }
  if (terminated) {
    auto it = reg_subscriptions_.find(aor);
    if (it != reg_subscriptions_.end()) {
      host().CancelTimer(it->second->refresh_timer);
      reg_subscriptions_.erase(it);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Push

std::optional<sip::Endpoint> PushSenderAgent::NextHop(const std::vector<std::string>& route_set,
                                                      const std::string& target) const {
  return resolver().Resolve(route_set.empty() ? target : route_set.front());
}

PushId PushSenderAgent::Push(PushRequest request) {
  const PushId id = ++next_push_id_;
  auto shared = std::make_shared<const PushRequest>(std::move(request));
  std::vector<std::string> targets;
  const PushRequest& req = *shared;
  if (req.target == PushRequest::kAllTerminals) {
    if (const UserReachability* user = Find(req.uri)) {
      for (const Terminal* terminal : user->Active(host().Now())) {
        if (terminal->Gruu().empty()) continue;
        if (!req.app_id.empty() && !terminal->Supports(req.app_id)) continue;
        targets.push_back(terminal->Gruu());
      }
    }
  } else if (req.target == PushRequest::kTerminal) {
    targets.push_back(req.uri);
  } else {
    bool supported = true;
    if (const UserReachability* user = Find(req.uri); user && !req.app_id.empty()) {
      const auto active = user->Active(host().Now());
      supported = active.empty() || std::any_of(active.begin(), active.end(),
                                                [&](const Terminal* t) { return t->Supports(req.app_id); });
    }
    if (supported) targets.push_back(req.uri);
  }
  if (targets.empty() || deliveries_.size() >= config_.max_pending_pushes) {
    PushOutcome outcome;
    outcome.id = id;
    outcome.terminal = req.uri;
    outcome.created = host().Now();
    outcome.status = targets.empty() ? AppStatus::kNoTarget : AppStatus::kRejectedMayRetry;
    if (on_outcome) on_outcome(outcome);
    return id;
  }
  for (const std::string& target : targets) StartDelivery(id, shared, target);
  return id;
}

PushId PushSenderAgent::ReferSubscribe(const std::string& target, const std::string& app_id) {
  const PushId id = ++next_push_id_;
  const std::uint64_t key = ++next_delivery_;
  auto delivery = std::make_unique<Delivery>();
  delivery->id = id;
  delivery->target = target;
  delivery->refer_app = app_id;
  delivery->outcome.id = id;
  delivery->outcome.terminal = target;
  delivery->outcome.method = PushMethod::kRefer;
  delivery->outcome.created = host().Now();
  delivery->call_id = NewCallId();
  delivery->local_tag = NewTag();
  delivery_by_call_id_[delivery->call_id] = key;
  deliveries_[key] = std::move(delivery);
  Attempt(key);
  return id;
}

void PushSenderAgent::StartDelivery(PushId id, const std::shared_ptr<const PushRequest>& request, const std::string& target) {
  const std::uint64_t key = ++next_delivery_;
  auto delivery = std::make_unique<Delivery>();
  delivery->id = id;
  delivery->request = request;
  delivery->target = target;
  delivery->outcome.id = id;
  delivery->outcome.terminal = target;
  delivery->outcome.created = host().Now();
  delivery->call_id = NewCallId();
  delivery->local_tag = NewTag();
  if (request->files.empty()) {
    PushFile file;
    file.name = "push" + std::to_string(id);
    file.content_type = request->content_type;
    file.size = request->content.empty() ? request->size : request->content.size();
    file.content = request->content.empty() ? SyntheticContent(request->size) : request->content;
    delivery->files.push_back(std::move(file));
  } else {
    delivery->files = request->files;
    for (PushFile& file : delivery->files) {
      if (file.content.empty()) file.content = SyntheticContent(file.size);
      file.size = file.content.size();
    }
  }
  delivery_by_call_id_[delivery->call_id] = key;
  deliveries_[key] = std::move(delivery);
  Attempt(key);
}

SipMessage PushSenderAgent::NewOutOfDialog(Method method, const std::string& target, Delivery& delivery) {
  SipMessage request = SipMessage::MakeRequest(method, target);
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kRoute, config_.scscf_route);
  request.Add(HeaderId::kFrom, "<" + config_.identity + ">;tag=" + delivery.local_tag);
  request.Add(HeaderId::kTo, "<" + target + ">");
  request.Add(HeaderId::kCallId, delivery.call_id);
  request.Add(HeaderId::kCSeq, std::to_string(++delivery.cseq) + " " + std::string(wire::MethodName(method)));
  request.Add(HeaderId::kPAssertedIdentity, "<" + config_.identity + ">");
  return request;
}

void PushSenderAgent::Attempt(std::uint64_t key) {
  auto it = deliveries_.find(key);
  if (it == deliveries_.end()) return;
  Delivery& delivery = *it->second;
  delivery.retry_timer = sip::kNoTimer;
  // A retry is a new transaction with the same Call-ID and the next CSeq (RFC 3261 8.1.3.5).
  delivery.provisional = delivery.cancel_wanted = delivery.final_received = false;
  if (!delivery.request) {
    SendRefer(key);
    return;
  }
  switch (delivery.request->method) {
    case PushRequest::kMessage:
      SendMessageRequest(key, false);
      return;
    case PushRequest::kIndirection:
      SendMessageRequest(key, true);
      return;
    case PushRequest::kInviteMsrp:
      SendInvite(key);
      return;
    case PushRequest::kNotify:
      SendNotifyPush(key);
      return;
    case PushRequest::kAuto:
      break;
  }
  // TS 9.1.2 step 8: MESSAGE while the entire request stays within the limit.
  SipMessage probe = NewOutOfDialog(Method::kMessage, delivery.target, delivery);
  --delivery.cseq;
  if (!delivery.request->app_id.empty()) probe.Add(HeaderId::kAcceptContact, AcceptContactFor(delivery.request->app_id));
  probe.SetBody(delivery.files.front().content, delivery.request->content_type);
  if (delivery.files.size() == 1 && WireSize(probe) <= config_.message_size_limit) {
    SendMessageRequest(key, false);
  } else if (config_.large_content == LargeContentPolicy::kInviteMsrp || delivery.files.size() > 1) {
    SendInvite(key);
  } else {
    SendMessageRequest(key, true);
  }
}

void PushSenderAgent::SendMessageRequest(std::uint64_t key, bool indirect) {
  Delivery& delivery = *deliveries_.at(key);
  const PushRequest& request = *delivery.request;
  delivery.outcome.method = indirect ? PushMethod::kIndirection : PushMethod::kMessage;
  SipMessage message = NewOutOfDialog(Method::kMessage, delivery.target, delivery);
  if (!request.app_id.empty()) message.Add(HeaderId::kAcceptContact, AcceptContactFor(request.app_id));
  const PushFile& file = delivery.files.front();
  if (indirect) {
    // RFC 4483 with the URL convention of the content server.
    const std::string id = std::to_string(delivery.id) + "-" + std::to_string(++content_counter_);
    wire::ExternalBody external;
    external.url = config_.content_base_url + "/content/" + id + "?size=" + std::to_string(file.size) +
                   "&type=" + wire::PercentEncode(file.content_type, IsUnreserved);
    external.size = file.size;
    external.content_id = "<" + id + "@" + config().host + ">";
    auto type = wire::ParseMediaType(file.content_type);
    if (type.ok()) {
      external.content_type = type.value();
    } else {
      external.content_type = wire::MediaType{"application", "octet-stream", {}};
    }
    auto [outer, body] = wire::MakeExternalBody(external);
    message.SetBody(body, outer.ToString());
  } else {
    message.SetBody(file.content, file.content_type);
  }
  const auto destination = NextHop({config_.scscf_route}, delivery.target);
  if (!destination) {
    OnFinalResponse(key, nullptr);
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  SendRequest(std::move(message), *destination, [this, alive, key](const SipMessage* response, const sip::ClientOutcome&) {
    if (alive.expired() || (response && response->status_code() < 200)) return;
    OnFinalResponse(key, response);
  });
}

void PushSenderAgent::SendInvite(std::uint64_t key) {
  Delivery& delivery = *deliveries_.at(key);
  const PushRequest& request = *delivery.request;
  delivery.outcome.method = PushMethod::kInviteMsrp;
  SipMessage invite = NewOutOfDialog(Method::kInvite, delivery.target, delivery);
  invite.Add(HeaderId::kContact, OwnContact());
  if (!request.app_id.empty()) invite.Add(HeaderId::kAcceptContact, AcceptContactFor(request.app_id));

  const sip::Endpoint local = streams_.LocalEndpoint(config_.msrp_port);
  const std::string address = local.HostText();
  delivery.sdp_session = "s" + std::to_string(delivery.id) + "x" + std::to_string(key);
  wire::SessionDescription offer;
  offer.origin = wire::SdpOrigin{"push", std::to_string(key), "1", "IN", "IP4", address};
  offer.session_name = "-";
  offer.connection = wire::SdpConnection{"IN", "IP4", address};
  for (std::size_t i = 0; i < delivery.files.size(); ++i) {
    const PushFile& file = delivery.files[i];
    const std::string path = "msrp://" + address + ":" + std::to_string(config_.msrp_port) + "/" + delivery.sdp_session +
                             "f" + std::to_string(i) + ";tcp";
    wire::SdpMedia media = wire::MakeMsrpMedia(config_.msrp_port, path, {file.content_type}, wire::SdpDirection::kSendOnly);
    wire::FileSelector selector;
    selector.name = file.name;
    selector.type = file.content_type;
    selector.size = file.size;
    media.AddAttribute("file-selector", wire::ToString(selector));
    media.AddAttribute("file-transfer-id", delivery.sdp_session + "f" + std::to_string(i));
    offer.media.push_back(std::move(media));
  }
  invite.SetBody(offer.Serialize(), "application/sdp");
  const auto destination = NextHop({config_.scscf_route}, delivery.target);
  if (!destination) {
    OnFinalResponse(key, nullptr);
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  delivery.invite_tx = SendRequest(invite, *destination, [this, alive, key](const SipMessage* response, const sip::ClientOutcome&) {
    if (alive.expired()) return;
    auto it = deliveries_.find(key);
    if (it == deliveries_.end()) {
      return;
    }
    Delivery& d = *it->second;
    if (response && response->status_code() < 200) {
      if (response->status_code() > 100) d.provisional = true;
      if (d.provisional && d.cancel_wanted) SendCancel(d);
      return;
    }
    if (response && response->status_code() < 300) {
      OnInvite2xx(key, *response);
      return;
    }
    OnFinalResponse(key, response);
  });
  if (const SipMessage* sent = transactions().request(delivery.invite_tx)) delivery.invite = *sent;
}

void PushSenderAgent::SendCancel(Delivery& delivery) {
  // RFC 3261 9.1: same Request-URI, Call-ID, To, From, CSeq number and top Via as the INVITE.
  const SipMessage& invite = delivery.invite;
  SipMessage cancel = SipMessage::MakeRequest(Method::kCancel, invite.request_uri());
  if (auto via = invite.GetAll(HeaderId::kVia); !via.empty()) cancel.Add(HeaderId::kVia, via.front());
  cancel.Add(HeaderId::kMaxForwards, "70");
  for (std::string_view route : invite.GetAll(HeaderId::kRoute)) cancel.Add(HeaderId::kRoute, route);
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId}) {
    if (auto value = invite.Get(id)) cancel.Add(id, *value);
  }
  cancel.Add(HeaderId::kCSeq, std::to_string(delivery.cseq) + " CANCEL");
  delivery.cancel_wanted = false;
  const auto destination = NextHop({config_.scscf_route}, delivery.target);
  if (destination) transactions().SendRequest(std::move(cancel), *destination);
}

void PushSenderAgent::SendInDialog(Delivery& delivery, Method method, std::string body, std::string content_type) {
  SipMessage request = SipMessage::MakeRequest(method, delivery.remote_target.empty() ? delivery.target : delivery.remote_target);
  request.Add(HeaderId::kMaxForwards, "70");
  for (const std::string& route : delivery.route_set) request.Add(HeaderId::kRoute, route);
  request.Add(HeaderId::kFrom, "<" + config_.identity + ">;tag=" + delivery.local_tag);
  request.Add(HeaderId::kTo, "<" + delivery.target + ">" + (delivery.remote_tag.empty() ? "" : ";tag=" + delivery.remote_tag));
  request.Add(HeaderId::kCallId, delivery.call_id);
  // ACK carries the INVITE's CSeq number (RFC 3261 13.2.2.4); other requests the next one.
  const std::uint32_t cseq = method == Method::kAck ? delivery.cseq : ++delivery.cseq;
  request.Add(HeaderId::kCSeq, std::to_string(cseq) + " " + std::string(wire::MethodName(method)));
  if (!body.empty()) request.SetBody(body, content_type);
  const auto destination = NextHop(delivery.route_set, std::string(request.request_uri()));
  if (!destination) return;
  if (method == Method::kAck) {
    SendStateless(std::move(request), *destination);
  } else {
    SendRequest(std::move(request), *destination, {});
  }
}

void PushSenderAgent::OnInvite2xx(std::uint64_t key, const SipMessage& response) {
  Delivery& delivery = *deliveries_.at(key);
  if (delivery.final_received) {
    // A retransmitted or forked 2xx: ACK it again (RFC 3261 13.2.2.4); the session exists.
    SendInDialog(delivery, Method::kAck);
    return;
  }
  delivery.final_received = true;
  delivery.outcome.code = response.status_code();
  delivery.outcome.final_response = host().Now();
  delivery.remote_tag = TagOf(response.Get(HeaderId::kTo).value_or(""));
  if (auto contact = response.Get(HeaderId::kContact)) delivery.remote_target = UriOf(*contact);
  std::vector<std::string> records;
  for (std::string_view value : response.GetAll(HeaderId::kRecordRoute)) records.emplace_back(value);
  std::reverse(records.begin(), records.end());
  delivery.route_set = records;
  SendInDialog(delivery, Method::kAck);
  delivery.established = true;
  if (delivery.abandoned) {
    // The CANCEL lost the race with the 2xx: end the session at once (RFC 3261 9.1).
    SendInDialog(delivery, Method::kBye);
    delivery.established = false;
    Complete(key, AppStatus::kCancelled);
    return;
  }
  StartMsrp(key, response);
}

void PushSenderAgent::StartMsrp(std::uint64_t key, const SipMessage& response) {
  Delivery& delivery = *deliveries_.at(key);
  auto answer = wire::SessionDescription::Parse(response.body());
  delivery.outcome.files.assign(delivery.files.size(), FileOutcome{});
  for (std::size_t i = 0; i < delivery.files.size(); ++i) delivery.outcome.files[i].name = delivery.files[i].name;
  if (!answer.ok()) {
    SendInDialog(delivery, Method::kBye);
    delivery.established = false;
    Complete(key, AppStatus::kUnsupportedContent);
    return;
  }
  const sip::Endpoint local = streams_.LocalEndpoint(config_.msrp_port);
  // Group the accepted files by the authority of their answered path: one connection each.
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::size_t> by_remote;
  const bool report = delivery.request->delivery_report;
  for (std::size_t i = 0; i < delivery.files.size() && i < answer->media.size(); ++i) {
    const wire::SdpMedia& media = answer->media[i];
    if (media.IsRefused() || media.Path().empty()) continue;  // RFC 3264 6: port 0 refuses the file
    auto remote = wire::ParseMsrpUri(media.Path().front());
    if (!remote.ok() || !remote->port) continue;
    std::uint32_t address = 0;
    if (!sip::ParseIpv4(remote->authority_host, address)) {
      auto looked_up = resolver().Lookup(remote->authority_host);
      if (!looked_up) continue;
      address = *looked_up;
    }
    delivery.outcome.files[i].accepted = true;
    const auto authority = std::make_pair(address, *remote->port);
    auto found = by_remote.find(authority);
    if (found == by_remote.end()) {
      found = by_remote.emplace(authority, delivery.sessions.size()).first;
      delivery.sessions.push_back(std::make_unique<MsrpSenderSession>(
          config_.msrp_chunk_size, report, (static_cast<std::uint64_t>(config().local.address) << 32) ^ (key * 7919 + i)));
      delivery.session_files.emplace_back();
      delivery.connections.push_back(sip::kNoConnection);
    }
    MsrpOutgoingFile file;
    file.content = delivery.files[i].content;
    file.content_type = delivery.files[i].content_type;
    auto local_path = wire::ParseMsrpUri("msrp://" + local.HostText() + ":" + std::to_string(config_.msrp_port) + "/" +
                                         delivery.sdp_session + "f" + std::to_string(i) + ";tcp");
    if (local_path.ok()) file.local_path = local_path.value();
    file.remote_path = remote.value();
    delivery.sessions[found->second]->AddFile(std::move(file));
    delivery.session_files[found->second].push_back(i);
  }
  if (delivery.sessions.empty()) {
    // Every file refused: nothing to transfer.
    SendInDialog(delivery, Method::kBye);
    delivery.established = false;
    Complete(key, AppStatus::kUnsupportedContent);
    return;
  }
  delivery.sessions_open = delivery.sessions.size();
  const std::weak_ptr<bool> alive = alive_;
  for (auto& [authority, index] : by_remote) {
    MsrpSenderSession& session = *delivery.sessions[index];
    const std::size_t session_index = index;
    session.on_complete = [this, alive, key] {
      if (alive.expired()) return;
      auto it = deliveries_.find(key);
      if (it == deliveries_.end()) return;
      // Deferred: the session is still on the stack (inside OnData or OnClosed) and finishing
      // the delivery destroys it.
      if (--it->second->sessions_open == 0) {
        host().StartTimer(sip::Duration::zero(), [this, alive, key] {
          if (!alive.expired()) OnTransferDone(key);
        });
      }
    };
    sip::StreamCallbacks callbacks;
    callbacks.on_connected = [this, alive, key, session_index](sip::ConnectionId connection) {
      if (alive.expired()) return;
      auto it = deliveries_.find(key);
      if (it == deliveries_.end()) return;
      const std::string bytes = it->second->sessions[session_index]->Start();
      if (!bytes.empty()) streams_.Write(connection, bytes);
    };
    callbacks.on_data = [this, alive, key, session_index](sip::ConnectionId connection, std::string_view bytes) {
      if (alive.expired()) return;
      auto it = deliveries_.find(key);
      if (it == deliveries_.end()) return;
      if (!it->second->sessions[session_index]->OnData(bytes)) streams_.Close(connection);
    };
    callbacks.on_closed = [this, alive, key, session_index](sip::ConnectionId) {
      if (alive.expired()) return;
      auto it = deliveries_.find(key);
      if (it == deliveries_.end()) return;
      it->second->connections[session_index] = sip::kNoConnection;
      it->second->sessions[session_index]->OnClosed();
    };
    const sip::Endpoint remote{authority.first, authority.second, sip::Transport::kTcp};
    delivery.connections[index] = streams_.Connect(remote, std::move(callbacks));
  }
}

void PushSenderAgent::OnTransferDone(std::uint64_t key) {
  auto it = deliveries_.find(key);
  if (it == deliveries_.end()) return;
  Delivery& delivery = *it->second;
  // Every offered file must arrive: a refused m-line (RFC 3264 6) leaves the push incomplete.
  bool all = std::all_of(delivery.outcome.files.begin(), delivery.outcome.files.end(),
                         [](const FileOutcome& file) { return file.accepted; });
  for (std::size_t s = 0; s < delivery.sessions.size(); ++s) {
    const auto& results = delivery.sessions[s]->results();
    for (std::size_t f = 0; f < results.size(); ++f) {
      FileOutcome& file = delivery.outcome.files[delivery.session_files[s][f]];
      file.delivered = results[f].delivered;
      file.msrp_failure = results[f].failure_code;
      all = all && results[f].delivered;
    }
  }
  if (all) delivery.outcome.delivered = host().Now();
  // TS 9.3.2.3: BYE when the last MSRP session is released.
  for (sip::ConnectionId& connection : delivery.connections) {
    if (connection != sip::kNoConnection) streams_.Close(connection);
    connection = sip::kNoConnection;
  }
  if (delivery.established) SendInDialog(delivery, Method::kBye);
  delivery.established = false;
  Complete(key, all ? AppStatus::kAccepted : AppStatus::kTransferFailed);
}

void PushSenderAgent::OnFinalResponse(std::uint64_t key, const SipMessage* response) {
  auto it = deliveries_.find(key);
  if (it == deliveries_.end()) return;
  Delivery& delivery = *it->second;
  if (delivery.final_received) return;
  delivery.final_received = true;
  const int code = response ? response->status_code() : 408;
  delivery.outcome.code = code;
  delivery.outcome.final_response = host().Now();
  const AppStatus status = MapResponse(code, delivery.outcome.method);
  if (status == AppStatus::kAccepted) {
    if (delivery.outcome.method == PushMethod::kRefer) {
      delivery.remote_tag = TagOf(response->Get(HeaderId::kTo).value_or(""));
      return;  // the outcome comes with the final refer NOTIFY (RFC 3515 2.4.4)
    }
    delivery.outcome.delivered = host().Now();
    Complete(key, status);
    return;
  }
  if (AllowsRetry(status) && !delivery.abandoned && delivery.outcome.retries < config_.retry.max_retries) {
    ++delivery.outcome.retries;
    const sip::Duration delay =
        RetryDelay(config_.retry, delivery.outcome.retries, response ? RetryAfterOf(*response) : std::nullopt);
    const std::weak_ptr<bool> alive = alive_;
    delivery.retry_timer = host().StartTimer(delay, [this, alive, key] {
      if (!alive.expired()) Attempt(key);
    });
    return;
  }
  Complete(key, delivery.abandoned && code == 487 ? AppStatus::kCancelled : status);
}

void PushSenderAgent::Complete(std::uint64_t key, AppStatus status) {
  auto it = deliveries_.find(key);
  if (it == deliveries_.end()) return;
  std::unique_ptr<Delivery> delivery = std::move(it->second);
  deliveries_.erase(it);
  delivery_by_call_id_.erase(delivery->call_id);
  host().CancelTimer(delivery->retry_timer);
  for (sip::ConnectionId connection : delivery->connections) {
    if (connection != sip::kNoConnection) streams_.Close(connection);
  }
  delivery->outcome.status = status;
  if (on_outcome) on_outcome(delivery->outcome);
}

void PushSenderAgent::Abandon(PushId id) {
  std::vector<std::uint64_t> keys;
  for (const auto& [key, delivery] : deliveries_) {
    if (delivery->id == id) keys.push_back(key);
  }
  for (std::uint64_t key : keys) {
    auto it = deliveries_.find(key);
    if (it == deliveries_.end()) continue;
    Delivery& delivery = *it->second;
    delivery.abandoned = true;
    if (delivery.retry_timer != sip::kNoTimer) {
      Complete(key, AppStatus::kCancelled);
      continue;
    }
    if (delivery.outcome.method == PushMethod::kInviteMsrp && !delivery.final_received && delivery.invite_tx != 0) {
      // TS 9.3.2.2; RFC 3261 9.1: only after a provisional response.
      delivery.cancel_wanted = true;
      if (delivery.provisional) SendCancel(delivery);
      continue;
    }
    if (delivery.established) {
      SendInDialog(delivery, Method::kBye);
      delivery.established = false;
      Complete(key, AppStatus::kCancelled);
    }
    // A MESSAGE or NOTIFY in flight cannot be recalled (RFC 3261 9.1: no CANCEL for non-INVITE);
    // its response still decides the outcome, but no retry follows.
  }
}

// ---------------------------------------------------------------------------------------------
// REFER (003 6.2.3.3)

std::string PushSenderAgent::ReferToValue(const std::string& app_id) const {
  const auto app = wire::FormatEventAppIds({app_id});
  const std::string quoted = app.ok() ? app.value() : "\"\"";
  const std::string event = "ua-profile;profile-type=\"application\";appids=" + quoted;
  const std::string accept = "*;" + std::string(wire::kPushEventAppTag) + "=" + quoted + ";require;explicit";
  // RFC 3261 19.1.1: hvalue characters outside unreserved and hnv-unreserved are escaped.
  const auto keep = [](char c) { return IsUnreserved(c) || c == '[' || c == ']' || c == '/' || c == ':' || c == '+' || c == '$'; };
  return "<" + config_.identity + ";method=SUBSCRIBE?Event=" + wire::PercentEncode(event, keep) +
         "&Accept-Contact=" + wire::PercentEncode(accept, keep) + ">";
}

void PushSenderAgent::SendRefer(std::uint64_t key) {
  Delivery& delivery = *deliveries_.at(key);
  SipMessage refer = NewOutOfDialog(Method::kRefer, delivery.target, delivery);
  refer.Add(HeaderId::kContact, OwnContact());
  refer.Add(HeaderId::kReferTo, ReferToValue(delivery.refer_app));
  refer.Add(HeaderId::kAcceptContact, AcceptContactFor(delivery.refer_app));
  const auto destination = NextHop({config_.scscf_route}, delivery.target);
  if (!destination) {
    OnFinalResponse(key, nullptr);
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  SendRequest(std::move(refer), *destination, [this, alive, key](const SipMessage* response, const sip::ClientOutcome&) {
    if (alive.expired() || (response && response->status_code() < 200)) return;
    OnFinalResponse(key, response);
  });
}

void PushSenderAgent::HandleReferNotify(sip::TransactionId server, const SipMessage& request, std::uint64_t key) {
  Respond(server, 200);
  auto it = deliveries_.find(key);
  if (it == deliveries_.end()) return;
  Delivery& delivery = *it->second;
  bool terminated = false;
  if (auto state = request.Get(HeaderId::kSubscriptionState)) {
    auto parsed = wire::ParseSubscriptionState(*state);
    terminated = parsed.ok() && wire::EqualsIgnoreCase(parsed->state, "terminated");
  }
  auto fragment = wire::ParseSipFrag(request.body());
  const int code = fragment.ok() && fragment->IsResponse() ? fragment->status_code() : 0;
  if (!terminated || code == 0 || code < 200) return;  // RFC 3515 2.4.5: progress only
  if (!delivery.final_received) {
    // The NOTIFY overtook the 202 (RFC 3515 2.4.4 allows it).
    delivery.final_received = true;
    delivery.outcome.final_response = host().Now();
    delivery.outcome.code = 202;
  }
  delivery.outcome.code = code;
  if (code < 300) delivery.outcome.delivered = host().Now();
  Complete(key, MapResponse(code, PushMethod::kRefer));
}

// ---------------------------------------------------------------------------------------------
// ua-profile notifier (RFC 6665, RFC 6080)

void PushSenderAgent::HandleProfileSubscribe(sip::TransactionId server, const SipMessage& request) {
  auto event = wire::ParseEvent(request.Get(HeaderId::kEvent).value_or(""));
  if (!event.ok() || !wire::EqualsIgnoreCase(event->package, "ua-profile")) {
    SipMessage response = MakeResponse(request, 489);  // RFC 6665 4.2.1.1
    response.Add(HeaderId::kAllowEvents, "ua-profile");
    Respond(server, std::move(response));
    return;
  }
  const std::string call_id(request.Get(HeaderId::kCallId).value_or(""));
  const std::string to_tag = TagOf(request.Get(HeaderId::kTo).value_or(""));
  auto cseq = wire::ParseCSeq(request.Get(HeaderId::kCSeq).value_or(""));
  const auto contact = request.Get(HeaderId::kContact);
  if (call_id.empty() || !cseq.ok() || !contact) {
    Respond(server, 400);
    return;
  }
  std::uint32_t expires = config_.ua_profile_default_expires;
  if (auto value = request.Get(HeaderId::kExpires)) {
    auto parsed = wire::ParseDeltaSeconds(*value);
    if (!parsed.ok()) {
      Respond(server, 400);
      return;
    }
    expires = parsed.value();
  }
  expires = std::min(expires, config_.ua_profile_max_expires);

  ProfileDialog* dialog = nullptr;
  if (!to_tag.empty()) {
    auto it = profiles_.find(call_id);
    if (it == profiles_.end() || it->second->local_tag != to_tag) {
      Respond(server, 481);  // RFC 6665 4.2.1.2: refresh of an unknown subscription
      return;
    }
    dialog = it->second.get();
    if (cseq->number <= dialog->remote_cseq) {
      Respond(server, 500);  // RFC 3261 12.2.2
      return;
    }
  } else {
    auto created = std::make_unique<ProfileDialog>();
    created->local_tag = NewTag();
    created->remote_tag = TagOf(request.Get(HeaderId::kFrom).value_or(""));
    created->remote_from = std::string(request.Get(HeaderId::kFrom).value_or(""));
    created->event = std::string(request.Get(HeaderId::kEvent).value_or(""));
    created->info.call_id = call_id;
    created->info.subscriber = AorOf(request.Get(HeaderId::kFrom).value_or(""));
    if (auto ids = wire::FindParam(event->params, "appids"); ids && ids->value) {
      if (auto parsed = wire::ParseEventAppIds(*ids->value); parsed.ok() && !parsed->empty()) created->info.app_id = parsed->front();
    }
    if (created->info.app_id.empty()) {
      for (std::string_view element : request.GetAll(HeaderId::kAcceptContact)) {
        auto predicate = wire::ParseAcceptContact(element);
        if (!predicate.ok()) continue;
        if (const wire::FeatureValue* value = predicate->features.Find(wire::kPushEventAppTag)) {
          for (const wire::FeatureAtom& atom : value->atoms) {
            if (atom.kind == wire::FeatureAtom::Kind::kToken) {
              created->info.app_id = atom.text;
              break;
            }
          }
        }
      }
    }
    // RFC 3261 12.1.1: the UAS's route set is the Record-Route in order.
    for (std::string_view value : request.GetAll(HeaderId::kRecordRoute)) created->route_set.emplace_back(value);
    dialog = created.get();
    if (auto existing = profiles_.find(call_id); existing != profiles_.end()) {
      host().CancelTimer(existing->second->expiry_timer);
    }
    profiles_[call_id] = std::move(created);
  }
  dialog->remote_cseq = cseq->number;
  dialog->info.remote_target = UriOf(*contact);
  dialog->info.expires_at = host().Now() + std::chrono::seconds(expires);

  SipMessage response = MakeResponse(request, 200);
  // MakeResponse derives a To tag of its own; the dialog uses ours.
  response.Set(HeaderId::kTo, std::string(request.Get(HeaderId::kTo).value_or("")) + (to_tag.empty() ? ";tag=" + dialog->local_tag : ""));
  response.Add(HeaderId::kExpires, std::to_string(expires));
  response.Add(HeaderId::kContact, OwnContact());
  Respond(server, std::move(response));

  host().CancelTimer(dialog->expiry_timer);
  if (expires == 0) {
    EndProfile(call_id, "timeout");  // RFC 6665 4.2.1.4: unsubscribe gets a final NOTIFY
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  dialog->expiry_timer = host().StartTimer(std::chrono::seconds(expires), [this, alive, call_id] {
    if (!alive.expired()) EndProfile(call_id, "timeout");
  });
  // RFC 6665 4.2.1.2: a NOTIFY follows every accepted SUBSCRIBE.
  SendProfileNotify(*dialog, "active;expires=" + std::to_string(expires), {}, {}, {});
}

void PushSenderAgent::SendProfileNotify(ProfileDialog& dialog, std::string_view state, std::string body,
                                        std::string content_type, std::function<void(int code)> done) {
  SipMessage notify = SipMessage::MakeRequest(Method::kNotify, dialog.info.remote_target);
  notify.Add(HeaderId::kMaxForwards, "70");
  for (const std::string& route : dialog.route_set) notify.Add(HeaderId::kRoute, route);
  notify.Add(HeaderId::kFrom, "<" + config_.identity + ">;tag=" + dialog.local_tag);
  notify.Add(HeaderId::kTo, dialog.remote_from);
  notify.Add(HeaderId::kCallId, dialog.info.call_id);
  notify.Add(HeaderId::kCSeq, std::to_string(++dialog.cseq) + " NOTIFY");
  notify.Add(HeaderId::kEvent, dialog.event);
  notify.Add(HeaderId::kSubscriptionState, state);
  notify.Add(HeaderId::kContact, OwnContact());
  notify.Add(HeaderId::kPAssertedIdentity, "<" + config_.identity + ">");
  if (!body.empty()) notify.SetBody(body, content_type);
  const auto destination = NextHop(dialog.route_set, dialog.info.remote_target);
  if (!destination) {
    if (done) done(408);
    return;
  }
  const std::weak_ptr<bool> alive = alive_;
  const std::string call_id = dialog.info.call_id;
  SendRequest(std::move(notify), *destination,
              [this, alive, call_id, done](const SipMessage* response, const sip::ClientOutcome&) {
                if (alive.expired() || (response && response->status_code() < 200)) return;
                const int code = response ? response->status_code() : 408;
                // RFC 6665 4.2.2: 481, or a failure without Retry-After, ends the subscription.
                if (code == 481 || code == 408 || (code >= 300 && !(response && response->Has(HeaderId::kRetryAfter)))) {
                  if (auto it = profiles_.find(call_id); it != profiles_.end()) {
                    host().CancelTimer(it->second->expiry_timer);
                    profiles_.erase(it);
                  }
                }
                if (done) done(code);
              });
}

void PushSenderAgent::EndProfile(const std::string& call_id, std::string_view reason) {
  auto it = profiles_.find(call_id);
  if (it == profiles_.end()) return;
  std::unique_ptr<ProfileDialog> dialog = std::move(it->second);
  profiles_.erase(it);
  host().CancelTimer(dialog->expiry_timer);
  SendProfileNotify(*dialog, "terminated;reason=" + std::string(reason), {}, {}, {});
}

std::vector<PushSenderAgent::ProfileSubscription> PushSenderAgent::profile_subscriptions() const {
  std::vector<ProfileSubscription> out;
  for (const auto& [call_id, dialog] : profiles_) out.push_back(dialog->info);
  return out;
}

std::vector<PushSenderAgent::ProfileDialog*> PushSenderAgent::ProfileTargets(const PushRequest& request) {
  std::vector<ProfileDialog*> out;
  const std::string aor = AorOf(request.uri);
  for (auto& [call_id, dialog] : profiles_) {
    if (!request.app_id.empty() && !wire::EqualsIgnoreCase(dialog->info.app_id, request.app_id)) continue;
    if (request.target == PushRequest::kTerminal) {
      if (dialog->info.remote_target == request.uri) out.push_back(dialog.get());
    } else if (dialog->info.subscriber == aor) {
      out.push_back(dialog.get());
      if (request.target == PushRequest::kUser) break;
    }
  }
  return out;
}

void PushSenderAgent::SendNotifyPush(std::uint64_t key) {
  Delivery& delivery = *deliveries_.at(key);
  delivery.outcome.method = PushMethod::kNotify;
  PushRequest lookup = *delivery.request;
  lookup.uri = delivery.target;
  if (lookup.target == PushRequest::kAllTerminals) lookup.target = PushRequest::kTerminal;
  std::vector<ProfileDialog*> dialogs = ProfileTargets(lookup);
  if (dialogs.empty() && lookup.target == PushRequest::kTerminal) {
    // A GRUU target may have subscribed with its contact address: fall back to its user.
    lookup.target = PushRequest::kUser;
    for (const auto& [aor, reach] : users_) {
      if (reach.FindByGruu(delivery.target)) lookup.uri = aor;
    }
    dialogs = ProfileTargets(lookup);
  }
  if (dialogs.empty()) {
    delivery.outcome.code = 0;
    Complete(key, AppStatus::kNoTarget);
    return;
  }
  ProfileDialog& dialog = *dialogs.front();
  delivery.profile_call_id = dialog.info.call_id;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(dialog.info.expires_at - host().Now()).count();
  const PushFile& file = delivery.files.front();
  SendProfileNotify(dialog, "active;expires=" + std::to_string(std::max<long long>(left, 0)), file.content,
                    file.content_type, [this, key](int code) {
                      auto it = deliveries_.find(key);
                      if (it == deliveries_.end()) return;
                      it->second->final_received = false;
                      SipMessage fake = SipMessage::MakeResponse(code);
                      OnFinalResponse(key, code == 408 ? nullptr : &fake);
                    });
}

}  // namespace pushsim::push
