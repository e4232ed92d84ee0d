#include "wire/sip_validate.h"

#include <string>

#include "wire/sip_headers.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::wire {
namespace {

// Maps a position inside a field value to the original input. The value of a folded field is
// stored unfolded (CRLF and leading WSP of continuation lines replaced by one SP), so for those the
// input is walked in step with the value, skipping the bytes the unfolding removed.
std::size_t MapToInput(std::string_view input, std::size_t field_offset, std::string_view value,
                       std::size_t position) {
  if (input.empty() || field_offset == 0 || field_offset >= input.size()) return 0;
  if (input.substr(field_offset, value.size()) == value) return field_offset + position;
  std::size_t in = field_offset;
  std::size_t index = 0;
  while (index < position && index < value.size() && in < input.size()) {
    if (input[in] == value[index]) ++index;
    ++in;
  }
  return in;
}

// Where the Request-URI starts in the input: after keep-alive CRLFs, the method and one SP.
std::size_t RequestUriOffset(const SipMessage& message, std::string_view input) {
  std::size_t pos = 0;
  while (pos < input.size() && (input[pos] == '\r' || input[pos] == '\n')) ++pos;
  pos += message.method_name().size() + 1;
  if (pos > input.size() || input.substr(pos, message.request_uri().size()) != message.request_uri()) return 0;
  return pos;
}

template <typename T>
std::optional<ParseError> ErrorOf(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

// Checks one field value; errors are relative to the value.
std::optional<ParseError> CheckField(const SipMessage& message, HeaderId id, std::string_view value) {
  switch (id) {
    case HeaderId::kVia:
      for (std::string_view element : SplitCommaList(value)) {
        const auto base = static_cast<std::size_t>(element.data() - value.data());
        auto via = ParseVia(element);
        if (!via.ok()) {
          ParseError error = via.error();
          error.offset += base;
          return error;
        }
        // RFC 3261 8.1.1.7: the Via header field value MUST contain a branch parameter.
        if (via->branch().empty()) {
          ParseError error;
          error.code = ErrorCode::kBadHeaderValue;
          error.offset = base;
          error.detail = "Via has no branch parameter (RFC 3261 8.1.1.7)";
          return error;
        }
      }
      return std::nullopt;
    case HeaderId::kFrom:
    case HeaderId::kTo:
      return ErrorOf(ParseFromTo(value));
    case HeaderId::kContact:
      return ErrorOf(ParseContactValue(value));
    case HeaderId::kCSeq: {
      auto cseq = ParseCSeq(value);
      if (!cseq.ok()) return cseq.error();
      // RFC 3261 8.1.1.5: a request's CSeq method matches its own.
      if (message.IsRequest() && cseq->method != message.method_name()) {
        ParseError error;
        error.code = ErrorCode::kBadHeaderValue;
        error.offset = value.rfind(cseq->method);
        error.detail = "CSeq method does not match the request method " + std::string(message.method_name());
        return error;
      }
      return std::nullopt;
    }
    case HeaderId::kMaxForwards:
      return ErrorOf(ParseMaxForwards(value));
    case HeaderId::kExpires:
    case HeaderId::kMinExpires:
      return ErrorOf(ParseDeltaSeconds(value));
    case HeaderId::kEvent:
      return ErrorOf(ParseEvent(value));
    case HeaderId::kSubscriptionState:
      return ErrorOf(ParseSubscriptionState(value));
    case HeaderId::kReferTo:
      return ErrorOf(ParseReferTo(value));
    case HeaderId::kReferredBy:
      return ErrorOf(ParseReferredBy(value));
    case HeaderId::kRetryAfter:
      return ErrorOf(ParseRetryAfter(value));
    case HeaderId::kRoute:
    case HeaderId::kRecordRoute:
    case HeaderId::kPath:
    case HeaderId::kServiceRoute:
    case HeaderId::kPAssociatedUri:
      return ErrorOf(ParseNameAddrListValue(value, /*require_brackets=*/true));
    case HeaderId::kPAssertedIdentity:
    case HeaderId::kPPreferredIdentity:
      return ErrorOf(ParseNameAddrListValue(value, /*require_brackets=*/false));
    case HeaderId::kPAssertedService:
    case HeaderId::kPPreferredService:
      return ErrorOf(ParseServiceListValue(value));
    case HeaderId::kRequire:
    case HeaderId::kProxyRequire:
    case HeaderId::kUnsupported:
    case HeaderId::kAllowEvents:
      return ErrorOf(ParseTokenListValue(value, /*allow_empty=*/false));
    case HeaderId::kSupported:
    case HeaderId::kAllow:
      return ErrorOf(ParseTokenListValue(value, /*allow_empty=*/true));
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<ParseError> ValidateSipMessage(const SipMessage& message, std::string_view original_input) {
  if (message.IsRequest()) {
    const std::string_view uri = message.request_uri();
    std::size_t scheme_length = 0;
    std::optional<ParseError> error;
    if (!HasUriScheme(uri, &scheme_length)) {
      error = ParseError{ErrorCode::kBadUri, 0, 0, 0, "expected an absolute URI (scheme \":\" ...)"};
    } else if (const std::string_view scheme = uri.substr(0, scheme_length);
               EqualsIgnoreCase(scheme, "sip") || EqualsIgnoreCase(scheme, "sips")) {
      auto parsed = ParseSipUri(uri);
      if (!parsed.ok()) error = parsed.error();
    }
    if (error) {
      const std::size_t base = RequestUriOffset(message, original_input);
      const std::size_t offset = base == 0 ? 0 : base + error->offset;
      return MakeError(error->code, original_input, offset, "Request-URI: " + error->detail);
    }
  }

  const HeaderField* star_contact = nullptr;
  HeaderField star_field{};
  std::size_t contact_elements = 0;
  for (std::size_t i = 0; i < message.header_count(); ++i) {
    const HeaderField field = message.header(i);
    if (field.id == HeaderId::kOther) continue;
    if (auto error = CheckField(message, field.id, field.value)) {
      const std::size_t offset = MapToInput(original_input, field.input_offset, field.value, error->offset);
      return MakeError(error->code, original_input, offset,
                       std::string(CanonicalName(field.id)) + ": " + error->detail);
    }
    if (field.id == HeaderId::kContact) {
      const auto elements = SplitCommaList(field.value);
      contact_elements += elements.size();
      if (elements.size() == 1 && elements.front() == "*") {
        star_field = field;
        star_contact = &star_field;
      }
    }
  }
  // RFC 3261 10.2.2: "*" is the only Contact of the request, over all Contact fields.
  if (star_contact != nullptr && contact_elements > 1) {
    return MakeError(ErrorCode::kBadHeaderValue, original_input,
                     MapToInput(original_input, star_contact->input_offset, star_contact->value, 0),
                     "Contact: '*' must be the only Contact element (RFC 3261 10.2.2)");
  }
  return std::nullopt;
}

}  // namespace pushsim::wire
