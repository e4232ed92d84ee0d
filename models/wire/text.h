// Lexical building blocks of RFC 3261 section 25 shared by every codec: character classes,
// case-insensitive comparison, LWS trimming, comma lists, quoted strings, generic parameters and
// %HH escapes.
//
// Errors reported by these functions carry an `offset` relative to the text they were given
// (line 1, column offset + 1); callers that know where that text sits in a message add its base.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"

namespace pushsim::wire {

// RFC 3261 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
bool IsTokenChar(char c);
bool IsToken(std::string_view text);
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsWsp(char c) { return c == ' ' || c == '\t'; }
inline char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
std::string ToLower(std::string_view text);

// Removes spaces, tabs, CR and LF from both ends.
std::string_view TrimLws(std::string_view text);

// Splits a header value on the commas that separate its elements, ignoring commas inside quoted
// strings and inside <...>. Elements are trimmed; empty elements are kept (the caller decides).
std::vector<std::string_view> SplitCommaList(std::string_view value);

// Finds the first occurrence of `c` that is outside quoted strings and angle brackets.
std::size_t FindUnquoted(std::string_view text, char c, std::size_t from = 0);

// Parses a quoted-string that starts at text[0] == '"'. On success returns its unescaped content
// and sets `consumed` to the number of bytes read including both quotes.
Result<std::string> ParseQuotedString(std::string_view text, std::size_t& consumed);
// Writes `content` as a quoted-string, escaping '"' and '\'.
std::string QuoteString(std::string_view content);

// A generic parameter: `;name=value` in SIP headers, URIs and MIME types. `value` is kept as it
// appears on the wire (a quoted string keeps its quotes, so it serializes back unchanged); use
// `Unquoted()` for the content.
struct Param {
  std::string name;
  std::optional<std::string> value;

  bool IsQuoted() const { return value && value->size() >= 2 && value->front() == '"' && value->back() == '"'; }
  // The value without its quotes, quoted-pairs resolved. Empty when there is no value.
  std::string Unquoted() const;
  bool operator==(const Param& other) const { return name == other.name && value == other.value; }
};

using Params = std::vector<Param>;

// Parses `;a=b;c;d="x y"` (leading ';' required for each parameter, LWS allowed around ';' and
// '='). Stops at the first character that cannot continue a parameter list and reports how many
// bytes were consumed. Names must be tokens; values tokens, quoted strings, or IPv6 references
// such as [2001:db8::1].
Result<Params> ParseParams(std::string_view text, std::size_t& consumed, char separator = ';');

// Finds a parameter by case-insensitive name.
const Param* FindParam(const Params& params, std::string_view name);
Param* FindParam(Params& params, std::string_view name);
bool HasParam(const Params& params, std::string_view name);
// Sets (or adds) a parameter, keeping the position of an existing one.
void SetParam(Params& params, std::string_view name, std::optional<std::string> value);
void RemoveParam(Params& params, std::string_view name);

// Appends ";name=value" for each parameter.
void AppendParams(std::string& out, const Params& params, char separator = ';');

// %HH decoding. Fails on a '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text);
// %HH-encodes every byte for which `keep(byte)` is false.
template <typename Keep>
std::string PercentEncode(std::string_view text, Keep keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (keep(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

// FNV-1a, 64 bits: a hash that is the same in every build (std::hash need not be), for names and
// identifiers that must be reproducible.
std::uint64_t StableHash(std::string_view text);

// Parses a decimal number that fits in `max`. Rejects empty input, signs, and non-digits.
std::optional<std::uint64_t> ParseDecimal(std::string_view text, std::uint64_t max = UINT32_MAX);

}  // namespace pushsim::wire
