#include "wire/mime.h"

namespace pushsim::wire {
namespace {

ParseError LocalError(ErrorCode code, std::string_view input, std::size_t offset, std::string detail) {
  return MakeError(code, input, offset, std::move(detail));
}

std::size_t SkipWsp(std::string_view text, std::size_t i) {
  while (i < text.size() && IsWsp(text[i])) ++i;
  return i;
}

std::size_t TokenEnd(std::string_view text, std::size_t i) {
  while (i < text.size() && IsTokenChar(text[i])) ++i;
  return i;
}

// Parses the parameters that start at text[at], which must run to the end of `text`.
Result<Params> ParseTrailingParams(std::string_view text, std::size_t at, bool values_required) {
  std::size_t used = 0;
  auto params = ParseParams(text.substr(at), used);
  if (!params.ok()) {
    ParseError error = params.error();
    return LocalError(error.code, text, at + error.offset, error.detail);
  }
  const std::size_t end = SkipWsp(text, at + used);
  if (end != text.size()) {
    return LocalError(ErrorCode::kBadHeaderValue, text, end, "expected ';' and a parameter or the end of the value");
  }
  if (params->size() > kMaxMimeParams) {
    return LocalError(ErrorCode::kTooLarge, text, at,
                      "more than " + std::to_string(kMaxMimeParams) + " parameters");
  }
  if (values_required) {
    for (const wire::Param& param : *params) {
      if (!param.value) {
        // RFC 2045 section 5.1: parameter := attribute "=" value
        return LocalError(ErrorCode::kBadHeaderValue, text, at, "parameter \"" + param.name + "\" has no value");
      }
    }
  }
  return params;
}

std::optional<std::string> ParamValue(const Params& params, std::string_view name) {
  const wire::Param* param = FindParam(params, name);
  if (param == nullptr || !param->value) return std::nullopt;
  return param->Unquoted();
}

bool IsCtl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x20 && c != '\t') || byte == 0x7F;
}

}  // namespace

std::string MediaType::Essence() const { return ToLower(type) + "/" + ToLower(subtype); }

std::optional<std::string> MediaType::Param(std::string_view name) const { return ParamValue(params, name); }

std::string MediaType::ToString() const {
  std::string out = type + "/" + subtype;
  AppendParams(out, params);
  return out;
}

bool MediaType::Matches(std::string_view pattern) const {
  const std::size_t semicolon = pattern.find(';');
  if (semicolon != std::string_view::npos) pattern = pattern.substr(0, semicolon);
  pattern = TrimLws(pattern);
  if (pattern == "*" || pattern == "*/*") return true;
  const std::size_t slash = pattern.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view pattern_type = TrimLws(pattern.substr(0, slash));
  const std::string_view pattern_subtype = TrimLws(pattern.substr(slash + 1));
  if (!EqualsIgnoreCase(pattern_type, type)) return false;
  return pattern_subtype == "*" || EqualsIgnoreCase(pattern_subtype, subtype);
}

Result<MediaType> ParseMediaType(std::string_view text) {
  if (text.size() > kMaxMimeValueBytes) {
    return LocalError(ErrorCode::kTooLarge, text, kMaxMimeValueBytes,
                      "media type longer than " + std::to_string(kMaxMimeValueBytes) + " bytes");
  }
  MediaType media;
  std::size_t i = SkipWsp(text, 0);
  const std::size_t type_begin = i;
  i = TokenEnd(text, i);
  if (i == type_begin) return LocalError(ErrorCode::kBadHeaderValue, text, i, "expected a media type token");
  media.type.assign(text.substr(type_begin, i - type_begin));
  // SLASH = SWS "/" SWS (RFC 3261 section 25.1)
  i = SkipWsp(text, i);
  if (i >= text.size() || text[i] != '/') {
    return LocalError(ErrorCode::kBadHeaderValue, text, i, "expected '/' after the media type");
  }
  i = SkipWsp(text, i + 1);
  const std::size_t subtype_begin = i;
  i = TokenEnd(text, i);
  if (i == subtype_begin) return LocalError(ErrorCode::kBadHeaderValue, text, i, "expected a media subtype token");
  media.subtype.assign(text.substr(subtype_begin, i - subtype_begin));
  auto params = ParseTrailingParams(text, i, /*values_required=*/true);
  if (!params.ok()) return params.error();
  media.params = std::move(params).value();
  return media;
}

std::optional<std::string_view> MimeHeaders::Get(std::string_view name) const {
  for (const MimeHeader& field : fields) {
    if (EqualsIgnoreCase(field.name, name)) return std::string_view(field.value);
  }
  return std::nullopt;
}

std::size_t MimeHeaders::Count(std::string_view name) const {
  std::size_t count = 0;
  for (const MimeHeader& field : fields) count += EqualsIgnoreCase(field.name, name) ? 1 : 0;
  return count;
}

void MimeHeaders::Add(std::string_view name, std::string_view value) {
  fields.push_back(MimeHeader{std::string(name), std::string(value)});
}

void MimeHeaders::Set(std::string_view name, std::string_view value) {
  bool replaced = false;
  for (auto it = fields.begin(); it != fields.end();) {
    if (!EqualsIgnoreCase(it->name, name)) {
      ++it;
    } else if (!replaced) {
      it->value.assign(value);
      replaced = true;
      ++it;
    } else {
      it = fields.erase(it);
    }
  }
  if (!replaced) Add(name, value);
}

std::size_t MimeHeaders::Remove(std::string_view name) {
  const std::size_t before = fields.size();
  for (auto it = fields.begin(); it != fields.end();) {
    it = EqualsIgnoreCase(it->name, name) ? fields.erase(it) : it + 1;
  }
  return before - fields.size();
}

std::string MimeHeaders::Serialize() const {
  std::string out;
  for (const MimeHeader& field : fields) {
    out += field.name;
    out += ": ";
    out += field.value;
    out += "\r\n";
  }
  return out;
}

Result<MimeHeaders> ParseMimeHeaders(std::string_view block, std::size_t& consumed) {
  MimeHeaders headers;
  std::size_t pos = 0;
  // Reads the line at `pos`; returns its end (the CR), or an error for a bare CR/LF. At the end of
  // the block without CRLF the line ends at block.size().
  auto line_end = [&](std::size_t at, std::size_t& next) -> Result<std::size_t> {
    for (std::size_t i = at; i < block.size(); ++i) {
      if (block[i] == '\n') {
        return LocalError(ErrorCode::kBadCharacter, block, i, "line ends with LF, not CRLF");
      }
      if (block[i] == '\r') {
        if (i + 1 >= block.size() || block[i + 1] != '\n') {
          return LocalError(ErrorCode::kBadCharacter, block, i, "CR not followed by LF");
        }
        next = i + 2;
        return i;
      }
    }
    next = block.size();
    return block.size();
  };
  // Checks the bytes of one line; the limit check comes first so a long line costs no more.
  auto check_line = [&](std::size_t begin, std::size_t end) -> std::optional<ParseError> {
    if (end > kMaxPartHeaderBytes) {
      return LocalError(ErrorCode::kTooLarge, block, kMaxPartHeaderBytes,
                        "part header block longer than " + std::to_string(kMaxPartHeaderBytes) + " bytes");
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (IsCtl(block[i])) return LocalError(ErrorCode::kBadCharacter, block, i, "control character in a part header");
    }
    return std::nullopt;
  };

  while (pos < block.size()) {
    std::size_t next = 0;
    auto end = line_end(pos, next);
    if (!end.ok()) return end.error();
    if (auto error = check_line(pos, *end)) return *error;
    if (*end == pos) {  // the empty line that ends the block
      consumed = next;
      return headers;
    }
    if (IsWsp(block[pos])) {
      return LocalError(ErrorCode::kBadHeader, block, pos, "continuation line without a header");
    }
    if (headers.fields.size() >= kMaxPartHeaderFields) {
      return LocalError(ErrorCode::kTooLarge, block, pos,
                        "more than " + std::to_string(kMaxPartHeaderFields) + " part header fields");
    }
    const std::size_t name_end = TokenEnd(block, pos);
    if (name_end == pos) return LocalError(ErrorCode::kBadHeader, block, pos, "header name is not a token");
    const std::size_t colon = SkipWsp(block, name_end);
    if (colon >= *end || block[colon] != ':') {
      return LocalError(ErrorCode::kBadHeader, block, colon, "expected ':' after the header name");
    }
    MimeHeader field;
    field.name.assign(block.substr(pos, name_end - pos));
    field.value.assign(block.substr(colon + 1, *end - colon - 1));
    pos = next;
    // Folded continuation lines (RFC 2822 section 2.2.3): the fold becomes one SP.
    while (pos < block.size() && IsWsp(block[pos])) {
      auto continuation_end = line_end(pos, next);
      if (!continuation_end.ok()) return continuation_end.error();
      if (auto error = check_line(pos, *continuation_end)) return *error;
      const std::string_view rest = TrimLws(block.substr(pos, *continuation_end - pos));
      while (!field.value.empty() && IsWsp(field.value.back())) field.value.pop_back();
      if (!rest.empty()) {
        if (!field.value.empty()) field.value.push_back(' ');
        field.value.append(rest);
      }
      pos = next;
    }
    field.value.assign(TrimLws(field.value));
    headers.fields.push_back(std::move(field));
  }
  consumed = block.size();
  return headers;
}

bool ContentDisposition::Is(std::string_view disposition_type) const {
  return EqualsIgnoreCase(type, disposition_type);
}

std::optional<std::string> ContentDisposition::Param(std::string_view name) const {
  return ParamValue(params, name);
}

std::string ContentDisposition::Handling() const {
  const auto handling = Param("handling");
  return handling ? ToLower(*handling) : std::string("required");
}

std::string ContentDisposition::ToString() const {
  std::string out = type;
  AppendParams(out, params);
  return out;
}

Result<ContentDisposition> ParseContentDisposition(std::string_view text) {
  if (text.size() > kMaxMimeValueBytes) {
    return LocalError(ErrorCode::kTooLarge, text, kMaxMimeValueBytes,
                      "Content-Disposition longer than " + std::to_string(kMaxMimeValueBytes) + " bytes");
  }
  ContentDisposition disposition;
  const std::size_t begin = SkipWsp(text, 0);
  const std::size_t end = TokenEnd(text, begin);
  if (end == begin) return LocalError(ErrorCode::kBadHeaderValue, text, begin, "expected a disposition type token");
  disposition.type.assign(text.substr(begin, end - begin));
  // disp-param = handling-param / generic-param: a value is optional (RFC 3261 section 25.1).
  auto params = ParseTrailingParams(text, end, /*values_required=*/false);
  if (!params.ok()) return params.error();
  disposition.params = std::move(params).value();
  if (const wire::Param* handling = FindParam(disposition.params, "handling")) {
    // handling-param = "handling" EQUAL ( "optional" / "required" / other-handling )
    if (!handling->value || handling->IsQuoted()) {
      return LocalError(ErrorCode::kBadHeaderValue, text, end, "handling needs a token value");
    }
  }
  return disposition;
}

}  // namespace pushsim::wire
