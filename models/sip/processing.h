// The CPU of a SIP element as a single-server FIFO queue with a finite room: every message the
// element receives waits for the server, is served for a time that depends on its kind (the
// request method, or "a response"), and only then reaches the protocol logic. When the room
// (waiting plus in service) is full, the message is refused. This is what makes an element
// saturate under load, so capacity studies see queueing delay, 503 responses and retransmissions
// grow the way they do in a real core.
//
// The queue does not run timers itself: Admit() computes when the message's service will end
// (work-conserving FIFO: it starts when the previous one ends, or now when the server is idle),
// and the caller calls Completed() at that time, in admission order.
//
// Busy time is accounted from the admission schedule, so utilization over any window is exact
// (for windows in the future it counts the work already admitted).
//
// Limits: with capacity 0 (unlimited) the backlog, and the memory it takes, grows with the
// offered load: that is the model asked for. The busy-period history keeps at most
// kMaxBusyPeriods entries; older ones are folded away, so Utilization() is exact for windows that
// start at or after history_start().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "sip/host.h"
#include "wire/sip_message.h"

namespace pushsim::sip {

struct ProcessingConfig {
  // Messages that may be in the element at once, waiting or in service; 0 means unlimited.
  std::size_t capacity = 0;
  // What happens to a request that finds the queue full.
  enum OverloadAction : std::uint8_t {
    kReject503,  // answer 503 Service Unavailable with Retry-After (RFC 3261 21.5.4)
    kDrop,       // discard it silently; the sender's retransmissions meet the queue again
  };
  OverloadAction action = kReject503;
  // The Retry-After value of a 503 (RFC 3261 20.33), in seconds.
  std::uint32_t retry_after_seconds = 5;
};

struct ProcessingCounters {
  std::uint64_t in = 0;       // admitted
  std::uint64_t out = 0;      // service completed
  std::uint64_t refused = 0;  // found the queue full
};

// What to do with a message the queue refused.
enum class Refusal : std::uint8_t { kAnswer503, kDrop };

class ProcessingQueue {
 public:
  static constexpr std::size_t kMaxBusyPeriods = 1 << 16;

  explicit ProcessingQueue(ProcessingConfig config = {});

  // Admits a message of the given kind (for a response, `kind` is its CSeq method and only counts
  // under responses) arriving at `now` with the given service time (negative counts as zero).
  // Returns the time its service completes, or nullopt when the queue is full.
  std::optional<TimePoint> Admit(wire::Method kind, bool is_response, TimePoint now, Duration service_time);
  // The message at the head of the queue finished its service. Does nothing on an empty queue.
  void Completed(TimePoint now);

  // What the element does with a refused message: a request is answered with 503 or dropped per
  // the configuration. A response is always dropped: refusing it with an error would have to
  // answer a response, which SIP has no way to do, and a client transaction that loses it is
  // saved by the peer's retransmission (RFC 3261 17.1.1.2, 17.2.1).
  Refusal RefusalFor(bool is_response) const;

  // Messages in the element: waiting plus in service.
  std::size_t length() const { return pending_.size(); }
  // Fraction of [from, to] the server was (or is scheduled to be) busy; 0 for an empty window.
  double Utilization(TimePoint from, TimePoint to) const;
  // Busy time in [0, at].
  Duration BusyTime(TimePoint at) const;
  // The earliest time for which BusyTime is exact.
  TimePoint history_start() const { return history_start_; }
  // When the work admitted so far will be done (the last completion time).
  TimePoint busy_until() const { return busy_until_; }

  const ProcessingCounters& counters(wire::Method method) const;
  const ProcessingCounters& responses() const { return responses_; }
  // Requests and responses together.
  const ProcessingCounters& totals() const { return totals_; }
  const ProcessingConfig& config() const { return config_; }
  void set_config(const ProcessingConfig& config) { config_ = config; }

 private:
  struct Entry {
    wire::Method kind;
    bool is_response;
    TimePoint completes;
  };
  struct BusyPeriod {
    TimePoint start;
    TimePoint end;
    Duration busy_before;  // busy time accumulated before `start`
  };
  static constexpr std::size_t kMethodCount = static_cast<std::size_t>(wire::Method::kUpdate) + 1;

  ProcessingCounters& CountersFor(wire::Method kind, bool is_response);

  ProcessingConfig config_;
  std::deque<Entry> pending_;
  std::deque<BusyPeriod> periods_;
  TimePoint busy_until_{};
  TimePoint history_start_{};
  Duration total_busy_{};
  std::array<ProcessingCounters, kMethodCount> per_method_{};
  ProcessingCounters responses_;
  ProcessingCounters totals_;
};

}  // namespace pushsim::sip
