// The sending end of an MSRP session (RFC 4975) as the Push Sender Agent runs it after the INVITE
// of TS 9.3.2: the files accepted in the SDP answer are split into SEND chunks and written back to
// back on one connection (pipelining, RFC 4975 7.1.1 and the TS C.3 flow), the 200 transaction
// responses and the REPORTs that come back are matched to their chunks and files, and each file
// ends as delivered or failed.
//
// The session knows nothing of sockets: Start() returns the bytes to write, OnData() takes what
// the connection delivers, so it can be tested alone.
//
// When a file is finished:
//   - with Success-Report: yes, when a REPORT for its Message-ID arrives whose Byte-Range covers
//     the whole message and whose Status is 200 (RFC 4975 7.1.2: a success report about the whole
//     message); a REPORT with another status fails the file;
//   - without it, when every chunk has its 200 (section 7.1.1: Failure-Report defaults to yes, so
//     every chunk is answered);
//   - either way, a non-200 transaction response to any chunk fails the file (section 7.1.1).
// Limits: at most kMaxPendingInput bytes of an unfinished frame are buffered; MsrpFrameLength
// applies the line and header limits of wire/msrp.h. A framing error ends the session (OnData
// returns false): RFC 4975 section 7.3 gives no way to resynchronise a stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/msrp.h"

namespace pushsim::push {

struct MsrpOutgoingFile {
  std::string content;
  std::string content_type = "application/octet-stream";
  wire::MsrpUri local_path;   // our URI from the offer (From-Path)
  wire::MsrpUri remote_path;  // the URI the answer gave for this m-line (To-Path)
  // Other MIME headers of the content, e.g. Content-Disposition (RFC 5547 section 8).
  std::vector<std::pair<std::string, std::string>> mime_headers;
};

struct MsrpFileResult {
  std::size_t index = 0;
  std::string message_id;
  std::uint64_t size = 0;
  std::size_t chunks = 0;
  std::size_t chunks_acknowledged = 0;   // 200 responses received
  std::uint64_t bytes_acknowledged = 0;  // body bytes of the chunks answered with 200
  bool report_received = false;
  std::optional<wire::MsrpStatus> report_status;
  int failure_code = 0;                  // first non-200 transaction response, 0 for none
  bool done = false;
  bool delivered = false;
};

class MsrpSenderSession {
 public:
  static constexpr std::size_t kMaxPendingInput = (1u << 20) + 64 * 4096;

  // `seed` makes the transaction and message ids reproducible (RFC 4975 7.1 asks for 64 bits of
  // randomness; a seeded generator per session gives that without global state).
  MsrpSenderSession(std::size_t chunk_size, bool success_report, std::uint64_t seed);

  // Adds a file; returns its index. Only before Start().
  std::size_t AddFile(MsrpOutgoingFile file);

  // Every SEND of every file in order, to be written as soon as the connection is up. A session
  // without files returns nothing and is complete.
  std::string Start();

  // Bytes received on the connection, split anywhere. Returns false when the stream is not MSRP
  // (the caller closes the connection; unfinished files then count as failed).
  bool OnData(std::string_view bytes);
  // The connection went away: every unfinished file fails.
  void OnClosed();

  bool Complete() const;
  bool AllDelivered() const;
  const std::vector<MsrpFileResult>& results() const { return results_; }
  std::size_t bytes_written() const { return bytes_written_; }

  // Called once per file when it is finished, and once when every file is.
  std::function<void(const MsrpFileResult&)> on_file_done;
  std::function<void()> on_complete;

 private:
  struct PendingChunk {
    std::size_t file = 0;
    std::uint64_t bytes = 0;
  };
  std::uint64_t NextRandom();
  void Handle(const wire::MsrpMessage& message);
  void Finish(std::size_t file, bool delivered);

  std::size_t chunk_size_;
  bool success_report_;
  std::uint64_t state_;
  bool started_ = false;
  bool completed_reported_ = false;
  std::vector<MsrpOutgoingFile> files_;
  std::vector<MsrpFileResult> results_;
  std::map<std::string, PendingChunk> transactions_;  // transaction id -> chunk
  std::string input_;
  std::size_t bytes_written_ = 0;
};

}  // namespace pushsim::push
