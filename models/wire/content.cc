#include "wire/content.h"

#include "wire/body.h"
#include "wire/cpim.h"
#include "wire/mime.h"
#include "wire/sdp.h"
#include "wire/sip_validate.h"

namespace pushsim::wire {
namespace {

// Moves an error found inside `part` (a view into or a copy of a piece of `whole` starting at
// `part_offset`) to a position in `whole`.
ParseError Rebase(ParseError error, std::string_view whole, std::size_t part_offset) {
  return MakeError(error.code, whole, part_offset + error.offset, std::move(error.detail));
}

std::optional<ParseError> Validate(std::string_view content_type, std::string_view body, std::size_t depth) {
  auto type = ParseMediaType(content_type);
  if (!type.ok()) return MakeError(ErrorCode::kBadHeaderValue, body, 0, "Content-Type: " + type.error().detail);
  const std::string essence = type->Essence();
  if (essence == "application/sdp") {
    auto sdp = SessionDescription::Parse(body);
    if (!sdp.ok()) return sdp.error();
    return std::nullopt;
  }
  if (type->type == "multipart" || essence.rfind("multipart/", 0) == 0) {
    auto parts = ParseMultipart(body, *type);
    if (!parts.ok()) return parts.error();
    if (depth >= kMaxMultipartDepth) return std::nullopt;
    for (const BodyPart& part : *parts) {
      auto part_type = part.ContentType();
      if (!part_type.ok()) return part_type.error();
      if (auto error = Validate(part_type->ToString(), part.content, depth + 1)) {
        const std::size_t at = body.find(part.content);
        return Rebase(*error, body, at == std::string_view::npos ? 0 : at);
      }
    }
    return std::nullopt;
  }
  if (essence == "message/sipfrag") {
    auto fragment = ParseSipFrag(body);
    if (!fragment.ok()) return fragment.error();
    return std::nullopt;
  }
  if (essence == "message/sip") {
    auto message = ParseMessageSipBody(body);
    if (!message.ok()) return message.error();
    return ValidateSipMessage(*message, body);
  }
  if (essence == "message/external-body") {
    auto external = ParseExternalBody(*type, body);
    if (!external.ok()) return external.error();
    return std::nullopt;
  }
  if (essence == "message/cpim") {
    auto cpim = CpimMessage::Parse(body);
    if (!cpim.ok()) return cpim.error();
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ParseError> ValidateContent(std::string_view content_type, std::string_view body) {
  return Validate(content_type, body, 0);
}

}  // namespace pushsim::wire
