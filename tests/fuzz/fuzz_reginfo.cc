// Fuzz target for application/reginfo+xml (RFC 3680 5, RFC 5628 4): whatever parses must
// serialize, re-parse to an equal document and serialize to the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ims/reg_event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = pushsim::ims::ParseRegInfo(input);
  if (!parsed.ok()) return 0;
  const std::string written = pushsim::ims::SerializeRegInfo(*parsed);
  auto reparsed = pushsim::ims::ParseRegInfo(written);
  if (!reparsed.ok() || *reparsed != *parsed) __builtin_trap();
  if (pushsim::ims::SerializeRegInfo(*reparsed) != written) __builtin_trap();
  return 0;
}
