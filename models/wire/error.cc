#include "wire/error.h"

#include <algorithm>

namespace pushsim::wire {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated: return "truncated";
    case ErrorCode::kTooLarge: return "too large";
    case ErrorCode::kBadStartLine: return "bad start line";
    case ErrorCode::kBadHeader: return "bad header";
    case ErrorCode::kBadHeaderValue: return "bad header value";
    case ErrorCode::kMissingHeader: return "missing header";
    case ErrorCode::kDuplicateHeader: return "duplicate header";
    case ErrorCode::kBadContentLength: return "bad Content-Length";
    case ErrorCode::kBadUri: return "bad URI";
    case ErrorCode::kBadEscape: return "bad escape";
    case ErrorCode::kBadQuotedString: return "bad quoted string";
    case ErrorCode::kBadCharacter: return "bad character";
    case ErrorCode::kBadBody: return "bad body";
    case ErrorCode::kBadSdp: return "bad SDP";
    case ErrorCode::kBadMsrp: return "bad MSRP";
    case ErrorCode::kBadNumber: return "bad number";
  }
  return "unknown error";
}

std::string ParseError::Describe() const {
  std::string out = "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
                    std::to_string(offset) + "): " + std::string(ToString(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const ParseError& error) { return os << error.Describe(); }

ParseError LocalError(ErrorCode code, std::size_t offset, std::string detail) {
  ParseError error;
  error.code = code;
  error.offset = offset;
  error.line = 1;
  error.column = static_cast<std::uint32_t>(offset + 1);
  error.detail = std::move(detail);
  return error;
}

ParseError MakeError(ErrorCode code, std::string_view input, std::size_t offset, std::string detail) {
  offset = std::min(offset, input.size());
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (input[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  ParseError error;
  error.code = code;
  error.offset = offset;
  error.line = line;
  error.column = static_cast<std::uint32_t>(offset - line_start + 1);
  error.detail = std::move(detail);
  return error;
}

ParseError MakeErrorAt(ErrorCode code, std::string_view input, std::string_view part, std::string detail) {
  std::size_t offset = 0;
  if (!part.empty() || part.data() != nullptr) {
    const char* begin = input.data();
    const char* at = part.data();
    if (at >= begin && at <= begin + input.size()) offset = static_cast<std::size_t>(at - begin);
  }
  return MakeError(code, input, offset, std::move(detail));
}

}  // namespace pushsim::wire
