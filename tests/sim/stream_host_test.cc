// Ns3StreamHost: sip::StreamHost on ns-3 TCP sockets between two simulated nodes.
#include "apps/stream-host.h"

#include <gtest/gtest.h>

#include <string>

#include "support/two_nodes.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

namespace pushsim {
namespace {

using testing::TwoNodes;

// Bytes that show loss, duplication and reordering: position-dependent, not periodic in 256.
std::string Pattern(std::size_t size, char salt) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 251 + salt) % 26);
  return out;
}

struct Side {
  std::string received;
  int connected = 0;
  int closed = 0;
  sip::ConnectionId id = sip::kNoConnection;
};

sip::StreamCallbacks Record(Side& side) {
  sip::StreamCallbacks callbacks;
  callbacks.on_connected = [&side](sip::ConnectionId) { ++side.connected; };
  callbacks.on_data = [&side](sip::ConnectionId, std::string_view bytes) { side.received.append(bytes); };
  callbacks.on_closed = [&side](sip::ConnectionId) { ++side.closed; };
  return callbacks;
}

TEST(Ns3StreamHost, HundredKilobytesEachWayArriveInOrder) {
  // A small send buffer, so writes have to queue and flush as TCP makes room.
  ns3::Config::SetDefault("ns3::TcpSocket::SndBufSize", ns3::UintegerValue(16384));
  TwoNodes net;
  Ns3StreamHost client_host(net.nodes.Get(0));
  Ns3StreamHost server_host(net.nodes.Get(1));
  const std::string upstream = Pattern(100 * 1000, 1);
  const std::string downstream = Pattern(100 * 1000, 2);
  Side client;
  Side server;
  sip::Endpoint seen_remote;
  std::size_t queued_after_write = 0;
  ASSERT_TRUE(server_host.Listen(9000, [&](sip::ConnectionId id, const sip::Endpoint& remote) {
    server.id = id;
    seen_remote = remote;
    server_host.Write(id, downstream);
    return Record(server);
  }));
  EXPECT_FALSE(server_host.Listen(9000, [](sip::ConnectionId, const sip::Endpoint&) { return sip::StreamCallbacks{}; }));
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    sip::StreamCallbacks callbacks = Record(client);
    callbacks.on_connected = [&](sip::ConnectionId id) {
      ++client.connected;
      client_host.Write(id, upstream);
      queued_after_write = client_host.queued_bytes();
    };
    client.id = client_host.Connect(server_host.LocalEndpoint(9000), callbacks);
  });
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  ns3::Config::SetDefault("ns3::TcpSocket::SndBufSize", ns3::UintegerValue(131072));
  EXPECT_EQ(client.connected, 1);
  EXPECT_GT(queued_after_write, 0u);  // more than the send buffer was written at once
  EXPECT_EQ(server.received.size(), upstream.size());
  EXPECT_TRUE(server.received == upstream);
  EXPECT_EQ(client.received.size(), downstream.size());
  EXPECT_TRUE(client.received == downstream);
  EXPECT_EQ(seen_remote.HostText(), "10.1.0.1");
  EXPECT_EQ(server_host.LocalEndpoint(9000).HostText(), "10.1.0.2");
  EXPECT_EQ(client_host.queued_bytes(), 0u);
  EXPECT_EQ(client.closed + server.closed, 0);
  EXPECT_EQ(client_host.open_connections(), 1u);
  EXPECT_EQ(server_host.open_connections(), 1u);
}

TEST(Ns3StreamHost, CloseSendsWhatIsQueuedThenTheFin) {
  TwoNodes net;
  Ns3StreamHost client_host(net.nodes.Get(0));
  Ns3StreamHost server_host(net.nodes.Get(1));
  const std::string bytes = Pattern(300 * 1000, 3);
  Side client;
  Side server;
  double closed_at = 0;
  server_host.Listen(80, [&](sip::ConnectionId, const sip::Endpoint&) {
    sip::StreamCallbacks callbacks = Record(server);
    callbacks.on_closed = [&](sip::ConnectionId) {
      ++server.closed;
      closed_at = ns3::Simulator::Now().GetSeconds();
    };
    return callbacks;
  });
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    // Written and closed before the connection is even up.
    client.id = client_host.Connect(server_host.LocalEndpoint(80), Record(client));
    client_host.Write(client.id, bytes);
    client_host.Close(client.id);
    client_host.Write(client.id, "ignored after Close");
  });
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  EXPECT_TRUE(server.received == bytes) << server.received.size();
  EXPECT_EQ(server.closed, 1);
  EXPECT_GT(closed_at, 1.0);
  // No callback after Close, not even on_connected.
  EXPECT_EQ(client.connected + client.closed, 0);
  EXPECT_TRUE(client.received.empty());
  EXPECT_EQ(client_host.open_connections(), 0u);
  EXPECT_EQ(server_host.open_connections(), 0u);
}

TEST(Ns3StreamHost, PeerCloseIsReportedAfterItsData) {
  TwoNodes net;
  Ns3StreamHost client_host(net.nodes.Get(0));
  Ns3StreamHost server_host(net.nodes.Get(1));
  Side client;
  server_host.Listen(80, [&](sip::ConnectionId id, const sip::Endpoint&) {
    server_host.Write(id, "bye");
    server_host.Close(id);
    return sip::StreamCallbacks{};
  });
  ns3::Simulator::Schedule(ns3::Seconds(1),
                           [&] { client.id = client_host.Connect(server_host.LocalEndpoint(80), Record(client)); });
  ns3::Simulator::Stop(ns3::Seconds(5));
  ns3::Simulator::Run();
  EXPECT_EQ(client.connected, 1);
  EXPECT_EQ(client.received, "bye");
  EXPECT_EQ(client.closed, 1);
  EXPECT_EQ(client_host.open_connections(), 0u);
}

// Connects to a port nobody listens on (9999) and to one whose listener stopped (81); returns
// when each attempt was reported closed (0: never).
std::pair<double, double> RefusedConnections(Side& refused, Side& stopped) {
  TwoNodes net;
  Ns3StreamHost client_host(net.nodes.Get(0));
  Ns3StreamHost server_host(net.nodes.Get(1));
  std::pair<double, double> closed_at{0, 0};
  server_host.Listen(81, [](sip::ConnectionId, const sip::Endpoint&) { return sip::StreamCallbacks{}; });
  server_host.StopListening(81);
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    sip::StreamCallbacks first = Record(refused);
    first.on_closed = [&](sip::ConnectionId) {
      ++refused.closed;
      closed_at.first = ns3::Simulator::Now().GetSeconds();
    };
    sip::StreamCallbacks second = Record(stopped);
    second.on_closed = [&](sip::ConnectionId) {
      ++stopped.closed;
      closed_at.second = ns3::Simulator::Now().GetSeconds();
    };
    refused.id = client_host.Connect(server_host.LocalEndpoint(9999), first);
    stopped.id = client_host.Connect(server_host.LocalEndpoint(81), second);
  });
  ns3::Simulator::Stop(ns3::Seconds(400));
  ns3::Simulator::Run();
  EXPECT_EQ(client_host.open_connections(), 0u);
  return closed_at;
}

TEST(Ns3StreamHost, ConnectingToAClosedPortReportsClosed) {
  // ns-3.37 TCP ignores the RST|ACK that answers a SYN to a closed port (ProcessSynSent drops it),
  // so the attempt ends when the SYN retransmissions run out: ConnTimeout 3 s doubled over
  // ConnCount 6, 3 * (2^6 - 1) = 189 s after the connect at 1 s.
  Side refused;
  Side stopped;
  const auto closed_at = RefusedConnections(refused, stopped);
  EXPECT_NE(refused.id, stopped.id);
  EXPECT_EQ(refused.connected, 0);
  EXPECT_EQ(refused.closed, 1);
  EXPECT_EQ(stopped.connected, 0);
  EXPECT_EQ(stopped.closed, 1);
  EXPECT_NEAR(closed_at.first, 190.0, 0.1);
  EXPECT_NEAR(closed_at.second, 190.0, 0.1);
}

TEST(Ns3StreamHost, ShorterSynRetriesReportAClosedPortSooner) {
  ns3::Config::SetDefault("ns3::TcpSocket::ConnTimeout", ns3::TimeValue(ns3::Seconds(1)));
  ns3::Config::SetDefault("ns3::TcpSocket::ConnCount", ns3::UintegerValue(2));
  Side refused;
  Side stopped;
  const auto closed_at = RefusedConnections(refused, stopped);
  ns3::Config::SetDefault("ns3::TcpSocket::ConnTimeout", ns3::TimeValue(ns3::Seconds(3)));
  ns3::Config::SetDefault("ns3::TcpSocket::ConnCount", ns3::UintegerValue(6));
  EXPECT_EQ(refused.closed, 1);
  EXPECT_EQ(stopped.closed, 1);
  EXPECT_NEAR(closed_at.first, 1.0 + 1 * (4 - 1), 0.1);  // 1 s * (2^2 - 1) after the connect
}

TEST(Ns3StreamHost, StopSilencesEverything) {
  TwoNodes net;
  Ns3StreamHost client_host(net.nodes.Get(0));
  Ns3StreamHost server_host(net.nodes.Get(1));
  Side client;
  Side server;
  server_host.Listen(80, [&](sip::ConnectionId, const sip::Endpoint&) { return Record(server); });
  ns3::Simulator::Schedule(ns3::Seconds(1),
                           [&] { client.id = client_host.Connect(server_host.LocalEndpoint(80), Record(client)); });
  ns3::Simulator::Schedule(ns3::Seconds(2), [&] {
    client_host.Write(client.id, "late");
    client_host.Stop();
  });
  ns3::Simulator::Stop(ns3::Seconds(5));
  ns3::Simulator::Run();
  EXPECT_EQ(client.connected, 1);
  EXPECT_EQ(client.closed, 0);       // Stop reports nothing to its own side
  EXPECT_EQ(server.closed, 1);       // the peer sees the connection end
  EXPECT_EQ(client_host.open_connections(), 0u);
}

}  // namespace
}  // namespace pushsim
