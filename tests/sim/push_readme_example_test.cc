// The example of README.md's "Pushing to a UE in C++" section, compiled and run so it cannot rot:
// the code between the markers below must be the README's code block (with "int main()" there
// for "int ReadmeMain()" here), and running it must deliver both pushes.
// README-EXAMPLE-BEGIN
#include <iostream>

#include "apps/ims-core-helper.h"
#include "apps/push-helpers.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"

using namespace ns3;
namespace push = pushsim::push;

void PrintOutcome(const push::PushOutcome& outcome) {
  std::cout << "push " << outcome.id << " by " << push::PushMethodName(outcome.method) << ": " << outcome.code
            << " " << push::AppStatusName(outcome.status) << (outcome.delivered ? ", delivered" : "") << "\n";
}

int ReadmeMain() {
  NodeContainer nodes;  // P-CSCF, S-CSCF, HSS, push AS, UE
  nodes.Create(5);
  InternetStackHelper().Install(nodes);
  Ipv4AddressHelper("10.0.0.0", "255.255.255.0").Assign(CsmaHelper().Install(nodes));

  pushsim::ImsCoreHelper core;  // without an I-CSCF
  core.AddSubscriberFromTemplate("user{i}", 1, R"(<IMSSubscription><PrivateID>{user}@home1.net</PrivateID>
    <ServiceProfile><PublicIdentity><Identity>sip:{user}@home1.net</Identity></PublicIdentity>
    </ServiceProfile></IMSSubscription>)");
  core.Install(nodes.Get(0), nullptr, nodes.Get(1), nodes.Get(2));
  Ptr<pushsim::PushSenderApplication> as = pushsim::PushSenderHelper(core.GetResolver()).Install(nodes.Get(3));
  as->TraceConnectWithoutContext("Outcome", MakeCallback(&PrintOutcome));

  pushsim::PushReceiverHelper ues("sip:user{i}@home1.net", "sip:pcscf.home1.net");
  ues.SetAttribute("Resolver", PointerValue(core.GetResolver()));
  ues.SetAttribute("AppIds", StringValue("mms.ua"));
  ues.SetAttribute("TrustedSenders", StringValue("sip:push-as.home1.net"));
  ues.Install(nodes.Get(4));
  push::PushRequest text;  // a short text: SIP MESSAGE
  text.uri = "sip:user0@home1.net";
  text.app_id = "mms.ua";
  text.content = "You have a new message";
  push::PushRequest file = text;  // 50 KB of synthetic content: INVITE and MSRP
  file.method = push::PushRequest::kInviteMsrp;
  file.content.clear();
  file.size = 50 * 1024;
  Simulator::Schedule(Seconds(2), [as, text, file] { as->Push(text); as->Push(file); });
  Simulator::Stop(Seconds(10));
  Simulator::Run();
  Simulator::Destroy();
  return 0;
}
// README-EXAMPLE-END

#include <gtest/gtest.h>

#include "support/readme_example.h"

namespace {

using namespace pushsim::testing;

TEST(PushReadmeExample, ReadmeShowsThisCode) {
  const std::string shown = ReadmeCodeBlock("## Pushing to a UE in C++");
  ASSERT_FALSE(shown.empty()) << "README.md has no C++ block in a \"Pushing to a UE in C++\" section";
  EXPECT_EQ(shown, CompiledExample(__FILE__));
  // A short complete program: under 50 lines, includes and all.
  EXPECT_LT(std::count(shown.begin(), shown.end(), '\n'), 50);
}

TEST(PushReadmeExample, TS_9_1_And_9_3_ExampleDeliversTheMessageAndTheFile) {
  const std::string printed = CaptureStdout(&ReadmeMain);
  // Push 1 fits a MESSAGE (TS 9.1.2 step 8): 200, accepted (Appendix D row 1). Push 2 goes by
  // INVITE + MSRP (TS 9.3.2): the INVITE's 200, and delivered once the REPORT arrived.
  EXPECT_EQ(printed,
            "push 1 by MESSAGE: 200 accepted, delivered\n"
            "push 2 by INVITE+MSRP: 200 accepted, delivered\n");
}

}  // namespace
