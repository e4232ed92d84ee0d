// RFC 3261 section 17 (and RFC 6026) transaction state machines on a manual clock.
#include "sip/transaction.h"

#include <gtest/gtest.h>

#include "support/fake_host.h"

namespace pushsim::sip {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

struct RecordingUser : TransactionUser {
  struct Response {
    TransactionId id;
    int code;
    int retransmissions;
  };
  void OnRequest(TransactionId server, const SipMessage& request, const Endpoint& source) override {
    requests.push_back({server, request});
    last_source = source;
  }
  void OnAck(const SipMessage& ack, const Endpoint&) override { acks.push_back(ack); }
  void OnResponse(TransactionId client, const SipMessage& response, const ClientOutcome& outcome) override {
    responses.push_back({client, response.status_code(), outcome.retransmissions});
  }
  void OnTimeout(TransactionId client, const ClientOutcome& outcome) override {
    timeouts.push_back({client, 408, outcome.retransmissions});
  }
  void OnStrayResponse(const SipMessage& response, const Endpoint&) override { strays.push_back(response); }
  void OnServerTimeout(TransactionId server) override { server_timeouts.push_back(server); }

  std::vector<std::pair<TransactionId, SipMessage>> requests;
  std::vector<SipMessage> acks;
  std::vector<Response> responses;
  std::vector<Response> timeouts;
  std::vector<SipMessage> strays;
  std::vector<TransactionId> server_timeouts;
  Endpoint last_source;
};

const Endpoint kPeerUdp{0x0A000001, 5060, Transport::kUdp};
const Endpoint kPeerTcp{0x0A000001, 5060, Transport::kTcp};

SipMessage Request(Method method, std::string_view branch, std::string_view sent_by = "ue.home1.net:5060") {
  SipMessage request = SipMessage::MakeRequest(method, "sip:bob@home1.net");
  request.Add(HeaderId::kVia, "SIP/2.0/UDP " + std::string(sent_by) + ";branch=" + std::string(branch));
  request.Add(HeaderId::kMaxForwards, "70");
  request.Add(HeaderId::kFrom, "<sip:alice@home1.net>;tag=a1");
  request.Add(HeaderId::kTo, "<sip:bob@home1.net>");
  request.Add(HeaderId::kCallId, "call-1");
  request.Add(HeaderId::kCSeq, "7 " + std::string(wire::MethodName(method)));
  request.Add(HeaderId::kRoute, "<sip:pcscf.home1.net;lr>");
  return request;
}

SipMessage ResponseTo(const SipMessage& request, int code, std::string_view to_tag = "b1") {
  SipMessage response = SipMessage::MakeResponse(code);
  for (std::string_view via : request.GetAll(HeaderId::kVia)) response.Add(HeaderId::kVia, via);
  response.Add(HeaderId::kFrom, *request.Get(HeaderId::kFrom));
  std::string to(*request.Get(HeaderId::kTo));
  if (code > 100) to += ";tag=" + std::string(to_tag);
  response.Add(HeaderId::kTo, to);
  response.Add(HeaderId::kCallId, *request.Get(HeaderId::kCallId));
  response.Add(HeaderId::kCSeq, *request.Get(HeaderId::kCSeq));
  return response;
}

class TransactionTest : public ::testing::Test {
 protected:
  FakeHost host;
  RecordingUser user;
  TransactionLayer layer{host, user};
};

TEST_F(TransactionTest, RFC3261_17_1_2_2_TimerEDoublesToT2ThenTimerFTimesOut) {
  const TransactionId id = layer.SendRequest(Request(Method::kMessage, "z9hG4bKm1"), kPeerUdp);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(layer.state(id), TransactionState::kTrying);
  host.Advance(31999ms);
  // Timer E fires at 0.5, 1.5, 3.5, 7.5 s, then every T2 = 4 s: 11.5 ... 31.5 s.
  const auto sends = host.Requests(Method::kMessage);
  ASSERT_EQ(sends.size(), 11u);
  const std::chrono::milliseconds expected[] = {0ms, 500ms, 1500ms, 3500ms, 7500ms, 11500ms,
                                                15500ms, 19500ms, 23500ms, 27500ms, 31500ms};
  for (std::size_t i = 0; i < sends.size(); ++i) EXPECT_EQ(sends[i]->at, expected[i]) << i;
  EXPECT_TRUE(user.timeouts.empty());
  host.Advance(1ms);  // timer F = 64*T1 = 32 s
  ASSERT_EQ(user.timeouts.size(), 1u);
  EXPECT_EQ(user.timeouts[0].retransmissions, 10);
  EXPECT_FALSE(layer.state(id).has_value());
  EXPECT_EQ(layer.client_count(), 0u);
  EXPECT_EQ(host.pending_timers(), 0u);
}

TEST_F(TransactionTest, RFC3261_17_1_2_2_NoRetransmissionOverTcp) {
  layer.SendRequest(Request(Method::kMessage, "z9hG4bKm2"), kPeerTcp);
  host.Advance(32s);
  EXPECT_EQ(host.Requests(Method::kMessage).size(), 1u);
  ASSERT_EQ(user.timeouts.size(), 1u);
  EXPECT_EQ(user.timeouts[0].retransmissions, 0);
}

TEST_F(TransactionTest, RFC3261_17_1_2_2_ProvisionalKeepsRetransmittingAtT2) {
  const SipMessage request = Request(Method::kMessage, "z9hG4bKm3");
  const TransactionId id = layer.SendRequest(request, kPeerUdp);
  host.Advance(100ms);
  layer.Receive(ResponseTo(request, 100), kPeerUdp);
  EXPECT_EQ(layer.state(id), TransactionState::kProceeding);
  ASSERT_EQ(user.responses.size(), 1u);
  EXPECT_EQ(user.responses[0].code, 100);
  host.Advance(400ms);   // 0.5 s: first retransmission (timer E still at T1)
  host.Advance(4000ms);  // 4.5 s: in Proceeding the interval is T2
  const auto sends = host.Requests(Method::kMessage);
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[1]->at, 500ms);
  EXPECT_EQ(sends[2]->at, 4500ms);
}

TEST_F(TransactionTest, RFC3261_17_1_2_2_FinalResponseCompletesThenTimerK) {
  const SipMessage request = Request(Method::kRegister, "z9hG4bKr1");
  const TransactionId id = layer.SendRequest(request, kPeerUdp);
  host.Advance(600ms);  // one retransmission happened at 0.5 s
  layer.Receive(ResponseTo(request, 200), kPeerUdp);
  ASSERT_EQ(user.responses.size(), 1u);
  EXPECT_EQ(user.responses[0].code, 200);
  EXPECT_EQ(user.responses[0].retransmissions, 1);
  EXPECT_EQ(layer.state(id), TransactionState::kCompleted);
  layer.Receive(ResponseTo(request, 200), kPeerUdp);  // retransmitted 200 is absorbed
  EXPECT_EQ(user.responses.size(), 1u);
  host.Advance(4900ms);
  EXPECT_EQ(layer.state(id), TransactionState::kCompleted);
  host.Advance(100ms);
  EXPECT_FALSE(layer.state(id).has_value());  // timer K = T4 = 5 s after the 200
  EXPECT_EQ(host.Requests(Method::kRegister).size(), 2u);  // no retransmission after the 200
}

TEST_F(TransactionTest, RFC3261_17_1_1_2_TimerADoublesAndTimerBTimesOut) {
  layer.SendRequest(Request(Method::kInvite, "z9hG4bKi1"), kPeerUdp);
  host.Advance(32s);
  // Timer A: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; timer B at 32 s.
  const auto sends = host.Requests(Method::kInvite);
  ASSERT_EQ(sends.size(), 7u);
  EXPECT_EQ(sends[4]->at, 7500ms);
  EXPECT_EQ(sends[5]->at, 15500ms);
  EXPECT_EQ(sends[6]->at, 31500ms);
  ASSERT_EQ(user.timeouts.size(), 1u);
  EXPECT_EQ(user.timeouts[0].retransmissions, 6);
}

TEST_F(TransactionTest, RFC3261_17_1_1_3_AckForNon2xxIsBuiltFromTheRequest) {
  const SipMessage request = Request(Method::kInvite, "z9hG4bKi2");
  const TransactionId id = layer.SendRequest(request, kPeerUdp);
  layer.Receive(ResponseTo(request, 486, "busy1"), kPeerUdp);
  EXPECT_EQ(layer.state(id), TransactionState::kCompleted);
  const auto acks = host.Requests(Method::kAck);
  ASSERT_EQ(acks.size(), 1u);
  const SipMessage& ack = acks[0]->message;
  EXPECT_EQ(ack.request_uri(), request.request_uri());
  EXPECT_EQ(ack.Get(HeaderId::kVia), request.Get(HeaderId::kVia));  // same branch
  EXPECT_EQ(ack.Get(HeaderId::kCSeq), "7 ACK");
  EXPECT_EQ(ack.Get(HeaderId::kTo), "<sip:bob@home1.net>;tag=busy1");
  EXPECT_EQ(ack.Get(HeaderId::kFrom), request.Get(HeaderId::kFrom));
  EXPECT_EQ(ack.Get(HeaderId::kCallId), "call-1");
  EXPECT_EQ(ack.Get(HeaderId::kRoute), "<sip:pcscf.home1.net;lr>");
  // A retransmitted 486 is answered with the ACK again and not passed up.
  layer.Receive(ResponseTo(request, 486, "busy1"), kPeerUdp);
  EXPECT_EQ(host.Requests(Method::kAck).size(), 2u);
  EXPECT_EQ(user.responses.size(), 1u);
  host.Advance(32s);  // timer D
  EXPECT_FALSE(layer.state(id).has_value());
}

TEST_F(TransactionTest, RFC6026_7_2_ClientAcceptedPassesRetransmitted2xx) {
  const SipMessage request = Request(Method::kInvite, "z9hG4bKi3");
  const TransactionId id = layer.SendRequest(request, kPeerUdp);
  layer.Receive(ResponseTo(request, 180), kPeerUdp);
  EXPECT_EQ(layer.state(id), TransactionState::kProceeding);
  host.Advance(10s);
  EXPECT_EQ(host.Requests(Method::kInvite).size(), 1u);  // a provisional stops timer A
  layer.Receive(ResponseTo(request, 200), kPeerUdp);
  EXPECT_EQ(layer.state(id), TransactionState::kAccepted);
  layer.Receive(ResponseTo(request, 200), kPeerUdp);
  ASSERT_EQ(user.responses.size(), 3u);  // 180, 200, 200: the TU acknowledges every 2xx
  EXPECT_TRUE(host.Requests(Method::kAck).empty());  // ACK to 2xx is the TU's job
  host.Advance(32s);  // timer M
  EXPECT_FALSE(layer.state(id).has_value());
}

TEST_F(TransactionTest, RFC3261_17_2_2_NonInviteServerAbsorbsRetransmissions) {
  const SipMessage request = Request(Method::kMessage, "z9hG4bKs1");
  layer.Receive(request, kPeerUdp);
  ASSERT_EQ(user.requests.size(), 1u);
  const TransactionId id = user.requests[0].first;
  EXPECT_EQ(layer.state(id), TransactionState::kTrying);
  layer.Receive(request, kPeerUdp);  // Trying: a retransmission is discarded
  EXPECT_EQ(user.requests.size(), 1u);
  EXPECT_TRUE(host.sent.empty());
  layer.SendResponse(id, ResponseTo(request, 200));
  EXPECT_EQ(layer.state(id), TransactionState::kCompleted);
  layer.Receive(request, kPeerUdp);  // Completed: the 200 is sent again
  ASSERT_EQ(host.Responses(200).size(), 2u);
  EXPECT_EQ(host.Responses(200)[1]->to, kPeerUdp);
  EXPECT_EQ(user.requests.size(), 1u);
  host.Advance(32s);  // timer J = 64*T1
  EXPECT_FALSE(layer.state(id).has_value());
  EXPECT_EQ(layer.stats().retransmissions_absorbed, 2u);
}

TEST_F(TransactionTest, RFC3261_17_2_1_InviteServerRetransmitsFinalUntilAck) {
  const SipMessage invite = Request(Method::kInvite, "z9hG4bKs2");
  layer.Receive(invite, kPeerUdp);
  const TransactionId id = user.requests.at(0).first;
  EXPECT_EQ(layer.state(id), TransactionState::kProceeding);
  layer.SendResponse(id, ResponseTo(invite, 488));
  host.Advance(1600ms);  // timer G: 0.5 s, then 1.5 s
  EXPECT_EQ(host.Responses(488).size(), 3u);
  SipMessage ack = Request(Method::kAck, "z9hG4bKs2");
  ack.Set(HeaderId::kCSeq, "7 ACK");
  layer.Receive(ack, kPeerUdp);
  EXPECT_EQ(layer.state(id), TransactionState::kConfirmed);
  EXPECT_TRUE(user.acks.empty());  // the ACK to a non-2xx stays in the transaction
  host.Advance(10s);
  EXPECT_EQ(host.Responses(488).size(), 3u);
  EXPECT_FALSE(layer.state(id).has_value());  // timer I = T4
}

TEST_F(TransactionTest, RFC3261_17_2_1_TimerHWithoutAck) {
  const SipMessage invite = Request(Method::kInvite, "z9hG4bKs3");
  layer.Receive(invite, kPeerUdp);
  const TransactionId id = user.requests.at(0).first;
  layer.SendResponse(id, ResponseTo(invite, 486));
  host.Advance(32s);
  ASSERT_EQ(user.server_timeouts.size(), 1u);
  EXPECT_EQ(user.server_timeouts[0], id);
  // G fired at 0.5, 1.5, 3.5, 7.5, 11.5, ... capped at T2: 0.5,1.5,3.5,7.5,11.5,15.5,19.5,23.5,27.5,31.5.
  EXPECT_EQ(host.Responses(486).size(), 11u);
}

TEST_F(TransactionTest, RFC6026_8_7_AckTo2xxReachesTheUser) {
  const SipMessage invite = Request(Method::kInvite, "z9hG4bKs4");
  layer.Receive(invite, kPeerUdp);
  const TransactionId id = user.requests.at(0).first;
  layer.SendResponse(id, ResponseTo(invite, 200));
  EXPECT_EQ(layer.state(id), TransactionState::kAccepted);
  SipMessage ack = Request(Method::kAck, "z9hG4bKnew");  // ACK to 2xx has its own branch
  ack.Set(HeaderId::kCSeq, "7 ACK");
  layer.Receive(ack, kPeerUdp);
  ASSERT_EQ(user.acks.size(), 1u);
  layer.Receive(invite, kPeerUdp);  // a retransmitted INVITE in Accepted is absorbed
  EXPECT_EQ(user.requests.size(), 1u);
}

TEST_F(TransactionTest, RFC3261_17_2_3_MatchingUsesBranchSentByAndMethod) {
  layer.Receive(Request(Method::kMessage, "z9hG4bKx", "a.example.com"), kPeerUdp);
  layer.Receive(Request(Method::kMessage, "z9hG4bKx", "b.example.com"), kPeerUdp);  // other sent-by
  SipMessage cancel = Request(Method::kCancel, "z9hG4bKx", "a.example.com");
  layer.Receive(cancel, kPeerUdp);  // CANCEL shares the branch but is its own transaction
  EXPECT_EQ(user.requests.size(), 3u);
  EXPECT_EQ(layer.server_count(), 3u);
}

TEST_F(TransactionTest, RFC3261_17_1_3_StrayResponseGoesToTheUser) {
  SipMessage request = Request(Method::kMessage, "z9hG4bKnever");
  layer.Receive(ResponseTo(request, 200), kPeerUdp);
  EXPECT_EQ(user.strays.size(), 1u);
  EXPECT_TRUE(user.responses.empty());
}

TEST_F(TransactionTest, RFC3261_17_1_3_ResponseMatchesOnBranchAndCSeqMethod) {
  const SipMessage invite = Request(Method::kInvite, "z9hG4bKc1");
  const TransactionId invite_id = layer.SendRequest(invite, kPeerUdp);
  SipMessage cancel = Request(Method::kCancel, "z9hG4bKc1");
  const TransactionId cancel_id = layer.SendRequest(cancel, kPeerUdp);
  layer.Receive(ResponseTo(cancel, 200), kPeerUdp);
  ASSERT_EQ(user.responses.size(), 1u);
  EXPECT_EQ(user.responses[0].id, cancel_id);
  layer.Receive(ResponseTo(invite, 487), kPeerUdp);
  ASSERT_EQ(user.responses.size(), 2u);
  EXPECT_EQ(user.responses[1].id, invite_id);
  EXPECT_EQ(user.responses[1].code, 487);
}

TEST_F(TransactionTest, RFC3261_8_1_1_7_BranchesAreUniqueAndCarryTheMagicCookie) {
  layer.set_branch_prefix("ue17");
  const std::string first = layer.NewBranch();
  const std::string second = layer.NewBranch();
  EXPECT_EQ(first.rfind("z9hG4bK", 0), 0u);
  EXPECT_NE(first, second);
  EXPECT_NE(first.find("ue17"), std::string::npos);
}

TEST_F(TransactionTest, RFC3261_20_42_ABranchThatIsNotATokenIsNotMatched) {
  // branch = token; "@" is not a token character, so these two Vias do not carry RFC 3261
  // branches and must not be taken for the same transaction (their prefixes are equal).
  layer.Receive(Request(Method::kMessage, "z9hG4bKsame@one"), kPeerUdp);
  layer.Receive(Request(Method::kMessage, "z9hG4bKsame@two"), kPeerUdp);
  EXPECT_EQ(user.requests.size(), 2u);
  EXPECT_EQ(layer.stats().retransmissions_absorbed, 0u);
}

TEST_F(TransactionTest, RequestWithoutBranchIsRefused) {
  SipMessage request = Request(Method::kMessage, "notmagic");
  EXPECT_EQ(layer.SendRequest(request, kPeerUdp), 0u);
  EXPECT_TRUE(host.sent.empty());
}

TEST_F(TransactionTest, LayerDestroyedWithPendingTimersIsSafe) {
  auto owned = std::make_unique<TransactionLayer>(host, user);
  owned->SendRequest(Request(Method::kMessage, "z9hG4bKd1"), kPeerUdp);
  owned.reset();
  host.Advance(60s);  // no callback may touch the destroyed layer
  EXPECT_TRUE(user.timeouts.empty());
}

}  // namespace
}  // namespace pushsim::sip
