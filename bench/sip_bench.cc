// SIP message codec throughput: parse, serialize and validate a push MESSAGE and an INVITE.
#include <benchmark/benchmark.h>

#include <string>

#include "wire/sip_message.h"
#include "wire/sip_validate.h"

namespace {

using pushsim::wire::SipMessage;

// A push MESSAGE as a Push Sender Agent sends it (TS Appendix C.2 shape, with an IMS identity and
// the Application Resource Identifier feature tag); about 700 bytes with a 200-byte body.
const std::string& PushMessage() {
  static const std::string text = [] {
    const std::string body =
        "<?xml version=\"1.0\"?>\n<push-message id=\"4711\" app=\"mms.ua\">\n"
        "<content-location>http://mmsc.home1.net/mms/get?id=0a1b2c3d4e5f</content-location>\n"
        "<expiry>2030-01-01T00:00:00Z</expiry>\n</push-message>\n";
    std::string message =
        "MESSAGE sip:user2@home1.net SIP/2.0\r\n"
        "Via: SIP/2.0/TCP pushsender.home1.net:5060;branch=z9hG4bK776sgdkse;rport\r\n"
        "Max-Forwards: 70\r\n"
        "To: <sip:user2@home1.net>\r\n"
        "From: \"Push Sender\" <sip:pushsender@home1.net>;tag=49583\r\n"
        "Call-ID: asd88asd77a@pushsender.home1.net\r\n"
        "CSeq: 1 MESSAGE\r\n"
        "P-Asserted-Identity: \"Push Sender\" <sip:pushsender@home1.net>\r\n"
        "Accept-Contact: *;+g.oma.pusheventapp=\"mms.ua,x-wap-application:push.sia\";require;explicit\r\n"
        "Content-Type: application/vnd.oma.push\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    return message;
  }();
  return text;
}

// An INVITE that opens an MSRP session for push content (TS 9.3), with its SDP offer.
const std::string& PushInvite() {
  static const std::string text = [] {
    const std::string sdp =
        "v=0\r\n"
        "o=pushsender 2890844526 2890844527 IN IP4 pushsender.home1.net\r\n"
        "s=-\r\n"
        "c=IN IP4 192.0.2.10\r\n"
        "t=0 0\r\n"
        "m=message 7394 TCP/MSRP *\r\n"
        "a=accept-types:application/vnd.oma.push text/plain\r\n"
        "a=path:msrp://192.0.2.10:7394/iau39soe2843z;tcp\r\n"
        "a=sendonly\r\n";
    return "INVITE sip:user2@home1.net SIP/2.0\r\n"
           "Via: SIP/2.0/TCP pushsender.home1.net:5060;branch=z9hG4bK74bf9\r\n"
           "Max-Forwards: 70\r\n"
           "To: <sip:user2@home1.net>\r\n"
           "From: \"Push Sender\" <sip:pushsender@home1.net>;tag=9fxced76sl\r\n"
           "Call-ID: 3848276298220188511@pushsender.home1.net\r\n"
           "CSeq: 1 INVITE\r\n"
           "Contact: <sip:pushsender@192.0.2.10:5060;transport=tcp>\r\n"
           "P-Asserted-Identity: <sip:pushsender@home1.net>\r\n"
           "Accept-Contact: *;+g.oma.pusheventapp=\"mms.ua\"\r\n"
           "Allow: INVITE, ACK, CANCEL, BYE, MESSAGE\r\n"
           "Supported: timer\r\n"
           "Content-Type: application/sdp\r\n"
           "Content-Length: " +
           std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  }();
  return text;
}

void ParseBench(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto message = SipMessage::Parse(text);
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}

void SerializeBench(benchmark::State& state, const std::string& text) {
  auto message = SipMessage::Parse(text);
  if (!message.ok()) {
    state.SkipWithError("sample does not parse");
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = message->Serialize();
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(bytes));
}

void BM_ParseMessage(benchmark::State& state) { ParseBench(state, PushMessage()); }
void BM_SerializeMessage(benchmark::State& state) { SerializeBench(state, PushMessage()); }

void BM_ParseAndValidate(benchmark::State& state) {
  const std::string& text = PushMessage();
  for (auto _ : state) {
    auto message = SipMessage::Parse(text);
    if (!message.ok() || pushsim::wire::ValidateSipMessage(*message, text)) {
      state.SkipWithError("sample is not valid");
      return;
    }
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}

void BM_ParseInvite(benchmark::State& state) { ParseBench(state, PushInvite()); }
void BM_SerializeInvite(benchmark::State& state) { SerializeBench(state, PushInvite()); }

BENCHMARK(BM_ParseMessage);
BENCHMARK(BM_SerializeMessage);
BENCHMARK(BM_ParseAndValidate);
BENCHMARK(BM_ParseInvite);
BENCHMARK(BM_SerializeInvite);

}  // namespace
