#include "wire/http.h"

#include <algorithm>

#include "wire/text.h"

namespace pushsim::wire {

namespace {

// RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" /
// "`" / "|" / "~" / DIGIT / ALPHA.
bool IsTchar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IsVchar(char c) { return c >= 0x21 && c <= 0x7E; }
bool IsObsText(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && IsOws(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsOws(text.back())) text.remove_suffix(1);
  return text;
}

std::string HexByte(char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  return std::string("0x") + kHex[byte >> 4] + kHex[byte & 0xF];
}

// The parts of a message that come before the body, and what they say about the body.
struct Head {
  bool is_request = true;
  std::string method;
  std::string target;
  int status_code = 0;
  std::string reason;
  int major = 1;
  int minor = 1;
  std::vector<HttpField> fields;
  std::size_t length = 0;  // header section, leading empty lines and final CRLF included
  // The body length when it is known from the header section; nullopt: until the close.
  std::optional<std::size_t> body_length;
};

struct HeadError {
  ParseError error;
  int status = 400;
};

enum class LineState { kLine, kNeedMore, kError };

// Reads the CRLF-terminated line starting at `pos` within stream[0, limit). RFC 9112 2.2: a bare
// CR is invalid; this codec also refuses a bare LF (recognizing it is only a MAY).
LineState NextLine(std::string_view stream, std::size_t pos, std::size_t limit, std::string_view& line,
                   std::size_t& next, std::size_t& error_offset) {
  const std::size_t end = std::min(stream.size(), limit);
  for (std::size_t i = pos; i < end; ++i) {
    if (stream[i] == '\n') {
      error_offset = i;
      return LineState::kError;
    }
    if (stream[i] != '\r') continue;
    if (i + 1 >= end) return LineState::kNeedMore;
    if (stream[i + 1] != '\n') {
      error_offset = i;
      return LineState::kError;
    }
    line = stream.substr(pos, i - pos);
    next = i + 2;
    return LineState::kLine;
  }
  return LineState::kNeedMore;
}

// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3; the name is case-sensitive).
bool ParseVersion(std::string_view text, int& major, int& minor) {
  if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || !IsDigit(text[5]) || text[6] != '.' || !IsDigit(text[7])) {
    return false;
  }
  major = text[5] - '0';
  minor = text[7] - '0';
  return true;
}

std::optional<HeadError> ParseRequestLine(std::string_view stream, std::string_view line, std::size_t base,
                                          Head& head) {
  auto fail = [&](std::size_t offset, std::string detail, int status = 400) {
    return HeadError{MakeError(ErrorCode::kBadStartLine, stream, base + offset, std::move(detail)), status};
  };
  // request-line = method SP request-target SP HTTP-version (RFC 9112 3)
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) return fail(0, "expected method SP request-target SP HTTP-version");
  const std::string_view method = line.substr(0, first_space);
  for (std::size_t i = 0; i < method.size(); ++i) {
    if (!IsTchar(method[i])) return fail(i, "method must be a token, found " + HexByte(method[i]));
  }
  if (method.empty()) return fail(0, "empty method");
  const std::size_t target_start = first_space + 1;
  const std::size_t second_space = line.find(' ', target_start);
  if (second_space == std::string_view::npos) return fail(target_start, "expected SP HTTP-version after the request-target");
  const std::string_view target = line.substr(target_start, second_space - target_start);
  if (target.empty()) return fail(target_start, "empty request-target");
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (!IsVchar(target[i])) return fail(target_start + i, "request-target must be visible ASCII, found " + HexByte(target[i]));
  }
  const std::string_view version = line.substr(second_space + 1);
  // RFC 9112 3.2: whitespace inside the request-target is invalid, not to be autocorrected.
  if (version.find(' ') != std::string_view::npos) return fail(second_space, "whitespace in the request-target");
  if (!ParseVersion(version, head.major, head.minor)) {
    return fail(second_space + 1, "expected HTTP-version \"HTTP/\" DIGIT \".\" DIGIT");
  }
  if (head.major != 1) return fail(second_space + 1, "only HTTP/1.x is supported", 505);
  head.is_request = true;
  head.method = std::string(method);
  head.target = std::string(target);
  return std::nullopt;
}

std::optional<HeadError> ParseStatusLine(std::string_view stream, std::string_view line, std::size_t base,
                                         Head& head) {
  auto fail = [&](std::size_t offset, std::string detail) {
    return HeadError{MakeError(ErrorCode::kBadStartLine, stream, base + offset, std::move(detail)), 400};
  };
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4)
  if (line.size() < 13 || !ParseVersion(line.substr(0, 8), head.major, head.minor)) {
    return fail(0, "expected HTTP-version SP status-code SP [reason-phrase]");
  }
  if (head.major != 1) return fail(5, "only HTTP/1.x is supported");
  if (line[8] != ' ') return fail(8, "expected SP after the HTTP-version");
  for (std::size_t i = 9; i < 12; ++i) {
    if (!IsDigit(line[i])) return fail(i, "status-code is three digits");
  }
  const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (code < 100 || code > 599) return fail(9, "status-code must be 100 to 599");
  if (line[12] != ' ') return fail(12, "expected SP after the status-code");
  const std::string_view reason = line.substr(13);
  for (std::size_t i = 0; i < reason.size(); ++i) {
    const char c = reason[i];
    if (!(IsOws(c) || IsVchar(c) || IsObsText(c))) return fail(13 + i, "reason-phrase holds " + HexByte(c));
  }
  head.is_request = false;
  head.status_code = code;
  head.reason = std::string(reason);
  return std::nullopt;
}

std::optional<HeadError> ParseFieldLine(std::string_view stream, std::string_view line, std::size_t base,
                                        Head& head) {
  auto fail = [&](ErrorCode code, std::size_t offset, std::string detail) {
    return HeadError{MakeError(code, stream, base + offset, std::move(detail)), 400};
  };
  // RFC 9112 5.2: obs-fold is rejected (a server MUST either reject it with 400 or replace it).
  if (IsOws(line.front())) return fail(ErrorCode::kBadHeader, 0, "obsolete line folding (line starts with whitespace)");
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(ErrorCode::kBadHeader, 0, "expected field-name \":\" field-value");
  const std::string_view name = line.substr(0, colon);
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (IsOws(name[i])) {
      // RFC 9112 5.1: a server MUST reject whitespace between the field name and the colon.
      return fail(ErrorCode::kBadHeader, i, "whitespace between the field name and ':'");
    }
    if (!IsTchar(name[i])) return fail(ErrorCode::kBadHeader, i, "field-name must be a token, found " + HexByte(name[i]));
  }
  if (name.empty()) return fail(ErrorCode::kBadHeader, 0, "empty field-name");
  std::size_t value_start = colon + 1;
  std::string_view value = line.substr(value_start);
  while (!value.empty() && IsOws(value.front())) {
    value.remove_prefix(1);
    ++value_start;
  }
  value = TrimOws(value);
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    // RFC 9110 5.5: field-content is VCHAR / obs-text with SP and HTAB inside; CR, LF and NUL
    // are "invalid and dangerous".
    if (!(IsOws(c) || IsVchar(c) || IsObsText(c))) {
      return fail(ErrorCode::kBadCharacter, value_start + i, "field-value holds " + HexByte(c));
    }
  }
  head.fields.push_back(HttpField{std::string(name), std::string(value)});
  return std::nullopt;
}

bool IsUnreserved(char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
bool IsSubDelim(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Checks the characters of a URI component: %HH escapes, and otherwise `allowed`. Returns the
// offset of the first bad byte, or npos.
template <typename Allowed>
std::size_t FindBadUriChar(std::string_view text, Allowed allowed) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size()) return i;
      if (!IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) return i;
      i += 2;
      continue;
    }
    if (!allowed(text[i])) return i;
  }
  return std::string_view::npos;
}

// RFC 9110 7.2: Host = uri-host [ ":" port ].
bool IsValidHostValue(std::string_view value) {
  return FindBadUriChar(value, [](char c) {
           return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '[' || c == ']';
         }) == std::string_view::npos;
}

// Applies RFC 9112 6.3 and the Host rule to a parsed header section.
std::optional<HeadError> CheckFraming(std::string_view stream, Head& head, std::string_view request_method,
                                      const HttpLimits& limits) {
  auto fail = [&](ErrorCode code, std::string detail, int status) {
    return HeadError{MakeError(code, stream, 0, std::move(detail)), status};
  };
  bool has_transfer_encoding = false;
  bool has_content_length = false;
  std::optional<std::uint64_t> content_length;
  bool content_length_too_large = false;
  std::size_t host_count = 0;
  std::string_view host_value;
  for (const HttpField& field : head.fields) {
    if (EqualsIgnoreCase(field.name, "Transfer-Encoding")) has_transfer_encoding = true;
    if (EqualsIgnoreCase(field.name, "Host")) {
      ++host_count;
      host_value = field.value;
    }
    if (!EqualsIgnoreCase(field.name, "Content-Length")) continue;
    has_content_length = true;
    // RFC 9110 8.6: a list of identical values may be taken as that value; anything else is an
    // unrecoverable framing error (RFC 9112 6.3 item 5).
    std::string_view rest = field.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = TrimOws(rest.substr(0, comma));
      if (item.empty() || !std::all_of(item.begin(), item.end(), IsDigit)) {
        return fail(ErrorCode::kBadContentLength, "Content-Length must be digits, found \"" + std::string(item) + "\"",
                    400);
      }
      std::string_view digits = item;
      while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
      const std::optional<std::uint64_t> value = ParseDecimal(digits, UINT64_MAX);
      // Compare on the digits when the value does not fit: two different huge values still differ.
      const std::uint64_t parsed = value ? *value : UINT64_MAX;
      if (content_length && *content_length != parsed) {
        return fail(ErrorCode::kBadContentLength, "Content-Length values differ", 400);
      }
      content_length = parsed;
      if (!value || *value > limits.max_body_size) content_length_too_large = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (has_transfer_encoding && has_content_length) {
    return fail(ErrorCode::kBadHeader, "both Transfer-Encoding and Content-Length (RFC 9112 6.3: a smuggling attempt)",
                400);
  }
  if (has_transfer_encoding) {
    return fail(ErrorCode::kBadHeaderValue, "Transfer-Encoding is not implemented; only Content-Length framing",
                501);
  }
  if (head.is_request && head.minor >= 1) {
    // RFC 9112 3.2: a server MUST respond with 400 to an HTTP/1.1 request without Host, with
    // more than one, or with an invalid one.
    if (host_count == 0) return fail(ErrorCode::kMissingHeader, "an HTTP/1.1 request needs a Host field", 400);
    if (host_count > 1) return fail(ErrorCode::kDuplicateHeader, "more than one Host field", 400);
    if (!IsValidHostValue(host_value)) return fail(ErrorCode::kBadHeaderValue, "invalid Host value", 400);
  }
  const bool no_body = !head.is_request && (EqualsIgnoreCase(request_method, "HEAD") || head.status_code < 200 ||
                                            head.status_code == 204 || head.status_code == 304);
  if (no_body) {
    head.body_length = 0;
    return std::nullopt;
  }
  if (content_length_too_large) {
    return fail(ErrorCode::kTooLarge,
                "Content-Length exceeds the limit of " + std::to_string(limits.max_body_size) + " bytes", 413);
  }
  if (content_length) {
    head.body_length = static_cast<std::size_t>(*content_length);
  } else if (head.is_request) {
    head.body_length = 0;  // RFC 9112 6.3 item 6
  } else {
    head.body_length = std::nullopt;  // RFC 9112 6.3 item 8: until the connection closes
  }
  return std::nullopt;
}

struct HeadResult {
  std::optional<HeadError> error;
  bool complete = false;
  Head head;
};

HeadResult ParseHead(std::string_view stream, std::string_view request_method, bool end_of_stream,
                     const HttpLimits& limits) {
  HeadResult result;
  auto too_large = [&](std::size_t offset, std::string detail) {
    result.error = HeadError{MakeError(ErrorCode::kTooLarge, stream, offset, std::move(detail)), 431};
    return result;
  };
  auto need_more = [&](std::size_t offset) {
    if (end_of_stream) {
      result.error = HeadError{
          MakeError(ErrorCode::kTruncated, stream, offset, "the stream ended inside the header section"), 400};
    }
    return result;
  };
  const std::size_t limit = limits.max_header_section;
  std::size_t pos = 0;
  // RFC 9112 2.2: ignore empty lines received before the start-line.
  while (pos + 1 < stream.size() && stream[pos] == '\r' && stream[pos + 1] == '\n') {
    pos += 2;
    if (pos >= limit) return too_large(pos, "header section exceeds " + std::to_string(limit) + " bytes");
  }
  Head& head = result.head;
  bool start_line = true;
  while (true) {
    std::string_view line;
    std::size_t next = 0;
    std::size_t bad = 0;
    const LineState state = NextLine(stream, pos, limit, line, next, bad);
    if (state == LineState::kError) {
      const bool lf = stream[bad] == '\n';
      result.error = HeadError{
          MakeError(ErrorCode::kBadCharacter, stream, bad,
                    lf ? "bare LF; lines end with CRLF (RFC 9112 2.2)" : "bare CR (RFC 9112 2.2)"),
          400};
      return result;
    }
    if (state == LineState::kNeedMore) {
      if (stream.size() >= limit) {
        return too_large(limit, "header section exceeds " + std::to_string(limit) + " bytes");
      }
      return need_more(stream.size());
    }
    if (start_line) {
      if (line.empty()) {
        result.error = HeadError{MakeError(ErrorCode::kBadStartLine, stream, pos, "empty start-line"), 400};
        return result;
      }
      const bool response = line.substr(0, 5) == "HTTP/";
      auto error = response ? ParseStatusLine(stream, line, pos, head) : ParseRequestLine(stream, line, pos, head);
      if (error) {
        result.error = std::move(error);
        return result;
      }
      start_line = false;
    } else if (line.empty()) {
      head.length = next;
      break;
    } else {
      if (head.fields.size() >= limits.max_field_count) {
        return too_large(pos, "more than " + std::to_string(limits.max_field_count) + " field lines");
      }
      if (auto error = ParseFieldLine(stream, line, pos, head)) {
        result.error = std::move(error);
        return result;
      }
    }
    pos = next;
  }
  if (auto error = CheckFraming(stream, head, request_method, limits)) {
    result.error = std::move(error);
    return result;
  }
  result.complete = true;
  return result;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HttpMessage
// ---------------------------------------------------------------------------------------------

Result<HttpMessage> HttpMessage::Parse(std::string_view input, const HttpParseOptions& options) {
  HeadResult parsed = ParseHead(input, options.request_method, /*end_of_stream=*/true, options.limits);
  if (parsed.error) return std::move(parsed.error->error);
  Head& head = parsed.head;
  const std::string_view rest = input.substr(head.length);
  HttpMessage message;
  message.is_request_ = head.is_request;
  message.method_ = std::move(head.method);
  message.target_ = std::move(head.target);
  message.status_code_ = head.status_code;
  message.reason_ = std::move(head.reason);
  message.version_major_ = head.major;
  message.version_minor_ = head.minor;
  message.fields_ = std::move(head.fields);
  if (head.body_length) {
    if (rest.size() < *head.body_length) {
      return MakeError(ErrorCode::kTruncated, input, input.size(),
                       "body has " + std::to_string(rest.size()) + " of " + std::to_string(*head.body_length) +
                           " bytes");
    }
    if (rest.size() > *head.body_length) {
      return MakeError(ErrorCode::kBadContentLength, input, head.length + *head.body_length,
                       std::to_string(rest.size() - *head.body_length) + " bytes after the end of the message");
    }
  } else if (rest.size() > options.limits.max_body_size) {
    return MakeError(ErrorCode::kTooLarge, input, head.length + options.limits.max_body_size,
                     "body exceeds " + std::to_string(options.limits.max_body_size) + " bytes");
  }
  message.body_ = std::string(rest);
  return message;
}

HttpMessage HttpMessage::MakeRequest(std::string_view method, std::string_view target) {
  HttpMessage message;
  message.is_request_ = true;
  message.method_ = std::string(method);
  message.target_ = std::string(target);
  return message;
}

HttpMessage HttpMessage::MakeResponse(int status_code, std::string_view reason) {
  HttpMessage message;
  message.is_request_ = false;
  message.status_code_ = status_code;
  message.reason_ = reason.empty() ? std::string(HttpReasonPhrase(status_code)) : std::string(reason);
  return message;
}

std::optional<std::string_view> HttpMessage::Get(std::string_view name) const {
  for (const HttpField& field : fields_) {
    if (EqualsIgnoreCase(field.name, name)) return std::string_view(field.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpMessage::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const HttpField& field : fields_) {
    if (EqualsIgnoreCase(field.name, name)) out.emplace_back(field.value);
  }
  return out;
}

void HttpMessage::Add(std::string_view name, std::string_view value) {
  fields_.push_back(HttpField{std::string(name), std::string(value)});
}

void HttpMessage::Set(std::string_view name, std::string_view value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const HttpField& field) { return EqualsIgnoreCase(field.name, name); });
  if (first == fields_.end()) {
    Add(name, value);
    return;
  }
  first->value = std::string(value);
  const auto index = first - fields_.begin();
  fields_.erase(std::remove_if(fields_.begin() + index + 1, fields_.end(),
                               [&](const HttpField& field) { return EqualsIgnoreCase(field.name, name); }),
                fields_.end());
}

void HttpMessage::Remove(std::string_view name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const HttpField& field) { return EqualsIgnoreCase(field.name, name); }),
                fields_.end());
}

void HttpMessage::SetBody(std::string body, std::string_view content_type) {
  body_ = std::move(body);
  Set("Content-Length", std::to_string(body_.size()));
  if (!content_type.empty()) Set("Content-Type", content_type);
}

bool HttpMessage::KeepAlive() const {
  bool close = false;
  bool keep_alive = false;
  for (const HttpField& field : fields_) {
    if (!EqualsIgnoreCase(field.name, "Connection")) continue;
    std::string_view rest = field.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view option = TrimOws(rest.substr(0, comma));
      if (EqualsIgnoreCase(option, "close")) close = true;
      if (EqualsIgnoreCase(option, "keep-alive")) keep_alive = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (close) return false;
  if (version_major_ == 1 && version_minor_ == 0) return keep_alive;
  return true;
}

void HttpMessage::SerializeTo(std::string& out) const {
  const std::string version = "HTTP/" + std::to_string(version_major_) + "." + std::to_string(version_minor_);
  if (is_request_) {
    out += method_;
    out += ' ';
    out += target_;
    out += ' ';
    out += version;
  } else {
    out += version;
    out += ' ';
    const std::string code = std::to_string(status_code_);
    out.append(3 - std::min<std::size_t>(3, code.size()), '0');
    out += code;
    out += ' ';
    out += reason_;
  }
  out += "\r\n";
  for (const HttpField& field : fields_) {
    out += field.name;
    out += ": ";
    out += field.value;
    out += "\r\n";
  }
  out += "\r\n";
  out += body_;
}

std::string HttpMessage::Serialize() const {
  std::string out;
  out.reserve(256 + body_.size());
  SerializeTo(out);
  return out;
}

std::string_view HttpReasonPhrase(int status_code) {
  switch (status_code) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Stream framing
// ---------------------------------------------------------------------------------------------

Result<std::optional<std::size_t>> HttpFrameLength(std::string_view stream, const HttpFrameOptions& options,
                                                   int* reject_status) {
  HeadResult parsed = ParseHead(stream, options.request_method, options.end_of_stream, options.limits);
  if (parsed.error) {
    if (reject_status) *reject_status = parsed.error->status;
    return std::move(parsed.error->error);
  }
  if (!parsed.complete) return std::optional<std::size_t>{};
  const Head& head = parsed.head;
  const std::size_t available = stream.size() - head.length;
  if (head.body_length) {
    if (available >= *head.body_length) return std::optional<std::size_t>(head.length + *head.body_length);
    if (options.end_of_stream) {
      if (reject_status) *reject_status = 400;
      return MakeError(ErrorCode::kTruncated, stream, stream.size(),
                       "the stream ended after " + std::to_string(available) + " of " +
                           std::to_string(*head.body_length) + " body bytes");
    }
    return std::optional<std::size_t>{};
  }
  // Delimited by the close of the connection (responses only).
  if (available > options.limits.max_body_size) {
    if (reject_status) *reject_status = 413;
    return MakeError(ErrorCode::kTooLarge, stream, head.length + options.limits.max_body_size,
                     "body exceeds " + std::to_string(options.limits.max_body_size) + " bytes");
  }
  if (options.end_of_stream) return std::optional<std::size_t>(stream.size());
  return std::optional<std::size_t>{};
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

namespace {

bool IsPchar(char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@'; }

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  if (text.size() > kMaxHttpUrlLength) {
    return MakeError(ErrorCode::kTooLarge, text, kMaxHttpUrlLength,
                     "URL longer than " + std::to_string(kMaxHttpUrlLength) + " bytes");
  }
  constexpr std::string_view kScheme = "http://";
  if (!StartsWithIgnoreCase(text, kScheme)) return MakeError(ErrorCode::kBadUri, text, 0, "expected \"http://\"");
  HttpUrl url;
  const std::size_t authority_start = kScheme.size();
  std::size_t authority_end = text.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = text.size();
  const std::string_view authority = text.substr(authority_start, authority_end - authority_start);
  if (const std::size_t at = authority.find('@'); at != std::string_view::npos) {
    // RFC 9110 4.2.4: userinfo is deprecated in http URIs and treated as an error.
    return MakeError(ErrorCode::kBadUri, text, authority_start + at, "userinfo is not allowed in an http URL");
  }
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return MakeError(ErrorCode::kBadUri, text, authority_start, "IP-literal without ']'");
    }
    host = authority.substr(0, close + 1);
    for (std::size_t i = 1; i < close; ++i) {
      const char c = host[i];
      if (!(IsHexDigit(c) || c == ':' || c == '.')) {
        return MakeError(ErrorCode::kBadUri, text, authority_start + i, "bad character in an IP-literal");
      }
    }
    if (close == 1) return MakeError(ErrorCode::kBadUri, text, authority_start, "empty IP-literal");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return MakeError(ErrorCode::kBadUri, text, authority_start + close + 1, "expected ':' port after ']'");
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    const std::size_t bad = FindBadUriChar(host, [](char c) { return IsUnreserved(c) || IsSubDelim(c); });
    if (bad != std::string_view::npos) {
      return MakeError(host[bad] == '%' ? ErrorCode::kBadEscape : ErrorCode::kBadUri, text, authority_start + bad,
                       "bad character in the host");
    }
  }
  // RFC 9110 4.2.1: a recipient MUST reject an http URI with an empty host.
  if (host.empty()) return MakeError(ErrorCode::kBadUri, text, authority_start, "empty host");
  url.host = ToLower(host);
  if (has_port && !port_text.empty()) {
    const auto port = ParseDecimal(port_text, 65535);
    if (!port || *port == 0) {
      return MakeError(ErrorCode::kBadNumber, text, authority_end - port_text.size(), "port must be 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(*port);
  }
  std::size_t pos = authority_end;
  std::size_t path_end = text.find_first_of("?#", pos);
  if (path_end == std::string_view::npos) path_end = text.size();
  const std::string_view path = text.substr(pos, path_end - pos);
  if (const std::size_t bad = FindBadUriChar(path, [](char c) { return IsPchar(c) || c == '/'; });
      bad != std::string_view::npos) {
    return MakeError(path[bad] == '%' ? ErrorCode::kBadEscape : ErrorCode::kBadUri, text, pos + bad,
                     "bad character in the path");
  }
  if (!path.empty()) url.path = std::string(path);
  pos = path_end;
  auto query_char = [](char c) { return IsPchar(c) || c == '/' || c == '?'; };
  if (pos < text.size() && text[pos] == '?') {
    std::size_t query_end = text.find('#', pos + 1);
    if (query_end == std::string_view::npos) query_end = text.size();
    const std::string_view query = text.substr(pos + 1, query_end - pos - 1);
    if (const std::size_t bad = FindBadUriChar(query, query_char); bad != std::string_view::npos) {
      return MakeError(query[bad] == '%' ? ErrorCode::kBadEscape : ErrorCode::kBadUri, text, pos + 1 + bad,
                       "bad character in the query");
    }
    url.query = std::string(query);
    pos = query_end;
  }
  if (pos < text.size()) {
    // A fragment is for the client only; it is checked and dropped (RFC 9110 4.2.5).
    const std::string_view fragment = text.substr(pos + 1);
    if (const std::size_t bad = FindBadUriChar(fragment, query_char); bad != std::string_view::npos) {
      return MakeError(fragment[bad] == '%' ? ErrorCode::kBadEscape : ErrorCode::kBadUri, text, pos + 1 + bad,
                       "bad character in the fragment");
    }
  }
  return url;
}

std::string HttpUrl::Target() const {
  std::string out = path.empty() ? std::string("/") : path;
  if (query) {
    out += '?';
    out += *query;
  }
  return out;
}

std::string HttpUrl::Authority() const {
  if (port == 80) return host;
  return host + ":" + std::to_string(port);
}

std::string HttpUrl::ToString() const { return "http://" + Authority() + Target(); }

Result<std::optional<std::string>> HttpQueryParameter(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(pos, end - pos);
    const std::size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      if (equals == std::string_view::npos) return std::optional<std::string>(std::string());
      auto decoded = PercentDecode(pair.substr(equals + 1));
      if (!decoded.ok()) {
        return MakeError(decoded.error().code, query, pos + equals + 1 + decoded.error().offset,
                         decoded.error().detail);
      }
      return std::optional<std::string>(std::move(decoded).value());
    }
    if (end == query.size()) break;
    pos = end + 1;
  }
  return std::optional<std::string>{};
}

}  // namespace pushsim::wire
