// SIP Push TS Appendix D (response code interpretation) and TS 6.1 item 7 (mapping of SIP status
// to application status), with the retry back-off of the Push Sender Agent.
// Conformance items: SIPPUSH-PSA-S-001, SIPPUSH-PSA-S-008 (response handling of SIP MESSAGE).
#include <gtest/gtest.h>

#include "push/outcome.h"

namespace pushsim::push {
namespace {

TEST(PushOutcome, TS_AppD_Row1_200AcceptedForMessage) {
  EXPECT_EQ(MapResponse(200, PushMethod::kMessage), AppStatus::kAccepted);
}

TEST(PushOutcome, TS_AppD_Row2_RejectedRetriesAllowed) {
  for (int code : {400, 503, 603}) {
    EXPECT_EQ(MapResponse(code, PushMethod::kMessage), AppStatus::kRejectedMayRetry) << code;
    EXPECT_TRUE(AllowsRetry(MapResponse(code, PushMethod::kMessage))) << code;
  }
}

TEST(PushOutcome, TS_AppD_Row3_RejectedNoRetries) {
  for (int code : {403, 604}) {
    EXPECT_EQ(MapResponse(code, PushMethod::kMessage), AppStatus::kRejectedNoRetry) << code;
    EXPECT_FALSE(AllowsRetry(MapResponse(code, PushMethod::kMessage))) << code;
  }
}

TEST(PushOutcome, TS_AppD_Row4_408Undeliverable) {
  EXPECT_EQ(MapResponse(408, PushMethod::kMessage), AppStatus::kUndeliverable);
  EXPECT_FALSE(AllowsRetry(AppStatus::kUndeliverable));
}

// Row 5 names 500 specifically (resource shortage); row 2 also lists 500 as retryable, so the
// shortage class allows retries.
TEST(PushOutcome, TS_AppD_Row5_500ResourceShortageRetryable) {
  EXPECT_EQ(MapResponse(500, PushMethod::kMessage), AppStatus::kResourceShortage);
  EXPECT_TRUE(AllowsRetry(AppStatus::kResourceShortage));
}

TEST(PushOutcome, TS_AppD_Row6_415UnsupportedContent) {
  EXPECT_EQ(MapResponse(415, PushMethod::kMessage), AppStatus::kUnsupportedContent);
  EXPECT_FALSE(AllowsRetry(AppStatus::kUnsupportedContent));
}

// "Unless stated otherwise ... interpreted according to [RFC3261]": codes outside the table.
TEST(PushOutcome, TS_AppD_OtherCodesFollowRfc3261Classes) {
  EXPECT_EQ(MapResponse(202, PushMethod::kRefer), AppStatus::kAccepted);        // RFC 3515 2.4.2
  EXPECT_EQ(MapResponse(404, PushMethod::kMessage), AppStatus::kUndeliverable);  // 21.4.5
  EXPECT_EQ(MapResponse(480, PushMethod::kInviteMsrp), AppStatus::kUndeliverable);  // 21.4.18
  EXPECT_EQ(MapResponse(488, PushMethod::kInviteMsrp), AppStatus::kUnsupportedContent);  // 21.4.26
  EXPECT_EQ(MapResponse(606, PushMethod::kInviteMsrp), AppStatus::kUnsupportedContent);  // 21.6.4
  EXPECT_EQ(MapResponse(486, PushMethod::kInviteMsrp), AppStatus::kRejectedMayRetry);    // busy
  EXPECT_EQ(MapResponse(487, PushMethod::kInviteMsrp), AppStatus::kCancelled);
  EXPECT_EQ(MapResponse(481, PushMethod::kNotify), AppStatus::kUndeliverable);  // RFC 6665 4.1.3
  EXPECT_EQ(MapResponse(481, PushMethod::kMessage), AppStatus::kRejectedNoRetry);
  EXPECT_EQ(MapResponse(502, PushMethod::kMessage), AppStatus::kRejectedMayRetry);  // 21.5
  EXPECT_EQ(MapResponse(302, PushMethod::kMessage), AppStatus::kRejectedNoRetry);
  EXPECT_EQ(MapResponse(405, PushMethod::kMessage), AppStatus::kRejectedNoRetry);
  EXPECT_EQ(MapResponse(413, PushMethod::kMessage), AppStatus::kResourceShortage);
}

TEST(PushOutcome, ProvisionalAndOutOfRangeArePending) {
  EXPECT_EQ(MapResponse(180, PushMethod::kInviteMsrp), AppStatus::kPending);
  EXPECT_EQ(MapResponse(0, PushMethod::kMessage), AppStatus::kPending);
  EXPECT_EQ(MapResponse(700, PushMethod::kMessage), AppStatus::kPending);
  EXPECT_EQ(MapResponse(-5, PushMethod::kMessage), AppStatus::kPending);
}

TEST(PushOutcome, RFC3261_20_33_RetryAfterOverridesBackoff) {
  RetryPolicy policy;
  policy.base_backoff = std::chrono::seconds(2);
  policy.max_backoff = std::chrono::seconds(30);
  EXPECT_EQ(RetryDelay(policy, 1, 120u), std::chrono::seconds(120));
  EXPECT_EQ(RetryDelay(policy, 3, 0u), std::chrono::seconds(0));
}

TEST(PushOutcome, ExponentialBackoffCappedAtMax) {
  RetryPolicy policy;
  policy.base_backoff = std::chrono::seconds(2);
  policy.max_backoff = std::chrono::seconds(30);
  EXPECT_EQ(RetryDelay(policy, 1, std::nullopt), std::chrono::seconds(2));
  EXPECT_EQ(RetryDelay(policy, 2, std::nullopt), std::chrono::seconds(4));
  EXPECT_EQ(RetryDelay(policy, 3, std::nullopt), std::chrono::seconds(8));
  EXPECT_EQ(RetryDelay(policy, 5, std::nullopt), std::chrono::seconds(30));
  EXPECT_EQ(RetryDelay(policy, 1000, std::nullopt), std::chrono::seconds(30));
}

TEST(PushOutcome, NamesAreDistinct) {
  EXPECT_EQ(AppStatusName(AppStatus::kResourceShortage), "resource-shortage");
  EXPECT_EQ(PushMethodName(PushMethod::kInviteMsrp), "INVITE+MSRP");
}

}  // namespace
}  // namespace pushsim::push
