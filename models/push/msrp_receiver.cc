#include "push/msrp_receiver.h"

#include <algorithm>

#include "wire/mime.h"

namespace pushsim::push {

using wire::MsrpMessage;
using wire::MsrpUri;

MsrpReceiverSession::MsrpReceiverSession(MsrpReceiverLimits limits, Writer write, Deliverer deliver)
    : limits_(std::move(limits)), write_(std::move(write)), deliver_(std::move(deliver)) {}

void MsrpReceiverSession::AddLocalPath(const MsrpUri& uri) {
  for (const MsrpUri& known : local_paths_) {
    if (wire::MsrpUriEquivalent(known, uri)) return;
  }
  local_paths_.push_back(uri);
}

void MsrpReceiverSession::RemoveLocalPath(const MsrpUri& uri) {
  local_paths_.erase(std::remove_if(local_paths_.begin(), local_paths_.end(),
                                    [&](const MsrpUri& known) { return wire::MsrpUriEquivalent(known, uri); }),
                     local_paths_.end());
  const std::string prefix = uri.ToString() + " ";
  for (auto it = messages_.begin(); it != messages_.end();) {
    if (it->first.compare(0, prefix.size(), prefix) == 0) {
      it = messages_.erase(it);
    } else {
      ++it;
    }
  }
}

bool MsrpReceiverSession::Feed(std::string_view bytes) {
  if (broken_) return false;
  stats_.bytes_in += bytes.size();
  buffer_.append(bytes.data(), bytes.size());
  std::size_t consumed = 0;
  while (consumed < buffer_.size()) {
    const std::string_view rest = std::string_view(buffer_).substr(consumed);
    auto length = wire::MsrpFrameLength(rest, limits_.frame);
    if (!length.ok()) {
      // RFC 4975 has no way to find the next frame after junk: the connection is unusable.
      broken_ = true;
      ++stats_.bad_frames;
      buffer_.clear();
      messages_.clear();
      return false;
    }
    if (!length.value()) break;  // wait for the rest of the frame
    HandleFrame(rest.substr(0, *length.value()));
    consumed += *length.value();
    if (broken_) return false;
  }
  buffer_.erase(0, consumed);
  return true;
}

void MsrpReceiverSession::HandleFrame(std::string_view frame) {
  ++stats_.frames;
  auto parsed = MsrpMessage::Parse(frame, limits_.frame);
  if (!parsed.ok()) {
    // The frame is delimited, so the stream stays in step; a request that does not parse cannot
    // be answered reliably (its paths may be the broken part), so it is dropped (RFC 4975 7.3.1
    // lets a receiver ignore what it cannot interpret).
    ++stats_.bad_frames;
    return;
  }
  const MsrpMessage& message = parsed.value();
  if (!message.is_request || message.IsReport()) {
    // Responses to our REPORTs do not exist (7.1.2) and REPORTs get no response; both end here.
    ++stats_.reports_received;
    return;
  }
  if (!MatchLocal(message)) {
    // 7.3.1: "If the session is not recognised ... 481".
    ++stats_.unknown_session;
    Reply(message, 481, "Session Does Not Exist");
    return;
  }
  if (!message.IsSend()) {
    Reply(message, 501, "Not Implemented");  // 7.3.1: unknown method
    return;
  }
  HandleSend(message);
}

const MsrpUri* MsrpReceiverSession::MatchLocal(const MsrpMessage& request) const {
  const std::vector<MsrpUri> to_path = request.ToPath();
  if (to_path.empty()) return nullptr;
  for (const MsrpUri& local : local_paths_) {
    if (wire::MsrpUriEquivalent(local, to_path.front())) return &local;
  }
  return nullptr;
}

bool MsrpReceiverSession::TypeAccepted(std::string_view content_type) const {
  if (limits_.accept_types.empty()) return true;
  auto type = wire::ParseMediaType(content_type);
  if (!type.ok()) return false;
  return std::any_of(limits_.accept_types.begin(), limits_.accept_types.end(),
                     [&](const std::string& pattern) { return type->Matches(pattern); });
}

void MsrpReceiverSession::HandleSend(const MsrpMessage& send) {
  const MsrpUri* local = MatchLocal(send);
  const std::optional<std::string> message_id = send.MessageId();
  if (!message_id) {
    Reply(send, 400, "Bad Request");  // 7.1.1: every SEND carries a Message-ID
    return;
  }
  const std::string path = local->ToString();
  const std::string key = path + " " + *message_id;
  auto it = messages_.find(key);
  if (it == messages_.end()) {
    const std::optional<std::string> content_type = send.ContentType();
    if (content_type && !TypeAccepted(*content_type)) {
      Reply(send, 415, "Unsupported Media Type");  // 7.3.1
      ++stats_.messages_refused;
      return;
    }
    if (const auto range = send.GetByteRange(); range && range->total && *range->total > limits_.max_message_size) {
      Reply(send, 413, "Message Too Large");  // 7.3.1: the sender stops sending this message
      ++stats_.messages_refused;
      return;
    }
    if (messages_.size() >= limits_.max_open_messages) {
      Reply(send, 413, "Too Many Messages");
      ++stats_.messages_refused;
      return;
    }
    OpenMessage open{wire::MsrpReassembler(*message_id, {limits_.max_message_size, limits_.max_ranges}), {}, path,
                     content_type.value_or(std::string()), false, 0};
    open.first = send;
    open.first.body.clear();
    it = messages_.emplace(key, std::move(open)).first;
  }
  OpenMessage& open = it->second;
  // 7.1.1: the report headers describe the whole message; honour a request on any chunk.
  if (send.SuccessReport()) open.success_report = true;
  if (open.content_type.empty()) {
    if (auto content_type = send.ContentType()) open.content_type = *content_type;
  }
  auto added = open.reassembler.Add(send);
  if (!added.ok()) {
    const bool too_large = added.error().code == wire::ErrorCode::kTooLarge;
    Reply(send, too_large ? 413 : 400, too_large ? "Message Too Large" : "Bad Request");
    ++stats_.messages_refused;
    messages_.erase(it);
    return;
  }
  ++stats_.sends;
  ++open.chunks;
  Reply(send, 200, "OK");
  if (open.reassembler.Aborted()) {
    ++stats_.messages_aborted;
    messages_.erase(it);
    return;
  }
  if (!added.value()) return;

  const std::uint64_t total = open.reassembler.Total().value_or(0);
  MsrpReceivedMessage done;
  done.session_path = open.session_path;
  done.message_id = *message_id;
  done.content_type = open.content_type;
  done.body = open.reassembler.TakeBody();
  done.chunks = open.chunks;
  if (open.success_report) {
    // 7.1.2: the REPORT covers the whole message, 1-N/N, Status 000 200 OK.
    Write(wire::MakeReport(open.first, NextTransactionId(), wire::ByteRange{1, total, total}));
    ++stats_.reports_sent;
  }
  ++stats_.messages_completed;
  messages_.erase(it);
  if (deliver_) deliver_(std::move(done));
}

void MsrpReceiverSession::Reply(const MsrpMessage& request, int code, std::string comment) {
  if (!wire::ShouldSendResponse(request, code)) return;
  Write(wire::MakeResponse(request, code, std::move(comment)));
  ++stats_.responses_sent;
  if (code == 200) {
    ++stats_.ok_sent;
  } else {
    ++stats_.errors_sent;
  }
}

void MsrpReceiverSession::Write(const MsrpMessage& message) {
  std::string bytes = message.Serialize();
  stats_.bytes_out += bytes.size();
  if (write_) write_(std::move(bytes));
}

std::string MsrpReceiverSession::NextTransactionId() {
  // Only REPORTs get ids from here and they carry no body, so a counter is collision-free (RFC
  // 4975 7.1 asks for randomness to keep ids unpredictable across a relay, not needed here).
  std::string digits = std::to_string(++transaction_counter_);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "rpt" + digits;
}

}  // namespace pushsim::push
