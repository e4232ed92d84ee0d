// The Push Receiver Agent: registration (TS 7.2, 8.2.1), SIP MESSAGE (TS 9.1.1), content
// indirection (RFC 4483), INVITE + MSRP (TS 9.3.1), the ua-profile subscription (004) and the
// REFER-triggered subscription with the lockout timer (003). Requests are written as the Push
// Sender Agent sends them after the core: P-Asserted-Identity present, Request-URI our contact.
// Conformance items covered: SIPPUSH-PRA-C-001, SIPPUSH-PRA-C-004, SIPPUSH-PRA-C-006,
// SIPPUSH-PRA-C-007, SIPPUSH-PRA-C008, SIPPUSH-PRA-C009, SIPPUSH-PRA-C013.
#include "push/receiver.h"

#include <gtest/gtest.h>

#include <set>

#include "support/fake_host.h"
#include "support/fake_stream_host.h"
#include "wire/body.h"
#include "wire/sip_headers.h"

namespace pushsim::push {
namespace {

using namespace std::chrono_literals;
using sip::Endpoint;
using sip::Transport;
using testing::FakeHost;
using testing::FakeStreamNetwork;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const Endpoint kPcscf{0x0A000001, 5060, Transport::kUdp};  // 10.0.0.1
const Endpoint kUe{0x0A000002, 5060, Transport::kUdp};     // 10.0.0.2
constexpr std::uint32_t kSenderAddress = 0x0A000009;       // 10.0.0.9, push-as.home1.net
constexpr const char* kInstance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
constexpr const char* kSender = "sip:push-as.home1.net";
constexpr const char* kContact = "sip:alice@10.0.0.2:5060";

std::string TagOf(const SipMessage& message, HeaderId id = HeaderId::kTo) {
  auto value = message.Get(id);
  if (!value) return {};
  auto parsed = wire::ParseFromTo(*value);
  if (!parsed.ok()) return {};
  const wire::Param* tag = wire::FindParam(parsed->params, "tag");
  return tag && tag->value ? *tag->value : std::string();
}

class PushReceiverTest : public ::testing::Test {
 protected:
  PushReceiverTest() : network(host), ue_streams(network.AddHost(kUe.address)), psa_streams(network.AddHost(kSenderAddress)) {
    resolver.Add("pcscf.home1.net", kPcscf.address);
    resolver.Add("push-as.home1.net", kSenderAddress);
    config.ua.element.host = "10.0.0.2";
    config.ua.element.local = kUe;
    config.ua.aor = "sip:alice@home1.net";
    config.ua.outbound_proxy = "sip:pcscf.home1.net";
    config.ua.instance = kInstance;
    config.ua.gruu = true;
    config.app_ids = {"mms.ua", "x-wap-application:push.sia"};
    config.trusted_senders = {kSender};
    config.accepted_types = {{"mms.ua", {"application/vnd.wap.mms-message", "text/plain"}}};
    config.lockout_duration = 5s;
  }

  void Start() {
    agent = std::make_unique<PushReceiverAgent>(host, resolver, ue_streams, config);
    agent->on_push = [this](const PushDelivery& delivery) { deliveries.push_back(delivery); };
  }

  // A request from the sender as the core delivers it to the UE.
  SipMessage Request(Method method, const std::string& call_id, const std::string& app = "mms.ua",
                     bool asserted = true) {
    SipMessage request = SipMessage::MakeRequest(method, kContact);
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + call_id + std::to_string(++branch));
    request.Add(HeaderId::kMaxForwards, "68");
    request.Add(HeaderId::kFrom, std::string("<") + kSender + ">;tag=psa" + call_id);
    request.Add(HeaderId::kTo, "<sip:alice@home1.net>");
    request.Add(HeaderId::kCallId, call_id);
    request.Add(HeaderId::kCSeq, "1 " + std::string(wire::MethodName(method)));
    if (asserted) request.Add(HeaderId::kPAssertedIdentity, std::string("<") + kSender + ">");
    if (!app.empty()) request.Add(HeaderId::kAcceptContact, "*;+g.oma.pusheventapp=\"" + app + "\";require;explicit");
    request.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
    return request;
  }

  const SipMessage* LastResponse() const {
    for (auto it = host.sent.rbegin(); it != host.sent.rend(); ++it) {
      if (it->message.IsResponse()) return &it->message;
    }
    return nullptr;
  }
  const SipMessage* ResponseTo(const std::string& call_id, int code) const {
    for (const auto& sent : host.sent) {
      if (sent.message.IsResponse() && sent.message.status_code() == code &&
          sent.message.Get(HeaderId::kCallId) == std::optional<std::string_view>(call_id)) {
        return &sent.message;
      }
    }
    return nullptr;
  }

  FakeHost host;
  FakeStreamNetwork network;
  testing::FakeStreamHost& ue_streams;
  testing::FakeStreamHost& psa_streams;
  sip::Resolver resolver;
  PushReceiverConfig config;
  std::unique_ptr<PushReceiverAgent> agent;
  std::vector<PushDelivery> deliveries;
  int branch = 0;
};

// ---------------------------------------------------------------------------------------------
// Registration (TS 7.2)

TEST_F(PushReceiverTest, TS_7_2_Steps2to4_RegisterCarriesFeatureTagRequirePrefAndInstance) {
  Start();
  agent->Register();
  auto registers = host.Requests(Method::kRegister);
  ASSERT_EQ(registers.size(), 1u);
  const SipMessage& request = registers[0]->message;
  auto contacts = wire::ParseContacts(request);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  const wire::Param* tag = wire::FindParam((*contacts)[0].address.params, "+g.oma.pusheventapp");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->value, std::optional<std::string>("\"mms.ua,x-wap-application:push.sia\""));  // TS 8.1.1
  EXPECT_EQ((*contacts)[0].instance(), std::optional<std::string>(kInstance));              // step 4a
  EXPECT_EQ(request.Get(HeaderId::kRequire), std::optional<std::string_view>("pref"));      // step 3
  auto supported = wire::ParseTokenList(request, HeaderId::kSupported);
  ASSERT_TRUE(supported.ok());
  EXPECT_NE(std::find(supported->begin(), supported->end(), "gruu"), supported->end());
}

TEST_F(PushReceiverTest, TS_7_2_Step5b_WithdrawPushReRegistersWithoutTheTag) {
  Start();
  agent->Register();
  const SipMessage first = host.Requests(Method::kRegister)[0]->message;
  SipMessage ok = agent->MakeResponse(first, 200);
  ok.Add(HeaderId::kContact, std::string("<") + kContact + ">;expires=600000;+sip.instance=\"" + kInstance + "\"");
  agent->Receive(ok, kPcscf);
  agent->WithdrawPush();
  auto registers = host.Requests(Method::kRegister);
  ASSERT_EQ(registers.size(), 2u);
  const SipMessage& second = registers[1]->message;
  EXPECT_EQ(second.Get(HeaderId::kExpires), std::optional<std::string_view>("600000"));  // still registered
  EXPECT_EQ(std::string(*second.Get(HeaderId::kContact)).find("pusheventapp"), std::string::npos);
  EXPECT_FALSE(agent->push_advertised());
}

TEST_F(PushReceiverTest, TS_7_2_Step5c_DeregisterSendsExpiresZero) {
  Start();
  agent->Register();
  const SipMessage first = host.Requests(Method::kRegister)[0]->message;
  SipMessage ok = agent->MakeResponse(first, 200);
  ok.Add(HeaderId::kContact, std::string("<") + kContact + ">;expires=600000;+sip.instance=\"" + kInstance + "\"");
  agent->Receive(ok, kPcscf);
  agent->Deregister();
  auto registers = host.Requests(Method::kRegister);
  ASSERT_EQ(registers.size(), 2u);
  EXPECT_EQ(registers[1]->message.Get(HeaderId::kExpires), std::optional<std::string_view>("0"));
}

// ---------------------------------------------------------------------------------------------
// SIP MESSAGE (TS 9.1.1)

TEST_F(PushReceiverTest, TS_9_1_1_Step5_ForbiddenWithoutAppId) {
  Start();
  SipMessage request = Request(Method::kMessage, "m1", "");
  request.SetBody("hello", "text/plain");
  agent->Receive(request, kPcscf);
  ASSERT_NE(ResponseTo("m1", 403), nullptr);
  EXPECT_TRUE(deliveries.empty());
}

TEST_F(PushReceiverTest, TS_9_1_1_Step5_ForbiddenWithUnknownAppId) {
  Start();
  SipMessage request = Request(Method::kMessage, "m1", "x-wap-application:wml.ua");
  request.SetBody("hello", "text/plain");
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("m1", 403), nullptr);
  EXPECT_EQ(agent->stats().messages_forbidden_app, 1u);
}

TEST_F(PushReceiverTest, TS_9_1_1_Step6_ForbiddenWithoutPAssertedIdentity) {
  Start();
  SipMessage request = Request(Method::kMessage, "m1", "mms.ua", false);
  request.SetBody("hello", "text/plain");
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("m1", 403), nullptr);
  EXPECT_EQ(agent->stats().messages_forbidden_sender, 1u);
}

TEST_F(PushReceiverTest, TS_9_1_1_Step6_ForbiddenWithUntrustedPAssertedIdentity) {
  Start();
  SipMessage request = Request(Method::kMessage, "m1", "mms.ua", false);
  request.Add(HeaderId::kPAssertedIdentity, "\"Mallory\" <sip:mallory@evil.example>");
  request.SetBody("hello", "text/plain");
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("m1", 403), nullptr);
  EXPECT_TRUE(deliveries.empty());
}

TEST_F(PushReceiverTest, TS_9_1_1_AppD_Row6_UnsupportedTypeGets415WithAccept) {
  Start();
  SipMessage request = Request(Method::kMessage, "m1");
  request.SetBody("<html/>", "text/html");
  agent->Receive(request, kPcscf);
  const SipMessage* response = ResponseTo("m1", 415);
  ASSERT_NE(response, nullptr);
  // RFC 3261 21.4.13: Accept lists what the target application takes.
  EXPECT_EQ(response->Get(HeaderId::kAccept),
            std::optional<std::string_view>("application/vnd.wap.mms-message, text/plain"));
  EXPECT_TRUE(deliveries.empty());
}

TEST_F(PushReceiverTest, TS_9_1_1_Steps7_9_OkThenDeliveredToTheApplication) {
  Start();
  std::vector<PushDelivery> for_mms;
  agent->RegisterApplication("mms.ua", [&](const PushDelivery& delivery) { for_mms.push_back(delivery); });
  host.Advance(3ms);
  SipMessage request = Request(Method::kMessage, "m1");
  request.SetBody("push content", "text/plain");
  agent->Receive(request, kPcscf);
  const SipMessage* response = ResponseTo("m1", 200);
  ASSERT_NE(response, nullptr);
  EXPECT_TRUE(response->body().empty());  // RFC 3428 7
  ASSERT_EQ(for_mms.size(), 1u);
  EXPECT_EQ(for_mms[0].app_id, "mms.ua");
  EXPECT_EQ(for_mms[0].body, "push content");
  EXPECT_EQ(for_mms[0].size, 12u);
  EXPECT_EQ(for_mms[0].content_type, "text/plain");
  EXPECT_EQ(for_mms[0].via, PushVia::kMessage);
  EXPECT_EQ(for_mms[0].sender, kSender);
  EXPECT_EQ(for_mms[0].request_received_at, sip::TimePoint(3ms));
  EXPECT_EQ(deliveries.size(), 1u);  // on_push sees it as well
}

TEST_F(PushReceiverTest, TS_9_1_1_Step8_IndirectContentFetchedAfterThe200) {
  std::string fetched_url;
  std::function<void(int, std::string)> complete;
  config.fetch = [&](std::string url, std::function<void(int, std::string)> done) {
    fetched_url = std::move(url);
    complete = std::move(done);
  };
  Start();
  SipMessage request = Request(Method::kMessage, "m1");
  wire::ExternalBody external;
  external.url = "http://content.home1.net/content/42?size=11&type=text%2Fplain";
  external.size = 11;
  external.content_type = *wire::ParseMediaType("text/plain");
  external.content_id = "<42@content.home1.net>";
  auto [type, body] = wire::MakeExternalBody(external);
  request.SetBody(body, type.ToString());
  agent->Receive(request, kPcscf);
  ASSERT_NE(ResponseTo("m1", 200), nullptr);  // step 7 before step 8
  EXPECT_EQ(fetched_url, external.url);
  EXPECT_TRUE(deliveries.empty());
  host.Advance(40ms);
  complete(200, "hello world");
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].via, PushVia::kIndirection);
  EXPECT_EQ(deliveries[0].content_type, "text/plain");
  EXPECT_EQ(deliveries[0].body, "hello world");
  EXPECT_EQ(deliveries[0].latency(), sip::Duration(40ms));
}

TEST_F(PushReceiverTest, TS_9_1_1_Step8_FailedFetchDeliversNothing) {
  config.fetch = [](std::string, std::function<void(int, std::string)> done) { done(404, "not found"); };
  Start();
  SipMessage request = Request(Method::kMessage, "m1");
  wire::ExternalBody external;
  external.url = "http://content.home1.net/content/7?size=3&type=text%2Fplain";
  external.content_type = *wire::ParseMediaType("text/plain");
  auto [type, body] = wire::MakeExternalBody(external);
  request.SetBody(body, type.ToString());
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("m1", 200), nullptr);
  EXPECT_TRUE(deliveries.empty());
  EXPECT_EQ(agent->stats().fetches_failed, 1u);
}

// ---------------------------------------------------------------------------------------------
// INVITE + MSRP (TS 9.3.1)

std::string Offer(const std::vector<std::string>& files, const std::string& types = "text/plain") {
  std::string sdp = "v=0\r\no=psa 2890844526 2890844526 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n";
  int index = 0;
  for (const std::string& file : files) {
    sdp += "m=message 7654 TCP/MSRP *\r\na=sendonly\r\na=accept-types:" + types +
           "\r\na=path:msrp://10.0.0.9:7654/iau" + std::to_string(++index) + ";tcp\r\n";
    if (!file.empty()) sdp += "a=file-selector:" + file + "\r\n";
  }
  return sdp;
}

TEST_F(PushReceiverTest, TS_9_3_1_1_ForbiddenWithoutAppIdOrTrustedSender) {
  Start();
  SipMessage no_app = Request(Method::kInvite, "i1", "");
  no_app.SetBody(Offer({""}), "application/sdp");
  agent->Receive(no_app, kPcscf);
  EXPECT_NE(ResponseTo("i1", 403), nullptr);
  SipMessage untrusted = Request(Method::kInvite, "i2", "mms.ua", false);
  untrusted.SetBody(Offer({""}), "application/sdp");
  agent->Receive(untrusted, kPcscf);
  EXPECT_NE(ResponseTo("i2", 403), nullptr);
}

TEST_F(PushReceiverTest, TS_9_3_1_1_Step1_UnsupportedAcceptTypesGet488) {
  Start();
  SipMessage request = Request(Method::kInvite, "i1");
  request.SetBody(Offer({""}, "video/mp4"), "application/sdp");
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("i1", 488), nullptr);
  EXPECT_EQ(agent->msrp_sessions(), 0u);
}

TEST_F(PushReceiverTest, TS_9_3_1_1_Step3_AllFilesRefusedGets488) {
  config.accept_file = [](const wire::FileSelector&) { return false; };
  Start();
  SipMessage request = Request(Method::kInvite, "i1");
  request.SetBody(Offer({"name:\"a.txt\" type:text/plain size:10"}), "application/sdp");
  agent->Receive(request, kPcscf);
  EXPECT_NE(ResponseTo("i1", 488), nullptr);
}

TEST_F(PushReceiverTest, TS_9_3_1_1_AnswerIsRecvonlyWithPathMaxSizeAndChosenFiles) {
  config.accept_file = [](const wire::FileSelector& file) { return file.name == std::optional<std::string>("a.txt"); };
  config.msrp_max_size = 4096;
  Start();
  SipMessage request = Request(Method::kInvite, "i1");
  request.SetBody(Offer({"name:\"a.txt\" type:text/plain size:10", "name:\"b.txt\" type:text/plain size:20"}),
                  "application/sdp");
  agent->Receive(request, kPcscf);
  const SipMessage* response = ResponseTo("i1", 200);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->Get(HeaderId::kContentType), std::optional<std::string_view>("application/sdp"));
  ASSERT_TRUE(response->Has(HeaderId::kContact));
  auto answer = wire::SessionDescription::Parse(response->body());
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->media.size(), 2u);  // RFC 3264 6: one m-line per offered one
  const wire::SdpMedia& accepted = answer->media[0];
  EXPECT_EQ(accepted.port, 2855);
  EXPECT_EQ(answer->DirectionOf(0), wire::SdpDirection::kRecvOnly);  // step 2a
  EXPECT_EQ(accepted.MaxSize(), std::optional<std::uint64_t>(4096));  // step 2b
  ASSERT_EQ(accepted.Path().size(), 1u);
  EXPECT_EQ(accepted.Path()[0].rfind("msrp://10.0.0.2:2855/", 0), 0u);
  EXPECT_EQ(accepted.Attribute("file-selector"),
            std::optional<std::string_view>("name:\"a.txt\" type:text/plain size:10"));
  EXPECT_EQ(accepted.AcceptTypes(), std::vector<std::string>{"text/plain"});
  EXPECT_EQ(answer->media[1].port, 0);  // C.3 step 3: the refused file keeps port 0
  EXPECT_EQ(agent->stats().files_accepted, 1u);
  EXPECT_EQ(agent->stats().files_refused, 1u);
}

TEST_F(PushReceiverTest, TS_9_3_1_MsrpTransferReportAndBye) {
  Start();
  network.set_max_segment(7);  // every write arrives in 7-byte pieces
  SipMessage invite = Request(Method::kInvite, "i1");
  invite.Add(HeaderId::kRecordRoute, "<sip:pcscf.home1.net;lr>");
  invite.SetBody(Offer({""}), "application/sdp");
  agent->Receive(invite, kPcscf);
  const SipMessage* ok = ResponseTo("i1", 200);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->Get(HeaderId::kRecordRoute), std::optional<std::string_view>("<sip:pcscf.home1.net;lr>"));
  const std::string path = wire::SessionDescription::Parse(ok->body())->media[0].Path()[0];
  const std::string to_tag = TagOf(*ok);
  SipMessage ack = SipMessage::MakeRequest(Method::kAck, kContact);
  ack.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKack1");
  ack.Add(HeaderId::kFrom, std::string("<") + kSender + ">;tag=psai1");
  ack.Add(HeaderId::kTo, "<sip:alice@home1.net>;tag=" + to_tag);
  ack.Add(HeaderId::kCallId, "i1");
  ack.Add(HeaderId::kCSeq, "1 ACK");
  ack.Add(HeaderId::kMaxForwards, "70");
  agent->Receive(ack, kPcscf);
  EXPECT_EQ(agent->stats().sessions_established, 1u);

  // The sender connects to the answered path and pipelines two chunks (TS C.3).
  std::string from_receiver;
  const sip::ConnectionId connection = psa_streams.Connect(
      Endpoint{kUe.address, 2855, Transport::kTcp},
      {[](sip::ConnectionId) {}, [&](sip::ConnectionId, std::string_view bytes) { from_receiver.append(bytes); },
       [](sip::ConnectionId) {}});
  host.Advance(20ms);
  const std::string sender_path = "msrp://10.0.0.9:7654/iau1;tcp";
  auto send = [&](const std::string& tid, const std::string& range, const std::string& body, char flag,
                  const std::string& extra) {
    return "MSRP " + tid + " SEND\r\nTo-Path: " + path + "\r\nFrom-Path: " + sender_path +
           "\r\nMessage-ID: 12339sdqwer\r\nByte-Range: " + range + "\r\n" + extra +
           "Content-Type: text/plain\r\n\r\n" + body + "\r\n-------" + tid + flag + "\r\n";
  };
  psa_streams.Write(connection, send("d93kswow", "1-5/10", "Hello", '+', "Success-Report: yes\r\n") +
                                    send("op2nc9a", "6-10/10", "World", '$', ""));
  host.Advance(1s);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].via, PushVia::kMsrp);
  EXPECT_EQ(deliveries[0].body, "HelloWorld");
  EXPECT_EQ(deliveries[0].app_id, "mms.ua");
  const std::string expected = "MSRP d93kswow 200 OK\r\nTo-Path: " + sender_path + "\r\nFrom-Path: " + path +
                               "\r\n-------d93kswow$\r\nMSRP op2nc9a 200 OK\r\nTo-Path: " + sender_path +
                               "\r\nFrom-Path: " + path + "\r\n-------op2nc9a$\r\nMSRP rpt000001 REPORT\r\nTo-Path: " +
                               sender_path + "\r\nFrom-Path: " + path +
                               "\r\nMessage-ID: 12339sdqwer\r\nByte-Range: 1-10/10\r\nStatus: 000 200 OK\r\n"
                               "-------rpt000001$\r\n";
  EXPECT_EQ(from_receiver, expected);

  // TS 9.3.1.2: BYE -> 200, the connection closed and the session state gone.
  SipMessage bye = SipMessage::MakeRequest(Method::kBye, kContact);
  bye.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbye1");
  bye.Add(HeaderId::kFrom, std::string("<") + kSender + ">;tag=psai1");
  bye.Add(HeaderId::kTo, "<sip:alice@home1.net>;tag=" + to_tag);
  bye.Add(HeaderId::kCallId, "i1");
  bye.Add(HeaderId::kCSeq, "2 BYE");
  bye.Add(HeaderId::kMaxForwards, "70");
  agent->Receive(bye, kPcscf);
  EXPECT_NE(ResponseTo("i1", 200), nullptr);
  EXPECT_EQ(LastResponse()->cseq_method(), Method::kBye);
  EXPECT_EQ(LastResponse()->status_code(), 200);
  EXPECT_EQ(agent->msrp_sessions(), 0u);
  EXPECT_EQ(agent->msrp_connections(), 0u);
  host.Advance(100ms);
  EXPECT_EQ(ue_streams.open_connections(), 0u);
  EXPECT_EQ(psa_streams.open_connections(), 0u);
}

TEST_F(PushReceiverTest, RFC3261_9_2_CancelBeforeTheAnswerGets487) {
  config.invite_answer_delay = 2s;
  Start();
  SipMessage invite = Request(Method::kInvite, "i1");
  invite.SetBody(Offer({""}), "application/sdp");
  agent->Receive(invite, kPcscf);
  EXPECT_NE(ResponseTo("i1", 180), nullptr);
  SipMessage cancel = SipMessage::MakeRequest(Method::kCancel, kContact);
  cancel.Add(HeaderId::kVia, std::string(*invite.Get(HeaderId::kVia)));
  cancel.Add(HeaderId::kFrom, std::string(*invite.Get(HeaderId::kFrom)));
  cancel.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  cancel.Add(HeaderId::kCallId, "i1");
  cancel.Add(HeaderId::kCSeq, "1 CANCEL");
  cancel.Add(HeaderId::kMaxForwards, "70");
  agent->Receive(cancel, kPcscf);
  const SipMessage* terminated = ResponseTo("i1", 487);
  ASSERT_NE(terminated, nullptr);
  EXPECT_EQ(terminated->cseq_method(), Method::kInvite);
  host.Advance(3s);
  for (const auto* sent : host.Responses(200)) {
    EXPECT_NE(sent->message.cseq_method(), Method::kInvite);  // only the CANCEL got a 200
  }
  EXPECT_EQ(agent->msrp_sessions(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Subscription (004) and REFER (003)

class PushSubscriptionTest : public PushReceiverTest {
 protected:
  // The sender as ua-profile notifier: 200 to each SUBSCRIBE after `answer_after`, the first
  // NOTIFY after `notify_after`; 200 to each refer NOTIFY after 10 ms.
  void AutoNotifier(sip::Duration answer_after, sip::Duration notify_after) {
    host.on_send = [this, answer_after, notify_after](const Endpoint&, const SipMessage& message) {
      if (!message.IsRequest()) return;
      if (message.method() == Method::kSubscribe) {
        subscribe_times.push_back(host.Now());
        subscribe_call_ids.emplace_back(*message.Get(HeaderId::kCallId));
        SipMessage subscribe = message;
        host.StartTimer(answer_after, [this, subscribe] {
          SipMessage ok = agent->MakeResponse(subscribe, 200);
          ok.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
          ok.Add(HeaderId::kExpires, "3600");
          agent->Receive(ok, kPcscf);
        });
        host.StartTimer(notify_after, [this, subscribe] {
          SipMessage ok = agent->MakeResponse(subscribe, 200);
          agent->Receive(NotifyFor(subscribe, TagOf(ok), "active;expires=3600", ""), kPcscf);
        });
      } else if (message.method() == Method::kNotify) {
        SipMessage notify = message;
        host.StartTimer(10ms, [this, notify] { agent->Receive(agent->MakeResponse(notify, 200), kPcscf); });
      }
    };
  }

  SipMessage NotifyFor(const SipMessage& subscribe, const std::string& tag, const std::string& state,
                       const std::string& body) {
    SipMessage notify = SipMessage::MakeRequest(Method::kNotify, kContact);
    notify.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKn" + std::to_string(++branch));
    notify.Add(HeaderId::kMaxForwards, "69");
    notify.Add(HeaderId::kFrom, std::string("<") + kSender + ">;tag=" + tag);
    notify.Add(HeaderId::kTo, std::string(*subscribe.Get(HeaderId::kFrom)));
    notify.Add(HeaderId::kCallId, std::string(*subscribe.Get(HeaderId::kCallId)));
    notify.Add(HeaderId::kCSeq, std::to_string(++notify_cseq) + " NOTIFY");
    notify.Add(HeaderId::kEvent, "ua-profile");
    notify.Add(HeaderId::kSubscriptionState, state);
    notify.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
    if (!body.empty()) notify.SetBody(body, "text/plain");
    return notify;
  }

  SipMessage Refer(const std::string& call_id, bool asserted = true) {
    SipMessage refer = Request(Method::kRefer, call_id, "", asserted);
    refer.Add(HeaderId::kRecordRoute, "<sip:pcscf.home1.net;lr>");
    refer.Add(HeaderId::kReferTo,
              "<sip:push-as.home1.net;method=SUBSCRIBE?Event=ua-profile%3Bprofile-type%3D%22application%22%3B"
              "appids%3D%22mms.ua%22&Accept-Contact=*%3B%2Bg.oma.pusheventapp%3D%22mms.ua%22>");
    return refer;
  }

  // The NOTIFYs of one REFER dialog, retransmissions (same CSeq, RFC 3261 17.1.2.2) left out.
  std::vector<const SipMessage*> ReferNotifies(const std::string& call_id) const {
    std::vector<const SipMessage*> out;
    for (const auto* sent : host.Requests(Method::kNotify)) {
      if (sent->message.Get(HeaderId::kCallId) != std::optional<std::string_view>(call_id)) continue;
      const bool seen = std::any_of(out.begin(), out.end(), [&](const SipMessage* earlier) {
        return earlier->Get(HeaderId::kCSeq) == sent->message.Get(HeaderId::kCSeq);
      });
      if (!seen) out.push_back(&sent->message);
    }
    return out;
  }

  std::vector<sip::TimePoint> subscribe_times;
  std::vector<std::string> subscribe_call_ids;
  int notify_cseq = 0;
};

TEST_F(PushSubscriptionTest, Sub004_SubscribeNotifyDeliversAndRefreshes) {
  Start();
  const std::uint64_t id = agent->Subscribe(kSender, "mms.ua", 600);
  auto subscribes = host.Requests(Method::kSubscribe);
  ASSERT_EQ(subscribes.size(), 1u);
  const SipMessage subscribe = subscribes[0]->message;
  EXPECT_EQ(subscribe.request_uri(), kSender);
  EXPECT_EQ(subscribe.Get(HeaderId::kEvent),
            std::optional<std::string_view>("ua-profile;profile-type=\"application\";appids=\"mms.ua\""));
  EXPECT_EQ(subscribe.Get(HeaderId::kExpires), std::optional<std::string_view>("600"));
  EXPECT_EQ(subscribes[0]->to, kPcscf);
  SipMessage ok = agent->MakeResponse(subscribe, 200);
  ok.Add(HeaderId::kExpires, "600");
  ok.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
  agent->Receive(ok, kPcscf);
  EXPECT_EQ(agent->subscription(id)->state, PushSubscriptionState::kActive);
  // The NOTIFY with content: 200 (the delivery report) and a push via NOTIFY.
  agent->Receive(NotifyFor(subscribe, TagOf(ok), "active;expires=600", "new profile"), kPcscf);
  EXPECT_EQ(LastResponse()->status_code(), 200);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].via, PushVia::kNotify);
  EXPECT_EQ(deliveries[0].body, "new profile");
  EXPECT_EQ(deliveries[0].app_id, "mms.ua");
  // Refresh at half the lifetime (600 s <= 1200 s), in the same dialog.
  host.Advance(299s);
  EXPECT_EQ(host.Requests(Method::kSubscribe).size(), 1u);
  host.Advance(1s);
  subscribes = host.Requests(Method::kSubscribe);
  ASSERT_EQ(subscribes.size(), 2u);
  EXPECT_EQ(subscribes[1]->message.Get(HeaderId::kCallId), subscribe.Get(HeaderId::kCallId));
  EXPECT_EQ(subscribes[1]->message.request_uri(), "sip:push-as.home1.net:5060");
  EXPECT_EQ(TagOf(subscribes[1]->message, HeaderId::kTo), TagOf(ok));
  // Unsubscribe: Expires 0 (RFC 6665 4.1.2.3).
  agent->Unsubscribe(id);
  EXPECT_EQ(host.Requests(Method::kSubscribe).back()->message.Get(HeaderId::kExpires),
            std::optional<std::string_view>("0"));
}

TEST_F(PushSubscriptionTest, Sub004_TerminatedNotifyEndsTheSubscription) {
  Start();
  const std::uint64_t id = agent->Subscribe(kSender, "mms.ua", 600);
  const SipMessage subscribe = host.Requests(Method::kSubscribe)[0]->message;
  SipMessage ok = agent->MakeResponse(subscribe, 200);
  agent->Receive(ok, kPcscf);
  agent->Receive(NotifyFor(subscribe, TagOf(ok), "terminated;reason=noresource", ""), kPcscf);
  EXPECT_EQ(LastResponse()->status_code(), 200);
  EXPECT_FALSE(agent->subscription(id).has_value());
  // A NOTIFY for it now: 481 (RFC 6665 4.1.3).
  agent->Receive(NotifyFor(subscribe, TagOf(ok), "active;expires=600", "late"), kPcscf);
  EXPECT_EQ(LastResponse()->status_code(), 481);
  EXPECT_TRUE(deliveries.empty());
}

TEST_F(PushSubscriptionTest, Refer003_6_2_3_5_Step1_UntrustedReferForbidden) {
  Start();
  agent->Receive(Refer("r1", false), kPcscf);
  EXPECT_NE(ResponseTo("r1", 403), nullptr);
  EXPECT_TRUE(host.Requests(Method::kSubscribe).empty());
}

TEST_F(PushSubscriptionTest, Refer003_6_2_3_5_AcceptNotifySubscribeAndFinalNotify) {
  Start();
  agent->Receive(Refer("r1"), kPcscf);
  const SipMessage* accepted = ResponseTo("r1", 202);
  ASSERT_NE(accepted, nullptr);
  EXPECT_TRUE(accepted->Has(HeaderId::kContact));
  // RFC 3515 2.4.4: the immediate NOTIFY, 100 Trying, in the REFER dialog via the P-CSCF.
  auto notifies = ReferNotifies("r1");
  ASSERT_EQ(notifies.size(), 1u);
  EXPECT_EQ(notifies[0]->Get(HeaderId::kEvent), std::optional<std::string_view>("refer"));
  EXPECT_EQ(notifies[0]->Get(HeaderId::kSubscriptionState), std::optional<std::string_view>("active;expires=600"));
  EXPECT_EQ(notifies[0]->Get(HeaderId::kContentType), std::optional<std::string_view>("message/sipfrag;version=2.0"));
  EXPECT_EQ(notifies[0]->body(), "SIP/2.0 100 Trying\r\n");
  EXPECT_EQ(notifies[0]->Get(HeaderId::kRoute), std::optional<std::string_view>("<sip:pcscf.home1.net;lr>"));
  EXPECT_EQ(notifies[0]->request_uri(), "sip:push-as.home1.net:5060");
  EXPECT_EQ(TagOf(*notifies[0], HeaderId::kFrom), TagOf(*accepted));
  // Step 5: SUBSCRIBE as the Refer-To says, in a separate dialog, with the URI's headers.
  auto subscribes = host.Requests(Method::kSubscribe);
  ASSERT_EQ(subscribes.size(), 1u);
  const SipMessage subscribe = subscribes[0]->message;
  EXPECT_EQ(subscribe.request_uri(), kSender);
  EXPECT_NE(subscribe.Get(HeaderId::kCallId), std::optional<std::string_view>("r1"));
  EXPECT_EQ(subscribe.Get(HeaderId::kEvent),
            std::optional<std::string_view>("ua-profile;profile-type=\"application\";appids=\"mms.ua\""));
  EXPECT_EQ(subscribe.Get(HeaderId::kAcceptContact),
            std::optional<std::string_view>("*;+g.oma.pusheventapp=\"mms.ua\""));
  // The first NOTIFY of the ua-profile subscription triggers the final refer NOTIFY.
  SipMessage ok = agent->MakeResponse(subscribe, 200);
  ok.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
  agent->Receive(ok, kPcscf);
  EXPECT_EQ(ReferNotifies("r1").size(), 1u);
  agent->Receive(NotifyFor(subscribe, TagOf(ok), "active;expires=3600", ""), kPcscf);
  notifies = ReferNotifies("r1");
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->Get(HeaderId::kSubscriptionState),
            std::optional<std::string_view>("terminated;reason=noresource"));
  EXPECT_EQ(notifies[1]->body(), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(notifies[1]->Get(HeaderId::kCSeq), std::optional<std::string_view>("2 NOTIFY"));
}

TEST_F(PushSubscriptionTest, Refer003_Lockout_DeferredReferGetsPendingNotifyAndRunsAfter) {
  config.lockout_mode = ReferLockoutMode::kDefer;
  Start();
  std::vector<std::uint64_t> deferred;
  agent->on_refer_deferred = [&](const ReferEvent& event) { deferred.push_back(event.refer_id); };
  agent->Receive(Refer("r1"), kPcscf);
  agent->Receive(Refer("r2"), kPcscf);
  EXPECT_NE(ResponseTo("r2", 202), nullptr);  // 003: the REFER dialog is accepted
  auto notifies = ReferNotifies("r2");
  ASSERT_EQ(notifies.size(), 1u);
  EXPECT_EQ(notifies[0]->Get(HeaderId::kSubscriptionState), std::optional<std::string_view>("pending;expires=600"));
  EXPECT_EQ(notifies[0]->body(), "SIP/2.0 100 Trying\r\n");
  EXPECT_EQ(deferred.size(), 1u);
  EXPECT_EQ(host.Requests(Method::kSubscribe).size(), 1u);  // one REFER at a time
  // r1 completes; its dialog ends with the 200 to the final NOTIFY; then r2 runs.
  AutoNotifier(20ms, 30ms);
  const SipMessage subscribe = host.Requests(Method::kSubscribe)[0]->message;
  SipMessage ok = agent->MakeResponse(subscribe, 200);
  agent->Receive(ok, kPcscf);
  agent->Receive(NotifyFor(subscribe, TagOf(ok), "active;expires=3600", ""), kPcscf);
  EXPECT_EQ(host.Requests(Method::kSubscribe).size(), 1u);
  host.Advance(10ms);  // the 200 to r1's final NOTIFY
  EXPECT_EQ(host.Requests(Method::kSubscribe).size(), 2u);
  notifies = ReferNotifies("r2");
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->Get(HeaderId::kSubscriptionState), std::optional<std::string_view>("active;expires=600"));
}

TEST_F(PushSubscriptionTest, Refer003_Lockout_DiscardedReferGets503WithRetryAfter) {
  config.lockout_mode = ReferLockoutMode::kDiscard;
  config.retry_after_seconds = 7;
  Start();
  agent->Receive(Refer("r1"), kPcscf);
  agent->Receive(Refer("r2"), kPcscf);
  const SipMessage* rejected = ResponseTo("r2", 503);
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->Get(HeaderId::kRetryAfter), std::optional<std::string_view>("7"));
  EXPECT_TRUE(ReferNotifies("r2").empty());
}

TEST_F(PushSubscriptionTest, Refer003_Lockout_TimerAbandonsAStuckRefer) {
  config.lockout_mode = ReferLockoutMode::kDefer;
  config.lockout_duration = 5s;
  Start();
  agent->Receive(Refer("r1"), kPcscf);
  agent->Receive(Refer("r2"), kPcscf);
  host.Advance(5s);  // the notifier never answers
  auto notifies = ReferNotifies("r1");
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->body(), "SIP/2.0 408 Request Timeout\r\n");
  std::set<std::string> dialogs;  // distinct SUBSCRIBEs (the unanswered one is retransmitted)
  for (const auto* sent : host.Requests(Method::kSubscribe)) dialogs.emplace(*sent->message.Get(HeaderId::kCallId));
  EXPECT_EQ(dialogs.size(), 2u);  // r2 runs now
}

// 50 REFERs in one second (one every 20 ms); the notifier answers each SUBSCRIBE after 20 ms and
// NOTIFYs after 30 ms; each refer dialog ends 10 ms after its final NOTIFY, i.e. 40 ms after
// its SUBSCRIBE.
TEST_F(PushSubscriptionTest, Refer003_Lockout_FloodDeferredInOrderOneAtATime) {
  config.lockout_mode = ReferLockoutMode::kDefer;
  Start();
  AutoNotifier(20ms, 30ms);
  std::vector<std::string> refer_call_ids;
  for (int i = 0; i < 50; ++i) {
    refer_call_ids.push_back("flood" + std::to_string(i));
    agent->Receive(Refer(refer_call_ids.back()), kPcscf);
    host.Advance(20ms);
  }
  host.Advance(5s);
  ASSERT_EQ(subscribe_times.size(), 50u);
  for (std::size_t i = 1; i < subscribe_times.size(); ++i) {
    EXPECT_EQ(subscribe_times[i] - subscribe_times[i - 1], sip::Duration(40ms)) << i;
  }
  // Arrival order: the n-th SUBSCRIBE is for the n-th REFER (its refer dialog got the final NOTIFY).
  for (std::size_t i = 0; i < 50; ++i) {
    auto notifies = ReferNotifies(refer_call_ids[i]);
    ASSERT_FALSE(notifies.empty());
    EXPECT_EQ(notifies.back()->Get(HeaderId::kSubscriptionState),
              std::optional<std::string_view>("terminated;reason=noresource"));
  }
  EXPECT_EQ(agent->stats().refers_deferred, 49u);
  EXPECT_EQ(agent->stats().refers_processed, 50u);
  EXPECT_FALSE(agent->lockout_active());
}

TEST_F(PushSubscriptionTest, Refer003_Lockout_FloodDiscardedWhileLocked) {
  config.lockout_mode = ReferLockoutMode::kDiscard;
  Start();
  AutoNotifier(20ms, 30ms);
  for (int i = 0; i < 50; ++i) {
    agent->Receive(Refer("flood" + std::to_string(i)), kPcscf);
    host.Advance(20ms);
  }
  host.Advance(5s);
  // Each REFER holds the lockout for 40 ms: REFERs at 0, 40, 80 ... ms run, the odd ones get 503.
  EXPECT_EQ(subscribe_times.size(), 25u);
  EXPECT_EQ(agent->stats().refers_discarded, 25u);
  EXPECT_NE(ResponseTo("flood1", 503), nullptr);
  EXPECT_NE(ResponseTo("flood2", 202), nullptr);
}

TEST_F(PushSubscriptionTest, Refer003_NoLockout_FloodProcessedInParallel) {
  config.lockout_mode = ReferLockoutMode::kNone;
  Start();
  AutoNotifier(20ms, 30ms);
  for (int i = 0; i < 50; ++i) {
    agent->Receive(Refer("flood" + std::to_string(i)), kPcscf);
    host.Advance(20ms);
  }
  host.Advance(5s);
  ASSERT_EQ(subscribe_times.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) EXPECT_EQ(subscribe_times[i], sip::TimePoint(20ms * i)) << i;
  EXPECT_EQ(agent->stats().lockouts_engaged, 0u);
}

TEST_F(PushSubscriptionTest, TS_9_1_1_MessageAcceptedDuringReferFlood) {
  config.lockout_mode = ReferLockoutMode::kDefer;
  Start();
  AutoNotifier(20ms, 30ms);
  for (int i = 0; i < 50; ++i) {
    agent->Receive(Refer("flood" + std::to_string(i)), kPcscf);
    if (i == 25) {
      SipMessage message = Request(Method::kMessage, "m1");
      message.SetBody("during flood", "text/plain");
      agent->Receive(message, kPcscf);
      EXPECT_NE(ResponseTo("m1", 200), nullptr);
      ASSERT_EQ(deliveries.size(), 1u);
      EXPECT_EQ(deliveries[0].body, "during flood");
    }
    host.Advance(20ms);
  }
}

}  // namespace
}  // namespace pushsim::push
