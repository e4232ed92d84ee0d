// Fuzzes the body codecs: multipart (fixed boundary "b1", and a boundary taken from the first
// line), message/sipfrag, and message/external-body (first line = Content-Type value, rest =
// body). Whatever parses must serialize and parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wire/body.h"

namespace {

using namespace pushsim::wire;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool SameHeaders(const MimeHeaders& a, const MimeHeaders& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.fields[i].name != b.fields[i].name) return false;
    // The serializer writes a part's Content-Length as the content size; its text may differ
    // ("05" and "5") though the parser already checked the number.
    if (EqualsIgnoreCase(a.fields[i].name, "Content-Length")) continue;
    if (a.fields[i].value != b.fields[i].value) return false;
  }
  return true;
}

void FuzzMultipart(std::string_view body, std::string_view boundary) {
  auto parts = ParseMultipart(body, boundary);
  if (!parts.ok()) return;
  Check(!parts->empty() && parts->size() <= kMaxBodyParts);
  const std::string serialized = SerializeMultipart(*parts, boundary);
  auto again = ParseMultipart(serialized, boundary);
  Check(again.ok());
  Check(again->size() == parts->size());
  for (std::size_t i = 0; i < parts->size(); ++i) {
    Check(SameHeaders((*parts)[i].headers, (*again)[i].headers));
    Check((*parts)[i].content == (*again)[i].content);
  }
  // A fresh boundary must also work: it occurs in no part.
  const std::string fresh = MakeBoundary(*parts);
  Check(IsValidBoundary(fresh));
  auto with_fresh = ParseMultipart(SerializeMultipart(*parts, fresh), fresh);
  Check(with_fresh.ok() && with_fresh->size() == parts->size());
}

void FuzzSipFrag(std::string_view body) {
  auto fragment = ParseSipFrag(body);
  if (!fragment.ok()) return;
  const std::string serialized = SerializeSipFrag(*fragment);
  auto again = ParseSipFrag(serialized);
  Check(again.ok());
  Check(again->IsRequest() == fragment->IsRequest());
  Check(again->method_name() == fragment->method_name());
  Check(again->request_uri() == fragment->request_uri());
  Check(again->status_code() == fragment->status_code());
  Check(again->reason_phrase() == fragment->reason_phrase());
  Check(again->header_count() == fragment->header_count());
  for (std::size_t i = 0; i < fragment->header_count(); ++i) {
    const HeaderField a = fragment->header(i);
    const HeaderField b = again->header(i);
    Check(a.id == b.id);
    if (a.id == HeaderId::kOther) Check(a.name == b.name);
    if (a.id != HeaderId::kContentLength) Check(a.value == b.value);
  }
  Check(again->body() == fragment->body());
}

void FuzzExternalBody(std::string_view type_text, std::string_view body) {
  auto type = ParseMediaType(type_text);
  if (!type.ok()) return;
  auto external = ParseExternalBody(*type, body);
  if (!external.ok()) return;
  const auto [outer, phantom] = MakeExternalBody(*external);
  const std::string outer_text = outer.ToString();
  // Quoting can lengthen the value past the documented limit; that is not a round-trip failure.
  if (outer_text.size() > kMaxMimeValueBytes) return;
  auto outer_again = ParseMediaType(outer_text);
  Check(outer_again.ok());
  auto again = ParseExternalBody(*outer_again, phantom);
  Check(again.ok());
  Check(again->url == external->url);
  Check(again->size == external->size);
  Check(again->expiration == external->expiration);
  Check(again->content_id == external->content_id);
  Check(again->content_type.Essence() == external->content_type.Essence());
  Check(again->content_type.params == external->content_type.params);
  Check(EqualsIgnoreCase(again->access_type, external->access_type));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzMultipart(input, "b1");
  FuzzSipFrag(input);
  const std::size_t newline = input.find('\n');
  if (newline != std::string_view::npos) {
    std::string_view first = input.substr(0, newline);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    const std::string_view rest = input.substr(newline + 1);
    FuzzMultipart(rest, first);
    FuzzExternalBody(first, rest);
  }
  return 0;
}
