// SIP message codec: parse, validate, serialize, re-parse; every typed header parser on every
// header value; SIP URIs re-serialized and compared.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/sip_headers.h"
#include "wire/sip_message.h"
#include "wire/sip_uri.h"
#include "wire/sip_validate.h"

namespace {

using namespace pushsim::wire;

// A URI that parses must serialize to text that parses to an equivalent URI.
void CheckUriRoundTrip(std::string_view text) {
  auto uri = ParseSipUri(text);
  if (!uri.ok()) return;
  const std::string again = uri->ToString();
  auto reparsed = ParseSipUri(again);
  if (!reparsed.ok() || !SipUriEquivalent(*uri, *reparsed) || reparsed->ToString() != again) __builtin_trap();
}

void RunTypedParsers(std::string_view value) {
  (void)ParseVia(value);
  (void)ParseViaValue(value);
  (void)ParseContactValue(value);
  (void)ParseFromTo(value);
  (void)ParseReferTo(value);
  (void)ParseReferredBy(value);
  (void)ParseNameAddrListValue(value, true);
  (void)ParseNameAddrListValue(value, false);
  (void)ParseCSeq(value);
  (void)ParseDeltaSeconds(value);
  (void)ParseMaxForwards(value);
  (void)ParseEvent(value);
  (void)ParseSubscriptionState(value);
  (void)ParseRetryAfter(value);
  (void)ParseTokenListValue(value, true);
  (void)ParseServiceListValue(value);
  CheckUriRoundTrip(value);
  auto address = ParseNameAddr(value);
  if (address.ok()) {
    CheckUriRoundTrip(address->uri);
    // The serialized address must parse back to the same URI and parameters.
    auto again = ParseNameAddr(address->ToString());
    if (!again.ok() || again->uri != address->uri || again->params != address->params) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  RunTypedParsers(input.substr(0, 512));

  auto message = SipMessage::Parse(input);
  if (!message.ok()) return 0;
  (void)ValidateSipMessage(*message, input);
  (void)ValidateSipMessage(*message, "");
  (void)ParseVias(*message);
  (void)ParseContacts(*message);
  (void)ParseTokenList(*message, HeaderId::kAllow);
  (void)ParseServiceList(*message, HeaderId::kPAssertedService);
  (void)ParseNameAddrList(*message, HeaderId::kRoute);
  if (message->IsRequest()) CheckUriRoundTrip(message->request_uri());
  for (std::size_t i = 0; i < message->header_count(); ++i) RunTypedParsers(message->header(i).value);

  const std::string serialized = message->Serialize();
  if (serialized.size() != message->SerializedSize()) __builtin_trap();
  auto reparsed = SipMessage::Parse(serialized);
  if (!reparsed.ok()) __builtin_trap();
  if (reparsed->Serialize() != serialized) __builtin_trap();
  return 0;
}
