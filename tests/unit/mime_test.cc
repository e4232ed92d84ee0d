// Media types, part header blocks and Content-Disposition: RFC 2045, RFC 2046, RFC 2183,
// RFC 3261 sections 20.11, 20.15 and 25.1.
#include "wire/mime.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

TEST(MediaType, RFC3261_20_15_TypeAndSubtypeWithoutParameters) {
  auto media = ParseMediaType("application/sdp");
  ASSERT_TRUE(media.ok()) << media.error();
  EXPECT_EQ(media->type, "application");
  EXPECT_EQ(media->subtype, "sdp");
  EXPECT_TRUE(media->params.empty());
  EXPECT_EQ(media->Essence(), "application/sdp");
}

TEST(MediaType, RFC2046_5_1_1_QuotedBoundaryKeepsQuotesOnTheWire) {
  auto media = ParseMediaType("multipart/mixed;boundary=\"boundary71\"");
  ASSERT_TRUE(media.ok()) << media.error();
  ASSERT_EQ(media->params.size(), 1u);
  EXPECT_EQ(media->params[0].name, "boundary");
  EXPECT_EQ(media->params[0].value, std::optional<std::string>("\"boundary71\""));
  EXPECT_EQ(media->Param("boundary"), std::optional<std::string>("boundary71"));
  EXPECT_EQ(media->ToString(), "multipart/mixed;boundary=\"boundary71\"");
}

TEST(MediaType, RFC2045_5_1_TypeSubtypeAndParameterNamesAreCaseInsensitive) {
  auto media = ParseMediaType("Message/SIPFRAG; Version=2.0");
  ASSERT_TRUE(media.ok()) << media.error();
  EXPECT_EQ(media->Essence(), "message/sipfrag");
  EXPECT_EQ(media->Param("version"), std::optional<std::string>("2.0"));
  EXPECT_EQ(media->Param("VERSION"), std::optional<std::string>("2.0"));
  EXPECT_FALSE(media->Param("charset").has_value());
  // Kept as written so that it serializes back unchanged.
  EXPECT_EQ(media->type, "Message");
}

TEST(MediaType, RFC3261_25_1_LwsAroundSlashSemicolonAndEqual) {
  auto media = ParseMediaType(" text / plain ; charset = utf-8 ");
  ASSERT_TRUE(media.ok()) << media.error();
  EXPECT_EQ(media->Essence(), "text/plain");
  EXPECT_EQ(media->Param("charset"), std::optional<std::string>("utf-8"));
}

TEST(MediaType, RFC4483_ExternalBodyParametersIncludingQuotedUrl) {
  auto media = ParseMediaType(
      "message/external-body; ACCESS-TYPE=URL; URL=\"http://www.example.com/the-indirect-content\"; size=4123");
  ASSERT_TRUE(media.ok()) << media.error();
  EXPECT_EQ(media->Essence(), "message/external-body");
  EXPECT_EQ(media->Param("access-type"), std::optional<std::string>("URL"));
  EXPECT_EQ(media->Param("url"), std::optional<std::string>("http://www.example.com/the-indirect-content"));
  EXPECT_EQ(media->Param("size"), std::optional<std::string>("4123"));
}

TEST(MediaType, MatchesWildcardsCaseInsensitively) {
  auto media = ParseMediaType("Text/Plain;charset=us-ascii");
  ASSERT_TRUE(media.ok());
  EXPECT_TRUE(media->Matches("*"));
  EXPECT_TRUE(media->Matches("*/*"));
  EXPECT_TRUE(media->Matches("text/*"));
  EXPECT_TRUE(media->Matches("TEXT/PLAIN"));
  EXPECT_TRUE(media->Matches("text/plain;charset=utf-8"));  // pattern parameters are ignored
  EXPECT_FALSE(media->Matches("text/html"));
  EXPECT_FALSE(media->Matches("image/*"));
  EXPECT_FALSE(media->Matches("text"));
  EXPECT_FALSE(media->Matches(""));
}

TEST(MediaType, RFC2045_5_1_MissingSlashOrSubtypeIsAnError) {
  auto no_slash = ParseMediaType("text");
  ASSERT_FALSE(no_slash.ok());
  EXPECT_EQ(no_slash.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(no_slash.error().offset, 4u);

  auto no_subtype = ParseMediaType("text/");
  ASSERT_FALSE(no_subtype.ok());
  EXPECT_EQ(no_subtype.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(no_subtype.error().offset, 5u);

  auto empty = ParseMediaType("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().offset, 0u);

  auto bad_type = ParseMediaType("te(xt/plain");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().offset, 2u);
}

TEST(MediaType, RFC2045_5_1_ParameterNeedsAValue) {
  auto valueless = ParseMediaType("text/plain;charset");
  ASSERT_FALSE(valueless.ok());
  EXPECT_EQ(valueless.error().code, ErrorCode::kBadHeaderValue);

  auto dangling = ParseMediaType("text/plain;");
  ASSERT_FALSE(dangling.ok());
  EXPECT_EQ(dangling.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(dangling.error().offset, 11u);
}

TEST(MediaType, TextAfterTheValueIsAnError) {
  auto trailing = ParseMediaType("text/plain x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(trailing.error().offset, 11u);
}

TEST(MediaType, UnterminatedQuotedParameterIsAnError) {
  auto unterminated = ParseMediaType("multipart/mixed;boundary=\"abc");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().code, ErrorCode::kBadQuotedString);
  // "multipart/mixed;boundary=" is 25 bytes; the quoted string runs to the end (byte 29).
  EXPECT_EQ(unterminated.error().offset, 29u);
}

TEST(MediaType, LimitsOnLengthAndParameterCount) {
  const std::string long_value = "text/plain;x=\"" + std::string(kMaxMimeValueBytes, 'a') + "\"";
  auto too_long = ParseMediaType(long_value);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kTooLarge);

  std::string many = "text/plain";
  for (std::size_t i = 0; i <= kMaxMimeParams; ++i) many += ";p" + std::to_string(i) + "=v";
  auto too_many = ParseMediaType(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);
}

TEST(MediaType, BinaryJunkIsRejected) {
  const std::string junk("\x00\xff/\x01\x80", 5);
  auto parsed = ParseMediaType(junk);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().offset, 0u);
}

TEST(MimeHeaders, RFC2046_5_1_1_HeaderBlockEndsAtEmptyLine) {
  const std::string block = "Content-Type: image/jpeg\r\nContent-ID: <id2@example.com>\r\n\r\nDATA";
  std::size_t consumed = 0;
  auto headers = ParseMimeHeaders(block, consumed);
  ASSERT_TRUE(headers.ok()) << headers.error();
  ASSERT_EQ(headers->size(), 2u);
  EXPECT_EQ(headers->fields[0].name, "Content-Type");
  EXPECT_EQ(headers->fields[0].value, "image/jpeg");
  EXPECT_EQ(headers->Get("content-id"), std::optional<std::string_view>("<id2@example.com>"));
  EXPECT_EQ(block.substr(consumed), "DATA");
}

TEST(MimeHeaders, RFC2822_2_2_3_FoldedLineIsUnfolded) {
  const std::string block = "Content-Type: multipart/mixed;\r\n\tboundary=\"x y\"\r\nX-A:b\r\n\r\n";
  std::size_t consumed = 0;
  auto headers = ParseMimeHeaders(block, consumed);
  ASSERT_TRUE(headers.ok()) << headers.error();
  EXPECT_EQ(headers->Get("Content-Type"), std::optional<std::string_view>("multipart/mixed; boundary=\"x y\""));
  EXPECT_EQ(headers->Get("x-a"), std::optional<std::string_view>("b"));
  EXPECT_EQ(consumed, block.size());
}

TEST(MimeHeaders, RFC2046_5_1_1_EmptyHeaderBlockAndBlockWithoutEmptyLine) {
  std::size_t consumed = 0;
  auto empty = ParseMimeHeaders("\r\ncontent", consumed);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(consumed, 2u);

  auto unterminated = ParseMimeHeaders("Content-Type: text/plain\r\n", consumed);
  ASSERT_TRUE(unterminated.ok());
  EXPECT_EQ(unterminated->size(), 1u);
  EXPECT_EQ(consumed, 26u);
}

TEST(MimeHeaders, BareLineFeedAndBareCarriageReturnAreErrors) {
  std::size_t consumed = 0;
  auto bare_lf = ParseMimeHeaders("A: b\nB: c\r\n\r\n", consumed);
  ASSERT_FALSE(bare_lf.ok());
  EXPECT_EQ(bare_lf.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(bare_lf.error().offset, 4u);

  auto bare_cr = ParseMimeHeaders("A: b\rB: c\r\n\r\n", consumed);
  ASSERT_FALSE(bare_cr.ok());
  EXPECT_EQ(bare_cr.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(bare_cr.error().offset, 4u);
}

TEST(MimeHeaders, MalformedLinesReportWhere) {
  std::size_t consumed = 0;
  auto continuation_first = ParseMimeHeaders(" x: y\r\n\r\n", consumed);
  ASSERT_FALSE(continuation_first.ok());
  EXPECT_EQ(continuation_first.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(continuation_first.error().offset, 0u);

  auto no_colon = ParseMimeHeaders("Content-Type image/jpeg\r\n\r\n", consumed);
  ASSERT_FALSE(no_colon.ok());
  EXPECT_EQ(no_colon.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(no_colon.error().offset, 13u);  // the 'i' where ':' was expected

  auto nul = ParseMimeHeaders(std::string("A: b\0c\r\n\r\n", 10), consumed);
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(nul.error().offset, 4u);
}

TEST(MimeHeaders, LimitsOnBlockSizeAndFieldCount) {
  std::size_t consumed = 0;
  const std::string huge = "X-Big: " + std::string(kMaxPartHeaderBytes, 'a') + "\r\n\r\n";
  auto too_big = ParseMimeHeaders(huge, consumed);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);

  std::string many;
  for (std::size_t i = 0; i <= kMaxPartHeaderFields; ++i) many += "X: y\r\n";
  many += "\r\n";
  auto too_many = ParseMimeHeaders(many, consumed);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(too_many.error().offset, kMaxPartHeaderFields * 6);  // start of the first field too many
}

TEST(MimeHeaders, EditingAndSerializing) {
  MimeHeaders headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("X-A", "1");
  headers.Add("x-a", "2");
  EXPECT_EQ(headers.Count("X-A"), 2u);
  headers.Set("X-A", "3");
  EXPECT_EQ(headers.Count("x-a"), 1u);
  EXPECT_EQ(headers.Serialize(), "Content-Type: text/plain\r\nX-A: 3\r\n");
  EXPECT_EQ(headers.Remove("content-type"), 1u);
  EXPECT_EQ(headers.Serialize(), "X-A: 3\r\n");
}

TEST(ContentDisposition, RFC3261_20_11_IconAndDefaultHandlingRequired) {
  auto disposition = ParseContentDisposition("icon");
  ASSERT_TRUE(disposition.ok()) << disposition.error();
  EXPECT_TRUE(disposition->Is("ICON"));
  EXPECT_EQ(disposition->Handling(), "required");
  EXPECT_EQ(disposition->ToString(), "icon");
}

TEST(ContentDisposition, RFC3261_20_11_RenderWithOptionalHandlingAndSession) {
  auto render = ParseContentDisposition("render; handling=optional");
  ASSERT_TRUE(render.ok()) << render.error();
  EXPECT_TRUE(render->Is("render"));
  EXPECT_EQ(render->Handling(), "optional");
  EXPECT_EQ(render->ToString(), "render;handling=optional");

  auto session = ParseContentDisposition("session");
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(session->Is("session"));
}

TEST(ContentDisposition, RFC2183_2_AttachmentWithFilename) {
  auto attachment = ParseContentDisposition("attachment; filename=\"My cool picture.jpg\"; size=4092");
  ASSERT_TRUE(attachment.ok()) << attachment.error();
  EXPECT_TRUE(attachment->Is("attachment"));
  EXPECT_EQ(attachment->Param("filename"), std::optional<std::string>("My cool picture.jpg"));
  EXPECT_EQ(attachment->Param("size"), std::optional<std::string>("4092"));
}

TEST(ContentDisposition, MalformedValuesAreErrors) {
  auto empty_type = ParseContentDisposition(";handling=optional");
  ASSERT_FALSE(empty_type.ok());
  EXPECT_EQ(empty_type.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(empty_type.error().offset, 0u);

  // handling-param = "handling" EQUAL ( "optional" / "required" / other-handling ): a token.
  auto quoted_handling = ParseContentDisposition("session;handling=\"optional\"");
  ASSERT_FALSE(quoted_handling.ok());
  EXPECT_EQ(quoted_handling.error().code, ErrorCode::kBadHeaderValue);

  auto trailing = ParseContentDisposition("icon icon");
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().offset, 5u);
}

}  // namespace
}  // namespace pushsim::wire
