// The lexical helpers of RFC 3261 section 25 that every codec uses.
#include "wire/text.h"

#include <gtest/gtest.h>

namespace pushsim::wire {
namespace {

TEST(ParseDecimal, BoundsIncludingSingleDigitsAboveASmallMaximum) {
  EXPECT_EQ(ParseDecimal("7", 9), 7u);
  EXPECT_FALSE(ParseDecimal("7", 1).has_value());  // a digit above max once wrapped around
  EXPECT_EQ(ParseDecimal("1", 1), 1u);
  EXPECT_EQ(ParseDecimal("255", 255), 255u);
  EXPECT_FALSE(ParseDecimal("256", 255).has_value());
  EXPECT_EQ(ParseDecimal("4294967295"), 4294967295u);
  EXPECT_FALSE(ParseDecimal("4294967296").has_value());
  EXPECT_FALSE(ParseDecimal("").has_value());
  EXPECT_FALSE(ParseDecimal("+1").has_value());
  EXPECT_FALSE(ParseDecimal("1 ").has_value());
  EXPECT_FALSE(ParseDecimal("99999999999999999999999", UINT64_MAX).has_value());
}

TEST(RFC3261_25_1, QuotedStringWithQuotedPairs) {
  std::size_t used = 0;
  auto text = ParseQuotedString(R"("a \"b\" \\ c" rest)", used);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, R"(a "b" \ c)");
  EXPECT_EQ(used, 14u);  // both quotes included
  EXPECT_EQ(QuoteString(*text), R"("a \"b\" \\ c")");
  auto open = ParseQuotedString("\"never closed", used);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code, ErrorCode::kBadQuotedString);
}

TEST(RFC3261_25_1, GenericParamsKeepQuotedValuesAsWritten) {
  std::size_t used = 0;
  auto params = ParseParams(R"(;lr ; transport=tcp;+g.oma.pusheventapp="mms.ua,x";received=[2001:db8::1]>)", used);
  ASSERT_TRUE(params.ok()) << params.error();
  ASSERT_EQ(params->size(), 4u);
  EXPECT_EQ((*params)[0].name, "lr");
  EXPECT_FALSE((*params)[0].value.has_value());
  EXPECT_EQ(FindParam(*params, "TRANSPORT")->value, "tcp");
  EXPECT_EQ(FindParam(*params, "+g.oma.pusheventapp")->value, "\"mms.ua,x\"");
  EXPECT_EQ(FindParam(*params, "+g.oma.pusheventapp")->Unquoted(), "mms.ua,x");
  EXPECT_EQ(FindParam(*params, "received")->value, "[2001:db8::1]");
  EXPECT_EQ(used, std::string_view(R"(;lr ; transport=tcp;+g.oma.pusheventapp="mms.ua,x";received=[2001:db8::1])").size());
  std::string out;
  AppendParams(out, *params);
  EXPECT_EQ(out, R"(;lr;transport=tcp;+g.oma.pusheventapp="mms.ua,x";received=[2001:db8::1])");
}

TEST(RFC3261_7_3_1, CommaListsSplitOutsideQuotesAndBrackets) {
  const auto parts = SplitCommaList(R"(<sip:a@b;x="1,2">;q=1, "Doe, J" <sip:c@d> ,<sip:e@f>)");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], R"(<sip:a@b;x="1,2">;q=1)");
  EXPECT_EQ(parts[1], R"("Doe, J" <sip:c@d>)");
  EXPECT_EQ(parts[2], "<sip:e@f>");
}

TEST(RFC3261_19_1_2, PercentEscapes) {
  EXPECT_EQ(*PercentDecode("a%3Bb%3d"), "a;b=");
  EXPECT_EQ(PercentDecode("a%G1").error().code, ErrorCode::kBadEscape);
  EXPECT_EQ(PercentDecode("a%4").error().code, ErrorCode::kBadEscape);
  EXPECT_EQ(PercentDecode("%").error().offset, 0u);
  EXPECT_EQ(PercentEncode("a;b", [](char c) { return c != ';'; }), "a%3Bb");
}

TEST(StableHash, IsFnv1a64) {
  // The published FNV-1a 64-bit test values.
  EXPECT_EQ(StableHash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(StableHash("foobar"), 0x85944171f73967e8ULL);
}

}  // namespace
}  // namespace pushsim::wire
