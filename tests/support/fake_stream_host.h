// In-memory byte streams between FakeStreamHosts on one FakeHost clock, for unit tests of the
// logic that speaks MSRP or HTTP. Every event (connect, data, close) arrives after `latency`,
// in order, so tests are deterministic. Writes can be split to exercise framing.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sip/stream.h"
#include "support/fake_host.h"

namespace pushsim::testing {

class FakeStreamNetwork;

class FakeStreamHost : public sip::StreamHost {
 public:
  FakeStreamHost(FakeStreamNetwork& network, std::uint32_t address) : network_(network), address_(address) {}

  sip::ConnectionId Connect(const sip::Endpoint& remote, sip::StreamCallbacks callbacks) override;
  bool Listen(std::uint16_t port,
              std::function<sip::StreamCallbacks(sip::ConnectionId, const sip::Endpoint&)> on_accept) override {
    return listeners_.emplace(port, std::move(on_accept)).second;
  }
  void StopListening(std::uint16_t port) override { listeners_.erase(port); }
  void Write(sip::ConnectionId connection, std::string_view bytes) override;
  void Close(sip::ConnectionId connection) override;
  sip::Endpoint LocalEndpoint(std::uint16_t port) const override {
    return sip::Endpoint{address_, port, sip::Transport::kTcp};
  }

  std::uint32_t address() const { return address_; }
  // Everything written on each connection, for assertions.
  std::map<sip::ConnectionId, std::string> written;
  std::size_t open_connections() const { return connections_.size(); }

 private:
  friend class FakeStreamNetwork;
  struct Connection {
    sip::StreamCallbacks callbacks;
    FakeStreamHost* peer_host = nullptr;
    sip::ConnectionId peer = sip::kNoConnection;
  };
  FakeStreamNetwork& network_;
  std::uint32_t address_;
  std::map<std::uint16_t, std::function<sip::StreamCallbacks(sip::ConnectionId, const sip::Endpoint&)>> listeners_;
  std::map<sip::ConnectionId, Connection> connections_;
};

class FakeStreamNetwork {
 public:
  explicit FakeStreamNetwork(FakeHost& clock, sip::Duration latency = std::chrono::milliseconds(10))
      : clock_(clock), latency_(latency) {}

  FakeStreamHost& AddHost(std::uint32_t address) {
    hosts_.push_back(std::make_unique<FakeStreamHost>(*this, address));
    return *hosts_.back();
  }
  FakeStreamHost* Find(std::uint32_t address) {
    for (auto& host : hosts_) {
      if (host->address() == address) return host.get();
    }
    return nullptr;
  }
  // Splits every write into pieces of at most this many bytes (0: whole writes).
  void set_max_segment(std::size_t bytes) { max_segment_ = bytes; }

  void Later(std::function<void()> action) { clock_.StartTimer(latency_, std::move(action)); }
  sip::ConnectionId NextId() { return ++next_id_; }
  std::size_t max_segment() const { return max_segment_; }

 private:
  FakeHost& clock_;
  sip::Duration latency_;
  std::vector<std::unique_ptr<FakeStreamHost>> hosts_;
  sip::ConnectionId next_id_ = 0;
  std::size_t max_segment_ = 0;
};

inline sip::ConnectionId FakeStreamHost::Connect(const sip::Endpoint& remote, sip::StreamCallbacks callbacks) {
  const sip::ConnectionId id = network_.NextId();
  connections_[id] = Connection{std::move(callbacks), nullptr, sip::kNoConnection};
  network_.Later([this, id, remote] {
    auto self = connections_.find(id);
    if (self == connections_.end()) return;
    FakeStreamHost* server = network_.Find(remote.address);
    auto listener = server ? server->listeners_.find(remote.port) : decltype(listeners_)::iterator{};
    if (!server || listener == server->listeners_.end()) {
      auto callbacks_copy = self->second.callbacks;
      connections_.erase(self);
      if (callbacks_copy.on_closed) callbacks_copy.on_closed(id);
      return;
    }
    const sip::ConnectionId accepted = network_.NextId();
    server->connections_[accepted] = Connection{{}, this, id};
    self->second.peer_host = server;
    self->second.peer = accepted;
    server->connections_[accepted].callbacks =
        listener->second(accepted, sip::Endpoint{address_, static_cast<std::uint16_t>(40000 + id % 20000), sip::Transport::kTcp});
    if (self->second.callbacks.on_connected) self->second.callbacks.on_connected(id);
  });
  return id;
}

inline void FakeStreamHost::Write(sip::ConnectionId connection, std::string_view bytes) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  written[connection].append(bytes);
  const std::size_t step = network_.max_segment() == 0 ? std::max<std::size_t>(bytes.size(), 1) : network_.max_segment();
  for (std::size_t offset = 0; offset < bytes.size(); offset += step) {
    std::string piece(bytes.substr(offset, step));
    network_.Later([this, connection, piece = std::move(piece)] {
      auto self = connections_.find(connection);
      if (self == connections_.end() || !self->second.peer_host) return;
      FakeStreamHost* peer_host = self->second.peer_host;
      auto peer = peer_host->connections_.find(self->second.peer);
      if (peer == peer_host->connections_.end()) return;
      if (peer->second.callbacks.on_data) peer->second.callbacks.on_data(peer->first, piece);
    });
  }
}

inline void FakeStreamHost::Close(sip::ConnectionId connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  it->second.callbacks = {};  // no callback runs for a connection its owner closed
  // Queued after the writes and the connect, like a FIN after the data.
  network_.Later([this, connection] {
    auto self = connections_.find(connection);
    if (self == connections_.end()) return;
    FakeStreamHost* peer_host = self->second.peer_host;
    const sip::ConnectionId peer = self->second.peer;
    connections_.erase(self);
    if (!peer_host) return;
    auto other = peer_host->connections_.find(peer);
    if (other == peer_host->connections_.end()) return;
    auto callbacks = other->second.callbacks;
    peer_host->connections_.erase(other);
    if (callbacks.on_closed) callbacks.on_closed(peer);
  });
}

}  // namespace pushsim::testing
