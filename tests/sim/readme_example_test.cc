// The example of README.md's "A small IMS core in C++" section, compiled and run so it cannot
// rot: the code between the markers below must be the README's code block (with "int main()"
// there for "int ReadmeMain()" here), and running it must print the registration.
// README-EXAMPLE-BEGIN
#include <iostream>

#include "apps/ims-core-helper.h"
#include "apps/sip-ue-helper.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"

using namespace ns3;

void PrintState(const std::string& state, uint16_t code, Time delay, uint32_t) {
  std::cout << Simulator::Now().GetSeconds() << " s: " << state << " (" << code << ") after "
            << delay.GetMilliSeconds() << " ms\n";
}

int ReadmeMain() {
  NodeContainer nodes;  // P-CSCF, I-CSCF, S-CSCF, HSS, UE
  nodes.Create(5);
  CsmaHelper lan;
  NetDeviceContainer devices = lan.Install(nodes);
  InternetStackHelper().Install(nodes);
  Ipv4AddressHelper("10.0.0.0", "255.255.255.0").Assign(devices);

  pushsim::ImsCoreHelper core;
  core.AddSubscriberFromTemplate("user{i}", 1, R"(<IMSSubscription><PrivateID>{user}@home1.net</PrivateID>
    <ServiceProfile><PublicIdentity><Identity>sip:{user}@home1.net</Identity></PublicIdentity>
    </ServiceProfile></IMSSubscription>)");
  core.Install(nodes.Get(0), nodes.Get(1), nodes.Get(2), nodes.Get(3));

  pushsim::SipUeHelper ues("sip:user{i}@home1.net", "sip:pcscf.home1.net");
  ues.SetAttribute("Resolver", PointerValue(core.GetResolver()));
  ues.SetAttribute("RegisterAt", TimeValue(Seconds(1)));
  ues.Install(nodes.Get(4)).Get(0)->TraceConnectWithoutContext("RegistrationState", MakeCallback(&PrintState));

  Simulator::Stop(Seconds(5));
  Simulator::Run();
  Simulator::Destroy();
  return 0;
}
// README-EXAMPLE-END

#include <gtest/gtest.h>

#include "support/readme_example.h"

namespace {

using namespace pushsim::testing;

TEST(ReadmeExample, ReadmeShowsThisCode) {
  const std::string shown = ReadmeCodeBlock("## A small IMS core in C++");
  ASSERT_FALSE(shown.empty()) << "README.md has no C++ block in its \"A small IMS core in C++\" section";
  EXPECT_EQ(shown, CompiledExample(__FILE__));
  EXPECT_LT(std::count(shown.begin(), shown.end(), '\n'), 40);
}

TEST(ReadmeExample, TS24229_5_1_1_2_ExampleRegistersTheUe) {
  const std::string printed = CaptureStdout(&ReadmeMain);
  // Registered once, with 200, shortly after 1 s: P-CSCF, I-CSCF (UAR 5 ms), S-CSCF (SAR 5 ms).
  EXPECT_EQ(printed.find("1.0"), 0u) << printed;
  EXPECT_NE(printed.find(" s: registered (200) after "), std::string::npos) << printed;
  EXPECT_EQ(std::count(printed.begin(), printed.end(), '\n'), 1);
}

}  // namespace
