// The Push Receiver and Push Sender Agents as ns-3 applications over the mock IMS core: a UE on
// its own access link behind the P-CSCF, the S-CSCF with a push iFC (third-party REGISTER to the
// AS), the AS running PushSenderApplication as push-as.home1.net, a content server for content
// indirection and, for the REFER flood, ReferFloodApplication as flood.home1.net.
//
// Conformance items (Appendix G) covered here end to end:
//   SIPPUSH-PSA-S-001..003 (the sender learns terminal, GRUU and application id from the
//   third-party REGISTER), SIPPUSH-PRA-C-001..004 (registration with the application id, GRUU
//   instance), SIPPUSH-PSA-S-MESSAGE / SIPPUSH-PRA-C-MESSAGE (TS 9.1.1, 9.1.2: pager-mode push with
//   Accept-Contact and P-Asserted-Identity, delivered to the addressed application), the content
//   indirection items (TS 9.1.2 step 8, RFC 4483), the session-mode items (TS 9.3.1, 9.3.2:
//   INVITE + MSRP with file-selector, REPORT, BYE), and the REFER lockout items of 003
//   ("Processing REFER requests": defer, discard with 503 and Retry-After, and no lockout).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "apps/content-server-app.h"
#include "apps/content-server-helper.h"
#include "apps/ims-core-helper.h"
#include "apps/push-apps.h"
#include "apps/push-helpers.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "push/content.h"
#include "wire/sdp.h"
#include "wire/sip_headers.h"

namespace pushsim {
namespace {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

constexpr const char* kAor = "sip:user0@home1.net";
constexpr const char* kInstance = "<urn:uuid:00000000-0000-4000-8000-000000000000>";
// RFC 5627 3.1: the public GRUU is the AOR with gr set to the instance URN.
constexpr const char* kPubGruu = "sip:user0@home1.net;gr=urn:uuid:00000000-0000-4000-8000-000000000000";
constexpr const char* kAsIdentity = "sip:push-as.home1.net";
constexpr const char* kFloodIdentity = "sip:flood.home1.net";

// A subscriber whose REGISTERs carrying +g.oma.pusheventapp go to the push AS (TS 29.228 B.2.2),
// with the REGISTER and its 200 (which carries the GRUUs, RFC 5627 5.1) included in the
// third-party REGISTER (TS 24.229 5.4.1.7).
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
        <Extension><IncludeRegisterRequest/><IncludeRegisterResponse/></Extension>
      </ApplicationServer>
    </InitialFilterCriteria>
  </ServiceProfile>
</IMSSubscription>
)";

struct Wire {
  SipMessage message;
  double at = 0;
};
void RecordWire(std::vector<Wire>* out, const SipMessage& message, std::size_t, const sip::Endpoint&) {
  out->push_back(Wire{message, ns3::Simulator::Now().GetSeconds()});
}
void RecordDelivery(std::vector<push::PushDelivery>* out, const push::PushDelivery& delivery) {
  out->push_back(delivery);
}
void RecordOutcome(std::vector<push::PushOutcome>* out, const push::PushOutcome& outcome) { out->push_back(outcome); }
void RecordAor(std::vector<std::string>* out, const std::string& aor) { out->push_back(aor); }

struct Processed {
  std::uint64_t id = 0;
  double started = 0;
  double finished = 0;
  int code = 0;
};
void RecordProcessed(std::vector<Processed>* out, const push::ReferEvent& event, ns3::Time started,
                     ns3::Time finished) {
  out->push_back(Processed{event.refer_id, started.GetSeconds(), finished.GetSeconds(), event.final_code});
}
void RecordCode(std::vector<int>* out, std::uint16_t code) { out->push_back(code); }
void RecordRefer(std::vector<push::ReferEvent>* out, const push::ReferEvent& event) { out->push_back(event); }

std::vector<SipMessage> Requests(const std::vector<Wire>& log, Method method) {
  std::vector<SipMessage> out;
  for (const Wire& entry : log) {
    if (entry.message.IsRequest() && entry.message.method() == method) out.push_back(entry.message);
  }
  return out;
}
std::string ValueOr(const SipMessage& message, HeaderId id) { return std::string(message.Get(id).value_or("")); }

// Core LAN 10.0.0.0/24: P-CSCF .1, (I-CSCF) .2, S-CSCF .3, HSS .4, push AS .5, content server
// .6, flood .7. The UE has a point-to-point access link 10.1.0.0/24 to the P-CSCF (UE .1).
class PushAgentsSim : public ::testing::Test {
 protected:
  ~PushAgentsSim() override { ns3::Simulator::Destroy(); }

  // `gruu`: whether the UE asks for GRUUs. A UE with a GRUU puts it in the Contact of its dialogs
  // (RFC 5627 4.2); the test at the end checks that in-dialog requests still reach it, the other
  // dialog tests (INVITE, REFER) run without GRUU so they also cover plain contacts.
  void Build(push::ReferLockoutMode lockout = push::ReferLockoutMode::kDefer,
             push::LargeContentPolicy large = push::LargeContentPolicy::kIndirection, bool with_flood = false,
             bool gruu = true) {
    core_nodes.Create(7);
    ue_nodes.Create(1);
    ns3::CsmaHelper lan;
    lan.SetChannelAttribute("DataRate", ns3::StringValue("1Gbps"));
    lan.SetChannelAttribute("Delay", ns3::StringValue("1ms"));
    ns3::NetDeviceContainer core_devices = lan.Install(core_nodes);
    ns3::PointToPointHelper access;
    access.SetDeviceAttribute("DataRate", ns3::StringValue("10Mbps"));
    access.SetChannelAttribute("Delay", ns3::StringValue("5ms"));
    ns3::NetDeviceContainer access_devices = access.Install(ue_nodes.Get(0), core_nodes.Get(0));
    ns3::InternetStackHelper internet;
    internet.Install(core_nodes);
    internet.Install(ue_nodes);
    ns3::Ipv4AddressHelper addresses("10.0.0.0", "255.255.255.0");
    addresses.Assign(core_devices);
    addresses.SetBase("10.1.0.0", "255.255.255.0");
    addresses.Assign(access_devices);
    ns3::Ipv4GlobalRoutingHelper::PopulateRoutingTables();

    EXPECT_TRUE(core.AddSubscriberFromTemplate("user{i}", 1, kSubscriberTemplate).ok());
    core.Install(core_nodes.Get(0), nullptr, core_nodes.Get(2), core_nodes.Get(3));

    PushSenderHelper senders(core.GetResolver());
    senders.SetAttribute("LargeContent", ns3::EnumValue(static_cast<int>(large)));
    senders.SetAttribute("ContentBaseUrl", ns3::StringValue("http://content.home1.net"));
    sender = senders.Install(core_nodes.Get(4));

    ContentServerHelper content(core.GetResolver());
    content.SetAttribute("Host", ns3::StringValue("content.home1.net"));
    content_server = ns3::DynamicCast<ContentServerApplication>(content.Install(core_nodes.Get(5)).Get(0));

    PushReceiverHelper receivers("sip:user{i}@home1.net", "sip:pcscf.home1.net");
    receivers.SetAttribute("Resolver", ns3::PointerValue(core.GetResolver()));
    receivers.SetAttribute("AppIds", ns3::StringValue("mms.ua, x-wap-application:push.sia"));
    receivers.SetAttribute("TrustedSenders", ns3::StringValue(std::string(kAsIdentity) + "," + kFloodIdentity));
    receivers.SetAttribute("RegisterAt", ns3::TimeValue(ns3::Seconds(1)));
    receivers.SetAttribute("ReferLockout", ns3::EnumValue(static_cast<int>(lockout)));
    receivers.SetAttribute("Gruu", ns3::BooleanValue(gruu));
    ue = receivers.Install(ue_nodes.Get(0));

    if (with_flood) {
      ReferFloodHelper floods(core.GetResolver(), kAor);
      floods.SetAttribute("Rate", ns3::DoubleValue(50));
      floods.SetAttribute("Start", ns3::TimeValue(ns3::Seconds(3)));
      floods.SetAttribute("Duration", ns3::TimeValue(ns3::Seconds(1)));
      flood = floods.Install(core_nodes.Get(6));
      flood->TraceConnectWithoutContext("ReferAnswered", ns3::MakeBoundCallback(&RecordCode, &refer_answers));
    }

    ue->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&RecordWire, &ue_rx));
    ue->TraceConnectWithoutContext("Delivery", ns3::MakeBoundCallback(&RecordDelivery, &deliveries));
    ue->TraceConnectWithoutContext("ReferProcessed", ns3::MakeBoundCallback(&RecordProcessed, &processed));
    ue->TraceConnectWithoutContext("ReferDiscarded", ns3::MakeBoundCallback(&RecordRefer, &discarded));
    sender->TraceConnectWithoutContext("Outcome", ns3::MakeBoundCallback(&RecordOutcome, &outcomes));
    sender->TraceConnectWithoutContext("Reachability", ns3::MakeBoundCallback(&RecordAor, &reachability));
    content_server->TraceConnectWithoutContext(
        "Request", ns3::MakeCallback(+[](std::vector<std::string>* out, const std::string& path, std::uint16_t status,
                                         std::uint64_t bytes) {
                     out->push_back(path + " " + std::to_string(status) + " " + std::to_string(bytes));
                   }).Bind(&content_requests));
  }

  void PushAt(double seconds, push::PushRequest request) {
    ns3::Simulator::Schedule(ns3::Seconds(seconds), [this, request] { pushed.push_back(sender->Push(request)); });
  }

  void Run(double seconds) {
    ns3::Simulator::Stop(ns3::Seconds(seconds));
    ns3::Simulator::Run();
  }

  static push::PushRequest MessagePush(std::string app_id, std::string content) {
    push::PushRequest request;
    request.uri = kAor;
    request.app_id = std::move(app_id);
    request.content_type = "text/plain";
    request.size = content.size();
    request.content = std::move(content);
    return request;
  }

  ImsCoreHelper core;
  ns3::NodeContainer core_nodes;
  ns3::NodeContainer ue_nodes;
  ns3::Ptr<PushSenderApplication> sender;
  ns3::Ptr<ContentServerApplication> content_server;
  ns3::Ptr<PushReceiverApplication> ue;
  ns3::Ptr<ReferFloodApplication> flood;

  std::vector<Wire> ue_rx;
  std::vector<push::PushDelivery> deliveries;
  std::vector<push::PushOutcome> outcomes;
  std::vector<std::string> reachability;
  std::vector<std::string> content_requests;
  std::vector<Processed> processed;
  std::vector<push::ReferEvent> discarded;
  std::vector<int> refer_answers;
  std::vector<push::PushId> pushed;
};

// --- Reachability ---------------------------------------------------------------------------

TEST_F(PushAgentsSim, TS_6_1_Item1_AsLearnsTerminalGruuAndAppIdsFromThirdPartyRegister) {
  Build();
  Run(3);
  // TS 7.2: registered through the core with the application ids and a GRUU (RFC 5627 4.1).
  ASSERT_NE(ue->GetAgent(), nullptr);
  EXPECT_EQ(ue->GetAgent()->registration_state(), sip::RegistrationState::kRegistered);
  EXPECT_EQ(ue->GetAgent()->pub_gruu().value_or(""), kPubGruu);

  // TS 6.1 items 1-3 and TS 24.229 5.4.1.7: the third-party REGISTER tells the AS the terminal.
  EXPECT_EQ(reachability, std::vector<std::string>{kAor});
  const push::UserReachability* user = sender->GetAgent()->Find(kAor);
  ASSERT_NE(user, nullptr);
  ASSERT_EQ(user->terminals.size(), 1u);
  const push::Terminal& terminal = user->terminals[0];
  EXPECT_EQ(terminal.instance, kInstance);
  EXPECT_EQ(terminal.key, kInstance);  // keyed by +sip.instance (RFC 5626)
  EXPECT_EQ(terminal.contact, "sip:user0@10.1.0.1:5060");
  EXPECT_EQ(terminal.pub_gruu, kPubGruu);
  // TS 8.2.1: both ids of +g.oma.pusheventapp="mms.ua,x-wap-application:push.sia".
  EXPECT_EQ(terminal.app_ids, (std::vector<std::string>{"mms.ua", "x-wap-application:push.sia"}));
  EXPECT_TRUE(terminal.Supports("mms.ua"));
  EXPECT_FALSE(terminal.Supports("other.app"));
}

// --- MESSAGE --------------------------------------------------------------------------------

TEST_F(PushAgentsSim, TS_9_1_2_And_9_1_1_MessagePushDeliveredToTheAddressedApplication) {
  Build();
  std::vector<push::PushDelivery> mms, sia;
  // TS 9.1.1 step 9: the agent hands the content to the application the request addresses.
  ue->RegisterApplication("mms.ua", [&](const push::PushDelivery& d) { mms.push_back(d); });
  ue->RegisterApplication("x-wap-application:push.sia", [&](const push::PushDelivery& d) { sia.push_back(d); });
  PushAt(3, MessagePush("mms.ua", "Your MMS is waiting"));
  Run(5);

  // TS 9.1.2 steps 6, 9, 10: Accept-Contact with the application id, require and explicit;
  // P-Asserted-Identity of the AS; the content as the body.
  const auto messages = Requests(ue_rx, Method::kMessage);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].request_uri(), "sip:user0@10.1.0.1:5060");  // the S-CSCF retargets to the contact
  EXPECT_EQ(ValueOr(messages[0], HeaderId::kAcceptContact), "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
  EXPECT_EQ(ValueOr(messages[0], HeaderId::kPAssertedIdentity), "<sip:push-as.home1.net>");
  EXPECT_EQ(ValueOr(messages[0], HeaderId::kContentType), "text/plain");
  EXPECT_EQ(messages[0].body(), "Your MMS is waiting");

  ASSERT_EQ(mms.size(), 1u);
  EXPECT_TRUE(sia.empty());
  EXPECT_EQ(mms[0].app_id, "mms.ua");
  EXPECT_EQ(mms[0].via, push::PushVia::kMessage);
  EXPECT_EQ(mms[0].body, "Your MMS is waiting");
  EXPECT_EQ(mms[0].size, 19u);
  EXPECT_EQ(mms[0].content_type, "text/plain");
  EXPECT_EQ(mms[0].sender, kAsIdentity);
  ASSERT_EQ(deliveries.size(), 1u);  // the trace saw the same delivery
  EXPECT_EQ(deliveries[0].body, "Your MMS is waiting");

  // Appendix D row 1: 200 means accepted.
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].id, pushed.at(0));
  EXPECT_EQ(outcomes[0].method, push::PushMethod::kMessage);
  EXPECT_EQ(outcomes[0].code, 200);
  EXPECT_EQ(outcomes[0].status, push::AppStatus::kAccepted);
  EXPECT_EQ(outcomes[0].terminal, kAor);
  ASSERT_TRUE(outcomes[0].delivered.has_value());
}

TEST_F(PushAgentsSim, TS_9_1_2_Step8_RFC4483_LargePushGoesByContentIndirectionOverHttp) {
  Build();
  push::PushRequest request;
  request.uri = kAor;
  request.app_id = "mms.ua";
  request.content_type = "text/plain";
  request.size = 4000;  // above 1300 bytes: RFC 3428 section 4 forbids such a MESSAGE
  PushAt(3, request);
  Run(6);

  const auto messages = Requests(ue_rx, Method::kMessage);
  ASSERT_EQ(messages.size(), 1u);
  const std::string content_type = ValueOr(messages[0], HeaderId::kContentType);
  EXPECT_EQ(content_type.rfind("message/external-body", 0), 0u) << content_type;
  EXPECT_LE(messages[0].SerializedSize(), 1300u);
  // The URL convention: http://content.home1.net/content/<id>?size=4000&type=text%2Fplain.
  // RFC 4483 section 6 / RFC 2017: access-type "URL" with the URL and size parameters.
  EXPECT_NE(content_type.find(";access-type=\"URL\";"), std::string::npos) << content_type;
  EXPECT_NE(content_type.find(";size=4000"), std::string::npos) << content_type;
  const std::size_t path = content_type.find("http://content.home1.net/content/");
  ASSERT_NE(path, std::string::npos) << content_type;
  const std::size_t id_start = path + std::string("http://content.home1.net/content/").size();
  const std::string id = content_type.substr(id_start, content_type.find('?', id_start) - id_start);
  ASSERT_FALSE(id.empty());
  EXPECT_NE(content_type.find("size=4000&type=text%2Fplain"), std::string::npos) << content_type;

  // The UE fetched it from the content server: one GET answered 200 with 4000 octets.
  EXPECT_EQ(content_requests, std::vector<std::string>{"/content/" + id + " 200 4000"});
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].via, push::PushVia::kIndirection);
  EXPECT_EQ(deliveries[0].app_id, "mms.ua");
  EXPECT_EQ(deliveries[0].size, 4000u);
  EXPECT_EQ(deliveries[0].content_type, "text/plain");
  EXPECT_EQ(deliveries[0].body, push::ContentPattern(id, 4000));
  // Delivered after the 200 and the HTTP exchange: later than the request's arrival.
  EXPECT_GT(deliveries[0].latency(), sip::Duration::zero());

  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, push::PushMethod::kIndirection);
  EXPECT_EQ(outcomes[0].code, 200);
  EXPECT_EQ(outcomes[0].status, push::AppStatus::kAccepted);
}

// --- INVITE + MSRP --------------------------------------------------------------------------

TEST_F(PushAgentsSim, TS_9_3_2_And_9_3_1_FileOf50KBByInviteAndMsrpArrivesIntactWithReport) {
  Build(push::ReferLockoutMode::kDefer, push::LargeContentPolicy::kInviteMsrp, false, /*gruu=*/false);
  push::PushRequest request;
  request.uri = kAor;
  request.app_id = "mms.ua";
  request.method = push::PushRequest::kInviteMsrp;
  request.delivery_report = true;
  push::PushFile file;
  file.name = "photo.jpg";
  file.content_type = "image/jpeg";
  file.size = 50 * 1024;
  request.files.push_back(file);
  PushAt(3, request);
  Run(10);

  // TS 9.3.2.1 step 5: one m-line, sendonly, with the file-selector (RFC 5547).
  const auto invites = Requests(ue_rx, Method::kInvite);
  ASSERT_EQ(invites.size(), 1u);
  EXPECT_EQ(ValueOr(invites[0], HeaderId::kAcceptContact), "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
  const std::string sdp(invites[0].body());
  EXPECT_NE(sdp.find("m=message "), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=sendonly"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("name:\"photo.jpg\""), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("size:51200"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=path:msrp://"), std::string::npos) << sdp;
  // RFC 3261 13.2.2.4: the ACK reaches the UE; TS 9.3.2.3: BYE after the transfer.
  EXPECT_EQ(ue->GetAgent()->stats().sessions_established, 1u);
  EXPECT_EQ(Requests(ue_rx, Method::kBye).size(), 1u);
  EXPECT_EQ(ue->GetAgent()->stats().sessions_released, 1u);

  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].via, push::PushVia::kMsrp);
  EXPECT_EQ(deliveries[0].size, 51200u);
  EXPECT_EQ(deliveries[0].body, push::SyntheticContent(51200));  // intact, in order
  ASSERT_TRUE(deliveries[0].file.has_value());
  EXPECT_EQ(deliveries[0].file->name.value_or(""), "photo.jpg");

  // The sender saw every chunk's 200 and, since a report was asked for, the REPORT (RFC 4975
  // 7.1.2; TS C.3 step 5) before calling it delivered.
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, push::PushMethod::kInviteMsrp);
  EXPECT_EQ(outcomes[0].code, 200);
  EXPECT_EQ(outcomes[0].status, push::AppStatus::kAccepted);
  ASSERT_EQ(outcomes[0].files.size(), 1u);
  EXPECT_TRUE(outcomes[0].files[0].accepted);
  EXPECT_TRUE(outcomes[0].files[0].delivered);
  ASSERT_TRUE(outcomes[0].delivered.has_value());
}

// --- REFER flood ----------------------------------------------------------------------------

// How many REFERs were being processed at once, at most.
std::size_t MaxConcurrent(const std::vector<Processed>& intervals) {
  std::size_t best = 0;
  for (const Processed& p : intervals) {
    std::size_t at_once = 0;
    for (const Processed& q : intervals) {
      if (q.started <= p.started && p.started < q.finished) ++at_once;
    }
    best = std::max(best, at_once);
  }
  return best;
}

TEST_F(PushAgentsSim, Refer003_LockoutDefer_FloodProcessedOneAtATimeAndMessagePushStillDelivered) {
  Build(push::ReferLockoutMode::kDefer, push::LargeContentPolicy::kIndirection, /*with_flood=*/true, /*gruu=*/false);
  PushAt(3.5, MessagePush("mms.ua", "during the flood"));
  Run(30);

  // 50 REFERs in 1 s, every one accepted (003: deferred REFERs are accepted with 202).
  EXPECT_EQ(flood->refers_sent(), 50u);
  ASSERT_EQ(refer_answers.size(), 50u);
  EXPECT_TRUE(std::all_of(refer_answers.begin(), refer_answers.end(), [](int code) { return code == 202; }));
  EXPECT_GE(ue->GetAgent()->stats().refers_deferred, 1u);

  // 003: while one REFER is processed the others wait: each starts after the previous ended.
  ASSERT_EQ(processed.size(), 50u);
  std::vector<Processed> by_start = processed;
  std::sort(by_start.begin(), by_start.end(),
            [](const Processed& a, const Processed& b) { return a.started < b.started; });
  for (std::size_t i = 1; i < by_start.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_GE(by_start[i].started, by_start[i - 1].finished);
  }
  EXPECT_EQ(MaxConcurrent(processed), 1u);
  // Each reports the SUBSCRIBE's 200 from the flood's ua-profile notifier (RFC 3515 2.4.5).
  EXPECT_TRUE(std::all_of(processed.begin(), processed.end(), [](const Processed& p) { return p.code == 200; }));

  // The lockout holds REFERs only: the pager-mode push goes through during the flood.
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].body, "during the flood");
  EXPECT_LT(ns3::NanoSeconds(deliveries[0].delivered_at.count()).GetSeconds(), by_start.back().finished);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, push::AppStatus::kAccepted);
}

TEST_F(PushAgentsSim, Refer003_NoLockout_SameFloodProcessedInParallel) {
  Build(push::ReferLockoutMode::kNone, push::LargeContentPolicy::kIndirection, /*with_flood=*/true, /*gruu=*/false);
  Run(30);

  EXPECT_EQ(flood->refers_sent(), 50u);
  ASSERT_EQ(refer_answers.size(), 50u);
  EXPECT_EQ(ue->GetAgent()->stats().refers_deferred, 0u);
  EXPECT_EQ(ue->GetAgent()->stats().lockouts_engaged, 0u);
  ASSERT_EQ(processed.size(), 50u);
  // Without the lockout a REFER starts on arrival, while earlier ones are still in progress.
  std::vector<Processed> by_start = processed;
  std::sort(by_start.begin(), by_start.end(),
            [](const Processed& a, const Processed& b) { return a.started < b.started; });
  std::size_t overlapping = 0;
  for (std::size_t i = 1; i < by_start.size(); ++i) {
    if (by_start[i].started < by_start[i - 1].finished) ++overlapping;
  }
  EXPECT_GT(overlapping, 0u);
  EXPECT_GT(MaxConcurrent(processed), 1u);
}

TEST_F(PushAgentsSim, Refer003_LockoutDiscard_FloodAnswered503WithRetryAfterWhileLocked) {
  Build(push::ReferLockoutMode::kDiscard, push::LargeContentPolicy::kIndirection, /*with_flood=*/true,
        /*gruu=*/false);
  Run(30);

  // 003: a REFER arriving during the lockout MAY be answered 503 with Retry-After (RFC 3261
  // 21.5.4, 20.33); the others are accepted and processed one at a time. The flood hears 500 for
  // each 503: the proxies of the core do not forward a 503 upstream (RFC 3261 16.7 step 6).
  ASSERT_EQ(refer_answers.size(), 50u);
  const auto accepted = std::count(refer_answers.begin(), refer_answers.end(), 202);
  const auto refused = std::count(refer_answers.begin(), refer_answers.end(), 500);
  EXPECT_EQ(accepted + refused, 50);
  EXPECT_GE(accepted, 1);
  EXPECT_GE(refused, 1);
  ASSERT_EQ(discarded.size(), static_cast<std::size_t>(refused));
  // Retry-After defaults to the seconds left of the lockout timer (32 s), rounded up.
  for (const push::ReferEvent& event : discarded) {
    EXPECT_GE(event.retry_after, 1u);
    EXPECT_LE(event.retry_after, 32u);
  }
  EXPECT_EQ(ue->GetAgent()->stats().refers_deferred, 0u);
  ASSERT_EQ(processed.size(), static_cast<std::size_t>(accepted));
  EXPECT_EQ(MaxConcurrent(processed), 1u);
}

// RFC 5627 4.2: a UE with a GRUU puts it in the Contact of its dialogs, so the ACK and BYE of a
// push session are addressed to the GRUU; RFC 5627 5.3 makes the home proxy (the S-CSCF, which
// record-routed) retarget them to the registered contact.
TEST_F(PushAgentsSim, RFC5627_5_3_InDialogAckAndByeToGruuReachTheUe) {
  Build(push::ReferLockoutMode::kDefer, push::LargeContentPolicy::kInviteMsrp);
  push::PushRequest request;
  request.uri = kAor;
  request.app_id = "mms.ua";
  request.method = push::PushRequest::kInviteMsrp;
  request.size = 4096;
  PushAt(3, request);
  Run(10);
  EXPECT_EQ(ue->GetAgent()->stats().sessions_established, 1u);
  EXPECT_EQ(ue->GetAgent()->stats().sessions_released, 1u);
}

}  // namespace
}  // namespace pushsim
