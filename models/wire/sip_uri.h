// SIP and SIPS URIs (RFC 3261 section 19.1, grammar in section 25.1) and their comparison
// (section 19.1.4).
//
// Storage: `user`, `password` and the URI headers are kept decoded (%HH resolved) and are
// re-escaped by ToString(); the host is kept as written (an IPv6 reference keeps its brackets);
// URI parameters are kept exactly as written, escapes included, so they serialize back unchanged.
//
// Limits (hostile input cannot grow memory without bound):
//   - a URI longer than kMaxSipUriBytes is rejected with kTooLarge;
//   - more than kMaxUriParams ;parameters or kMaxUriHeaders ?headers are rejected with kTooLarge.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/error.h"
#include "wire/text.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxSipUriBytes = 8 * 1024;
inline constexpr std::size_t kMaxUriParams = 64;
inline constexpr std::size_t kMaxUriHeaders = 64;

struct SipUri {
  std::string scheme;  // "sip" or "sips", lower case
  std::string user;    // decoded; empty when the URI has no userinfo
  std::optional<std::string> password;  // decoded
  std::string host;    // as written: hostname, IPv4 address, or IPv6 reference "[...]"
  std::optional<std::uint16_t> port;
  Params params;       // ;name=value as written (escapes kept)
  std::vector<std::pair<std::string, std::string>> headers;  // decoded ?name=value pairs

  // The URI text, user, password and headers re-escaped per RFC 3261 25.1.
  std::string ToString() const;
  // The raw value of a URI parameter (case-insensitive name); an empty view for a parameter
  // without value such as `lr`; nullopt when absent.
  std::optional<std::string_view> Param(std::string_view name) const;
  // A GRUU carries the "gr" parameter (RFC 5627 section 3.1).
  bool IsGruu() const;
};

// Parses a SIP or SIPS URI. Error offsets are relative to `text`. The scheme is case-insensitive.
// IPv4 octets above 255 are rejected (RFC 3261's 1*3DIGIT grammar is looser than any real address).
Result<SipUri> ParseSipUri(std::string_view text);

// RFC 3261 19.1.4: sip and sips never match; userinfo is compared case-sensitively after decoding;
// host, parameters and header names case-insensitively; port, transport, user, ttl, method and
// maddr must be present in both or in neither and match; other parameters must match when in
// both and are ignored when in one only; URI headers must be present in both and match.
// IP addresses are compared by value ([::1] equals [0:0:0:0:0:0:0:1], RFC 5954 section 4.1).
// Escapes of reserved characters in the user part are not distinguished from the characters.
bool SipUriEquivalent(const SipUri& a, const SipUri& b);

// "sip:user@host" (or "sip:host" without user): scheme, escaped user, host in lower case; no
// password, port, parameters or headers. The key a registrar files bindings under.
std::string AddressOfRecord(const SipUri& uri);

// What a host string is. Used by Via and maddr checks as well as by ParseSipUri.
enum class HostKind : std::uint8_t { kHostname, kIpv4, kIpv6Reference };
// Classifies `host` (hostname, IPv4address or "[IPv6address]" per RFC 3261 25.1); nullopt when it
// is none of them.
std::optional<HostKind> ClassifyHost(std::string_view host);
// Parses a bare IPv6address (no brackets), RFC 3261 25.1 / RFC 4291 2.2, into network order.
std::optional<std::array<std::uint8_t, 16>> ParseIpv6Address(std::string_view text);
std::optional<std::array<std::uint8_t, 4>> ParseIpv4Address(std::string_view text);

// True when `text` starts with an RFC 3986 scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")) and
// a ':' that is followed by at least one character: the minimal check for an absoluteURI such as
// tel: or urn:. Sets `scheme_length` to the scheme's length.
bool HasUriScheme(std::string_view text, std::size_t* scheme_length = nullptr);

}  // namespace pushsim::wire
