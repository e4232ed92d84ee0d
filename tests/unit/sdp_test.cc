// SDP codec (RFC 4566), offer/answer rules (RFC 3264), MSRP media (RFC 4975 section 8) and file
// transfer attributes (RFC 5547).
#include "wire/sdp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pushsim::wire {
namespace {

// SIP Push TS appendix C.3, the SDP offer for file transfer. Corrected from the TS text:
//  - the blank lines between lines and the leading indentation are removed, lines end in CRLF;
//  - the file-selector, broken across two lines in the TS, is one line;
//  - the hash is written as RFC 5547 section 6 requires (upper-case hex bytes separated by ':');
//    the TS has them run together;
//  - "a=disposition: not-render" is the old draft name: RFC 5547 calls it file-disposition and
//    its value is a token without a leading space (the value not-render is kept as the TS has it);
//  - the file-date zone "+03:00" is written "+0300" (RFC 5547: numeric zone +HHMM, RFC 5322);
//  - "a=icon:cid:id2@ push-sender-agent.example.com" is the old draft name of file-icon and has a
//    stray space inside the cid URL.
const std::string kTsOffer =
    "v=0\r\n"
    "o=push 2890844526 2890844526 IN IP4 push-sender-agent.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 push-sender-agent.example.com\r\n"
    "t=0 0\r\n"
    "m=message 7654 TCP/MSRP *\r\n"
    "i=This is my latest picture\r\n"
    "a=sendonly\r\n"
    "a=accept-types:message/cpim\r\n"
    "a=accept-wrapped-types:*\r\n"
    "a=path:msrp://push-sender-agent.example.com:7654/jshA7we;tcp\r\n"
    "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:4092 "
    "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n"
    "a=file-disposition:not-render\r\n"
    "a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\n"
    "a=file-icon:cid:id2@push-sender-agent.example.com\r\n";

// SIP Push TS appendix C.3, the answer of the Push Receiver Agent. Corrected the same way: blank
// lines and indentation removed, CRLF line ends, hash bytes separated by ':'.
const std::string kTsAnswer =
    "v=0\r\n"
    "o=bob 2890844656 2890844656 IN IP4 bobpc.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 bobpc.example.com\r\n"
    "t=0 0\r\n"
    "m=message 8888 TCP/MSRP *\r\n"
    "a=recvonly\r\n"
    "a=accept-types:message/cpim\r\n"
    "a=accept-wrapped-types:*\r\n"
    "a=path:msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:4092 "
    "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n";

const char kSha1Hex[] = "72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E";

// The example session description of RFC 4566 section 5.
const std::string kRfc4566Example =
    "v=0\r\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "u=http://www.example.com/seminars/sdp.pdf\r\n"
    "e=j.doe@example.com (Jane Doe)\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "t=2873397496 2873404696\r\n"
    "a=recvonly\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n";

// RFC 4975 section 7.1: Alice's offer and Bob's answer for a plain MSRP session.
const std::string kRfc4975Offer =
    "v=0\r\n"
    "o=alice 2890844557 2890844559 IN IP4 alicepc.example.com\r\n"
    "s=-\r\n"
    "c=IN IP4 alicepc.example.com\r\n"
    "t=0 0\r\n"
    "m=message 7654 TCP/MSRP *\r\n"
    "a=accept-types:text/plain\r\n"
    "a=path:msrp://alicepc.example.com:7654/jshA7we;tcp\r\n";

const std::string kRfc4975Answer =
    "v=0\r\n"
    "o=bob 2890844656 2890844656 IN IP4 bob.example.com\r\n"
    "s=-\r\n"
    "c=IN IP4 bob.example.com\r\n"
    "t=0 0\r\n"
    "m=message 12763 TCP/MSRP *\r\n"
    "a=accept-types:text/plain\r\n"
    "a=path:msrp://bob.example.com:12763/kjhd37s2s20w2a;tcp\r\n";

// RFC 5547 section 9 style push offer (the file-selector is folded over three lines in the RFC
// for page width; here it is one line as SDP requires).
const std::string kRfc5547Offer =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 host.atlanta.example.com\r\n"
    "t=0 0\r\n"
    "m=message 7654 TCP/MSRP *\r\n"
    "i=This is my latest picture\r\n"
    "a=sendonly\r\n"
    "a=accept-types:message/cpim\r\n"
    "a=accept-wrapped-types:*\r\n"
    "a=path:msrp://atlanta.example.com:7654/jshA7we;tcp\r\n"
    "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:32349 "
    "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n"
    "a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\n"
    "a=file-disposition:attachment\r\n"
    "a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\n"
    "a=file-icon:cid:id2@alicepc.example.com\r\n"
    "a=file-range:1-32349\r\n";

// Session-level lines shared by the hand-written vectors below.
const std::string kHead =
    "v=0\r\n"
    "o=- 1 1 IN IP4 host.example.com\r\n"
    "s=-\r\n"
    "c=IN IP4 host.example.com\r\n"
    "t=0 0\r\n";

Result<SessionDescription> Parse(const std::string& text) { return SessionDescription::Parse(text); }

void ExpectError(const std::string& text, ErrorCode code, std::uint32_t line, std::uint32_t column) {
  const auto sdp = Parse(text);
  ASSERT_FALSE(sdp.ok()) << "accepted:\n" << text;
  EXPECT_EQ(sdp.error().code, code) << sdp.error();
  EXPECT_EQ(sdp.error().line, line) << sdp.error();
  EXPECT_EQ(sdp.error().column, column) << sdp.error();
}

// ---- RFC 4566 --------------------------------------------------------------------------------

TEST(RFC4566_5, ExampleParsesEveryField) {
  const auto sdp = Parse(kRfc4566Example);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->version, 0);
  EXPECT_EQ(sdp->origin.username, "jdoe");
  EXPECT_EQ(sdp->origin.session_id, "2890844526");
  EXPECT_EQ(sdp->origin.session_version, "2890842807");
  EXPECT_EQ(sdp->origin.net_type, "IN");
  EXPECT_EQ(sdp->origin.addr_type, "IP4");
  EXPECT_EQ(sdp->origin.address, "10.47.16.5");
  EXPECT_EQ(sdp->session_name, "SDP Seminar");
  EXPECT_EQ(sdp->information, "A Seminar on the session description protocol");
  EXPECT_EQ(sdp->uri, "http://www.example.com/seminars/sdp.pdf");
  EXPECT_EQ(sdp->emails, std::vector<std::string>{"j.doe@example.com (Jane Doe)"});
  ASSERT_TRUE(sdp->connection.has_value());
  EXPECT_EQ(sdp->connection->address, "224.2.17.12/127");
  ASSERT_EQ(sdp->times.size(), 1u);
  EXPECT_EQ(sdp->times[0].start, 2873397496u);
  EXPECT_EQ(sdp->times[0].stop, 2873404696u);
  EXPECT_EQ(sdp->Attribute("recvonly"), std::string_view());
  ASSERT_EQ(sdp->media.size(), 2u);
  EXPECT_EQ(sdp->media[0].media, "audio");
  EXPECT_EQ(sdp->media[0].port, 49170);
  EXPECT_EQ(sdp->media[0].proto, "RTP/AVP");
  EXPECT_EQ(sdp->media[0].formats, std::vector<std::string>{"0"});
  EXPECT_EQ(sdp->media[1].formats, std::vector<std::string>{"99"});
  EXPECT_EQ(sdp->media[1].Attribute("rtpmap"), "99 h263-1998/90000");
  // Section 6: a session-level recvonly applies to media that have no direction of their own.
  EXPECT_EQ(sdp->DirectionOf(0), SdpDirection::kRecvOnly);
  EXPECT_EQ(sdp->media[0].direction(), SdpDirection::kSendRecv);
}

TEST(RFC4566_5, CanonicalTextSerializesUnchanged) {
  for (const std::string* text : {&kRfc4566Example, &kTsOffer, &kTsAnswer, &kRfc4975Offer, &kRfc5547Offer}) {
    const auto sdp = Parse(*text);
    ASSERT_TRUE(sdp.ok()) << sdp.error();
    EXPECT_EQ(sdp->Serialize(), *text);
    EXPECT_EQ(sdp->SerializedSize(), text->size());
  }
}

TEST(RFC4566_5, BareLfLineEndsAccepted) {
  std::string text = kRfc4975Offer;
  std::string lf;
  for (char c : text) {
    if (c != '\r') lf.push_back(c);
  }
  const auto sdp = Parse(lf);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->Serialize(), kRfc4975Offer);
}

TEST(RFC4566_5_10, RepeatAndZoneLines) {
  // Section 5.10 and 5.11 examples: the same repeat in seconds and in typed units.
  const std::string text =
      "v=0\r\n"
      "o=- 1 1 IN IP4 h.example.com\r\n"
      "s=-\r\n"
      "c=IN IP4 h.example.com\r\n"
      "t=3034423619 3042462419\r\n"
      "r=604800 3600 0 90000\r\n"
      "r=7d 1h 0 25h\r\n"
      "t=0 0\r\n"
      "z=2882844526 -1h 2898848070 0\r\n"
      "k=prompt\r\n";
  const auto sdp = Parse(text);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  ASSERT_EQ(sdp->times.size(), 2u);
  EXPECT_EQ(sdp->times[0].start, 3034423619u);
  EXPECT_EQ(sdp->times[0].repeats, (std::vector<std::string>{"604800 3600 0 90000", "7d 1h 0 25h"}));
  EXPECT_TRUE(sdp->times[1].repeats.empty());
  EXPECT_EQ(sdp->zone_adjustments, "2882844526 -1h 2898848070 0");
  EXPECT_EQ(sdp->key, "prompt");
  EXPECT_EQ(sdp->Serialize(), text);
}

TEST(RFC4566_5_10, RepeatWithoutTimeRejected) {
  // r= belongs to the t= line before it; after z= it is out of order.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nz=2882844526 -1h\r\nr=7d 1h 0\r\n",
              ErrorCode::kBadSdp, 7, 1);
}

TEST(RFC4566_5_9, ShortTimeRejected) {
  // time = POS-DIGIT 9*DIGIT: "12345" is neither 0 nor an NTP time.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=12345 0\r\n", ErrorCode::kBadNumber, 5, 3);
}

TEST(RFC4566_5, LinesOutOfOrderRejected) {
  // c= after t=: the session order is v o s i u e p c b t r z k a.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nc=IN IP4 h\r\n", ErrorCode::kBadSdp, 5, 1);
  // i= after s= and c=.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\ni=info\r\nt=0 0\r\n", ErrorCode::kBadSdp, 5, 1);
  // c= after b= at session level.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nb=AS:64\r\nc=IN IP4 h\r\nt=0 0\r\n", ErrorCode::kBadSdp, 5, 1);
  // Inside a media section the order is m i c b k a.
  ExpectError(kHead + "m=audio 1 RTP/AVP 0\r\na=sendonly\r\ni=late title\r\n", ErrorCode::kBadSdp, 8, 1);
}

TEST(RFC4566_5, SecondVersionLineRejected) {
  ExpectError("v=0\r\nv=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", ErrorCode::kDuplicateHeader, 2, 1);
  ExpectError(kHead + "v=0\r\n", ErrorCode::kBadSdp, 6, 1);
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\ns=again\r\nt=0 0\r\n", ErrorCode::kDuplicateHeader, 4, 1);
}

TEST(RFC4566_5, MandatoryLinesMissing) {
  ExpectError("o=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", ErrorCode::kMissingHeader, 1, 1);
  ExpectError("v=0\r\ns=-\r\nt=0 0\r\n", ErrorCode::kMissingHeader, 2, 1);
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\nt=0 0\r\n", ErrorCode::kMissingHeader, 3, 1);
  // No t= before the media section.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nm=audio 1 RTP/AVP 0\r\n", ErrorCode::kMissingHeader, 5,
              1);
  // a= where t= is due.
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\na=recvonly\r\nt=0 0\r\n", ErrorCode::kMissingHeader, 5,
              1);
  // No t= at all: reported at the end of the text (line 5, column 1 after the last CRLF).
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\n", ErrorCode::kMissingHeader, 5, 1);
  ExpectError("", ErrorCode::kMissingHeader, 1, 1);
}

TEST(RFC4566_5_1, VersionMustBeZero) {
  ExpectError("v=1\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", ErrorCode::kBadSdp, 1, 3);
}

TEST(RFC4566_5, TypeMustBeOneLowerCaseLetter) {
  ExpectError("V=0\r\n", ErrorCode::kBadSdp, 1, 1);
  ExpectError(kHead + "ab=1\r\n", ErrorCode::kBadSdp, 6, 2);
  ExpectError(kHead + "1=1\r\n", ErrorCode::kBadSdp, 6, 1);
}

TEST(RFC4566_5, SpaceAroundEqualsRejected) {
  ExpectError("v =0\r\n", ErrorCode::kBadSdp, 1, 2);
  // A space after '=' is not a token character of an attribute name.
  ExpectError(kHead + "a= recvonly\r\n", ErrorCode::kBadSdp, 6, 3);
  ExpectError(kHead + "m= audio 1 RTP/AVP 0\r\n", ErrorCode::kBadSdp, 6, 3);
}

TEST(RFC4566_5, UnknownTypeLetterRejected) {
  // "An SDP parser MUST completely ignore any session description that contains a type letter
  // that it does not understand."
  ExpectError(kHead + "x=whatever\r\n", ErrorCode::kBadSdp, 6, 1);
  // v, o, s and t are session-level only.
  ExpectError(kHead + "m=audio 1 RTP/AVP 0\r\nt=0 0\r\n", ErrorCode::kBadSdp, 7, 1);
}

TEST(RFC4566_5, EmptyLineRejected) {
  ExpectError("v=0\r\n\r\no=- 1 1 IN IP4 h\r\n", ErrorCode::kBadSdp, 2, 1);
}

TEST(RFC4566_5, TruncatedLastLineRejected) {
  ExpectError(kHead + "m=message 7654 TCP/MS", ErrorCode::kTruncated, 6, 22);
}

TEST(RFC4566_5, EveryTruncationOfTheTsOfferFailsOrStopsAtALineEnd) {
  for (std::size_t length = 0; length < kTsOffer.size(); ++length) {
    const std::string prefix = kTsOffer.substr(0, length);
    const auto sdp = Parse(prefix);
    if (length > 0 && prefix.back() == '\n') continue;  // whole lines: may be a valid shorter description
    ASSERT_FALSE(sdp.ok()) << "prefix of " << length << " bytes accepted";
    if (length > 0) EXPECT_EQ(sdp.error().code, ErrorCode::kTruncated) << length << ": " << sdp.error();
  }
}

TEST(RFC4566_5, NulAndBareCrRejected) {
  ExpectError(kHead + std::string("a=x\0y\r\n", 7), ErrorCode::kBadCharacter, 6, 4);
  ExpectError(kHead + "a=x\ry\r\n", ErrorCode::kBadCharacter, 6, 4);
}

TEST(RFC4566_5_2, OriginNeedsSixFields) {
  ExpectError("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", ErrorCode::kBadSdp, 2, 3);
  ExpectError("v=0\r\no=- 1  1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", ErrorCode::kBadSdp, 2, 7);
  ExpectError("v=0\r\no=- x1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", ErrorCode::kBadNumber, 2, 5);
}

TEST(RFC4566_5_2, LongSessionIdKeptAsDigits) {
  // sess-id = 1*DIGIT has no upper bound; 25 digits exceed 64 bits.
  const auto sdp = Parse("v=0\r\no=- 1234567890123456789012345 2 IN IP4 h\r\ns=-\r\nt=0 0\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->origin.session_id, "1234567890123456789012345");
}

TEST(RFC4566_5_7, MediaWithoutConnectionRejected) {
  ExpectError("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 h\r\nm=video 2 RTP/AVP 31\r\n",
              ErrorCode::kMissingHeader, 7, 1);
}

TEST(RFC4566_5_7, SeveralMediaConnections) {
  const std::string text =
      "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=video 51372 RTP/AVP 99\r\n"
      "c=IN IP4 233.252.0.1/127\r\nc=IN IP4 233.252.0.2/127\r\n";
  const auto sdp = Parse(text);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->media[0].connection->address, "233.252.0.1/127");
  ASSERT_EQ(sdp->media[0].additional_connections.size(), 1u);
  EXPECT_EQ(sdp->media[0].additional_connections[0].address, "233.252.0.2/127");
  EXPECT_EQ(sdp->Serialize(), text);
}

TEST(RFC4566_5_14, PortOutOfRangeRejected) {
  ExpectError(kHead + "m=message 70000 TCP/MSRP *\r\n", ErrorCode::kBadNumber, 6, 11);
}

TEST(RFC4566_5_14, NonNumericPortRejected) {
  ExpectError(kHead + "m=message 7x54 TCP/MSRP *\r\n", ErrorCode::kBadNumber, 6, 11);
  ExpectError(kHead + "m=message -1 TCP/MSRP *\r\n", ErrorCode::kBadNumber, 6, 11);
}

TEST(RFC4566_5_14, PortCount) {
  const auto sdp = Parse(kHead + "m=video 49170/2 RTP/AVP 31\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->media[0].port, 49170);
  EXPECT_EQ(sdp->media[0].port_count, 2);
  ExpectError(kHead + "m=video 49170/0 RTP/AVP 31\r\n", ErrorCode::kBadNumber, 6, 15);
}

TEST(RFC4566_5_14, FormatAndProtoRequired) {
  ExpectError(kHead + "m=message 7654 TCP/MSRP\r\n", ErrorCode::kBadSdp, 6, 3);
  ExpectError(kHead + "m=message 7654 TCP//MSRP *\r\n", ErrorCode::kBadSdp, 6, 20);
  ExpectError(kHead + "m=message 7654 TCP/MSRP * \r\n", ErrorCode::kBadSdp, 6, 27);
}

TEST(RFC4566_5_13, AttributeFlagsAndValues) {
  const auto sdp = Parse(kHead + "m=audio 1 RTP/AVP 0\r\na=sendonly\r\na=x-unknown:some value: with colon\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  const SdpMedia& media = sdp->media[0];
  ASSERT_EQ(media.attributes.size(), 2u);
  EXPECT_EQ(media.attributes[0], (SdpAttribute{"sendonly", std::nullopt}));
  // Unknown attributes are kept as they are; the value runs from the first ':' to the line end.
  EXPECT_EQ(media.attributes[1], (SdpAttribute{"x-unknown", std::string("some value: with colon")}));
  EXPECT_EQ(media.Attribute("X-UNKNOWN"), "some value: with colon");
  EXPECT_FALSE(media.Attribute("absent").has_value());
}

TEST(RFC4566_5_13, EmptyAttributeValueRejected) {
  // att-value = byte-string, which has at least one byte.
  ExpectError(kHead + "a=path:\r\n", ErrorCode::kBadSdp, 6, 8);
}

TEST(RFC4566_5_8, BandwidthAndKey) {
  const std::string text = kHead + "m=audio 1 RTP/AVP 0\r\nb=AS:64\r\nk=base64:AAEC\r\n";
  const auto sdp = Parse(text);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->media[0].bandwidths, std::vector<std::string>{"AS:64"});
  EXPECT_EQ(sdp->media[0].key, "base64:AAEC");
  ExpectError(kHead + "m=audio 1 RTP/AVP 0\r\nb=AS:fast\r\n", ErrorCode::kBadNumber, 7, 6);
  ExpectError(kHead + "k=base64:not base64\r\n", ErrorCode::kBadSdp, 6, 3);
  ExpectError(kHead + "k=secret\r\n", ErrorCode::kBadSdp, 6, 3);
}

TEST(RFC4566_6, MediaDirectionOverridesSession) {
  const auto sdp = Parse(kHead + "a=recvonly\r\nm=audio 1 RTP/AVP 0\r\na=inactive\r\nm=audio 2 RTP/AVP 0\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->DirectionOf(0), SdpDirection::kInactive);
  EXPECT_EQ(sdp->DirectionOf(1), SdpDirection::kRecvOnly);
  EXPECT_EQ(sdp->media[1].direction(), SdpDirection::kSendRecv);
  EXPECT_EQ(EffectiveDirection({}, {}), SdpDirection::kSendRecv);
}

TEST(RFC4566_5, BuiltDescriptionRoundTrips) {
  SessionDescription sdp;
  sdp.origin = {"alice", "123", "456", "IN", "IP6", "2001:db8::1"};
  sdp.session_name = " ";
  sdp.information = "info";
  sdp.uri = "http://example.com/x";
  sdp.emails = {"a@example.com"};
  sdp.phones = {"+1 617 555-6011"};
  sdp.connection = SdpConnection{"IN", "IP6", "2001:db8::1"};
  sdp.bandwidths = {"CT:128"};
  sdp.times = {SdpTime{3034423619u, 3042462419u, {"7d 1h 0 25h"}}};
  sdp.zone_adjustments = "2882844526 -1h";
  sdp.key = "clear:secret";
  sdp.attributes = {{"tool", std::string("pushsim")}};
  SdpMedia media = MakeMsrpMedia(2855, "msrps://h.example.com:2855/abc;tcp", {"message/cpim", "text/plain"},
                                 SdpDirection::kSendOnly);
  media.title = "t";
  media.bandwidths = {"AS:10"};
  media.key = "prompt";
  media.AddAttribute("max-size", "65536");
  sdp.media = {media, MakeMsrpMedia(0, "msrp://h.example.com:1/x;tcp", {}, SdpDirection::kInactive)};
  const auto parsed = Parse(sdp.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << sdp.Serialize();
  EXPECT_EQ(*parsed, sdp);
  EXPECT_EQ(sdp.SerializedSize(), sdp.Serialize().size());
}

// ---- Limits and hostile input ------------------------------------------------------------------

TEST(Limits, TenThousandAttributesRejected) {
  std::string text = kHead + "m=message 7654 TCP/MSRP *\r\n";
  for (int i = 0; i < 10000; ++i) text += "a=x\r\n";
  // Session lines 1-5, m= on line 6, attributes from line 7: attribute 257 is on line 263.
  ExpectError(text, ErrorCode::kTooLarge, 6 + kMaxSdpAttributesPerSection + 1, 1);
}

TEST(Limits, AttributesUpToTheLimitAccepted) {
  std::string text = kHead;
  for (std::size_t i = 0; i < kMaxSdpAttributesPerSection; ++i) text += "a=x\r\n";
  EXPECT_TRUE(Parse(text).ok());
}

TEST(Limits, TooManyMediaSectionsRejected) {
  std::string text = kHead;
  for (std::size_t i = 0; i <= kMaxSdpMediaSections; ++i) text += "m=audio 1 RTP/AVP 0\r\n";
  ExpectError(text, ErrorCode::kTooLarge, 6 + kMaxSdpMediaSections, 1);
}

TEST(Limits, LongLineRejected) {
  const std::string text = kHead + "a=x:" + std::string(kMaxSdpLineLength, 'y') + "\r\n";
  ExpectError(text, ErrorCode::kTooLarge, 6, kMaxSdpLineLength + 1);
}

TEST(Limits, OversizedDescriptionRejected) {
  std::string text = kHead;
  while (text.size() <= kMaxSdpSize) text += "a=" + std::string(100, 'z') + "\r\n";
  const auto sdp = Parse(text);
  ASSERT_FALSE(sdp.ok());
  EXPECT_EQ(sdp.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(sdp.error().offset, kMaxSdpSize);
}

TEST(Hostile, BinaryJunkRejected) {
  const std::string junk("\x00\xff\xfe\x01v=0\x80\x81\r\n\x1b[2J", 14);
  ExpectError(junk, ErrorCode::kBadCharacter, 1, 1);
  const std::string high_bytes = "\xc3\xa9=0\r\n";
  ExpectError(high_bytes, ErrorCode::kBadSdp, 1, 1);
  // Non-ASCII bytes are allowed in text fields (byte-string), and kept.
  const auto sdp = Parse("v=0\r\no=- 1 1 IN IP4 h\r\ns=Caf\xc3\xa9\r\nt=0 0\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->session_name, "Caf\xc3\xa9");
}

TEST(Hostile, TsTextAsPrintedRejected) {
  // The TS prints the offer with blank lines between lines and indentation: not SDP.
  ExpectError("     v=0\r\n\r\n     o=push 2890844526 2890844526 IN IP4 x\r\n", ErrorCode::kBadSdp, 1, 1);
  ExpectError("v=0\r\n\r\no=push 2890844526 2890844526 IN IP4 x\r\n", ErrorCode::kBadSdp, 2, 1);
}

// ---- RFC 3264 offer/answer ---------------------------------------------------------------------

TEST(RFC3264_6, RefusedStreamKeepsItsMLine) {
  const std::string text = kHead +
                           "m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\na=path:msrp://h:7654/a;tcp\r\n"
                           "m=video 0 RTP/AVP 31\r\n"
                           "m=audio 49170 RTP/AVP 0\r\n";
  auto sdp = Parse(text);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  ASSERT_EQ(sdp->media.size(), 3u);
  EXPECT_FALSE(sdp->media[0].IsRefused());
  EXPECT_TRUE(sdp->media[1].IsRefused());
  EXPECT_FALSE(sdp->media[2].IsRefused());
  RefuseMedia(sdp->media[0]);
  const std::string serialized = sdp->Serialize();
  EXPECT_NE(serialized.find("m=message 0 TCP/MSRP *\r\n"), std::string::npos) << serialized;
  EXPECT_NE(serialized.find("m=video 0 RTP/AVP 31\r\n"), std::string::npos) << serialized;
  const auto reparsed = Parse(serialized);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(reparsed->media.size(), 3u);
  EXPECT_TRUE(reparsed->media[0].IsRefused());
}

TEST(RFC3264_6, AnswerHasTheOfferedStreamsInOrder) {
  const auto offer = Parse(kHead + "m=message 7654 TCP/MSRP *\r\nm=audio 49170 RTP/AVP 0 8\r\n");
  ASSERT_TRUE(offer.ok()) << offer.error();
  SessionDescription answer =
      MakeAnswer(*offer, SdpOrigin{"bob", "7", "7", "IN", "IP4", "bob.example.com"}, {"IN", "IP4", "bob.example.com"});
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[0].media, "message");
  EXPECT_EQ(answer.media[0].proto, "TCP/MSRP");
  EXPECT_TRUE(answer.media[0].IsRefused());
  EXPECT_EQ(answer.media[1].media, "audio");
  EXPECT_EQ(answer.media[1].formats, (std::vector<std::string>{"0", "8"}));
  EXPECT_TRUE(answer.media[1].IsRefused());
  EXPECT_EQ(answer.times, offer->times);
  // Accept the MSRP stream, leave audio refused.
  answer.media[0] = MakeMsrpMedia(8888, "msrp://bob.example.com:8888/9di4ea;tcp", {"message/cpim"},
                                  Reverse(offer->DirectionOf(0)));
  const auto reparsed = Parse(answer.Serialize());
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(*reparsed, answer);
}

TEST(RFC3264_6_1, DirectionReversedInAnswer) {
  EXPECT_EQ(Reverse(SdpDirection::kSendOnly), SdpDirection::kRecvOnly);
  EXPECT_EQ(Reverse(SdpDirection::kRecvOnly), SdpDirection::kSendOnly);
  EXPECT_EQ(Reverse(SdpDirection::kSendRecv), SdpDirection::kSendRecv);
  EXPECT_EQ(Reverse(SdpDirection::kInactive), SdpDirection::kInactive);
}

TEST(RFC3264_6_1, SetDirectionReplacesTheOldOne) {
  SdpMedia media = MakeMsrpMedia(1, "msrp://h:1/a;tcp", {"text/plain"}, SdpDirection::kSendOnly);
  media.SetDirection(SdpDirection::kInactive);
  EXPECT_EQ(media.direction(), SdpDirection::kInactive);
  EXPECT_EQ(media.Attributes("sendonly").size(), 0u);
  EXPECT_EQ(media.Attributes("inactive").size(), 1u);
}

// ---- RFC 4975 MSRP media -----------------------------------------------------------------------

TEST(RFC4975_7_1, OfferAndAnswer) {
  const auto offer = Parse(kRfc4975Offer);
  const auto answer = Parse(kRfc4975Answer);
  ASSERT_TRUE(offer.ok()) << offer.error();
  ASSERT_TRUE(answer.ok()) << answer.error();
  const SdpMedia& offered = offer->media[0];
  EXPECT_TRUE(offered.IsMsrp());
  EXPECT_EQ(offered.port, 7654);
  EXPECT_EQ(offered.formats, std::vector<std::string>{"*"});
  EXPECT_EQ(offered.Path(), std::vector<std::string>{"msrp://alicepc.example.com:7654/jshA7we;tcp"});
  EXPECT_EQ(offered.AcceptTypes(), std::vector<std::string>{"text/plain"});
  EXPECT_TRUE(offered.AcceptWrappedTypes().empty());
  EXPECT_FALSE(offered.MaxSize().has_value());
  EXPECT_EQ(CheckMsrpMedia(offered), std::nullopt);
  EXPECT_EQ(answer->media[0].Path(), std::vector<std::string>{"msrp://bob.example.com:12763/kjhd37s2s20w2a;tcp"});
  EXPECT_EQ(CheckMsrpMedia(answer->media[0]), std::nullopt);
}

TEST(RFC4975_8, TlsPathThroughRelayAndTypeLists) {
  const auto sdp = Parse(kHead +
                         "m=message 2855 TCP/TLS/MSRP *\r\n"
                         "a=accept-types:message/cpim text/plain text/html\r\n"
                         "a=accept-wrapped-types:text/plain image/*\r\n"
                         "a=max-size:131072\r\n"
                         "a=path:msrps://relay.example.com:2855/jfd3;tcp msrps://alice.example.com:7394/2s93i9ek2a;tcp\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  const SdpMedia& media = sdp->media[0];
  EXPECT_EQ(media.Path(), (std::vector<std::string>{"msrps://relay.example.com:2855/jfd3;tcp",
                                                   "msrps://alice.example.com:7394/2s93i9ek2a;tcp"}));
  EXPECT_EQ(media.AcceptTypes(), (std::vector<std::string>{"message/cpim", "text/plain", "text/html"}));
  EXPECT_EQ(media.AcceptWrappedTypes(), (std::vector<std::string>{"text/plain", "image/*"}));
  EXPECT_EQ(media.MaxSize(), 131072u);
  EXPECT_EQ(CheckMsrpMedia(media), std::nullopt);
}

TEST(RFC4975_8, NonConformingMsrpMediaDetected) {
  SdpMedia media = MakeMsrpMedia(1, "msrp://h:1/a;tcp", {"text/plain"});
  EXPECT_EQ(CheckMsrpMedia(media), std::nullopt);
  SdpMedia wrong_scheme = media;
  wrong_scheme.proto = "TCP/TLS/MSRP";  // msrp: URI with TLS proto
  EXPECT_TRUE(CheckMsrpMedia(wrong_scheme).has_value());
  SdpMedia wrong_format = media;
  wrong_format.formats = {"0"};
  EXPECT_TRUE(CheckMsrpMedia(wrong_format).has_value());
  SdpMedia no_path = media;
  no_path.RemoveAttributes("path");
  EXPECT_TRUE(CheckMsrpMedia(no_path).has_value());
  SdpMedia no_types = media;
  no_types.RemoveAttributes("accept-types");
  EXPECT_TRUE(CheckMsrpMedia(no_types).has_value());
}

TEST(RFC4975_8, MakeMsrpMediaLines) {
  SessionDescription sdp;
  sdp.origin = {"push", "1", "1", "IN", "IP4", "psa.example.com"};
  sdp.connection = SdpConnection{"IN", "IP4", "psa.example.com"};
  sdp.media.push_back(MakeMsrpMedia(7654, "msrp://psa.example.com:7654/jshA7we;tcp", {"message/cpim", "text/plain"},
                                    SdpDirection::kSendOnly));
  sdp.media.push_back(MakeMsrpMedia(7655, "msrps://psa.example.com:7655/x;tcp", {}));
  const std::string expected =
      "v=0\r\n"
      "o=push 1 1 IN IP4 psa.example.com\r\n"
      "s=-\r\n"
      "c=IN IP4 psa.example.com\r\n"
      "t=0 0\r\n"
      "m=message 7654 TCP/MSRP *\r\n"
      "a=sendonly\r\n"
      "a=accept-types:message/cpim text/plain\r\n"
      "a=path:msrp://psa.example.com:7654/jshA7we;tcp\r\n"
      "m=message 7655 TCP/TLS/MSRP *\r\n"
      "a=accept-types:*\r\n"
      "a=path:msrps://psa.example.com:7655/x;tcp\r\n";
  EXPECT_EQ(sdp.Serialize(), expected);
  const auto parsed = Parse(expected);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(*parsed, sdp);
}

// ---- RFC 5547 file transfer --------------------------------------------------------------------

TEST(RFC5547_9, PushOfferAllAttributes) {
  const auto sdp = Parse(kRfc5547Offer);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  const SdpMedia& media = sdp->media[0];
  EXPECT_EQ(media.title, "This is my latest picture");
  EXPECT_EQ(media.direction(), SdpDirection::kSendOnly);
  const auto selector = media.GetFileSelector();
  ASSERT_TRUE(selector.ok()) << selector.error();
  EXPECT_EQ(selector->name, "My cool picture.jpg");
  EXPECT_EQ(selector->type, "image/jpeg");
  EXPECT_EQ(selector->size, 32349u);
  ASSERT_TRUE(selector->hash.has_value());
  EXPECT_EQ(selector->hash->first, "sha-1");
  EXPECT_EQ(selector->hash->second, kSha1Hex);
  EXPECT_EQ(media.FileTransferId(), "vBnG916bdberum2fFEABR1FR3ExZMUrd");
  EXPECT_EQ(media.FileDisposition(), "attachment");
  const auto date = media.GetFileDate();
  ASSERT_TRUE(date.ok()) << date.error();
  EXPECT_EQ(date->creation, "Mon, 15 May 2006 15:01:31 +0300");
  EXPECT_FALSE(date->modification.has_value());
  EXPECT_FALSE(date->read.has_value());
  EXPECT_EQ(media.FileIcon(), "cid:id2@alicepc.example.com");
  const auto range = media.GetFileRange();
  ASSERT_TRUE(range.ok()) << range.error();
  EXPECT_EQ(range->start, 1u);
  EXPECT_EQ(range->stop, 32349u);
}

TEST(RFC5547_6, FileSelectorAllFields) {
  const auto selector = ParseFileSelector(
      "name:\"report 2009.pdf\" type:application/pdf size:1048576 hash:sha-1:00:FF:10");
  ASSERT_TRUE(selector.ok()) << selector.error();
  EXPECT_EQ(selector->name, "report 2009.pdf");
  EXPECT_EQ(selector->type, "application/pdf");
  EXPECT_EQ(selector->size, 1048576u);
  EXPECT_EQ(selector->hash, (std::pair<std::string, std::string>{"sha-1", "00:FF:10"}));
  EXPECT_EQ(ToString(*selector), "name:\"report 2009.pdf\" type:application/pdf size:1048576 hash:sha-1:00:FF:10");
}

TEST(RFC5547_6, FileSelectorAnyOrderAndSubset) {
  const auto selector = ParseFileSelector("hash:sha-1:AB size:10");
  ASSERT_TRUE(selector.ok()) << selector.error();
  EXPECT_FALSE(selector->name.has_value());
  EXPECT_FALSE(selector->type.has_value());
  EXPECT_EQ(selector->size, 10u);
  EXPECT_EQ(ToString(*selector), "size:10 hash:sha-1:AB");
}

TEST(RFC5547_6, FileSelectorTypeParameters) {
  const auto selector = ParseFileSelector("type:text/plain;charset=\"UTF-8\";format=flowed size:3");
  ASSERT_TRUE(selector.ok()) << selector.error();
  EXPECT_EQ(selector->type, "text/plain;charset=\"UTF-8\";format=flowed");
  EXPECT_EQ(selector->size, 3u);
}

TEST(RFC5547_6, FileSelectorNameEscaping) {
  FileSelector selector;
  selector.name = "say \"hi\" 100%.txt";
  const std::string text = ToString(selector);
  // filename-string excludes '"' and '%', which are written %22 and %25.
  EXPECT_EQ(text, "name:\"say %22hi%22 100%25.txt\"");
  const auto parsed = ParseFileSelector(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(*parsed, selector);
  // Percent-encoded bytes on the wire are decoded, in either hex case.
  EXPECT_EQ(ParseFileSelector("name:\"a%2fb%2Fc\"")->name, "a/b/c");
}

TEST(RFC5547_6, FileSelectorMalformed) {
  struct Case {
    const char* value;
    ErrorCode code;
    std::size_t offset;
  };
  const Case cases[] = {
      {"name:\"unterminated.jpg size:5", ErrorCode::kBadQuotedString, 5},
      {"name:unquoted.jpg", ErrorCode::kBadQuotedString, 5},
      {"name:\"\"", ErrorCode::kBadHeaderValue, 6},
      {"name:\"bad%zzescape\"", ErrorCode::kBadEscape, 9},
      {"name:\"a\" name:\"b\"", ErrorCode::kBadHeaderValue, 9},
      {"size:12a", ErrorCode::kBadNumber, 5},
      {"size:99999999999999999999999", ErrorCode::kBadNumber, 5},
      {"colour:red", ErrorCode::kBadHeaderValue, 0},
      {"size:1  type:a/b", ErrorCode::kBadHeaderValue, 7},
      {"size:1 ", ErrorCode::kBadHeaderValue, 7},
      {"type:image", ErrorCode::kBadHeaderValue, 10},
      {"type:text/plain;charset=\"utf-8", ErrorCode::kBadQuotedString, 24},
      {"hash:sha-1", ErrorCode::kBadHeaderValue, 10},
      {"hash:sha-1:7", ErrorCode::kBadHeaderValue, 11},
      // RFC 5547 UHEX: upper-case only, bytes separated by ':' (the TS C.3 form is rejected).
      {"hash:sha-1:72:24:5f", ErrorCode::kBadHeaderValue, 17},
      {"hash:sha-1:72245FE8", ErrorCode::kBadHeaderValue, 13},
      {"hash:sha-1:72:", ErrorCode::kBadHeaderValue, 14},
  };
  for (const Case& c : cases) {
    const auto selector = ParseFileSelector(c.value);
    ASSERT_FALSE(selector.ok()) << c.value;
    EXPECT_EQ(selector.error().code, c.code) << c.value << ": " << selector.error();
    EXPECT_EQ(selector.error().offset, c.offset) << c.value << ": " << selector.error();
  }
}

TEST(RFC5547_6, FileSelectorHashLengthLimited) {
  std::string value = "hash:sha-512:AA";
  for (std::size_t i = 1; i < kMaxFileHashBytes; ++i) value += ":AA";
  EXPECT_TRUE(ParseFileSelector(value).ok());
  value += ":AA";
  const auto selector = ParseFileSelector(value);
  ASSERT_FALSE(selector.ok());
  EXPECT_EQ(selector.error().code, ErrorCode::kTooLarge);
}

TEST(RFC5547_6, FileDateAllThree) {
  const std::string text =
      "creation:\"Mon, 15 May 2006 15:01:31 +0300\" modification:\"Tue, 16 May 2006 10:00:00 -0500\" "
      "read:\"Wed, 17 May 2006 08:30:00 +0000\"";
  const auto date = ParseFileDate(text);
  ASSERT_TRUE(date.ok()) << date.error();
  EXPECT_EQ(date->creation, "Mon, 15 May 2006 15:01:31 +0300");
  EXPECT_EQ(date->modification, "Tue, 16 May 2006 10:00:00 -0500");
  EXPECT_EQ(date->read, "Wed, 17 May 2006 08:30:00 +0000");
  EXPECT_EQ(ToString(*date), text);
}

TEST(RFC5547_6, FileDateMalformed) {
  // The TS C.3 writes the zone "+03:00"; RFC 5547 requires +HHMM.
  EXPECT_EQ(ParseFileDate("creation:\"Mon, 15 May 2006 15:01:31 +03:00\"").error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(ParseFileDate("creation:\"Mon, 15 May 2006 15:01:31 GMT\"").error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(ParseFileDate("creation:\"Mon, 15 May 2006 15:01:31 +0300").error().code, ErrorCode::kBadQuotedString);
  EXPECT_EQ(ParseFileDate("created:\"Mon, 15 May 2006 15:01:31 +0300\"").error().code, ErrorCode::kBadHeaderValue);
  const auto twice = ParseFileDate("read:\"Mon, 15 May 2006 15:01:31 +0300\" read:\"Mon, 15 May 2006 15:01:31 +0300\"");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().offset, 39u);
}

TEST(RFC5547_6, FileRange) {
  EXPECT_EQ(*ParseFileRange("1-32349"), (FileRange{1, 32349}));
  EXPECT_EQ(*ParseFileRange("1024-*"), (FileRange{1024, std::nullopt}));
  EXPECT_EQ(ToString(FileRange{1024, std::nullopt}), "1024-*");
  EXPECT_EQ(ToString(FileRange{1, 32349}), "1-32349");
  EXPECT_EQ(ParseFileRange("0-10").error().code, ErrorCode::kBadNumber);  // offsets start at 1
  EXPECT_EQ(ParseFileRange("10-5").error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(ParseFileRange("10").error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(ParseFileRange("1-x").error().offset, 2u);
}

TEST(RFC5547_6, AbsentAttributesReported) {
  const SdpMedia media = MakeMsrpMedia(1, "msrp://h:1/a;tcp", {"text/plain"});
  EXPECT_EQ(media.GetFileSelector().error().code, ErrorCode::kMissingHeader);
  EXPECT_EQ(media.GetFileDate().error().code, ErrorCode::kMissingHeader);
  EXPECT_EQ(media.GetFileRange().error().code, ErrorCode::kMissingHeader);
  EXPECT_FALSE(media.FileTransferId().has_value());
  EXPECT_FALSE(media.FileIcon().has_value());
}

// ---- SIP Push TS appendix C.3 ------------------------------------------------------------------

TEST(TS_C3, OfferFromSpec) {
  const auto sdp = Parse(kTsOffer);
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->origin.username, "push");
  EXPECT_EQ(sdp->origin.address, "push-sender-agent.example.com");
  EXPECT_EQ(sdp->session_name, "");
  EXPECT_EQ(sdp->connection->address, "push-sender-agent.example.com");
  ASSERT_EQ(sdp->media.size(), 1u);
  const SdpMedia& media = sdp->media[0];
  EXPECT_EQ(media.media, "message");
  EXPECT_EQ(media.port, 7654);
  EXPECT_EQ(media.proto, "TCP/MSRP");
  EXPECT_EQ(CheckMsrpMedia(media), std::nullopt);
  EXPECT_EQ(sdp->DirectionOf(0), SdpDirection::kSendOnly);
  EXPECT_EQ(media.AcceptTypes(), std::vector<std::string>{"message/cpim"});
  EXPECT_EQ(media.AcceptWrappedTypes(), std::vector<std::string>{"*"});
  EXPECT_EQ(media.Path(), std::vector<std::string>{"msrp://push-sender-agent.example.com:7654/jshA7we;tcp"});
  const auto selector = media.GetFileSelector();
  ASSERT_TRUE(selector.ok()) << selector.error();
  EXPECT_EQ(selector->name, "My cool picture.jpg");
  EXPECT_EQ(selector->type, "image/jpeg");
  EXPECT_EQ(selector->size, 4092u);
  EXPECT_EQ(selector->hash->second, kSha1Hex);
  EXPECT_EQ(media.FileDisposition(), "not-render");
  EXPECT_EQ(media.GetFileDate()->creation, "Mon, 15 May 2006 15:01:31 +0300");
  EXPECT_EQ(media.FileIcon(), "cid:id2@push-sender-agent.example.com");
}

TEST(TS_C3, AnswerFromSpec) {
  const auto offer = Parse(kTsOffer);
  const auto answer = Parse(kTsAnswer);
  ASSERT_TRUE(offer.ok()) << offer.error();
  ASSERT_TRUE(answer.ok()) << answer.error();
  // RFC 3264 section 6: as many m-lines as the offer; the sendonly stream is answered recvonly.
  ASSERT_EQ(answer->media.size(), offer->media.size());
  EXPECT_EQ(answer->media[0].media, offer->media[0].media);
  EXPECT_FALSE(answer->media[0].IsRefused());
  EXPECT_EQ(answer->DirectionOf(0), Reverse(offer->DirectionOf(0)));
  EXPECT_EQ(answer->media[0].Path(), std::vector<std::string>{"msrp://bobpc.example.com:8888/9di4ea;tcp"});
  // RFC 5547: the answerer accepting the file repeats the offered file-selector.
  EXPECT_EQ(*answer->media[0].GetFileSelector(), *offer->media[0].GetFileSelector());
}

TEST(TS_C3, OriginalIconAndDispositionNamesAreUnknownAttributes) {
  // The TS's draft names parse as unknown attributes (kept), not as RFC 5547 attributes.
  const auto sdp = Parse(kHead + "m=message 1 TCP/MSRP *\r\na=disposition: not-render\r\na=icon:cid:x@y\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error();
  EXPECT_EQ(sdp->media[0].Attribute("disposition"), " not-render");
  EXPECT_FALSE(sdp->media[0].FileDisposition().has_value());
  EXPECT_FALSE(sdp->media[0].FileIcon().has_value());
}

}  // namespace
}  // namespace pushsim::wire
