#include "ims/subscription.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <regex.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "ims/xml_read.h"
#include "wire/text.h"

namespace pushsim::ims {

using wire::ErrorCode;

// ---------------------------------------------------------------------------------------------
// PosixRegex

struct PosixRegex::Compiled {
  regex_t regex{};
  bool built = false;  // regcomp succeeded, so regfree is owed
  Compiled() = default;
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  ~Compiled() {
    if (built) regfree(&regex);
  }
};

PosixRegex::PosixRegex(std::string pattern, std::shared_ptr<const Compiled> compiled)
    : pattern_(std::move(pattern)), compiled_(std::move(compiled)) {}

namespace {

// Every subscriber's profile made from one template carries the same iFC patterns, and glibc's
// regexec grows a transition table per compiled expression as it matches (about 40 KB each):
// one compiled expression per distinct pattern alive, shared by every profile that uses it, keeps
// 100,000 subscribers from holding 100,000 copies. Entries of expressions no longer used are
// swept when the table has doubled since the last sweep, so it stays within twice the live ones.
class CompiledCache {
 public:
  template <typename Compile>
  std::shared_ptr<const PosixRegex::Compiled> Get(const std::string& pattern, Compile compile) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = entries_.find(pattern); found != entries_.end()) {
      if (auto alive = found->second.lock()) return alive;
    }
    std::shared_ptr<const PosixRegex::Compiled> compiled = compile();
    if (!compiled) return compiled;
    entries_[pattern] = compiled;
    if (entries_.size() >= 2 * swept_size_) {
      for (auto it = entries_.begin(); it != entries_.end();) it = it->second.expired() ? entries_.erase(it) : ++it;
      swept_size_ = std::max<std::size_t>(entries_.size(), 64);
    }
    return compiled;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::weak_ptr<const PosixRegex::Compiled>> entries_;
  std::size_t swept_size_ = 64;
};

CompiledCache& Cache() {
  static CompiledCache cache;
  return cache;
}

}  // namespace

namespace {

// Upper bound of the number of nodes the POSIX engine builds for `pattern`: bounded repetition
// (a{n}, (x){n}) is expanded into n copies, so nested intervals multiply. Returns nullopt when
// the estimate exceeds `limit`. Only an estimate: it need not follow every corner of the grammar,
// it only has to grow at least as fast as the engine's expansion.
std::optional<std::uint64_t> EstimateRegexNodes(std::string_view pattern, std::uint64_t limit) {
  std::vector<std::uint64_t> group_sizes{0};  // running size of each open group, outermost first
  std::uint64_t last_atom = 0;                // size of the atom a repetition operator applies to
  const auto add = [&](std::uint64_t amount) {
    group_sizes.back() = std::min(group_sizes.back() + amount, limit + 1);
  };
  const auto atom = [&](std::uint64_t size) {
    add(size);
    last_atom = size;
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
      atom(1);
    } else if (c == '[') {
      // Bracket expression: ']' first (after an optional '^') is literal; [:class:], [.x.] and
      // [=x=] may contain ']'.
      std::size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') {
        if (pattern[j] == '[' && j + 1 < pattern.size() &&
            (pattern[j + 1] == ':' || pattern[j + 1] == '.' || pattern[j + 1] == '=')) {
          const char kind = pattern[j + 1];
          std::size_t close = j + 2;
          while (close + 1 < pattern.size() && !(pattern[close] == kind && pattern[close + 1] == ']')) ++close;
          j = close + 2;
        } else {
          ++j;
        }
      }
      i = std::min(j, pattern.size());
      atom(1);
    } else if (c == '(') {
      group_sizes.push_back(0);
      last_atom = 0;
    } else if (c == ')' && group_sizes.size() > 1) {
      const std::uint64_t group = group_sizes.back();
      group_sizes.pop_back();
      atom(group + 1);
    } else if (c == '{' && last_atom > 0) {
      std::size_t j = i + 1;
      std::uint64_t low = 0;
      std::uint64_t high = 0;
      bool has_comma = false;
      bool has_high = false;
      while (j < pattern.size() && wire::IsDigit(pattern[j])) low = std::min<std::uint64_t>(low * 10 + (pattern[j++] - '0'), 1u << 20);
      if (j < pattern.size() && pattern[j] == ',') {
        has_comma = true;
        ++j;
        while (j < pattern.size() && wire::IsDigit(pattern[j])) {
          has_high = true;
          high = std::min<std::uint64_t>(high * 10 + (pattern[j++] - '0'), 1u << 20);
        }
      }
      if (j < pattern.size() && pattern[j] == '}') {
        const std::uint64_t copies = has_high ? std::max(low, high) : (has_comma ? low + 1 : low);
        const std::uint64_t grown = last_atom * std::max<std::uint64_t>(copies, 1);
        add(grown);  // the copies beyond the first, generously rounded up
        last_atom = std::min(grown, limit + 1);
        i = j;
      } else {
        atom(1);  // a '{' that starts no interval is an ordinary character in glibc's ERE
      }
    } else if (c == '*' || c == '+' || c == '?') {
      add(last_atom + 1);
    } else if (c == '|') {
      add(1);
      last_atom = 0;
    } else {
      atom(1);
    }
    if (group_sizes.back() > limit) return std::nullopt;
  }
  std::uint64_t total = 0;
  for (std::uint64_t size : group_sizes) total += size;
  if (total > limit) return std::nullopt;
  return total;
}

ParseError RegexError(std::string detail, ErrorCode code = ErrorCode::kBadBody) {
  ParseError error;
  error.code = code;
  error.line = 1;
  error.column = 1;
  error.detail = std::move(detail);
  return error;
}

}  // namespace

Result<PosixRegex> PosixRegex::Compile(std::string_view pattern) {
  if (pattern.size() > SubscriptionLimits::kMaxRegexBytes) {
    return RegexError(
        "regular expression longer than " + std::to_string(SubscriptionLimits::kMaxRegexBytes) + " bytes",
        ErrorCode::kTooLarge);
  }
  if (pattern.find('\0') != std::string_view::npos) return RegexError("regular expression contains a NUL byte");
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
        return RegexError("back-reference \\" + std::string(1, pattern[i + 1]) +
                          " is not part of POSIX extended regular expressions");
      }
      ++i;
    }
  }
  if (!EstimateRegexNodes(pattern, SubscriptionLimits::kMaxRegexNodes)) {
    return RegexError("regular expression expands beyond " + std::to_string(SubscriptionLimits::kMaxRegexNodes) +
                          " nodes (nested or large repetition counts)",
                      ErrorCode::kTooLarge);
  }
  const std::string text(pattern);
  std::string failure;
  auto compiled = Cache().Get(text, [&]() -> std::shared_ptr<const Compiled> {
    auto fresh = std::make_shared<Compiled>();
    const int status = regcomp(&fresh->regex, text.c_str(), REG_EXTENDED | REG_NOSUB);
    if (status != 0) {
      char message[256];
      regerror(status, &fresh->regex, message, sizeof(message));
      failure = message;
      return nullptr;
    }
    fresh->built = true;
    return fresh;
  });
  if (!compiled) return RegexError("not a valid POSIX extended regular expression: " + failure);
  return PosixRegex(text, std::move(compiled));
}

bool PosixRegex::Matches(std::string_view text) const {
  if (!compiled_) return false;
  // regexec needs a NUL-terminated string; a NUL inside the text ends the subject there.
  const std::string subject(text);
  return regexec(&compiled_->regex, subject.c_str(), 0, nullptr, 0) == 0;
}

// ---------------------------------------------------------------------------------------------
// Equality

bool ServicePointTrigger::operator==(const ServicePointTrigger& other) const {
  return condition_negated == other.condition_negated && groups == other.groups && condition == other.condition &&
         registration_types == other.registration_types;
}

bool ApplicationServer::operator==(const ApplicationServer& other) const {
  return server_name == other.server_name && default_handling == other.default_handling &&
         service_info == other.service_info && include_register_request == other.include_register_request &&
         include_register_response == other.include_register_response;
}

bool InitialFilterCriteria::operator==(const InitialFilterCriteria& other) const {
  return priority == other.priority && trigger_point == other.trigger_point &&
         application_server == other.application_server && profile_part_indicator == other.profile_part_indicator;
}

bool PublicIdentity::operator==(const PublicIdentity& other) const {
  return identity == other.identity && barring_indication == other.barring_indication &&
         identity_type == other.identity_type && wildcarded_psi == other.wildcarded_psi &&
         display_name == other.display_name;
}

bool ServiceProfile::operator==(const ServiceProfile& other) const {
  return public_identities == other.public_identities &&
         core_network_services_authorization == other.core_network_services_authorization &&
         initial_filter_criteria == other.initial_filter_criteria && shared_ifc_set_ids == other.shared_ifc_set_ids;
}

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

using xml::LineStart;
using xml::NameOf;

constexpr std::uint64_t kMaxXsInt = 2147483647;  // xs:int upper bound (tPriority, tGroupID, ...)

// A decimal number no larger than `max`. (wire::ParseDecimal alone lets a single digit above a
// small `max` through, so the bound is checked here.)
std::optional<std::uint64_t> ParseBounded(std::string_view text, std::uint64_t max) {
  const std::optional<std::uint64_t> value = wire::ParseDecimal(text, std::numeric_limits<std::uint64_t>::max());
  if (!value || *value > max) return std::nullopt;
  return value;
}

class SubscriptionParser {
 public:
  explicit SubscriptionParser(std::string_view input) : input_(input) {}

  Result<ImsSubscription> Run();

 private:
  // Records the first error; always returns false so callers can `return Fail(...)`.
  bool Fail(ErrorCode code, const xmlNode* node, std::string detail);
  bool FailAtOffset(ErrorCode code, std::size_t offset, std::string detail);

  // Calls `visit(child)` for each child element without a namespace. Foreign-namespace elements,
  // comments and processing instructions are skipped; non-blank text and entity references are
  // errors.
  template <typename Visit>
  bool ForEachChild(const xmlNode* parent, Visit visit);
  // The text content of a simple-typed element. Child elements and entity references are errors.
  bool Text(const xmlNode* node, std::string& out);
  bool TrimmedText(const xmlNode* node, std::string& out);
  bool Number(const xmlNode* node, std::uint64_t max, std::uint64_t& out);
  bool Boolean(const xmlNode* node, bool& out);
  bool Regex(const xmlNode* node, std::optional<PosixRegex>& out);
  bool Once(bool& seen, const xmlNode* node, const xmlNode* parent);
  bool Unknown(const xmlNode* node, const xmlNode* parent);
  bool Missing(const xmlNode* parent, std::string_view child);
  bool Count(std::size_t& counter, std::size_t limit, const xmlNode* node, std::string_view what);

  bool ParseSubscription(const xmlNode* node, ImsSubscription& out);
  bool ParseServiceProfile(const xmlNode* node, ServiceProfile& out);
  bool ParsePublicIdentity(const xmlNode* node, PublicIdentity& out);
  bool ParsePublicIdentityExtension(const xmlNode* node, PublicIdentity& out, bool& display_name_seen);
  bool ParseCoreNetworkServicesAuthorization(const xmlNode* node, CoreNetworkServicesAuthorization& out);
  bool ParseFilterCriteria(const xmlNode* node, InitialFilterCriteria& out);
  bool ParseTriggerPoint(const xmlNode* node, TriggerPoint& out);
  bool ParseSpt(const xmlNode* node, ServicePointTrigger& out);
  bool ParseSipHeader(const xmlNode* node, SipHeaderCondition& out);
  bool ParseSessionDescription(const xmlNode* node, SessionDescriptionCondition& out);
  bool ParseApplicationServer(const xmlNode* node, ApplicationServer& out);

  std::string_view input_;
  std::optional<ParseError> error_;
  std::size_t service_profiles_ = 0;
  std::size_t public_identities_ = 0;
  std::size_t filter_criteria_ = 0;
  std::size_t spts_ = 0;
  std::size_t shared_ifc_sets_ = 0;
};

bool SubscriptionParser::FailAtOffset(ErrorCode code, std::size_t offset, std::string detail) {
  if (!error_) error_ = wire::MakeError(code, input_, std::min(offset, input_.size()), std::move(detail));
  return false;
}

bool SubscriptionParser::Fail(ErrorCode code, const xmlNode* node, std::string detail) {
  const long line = node != nullptr ? xmlGetLineNo(node) : 0;
  std::size_t offset = LineStart(input_, line > 0 ? line : 1);
  if (node != nullptr && node->type == XML_ELEMENT_NODE) {
    // Point at the element's start tag when it is on that line.
    const std::size_t line_end = std::min(input_.find('\n', offset), input_.size());
    const std::string tag = "<" + std::string(NameOf(node));
    const std::size_t found = input_.substr(offset, line_end - offset).find(tag);
    if (found != std::string_view::npos) offset += found;
  }
  return FailAtOffset(code, offset, std::move(detail));
}

template <typename Visit>
bool SubscriptionParser::ForEachChild(const xmlNode* parent, Visit visit) {
  for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
    switch (child->type) {
      case XML_ELEMENT_NODE:
        if (child->ns != nullptr) continue;  // the schema's <any namespace="##other">
        if (!visit(child)) return false;
        break;
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE: {
        const char* content = reinterpret_cast<const char*>(child->content);
        if (content != nullptr && !xml::TrimSpace(content).empty()) {
          return Fail(ErrorCode::kBadBody, parent,
                      "unexpected text inside <" + std::string(NameOf(parent)) + ">, which holds only elements");
        }
        break;
      }
      case XML_ENTITY_REF_NODE:
        return Fail(ErrorCode::kBadBody, parent, "entity reference inside <" + std::string(NameOf(parent)) + ">");
      default:
        break;  // comments, processing instructions
    }
  }
  return true;
}

bool SubscriptionParser::Text(const xmlNode* node, std::string& out) {
  out.clear();
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        if (child->content != nullptr) out += reinterpret_cast<const char*>(child->content);
        break;
      case XML_ELEMENT_NODE:
        return Fail(ErrorCode::kBadBody, child,
                    "unexpected element <" + std::string(NameOf(child)) + "> inside <" + std::string(NameOf(node)) +
                        ">, which holds text only");
      case XML_ENTITY_REF_NODE:
        return Fail(ErrorCode::kBadBody, node, "entity reference inside <" + std::string(NameOf(node)) + ">");
      default:
        break;
    }
  }
  return true;
}

bool SubscriptionParser::TrimmedText(const xmlNode* node, std::string& out) {
  if (!Text(node, out)) return false;
  out = std::string(xml::TrimSpace(out));
  return true;
}

bool SubscriptionParser::Number(const xmlNode* node, std::uint64_t max, std::uint64_t& out) {
  std::string text;
  if (!TrimmedText(node, text)) return false;
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);  // xs:int allows a '+' sign
  const std::optional<std::uint64_t> value = ParseBounded(digits, max);
  if (!value) {
    return Fail(ErrorCode::kBadNumber, node,
                "<" + std::string(NameOf(node)) + "> must be an integer from 0 to " + std::to_string(max) +
                    ", got '" + text.substr(0, 40) + "'");
  }
  out = *value;
  return true;
}

bool SubscriptionParser::Boolean(const xmlNode* node, bool& out) {
  std::string text;
  if (!TrimmedText(node, text)) return false;
  if (text == "1" || text == "true") {
    out = true;
  } else if (text == "0" || text == "false") {
    out = false;
  } else {
    return Fail(ErrorCode::kBadBody, node,
                "<" + std::string(NameOf(node)) + "> must be a boolean (0, 1, false, true), got '" +
                    text.substr(0, 40) + "'");
  }
  return true;
}

bool SubscriptionParser::Regex(const xmlNode* node, std::optional<PosixRegex>& out) {
  std::string text;
  if (!TrimmedText(node, text)) return false;
  Result<PosixRegex> compiled = PosixRegex::Compile(text);
  if (!compiled.ok()) {
    return Fail(compiled.error().code, node, "<" + std::string(NameOf(node)) + ">: " + compiled.error().detail);
  }
  out = std::move(compiled).value();
  return true;
}

bool SubscriptionParser::Once(bool& seen, const xmlNode* node, const xmlNode* parent) {
  if (seen) {
    return Fail(ErrorCode::kBadBody, node,
                "<" + std::string(NameOf(node)) + "> appears more than once in <" + std::string(NameOf(parent)) + ">");
  }
  seen = true;
  return true;
}

bool SubscriptionParser::Unknown(const xmlNode* node, const xmlNode* parent) {
  return Fail(ErrorCode::kBadBody, node,
              "unknown element <" + std::string(NameOf(node)) + "> in <" + std::string(NameOf(parent)) + ">");
}

bool SubscriptionParser::Missing(const xmlNode* parent, std::string_view child) {
  return Fail(ErrorCode::kBadBody, parent,
              "<" + std::string(NameOf(parent)) + "> lacks its mandatory <" + std::string(child) + ">");
}

bool SubscriptionParser::Count(std::size_t& counter, std::size_t limit, const xmlNode* node, std::string_view what) {
  if (++counter > limit) {
    return Fail(ErrorCode::kTooLarge, node,
                "more than " + std::to_string(limit) + " " + std::string(what) + " in the subscription");
  }
  return true;
}

bool SubscriptionParser::ParseSubscription(const xmlNode* node, ImsSubscription& out) {
  bool private_id = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "PrivateID") {
      if (!Once(private_id, child, node) || !TrimmedText(child, out.private_id)) return false;
      if (out.private_id.empty() ||
          std::any_of(out.private_id.begin(), out.private_id.end(), [](char c) { return xml::IsSpace(c); })) {
        return Fail(ErrorCode::kBadBody, child, "<PrivateID> must be a non-empty identifier without spaces");
      }
      return true;
    }
    if (name == "ServiceProfile") {
      if (!Count(service_profiles_, SubscriptionLimits::kMaxServiceProfiles, child, "ServiceProfile elements")) {
        return false;
      }
      out.service_profiles.emplace_back();
      return ParseServiceProfile(child, out.service_profiles.back());
    }
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!private_id) return Missing(node, "PrivateID");
  if (out.service_profiles.empty()) return Missing(node, "ServiceProfile");
  return true;
}

bool SubscriptionParser::ParseServiceProfile(const xmlNode* node, ServiceProfile& out) {
  bool cnsa = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "PublicIdentity") {
      if (!Count(public_identities_, SubscriptionLimits::kMaxPublicIdentities, child, "PublicIdentity elements")) {
        return false;
      }
      out.public_identities.emplace_back();
      return ParsePublicIdentity(child, out.public_identities.back());
    }
    if (name == "CoreNetworkServicesAuthorization") {
      if (!Once(cnsa, child, node)) return false;
      out.core_network_services_authorization.emplace();
      return ParseCoreNetworkServicesAuthorization(child, *out.core_network_services_authorization);
    }
    if (name == "InitialFilterCriteria") {
      if (!Count(filter_criteria_, SubscriptionLimits::kMaxFilterCriteria, child, "InitialFilterCriteria elements")) {
        return false;
      }
      out.initial_filter_criteria.emplace_back();
      return ParseFilterCriteria(child, out.initial_filter_criteria.back());
    }
    if (name == "Extension") {
      if (!Once(extension, child, node)) return false;
      return ForEachChild(child, [&](const xmlNode* item) {
        if (NameOf(item) != "SharedIFCSetID") return true;  // unknown extensions are ignored
        if (!Count(shared_ifc_sets_, SubscriptionLimits::kMaxSharedIfcSets, item, "SharedIFCSetID elements")) {
          return false;
        }
        std::uint64_t id = 0;
        if (!Number(item, kMaxXsInt, id)) return false;
        out.shared_ifc_set_ids.push_back(static_cast<std::uint32_t>(id));
        return true;
      });
    }
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (out.public_identities.empty()) return Missing(node, "PublicIdentity");
  return true;
}

bool SubscriptionParser::ParsePublicIdentityExtension(const xmlNode* node, PublicIdentity& out,
                                                      bool& display_name_seen) {
  bool identity_type = false;
  bool wildcarded_psi = false;
  bool extension = false;
  return ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "IdentityType") {
      std::uint64_t value = 0;
      if (!Once(identity_type, child, node) || !Number(child, 2, value)) return false;
      out.identity_type = static_cast<IdentityType>(value);
      return true;
    }
    if (name == "WildcardedPSI") {
      std::string text;
      if (!Once(wildcarded_psi, child, node) || !TrimmedText(child, text)) return false;
      out.wildcarded_psi = std::move(text);
      return true;
    }
    if (name == "DisplayName") {
      std::string text;
      if (!Once(display_name_seen, child, node) || !Text(child, text)) return false;
      out.display_name = std::move(text);
      return true;
    }
    if (name == "Extension") {
      if (!Once(extension, child, node)) return false;
      // tPublicIdentityExtension2: DisplayName lives here; everything else is ignored.
      return ForEachChild(child, [&](const xmlNode* item) {
        if (NameOf(item) != "DisplayName") return true;
        std::string text;
        if (!Once(display_name_seen, item, child) || !Text(item, text)) return false;
        out.display_name = std::move(text);
        return true;
      });
    }
    return true;  // unknown extensions are ignored
  });
}

bool SubscriptionParser::ParsePublicIdentity(const xmlNode* node, PublicIdentity& out) {
  bool barring = false;
  bool identity = false;
  bool extension = false;
  bool display_name = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "BarringIndication") return Once(barring, child, node) && Boolean(child, out.barring_indication);
    if (name == "Identity") {
      if (!Once(identity, child, node) || !TrimmedText(child, out.identity)) return false;
      const bool has_scheme = wire::StartsWithIgnoreCase(out.identity, "sip:") ||
                              wire::StartsWithIgnoreCase(out.identity, "sips:") ||
                              wire::StartsWithIgnoreCase(out.identity, "tel:");
      const std::size_t colon = out.identity.find(':');
      if (!has_scheme || colon + 1 >= out.identity.size() ||
          std::any_of(out.identity.begin(), out.identity.end(), [](char c) { return xml::IsSpace(c); })) {
        return Fail(ErrorCode::kBadBody, child,
                    "<Identity> must be a SIP or tel URI (tIdentity), got '" + out.identity.substr(0, 60) + "'");
      }
      return true;
    }
    if (name == "Extension") {
      return Once(extension, child, node) && ParsePublicIdentityExtension(child, out, display_name);
    }
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!identity) return Missing(node, "Identity");
  return true;
}

bool SubscriptionParser::ParseCoreNetworkServicesAuthorization(const xmlNode* node,
                                                               CoreNetworkServicesAuthorization& out) {
  bool media_profile = false;
  bool extension = false;
  return ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "SubscribedMediaProfileId") {
      std::uint64_t value = 0;
      if (!Once(media_profile, child, node) || !Number(child, kMaxXsInt, value)) return false;
      out.subscribed_media_profile_id = static_cast<std::uint32_t>(value);
      return true;
    }
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
}

bool SubscriptionParser::ParseFilterCriteria(const xmlNode* node, InitialFilterCriteria& out) {
  bool priority = false;
  bool trigger_point = false;
  bool application_server = false;
  bool profile_part = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "Priority") {
      std::uint64_t value = 0;
      if (!Once(priority, child, node) || !Number(child, kMaxXsInt, value)) return false;
      out.priority = static_cast<std::uint32_t>(value);
      return true;
    }
    if (name == "TriggerPoint") {
      if (!Once(trigger_point, child, node)) return false;
      out.trigger_point.emplace();
      return ParseTriggerPoint(child, *out.trigger_point);
    }
    if (name == "ApplicationServer") {
      return Once(application_server, child, node) && ParseApplicationServer(child, out.application_server);
    }
    if (name == "ProfilePartIndicator") {
      std::uint64_t value = 0;
      if (!Once(profile_part, child, node)) return false;
      if (!Number(child, 1, value)) return false;
      out.profile_part_indicator = static_cast<ProfilePartIndicator>(value);
      return true;
    }
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!priority) return Missing(node, "Priority");
  if (!application_server) return Missing(node, "ApplicationServer");
  return true;
}

bool SubscriptionParser::ParseTriggerPoint(const xmlNode* node, TriggerPoint& out) {
  bool cnf = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "ConditionTypeCNF") return Once(cnf, child, node) && Boolean(child, out.condition_type_cnf);
    if (name == "SPT") {
      if (!Count(spts_, SubscriptionLimits::kMaxServicePointTriggers, child, "SPT elements")) return false;
      out.spts.emplace_back();
      return ParseSpt(child, out.spts.back());
    }
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!cnf) return Missing(node, "ConditionTypeCNF");
  if (out.spts.empty()) return Missing(node, "SPT");
  return true;
}

bool SubscriptionParser::ParseSipHeader(const xmlNode* node, SipHeaderCondition& out) {
  bool header = false;
  bool content = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "Header") {
      if (!Once(header, child, node) || !TrimmedText(child, out.header)) return false;
      if (!wire::IsToken(out.header)) {
        return Fail(ErrorCode::kBadBody, child,
                    "<Header> must be a SIP header name (RFC 3261 token), got '" + out.header.substr(0, 60) + "'");
      }
      return true;
    }
    if (name == "Content") return Once(content, child, node) && Regex(child, out.content);
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!header) return Missing(node, "Header");
  return true;
}

bool SubscriptionParser::ParseSessionDescription(const xmlNode* node, SessionDescriptionCondition& out) {
  bool line = false;
  bool content = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "Line") {
      if (!Once(line, child, node) || !TrimmedText(child, out.line)) return false;
      if (!wire::IsToken(out.line)) {
        return Fail(ErrorCode::kBadBody, child,
                    "<Line> must name an SDP line type such as 'm', got '" + out.line.substr(0, 60) + "'");
      }
      return true;
    }
    if (name == "Content") return Once(content, child, node) && Regex(child, out.content);
    if (name == "Extension") return Once(extension, child, node);
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!line) return Missing(node, "Line");
  return true;
}

bool SubscriptionParser::ParseSpt(const xmlNode* node, ServicePointTrigger& out) {
  bool negated = false;
  bool extension = false;
  const xmlNode* condition = nullptr;
  const auto take_condition = [&](const xmlNode* child) {
    if (condition != nullptr) {
      return Fail(ErrorCode::kBadBody, child,
                  "<SPT> holds both <" + std::string(NameOf(condition)) + "> and <" + std::string(NameOf(child)) +
                      ">; it takes exactly one of RequestURI, Method, SIPHeader, SessionCase, SessionDescription");
    }
    condition = child;
    return true;
  };
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "ConditionNegated") return Once(negated, child, node) && Boolean(child, out.condition_negated);
    if (name == "Group") {
      if (out.groups.size() >= SubscriptionLimits::kMaxGroupsPerTrigger) {
        return Fail(ErrorCode::kTooLarge, child,
                    "more than " + std::to_string(SubscriptionLimits::kMaxGroupsPerTrigger) + " <Group> in one <SPT>");
      }
      std::uint64_t group = 0;
      if (!Number(child, kMaxXsInt, group)) return false;
      out.groups.push_back(static_cast<std::uint32_t>(group));
      return true;
    }
    if (name == "RequestURI") {
      std::optional<PosixRegex> pattern;
      if (!take_condition(child) || !Regex(child, pattern)) return false;
      out.condition = RequestUriCondition{std::move(*pattern)};
      return true;
    }
    if (name == "Method") {
      MethodCondition method;
      if (!take_condition(child) || !TrimmedText(child, method.method)) return false;
      if (!wire::IsToken(method.method)) {
        return Fail(ErrorCode::kBadBody, child,
                    "<Method> must be a SIP method (RFC 3261 token), got '" + method.method.substr(0, 60) + "'");
      }
      out.condition = std::move(method);
      return true;
    }
    if (name == "SIPHeader") {
      SipHeaderCondition header;
      if (!take_condition(child) || !ParseSipHeader(child, header)) return false;
      out.condition = std::move(header);
      return true;
    }
    if (name == "SessionCase") {
      std::string text;
      if (!take_condition(child) || !TrimmedText(child, text)) return false;
      const std::optional<std::uint64_t> value = ParseBounded(text, 4);
      if (!value) {
        return Fail(ErrorCode::kBadNumber, child,
                    "unknown <SessionCase> value '" + text.substr(0, 40) +
                        "'; expected 0 (ORIGINATING_REGISTERED) to 4 (ORIGINATING_CDIV)");
      }
      out.condition = SessionCaseCondition{static_cast<SessionCase>(*value)};
      return true;
    }
    if (name == "SessionDescription") {
      SessionDescriptionCondition description;
      if (!take_condition(child) || !ParseSessionDescription(child, description)) return false;
      out.condition = std::move(description);
      return true;
    }
    if (name == "Extension") {
      if (!Once(extension, child, node)) return false;
      return ForEachChild(child, [&](const xmlNode* item) {
        if (NameOf(item) != "RegistrationType") return true;  // unknown extensions are ignored
        if (out.registration_types.size() >= 3) {
          return Fail(ErrorCode::kBadBody, item, "more than 3 <RegistrationType> in one <SPT>");
        }
        std::uint64_t value = 0;
        if (!Number(item, 2, value)) return false;
        out.registration_types.push_back(static_cast<RegistrationType>(value));
        return true;
      });
    }
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (out.groups.empty()) return Missing(node, "Group");
  if (condition == nullptr) return Missing(node, "RequestURI, Method, SIPHeader, SessionCase or SessionDescription");
  return true;
}

bool SubscriptionParser::ParseApplicationServer(const xmlNode* node, ApplicationServer& out) {
  bool server_name = false;
  bool default_handling = false;
  bool service_info = false;
  bool extension = false;
  const bool ok = ForEachChild(node, [&](const xmlNode* child) {
    const std::string_view name = NameOf(child);
    if (name == "ServerName") {
      if (!Once(server_name, child, node) || !TrimmedText(child, out.server_name)) return false;
      const bool sip = wire::StartsWithIgnoreCase(out.server_name, "sip:") ||
                       wire::StartsWithIgnoreCase(out.server_name, "sips:");
      if (!sip || out.server_name.back() == ':' ||
          std::any_of(out.server_name.begin(), out.server_name.end(), [](char c) { return xml::IsSpace(c); })) {
        return Fail(ErrorCode::kBadBody, child,
                    "<ServerName> must be a SIP URI, got '" + out.server_name.substr(0, 60) + "'");
      }
      return true;
    }
    if (name == "DefaultHandling") {
      std::string text;
      if (!Once(default_handling, child, node) || !TrimmedText(child, text)) return false;
      const std::optional<std::uint64_t> value = ParseBounded(text, 1);
      if (!value) {
        return Fail(ErrorCode::kBadNumber, child,
                    "<DefaultHandling> must be 0 (SESSION_CONTINUED) or 1 (SESSION_TERMINATED), got '" +
                        text.substr(0, 40) + "'");
      }
      out.default_handling = static_cast<DefaultHandling>(*value);
      return true;
    }
    if (name == "ServiceInfo") {
      std::string text;
      if (!Once(service_info, child, node) || !Text(child, text)) return false;
      out.service_info = std::move(text);
      return true;
    }
    if (name == "Extension") {
      if (!Once(extension, child, node)) return false;
      bool request = false;
      bool response = false;
      return ForEachChild(child, [&](const xmlNode* item) {
        const std::string_view item_name = NameOf(item);
        if (item_name == "IncludeRegisterRequest") {
          out.include_register_request = true;
          return Once(request, item, child);
        }
        if (item_name == "IncludeRegisterResponse") {
          out.include_register_response = true;
          return Once(response, item, child);
        }
        return true;  // unknown extensions are ignored
      });
    }
    return Unknown(child, node);
  });
  if (!ok) return false;
  if (!server_name) return Missing(node, "ServerName");
  return true;
}

Result<ImsSubscription> SubscriptionParser::Run() {
  xml::UntrustedXmlOptions options;
  options.max_bytes = SubscriptionLimits::kMaxInputBytes;
  options.too_large = "subscription document";
  options.doctype = "document type declarations are not accepted in subscription data (entity definitions refused)";
  options.drop_blank_text = true;
  auto read = xml::ReadUntrusted(input_, options);
  if (!read.ok()) {
    if (!error_) error_ = read.error();
    return *error_;
  }
  const xml::DocPtr doc = std::move(read).value();
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || root->ns != nullptr || NameOf(root) != "IMSSubscription") {
    Fail(ErrorCode::kBadBody, root, "the root element must be <IMSSubscription> without a namespace");
    return *error_;
  }
  ImsSubscription subscription;
  if (!ParseSubscription(root, subscription)) return *error_;
  return subscription;
}

}  // namespace

Result<ImsSubscription> ParseImsSubscription(std::string_view xml) { return SubscriptionParser(xml).Run(); }

// ---------------------------------------------------------------------------------------------
// Serialization

namespace {

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;  // a literal CR would be normalized away by the reader
      default: out.push_back(c); break;
    }
  }
}

class Writer {
 public:
  void Open(std::string_view name) {
    Indent();
    out_ += '<';
    out_ += name;
    out_ += ">\n";
    ++depth_;
  }
  void Close(std::string_view name) {
    --depth_;
    Indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Leaf(std::string_view name, std::string_view value) {
    Indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    AppendEscaped(out_, value);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void Leaf(std::string_view name, std::uint64_t value) { Leaf(name, std::to_string(value)); }
  void Empty(std::string_view name) {
    Indent();
    out_ += '<';
    out_ += name;
    out_ += "/>\n";
  }
  void Raw(std::string_view text) { out_ += text; }
  std::string Take() { return std::move(out_); }

 private:
  void Indent() { out_.append(static_cast<std::size_t>(depth_) * 2, ' '); }
  std::string out_;
  int depth_ = 0;
};

void WriteSpt(Writer& w, const ServicePointTrigger& spt) {
  w.Open("SPT");
  w.Leaf("ConditionNegated", spt.condition_negated ? 1 : 0);
  for (std::uint32_t group : spt.groups) w.Leaf("Group", group);
  if (const auto* uri = std::get_if<RequestUriCondition>(&spt.condition)) {
    w.Leaf("RequestURI", uri->pattern.pattern());
  } else if (const auto* method = std::get_if<MethodCondition>(&spt.condition)) {
    w.Leaf("Method", method->method);
  } else if (const auto* header = std::get_if<SipHeaderCondition>(&spt.condition)) {
    w.Open("SIPHeader");
    w.Leaf("Header", header->header);
    if (header->content) w.Leaf("Content", header->content->pattern());
    w.Close("SIPHeader");
  } else if (const auto* session_case = std::get_if<SessionCaseCondition>(&spt.condition)) {
    w.Leaf("SessionCase", static_cast<std::uint64_t>(session_case->session_case));
  } else if (const auto* description = std::get_if<SessionDescriptionCondition>(&spt.condition)) {
    w.Open("SessionDescription");
    w.Leaf("Line", description->line);
    if (description->content) w.Leaf("Content", description->content->pattern());
    w.Close("SessionDescription");
  }
  if (!spt.registration_types.empty()) {
    w.Open("Extension");
    for (RegistrationType type : spt.registration_types) w.Leaf("RegistrationType", static_cast<std::uint64_t>(type));
    w.Close("Extension");
  }
  w.Close("SPT");
}

void WriteFilterCriteria(Writer& w, const InitialFilterCriteria& ifc) {
  w.Open("InitialFilterCriteria");
  w.Leaf("Priority", ifc.priority);
  if (ifc.trigger_point) {
    w.Open("TriggerPoint");
    w.Leaf("ConditionTypeCNF", ifc.trigger_point->condition_type_cnf ? 1 : 0);
    for (const ServicePointTrigger& spt : ifc.trigger_point->spts) WriteSpt(w, spt);
    w.Close("TriggerPoint");
  }
  const ApplicationServer& as = ifc.application_server;
  w.Open("ApplicationServer");
  w.Leaf("ServerName", as.server_name);
  if (as.default_handling) w.Leaf("DefaultHandling", static_cast<std::uint64_t>(*as.default_handling));
  if (as.service_info) w.Leaf("ServiceInfo", *as.service_info);
  if (as.include_register_request || as.include_register_response) {
    w.Open("Extension");
    if (as.include_register_request) w.Empty("IncludeRegisterRequest");
    if (as.include_register_response) w.Empty("IncludeRegisterResponse");
    w.Close("Extension");
  }
  w.Close("ApplicationServer");
  if (ifc.profile_part_indicator) {
    w.Leaf("ProfilePartIndicator", static_cast<std::uint64_t>(*ifc.profile_part_indicator));
  }
  w.Close("InitialFilterCriteria");
}

void WritePublicIdentity(Writer& w, const PublicIdentity& identity) {
  w.Open("PublicIdentity");
  if (identity.barring_indication) w.Leaf("BarringIndication", 1);
  w.Leaf("Identity", identity.identity);
  if (identity.identity_type || identity.wildcarded_psi || identity.display_name) {
    w.Open("Extension");
    if (identity.identity_type) w.Leaf("IdentityType", static_cast<std::uint64_t>(*identity.identity_type));
    if (identity.wildcarded_psi) w.Leaf("WildcardedPSI", *identity.wildcarded_psi);
    if (identity.display_name) {
      w.Open("Extension");
      w.Leaf("DisplayName", *identity.display_name);
      w.Close("Extension");
    }
    w.Close("Extension");
  }
  w.Close("PublicIdentity");
}

}  // namespace

std::string SerializeImsSubscription(const ImsSubscription& subscription) {
  Writer w;
  w.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.Open("IMSSubscription");
  w.Leaf("PrivateID", subscription.private_id);
  for (const ServiceProfile& profile : subscription.service_profiles) {
    w.Open("ServiceProfile");
    for (const PublicIdentity& identity : profile.public_identities) WritePublicIdentity(w, identity);
    if (profile.core_network_services_authorization) {
      w.Open("CoreNetworkServicesAuthorization");
      if (profile.core_network_services_authorization->subscribed_media_profile_id) {
        w.Leaf("SubscribedMediaProfileId", *profile.core_network_services_authorization->subscribed_media_profile_id);
      }
      w.Close("CoreNetworkServicesAuthorization");
    }
    for (const InitialFilterCriteria& ifc : profile.initial_filter_criteria) WriteFilterCriteria(w, ifc);
    if (!profile.shared_ifc_set_ids.empty()) {
      w.Open("Extension");
      for (std::uint32_t id : profile.shared_ifc_set_ids) w.Leaf("SharedIFCSetID", id);
      w.Close("Extension");
    }
    w.Close("ServiceProfile");
  }
  w.Close("IMSSubscription");
  return w.Take();
}

}  // namespace pushsim::ims
