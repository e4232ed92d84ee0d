// Initial filter criteria evaluation: 3GPP TS 29.228 Annex B.2.2 (trigger points in conjunctive and
// disjunctive normal form, groups, negation, RegistrationType, priorities) applied to the Push
// registration filter of the SIP Push TS (App. F) and TS 24.229 5.4.1.7.
#include "ims/ifc.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "wire/sip_message.h"

namespace pushsim::ims {
namespace {

using wire::SipMessage;

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/hss/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

ImsSubscription Load(const std::string& xml) {
  Result<ImsSubscription> result = ParseImsSubscription(xml);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? std::move(result).value() : ImsSubscription{};
}

// A request with the RFC 3261 mandatory headers plus `extra_headers` (CRLF-terminated lines).
SipMessage Request(const std::string& method, const std::string& uri, const std::string& extra_headers,
                   const std::string& body = "") {
  const std::string text = method + " " + uri + " SIP/2.0\r\n" +
                           "Via: SIP/2.0/UDP ue.visited.net:5060;branch=z9hG4bKnashds7\r\n"
                           "Max-Forwards: 70\r\n"
                           "From: <sip:user2@home1.net>;tag=4fa3\r\n"
                           "To: <sip:user2@home1.net>\r\n"
                           "Call-ID: apb03a0s09dkjdfglkj49111\r\n"
                           "CSeq: 1 " +
                           method + "\r\n" + extra_headers + "Content-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body;
  Result<SipMessage> message = SipMessage::Parse(text);
  EXPECT_TRUE(message.ok()) << message.error() << "\n" << text;
  return message.ok() ? std::move(message).value() : SipMessage{};
}

const std::string kPushContact =
    "Contact: <sip:user2@[5555::aaa:bbb:ccc:ddd]:5060>;expires=600000;+g.oma.pusheventapp=\"ua-profile\"\r\n";
const std::string kPlainContact = "Contact: <sip:user2@[5555::aaa:bbb:ccc:ddd]:5060>;expires=600000\r\n";

std::vector<std::string> ServerNames(const std::vector<const InitialFilterCriteria*>& filters) {
  std::vector<std::string> names;
  for (const InitialFilterCriteria* ifc : filters) names.push_back(ifc->application_server.server_name);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Trigger point logic on three SPTs in two groups, with negation:
//   A = Method INVITE (group 0), B = SIPHeader Subject present, negated (group 0),
//   C = SessionCase ORIGINATING_REGISTERED (group 1).
// CNF: (A or not B) and C.   DNF: (A and not B) or C.

std::string TruthTableProfile(bool cnf) {
  return std::string(
             "<IMSSubscription><PrivateID>t@home1.net</PrivateID><ServiceProfile>"
             "<PublicIdentity><Identity>sip:t@home1.net</Identity></PublicIdentity>"
             "<InitialFilterCriteria><Priority>0</Priority><TriggerPoint><ConditionTypeCNF>") +
         (cnf ? "1" : "0") +
         "</ConditionTypeCNF>"
         "<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT>"
         "<SPT><ConditionNegated>1</ConditionNegated><Group>0</Group><SIPHeader><Header>Subject</Header></SIPHeader>"
         "</SPT>"
         "<SPT><ConditionNegated>0</ConditionNegated><Group>1</Group><SessionCase>0</SessionCase></SPT>"
         "</TriggerPoint><ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer>"
         "</InitialFilterCriteria></ServiceProfile></IMSSubscription>";
}

// Evaluates the trigger point for the 8 combinations of A, B, C, index = A*4 + B*2 + C.
std::vector<bool> TruthTable(const TriggerPoint& trigger_point) {
  std::vector<bool> results;
  for (int index = 0; index < 8; ++index) {
    const bool a = (index & 4) != 0;
    const bool b = (index & 2) != 0;
    const bool c = (index & 1) != 0;
    const SipMessage request = Request(a ? "INVITE" : "MESSAGE", "sip:peer@home2.net", b ? "Subject: hi\r\n" : "");
    const IfcContext context{&request, c ? SessionCase::kOriginating : SessionCase::kTerminatingRegistered, {}};
    results.push_back(Matches(trigger_point, context));
  }
  return results;
}

TEST(TS29228_B_2_2, CnfGroupsAreAnded) {
  const ImsSubscription subscription = Load(TruthTableProfile(true));
  const TriggerPoint& trigger_point = *subscription.service_profiles[0].initial_filter_criteria[0].trigger_point;
  // (A or not B) and C, worked out by hand for ABC = 000 .. 111.
  const std::vector<bool> expected = {false, true, false, false, false, true, false, true};
  EXPECT_EQ(TruthTable(trigger_point), expected);
}

TEST(TS29228_B_2_2, DnfGroupsAreOred) {
  const ImsSubscription subscription = Load(TruthTableProfile(false));
  const TriggerPoint& trigger_point = *subscription.service_profiles[0].initial_filter_criteria[0].trigger_point;
  // (A and not B) or C, worked out by hand for ABC = 000 .. 111.
  const std::vector<bool> expected = {false, true, false, true, true, true, false, true};
  EXPECT_EQ(TruthTable(trigger_point), expected);
}

TEST(TS29228_B_2_2, SptInSeveralGroupsJoinsEachClause) {
  // X = Method INVITE in groups 0 and 1, Y = Subject present in group 0, Z = Priority present in 1.
  // CNF: (X or Y) and (X or Z);  DNF: (X and Y) or (X and Z).
  auto make = [](bool cnf) {
    TriggerPoint trigger_point;
    trigger_point.condition_type_cnf = cnf;
    ServicePointTrigger x;
    x.groups = {0, 1};
    x.condition = MethodCondition{"INVITE"};
    ServicePointTrigger y;
    y.groups = {0};
    y.condition = SipHeaderCondition{"Subject", std::nullopt};
    ServicePointTrigger z;
    z.groups = {1};
    z.condition = SipHeaderCondition{"Priority", std::nullopt};
    trigger_point.spts = {x, y, z};
    return trigger_point;
  };
  const SipMessage invite = Request("INVITE", "sip:p@h", "");
  const SipMessage message_y = Request("MESSAGE", "sip:p@h", "Subject: s\r\n");
  const SipMessage message_yz = Request("MESSAGE", "sip:p@h", "Subject: s\r\nPriority: urgent\r\n");
  const SipMessage invite_z = Request("INVITE", "sip:p@h", "Priority: urgent\r\n");
  const auto eval = [](const TriggerPoint& tp, const SipMessage& m) {
    return Matches(tp, IfcContext{&m, SessionCase::kOriginating, {}});
  };
  const TriggerPoint cnf = make(true);
  EXPECT_TRUE(eval(cnf, invite));       // X=1: both clauses hold through X
  EXPECT_FALSE(eval(cnf, message_y));   // (0|1) & (0|0)
  EXPECT_TRUE(eval(cnf, message_yz));   // (0|1) & (0|1)
  const TriggerPoint dnf = make(false);
  EXPECT_FALSE(eval(dnf, invite));      // (1&0) | (1&0)
  EXPECT_FALSE(eval(dnf, message_yz));  // (0&1) | (0&1)
  EXPECT_TRUE(eval(dnf, invite_z));     // (1&0) | (1&1)
}

TEST(TS29228_B_2_2, AbsentTriggerPointMatchesEveryRequest) {
  const ImsSubscription subscription = Load(ReadVector("priorities.xml"));
  const SipMessage options = Request("OPTIONS", "sip:prio@home1.net", "");
  for (const SessionCase session_case : {SessionCase::kOriginating, SessionCase::kTerminatingUnregistered}) {
    EXPECT_EQ(MatchingFilters(subscription.service_profiles[0], IfcContext{&options, session_case, {}}).size(), 5u);
  }
}

TEST(TS29228_B_2_2, PriorityOrderLowestFirstTiesInDocumentOrder) {
  const ImsSubscription subscription = Load(ReadVector("priorities.xml"));
  const SipMessage invite = Request("INVITE", "sip:prio@home1.net", "");
  const std::vector<std::string> expected = {"sip:as-d.home1.net", "sip:as-b.home1.net", "sip:as-c.home1.net",
                                             "sip:as-e.home1.net", "sip:as-a.home1.net"};
  EXPECT_EQ(ServerNames(MatchingFilters(subscription.service_profiles[0],
                                        IfcContext{&invite, SessionCase::kOriginating, {}})),
            expected);
}

// ---------------------------------------------------------------------------------------------
// The Push registration filter (push-user.xml, priority 0)

class PushFilter : public ::testing::Test {
 protected:
  void SetUp() override { subscription_ = Load(ReadVector("push-user.xml")); }
  const ServiceProfile& profile() const { return subscription_.service_profiles[0]; }
  std::vector<std::string> Fired(const SipMessage& request, SessionCase session_case,
                                 std::optional<RegistrationType> registration_type) const {
    return ServerNames(MatchingFilters(profile(), IfcContext{&request, session_case, registration_type}));
  }
  ImsSubscription subscription_;
};

const std::string kPushAs = "sip:push-as.home1.net:5060;lr";
const std::string kMessageAs = "sip:msg-as.home1.net;lr";

TEST_F(PushFilter, FiresForRegisterWithPushFeatureTag) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPushContact);
  EXPECT_EQ(Fired(reg, SessionCase::kOriginating, RegistrationType::kInitial), std::vector<std::string>{kPushAs});
  const InitialFilterCriteria& push = *MatchingFilters(profile(), IfcContext{&reg, SessionCase::kOriginating,
                                                                             RegistrationType::kInitial})[0];
  // What TS 24.229 5.4.1.7 third-party registration needs from the match.
  EXPECT_TRUE(push.application_server.include_register_request);
  EXPECT_FALSE(push.application_server.include_register_response);
  EXPECT_EQ(push.application_server.default_handling, DefaultHandling::kSessionContinued);
}

TEST_F(PushFilter, SilentForRegisterWithoutTag) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPlainContact);
  EXPECT_TRUE(Fired(reg, SessionCase::kOriginating, RegistrationType::kInitial).empty());
  const SipMessage no_contact = Request("REGISTER", "sip:home1.net", "");
  EXPECT_TRUE(Fired(no_contact, SessionCase::kOriginating, RegistrationType::kInitial).empty());
}

TEST_F(PushFilter, FiresForEveryListedRegistrationType) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPushContact);
  for (const RegistrationType type :
       {RegistrationType::kInitial, RegistrationType::kReRegistration, RegistrationType::kDeRegistration}) {
    EXPECT_EQ(Fired(reg, SessionCase::kOriginating, type), std::vector<std::string>{kPushAs});
  }
  // The SPT is restricted, so a REGISTER of unknown kind does not satisfy it.
  EXPECT_TRUE(Fired(reg, SessionCase::kOriginating, std::nullopt).empty());
}

TEST_F(PushFilter, TagFoundInAnyContactElementAndCompactForm) {
  // The tag on the second of two comma-separated contacts, with the compact header name.
  const SipMessage two = Request("REGISTER", "sip:home1.net",
                                 "m: <sip:user2@192.0.2.4>, <sip:user2@192.0.2.5>;+g.oma.pusheventapp\r\n");
  EXPECT_EQ(Fired(two, SessionCase::kOriginating, RegistrationType::kReRegistration),
            std::vector<std::string>{kPushAs});
  // The tag on a second Contact field.
  const SipMessage fields = Request("REGISTER", "sip:home1.net", kPlainContact + kPushContact);
  EXPECT_EQ(Fired(fields, SessionCase::kOriginating, RegistrationType::kReRegistration),
            std::vector<std::string>{kPushAs});
}

TEST_F(PushFilter, MessageFilterNeedsTerminatingRegistered) {
  const SipMessage message = Request("MESSAGE", "sip:user2@home1.net", "Content-Type: text/plain\r\n", "hi");
  EXPECT_EQ(Fired(message, SessionCase::kTerminatingRegistered, std::nullopt), std::vector<std::string>{kMessageAs});
  EXPECT_TRUE(Fired(message, SessionCase::kOriginating, std::nullopt).empty());
  EXPECT_TRUE(Fired(message, SessionCase::kTerminatingUnregistered, std::nullopt).empty());
  // A REGISTER is not a MESSAGE, whatever the session case.
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPlainContact);
  EXPECT_TRUE(Fired(reg, SessionCase::kTerminatingRegistered, RegistrationType::kInitial).empty());
}

TEST(TS29228_B_2_2, RegistrationTypeRestrictsRegisterMethod) {
  // Initial registrations only.
  TriggerPoint trigger_point;
  trigger_point.condition_type_cnf = true;
  ServicePointTrigger spt;
  spt.groups = {0};
  spt.condition = MethodCondition{"REGISTER"};
  spt.registration_types = {RegistrationType::kInitial};
  trigger_point.spts = {spt};
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPushContact);
  EXPECT_TRUE(Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, RegistrationType::kInitial}));
  EXPECT_FALSE(
      Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, RegistrationType::kReRegistration}));
  EXPECT_FALSE(
      Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, RegistrationType::kDeRegistration}));
  // Without RegistrationType the REGISTER SPT matches every REGISTER.
  trigger_point.spts[0].registration_types.clear();
  EXPECT_TRUE(
      Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, RegistrationType::kDeRegistration}));
  EXPECT_TRUE(Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, std::nullopt}));
}

TEST(TS29228_B_2_2, RegistrationTypeIgnoredOnOtherMethods) {
  TriggerPoint trigger_point;
  ServicePointTrigger spt;
  spt.groups = {0};
  spt.condition = MethodCondition{"MESSAGE"};
  spt.registration_types = {RegistrationType::kReRegistration};
  trigger_point.spts = {spt};
  const SipMessage message = Request("MESSAGE", "sip:user2@home1.net", "");
  EXPECT_TRUE(Matches(trigger_point, IfcContext{&message, SessionCase::kOriginating, std::nullopt}));
}

// ---------------------------------------------------------------------------------------------
// Individual SPT kinds

ServicePointTrigger Spt(SptCondition condition, bool negated = false) {
  ServicePointTrigger spt;
  spt.groups = {0};
  spt.condition = std::move(condition);
  spt.condition_negated = negated;
  return spt;
}

PosixRegex Regex(const std::string& pattern) {
  Result<PosixRegex> regex = PosixRegex::Compile(pattern);
  EXPECT_TRUE(regex.ok()) << regex.error();
  return std::move(regex).value();
}

TEST(TS29228_B_2_2, MethodComparedCaseSensitively) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", "");
  const IfcContext context{&reg, SessionCase::kOriginating, RegistrationType::kInitial};
  EXPECT_TRUE(SptConditionHolds(Spt(MethodCondition{"REGISTER"}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(MethodCondition{"register"}), context));  // RFC 3261 7.1
}

TEST(TS29228_B_2_2, RequestUriRegex) {
  const SipMessage invite = Request("INVITE", "sip:chatroom-42@home1.net", "");
  const IfcContext context{&invite, SessionCase::kTerminatingRegistered, {}};
  EXPECT_TRUE(SptConditionHolds(Spt(RequestUriCondition{Regex("^sip:chatroom-[0-9]+@home1\\.net$")}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(RequestUriCondition{Regex("^sip:chatroom-[a-z]+@")}), context));
}

TEST(TS29228_B_2_2, SipHeaderNameCaseInsensitiveAndCompact) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", kPushContact + "X-Vendor: blue\r\n");
  const IfcContext context{&reg, SessionCase::kOriginating, RegistrationType::kInitial};
  EXPECT_TRUE(SptConditionHolds(Spt(SipHeaderCondition{"contact", std::nullopt}), context));
  EXPECT_TRUE(SptConditionHolds(Spt(SipHeaderCondition{"m", Regex("pusheventapp")}), context));
  EXPECT_TRUE(SptConditionHolds(Spt(SipHeaderCondition{"x-vendor", Regex("^blue$")}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(SipHeaderCondition{"X-Vendor", Regex("^red$")}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(SipHeaderCondition{"Subject", std::nullopt}), context));
}

TEST(TS29228_B_2_2, NegatedAbsentHeaderHolds) {
  const SipMessage reg = Request("REGISTER", "sip:home1.net", "");
  TriggerPoint trigger_point;
  trigger_point.spts = {Spt(SipHeaderCondition{"Contact", Regex("pusheventapp")}, /*negated=*/true)};
  EXPECT_TRUE(Matches(trigger_point, IfcContext{&reg, SessionCase::kOriginating, {}}));
}

TEST(TS29228_B_2_2, SessionDescriptionLineAndContent) {
  const std::string sdp =
      "v=0\r\no=- 2890844526 2890842807 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
      "m=message 7394 TCP/MSRP *\r\na=path:msrp://198.51.100.1:7394/iau39;tcp\r\n";
  const SipMessage invite = Request("INVITE", "sip:user2@home1.net", "Content-Type: application/sdp\r\n", sdp);
  const IfcContext context{&invite, SessionCase::kTerminatingRegistered, {}};
  EXPECT_TRUE(SptConditionHolds(Spt(SessionDescriptionCondition{"m", Regex("^message [0-9]+ TCP/MSRP")}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(SessionDescriptionCondition{"m", Regex("^audio ")}), context));
  EXPECT_TRUE(SptConditionHolds(Spt(SessionDescriptionCondition{"a", std::nullopt}), context));
  EXPECT_FALSE(SptConditionHolds(Spt(SessionDescriptionCondition{"b", std::nullopt}), context));
  // The same lines in a body that is not SDP are not a session description.
  const SipMessage text = Request("MESSAGE", "sip:user2@home1.net", "Content-Type: text/plain\r\n", sdp);
  EXPECT_FALSE(SptConditionHolds(Spt(SessionDescriptionCondition{"m", std::nullopt}),
                                 IfcContext{&text, SessionCase::kTerminatingRegistered, {}}));
}

TEST(TS29228_B_2_2, RequestSptsFalseWithoutRequest) {
  const IfcContext no_request{nullptr, SessionCase::kOriginating, {}};
  EXPECT_FALSE(SptConditionHolds(Spt(MethodCondition{"INVITE"}), no_request));
  EXPECT_FALSE(SptConditionHolds(Spt(SipHeaderCondition{"Contact", std::nullopt}), no_request));
  EXPECT_TRUE(SptConditionHolds(Spt(SessionCaseCondition{SessionCase::kOriginating}), no_request));
  const SipMessage response = SipMessage::MakeResponse(200);
  const IfcContext with_response{&response, SessionCase::kOriginating, {}};
  EXPECT_FALSE(SptConditionHolds(Spt(RequestUriCondition{Regex(".*")}), with_response));
}

TEST(TS29228_B_2_2, ProfilePartIndicatorFollowsRegistrationState) {
  ServiceProfile profile;
  InitialFilterCriteria registered;
  registered.priority = 1;
  registered.application_server.server_name = "sip:reg.home1.net";
  registered.profile_part_indicator = ProfilePartIndicator::kRegistered;
  InitialFilterCriteria unregistered = registered;
  unregistered.priority = 2;
  unregistered.application_server.server_name = "sip:unreg.home1.net";
  unregistered.profile_part_indicator = ProfilePartIndicator::kUnregistered;
  InitialFilterCriteria both = registered;
  both.priority = 3;
  both.application_server.server_name = "sip:both.home1.net";
  both.profile_part_indicator.reset();
  profile.initial_filter_criteria = {registered, unregistered, both};
  const SipMessage invite = Request("INVITE", "sip:user2@home1.net", "");
  const auto fired = [&](SessionCase session_case) {
    return ServerNames(MatchingFilters(profile, IfcContext{&invite, session_case, {}}));
  };
  EXPECT_EQ(fired(SessionCase::kTerminatingRegistered),
            (std::vector<std::string>{"sip:reg.home1.net", "sip:both.home1.net"}));
  EXPECT_EQ(fired(SessionCase::kOriginating), (std::vector<std::string>{"sip:reg.home1.net", "sip:both.home1.net"}));
  EXPECT_EQ(fired(SessionCase::kTerminatingUnregistered),
            (std::vector<std::string>{"sip:unreg.home1.net", "sip:both.home1.net"}));
  EXPECT_EQ(fired(SessionCase::kOriginatingUnregistered),
            (std::vector<std::string>{"sip:unreg.home1.net", "sip:both.home1.net"}));
  EXPECT_EQ(fired(SessionCase::kOriginatingCdiv),
            (std::vector<std::string>{"sip:reg.home1.net", "sip:unreg.home1.net", "sip:both.home1.net"}));
}

TEST(TS29228_B_2_2, LongHostileHeaderValueEvaluatesWithoutBlowup) {
  // A pattern that backtracking engines take exponential time on, against a long value.
  const std::string value(7000, 'a');
  const SipMessage invite = Request("INVITE", "sip:user2@home1.net", "Subject: " + value + "!\r\n");
  const IfcContext context{&invite, SessionCase::kOriginating, {}};
  EXPECT_FALSE(SptConditionHolds(Spt(SipHeaderCondition{"Subject", Regex("^(a+)+$")}), context));
  EXPECT_TRUE(SptConditionHolds(Spt(SipHeaderCondition{"Subject", Regex("^(a+)+!$")}), context));
}

}  // namespace
}  // namespace pushsim::ims
