// The S-CSCF as an element (TS 24.229 5.4): registration and its 200 (OK), GRUU routing,
// caller preferences, third-party registration by iFC with default handling, expiry,
// originating and terminating routing through application servers, reg subscriptions.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ims/reg_event.h"
#include "ims/scscf.h"
#include "support/fake_host.h"
#include "wire/body.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {
namespace {

using namespace std::chrono_literals;
using sip::Endpoint;
using sip::Transport;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const Endpoint kPcscf{0x0A000001, 5060, Transport::kUdp};   // 10.0.0.1
const Endpoint kScscf{0x0A000003, 5060, Transport::kUdp};   // 10.0.0.3
const Endpoint kPushAs{0x0A00000A, 5060, Transport::kUdp};  // 10.0.0.10
const Endpoint kMsgAs{0x0A00000B, 5060, Transport::kUdp};   // 10.0.0.11
const Endpoint kHome2{0x0A000063, 5060, Transport::kUdp};   // 10.0.0.99
const Endpoint kStranger{0x0A0000C8, 5060, Transport::kUdp};

constexpr std::string_view kAor = "sip:user2@home1.net";
constexpr std::string_view kInstance1 = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
constexpr std::string_view kInstance2 = "<urn:uuid:0c2e1e9a-5d3c-4b7e-9d0a-1b2c3d4e5f60>";
constexpr std::string_view kContact1 = "sip:user2@10.0.0.20:5060";
constexpr std::string_view kContact2 = "sip:user2@10.0.0.21:5060";
constexpr std::string_view kPath = "<sip:pcscf.home1.net:5060;lr>";

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string Contact(std::string_view uri, std::string_view instance, std::string_view extra = "") {
  return "<" + std::string(uri) + ">;+sip.instance=\"" + std::string(instance) + "\"" + std::string(extra);
}

// A REGISTER as the P-CSCF forwards it (TS 24.229 5.2.2.1: Path added, Via on top).
SipMessage RegisterRequest(const std::vector<std::string>& contacts, std::string_view call_id, std::uint32_t cseq,
                           std::string_view expires = "600") {
  SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
  request.Add(HeaderId::kVia,
              "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKpc" + std::string(call_id) + std::to_string(cseq));
  request.Add(HeaderId::kVia,
              "SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKue" + std::string(call_id) + std::to_string(cseq));
  request.Add(HeaderId::kMaxForwards, "69");
  request.Add(HeaderId::kFrom, "<sip:user2@home1.net>;tag=u" + std::string(call_id));
  request.Add(HeaderId::kTo, "<sip:user2@home1.net>");
  request.Add(HeaderId::kCallId, call_id);
  request.Add(HeaderId::kCSeq, std::to_string(cseq) + " REGISTER");
  for (const std::string& contact : contacts) request.Add(HeaderId::kContact, contact);
  request.Add(HeaderId::kPath, kPath);
  request.Add(HeaderId::kSupported, "path, gruu");
  request.Add(HeaderId::kExpires, expires);
  request.Add(HeaderId::kPChargingVector, "icid-value=\"AyretyU0dm+6O2IrT5tAFrbHLso=023551024\"");
  return request;
}

// An initial request arriving at the S-CSCF, from outside (terminating) unless a Route is given.
SipMessage Request(Method method, std::string_view request_uri, std::string_view route = "") {
  static int counter = 0;  // a new transaction each time (RFC 3261 17.2.3 matches on the branch)
  SipMessage request = SipMessage::MakeRequest(method, request_uri);
  request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.99:5060;branch=z9hG4bKext" + std::to_string(++counter));
  request.Add(HeaderId::kMaxForwards, "70");
  if (!route.empty()) request.Add(HeaderId::kRoute, route);
  request.Add(HeaderId::kFrom, "<sip:push-sender@home2.net>;tag=ps1");
  request.Add(HeaderId::kTo, "<sip:user2@home1.net>");
  request.Add(HeaderId::kCallId, "msg-" + std::string(request_uri));
  request.Add(HeaderId::kCSeq, std::string("1 ") + std::string(wire::MethodName(method)));
  if (method == Method::kInvite) request.Add(HeaderId::kContact, "<sip:push-sender@10.0.0.99>");
  return request;
}

class ScscfTest : public ::testing::Test {
 protected:
  ScscfTest() {
    resolver.Add("pcscf.home1.net", kPcscf.address);
    resolver.Add("scscf.home1.net", kScscf.address);
    resolver.Add("push-as.home1.net", kPushAs.address);
    resolver.Add("msg-as.home1.net", kMsgAs.address);
    resolver.Add("home2.net", kHome2.address);
  }

  void Start(std::optional<DefaultHandling> push_handling = std::nullopt, bool include_response = false) {
    auto subscription = ParseImsSubscription(ReadVector("hss/push-user.xml"));
    ASSERT_TRUE(subscription.ok()) << subscription.error().detail;
    ApplicationServer& push_as = subscription->service_profiles[0].initial_filter_criteria[0].application_server;
    if (push_handling) push_as.default_handling = push_handling;
    push_as.include_register_response = include_response;
    ASSERT_TRUE(hss.Add(std::move(subscription).value()).ok());
    config.element.host = "scscf.home1.net";
    config.element.local = kScscf;
    config.trusted_as_hosts = {"push-as.home1.net"};
    scscf = std::make_unique<Scscf>(host, resolver, config, hss);
    scscf->on_contact_change = [this](const std::string& aor, const ContactChange& change) {
      changes.emplace_back(aor, change);
    };
  }

  // Feeds a REGISTER, lets the Cx SAR delay pass, and returns the final response.
  SipMessage Register(const SipMessage& request) {
    const std::size_t before = host.sent.size();
    scscf->Receive(request, kPcscf);
    host.Advance(config.cx.sar_delay);
    for (std::size_t i = before; i < host.sent.size(); ++i) {
      const SipMessage& message = host.sent[i].message;
      if (message.IsResponse() && message.cseq_method() == Method::kRegister && message.status_code() >= 200) {
        return message;
      }
    }
    ADD_FAILURE() << "no final response to REGISTER";
    return SipMessage();
  }

  // Requests sent to an address (over either transport: large ones go over TCP, RFC 3261
  // 18.1.1), retransmissions of the same transaction counted once.
  std::vector<const FakeHost::Sent*> SentTo(const Endpoint& to, Method method) const {
    std::vector<const FakeHost::Sent*> out;
    for (const auto& sent : host.sent) {
      if (sent.to.address != to.address || sent.to.port != to.port) continue;
      if (!sent.message.IsRequest() || sent.message.method() != method) continue;
      const bool repeated = std::any_of(out.begin(), out.end(), [&](const FakeHost::Sent* earlier) {
        return earlier->message.Get(HeaderId::kVia) == sent.message.Get(HeaderId::kVia);
      });
      if (!repeated) out.push_back(&sent);
    }
    return out;
  }

  const SipMessage* LastResponse() const {
    for (auto it = host.sent.rbegin(); it != host.sent.rend(); ++it) {
      if (it->message.IsResponse() && it->message.status_code() >= 200) return &it->message;
    }
    return nullptr;
  }

  // What an application server does with a request routed through it (TS 24.229 5.7.3): it
  // removes its own Route, adds its Via, and sends the request back along the remaining Route.
  void ReturnFromAs(const SipMessage& request, const Endpoint& as) {
    SipMessage back = request;
    back.RemoveFirstElement(HeaderId::kRoute);
    back.Prepend(HeaderId::kVia,
                 "SIP/2.0/UDP " + as.HostText() + ":5060;branch=z9hG4bKas" + std::to_string(host.sent.size()));
    scscf->Receive(back, as);
  }

  void AnswerThirdParty(const FakeHost::Sent& sent, int code) {
    scscf->Receive(scscf->MakeResponse(sent.message, code), sent.to);
  }

  FakeHost host;
  sip::Resolver resolver;
  Hss hss;
  ScscfConfig config;
  std::unique_ptr<Scscf> scscf;
  std::vector<std::pair<std::string, ContactChange>> changes;
};

TEST_F(ScscfTest, TS24229_5_4_1_2_2_TwoHundredCarriesPathServiceRouteAssociatedUrisAndContacts) {
  Start();
  const SipMessage request =
      RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1);
  scscf->Receive(request, kPcscf);
  EXPECT_TRUE(host.sent.empty());  // the Cx SAR is still under way (TS 29.228 6.1.2)
  host.Advance(config.cx.sar_delay);
  const SipMessage* response = LastResponse();
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(host.sent.front().at, sip::TimePoint(config.cx.sar_delay));
  // RFC 3327 5.3: the Path comes back as received.
  EXPECT_EQ(response->GetAll(HeaderId::kPath), std::vector<std::string_view>{kPath});
  auto supported = wire::ParseTokenList(*response, HeaderId::kSupported);
  ASSERT_TRUE(supported.ok());
  EXPECT_EQ(*supported, std::vector<std::string>{"path"});
  // RFC 3608 / TS 24.229 5.4.1.2.2F: the route of the UE's originating requests.
  EXPECT_EQ(response->Get(HeaderId::kServiceRoute), "<sip:orig@scscf.home1.net;lr>");
  // RFC 3455 4.1: the implicit registration set, the registered identity first.
  auto associated = wire::ParseNameAddrList(*response, HeaderId::kPAssociatedUri);
  ASSERT_TRUE(associated.ok());
  ASSERT_EQ(associated->size(), 2u);
  EXPECT_EQ((*associated)[0].uri, "sip:user2@home1.net");
  EXPECT_EQ((*associated)[1].uri, "tel:+1-212-555-2222");
  // RFC 5627 5.1: every contact with its expiry and its GRUUs; no Require: gruu.
  auto contacts = wire::ParseContacts(*response);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 1u);
  const wire::Contact& contact = contacts->front();
  EXPECT_EQ(contact.address.uri, kContact1);
  EXPECT_EQ(contact.expires(), 600u);
  EXPECT_EQ(contact.instance(), kInstance1);
  EXPECT_EQ(contact.pub_gruu(), "sip:user2@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  ASSERT_TRUE(contact.temp_gruu().has_value());
  EXPECT_EQ(contact.temp_gruu()->rfind("sip:tgruu.", 0), 0u);
  EXPECT_FALSE(response->Has(HeaderId::kRequire));
  EXPECT_EQ(response->Get(HeaderId::kCallId), "reg1");
  // The HSS now names this S-CSCF for the user (Cx SAR), which the I-CSCF's LIR reads.
  EXPECT_EQ(hss.AssignedScscf(kAor), "sip:scscf.home1.net:5060");
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].first, kAor);
  EXPECT_EQ(changes[0].second.event, ContactEvent::kRegistered);
}

TEST_F(ScscfTest, TS24229_5_3_1_2_UnknownUserGets403) {
  Start();
  SipMessage request = RegisterRequest({"<sip:user9@10.0.0.20>"}, "reg9", 1);
  request.Set(HeaderId::kTo, "<sip:user9@home1.net>");
  const SipMessage response = Register(request);
  EXPECT_EQ(response.status_code(), 403);
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
  EXPECT_FALSE(hss.AssignedScscf("sip:user9@home1.net").has_value());
}

TEST_F(ScscfTest, RFC3261_10_3_IntervalTooBriefGets423WithMinExpires) {
  Start();
  const SipMessage response = Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg1", 1, "30"));
  EXPECT_EQ(response.status_code(), 423);
  EXPECT_EQ(response.Get(HeaderId::kMinExpires), "60");
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
  EXPECT_TRUE(SentTo(kPushAs, Method::kRegister).empty());
}

TEST_F(ScscfTest, RFC3261_10_3_Step7_RepeatedCSeqGets500) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg1", 4)).status_code(), 200);
  EXPECT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg1", 3, "900")).status_code(), 500);
  const Registrar::Record* record = scscf->registrar().Find(kAor);
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->bindings.front().cseq, 4u);
  EXPECT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg1", 5)).status_code(), 200);
}

TEST_F(ScscfTest, RFC5627_5_1_GruusDifferPerInstanceAndPubGruuReachesOnlyItsContact) {
  Start();
  const SipMessage response =
      Register(RegisterRequest({Contact(kContact1, kInstance1), Contact(kContact2, kInstance2)}, "reg1", 1));
  auto contacts = wire::ParseContacts(response);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 2u);
  const std::string gruu1 = *(*contacts)[0].pub_gruu();
  const std::string gruu2 = *(*contacts)[1].pub_gruu();
  EXPECT_NE(gruu1, gruu2);
  EXPECT_NE((*contacts)[0].temp_gruu(), (*contacts)[1].temp_gruu());

  scscf->Receive(Request(Method::kMessage, gruu2), kHome2);
  // TS 24.229 5.4.3.3: the terminating MESSAGE filter (priority 10) sends it to the messaging
  // AS first, with a Route back to this S-CSCF.
  const auto to_as = SentTo(kMsgAs, Method::kMessage);
  ASSERT_EQ(to_as.size(), 1u);
  const auto routes = to_as[0]->message.GetAll(HeaderId::kRoute);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0], "<sip:msg-as.home1.net;lr>");
  EXPECT_EQ(routes[1].rfind("<sip:scscf.home1.net:5060;lr;odi=", 0), 0u);
  EXPECT_EQ(to_as[0]->message.request_uri(), gruu2);
  EXPECT_TRUE(SentTo(kPcscf, Method::kMessage).empty());

  ReturnFromAs(to_as[0]->message, kMsgAs);
  const auto to_ue = SentTo(kPcscf, Method::kMessage);
  ASSERT_EQ(to_ue.size(), 1u);  // exactly that instance, not a fork
  EXPECT_EQ(to_ue[0]->message.request_uri(), kContact2);
  EXPECT_EQ(to_ue[0]->message.GetAll(HeaderId::kRoute), std::vector<std::string_view>{kPath});
  EXPECT_EQ(SentTo(kMsgAs, Method::kMessage).size(), 1u);  // the AS is not invoked twice
}

TEST_F(ScscfTest, RFC5627_5_3_TempGruuReachesItsInstance) {
  Start();
  const SipMessage response =
      Register(RegisterRequest({Contact(kContact1, kInstance1), Contact(kContact2, kInstance2)}, "reg1", 1));
  auto contacts = wire::ParseContacts(response);
  ASSERT_TRUE(contacts.ok());
  const std::string temp1 = *(*contacts)[0].temp_gruu();
  scscf->Receive(Request(Method::kOptions, temp1), kHome2);  // no filter for OPTIONS
  const auto to_ue = SentTo(kPcscf, Method::kOptions);
  ASSERT_EQ(to_ue.size(), 1u);
  EXPECT_EQ(to_ue[0]->message.request_uri(), kContact1);
}

TEST_F(ScscfTest, RFC5627_5_3_GruuOfEndedRegistrationGets480AndUnknownTempGruu404) {
  Start();
  const SipMessage response = Register(RegisterRequest({Contact(kContact1, kInstance1)}, "reg1", 1));
  auto contacts = wire::ParseContacts(response);
  ASSERT_TRUE(contacts.ok());
  const std::string pub = *contacts->front().pub_gruu();
  const std::string temp = *contacts->front().temp_gruu();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1)}, "reg1", 2, "0")).status_code(), 200);
  scscf->Receive(Request(Method::kOptions, pub), kHome2);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 480);  // the user exists, the instance is not registered
  scscf->Receive(Request(Method::kOptions, temp), kHome2);
  EXPECT_EQ(LastResponse()->status_code(), 404);  // a temporary GRUU dies with its registration
  EXPECT_TRUE(SentTo(kPcscf, Method::kOptions).empty());
}

TEST_F(ScscfTest, RFC3841_7_2_4_AcceptContactRequireExplicitReachesOnlyTheMmsUaTerminal) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  ASSERT_EQ(
      Register(RegisterRequest({Contact(kContact2, kInstance2, ";+g.oma.pusheventapp=\"x-wap-application:push.sia\"")},
                               "reg2", 1))
          .status_code(),
      200);
  SipMessage message = Request(Method::kMessage, "sip:user2@home1.net");
  message.Add(HeaderId::kAcceptContact, "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
  scscf->Receive(message, kHome2);
  const auto to_as = SentTo(kMsgAs, Method::kMessage);
  ASSERT_EQ(to_as.size(), 1u);
  ReturnFromAs(to_as[0]->message, kMsgAs);
  const auto to_ue = SentTo(kPcscf, Method::kMessage);
  ASSERT_EQ(to_ue.size(), 1u);
  EXPECT_EQ(to_ue[0]->message.request_uri(), kContact1);
  EXPECT_EQ(to_ue[0]->message.Get(HeaderId::kAcceptContact), "*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
}

TEST_F(ScscfTest, RFC3841_7_2_WithoutPreferencesEveryContactIsForkedInParallel) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\""),
                                      Contact(kContact2, kInstance2)},
                                     "reg1", 1))
                .status_code(),
            200);
  scscf->Receive(Request(Method::kOptions, "sip:user2@home1.net"), kHome2);
  const auto to_ue = SentTo(kPcscf, Method::kOptions);
  ASSERT_EQ(to_ue.size(), 2u);
  // RFC 3841 7.2.2 / 7.2.4: the implied *;methods="OPTIONS";require scores contact 1 (features,
  // but no methods tag) 0/1 = 0, while contact 2 has no feature parameter and is immune with
  // Qa = 1; equal q, so contact 2 comes first.
  EXPECT_EQ(to_ue[0]->message.request_uri(), kContact2);
  EXPECT_EQ(to_ue[1]->message.request_uri(), kContact1);
  EXPECT_EQ(to_ue[0]->at, to_ue[1]->at);  // parallel, not sequential
}

TEST_F(ScscfTest, RFC3841_7_2_4_NoSurvivingContactGives480) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  SipMessage options = Request(Method::kOptions, "sip:user2@home1.net");
  options.Add(HeaderId::kAcceptContact, "*;+g.oma.pusheventapp=\"x-wap-application:push.sia\";require;explicit");
  scscf->Receive(options, kHome2);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 480);
  SipMessage rejected = Request(Method::kOptions, "sip:user2@home1.net");
  rejected.Set(HeaderId::kCallId, "rejected-1");
  rejected.Add(HeaderId::kRejectContact, "*;+g.oma.pusheventapp=\"mms.ua\"");
  scscf->Receive(rejected, kHome2);
  EXPECT_EQ(LastResponse()->status_code(), 480);
  SipMessage malformed = Request(Method::kOptions, "sip:user2@home1.net");
  malformed.Set(HeaderId::kCallId, "malformed-1");
  malformed.Add(HeaderId::kAcceptContact, "*;+g.oma.pusheventapp=\"mms.ua");
  scscf->Receive(malformed, kHome2);
  EXPECT_EQ(LastResponse()->status_code(), 400);
  EXPECT_TRUE(SentTo(kPcscf, Method::kOptions).empty());
}

TEST_F(ScscfTest, RFC3261_21_4_18_UnregisteredUserGets480AndUnknownUser404) {
  Start();
  scscf->Receive(Request(Method::kMessage, "sip:user2@home1.net"), kHome2);
  ASSERT_NE(LastResponse(), nullptr);
  // The messaging filter is for TERMINATING_REGISTERED only: no AS hop, straight 480.
  EXPECT_EQ(LastResponse()->status_code(), 480);
  EXPECT_TRUE(SentTo(kMsgAs, Method::kMessage).empty());
  scscf->Receive(Request(Method::kMessage, "sip:nobody@home1.net"), kHome2);
  EXPECT_EQ(LastResponse()->status_code(), 404);
}

TEST_F(ScscfTest, TS24229_5_4_3_3_TelUriOfTheImplicitSetReachesTheRegisteredContacts) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(Request(Method::kOptions, "tel:+1-212-555-2222"), kHome2);
  const auto to_ue = SentTo(kPcscf, Method::kOptions);
  ASSERT_EQ(to_ue.size(), 1u);
  EXPECT_EQ(to_ue[0]->message.request_uri(), "sip:user2@10.0.0.20:5060");
}

TEST_F(ScscfTest, TS24229_5_4_1_7_ThirdPartyRegisterWhenThePushTagIsRegistered) {
  Start();
  const SipMessage request =
      RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1);
  std::vector<std::string> reported;
  scscf->on_third_party_register = [&](const std::string& as, const SipMessage&) { reported.push_back(as); };
  ASSERT_EQ(Register(request).status_code(), 200);
  const auto third = SentTo(kPushAs, Method::kRegister);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(reported, std::vector<std::string>{"sip:push-as.home1.net:5060;lr"});
  const SipMessage& out = third[0]->message;
  EXPECT_EQ(out.request_uri(), "sip:push-as.home1.net:5060");  // a): the AS's SIP URI
  auto from = wire::ParseFromTo(*out.Get(HeaderId::kFrom));
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(from->uri, "sip:scscf.home1.net:5060");  // b): the S-CSCF's SIP URI
  EXPECT_TRUE(wire::HasParam(from->params, "tag"));
  EXPECT_EQ(out.Get(HeaderId::kTo), "<sip:user2@home1.net>");            // c): the public user identity
  EXPECT_EQ(out.Get(HeaderId::kContact), "<sip:scscf.home1.net:5060>");  // d): the S-CSCF
  EXPECT_EQ(out.Get(HeaderId::kExpires), "600");                         // e): the expiry granted to the UE
  EXPECT_EQ(out.Get(HeaderId::kPChargingVector), request.Get(HeaderId::kPChargingVector));
  EXPECT_EQ(out.Get(HeaderId::kCSeq), "1 REGISTER");
  // IncludeRegisterRequest: the REGISTER as received, as message/sip.
  EXPECT_EQ(out.Get(HeaderId::kContentType), "message/sip");
  EXPECT_EQ(out.body(), request.Serialize());
  auto inner = wire::ParseMessageSipBody(out.body());
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->method(), Method::kRegister);
  // It leaves only after the UE has its 200 (OK).
  EXPECT_GT(&*third[0], &host.sent.front());
  EXPECT_EQ(host.sent.front().message.status_code(), 200);
}

TEST_F(ScscfTest, TS24229_5_4_1_7_NoThirdPartyRegisterWithoutThePushTag) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";audio")}, "reg1", 1)).status_code(), 200);
  EXPECT_TRUE(SentTo(kPushAs, Method::kRegister).empty());
}

TEST_F(ScscfTest, TS24229_5_4_1_7_IncludeRegisterResponseGivesMultipartWithBoth) {
  Start(std::nullopt, /*include_response=*/true);
  const SipMessage request =
      RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1);
  const SipMessage response = Register(request);
  const auto third = SentTo(kPushAs, Method::kRegister);
  ASSERT_EQ(third.size(), 1u);
  auto type = wire::ParseMediaType(*third[0]->message.Get(HeaderId::kContentType));
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->Essence(), "multipart/mixed");
  auto parts = wire::ParseMultipart(third[0]->message.body(), *type);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].headers.Get("Content-Type"), "message/sip");
  EXPECT_EQ((*parts)[0].content, request.Serialize());
  EXPECT_EQ((*parts)[1].content, response.Serialize());
}

TEST_F(ScscfTest, TS24229_5_4_1_7_ReRegistrationAndDeRegistrationReachTheAsAgain) {
  Start();
  const std::string contact = Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"");
  ASSERT_EQ(Register(RegisterRequest({contact}, "reg1", 1)).status_code(), 200);
  ASSERT_EQ(SentTo(kPushAs, Method::kRegister).size(), 1u);
  AnswerThirdParty(*SentTo(kPushAs, Method::kRegister)[0], 200);
  ASSERT_EQ(Register(RegisterRequest({contact}, "reg1", 2, "1200")).status_code(), 200);
  ASSERT_EQ(Register(RegisterRequest({contact}, "reg1", 3, "0")).status_code(), 200);
  const auto third = SentTo(kPushAs, Method::kRegister);
  ASSERT_EQ(third.size(), 3u);
  EXPECT_EQ(third[1]->message.Get(HeaderId::kExpires), "1200");
  EXPECT_EQ(third[2]->message.Get(HeaderId::kExpires), "0");
  // One registration at the AS: same Call-ID, increasing CSeq (RFC 3261 10.2.4).
  EXPECT_EQ(third[1]->message.Get(HeaderId::kCallId), third[0]->message.Get(HeaderId::kCallId));
  EXPECT_EQ(third[2]->message.Get(HeaderId::kCallId), third[0]->message.Get(HeaderId::kCallId));
  EXPECT_EQ(third[2]->message.Get(HeaderId::kCSeq), "3 REGISTER");
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
  EXPECT_FALSE(hss.AssignedScscf(kAor).has_value());
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().second.event, ContactEvent::kUnregistered);
}

TEST_F(ScscfTest, TS24229_5_4_1_7_DeRegistrationWithoutTheTagStillReachesTheRegisteredAs) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  AnswerThirdParty(*SentTo(kPushAs, Method::kRegister)[0], 200);
  // The UE de-registers with a bare Contact, which the push filter does not match.
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1)}, "reg1", 2, "0")).status_code(), 200);
  const auto third = SentTo(kPushAs, Method::kRegister);
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(third[1]->message.Get(HeaderId::kExpires), "0");
}

TEST_F(ScscfTest, TS24229_5_4_1_7_SessionTerminatedAndSilentAsDeregistersTheUser) {
  Start(DefaultHandling::kSessionTerminated);
  std::vector<int> results;
  scscf->on_third_party_result = [&](const std::string&, int code) { results.push_back(code); };
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  ASSERT_EQ(SentTo(kPushAs, Method::kRegister).size(), 1u);
  host.Advance(config.as_timeout - 1ms);
  EXPECT_EQ(scscf->registrar().binding_count(), 1u);  // still waiting
  host.Advance(1ms);
  EXPECT_EQ(results, std::vector<int>{408});
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);  // TS 24.229 5.4.1.5 network-initiated
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].second.event, ContactEvent::kDeactivated);
  EXPECT_EQ(changes[1].second.binding.contact_uri, kContact1);
  EXPECT_FALSE(hss.AssignedScscf(kAor).has_value());
  // The failed AS is not asked to de-register; a late answer changes nothing.
  EXPECT_EQ(SentTo(kPushAs, Method::kRegister).size(), 1u);
  AnswerThirdParty(*SentTo(kPushAs, Method::kRegister)[0], 200);
  EXPECT_EQ(results.size(), 1u);
}

TEST_F(ScscfTest, TS24229_5_4_1_7_SessionTerminatedAndErrorResponseDeregisters) {
  Start(DefaultHandling::kSessionTerminated);
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  AnswerThirdParty(*SentTo(kPushAs, Method::kRegister)[0], 500);
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
}

TEST_F(ScscfTest, TS24229_5_4_1_7_SessionContinuedKeepsTheRegistration) {
  Start();  // push-user.xml: DefaultHandling 0 (SESSION_CONTINUED)
  ASSERT_EQ(Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1))
                .status_code(),
            200);
  host.Advance(config.as_timeout + 1s);
  EXPECT_EQ(scscf->registrar().binding_count(), 1u);
  EXPECT_EQ(changes.size(), 1u);
}

TEST_F(ScscfTest, RFC3261_10_3_BindingsExpireByTimerAndTheAsHearsOfIt) {
  Start();
  ASSERT_EQ(
      Register(RegisterRequest({Contact(kContact1, kInstance1, ";+g.oma.pusheventapp=\"mms.ua\"")}, "reg1", 1, "60"))
          .status_code(),
      200);
  AnswerThirdParty(*SentTo(kPushAs, Method::kRegister)[0], 200);
  host.Advance(59s);
  EXPECT_EQ(scscf->registrar().binding_count(), 1u);
  host.Advance(1s);
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].second.event, ContactEvent::kExpired);
  const auto third = SentTo(kPushAs, Method::kRegister);
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(third[1]->message.Get(HeaderId::kExpires), "0");
  EXPECT_EQ(third[1]->at, sip::TimePoint(config.cx.sar_delay + 60s));
  EXPECT_FALSE(hss.AssignedScscf(kAor).has_value());
  // A refresh before expiry moves the expiry timer.
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg2", 1, "60")).status_code(), 200);
  host.Advance(50s);
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg2", 2, "60")).status_code(), 200);
  host.Advance(50s);
  EXPECT_EQ(scscf->registrar().binding_count(), 1u);
  host.Advance(11s);
  EXPECT_EQ(scscf->registrar().binding_count(), 0u);
}

TEST_F(ScscfTest, TS24229_5_4_3_2_OriginatingRequestLeavesForItsRequestUriRecordRouted) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  SipMessage invite = Request(Method::kInvite, "sip:bob@home2.net", "<sip:orig@scscf.home1.net;lr>");
  invite.Set(HeaderId::kFrom, "<sip:user2@home1.net>;tag=o1");
  invite.Add(HeaderId::kPAssertedIdentity, "<sip:user2@home1.net>");
  scscf->Receive(invite, kPcscf);
  const auto out = SentTo(kHome2, Method::kInvite);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->message.request_uri(), "sip:bob@home2.net");
  EXPECT_FALSE(out[0]->message.Has(HeaderId::kRoute));  // our Service-Route entry consumed
  EXPECT_EQ(out[0]->message.Get(HeaderId::kRecordRoute), "<sip:scscf.home1.net:5060;lr>");
}

TEST_F(ScscfTest, TS24229_5_4_3_2_OriginatingToOwnUserContinuesAsTerminating) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  SipMessage message = Request(Method::kMessage, "tel:+1-212-555-2222", "<sip:orig@scscf.home1.net;lr>");
  message.Set(HeaderId::kFrom, "<sip:user2@home1.net>;tag=o1");
  scscf->Receive(message, kPcscf);
  // No originating filter for MESSAGE; the terminating one sends it to the messaging AS with
  // the terminating case (no "orig" on the way back).
  const auto to_as = SentTo(kMsgAs, Method::kMessage);
  ASSERT_EQ(to_as.size(), 1u);
  const auto routes = to_as[0]->message.GetAll(HeaderId::kRoute);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[1].find("orig"), std::string_view::npos);
  ReturnFromAs(to_as[0]->message, kMsgAs);
  ASSERT_EQ(SentTo(kPcscf, Method::kMessage).size(), 1u);
  EXPECT_EQ(SentTo(kPcscf, Method::kMessage)[0]->message.request_uri(), "sip:user2@10.0.0.20:5060");
}

TEST_F(ScscfTest, TS24229_5_4_3_2_UnknownServedUserGets403) {
  Start();
  SipMessage message = Request(Method::kMessage, "sip:bob@home2.net", "<sip:orig@scscf.home1.net;lr>");
  message.Set(HeaderId::kFrom, "<sip:mallory@elsewhere.net>;tag=o1");
  scscf->Receive(message, kPcscf);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 403);
  EXPECT_TRUE(SentTo(kHome2, Method::kMessage).empty());
}

SipMessage RegSubscribe(std::string_view from, std::string_view contact = "") {
  SipMessage subscribe = SipMessage::MakeRequest(Method::kSubscribe, "sip:user2@home1.net");
  subscribe.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsub" + std::string(from.substr(5, 4)));
  subscribe.Add(HeaderId::kMaxForwards, "70");
  subscribe.Add(HeaderId::kFrom, "<" + std::string(from) + ">;tag=s1");
  subscribe.Add(HeaderId::kTo, "<sip:user2@home1.net>");
  subscribe.Add(HeaderId::kCallId, "sub-" + std::string(from));
  subscribe.Add(HeaderId::kCSeq, "1 SUBSCRIBE");
  subscribe.Add(HeaderId::kEvent, "reg");
  subscribe.Add(HeaderId::kAccept, "application/reginfo+xml");
  subscribe.Add(HeaderId::kContact, "<" + std::string(contact.empty() ? from : contact) + ">");
  subscribe.Add(HeaderId::kExpires, "600000");
  return subscribe;
}

TEST_F(ScscfTest, RFC3680_5_1_RegSubscriptionsFromTheUserAndItsPcscfAreAccepted) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(RegSubscribe("sip:user2@home1.net", kContact1), kPcscf);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 200);
  scscf->Receive(RegSubscribe("sip:pcscf.home1.net"), kPcscf);  // the P-CSCF of the Path
  EXPECT_EQ(LastResponse()->status_code(), 200);
  EXPECT_EQ(scscf->reg_event().subscription_count(), 2u);
  EXPECT_EQ(host.Requests(Method::kNotify).size(), 2u);  // RFC 6665 4.2.1: a NOTIFY each
}

TEST_F(ScscfTest, RFC3680_5_1_RegSubscriptionFromAStrangerIsRefused) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(RegSubscribe("sip:eve@evil.net"), kStranger);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 403);
  EXPECT_EQ(scscf->reg_event().subscription_count(), 0u);
}

TEST_F(ScscfTest, TS24229_5_4_2_1_1_ApplicationServerSubscriptionFollowsPolicy) {
  config.allow_as_reg_subscription = false;
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(RegSubscribe("sip:push-as.home1.net"), kPushAs);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 403);
  EXPECT_EQ(scscf->reg_event().subscription_count(), 0u);
}

TEST_F(ScscfTest, TS24229_5_4_2_1_1_TrustedApplicationServerMaySubscribe) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(RegSubscribe("sip:push-as.home1.net"), kPushAs);
  ASSERT_NE(LastResponse(), nullptr);
  EXPECT_EQ(LastResponse()->status_code(), 200);
  EXPECT_EQ(scscf->reg_event().subscription_count(), 1u);
}

TEST_F(ScscfTest, ContactChangesReachTheRegEventPackage) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(RegSubscribe("sip:user2@home1.net", kContact1), kPcscf);
  const std::size_t notifies = host.Requests(Method::kNotify).size();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.21:5060>"}, "reg2", 1)).status_code(), 200);
  const auto after = host.Requests(Method::kNotify);
  ASSERT_EQ(after.size(), notifies + 1);  // a partial NOTIFY for the new contact
  EXPECT_NE(after.back()->message.body().find("10.0.0.21"), std::string_view::npos);
}

TEST_F(ScscfTest, ServiceChainIsForgottenAfterItsLifetime) {
  Start();
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg1", 1)).status_code(), 200);
  scscf->Receive(Request(Method::kMessage, "sip:user2@home1.net"), kHome2);
  ASSERT_EQ(SentTo(kMsgAs, Method::kMessage).size(), 1u);
  const SipMessage first = SentTo(kMsgAs, Method::kMessage)[0]->message;
  host.Advance(kServiceChainLifetime + 1s);
  SipMessage second = Request(Method::kMessage, "sip:user2@home1.net");
  second.Set(HeaderId::kCallId, "second");
  scscf->Receive(second, kHome2);  // a new AS hop; the stale chain is dropped on the way
  ASSERT_EQ(SentTo(kMsgAs, Method::kMessage).size(), 2u);
  ReturnFromAs(first, kMsgAs);
  // Forgotten: the request finishes without invoking any AS again.
  EXPECT_EQ(SentTo(kMsgAs, Method::kMessage).size(), 2u);
  EXPECT_EQ(SentTo(kPcscf, Method::kMessage).size(), 1u);
}

TEST_F(ScscfTest, HostileRequestsGetErrorsNotCrashes) {
  Start();
  SipMessage bad_to = RegisterRequest({"<sip:user2@10.0.0.20>"}, "reg1", 1);
  bad_to.Set(HeaderId::kTo, "<sip:user2@home1.net");
  EXPECT_EQ(Register(bad_to).status_code(), 400);
  SipMessage star = RegisterRequest({"*"}, "reg2", 1, "3600");
  EXPECT_EQ(Register(star).status_code(), 400);  // "*" needs Expires: 0
  // A Route back with an odi the S-CSCF never issued finishes without any AS.
  ASSERT_EQ(Register(RegisterRequest({"<sip:user2@10.0.0.20:5060>"}, "reg3", 1)).status_code(), 200);
  scscf->Receive(Request(Method::kMessage, "sip:user2@home1.net", "<sip:scscf.home1.net:5060;lr;odi=999999>"), kHome2);
  EXPECT_TRUE(SentTo(kMsgAs, Method::kMessage).empty());
  EXPECT_EQ(SentTo(kPcscf, Method::kMessage).size(), 1u);
}

}  // namespace
}  // namespace pushsim::ims
