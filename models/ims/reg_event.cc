#include "ims/reg_event.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <utility>

#include "ims/hss.h"
#include "ims/xml_read.h"
#include "wire/sip_headers.h"
#include "wire/text.h"

namespace pushsim::ims {

using wire::ErrorCode;
using wire::HeaderId;
using wire::Method;
using wire::ParseError;
using wire::Result;
using wire::SipMessage;

namespace {

using xml::LineStart;
using xml::NameOf;

constexpr const char* kRegInfoNamespace = "urn:ietf:params:xml:ns:reginfo";
constexpr const char* kGruuNamespace = "urn:ietf:params:xml:ns:gruuinfo";
constexpr std::string_view kRegInfoContentType = "application/reginfo+xml";

struct XmlCharFree {
  void operator()(xmlChar* text) const { xmlFree(text); }
};
struct BufferFree {
  void operator()(xmlBuffer* buffer) const { xmlBufferFree(buffer); }
};
struct WriterFree {
  void operator()(xmlTextWriter* writer) const { xmlFreeTextWriter(writer); }
};

const xmlChar* X(const char* text) { return reinterpret_cast<const xmlChar*>(text); }
bool InNamespace(const xmlNode* node, const char* ns) {
  return node->ns != nullptr && node->ns->href != nullptr &&
         std::string_view(reinterpret_cast<const char*>(node->ns->href)) == ns;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261 25.1)
std::optional<double> ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  double value = text[0] == '1' ? 1.0 : 0.0;
  if (text.size() == 1) return value;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  double scale = 0.1;
  for (std::size_t i = 2; i < text.size(); ++i) {
    if (!wire::IsDigit(text[i])) return std::nullopt;
    if (text[0] == '1' && text[i] != '0') return std::nullopt;
    value += (text[i] - '0') * scale;
    scale /= 10;
  }
  return value;
}

// Character content with the escapes XML needs and no more: quotes stay as they are, so an
// unknown-param reads "mms.ua" as in RFC 5628's examples. A CR is written as a reference, since a
// reader turns a literal one into LF (XML 1.0 2.11).
std::string EscapeText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;
      default: out.push_back(c); break;
    }
  }
  return out;
}

std::string FormatQValue(double q) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3f", std::clamp(q, 0.0, 1.0));
  std::string out(buffer);
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

class RegInfoParser {
 public:
  explicit RegInfoParser(std::string_view input) : input_(input) {}
  Result<RegInfo> Run();

 private:
  bool FailAt(ErrorCode code, std::size_t offset, std::string detail) {
    if (!error_) error_ = wire::MakeError(code, input_, std::min(offset, input_.size()), std::move(detail));
    return false;
  }
  bool Fail(ErrorCode code, const xmlNode* node, std::string detail) {
    const long line = node != nullptr ? xmlGetLineNo(node) : 0;
    std::size_t offset = LineStart(input_, line > 0 ? line : 1);
    if (node != nullptr && node->type == XML_ELEMENT_NODE) {
      // Point at the start tag when it is on that line.
      const std::size_t line_end = std::min(input_.find('\n', offset), input_.size());
      const std::size_t found = input_.substr(offset, line_end - offset).find(std::string(NameOf(node)));
      if (found != std::string_view::npos && found > 0) offset += found - 1;
    }
    return FailAt(code, offset, std::move(detail));
  }

  std::optional<std::string> Attribute(const xmlNode* node, const char* name) {
    std::unique_ptr<xmlChar, XmlCharFree> value(xmlGetNoNsProp(node, X(name)));
    if (!value) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(value.get()));
  }
  bool Required(const xmlNode* node, const char* name, std::string& out) {
    auto value = Attribute(node, name);
    if (!value) return Fail(ErrorCode::kBadBody, node, "<" + std::string(NameOf(node)) + "> needs the " + name + " attribute");
    out = std::move(*value);
    return true;
  }
  bool Number(const xmlNode* node, const char* name, std::optional<std::uint32_t>& out) {
    auto value = Attribute(node, name);
    if (!value) return true;
    const std::optional<std::uint64_t> number =
        wire::ParseDecimal(xml::TrimSpace(*value), std::numeric_limits<std::uint64_t>::max());
    if (!number || *number > std::numeric_limits<std::uint32_t>::max()) {
      return Fail(ErrorCode::kBadNumber, node,
                  std::string(name) + "=\"" + *value + "\" is not a decimal number below 2^32");
    }
    out = static_cast<std::uint32_t>(*number);
    return true;
  }
  bool OneOf(const xmlNode* node, const char* name, const std::string& value,
             std::initializer_list<std::string_view> allowed) {
    for (std::string_view candidate : allowed) {
      if (value == candidate) return true;
    }
    return Fail(ErrorCode::kBadBody, node, std::string(name) + "=\"" + value + "\" is not a value RFC 3680 defines");
  }
  // The character content of a simple element: text and CDATA; comments and processing
  // instructions are skipped; child elements are errors.
  bool Text(const xmlNode* node, std::string& out) {
    out.clear();
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
        if (child->content != nullptr) out += reinterpret_cast<const char*>(child->content);
      } else if (child->type == XML_ELEMENT_NODE || child->type == XML_ENTITY_REF_NODE) {
        return Fail(ErrorCode::kBadBody, child, "<" + std::string(NameOf(node)) + "> holds text only");
      }
    }
    return true;
  }
  // Container elements have no character content (the schema has no mixed content).
  bool NoText(const xmlNode* node) {
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
        const char* content = reinterpret_cast<const char*>(child->content);
        if (content != nullptr && !xml::TrimSpace(content).empty()) {
          return Fail(ErrorCode::kBadBody, node, "text is not allowed directly inside <" + std::string(NameOf(node)) + ">");
        }
      } else if (child->type == XML_ENTITY_REF_NODE) {
        return Fail(ErrorCode::kBadBody, node, "entity references are not allowed");
      }
    }
    return true;
  }

  bool ParseRegistration(const xmlNode* node, RegInfoRegistration& out);
  bool ParseContact(const xmlNode* node, RegInfoContact& out);

  std::string_view input_;
  std::optional<ParseError> error_;
  std::size_t contacts_ = 0;
};

bool RegInfoParser::ParseContact(const xmlNode* node, RegInfoContact& out) {
  if (++contacts_ > RegInfoLimits::kMaxContacts) {
    return Fail(ErrorCode::kTooLarge, node, "more than " + std::to_string(RegInfoLimits::kMaxContacts) + " contacts");
  }
  if (!Required(node, "id", out.id) || !Required(node, "state", out.state) || !Required(node, "event", out.event)) {
    return false;
  }
  if (!OneOf(node, "state", out.state, {"active", "terminated"})) return false;
  if (!OneOf(node, "event", out.event,
             {"registered", "created", "refreshed", "shortened", "expired", "deactivated", "probation", "unregistered",
              "rejected"})) {
    return false;
  }
  std::optional<std::uint32_t> ignored;
  if (!Number(node, "expires", out.expires) || !Number(node, "cseq", out.cseq) ||
      !Number(node, "duration-registered", ignored) || !Number(node, "retry-after", ignored)) {
    return false;
  }
  if (auto q = Attribute(node, "q")) {
    out.q = ParseQValue(xml::TrimSpace(*q));
    if (!out.q) return Fail(ErrorCode::kBadNumber, node, "q=\"" + *q + "\" is not a qvalue (RFC 3261 25.1)");
  }
  if (auto call_id = Attribute(node, "callid")) out.call_id = std::move(*call_id);
  if (!NoText(node)) return false;

  bool uri_seen = false;
  bool display_name_seen = false;
  bool pub_gruu_seen = false;
  bool temp_gruu_seen = false;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string_view name = NameOf(child);
    if (InNamespace(child, kRegInfoNamespace)) {
      if (name == "uri") {
        if (uri_seen) return Fail(ErrorCode::kBadBody, child, "<contact> has more than one <uri>");
        uri_seen = true;
        std::string text;
        if (!Text(child, text)) return false;
        out.uri = std::string(xml::TrimSpace(text));
        if (out.uri.empty()) return Fail(ErrorCode::kBadBody, child, "<uri> is empty");
      } else if (name == "display-name") {
        if (display_name_seen) return Fail(ErrorCode::kBadBody, child, "<contact> has more than one <display-name>");
        display_name_seen = true;
        std::string text;
        if (!Text(child, text)) return false;
      } else if (name == "unknown-param") {
        if (out.unknown_params.size() >= RegInfoLimits::kMaxUnknownParamsPerContact) {
          return Fail(ErrorCode::kTooLarge, child,
                      "more than " + std::to_string(RegInfoLimits::kMaxUnknownParamsPerContact) +
                          " <unknown-param> in one contact");
        }
        std::string param_name;
        std::string value;
        if (!Required(child, "name", param_name) || !Text(child, value)) return false;
        out.unknown_params.emplace_back(std::move(param_name), std::move(value));
      }
      // Other reginfo elements are not in the schema; they are ignored like foreign ones.
    } else if (InNamespace(child, kGruuNamespace)) {
      if (name == "pub-gruu") {
        if (pub_gruu_seen) return Fail(ErrorCode::kBadBody, child, "<contact> has more than one <pub-gruu>");
        pub_gruu_seen = true;
        if (!Required(child, "uri", out.pub_gruu)) return false;
      } else if (name == "temp-gruu") {
        if (temp_gruu_seen) return Fail(ErrorCode::kBadBody, child, "<contact> has more than one <temp-gruu>");
        temp_gruu_seen = true;
        if (!Required(child, "uri", out.temp_gruu)) return false;
        if (!Attribute(child, "first-cseq")) {
          return Fail(ErrorCode::kBadBody, child, "<temp-gruu> needs the first-cseq attribute (RFC 5628 4)");
        }
        if (!Number(child, "first-cseq", out.temp_gruu_first_cseq)) return false;
      }
    }
  }
  if (!uri_seen) return Fail(ErrorCode::kBadBody, node, "<contact> needs a <uri>");
  return true;
}

bool RegInfoParser::ParseRegistration(const xmlNode* node, RegInfoRegistration& out) {
  if (!Required(node, "aor", out.aor) || !Required(node, "id", out.id) || !Required(node, "state", out.state)) {
    return false;
  }
  out.aor = std::string(xml::TrimSpace(out.aor));
  if (!OneOf(node, "state", out.state, {"init", "active", "terminated"})) return false;
  if (!NoText(node)) return false;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE || !InNamespace(child, kRegInfoNamespace) || NameOf(child) != "contact") continue;
    RegInfoContact contact;
    if (!ParseContact(child, contact)) return false;
    out.contacts.push_back(std::move(contact));
  }
  return true;
}

Result<RegInfo> RegInfoParser::Run() {
  xml::UntrustedXmlOptions options;
  options.max_bytes = RegInfoLimits::kMaxInputBytes;
  options.too_large = "reginfo document";
  options.doctype = "document type declarations are not accepted in reginfo";
  auto read = xml::ReadUntrusted(input_, options);
  if (!read.ok()) {
    if (!error_) error_ = read.error();
    return *error_;
  }
  const xml::DocPtr doc = std::move(read).value();
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !InNamespace(root, kRegInfoNamespace) || NameOf(root) != "reginfo") {
    Fail(ErrorCode::kBadBody, root, "the root element must be <reginfo> in urn:ietf:params:xml:ns:reginfo");
    return *error_;
  }
  RegInfo info;
  std::optional<std::uint32_t> version;
  std::string state;
  if (!Attribute(root, "version")) {
    Fail(ErrorCode::kBadBody, root, "<reginfo> needs the version attribute");
    return *error_;
  }
  if (!Number(root, "version", version) || !Required(root, "state", state) ||
      !OneOf(root, "state", state, {"full", "partial"}) || !NoText(root)) {
    return *error_;
  }
  info.version = *version;
  info.full = state == "full";
  for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE || !InNamespace(child, kRegInfoNamespace) || NameOf(child) != "registration") {
      continue;
    }
    if (info.registrations.size() >= RegInfoLimits::kMaxRegistrations) {
      Fail(ErrorCode::kTooLarge, child,
           "more than " + std::to_string(RegInfoLimits::kMaxRegistrations) + " registrations");
      return *error_;
    }
    RegInfoRegistration registration;
    if (!ParseRegistration(child, registration)) return *error_;
    info.registrations.push_back(std::move(registration));
  }
  return info;
}

// RFC 3680 5.1 event values.
std::string_view EventName(ContactEvent event) {
  switch (event) {
    case ContactEvent::kRegistered: return "registered";
    case ContactEvent::kRefreshed: return "refreshed";
    case ContactEvent::kShortened: return "shortened";
    case ContactEvent::kExpired: return "expired";
    case ContactEvent::kUnregistered: return "unregistered";
    case ContactEvent::kDeactivated: return "deactivated";
    case ContactEvent::kRejected: return "rejected";
  }
  return "registered";
}

// Whether XML 1.0 can carry `text` (section 2.2 Char): well-formed UTF-8 without the C0 controls
// other than tab, LF and CR. A SIP quoted-pair can smuggle any control byte into a Contact
// parameter, and no XML 1.0 escape can represent it.
bool IsXmlText(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') return false;
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) || code == 0xFFFE ||
        code == 0xFFFF) {
      return false;
    }
    i += length;
  }
  return true;
}

bool EndsBinding(ContactEvent event) {
  return event == ContactEvent::kExpired || event == ContactEvent::kUnregistered ||
         event == ContactEvent::kDeactivated || event == ContactEvent::kRejected;
}

// FNV-1a: a stable hash (std::hash may differ between library builds).
std::uint32_t Fnv1a(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

std::string Hex(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%08x", value);
  return buffer;
}

}  // namespace

bool RegInfoContact::operator==(const RegInfoContact& other) const {
  return id == other.id && state == other.state && event == other.event && expires == other.expires &&
         q == other.q && call_id == other.call_id && cseq == other.cseq && uri == other.uri &&
         unknown_params == other.unknown_params && pub_gruu == other.pub_gruu && temp_gruu == other.temp_gruu &&
         temp_gruu_first_cseq == other.temp_gruu_first_cseq;
}

Result<RegInfo> ParseRegInfo(std::string_view xml) { return RegInfoParser(xml).Run(); }

std::string SerializeRegInfo(const RegInfo& info) {
  xml::InitLibxml();
  bool gruu = false;
  for (const RegInfoRegistration& registration : info.registrations) {
    for (const RegInfoContact& contact : registration.contacts) {
      gruu = gruu || !contact.pub_gruu.empty() || !contact.temp_gruu.empty() || contact.temp_gruu_first_cseq;
    }
  }
  std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
  if (!buffer) return {};
  {
    std::unique_ptr<xmlTextWriter, WriterFree> owner(xmlNewTextWriterMemory(buffer.get(), 0));
    if (!owner) return {};
    xmlTextWriter* writer = owner.get();
    const auto attribute = [writer](const char* name, std::string_view value) {
      const std::string text(value);
      xmlTextWriterWriteAttribute(writer, X(name), X(text.c_str()));
    };
    xmlTextWriterSetIndent(writer, 1);
    xmlTextWriterSetIndentString(writer, X("  "));
    xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nullptr);
    xmlTextWriterStartElement(writer, X("reginfo"));
    attribute("xmlns", kRegInfoNamespace);
    if (gruu) attribute("xmlns:gr", kGruuNamespace);
    attribute("version", std::to_string(info.version));
    attribute("state", info.full ? "full" : "partial");
    for (const RegInfoRegistration& registration : info.registrations) {
      xmlTextWriterStartElement(writer, X("registration"));
      attribute("aor", registration.aor);
      attribute("id", registration.id);
      attribute("state", registration.state);
      for (const RegInfoContact& contact : registration.contacts) {
        xmlTextWriterStartElement(writer, X("contact"));
        attribute("id", contact.id);
        attribute("state", contact.state);
        attribute("event", contact.event);
        if (contact.expires) attribute("expires", std::to_string(*contact.expires));
        if (contact.q) attribute("q", FormatQValue(*contact.q));
        if (!contact.call_id.empty()) attribute("callid", contact.call_id);
        if (contact.cseq) attribute("cseq", std::to_string(*contact.cseq));
        xmlTextWriterStartElement(writer, X("uri"));
        xmlTextWriterWriteRaw(writer, X(EscapeText(contact.uri).c_str()));
        xmlTextWriterEndElement(writer);
        for (const auto& [name, value] : contact.unknown_params) {
          xmlTextWriterStartElement(writer, X("unknown-param"));
          attribute("name", name);
          if (!value.empty()) xmlTextWriterWriteRaw(writer, X(EscapeText(value).c_str()));
          xmlTextWriterEndElement(writer);
        }
        if (!contact.pub_gruu.empty()) {
          xmlTextWriterStartElement(writer, X("gr:pub-gruu"));
          attribute("uri", contact.pub_gruu);
          xmlTextWriterEndElement(writer);
        }
        if (!contact.temp_gruu.empty() || contact.temp_gruu_first_cseq) {
          xmlTextWriterStartElement(writer, X("gr:temp-gruu"));
          attribute("uri", contact.temp_gruu);
          attribute("first-cseq", std::to_string(contact.temp_gruu_first_cseq.value_or(0)));
          xmlTextWriterEndElement(writer);
        }
        xmlTextWriterEndElement(writer);  // contact
      }
      xmlTextWriterEndElement(writer);  // registration
    }
    xmlTextWriterEndElement(writer);  // reginfo
    xmlTextWriterEndDocument(writer);
  }  // freeing the writer flushes it into the buffer
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                     static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

std::string RegistrationId(std::string_view aor) { return "a" + Hex(Fnv1a(NormalizeIdentity(aor))); }

RegInfoContact ToRegInfoContact(const Binding& binding, ContactEvent event, sip::TimePoint now) {
  RegInfoContact contact;
  contact.id = binding.id.empty() ? "c" + Hex(Fnv1a(binding.contact_uri)) : binding.id;
  contact.event = std::string(EventName(event));
  contact.state = EndsBinding(event) ? "terminated" : "active";
  if (!EndsBinding(event)) {
    // RFC 3680 5.1: expires gives the seconds left; mandatory for "shortened", allowed for any
    // active contact. Rounded up so a binding with time left never reads 0.
    const auto left = binding.expires_at - now;
    const auto seconds = left <= sip::Duration::zero()
                             ? 0
                             : (left + std::chrono::seconds(1) - sip::Duration(1)) / std::chrono::seconds(1);
    contact.expires = static_cast<std::uint32_t>(std::min<std::int64_t>(seconds, std::numeric_limits<std::uint32_t>::max()));
  }
  if (wire::HasParam(binding.contact_params, "q")) contact.q = binding.q;
  contact.call_id = binding.call_id;
  if (!binding.call_id.empty()) contact.cseq = binding.cseq;
  contact.uri = binding.contact_uri;
  // RFC 3680 5.1: parameters RFC 3261 does not define go in unknown-param, the value as it is
  // in the Contact (RFC 5628 4 shows +sip.instance with its quotes and angle brackets).
  for (const wire::Param& param : binding.contact_params) {
    if (!wire::IsFeatureParamName(param.name) && !wire::EqualsIgnoreCase(param.name, "+sip.instance")) continue;
    std::string value = param.value.value_or(std::string());
    if (!IsXmlText(value)) continue;  // cannot be written in the document; left out
    contact.unknown_params.emplace_back(param.name, std::move(value));
  }
  contact.pub_gruu = binding.pub_gruu;
  contact.temp_gruu = binding.temp_gruu;
  if (!binding.temp_gruu.empty()) contact.temp_gruu_first_cseq = binding.first_cseq;
  return contact;
}

// ---------------------------------------------------------------------------------------------
// The notifier

struct RegEventPackage::Subscription {
  std::string key;
  std::string aor;
  RegSubscriber kind = RegSubscriber::kUser;
  std::string call_id;
  std::string local_from;     // the SUBSCRIBE's To with our tag: From of every NOTIFY
  std::string remote_to;      // the SUBSCRIBE's From as written: To of every NOTIFY
  std::string remote_target;  // the subscriber's Contact URI
  std::vector<std::string> route_set;  // the SUBSCRIBE's Record-Route, in order (RFC 3261 12.1.1)
  std::string event;          // Event of the NOTIFYs: "reg", with the SUBSCRIBE's id if any
  std::uint32_t local_cseq = 0;
  std::uint32_t remote_cseq = 0;
  std::uint32_t next_version = 0;
  sip::TimePoint expires_at{};
  sip::TimerId timer = sip::kNoTimer;
};

RegEventPackage::RegEventPackage(sip::Element& element, const Registrar& registrar, RegEventConfig config)
    : element_(element), registrar_(registrar), config_(std::move(config)) {}

RegEventPackage::~RegEventPackage() {
  *alive_ = false;
  for (const auto& [key, subscription] : subscriptions_) {
    if (subscription->timer != sip::kNoTimer) element_.host().CancelTimer(subscription->timer);
  }
}

std::size_t RegEventPackage::subscription_count() const { return subscriptions_.size(); }

namespace {

std::optional<std::string> TagOf(const SipMessage& message, HeaderId id) {
  const auto value = message.Get(id);
  if (!value) return std::nullopt;
  auto parsed = wire::ParseFromTo(*value);
  if (!parsed.ok()) return std::nullopt;
  const wire::Param* tag = wire::FindParam(parsed->params, "tag");
  if (tag == nullptr || !tag->value) return std::nullopt;
  return *tag->value;
}

// RFC 3680 4.5: an Accept header field must allow application/reginfo+xml.
bool AcceptsRegInfo(const SipMessage& subscribe) {
  const auto fields = subscribe.GetAll(HeaderId::kAccept);
  if (fields.empty()) return true;
  for (std::string_view element : fields) {
    std::string_view type = wire::TrimLws(element.substr(0, element.find(';')));
    if (wire::EqualsIgnoreCase(type, kRegInfoContentType) || wire::EqualsIgnoreCase(type, "application/*") ||
        type == "*/*") {
      return true;
    }
  }
  return false;
}

std::string HostOf(std::string_view uri_text) {
  auto uri = wire::ParseSipUri(uri_text);
  return uri.ok() ? wire::ToLower(uri->host) : std::string();
}

}  // namespace

void RegEventPackage::HandleSubscribe(sip::TransactionId server, const SipMessage& subscribe, const sip::Endpoint&,
                                      const std::string& aor, RegSubscriber kind) {
  // RFC 6665 4.2.1.1 / 7.2.2: an event package the notifier does not know gets 489 with the ones
  // it does in Allow-Events.
  const auto event_value = subscribe.Get(HeaderId::kEvent);
  auto event = event_value ? wire::ParseEvent(*event_value) : Result<wire::EventHeader>(ParseError{});
  if (!event_value || !event.ok() || event->package != "reg" || !event->templates.empty()) {
    SipMessage response = element_.MakeResponse(subscribe, 489);
    response.Add(HeaderId::kAllowEvents, "reg");
    element_.Respond(server, std::move(response));
    return;
  }
  if (!AcceptsRegInfo(subscribe)) {
    SipMessage response = element_.MakeResponse(subscribe, 406);
    response.Add(HeaderId::kAccept, kRegInfoContentType);
    element_.Respond(server, std::move(response));
    return;
  }
  // RFC 3680 4.6 and TS 24.229 5.4.2.1.1 step 1: application servers subscribe only when the
  // policy allows and they belong to the trust domain.
  if (kind == RegSubscriber::kApplicationServer) {
    bool allowed = config_.allow_application_servers;
    if (allowed && !config_.trusted_as_hosts.empty()) {
      std::string host;
      if (auto asserted = wire::ParseNameAddrList(subscribe, HeaderId::kPAssertedIdentity);
          asserted.ok() && !asserted->empty()) {
        host = HostOf(asserted->front().uri);
      } else if (auto from = subscribe.Get(HeaderId::kFrom)) {
        auto parsed = wire::ParseFromTo(*from);
        if (parsed.ok()) host = HostOf(parsed->uri);
      }
      allowed = std::any_of(config_.trusted_as_hosts.begin(), config_.trusted_as_hosts.end(),
                            [&](const std::string& trusted) { return wire::EqualsIgnoreCase(trusted, host); });
    }
    if (!allowed) {
      element_.Respond(server, 403);
      return;
    }
  }
  auto cseq = subscribe.Get(HeaderId::kCSeq) ? wire::ParseCSeq(*subscribe.Get(HeaderId::kCSeq))
                                             : Result<wire::CSeq>(ParseError{});
  const auto call_id = subscribe.Get(HeaderId::kCallId);
  const auto from_tag = TagOf(subscribe, HeaderId::kFrom);
  if (!cseq.ok() || !call_id || !from_tag) {
    element_.Respond(server, 400, "Missing Dialog Identifiers");
    return;
  }
  // RFC 6665 4.2.1.1: the notifier may shorten the requested duration, never lengthen it.
  std::uint32_t expires = config_.default_expires;
  if (auto header = subscribe.Get(HeaderId::kExpires)) {
    auto parsed = wire::ParseDeltaSeconds(*header);
    if (!parsed.ok()) {
      element_.Respond(server, 400, "Bad Expires");
      return;
    }
    expires = *parsed;
  }
  expires = std::min(expires, config_.max_expires);
  const std::string contact_uri = [&] {
    auto contacts = wire::ParseContacts(subscribe);
    return contacts.ok() && !contacts->empty() && !contacts->front().star ? contacts->front().address.uri
                                                                          : std::string();
  }();
  const std::string own_contact = "<" + element_.OwnUri("") + ">";
  const sip::TimePoint now = element_.host().Now();

  if (auto to_tag = TagOf(subscribe, HeaderId::kTo)) {
    // A refresh or an unsubscribe inside the dialog (RFC 6665 4.2.1.2).
    const std::string key = std::string(*call_id) + "\n" + *from_tag + "\n" + *to_tag;
    const auto it = subscriptions_.find(key);
    if (it == subscriptions_.end()) {
      element_.Respond(server, 481);
      return;
    }
    Subscription& subscription = *it->second;
    if (cseq->number <= subscription.remote_cseq) {
      element_.Respond(server, 500, "CSeq Out Of Order");  // RFC 3261 12.2.2
      return;
    }
    subscription.remote_cseq = cseq->number;
    if (!contact_uri.empty()) subscription.remote_target = contact_uri;  // a target refresh
    SipMessage response = element_.MakeResponse(subscribe, 200);
    response.Add(HeaderId::kExpires, std::to_string(expires));
    response.Add(HeaderId::kContact, own_contact);
    element_.Respond(server, std::move(response));
    if (expires == 0) {
      Notify(subscription, FullState(subscription), "timeout");
      Remove(key);
      return;
    }
    subscription.expires_at = now + std::chrono::seconds(expires);
    StartExpiryTimer(subscription);
    Notify(subscription, FullState(subscription), {});
    return;
  }

  if (contact_uri.empty()) {
    element_.Respond(server, 400, "Missing Contact");  // RFC 6665 4.1.2.1: SUBSCRIBE carries Contact
    return;
  }
  auto subscription = std::make_unique<Subscription>();
  const std::string local_tag = element_.NewTag();
  subscription->key = std::string(*call_id) + "\n" + *from_tag + "\n" + local_tag;
  subscription->aor = aor;
  subscription->kind = kind;
  subscription->call_id = std::string(*call_id);
  subscription->local_from = std::string(*subscribe.Get(HeaderId::kTo)) + ";tag=" + local_tag;
  subscription->remote_to = std::string(*subscribe.Get(HeaderId::kFrom));
  subscription->remote_target = contact_uri;
  for (std::string_view route : subscribe.GetAll(HeaderId::kRecordRoute)) {
    subscription->route_set.emplace_back(wire::TrimLws(route));
  }
  subscription->event = "reg";
  if (auto id = event->id()) subscription->event += ";id=" + std::string(*id);
  subscription->remote_cseq = cseq->number;

  SipMessage response = element_.MakeResponse(subscribe, 200);
  response.Set(HeaderId::kTo, subscription->local_from);
  response.Add(HeaderId::kExpires, std::to_string(expires));
  response.Add(HeaderId::kContact, own_contact);
  element_.Respond(server, std::move(response));

  if (expires == 0) {
    // A fetch (RFC 6665 4.4.3): one NOTIFY with the full state, and no subscription remains.
    Notify(*subscription, FullState(*subscription), "timeout");
    return;
  }
  subscription->expires_at = now + std::chrono::seconds(expires);
  Subscription& stored = *subscription;
  subscriptions_[subscription->key] = std::move(subscription);
  StartExpiryTimer(stored);
  Notify(stored, FullState(stored), {});
}

RegInfo RegEventPackage::FullState(const Subscription& subscription) const {
  RegInfo info;
  info.full = true;
  RegInfoRegistration registration;
  registration.aor = subscription.aor;
  registration.id = RegistrationId(subscription.aor);
  const Registrar::Record* record = registrar_.Find(subscription.aor);
  if (record == nullptr || record->bindings.empty()) {
    registration.state = "init";  // RFC 3680 4.7.1: no contact bound
  } else {
    registration.state = "active";
    const sip::TimePoint now = element_.host().Now();
    for (const Binding& binding : record->bindings) {
      registration.contacts.push_back(ToRegInfoContact(binding, ContactEvent::kRegistered, now));
    }
  }
  info.registrations.push_back(std::move(registration));
  return info;
}

void RegEventPackage::OnChange(const std::string& aor, const std::vector<ContactChange>& changes) {
  if (changes.empty()) return;
  const Registrar::Record* record = registrar_.Find(aor);
  const bool active = record != nullptr && !record->bindings.empty();
  // RFC 6665 4.1.3 reasons for the end of the subscriptions when the registration terminates:
  // "deactivated" and "rejected" carry over the administrator's intent (retry at once / do not);
  // otherwise the user's state is gone (TS 24.229 5.4.2.1.1 step 0 refuses a new subscription
  // without a binding), which is "noresource".
  std::string reason = "noresource";
  const bool all_deactivated = std::all_of(changes.begin(), changes.end(), [](const ContactChange& change) {
    return change.event == ContactEvent::kDeactivated;
  });
  const bool any_rejected = std::any_of(changes.begin(), changes.end(), [](const ContactChange& change) {
    return change.event == ContactEvent::kRejected;
  });
  if (all_deactivated) reason = "deactivated";
  if (any_rejected) reason = "rejected";

  const std::string key_aor = NormalizeIdentity(aor);
  std::vector<std::string> keys;
  for (const auto& [key, subscription] : subscriptions_) {
    if (NormalizeIdentity(subscription->aor) == key_aor) keys.push_back(key);
  }
  const sip::TimePoint now = element_.host().Now();
  for (const std::string& key : keys) {
    const auto it = subscriptions_.find(key);
    if (it == subscriptions_.end()) continue;
    Subscription& subscription = *it->second;
    // RFC 3680 4.7.2: a notification carries the contacts that changed (partial state).
    RegInfo info;
    info.full = false;
    RegInfoRegistration registration;
    registration.aor = subscription.aor;
    registration.id = RegistrationId(subscription.aor);
    registration.state = active ? "active" : "terminated";
    for (const ContactChange& change : changes) {
      registration.contacts.push_back(ToRegInfoContact(change.binding, change.event, now));
    }
    info.registrations.push_back(std::move(registration));
    if (active) {
      Notify(subscription, std::move(info), {});
    } else {
      Notify(subscription, std::move(info), reason);
      Remove(key);
    }
  }
}

void RegEventPackage::Notify(Subscription& subscription, RegInfo info, std::string_view terminated_reason) {
  info.version = subscription.next_version++;
  // RFC 3261 12.2.1.1: with a loose-routing first hop the Request-URI is the remote target and
  // the route set goes in Route; a strict router gets the Request-URI and the target goes last.
  std::string request_uri = subscription.remote_target;
  std::vector<std::string> routes = subscription.route_set;
  bool strict_route = false;
  if (!routes.empty()) {
    auto first = wire::ParseNameAddr(routes.front());
    auto first_uri = first.ok() ? first->SipUriValue() : Result<wire::SipUri>(ParseError{});
    if (first_uri.ok() && !first_uri->Param("lr")) {
      request_uri = first->uri;
      strict_route = true;
      routes.erase(routes.begin());
      routes.push_back("<" + subscription.remote_target + ">");
    }
  }
  SipMessage notify = SipMessage::MakeRequest(Method::kNotify, request_uri);
  notify.Add(HeaderId::kMaxForwards, "70");
  for (const std::string& route : routes) notify.Add(HeaderId::kRoute, route);
  notify.Add(HeaderId::kFrom, subscription.local_from);
  notify.Add(HeaderId::kTo, subscription.remote_to);
  notify.Add(HeaderId::kCallId, subscription.call_id);
  notify.Add(HeaderId::kCSeq, std::to_string(++subscription.local_cseq) + " NOTIFY");
  notify.Add(HeaderId::kContact, "<" + element_.OwnUri("") + ">");
  notify.Add(HeaderId::kEvent, subscription.event);
  if (terminated_reason.empty()) {
    // RFC 6665 4.2.2: active with the seconds left of the subscription.
    const auto left = subscription.expires_at - element_.host().Now();
    const auto seconds = left <= sip::Duration::zero()
                             ? 0
                             : (left + std::chrono::seconds(1) - sip::Duration(1)) / std::chrono::seconds(1);
    notify.Add(HeaderId::kSubscriptionState, "active;expires=" + std::to_string(seconds));
  } else {
    notify.Add(HeaderId::kSubscriptionState, "terminated;reason=" + std::string(terminated_reason));
  }
  notify.SetBody(SerializeRegInfo(info), kRegInfoContentType);
  if (on_notify) on_notify(notify);

  const auto destination = element_.resolver().Resolve(strict_route || routes.empty()
                                                          ? std::string_view(request_uri)
                                                          : std::string_view(routes.front()));
  if (!destination) return;
  std::weak_ptr<bool> alive = alive_;
  const std::string key = subscription.key;
  element_.SendRequest(std::move(notify), *destination,
                       [this, alive, key](const SipMessage* response, const sip::ClientOutcome&) {
                         if (alive.expired() || !*alive.lock()) return;
                         if (response != nullptr && response->status_code() < 300) return;
                         // RFC 6665 4.2.2: a NOTIFY that times out or fails without Retry-After
                         // ends the subscription.
                         if (response != nullptr && response->Has(HeaderId::kRetryAfter)) return;
                         Remove(key);
                       });
}

void RegEventPackage::StartExpiryTimer(Subscription& subscription) {
  sip::Host& host = element_.host();
  if (subscription.timer != sip::kNoTimer) host.CancelTimer(subscription.timer);
  const std::string key = subscription.key;
  subscription.timer = host.StartTimer(subscription.expires_at - host.Now(), [this, key] { Expire(key); });
}

void RegEventPackage::Expire(const std::string& key) {
  const auto it = subscriptions_.find(key);
  if (it == subscriptions_.end()) return;
  it->second->timer = sip::kNoTimer;
  // RFC 6665 4.2.2: at expiry the notifier sends a final NOTIFY, terminated;reason=timeout.
  Notify(*it->second, FullState(*it->second), "timeout");
  Remove(key);
}

void RegEventPackage::Remove(const std::string& key) {
  const auto it = subscriptions_.find(key);
  if (it == subscriptions_.end()) return;
  if (it->second->timer != sip::kNoTimer) element_.host().CancelTimer(it->second->timer);
  subscriptions_.erase(it);
}

}  // namespace pushsim::ims
