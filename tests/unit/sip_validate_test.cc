#include "wire/sip_validate.h"

#include <gtest/gtest.h>

#include <string>

#include "wire/sip_headers.h"

namespace pushsim::wire {
namespace {

SipMessage MustParse(std::string_view text) {
  auto message = SipMessage::Parse(text);
  EXPECT_TRUE(message.ok()) << (message.ok() ? std::string() : message.error().Describe());
  return message.ok() ? std::move(message).value() : SipMessage{};
}

// Validates `text`, which must parse, and returns the validation error.
std::optional<ParseError> Validate(std::string_view text) {
  const SipMessage message = MustParse(text);
  return ValidateSipMessage(message, text);
}

// --- The specification's sample messages, corrected -------------------------------------------
// Corrections common to all: the blank lines the document puts between header lines are removed
// (they would end the header section) and lines end with CRLF.

// TS 001, Appendix C.1. Corrected: the Contact feature tag is written `" mms.ua”` (leading space,
// curly closing quote); RFC 3840 wants a quoted string of tags, so it is "mms.ua".
constexpr std::string_view kSpecRegister =
    "REGISTER sip:registrar.biloxi.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.com>\r\n"
    "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
    "Call-ID: 843817637684230@998sdasdh09\r\n"
    "CSeq: 1826 REGISTER\r\n"
    "Contact: <sip:bob@192.0.2.4>; +g.oma.pusheventapp=\"mms.ua\"\r\n"
    "Expires: 7200\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// TS 001, Appendix C.1 response. Corrected: ";received=192.0.2.4" stood on a line of its own; it
// belongs to the Via.
constexpr std::string_view kSpecRegisterOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7;received=192.0.2.4\r\n"
    "To: Bob <sip:bob@biloxi.com>;tag=2493k59kd\r\n"
    "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
    "Call-ID: 843817637684230@998sdasdh09\r\n"
    "CSeq: 1826 REGISTER\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Expires: 7200\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// TS 001, Appendix C.2. Corrected: the Accept-Contact tag as above; the 18-byte body is not given
// in the document, so an 18-byte text stands in.
constexpr std::string_view kSpecMessage =
    "MESSAGE sip:user2@domain.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "P-Asserted-Identity: \"John Doe\" <sip:john.doe@home1.net>\r\n"
    "From: sip:user@PushSenderAgent.domain.com;tag=49583\r\n"
    "To: sip:user@PushReceiverAgent.domain.com\r\n"
    "Accept-Contact: *;+g.oma.pusheventapp=\"mms.ua\"\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 18\r\n"
    "\r\n"
    "Push content here!";

// TS 001, Appendix C.2 response. Corrected: "sip:user@ PushsenderAgent..." has a space after '@'.
constexpr std::string_view kSpecMessageOk =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds;received=192.0.2.1\r\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse;received=1.2.3.4\r\n"
    "From: sip:user@PushReceiverAgent.domain.com;tag=49394\r\n"
    "To: sip:user@PushsenderAgent.domain.com;tag=ab8asdasd9\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// Contribution 003, Appendix Y, step 2.
constexpr std::string_view kSpecRefer =
    "REFER sip:john.doe@home1.net SIP/2.0\r\n"
    "Via: SIP/2.0/UDP [5555::aaa:bbb:ccc:ddd]:1357;branch=z9hG4bKnashds7\r\n"
    "Max-Forwards: 70\r\n"
    "Route: <sip:scscf1.home1.net;lr>\r\n"
    "From: <sip:psadm.home1.net>;tag=31415\r\n"
    "To: <sip:john.doe@home1.net>\r\n"
    "Call-ID: b89rjhnedlrfjflslj40a222\r\n"
    "CSeq: 1 REFER\r\n"
    "Expires: 600\r\n"
    "Refer-To: <sip:john.doe@home1.net;method=SUBSCRIBE?Event=ua-profile%3bprofile-type%3d%22application%22"
    "&Accept-Contact=*%3b+g.oma.sip-push.0x05%3bexplicit%3brequire>\r\n"
    "Contact: <sip:[5555::aaa:bbb:ccc:ddd]:1357>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

// Contribution 003, Appendix Y, step 11. Corrected: the body line "3. SIP/2.0 200 OK" carries a
// list number; the 16-byte sipfrag body is "SIP/2.0 200 OK" CRLF.
constexpr std::string_view kSpecNotify =
    "NOTIFY sip:[5555::aaa:bbb:ccc:ddd]:1357 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP [5555::aaa:bbb:ccc:eee]:5060;branch=z9hG4bK-abcd\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:psadm.home1.net>;tag=31415\r\n"
    "From: <sip:john.doe@home1.net>;tag=1234\r\n"
    "Call-ID: b89rjhnedlrfjflslj40a222\r\n"
    "CSeq: 1 NOTIFY\r\n"
    "Event: refer\r\n"
    "Subscription-State: terminated;reason=noresource\r\n"
    "Contact: sip:[5555::aaa:bbb:ccc:eee]:5060\r\n"
    "Content-Type: message/sipfrag;version=2.0\r\n"
    "Content-Length: 16\r\n"
    "\r\n"
    "SIP/2.0 200 OK\r\n";

TEST(ValidateSpecMessages, AllValid) {
  for (std::string_view text : {kSpecRegister, kSpecRegisterOk, kSpecMessage, kSpecMessageOk, kSpecRefer, kSpecNotify}) {
    const auto error = Validate(text);
    EXPECT_FALSE(error.has_value()) << (error ? error->Describe() : "") << "\n" << text;
  }
}

TEST(ValidateSpecMessages, TypedValuesOfTheRefer) {
  const SipMessage refer = MustParse(kSpecRefer);
  const auto vias = ParseVias(refer);
  ASSERT_TRUE(vias.ok());
  EXPECT_EQ(vias->at(0).host, "[5555::aaa:bbb:ccc:ddd]");
  EXPECT_EQ(vias->at(0).port, std::optional<std::uint16_t>(1357));
  const auto refer_to = ParseReferTo(*refer.Get(HeaderId::kReferTo));
  ASSERT_TRUE(refer_to.ok());
  const auto uri = refer_to->SipUriValue();
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->Param("method"), std::optional<std::string_view>("SUBSCRIBE"));
  ASSERT_EQ(uri->headers.size(), 2u);
  EXPECT_EQ(uri->headers[0], (std::pair<std::string, std::string>("Event", "ua-profile;profile-type=\"application\"")));

  const SipMessage notify = MustParse(kSpecNotify);
  const auto state = ParseSubscriptionState(*notify.Get(HeaderId::kSubscriptionState));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, "terminated");
  EXPECT_EQ(state->reason, std::optional<std::string>("noresource"));
  const auto contacts = ParseContacts(notify);
  ASSERT_TRUE(contacts.ok());
  EXPECT_FALSE(contacts->at(0).address.bracketed);
  EXPECT_EQ(contacts->at(0).address.uri, "sip:[5555::aaa:bbb:ccc:eee]:5060");
}

TEST(ValidateSpecMessages, UncorrectedSlipsAreReported) {
  // The space after '@' in the C.2 response (header value "sip:user@ PushsenderAgent...").
  const std::string text =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP proxy.domain.com;branch=z9hG4bK123dsghds\r\n"
      "From: sip:user@PushReceiverAgent.domain.com;tag=49394\r\n"
      "To: sip:user@ PushsenderAgent.domain.com;tag=ab8asdasd9\r\n"
      "Call-ID: a\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadUri);
  // The host is missing right after the '@'.
  EXPECT_EQ(error->offset, text.find("@ Pushsender") + 1);
  EXPECT_EQ(error->line, 4u);
  EXPECT_EQ(error->column, std::string_view("To: sip:user@").size() + 1);
  EXPECT_EQ(error->detail.rfind("To: ", 0), 0u);

  // Appendix E: "urn:urn-xxx.push" is not an RFC 6050 Service-ID.
  const std::string service =
      "MESSAGE sip:user2@domain.com SIP/2.0\r\nVia: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
      "Max-Forwards: 70\r\nFrom: sip:user1@domain.com;tag=49583\r\nTo: sip:user2@domain.com\r\n"
      "Call-ID: a\r\nCSeq: 1 MESSAGE\r\nP-Preferred-Service: urn:urn-xxx.push\r\nContent-Length: 0\r\n\r\n";
  const auto service_error = Validate(service);
  ASSERT_TRUE(service_error.has_value());
  EXPECT_EQ(service_error->offset, service.find("urn:urn-xxx"));
  EXPECT_EQ(service_error->detail.rfind("P-Preferred-Service: ", 0), 0u);
}

// --- Positions ---------------------------------------------------------------------------------

std::string Request(std::string_view extra_headers, std::string_view request_uri = "sip:bob@biloxi.com",
                    std::string_view via = "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds") {
  std::string text = "INVITE ";
  text += request_uri;
  text += " SIP/2.0\r\nVia: ";
  text += via;
  text +=
      "\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.com>\r\nFrom: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\nCSeq: 314159 INVITE\r\n";
  text += extra_headers;
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

TEST(ValidatePositions, ViaTransportMissing) {
  const std::string text = Request("", "sip:bob@biloxi.com", "SIP/2.0/");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(error->offset, text.find("SIP/2.0/\r\n") + 8);
  EXPECT_EQ(error->line, 2u);
  EXPECT_EQ(error->column, std::string_view("Via: SIP/2.0/").size() + 1);
  EXPECT_EQ(error->detail, "Via: expected transport after SIP/2.0/");
}

TEST(ValidatePositions, RequestUri) {
  std::string text = Request("", "sip:bob@biloxi.com:70000");
  auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadNumber);
  EXPECT_EQ(error->offset, text.find("70000"));
  EXPECT_EQ(error->line, 1u);
  EXPECT_EQ(error->detail.rfind("Request-URI: ", 0), 0u);
  // Other schemes need only a scheme.
  EXPECT_FALSE(Validate(Request("", "tel:+1-201-555-0123")).has_value());
  EXPECT_FALSE(Validate(Request("", "SIPS:bob@biloxi.com")).has_value());
  text = Request("", "sip:%zz@biloxi.com");
  error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadEscape);
  EXPECT_EQ(error->offset, text.find("%zz"));
}

TEST(ValidatePositions, FoldedHeader) {
  // The second Route element sits on a continuation line; the position must point into it.
  const std::string text = Request("Route: <sip:p1.example.com;lr>,\r\n   <sip:p2.example.com:99999;lr>\r\n");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadNumber);
  EXPECT_EQ(error->offset, text.find("99999"));
  const std::size_t line_start = text.rfind('\n', text.find("99999")) + 1;
  EXPECT_EQ(error->column, text.find("99999") - line_start + 1);
  EXPECT_EQ(error->detail.rfind("Route: ", 0), 0u);
}

TEST(ValidatePositions, CompactFormUsesCanonicalNameInDetail) {
  const std::string text = Request("m: <sip:alice@pc33.atlanta.com>;q=2\r\n");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, text.find("q=2") + 2);
  EXPECT_EQ(error->detail.rfind("Contact: ", 0), 0u);
}

TEST(ValidateRules, EachKnownHeaderIsChecked) {
  struct Case {
    const char* header_line;
    const char* anchor;  // the error points `delta` bytes after this text
    std::size_t delta;
    ErrorCode code;
  };
  const Case cases[] = {
      {"Max-Forwards: 256\r\n", "256", 0, ErrorCode::kBadNumber},
      {"Expires: never\r\n", "never", 0, ErrorCode::kBadNumber},
      {"Min-Expires: 1x\r\n", "x\r\n", 0, ErrorCode::kBadNumber},
      {"Event: presence.\r\n", "presence.", 9, ErrorCode::kBadHeaderValue},  // template missing at the end
      {"Subscription-State: active;expires=x\r\n", "x\r\n", 0, ErrorCode::kBadNumber},
      {"Refer-To: <sip:a@b.com\r\n", "<sip:a@b.com", 0, ErrorCode::kBadHeaderValue},
      {"Referred-By: \"unterminated <sip:a@b.com>\r\n", "\"unterminated", 27, ErrorCode::kBadQuotedString},
      {"Retry-After: 5 (x\r\n", "(x", 0, ErrorCode::kBadHeaderValue},
      {"Record-Route: sip:p1.example.com;lr\r\n", "sip:p1", 0, ErrorCode::kBadHeaderValue},
      {"Path: <sip:p1.example.com;lr>, junk\r\n", "junk", 0, ErrorCode::kBadUri},
      {"Service-Route: <sip:[::1;lr>\r\n", "[::1", 0, ErrorCode::kBadUri},
      {"P-Asserted-Identity: \"A\" sip:a@b.com\r\n", "sip:a@b.com\r", 0, ErrorCode::kBadHeaderValue},
      {"P-Preferred-Identity: <mailto>\r\n", "mailto", 0, ErrorCode::kBadUri},
      {"P-Asserted-Service: urn:urn-7:ok, urn:urn-7:bad_label\r\n", "bad_label", 0, ErrorCode::kBadHeaderValue},
      {"Require: 100rel, ti@mer\r\n", "@mer", 0, ErrorCode::kBadCharacter},
      {"Proxy-Require: \r\n", "Proxy-Require: ", 15, ErrorCode::kBadHeaderValue},  // empty value
      {"Allow-Events: ua-profile,,x\r\n", ",x", 0, ErrorCode::kBadHeaderValue},      // empty element
      {"Allow: INVITE ACK\r\n", " ACK", 0, ErrorCode::kBadCharacter},
      {"Unsupported: a b\r\n", " b", 0, ErrorCode::kBadCharacter},
      {"To: <sip:bob@biloxi.com>;tag=\"q\"\r\n", "\"q\"", 0, ErrorCode::kBadHeaderValue},
  };
  for (const Case& c : cases) {
    std::string text = Request(c.header_line);
    // A single-valued header of the template is replaced, not repeated.
    const std::string_view line(c.header_line);
    const std::string existing = "\r\n" + std::string(line.substr(0, line.find(':') + 1));
    if (const std::size_t at = text.find(existing); at + 2 < text.find(c.header_line)) {
      text.erase(at + 2, text.find("\r\n", at + 2) + 2 - (at + 2));
    }
    const auto error = Validate(text);
    ASSERT_TRUE(error.has_value()) << c.header_line;
    EXPECT_EQ(error->code, c.code) << c.header_line << error->Describe();
    const std::size_t header_at = text.find(c.header_line);
    EXPECT_EQ(error->offset, text.find(c.anchor, header_at) + c.delta) << c.header_line << error->Describe();
  }
}

TEST(ValidateRules, ViaNeedsBranch) {
  const std::string text = Request("", "sip:bob@biloxi.com", "SIP/2.0/UDP pc33.atlanta.com");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, text.find("SIP/2.0/UDP pc33"));
  EXPECT_NE(error->detail.find("branch"), std::string::npos);
}

TEST(ValidateRules, StarContactMustBeAloneAcrossFields) {
  const std::string text = Request("Contact: *\r\nContact: <sip:a@b.com>\r\nExpires: 0\r\n");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, text.find("*\r\n"));
  EXPECT_FALSE(Validate(Request("Contact: *\r\nExpires: 0\r\n")).has_value());
}

TEST(ValidateRules, UnknownHeadersAreNotInterpreted) {
  EXPECT_FALSE(Validate(Request("X-Anything: <<<\"\r\nSubject: ;;;\r\n")).has_value());
}

TEST(ValidateBuiltMessages, OffsetsAreZero) {
  SipMessage message = SipMessage::MakeRequest(Method::kMessage, "sip:user2@domain.com");
  message.Add(HeaderId::kVia, "SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse");
  message.Add(HeaderId::kMaxForwards, "70");
  message.Add(HeaderId::kFrom, "<sip:a@b.com>;tag=1");
  message.Add(HeaderId::kTo, "<sip:c@d.com>");
  message.Add(HeaderId::kCallId, "x");
  message.Add(HeaderId::kCSeq, "1 MESSAGE");
  EXPECT_FALSE(ValidateSipMessage(message, "").has_value());

  message.Set(HeaderId::kCSeq, "1 INVITE");  // RFC 3261 8.1.1.5: must be the request's method
  auto error = ValidateSipMessage(message, "");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 0u);
  EXPECT_EQ(error->line, 1u);
  EXPECT_EQ(error->column, 1u);
  EXPECT_EQ(error->detail.rfind("CSeq: ", 0), 0u);

  message.Set(HeaderId::kCSeq, "1 MESSAGE");
  message.set_request_uri("sip:user2@");
  error = ValidateSipMessage(message, "");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kBadUri);
  EXPECT_EQ(error->offset, 0u);
}

TEST(ValidateHostile, LongValuesAndManyParams) {
  std::string params;
  for (int i = 0; i < 1000; ++i) params += ";p";
  const std::string text = Request("Contact: <sip:a@b.com>" + params + "\r\n");
  const auto error = Validate(text);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kTooLarge);
  // The 65th parameter's name: "Contact: <sip:a@b.com>" then 64 times ";p", then ';'.
  EXPECT_EQ(error->offset, text.find("Contact: ") + std::string_view("Contact: <sip:a@b.com>").size() + 64 * 2 + 1);

  const std::string long_value = Request("Event: " + std::string(8000, 'a') + "\r\n");
  EXPECT_FALSE(Validate(long_value).has_value());
}

}  // namespace
}  // namespace pushsim::wire
