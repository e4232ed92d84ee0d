// The IMS core installed by ImsCoreHelper, with UEs on their own access links and a push
// application server on the core LAN: registration through P-CSCF (and I-CSCF) to the S-CSCF,
// third-party registration by iFC, the reg event package, GRUU and caller-preference routing,
// asserted identity, UDP retransmission over a lossy link and overload with Retry-After.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "apps/ims-core-helper.h"
#include "apps/sip-ue-app.h"
#include "apps/sip-ue-helper.h"
#include "ims/reg_event.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "wire/sip_headers.h"

namespace pushsim {
namespace {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

constexpr const char* kPushTag = "+g.oma.pusheventapp=\"mms.ua\"";

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// A subscriber with one public identity and the push registration filter of
// hss/push-user.xml (priority 0), without its messaging-AS filter.
constexpr const char* kSubscriberTemplate = R"(<?xml version="1.0" encoding="UTF-8"?>
<IMSSubscription>
  <PrivateID>{user}_private@home1.net</PrivateID>
  <ServiceProfile>
    <PublicIdentity><Identity>sip:{user}@home1.net</Identity></PublicIdentity>
    <InitialFilterCriteria>
      <Priority>0</Priority>
      <TriggerPoint>
        <ConditionTypeCNF>1</ConditionTypeCNF>
        <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>
        <SPT><ConditionNegated>0</ConditionNegated><Group>1</Group>
          <SIPHeader><Header>Contact</Header><Content>\+g\.oma\.pusheventapp</Content></SIPHeader></SPT>
      </TriggerPoint>
      <ApplicationServer>
        <ServerName>sip:push-as.home1.net:5060;lr</ServerName>
        <DefaultHandling>0</DefaultHandling>
        <Extension><IncludeRegisterRequest/></Extension>
      </ApplicationServer>
    </InitialFilterCriteria>
  </ServiceProfile>
</IMSSubscription>
)";

struct Wire {
  SipMessage message;
  sip::Endpoint peer;
  double at = 0;
};
void RecordWire(std::vector<Wire>* out, const SipMessage& message, std::size_t, const sip::Endpoint& peer) {
  out->push_back(Wire{message, peer, ns3::Simulator::Now().GetSeconds()});
}

struct State {
  std::string state;
  std::uint16_t code;
  std::uint32_t retransmissions;
};
void RecordState(std::vector<State>* out, const std::string& state, std::uint16_t code, ns3::Time,
                 std::uint32_t retransmissions) {
  out->push_back(State{state, code, retransmissions});
}
void RecordRequest(std::vector<SipMessage>* out, const SipMessage& request) { out->push_back(request); }

// The push application server: records every request and answers 200; it can also subscribe to
// a user's reg event as a UAC (RFC 3680 4.1) and answers the NOTIFYs.
class RecordingAs : public sip::Element {
 public:
  RecordingAs(sip::Host& host, const sip::Resolver& resolver, sip::ElementConfig config, std::vector<Wire>* seen)
      : sip::Element(host, resolver, std::move(config)), seen_(seen) {}

 protected:
  void HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) override {
    seen_->push_back(Wire{request, source, ns3::Simulator::Now().GetSeconds()});
    Respond(server, 200);
  }

 private:
  std::vector<Wire>* seen_;
};

class RecordingAsApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId() {
    static ns3::TypeId tid = ns3::TypeId("pushsim::test::RecordingAsApplication")
                                 .SetParent<SipElementApplication>()
                                 .AddConstructor<RecordingAsApplication>();
    return tid;
  }
  std::vector<Wire> seen;

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override {
    return std::make_unique<RecordingAs>(host, resolver, std::move(config), &seen);
  }
};

struct UeSpec {
  std::string aor;
  std::string features;  // FeatureTags
  std::uint32_t instance = 0;
  double register_at = 1;
  double deregister_at = 0;
  std::uint32_t expires = 600000;
};

// Core LAN 10.0.0.0/24: P-CSCF .1, I-CSCF .2, S-CSCF .3, HSS .4, push AS .5. Each UE i has a
// point-to-point access link 10.1.i.0/24 to the P-CSCF (UE .1, P-CSCF .2).
class ImsCoreSim : public ::testing::Test {
 protected:
  ~ImsCoreSim() override { ns3::Simulator::Destroy(); }

  void Build(const std::vector<UeSpec>& specs, bool with_icscf = false) {
    core_nodes.Create(5);
    ue_nodes.Create(specs.size());
    ns3::CsmaHelper lan;
    lan.SetChannelAttribute("DataRate", ns3::StringValue("1Gbps"));
    lan.SetChannelAttribute("Delay", ns3::StringValue("1ms"));
    ns3::NetDeviceContainer core_devices = lan.Install(core_nodes);
    ns3::PointToPointHelper access;
    access.SetDeviceAttribute("DataRate", ns3::StringValue("10Mbps"));
    access.SetChannelAttribute("Delay", ns3::StringValue("5ms"));
    for (std::size_t i = 0; i < specs.size(); ++i) access_links.push_back(access.Install(ue_nodes.Get(i), core_nodes.Get(0)));
    ns3::InternetStackHelper internet;
    internet.Install(core_nodes);
    internet.Install(ue_nodes);
    ns3::Ipv4AddressHelper addresses("10.0.0.0", "255.255.255.0");
    addresses.Assign(core_devices);
    for (std::size_t i = 0; i < access_links.size(); ++i) {
      addresses.SetBase(ns3::Ipv4Address(("10.1." + std::to_string(i) + ".0").c_str()), "255.255.255.0");
      addresses.Assign(access_links[i]);
    }
    ns3::Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    apps = core.Install(core_nodes.Get(0), with_icscf ? core_nodes.Get(1) : nullptr, core_nodes.Get(2),
                        core_nodes.Get(3));
    as = ns3::CreateObject<RecordingAsApplication>();
    as->SetAttribute("Host", ns3::StringValue("push-as.home1.net"));
    as->SetAttribute("Resolver", ns3::PointerValue(core.GetResolver()));
    core_nodes.Get(4)->AddApplication(as);

    for (std::size_t i = 0; i < specs.size(); ++i) {
      const UeSpec& spec = specs[i];
      SipUeHelper helper(spec.aor, "sip:pcscf.home1.net");
      helper.SetFirstIndex(spec.instance);
      helper.SetInstancePattern("<urn:uuid:{uuid}>");
      helper.SetAttribute("Resolver", ns3::PointerValue(core.GetResolver()));
      helper.SetAttribute("Gruu", ns3::BooleanValue(true));
      helper.SetAttribute("FeatureTags", ns3::StringValue(spec.features));
      helper.SetAttribute("Expires", ns3::UintegerValue(spec.expires));
      helper.SetAttribute("RegisterAt", ns3::TimeValue(ns3::Seconds(spec.register_at)));
      helper.SetAttribute("DeregisterAt", ns3::TimeValue(ns3::Seconds(spec.deregister_at)));
      auto ue = ns3::DynamicCast<SipUeApplication>(helper.Install(ue_nodes.Get(i)).Get(0));
      ues.push_back(ue);
      ue_rx.emplace_back();
      ue_tx.emplace_back();
      ue_states.emplace_back();
      ue_requests.emplace_back();
    }
    // The vectors are complete: their elements no longer move.
    for (std::size_t i = 0; i < ues.size(); ++i) {
      ues[i]->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&RecordWire, &ue_rx[i]));
      ues[i]->TraceConnectWithoutContext("Tx", ns3::MakeBoundCallback(&RecordWire, &ue_tx[i]));
      ues[i]->TraceConnectWithoutContext("RegistrationState", ns3::MakeBoundCallback(&RecordState, &ue_states[i]));
      ues[i]->TraceConnectWithoutContext("MessageReceived", ns3::MakeBoundCallback(&RecordRequest, &ue_requests[i]));
    }
    core.GetScscf()->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&RecordWire, &scscf_rx));
    core.GetPCscf()->TraceConnectWithoutContext("Tx", ns3::MakeBoundCallback(&RecordWire, &pcscf_tx));
  }

  void Run(double seconds) {
    ns3::Simulator::Stop(ns3::Seconds(seconds));
    ns3::Simulator::Run();
  }

  sip::UserAgent& Agent(std::size_t i) { return *ues.at(i)->GetUserAgent(); }

  static std::vector<SipMessage> Requests(const std::vector<Wire>& log, Method method) {
    std::vector<SipMessage> out;
    for (const Wire& entry : log) {
      if (entry.message.IsRequest() && entry.message.method() == method) out.push_back(entry.message);
    }
    return out;
  }
  static std::vector<SipMessage> Responses(const std::vector<Wire>& log, Method method, int code) {
    std::vector<SipMessage> out;
    for (const Wire& entry : log) {
      if (entry.message.IsResponse() && entry.message.cseq_method() == method && entry.message.status_code() == code) {
        out.push_back(entry.message);
      }
    }
    return out;
  }

  ImsCoreHelper core;
  ns3::NodeContainer core_nodes;
  ns3::NodeContainer ue_nodes;
  std::vector<ns3::NetDeviceContainer> access_links;
  ns3::ApplicationContainer apps;
  ns3::Ptr<RecordingAsApplication> as;
  std::vector<ns3::Ptr<SipUeApplication>> ues;
  std::vector<std::vector<Wire>> ue_rx, ue_tx;
  std::vector<std::vector<State>> ue_states;
  std::vector<std::vector<SipMessage>> ue_requests;
  std::vector<Wire> scscf_rx, pcscf_tx;
};

std::string ValueOr(const SipMessage& message, HeaderId id) { return std::string(message.Get(id).value_or("")); }

// The fields the UE wrote, as they must reach the S-CSCF and, from there, the AS inside the
// message/sip body (TS 24.229 5.4.1.7 h): "the incoming REGISTER request").
void ExpectSameRegister(const SipMessage& sent_by_ue, const SipMessage& copy) {
  EXPECT_EQ(copy.request_uri(), sent_by_ue.request_uri());
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq, HeaderId::kContact,
                      HeaderId::kExpires, HeaderId::kSupported}) {
    EXPECT_EQ(ValueOr(copy, id), ValueOr(sent_by_ue, id)) << static_cast<int>(id);
  }
  // RFC 3261 16.6: each proxy adds its Via on top; the UE's is the bottom one.
  auto vias = wire::ParseVias(copy);
  auto ue_vias = wire::ParseVias(sent_by_ue);
  ASSERT_TRUE(vias.ok() && ue_vias.ok());
  ASSERT_EQ(ue_vias->size(), 1u);
  ASSERT_GE(vias->size(), 2u);
  EXPECT_EQ(vias->back().branch(), ue_vias->front().branch());
  EXPECT_EQ(vias->back().host, ue_vias->front().host);
}

// --- Registration ---------------------------------------------------------------------------

TEST_F(ImsCoreSim, TS24229_5_4_1_7_RegistrationThroughPcscfAndThirdPartyRegister) {
  ASSERT_TRUE(core.AddSubscriber(ReadVector("hss/push-user.xml")).ok());
  // Granted 120 s: the UE refreshes after 60 s (TS 24.229 5.1.1.4.1), de-registers at 100 s.
  Build({UeSpec{"sip:user2@home1.net", kPushTag, 0, 1, 100, 120}});
  Run(110);

  // RFC 3327 5.1 / TS 24.229 5.2.2.1: the S-CSCF receives the P-CSCF's Path entry.
  const auto at_scscf = Requests(scscf_rx, Method::kRegister);
  const auto from_ue = Requests(ue_tx[0], Method::kRegister);
  ASSERT_EQ(from_ue.size(), 3u);  // initial, refresh, de-registration
  ASSERT_EQ(at_scscf.size(), 3u);
  EXPECT_EQ(ValueOr(at_scscf[0], HeaderId::kPath), "<sip:term@pcscf.home1.net;lr>");
  ExpectSameRegister(from_ue[0], at_scscf[0]);

  // RFC 3608 6 and RFC 3455 4.1: the 200 carries the Service-Route naming the S-CSCF and the
  // implicit registration set of the profile, in document order.
  const auto ok = Responses(ue_rx[0], Method::kRegister, 200);
  ASSERT_EQ(ok.size(), 3u);
  EXPECT_EQ(ValueOr(ok[0], HeaderId::kServiceRoute), "<sip:orig@scscf.home1.net;lr>");
  auto associated = wire::ParseNameAddrList(ok[0], HeaderId::kPAssociatedUri);
  ASSERT_TRUE(associated.ok());
  ASSERT_EQ(associated->size(), 2u);
  EXPECT_EQ((*associated)[0].uri, "sip:user2@home1.net");
  EXPECT_EQ((*associated)[1].uri, "tel:+1-212-555-2222");
  EXPECT_EQ(Agent(0).registration_state(), sip::RegistrationState::kUnregistered);
  ASSERT_EQ(ue_states[0].size(), 3u);
  EXPECT_EQ(ue_states[0][0].state, "registered");
  EXPECT_EQ(ue_states[0][1].state, "registered");
  EXPECT_EQ(ue_states[0][2].state, "unregistered");

  // TS 24.229 5.4.1.7: one third-party REGISTER per REGISTER of the user, to the ServerName
  // without lr, From and Contact the S-CSCF, To the user, Expires the granted 120 s (0 for the
  // de-registration), one Call-ID with rising CSeq, the UE's REGISTER as message/sip
  // (IncludeRegisterRequest).
  const auto third = Requests(as->seen, Method::kRegister);
  ASSERT_EQ(third.size(), 3u);
  for (std::size_t i = 0; i < third.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(third[i].request_uri(), "sip:push-as.home1.net:5060");
    auto from = wire::ParseFromTo(ValueOr(third[i], HeaderId::kFrom));
    ASSERT_TRUE(from.ok());
    EXPECT_EQ(from->uri, "sip:scscf.home1.net:5060");
    EXPECT_EQ(ValueOr(third[i], HeaderId::kTo), "<sip:user2@home1.net>");
    EXPECT_EQ(ValueOr(third[i], HeaderId::kContact), "<sip:scscf.home1.net:5060>");
    EXPECT_EQ(ValueOr(third[i], HeaderId::kCallId), ValueOr(third[0], HeaderId::kCallId));
    EXPECT_EQ(ValueOr(third[i], HeaderId::kCSeq), std::to_string(i + 1) + " REGISTER");
    EXPECT_EQ(ValueOr(third[i], HeaderId::kContentType), "message/sip");
    auto body = SipMessage::Parse(third[i].body());
    ASSERT_TRUE(body.ok()) << body.error().Describe();
    ExpectSameRegister(from_ue[i], *body);
    EXPECT_EQ(ValueOr(*body, HeaderId::kPath), "<sip:term@pcscf.home1.net;lr>");
  }
  EXPECT_EQ(ValueOr(third[0], HeaderId::kExpires), "120");
  EXPECT_EQ(ValueOr(third[1], HeaderId::kExpires), "120");
  EXPECT_EQ(ValueOr(third[2], HeaderId::kExpires), "0");
  EXPECT_EQ(core.GetPCscf()->GetPCscf()->registration_count(), 0u);
}

TEST_F(ImsCoreSim, TS24229_5_3_1_2_RegistrationThroughIcscf) {
  ASSERT_TRUE(core.AddSubscriber(ReadVector("hss/push-user.xml")).ok());
  Build({UeSpec{"sip:user2@home1.net", kPushTag, 0, 1}}, /*with_icscf=*/true);
  std::vector<Wire> icscf_rx;
  ASSERT_NE(core.GetICscf(), nullptr);
  core.GetICscf()->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&RecordWire, &icscf_rx));
  Run(5);

  // TS 24.229 5.2.2.1: the P-CSCF sends REGISTER to the I-CSCF of the home network; the I-CSCF
  // (after UAR) forwards it to the S-CSCF the HSS names, without Record-Route (5.3.1.2).
  const auto at_icscf = Requests(icscf_rx, Method::kRegister);
  ASSERT_EQ(at_icscf.size(), 1u);
  const auto at_scscf = Requests(scscf_rx, Method::kRegister);
  ASSERT_EQ(at_scscf.size(), 1u);
  auto vias = wire::ParseVias(at_scscf[0]);
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 3u);  // I-CSCF, P-CSCF, UE
  EXPECT_EQ((*vias)[0].host, "10.0.0.2");  // the I-CSCF's address on the core LAN
  EXPECT_EQ((*vias)[1].host, "10.0.0.1");  // the P-CSCF's
  EXPECT_EQ(ValueOr(at_scscf[0], HeaderId::kPath), "<sip:term@pcscf.home1.net;lr>");
  EXPECT_FALSE(at_scscf[0].Has(HeaderId::kRecordRoute));
  ExpectSameRegister(Requests(ue_tx[0], Method::kRegister).at(0), at_scscf[0]);

  const auto ok = Responses(ue_rx[0], Method::kRegister, 200);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ValueOr(ok[0], HeaderId::kServiceRoute), "<sip:orig@scscf.home1.net;lr>");
  EXPECT_EQ(ValueOr(ok[0], HeaderId::kPAssociatedUri), "<sip:user2@home1.net>, <tel:+1-212-555-2222>");
  EXPECT_EQ(core.GetHss()->GetHss().AssignedScscf("sip:user2@home1.net"), "sip:scscf.home1.net:5060");
  EXPECT_EQ(Requests(as->seen, Method::kRegister).size(), 1u);
}

TEST_F(ImsCoreSim, TS29228_B_2_2_FilterWithoutFeatureTagSendsNothingToAs) {
  ASSERT_TRUE(core.AddSubscriber(ReadVector("hss/push-user.xml")).ok());
  Build({UeSpec{"sip:user2@home1.net", "", 0, 1, 20, 600000}});
  std::vector<std::string> third_party;
  core.GetScscf()->TraceConnectWithoutContext(
      "ThirdPartyRegister",
      ns3::MakeCallback(+[](std::vector<std::string>* out, const std::string& as_uri, const SipMessage&) {
        out->push_back(as_uri);
      }).Bind(&third_party));
  Run(30);
  // Registered and de-registered, but the SIPHeader trigger (Contact containing
  // +g.oma.pusheventapp) never matched: the AS hears nothing.
  ASSERT_EQ(ue_states[0].size(), 2u);
  EXPECT_EQ(ue_states[0][0].state, "registered");
  EXPECT_EQ(ue_states[0][1].state, "unregistered");
  EXPECT_TRUE(third_party.empty());
  EXPECT_TRUE(as->seen.empty());
}

// --- reg event ------------------------------------------------------------------------------

TEST_F(ImsCoreSim, RFC3680_RFC5628_AsReceivesFullThenPartialNotifyWithGruus) {
  ASSERT_TRUE(core.AddSubscriber(ReadVector("hss/push-user.xml")).ok());
  Build({UeSpec{"sip:user2@home1.net", kPushTag, 0, 1}, UeSpec{"sip:user2@home1.net", kPushTag, 1, 3}});
  std::vector<int> answers;
  ns3::Simulator::Schedule(ns3::Seconds(2), [&] {
    SipMessage subscribe = SipMessage::MakeRequest(Method::kSubscribe, "sip:user2@home1.net");
    subscribe.Add(HeaderId::kMaxForwards, "70");
    subscribe.Add(HeaderId::kFrom, "<sip:push-as.home1.net>;tag=as1");
    subscribe.Add(HeaderId::kTo, "<sip:user2@home1.net>");
    subscribe.Add(HeaderId::kCallId, "reg-sub-1@push-as.home1.net");
    subscribe.Add(HeaderId::kCSeq, "1 SUBSCRIBE");
    subscribe.Add(HeaderId::kContact, "<sip:push-as.home1.net>");
    subscribe.Add(HeaderId::kEvent, "reg");
    subscribe.Add(HeaderId::kAccept, "application/reginfo+xml");
    subscribe.Add(HeaderId::kExpires, "600");
    as->GetElement()->SendRequest(subscribe, core.GetScscf()->GetLocalEndpoint(),
                                  [&](const SipMessage* response, const sip::ClientOutcome&) {
                                    answers.push_back(response ? response->status_code() : 408);
                                  });
  });
  Run(6);
  EXPECT_EQ(answers, std::vector<int>{200});

  // RFC 5627 3.1: the public GRUU is the AOR with gr set to the instance URN.
  const std::string gruu0 = "sip:user2@home1.net;gr=urn:uuid:00000000-0000-4000-8000-000000000000";
  const std::string gruu1 = "sip:user2@home1.net;gr=urn:uuid:00000000-0000-4000-8000-000000000001";
  EXPECT_EQ(Agent(0).pub_gruu(), gruu0);
  EXPECT_EQ(Agent(1).pub_gruu(), gruu1);

  const auto notifies = Requests(as->seen, Method::kNotify);
  ASSERT_EQ(notifies.size(), 2u);
  std::vector<ims::RegInfo> infos;
  for (const SipMessage& notify : notifies) {
    EXPECT_EQ(ValueOr(notify, HeaderId::kEvent), "reg");
    EXPECT_EQ(ValueOr(notify, HeaderId::kContentType), "application/reginfo+xml");
    auto info = ims::ParseRegInfo(notify.body());
    ASSERT_TRUE(info.ok()) << info.error().Describe();
    infos.push_back(*info);
  }
  // RFC 3680 4.7.2: full state first (version 0), the second terminal in a partial one (1).
  EXPECT_TRUE(infos[0].full);
  EXPECT_EQ(infos[0].version, 0u);
  ASSERT_EQ(infos[0].registrations.size(), 1u);
  EXPECT_EQ(infos[0].registrations[0].aor, "sip:user2@home1.net");
  EXPECT_EQ(infos[0].registrations[0].state, "active");
  ASSERT_EQ(infos[0].registrations[0].contacts.size(), 1u);
  EXPECT_EQ(infos[0].registrations[0].contacts[0].uri, "sip:user2@10.1.0.1:5060");
  EXPECT_EQ(infos[0].registrations[0].contacts[0].pub_gruu, gruu0);

  EXPECT_FALSE(infos[1].full);
  EXPECT_EQ(infos[1].version, 1u);
  ASSERT_EQ(infos[1].registrations.size(), 1u);
  ASSERT_EQ(infos[1].registrations[0].contacts.size(), 1u);
  const ims::RegInfoContact& added = infos[1].registrations[0].contacts[0];
  EXPECT_EQ(added.uri, "sip:user2@10.1.1.1:5060");
  EXPECT_EQ(added.state, "active");
  EXPECT_EQ(added.event, "registered");
  EXPECT_EQ(added.pub_gruu, gruu1);
  EXPECT_EQ(added.temp_gruu, Agent(1).temp_gruu());
}

// --- GRUU and caller preferences -------------------------------------------------------------

void AddAliceAndBob(ImsCoreHelper& core) {
  ASSERT_TRUE(core.AddSubscriberFromTemplate("alice", 1, kSubscriberTemplate).ok());
  ASSERT_TRUE(core.AddSubscriberFromTemplate("bob", 1, kSubscriberTemplate).ok());
}

TEST_F(ImsCoreSim, RFC5627_5_3_MessageToGruuReachesOnlyThatTerminal) {
  AddAliceAndBob(core);
  Build({UeSpec{"sip:alice@home1.net", "", 0, 1}, UeSpec{"sip:bob@home1.net", kPushTag, 1, 1},
         UeSpec{"sip:bob@home1.net", kPushTag, 2, 1}});
  std::vector<int> answers;
  ns3::Simulator::Schedule(ns3::Seconds(3), [&] {
    ASSERT_TRUE(Agent(2).pub_gruu().has_value());
    Agent(0).SendMessage(*Agent(2).pub_gruu(), "text/plain", "to the second terminal", {},
                         [&](const SipMessage* response, const sip::ClientOutcome&) {
                           answers.push_back(response ? response->status_code() : 408);
                         });
  });
  Run(6);

  // Two terminals of one AOR, two instances: two public GRUUs (RFC 5627 3.1).
  ASSERT_TRUE(Agent(1).pub_gruu().has_value());
  ASSERT_TRUE(Agent(2).pub_gruu().has_value());
  EXPECT_EQ(*Agent(1).pub_gruu(), "sip:bob@home1.net;gr=urn:uuid:00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(*Agent(2).pub_gruu(), "sip:bob@home1.net;gr=urn:uuid:00000000-0000-4000-8000-000000000002");
  EXPECT_NE(Agent(1).temp_gruu(), Agent(2).temp_gruu());

  // RFC 5627 5.3: a request to a GRUU goes to the binding of its instance only, the
  // Request-URI rewritten to that contact.
  EXPECT_EQ(answers, std::vector<int>{200});
  EXPECT_TRUE(ue_requests[1].empty());
  ASSERT_EQ(ue_requests[2].size(), 1u);
  EXPECT_EQ(ue_requests[2][0].method(), Method::kMessage);
  EXPECT_EQ(ue_requests[2][0].request_uri(), "sip:bob@10.1.2.1:5060");
  EXPECT_EQ(ue_requests[2][0].body(), "to the second terminal");
}

TEST_F(ImsCoreSim, RFC3841_7_2_4_MessageToAorReachesTerminalsMatchingAcceptContact) {
  AddAliceAndBob(core);
  // Bob: two terminals with the push application, one voice-only terminal ("audio", RFC 3840
  // 10.1) and one that registered no feature parameter at all.
  Build({UeSpec{"sip:alice@home1.net", "", 0, 1}, UeSpec{"sip:bob@home1.net", kPushTag, 1, 1},
         UeSpec{"sip:bob@home1.net", kPushTag, 2, 1}, UeSpec{"sip:bob@home1.net", "audio", 3, 1},
         UeSpec{"sip:bob@home1.net", "", 4, 1}});
  std::vector<int> answers;
  ns3::Simulator::Schedule(ns3::Seconds(3), [&] {
    Agent(0).SendMessage("sip:bob@home1.net", "text/plain", "push",
                         {{"Accept-Contact", "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit"}},
                         [&](const SipMessage* response, const sip::ClientOutcome&) {
                           answers.push_back(response ? response->status_code() : 408);
                         });
  });
  Run(6);
  // RFC 3841 7.2.4: "require;explicit" drops the contact that states features but not
  // +g.oma.pusheventapp; the S-CSCF forks to the two push terminals. A contact registered
  // without any feature parameter is "immune" to caller preferences and is kept.
  EXPECT_EQ(answers, std::vector<int>{200});
  ASSERT_EQ(ue_requests[1].size(), 1u);
  ASSERT_EQ(ue_requests[2].size(), 1u);
  EXPECT_TRUE(ue_requests[3].empty());
  EXPECT_EQ(ue_requests[4].size(), 1u);
  EXPECT_EQ(ue_requests[1][0].request_uri(), "sip:bob@10.1.1.1:5060");
  EXPECT_EQ(ue_requests[2][0].request_uri(), "sip:bob@10.1.2.1:5060");
  EXPECT_EQ(ue_requests[1][0].body(), "push");
  EXPECT_EQ(ValueOr(ue_requests[1][0], HeaderId::kAcceptContact), "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
}

TEST_F(ImsCoreSim, RFC3325_9_1_ForgedAssertedIdentityDoesNotSurvivePcscf) {
  AddAliceAndBob(core);
  Build({UeSpec{"sip:alice@home1.net", "", 0, 1}, UeSpec{"sip:bob@home1.net", "", 1, 1}});
  std::vector<std::string> removed;
  core.GetPCscf()->TraceConnectWithoutContext(
      "IdentityReplaced", ns3::MakeCallback(+[](std::vector<std::string>* out, const SipMessage&,
                                                const std::string& identity) { out->push_back(identity); })
                              .Bind(&removed));
  ns3::Simulator::Schedule(ns3::Seconds(3), [&] {
    Agent(0).SendMessage("sip:bob@home1.net", "text/plain", "from the boss?",
                         {{"P-Asserted-Identity", "<sip:boss@home1.net>"}});
  });
  Run(6);
  const auto sent = Requests(ue_tx[0], Method::kMessage);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ValueOr(sent[0], HeaderId::kPAssertedIdentity), "<sip:boss@home1.net>");
  // TS 24.229 5.2.6.3.3: the P-CSCF removes it and asserts the default public user identity.
  EXPECT_EQ(removed, std::vector<std::string>{"<sip:boss@home1.net>"});
  ASSERT_EQ(ue_requests[1].size(), 1u);
  EXPECT_EQ(ue_requests[1][0].GetAll(HeaderId::kPAssertedIdentity),
            std::vector<std::string_view>{"<sip:alice@home1.net>"});
}

// --- Loss and overload ----------------------------------------------------------------------

TEST_F(ImsCoreSim, RFC3261_17_1_2_2_RegistrationCompletesOverLossyAccessLink) {
  constexpr int kUes = 10;
  ASSERT_TRUE(core.AddSubscriberFromTemplate("user{i}", kUes, kSubscriberTemplate).ok());
  std::vector<UeSpec> specs;
  for (int i = 0; i < kUes; ++i) specs.push_back(UeSpec{"sip:user" + std::to_string(i) + "@home1.net", "", 
                                                        static_cast<std::uint32_t>(i), 1});
  Build(specs);
  // 10 % of the packets lost in each direction of every access link, from fixed streams.
  std::int64_t stream = 100;
  for (auto& link : access_links) {
    for (std::uint32_t end = 0; end < 2; ++end) {
      auto loss = ns3::CreateObject<ns3::RateErrorModel>();
      loss->SetAttribute("ErrorRate", ns3::DoubleValue(0.1));
      loss->SetAttribute("ErrorUnit", ns3::StringValue("ERROR_UNIT_PACKET"));
      loss->AssignStreams(stream++);
      link.Get(end)->SetAttribute("ReceiveErrorModel", ns3::PointerValue(loss));
    }
  }
  Run(60);
  std::uint32_t most_retransmissions = 0;
  for (int i = 0; i < kUes; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(Agent(i).registration_state(), sip::RegistrationState::kRegistered);
    ASSERT_FALSE(ue_states[i].empty());
    EXPECT_EQ(ue_states[i].back().state, "registered");
    EXPECT_EQ(ue_states[i].back().code, 200);
    most_retransmissions = std::max(most_retransmissions, ue_states[i].back().retransmissions);
    // Timer E (RFC 3261 17.1.2.2): every retransmission is the same REGISTER again.
    const auto sent = Requests(ue_tx[i], Method::kRegister);
    EXPECT_EQ(sent.size(), ue_states[i].back().retransmissions + 1u);
  }
  EXPECT_GT(most_retransmissions, 0u);
  RecordProperty("most_register_retransmissions", static_cast<int>(most_retransmissions));
}

TEST_F(ImsCoreSim, RFC3261_21_5_4_OverloadedScscfAnswers503WithRetryAfter) {
  constexpr int kUes = 20;
  ASSERT_TRUE(core.AddSubscriberFromTemplate("user{i}", kUes, kSubscriberTemplate).ok());
  core.SetScscfAttribute("QueueCapacity", ns3::UintegerValue(2));
  core.SetScscfAttribute("RegisterServiceTime", ns3::StringValue("ns3::ConstantRandomVariable[Constant=0.05]"));
  core.SetScscfAttribute("RetryAfter", ns3::UintegerValue(3));
  // The P-CSCF passes the 503 on so that the UE can honour Retry-After.
  core.SetPCscfAttribute("Convert503To500", ns3::BooleanValue(false));
  std::vector<UeSpec> specs;
  for (int i = 0; i < kUes; ++i) specs.push_back(UeSpec{"sip:user" + std::to_string(i) + "@home1.net", "", 
                                                        static_cast<std::uint32_t>(i), 1});
  Build(specs);
  std::uint32_t refused = 0;
  core.GetScscf()->TraceConnectWithoutContext(
      "Refused", ns3::MakeCallback(+[](std::uint32_t* count, const std::string&, std::uint16_t code) {
                   if (code == 503) ++*count;
                 }).Bind(&refused));
  Run(120);

  int saw_503 = 0;
  for (int i = 0; i < kUes; ++i) {
    SCOPED_TRACE(i);
    for (const SipMessage& response : Responses(ue_rx[i], Method::kRegister, 503)) {
      ++saw_503;
      auto retry = wire::ParseRetryAfter(ValueOr(response, HeaderId::kRetryAfter));
      ASSERT_TRUE(retry.ok());
      EXPECT_EQ(retry->seconds, 3u);
    }
    EXPECT_EQ(Agent(i).registration_state(), sip::RegistrationState::kRegistered);
  }
  // Two REGISTERs fit the queue at a time: most of the twenty first attempts are refused.
  EXPECT_GE(saw_503, kUes - 2);
  RecordProperty("register_503_received", saw_503);
  EXPECT_EQ(static_cast<std::uint32_t>(saw_503), refused);
  EXPECT_EQ(core.GetScscf()->GetScscf()->registrar().aor_count(), static_cast<std::size_t>(kUes));
}

}  // namespace
}  // namespace pushsim
