// The UE user agent: REGISTER contents (TS 24.229 5.1.1.2), refreshes (5.1.1.4), GRUU (RFC 5627),
// Service-Route (RFC 3608), de-registration (5.1.1.6), 423 and failure handling, MESSAGE routing
// (5.1.2A.1) and the UAS answers.
#include "sip/user_agent.h"

#include <gtest/gtest.h>

#include "support/fake_host.h"
#include "wire/sip_headers.h"

namespace pushsim::sip {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const Endpoint kPcscf{0x0A000001, 5060, Transport::kUdp};  // 10.0.0.1
const Endpoint kUe{0x0A000002, 5060, Transport::kUdp};     // 10.0.0.2
constexpr const char* kInstance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
constexpr const char* kPubGruu = "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
constexpr const char* kTempGruu = "sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@home1.net;gr";

class UserAgentTest : public ::testing::Test {
 protected:
  UserAgentTest() {
    resolver.Add("pcscf.home1.net", kPcscf.address);
    config.element.host = "10.0.0.2";
    config.element.local = kUe;
    config.aor = "sip:alice@home1.net";
    config.outbound_proxy = "sip:pcscf.home1.net";
    config.contact_params = {wire::Param{"+g.oma.pusheventapp", "\"mms.ua\""}};
    config.instance = kInstance;
    config.gruu = true;
    config.expires = 600000;
  }

  void Start() {
    ua = std::make_unique<UserAgent>(host, resolver, config);
    ua->on_registration_state = [this](const RegistrationEvent& event) { events.push_back(event); };
  }

  std::vector<const FakeHost::Sent*> Registers() const { return host.Requests(Method::kRegister); }
  const SipMessage& LastRegister() const { return Registers().back()->message; }

  // The registrar's 200 to `request`: our contact with the granted expiry and GRUUs.
  SipMessage Ok(const SipMessage& request, std::uint32_t expires) {
    SipMessage response = ua->MakeResponse(request, 200);
    response.Add(HeaderId::kContact, std::string("<sip:alice@10.0.0.2:5060>;expires=") + std::to_string(expires) +
                                         ";+sip.instance=\"" + kInstance + "\";pub-gruu=\"" + kPubGruu +
                                         "\";temp-gruu=\"" + kTempGruu + "\"");
    response.Add(HeaderId::kServiceRoute, "<sip:orig@scscf.home1.net;lr>");
    response.Add(HeaderId::kPAssociatedUri, "<sip:alice@home1.net>, <tel:+358504821437>");
    return response;
  }

  FakeHost host;
  Resolver resolver;
  UserAgentConfig config;
  std::unique_ptr<UserAgent> ua;
  std::vector<RegistrationEvent> events;
};

TEST_F(UserAgentTest, TS24229_5_1_1_2_1_InitialRegisterContents) {
  Start();
  ua->Register();
  ASSERT_EQ(Registers().size(), 1u);
  EXPECT_EQ(Registers()[0]->to, kPcscf);  // the P-CSCF is the first hop
  const SipMessage& request = LastRegister();
  EXPECT_EQ(request.request_uri(), "sip:home1.net");  // the home network domain
  EXPECT_FALSE(request.Has(HeaderId::kRoute));         // TS 34.229-1 A.1.1: Route not present
  auto from = wire::ParseFromTo(*request.Get(HeaderId::kFrom));
  auto to = wire::ParseFromTo(*request.Get(HeaderId::kTo));
  ASSERT_TRUE(from.ok());
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(from->uri, "sip:alice@home1.net");
  EXPECT_TRUE(wire::HasParam(from->params, "tag"));
  EXPECT_EQ(to->uri, "sip:alice@home1.net");
  EXPECT_FALSE(wire::HasParam(to->params, "tag"));
  EXPECT_EQ(request.Get(HeaderId::kCSeq), "1 REGISTER");
  EXPECT_EQ(request.Get(HeaderId::kMaxForwards), "70");
  EXPECT_EQ(request.Get(HeaderId::kExpires), "600000");

  auto contacts = wire::ParseContacts(request);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  const wire::Contact& contact = contacts->front();
  EXPECT_EQ(contact.address.uri, "sip:alice@10.0.0.2:5060");
  EXPECT_EQ(contact.instance(), std::string(kInstance));  // RFC 5626 4.1
  const wire::Param* tag = wire::FindParam(contact.address.params, "+g.oma.pusheventapp");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->Unquoted(), "mms.ua");

  auto supported = wire::ParseTokenList(request, HeaderId::kSupported);
  ASSERT_TRUE(supported.ok());
  EXPECT_EQ(*supported, (std::vector<std::string>{"path", "gruu"}));

  auto vias = wire::ParseVias(request);
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 1u);
  EXPECT_EQ(vias->front().host, "10.0.0.2");
  EXPECT_EQ(vias->front().port, 5060);
  EXPECT_EQ(vias->front().branch().substr(0, 7), "z9hG4bK");
  EXPECT_EQ(ua->registration_state(), RegistrationState::kRegistering);
}

TEST_F(UserAgentTest, RFC5627_4_1_NoGruuOptionTagWhenGruuIsOff) {
  config.gruu = false;
  config.instance.clear();
  Start();
  ua->Register();
  auto supported = wire::ParseTokenList(LastRegister(), HeaderId::kSupported);
  ASSERT_TRUE(supported.ok());
  EXPECT_EQ(*supported, std::vector<std::string>{"path"});
  auto contacts = wire::ParseContacts(LastRegister());
  ASSERT_TRUE(contacts.ok());
  EXPECT_FALSE(contacts->front().instance().has_value());
}

TEST_F(UserAgentTest, TS24229_5_1_1_4_1_RefreshSixHundredSecondsBeforeExpiry) {
  Start();
  ua->Register();
  host.Advance(250ms);
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, RegistrationState::kRegistered);
  EXPECT_EQ(events[0].code, 200);
  EXPECT_EQ(events[0].expires, 3600u);
  EXPECT_EQ(events[0].delay, Duration(250ms));  // RFC 6076 4.1: REGISTER to final response
  EXPECT_EQ(events[0].retransmissions, 0);
  EXPECT_EQ(ua->expires_at(), TimePoint(250ms) + 3600s);

  // 3600 s > 1200 s: refresh at 3600 - 600 = 3000 s after the 200.
  host.Advance(3000s - 1ms);
  EXPECT_EQ(Registers().size(), 1u);
  host.Advance(1ms);
  ASSERT_EQ(Registers().size(), 2u);
  const SipMessage& refresh = LastRegister();
  EXPECT_EQ(Registers()[1]->at, TimePoint(250ms) + 3000s);
  EXPECT_EQ(refresh.Get(HeaderId::kCallId), Registers()[0]->message.Get(HeaderId::kCallId));  // RFC 3261 10.2
  EXPECT_EQ(refresh.Get(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_EQ(refresh.Get(HeaderId::kExpires), "600000");
  EXPECT_EQ(ua->registration_state(), RegistrationState::kRegistered);  // still bound while refreshing
}

TEST_F(UserAgentTest, TS24229_5_1_1_4_1_RefreshAtHalfTimeUpTo1200Seconds) {
  EXPECT_EQ(UserAgent::RefreshDelay(1201), Duration(601s));
  EXPECT_EQ(UserAgent::RefreshDelay(1200), Duration(600s));
  EXPECT_EQ(UserAgent::RefreshDelay(600001), Duration(599401s));
  EXPECT_EQ(UserAgent::RefreshDelay(7), Duration(3500ms));
  Start();
  ua->Register();
  ua->Receive(Ok(LastRegister(), 120), kPcscf);
  host.Advance(60s - 1ms);
  EXPECT_EQ(Registers().size(), 1u);
  host.Advance(1ms);
  EXPECT_EQ(Registers().size(), 2u);
}

TEST_F(UserAgentTest, RFC3261_10_2_4_ExpiresHeaderWhenTheContactHasNone) {
  Start();
  ua->Register();
  SipMessage response = ua->MakeResponse(LastRegister(), 200);
  response.Add(HeaderId::kContact, std::string("<sip:alice@10.0.0.2:5060>;+sip.instance=\"") + kInstance + "\"");
  response.Add(HeaderId::kExpires, "1000");
  ua->Receive(response, kPcscf);
  EXPECT_EQ(ua->granted_expires(), 1000u);
  host.Advance(500s);  // half of 1000 s
  EXPECT_EQ(Registers().size(), 2u);
}

TEST_F(UserAgentTest, RFC5627_5_GruusOfOwnInstanceAreKept) {
  Start();
  ua->Register();
  SipMessage response = ua->MakeResponse(LastRegister(), 200);
  // Another device of the same user comes first; ours is matched by +sip.instance.
  response.Add(HeaderId::kContact,
               "<sip:alice@10.0.0.9:5060>;expires=500;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000009>\";"
               "pub-gruu=\"sip:alice@home1.net;gr=urn:uuid:00000000-0000-0000-0000-000000000009\"");
  response.Add(HeaderId::kContact, std::string("<sip:alice@10.0.0.2:5060>;expires=3600;+sip.instance=\"") +
                                       kInstance + "\";pub-gruu=\"" + kPubGruu + "\";temp-gruu=\"" + kTempGruu + "\"");
  ua->Receive(response, kPcscf);
  ASSERT_TRUE(ua->pub_gruu().has_value());
  EXPECT_EQ(*ua->pub_gruu(), kPubGruu);
  ASSERT_TRUE(ua->temp_gruu().has_value());
  EXPECT_EQ(*ua->temp_gruu(), kTempGruu);
  EXPECT_EQ(ua->granted_expires(), 3600u);  // our binding's expiry, not the other device's
}

TEST_F(UserAgentTest, RFC3608_6_1_MessageRoutedOverPcscfAndServiceRoute) {
  Start();
  ua->Register();
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  EXPECT_EQ(ua->service_route(), std::vector<std::string>{"<sip:orig@scscf.home1.net;lr>"});
  EXPECT_EQ(ua->associated_uris(), (std::vector<std::string>{"sip:alice@home1.net", "tel:+358504821437"}));

  ua->SendMessage("sip:bob@home1.net", "text/plain", "hello", {{"Accept-Contact", "*;+g.oma.pusheventapp=\"mms.ua\""}},
                  {}, "sip:alice@home1.net");
  const auto messages = host.Requests(Method::kMessage);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]->to, kPcscf);
  const SipMessage& message = messages[0]->message;
  EXPECT_EQ(message.request_uri(), "sip:bob@home1.net");
  // TS 24.229 5.1.2A.1.1: the P-CSCF first, then the Service-Route.
  EXPECT_EQ(message.GetAll(HeaderId::kRoute),
            (std::vector<std::string_view>{"<sip:pcscf.home1.net;lr>", "<sip:orig@scscf.home1.net;lr>"}));
  EXPECT_EQ(message.Get(HeaderId::kPPreferredIdentity), "<sip:alice@home1.net>");
  EXPECT_EQ(message.Get("Accept-Contact"), "*;+g.oma.pusheventapp=\"mms.ua\"");
  EXPECT_EQ(message.Get(HeaderId::kContentType), "text/plain");
  EXPECT_EQ(message.body(), "hello");
  EXPECT_EQ(message.Get(HeaderId::kCSeq), "1 MESSAGE");
  auto to = wire::ParseFromTo(*message.Get(HeaderId::kTo));
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->uri, "sip:bob@home1.net");
  EXPECT_NE(message.Get(HeaderId::kCallId), LastRegister().Get(HeaderId::kCallId));
}

TEST_F(UserAgentTest, MessageBeforeRegistrationGoesToTheOutboundProxyOnly) {
  Start();
  int final_code = 0;
  ua->SendMessage("sip:bob@home1.net", "text/plain", "x", {},
                  [&](const SipMessage* response, const ClientOutcome&) { final_code = response ? response->status_code() : 408; });
  const auto messages = host.Requests(Method::kMessage);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]->message.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:pcscf.home1.net;lr>"});
  EXPECT_FALSE(messages[0]->message.Has(HeaderId::kPPreferredIdentity));
  ua->Receive(ua->MakeResponse(messages[0]->message, 202), kPcscf);
  EXPECT_EQ(final_code, 202);
}

TEST_F(UserAgentTest, TS24229_5_1_1_6_DeregistrationSendsExpiresZeroAndStopsRefreshes) {
  Start();
  ua->Register();
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  host.Advance(100s);
  ua->Deregister();
  ASSERT_EQ(Registers().size(), 2u);
  const SipMessage& request = LastRegister();
  EXPECT_EQ(request.Get(HeaderId::kExpires), "0");
  EXPECT_EQ(request.Get(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_EQ(request.Get(HeaderId::kCallId), Registers()[0]->message.Get(HeaderId::kCallId));
  auto contacts = wire::ParseContacts(request);
  ASSERT_TRUE(contacts.ok());
  EXPECT_EQ(contacts->front().instance(), std::string(kInstance));
  EXPECT_EQ(ua->registration_state(), RegistrationState::kDeregistering);

  ua->Receive(ua->MakeResponse(request, 200), kPcscf);
  EXPECT_EQ(ua->registration_state(), RegistrationState::kUnregistered);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].state, RegistrationState::kUnregistered);
  EXPECT_EQ(events[1].code, 200);
  EXPECT_FALSE(ua->pub_gruu().has_value());
  EXPECT_TRUE(ua->service_route().empty());
  host.Advance(10000s);
  EXPECT_EQ(Registers().size(), 2u);  // no refresh after de-registration
}

TEST_F(UserAgentTest, ReRegistrationWithoutTheFeatureTag) {
  Start();
  ua->Register();
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  ua->ReRegister({});
  ASSERT_EQ(Registers().size(), 2u);
  const SipMessage& request = LastRegister();
  EXPECT_EQ(request.Get(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_EQ(request.Get(HeaderId::kExpires), "600000");
  auto contacts = wire::ParseContacts(request);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ(wire::FindParam(contacts->front().address.params, "+g.oma.pusheventapp"), nullptr);
  EXPECT_EQ(contacts->front().instance(), std::string(kInstance));  // the same device
}

TEST_F(UserAgentTest, RFC3261_10_2_RegisterWaitsForThePreviousFinalResponse) {
  Start();
  ua->Register();
  ua->ReRegister({});
  EXPECT_EQ(Registers().size(), 1u);  // queued behind the first
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  ASSERT_EQ(Registers().size(), 2u);
  EXPECT_EQ(LastRegister().Get(HeaderId::kCSeq), "2 REGISTER");
}

TEST_F(UserAgentTest, RFC3261_10_2_8_IntervalTooBriefRetriesWithMinExpires) {
  config.expires = 600;
  Start();
  ua->Register();
  host.Advance(100ms);
  SipMessage brief = ua->MakeResponse(LastRegister(), 423);
  brief.Add(HeaderId::kMinExpires, "7200");
  ua->Receive(brief, kPcscf);
  ASSERT_EQ(Registers().size(), 2u);  // at once, no back-off
  EXPECT_EQ(Registers()[1]->at, TimePoint(100ms));
  EXPECT_EQ(LastRegister().Get(HeaderId::kExpires), "7200");
  EXPECT_EQ(LastRegister().Get(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_TRUE(events.empty());  // the attempt goes on
  host.Advance(100ms);
  ua->Receive(Ok(LastRegister(), 7200), kPcscf);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 200);
  EXPECT_EQ(events[0].delay, Duration(200ms));  // from the first REGISTER of the attempt
  // Refreshes keep the larger lifetime: 7200 - 600 = 6600 s later.
  host.Advance(6600s);
  ASSERT_EQ(Registers().size(), 3u);
  EXPECT_EQ(LastRegister().Get(HeaderId::kExpires), "7200");
}

TEST_F(UserAgentTest, RFC3261_10_2_8_A423WithoutALargerMinExpiresIsAFailure) {
  config.expires = 600;
  Start();
  ua->Register();
  SipMessage brief = ua->MakeResponse(LastRegister(), 423);
  brief.Add(HeaderId::kMinExpires, "300");
  ua->Receive(brief, kPcscf);
  EXPECT_EQ(Registers().size(), 1u);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 423);
  EXPECT_EQ(events[0].state, RegistrationState::kUnregistered);
}

TEST_F(UserAgentTest, RFC3261_20_33_FailureRetriesAfterRetryAfter) {
  Start();
  ua->Register();
  SipMessage busy = ua->MakeResponse(LastRegister(), 503);
  busy.Add(HeaderId::kRetryAfter, "30 (overload)");
  ua->Receive(busy, kPcscf);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, RegistrationState::kUnregistered);
  EXPECT_EQ(events[0].code, 503);
  EXPECT_EQ(ua->consecutive_failures(), 1);
  host.Advance(30s - 1ms);
  EXPECT_EQ(Registers().size(), 1u);
  host.Advance(1ms);
  ASSERT_EQ(Registers().size(), 2u);
  EXPECT_EQ(LastRegister().Get(HeaderId::kCSeq), "2 REGISTER");
  ua->Receive(Ok(LastRegister(), 3600), kPcscf);
  EXPECT_EQ(ua->consecutive_failures(), 0);
  EXPECT_EQ(ua->registration_state(), RegistrationState::kRegistered);
}

TEST_F(UserAgentTest, RFC5626_4_5_BackoffBoundsAndDeterminism) {
  config.retry_base = 30s;
  config.retry_max = 1800s;
  Start();
  // failures 1: min(1800, 30 * 2) = 60 s, drawn in [30 s, 60 s].
  const Duration first = ua->BackoffDelay(1);
  EXPECT_GE(first, Duration(30s));
  EXPECT_LE(first, Duration(60s));
  EXPECT_EQ(first, ua->BackoffDelay(1));
  // failures 10: 30 * 1024 > 1800, so [900 s, 1800 s].
  EXPECT_GE(ua->BackoffDelay(10), Duration(900s));
  EXPECT_LE(ua->BackoffDelay(10), Duration(1800s));
  EXPECT_LE(ua->BackoffDelay(1000), Duration(1800s));  // no overflow on absurd counts

  ua->Register();
  ua->Receive(ua->MakeResponse(LastRegister(), 403), kPcscf);
  host.Advance(first - 1ms);
  EXPECT_EQ(Registers().size(), 1u);
  host.Advance(1ms);
  EXPECT_EQ(Registers().size(), 2u);
}

TEST_F(UserAgentTest, RFC3261_17_1_2_2_TimeoutReportsRetransmissionsAnd408) {
  Start();
  ua->Register();
  host.Advance(40s);
  // Timer E over UDP: resends at 0.5, 1.5, 3.5, 7.5 s, then every T2 = 4 s: 11.5 ... 31.5 s;
  // timer F ends the transaction at 64 * T1 = 32 s. Ten retransmissions.
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 408);
  EXPECT_EQ(events[0].retransmissions, 10);
  EXPECT_EQ(events[0].delay, Duration(32s));
  EXPECT_EQ(events[0].state, RegistrationState::kUnregistered);
  const auto sent = Registers();
  EXPECT_GE(sent.size(), 11u);
  EXPECT_EQ(sent[10]->at, TimePoint(31500ms));
}

TEST_F(UserAgentTest, BindingExpiresWhenRefreshesFail) {
  Start();
  ua->Register();
  ua->Receive(Ok(LastRegister(), 120), kPcscf);
  host.Advance(60s);  // refresh sent, never answered: timer F at 92 s, binding ends at 120 s
  host.Advance(32s);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[1].code, 408);
  EXPECT_EQ(events[1].state, RegistrationState::kRegistered);  // the old binding still holds
  host.Advance(28s);
  EXPECT_EQ(ua->registration_state(), RegistrationState::kUnregistered);
  EXPECT_EQ(events.back().code, 0);
  EXPECT_EQ(events.back().state, RegistrationState::kUnregistered);
}

TEST_F(UserAgentTest, UnresolvableProxyIsAFailureNotACrash) {
  config.outbound_proxy = "sip:unknown.home1.net";
  Start();
  ua->Register();
  EXPECT_TRUE(Registers().empty());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].code, 503);
  EXPECT_EQ(ua->SendMessage("sip:bob@home1.net", "text/plain", "x"), 0u);
}

TEST_F(UserAgentTest, RFC3261_8_2_IncomingRequestsAreAnswered) {
  Start();
  std::vector<std::string> seen;
  ua->on_request = [&](const SipMessage& request) { seen.emplace_back(request.method_name()); };
  auto request = [](std::string_view method, std::string_view branch) {
    SipMessage message = SipMessage::MakeRequest(method, "sip:alice@10.0.0.2:5060");
    message.Add(HeaderId::kVia, std::string("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK") + std::string(branch));
    message.Add(HeaderId::kMaxForwards, "69");
    message.Add(HeaderId::kFrom, "<sip:push-as@home1.net>;tag=as1");
    message.Add(HeaderId::kTo, "<sip:alice@home1.net>");
    message.Add(HeaderId::kCallId, std::string("in-") + std::string(branch));
    message.Add(HeaderId::kCSeq, std::string("1 ") + std::string(method));
    return message;
  };
  ua->Receive(request("MESSAGE", "a"), kPcscf);
  ua->Receive(request("INFO", "b"), kPcscf);
  ASSERT_EQ(host.sent.size(), 2u);
  EXPECT_EQ(host.sent[0].message.status_code(), 200);
  EXPECT_EQ(host.sent[0].to, kPcscf);
  EXPECT_EQ(host.sent[0].message.Get(HeaderId::kCallId), "in-a");
  // RFC 3261 8.2.1 / 21.4.6: 405 with the methods the UA accepts.
  EXPECT_EQ(host.sent[1].message.status_code(), 405);
  EXPECT_EQ(host.sent[1].message.Get(HeaderId::kAllow), "MESSAGE, NOTIFY, OPTIONS");
  EXPECT_EQ(seen, (std::vector<std::string>{"MESSAGE", "INFO"}));

  ua->request_handler = [](const SipMessage&) { return 486; };
  ua->Receive(request("MESSAGE", "c"), kPcscf);
  ASSERT_EQ(host.sent.size(), 3u);
  EXPECT_EQ(host.sent[2].message.status_code(), 486);
  ua->request_handler = [](const SipMessage&) { return 42; };  // not a final code
  ua->Receive(request("MESSAGE", "d"), kPcscf);
  ASSERT_EQ(host.sent.size(), 4u);
  EXPECT_EQ(host.sent[3].message.status_code(), 500);
}

TEST(RegistrationStateName, NamesEveryState) {
  EXPECT_EQ(RegistrationStateName(RegistrationState::kUnregistered), "unregistered");
  EXPECT_EQ(RegistrationStateName(RegistrationState::kRegistering), "registering");
  EXPECT_EQ(RegistrationStateName(RegistrationState::kRegistered), "registered");
  EXPECT_EQ(RegistrationStateName(RegistrationState::kDeregistering), "deregistering");
}

}  // namespace
}  // namespace pushsim::sip
