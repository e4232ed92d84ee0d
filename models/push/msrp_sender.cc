#include "push/msrp_sender.h"

#include <utility>

namespace pushsim::push {

MsrpSenderSession::MsrpSenderSession(std::size_t chunk_size, bool success_report, std::uint64_t seed)
    : chunk_size_(chunk_size == 0 ? 1 : chunk_size), success_report_(success_report), state_(seed) {}

std::uint64_t MsrpSenderSession::NextRandom() {
  // splitmix64: a full-period 64-bit sequence from the seed.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::size_t MsrpSenderSession::AddFile(MsrpOutgoingFile file) {
  MsrpFileResult result;
  result.index = files_.size();
  result.size = file.content.size();
  files_.push_back(std::move(file));
  results_.push_back(std::move(result));
  return files_.size() - 1;
}

std::string MsrpSenderSession::Start() {
  std::string out;
  if (started_) return out;
  started_ = true;
  const wire::MsrpRandom random = [this] { return NextRandom(); };
  std::vector<std::string> used;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    const MsrpOutgoingFile& file = files_[i];
    // Message-ID: an ident (section 9), unique within the session.
    results_[i].message_id = "m" + std::to_string(i) + "x" + std::to_string(NextRandom() % 1000000007u);
    wire::MsrpChunkerOptions options;
    options.to_path = {file.remote_path};
    options.from_path = {file.local_path};
    options.message_id = results_[i].message_id;
    options.content_type = file.content_type;
    options.mime_headers = file.mime_headers;
    options.success_report = success_report_;
    options.max_chunk_size = chunk_size_;
    std::vector<wire::MsrpMessage> chunks = wire::ChunkMessage(file.content, options, random);
    results_[i].chunks = chunks.size();
    for (wire::MsrpMessage& chunk : chunks) {
      // Transaction ids must differ across the whole session, not only within one file.
      while (transactions_.count(chunk.transaction_id) != 0) {
        chunk.transaction_id = wire::ChooseTransactionId(chunk.body, random, used);
      }
      used.push_back(chunk.transaction_id);
      transactions_[chunk.transaction_id] = PendingChunk{i, chunk.body.size()};
      out += chunk.Serialize();
    }
  }
  bytes_written_ += out.size();
  if (files_.empty() && !completed_reported_) {
    completed_reported_ = true;
    if (on_complete) on_complete();
  }
  return out;
}

bool MsrpSenderSession::OnData(std::string_view bytes) {
  input_.append(bytes);
  while (!input_.empty()) {
    auto length = wire::MsrpFrameLength(input_);
    if (!length.ok()) {
      OnClosed();
      return false;
    }
    if (!length.value()) {
      if (input_.size() > kMaxPendingInput) {
        OnClosed();
        return false;
      }
      return true;
    }
    const std::size_t frame = *length.value();
    auto message = wire::MsrpMessage::Parse(std::string_view(input_).substr(0, frame));
    input_.erase(0, frame);
    if (!message.ok()) {
      OnClosed();
      return false;
    }
    Handle(message.value());
  }
  return true;
}

void MsrpSenderSession::Handle(const wire::MsrpMessage& message) {
  if (!message.is_request) {
    auto it = transactions_.find(message.transaction_id);
    if (it == transactions_.end()) return;  // not ours, or answered already
    const PendingChunk chunk = it->second;
    transactions_.erase(it);
    MsrpFileResult& result = results_[chunk.file];
    if (result.done) return;
    if (message.status_code == 200) {
      ++result.chunks_acknowledged;
      result.bytes_acknowledged += chunk.bytes;
      if (!success_report_ && result.chunks_acknowledged == result.chunks) Finish(chunk.file, true);
    } else {
      result.failure_code = message.status_code;
      Finish(chunk.file, false);
    }
    return;
  }
  if (!message.IsReport()) return;  // a receiver sends us nothing else; section 7.1.2: no response to REPORT
  const std::optional<std::string> id = message.MessageId();
  if (!id) return;
  for (std::size_t i = 0; i < results_.size(); ++i) {
    MsrpFileResult& result = results_[i];
    if (result.message_id != *id || result.done) continue;
    const std::optional<wire::MsrpStatus> status = message.Status();
    const std::optional<wire::ByteRange> range = message.GetByteRange();
    result.report_received = true;
    result.report_status = status;
    const bool ok = status && status->namespace_code == 0 && status->code == 200;
    if (!ok) {
      result.failure_code = status ? status->code : 0;
      Finish(i, false);
      return;
    }
    // A success report about the whole message: 1-N/N (section 7.1.2).
    const bool whole = range && range->start == 1 && range->end && *range->end == result.size &&
                       (!range->total || *range->total == result.size);
    if (whole && success_report_) Finish(i, true);
    return;
  }
}

void MsrpSenderSession::Finish(std::size_t file, bool delivered) {
  MsrpFileResult& result = results_[file];
  if (result.done) return;
  result.done = true;
  result.delivered = delivered;
  if (on_file_done) on_file_done(result);
  if (Complete() && !completed_reported_) {
    completed_reported_ = true;
    if (on_complete) on_complete();
  }
}

void MsrpSenderSession::OnClosed() {
  for (std::size_t i = 0; i < results_.size(); ++i) {
    if (!results_[i].done) Finish(i, false);
  }
}

bool MsrpSenderSession::Complete() const {
  for (const MsrpFileResult& result : results_) {
    if (!result.done) return false;
  }
  return true;
}

bool MsrpSenderSession::AllDelivered() const {
  for (const MsrpFileResult& result : results_) {
    if (!result.delivered) return false;
  }
  return true;
}

}  // namespace pushsim::push
