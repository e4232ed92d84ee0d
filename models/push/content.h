// Content indirection (RFC 4483) over HTTP/1.1: the content server the Push Sender Agent points
// its message/external-body URLs at, and the HTTP client the Push Receiver Agent fetches them with.
// Both run over sip::StreamHost, so the same logic runs on ns-3 TCP and on in-memory streams.
//
// URL convention shared by sender, receiver and server:
//   http://<content-host>[:port]/content/<id>?size=<octets>&type=<media-type, %-encoded>
// The server answers a GET for it with 200, exactly `size` octets of ContentPattern(id, size) and
// `Content-Type: <type>`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sip/element.h"
#include "sip/host.h"
#include "sip/stream.h"
#include "wire/http.h"

namespace pushsim::push {

// The URL of a content object. `id` and `type` are %-encoded (everything but RFC 3986
// unreserved characters); `host` is a name or an IPv4 address; port 80 is left out.
std::string ContentUrl(std::string_view host, std::uint16_t port, std::string_view id, std::uint64_t size,
                       std::string_view type);

// The deterministic bytes of object `id`: `size` printable characters from the 64-character
// alphabet "A-Z a-z 0-9 - _". Byte i is kAlphabet[state_i >> 58] where state_0 is the 64-bit
// FNV-1a hash of `id` and state_{i+1} = state_i * 6364136223846793005 + 1442695040888963407
// (mod 2^64), taken after the step: byte 0 uses state_1. A prefix of a longer pattern is the
// shorter pattern, and lost, duplicated or reordered bytes show.
std::string ContentPattern(std::string_view id, std::uint64_t size);

// What a GET of the content path asks for.
struct ContentRequest {
  std::string id;    // percent-decoded
  std::uint64_t size = 0;
  std::string type;  // percent-decoded media type
};

// Parses an origin-form or absolute-form target "/content/<id>?size=N&type=T". Returns nullopt
// with `not_found` true when the path is not a content path (404), nullopt with `not_found` false
// when it is one but its query is malformed (400).
std::optional<ContentRequest> ParseContentTarget(std::string_view target, std::uint64_t max_size, bool& not_found);

struct ContentServerConfig {
  std::uint16_t port = 80;
  // Requests served on one connection before the server closes it (the response to the last one
  // says "Connection: close", RFC 9112 9.6).
  std::uint32_t max_requests_per_connection = 100;
  // Connections open at once; more are closed as soon as they are accepted.
  std::size_t max_connections = 1024;
  // Largest object served; a larger `size` gets 400.
  std::uint64_t max_object_size = std::uint64_t{64} << 20;
  // A connection without a request in progress for this long is closed (when the server has a
  // clock). Zero: never.
  sip::Duration idle_timeout = std::chrono::seconds(60);
  // Requests are small: the header section limit of the codec, and at most this much body.
  wire::HttpLimits limits{16 * 1024, 64, 64 * 1024};
  std::string server_name = "pushsim-content";
};

struct ContentServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // over max_connections
  std::uint64_t requests = 0;             // every response sent, errors included
  std::uint64_t ok = 0;                   // 200
  std::uint64_t bad_request = 0;          // 400, 413, 431, 501, 505
  std::uint64_t not_found = 0;            // 404
  std::uint64_t method_not_allowed = 0;   // 405
  std::uint64_t body_bytes = 0;           // octets of 200 bodies sent
  std::uint64_t idle_closed = 0;
};

// Serves content objects on `config.port` of a StreamHost. GET and HEAD (RFC 9110 9.3.1, 9.3.2)
// of a content path answer 200; another path 404; another method 405 with Allow (RFC 9110
// 15.5.6); a malformed request or query 400 (or the codec's 413/431/501/505), after which the
// connection closes because the stream cannot be resynchronised (RFC 9112 6.3). Responses carry no
// Date: the server has no real clock (RFC 9110 6.6.1).
class ContentServer {
 public:
  // Observes each response: the request-target's path ("" when the request could not be
  // parsed), the status, and the body octets sent.
  using RequestObserver = std::function<void(const std::string& path, int status, std::uint64_t body_bytes)>;

  // `clock` is optional; without it there are no idle timeouts.
  ContentServer(sip::StreamHost& streams, ContentServerConfig config, sip::Host* clock = nullptr);
  ~ContentServer();
  ContentServer(const ContentServer&) = delete;
  ContentServer& operator=(const ContentServer&) = delete;

  // Listens on the port; false if it is taken.
  bool Start();
  // Stops listening and closes every connection.
  void Stop();

  void set_request_observer(RequestObserver observer) { observer_ = std::move(observer); }
  const ContentServerCounters& counters() const { return counters_; }
  std::size_t open_connections() const { return connections_.size(); }
  const ContentServerConfig& config() const { return config_; }

 private:
  struct Connection {
    std::string inbound;
    std::uint32_t served = 0;
    sip::TimerId idle_timer = sip::kNoTimer;
  };

  sip::StreamCallbacks Accept(sip::ConnectionId id);
  void OnData(sip::ConnectionId id, std::string_view bytes);
  void OnClosed(sip::ConnectionId id);
  // Answers one request; false when the connection was closed.
  bool Answer(sip::ConnectionId id, Connection& connection, const wire::HttpMessage& request);
  void SendError(sip::ConnectionId id, int status);
  void Send(sip::ConnectionId id, wire::HttpMessage response, const std::string& path, bool close);
  void CloseConnection(sip::ConnectionId id);
  void ArmIdleTimer(sip::ConnectionId id, Connection& connection);

  sip::StreamHost& streams_;
  ContentServerConfig config_;
  sip::Host* clock_;
  bool listening_ = false;
  std::map<sip::ConnectionId, Connection> connections_;
  ContentServerCounters counters_;
  RequestObserver observer_;
};

struct HttpFetcherConfig {
  // From Fetch to the end of the response; on expiry the callback gets status 0.
  sip::Duration timeout = std::chrono::seconds(30);
  // Keep connections open after a response that allows it and use them for later fetches to
  // the same server (RFC 9112 9.3).
  bool reuse_connections = true;
  // Idle connections kept per server, and how long.
  std::size_t max_idle_per_server = 2;
  sip::Duration idle_timeout = std::chrono::seconds(15);
  // Largest response accepted (header section and field count limits of the codec apply too).
  wire::HttpLimits limits;
  std::string user_agent = "pushsim";
};

struct HttpFetcherCounters {
  std::uint64_t fetches = 0;
  std::uint64_t completed = 0;     // a final response arrived (any status)
  std::uint64_t failed = 0;        // status 0
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;
  std::uint64_t retries = 0;       // a reused connection closed before answering, retried on a new one
};

using FetchId = std::uint64_t;

// An HTTP/1.1 client for content indirection. Each fetch sends one GET on a connection of its
// own (a fresh one or an idle kept-alive one; no pipelining) and reports the final response's
// status and body. Failures report status 0 and a reason instead of a body: an unparsable URL,
// an unknown host, a refused or reset connection, a malformed response, a timeout. The callback
// never runs inside Fetch itself, and never after Cancel or the fetcher's destruction.
class HttpFetcher {
 public:
  using Callback = std::function<void(int http_status, std::string body)>;

  HttpFetcher(sip::Host& clock, sip::StreamHost& streams, const sip::Resolver& resolver,
              HttpFetcherConfig config = {});
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  FetchId Fetch(std::string url, Callback callback);
  void Cancel(FetchId id);

  // The signature of the `fetch` function the push receiver agent is given.
  std::function<void(std::string, std::function<void(int, std::string)>)> AsFunction();

  const HttpFetcherCounters& counters() const { return counters_; }
  std::size_t open_connections() const { return connections_.size(); }
  std::size_t pending() const { return fetches_.size(); }

 private:
  struct FetchState {
    wire::HttpUrl url;
    sip::Endpoint server;
    Callback callback;
    sip::ConnectionId connection = sip::kNoConnection;
    sip::TimerId timer = sip::kNoTimer;
    bool on_reused_connection = false;
  };
  struct Connection {
    sip::Endpoint server;
    FetchId fetch = 0;  // 0 while idle
    bool connected = false;
    bool received_any = false;
    std::string inbound;
    sip::TimerId idle_timer = sip::kNoTimer;
  };

  void Start(FetchId id);
  void SendRequest(FetchId id, FetchState& fetch, sip::ConnectionId connection_id);
  void OnConnected(sip::ConnectionId id);
  void OnData(sip::ConnectionId id, std::string_view bytes);
  void OnClosed(sip::ConnectionId id);
  // Frames what has arrived; `end_of_stream` after the server closed.
  void Process(sip::ConnectionId id, bool end_of_stream);
  void Finish(FetchId id, int status, std::string body);
  void Release(sip::ConnectionId id, bool keep);
  void DropConnection(sip::ConnectionId id);

  sip::Host& clock_;
  sip::StreamHost& streams_;
  const sip::Resolver& resolver_;
  HttpFetcherConfig config_;
  FetchId next_fetch_ = 0;
  std::map<FetchId, FetchState> fetches_;
  std::map<sip::ConnectionId, Connection> connections_;
  HttpFetcherCounters counters_;
};

}  // namespace pushsim::push
