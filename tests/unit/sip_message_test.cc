// SIP message framing, header table and serialization (RFC 3261 sections 7, 18.3, 20).
#include "wire/sip_message.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

// A MESSAGE push as the TS (9.1.2) describes it, written by hand with CRLF line ends.
const std::string kMessage =
    "MESSAGE sip:user2@domain.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP as.home1.net:5060;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "P-Asserted-Identity: \"Push Sender\" <sip:push@home1.net>\r\n"
    "From: <sip:push@home1.net>;tag=49583\r\n"
    "To: <sip:user2@domain.com>\r\n"
    "Accept-Contact: *;+g.oma.pusheventapp=\"mms.ua\"\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 18\r\n"
    "\r\n"
    "Push content here.";

Result<SipMessage> Parse(const std::string& text, SipParseOptions options = {}) {
  return SipMessage::Parse(text, options);
}

TEST(RFC3261_7_1, RequestLineFields) {
  auto message = Parse(kMessage);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_TRUE(message->IsRequest());
  EXPECT_EQ(message->method(), Method::kMessage);
  EXPECT_EQ(message->method_name(), "MESSAGE");
  EXPECT_EQ(message->request_uri(), "sip:user2@domain.com");
  EXPECT_EQ(message->body(), "Push content here.");
  EXPECT_EQ(message->header_count(), 10u);
}

TEST(RFC3261_7_2, StatusLineFields) {
  const std::string text =
      "SIP/2.0 480 Temporarily Unavailable\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n";
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_TRUE(message->IsResponse());
  EXPECT_EQ(message->status_code(), 480);
  EXPECT_EQ(message->reason_phrase(), "Temporarily Unavailable");
  EXPECT_EQ(message->cseq_method(), Method::kInvite);
}

TEST(RFC3261_7_1, MethodsAreCaseSensitive) {
  EXPECT_EQ(LookupMethod("INVITE"), Method::kInvite);
  EXPECT_EQ(LookupMethod("invite"), Method::kOther);
}

TEST(RFC3261_7_3_1, HeaderNamesAreCaseInsensitive) {
  EXPECT_EQ(LookupHeader("call-id"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("CALL-ID"), HeaderId::kCallId);
  EXPECT_EQ(LookupHeader("p-asserted-identity"), HeaderId::kPAssertedIdentity);
  EXPECT_EQ(LookupHeader("X-Unknown"), HeaderId::kOther);
}

TEST(RFC3261_7_3_3, EveryCompactForm) {
  // RFC 3261 7.3.3 and the extensions that define compact forms.
  const std::pair<const char*, HeaderId> forms[] = {
      {"i", HeaderId::kCallId},         {"m", HeaderId::kContact},       {"e", HeaderId::kContentEncoding},
      {"l", HeaderId::kContentLength},  {"c", HeaderId::kContentType},   {"f", HeaderId::kFrom},
      {"s", HeaderId::kSubject},        {"k", HeaderId::kSupported},     {"t", HeaderId::kTo},
      {"v", HeaderId::kVia},            {"o", HeaderId::kEvent},         {"u", HeaderId::kAllowEvents},
      {"r", HeaderId::kReferTo},        {"b", HeaderId::kReferredBy},    {"a", HeaderId::kAcceptContact},
      {"j", HeaderId::kRejectContact},  {"d", HeaderId::kRequestDisposition}, {"x", HeaderId::kSessionExpires},
  };
  for (const auto& [form, id] : forms) {
    EXPECT_EQ(LookupHeader(form), id) << form;
    EXPECT_EQ(CompactForm(id), form[0]) << form;
    const std::string upper(1, static_cast<char>(form[0] - 32));
    EXPECT_EQ(LookupHeader(upper), id) << upper;
  }
  EXPECT_EQ(LookupHeader("z"), HeaderId::kOther);
}

TEST(RFC3261_7_3_3, CompactFormsParseAndSerializeLong) {
  const std::string text =
      "REGISTER sip:registrar.biloxi.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n"
      "Max-Forwards: 70\r\n"
      "t: Bob <sip:bob@biloxi.com>\r\n"
      "f: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
      "i: 843817637684230@998sdasdh09\r\n"
      "CSeq: 1826 REGISTER\r\n"
      "m: <sip:bob@192.0.2.4>\r\n"
      "l: 0\r\n\r\n";
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->Get(HeaderId::kCallId), "843817637684230@998sdasdh09");
  EXPECT_EQ(message->Get("Contact"), "<sip:bob@192.0.2.4>");
  const std::string out = message->Serialize();
  EXPECT_NE(out.find("\r\nVia: SIP/2.0/UDP bobspc"), std::string::npos);
  EXPECT_NE(out.find("\r\nCall-ID: 843817637684230@998sdasdh09\r\n"), std::string::npos);
  EXPECT_EQ(out.find("\r\ni: "), std::string::npos);
}

TEST(RFC3261_7_3_1, FoldedHeaderIsUnfoldedToOneSpace) {
  // "Subject: I know you're there,\r\n pick up the phone" is equivalent to one line.
  const std::string text =
      "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\n"
      "Subject: I know you're there,\r\n      pick up the phone\r\n   and talk to me!\r\n"
      "Content-Length: 0\r\n\r\n";
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->Get(HeaderId::kSubject), "I know you're there, pick up the phone and talk to me!");
}

TEST(RFC3261_7_3_1, RepeatedAndCommaJoinedFieldsAreEquivalent) {
  const std::string base =
      "INVITE sip:a@b SIP/2.0\r\nMax-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
      "Call-ID: x\r\nCSeq: 1 INVITE\r\n";
  auto repeated = Parse(base +
                        "Via: SIP/2.0/UDP p1;branch=z9hG4bK2\r\nVia: SIP/2.0/UDP ua;branch=z9hG4bK1\r\n"
                        "Route: <sip:p1;lr>\r\nRoute: <sip:p2;lr>\r\nContent-Length: 0\r\n\r\n");
  auto joined = Parse(base +
                      "Via: SIP/2.0/UDP p1;branch=z9hG4bK2, SIP/2.0/UDP ua;branch=z9hG4bK1\r\n"
                      "Route: <sip:p1;lr>,<sip:p2;lr>\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(repeated.ok()) << repeated.error();
  ASSERT_TRUE(joined.ok()) << joined.error();
  EXPECT_EQ(repeated->GetAll(HeaderId::kVia), joined->GetAll(HeaderId::kVia));
  EXPECT_EQ(repeated->GetAll(HeaderId::kRoute), joined->GetAll(HeaderId::kRoute));
  ASSERT_EQ(joined->GetAll(HeaderId::kRoute).size(), 2u);
  EXPECT_EQ(joined->GetAll(HeaderId::kRoute)[1], "<sip:p2;lr>");
}

TEST(SipMessage, CommaInsideQuotesOrBracketsDoesNotSplit) {
  const std::string text =
      "REGISTER sip:r SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n"
      "Contact: \"Doe, John\" <sip:a@1.2.3.4>;+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"\r\n"
      "Content-Length: 0\r\n\r\n";
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  const auto contacts = message->GetAll(HeaderId::kContact);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_NE(contacts[0].find("push.sia\""), std::string_view::npos);
}

TEST(SipMessage, DateIsNotSplitOnItsComma) {
  const std::string text =
      "OPTIONS sip:r SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
      "Date: Sun, 21 May 2006 13:02:03 GMT\r\nContent-Length: 0\r\n\r\n";
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  ASSERT_EQ(message->GetAll(HeaderId::kDate).size(), 1u);
  EXPECT_EQ(message->GetAll(HeaderId::kDate)[0], "Sun, 21 May 2006 13:02:03 GMT");
}

TEST(RFC3261_7_5, LeadingCrlfIgnored) {
  auto message = Parse("\r\n\r\n" + kMessage);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->method(), Method::kMessage);
}

TEST(RFC3261_7_4_1, ContentLengthSmallerThanBodyIsAnError) {
  std::string text = kMessage;
  text.replace(text.find("Content-Length: 18"), 18, "Content-Length: 10");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadContentLength);
  // Points at the first byte after the declared body.
  EXPECT_EQ(message.error().offset, text.find("\r\n\r\n") + 4 + 10);
  EXPECT_EQ(message.error().line, 13u);  // start line, 10 header lines, blank line, body
  EXPECT_EQ(message.error().column, 11u);
}

TEST(RFC3261_18_3, ContentLengthLargerThanBodyIsTruncation) {
  std::string text = kMessage;
  text.replace(text.find("Content-Length: 18"), 18, "Content-Length: 99");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadContentLength);
  EXPECT_NE(message.error().detail.find("99"), std::string::npos);
}

TEST(RFC3261_18_3, DatagramWithoutContentLengthTakesTheRest) {
  std::string text = kMessage;
  text.erase(text.find("Content-Length: 18\r\n"), 20);
  auto message = Parse(text);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->body(), "Push content here.");
  SipParseOptions stream;
  stream.require_content_length = true;
  auto strict = Parse(text, stream);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, ErrorCode::kMissingHeader);
}

TEST(RFC3261_8_1_1, MandatoryHeadersOfARequest) {
  for (const char* name : {"Via", "Max-Forwards", "From", "To", "Call-ID", "CSeq"}) {
    auto original = Parse(kMessage);
    ASSERT_TRUE(original.ok());
    SipMessage copy = *original;
    copy.Remove(name);
    auto reparsed = SipMessage::Parse(copy.Serialize());
    ASSERT_FALSE(reparsed.ok()) << name;
    EXPECT_EQ(reparsed.error().code, ErrorCode::kMissingHeader) << name;
    EXPECT_NE(reparsed.error().detail.find(name), std::string::npos) << reparsed.error();
  }
}

TEST(RFC3261_7_3_1, SingleValuedHeaderMayNotRepeat) {
  std::string text = kMessage;
  text.insert(text.find("CSeq:"), "Call-ID: second@1.2.3.4\r\n");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kDuplicateHeader);
  EXPECT_EQ(message.error().line, 9u);  // the second Call-ID
}

TEST(RFC3261_8_1_1_5, CSeqMethodMustMatchRequest) {
  std::string text = kMessage;
  text.replace(text.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 INVITE");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeaderValue);
}

TEST(RFC3261_8_1_1_5, CSeqNumberBelow2To31) {
  std::string text = kMessage;
  text.replace(text.find("CSeq: 1 MESSAGE"), 15, "CSeq: 2147483648 MESSAGE");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeaderValue);
}

TEST(SipMessage, BadStartLines) {
  const std::pair<const char*, ErrorCode> cases[] = {
      {"MESSAGE sip:a@b\r\n\r\n", ErrorCode::kBadStartLine},
      {"MESSAGE sip:a@b SIP/3.0\r\n\r\n", ErrorCode::kBadStartLine},
      {"MESS<AGE sip:a@b SIP/2.0\r\n\r\n", ErrorCode::kBadStartLine},
      {"MESSAGE nocolon SIP/2.0\r\n\r\n", ErrorCode::kBadStartLine},
      {"SIP/2.0 99 Low\r\n\r\n", ErrorCode::kBadStartLine},
      {"SIP/2.0 700 High\r\n\r\n", ErrorCode::kBadStartLine},
      {"SIP/2.0 2x0 OK\r\n\r\n", ErrorCode::kBadStartLine},
      {"SIP/2.0 200OK\r\n\r\n", ErrorCode::kBadStartLine},
      {"SIP/2.0 200 O\x01K\r\n\r\n", ErrorCode::kBadCharacter},
  };
  for (const auto& [text, code] : cases) {
    auto message = Parse(text);
    ASSERT_FALSE(message.ok()) << text;
    EXPECT_EQ(message.error().code, code) << text << " -> " << message.error();
    EXPECT_EQ(message.error().line, 1u) << text;
  }
}

TEST(SipMessage, BadHeaderLines) {
  const std::string start = "MESSAGE sip:a@b SIP/2.0\r\n";
  const std::pair<std::string, ErrorCode> cases[] = {
      {start + "NoColonHere\r\n\r\n", ErrorCode::kBadHeader},
      {start + " continuation first\r\n\r\n", ErrorCode::kBadHeader},
      {start + "Bad Name: x\r\n\r\n", ErrorCode::kBadHeader},
      {start + ": empty name\r\n\r\n", ErrorCode::kBadHeader},
      {start + "Via: SIP/2.0/UDP h\r\n", ErrorCode::kTruncated},
      {start + "Via: SIP/2.0/UDP h", ErrorCode::kTruncated},
      {"", ErrorCode::kTruncated},
      {"\r\n\r\n", ErrorCode::kTruncated},
  };
  for (const auto& [text, code] : cases) {
    auto message = Parse(text);
    ASSERT_FALSE(message.ok()) << text;
    EXPECT_EQ(message.error().code, code) << text << " -> " << message.error();
  }
}

TEST(SipMessage, ErrorPositionIsLineAndColumn) {
  auto message = Parse("MESSAGE sip:a@b SIP/2.0\r\nVia: x\r\nBad Name: y\r\n\r\n");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().line, 3u);
  EXPECT_EQ(message.error().column, 4u);  // the space inside the name
  EXPECT_NE(message.error().Describe().find("line 3, column 4"), std::string::npos);
}

TEST(SipMessage, LimitsAreEnforced) {
  SipParseOptions options;
  options.limits.max_header_count = 8;
  auto too_many = Parse(kMessage, options);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);

  std::string long_line = kMessage;
  long_line.insert(long_line.find("Call-ID:"), "X-Long: " + std::string(10000, 'a') + "\r\n");
  auto too_long = Parse(long_line);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kTooLarge);

  std::string huge(300 * 1024, 'x');
  auto too_big = Parse(huge);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);

  // Folding cannot be used to build an unbounded header.
  std::string folded = "MESSAGE sip:a@b SIP/2.0\r\nSubject: a\r\n";
  for (int i = 0; i < 5000; ++i) folded += " bbbbbbbbbb\r\n";
  folded += "\r\n";
  auto too_folded = Parse(folded);
  ASSERT_FALSE(too_folded.ok());
  EXPECT_EQ(too_folded.error().code, ErrorCode::kTooLarge);
}

TEST(SipMessage, BareLfAcceptedOnlyWhenAllowed) {
  std::string lf;
  for (char c : kMessage) {
    if (c != '\r') lf.push_back(c);
  }
  auto lenient = Parse(lf);
  ASSERT_TRUE(lenient.ok()) << lenient.error();
  EXPECT_EQ(lenient->Get(HeaderId::kCSeq), "1 MESSAGE");
  SipParseOptions strict;
  strict.accept_bare_lf = false;
  auto refused = Parse(lf, strict);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(refused.error().line, 1u);
}

TEST(SipMessage, BinaryJunkIsRejected) {
  std::string junk;
  for (int i = 0; i < 512; ++i) junk.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
  auto message = Parse(junk);
  EXPECT_FALSE(message.ok());
}

TEST(SipMessage, SerializeRoundTripIsStable) {
  auto message = Parse(kMessage);
  ASSERT_TRUE(message.ok());
  const std::string once = message->Serialize();
  EXPECT_EQ(once, kMessage);  // already canonical: same bytes
  EXPECT_EQ(message->SerializedSize(), once.size());
  auto again = SipMessage::Parse(once);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->Serialize(), once);
}

TEST(SipMessage, BuildRequestAndEditHeaders) {
  SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
  request.Add(HeaderId::kVia, "SIP/2.0/UDP ue.home1.net;branch=z9hG4bKa");
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=1");
  request.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  request.Add(HeaderId::kCallId, "c1");
  request.Add(HeaderId::kCSeq, "1 REGISTER");
  request.Add("X-Custom", "yes");
  // A proxy pushes its Via on top and its Record-Route.
  request.Prepend(HeaderId::kVia, "SIP/2.0/UDP pcscf.home1.net;branch=z9hG4bKb");
  request.Set(HeaderId::kMaxForwards, "69");
  const auto vias = request.GetAll(HeaderId::kVia);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP pcscf.home1.net;branch=z9hG4bKb");
  EXPECT_EQ(request.Get(HeaderId::kMaxForwards), "69");
  EXPECT_EQ(request.Count(HeaderId::kMaxForwards), 1u);
  EXPECT_EQ(request.Get("x-custom"), "yes");

  const std::string text = request.Serialize();
  EXPECT_EQ(text.substr(0, text.find("\r\n")), "REGISTER sip:home1.net SIP/2.0");
  EXPECT_EQ(request.SerializedSize(), text.size());
  auto parsed = SipMessage::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << text;
  EXPECT_EQ(parsed->GetAll(HeaderId::kVia), vias);
  EXPECT_EQ(parsed->body(), "");
  EXPECT_EQ(parsed->Get(HeaderId::kContentLength), "0");
}

TEST(SipMessage, RemoveFirstElementPopsTopVia) {
  auto message = Parse(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK2, SIP/2.0/UDP ua;branch=z9hG4bK1\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error();
  ASSERT_TRUE(message->RemoveFirstElement(HeaderId::kVia));
  auto vias = message->GetAll(HeaderId::kVia);
  ASSERT_EQ(vias.size(), 1u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP ua;branch=z9hG4bK1");
  ASSERT_TRUE(message->RemoveFirstElement(HeaderId::kVia));
  EXPECT_FALSE(message->Has(HeaderId::kVia));
  EXPECT_FALSE(message->RemoveFirstElement(HeaderId::kVia));
}

TEST(SipMessage, SetBodyComputesContentLength) {
  SipMessage response = SipMessage::MakeResponse(200);
  EXPECT_EQ(response.reason_phrase(), "OK");
  response.SetBody("v=0\r\n", "application/sdp");
  const std::string text = response.Serialize();
  EXPECT_NE(text.find("Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n"), std::string::npos);
}

TEST(SipMessage, CopiesStayValidAfterEdits) {
  auto message = Parse(kMessage);
  ASSERT_TRUE(message.ok());
  SipMessage copy = *message;
  message->Set(HeaderId::kCallId, std::string(500, 'z'));  // forces the buffer to grow
  EXPECT_EQ(copy.Get(HeaderId::kCallId), "asd88asd77a@1.2.3.4");
  EXPECT_EQ(message->Get(HeaderId::kCallId), std::string(500, 'z'));
  EXPECT_EQ(message->body(), "Push content here.");
}

TEST(RFC3261_18_3, StreamFraming) {
  const std::string two = kMessage + "\r\n" + kMessage;
  auto first = SipFrameLength(two);
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(**first, kMessage.size());
  auto second = SipFrameLength(std::string_view(two).substr(kMessage.size()));
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ(**second, kMessage.size() + 2);  // the keep-alive CRLF belongs to the second frame

  // One byte at a time: incomplete until the last byte of the body.
  for (std::size_t n = 0; n < kMessage.size(); ++n) {
    auto partial = SipFrameLength(std::string_view(kMessage).substr(0, n));
    ASSERT_TRUE(partial.ok()) << n;
    EXPECT_FALSE(partial->has_value()) << n;
  }
}

TEST(RFC3261_18_3, StreamFramingNeedsContentLength) {
  std::string text = kMessage;
  text.erase(text.find("Content-Length: 18\r\n"), 20);
  auto framed = SipFrameLength(text);
  ASSERT_FALSE(framed.ok());
  EXPECT_EQ(framed.error().code, ErrorCode::kMissingHeader);

  auto unbounded = SipFrameLength(std::string(70 * 1024, 'a'));
  ASSERT_FALSE(unbounded.ok());
  EXPECT_EQ(unbounded.error().code, ErrorCode::kTooLarge);
}

TEST(SipMessage, FragmentWithoutStartLine) {
  SipParseOptions fragment;
  fragment.require_mandatory_headers = false;
  fragment.allow_missing_start_line = true;
  auto message = SipMessage::Parse("Call-ID: x\r\nCSeq: 3 NOTIFY\r\n\r\n", fragment);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_FALSE(message->HasStartLine());
  EXPECT_EQ(message->Get(HeaderId::kCSeq), "3 NOTIFY");
}

TEST(SipMessage, DefaultReasonPhrases) {
  EXPECT_EQ(DefaultReasonPhrase(202), "Accepted");
  EXPECT_EQ(DefaultReasonPhrase(415), "Unsupported Media Type");
  EXPECT_EQ(DefaultReasonPhrase(488), "Not Acceptable Here");
  EXPECT_EQ(DefaultReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(DefaultReasonPhrase(299), "");
}

}  // namespace
}  // namespace pushsim::wire
