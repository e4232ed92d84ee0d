#include "wire/sip_headers.h"

#include <limits>
#include <utility>

namespace pushsim::wire {
namespace {

// Moves an error found in a sub-view starting at `base` into the coordinates of the whole value.
ParseError Shift(ParseError error, std::size_t base) {
  error.offset += base;
  error.line = 1;
  error.column = static_cast<std::uint32_t>(error.offset + 1);
  return error;
}

// For the SipMessage-level functions: offset in the original input, line and column unknown.
ParseError ToFieldError(ParseError error, const HeaderField& field) {
  error.offset += field.input_offset;
  error.line = 0;
  error.column = 0;
  return error;
}

bool IsLwsChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t SkipLws(std::string_view text, std::size_t i) {
  while (i < text.size() && IsLwsChar(text[i])) ++i;
  return i;
}

std::optional<ParseError> CheckSize(std::string_view value, const char* what) {
  if (value.size() <= kMaxHeaderValueBytes) return std::nullopt;
  return LocalError(ErrorCode::kTooLarge, kMaxHeaderValueBytes,
                    std::string(what) + " value longer than " + std::to_string(kMaxHeaderValueBytes) + " bytes");
}

std::size_t OffsetIn(std::string_view whole, std::string_view part) {
  return static_cast<std::size_t>(part.data() - whole.data());
}

// Header parameters with the position of each name, for precise errors.
struct HeaderParams {
  Params params;
  std::vector<std::size_t> name_offsets;
  std::size_t end = 0;

  // Position of the value of parameter `index` (its name when it has none).
  std::size_t ValueOffset(std::string_view text, std::size_t index) const {
    std::size_t i = name_offsets[index];
    while (i < text.size() && IsTokenChar(text[i])) ++i;
    i = SkipLws(text, i);
    if (i < text.size() && text[i] == '=') return SkipLws(text, i + 1);
    return name_offsets[index];
  }
};

Result<HeaderParams> ParseHeaderParams(std::string_view text, std::size_t begin) {
  HeaderParams out;
  std::size_t consumed = 0;
  auto parsed = ParseParams(text.substr(begin), consumed);
  if (!parsed.ok()) return Shift(parsed.error(), begin);
  out.params = std::move(parsed).value();
  out.end = begin + consumed;
  // Each parameter starts at a ';' outside quoted strings and IPv6 references.
  bool in_quotes = false;
  bool in_brackets = false;
  for (std::size_t i = begin; i < out.end; ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (in_brackets) {
      in_brackets = c != ']';
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '[') {
      in_brackets = true;
    } else if (c == ';') {
      out.name_offsets.push_back(SkipLws(text, i + 1));
    }
  }
  if (out.name_offsets.size() != out.params.size()) {
    // Cannot happen for text ParseParams accepted; keep the offsets usable anyway.
    out.name_offsets.resize(out.params.size(), begin);
  }
  if (out.params.size() > kMaxHeaderParams) {
    return LocalError(ErrorCode::kTooLarge, out.name_offsets[kMaxHeaderParams],
                      "more than " + std::to_string(kMaxHeaderParams) + " parameters");
  }
  return out;
}

std::optional<ParseError> ExpectEnd(std::string_view text, std::size_t i, const char* after) {
  i = SkipLws(text, i);
  if (i == text.size()) return std::nullopt;
  return LocalError(ErrorCode::kBadCharacter, i,
                    std::string("unexpected character '") + text[i] + "' after " + after);
}

std::optional<std::size_t> FindParamIndex(const Params& params, std::string_view name) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (EqualsIgnoreCase(params[i].name, name)) return i;
  }
  return std::nullopt;
}

// A parameter that must carry a token value (not a quoted string).
std::optional<ParseError> CheckTokenParam(std::string_view text, const HeaderParams& hp, std::string_view name) {
  const auto index = FindParamIndex(hp.params, name);
  if (!index) return std::nullopt;
  const Param& param = hp.params[*index];
  if (!param.value || !IsToken(*param.value)) {
    return LocalError(ErrorCode::kBadHeaderValue, hp.ValueOffset(text, *index),
                      std::string(name) + " parameter must be a token");
  }
  return std::nullopt;
}

// A parameter that must be delta-seconds.
std::optional<ParseError> CheckDeltaParam(std::string_view text, const HeaderParams& hp, std::string_view name,
                                          std::optional<std::uint32_t>* out = nullptr) {
  const auto index = FindParamIndex(hp.params, name);
  if (!index) return std::nullopt;
  const Param& param = hp.params[*index];
  auto seconds = ParseDeltaSeconds(param.value ? std::string_view(*param.value) : std::string_view());
  if (!seconds.ok()) {
    return LocalError(ErrorCode::kBadNumber, hp.ValueOffset(text, *index),
                      std::string(name) + " parameter must be delta-seconds");
  }
  if (out) *out = seconds.value();
  return std::nullopt;
}

// absoluteURI check; sip: and sips: must be complete SIP URIs. `base` is where `uri` starts.
std::optional<ParseError> CheckUri(std::string_view uri, std::size_t base) {
  std::size_t scheme_length = 0;
  if (!HasUriScheme(uri, &scheme_length)) {
    return LocalError(ErrorCode::kBadUri, base, "expected an absolute URI (scheme \":\" ...)");
  }
  const std::string_view scheme = uri.substr(0, scheme_length);
  if (EqualsIgnoreCase(scheme, "sip") || EqualsIgnoreCase(scheme, "sips")) {
    auto parsed = ParseSipUri(uri);
    if (!parsed.ok()) return Shift(parsed.error(), base);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < uri.size(); ++i) {
    const auto byte = static_cast<unsigned char>(uri[i]);
    if (byte <= 0x20 || byte == 0x7F || uri[i] == '<' || uri[i] == '>' || uri[i] == '"') {
      return LocalError(ErrorCode::kBadCharacter, base + i, "character not allowed in a URI");
    }
  }
  return std::nullopt;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )   (RFC 3261 20.10, 25.1)
std::optional<double> ParseQValue(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  if (text.size() == 1) return text[0] == '1' ? 1.0 : 0.0;
  if (text[1] != '.') return std::nullopt;
  int thousandths = 0;
  int scale = 100;
  for (std::size_t i = 2; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    if (text[0] == '1' && text[i] != '0') return std::nullopt;
    thousandths += (text[i] - '0') * scale;
    scale /= 10;
  }
  return (text[0] == '1' ? 1000 : thousandths) / 1000.0;
}

std::optional<std::string> UnquotedParam(const Params& params, std::string_view name) {
  const Param* param = FindParam(params, name);
  if (!param || !param->value) return std::nullopt;
  return param->Unquoted();
}

// Runs `parse_element` over each comma-separated element of `value`, shifting errors.
template <typename T, typename ParseElement>
std::optional<ParseError> ForEachElement(std::string_view value, std::vector<T>& out, const char* what,
                                         ParseElement parse_element) {
  for (std::string_view element : SplitCommaList(value)) {
    const std::size_t base = OffsetIn(value, element);
    if (element.empty()) return LocalError(ErrorCode::kBadHeaderValue, base, std::string("empty ") + what + " element");
    if (out.size() >= kMaxListElements) {
      return LocalError(ErrorCode::kTooLarge, base, "more than " + std::to_string(kMaxListElements) + " elements");
    }
    auto parsed = parse_element(element);
    if (!parsed.ok()) return Shift(parsed.error(), base);
    out.push_back(std::move(parsed).value());
  }
  return std::nullopt;
}

// Collects the results of `parse_value` over every field with `id`.
template <typename T, typename ParseValue>
Result<std::vector<T>> CollectFields(const SipMessage& message, HeaderId id, ParseValue parse_value) {
  std::vector<T> out;
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const HeaderField field = message.header(i);
    if (field.id != id) continue;
    auto parsed = parse_value(field.value);
    if (!parsed.ok()) return ToFieldError(parsed.error(), field);
    if (out.size() + parsed->size() > kMaxListElements) {
      return ToFieldError(LocalError(ErrorCode::kTooLarge, 0,
                                     "more than " + std::to_string(kMaxListElements) + " elements in all fields"),
                          field);
    }
    for (T& element : parsed.value()) out.push_back(std::move(element));
  }
  return out;
}

bool IsLetDig(char c) { return IsAlpha(c) || IsDigit(c); }

// let-dig [ *( let-dig / "-" ) let-dig ], at most 63 characters.
bool IsServiceLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || !IsLetDig(label.front()) || !IsLetDig(label.back())) return false;
  for (char c : label) {
    if (!IsLetDig(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// NameAddr

std::string NameAddr::ToString() const {
  std::string out;
  if (!display_name.empty()) {
    out += QuoteString(display_name);
    out.push_back(' ');
  }
  const bool needs_brackets = bracketed || !display_name.empty() || uri.find_first_of(",;?") != std::string::npos;
  if (needs_brackets) out.push_back('<');
  out += uri;
  if (needs_brackets) out.push_back('>');
  AppendParams(out, params);
  return out;
}

Result<SipUri> NameAddr::SipUriValue() const { return ParseSipUri(uri); }

namespace {

// ParseNameAddr that also reports where each header parameter starts.
Result<NameAddr> ParseNameAddrWithPositions(std::string_view value, HeaderParams& positions) {
  if (auto error = CheckSize(value, "address")) return *error;
  NameAddr out;
  std::size_t i = SkipLws(value, 0);
  if (i == value.size()) return LocalError(ErrorCode::kBadHeaderValue, i, "expected a name-addr or addr-spec");

  bool bracketed = false;
  if (value[i] == '"') {
    std::size_t used = 0;
    auto display = ParseQuotedString(value.substr(i), used);
    if (!display.ok()) return Shift(display.error(), i);
    out.display_name = std::move(display).value();
    i = SkipLws(value, i + used);
    if (i >= value.size() || value[i] != '<') {
      return LocalError(ErrorCode::kBadHeaderValue, i, "expected '<' after the display name");
    }
    bracketed = true;
  } else if (value[i] == '<') {
    bracketed = true;
  } else {
    // display-name = *(token LWS): tokens separated by LWS and followed by '<'.
    std::size_t j = i;
    std::size_t display_end = i;
    while (j < value.size()) {
      if (IsTokenChar(value[j])) {
        while (j < value.size() && IsTokenChar(value[j])) ++j;
        display_end = j;
      } else if (IsLwsChar(value[j])) {
        j = SkipLws(value, j);
      } else {
        break;
      }
    }
    if (j < value.size() && value[j] == '<' && display_end > i) {
      out.display_name.assign(value.substr(i, display_end - i));
      i = j;
      bracketed = true;
    }
  }

  std::size_t uri_begin = 0;
  std::size_t uri_end = 0;
  if (bracketed) {
    uri_begin = i + 1;
    uri_end = value.find('>', uri_begin);
    if (uri_end == std::string_view::npos) return LocalError(ErrorCode::kBadHeaderValue, i, "unterminated '<'");
    if (uri_end == uri_begin) return LocalError(ErrorCode::kBadUri, uri_begin, "empty URI in <>");
    i = uri_end + 1;
  } else {
    // addr-spec: the URI ends at the first ';' (its parameters belong to the header, 20.10) or LWS.
    uri_begin = i;
    uri_end = i;
    while (uri_end < value.size() && value[uri_end] != ';' && !IsLwsChar(value[uri_end])) ++uri_end;
    const std::size_t question = value.substr(uri_begin, uri_end - uri_begin).find('?');
    if (question != std::string_view::npos) {
      return LocalError(ErrorCode::kBadHeaderValue, uri_begin + question,
                        "a URI containing '?' must be enclosed in <> (RFC 3261 20.10)");
    }
    i = uri_end;
  }
  const std::string_view uri = value.substr(uri_begin, uri_end - uri_begin);
  if (auto error = CheckUri(uri, uri_begin)) return *error;
  out.uri.assign(uri);
  out.bracketed = bracketed;

  auto params = ParseHeaderParams(value, i);
  if (!params.ok()) return params.error();
  if (auto error = ExpectEnd(value, params->end, "the address")) return *error;
  positions.name_offsets = std::move(params->name_offsets);
  positions.end = params->end;
  out.params = std::move(params->params);
  return out;
}

}  // namespace

Result<NameAddr> ParseNameAddr(std::string_view value) {
  HeaderParams positions;
  return ParseNameAddrWithPositions(value, positions);
}

Result<std::vector<NameAddr>> ParseNameAddrListValue(std::string_view value, bool require_brackets) {
  if (auto error = CheckSize(value, "address list")) return *error;
  std::vector<NameAddr> out;
  auto error = ForEachElement(value, out, "address", [&](std::string_view element) -> Result<NameAddr> {
    auto parsed = ParseNameAddr(element);
    if (parsed.ok() && require_brackets && !parsed->bracketed) {
      return LocalError(ErrorCode::kBadHeaderValue, 0, "expected name-addr: the URI must be enclosed in <>");
    }
    return parsed;
  });
  if (error) return *error;
  return out;
}

Result<std::vector<NameAddr>> ParseNameAddrList(const SipMessage& message, HeaderId id) {
  const bool require_brackets = id != HeaderId::kPAssertedIdentity && id != HeaderId::kPPreferredIdentity;
  return CollectFields<NameAddr>(message, id, [require_brackets](std::string_view value) {
    return ParseNameAddrListValue(value, require_brackets);
  });
}

Result<NameAddr> ParseFromTo(std::string_view value) {
  HeaderParams positions;
  auto parsed = ParseNameAddrWithPositions(value, positions);
  if (!parsed.ok()) return parsed;
  // tag-param = "tag" EQUAL token (RFC 3261 25.1)
  if (const auto index = FindParamIndex(parsed->params, "tag")) {
    const Param& tag = parsed->params[*index];
    if (!tag.value || !IsToken(*tag.value)) {
      return LocalError(ErrorCode::kBadHeaderValue, positions.ValueOffset(value, *index),
                        "tag parameter must be a token");
    }
  }
  return parsed;
}

Result<NameAddr> ParseReferTo(std::string_view value) { return ParseNameAddr(value); }
Result<NameAddr> ParseReferredBy(std::string_view value) { return ParseNameAddr(value); }

// ---------------------------------------------------------------------------------------------
// Via

std::string_view Via::branch() const {
  const Param* param = FindParam(params, "branch");
  return param && param->value ? std::string_view(*param->value) : std::string_view();
}

std::optional<std::string> Via::received() const { return UnquotedParam(params, "received"); }

bool Via::has_rport() const { return HasParam(params, "rport"); }

std::optional<std::uint16_t> Via::rport() const {
  const Param* param = FindParam(params, "rport");
  if (!param || !param->value) return std::nullopt;
  const auto number = ParseDecimal(*param->value, 65535);
  if (!number) return std::nullopt;
  return static_cast<std::uint16_t>(*number);
}

std::string Via::ToString() const {
  std::string out;
  out.reserve(protocol_name.size() + protocol_version.size() + transport.size() + host.size() + 64);
  out += protocol_name;
  out.push_back('/');
  out += protocol_version;
  out.push_back('/');
  out += transport;
  out.push_back(' ');
  out += host;
  if (port) {
    out.push_back(':');
    out += std::to_string(*port);
  }
  AppendParams(out, params);
  return out;
}

Result<Via> ParseVia(std::string_view value) {
  if (auto error = CheckSize(value, "Via")) return *error;
  Via via;
  std::size_t i = SkipLws(value, 0);
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
  auto read_token = [&](std::string& out, const char* expected) -> std::optional<ParseError> {
    const std::size_t begin = i;
    while (i < value.size() && IsTokenChar(value[i])) ++i;
    if (i == begin) return LocalError(ErrorCode::kBadHeaderValue, begin, expected);
    out.assign(value.substr(begin, i - begin));
    return std::nullopt;
  };
  auto read_slash = [&](const char* after) -> std::optional<ParseError> {
    i = SkipLws(value, i);
    if (i >= value.size() || value[i] != '/') {
      return LocalError(ErrorCode::kBadHeaderValue, i, std::string("expected '/' after ") + after);
    }
    i = SkipLws(value, i + 1);
    return std::nullopt;
  };
  if (auto error = read_token(via.protocol_name, "expected protocol name (SIP)")) return *error;
  if (auto error = read_slash("the protocol name")) return *error;
  if (auto error = read_token(via.protocol_version, "expected protocol version after SIP/")) return *error;
  if (auto error = read_slash("the protocol version")) return *error;
  const std::string expected_transport = "expected transport after " + via.protocol_name + "/" + via.protocol_version + "/";
  if (auto error = read_token(via.transport, expected_transport.c_str())) return *error;

  // LWS sent-by
  if (i >= value.size() || !IsLwsChar(value[i])) {
    return LocalError(ErrorCode::kBadHeaderValue, i, "expected LWS and sent-by after the transport");
  }
  i = SkipLws(value, i);
  const std::size_t host_begin = i;
  if (i < value.size() && value[i] == '[') {
    const std::size_t close = value.find(']', i);
    if (close == std::string_view::npos) return LocalError(ErrorCode::kBadHeaderValue, i, "unterminated IPv6 reference");
    i = close + 1;
  } else {
    while (i < value.size() && (IsAlpha(value[i]) || IsDigit(value[i]) || value[i] == '-' || value[i] == '.')) ++i;
  }
  if (i == host_begin) return LocalError(ErrorCode::kBadHeaderValue, host_begin, "expected sent-by host");
  const std::string_view host = value.substr(host_begin, i - host_begin);
  if (!ClassifyHost(host)) {
    return LocalError(ErrorCode::kBadHeaderValue, host_begin, "sent-by is not a hostname, IPv4 address or IPv6 reference");
  }
  via.host.assign(host);
  // [ COLON port ], COLON = SWS ":" SWS
  std::size_t after_host = SkipLws(value, i);
  if (after_host < value.size() && value[after_host] == ':') {
    i = SkipLws(value, after_host + 1);
    const std::size_t port_begin = i;
    while (i < value.size() && IsDigit(value[i])) ++i;
    if (i == port_begin) return LocalError(ErrorCode::kBadHeaderValue, port_begin, "expected a port after ':'");
    const auto port = ParseDecimal(value.substr(port_begin, i - port_begin), 65535);
    if (!port) return LocalError(ErrorCode::kBadNumber, port_begin, "port must be 0 to 65535");
    via.port = static_cast<std::uint16_t>(*port);
  }

  auto params = ParseHeaderParams(value, i);
  if (!params.ok()) return params.error();
  if (auto error = ExpectEnd(value, params->end, "the Via parameters")) return *error;
  // via-params (RFC 3261 25.1, RFC 3581 3)
  if (auto error = CheckTokenParam(value, *params, "branch")) return *error;
  for (std::size_t k = 0; k < params->params.size(); ++k) {
    const Param& param = params->params[k];
    const std::string_view raw = param.value ? std::string_view(*param.value) : std::string_view();
    const std::size_t at = params->ValueOffset(value, k);
    if (EqualsIgnoreCase(param.name, "received")) {
      const bool ipv6_reference = raw.size() > 2 && raw.front() == '[' && raw.back() == ']';
      const std::string_view address = ipv6_reference ? raw.substr(1, raw.size() - 2) : raw;
      if (!ParseIpv4Address(address) && !ParseIpv6Address(address)) {
        return LocalError(ErrorCode::kBadHeaderValue, at, "received must be an IPv4 or IPv6 address");
      }
    } else if (EqualsIgnoreCase(param.name, "rport")) {
      if (param.value && !ParseDecimal(raw, 65535)) {
        return LocalError(ErrorCode::kBadNumber, at, "rport must be empty or a port 0 to 65535");
      }
    } else if (EqualsIgnoreCase(param.name, "ttl")) {
      if (!ParseDecimal(raw, 255)) return LocalError(ErrorCode::kBadNumber, at, "ttl must be 0 to 255");
    } else if (EqualsIgnoreCase(param.name, "maddr")) {
      if (!ClassifyHost(raw)) return LocalError(ErrorCode::kBadHeaderValue, at, "maddr must be a host");
    }
  }
  via.params = std::move(params->params);
  return via;
}

Result<std::vector<Via>> ParseViaValue(std::string_view value) {
  if (auto error = CheckSize(value, "Via")) return *error;
  std::vector<Via> out;
  if (auto error = ForEachElement(value, out, "Via", ParseVia)) return *error;
  return out;
}

Result<std::vector<Via>> ParseVias(const SipMessage& message) {
  return CollectFields<Via>(message, HeaderId::kVia, ParseViaValue);
}

// ---------------------------------------------------------------------------------------------
// Contact

std::optional<std::uint32_t> Contact::expires() const {
  const Param* param = FindParam(address.params, "expires");
  if (!param || !param->value) return std::nullopt;
  auto seconds = ParseDeltaSeconds(*param->value);
  if (!seconds.ok()) return std::nullopt;
  return seconds.value();
}

std::optional<double> Contact::q() const {
  const Param* param = FindParam(address.params, "q");
  if (!param || !param->value) return std::nullopt;
  return ParseQValue(*param->value);
}

std::optional<std::string> Contact::instance() const { return UnquotedParam(address.params, "+sip.instance"); }
std::optional<std::string> Contact::pub_gruu() const { return UnquotedParam(address.params, "pub-gruu"); }
std::optional<std::string> Contact::temp_gruu() const { return UnquotedParam(address.params, "temp-gruu"); }

std::string Contact::ToString() const { return star ? std::string("*") : address.ToString(); }

namespace {

Result<Contact> ParseContactElement(std::string_view element) {
  Contact contact;
  if (element == "*") {
    contact.star = true;
    return contact;
  }
  HeaderParams positions;
  auto address = ParseNameAddrWithPositions(element, positions);
  if (!address.ok()) return address.error();
  contact.address = std::move(address).value();
  // c-p-q and c-p-expires (RFC 3261 20.10)
  if (const auto index = FindParamIndex(contact.address.params, "q")) {
    const Param& q = contact.address.params[*index];
    if (!q.value || !ParseQValue(*q.value)) {
      return LocalError(ErrorCode::kBadHeaderValue, positions.ValueOffset(element, *index),
                        "q must be a qvalue (0 to 1, at most three decimals)");
    }
  }
  if (const auto index = FindParamIndex(contact.address.params, "expires")) {
    const Param& expires = contact.address.params[*index];
    if (!expires.value || !ParseDeltaSeconds(*expires.value).ok()) {
      return LocalError(ErrorCode::kBadNumber, positions.ValueOffset(element, *index), "expires must be delta-seconds");
    }
  }
  return contact;
}

}  // namespace

Result<std::vector<Contact>> ParseContactValue(std::string_view value) {
  if (auto error = CheckSize(value, "Contact")) return *error;
  std::vector<Contact> out;
  if (auto error = ForEachElement(value, out, "Contact", ParseContactElement)) return *error;
  if (out.size() > 1) {
    for (const Contact& contact : out) {
      if (contact.star) {
        return LocalError(ErrorCode::kBadHeaderValue, value.find('*'), "Contact '*' must be the only element");
      }
    }
  }
  return out;
}

Result<std::vector<Contact>> ParseContacts(const SipMessage& message) {
  auto contacts = CollectFields<Contact>(message, HeaderId::kContact, ParseContactValue);
  if (!contacts.ok()) return contacts;
  if (contacts->size() > 1) {
    for (std::size_t i = 0; i < message.header_count(); ++i) {
      const HeaderField field = message.header(i);
      if (field.id == HeaderId::kContact && TrimLws(field.value) == "*") {
        return ToFieldError(LocalError(ErrorCode::kBadHeaderValue, 0, "Contact '*' must be the only element"), field);
      }
    }
  }
  return contacts;
}

// ---------------------------------------------------------------------------------------------
// Simple values

Result<CSeq> ParseCSeq(std::string_view value) {
  if (auto error = CheckSize(value, "CSeq")) return *error;
  // CSeq = 1*DIGIT LWS Method
  std::size_t i = SkipLws(value, 0);
  const std::size_t number_begin = i;
  while (i < value.size() && IsDigit(value[i])) ++i;
  if (i == number_begin) return LocalError(ErrorCode::kBadHeaderValue, number_begin, "CSeq must start with a number");
  const auto number = ParseDecimal(value.substr(number_begin, i - number_begin), 0x7FFFFFFF);
  if (!number) return LocalError(ErrorCode::kBadNumber, number_begin, "CSeq number must be below 2^31");
  if (i >= value.size() || !IsLwsChar(value[i])) {
    return LocalError(ErrorCode::kBadHeaderValue, i, "expected LWS and a method after the CSeq number");
  }
  i = SkipLws(value, i);
  const std::size_t method_begin = i;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == method_begin) return LocalError(ErrorCode::kBadHeaderValue, method_begin, "expected a method in CSeq");
  CSeq cseq;
  cseq.number = static_cast<std::uint32_t>(*number);
  cseq.method.assign(value.substr(method_begin, i - method_begin));
  if (auto error = ExpectEnd(value, i, "the CSeq method")) return *error;
  return cseq;
}

Result<std::uint32_t> ParseDeltaSeconds(std::string_view value) {
  if (auto error = CheckSize(value, "delta-seconds")) return *error;
  const std::string_view digits = TrimLws(value);
  const std::size_t begin = OffsetIn(value, digits);
  if (digits.empty()) return LocalError(ErrorCode::kBadNumber, begin, "expected delta-seconds (digits)");
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (!IsDigit(digits[i])) return LocalError(ErrorCode::kBadNumber, begin + i, "delta-seconds must be digits only");
    total = std::min<std::uint64_t>(total * 10 + static_cast<std::uint64_t>(digits[i] - '0'),
                                    std::numeric_limits<std::uint32_t>::max());
  }
  return static_cast<std::uint32_t>(total);
}

Result<std::uint32_t> ParseMaxForwards(std::string_view value) {
  auto hops = ParseDeltaSeconds(value);
  if (!hops.ok()) return hops;
  if (hops.value() > 255) {
    return LocalError(ErrorCode::kBadNumber, OffsetIn(value, TrimLws(value)), "Max-Forwards must be 0 to 255");
  }
  return hops;
}

std::optional<std::string_view> EventHeader::id() const {
  const Param* param = FindParam(params, "id");
  if (!param || !param->value) return std::nullopt;
  return std::string_view(*param->value);
}

Result<EventHeader> ParseEvent(std::string_view value) {
  if (auto error = CheckSize(value, "Event")) return *error;
  EventHeader event;
  std::size_t i = SkipLws(value, 0);
  // event-type = event-package *( "." event-template ); token-nodot = token without "."
  bool first = true;
  while (true) {
    const std::size_t begin = i;
    while (i < value.size() && IsTokenChar(value[i]) && value[i] != '.') ++i;
    if (i == begin) {
      return LocalError(ErrorCode::kBadHeaderValue, begin,
                        first ? "expected an event package" : "expected an event template after '.'");
    }
    if (first) {
      event.package.assign(value.substr(begin, i - begin));
    } else {
      event.templates.emplace_back(value.substr(begin, i - begin));
    }
    first = false;
    if (i < value.size() && value[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  auto params = ParseHeaderParams(value, i);
  if (!params.ok()) return params.error();
  if (auto error = ExpectEnd(value, params->end, "the event type")) return *error;
  if (auto error = CheckTokenParam(value, *params, "id")) return *error;
  event.params = std::move(params->params);
  return event;
}

std::string SubscriptionState::ToString() const {
  std::string out = state;
  if (reason) {
    out += ";reason=";
    out += *reason;
  }
  if (expires) {
    out += ";expires=";
    out += std::to_string(*expires);
  }
  if (retry_after) {
    out += ";retry-after=";
    out += std::to_string(*retry_after);
  }
  AppendParams(out, params);
  return out;
}

Result<SubscriptionState> ParseSubscriptionState(std::string_view value) {
  if (auto error = CheckSize(value, "Subscription-State")) return *error;
  SubscriptionState result;
  std::size_t i = SkipLws(value, 0);
  const std::size_t begin = i;
  while (i < value.size() && IsTokenChar(value[i])) ++i;
  if (i == begin) return LocalError(ErrorCode::kBadHeaderValue, begin, "expected a subscription state");
  result.state.assign(value.substr(begin, i - begin));
  auto params = ParseHeaderParams(value, i);
  if (!params.ok()) return params.error();
  if (auto error = ExpectEnd(value, params->end, "the subscription state")) return *error;
  // subexp-params (RFC 6665 8.4): reason = token, expires and retry-after = delta-seconds.
  if (auto error = CheckTokenParam(value, *params, "reason")) return *error;
  if (auto error = CheckDeltaParam(value, *params, "expires", &result.expires)) return *error;
  if (auto error = CheckDeltaParam(value, *params, "retry-after", &result.retry_after)) return *error;
  for (Param& param : params->params) {
    if (EqualsIgnoreCase(param.name, "reason")) {
      if (!result.reason) result.reason = *param.value;
    } else if (!EqualsIgnoreCase(param.name, "expires") && !EqualsIgnoreCase(param.name, "retry-after")) {
      result.params.push_back(std::move(param));
    }
  }
  return result;
}

Result<RetryAfter> ParseRetryAfter(std::string_view value) {
  if (auto error = CheckSize(value, "Retry-After")) return *error;
  RetryAfter result;
  std::size_t i = SkipLws(value, 0);
  const std::size_t begin = i;
  while (i < value.size() && IsDigit(value[i])) ++i;
  if (i == begin) return LocalError(ErrorCode::kBadNumber, begin, "Retry-After must start with delta-seconds");
  auto seconds = ParseDeltaSeconds(value.substr(begin, i - begin));
  if (!seconds.ok()) return Shift(seconds.error(), begin);
  result.seconds = seconds.value();

  // comment = LPAREN *(ctext / quoted-pair / comment) RPAREN   (RFC 3261 25.1)
  const std::size_t after_number = i;
  i = SkipLws(value, i);
  if (i < value.size() && value[i] == '(') {
    const std::size_t open = i;
    std::size_t depth = 0;
    for (; i < value.size(); ++i) {
      const char c = value[i];
      if (c == '\\') {
        if (i + 1 >= value.size()) break;
        ++i;
      } else if (c == '(') {
        if (++depth > kMaxCommentDepth) {
          return LocalError(ErrorCode::kTooLarge, i,
                            "comment nested deeper than " + std::to_string(kMaxCommentDepth) + " levels");
        }
      } else if (c == ')') {
        if (--depth == 0) break;
      }
    }
    if (i >= value.size()) return LocalError(ErrorCode::kBadHeaderValue, open, "unterminated comment");
    result.comment.assign(value.substr(open + 1, i - open - 1));
    ++i;
  } else {
    i = after_number;
  }
  auto params = ParseHeaderParams(value, i);
  if (!params.ok()) return params.error();
  if (auto error = ExpectEnd(value, params->end, "the Retry-After value")) return *error;
  if (auto error = CheckDeltaParam(value, *params, "duration", &result.duration)) return *error;
  for (Param& param : params->params) {
    if (!EqualsIgnoreCase(param.name, "duration")) result.params.push_back(std::move(param));
  }
  return result;
}

Result<std::vector<std::string>> ParseTokenListValue(std::string_view value, bool allow_empty) {
  if (auto error = CheckSize(value, "token list")) return *error;
  std::vector<std::string> out;
  if (TrimLws(value).empty()) {
    if (allow_empty) return out;
    return LocalError(ErrorCode::kBadHeaderValue, 0, "expected at least one token");
  }
  auto error = ForEachElement(value, out, "token list", [](std::string_view element) -> Result<std::string> {
    for (std::size_t i = 0; i < element.size(); ++i) {
      if (!IsTokenChar(element[i])) {
        return LocalError(ErrorCode::kBadCharacter, i, "expected a token (option-tag, method or event type)");
      }
    }
    return std::string(element);
  });
  if (error) return *error;
  return out;
}

Result<std::vector<std::string>> ParseTokenList(const SipMessage& message, HeaderId id) {
  const bool allow_empty = id == HeaderId::kSupported || id == HeaderId::kAllow;
  return CollectFields<std::string>(message, id, [allow_empty](std::string_view value) {
    return ParseTokenListValue(value, allow_empty);
  });
}

Result<std::vector<std::string>> ParseServiceListValue(std::string_view value) {
  if (auto error = CheckSize(value, "service list")) return *error;
  std::vector<std::string> out;
  auto error = ForEachElement(value, out, "service", [](std::string_view element) -> Result<std::string> {
    static constexpr std::string_view kPrefix = "urn:urn-7:";
    if (!StartsWithIgnoreCase(element, kPrefix)) {
      return LocalError(ErrorCode::kBadHeaderValue, 0, "Service-ID must start with \"urn:urn-7:\" (RFC 6050)");
    }
    std::size_t start = kPrefix.size();
    while (true) {
      const std::size_t dot = element.find('.', start);
      const std::string_view label = element.substr(start, dot == std::string_view::npos ? element.npos : dot - start);
      if (!IsServiceLabel(label)) {
        return LocalError(ErrorCode::kBadHeaderValue, start,
                          "service labels are letters, digits and inner '-', separated by '.'");
      }
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    return std::string(element);
  });
  if (error) return *error;
  return out;
}

Result<std::vector<std::string>> ParseServiceList(const SipMessage& message, HeaderId id) {
  return CollectFields<std::string>(message, id, ParseServiceListValue);
}

}  // namespace pushsim::wire
