// Byte-stream connections (TCP) for the protocols that run beside SIP: MSRP sessions (RFC 4975)
// and HTTP fetches of indirect content (RFC 4483). The logic opens, writes and closes
// connections through this interface; ns-3 implements it on TCP sockets (apps/stream-host.h),
// unit tests on in-memory pipes (tests/support/fake_stream_host.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "sip/host.h"

namespace pushsim::sip {

using ConnectionId = std::uint64_t;
constexpr ConnectionId kNoConnection = 0;

struct StreamCallbacks {
  std::function<void(ConnectionId)> on_connected;                    // outgoing connection established
  std::function<void(ConnectionId, std::string_view bytes)> on_data;  // bytes in arrival order, any split
  std::function<void(ConnectionId)> on_closed;                       // closed by the peer, reset, or failed to connect
};

class StreamHost {
 public:
  virtual ~StreamHost() = default;
  // Opens a connection; `on_connected` or `on_closed` follows. Never returns kNoConnection.
  virtual ConnectionId Connect(const Endpoint& remote, StreamCallbacks callbacks) = 0;
  // Accepts connections on a local port; `on_accept` gives the callbacks for each new connection.
  // Returns false if the port is taken.
  virtual bool Listen(std::uint16_t port,
                      std::function<StreamCallbacks(ConnectionId, const Endpoint& remote)> on_accept) = 0;
  virtual void StopListening(std::uint16_t port) = 0;
  // Queues bytes; they are sent in order as the connection allows.
  virtual void Write(ConnectionId connection, std::string_view bytes) = 0;
  // Closes after the queued bytes are sent. No callback runs for it afterwards.
  virtual void Close(ConnectionId connection) = 0;
  // The local address that peers reach this host on (for MSRP paths and URLs).
  virtual Endpoint LocalEndpoint(std::uint16_t port) const = 0;
};

}  // namespace pushsim::sip
