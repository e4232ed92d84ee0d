// MIME building blocks for SIP message bodies: media types (RFC 2045 section 5, RFC 3261 section
// 20.15), the header block of a body part (RFC 2045 section 3, RFC 2046 section 5.1.1) and
// Content-Disposition (RFC 3261 section 20.11, RFC 2183).
//
// Limits (hostile input cannot grow memory without bound):
// - a media type or Content-Disposition value is at most kMaxMimeValueBytes long and carries at
//   most kMaxMimeParams parameters;
// - a part's header block is at most kMaxPartHeaderBytes long (folded lines included) and holds at
//   most kMaxPartHeaderFields fields.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"
#include "wire/text.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxMimeValueBytes = 4096;
inline constexpr std::size_t kMaxMimeParams = 32;
inline constexpr std::size_t kMaxPartHeaderBytes = 8 * 1024;
inline constexpr std::size_t kMaxPartHeaderFields = 64;

// media-type = m-type SLASH m-subtype *(SEMI m-parameter)  (RFC 3261 section 25.1)
// Type, subtype and parameter names are case-insensitive (RFC 2045 section 5.1); they are kept as
// written so that a value serializes back unchanged.
struct MediaType {
  std::string type;
  std::string subtype;
  Params params;

  // "type/subtype", lower-cased: what comparisons use.
  std::string Essence() const;
  // The value of a parameter, without quotes; nullopt when absent or valueless.
  std::optional<std::string> Param(std::string_view name) const;
  // "type/subtype;name=value;..." as it goes on the wire.
  std::string ToString() const;
  // "*" and "*/*" match every type, "text/*" every subtype of text, "text/plain" only that type.
  // Case-insensitive; parameters of the pattern are ignored.
  bool Matches(std::string_view pattern) const;
};

// Parses a Content-Type value (or one element of Accept). LWS is allowed around '/' and ';'.
// Errors carry offsets relative to `text`.
Result<MediaType> ParseMediaType(std::string_view text);

// One header field of a body part, unfolded and trimmed.
struct MimeHeader {
  std::string name;
  std::string value;
};

// The ordered header fields of a body part. Lookup is case-insensitive (RFC 2045 section 3).
struct MimeHeaders {
  std::vector<MimeHeader> fields;

  bool empty() const { return fields.empty(); }
  std::size_t size() const { return fields.size(); }
  // The value of the first field with that name.
  std::optional<std::string_view> Get(std::string_view name) const;
  std::size_t Count(std::string_view name) const;
  void Add(std::string_view name, std::string_view value);
  // Replaces the first field with that name (removing later ones), or appends.
  void Set(std::string_view name, std::string_view value);
  // Removes every field with that name; returns how many were removed.
  std::size_t Remove(std::string_view name);
  // "Name: value\r\n" for each field, in order (no terminating empty line).
  std::string Serialize() const;
};

// Parses the header block at the start of `block`: header fields, each ended by CRLF, folded lines
// allowed (a line starting with SP or HTAB continues the previous field), up to and including the
// empty line that ends the block. When `block` ends without an empty line the whole of it is the
// header block. `consumed` is set to the number of bytes read, the empty line included, so the
// content starts at block.substr(consumed). Lines must end with CRLF: a bare CR or LF is an error.
Result<MimeHeaders> ParseMimeHeaders(std::string_view block, std::size_t& consumed);

// Content-Disposition = disp-type *(SEMI disp-param)  (RFC 3261 section 20.11, RFC 2183 section 2)
// disp-type is "render", "session", "icon", "alert" (RFC 3261), "inline", "attachment" (RFC 2183)
// or any other token; compared case-insensitively.
struct ContentDisposition {
  std::string type;
  Params params;

  bool Is(std::string_view disposition_type) const;
  std::optional<std::string> Param(std::string_view name) const;
  // The handling parameter ("optional" or "required"); RFC 3261 20.11 makes "required" the default.
  std::string Handling() const;
  std::string ToString() const;
};

Result<ContentDisposition> ParseContentDisposition(std::string_view text);

}  // namespace pushsim::wire
