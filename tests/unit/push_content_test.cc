// Content indirection over HTTP (RFC 4483 bodies point at these URLs): the content server and the
// HTTP fetch client over in-memory streams, byte for byte.
#include "push/content.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/fake_host.h"
#include "support/fake_stream_host.h"

namespace pushsim::push {
namespace {

using namespace std::chrono_literals;
using testing::FakeHost;
using testing::FakeStreamHost;
using testing::FakeStreamNetwork;

constexpr std::uint32_t kServerAddress = 0x0A000001;  // 10.0.0.1
constexpr std::uint32_t kClientAddress = 0x0A000002;

// A raw HTTP client: one connection, everything it receives.
struct RawClient {
  sip::ConnectionId id = sip::kNoConnection;
  std::string received;
  bool closed = false;
};

struct Fixture {
  FakeHost clock;
  FakeStreamNetwork network{clock};
  FakeStreamHost& server_streams = network.AddHost(kServerAddress);
  FakeStreamHost& client_streams = network.AddHost(kClientAddress);
  sip::Resolver resolver;
  ContentServerConfig config;
  std::vector<std::tuple<std::string, int, std::uint64_t>> observed;

  Fixture() { resolver.Add("content.home1.net", kServerAddress); }

  std::unique_ptr<ContentServer> StartServer() {
    auto server = std::make_unique<ContentServer>(server_streams, config, &clock);
    server->set_request_observer([this](const std::string& path, int status, std::uint64_t bytes) {
      observed.emplace_back(path, status, bytes);
    });
    EXPECT_TRUE(server->Start());
    return server;
  }

  RawClient& Connect(RawClient& client, std::uint16_t port = 80) {
    sip::StreamCallbacks callbacks;
    callbacks.on_data = [&client](sip::ConnectionId, std::string_view bytes) { client.received.append(bytes); };
    callbacks.on_closed = [&client](sip::ConnectionId) { client.closed = true; };
    client.id = client_streams.Connect(sip::Endpoint{kServerAddress, port, sip::Transport::kTcp}, callbacks);
    return client;
  }

  // Sends `request` on a new connection and runs the network for a second.
  RawClient Exchange(std::string_view request) {
    RawClient client;
    Connect(client);
    client_streams.Write(client.id, request);
    clock.Advance(1s);
    return client;
  }
};

TEST(ContentPattern, FollowsTheDocumentedGenerator) {
  // FNV-1a("msg-1") = 0xed0ba5330f9ed084; the first 16 characters of the LCG stream over it,
  // worked out from the definition in content.h.
  EXPECT_EQ(ContentPattern("msg-1", 16), "TYscUbBCenSNr_uC");
  EXPECT_EQ(ContentPattern("msg-1", 0), "");
  const std::string longer = ContentPattern("msg-1", 5000);
  EXPECT_EQ(longer.substr(0, 16), ContentPattern("msg-1", 16));  // prefix-stable
  EXPECT_EQ(longer.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(ContentPattern("msg-2", 16), ContentPattern("msg-1", 16));
}

TEST(ContentUrl, FollowsTheSharedConvention) {
  EXPECT_EQ(ContentUrl("content.home1.net", 80, "msg 1", 1200, "image/jpeg"),
            "http://content.home1.net/content/msg%201?size=1200&type=image%2Fjpeg");
  EXPECT_EQ(ContentUrl("10.0.0.1", 8080, "a", 0, "text/plain;charset=utf-8"),
            "http://10.0.0.1:8080/content/a?size=0&type=text%2Fplain%3Bcharset%3Dutf-8");
  // What the URL says is what the server reads back from it.
  auto url = wire::ParseHttpUrl(ContentUrl("h", 80, "x/y", 7, "application/vnd.oma+xml"));
  ASSERT_TRUE(url.ok()) << url.error();
  bool not_found = true;
  auto request = ParseContentTarget(url->Target(), 100, not_found);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->id, "x/y");
  EXPECT_EQ(request->size, 7u);
  EXPECT_EQ(request->type, "application/vnd.oma+xml");
}

TEST(ContentServer, GetAnswers200WithExactlySizeOctetsOfThePattern) {
  Fixture f;
  auto server = f.StartServer();
  RawClient client = f.Exchange(
      "GET /content/msg-1?size=16&type=text%2Fplain HTTP/1.1\r\nHost: content.home1.net\r\n\r\n");
  EXPECT_EQ(client.received,
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 16\r\n"
            "Server: pushsim-content\r\n"
            "\r\n"
            "TYscUbBCenSNr_uC");
  EXPECT_FALSE(client.closed);  // HTTP/1.1 persists by default (RFC 9112 9.3)
  EXPECT_EQ(server->counters().ok, 1u);
  EXPECT_EQ(server->counters().body_bytes, 16u);
  ASSERT_EQ(f.observed.size(), 1u);
  EXPECT_EQ(f.observed[0], std::make_tuple(std::string("/content/msg-1"), 200, std::uint64_t{16}));
}

TEST(ContentServer, RFC9110_9_3_2_HeadHasTheFieldsOfGetWithoutBody) {
  Fixture f;
  auto server = f.StartServer();
  RawClient client = f.Exchange("HEAD /content/a?size=1000&type=image%2Fpng HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(client.received,
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000\r\nServer: pushsim-content\r\n\r\n");
}

TEST(ContentServer, RFC9112_3_2_2_AbsoluteFormTargetIsAccepted) {
  Fixture f;
  auto server = f.StartServer();
  RawClient client =
      f.Exchange("GET http://content.home1.net/content/msg-1?size=4&type=text%2Fplain HTTP/1.1\r\nHost: x\r\n\r\n");
  auto response = wire::HttpMessage::Parse(client.received);
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(response->body(), "TYsc");
}

TEST(ContentServer, OtherPathsGet404) {
  Fixture f;
  auto server = f.StartServer();
  for (const char* target : {"/", "/contents/a?size=1&type=a%2Fb", "/content/?size=1", "/content/a/b?size=1",
                             "*"}) {
    RawClient client = f.Exchange(std::string("GET ") + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(client.received,
              "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nServer: pushsim-content\r\n\r\n")
        << target;
  }
  EXPECT_EQ(server->counters().not_found, 5u);
}

TEST(ContentServer, RFC9110_15_5_6_OtherMethodsGet405WithAllow) {
  Fixture f;
  auto server = f.StartServer();
  RawClient client = f.Exchange(
      "POST /content/a?size=1&type=a%2Fb HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "GET /content/a?size=2&type=a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string not_allowed =
      "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nServer: pushsim-content\r\n\r\n";
  ASSERT_GE(client.received.size(), not_allowed.size());
  EXPECT_EQ(client.received.substr(0, not_allowed.size()), not_allowed);
  // The body of the refused request was consumed; the next request is answered.
  auto second = wire::HttpMessage::Parse(std::string_view(client.received).substr(not_allowed.size()));
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->status_code(), 200);
  EXPECT_EQ(server->counters().method_not_allowed, 1u);
  // RFC 9110 15.6.2: a method the server does not recognize at all is 501.
  RawClient unknown = f.Exchange("BREW /content/a?size=1 HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(unknown.received.substr(0, 30), "HTTP/1.1 501 Not Implemented\r\n");
}

TEST(ContentServer, MalformedQueryGets400) {
  Fixture f;
  f.config.max_object_size = 1000;
  auto server = f.StartServer();
  for (const char* target : {"/content/a", "/content/a?type=a%2Fb", "/content/a?size=x&type=a%2Fb",
                             "/content/a?size=-1&type=a%2Fb", "/content/a?size=1001&type=a%2Fb",
                             "/content/a?size=1&type=%zz", "/content/a?size=1&type=nosubtype",
                             "/content/a?size=1&type=a%2Fb%0D%0AX:%20y", "/content/%G0?size=1"}) {
    RawClient client = f.Exchange(std::string("GET ") + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(client.received.substr(0, 26), "HTTP/1.1 400 Bad Request\r\n") << target;
  }
}

TEST(ContentServer, MalformedRequestGetsTheCodecStatusAndTheConnectionCloses) {
  Fixture f;
  auto server = f.StartServer();
  struct Case {
    std::string request;
    const char* status_line;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\nHost: h\n\n", "HTTP/1.1 400 Bad Request\r\n"},  // bare LF
      {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},       // no Host
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
       "HTTP/1.1 400 Bad Request\r\n"},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       "HTTP/1.1 400 Bad Request\r\n"},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 70000\r\n\r\n", "HTTP/1.1 413 Content Too Large\r\n"},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(17000, 'x'), "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
      {"GET / HTTP/3.0\r\nHost: h\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
      {std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n", 13), "HTTP/1.1 400 Bad Request\r\n"},
  };
  for (const Case& c : cases) {
    RawClient client = f.Exchange(c.request);
    const std::string status_line = c.status_line;
    EXPECT_EQ(client.received.substr(0, status_line.size()), status_line) << c.request.substr(0, 60);
    EXPECT_NE(client.received.find("\r\nConnection: close\r\n"), std::string::npos) << c.request.substr(0, 60);
    EXPECT_TRUE(client.closed) << c.request.substr(0, 60);
  }
  EXPECT_EQ(server->open_connections(), 0u);
  ASSERT_FALSE(f.observed.empty());
  EXPECT_EQ(std::get<0>(f.observed[0]), "");  // the request could not be parsed
}

TEST(ContentServer, SegmentedRequestsAndPipelinedRequests) {
  Fixture f;
  f.network.set_max_segment(7);
  auto server = f.StartServer();
  RawClient client = f.Exchange(
      "GET /content/msg-1?size=3&type=text%2Fplain HTTP/1.1\r\nHost: h\r\n\r\n"
      "GET /content/msg-1?size=16&type=text%2Fplain HTTP/1.1\r\nHost: h\r\n\r\n");
  const std::string first =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nServer: pushsim-content\r\n\r\nTYs";
  const std::string second =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\nServer: pushsim-content\r\n\r\n"
      "TYscUbBCenSNr_uC";
  EXPECT_EQ(client.received, first + second);
}

TEST(ContentServer, RFC9112_9_6_BoundOnRequestsPerConnection) {
  Fixture f;
  f.config.max_requests_per_connection = 2;
  auto server = f.StartServer();
  const std::string request = "GET /content/a?size=1&type=a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n";
  RawClient client = f.Exchange(request + request + request);
  // The second response announces the close; the third request is never answered.
  auto first_length = wire::HttpFrameLength(client.received);
  ASSERT_TRUE(first_length.ok() && first_length->has_value());
  auto first = wire::HttpMessage::Parse(std::string_view(client.received).substr(0, **first_length));
  auto second = wire::HttpMessage::Parse(std::string_view(client.received).substr(**first_length));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(first->Has("Connection"));
  EXPECT_EQ(second->Get("Connection"), "close");
  EXPECT_TRUE(client.closed);
  EXPECT_EQ(server->counters().requests, 2u);
}

TEST(ContentServer, RFC9112_9_6_ClientCloseIsHonoured) {
  Fixture f;
  auto server = f.StartServer();
  RawClient client = f.Exchange("GET /content/a?size=1&type=a%2Fb HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  auto response = wire::HttpMessage::Parse(client.received);
  ASSERT_TRUE(response.ok()) << response.error();
  EXPECT_EQ(response->Get("Connection"), "close");
  EXPECT_TRUE(client.closed);
  // HTTP/1.0 without keep-alive does not persist either.
  RawClient old = f.Exchange("GET /content/a?size=1&type=a%2Fb HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(old.closed);
}

TEST(ContentServer, IdleConnectionsAreClosedAndPartialRequestsGet408) {
  Fixture f;
  f.config.idle_timeout = 5s;
  auto server = f.StartServer();
  RawClient idle;
  f.Connect(idle);
  RawClient partial;
  f.Connect(partial);
  f.clock.Advance(1s);
  f.client_streams.Write(partial.id, "GET /content/a?size=1 HTTP/1.1\r\nHo");
  f.clock.Advance(3s);
  EXPECT_FALSE(idle.closed);
  f.clock.Advance(3s);
  EXPECT_TRUE(idle.closed);
  EXPECT_TRUE(idle.received.empty());
  EXPECT_TRUE(partial.closed);
  EXPECT_EQ(partial.received.substr(0, 30), "HTTP/1.1 408 Request Timeout\r\n");
  EXPECT_EQ(server->counters().idle_closed, 2u);
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST(ContentServer, ConnectionsBeyondTheLimitAreClosed) {
  Fixture f;
  f.config.max_connections = 1;
  auto server = f.StartServer();
  RawClient first;
  RawClient second;
  f.Connect(first);
  f.Connect(second);
  f.clock.Advance(1s);
  EXPECT_FALSE(first.closed);
  EXPECT_TRUE(second.closed);
  EXPECT_EQ(server->counters().connections_refused, 1u);
  server->Stop();
  f.clock.Advance(1s);
  EXPECT_TRUE(first.closed);
}

struct FetchResult {
  int calls = 0;
  int status = -1;
  std::string body;
};

HttpFetcher::Callback Into(FetchResult& result) {
  return [&result](int status, std::string body) {
    ++result.calls;
    result.status = status;
    result.body = std::move(body);
  };
}

TEST(HttpFetcher, FetchesAnObjectIntactOverSegmentedStreams) {
  Fixture f;
  f.network.set_max_segment(7);
  auto server = f.StartServer();
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult result;
  fetcher.Fetch(ContentUrl("content.home1.net", 80, "msg-1", 5000, "image/jpeg"), Into(result));
  f.clock.Advance(60s);
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, ContentPattern("msg-1", 5000));
  // The request as RFC 9112 3.2 wants it: origin-form target and Host.
  ASSERT_EQ(f.client_streams.written.size(), 1u);
  EXPECT_EQ(f.client_streams.written.begin()->second,
            "GET /content/msg-1?size=5000&type=image%2Fjpeg HTTP/1.1\r\nHost: content.home1.net\r\n"
            "User-Agent: pushsim\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(fetcher.counters().completed, 1u);
  EXPECT_EQ(fetcher.pending(), 0u);
}

TEST(HttpFetcher, RFC9112_9_3_ReusesAPersistentConnection) {
  Fixture f;
  f.config.port = 8080;
  auto server = f.StartServer();
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult first;
  FetchResult second;
  fetcher.Fetch(ContentUrl("10.0.0.1", 8080, "a", 10, "text/plain"), Into(first));
  f.clock.Advance(1s);
  fetcher.Fetch(ContentUrl("10.0.0.1", 8080, "b", 20, "text/plain"), Into(second));
  f.clock.Advance(1s);
  EXPECT_EQ(first.body, ContentPattern("a", 10));
  EXPECT_EQ(second.body, ContentPattern("b", 20));
  EXPECT_EQ(fetcher.counters().connections_opened, 1u);
  EXPECT_EQ(fetcher.counters().connections_reused, 1u);
  EXPECT_EQ(server->counters().connections_accepted, 1u);
  // Idle connections are closed after the fetcher's idle timeout.
  f.clock.Advance(20s);
  EXPECT_EQ(fetcher.open_connections(), 0u);
  EXPECT_EQ(server->open_connections(), 0u);
}

TEST(HttpFetcher, ErrorStatusesAreReportedWithTheirBody) {
  Fixture f;
  auto server = f.StartServer();
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult result;
  fetcher.Fetch("http://content.home1.net/elsewhere", Into(result));
  f.clock.Advance(1s);
  EXPECT_EQ(result.status, 404);
  EXPECT_EQ(result.body, "");
}

TEST(HttpFetcher, FailuresAreStatus0WithAReasonAndNeverInsideFetch) {
  Fixture f;
  auto server = f.StartServer();
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult unknown;
  FetchResult bad_url;
  FetchResult refused;
  fetcher.Fetch("http://nowhere.home1.net/content/a?size=1", Into(unknown));
  fetcher.Fetch("ftp://content.home1.net/", Into(bad_url));
  fetcher.Fetch("http://content.home1.net:81/content/a?size=1", Into(refused));
  EXPECT_EQ(unknown.calls + bad_url.calls + refused.calls, 0);
  f.clock.Advance(1s);
  EXPECT_EQ(unknown.status, 0);
  EXPECT_NE(unknown.body.find("unknown host nowhere.home1.net"), std::string::npos);
  EXPECT_EQ(bad_url.status, 0);
  EXPECT_NE(bad_url.body.find("bad URL"), std::string::npos);
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(refused.body.find("connection"), std::string::npos);
  EXPECT_EQ(fetcher.counters().failed, 3u);
}

TEST(HttpFetcher, TimeoutWhenTheServerNeverAnswers) {
  Fixture f;
  // A server that accepts and stays silent.
  f.server_streams.Listen(80, [](sip::ConnectionId, const sip::Endpoint&) { return sip::StreamCallbacks{}; });
  HttpFetcherConfig config;
  config.timeout = 10s;
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver, config);
  FetchResult result;
  fetcher.Fetch("http://content.home1.net/content/a?size=1", Into(result));
  f.clock.Advance(9s);
  EXPECT_EQ(result.calls, 0);
  f.clock.Advance(2s);
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.body, "timeout");
  EXPECT_EQ(fetcher.open_connections(), 0u);
}

// A scripted server: answers the n-th request on each connection with `answers[n]`, closes
// instead when the answer is empty.
struct ScriptedServer {
  FakeStreamHost& streams;
  std::vector<std::string> answers;
  std::size_t next = 0;
  std::map<sip::ConnectionId, std::string> inbound;

  explicit ScriptedServer(FakeStreamHost& host) : streams(host) {
    streams.Listen(80, [this](sip::ConnectionId, const sip::Endpoint&) {
      sip::StreamCallbacks callbacks;
      callbacks.on_data = [this](sip::ConnectionId id, std::string_view bytes) {
        std::string& buffer = inbound[id];
        buffer.append(bytes);
        if (buffer.find("\r\n\r\n") == std::string::npos) return;
        buffer.clear();
        const std::string answer = next < answers.size() ? answers[next] : std::string();
        ++next;
        if (answer.empty()) {
          streams.Close(id);
        } else {
          streams.Write(id, answer);
        }
      };
      return callbacks;
    });
  }
};

TEST(HttpFetcher, RFC9112_9_3_1_RetriesOnceWhenAReusedConnectionCloses) {
  Fixture f;
  ScriptedServer server(f.server_streams);
  server.answers = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", "", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye"};
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult first;
  FetchResult second;
  fetcher.Fetch("http://content.home1.net/1", Into(first));
  f.clock.Advance(1s);
  fetcher.Fetch("http://content.home1.net/2", Into(second));
  f.clock.Advance(1s);
  EXPECT_EQ(first.body, "hi");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "bye");
  EXPECT_EQ(fetcher.counters().retries, 1u);
  EXPECT_EQ(fetcher.counters().connections_opened, 2u);
}

TEST(HttpFetcher, InterimResponsesAreSkippedAndCloseDelimitedBodiesAccepted) {
  Fixture f;
  ScriptedServer server(f.server_streams);
  server.answers = {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"};
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult result;
  fetcher.Fetch("http://content.home1.net/x", Into(result));
  f.clock.Advance(1s);
  EXPECT_EQ(result.calls, 0);  // the body is not over before the close
  // The scripted server closes on its second "request"; close it by hand instead.
  f.server_streams.Close(f.server_streams.written.begin()->first);
  f.clock.Advance(1s);
  EXPECT_EQ(result.calls, 1);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "until close");
}

TEST(HttpFetcher, MalformedOrTruncatedResponsesAreStatus0) {
  for (const char* answer : {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                             "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", "SIP/2.0 200 OK\r\n\r\n",
                             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"}) {
    Fixture f;
    ScriptedServer server(f.server_streams);
    server.answers = {answer};
    HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
    FetchResult result;
    fetcher.Fetch("http://content.home1.net/x", Into(result));
    f.clock.Advance(1s);
    EXPECT_EQ(result.calls, 1) << answer;
    EXPECT_EQ(result.status, 0) << answer;
    EXPECT_NE(result.body.find("malformed response"), std::string::npos) << answer;
    EXPECT_EQ(fetcher.open_connections(), 0u);
  }
  // A body cut short by the close.
  Fixture f;
  ScriptedServer server(f.server_streams);
  server.answers = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"};
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  FetchResult result;
  fetcher.Fetch("http://content.home1.net/x", Into(result));
  f.clock.Advance(1s);
  f.server_streams.Close(f.server_streams.written.begin()->first);
  f.clock.Advance(1s);
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.body.find("truncated"), std::string::npos) << result.body;
}

TEST(HttpFetcher, BodiesOverTheLimitAreRefused) {
  Fixture f;
  auto server = f.StartServer();
  HttpFetcherConfig config;
  config.limits.max_body_size = 1000;
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver, config);
  FetchResult result;
  fetcher.Fetch(ContentUrl("content.home1.net", 80, "big", 1001, "a/b"), Into(result));
  f.clock.Advance(1s);
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.body.find("exceeds"), std::string::npos) << result.body;
}

TEST(HttpFetcher, CancelAndDestructionSilenceTheCallback) {
  Fixture f;
  auto server = f.StartServer();
  FetchResult cancelled;
  FetchResult orphaned;
  {
    HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
    const FetchId id = fetcher.Fetch(ContentUrl("content.home1.net", 80, "a", 10, "a/b"), Into(cancelled));
    fetcher.Fetch(ContentUrl("content.home1.net", 80, "b", 10, "a/b"), Into(orphaned));
    f.clock.Advance(5ms);
    fetcher.Cancel(id);
    fetcher.Fetch("http://unknown.example/", Into(orphaned));  // its failure is still due
  }
  f.clock.Advance(60s);
  EXPECT_EQ(cancelled.calls, 0);
  EXPECT_EQ(orphaned.calls, 0);
  EXPECT_EQ(server->open_connections(), 0u);
  EXPECT_EQ(f.clock.pending_timers(), 0u);
}

TEST(HttpFetcher, AsFunctionFitsThePushReceiverAgent) {
  Fixture f;
  auto server = f.StartServer();
  HttpFetcher fetcher(f.clock, f.client_streams, f.resolver);
  std::function<void(std::string, std::function<void(int, std::string)>)> fetch = fetcher.AsFunction();
  FetchResult result;
  fetch(ContentUrl("content.home1.net", 80, "m", 3, "text/plain"), Into(result));
  f.clock.Advance(1s);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, ContentPattern("m", 3));
}

}  // namespace
}  // namespace pushsim::push
