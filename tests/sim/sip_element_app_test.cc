// The element application base: real messages between two ns-3 nodes, the processing queue in
// front of the element (503 with Retry-After when full, RFC 3261 21.5.4), and its traces.
#include "apps/sip-element-app.h"

#include <gtest/gtest.h>

#include "support/two_nodes.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "wire/sip_headers.h"

namespace pushsim {
namespace {

using testing::TwoNodes;

using wire::HeaderId;
using wire::SipMessage;

// Answers every request with 200 (RFC 3261 8.2.6 response construction by the element base).
class EchoElement : public sip::Element {
 public:
  using sip::Element::Element;

 protected:
  void HandleRequest(sip::TransactionId server, const SipMessage&, const sip::Endpoint&) override {
    Respond(server, 200);
  }
};

class EchoApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId() {
    static ns3::TypeId tid = ns3::TypeId("pushsim::test::EchoApplication")
                                 .SetParent<SipElementApplication>()
                                 .AddConstructor<EchoApplication>();
    return tid;
  }

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override {
    return std::make_unique<EchoElement>(host, resolver, std::move(config));
  }
};

SipMessage Request(int n) {
  SipMessage message = SipMessage::MakeRequest(wire::Method::kMessage, "sip:echo@10.1.0.2");
  message.Add(HeaderId::kVia, "SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKclient" + std::to_string(n));
  message.Add(HeaderId::kMaxForwards, "70");
  message.Add(HeaderId::kFrom, "<sip:client@10.1.0.1>;tag=c" + std::to_string(n));
  message.Add(HeaderId::kTo, "<sip:echo@10.1.0.2>");
  message.Add(HeaderId::kCallId, "call-" + std::to_string(n));
  message.Add(HeaderId::kCSeq, std::to_string(n) + " MESSAGE");
  message.SetBody("push " + std::to_string(n), "text/plain");
  return message;
}

struct Received {
  SipMessage message;
  sip::Endpoint from;
  double at = 0;
};

// A bare transport on node 0 that records what comes back.
struct Client {
  Ns3SipHost host;
  std::vector<Received> received;
  explicit Client(ns3::Ptr<ns3::Node> node) : host(node, 5060) {
    host.Start([this](const SipMessage& message, const sip::Endpoint& from) {
      received.push_back(Received{message, from, ns3::Simulator::Now().GetSeconds()});
    });
  }
  std::vector<const Received*> WithCode(int code) const {
    std::vector<const Received*> out;
    for (const auto& r : received) {
      if (r.message.status_code() == code) out.push_back(&r);
    }
    return out;
  }
};

ns3::Ptr<EchoApplication> InstallEcho(TwoNodes& net, ns3::Ptr<SipResolver> resolver) {
  auto app = ns3::CreateObject<EchoApplication>();
  app->SetAttribute("Host", ns3::StringValue("echo.home1.net"));
  app->SetAttribute("Resolver", ns3::PointerValue(resolver));
  net.nodes.Get(1)->AddApplication(app);
  app->SetStartTime(ns3::Seconds(0));
  return app;
}

struct WireRecord {
  std::size_t size;
  sip::Endpoint peer;
  std::string first_line;
};

TEST(SipElementApplication, RFC3261_8_2_6_RequestCrossesAndThe200ComesBack) {
  TwoNodes net;
  auto resolver = ns3::CreateObject<SipResolver>();
  auto echo = InstallEcho(net, resolver);
  std::vector<WireRecord> rx;
  std::vector<WireRecord> tx;
  std::vector<ns3::Time> sojourns;
  echo->TraceConnectWithoutContext(
      "Rx", ns3::MakeCallback(+[](std::vector<WireRecord>* out, const SipMessage& m, std::size_t size,
                                  const sip::Endpoint& peer) {
              out->push_back(WireRecord{size, peer, m.Serialize().substr(0, m.Serialize().find("\r\n"))});
            }).Bind(&rx));
  echo->TraceConnectWithoutContext(
      "Tx", ns3::MakeCallback(+[](std::vector<WireRecord>* out, const SipMessage& m, std::size_t size,
                                  const sip::Endpoint& peer) {
              out->push_back(WireRecord{size, peer, m.Serialize().substr(0, m.Serialize().find("\r\n"))});
            }).Bind(&tx));
  echo->TraceConnectWithoutContext(
      "Processed",
      ns3::MakeCallback(+[](std::vector<ns3::Time>* out, const SipMessage&, ns3::Time t) { out->push_back(t); })
          .Bind(&sojourns));

  Client client(net.nodes.Get(0));
  std::size_t response_size = 0;
  client.host.set_received_observer(
      [&](const SipMessage&, std::size_t size, const sip::Endpoint&) { response_size = size; });
  const SipMessage request = Request(1);
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    client.host.Send(sip::Endpoint{net.interfaces.GetAddress(1).Get(), 5060, sip::Transport::kUdp}, request);
  });
  ns3::Simulator::Stop(ns3::Seconds(3));
  ns3::Simulator::Run();

  // The name was added to the shared resolver with the node's address.
  ASSERT_TRUE(resolver->Lookup("echo.home1.net").has_value());
  EXPECT_EQ(*resolver->Lookup("echo.home1.net"), net.interfaces.GetAddress(1));

  ASSERT_EQ(client.received.size(), 1u);
  const SipMessage& response = client.received[0].message;
  EXPECT_EQ(response.status_code(), 200);
  EXPECT_EQ(response.reason_phrase(), "OK");
  // RFC 3261 8.2.6.2: Via, From, Call-ID and CSeq copied; To copied with a tag added.
  EXPECT_EQ(response.GetAll(HeaderId::kVia), request.GetAll(HeaderId::kVia));
  EXPECT_EQ(response.Get(HeaderId::kFrom), request.Get(HeaderId::kFrom));
  EXPECT_EQ(response.Get(HeaderId::kCallId), "call-1");
  EXPECT_EQ(response.Get(HeaderId::kCSeq), "1 MESSAGE");
  auto to = wire::ParseFromTo(*response.Get(HeaderId::kTo));
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->uri, "sip:echo@10.1.0.2");
  EXPECT_TRUE(wire::HasParam(to->params, "tag"));
  EXPECT_TRUE(response.body().empty());
  EXPECT_EQ(client.received[0].from.HostText(), "10.1.0.2");
  EXPECT_EQ(client.received[0].from.port, 5060);

  // Rx / Tx report the real sizes on the wire and the peer.
  ASSERT_EQ(rx.size(), 1u);
  EXPECT_EQ(rx[0].size, request.SerializedSize());
  EXPECT_EQ(rx[0].peer.HostText(), "10.1.0.1");
  EXPECT_EQ(rx[0].first_line, "MESSAGE sip:echo@10.1.0.2 SIP/2.0");
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_EQ(tx[0].size, response_size);
  EXPECT_EQ(tx[0].size, response.SerializedSize());
  EXPECT_EQ(tx[0].peer.HostText(), "10.1.0.1");
  EXPECT_EQ(tx[0].peer.port, 5060);
  EXPECT_EQ(tx[0].first_line, "SIP/2.0 200 OK");
  // No CPU cost configured: straight through.
  ASSERT_EQ(sojourns.size(), 1u);
  EXPECT_EQ(sojourns[0], ns3::Seconds(0));
}

TEST(SipElementApplication, RFC3261_21_5_4_FullQueueAnswers503WithRetryAfter) {
  TwoNodes net;
  auto echo = InstallEcho(net, ns3::CreateObject<SipResolver>());
  echo->SetAttribute("QueueCapacity", ns3::UintegerValue(1));
  echo->SetAttribute("MessageServiceTime", ns3::StringValue("ns3::ConstantRandomVariable[Constant=0.1]"));
  echo->SetAttribute("RetryAfter", ns3::UintegerValue(7));
  std::vector<std::uint32_t> lengths{0};
  echo->TraceConnectWithoutContext(
      "QueueLength", ns3::MakeCallback(+[](std::vector<std::uint32_t>* out, std::uint32_t, std::uint32_t now) {
                       out->push_back(now);
                     }).Bind(&lengths));
  std::vector<std::pair<std::string, std::uint16_t>> refused;
  echo->TraceConnectWithoutContext(
      "Refused", ns3::MakeCallback(+[](std::vector<std::pair<std::string, std::uint16_t>>* out,
                                       const std::string& method, std::uint16_t code) {
                   out->emplace_back(method, code);
                 }).Bind(&refused));

  Client client(net.nodes.Get(0));
  const sip::Endpoint to{net.interfaces.GetAddress(1).Get(), 5060, sip::Transport::kUdp};
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    for (int n = 1; n <= 3; ++n) client.host.Send(to, Request(n));
  });
  ns3::Simulator::Stop(ns3::Seconds(1.9));  // before any retransmission of the refused requests (T1 = 0.5 s)
  ns3::Simulator::Run();

  const auto ok = client.WithCode(200);
  const auto busy = client.WithCode(503);
  ASSERT_EQ(ok.size(), 1u);
  ASSERT_EQ(busy.size(), 2u);
  EXPECT_EQ(ok[0]->message.Get(HeaderId::kCallId), "call-1");  // the first one in is served
  for (const Received* r : busy) {
    EXPECT_EQ(r->message.reason_phrase(), "Service Unavailable");
    EXPECT_EQ(r->message.Get(HeaderId::kRetryAfter), "7");
    EXPECT_EQ(r->from.HostText(), "10.1.0.2");  // answered by the element itself
    EXPECT_LT(r->at, ok[0]->at);                 // at once, while the first is still in service
  }
  EXPECT_EQ(busy[0]->message.Get(HeaderId::kCallId), "call-2");
  EXPECT_EQ(busy[1]->message.Get(HeaderId::kCallId), "call-3");
  // The 200 waits for the 100 ms of service: more than 100 ms after the 503s.
  EXPECT_GT(ok[0]->at - busy[1]->at, 0.1 - 0.005);

  EXPECT_EQ(lengths, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_EQ(refused, (std::vector<std::pair<std::string, std::uint16_t>>{{"MESSAGE", 503}, {"MESSAGE", 503}}));
  const sip::ProcessingQueue& queue = echo->GetQueue();
  EXPECT_EQ(queue.counters(wire::Method::kMessage).in, 1u);
  EXPECT_EQ(queue.counters(wire::Method::kMessage).out, 1u);
  EXPECT_EQ(queue.counters(wire::Method::kMessage).refused, 2u);
  // 100 ms of service inside [1 s, 2 s].
  EXPECT_NEAR(queue.Utilization(sip::TimePoint(std::chrono::seconds(1)), sip::TimePoint(std::chrono::seconds(2))),
              0.1, 1e-9);
}

TEST(SipElementApplication, OverloadActionDropSendsNothing) {
  TwoNodes net;
  auto echo = InstallEcho(net, ns3::CreateObject<SipResolver>());
  echo->SetAttribute("QueueCapacity", ns3::UintegerValue(1));
  echo->SetAttribute("OverloadAction", ns3::StringValue("Drop"));
  echo->SetAttribute("MessageServiceTime", ns3::StringValue("ns3::ConstantRandomVariable[Constant=0.1]"));
  std::vector<std::uint16_t> codes;
  echo->TraceConnectWithoutContext(
      "Refused", ns3::MakeCallback(+[](std::vector<std::uint16_t>* out, const std::string&, std::uint16_t code) {
                   out->push_back(code);
                 }).Bind(&codes));
  Client client(net.nodes.Get(0));
  const sip::Endpoint to{net.interfaces.GetAddress(1).Get(), 5060, sip::Transport::kUdp};
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    for (int n = 1; n <= 3; ++n) client.host.Send(to, Request(n));
  });
  ns3::Simulator::Stop(ns3::Seconds(1.9));
  ns3::Simulator::Run();
  ASSERT_EQ(client.received.size(), 1u);
  EXPECT_EQ(client.received[0].message.status_code(), 200);
  EXPECT_EQ(codes, (std::vector<std::uint16_t>{0, 0}));
}

TEST(SipElementApplication, ServiceTimesQueueMessagesInOrder) {
  TwoNodes net;
  auto echo = InstallEcho(net, ns3::CreateObject<SipResolver>());
  echo->SetAttribute("MessageServiceTime", ns3::StringValue("ns3::ConstantRandomVariable[Constant=0.2]"));
  std::vector<double> processed_at;
  std::vector<ns3::Time> sojourns;
  echo->TraceConnectWithoutContext(
      "Processed", ns3::MakeCallback(+[](std::vector<ns3::Time>* out, const SipMessage&, ns3::Time t) {
                     out->push_back(t);
                   }).Bind(&sojourns));
  Client client(net.nodes.Get(0));
  const sip::Endpoint to{net.interfaces.GetAddress(1).Get(), 5060, sip::Transport::kUdp};
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    for (int n = 1; n <= 3; ++n) client.host.Send(to, Request(n));
  });
  ns3::Simulator::Stop(ns3::Seconds(1.9));
  ns3::Simulator::Run();
  // Unlimited queue: all three served one after the other; the n-th waits for n-1 services
  // before its own, minus the small gaps between arrivals (< 1 ms each at 10 Mb/s).
  ASSERT_EQ(client.received.size(), 3u);
  for (int n = 0; n < 3; ++n) {
    EXPECT_EQ(client.received[n].message.Get(HeaderId::kCallId), "call-" + std::to_string(n + 1));
  }
  ASSERT_EQ(sojourns.size(), 3u);
  EXPECT_EQ(sojourns[0], ns3::Seconds(0.2));
  EXPECT_GT(sojourns[1], ns3::Seconds(0.399));
  EXPECT_LE(sojourns[1], ns3::Seconds(0.4));
  EXPECT_GT(sojourns[2], ns3::Seconds(0.598));
  EXPECT_LE(sojourns[2], ns3::Seconds(0.6));
  EXPECT_NEAR(client.received[1].at - client.received[0].at, 0.2, 1e-9);
}

TEST(SipElementApplication, AssignStreamsUsesOneStreamPerServiceTime) {
  TwoNodes net;
  auto echo = InstallEcho(net, ns3::CreateObject<SipResolver>());
  EXPECT_EQ(echo->AssignStreams(100), 8);
}

TEST(SipElementApplication, InjectedMessagesGoThroughTheQueue) {
  TwoNodes net;
  auto echo = InstallEcho(net, ns3::CreateObject<SipResolver>());
  Client client(net.nodes.Get(0));
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    echo->InjectMessage(Request(5), sip::Endpoint{net.interfaces.GetAddress(0).Get(), 5060, sip::Transport::kUdp});
  });
  ns3::Simulator::Stop(ns3::Seconds(2));
  ns3::Simulator::Run();
  ASSERT_EQ(client.received.size(), 1u);
  EXPECT_EQ(client.received[0].message.Get(HeaderId::kCallId), "call-5");
  EXPECT_EQ(echo->GetQueue().counters(wire::Method::kMessage).in, 1u);
}

}  // namespace
}  // namespace pushsim
