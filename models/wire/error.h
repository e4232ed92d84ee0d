// Typed parse errors and a small result type shared by every codec of the wire layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pushsim::wire {

enum class ErrorCode : std::uint8_t {
  kTruncated,          // input ended before the message was complete
  kTooLarge,           // a limit (line, header count, body size) was exceeded
  kBadStartLine,       // request-line, status-line or MSRP first line malformed
  kBadHeader,          // a header line without a name or colon, or a bad name
  kBadHeaderValue,     // a typed header value does not follow its grammar
  kMissingHeader,      // a mandatory header is absent
  kDuplicateHeader,    // a single-valued header appears more than once
  kBadContentLength,   // Content-Length malformed or not matching the body
  kBadUri,             // SIP/SIPS/MSRP URI malformed
  kBadEscape,          // %HH escape malformed
  kBadQuotedString,    // unterminated quoted string or bad quoted-pair
  kBadCharacter,       // a byte that the grammar does not allow here
  kBadBody,            // a body (multipart, sipfrag, ...) malformed
  kBadSdp,             // SDP line malformed or out of order
  kBadMsrp,            // MSRP framing malformed
  kBadNumber,          // a number out of range or not a number
};

std::string_view ToString(ErrorCode code);

// Where a parse failed. `offset` is the byte offset in the input that was given to the parser;
// `line` and `column` are 1-based and derived from it.
struct ParseError {
  ErrorCode code{};
  std::size_t offset = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string detail;

  // "line 3, column 7: bad header value: Via has no branch"
  std::string Describe() const;
};

std::ostream& operator<<(std::ostream& os, const ParseError& error);

// An error at `offset` in a one-line text such as a header value (line 1, column offset + 1); the
// caller that knows where the text sits in a message moves it there.
ParseError LocalError(ErrorCode code, std::size_t offset, std::string detail);

// Computes line and column of `offset` within `input` (1-based; CRLF and LF both end a line).
ParseError MakeError(ErrorCode code, std::string_view input, std::size_t offset, std::string detail);
// Same, for an error found inside `part`, which must be a view into `input`.
ParseError MakeErrorAt(ErrorCode code, std::string_view input, std::string_view part, std::string detail);

// Either a value or the error that prevented it. Deliberately minimal: C++17 has no std::expected.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(ParseError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const ParseError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, ParseError> state_;
};

}  // namespace pushsim::wire
