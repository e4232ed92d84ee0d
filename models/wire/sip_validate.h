// Grammar check of a whole SIP message: the Request-URI and every header field the project
// interprets, each with its typed parser from sip_headers.h.
#pragma once

#include <optional>
#include <string_view>

#include "wire/error.h"
#include "wire/sip_message.h"

namespace pushsim::wire {

// Returns the first error, or nullopt when the message is well formed.
//
// Checked: the Request-URI (sip:/sips: must parse as a SIP URI; other schemes such as tel: need
// only a scheme), Via (every element, each with a branch, RFC 3261 8.1.1.7), From and To
// (name-addr or addr-spec, tag a token), Contact, CSeq, Max-Forwards (0 to 255), Expires,
// Min-Expires, Event, Subscription-State, Refer-To, Referred-By, Retry-After, Route,
// Record-Route, Path, Service-Route, P-Associated-URI, P-Asserted-Identity,
// P-Preferred-Identity, P-Asserted-Service, P-Preferred-Service, Require, Proxy-Require,
// Supported, Unsupported, Allow and Allow-Events.
//
// `original_input` is the text the message was parsed from. The error's offset is absolute in it
// (the field's HeaderField::input_offset plus the position inside the value, folded lines
// accounted for), with line and column computed by MakeError; the detail names the header
// ("Via: expected transport after SIP/2.0/"). For a message built by the program pass an empty
// input: offsets are then 0.
std::optional<ParseError> ValidateSipMessage(const SipMessage& message, std::string_view original_input);

}  // namespace pushsim::wire
