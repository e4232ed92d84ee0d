#include "push/receiver.h"

#include <algorithm>

#include "wire/body.h"
#include "wire/cpim.h"
#include "wire/feature_tags.h"
#include "wire/mime.h"

namespace pushsim::push {

using sip::Endpoint;
using sip::TransactionId;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

constexpr std::string_view kSipFragType = "message/sipfrag;version=2.0";
constexpr std::string_view kUaProfile = "ua-profile";

std::string Bracketed(std::string_view uri) {
  const std::string_view text = wire::TrimLws(uri);
  if (!text.empty() && text.front() == '<') return std::string(text);
  return "<" + std::string(text) + ">";
}

// The URI of a name-addr value, or the trimmed text when it does not parse.
std::string UriOf(std::string_view value) {
  auto address = wire::ParseNameAddr(value);
  return address.ok() ? address->uri : std::string(wire::TrimLws(value));
}

std::string TagOf(std::optional<std::string_view> from_or_to) {
  if (!from_or_to) return {};
  auto parsed = wire::ParseFromTo(*from_or_to);
  if (!parsed.ok()) return {};
  const wire::Param* tag = wire::FindParam(parsed->params, "tag");
  return tag && tag->value ? *tag->value : std::string();
}

std::string AorOf(std::string_view uri) {
  auto parsed = wire::ParseSipUri(uri);
  return parsed.ok() ? wire::AddressOfRecord(*parsed) : std::string(uri);
}

// RFC 3261 19.1.5: header fields taken from a URI never replace the ones that make the request
// what it is (dialog identifiers, routing, the sender) or its framing.
bool UnsafeUriHeader(std::string_view name) {
  static constexpr std::string_view kUnsafe[] = {"Via",     "From",          "To",      "Call-ID",
                                                 "CSeq",    "Max-Forwards",  "Route",   "Record-Route",
                                                 "Contact", "Content-Length", "Content-Type", "body"};
  return std::any_of(std::begin(kUnsafe), std::end(kUnsafe),
                     [&](std::string_view unsafe) { return wire::EqualsIgnoreCase(unsafe, name); }) ||
         wire::LookupHeader(name) == HeaderId::kVia;
}

std::string SipFrag(int code, std::string_view reason) {
  std::string frag = "SIP/2.0 " + std::to_string(code) + " ";
  frag += reason.empty() ? wire::DefaultReasonPhrase(code) : reason;
  frag += "\r\n";
  return frag;
}

}  // namespace

std::string_view PushViaName(PushVia via) {
  switch (via) {
    case PushVia::kMessage: return "message";
    case PushVia::kIndirection: return "indirection";
    case PushVia::kMsrp: return "msrp";
    case PushVia::kNotify: return "notify";
  }
  return "unknown";
}

void detail::RegisterRequirePref::Send(const Endpoint& destination, const SipMessage& message) {
  if (!enabled_ || !message.IsRequest() || message.method() != Method::kRegister) {
    inner_.Send(destination, message);
    return;
  }
  for (std::string_view tag : message.GetAll(HeaderId::kRequire)) {
    if (wire::EqualsIgnoreCase(wire::TrimLws(tag), "pref")) {
      inner_.Send(destination, message);
      return;
    }
  }
  SipMessage with_pref = message;
  with_pref.Add(HeaderId::kRequire, "pref");
  inner_.Send(destination, with_pref);
}

// ---------------------------------------------------------------------------------------------
// State kept per session, subscription and REFER

struct PushReceiverAgent::MsrpSession {
  std::uint64_t id = 0;
  TransactionId server = 0;
  SipMessage invite;
  Dialog dialog;
  std::string app_id;
  std::string sender;
  std::string session_identity;  // RFC 4579: the Contact of the INVITE
  std::string answer_sdp;
  std::vector<wire::MsrpUri> local_paths;
  std::map<std::string, std::optional<wire::FileSelector>> files;  // local path -> file
  bool answered = false;
  bool acked = false;
  TimePoint received_at{};
  sip::TimerId answer_timer = sip::kNoTimer;
  sip::TimerId ack_timer = sip::kNoTimer;
};

struct PushReceiverAgent::Subscription {
  std::uint64_t id = 0;
  std::string target_uri;
  std::string app_id;
  std::string event;  // the Event header value of the SUBSCRIBE
  std::vector<std::pair<std::string, std::string>> headers;
  Dialog dialog;
  bool established = false;  // remote tag known
  PushSubscriptionState state = PushSubscriptionState::kSubscribing;
  int final_code = 0;
  std::string final_reason;
  std::uint32_t expires = 0;
  std::uint64_t notifies = 0;
  std::uint64_t refer_id = 0;
  bool removing = false;
  sip::TimerId refresh_timer = sip::kNoTimer;
};

struct PushReceiverAgent::Refer {
  enum class Phase : std::uint8_t { kDeferred, kProcessing, kFinished };
  std::uint64_t id = 0;
  Dialog dialog;
  std::string referrer;
  std::string refer_to;
  std::string request_uri;  // the Refer-To URI without method and headers
  std::vector<std::pair<std::string, std::string>> headers;
  std::string app_id;
  std::uint32_t expires = 0;
  std::uint32_t subscribe_expires = 0;
  TimePoint received_at{};
  Phase phase = Phase::kDeferred;
  std::uint64_t subscription_id = 0;
  int final_code = 0;
};

// ---------------------------------------------------------------------------------------------
// Construction and registration

namespace {
std::vector<wire::Param> PushParams(const std::vector<std::string>& app_ids) {
  std::vector<wire::Param> params;
  if (app_ids.empty()) return params;
  auto value = wire::FormatEventAppIds(app_ids);
  if (value.ok()) params.push_back(wire::Param{std::string(wire::kPushEventAppTag), value.value()});
  return params;
}

sip::UserAgentConfig PrepareUa(const PushReceiverConfig& config) {
  sip::UserAgentConfig ua = config.ua;
  // TS 7.2 step 2 / 8.2.1: the feature tag in the Contact of every REGISTER.
  for (const wire::Param& param : PushParams(config.app_ids)) wire::SetParam(ua.contact_params, param.name, param.value);
  for (const char* method : {"INVITE", "ACK", "BYE", "CANCEL", "MESSAGE", "NOTIFY", "REFER", "OPTIONS"}) {
    if (std::find(ua.allow.begin(), ua.allow.end(), method) == ua.allow.end()) ua.allow.emplace_back(method);
  }
  return ua;
}
}  // namespace

PushReceiverAgent::PushReceiverAgent(sip::Host& host, const sip::Resolver& resolver, sip::StreamHost& streams,
                                     PushReceiverConfig config)
    : detail::RegisterRequirePref(host, config.require_pref),
      sip::UserAgent(static_cast<detail::RegisterRequirePref&>(*this), resolver, PrepareUa(config)),
      config_(std::move(config)),
      streams_(streams) {
  listening_ = streams_.Listen(config_.msrp_port, [this](sip::ConnectionId connection, const Endpoint&) {
    return AcceptConnection(connection);
  });
}

PushReceiverAgent::~PushReceiverAgent() {
  if (listening_) streams_.StopListening(config_.msrp_port);
  for (auto& [id, session] : sessions_) {
    host().CancelTimer(session->answer_timer);
    host().CancelTimer(session->ack_timer);
  }
  for (auto& [id, subscription] : subscriptions_) host().CancelTimer(subscription->refresh_timer);
  host().CancelTimer(lockout_timer_);
  for (auto& [connection, state] : connections_) streams_.Close(connection);
}

std::vector<wire::Param> PushReceiverAgent::PushContactParams() const { return PushParams(config_.app_ids); }

void PushReceiverAgent::WithdrawPush() {
  // TS 7.2 step 5b: remain registered, without the Application Resource Identifiers.
  std::vector<wire::Param> params = ua_config().contact_params;
  wire::RemoveParam(params, wire::kPushEventAppTag);
  push_advertised_ = false;
  ReRegister(std::move(params));
}

void PushReceiverAgent::RestorePush() {
  std::vector<wire::Param> params = ua_config().contact_params;
  for (const wire::Param& param : PushContactParams()) wire::SetParam(params, param.name, param.value);
  push_advertised_ = true;
  ReRegister(std::move(params));
}

void PushReceiverAgent::RegisterApplication(std::string app_id, PushCallback callback) {
  applications_[std::move(app_id)] = std::move(callback);
}

void PushReceiverAgent::UnregisterApplication(const std::string& app_id) { applications_.erase(app_id); }

// ---------------------------------------------------------------------------------------------
// Checks shared by the push requests

std::optional<std::string> PushReceiverAgent::TargetApp(const SipMessage& request) const {
  // TS 9.1.1 step 5 / 9.3.1.1: the Application Resource Identifier in Accept-Contact (RFC 3841).
  for (std::string_view element : request.GetAll(HeaderId::kAcceptContact)) {
    auto predicate = wire::ParseAcceptContact(element);
    if (!predicate.ok()) continue;
    const wire::FeatureValue* value = predicate->features.Find(wire::kPushEventAppTag);
    if (!value) continue;
    for (const std::string& ours : config_.app_ids) {
      if (value->HasToken(ours)) return ours;
    }
  }
  return std::nullopt;
}

std::optional<std::string> PushReceiverAgent::TrustedSender(const SipMessage& request) const {
  // TS 9.1.1 step 6, 12.3.2 (RFC 3325): a P-Asserted-Identity naming a trusted sender.
  auto identities = wire::ParseNameAddrList(request, HeaderId::kPAssertedIdentity);
  if (!identities.ok()) return std::nullopt;
  for (const wire::NameAddr& identity : *identities) {
    const std::string aor = AorOf(identity.uri);
    for (const std::string& trusted : config_.trusted_senders) {
      if (AorOf(trusted) == aor) return identity.uri;
    }
  }
  return std::nullopt;
}

int PushReceiverAgent::CheckPushRequest(const SipMessage& request, std::string& app_id, std::string& sender) const {
  auto app = TargetApp(request);
  if (!app) return 403;
  auto trusted = TrustedSender(request);
  if (!trusted) return 403;
  app_id = *app;
  sender = *trusted;
  return 0;
}

bool PushReceiverAgent::TypeAccepted(const std::string& app_id, const wire::MediaType& type) const {
  auto entry = config_.accepted_types.find(app_id);
  if (entry == config_.accepted_types.end()) return true;
  return std::any_of(entry->second.begin(), entry->second.end(),
                     [&](const std::string& pattern) { return type.Matches(pattern); });
}

std::string PushReceiverAgent::AcceptValue(const std::string& app_id) const {
  std::string accept;
  auto entry = config_.accepted_types.find(app_id);
  if (entry == config_.accepted_types.end()) return "*/*";
  for (const std::string& type : entry->second) {
    if (!accept.empty()) accept += ", ";
    accept += type == "*" ? "*/*" : type;
  }
  // RFC 4483: content by indirection is accepted whenever a fetcher is there.
  if (config_.fetch) accept += accept.empty() ? "message/external-body" : ", message/external-body";
  return accept;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

void PushReceiverAgent::HandleRequest(TransactionId server, const SipMessage& request, const Endpoint& source) {
  if (on_request) on_request(request);
  switch (request.method()) {
    case Method::kMessage: HandleMessage(server, request); return;
    case Method::kInvite: HandleInvite(server, request); return;
    case Method::kBye: HandleBye(server, request); return;
    case Method::kNotify: HandleNotify(server, request); return;
    case Method::kRefer: HandleRefer(server, request); return;
    case Method::kSubscribe:
      if (!TagOf(request.Get(HeaderId::kTo)).empty()) {
        HandleInDialogSubscribe(server, request);
        return;
      }
      break;
    default: break;
  }
  auto observer = std::move(on_request);  // already reported above
  sip::UserAgent::HandleRequest(server, request, source);
  on_request = std::move(observer);
}

// ---------------------------------------------------------------------------------------------
// MESSAGE (TS 9.1.1)

void PushReceiverAgent::HandleMessage(TransactionId server, const SipMessage& request) {
  ++stats_.messages_received;
  const TimePoint received_at = host().Now();
  std::string app_id;
  std::string sender;
  if (!TargetApp(request)) {
    ++stats_.messages_forbidden_app;  // step 5
    Respond(server, 403);
    return;
  }
  if (!TrustedSender(request)) {
    ++stats_.messages_forbidden_sender;  // step 6
    Respond(server, 403);
    return;
  }
  CheckPushRequest(request, app_id, sender);
  const std::string call_id(request.Get(HeaderId::kCallId).value_or(""));

  const auto content_type_text = request.Get(HeaderId::kContentType);
  wire::MediaType type;
  if (content_type_text) {
    auto parsed = wire::ParseMediaType(*content_type_text);
    if (!parsed.ok()) {
      ++stats_.messages_bad;
      Respond(server, 400);
      return;
    }
    type = parsed.value();
  } else if (!request.body().empty()) {
    // RFC 3261 20.15: a body needs a Content-Type.
    ++stats_.messages_bad;
    Respond(server, 400);
    return;
  }

  std::optional<wire::ExternalBody> external;
  if (content_type_text && type.Essence() == "message/external-body") {
    auto parsed = wire::ParseExternalBody(type, request.body());
    if (!parsed.ok()) {
      ++stats_.messages_bad;
      Respond(server, 400);
      return;
    }
    external = parsed.value();
  }
  // The type the application would receive: the phantom body's for indirection (RFC 4483).
  const wire::MediaType& content_type = external ? external->content_type : type;
  if ((content_type_text && !TypeAccepted(app_id, content_type)) || (external && !config_.fetch)) {
    // RFC 3428 / RFC 3261 21.4.13: 415 lists what is accepted in Accept.
    ++stats_.messages_unsupported_type;
    SipMessage response = MakeResponse(request, 415);
    response.Add(HeaderId::kAccept, AcceptValue(app_id));
    Respond(server, std::move(response));
    return;
  }
  // Step 7: 200 (RFC 3428: no body). With indirection the 200 comes first, the fetch after (step 8).
  ++stats_.messages_accepted;
  Respond(server, 200);
  if (external) {
    Fetch(app_id, sender, call_id, *external, received_at);
    return;
  }
  PushDelivery delivery;
  delivery.app_id = app_id;
  delivery.content_type = content_type_text ? content_type.ToString() : std::string();
  delivery.body = std::string(request.body());
  delivery.size = delivery.body.size();
  delivery.via = PushVia::kMessage;
  delivery.sender = sender;
  delivery.message_id = call_id;
  delivery.request_received_at = received_at;
  Deliver(std::move(delivery));
}

void PushReceiverAgent::Fetch(std::string app_id, std::string sender, std::string call_id,
                              wire::ExternalBody external, TimePoint received_at) {
  ++stats_.fetches_started;
  std::weak_ptr<int> alive = alive_;
  const std::string url = external.url;
  config_.fetch(url, [this, alive, app_id = std::move(app_id), sender = std::move(sender),
                      call_id = std::move(call_id), external = std::move(external),
                      received_at](int http_status, std::string body) {
    if (alive.expired()) return;
    if (http_status / 100 != 2 || body.size() > config_.max_fetch_size) {
      ++stats_.fetches_failed;
      return;
    }
    ++stats_.fetches_succeeded;
    // RFC 4483 4: size is what the sender announced; a different length is counted, the content
    // is still the content.
    if (external.size && *external.size != body.size()) ++stats_.fetch_size_mismatches;
    PushDelivery delivery;
    delivery.app_id = app_id;
    delivery.content_type = external.content_type.ToString();
    delivery.size = body.size();
    delivery.body = std::move(body);
    delivery.via = PushVia::kIndirection;
    delivery.sender = sender;
    delivery.message_id = call_id;
    delivery.request_received_at = received_at;
    Deliver(std::move(delivery));
  });
}

void PushReceiverAgent::Deliver(PushDelivery delivery) {
  delivery.delivered_at = host().Now();
  ++stats_.deliveries;
  bool claimed = false;
  if (auto application = applications_.find(delivery.app_id);
      application != applications_.end() && application->second) {
    application->second(delivery);
    claimed = true;
  }
  if (on_push) {
    on_push(delivery);
    claimed = true;
  }
  if (!claimed) ++stats_.deliveries_unclaimed;
}

// ---------------------------------------------------------------------------------------------
// Dialog helpers

std::string PushReceiverAgent::ResponseToTag(const SipMessage& response) { return TagOf(response.Get(HeaderId::kTo)); }

std::string PushReceiverAgent::DialogContact() const {
  // RFC 5627 4.2: with a GRUU, dialog-forming messages carry it as Contact.
  return Bracketed(pub_gruu() ? *pub_gruu() : ContactUri());
}

SipMessage PushReceiverAgent::NewInDialogRequest(Dialog& dialog, Method method) {
  // RFC 3261 12.2.1.1.
  SipMessage request = SipMessage::MakeRequest(method, dialog.remote_target);
  request.Add(HeaderId::kMaxForwards, "70");
  for (const std::string& route : dialog.route_set) request.Add(HeaderId::kRoute, route);
  request.Add(HeaderId::kFrom, Bracketed(dialog.local_uri) + ";tag=" + dialog.local_tag);
  std::string to = Bracketed(dialog.remote_uri);
  if (!dialog.remote_tag.empty()) to += ";tag=" + dialog.remote_tag;
  request.Add(HeaderId::kTo, to);
  request.Add(HeaderId::kCallId, dialog.call_id);
  request.Add(HeaderId::kCSeq, std::to_string(++dialog.local_cseq) + " " + std::string(wire::MethodName(method)));
  return request;
}

std::optional<Endpoint> PushReceiverAgent::NextHop(const Dialog& dialog) const {
  const std::string next = dialog.route_set.empty() ? dialog.remote_target : UriOf(dialog.route_set.front());
  if (auto endpoint = resolver().Resolve(next)) return endpoint;
  return resolver().Resolve(ua_config().outbound_proxy);
}

// ---------------------------------------------------------------------------------------------
// INVITE and MSRP (TS 9.3.1)

namespace {

// RFC 4975 8: is an offered accept-type one the application takes? message/cpim is taken when a
// wrapped type is (RFC 4975 8.6, accept-wrapped-types).
bool OfferedTypeSupported(const std::string& offered, const wire::SdpMedia& media,
                          const std::function<bool(const wire::MediaType&)>& accepted) {
  if (offered == "*") return true;
  auto type = wire::ParseMediaType(offered);
  if (!type.ok()) return false;
  if (accepted(*type)) return true;
  if (type->Essence() != "message/cpim") return false;
  for (const std::string& wrapped : media.AcceptWrappedTypes()) {
    if (wrapped == "*") return true;
    auto inner = wire::ParseMediaType(wrapped);
    if (inner.ok() && accepted(*inner)) return true;
  }
  return false;
}

std::optional<std::string> FindSdp(const SipMessage& request) {
  auto content_type = request.Get(HeaderId::kContentType);
  if (!content_type) return std::nullopt;
  auto type = wire::ParseMediaType(*content_type);
  if (!type.ok()) return std::nullopt;
  if (type->Essence() == "application/sdp") return std::string(request.body());
  if (type->type.empty() || !wire::EqualsIgnoreCase(type->type, "multipart")) return std::nullopt;
  // TS C.3: the SDP may travel in a multipart/mixed body beside an icon (RFC 5547 icon).
  auto parts = wire::ParseMultipart(request.body(), *type);
  if (!parts.ok()) return std::nullopt;
  for (const wire::BodyPart& part : *parts) {
    auto part_type = part.ContentType();
    if (part_type.ok() && part_type->Essence() == "application/sdp") return part.content;
  }
  return std::nullopt;
}

}  // namespace

std::string PushReceiverAgent::NewMsrpSessionId() {
  // RFC 4975 14.1 wants 80 bits of randomness; the simulator needs uniqueness and reproducible
  // runs, so the id is a hash of the agent's address and a counter.
  const std::string seed = config().local.ToString() + "#" + std::to_string(++next_id_);
  return "s" + std::to_string(wire::StableHash(seed) % 1000000000000ull);
}

void PushReceiverAgent::HandleInvite(TransactionId server, const SipMessage& request) {
  ++stats_.invites_received;
  const std::string call_id(request.Get(HeaderId::kCallId).value_or(""));
  // A re-INVITE of an existing session is not supported by a push receiver (RFC 3261 14.2 lets a
  // UAS refuse a modification; the session stays as it is).
  if (!TagOf(request.Get(HeaderId::kTo)).empty()) {
    Respond(server, 488);
    ++stats_.invites_not_acceptable;
    return;
  }
  // The identity checks run before the media check although TS 9.3.1.1 lists the media first: an
  // unknown or untrusted sender learns nothing about the receiver's capabilities (TS 12.3.2), and
  // a request that passes every check gets the same answer either way.
  std::string app_id;
  std::string sender;
  if (CheckPushRequest(request, app_id, sender) != 0) {
    ++stats_.invites_forbidden;
    Respond(server, 403);
    return;
  }
  auto sdp_text = FindSdp(request);
  if (!sdp_text) {
    // No offer: a push receiver has nothing to offer itself (RFC 3264 5 would make it offer).
    ++stats_.invites_not_acceptable;
    Respond(server, 488);
    return;
  }
  auto offer = wire::SessionDescription::Parse(*sdp_text);
  if (!offer.ok()) {
    ++stats_.invites_bad;
    Respond(server, 400);
    return;
  }

  auto session = std::make_unique<MsrpSession>();
  session->id = ++next_id_;
  session->server = server;
  session->invite = request;
  session->app_id = app_id;
  session->sender = sender;
  session->received_at = host().Now();
  if (auto contact = request.Get(HeaderId::kContact)) session->session_identity = UriOf(*contact);

  const Endpoint msrp = streams_.LocalEndpoint(config_.msrp_port);
  const std::string address = msrp.HostText();
  wire::SdpOrigin origin;
  origin.username = "-";
  origin.session_id = std::to_string(1000 + session->id);
  origin.session_version = origin.session_id;
  origin.address = address;
  wire::SdpConnection connection;
  connection.address = address;
  wire::SessionDescription answer = wire::MakeAnswer(*offer, origin, connection);

  const auto accepted = [&](const wire::MediaType& type) { return TypeAccepted(app_id, type); };
  bool any_type_supported = false;
  std::size_t accepted_media = 0;
  for (std::size_t index = 0; index < offer->media.size(); ++index) {
    const wire::SdpMedia& offered = offer->media[index];
    if (!offered.IsMsrp() || offered.IsRefused()) continue;
    std::vector<std::string> types;
    for (const std::string& type : offered.AcceptTypes()) {
      if (OfferedTypeSupported(type, offered, accepted)) types.push_back(type);
    }
    if (types.empty()) continue;  // step 1: none of the offered accept-types is supported
    any_type_supported = true;
    // TS 9.3.2.1 5a: the sender sends only; a stream that wants us to send is refused.
    const wire::SdpDirection direction = offer->DirectionOf(index);
    if (direction != wire::SdpDirection::kSendOnly && direction != wire::SdpDirection::kSendRecv) continue;
    std::optional<wire::FileSelector> file;
    if (offered.HasAttribute("file-selector")) {
      auto selector = offered.GetFileSelector();
      // Step 3 (RFC 5547): accept the files the application wants; the rest keep port 0.
      if (!selector.ok() || (config_.accept_file && !config_.accept_file(*selector))) {
        ++stats_.files_refused;
        continue;
      }
      if (selector->size && *selector->size > config_.msrp_max_size) {
        ++stats_.files_refused;
        continue;
      }
      file = *selector;
      ++stats_.files_accepted;
    }
    const std::string path_text = "msrp://" + address + ":" + std::to_string(config_.msrp_port) + "/" +
                                  NewMsrpSessionId() + ";tcp";
    auto path = wire::ParseMsrpUri(path_text);
    if (!path.ok()) continue;
    // 200 answer, step 2a: recvonly; 2b: max-size (RFC 4975 8.6).
    wire::SdpMedia media = wire::MakeMsrpMedia(config_.msrp_port, path_text, types, wire::SdpDirection::kRecvOnly);
    if (offered.HasAttribute("accept-wrapped-types")) {
      std::string wrapped;
      for (const std::string& type : offered.AcceptWrappedTypes()) {
        auto parsed = wire::ParseMediaType(type);
        if (type == "*" ? accepted(wire::MediaType{"*", "*", {}}) || config_.accepted_types.count(app_id) == 0
                        : parsed.ok() && accepted(*parsed)) {
          if (!wrapped.empty()) wrapped += ' ';
          wrapped += type;
        }
      }
      if (!wrapped.empty()) media.AddAttribute("accept-wrapped-types", wrapped);
    }
    media.AddAttribute("max-size", std::to_string(config_.msrp_max_size));
    // RFC 5547 8.3: the answer echoes the file-selector (and file-transfer-id) it accepts.
    if (auto selector = offered.Attribute("file-selector")) media.AddAttribute("file-selector", std::string(*selector));
    if (auto transfer_id = offered.FileTransferId()) media.AddAttribute("file-transfer-id", *transfer_id);
    answer.media[index] = std::move(media);
    session->local_paths.push_back(*path);
    session->files[path->ToString()] = file;
    ++accepted_media;
  }
  if (!any_type_supported || accepted_media == 0) {
    // Step 1, and step 3 when every file was refused: 488 (RFC 3261 21.4.26).
    ++stats_.invites_not_acceptable;
    Respond(server, 488);
    return;
  }
  session->answer_sdp = answer.Serialize();

  // The dialog (RFC 3261 12.1.1): our tag is the one MakeResponse puts in To.
  const SipMessage probe = MakeResponse(request, 200);
  Dialog& dialog = session->dialog;
  dialog.call_id = call_id;
  dialog.local_tag = ResponseToTag(probe);
  dialog.remote_tag = TagOf(request.Get(HeaderId::kFrom));
  dialog.local_uri = UriOf(request.Get(HeaderId::kTo).value_or(""));
  dialog.remote_uri = UriOf(request.Get(HeaderId::kFrom).value_or(""));
  dialog.remote_target = session->session_identity;
  for (std::string_view route : request.GetAll(HeaderId::kRecordRoute)) dialog.route_set.emplace_back(route);

  const std::uint64_t id = session->id;
  for (const wire::MsrpUri& path : session->local_paths) msrp_paths_[path.ToString()] = id;
  sessions_[id] = std::move(session);
  if (config_.invite_answer_delay > Duration::zero()) {
    SipMessage ringing = MakeResponse(request, 180);
    for (std::string_view route : request.GetAll(HeaderId::kRecordRoute)) ringing.Add(HeaderId::kRecordRoute, route);
    ringing.Add(HeaderId::kContact, DialogContact());
    Respond(server, std::move(ringing));
    sessions_[id]->answer_timer = host().StartTimer(config_.invite_answer_delay, [this, id] {
      auto it = sessions_.find(id);
      if (it == sessions_.end()) return;
      it->second->answer_timer = sip::kNoTimer;
      AnswerInvite(id);
    });
    return;
  }
  AnswerInvite(id);
}

void PushReceiverAgent::AnswerInvite(std::uint64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  MsrpSession& session = *it->second;
  SipMessage response = MakeResponse(session.invite, 200);
  // RFC 3261 12.1.1: Record-Route copied, Contact for the remote target.
  for (std::string_view route : session.invite.GetAll(HeaderId::kRecordRoute)) {
    response.Add(HeaderId::kRecordRoute, route);
  }
  response.Add(HeaderId::kContact, DialogContact());
  response.SetBody(session.answer_sdp, "application/sdp");
  session.answered = true;
  ++stats_.invites_accepted;
  // Step 4: ready for SEND before the 200 leaves.
  for (auto& [connection, state] : connections_) {
    for (const wire::MsrpUri& path : session.local_paths) state.session->AddLocalPath(path);
  }
  Respond(session.server, std::move(response));
  session.ack_timer = host().StartTimer(config_.ack_timeout, [this, session_id] {
    auto found = sessions_.find(session_id);
    if (found == sessions_.end() || found->second->acked) return;
    found->second->ack_timer = sip::kNoTimer;
    ++stats_.sessions_without_ack;
    ReleaseSession(session_id);
  });
}

void PushReceiverAgent::HandleAck(const SipMessage& ack, const Endpoint&) {
  const std::string_view call_id = ack.Get(HeaderId::kCallId).value_or("");
  for (auto& [id, session] : sessions_) {
    if (session->dialog.call_id != call_id || !session->answered || session->acked) continue;
    session->acked = true;
    host().CancelTimer(session->ack_timer);
    session->ack_timer = sip::kNoTimer;
    ++stats_.sessions_established;
    return;
  }
}

void PushReceiverAgent::HandleCancelledInvite(TransactionId invite_server) {
  for (auto& [id, session] : sessions_) {
    if (session->server != invite_server || session->answered) continue;
    // RFC 3261 9.2: the INVITE gets 487; nothing of the session remains.
    ++stats_.invites_cancelled;
    Respond(invite_server, 487);
    ReleaseSession(id);
    return;
  }
  sip::UserAgent::HandleCancelledInvite(invite_server);
}

void PushReceiverAgent::HandleBye(TransactionId server, const SipMessage& request) {
  const std::string_view call_id = request.Get(HeaderId::kCallId).value_or("");
  const std::string from_tag = TagOf(request.Get(HeaderId::kFrom));
  const std::string to_tag = TagOf(request.Get(HeaderId::kTo));
  for (auto& [id, session] : sessions_) {
    const Dialog& dialog = session->dialog;
    if (dialog.call_id != call_id || dialog.remote_tag != from_tag || dialog.local_tag != to_tag) continue;
    // TS 9.3.1.2 steps 1-2: 200; step 3: the user plane resources go.
    Respond(server, 200);
    ++stats_.sessions_released;
    ReleaseSession(id);
    return;
  }
  ++stats_.byes_unknown;
  Respond(server, 481);  // RFC 3261 15.1.2
}

void PushReceiverAgent::ReleaseSession(std::uint64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  std::unique_ptr<MsrpSession> session = std::move(it->second);
  sessions_.erase(it);
  host().CancelTimer(session->answer_timer);
  host().CancelTimer(session->ack_timer);
  for (const wire::MsrpUri& path : session->local_paths) msrp_paths_.erase(path.ToString());
  std::vector<sip::ConnectionId> idle;
  for (auto& [connection, state] : connections_) {
    for (const wire::MsrpUri& path : session->local_paths) state.session->RemoveLocalPath(path);
    if (!state.session->HasLocalPaths()) idle.push_back(connection);
  }
  // RFC 4975 5.4 / 7.3: a connection that no longer carries a session is closed.
  for (sip::ConnectionId connection : idle) {
    streams_.Close(connection);
    connections_.erase(connection);
  }
}

sip::StreamCallbacks PushReceiverAgent::AcceptConnection(sip::ConnectionId connection) {
  ++stats_.msrp_connections;
  MsrpReceiverLimits limits;
  limits.max_message_size = config_.msrp_max_size;
  limits.max_open_messages = config_.msrp_max_open_messages;
  ConnectionState state;
  state.session = std::make_unique<MsrpReceiverSession>(
      limits, [this, connection](std::string bytes) { streams_.Write(connection, bytes); },
      [this](MsrpReceivedMessage message) { OnMsrpMessage(std::move(message)); });
  for (const auto& [id, session] : sessions_) {
    if (!session->answered) continue;
    for (const wire::MsrpUri& path : session->local_paths) state.session->AddLocalPath(path);
  }
  connections_[connection] = std::move(state);
  sip::StreamCallbacks callbacks;
  callbacks.on_data = [this](sip::ConnectionId id, std::string_view bytes) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    if (!it->second.session->Feed(bytes)) {
      ++stats_.msrp_connections_broken;
      streams_.Close(id);
      connections_.erase(id);
    }
  };
  callbacks.on_closed = [this](sip::ConnectionId id) { connections_.erase(id); };
  return callbacks;
}

void PushReceiverAgent::OnMsrpMessage(MsrpReceivedMessage message) {
  auto path = msrp_paths_.find(message.session_path);
  if (path == msrp_paths_.end()) return;
  auto session = sessions_.find(path->second);
  if (session == sessions_.end()) return;
  PushDelivery delivery;
  delivery.app_id = session->second->app_id;
  delivery.sender = session->second->sender;
  delivery.via = PushVia::kMsrp;
  delivery.message_id = message.message_id;
  delivery.request_received_at = session->second->received_at;
  if (auto file = session->second->files.find(message.session_path); file != session->second->files.end()) {
    delivery.file = file->second;
  }
  delivery.content_type = message.content_type;
  delivery.body = std::move(message.body);
  auto type = wire::ParseMediaType(delivery.content_type);
  if (type.ok() && type->Essence() == "message/cpim") {
    // RFC 3862: the application gets the wrapped content.
    auto cpim = wire::CpimMessage::Parse(delivery.body);
    if (cpim.ok()) {
      delivery.content_type = cpim->ContentType().value_or("");
      delivery.body = std::move(cpim.value().content);
    }
  }
  delivery.size = delivery.body.size();
  ++stats_.msrp_messages_delivered;
  Deliver(std::move(delivery));
}

// ---------------------------------------------------------------------------------------------
// Subscriptions (004, RFC 6665, RFC 6080)

std::uint64_t PushReceiverAgent::Subscribe(const std::string& target_uri, const std::string& app_id,
                                           std::uint32_t expires) {
  std::string event = std::string(kUaProfile) + ";profile-type=\"application\"";
  if (auto ids = wire::FormatEventAppIds({app_id}); ids.ok()) event += ";appids=" + ids.value();
  return StartSubscription(target_uri, app_id, {{"Event", event}}, expires, 0);
}

std::uint64_t PushReceiverAgent::StartSubscription(const std::string& request_uri, const std::string& app_id,
                                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                                   std::uint32_t expires, std::uint64_t refer_id) {
  auto subscription = std::make_unique<Subscription>();
  subscription->id = ++next_id_;
  subscription->target_uri = request_uri;
  subscription->app_id = app_id;
  subscription->refer_id = refer_id;
  subscription->expires = expires;
  for (const auto& [name, value] : headers) {
    if (wire::EqualsIgnoreCase(name, "Event")) {
      subscription->event = value;
    } else if (!wire::EqualsIgnoreCase(name, "Expires")) {
      subscription->headers.emplace_back(name, value);
    }
  }
  const std::uint64_t id = subscription->id;
  subscriptions_[id] = std::move(subscription);
  SendSubscribe(id, expires);
  return id;
}

void PushReceiverAgent::SendSubscribe(std::uint64_t subscription_id, std::uint32_t expires) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return;
  Subscription& subscription = *it->second;
  SipMessage request;
  const bool initial = !subscription.established && subscription.dialog.call_id.empty();
  if (initial) {
    // RFC 6665 4.1.2.1: a new dialog, out of any other (003: "in a separated dialog").
    request = NewRequest(Method::kSubscribe, subscription.target_uri);
    Dialog& dialog = subscription.dialog;
    dialog.call_id = std::string(request.Get(HeaderId::kCallId).value_or(""));
    dialog.local_tag = TagOf(request.Get(HeaderId::kFrom));
    dialog.local_uri = ua_config().aor;
    dialog.remote_uri = subscription.target_uri;
    dialog.remote_target = subscription.target_uri;
    dialog.local_cseq = 1;
  } else {
    request = NewInDialogRequest(subscription.dialog, Method::kSubscribe);
  }
  request.Add(HeaderId::kEvent, subscription.event);
  request.Add(HeaderId::kExpires, std::to_string(expires));
  request.Add(HeaderId::kContact, DialogContact());
  for (const auto& [name, value] : subscription.headers) request.Add(name, value);
  ++stats_.subscribes_sent;
  auto handler = [this, subscription_id, expires](const SipMessage* response, const sip::ClientOutcome&) {
    OnSubscribeResponse(subscription_id, expires, response);
  };
  if (initial) {
    if (SendInitialRequest(std::move(request), handler) == 0) OnSubscribeResponse(subscription_id, expires, nullptr);
    return;
  }
  auto next_hop = NextHop(subscription.dialog);
  if (!next_hop) {
    OnSubscribeResponse(subscription_id, expires, nullptr);
    return;
  }
  SendRequest(std::move(request), *next_hop, handler);
}

void PushReceiverAgent::OnSubscribeResponse(std::uint64_t subscription_id, std::uint32_t expires,
                                            const SipMessage* response) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return;
  Subscription& subscription = *it->second;
  const int code = response ? response->status_code() : 408;
  if (code < 200) return;
  const bool first_final = subscription.final_code == 0;
  if (first_final) {
    subscription.final_code = code;
    subscription.final_reason = response ? std::string(response->reason_phrase()) : std::string("Request Timeout");
  }
  if (code / 100 == 2) {
    if (!subscription.established && response) {
      // RFC 3261 12.1.2: the UAC's route set is the Record-Route of the 2xx, reversed.
      Dialog& dialog = subscription.dialog;
      dialog.remote_tag = ResponseToTag(*response);
      if (auto contact = response->Get(HeaderId::kContact)) dialog.remote_target = UriOf(*contact);
      dialog.route_set.clear();
      for (std::string_view route : response->GetAll(HeaderId::kRecordRoute)) dialog.route_set.emplace_back(route);
      std::reverse(dialog.route_set.begin(), dialog.route_set.end());
      subscription.established = true;
    }
    if (first_final) ++stats_.subscriptions_active;
    if (expires == 0 || subscription.removing) {
      EndSubscription(subscription);
      return;
    }
    std::uint32_t granted = expires;
    if (response) {
      if (auto value = response->Get(HeaderId::kExpires)) {
        auto parsed = wire::ParseDeltaSeconds(*value);
        if (parsed.ok()) granted = std::min(granted, parsed.value());  // RFC 6665 4.2.1.1: may shorten
      }
    }
    if (subscription.state == PushSubscriptionState::kSubscribing) subscription.state = PushSubscriptionState::kActive;
    ScheduleSubscriptionRefresh(subscription, granted);
    ReportSubscription(subscription);
    MaybeFinishReferFor(subscription);
    return;
  }
  // RFC 6665 4.1.2.1 / 4.1.2.2: a failed SUBSCRIBE ends the subscription.
  if (first_final) ++stats_.subscriptions_failed;
  Subscription copy_for_refer = subscription;
  EndSubscription(subscription);  // erases `subscription`
  if (copy_for_refer.refer_id != 0) FinishRefer(copy_for_refer.refer_id, copy_for_refer.final_code, copy_for_refer.final_reason);
}

void PushReceiverAgent::ScheduleSubscriptionRefresh(Subscription& subscription, std::uint32_t expires) {
  host().CancelTimer(subscription.refresh_timer);
  subscription.refresh_timer = sip::kNoTimer;
  subscription.expires = expires;
  if (expires == 0) return;
  const std::uint64_t id = subscription.id;
  subscription.refresh_timer = host().StartTimer(RefreshDelay(expires), [this, id] {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return;
    it->second->refresh_timer = sip::kNoTimer;
    SendSubscribe(id, it->second->expires);
  });
}

void PushReceiverAgent::Unsubscribe(std::uint64_t subscription_id) {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return;
  Subscription& subscription = *it->second;
  host().CancelTimer(subscription.refresh_timer);
  subscription.refresh_timer = sip::kNoTimer;
  subscription.removing = true;
  if (!subscription.established) {
    EndSubscription(subscription);
    return;
  }
  SendSubscribe(subscription_id, 0);
}

void PushReceiverAgent::EndSubscription(Subscription& subscription) {
  host().CancelTimer(subscription.refresh_timer);
  subscription.state = PushSubscriptionState::kTerminated;
  ++stats_.subscriptions_terminated;
  ReportSubscription(subscription);
  subscriptions_.erase(subscription.id);
}

void PushReceiverAgent::ReportSubscription(const Subscription& subscription) {
  if (!on_subscription_state) return;
  on_subscription_state(*this->subscription(subscription.id));
}

std::optional<PushSubscriptionInfo> PushReceiverAgent::subscription(std::uint64_t subscription_id) const {
  auto it = subscriptions_.find(subscription_id);
  if (it == subscriptions_.end()) return std::nullopt;
  const Subscription& subscription = *it->second;
  PushSubscriptionInfo info;
  info.id = subscription.id;
  info.target_uri = subscription.target_uri;
  info.app_id = subscription.app_id;
  info.state = subscription.state;
  info.final_code = subscription.final_code;
  info.expires = subscription.expires;
  info.notifies = subscription.notifies;
  info.refer_id = subscription.refer_id;
  return info;
}

PushReceiverAgent::Subscription* PushReceiverAgent::FindSubscription(const SipMessage& notify) {
  // RFC 6665 4.1.2.4: a NOTIFY matches by Call-ID and our From tag (its To tag).
  const std::string_view call_id = notify.Get(HeaderId::kCallId).value_or("");
  const std::string to_tag = TagOf(notify.Get(HeaderId::kTo));
  for (auto& [id, subscription] : subscriptions_) {
    if (subscription->dialog.call_id == call_id && subscription->dialog.local_tag == to_tag) return subscription.get();
  }
  return nullptr;
}

void PushReceiverAgent::HandleNotify(TransactionId server, const SipMessage& request) {
  ++stats_.notifies_received;
  const TimePoint received_at = host().Now();
  Subscription* subscription = FindSubscription(request);
  if (!subscription) {
    ++stats_.notifies_unknown;
    Respond(server, 481);  // RFC 6665 4.1.3
    return;
  }
  auto event = wire::ParseEvent(request.Get(HeaderId::kEvent).value_or(""));
  if (!event.ok() || !wire::EqualsIgnoreCase(event->package, kUaProfile)) {
    Respond(server, 489);  // RFC 6665 8.3.2 Bad Event
    return;
  }
  auto state = wire::ParseSubscriptionState(request.Get(HeaderId::kSubscriptionState).value_or(""));
  if (!state.ok()) {
    Respond(server, 400);  // RFC 6665 4.1.3: Subscription-State is mandatory
    return;
  }
  if (!subscription->established) {
    // RFC 6665 4.1.2.4: a NOTIFY ahead of the 200 establishes the dialog (UAS side of it:
    // Record-Route in order).
    Dialog& dialog = subscription->dialog;
    dialog.remote_tag = TagOf(request.Get(HeaderId::kFrom));
    if (auto contact = request.Get(HeaderId::kContact)) dialog.remote_target = UriOf(*contact);
    dialog.route_set.clear();
    for (std::string_view route : request.GetAll(HeaderId::kRecordRoute)) dialog.route_set.emplace_back(route);
    subscription->established = true;
  }
  // The 200 is the delivery report (004 clause 7).
  Respond(server, 200);
  ++subscription->notifies;
  if (!request.body().empty()) {
    PushDelivery delivery;
    delivery.app_id = subscription->app_id;
    delivery.content_type = std::string(request.Get(HeaderId::kContentType).value_or(""));
    delivery.body = std::string(request.body());
    delivery.size = delivery.body.size();
    delivery.via = PushVia::kNotify;
    delivery.sender = subscription->target_uri;
    delivery.message_id = std::string(request.Get(HeaderId::kCallId).value_or("")) + "/" +
                          std::string(request.Get(HeaderId::kCSeq).value_or(""));
    delivery.request_received_at = received_at;
    ++stats_.notify_pushes;
    Deliver(std::move(delivery));
  }
  // Delivery may have run application code; look the subscription up again.
  subscription = FindSubscription(request);
  if (!subscription) return;
  if (wire::EqualsIgnoreCase(state->state, "terminated")) {
    Subscription copy = *subscription;
    EndSubscription(*subscription);
    if (copy.refer_id != 0) {
      auto refer = refers_.find(copy.refer_id);
      if (refer != refers_.end() && refer->second->phase == Refer::Phase::kProcessing) {
        FinishRefer(copy.refer_id, copy.final_code ? copy.final_code : 200,
                    copy.final_code ? copy.final_reason : std::string("OK"));
      }
    }
    return;
  }
  subscription->state = wire::EqualsIgnoreCase(state->state, "pending") ? PushSubscriptionState::kPending
                                                                         : PushSubscriptionState::kActive;
  if (state->expires && *state->expires < subscription->expires && !subscription->removing) {
    ScheduleSubscriptionRefresh(*subscription, *state->expires);
  }
  ReportSubscription(*subscription);
  MaybeFinishReferFor(*subscription);
}

// ---------------------------------------------------------------------------------------------
// REFER (003 6.2.3.5, RFC 3515) and the lockout timer

ReferEvent PushReceiverAgent::EventOf(const Refer& refer) const {
  ReferEvent event;
  event.refer_id = refer.id;
  event.referrer = refer.referrer;
  event.refer_to = refer.refer_to;
  event.received_at = refer.received_at;
  event.final_code = refer.final_code;
  return event;
}

void PushReceiverAgent::HandleRefer(TransactionId server, const SipMessage& request) {
  ++stats_.refers_received;
  // 003 step 1: the security checks (TS 12.3.2): a trusted P-Asserted-Identity.
  auto sender = TrustedSender(request);
  if (!sender) {
    ++stats_.refers_forbidden;
    Respond(server, 403);
    return;
  }
  // RFC 3515 2.4.1: exactly one Refer-To, else 400.
  if (request.Count(HeaderId::kReferTo) != 1) {
    ++stats_.refers_bad;
    Respond(server, 400);
    return;
  }
  auto refer_to = wire::ParseReferTo(*request.Get(HeaderId::kReferTo));
  auto target = refer_to.ok() ? refer_to->SipUriValue() : wire::Result<wire::SipUri>(refer_to.error());
  if (!target.ok()) {
    ++stats_.refers_bad;
    Respond(server, 400);
    return;
  }
  // 003 6.2.3.3 2b-2d: the reference is a SUBSCRIBE to ua-profile; anything else is refused
  // (RFC 3515 2.4.2 lets the recipient decline a reference it will not act on).
  const auto method = target->Param("method");
  std::optional<wire::EventHeader> event;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::uint32_t> subscribe_expires;
  for (const auto& [name, value] : target->headers) {
    if (wire::EqualsIgnoreCase(name, "Event")) {
      auto parsed = wire::ParseEvent(value);
      if (parsed.ok()) event = parsed.value();
    }
    if (wire::EqualsIgnoreCase(name, "Expires")) {
      auto parsed = wire::ParseDeltaSeconds(value);
      if (parsed.ok()) subscribe_expires = parsed.value();
      continue;
    }
    if (UnsafeUriHeader(name)) continue;
    headers.emplace_back(name, value);
  }
  if (!method || *method != "SUBSCRIBE" || !event || !wire::EqualsIgnoreCase(event->package, kUaProfile)) {
    ++stats_.refers_forbidden;
    Respond(server, 403);
    return;
  }
  // The application the subscription is for: the appids of the Event (the project's convention)
  // when present; it must be one of ours.
  std::string app_id = config_.app_ids.empty() ? std::string() : config_.app_ids.front();
  if (const wire::Param* appids = wire::FindParam(event->params, "appids")) {
    auto ids = wire::ParseEventAppIds(appids->value.value_or(""));
    std::optional<std::string> ours;
    if (ids.ok()) {
      for (const std::string& id : *ids) {
        if (std::find(config_.app_ids.begin(), config_.app_ids.end(), id) != config_.app_ids.end()) {
          ours = id;
          break;
        }
      }
    }
    if (!ours) {
      ++stats_.refers_forbidden;
      Respond(server, 403);
      return;
    }
    app_id = *ours;
  }

  auto refer = std::make_unique<Refer>();
  refer->id = ++next_id_;
  refer->referrer = *sender;
  refer->refer_to = refer_to->uri;
  refer->received_at = host().Now();
  refer->app_id = app_id;
  refer->headers = std::move(headers);
  refer->subscribe_expires = subscribe_expires.value_or(config_.subscribe_expires);
  refer->expires = config_.refer_subscription_expires;
  if (auto expires = request.Get(HeaderId::kExpires)) {
    auto parsed = wire::ParseDeltaSeconds(*expires);
    if (parsed.ok()) refer->expires = parsed.value();
  }
  wire::SipUri request_uri = *target;
  request_uri.headers.clear();
  wire::RemoveParam(request_uri.params, "method");
  refer->request_uri = request_uri.ToString();

  const bool locked = config_.lockout_mode != ReferLockoutMode::kNone && lockout_holder_ != 0;
  if (locked && (config_.lockout_mode == ReferLockoutMode::kDiscard || deferred_.size() >= config_.max_deferred_refers)) {
    // 003: "answer ... by returning a SIP 503 ... MAY include a Retry-After" (RFC 3261 20.33).
    ++stats_.refers_discarded;
    std::uint32_t retry_after = config_.retry_after_seconds;
    if (retry_after == 0) {
      const Duration left = std::max(Duration::zero(), lockout_ends_at_ - host().Now());
      retry_after = static_cast<std::uint32_t>(
          std::max<std::int64_t>(1, (left + std::chrono::seconds(1) - Duration(1)) / std::chrono::seconds(1)));
    }
    SipMessage response = MakeResponse(request, 503);
    response.Add(HeaderId::kRetryAfter, std::to_string(retry_after));
    Respond(server, std::move(response));
    ReferEvent observed = EventOf(*refer);
    observed.retry_after = retry_after;
    if (on_refer_discarded) on_refer_discarded(observed);
    return;
  }

  // RFC 3515 2.4.2: 202 creates the dialog of the implicit refer subscription.
  SipMessage accepted = MakeResponse(request, 202);
  for (std::string_view route : request.GetAll(HeaderId::kRecordRoute)) accepted.Add(HeaderId::kRecordRoute, route);
  accepted.Add(HeaderId::kContact, DialogContact());
  Dialog& dialog = refer->dialog;
  dialog.call_id = std::string(request.Get(HeaderId::kCallId).value_or(""));
  dialog.local_tag = ResponseToTag(accepted);
  dialog.remote_tag = TagOf(request.Get(HeaderId::kFrom));
  dialog.local_uri = UriOf(request.Get(HeaderId::kTo).value_or(""));
  dialog.remote_uri = UriOf(request.Get(HeaderId::kFrom).value_or(""));
  dialog.remote_target = UriOf(request.Get(HeaderId::kContact).value_or(dialog.remote_uri));
  for (std::string_view route : request.GetAll(HeaderId::kRecordRoute)) dialog.route_set.emplace_back(route);
  Respond(server, std::move(accepted));

  const std::uint64_t id = refer->id;
  Refer& stored = *refers_.emplace(id, std::move(refer)).first->second;
  if (locked) {
    // 003: deferred — accepted, the first NOTIFY as for a pending subscription (RFC 3515 2.4.5).
    ++stats_.refers_deferred;
    deferred_.push_back(id);
    SendReferNotify(stored, "pending", 100, "Trying");
    if (on_refer_deferred) on_refer_deferred(EventOf(stored));
    return;
  }
  ++stats_.refers_accepted;
  SendReferNotify(stored, "active", 100, "Trying");  // RFC 3515 2.4.4: the immediate NOTIFY
  StartRefer(id);
}

void PushReceiverAgent::EngageLockout(Refer& refer) {
  if (config_.lockout_mode == ReferLockoutMode::kNone) return;
  lockout_holder_ = refer.id;
  lockout_ends_at_ = host().Now() + config_.lockout_duration;
  ++stats_.lockouts_engaged;
  const std::uint64_t id = refer.id;
  lockout_timer_ = host().StartTimer(config_.lockout_duration, [this, id] {
    lockout_timer_ = sip::kNoTimer;
    // The REFER has outlived the lockout: it is abandoned, so the lockout is never shorter than
    // the processing of one REFER.
    auto it = refers_.find(id);
    if (it != refers_.end() && it->second->phase == Refer::Phase::kProcessing) {
      ++stats_.refers_timed_out;
      FinishRefer(id, 408, "Request Timeout");
    }
    ReleaseLockout(id);
  });
  if (on_lockout_engaged) on_lockout_engaged(EventOf(refer));
}

void PushReceiverAgent::StartRefer(std::uint64_t refer_id) {
  auto it = refers_.find(refer_id);
  if (it == refers_.end()) return;
  Refer& refer = *it->second;
  refer.phase = Refer::Phase::kProcessing;
  EngageLockout(refer);
  // 003 step 5: the SUBSCRIBE the Refer-To describes, in a new dialog; the URI's headers applied.
  std::vector<std::pair<std::string, std::string>> headers = refer.headers;
  refer.subscription_id = StartSubscription(refer.request_uri, refer.app_id, headers, refer.subscribe_expires, refer_id);
}

void PushReceiverAgent::MaybeFinishReferFor(Subscription& subscription) {
  if (subscription.refer_id == 0 || subscription.notifies == 0 || subscription.final_code == 0) return;
  auto it = refers_.find(subscription.refer_id);
  if (it == refers_.end() || it->second->phase != Refer::Phase::kProcessing) return;
  // 003: after the first NOTIFY of the ua-profile subscription, the final refer NOTIFY reports
  // the SUBSCRIBE's final response.
  FinishRefer(subscription.refer_id, subscription.final_code, subscription.final_reason);
}

void PushReceiverAgent::SendReferNotify(Refer& refer, const std::string& state, int code, std::string_view reason) {
  SipMessage notify = NewInDialogRequest(refer.dialog, Method::kNotify);
  notify.Add(HeaderId::kEvent, "refer");  // RFC 3515 2.4.4 (no id: the REFER was out of dialog)
  std::string subscription_state = state;
  if (state == "terminated") {
    subscription_state += ";reason=noresource";
  } else {
    subscription_state += ";expires=" + std::to_string(refer.expires);  // RFC 6665 4.1.3
  }
  notify.Add(HeaderId::kSubscriptionState, subscription_state);
  notify.Add(HeaderId::kContact, DialogContact());
  notify.SetBody(SipFrag(code, reason), kSipFragType);
  ++stats_.refer_notifies_sent;
  const bool final = state == "terminated";
  const std::uint64_t id = refer.id;
  auto next_hop = NextHop(refer.dialog);
  if (!next_hop) {
    if (final) EndReferDialog(id);
    return;
  }
  SendRequest(std::move(notify), *next_hop, [this, id, final](const SipMessage* response, const sip::ClientOutcome&) {
    if (response && response->status_code() < 200) return;
    // The dialog of a terminated subscription ends with its last NOTIFY transaction (RFC 6665
    // 4.4.1); a non-2xx to any NOTIFY ends the subscription (4.1.2.2 from the notifier's side).
    if (final || !response || response->status_code() >= 300) EndReferDialog(id);
  });
}

void PushReceiverAgent::FinishRefer(std::uint64_t refer_id, int code, std::string_view reason) {
  auto it = refers_.find(refer_id);
  if (it == refers_.end() || it->second->phase == Refer::Phase::kFinished) return;
  Refer& refer = *it->second;
  refer.phase = Refer::Phase::kFinished;
  refer.final_code = code;
  ++stats_.refers_processed;
  SendReferNotify(refer, "terminated", code, reason);
  auto found = refers_.find(refer_id);
  if (found != refers_.end() && on_refer_processed) on_refer_processed(EventOf(*found->second));
}

void PushReceiverAgent::EndReferDialog(std::uint64_t refer_id) {
  auto it = refers_.find(refer_id);
  if (it == refers_.end()) return;
  if (it->second->phase != Refer::Phase::kFinished) {
    // The referrer refused a NOTIFY: the refer subscription is gone, processing stops.
    it->second->phase = Refer::Phase::kFinished;
  }
  deferred_.erase(std::remove(deferred_.begin(), deferred_.end(), refer_id), deferred_.end());
  refers_.erase(it);
  // 003: "Once the REFER dialog has terminated the lockout timer SHOULD be reset".
  ReleaseLockout(refer_id);
}

void PushReceiverAgent::ReleaseLockout(std::uint64_t refer_id) {
  if (lockout_holder_ != refer_id) return;
  lockout_holder_ = 0;
  host().CancelTimer(lockout_timer_);
  lockout_timer_ = sip::kNoTimer;
  // The next deferred REFER, in arrival order.
  while (!deferred_.empty() && lockout_holder_ == 0) {
    const std::uint64_t next = deferred_.front();
    deferred_.pop_front();
    auto it = refers_.find(next);
    if (it == refers_.end()) continue;
    // RFC 6665 4.2.2: the change from pending to active is notified.
    SendReferNotify(*it->second, "active", 100, "Trying");
    StartRefer(next);
  }
}

void PushReceiverAgent::HandleInDialogSubscribe(TransactionId server, const SipMessage& request) {
  // A refresh or removal of the implicit refer subscription by the referrer (RFC 3515 2.4.6).
  const std::string_view call_id = request.Get(HeaderId::kCallId).value_or("");
  const std::string to_tag = TagOf(request.Get(HeaderId::kTo));
  for (auto& [id, refer] : refers_) {
    if (refer->dialog.call_id != call_id || refer->dialog.local_tag != to_tag) continue;
    SipMessage response = MakeResponse(request, 200);
    std::uint32_t expires = refer->expires;
    if (auto value = request.Get(HeaderId::kExpires)) {
      auto parsed = wire::ParseDeltaSeconds(*value);
      if (parsed.ok()) expires = parsed.value();
    }
    refer->expires = expires;
    response.Add(HeaderId::kExpires, std::to_string(expires));
    Respond(server, std::move(response));
    return;
  }
  Respond(server, 481);
}

}  // namespace pushsim::push
