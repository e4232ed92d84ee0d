#include "ims/xml_read.h"

#include <libxml/parser.h>

#include <algorithm>
#include <mutex>
#include <string>

namespace pushsim::ims::xml {
namespace {

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

wire::ParseError ErrorAt(wire::ErrorCode code, std::string_view input, std::size_t offset, std::string detail) {
  return wire::MakeError(code, input, std::min(offset, input.size()), std::move(detail));
}

}  // namespace

void InitLibxml() {
  static std::once_flag initialized;
  std::call_once(initialized, [] { xmlInitParser(); });
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view NameOf(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::size_t LineStart(std::string_view input, long line) {
  std::size_t offset = 0;
  for (long current = 1; current < line; ++current) {
    const std::size_t newline = input.find('\n', offset);
    if (newline == std::string_view::npos) return input.size();
    offset = newline + 1;
  }
  return offset;
}

wire::Result<DocPtr> ReadUntrusted(std::string_view input, const UntrustedXmlOptions& options) {
  using wire::ErrorCode;
  if (input.size() > options.max_bytes) {
    return ErrorAt(ErrorCode::kTooLarge, input, options.max_bytes,
                   std::string(options.too_large) + " larger than " + std::to_string(options.max_bytes) + " bytes");
  }
  // Refused before libxml2 sees the bytes; with the encoding forced below, this byte sequence is
  // the only way to write a DOCTYPE.
  if (const std::size_t doctype = input.find("<!DOCTYPE"); doctype != std::string_view::npos) {
    return ErrorAt(ErrorCode::kBadBody, input, doctype, std::string(options.doctype));
  }
  InitLibxml();
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> context(xmlNewParserCtxt());
  if (!context) return ErrorAt(ErrorCode::kBadBody, input, 0, "XML parser could not be created");
  // No XML_PARSE_NOENT (entity substitution) and no XML_PARSE_DTDLOAD: nothing is expanded or
  // fetched. IGNORE_ENC with an explicit "UTF-8" keeps an encoding declaration from switching the
  // parser to another encoding behind the DOCTYPE check above.
  int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | XML_PARSE_IGNORE_ENC;
  if (options.drop_blank_text) flags |= XML_PARSE_NOBLANKS;
  DocPtr doc(xmlCtxtReadMemory(context.get(), input.data(), static_cast<int>(input.size()), nullptr, "UTF-8", flags));
  if (!doc) {
    const xmlError* xml_error = xmlCtxtGetLastError(context.get());
    std::string message = xml_error != nullptr && xml_error->message != nullptr ? xml_error->message : "unknown error";
    message = std::string(TrimSpace(message));
    std::replace(message.begin(), message.end(), '\n', ' ');  // libxml2 appends "Bytes: ..." on a new line
    const long line = xml_error != nullptr && xml_error->line > 0 ? xml_error->line : 1;
    const long column = xml_error != nullptr && xml_error->int2 > 0 ? xml_error->int2 : 1;
    const std::size_t line_start = LineStart(input, line);
    const std::size_t line_end = std::min(input.find('\n', line_start), input.size());
    wire::ParseError error = ErrorAt(ErrorCode::kBadBody, input,
                                     std::min(line_start + static_cast<std::size_t>(column - 1), line_end),
                                     "malformed XML: " + message);
    error.line = static_cast<std::uint32_t>(line);  // libxml2's own count decides the line
    return error;
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return ErrorAt(ErrorCode::kBadBody, input, 0, std::string(options.doctype));
  }
  return doc;
}

}  // namespace pushsim::ims::xml
