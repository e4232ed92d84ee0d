// The MSRP sending side of TS 9.3.3 (RFC 4975) as used by the Push Sender Agent: chunking with
// Byte-Range, pipelining, Success-Report, matching of 200s and REPORTs (TS C.3 steps 4-9).
// Conformance items: SIPPUSH-PSA-S-012 (SIP INVITE & MSRP methods, user plane).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "push/msrp_sender.h"

namespace pushsim::push {
namespace {

wire::MsrpUri Uri(const std::string& text) { return wire::ParseMsrpUri(text).value(); }

std::vector<wire::MsrpMessage> Frames(std::string_view stream) {
  std::vector<wire::MsrpMessage> out;
  while (!stream.empty()) {
    auto length = wire::MsrpFrameLength(stream);
    EXPECT_TRUE(length.ok() && length.value());
    if (!length.ok() || !length.value()) break;
    out.push_back(wire::MsrpMessage::Parse(stream.substr(0, *length.value())).value());
    stream.remove_prefix(*length.value());
  }
  return out;
}

MsrpOutgoingFile File(std::string content, const std::string& session) {
  MsrpOutgoingFile file;
  file.content = std::move(content);
  file.content_type = "image/jpeg";
  file.local_path = Uri("msrp://10.0.0.9:2855/" + session + ";tcp");
  file.remote_path = Uri("msrp://10.0.0.20:2855/r" + session + ";tcp");
  return file;
}

// TS C.3 example: 4385 octets in chunks of 2048 -> 1-2048, 2049-4096, 4097-4385, all /4385.
TEST(PushMsrpSender, RFC4975_7_1_1_ChunksCarryByteRangesAndPipeline) {
  MsrpSenderSession session(2048, true, 42);
  session.AddFile(File(std::string(4385, 'x'), "s1"));
  const std::vector<wire::MsrpMessage> sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 3u);
  const wire::ByteRange expected[] = {{1, 2048, 4385}, {2049, 4096, 4385}, {4097, 4385, 4385}};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(sends[i].IsSend());
    EXPECT_EQ(sends[i].GetByteRange(), expected[i]);
    EXPECT_TRUE(sends[i].SuccessReport());  // C.3 step 5
    EXPECT_EQ(sends[i].flag, i == 2 ? wire::MsrpFlag::kComplete : wire::MsrpFlag::kContinued);
    EXPECT_EQ(sends[i].ToPath().front().ToString(), "msrp://10.0.0.20:2855/rs1;tcp");
    EXPECT_EQ(sends[i].FromPath().front().ToString(), "msrp://10.0.0.9:2855/s1;tcp");
    EXPECT_EQ(sends[i].MessageId(), sends[0].MessageId());  // one Message-ID per message (7.1.1)
    EXPECT_EQ(sends[i].ContentType(), "image/jpeg");
  }
  EXPECT_NE(sends[0].transaction_id, sends[1].transaction_id);
  EXPECT_FALSE(session.Complete());  // nothing answered yet: pipelined, not stop-and-wait
}

TEST(PushMsrpSender, RFC4975_7_1_2_DeliveredOnlyWithWholeSuccessReport) {
  MsrpSenderSession session(2048, true, 7);
  session.AddFile(File(std::string(3000, 'y'), "s1"));
  int done = 0;
  session.on_file_done = [&](const MsrpFileResult& result) {
    ++done;
    EXPECT_TRUE(result.delivered);
  };
  const auto sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 2u);
  std::string replies;
  for (const auto& send : sends) replies += wire::MakeOkResponse(send).Serialize();
  ASSERT_TRUE(session.OnData(replies));
  EXPECT_EQ(session.results()[0].chunks_acknowledged, 2u);
  EXPECT_EQ(session.results()[0].bytes_acknowledged, 3000u);
  EXPECT_FALSE(session.Complete());  // the REPORT is still due
  // A partial REPORT (1-2048) is not the report about the whole message.
  ASSERT_TRUE(session.OnData(wire::MakeReport(sends[0], "rep1abcd", wire::ByteRange{1, 2048, 3000}).Serialize()));
  EXPECT_FALSE(session.Complete());
  ASSERT_TRUE(session.OnData(wire::MakeReport(sends[0], "rep2abcd", wire::ByteRange{1, 3000, 3000}).Serialize()));
  EXPECT_TRUE(session.Complete());
  EXPECT_TRUE(session.AllDelivered());
  EXPECT_EQ(done, 1);
}

TEST(PushMsrpSender, RFC4975_7_1_1_WithoutSuccessReportAll200sFinish) {
  MsrpSenderSession session(1000, false, 7);
  session.AddFile(File(std::string(2500, 'z'), "s1"));
  const auto sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_FALSE(sends[0].SuccessReport());
  EXPECT_EQ(sends[0].Header("Success-Report"), nullptr);
  bool complete = false;
  session.on_complete = [&] { complete = true; };
  // Responses out of order, byte by byte (TCP may split anywhere).
  const std::string replies = wire::MakeOkResponse(sends[2]).Serialize() + wire::MakeOkResponse(sends[0]).Serialize() +
                              wire::MakeOkResponse(sends[1]).Serialize();
  for (char c : replies) ASSERT_TRUE(session.OnData(std::string_view(&c, 1)));
  EXPECT_TRUE(complete);
  EXPECT_TRUE(session.AllDelivered());
}

TEST(PushMsrpSender, RFC4975_7_1_1_Non200ResponseFailsTheFile) {
  MsrpSenderSession session(2048, true, 9);
  session.AddFile(File("hello", "s1"));
  session.AddFile(File("world", "s2"));
  const auto sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 2u);
  ASSERT_TRUE(session.OnData(wire::MakeResponse(sends[0], 413, "Too big").Serialize()));
  EXPECT_TRUE(session.results()[0].done);
  EXPECT_FALSE(session.results()[0].delivered);
  EXPECT_EQ(session.results()[0].failure_code, 413);
  EXPECT_FALSE(session.results()[1].done);
  // A failure REPORT (Status 000 415) fails the second file.
  ASSERT_TRUE(session.OnData(
      wire::MakeReport(sends[1], "rep9abcd", wire::ByteRange{1, 5, 5}, wire::MsrpStatus{0, 415, "Unsupported"}).Serialize()));
  EXPECT_TRUE(session.Complete());
  EXPECT_FALSE(session.AllDelivered());
  EXPECT_EQ(session.results()[1].failure_code, 415);
}

TEST(PushMsrpSender, RFC4975_7_1_EmptyFileIsOneSendWithZeroRange) {
  MsrpSenderSession session(2048, false, 1);
  session.AddFile(File("", "s1"));
  const auto sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].GetByteRange(), (wire::ByteRange{1, 0, 0}));
}

TEST(PushMsrpSender, TransactionIdsUniqueAcrossFiles) {
  MsrpSenderSession session(10, false, 3);
  session.AddFile(File(std::string(50, 'a'), "s1"));
  session.AddFile(File(std::string(50, 'b'), "s2"));
  const auto sends = Frames(session.Start());
  ASSERT_EQ(sends.size(), 10u);
  for (std::size_t i = 0; i < sends.size(); ++i) {
    for (std::size_t j = i + 1; j < sends.size(); ++j) EXPECT_NE(sends[i].transaction_id, sends[j].transaction_id);
  }
  EXPECT_NE(sends[0].MessageId(), sends[5].MessageId());
}

TEST(PushMsrpSender, HostileInputEndsTheSession) {
  MsrpSenderSession session(2048, true, 1);
  session.AddFile(File("abc", "s1"));
  session.Start();
  EXPECT_FALSE(session.OnData("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(session.Complete());
  EXPECT_FALSE(session.results()[0].delivered);
}

TEST(PushMsrpSender, UnknownTransactionAndForeignReportIgnored) {
  MsrpSenderSession session(2048, true, 1);
  session.AddFile(File("abc", "s1"));
  const auto sends = Frames(session.Start());
  wire::MsrpMessage stray = wire::MakeOkResponse(sends[0]);
  stray.transaction_id = "zzzz9999";
  ASSERT_TRUE(session.OnData(stray.Serialize()));
  EXPECT_EQ(session.results()[0].chunks_acknowledged, 0u);
  wire::MsrpMessage foreign = wire::MakeReport(sends[0], "rep1abcd", wire::ByteRange{1, 3, 3});
  foreign.SetHeader("Message-ID", "other123");
  ASSERT_TRUE(session.OnData(foreign.Serialize()));
  EXPECT_FALSE(session.Complete());
}

TEST(PushMsrpSender, ClosedConnectionFailsUnfinishedFiles) {
  MsrpSenderSession session(2048, true, 1);
  session.AddFile(File("abc", "s1"));
  session.Start();
  session.OnClosed();
  EXPECT_TRUE(session.Complete());
  EXPECT_FALSE(session.AllDelivered());
}

}  // namespace
}  // namespace pushsim::push
