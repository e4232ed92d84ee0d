// Application-level status of a push (SIP Push TS 6.1 item 7 and Appendix D): what the SIP
// response to a push request means for the initiator of the push, and whether the Push Sender
// Agent may try again.
//
// Appendix D (Table 3) covers SIP MESSAGE:
//   1  200                       accepted
//   2  400, 500, 503, 603        rejected without specific cause, retries allowed
//   3  403, 604                  rejected without specific cause, no retries
//   4  408                       the push message cannot be delivered to the destination
//   5  500                       discarded because of resource shortage
//   6  415                       the content type cannot be processed
// The table lists 500 twice (rows 2 and 5). Row 5 is the specific reading, so 500 maps to
// kResourceShortage; since row 2 also allows retries for 500, kResourceShortage is a class that
// may be retried (a shortage is transient; RFC 3261 21.5.1 lets a 500 carry Retry-After).
//
// "Unless stated otherwise ... response is interpreted according to the rules in [RFC3261] and
// [RFC3428]" (Appendix D), so codes outside the table, and the other push methods, follow the
// response classes of RFC 3261 section 21:
//   2xx                          accepted (202 for REFER, RFC 3515 2.4.2)
//   404, 410, 480, 484           undeliverable: no such user or not reachable now (21.4.5, 21.4.11,
//                                21.4.18, 21.4.21); 481 for NOTIFY too (the subscription is gone,
//                                RFC 6665 4.1.3)
//   413                          resource shortage at the receiver for this size (21.4.12)
//   415, 488, 606                unsupported content (21.4.13, 21.4.26, 21.6.4)
//   486, 600                     busy: rejected, retries allowed (21.4.24, 21.6.1)
//   487                          kCancelled: the sender abandoned the request (21.4.25)
//   other 3xx, 4xx, 6xx          rejected, no retries (the request as sent will fail again)
//   other 5xx                    rejected, retries allowed (21.5: server failures are transient)
//   no response (timer B/F)      as 408 (RFC 3261 8.1.3.1): undeliverable
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sip/host.h"

namespace pushsim::push {

// The push methods of TS 9 and 003.
enum class PushMethod : std::uint8_t {
  kMessage,        // TS 9.1 pager mode, content in the body
  kIndirection,    // TS 9.1.2 step 8: MESSAGE with message/external-body (RFC 4483)
  kInviteMsrp,     // TS 9.3 session mode
  kNotify,         // 004 / 003: NOTIFY in a ua-profile subscription
  kRefer,          // 003 6.2.3.3: REFER that triggers a ua-profile SUBSCRIBE
};
std::string_view PushMethodName(PushMethod method);

enum class AppStatus : std::uint8_t {
  kPending,             // no final answer yet
  kAccepted,            // Appendix D row 1
  kRejectedMayRetry,    // row 2
  kRejectedNoRetry,     // row 3
  kUndeliverable,       // row 4
  kResourceShortage,    // row 5
  kUnsupportedContent,  // row 6
  kCancelled,           // the push was abandoned before a final response (487)
  kNoTarget,            // nothing to send to: user unknown, no terminal supports the app id
  kTransferFailed,      // the SIP request succeeded but the MSRP transfer did not (RFC 4975 7.1.2)
};
std::string_view AppStatusName(AppStatus status);

// The status for a final response `code` (100..699) to a push request sent with `method`; 408
// also stands for "no response" (RFC 3261 8.1.3.1). Codes outside 200..699 give kPending.
AppStatus MapResponse(int code, PushMethod method);

// Whether the Push Sender Agent may send the request again after this status (rows 2 and 5).
bool AllowsRetry(AppStatus status);

struct RetryPolicy {
  int max_retries = 3;                                    // retries after the first attempt
  sip::Duration base_backoff = std::chrono::seconds(2);   // before the first retry
  sip::Duration max_backoff = std::chrono::seconds(300);
};

// The delay before retry number `retry` (1 for the first): `Retry-After` seconds when the
// response carried one (RFC 3261 20.33: the caller should not retry sooner), else
// base_backoff * 2^(retry-1), at most max_backoff. A Retry-After above max_backoff is honoured
// as it is (the receiver asked for it), which is why it is not capped.
sip::Duration RetryDelay(const RetryPolicy& policy, int retry, std::optional<std::uint32_t> retry_after_seconds);

}  // namespace pushsim::push
