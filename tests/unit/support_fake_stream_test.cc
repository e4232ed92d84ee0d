// The in-memory stream network the logic tests rely on: connect, ordered data, segmenting, close.
#include "support/fake_stream_host.h"

#include <gtest/gtest.h>

namespace pushsim::testing {
namespace {

using namespace std::chrono_literals;

TEST(FakeStreamNetwork, ConnectsDeliversInOrderAndCloses) {
  FakeHost clock;
  FakeStreamNetwork network(clock, 10ms);
  network.set_max_segment(3);
  FakeStreamHost& client = network.AddHost(1);
  FakeStreamHost& server = network.AddHost(2);
  std::string received;
  bool server_saw_close = false;
  sip::Endpoint seen_remote;
  ASSERT_TRUE(server.Listen(2855, [&](sip::ConnectionId, const sip::Endpoint& remote) {
    seen_remote = remote;
    sip::StreamCallbacks callbacks;
    callbacks.on_data = [&](sip::ConnectionId, std::string_view bytes) { received.append(bytes); };
    callbacks.on_closed = [&](sip::ConnectionId) { server_saw_close = true; };
    return callbacks;
  }));
  EXPECT_FALSE(server.Listen(2855, nullptr));
  bool connected = false;
  sip::StreamCallbacks callbacks;
  callbacks.on_connected = [&](sip::ConnectionId) { connected = true; };
  const sip::ConnectionId id = client.Connect(server.LocalEndpoint(2855), callbacks);
  client.Write(id, "hello ");  // written before the connection is up: queued
  clock.Advance(5ms);
  EXPECT_FALSE(connected);
  clock.Advance(10ms);
  EXPECT_TRUE(connected);
  client.Write(id, "world");
  client.Close(id);  // after the data, like a FIN
  clock.Advance(100ms);
  EXPECT_EQ(received, "hello world");
  EXPECT_TRUE(server_saw_close);
  EXPECT_EQ(seen_remote.address, 1u);
  EXPECT_EQ(client.written[id], "hello world");
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(FakeStreamNetwork, ConnectingToNobodyCloses) {
  FakeHost clock;
  FakeStreamNetwork network(clock);
  FakeStreamHost& client = network.AddHost(1);
  bool closed = false;
  sip::StreamCallbacks callbacks;
  callbacks.on_closed = [&](sip::ConnectionId) { closed = true; };
  client.Connect(sip::Endpoint{9, 80, sip::Transport::kTcp}, callbacks);
  clock.Advance(1s);
  EXPECT_TRUE(closed);
  EXPECT_EQ(client.open_connections(), 0u);
}

}  // namespace
}  // namespace pushsim::testing
