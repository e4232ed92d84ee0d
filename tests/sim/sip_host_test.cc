// The ns-3 SIP transport: real bytes over UDP and TCP between two simulated nodes.
#include "apps/sip-host.h"

#include <gtest/gtest.h>

#include "support/two_nodes.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

namespace pushsim {
namespace {

using testing::TwoNodes;

using wire::HeaderId;
using wire::SipMessage;

SipMessage Message(std::string_view body) {
  SipMessage message = SipMessage::MakeRequest(wire::Method::kMessage, "sip:bob@10.1.0.2");
  message.Add(HeaderId::kVia, "SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bK1");
  message.Add(HeaderId::kMaxForwards, "70");
  message.Add(HeaderId::kFrom, "<sip:as@10.1.0.1>;tag=1");
  message.Add(HeaderId::kTo, "<sip:bob@10.1.0.2>");
  message.Add(HeaderId::kCallId, "c1");
  message.Add(HeaderId::kCSeq, "1 MESSAGE");
  message.SetBody(body, "text/plain");
  return message;
}

TEST(Ns3SipHost, UdpDeliversTheSameMessageAndItsSize) {
  TwoNodes net;
  Ns3SipHost sender(net.nodes.Get(0), 5060);
  Ns3SipHost receiver(net.nodes.Get(1), 5060);
  std::vector<std::pair<SipMessage, sip::Endpoint>> received;
  std::size_t received_size = 0;
  sender.Start([](const SipMessage&, const sip::Endpoint&) {});
  receiver.Start([&](const SipMessage& m, const sip::Endpoint& from) { received.emplace_back(m, from); });
  receiver.set_received_observer([&](const SipMessage&, std::size_t size, const sip::Endpoint&) { received_size = size; });
  const SipMessage message = Message("hello push");
  const sip::Endpoint to = receiver.local(sip::Transport::kUdp);
  EXPECT_EQ(to.HostText(), "10.1.0.2");
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] { sender.Send(to, message); });
  ns3::Simulator::Stop(ns3::Seconds(2));
  ns3::Simulator::Run();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].first.Serialize(), message.Serialize());
  EXPECT_EQ(received[0].second.HostText(), "10.1.0.1");
  EXPECT_EQ(received[0].second.port, 5060);
  EXPECT_EQ(received_size, message.SerializedSize());
}

TEST(Ns3SipHost, TcpFramesSeveralLargeMessagesOnOneConnection) {
  TwoNodes net;
  Ns3SipHost sender(net.nodes.Get(0), 5060);
  Ns3SipHost receiver(net.nodes.Get(1), 5060);
  std::vector<SipMessage> received;
  sip::Endpoint source;
  sender.Start([](const SipMessage&, const sip::Endpoint&) {});
  receiver.Start([&](const SipMessage& m, const sip::Endpoint& from) {
    received.push_back(m);
    source = from;
  });
  // Larger than one TCP segment, so framing has to join segments.
  const SipMessage first = Message(std::string(3000, 'a'));
  const SipMessage second = Message(std::string(1400, 'b'));
  const sip::Endpoint to = receiver.local(sip::Transport::kTcp);
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    sender.Send(to, first);
    sender.Send(to, second);
  });
  ns3::Simulator::Stop(ns3::Seconds(3));
  ns3::Simulator::Run();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].body(), std::string(3000, 'a'));
  EXPECT_EQ(received[1].body(), std::string(1400, 'b'));
  EXPECT_EQ(source.transport, sip::Transport::kTcp);
  EXPECT_EQ(sender.open_connections(), 1u);  // reused, not one per message
  EXPECT_EQ(receiver.open_connections(), 1u);
}

TEST(Ns3SipHost, ResponseGoesBackOnTheAcceptedConnection) {
  TwoNodes net;
  Ns3SipHost client(net.nodes.Get(0), 5060);
  Ns3SipHost server(net.nodes.Get(1), 5060);
  std::vector<SipMessage> at_client;
  client.Start([&](const SipMessage& m, const sip::Endpoint&) { at_client.push_back(m); });
  server.Start([&](const SipMessage& m, const sip::Endpoint& from) {
    SipMessage response = SipMessage::MakeResponse(200);
    response.Add(HeaderId::kVia, *m.Get(HeaderId::kVia));
    response.Add(HeaderId::kFrom, *m.Get(HeaderId::kFrom));
    response.Add(HeaderId::kTo, std::string(*m.Get(HeaderId::kTo)) + ";tag=2");
    response.Add(HeaderId::kCallId, *m.Get(HeaderId::kCallId));
    response.Add(HeaderId::kCSeq, *m.Get(HeaderId::kCSeq));
    server.Send(from, response);  // `from` is the client's ephemeral port
  });
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] { client.Send(server.local(sip::Transport::kTcp), Message("x")); });
  ns3::Simulator::Stop(ns3::Seconds(3));
  ns3::Simulator::Run();
  ASSERT_EQ(at_client.size(), 1u);
  EXPECT_EQ(at_client[0].status_code(), 200);
  EXPECT_EQ(server.open_connections(), 1u);
}

TEST(Ns3SipHost, GarbageOnUdpIsCountedNotDelivered) {
  TwoNodes net;
  Ns3SipHost receiver(net.nodes.Get(1), 5060);
  int delivered = 0;
  wire::ErrorCode code{};
  receiver.Start([&](const SipMessage&, const sip::Endpoint&) { ++delivered; });
  receiver.set_error_handler([&](const wire::ParseError& error, const sip::Endpoint&) { code = error.code; });
  ns3::Ptr<ns3::Socket> raw = ns3::Socket::CreateSocket(net.nodes.Get(0), ns3::UdpSocketFactory::GetTypeId());
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    const std::string junk = "NOT SIP AT ALL\r\n\r\n";
    raw->SendTo(ns3::Create<ns3::Packet>(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()), 0,
                ns3::InetSocketAddress(net.interfaces.GetAddress(1), 5060));
  });
  ns3::Simulator::Stop(ns3::Seconds(2));
  ns3::Simulator::Run();
  EXPECT_EQ(delivered, 0);
  EXPECT_EQ(receiver.parse_errors(), 1u);
  EXPECT_EQ(code, wire::ErrorCode::kBadStartLine);
}

TEST(Ns3SipHost, TimersFireInSimulatedTimeAndCanBeCancelled) {
  TwoNodes net;
  Ns3SipHost host(net.nodes.Get(0), 5060);
  std::vector<double> fired;
  host.StartTimer(std::chrono::milliseconds(1500), [&] { fired.push_back(ns3::Simulator::Now().GetSeconds()); });
  const sip::TimerId cancelled = host.StartTimer(std::chrono::seconds(1), [&] { fired.push_back(-1); });
  host.CancelTimer(cancelled);
  ns3::Simulator::Run();
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_DOUBLE_EQ(fired[0], 1.5);
}

TEST(RFC3261_18_1_1, LargeRequestsGoOverTcp) {
  EXPECT_EQ(sip::ChooseTransport(1300), sip::Transport::kUdp);
  EXPECT_EQ(sip::ChooseTransport(1301), sip::Transport::kTcp);
  EXPECT_EQ(sip::ChooseTransport(1299, 1500), sip::Transport::kUdp);
  EXPECT_EQ(sip::ChooseTransport(1301, 1500), sip::Transport::kTcp);
  EXPECT_EQ(sip::ChooseTransport(900, 1000), sip::Transport::kTcp);  // within 200 bytes of a small MTU
}

}  // namespace
}  // namespace pushsim
