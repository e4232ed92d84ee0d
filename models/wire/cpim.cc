#include "wire/cpim.h"

#include "wire/text.h"

namespace pushsim::wire {
namespace {

// NAMECHAR = %x21 / %x23-27 / %x2a-2b / %x2d / %x5e-60 / %x7c / %x7e / ALPHA / DIGIT
// (RFC 3862 section 3): token characters without "." and the separators.
bool IsNameChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return IsAlpha(c) || IsDigit(c) || byte == 0x21 || (byte >= 0x23 && byte <= 0x27) || byte == 0x2A || byte == 0x2B ||
         byte == 0x2D || (byte >= 0x5E && byte <= 0x60) || byte == 0x7C || byte == 0x7E;
}
bool IsTokenCharCpim(char c) { return IsNameChar(c) || c == '.'; }

bool IsName(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// Header-name = [ Name-prefix "." ] Name
bool IsHeaderName(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return IsName(text);
  return IsName(text.substr(0, dot)) && IsName(text.substr(dot + 1));
}

// Header values carry UTF-8 text without control characters (HEADERCHAR = UCS-no-CTL / Escape).
std::size_t FindControl(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7F) return i;
  }
  return std::string_view::npos;
}

// Parses *( ";" Parameter ) at the start of `text`; returns the bytes consumed or npos when the
// text is not a well-formed parameter list. Param-value = Token / Number / String, and a
// Lang-param may be empty ("lang=").
std::size_t ParseHeaderParams(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ';') {
    ++i;
    const std::size_t name_begin = i;
    while (i < text.size() && IsNameChar(text[i])) ++i;
    if (i == name_begin || i >= text.size() || text[i] != '=') return std::string_view::npos;
    ++i;
    if (i < text.size() && text[i] == '"') {
      std::size_t consumed = 0;
      if (!ParseQuotedString(text.substr(i), consumed).ok()) return std::string_view::npos;
      i += consumed;
    } else {
      while (i < text.size() && IsTokenCharCpim(text[i])) ++i;
    }
  }
  return i;
}

// The header value without its leading parameters.
std::string_view StripHeaderParams(std::string_view value) {
  if (value.empty() || value[0] != ';') return value;
  const std::size_t used = ParseHeaderParams(value);
  if (used == std::string_view::npos || used >= value.size() || value[used] != ' ') return value;
  return value.substr(used + 1);
}

// Parameters follow the colon directly ("Subject:;lang=fr ..."), a plain value follows SP.
bool StartsWithHeaderParams(std::string_view value) { return StripHeaderParams(value).size() != value.size(); }

// Length of the line Serialize() writes for a message header, CRLF excluded.
std::size_t WrittenLength(std::string_view name, std::string_view value) {
  return name.size() + 1 + (StartsWithHeaderParams(value) ? 0 : 1) + value.size();
}

ParseError LineError(ErrorCode code, std::string_view input, std::size_t offset, std::string detail) {
  return MakeError(code, input, offset, std::move(detail));
}

struct Line {
  std::string_view text;
  std::size_t offset;
  std::size_t next;
};

// The CRLF-terminated line at `pos`.
Result<Line> ReadLine(std::string_view input, std::size_t pos, const CpimLimits& limits) {
  const std::string_view window = input.substr(pos, limits.max_line_length + 2);
  const std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (window.size() >= limits.max_line_length + 2) {
      return LineError(ErrorCode::kTooLarge, input, pos, "header line longer than " + std::to_string(limits.max_line_length) + " bytes");
    }
    return LineError(ErrorCode::kTruncated, input, input.size(), "input ends inside the header section (an empty line must end it)");
  }
  if (lf == 0 || window[lf - 1] != '\r') {
    return LineError(ErrorCode::kBadCharacter, input, pos + lf, "header lines must end with CRLF, found a bare LF");
  }
  return Line{window.substr(0, lf - 1), pos, pos + lf + 1};
}

}  // namespace

std::optional<CpimAddress> ParseCpimAddress(std::string_view value) {
  const std::string_view text = TrimLws(StripHeaderParams(value));
  if (text.empty() || text.back() != '>') return std::nullopt;
  const std::size_t open = FindUnquoted(text, '<');
  if (open == std::string_view::npos) return std::nullopt;
  const std::string_view uri = text.substr(open + 1, text.size() - open - 2);
  if (uri.empty() || uri.find_first_of("<> \t") != std::string_view::npos) return std::nullopt;
  CpimAddress address;
  address.uri.assign(uri);
  const std::string_view name = TrimLws(text.substr(0, open));
  if (!name.empty() && name[0] == '"') {
    std::size_t consumed = 0;
    auto unquoted = ParseQuotedString(name, consumed);
    if (!unquoted.ok() || consumed != name.size()) return std::nullopt;
    address.display_name = std::move(unquoted).value();
  } else {
    address.display_name.assign(name);
  }
  return address;
}

Result<CpimMessage> CpimMessage::Parse(std::string_view input, const CpimLimits& limits) {
  CpimMessage message;
  std::size_t pos = 0;
  // Message headers (section 3): one per line, no folding.
  while (true) {
    auto line = ReadLine(input, pos, limits);
    if (!line.ok()) return line.error();
    pos = line->next;
    const std::string_view text = line->text;
    if (text.empty()) break;
    if (message.message_headers.size() >= limits.max_header_count) {
      return LineError(ErrorCode::kTooLarge, input, line->offset, "more than " + std::to_string(limits.max_header_count) + " message headers");
    }
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return LineError(ErrorCode::kBadHeader, input, line->offset, "expected Header-name \":\"");
    const std::string_view name = text.substr(0, colon);
    if (!IsHeaderName(name)) {
      return LineError(ErrorCode::kBadHeader, input, line->offset,
                       "header name must be Name or Prefix.Name of CPIM name characters (section 3)");
    }
    std::string_view rest = text.substr(colon + 1);
    const std::size_t rest_offset = line->offset + colon + 1;
    std::string_view value;
    if (!rest.empty() && rest[0] == ';') {
      const std::size_t used = ParseHeaderParams(rest);
      if (used == std::string_view::npos) return LineError(ErrorCode::kBadHeaderValue, input, rest_offset, "malformed header parameter");
      if (used >= rest.size() || rest[used] != ' ') {
        return LineError(ErrorCode::kBadHeader, input, rest_offset + used, "expected SP after the header parameters");
      }
      value = rest;
    } else if (rest.empty()) {
      value = rest;
    } else if (rest[0] == ' ') {
      value = rest.substr(1);
    } else {
      return LineError(ErrorCode::kBadHeader, input, rest_offset, "expected SP after ':'");
    }
    const std::size_t bad = FindControl(value);
    if (bad != std::string_view::npos) {
      return LineError(ErrorCode::kBadCharacter, input, line->offset + (value.data() - text.data()) + bad,
                       "control character in a header value");
    }
    // "Name:" is written back as "Name: "; the written line must fit the limit too.
    if (WrittenLength(name, value) > limits.max_line_length) {
      return LineError(ErrorCode::kTooLarge, input, line->offset, "header line longer than " + std::to_string(limits.max_line_length) + " bytes");
    }
    message.message_headers.emplace_back(std::string(name), std::string(value));
  }
  // MIME headers of the encapsulated content (RFC 2045, RFC 2822 section 2.2).
  while (true) {
    auto line = ReadLine(input, pos, limits);
    if (!line.ok()) return line.error();
    pos = line->next;
    const std::string_view text = line->text;
    if (text.empty()) break;
    if (IsWsp(text[0])) {
      if (message.content_headers.empty()) {
        return LineError(ErrorCode::kBadHeader, input, line->offset, "continuation line without a header before it");
      }
      auto& [folded_name, value] = message.content_headers.back();
      // Unfolding keeps the leading white space (RFC 2822 section 2.2.3); trailing white space is
      // dropped as on a first line. The unfolded line must still fit the line limit.
      std::string_view continuation = text;
      while (!continuation.empty() && IsWsp(continuation.back())) continuation.remove_suffix(1);
      // A value that only starts on the continuation line loses its leading white space, as a
      // first-line value does.
      if (value.empty()) continuation = TrimLws(continuation);
      const std::size_t bad = FindControl(continuation);
      if (bad != std::string_view::npos) {
        return LineError(ErrorCode::kBadCharacter, input, line->offset + bad, "control character in a header value");
      }
      if (folded_name.size() + 2 + value.size() + continuation.size() > limits.max_line_length) {
        return LineError(ErrorCode::kTooLarge, input, line->offset, "unfolded header longer than " + std::to_string(limits.max_line_length) + " bytes");
      }
      value.append(continuation);
      continue;
    }
    if (message.content_headers.size() >= limits.max_header_count) {
      return LineError(ErrorCode::kTooLarge, input, line->offset, "more than " + std::to_string(limits.max_header_count) + " content headers");
    }
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return LineError(ErrorCode::kBadHeader, input, line->offset, "expected a MIME header name and ':'");
    }
    const std::string_view name = text.substr(0, colon);
    for (std::size_t i = 0; i < name.size(); ++i) {
      // RFC 2822 ftext: printable US-ASCII except ':'.
      const auto byte = static_cast<unsigned char>(name[i]);
      if (byte < 33 || byte > 126) return LineError(ErrorCode::kBadHeader, input, line->offset + i, "bad character in a MIME header name");
    }
    const std::string_view value = TrimLws(text.substr(colon + 1));
    const std::size_t bad = FindControl(value);
    if (bad != std::string_view::npos) {
      return LineError(ErrorCode::kBadCharacter, input, line->offset + (value.data() - text.data()) + bad,
                       "control character in a header value");
    }
    // Written back as "Name: value", which must fit the limit too.
    if (name.size() + 2 + value.size() > limits.max_line_length) {
      return LineError(ErrorCode::kTooLarge, input, line->offset, "header line longer than " + std::to_string(limits.max_line_length) + " bytes");
    }
    message.content_headers.emplace_back(std::string(name), std::string(value));
  }
  if (input.size() - pos > limits.max_content_size) {
    return LineError(ErrorCode::kTooLarge, input, pos, "content larger than " + std::to_string(limits.max_content_size) + " bytes");
  }
  message.content.assign(input.substr(pos));
  return message;
}

std::string CpimMessage::Serialize() const {
  std::string out;
  std::size_t size = content.size() + 4;
  for (const auto& [name, value] : message_headers) size += name.size() + value.size() + 4;
  for (const auto& [name, value] : content_headers) size += name.size() + value.size() + 4;
  out.reserve(size);
  for (const auto& [name, value] : message_headers) {
    out += name;
    out.push_back(':');
    if (!StartsWithHeaderParams(value)) out.push_back(' ');
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  for (const auto& [name, value] : content_headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  out += content;
  return out;
}

const std::string* CpimMessage::MessageHeader(std::string_view name) const {
  for (const auto& header : message_headers) {
    if (header.first == name) return &header.second;
  }
  return nullptr;
}

std::vector<std::string> CpimMessage::MessageHeaders(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& header : message_headers) {
    if (header.first == name) out.push_back(header.second);
  }
  return out;
}

const std::string* CpimMessage::ContentHeader(std::string_view name) const {
  for (const auto& header : content_headers) {
    if (EqualsIgnoreCase(header.first, name)) return &header.second;
  }
  return nullptr;
}

std::optional<CpimAddress> CpimMessage::From() const {
  const std::string* value = MessageHeader("From");
  if (!value) return std::nullopt;
  return ParseCpimAddress(*value);
}

namespace {

std::vector<CpimAddress> Addresses(const CpimMessage& message, std::string_view name) {
  std::vector<CpimAddress> out;
  for (const std::string& value : message.MessageHeaders(name)) {
    if (auto address = ParseCpimAddress(value)) out.push_back(std::move(*address));
  }
  return out;
}

}  // namespace

std::vector<CpimAddress> CpimMessage::To() const { return Addresses(*this, "To"); }
std::vector<CpimAddress> CpimMessage::Cc() const { return Addresses(*this, "cc"); }

std::optional<std::string> CpimMessage::DateTime() const {
  const std::string* value = MessageHeader("DateTime");
  if (!value) return std::nullopt;
  return std::string(TrimLws(StripHeaderParams(*value)));
}

std::optional<std::string> CpimMessage::Subject() const {
  std::optional<std::string> first;
  for (const auto& [name, value] : message_headers) {
    if (name != "Subject") continue;
    const std::string_view text = StripHeaderParams(value);
    if (text.size() == value.size()) return value;
    if (!first) first.emplace(text);
  }
  return first;
}

std::optional<std::string> CpimMessage::NamespaceUri(std::string_view prefix) const {
  // NS-value = [ Name-prefix SP ] "<" URI ">" (section 4.6)
  for (const std::string& value : MessageHeaders("NS")) {
    const std::string_view text = TrimLws(value);
    const std::size_t open = text.find('<');
    if (open == std::string_view::npos || text.back() != '>') continue;
    if (TrimLws(text.substr(0, open)) == prefix) return std::string(text.substr(open + 1, text.size() - open - 2));
  }
  return std::nullopt;
}

std::vector<std::string> CpimMessage::Require() const {
  // Require-value = Header-name *( "," Header-name ) (section 4.7)
  std::vector<std::string> out;
  for (const std::string& value : MessageHeaders("Require")) {
    for (std::string_view element : SplitCommaList(value)) {
      if (!element.empty()) out.emplace_back(element);
    }
  }
  return out;
}

std::optional<std::string> CpimMessage::ContentType() const {
  const std::string* value = ContentHeader("Content-Type");
  if (!value) return std::nullopt;
  return *value;
}

}  // namespace pushsim::wire
