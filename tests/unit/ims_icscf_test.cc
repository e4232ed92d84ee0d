// The I-CSCF (3GPP TS 24.229 5.3): S-CSCF selection for REGISTER (Cx UAR) and location of the
// served user for terminating requests (Cx LIR).
#include "ims/icscf.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/fake_host.h"
#include "wire/sip_headers.h"

namespace pushsim::ims {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const sip::Endpoint kPcscf{0x0A000001, 5060, sip::Transport::kUdp};   // 10.0.0.1
const sip::Endpoint kIcscf{0x0A000003, 5060, sip::Transport::kUdp};   // 10.0.0.3
const sip::Endpoint kScscf{0x0A000004, 5060, sip::Transport::kUdp};   // 10.0.0.4
const sip::Endpoint kScscf2{0x0A000005, 5070, sip::Transport::kUdp};  // 10.0.0.5:5070

std::string ReadVector(const std::string& name) {
  std::ifstream file(std::string(PUSHSIM_VECTORS_DIR) + "/hss/" + name, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

class ICscfTest : public ::testing::Test {
 protected:
  ICscfTest() {
    resolver.Add("pcscf.home1.net", kPcscf.address);
    resolver.Add("icscf.home1.net", kIcscf.address);
    resolver.Add("scscf.home1.net", kScscf.address);
    resolver.Add("scscf2.home1.net", kScscf2.address);
    EXPECT_TRUE(hss.AddXml(ReadVector("push-user.xml")).ok());
    ImsSubscription barred;
    barred.private_id = "carol_private@home1.net";
    ServiceProfile profile;
    PublicIdentity identity;
    identity.identity = "sip:carol@home1.net";
    identity.barring_indication = true;
    profile.public_identities = {identity};
    barred.service_profiles = {profile};
    EXPECT_TRUE(hss.Add(barred).ok());
    hss.set_default_scscf("sip:scscf.home1.net");
    ICscfConfig config;
    config.element.host = "icscf.home1.net";
    config.element.local = kIcscf;
    config.cx.uar_delay = 5ms;
    config.cx.lir_delay = 7ms;
    icscf = std::make_unique<ICscf>(host, resolver, config, hss);
  }

  static SipMessage Register(std::string_view user) {
    SipMessage request = SipMessage::MakeRequest(Method::kRegister, "sip:home1.net");
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKp1");
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKue1");
    request.Add(HeaderId::kMaxForwards, "69");
    request.Add(HeaderId::kRoute, "<sip:icscf.home1.net;lr>");
    request.Add(HeaderId::kPath, "<sip:term@pcscf.home1.net;lr>");
    request.Add(HeaderId::kRequire, "path");
    request.Add(HeaderId::kFrom, "<sip:" + std::string(user) + "@home1.net>;tag=r1");
    request.Add(HeaderId::kTo, "<sip:" + std::string(user) + "@home1.net>");
    request.Add(HeaderId::kCallId, "reg-" + std::string(user));
    request.Add(HeaderId::kCSeq, "1 REGISTER");
    request.Add(HeaderId::kContact, "<sip:" + std::string(user) + "@10.0.0.7:5060>;expires=600");
    return request;
  }

  static SipMessage Terminating(std::string_view request_uri) {
    SipMessage request = SipMessage::MakeRequest(Method::kMessage, request_uri);
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKas1");
    request.Add(HeaderId::kMaxForwards, "70");
    request.Add(HeaderId::kFrom, "<sip:push-as.home1.net>;tag=a1");
    request.Add(HeaderId::kTo, "<" + std::string(request_uri) + ">");
    request.Add(HeaderId::kCallId, "push-" + std::string(request_uri));
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

  FakeHost host;
  sip::Resolver resolver;
  Hss hss;
  std::unique_ptr<ICscf> icscf;
};

TEST_F(ICscfTest, TS24229_5_3_1_2_RegisterGoesToTheDefaultScscfAfterUar) {
  icscf->Receive(Register("user2"), kPcscf);
  host.Advance(4ms);
  EXPECT_TRUE(host.sent.empty());  // the UAA is not back yet
  host.Advance(1ms);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->at, 5ms);
  const SipMessage& out = forwarded[0]->message;
  EXPECT_EQ(out.request_uri(), "sip:home1.net");
  EXPECT_EQ(out.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:scscf.home1.net;lr>"});
  EXPECT_FALSE(out.Has(HeaderId::kRecordRoute));
  EXPECT_EQ(out.Get(HeaderId::kPath), "<sip:term@pcscf.home1.net;lr>");  // untouched
  EXPECT_EQ(out.Get(HeaderId::kMaxForwards), "68");
  EXPECT_EQ(wire::ParseVias(out)->size(), 3u);
}

TEST_F(ICscfTest, TS24229_5_3_1_2_AssignedScscfWinsOverTheDefault) {
  hss.AssignScscf("tel:+1-212-555-2222", "sip:scscf2.home1.net:5070");
  icscf->Receive(Register("user2"), kPcscf);
  host.Advance(5ms);
  EXPECT_TRUE(SentTo(kScscf).empty());
  const auto forwarded = SentTo(kScscf2);
  ASSERT_EQ(forwarded.size(), 1u);
  EXPECT_EQ(forwarded[0]->message.GetAll(HeaderId::kRoute),
            std::vector<std::string_view>{"<sip:scscf2.home1.net:5070;lr>"});
  // The S-CSCF's 200 goes back to the P-CSCF.
  icscf->Receive(icscf->MakeResponse(forwarded[0]->message, 200), kScscf2);
  const auto upstream = SentTo(kPcscf);
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0]->message.status_code(), 200);
  EXPECT_EQ(upstream[0]->message.GetAll(HeaderId::kVia).size(), 2u);
}

TEST_F(ICscfTest, TS24229_5_3_1_2_UnknownUserGets403AfterUar) {
  icscf->Receive(Register("mallory"), kPcscf);
  host.Advance(4ms);
  EXPECT_TRUE(host.sent.empty());
  host.Advance(1ms);
  const auto responses = host.Responses(403);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]->to, kPcscf);
  EXPECT_EQ(responses[0]->message.Get(HeaderId::kCallId), "reg-mallory");
  EXPECT_TRUE(SentTo(kScscf).empty());
}

TEST_F(ICscfTest, TS29228_6_1_1_BarredIdentityCannotRegister) {
  icscf->Receive(Register("carol"), kPcscf);
  host.Advance(5ms);
  EXPECT_EQ(host.Responses(403).size(), 1u);
  EXPECT_TRUE(SentTo(kScscf).empty());
}

TEST_F(ICscfTest, TS24229_5_3_1_2_NoScscfToSelectGives600) {
  hss.set_default_scscf("");
  icscf->Receive(Register("user2"), kPcscf);
  host.Advance(5ms);
  EXPECT_EQ(host.Responses(600).size(), 1u);
}

TEST_F(ICscfTest, TS24229_5_3_2_1_TerminatingRequestGoesToTheAssignedScscf) {
  hss.AssignScscf("sip:user2@home1.net", "sip:scscf.home1.net");
  icscf->Receive(Terminating("tel:+1-212-555-2222"), kPcscf);
  host.Advance(6ms);
  EXPECT_TRUE(host.sent.empty());  // the LIA is not back yet
  host.Advance(1ms);
  const auto forwarded = SentTo(kScscf);
  ASSERT_EQ(forwarded.size(), 1u);
  const SipMessage& out = forwarded[0]->message;
  EXPECT_EQ(out.request_uri(), "tel:+1-212-555-2222");
  EXPECT_EQ(out.GetAll(HeaderId::kRoute), std::vector<std::string_view>{"<sip:scscf.home1.net;lr>"});
  EXPECT_FALSE(out.Has(HeaderId::kRecordRoute));
}

TEST_F(ICscfTest, TS24229_5_3_2_1_NotRegisteredGives480) {
  icscf->Receive(Terminating("sip:user2@home1.net"), kPcscf);
  host.Advance(7ms);
  const auto responses = host.Responses(480);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]->message.Get(HeaderId::kCallId), "push-sip:user2@home1.net");
}

TEST_F(ICscfTest, TS24229_5_3_2_1_UnknownUserGives404) {
  icscf->Receive(Terminating("sip:nobody@home1.net"), kPcscf);
  host.Advance(7ms);
  EXPECT_EQ(host.Responses(404).size(), 1u);
  EXPECT_TRUE(SentTo(kScscf).empty());
}

TEST_F(ICscfTest, PendingCxAnswerIsDroppedWithTheElement) {
  icscf->Receive(Register("user2"), kPcscf);
  icscf.reset();
  host.Advance(10ms);  // the timer must not run on a destroyed I-CSCF
  EXPECT_EQ(host.pending_timers(), 0u);
  EXPECT_TRUE(SentTo(kScscf).empty());
}

}  // namespace
}  // namespace pushsim::ims
