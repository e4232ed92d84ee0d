// `pushsim lint`: reads SIP and MSRP messages and says, for each, whether it is valid, and where
// and why not.
#pragma once

#include <ostream>
#include <string_view>

namespace pushsim::cli {

struct LintOptions {
  bool canonical = false;  // print each valid message as the serializer writes it
  bool strict = false;     // require CRLF line ends (RFC 3261 7); otherwise bare LF is accepted
};

struct LintCounts {
  int valid = 0;
  int invalid = 0;
};

// Lints every message in `text` (SIP messages framed by Content-Length, or MSRP messages framed by
// their end-lines; blank lines between messages are skipped). Reports go to `out` as
//   NAME:LINE:COLUMN: error: WHAT: DETAIL      or      NAME:LINE: ok: SUMMARY
// with positions in `text`.
LintCounts LintText(std::string_view name, std::string_view text, const LintOptions& options, std::ostream& out);

}  // namespace pushsim::cli
