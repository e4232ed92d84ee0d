// Message bodies: multipart/mixed (RFC 2046 section 5.1), message/sipfrag (RFC 3420, RFC 3515),
// message/sip (RFC 3261 section 27.5, 3GPP TS 24.229 5.4.1.7), message/external-body (RFC 4483),
// and the corrected sample messages of the specification in tests/vectors/.
#include "wire/body.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pushsim::wire {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Vector(const std::string& name) { return ReadFile(std::filesystem::path(PUSHSIM_VECTORS_DIR) / name); }

// ---------------------------------------------------------------------------------------------
// multipart/mixed

TEST(Multipart, RFC2046_5_1_1_PreambleAndEpilogueAreIgnored) {
  const std::string body =
      "This is the preamble.\r\n"
      "--b1\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "hello\r\n"
      "--b1\r\n"
      "\r\n"
      "world\r\n"
      "\r\n"
      "--b1--\r\n"
      "This is the epilogue.\r\n";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].headers.Get("Content-Type"), std::optional<std::string_view>("text/plain"));
  EXPECT_EQ((*parts)[0].content, "hello");  // the CRLF before "--b1" belongs to the delimiter
  EXPECT_TRUE((*parts)[1].headers.empty());
  EXPECT_EQ((*parts)[1].content, "world\r\n");  // only the last CRLF is the delimiter's
}

TEST(Multipart, RFC2046_5_1_1_DefaultContentTypeIsTextPlainUsAscii) {
  auto parts = ParseMultipart("--b1\r\n\r\nx\r\n--b1--", "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  auto type = (*parts)[0].ContentType();
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->Essence(), "text/plain");
  EXPECT_EQ(type->Param("charset"), std::optional<std::string>("us-ascii"));
}

TEST(Multipart, RFC2046_5_1_1_CloseDelimiterEndsBody) {
  // After the close delimiter, even text that looks like another part is epilogue.
  const std::string body = "--b1\r\n\r\nonly\r\n--b1--\r\n--b1\r\n\r\nignored\r\n--b1--\r\n";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, "only");
}

TEST(Multipart, RFC2046_5_1_1_TransportPaddingAfterBoundaryIsAllowed) {
  auto parts = ParseMultipart("--b1 \t\r\n\r\nx\r\n--b1-- \r\n", "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  EXPECT_EQ((*parts)[0].content, "x");
}

TEST(Multipart, RFC2046_5_1_1_MissingCloseDelimiterIsTruncated) {
  const std::string body = "--b1\r\n\r\nfirst\r\n--b1\r\n\r\nsecond, never closed\r\n";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(parts.error().offset, body.size());

  auto ends_on_delimiter = ParseMultipart("--b1\r\n\r\nx\r\n--b1", "b1");
  ASSERT_FALSE(ends_on_delimiter.ok());
  EXPECT_EQ(ends_on_delimiter.error().code, ErrorCode::kTruncated);
}

TEST(Multipart, RFC2046_5_1_1_BoundaryInsideContentButNotAtLineStartIsContent) {
  const std::string body = "--b1\r\n\r\ntext --b1 inside and x--b1--\r\n--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, "text --b1 inside and x--b1--");
}

TEST(Multipart, RFC2046_5_1_1_LineStartingWithTheBoundaryMustBeADelimiter) {
  // Boundary comparison is a prefix match at the start of a line (RFC 2046 5.1.1, note to
  // implementors), so content must not contain a line that starts with "--b1".
  const std::string body = "--b1\r\n\r\nx\r\n--b1x\r\n--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadBody);
  EXPECT_EQ(parts.error().offset, body.find("x\r\n--b1--"));
}

TEST(Multipart, RFC2046_5_1_1_TextAfterCloseDelimiterOnItsLine) {
  auto parts = ParseMultipart("--b1\r\n\r\nx\r\n--b1--junk\r\n", "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadBody);
  EXPECT_EQ(parts.error().offset, 17u);  // "--b1\r\n\r\nx\r\n--b1--" is 17 bytes
}

TEST(Multipart, RFC2046_5_1_1_AtLeastOneBodyPart) {
  auto parts = ParseMultipart("--b1--\r\n", "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadBody);
  EXPECT_EQ(parts.error().offset, 0u);
}

TEST(Multipart, RFC2046_5_1_1_NoDelimiterAtAll) {
  auto parts = ParseMultipart("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n", "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadBody);
}

TEST(Multipart, RFC2046_5_1_1_BoundaryLengthAndCharacters) {
  EXPECT_TRUE(IsValidBoundary(std::string(70, 'a')));
  EXPECT_FALSE(IsValidBoundary(std::string(71, 'a')));
  EXPECT_FALSE(IsValidBoundary(""));
  EXPECT_TRUE(IsValidBoundary("gc0pJq0M:08jU534c0p"));
  EXPECT_TRUE(IsValidBoundary("simple boundary"));   // SP is a bchar...
  EXPECT_FALSE(IsValidBoundary("simple boundary "));  // ...but not the last one
  EXPECT_FALSE(IsValidBoundary("semi;colon"));
  EXPECT_FALSE(IsValidBoundary("quote\"d"));

  const std::string long_boundary(71, 'a');
  const std::string body = "--" + long_boundary + "\r\n\r\nx\r\n--" + long_boundary + "--";
  auto parts = ParseMultipart(body, long_boundary);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadHeaderValue);
}

TEST(Multipart, RFC2046_5_1_1_QuotedBoundaryParameterFromContentType) {
  auto type = ParseMediaType("multipart/mixed; boundary=\"simple boundary\"");
  ASSERT_TRUE(type.ok());
  auto parts = ParseMultipart("--simple boundary\r\n\r\nx\r\n--simple boundary--\r\n", *type);
  ASSERT_TRUE(parts.ok()) << parts.error();
  EXPECT_EQ((*parts)[0].content, "x");

  auto no_boundary = ParseMediaType("multipart/mixed");
  ASSERT_TRUE(no_boundary.ok());
  auto missing = ParseMultipart("--b1\r\n\r\nx\r\n--b1--", *no_boundary);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kBadHeaderValue);

  auto not_multipart = ParseMediaType("application/sdp");
  ASSERT_TRUE(not_multipart.ok());
  EXPECT_FALSE(ParseMultipart("--b1\r\n\r\nx\r\n--b1--", *not_multipart).ok());
}

TEST(Multipart, PartContentLengthMustMatchContent) {
  // "hello" is 5 bytes; the part says 6.
  const std::string body = "--b1\r\nContent-Length: 6\r\n\r\nhello\r\n--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadContentLength);
  EXPECT_EQ(parts.error().offset, body.find("hello"));

  auto matching = ParseMultipart("--b1\r\nContent-Length: 5\r\n\r\nhello\r\n--b1--", "b1");
  ASSERT_TRUE(matching.ok()) << matching.error();

  auto not_a_number = ParseMultipart("--b1\r\nContent-Length: five\r\n\r\nhello\r\n--b1--", "b1");
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_EQ(not_a_number.error().code, ErrorCode::kBadContentLength);

  auto twice = ParseMultipart("--b1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello\r\n--b1--", "b1");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kDuplicateHeader);
}

TEST(Multipart, PartHeaderErrorsPointIntoTheWholeBody) {
  const std::string body = "--b1\r\nContent-Type text/plain\r\n\r\nx\r\n--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(parts.error().offset, body.find("text/plain"));
  EXPECT_EQ(parts.error().line, 2u);
}

// Builds `levels` multiparts nested in each other, boundaries b1 (outermost) to b<levels>.
std::string Nested(int levels, int level = 1) {
  const std::string boundary = "b" + std::to_string(level);
  std::string inner;
  if (level == levels) {
    inner = "\r\ninnermost";
  } else {
    inner = "Content-Type: multipart/mixed;boundary=b" + std::to_string(level + 1) + "\r\n\r\n" +
            Nested(levels, level + 1);
  }
  return "--" + boundary + "\r\n" + inner + "\r\n--" + boundary + "--";
}

TEST(Multipart, NestingUpToTheDepthLimitIsAccepted) {
  const std::string body = Nested(static_cast<int>(kMaxMultipartDepth));
  auto parts = ParseMultipart(body, "b1");
  ASSERT_TRUE(parts.ok()) << parts.error();
  ASSERT_EQ(parts->size(), 1u);
  auto level2 = ParseMultipart((*parts)[0].content, "b2");
  ASSERT_TRUE(level2.ok()) << level2.error();
}

TEST(Multipart, NestingBeyondTheDepthLimitIsRejected) {
  const std::string body = Nested(static_cast<int>(kMaxMultipartDepth) + 1);
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kTooLarge);
}

TEST(Multipart, BrokenNestedMultipartIsReportedAtItsPlaceInTheOuterBody) {
  const std::string body = "--b1\r\nContent-Type: multipart/mixed;boundary=b2\r\n\r\n--b2\r\n\r\nx\r\n--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kTruncated);  // b2 is never closed inside the part
  EXPECT_EQ(parts.error().offset, body.find("\r\n--b1--"));
}

TEST(Multipart, MoreThanMaxPartsIsRejected) {
  std::string body;
  for (std::size_t i = 0; i <= kMaxBodyParts; ++i) body += "--b1\r\n\r\npart\r\n";
  body += "--b1--";
  auto parts = ParseMultipart(body, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(parts.error().offset, kMaxBodyParts * 14);  // each "--b1\r\n\r\npart\r\n" is 14 bytes
}

TEST(Multipart, BinaryJunkIsRejected) {
  const std::string junk("\x00\x01\xfe\xff--\r\r\n\n\x7f", 11);
  EXPECT_FALSE(ParseMultipart(junk, "b1").ok());
  const std::string junk_headers = std::string("--b1\r\n\x01\x02: \xff\r\n\r\nx\r\n--b1--");
  auto parts = ParseMultipart(junk_headers, "b1");
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().offset, 6u);
}

TEST(Multipart, SerializeWritesDelimitersAndActualContentLength) {
  std::vector<BodyPart> parts(2);
  parts[0].headers.Add("Content-Type", "application/sdp");
  parts[0].headers.Add("Content-Length", "999");  // rewritten with the real length
  parts[0].content = "v=0\r\n";
  parts[1].headers.Add("Content-Type", "image/jpeg");
  parts[1].headers.Add("Content-Disposition", "icon");
  parts[1].content = "JPEG";
  const std::string expected =
      "--xyz\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: 5\r\n"
      "\r\n"
      "v=0\r\n"
      "\r\n"
      "--xyz\r\n"
      "Content-Type: image/jpeg\r\n"
      "Content-Disposition: icon\r\n"
      "\r\n"
      "JPEG\r\n"
      "--xyz--\r\n";
  const std::string serialized = SerializeMultipart(parts, "xyz");
  EXPECT_EQ(serialized, expected);

  auto reparsed = ParseMultipart(serialized, "xyz");
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  ASSERT_EQ(reparsed->size(), 2u);
  EXPECT_EQ((*reparsed)[0].content, "v=0\r\n");
  EXPECT_EQ((*reparsed)[1].content, "JPEG");
  EXPECT_EQ((*reparsed)[1].headers.Get("Content-Disposition"), std::optional<std::string_view>("icon"));
}

TEST(Multipart, MakeBoundaryIsDeterministicValidAndAbsentFromTheParts) {
  std::vector<BodyPart> parts(1);
  parts[0].content = "--pushsim-0000 text with dashes\r\n--";
  const std::string boundary = MakeBoundary(parts);
  EXPECT_TRUE(IsValidBoundary(boundary));
  EXPECT_EQ(boundary, MakeBoundary(parts));
  EXPECT_EQ(parts[0].content.find(boundary), std::string::npos);
  EXPECT_NE(MakeBoundary("one text"), MakeBoundary("another text"));

  // A text that contains the boundary chosen for another text: the new one avoids it.
  const std::string first = MakeBoundary("seed");
  const std::string text = "seed " + first + " " + MakeBoundary("seed " + first);
  const std::string chosen = MakeBoundary(text);
  EXPECT_EQ(text.find(chosen), std::string::npos);

  // Round trip: content that contains "--" lines still parses back with the chosen boundary.
  auto reparsed = ParseMultipart(SerializeMultipart(parts, boundary), boundary);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ((*reparsed)[0].content, parts[0].content);
}

// ---------------------------------------------------------------------------------------------
// message/sipfrag

TEST(SipFrag, RFC3420_StatusLineOnlyFragment) {
  auto fragment = ParseSipFrag("SIP/2.0 100 Trying\r\n");
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_TRUE(fragment->IsResponse());
  EXPECT_EQ(fragment->status_code(), 100);
  EXPECT_EQ(fragment->reason_phrase(), "Trying");
  EXPECT_EQ(fragment->header_count(), 0u);
  EXPECT_TRUE(fragment->body().empty());
  EXPECT_EQ(SerializeSipFrag(*fragment), "SIP/2.0 100 Trying\r\n");
}

TEST(SipFrag, RFC3515_2_4_5_FinalStatusSerializesWithoutContentLength) {
  EXPECT_EQ(SerializeSipFrag(SipMessage::MakeResponse(200)), "SIP/2.0 200 OK\r\n");
  EXPECT_EQ(SerializeSipFrag(SipMessage::MakeResponse(503, "Service Unavailable")),
            "SIP/2.0 503 Service Unavailable\r\n");
}

TEST(SipFrag, RFC3420_RequestLineOnlyFragment) {
  auto fragment = ParseSipFrag("INVITE sip:alice@atlanta.com SIP/2.0\r\n");
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_TRUE(fragment->IsRequest());
  EXPECT_EQ(fragment->method(), Method::kInvite);
  EXPECT_EQ(fragment->request_uri(), "sip:alice@atlanta.com");
}

TEST(SipFrag, RFC3420_StatusLineWithHeaderAndNoMandatoryHeaders) {
  const std::string text = "SIP/2.0 400 Bad Request\r\nWarning: 399 atlanta.com Your Event header field was malformed\r\n";
  auto fragment = ParseSipFrag(text);
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_EQ(fragment->status_code(), 400);
  EXPECT_EQ(fragment->Get(HeaderId::kWarning),
            std::optional<std::string_view>("399 atlanta.com Your Event header field was malformed"));
  EXPECT_EQ(SerializeSipFrag(*fragment), text);
}

TEST(SipFrag, RFC3420_HeadersOnlyFragment) {
  const std::string text =
      "From: Alice <sip:alice@atlanta.com>\r\n"
      "To: Bob <sip:bob@biloxi.com>\r\n"
      "Contact: <sip:alice@pc33.atlanta.com>\r\n"
      "Date: Thu, 21 Feb 2002 13:02:03 GMT\r\n";
  auto fragment = ParseSipFrag(text);
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_FALSE(fragment->HasStartLine());
  EXPECT_EQ(fragment->header_count(), 4u);
  EXPECT_EQ(fragment->Get(HeaderId::kTo), std::optional<std::string_view>("Bob <sip:bob@biloxi.com>"));
  EXPECT_EQ(SerializeSipFrag(*fragment), text);
}

TEST(SipFrag, RFC3420_FragmentWithBody) {
  const std::string text = "SIP/2.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfine";
  auto fragment = ParseSipFrag(text);
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_EQ(fragment->body(), "fine");
  EXPECT_EQ(SerializeSipFrag(*fragment), text);
}

TEST(SipFrag, RFC3420_EmptyAndBodyOnlyFragments) {
  auto empty = ParseSipFrag("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->HasStartLine());
  EXPECT_EQ(empty->header_count(), 0u);
  EXPECT_EQ(SerializeSipFrag(*empty), "");

  auto body_only = ParseSipFrag("\r\njust a body");
  ASSERT_TRUE(body_only.ok());
  EXPECT_EQ(body_only->body(), "just a body");
  EXPECT_EQ(SerializeSipFrag(*body_only), "\r\njust a body");
}

TEST(SipFrag, CompactHeaderNamesAreWrittenInFull) {
  auto fragment = ParseSipFrag("SIP/2.0 180 Ringing\r\nf: <sip:a@b>;tag=1\r\n");
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_EQ(SerializeSipFrag(*fragment), "SIP/2.0 180 Ringing\r\nFrom: <sip:a@b>;tag=1\r\n");
}

TEST(SipFrag, MalformedFragments) {
  auto no_crlf = ParseSipFrag("SIP/2.0 200 OK");
  ASSERT_FALSE(no_crlf.ok());
  EXPECT_EQ(no_crlf.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(no_crlf.error().offset, 14u);

  auto bad_code = ParseSipFrag("SIP/2.0 99 Odd\r\n");
  ASSERT_FALSE(bad_code.ok());
  EXPECT_EQ(bad_code.error().code, ErrorCode::kBadStartLine);

  auto bare_lf = ParseSipFrag("SIP/2.0 200 OK\nTo: <sip:a@b>\n");
  ASSERT_FALSE(bare_lf.ok());
  EXPECT_EQ(bare_lf.error().code, ErrorCode::kBadCharacter);
  auto inner_bare_lf = ParseSipFrag("SIP/2.0 200 OK\nTo: <sip:a@b>\r\n");
  ASSERT_FALSE(inner_bare_lf.ok());
  EXPECT_EQ(inner_bare_lf.error().code, ErrorCode::kBadCharacter);

  auto leading_lf = ParseSipFrag("\nSIP/2.0 200 OK\r\n");
  ASSERT_FALSE(leading_lf.ok());
  EXPECT_EQ(leading_lf.error().offset, 0u);

  EXPECT_FALSE(ParseSipFrag(std::string("\x01\x02\xff\r\n", 5)).ok());
}

// ---------------------------------------------------------------------------------------------
// message/sip: third-party REGISTER (3GPP TS 24.229 5.4.1.7 / 5.7.1.x): the S-CSCF includes the
// REGISTER it received as a message/sip body.

std::string WithLength(std::string head, const std::string& body) {
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(MessageSip, RFC3261_27_5_ThirdPartyRegisterCarriesTheOriginalRegister) {
  const std::string original = WithLength(
      "REGISTER sip:registrar.biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n"
      "Max-Forwards: 70\r\n"
      "To: Bob <sip:bob@biloxi.com>\r\n"
      "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
      "Call-ID: 843817637684230@998sdasdh09\r\n"
      "CSeq: 1826 REGISTER\r\n"
      "Contact: <sip:bob@192.0.2.4>;+g.oma.pusheventapp=\"mms.ua\"\r\n"
      "Expires: 7200\r\n",
      "");
  const std::string third_party = WithLength(
      "REGISTER sip:push-sender-agent.biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP scscf.biloxi.com;branch=z9hG4bK3rdparty\r\n"
      "Max-Forwards: 70\r\n"
      "To: <sip:bob@biloxi.com>\r\n"
      "From: <sip:scscf.biloxi.com>;tag=3p1\r\n"
      "Call-ID: 3p-843817637684230\r\n"
      "CSeq: 1 REGISTER\r\n"
      "Contact: <sip:scscf.biloxi.com>\r\n"
      "Expires: 7200\r\n"
      "Content-Type: message/sip\r\n",
      original);
  auto outer = SipMessage::Parse(third_party);
  ASSERT_TRUE(outer.ok()) << outer.error();
  auto type = ParseMediaType(outer->Get(HeaderId::kContentType).value_or(""));
  ASSERT_TRUE(type.ok());
  EXPECT_TRUE(type->Matches("message/sip"));

  auto inner = ParseMessageSipBody(outer->body());
  ASSERT_TRUE(inner.ok()) << inner.error();
  EXPECT_EQ(inner->method(), Method::kRegister);
  EXPECT_EQ(inner->Get(HeaderId::kContact),
            std::optional<std::string_view>("<sip:bob@192.0.2.4>;+g.oma.pusheventapp=\"mms.ua\""));
  EXPECT_EQ(inner->Get(HeaderId::kCallId), std::optional<std::string_view>("843817637684230@998sdasdh09"));
}

TEST(MessageSip, RFC3261_8_1_1_IncompleteMessageIsRejected) {
  // A fragment is not a message/sip body: Via, To, From, ... are mandatory.
  auto inner = ParseMessageSipBody("SIP/2.0 200 OK\r\n\r\n");
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::kMissingHeader);
}

// ---------------------------------------------------------------------------------------------
// message/external-body (RFC 4483)

constexpr std::string_view kExternalType =
    "message/external-body; ACCESS-TYPE=URL; URL=\"http://www.example.com/the-indirect-content\"; "
    "EXPIRATION=\"Mon, 24 June 2002 09:00:00 GMT\"; size=4123";
constexpr std::string_view kPhantom =
    "Content-Type: application/octet-stream\r\nContent-ID: <4232423424@www.example.com>\r\n\r\n";

TEST(ExternalBody, RFC4483_4_ExternalBodyUrlAndSize) {
  auto type = ParseMediaType(kExternalType);
  ASSERT_TRUE(type.ok()) << type.error();
  auto external = ParseExternalBody(*type, kPhantom);
  ASSERT_TRUE(external.ok()) << external.error();
  EXPECT_EQ(external->access_type, "URL");
  EXPECT_EQ(external->url, "http://www.example.com/the-indirect-content");
  EXPECT_EQ(external->size, std::optional<std::uint64_t>(4123));
  EXPECT_EQ(external->expiration, std::optional<std::string>("Mon, 24 June 2002 09:00:00 GMT"));
  EXPECT_EQ(external->content_id, std::optional<std::string>("<4232423424@www.example.com>"));
  EXPECT_EQ(external->content_type.Essence(), "application/octet-stream");
}

TEST(ExternalBody, RFC2046_5_2_3_PhantomBodyAfterTheHeadersIsIgnored) {
  auto type = ParseMediaType(kExternalType);
  ASSERT_TRUE(type.ok());
  auto external = ParseExternalBody(*type, std::string(kPhantom) + "THIS IS NOT REALLY THE BODY!");
  ASSERT_TRUE(external.ok()) << external.error();
  EXPECT_EQ(external->content_type.Essence(), "application/octet-stream");
}

TEST(ExternalBody, RFC2017_2_1_WhitespaceInsideTheUrlIsIgnored) {
  // What a folded Content-Type leaves inside the quoted URL after unfolding.
  auto type = ParseMediaType("message/external-body;access-type=URL;URL=\"https://www.example.com/the- indirect\"");
  ASSERT_TRUE(type.ok()) << type.error();
  auto external = ParseExternalBody(*type, kPhantom);
  ASSERT_TRUE(external.ok()) << external.error();
  EXPECT_EQ(external->url, "https://www.example.com/the-indirect");
  EXPECT_FALSE(external->size.has_value());
}

TEST(ExternalBody, RFC4483_ParameterErrors) {
  const std::string phantom(kPhantom);
  auto check = [&](std::string_view media, ErrorCode code) {
    auto type = ParseMediaType(media);
    ASSERT_TRUE(type.ok()) << media << ": " << type.error();
    auto external = ParseExternalBody(*type, phantom);
    ASSERT_FALSE(external.ok()) << media;
    EXPECT_EQ(external.error().code, code) << media;
  };
  check("message/sip", ErrorCode::kBadHeaderValue);
  check("message/external-body;URL=\"http://a.example/x\"", ErrorCode::kBadHeaderValue);  // no access-type
  check("message/external-body;access-type=local-file;URL=\"http://a.example/x\"", ErrorCode::kBadHeaderValue);
  check("message/external-body;access-type=URL", ErrorCode::kBadHeaderValue);                // no URL
  check("message/external-body;access-type=URL;URL=a.example", ErrorCode::kBadHeaderValue);  // not quoted
  check("message/external-body;access-type=URL;URL=\"ftp://a.example/x\"", ErrorCode::kBadHeaderValue);
  check("message/external-body;access-type=URL;URL=\"http:///x\"", ErrorCode::kBadHeaderValue);  // no host
  check("message/external-body;access-type=URL;URL=\"http://a.example/<x>\"", ErrorCode::kBadHeaderValue);
  check("message/external-body;access-type=URL;URL=\"http://a.example/x\";size=12a", ErrorCode::kBadNumber);
  check("message/external-body;access-type=URL;URL=\"http://a.example/x\";size=\"\"", ErrorCode::kBadNumber);
  check("message/external-body;access-type=URL;URL=\"http://a.example/x\";size=99999999999999999999999",
        ErrorCode::kBadNumber);
}

TEST(ExternalBody, RFC4483_PhantomHeaderErrors) {
  auto type = ParseMediaType("message/external-body;access-type=URL;URL=\"http://a.example/x\"");
  ASSERT_TRUE(type.ok());
  auto no_type = ParseExternalBody(*type, "Content-ID: <1@a.example>\r\n\r\n");
  ASSERT_FALSE(no_type.ok());
  EXPECT_EQ(no_type.error().code, ErrorCode::kMissingHeader);

  // The TS sample's slip: a space inside the Content-ID.
  auto spaced_id = ParseExternalBody(*type, "Content-Type: image/jpeg\r\nContent-ID: <id2@ a.example>\r\n\r\n");
  ASSERT_FALSE(spaced_id.ok());
  EXPECT_EQ(spaced_id.error().code, ErrorCode::kBadHeaderValue);

  auto bad_type = ParseExternalBody(*type, "Content-Type: image\r\n\r\n");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().code, ErrorCode::kBadHeaderValue);

  auto junk = ParseExternalBody(*type, std::string("\x00\xff\r\n", 4));
  EXPECT_FALSE(junk.ok());
}

TEST(ExternalBody, RFC4483_MakeExternalBodyWritesQuotedParametersAndPhantomHeaders) {
  ExternalBody external;
  external.url = "http://www.example.com/the-indirect-content";
  external.size = 4123;
  external.expiration = "Mon, 24 June 2002 09:00:00 GMT";
  external.content_id = "<4232423424@www.example.com>";
  external.content_type = MediaType{"image", "jpeg", {}};
  const auto [type, body] = MakeExternalBody(external);
  EXPECT_EQ(type.ToString(),
            "message/external-body;access-type=\"URL\";expiration=\"Mon, 24 June 2002 09:00:00 GMT\";"
            "URL=\"http://www.example.com/the-indirect-content\";size=4123");
  EXPECT_EQ(body, "Content-Type: image/jpeg\r\nContent-ID: <4232423424@www.example.com>\r\n\r\n");

  auto reparsed_type = ParseMediaType(type.ToString());
  ASSERT_TRUE(reparsed_type.ok());
  auto reparsed = ParseExternalBody(*reparsed_type, body);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(reparsed->url, external.url);
  EXPECT_EQ(reparsed->size, external.size);
  EXPECT_EQ(reparsed->expiration, external.expiration);
  EXPECT_EQ(reparsed->content_id, external.content_id);
  EXPECT_EQ(reparsed->content_type.Essence(), "image/jpeg");
}

// ---------------------------------------------------------------------------------------------
// The specification's sample messages (tests/vectors/, corrections in CORRECTIONS.md)

std::vector<std::filesystem::path> VectorFiles(std::string_view extension) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(PUSHSIM_VECTORS_DIR)) {
    if (entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Vectors, EveryVectorIsAsciiWithCrlfLineEnds) {
  // The texts had curly quotes (U+201C/U+201D) and lost line structure; the vectors must not.
  std::size_t checked = 0;
  for (const std::string_view extension : {".sip", ".sdp", ".msrp"}) {
    for (const auto& path : VectorFiles(extension)) {
      const std::string text = ReadFile(path);
      ASSERT_FALSE(text.empty()) << path;
      for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        ASSERT_LT(byte, 0x80u) << path << " byte " << i;
        if (text[i] == '\n') ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << path << " bare LF at " << i;
        if (text[i] == '\r') ASSERT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << path << " bare CR at " << i;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 15u);
}

TEST(Vectors, EverySampleMessageOfTheSpecificationHasItsFile) {
  // One file per message printed in the texts (CORRECTIONS.md lists where each comes from).
  for (const char* name :
       {"ts-c1-register.sip", "ts-c1-register-200.sip", "ts-c2-message.sip", "ts-c2-message-200.sip",
        "ts-c3-invite.sip", "ts-c3-sdp-answer.sdp", "ts-c3-msrp-send-1.msrp", "ts-c3-msrp-send-2.msrp",
        "ts-c3-msrp-200-1.msrp", "ts-c3-msrp-200-2.msrp", "ts-c3-msrp-report.msrp", "ts-e2-message.sip",
        "ts-e2-message-200.sip", "refer-y-step2-refer.sip", "refer-y-step11-notify.sip", "CORRECTIONS.md"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::path(PUSHSIM_VECTORS_DIR) / name)) << name;
  }
}

TEST(Vectors, EverySipVectorParsesSerializesAndReparses) {
  const auto files = VectorFiles(".sip");
  EXPECT_GE(files.size(), 9u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const std::string text = ReadFile(path);
    auto message = SipMessage::Parse(text);  // default options: mandatory headers, exact Content-Length
    ASSERT_TRUE(message.ok()) << message.error();
    const std::string serialized = message->Serialize();
    auto reparsed = SipMessage::Parse(serialized);
    ASSERT_TRUE(reparsed.ok()) << reparsed.error();
    EXPECT_EQ(reparsed->IsRequest(), message->IsRequest());
    EXPECT_EQ(reparsed->method_name(), message->method_name());
    EXPECT_EQ(reparsed->request_uri(), message->request_uri());
    EXPECT_EQ(reparsed->status_code(), message->status_code());
    EXPECT_EQ(reparsed->reason_phrase(), message->reason_phrase());
    ASSERT_EQ(reparsed->header_count(), message->header_count());
    for (std::size_t i = 0; i < message->header_count(); ++i) {
      EXPECT_EQ(reparsed->header(i).id, message->header(i).id);
      EXPECT_EQ(reparsed->header(i).value, message->header(i).value);
    }
    EXPECT_EQ(reparsed->body(), message->body());
    // Serializing is idempotent (the vectors themselves keep the spacing the texts print).
    EXPECT_EQ(reparsed->Serialize(), serialized);
  }
}

TEST(Vectors, TS_C3_InviteCarriesSdpOfferAndIconPart) {
  auto invite = SipMessage::Parse(Vector("ts-c3-invite.sip"));
  ASSERT_TRUE(invite.ok()) << invite.error();
  EXPECT_EQ(invite->method(), Method::kInvite);
  auto type = ParseMediaType(invite->Get(HeaderId::kContentType).value_or(""));
  ASSERT_TRUE(type.ok()) << type.error();
  EXPECT_EQ(type->Essence(), "multipart/mixed");
  EXPECT_EQ(type->Param("boundary"), std::optional<std::string>("boundary71"));

  auto parts = ParseMultipart(invite->body(), *type);
  ASSERT_TRUE(parts.ok()) << parts.error();
  ASSERT_EQ(parts->size(), 2u);

  const BodyPart& sdp = (*parts)[0];
  auto sdp_type = sdp.ContentType();
  ASSERT_TRUE(sdp_type.ok());
  EXPECT_EQ(sdp_type->Essence(), "application/sdp");
  EXPECT_EQ(sdp.content.substr(0, 5), "v=0\r\n");  // RFC 4566 5: an SDP description starts with v=0
  EXPECT_EQ(sdp.content.substr(sdp.content.size() - 2), "\r\n");
  EXPECT_NE(sdp.content.find("\r\na=file-disposition:"), std::string::npos);

  const BodyPart& icon = (*parts)[1];
  auto icon_type = icon.ContentType();
  ASSERT_TRUE(icon_type.ok());
  EXPECT_EQ(icon_type->Essence(), "image/jpeg");
  EXPECT_EQ(icon.headers.Get("Content-ID"), std::optional<std::string_view>("<id2@push-sender-agent.example.com>"));
  auto disposition = ParseContentDisposition(icon.headers.Get("Content-Disposition").value_or(""));
  ASSERT_TRUE(disposition.ok());
  EXPECT_TRUE(disposition->Is("icon"));
  EXPECT_EQ(icon.content, "...small preview icon of the file...");

  // RFC 5547 a=file-icon is a cid: URL; RFC 2392: cid:X names the part with Content-ID <X>.
  const std::string_view content_id = icon.headers.Get("Content-ID").value_or("");
  const std::string cid_line =
      "\r\na=file-icon:cid:" + std::string(content_id.substr(1, content_id.size() - 2)) + "\r\n";
  EXPECT_NE(sdp.content.find(cid_line), std::string::npos);
}

TEST(Vectors, ReferFlowNotifyCarriesSipfragFinalStatus) {
  auto notify = SipMessage::Parse(Vector("refer-y-step11-notify.sip"));
  ASSERT_TRUE(notify.ok()) << notify.error();
  EXPECT_EQ(notify->Get(HeaderId::kEvent), std::optional<std::string_view>("refer"));
  auto type = ParseMediaType(notify->Get(HeaderId::kContentType).value_or(""));
  ASSERT_TRUE(type.ok());
  EXPECT_TRUE(type->Matches("message/sipfrag"));
  EXPECT_EQ(type->Param("version"), std::optional<std::string>("2.0"));
  auto fragment = ParseSipFrag(notify->body());
  ASSERT_TRUE(fragment.ok()) << fragment.error();
  EXPECT_EQ(fragment->status_code(), 200);
  EXPECT_EQ(SerializeSipFrag(*fragment), notify->body());

  // The NOTIFY answers the REFER's dialog: same Call-ID, tags swapped (RFC 3261 12, RFC 3515 2.4.4).
  auto refer = SipMessage::Parse(Vector("refer-y-step2-refer.sip"));
  ASSERT_TRUE(refer.ok()) << refer.error();
  EXPECT_EQ(refer->Get(HeaderId::kCallId), notify->Get(HeaderId::kCallId));
  EXPECT_EQ(refer->Get(HeaderId::kFrom), notify->Get(HeaderId::kTo));
  EXPECT_EQ(notify->request_uri(), "sip:[5555::aaa:bbb:ccc:ddd]:1357");
  EXPECT_EQ(refer->Get(HeaderId::kContact), std::optional<std::string_view>("<sip:[5555::aaa:bbb:ccc:ddd]:1357>"));
}

TEST(Vectors, MessageSamplesCarryTheEighteenByteBodyOfRfc3428) {
  for (const char* name : {"ts-c2-message.sip", "ts-e2-message.sip"}) {
    SCOPED_TRACE(name);
    auto message = SipMessage::Parse(Vector(name));
    ASSERT_TRUE(message.ok()) << message.error();
    EXPECT_EQ(message->Get(HeaderId::kContentLength), std::optional<std::string_view>("18"));
    EXPECT_EQ(message->body(), "Watson, come here.");
  }
}

TEST(Vectors, ResponsesEchoTheirRequestsFromToCallIdAndCSeq) {
  // RFC 3261 8.2.6.2: From, Call-ID and CSeq are copied; To is copied and gains a tag.
  const std::pair<const char*, const char*> pairs[] = {
      {"ts-c1-register.sip", "ts-c1-register-200.sip"},
      {"ts-c2-message.sip", "ts-c2-message-200.sip"},
      {"ts-e2-message.sip", "ts-e2-message-200.sip"},
  };
  for (const auto& [request_name, response_name] : pairs) {
    SCOPED_TRACE(response_name);
    auto request = SipMessage::Parse(Vector(request_name));
    auto response = SipMessage::Parse(Vector(response_name));
    ASSERT_TRUE(request.ok() && response.ok());
    EXPECT_EQ(request->Get(HeaderId::kFrom), response->Get(HeaderId::kFrom));
    EXPECT_EQ(request->Get(HeaderId::kCallId), response->Get(HeaderId::kCallId));
    EXPECT_EQ(request->Get(HeaderId::kCSeq), response->Get(HeaderId::kCSeq));
    const std::string to(request->Get(HeaderId::kTo).value_or(""));
    EXPECT_EQ(response->Get(HeaderId::kTo).value_or("").substr(0, to.size()), to);
    EXPECT_NE(response->Get(HeaderId::kTo).value_or("").find(";tag="), std::string_view::npos);
  }
}

}  // namespace
}  // namespace pushsim::wire
