// Topologies: DOT reading and validation, next hops derived by hand, and the ns-3 network with
// static routes carrying UDP echoes between every UE and every core element.
#include "topology.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "ns3/callback.h"
#include "ns3/ipv4-global-routing.h"
#include "ns3/ipv4-list-routing.h"
#include "ns3/ipv4-routing-table-entry.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4-static-routing.h"
#include "ns3/ipv4.h"
#include "ns3/node-list.h"
#include "ns3/packet.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/udp-echo-helper.h"
#include "ns3/uinteger.h"

namespace pushsim::runner {
namespace {

using std::chrono::milliseconds;

const std::string kQuickstartDot = std::string(PUSHSIM_SOURCE_DIR) + "/scenarios/topologies/quickstart.dot";

// The smallest valid core, with the links of each test appended.
std::string Core(const std::string& extra) {
  return "graph t {\n"
         "  p [role=pcscf]; s [role=scscf]; h [role=hss]; a [role=as]; c [role=cell];\n"
         "  p -- s; s -- h; s -- a; c -- p;\n" +
         extra + "}\n";
}

TEST(Units, DurationsRatesSizesProbabilities) {
  EXPECT_EQ(ParseDuration("200ms"), Duration(200'000'000));
  EXPECT_EQ(ParseDuration("1.5s"), Duration(1'500'000'000));
  EXPECT_EQ(ParseDuration("500us"), Duration(500'000));
  EXPECT_EQ(ParseDuration("2min"), Duration(120'000'000'000));
  EXPECT_EQ(ParseDuration("0"), Duration(0));
  EXPECT_FALSE(ParseDuration("5"));       // a unit is required
  EXPECT_FALSE(ParseDuration("-1s"));     // no negative time
  EXPECT_FALSE(ParseDuration("1e3s"));    // no exponents
  EXPECT_FALSE(ParseDuration("366d"));    // beyond the limit
  EXPECT_FALSE(ParseDuration("5 sec"));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_EQ(ParseDataRate("10Mbps"), 10'000'000u);
  EXPECT_EQ(ParseDataRate("1Gbps"), 1'000'000'000u);
  EXPECT_EQ(ParseDataRate("64kbps"), 64'000u);
  EXPECT_FALSE(ParseDataRate("10MBps"));
  EXPECT_FALSE(ParseDataRate("0bps"));
  EXPECT_EQ(ParseSize("4KiB"), 4096u);
  EXPECT_EQ(ParseSize("1.5KiB"), 1536u);
  EXPECT_EQ(ParseSize("2kB"), 2000u);
  EXPECT_FALSE(ParseSize("0.3B"));  // not a whole byte
  EXPECT_FALSE(ParseSize("2GiB"));  // above 1 GiB
  EXPECT_DOUBLE_EQ(*ParseEventRate("30/min"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseEventRate("100/s"), 100.0);
  EXPECT_FALSE(ParseEventRate("100"));
  EXPECT_DOUBLE_EQ(*ParseProbability("1%"), 0.01);
  EXPECT_DOUBLE_EQ(*ParseProbability("0.25"), 0.25);
  EXPECT_FALSE(ParseProbability("1.5"));
  EXPECT_FALSE(ParseProbability("101%"));
  EXPECT_EQ(DurationText(milliseconds(1500)), "1500ms");
  EXPECT_EQ(DurationText(std::chrono::seconds(120)), "2min");
}

TEST(Dot, ReadsTheQuickstartTopology) {
  const auto topology = LoadTopologyFile(kQuickstartDot);
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const Topology& t = topology.value();
  ASSERT_EQ(t.nodes.size(), 9u);
  ASSERT_EQ(t.links.size(), 8u);
  EXPECT_EQ(t.nodes[0].name, "pcscf");
  EXPECT_EQ(t.nodes[0].role, NodeRole::kPcscf);
  EXPECT_EQ(t.nodes[0].line, 4);
  EXPECT_EQ(t.CountRole(NodeRole::kCell), 2u);
  const std::size_t cell2 = *t.Find("cell2");
  EXPECT_EQ(t.nodes[cell2].access.delay, milliseconds(40));
  EXPECT_EQ(t.nodes[cell2].access.rate_bps, 5'000'000u);
  EXPECT_DOUBLE_EQ(t.nodes[cell2].access.loss, 0.001);
  // hss -- scscf [delay="500us", rate="1Gbps"] is the fourth link, on line 17.
  EXPECT_EQ(t.nodes[t.links[3].a].name, "hss");
  EXPECT_EQ(t.nodes[t.links[3].b].name, "scscf");
  EXPECT_EQ(t.links[3].params.delay, Duration(500'000));
  EXPECT_EQ(t.links[3].line, 17);
}

TEST(Dot, DefaultsForLinksAndAccess) {
  const auto topology = ParseTopology(Core(""), "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  EXPECT_EQ(topology.value().links[0].params.delay, milliseconds(1));
  EXPECT_EQ(topology.value().links[0].params.rate_bps, 1'000'000'000u);
  EXPECT_EQ(topology.value().links[0].params.loss, 0.0);
  EXPECT_EQ(topology.value().nodes[4].access.delay, milliseconds(10));
  EXPECT_EQ(topology.value().nodes[4].access.rate_bps, 100'000'000u);
}

TEST(Dot, QueueLimitsOfLinksAndAccess) {
  auto topology = ParseTopology(Core("  x [role=cell, access_queue=40];\n  x -- p [queue=5000];\n"), "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  EXPECT_EQ(topology.value().links[0].params.queue_packets, 100u);  // ns-3's drop-tail default
  EXPECT_EQ(topology.value().links.back().params.queue_packets, 5000u);
  EXPECT_EQ(topology.value().nodes[*topology.value().Find("x")].access.queue_packets, 40u);
  topology = ParseTopology(Core("  x [role=router];\n  x -- p [queue=0];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().ToString(),
            "t.dot:5: error: link x -- p: queue '0'; expected a number of packets from 1 to 1000000");
  topology = ParseTopology(Core("  x [role=cell, access_queue=\"lots\"];\n  x -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("access_queue 'lots'; expected a number of packets"), std::string::npos)
      << topology.error().message;
}

TEST(Dot, MissingRoleNamesTheNodeAndLine) {
  const auto topology = ParseTopology(Core("  x [label=\"no role\"];\n  x -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().file, "t.dot");
  EXPECT_EQ(topology.error().line, 4);
  EXPECT_NE(topology.error().message.find("node 'x' has no role"), std::string::npos) << topology.error().message;
}

TEST(Dot, UnknownRole) {
  const auto topology = ParseTopology(Core("  x [role=switch];\n  x -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().line, 4);
  EXPECT_NE(topology.error().message.find("unknown role 'switch'"), std::string::npos);
}

TEST(Dot, BadDelayNamesTheLinkAndLine) {
  const auto topology = ParseTopology(Core("  x [role=router];\n  x -- p [delay=\"2 parsecs\"];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().ToString(),
            "t.dot:5: error: link x -- p: delay '2 parsecs'; expected a duration such as \"2ms\"");
}

TEST(Dot, UnquotedUnitGetsAHint) {
  // DOT's lexer reads 2ms as the numeral 2 then the identifier ms.
  const auto topology = ParseTopology(Core("  x [role=router];\n  x -- p [delay=2ms];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().line, 5);
  EXPECT_NE(topology.error().message.find("the unit 'ms' is not quoted"), std::string::npos)
      << topology.error().message;
}

TEST(Dot, BareNumberGetsAHint) {
  const auto topology = ParseTopology(Core("  x [role=router];\n  x -- p [delay=2];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("in quotes"), std::string::npos) << topology.error().message;
}

TEST(Dot, BadRateAndLoss) {
  auto topology = ParseTopology(Core("  x [role=router];\n  x -- p [rate=\"fast\"];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("rate 'fast'"), std::string::npos);
  topology = ParseTopology(Core("  x [role=router];\n  x -- p [loss=\"1.5\"];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("expected a probability between 0 and 1"), std::string::npos);
}

TEST(Dot, DisconnectedGraph) {
  const auto topology = ParseTopology(Core("  x [role=router]; y [role=router];\n  x -- y;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().line, 4);
  EXPECT_EQ(topology.error().message, "node 'x' cannot reach node 'p'; expected a connected graph");
}

TEST(Dot, TwoScscfs) {
  const auto topology = ParseTopology(Core("  s2 [role=scscf];\n  s2 -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().line, 4);  // the second one
  EXPECT_EQ(topology.error().message, "2 nodes with role scscf; expected exactly one");
}

TEST(Dot, MissingAsAndCell) {
  auto topology = ParseTopology("graph t { p [role=pcscf]; s [role=scscf]; h [role=hss]; c [role=cell];"
                                " p -- s; s -- h; c -- p; }",
                                "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().message, "no node with role as; expected at least one");
  topology = ParseTopology("graph t { p [role=pcscf]; s [role=scscf]; h [role=hss]; a [role=as];"
                           " p -- s; s -- h; a -- p; }",
                           "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_EQ(topology.error().message, "no node with role cell; expected at least one");
}

TEST(Dot, StructuralErrors) {
  auto topology = ParseTopology("digraph t { p [role=pcscf]; }", "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("expected an undirected 'graph'"), std::string::npos);

  topology = ParseTopology(Core("  p -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("joins a node to itself"), std::string::npos);

  topology = ParseTopology(Core("  s -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("appears twice"), std::string::npos);

  topology = ParseTopology(Core("  x [role=router]; x -- p [dealy=\"2ms\"];\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("unknown link attribute 'dealy'"), std::string::npos);

  topology = ParseTopology(Core("  \"a b\" [role=router]; \"a b\" -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("cannot be a host name"), std::string::npos);

  topology = ParseTopology(Core("  x [role=router, access_delay=\"5ms\"]; x -- p;\n"), "t.dot");
  ASSERT_FALSE(topology.ok());
  EXPECT_NE(topology.error().message.find("belong to cells"), std::string::npos);

  // Presentation attributes are fine.
  topology = ParseTopology(Core("  rankdir=LR;\n  x [role=router, label=\"X\", color=red]; x -- p [penwidth=2];\n"),
                           "t.dot");
  EXPECT_TRUE(topology.ok()) << topology.error().ToString();
}

TEST(Dot, HostileInputIsRefused) {
  EXPECT_FALSE(ParseTopology("", "t.dot").ok());
  EXPECT_FALSE(ParseTopology(std::string("\0\xff\x01graph {", 10), "t.dot").ok());
  EXPECT_FALSE(ParseTopology("graph t { p [role=pcscf", "t.dot").ok());  // truncated
  EXPECT_FALSE(ParseTopology("graph t {" + std::string(10000, '{') + std::string(10000, '}') + "}", "t.dot").ok());
  EXPECT_FALSE(ParseTopology(std::string(kMaxDotBytes + 1, ' '), "t.dot").ok());
  const auto missing = LoadTopologyFile("/nonexistent/x.dot");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().ToString(), "/nonexistent/x.dot: error: cannot open the topology file");
}

// Topologies for NextHops, built by hand: no roles needed.
Topology Graph(std::size_t nodes, const std::vector<std::tuple<std::size_t, std::size_t, int>>& links_ms) {
  Topology t;
  for (std::size_t i = 0; i < nodes; ++i) {
    TopologyNode node;
    node.name = "n" + std::to_string(i);
    t.nodes.push_back(node);
  }
  for (const auto& [a, b, ms] : links_ms) {
    TopologyLink link;
    link.a = a;
    link.b = b;
    link.params.delay = milliseconds(ms);
    t.links.push_back(link);
  }
  return t;
}

TEST(NextHops, Line) {
  // 0 - 1 - 2 - 3
  const NextHopTable next = NextHops(Graph(4, {{0, 1, 1}, {1, 2, 1}, {2, 3, 1}}));
  EXPECT_EQ(next[0][3], 1u);
  EXPECT_EQ(next[1][3], 2u);
  EXPECT_EQ(next[2][3], 3u);
  EXPECT_EQ(next[3][0], 2u);
  EXPECT_EQ(next[2][0], 1u);
  EXPECT_EQ(next[1][0], 0u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(next[i][i], kNoHop);
}

TEST(NextHops, RingWithUnequalDelays) {
  // 0 -1ms- 1 -1ms- 2 -1ms- 3 -10ms- 0: going round the short way (3 ms) beats the 10 ms link.
  const NextHopTable next = NextHops(Graph(4, {{0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 0, 10}}));
  EXPECT_EQ(next[0][3], 1u);
  EXPECT_EQ(next[3][0], 2u);
  EXPECT_EQ(next[0][2], 1u);
  EXPECT_EQ(next[2][0], 1u);
  EXPECT_EQ(next[3][1], 2u);
  // Raise 2-3 to 20 ms: now 0 -> 3 direct (10 ms) beats 0-1-2-3 (22 ms), and 2 -> 3 goes
  // 2-1-0-3 (12 ms).
  const NextHopTable slow = NextHops(Graph(4, {{0, 1, 1}, {1, 2, 1}, {2, 3, 20}, {3, 0, 10}}));
  EXPECT_EQ(slow[0][3], 3u);
  EXPECT_EQ(slow[2][3], 1u);
  EXPECT_EQ(slow[3][2], 0u);
}

TEST(NextHops, EqualDelayPrefersFewerHops) {
  // 0 -1ms- 1 -1ms- 2 and 0 -2ms- 2: both 2 ms, the direct link has one hop.
  const NextHopTable next = NextHops(Graph(3, {{0, 1, 1}, {1, 2, 1}, {0, 2, 2}}));
  EXPECT_EQ(next[0][2], 2u);
  EXPECT_EQ(next[2][0], 0u);
}

TEST(NextHops, Star) {
  const NextHopTable next = NextHops(Graph(5, {{0, 1, 1}, {0, 2, 5}, {0, 3, 1}, {0, 4, 9}}));
  for (std::size_t leaf = 1; leaf < 5; ++leaf) {
    EXPECT_EQ(next[0][leaf], leaf);
    for (std::size_t other = 1; other < 5; ++other) {
      if (other != leaf) EXPECT_EQ(next[leaf][other], 0u);
    }
  }
}

TEST(NextHops, UnreachableHasNoHop) {
  const NextHopTable next = NextHops(Graph(4, {{0, 1, 1}, {2, 3, 1}}));
  EXPECT_EQ(next[0][2], kNoHop);
  EXPECT_EQ(next[3][1], kNoHop);
  EXPECT_EQ(next[0][1], 1u);
}

class Builder : public ::testing::Test {
 protected:
  void SetUp() override {
    ns3::RngSeedManager::SetSeed(1);
    ns3::RngSeedManager::SetRun(1);
  }
  void TearDown() override { ns3::Simulator::Destroy(); }
};

// Counts echo replies.
void CountInto(int* counter, ns3::Ptr<const ns3::Packet>) { ++*counter; }

std::vector<std::size_t> Alternate(const Topology& topology, std::size_t ues) {
  const auto cells = topology.NodesWithRole(NodeRole::kCell);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < ues; ++i) out.push_back(cells[i % cells.size()]);
  return out;
}

TEST_F(Builder, EveryUeReachesEveryCoreElementAndBack) {
  const auto topology = LoadTopologyFile(kQuickstartDot);
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const auto built = BuildNetwork(topology.value(), Alternate(topology.value(), 7));
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const BuiltNetwork& network = built.value();
  ASSERT_EQ(network.nodes.size(), 9u);
  ASSERT_EQ(network.ues.size(), 7u);
  EXPECT_EQ(ns3::NodeList::GetNNodes(), 16u);

  // Two cells split 10/8 into two /9s; each cell is .1 of its block, its UEs .2, .3, ... in
  // order (UEs alternate between the cells).
  EXPECT_EQ(network.ues[0].address, ns3::Ipv4Address("10.0.0.2"));
  EXPECT_EQ(network.ues[0].gateway, ns3::Ipv4Address("10.0.0.1"));
  EXPECT_EQ(network.ues[1].address, ns3::Ipv4Address("10.128.0.2"));
  EXPECT_EQ(network.ues[1].gateway, ns3::Ipv4Address("10.128.0.1"));
  EXPECT_EQ(network.ues[2].address, ns3::Ipv4Address("10.0.0.3"));
  // The first link (pcscf -- core) is 172.16.0.0/30: pcscf .1, core .2.
  EXPECT_EQ(network.nodes[0].address, ns3::Ipv4Address("172.16.0.1"));
  EXPECT_EQ(network.nodes[*network.Find("core")].address, ns3::Ipv4Address("172.16.0.2"));

  // Routes: each of the 9 nodes gets 2 host routes per link it is not on and one route per
  // other cell: 2 * (9 * 8 - 2 * 8) + (9 * 2 - 2) = 128; plus one default route per UE.
  EXPECT_EQ(network.static_routes, 128u + 7u);

  // Static routing only: no list routing, so no global routing behind it.
  for (std::uint32_t i = 0; i < ns3::NodeList::GetNNodes(); ++i) {
    ns3::Ptr<ns3::Ipv4> ipv4 = ns3::NodeList::GetNode(i)->GetObject<ns3::Ipv4>();
    ASSERT_TRUE(ipv4);
    EXPECT_TRUE(ns3::DynamicCast<ns3::Ipv4StaticRouting>(ipv4->GetRoutingProtocol()));
    EXPECT_FALSE(ns3::DynamicCast<ns3::Ipv4ListRouting>(ipv4->GetRoutingProtocol()));
    EXPECT_FALSE(ns3::DynamicCast<ns3::Ipv4GlobalRouting>(ipv4->GetRoutingProtocol()));
  }

  // Host names: every node by name, and each unique role by role name.
  std::map<std::string, ns3::Ipv4Address> hosts(network.hosts.begin(), network.hosts.end());
  EXPECT_EQ(hosts.at("pcscf.home1.net"), network.nodes[0].address);
  EXPECT_EQ(hosts.at("cell1.home1.net"), network.nodes[*network.Find("cell1")].address);
  EXPECT_EQ(hosts.count("cell.home1.net"), 0u);  // two cells: no role name
  ns3::Ptr<SipResolver> resolver = ns3::CreateObject<SipResolver>();
  network.FillResolver(*resolver);
  EXPECT_EQ(resolver->Lookup("scscf.home1.net"), network.nodes[*network.Find("scscf")].address);

  const std::set<NodeRole> core = {NodeRole::kPcscf, NodeRole::kIcscf, NodeRole::kScscf,
                                   NodeRole::kHss,   NodeRole::kAs,    NodeRole::kContent};
  std::vector<int> replies(network.ues.size(), 0);
  std::uint16_t port = 9;
  for (const BuiltNode& node : network.nodes) {
    if (!core.count(node.role)) continue;
    ns3::UdpEchoServerHelper server(port);
    server.Install(node.node).Start(ns3::Seconds(0));
    for (std::size_t u = 0; u < network.ues.size(); ++u) {
      ns3::UdpEchoClientHelper client(node.address, port);
      client.SetAttribute("MaxPackets", ns3::UintegerValue(1));
      ns3::ApplicationContainer apps = client.Install(network.ues[u].node);
      apps.Start(ns3::Seconds(1));
      apps.Get(0)->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&CountInto, &replies[u]));
    }
    ++port;
  }
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  for (std::size_t u = 0; u < replies.size(); ++u) EXPECT_EQ(replies[u], 6) << "UE " << u;
}

TEST_F(Builder, LossOneDropsEverything) {
  // Every packet into or out of cell c2's only link is lost: its UE gets no reply, c's UE does.
  const auto topology = ParseTopology(Core("  c2 [role=cell]; c2 -- p [loss=1];\n"), "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const auto c = *topology.value().Find("c");
  const auto c2 = *topology.value().Find("c2");
  const auto built = BuildNetwork(topology.value(), {c, c2});
  ASSERT_TRUE(built.ok());
  std::vector<int> replies(2, 0);
  const BuiltNode& scscf = built.value().nodes[*built.value().Find("s")];
  ns3::UdpEchoServerHelper server(9);
  server.Install(scscf.node).Start(ns3::Seconds(0));
  for (std::size_t u = 0; u < 2; ++u) {
    ns3::UdpEchoClientHelper client(scscf.address, 9);
    client.SetAttribute("MaxPackets", ns3::UintegerValue(3));
    ns3::ApplicationContainer apps = client.Install(built.value().ues[u].node);
    apps.Start(ns3::Seconds(1));
    apps.Get(0)->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&CountInto, &replies[u]));
  }
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  EXPECT_EQ(replies[0], 3);
  EXPECT_EQ(replies[1], 0);
}

// A burst into a slow link with a 2-packet queue: the first packet is being sent (about 1 ms at
// 1 Mbps) while two wait, so of 10 echo requests sent at once 3 cross and 3 replies come back.
TEST_F(Builder, LinkQueueLimitDropsABurst) {
  const auto topology = ParseTopology(Core("  c2 [role=cell]; c2 -- p [rate=\"1Mbps\", queue=2];\n"), "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const auto built = BuildNetwork(topology.value(), {*topology.value().Find("c2")});
  ASSERT_TRUE(built.ok());
  const BuiltNode& scscf = built.value().nodes[*built.value().Find("s")];
  ns3::UdpEchoServerHelper server(9);
  server.Install(scscf.node).Start(ns3::Seconds(0));
  ns3::UdpEchoClientHelper client(scscf.address, 9);
  client.SetAttribute("MaxPackets", ns3::UintegerValue(10));
  client.SetAttribute("Interval", ns3::TimeValue(ns3::Seconds(0)));
  ns3::ApplicationContainer apps = client.Install(built.value().ues[0].node);
  apps.Start(ns3::Seconds(1));
  int replies = 0;
  apps.Get(0)->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&CountInto, &replies));
  ns3::Simulator::Stop(ns3::Seconds(10));
  ns3::Simulator::Run();
  EXPECT_EQ(replies, 3);
}

TEST_F(Builder, TwoThousandUes) {
  const auto topology = LoadTopologyFile(kQuickstartDot);
  ASSERT_TRUE(topology.ok());
  const auto built = BuildNetwork(topology.value(), Alternate(topology.value(), 2000));
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const BuiltNetwork& network = built.value();
  EXPECT_EQ(network.ues.size(), 2000u);
  EXPECT_EQ(network.ue_nodes.GetN(), 2000u);
  EXPECT_EQ(ns3::NodeList::GetNNodes(), 2009u);
  EXPECT_EQ(network.static_routes, 128u + 2000u);
  std::set<std::uint32_t> addresses;
  for (const BuiltUe& ue : network.ues) addresses.insert(ue.address.Get());
  EXPECT_EQ(addresses.size(), 2000u);
  // UE 1999 is the 1000th on cell2: 10.128.0.0 + 2 + 999 = 10.128.3.233 (1001 = 3 * 256 + 233).
  EXPECT_EQ(network.ues[1999].address, ns3::Ipv4Address("10.128.3.233"));
  const auto cell1 = *topology.value().Find("cell1");
  // Loopback, core link, and one access device for all of its 1000 UEs.
  EXPECT_EQ(network.nodes[cell1].node->GetNDevices(), 3u);
  EXPECT_EQ(network.nodes[cell1].node->GetObject<ns3::Ipv4>()->GetNInterfaces(), 3u);

  // The last UE still reaches the S-CSCF.
  std::vector<int> replies(1, 0);
  const BuiltNode& scscf = network.nodes[*network.Find("scscf")];
  ns3::UdpEchoServerHelper server(9);
  server.Install(scscf.node).Start(ns3::Seconds(0));
  ns3::UdpEchoClientHelper client(scscf.address, 9);
  client.SetAttribute("MaxPackets", ns3::UintegerValue(1));
  ns3::ApplicationContainer apps = client.Install(network.ues.back().node);
  apps.Start(ns3::Seconds(1));
  apps.Get(0)->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&CountInto, &replies[0]));
  ns3::Simulator::Stop(ns3::Seconds(5));
  ns3::Simulator::Run();
  EXPECT_EQ(replies[0], 1);
}

// The routing table of a node as "destination/prefix via gateway" strings.
std::set<std::string> Routes(ns3::Ptr<ns3::Node> node) {
  ns3::Ipv4StaticRoutingHelper helper;
  ns3::Ptr<ns3::Ipv4StaticRouting> routing = helper.GetStaticRouting(node->GetObject<ns3::Ipv4>());
  std::set<std::string> routes;
  for (std::uint32_t i = 0; i < routing->GetNRoutes(); ++i) {
    const ns3::Ipv4RoutingTableEntry route = routing->GetRoute(i);
    std::ostringstream text;
    text << route.GetDest() << "/" << route.GetDestNetworkMask().GetPrefixLength() << " via " << route.GetGateway();
    routes.insert(text.str());
  }
  return routes;
}

TEST_F(Builder, OneRoutePerCellBlockAndDefaultRoutesOnUes) {
  // Cells c and c2 behind p: 10/8 in two /9s. Links in file order: p--s 172.16.0.0/30 (p .1, s .2),
  // s--h .4/30, s--a .8/30, c--p .12/30 (c .13, p .14), c2--p .16/30 (c2 .17, p .18).
  const auto topology = ParseTopology(
      "graph t {\n"
      "  p [role=pcscf]; s [role=scscf]; h [role=hss]; a [role=as]; c [role=cell]; c2 [role=cell];\n"
      "  p -- s;\n  s -- h;\n  s -- a;\n  c -- p;\n  c2 -- p;\n"
      "}\n",
      "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const auto c = *topology.value().Find("c");
  const auto c2 = *topology.value().Find("c2");
  const auto built = BuildNetwork(topology.value(), {c, c, c, c2});
  ASSERT_TRUE(built.ok()) << built.error().ToString();
  const BuiltNetwork& network = built.value();
  // S reaches each cell's block through p (172.16.0.1, its end of p--s): one route per cell,
  // whatever the number of UEs.
  const auto s_routes = Routes(network.nodes[*network.Find("s")].node);
  EXPECT_EQ(s_routes.count("10.0.0.0/9 via 172.16.0.1"), 1u);
  EXPECT_EQ(s_routes.count("10.128.0.0/9 via 172.16.0.1"), 1u);
  std::size_t into_ten = 0;
  for (const std::string& route : s_routes) into_ten += route.rfind("10.", 0) == 0 ? 1 : 0;
  EXPECT_EQ(into_ten, 2u);
  // Cell c: its own block connected (gateway 0.0.0.0), the other cell's through p (.14).
  const auto c_routes = Routes(network.nodes[c].node);
  EXPECT_EQ(c_routes.count("10.0.0.0/9 via 0.0.0.0"), 1u);
  EXPECT_EQ(c_routes.count("10.128.0.0/9 via 172.16.0.14"), 1u);
  // Each UE: a default route to its cell (.1 of the block) besides its connected block.
  const auto ue_routes = Routes(network.ues[3].node);
  EXPECT_EQ(ue_routes.count("0.0.0.0/0 via 10.128.0.1"), 1u);
  EXPECT_EQ(ue_routes.count("10.128.0.0/9 via 0.0.0.0"), 1u);
  EXPECT_EQ(network.ues[2].address, ns3::Ipv4Address("10.0.0.4"));
  EXPECT_EQ(network.ues[3].address, ns3::Ipv4Address("10.128.0.2"));
  EXPECT_EQ(CellAccessDevices(network).size(), 2u);
}

TEST_F(Builder, CellBlockCapacity) {
  // 256 cells: a /16 each, of which the network address, the cell and the broadcast address are
  // not for UEs: 65,536 - 3 = 65,533 per cell. Checked before anything is built, so the 65,534
  // UEs are never created.
  std::string dot = "graph t {\n  p [role=pcscf]; s [role=scscf]; h [role=hss]; a [role=as];\n  p -- s; s -- h; s -- a;\n";
  for (int i = 0; i < 256; ++i) dot += "  c" + std::to_string(i) + " [role=cell]; c" + std::to_string(i) + " -- p;\n";
  dot += "}\n";
  const auto topology = ParseTopology(dot, "t.dot");
  ASSERT_TRUE(topology.ok()) << topology.error().ToString();
  const std::vector<std::size_t> ue_cells(65534, *topology.value().Find("c0"));
  const auto built = BuildNetwork(topology.value(), ue_cells);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().message, "cell 'c0' has more than 65533 UEs; expected at most that many per cell with 256 cells");
}

TEST_F(Builder, RefusesANonCell) {
  const auto topology = ParseTopology(Core(""), "t.dot");
  ASSERT_TRUE(topology.ok());
  const auto built = BuildNetwork(topology.value(), {*topology.value().Find("p")});
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().message, "UE 0 is attached to a node that is not a cell");
}

}  // namespace
}  // namespace pushsim::runner
