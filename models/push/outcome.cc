#include "push/outcome.h"

namespace pushsim::push {

std::string_view PushMethodName(PushMethod method) {
  switch (method) {
    case PushMethod::kMessage: return "MESSAGE";
    case PushMethod::kIndirection: return "MESSAGE+external-body";
    case PushMethod::kInviteMsrp: return "INVITE+MSRP";
    case PushMethod::kNotify: return "NOTIFY";
    case PushMethod::kRefer: return "REFER";
  }
  return "";
}

std::string_view AppStatusName(AppStatus status) {
  switch (status) {
    case AppStatus::kPending: return "pending";
    case AppStatus::kAccepted: return "accepted";
    case AppStatus::kRejectedMayRetry: return "rejected-may-retry";
    case AppStatus::kRejectedNoRetry: return "rejected-no-retry";
    case AppStatus::kUndeliverable: return "undeliverable";
    case AppStatus::kResourceShortage: return "resource-shortage";
    case AppStatus::kUnsupportedContent: return "unsupported-content";
    case AppStatus::kCancelled: return "cancelled";
    case AppStatus::kNoTarget: return "no-target";
    case AppStatus::kTransferFailed: return "transfer-failed";
  }
  return "";
}

AppStatus MapResponse(int code, PushMethod method) {
  if (code < 200 || code > 699) return AppStatus::kPending;
  if (code < 300) return AppStatus::kAccepted;
  switch (code) {
    // Appendix D, Table 3.
    case 400: case 503: case 603: return AppStatus::kRejectedMayRetry;
    case 403: case 604: return AppStatus::kRejectedNoRetry;
    case 408: return AppStatus::kUndeliverable;
    case 500: return AppStatus::kResourceShortage;
    case 415: return AppStatus::kUnsupportedContent;
    // RFC 3261 section 21 for the codes the table does not name.
    case 404: case 410: case 480: case 484: return AppStatus::kUndeliverable;
    case 481: return method == PushMethod::kNotify ? AppStatus::kUndeliverable : AppStatus::kRejectedNoRetry;
    case 413: return AppStatus::kResourceShortage;
    case 488: case 606: return AppStatus::kUnsupportedContent;
    case 486: case 600: return AppStatus::kRejectedMayRetry;
    case 487: return AppStatus::kCancelled;
    default: break;
  }
  if (code >= 500 && code < 600) return AppStatus::kRejectedMayRetry;
  return AppStatus::kRejectedNoRetry;
}

bool AllowsRetry(AppStatus status) {
  return status == AppStatus::kRejectedMayRetry || status == AppStatus::kResourceShortage;
}

sip::Duration RetryDelay(const RetryPolicy& policy, int retry, std::optional<std::uint32_t> retry_after_seconds) {
  if (retry_after_seconds) return std::chrono::seconds(*retry_after_seconds);
  sip::Duration delay = policy.base_backoff;
  for (int i = 1; i < retry && delay < policy.max_backoff; ++i) delay *= 2;
  return delay < policy.max_backoff ? delay : policy.max_backoff;
}

}  // namespace pushsim::push
