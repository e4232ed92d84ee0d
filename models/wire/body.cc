#include "wire/body.h"

#include <algorithm>
#include <cstdint>

#include "wire/text.h"

namespace pushsim::wire {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsBoundaryChar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '\'': case '(': case ')': case '+': case '_': case ',': case '-': case '.': case '/': case ':':
    case '=': case '?': case ' ':
      return true;
    default:
      return false;
  }
}

// Re-bases an error found in a sub-view that starts at `base` within `root`.
ParseError Rebase(const ParseError& error, std::string_view root, std::size_t base) {
  return MakeError(error.code, root, base + error.offset, error.detail);
}

// RFC 2046 section 5.1.1 multipart parser. `root` is the outermost body (errors point into it);
// the body being parsed is root.substr(begin, end - begin). `out` may be null when only the
// structure of a nested multipart is checked.
std::optional<ParseError> ParseMultipartRange(std::string_view root, std::size_t begin, std::size_t end,
                                              std::string_view boundary, std::size_t depth,
                                              std::vector<BodyPart>* out) {
  const std::string_view body = root.substr(begin, end - begin);
  auto error = [&](ErrorCode code, std::size_t relative, std::string detail) {
    return MakeError(code, root, begin + relative, std::move(detail));
  };
  if (!IsValidBoundary(boundary)) {
    return error(ErrorCode::kBadHeaderValue, 0,
                 "boundary must be 1 to 70 characters of the RFC 2046 bchars set, not ending with a space");
  }
  const std::string dash_boundary = "--" + std::string(boundary);
  const std::string delimiter = std::string(kCrlf) + dash_boundary;

  // The first dash-boundary is at the very start of the body or after the preamble and its CRLF.
  std::size_t pos = 0;
  if (body.substr(0, dash_boundary.size()) != dash_boundary) {
    const std::size_t found = body.find(delimiter);
    if (found == std::string_view::npos) {
      return error(ErrorCode::kBadBody, 0, "no boundary delimiter \"" + dash_boundary + "\" in the body");
    }
    pos = found + kCrlf.size();
  }

  std::size_t part_count = 0;
  while (true) {
    // pos is at "--boundary" at the start of a line.
    std::size_t after = pos + dash_boundary.size();
    const bool close = body.substr(after, 2) == "--";
    if (close) after += 2;
    std::size_t line_end = after;
    while (line_end < body.size() && IsWsp(body[line_end])) ++line_end;  // transport-padding
    if (close) {
      // close-delimiter transport-padding [CRLF epilogue]
      if (line_end != body.size() && body.substr(line_end, 2) != kCrlf) {
        return error(ErrorCode::kBadBody, line_end, "text after the close delimiter on its line");
      }
      if (part_count == 0) {
        // multipart-body needs at least one body-part (RFC 2046 section 5.1.1 grammar).
        return error(ErrorCode::kBadBody, pos, "close delimiter before any body part");
      }
      return std::nullopt;
    }
    if (line_end == body.size()) {
      return error(ErrorCode::kTruncated, body.size(), "body ends on a delimiter line; no close delimiter");
    }
    if (body.substr(line_end, 2) != kCrlf) {
      return error(ErrorCode::kBadBody, line_end,
                   "a line starting with \"" + dash_boundary + "\" must be a delimiter: expected CRLF or \"--\"");
    }
    const std::size_t part_begin = line_end + kCrlf.size();
    const std::size_t part_end = body.find(delimiter, part_begin);
    if (part_end == std::string_view::npos) {
      return error(ErrorCode::kTruncated, body.size(), "missing close delimiter \"" + dash_boundary + "--\"");
    }
    if (++part_count > kMaxBodyParts) {
      return error(ErrorCode::kTooLarge, pos, "more than " + std::to_string(kMaxBodyParts) + " body parts");
    }

    const std::string_view part_text = body.substr(part_begin, part_end - part_begin);
    const std::size_t part_base = begin + part_begin;
    std::size_t consumed = 0;
    auto headers = ParseMimeHeaders(part_text, consumed);
    if (!headers.ok()) return Rebase(headers.error(), root, part_base);
    const std::size_t content_begin = part_begin + consumed;
    const std::string_view content = part_text.substr(consumed);

    // A part's own Content-Length (RFC 3261 section 20.14 applied to the part) must fit its content.
    if (headers->Count("Content-Length") > 1) {
      return error(ErrorCode::kDuplicateHeader, part_begin, "part has more than one Content-Length");
    }
    if (const auto length_text = headers->Get("Content-Length")) {
      const auto length = ParseDecimal(TrimLws(*length_text), UINT32_MAX);
      if (!length) {
        return error(ErrorCode::kBadContentLength, part_begin, "part Content-Length is not a number");
      }
      if (*length != content.size()) {
        return error(ErrorCode::kBadContentLength, content_begin,
                     "part Content-Length is " + std::to_string(*length) + " but the part content has " +
                         std::to_string(content.size()) + " bytes");
      }
    }
    if (headers->Count("Content-Type") > 1) {
      return error(ErrorCode::kDuplicateHeader, part_begin, "part has more than one Content-Type");
    }
    if (const auto type_text = headers->Get("Content-Type")) {
      auto type = ParseMediaType(*type_text);
      if (!type.ok()) {
        return error(type.error().code, part_begin, "part Content-Type: " + type.error().detail);
      }
      if (EqualsIgnoreCase(type->type, "multipart")) {
        if (depth >= kMaxMultipartDepth) {
          return error(ErrorCode::kTooLarge, content_begin,
                       "multipart nested deeper than " + std::to_string(kMaxMultipartDepth) + " levels");
        }
        const auto inner_boundary = type->Param("boundary");
        if (!inner_boundary) {
          return error(ErrorCode::kBadHeaderValue, part_begin, "multipart part without a boundary parameter");
        }
        if (auto inner = ParseMultipartRange(root, begin + content_begin, begin + part_end, *inner_boundary,
                                             depth + 1, nullptr)) {
          return inner;
        }
      }
    }
    if (out != nullptr) out->push_back(BodyPart{std::move(headers).value(), std::string(content)});
    pos = part_end + kCrlf.size();
  }
}

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool IsValidContentId(std::string_view id) {
  // msg-id = "<" addr-spec ">"  (RFC 2045 section 7, RFC 2392)
  if (id.size() < 5 || id.front() != '<' || id.back() != '>') return false;
  const std::string_view inner = id.substr(1, id.size() - 2);
  const std::size_t at = inner.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return false;
  for (char c : inner) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F || c == '<' || c == '>') return false;
  }
  return true;
}

std::optional<std::string> ValidateHttpUrl(std::string_view raw, std::string& url) {
  // RFC 2017 section 2.1: whitespace inside the URL parameter (from folding) is ignored.
  url.clear();
  for (char c : raw) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') url.push_back(c);
  }
  std::size_t host_begin = 0;
  if (StartsWithIgnoreCase(url, "http://")) {
    host_begin = 7;
  } else if (StartsWithIgnoreCase(url, "https://")) {
    host_begin = 8;
  } else {
    // RFC 4483 section 4.1: http and https are the URI schemes a UA must support; others are refused.
    return "URL must be an http: or https: URL";
  }
  for (char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7E || c == '"' || c == '<' || c == '>') return "URL contains a character a URI cannot hold";
  }
  const std::size_t host_end = url.find_first_of("/?#", host_begin);
  const std::string_view host = std::string_view(url).substr(host_begin, host_end == std::string::npos
                                                                             ? std::string::npos
                                                                             : host_end - host_begin);
  if (host.empty() || host.front() == ':' || host.front() == '@') return "URL has no host";
  return std::nullopt;
}

}  // namespace

Result<MediaType> BodyPart::ContentType() const {
  const auto type = headers.Get("Content-Type");
  if (!type) return MediaType{"text", "plain", {wire::Param{"charset", std::string("us-ascii")}}};
  return ParseMediaType(*type);
}

bool IsValidBoundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kMaxBoundaryLength || boundary.back() == ' ') return false;
  for (char c : boundary) {
    if (!IsBoundaryChar(c)) return false;
  }
  return true;
}

Result<std::vector<BodyPart>> ParseMultipart(std::string_view body, std::string_view boundary) {
  std::vector<BodyPart> parts;
  if (auto error = ParseMultipartRange(body, 0, body.size(), boundary, 1, &parts)) return *error;
  return parts;
}

Result<std::vector<BodyPart>> ParseMultipart(std::string_view body, const MediaType& content_type) {
  if (!EqualsIgnoreCase(content_type.type, "multipart")) {
    return MakeError(ErrorCode::kBadHeaderValue, body, 0, "Content-Type " + content_type.Essence() + " is not multipart");
  }
  const auto boundary = content_type.Param("boundary");
  if (!boundary) {
    // RFC 2046 section 5.1.1: the boundary parameter is required for every multipart subtype.
    return MakeError(ErrorCode::kBadHeaderValue, body, 0, "multipart Content-Type without a boundary parameter");
  }
  return ParseMultipart(body, *boundary);
}

std::string SerializeMultipart(const std::vector<BodyPart>& parts, std::string_view boundary) {
  std::string out;
  for (const BodyPart& part : parts) {
    out += "--";
    out += boundary;
    out += kCrlf;
    for (const MimeHeader& field : part.headers.fields) {
      out += field.name;
      out += ": ";
      if (EqualsIgnoreCase(field.name, "Content-Length")) {
        out += std::to_string(part.content.size());
      } else {
        out += field.value;
      }
      out += kCrlf;
    }
    out += kCrlf;
    out += part.content;
    out += kCrlf;
  }
  out += "--";
  out += boundary;
  out += "--";
  out += kCrlf;
  return out;
}

std::string MakeBoundary(std::string_view seed_text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t seed = StableHash(seed_text);
  // Two distinct candidates of equal length cannot both start at the same position of the text,
  // so after at most seed_text.size() + 1 candidates one is absent: the loop ends.
  for (std::uint64_t attempt = 0;; ++attempt) {
    std::uint64_t bits = SplitMix(seed + attempt);
    std::string candidate = "pushsim-";
    for (int i = 0; i < 16; ++i) {
      candidate.push_back(kHex[bits & 0xF]);
      bits >>= 4;
    }
    if (seed_text.find(candidate) == std::string_view::npos) return candidate;
  }
}

std::string MakeBoundary(const std::vector<BodyPart>& parts) {
  std::string text;
  for (const BodyPart& part : parts) {
    text += part.headers.Serialize();
    text += part.content;
    text.push_back('\n');  // keeps a candidate from spanning two parts unseen
  }
  return MakeBoundary(text);
}

Result<SipMessage> ParseSipFrag(std::string_view body) {
  if (body.empty()) return SipMessage();  // every element of sipfrag is optional (RFC 3420 section 2)
  if (body.substr(0, 2) == kCrlf) {
    // No start line and no header: the fragment is a body alone.
    SipMessage fragment;
    fragment.SetBody(body.substr(2), {});
    return fragment;
  }
  if (body.front() == '\r' || body.front() == '\n') {
    return MakeError(ErrorCode::kBadCharacter, body, 0, "fragment starts with a bare CR or LF");
  }
  SipParseOptions options;
  options.require_mandatory_headers = false;
  options.allow_missing_start_line = true;
  options.require_content_length = false;
  options.accept_bare_lf = false;
  if (body.find("\r\n\r\n") != std::string_view::npos) return SipMessage::Parse(body, options);
  // Without an empty line the fragment is a start line and/or headers, each ended by CRLF.
  if (body.back() == '\n' && (body.size() < 2 || body[body.size() - 2] != '\r')) {
    return MakeError(ErrorCode::kBadCharacter, body, body.size() - 1, "line ends with LF, not CRLF");
  }
  if (body.size() < 2 || body.substr(body.size() - 2) != kCrlf) {
    return MakeError(ErrorCode::kTruncated, body, body.size(), "the last line of a fragment must end with CRLF");
  }
  std::string terminated(body);
  terminated += kCrlf;
  auto parsed = SipMessage::Parse(terminated, options);
  if (!parsed.ok()) {
    // Offsets past the original end can only point at the added CRLF; clamp them into `body`.
    const ParseError& error = parsed.error();
    return MakeError(error.code, body, std::min(error.offset, body.size()), error.detail);
  }
  return parsed;
}

std::string SerializeSipFrag(const SipMessage& fragment) {
  std::string out;
  if (fragment.IsRequest()) {
    out += fragment.method_name();
    out += ' ';
    out += fragment.request_uri();
    out += " SIP/2.0\r\n";
  } else if (fragment.IsResponse()) {
    out += "SIP/2.0 ";
    out += std::to_string(fragment.status_code());
    out += ' ';
    out += fragment.reason_phrase();
    out += kCrlf;
  }
  for (std::size_t i = 0; i < fragment.header_count(); ++i) {
    const HeaderField field = fragment.header(i);
    out += field.id == HeaderId::kOther ? field.name : CanonicalName(field.id);
    out += ": ";
    if (field.id == HeaderId::kContentLength) {
      out += std::to_string(fragment.body().size());
    } else {
      out += field.value;
    }
    out += kCrlf;
  }
  if (!fragment.body().empty()) {
    out += kCrlf;
    out += fragment.body();
  }
  return out;
}

Result<SipMessage> ParseMessageSipBody(std::string_view body) { return SipMessage::Parse(body, SipParseOptions{}); }

Result<ExternalBody> ParseExternalBody(const MediaType& outer_type, std::string_view body) {
  auto parameter_error = [&](ErrorCode code, std::string detail) { return MakeError(code, body, 0, std::move(detail)); };
  if (outer_type.Essence() != "message/external-body") {
    return parameter_error(ErrorCode::kBadHeaderValue, "Content-Type is " + outer_type.Essence() +
                                                           ", not message/external-body");
  }
  ExternalBody external;
  // access-type is the one always-mandatory parameter (RFC 2046 section 5.2.3); RFC 4483 uses URL.
  const auto access_type = outer_type.Param("access-type");
  if (!access_type) return parameter_error(ErrorCode::kBadHeaderValue, "access-type parameter is missing");
  if (!EqualsIgnoreCase(*access_type, "URL")) {
    return parameter_error(ErrorCode::kBadHeaderValue, "access-type is \"" + *access_type + "\", expected URL");
  }
  external.access_type = *access_type;
  const Param* url = FindParam(outer_type.params, "URL");
  if (url == nullptr || !url->value) return parameter_error(ErrorCode::kBadHeaderValue, "URL parameter is missing");
  if (!url->IsQuoted()) {
    // RFC 2017 section 3: the URL parameter value must be a quoted-string.
    return parameter_error(ErrorCode::kBadHeaderValue, "URL parameter must be a quoted string");
  }
  if (auto problem = ValidateHttpUrl(url->Unquoted(), external.url)) {
    return parameter_error(ErrorCode::kBadHeaderValue, *problem);
  }
  if (const Param* size = FindParam(outer_type.params, "size")) {
    // size := 1*DIGIT  (RFC 2046 section 5.2.3)
    const auto octets = size->value ? ParseDecimal(*size->value, UINT64_MAX) : std::nullopt;
    if (!octets) return parameter_error(ErrorCode::kBadNumber, "size parameter must be a decimal number");
    external.size = *octets;
  }
  if (const Param* expiration = FindParam(outer_type.params, "expiration")) {
    if (!expiration->value || expiration->Unquoted().empty()) {
      return parameter_error(ErrorCode::kBadHeaderValue, "expiration parameter has no value");
    }
    external.expiration = expiration->Unquoted();
  }

  std::size_t consumed = 0;
  auto phantom = ParseMimeHeaders(body, consumed);
  if (!phantom.ok()) return phantom.error();
  const auto type = phantom->Get("Content-Type");
  if (!type) {
    // RFC 4483 section 4: the phantom body's Content-Type gives the type of the indirect content.
    return MakeError(ErrorCode::kMissingHeader, body, consumed, "the phantom body has no Content-Type");
  }
  auto content_type = ParseMediaType(*type);
  if (!content_type.ok()) {
    return MakeError(content_type.error().code, body, 0, "phantom Content-Type: " + content_type.error().detail);
  }
  external.content_type = std::move(content_type).value();
  if (const auto id = phantom->Get("Content-ID")) {
    if (!IsValidContentId(*id)) {
      return MakeError(ErrorCode::kBadHeaderValue, body, 0, "phantom Content-ID must be \"<\" addr-spec \">\"");
    }
    external.content_id = std::string(*id);
  }
  return external;
}

std::pair<MediaType, std::string> MakeExternalBody(const ExternalBody& external) {
  MediaType outer{"message", "external-body", {}};
  outer.params.push_back(Param{"access-type", QuoteString(external.access_type)});
  if (external.expiration) outer.params.push_back(Param{"expiration", QuoteString(*external.expiration)});
  outer.params.push_back(Param{"URL", QuoteString(external.url)});
  if (external.size) outer.params.push_back(Param{"size", std::to_string(*external.size)});
  std::string body = "Content-Type: " + external.content_type.ToString() + "\r\n";
  if (external.content_id) body += "Content-ID: " + *external.content_id + "\r\n";
  body += "\r\n";
  return {std::move(outer), std::move(body)};
}

}  // namespace pushsim::wire
