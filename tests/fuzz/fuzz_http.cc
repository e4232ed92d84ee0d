// Fuzzes the HTTP/1.1 codec: stream framing (open and closed streams), strict parsing of every
// framed message, a serialize/parse round trip that must give the same message, and the input as
// an http URL (parse, format, parse again: the same URL) and as a query string.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/http.h"

namespace {

using namespace pushsim::wire;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void RoundTrip(const HttpMessage& message, const HttpParseOptions& options) {
  const std::string once = message.Serialize();
  auto again = HttpMessage::Parse(once, options);
  Check(again.ok());
  Check(again->IsRequest() == message.IsRequest());
  Check(again->method() == message.method() && again->target() == message.target());
  Check(again->status_code() == message.status_code() && again->reason() == message.reason());
  Check(again->version_major() == message.version_major() && again->version_minor() == message.version_minor());
  Check(again->fields() == message.fields());
  Check(again->body() == message.body());
  Check(again->Serialize() == once);
}

void FuzzStream(std::string_view input, bool end_of_stream, std::string_view request_method) {
  HttpFrameOptions frame_options;
  frame_options.end_of_stream = end_of_stream;
  frame_options.request_method = request_method;
  frame_options.limits.max_body_size = 1 << 16;
  HttpParseOptions parse_options;
  parse_options.request_method = request_method;
  parse_options.limits = frame_options.limits;
  std::string_view rest = input;
  for (int frames = 0; frames < 32 && !rest.empty(); ++frames) {
    int status = 0;
    auto length = HttpFrameLength(rest, frame_options, &status);
    if (!length.ok()) {
      Check(status == 400 || status == 413 || status == 431 || status == 501 || status == 505);
      return;
    }
    if (!length->has_value()) {
      Check(!end_of_stream);
      return;
    }
    Check(**length > 0 && **length <= rest.size());
    auto message = HttpMessage::Parse(rest.substr(0, **length), parse_options);
    // Whatever the framing accepted, the parser accepts as one message.
    Check(message.ok());
    RoundTrip(*message, parse_options);
    rest.remove_prefix(**length);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzStream(input, false, "GET");
  FuzzStream(input, true, "GET");
  FuzzStream(input, false, "HEAD");

  auto message = HttpMessage::Parse(input);
  if (message.ok()) RoundTrip(*message, {});

  auto url = ParseHttpUrl(input);
  if (url.ok()) {
    auto again = ParseHttpUrl(url->ToString());
    Check(again.ok());
    Check(again->host == url->host && again->port == url->port && again->Target() == url->Target());
  }
  auto value = HttpQueryParameter(input, "type");
  (void)value;
  return 0;
}
