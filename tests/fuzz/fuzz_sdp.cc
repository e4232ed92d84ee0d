// Fuzz target for the SDP codec: whatever parses must serialize, re-parse to an equal value and
// serialize to the same text; the typed RFC 4975 / RFC 5547 getters must round-trip too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/sdp.h"

namespace {

using pushsim::wire::SdpMedia;
using pushsim::wire::SessionDescription;

void CheckTypedAttributes(const SdpMedia& media) {
  (void)media.Path();
  (void)media.AcceptTypes();
  (void)media.AcceptWrappedTypes();
  (void)media.MaxSize();
  (void)media.FileTransferId();
  (void)media.FileDisposition();
  (void)media.FileIcon();
  (void)pushsim::wire::CheckMsrpMedia(media);
  if (auto selector = media.GetFileSelector(); selector.ok()) {
    auto again = pushsim::wire::ParseFileSelector(pushsim::wire::ToString(*selector));
    if (!again.ok() || *again != *selector) __builtin_trap();
  }
  if (auto date = media.GetFileDate(); date.ok()) {
    auto again = pushsim::wire::ParseFileDate(pushsim::wire::ToString(*date));
    if (!again.ok() || *again != *date) __builtin_trap();
  }
  if (auto range = media.GetFileRange(); range.ok()) {
    auto again = pushsim::wire::ParseFileRange(pushsim::wire::ToString(*range));
    if (!again.ok() || *again != *range) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = SessionDescription::Parse(input);
  if (!parsed.ok()) return 0;
  const std::string serialized = parsed->Serialize();
  if (serialized.size() != parsed->SerializedSize()) __builtin_trap();
  auto reparsed = SessionDescription::Parse(serialized);
  if (!reparsed.ok()) __builtin_trap();
  if (*reparsed != *parsed) __builtin_trap();
  if (reparsed->Serialize() != serialized) __builtin_trap();
  for (std::size_t i = 0; i < parsed->media.size(); ++i) {
    CheckTypedAttributes(parsed->media[i]);
    (void)parsed->DirectionOf(i);
  }
  // Also feed the raw input to the attribute-value parsers.
  (void)pushsim::wire::ParseFileSelector(input);
  (void)pushsim::wire::ParseFileDate(input);
  (void)pushsim::wire::ParseFileRange(input);
  return 0;
}
