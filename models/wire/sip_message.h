// A SIP message (RFC 3261 section 7) as it is on the wire: start line, ordered header fields and
// body. Parsing splits the message into header fields without interpreting their values, so it
// stays cheap; typed accessors in sip_headers.h interpret a value when it is needed.
//
// Storage: the message keeps one byte buffer. Parsing copies the input into it once; every header
// name, value and the body are offsets into that buffer, so a parsed message is one allocation for
// the bytes and one for the header table, and copying a message keeps every reference valid.
// Header edits append the new text to the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/error.h"

namespace pushsim::wire {

// Header fields that the project interprets. Everything else is kOther and keeps its own name.
enum class HeaderId : std::uint8_t {
  kOther = 0,
  kAccept,
  kAcceptContact,
  kAcceptEncoding,
  kAcceptLanguage,
  kAlertInfo,
  kAllow,
  kAllowEvents,
  kAuthenticationInfo,
  kAuthorization,
  kCallId,
  kCallInfo,
  kContact,
  kContentDisposition,
  kContentEncoding,
  kContentId,
  kContentLanguage,
  kContentLength,
  kContentTransferEncoding,
  kContentType,
  kCSeq,
  kDate,
  kErrorInfo,
  kEvent,
  kExpires,
  kFrom,
  kInReplyTo,
  kMaxForwards,
  kMimeVersion,
  kMinExpires,
  kOrganization,
  kPAccessNetworkInfo,
  kPAssertedIdentity,
  kPAssertedService,
  kPAssociatedUri,
  kPath,
  kPChargingVector,
  kPPreferredIdentity,
  kPPreferredService,
  kPVisitedNetworkId,
  kPriority,
  kPrivacy,
  kProxyAuthenticate,
  kProxyAuthorization,
  kProxyRequire,
  kReason,
  kRecordRoute,
  kReferTo,
  kReferredBy,
  kRejectContact,
  kReplyTo,
  kRequestDisposition,
  kRequire,
  kRetryAfter,
  kRoute,
  kServer,
  kServiceRoute,
  kSessionExpires,
  kSubject,
  kSubscriptionState,
  kSupported,
  kTimestamp,
  kTo,
  kUnsupported,
  kUserAgent,
  kVia,
  kWarning,
  kWwwAuthenticate,
  kCount,  // number of ids, not a header
};

// Case-insensitive lookup of a header name, compact forms included (RFC 3261 7.3.3, RFC 3265,
// RFC 3515, RFC 3892, RFC 3841, RFC 4028). Unknown names give kOther.
HeaderId LookupHeader(std::string_view name);
// The full name as we write it ("Call-ID", "CSeq", "P-Asserted-Identity", ...). Empty for kOther.
std::string_view CanonicalName(HeaderId id);
// The compact form, if the header has one ('i' for Call-ID, ...), or '\0'.
char CompactForm(HeaderId id);
// Header fields that may appear once only (Call-ID, CSeq, From, To, Max-Forwards, ...).
bool IsSingleValued(HeaderId id);

enum class Method : std::uint8_t {
  kOther = 0,
  kAck,
  kBye,
  kCancel,
  kInfo,
  kInvite,
  kMessage,
  kNotify,
  kOptions,
  kPrack,
  kPublish,
  kRefer,
  kRegister,
  kSubscribe,
  kUpdate,
};
// Methods are case-sensitive (RFC 3261 7.1).
Method LookupMethod(std::string_view name);
std::string_view MethodName(Method method);  // empty for kOther

// The standard reason phrase for a status code ("OK", "Temporarily Unavailable", ...), or "".
std::string_view DefaultReasonPhrase(int status_code);

// Input limits, so hostile input cannot grow memory without bound. The defaults fit any SIP
// message this project sends or accepts.
struct SipLimits {
  std::size_t max_message_bytes = 256 * 1024;  // start line + headers + body
  std::size_t max_header_bytes = 64 * 1024;    // start line + header section
  std::size_t max_line_bytes = 8 * 1024;       // one header field, after unfolding
  std::size_t max_header_count = 256;
};

struct SipParseOptions {
  SipLimits limits;
  // RFC 3261 requires To, From, CSeq, Call-ID, Max-Forwards (requests) and Via. Fragments
  // (message/sipfrag, RFC 3420) have no such requirement.
  bool require_mandatory_headers = true;
  // Without Content-Length the body runs to the end of the input (allowed on UDP, RFC 3261 18.3).
  bool require_content_length = false;
  // Accept a line ended by a bare LF, as messages pasted from documents often are.
  bool accept_bare_lf = true;
  // A fragment may omit the start line (RFC 3420 allows header-only fragments).
  bool allow_missing_start_line = false;
};

// One header field. `name` is the name as written on the wire (or the canonical name of a header
// added by the program); `value` is unfolded and trimmed.
struct HeaderField {
  HeaderId id;
  std::string_view name;
  std::string_view value;
  // Byte offset of the value in the original input; for errors. 0 for added headers.
  std::size_t input_offset;
};

class SipMessage {
 public:
  // Parses one complete message (a UDP datagram, or a frame cut by SipFrameLength). With a
  // Content-Length, the body must be exactly that long.
  static Result<SipMessage> Parse(std::string_view input, const SipParseOptions& options = {});

  static SipMessage MakeRequest(Method method, std::string_view request_uri);
  static SipMessage MakeRequest(std::string_view method, std::string_view request_uri);
  static SipMessage MakeResponse(int status_code, std::string_view reason = {});

  SipMessage() = default;

  bool IsRequest() const { return is_request_; }
  bool IsResponse() const { return !is_request_ && status_code_ != 0; }
  bool HasStartLine() const { return is_request_ || status_code_ != 0; }
  Method method() const { return method_; }
  std::string_view method_name() const { return View(method_name_); }
  std::string_view request_uri() const { return View(request_uri_); }
  void set_request_uri(std::string_view uri);
  int status_code() const { return status_code_; }
  std::string_view reason_phrase() const { return View(reason_); }
  // The method a response answers, from CSeq; the request's own method for a request.
  Method cseq_method() const;

  // Header fields in wire order. Repeated headers are separate fields; a comma-joined value is
  // one field (GetAll splits it).
  std::size_t header_count() const { return headers_.size(); }
  HeaderField header(std::size_t index) const;

  bool Has(HeaderId id) const;
  bool Has(std::string_view name) const;
  std::size_t Count(HeaderId id) const;
  // The value of the first field with that id or name.
  std::optional<std::string_view> Get(HeaderId id) const;
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every element of a list header: the fields in order, each split on its separating commas.
  std::vector<std::string_view> GetAll(HeaderId id) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;

  // Appends a field after all others.
  void Add(HeaderId id, std::string_view value);
  void Add(std::string_view name, std::string_view value);
  // Inserts a field before the first field with the same id (or after the start line when there
  // is none): how a proxy pushes a Via or Record-Route.
  void Prepend(HeaderId id, std::string_view value);
  // Replaces all fields with that id by one; appends when there was none.
  void Set(HeaderId id, std::string_view value);
  void Set(std::string_view name, std::string_view value);
  // Removes all fields with that id. Returns how many were removed.
  std::size_t Remove(HeaderId id);
  std::size_t Remove(std::string_view name);
  // Removes the first element of a list header: the topmost Via or Route, even when it shares a
  // field with others. Returns false when there is none.
  bool RemoveFirstElement(HeaderId id);

  std::string_view body() const { return View(body_); }
  // Sets the body and its Content-Type (an empty type removes Content-Type). Content-Length is
  // written by Serialize.
  void SetBody(std::string_view body, std::string_view content_type);

  // The message as bytes: start line, headers with their canonical names (compact forms
  // expanded), Content-Length computed from the body, CRLF line ends.
  std::string Serialize() const;
  void SerializeTo(std::string& out) const;
  // The size Serialize() would produce, without building it: what the simulator charges a link.
  std::size_t SerializedSize() const;

 private:
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  struct Field {
    HeaderId id;
    Span name;  // empty for known ids added by the program
    Span value;
    std::uint32_t input_offset;
  };

  std::string_view View(Span span) const { return std::string_view(buffer_).substr(span.offset, span.length); }
  Span Store(std::string_view text);
  std::string_view FieldName(const Field& field) const;
  void AppendStartLine(std::string& out) const;

  std::string buffer_;
  std::vector<Field> headers_;
  bool is_request_ = false;
  Method method_ = Method::kOther;
  Span method_name_;
  Span request_uri_;
  int status_code_ = 0;
  Span reason_;
  Span body_;
};

// For stream transports (TCP, TLS): given the bytes received so far, the length of the first
// complete message (leading CRLF keep-alives included), or nullopt when more bytes are needed.
// Content-Length is mandatory on streams (RFC 3261 18.3); an error means the stream cannot be
// resynchronised and the connection should be closed.
Result<std::optional<std::size_t>> SipFrameLength(std::string_view stream, const SipLimits& limits = {});

}  // namespace pushsim::wire
