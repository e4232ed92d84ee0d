// The Push Sender Agent (SIP Push TS 6.1, 9.1.2, 9.3.2, Appendix D; 000 appendix X1.2; 003
// 6.2.3.3; 004 sections 7-8). The tests play the S-CSCF and the UE by hand.
// Conformance items: SIPPUSH-PSA-S-001, SIPPUSH-PSA-S-002, SIPPUSH-PSA-S-004, SIPPUSH-PSA-S-005,
// SIPPUSH-PSA-S-007, SIPPUSH-PSA-S-008, SIPPUSH-PSA-S-012.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ims/reg_event.h"
#include "push/sender.h"
#include "support/fake_host.h"
#include "support/fake_stream_host.h"
#include "wire/body.h"
#include "wire/msrp.h"
#include "wire/sdp.h"
#include "wire/sip_headers.h"
#include "wire/sip_uri.h"

namespace pushsim::push {
namespace {

using testing::FakeHost;
using testing::FakeStreamHost;
using testing::FakeStreamNetwork;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

constexpr std::uint32_t kAsAddress = 0x0A000009;     // 10.0.0.9
constexpr std::uint32_t kScscfAddress = 0x0A000003;  // 10.0.0.3
constexpr std::uint32_t kUeAddress = 0x0A000014;     // 10.0.0.20
const sip::Endpoint kScscf{kScscfAddress, 5060, sip::Transport::kUdp};

const char kAppTagAccept[] = "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit";

class PushSenderTest : public ::testing::Test {
 protected:
  PushSenderTest() : network(host), as_streams(network.AddHost(kAsAddress)), ue_streams(network.AddHost(kUeAddress)) {
    resolver.Add("scscf.home1.net", kScscfAddress);
    resolver.Add("push-as.home1.net", kAsAddress);
  }

  void Make(std::function<void(PushSenderConfig&)> adjust = {}) {
    PushSenderConfig config;
    config.element.host = "push-as.home1.net";
    config.element.local = sip::Endpoint{kAsAddress, 5060, sip::Transport::kUdp};
    config.retry.base_backoff = std::chrono::seconds(2);
    if (adjust) adjust(config);
    agent = std::make_unique<PushSenderAgent>(host, resolver, as_streams, config);
    agent->on_outcome = [this](const PushOutcome& outcome) { outcomes.push_back(outcome); };
  }

  // The response a UAS would send (RFC 3261 8.2.6), To tag added.
  static SipMessage Answer(const SipMessage& request, int code, const std::string& to_tag = "ue1") {
    SipMessage response = SipMessage::MakeResponse(code);
    for (std::string_view via : request.GetAll(HeaderId::kVia)) response.Add(HeaderId::kVia, via);
    response.Add(HeaderId::kFrom, *request.Get(HeaderId::kFrom));
    std::string to(*request.Get(HeaderId::kTo));
    if (to.find(";tag=") == std::string::npos && code > 100) to += ";tag=" + to_tag;
    response.Add(HeaderId::kTo, to);
    response.Add(HeaderId::kCallId, *request.Get(HeaderId::kCallId));
    response.Add(HeaderId::kCSeq, *request.Get(HeaderId::kCSeq));
    return response;
  }

  const SipMessage& Last(Method method) {
    auto sent = host.Requests(method);
    EXPECT_FALSE(sent.empty());
    static const SipMessage empty;
    return sent.empty() ? empty : sent.back()->message;
  }

  // A request as the S-CSCF delivers it to the AS.
  static SipMessage Incoming(Method method, const std::string& uri, const std::string& from, const std::string& to,
                             const std::string& call_id, int cseq) {
    SipMessage request = SipMessage::MakeRequest(method, uri);
    static int branch = 0;
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bKcore" + std::to_string(++branch));
    request.Add(HeaderId::kMaxForwards, "69");
    request.Add(HeaderId::kFrom, from);
    request.Add(HeaderId::kTo, to);
    request.Add(HeaderId::kCallId, call_id);
    request.Add(HeaderId::kCSeq, std::to_string(cseq) + " " + std::string(wire::MethodName(method)));
    return request;
  }

  // A third-party REGISTER (TS 24.229 5.4.1.7) carrying the UE's REGISTER and the 200 as
  // multipart/mixed, for alice with three terminals: two with mms.ua and GRUUs, one without.
  SipMessage ThirdPartyRegister(std::uint32_t expires) {
    SipMessage ue_register = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
    ue_register.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKue1");
    ue_register.Add(HeaderId::kMaxForwards, "70");
    ue_register.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=a1");
    ue_register.Add(HeaderId::kTo, "<sip:alice@home1.net>");
    ue_register.Add(HeaderId::kCallId, "reg1");
    ue_register.Add(HeaderId::kCSeq, "1 REGISTER");
    ue_register.Add(HeaderId::kContact,
                    "<sip:alice@10.0.0.20:5060>;+sip.instance=\"<urn:uuid:1111>\";+g.oma.pusheventapp=\"mms.ua\"");
    ue_register.Add(HeaderId::kExpires, "600000");
    SipMessage ok = SipMessage::MakeResponse(200);
    ok.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKue1");
    ok.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=a1");
    ok.Add(HeaderId::kTo, "<sip:alice@home1.net>;tag=s1");
    ok.Add(HeaderId::kCallId, "reg1");
    ok.Add(HeaderId::kCSeq, "1 REGISTER");
    ok.Add(HeaderId::kContact,
           "<sip:alice@10.0.0.20:5060>;expires=600000;+sip.instance=\"<urn:uuid:1111>\";"
           "+g.oma.pusheventapp=\"mms.ua\";pub-gruu=\"sip:alice@home1.net;gr=urn:uuid:1111\";"
           "temp-gruu=\"sip:tgruu.1@home1.net;gr\"");
    ok.Add(HeaderId::kContact,
           "<sip:alice@10.0.0.21:5060>;expires=3600;+sip.instance=\"<urn:uuid:2222>\";"
           "+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\";pub-gruu=\"sip:alice@home1.net;gr=urn:uuid:2222\"");
    ok.Add(HeaderId::kContact, "<sip:alice@10.0.0.22:5060>;expires=3600;pub-gruu=\"sip:alice@home1.net;gr=urn:uuid:3333\"");
    std::vector<wire::BodyPart> parts(2);
    parts[0].headers.Add("Content-Type", "message/sip");
    parts[0].content = ue_register.Serialize();
    parts[1].headers.Add("Content-Type", "message/sip");
    parts[1].content = ok.Serialize();
    SipMessage third = Incoming(Method::kRegister, "sip:push-as.home1.net", "<sip:scscf.home1.net:5060>;tag=x1",
                                "<sip:alice@home1.net>", "tp1", 1);
    third.Add(HeaderId::kContact, "<sip:scscf.home1.net:5060>");
    third.Add(HeaderId::kExpires, std::to_string(expires));
    const std::string boundary = wire::MakeBoundary(parts);
    third.SetBody(wire::SerializeMultipart(parts, boundary), "multipart/mixed;boundary=" + boundary);
    return third;
  }

  PushRequest Text(std::size_t size, PushRequest::Method method = PushRequest::kAuto) {
    PushRequest request;
    request.uri = "sip:alice@home1.net";
    request.app_id = "mms.ua";
    request.content_type = "text/plain";
    request.size = size;
    request.method = method;
    return request;
  }

  FakeHost host;
  sip::Resolver resolver;
  FakeStreamNetwork network;
  FakeStreamHost& as_streams;
  FakeStreamHost& ue_streams;
  std::unique_ptr<PushSenderAgent> agent;
  std::vector<PushOutcome> outcomes;
};

// ---------------------------------------------------------------------------------------------
// Reachability

TEST_F(PushSenderTest, TS_6_1_Item1_ThirdPartyRegisterAnswered200AndTerminalsLearnt) {
  Make();
  agent->Receive(ThirdPartyRegister(600000), kScscf);
  auto ok = host.Responses(200);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0]->message.Get(HeaderId::kCallId), "tp1");
  const UserReachability* alice = agent->Find("sip:alice@home1.net");
  ASSERT_NE(alice, nullptr);
  ASSERT_EQ(alice->terminals.size(), 3u);
  const Terminal& first = alice->terminals[0];
  EXPECT_EQ(first.instance, "<urn:uuid:1111>");
  EXPECT_EQ(first.key, "<urn:uuid:1111>");
  EXPECT_EQ(first.contact, "sip:alice@10.0.0.20:5060");
  EXPECT_EQ(first.pub_gruu, "sip:alice@home1.net;gr=urn:uuid:1111");
  EXPECT_EQ(first.temp_gruu, "sip:tgruu.1@home1.net;gr");
  EXPECT_EQ(first.app_ids, (std::vector<std::string>{"mms.ua"}));
  EXPECT_EQ(first.expires_at, std::chrono::seconds(600000));
  EXPECT_EQ(alice->terminals[1].app_ids, (std::vector<std::string>{"mms.ua", "x-wap-application:push.sia"}));
  EXPECT_EQ(alice->terminals[1].expires_at, std::chrono::seconds(3600));
  EXPECT_TRUE(alice->terminals[2].app_ids.empty());
  EXPECT_EQ(alice->terminals[2].key, "sip:alice@10.0.0.22:5060");  // no instance: keyed by contact
  EXPECT_EQ(alice->FindByGruu("sip:alice@home1.net;gr=urn:uuid:2222"), &alice->terminals[1]);
}

TEST_F(PushSenderTest, TS_6_1_Item1_RegisterOnlyBodyAddsContact) {
  Make();
  SipMessage ue_register = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
  ue_register.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.30:5060;branch=z9hG4bKb");
  ue_register.Add(HeaderId::kMaxForwards, "70");
  ue_register.Add(HeaderId::kFrom, "<sip:bob@home1.net>;tag=b");
  ue_register.Add(HeaderId::kTo, "<sip:bob@home1.net>");
  ue_register.Add(HeaderId::kCallId, "rb");
  ue_register.Add(HeaderId::kCSeq, "1 REGISTER");
  ue_register.Add(HeaderId::kContact, "<sip:bob@10.0.0.30:5060>;+g.oma.pusheventapp=\"mms.ua\"");
  SipMessage third = Incoming(Method::kRegister, "sip:push-as.home1.net", "<sip:scscf.home1.net>;tag=x", "<sip:bob@home1.net>", "tpb", 1);
  third.Add(HeaderId::kExpires, "7200");
  third.SetBody(ue_register.Serialize(), "message/sip");
  agent->Receive(third, kScscf);
  const UserReachability* bob = agent->Find("sip:bob@home1.net");
  ASSERT_NE(bob, nullptr);
  ASSERT_EQ(bob->terminals.size(), 1u);
  EXPECT_EQ(bob->terminals[0].contact, "sip:bob@10.0.0.30:5060");
  EXPECT_TRUE(bob->terminals[0].Supports("mms.ua"));
  EXPECT_EQ(bob->terminals[0].expires_at, std::chrono::seconds(7200));  // the third-party Expires
}

TEST_F(PushSenderTest, TS_7_2_Step5c_Expires0RemovesUser) {
  Make();
  agent->Receive(ThirdPartyRegister(600000), kScscf);
  ASSERT_NE(agent->Find("sip:alice@home1.net"), nullptr);
  SipMessage dereg = Incoming(Method::kRegister, "sip:push-as.home1.net", "<sip:scscf.home1.net>;tag=x1",
                              "<sip:alice@home1.net>", "tp1", 2);
  dereg.Add(HeaderId::kExpires, "0");
  agent->Receive(dereg, kScscf);
  EXPECT_EQ(host.Responses(200).size(), 2u);
  EXPECT_EQ(agent->Find("sip:alice@home1.net"), nullptr);
}

TEST_F(PushSenderTest, RFC3680_RegEventSubscribeAndFullPartialNotify) {
  Make([](PushSenderConfig& c) { c.subscribe_reg_event = true; c.reg_event_expires = 3761; });
  agent->Receive(ThirdPartyRegister(600000), kScscf);  // first third-party REGISTER triggers it
  ASSERT_TRUE(agent->watching("sip:alice@home1.net"));
  const SipMessage subscribe = Last(Method::kSubscribe);
  EXPECT_EQ(subscribe.request_uri(), "sip:alice@home1.net");
  EXPECT_EQ(subscribe.Get(HeaderId::kEvent), "reg");
  EXPECT_EQ(subscribe.Get(HeaderId::kAccept), "application/reginfo+xml");
  EXPECT_EQ(subscribe.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  EXPECT_EQ(subscribe.Get(HeaderId::kExpires), "3761");
  EXPECT_EQ(host.Requests(Method::kSubscribe).back()->to, kScscf);
  SipMessage ok = Answer(subscribe, 200, "n1");
  ok.Add(HeaderId::kExpires, "3761");
  ok.Add(HeaderId::kContact, "<sip:scscf.home1.net:5060>");
  agent->Receive(ok, kScscf);

  ims::RegInfo info;
  info.version = 0;
  info.full = true;
  ims::RegInfoRegistration registration;
  registration.aor = "sip:carol@home1.net";
  registration.id = "r1";
  registration.state = "active";
  ims::RegInfoContact contact;
  contact.id = "c1";
  contact.state = "active";
  contact.event = "registered";
  contact.expires = 1000;
  contact.uri = "sip:carol@10.0.0.40:5060";
  contact.unknown_params = {{"+sip.instance", "\"<urn:uuid:cccc>\""}, {"+g.oma.pusheventapp", "\"mms.ua\""}};
  contact.pub_gruu = "sip:carol@home1.net;gr=urn:uuid:cccc";
  registration.contacts.push_back(contact);
  info.registrations.push_back(registration);
  const std::string to = std::string(*subscribe.Get(HeaderId::kFrom));
  SipMessage notify = Incoming(Method::kNotify, "sip:push-as.home1.net:5060", "<sip:alice@home1.net>;tag=n1", to,
                               std::string(*subscribe.Get(HeaderId::kCallId)), 1);
  notify.Add(HeaderId::kEvent, "reg");
  notify.Add(HeaderId::kSubscriptionState, "active;expires=3761");
  notify.SetBody(ims::SerializeRegInfo(info), "application/reginfo+xml");
  agent->Receive(notify, kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 200);
  const UserReachability* carol = agent->Find("sip:carol@home1.net");
  ASSERT_NE(carol, nullptr);
  ASSERT_EQ(carol->terminals.size(), 1u);
  EXPECT_EQ(carol->terminals[0].instance, "<urn:uuid:cccc>");
  EXPECT_EQ(carol->terminals[0].pub_gruu, "sip:carol@home1.net;gr=urn:uuid:cccc");
  EXPECT_TRUE(carol->terminals[0].Supports("mms.ua"));

  // Partial: the contact expired (RFC 3680 4.7.2).
  info.version = 1;
  info.full = false;
  info.registrations[0].contacts[0].state = "terminated";
  info.registrations[0].contacts[0].event = "expired";
  SipMessage partial = Incoming(Method::kNotify, "sip:push-as.home1.net:5060", "<sip:alice@home1.net>;tag=n1", to,
                                std::string(*subscribe.Get(HeaderId::kCallId)), 2);
  partial.Add(HeaderId::kEvent, "reg");
  partial.Add(HeaderId::kSubscriptionState, "active;expires=3000");
  partial.SetBody(ims::SerializeRegInfo(info), "application/reginfo+xml");
  agent->Receive(partial, kScscf);
  ASSERT_NE(agent->Find("sip:carol@home1.net"), nullptr);
  EXPECT_TRUE(agent->Find("sip:carol@home1.net")->terminals.empty());

  // Refresh at half the granted lifetime (3761 / 2 = 1880 whole seconds), in the dialog.
  host.Advance(std::chrono::milliseconds(1880 * 1000 - 1));
  EXPECT_EQ(host.Requests(Method::kSubscribe).size(), 1u);
  host.Advance(std::chrono::milliseconds(1));
  ASSERT_EQ(host.Requests(Method::kSubscribe).size(), 2u);
  EXPECT_NE(Last(Method::kSubscribe).Get(HeaderId::kTo)->find("tag=n1"), std::string_view::npos);
}

TEST_F(PushSenderTest, RFC6665_NotifyForUnknownSubscriptionGets481) {
  Make();
  SipMessage notify = Incoming(Method::kNotify, "sip:push-as.home1.net", "<sip:x@home1.net>;tag=q", "<sip:push@home1.net>;tag=z", "nope", 1);
  notify.Add(HeaderId::kEvent, "reg");
  agent->Receive(notify, kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 481);
}

// ---------------------------------------------------------------------------------------------
// MESSAGE (TS 9.1.2)

TEST_F(PushSenderTest, TS_9_1_2_MessageHeadersAndOutcome) {
  Make();
  PushRequest request = Text(0, PushRequest::kMessage);
  request.content = "Hello push";
  agent->Push(request);
  const SipMessage message = Last(Method::kMessage);
  EXPECT_EQ(message.request_uri(), "sip:alice@home1.net");                 // step 7
  EXPECT_EQ(message.Get(HeaderId::kAcceptContact), kAppTagAccept);         // step 6
  EXPECT_EQ(message.Get(HeaderId::kPAssertedIdentity), "<sip:push@home1.net>");  // step 9
  EXPECT_EQ(message.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");    // step 12
  EXPECT_EQ(message.body(), "Hello push");                                 // step 10
  EXPECT_EQ(message.Get(HeaderId::kContentType), "text/plain");
  EXPECT_EQ(host.Requests(Method::kMessage).back()->to, kScscf);
  host.Advance(std::chrono::milliseconds(50));
  agent->Receive(Answer(message, 200), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
  EXPECT_EQ(outcomes[0].code, 200);
  EXPECT_EQ(outcomes[0].method, PushMethod::kMessage);
  EXPECT_EQ(outcomes[0].terminal, "sip:alice@home1.net");
  EXPECT_EQ(outcomes[0].final_response, std::chrono::milliseconds(50));
  ASSERT_TRUE(outcomes[0].delivered.has_value());
  EXPECT_EQ(*outcomes[0].delivered, std::chrono::milliseconds(50));
}

// TS 9.1.2 step 8: the entire request as sent. A first push measures the request with a 100-byte
// body; the body that brings it to 1300 bytes is then 100 + (1300 - measured).
TEST_F(PushSenderTest, TS_9_1_2_Step8_1300BytesIsMessage1301IsIndirection) {
  Make();
  agent->Push(Text(100, PushRequest::kMessage));
  const std::size_t measured = Last(Method::kMessage).Serialize().size();
  const std::size_t fits = 100 + (1300 - measured);
  {
    outcomes.clear();
    host.sent.clear();
    Make();
    agent->Push(Text(fits));
    const SipMessage message = Last(Method::kMessage);
    EXPECT_EQ(message.Serialize().size(), 1300u);
    EXPECT_EQ(message.Get(HeaderId::kContentType), "text/plain");
    EXPECT_EQ(message.body().size(), fits);
  }
  {
    host.sent.clear();
    Make();
    agent->Push(Text(fits + 1));
    const SipMessage message = Last(Method::kMessage);
    EXPECT_TRUE(message.Get(HeaderId::kContentType)->find("message/external-body") == 0);
  }
}

TEST_F(PushSenderTest, RFC4483_IndirectionCarriesUrlSizeAndPhantomType) {
  Make([](PushSenderConfig& c) { c.content_base_url = "http://content.home1.net:8080"; });
  PushRequest request = Text(5000);
  request.content_type = "image/jpeg";
  agent->Push(request);
  const SipMessage message = Last(Method::kMessage);
  auto outer = wire::ParseMediaType(*message.Get(HeaderId::kContentType));
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(outer->Param("access-type"), "URL");
  auto external = wire::ParseExternalBody(outer.value(), message.body());
  ASSERT_TRUE(external.ok()) << external.error().detail;
  EXPECT_EQ(external->url.rfind("http://content.home1.net:8080/content/", 0), 0u);
  EXPECT_NE(external->url.find("?size=5000&type=image%2Fjpeg"), std::string::npos);
  EXPECT_EQ(external->size, 5000u);
  EXPECT_EQ(external->content_type.Essence(), "image/jpeg");
  ASSERT_TRUE(external->content_id.has_value());
  EXPECT_EQ(external->content_id->front(), '<');
  EXPECT_EQ(message.Get(HeaderId::kAcceptContact), kAppTagAccept);
  agent->Receive(Answer(message, 200), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, PushMethod::kIndirection);
}

// Forced indirection: a 10-byte content that would fit a MESSAGE still goes by reference
// (RFC 4483 message/external-body), and the outcome says so.
TEST_F(PushSenderTest, RFC4483_ForcedIndirectionOfSmallContent) {
  Make();
  agent->Push(Text(10, PushRequest::kIndirection));
  const SipMessage message = Last(Method::kMessage);
  auto outer = wire::ParseMediaType(*message.Get(HeaderId::kContentType));
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(outer->Essence(), "message/external-body");
  auto external = wire::ParseExternalBody(outer.value(), message.body());
  ASSERT_TRUE(external.ok()) << external.error().detail;
  EXPECT_EQ(external->size, 10u);
  agent->Receive(Answer(message, 200), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, PushMethod::kIndirection);
}

TEST_F(PushSenderTest, TS_AppD_RetryHonoursRetryAfter) {
  Make();
  agent->Push(Text(10, PushRequest::kMessage));
  SipMessage busy = Answer(Last(Method::kMessage), 503);
  busy.Add(HeaderId::kRetryAfter, "30");
  agent->Receive(busy, kScscf);
  EXPECT_TRUE(outcomes.empty());
  host.Advance(std::chrono::seconds(29));
  EXPECT_EQ(host.Requests(Method::kMessage).size(), 1u);
  host.Advance(std::chrono::seconds(1));
  ASSERT_EQ(host.Requests(Method::kMessage).size(), 2u);
  const SipMessage retry = Last(Method::kMessage);
  EXPECT_EQ(retry.Get(HeaderId::kAcceptContact), kAppTagAccept);
  // RFC 3261 8.1.3.5: a new transaction, same Call-ID, the CSeq one higher.
  const SipMessage first = host.Requests(Method::kMessage).front()->message;
  EXPECT_EQ(retry.Get(HeaderId::kCallId), first.Get(HeaderId::kCallId));
  EXPECT_EQ(first.Get(HeaderId::kCSeq), "1 MESSAGE");
  EXPECT_EQ(retry.Get(HeaderId::kCSeq), "2 MESSAGE");
  agent->Receive(Answer(retry, 200), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].retries, 1);
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
}

TEST_F(PushSenderTest, TS_AppD_BackoffThenGiveUpAfterMaxRetries) {
  Make([](PushSenderConfig& c) { c.retry.max_retries = 2; });
  agent->Push(Text(10, PushRequest::kMessage));
  agent->Receive(Answer(Last(Method::kMessage), 500), kScscf);  // row 5: retry allowed
  host.Advance(std::chrono::seconds(2));                         // base back-off
  ASSERT_EQ(host.Requests(Method::kMessage).size(), 2u);
  agent->Receive(Answer(Last(Method::kMessage), 500), kScscf);
  host.Advance(std::chrono::seconds(3));
  EXPECT_EQ(host.Requests(Method::kMessage).size(), 2u);  // doubled: 4 s
  host.Advance(std::chrono::seconds(1));
  ASSERT_EQ(host.Requests(Method::kMessage).size(), 3u);
  agent->Receive(Answer(Last(Method::kMessage), 500), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kResourceShortage);
  EXPECT_EQ(outcomes[0].retries, 2);
  EXPECT_EQ(outcomes[0].code, 500);
}

TEST_F(PushSenderTest, TS_AppD_Row3_403NotRetried) {
  Make();
  agent->Push(Text(10, PushRequest::kMessage));
  agent->Receive(Answer(Last(Method::kMessage), 403), kScscf);
  host.Advance(std::chrono::seconds(600));
  EXPECT_EQ(host.Requests(Method::kMessage).size(), 1u);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kRejectedNoRetry);
}

TEST_F(PushSenderTest, TS_AppD_Row4_NoResponseIs408Undeliverable) {
  Make();
  agent->Push(Text(10, PushRequest::kMessage));
  host.Advance(std::chrono::seconds(64));  // timer F = 64*T1 (RFC 3261 17.1.2.2)
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].code, 408);
  EXPECT_EQ(outcomes[0].status, AppStatus::kUndeliverable);
}

// ---------------------------------------------------------------------------------------------
// Multi-terminal (TS 6.1 item 8, 9.1.2 step 11)

TEST_F(PushSenderTest, TS_9_1_2_Step11_AllTerminalsOneMessagePerGruu) {
  Make();
  agent->Receive(ThirdPartyRegister(600000), kScscf);
  PushRequest request = Text(20);
  request.target = PushRequest::kAllTerminals;
  agent->Push(request);
  auto messages = host.Requests(Method::kMessage);
  ASSERT_EQ(messages.size(), 2u);  // the third terminal did not register mms.ua
  EXPECT_EQ(messages[0]->message.request_uri(), "sip:alice@home1.net;gr=urn:uuid:1111");
  EXPECT_EQ(messages[1]->message.request_uri(), "sip:alice@home1.net;gr=urn:uuid:2222");
  EXPECT_NE(messages[0]->message.Get(HeaderId::kCallId), messages[1]->message.Get(HeaderId::kCallId));
  const SipMessage second = messages[1]->message;
  agent->Receive(Answer(messages[0]->message, 200), kScscf);
  agent->Receive(Answer(second, 480), kScscf);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].id, outcomes[1].id);
  EXPECT_EQ(outcomes[0].terminal, "sip:alice@home1.net;gr=urn:uuid:1111");
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
  EXPECT_EQ(outcomes[1].terminal, "sip:alice@home1.net;gr=urn:uuid:2222");
  EXPECT_EQ(outcomes[1].status, AppStatus::kUndeliverable);
}

TEST_F(PushSenderTest, TS_9_1_2_Step7_OneTerminalByGruu) {
  Make();
  PushRequest request = Text(20);
  request.target = PushRequest::kTerminal;
  request.uri = "sip:alice@home1.net;gr=urn:uuid:2222";
  agent->Push(request);
  ASSERT_EQ(host.Requests(Method::kMessage).size(), 1u);
  EXPECT_EQ(Last(Method::kMessage).request_uri(), "sip:alice@home1.net;gr=urn:uuid:2222");
}

TEST_F(PushSenderTest, TS_6_1_Item4_NoTerminalWithAppIsNoTarget) {
  Make();
  agent->Receive(ThirdPartyRegister(600000), kScscf);
  PushRequest request = Text(20);
  request.app_id = "other.app";
  request.target = PushRequest::kAllTerminals;
  agent->Push(request);
  EXPECT_TRUE(host.Requests(Method::kMessage).empty());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kNoTarget);
}

// ---------------------------------------------------------------------------------------------
// INVITE + MSRP (TS 9.3.2)

class PushSenderMsrpTest : public PushSenderTest {
 protected:
  // The UE side of MSRP: answers each SEND with 200 and, on the last chunk with Success-Report,
  // sends the REPORT 1-N/N (RFC 4975 7.1.2).
  void ListenAsUe() {
    ue_streams.Listen(2855, [this](sip::ConnectionId id, const sip::Endpoint&) {
      sip::StreamCallbacks callbacks;
      callbacks.on_data = [this, id](sip::ConnectionId, std::string_view bytes) {
        ue_buffer += bytes;
        while (true) {
          auto length = wire::MsrpFrameLength(ue_buffer);
          if (!length.ok() || !length.value()) return;
          auto send = wire::MsrpMessage::Parse(std::string_view(ue_buffer).substr(0, *length.value()));
          ue_buffer.erase(0, *length.value());
          ASSERT_TRUE(send.ok());
          ue_sends.push_back(send.value());
          ue_streams.Write(id, wire::MakeOkResponse(send.value()).Serialize());
          const auto range = send->GetByteRange();
          if (send->SuccessReport() && range && range->end == range->total) {
            ue_streams.Write(id, wire::MakeReport(send.value(), "rpt" + std::to_string(ue_sends.size()) + "x",
                                                  wire::ByteRange{1, *range->total, *range->total})
                                     .Serialize());
          }
        }
      };
      return callbacks;
    });
  }

  SipMessage AnswerInvite(const SipMessage& invite, std::vector<bool> accept) {
    auto offer = wire::SessionDescription::Parse(invite.body()).value();
    wire::SessionDescription answer =
        wire::MakeAnswer(offer, wire::SdpOrigin{"ue", "1", "1", "IN", "IP4", "10.0.0.20"}, wire::SdpConnection{"IN", "IP4", "10.0.0.20"});
    for (std::size_t i = 0; i < answer.media.size(); ++i) {
      if (!accept[i]) continue;
      answer.media[i] = wire::MakeMsrpMedia(2855, "msrp://10.0.0.20:2855/ue" + std::to_string(i) + ";tcp",
                                            {std::string(*offer.media[i].AcceptTypes().begin())}, wire::SdpDirection::kRecvOnly);
    }
    SipMessage ok = Answer(invite, 200);
    ok.Add(HeaderId::kRecordRoute, "<sip:scscf.home1.net;lr>");
    ok.Add(HeaderId::kContact, "<sip:alice@10.0.0.20:5060>");
    ok.SetBody(answer.Serialize(), "application/sdp");
    return ok;
  }

  std::string ue_buffer;
  std::vector<wire::MsrpMessage> ue_sends;
};

TEST_F(PushSenderMsrpTest, TS_9_3_2_1_InviteWithSendonlyOfferOneMLinePerFile) {
  Make([](PushSenderConfig& c) { c.large_content = LargeContentPolicy::kInviteMsrp; });
  PushRequest request = Text(0, PushRequest::kInviteMsrp);
  request.files = {PushFile{"a.jpg", "image/jpeg", 4092, ""}, PushFile{"b.txt", "text/plain", 10, ""}};
  agent->Push(request);
  const SipMessage invite = Last(Method::kInvite);
  EXPECT_EQ(invite.request_uri(), "sip:alice@home1.net");                       // step 3
  EXPECT_EQ(invite.Get(HeaderId::kAcceptContact), kAppTagAccept);               // step 2
  EXPECT_EQ(invite.Get(HeaderId::kPAssertedIdentity), "<sip:push@home1.net>");  // step 4
  EXPECT_EQ(invite.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  EXPECT_EQ(invite.Get(HeaderId::kContentType), "application/sdp");
  auto offer = wire::SessionDescription::Parse(invite.body());
  ASSERT_TRUE(offer.ok());
  ASSERT_EQ(offer->media.size(), 2u);  // step 5c
  for (std::size_t i = 0; i < 2; ++i) {
    const wire::SdpMedia& media = offer->media[i];
    EXPECT_EQ(media.media, "message");
    EXPECT_EQ(media.port, 2855);
    EXPECT_EQ(media.proto, "TCP/MSRP");
    EXPECT_EQ(offer->DirectionOf(i), wire::SdpDirection::kSendOnly);  // step 5a
    ASSERT_EQ(media.Path().size(), 1u);
    EXPECT_EQ(media.Path()[0].rfind("msrp://10.0.0.9:2855/", 0), 0u);
    EXPECT_EQ(media.Path()[0].substr(media.Path()[0].size() - 4), ";tcp");
    EXPECT_FALSE(wire::CheckMsrpMedia(media).has_value());
  }
  EXPECT_NE(offer->media[0].Path()[0], offer->media[1].Path()[0]);
  auto selector = offer->media[0].GetFileSelector();  // step 5b
  ASSERT_TRUE(selector.ok());
  EXPECT_EQ(selector->name, "a.jpg");
  EXPECT_EQ(selector->type, "image/jpeg");
  EXPECT_EQ(selector->size, 4092u);
  EXPECT_EQ(offer->media[1].GetFileSelector()->size, 10u);
  EXPECT_EQ(offer->media[0].AcceptTypes(), (std::vector<std::string>{"image/jpeg"}));
}

TEST_F(PushSenderMsrpTest, TS_C3_FullFlowAckSendsReportBye) {
  Make([](PushSenderConfig& c) { c.large_content = LargeContentPolicy::kInviteMsrp; c.msrp_chunk_size = 2048; });
  ListenAsUe();
  PushRequest request = Text(4385);  // above 1300: INVITE per policy
  request.content_type = "image/jpeg";
  agent->Push(request);
  const SipMessage invite = Last(Method::kInvite);
  agent->Receive(Answer(invite, 180), kScscf);
  host.Advance(std::chrono::milliseconds(100));
  agent->Receive(AnswerInvite(invite, {true}), kScscf);
  // ACK (RFC 3261 13.2.2.4): to the Contact, through the route set, CSeq number of the INVITE.
  const SipMessage ack = Last(Method::kAck);
  EXPECT_EQ(ack.request_uri(), "sip:alice@10.0.0.20:5060");
  EXPECT_EQ(ack.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  EXPECT_EQ(ack.Get(HeaderId::kCSeq), "1 ACK");
  EXPECT_NE(ack.Get(HeaderId::kTo)->find("tag=ue1"), std::string_view::npos);
  host.Advance(std::chrono::seconds(1));
  ASSERT_EQ(ue_sends.size(), 3u);
  EXPECT_EQ(ue_sends[0].GetByteRange(), (wire::ByteRange{1, 2048, 4385}));
  EXPECT_EQ(ue_sends[1].GetByteRange(), (wire::ByteRange{2049, 4096, 4385}));
  EXPECT_EQ(ue_sends[2].GetByteRange(), (wire::ByteRange{4097, 4385, 4385}));
  EXPECT_TRUE(ue_sends[0].SuccessReport());
  EXPECT_EQ(ue_sends[0].ToPath()[0].ToString(), "msrp://10.0.0.20:2855/ue0;tcp");
  std::string received;
  for (const auto& send : ue_sends) received += send.body;
  EXPECT_EQ(received, SyntheticContent(4385));
  // TS 9.3.2.3: BYE after the last transfer.
  const SipMessage bye = Last(Method::kBye);
  EXPECT_EQ(bye.request_uri(), "sip:alice@10.0.0.20:5060");
  EXPECT_EQ(bye.Get(HeaderId::kCSeq), "2 BYE");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, PushMethod::kInviteMsrp);
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
  EXPECT_EQ(outcomes[0].code, 200);
  EXPECT_EQ(outcomes[0].final_response, std::chrono::milliseconds(100));
  ASSERT_TRUE(outcomes[0].delivered.has_value());
  EXPECT_GT(*outcomes[0].delivered, outcomes[0].final_response);
  ASSERT_EQ(outcomes[0].files.size(), 1u);
  EXPECT_TRUE(outcomes[0].files[0].delivered);
}

TEST_F(PushSenderMsrpTest, RFC3264_6_RefusedMLineReportedPerFile) {
  Make();
  ListenAsUe();
  PushRequest request = Text(0, PushRequest::kInviteMsrp);
  request.files = {PushFile{"a.jpg", "image/jpeg", 3000, ""}, PushFile{"b.bin", "application/octet-stream", 50, ""}};
  agent->Push(request);
  agent->Receive(Answer(Last(Method::kInvite), 180), kScscf);
  agent->Receive(AnswerInvite(Last(Method::kInvite), {true, false}), kScscf);
  host.Advance(std::chrono::seconds(1));
  ASSERT_EQ(outcomes.size(), 1u);
  ASSERT_EQ(outcomes[0].files.size(), 2u);
  EXPECT_TRUE(outcomes[0].files[0].accepted);
  EXPECT_TRUE(outcomes[0].files[0].delivered);
  EXPECT_FALSE(outcomes[0].files[1].accepted);
  EXPECT_FALSE(outcomes[0].files[1].delivered);
  EXPECT_EQ(outcomes[0].status, AppStatus::kTransferFailed);
  for (const auto& send : ue_sends) EXPECT_EQ(send.ContentType(), "image/jpeg");  // nothing of the refused file
  auto byes = host.Requests(Method::kBye);  // one BYE (and its UDP retransmissions)
  ASSERT_FALSE(byes.empty());
  for (const auto* bye : byes) EXPECT_EQ(bye->message.Get(HeaderId::kVia), byes[0]->message.Get(HeaderId::kVia));
}

TEST_F(PushSenderMsrpTest, TS_9_3_2_2_CancelAfterProvisionalOnAbandon) {
  Make();
  const PushId id = agent->Push(Text(50, PushRequest::kInviteMsrp));
  const SipMessage invite = Last(Method::kInvite);
  agent->Abandon(id);
  EXPECT_TRUE(host.Requests(Method::kCancel).empty());  // RFC 3261 9.1: not before a provisional
  agent->Receive(Answer(invite, 180), kScscf);
  const SipMessage cancel = Last(Method::kCancel);
  EXPECT_EQ(cancel.request_uri(), invite.request_uri());
  EXPECT_EQ(cancel.GetAll(HeaderId::kVia).front(), invite.GetAll(HeaderId::kVia).front());
  EXPECT_EQ(cancel.Get(HeaderId::kCSeq), "1 CANCEL");
  EXPECT_EQ(cancel.Get(HeaderId::kCallId), invite.Get(HeaderId::kCallId));
  EXPECT_EQ(cancel.Get(HeaderId::kFrom), invite.Get(HeaderId::kFrom));
  EXPECT_EQ(cancel.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  agent->Receive(Answer(invite, 487), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kCancelled);
  EXPECT_EQ(outcomes[0].code, 487);
}

// ---------------------------------------------------------------------------------------------
// REFER and the ua-profile notifier (003, 004)

TEST_F(PushSenderTest, Refer003_6_2_3_3_ReferToMakesReceiverSubscribeToUaProfile) {
  Make();
  agent->ReferSubscribe("sip:alice@home1.net", "mms.ua");
  const SipMessage refer = Last(Method::kRefer);
  EXPECT_EQ(refer.request_uri(), "sip:alice@home1.net");  // step 1
  EXPECT_EQ(refer.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  EXPECT_EQ(refer.Get(HeaderId::kReferTo),
            "<sip:push@home1.net;method=SUBSCRIBE?Event=ua-profile%3Bprofile-type%3D%22application%22%3Bappids%3D%22mms.ua%22"
            "&Accept-Contact=*%3B+g.oma.pusheventapp%3D%22mms.ua%22%3Brequire%3Bexplicit>");
  // What the receiver recovers from it (RFC 3261 19.1.1 escaping undone).
  auto refer_to = wire::ParseReferTo(*refer.Get(HeaderId::kReferTo));
  ASSERT_TRUE(refer_to.ok());
  auto uri = wire::ParseSipUri(refer_to->uri);
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->Param("method"), "SUBSCRIBE");  // step 2b
  ASSERT_EQ(uri->headers.size(), 2u);
  EXPECT_EQ(uri->headers[0].first, "Event");  // step 2c/d
  EXPECT_EQ(uri->headers[0].second, "ua-profile;profile-type=\"application\";appids=\"mms.ua\"");
  EXPECT_EQ(uri->headers[1].second, kAppTagAccept);

  SipMessage accepted = Answer(refer, 202);
  agent->Receive(accepted, kScscf);
  EXPECT_TRUE(outcomes.empty());
  const std::string from = std::string(*refer.Get(HeaderId::kFrom));
  SipMessage pending = Incoming(Method::kNotify, "sip:push-as.home1.net:5060", "<sip:alice@home1.net>;tag=ue1", from,
                                std::string(*refer.Get(HeaderId::kCallId)), 1);
  pending.Add(HeaderId::kEvent, "refer");
  pending.Add(HeaderId::kSubscriptionState, "active;expires=60");
  pending.SetBody("SIP/2.0 100 Trying\r\n", "message/sipfrag;version=2.0");
  agent->Receive(pending, kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 200);
  EXPECT_TRUE(outcomes.empty());
  SipMessage final_notify = Incoming(Method::kNotify, "sip:push-as.home1.net:5060", "<sip:alice@home1.net>;tag=ue1", from,
                                     std::string(*refer.Get(HeaderId::kCallId)), 2);
  final_notify.Add(HeaderId::kEvent, "refer");
  final_notify.Add(HeaderId::kSubscriptionState, "terminated;reason=noresource");
  final_notify.SetBody("SIP/2.0 200 OK\r\n", "message/sipfrag;version=2.0");
  agent->Receive(final_notify, kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 200);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, PushMethod::kRefer);
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
  EXPECT_EQ(outcomes[0].code, 200);
}

TEST_F(PushSenderTest, Refer003_Lockout503RetryAfterRetried) {
  Make();
  agent->ReferSubscribe("sip:alice@home1.net", "mms.ua");
  SipMessage busy = Answer(Last(Method::kRefer), 503);
  busy.Add(HeaderId::kRetryAfter, "10");
  agent->Receive(busy, kScscf);
  host.Advance(std::chrono::seconds(10));
  EXPECT_EQ(host.Requests(Method::kRefer).size(), 2u);
}

class PushSenderNotifierTest : public PushSenderTest {
 protected:
  SipMessage Subscribe(const std::string& expires, const std::string& to_tag = "", int cseq = 1) {
    SipMessage subscribe = Incoming(Method::kSubscribe, "sip:push@home1.net", "<sip:alice@home1.net>;tag=s9",
                                    "<sip:push@home1.net>" + (to_tag.empty() ? "" : ";tag=" + to_tag), "sub1", cseq);
    subscribe.Add(HeaderId::kRecordRoute, "<sip:scscf.home1.net;lr>");
    subscribe.Add(HeaderId::kContact, "<sip:alice@home1.net;gr=urn:uuid:1111>");
    subscribe.Add(HeaderId::kEvent, "ua-profile;profile-type=\"application\";appids=\"mms.ua\"");
    subscribe.Add(HeaderId::kAcceptContact, kAppTagAccept);
    subscribe.Add(HeaderId::kExpires, expires);
    return subscribe;
  }
  std::string LocalTag(const SipMessage& response) {
    auto to = wire::ParseFromTo(*response.Get(HeaderId::kTo));
    return wire::FindParam(to->params, "tag")->value.value_or("");
  }
};

TEST_F(PushSenderNotifierTest, RFC6665_4_2_1_SubscribeAcceptedBoundedAndFirstNotify) {
  Make([](PushSenderConfig& c) { c.ua_profile_max_expires = 7200; });
  agent->Receive(Subscribe("999999"), kScscf);
  const SipMessage ok = host.Responses(200).back()->message;
  EXPECT_EQ(ok.Get(HeaderId::kExpires), "7200");  // bounded
  EXPECT_FALSE(LocalTag(ok).empty());
  const SipMessage notify = Last(Method::kNotify);
  EXPECT_EQ(notify.request_uri(), "sip:alice@home1.net;gr=urn:uuid:1111");
  EXPECT_EQ(notify.Get(HeaderId::kRoute), "<sip:scscf.home1.net;lr>");
  EXPECT_EQ(notify.Get(HeaderId::kSubscriptionState), "active;expires=7200");
  EXPECT_EQ(notify.Get(HeaderId::kEvent), "ua-profile;profile-type=\"application\";appids=\"mms.ua\"");
  EXPECT_NE(notify.Get(HeaderId::kFrom)->find("tag=" + LocalTag(ok)), std::string_view::npos);
  EXPECT_EQ(notify.Get(HeaderId::kCallId), "sub1");
  ASSERT_EQ(agent->profile_subscriptions().size(), 1u);
  EXPECT_EQ(agent->profile_subscriptions()[0].app_id, "mms.ua");
  EXPECT_EQ(agent->profile_subscriptions()[0].subscriber, "sip:alice@home1.net");
}

TEST_F(PushSenderNotifierTest, Push004_7_NotifyCarriesContentAnd200IsDeliveryReport) {
  Make();
  agent->Receive(Subscribe("3600"), kScscf);
  agent->Receive(Answer(Last(Method::kNotify), 200), kScscf);
  PushRequest request = Text(0, PushRequest::kNotify);
  request.content = "profile data";
  agent->Push(request);
  ASSERT_EQ(host.Requests(Method::kNotify).size(), 2u);
  const SipMessage notify = Last(Method::kNotify);
  EXPECT_EQ(notify.body(), "profile data");
  EXPECT_EQ(notify.Get(HeaderId::kContentType), "text/plain");
  EXPECT_EQ(notify.Get(HeaderId::kCSeq), "2 NOTIFY");
  EXPECT_EQ(notify.Get(HeaderId::kSubscriptionState)->rfind("active;expires=", 0), 0u);
  host.Advance(std::chrono::milliseconds(30));
  agent->Receive(Answer(notify, 200), kScscf);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].method, PushMethod::kNotify);
  EXPECT_EQ(outcomes[0].status, AppStatus::kAccepted);
  ASSERT_TRUE(outcomes[0].delivered.has_value());
  EXPECT_EQ(*outcomes[0].delivered, std::chrono::milliseconds(30));
}

TEST_F(PushSenderNotifierTest, RFC6665_4_2_1_4_UnsubscribeAndExpiryTerminate) {
  Make();
  agent->Receive(Subscribe("3600"), kScscf);
  const std::string tag = LocalTag(host.Responses(200).back()->message);
  agent->Receive(Answer(Last(Method::kNotify), 200), kScscf);
  agent->Receive(Subscribe("0", tag, 2), kScscf);
  EXPECT_EQ(host.Responses(200).back()->message.Get(HeaderId::kExpires), "0");
  EXPECT_EQ(Last(Method::kNotify).Get(HeaderId::kSubscriptionState), "terminated;reason=timeout");
  agent->Receive(Answer(Last(Method::kNotify), 200), kScscf);
  EXPECT_TRUE(agent->profile_subscriptions().empty());
  // A new subscription expires on its own.
  SipMessage again = Subscribe("60");
  again.Set(HeaderId::kCallId, "sub2");
  agent->Receive(again, kScscf);
  agent->Receive(Answer(Last(Method::kNotify), 200), kScscf);
  host.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Last(Method::kNotify).Get(HeaderId::kSubscriptionState), "terminated;reason=timeout");
  EXPECT_EQ(Last(Method::kNotify).Get(HeaderId::kCallId), "sub2");
  EXPECT_TRUE(agent->profile_subscriptions().empty());
}

TEST_F(PushSenderNotifierTest, RFC6665_RefreshAndUnknownDialog) {
  Make();
  agent->Receive(Subscribe("3600"), kScscf);
  const std::string tag = LocalTag(host.Responses(200).back()->message);
  agent->Receive(Subscribe("1800", tag, 2), kScscf);
  EXPECT_EQ(host.Responses(200).back()->message.Get(HeaderId::kExpires), "1800");
  EXPECT_EQ(Last(Method::kNotify).Get(HeaderId::kSubscriptionState), "active;expires=1800");
  agent->Receive(Subscribe("1800", "wrongtag", 3), kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 481);
  agent->Receive(Subscribe("1800", tag, 2), kScscf);  // CSeq not above the last
  EXPECT_EQ(host.sent.back().message.status_code(), 500);
}

TEST_F(PushSenderNotifierTest, RFC6665_4_2_1_1_OtherEventGets489) {
  Make();
  SipMessage subscribe = Subscribe("3600");
  subscribe.Set(HeaderId::kEvent, "presence");
  agent->Receive(subscribe, kScscf);
  EXPECT_EQ(host.sent.back().message.status_code(), 489);
  EXPECT_EQ(host.sent.back().message.Get(HeaderId::kAllowEvents), "ua-profile");
}

TEST_F(PushSenderNotifierTest, Push004_7_NotifyWithoutSubscriptionIsNoTarget) {
  Make();
  agent->Push(Text(10, PushRequest::kNotify));
  EXPECT_TRUE(host.Requests(Method::kNotify).empty());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, AppStatus::kNoTarget);
}

}  // namespace
}  // namespace pushsim::push
