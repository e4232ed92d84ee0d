// Message bodies that SIP push carries: multipart/mixed (RFC 2046 section 5.1), message/sipfrag
// (RFC 3420), message/sip (RFC 3261 section 27.5, used by the third-party REGISTER of 3GPP TS 24.229
// 5.4.1.7) and message/external-body with access-type URL (content indirection, RFC 4483).
//
// Limits (hostile input cannot grow memory or recursion without bound):
// - a multipart body holds at most kMaxBodyParts parts;
// - multipart parts nested inside multipart parts are checked down to kMaxMultipartDepth levels
//   (the outermost multipart is level 1); deeper nesting is rejected with kTooLarge;
// - each part's header block is limited as described in mime.h (kMaxPartHeaderBytes);
// - SIP messages carried as bodies use the SipLimits defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/error.h"
#include "wire/mime.h"
#include "wire/sip_message.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxBodyParts = 32;
inline constexpr std::size_t kMaxMultipartDepth = 4;
inline constexpr std::size_t kMaxBoundaryLength = 70;

// One body part of a multipart body: its header block and its content (the octets between the
// empty line after the headers and the CRLF that precedes the next boundary delimiter).
struct BodyPart {
  MimeHeaders headers;
  std::string content;

  // The part's Content-Type; text/plain when the part has none (RFC 2046 section 5.1.1: the
  // default in a multipart/mixed body is "text/plain; charset=US-ASCII").
  Result<MediaType> ContentType() const;
};

// boundary := 0*69<bchars> bcharsnospace  (RFC 2046 section 5.1.1): 1 to 70 characters of
// DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?" / " ",
// not ending with a space.
bool IsValidBoundary(std::string_view boundary);

// Splits a multipart body on `boundary` (the unquoted value of the boundary parameter). The
// preamble before the first delimiter and the epilogue after the close delimiter are ignored; the
// CRLF before each delimiter belongs to the delimiter. A part's Content-Length, if present, must
// equal the length of its content. Parts whose Content-Type is multipart/* are checked
// recursively. Errors carry offsets relative to `body`.
Result<std::vector<BodyPart>> ParseMultipart(std::string_view body, std::string_view boundary);
// Same, taking the boundary from a Content-Type that must be multipart/* with a boundary parameter.
Result<std::vector<BodyPart>> ParseMultipart(std::string_view body, const MediaType& content_type);

// "--boundary" CRLF headers CRLF content CRLF ... "--boundary--" CRLF. A part's Content-Length
// header, when it has one, is written with the actual length of its content.
std::string SerializeMultipart(const std::vector<BodyPart>& parts, std::string_view boundary);

// A boundary that does not occur in `seed_text` (pass the content of every part, or anything the
// boundary must avoid). Deterministic: derived from a hash of the text, so the same text gives the
// same boundary; no global random state. Always valid per IsValidBoundary.
std::string MakeBoundary(std::string_view seed_text);
// A boundary that occurs in no part's headers or content.
std::string MakeBoundary(const std::vector<BodyPart>& parts);

// message/sipfrag (RFC 3420 section 2): sipfrag = [ start-line ] *message-header [ CRLF
// [ message-body ] ]. A fragment may be a start line alone ("SIP/2.0 100 Trying" CRLF), headers
// alone, or empty; no header is mandatory and Content-Length is not required.
Result<SipMessage> ParseSipFrag(std::string_view body);
// The fragment as bytes: start line (if any), header fields with their canonical names, and the
// empty line and body only when there is a body. Unlike SipMessage::Serialize, no Content-Length
// is added (RFC 3515 section 2.4.5 example: "SIP/2.0 200 OK" CRLF); one the fragment carries is
// kept, with the actual body length.
std::string SerializeSipFrag(const SipMessage& fragment);

// message/sip: a complete SIP message (RFC 3261 section 27.5), mandatory headers required.
Result<SipMessage> ParseMessageSipBody(std::string_view body);

// Content indirection (RFC 4483): the Content-Type of the SIP message (or body part) is
// message/external-body with access-type "URL" and a quoted URL parameter (RFC 2017); the body holds
// the header block of the "phantom body" (its Content-Type, Content-ID) and an empty line.
struct ExternalBody {
  std::string url;                         // http: or https: URL of the indirect content
  std::optional<std::uint64_t> size;       // size parameter: octets of the indirect content
  std::optional<std::string> expiration;   // expiration parameter (RFC 2046 date-time), unquoted
  std::optional<std::string> content_id;   // Content-ID of the phantom body, "<...>" as on the wire
  MediaType content_type;                  // Content-Type of the phantom body (the indirect content)
  std::string access_type = "URL";
};

// Checks RFC 4483: the outer type is message/external-body, access-type is URL, the URL parameter
// is present, quoted, and an http or https URL (whitespace inside it is ignored, RFC 2017 section
// 2.1), size is a decimal number; the phantom header block has a Content-Type, and a Content-ID of
// the form "<...>" when present. What follows the phantom header block is ignored (RFC 2046
// section 5.2.3). Errors in parameters carry offset 0; errors in the body, offsets into `body`.
Result<ExternalBody> ParseExternalBody(const MediaType& outer_type, std::string_view body);
// The Content-Type to put on the message and the body text.
std::pair<MediaType, std::string> MakeExternalBody(const ExternalBody& external);

}  // namespace pushsim::wire
