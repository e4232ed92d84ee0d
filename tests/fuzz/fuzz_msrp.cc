// Fuzzes the MSRP codec and the message/cpim parser: stream framing, strict parsing, a
// serialize/parse round trip that must be stable, reassembly of every SEND chunk framed from the
// input under small limits, MSRP URI and Byte-Range parsing, and the input as a CPIM message.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "wire/cpim.h"
#include "wire/msrp.h"

namespace {

using namespace pushsim::wire;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

constexpr std::uint64_t kMaxMessage = 4096;

void RoundTrip(const MsrpMessage& message, const MsrpLimits& limits) {
  const std::string once = message.Serialize();
  Check(once.size() == message.SerializedSize());
  auto again = MsrpMessage::Parse(once, limits);
  Check(again.ok());
  Check(again->Serialize() == once);
  Check(again->transaction_id == message.transaction_id && again->body == message.body && again->flag == message.flag);
  auto framed = MsrpFrameLength(once, limits);
  Check(framed.ok() && framed->has_value() && **framed == once.size());
}

void FuzzStream(std::string_view input, const MsrpLimits& limits) {
  std::map<std::string, MsrpReassembler> reassemblers;
  std::string_view rest = input;
  for (int frames = 0; frames < 64 && !rest.empty(); ++frames) {
    auto length = MsrpFrameLength(rest, limits);
    if (!length.ok() || !length->has_value()) return;
    Check(**length > 0 && **length <= rest.size());
    auto message = MsrpMessage::Parse(rest.substr(0, **length), limits);
    rest.remove_prefix(**length);
    if (!message.ok()) continue;
    RoundTrip(*message, limits);
    const auto message_id = message->MessageId();
    if (!message->IsSend() || !message_id) continue;
    if (reassemblers.size() >= 8 && reassemblers.count(*message_id) == 0) continue;
    auto [it, inserted] = reassemblers.try_emplace(*message_id, *message_id, MsrpReassemblyLimits{kMaxMessage, 16});
    MsrpReassembler& reassembler = it->second;
    auto added = reassembler.Add(*message);
    Check(reassembler.RangeCount() <= 16);
    Check(reassembler.BytesReceived() <= kMaxMessage);
    if (added.ok() && added.value()) {
      const auto total = reassembler.Total();
      Check(total.has_value());
      const std::string body = reassembler.TakeBody();
      Check(body.size() == *total);
    }
  }
}

void FuzzCpim(std::string_view input) {
  CpimLimits limits;
  auto message = CpimMessage::Parse(input, limits);
  if (!message.ok()) return;
  const std::string once = message->Serialize();
  auto again = CpimMessage::Parse(once, limits);
  Check(again.ok());
  Check(again->Serialize() == once);
  (void)message->From();
  (void)message->To();
  (void)message->Subject();
  (void)message->Require();
}

void FuzzValues(std::string_view input) {
  const std::string_view line = input.substr(0, input.find('\n'));
  if (auto uri = ParseMsrpUri(line); uri.ok()) {
    auto again = ParseMsrpUri(uri->ToString());
    Check(again.ok());
    Check(MsrpUriEquivalent(*uri, *again));
    Check(again->ToString() == uri->ToString());
  }
  if (auto range = ParseByteRange(line); range.ok()) {
    auto again = ParseByteRange(FormatByteRange(*range));
    Check(again.ok() && *again == *range);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  MsrpLimits limits;
  limits.max_body_size = 16384;
  limits.max_header_count = 16;
  auto parsed = MsrpMessage::Parse(input, limits);
  if (parsed.ok()) {
    RoundTrip(*parsed, limits);
    // A message that parses alone is exactly one frame.
    auto length = MsrpFrameLength(input, limits);
    Check(length.ok() && length->has_value() && **length == input.size());
  }
  FuzzStream(input, limits);
  FuzzCpim(input);
  FuzzValues(input);
  return 0;
}
