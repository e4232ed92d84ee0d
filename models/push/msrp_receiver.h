// The receiving end of MSRP sessions (RFC 4975) on one TCP connection, as the Push Receiver Agent
// needs it for session-mode push (SIP Push TS 9.3.1, 9.3.3.2): bytes in, any split across reads;
// SEND chunks framed (RFC 4975 7.1), checked against the session paths this agent answered in its
// SDP (7.3.1: To-Path must name us, else 481), answered (7.1.1, 7.2: a 200 per chunk unless the
// Failure-Report says otherwise), reassembled per Message-ID (7.3.1), delivered when complete, and
// a success REPORT (7.1.2) sent when the message asked for one.
//
// One connection may carry several MSRP sessions (RFC 4975 7.3: connection reuse); the session a
// chunk belongs to is the one whose URI equals the leftmost To-Path URI, so the set of local URIs
// is mutable and shared by the agent over every connection it accepts.
//
// Limits (a peer cannot make the receiver allocate without bound):
//   - the input buffer never holds more than one incomplete frame, and a frame is bounded by
//     MsrpLimits (4 KiB per line, 64 header lines, 1 MiB of chunk body): a stream that cannot
//     become a valid frame within them breaks the connection (Feed returns false);
//   - a message larger than `max_message_size` (the a=max-size the agent announced) or with a
//     Byte-Range total above it is refused with 413 and its state dropped (7.3.1);
//   - at most `max_open_messages` messages under reassembly at once; a chunk of a further message
//     gets 413 as well;
//   - per message, at most MsrpReassemblyLimits::max_ranges disjoint byte ranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/msrp.h"

namespace pushsim::push {

struct MsrpReceiverLimits {
  wire::MsrpLimits frame;
  // The largest complete message accepted (a=max-size, RFC 4975 8.6); also bounds a Byte-Range
  // total.
  std::uint64_t max_message_size = 64ull << 20;
  std::size_t max_ranges = 1024;
  std::size_t max_open_messages = 16;
  // Media types this session accepts as Content-Type of a SEND (RFC 4975 7.3.1: 415 otherwise);
  // "*" or empty accepts every type.
  std::vector<std::string> accept_types = {"*"};
};

// A complete message taken out of the session.
struct MsrpReceivedMessage {
  std::string session_path;  // the local URI (ToString) the message was sent to
  std::string message_id;
  std::string content_type;  // of the first chunk; empty when there was no body
  std::string body;
  std::size_t chunks = 0;
};

struct MsrpReceiverStats {
  std::uint64_t frames = 0;            // MSRP messages framed from the stream
  std::uint64_t sends = 0;             // SEND chunks accepted into reassembly
  std::uint64_t responses_sent = 0;    // transaction responses written (200 and errors)
  std::uint64_t ok_sent = 0;           // of which 200
  std::uint64_t errors_sent = 0;       // of which 4xx/5xx
  std::uint64_t reports_sent = 0;      // success REPORTs written
  std::uint64_t messages_completed = 0;
  std::uint64_t messages_aborted = 0;  // '#' flag (RFC 4975 7.1)
  std::uint64_t messages_refused = 0;  // state dropped after a 4xx (size, ranges, bad chunk)
  std::uint64_t unknown_session = 0;   // 481: To-Path does not name a local session
  std::uint64_t bad_frames = 0;        // frames that did not parse
  std::uint64_t reports_received = 0;  // REPORTs and responses from the peer (consumed)
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

class MsrpReceiverSession {
 public:
  using Writer = std::function<void(std::string bytes)>;
  using Deliverer = std::function<void(MsrpReceivedMessage message)>;

  MsrpReceiverSession(MsrpReceiverLimits limits, Writer write, Deliverer deliver);

  // The session URIs this receiver answers for (a=path of its SDP answers).
  void AddLocalPath(const wire::MsrpUri& uri);
  // Forgets a session: its URI and every message under reassembly for it (TS 9.3.1.2 step 3).
  void RemoveLocalPath(const wire::MsrpUri& uri);
  bool HasLocalPaths() const { return !local_paths_.empty(); }
  std::size_t local_path_count() const { return local_paths_.size(); }

  // Bytes from the connection in arrival order. Returns false when the stream is broken (no valid
  // frame can follow: RFC 4975 has no resynchronisation, the connection has to be closed); the
  // session then ignores further input.
  bool Feed(std::string_view bytes);
  bool broken() const { return broken_; }

  // Messages under reassembly, and bytes of input waiting for the rest of a frame.
  std::size_t open_messages() const { return messages_.size(); }
  std::size_t buffered_bytes() const { return buffer_.size(); }
  const MsrpReceiverStats& stats() const { return stats_; }

 private:
  struct OpenMessage {
    wire::MsrpReassembler reassembler;
    wire::MsrpMessage first;  // headers of the first chunk seen (body dropped), for the REPORT
    std::string session_path;
    std::string content_type;
    bool success_report = false;
    std::size_t chunks = 0;
  };

  void HandleFrame(std::string_view frame);
  void HandleSend(const wire::MsrpMessage& send);
  void Reply(const wire::MsrpMessage& request, int code, std::string comment);
  void Write(const wire::MsrpMessage& message);
  const wire::MsrpUri* MatchLocal(const wire::MsrpMessage& request) const;
  bool TypeAccepted(std::string_view content_type) const;
  std::string NextTransactionId();

  MsrpReceiverLimits limits_;
  Writer write_;
  Deliverer deliver_;
  std::vector<wire::MsrpUri> local_paths_;
  std::string buffer_;
  bool broken_ = false;
  // Key: local session path + " " + Message-ID (Message-IDs are unique per sender, not globally).
  std::map<std::string, OpenMessage> messages_;
  std::uint64_t transaction_counter_ = 0;
  MsrpReceiverStats stats_;
};

}  // namespace pushsim::push
