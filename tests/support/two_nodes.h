// Two ns-3 nodes on a 10 Mb/s, 5 ms point-to-point link, 10.1.0.1 and 10.1.0.2: the smallest
// network the adapter tests need. The simulator is destroyed with it, so each test starts clean.
#pragma once

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

namespace pushsim::testing {

struct TwoNodes {
  ns3::NodeContainer nodes;
  ns3::Ipv4InterfaceContainer interfaces;
  TwoNodes() {
    nodes.Create(2);
    ns3::PointToPointHelper link;
    link.SetDeviceAttribute("DataRate", ns3::StringValue("10Mbps"));
    link.SetChannelAttribute("Delay", ns3::StringValue("5ms"));
    auto devices = link.Install(nodes);
    ns3::InternetStackHelper().Install(nodes);
    ns3::Ipv4AddressHelper addresses("10.1.0.0", "255.255.255.0");
    interfaces = addresses.Assign(devices);
  }
  ~TwoNodes() { ns3::Simulator::Destroy(); }
  TwoNodes(const TwoNodes&) = delete;
  TwoNodes& operator=(const TwoNodes&) = delete;
};

}  // namespace pushsim::testing
