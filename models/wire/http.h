// A strict, bounded HTTP/1.1 codec (RFC 9112) for the fetches of indirect content (RFC 4483):
// request and status lines, header fields, Content-Length framing on a byte stream, and the
// "http" URLs that message/external-body bodies carry (RFC 9110 section 4.2.1).
//
// Strictness (every rule cites where it comes from):
//   - lines end with CRLF; a bare LF or bare CR is rejected (RFC 9112 2.2 allows, but does not
//     require, accepting a bare LF);
//   - empty lines (CRLF) before a request-line or status-line are skipped (RFC 9112 2.2);
//   - obs-fold (a field line starting with SP/HTAB) is rejected (RFC 9112 5.2), which also rejects
//     whitespace between the start-line and the first field (RFC 9112 2.2);
//   - whitespace between a field name and the colon is rejected (RFC 9112 5.1);
//   - field values are field-content (RFC 9110 5.5): VCHAR, obs-text, SP and HTAB inside; NUL, CR,
//     LF and other control characters are rejected;
//   - HTTP-version is "HTTP/" DIGIT "." DIGIT; major version 1 only (RFC 9112 2.3);
//   - a request-target is one or more visible ASCII characters (RFC 9112 3.2);
//   - an HTTP/1.1 request needs exactly one Host field (RFC 9112 3.2);
//   - status-code is three digits from 100 to 599 (RFC 9110 15); the SP after it is required
//     (RFC 9112 4).
//
// Message body length (RFC 9112 6.3): no body in responses to HEAD and in 1xx, 204 and 304
// responses; otherwise Content-Length. Content-Length repeated (as field lines or as a list) with
// one identical value is that value (RFC 9110 8.6 allows either); differing values or anything but
// digits is an unrecoverable framing error. A request without Content-Length has no body; a
// response without one is delimited by the close of the connection.
//
// Transfer codings are not implemented: any Transfer-Encoding field is a framing error. A server
// answers a request carrying one with 501 (RFC 9112 6.1: "A server that receives a request message
// with a transfer coding it does not understand SHOULD respond with 501"), and one carrying both
// Transfer-Encoding and Content-Length with 400, since that is the shape of request smuggling
// (RFC 9112 6.3 item 3, 11.2). Content servers in this project always send Content-Length.
//
// Limits (HttpLimits; a peer cannot make the codec allocate or scan without bound):
//   - header section (start-line, fields and the empty line, leading empty lines included): at
//     most 16 KiB;
//   - at most 64 field lines;
//   - body: at most 64 MiB;
//   - URLs: at most 8 KiB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"

namespace pushsim::wire {

struct HttpLimits {
  std::size_t max_header_section = 16 * 1024;
  std::size_t max_field_count = 64;
  std::size_t max_body_size = std::size_t{64} << 20;
};

inline constexpr std::size_t kMaxHttpUrlLength = 8 * 1024;

struct HttpField {
  std::string name;   // as on the wire; compared case-insensitively (RFC 9110 5.1)
  std::string value;  // without the surrounding OWS (RFC 9112 5)

  bool operator==(const HttpField& other) const { return name == other.name && value == other.value; }
};

struct HttpParseOptions {
  // For a response: the method of the request it answers. "HEAD" means the response has no
  // body whatever its Content-Length says (RFC 9112 6.3 item 1).
  std::string_view request_method;
  HttpLimits limits;
};

class HttpMessage {
 public:
  // Parses one complete message: a request, or a response when the input starts with "HTTP/".
  // With Content-Length the body must be exactly that long; a request without it must end after
  // the header section; a response without it takes the rest of the input as its body.
  static Result<HttpMessage> Parse(std::string_view input, const HttpParseOptions& options = {});

  // A request for `target` ("/content/1?size=3") with HTTP/1.1 and no fields.
  static HttpMessage MakeRequest(std::string_view method, std::string_view target);
  // A response; an empty reason gives the one RFC 9110 section 15 registers for the code.
  static HttpMessage MakeResponse(int status_code, std::string_view reason = {});

  bool IsRequest() const { return is_request_; }
  bool IsResponse() const { return !is_request_; }
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  int status_code() const { return status_code_; }
  const std::string& reason() const { return reason_; }
  int version_major() const { return version_major_; }
  int version_minor() const { return version_minor_; }
  void set_version(int major, int minor) {
    version_major_ = major;
    version_minor_ = minor;
  }

  // Header fields, in order. Names match case-insensitively.
  const std::vector<HttpField>& fields() const { return fields_; }
  std::optional<std::string_view> Get(std::string_view name) const;  // the first one
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  void Add(std::string_view name, std::string_view value);
  // Replaces every field of that name by one (added at the end when there was none).
  void Set(std::string_view name, std::string_view value);
  void Remove(std::string_view name);

  const std::string& body() const { return body_; }
  // Sets the body and Content-Length (and Content-Type when `content_type` is not empty).
  void SetBody(std::string body, std::string_view content_type = {});

  // RFC 9112 9.3: a connection persists after this message unless it has "Connection: close",
  // or is HTTP/1.0 without "Connection: keep-alive".
  bool KeepAlive() const;

  std::string Serialize() const;
  void SerializeTo(std::string& out) const;

 private:
  bool is_request_ = true;
  std::string method_;
  std::string target_;
  int status_code_ = 0;
  std::string reason_;
  int version_major_ = 1;
  int version_minor_ = 1;
  std::vector<HttpField> fields_;
  std::string body_;
};

// The reason phrase RFC 9110 section 15 gives a status code; "Unknown" for others.
std::string_view HttpReasonPhrase(int status_code);

struct HttpFrameOptions {
  // For a response stream: the method of the request it answers (see HttpParseOptions).
  std::string_view request_method;
  // The peer has closed the connection: a response without Content-Length ends here, and an
  // incomplete message is a kTruncated error instead of "need more".
  bool end_of_stream = false;
  HttpLimits limits;
};

// For a byte stream: given the bytes received so far, the length of the first complete message
// (leading empty lines included), or nullopt when more bytes are needed. An error means the
// stream cannot be resynchronised and the connection must be closed. When `reject_status` is not
// null it receives the status a server answers a request with that error: 400, 413 (body over
// the limit), 431 (header section or field count over the limit), 501 (Transfer-Encoding) or
// 505 (HTTP major version other than 1).
Result<std::optional<std::size_t>> HttpFrameLength(std::string_view stream, const HttpFrameOptions& options = {},
                                                   int* reject_status = nullptr);

// An "http" URL (RFC 9110 4.2.1): "http://" host [":" port] path-abempty ["?" query]
// ["#" fragment]. The host is a reg-name, an IPv4 address or an IP-literal in brackets; it must
// not be empty; userinfo is rejected (RFC 9110 4.2.4). %HH escapes must be well formed; the path
// and query are kept encoded.
struct HttpUrl {
  std::string host;         // lower-cased (RFC 3986 3.2.2: the host is case-insensitive)
  std::uint16_t port = 80;  // RFC 9110 4.2.1: 80 when absent or empty
  std::string path = "/";   // "/" when empty (RFC 9110 4.2.3)
  std::optional<std::string> query;  // without the '?'

  // The origin-form request-target (RFC 9112 3.2.1): path ["?" query].
  std::string Target() const;
  // "host" or "host:port" for the Host field (RFC 9112 3.2: port omitted when it is 80).
  std::string Authority() const;
  std::string ToString() const;
};
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// The value of a query parameter "name=value" in a query string ("a=1&b=2"), percent-decoded.
// nullopt when absent; an error when its escapes are malformed. The first occurrence wins.
Result<std::optional<std::string>> HttpQueryParameter(std::string_view query, std::string_view name);

}  // namespace pushsim::wire
