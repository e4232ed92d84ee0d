// The content server application fetched over ns-3 TCP by an HttpFetcher on another node.
#include "apps/content-server-app.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "apps/content-server-helper.h"
#include "apps/sip-host.h"
#include "apps/stream-host.h"
#include "support/two_nodes.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "push/content.h"

namespace pushsim {
namespace {

using testing::TwoNodes;

using Requests = std::vector<std::tuple<std::string, std::uint16_t, std::uint64_t>>;

void OnRequest(Requests* requests, const std::string& path, std::uint16_t status, std::uint64_t bytes) {
  requests->emplace_back(path, status, bytes);
}

TEST(ContentServerApplication, FetchesA50000ByteObjectIntactAcrossTheNetwork) {
  TwoNodes net;
  ns3::Ptr<SipResolver> resolver = ns3::CreateObject<SipResolver>();
  ContentServerHelper helper(resolver);
  helper.SetAttribute("Host", ns3::StringValue("content.home1.net"));
  ns3::ApplicationContainer apps = helper.Install(net.nodes.Get(1));
  apps.Start(ns3::Seconds(0));
  apps.Stop(ns3::Seconds(20));
  auto server = ns3::DynamicCast<ContentServerApplication>(apps.Get(0));
  Requests requests;
  ASSERT_TRUE(server->TraceConnectWithoutContext("Request", ns3::MakeBoundCallback(&OnRequest, &requests)));

  // The client node: streams, and an unstarted SIP host as its clock.
  Ns3StreamHost client_streams(net.nodes.Get(0));
  Ns3SipHost client_clock(net.nodes.Get(0), 5060);
  push::HttpFetcher fetcher(client_clock, client_streams, resolver->resolver());
  int calls = 0;
  int status = -1;
  std::string body;
  double done_at = 0;
  const std::string url = server->GetUrl("msg-42", 50000, "image/jpeg");
  EXPECT_EQ(url, "http://content.home1.net/content/msg-42?size=50000&type=image%2Fjpeg");
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    fetcher.Fetch(url, [&](int http_status, std::string received) {
      ++calls;
      status = http_status;
      body = std::move(received);
      done_at = ns3::Simulator::Now().GetSeconds();
    });
  });
  ns3::Simulator::Stop(ns3::Seconds(30));
  ns3::Simulator::Run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body.size(), 50000u);
  EXPECT_TRUE(body == push::ContentPattern("msg-42", 50000));
  // 50 kB at 10 Mbit/s is 40 ms on the wire; slow start adds round trips of 10 ms.
  EXPECT_GT(done_at, 1.04);
  EXPECT_LT(done_at, 3.0);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0], std::make_tuple(std::string("/content/msg-42"), std::uint16_t{200}, std::uint64_t{50000}));
  EXPECT_EQ(fetcher.counters().completed, 1u);
}

TEST(ContentServerApplication, UnknownPathAndPortAttribute) {
  TwoNodes net;
  ns3::Ptr<SipResolver> resolver = ns3::CreateObject<SipResolver>();
  ContentServerHelper helper(resolver, 8080);
  ns3::ApplicationContainer apps = helper.Install(net.nodes.Get(1));
  apps.Start(ns3::Seconds(0));
  auto server = ns3::DynamicCast<ContentServerApplication>(apps.Get(0));
  Requests requests;
  server->TraceConnectWithoutContext("Request", ns3::MakeBoundCallback(&OnRequest, &requests));
  Ns3StreamHost client_streams(net.nodes.Get(0));
  Ns3SipHost client_clock(net.nodes.Get(0), 5060);
  push::HttpFetcher fetcher(client_clock, client_streams, resolver->resolver());
  std::vector<int> statuses;
  // Without "Host" the URL names the node's address.
  EXPECT_EQ(server->GetUrl("a", 1, "text/plain"), "http://10.1.0.2:8080/content/a?size=1&type=text%2Fplain");
  ns3::Simulator::Schedule(ns3::Seconds(1), [&] {
    fetcher.Fetch("http://10.1.0.2:8080/missing", [&](int code, std::string) { statuses.push_back(code); });
    fetcher.Fetch(server->GetUrl("a", 1, "text/plain"), [&](int code, std::string) { statuses.push_back(code); });
  });
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0] + statuses[1], 404 + 200);
  EXPECT_EQ(server->GetServer()->counters().not_found, 1u);
  EXPECT_EQ(requests.size(), 2u);
}

}  // namespace
}  // namespace pushsim
