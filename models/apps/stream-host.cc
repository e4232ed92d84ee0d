#include "apps/stream-host.h"

#include <algorithm>

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-socket-factory.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimStreamHost");

namespace {

sip::Endpoint EndpointOf(const ns3::Address& address) {
  const ns3::InetSocketAddress inet = ns3::InetSocketAddress::ConvertFrom(address);
  return sip::Endpoint{inet.GetIpv4().Get(), inet.GetPort(), sip::Transport::kTcp};
}

// Silences every callback of a socket, so nothing reaches a host that has forgotten it.
void Quiet(ns3::Ptr<ns3::Socket> socket) {
  socket->SetConnectCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>(),
                             ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
  socket->SetRecvCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
  socket->SetSendCallback(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, std::uint32_t>());
  socket->SetCloseCallbacks(ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>(),
                            ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>>());
}

}  // namespace

Ns3StreamHost::Ns3StreamHost(ns3::Ptr<ns3::Node> node) : node_(node) {}

Ns3StreamHost::~Ns3StreamHost() { Stop(); }

void Ns3StreamHost::Stop() {
  for (auto& [id, connection] : connections_) {
    Quiet(connection.socket);
    connection.socket->Close();
  }
  connections_.clear();
  ids_.clear();
  for (auto& [port, listener] : listeners_) {
    listener.socket->SetAcceptCallback(
        ns3::MakeNullCallback<bool, ns3::Ptr<ns3::Socket>, const ns3::Address&>(),
        ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, const ns3::Address&>());
    listener.socket->Close();
  }
  listeners_.clear();
}

std::size_t Ns3StreamHost::queued_bytes() const {
  std::size_t total = 0;
  for (const auto& [id, connection] : connections_) total += connection.queued;
  return total;
}

sip::Endpoint Ns3StreamHost::LocalEndpoint(std::uint16_t port) const {
  std::uint32_t address = 0;
  if (ns3::Ptr<ns3::Ipv4> ipv4 = node_->GetObject<ns3::Ipv4>()) {
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
  return sip::Endpoint{address, port, sip::Transport::kTcp};
}

Ns3StreamHost::Connection* Ns3StreamHost::Find(sip::ConnectionId id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : &it->second;
}

sip::ConnectionId Ns3StreamHost::IdOf(ns3::Ptr<ns3::Socket> socket) const {
  auto it = ids_.find(ns3::PeekPointer(socket));
  return it == ids_.end() ? sip::kNoConnection : it->second;
}

void Ns3StreamHost::Watch(sip::ConnectionId id, ns3::Ptr<ns3::Socket> socket) {
  ids_[ns3::PeekPointer(socket)] = id;
  socket->SetRecvCallback(ns3::MakeCallback(&Ns3StreamHost::OnReceive, this));
  socket->SetSendCallback(ns3::MakeCallback(&Ns3StreamHost::OnSendRoom, this));
  socket->SetCloseCallbacks(ns3::MakeCallback(&Ns3StreamHost::OnPeerClosed, this),
                            ns3::MakeCallback(&Ns3StreamHost::OnPeerClosed, this));
}

sip::ConnectionId Ns3StreamHost::Connect(const sip::Endpoint& remote, sip::StreamCallbacks callbacks) {
  const sip::ConnectionId id = ++next_id_;
  Connection connection;
  connection.socket = ns3::Socket::CreateSocket(node_, ns3::TcpSocketFactory::GetTypeId());
  connection.callbacks = std::move(callbacks);
  ns3::Ptr<ns3::Socket> socket = connection.socket;
  connections_.emplace(id, std::move(connection));
  Watch(id, socket);
  socket->SetConnectCallback(ns3::MakeCallback(&Ns3StreamHost::OnConnected, this),
                             ns3::MakeCallback(&Ns3StreamHost::OnConnectFailed, this));
  const bool started = socket->Bind() == 0 &&
                       socket->Connect(ns3::InetSocketAddress(ns3::Ipv4Address(remote.address), remote.port)) == 0;
  if (!started) {
    // Reported later, like every other outcome of Connect: the caller has not stored the id yet.
    NS_LOG_WARN("cannot connect to " << remote.ToString());
    ns3::Simulator::ScheduleNow([this, id] {
      if (Find(id)) Lost(id);
    });
  }
  return id;
}

void Ns3StreamHost::OnConnected(ns3::Ptr<ns3::Socket> socket) {
  const sip::ConnectionId id = IdOf(socket);
  Connection* connection = Find(id);
  if (!connection) return;
  connection->connected = true;
  Flush(id);
  connection = Find(id);
  if (!connection || connection->closing) return;
  // A copy: the callback may close the connection, which drops the stored one.
  auto on_connected = connection->callbacks.on_connected;
  if (on_connected) on_connected(id);
}

void Ns3StreamHost::OnConnectFailed(ns3::Ptr<ns3::Socket> socket) {
  const sip::ConnectionId id = IdOf(socket);
  if (id == sip::kNoConnection) return;
  NS_LOG_INFO("connection " << id << " failed");
  Lost(id);
}

bool Ns3StreamHost::Listen(std::uint16_t port,
                           std::function<sip::StreamCallbacks(sip::ConnectionId, const sip::Endpoint&)> on_accept) {
  if (listeners_.count(port)) return false;
  ns3::Ptr<ns3::Socket> socket = ns3::Socket::CreateSocket(node_, ns3::TcpSocketFactory::GetTypeId());
  if (socket->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), port)) != 0 || socket->Listen() != 0) {
    socket->Close();
    return false;
  }
  socket->SetAcceptCallback(ns3::MakeCallback(&Ns3StreamHost::OnAcceptRequest, this),
                            ns3::MakeCallback(&Ns3StreamHost::OnAccepted, this));
  listeners_[port] = Listener{socket, std::move(on_accept)};
  return true;
}

void Ns3StreamHost::StopListening(std::uint16_t port) {
  auto it = listeners_.find(port);
  if (it == listeners_.end()) return;
  it->second.socket->SetAcceptCallback(ns3::MakeNullCallback<bool, ns3::Ptr<ns3::Socket>, const ns3::Address&>(),
                                       ns3::MakeNullCallback<void, ns3::Ptr<ns3::Socket>, const ns3::Address&>());
  it->second.socket->Close();
  listeners_.erase(it);
}

bool Ns3StreamHost::OnAcceptRequest(ns3::Ptr<ns3::Socket>, const ns3::Address&) { return true; }

void Ns3StreamHost::OnAccepted(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from) {
  // The accepted socket is bound to the listening port: that tells which listener it belongs to.
  ns3::Address local;
  socket->GetSockName(local);
  auto listener = listeners_.find(ns3::InetSocketAddress::ConvertFrom(local).GetPort());
  if (listener == listeners_.end()) {
    Quiet(socket);
    socket->Close();
    return;
  }
  const sip::ConnectionId id = ++next_id_;
  Connection connection;
  connection.socket = socket;
  connection.connected = true;
  connections_.emplace(id, std::move(connection));
  Watch(id, socket);
  auto on_accept = listener->second.on_accept;  // a copy: the callback may stop listening
  sip::StreamCallbacks callbacks = on_accept ? on_accept(id, EndpointOf(from)) : sip::StreamCallbacks{};
  // The owner may have closed the connection from inside on_accept.
  if (Connection* accepted = Find(id); accepted && !accepted->closing) accepted->callbacks = std::move(callbacks);
}

void Ns3StreamHost::OnReceive(ns3::Ptr<ns3::Socket> socket) {
  const sip::ConnectionId id = IdOf(socket);
  std::string bytes;
  while (ns3::Ptr<ns3::Packet> packet = socket->Recv()) {
    Connection* connection = Find(id);
    // Closed by its owner (possibly by the previous callback): the rest is discarded.
    if (!connection || connection->closing) continue;
    bytes.resize(packet->GetSize());
    packet->CopyData(reinterpret_cast<std::uint8_t*>(bytes.data()), packet->GetSize());
    auto on_data = connection->callbacks.on_data;
    if (on_data && !bytes.empty()) on_data(id, bytes);
  }
}

void Ns3StreamHost::OnSendRoom(ns3::Ptr<ns3::Socket> socket, std::uint32_t) {
  const sip::ConnectionId id = IdOf(socket);
  if (id != sip::kNoConnection) Flush(id);
}

void Ns3StreamHost::OnPeerClosed(ns3::Ptr<ns3::Socket> socket) {
  const sip::ConnectionId id = IdOf(socket);
  if (id == sip::kNoConnection) return;
  Lost(id);
}

void Ns3StreamHost::Lost(sip::ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection) return;
  const bool report = !connection->closing;
  auto on_closed = connection->callbacks.on_closed;
  ns3::Ptr<ns3::Socket> socket = connection->socket;
  Quiet(socket);
  ids_.erase(ns3::PeekPointer(socket));
  connections_.erase(id);
  // Answer the peer's FIN with ours; outside the socket's own callback, which is still running.
  ns3::Simulator::ScheduleNow([socket] { socket->Close(); });
  if (report && on_closed) on_closed(id);
}

void Ns3StreamHost::Write(sip::ConnectionId id, std::string_view bytes) {
  Connection* connection = Find(id);
  if (!connection || connection->closing || bytes.empty()) return;
  connection->outbound.emplace_back(bytes);
  connection->queued += bytes.size();
  Flush(id);
}

void Ns3StreamHost::Flush(sip::ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection || !connection->connected) return;
  while (connection->queued > 0) {
    const std::uint32_t room = connection->socket->GetTxAvailable();
    if (room == 0) break;
    const std::string& front = connection->outbound.front();
    const std::size_t chunk = std::min<std::size_t>(room, front.size() - connection->front_offset);
    const int sent = connection->socket->Send(ns3::Create<ns3::Packet>(
        reinterpret_cast<const std::uint8_t*>(front.data() + connection->front_offset),
        static_cast<std::uint32_t>(chunk)));
    if (sent <= 0) break;
    connection->front_offset += static_cast<std::size_t>(sent);
    connection->queued -= static_cast<std::size_t>(sent);
    if (connection->front_offset == front.size()) {
      connection->outbound.pop_front();
      connection->front_offset = 0;
    }
  }
  if (connection->closing && connection->queued == 0) Release(id);
}

void Ns3StreamHost::Close(sip::ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection || connection->closing) return;
  connection->closing = true;
  connection->callbacks = {};
  // Not yet connected: the queue is sent once the connection is up (or dropped if it fails).
  if (connection->connected && connection->queued == 0) Release(id);
}

void Ns3StreamHost::Release(sip::ConnectionId id) {
  Connection* connection = Find(id);
  if (!connection) return;
  ns3::Ptr<ns3::Socket> socket = connection->socket;
  Quiet(socket);
  ids_.erase(ns3::PeekPointer(socket));
  connections_.erase(id);
  // TCP sends what it holds in its buffer before the FIN.
  socket->Close();
}

}  // namespace pushsim
