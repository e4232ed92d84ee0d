// MSRP codec, framing, chunking and reassembly (RFC 4975), checked against the RFC grammar
// (section 9), its examples (sections 4 and 11.5) and the SIP Push TS appendix C.3 flow.
#include "wire/msrp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "wire/cpim.h"

namespace pushsim::wire {
namespace {

// ---- vectors --------------------------------------------------------------------------------

// TS appendix C.3, first SEND chunk. Corrected from the TS text: indentation and the blank lines
// between every line removed, CRLF line ends, the stray indentation of "Byte-Range" removed, the
// double space in the CPIM "From:  <sip:...>" reduced to one, an empty line between the CPIM
// message headers and the MIME headers of the content and one before the content (RFC 3862
// section 2), and the CRLF before the end-line. The body stands for the first 2048 bytes; the TS
// only gives a placeholder, so it is shorter than its Byte-Range (allowed, section 7.1.1 lets a
// receiver take the actual body length).
const std::string kTsCpimBody1 =
    "To: Bob <sip:bob@example.com>\r\n"
    "From: <sip:bob@push-sender-agent.example.com>\r\n"
    "DateTime: 2006-05-15T15:02:31-03:00\r\n"
    "\r\n"
    "Content-Disposition: not-render; filename=\"My cool picture.jpg\"; "
    "creation-date=\"Mon, 15 May 2006 15:01:31 +03:00\"; size=4092\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "... first set of bytes of the JPEG image ...";

const std::string kTsSend1 =
    "MSRP d93kswow SEND\r\n"
    "To-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "From-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 1-2048/4385\r\n"
    "Success-Report: yes\r\n"
    "Content-Type: message/cpim\r\n"
    "\r\n" +
    kTsCpimBody1 +
    "\r\n"
    "-------d93kswow+\r\n";

// TS appendix C.3, second and last SEND chunk. Corrected: indentation and interleaved blank lines
// removed, CRLF line ends, the empty line between Content-Type and the body restored.
const std::string kTsSend2 =
    "MSRP op2nc9a SEND\r\n"
    "To-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "From-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 2049-4385/4385\r\n"
    "Content-Type: message/cpim\r\n"
    "\r\n"
    "... second set of bytes of the JPEG image ...\r\n"
    "-------op2nc9a$\r\n";

// TS appendix C.3, the 200 to the first chunk. Corrected: indentation and interleaved blank
// lines removed, CRLF line ends. The TS echoes Byte-Range, which RFC 4975 does not ask for (its
// responses in sections 4 and 11 carry only the paths) but the grammar allows as a header.
const std::string kTsOk1 =
    "MSRP d93kswow 200 OK\r\n"
    "To-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
    "From-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "Byte-Range: 1-2048/4385\r\n"
    "-------d93kswow$\r\n";

// TS appendix C.3, the 200 to the second chunk, corrected as kTsOk1.
const std::string kTsOk2 =
    "MSRP op2nc9a 200 OK\r\n"
    "To-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
    "From-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "Byte-Range: 2049-4385/4385\r\n"
    "-------op2nc9a$\r\n";

// TS appendix C.3, the success REPORT. Corrected: indentation and the blank lines between some
// lines removed, CRLF line ends.
const std::string kTsReport =
    "MSRP dkei38sd REPORT\r\n"
    "To-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
    "From-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 1-4385/4385\r\n"
    "Status: 000 200 OK\r\n"
    "-------dkei38sd$\r\n";

// RFC 4975 section 4, the first SEND and its 200.
const std::string kRfcSection4Send =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
    "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-25/25\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hey Bob, are you there?\r\n"
    "-------a786hjs2$\r\n";
const std::string kRfcSection4Ok =
    "MSRP a786hjs2 200 OK\r\n"
    "To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
    "From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
    "-------a786hjs2$\r\n";

// RFC 4975 section 11.5 (positive report): a SEND asking for a success report and no failure
// reports, and the REPORT the receiver sends.
const std::string kRfc115Send =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
    "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 1-106/106\r\n"
    "Success-Report: yes\r\n"
    "Failure-Report: no\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<html><body>\r\n"
    "<p>Here is that important link...\r\n"
    "<a href=\"http://www.example.com/foobar\">foobar</a>\r\n"
    "</p>\r\n"
    "</body></html>\r\n"
    "-------a786hjs2$\r\n";
const std::string kRfc115Report =
    "MSRP dkei38sd REPORT\r\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
    "Message-ID: 12339sdqwer\r\n"
    "Byte-Range: 1-106/106\r\n"
    "Status: 000 200 OK\r\n"
    "-------dkei38sd$\r\n";

const char kPaths[] =
    "To-Path: msrp://b.example.com:2855/s1;tcp\r\n"
    "From-Path: msrp://a.example.com:2855/s2;tcp\r\n";

// A SEND with the given transaction id, extra headers, body and flag.
std::string Send(const std::string& tid, const std::string& extra_headers, const std::string& body, char flag = '$') {
  std::string out = "MSRP " + tid + " SEND\r\n" + kPaths + "Message-ID: msg0001\r\n" + extra_headers;
  if (!body.empty()) out += "Content-Type: text/plain\r\n\r\n" + body + "\r\n";
  out += "-------" + tid + flag + "\r\n";
  return out;
}

Result<MsrpMessage> Parse(const std::string& text, const MsrpLimits& limits = {}) { return MsrpMessage::Parse(text, limits); }

// A deterministic random source that returns the given values in turn, then counts upwards.
MsrpRandom Script(std::vector<std::uint64_t> values) {
  auto index = std::make_shared<std::size_t>(0);
  auto data = std::make_shared<std::vector<std::uint64_t>>(std::move(values));
  return [index, data]() -> std::uint64_t {
    const std::size_t i = (*index)++;
    return i < data->size() ? (*data)[i] : 1000 + i;
  };
}

std::string PatternBody(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7) % 26);
  return body;
}

// ---- TS appendix C.3 ------------------------------------------------------------------------

TEST(TS_C3, FirstSendChunk) {
  auto send = Parse(kTsSend1);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_TRUE(send->IsSend());
  EXPECT_EQ(send->transaction_id, "d93kswow");
  EXPECT_EQ(send->flag, MsrpFlag::kContinued);
  const auto to = send->ToPath();
  ASSERT_EQ(to.size(), 1u);
  EXPECT_EQ(to[0].authority_host, "bobpc.example.com");
  EXPECT_EQ(to[0].port, std::optional<std::uint16_t>(8888));
  EXPECT_EQ(to[0].session_id, "9di4ea");
  EXPECT_EQ(to[0].transport, "tcp");
  const auto from = send->FromPath();
  ASSERT_EQ(from.size(), 1u);
  EXPECT_EQ(from[0].authority_host, "push-sender-agent.example.com");
  EXPECT_EQ(from[0].port, std::optional<std::uint16_t>(7654));
  EXPECT_EQ(send->MessageId(), std::optional<std::string>("12339sdqwer"));
  EXPECT_EQ(send->GetByteRange(), std::optional<ByteRange>(ByteRange{1, 2048, 4385}));
  EXPECT_TRUE(send->SuccessReport());
  EXPECT_EQ(send->FailureReport(), MsrpFailureReport::kYes);  // absent means yes (7.1.1)
  EXPECT_EQ(send->ContentType(), std::optional<std::string>("message/cpim"));
  EXPECT_EQ(send->body, kTsCpimBody1);
  EXPECT_EQ(send->Serialize(), kTsSend1);
  EXPECT_EQ(send->SerializedSize(), kTsSend1.size());
}

TEST(TS_C3, FirstSendChunkCarriesCpim) {
  auto send = Parse(kTsSend1);
  ASSERT_TRUE(send.ok()) << send.error();
  auto cpim = CpimMessage::Parse(send->body);
  ASSERT_TRUE(cpim.ok()) << cpim.error();
  ASSERT_EQ(cpim->To().size(), 1u);
  EXPECT_EQ(cpim->To()[0].display_name, "Bob");
  EXPECT_EQ(cpim->To()[0].uri, "sip:bob@example.com");
  ASSERT_TRUE(cpim->From().has_value());
  EXPECT_EQ(cpim->From()->uri, "sip:bob@push-sender-agent.example.com");
  EXPECT_EQ(cpim->From()->display_name, "");
  EXPECT_EQ(cpim->DateTime(), std::optional<std::string>("2006-05-15T15:02:31-03:00"));
  EXPECT_EQ(cpim->ContentType(), std::optional<std::string>("image/jpeg"));
  ASSERT_NE(cpim->ContentHeader("Content-Disposition"), nullptr);
  EXPECT_EQ(cpim->content, "... first set of bytes of the JPEG image ...");
}

TEST(TS_C3, SecondSendChunk) {
  auto send = Parse(kTsSend2);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_EQ(send->transaction_id, "op2nc9a");
  EXPECT_EQ(send->flag, MsrpFlag::kComplete);
  EXPECT_EQ(send->GetByteRange(), std::optional<ByteRange>(ByteRange{2049, 4385, 4385}));
  EXPECT_FALSE(send->SuccessReport());  // absent means no (7.1.1)
  EXPECT_EQ(send->body, "... second set of bytes of the JPEG image ...");
  EXPECT_EQ(send->Serialize(), kTsSend2);
}

TEST(TS_C3, OkResponses) {
  for (const std::string* text : {&kTsOk1, &kTsOk2}) {
    auto ok = Parse(*text);
    ASSERT_TRUE(ok.ok()) << ok.error();
    EXPECT_FALSE(ok->is_request);
    EXPECT_EQ(ok->status_code, 200);
    EXPECT_EQ(ok->comment, "OK");
    EXPECT_TRUE(ok->body.empty());
    EXPECT_EQ(ok->Serialize(), *text);
  }
}

TEST(TS_C3, OkResponseBuiltFromChunkMatchesTsPaths) {
  auto send = Parse(kTsSend1);
  ASSERT_TRUE(send.ok()) << send.error();
  const MsrpMessage ok = MakeOkResponse(*send);
  // The TS response without its optional Byte-Range header.
  EXPECT_EQ(ok.Serialize(),
            "MSRP d93kswow 200 OK\r\n"
            "To-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
            "From-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
            "-------d93kswow$\r\n");
}

TEST(TS_C3, SuccessReport) {
  auto report = Parse(kTsReport);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report->IsReport());
  EXPECT_EQ(report->Status(), std::optional<MsrpStatus>(MsrpStatus{0, 200, "OK"}));
  EXPECT_EQ(report->GetByteRange(), std::optional<ByteRange>(ByteRange{1, 4385, 4385}));

  auto send = Parse(kTsSend1);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_EQ(MakeReport(*send, "dkei38sd", ByteRange{1, 4385, 4385}).Serialize(), kTsReport);
}

TEST(TS_C3, WholeFlowIsFramedFromOneStream) {
  const std::string stream = kTsSend1 + kTsSend2 + kTsOk1 + kTsOk2 + kTsReport;
  std::vector<std::size_t> lengths;
  std::string_view rest = stream;
  while (!rest.empty()) {
    auto length = MsrpFrameLength(rest);
    ASSERT_TRUE(length.ok()) << length.error();
    ASSERT_TRUE(length->has_value());
    ASSERT_TRUE(MsrpMessage::Parse(rest.substr(0, **length)).ok());
    lengths.push_back(**length);
    rest.remove_prefix(**length);
  }
  EXPECT_EQ(lengths, (std::vector<std::size_t>{kTsSend1.size(), kTsSend2.size(), kTsOk1.size(), kTsOk2.size(), kTsReport.size()}));
}

// ---- RFC 4975 examples ----------------------------------------------------------------------

TEST(RFC4975_4, BasicSendAndResponse) {
  auto send = Parse(kRfcSection4Send);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_EQ(send->body, "Hey Bob, are you there?");
  EXPECT_EQ(send->ContentType(), std::optional<std::string>("text/plain"));
  EXPECT_EQ(MakeOkResponse(*send).Serialize(), kRfcSection4Ok);
  auto ok = Parse(kRfcSection4Ok);
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->headers.size(), 2u);
}

TEST(RFC4975_11_5, PositiveReport) {
  auto send = Parse(kRfc115Send);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_TRUE(send->SuccessReport());
  EXPECT_EQ(send->FailureReport(), MsrpFailureReport::kNo);
  // Failure-Report: no -> no transaction response at all (section 7.1.1).
  EXPECT_FALSE(ShouldSendResponse(*send, 200));
  EXPECT_FALSE(ShouldSendResponse(*send, 413));
  auto report = Parse(kRfc115Report);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_FALSE(ShouldSendResponse(*report, 200));  // REPORTs are never answered (7.1.2)
  EXPECT_EQ(MakeReport(*send, "dkei38sd", ByteRange{1, 106, 106}).Serialize(), kRfc115Report);
}

TEST(RFC4975_7_1_1, FailureReportDecidesResponses) {
  auto yes = Parse(Send("abcd1234", "", "hi"));
  auto partial = Parse(Send("abcd1234", "Failure-Report: partial\r\n", "hi"));
  ASSERT_TRUE(yes.ok() && partial.ok());
  EXPECT_TRUE(ShouldSendResponse(*yes, 200));
  EXPECT_TRUE(ShouldSendResponse(*yes, 481));
  EXPECT_FALSE(ShouldSendResponse(*partial, 200));  // partial: only negative responses
  EXPECT_TRUE(ShouldSendResponse(*partial, 413));
}

TEST(RFC4975_7_2, ResponseGoesToPreviousHop) {
  const std::string text =
      "MSRP abcd1234 SEND\r\n"
      "To-Path: msrp://relay2.example.com:2855/r2;tcp msrp://bob.example.com:2855/b;tcp\r\n"
      "From-Path: msrp://relay1.example.com:2855/r1;tcp msrp://alice.example.com:2855/a;tcp\r\n"
      "Message-ID: msg0001\r\n"
      "-------abcd1234$\r\n";
  auto send = Parse(text);
  ASSERT_TRUE(send.ok()) << send.error();
  EXPECT_EQ(send->ToPath().size(), 2u);
  const MsrpMessage ok = MakeOkResponse(*send);
  EXPECT_EQ(*ok.Header("To-Path"), "msrp://relay1.example.com:2855/r1;tcp");
  EXPECT_EQ(*ok.Header("From-Path"), "msrp://relay2.example.com:2855/r2;tcp");
  // A REPORT is end to end: its To-Path is the whole From-Path of the SEND (7.1.2).
  const MsrpMessage report = MakeReport(*send, "efgh5678", ByteRange{1, 0, 0});
  EXPECT_EQ(*report.Header("To-Path"), "msrp://relay1.example.com:2855/r1;tcp msrp://alice.example.com:2855/a;tcp");
}

// ---- first line and grammar (section 9) -----------------------------------------------------

TEST(RFC4975_9, TransactionIdLength) {
  // ident = ALPHANUM 3*31ident-char: 4 to 32 characters.
  EXPECT_FALSE(IsMsrpIdent("abc"));
  EXPECT_TRUE(IsMsrpIdent("abcd"));
  EXPECT_TRUE(IsMsrpIdent(std::string(32, 'x')));
  EXPECT_FALSE(IsMsrpIdent(std::string(33, 'x')));
  EXPECT_FALSE(IsMsrpIdent("-abc"));
  EXPECT_TRUE(IsMsrpIdent("a.-+%="));
  EXPECT_FALSE(IsMsrpIdent("ab_cd"));

  auto short_id = Parse(Send("abc", "", ""));
  ASSERT_FALSE(short_id.ok());
  EXPECT_EQ(short_id.error().code, ErrorCode::kBadStartLine);
  EXPECT_EQ(short_id.error().offset, 5u);
  EXPECT_TRUE(Parse(Send(std::string(32, 'k'), "", "")).ok());
  auto long_id = Parse(Send(std::string(33, 'k'), "", ""));
  ASSERT_FALSE(long_id.ok());
  EXPECT_EQ(long_id.error().code, ErrorCode::kBadStartLine);
}

TEST(RFC4975_9, FirstLineIsCaseSensitiveMsrp) {
  for (const std::string prefix : {"msrp abcd1234 SEND\r\n", "MSRQ abcd1234 SEND\r\n", "MSRP abcd1234 send\r\n"}) {
    auto length = MsrpFrameLength(prefix);
    ASSERT_FALSE(length.ok()) << prefix;
    EXPECT_EQ(length.error().code, ErrorCode::kBadStartLine);
  }
  EXPECT_EQ(MsrpFrameLength("MSRQ").error().offset, 3u);
  EXPECT_EQ(MsrpFrameLength("MSRP abcd1234 send\r\n").error().offset, 14u);
}

TEST(RFC4975_9, ExtensionMethodAndStatusWithoutComment) {
  auto extension = Parse(std::string("MSRP abcd1234 NICKNAME\r\n") + kPaths + "-------abcd1234$\r\n");
  ASSERT_TRUE(extension.ok()) << extension.error();
  EXPECT_EQ(extension->method, "NICKNAME");
  auto response = Parse(std::string("MSRP abcd1234 481\r\n") + kPaths + "-------abcd1234$\r\n");
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status_code, 481);
  EXPECT_EQ(response->comment, "");
}

TEST(RFC4975_9, ToPathAndFromPathComeFirst) {
  const std::string swapped =
      "MSRP abcd1234 SEND\r\n"
      "From-Path: msrp://a.example.com:2855/s2;tcp\r\n"
      "To-Path: msrp://b.example.com:2855/s1;tcp\r\n"
      "Message-ID: msg0001\r\n"
      "-------abcd1234$\r\n";
  auto message = Parse(swapped);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kMissingHeader);
  EXPECT_EQ(message.error().offset, 20u);  // the first header line
  EXPECT_EQ(message.error().line, 2u);
}

TEST(RFC4975_9, HeaderNeedsColonAndSpace) {
  auto no_space = Parse(Send("abcd1234", "X-Thing:value\r\n", ""));
  ASSERT_FALSE(no_space.ok());
  EXPECT_EQ(no_space.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(no_space.error().line, 5u);
  EXPECT_EQ(no_space.error().column, 9u);
  auto bad_name = Parse(Send("abcd1234", "1X: value\r\n", ""));
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().code, ErrorCode::kBadHeader);
}

TEST(RFC4975_9, DuplicateSingletonHeader) {
  auto message = Parse(Send("abcd1234", "Message-ID: msg0002\r\n", ""));
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kDuplicateHeader);
  EXPECT_EQ(message.error().line, 5u);
}

TEST(RFC4975_9, ResponseCarriesNoBody) {
  const std::string text = std::string("MSRP abcd1234 200 OK\r\n") + kPaths + "Content-Type: text/plain\r\n\r\nx\r\n-------abcd1234$\r\n";
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadMsrp);
}

TEST(RFC4975_7_1, BodyNeedsContentTypeAsLastHeader) {
  const std::string no_type = std::string("MSRP abcd1234 SEND\r\n") + kPaths + "Message-ID: msg0001\r\n\r\nhi\r\n-------abcd1234$\r\n";
  auto missing = Parse(no_type);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMissingHeader);

  const std::string not_last = std::string("MSRP abcd1234 SEND\r\n") + kPaths +
                               "Content-Type: text/plain\r\nMessage-ID: msg0001\r\n\r\nhi\r\n-------abcd1234$\r\n";
  auto misplaced = Parse(not_last);
  ASSERT_FALSE(misplaced.ok());
  EXPECT_EQ(misplaced.error().code, ErrorCode::kBadMsrp);
  EXPECT_EQ(misplaced.error().line, 5u);
}

TEST(RFC4975_7_1, NonSendBodyLimit) {
  const std::string body(kMaxNonSendBodySize + 1, 'r');
  const std::string report = std::string("MSRP abcd1234 REPORT\r\n") + kPaths +
                             "Message-ID: msg0001\r\nStatus: 000 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body +
                             "\r\n-------abcd1234$\r\n";
  auto message = Parse(report);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kTooLarge);
}

TEST(RFC4975_7_1, EndLineFlags) {
  auto complete = Parse(Send("abcd1234", "", "x", '$'));
  auto continued = Parse(Send("abcd1234", "", "x", '+'));
  auto aborted = Parse(Send("abcd1234", "", "x", '#'));
  ASSERT_TRUE(complete.ok() && continued.ok() && aborted.ok());
  EXPECT_EQ(complete->flag, MsrpFlag::kComplete);
  EXPECT_EQ(continued->flag, MsrpFlag::kContinued);
  EXPECT_EQ(aborted->flag, MsrpFlag::kAborted);
  EXPECT_EQ(aborted->Serialize(), Send("abcd1234", "", "x", '#'));
  auto bad_flag = Parse(Send("abcd1234", "", "", '*'));
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_EQ(bad_flag.error().code, ErrorCode::kBadMsrp);
}

TEST(RFC4975_7_1, EndLineInsideBodyEndsTheMessage) {
  // A receiver takes the first CRLF end-line with its transaction id: a body holding it is cut
  // there, which is why the sender must pick another transaction id.
  const std::string text = Send("abcd1234", "", "one\r\n-------abcd1234$\r\ntwo");
  auto length = MsrpFrameLength(text);
  ASSERT_TRUE(length.ok()) << length.error();
  ASSERT_TRUE(length->has_value());
  const std::string first_part = text.substr(0, text.find("two"));
  EXPECT_EQ(**length, first_part.size());
  EXPECT_EQ(MsrpMessage::Parse(first_part)->body, "one");
  // An end-line for another id, or not at a line start, is body data.
  auto other = Parse(Send("abcd1234", "", "a\r\n-------zzzz9999$\r\nb-------abcd1234$"));
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_EQ(other->body, "a\r\n-------zzzz9999$\r\nb-------abcd1234$");
}

TEST(RFC4975_7_1, BodyContainsEndLine) {
  EXPECT_TRUE(BodyContainsEndLine("xx-------abcd1234$yy", "abcd1234"));
  EXPECT_TRUE(BodyContainsEndLine("xx-------abcd1234+", "abcd1234"));
  EXPECT_TRUE(BodyContainsEndLine("xx-------abcd1234", "abcd1234"));  // completed by the next CRLF+end-line
  EXPECT_FALSE(BodyContainsEndLine("xx-------abcd1234x", "abcd1234"));
  EXPECT_FALSE(BodyContainsEndLine("xx------abcd1234$", "abcd1234"));
}

TEST(RFC4975_7_1, SerializeOrdersPathsFirstAndContentTypeLast) {
  MsrpMessage message;
  message.method = "SEND";
  message.transaction_id = "tid00001";
  message.headers = {{"Content-Type", "text/plain"},
                     {"Message-ID", "m0000001"},
                     {"From-Path", "msrp://a.example.com:1/x;tcp"},
                     {"To-Path", "msrp://b.example.com:2/y;tcp"}};
  message.body = "hello";
  const std::string expected =
      "MSRP tid00001 SEND\r\n"
      "To-Path: msrp://b.example.com:2/y;tcp\r\n"
      "From-Path: msrp://a.example.com:1/x;tcp\r\n"
      "Message-ID: m0000001\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "hello\r\n"
      "-------tid00001$\r\n";
  EXPECT_EQ(message.Serialize(), expected);
  EXPECT_EQ(message.SerializedSize(), expected.size());
  EXPECT_TRUE(MsrpMessage::Parse(expected).ok());
}

TEST(RFC4975_9, TrailingBytesAfterEndLine) {
  auto message = Parse(Send("abcd1234", "", "x") + "junk");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadMsrp);
  EXPECT_EQ(message.error().offset, Send("abcd1234", "", "x").size());
}

// ---- typed headers --------------------------------------------------------------------------

TEST(RFC4975_9, ByteRangeGrammar) {
  EXPECT_EQ(ParseByteRange("1-2048/4385").value(), (ByteRange{1, 2048, 4385}));
  EXPECT_EQ(ParseByteRange("2049-*/*").value(), (ByteRange{2049, std::nullopt, std::nullopt}));
  EXPECT_EQ(ParseByteRange("1-0/0").value(), (ByteRange{1, 0, 0}));
  EXPECT_EQ(FormatByteRange(ByteRange{2049, std::nullopt, 4385}), "2049-*/4385");
  EXPECT_EQ(FormatByteRange(ByteRange{1, 25, 25}), "1-25/25");

  auto backwards = ParseByteRange("5-2/1");
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(backwards.error().offset, 2u);
  auto beyond = ParseByteRange("4380-4390/4385");
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, ErrorCode::kBadHeaderValue);
  auto zero = ParseByteRange("0-5/5");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kBadHeaderValue);
  // 10^20 does not fit 64 bits.
  auto huge = ParseByteRange("1-10/100000000000000000000");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, ErrorCode::kBadNumber);
  EXPECT_EQ(huge.error().offset, 5u);
  for (const char* bad : {"", "1", "1-2", "a-2/3", "1-2/3x", "-1-2/3", "1--2/3"}) {
    EXPECT_FALSE(ParseByteRange(bad).ok()) << bad;
  }
}

TEST(RFC4975_9, ByteRangeErrorPositionInMessage) {
  const std::string text = Send("abcd1234", "Byte-Range: 5-2/1\r\n", "");
  auto message = Parse(text);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(message.error().offset, text.find("5-2/1") + 2);
}

TEST(RFC4975_9, StatusGrammar) {
  EXPECT_EQ(ParseMsrpStatus("000 200 OK").value(), (MsrpStatus{0, 200, "OK"}));
  EXPECT_EQ(ParseMsrpStatus("000 413").value(), (MsrpStatus{0, 413, ""}));
  EXPECT_EQ(FormatMsrpStatus(MsrpStatus{0, 408, "timeout"}), "000 408 timeout");
  for (const char* bad : {"0 200", "000 20", "000200", "abc 200", "000 200x"}) {
    EXPECT_FALSE(ParseMsrpStatus(bad).ok()) << bad;
  }
}

TEST(RFC4975_9, ReportHeadersGrammar) {
  auto bad_success = Parse(Send("abcd1234", "Success-Report: partial\r\n", ""));
  ASSERT_FALSE(bad_success.ok());
  EXPECT_EQ(bad_success.error().code, ErrorCode::kBadHeaderValue);
  auto bad_failure = Parse(Send("abcd1234", "Failure-Report: maybe\r\n", ""));
  ASSERT_FALSE(bad_failure.ok());
  EXPECT_EQ(bad_failure.error().code, ErrorCode::kBadHeaderValue);
  auto bad_id = Parse(std::string("MSRP abcd1234 SEND\r\n") + kPaths + "Message-ID: ab\r\n-------abcd1234$\r\n");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().code, ErrorCode::kBadHeaderValue);
  auto no_id = Parse(std::string("MSRP abcd1234 SEND\r\n") + kPaths + "-------abcd1234$\r\n");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, ErrorCode::kMissingHeader);
  auto no_status = Parse(std::string("MSRP abcd1234 REPORT\r\n") + kPaths + "Message-ID: msg0001\r\n-------abcd1234$\r\n");
  ASSERT_FALSE(no_status.ok());
  EXPECT_EQ(no_status.error().code, ErrorCode::kMissingHeader);
}

// ---- MSRP URIs (section 6) ------------------------------------------------------------------

TEST(RFC4975_6, UriFields) {
  auto uri = ParseMsrpUri("msrp://bobpc.example.com:8888/9di4ea;tcp");
  ASSERT_TRUE(uri.ok()) << uri.error();
  EXPECT_FALSE(uri->secure);
  EXPECT_EQ(uri->authority_host, "bobpc.example.com");
  EXPECT_EQ(uri->port, std::optional<std::uint16_t>(8888));
  EXPECT_EQ(uri->session_id, "9di4ea");
  EXPECT_EQ(uri->transport, "tcp");
  EXPECT_EQ(uri->ToString(), "msrp://bobpc.example.com:8888/9di4ea;tcp");

  auto full = ParseMsrpUri("msrps://alice@[2001:db8::1]:7777/a+b=c/d;tcp;foo=bar;flag");
  ASSERT_TRUE(full.ok()) << full.error();
  EXPECT_TRUE(full->secure);
  EXPECT_EQ(full->userinfo, "alice");
  EXPECT_EQ(full->authority_host, "[2001:db8::1]");
  EXPECT_EQ(full->session_id, "a+b=c/d");
  ASSERT_EQ(full->params.size(), 2u);
  EXPECT_EQ(full->params[0].name, "foo");
  EXPECT_EQ(full->params[0].value, std::optional<std::string>("bar"));
  EXPECT_EQ(full->ToString(), "msrps://alice@[2001:db8::1]:7777/a+b=c/d;tcp;foo=bar;flag");

  auto no_session = ParseMsrpUri("msrp://relay.example.com;tcp");
  ASSERT_TRUE(no_session.ok()) << no_session.error();
  EXPECT_EQ(no_session->session_id, "");
  EXPECT_FALSE(no_session->port.has_value());
}

TEST(RFC4975_6, UriErrors) {
  struct Case {
    const char* text;
    std::size_t offset;
  };
  for (const Case& c : {Case{"sip://a.example.com;tcp", 0}, Case{"msrp://a.example.com:8888/s1", 28},
                        Case{"msrp://a.example.com:70000/s;tcp", 21}, Case{"msrp://:80/s;tcp", 7},
                        Case{"msrp://a.example.com/;tcp", 21}, Case{"msrp://a.exa mple.com/s;tcp", 12},
                        Case{"msrp://[2001:db8::1/s;tcp", 7}, Case{"msrp://h/s;tcp;", 15}}) {
    auto uri = ParseMsrpUri(c.text);
    ASSERT_FALSE(uri.ok()) << c.text;
    EXPECT_EQ(uri.error().code, ErrorCode::kBadUri) << c.text;
    EXPECT_EQ(uri.error().offset, c.offset) << c.text;
  }
  auto long_uri = ParseMsrpUri("msrp://" + std::string(kMaxMsrpUriLength, 'a') + ";tcp");
  ASSERT_FALSE(long_uri.ok());
  EXPECT_EQ(long_uri.error().code, ErrorCode::kTooLarge);
}

TEST(RFC4975_6_1, UriComparison) {
  const auto equivalent = [](const char* a, const char* b) {
    return MsrpUriEquivalent(ParseMsrpUri(a).value(), ParseMsrpUri(b).value());
  };
  EXPECT_TRUE(equivalent("msrp://Bob.Example.com:8888/9di4ea;tcp", "MSRP://bob.example.COM:8888/9di4ea;TCP"));
  EXPECT_TRUE(equivalent("msrp://user@h.example.com:1/s;tcp", "msrp://h.example.com:1/s;tcp"));  // userinfo ignored
  EXPECT_TRUE(equivalent("msrp://%68.example.com:1/s;tcp", "msrp://h.example.com:1/s;tcp"));    // %68 is 'h'
  EXPECT_FALSE(equivalent("msrp://h.example.com:1/S;tcp", "msrp://h.example.com:1/s;tcp"));    // session-id case
  EXPECT_FALSE(equivalent("msrp://h.example.com/s;tcp", "msrp://h.example.com:2855/s;tcp"));   // explicit port
  EXPECT_FALSE(equivalent("msrps://h.example.com:1/s;tcp", "msrp://h.example.com:1/s;tcp"));
  EXPECT_FALSE(equivalent("msrp://h.example.com:1/s;tcp", "msrp://h.example.com:1/s;sctp"));
  EXPECT_FALSE(equivalent("msrp://h.example.com:1;tcp", "msrp://h.example.com:1/s;tcp"));
}

TEST(RFC4975_9, PathIsSpaceSeparated) {
  auto path = ParseMsrpPath("msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp");
  ASSERT_TRUE(path.ok()) << path.error();
  ASSERT_EQ(path->size(), 2u);
  EXPECT_EQ((*path)[1].authority_host, "b.example.com");
  EXPECT_EQ(FormatMsrpPath(*path), "msrp://a.example.com:1/x;tcp msrp://b.example.com:2/y;tcp");
  auto doubled = ParseMsrpPath("msrp://a.example.com:1/x;tcp  msrp://b.example.com:2/y;tcp");
  ASSERT_FALSE(doubled.ok());
  EXPECT_EQ(doubled.error().offset, 29u);
  auto bad_second = ParseMsrpPath("msrp://a.example.com:1/x;tcp http://b");
  ASSERT_FALSE(bad_second.ok());
  EXPECT_EQ(bad_second.error().offset, 29u);  // where the second URI starts
}

// ---- framing --------------------------------------------------------------------------------

TEST(RFC4975_7_1, FramingTwoMessagesInOneBuffer) {
  const std::string first = Send("abcd1234", "", "first body");
  const std::string second = Send("efgh5678", "", "second body", '+');
  const std::string stream = first + second;
  auto one = MsrpFrameLength(stream);
  ASSERT_TRUE(one.ok()) << one.error();
  ASSERT_EQ(*one, std::optional<std::size_t>(first.size()));
  auto two = MsrpFrameLength(std::string_view(stream).substr(first.size()));
  ASSERT_TRUE(two.ok()) << two.error();
  EXPECT_EQ(*two, std::optional<std::size_t>(second.size()));
}

TEST(RFC4975_7_1, FramingOneByteAtATime) {
  for (const std::string* text : {&kTsSend1, &kTsOk1}) {
    for (std::size_t size = 0; size < text->size(); ++size) {
      auto length = MsrpFrameLength(std::string_view(*text).substr(0, size));
      ASSERT_TRUE(length.ok()) << "at " << size << ": " << length.error();
      ASSERT_FALSE(length->has_value()) << "complete after only " << size << " bytes";
    }
    auto length = MsrpFrameLength(*text);
    ASSERT_TRUE(length.ok());
    EXPECT_EQ(*length, std::optional<std::size_t>(text->size()));
  }
}

TEST(RFC4975_7_1, FramingNoEndLineWithinLimit) {
  MsrpLimits limits;
  limits.max_body_size = 64;
  std::string stream = std::string("MSRP abcd1234 SEND\r\n") + kPaths + "Message-ID: msg0001\r\nContent-Type: text/plain\r\n\r\n";
  const std::size_t body_offset = stream.size();
  stream += std::string(200, 'z');
  auto length = MsrpFrameLength(stream, limits);
  ASSERT_FALSE(length.ok());
  EXPECT_EQ(length.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(length.error().offset, body_offset);
  // Below the limit the framer still waits for more bytes.
  auto waiting = MsrpFrameLength(std::string_view(stream).substr(0, body_offset + 32), limits);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
  // A body of exactly the limit is accepted; one byte more is not.
  EXPECT_TRUE(Parse(Send("abcd1234", "", std::string(64, 'q')), limits).ok());
  auto over = Parse(Send("abcd1234", "", std::string(65, 'q')), limits);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kTooLarge);
}

TEST(RFC4975_7_1, FramingWrongTransactionIdInEndLine) {
  // Without a body the end-line follows the headers; another id there cannot become valid.
  const std::string text = std::string("MSRP abcd1234 200 OK\r\n") + kPaths + "-------wxyz9876$\r\n";
  auto length = MsrpFrameLength(text);
  ASSERT_FALSE(length.ok());
  EXPECT_EQ(length.error().code, ErrorCode::kBadMsrp);
  EXPECT_EQ(length.error().line, 4u);
  EXPECT_EQ(length.error().column, 1u);
  // After a body another id is body data: the framer keeps waiting, Parse reports truncation.
  const std::string with_body = std::string("MSRP abcd1234 SEND\r\n") + kPaths +
                                "Message-ID: msg0001\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------wxyz9876$\r\n";
  auto waiting = MsrpFrameLength(with_body);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
  auto parsed = Parse(with_body);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(parsed.error().offset, with_body.size());
}

TEST(RFC4975_7_1, FramingHostileInputs) {
  const std::string junk("\x00\xff\x13\x37garbage\r\n", 13);
  auto binary = MsrpFrameLength(junk);
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.error().code, ErrorCode::kBadStartLine);
  EXPECT_EQ(binary.error().offset, 0u);

  // A 100 KB header line.
  const std::string head = std::string("MSRP abcd1234 SEND\r\n") + kPaths;
  const std::string huge = head + "X-Big: " + std::string(100 * 1024, 'h') + "\r\n-------abcd1234$\r\n";
  auto big = MsrpFrameLength(huge);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(big.error().offset, head.size());
  EXPECT_EQ(Parse(huge).error().code, ErrorCode::kTooLarge);

  // An endless first line.
  auto endless = MsrpFrameLength("MSRP " + std::string(5000, 'a'));
  ASSERT_FALSE(endless.ok());
  EXPECT_EQ(endless.error().code, ErrorCode::kTooLarge);

  // 65 header lines.
  std::string many = head;
  for (int i = 0; i < 63; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "-------abcd1234$\r\n";
  auto too_many = MsrpFrameLength(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(too_many.error().line, 66u);

  // A bare LF ends no MSRP line.
  auto bare_lf = MsrpFrameLength("MSRP abcd1234 SEND\n");
  ASSERT_FALSE(bare_lf.ok());
  EXPECT_EQ(bare_lf.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(bare_lf.error().offset, 18u);

  // Control bytes in a header value.
  auto control = Parse(Send("abcd1234", std::string("X-C: a\x01z\r\n"), ""));
  ASSERT_FALSE(control.ok());
  EXPECT_EQ(control.error().code, ErrorCode::kBadCharacter);
}

// ---- chunking (sections 5.1, 7.1.1) ---------------------------------------------------------

MsrpChunkerOptions JpegOptions() {
  MsrpChunkerOptions options;
  options.to_path = {ParseMsrpUri("msrp://bobpc.example.com:8888/9di4ea;tcp").value()};
  options.from_path = {ParseMsrpUri("msrp://push-sender-agent.example.com:7654/iau39;tcp").value()};
  options.message_id = "12339sdqwer";
  options.content_type = "message/cpim";
  options.success_report = true;
  options.max_chunk_size = 2048;
  return options;
}

TEST(RFC4975_7_1_1, Chunk4385BytesInto2048) {
  const std::string body = PatternBody(4385);
  const auto chunks = ChunkMessage(body, JpegOptions(), Script({1, 2, 3}));
  ASSERT_EQ(chunks.size(), 3u);
  // 4385 = 2048 + 2048 + 289.
  EXPECT_EQ(*chunks[0].Header("Byte-Range"), "1-2048/4385");
  EXPECT_EQ(*chunks[1].Header("Byte-Range"), "2049-4096/4385");
  EXPECT_EQ(*chunks[2].Header("Byte-Range"), "4097-4385/4385");
  EXPECT_EQ(chunks[0].flag, MsrpFlag::kContinued);
  EXPECT_EQ(chunks[1].flag, MsrpFlag::kContinued);
  EXPECT_EQ(chunks[2].flag, MsrpFlag::kComplete);
  EXPECT_EQ(chunks[0].body.size(), 2048u);
  EXPECT_EQ(chunks[2].body.size(), 289u);
  EXPECT_EQ(chunks[0].body + chunks[1].body + chunks[2].body, body);
  // 64 random bits as 13 base-36 digits: 1 -> "0000000000001".
  EXPECT_EQ(chunks[0].transaction_id, "0000000000001");
  EXPECT_EQ(chunks[1].transaction_id, "0000000000002");
  for (const MsrpMessage& chunk : chunks) {
    auto parsed = MsrpMessage::Parse(chunk.Serialize());
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->MessageId(), std::optional<std::string>("12339sdqwer"));
    EXPECT_TRUE(parsed->SuccessReport());
    EXPECT_EQ(parsed->ContentType(), std::optional<std::string>("message/cpim"));
    EXPECT_EQ(*parsed->Header("To-Path"), "msrp://bobpc.example.com:8888/9di4ea;tcp");
  }
}

TEST(RFC4975_7_1, ChunkerAvoidsEndLineInBody) {
  // The first two draws give "0000000000000", whose end-line is in the body; the third is used.
  const std::string body = "data\r\n-------0000000000000$\r\nmore";
  const auto chunks = ChunkMessage(body, JpegOptions(), Script({0, 0, 1}));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].transaction_id, "0000000000001");
  auto parsed = MsrpMessage::Parse(chunks[0].Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->body, body);
}

TEST(RFC4975_7_1, ChunkerUsesFreshIdPerChunk) {
  MsrpChunkerOptions options = JpegOptions();
  options.max_chunk_size = 4;
  const auto chunks = ChunkMessage("abcdefgh", options, Script({7, 7, 8}));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].transaction_id, "0000000000007");
  EXPECT_EQ(chunks[1].transaction_id, "0000000000008");
}

TEST(RFC4975_7_1_1, ChunkerEmptyBodyAndReportOptions) {
  MsrpChunkerOptions options = JpegOptions();
  options.success_report = false;
  options.failure_report = MsrpFailureReport::kPartial;
  const auto chunks = ChunkMessage("", options, Script({42}));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(*chunks[0].Header("Byte-Range"), "1-0/0");
  EXPECT_EQ(chunks[0].flag, MsrpFlag::kComplete);
  EXPECT_EQ(chunks[0].Header("Content-Type"), nullptr);
  EXPECT_EQ(chunks[0].Header("Success-Report"), nullptr);
  EXPECT_EQ(*chunks[0].Header("Failure-Report"), "partial");
  EXPECT_TRUE(MsrpMessage::Parse(chunks[0].Serialize()).ok());
}

// ---- reassembly (section 7.3.1) -------------------------------------------------------------

MsrpMessage Chunk(const std::string& byte_range, const std::string& body, MsrpFlag flag,
                  const std::string& message_id = "12339sdqwer") {
  MsrpMessage chunk;
  chunk.method = "SEND";
  chunk.transaction_id = "tid00001";
  chunk.headers = {{"To-Path", "msrp://b.example.com:1/s;tcp"},
                   {"From-Path", "msrp://a.example.com:1/s;tcp"},
                   {"Message-ID", message_id}};
  if (!byte_range.empty()) chunk.headers.emplace_back("Byte-Range", byte_range);
  chunk.headers.emplace_back("Content-Type", "text/plain");
  chunk.body = body;
  chunk.flag = flag;
  return chunk;
}

TEST(RFC4975_7_3_1, ReassembleOutOfOrderWithDuplicates) {
  const std::string body = PatternBody(4385);
  const auto chunks = ChunkMessage(body, JpegOptions(), Script({}));
  MsrpReassembler reassembler("12339sdqwer");
  for (std::size_t index : {2u, 0u, 2u, 0u}) {
    auto added = reassembler.Add(chunks[index]);
    ASSERT_TRUE(added.ok()) << added.error();
    EXPECT_FALSE(added.value());
  }
  EXPECT_EQ(reassembler.Total(), std::optional<std::uint64_t>(4385));
  EXPECT_EQ(reassembler.BytesReceived(), 2048u + 289u);
  EXPECT_EQ(reassembler.Ranges(), (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1, 2048}, {4097, 4385}}));
  EXPECT_EQ(reassembler.TakeBody(), "");  // not complete yet
  auto last = reassembler.Add(chunks[1]);
  ASSERT_TRUE(last.ok()) << last.error();
  EXPECT_TRUE(last.value());
  EXPECT_TRUE(reassembler.Complete());
  EXPECT_EQ(reassembler.RangeCount(), 1u);
  EXPECT_EQ(reassembler.TakeBody(), body);
}

TEST(RFC4975_7_3_1, ReassembleOverlaps) {
  const std::string body = PatternBody(100);
  MsrpReassembler reassembler("12339sdqwer");
  ASSERT_TRUE(reassembler.Add(Chunk("41-100/100", body.substr(40), MsrpFlag::kComplete)).ok());
  ASSERT_TRUE(reassembler.Add(Chunk("1-30/100", body.substr(0, 30), MsrpFlag::kContinued)).ok());
  EXPECT_EQ(reassembler.RangeCount(), 2u);
  auto done = reassembler.Add(Chunk("20-60/100", body.substr(19, 41), MsrpFlag::kContinued));
  ASSERT_TRUE(done.ok()) << done.error();
  EXPECT_TRUE(done.value());
  EXPECT_EQ(reassembler.TakeBody(), body);
}

TEST(RFC4975_7_1_1, ReassembleUnknownTotalUntilLastChunk) {
  const std::string body = PatternBody(30);
  MsrpReassembler reassembler("12339sdqwer");
  ASSERT_TRUE(reassembler.Add(Chunk("1-10/*", body.substr(0, 10), MsrpFlag::kContinued)).ok());
  ASSERT_TRUE(reassembler.Add(Chunk("11-*/*", body.substr(10, 10), MsrpFlag::kContinued)).ok());
  EXPECT_FALSE(reassembler.Total().has_value());
  EXPECT_FALSE(reassembler.Complete());
  auto last = reassembler.Add(Chunk("21-*/*", body.substr(20), MsrpFlag::kComplete));
  ASSERT_TRUE(last.ok()) << last.error();
  EXPECT_EQ(reassembler.Total(), std::optional<std::uint64_t>(30));
  EXPECT_TRUE(last.value());
  EXPECT_EQ(reassembler.TakeBody(), body);
}

TEST(RFC4975_7_3_1, ChunkWithoutByteRangeIsWholeMessage) {
  MsrpReassembler reassembler("12339sdqwer");
  auto added = reassembler.Add(Chunk("", "Hello", MsrpFlag::kComplete));
  ASSERT_TRUE(added.ok()) << added.error();
  EXPECT_TRUE(added.value());
  EXPECT_EQ(reassembler.TakeBody(), "Hello");
}

TEST(RFC4975_7_1, AbortedChunkAbortsMessage) {
  MsrpReassembler reassembler("12339sdqwer");
  ASSERT_TRUE(reassembler.Add(Chunk("1-5/10", "abcde", MsrpFlag::kContinued)).ok());
  auto aborted = reassembler.Add(Chunk("6-*/10", "fg", MsrpFlag::kAborted));
  ASSERT_TRUE(aborted.ok());
  EXPECT_FALSE(aborted.value());
  EXPECT_TRUE(reassembler.Aborted());
  EXPECT_FALSE(reassembler.Complete());
  auto later = reassembler.Add(Chunk("6-10/10", "fghij", MsrpFlag::kComplete));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::kBadMsrp);
  EXPECT_EQ(reassembler.TakeBody(), "");
}

TEST(RFC4975_7_3_1, ReassemblerRefusesHostileChunks) {
  MsrpReassembler reassembler("12339sdqwer");
  // 10^19 fits 64 bits but not the 64 MiB default limit.
  auto huge = reassembler.Add(Chunk("1-5/10000000000000000000", "abcde", MsrpFlag::kContinued));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, ErrorCode::kTooLarge);
  auto far = reassembler.Add(Chunk("18446744073709551615-*/*", "abcde", MsrpFlag::kContinued));
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().code, ErrorCode::kTooLarge);
  auto longer_than_range = reassembler.Add(Chunk("1-3/10", "abcde", MsrpFlag::kContinued));
  ASSERT_FALSE(longer_than_range.ok());
  EXPECT_EQ(longer_than_range.error().code, ErrorCode::kBadHeaderValue);
  auto beyond_total = reassembler.Add(Chunk("8-*/10", "abcde", MsrpFlag::kContinued));
  ASSERT_FALSE(beyond_total.ok());
  EXPECT_EQ(beyond_total.error().code, ErrorCode::kBadHeaderValue);
  auto other_message = reassembler.Add(Chunk("1-5/10", "abcde", MsrpFlag::kContinued, "othermsg"));
  ASSERT_FALSE(other_message.ok());
  EXPECT_EQ(other_message.error().code, ErrorCode::kBadHeaderValue);
  MsrpMessage report = Chunk("1-5/10", "abcde", MsrpFlag::kContinued);
  report.method = "REPORT";
  EXPECT_FALSE(reassembler.Add(report).ok());
  // None of the refused chunks left anything behind.
  EXPECT_EQ(reassembler.RangeCount(), 0u);
  EXPECT_FALSE(reassembler.Total().has_value());

  ASSERT_TRUE(reassembler.Add(Chunk("1-5/10", "abcde", MsrpFlag::kContinued)).ok());
  auto contradicting = reassembler.Add(Chunk("6-10/12", "fghij", MsrpFlag::kContinued));
  ASSERT_FALSE(contradicting.ok());
  EXPECT_EQ(contradicting.error().code, ErrorCode::kBadHeaderValue);
  auto early_end = reassembler.Add(Chunk("6-8/10", "fgh", MsrpFlag::kComplete));  // '$' at 8, total 10
  ASSERT_FALSE(early_end.ok());
  EXPECT_EQ(early_end.error().code, ErrorCode::kBadHeaderValue);
}

TEST(RFC4975_7_3_1, ReassemblerBoundsMemory) {
  MsrpReassemblyLimits limits;
  limits.max_message_size = 1000;
  limits.max_ranges = 4;
  MsrpReassembler reassembler("12339sdqwer", limits);
  auto too_big = reassembler.Add(Chunk("1-5/1001", "abcde", MsrpFlag::kContinued));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);
  auto end_too_far = reassembler.Add(Chunk("999-*/*", "abc", MsrpFlag::kContinued));
  ASSERT_FALSE(end_too_far.ok());
  EXPECT_EQ(end_too_far.error().code, ErrorCode::kTooLarge);
  // Four disjoint one-byte ranges fit; a fifth does not, a byte joining two of them does.
  for (const char* range : {"1-1/*", "3-3/*", "5-5/*", "7-7/*"}) {
    ASSERT_TRUE(reassembler.Add(Chunk(range, "x", MsrpFlag::kContinued)).ok()) << range;
  }
  auto fifth = reassembler.Add(Chunk("9-9/*", "x", MsrpFlag::kContinued));
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(reassembler.RangeCount(), 4u);
  ASSERT_TRUE(reassembler.Add(Chunk("2-2/*", "y", MsrpFlag::kContinued)).ok());
  EXPECT_EQ(reassembler.RangeCount(), 3u);
  EXPECT_EQ(reassembler.Ranges().front(), (std::pair<std::uint64_t, std::uint64_t>{1, 3}));
}

TEST(RFC4975_7_1_1, ReassembleChunksFromWire) {
  // The full path: chunk, serialize, frame from one stream, parse, reassemble.
  const std::string body = PatternBody(5000);
  MsrpChunkerOptions options = JpegOptions();
  options.max_chunk_size = 1024;
  const auto chunks = ChunkMessage(body, options, Script({}));
  ASSERT_EQ(chunks.size(), 5u);
  std::string stream;
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) stream += it->Serialize();
  MsrpReassembler reassembler("12339sdqwer");
  std::string_view rest = stream;
  while (!rest.empty()) {
    auto length = MsrpFrameLength(rest);
    ASSERT_TRUE(length.ok() && length->has_value());
    auto chunk = MsrpMessage::Parse(rest.substr(0, **length));
    ASSERT_TRUE(chunk.ok()) << chunk.error();
    ASSERT_TRUE(reassembler.Add(*chunk).ok());
    rest.remove_prefix(**length);
  }
  ASSERT_TRUE(reassembler.Complete());
  EXPECT_EQ(reassembler.TakeBody(), body);
}

}  // namespace
}  // namespace pushsim::wire
