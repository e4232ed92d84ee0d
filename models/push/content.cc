#include "push/content.h"

#include <utility>

#include "wire/mime.h"
#include "wire/text.h"

namespace pushsim::push {

namespace {

constexpr std::string_view kContentPrefix = "/content/";
constexpr std::string_view kDefaultType = "application/octet-stream";

bool IsUnreserved(char c) {
  return wire::IsAlpha(c) || wire::IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string Encode(std::string_view text) { return wire::PercentEncode(text, IsUnreserved); }

std::uint64_t Fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

// RFC 9110 9.1: the methods it defines. Others are unrecognized (501, RFC 9110 15.6.2).
bool IsStandardMethod(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE"}) {
    if (method == known) return true;
  }
  return false;
}

std::string PathOf(std::string_view target) {
  if (wire::StartsWithIgnoreCase(target, "http://")) {
    auto url = wire::ParseHttpUrl(target);
    return url.ok() ? url->path : std::string();
  }
  return std::string(target.substr(0, target.find('?')));
}

}  // namespace

std::string ContentUrl(std::string_view host, std::uint16_t port, std::string_view id, std::uint64_t size,
                       std::string_view type) {
  std::string url = "http://";
  url += host;
  if (port != 80) url += ":" + std::to_string(port);
  url += kContentPrefix;
  url += Encode(id);
  url += "?size=" + std::to_string(size);
  url += "&type=" + Encode(type);
  return url;
}

std::string ContentPattern(std::string_view id, std::uint64_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(static_cast<std::size_t>(size), '\0');
  std::uint64_t state = Fnv1a64(id);
  for (char& c : out) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    c = kAlphabet[state >> 58];
  }
  return out;
}

std::optional<ContentRequest> ParseContentTarget(std::string_view target, std::uint64_t max_size, bool& not_found) {
  not_found = false;
  std::string path;
  std::optional<std::string> query;
  if (wire::StartsWithIgnoreCase(target, "http://")) {  // absolute-form, RFC 9112 3.2.2
    auto url = wire::ParseHttpUrl(target);
    if (!url.ok()) return std::nullopt;
    path = url->path;
    query = url->query;
  } else {
    if (target.empty() || target.front() != '/') {
      not_found = true;
      return std::nullopt;
    }
    const std::size_t question = target.find('?');
    path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) query = std::string(target.substr(question + 1));
  }
  const std::string_view path_view = path;
  if (path_view.substr(0, kContentPrefix.size()) != kContentPrefix) {
    not_found = true;
    return std::nullopt;
  }
  const std::string_view segment = path_view.substr(kContentPrefix.size());
  if (segment.empty() || segment.find('/') != std::string_view::npos) {
    not_found = true;
    return std::nullopt;
  }
  ContentRequest request;
  auto id = wire::PercentDecode(segment);
  if (!id.ok() || id->empty()) return std::nullopt;
  request.id = std::move(id).value();
  if (!query) return std::nullopt;
  auto size = wire::HttpQueryParameter(*query, "size");
  if (!size.ok() || !size->has_value()) return std::nullopt;
  const auto parsed_size = wire::ParseDecimal(**size, UINT64_MAX);
  if (!parsed_size || *parsed_size > max_size) return std::nullopt;
  request.size = *parsed_size;
  auto type = wire::HttpQueryParameter(*query, "type");
  if (!type.ok()) return std::nullopt;
  if (!type->has_value()) {
    request.type = std::string(kDefaultType);
  } else {
    // The value goes into a Content-Type field: it must be a media type (RFC 9110 8.3) and
    // nothing that could break the field.
    auto media = wire::ParseMediaType(**type);
    if (!media.ok()) return std::nullopt;
    for (char c : **type) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
    }
    request.type = std::string(wire::TrimLws(**type));
  }
  return request;
}

// ---------------------------------------------------------------------------------------------
// ContentServer
// ---------------------------------------------------------------------------------------------

ContentServer::ContentServer(sip::StreamHost& streams, ContentServerConfig config, sip::Host* clock)
    : streams_(streams), config_(std::move(config)), clock_(clock) {}

ContentServer::~ContentServer() { Stop(); }

bool ContentServer::Start() {
  if (listening_) return true;
  listening_ = streams_.Listen(config_.port, [this](sip::ConnectionId id, const sip::Endpoint&) { return Accept(id); });
  return listening_;
}

void ContentServer::Stop() {
  if (listening_) streams_.StopListening(config_.port);
  listening_ = false;
  while (!connections_.empty()) CloseConnection(connections_.begin()->first);
}

sip::StreamCallbacks ContentServer::Accept(sip::ConnectionId id) {
  if (connections_.size() >= config_.max_connections) {
    ++counters_.connections_refused;
    streams_.Close(id);
    return {};
  }
  ++counters_.connections_accepted;
  Connection& connection = connections_[id];
  ArmIdleTimer(id, connection);
  sip::StreamCallbacks callbacks;
  callbacks.on_data = [this](sip::ConnectionId connection_id, std::string_view bytes) { OnData(connection_id, bytes); };
  callbacks.on_closed = [this](sip::ConnectionId connection_id) { OnClosed(connection_id); };
  return callbacks;
}

void ContentServer::ArmIdleTimer(sip::ConnectionId id, Connection& connection) {
  if (!clock_ || config_.idle_timeout.count() <= 0) return;
  clock_->CancelTimer(connection.idle_timer);
  connection.idle_timer = clock_->StartTimer(config_.idle_timeout, [this, id] {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    it->second.idle_timer = sip::kNoTimer;
    ++counters_.idle_closed;
    if (!it->second.inbound.empty()) {
      // Part of a request arrived and the rest never did (RFC 9110 15.5.9).
      SendError(id, 408);
    } else {
      CloseConnection(id);
    }
  });
}

void ContentServer::OnData(sip::ConnectionId id, std::string_view bytes) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second.inbound.append(bytes);
  ArmIdleTimer(id, it->second);
  while (true) {
    it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& connection = it->second;
    wire::HttpFrameOptions options;
    options.limits = config_.limits;
    int reject_status = 400;
    auto frame = wire::HttpFrameLength(connection.inbound, options, &reject_status);
    if (!frame.ok()) {
      SendError(id, reject_status);
      return;
    }
    if (!frame->has_value()) return;
    const std::size_t length = **frame;
    wire::HttpParseOptions parse_options;
    parse_options.limits = config_.limits;
    auto request = wire::HttpMessage::Parse(std::string_view(connection.inbound).substr(0, length), parse_options);
    connection.inbound.erase(0, length);
    if (!request.ok() || !request->IsRequest()) {
      SendError(id, 400);
      return;
    }
    if (!Answer(id, connection, *request)) return;
  }
}

void ContentServer::OnClosed(sip::ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  if (clock_) clock_->CancelTimer(it->second.idle_timer);
  connections_.erase(it);
}

bool ContentServer::Answer(sip::ConnectionId id, Connection& connection, const wire::HttpMessage& request) {
  ++connection.served;
  const bool close = !request.KeepAlive() || connection.served >= config_.max_requests_per_connection;
  const std::string path = PathOf(request.target());
  const std::string& method = request.method();
  if (method != "GET" && method != "HEAD") {
    if (!IsStandardMethod(method)) {
      ++counters_.bad_request;
      Send(id, wire::HttpMessage::MakeResponse(501), path, true);
      return false;
    }
    ++counters_.method_not_allowed;
    wire::HttpMessage response = wire::HttpMessage::MakeResponse(405);
    response.Add("Allow", "GET, HEAD");  // RFC 9110 15.5.6: MUST
    response.SetBody({});
    Send(id, std::move(response), path, close);
    return !close;
  }
  bool not_found = false;
  const auto content = ParseContentTarget(request.target(), config_.max_object_size, not_found);
  if (!content) {
    const int status = not_found ? 404 : 400;
    if (not_found) {
      ++counters_.not_found;
    } else {
      ++counters_.bad_request;
    }
    wire::HttpMessage response = wire::HttpMessage::MakeResponse(status);
    response.SetBody({});
    Send(id, std::move(response), path, close);
    return !close;
  }
  ++counters_.ok;
  wire::HttpMessage response = wire::HttpMessage::MakeResponse(200);
  response.Add("Content-Type", content->type);
  if (method == "HEAD") {
    // RFC 9110 9.3.2: the same fields as GET, without the body.
    response.Add("Content-Length", std::to_string(content->size));
  } else {
    response.SetBody(ContentPattern(content->id, content->size));
  }
  Send(id, std::move(response), path, close);
  return !close;
}

void ContentServer::SendError(sip::ConnectionId id, int status) {
  ++counters_.bad_request;
  wire::HttpMessage response = wire::HttpMessage::MakeResponse(status);
  response.SetBody({});
  Send(id, std::move(response), "", true);
}

void ContentServer::Send(sip::ConnectionId id, wire::HttpMessage response, const std::string& path, bool close) {
  ++counters_.requests;
  if (!config_.server_name.empty()) response.Add("Server", config_.server_name);
  if (close) response.Add("Connection", "close");  // RFC 9112 9.6
  const std::uint64_t body_bytes = response.body().size();
  if (response.status_code() == 200) counters_.body_bytes += body_bytes;
  streams_.Write(id, response.Serialize());
  if (close) CloseConnection(id);
  if (observer_) observer_(path, response.status_code(), body_bytes);
}

void ContentServer::CloseConnection(sip::ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  if (clock_) clock_->CancelTimer(it->second.idle_timer);
  connections_.erase(it);
  streams_.Close(id);
}

// ---------------------------------------------------------------------------------------------
// HttpFetcher
// ---------------------------------------------------------------------------------------------

HttpFetcher::HttpFetcher(sip::Host& clock, sip::StreamHost& streams, const sip::Resolver& resolver,
                         HttpFetcherConfig config)
    : clock_(clock), streams_(streams), resolver_(resolver), config_(std::move(config)) {}

HttpFetcher::~HttpFetcher() {
  for (auto& [id, fetch] : fetches_) clock_.CancelTimer(fetch.timer);
  fetches_.clear();
  for (auto& [id, connection] : connections_) {
    clock_.CancelTimer(connection.idle_timer);
    streams_.Close(id);
  }
  connections_.clear();
}

std::function<void(std::string, std::function<void(int, std::string)>)> HttpFetcher::AsFunction() {
  return [this](std::string url, std::function<void(int, std::string)> callback) {
    Fetch(std::move(url), std::move(callback));
  };
}

FetchId HttpFetcher::Fetch(std::string url_text, Callback callback) {
  const FetchId id = ++next_fetch_;
  ++counters_.fetches;
  FetchState& fetch = fetches_[id];
  fetch.callback = std::move(callback);
  // Failures found here are reported from a timer, so the callback never runs inside Fetch.
  auto fail_later = [&](std::string reason) {
    fetch.timer = clock_.StartTimer(sip::Duration::zero(),
                                    [this, id, reason = std::move(reason)] { Finish(id, 0, reason); });
    return id;
  };
  auto url = wire::ParseHttpUrl(url_text);
  if (!url.ok()) return fail_later("bad URL: " + url.error().Describe());
  fetch.url = std::move(url).value();
  std::uint32_t address = 0;
  if (!sip::ParseIpv4(fetch.url.host, address)) {
    const auto resolved = resolver_.Lookup(fetch.url.host);
    if (!resolved) return fail_later("unknown host " + fetch.url.host);
    address = *resolved;
  }
  fetch.server = sip::Endpoint{address, fetch.url.port, sip::Transport::kTcp};
  fetch.timer = clock_.StartTimer(config_.timeout, [this, id] {
    auto it = fetches_.find(id);
    if (it == fetches_.end()) return;
    it->second.timer = sip::kNoTimer;
    if (it->second.connection != sip::kNoConnection) DropConnection(it->second.connection);
    Finish(id, 0, "timeout");
  });
  Start(id);
  return id;
}

void HttpFetcher::Start(FetchId id) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  FetchState& fetch = it->second;
  if (config_.reuse_connections && !fetch.on_reused_connection) {
    for (auto& [connection_id, connection] : connections_) {
      if (connection.fetch != 0 || !connection.connected || connection.server != fetch.server) continue;
      clock_.CancelTimer(connection.idle_timer);
      connection.idle_timer = sip::kNoTimer;
      connection.fetch = id;
      connection.received_any = false;
      fetch.connection = connection_id;
      fetch.on_reused_connection = true;
      ++counters_.connections_reused;
      SendRequest(id, fetch, connection_id);
      return;
    }
  }
  fetch.on_reused_connection = false;
  sip::StreamCallbacks callbacks;
  callbacks.on_connected = [this](sip::ConnectionId connection_id) { OnConnected(connection_id); };
  callbacks.on_data = [this](sip::ConnectionId connection_id, std::string_view bytes) { OnData(connection_id, bytes); };
  callbacks.on_closed = [this](sip::ConnectionId connection_id) { OnClosed(connection_id); };
  const sip::ConnectionId connection_id = streams_.Connect(fetch.server, std::move(callbacks));
  ++counters_.connections_opened;
  Connection& connection = connections_[connection_id];
  connection.server = fetch.server;
  connection.fetch = id;
  fetch.connection = connection_id;
}

void HttpFetcher::SendRequest(FetchId, FetchState& fetch, sip::ConnectionId connection_id) {
  wire::HttpMessage request = wire::HttpMessage::MakeRequest("GET", fetch.url.Target());
  request.Add("Host", fetch.url.Authority());  // RFC 9112 3.2: MUST
  if (!config_.user_agent.empty()) request.Add("User-Agent", config_.user_agent);
  request.Add("Accept", "*/*");
  if (!config_.reuse_connections) request.Add("Connection", "close");
  streams_.Write(connection_id, request.Serialize());
}

void HttpFetcher::OnConnected(sip::ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second.connected = true;
  if (it->second.fetch == 0) return;
  auto fetch = fetches_.find(it->second.fetch);
  if (fetch == fetches_.end()) return;
  SendRequest(fetch->first, fetch->second, id);
}

void HttpFetcher::OnData(sip::ConnectionId id, std::string_view bytes) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  if (it->second.fetch == 0) {
    // Bytes on an idle connection answer nothing: the connection is out of step.
    DropConnection(id);
    return;
  }
  it->second.received_any = true;
  it->second.inbound.append(bytes);
  Process(id, false);
}

void HttpFetcher::OnClosed(sip::ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& connection = it->second;
  const FetchId fetch_id = connection.fetch;
  if (fetch_id == 0) {
    clock_.CancelTimer(connection.idle_timer);
    connections_.erase(it);
    return;
  }
  auto fetch = fetches_.find(fetch_id);
  if (fetch != fetches_.end() && fetch->second.on_reused_connection && !connection.received_any) {
    // RFC 9112 9.3.1: a server may close an idle connection as the request is sent; an
    // idempotent GET is retried once on a new connection.
    connections_.erase(it);
    ++counters_.retries;
    fetch->second.connection = sip::kNoConnection;
    Start(fetch_id);
    return;
  }
  if (!connection.connected) {
    connections_.erase(it);
    Finish(fetch_id, 0, "connection to the server failed");
    return;
  }
  Process(id, true);
  // Process finished the fetch or the fetcher is gone; the connection is closed either way.
}

void HttpFetcher::Process(sip::ConnectionId id, bool end_of_stream) {
  while (true) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    Connection& connection = it->second;
    const FetchId fetch_id = connection.fetch;
    wire::HttpFrameOptions options;
    options.request_method = "GET";
    options.end_of_stream = end_of_stream;
    options.limits = config_.limits;
    auto frame = wire::HttpFrameLength(connection.inbound, options);
    if (!frame.ok()) {
      const std::string reason = (connection.inbound.empty() ? std::string("connection closed without a response")
                                                             : "malformed response: " + frame.error().Describe());
      if (end_of_stream) {
        connections_.erase(it);
      } else {
        DropConnection(id);
      }
      Finish(fetch_id, 0, reason);
      return;
    }
    if (!frame->has_value()) {
      if (!end_of_stream) return;
      connections_.erase(it);
      Finish(fetch_id, 0, "connection closed before the response was complete");
      return;
    }
    const std::size_t length = **frame;
    wire::HttpParseOptions parse_options;
    parse_options.request_method = "GET";
    parse_options.limits = config_.limits;
    auto response = wire::HttpMessage::Parse(std::string_view(connection.inbound).substr(0, length), parse_options);
    connection.inbound.erase(0, length);
    if (!response.ok() || !response->IsResponse()) {
      if (end_of_stream) {
        connections_.erase(it);
      } else {
        DropConnection(id);
      }
      Finish(fetch_id, 0, response.ok() ? "a request instead of a response" : "malformed response: " +
                                                                                  response.error().Describe());
      return;
    }
    if (response->status_code() < 200) continue;  // interim response (RFC 9110 15.2)
    const bool keep = config_.reuse_connections && !end_of_stream && response->KeepAlive() &&
                      connection.inbound.empty();
    if (end_of_stream) {
      connections_.erase(it);
    } else {
      Release(id, keep);
    }
    wire::HttpMessage final_response = std::move(response).value();
    Finish(fetch_id, final_response.status_code(), final_response.body());
    return;
  }
}

void HttpFetcher::Release(sip::ConnectionId id, bool keep) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& connection = it->second;
  connection.fetch = 0;
  connection.inbound.clear();
  std::size_t idle = 0;
  for (const auto& [other_id, other] : connections_) {
    if (other_id != id && other.fetch == 0 && other.server == connection.server) ++idle;
  }
  if (!keep || idle >= config_.max_idle_per_server) {
    DropConnection(id);
    return;
  }
  connection.idle_timer = clock_.StartTimer(config_.idle_timeout, [this, id] {
    auto idle_connection = connections_.find(id);
    if (idle_connection == connections_.end()) return;
    idle_connection->second.idle_timer = sip::kNoTimer;
    DropConnection(id);
  });
}

void HttpFetcher::DropConnection(sip::ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  clock_.CancelTimer(it->second.idle_timer);
  connections_.erase(it);
  streams_.Close(id);
}

void HttpFetcher::Finish(FetchId id, int status, std::string body) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  clock_.CancelTimer(it->second.timer);
  Callback callback = std::move(it->second.callback);
  fetches_.erase(it);
  if (status == 0) {
    ++counters_.failed;
  } else {
    ++counters_.completed;
  }
  if (callback) callback(status, std::move(body));
}

void HttpFetcher::Cancel(FetchId id) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  clock_.CancelTimer(it->second.timer);
  const sip::ConnectionId connection = it->second.connection;
  fetches_.erase(it);
  // A response may be on its way: the connection cannot be reused.
  if (connection != sip::kNoConnection) DropConnection(connection);
}

}  // namespace pushsim::push
