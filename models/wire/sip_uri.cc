#include "wire/sip_uri.h"

#include <algorithm>

namespace pushsim::wire {
namespace {

bool IsAlphaNum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 3261 25.1: mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")".
bool IsUnreserved(char c) {
  if (IsAlphaNum(c)) return true;
  switch (c) {
    case '-': case '_': case '.': case '!': case '~': case '*': case '\'': case '(': case ')': return true;
    default: return false;
  }
}
// user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
bool IsUserChar(char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case '&': case '=': case '+': case '$': case ',': case ';': case '?': case '/': return true;
    default: return false;
  }
}
// password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
bool IsPasswordChar(char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case '&': case '=': case '+': case '$': case ',': return true;
    default: return false;
  }
}
// paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
bool IsParamChar(char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case '[': case ']': case '/': case ':': case '&': case '+': case '$': return true;
    default: return false;
  }
}
// hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
bool IsHeaderChar(char c) {
  if (IsUnreserved(c)) return true;
  switch (c) {
    case '[': case ']': case '/': case '?': case ':': case '+': case '$': return true;
    default: return false;
  }
}

// Checks that text[begin, end) consists of `allowed` characters and well-formed %HH escapes.
template <typename Allowed>
std::optional<ParseError> CheckEscaped(std::string_view text, std::size_t begin, std::size_t end, Allowed allowed,
                                       const char* what) {
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= end || !IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) {
        return LocalError(ErrorCode::kBadEscape, i, std::string("'%' in ") + what + " needs two hex digits");
      }
      i += 2;
      continue;
    }
    if (!allowed(c)) {
      return LocalError(ErrorCode::kBadCharacter, i, std::string("character not allowed in ") + what);
    }
  }
  return std::nullopt;
}

// Decodes an already checked escaped run.
std::string Decode(std::string_view text) {
  auto decoded = PercentDecode(text);
  return decoded.ok() ? std::move(decoded).value() : std::string(text);
}

bool IsHostnameLabelChar(char c) { return IsAlphaNum(c) || c == '-'; }

// hostname = *( domainlabel "." ) toplabel [ "." ]; labels up to 63 characters, names up to 255.
bool IsHostname(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  if (host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view label = host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsHostnameLabelChar(c)) return false;
    }
    if (dot == std::string_view::npos) return IsAlpha(label.front());  // toplabel starts with ALPHA
    start = dot + 1;
  }
}

// Value used for comparing two hosts: parsed address bytes for IP literals, lower case otherwise.
struct HostKey {
  HostKind kind;
  std::string text;
};

HostKey MakeHostKey(std::string_view host) {
  const auto kind = ClassifyHost(host);
  if (kind == HostKind::kIpv4) {
    const auto bytes = ParseIpv4Address(host);
    return {HostKind::kIpv4, std::string(bytes->begin(), bytes->end())};
  }
  if (kind == HostKind::kIpv6Reference) {
    const auto bytes = ParseIpv6Address(host.substr(1, host.size() - 2));
    return {HostKind::kIpv6Reference, std::string(bytes->begin(), bytes->end())};
  }
  return {HostKind::kHostname, ToLower(host)};
}

bool SameHost(std::string_view a, std::string_view b) {
  const HostKey ka = MakeHostKey(a);
  const HostKey kb = MakeHostKey(b);
  return ka.kind == kb.kind && ka.text == kb.text;
}

// Decoded, lower-cased parameter value for comparison; "" when the parameter has no value.
std::string ParamKey(const Param& param) { return param.value ? ToLower(Decode(*param.value)) : std::string(); }

}  // namespace

std::optional<std::array<std::uint8_t, 4>> ParseIpv4Address(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  std::size_t i = 0;
  for (std::size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    const std::size_t begin = i;
    unsigned value = 0;
    while (i < text.size() && IsDigit(text[i]) && i - begin < 3) value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    if (i == begin || value > 255) return std::nullopt;
    out[part] = static_cast<std::uint8_t>(value);
  }
  if (i != text.size()) return std::nullopt;
  return out;
}

std::optional<std::array<std::uint8_t, 16>> ParseIpv6Address(std::string_view text) {
  // The longest form is eight groups, or six groups and a dotted quad: 45 characters.
  if (text.size() < 2 || text.size() > 45) return std::nullopt;
  const std::size_t gap = text.find("::");
  if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos) return std::nullopt;

  // Parses a run of hex groups separated by ':' into 16-bit groups; the last may be an IPv4 address.
  auto parse_groups = [](std::string_view part, bool allow_ipv4, std::vector<std::uint16_t>& groups) {
    if (part.empty()) return true;
    std::size_t start = 0;
    while (true) {
      const std::size_t colon = part.find(':', start);
      const std::string_view piece = part.substr(start, colon == std::string_view::npos ? part.npos : colon - start);
      if (piece.empty()) return false;
      if (colon == std::string_view::npos && allow_ipv4 && piece.find('.') != std::string_view::npos) {
        const auto v4 = ParseIpv4Address(piece);
        if (!v4) return false;
        groups.push_back(static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]));
        groups.push_back(static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]));
        return true;
      }
      if (piece.size() > 4) return false;
      unsigned value = 0;
      for (char c : piece) {
        if (!IsHexDigit(c)) return false;
        value = value * 16 + static_cast<unsigned>(IsDigit(c) ? c - '0' : ToLowerAscii(c) - 'a' + 10);
      }
      groups.push_back(static_cast<std::uint16_t>(value));
      if (colon == std::string_view::npos) return true;
      start = colon + 1;
    }
  };

  std::vector<std::uint16_t> head;
  std::vector<std::uint16_t> tail;
  if (gap == std::string_view::npos) {
    if (!parse_groups(text, true, head) || head.size() != 8) return std::nullopt;
  } else {
    if (!parse_groups(text.substr(0, gap), false, head)) return std::nullopt;
    if (!parse_groups(text.substr(gap + 2), true, tail)) return std::nullopt;
    if (head.size() + tail.size() > 7) return std::nullopt;
  }
  std::array<std::uint8_t, 16> out{};
  std::size_t index = 0;
  for (std::uint16_t group : head) {
    out[index++] = static_cast<std::uint8_t>(group >> 8);
    out[index++] = static_cast<std::uint8_t>(group & 0xFF);
  }
  index = 16 - tail.size() * 2;
  for (std::uint16_t group : tail) {
    out[index++] = static_cast<std::uint8_t>(group >> 8);
    out[index++] = static_cast<std::uint8_t>(group & 0xFF);
  }
  return out;
}

std::optional<HostKind> ClassifyHost(std::string_view host) {
  if (host.empty()) return std::nullopt;
  if (host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return std::nullopt;
    if (!ParseIpv6Address(host.substr(1, host.size() - 2))) return std::nullopt;
    return HostKind::kIpv6Reference;
  }
  const bool numeric = std::all_of(host.begin(), host.end(), [](char c) { return IsDigit(c) || c == '.'; });
  if (numeric) {
    if (ParseIpv4Address(host)) return HostKind::kIpv4;
    return std::nullopt;  // a dotted number that is not an address: toplabel must start with ALPHA
  }
  if (IsHostname(host)) return HostKind::kHostname;
  return std::nullopt;
}

bool HasUriScheme(std::string_view text, std::size_t* scheme_length) {
  if (text.empty() || !IsAlpha(text[0])) return false;
  std::size_t i = 1;
  while (i < text.size() && (IsAlphaNum(text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.')) ++i;
  if (i >= text.size() || text[i] != ':' || i + 1 >= text.size()) return false;
  if (scheme_length) *scheme_length = i;
  return true;
}

Result<SipUri> ParseSipUri(std::string_view text) {
  if (text.size() > kMaxSipUriBytes) {
    return LocalError(ErrorCode::kTooLarge, kMaxSipUriBytes,
                    "URI longer than " + std::to_string(kMaxSipUriBytes) + " bytes");
  }
  SipUri uri;
  std::size_t i = 0;
  if (StartsWithIgnoreCase(text, "sips:")) {
    uri.scheme = "sips";
    i = 5;
  } else if (StartsWithIgnoreCase(text, "sip:")) {
    uri.scheme = "sip";
    i = 4;
  } else {
    return LocalError(ErrorCode::kBadUri, 0, "expected \"sip:\" or \"sips:\"");
  }

  // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@". '@' may appear nowhere else
  // unescaped, so the first one ends the userinfo.
  const std::size_t at = text.find('@', i);
  if (at != std::string_view::npos) {
    const std::size_t colon = text.substr(0, at).find(':', i);
    const std::size_t user_end = colon == std::string_view::npos ? at : colon;
    if (user_end == i) return LocalError(ErrorCode::kBadUri, i, "empty user part before '@'");
    if (auto error = CheckEscaped(text, i, user_end, IsUserChar, "user part")) return *error;
    uri.user = Decode(text.substr(i, user_end - i));
    if (colon != std::string_view::npos) {
      if (auto error = CheckEscaped(text, colon + 1, at, IsPasswordChar, "password")) return *error;
      uri.password = Decode(text.substr(colon + 1, at - colon - 1));
    }
    i = at + 1;
  }

  // host
  const std::size_t host_begin = i;
  if (i < text.size() && text[i] == '[') {
    const std::size_t close = text.find(']', i);
    if (close == std::string_view::npos) return LocalError(ErrorCode::kBadUri, i, "unterminated IPv6 reference");
    i = close + 1;
  } else {
    while (i < text.size() && (IsHostnameLabelChar(text[i]) || text[i] == '.')) ++i;
  }
  if (i == host_begin) return LocalError(ErrorCode::kBadUri, host_begin, "expected a host");
  const std::string_view host = text.substr(host_begin, i - host_begin);
  if (!ClassifyHost(host)) {
    return LocalError(ErrorCode::kBadUri, host_begin, "host is not a hostname, IPv4 address or IPv6 reference");
  }
  uri.host.assign(host);

  // port
  if (i < text.size() && text[i] == ':') {
    ++i;
    const std::size_t port_begin = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == port_begin) return LocalError(ErrorCode::kBadUri, port_begin, "expected a port number after ':'");
    const auto port = ParseDecimal(text.substr(port_begin, i - port_begin), 65535);
    if (!port) return LocalError(ErrorCode::kBadNumber, port_begin, "port must be 0 to 65535");
    uri.port = static_cast<std::uint16_t>(*port);
  }

  // uri-parameters = *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ]
  while (i < text.size() && text[i] == ';') {
    if (uri.params.size() >= kMaxUriParams) {
      return LocalError(ErrorCode::kTooLarge, i, "more than " + std::to_string(kMaxUriParams) + " URI parameters");
    }
    const std::size_t name_begin = ++i;
    while (i < text.size() && (IsParamChar(text[i]) || text[i] == '%')) ++i;
    if (i == name_begin) return LocalError(ErrorCode::kBadUri, name_begin, "expected a URI parameter name");
    if (auto error = CheckEscaped(text, name_begin, i, IsParamChar, "URI parameter")) return *error;
    Param param;
    param.name.assign(text.substr(name_begin, i - name_begin));
    if (i < text.size() && text[i] == '=') {
      const std::size_t value_begin = ++i;
      while (i < text.size() && (IsParamChar(text[i]) || text[i] == '%')) ++i;
      if (i == value_begin) return LocalError(ErrorCode::kBadUri, value_begin, "expected a URI parameter value after '='");
      if (auto error = CheckEscaped(text, value_begin, i, IsParamChar, "URI parameter")) return *error;
      param.value.emplace(text.substr(value_begin, i - value_begin));
      // Parameters with a defined grammar (RFC 3261 19.1.1, 25.1).
      const std::string_view value = *param.value;
      if (EqualsIgnoreCase(param.name, "ttl") && !ParseDecimal(value, 255)) {
        return LocalError(ErrorCode::kBadNumber, value_begin, "ttl must be 0 to 255");
      }
      if (EqualsIgnoreCase(param.name, "maddr") && !ClassifyHost(value)) {
        return LocalError(ErrorCode::kBadUri, value_begin, "maddr must be a host");
      }
      if ((EqualsIgnoreCase(param.name, "transport") || EqualsIgnoreCase(param.name, "user") ||
           EqualsIgnoreCase(param.name, "method")) &&
          !IsToken(value)) {
        return LocalError(ErrorCode::kBadUri, value_begin, param.name + " must be a token");
      }
    }
    uri.params.push_back(std::move(param));
  }

  // headers = "?" header *( "&" header ), header = hname "=" hvalue
  if (i < text.size() && text[i] == '?') {
    do {
      if (uri.headers.size() >= kMaxUriHeaders) {
        return LocalError(ErrorCode::kTooLarge, i, "more than " + std::to_string(kMaxUriHeaders) + " URI headers");
      }
      const std::size_t name_begin = ++i;
      while (i < text.size() && (IsHeaderChar(text[i]) || text[i] == '%')) ++i;
      if (i == name_begin) return LocalError(ErrorCode::kBadUri, name_begin, "expected a header name after '?' or '&'");
      if (auto error = CheckEscaped(text, name_begin, i, IsHeaderChar, "URI header name")) return *error;
      const std::size_t name_end = i;
      if (i >= text.size() || text[i] != '=') return LocalError(ErrorCode::kBadUri, i, "expected '=' after the URI header name");
      const std::size_t value_begin = ++i;
      while (i < text.size() && (IsHeaderChar(text[i]) || text[i] == '%')) ++i;
      if (auto error = CheckEscaped(text, value_begin, i, IsHeaderChar, "URI header value")) return *error;
      uri.headers.emplace_back(Decode(text.substr(name_begin, name_end - name_begin)),
                               Decode(text.substr(value_begin, i - value_begin)));
    } while (i < text.size() && text[i] == '&');
  }

  if (i != text.size()) {
    return LocalError(ErrorCode::kBadCharacter, i, std::string("unexpected character '") + text[i] + "' in SIP URI");
  }
  return uri;
}

std::string SipUri::ToString() const {
  std::string out;
  out.reserve(scheme.size() + user.size() + host.size() + 32);
  out += scheme;
  out.push_back(':');
  if (!user.empty()) {
    out += PercentEncode(user, IsUserChar);
    if (password) {
      out.push_back(':');
      out += PercentEncode(*password, IsPasswordChar);
    }
    out.push_back('@');
  }
  out += host;
  if (port) {
    out.push_back(':');
    out += std::to_string(*port);
  }
  AppendParams(out, params);
  char separator = '?';
  for (const auto& [name, value] : headers) {
    out.push_back(separator);
    out += PercentEncode(name, IsHeaderChar);
    out.push_back('=');
    out += PercentEncode(value, IsHeaderChar);
    separator = '&';
  }
  return out;
}

std::optional<std::string_view> SipUri::Param(std::string_view name) const {
  const wire::Param* param = FindParam(params, name);
  if (!param) return std::nullopt;
  return param->value ? std::string_view(*param->value) : std::string_view();
}

bool SipUri::IsGruu() const { return HasParam(params, "gr"); }

bool SipUriEquivalent(const SipUri& a, const SipUri& b) {
  if (!EqualsIgnoreCase(a.scheme, b.scheme)) return false;
  if (a.user != b.user || a.password != b.password) return false;
  if (!SameHost(a.host, b.host)) return false;
  if (a.port != b.port) return false;

  // Parameters with a default value, and maddr, must be in both or neither (19.1.4).
  for (std::string_view name : {"transport", "user", "ttl", "method", "maddr"}) {
    const wire::Param* pa = FindParam(a.params, name);
    const wire::Param* pb = FindParam(b.params, name);
    if ((pa == nullptr) != (pb == nullptr)) return false;
  }
  // Any parameter in both must match. A repeated name is compared by its first occurrence, so
  // that every URI stays equivalent to itself.
  for (const wire::Param& pa : a.params) {
    if (FindParam(a.params, pa.name) != &pa) continue;
    const wire::Param* pb = FindParam(b.params, pa.name);
    if (pb != nullptr && ParamKey(pa) != ParamKey(*pb)) return false;
  }
  // Headers are never ignored: compared as multisets of (name, value).
  if (a.headers.size() != b.headers.size()) return false;
  std::vector<bool> used(b.headers.size(), false);
  for (const auto& [name, value] : a.headers) {
    bool found = false;
    for (std::size_t j = 0; j < b.headers.size(); ++j) {
      if (!used[j] && EqualsIgnoreCase(name, b.headers[j].first) && value == b.headers[j].second) {
        used[j] = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

std::string AddressOfRecord(const SipUri& uri) {
  std::string out = uri.scheme.empty() ? std::string("sip") : ToLower(uri.scheme);
  out.push_back(':');
  if (!uri.user.empty()) {
    out += PercentEncode(uri.user, IsUserChar);
    out.push_back('@');
  }
  out += ToLower(uri.host);
  return out;
}

}  // namespace pushsim::wire
