#include "wire/sip_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << (result.ok() ? std::string() : result.error().Describe());
  return result.ok() ? std::move(result).value() : T{};
}

template <typename T>
ParseError Fails(const Result<T>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? ParseError{} : result.error();
}

SipMessage MustParseMessage(std::string_view text) {
  auto message = SipMessage::Parse(text);
  EXPECT_TRUE(message.ok()) << (message.ok() ? std::string() : message.error().Describe());
  return message.ok() ? std::move(message).value() : SipMessage{};
}

// ---------------------------------------------------------------------------------------------
// NameAddr

TEST(NameAddr, QuotedDisplayNameWithEscapes) {
  const NameAddr address = Must(ParseNameAddr(R"("Bob \"the\" Builder" <sip:bob@biloxi.com>;tag=a48s)"));
  EXPECT_EQ(address.display_name, "Bob \"the\" Builder");
  EXPECT_EQ(address.uri, "sip:bob@biloxi.com");
  EXPECT_TRUE(address.bracketed);
  ASSERT_EQ(address.params.size(), 1u);
  EXPECT_EQ(address.params[0].name, "tag");
  EXPECT_EQ(address.params[0].value, std::optional<std::string>("a48s"));
  EXPECT_EQ(address.ToString(), R"("Bob \"the\" Builder" <sip:bob@biloxi.com>;tag=a48s)");
}

TEST(NameAddr, TokenDisplayNameAndLws) {
  const NameAddr address = Must(ParseNameAddr("  John   Doe\t<sip:john.doe@home1.net> ;  tag = 1 "));
  EXPECT_EQ(address.display_name, "John   Doe");
  EXPECT_EQ(address.uri, "sip:john.doe@home1.net");
  ASSERT_EQ(address.params.size(), 1u);
  EXPECT_EQ(address.params[0].value, std::optional<std::string>("1"));
}

TEST(NameAddr, AddrSpecParamsBelongToTheHeader) {
  // RFC 3261 20.10: without <>, the ;params are header parameters.
  const NameAddr address = Must(ParseNameAddr("sip:user@PushSenderAgent.domain.com;tag=49583"));
  EXPECT_FALSE(address.bracketed);
  EXPECT_EQ(address.uri, "sip:user@PushSenderAgent.domain.com");
  ASSERT_EQ(address.params.size(), 1u);
  EXPECT_EQ(address.params[0].name, "tag");
  EXPECT_TRUE(Must(address.SipUriValue()).params.empty());
  // With <>, the ;lr is the URI's.
  const NameAddr route = Must(ParseNameAddr("<sip:scscf1.home1.net;lr>"));
  EXPECT_TRUE(route.params.empty());
  EXPECT_EQ(Must(route.SipUriValue()).Param("lr"), std::optional<std::string_view>(""));
}

TEST(NameAddr, NonSipUrisNeedOnlyAScheme) {
  EXPECT_EQ(Must(ParseNameAddr("<tel:+1-201-555-0123>")).uri, "tel:+1-201-555-0123");
  EXPECT_EQ(Must(ParseNameAddr("<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>")).uri,
            "urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF");
  EXPECT_EQ(Fails(ParseNameAddr("<1tel:+1>")).code, ErrorCode::kBadUri);
}

TEST(NameAddr, ToStringBracketsWhenNeeded) {
  NameAddr address;
  address.uri = "sip:a@b.com";
  EXPECT_EQ(address.ToString(), "sip:a@b.com");
  address.uri = "sip:a@b.com;lr";
  EXPECT_EQ(address.ToString(), "<sip:a@b.com;lr>");
  address.uri = "sip:a@b.com";
  address.display_name = "A";
  address.params.push_back(Param{"tag", std::string("x")});
  EXPECT_EQ(address.ToString(), "\"A\" <sip:a@b.com>;tag=x");
}

TEST(NameAddr, Errors) {
  ParseError error = Fails(ParseNameAddr("\"Bob <sip:bob@biloxi.com>"));
  EXPECT_EQ(error.code, ErrorCode::kBadQuotedString);
  EXPECT_EQ(error.offset, 25u);  // ran to the end of the value
  error = Fails(ParseNameAddr("Bob <sip:bob@biloxi.com"));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error.offset, 4u);
  error = Fails(ParseNameAddr("\"Bob\" sip:bob@biloxi.com"));
  EXPECT_EQ(error.offset, 6u);  // '<' expected after the quoted display name
  error = Fails(ParseNameAddr("<sip:bob@biloxi.com:70000>"));
  EXPECT_EQ(error.code, ErrorCode::kBadNumber);
  EXPECT_EQ(error.offset, 20u);  // the URI's own offset 19 plus the '<'
  error = Fails(ParseNameAddr("<sip:bob@biloxi.com> junk"));
  EXPECT_EQ(error.code, ErrorCode::kBadCharacter);
  EXPECT_EQ(error.offset, 21u);
  EXPECT_EQ(Fails(ParseNameAddr("<>")).code, ErrorCode::kBadUri);
  EXPECT_EQ(Fails(ParseNameAddr("   ")).code, ErrorCode::kBadHeaderValue);
  // addr-spec with '?' must be bracketed (20.10).
  EXPECT_EQ(Fails(ParseNameAddr("sip:a@b.com?x=y")).offset, 11u);
  EXPECT_EQ(Fails(ParseNameAddr("<sip:a%4@b.com>")).code, ErrorCode::kBadEscape);
}

TEST(NameAddr, ParameterLimit) {
  std::string value = "<sip:a@b.com>";
  for (std::size_t i = 0; i < kMaxHeaderParams; ++i) value += ";p" + std::to_string(i);
  EXPECT_EQ(Must(ParseNameAddr(value)).params.size(), kMaxHeaderParams);
  const std::size_t extra = value.size() + 1;  // name of the 65th parameter
  value += ";extra";
  const ParseError error = Fails(ParseNameAddr(value));
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_EQ(error.offset, extra);

  std::string hostile = "<sip:a@b.com>";
  for (int i = 0; i < 10000; ++i) hostile += ";p";
  EXPECT_EQ(Fails(ParseNameAddr(hostile)).code, ErrorCode::kTooLarge);
  EXPECT_EQ(Fails(ParseNameAddr("<sip:a@b.com>;x=" + std::string(kMaxHeaderValueBytes, 'a'))).code,
            ErrorCode::kTooLarge);
}

TEST(NameAddrList, AllElementsOfAllFieldsInOrder) {
  const SipMessage message = MustParseMessage(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
      "To: <sip:a@b.com>;tag=1\r\nFrom: <sip:c@d.com>;tag=2\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n"
      "Service-Route: <sip:orig@scscf1.home1.net;lr>, <sip:second.home1.net;lr>\r\n"
      "Path: <sip:pcscf1.visited1.net;lr>\r\n"
      "Service-Route: <sip:third.home1.net;lr>\r\n"
      "P-Associated-URI: <sip:user1_public1@home1.net>, <tel:+1-212-555-1234>\r\n"
      "Content-Length: 0\r\n\r\n");
  const auto routes = Must(ParseNameAddrList(message, HeaderId::kServiceRoute));
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].uri, "sip:orig@scscf1.home1.net;lr");
  EXPECT_EQ(routes[1].uri, "sip:second.home1.net;lr");
  EXPECT_EQ(routes[2].uri, "sip:third.home1.net;lr");
  EXPECT_EQ(Must(ParseNameAddrList(message, HeaderId::kPath)).size(), 1u);
  const auto associated = Must(ParseNameAddrList(message, HeaderId::kPAssociatedUri));
  ASSERT_EQ(associated.size(), 2u);
  EXPECT_EQ(associated[1].uri, "tel:+1-212-555-1234");
  EXPECT_TRUE(Must(ParseNameAddrList(message, HeaderId::kRoute)).empty());
}

TEST(NameAddrList, RouteRequiresNameAddrButIdentityAcceptsAddrSpec) {
  // rec-route / route-param = name-addr (RFC 3261 25.1); PAssertedID-value = name-addr / addr-spec
  // (RFC 3325 9.1).
  const ParseError error = Fails(ParseNameAddrListValue("<sip:p1.example.com;lr>, sip:p2.example.com", true));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error.offset, 25u);
  const auto ids = Must(ParseNameAddrListValue("\"John Doe\" <sip:john.doe@home1.net>, tel:+14085551212", false));
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].display_name, "John Doe");
  EXPECT_EQ(ids[1].uri, "tel:+14085551212");
  EXPECT_EQ(Fails(ParseNameAddrListValue("<sip:a@b.com>,,<sip:c@d.com>", true)).offset, 14u);
  // A comma inside a quoted display name does not split.
  EXPECT_EQ(Must(ParseNameAddrListValue("\"Doe, John\" <sip:j@d.com>", false))[0].display_name, "Doe, John");
}

TEST(FromTo, TagMustBeAToken) {
  EXPECT_EQ(Must(ParseFromTo("Bob <sip:bob@biloxi.com>;tag=456248")).params[0].Unquoted(), "456248");
  const ParseError error = Fails(ParseFromTo("<sip:bob@biloxi.com>;tag=\"x y\""));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error.offset, 25u);
  EXPECT_EQ(Fails(ParseFromTo("<sip:bob@biloxi.com>;tag")).offset, 21u);
}

TEST(ReferTo, SpecRefer) {
  const NameAddr refer_to = Must(ParseReferTo(
      "<sip:john.doe@home1.net;method=SUBSCRIBE?Event=ua-profile%3bprofile-type%3d%22application%22"
      "&Accept-Contact=*%3b+g.oma.sip-push.0x05%3bexplicit%3brequire>"));
  const SipUri uri = Must(refer_to.SipUriValue());
  ASSERT_EQ(uri.headers.size(), 2u);
  EXPECT_EQ(uri.headers[0].second, "ua-profile;profile-type=\"application\"");
  EXPECT_EQ(uri.headers[1].second, "*;+g.oma.sip-push.0x05;explicit;require");
  // RFC 3892 3 example.
  const NameAddr referred_by =
      Must(ParseReferredBy("<sip:referrer@referrer.example>;cid=\"20398823.2UWQFN309shb3@referrer.example\""));
  EXPECT_EQ(referred_by.uri, "sip:referrer@referrer.example");
  EXPECT_EQ(referred_by.params[0].Unquoted(), "20398823.2UWQFN309shb3@referrer.example");
}

// ---------------------------------------------------------------------------------------------
// Via

TEST(Via, Rfc3261Example) {
  const Via via = Must(ParseVia("SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7"));
  EXPECT_EQ(via.protocol_name, "SIP");
  EXPECT_EQ(via.protocol_version, "2.0");
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "erlang.bell-telephone.com");
  EXPECT_EQ(via.port, std::optional<std::uint16_t>(5060));
  EXPECT_EQ(via.branch(), "z9hG4bK87asdks7");
  EXPECT_EQ(via.branch().substr(0, kMagicCookie.size()), kMagicCookie);
  EXPECT_EQ(via.ToString(), "SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7");
}

TEST(Via, LwsAroundSeparatorsReceivedAndIpv6) {
  // RFC 3261 20.42: "Via: SIP / 2.0 / UDP first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1"
  const Via via = Must(ParseVia("SIP / 2.0 / UDP first.example.com: 4000;ttl=16 ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1"));
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.port, std::optional<std::uint16_t>(4000));
  EXPECT_EQ(via.params.size(), 3u);
  EXPECT_EQ(via.branch(), "z9hG4bKa7c6a8dlze.1");
  const Via v6 = Must(ParseVia("SIP/2.0/UDP [5555::aaa:bbb:ccc:ddd]:1357;branch=z9hG4bKnashds7;received=[5555::1]"));
  EXPECT_EQ(v6.host, "[5555::aaa:bbb:ccc:ddd]");
  EXPECT_EQ(v6.port, std::optional<std::uint16_t>(1357));
  EXPECT_EQ(v6.received(), std::optional<std::string>("[5555::1]"));
  EXPECT_EQ(Must(ParseVia("SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds;received=192.0.2.1")).received(),
            std::optional<std::string>("192.0.2.1"));
}

TEST(Via, Rport) {
  // RFC 3581 4 example: the client sends an empty rport, the server fills it in.
  const Via request = Must(ParseVia("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff"));
  EXPECT_TRUE(request.has_rport());
  EXPECT_FALSE(request.rport().has_value());
  const Via response = Must(ParseVia("SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff"));
  EXPECT_EQ(response.rport(), std::optional<std::uint16_t>(9988));
  EXPECT_EQ(response.received(), std::optional<std::string>("192.0.2.1"));
  EXPECT_FALSE(Must(ParseVia("SIP/2.0/UDP a.com;branch=z9hG4bK1")).has_rport());
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP a.com;rport=70000")).code, ErrorCode::kBadNumber);
}

TEST(Via, Errors) {
  ParseError error = Fails(ParseVia("SIP/2.0/"));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error.offset, 8u);
  EXPECT_NE(error.detail.find("expected transport after SIP/2.0/"), std::string::npos);
  EXPECT_EQ(Fails(ParseVia("SIP/2.0 UDP a.com")).offset, 8u);  // '/' expected (SLASH allows LWS)
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP")).offset, 11u);       // sent-by missing
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP a.com:65536")).code, ErrorCode::kBadNumber);
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP a.com:65536")).offset, 18u);
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP [::1;branch=z9hG4bK1")).offset, 12u);
  error = Fails(ParseVia("SIP/2.0/UDP a.com;branch=\"z9hG4bK 1\""));
  EXPECT_EQ(error.offset, 25u);
  error = Fails(ParseVia("SIP/2.0/UDP a.com;branch=z9hG4bK1;received=host.example.com"));
  EXPECT_EQ(error.offset, 43u);
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP a.com;ttl=300")).code, ErrorCode::kBadNumber);
  EXPECT_EQ(Fails(ParseVia("SIP/2.0/UDP a.com x")).code, ErrorCode::kBadCharacter);
}

TEST(Via, AllElementsTopmostFirstWithCompactForm) {
  const SipMessage message = MustParseMessage(
      "SIP/2.0 200 OK\r\n"
      "v: SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds;received=192.0.2.1, SIP/2.0/UDP p2.domain.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse;received=1.2.3.4\r\n"
      "f: sip:user@PushReceiverAgent.domain.com;tag=49394\r\nt: sip:user@PushSenderAgent.domain.com;tag=ab8asdasd9\r\n"
      "i: asd88asd77a@1.2.3.4\r\nCSeq: 1 MESSAGE\r\nl: 0\r\n\r\n");
  const auto vias = Must(ParseVias(message));
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[0].host, "proxy.domain.com");
  EXPECT_EQ(vias[1].host, "p2.domain.com");
  EXPECT_EQ(vias[2].host, "user1pc.domain.com");
  EXPECT_EQ(vias[2].received(), std::optional<std::string>("1.2.3.4"));
}

// ---------------------------------------------------------------------------------------------
// Contact

TEST(Contact, FeatureTagsStayAsWritten) {
  const auto contacts = Must(ParseContactValue(
      "<sip:bob@192.0.2.4>;+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\";expires=7200;q=0.7"));
  ASSERT_EQ(contacts.size(), 1u);
  const Contact& contact = contacts[0];
  EXPECT_FALSE(contact.star);
  ASSERT_EQ(contact.address.params.size(), 3u);
  EXPECT_EQ(contact.address.params[0].name, "+g.oma.pusheventapp");
  EXPECT_EQ(contact.address.params[0].value, std::optional<std::string>("\"mms.ua,x-wap-application:push.sia\""));
  EXPECT_EQ(contact.expires(), std::optional<std::uint32_t>(7200));
  ASSERT_TRUE(contact.q().has_value());
  EXPECT_DOUBLE_EQ(*contact.q(), 0.7);
  EXPECT_EQ(contact.ToString(),
            "<sip:bob@192.0.2.4>;+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\";expires=7200;q=0.7");
}

TEST(Contact, InstanceAndGruus) {
  // RFC 5627 section 5 / RFC 5626: +sip.instance, pub-gruu and temp-gruu are quoted.
  const auto contacts = Must(ParseContactValue(
      "<sip:callee@192.0.2.2>;pub-gruu=\"sip:callee@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\""
      ";temp-gruu=\"sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr\""
      ";+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";expires=3600"));
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].instance(), std::optional<std::string>("<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"));
  EXPECT_EQ(contacts[0].pub_gruu(),
            std::optional<std::string>("sip:callee@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
  EXPECT_EQ(contacts[0].temp_gruu(),
            std::optional<std::string>("sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr"));
  EXPECT_TRUE(Must(ParseSipUri(*contacts[0].pub_gruu())).IsGruu());
}

TEST(Contact, QValues) {
  EXPECT_DOUBLE_EQ(*Must(ParseContactValue("<sip:a@b.com>;q=1.000"))[0].q(), 1.0);
  EXPECT_DOUBLE_EQ(*Must(ParseContactValue("<sip:a@b.com>;q=0"))[0].q(), 0.0);
  EXPECT_DOUBLE_EQ(*Must(ParseContactValue("<sip:a@b.com>;q=0.125"))[0].q(), 0.125);
  ParseError error = Fails(ParseContactValue("<sip:a@b.com>;q=1.5"));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error.offset, 16u);
  EXPECT_EQ(Fails(ParseContactValue("<sip:a@b.com>;q=0.1234")).offset, 16u);
  EXPECT_EQ(Fails(ParseContactValue("<sip:a@b.com>, <sip:c@d.com>;expires=soon")).offset, 37u);
}

TEST(Contact, StarMustBeAlone) {
  const auto star = Must(ParseContactValue("*"));
  ASSERT_EQ(star.size(), 1u);
  EXPECT_TRUE(star[0].star);
  EXPECT_EQ(Fails(ParseContactValue("*, <sip:a@b.com>")).offset, 0u);
  const SipMessage message = MustParseMessage(
      "REGISTER sip:registrar.biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP a.com;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "To: <sip:bob@biloxi.com>\r\nFrom: <sip:bob@biloxi.com>;tag=1\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n"
      "m: <sip:bob@192.0.2.4>\r\nContact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n");
  const ParseError error = Fails(ParseContacts(message));
  EXPECT_EQ(error.code, ErrorCode::kBadHeaderValue);
  // Absolute offset of the '*' in the input (line 7 starts at byte 205, value after "Contact: ").
  const std::string_view input_prefix =
      "REGISTER sip:registrar.biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP a.com;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "To: <sip:bob@biloxi.com>\r\nFrom: <sip:bob@biloxi.com>;tag=1\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n"
      "m: <sip:bob@192.0.2.4>\r\nContact: ";
  EXPECT_EQ(error.offset, input_prefix.size());
}

// ---------------------------------------------------------------------------------------------
// Simple values

TEST(CSeqValue, Parsing) {
  const CSeq cseq = Must(ParseCSeq("4711 INVITE"));
  EXPECT_EQ(cseq.number, 4711u);
  EXPECT_EQ(cseq.method, "INVITE");
  EXPECT_EQ(Must(ParseCSeq("2147483647   MESSAGE ")).number, 2147483647u);
  EXPECT_EQ(Fails(ParseCSeq("2147483648 INVITE")).code, ErrorCode::kBadNumber);  // 8.1.1.5: below 2^31
  EXPECT_EQ(Fails(ParseCSeq("INVITE")).offset, 0u);
  EXPECT_EQ(Fails(ParseCSeq("1INVITE")).offset, 1u);
  EXPECT_EQ(Fails(ParseCSeq("1 ")).offset, 2u);
  EXPECT_EQ(Fails(ParseCSeq("1 INVITE x")).offset, 9u);
}

TEST(DeltaSeconds, Parsing) {
  EXPECT_EQ(Must(ParseDeltaSeconds("7200")), 7200u);
  EXPECT_EQ(Must(ParseDeltaSeconds(" 0 ")), 0u);
  EXPECT_EQ(Must(ParseDeltaSeconds("4294967295")), 4294967295u);
  EXPECT_EQ(Must(ParseDeltaSeconds("99999999999999999999999999")), 4294967295u);  // saturates
  EXPECT_EQ(Fails(ParseDeltaSeconds("")).code, ErrorCode::kBadNumber);
  EXPECT_EQ(Fails(ParseDeltaSeconds("-1")).offset, 0u);
  EXPECT_EQ(Fails(ParseDeltaSeconds("12a")).offset, 2u);
  EXPECT_EQ(Must(ParseMaxForwards("70")), 70u);
  EXPECT_EQ(Must(ParseMaxForwards("255")), 255u);
  EXPECT_EQ(Fails(ParseMaxForwards("256")).code, ErrorCode::kBadNumber);
}

TEST(Event, PackageTemplatesAndId) {
  const EventHeader refer = Must(ParseEvent("refer"));
  EXPECT_EQ(refer.package, "refer");
  EXPECT_TRUE(refer.templates.empty());
  const EventHeader winfo = Must(ParseEvent("presence.winfo;id=1234"));
  EXPECT_EQ(winfo.package, "presence");
  ASSERT_EQ(winfo.templates.size(), 1u);
  EXPECT_EQ(winfo.templates[0], "winfo");
  EXPECT_EQ(winfo.id(), std::optional<std::string_view>("1234"));
  const EventHeader profile = Must(ParseEvent("ua-profile;profile-type=\"application\""));
  EXPECT_EQ(profile.package, "ua-profile");
  EXPECT_EQ(profile.params[0].Unquoted(), "application");
  EXPECT_EQ(Fails(ParseEvent("presence.")).offset, 9u);
  EXPECT_EQ(Fails(ParseEvent(".winfo")).offset, 0u);
  EXPECT_EQ(Fails(ParseEvent("refer;id=\"a b\"")).offset, 9u);
  EXPECT_EQ(Fails(ParseEvent("refer x")).code, ErrorCode::kBadCharacter);
}

TEST(SubscriptionStateValue, Parsing) {
  const SubscriptionState terminated = Must(ParseSubscriptionState("terminated;reason=noresource"));
  EXPECT_EQ(terminated.state, "terminated");
  EXPECT_EQ(terminated.reason, std::optional<std::string>("noresource"));
  EXPECT_FALSE(terminated.expires.has_value());
  EXPECT_EQ(terminated.ToString(), "terminated;reason=noresource");
  const SubscriptionState active = Must(ParseSubscriptionState("active;expires=600;x=1"));
  EXPECT_EQ(active.expires, std::optional<std::uint32_t>(600));
  ASSERT_EQ(active.params.size(), 1u);
  EXPECT_EQ(active.ToString(), "active;expires=600;x=1");
  const SubscriptionState retry = Must(ParseSubscriptionState("terminated;reason=probation;retry-after=30"));
  EXPECT_EQ(retry.retry_after, std::optional<std::uint32_t>(30));
  EXPECT_EQ(Fails(ParseSubscriptionState("active;expires=soon")).offset, 15u);
  EXPECT_EQ(Fails(ParseSubscriptionState("terminated;reason=\"x\"")).offset, 18u);
  EXPECT_EQ(Fails(ParseSubscriptionState(";reason=x")).offset, 0u);
}

TEST(RetryAfterValue, Parsing) {
  // RFC 3261 20.33 examples.
  const RetryAfter first = Must(ParseRetryAfter("18000;duration=3600"));
  EXPECT_EQ(first.seconds, 18000u);
  EXPECT_EQ(first.duration, std::optional<std::uint32_t>(3600));
  EXPECT_TRUE(first.comment.empty());
  const RetryAfter second = Must(ParseRetryAfter("120 (I'm in a meeting)"));
  EXPECT_EQ(second.seconds, 120u);
  EXPECT_EQ(second.comment, "I'm in a meeting");
  EXPECT_EQ(Must(ParseRetryAfter("5 (a (nested) \\) comment);x=y")).comment, "a (nested) \\) comment");
  EXPECT_EQ(Fails(ParseRetryAfter("120 (unterminated")).offset, 4u);
  EXPECT_EQ(Fails(ParseRetryAfter("soon")).code, ErrorCode::kBadNumber);
  EXPECT_EQ(Fails(ParseRetryAfter("5;duration=x")).offset, 11u);
  std::string deep = "1 ";
  for (int i = 0; i < 1000; ++i) deep += '(';
  EXPECT_EQ(Fails(ParseRetryAfter(deep)).code, ErrorCode::kTooLarge);
}

TEST(TokenList, AllFieldsAndEmptyRules) {
  const SipMessage message = MustParseMessage(
      "OPTIONS sip:a@b.com SIP/2.0\r\nVia: SIP/2.0/UDP a.com;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "To: <sip:a@b.com>\r\nFrom: <sip:c@d.com>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
      "Allow: INVITE, ACK ,MESSAGE\r\nAllow: REFER\r\nk: path, gruu\r\nu: ua-profile, presence.winfo\r\n"
      "Supported:\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(Must(ParseTokenList(message, HeaderId::kAllow)),
            (std::vector<std::string>{"INVITE", "ACK", "MESSAGE", "REFER"}));
  EXPECT_EQ(Must(ParseTokenList(message, HeaderId::kSupported)), (std::vector<std::string>{"path", "gruu"}));
  EXPECT_EQ(Must(ParseTokenList(message, HeaderId::kAllowEvents)),
            (std::vector<std::string>{"ua-profile", "presence.winfo"}));
  EXPECT_TRUE(Must(ParseTokenListValue("", true)).empty());
  EXPECT_EQ(Fails(ParseTokenListValue("", false)).code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(Fails(ParseTokenListValue("100rel, ,timer", false)).offset, 8u);
  EXPECT_EQ(Fails(ParseTokenListValue("100rel, ti:mer", false)).offset, 10u);
}

TEST(ServiceList, Rfc6050) {
  const auto services = Must(ParseServiceListValue("urn:urn-7:3gpp-service.ims.icsi.mmtel, URN:urn-7:push.x"));
  EXPECT_EQ(services, (std::vector<std::string>{"urn:urn-7:3gpp-service.ims.icsi.mmtel", "URN:urn-7:push.x"}));
  // The TS's Appendix E example "urn:urn-xxx.push" does not follow RFC 6050.
  EXPECT_EQ(Fails(ParseServiceListValue("urn:urn-xxx.push")).offset, 0u);
  EXPECT_EQ(Fails(ParseServiceListValue("urn:urn-7:3gpp-service..mmtel")).offset, 23u);
  EXPECT_EQ(Fails(ParseServiceListValue("urn:urn-7:-x")).offset, 10u);
}

}  // namespace
}  // namespace pushsim::wire
