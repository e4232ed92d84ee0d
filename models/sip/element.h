// A SIP element on top of the transaction layer: user agent client and server procedures
// (RFC 3261 sections 8 and 12), and a stateful proxy core (section 16) with loose routing,
// Record-Route, Max-Forwards, parallel forking and best-response selection. The IMS core
// elements and the push agents are Elements that decide what to do with each request.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sip/host.h"
#include "sip/transaction.h"
#include "wire/sip_message.h"
#include "wire/sip_uri.h"

namespace pushsim::sip {

// Name resolution of the simulated network: host names of SIP URIs to IPv4 addresses (what DNS
// and RFC 3263 do in a real network, reduced to a table the scenario fills).
class Resolver {
 public:
  void Add(std::string_view host, std::uint32_t address);
  // The transport address for a SIP URI: the host as an IPv4 literal or a known name; the port
  // from the URI or 5060; TCP when `transport=tcp`, else UDP.
  std::optional<Endpoint> Resolve(const wire::SipUri& uri) const;
  std::optional<Endpoint> Resolve(std::string_view uri_text) const;
  std::optional<std::uint32_t> Lookup(std::string_view host) const;

 private:
  std::unordered_map<std::string, std::uint32_t> hosts_;
};

struct ElementConfig {
  // The host name the element writes in Via, Record-Route, Path and Service-Route.
  std::string host;
  // Its own transport address.
  Endpoint local;
  TimerConfig timers;
  // Other host names that denote this element in a Route or Request-URI.
  std::vector<std::string> aliases;
  // RFC 3261 16.7 step 6: forward a 500 instead of a selected 503 (SHOULD).
  bool convert_503_to_500 = true;
};

// What a client transaction ended with: a response, or nothing (timer B/F: the caller treats it
// as a 408, RFC 3261 8.1.3.1).
using ResponseHandler = std::function<void(const wire::SipMessage* response, const ClientOutcome& outcome)>;

// One destination of a forwarded request (RFC 3261 16.5, 16.6).
struct ForwardTarget {
  std::string request_uri;          // the Request-URI of this branch
  std::vector<std::string> routes;  // Route values to push in front of the existing ones
  std::optional<Endpoint> next_hop; // resolved from the first Route or the Request-URI if unset
};

struct ForwardOptions {
  bool record_route = false;
  // A Record-Route parameter (e.g. "orig" is carried in Route, not here); extra text after ;lr.
  std::string record_route_params;
  // Called with every response the proxy is about to send upstream (provisional, 2xx, and the
  // selected final response); may edit it.
  std::function<void(wire::SipMessage& response)> before_forwarding_response;
};

class Element : public TransactionUser {
 public:
  Element(Host& host, const Resolver& resolver, ElementConfig config);
  ~Element() override;

  // Everything received by the transport goes here.
  void Receive(const wire::SipMessage& message, const Endpoint& source);

  // --- UAC ---
  // Pushes a Via with a fresh branch (transport by RFC 3261 18.1.1 from the message size) and
  // starts a client transaction. The handler runs for each response and on timeout.
  TransactionId SendRequest(wire::SipMessage request, const Endpoint& destination, ResponseHandler handler);
  // The size of `request` as SendRequest or Forward would put it on the wire: with the Via this
  // element adds next. What RFC 3261 18.1.1 (and RFC 3428's 1300 bytes) is decided on.
  std::size_t WireSize(const wire::SipMessage& request) const;
  // Sends an ACK or other transaction-less request with a fresh Via.
  void SendStateless(wire::SipMessage request, const Endpoint& destination);

  // --- UAS ---
  // A response to `request` per RFC 3261 8.2.6: Via, From, Call-ID, CSeq copied; To copied with a
  // tag added for any response but 100 when the request had none.
  wire::SipMessage MakeResponse(const wire::SipMessage& request, int code, std::string_view reason = {}) const;
  void Respond(TransactionId server, wire::SipMessage response);
  void Respond(TransactionId server, int code, std::string_view reason = {});

  // --- Proxy ---
  // Forwards the request of server transaction `server` to each target in parallel (RFC 3261
  // 16.6): Request-URI, Max-Forwards - 1, Route, optional Record-Route, a new Via. Responses are
  // selected per 16.7 and sent upstream. Returns false (and answers the request) when it cannot
  // forward: Max-Forwards 0 gives 483, an unresolvable target 404/503.
  bool Forward(TransactionId server, const wire::SipMessage& request, std::vector<ForwardTarget> targets,
               ForwardOptions options = {});
  // RFC 3261 16.4: removes the top Route when it names this element. Returns whether it did.
  static bool PopOwnRoute(wire::SipMessage& request, const Element& self);
  // Whether a URI names this element: its host and port, and no user part (a URI with a user
  // part names a user at this host; elements that put a user part in their own Path or
  // Service-Route entries, such as sip:orig@scscf, recognise those themselves).
  bool IsMe(std::string_view uri_text) const;
  // <sip:host:port;lr> of this element.
  std::string OwnUri(std::string_view params = "lr") const;

  const ElementConfig& config() const { return config_; }
  const Resolver& resolver() const { return resolver_; }
  TransactionLayer& transactions() { return transactions_; }
  Host& host() { return host_; }
  // A fresh To tag or Call-ID, unique within the element and reproducible.
  std::string NewTag();
  std::string NewCallId();

 protected:
  // The element's decision for a new request (CANCEL is handled by the element first).
  virtual void HandleRequest(TransactionId server, const wire::SipMessage& request, const Endpoint& source) = 0;
  // An ACK to a 2xx (no transaction). Proxies forward it by Route / Request-URI; a UAS consumes it.
  virtual void HandleAck(const wire::SipMessage& ack, const Endpoint& source);
  // A CANCEL for an INVITE this element answers itself (not proxied): the default sends 487.
  virtual void HandleCancelledInvite(TransactionId invite_server);

  // TransactionUser
  void OnRequest(TransactionId server, const wire::SipMessage& request, const Endpoint& source) override;
  void OnAck(const wire::SipMessage& ack, const Endpoint& source) override;
  void OnResponse(TransactionId client, const wire::SipMessage& response, const ClientOutcome& outcome) override;
  void OnTimeout(TransactionId client, const ClientOutcome& outcome) override;
  void OnStrayResponse(const wire::SipMessage& response, const Endpoint& source) override;
  void OnClientTerminated(TransactionId client) override;

 private:
  struct ProxyContext;
  struct Branch {
    std::shared_ptr<ProxyContext> context;
    std::size_t index = 0;
  };

  void BranchResponse(ProxyContext& context, std::size_t index, const wire::SipMessage* response);
  void SendUpstream(ProxyContext& context, wire::SipMessage response);
  void CancelPendingBranches(ProxyContext& context);
  void FinishIfDone(ProxyContext& context);
  std::string ViaValue(Transport transport, const std::string& branch) const;

  Host& host_;
  const Resolver& resolver_;
  ElementConfig config_;
  TransactionLayer transactions_;
  std::uint64_t tag_counter_ = 0;
  std::unordered_map<TransactionId, ResponseHandler> uac_handlers_;
  std::unordered_map<TransactionId, Branch> branches_;                        // client tx -> proxy branch
  std::unordered_map<TransactionId, std::shared_ptr<ProxyContext>> proxied_;  // server tx -> context
};

}  // namespace pushsim::sip
