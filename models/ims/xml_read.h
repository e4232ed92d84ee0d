// Reading XML that comes from outside (HSS profiles, reginfo bodies) with libxml2, hardened the
// same way everywhere: a size limit, no DOCTYPE (where entity bombs and external entities live),
// no entity expansion, no network, and the encoding forced to UTF-8 so a declaration cannot hide a
// DOCTYPE in another encoding.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string_view>

#include "wire/error.h"

namespace pushsim::ims::xml {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

struct UntrustedXmlOptions {
  std::size_t max_bytes = 0;
  std::string_view too_large;  // start of the kTooLarge detail: "<this> larger than N bytes"
  std::string_view doctype;    // the kBadBody detail for a DOCTYPE
  bool drop_blank_text = false;  // XML_PARSE_NOBLANKS
};

// The parsed document, or the first error: kTooLarge at offset max_bytes, kBadBody at the
// DOCTYPE, or kBadBody "malformed XML: <libxml2's message>" at libxml2's line and column.
wire::Result<DocPtr> ReadUntrusted(std::string_view input, const UntrustedXmlOptions& options);

// Initializes libxml2 once per process (the parser and the writer need it before first use).
void InitLibxml();

std::string_view NameOf(const xmlNode* node);
// XML white space: SP, HTAB, CR, LF.
bool IsSpace(char c);
// Removes XML white space (SP, HTAB, CR, LF) from both ends.
std::string_view TrimSpace(std::string_view text);
// Byte offset where 1-based `line` starts in `input` (lines end at LF), clamped to the input.
std::size_t LineStart(std::string_view input, long line);

}  // namespace pushsim::ims::xml
