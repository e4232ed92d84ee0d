// SDP parse and serialize cost on the corrected SIP Push TS C.3 file-transfer offer.
#include <benchmark/benchmark.h>

#include <string>

#include "wire/sdp.h"

namespace {

// The TS appendix C.3 offer with the corrections described in tests/unit/sdp_test.cc.
const std::string kMsrpOffer =
    "v=0\r\n"
    "o=push 2890844526 2890844526 IN IP4 push-sender-agent.example.com\r\n"
    "s=\r\n"
    "c=IN IP4 push-sender-agent.example.com\r\n"
    "t=0 0\r\n"
    "m=message 7654 TCP/MSRP *\r\n"
    "i=This is my latest picture\r\n"
    "a=sendonly\r\n"
    "a=accept-types:message/cpim\r\n"
    "a=accept-wrapped-types:*\r\n"
    "a=path:msrp://push-sender-agent.example.com:7654/jshA7we;tcp\r\n"
    "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:4092 "
    "hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n"
    "a=file-disposition:not-render\r\n"
    "a=file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"\r\n"
    "a=file-icon:cid:id2@push-sender-agent.example.com\r\n";

void BM_SdpParseMsrpOffer(benchmark::State& state) {
  for (auto _ : state) {
    auto sdp = pushsim::wire::SessionDescription::Parse(kMsrpOffer);
    benchmark::DoNotOptimize(sdp);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kMsrpOffer.size()));
}
BENCHMARK(BM_SdpParseMsrpOffer);

void BM_SdpSerializeMsrpOffer(benchmark::State& state) {
  const auto sdp = pushsim::wire::SessionDescription::Parse(kMsrpOffer);
  if (!sdp.ok()) {
    state.SkipWithError("offer does not parse");
    return;
  }
  for (auto _ : state) {
    std::string text = sdp->Serialize();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kMsrpOffer.size()));
}
BENCHMARK(BM_SdpSerializeMsrpOffer);

}  // namespace
