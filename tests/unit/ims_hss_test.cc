// The HSS: subscriber data, implicit registration sets, barring and S-CSCF assignment
// (3GPP TS 29.228 6.1, 6.5.1; TS 23.228 4.3.3.4).
#include "ims/hss.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pushsim::ims {
namespace {

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/hss/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

PublicIdentity Identity(std::string uri, bool barred = false) {
  PublicIdentity identity;
  identity.identity = std::move(uri);
  identity.barring_indication = barred;
  return identity;
}

// A subscription with two service profiles, i.e. two implicit registration sets.
ImsSubscription TwoSets() {
  ImsSubscription subscription;
  subscription.private_id = "alice_private@home1.net";
  ServiceProfile first;
  first.public_identities = {Identity("sip:alice@home1.net"), Identity("sip:alice.work@home1.net", true),
                             Identity("tel:+1-212-555-1111")};
  ServiceProfile second;
  second.public_identities = {Identity("sip:alice.games@home1.net")};
  subscription.service_profiles = {first, second};
  return subscription;
}

TEST(HssTest, TS29228_B_PushUserVectorLoads) {
  Hss hss;
  auto added = hss.AddXml(ReadVector("push-user.xml"));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_EQ(hss.subscriber_count(), 1u);
  const ImsSubscription* subscription = hss.FindSubscription("sip:user2@home1.net");
  ASSERT_NE(subscription, nullptr);
  EXPECT_EQ(subscription->private_id, "user2_private@home1.net");
  const ServiceProfile* profile = hss.FindProfile("tel:+1-212-555-2222");
  ASSERT_NE(profile, nullptr);
  ASSERT_EQ(profile->initial_filter_criteria.size(), 2u);
  EXPECT_EQ(profile->initial_filter_criteria[0].application_server.server_name, "sip:push-as.home1.net:5060;lr");
}

TEST(HssTest, TS29228_ImplicitSetIsTheServiceProfileIdentityFirst) {
  Hss hss;
  ASSERT_TRUE(hss.AddXml(ReadVector("push-user.xml")).ok());
  EXPECT_EQ(hss.ImplicitSet("sip:user2@home1.net"),
            (std::vector<std::string>{"sip:user2@home1.net", "tel:+1-212-555-2222"}));
  // The identity asked for comes first, the others follow in document order.
  EXPECT_EQ(hss.ImplicitSet("tel:+1-212-555-2222"),
            (std::vector<std::string>{"tel:+1-212-555-2222", "sip:user2@home1.net"}));
  EXPECT_TRUE(hss.ImplicitSet("sip:nobody@home1.net").empty());
}

TEST(HssTest, TS29228_ImplicitSetStopsAtTheServiceProfile) {
  Hss hss;
  ASSERT_TRUE(hss.Add(TwoSets()).ok());
  EXPECT_EQ(hss.ImplicitSet("sip:alice.work@home1.net"),
            (std::vector<std::string>{"sip:alice.work@home1.net", "sip:alice@home1.net", "tel:+1-212-555-1111"}));
  EXPECT_EQ(hss.ImplicitSet("sip:alice.games@home1.net"), (std::vector<std::string>{"sip:alice.games@home1.net"}));
  // Both sets belong to one subscription.
  EXPECT_EQ(hss.FindSubscription("sip:alice.games@home1.net"), hss.FindSubscription("sip:alice@home1.net"));
  EXPECT_NE(hss.FindProfile("sip:alice.games@home1.net"), hss.FindProfile("sip:alice@home1.net"));
}

TEST(HssTest, RFC3261_19_1_4_IdentityComparisonIgnoresSchemeAndHostCase) {
  EXPECT_EQ(NormalizeIdentity("SIP:alice@HOME1.NET"), "sip:alice@home1.net");
  EXPECT_EQ(NormalizeIdentity("<sip:alice@home1.net;user=phone>"), "sip:alice@home1.net");
  // The user part is case-sensitive (RFC 3261 19.1.4).
  EXPECT_NE(NormalizeIdentity("sip:Alice@home1.net"), NormalizeIdentity("sip:alice@home1.net"));
  EXPECT_NE(NormalizeIdentity("sips:alice@home1.net"), NormalizeIdentity("sip:alice@home1.net"));
}

TEST(HssTest, RFC3966_5_1_1_TelVisualSeparatorsIgnored) {
  EXPECT_EQ(NormalizeIdentity("tel:+1-212-555-2222"), "tel:+12125552222");
  EXPECT_EQ(NormalizeIdentity("TEL:+1.212.(555).2222"), "tel:+12125552222");
  Hss hss;
  ASSERT_TRUE(hss.AddXml(ReadVector("push-user.xml")).ok());
  EXPECT_NE(hss.FindSubscription("tel:+12125552222"), nullptr);
  EXPECT_NE(hss.FindSubscription("sip:user2@HOME1.net"), nullptr);
  EXPECT_EQ(hss.FindSubscription("sip:User2@home1.net"), nullptr);
}

TEST(HssTest, WildcardedIdentityNormalizedWithoutUriParser) {
  // '!' delimits the wildcard of a wildcarded PSI (TS 23.003 13.5); it is kept as written.
  EXPECT_EQ(NormalizeIdentity("SIP:chat-!.*!@HOME1.net;lr"), "sip:chat-!.*!@home1.net");
}

TEST(HssTest, TS29228_6_1_BarringIndication) {
  Hss hss;
  ASSERT_TRUE(hss.Add(TwoSets()).ok());
  EXPECT_TRUE(hss.IsBarred("sip:alice.work@home1.net"));
  EXPECT_FALSE(hss.IsBarred("sip:alice@home1.net"));
  EXPECT_FALSE(hss.IsBarred("sip:unknown@home1.net"));
}

TEST(HssTest, PublicIdentityBelongsToOneSubscriptionOnly) {
  Hss hss;
  ASSERT_TRUE(hss.Add(TwoSets()).ok());
  ImsSubscription other;
  other.private_id = "mallory@home1.net";
  ServiceProfile profile;
  profile.public_identities = {Identity("sip:mallory@home1.net"), Identity("sip:ALICE@home1.net"),
                               Identity("sip:alice@Home1.Net")};
  other.service_profiles = {profile};
  auto added = hss.Add(other);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, wire::ErrorCode::kBadBody);
  EXPECT_NE(added.error().detail.find("sip:alice@Home1.Net"), std::string::npos);
  // Nothing of the refused subscription was kept.
  EXPECT_EQ(hss.subscriber_count(), 1u);
  EXPECT_EQ(hss.FindSubscription("sip:mallory@home1.net"), nullptr);
  EXPECT_EQ(hss.FindSubscription("sip:ALICE@home1.net"), nullptr);

  ImsSubscription twice;
  twice.private_id = "bob@home1.net";
  profile.public_identities = {Identity("tel:+1-555-0100"), Identity("tel:+15550100")};
  twice.service_profiles = {profile};
  EXPECT_FALSE(hss.Add(twice).ok());
}

TEST(HssTest, AddXmlReportsTheParseError) {
  Hss hss;
  auto added = hss.AddXml("<IMSSubscription><PrivateID>x</PrivateID>");
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, wire::ErrorCode::kBadBody);
  EXPECT_EQ(hss.subscriber_count(), 0u);
}

TEST(HssTest, TS29228_6_1_2_ScscfAssignmentCoversTheImplicitSet) {
  Hss hss;
  ASSERT_TRUE(hss.Add(TwoSets()).ok());
  hss.set_default_scscf("sip:scscf.home1.net");
  EXPECT_EQ(hss.default_scscf(), "sip:scscf.home1.net");
  EXPECT_FALSE(hss.AssignedScscf("sip:alice@home1.net").has_value());

  hss.AssignScscf("tel:+1-212-555-1111", "sip:scscf.home1.net:5060");
  EXPECT_EQ(hss.AssignedScscf("sip:alice@home1.net"), "sip:scscf.home1.net:5060");
  EXPECT_EQ(hss.AssignedScscf("sip:alice.work@home1.net"), "sip:scscf.home1.net:5060");
  // The other implicit registration set is not registered.
  EXPECT_FALSE(hss.AssignedScscf("sip:alice.games@home1.net").has_value());

  hss.UnassignScscf("sip:alice@home1.net");
  EXPECT_FALSE(hss.AssignedScscf("tel:+1-212-555-1111").has_value());

  // Unknown identities are neither assigned nor remembered.
  hss.AssignScscf("sip:ghost@home1.net", "sip:scscf.home1.net");
  EXPECT_FALSE(hss.AssignedScscf("sip:ghost@home1.net").has_value());
}

}  // namespace
}  // namespace pushsim::ims
