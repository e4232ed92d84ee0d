#include "wire/sip_uri.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

SipUri MustParse(std::string_view text) {
  auto uri = ParseSipUri(text);
  EXPECT_TRUE(uri.ok()) << text << ": " << (uri.ok() ? std::string() : uri.error().Describe());
  return uri.ok() ? uri.value() : SipUri{};
}

ParseError MustFail(std::string_view text) {
  auto uri = ParseSipUri(text);
  EXPECT_FALSE(uri.ok()) << text << " parsed but should not";
  return uri.ok() ? ParseError{} : uri.error();
}

// RFC 3261 19.1.3 examples.
TEST(SipUri, Rfc3261ExampleSimple) {
  const SipUri uri = MustParse("sip:alice@atlanta.com");
  EXPECT_EQ(uri.scheme, "sip");
  EXPECT_EQ(uri.user, "alice");
  EXPECT_FALSE(uri.password.has_value());
  EXPECT_EQ(uri.host, "atlanta.com");
  EXPECT_FALSE(uri.port.has_value());
  EXPECT_TRUE(uri.params.empty());
  EXPECT_TRUE(uri.headers.empty());
}

TEST(SipUri, Rfc3261ExamplePasswordAndTransport) {
  const SipUri uri = MustParse("sip:alice:secretword@atlanta.com;transport=tcp");
  EXPECT_EQ(uri.user, "alice");
  ASSERT_TRUE(uri.password.has_value());
  EXPECT_EQ(*uri.password, "secretword");
  EXPECT_EQ(uri.Param("transport"), std::optional<std::string_view>("tcp"));
  EXPECT_EQ(uri.Param("TRANSPORT"), std::optional<std::string_view>("tcp"));
}

TEST(SipUri, Rfc3261ExampleSipsWithHeaders) {
  const SipUri uri = MustParse("sips:alice@atlanta.com?subject=project%20x&priority=urgent");
  EXPECT_EQ(uri.scheme, "sips");
  ASSERT_EQ(uri.headers.size(), 2u);
  EXPECT_EQ(uri.headers[0].first, "subject");
  EXPECT_EQ(uri.headers[0].second, "project x");
  EXPECT_EQ(uri.headers[1].first, "priority");
  EXPECT_EQ(uri.headers[1].second, "urgent");
  // The space is re-escaped on output (RFC 3261 25.1: SP is not an hnv character).
  EXPECT_EQ(uri.ToString(), "sips:alice@atlanta.com?subject=project%20x&priority=urgent");
}

TEST(SipUri, Rfc3261ExampleTelephoneSubscriber) {
  const SipUri uri = MustParse("sip:+1-212-555-1212:1234@gateway.com;user=phone");
  EXPECT_EQ(uri.user, "+1-212-555-1212");
  EXPECT_EQ(uri.password, std::optional<std::string>("1234"));
  EXPECT_EQ(uri.host, "gateway.com");
  EXPECT_EQ(uri.Param("user"), std::optional<std::string_view>("phone"));
}

TEST(SipUri, Rfc3261ExampleIpv4AndMethod) {
  EXPECT_EQ(MustParse("sips:1212@gateway.com").user, "1212");
  EXPECT_EQ(MustParse("sip:alice@192.0.2.4").host, "192.0.2.4");
  const SipUri uri = MustParse("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com");
  EXPECT_EQ(uri.user, "");
  EXPECT_EQ(uri.host, "atlanta.com");
  EXPECT_EQ(uri.Param("method"), std::optional<std::string_view>("REGISTER"));
  ASSERT_EQ(uri.headers.size(), 1u);
  EXPECT_EQ(uri.headers[0].second, "alice@atlanta.com");
  // '@' is not an hnv character, so it is escaped again.
  EXPECT_EQ(uri.ToString(), "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com");
}

TEST(SipUri, Rfc3261ExampleUserWithSemicolon) {
  // user-unreserved includes ';': the whole "alice;day=tuesday" is the user part.
  const SipUri uri = MustParse("sip:alice;day=tuesday@atlanta.com");
  EXPECT_EQ(uri.user, "alice;day=tuesday");
  EXPECT_EQ(uri.host, "atlanta.com");
  EXPECT_TRUE(uri.params.empty());
  EXPECT_EQ(uri.ToString(), "sip:alice;day=tuesday@atlanta.com");
}

TEST(SipUri, SchemeIsCaseInsensitive) {
  const SipUri uri = MustParse("SIP:ALICE@AtLanTa.CoM;Transport=udp");
  EXPECT_EQ(uri.scheme, "sip");
  EXPECT_EQ(uri.user, "ALICE");
  EXPECT_EQ(uri.host, "AtLanTa.CoM");
}

TEST(SipUri, EscapedUserIsDecodedAndReescaped) {
  // %61 is 'a' (unreserved): decoded, and not escaped again.
  EXPECT_EQ(MustParse("sip:%61lice@atlanta.com").user, "alice");
  EXPECT_EQ(MustParse("sip:%61lice@atlanta.com").ToString(), "sip:alice@atlanta.com");
  // %40 is '@' and %20 is SP: neither may appear unescaped in a user part.
  const SipUri uri = MustParse("sip:j%40s0n%20x@example.com");
  EXPECT_EQ(uri.user, "j@s0n x");
  EXPECT_EQ(uri.ToString(), "sip:j%40s0n%20x@example.com");
}

TEST(SipUri, Ipv6ReferenceWithPort) {
  const SipUri uri = MustParse("sip:[5555::aaa:bbb:ccc:ddd]:1357");
  EXPECT_EQ(uri.host, "[5555::aaa:bbb:ccc:ddd]");
  EXPECT_EQ(uri.port, std::optional<std::uint16_t>(1357));
  EXPECT_EQ(uri.ToString(), "sip:[5555::aaa:bbb:ccc:ddd]:1357");
  EXPECT_EQ(MustParse("sip:user@[2001:db8::10]").host, "[2001:db8::10]");
  EXPECT_EQ(MustParse("sip:[::ffff:192.0.2.1]").host, "[::ffff:192.0.2.1]");
}

TEST(SipUri, ParamsWithAndWithoutValues) {
  const SipUri uri = MustParse("sip:scscf1.home1.net;lr;transport=tcp;maddr=239.255.255.1;ttl=15");
  ASSERT_EQ(uri.params.size(), 4u);
  EXPECT_EQ(uri.Param("lr"), std::optional<std::string_view>(""));
  EXPECT_EQ(uri.Param("maddr"), std::optional<std::string_view>("239.255.255.1"));
  EXPECT_EQ(uri.Param("ttl"), std::optional<std::string_view>("15"));
  EXPECT_FALSE(uri.Param("ob").has_value());
  EXPECT_EQ(uri.ToString(), "sip:scscf1.home1.net;lr;transport=tcp;maddr=239.255.255.1;ttl=15");
}

TEST(SipUri, GruuAndOutbound) {
  // RFC 5627 3.1: a GRUU carries "gr", with a value for a public GRUU's instance.
  const SipUri gruu = MustParse("sip:callee@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  EXPECT_TRUE(gruu.IsGruu());
  EXPECT_EQ(gruu.Param("gr"), std::optional<std::string_view>("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
  EXPECT_TRUE(MustParse("sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@example.com;gr").IsGruu());
  const SipUri outbound = MustParse("sip:proxy.example.com;lr;ob");
  EXPECT_FALSE(outbound.IsGruu());
  EXPECT_TRUE(outbound.Param("ob").has_value());
}

// The Refer-To of the REFER contribution (003, Appendix Y) carries two headers escaped in the URI.
TEST(SipUri, SpecReferToWithEscapedHeaders) {
  const SipUri uri = MustParse(
      "sip:john.doe@home1.net;method=SUBSCRIBE?Event=ua-profile%3bprofile-type%3d%22application%22"
      "&Accept-Contact=*%3b+g.oma.sip-push.0x05%3bexplicit%3brequire");
  EXPECT_EQ(uri.user, "john.doe");
  EXPECT_EQ(uri.host, "home1.net");
  EXPECT_EQ(uri.Param("method"), std::optional<std::string_view>("SUBSCRIBE"));
  ASSERT_EQ(uri.headers.size(), 2u);
  EXPECT_EQ(uri.headers[0].first, "Event");
  EXPECT_EQ(uri.headers[0].second, "ua-profile;profile-type=\"application\"");
  EXPECT_EQ(uri.headers[1].first, "Accept-Contact");
  // '+' is an hnv-unreserved character: it stays '+', it is not a space.
  EXPECT_EQ(uri.headers[1].second, "*;+g.oma.sip-push.0x05;explicit;require");
  // Re-escaped with upper-case hex; parses back to the same headers.
  const std::string text = uri.ToString();
  EXPECT_EQ(text,
            "sip:john.doe@home1.net;method=SUBSCRIBE?Event=ua-profile%3Bprofile-type%3D%22application%22"
            "&Accept-Contact=*%3B+g.oma.sip-push.0x05%3Bexplicit%3Brequire");
  EXPECT_EQ(MustParse(text).headers, uri.headers);
}

TEST(SipUri, ToStringRoundTrip) {
  for (std::string_view text : {"sip:alice@atlanta.com", "sips:bob:pw@biloxi.com:5061;transport=tls",
                                "sip:+1-212-555-1212:1234@gateway.com;user=phone", "sip:[::1]:5060;lr",
                                "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com"}) {
    EXPECT_EQ(MustParse(text).ToString(), text);
  }
}

TEST(SipUri, AddressOfRecordDropsPortParamsAndHeaders) {
  EXPECT_EQ(AddressOfRecord(MustParse("sip:bob@Biloxi.COM:5060;transport=tcp?subject=x")), "sip:bob@biloxi.com");
  EXPECT_EQ(AddressOfRecord(MustParse("sips:bob:secret@biloxi.com")), "sips:bob@biloxi.com");
  EXPECT_EQ(AddressOfRecord(MustParse("sip:registrar.biloxi.com")), "sip:registrar.biloxi.com");
  EXPECT_EQ(AddressOfRecord(MustParse("sip:j%40s@x.org")), "sip:j%40s@x.org");
}

// RFC 3261 19.1.4: the pairs listed as equivalent.
TEST(SipUriEquivalence, Rfc3261EquivalentPairs) {
  const std::pair<const char*, const char*> pairs[] = {
      {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
      {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
      {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
      {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
       "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
  };
  for (const auto& [a, b] : pairs) {
    EXPECT_TRUE(SipUriEquivalent(MustParse(a), MustParse(b))) << a << " vs " << b;
    EXPECT_TRUE(SipUriEquivalent(MustParse(b), MustParse(a))) << b << " vs " << a;
  }
}

// RFC 3261 19.1.4: the pairs listed as not equivalent.
TEST(SipUriEquivalence, Rfc3261NotEquivalentPairs) {
  const std::pair<const char*, const char*> pairs[] = {
      {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},  // user differs
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},                                 // port
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},                        // transport
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},  // header
      {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},                    // name vs address
  };
  for (const auto& [a, b] : pairs) {
    EXPECT_FALSE(SipUriEquivalent(MustParse(a), MustParse(b))) << a << " vs " << b;
    EXPECT_FALSE(SipUriEquivalent(MustParse(b), MustParse(a))) << b << " vs " << a;
  }
}

TEST(SipUriEquivalence, OtherRules) {
  // sip and sips never match.
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com"), MustParse("sips:a@b.com")));
  // user, ttl, method and maddr in one URI only never match.
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com"), MustParse("sip:a@b.com;user=phone")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com"), MustParse("sip:a@b.com;ttl=1")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com"), MustParse("sip:a@b.com;method=INVITE")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com"), MustParse("sip:a@b.com;maddr=192.0.2.1")));
  // A parameter in both must match (case-insensitively, after decoding).
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com;x=1"), MustParse("sip:a@b.com;x=2")));
  EXPECT_TRUE(SipUriEquivalent(MustParse("sip:a@b.com;x=%41"), MustParse("sip:a@b.com;X=a")));
  // Password is part of the userinfo (case-sensitive).
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a:pw@b.com"), MustParse("sip:a:PW@b.com")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a:pw@b.com"), MustParse("sip:a@b.com")));
  // IPv6 addresses by value (RFC 5954 4.1).
  EXPECT_TRUE(SipUriEquivalent(MustParse("sip:[::1]"), MustParse("sip:[0:0:0:0:0:0:0:1]")));
  EXPECT_TRUE(SipUriEquivalent(MustParse("sip:[2001:DB8::1]"), MustParse("sip:[2001:db8:0::1]")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:[::1]"), MustParse("sip:[::2]")));
  // A repeated parameter is compared by its first occurrence; a URI is equivalent to itself.
  const SipUri repeated = MustParse("sip:a@b.com;x=1;x=2");
  EXPECT_TRUE(SipUriEquivalent(repeated, repeated));
  EXPECT_TRUE(SipUriEquivalent(repeated, MustParse("sip:a@b.com;x=1")));
  EXPECT_FALSE(SipUriEquivalent(repeated, MustParse("sip:a@b.com;x=2")));
  // Repeated URI headers compare as multisets.
  EXPECT_TRUE(SipUriEquivalent(MustParse("sip:a@b.com?f=1&f=2"), MustParse("sip:a@b.com?f=2&f=1")));
  EXPECT_FALSE(SipUriEquivalent(MustParse("sip:a@b.com?f=1&f=1"), MustParse("sip:a@b.com?f=1&f=2")));
}

TEST(SipUriErrors, SchemeAndStructure) {
  EXPECT_EQ(MustFail("tel:+1234").code, ErrorCode::kBadUri);
  EXPECT_EQ(MustFail("tel:+1234").offset, 0u);
  EXPECT_EQ(MustFail("").code, ErrorCode::kBadUri);
  // Empty host.
  ParseError error = MustFail("sip:");
  EXPECT_EQ(error.code, ErrorCode::kBadUri);
  EXPECT_EQ(error.offset, 4u);
  error = MustFail("sip:alice@");
  EXPECT_EQ(error.offset, 10u);
  error = MustFail("sip:alice@;transport=tcp");
  EXPECT_EQ(error.offset, 10u);
  // Empty user before '@'.
  error = MustFail("sip:@atlanta.com");
  EXPECT_EQ(error.code, ErrorCode::kBadUri);
  EXPECT_EQ(error.offset, 4u);
}

TEST(SipUriErrors, BadEscapes) {
  ParseError error = MustFail("sip:%G1ice@atlanta.com");
  EXPECT_EQ(error.code, ErrorCode::kBadEscape);
  EXPECT_EQ(error.offset, 4u);
  EXPECT_EQ(error.column, 5u);
  error = MustFail("sip:alice%4@atlanta.com");
  EXPECT_EQ(error.code, ErrorCode::kBadEscape);
  EXPECT_EQ(error.offset, 9u);
  error = MustFail("sip:alice@atlanta.com?subject=a%2");
  EXPECT_EQ(error.code, ErrorCode::kBadEscape);
  EXPECT_EQ(error.offset, 31u);
  error = MustFail("sip:alice@atlanta.com;x=%zz");
  EXPECT_EQ(error.code, ErrorCode::kBadEscape);
  EXPECT_EQ(error.offset, 24u);
}

TEST(SipUriErrors, Ports) {
  EXPECT_EQ(MustParse("sip:a.com:65535").port, std::optional<std::uint16_t>(65535));
  ParseError error = MustFail("sip:a.com:65536");
  EXPECT_EQ(error.code, ErrorCode::kBadNumber);
  EXPECT_EQ(error.offset, 10u);
  EXPECT_EQ(MustFail("sip:a.com:99999999999999999999999").code, ErrorCode::kBadNumber);
  error = MustFail("sip:a.com:");
  EXPECT_EQ(error.code, ErrorCode::kBadUri);
  EXPECT_EQ(error.offset, 10u);
  EXPECT_EQ(MustFail("sip:a.com:5x").offset, 11u);
}

TEST(SipUriErrors, Hosts) {
  EXPECT_EQ(MustFail("sip:[::1").code, ErrorCode::kBadUri);            // unterminated
  EXPECT_EQ(MustFail("sip:[1:2:3:4:5:6:7:8:9]").code, ErrorCode::kBadUri);  // nine groups
  EXPECT_EQ(MustFail("sip:[1::2::3]").code, ErrorCode::kBadUri);       // two "::"
  EXPECT_EQ(MustFail("sip:[12345::1]").code, ErrorCode::kBadUri);      // five hex digits
  EXPECT_EQ(MustFail("sip:192.0.2.256").code, ErrorCode::kBadUri);     // octet out of range
  EXPECT_EQ(MustFail("sip:-bad.com").code, ErrorCode::kBadUri);        // label starts with '-'
  EXPECT_EQ(MustFail("sip:host.123").code, ErrorCode::kBadUri);        // toplabel starts with a digit
  EXPECT_EQ(MustFail("sip:a..b").code, ErrorCode::kBadUri);            // empty label
  ParseError error = MustFail("sip:alice@at_lanta.com");
  EXPECT_EQ(error.code, ErrorCode::kBadCharacter);
  EXPECT_EQ(error.offset, 12u);
  EXPECT_TRUE(ClassifyHost("example.com.") == HostKind::kHostname);  // trailing dot allowed
}

TEST(SipUriErrors, ParamsAndHeaders) {
  EXPECT_EQ(MustFail("sip:a.com;").offset, 10u);         // empty parameter name
  EXPECT_EQ(MustFail("sip:a.com;x=").offset, 12u);       // '=' without value
  EXPECT_EQ(MustFail("sip:a.com;ttl=256").code, ErrorCode::kBadNumber);
  EXPECT_EQ(MustFail("sip:a.com;maddr=-x").code, ErrorCode::kBadUri);
  EXPECT_EQ(MustFail("sip:a.com?").offset, 10u);         // '?' without header
  EXPECT_EQ(MustFail("sip:a.com?x").offset, 11u);        // header without '='
  ParseError error = MustFail("sip:a.com x");
  EXPECT_EQ(error.code, ErrorCode::kBadCharacter);
  EXPECT_EQ(error.offset, 9u);
  EXPECT_EQ(MustFail("sip:a.com;x=\"q\"").offset, 12u);  // '"' is not a paramchar
}

TEST(SipUriErrors, Limits) {
  std::string many = "sip:a.com";
  for (int i = 0; i < 10000; ++i) many += ";p";
  ParseError error = MustFail(many);
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);

  std::string params = "sip:a.com";
  for (std::size_t i = 0; i < kMaxUriParams; ++i) params += ";p" + std::to_string(i);
  EXPECT_EQ(MustParse(params).params.size(), kMaxUriParams);
  params += ";extra";
  error = MustFail(params);
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_EQ(error.offset, params.size() - 6);  // the ';' of the 65th parameter

  std::string headers = "sip:a.com?h0=v";
  for (std::size_t i = 1; i <= kMaxUriHeaders; ++i) headers += "&h" + std::to_string(i) + "=v";
  EXPECT_EQ(MustFail(headers).code, ErrorCode::kTooLarge);

  const std::string long_user = "sip:" + std::string(kMaxSipUriBytes, 'a') + "@a.com";
  EXPECT_EQ(MustFail(long_user).code, ErrorCode::kTooLarge);
}

TEST(SipUriErrors, BinaryJunk) {
  const std::string junk("sip:a\0b@c.com", 13);
  EXPECT_EQ(MustFail(junk).code, ErrorCode::kBadCharacter);
  EXPECT_EQ(MustFail(junk).offset, 5u);
  EXPECT_EQ(MustFail("sip:\xff\xfe@x.com").offset, 4u);
}

TEST(Ipv6, Parsing) {
  const auto loopback = ParseIpv6Address("::1");
  ASSERT_TRUE(loopback.has_value());
  EXPECT_EQ((*loopback)[15], 1);
  EXPECT_EQ((*loopback)[0], 0);
  const auto mapped = ParseIpv6Address("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ((*mapped)[10], 0xff);
  EXPECT_EQ((*mapped)[11], 0xff);
  EXPECT_EQ((*mapped)[12], 192);
  EXPECT_EQ((*mapped)[15], 1);
  EXPECT_TRUE(ParseIpv6Address("1:2:3:4:5:6:7:8").has_value());
  EXPECT_TRUE(ParseIpv6Address("1::").has_value());
  EXPECT_FALSE(ParseIpv6Address("1:2:3:4:5:6:7").has_value());   // seven groups, no "::"
  EXPECT_FALSE(ParseIpv6Address(":1:2:3:4:5:6:7").has_value());
  EXPECT_FALSE(ParseIpv6Address("1:2:3:4:5:6:7::8").has_value());  // "::" standing for nothing
  EXPECT_FALSE(ParseIpv6Address(":::").has_value());
  EXPECT_FALSE(ParseIpv6Address("1.2.3.4::").has_value());         // IPv4 only at the end
}

}  // namespace
}  // namespace pushsim::wire
