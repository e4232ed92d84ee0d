#include "sip/transaction.h"

#include <algorithm>

#include "wire/sip_headers.h"
#include "wire/text.h"

namespace pushsim::sip {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

bool IsReliable(const Endpoint& endpoint) { return endpoint.transport == Transport::kTcp; }

}  // namespace

std::string_view StateName(TransactionState state) {
  switch (state) {
    case TransactionState::kCalling: return "Calling";
    case TransactionState::kTrying: return "Trying";
    case TransactionState::kProceeding: return "Proceeding";
    case TransactionState::kAccepted: return "Accepted";
    case TransactionState::kCompleted: return "Completed";
    case TransactionState::kConfirmed: return "Confirmed";
    case TransactionState::kTerminated: return "Terminated";
  }
  return "?";
}

std::size_t TransactionKeyHash::operator()(const TransactionKey& key) const {
  const std::size_t a = std::hash<std::string>()(key.branch);
  const std::size_t b = std::hash<std::string>()(key.sent_by);
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2)) ^ static_cast<std::size_t>(key.method);
}

std::optional<TransactionKey> KeyOf(const SipMessage& message, bool server_side) {
  const auto field = message.Get(HeaderId::kVia);
  if (!field) return std::nullopt;
  std::string_view element = *field;
  if (const std::size_t comma = wire::FindUnquoted(element, ','); comma != std::string_view::npos) {
    element = element.substr(0, comma);
  }
  const auto top = wire::ParseVia(element);
  if (!top.ok() || !wire::StartsWithIgnoreCase(top->branch(), wire::kMagicCookie)) return std::nullopt;
  TransactionKey key;
  key.branch = std::string(top->branch());
  key.sent_by = wire::ToLower(top->host);
  if (top->port) key.sent_by += ":" + std::to_string(*top->port);
  key.method = message.IsRequest() ? message.method() : message.cseq_method();
  if (server_side && key.method == Method::kAck) key.method = Method::kInvite;
  if (!server_side) key.sent_by.clear();  // a client matches on branch and CSeq method (17.1.3)
  return key;
}

struct TransactionLayer::Client {
  TransactionId id = 0;
  TransactionKey key;
  SipMessage request;
  Endpoint destination;
  TransactionState state = TransactionState::kTrying;
  bool invite = false;
  Duration interval{};
  TimerId retransmit_timer = kNoTimer;
  TimerId timeout_timer = kNoTimer;
  TimerId wait_timer = kNoTimer;
  ClientOutcome outcome;
  std::optional<SipMessage> ack;  // the ACK sent for a non-2xx final response
};

struct TransactionLayer::Server {
  TransactionId id = 0;
  std::optional<TransactionKey> key;
  SipMessage request;
  Endpoint source;
  TransactionState state = TransactionState::kTrying;
  bool invite = false;
  Duration interval{};
  std::optional<SipMessage> last_response;
  TimerId retransmit_timer = kNoTimer;
  TimerId timeout_timer = kNoTimer;
  TimerId wait_timer = kNoTimer;
};

TransactionLayer::TransactionLayer(Host& host, TransactionUser& user, TimerConfig timers)
    : host_(host), user_(user), timers_(timers), alive_(std::make_shared<bool>(true)) {}

TransactionLayer::~TransactionLayer() {
  for (auto& [id, client] : clients_) {
    host_.CancelTimer(client->retransmit_timer);
    host_.CancelTimer(client->timeout_timer);
    host_.CancelTimer(client->wait_timer);
  }
  for (auto& [id, server] : servers_) {
    host_.CancelTimer(server->retransmit_timer);
    host_.CancelTimer(server->timeout_timer);
    host_.CancelTimer(server->wait_timer);
  }
}

std::string TransactionLayer::PeekBranch() const {
  std::string branch(wire::kMagicCookie);
  branch += branch_prefix_;
  branch.push_back('.');
  branch += std::to_string(branch_counter_ + 1);
  return branch;
}

std::string TransactionLayer::NewBranch() {
  std::string branch = PeekBranch();
  ++branch_counter_;
  return branch;
}

TimerId TransactionLayer::Start(Duration delay, void (TransactionLayer::*handler)(TransactionId), TransactionId id) {
  std::weak_ptr<bool> alive = alive_;
  return host_.StartTimer(delay, [this, alive, handler, id] {
    if (alive.lock()) (this->*handler)(id);
  });
}

TransactionId TransactionLayer::SendRequest(SipMessage request, const Endpoint& destination) {
  auto key = KeyOf(request, false);
  if (!key || request.method() == Method::kAck) return 0;
  auto client = std::make_unique<Client>();
  client->id = next_id_++;
  client->key = *key;
  client->destination = destination;
  client->invite = request.method() == Method::kInvite;
  client->state = client->invite ? TransactionState::kCalling : TransactionState::kTrying;
  client->interval = timers_.t1;
  client->outcome.started = host_.Now();
  client->request = std::move(request);
  const TransactionId id = client->id;
  host_.Send(destination, client->request);
  if (!IsReliable(destination)) client->retransmit_timer = Start(timers_.t1, &TransactionLayer::ClientRetransmit, id);
  client->timeout_timer = Start(64 * timers_.t1, &TransactionLayer::ClientTimeout, id);
  client_index_[*key] = id;
  clients_.emplace(id, std::move(client));
  return id;
}

void TransactionLayer::ClientRetransmit(TransactionId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = *it->second;
  client.retransmit_timer = kNoTimer;
  const bool may_retransmit = client.invite ? client.state == TransactionState::kCalling
                                            : (client.state == TransactionState::kTrying ||
                                               client.state == TransactionState::kProceeding);
  if (!may_retransmit) return;
  host_.Send(client.destination, client.request);
  ++client.outcome.retransmissions;
  ++stats_.requests_retransmitted;
  if (client.invite) {
    client.interval *= 2;  // timer A doubles without bound (17.1.1.2)
  } else if (client.state == TransactionState::kTrying) {
    client.interval = std::min(2 * client.interval, timers_.t2);  // timer E (17.1.2.2)
  } else {
    client.interval = timers_.t2;
  }
  client.retransmit_timer = Start(client.interval, &TransactionLayer::ClientRetransmit, id);
}

void TransactionLayer::ClientTimeout(TransactionId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = *it->second;
  client.timeout_timer = kNoTimer;
  if (client.state == TransactionState::kAccepted) {  // timer M (RFC 6026)
    TerminateClient(id);
    return;
  }
  const bool waiting = client.invite ? client.state == TransactionState::kCalling
                                     : (client.state == TransactionState::kTrying ||
                                        client.state == TransactionState::kProceeding);
  if (!waiting) return;
  ++stats_.client_timeouts;
  const ClientOutcome outcome = client.outcome;
  user_.OnTimeout(id, outcome);
  TerminateClient(id);
}

void TransactionLayer::ClientResponse(Client& client, const SipMessage& response) {
  const TransactionId id = client.id;
  const int code = response.status_code();
  const bool provisional = code < 200;
  const ClientOutcome outcome = client.outcome;

  if (client.invite) {
    switch (client.state) {
      case TransactionState::kCalling:
      case TransactionState::kProceeding:
        if (provisional) {
          client.state = TransactionState::kProceeding;
          host_.CancelTimer(client.retransmit_timer);
          client.retransmit_timer = kNoTimer;
          host_.CancelTimer(client.timeout_timer);
          client.timeout_timer = kNoTimer;
          user_.OnResponse(id, response, outcome);
          return;
        }
        host_.CancelTimer(client.retransmit_timer);
        client.retransmit_timer = kNoTimer;
        host_.CancelTimer(client.timeout_timer);
        client.timeout_timer = kNoTimer;
        if (code < 300) {
          client.state = TransactionState::kAccepted;
          client.timeout_timer = Start(64 * timers_.t1, &TransactionLayer::ClientTimeout, id);
          user_.OnResponse(id, response, outcome);
          return;
        }
        {
          // ACK for a non-2xx final response belongs to the transaction (17.1.1.3).
          SipMessage ack = SipMessage::MakeRequest(Method::kAck, client.request.request_uri());
          if (auto via = client.request.GetAll(HeaderId::kVia); !via.empty()) ack.Add(HeaderId::kVia, via.front());
          ack.Add(HeaderId::kMaxForwards, "70");
          for (std::string_view route : client.request.GetAll(HeaderId::kRoute)) ack.Add(HeaderId::kRoute, route);
          if (auto from = client.request.Get(HeaderId::kFrom)) ack.Add(HeaderId::kFrom, *from);
          if (auto to = response.Get(HeaderId::kTo)) ack.Add(HeaderId::kTo, *to);
          if (auto call_id = client.request.Get(HeaderId::kCallId)) ack.Add(HeaderId::kCallId, *call_id);
          if (auto cseq = client.request.Get(HeaderId::kCSeq)) {
            ack.Add(HeaderId::kCSeq, std::string(cseq->substr(0, cseq->find_first_of(" \t"))) + " ACK");
          }
          host_.Send(client.destination, ack);
          client.ack = std::move(ack);
        }
        client.state = TransactionState::kCompleted;
        if (IsReliable(client.destination)) {
          user_.OnResponse(id, response, outcome);
          TerminateClient(id);
          return;
        }
        client.wait_timer = Start(timers_.timer_d, &TransactionLayer::TerminateClient, id);
        user_.OnResponse(id, response, outcome);
        return;
      case TransactionState::kAccepted:
        if (code >= 200 && code < 300) user_.OnResponse(id, response, outcome);
        return;
      case TransactionState::kCompleted:
        if (code >= 300 && client.ack) {
          host_.Send(client.destination, *client.ack);
          ++stats_.retransmissions_absorbed;
        }
        return;
      default:
        return;
    }
  }

  switch (client.state) {
    case TransactionState::kTrying:
    case TransactionState::kProceeding:
      if (provisional) {
        client.state = TransactionState::kProceeding;
        user_.OnResponse(id, response, outcome);
        return;
      }
      client.state = TransactionState::kCompleted;
      host_.CancelTimer(client.retransmit_timer);
      client.retransmit_timer = kNoTimer;
      host_.CancelTimer(client.timeout_timer);
      client.timeout_timer = kNoTimer;
      if (IsReliable(client.destination)) {
        user_.OnResponse(id, response, outcome);
        TerminateClient(id);
        return;
      }
      client.wait_timer = Start(timers_.t4, &TransactionLayer::TerminateClient, id);  // timer K
      user_.OnResponse(id, response, outcome);
      return;
    case TransactionState::kCompleted:
      ++stats_.retransmissions_absorbed;
      return;
    default:
      return;
  }
}

void TransactionLayer::SendResponse(TransactionId id, SipMessage response) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  Server& server = *it->second;
  const int code = response.status_code();
  const bool provisional = code < 200;
  const bool reliable = IsReliable(server.source);
  if (server.state == TransactionState::kCompleted || server.state == TransactionState::kConfirmed ||
      server.state == TransactionState::kAccepted || server.state == TransactionState::kTerminated) {
    // A final response was already sent; a TU may still resend a 2xx to INVITE statelessly.
    if (server.invite && code >= 200 && code < 300) host_.Send(server.source, response);
    return;
  }
  host_.Send(server.source, response);
  server.last_response = std::move(response);
  if (provisional) {
    server.state = TransactionState::kProceeding;
    return;
  }
  if (server.invite) {
    if (code < 300) {
      server.state = TransactionState::kAccepted;  // RFC 6026: timer L
      server.timeout_timer = Start(64 * timers_.t1, &TransactionLayer::TerminateServer, id);
      return;
    }
    server.state = TransactionState::kCompleted;
    server.interval = timers_.t1;
    if (!reliable) server.retransmit_timer = Start(timers_.t1, &TransactionLayer::ServerRetransmitFinal, id);
    server.timeout_timer = Start(64 * timers_.t1, &TransactionLayer::ServerAckTimeout, id);
    return;
  }
  server.state = TransactionState::kCompleted;
  if (reliable) {
    TerminateServer(id);
    return;
  }
  server.wait_timer = Start(64 * timers_.t1, &TransactionLayer::TerminateServer, id);  // timer J
}

void TransactionLayer::ServerRetransmitFinal(TransactionId id) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  Server& server = *it->second;
  server.retransmit_timer = kNoTimer;
  if (server.state != TransactionState::kCompleted || !server.last_response) return;
  host_.Send(server.source, *server.last_response);  // timer G (17.2.1)
  ++stats_.responses_retransmitted;
  server.interval = std::min(2 * server.interval, timers_.t2);
  server.retransmit_timer = Start(server.interval, &TransactionLayer::ServerRetransmitFinal, id);
}

void TransactionLayer::ServerAckTimeout(TransactionId id) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  it->second->timeout_timer = kNoTimer;
  if (it->second->state != TransactionState::kCompleted) return;
  TerminateServer(id);  // timer H: no ACK came
  user_.OnServerTimeout(id);
}

void TransactionLayer::ServerRequest(Server& server, const SipMessage& request, const Endpoint& source) {
  (void)source;
  ++stats_.retransmissions_absorbed;
  if (request.method() == Method::kAck) {
    if (server.state == TransactionState::kCompleted) {
      server.state = TransactionState::kConfirmed;
      host_.CancelTimer(server.retransmit_timer);
      server.retransmit_timer = kNoTimer;
      host_.CancelTimer(server.timeout_timer);
      server.timeout_timer = kNoTimer;
      if (IsReliable(server.source)) {
        TerminateServer(server.id);
      } else {
        server.wait_timer = Start(timers_.t4, &TransactionLayer::TerminateServer, server.id);  // timer I
      }
    }
    return;
  }
  // A retransmitted request: resend the last response, if any (17.2.1, 17.2.2).
  if ((server.state == TransactionState::kProceeding || server.state == TransactionState::kCompleted) &&
      server.last_response) {
    host_.Send(server.source, *server.last_response);
    ++stats_.responses_retransmitted;
  }
}

void TransactionLayer::Receive(const SipMessage& message, const Endpoint& source) {
  if (message.IsResponse()) {
    const auto key = KeyOf(message, false);
    const auto found = key ? client_index_.find(*key) : client_index_.end();
    if (found == client_index_.end()) {
      ++stats_.stray_responses;
      user_.OnStrayResponse(message, source);
      return;
    }
    ClientResponse(*clients_.at(found->second), message);
    return;
  }
  if (!message.IsRequest()) return;

  const auto key = KeyOf(message, true);
  if (key) {
    if (auto found = server_index_.find(*key); found != server_index_.end()) {
      Server& server = *servers_.at(found->second);
      if (message.method() == Method::kAck && server.state == TransactionState::kAccepted) {
        user_.OnAck(message, source);  // the ACK to a 2xx passes through (RFC 6026 8.7)
        return;
      }
      ServerRequest(server, message, source);
      return;
    }
  }
  if (message.method() == Method::kAck) {
    user_.OnAck(message, source);
    return;
  }
  auto server = std::make_unique<Server>();
  server->id = next_id_++;
  server->key = key;
  server->request = message;
  server->source = source;
  server->invite = message.method() == Method::kInvite;
  server->state = server->invite ? TransactionState::kProceeding : TransactionState::kTrying;
  const TransactionId id = server->id;
  if (key) server_index_[*key] = id;
  servers_.emplace(id, std::move(server));
  user_.OnRequest(id, message, source);
}

void TransactionLayer::SendStateless(const SipMessage& message, const Endpoint& destination) {
  host_.Send(destination, message);
}

void TransactionLayer::TerminateClient(TransactionId id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  Client& client = *it->second;
  host_.CancelTimer(client.retransmit_timer);
  host_.CancelTimer(client.timeout_timer);
  host_.CancelTimer(client.wait_timer);
  client_index_.erase(client.key);
  clients_.erase(it);
  user_.OnClientTerminated(id);
}

void TransactionLayer::TerminateServer(TransactionId id) {
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  Server& server = *it->second;
  host_.CancelTimer(server.retransmit_timer);
  host_.CancelTimer(server.timeout_timer);
  host_.CancelTimer(server.wait_timer);
  if (server.key) server_index_.erase(*server.key);
  servers_.erase(it);
}

std::optional<TransactionId> TransactionLayer::FindInviteServer(const SipMessage& cancel) const {
  auto key = KeyOf(cancel, true);
  if (!key) return std::nullopt;
  key->method = Method::kInvite;
  const auto found = server_index_.find(*key);
  if (found == server_index_.end()) return std::nullopt;
  return found->second;
}

std::optional<TransactionState> TransactionLayer::state(TransactionId id) const {
  if (auto it = clients_.find(id); it != clients_.end()) return it->second->state;
  if (auto it = servers_.find(id); it != servers_.end()) return it->second->state;
  return std::nullopt;
}

const SipMessage* TransactionLayer::request(TransactionId id) const {
  if (auto it = clients_.find(id); it != clients_.end()) return &it->second->request;
  if (auto it = servers_.find(id); it != servers_.end()) return &it->second->request;
  return nullptr;
}

std::optional<Endpoint> TransactionLayer::peer(TransactionId id) const {
  if (auto it = clients_.find(id); it != clients_.end()) return it->second->destination;
  if (auto it = servers_.find(id); it != servers_.end()) return it->second->source;
  return std::nullopt;
}

}  // namespace pushsim::sip
