// The packets pushsim puts on a link are real SIP: a pcap of one registration, taken on the UE's
// access link, opens in tshark with every SIP message decoded by its SIP dissector and no
// malformed packet, over UDP and, for a REGISTER too large for UDP (RFC 3261 18.1.1), over TCP.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/tshark.h"
#include "apps/ims-core-helper.h"
#include "apps/sip-ue-app.h"
#include "apps/sip-ue-helper.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

namespace pushsim {
namespace {

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

using testing::Capture;
using testing::HaveTshark;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', start)) {
    fields.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class PcapTshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTshark()) GTEST_SKIP() << "tshark is not installed";
    char pattern[] = "/tmp/pushsim-pcap-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    ns3::Simulator::Destroy();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  // One registration of user2 through the P-CSCF to the S-CSCF; the pcap of the UE's side of
  // its access link goes to `<directory>/ue.pcap`.
  std::string RunRegistration(const std::string& feature_tags, std::uint32_t* register_size) {
    ns3::NodeContainer core_nodes;
    core_nodes.Create(3);
    ns3::Ptr<ns3::Node> ue_node = ns3::CreateObject<ns3::Node>();
    ns3::CsmaHelper lan;
    ns3::NetDeviceContainer core_devices = lan.Install(core_nodes);
    ns3::PointToPointHelper access;
    access.SetDeviceAttribute("DataRate", ns3::StringValue("10Mbps"));
    access.SetChannelAttribute("Delay", ns3::StringValue("5ms"));
    ns3::NetDeviceContainer link = access.Install(ue_node, core_nodes.Get(0));
    ns3::InternetStackHelper internet;
    internet.Install(core_nodes);
    internet.Install(ue_node);
    ns3::Ipv4AddressHelper addresses("10.0.0.0", "255.255.255.0");
    addresses.Assign(core_devices);
    addresses.SetBase("10.1.0.0", "255.255.255.0");
    addresses.Assign(link);
    ns3::Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    ImsCoreHelper core;
    EXPECT_TRUE(core.AddSubscriber(ReadVector("hss/push-user.xml")).ok());
    core.Install(core_nodes.Get(0), nullptr, core_nodes.Get(1), core_nodes.Get(2));
    // No application server on this network: the push filter is not asked to fire.
    SipUeHelper ues("sip:user2@home1.net", "sip:pcscf.home1.net");
    ues.SetAttribute("Resolver", ns3::PointerValue(core.GetResolver()));
    ues.SetAttribute("FeatureTags", ns3::StringValue(feature_tags));
    ues.SetAttribute("RegisterAt", ns3::TimeValue(ns3::Seconds(1)));
    auto ue = ns3::DynamicCast<SipUeApplication>(ues.Install(ue_node).Get(0));
    ue->TraceConnectWithoutContext(
        "Tx", ns3::MakeCallback(+[](std::uint32_t* size, const wire::SipMessage& message, std::size_t bytes,
                                    const sip::Endpoint&) {
                if (message.IsRequest() && message.method() == wire::Method::kRegister) {
                  *size = static_cast<std::uint32_t>(bytes);
                }
              }).Bind(register_size));

    const std::string file = directory_ + "/ue.pcap";
    access.EnablePcap(file, link.Get(0), false, true);
    ns3::Simulator::Stop(ns3::Seconds(3));
    ns3::Simulator::Run();
    EXPECT_EQ(ue->GetUserAgent()->registration_state(), sip::RegistrationState::kRegistered);
    // Disposing the devices releases the pcap writer, which closes (flushes) the file.
    ns3::Simulator::Destroy();
    return file;
  }

  std::string directory_;
};

struct Decoded {
  std::vector<std::string> protocols;
  std::vector<std::string> methods;
  std::vector<std::string> status_codes;
};

Decoded Decode(const std::string& file) {
  Decoded decoded;
  for (const std::string& line :
       Lines(Capture("tshark -r '" + file + "' -T fields -e frame.protocols -e sip.Method -e sip.Status-Code"))) {
    const auto fields = Fields(line);
    decoded.protocols.push_back(fields.at(0));
    if (fields.size() > 1 && !fields[1].empty()) decoded.methods.push_back(fields[1]);
    if (fields.size() > 2 && !fields[2].empty()) decoded.status_codes.push_back(fields[2]);
  }
  return decoded;
}

std::string Malformed(const std::string& file) {
  return Capture("tshark -r '" + file + "' -Y '_ws.malformed || _ws.expert.severity == error'");
}

TEST_F(PcapTshark, RFC3261_18_1_1_UdpRegistrationDecodesAsSip) {
  std::uint32_t register_size = 0;
  const std::string file = RunRegistration("+g.oma.pusheventapp=\"mms.ua\"", &register_size);
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_LT(register_size, 1300u);  // small enough for UDP

  const Decoded decoded = Decode(file);
  // The REGISTER and its 200, nothing else, each one datagram decoded by the SIP dissector.
  ASSERT_EQ(decoded.protocols.size(), 2u);
  for (const std::string& protocols : decoded.protocols) EXPECT_EQ(protocols, "ppp:ip:udp:sip");
  EXPECT_EQ(decoded.methods, std::vector<std::string>{"REGISTER"});
  EXPECT_EQ(decoded.status_codes, std::vector<std::string>{"200"});
  EXPECT_EQ(Malformed(file), "");
}

TEST_F(PcapTshark, RFC3261_18_1_1_LargeRegisterGoesOverTcpAndDecodesAsSip) {
  // Enough feature tags to push the REGISTER past 1300 bytes: RFC 3261 18.1.1 sends it over TCP.
  std::string tags = "+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"";
  for (int i = 0; i < 40; ++i) tags += ";+g.pushsim.capability" + std::to_string(i) + "=\"enabled\"";
  std::uint32_t register_size = 0;
  const std::string file = RunRegistration(tags, &register_size);
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_GT(register_size, 1300u);

  const Decoded decoded = Decode(file);
  ASSERT_FALSE(decoded.protocols.empty());
  std::size_t sip_frames = 0;
  for (const std::string& protocols : decoded.protocols) {
    SCOPED_TRACE(protocols);
    // Handshake, acknowledgements and segments are TCP; the frames that complete a message
    // carry it decoded as SIP.
    EXPECT_EQ(protocols.rfind("ppp:ip:tcp", 0), 0u);
    if (EndsWith(protocols, ":sip")) ++sip_frames;
  }
  EXPECT_EQ(sip_frames, 2u);
  EXPECT_EQ(decoded.methods, std::vector<std::string>{"REGISTER"});
  EXPECT_EQ(decoded.status_codes, std::vector<std::string>{"200"});
  EXPECT_EQ(Malformed(file), "");
}

}  // namespace
}  // namespace pushsim
