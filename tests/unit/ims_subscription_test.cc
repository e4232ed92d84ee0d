// HSS subscriber data: the IMSSubscription document of 3GPP TS 29.228 Annex B (CxDataType.xsd),
// parsed, validated against the schema's rules and limits, and written back.
#include "ims/subscription.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace pushsim::ims {
namespace {

using wire::ErrorCode;

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/hss/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// A minimal valid document around one InitialFilterCriteria; `ifc` starts on line 4.
std::string WithFilter(const std::string& ifc) {
  return "<?xml version=\"1.0\"?>\n"
         "<IMSSubscription><PrivateID>u@home1.net</PrivateID>\n"
         "<ServiceProfile><PublicIdentity><Identity>sip:u@home1.net</Identity></PublicIdentity>\n" +
         ifc + "\n</ServiceProfile></IMSSubscription>\n";
}

// One iFC whose trigger point holds `spt` (written on line 6 of the document).
std::string WithSpt(const std::string& spt) {
  return WithFilter(
      "<InitialFilterCriteria><Priority>1</Priority>\n"
      "<TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>\n" +
      spt +
      "\n</TriggerPoint><ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer>"
      "</InitialFilterCriteria>");
}

ParseError ExpectError(const std::string& xml) {
  Result<ImsSubscription> result = ParseImsSubscription(xml);
  EXPECT_FALSE(result.ok());
  return result.ok() ? ParseError{} : result.error();
}

// ---------------------------------------------------------------------------------------------
// Documents that follow the schema

TEST(TS29228_B_2_1, PushUserProfileEveryField) {
  Result<ImsSubscription> result = ParseImsSubscription(ReadVector("push-user.xml"));
  ASSERT_TRUE(result.ok()) << result.error();
  const ImsSubscription& subscription = *result;
  EXPECT_EQ(subscription.private_id, "user2_private@home1.net");
  ASSERT_EQ(subscription.service_profiles.size(), 1u);
  const ServiceProfile& profile = subscription.service_profiles[0];

  ASSERT_EQ(profile.public_identities.size(), 2u);
  EXPECT_EQ(profile.public_identities[0].identity, "sip:user2@home1.net");
  EXPECT_FALSE(profile.public_identities[0].barring_indication);
  EXPECT_EQ(profile.public_identities[0].identity_type, IdentityType::kPublicUserIdentity);
  EXPECT_EQ(profile.public_identities[0].display_name, std::optional<std::string>("User Two"));
  EXPECT_FALSE(profile.public_identities[0].wildcarded_psi.has_value());
  EXPECT_EQ(profile.public_identities[1].identity, "tel:+1-212-555-2222");
  EXPECT_FALSE(profile.public_identities[1].barring_indication);
  EXPECT_EQ(profile.public_identities[1].identity_type, IdentityType::kPublicUserIdentity);
  EXPECT_FALSE(profile.public_identities[1].display_name.has_value());

  ASSERT_TRUE(profile.core_network_services_authorization.has_value());
  EXPECT_EQ(profile.core_network_services_authorization->subscribed_media_profile_id, std::optional<std::uint32_t>(1));
  EXPECT_TRUE(profile.shared_ifc_set_ids.empty());

  ASSERT_EQ(profile.initial_filter_criteria.size(), 2u);
  const InitialFilterCriteria& push = profile.initial_filter_criteria[0];
  EXPECT_EQ(push.priority, 0u);
  EXPECT_FALSE(push.profile_part_indicator.has_value());
  ASSERT_TRUE(push.trigger_point.has_value());
  EXPECT_TRUE(push.trigger_point->condition_type_cnf);
  ASSERT_EQ(push.trigger_point->spts.size(), 2u);
  const ServicePointTrigger& method = push.trigger_point->spts[0];
  EXPECT_FALSE(method.condition_negated);
  EXPECT_EQ(method.groups, std::vector<std::uint32_t>{0});
  ASSERT_TRUE(std::holds_alternative<MethodCondition>(method.condition));
  EXPECT_EQ(std::get<MethodCondition>(method.condition).method, "REGISTER");
  EXPECT_EQ(method.registration_types, (std::vector<RegistrationType>{RegistrationType::kInitial,
                                                                      RegistrationType::kReRegistration,
                                                                      RegistrationType::kDeRegistration}));
  const ServicePointTrigger& contact = push.trigger_point->spts[1];
  EXPECT_FALSE(contact.condition_negated);
  EXPECT_EQ(contact.groups, std::vector<std::uint32_t>{1});
  ASSERT_TRUE(std::holds_alternative<SipHeaderCondition>(contact.condition));
  const auto& header = std::get<SipHeaderCondition>(contact.condition);
  EXPECT_EQ(header.header, "Contact");
  ASSERT_TRUE(header.content.has_value());
  EXPECT_EQ(header.content->pattern(), "\\+g\\.oma\\.pusheventapp");
  EXPECT_TRUE(contact.registration_types.empty());

  const ApplicationServer& push_as = push.application_server;
  EXPECT_EQ(push_as.server_name, "sip:push-as.home1.net:5060;lr");
  EXPECT_EQ(push_as.default_handling, DefaultHandling::kSessionContinued);
  EXPECT_EQ(push_as.service_info, std::optional<std::string>("oma-push-registration"));
  EXPECT_TRUE(push_as.include_register_request);
  EXPECT_FALSE(push_as.include_register_response);

  const InitialFilterCriteria& message = profile.initial_filter_criteria[1];
  EXPECT_EQ(message.priority, 10u);
  ASSERT_TRUE(message.trigger_point.has_value());
  EXPECT_FALSE(message.trigger_point->condition_type_cnf);
  ASSERT_EQ(message.trigger_point->spts.size(), 2u);
  EXPECT_EQ(std::get<MethodCondition>(message.trigger_point->spts[0].condition).method, "MESSAGE");
  EXPECT_EQ(message.trigger_point->spts[0].groups, std::vector<std::uint32_t>{0});
  ASSERT_TRUE(std::holds_alternative<SessionCaseCondition>(message.trigger_point->spts[1].condition));
  EXPECT_EQ(std::get<SessionCaseCondition>(message.trigger_point->spts[1].condition).session_case,
            SessionCase::kTerminatingRegistered);
  EXPECT_EQ(message.trigger_point->spts[1].groups, std::vector<std::uint32_t>{0});
  EXPECT_EQ(message.application_server.server_name, "sip:msg-as.home1.net;lr");
  EXPECT_EQ(message.application_server.default_handling, DefaultHandling::kSessionTerminated);
  EXPECT_FALSE(message.application_server.service_info.has_value());
  EXPECT_FALSE(message.application_server.include_register_request);
  EXPECT_FALSE(message.application_server.include_register_response);
}

TEST(TS29228_B_2_1, FullProfileEveryElement) {
  Result<ImsSubscription> result = ParseImsSubscription(ReadVector("full-profile.xml"));
  ASSERT_TRUE(result.ok()) << result.error();
  const ImsSubscription& subscription = *result;
  EXPECT_EQ(subscription.private_id, "conf_private@home1.net");
  ASSERT_EQ(subscription.service_profiles.size(), 2u);
  const ServiceProfile& profile = subscription.service_profiles[0];

  ASSERT_EQ(profile.public_identities.size(), 2u);
  EXPECT_EQ(profile.public_identities[0].identity, "sips:conf-admin@home1.net");
  EXPECT_TRUE(profile.public_identities[0].barring_indication);
  EXPECT_FALSE(profile.public_identities[0].identity_type.has_value());
  const PublicIdentity& psi = profile.public_identities[1];
  EXPECT_FALSE(psi.barring_indication);  // "false" is an xs:boolean literal
  EXPECT_EQ(psi.identity_type, IdentityType::kWildcardedPsi);
  EXPECT_EQ(psi.wildcarded_psi, std::optional<std::string>("sip:chatroom-!.*!@home1.net"));
  // DisplayName is free text: kept as written, spaces included, &amp; resolved.
  EXPECT_EQ(psi.display_name, std::optional<std::string>("  Chat & Rooms  "));

  // Present but only with an extension: the element is there, the media profile is not.
  ASSERT_TRUE(profile.core_network_services_authorization.has_value());
  EXPECT_FALSE(profile.core_network_services_authorization->subscribed_media_profile_id.has_value());
  EXPECT_EQ(profile.shared_ifc_set_ids, (std::vector<std::uint32_t>{4, 17}));

  ASSERT_EQ(profile.initial_filter_criteria.size(), 1u);
  const InitialFilterCriteria& ifc = profile.initial_filter_criteria[0];
  EXPECT_EQ(ifc.priority, 3u);
  EXPECT_EQ(ifc.profile_part_indicator, ProfilePartIndicator::kUnregistered);
  ASSERT_TRUE(ifc.trigger_point.has_value());
  EXPECT_TRUE(ifc.trigger_point->condition_type_cnf);
  const std::vector<ServicePointTrigger>& spts = ifc.trigger_point->spts;
  ASSERT_EQ(spts.size(), 4u);
  EXPECT_FALSE(spts[0].condition_negated);  // ConditionNegated absent: schema default 0
  EXPECT_EQ(std::get<MethodCondition>(spts[0].condition).method, "INVITE");
  EXPECT_TRUE(spts[1].condition_negated);
  EXPECT_EQ(spts[1].groups, (std::vector<std::uint32_t>{1, 2}));
  ASSERT_TRUE(std::holds_alternative<RequestUriCondition>(spts[1].condition));
  EXPECT_EQ(std::get<RequestUriCondition>(spts[1].condition).pattern.pattern(), "^sip:chatroom-[0-9]+@");
  ASSERT_TRUE(std::holds_alternative<SessionDescriptionCondition>(spts[2].condition));
  const auto& sdp = std::get<SessionDescriptionCondition>(spts[2].condition);
  EXPECT_EQ(sdp.line, "m");
  ASSERT_TRUE(sdp.content.has_value());
  EXPECT_EQ(sdp.content->pattern(), "^message [0-9]+ TCP/MSRP");
  ASSERT_TRUE(std::holds_alternative<SipHeaderCondition>(spts[3].condition));
  EXPECT_EQ(std::get<SipHeaderCondition>(spts[3].condition).header, "Accept-Contact");
  EXPECT_FALSE(std::get<SipHeaderCondition>(spts[3].condition).content.has_value());
  EXPECT_EQ(spts[3].registration_types, std::vector<RegistrationType>{RegistrationType::kInitial});

  const ApplicationServer& as = ifc.application_server;
  EXPECT_EQ(as.server_name, "sips:conf-as.home1.net");
  EXPECT_FALSE(as.default_handling.has_value());
  EXPECT_EQ(as.service_info, std::optional<std::string>("<conf mode=\"open\"/>"));
  EXPECT_FALSE(as.include_register_request);
  EXPECT_TRUE(as.include_register_response);

  const ServiceProfile& second = subscription.service_profiles[1];
  ASSERT_EQ(second.public_identities.size(), 1u);
  EXPECT_EQ(second.public_identities[0].identity, "sip:conf-guest@home1.net");
  EXPECT_TRUE(second.initial_filter_criteria.empty());
  EXPECT_FALSE(second.core_network_services_authorization.has_value());
}

TEST(TS29228_B_2_1, DisplayNameDirectlyInExtensionAccepted) {
  const std::string xml =
      "<IMSSubscription><PrivateID>u@h</PrivateID><ServiceProfile><PublicIdentity>"
      "<Identity>sip:u@h</Identity><Extension><DisplayName>Bob</DisplayName></Extension>"
      "</PublicIdentity></ServiceProfile></IMSSubscription>";
  Result<ImsSubscription> result = ParseImsSubscription(xml);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->service_profiles[0].public_identities[0].display_name, std::optional<std::string>("Bob"));
}

TEST(TS29228_B_2_2, SessionCaseOriginatingCdivAccepted) {
  Result<ImsSubscription> result =
      ParseImsSubscription(WithSpt("<SPT><Group>0</Group><SessionCase>4</SessionCase></SPT>"));
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& spt = result->service_profiles[0].initial_filter_criteria[0].trigger_point->spts[0];
  EXPECT_EQ(std::get<SessionCaseCondition>(spt.condition).session_case, SessionCase::kOriginatingCdiv);
}

TEST(TS29228_B_2_2, NumbersFollowXsIntLexicalForm) {
  // xs:int allows a leading '+' and leading zeros, and white space is collapsed.
  Result<ImsSubscription> result = ParseImsSubscription(WithFilter(
      "<InitialFilterCriteria><Priority> +007 </Priority>"
      "<ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer></InitialFilterCriteria>"));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->service_profiles[0].initial_filter_criteria[0].priority, 7u);
}

// ---------------------------------------------------------------------------------------------
// Serialization

TEST(TS29228_Serialize, VectorsRoundTrip) {
  for (const char* name : {"push-user.xml", "full-profile.xml", "priorities.xml"}) {
    Result<ImsSubscription> parsed = ParseImsSubscription(ReadVector(name));
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.error();
    const std::string written = SerializeImsSubscription(*parsed);
    Result<ImsSubscription> reparsed = ParseImsSubscription(written);
    ASSERT_TRUE(reparsed.ok()) << name << ": " << reparsed.error() << "\n" << written;
    EXPECT_TRUE(*reparsed == *parsed) << name << "\n" << written;
  }
}

TEST(TS29228_Serialize, WritesSchemaElementsInSchemaOrder) {
  Result<ImsSubscription> parsed = ParseImsSubscription(ReadVector("push-user.xml"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const std::string written = SerializeImsSubscription(*parsed);
  EXPECT_EQ(written.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<IMSSubscription>\n", 0), 0u) << written;
  // tApplicationServer: ServerName, DefaultHandling, ServiceInfo, Extension.
  const std::string as =
      "      <ApplicationServer>\n"
      "        <ServerName>sip:push-as.home1.net:5060;lr</ServerName>\n"
      "        <DefaultHandling>0</DefaultHandling>\n"
      "        <ServiceInfo>oma-push-registration</ServiceInfo>\n"
      "        <Extension>\n"
      "          <IncludeRegisterRequest/>\n"
      "        </Extension>\n"
      "      </ApplicationServer>\n";
  EXPECT_NE(written.find(as), std::string::npos) << written;
  // tPublicIdentity: DisplayName sits in the nested tPublicIdentityExtension2.
  const std::string identity =
      "    <PublicIdentity>\n"
      "      <Identity>sip:user2@home1.net</Identity>\n"
      "      <Extension>\n"
      "        <IdentityType>0</IdentityType>\n"
      "        <Extension>\n"
      "          <DisplayName>User Two</DisplayName>\n"
      "        </Extension>\n"
      "      </Extension>\n"
      "    </PublicIdentity>\n";
  EXPECT_NE(written.find(identity), std::string::npos) << written;
  // tSePoTri: ConditionNegated, Group, the condition, Extension with RegistrationType.
  EXPECT_NE(written.find("<Group>0</Group>\n          <Method>REGISTER</Method>\n          <Extension>\n"
                         "            <RegistrationType>0</RegistrationType>\n"),
            std::string::npos)
      << written;
  EXPECT_LT(written.find("<PublicIdentity>"), written.find("<CoreNetworkServicesAuthorization>"));
  EXPECT_LT(written.find("<CoreNetworkServicesAuthorization>"), written.find("<InitialFilterCriteria>"));
}

TEST(TS29228_Serialize, EscapesMarkupAndCarriageReturns) {
  ImsSubscription subscription;
  subscription.private_id = "a&b@home1.net";
  ServiceProfile profile;
  PublicIdentity identity;
  identity.identity = "sip:a@home1.net";
  identity.display_name = "A <&> \"B\"\r\n line";
  profile.public_identities.push_back(identity);
  InitialFilterCriteria ifc;
  ifc.priority = 2147483647;  // the largest xs:int
  ifc.application_server.server_name = "sip:as.home1.net";
  ifc.application_server.service_info = "  ";
  TriggerPoint trigger;
  trigger.condition_type_cnf = true;
  ServicePointTrigger spt;
  spt.groups = {0, 2147483647};
  auto regex = PosixRegex::Compile("^<sip:[a-z]+@home1\\.net>$");
  ASSERT_TRUE(regex.ok()) << regex.error();
  spt.condition = SipHeaderCondition{"P-Asserted-Identity", *regex};
  trigger.spts.push_back(spt);
  ifc.trigger_point = trigger;
  profile.initial_filter_criteria.push_back(ifc);
  subscription.service_profiles.push_back(profile);

  const std::string written = SerializeImsSubscription(subscription);
  EXPECT_NE(written.find("<PrivateID>a&amp;b@home1.net</PrivateID>"), std::string::npos) << written;
  EXPECT_NE(written.find("<DisplayName>A &lt;&amp;&gt; \"B\"&#13;\n line</DisplayName>"), std::string::npos)
      << written;
  EXPECT_NE(written.find("<Content>^&lt;sip:[a-z]+@home1\\.net&gt;$</Content>"), std::string::npos) << written;
  Result<ImsSubscription> reparsed = ParseImsSubscription(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error() << "\n" << written;
  EXPECT_TRUE(*reparsed == subscription) << written;
}

// ---------------------------------------------------------------------------------------------
// Errors: malformed XML, schema violations, limits

TEST(TS29228_Errors, MalformedXmlReportsLibxmlLine) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<IMSSubscription>\n"
      "  <PrivateID>u@home1.net</PrivateID>\n"
      "  <ServiceProfile></ServiceProfle>\n"
      "</IMSSubscription>\n";
  const ParseError error = ExpectError(xml);
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 4u);
  EXPECT_NE(error.detail.find("malformed XML"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("ServiceProfile"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, TruncatedDocumentRejected) {
  const std::string full = ReadVector("push-user.xml");
  const ParseError error = ExpectError(full.substr(0, full.size() / 2));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_NE(error.detail.find("malformed XML"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, EmptyAndBinaryInputRejected) {
  EXPECT_EQ(ExpectError("").code, ErrorCode::kBadBody);
  const std::string junk("\x00\xff\x13\x37<\x80\x81>\xfe", 9);
  const ParseError error = ExpectError(junk);
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 1u);
}

TEST(TS29228_Errors, WrongRootElementRejected) {
  // Clearwater-style iFC documents start at <ServiceProfile>; the Cx User-Data does not.
  const ParseError error = ExpectError("<ServiceProfile/>");
  EXPECT_NE(error.detail.find("IMSSubscription"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, MissingPriorityRejectedWithItsLine) {
  const ParseError error = ExpectError(WithFilter(
      "<InitialFilterCriteria>\n"
      "<ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer></InitialFilterCriteria>"));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 4u);
  EXPECT_EQ(error.column, 1u);
  EXPECT_NE(error.detail.find("<Priority>"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("InitialFilterCriteria"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, MissingServerNameRejected) {
  const ParseError error = ExpectError(WithFilter(
      "<InitialFilterCriteria><Priority>0</Priority>\n"
      "  <ApplicationServer><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>"));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 5u);
  EXPECT_EQ(error.column, 3u);
  EXPECT_NE(error.detail.find("<ServerName>"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, DefaultHandlingOutOfRangeRejected) {
  const ParseError error = ExpectError(WithFilter(
      "<InitialFilterCriteria><Priority>0</Priority><ApplicationServer>\n"
      "<ServerName>sip:as.home1.net</ServerName>\n"
      "    <DefaultHandling>7</DefaultHandling></ApplicationServer></InitialFilterCriteria>"));
  EXPECT_EQ(error.code, ErrorCode::kBadNumber);
  EXPECT_EQ(error.line, 6u);
  EXPECT_EQ(error.column, 5u);
  EXPECT_NE(error.detail.find("DefaultHandling"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("'7'"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, UnknownSessionCaseRejected) {
  const ParseError error = ExpectError(WithSpt("<SPT><Group>0</Group><SessionCase>5</SessionCase></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kBadNumber);
  EXPECT_EQ(error.line, 6u);
  EXPECT_NE(error.detail.find("SessionCase"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("'5'"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, PriorityOutsideXsIntRejected) {
  for (const char* value : {"-1", "2147483648", "1e3", "", "x"}) {
    const ParseError error = ExpectError(WithFilter(
        std::string("<InitialFilterCriteria><Priority>") + value +
        "</Priority><ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer>"
        "</InitialFilterCriteria>"));
    EXPECT_EQ(error.code, ErrorCode::kBadNumber) << value;
    EXPECT_EQ(error.line, 4u) << value;
  }
}

TEST(TS29228_Errors, OtherEnumerationsOutOfRangeRejected) {
  EXPECT_EQ(ExpectError(WithSpt("<SPT><Group>0</Group><Method>REGISTER</Method>"
                                "<Extension><RegistrationType>3</RegistrationType></Extension></SPT>"))
                .code,
            ErrorCode::kBadNumber);
  EXPECT_EQ(ExpectError(WithFilter("<InitialFilterCriteria><Priority>0</Priority><ApplicationServer>"
                                   "<ServerName>sip:a.home1.net</ServerName></ApplicationServer>"
                                   "<ProfilePartIndicator>2</ProfilePartIndicator></InitialFilterCriteria>"))
                .code,
            ErrorCode::kBadNumber);
  const ParseError boolean = ExpectError(WithSpt("<SPT><ConditionNegated>yes</ConditionNegated><Group>0</Group>"
                                                 "<Method>INVITE</Method></SPT>"));
  EXPECT_EQ(boolean.code, ErrorCode::kBadBody);
  EXPECT_NE(boolean.detail.find("boolean"), std::string::npos) << boolean.detail;
}

TEST(TS29228_Errors, UnknownElementOutsideExtensionRejected) {
  const ParseError error = ExpectError(WithSpt("<SPT><Group>0</Group><Method>INVITE</Method><Verb>x</Verb></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 6u);
  EXPECT_NE(error.detail.find("unknown element <Verb> in <SPT>"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, SptConditionChoiceIsExactlyOne) {
  const ParseError two = ExpectError(WithSpt("<SPT><Group>0</Group><Method>INVITE</Method>"
                                             "<SessionCase>0</SessionCase></SPT>"));
  EXPECT_NE(two.detail.find("both <Method> and <SessionCase>"), std::string::npos) << two.detail;
  const ParseError none = ExpectError(WithSpt("<SPT><Group>0</Group></SPT>"));
  EXPECT_NE(none.detail.find("lacks"), std::string::npos) << none.detail;
  const ParseError no_group = ExpectError(WithSpt("<SPT><Method>INVITE</Method></SPT>"));
  EXPECT_NE(no_group.detail.find("<Group>"), std::string::npos) << no_group.detail;
}

TEST(TS29228_Errors, RepeatedSingleElementRejected) {
  const ParseError error = ExpectError(WithFilter(
      "<InitialFilterCriteria><Priority>0</Priority><Priority>1</Priority>"
      "<ApplicationServer><ServerName>sip:as.home1.net</ServerName></ApplicationServer></InitialFilterCriteria>"));
  EXPECT_NE(error.detail.find("<Priority> appears more than once"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, MandatoryTopLevelElementsRequired) {
  EXPECT_NE(ExpectError("<IMSSubscription><ServiceProfile><PublicIdentity><Identity>sip:a@b</Identity>"
                        "</PublicIdentity></ServiceProfile></IMSSubscription>")
                .detail.find("<PrivateID>"),
            std::string::npos);
  EXPECT_NE(ExpectError("<IMSSubscription><PrivateID>a@b</PrivateID></IMSSubscription>").detail.find("<ServiceProfile>"),
            std::string::npos);
  EXPECT_NE(ExpectError("<IMSSubscription><PrivateID>a@b</PrivateID><ServiceProfile/></IMSSubscription>")
                .detail.find("<PublicIdentity>"),
            std::string::npos);
}

TEST(TS29228_Errors, IdentitiesMustBeUris) {
  const ParseError identity = ExpectError(
      "<IMSSubscription><PrivateID>a@b</PrivateID><ServiceProfile><PublicIdentity><Identity>alice</Identity>"
      "</PublicIdentity></ServiceProfile></IMSSubscription>");
  EXPECT_NE(identity.detail.find("<Identity>"), std::string::npos) << identity.detail;
  const ParseError server = ExpectError(WithFilter(
      "<InitialFilterCriteria><Priority>0</Priority><ApplicationServer><ServerName>http://as</ServerName>"
      "</ApplicationServer></InitialFilterCriteria>"));
  EXPECT_NE(server.detail.find("<ServerName> must be a SIP URI"), std::string::npos) << server.detail;
}

TEST(TS29228_Errors, InvalidRegularExpressionRejectedWithLine) {
  const ParseError error = ExpectError(WithSpt(
      "<SPT><Group>0</Group><SIPHeader><Header>Contact</Header><Content>([a-z</Content></SIPHeader></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 6u);
  EXPECT_NE(error.detail.find("<Content>"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("POSIX extended regular expression"), std::string::npos) << error.detail;
}

TEST(TS29228_Errors, BackReferenceRejected) {
  // Back-references are a GNU extension to ERE and make matching exponential.
  const ParseError error = ExpectError(WithSpt("<SPT><Group>0</Group><RequestURI>(a*)*\\1</RequestURI></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_NE(error.detail.find("back-reference"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, NestedRepetitionRegexRefused) {
  // 255^3 copies if compiled; the estimate refuses it before regcomp runs.
  const auto start = std::chrono::steady_clock::now();
  const ParseError error = ExpectError(WithSpt("<SPT><Group>0</Group><RequestURI>((a{255}){255}){255}</RequestURI></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_NE(error.detail.find("expands beyond"), std::string::npos) << error.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // A plain bounded repetition within the budget still compiles.
  EXPECT_TRUE(PosixRegex::Compile("^[0-9]{1,15}$").ok());
}

TEST(TS29228_Limits, RegexLengthLimit) {
  const std::string pattern(SubscriptionLimits::kMaxRegexBytes + 1, 'a');
  Result<PosixRegex> regex = PosixRegex::Compile(pattern);
  ASSERT_FALSE(regex.ok());
  EXPECT_EQ(regex.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(PosixRegex::Compile(std::string(SubscriptionLimits::kMaxRegexBytes, 'a')).ok());
}

TEST(TS29228_Limits, XmlBombRejectedWithoutExpansion) {
  // "Billion laughs": 10^9 copies of "lol" if expanded.
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE IMSSubscription [\n <!ENTITY lol \"lol\">\n";
  bomb += " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n";
  for (int level = 2; level <= 9; ++level) {
    const std::string previous = "&lol" + std::to_string(level - 1) + ";";
    bomb += " <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) bomb += previous;
    bomb += "\">\n";
  }
  bomb += "]>\n<IMSSubscription><PrivateID>&lol9;</PrivateID></IMSSubscription>\n";
  const auto start = std::chrono::steady_clock::now();
  const ParseError error = ExpectError(bomb);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_EQ(error.line, 2u);
  EXPECT_NE(error.detail.find("document type declaration"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, ExternalEntityRejected) {
  const ParseError error = ExpectError(
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<IMSSubscription><PrivateID>&x;</PrivateID></IMSSubscription>");
  EXPECT_NE(error.detail.find("document type declaration"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, UndeclaredEntityReferenceRejected) {
  const ParseError error = ExpectError("<IMSSubscription><PrivateID>&x;</PrivateID></IMSSubscription>");
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_NE(error.detail.find("x"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, Utf16DocumentRejected) {
  // The parser reads UTF-8 only, so a DOCTYPE cannot hide in another encoding.
  const std::string ascii = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><IMSSubscription/>";
  std::string utf16 = "\xff\xfe";
  for (char c : ascii) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  EXPECT_EQ(ExpectError(utf16).code, ErrorCode::kBadBody);
}

TEST(TS29228_Limits, TwoMegabyteInputRefused) {
  std::string huge = WithFilter("");
  huge.insert(huge.find("</IMSSubscription>"), std::string(2 * 1024 * 1024, ' '));
  const ParseError error = ExpectError(huge);
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_EQ(error.offset, SubscriptionLimits::kMaxInputBytes);
  EXPECT_NE(error.detail.find("1048576"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, FilterCriteriaCountLimit) {
  const std::string one =
      "<InitialFilterCriteria><Priority>1</Priority><ApplicationServer><ServerName>sip:a.h</ServerName>"
      "</ApplicationServer></InitialFilterCriteria>\n";
  std::string ifcs;
  for (std::size_t i = 0; i < SubscriptionLimits::kMaxFilterCriteria; ++i) ifcs += one;
  Result<ImsSubscription> at_limit = ParseImsSubscription(WithFilter(ifcs));
  ASSERT_TRUE(at_limit.ok()) << at_limit.error();
  EXPECT_EQ(at_limit->service_profiles[0].initial_filter_criteria.size(), SubscriptionLimits::kMaxFilterCriteria);
  const ParseError error = ExpectError(WithFilter(ifcs + one));
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_EQ(error.line, 4u + SubscriptionLimits::kMaxFilterCriteria);  // the 257th iFC's line
}

TEST(TS29228_Limits, ServicePointTriggerCountLimit) {
  std::string spts;
  for (std::size_t i = 0; i < SubscriptionLimits::kMaxServicePointTriggers; ++i) {
    spts += "<SPT><Group>0</Group><Method>INVITE</Method></SPT>";
  }
  ASSERT_TRUE(ParseImsSubscription(WithSpt(spts)).ok());
  const ParseError error = ExpectError(WithSpt(spts + "<SPT><Group>0</Group><Method>INVITE</Method></SPT>"));
  EXPECT_EQ(error.code, ErrorCode::kTooLarge);
  EXPECT_NE(error.detail.find("1024 SPT"), std::string::npos) << error.detail;
}

TEST(TS29228_Limits, DeepNestingRejected) {
  // Nesting beyond libxml2's depth limit inside an ignored Extension is still refused.
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<x>";
  for (int i = 0; i < 300; ++i) deep += "</x>";
  const ParseError error =
      ExpectError("<IMSSubscription><PrivateID>a@b</PrivateID><Extension>" + deep + "</Extension></IMSSubscription>");
  EXPECT_EQ(error.code, ErrorCode::kBadBody);
  EXPECT_NE(error.detail.find("malformed XML"), std::string::npos) << error.detail;
}

// ---------------------------------------------------------------------------------------------
// PosixRegex

TEST(PosixRegex, SearchesUnanchoredWithExtendedSyntax) {
  Result<PosixRegex> tag = PosixRegex::Compile("\\+g\\.oma\\.pusheventapp");
  ASSERT_TRUE(tag.ok()) << tag.error();
  EXPECT_TRUE(tag->Matches("<sip:u@1.2.3.4>;+g.oma.pusheventapp=\"mms.ua\""));
  EXPECT_FALSE(tag->Matches("<sip:u@1.2.3.4>;+g.oma.pushEventApp"));  // case-sensitive, as compiled
  EXPECT_FALSE(tag->Matches("<sip:u@1.2.3.4>;xg.oma.pusheventapp"));
  Result<PosixRegex> anchored = PosixRegex::Compile("^(INVITE|MESSAGE)$");
  ASSERT_TRUE(anchored.ok());
  EXPECT_TRUE(anchored->Matches("MESSAGE"));
  EXPECT_FALSE(anchored->Matches("MESSAGES"));
  EXPECT_TRUE(*tag == *PosixRegex::Compile("\\+g\\.oma\\.pusheventapp"));
  EXPECT_FALSE(*tag == *anchored);
}

}  // namespace
}  // namespace pushsim::ims
