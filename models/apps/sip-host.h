// The SIP transport of one ns-3 node: a UDP socket and a listening TCP socket on the SIP port,
// outgoing TCP connections reused per peer, Content-Length framing on streams (RFC 3261 18.3),
// and the simulator's clock and timers. It implements sip::Host, so the protocol logic in
// models/ runs on it unchanged.
//
// Every packet carries the real bytes of the serialized message: pcaps decode as SIP and the
// links are charged the real sizes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "ns3/event-id.h"
#include "ns3/ipv4-address.h"
#include "ns3/node.h"
#include "ns3/ptr.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"
#include "sip/host.h"
#include "wire/error.h"
#include "wire/sip_message.h"

namespace pushsim {

class Ns3SipHost : public sip::Host {
 public:
  using MessageHandler = std::function<void(const wire::SipMessage&, const sip::Endpoint&)>;
  using ErrorHandler = std::function<void(const wire::ParseError&, const sip::Endpoint&)>;
  // Called for every message sent or received: the message, its size on the wire, the peer.
  using WireObserver = std::function<void(const wire::SipMessage&, std::size_t, const sip::Endpoint&)>;

  Ns3SipHost(ns3::Ptr<ns3::Node> node, std::uint16_t port);
  ~Ns3SipHost() override;
  Ns3SipHost(const Ns3SipHost&) = delete;
  Ns3SipHost& operator=(const Ns3SipHost&) = delete;

  // Opens the sockets. Messages received afterwards go to `on_message`.
  void Start(MessageHandler on_message);
  // Closes every socket and cancels every timer.
  void Stop();

  void set_error_handler(ErrorHandler handler) { on_error_ = std::move(handler); }
  void set_sent_observer(WireObserver observer) { on_sent_ = std::move(observer); }
  void set_received_observer(WireObserver observer) { on_received_ = std::move(observer); }

  // The node's first non-loopback IPv4 address and the SIP port.
  sip::Endpoint local(sip::Transport transport = sip::Transport::kUdp) const;
  std::uint16_t port() const { return port_; }

  sip::TimePoint Now() const override;
  void Send(const sip::Endpoint& destination, const wire::SipMessage& message) override;
  sip::TimerId StartTimer(sip::Duration delay, std::function<void()> callback) override;
  void CancelTimer(sip::TimerId id) override;

  std::size_t open_connections() const { return connections_.size(); }
  std::uint64_t parse_errors() const { return parse_errors_; }

 private:
  struct Connection {
    ns3::Ptr<ns3::Socket> socket;
    bool connected = false;
    std::string inbound;   // bytes received, not yet framed
    std::string outbound;  // bytes waiting for room in the TCP send buffer
  };
  using PeerKey = std::uint64_t;  // address << 16 | port
  static PeerKey KeyOf(std::uint32_t address, std::uint16_t port) {
    return (static_cast<PeerKey>(address) << 16) | port;
  }

  void OnUdpReceive(ns3::Ptr<ns3::Socket> socket);
  bool OnAcceptRequest(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
  void OnAccepted(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
  void OnConnected(ns3::Ptr<ns3::Socket> socket);
  void OnConnectFailed(ns3::Ptr<ns3::Socket> socket);
  void OnTcpReceive(ns3::Ptr<ns3::Socket> socket);
  void OnSendRoom(ns3::Ptr<ns3::Socket> socket, std::uint32_t available);
  void OnClosed(ns3::Ptr<ns3::Socket> socket);
  void Flush(Connection& connection);
  void Deliver(std::string_view bytes, const sip::Endpoint& source);
  Connection* FindBySocket(ns3::Ptr<ns3::Socket> socket, PeerKey* key = nullptr);
  void Remember(PeerKey key, Connection connection);
  void Forget(ns3::Ptr<ns3::Socket> socket);

  ns3::Ptr<ns3::Node> node_;
  std::uint16_t port_;
  ns3::Ptr<ns3::Socket> udp_;
  ns3::Ptr<ns3::Socket> listener_;
  std::unordered_map<PeerKey, Connection> connections_;
  std::unordered_map<const ns3::Socket*, PeerKey> peers_;
  MessageHandler on_message_;
  ErrorHandler on_error_;
  WireObserver on_sent_;
  WireObserver on_received_;
  sip::TimerId next_timer_ = 0;
  std::unordered_map<sip::TimerId, ns3::EventId> timers_;
  std::uint64_t parse_errors_ = 0;
  std::string scratch_;
};

}  // namespace pushsim
