// What the protocol logic needs from whatever runs it: a clock, timers and a way to send.
// The ns-3 applications implement it on the simulator; unit tests implement it on a manual clock;
// a live mode would implement it on sockets and a real clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "wire/sip_message.h"

namespace pushsim::sip {

using Duration = std::chrono::nanoseconds;
// Time since the start of the run.
using TimePoint = std::chrono::nanoseconds;

enum class Transport : std::uint8_t { kUdp, kTcp };
std::string_view TransportName(Transport transport);  // "UDP", "TCP" as in Via

// An IPv4 transport address. (The simulated networks are IPv4; the codecs handle IPv6 text.)
struct Endpoint {
  std::uint32_t address = 0;  // host byte order
  std::uint16_t port = 0;
  Transport transport = Transport::kUdp;

  bool operator==(const Endpoint& other) const {
    return address == other.address && port == other.port && transport == other.transport;
  }
  bool operator!=(const Endpoint& other) const { return !(*this == other); }
  std::string HostText() const;   // "10.0.0.1"
  std::string ToString() const;   // "10.0.0.1:5060/UDP"
};
// Parses dotted-quad IPv4 text; false on anything else.
bool ParseIpv4(std::string_view text, std::uint32_t& address);

// RFC 3261 18.1.1: a request within 200 bytes of the path MTU, or larger than 1300 bytes when the
// MTU is unknown (path_mtu 0), goes over a congestion-controlled transport.
Transport ChooseTransport(std::size_t message_size, std::size_t path_mtu = 0);

using TimerId = std::uint64_t;
constexpr TimerId kNoTimer = 0;

class Host {
 public:
  virtual ~Host() = default;
  virtual TimePoint Now() const = 0;
  // Sends one message to `destination` over destination.transport. The host serializes it.
  virtual void Send(const Endpoint& destination, const wire::SipMessage& message) = 0;
  // Calls `callback` after `delay` unless cancelled first. Never returns kNoTimer.
  virtual TimerId StartTimer(Duration delay, std::function<void()> callback) = 0;
  // Cancelling an expired or unknown timer does nothing.
  virtual void CancelTimer(TimerId id) = 0;
};

}  // namespace pushsim::sip
