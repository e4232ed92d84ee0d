// MSRP codec throughput: parse, serialize and frame a SEND that carries one 2 KiB chunk (the
// chunk size of the TS appendix C.3 flow).
#include <benchmark/benchmark.h>

#include <string>

#include "wire/msrp.h"

namespace {

using pushsim::wire::MsrpFrameLength;
using pushsim::wire::MsrpMessage;

// The first chunk of a 4385-byte message, as in TS appendix C.3, with a 2048-byte body of text.
const std::string& Send2KiB() {
  static const std::string text = [] {
    std::string body(2048, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7) % 26);
    return "MSRP d93kswow SEND\r\n"
           "To-Path: msrp://bobpc.example.com:8888/9di4ea;tcp\r\n"
           "From-Path: msrp://push-sender-agent.example.com:7654/iau39;tcp\r\n"
           "Message-ID: 12339sdqwer\r\n"
           "Byte-Range: 1-2048/4385\r\n"
           "Success-Report: yes\r\n"
           "Content-Type: message/cpim\r\n"
           "\r\n" +
           body + "\r\n-------d93kswow+\r\n";
  }();
  return text;
}

void BM_MsrpParseSend2KiB(benchmark::State& state) {
  const std::string& text = Send2KiB();
  for (auto _ : state) {
    auto message = MsrpMessage::Parse(text);
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_MsrpParseSend2KiB);

void BM_MsrpSerializeSend2KiB(benchmark::State& state) {
  const MsrpMessage message = MsrpMessage::Parse(Send2KiB()).value();
  for (auto _ : state) {
    std::string text = message.Serialize();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * Send2KiB().size()));
}
BENCHMARK(BM_MsrpSerializeSend2KiB);

void BM_MsrpFrameLength2KiB(benchmark::State& state) {
  const std::string& text = Send2KiB();
  for (auto _ : state) {
    auto length = MsrpFrameLength(text);
    benchmark::DoNotOptimize(length);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_MsrpFrameLength2KiB);

}  // namespace
