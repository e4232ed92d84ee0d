// RFC 3261 section 17 transactions, with the RFC 6026 "Accepted" state for INVITE, as state
// machines driven by received messages and timer expiries. The layer owns every transaction of
// one SIP element; the element (the transaction user, TU) sees requests, responses and timeouts.
//
// Reliability: over UDP the layer retransmits requests (timers A and E) and final responses to
// INVITE (timer G); over TCP it does not, and the wait timers (D, I, J, K) are zero.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "sip/host.h"
#include "wire/sip_message.h"

namespace pushsim::sip {

struct TimerConfig {
  Duration t1 = std::chrono::milliseconds(500);  // RTT estimate
  Duration t2 = std::chrono::seconds(4);         // maximum retransmit interval for non-INVITE
  Duration t4 = std::chrono::seconds(5);         // maximum time a message stays in the network
  // Timer D: at least 32 s over UDP (RFC 3261 17.1.1.2).
  Duration timer_d = std::chrono::seconds(32);
};

using TransactionId = std::uint64_t;

enum class TransactionState : std::uint8_t {
  kCalling,     // INVITE client, before any response
  kTrying,      // non-INVITE, before any response
  kProceeding,  // a provisional response seen or sent
  kAccepted,    // INVITE, 2xx seen or sent (RFC 6026)
  kCompleted,   // final response seen or sent, absorbing retransmissions
  kConfirmed,   // INVITE server, ACK received
  kTerminated,
};
std::string_view StateName(TransactionState state);

// The top Via of a message, as far as transactions care (RFC 3261 17.1.3, 17.2.3).
struct TransactionKey {
  std::string branch;
  std::string sent_by;  // host[:port], lower-cased
  wire::Method method;  // ACK counts as INVITE for server matching
  bool operator==(const TransactionKey& other) const {
    return branch == other.branch && sent_by == other.sent_by && method == other.method;
  }
};
struct TransactionKeyHash {
  std::size_t operator()(const TransactionKey& key) const;
};
// Extracts the key from a message's top Via and CSeq. nullopt when the Via has no RFC 3261
// branch (magic cookie "z9hG4bK") — such messages are answered statelessly, not matched.
std::optional<TransactionKey> KeyOf(const wire::SipMessage& message, bool server_side);

// What a client transaction reports with each response.
struct ClientOutcome {
  int retransmissions = 0;  // how often the request was resent (timers A / E)
  TimePoint started{};
};

class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  // A request that starts a new server transaction (CANCEL included).
  virtual void OnRequest(TransactionId server, const wire::SipMessage& request, const Endpoint& source) = 0;
  // An ACK that matches no INVITE server transaction in Completed: the ACK to a 2xx, which is
  // end to end (RFC 3261 17.2.3, RFC 6026).
  virtual void OnAck(const wire::SipMessage& ack, const Endpoint& source) = 0;
  // A response for a client transaction (provisional and final; 2xx retransmissions to INVITE
  // too while in Accepted).
  virtual void OnResponse(TransactionId client, const wire::SipMessage& response, const ClientOutcome& outcome) = 0;
  // Timer B or F expired: the TU acts as if a 408 had been received (RFC 3261 8.1.3.1).
  virtual void OnTimeout(TransactionId client, const ClientOutcome& outcome) = 0;
  // A response that matches no client transaction; a stateful proxy forwards 2xx to INVITE.
  virtual void OnStrayResponse(const wire::SipMessage& response, const Endpoint& source) { (void)response, (void)source; }
  // Timer H expired: no ACK for a final response to INVITE.
  virtual void OnServerTimeout(TransactionId server) { (void)server; }
  // A client transaction ended and its id will not be reported again.
  virtual void OnClientTerminated(TransactionId client) { (void)client; }
};

struct TransactionStats {
  std::uint64_t requests_retransmitted = 0;
  std::uint64_t responses_retransmitted = 0;
  std::uint64_t retransmissions_absorbed = 0;  // received duplicates answered from state
  std::uint64_t client_timeouts = 0;
  std::uint64_t stray_responses = 0;
};

class TransactionLayer {
 public:
  TransactionLayer(Host& host, TransactionUser& user, TimerConfig timers = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // Starts a client transaction. The request's top Via must carry a unique RFC 3261 branch (see
  // NewBranch). ACK is not a transaction: send it with SendStateless.
  TransactionId SendRequest(wire::SipMessage request, const Endpoint& destination);
  // Sends a response within a server transaction; provisional, then final.
  void SendResponse(TransactionId server, wire::SipMessage response);
  // Sends without a transaction: ACK to 2xx, a stateless proxy's forward, 2xx retransmissions.
  void SendStateless(const wire::SipMessage& message, const Endpoint& destination);
  // Everything the transport layer receives goes here.
  void Receive(const wire::SipMessage& message, const Endpoint& source);

  // A fresh branch: the magic cookie, a prefix unique to this element, and a counter. Prefixes
  // make branches unique across elements; the counter makes them reproducible.
  std::string NewBranch();
  // The branch the next NewBranch() call returns, without drawing it.
  std::string PeekBranch() const;
  void set_branch_prefix(std::string prefix) { branch_prefix_ = std::move(prefix); }

  // The INVITE server transaction a CANCEL refers to (same branch and sent-by, RFC 3261 9.2).
  std::optional<TransactionId> FindInviteServer(const wire::SipMessage& cancel) const;

  std::optional<TransactionState> state(TransactionId id) const;
  // The request that created a server or client transaction (for building responses, CANCEL...).
  const wire::SipMessage* request(TransactionId id) const;
  std::optional<Endpoint> peer(TransactionId id) const;
  std::size_t client_count() const { return clients_.size(); }
  std::size_t server_count() const { return servers_.size(); }
  const TransactionStats& stats() const { return stats_; }
  const TimerConfig& timers() const { return timers_; }
  Host& host() { return host_; }

 private:
  struct Client;
  struct Server;

  void ClientRetransmit(TransactionId id);
  void ClientTimeout(TransactionId id);
  void ClientResponse(Client& client, const wire::SipMessage& response);
  void ServerRequest(Server& server, const wire::SipMessage& request, const Endpoint& source);
  void ServerRetransmitFinal(TransactionId id);
  void ServerAckTimeout(TransactionId id);
  void TerminateClient(TransactionId id);
  void TerminateServer(TransactionId id);
  TimerId Start(Duration delay, void (TransactionLayer::*handler)(TransactionId), TransactionId id);

  Host& host_;
  TransactionUser& user_;
  TimerConfig timers_;
  std::string branch_prefix_ = "ps";
  std::uint64_t branch_counter_ = 0;
  TransactionId next_id_ = 1;
  std::unordered_map<TransactionId, std::unique_ptr<Client>> clients_;
  std::unordered_map<TransactionId, std::unique_ptr<Server>> servers_;
  std::unordered_map<TransactionKey, TransactionId, TransactionKeyHash> client_index_;
  std::unordered_map<TransactionKey, TransactionId, TransactionKeyHash> server_index_;
  TransactionStats stats_;
  // Set while the layer is alive; timer callbacks that outlive it check it.
  std::shared_ptr<bool> alive_;
};

}  // namespace pushsim::sip
