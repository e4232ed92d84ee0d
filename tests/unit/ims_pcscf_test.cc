// The P-CSCF (3GPP TS 24.229 5.2): Path on REGISTER (RFC 3327), Service-Route (RFC 3608),
// asserted identity (RFC 3325), terminating routing along the Path.
#include "ims/pcscf.h"

#include <gtest/gtest.h>

#include "support/fake_host.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const sip::Endpoint kPcscf{0x0A000001, 5060, sip::Transport::kUdp};  // 10.0.0.1
const sip::Endpoint kIcscf{0x0A000003, 5060, sip::Transport::kUdp};  // 10.0.0.3
const sip::Endpoint kScscf{0x0A000004, 5060, sip::Transport::kUdp};  // 10.0.0.4
const sip::Endpoint kUe{0x0A000007, 5060, sip::Transport::kUdp};     // 10.0.0.7
const sip::Endpoint kOtherUe{0x0A000008, 5060, sip::Transport::kUdp};

class PCscfTest : public ::testing::Test {
 protected:
  PCscfTest() {
    resolver.Add("pcscf.home1.net", kPcscf.address);
    resolver.Add("icscf.home1.net", kIcscf.address);
    resolver.Add("scscf.home1.net", kScscf.address);
    PCscfConfig config;
    config.element.host = "pcscf.home1.net";
    config.element.local = kPcscf;
    config.registrar_uri = "sip:icscf.home1.net;lr";
    pcscf = std::make_unique<PCscf>(host, resolver, config);
  }

  static SipMessage Register(std::string_view contact_params = ";expires=600", std::string_view call_id = "reg-1",
                             int cseq = 1, bool supported_path = true) {
    SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKreg" + std::to_string(cseq));
    request.Add(HeaderId::kMaxForwards, "70");
    request.Add(HeaderId::kRoute, "<sip:pcscf.home1.net;lr>");
    request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=r1");
    request.Add(HeaderId::kTo, "<sip:alice@home1.net>");
    request.Add(HeaderId::kCallId, call_id);
    request.Add(HeaderId::kCSeq, std::to_string(cseq) + " REGISTER");
    request.Add(HeaderId::kContact, "<sip:alice@10.0.0.7:5060>" + std::string(contact_params));
    if (supported_path) request.Add(HeaderId::kSupported, "path, gruu");
    return request;
  }

  static SipMessage Message(std::string_view branch, const sip::Endpoint& from = kUe) {
    SipMessage request = SipMessage::MakeRequest(Method::kMessage, "sip:bob@home1.net");
    request.Add(HeaderId::kVia, "SIP/2.0/UDP " + from.HostText() + ":5060;branch=z9hG4bK" + std::string(branch));
    request.Add(HeaderId::kMaxForwards, "70");
    request.Add(HeaderId::kRoute, "<sip:pcscf.home1.net:5060;lr>");
    request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=m1");
    request.Add(HeaderId::kTo, "<sip:bob@home1.net>");
    request.Add(HeaderId::kCallId, "msg-" + std::string(branch));
    request.Add(HeaderId::kCSeq, "1 MESSAGE");
    return request;
  }

  std::vector<const FakeHost::Sent*> SentTo(const sip::Endpoint& to) const {
    std::vector<const FakeHost::Sent*> out;
    for (const auto& sent : host.sent) {
      if (sent.to == to) out.push_back(&sent);
    }
    return out;
  }

  // Registers alice from kUe: REGISTER, then the registrar's 200.
  void RegisterAlice() {
    pcscf->Receive(Register(), kUe);
    const auto forwarded = SentTo(kIcscf);
    ASSERT_EQ(forwarded.size(), 1u);
    SipMessage ok = pcscf->MakeResponse(forwarded.back()->message, 200);
    ok.Add(HeaderId::kContact, "<sip:alice@10.0.0.7:5060>;expires=600");
    ok.Add(HeaderId::kPath, "<sip:term@pcscf.home1.net;lr>");
    ok.Add(HeaderId::kServiceRoute, "<sip:orig@scscf.home1.net;lr>");
    ok.Add(HeaderId::kPAssociatedUri, "<sip:alice@home1.net>, <tel:+1-212-555-1111>");
    pcscf->Receive(ok, kIcscf);
  }

  FakeHost host;
  sip::Resolver resolver;
  std::unique_ptr<PCscf> pcscf;
};

TEST_F(PCscfTest, TS24229_5_2_2_RegisterGetsPathAndRequirePath) {
  pcscf->Receive(Register(), kUe);
  const auto forwarded = SentTo(kIcscf);
  ASSERT_EQ(forwarded.size(), 1u);
  const SipMessage& out = forwarded[0]->message;
  EXPECT_EQ(out.method(), Method::kRegister);
  EXPECT_EQ(out.request_uri(), "sip:home1.net");  // the Request-URI stays the REGISTER's
  // The Path entry names this P-CSCF with "term" marking the UE-terminating direction.
  ASSERT_EQ(out.GetAll(HeaderId::kPath).size(), 1u);
  EXPECT_EQ(out.GetAll(HeaderId::kPath)[0], "<sip:term@pcscf.home1.net;lr>");
  EXPECT_EQ(pcscf->PathEntry(), "<sip:term@pcscf.home1.net;lr>");
  // RFC 3327 5.2: the UA supports Path and the proxy requires it of the registrar.
  auto required = wire::ParseTokenList(out, HeaderId::kRequire);
  ASSERT_TRUE(required.ok());
  EXPECT_EQ(*required, std::vector<std::string>{"path"});
  // The UE's Route to the P-CSCF is consumed; the REGISTER goes to the configured I-CSCF.
  ASSERT_EQ(out.GetAll(HeaderId::kRoute).size(), 1u);
  EXPECT_EQ(out.GetAll(HeaderId::kRoute)[0], "<sip:icscf.home1.net;lr>");
  EXPECT_EQ(out.Get(HeaderId::kMaxForwards), "69");
  auto vias = wire::ParseVias(out);
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 2u);
  EXPECT_EQ(vias->front().host, "10.0.0.1");
  EXPECT_EQ(pcscf->registration_count(), 0u);  // nothing is kept before the 200
}

TEST_F(PCscfTest, RFC3327_5_2_RegisterWithoutSupportedPathGets421) {
  pcscf->Receive(Register(";expires=600", "reg-1", 1, false), kUe);
  EXPECT_TRUE(SentTo(kIcscf).empty());
  const auto responses = host.Responses(421);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]->to, kUe);
  EXPECT_EQ(responses[0]->message.Get(HeaderId::kRequire), "path");
}

TEST_F(PCscfTest, TS24229_5_2_2_ServiceRouteAndAssociatedUrisKeptFrom200) {
  RegisterAlice();
  const PCscf::UeRegistration* ue = pcscf->FindBySource(kUe);
  ASSERT_NE(ue, nullptr);
  EXPECT_EQ(pcscf->registration_count(), 1u);
  EXPECT_EQ(ue->contact_uri, "sip:alice@10.0.0.7:5060");
  EXPECT_EQ(ue->ue, kUe);
  EXPECT_EQ(ue->service_route, std::vector<std::string>{"<sip:orig@scscf.home1.net;lr>"});
  EXPECT_EQ(ue->associated_uris, (std::vector<std::string>{"sip:alice@home1.net", "tel:+1-212-555-1111"}));
  EXPECT_EQ(ue->expires_at, host.Now() + 600s);
  // The 200 itself reaches the UE unchanged in those fields.
  const auto upstream = SentTo(kUe);
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0]->message.status_code(), 200);
  EXPECT_EQ(upstream[0]->message.Get(HeaderId::kServiceRoute), "<sip:orig@scscf.home1.net;lr>");
  EXPECT_EQ(pcscf->FindBySource(kOtherUe), nullptr);
}

TEST_F(PCscfTest, RFC3261_10_2_1_RegistrationEndsAtTheGrantedExpiry) {
  RegisterAlice();
  host.Advance(599s);
  EXPECT_NE(pcscf->FindBySource(kUe), nullptr);
  host.Advance(1s);
  EXPECT_EQ(pcscf->FindBySource(kUe), nullptr);
  pcscf->Receive(Message("late"), kUe);
  EXPECT_EQ(host.Responses(403).size(), 1u);
}

TEST_F(PCscfTest, TS24229_5_2_2_DeregisterDropsTheUe) {
  RegisterAlice();
  pcscf->Receive(Register(";expires=0", "reg-1", 2), kUe);
  const auto forwarded = SentTo(kIcscf);
  ASSERT_EQ(forwarded.size(), 2u);
  EXPECT_NE(pcscf->FindBySource(kUe), nullptr);  // still registered until the 200
  SipMessage ok = pcscf->MakeResponse(forwarded.back()->message, 200);
  pcscf->Receive(ok, kIcscf);
  EXPECT_EQ(pcscf->FindBySource(kUe), nullptr);
  EXPECT_EQ(pcscf->registration_count(), 0u);
}

TEST_F(PCscfTest, TS24229_5_2_2_FailedRegisterKeepsNothing) {
  pcscf->Receive(Register(), kUe);
  SipMessage forbidden = pcscf->MakeResponse(SentTo(kIcscf).back()->message, 403);
  pcscf->Receive(forbidden, kIcscf);
  EXPECT_EQ(pcscf->FindBySource(kUe), nullptr);
  ASSERT_EQ(host.Responses(403).size(), 1u);
  EXPECT_EQ(host.Responses(403)[0]->to, kUe);
}

TEST_F(PCscfTest, RFC3325_9_1_UeAssertedIdentityReplacedByDefaultIdentity) {
  RegisterAlice();
  std::string removed;
  pcscf->on_identity_replaced = [&](const SipMessage&, std::string_view identity) { removed = std::string(identity); };
  SipMessage message = Message("m1");
  message.Add(HeaderId::kPAssertedIdentity, "<sip:boss@home1.net>");
  pcscf->Receive(message, kUe);
  const auto forwarded = SentTo(kScscf);  // along the Service-Route
  ASSERT_EQ(forwarded.size(), 1u);
  const SipMessage& out = forwarded[0]->message;
  EXPECT_EQ(out.GetAll(HeaderId::kPAssertedIdentity), std::vector<std::string_view>{"<sip:alice@home1.net>"});
  EXPECT_EQ(removed, "<sip:boss@home1.net>");
  // RFC 3608 6.1: the Service-Route becomes the Route; the P-CSCF's own entry is gone.
  EXPECT_EQ(out.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:orig@scscf.home1.net;lr>"});
  EXPECT_EQ(out.request_uri(), "sip:bob@home1.net");
  EXPECT_FALSE(out.Has(HeaderId::kRecordRoute));  // MESSAGE creates no dialog
}

TEST_F(PCscfTest, RFC3325_9_1_PreferredIdentityAssertedWhenAssociated) {
  RegisterAlice();
  SipMessage message = Message("m2");
  message.Add(HeaderId::kPPreferredIdentity, "<tel:+1-212-555-1111>");
  pcscf->Receive(message, kUe);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->message.Get(HeaderId::kPAssertedIdentity), "<tel:+1-212-555-1111>");
  EXPECT_FALSE(forwarded[0]->message.Has(HeaderId::kPPreferredIdentity));
}

TEST_F(PCscfTest, RFC3325_9_1_PreferredIdentityNotAssociatedFallsBackToDefault) {
  RegisterAlice();
  SipMessage message = Message("m3");
  message.Add(HeaderId::kPPreferredIdentity, "<sip:bob@home1.net>");
  pcscf->Receive(message, kUe);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->message.Get(HeaderId::kPAssertedIdentity), "<sip:alice@home1.net>");
  EXPECT_FALSE(forwarded[0]->message.Has(HeaderId::kPPreferredIdentity));
}

TEST_F(PCscfTest, RFC3608_6_1_ServiceRouteReplacesWhatTheUePreloaded) {
  RegisterAlice();
  SipMessage message = Message("m4");
  message.Add(HeaderId::kRoute, "<sip:rogue.example.net;lr>");
  pcscf->Receive(message, kUe);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->message.GetAll(HeaderId::kRoute),
            std::vector<std::string_view>{"<sip:orig@scscf.home1.net;lr>"});
}

TEST_F(PCscfTest, TS24229_5_2_6_3_3_InviteIsRecordRouted) {
  RegisterAlice();
  SipMessage invite = SipMessage::MakeRequest(Method::kInvite, "sip:bob@home1.net");
  invite.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKinv1");
  invite.Add(HeaderId::kMaxForwards, "70");
  invite.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=i1");
  invite.Add(HeaderId::kTo, "<sip:bob@home1.net>");
  invite.Add(HeaderId::kCallId, "inv-1");
  invite.Add(HeaderId::kCSeq, "1 INVITE");
  invite.Add(HeaderId::kContact, "<sip:alice@10.0.0.7:5060>");
  pcscf->Receive(invite, kUe);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->message.Get(HeaderId::kRecordRoute), "<sip:pcscf.home1.net:5060;lr>");
  EXPECT_EQ(forwarded[0]->message.Get(HeaderId::kPAssertedIdentity), "<sip:alice@home1.net>");
}

TEST_F(PCscfTest, TS24229_5_2_6_3_1_UnregisteredUeGets403) {
  pcscf->Receive(Message("u1", kOtherUe), kOtherUe);
  EXPECT_TRUE(SentTo(kScscf).empty());
  const auto responses = host.Responses(403);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]->to, kOtherUe);
}

TEST_F(PCscfTest, RFC3327_5_4_TerminatingRequestFollowsPathToTheUe) {
  RegisterAlice();
  SipMessage message = SipMessage::MakeRequest(Method::kMessage, "sip:alice@10.0.0.7:5060");
  message.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.4:5060;branch=z9hG4bKs1");
  message.Add(HeaderId::kMaxForwards, "68");
  message.Add(HeaderId::kRoute, "<sip:term@pcscf.home1.net;lr>");
  message.Add(HeaderId::kFrom, "<sip:push-as.home1.net>;tag=as1");
  message.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  message.Add(HeaderId::kCallId, "push-1");
  message.Add(HeaderId::kCSeq, "7 MESSAGE");
  message.Add(HeaderId::kPAssertedIdentity, "<sip:push-as.home1.net>");
  pcscf->Receive(message, kScscf);
  const auto delivered = SentTo(kUe);
  ASSERT_EQ(delivered.size(), 2u);  // the 200 to the REGISTER, then this MESSAGE
  const SipMessage& out = delivered[1]->message;
  EXPECT_EQ(out.method(), Method::kMessage);
  EXPECT_EQ(out.request_uri(), "sip:alice@10.0.0.7:5060");
  EXPECT_FALSE(out.Has(HeaderId::kRoute));
  EXPECT_EQ(out.Get(HeaderId::kMaxForwards), "67");
  EXPECT_EQ(out.Get(HeaderId::kPAssertedIdentity), "<sip:push-as.home1.net>");  // network-asserted
  // The UE's answer goes back to the S-CSCF through the proxy core.
  pcscf->Receive(pcscf->MakeResponse(out, 200), kUe);
  const auto upstream = SentTo(kScscf);
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0]->message.status_code(), 200);
  EXPECT_EQ(upstream[0]->message.Get(HeaderId::kCallId), "push-1");
}

// RFC 3261 19.1.4: the scheme is case-insensitive and a parameter present in one URI only (here
// "ob") is ignored, so this Request-URI is the registered contact and goes to the flow the UE
// registered from (port 40000), not to the contact's own address (RFC 3327 5.4).
TEST_F(PCscfTest, RFC3261_19_1_4_TerminatingRequestFindsTheUeByAnEquivalentContact) {
  const sip::Endpoint flow{0x0A000007, 40000, sip::Transport::kUdp};
  pcscf->Receive(Register(), flow);
  SipMessage ok = pcscf->MakeResponse(SentTo(kIcscf).back()->message, 200);
  ok.Add(HeaderId::kContact, "<sip:alice@10.0.0.7:5060>;expires=600");
  pcscf->Receive(ok, kIcscf);
  SipMessage message = SipMessage::MakeRequest(Method::kMessage, "SIP:alice@10.0.0.7:5060;ob");
  message.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.4:5060;branch=z9hG4bKs2");
  message.Add(HeaderId::kMaxForwards, "68");
  message.Add(HeaderId::kRoute, "<sip:term@pcscf.home1.net;lr>");
  message.Add(HeaderId::kFrom, "<sip:push-as.home1.net>;tag=as2");
  message.Add(HeaderId::kTo, "<sip:alice@home1.net>");
  message.Add(HeaderId::kCallId, "push-2");
  message.Add(HeaderId::kCSeq, "8 MESSAGE");
  pcscf->Receive(message, kScscf);
  EXPECT_TRUE(SentTo(kUe).empty());
  const auto delivered = SentTo(flow);
  ASSERT_EQ(delivered.size(), 2u);  // the 200 to the REGISTER, then this MESSAGE
  EXPECT_EQ(delivered[1]->message.method(), Method::kMessage);
  EXPECT_EQ(delivered[1]->message.Get(HeaderId::kCallId), "push-2");
}

TEST_F(PCscfTest, RFC3261_16_7_ResponsesToOriginatingRequestsReachTheUe) {
  RegisterAlice();
  pcscf->Receive(Message("m5"), kUe);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  pcscf->Receive(pcscf->MakeResponse(forwarded[0]->message, 202), kScscf);
  const auto to_ue = SentTo(kUe);
  ASSERT_EQ(to_ue.size(), 2u);
  EXPECT_EQ(to_ue[1]->message.status_code(), 202);
  EXPECT_EQ(to_ue[1]->message.GetAll(HeaderId::kVia).size(), 1u);
}

}  // namespace
}  // namespace pushsim::ims
