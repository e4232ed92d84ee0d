// The MSRP receiving session of the Push Receiver Agent (SIP Push TS 9.3.1.1 step 4, 9.3.3.2,
// RFC 4975 sections 7.1, 7.2, 7.3.1), driven byte by byte.
// Conformance items covered: SIPPUSH-PRA-C013 (SIP INVITE & MSRP methods: the user plane).
#include "push/msrp_receiver.h"

#include <gtest/gtest.h>

namespace pushsim::push {
namespace {

constexpr const char* kLocal = "msrp://10.0.0.2:2855/s1;tcp";
constexpr const char* kRemote = "msrp://10.0.0.9:7654/iau39;tcp";

// A SEND written out by hand (RFC 4975 section 9 grammar; TS C.3 shape with the paths above).
std::string Send(const std::string& tid, const std::string& message_id, const std::string& range,
                 const std::string& body, char flag, const std::string& extra = "",
                 const std::string& to = kLocal) {
  std::string out = "MSRP " + tid + " SEND\r\nTo-Path: " + to + "\r\nFrom-Path: " + kRemote +
                    "\r\nMessage-ID: " + message_id + "\r\nByte-Range: " + range + "\r\n" + extra +
                    "Content-Type: text/plain\r\n\r\n" + body + "\r\n-------" + tid + flag + "\r\n";
  return out;
}

std::string Ok(const std::string& tid) {
  return "MSRP " + tid + " 200 OK\r\nTo-Path: " + kRemote + "\r\nFrom-Path: " + kLocal + "\r\n-------" + tid + "$\r\n";
}

class MsrpReceiverTest : public ::testing::Test {
 protected:
  void Make(MsrpReceiverLimits limits = {}) {
    session = std::make_unique<MsrpReceiverSession>(
        limits, [this](std::string bytes) { output += bytes; },
        [this](MsrpReceivedMessage message) { delivered.push_back(std::move(message)); });
    auto uri = wire::ParseMsrpUri(kLocal);
    ASSERT_TRUE(uri.ok());
    session->AddLocalPath(*uri);
  }
  bool FeedBytewise(const std::string& bytes) {
    for (char c : bytes) {
      if (!session->Feed(std::string_view(&c, 1))) return false;
    }
    return true;
  }

  std::unique_ptr<MsrpReceiverSession> session;
  std::string output;
  std::vector<MsrpReceivedMessage> delivered;
};

TEST_F(MsrpReceiverTest, RFC4975_7_3_1_ChunksSplitAcrossReadsAnsweredAndReassembled) {
  Make();
  // TS C.3: two pipelined chunks, Success-Report on the first; fed one byte per read.
  const std::string stream = Send("d93kswow", "12339sdqwer", "1-5/10", "Hello", '+', "Success-Report: yes\r\n") +
                             Send("op2nc9a", "12339sdqwer", "6-10/10", "World", '$');
  ASSERT_TRUE(FeedBytewise(stream));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].body, "HelloWorld");
  EXPECT_EQ(delivered[0].message_id, "12339sdqwer");
  EXPECT_EQ(delivered[0].content_type, "text/plain");
  EXPECT_EQ(delivered[0].chunks, 2u);
  // 7.2: a 200 per chunk, one hop back; 7.1.2: then the REPORT for the whole message, 1-10/10.
  const std::string report = std::string("MSRP rpt000001 REPORT\r\nTo-Path: ") + kRemote + "\r\nFrom-Path: " + kLocal +
                             "\r\nMessage-ID: 12339sdqwer\r\nByte-Range: 1-10/10\r\nStatus: 000 200 OK\r\n"
                             "-------rpt000001$\r\n";
  EXPECT_EQ(output, Ok("d93kswow") + Ok("op2nc9a") + report);
  EXPECT_EQ(session->open_messages(), 0u);
  EXPECT_EQ(session->buffered_bytes(), 0u);
  EXPECT_EQ(session->stats().reports_sent, 1u);
}

TEST_F(MsrpReceiverTest, RFC4975_7_1_2_NoReportWithoutSuccessReport) {
  Make();
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/3", "abc", '$')));
  EXPECT_EQ(output, Ok("abcd1234"));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].body, "abc");
}

TEST_F(MsrpReceiverTest, RFC4975_7_1_1_FailureReportNoSuppressesResponses) {
  Make();
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/3", "abc", '$', "Failure-Report: no\r\n")));
  EXPECT_EQ(output, "");
  EXPECT_EQ(delivered.size(), 1u);
}

TEST_F(MsrpReceiverTest, RFC4975_7_3_1_UnknownSessionGets481) {
  Make();
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/3", "abc", '$', "", "msrp://10.0.0.2:2855/other;tcp")));
  EXPECT_EQ(output, std::string("MSRP abcd1234 481 Session Does Not Exist\r\nTo-Path: ") + kRemote +
                        "\r\nFrom-Path: msrp://10.0.0.2:2855/other;tcp\r\n-------abcd1234$\r\n");
  EXPECT_TRUE(delivered.empty());
}

TEST_F(MsrpReceiverTest, RFC4975_7_3_1_TotalAboveMaxSizeGets413) {
  MsrpReceiverLimits limits;
  limits.max_message_size = 8;  // a=max-size:8
  Make(limits);
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/9", "abc", '+')));
  EXPECT_EQ(output, std::string("MSRP abcd1234 413 Message Too Large\r\nTo-Path: ") + kRemote + "\r\nFrom-Path: " +
                        kLocal + "\r\n-------abcd1234$\r\n");
  EXPECT_EQ(session->open_messages(), 0u);
}

TEST_F(MsrpReceiverTest, RFC4975_7_3_1_UnacceptedTypeGets415) {
  MsrpReceiverLimits limits;
  limits.accept_types = {"image/jpeg"};
  Make(limits);
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/3", "abc", '$')));
  EXPECT_NE(output.find("MSRP abcd1234 415 "), std::string::npos);
  EXPECT_TRUE(delivered.empty());
}

TEST_F(MsrpReceiverTest, RFC4975_7_1_AbortedMessageIsDroppedNotDelivered) {
  Make();
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/6", "abc", '+') + Send("abcd5678", "m1xx", "4-6/6", "def", '#')));
  EXPECT_TRUE(delivered.empty());
  EXPECT_EQ(session->open_messages(), 0u);
  EXPECT_EQ(session->stats().messages_aborted, 1u);
}

TEST_F(MsrpReceiverTest, RFC4975_7_1_JunkBreaksTheStream) {
  Make();
  EXPECT_FALSE(session->Feed("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(session->broken());
  EXPECT_FALSE(session->Feed(Send("abcd1234", "m1xx", "1-3/3", "abc", '$')));
  EXPECT_TRUE(delivered.empty());
}

TEST_F(MsrpReceiverTest, RFC4975_7_1_BinaryJunkAndOversizedLineBreakTheStream) {
  Make();
  EXPECT_FALSE(session->Feed(std::string("MSRP abcd1234 SEND\r\nTo-Path: ") + std::string(5000, 'x')));
  Make();
  EXPECT_FALSE(session->Feed(std::string("\x00\xff\x01MSRP", 7)));
}

TEST_F(MsrpReceiverTest, TS_9_3_1_2_Step3_RemovingThePathDropsReassemblyState) {
  Make();
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/6", "abc", '+')));
  EXPECT_EQ(session->open_messages(), 1u);
  session->RemoveLocalPath(*wire::ParseMsrpUri(kLocal));
  EXPECT_EQ(session->open_messages(), 0u);
  EXPECT_FALSE(session->HasLocalPaths());
}

TEST_F(MsrpReceiverTest, RFC4975_7_3_1_TooManyOpenMessagesGets413) {
  MsrpReceiverLimits limits;
  limits.max_open_messages = 1;
  Make(limits);
  ASSERT_TRUE(session->Feed(Send("abcd1234", "m1xx", "1-3/6", "abc", '+')));
  output.clear();
  ASSERT_TRUE(session->Feed(Send("abcd5678", "m2xx", "1-3/6", "abc", '+')));
  EXPECT_NE(output.find("MSRP abcd5678 413 "), std::string::npos);
  EXPECT_EQ(session->open_messages(), 1u);
}

}  // namespace
}  // namespace pushsim::push
