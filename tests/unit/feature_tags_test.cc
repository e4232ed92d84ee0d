// Feature tags (RFC 3840), caller preferences (RFC 3841 section 7.2) and the SIP Push Application
// Resource Identifier (TS section 8). Expected values come from the grammars and the Qa formula:
// score = Nc / Na per Accept-Contact predicate, Qa = the mean over the predicates that count.
#include "wire/feature_tags.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace pushsim::wire {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

FeatureSet Features(std::string_view params_text) {
  std::size_t consumed = 0;
  auto params = ParseParams(params_text, consumed);
  EXPECT_TRUE(params.ok()) << params_text;
  EXPECT_EQ(consumed, params_text.size()) << params_text;
  auto set = FeatureSetFromParams(*params);
  EXPECT_TRUE(set.ok()) << params_text << ": " << (set.ok() ? "" : set.error().Describe());
  return set.ok() ? *set : FeatureSet{};
}

ContactPredicate Accept(std::string_view element) {
  auto predicate = ParseAcceptContact(element);
  EXPECT_TRUE(predicate.ok()) << element << ": " << (predicate.ok() ? "" : predicate.error().Describe());
  return predicate.ok() ? *predicate : ContactPredicate{};
}

ContactPredicate Reject(std::string_view element) {
  auto predicate = ParseRejectContact(element);
  EXPECT_TRUE(predicate.ok()) << element;
  return predicate.ok() ? *predicate : ContactPredicate{};
}

template <typename T>
void ExpectError(const Result<T>& result, ErrorCode code, std::size_t offset) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code) << result.error().Describe();
  EXPECT_EQ(result.error().offset, offset) << result.error().Describe();
}

std::vector<std::size_t> Indices(const std::vector<ContactChoice>& choices) {
  std::vector<std::size_t> out;
  for (const ContactChoice& choice : choices) out.push_back(choice.index);
  return out;
}

// The registered contacts used by the RFC 3841 section 7.2.4 cases.
//   0: audio, video, mms.ua     1: audio, push.sia     2: audio only     3: no feature tag (immune)
std::vector<FeatureSet> Registered() {
  return {Features(";audio;video;+g.oma.pusheventapp=\"mms.ua\""),
          Features(";audio;+g.oma.pusheventapp=\"push.sia\""), Features(";audio"),
          Features(";expires=7200;q=0.5")};
}

// ------------------------------------------------------------------------------------------
// TS 8.1.1: event-app-id = 1*(%x21 / %x23-2B / %x2D-7E), the value a quoted comma list.

TEST(FeatureTags, TS_8_1_1_ParsesQuotedListFromTheTs) {
  auto ids = ParseEventAppIds("\"mms.ua,x-wap-application:push.sia\"");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"mms.ua", "x-wap-application:push.sia"}));
}

TEST(FeatureTags, TS_8_1_1_ParsesFullUrnAndNssForms) {
  auto urn = ParseEventAppIds("\"x-wap-application:mms.ua\"");
  ASSERT_TRUE(urn.ok());
  EXPECT_EQ(*urn, std::vector<std::string>{"x-wap-application:mms.ua"});
  auto unquoted = ParseEventAppIds("mms.ua");
  ASSERT_TRUE(unquoted.ok());
  EXPECT_EQ(*unquoted, std::vector<std::string>{"mms.ua"});
}

TEST(FeatureTags, TS_8_1_1_EventAppIdAcceptsEveryRangeEdge) {
  // %x21, %x23, %x2B, %x2D, %x7E: the first and last byte of each allowed range.
  for (char c : {'\x21', '\x23', '\x2B', '\x2D', '\x7E'}) {
    const std::string value = std::string("\"") + c + "\"";
    auto ids = ParseEventAppIds(value);
    ASSERT_TRUE(ids.ok()) << static_cast<int>(c);
    EXPECT_EQ(*ids, std::vector<std::string>{std::string(1, c)});
  }
  std::string every;
  for (int c = 0x21; c <= 0x7E; ++c) {
    if (c != 0x22 && c != 0x2C && c != 0x5C) every.push_back(static_cast<char>(c));
  }
  auto ids = ParseEventAppIds("\"" + every + "\"");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{every});
  for (int c = 0; c < 256; ++c) {
    const bool allowed = c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x7E);
    EXPECT_EQ(IsEventAppIdChar(static_cast<char>(c)), allowed) << c;
  }
}

TEST(FeatureTags, TS_8_1_1_EventAppIdRejectsQuote) {
  // An unescaped '"' closes the quoted-string early.
  ExpectError(ParseEventAppIds("\"mms\"ua\""), ErrorCode::kBadCharacter, 5);
  // Escaped, it is content, and %x22 is not in the ABNF.
  ExpectError(ParseEventAppIds("\"mms\\\"ua\""), ErrorCode::kBadCharacter, 4);
  ExpectError(ParseEventAppIds("mms\"ua"), ErrorCode::kBadCharacter, 3);
}

TEST(FeatureTags, TS_8_1_1_EventAppIdRejectsComma) {
  ExpectError(ParseEventAppIds("mms,ua"), ErrorCode::kBadCharacter, 3);  // unquoted: one id only
  ExpectError(ParseEventAppIds("\"mms.ua,\""), ErrorCode::kBadHeaderValue, 8);
  ExpectError(ParseEventAppIds("\",mms.ua\""), ErrorCode::kBadHeaderValue, 1);
  ExpectError(ParseEventAppIds("\"a,,b\""), ErrorCode::kBadHeaderValue, 3);
  ExpectError(ParseEventAppIds("\"a\\,b\""), ErrorCode::kBadCharacter, 2);  // escaped ',' is content
}

TEST(FeatureTags, TS_8_1_1_EventAppIdRejectsSpaceAndControls) {
  // The TS samples write `" mms.ua"`: the space is outside the ABNF.
  ExpectError(ParseEventAppIds("\" mms.ua\""), ErrorCode::kBadCharacter, 1);
  ExpectError(ParseEventAppIds("\"mms.ua \""), ErrorCode::kBadCharacter, 7);
  for (char c : {'\x00', '\x09', '\x0A', '\x0D', '\x1F', '\x7F', '\x80', '\xFF'}) {
    std::string value = "\"ab";
    value.push_back(c);
    value += "\"";
    ExpectError(ParseEventAppIds(value), ErrorCode::kBadCharacter, 3);
  }
}

TEST(FeatureTags, TS_8_1_1_EventAppIdRejectsTruncatedAndEmpty) {
  ExpectError(ParseEventAppIds("\"mms.ua"), ErrorCode::kBadQuotedString, 7);
  ExpectError(ParseEventAppIds("\"mms\\"), ErrorCode::kBadQuotedString, 5);
  ExpectError(ParseEventAppIds("\"\""), ErrorCode::kBadHeaderValue, 1);
  ExpectError(ParseEventAppIds(""), ErrorCode::kBadHeaderValue, 0);
  ExpectError(ParseEventAppIds("\"mms.ua\"x"), ErrorCode::kBadCharacter, 8);
}

TEST(FeatureTags, TS_8_1_1_EventAppIdLimits) {
  std::string list = "\"";
  for (std::size_t k = 0; k < kMaxValuesPerTag; ++k) list += (k ? ",a" : "a");
  auto at_limit = ParseEventAppIds(list + "\"");
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->size(), kMaxValuesPerTag);
  // One more id: the comma before it is where the limit is crossed (1 + 2 * 63 + 1 = byte 128).
  ExpectError(ParseEventAppIds(list + ",a\""), ErrorCode::kTooLarge, 1 + 2 * (kMaxValuesPerTag - 1) + 1);
  const std::string huge = "\"" + std::string(kMaxFeatureValueLength, 'a') + "\"";
  ExpectError(ParseEventAppIds(huge), ErrorCode::kTooLarge, kMaxFeatureValueLength);
}

TEST(FeatureTags, TS_8_1_1_FormatsQuotedListAndRefusesBadIds) {
  auto text = FormatEventAppIds({"mms.ua", "x-wap-application:push.sia"});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "\"mms.ua,x-wap-application:push.sia\"");
  // `"mms.ua,a` is 9 bytes when the space is reached.
  ExpectError(FormatEventAppIds({"mms.ua", "a b"}), ErrorCode::kBadCharacter, 9);
  ExpectError(FormatEventAppIds({"a\"b"}), ErrorCode::kBadCharacter, 2);
  ExpectError(FormatEventAppIds({"a", ""}), ErrorCode::kBadCharacter, 3);
  ExpectError(FormatEventAppIds({}), ErrorCode::kBadHeaderValue, 1);
  // %x5C is an allowed id character; inside the quoted-string it travels as a quoted-pair.
  auto backslash = FormatEventAppIds({"a\\b"});
  ASSERT_TRUE(backslash.ok());
  EXPECT_EQ(*backslash, "\"a\\\\b\"");
  auto back = ParseEventAppIds(*backslash);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, std::vector<std::string>{"a\\b"});
}

// ------------------------------------------------------------------------------------------
// TS 8.2: the tag in Contact of REGISTER and Accept-Contact of MESSAGE / INVITE.

TEST(FeatureTags, TS_8_2_1_RegisterContactAdvertisesApplication) {
  // TS Appendix C.1 sample, with the curly closing quote and the leading space corrected.
  const FeatureSet set = Features("; +g.oma.pusheventapp=\"mms.ua\"");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set.tags[0].name, "+g.oma.pusheventapp");
  EXPECT_TRUE(SupportsPushApp(set, "mms.ua"));
  EXPECT_TRUE(SupportsPushApp(set, "MMS.UA"));  // compared as a token, without regard to case
  EXPECT_FALSE(SupportsPushApp(set, "x-wap-application:mms.ua"));
  EXPECT_FALSE(SupportsPushApp(set, "push.sia"));
  EXPECT_FALSE(SupportsPushApp(Features(";audio"), "mms.ua"));
}

TEST(FeatureTags, TS_8_2_1_SeveralApplicationsInOneContact) {
  const FeatureSet set = Features(";+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"");
  EXPECT_TRUE(SupportsPushApp(set, "mms.ua"));
  EXPECT_TRUE(SupportsPushApp(set, "x-wap-application:push.sia"));
  EXPECT_FALSE(SupportsPushApp(set, "push.sia"));
}

TEST(FeatureTags, TS_8_2_1_SampleWithLeadingSpaceIsRejected) {
  std::size_t consumed = 0;
  auto params = ParseParams("; +g.oma.pusheventapp=\" mms.ua\"", consumed);
  ASSERT_TRUE(params.ok());
  auto set = FeatureSetFromParams(*params);
  ExpectError(set, ErrorCode::kBadCharacter, 1);  // offset within the parameter value
  EXPECT_NE(set.error().detail.find("+g.oma.pusheventapp"), std::string::npos);
}

TEST(FeatureTags, TS_8_2_2_MessageAcceptContactWithLwsAroundSemicolon) {
  // TS Appendix C.2 sample `Accept-Contact:*; +g.oma.pusheventapp="mms.ua"`, quotes corrected.
  const ContactPredicate predicate = Accept("*; +g.oma.pusheventapp=\"mms.ua\"");
  EXPECT_FALSE(predicate.require);
  EXPECT_FALSE(predicate.explicit_tag);
  ASSERT_EQ(predicate.features.size(), 1u);
  EXPECT_TRUE(SupportsPushApp(predicate.features, "mms.ua"));
}

TEST(FeatureTags, TS_E_2_IariAndApplicationIdTogether) {
  // Appendix E.2 as corrected: the '*' restored, "+ g.oma.pusheventappp" read as the TS tag.
  const ContactPredicate predicate =
      Accept("*;+g.ims.app_ref=\"<urn:urn-xxx:3gpp.application.mmsua >\";+g.oma.pusheventapp=\"mms.ua\"");
  ASSERT_EQ(predicate.features.size(), 2u);
  const FeatureValue* iari = predicate.features.Find("+g.ims.app_ref");
  ASSERT_NE(iari, nullptr);
  ASSERT_EQ(iari->atoms.size(), 1u);
  EXPECT_EQ(iari->atoms[0].kind, FeatureAtom::Kind::kString);
  EXPECT_EQ(iari->atoms[0].text, "urn:urn-xxx:3gpp.application.mmsua ");  // LWS is qdtext
  EXPECT_TRUE(SupportsPushApp(predicate.features, "mms.ua"));
}

TEST(FeatureTags, TS_E_2_SampleAsPrintedIsRejected) {
  // "Accept-Contact; +g..." has no '*'.
  ExpectError(ParseAcceptContact("; +g.oma.pusheventapp=\"mms.ua\""), ErrorCode::kBadHeaderValue, 0);
  // "+ g.oma..." is a parameter named "+" followed by stray text at the 'g'.
  ExpectError(ParseAcceptContact("*;+ g.oma.pusheventapp=\"mms.ua\""), ErrorCode::kBadCharacter, 4);
}

// ------------------------------------------------------------------------------------------
// RFC 3840 section 9: feature parameter values.

TEST(FeatureTags, RFC3840_9_BareParameterIsTrue) {
  auto value = ParseFeatureValue(std::nullopt);
  ASSERT_TRUE(value.ok());
  ASSERT_EQ(value->atoms.size(), 1u);
  EXPECT_EQ(value->atoms[0].kind, FeatureAtom::Kind::kBoolean);
  EXPECT_TRUE(value->atoms[0].boolean);
  EXPECT_EQ(*value, FeatureValue::True());
}

TEST(FeatureTags, RFC3840_9_BooleansAreCaseInsensitive) {
  for (const char* text : {"\"TRUE\"", "\"true\"", "\"FALSE\"", "\"False\""}) {
    auto value = ParseFeatureValue(std::string_view(text));
    ASSERT_TRUE(value.ok()) << text;
    ASSERT_EQ(value->atoms.size(), 1u);
    EXPECT_EQ(value->atoms[0].kind, FeatureAtom::Kind::kBoolean);
    EXPECT_EQ(value->atoms[0].boolean, text[1] == 'T' || text[1] == 't') << text;
  }
}

TEST(FeatureTags, RFC3840_9_TokenListWithNegation) {
  auto value = ParseFeatureValue(std::string_view("\"mms.ua,!push.sia\""));
  ASSERT_TRUE(value.ok());
  ASSERT_EQ(value->atoms.size(), 2u);
  EXPECT_EQ(value->atoms[0], FeatureAtom::Token("mms.ua"));
  EXPECT_EQ(value->atoms[1], FeatureAtom::Token("push.sia", true));
  EXPECT_TRUE(value->HasToken("MMS.UA"));
  EXPECT_FALSE(value->HasToken("push.sia"));  // negated: the contact does NOT have it
}

TEST(FeatureTags, RFC3840_9_StringValue) {
  auto value = ParseFeatureValue(std::string_view("\"<urn:x-Test:a b>\""));
  ASSERT_TRUE(value.ok());
  ASSERT_EQ(value->atoms.size(), 1u);
  EXPECT_EQ(value->atoms[0].kind, FeatureAtom::Kind::kString);
  EXPECT_EQ(value->atoms[0].text, "urn:x-Test:a b");
  auto escaped = ParseFeatureValue(std::string_view("\"<a\\>b>\""));
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->atoms[0].text, "a>b");
  auto utf8 = ParseFeatureValue(std::string_view("\"<caf\xC3\xA9>\""));
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->atoms[0].text, "caf\xC3\xA9");
}

TEST(FeatureTags, RFC3840_9_StringValueErrors) {
  ExpectError(ParseFeatureValue(std::string_view("\"<abc")), ErrorCode::kBadQuotedString, 5);
  ExpectError(ParseFeatureValue(std::string_view("\"<abc\"")), ErrorCode::kBadHeaderValue, 5);
  ExpectError(ParseFeatureValue(std::string_view("\"<ab<c>\"")), ErrorCode::kBadCharacter, 4);
  ExpectError(ParseFeatureValue(std::string_view("\"<abc>")), ErrorCode::kBadQuotedString, 6);
  ExpectError(ParseFeatureValue(std::string_view("\"<abc>x\"")), ErrorCode::kBadCharacter, 6);
  ExpectError(ParseFeatureValue(std::string_view("\"<a\x01>\"")), ErrorCode::kBadCharacter, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"<a\xC3>\"")), ErrorCode::kBadCharacter, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"<a>,b\"")), ErrorCode::kBadCharacter, 4);
}

TEST(FeatureTags, RFC3840_9_NumericRelations) {
  struct Case {
    const char* text;
    FeatureAtom::Relation relation;
    double low;
    double high;
  };
  const Case cases[] = {
      {"\"#=1\"", FeatureAtom::Relation::kEqual, 1, 1},
      {"\"#>=2\"", FeatureAtom::Relation::kAtLeast, 2, kInf},
      {"\"#<=3\"", FeatureAtom::Relation::kAtMost, -kInf, 3},
      {"\"#1:5\"", FeatureAtom::Relation::kRange, 1, 5},
      {"\"#-2.5:+3.25\"", FeatureAtom::Relation::kRange, -2.5, 3.25},
      {"\"#=7.\"", FeatureAtom::Relation::kEqual, 7, 7},
      {"\"#=123456789012345\"", FeatureAtom::Relation::kEqual, 123456789012345.0, 123456789012345.0},
  };
  for (const Case& c : cases) {
    auto value = ParseFeatureValue(std::string_view(c.text));
    ASSERT_TRUE(value.ok()) << c.text;
    ASSERT_EQ(value->atoms.size(), 1u);
    const FeatureAtom& atom = value->atoms[0];
    EXPECT_EQ(atom.kind, FeatureAtom::Kind::kNumeric);
    EXPECT_EQ(atom.relation, c.relation) << c.text;
    EXPECT_EQ(atom.low, c.low) << c.text;
    EXPECT_EQ(atom.high, c.high) << c.text;
  }
}

TEST(FeatureTags, RFC3840_9_NumericErrors) {
  ExpectError(ParseFeatureValue(std::string_view("\"#5:1\"")), ErrorCode::kBadNumber, 1);  // inverted range
  ExpectError(ParseFeatureValue(std::string_view("\"#\"")), ErrorCode::kBadNumber, 2);
  ExpectError(ParseFeatureValue(std::string_view("\"#=x\"")), ErrorCode::kBadNumber, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"#=1x\"")), ErrorCode::kBadNumber, 4);
  ExpectError(ParseFeatureValue(std::string_view("\"#1\"")), ErrorCode::kBadNumber, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"#1:\"")), ErrorCode::kBadNumber, 4);
  ExpectError(ParseFeatureValue(std::string_view("\"#>2\"")), ErrorCode::kBadNumber, 2);
  ExpectError(ParseFeatureValue(std::string_view("\"#=.5\"")), ErrorCode::kBadNumber, 3);
  // 16 digits: beyond kMaxNumberDigits.
  ExpectError(ParseFeatureValue(std::string_view("\"#=1234567890123456\"")), ErrorCode::kBadNumber, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"#=1.234567890123456\"")), ErrorCode::kBadNumber, 3);
  const std::string huge = "\"#=" + std::string(500, '9') + "\"";
  ExpectError(ParseFeatureValue(std::string_view(huge)), ErrorCode::kBadNumber, 3);
}

TEST(FeatureTags, RFC3840_9_ListErrors) {
  ExpectError(ParseFeatureValue(std::string_view("\"\"")), ErrorCode::kBadHeaderValue, 1);
  ExpectError(ParseFeatureValue(std::string_view("\"a,,b\"")), ErrorCode::kBadHeaderValue, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"a,\"")), ErrorCode::kBadHeaderValue, 3);
  ExpectError(ParseFeatureValue(std::string_view("\"a b\"")), ErrorCode::kBadCharacter, 2);
  ExpectError(ParseFeatureValue(std::string_view("\"abc")), ErrorCode::kBadQuotedString, 4);
  ExpectError(ParseFeatureValue(std::string_view("\"abc\"x")), ErrorCode::kBadCharacter, 5);
  ExpectError(ParseFeatureValue(std::string_view("\"!\"")), ErrorCode::kBadHeaderValue, 2);
  ExpectError(ParseFeatureValue(std::string_view("\"!!a\"")), ErrorCode::kBadCharacter, 2);
  ExpectError(ParseFeatureValue(std::string_view("\"a:b\"")), ErrorCode::kBadCharacter, 2);  // ':' not a token char
  ExpectError(ParseFeatureValue(std::string_view("\"a\\b\"")), ErrorCode::kBadCharacter, 2);
  ExpectError(ParseFeatureValue(std::string_view("")), ErrorCode::kBadHeaderValue, 0);
  ExpectError(ParseFeatureValue(std::string_view("a,b")), ErrorCode::kBadCharacter, 1);
  ExpectError(ParseFeatureValue(std::string_view("\"\x00\xFF\x7F\"", 5)), ErrorCode::kBadCharacter, 1);
}

TEST(FeatureTags, RFC3840_9_UnquotedSingleValueIsAccepted) {
  auto value = ParseFeatureValue(std::string_view("INVITE"));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, FeatureValue::Tokens({"INVITE"}));
}

TEST(FeatureTags, RFC3840_9_ListLimits) {
  std::string list = "\"";
  for (std::size_t k = 0; k < kMaxValuesPerTag; ++k) list += (k ? ",a" : "a");
  auto at_limit = ParseFeatureValue(std::string_view(list + "\""));
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->atoms.size(), kMaxValuesPerTag);
  ExpectError(ParseFeatureValue(std::string_view(list + ",a\"")), ErrorCode::kTooLarge,
              1 + 2 * kMaxValuesPerTag);
  // Thousands of tokens: stopped by the length limit before anything is built.
  std::string thousands = "\"";
  for (int k = 0; k < 5000; ++k) thousands += "x,";
  thousands += "x\"";
  ExpectError(ParseFeatureValue(std::string_view(thousands)), ErrorCode::kTooLarge, kMaxFeatureValueLength);
}

TEST(FeatureTags, RFC3840_9_SerializesBack) {
  EXPECT_EQ(ToParamValue(FeatureValue::Tokens({"mms.ua", "x-wap-application:push.sia"})),
            "\"mms.ua,x-wap-application:push.sia\"");
  EXPECT_EQ(FormatFeatureParam(kPushEventAppTag, FeatureValue::Tokens({"mms.ua", "x-wap-application:push.sia"})),
            "+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\"");
  EXPECT_EQ(FormatFeatureParam("audio", FeatureValue::True()), "audio");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Boolean(false)}}), "\"FALSE\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Token("mms.ua"), FeatureAtom::Token("push.sia", true)}}),
            "\"mms.ua,!push.sia\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::String("a>b")}}), "\"<a\\>b>\"");
  using R = FeatureAtom::Relation;
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Numeric(R::kEqual, 1, 1)}}), "\"#=1\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Numeric(R::kAtLeast, 2, kInf)}}), "\"#>=2\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Numeric(R::kAtMost, -kInf, 3)}}), "\"#<=3\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Numeric(R::kRange, -2.5, 5)}}), "\"#-2.5:5\"");
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::Numeric(R::kEqual, 1e14, 1e14)}}), "\"#=100000000000000\"");
  // A control character reaches a string only through a quoted-pair, and leaves as one.
  EXPECT_EQ(ToParamValue(FeatureValue{{FeatureAtom::String("a\x1D" "b")}}), "\"<a\\\x1D" "b>\"");
  for (const char* text : {"\"mms.ua,!push.sia,TRUE,#>=2,#-1.5:0.25\"", "\"<a b\\\"c>\"", "\"#<=-0.001\"",
                           "\"<a b\\\x1D" "c>\""}) {
    auto parsed = ParseFeatureValue(std::string_view(text));
    ASSERT_TRUE(parsed.ok()) << text;
    auto again = ParseFeatureValue(std::string_view(ToParamValue(*parsed)));
    ASSERT_TRUE(again.ok()) << text;
    EXPECT_EQ(*again, *parsed) << text;
  }
}

// ------------------------------------------------------------------------------------------
// Which Contact parameters are feature parameters.

TEST(FeatureTags, RFC3840_10_BaseTagsAndPlusTagsOnly) {
  const FeatureSet set = Features(
      ";expires=3600;q=0.7;audio;methods=\"INVITE,MESSAGE\";reg-id=1;+g.oma.pusheventapp=\"mms.ua\";"
      "pub-gruu=\"sip:a@b;gr=x\";Video");
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set.tags[0].name, "audio");
  EXPECT_EQ(set.tags[1].name, "methods");
  EXPECT_EQ(set.tags[2].name, "+g.oma.pusheventapp");
  EXPECT_EQ(set.tags[3].name, "Video");
  EXPECT_NE(set.Find("VIDEO"), nullptr);  // names compare without regard to case
  EXPECT_EQ(set.Find("expires"), nullptr);
  for (const char* base : {"audio", "automata", "class", "duplex", "data", "control", "mobility", "description",
                           "events", "priority", "methods", "schemes", "application", "video", "language", "type",
                           "isfocus", "actor", "text", "extensions"}) {
    EXPECT_TRUE(IsBaseFeatureTag(base)) << base;
  }
  EXPECT_FALSE(IsBaseFeatureTag("expires"));
  EXPECT_FALSE(IsFeatureParamName("q"));
  EXPECT_FALSE(IsFeatureParamName("+"));
}

TEST(FeatureTags, RFC5626_4_1_SipInstanceIsNotAFeatureTag) {
  const FeatureSet set =
      Features(";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1;expires=600");
  EXPECT_TRUE(set.empty());  // immune to caller preferences
  EXPECT_FALSE(IsFeatureParamName("+SIP.Instance"));
  // Matching ignores it as well: a Reject-Contact on it cannot remove anything.
  EXPECT_TRUE(Reject("*;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"").features.empty());
}

TEST(FeatureTags, RFC3840_9_FeatureSetErrors) {
  std::size_t consumed = 0;
  auto duplicate = ParseParams(";audio;AUDIO=\"FALSE\"", consumed);
  ASSERT_TRUE(duplicate.ok());
  ExpectError(FeatureSetFromParams(*duplicate), ErrorCode::kBadHeaderValue, 0);
  auto bad_name = ParseParams(";+1abc", consumed);
  ASSERT_TRUE(bad_name.ok());
  ExpectError(FeatureSetFromParams(*bad_name), ErrorCode::kBadHeaderValue, 0);
  auto valueless_app = ParseParams(";+g.oma.pusheventapp", consumed);
  ASSERT_TRUE(valueless_app.ok());
  ExpectError(FeatureSetFromParams(*valueless_app), ErrorCode::kBadHeaderValue, 0);
  Params many;
  for (std::size_t k = 0; k <= kMaxFeatureTags; ++k) many.push_back(Param{"+x" + std::to_string(k), std::nullopt});
  ExpectError(FeatureSetFromParams(many), ErrorCode::kTooLarge, 0);
}

// ------------------------------------------------------------------------------------------
// RFC 3841 section 9: Accept-Contact and Reject-Contact elements.

TEST(FeatureTags, RFC3841_9_AcceptContactWithRequireAndExplicit) {
  const ContactPredicate predicate = Accept("*;+g.oma.pusheventapp=\"mms.ua\";require;explicit");
  EXPECT_TRUE(predicate.require);
  EXPECT_TRUE(predicate.explicit_tag);
  ASSERT_EQ(predicate.features.size(), 1u);
  const ContactPredicate spaced = Accept("* ; audio ; REQUIRE\t;  +g.oma.pusheventapp = \"mms.ua\" ");
  EXPECT_TRUE(spaced.require);
  EXPECT_FALSE(spaced.explicit_tag);
  EXPECT_EQ(spaced.features.size(), 2u);
  const ContactPredicate generic = Accept("*;audio;foo=bar;q=0.2");
  EXPECT_EQ(generic.features.size(), 1u);  // generic parameters play no part
  EXPECT_TRUE(Accept("*").features.empty());
}

TEST(FeatureTags, RFC3841_9_AcceptContactErrors) {
  ExpectError(ParseAcceptContact("*;require;require"), ErrorCode::kBadHeaderValue, 10);
  ExpectError(ParseAcceptContact("*;explicit=yes"), ErrorCode::kBadHeaderValue, 2);
  ExpectError(ParseAcceptContact(""), ErrorCode::kBadHeaderValue, 0);
  ExpectError(ParseAcceptContact("<sip:a@b>;audio"), ErrorCode::kBadHeaderValue, 0);
  ExpectError(ParseAcceptContact("*audio"), ErrorCode::kBadCharacter, 1);
  ExpectError(ParseAcceptContact("*;"), ErrorCode::kBadHeaderValue, 2);
  ExpectError(ParseAcceptContact("*;audio;audio"), ErrorCode::kBadHeaderValue, 8);
  // The value error is placed in the element: `*;audio;+g.oma.pusheventapp="mms ua"`, space at 32.
  ExpectError(ParseAcceptContact("*;audio;+g.oma.pusheventapp=\"mms ua\""), ErrorCode::kBadCharacter, 32);
  ExpectError(ParseAcceptContact("*;+g.x=\"#5:1\""), ErrorCode::kBadNumber, 8);
  ExpectError(ParseAcceptContact("*;video=\"unterminated"), ErrorCode::kBadQuotedString, 21);
  ExpectError(ParseAcceptContact(std::string(kMaxPredicateLength + 1, '*')), ErrorCode::kTooLarge,
              kMaxPredicateLength);
  std::string many = "*";
  for (std::size_t k = 0; k <= kMaxFeatureTags; ++k) many += ";+x" + std::to_string(k);
  ExpectError(ParseAcceptContact(many), ErrorCode::kTooLarge, many.rfind(";+x") + 1);
  ExpectError(ParseAcceptContact(std::string_view("*;\x00\x01\xFF", 5)), ErrorCode::kBadHeaderValue, 2);
}

TEST(FeatureTags, RFC3841_9_RejectContactIgnoresRequireAndExplicit) {
  const ContactPredicate predicate = Reject("*;require;explicit;+g.oma.pusheventapp=\"push.sia\"");
  EXPECT_FALSE(predicate.require);
  EXPECT_FALSE(predicate.explicit_tag);
  EXPECT_EQ(predicate.features.size(), 1u);
}

// ------------------------------------------------------------------------------------------
// RFC 3841 section 7.2.4: matching and the score.

TEST(FeatureTags, RFC3841_7_2_4_ScoreIsStatedTermsOverPredicateTerms) {
  const std::vector<FeatureSet> contacts = Registered();
  const ContactPredicate predicate = Accept("*;+g.oma.pusheventapp=\"mms.ua\";video");  // Na = 2
  const MatchResult full = MatchAcceptContact(predicate, contacts[0]);
  EXPECT_TRUE(full.matches);
  EXPECT_EQ(full.stated_terms, 2u);
  EXPECT_DOUBLE_EQ(full.score, 1.0);
  const MatchResult conflicting = MatchAcceptContact(predicate, contacts[1]);  // push.sia vs mms.ua
  EXPECT_FALSE(conflicting.matches);
  EXPECT_FALSE(conflicting.counts);
  const MatchResult silent = MatchAcceptContact(predicate, contacts[2]);  // states neither tag
  EXPECT_TRUE(silent.matches);
  EXPECT_EQ(silent.stated_terms, 0u);
  EXPECT_DOUBLE_EQ(silent.score, 0.0);
  // Na = 3, the contact states 2 of them: 2/3.
  const MatchResult partial = MatchAcceptContact(Accept("*;audio;video;+g.oma.pusheventapp=\"mms.ua\""),
                                                 Features(";audio;+g.oma.pusheventapp=\"mms.ua\""));
  EXPECT_TRUE(partial.matches);
  EXPECT_EQ(partial.stated_terms, 2u);
  EXPECT_EQ(partial.predicate_terms, 3u);
  EXPECT_DOUBLE_EQ(partial.score, 2.0 / 3.0);
}

TEST(FeatureTags, RFC3841_7_2_4_ExplicitRequireDropsNonMatching) {
  const auto chosen = SelectContacts(Registered(), {Accept("*;+g.oma.pusheventapp=\"mms.ua\";require;explicit")}, {});
  // 1 states another application, 2 states none: both dropped. 3 is immune.
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 3}));
  EXPECT_DOUBLE_EQ(chosen[0].score, 1.0);
  EXPECT_FALSE(chosen[0].immune);
  EXPECT_DOUBLE_EQ(chosen[1].score, 1.0);
  EXPECT_TRUE(chosen[1].immune);
}

TEST(FeatureTags, RFC3841_7_2_4_RequireWithoutExplicitKeepsSilentContacts) {
  const auto chosen = SelectContacts(Registered(), {Accept("*;+g.oma.pusheventapp=\"mms.ua\";require")}, {});
  // 2 says nothing about the tag, so it is not contradicted: kept with score 0/1.
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 3, 2}));
  EXPECT_DOUBLE_EQ(chosen[0].score, 1.0);
  EXPECT_DOUBLE_EQ(chosen[2].score, 0.0);
}

TEST(FeatureTags, RFC3841_7_2_4_ExplicitWithoutRequireOrdersButKeepsAll) {
  const ContactPredicate predicate = Accept("*;+g.oma.pusheventapp=\"mms.ua\";explicit");
  const MatchResult silent = MatchAcceptContact(predicate, Registered()[2]);
  EXPECT_FALSE(silent.matches);
  EXPECT_TRUE(silent.counts);
  EXPECT_DOUBLE_EQ(silent.score, 0.0);
  const auto chosen = SelectContacts(Registered(), {predicate}, {});
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 3, 1, 2}));
  EXPECT_DOUBLE_EQ(chosen[2].score, 0.0);  // 1: the only predicate did not count
  EXPECT_DOUBLE_EQ(chosen[3].score, 0.0);  // 2: counted with score 0
}

TEST(FeatureTags, RFC3841_7_2_4_NeitherExplicitNorRequire) {
  const auto chosen = SelectContacts(Registered(), {Accept("*;audio;video")}, {});
  // 0 states both (2/2), 1 and 2 state audio only (1/2).
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 3, 1, 2}));
  EXPECT_DOUBLE_EQ(chosen[0].score, 1.0);
  EXPECT_DOUBLE_EQ(chosen[2].score, 0.5);
  EXPECT_DOUBLE_EQ(chosen[3].score, 0.5);
}

TEST(FeatureTags, RFC3841_7_2_4_MultipleAcceptContactsAreAveraged) {
  const std::vector<ContactPredicate> accept = {Accept("*;audio;video"), Accept("*;+g.oma.pusheventapp=\"mms.ua\"")};
  const auto chosen = SelectContacts(Registered(), accept, {});
  ASSERT_EQ(chosen.size(), 4u);
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 3, 1, 2}));
  EXPECT_DOUBLE_EQ(chosen[0].score, 1.0);   // (1 + 1) / 2
  EXPECT_DOUBLE_EQ(chosen[2].score, 0.5);   // 1: 1/2 from the first; the second contradicts, not counted
  EXPECT_DOUBLE_EQ(chosen[3].score, 0.25);  // 2: (1/2 + 0/1) / 2
}

TEST(FeatureTags, RFC3841_7_2_4_RejectContactRemovesContact) {
  const auto chosen = SelectContacts(Registered(), {}, {Reject("*;+g.oma.pusheventapp=\"push.sia\"")});
  // Only 1 states push.sia. 2 does not state the tag, so the predicate is discarded for it.
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 2, 3}));
  for (const ContactChoice& choice : chosen) EXPECT_DOUBLE_EQ(choice.score, 1.0);  // no Accept-Contact
  const ContactPredicate both = Reject("*;audio;video");
  EXPECT_TRUE(MatchesRejectContact(both, Registered()[0]));
  EXPECT_FALSE(MatchesRejectContact(both, Registered()[1]));  // video not stated
  EXPECT_FALSE(MatchesRejectContact(Reject("*"), Registered()[0]));
  EXPECT_FALSE(MatchesRejectContact(Reject("*;audio=\"FALSE\""), Registered()[0]));
}

TEST(FeatureTags, RFC3841_7_2_4_ImmuneContactSurvivesEverything) {
  const auto chosen = SelectContacts({Features(";q=0.1")}, {Accept("*;audio;require;explicit")},
                                     {Reject("*;audio")});
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_TRUE(chosen[0].immune);
  EXPECT_DOUBLE_EQ(chosen[0].score, 1.0);
}

TEST(FeatureTags, RFC3841_7_2_4_NegatedTokens) {
  const FeatureSet not_sia = Features(";+g.example.app=\"!push.sia\"");
  EXPECT_FALSE(MatchAcceptContact(Accept("*;+g.example.app=\"push.sia\""), not_sia).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.example.app=\"mms.ua\""), not_sia).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.example.app=\"!mms.ua\""), not_sia).matches);
  const FeatureSet sia = Features(";+g.example.app=\"push.sia\"");
  EXPECT_FALSE(MatchAcceptContact(Accept("*;+g.example.app=\"!push.sia\""), sia).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.example.app=\"!mms.ua\""), sia).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.example.app=\"!PUSH.SIA,push.sia\""), sia).matches);
  const auto chosen = SelectContacts({not_sia, sia}, {Accept("*;+g.example.app=\"push.sia\";require")}, {});
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{1}));
}

TEST(FeatureTags, RFC3841_7_2_4_NumericRanges) {
  const FeatureSet range = Features(";+g.example.size=\"#1:5\"");
  const auto matches = [&](const char* element) { return MatchAcceptContact(Accept(element), range).matches; };
  EXPECT_TRUE(matches("*;+g.example.size=\"#>=4\""));
  EXPECT_TRUE(matches("*;+g.example.size=\"#=5\""));  // bounds are inclusive
  EXPECT_TRUE(matches("*;+g.example.size=\"#<=1\""));
  EXPECT_FALSE(matches("*;+g.example.size=\"#>=6\""));
  EXPECT_FALSE(matches("*;+g.example.size=\"#<=0.5\""));
  EXPECT_FALSE(matches("*;+g.example.size=\"#5.5:7\""));
  EXPECT_TRUE(matches("*;+g.example.size=\"#=0,#=3\""));
  EXPECT_FALSE(matches("*;+g.example.size=\"!#0:10\""));  // every value of 1..5 is excluded
  EXPECT_TRUE(matches("*;+g.example.size=\"!#2:3\""));
  EXPECT_FALSE(matches("*;+g.example.size=\"3\""));  // a token never equals a number
}

TEST(FeatureTags, RFC3841_7_2_4_BooleansStringsAndCase) {
  EXPECT_FALSE(MatchAcceptContact(Accept("*;audio=\"FALSE\""), Features(";audio")).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;audio=\"true\""), Features(";audio")).matches);
  EXPECT_TRUE(MatchAcceptContact(Accept("*;methods=\"message\""), Features(";methods=\"INVITE,MESSAGE\"")).matches);
  EXPECT_FALSE(MatchAcceptContact(Accept("*;+g.ims.app_ref=\"<urn:a>\""), Features(";+g.ims.app_ref=\"<urn:A>\""))
                   .matches);  // strings are case-sensitive
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.ims.app_ref=\"<urn:A>\""), Features(";+g.ims.app_ref=\"<urn:A>\""))
                  .matches);
  EXPECT_FALSE(MatchAcceptContact(Accept("*;+g.ims.app_ref=\"<urn:A>\""), Features(";+g.ims.app_ref=\"urn\""))
                   .matches);
  const auto dropped = SelectContacts({Features(";audio=\"FALSE\"")}, {Accept("*;audio;require")}, {});
  EXPECT_TRUE(dropped.empty());
  // Application ids compare like tokens.
  EXPECT_TRUE(MatchAcceptContact(Accept("*;+g.oma.pusheventapp=\"MMS.UA\""), Registered()[0]).matches);
}

TEST(FeatureTags, RFC3841_7_2_4_EmptyAcceptPredicateScoresOne) {
  const MatchResult result = MatchAcceptContact(Accept("*;require;explicit"), Registered()[0]);
  EXPECT_TRUE(result.matches);
  EXPECT_DOUBLE_EQ(result.score, 1.0);
}

TEST(FeatureTags, RFC3841_7_2_4_CalleeQBeforeCallerScore) {
  // 0 matches the preference fully (Qa 1) but the callee ranks it at 0.5; 2 has Qa 0 at q 1.0.
  const std::vector<FeatureSet> targets = Registered();
  const auto chosen =
      SelectContacts(targets, {0.5, 0.5, 1.0, 0.2}, {Accept("*;+g.oma.pusheventapp=\"mms.ua\"")}, {});
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{2, 0, 1, 3}));
  EXPECT_DOUBLE_EQ(chosen[0].q, 1.0);
  EXPECT_DOUBLE_EQ(chosen[1].score, 1.0);
  EXPECT_DOUBLE_EQ(chosen[2].score, 0.0);
  // A q that is not a number ranks last instead of breaking the ordering.
  const auto odd = SelectContacts(targets, {std::nan(""), 1.0}, {}, {});
  EXPECT_EQ(Indices(odd), (std::vector<std::size_t>{1, 2, 3, 0}));
}

TEST(FeatureTags, RFC3841_7_2_2_ImplicitPreferenceForMessage) {
  auto implicit = ImplicitPreference("MESSAGE");
  ASSERT_TRUE(implicit.ok());
  EXPECT_TRUE(implicit->require);
  EXPECT_FALSE(implicit->explicit_tag);
  const std::vector<FeatureSet> targets = {Features(";methods=\"INVITE,MESSAGE\""), Features(";methods=\"INVITE\""),
                                           Features(";audio")};
  const auto chosen = SelectContacts(targets, {*implicit}, {});
  EXPECT_EQ(Indices(chosen), (std::vector<std::size_t>{0, 2}));
  auto subscribe = ImplicitPreference("SUBSCRIBE", "reg");
  ASSERT_TRUE(subscribe.ok());
  ASSERT_NE(subscribe->features.Find("events"), nullptr);
  EXPECT_TRUE(subscribe->features.Find("events")->HasToken("reg"));
  ExpectError(ImplicitPreference("MES SAGE"), ErrorCode::kBadCharacter, 0);
}

}  // namespace
}  // namespace pushsim::wire
