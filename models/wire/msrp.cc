#include "wire/msrp.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace pushsim::wire {
namespace {

constexpr std::string_view kEndLineDashes = "-------";
constexpr std::string_view kCrlf = "\r\n";

bool IsAlphaNum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsUpAlpha(char c) { return c >= 'A' && c <= 'Z'; }

bool IsFlag(char c) { return c == '$' || c == '+' || c == '#'; }

// RFC 3986 unreserved.
bool IsUnreserved(char c) { return IsAlphaNum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
// RFC 3986 sub-delims without ';', which ends the authority of an MSRP URI.
bool IsSubDelimNoSemicolon(char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case '=':
      return true;
    default:
      return false;
  }
}
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Moves an error found in `part` (offset relative to `part`) to its place in `input`.
ParseError Rebase(const ParseError& error, std::string_view input, std::size_t base) {
  return MakeError(error.code, input, base + error.offset, error.detail);
}

// utf8text = *(HTAB / %x20-7E / UTF8-NONASCII) (RFC 4975 section 9, UTF8-NONASCII from RFC 3261
// section 25.1). Returns the offset of the first byte that breaks the rule, or npos.
std::size_t FindNonUtf8Text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\t' || (byte >= 0x20 && byte <= 0x7E)) {
      ++i;
      continue;
    }
    std::size_t continuation = 0;
    if (byte >= 0xC0 && byte <= 0xDF) {
      continuation = 1;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      continuation = 2;
    } else if (byte >= 0xF0 && byte <= 0xF7) {
      continuation = 3;
    } else if (byte >= 0xF8 && byte <= 0xFB) {
      continuation = 4;
    } else if (byte >= 0xFC && byte <= 0xFD) {
      continuation = 5;
    } else {
      return i;
    }
    if (i + continuation >= text.size()) return i;
    for (std::size_t k = 1; k <= continuation; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return i + k;
    }
    i += continuation + 1;
  }
  return std::string_view::npos;
}

bool IsIdentChar(char c) { return IsAlphaNum(c) || c == '.' || c == '-' || c == '+' || c == '%' || c == '='; }

std::string_view FirstPathElement(std::string_view path) {
  const std::size_t space = path.find(' ');
  return space == std::string_view::npos ? path : path.substr(0, space);
}

std::string FormatCode(int code) {
  std::string out(3, '0');
  int value = code < 0 ? 0 : code % 1000;
  for (int i = 2; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

std::optional<int> ParseThreeDigits(std::string_view text) {
  if (text.size() != 3 || !IsDigit(text[0]) || !IsDigit(text[1]) || !IsDigit(text[2])) return std::nullopt;
  return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

// ---- URI pieces -----------------------------------------------------------------------------

// Checks that `text` holds only `allowed` characters or %HH escapes; returns the bad offset.
template <typename Allowed>
std::size_t FindBadUriChar(std::string_view text, Allowed allowed) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) return i;
      i += 2;
      continue;
    }
    if (!allowed(text[i])) return i;
  }
  return std::string_view::npos;
}

// ---- framing --------------------------------------------------------------------------------

struct FirstLine {
  bool is_request = true;
  std::string_view transaction_id;
  std::string_view method;
  int status_code = 0;
  std::string_view comment;
};

// req-start = pMSRP SP transact-id SP method CRLF
// resp-start = pMSRP SP transact-id SP status-code [SP comment] CRLF
Result<FirstLine> ParseFirstLine(std::string_view line) {
  constexpr std::string_view kPrefix = "MSRP ";
  if (line.substr(0, kPrefix.size()) != kPrefix) {
    return LocalError(ErrorCode::kBadStartLine, 0, "expected \"MSRP \" (in capitals) at the start of the message");
  }
  const std::size_t id_begin = kPrefix.size();
  const std::size_t id_end = line.find(' ', id_begin);
  if (id_end == std::string_view::npos) {
    return LocalError(ErrorCode::kBadStartLine, line.size(), "expected SP and a method or status code after the transaction id");
  }
  FirstLine first;
  first.transaction_id = line.substr(id_begin, id_end - id_begin);
  if (!IsMsrpIdent(first.transaction_id)) {
    return LocalError(ErrorCode::kBadStartLine, id_begin,
                      "transaction id must be an ident: 4 to 32 of ALPHANUM . - + % = starting with ALPHANUM");
  }
  const std::string_view rest = line.substr(id_end + 1);
  const std::size_t rest_begin = id_end + 1;
  if (rest.size() >= 3 && IsDigit(rest[0]) && IsDigit(rest[1]) && IsDigit(rest[2]) &&
      (rest.size() == 3 || rest[3] == ' ')) {
    first.is_request = false;
    first.status_code = *ParseThreeDigits(rest.substr(0, 3));
    if (rest.size() > 3) {
      first.comment = rest.substr(4);
      const std::size_t bad = FindNonUtf8Text(first.comment);
      if (bad != std::string_view::npos) {
        return LocalError(ErrorCode::kBadCharacter, rest_begin + 4 + bad, "comment must be UTF-8 text without controls");
      }
    }
    return first;
  }
  if (rest.empty()) return LocalError(ErrorCode::kBadStartLine, rest_begin, "expected a method or a status code");
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (!IsUpAlpha(rest[i])) {
      return LocalError(ErrorCode::kBadStartLine, rest_begin + i,
                        "method must be upper-case letters, a status code three digits");
    }
  }
  first.method = rest;
  return first;
}

struct HeaderSpan {
  std::size_t offset;
  std::size_t length;
};

struct ScannedFrame {
  FirstLine first;
  std::vector<HeaderSpan> headers;
  bool has_body_section = false;
  std::size_t body_offset = 0;
  std::size_t body_length = 0;
  std::size_t blank_line_offset = 0;
  char flag = '$';
  std::size_t end = 0;  // one past the end-line's CRLF
};

// Finds the LF that ends the line starting at `pos`, looking at most `max_line + 2` bytes ahead.
// Returns the offset of the CR, nullopt when the window holds no LF yet and more bytes may come.
Result<std::optional<std::size_t>> FindLineEnd(std::string_view stream, std::size_t pos, std::size_t max_line,
                                               const char* what) {
  const std::string_view window = stream.substr(pos, max_line + 2);
  const std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (window.size() >= max_line + 2) {
      return MakeError(ErrorCode::kTooLarge, stream, pos,
                       std::string(what) + " longer than " + std::to_string(max_line) + " bytes");
    }
    return std::optional<std::size_t>();
  }
  if (lf == 0 || window[lf - 1] != '\r') {
    return MakeError(ErrorCode::kBadCharacter, stream, pos + lf, "lines must end with CRLF, found a bare LF");
  }
  return std::optional<std::size_t>(pos + lf - 1);
}

// The structure of the first message in `stream`; nullopt when it is not complete yet.
Result<std::optional<ScannedFrame>> ScanFrame(std::string_view stream, const MsrpLimits& limits) {
  constexpr std::string_view kPrefix = "MSRP ";
  const std::size_t prefix_bytes = std::min(stream.size(), kPrefix.size());
  for (std::size_t i = 0; i < prefix_bytes; ++i) {
    if (stream[i] != kPrefix[i]) {
      return MakeError(ErrorCode::kBadStartLine, stream, i, "expected \"MSRP \" (in capitals) at the start of the message");
    }
  }
  auto first_end = FindLineEnd(stream, 0, limits.max_line_length, "first line");
  if (!first_end.ok()) return first_end.error();
  if (!first_end.value()) return std::optional<ScannedFrame>();
  const std::size_t first_cr = **first_end;

  ScannedFrame frame;
  auto first = ParseFirstLine(stream.substr(0, first_cr));
  if (!first.ok()) return Rebase(first.error(), stream, 0);
  frame.first = first.value();
  const std::string_view tid = frame.first.transaction_id;

  std::size_t pos = first_cr + 2;
  while (true) {
    auto line_end = FindLineEnd(stream, pos, limits.max_line_length, "header line");
    if (!line_end.ok()) return line_end.error();
    if (!line_end.value()) return std::optional<ScannedFrame>();
    const std::size_t cr = **line_end;
    const std::string_view line = stream.substr(pos, cr - pos);
    if (line.empty()) {
      frame.has_body_section = true;
      frame.blank_line_offset = pos;
      frame.body_offset = cr + 2;
      break;
    }
    if (line[0] == '-') {
      // hname starts with ALPHA, so a line starting with '-' here can only be the end-line of a
      // message without body (section 9).
      if (line.size() == kEndLineDashes.size() + tid.size() + 1 && line.substr(0, kEndLineDashes.size()) == kEndLineDashes &&
          line.substr(kEndLineDashes.size(), tid.size()) == tid && IsFlag(line.back())) {
        frame.flag = line.back();
        frame.end = cr + 2;
        return std::optional<ScannedFrame>(std::move(frame));
      }
      return MakeError(ErrorCode::kBadMsrp, stream, pos,
                       "expected a header or the end-line \"-------" + std::string(tid) + "\" plus flag");
    }
    if (frame.headers.size() >= limits.max_header_count) {
      return MakeError(ErrorCode::kTooLarge, stream, pos,
                       "more than " + std::to_string(limits.max_header_count) + " header lines");
    }
    frame.headers.push_back(HeaderSpan{pos, line.size()});
    pos = cr + 2;
  }

  // content-stuff = ... Content-Type 2CRLF data CRLF, then end-line; data must not contain the
  // end-line (section 9), so the first CRLF "-------" transact-id flag CRLF ends the body.
  std::string needle;
  needle.reserve(kCrlf.size() + kEndLineDashes.size() + tid.size());
  needle.append(kCrlf).append(kEndLineDashes).append(tid);
  const std::size_t body_begin = frame.body_offset;
  // The end-line's CRLF may start at most max_body_size bytes into the body.
  const std::size_t window_end = body_begin + limits.max_body_size + needle.size() + 3;
  const std::string_view window = stream.substr(0, std::min(stream.size(), window_end));
  std::size_t from = body_begin;
  while (true) {
    const std::size_t match = window.find(needle, from);
    if (match == std::string_view::npos) {
      if (stream.size() >= window_end) {
        return MakeError(ErrorCode::kTooLarge, stream, body_begin,
                         "no end-line \"-------" + std::string(tid) + "\" within " +
                             std::to_string(limits.max_body_size) + " body bytes");
      }
      return std::optional<ScannedFrame>();
    }
    if (match - body_begin > limits.max_body_size) {
      return MakeError(ErrorCode::kTooLarge, stream, body_begin,
                       "body longer than " + std::to_string(limits.max_body_size) + " bytes");
    }
    const std::size_t after = match + needle.size();
    if (after + 3 > stream.size()) return std::optional<ScannedFrame>();
    if (IsFlag(stream[after]) && stream[after + 1] == '\r' && stream[after + 2] == '\n') {
      frame.body_length = match - body_begin;
      frame.flag = stream[after];
      frame.end = after + 3;
      return std::optional<ScannedFrame>(std::move(frame));
    }
    from = match + 1;
  }
}

enum class KnownHeader { kOther, kToPath, kFromPath, kMessageId, kByteRange, kSuccessReport, kFailureReport, kStatus, kContentType };

KnownHeader Classify(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, KnownHeader>, 8> kNames = {{
      {"To-Path", KnownHeader::kToPath},
      {"From-Path", KnownHeader::kFromPath},
      {"Message-ID", KnownHeader::kMessageId},
      {"Byte-Range", KnownHeader::kByteRange},
      {"Success-Report", KnownHeader::kSuccessReport},
      {"Failure-Report", KnownHeader::kFailureReport},
      {"Status", KnownHeader::kStatus},
      {"Content-Type", KnownHeader::kContentType},
  }};
  for (const auto& [known, id] : kNames) {
    if (EqualsIgnoreCase(name, known)) return id;
  }
  return KnownHeader::kOther;
}

// media-type = type "/" subtype *( ";" gen-param ) (section 9).
Result<bool> CheckMediaType(std::string_view value) {
  const std::size_t slash = value.find('/');
  if (slash == std::string_view::npos || !IsToken(value.substr(0, slash))) {
    return LocalError(ErrorCode::kBadHeaderValue, 0, "Content-Type must be type/subtype");
  }
  std::size_t i = slash + 1;
  const std::size_t subtype_begin = i;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == subtype_begin) return LocalError(ErrorCode::kBadHeaderValue, i, "Content-Type needs a subtype token");
  std::size_t consumed = 0;
  auto params = ParseParams(value.substr(i), consumed);
  if (!params.ok()) {
    ParseError error = params.error();
    error.offset += i;
    return error;
  }
  if (i + consumed != value.size()) {
    return LocalError(ErrorCode::kBadHeaderValue, i + consumed, "unexpected text after the Content-Type parameters");
  }
  return true;
}

std::optional<bool> ParseYesNo(std::string_view value) {
  if (EqualsIgnoreCase(value, "yes")) return true;
  if (EqualsIgnoreCase(value, "no")) return false;
  return std::nullopt;
}

std::optional<MsrpFailureReport> ParseFailureReport(std::string_view value) {
  if (EqualsIgnoreCase(value, "yes")) return MsrpFailureReport::kYes;
  if (EqualsIgnoreCase(value, "no")) return MsrpFailureReport::kNo;
  if (EqualsIgnoreCase(value, "partial")) return MsrpFailureReport::kPartial;
  return std::nullopt;
}

constexpr std::string_view kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";

std::string EncodeBase36(std::uint64_t value) {
  // 36^13 > 2^64, so 13 characters carry all 64 bits.
  std::string out(13, '0');
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = kBase36[value % 36];
    value /= 36;
  }
  return out;
}

}  // namespace

// ---- MSRP URI -------------------------------------------------------------------------------

bool IsMsrpIdent(std::string_view text) {
  if (text.size() < 4 || text.size() > 32 || !IsAlphaNum(text[0])) return false;
  return std::all_of(text.begin() + 1, text.end(), IsIdentChar);
}

Result<MsrpUri> ParseMsrpUri(std::string_view text) {
  if (text.size() > kMaxMsrpUriLength) {
    return LocalError(ErrorCode::kTooLarge, kMaxMsrpUriLength, "MSRP URI longer than " + std::to_string(kMaxMsrpUriLength) + " bytes");
  }
  MsrpUri uri;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return LocalError(ErrorCode::kBadUri, 0, "expected msrp:// or msrps://");
  const std::string_view scheme = text.substr(0, scheme_end);
  if (EqualsIgnoreCase(scheme, "msrps")) {
    uri.secure = true;
  } else if (!EqualsIgnoreCase(scheme, "msrp")) {
    return LocalError(ErrorCode::kBadUri, 0, "scheme must be msrp or msrps");
  }
  std::size_t i = scheme_end + 3;
  const std::size_t authority_begin = i;
  while (i < text.size() && text[i] != '/' && text[i] != ';') ++i;
  std::string_view authority = text.substr(authority_begin, i - authority_begin);
  std::size_t host_begin = authority_begin;
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t bad = FindBadUriChar(userinfo, [](char c) { return IsUnreserved(c) || IsSubDelimNoSemicolon(c) || c == ':'; });
    if (bad != std::string_view::npos) return LocalError(ErrorCode::kBadUri, authority_begin + bad, "bad character in userinfo");
    uri.userinfo.assign(userinfo);
    authority.remove_prefix(at + 1);
    host_begin += at + 1;
  }
  // host = IP-literal / IPv4address / reg-name; [":" port] (RFC 3986 section 3.2).
  std::size_t host_end = 0;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return LocalError(ErrorCode::kBadUri, host_begin, "unterminated IPv6 reference");
    for (std::size_t k = 1; k < close; ++k) {
      if (!IsHexDigit(authority[k]) && authority[k] != ':' && authority[k] != '.') {
        return LocalError(ErrorCode::kBadUri, host_begin + k, "bad character in IPv6 reference");
      }
    }
    if (close == 1) return LocalError(ErrorCode::kBadUri, host_begin + 1, "empty IPv6 reference");
    host_end = close + 1;
  } else {
    host_end = authority.find(':');
    if (host_end == std::string_view::npos) host_end = authority.size();
    const std::string_view host = authority.substr(0, host_end);
    if (host.empty()) return LocalError(ErrorCode::kBadUri, host_begin, "MSRP URI needs a host");
    const std::size_t bad = FindBadUriChar(host, [](char c) { return IsUnreserved(c) || IsSubDelimNoSemicolon(c); });
    if (bad != std::string_view::npos) return LocalError(ErrorCode::kBadUri, host_begin + bad, "bad character in host");
  }
  uri.authority_host.assign(authority.substr(0, host_end));
  if (host_end < authority.size()) {
    if (authority[host_end] != ':') return LocalError(ErrorCode::kBadUri, host_begin + host_end, "expected ':' and a port after the host");
    const std::string_view port_text = authority.substr(host_end + 1);
    const auto port = ParseDecimal(port_text, 65535);
    if (!port) return LocalError(ErrorCode::kBadUri, host_begin + host_end + 1, "port must be a number from 0 to 65535");
    uri.port = static_cast<std::uint16_t>(*port);
  }
  if (i < text.size() && text[i] == '/') {
    const std::size_t session_begin = ++i;
    while (i < text.size() && text[i] != ';') ++i;
    const std::string_view session = text.substr(session_begin, i - session_begin);
    // session-id = 1*( unreserved / "+" / "=" / "/" )
    if (session.empty()) return LocalError(ErrorCode::kBadUri, session_begin, "empty session-id after '/'");
    for (std::size_t k = 0; k < session.size(); ++k) {
      const char c = session[k];
      if (!IsUnreserved(c) && c != '+' && c != '=' && c != '/') {
        return LocalError(ErrorCode::kBadUri, session_begin + k, "bad character in session-id");
      }
    }
    uri.session_id.assign(session);
  }
  if (i >= text.size() || text[i] != ';') return LocalError(ErrorCode::kBadUri, i, "expected ';' and a transport (\";tcp\")");
  const std::size_t transport_begin = ++i;
  while (i < text.size() && IsAlphaNum(text[i])) ++i;
  if (i == transport_begin) return LocalError(ErrorCode::kBadUri, i, "transport must be 1*ALPHANUM");
  uri.transport.assign(text.substr(transport_begin, i - transport_begin));
  // URI-parameter = token ["=" token]
  while (i < text.size()) {
    if (text[i] != ';') return LocalError(ErrorCode::kBadUri, i, "expected ';' before a URI parameter");
    const std::size_t name_begin = ++i;
    while (i < text.size() && IsTokenChar(text[i])) ++i;
    if (i == name_begin) return LocalError(ErrorCode::kBadUri, i, "expected a parameter name token");
    Param param;
    param.name.assign(text.substr(name_begin, i - name_begin));
    if (i < text.size() && text[i] == '=') {
      const std::size_t value_begin = ++i;
      while (i < text.size() && IsTokenChar(text[i])) ++i;
      if (i == value_begin) return LocalError(ErrorCode::kBadUri, i, "expected a parameter value token");
      param.value.emplace(text.substr(value_begin, i - value_begin));
    }
    uri.params.push_back(std::move(param));
  }
  return uri;
}

std::string MsrpUri::ToString() const {
  std::string out = secure ? "msrps://" : "msrp://";
  if (!userinfo.empty()) {
    out += userinfo;
    out.push_back('@');
  }
  out += authority_host;
  if (port) {
    out.push_back(':');
    out += std::to_string(*port);
  }
  if (!session_id.empty()) {
    out.push_back('/');
    out += session_id;
  }
  out.push_back(';');
  out += transport;
  AppendParams(out, params);
  return out;
}

bool MsrpUriEquivalent(const MsrpUri& a, const MsrpUri& b) {
  if (a.secure != b.secure || a.port != b.port || a.session_id != b.session_id) return false;
  if (!EqualsIgnoreCase(a.transport, b.transport)) return false;
  // Section 6.1: percent-encoded characters of the authority are decoded before comparison.
  auto host_a = PercentDecode(a.authority_host);
  auto host_b = PercentDecode(b.authority_host);
  if (host_a.ok() && host_b.ok()) return EqualsIgnoreCase(host_a.value(), host_b.value());
  return EqualsIgnoreCase(a.authority_host, b.authority_host);
}

Result<std::vector<MsrpUri>> ParseMsrpPath(std::string_view text) {
  std::vector<MsrpUri> path;
  std::size_t begin = 0;
  while (true) {
    std::size_t end = text.find(' ', begin);
    if (end == std::string_view::npos) end = text.size();
    if (end == begin) return LocalError(ErrorCode::kBadUri, begin, "expected an MSRP URI (URIs are separated by one SP)");
    auto uri = ParseMsrpUri(text.substr(begin, end - begin));
    if (!uri.ok()) {
      ParseError error = uri.error();
      error.offset += begin;
      error.column = static_cast<std::uint32_t>(error.offset + 1);
      return error;
    }
    path.push_back(std::move(uri).value());
    if (end == text.size()) return path;
    begin = end + 1;
  }
}

std::string FormatMsrpPath(const std::vector<MsrpUri>& path) {
  std::string out;
  for (const MsrpUri& uri : path) {
    if (!out.empty()) out.push_back(' ');
    out += uri.ToString();
  }
  return out;
}

// ---- typed values ---------------------------------------------------------------------------

Result<ByteRange> ParseByteRange(std::string_view text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return LocalError(ErrorCode::kBadHeaderValue, text.size(), "Byte-Range must be start-end/total");
  const std::size_t slash = text.find('/', dash);
  if (slash == std::string_view::npos) return LocalError(ErrorCode::kBadHeaderValue, text.size(), "Byte-Range must be start-end/total");
  ByteRange range;
  const auto start = ParseDecimal(text.substr(0, dash), UINT64_MAX);
  if (!start) return LocalError(ErrorCode::kBadNumber, 0, "range-start must be digits that fit 64 bits");
  if (*start == 0) return LocalError(ErrorCode::kBadHeaderValue, 0, "range-start counts from 1");
  range.start = *start;
  const std::string_view end_text = text.substr(dash + 1, slash - dash - 1);
  if (end_text != "*") {
    const auto end = ParseDecimal(end_text, UINT64_MAX);
    if (!end) return LocalError(ErrorCode::kBadNumber, dash + 1, "range-end must be '*' or digits that fit 64 bits");
    if (*end < range.start - 1) return LocalError(ErrorCode::kBadHeaderValue, dash + 1, "range-end lies before range-start");
    range.end = *end;
  }
  const std::string_view total_text = text.substr(slash + 1);
  if (total_text != "*") {
    const auto total = ParseDecimal(total_text, UINT64_MAX);
    if (!total) return LocalError(ErrorCode::kBadNumber, slash + 1, "total must be '*' or digits that fit 64 bits");
    if (range.end && *range.end > *total) return LocalError(ErrorCode::kBadHeaderValue, dash + 1, "range-end lies beyond total");
    if (range.start - 1 > *total) return LocalError(ErrorCode::kBadHeaderValue, 0, "range-start lies beyond total");
    range.total = *total;
  }
  return range;
}

std::string FormatByteRange(const ByteRange& range) {
  std::string out = std::to_string(range.start);
  out.push_back('-');
  out += range.end ? std::to_string(*range.end) : "*";
  out.push_back('/');
  out += range.total ? std::to_string(*range.total) : "*";
  return out;
}

Result<MsrpStatus> ParseMsrpStatus(std::string_view text) {
  // namespace SP status-code [SP text-reason]
  if (text.size() < 7 || text[3] != ' ' || (text.size() > 7 && text[7] != ' ')) {
    return LocalError(ErrorCode::kBadHeaderValue, 0, "Status must be three-digit namespace, SP, three-digit code");
  }
  const auto space = ParseThreeDigits(text.substr(0, 3));
  if (!space) return LocalError(ErrorCode::kBadHeaderValue, 0, "Status namespace must be three digits");
  const auto code = ParseThreeDigits(text.substr(4, 3));
  if (!code) return LocalError(ErrorCode::kBadHeaderValue, 4, "Status code must be three digits");
  MsrpStatus status;
  status.namespace_code = *space;
  status.code = *code;
  if (text.size() > 8) status.comment.assign(text.substr(8));
  return status;
}

std::string FormatMsrpStatus(const MsrpStatus& status) {
  std::string out = FormatCode(status.namespace_code);
  out.push_back(' ');
  out += FormatCode(status.code);
  if (!status.comment.empty()) {
    out.push_back(' ');
    out += status.comment;
  }
  return out;
}

bool BodyContainsEndLine(std::string_view body, std::string_view transaction_id) {
  std::string needle(kEndLineDashes);
  needle.append(transaction_id);
  for (std::size_t at = body.find(needle); at != std::string_view::npos; at = body.find(needle, at + 1)) {
    // A flag byte, or the body's end: the CRLF + end-line that follows would complete it.
    if (at + needle.size() >= body.size() || IsFlag(body[at + needle.size()])) return true;
  }
  return false;
}

// ---- message --------------------------------------------------------------------------------

Result<MsrpMessage> MsrpMessage::Parse(std::string_view input, const MsrpLimits& limits) {
  auto scanned = ScanFrame(input, limits);
  if (!scanned.ok()) return scanned.error();
  if (!scanned.value()) {
    return MakeError(ErrorCode::kTruncated, input, input.size(), "input ends before the end-line of the message");
  }
  const ScannedFrame& frame = **scanned;
  if (frame.end != input.size()) {
    return MakeError(ErrorCode::kBadMsrp, input, frame.end, "bytes after the end-line");
  }

  MsrpMessage message;
  message.is_request = frame.first.is_request;
  message.transaction_id.assign(frame.first.transaction_id);
  message.method.assign(frame.first.method);
  message.status_code = frame.first.status_code;
  message.comment.assign(frame.first.comment);
  message.flag = static_cast<MsrpFlag>(frame.flag);
  message.headers.reserve(frame.headers.size());

  std::array<std::size_t, 9> seen{};
  std::size_t content_type_index = frame.headers.size();
  for (std::size_t index = 0; index < frame.headers.size(); ++index) {
    const HeaderSpan& span = frame.headers[index];
    const std::string_view line = input.substr(span.offset, span.length);
    // ext-header = hname ":" SP hval; hname = ALPHA *token
    if (!IsAlpha(line[0])) return MakeError(ErrorCode::kBadHeader, input, span.offset, "header name must start with a letter");
    std::size_t i = 1;
    while (i < line.size() && IsTokenChar(line[i])) ++i;
    if (i >= line.size() || line[i] != ':') {
      return MakeError(ErrorCode::kBadHeader, input, span.offset + i, "expected ':' after the header name");
    }
    if (i + 1 >= line.size() || line[i + 1] != ' ') {
      return MakeError(ErrorCode::kBadHeader, input, span.offset + i + 1, "expected SP after ':'");
    }
    const std::string_view name = line.substr(0, i);
    const std::string_view value = line.substr(i + 2);
    const std::size_t value_offset = span.offset + i + 2;
    const std::size_t bad = FindNonUtf8Text(value);
    if (bad != std::string_view::npos) {
      return MakeError(ErrorCode::kBadCharacter, input, value_offset + bad, "header value must be UTF-8 text without controls");
    }

    const KnownHeader kind = Classify(name);
    if (index == 0 && kind != KnownHeader::kToPath) {
      return MakeError(ErrorCode::kMissingHeader, input, span.offset, "To-Path must be the first header (section 9)");
    }
    if (index == 1 && kind != KnownHeader::kFromPath) {
      return MakeError(ErrorCode::kMissingHeader, input, span.offset, "From-Path must be the second header (section 9)");
    }
    if (kind != KnownHeader::kOther) {
      if (seen[static_cast<std::size_t>(kind)]++ > 0) {
        return MakeError(ErrorCode::kDuplicateHeader, input, span.offset, std::string(name) + " appears more than once");
      }
    }
    switch (kind) {
      case KnownHeader::kToPath:
      case KnownHeader::kFromPath: {
        auto path = ParseMsrpPath(value);
        if (!path.ok()) return Rebase(path.error(), input, value_offset);
        break;
      }
      case KnownHeader::kMessageId:
        if (!IsMsrpIdent(value)) {
          return MakeError(ErrorCode::kBadHeaderValue, input, value_offset, "Message-ID must be an ident of 4 to 32 characters");
        }
        break;
      case KnownHeader::kByteRange: {
        auto range = ParseByteRange(value);
        if (!range.ok()) return Rebase(range.error(), input, value_offset);
        break;
      }
      case KnownHeader::kSuccessReport:
        if (!ParseYesNo(value)) return MakeError(ErrorCode::kBadHeaderValue, input, value_offset, "Success-Report must be yes or no");
        break;
      case KnownHeader::kFailureReport:
        if (!ParseFailureReport(value)) {
          return MakeError(ErrorCode::kBadHeaderValue, input, value_offset, "Failure-Report must be yes, no or partial");
        }
        break;
      case KnownHeader::kStatus: {
        auto status = ParseMsrpStatus(value);
        if (!status.ok()) return Rebase(status.error(), input, value_offset);
        break;
      }
      case KnownHeader::kContentType: {
        auto checked = CheckMediaType(value);
        if (!checked.ok()) return Rebase(checked.error(), input, value_offset);
        content_type_index = index;
        break;
      }
      case KnownHeader::kOther:
        break;
    }
    message.headers.emplace_back(std::string(name), std::string(value));
  }
  const std::size_t after_first_line = input.find('\n') + 1;
  if (frame.headers.empty()) {
    return MakeError(ErrorCode::kMissingHeader, input, after_first_line, "To-Path must be the first header (section 9)");
  }
  if (frame.headers.size() < 2) {
    return MakeError(ErrorCode::kMissingHeader, input, frame.headers[0].offset + frame.headers[0].length + 2,
                     "From-Path must be the second header (section 9)");
  }
  if (message.is_request && (message.method == "SEND" || message.method == "REPORT") &&
      seen[static_cast<std::size_t>(KnownHeader::kMessageId)] == 0) {
    return MakeError(ErrorCode::kMissingHeader, input, after_first_line, message.method + " needs a Message-ID (section 7.1.1, 7.1.2)");
  }
  if (message.IsReport() && seen[static_cast<std::size_t>(KnownHeader::kStatus)] == 0) {
    return MakeError(ErrorCode::kMissingHeader, input, after_first_line, "REPORT needs a Status header (section 7.1.2)");
  }
  if (frame.has_body_section) {
    if (!message.is_request) {
      return MakeError(ErrorCode::kBadMsrp, input, frame.blank_line_offset, "a response carries no body (section 9)");
    }
    if (content_type_index == frame.headers.size()) {
      return MakeError(ErrorCode::kMissingHeader, input, frame.blank_line_offset, "a request with a body needs Content-Type (section 7.1)");
    }
    if (content_type_index + 1 != frame.headers.size()) {
      return MakeError(ErrorCode::kBadMsrp, input, frame.headers[content_type_index + 1].offset,
                       "Content-Type must be the last header before the body (section 7.1)");
    }
    if (!message.IsSend() && frame.body_length > kMaxNonSendBodySize) {
      return MakeError(ErrorCode::kTooLarge, input, frame.body_offset, "bodies of requests other than SEND are limited to 10240 bytes (section 7.1)");
    }
    message.body.assign(input.substr(frame.body_offset, frame.body_length));
  }
  return message;
}

namespace {

template <typename Sink>
void WriteMessage(const MsrpMessage& message, Sink&& sink) {
  sink("MSRP ");
  sink(message.transaction_id);
  sink(" ");
  if (message.is_request) {
    sink(message.method);
  } else {
    sink(FormatCode(message.status_code));
    if (!message.comment.empty()) {
      sink(" ");
      sink(message.comment);
    }
  }
  sink(kCrlf);
  const auto write_header = [&sink](const std::pair<std::string, std::string>& header) {
    sink(header.first);
    sink(": ");
    sink(header.second);
    sink(kCrlf);
  };
  for (KnownHeader wanted : {KnownHeader::kToPath, KnownHeader::kFromPath}) {
    for (const auto& header : message.headers) {
      if (Classify(header.first) == wanted) write_header(header);
    }
  }
  for (const auto& header : message.headers) {
    const KnownHeader kind = Classify(header.first);
    if (kind != KnownHeader::kToPath && kind != KnownHeader::kFromPath && kind != KnownHeader::kContentType) {
      write_header(header);
    }
  }
  for (const auto& header : message.headers) {
    if (Classify(header.first) == KnownHeader::kContentType) write_header(header);
  }
  if (!message.body.empty()) {
    sink(kCrlf);
    sink(message.body);
    sink(kCrlf);
  }
  sink(kEndLineDashes);
  sink(message.transaction_id);
  const char flag[] = {static_cast<char>(message.flag), '\0'};
  sink(std::string_view(flag, 1));
  sink(kCrlf);
}

}  // namespace

std::string MsrpMessage::Serialize() const {
  std::string out;
  out.reserve(SerializedSize());
  WriteMessage(*this, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

std::size_t MsrpMessage::SerializedSize() const {
  std::size_t size = 0;
  WriteMessage(*this, [&size](std::string_view piece) { size += piece.size(); });
  return size;
}

const std::string* MsrpMessage::Header(std::string_view name) const {
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) return &header.second;
  }
  return nullptr;
}

void MsrpMessage::SetHeader(std::string_view name, std::string value) {
  for (auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) {
      header.second = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

void MsrpMessage::RemoveHeader(std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [name](const auto& header) { return EqualsIgnoreCase(header.first, name); }),
                headers.end());
}

std::vector<MsrpUri> MsrpMessage::ToPath() const {
  const std::string* value = Header("To-Path");
  if (!value) return {};
  auto path = ParseMsrpPath(*value);
  return path.ok() ? std::move(path).value() : std::vector<MsrpUri>{};
}

std::vector<MsrpUri> MsrpMessage::FromPath() const {
  const std::string* value = Header("From-Path");
  if (!value) return {};
  auto path = ParseMsrpPath(*value);
  return path.ok() ? std::move(path).value() : std::vector<MsrpUri>{};
}

std::optional<std::string> MsrpMessage::MessageId() const {
  const std::string* value = Header("Message-ID");
  if (!value || !IsMsrpIdent(*value)) return std::nullopt;
  return *value;
}

std::optional<ByteRange> MsrpMessage::GetByteRange() const {
  const std::string* value = Header("Byte-Range");
  if (!value) return std::nullopt;
  auto range = ParseByteRange(*value);
  if (!range.ok()) return std::nullopt;
  return range.value();
}

bool MsrpMessage::SuccessReport() const {
  const std::string* value = Header("Success-Report");
  return value && ParseYesNo(*value).value_or(false);
}

MsrpFailureReport MsrpMessage::FailureReport() const {
  const std::string* value = Header("Failure-Report");
  if (!value) return MsrpFailureReport::kYes;
  return ParseFailureReport(*value).value_or(MsrpFailureReport::kYes);
}

std::optional<MsrpStatus> MsrpMessage::Status() const {
  const std::string* value = Header("Status");
  if (!value) return std::nullopt;
  auto status = ParseMsrpStatus(*value);
  if (!status.ok()) return std::nullopt;
  return status.value();
}

std::optional<std::string> MsrpMessage::ContentType() const {
  const std::string* value = Header("Content-Type");
  if (!value) return std::nullopt;
  return *value;
}

// ---- framing --------------------------------------------------------------------------------

Result<std::optional<std::size_t>> MsrpFrameLength(std::string_view stream, const MsrpLimits& limits) {
  auto scanned = ScanFrame(stream, limits);
  if (!scanned.ok()) return scanned.error();
  if (!scanned.value()) return std::optional<std::size_t>();
  return std::optional<std::size_t>(scanned.value()->end);
}

// ---- responses and reports ------------------------------------------------------------------

MsrpMessage MakeResponse(const MsrpMessage& request, int status_code, std::string comment) {
  MsrpMessage response;
  response.is_request = false;
  response.transaction_id = request.transaction_id;
  response.status_code = status_code;
  response.comment = std::move(comment);
  response.flag = MsrpFlag::kComplete;
  const std::string* from_path = request.Header("From-Path");
  const std::string* to_path = request.Header("To-Path");
  response.headers.emplace_back("To-Path", std::string(FirstPathElement(from_path ? *from_path : std::string_view())));
  response.headers.emplace_back("From-Path", std::string(FirstPathElement(to_path ? *to_path : std::string_view())));
  return response;
}

MsrpMessage MakeOkResponse(const MsrpMessage& request) { return MakeResponse(request, 200, "OK"); }

bool ShouldSendResponse(const MsrpMessage& request, int status_code) {
  if (!request.is_request || request.IsReport()) return false;
  switch (request.FailureReport()) {
    case MsrpFailureReport::kNo: return false;
    case MsrpFailureReport::kPartial: return status_code != 200;
    case MsrpFailureReport::kYes: return true;
  }
  return true;
}

MsrpMessage MakeReport(const MsrpMessage& send, std::string transaction_id, const ByteRange& range,
                       const MsrpStatus& status) {
  MsrpMessage report;
  report.is_request = true;
  report.method = "REPORT";
  report.transaction_id = std::move(transaction_id);
  report.flag = MsrpFlag::kComplete;
  const std::string* from_path = send.Header("From-Path");
  const std::string* to_path = send.Header("To-Path");
  report.headers.emplace_back("To-Path", from_path ? *from_path : std::string());
  report.headers.emplace_back("From-Path", std::string(FirstPathElement(to_path ? *to_path : std::string_view())));
  if (const std::string* message_id = send.Header("Message-ID")) report.headers.emplace_back("Message-ID", *message_id);
  report.headers.emplace_back("Byte-Range", FormatByteRange(range));
  report.headers.emplace_back("Status", FormatMsrpStatus(status));
  return report;
}

// ---- chunking -------------------------------------------------------------------------------

std::string ChooseTransactionId(std::string_view body, const MsrpRandom& random, const std::vector<std::string>& avoid) {
  while (true) {
    std::string id = EncodeBase36(random());
    if (BodyContainsEndLine(body, id)) continue;
    if (std::find(avoid.begin(), avoid.end(), id) != avoid.end()) continue;
    return id;
  }
}

std::vector<MsrpMessage> ChunkMessage(std::string_view body, const MsrpChunkerOptions& options, const MsrpRandom& random) {
  const std::size_t chunk_size = std::max<std::size_t>(options.max_chunk_size, 1);
  const std::uint64_t total = body.size();
  std::vector<MsrpMessage> chunks;
  std::vector<std::string> used_ids;
  std::size_t offset = 0;
  do {
    const std::string_view piece = body.substr(offset, chunk_size);
    const bool last = offset + piece.size() >= body.size();
    MsrpMessage chunk;
    chunk.is_request = true;
    chunk.method = "SEND";
    chunk.transaction_id = ChooseTransactionId(piece, random, used_ids);
    used_ids.push_back(chunk.transaction_id);
    chunk.flag = last ? MsrpFlag::kComplete : MsrpFlag::kContinued;
    chunk.headers.emplace_back("To-Path", FormatMsrpPath(options.to_path));
    chunk.headers.emplace_back("From-Path", FormatMsrpPath(options.from_path));
    chunk.headers.emplace_back("Message-ID", options.message_id);
    if (options.success_report) chunk.headers.emplace_back("Success-Report", "yes");
    if (options.failure_report == MsrpFailureReport::kNo) chunk.headers.emplace_back("Failure-Report", "no");
    if (options.failure_report == MsrpFailureReport::kPartial) chunk.headers.emplace_back("Failure-Report", "partial");
    ByteRange range;
    range.start = offset + 1;
    range.end = offset + piece.size();
    range.total = total;
    chunk.headers.emplace_back("Byte-Range", FormatByteRange(range));
    if (!piece.empty()) {
      for (const auto& header : options.mime_headers) chunk.headers.push_back(header);
      chunk.headers.emplace_back("Content-Type", options.content_type);
      chunk.body.assign(piece);
    }
    chunks.push_back(std::move(chunk));
    offset += piece.size();
  } while (offset < body.size());
  return chunks;
}

// ---- reassembly -----------------------------------------------------------------------------

MsrpReassembler::MsrpReassembler(std::string message_id, MsrpReassemblyLimits limits)
    : message_id_(std::move(message_id)), limits_(limits) {}

namespace {

ParseError ReassemblyError(ErrorCode code, std::string detail) { return LocalError(code, 0, std::move(detail)); }

}  // namespace

Result<bool> MsrpReassembler::Add(const MsrpMessage& chunk) {
  if (aborted_) return ReassemblyError(ErrorCode::kBadMsrp, "message " + message_id_ + " was aborted by a '#' chunk");
  if (!chunk.IsSend()) return ReassemblyError(ErrorCode::kBadHeaderValue, "only SEND requests carry chunks");
  const auto message_id = chunk.MessageId();
  if (!message_id || *message_id != message_id_) {
    return ReassemblyError(ErrorCode::kBadHeaderValue, "chunk belongs to another Message-ID than " + message_id_);
  }
  ByteRange range;  // section 7.3.1: no Byte-Range means the chunk starts at byte 1
  if (chunk.Header("Byte-Range")) {
    const auto parsed = chunk.GetByteRange();
    if (!parsed) return ReassemblyError(ErrorCode::kBadHeaderValue, "malformed Byte-Range");
    range = *parsed;
  }
  if (chunk.flag == MsrpFlag::kAborted) {
    aborted_ = true;
    ranges_.clear();
    buffer_.clear();
    buffer_.shrink_to_fit();
    return false;
  }
  const std::uint64_t max_size = limits_.max_message_size;
  const std::uint64_t begin = range.start - 1;
  if (begin > max_size || chunk.body.size() > max_size - begin) {
    return ReassemblyError(ErrorCode::kTooLarge, "chunk ends beyond the limit of " + std::to_string(max_size) + " bytes");
  }
  const std::uint64_t end = begin + chunk.body.size();  // exclusive, 0-based
  if (range.end && end > *range.end) {
    return ReassemblyError(ErrorCode::kBadHeaderValue, "chunk carries more bytes than its Byte-Range " + FormatByteRange(range));
  }
  std::optional<std::uint64_t> total = total_;
  const auto learn_total = [&total](std::uint64_t value) -> bool {
    if (total && *total != value) return false;
    total = value;
    return true;
  };
  if (range.total) {
    if (*range.total > max_size) {
      return ReassemblyError(ErrorCode::kTooLarge, "total " + std::to_string(*range.total) + " above the limit of " +
                                                       std::to_string(max_size) + " bytes");
    }
    if (!learn_total(*range.total)) return ReassemblyError(ErrorCode::kBadHeaderValue, "total contradicts an earlier chunk");
  }
  if (chunk.flag == MsrpFlag::kComplete && !learn_total(end)) {
    return ReassemblyError(ErrorCode::kBadHeaderValue, "last chunk ends at byte " + std::to_string(end) + " but the total is " +
                                                           std::to_string(*total));
  }
  const std::uint64_t highest = ranges_.empty() ? 0 : std::prev(ranges_.end())->second;
  if (total && (end > *total || highest > *total)) {
    return ReassemblyError(ErrorCode::kBadHeaderValue, "bytes beyond the total of " + std::to_string(*total));
  }
  if (end > begin) {
    // Count the ranges the new one touches, to refuse before changing any state.
    auto first = ranges_.upper_bound(begin);
    if (first != ranges_.begin() && std::prev(first)->second >= begin) --first;
    std::size_t touched = 0;
    for (auto it = first; it != ranges_.end() && it->first <= end; ++it) ++touched;
    if (ranges_.size() - touched + 1 > limits_.max_ranges) {
      return ReassemblyError(ErrorCode::kTooLarge, "more than " + std::to_string(limits_.max_ranges) + " disjoint byte ranges");
    }
    std::uint64_t merged_begin = begin;
    std::uint64_t merged_end = end;
    for (auto it = first; it != ranges_.end() && it->first <= end;) {
      merged_begin = std::min(merged_begin, it->first);
      merged_end = std::max(merged_end, it->second);
      it = ranges_.erase(it);
    }
    ranges_.emplace(merged_begin, merged_end);
    if (buffer_.size() < end) {
      if (total && buffer_.capacity() < *total) buffer_.reserve(static_cast<std::size_t>(*total));
      buffer_.resize(static_cast<std::size_t>(end));
    }
    std::copy(chunk.body.begin(), chunk.body.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin));
  }
  total_ = total;
  return Complete();
}

bool MsrpReassembler::Complete() const {
  if (aborted_ || !total_) return false;
  if (*total_ == 0) return true;
  return ranges_.size() == 1 && ranges_.begin()->first == 0 && ranges_.begin()->second == *total_;
}

std::uint64_t MsrpReassembler::BytesReceived() const {
  std::uint64_t sum = 0;
  for (const auto& [begin, end] : ranges_) sum += end - begin;
  return sum;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> MsrpReassembler::Ranges() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  out.reserve(ranges_.size());
  for (const auto& [begin, end] : ranges_) out.emplace_back(begin + 1, end);
  return out;
}

std::string MsrpReassembler::TakeBody() {
  if (!Complete()) return {};
  std::string body = std::move(buffer_);
  body.resize(static_cast<std::size_t>(*total_));
  buffer_.clear();
  ranges_.clear();
  total_.reset();
  return body;
}

}  // namespace pushsim::wire
