// A Host on a manual clock for unit tests of the protocol logic: timers fire in time order when
// the test advances the clock, and every sent message is recorded and can be dropped.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sip/host.h"

namespace pushsim::testing {

class FakeHost : public sip::Host {
 public:
  struct Sent {
    sip::TimePoint at;
    sip::Endpoint to;
    wire::SipMessage message;
  };

  sip::TimePoint Now() const override { return now_; }

  void Send(const sip::Endpoint& destination, const wire::SipMessage& message) override {
    sent.push_back(Sent{now_, destination, message});
    if (on_send) on_send(destination, message);
  }

  sip::TimerId StartTimer(sip::Duration delay, std::function<void()> callback) override {
    const sip::TimerId id = ++next_id_;
    timers_.emplace(std::make_pair(now_ + delay, id), std::move(callback));
    return id;
  }

  void CancelTimer(sip::TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  // Fires every timer due up to now + delta, in order, then sets the clock to now + delta.
  void Advance(sip::Duration delta) {
    const sip::TimePoint end = now_ + delta;
    while (!timers_.empty() && timers_.begin()->first.first <= end) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = end;
  }

  std::size_t pending_timers() const { return timers_.size(); }

  // Sent messages that are requests with this method / responses with this code.
  std::vector<const Sent*> Requests(wire::Method method) const {
    std::vector<const Sent*> out;
    for (const Sent& s : sent) {
      if (s.message.IsRequest() && s.message.method() == method) out.push_back(&s);
    }
    return out;
  }
  std::vector<const Sent*> Responses(int code) const {
    std::vector<const Sent*> out;
    for (const Sent& s : sent) {
      if (s.message.IsResponse() && s.message.status_code() == code) out.push_back(&s);
    }
    return out;
  }

  std::vector<Sent> sent;
  std::function<void(const sip::Endpoint&, const wire::SipMessage&)> on_send;

 private:
  sip::TimePoint now_{};
  sip::TimerId next_id_ = 0;
  std::map<std::pair<sip::TimePoint, sip::TimerId>, std::function<void()>> timers_;
};

}  // namespace pushsim::testing
