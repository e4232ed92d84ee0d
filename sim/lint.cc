#include "lint.h"

#include "wire/content.h"
#include "wire/msrp.h"
#include "wire/sip_message.h"
#include "wire/sip_validate.h"
#include "wire/text.h"

namespace pushsim::cli {
namespace {

using wire::ErrorCode;
using wire::ParseError;

void Report(std::string_view name, std::string_view text, std::size_t offset, const ParseError& error,
            std::ostream& out) {
  const ParseError at = wire::MakeError(error.code, text, offset, error.detail);
  out << name << ':' << at.line << ':' << at.column << ": error: " << wire::ToString(at.code);
  if (!at.detail.empty()) out << ": " << at.detail;
  out << '\n';
}

std::uint32_t LineOf(std::string_view text, std::size_t offset) {
  return wire::MakeError(ErrorCode::kTruncated, text, offset, "").line;
}

// Lints the MSRP message at text[start...]; returns the bytes it used.
std::size_t LintMsrp(std::string_view name, std::string_view text, std::size_t start, const LintOptions& options,
                     LintCounts& counts, std::ostream& out) {
  const std::string_view rest = text.substr(start);
  auto frame = wire::MsrpFrameLength(rest);
  if (!frame.ok() || !frame->has_value()) {
    ParseError error = frame.ok() ? wire::MakeError(ErrorCode::kTruncated, rest, rest.size(), "no end-line")
                                  : frame.error();
    Report(name, text, start + error.offset, error, out);
    ++counts.invalid;
    return rest.size();
  }
  const std::string_view one = rest.substr(0, **frame);
  auto message = wire::MsrpMessage::Parse(one);
  if (!message.ok()) {
    Report(name, text, start + message.error().offset, message.error(), out);
    ++counts.invalid;
    return one.size();
  }
  ++counts.valid;
  out << name << ':' << LineOf(text, start) << ": ok: MSRP "
      << (message->is_request ? message->method : std::to_string(message->status_code)) << " "
      << message->transaction_id << " (" << one.size() << " bytes)\n";
  if (options.canonical) out << message->Serialize();
  return one.size();
}

std::size_t LintSip(std::string_view name, std::string_view text, std::size_t start, const LintOptions& options,
                    LintCounts& counts, std::ostream& out) {
  const std::string_view rest = text.substr(start);
  // With a Content-Length the message ends where it says; without one it runs to the end.
  std::size_t length = rest.size();
  if (auto frame = wire::SipFrameLength(rest); frame.ok() && frame->has_value()) length = **frame;
  const std::string_view one = rest.substr(0, length);
  wire::SipParseOptions parse_options;
  parse_options.accept_bare_lf = !options.strict;
  auto message = wire::SipMessage::Parse(one, parse_options);
  if (!message.ok()) {
    Report(name, text, start + message.error().offset, message.error(), out);
    ++counts.invalid;
    return length;
  }
  if (auto error = wire::ValidateSipMessage(*message, one)) {
    Report(name, text, start + error->offset, *error, out);
    ++counts.invalid;
    return length;
  }
  if (auto type = message->Get(wire::HeaderId::kContentType); type && !message->body().empty()) {
    if (auto error = wire::ValidateContent(*type, message->body())) {
      const std::size_t body_offset = one.size() - message->body().size();
      ParseError located = *error;
      located.detail = "body (" + std::string(*type) + "): " + located.detail;
      Report(name, text, start + body_offset + error->offset, located, out);
      ++counts.invalid;
      return length;
    }
  }
  ++counts.valid;
  out << name << ':' << LineOf(text, start) << ": ok: SIP ";
  if (message->IsRequest()) {
    out << message->method_name() << " request";
  } else {
    out << message->status_code() << " response to " << wire::MethodName(message->cseq_method());
  }
  out << " (" << one.size() << " bytes, " << message->header_count() << " header fields)\n";
  if (options.canonical) out << message->Serialize();
  return length;
}

}  // namespace

LintCounts LintText(std::string_view name, std::string_view text, const LintOptions& options, std::ostream& out) {
  LintCounts counts;
  std::size_t position = 0;
  while (true) {
    while (position < text.size() && (text[position] == '\r' || text[position] == '\n' ||
                                      text[position] == ' ' || text[position] == '\t')) {
      ++position;
    }
    if (position >= text.size()) break;
    const bool msrp = wire::StartsWithIgnoreCase(text.substr(position), "MSRP ");
    const std::size_t used = msrp ? LintMsrp(name, text, position, options, counts, out)
                                  : LintSip(name, text, position, options, counts, out);
    position += used == 0 ? 1 : used;
  }
  if (counts.valid + counts.invalid == 0) {
    out << name << ": error: no message\n";
    ++counts.invalid;
  }
  return counts;
}

}  // namespace pushsim::cli
