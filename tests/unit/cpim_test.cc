// message/cpim (RFC 3862): header syntax, the standard headers, namespaces and the content part.
#include "wire/cpim.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

// RFC 3862 section 5.1, without the outer "Content-type: Message/CPIM" MIME header (that one is
// the Content-Type of the carrying MSRP or SIP message), with CRLF line ends and the
// apostrophe written in ASCII.
const std::string kRfcExampleBody =
    "<body>\r\n"
    "Here is the text of my message.\r\n"
    "</body>\r\n";
const std::string kRfcExample =
    "From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
    "To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
    "DateTime: 2000-12-13T13:40:00-08:00\r\n"
    "Subject: the weather will be fine today\r\n"
    "Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
    "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
    "Require: MyFeatures.VitalMessageOption\r\n"
    "MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
    "MyFeatures.WackyMessageOption: Use-silly-font\r\n"
    "\r\n"
    "Content-Type: text/xml; charset=utf-8\r\n"
    "Content-ID: <1234567890@foo.com>\r\n"
    "\r\n" +
    kRfcExampleBody;

TEST(RFC3862_5_1, ExampleMessage) {
  auto message = CpimMessage::Parse(kRfcExample);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->message_headers.size(), 9u);
  EXPECT_EQ(message->content_headers.size(), 2u);
  ASSERT_TRUE(message->From().has_value());
  EXPECT_EQ(message->From()->display_name, "MR SANDERS");
  EXPECT_EQ(message->From()->uri, "im:piglet@100akerwood.com");
  ASSERT_EQ(message->To().size(), 1u);
  EXPECT_EQ(message->To()[0].display_name, "Depressed Donkey");
  EXPECT_EQ(message->To()[0].uri, "im:eeyore@100akerwood.com");
  EXPECT_EQ(message->DateTime(), std::optional<std::string>("2000-12-13T13:40:00-08:00"));
  EXPECT_EQ(message->Subject(), std::optional<std::string>("the weather will be fine today"));
  EXPECT_EQ(message->MessageHeaders("Subject").at(1), ";lang=fr beau temps prevu pour aujourd'hui");
  EXPECT_EQ(message->NamespaceUri("MyFeatures"), std::optional<std::string>("mid:MessageFeatures@id.foo.com"));
  EXPECT_EQ(message->NamespaceUri("Other"), std::nullopt);
  EXPECT_EQ(message->Require(), std::vector<std::string>{"MyFeatures.VitalMessageOption"});
  ASSERT_NE(message->MessageHeader("MyFeatures.WackyMessageOption"), nullptr);
  EXPECT_EQ(*message->MessageHeader("MyFeatures.WackyMessageOption"), "Use-silly-font");
  EXPECT_EQ(message->ContentType(), std::optional<std::string>("text/xml; charset=utf-8"));
  ASSERT_NE(message->ContentHeader("content-id"), nullptr);  // MIME names are case-insensitive
  EXPECT_EQ(*message->ContentHeader("content-id"), "<1234567890@foo.com>");
  EXPECT_EQ(message->content, kRfcExampleBody);
  EXPECT_EQ(message->Serialize(), kRfcExample);
}

TEST(RFC3862_4, MessageHeaderNamesAreExact) {
  auto message = CpimMessage::Parse("from: <sip:a@example.com>\r\ncc: <sip:c@example.com>\r\nCc: <sip:d@example.com>\r\n\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_FALSE(message->From().has_value());
  ASSERT_EQ(message->Cc().size(), 1u);
  EXPECT_EQ(message->Cc()[0].uri, "sip:c@example.com");
}

TEST(RFC3862_4_2, ToRepeatsAndQuotedNames) {
  auto message = CpimMessage::Parse(
      "From: \"Push \\\"Sender\\\"\" <sip:push@example.com>\r\n"
      "To: <sip:bob@example.com>\r\n"
      "To: Carol <sip:carol@example.com>\r\n"
      "\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "hi");
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->From()->display_name, "Push \"Sender\"");
  ASSERT_EQ(message->To().size(), 2u);
  EXPECT_EQ(message->To()[0].display_name, "");
  EXPECT_EQ(message->To()[1].uri, "sip:carol@example.com");
  EXPECT_EQ(message->content, "hi");
}

TEST(RFC3862_4, AddressGrammar) {
  EXPECT_FALSE(ParseCpimAddress("sip:bob@example.com").has_value());  // needs <...>
  EXPECT_FALSE(ParseCpimAddress("Bob <>").has_value());
  EXPECT_FALSE(ParseCpimAddress("Bob <sip:a b>").has_value());
  EXPECT_EQ(ParseCpimAddress("  Bob <sip:bob@example.com>")->display_name, "Bob");
}

TEST(RFC3862_3, HeaderSyntaxErrors) {
  struct Case {
    std::string text;
    ErrorCode code;
    std::size_t offset;
  };
  const std::string tail = "\r\n\r\n";
  const Case cases[] = {
      {"From:<sip:a@b>\r\n" + tail, ErrorCode::kBadHeader, 5},                   // no SP after ':'
      {"Subject:;lang=fr\r\n" + tail, ErrorCode::kBadHeader, 16},                // no SP after parameters
      {"Subject:;lang\r\n" + tail, ErrorCode::kBadHeaderValue, 8},               // parameter without '='
      {"A.B.C: x\r\n" + tail, ErrorCode::kBadHeader, 0},                         // two prefixes
      {"From <sip:a@b>\r\n" + tail, ErrorCode::kBadHeader, 0},                   // no colon
      {" folded: x\r\n" + tail, ErrorCode::kBadHeader, 0},                       // message headers do not fold
      {std::string("X: a\x01" "b\r\n") + tail, ErrorCode::kBadCharacter, 4},    // control character
      {"From: <sip:a@b>\n\r\n\r\n", ErrorCode::kBadCharacter, 15},               // bare LF
      {"From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n", ErrorCode::kTruncated, 45},  // no second empty line
      {"From: <sip:a@b>\r\n", ErrorCode::kTruncated, 17},
      {"\r\n: x\r\n\r\n", ErrorCode::kBadHeader, 2},                              // empty MIME header name
      {"\r\n folded\r\n\r\n", ErrorCode::kBadHeader, 2},                          // continuation without header
      {std::string("\r\nA: b\r\n c\0d\r\n\r\n", 16), ErrorCode::kBadCharacter, 10},  // control in a folded line
  };
  for (const Case& c : cases) {
    auto message = CpimMessage::Parse(c.text);
    ASSERT_FALSE(message.ok()) << c.text;
    EXPECT_EQ(message.error().code, c.code) << c.text;
    EXPECT_EQ(message.error().offset, c.offset) << c.text;
  }
}

TEST(RFC3862_3, BinaryJunk) {
  const std::string junk("\x00\x01\xfe\xff\r\n\r\n", 8);
  auto message = CpimMessage::Parse(junk);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeader);
}

TEST(RFC2822_2_2_3, ContentHeadersUnfold) {
  auto message = CpimMessage::Parse("From: <sip:a@b>\r\n\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nx");
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->ContentType(), std::optional<std::string>("text/plain; charset=utf-8"));
  EXPECT_EQ(message->Serialize(), "From: <sip:a@b>\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nx");
  auto late = CpimMessage::Parse("\r\nContent-ID:\r\n  <x@y>\r\n\r\n");
  ASSERT_TRUE(late.ok()) << late.error();
  EXPECT_EQ(*late->ContentHeader("Content-ID"), "<x@y>");
}

TEST(RFC3862_3, Limits) {
  CpimLimits limits;
  std::string many;
  for (int i = 0; i < 65; ++i) many += "X" + std::to_string(i) + ": v\r\n";
  auto too_many = CpimMessage::Parse(many + "\r\n\r\n", limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(too_many.error().line, 65u);

  auto long_line = CpimMessage::Parse("Subject: " + std::string(100 * 1024, 's') + "\r\n\r\n\r\n");
  ASSERT_FALSE(long_line.ok());
  EXPECT_EQ(long_line.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(long_line.error().offset, 0u);

  limits.max_content_size = 4;
  EXPECT_TRUE(CpimMessage::Parse("\r\n\r\nabcd", limits).ok());
  auto big = CpimMessage::Parse("\r\n\r\nabcde", limits);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(big.error().offset, 4u);
}

TEST(RFC3862_3, SerializeRoundTrip) {
  CpimMessage message;
  message.message_headers = {{"From", "<sip:push@example.com>"}, {"Subject", ";lang=en Hello"}, {"X", ";notparam"}};
  message.content_headers = {{"Content-Type", "text/plain"}};
  message.content = "payload";
  const std::string text = message.Serialize();
  EXPECT_EQ(text, "From: <sip:push@example.com>\r\nSubject:;lang=en Hello\r\nX: ;notparam\r\n\r\nContent-Type: text/plain\r\n\r\npayload");
  auto parsed = CpimMessage::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->message_headers, message.message_headers);
  EXPECT_EQ(parsed->Subject(), std::optional<std::string>("Hello"));
}

}  // namespace
}  // namespace pushsim::wire
