#include "apps/sip-host.h"

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"
#include "ns3/udp-socket-factory.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimSipHost");

namespace {

sip::Endpoint EndpointOf(const ns3::Address& address, sip::Transport transport) {
  const ns3::InetSocketAddress inet = ns3::InetSocketAddress::ConvertFrom(address);
  return sip::Endpoint{inet.GetIpv4().Get(), inet.GetPort(), transport};
}

ns3::Ptr<ns3::Packet> PacketOf(const std::string& bytes) {
  return ns3::Create<ns3::Packet>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                  static_cast<std::uint32_t>(bytes.size()));
}

}  // namespace

Ns3SipHost::Ns3SipHost(ns3::Ptr<ns3::Node> node, std::uint16_t port) : node_(node), port_(port) {}

Ns3SipHost::~Ns3SipHost() { Stop(); }

void Ns3SipHost::Start(MessageHandler on_message) {
  on_message_ = std::move(on_message);
  udp_ = ns3::Socket::CreateSocket(node_, ns3::UdpSocketFactory::GetTypeId());
  udp_->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), port_));
  udp_->SetRecvCallback(ns3::MakeCallback(&Ns3SipHost::OnUdpReceive, this));

  listener_ = ns3::Socket::CreateSocket(node_, ns3::TcpSocketFactory::GetTypeId());
  listener_->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), port_));
  listener_->Listen();
  listener_->SetAcceptCallback(ns3::MakeCallback(&Ns3SipHost::OnAcceptRequest, this),
                               ns3::MakeCallback(&Ns3SipHost::OnAccepted, this));
}

void Ns3SipHost::Stop() {
  for (auto& [id, event] : timers_) ns3::Simulator::Cancel(event);
  timers_.clear();
  auto quiet = [](ns3::Ptr<ns3::Socket> socket) {
    socket->SetRecvCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
    socket->SetSendCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, std::uint32_t>());
    socket->SetCloseCallbacks(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>(),
                              ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
    socket->Close();
  };
  for (auto& [key, connection] : connections_) quiet(connection.socket);
  connections_.clear();
  peers_.clear();
  if (udp_) {
    quiet(udp_);
    udp_ = nullptr;
  }
  if (listener_) {
    listener_->SetAcceptCallback(ns3::MakeNullCallback<bool, ns3::Ptr<ns3::Socket>, const ns3::Address&>(),
                                 ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, const ns3::Address&>());
    listener_->Close();
    listener_ = nullptr;
  }
}

sip::Endpoint Ns3SipHost::local(sip::Transport transport) const {
  ns3::Ptr<ns3::Ipv4> ipv4 = node_->GetObject<ns3::Ipv4>();
  std::uint32_t address = 0;
  if (ipv4) {
    for (std::uint32_t i = 0; i < ipv4->GetNInterfaces() && address == 0; ++i) {
      for (std::uint32_t j = 0; j < ipv4->GetNAddresses(i); ++j) {
        const ns3::Ipv4Address candidate = ipv4->GetAddress(i, j).GetLocal();
        if (!candidate.IsLocalhost()) {
          address = candidate.Get();
          break;
        }
      }
    }
  }
  return sip::Endpoint{address, port_, transport};
}

sip::TimePoint Ns3SipHost::Now() const { return sip::TimePoint(ns3::Simulator::Now().GetNanoSeconds()); }

sip::TimerId Ns3SipHost::StartTimer(sip::Duration delay, std::function<void()> callback) {
  const sip::TimerId id = ++next_timer_;
  timers_[id] = ns3::Simulator::Schedule(ns3::NanoSeconds(delay.count()), [this, id, cb = std::move(callback)] {
    timers_.erase(id);
    cb();
  });
  return id;
}

void Ns3SipHost::CancelTimer(sip::TimerId id) {
  if (id == sip::kNoTimer) return;
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  ns3::Simulator::Cancel(it->second);
  timers_.erase(it);
}

void Ns3SipHost::Send(const sip::Endpoint& destination, const wire::SipMessage& message) {
  scratch_.clear();
  message.SerializeTo(scratch_);
  const std::size_t size = scratch_.size();
  if (destination.transport == sip::Transport::kUdp) {
    if (!udp_) return;
    udp_->SendTo(PacketOf(scratch_), 0,
                 ns3::InetSocketAddress(ns3::Ipv4Address(destination.address), destination.port));
  } else {
    const PeerKey key = KeyOf(destination.address, destination.port);
    auto it = connections_.find(key);
    if (it == connections_.end()) {
      Connection connection;
      connection.socket = ns3::Socket::CreateSocket(node_, ns3::TcpSocketFactory::GetTypeId());
      connection.socket->Bind();
      connection.socket->SetConnectCallback(ns3::MakeCallback(&Ns3SipHost::OnConnected, this),
                                            ns3::MakeCallback(&Ns3SipHost::OnConnectFailed, this));
      connection.socket->SetRecvCallback(ns3::MakeCallback(&Ns3SipHost::OnTcpReceive, this));
      connection.socket->SetSendCallback(ns3::MakeCallback(&Ns3SipHost::OnSendRoom, this));
      connection.socket->SetCloseCallbacks(ns3::MakeCallback(&Ns3SipHost::OnClosed, this),
                                           ns3::MakeCallback(&Ns3SipHost::OnClosed, this));
      connection.socket->Connect(ns3::InetSocketAddress(ns3::Ipv4Address(destination.address), destination.port));
      Remember(key, std::move(connection));
      it = connections_.find(key);
    }
    it->second.outbound += scratch_;
    Flush(it->second);
  }
  if (on_sent_) on_sent_(message, size, destination);
}

void Ns3SipHost::Flush(Connection& connection) {
  if (!connection.connected || connection.outbound.empty()) return;
  const std::uint32_t room = connection.socket->GetTxAvailable();
  if (room == 0) return;
  const std::size_t chunk = std::min<std::size_t>(room, connection.outbound.size());
  const int sent = connection.socket->Send(
      ns3::Create<ns3::Packet>(reinterpret_cast<const std::uint8_t*>(connection.outbound.data()),
                               static_cast<std::uint32_t>(chunk)));
  if (sent > 0) connection.outbound.erase(0, static_cast<std::size_t>(sent));
}

void Ns3SipHost::OnUdpReceive(ns3::Ptr<ns3::Socket> socket) {
  ns3::Address from;
  while (ns3::Ptr<ns3::Packet> packet = socket->RecvFrom(from)) {
    std::string bytes(packet->GetSize(), '\0');
    packet->CopyData(reinterpret_cast<std::uint8_t*>(bytes.data()), packet->GetSize());
    Deliver(bytes, EndpointOf(from, sip::Transport::kUdp));
  }
}

bool Ns3SipHost::OnAcceptRequest(ns3::Ptr<ns3::Socket>, const ns3::Address&) { return true; }

void Ns3SipHost::OnAccepted(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from) {
  const sip::Endpoint peer = EndpointOf(from, sip::Transport::kTcp);
  Connection connection;
  connection.socket = socket;
  connection.connected = true;
  socket->SetRecvCallback(ns3::MakeCallback(&Ns3SipHost::OnTcpReceive, this));
  socket->SetSendCallback(ns3::MakeCallback(&Ns3SipHost::OnSendRoom, this));
  socket->SetCloseCallbacks(ns3::MakeCallback(&Ns3SipHost::OnClosed, this),
                            ns3::MakeCallback(&Ns3SipHost::OnClosed, this));
  Remember(KeyOf(peer.address, peer.port), std::move(connection));
}

void Ns3SipHost::OnConnected(ns3::Ptr<ns3::Socket> socket) {
  if (Connection* connection = FindBySocket(socket)) {
    connection->connected = true;
    Flush(*connection);
  }
}

void Ns3SipHost::OnConnectFailed(ns3::Ptr<ns3::Socket> socket) {
  NS_LOG_WARN("TCP connection failed");
  Forget(socket);
}

void Ns3SipHost::OnSendRoom(ns3::Ptr<ns3::Socket> socket, std::uint32_t) {
  if (Connection* connection = FindBySocket(socket)) Flush(*connection);
}

void Ns3SipHost::OnClosed(ns3::Ptr<ns3::Socket> socket) { Forget(socket); }

void Ns3SipHost::OnTcpReceive(ns3::Ptr<ns3::Socket> socket) {
  PeerKey key = 0;
  Connection* connection = FindBySocket(socket, &key);
  if (!connection) return;
  const sip::Endpoint peer{static_cast<std::uint32_t>(key >> 16), static_cast<std::uint16_t>(key & 0xFFFF),
                           sip::Transport::kTcp};
  while (ns3::Ptr<ns3::Packet> packet = socket->Recv()) {
    const std::size_t old_size = connection->inbound.size();
    connection->inbound.resize(old_size + packet->GetSize());
    packet->CopyData(reinterpret_cast<std::uint8_t*>(&connection->inbound[old_size]), packet->GetSize());
  }
  while (true) {
    auto frame = wire::SipFrameLength(connection->inbound);
    if (!frame.ok()) {
      // A stream that cannot be framed cannot be resynchronised: drop the connection.
      ++parse_errors_;
      if (on_error_) on_error_(frame.error(), peer);
      Forget(socket);
      socket->Close();
      return;
    }
    if (!frame->has_value()) return;
    const std::string message(connection->inbound, 0, **frame);
    connection->inbound.erase(0, **frame);
    Deliver(message, peer);
    // Delivering may have closed this connection.
    connection = FindBySocket(socket);
    if (!connection) return;
  }
}

void Ns3SipHost::Deliver(std::string_view bytes, const sip::Endpoint& source) {
  auto message = wire::SipMessage::Parse(bytes);
  if (!message.ok()) {
    ++parse_errors_;
    NS_LOG_INFO("unparsable message from " << source.ToString() << ": " << message.error().Describe());
    if (on_error_) on_error_(message.error(), source);
    return;
  }
  if (on_received_) on_received_(*message, bytes.size(), source);
  if (on_message_) on_message_(*message, source);
}

Ns3SipHost::Connection* Ns3SipHost::FindBySocket(ns3::Ptr<ns3::Socket> socket, PeerKey* key) {
  const auto by_socket = peers_.find(ns3::PeekPointer(socket));
  if (by_socket == peers_.end()) return nullptr;
  const auto it = connections_.find(by_socket->second);
  if (it == connections_.end()) return nullptr;
  if (key) *key = by_socket->second;
  return &it->second;
}

void Ns3SipHost::Remember(PeerKey key, Connection connection) {
  peers_[ns3::PeekPointer(connection.socket)] = key;
  connections_[key] = std::move(connection);
}

void Ns3SipHost::Forget(ns3::Ptr<ns3::Socket> socket) {
  const auto by_socket = peers_.find(ns3::PeekPointer(socket));
  if (by_socket == peers_.end()) return;
  const auto it = connections_.find(by_socket->second);
  if (it != connections_.end() && it->second.socket == socket) connections_.erase(it);
  peers_.erase(by_socket);
}

}  // namespace pushsim
