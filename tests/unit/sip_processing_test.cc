// The element CPU model: a single-server FIFO queue with finite room. Expected completion times
// and utilizations are worked out by hand in the comments.
#include "sip/processing.h"

#include <gtest/gtest.h>

namespace pushsim::sip {
namespace {

using namespace std::chrono_literals;
using wire::Method;

constexpr TimePoint At(std::chrono::milliseconds ms) { return TimePoint(ms); }

TEST(ProcessingQueue, FifoCompletionTimesChainBehindTheServer) {
  ProcessingQueue queue(ProcessingConfig{0, ProcessingConfig::kReject503, 5});
  // Two arrive at 0 and one at 50 ms, 100 ms each: the server ends them at 100, 200, 300 ms.
  EXPECT_EQ(queue.Admit(Method::kRegister, false, At(0ms), 100ms), At(100ms));
  EXPECT_EQ(queue.Admit(Method::kRegister, false, At(0ms), 100ms), At(200ms));
  EXPECT_EQ(queue.Admit(Method::kMessage, false, At(50ms), 100ms), At(300ms));
  EXPECT_EQ(queue.length(), 3u);
  EXPECT_EQ(queue.busy_until(), At(300ms));
  // An idle server starts at once: arriving at 1 s with nothing ahead ends at 1.03 s.
  queue.Completed(At(100ms));
  queue.Completed(At(200ms));
  queue.Completed(At(300ms));
  EXPECT_EQ(queue.length(), 0u);
  EXPECT_EQ(queue.Admit(Method::kMessage, false, At(1000ms), 30ms), At(1030ms));
}

TEST(ProcessingQueue, ZeroAndNegativeServiceTimesCostNothing) {
  ProcessingQueue queue;
  EXPECT_EQ(queue.Admit(Method::kMessage, false, At(10ms), 0ms), At(10ms));
  EXPECT_EQ(queue.Admit(Method::kMessage, false, At(10ms), -5ms), At(10ms));
  EXPECT_EQ(queue.BusyTime(At(1000ms)), Duration::zero());
  EXPECT_DOUBLE_EQ(queue.Utilization(At(0ms), At(1000ms)), 0.0);
}

TEST(ProcessingQueue, FullQueueRefusesUntilAServiceCompletes) {
  ProcessingQueue queue(ProcessingConfig{2, ProcessingConfig::kReject503, 5});
  ASSERT_TRUE(queue.Admit(Method::kInvite, false, At(0ms), 100ms));
  ASSERT_TRUE(queue.Admit(Method::kInvite, false, At(0ms), 100ms));
  // Capacity counts the one in service: two in, the third is refused.
  EXPECT_FALSE(queue.Admit(Method::kInvite, false, At(10ms), 100ms));
  EXPECT_EQ(queue.length(), 2u);
  queue.Completed(At(100ms));
  // Admitted at 150 ms behind the second, which ends at 200 ms.
  EXPECT_EQ(queue.Admit(Method::kInvite, false, At(150ms), 100ms), At(300ms));
  const ProcessingCounters& invite = queue.counters(Method::kInvite);
  EXPECT_EQ(invite.in, 3u);
  EXPECT_EQ(invite.out, 1u);
  EXPECT_EQ(invite.refused, 1u);
  // A refused message takes no server time: busy [0, 300 ms] only.
  EXPECT_EQ(queue.BusyTime(At(1000ms)), Duration(300ms));
}

TEST(ProcessingQueue, CountersAreKeptPerMethodAndForResponses) {
  ProcessingQueue queue(ProcessingConfig{1, ProcessingConfig::kReject503, 5});
  ASSERT_TRUE(queue.Admit(Method::kSubscribe, false, At(0ms), 10ms));
  EXPECT_FALSE(queue.Admit(Method::kNotify, false, At(1ms), 10ms));
  // A 200 to our own MESSAGE: counted under responses, not under MESSAGE.
  EXPECT_FALSE(queue.Admit(Method::kMessage, true, At(2ms), 10ms));
  queue.Completed(At(10ms));
  ASSERT_TRUE(queue.Admit(Method::kMessage, true, At(11ms), 10ms));
  queue.Completed(At(21ms));

  EXPECT_EQ(queue.counters(Method::kSubscribe).in, 1u);
  EXPECT_EQ(queue.counters(Method::kSubscribe).out, 1u);
  EXPECT_EQ(queue.counters(Method::kNotify).refused, 1u);
  EXPECT_EQ(queue.counters(Method::kNotify).in, 0u);
  EXPECT_EQ(queue.counters(Method::kMessage).in, 0u);
  EXPECT_EQ(queue.counters(Method::kMessage).refused, 0u);
  EXPECT_EQ(queue.responses().in, 1u);
  EXPECT_EQ(queue.responses().out, 1u);
  EXPECT_EQ(queue.responses().refused, 1u);
  EXPECT_EQ(queue.totals().in, 2u);
  EXPECT_EQ(queue.totals().out, 2u);
  EXPECT_EQ(queue.totals().refused, 2u);
}

TEST(ProcessingQueue, RefusedResponsesAreDroppedNeverAnswered) {
  ProcessingQueue reject(ProcessingConfig{1, ProcessingConfig::kReject503, 5});
  EXPECT_EQ(reject.RefusalFor(false), Refusal::kAnswer503);
  EXPECT_EQ(reject.RefusalFor(true), Refusal::kDrop);
  ProcessingQueue drop(ProcessingConfig{1, ProcessingConfig::kDrop, 5});
  EXPECT_EQ(drop.RefusalFor(false), Refusal::kDrop);
  EXPECT_EQ(drop.RefusalFor(true), Refusal::kDrop);
}

TEST(ProcessingQueue, CompletedOnAnEmptyQueueChangesNothing) {
  ProcessingQueue queue;
  queue.Completed(At(5ms));
  EXPECT_EQ(queue.length(), 0u);
  EXPECT_EQ(queue.totals().out, 0u);
}

TEST(ProcessingQueue, UtilizationOverWindowsIsExact) {
  ProcessingQueue queue;
  // Busy [0, 400 ms] (four back-to-back 100 ms jobs), idle, then busy [1000, 1200 ms].
  for (int i = 0; i < 4; ++i) queue.Admit(Method::kMessage, false, At(0ms), 100ms);
  queue.Admit(Method::kMessage, false, At(1000ms), 200ms);

  EXPECT_DOUBLE_EQ(queue.Utilization(At(0ms), At(400ms)), 1.0);
  EXPECT_DOUBLE_EQ(queue.Utilization(At(0ms), At(800ms)), 0.5);
  // [300, 1100]: 100 ms of the first period and 100 ms of the second over 800 ms.
  EXPECT_DOUBLE_EQ(queue.Utilization(At(300ms), At(1100ms)), 0.25);
  // Entirely idle and entirely busy windows.
  EXPECT_DOUBLE_EQ(queue.Utilization(At(500ms), At(900ms)), 0.0);
  EXPECT_DOUBLE_EQ(queue.Utilization(At(1050ms), At(1150ms)), 1.0);
  // [0, 2000]: 600 ms busy.
  EXPECT_DOUBLE_EQ(queue.Utilization(At(0ms), At(2000ms)), 0.3);
  EXPECT_DOUBLE_EQ(queue.Utilization(At(100ms), At(100ms)), 0.0);
  EXPECT_DOUBLE_EQ(queue.Utilization(At(200ms), At(100ms)), 0.0);
}

TEST(ProcessingQueue, HistoryIsBoundedAndRecentWindowsStayExact) {
  ProcessingQueue queue;
  // Periods of 1 ms every 10 ms, more than the history keeps.
  const std::size_t total = ProcessingQueue::kMaxBusyPeriods + 10;
  for (std::size_t i = 0; i < total; ++i) {
    const TimePoint now = At(std::chrono::milliseconds(10 * i));
    queue.Admit(Method::kOptions, false, now, 1ms);
    queue.Completed(now + 1ms);
  }
  // Ten periods were folded away: history starts at the end of the tenth (90 ms + 1 ms).
  EXPECT_EQ(queue.history_start(), At(91ms));
  // Any window of 10 ms starting on a period start is 10 % busy.
  const TimePoint late = At(std::chrono::milliseconds(10 * (total - 5)));
  EXPECT_DOUBLE_EQ(queue.Utilization(late, late + 10ms), 0.1);
  EXPECT_EQ(queue.BusyTime(At(std::chrono::milliseconds(10 * total))), Duration(std::chrono::milliseconds(total)));
}

}  // namespace
}  // namespace pushsim::sip
