// The reg event package: the application/reginfo+xml document (RFC 3680 5, RFC 5628 4) and the
// notifier (RFC 3680 4, RFC 6665 4.2).
#include "ims/reg_event.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "support/fake_host.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::ErrorCode;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

// ---------------------------------------------------------------------------------------------
// Document

// RFC 3680 section 5.3's example, verbatim apart from indentation.
constexpr std::string_view kRfc3680Example = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         version="0" state="full">
  <registration aor="sip:user@example.com" id="as9"
                state="active">
    <contact id="76" state="active" event="registered"
             duration-registered="7322"
             q="0.8">
             <uri>sip:user@pc887.example.com</uri>
    </contact>
    <contact id="77" state="terminated" event="expired"
             duration-registered="3600"
             q="0.5">
             <uri>sip:user@university.edu</uri>
    </contact>
  </registration>
</reginfo>
)";

TEST(RegInfoTest, RFC3680_5_3_ExampleParses) {
  auto parsed = ParseRegInfo(kRfc3680Example);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->version, 0u);
  EXPECT_TRUE(parsed->full);
  ASSERT_EQ(parsed->registrations.size(), 1u);
  const RegInfoRegistration& registration = parsed->registrations[0];
  EXPECT_EQ(registration.aor, "sip:user@example.com");
  EXPECT_EQ(registration.id, "as9");
  EXPECT_EQ(registration.state, "active");
  ASSERT_EQ(registration.contacts.size(), 2u);
  EXPECT_EQ(registration.contacts[0].id, "76");
  EXPECT_EQ(registration.contacts[0].state, "active");
  EXPECT_EQ(registration.contacts[0].event, "registered");
  EXPECT_EQ(registration.contacts[0].q, 0.8);
  EXPECT_EQ(registration.contacts[0].uri, "sip:user@pc887.example.com");
  EXPECT_FALSE(registration.contacts[0].expires.has_value());
  EXPECT_EQ(registration.contacts[1].state, "terminated");
  EXPECT_EQ(registration.contacts[1].event, "expired");
  EXPECT_EQ(registration.contacts[1].q, 0.5);
  EXPECT_EQ(registration.contacts[1].uri, "sip:user@university.edu");
}

// RFC 5628 section 5's style: GRUUs and +sip.instance, plus elements of other namespaces.
constexpr std::string_view kGruuDocument = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo"
         xmlns:gr="urn:ietf:params:xml:ns:gruuinfo"
         xmlns:x="urn:example:ext"
         version="4" state="partial">
  <registration aor="sip:alice@home1.net" id="a7" state="active">
    <contact id="c1" state="active" event="refreshed" expires="599" callid="reg-1" cseq="2" x:flag="1">
      <uri>
        sip:alice@10.0.0.7:5060
      </uri>
      <display-name xml:lang="en">Alice</display-name>
      <unknown-param name="+sip.instance">"&lt;urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6&gt;"</unknown-param>
      <unknown-param name="+g.oma.pusheventapp">"mms.ua"</unknown-param>
      <unknown-param name="audio"/>
      <gr:pub-gruu uri="sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"/>
      <gr:temp-gruu uri="sip:tgruu.1@home1.net;gr" first-cseq="1"/>
      <x:other>ignored</x:other>
    </contact>
    <x:contact id="99" state="active" event="registered"><x:uri>sip:ignored@example.com</x:uri></x:contact>
  </registration>
</reginfo>
)";

TEST(RegInfoTest, RFC5628_4_GruuAndUnknownParamsParse) {
  auto parsed = ParseRegInfo(kGruuDocument);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->version, 4u);
  EXPECT_FALSE(parsed->full);
  ASSERT_EQ(parsed->registrations.size(), 1u);
  ASSERT_EQ(parsed->registrations[0].contacts.size(), 1u);  // the foreign-namespace contact is ignored
  const RegInfoContact& contact = parsed->registrations[0].contacts[0];
  EXPECT_EQ(contact.uri, "sip:alice@10.0.0.7:5060");  // xs:anyURI white space collapsed
  EXPECT_EQ(contact.expires, 599u);
  EXPECT_EQ(contact.call_id, "reg-1");
  EXPECT_EQ(contact.cseq, 2u);
  // RFC 3680 5.1: the content is the parameter value, here with its quotes as in the Contact.
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(contact.unknown_params, (Params{{"+sip.instance", "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""},
                                            {"+g.oma.pusheventapp", "\"mms.ua\""},
                                            {"audio", ""}}));
  EXPECT_EQ(contact.pub_gruu, "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(contact.temp_gruu, "sip:tgruu.1@home1.net;gr");
  EXPECT_EQ(contact.temp_gruu_first_cseq, 1u);
}

TEST(RegInfoTest, RFC3680_5_SerializeWritesTheSchemaAndRoundTrips) {
  auto parsed = ParseRegInfo(kGruuDocument);
  ASSERT_TRUE(parsed.ok());
  const std::string written = SerializeRegInfo(*parsed);
  EXPECT_NE(written.find("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" "
                         "xmlns:gr=\"urn:ietf:params:xml:ns:gruuinfo\" version=\"4\" state=\"partial\">"),
            std::string::npos)
      << written;
  EXPECT_NE(written.find("<unknown-param name=\"+g.oma.pusheventapp\">\"mms.ua\"</unknown-param>"), std::string::npos)
      << written;
  EXPECT_NE(written.find("<unknown-param name=\"+sip.instance\">\"&lt;urn:uuid:f81d4fae-7dec-11d0-a765-"
                         "00a0c91e6bf6&gt;\"</unknown-param>"),
            std::string::npos)
      << written;
  EXPECT_NE(written.find("<gr:temp-gruu uri=\"sip:tgruu.1@home1.net;gr\" first-cseq=\"1\"/>"), std::string::npos)
      << written;
  auto reparsed = ParseRegInfo(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error() << "\n" << written;
  EXPECT_EQ(*reparsed, *parsed);
  EXPECT_EQ(SerializeRegInfo(*reparsed), written);
}

TEST(RegInfoTest, RFC3680_5_SerializeEscapesAndRoundTripsHostileText) {
  RegInfo info;
  info.version = 4294967295u;
  RegInfoRegistration registration;
  registration.aor = "sip:a&b@home1.net";
  registration.id = "id with \"quotes\" <and> tab\there\nnewline";
  registration.state = "init";
  RegInfoContact contact;
  contact.id = "1";
  contact.state = "active";
  contact.event = "created";
  contact.q = 0.125;
  contact.uri = "sip:x@y;a=<b>&c";
  contact.unknown_params = {{"+x", "  spaced\r\nvalue  "}, {"+y", "</unknown-param>"}};
  registration.contacts.push_back(contact);
  info.registrations.push_back(registration);
  const std::string written = SerializeRegInfo(info);
  EXPECT_EQ(written.find("xmlns:gr"), std::string::npos);  // no GRUU, no gruuinfo namespace
  auto reparsed = ParseRegInfo(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error() << "\n" << written;
  EXPECT_EQ(*reparsed, info);
}

void ExpectError(std::string_view xml, ErrorCode code, std::uint32_t line, std::string_view detail_part) {
  auto parsed = ParseRegInfo(xml);
  ASSERT_FALSE(parsed.ok()) << xml;
  EXPECT_EQ(parsed.error().code, code) << parsed.error();
  EXPECT_EQ(parsed.error().line, line) << parsed.error();
  EXPECT_NE(parsed.error().detail.find(detail_part), std::string::npos) << parsed.error();
}

constexpr std::string_view kHead = "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">\n";

TEST(RegInfoTest, RFC3680_5_1_MandatoryAttributes) {
  ExpectError("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" state=\"full\"/>", ErrorCode::kBadBody, 1,
              "version");
  ExpectError("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\"/>", ErrorCode::kBadBody, 1, "state");
  ExpectError("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"complete\"/>",
              ErrorCode::kBadBody, 1, "complete");
  ExpectError(std::string(kHead) + "<registration id=\"a\" state=\"active\"/></reginfo>", ErrorCode::kBadBody, 2,
              "aor");
  ExpectError(std::string(kHead) + "<registration aor=\"sip:a@b\" id=\"a\" state=\"gone\"/></reginfo>",
              ErrorCode::kBadBody, 2, "gone");
  ExpectError(std::string(kHead) +
                  "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                  "<contact id=\"1\" state=\"active\" event=\"logged-in\"><uri>sip:a@c</uri></contact>"
                  "</registration></reginfo>",
              ErrorCode::kBadBody, 3, "logged-in");
  ExpectError(std::string(kHead) +
                  "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                  "<contact id=\"1\" state=\"active\" event=\"registered\"></contact>"
                  "</registration></reginfo>",
              ErrorCode::kBadBody, 3, "<uri>");
  ExpectError(std::string(kHead) +
                  "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                  "<contact id=\"1\" state=\"active\" event=\"registered\"><uri>sip:a@c</uri><uri>sip:a@d</uri>"
                  "</contact></registration></reginfo>",
              ErrorCode::kBadBody, 3, "more than one <uri>");
}

TEST(RegInfoTest, RFC5628_4_TempGruuNeedsFirstCseq) {
  ExpectError(std::string(kHead) +
                  "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                  "<contact id=\"1\" state=\"active\" event=\"registered\"><uri>sip:a@c</uri>\n"
                  "<gr:temp-gruu xmlns:gr=\"urn:ietf:params:xml:ns:gruuinfo\" uri=\"sip:t@b;gr\"/>"
                  "</contact></registration></reginfo>",
              ErrorCode::kBadBody, 4, "first-cseq");
}

TEST(RegInfoTest, RFC3680_5_1_NumbersMustFit32Bits) {
  ExpectError("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"4294967296\" state=\"full\"/>",
              ErrorCode::kBadNumber, 1, "4294967296");
  ExpectError("<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"-1\" state=\"full\"/>",
              ErrorCode::kBadNumber, 1, "-1");
  ExpectError(std::string(kHead) +
                  "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                  "<contact id=\"1\" state=\"active\" event=\"registered\" expires=\"1e3\"><uri>sip:a@c</uri>"
                  "</contact></registration></reginfo>",
              ErrorCode::kBadNumber, 3, "expires");
  // RFC 3261 25.1 qvalue: at most 1, at most three decimals.
  for (std::string_view q : {"1.5", "0.1234", "2", ".5", "1.001"}) {
    ExpectError(std::string(kHead) +
                    "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
                    "<contact id=\"1\" state=\"active\" event=\"registered\" q=\"" + std::string(q) +
                    "\"><uri>sip:a@c</uri></contact></registration></reginfo>",
                ErrorCode::kBadNumber, 3, "qvalue");
  }
}

TEST(RegInfoTest, RFC3680_5_1_RootMustBeReginfoInItsNamespace) {
  ExpectError("<reginfo version=\"0\" state=\"full\"/>", ErrorCode::kBadBody, 1, "root element");
  ExpectError("<x:reginfo xmlns:x=\"urn:other\" version=\"0\" state=\"full\"/>", ErrorCode::kBadBody, 1,
              "root element");
}

TEST(RegInfoTest, HostileXmlRefused) {
  // Entity expansion ("billion laughs") is refused before parsing, at the DOCTYPE.
  const std::string bomb =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>\n" +
      std::string(kHead) + "<registration aor=\"&b;\" id=\"a\" state=\"init\"/></reginfo>";
  auto parsed = ParseRegInfo(bomb);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadBody);
  EXPECT_EQ(parsed.error().offset, bomb.find("<!DOCTYPE"));
  EXPECT_EQ(parsed.error().line, 2u);
  // An undeclared entity is not well-formed.
  ExpectError(std::string(kHead) + "<registration aor=\"&x;\" id=\"a\" state=\"init\"/></reginfo>",
              ErrorCode::kBadBody, 2, "malformed XML");
  // Truncated and binary input.
  ExpectError(std::string(kHead) + "<registration aor=\"sip:a@b\" id=\"a\" sta", ErrorCode::kBadBody, 2,
              "malformed XML");
  ExpectError(std::string("\x00\xff\xfe<reginfo", 11), ErrorCode::kBadBody, 1, "malformed XML");
  ExpectError("", ErrorCode::kBadBody, 1, "malformed XML");
}

TEST(RegInfoTest, LimitsGiveTooLarge) {
  std::string big(kHead);
  big += "<!--" + std::string(RegInfoLimits::kMaxInputBytes, 'x') + "--></reginfo>";
  auto parsed = ParseRegInfo(big);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(parsed.error().offset, RegInfoLimits::kMaxInputBytes);

  std::string many(kHead);
  for (std::size_t i = 0; i <= RegInfoLimits::kMaxRegistrations; ++i) {
    many += "<registration aor=\"sip:a@b\" id=\"r" + std::to_string(i) + "\" state=\"init\"/>\n";
  }
  many += "</reginfo>";
  ExpectError(many, ErrorCode::kTooLarge, static_cast<std::uint32_t>(2 + RegInfoLimits::kMaxRegistrations),
              "registrations");

  std::string params(kHead);
  params += "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n"
            "<contact id=\"1\" state=\"active\" event=\"registered\"><uri>sip:a@c</uri>\n";
  for (std::size_t i = 0; i <= RegInfoLimits::kMaxUnknownParamsPerContact; ++i) {
    params += "<unknown-param name=\"+p" + std::to_string(i) + "\"/>\n";
  }
  params += "</contact></registration></reginfo>";
  ExpectError(params, ErrorCode::kTooLarge, static_cast<std::uint32_t>(4 + RegInfoLimits::kMaxUnknownParamsPerContact),
              "unknown-param");

  std::string contacts(kHead);
  contacts += "<registration aor=\"sip:a@b\" id=\"a\" state=\"active\">\n";
  for (std::size_t i = 0; i <= RegInfoLimits::kMaxContacts; ++i) {
    contacts += "<contact id=\"" + std::to_string(i) + "\" state=\"active\" event=\"registered\"><uri>sip:a@c</uri>"
                "</contact>\n";
  }
  contacts += "</registration></reginfo>";
  ExpectError(contacts, ErrorCode::kTooLarge, static_cast<std::uint32_t>(3 + RegInfoLimits::kMaxContacts), "contacts");
}

Binding PushBinding() {
  Binding binding;
  binding.contact_uri = "sip:alice@10.0.0.7:5060";
  binding.instance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
  std::size_t consumed = 0;
  binding.contact_params =
      wire::ParseParams(";expires=600;q=0.5;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""
                        ";reg-id=1;+g.oma.pusheventapp=\"mms.ua\";audio",
                        consumed)
          .value();
  binding.q = 0.5;
  binding.expires_at = std::chrono::seconds(600);
  binding.call_id = "reg-1";
  binding.cseq = 3;
  binding.pub_gruu = "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
  binding.temp_gruu = "sip:tgruu.2@home1.net;gr";
  binding.first_cseq = 3;
  binding.id = "b1";
  return binding;
}

TEST(RegInfoTest, RFC3680_5_1_ContactFromBinding) {
  const RegInfoContact contact = ToRegInfoContact(PushBinding(), ContactEvent::kRegistered, 100s + 1ms);
  EXPECT_EQ(contact.id, "b1");
  EXPECT_EQ(contact.state, "active");
  EXPECT_EQ(contact.event, "registered");
  EXPECT_EQ(contact.expires, 500u);  // 499.999 s left, rounded up
  EXPECT_EQ(contact.q, 0.5);
  EXPECT_EQ(contact.call_id, "reg-1");
  EXPECT_EQ(contact.cseq, 3u);
  EXPECT_EQ(contact.uri, "sip:alice@10.0.0.7:5060");
  // Feature tags and +sip.instance, values as in the Contact; expires, q and reg-id are not.
  using Params = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(contact.unknown_params, (Params{{"+sip.instance", "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""},
                                            {"+g.oma.pusheventapp", "\"mms.ua\""},
                                            {"audio", ""}}));
  EXPECT_EQ(contact.pub_gruu, "sip:alice@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_EQ(contact.temp_gruu, "sip:tgruu.2@home1.net;gr");
  EXPECT_EQ(contact.temp_gruu_first_cseq, 3u);
}

TEST(RegInfoTest, XML_2_2_ParameterXmlCannotCarryIsLeftOut) {
  Binding binding = PushBinding();
  // RFC 3261 25.1 quoted-pair admits control bytes; XML 1.0 has no way to write them.
  binding.contact_params.push_back(wire::Param{"+x.ctl", std::string("\"a\\\x01" "b\"")});
  binding.contact_params.push_back(wire::Param{"+x.utf8", std::string("\"\xc3\x28\"")});
  binding.contact_params.push_back(wire::Param{"+x.ok", std::string("\"caf\xc3\xa9\"")});
  const RegInfoContact contact = ToRegInfoContact(binding, ContactEvent::kRegistered, 0s);
  ASSERT_EQ(contact.unknown_params.size(), 4u);
  EXPECT_EQ(contact.unknown_params[3].first, "+x.ok");
  RegInfo info;
  info.registrations.push_back(RegInfoRegistration{"sip:alice@home1.net", "a", "active", {contact}});
  auto reparsed = ParseRegInfo(SerializeRegInfo(info));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(*reparsed, info);
}

TEST(RegInfoTest, RFC3680_4_7_1_EndedBindingIsTerminatedWithoutExpires) {
  for (ContactEvent event : {ContactEvent::kExpired, ContactEvent::kUnregistered, ContactEvent::kDeactivated,
                             ContactEvent::kRejected}) {
    const RegInfoContact contact = ToRegInfoContact(PushBinding(), event, 600s);
    EXPECT_EQ(contact.state, "terminated");
    EXPECT_FALSE(contact.expires.has_value());
  }
  EXPECT_EQ(ToRegInfoContact(PushBinding(), ContactEvent::kUnregistered, 0s).event, "unregistered");
  EXPECT_EQ(ToRegInfoContact(PushBinding(), ContactEvent::kExpired, 0s).event, "expired");
  const RegInfoContact shortened = ToRegInfoContact(PushBinding(), ContactEvent::kShortened, 590s);
  EXPECT_EQ(shortened.state, "active");
  EXPECT_EQ(shortened.event, "shortened");
  EXPECT_EQ(shortened.expires, 10u);  // RFC 3680 5.1: mandatory for shortened
}

// ---------------------------------------------------------------------------------------------
// Notifier

const sip::Endpoint kScscf{0x0A000004, 5060, sip::Transport::kUdp};  // 10.0.0.4
const sip::Endpoint kPcscf{0x0A000001, 5060, sip::Transport::kUdp};  // 10.0.0.1
const sip::Endpoint kAs{0x0A000009, 5060, sip::Transport::kUdp};     // 10.0.0.9
constexpr std::string_view kAor = "sip:alice@home1.net";

class Notifier : public sip::Element {
 public:
  Notifier(sip::Host& host, const sip::Resolver& resolver, sip::ElementConfig config, const Registrar& registrar,
           RegEventConfig reg_config)
      : sip::Element(host, resolver, std::move(config)), package(*this, registrar, std::move(reg_config)) {}
  RegEventPackage package;
  RegSubscriber kind = RegSubscriber::kUser;

 protected:
  void HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint& source) override {
    package.HandleSubscribe(server, request, source, std::string(kAor), kind);
  }
};

class RegEventTest : public ::testing::Test {
 protected:
  RegEventTest() {
    resolver.Add("scscf.home1.net", kScscf.address);
    resolver.Add("pcscf.home1.net", kPcscf.address);
    resolver.Add("push-as.home1.net", kAs.address);
    Registrar::Record& record = registrar.FindOrCreate(kAor);
    record.bindings.push_back(PushBinding());
    Make(RegEventConfig{});
  }

  void Make(RegEventConfig config) {
    notifier.reset();
    sip::ElementConfig element;
    element.host = "scscf.home1.net";
    element.local = kScscf;
    notifier = std::make_unique<Notifier>(host, resolver, element, registrar, std::move(config));
  }

  // A SUBSCRIBE from the push AS (dialog-initiating unless `to_tag` is set).
  static SipMessage Subscribe(std::string_view expires, int cseq = 1, std::string_view to_tag = {},
                              std::string_view event = "reg") {
    SipMessage request = SipMessage::MakeRequest(Method::kSubscribe, "sip:alice@home1.net");
    static int branch = 0;
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsub" + std::to_string(++branch));
    request.Add(HeaderId::kMaxForwards, "69");
    request.Add(HeaderId::kRecordRoute, "<sip:pcscf.home1.net:5060;lr>");
    request.Add(HeaderId::kFrom, "<sip:push-as.home1.net>;tag=as1");
    std::string to = "<sip:alice@home1.net>";
    if (!to_tag.empty()) to += ";tag=" + std::string(to_tag);
    request.Add(HeaderId::kTo, to);
    request.Add(HeaderId::kCallId, "sub-1");
    request.Add(HeaderId::kCSeq, std::to_string(cseq) + " SUBSCRIBE");
    request.Add(HeaderId::kContact, "<sip:push-as.home1.net:5060>");
    request.Add(HeaderId::kEvent, event);
    request.Add(HeaderId::kAccept, "application/reginfo+xml");
    if (!expires.empty()) request.Add(HeaderId::kExpires, expires);
    return request;
  }

  // Each NOTIFY once (UDP retransmissions of an unanswered one are left out).
  std::vector<const FakeHost::Sent*> Notifies() const {
    std::vector<const FakeHost::Sent*> out;
    for (const FakeHost::Sent* sent : host.Requests(Method::kNotify)) {
      const bool seen = std::any_of(out.begin(), out.end(), [&](const FakeHost::Sent* other) {
        return other->message.Get(HeaderId::kCSeq) == sent->message.Get(HeaderId::kCSeq);
      });
      if (!seen) out.push_back(sent);
    }
    return out;
  }
  // The subscriber answers every NOTIFY so far with 200 (else timer F ends the subscription).
  void AnswerNotifies() {
    for (const FakeHost::Sent* sent : Notifies()) {
      if (answered_.count(std::string(*sent->message.Get(HeaderId::kCSeq)))) continue;
      answered_.insert(std::string(*sent->message.Get(HeaderId::kCSeq)));
      notifier->Receive(notifier->MakeResponse(sent->message, 200), kPcscf);
    }
  }

  // The To tag the notifier gave the dialog.
  std::string DialogTag() const {
    const auto ok = host.Responses(200);
    if (ok.empty()) return {};
    auto to = wire::ParseFromTo(*ok.front()->message.Get(HeaderId::kTo));
    const wire::Param* tag = wire::FindParam(to->params, "tag");
    return tag != nullptr && tag->value ? *tag->value : std::string();
  }

  static RegInfo Body(const SipMessage& notify) {
    auto parsed = ParseRegInfo(notify.body());
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    return parsed.ok() ? *parsed : RegInfo{};
  }

  FakeHost host;
  sip::Resolver resolver;
  Registrar registrar;
  std::unique_ptr<Notifier> notifier;
  std::set<std::string> answered_;
};

TEST_F(RegEventTest, RFC6665_4_2_1_SubscribeGets200WithBoundedExpires) {
  notifier->Receive(Subscribe("100000"), kPcscf);
  const auto ok = host.Responses(200);
  ASSERT_EQ(ok.size(), 1u);
  const SipMessage& response = ok[0]->message;
  EXPECT_EQ(ok[0]->to, kPcscf);
  EXPECT_TRUE(host.Responses(202).empty());  // RFC 6665 deprecates 202
  EXPECT_EQ(response.Get(HeaderId::kExpires), "7200");  // shortened to max_expires, never lengthened
  EXPECT_EQ(response.Get(HeaderId::kContact), "<sip:scscf.home1.net:5060>");
  EXPECT_FALSE(DialogTag().empty());
  EXPECT_EQ(notifier->package.subscription_count(), 1u);
}

TEST_F(RegEventTest, RFC3680_4_4_DefaultDurationIs3761) {
  notifier->Receive(Subscribe(""), kPcscf);
  ASSERT_EQ(host.Responses(200).size(), 1u);
  EXPECT_EQ(host.Responses(200)[0]->message.Get(HeaderId::kExpires), "3761");
  ASSERT_EQ(Notifies().size(), 1u);
  EXPECT_EQ(Notifies()[0]->message.Get(HeaderId::kSubscriptionState), "active;expires=3761");
}

TEST_F(RegEventTest, RFC6665_4_2_1_FullNotifyInTheDialog) {
  notifier->Receive(Subscribe("600"), kPcscf);
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 1u);
  const SipMessage& notify = notifies[0]->message;
  // RFC 3261 12.1.1 / 12.2.1.1: Record-Route of the SUBSCRIBE is the route set; the Request-URI
  // is the subscriber's Contact; the NOTIFY goes to the first route.
  EXPECT_EQ(notifies[0]->to, kPcscf);
  EXPECT_EQ(notify.request_uri(), "sip:push-as.home1.net:5060");
  EXPECT_EQ(notify.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:pcscf.home1.net:5060;lr>"});
  EXPECT_EQ(notify.Get(HeaderId::kFrom), "<sip:alice@home1.net>;tag=" + DialogTag());
  EXPECT_EQ(notify.Get(HeaderId::kTo), "<sip:push-as.home1.net>;tag=as1");
  EXPECT_EQ(notify.Get(HeaderId::kCallId), "sub-1");
  EXPECT_EQ(notify.Get(HeaderId::kCSeq), "1 NOTIFY");
  EXPECT_EQ(notify.Get(HeaderId::kContact), "<sip:scscf.home1.net:5060>");
  EXPECT_EQ(notify.Get(HeaderId::kEvent), "reg");
  EXPECT_EQ(notify.Get(HeaderId::kSubscriptionState), "active;expires=600");
  EXPECT_EQ(notify.Get(HeaderId::kContentType), "application/reginfo+xml");
  const RegInfo info = Body(notify);
  EXPECT_EQ(info.version, 0u);
  EXPECT_TRUE(info.full);
  ASSERT_EQ(info.registrations.size(), 1u);
  EXPECT_EQ(info.registrations[0].aor, "sip:alice@home1.net");
  EXPECT_EQ(info.registrations[0].id, RegistrationId(kAor));
  EXPECT_EQ(info.registrations[0].state, "active");
  ASSERT_EQ(info.registrations[0].contacts.size(), 1u);
  EXPECT_EQ(info.registrations[0].contacts[0], ToRegInfoContact(PushBinding(), ContactEvent::kRegistered, 0s));
}

TEST_F(RegEventTest, RFC3680_4_7_1_NoBindingIsInit) {
  registrar.Erase(kAor);
  notifier->Receive(Subscribe("600"), kPcscf);
  ASSERT_EQ(Notifies().size(), 1u);
  const RegInfo info = Body(Notifies()[0]->message);
  ASSERT_EQ(info.registrations.size(), 1u);
  EXPECT_EQ(info.registrations[0].state, "init");
  EXPECT_TRUE(info.registrations[0].contacts.empty());
}

TEST_F(RegEventTest, RFC3680_4_7_2_ChangeSendsPartialNotifyWithTheChangedContact) {
  notifier->Receive(Subscribe("600"), kPcscf);
  AnswerNotifies();
  Binding second;
  second.contact_uri = "sip:alice@10.0.0.8:5060";
  second.id = "b2";
  second.expires_at = 300s;
  registrar.FindOrCreate(kAor).bindings.push_back(second);
  host.Advance(10s);
  notifier->package.OnChange(std::string(kAor), {ContactChange{ContactEvent::kRegistered, second}});
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 2u);
  const SipMessage& notify = notifies[1]->message;
  EXPECT_EQ(notify.Get(HeaderId::kCSeq), "2 NOTIFY");
  EXPECT_EQ(notify.Get(HeaderId::kSubscriptionState), "active;expires=590");
  const RegInfo info = Body(notify);
  EXPECT_EQ(info.version, 1u);
  EXPECT_FALSE(info.full);
  ASSERT_EQ(info.registrations.size(), 1u);
  EXPECT_EQ(info.registrations[0].state, "active");
  ASSERT_EQ(info.registrations[0].contacts.size(), 1u);
  EXPECT_EQ(info.registrations[0].contacts[0].id, "b2");
  EXPECT_EQ(info.registrations[0].contacts[0].expires, 290u);
  // Another AOR's change concerns no subscriber here.
  notifier->package.OnChange("sip:bob@home1.net", {ContactChange{ContactEvent::kRegistered, second}});
  EXPECT_EQ(Notifies().size(), 2u);
}

TEST_F(RegEventTest, RFC3680_5_2_LastBindingGoneTerminatesTheSubscription) {
  notifier->Receive(Subscribe("600"), kPcscf);
  const Binding removed = PushBinding();
  registrar.Erase(kAor);
  notifier->package.OnChange(std::string(kAor), {ContactChange{ContactEvent::kUnregistered, removed}});
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->message.Get(HeaderId::kSubscriptionState), "terminated;reason=noresource");
  const RegInfo info = Body(notifies[1]->message);
  EXPECT_EQ(info.version, 1u);
  ASSERT_EQ(info.registrations.size(), 1u);
  EXPECT_EQ(info.registrations[0].state, "terminated");
  ASSERT_EQ(info.registrations[0].contacts.size(), 1u);
  EXPECT_EQ(info.registrations[0].contacts[0].state, "terminated");
  EXPECT_EQ(info.registrations[0].contacts[0].event, "unregistered");
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC6665_4_1_3_DeactivatedRegistrationEndsWithReasonDeactivated) {
  notifier->Receive(Subscribe("600"), kPcscf);
  registrar.Erase(kAor);
  notifier->package.OnChange(std::string(kAor), {ContactChange{ContactEvent::kDeactivated, PushBinding()}});
  ASSERT_EQ(Notifies().size(), 2u);
  EXPECT_EQ(Notifies()[1]->message.Get(HeaderId::kSubscriptionState), "terminated;reason=deactivated");
}

TEST_F(RegEventTest, RFC6665_4_2_1_2_RefreshInTheDialogSendsFullState) {
  notifier->Receive(Subscribe("600"), kPcscf);
  AnswerNotifies();
  const std::string tag = DialogTag();
  host.Advance(300s);
  notifier->Receive(Subscribe("1200", 2, tag), kPcscf);
  AnswerNotifies();
  const auto ok = host.Responses(200);
  ASSERT_EQ(ok.size(), 2u);
  EXPECT_EQ(ok[1]->message.Get(HeaderId::kExpires), "1200");
  EXPECT_EQ(ok[1]->message.Get(HeaderId::kTo), "<sip:alice@home1.net>;tag=" + tag);
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->message.Get(HeaderId::kSubscriptionState), "active;expires=1200");
  EXPECT_EQ(notifies[1]->message.Get(HeaderId::kCSeq), "2 NOTIFY");
  const RegInfo info = Body(notifies[1]->message);
  EXPECT_EQ(info.version, 1u);
  EXPECT_TRUE(info.full);
  // The old expiry no longer applies: nothing happens at 600 s, the timeout comes at 1500 s.
  host.Advance(1199s);
  EXPECT_EQ(Notifies().size(), 2u);
  EXPECT_EQ(notifier->package.subscription_count(), 1u);
}

TEST_F(RegEventTest, RFC6665_4_2_2_ExpiryEndsWithReasonTimeout) {
  notifier->Receive(Subscribe("600"), kPcscf);
  AnswerNotifies();
  host.Advance(599s);
  EXPECT_EQ(Notifies().size(), 1u);
  host.Advance(1s);
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->at, 600s);
  EXPECT_EQ(notifies[1]->message.Get(HeaderId::kSubscriptionState), "terminated;reason=timeout");
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC6665_4_2_1_4_UnsubscribeEndsWithReasonTimeout) {
  notifier->Receive(Subscribe("600"), kPcscf);
  notifier->Receive(Subscribe("0", 2, DialogTag()), kPcscf);
  ASSERT_EQ(host.Responses(200).size(), 2u);
  EXPECT_EQ(host.Responses(200)[1]->message.Get(HeaderId::kExpires), "0");
  const auto notifies = Notifies();
  ASSERT_EQ(notifies.size(), 2u);
  EXPECT_EQ(notifies[1]->message.Get(HeaderId::kSubscriptionState), "terminated;reason=timeout");
  EXPECT_TRUE(Body(notifies[1]->message).full);  // RFC 3680 4.7.2: full state on Expires 0
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC6665_4_4_3_FetchGetsOneFinalNotify) {
  notifier->Receive(Subscribe("0"), kPcscf);
  ASSERT_EQ(host.Responses(200).size(), 1u);
  ASSERT_EQ(Notifies().size(), 1u);
  EXPECT_EQ(Notifies()[0]->message.Get(HeaderId::kSubscriptionState), "terminated;reason=timeout");
  EXPECT_EQ(Body(Notifies()[0]->message).registrations[0].contacts.size(), 1u);
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC6665_7_2_2_OtherEventGets489) {
  notifier->Receive(Subscribe("600", 1, {}, "presence"), kPcscf);
  const auto responses = host.Responses(489);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]->message.Get(HeaderId::kAllowEvents), "reg");
  EXPECT_TRUE(Notifies().empty());
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC3680_4_5_AcceptWithoutReginfoGets406) {
  SipMessage subscribe = Subscribe("600");
  subscribe.Set(HeaderId::kAccept, "application/pidf+xml");
  notifier->Receive(subscribe, kPcscf);
  ASSERT_EQ(host.Responses(406).size(), 1u);
  EXPECT_EQ(host.Responses(406)[0]->message.Get(HeaderId::kAccept), "application/reginfo+xml");
}

TEST_F(RegEventTest, RFC6665_4_2_1_2_RefreshOfUnknownDialogGets481) {
  notifier->Receive(Subscribe("600", 2, "no-such-tag"), kPcscf);
  EXPECT_EQ(host.Responses(481).size(), 1u);
  EXPECT_TRUE(Notifies().empty());
}

TEST_F(RegEventTest, RFC3261_12_2_2_OldCseqInTheDialogGets500) {
  notifier->Receive(Subscribe("600", 5), kPcscf);
  notifier->Receive(Subscribe("600", 5, DialogTag()), kPcscf);
  EXPECT_EQ(host.Responses(500).size(), 1u);
  EXPECT_EQ(Notifies().size(), 1u);
}

TEST_F(RegEventTest, TS24229_5_4_2_1_1_RefusedApplicationServerGets403) {
  RegEventConfig config;
  config.allow_application_servers = false;
  Make(config);
  notifier->kind = RegSubscriber::kApplicationServer;
  notifier->Receive(Subscribe("600"), kPcscf);
  EXPECT_EQ(host.Responses(403).size(), 1u);
  EXPECT_TRUE(Notifies().empty());
}

TEST_F(RegEventTest, TS24229_5_4_2_1_1_OnlyTrustedApplicationServers) {
  RegEventConfig config;
  config.trusted_as_hosts = {"push-as.home1.net"};
  Make(config);
  notifier->kind = RegSubscriber::kApplicationServer;
  SipMessage untrusted = Subscribe("600");
  untrusted.Set(HeaderId::kPAssertedIdentity, "<sip:evil.example.net>");
  notifier->Receive(untrusted, kPcscf);
  EXPECT_EQ(host.Responses(403).size(), 1u);
  notifier->Receive(Subscribe("600", 2), kPcscf);  // From: sip:push-as.home1.net
  EXPECT_EQ(host.Responses(200).size(), 1u);
  EXPECT_EQ(Notifies().size(), 1u);
}

TEST_F(RegEventTest, RFC6665_4_2_2_Notify481EndsTheSubscription) {
  notifier->Receive(Subscribe("600"), kPcscf);
  ASSERT_EQ(Notifies().size(), 1u);
  notifier->Receive(notifier->MakeResponse(Notifies()[0]->message, 481), kPcscf);
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
  host.Advance(700s);
  EXPECT_EQ(Notifies().size(), 1u);  // no timeout NOTIFY for a removed subscription
}

TEST_F(RegEventTest, RFC6665_4_2_2_NotifyTimeoutEndsTheSubscription) {
  notifier->Receive(Subscribe("600"), kPcscf);
  host.Advance(31s);
  EXPECT_EQ(notifier->package.subscription_count(), 1u);
  host.Advance(2s);  // timer F (64 * T1 = 32 s) fired without an answer
  EXPECT_EQ(notifier->package.subscription_count(), 0u);
}

TEST_F(RegEventTest, RFC6665_4_2_2_Notify200KeepsTheSubscription) {
  notifier->Receive(Subscribe("600"), kPcscf);
  notifier->Receive(notifier->MakeResponse(Notifies()[0]->message, 200), kPcscf);
  EXPECT_EQ(notifier->package.subscription_count(), 1u);
}

TEST_F(RegEventTest, RFC3261_12_2_1_1_StrictRouteBecomesRequestUri) {
  SipMessage subscribe = Subscribe("600");
  subscribe.Set(HeaderId::kRecordRoute, "<sip:pcscf.home1.net:5060>");
  notifier->Receive(subscribe, kPcscf);
  ASSERT_EQ(Notifies().size(), 1u);
  const SipMessage& notify = Notifies()[0]->message;
  EXPECT_EQ(notify.request_uri(), "sip:pcscf.home1.net:5060");
  EXPECT_EQ(notify.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:push-as.home1.net:5060>"});
  EXPECT_EQ(Notifies()[0]->to, kPcscf);
}

TEST_F(RegEventTest, RFC6665_8_2_1_EventIdEchoedInNotify) {
  notifier->Receive(Subscribe("600", 1, {}, "reg;id=7"), kPcscf);
  ASSERT_EQ(Notifies().size(), 1u);
  EXPECT_EQ(Notifies()[0]->message.Get(HeaderId::kEvent), "reg;id=7");
}

}  // namespace
}  // namespace pushsim::ims
