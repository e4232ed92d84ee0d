// TCP byte streams of one ns-3 node for the protocols beside SIP (MSRP, HTTP): sip::StreamHost on
// ns-3 TcpSocketFactory sockets. Writes queue while a connection is being set up or while the TCP
// send buffer is full and are flushed as the socket reports room; Close sends what is queued, then
// FIN. Every packet carries the real bytes, so pcaps decode and links are charged real sizes.
//
// Robustness, as in Ns3SipHost: sockets are forgotten as soon as they close; after Close (or
// Stop) no callback runs for a connection; a callback may Close its own connection or any other.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

#include "ns3/address.h"
#include "ns3/node.h"
#include "ns3/ptr.h"
#include "ns3/socket.h"
#include "sip/stream.h"

namespace pushsim {

class Ns3StreamHost : public sip::StreamHost {
 public:
  explicit Ns3StreamHost(ns3::Ptr<ns3::Node> node);
  ~Ns3StreamHost() override;
  Ns3StreamHost(const Ns3StreamHost&) = delete;
  Ns3StreamHost& operator=(const Ns3StreamHost&) = delete;

  sip::ConnectionId Connect(const sip::Endpoint& remote, sip::StreamCallbacks callbacks) override;
  // Also false when the node already has a TCP socket bound to the port (e.g. the SIP listener).
  bool Listen(std::uint16_t port,
              std::function<sip::StreamCallbacks(sip::ConnectionId, const sip::Endpoint&)> on_accept) override;
  void StopListening(std::uint16_t port) override;
  void Write(sip::ConnectionId connection, std::string_view bytes) override;
  void Close(sip::ConnectionId connection) override;
  // The node's first non-loopback IPv4 address.
  sip::Endpoint LocalEndpoint(std::uint16_t port) const override;

  // Closes every socket and listener at once, without callbacks and without sending what is queued.
  void Stop();

  std::size_t open_connections() const { return connections_.size(); }
  // Bytes accepted by Write and not yet handed to TCP, over all connections.
  std::size_t queued_bytes() const;

 private:
  struct Connection {
    ns3::Ptr<ns3::Socket> socket;
    sip::StreamCallbacks callbacks;
    bool connected = false;
    bool closing = false;  // closed by its owner; waits for the queue to drain
    std::deque<std::string> outbound;
    std::size_t front_offset = 0;  // bytes of outbound.front() already sent
    std::size_t queued = 0;
  };
  struct Listener {
    ns3::Ptr<ns3::Socket> socket;
    std::function<sip::StreamCallbacks(sip::ConnectionId, const sip::Endpoint&)> on_accept;
  };

  Connection* Find(sip::ConnectionId id);
  sip::ConnectionId IdOf(ns3::Ptr<ns3::Socket> socket) const;
  void Watch(sip::ConnectionId id, ns3::Ptr<ns3::Socket> socket);
  void OnConnected(ns3::Ptr<ns3::Socket> socket);
  void OnConnectFailed(ns3::Ptr<ns3::Socket> socket);
  bool OnAcceptRequest(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
  void OnAccepted(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
  void OnReceive(ns3::Ptr<ns3::Socket> socket);
  void OnSendRoom(ns3::Ptr<ns3::Socket> socket, std::uint32_t available);
  void OnPeerClosed(ns3::Ptr<ns3::Socket> socket);
  // Reports the end of a connection its owner did not close, and forgets it.
  void Lost(sip::ConnectionId id);
  void Flush(sip::ConnectionId id);
  // Closes the socket now and forgets the connection, without callbacks.
  void Release(sip::ConnectionId id);

  ns3::Ptr<ns3::Node> node_;
  sip::ConnectionId next_id_ = 0;
  std::map<sip::ConnectionId, Connection> connections_;
  std::unordered_map<const ns3::Socket*, sip::ConnectionId> ids_;
  std::map<std::uint16_t, Listener> listeners_;
};

}  // namespace pushsim
