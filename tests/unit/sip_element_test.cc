// The element base: UAS responses (RFC 3261 8.2.6) and the stateful proxy core (section 16).
#include "sip/element.h"

#include <gtest/gtest.h>

#include "support/fake_host.h"
#include "wire/sip_headers.h"

namespace pushsim::sip {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

const Endpoint kUe{0x0A000002, 5060, Transport::kUdp};      // 10.0.0.2
const Endpoint kProxy{0x0A000001, 5060, Transport::kUdp};   // 10.0.0.1
const Endpoint kTarget1{0x0A000003, 5060, Transport::kUdp};
const Endpoint kTarget2{0x0A000004, 5060, Transport::kUdp};

// A proxy that forwards everything to the targets the test sets.
class TestProxy : public Element {
 public:
  using Element::Element;
  std::vector<ForwardTarget> targets;
  ForwardOptions options;
  int handled = 0;

 protected:
  void HandleRequest(TransactionId server, const SipMessage& request, const Endpoint&) override {
    ++handled;
    SipMessage copy = request;
    PopOwnRoute(copy, *this);
    Forward(server, copy, targets, options);
  }
};

class ProxyTest : public ::testing::Test {
 protected:
  ProxyTest() {
    resolver.Add("pcscf.home1.net", kProxy.address);
    resolver.Add("scscf.home1.net", kTarget1.address);
    ElementConfig config;
    config.host = "pcscf.home1.net";
    config.local = kProxy;
    proxy = std::make_unique<TestProxy>(host, resolver, config);
  }

  SipMessage Request(Method method, std::string_view max_forwards = "70") {
    SipMessage request = SipMessage::MakeRequest(method, "sip:bob@home1.net");
    request.Add(HeaderId::kVia, "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKue1");
    request.Add(HeaderId::kMaxForwards, max_forwards);
    request.Add(HeaderId::kRoute, "<sip:pcscf.home1.net:5060;lr>");
    request.Add(HeaderId::kRoute, "<sip:scscf.home1.net;lr;orig>");
    request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=a");
    request.Add(HeaderId::kTo, "<sip:bob@home1.net>");
    request.Add(HeaderId::kCallId, "call-9");
    request.Add(HeaderId::kCSeq, std::string("1 ") + std::string(wire::MethodName(method)));
    return request;
  }

  // The downstream answer to what the proxy sent as its `n`-th request.
  SipMessage Answer(std::size_t n, int code) {
    const SipMessage& forwarded = host.sent.at(n).message;
    SipMessage response = proxy->MakeResponse(forwarded, code);
    return response;
  }

  std::vector<const FakeHost::Sent*> SentTo(const Endpoint& to) {
    std::vector<const FakeHost::Sent*> out;
    for (const auto& sent : host.sent) {
      if (sent.to == to) out.push_back(&sent);
    }
    return out;
  }

  FakeHost host;
  Resolver resolver;
  std::unique_ptr<TestProxy> proxy;
};

TEST_F(ProxyTest, RFC3261_16_6_ForwardedRequestFields) {
  proxy->options.record_route = true;
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  proxy->Receive(Request(Method::kMessage), kUe);
  const auto forwarded = SentTo(kTarget1);  // next hop: the remaining Route, scscf
  ASSERT_EQ(forwarded.size(), 1u);
  const SipMessage& out = forwarded[0]->message;
  EXPECT_EQ(out.request_uri(), "sip:bob@home1.net");
  EXPECT_EQ(out.Get(HeaderId::kMaxForwards), "69");                      // 16.6 step 3
  ASSERT_EQ(out.GetAll(HeaderId::kRoute).size(), 1u);                    // 16.4: own Route removed
  EXPECT_EQ(out.GetAll(HeaderId::kRoute)[0], "<sip:scscf.home1.net;lr;orig>");
  EXPECT_EQ(out.Get(HeaderId::kRecordRoute), "<sip:pcscf.home1.net:5060;lr>");  // 16.6 step 4
  auto vias = wire::ParseVias(out);
  ASSERT_TRUE(vias.ok());
  ASSERT_EQ(vias->size(), 2u);                                           // 16.6 step 8
  EXPECT_EQ(vias->front().host, "10.0.0.1");
  EXPECT_EQ(vias->front().branch().substr(0, 7), "z9hG4bK");
  EXPECT_NE(vias->front().branch(), "z9hG4bKue1");
  EXPECT_EQ((*vias)[1].branch(), "z9hG4bKue1");
}

TEST_F(ProxyTest, RFC3261_16_7_ResponseLosesTheProxyViaAndGoesUpstream) {
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  proxy->Receive(Request(Method::kMessage), kUe);
  proxy->Receive(Answer(0, 200), kTarget1);
  const auto upstream = SentTo(kUe);
  ASSERT_EQ(upstream.size(), 1u);
  const SipMessage& response = upstream[0]->message;
  EXPECT_EQ(response.status_code(), 200);
  ASSERT_EQ(response.GetAll(HeaderId::kVia).size(), 1u);
  EXPECT_NE(response.Get(HeaderId::kVia)->find("branch=z9hG4bKue1"), std::string_view::npos);
}

TEST_F(ProxyTest, RFC3261_16_3_MaxForwardsZeroGives483) {
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  proxy->Receive(Request(Method::kMessage, "0"), kUe);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].message.status_code(), 483);
  EXPECT_EQ(host.sent[0].to, kUe);
}

TEST_F(ProxyTest, RFC3261_16_7_ForkingPrefers2xxAndForwardsItAtOnce) {
  proxy->targets = {ForwardTarget{"sip:bob@10.0.0.3", {}, kTarget1}, ForwardTarget{"sip:bob@10.0.0.4", {}, kTarget2}};
  proxy->Receive(Request(Method::kMessage), kUe);
  ASSERT_EQ(SentTo(kTarget1).size(), 1u);
  ASSERT_EQ(SentTo(kTarget2).size(), 1u);
  proxy->Receive(Answer(0, 486), kTarget1);
  EXPECT_TRUE(SentTo(kUe).empty());  // 486 waits for the other branch
  proxy->Receive(Answer(1, 200), kTarget2);
  ASSERT_EQ(SentTo(kUe).size(), 1u);
  EXPECT_EQ(SentTo(kUe)[0]->message.status_code(), 200);
}

TEST_F(ProxyTest, RFC3261_16_7_LowestClassWinsWhenAllFail) {
  proxy->targets = {ForwardTarget{"sip:bob@10.0.0.3", {}, kTarget1}, ForwardTarget{"sip:bob@10.0.0.4", {}, kTarget2}};
  proxy->Receive(Request(Method::kMessage), kUe);
  proxy->Receive(Answer(0, 503), kTarget1);
  proxy->Receive(Answer(1, 404), kTarget2);
  ASSERT_EQ(SentTo(kUe).size(), 1u);
  EXPECT_EQ(SentTo(kUe)[0]->message.status_code(), 404);
}

TEST_F(ProxyTest, RFC3261_16_7_Only503BecomesA500) {
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  proxy->Receive(Request(Method::kMessage), kUe);
  SipMessage busy = Answer(0, 503);
  busy.Add(HeaderId::kRetryAfter, "5");
  proxy->Receive(busy, kTarget1);
  ASSERT_EQ(SentTo(kUe).size(), 1u);
  EXPECT_EQ(SentTo(kUe)[0]->message.status_code(), 500);
  EXPECT_FALSE(SentTo(kUe)[0]->message.Has(HeaderId::kRetryAfter));
}

TEST_F(ProxyTest, RFC3261_16_7_SixHundredBeatsALowerClass) {
  proxy->targets = {ForwardTarget{"sip:bob@10.0.0.3", {}, kTarget1}, ForwardTarget{"sip:bob@10.0.0.4", {}, kTarget2}};
  proxy->Receive(Request(Method::kMessage), kUe);
  proxy->Receive(Answer(0, 404), kTarget1);
  proxy->Receive(Answer(1, 603), kTarget2);
  ASSERT_EQ(SentTo(kUe).size(), 1u);
  EXPECT_EQ(SentTo(kUe)[0]->message.status_code(), 603);
}

TEST_F(ProxyTest, RFC3261_16_8_BranchTimeoutCountsAs408) {
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  proxy->Receive(Request(Method::kMessage), kUe);
  host.Advance(33s);
  const auto upstream = SentTo(kUe);
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0]->message.status_code(), 408);
}

TEST_F(ProxyTest, RFC3261_16_2_InviteGets100AndCancelIsPropagated) {
  proxy->targets = {ForwardTarget{"sip:bob@home1.net", {}, std::nullopt}};
  SipMessage invite = Request(Method::kInvite);
  proxy->Receive(invite, kUe);
  ASSERT_EQ(SentTo(kUe).size(), 1u);
  EXPECT_EQ(SentTo(kUe)[0]->message.status_code(), 100);
  proxy->Receive(Answer(1, 180), kTarget1);  // sent[0] is the 100, sent[1] the INVITE
  ASSERT_EQ(SentTo(kUe).size(), 2u);
  EXPECT_EQ(SentTo(kUe)[1]->message.status_code(), 180);

  SipMessage cancel = Request(Method::kCancel);
  proxy->Receive(cancel, kUe);
  EXPECT_EQ(SentTo(kUe).back()->message.status_code(), 200);  // the CANCEL is answered hop by hop
  const auto downstream = SentTo(kTarget1);
  ASSERT_EQ(downstream.size(), 2u);
  const SipMessage& forwarded_cancel = downstream[1]->message;
  EXPECT_EQ(forwarded_cancel.method(), Method::kCancel);
  EXPECT_EQ(forwarded_cancel.Get(HeaderId::kVia), downstream[0]->message.GetAll(HeaderId::kVia).front());
  EXPECT_EQ(forwarded_cancel.Get(HeaderId::kCSeq), "1 CANCEL");
  proxy->Receive(Answer(1, 487), kTarget1);
  EXPECT_EQ(SentTo(kUe).back()->message.status_code(), 487);
}

TEST_F(ProxyTest, RFC3261_9_2_CancelWithoutInviteGets481) {
  proxy->Receive(Request(Method::kCancel), kUe);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].message.status_code(), 481);
  EXPECT_EQ(proxy->handled, 0);
}

TEST_F(ProxyTest, RFC3261_8_2_6_2_ResponseToTagIsAddedAndStable) {
  const SipMessage request = Request(Method::kMessage);
  const SipMessage first = proxy->MakeResponse(request, 200);
  const SipMessage again = proxy->MakeResponse(request, 200);
  auto to = wire::ParseFromTo(*first.Get(HeaderId::kTo));
  ASSERT_TRUE(to.ok());
  EXPECT_TRUE(wire::HasParam(to->params, "tag"));
  EXPECT_EQ(first.Get(HeaderId::kTo), again.Get(HeaderId::kTo));
  EXPECT_EQ(proxy->MakeResponse(request, 100).Get(HeaderId::kTo), "<sip:bob@home1.net>");
  EXPECT_EQ(first.Get(HeaderId::kCSeq), "1 MESSAGE");
  EXPECT_EQ(first.Get(HeaderId::kCallId), "call-9");
}

TEST_F(ProxyTest, RFC3261_18_1_1_WireSizeIsTheSizeOfWhatIsSent) {
  SipMessage request = Request(Method::kMessage);
  const std::size_t predicted = proxy->WireSize(request);
  proxy->SendRequest(request, kTarget1, nullptr);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].message.Serialize().size(), predicted);
  EXPECT_GT(predicted, request.SerializedSize());  // the Via it added is counted
}

TEST_F(ProxyTest, ResponseToARequestWithoutCallIdStillGetsATag) {
  SipMessage request = Request(Method::kMessage);
  request.Remove(HeaderId::kCallId);
  const SipMessage response = proxy->MakeResponse(request, 404);
  EXPECT_EQ(response.status_code(), 404);
  EXPECT_NE(response.Get(HeaderId::kTo)->find(";tag="), std::string_view::npos);
  EXPECT_FALSE(response.Has(HeaderId::kCallId));
}

TEST_F(ProxyTest, RFC3261_16_4_IsMeMatchesNameAliasAndAddress) {
  EXPECT_TRUE(proxy->IsMe("<sip:pcscf.home1.net;lr>"));
  EXPECT_TRUE(proxy->IsMe("sip:10.0.0.1:5060;lr"));
  EXPECT_FALSE(proxy->IsMe("sip:pcscf.home1.net:5070;lr"));
  EXPECT_FALSE(proxy->IsMe("sip:alice@pcscf.home1.net"));
  EXPECT_FALSE(proxy->IsMe("<sip:scscf.home1.net;lr>"));
}

TEST(Resolver, NamesLiteralsPortsAndTransport) {
  Resolver resolver;
  resolver.Add("Scscf.Home1.net", 0x0A000009);
  auto by_name = resolver.Resolve("sip:scscf.home1.net;lr");
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->address, 0x0A000009u);
  EXPECT_EQ(by_name->port, 5060);
  auto literal = resolver.Resolve("<sip:bob@10.1.2.3:5070;transport=tcp>");
  ASSERT_TRUE(literal.has_value());
  EXPECT_EQ(literal->HostText(), "10.1.2.3");
  EXPECT_EQ(literal->port, 5070);
  EXPECT_EQ(literal->transport, Transport::kTcp);
  EXPECT_FALSE(resolver.Resolve("sip:unknown.example.com").has_value());
}

}  // namespace
}  // namespace pushsim::sip
