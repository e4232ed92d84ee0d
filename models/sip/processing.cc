#include "sip/processing.h"

#include <algorithm>

namespace pushsim::sip {

ProcessingQueue::ProcessingQueue(ProcessingConfig config) : config_(config) {}

ProcessingCounters& ProcessingQueue::CountersFor(wire::Method kind, bool is_response) {
  if (is_response) return responses_;
  const auto index = static_cast<std::size_t>(kind);
  return per_method_[index < kMethodCount ? index : 0];
}

const ProcessingCounters& ProcessingQueue::counters(wire::Method method) const {
  const auto index = static_cast<std::size_t>(method);
  return per_method_[index < kMethodCount ? index : 0];
}

std::optional<TimePoint> ProcessingQueue::Admit(wire::Method kind, bool is_response, TimePoint now,
                                                Duration service_time) {
  ProcessingCounters& counters = CountersFor(kind, is_response);
  if (config_.capacity != 0 && pending_.size() >= config_.capacity) {
    ++counters.refused;
    ++totals_.refused;
    return std::nullopt;
  }
  ++counters.in;
  ++totals_.in;
  const Duration service = std::max(service_time, Duration::zero());
  // Work-conserving FIFO: service starts when the server frees up, or at once when it is idle.
  const TimePoint start = std::max(now, busy_until_);
  const TimePoint completes = start + service;
  if (service > Duration::zero()) {
    if (!periods_.empty() && periods_.back().end == start) {
      periods_.back().end = completes;
    } else {
      periods_.push_back(BusyPeriod{start, completes, total_busy_});
      if (periods_.size() > kMaxBusyPeriods) {
        history_start_ = periods_.front().end;
        periods_.pop_front();
      }
    }
    total_busy_ += service;
  }
  busy_until_ = std::max(busy_until_, completes);
  pending_.push_back(Entry{kind, is_response, completes});
  return completes;
}

void ProcessingQueue::Completed(TimePoint) {
  if (pending_.empty()) return;
  const Entry entry = pending_.front();
  pending_.pop_front();
  ++CountersFor(entry.kind, entry.is_response).out;
  ++totals_.out;
}

Refusal ProcessingQueue::RefusalFor(bool is_response) const {
  if (is_response) return Refusal::kDrop;
  return config_.action == ProcessingConfig::kReject503 ? Refusal::kAnswer503 : Refusal::kDrop;
}

Duration ProcessingQueue::BusyTime(TimePoint at) const {
  // The last period that started at or before `at`.
  auto after = std::upper_bound(periods_.begin(), periods_.end(), at,
                                [](TimePoint t, const BusyPeriod& period) { return t < period.start; });
  if (after == periods_.begin()) {
    return periods_.empty() ? total_busy_ : periods_.front().busy_before;
  }
  const BusyPeriod& period = *std::prev(after);
  return period.busy_before + (std::min(at, period.end) - period.start);
}

double ProcessingQueue::Utilization(TimePoint from, TimePoint to) const {
  if (to <= from) return 0.0;
  const Duration busy = BusyTime(to) - BusyTime(from);
  return static_cast<double>(busy.count()) / static_cast<double>((to - from).count());
}

}  // namespace pushsim::sip
