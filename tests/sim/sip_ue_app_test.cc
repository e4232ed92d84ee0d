// The UE application against a registrar written here: registration over the simulated network,
// refreshes on the TS 24.229 5.1.1.4.1 schedule, de-registration, and the helper's per-UE values.
#include "apps/sip-ue-app.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "apps/sip-ue-helper.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "wire/sip_headers.h"

namespace pushsim {
namespace {

using wire::HeaderId;
using wire::SipMessage;

struct Seen {
  double at;
  SipMessage request;
};

// Answers REGISTER with 200 listing the binding with the lifetime it grants (RFC 3261 10.3 step
// 8), and anything else with 200.
class TestRegistrar : public sip::Element {
 public:
  TestRegistrar(sip::Host& host, const sip::Resolver& resolver, sip::ElementConfig config, std::uint32_t grant,
                std::vector<Seen>* seen)
      : sip::Element(host, resolver, std::move(config)), grant_(grant), seen_(seen) {}

 protected:
  void HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint&) override {
    seen_->push_back(Seen{ns3::Simulator::Now().GetSeconds(), request});
    SipMessage response = MakeResponse(request, 200);
    if (request.method() == wire::Method::kRegister) {
      auto contacts = wire::ParseContacts(request);
      const auto expires = request.Get(HeaderId::kExpires);
      const bool removing = expires && *expires == "0";
      if (contacts.ok() && !contacts->empty() && !removing) {
        wire::Contact binding = contacts->front();
        wire::SetParam(binding.address.params, "expires", std::to_string(grant_));
        response.Add(HeaderId::kContact, binding.ToString());
        response.Add(HeaderId::kServiceRoute, "<sip:orig@scscf.home1.net;lr>");
      }
    }
    Respond(server, std::move(response));
  }

 private:
  std::uint32_t grant_;
  std::vector<Seen>* seen_;
};

class TestRegistrarApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId() {
    static ns3::TypeId tid = ns3::TypeId("pushsim::test::TestRegistrarApplication")
                                 .SetParent<SipElementApplication>()
                                 .AddConstructor<TestRegistrarApplication>();
    return tid;
  }
  std::uint32_t grant = 120;
  std::vector<Seen> seen;

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override {
    return std::make_unique<TestRegistrar>(host, resolver, std::move(config), grant, &seen);
  }
};

struct Lan {
  ns3::NodeContainer nodes;
  ns3::Ipv4InterfaceContainer interfaces;
  explicit Lan(int count) {
    nodes.Create(count);
    ns3::CsmaHelper csma;
    csma.SetChannelAttribute("DataRate", ns3::StringValue("100Mbps"));
    csma.SetChannelAttribute("Delay", ns3::StringValue("2ms"));
    auto devices = csma.Install(nodes);
    ns3::InternetStackHelper().Install(nodes);
    ns3::Ipv4AddressHelper addresses("10.2.0.0", "255.255.255.0");
    interfaces = addresses.Assign(devices);
  }
  ~Lan() { ns3::Simulator::Destroy(); }
};

struct StateRecord {
  double at;
  std::string state;
  std::uint16_t code;
  ns3::Time delay;
  std::uint32_t retransmissions;
};

void RecordState(std::vector<StateRecord>* out, const std::string& state, std::uint16_t code, ns3::Time delay,
                 std::uint32_t retransmissions) {
  out->push_back(StateRecord{ns3::Simulator::Now().GetSeconds(), state, code, delay, retransmissions});
}

TEST(SipUeApplication, TS24229_5_1_1_4_1_RegistersRefreshesAndDeregisters) {
  Lan lan(2);
  auto resolver = ns3::CreateObject<SipResolver>();
  auto registrar = ns3::CreateObject<TestRegistrarApplication>();
  registrar->SetAttribute("Host", ns3::StringValue("pcscf.home1.net"));
  registrar->SetAttribute("Resolver", ns3::PointerValue(resolver));
  lan.nodes.Get(0)->AddApplication(registrar);

  SipUeHelper helper("sip:user{i}@home1.net", "sip:pcscf.home1.net");
  helper.SetInstancePattern("<urn:uuid:{uuid}>");
  helper.SetAttribute("Resolver", ns3::PointerValue(resolver));
  helper.SetAttribute("FeatureTags", ns3::StringValue("+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\""));
  helper.SetAttribute("Gruu", ns3::BooleanValue(true));
  helper.SetAttribute("RegisterAt", ns3::TimeValue(ns3::Seconds(1)));
  helper.SetAttribute("DeregisterAt", ns3::TimeValue(ns3::Seconds(150)));
  ns3::ApplicationContainer ues = helper.Install(lan.nodes.Get(1));
  ASSERT_EQ(ues.GetN(), 1u);
  auto ue = ns3::DynamicCast<SipUeApplication>(ues.Get(0));
  ASSERT_NE(ue, nullptr);
  EXPECT_EQ(ue->GetAor(), "sip:user0@home1.net");
  std::vector<StateRecord> states;
  ue->TraceConnectWithoutContext("RegistrationState", ns3::MakeBoundCallback(&RecordState, &states));

  ns3::Simulator::Stop(ns3::Seconds(200));
  ns3::Simulator::Run();

  // Initial REGISTER at 1 s; granted 120 s (<= 1200), so refreshes every 60 s after each 200
  // (61 s, 121 s, plus the round trips); de-registration at 150 s; the refresh due near 181 s
  // never happens.
  std::vector<const Seen*> registers;
  for (const Seen& seen : registrar->seen) {
    if (seen.request.method() == wire::Method::kRegister) registers.push_back(&seen);
  }
  ASSERT_EQ(registers.size(), 4u);
  EXPECT_GT(registers[0]->at, 1.0);
  EXPECT_LT(registers[0]->at, 1.05);
  for (int i = 1; i < 3; ++i) {
    const double gap = registers[i]->at - registers[i - 1]->at;
    EXPECT_GT(gap, 60.0);
    EXPECT_LT(gap, 60.05);
  }
  EXPECT_GT(registers[3]->at, 150.0);
  EXPECT_LT(registers[3]->at, 150.05);

  const SipMessage& first = registers[0]->request;
  EXPECT_EQ(first.request_uri(), "sip:home1.net");
  EXPECT_EQ(first.Get(HeaderId::kExpires), "600000");
  auto from = wire::ParseFromTo(*first.Get(HeaderId::kFrom));
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(from->uri, "sip:user0@home1.net");
  auto contacts = wire::ParseContacts(first);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ(contacts->front().address.uri, "sip:user0@10.2.0.2:5060");
  EXPECT_EQ(contacts->front().instance(), "<urn:uuid:00000000-0000-4000-8000-000000000000>");
  const wire::Param* tag = wire::FindParam(contacts->front().address.params, "+g.oma.pusheventapp");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->Unquoted(), "mms.ua,x-wap-application:push.sia");
  auto supported = wire::ParseTokenList(first, HeaderId::kSupported);
  ASSERT_TRUE(supported.ok());
  EXPECT_EQ(*supported, (std::vector<std::string>{"path", "gruu"}));
  EXPECT_EQ(registers[1]->request.Get(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_EQ(registers[1]->request.Get(HeaderId::kCallId), first.Get(HeaderId::kCallId));
  EXPECT_EQ(registers[3]->request.Get(HeaderId::kExpires), "0");

  ASSERT_EQ(states.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(states[i].state, "registered");
    EXPECT_EQ(states[i].code, 200);
    EXPECT_EQ(states[i].retransmissions, 0u);
    // RFC 6076 Registration Request Delay: one round trip over two 2 ms hops, well under T1.
    EXPECT_GT(states[i].delay, ns3::MilliSeconds(4));
    EXPECT_LT(states[i].delay, ns3::MilliSeconds(50));
  }
  EXPECT_EQ(states[3].state, "unregistered");
  EXPECT_EQ(states[3].code, 200);
}

TEST(SipUeApplication, HelperGivesEachUeItsOwnIdentity) {
  Lan lan(3);
  auto resolver = ns3::CreateObject<SipResolver>();
  auto registrar = ns3::CreateObject<TestRegistrarApplication>();
  registrar->SetAttribute("Host", ns3::StringValue("pcscf.home1.net"));
  registrar->SetAttribute("Resolver", ns3::PointerValue(resolver));
  lan.nodes.Get(0)->AddApplication(registrar);
  SipUeHelper helper("sip:user{i}@home1.net", "sip:pcscf.home1.net");
  helper.SetFirstIndex(5);
  helper.SetAttribute("Resolver", ns3::PointerValue(resolver));
  ns3::NodeContainer ue_nodes(lan.nodes.Get(1), lan.nodes.Get(2));
  ns3::ApplicationContainer ues = helper.Install(ue_nodes);
  ASSERT_EQ(ues.GetN(), 2u);
  ns3::Simulator::Stop(ns3::Seconds(5));
  ns3::Simulator::Run();
  std::vector<std::string> aors;
  for (const Seen& seen : registrar->seen) {
    auto to = wire::ParseFromTo(*seen.request.Get(HeaderId::kTo));
    ASSERT_TRUE(to.ok());
    aors.push_back(to->uri);
  }
  std::sort(aors.begin(), aors.end());
  EXPECT_EQ(aors, (std::vector<std::string>{"sip:user5@home1.net", "sip:user6@home1.net"}));
  for (std::uint32_t i = 0; i < 2; ++i) {
    auto ue = ns3::DynamicCast<SipUeApplication>(ues.Get(i));
    ASSERT_NE(ue->GetUserAgent(), nullptr);
    EXPECT_EQ(ue->GetUserAgent()->registration_state(), sip::RegistrationState::kRegistered);
    EXPECT_EQ(ue->GetUserAgent()->service_route(), std::vector<std::string>{"<sip:orig@scscf.home1.net;lr>"});
  }
}

TEST(SipUeApplication, IncomingMessageIsTracedAndAnswered) {
  Lan lan(2);
  auto resolver = ns3::CreateObject<SipResolver>();
  auto registrar = ns3::CreateObject<TestRegistrarApplication>();
  registrar->SetAttribute("Host", ns3::StringValue("pcscf.home1.net"));
  registrar->SetAttribute("Resolver", ns3::PointerValue(resolver));
  lan.nodes.Get(0)->AddApplication(registrar);
  SipUeHelper helper("sip:alice@home1.net", "sip:pcscf.home1.net");
  helper.SetAttribute("Resolver", ns3::PointerValue(resolver));
  auto ue = ns3::DynamicCast<SipUeApplication>(helper.Install(lan.nodes.Get(1)).Get(0));
  std::vector<std::string> bodies;
  ue->TraceConnectWithoutContext(
      "MessageReceived", ns3::MakeCallback(+[](std::vector<std::string>* out, const SipMessage& request) {
                           out->emplace_back(request.body());
                         }).Bind(&bodies));
  std::vector<int> answers;
  ns3::Simulator::Schedule(ns3::Seconds(2), [&] {
    // The registrar's element sends a MESSAGE to the UE's contact, as an S-CSCF would.
    sip::Element* element = registrar->GetElement();
    SipMessage message = SipMessage::MakeRequest(wire::Method::kMessage, "sip:alice@10.2.0.2:5060");
    message.Add(HeaderId::kMaxForwards, "70");
    message.Add(HeaderId::kFrom, "<sip:push-as@home1.net>;tag=p1");
    message.Add(HeaderId::kTo, "<sip:alice@home1.net>");
    message.Add(HeaderId::kCallId, "push-1");
    message.Add(HeaderId::kCSeq, "1 MESSAGE");
    message.SetBody("hello", "text/plain");
    element->SendRequest(message, ue->GetLocalEndpoint(), [&](const SipMessage* response, const sip::ClientOutcome&) {
      answers.push_back(response ? response->status_code() : 408);
    });
  });
  ns3::Simulator::Stop(ns3::Seconds(5));
  ns3::Simulator::Run();
  EXPECT_EQ(bodies, std::vector<std::string>{"hello"});
  EXPECT_EQ(answers, std::vector<int>{200});
}

TEST(SipUeHelper, PatternsExpandTheIndex) {
  EXPECT_EQ(SipUeHelper::Expand("sip:user{i}@home1.net", 7), "sip:user7@home1.net");
  EXPECT_EQ(SipUeHelper::Expand("<urn:uuid:{uuid}>", 255), "<urn:uuid:00000000-0000-4000-8000-0000000000ff>");
  EXPECT_EQ(SipUeHelper::Expand("sip:{i}-{i}@x", 12), "sip:12-12@x");
  EXPECT_EQ(SipUeHelper::Expand("sip:fixed@x{", 3), "sip:fixed@x{");
}

TEST(SipUeApplication, FeatureTagsText) {
  auto two = SipUeApplication::ParseFeatureTags("+g.oma.pusheventapp=\"mms.ua\";+g.3gpp.icsi-ref=\"x\"");
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].name, "+g.oma.pusheventapp");
  EXPECT_EQ((*two)[0].Unquoted(), "mms.ua");
  EXPECT_EQ((*two)[1].name, "+g.3gpp.icsi-ref");
  auto empty = SipUeApplication::ParseFeatureTags("  ");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto leading = SipUeApplication::ParseFeatureTags(";audio");
  ASSERT_TRUE(leading.ok());
  EXPECT_EQ(leading->front().name, "audio");
  EXPECT_FALSE(leading->front().value.has_value());

  // "a b": after the tag "a" a ';' was expected at offset 1.
  auto junk = SipUeApplication::ParseFeatureTags("a b");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, wire::ErrorCode::kBadCharacter);
  EXPECT_EQ(junk.error().offset, 1u);
  auto unterminated = SipUeApplication::ParseFeatureTags("+g.oma.pusheventapp=\"mms.ua");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().code, wire::ErrorCode::kBadQuotedString);
  auto binary = SipUeApplication::ParseFeatureTags(std::string("x=\x01\x02", 4));
  EXPECT_FALSE(binary.ok());
}

}  // namespace
}  // namespace pushsim
