// The HTTP/1.1 codec (RFC 9112 message syntax and framing, RFC 9110 fields and http URLs).
#include "wire/http.h"

#include <gtest/gtest.h>

#include <string>

namespace pushsim::wire {
namespace {

// RFC 9112 section 2.1, the example request and response.
constexpr std::string_view kExampleRequest =
    "GET /hello.txt HTTP/1.1\r\n"
    "User-Agent: curl/7.64.1\r\n"
    "Host: www.example.com\r\n"
    "Accept-Language: en, mi\r\n"
    "\r\n";

constexpr std::string_view kExampleResponse =
    "HTTP/1.1 200 OK\r\n"
    "Date: Mon, 27 Jul 2009 12:28:53 GMT\r\n"
    "Server: Apache\r\n"
    "Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT\r\n"
    "ETag: \"34aa387-d-1568eb00\"\r\n"
    "Accept-Ranges: bytes\r\n"
    "Content-Length: 51\r\n"
    "Vary: Accept-Encoding\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hello World! My content includes a trailing CRLF.\r\n";

// Frames `stream` as a server would; returns the status a server answers an error with.
int RejectStatus(std::string_view stream, ErrorCode* code = nullptr, std::size_t* offset = nullptr) {
  int status = 0;
  auto frame = HttpFrameLength(stream, {}, &status);
  if (frame.ok()) return 0;
  if (code) *code = frame.error().code;
  if (offset) *offset = frame.error().offset;
  return status;
}

TEST(HttpCodec, RFC9112_2_1_ExampleRequest) {
  auto message = HttpMessage::Parse(kExampleRequest);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_TRUE(message->IsRequest());
  EXPECT_EQ(message->method(), "GET");
  EXPECT_EQ(message->target(), "/hello.txt");
  EXPECT_EQ(message->version_major(), 1);
  EXPECT_EQ(message->version_minor(), 1);
  ASSERT_EQ(message->fields().size(), 3u);
  EXPECT_EQ(message->fields()[0], (HttpField{"User-Agent", "curl/7.64.1"}));
  EXPECT_EQ(message->fields()[2], (HttpField{"Accept-Language", "en, mi"}));
  // RFC 9110 5.1: field names are case-insensitive.
  EXPECT_EQ(message->Get("HOST"), "www.example.com");
  EXPECT_TRUE(message->body().empty());
}

TEST(HttpCodec, RFC9112_2_1_ExampleResponse) {
  auto message = HttpMessage::Parse(kExampleResponse);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_TRUE(message->IsResponse());
  EXPECT_EQ(message->status_code(), 200);
  EXPECT_EQ(message->reason(), "OK");
  EXPECT_EQ(message->Get("etag"), "\"34aa387-d-1568eb00\"");
  EXPECT_EQ(message->body(), "Hello World! My content includes a trailing CRLF.\r\n");
  EXPECT_EQ(message->body().size(), 51u);
}

TEST(HttpCodec, RFC9112_5_FieldValueWithoutSurroundingOws) {
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t v 1 \t\r\nX-B:\r\n\r\n");
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->Get("Host"), "a");
  EXPECT_EQ(message->Get("X-A"), "v 1");
  EXPECT_EQ(message->Get("X-B"), "");
}

TEST(HttpCodec, RFC9112_2_2_LeadingEmptyLinesAreIgnored) {
  const std::string stream = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  auto frame = HttpFrameLength(stream);
  ASSERT_TRUE(frame.ok()) << frame.error();
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ(**frame, stream.size());
  auto message = HttpMessage::Parse(stream);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->target(), "/");
}

TEST(HttpCodec, RFC9112_2_2_BareLfIsRejected) {
  ErrorCode code{};
  std::size_t offset = 0;
  // "GET / HTTP/1.1" is 14 bytes: the LF at offset 14 ends the line without a CR.
  EXPECT_EQ(RejectStatus("GET / HTTP/1.1\nHost: a\n\n", &code, &offset), 400);
  EXPECT_EQ(code, ErrorCode::kBadCharacter);
  EXPECT_EQ(offset, 14u);
}

TEST(HttpCodec, RFC9112_2_2_BareCrIsRejected) {
  ErrorCode code{};
  std::size_t offset = 0;
  // 16 bytes of request-line, then "Host: a" (7), then the CR at 23 not followed by LF.
  EXPECT_EQ(RejectStatus("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", &code, &offset), 400);
  EXPECT_EQ(code, ErrorCode::kBadCharacter);
  EXPECT_EQ(offset, 23u);
}

TEST(HttpCodec, RFC9112_5_1_WhitespaceBeforeColonIsRejected) {
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\nHost : a\r\n\r\n");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(message.error().offset, 20u);  // the space after "Host"
  EXPECT_EQ(message.error().line, 2u);
  EXPECT_EQ(message.error().column, 5u);
}

TEST(HttpCodec, RFC9112_5_2_ObsFoldIsRejected) {
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(message.error().offset, 31u);  // 16 + 9 + 6: the continuation line
}

TEST(HttpCodec, RFC9112_2_2_WhitespaceAfterStartLineIsRejected) {
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\n Host: a\r\n\r\n");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(message.error().offset, 16u);
}

TEST(HttpCodec, RFC9110_5_5_NulAndControlsInFieldValueAreRejected) {
  const std::string with_nul = std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a") + '\0' + "b\r\n\r\n";
  auto message = HttpMessage::Parse(with_nul);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadCharacter);
  EXPECT_EQ(message.error().offset, 29u);  // 16 + 9 + "X: a"
  auto escape = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[0m\r\n\r\n");
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.error().code, ErrorCode::kBadCharacter);
  // obs-text (bytes 0x80-0xFF) is field-content.
  EXPECT_TRUE(HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n").ok());
}

TEST(HttpCodec, RFC9110_5_1_FieldNameMustBeToken) {
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadHeader);
  EXPECT_EQ(message.error().offset, 26u);
  auto no_colon = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n");
  ASSERT_FALSE(no_colon.ok());
  EXPECT_EQ(no_colon.error().code, ErrorCode::kBadHeader);
  auto empty_name = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n");
  ASSERT_FALSE(empty_name.ok());
  EXPECT_EQ(empty_name.error().code, ErrorCode::kBadHeader);
}

TEST(HttpCodec, RFC9112_3_2_Http11RequestNeedsExactlyOneHost) {
  auto missing = HttpMessage::Parse("GET / HTTP/1.1\r\n\r\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMissingHeader);
  auto twice = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kDuplicateHeader);
  auto invalid = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kBadHeaderValue);
  EXPECT_EQ(RejectStatus("GET / HTTP/1.1\r\n\r\n"), 400);
  // HTTP/1.0 predates the rule; an empty Host is what a client sends for a URI without authority.
  EXPECT_TRUE(HttpMessage::Parse("GET / HTTP/1.0\r\n\r\n").ok());
  EXPECT_TRUE(HttpMessage::Parse("GET / HTTP/1.1\r\nHost:\r\n\r\n").ok());
  EXPECT_TRUE(HttpMessage::Parse("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n").ok());
}

TEST(HttpCodec, RFC9112_3_RequestLineGrammar) {
  struct Case {
    const char* input;
    std::size_t offset;
  };
  for (const Case& c : {Case{"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 6},  // SP inside the target (3.2)
                        Case{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 4},   // empty target
                        Case{"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 1},    // method not a token
                        Case{"GET / http/1.1\r\nHost: a\r\n\r\n", 6},    // HTTP-name is case-sensitive (2.3)
                        Case{"GET / HTTP/1.10\r\nHost: a\r\n\r\n", 6},   // one digit each
                        Case{"GET /\r\nHost: a\r\n\r\n", 4}}) {           // no version
    auto message = HttpMessage::Parse(c.input);
    ASSERT_FALSE(message.ok()) << c.input;
    EXPECT_EQ(message.error().code, ErrorCode::kBadStartLine) << c.input;
    EXPECT_EQ(message.error().offset, c.offset) << c.input;
  }
  const std::string with_del = std::string("GET /a") + '\x7f' + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(HttpMessage::Parse(with_del).error().code, ErrorCode::kBadStartLine);
  // Minor versions above 1 are HTTP/1.x too (RFC 9110 2.5).
  auto newer = HttpMessage::Parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(newer.ok()) << newer.error();
  EXPECT_EQ(newer->version_minor(), 2);
}

TEST(HttpCodec, RFC9110_15_6_6_OtherMajorVersionGets505) {
  ErrorCode code{};
  EXPECT_EQ(RejectStatus("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &code), 505);
  EXPECT_EQ(code, ErrorCode::kBadStartLine);
  EXPECT_EQ(RejectStatus("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), 505);
}

TEST(HttpCodec, RFC9112_4_StatusLineGrammar) {
  auto not_found = HttpMessage::Parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(not_found.ok()) << not_found.error();
  EXPECT_EQ(not_found->status_code(), 404);
  EXPECT_EQ(not_found->reason(), "Not Found");
  // reason-phrase is optional, the SP before it is not.
  auto empty_reason = HttpMessage::Parse("HTTP/1.1 204 \r\n\r\n");
  ASSERT_TRUE(empty_reason.ok()) << empty_reason.error();
  EXPECT_EQ(empty_reason->reason(), "");
  struct Case {
    const char* input;
    std::size_t offset;
  };
  for (const Case& c : {Case{"HTTP/1.1 200\r\n\r\n", 0}, Case{"HTTP/1.1 20x OK\r\n\r\n", 11},
                        Case{"HTTP/1.1 600 Odd\r\n\r\n", 9}, Case{"HTTP/1.1 099 Odd\r\n\r\n", 9},
                        Case{"HTTP/1.1  200 OK\r\n\r\n", 9}, Case{"HTTP/1.1 2000 OK\r\n\r\n", 12}}) {
    auto message = HttpMessage::Parse(c.input);
    ASSERT_FALSE(message.ok()) << c.input;
    EXPECT_EQ(message.error().code, ErrorCode::kBadStartLine) << c.input;
    EXPECT_EQ(message.error().offset, c.offset) << c.input;
  }
}

TEST(HttpCodec, RFC9112_6_3_ContentLengthFramesPipelinedMessages) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string stream = first + second;
  auto frame = HttpFrameLength(stream);
  ASSERT_TRUE(frame.ok()) << frame.error();
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ(**frame, first.size());
  auto rest = HttpFrameLength(std::string_view(stream).substr(first.size()));
  ASSERT_TRUE(rest.ok() && rest->has_value());
  EXPECT_EQ(**rest, second.size());
  auto message = HttpMessage::Parse(std::string_view(stream).substr(0, first.size()));
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->body(), "hello");
}

TEST(HttpCodec, RFC9112_6_3_EveryPrefixNeedsMoreBytes) {
  const std::string stream(kExampleResponse);
  for (std::size_t length = 0; length < stream.size(); ++length) {
    auto frame = HttpFrameLength(std::string_view(stream).substr(0, length));
    ASSERT_TRUE(frame.ok()) << length << ": " << frame.error();
    EXPECT_FALSE(frame->has_value()) << length;
  }
  auto frame = HttpFrameLength(stream);
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(**frame, stream.size());
}

TEST(HttpCodec, RFC9112_6_3_Item6_RequestWithoutContentLengthHasNoBody) {
  auto frame = HttpFrameLength("GET / HTTP/1.1\r\nHost: a\r\n\r\nXYZ");
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(**frame, 27u);
  auto message = HttpMessage::Parse("GET / HTTP/1.1\r\nHost: a\r\n\r\nXYZ");
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kBadContentLength);
  EXPECT_EQ(message.error().offset, 27u);
}

TEST(HttpCodec, RFC9112_6_3_Item1_NoBodyAfterHead1xx204And304) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  HttpFrameOptions after_head;
  after_head.request_method = "HEAD";
  auto frame = HttpFrameLength(head, after_head);
  ASSERT_TRUE(frame.ok() && frame->has_value());
  EXPECT_EQ(**frame, head.size());
  for (const char* status_line : {"HTTP/1.1 100 Continue\r\n", "HTTP/1.1 204 No Content\r\n",
                                  "HTTP/1.1 304 Not Modified\r\n"}) {
    const std::string response = std::string(status_line) + "Content-Length: 100\r\n\r\n";
    auto length = HttpFrameLength(response);
    ASSERT_TRUE(length.ok() && length->has_value()) << status_line;
    EXPECT_EQ(**length, response.size()) << status_line;
  }
  // Without HEAD the same response waits for its 100 body bytes.
  auto waiting = HttpFrameLength(head);
  ASSERT_TRUE(waiting.ok());
  EXPECT_FALSE(waiting->has_value());
}

TEST(HttpCodec, RFC9112_6_3_Item8_ResponseWithoutContentLengthEndsAtClose) {
  const std::string stream = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
  auto open = HttpFrameLength(stream);
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->has_value());
  HttpFrameOptions closed;
  closed.end_of_stream = true;
  auto framed = HttpFrameLength(stream, closed);
  ASSERT_TRUE(framed.ok() && framed->has_value());
  EXPECT_EQ(**framed, stream.size());
  auto message = HttpMessage::Parse(stream);
  ASSERT_TRUE(message.ok()) << message.error();
  EXPECT_EQ(message->body(), "all of it");
}

TEST(HttpCodec, RFC9112_6_3_TruncatedAtEndOfStream) {
  HttpFrameOptions closed;
  closed.end_of_stream = true;
  auto head = HttpFrameLength("HTTP/1.1 200 OK\r\nContent-Le", closed);
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().code, ErrorCode::kTruncated);
  EXPECT_EQ(head.error().offset, 27u);
  auto body = HttpFrameLength("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", closed);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, ErrorCode::kTruncated);
  auto parsed = HttpMessage::Parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated);
  auto longer = HttpMessage::Parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(longer.error().code, ErrorCode::kBadContentLength);
  EXPECT_EQ(longer.error().offset, 40u);  // 17 + 19 + 2 bytes of header section, 2 of body: the 'c'
}

TEST(HttpCodec, RFC9112_6_3_Item5_InvalidContentLengthIsUnrecoverable) {
  for (const char* value : {"abc", "-1", "+5", "", "5 5", "0x10", "1.0", "5,", ",5"}) {
    const std::string request = std::string("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ") + value + "\r\n\r\n";
    ErrorCode code{};
    EXPECT_EQ(RejectStatus(request, &code), 400) << value;
    EXPECT_EQ(code, ErrorCode::kBadContentLength) << value;
  }
}

TEST(HttpCodec, RFC9110_8_6_DuplicateContentLength) {
  // Differing values: the framing is ambiguous.
  ErrorCode code{};
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", &code),
            400);
  EXPECT_EQ(code, ErrorCode::kBadContentLength);
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", &code), 400);
  EXPECT_EQ(code, ErrorCode::kBadContentLength);
  // Identical values, as repeated lines or as a list, are that one value.
  for (const char* fields : {"Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 5, 5\r\n",
                             "Content-Length: 005\r\n"}) {
    const std::string request = std::string("POST / HTTP/1.1\r\nHost: a\r\n") + fields + "\r\nhello";
    auto message = HttpMessage::Parse(request);
    ASSERT_TRUE(message.ok()) << fields << message.error();
    EXPECT_EQ(message->body(), "hello");
  }
}

TEST(HttpCodec, RFC9112_6_3_Item3_ContentLengthWithTransferEncodingIsSmuggling) {
  ErrorCode code{};
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "0\r\n\r\n",
                         &code),
            400);
  EXPECT_EQ(code, ErrorCode::kBadHeader);
  // Obfuscated spellings are caught too: names are case-insensitive.
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: xchunked\r\ncontent-length: 4\r\n\r\n"),
            400);
}

TEST(HttpCodec, RFC9112_6_1_TransferEncodingGets501) {
  ErrorCode code{};
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &code), 501);
  EXPECT_EQ(code, ErrorCode::kBadHeaderValue);
  auto response = HttpMessage::Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_FALSE(response.ok());
}

TEST(HttpCodec, Limits_BodyOver64MiBGets413) {
  ErrorCode code{};
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108865\r\n\r\n", &code), 413);
  EXPECT_EQ(code, ErrorCode::kTooLarge);
  EXPECT_EQ(RejectStatus("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999999999999999\r\n\r\n",
                         &code),
            413);
  // Exactly 64 MiB is within the limit: the frame waits for the body.
  auto frame = HttpFrameLength("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108864\r\n\r\n");
  ASSERT_TRUE(frame.ok());
  EXPECT_FALSE(frame->has_value());
}

TEST(HttpCodec, Limits_HeaderSectionOf16KiB) {
  // 16 (request-line) + 9 (Host) + "X: " + padding + CRLF + CRLF = 32 + padding bytes.
  const std::string at_limit = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(16384 - 32, 'x') + "\r\n\r\n";
  ASSERT_EQ(at_limit.size(), 16384u);
  auto ok = HttpFrameLength(at_limit);
  ASSERT_TRUE(ok.ok()) << ok.error();
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ(**ok, 16384u);
  const std::string over = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(16384 - 31, 'x') + "\r\n\r\n";
  ErrorCode code{};
  EXPECT_EQ(RejectStatus(over, &code), 431);
  EXPECT_EQ(code, ErrorCode::kTooLarge);
  // A stream that never ends its header section is refused once it reaches the limit, not buffered.
  const std::string endless = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(20000, 'y');
  EXPECT_EQ(RejectStatus(endless, &code), 431);
  EXPECT_EQ(RejectStatus(std::string(16384, '\r') , &code), 400);  // bare CRs
  std::string empty_lines;
  for (int i = 0; i < 8192; ++i) empty_lines += "\r\n";
  EXPECT_EQ(RejectStatus(empty_lines, &code), 431);
}

TEST(HttpCodec, Limits_64FieldLines) {
  std::string request = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 1; i < 64; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
  auto at_limit = HttpMessage::Parse(request + "\r\n");
  ASSERT_TRUE(at_limit.ok()) << at_limit.error();
  EXPECT_EQ(at_limit->fields().size(), 64u);
  ErrorCode code{};
  EXPECT_EQ(RejectStatus(request + "X-64: v\r\n\r\n", &code), 431);
  EXPECT_EQ(code, ErrorCode::kTooLarge);
}

TEST(HttpCodec, HostileInput_BinaryJunk) {
  const std::string junk("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15);  // a TLS ClientHello
  ErrorCode code{};
  EXPECT_EQ(RejectStatus(junk, &code), 400);
  EXPECT_EQ(code, ErrorCode::kBadStartLine);
  EXPECT_FALSE(HttpMessage::Parse("").ok());
  EXPECT_EQ(HttpMessage::Parse("").error().code, ErrorCode::kTruncated);
  EXPECT_EQ(RejectStatus("\r\n\r\n\r\n\r\n"), 0);  // only empty lines: wait for a request-line
}

TEST(HttpCodec, BuildAndSerialize) {
  HttpMessage request = HttpMessage::MakeRequest("GET", "/content/7?size=3");
  request.Add("Host", "content.home1.net:8080");
  request.Add("Accept", "*/*");
  EXPECT_EQ(request.Serialize(),
            "GET /content/7?size=3 HTTP/1.1\r\nHost: content.home1.net:8080\r\nAccept: */*\r\n\r\n");

  HttpMessage response = HttpMessage::MakeResponse(404);
  EXPECT_EQ(response.reason(), "Not Found");
  response.SetBody("gone", "text/plain");
  EXPECT_EQ(response.Serialize(), "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nContent-Type: text/plain\r\n\r\ngone");
  response.SetBody("", "text/html");  // Set replaces, keeping the position
  EXPECT_EQ(response.Serialize(), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nContent-Type: text/html\r\n\r\n");
  response.Add("x-a", "1");
  response.Add("X-A", "2");
  EXPECT_EQ(response.GetAll("X-a").size(), 2u);
  response.Set("X-A", "3");
  ASSERT_EQ(response.GetAll("x-a").size(), 1u);
  EXPECT_EQ(response.Get("x-a"), "3");
  response.Remove("X-A");
  EXPECT_FALSE(response.Has("x-a"));

  auto reparsed = HttpMessage::Parse(request.Serialize());
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(reparsed->fields(), request.fields());
  EXPECT_EQ(reparsed->target(), request.target());
}

TEST(HttpCodec, RFC9112_9_3_Persistence) {
  auto keep = [](std::string_view text) {
    auto message = HttpMessage::Parse(text);
    EXPECT_TRUE(message.ok()) << text;
    return message.ok() && message->KeepAlive();
  };
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_FALSE(keep("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
}

TEST(HttpUrl, RFC9110_4_2_1_HostPortPathQuery) {
  auto url = ParseHttpUrl("http://Content.Home1.NET:8080/content/a%20b?size=3&type=text%2Fplain#frag");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->host, "content.home1.net");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->path, "/content/a%20b");
  EXPECT_EQ(url->query, "size=3&type=text%2Fplain");
  EXPECT_EQ(url->Target(), "/content/a%20b?size=3&type=text%2Fplain");
  EXPECT_EQ(url->Authority(), "content.home1.net:8080");

  auto bare = ParseHttpUrl("HTTP://10.0.0.7");
  ASSERT_TRUE(bare.ok()) << bare.error();
  EXPECT_EQ(bare->host, "10.0.0.7");
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->Target(), "/");  // RFC 9110 4.2.3: an empty path is "/"
  EXPECT_EQ(bare->Authority(), "10.0.0.7");
  EXPECT_FALSE(bare->query.has_value());
  EXPECT_EQ(bare->ToString(), "http://10.0.0.7/");

  auto empty_port = ParseHttpUrl("http://a:/x");
  ASSERT_TRUE(empty_port.ok());
  EXPECT_EQ(empty_port->port, 80);
  auto v6 = ParseHttpUrl("http://[2001:db8::1]:81/");
  ASSERT_TRUE(v6.ok()) << v6.error();
  EXPECT_EQ(v6->host, "[2001:db8::1]");
  EXPECT_EQ(v6->port, 81);
}

TEST(HttpUrl, MalformedUrlsAreRejected) {
  struct Case {
    const char* url;
    ErrorCode code;
    std::size_t offset;
  };
  for (const Case& c : {Case{"https://a/", ErrorCode::kBadUri, 0},
                        Case{"http:///path", ErrorCode::kBadUri, 7},       // empty host, RFC 9110 4.2.1
                        Case{"http://user@a/", ErrorCode::kBadUri, 11},    // userinfo, RFC 9110 4.2.4
                        Case{"http://a:0/", ErrorCode::kBadNumber, 9},
                        Case{"http://a:65536/", ErrorCode::kBadNumber, 9},
                        Case{"http://a:8x/", ErrorCode::kBadNumber, 9},
                        Case{"http://a/b%4", ErrorCode::kBadEscape, 10},
                        Case{"http://a/b%zz", ErrorCode::kBadEscape, 10},
                        Case{"http://a/b c", ErrorCode::kBadUri, 10},
                        Case{"http://a/?q=<", ErrorCode::kBadUri, 12},
                        Case{"http://[::1/", ErrorCode::kBadUri, 7},
                        Case{"http://a b/", ErrorCode::kBadUri, 8}}) {
    auto url = ParseHttpUrl(c.url);
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.error().code, c.code) << c.url;
    EXPECT_EQ(url.error().offset, c.offset) << c.url;
  }
  const std::string long_url = "http://a/" + std::string(kMaxHttpUrlLength, 'p');
  EXPECT_EQ(ParseHttpUrl(long_url).error().code, ErrorCode::kTooLarge);
}

TEST(HttpUrl, QueryParameters) {
  auto type = HttpQueryParameter("size=10&type=application%2Fvnd.x%2Bxml", "type");
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(*type, "application/vnd.x+xml");
  auto size = HttpQueryParameter("size=10&type=x", "size");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, "10");
  auto first = HttpQueryParameter("a=1&a=2", "a");
  EXPECT_EQ(*first, "1");
  auto missing = HttpQueryParameter("sizes=10", "size");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto bad = HttpQueryParameter("size=1&type=%G1", "type");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadEscape);
  EXPECT_EQ(bad.error().offset, 12u);
}

}  // namespace
}  // namespace pushsim::wire
