// The registrar rules of the S-CSCF: RFC 3261 10.3 (expiry, ordering, removal), RFC 5626 / 5627
// (instance keys, public and temporary GRUUs), RFC 3327 (Path stored per binding).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ims/registrar.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {
namespace {

using namespace std::chrono_literals;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

constexpr std::string_view kAor = "sip:user2@home1.net";
constexpr std::string_view kInstance1 = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
constexpr std::string_view kInstance2 = "<urn:uuid:0c2e1e9a-5d3c-4b7e-9d0a-1b2c3d4e5f60>";

struct RegisterSpec {
  std::vector<std::string> contacts;
  std::string call_id = "reg-1@10.0.0.20";
  std::uint32_t cseq = 1;
  std::optional<std::string> expires;
  bool gruu = true;
  std::vector<std::string> path = {"<sip:pcscf.home1.net:5060;lr>"};
};

SipMessage Register(const RegisterSpec& spec) {
  SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
  request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.20:5060;branch=z9hG4bKreg" + std::to_string(spec.cseq));
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, "<sip:user2@home1.net>;tag=u1");
  request.Add(HeaderId::kTo, "<sip:user2@home1.net>");
  request.Add(HeaderId::kCallId, spec.call_id);
  request.Add(HeaderId::kCSeq, std::to_string(spec.cseq) + " REGISTER");
  for (const std::string& contact : spec.contacts) request.Add(HeaderId::kContact, contact);
  for (const std::string& hop : spec.path) request.Add(HeaderId::kPath, hop);
  request.Add(HeaderId::kSupported, spec.gruu ? "path, gruu" : "path");
  if (spec.expires) request.Add(HeaderId::kExpires, *spec.expires);
  return request;
}

std::string InstanceContact(std::string_view uri, std::string_view instance, std::string_view extra = "") {
  return "<" + std::string(uri) + ">;+sip.instance=\"" + std::string(instance) + "\"" + std::string(extra);
}

const sip::TimePoint kStart = sip::TimePoint(std::chrono::seconds(1000));

class RegistrarTest : public ::testing::Test {
 protected:
  RegisterResult Apply(const RegisterSpec& spec, sip::TimePoint now = kStart) {
    return registrar.Apply(kAor, Register(spec), now, policy);
  }
  const Binding& OnlyBinding() {
    const Registrar::Record* record = registrar.Find(kAor);
    EXPECT_NE(record, nullptr);
    EXPECT_EQ(record->bindings.size(), 1u);
    return record->bindings.front();
  }

  Registrar registrar;
  RegisterPolicy policy;  // min 60, max 600000, default 3600
};

TEST_F(RegistrarTest, RFC3261_10_3_ExpiresFromContactParamThenHeaderThenDefault) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>;expires=120", "<sip:user2@10.0.0.21:5060>"};
  spec.expires = "300";
  const RegisterResult result = Apply(spec);
  ASSERT_EQ(result.status, 200);
  const Registrar::Record* record = registrar.Find(kAor);
  ASSERT_NE(record, nullptr);
  ASSERT_EQ(record->bindings.size(), 2u);
  EXPECT_EQ(record->bindings[0].expires_at, kStart + 120s);  // the Contact parameter wins
  EXPECT_EQ(record->bindings[1].expires_at, kStart + 300s);  // then the Expires header
  EXPECT_EQ(result.granted_expires, 300u);

  RegisterSpec plain;
  plain.contacts = {"<sip:user2@10.0.0.22:5060>"};
  plain.call_id = "reg-2";
  ASSERT_EQ(Apply(plain).status, 200);
  EXPECT_EQ(registrar.Find(kAor)->bindings[2].expires_at, kStart + 3600s);  // the registrar's default
}

TEST_F(RegistrarTest, RFC3261_10_3_ExpiryAboveMaximumIsLowered) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>;expires=4294967295"};
  const RegisterResult result = Apply(spec);
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(OnlyBinding().expires_at, kStart + 600000s);
  EXPECT_EQ(result.granted_expires, 600000u);
  EXPECT_EQ(OnlyBinding().RemainingSeconds(kStart + 1500ms), 599999u);  // rounded up
}

TEST_F(RegistrarTest, RFC3261_10_3_ExpiryBelowMinimumGives423AndChangesNothing) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  spec.expires = "59";
  const RegisterResult result = Apply(spec);
  EXPECT_EQ(result.status, 423);
  EXPECT_EQ(result.min_expires, 60u);
  EXPECT_EQ(registrar.Find(kAor), nullptr);
  spec.expires = "60";  // the minimum itself is accepted
  EXPECT_EQ(Apply(spec).status, 200);
}

TEST_F(RegistrarTest, RFC3261_10_3_Step7_SameCallIdWithoutHigherCSeqGives500) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  spec.cseq = 5;
  spec.expires = "600";
  ASSERT_EQ(Apply(spec).status, 200);
  spec.expires = "1200";
  EXPECT_EQ(Apply(spec, kStart + 1s).status, 500);  // equal CSeq
  spec.cseq = 4;
  EXPECT_EQ(Apply(spec, kStart + 1s).status, 500);     // lower CSeq
  EXPECT_EQ(OnlyBinding().expires_at, kStart + 600s);  // untouched
  spec.cseq = 6;
  EXPECT_EQ(Apply(spec, kStart + 1s).status, 200);
  EXPECT_EQ(OnlyBinding().expires_at, kStart + 1s + 1200s);
  // Another Call-ID (the UA restarted) may start again at any CSeq.
  spec.call_id = "reg-after-reboot";
  spec.cseq = 1;
  EXPECT_EQ(Apply(spec, kStart + 2s).status, 200);
  EXPECT_EQ(OnlyBinding().call_id, "reg-after-reboot");
}

TEST_F(RegistrarTest, RFC3261_10_3_UpdatesAreAllOrNothing) {
  RegisterSpec first;
  first.contacts = {"<sip:user2@10.0.0.20:5060>"};
  first.cseq = 10;
  ASSERT_EQ(Apply(first).status, 200);
  // A new contact and an out-of-order refresh in one request: neither is applied.
  RegisterSpec mixed;
  mixed.contacts = {"<sip:user2@10.0.0.21:5060>", "<sip:user2@10.0.0.20:5060>"};
  mixed.cseq = 9;
  EXPECT_EQ(Apply(mixed).status, 500);
  EXPECT_EQ(registrar.Find(kAor)->bindings.size(), 1u);
  EXPECT_EQ(OnlyBinding().cseq, 10u);
}

TEST_F(RegistrarTest, RFC3261_10_3_ExpiresZeroRemovesTheBinding) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>", "<sip:user2@10.0.0.21:5060>"};
  ASSERT_EQ(Apply(spec).type, RegistrationType::kInitial);
  RegisterSpec remove;
  remove.contacts = {"<sip:user2@10.0.0.20:5060>;expires=0"};
  remove.cseq = 2;
  const RegisterResult result = Apply(remove);
  ASSERT_EQ(result.status, 200);
  ASSERT_EQ(result.changes.size(), 1u);
  EXPECT_EQ(result.changes[0].event, ContactEvent::kUnregistered);
  EXPECT_EQ(result.changes[0].binding.contact_uri, "sip:user2@10.0.0.20:5060");
  EXPECT_EQ(result.type, RegistrationType::kDeRegistration);
  EXPECT_EQ(OnlyBinding().contact_uri, "sip:user2@10.0.0.21:5060");
}

TEST_F(RegistrarTest, RFC3261_10_3_Step6_StarWithExpiresZeroRemovesAll) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>", "<sip:user2@10.0.0.21:5060>"};
  ASSERT_EQ(Apply(spec).status, 200);
  RegisterSpec star;
  star.contacts = {"*"};
  star.cseq = 2;
  star.expires = "0";
  const RegisterResult result = Apply(star);
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.changes.size(), 2u);
  EXPECT_EQ(result.type, RegistrationType::kDeRegistration);
  EXPECT_EQ(registrar.Find(kAor), nullptr);
  EXPECT_EQ(registrar.binding_count(), 0u);
}

TEST_F(RegistrarTest, RFC3261_10_3_Step6_StarNeedsExpiresZero) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  ASSERT_EQ(Apply(spec).status, 200);
  RegisterSpec star;
  star.contacts = {"*"};
  star.cseq = 2;
  EXPECT_EQ(Apply(star).status, 400);  // no Expires at all
  star.expires = "10";
  EXPECT_EQ(Apply(star).status, 400);
  star.expires = "0";
  star.contacts = {"*", "<sip:user2@10.0.0.21:5060>"};
  EXPECT_EQ(Apply(star).status, 400);  // "*" must be alone
  EXPECT_EQ(registrar.binding_count(), 1u);
}

TEST_F(RegistrarTest, RFC3261_10_3_StarRespectsCallIdOrdering) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  spec.cseq = 7;
  ASSERT_EQ(Apply(spec).status, 200);
  RegisterSpec star;
  star.contacts = {"*"};
  star.cseq = 7;
  star.expires = "0";
  EXPECT_EQ(Apply(star).status, 500);
  EXPECT_EQ(registrar.binding_count(), 1u);
}

TEST_F(RegistrarTest, RFC5627_5_1_SameInstanceReplacesTheBindingWhateverItsUri) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1)};
  ASSERT_EQ(Apply(spec).status, 200);
  const std::string id = OnlyBinding().id;
  RegisterSpec moved;  // the same device from a new address
  moved.contacts = {InstanceContact("sip:user2@10.0.0.99:5070", kInstance1)};
  moved.call_id = "reg-2";
  const RegisterResult result = Apply(moved);
  ASSERT_EQ(result.status, 200);
  ASSERT_EQ(result.changes.size(), 1u);
  EXPECT_EQ(result.changes[0].event, ContactEvent::kRefreshed);
  EXPECT_EQ(result.type, RegistrationType::kReRegistration);
  EXPECT_EQ(OnlyBinding().contact_uri, "sip:user2@10.0.0.99:5070");
  EXPECT_EQ(OnlyBinding().id, id);
  EXPECT_EQ(OnlyBinding().instance, kInstance1);
}

TEST_F(RegistrarTest, RFC3261_10_3_ContactsWithoutInstanceCompareAsUris) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060;transport=udp>"};
  ASSERT_EQ(Apply(spec).status, 200);
  RegisterSpec refresh;  // RFC 3261 19.1.4: parameter names and values case-insensitive
  refresh.contacts = {"<sip:user2@10.0.0.20:5060;TRANSPORT=UDP>"};
  refresh.cseq = 2;
  ASSERT_EQ(Apply(refresh).status, 200);
  EXPECT_EQ(registrar.binding_count(), 1u);
}

TEST_F(RegistrarTest, RefreshReplacesParametersSoDroppedFeatureTagsDisappear) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1, ";audio;+g.oma.pusheventapp=\"mms.ua\"")};
  ASSERT_EQ(Apply(spec).status, 200);
  ASSERT_NE(OnlyBinding().features.Find("+g.oma.pusheventapp"), nullptr);
  EXPECT_TRUE(wire::SupportsPushApp(OnlyBinding().features, "mms.ua"));
  RegisterSpec refresh;
  refresh.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1, ";audio")};
  refresh.cseq = 2;
  ASSERT_EQ(Apply(refresh).status, 200);
  EXPECT_EQ(OnlyBinding().features.Find("+g.oma.pusheventapp"), nullptr);
  EXPECT_NE(OnlyBinding().features.Find("audio"), nullptr);
  EXPECT_FALSE(wire::HasParam(OnlyBinding().contact_params, "+g.oma.pusheventapp"));
}

TEST_F(RegistrarTest, RFC3327_5_3_PathIsStoredInOrderAndReplacedOnRefresh) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  spec.path = {"<sip:pcscf.home1.net:5060;lr>", "<sip:ibcf.visited.net;lr>"};
  ASSERT_EQ(Apply(spec).status, 200);
  EXPECT_EQ(OnlyBinding().path,
            (std::vector<std::string>{"<sip:pcscf.home1.net:5060;lr>", "<sip:ibcf.visited.net;lr>"}));
  spec.path = {"<sip:pcscf2.home1.net;lr>"};
  spec.cseq = 2;
  ASSERT_EQ(Apply(spec).status, 200);
  EXPECT_EQ(OnlyBinding().path, std::vector<std::string>{"<sip:pcscf2.home1.net;lr>"});
}

TEST_F(RegistrarTest, RFC5627_3_1_PublicGruuIsTheAorWithTheInstanceAsGr) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1)};
  ASSERT_TRUE(Apply(spec).gruu);
  const Binding& binding = OnlyBinding();
  EXPECT_EQ(binding.pub_gruu, "sip:user2@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
  // RFC 5627 3.2: the temporary GRUU hides the AOR; ours is sip:tgruu.<n>.<hash>@domain;gr.
  EXPECT_EQ(binding.temp_gruu.rfind("sip:tgruu.1.", 0), 0u);
  EXPECT_EQ(binding.temp_gruu.find("user2"), std::string::npos);
  EXPECT_EQ(binding.temp_gruu.substr(binding.temp_gruu.size() - 13), "@home1.net;gr");
  EXPECT_EQ(binding.first_cseq, 1u);
  std::string aor;
  EXPECT_EQ(registrar.FindByGruu(binding.pub_gruu, &aor), &binding);
  EXPECT_EQ(aor, kAor);
  EXPECT_EQ(registrar.FindByGruu(binding.temp_gruu), &binding);
  EXPECT_EQ(registrar.FindByGruu("<" + binding.pub_gruu + ">"), &binding);
  // RFC 3261 19.1.4: the host compares case-insensitively.
  EXPECT_EQ(registrar.FindByGruu("sip:user2@HOME1.NET;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), &binding);
}

TEST_F(RegistrarTest, RFC5627_5_1_NoGruuWithoutSupportedGruuOrInstance) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1), "<sip:user2@10.0.0.21:5060>"};
  spec.gruu = false;
  EXPECT_FALSE(Apply(spec).gruu);
  for (const Binding& binding : registrar.Find(kAor)->bindings) {
    EXPECT_TRUE(binding.pub_gruu.empty());
    EXPECT_TRUE(binding.temp_gruu.empty());
  }
  RegisterSpec asked;  // Supported: gruu, but the second contact has no instance
  asked.contacts = spec.contacts;
  asked.cseq = 2;
  ASSERT_EQ(Apply(asked).status, 200);
  EXPECT_FALSE(registrar.Find(kAor)->bindings[0].pub_gruu.empty());
  EXPECT_TRUE(registrar.Find(kAor)->bindings[1].pub_gruu.empty());
  policy.gruu = false;  // a registrar configured without GRUU never mints
  asked.cseq = 3;
  EXPECT_FALSE(Apply(asked).gruu);
}

TEST_F(RegistrarTest, RFC5627_5_1_GruusDifferPerInstance) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1),
                   InstanceContact("sip:user2@10.0.0.21:5060", kInstance2)};
  ASSERT_EQ(Apply(spec).status, 200);
  const auto& bindings = registrar.Find(kAor)->bindings;
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_NE(bindings[0].pub_gruu, bindings[1].pub_gruu);
  EXPECT_NE(bindings[0].temp_gruu, bindings[1].temp_gruu);
  EXPECT_EQ(registrar.FindByGruu(bindings[1].pub_gruu), &bindings[1]);
  EXPECT_EQ(registrar.FindByGruu(bindings[1].temp_gruu), &bindings[1]);
}

TEST_F(RegistrarTest, RFC5627_3_2_NewTempGruuEachRefreshOldOnesValidUntilCallIdChanges) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1)};
  spec.cseq = 1;
  ASSERT_EQ(Apply(spec).status, 200);
  const std::string first = OnlyBinding().temp_gruu;
  spec.cseq = 2;
  ASSERT_EQ(Apply(spec).status, 200);
  const std::string second = OnlyBinding().temp_gruu;
  EXPECT_NE(first, second);
  EXPECT_EQ(registrar.FindByGruu(first), &OnlyBinding());  // still valid
  EXPECT_EQ(OnlyBinding().first_cseq, 1u);                 // RFC 5628: the oldest valid one
  // A new Call-ID invalidates every earlier temporary GRUU.
  spec.call_id = "reg-rebooted";
  spec.cseq = 1;
  ASSERT_EQ(Apply(spec).status, 200);
  EXPECT_EQ(registrar.FindByGruu(first), nullptr);
  EXPECT_EQ(registrar.FindByGruu(second), nullptr);
  EXPECT_EQ(registrar.FindByGruu(OnlyBinding().temp_gruu), &OnlyBinding());
  EXPECT_TRUE(OnlyBinding().old_temp_gruus.empty());
}

TEST_F(RegistrarTest, OldTempGruusAreBounded) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1)};
  std::vector<std::string> minted;
  for (std::uint32_t cseq = 1; cseq <= kMaxOldTempGruus + 3; ++cseq) {
    spec.cseq = cseq;
    ASSERT_EQ(Apply(spec).status, 200);
    minted.push_back(OnlyBinding().temp_gruu);
  }
  EXPECT_EQ(OnlyBinding().old_temp_gruus.size(), kMaxOldTempGruus);
  // 19 REGISTERs: the current one plus the 16 before it stay valid, minted[2] to minted[18].
  EXPECT_EQ(registrar.FindByGruu(minted[0]), nullptr);  // the oldest are forgotten first
  EXPECT_EQ(registrar.FindByGruu(minted[1]), nullptr);
  EXPECT_EQ(registrar.FindByGruu(minted[2]), &OnlyBinding());
  EXPECT_EQ(registrar.FindByGruu(minted.back()), &OnlyBinding());
}

TEST_F(RegistrarTest, RFC5627_UnknownOrMalformedGruusFindNothing) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1)};
  ASSERT_EQ(Apply(spec).status, 200);
  EXPECT_EQ(registrar.FindByGruu("sip:user2@home1.net"), nullptr);  // not a GRUU
  EXPECT_EQ(registrar.FindByGruu("sip:user2@home1.net;gr=urn:uuid:00000000-0000-0000-0000-000000000000"), nullptr);
  EXPECT_EQ(registrar.FindByGruu("sip:user9@home1.net;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), nullptr);
  EXPECT_EQ(registrar.FindByGruu("sip:tgruu.99.deadbeef@home1.net;gr"), nullptr);
  EXPECT_EQ(registrar.FindByGruu("sip:user2@home1.net;gr=%zz"), nullptr);  // bad escape
  EXPECT_EQ(registrar.FindByGruu(""), nullptr);
  EXPECT_EQ(registrar.FindByGruu(std::string("\x01\xff<sip:", 7)), nullptr);
  // A temporary GRUU presented under another domain is not ours.
  std::string temp = OnlyBinding().temp_gruu;
  temp.replace(temp.find("home1.net"), 9, "evil.net");
  EXPECT_EQ(registrar.FindByGruu(temp), nullptr);
}

TEST_F(RegistrarTest, ExpireRemovesDueBindingsAndTheirGruus) {
  RegisterSpec spec;
  spec.contacts = {InstanceContact("sip:user2@10.0.0.20:5060", kInstance1, ";expires=60"),
                   InstanceContact("sip:user2@10.0.0.21:5060", kInstance2, ";expires=120")};
  ASSERT_EQ(Apply(spec).status, 200);
  const std::string temp = registrar.Find(kAor)->bindings[0].temp_gruu;
  EXPECT_EQ(registrar.NextExpiry(kAor), kStart + 60s);
  EXPECT_TRUE(registrar.Expire(kAor, kStart + 59s).empty());
  const auto changes = registrar.Expire(kAor, kStart + 60s);  // "at or before now"
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].event, ContactEvent::kExpired);
  EXPECT_EQ(changes[0].binding.instance, kInstance1);
  EXPECT_EQ(registrar.FindByGruu(temp), nullptr);
  EXPECT_EQ(registrar.NextExpiry(kAor), kStart + 120s);
  ASSERT_EQ(registrar.Expire(kAor, kStart + 500s).size(), 1u);
  EXPECT_EQ(registrar.Find(kAor), nullptr);
  EXPECT_EQ(registrar.aor_count(), 0u);
}

TEST_F(RegistrarTest, RemoveAllReportsTheGivenEvent) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>", "<sip:user2@10.0.0.21:5060>"};
  ASSERT_EQ(Apply(spec).status, 200);
  const auto changes = registrar.RemoveAll(kAor, ContactEvent::kDeactivated);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].event, ContactEvent::kDeactivated);
  EXPECT_EQ(registrar.Find(kAor), nullptr);
  EXPECT_TRUE(registrar.RemoveAll(kAor, ContactEvent::kDeactivated).empty());
}

TEST_F(RegistrarTest, RFC5627_5_1_ContactValueOf200) {
  RegisterSpec spec;
  spec.contacts = {
      InstanceContact("sip:user2@10.0.0.20:5060", kInstance1, ";+g.oma.pusheventapp=\"mms.ua\";expires=600")};
  ASSERT_EQ(Apply(spec).status, 200);
  const Binding& binding = OnlyBinding();
  const std::string value = binding.ContactValue(kStart + 100s, true);
  EXPECT_EQ(value, "<sip:user2@10.0.0.20:5060>;+sip.instance=\"" + std::string(kInstance1) +
                       "\";+g.oma.pusheventapp=\"mms.ua\";expires=500;pub-gruu=\"" + binding.pub_gruu +
                       "\";temp-gruu=\"" + binding.temp_gruu + "\"");
  auto parsed = wire::ParseContactValue(value);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0].pub_gruu(), binding.pub_gruu);
  EXPECT_EQ((*parsed)[0].expires(), 500u);
  EXPECT_EQ(binding.ContactValue(kStart + 100s, false).find("gruu"), std::string::npos);
}

TEST_F(RegistrarTest, RFC3261_10_3_RegistrationTypes) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  EXPECT_EQ(Apply(spec).type, RegistrationType::kInitial);
  spec.cseq = 2;
  EXPECT_EQ(Apply(spec).type, RegistrationType::kReRegistration);
  spec.cseq = 3;
  spec.expires = "0";
  EXPECT_EQ(Apply(spec).type, RegistrationType::kDeRegistration);
}

TEST_F(RegistrarTest, RFC3261_10_2_1_1_RegisterWithoutContactIsAQuery) {
  RegisterSpec spec;
  spec.contacts = {"<sip:user2@10.0.0.20:5060>"};
  ASSERT_EQ(Apply(spec).status, 200);
  RegisterSpec query;
  query.cseq = 2;
  const RegisterResult result = Apply(query);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.changes.empty());
  EXPECT_EQ(registrar.binding_count(), 1u);
}

TEST_F(RegistrarTest, HostileRegistersAreRefusedWithoutChange) {
  RegisterSpec many;
  for (int i = 0; i < static_cast<int>(kMaxContactsPerRegister) + 1; ++i) {
    many.contacts.push_back("<sip:user2@10.0.1." + std::to_string(i) + ":5060>");
  }
  EXPECT_EQ(Apply(many).status, 403);
  // Filling up an AOR past kMaxBindingsPerAor, a request at a time.
  std::uint32_t cseq = 1;
  int status = 200;
  for (int batch = 0; status == 200 && batch < 10; ++batch) {
    RegisterSpec spec;
    spec.cseq = cseq++;
    for (int i = 0; i < 10; ++i)
      spec.contacts.push_back("<sip:user2@10.0." + std::to_string(batch) + "." + std::to_string(i) + ">");
    status = Apply(spec).status;
  }
  EXPECT_EQ(status, 403);
  EXPECT_LE(registrar.binding_count(), kMaxBindingsPerAor);

  RegisterSpec bad_expires;
  bad_expires.contacts = {"<sip:user2@10.0.0.20:5060>"};
  bad_expires.expires = "soon";
  bad_expires.call_id = "other";
  EXPECT_EQ(Apply(bad_expires).status, 400);
  RegisterSpec bad_tag;  // RFC 3840 9: "#" must be followed by a number
  bad_tag.contacts = {"<sip:user2@10.0.0.20:5060>;+g.bad=\"#x\""};
  bad_tag.call_id = "other";
  EXPECT_EQ(Apply(bad_tag).status, 400);
  RegisterSpec bad_contact;
  bad_contact.contacts = {"<sip:user2@10.0.0.20:5060"};
  bad_contact.call_id = "other";
  EXPECT_EQ(Apply(bad_contact).status, 400);
  SipMessage no_cseq = Register(bad_expires);
  no_cseq.Remove(HeaderId::kCSeq);
  EXPECT_EQ(registrar.Apply(kAor, no_cseq, kStart, policy).status, 400);
}

TEST(ContactEventNameTest, RFC3680_5_3_EventAttributeValues) {
  EXPECT_EQ(ContactEventName(ContactEvent::kRegistered), "registered");
  EXPECT_EQ(ContactEventName(ContactEvent::kRefreshed), "refreshed");
  EXPECT_EQ(ContactEventName(ContactEvent::kShortened), "shortened");
  EXPECT_EQ(ContactEventName(ContactEvent::kExpired), "expired");
  EXPECT_EQ(ContactEventName(ContactEvent::kUnregistered), "unregistered");
  EXPECT_EQ(ContactEventName(ContactEvent::kDeactivated), "deactivated");
  EXPECT_EQ(ContactEventName(ContactEvent::kRejected), "rejected");
}

}  // namespace
}  // namespace pushsim::ims
