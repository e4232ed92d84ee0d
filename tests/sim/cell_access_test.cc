// The cell access model (apps/cell-access.h): a frame reaches only the UE holding its destination
// address, after the channel's delay plus its serialization at the device's rate, per UE and
// direction; the receive error model loses frames; a frame for an address no UE holds is dropped
// and traced; the pcap is IPv4 without link header (DLT_RAW) that tshark decodes as IP/UDP.
#include "support/tshark.h"
#include "apps/cell-access.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"

namespace pushsim {
namespace {

constexpr std::uint16_t kPort = 9;
// 472 bytes of UDP payload + 8 (UDP) + 20 (IPv4) = 500 bytes on the access link, no link header.
constexpr std::uint32_t kPayload = 472;
constexpr std::uint32_t kFrameBytes = 500;

struct Arrival {
  double at_s = 0;
  std::uint32_t bytes = 0;
};

// A cell 10.1.0.1/16 with `ue_count` UEs 10.1.0.2, 10.1.0.3, ... on a 1 Mb/s, 10 ms access
// network, each node with a UDP socket on port 9 that records what it receives.
class CellAccess : public ::testing::Test {
 protected:
  void Build(std::size_t ue_count) {
    cell_node_ = ns3::CreateObject<ns3::Node>();
    ue_nodes_.Create(static_cast<std::uint32_t>(ue_count));
    ns3::InternetStackHelper stack;
    stack.SetIpv6StackInstall(false);
    stack.Install(cell_node_);
    stack.Install(ue_nodes_);
    helper_.SetDeviceAttribute("DataRate", ns3::DataRateValue(ns3::DataRate("1Mbps")));
    helper_.SetChannelAttribute("Delay", ns3::TimeValue(ns3::MilliSeconds(10)));
    cell_device_ = helper_.InstallCell(cell_node_);
    AddAddress(cell_device_, Address(0));
    arrivals_.resize(ue_count + 1);
    Listen(cell_node_, 0);
    for (std::uint32_t i = 0; i < ue_count; ++i) {
      ue_devices_.push_back(helper_.InstallUe(ue_nodes_.Get(i), cell_device_, Address(i + 1)));
      const std::uint32_t interface = AddAddress(ue_devices_.back(), Address(i + 1));
      ns3::Ipv4StaticRoutingHelper routing;
      routing.GetStaticRouting(ue_nodes_.Get(i)->GetObject<ns3::Ipv4>())->SetDefaultRoute(Address(0), interface);
      Listen(ue_nodes_.Get(i), i + 1);
    }
  }
  void TearDown() override {
    sockets_.clear();
    ns3::Simulator::Destroy();
  }

  // 10.1.0.1 is the cell (index 0), 10.1.0.2 the first UE (index 1), ...
  static ns3::Ipv4Address Address(std::uint32_t index) { return ns3::Ipv4Address((10u << 24) | (1u << 16) | (index + 1)); }

  static std::uint32_t AddAddress(ns3::Ptr<ns3::NetDevice> device, ns3::Ipv4Address address) {
    ns3::Ptr<ns3::Ipv4> ipv4 = device->GetNode()->GetObject<ns3::Ipv4>();
    const auto interface = static_cast<std::uint32_t>(ipv4->AddInterface(device));
    ipv4->AddAddress(interface, ns3::Ipv4InterfaceAddress(address, ns3::Ipv4Mask("255.255.0.0")));
    ipv4->SetUp(interface);
    return interface;
  }

  void Listen(ns3::Ptr<ns3::Node> node, std::size_t index) {
    ns3::Ptr<ns3::Socket> socket = ns3::Socket::CreateSocket(node, ns3::UdpSocketFactory::GetTypeId());
    socket->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), kPort));
    socket->SetRecvCallback([this, index](ns3::Ptr<ns3::Socket> s) {
      while (ns3::Ptr<ns3::Packet> packet = s->Recv()) {
        arrivals_[index].push_back({ns3::Simulator::Now().GetSeconds(), packet->GetSize()});
      }
    });
    sockets_.push_back(socket);
  }

  // Sends kPayload bytes of UDP from `node` to `to` at `at_s` seconds.
  void SendAt(double at_s, ns3::Ptr<ns3::Node> node, ns3::Ipv4Address to) {
    ns3::Ptr<ns3::Socket> socket = ns3::Socket::CreateSocket(node, ns3::UdpSocketFactory::GetTypeId());
    sockets_.push_back(socket);
    ns3::Simulator::Schedule(ns3::Seconds(at_s), [socket, to] {
      socket->SendTo(ns3::Create<ns3::Packet>(kPayload), 0, ns3::InetSocketAddress(to, kPort));
    });
  }

  void Run() {
    ns3::Simulator::Stop(ns3::Seconds(5));
    ns3::Simulator::Run();
  }

  ns3::Ptr<ns3::Node> cell_node_;
  ns3::NodeContainer ue_nodes_;
  CellAccessHelper helper_;
  ns3::Ptr<CellAccessNetDevice> cell_device_;
  std::vector<ns3::Ptr<CellAccessNetDevice>> ue_devices_;
  std::vector<std::vector<Arrival>> arrivals_;  // [0] the cell, [i] UE i
  std::vector<ns3::Ptr<ns3::Socket>> sockets_;
};

// 500 bytes at 1 Mb/s take 500 * 8 / 1e6 = 4 ms to serialize; then 10 ms of propagation.
constexpr double kOneFrame = kFrameBytes * 8 / 1e6 + 0.010;

TEST_F(CellAccess, AFrameReachesOnlyItsDestinationAfterSerializationAndDelay) {
  Build(3);
  SendAt(1.0, cell_node_, Address(2));
  Run();
  EXPECT_TRUE(arrivals_[1].empty());
  EXPECT_TRUE(arrivals_[3].empty());
  ASSERT_EQ(arrivals_[2].size(), 1u);
  EXPECT_DOUBLE_EQ(arrivals_[2][0].at_s, 1.0 + kOneFrame);
  EXPECT_EQ(arrivals_[2][0].bytes, kPayload);
  EXPECT_EQ(cell_node_->GetNDevices(), 2u);  // loopback and one access device for all UEs
}

TEST_F(CellAccess, SerializationIsPerUeAndDirection) {
  Build(2);
  // Two frames to UE 1 at once: the second waits for the first (4 ms later). One to UE 2 at the
  // same time is not delayed by them: the downlink is not shared. UE 2's uplink frame to the
  // cell at the same time has its own transmitter too.
  SendAt(1.0, cell_node_, Address(1));
  SendAt(1.0, cell_node_, Address(1));
  SendAt(1.0, cell_node_, Address(2));
  SendAt(1.0, ue_nodes_.Get(1), Address(0));
  Run();
  ASSERT_EQ(arrivals_[1].size(), 2u);
  EXPECT_DOUBLE_EQ(arrivals_[1][0].at_s, 1.0 + kOneFrame);
  EXPECT_DOUBLE_EQ(arrivals_[1][1].at_s, 1.0 + kOneFrame + 0.004);
  ASSERT_EQ(arrivals_[2].size(), 1u);
  EXPECT_DOUBLE_EQ(arrivals_[2][0].at_s, 1.0 + kOneFrame);
  ASSERT_EQ(arrivals_[0].size(), 1u);
  EXPECT_DOUBLE_EQ(arrivals_[0][0].at_s, 1.0 + kOneFrame);
}

TEST_F(CellAccess, UeToUeGoesThroughTheCell) {
  Build(2);
  SendAt(1.0, ue_nodes_.Get(0), Address(2));
  Run();
  // Up to the cell, forwarded by IP, down to UE 2: two frames' time.
  ASSERT_EQ(arrivals_[2].size(), 1u);
  EXPECT_DOUBLE_EQ(arrivals_[2][0].at_s, 1.0 + 2 * kOneFrame);
}

void Count(int* counter, ns3::Ptr<const ns3::Packet>) { ++*counter; }

TEST_F(CellAccess, ReceiveErrorModelLosesFrames) {
  Build(2);
  auto lose_all = ns3::CreateObject<ns3::RateErrorModel>();
  lose_all->SetUnit(ns3::RateErrorModel::ERROR_UNIT_PACKET);
  lose_all->SetRate(1.0);
  ue_devices_[0]->SetAttribute("ReceiveErrorModel", ns3::PointerValue(lose_all));
  int lost = 0;
  ue_devices_[0]->TraceConnectWithoutContext("PhyRxDrop", ns3::MakeBoundCallback(&Count, &lost));
  SendAt(1.0, cell_node_, Address(1));
  SendAt(1.0, cell_node_, Address(2));
  Run();
  EXPECT_TRUE(arrivals_[1].empty());
  EXPECT_EQ(lost, 1);
  EXPECT_EQ(arrivals_[2].size(), 1u);  // the model is UE 1's only
}

TEST_F(CellAccess, AFrameForAnAddressNoUeHoldsIsDroppedAndTraced) {
  Build(2);
  int dropped = 0;
  int sent = 0;
  cell_device_->TraceConnectWithoutContext("MacTxDrop", ns3::MakeBoundCallback(&Count, &dropped));
  cell_device_->TraceConnectWithoutContext("MacTx", ns3::MakeBoundCallback(&Count, &sent));
  SendAt(1.0, cell_node_, Address(7));  // 10.1.0.8: in the cell's block, attached to no UE
  Run();
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(sent, 0);
  EXPECT_TRUE(arrivals_[1].empty());
  EXPECT_TRUE(arrivals_[2].empty());
}

TEST_F(CellAccess, QueueLimitDropsTheFramesBeyondIt) {
  Build(1);
  cell_device_->SetAttribute("QueueLimit", ns3::UintegerValue(2));
  int dropped = 0;
  cell_device_->TraceConnectWithoutContext("MacTxDrop", ns3::MakeBoundCallback(&Count, &dropped));
  for (int i = 0; i < 3; ++i) SendAt(1.0, cell_node_, Address(1));
  Run();
  EXPECT_EQ(arrivals_[1].size(), 2u);
  EXPECT_EQ(dropped, 1);
}

using testing::Capture;
using testing::HaveTshark;

TEST_F(CellAccess, PcapIsRawIpv4ThatTsharkDecodes) {
  if (!HaveTshark()) GTEST_SKIP() << "tshark is not installed";
  char pattern[] = "/tmp/pushsim-cell-pcap-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string file = std::string(pattern) + "/cell.pcap";
  Build(2);
  helper_.EnablePcap(file, cell_device_, false, true);
  SendAt(1.0, cell_node_, Address(1));     // down
  SendAt(2.0, ue_nodes_.Get(1), Address(0));  // up
  Run();
  // The pcap writer lives in the device's Sniffer trace: releasing the devices closes the file.
  sockets_.clear();
  cell_device_ = nullptr;
  ue_devices_.clear();
  ns3::Simulator::Destroy();
  const std::string fields =
      Capture("tshark -r '" + file + "' -T fields -e frame.protocols -e ip.src -e ip.dst -e udp.length");
  std::filesystem::remove_all(pattern);
  // UDP length = 8 + payload.
  EXPECT_EQ(fields, "raw:ip:udp:data\t10.1.0.1\t10.1.0.2\t480\n"
                    "raw:ip:udp:data\t10.1.0.3\t10.1.0.1\t480\n");
}

}  // namespace
}  // namespace pushsim
