// The Message Session Relay Protocol (RFC 4975): MSRP URIs (section 6), the message codec
// (section 9 grammar), TCP stream framing by end-line (section 7.1), chunking of a message into
// SEND requests (section 5.1, 7.1.1), reassembly of received chunks (section 7.3.1), and the
// responses and REPORTs a receiver sends (sections 7.1.2, 7.1.3, 7.2).
//
// Wire form of a message (section 9, with the RFC's examples for the response without headers
// beyond the paths):
//
//   MSRP <transact-id> SEND                      MSRP <transact-id> 200 OK
//   To-Path: <MSRP-URI> *(SP <MSRP-URI>)         To-Path: ...
//   From-Path: <MSRP-URI> *(SP <MSRP-URI>)       From-Path: ...
//   *(header)                                    *(header)
//   [*(MIME header) Content-Type: <type>         -------<transact-id>$
//    <empty line> <data> CRLF]
//   -------<transact-id><flag>
//
// Limits (a peer cannot make the codec allocate or scan without bound):
//   - transaction id and Message-ID: `ident` = ALPHANUM 3*31ident-char, so 4 to 32 characters
//     (section 9);
//   - first line and each header line: at most MsrpLimits::max_line_length (4 KiB) bytes before
//     the CRLF;
//   - at most MsrpLimits::max_header_count (64) header lines;
//   - body of one chunk: at most MsrpLimits::max_body_size (1 MiB); bodies of non-SEND requests at
//     most 10240 bytes (section 7.1);
//   - a reassembled message: at most MsrpReassemblyLimits::max_message_size (64 MiB by default)
//     and at most MsrpReassemblyLimits::max_ranges (1024) disjoint received byte ranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/error.h"
#include "wire/text.h"

namespace pushsim::wire {

// ---------------------------------------------------------------------------------------------
// MSRP URIs (RFC 4975 section 6)
//   MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)
// ---------------------------------------------------------------------------------------------
struct MsrpUri {
  bool secure = false;                  // "msrps" rather than "msrp"
  std::string userinfo;                 // without the '@'; ignored in comparisons (6.1)
  std::string authority_host;           // reg-name, IPv4 address or "[IPv6]" as written
  std::optional<std::uint16_t> port;
  std::string session_id;               // empty when the URI has none
  std::string transport;                // "tcp" or an extension, as written
  Params params;                        // URI-parameter = token ["=" token]

  std::string ToString() const;
};

// At most this many bytes in one MSRP URI.
inline constexpr std::size_t kMaxMsrpUriLength = 2048;

Result<MsrpUri> ParseMsrpUri(std::string_view text);
// Section 6.1: scheme and transport case-insensitive, host case-insensitive after %HH decoding,
// ports equal (an explicit port never equals an absent one), session-id case-sensitive, userinfo
// and other URI parameters ignored.
bool MsrpUriEquivalent(const MsrpUri& a, const MsrpUri& b);
// To-Path and From-Path values: one or more MSRP URIs separated by single spaces (section 9).
Result<std::vector<MsrpUri>> ParseMsrpPath(std::string_view text);
std::string FormatMsrpPath(const std::vector<MsrpUri>& path);

// ---------------------------------------------------------------------------------------------
// Typed header values
// ---------------------------------------------------------------------------------------------

// Byte-Range = "Byte-Range:" SP range-start "-" range-end "/" total (section 9); nullopt is "*".
// Byte positions are 1-based and inclusive (section 7.1.1); an empty body is "1-0/0".
struct ByteRange {
  std::uint64_t start = 1;
  std::optional<std::uint64_t> end;
  std::optional<std::uint64_t> total;

  bool operator==(const ByteRange& other) const {
    return start == other.start && end == other.end && total == other.total;
  }
};
// Rejects start 0, end < start - 1, end > total and start > total + 1; numbers must fit 64 bits.
Result<ByteRange> ParseByteRange(std::string_view text);
std::string FormatByteRange(const ByteRange& range);

// Status = "Status:" SP namespace SP status-code [SP text-reason] (section 9).
struct MsrpStatus {
  int namespace_code = 0;  // "000" for the codes of RFC 4975
  int code = 200;
  std::string comment;

  bool operator==(const MsrpStatus& other) const {
    return namespace_code == other.namespace_code && code == other.code && comment == other.comment;
  }
};
Result<MsrpStatus> ParseMsrpStatus(std::string_view text);
std::string FormatMsrpStatus(const MsrpStatus& status);

// Failure-Report values (section 7.1.1); "yes" when the header is absent.
enum class MsrpFailureReport { kYes, kNo, kPartial };

// ident = ALPHANUM 3*31ident-char; ident-char = ALPHANUM / "." / "-" / "+" / "%" / "=".
bool IsMsrpIdent(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

// continuation-flag of the end-line (section 7.1).
enum class MsrpFlag : char { kComplete = '$', kContinued = '+', kAborted = '#' };

struct MsrpLimits {
  std::size_t max_line_length = 4096;    // first line or one header line, CRLF excluded
  std::size_t max_header_count = 64;
  std::size_t max_body_size = 1 << 20;   // one chunk
};

// Bodies of requests other than SEND (section 7.1).
inline constexpr std::size_t kMaxNonSendBodySize = 10240;

struct MsrpMessage {
  bool is_request = true;
  std::string transaction_id;
  std::string method;        // requests: "SEND", "REPORT" or an extension (1*UPALPHA)
  int status_code = 0;       // responses: 3 digits
  std::string comment;       // responses: optional text after the code ("OK")
  // Header fields in order, names as written. Serialize() writes To-Path and From-Path first and
  // Content-Type last (section 7.1: "The Content-Type header field MUST be the last field").
  std::vector<std::pair<std::string, std::string>> headers;
  // The data of the chunk. A body is written (with its empty line and CRLF) when it is not
  // empty; an empty body is not distinguished from an absent one.
  std::string body;
  MsrpFlag flag = MsrpFlag::kComplete;

  // Strict parse of exactly one message (as delimited by MsrpFrameLength). Checks the section 9
  // grammar, To-Path then From-Path as the first two headers, single occurrence and grammar of
  // the typed headers (To-Path, From-Path, Message-ID, Byte-Range, Success-Report,
  // Failure-Report, Status, Content-Type), a Content-Type that is the last header when there is a
  // body, no body in responses, and that the input ends with the end-line.
  static Result<MsrpMessage> Parse(std::string_view one_frame, const MsrpLimits& limits = {});

  std::string Serialize() const;
  std::size_t SerializedSize() const;

  bool IsSend() const { return is_request && method == "SEND"; }
  bool IsReport() const { return is_request && method == "REPORT"; }

  // First value of a header (case-insensitive name), nullptr when absent.
  const std::string* Header(std::string_view name) const;
  // Replaces the first header of that name or appends one.
  void SetHeader(std::string_view name, std::string value);
  void RemoveHeader(std::string_view name);

  // Typed accessors. Each returns an empty / nullopt value when the header is absent or
  // malformed (Parse rejects malformed ones, so this only happens for built messages).
  std::vector<MsrpUri> ToPath() const;
  std::vector<MsrpUri> FromPath() const;
  std::optional<std::string> MessageId() const;
  std::optional<ByteRange> GetByteRange() const;
  // True only for "Success-Report: yes"; absent means "no" (section 7.1.1).
  bool SuccessReport() const;
  MsrpFailureReport FailureReport() const;
  std::optional<MsrpStatus> Status() const;
  std::optional<std::string> ContentType() const;
};

// True when `body` contains "-------<transaction_id>" followed by any continuation flag, which
// section 7.1 forbids for the body of a request with that transaction id.
bool BodyContainsEndLine(std::string_view body, std::string_view transaction_id);

// Length of the first complete MSRP message at the start of a TCP byte stream, or nullopt when
// more bytes are needed. Checks the first line, the length and count of header lines, and the
// end-line of the header section; in the body it looks for CRLF "-------" transact-id flag CRLF
// with the transaction id of the first line. Fails when the stream cannot continue into a valid
// message: junk before or in the first line, an end-line with another transaction id after the
// headers, a line or header count above the limits, or no end-line within the body limit.
Result<std::optional<std::size_t>> MsrpFrameLength(std::string_view stream, const MsrpLimits& limits = {});

// ---------------------------------------------------------------------------------------------
// Responses and reports
// ---------------------------------------------------------------------------------------------

// Section 7.2: a response goes back one hop. Its To-Path is the first (leftmost, previous hop)
// URI of the request's From-Path and its From-Path is the responder's own URI, the first URI of
// the request's To-Path. Responses carry no body and no other header fields.
MsrpMessage MakeResponse(const MsrpMessage& request, int status_code, std::string comment);
MsrpMessage MakeOkResponse(const MsrpMessage& request);

// Whether a receiver sends a transaction response with `status_code` to `request`: never to a
// REPORT (section 7.1.2); with "Failure-Report: no" never, with "partial" only for codes other
// than 200, otherwise always (section 7.1.1, 7.3.1).
bool ShouldSendResponse(const MsrpMessage& request, int status_code);

// Section 7.1.2 / 7.1.3: a REPORT about the message of `send`. To-Path is the whole From-Path of
// the SEND (a REPORT is end to end), From-Path the reporter's own URI (first of the SEND's
// To-Path), Message-ID copied, Byte-Range the range reported, Status as given; no
// Success-Report, Failure-Report or body.
MsrpMessage MakeReport(const MsrpMessage& send, std::string transaction_id, const ByteRange& range,
                       const MsrpStatus& status = MsrpStatus{0, 200, "OK"});

// ---------------------------------------------------------------------------------------------
// Chunking (sender) and reassembly (receiver)
// ---------------------------------------------------------------------------------------------

// Source of randomness for transaction ids; section 7.1 asks for at least 64 bits per id.
using MsrpRandom = std::function<std::uint64_t()>;

// A transaction id carrying 64 random bits (13 base-36 characters) that does not occur after
// "-------" in `body` (section 7.1) and is not in `avoid`. Draws again while it collides.
std::string ChooseTransactionId(std::string_view body, const MsrpRandom& random,
                                const std::vector<std::string>& avoid = {});

struct MsrpChunkerOptions {
  std::vector<MsrpUri> to_path;
  std::vector<MsrpUri> from_path;
  std::string message_id;                  // an ident, the same in every chunk (section 7.1.1)
  std::string content_type = "text/plain";
  // Other MIME headers of the content (Content-ID, Content-Disposition, ...), written before
  // Content-Type.
  std::vector<std::pair<std::string, std::string>> mime_headers;
  bool success_report = false;             // writes "Success-Report: yes" when true
  MsrpFailureReport failure_report = MsrpFailureReport::kYes;  // written only when not "yes"
  std::size_t max_chunk_size = 2048;       // body bytes per SEND, at least 1
};

// Splits one message body into SEND requests of at most `max_chunk_size` body bytes each:
// Byte-Range "start-end/total" (1-based, inclusive), flag '+' on every chunk but the last and '$'
// on the last, and a fresh transaction id per chunk that does not appear in that chunk's body.
// An empty body gives one SEND with Byte-Range 1-0/0 and no body.
std::vector<MsrpMessage> ChunkMessage(std::string_view body, const MsrpChunkerOptions& options,
                                      const MsrpRandom& random);

struct MsrpReassemblyLimits {
  std::uint64_t max_message_size = 64ull << 20;
  std::size_t max_ranges = 1024;
};

// Collects the SEND chunks of one message (one Message-ID), in any order, with duplicates and
// overlaps (later bytes overwrite earlier ones). The total is learnt from a Byte-Range total or
// from the chunk that carries the '$' flag; a chunk with '#' aborts the message (section 7.1).
// A chunk without Byte-Range is taken as starting at byte 1 (section 7.3.1).
//
// Add() refuses, with a ParseError whose offset is 0:
//   kBadHeaderValue  another Message-ID, a method other than SEND, a total that contradicts one
//                    seen before, bytes beyond the total or beyond the chunk's own range-end;
//   kTooLarge        a total or a chunk end above max_message_size, or more than max_ranges
//                    disjoint ranges;
//   kBadMsrp         a chunk after the message was aborted.
class MsrpReassembler {
 public:
  explicit MsrpReassembler(std::string message_id, MsrpReassemblyLimits limits = {});

  Result<bool> Add(const MsrpMessage& chunk);  // value: Complete() after this chunk

  bool Complete() const;
  bool Aborted() const { return aborted_; }
  std::optional<std::uint64_t> Total() const { return total_; }
  std::uint64_t BytesReceived() const;
  std::size_t RangeCount() const { return ranges_.size(); }
  // Received ranges as 1-based inclusive [first, last] pairs, in order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> Ranges() const;
  const std::string& message_id() const { return message_id_; }
  // The reassembled body; empty unless Complete(). Leaves the reassembler empty.
  std::string TakeBody();

 private:
  std::string message_id_;
  MsrpReassemblyLimits limits_;
  std::optional<std::uint64_t> total_;
  std::map<std::uint64_t, std::uint64_t> ranges_;  // 0-based begin -> end (exclusive), disjoint
  std::string buffer_;
  bool aborted_ = false;
};

}  // namespace pushsim::wire
