// Checks a message body against the grammar of its Content-Type: application/sdp,
// multipart/mixed (each part by its own type), message/sipfrag, message/sip,
// message/external-body, message/cpim. Other types are opaque and accepted.
#pragma once

#include <optional>
#include <string_view>

#include "wire/error.h"

namespace pushsim::wire {

// The first error in `body`, or nullopt. Offsets are relative to `body`.
std::optional<ParseError> ValidateContent(std::string_view content_type, std::string_view body);

}  // namespace pushsim::wire
