#include "wire/sip_message.h"

#include <array>
#include <limits>

#include "wire/text.h"

namespace pushsim::wire {
namespace {

struct HeaderInfo {
  HeaderId id;
  std::string_view name;
  char compact;
  bool single_valued;
  bool list;  // elements may be comma-joined in one field
};

// Kept in HeaderId order: kHeaderTable[static_cast<int>(id)].id == id.
constexpr std::array<HeaderInfo, static_cast<std::size_t>(HeaderId::kCount)> kHeaderTable = {{
    {HeaderId::kOther, "", '\0', false, false},
    {HeaderId::kAccept, "Accept", '\0', false, true},
    {HeaderId::kAcceptContact, "Accept-Contact", 'a', false, true},
    {HeaderId::kAcceptEncoding, "Accept-Encoding", '\0', false, true},
    {HeaderId::kAcceptLanguage, "Accept-Language", '\0', false, true},
    {HeaderId::kAlertInfo, "Alert-Info", '\0', false, true},
    {HeaderId::kAllow, "Allow", '\0', false, true},
    {HeaderId::kAllowEvents, "Allow-Events", 'u', false, true},
    {HeaderId::kAuthenticationInfo, "Authentication-Info", '\0', true, false},
    {HeaderId::kAuthorization, "Authorization", '\0', false, false},
    {HeaderId::kCallId, "Call-ID", 'i', true, false},
    {HeaderId::kCallInfo, "Call-Info", '\0', false, true},
    {HeaderId::kContact, "Contact", 'm', false, true},
    {HeaderId::kContentDisposition, "Content-Disposition", '\0', true, false},
    {HeaderId::kContentEncoding, "Content-Encoding", 'e', false, true},
    {HeaderId::kContentId, "Content-ID", '\0', true, false},
    {HeaderId::kContentLanguage, "Content-Language", '\0', false, true},
    {HeaderId::kContentLength, "Content-Length", 'l', true, false},
    {HeaderId::kContentTransferEncoding, "Content-Transfer-Encoding", '\0', true, false},
    {HeaderId::kContentType, "Content-Type", 'c', true, false},
    {HeaderId::kCSeq, "CSeq", '\0', true, false},
    {HeaderId::kDate, "Date", '\0', true, false},
    {HeaderId::kErrorInfo, "Error-Info", '\0', false, true},
    {HeaderId::kEvent, "Event", 'o', true, false},
    {HeaderId::kExpires, "Expires", '\0', true, false},
    {HeaderId::kFrom, "From", 'f', true, false},
    {HeaderId::kInReplyTo, "In-Reply-To", '\0', false, true},
    {HeaderId::kMaxForwards, "Max-Forwards", '\0', true, false},
    {HeaderId::kMimeVersion, "MIME-Version", '\0', true, false},
    {HeaderId::kMinExpires, "Min-Expires", '\0', true, false},
    {HeaderId::kOrganization, "Organization", '\0', true, false},
    {HeaderId::kPAccessNetworkInfo, "P-Access-Network-Info", '\0', false, true},
    {HeaderId::kPAssertedIdentity, "P-Asserted-Identity", '\0', false, true},
    {HeaderId::kPAssertedService, "P-Asserted-Service", '\0', false, true},
    {HeaderId::kPAssociatedUri, "P-Associated-URI", '\0', false, true},
    {HeaderId::kPath, "Path", '\0', false, true},
    {HeaderId::kPChargingVector, "P-Charging-Vector", '\0', true, false},
    {HeaderId::kPPreferredIdentity, "P-Preferred-Identity", '\0', false, true},
    {HeaderId::kPPreferredService, "P-Preferred-Service", '\0', false, true},
    {HeaderId::kPVisitedNetworkId, "P-Visited-Network-ID", '\0', false, true},
    {HeaderId::kPriority, "Priority", '\0', true, false},
    {HeaderId::kPrivacy, "Privacy", '\0', false, false},
    {HeaderId::kProxyAuthenticate, "Proxy-Authenticate", '\0', false, false},
    {HeaderId::kProxyAuthorization, "Proxy-Authorization", '\0', false, false},
    {HeaderId::kProxyRequire, "Proxy-Require", '\0', false, true},
    {HeaderId::kReason, "Reason", '\0', false, true},
    {HeaderId::kRecordRoute, "Record-Route", '\0', false, true},
    {HeaderId::kReferTo, "Refer-To", 'r', true, false},
    {HeaderId::kReferredBy, "Referred-By", 'b', true, false},
    {HeaderId::kRejectContact, "Reject-Contact", 'j', false, true},
    {HeaderId::kReplyTo, "Reply-To", '\0', true, false},
    {HeaderId::kRequestDisposition, "Request-Disposition", 'd', false, true},
    {HeaderId::kRequire, "Require", '\0', false, true},
    {HeaderId::kRetryAfter, "Retry-After", '\0', true, false},
    {HeaderId::kRoute, "Route", '\0', false, true},
    {HeaderId::kServer, "Server", '\0', true, false},
    {HeaderId::kServiceRoute, "Service-Route", '\0', false, true},
    {HeaderId::kSessionExpires, "Session-Expires", 'x', true, false},
    {HeaderId::kSubject, "Subject", 's', true, false},
    {HeaderId::kSubscriptionState, "Subscription-State", '\0', true, false},
    {HeaderId::kSupported, "Supported", 'k', false, true},
    {HeaderId::kTimestamp, "Timestamp", '\0', true, false},
    {HeaderId::kTo, "To", 't', true, false},
    {HeaderId::kUnsupported, "Unsupported", '\0', false, true},
    {HeaderId::kUserAgent, "User-Agent", '\0', true, false},
    {HeaderId::kVia, "Via", 'v', false, true},
    {HeaderId::kWarning, "Warning", '\0', false, true},
    {HeaderId::kWwwAuthenticate, "WWW-Authenticate", '\0', false, false},
}};

const HeaderInfo& Info(HeaderId id) { return kHeaderTable[static_cast<std::size_t>(id)]; }

constexpr bool TableIsInOrder() {
  for (std::size_t i = 0; i < kHeaderTable.size(); ++i) {
    if (static_cast<std::size_t>(kHeaderTable[i].id) != i) return false;
  }
  return true;
}
static_assert(TableIsInOrder(), "kHeaderTable must follow HeaderId order");

// Candidates bucketed by name length, so a lookup compares against a handful of names.
constexpr std::size_t kMaxNameLength = 32;
struct LookupIndex {
  std::array<std::vector<HeaderId>, kMaxNameLength + 1> by_length;
  std::array<HeaderId, 128> by_compact{};
  LookupIndex() {
    for (const HeaderInfo& info : kHeaderTable) {
      if (info.id == HeaderId::kOther) continue;
      by_length[info.name.size()].push_back(info.id);
      if (info.compact != '\0') {
        by_compact[static_cast<unsigned char>(info.compact)] = info.id;
        by_compact[static_cast<unsigned char>(info.compact - 32)] = info.id;  // upper case
      }
    }
  }
};

const LookupIndex& Index() {
  static const LookupIndex index;
  return index;
}

struct MethodInfo {
  Method method;
  std::string_view name;
};
constexpr std::array<MethodInfo, 14> kMethods = {{
    {Method::kAck, "ACK"},
    {Method::kBye, "BYE"},
    {Method::kCancel, "CANCEL"},
    {Method::kInfo, "INFO"},
    {Method::kInvite, "INVITE"},
    {Method::kMessage, "MESSAGE"},
    {Method::kNotify, "NOTIFY"},
    {Method::kOptions, "OPTIONS"},
    {Method::kPrack, "PRACK"},
    {Method::kPublish, "PUBLISH"},
    {Method::kRefer, "REFER"},
    {Method::kRegister, "REGISTER"},
    {Method::kSubscribe, "SUBSCRIBE"},
    {Method::kUpdate, "UPDATE"},
}};

constexpr std::string_view kVersion = "SIP/2.0";

bool IsCtlOrSpace(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7F;
}

// A line of the input: [begin, end) without its line ending; `next` is where the next line starts.
struct Line {
  std::size_t begin;
  std::size_t end;
  std::size_t next;
};

// Finds the line starting at `pos`. Returns false when no line ending follows.
bool NextLine(std::string_view input, std::size_t pos, bool accept_bare_lf, Line& line, bool& bare_lf) {
  const std::size_t newline = input.find('\n', pos);
  if (newline == std::string_view::npos) return false;
  line.begin = pos;
  line.next = newline + 1;
  if (newline > pos && input[newline - 1] == '\r') {
    line.end = newline - 1;
    bare_lf = false;
  } else {
    line.end = newline;
    bare_lf = true;
    if (!accept_bare_lf) return true;
  }
  return true;
}

}  // namespace

HeaderId LookupHeader(std::string_view name) {
  const LookupIndex& index = Index();
  if (name.size() == 1) {
    const auto c = static_cast<unsigned char>(name[0]);
    return c < 128 ? index.by_compact[c] : HeaderId::kOther;
  }
  if (name.size() > kMaxNameLength) return HeaderId::kOther;
  for (HeaderId id : index.by_length[name.size()]) {
    if (EqualsIgnoreCase(Info(id).name, name)) return id;
  }
  return HeaderId::kOther;
}

std::string_view CanonicalName(HeaderId id) { return Info(id).name; }
char CompactForm(HeaderId id) { return Info(id).compact; }
bool IsSingleValued(HeaderId id) { return Info(id).single_valued; }

Method LookupMethod(std::string_view name) {
  for (const MethodInfo& info : kMethods) {
    if (info.name == name) return info.method;
  }
  return Method::kOther;
}

std::string_view MethodName(Method method) {
  for (const MethodInfo& info : kMethods) {
    if (info.method == method) return info.name;
  }
  return {};
}

std::string_view DefaultReasonPhrase(int status_code) {
  switch (status_code) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Notification";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 489: return "Bad Event";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "";
  }
}

Result<SipMessage> SipMessage::Parse(std::string_view input, const SipParseOptions& options) {
  const SipLimits& limits = options.limits;
  if (input.size() > limits.max_message_bytes) {
    return MakeError(ErrorCode::kTooLarge, input, limits.max_message_bytes,
                     "message exceeds " + std::to_string(limits.max_message_bytes) + " bytes");
  }
  if (input.size() > std::numeric_limits<std::uint32_t>::max() / 2) {
    return MakeError(ErrorCode::kTooLarge, input, 0, "message too large");
  }

  SipMessage message;
  message.buffer_.reserve(input.size() + 64);
  message.buffer_.assign(input.data(), input.size());
  message.headers_.reserve(16);

  auto span = [](std::size_t begin, std::size_t end) {
    return Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end - begin)};
  };

  // Keep-alive CRLFs before the start line are ignored (RFC 3261 7.5).
  std::size_t pos = 0;
  while (pos < input.size() && (input[pos] == '\r' || input[pos] == '\n')) ++pos;
  if (pos == input.size()) return MakeError(ErrorCode::kTruncated, input, pos, "empty message");

  Line line{};
  bool bare_lf = false;
  auto next_line = [&](std::size_t at, const char* what) -> std::optional<ParseError> {
    if (!NextLine(input, at, options.accept_bare_lf, line, bare_lf)) {
      return MakeError(ErrorCode::kTruncated, input, input.size(), std::string("no line end after ") + what);
    }
    if (bare_lf && !options.accept_bare_lf) {
      return MakeError(ErrorCode::kBadCharacter, input, line.end, "line ends with LF, not CRLF");
    }
    if (line.end - line.begin > limits.max_line_bytes) {
      return MakeError(ErrorCode::kTooLarge, input, line.begin,
                       "line longer than " + std::to_string(limits.max_line_bytes) + " bytes");
    }
    return std::nullopt;
  };

  if (auto error = next_line(pos, "start line")) return *error;
  const std::string_view first(input.data() + line.begin, line.end - line.begin);
  const bool looks_like_header = first.find(':') != std::string_view::npos && first.find(' ') > first.find(':');
  if (options.allow_missing_start_line && looks_like_header) {
    // Header-only fragment: leave the start line empty and read this line as a header.
  } else if (StartsWithIgnoreCase(first, "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    if (first.size() < 12 || !EqualsIgnoreCase(first.substr(0, kVersion.size()), kVersion) ||
        first[7] != ' ') {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin, "expected \"SIP/2.0 \" and a status code");
    }
    const auto code = ParseDecimal(first.substr(8, 3), 999);
    if (!code || *code < 100 || *code > 699) {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin + 8, "status code must be 100 to 699");
    }
    if (first.size() > 11 && first[11] != ' ') {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin + 11, "expected SP after the status code");
    }
    for (std::size_t i = 12; i < first.size(); ++i) {
      const auto byte = static_cast<unsigned char>(first[i]);
      if (byte < 0x20 && byte != '\t') {
        return MakeError(ErrorCode::kBadCharacter, input, line.begin + i, "control character in reason phrase");
      }
    }
    message.status_code_ = static_cast<int>(*code);
    message.reason_ = first.size() > 12 ? span(line.begin + 12, line.end) : Span{};
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version
    const std::size_t sp1 = first.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : first.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin, "expected \"METHOD Request-URI SIP/2.0\"");
    }
    const std::string_view method = first.substr(0, sp1);
    const std::string_view uri = first.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = first.substr(sp2 + 1);
    if (!IsToken(method)) {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin, "method is not a token");
    }
    if (uri.empty() || uri.find(':') == std::string_view::npos) {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin + sp1 + 1, "Request-URI must be an absolute URI");
    }
    for (std::size_t i = 0; i < uri.size(); ++i) {
      if (IsCtlOrSpace(uri[i])) {
        return MakeError(ErrorCode::kBadCharacter, input, line.begin + sp1 + 1 + i, "control character in Request-URI");
      }
    }
    if (!EqualsIgnoreCase(version, kVersion)) {
      return MakeError(ErrorCode::kBadStartLine, input, line.begin + sp2 + 1, "version must be SIP/2.0");
    }
    message.is_request_ = true;
    message.method_ = LookupMethod(method);
    message.method_name_ = span(line.begin, line.begin + sp1);
    message.request_uri_ = span(line.begin + sp1 + 1, line.begin + sp2);
    pos = line.next;
    if (auto error = next_line(pos, "header")) return *error;
  }
  if (message.HasStartLine() && !message.is_request_) {
    pos = line.next;
    if (auto error = next_line(pos, "header")) return *error;
  }

  // Header fields. A line that starts with SP or HTAB continues the previous field (LWS folding);
  // the fold is replaced by one SP.
  std::string unfolded;
  while (line.end != line.begin) {
    const std::size_t field_begin = line.begin;
    if (IsWsp(input[field_begin])) {
      return MakeError(ErrorCode::kBadHeader, input, field_begin, "continuation line without a header");
    }
    if (message.headers_.size() >= limits.max_header_count) {
      return MakeError(ErrorCode::kTooLarge, input, field_begin,
                       "more than " + std::to_string(limits.max_header_count) + " header fields");
    }
    const std::string_view text(input.data() + line.begin, line.end - line.begin);
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
      return MakeError(ErrorCode::kBadHeader, input, field_begin, "header line without ':'");
    }
    std::size_t name_end = colon;
    while (name_end > 0 && IsWsp(text[name_end - 1])) --name_end;
    const std::string_view name = text.substr(0, name_end);
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (!IsTokenChar(name[i])) {
        return MakeError(ErrorCode::kBadHeader, input, field_begin + i, "header name is not a token");
      }
    }
    if (name.empty()) return MakeError(ErrorCode::kBadHeader, input, field_begin, "empty header name");

    std::size_t value_begin = line.begin + colon + 1;
    while (value_begin < line.end && IsWsp(input[value_begin])) ++value_begin;
    std::size_t value_end = line.end;

    // Look ahead for continuation lines.
    pos = line.next;
    if (auto error = next_line(pos, "header")) return *error;
    bool folded = false;
    while (line.end > line.begin && IsWsp(input[line.begin])) {
      if (!folded) {
        unfolded.assign(input.data() + value_begin, value_end - value_begin);
        folded = true;
      }
      while (!unfolded.empty() && IsWsp(unfolded.back())) unfolded.pop_back();
      std::size_t cont = line.begin;
      while (cont < line.end && IsWsp(input[cont])) ++cont;
      if (!unfolded.empty() && cont < line.end) unfolded.push_back(' ');
      unfolded.append(input.data() + cont, line.end - cont);
      if (unfolded.size() > limits.max_line_bytes) {
        return MakeError(ErrorCode::kTooLarge, input, field_begin,
                         "folded header longer than " + std::to_string(limits.max_line_bytes) + " bytes");
      }
      pos = line.next;
      if (auto error = next_line(pos, "header")) return *error;
    }
    while (value_end > value_begin && IsWsp(input[value_end - 1])) --value_end;

    Field field{};
    field.id = LookupHeader(name);
    field.name = span(field_begin, field_begin + name.size());
    field.input_offset = static_cast<std::uint32_t>(value_begin);
    if (folded) {
      while (!unfolded.empty() && IsWsp(unfolded.back())) unfolded.pop_back();
      field.value = message.Store(unfolded);
    } else {
      field.value = span(value_begin, value_end);
    }
    message.headers_.push_back(field);
  }
  const std::size_t body_begin = line.next;
  if (body_begin > limits.max_header_bytes) {
    return MakeError(ErrorCode::kTooLarge, input, limits.max_header_bytes,
                     "header section exceeds " + std::to_string(limits.max_header_bytes) + " bytes");
  }

  // Single-valued header fields may not repeat (RFC 3261 7.3.1).
  std::array<std::uint8_t, static_cast<std::size_t>(HeaderId::kCount)> seen{};
  for (const Field& field : message.headers_) {
    if (field.id == HeaderId::kOther || !IsSingleValued(field.id)) continue;
    if (seen[static_cast<std::size_t>(field.id)]++ > 0) {
      return MakeError(ErrorCode::kDuplicateHeader, input, field.input_offset,
                       std::string(CanonicalName(field.id)) + " appears more than once");
    }
  }

  // Body and Content-Length.
  const std::size_t available = input.size() - body_begin;
  std::size_t body_length = available;
  if (const Field* length_field = [&]() -> const Field* {
        for (const Field& field : message.headers_) {
          if (field.id == HeaderId::kContentLength) return &field;
        }
        return nullptr;
      }()) {
    const auto length = ParseDecimal(message.View(length_field->value), limits.max_message_bytes);
    if (!length) {
      return MakeError(ErrorCode::kBadContentLength, input, length_field->input_offset,
                       "Content-Length is not a number within limits");
    }
    if (*length > available) {
      return MakeError(ErrorCode::kBadContentLength, input, input.size(),
                       "Content-Length is " + std::to_string(*length) + " but the body has " +
                           std::to_string(available) + " bytes");
    }
    if (*length < available) {
      return MakeError(ErrorCode::kBadContentLength, input, body_begin + *length,
                       "Content-Length is " + std::to_string(*length) + " but " + std::to_string(available) +
                           " bytes follow the header section");
    }
    body_length = *length;
  } else if (options.require_content_length) {
    return MakeError(ErrorCode::kMissingHeader, input, body_begin, "Content-Length is required");
  }
  message.body_ = span(body_begin, body_begin + body_length);

  if (options.require_mandatory_headers) {
    static constexpr HeaderId kMandatory[] = {HeaderId::kTo, HeaderId::kFrom, HeaderId::kCSeq, HeaderId::kCallId,
                                              HeaderId::kVia};
    for (HeaderId id : kMandatory) {
      if (!seen[static_cast<std::size_t>(id)] && !message.Has(id)) {
        return MakeError(ErrorCode::kMissingHeader, input, body_begin,
                         std::string(CanonicalName(id)) + " is mandatory");
      }
    }
    if (message.is_request_ && !message.Has(HeaderId::kMaxForwards)) {
      return MakeError(ErrorCode::kMissingHeader, input, body_begin, "Max-Forwards is mandatory in a request");
    }
  }
  // CSeq = 1*DIGIT LWS Method; a request's CSeq method is its own (RFC 3261 8.1.1.5).
  for (const Field& field : message.headers_) {
    if (field.id != HeaderId::kCSeq) continue;
    const std::string_view value = message.View(field.value);
    const std::size_t space = value.find_first_of(" \t");
    const auto number = space == std::string_view::npos ? std::nullopt
                                                        : ParseDecimal(value.substr(0, space), 0x7FFFFFFFu);
    const std::string_view method = space == std::string_view::npos ? std::string_view{}
                                                                     : TrimLws(value.substr(space));
    if (!number || !IsToken(method)) {
      return MakeError(ErrorCode::kBadHeaderValue, input, field.input_offset,
                       "CSeq must be a number below 2^31 and a method");
    }
    if (message.is_request_ && method != message.method_name()) {
      return MakeError(ErrorCode::kBadHeaderValue, input, field.input_offset,
                       "CSeq method does not match the request method");
    }
  }
  return message;
}

SipMessage SipMessage::MakeRequest(Method method, std::string_view request_uri) {
  return MakeRequest(MethodName(method), request_uri);
}

SipMessage SipMessage::MakeRequest(std::string_view method, std::string_view request_uri) {
  SipMessage message;
  message.is_request_ = true;
  message.method_ = LookupMethod(method);
  message.method_name_ = message.Store(method);
  message.request_uri_ = message.Store(request_uri);
  return message;
}

SipMessage SipMessage::MakeResponse(int status_code, std::string_view reason) {
  SipMessage message;
  message.status_code_ = status_code;
  message.reason_ = message.Store(reason.empty() ? DefaultReasonPhrase(status_code) : reason);
  return message;
}

void SipMessage::set_request_uri(std::string_view uri) { request_uri_ = Store(uri); }

Method SipMessage::cseq_method() const {
  if (is_request_) return method_;
  const auto cseq = Get(HeaderId::kCSeq);
  if (!cseq) return Method::kOther;
  const std::size_t space = cseq->find_first_of(" \t");
  return space == std::string_view::npos ? Method::kOther : LookupMethod(TrimLws(cseq->substr(space)));
}

SipMessage::Span SipMessage::Store(std::string_view text) {
  // `text` may point into buffer_ itself; copy before the buffer can reallocate.
  const std::string copy(text);
  const auto offset = static_cast<std::uint32_t>(buffer_.size());
  buffer_ += copy;
  return Span{offset, static_cast<std::uint32_t>(copy.size())};
}

std::string_view SipMessage::FieldName(const Field& field) const {
  return field.id == HeaderId::kOther ? View(field.name) : CanonicalName(field.id);
}

HeaderField SipMessage::header(std::size_t index) const {
  const Field& field = headers_.at(index);
  return HeaderField{field.id, field.name.length ? View(field.name) : CanonicalName(field.id), View(field.value),
                     field.input_offset};
}

bool SipMessage::Has(HeaderId id) const { return Count(id) > 0; }
bool SipMessage::Has(std::string_view name) const { return Get(name).has_value(); }

std::size_t SipMessage::Count(HeaderId id) const {
  std::size_t count = 0;
  for (const Field& field : headers_) count += field.id == id ? 1 : 0;
  return count;
}

std::optional<std::string_view> SipMessage::Get(HeaderId id) const {
  for (const Field& field : headers_) {
    if (field.id == id) return View(field.value);
  }
  return std::nullopt;
}

std::optional<std::string_view> SipMessage::Get(std::string_view name) const {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) return Get(id);
  for (const Field& field : headers_) {
    if (field.id == HeaderId::kOther && EqualsIgnoreCase(View(field.name), name)) return View(field.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> SipMessage::GetAll(HeaderId id) const {
  std::vector<std::string_view> out;
  for (const Field& field : headers_) {
    if (field.id != id) continue;
    if (kHeaderTable[static_cast<std::size_t>(id)].list) {
      for (std::string_view element : SplitCommaList(View(field.value))) out.push_back(element);
    } else {
      out.push_back(View(field.value));
    }
  }
  return out;
}

std::vector<std::string_view> SipMessage::GetAll(std::string_view name) const {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) return GetAll(id);
  std::vector<std::string_view> out;
  for (const Field& field : headers_) {
    if (field.id == HeaderId::kOther && EqualsIgnoreCase(View(field.name), name)) out.push_back(View(field.value));
  }
  return out;
}

void SipMessage::Add(HeaderId id, std::string_view value) {
  headers_.push_back(Field{id, Span{}, Store(value), 0});
}

void SipMessage::Add(std::string_view name, std::string_view value) {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) {
    Add(id, value);
    return;
  }
  const Span name_span = Store(name);
  headers_.push_back(Field{id, name_span, Store(value), 0});
}

void SipMessage::Prepend(HeaderId id, std::string_view value) {
  std::size_t index = 0;
  while (index < headers_.size() && headers_[index].id != id) ++index;
  if (index == headers_.size()) index = 0;
  headers_.insert(headers_.begin() + static_cast<std::ptrdiff_t>(index), Field{id, Span{}, Store(value), 0});
}

void SipMessage::Set(HeaderId id, std::string_view value) {
  const Span stored = Store(value);
  bool replaced = false;
  for (auto it = headers_.begin(); it != headers_.end();) {
    if (it->id != id) {
      ++it;
    } else if (!replaced) {
      it->value = stored;
      it->name = Span{};
      replaced = true;
      ++it;
    } else {
      it = headers_.erase(it);
    }
  }
  if (!replaced) headers_.push_back(Field{id, Span{}, stored, 0});
}

void SipMessage::Set(std::string_view name, std::string_view value) {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) {
    Set(id, value);
    return;
  }
  Remove(name);
  Add(name, value);
}

std::size_t SipMessage::Remove(HeaderId id) {
  const std::size_t before = headers_.size();
  for (auto it = headers_.begin(); it != headers_.end();) {
    it = it->id == id ? headers_.erase(it) : it + 1;
  }
  return before - headers_.size();
}

std::size_t SipMessage::Remove(std::string_view name) {
  const HeaderId id = LookupHeader(name);
  if (id != HeaderId::kOther) return Remove(id);
  const std::size_t before = headers_.size();
  for (auto it = headers_.begin(); it != headers_.end();) {
    const bool match = it->id == HeaderId::kOther && EqualsIgnoreCase(View(it->name), name);
    it = match ? headers_.erase(it) : it + 1;
  }
  return before - headers_.size();
}

bool SipMessage::RemoveFirstElement(HeaderId id) {
  for (auto it = headers_.begin(); it != headers_.end(); ++it) {
    if (it->id != id) continue;
    const std::string_view value = View(it->value);
    const std::size_t comma = FindUnquoted(value, ',');
    if (comma == std::string_view::npos) {
      headers_.erase(it);
      return true;
    }
    std::size_t rest = comma + 1;
    while (rest < value.size() && (IsWsp(value[rest]) || value[rest] == '\r' || value[rest] == '\n')) ++rest;
    it->value.offset += static_cast<std::uint32_t>(rest);
    it->value.length -= static_cast<std::uint32_t>(rest);
    return true;
  }
  return false;
}

void SipMessage::SetBody(std::string_view body, std::string_view content_type) {
  body_ = Store(body);
  if (content_type.empty()) {
    Remove(HeaderId::kContentType);
  } else {
    Set(HeaderId::kContentType, content_type);
  }
}

void SipMessage::AppendStartLine(std::string& out) const {
  if (is_request_) {
    out += method_name();
    out.push_back(' ');
    out += request_uri();
    out.push_back(' ');
    out += kVersion;
    out += "\r\n";
  } else if (status_code_ != 0) {
    out += kVersion;
    out.push_back(' ');
    out += std::to_string(status_code_);
    out.push_back(' ');
    out += reason_phrase();
    out += "\r\n";
  }
}

void SipMessage::SerializeTo(std::string& out) const {
  out.reserve(out.size() + SerializedSize());
  AppendStartLine(out);
  for (const Field& field : headers_) {
    if (field.id == HeaderId::kContentLength) continue;
    out += FieldName(field);
    out += ": ";
    out += View(field.value);
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(body_.length);
  out += "\r\n\r\n";
  out += body();
}

std::string SipMessage::Serialize() const {
  std::string out;
  SerializeTo(out);
  return out;
}

std::size_t SipMessage::SerializedSize() const {
  std::size_t size = 0;
  if (is_request_) {
    size += method_name_.length + 1 + request_uri_.length + 1 + kVersion.size() + 2;
  } else if (status_code_ != 0) {
    size += kVersion.size() + 1 + std::to_string(status_code_).size() + 1 + reason_.length + 2;
  }
  for (const Field& field : headers_) {
    if (field.id == HeaderId::kContentLength) continue;
    size += FieldName(field).size() + 2 + field.value.length + 2;
  }
  size += std::string_view("Content-Length: ").size() + std::to_string(body_.length).size() + 4;
  size += body_.length;
  return size;
}

Result<std::optional<std::size_t>> SipFrameLength(std::string_view stream, const SipLimits& limits) {
  std::size_t start = 0;
  while (start < stream.size() && (stream[start] == '\r' || stream[start] == '\n')) ++start;
  if (start == stream.size()) return std::optional<std::size_t>{};
  const std::string_view rest = stream.substr(start);
  std::size_t header_end = rest.find("\r\n\r\n");
  std::size_t separator = 4;
  const std::size_t bare = rest.find("\n\n");
  if (bare != std::string_view::npos && (header_end == std::string_view::npos || bare < header_end)) {
    header_end = bare;
    separator = 2;
  }
  if (header_end == std::string_view::npos) {
    if (rest.size() > limits.max_header_bytes) {
      return MakeError(ErrorCode::kTooLarge, stream, start + limits.max_header_bytes,
                       "no end of header section within " + std::to_string(limits.max_header_bytes) + " bytes");
    }
    return std::optional<std::size_t>{};
  }
  if (header_end > limits.max_header_bytes) {
    return MakeError(ErrorCode::kTooLarge, stream, start + limits.max_header_bytes, "header section too large");
  }
  // Find Content-Length (or 'l') at the start of a header line.
  const std::string_view head = rest.substr(0, header_end);
  std::optional<std::uint64_t> length;
  std::size_t line_start = head.find('\n');
  while (line_start != std::string_view::npos) {
    ++line_start;
    std::size_t line_end = head.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = head.size();
    std::string_view header_line = head.substr(line_start, line_end - line_start);
    const std::size_t colon = header_line.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = TrimLws(header_line.substr(0, colon));
      if (LookupHeader(name) == HeaderId::kContentLength) {
        length = ParseDecimal(TrimLws(header_line.substr(colon + 1)), limits.max_message_bytes);
        if (!length) {
          return MakeError(ErrorCode::kBadContentLength, stream, start + line_start, "Content-Length is not a number");
        }
      }
    }
    line_start = line_end == head.size() ? std::string_view::npos : line_end;
  }
  if (!length) {
    return MakeError(ErrorCode::kMissingHeader, stream, start + header_end,
                     "Content-Length is required on a stream transport");
  }
  const std::size_t total = start + header_end + separator + *length;
  if (total - start > limits.max_message_bytes) {
    return MakeError(ErrorCode::kTooLarge, stream, start, "message exceeds the size limit");
  }
  if (stream.size() < total) return std::optional<std::size_t>{};
  return std::optional<std::size_t>{total};
}

}  // namespace pushsim::wire
