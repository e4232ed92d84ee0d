#include "ims/registrar.h"

#include <algorithm>
#include <functional>

#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::ims {

using wire::HeaderId;
using wire::SipMessage;

namespace {

constexpr std::uint64_t kNanosPerSecond = 1000000000ULL;

std::string Hex32(std::uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[value & 0xF];
    value >>= 4;
  }
  return out;
}

// paramchar of RFC 3261 25.1: param-unreserved / unreserved (escaped is what we produce).
bool IsParamChar(char c) {
  if (wire::IsAlpha(c) || wire::IsDigit(c)) return true;
  switch (c) {
    case '[':
    case ']':
    case '/':
    case ':':
    case '&':
    case '+':
    case '$':
    case '-':
    case '_':
    case '.':
    case '!':
    case '~':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

// "sip:user@host;..." -> "user"; what the registrar mints has this plain form.
std::string_view UserPart(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  const std::size_t at = uri.find('@');
  if (colon == std::string_view::npos || at == std::string_view::npos || at < colon) return {};
  return uri.substr(colon + 1, at - colon - 1);
}

std::string_view DomainOf(std::string_view aor) {
  const std::size_t at = aor.find('@');
  if (at != std::string_view::npos) return aor.substr(at + 1);
  const std::size_t colon = aor.find(':');
  return colon == std::string_view::npos ? aor : aor.substr(colon + 1);
}

bool SameContactUri(std::string_view a, std::string_view b) {
  auto ua = wire::ParseSipUri(a);
  auto ub = wire::ParseSipUri(b);
  if (ua.ok() && ub.ok()) return wire::SipUriEquivalent(*ua, *ub);
  return a == b;
}

bool HasOptionTag(const SipMessage& request, std::string_view tag) {
  auto tags = wire::ParseTokenList(request, HeaderId::kSupported);
  if (!tags.ok()) return false;
  return std::any_of(tags->begin(), tags->end(), [&](const std::string& t) { return wire::EqualsIgnoreCase(t, tag); });
}

RegisterResult Fail(int status, std::string detail) {
  RegisterResult result;
  result.status = status;
  result.detail = std::move(detail);
  return result;
}

// One Contact of the request, checked.
struct ContactUpdate {
  const wire::Contact* contact = nullptr;
  std::string uri;
  std::string instance;
  std::uint32_t expires = 0;
  wire::FeatureSet features;
};

std::size_t FindBinding(const std::vector<Binding>& bindings, const ContactUpdate& update) {
  for (std::size_t i = 0; i < bindings.size(); ++i) {
    const Binding& binding = bindings[i];
    if (!update.instance.empty()) {
      if (wire::EqualsIgnoreCase(binding.instance, update.instance)) return i;
    } else if (binding.instance.empty() && SameContactUri(binding.contact_uri, update.uri)) {
      return i;
    }
  }
  return bindings.size();
}

}  // namespace

std::string_view ContactEventName(ContactEvent event) {
  switch (event) {
    case ContactEvent::kRegistered:
      return "registered";
    case ContactEvent::kRefreshed:
      return "refreshed";
    case ContactEvent::kShortened:
      return "shortened";
    case ContactEvent::kExpired:
      return "expired";
    case ContactEvent::kUnregistered:
      return "unregistered";
    case ContactEvent::kDeactivated:
      return "deactivated";
    case ContactEvent::kRejected:
      return "rejected";
  }
  return "";
}

std::uint32_t Binding::RemainingSeconds(sip::TimePoint now) const {
  if (expires_at <= now) return 0;
  const auto nanos = static_cast<std::uint64_t>((expires_at - now).count());
  const std::uint64_t seconds = (nanos + kNanosPerSecond - 1) / kNanosPerSecond;
  return seconds > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(seconds);
}

std::string Binding::ContactValue(sip::TimePoint now, bool with_gruu) const {
  std::string out = "<" + contact_uri + ">";
  wire::AppendParams(out, contact_params);
  out += ";expires=" + std::to_string(RemainingSeconds(now));
  if (with_gruu && !pub_gruu.empty()) {
    out += ";pub-gruu=" + wire::QuoteString(pub_gruu);
    if (!temp_gruu.empty()) out += ";temp-gruu=" + wire::QuoteString(temp_gruu);
  }
  return out;
}

const Registrar::Record* Registrar::Find(std::string_view aor) const {
  const auto it = records_.find(aor);
  return it == records_.end() ? nullptr : &it->second;
}

Registrar::Record& Registrar::FindOrCreate(std::string_view aor) {
  auto it = records_.find(aor);
  if (it == records_.end()) {
    it = records_.emplace(std::string(aor), Record{}).first;
    it->second.aor = std::string(aor);
  }
  return it->second;
}

std::size_t Registrar::binding_count() const {
  std::size_t count = 0;
  for (const auto& entry : records_) count += entry.second.bindings.size();
  return count;
}

void Registrar::Erase(std::string_view aor) {
  const auto it = records_.find(aor);
  if (it == records_.end()) return;
  for (const Binding& binding : it->second.bindings) ForgetTempGruus(binding);
  records_.erase(it);
}

std::string Registrar::PublicGruu(std::string_view aor, std::string_view instance) {
  std::string_view urn = wire::TrimLws(instance);
  if (urn.size() >= 2 && urn.front() == '<' && urn.back() == '>') urn = urn.substr(1, urn.size() - 2);
  return std::string(aor) + ";gr=" + wire::PercentEncode(urn, IsParamChar);
}

std::string Registrar::MintTempGruu(std::string_view aor, std::string_view instance) {
  // RFC 5627 3.2: a temporary GRUU must not reveal the AOR; a counter and a hash of the AOR and
  // instance make it unique and reproducible.
  ++temp_gruu_counter_;
  const std::string seed = std::string(aor) + "|" + std::string(instance) + "|" + std::to_string(temp_gruu_counter_);
  return "sip:tgruu." + std::to_string(temp_gruu_counter_) + "." + Hex32(wire::StableHash(seed)) + "@" +
         std::string(DomainOf(aor)) + ";gr";
}

void Registrar::ForgetTempGruus(const Binding& binding) {
  if (!binding.temp_gruu.empty()) temp_gruu_index_.erase(std::string(UserPart(binding.temp_gruu)));
  for (const std::string& old : binding.old_temp_gruus) temp_gruu_index_.erase(std::string(UserPart(old)));
}

const Binding* Registrar::FindByGruu(std::string_view gruu_uri, std::string* aor) const {
  std::string_view text = wire::TrimLws(gruu_uri);
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
  auto uri = wire::ParseSipUri(text);
  if (!uri.ok()) return nullptr;
  const auto gr = uri->Param("gr");
  if (!gr) return nullptr;
  if (!gr->empty()) {
    // Public GRUU (RFC 5627 3.1): the AOR plus the instance URN.
    auto urn = wire::PercentDecode(*gr);
    if (!urn.ok()) return nullptr;
    const std::string record_aor = wire::AddressOfRecord(*uri);
    const Record* record = Find(record_aor);
    if (!record) return nullptr;
    const std::string instance = "<" + *urn + ">";
    for (const Binding& binding : record->bindings) {
      if (wire::EqualsIgnoreCase(binding.instance, instance)) {
        if (aor) *aor = record_aor;
        return &binding;
      }
    }
    return nullptr;
  }
  // Temporary GRUU: only the registrar can map it back (RFC 5627 3.2).
  const auto indexed = temp_gruu_index_.find(std::string_view(uri->user));
  if (indexed == temp_gruu_index_.end()) return nullptr;
  if (!wire::EqualsIgnoreCase(DomainOf(indexed->second), uri->host)) return nullptr;
  const Record* record = Find(indexed->second);
  if (!record) return nullptr;
  for (const Binding& binding : record->bindings) {
    const bool current = UserPart(binding.temp_gruu) == uri->user;
    const bool old = std::any_of(binding.old_temp_gruus.begin(), binding.old_temp_gruus.end(),
                                 [&](const std::string& t) { return UserPart(t) == uri->user; });
    if (current || old) {
      if (aor) *aor = indexed->second;
      return &binding;
    }
  }
  return nullptr;
}

std::vector<ContactChange> Registrar::Expire(std::string_view aor, sip::TimePoint now) {
  std::vector<ContactChange> changes;
  const auto it = records_.find(aor);
  if (it == records_.end()) return changes;
  auto& bindings = it->second.bindings;
  for (auto binding = bindings.begin(); binding != bindings.end();) {
    if (binding->expires_at <= now) {
      ForgetTempGruus(*binding);
      changes.push_back(ContactChange{ContactEvent::kExpired, std::move(*binding)});
      binding = bindings.erase(binding);
    } else {
      ++binding;
    }
  }
  if (bindings.empty()) records_.erase(it);
  return changes;
}

std::vector<ContactChange> Registrar::RemoveAll(std::string_view aor, ContactEvent event) {
  std::vector<ContactChange> changes;
  const auto it = records_.find(aor);
  if (it == records_.end()) return changes;
  for (Binding& binding : it->second.bindings) {
    ForgetTempGruus(binding);
    changes.push_back(ContactChange{event, std::move(binding)});
  }
  records_.erase(it);
  return changes;
}

std::optional<sip::TimePoint> Registrar::NextExpiry(std::string_view aor) const {
  const Record* record = Find(aor);
  if (!record || record->bindings.empty()) return std::nullopt;
  sip::TimePoint earliest = record->bindings.front().expires_at;
  for (const Binding& binding : record->bindings) earliest = std::min(earliest, binding.expires_at);
  return earliest;
}

RegisterResult Registrar::Apply(std::string_view aor, const SipMessage& request, sip::TimePoint now,
                                const RegisterPolicy& policy) {
  auto contacts = wire::ParseContacts(request);
  if (!contacts.ok()) return Fail(400, "Bad Contact: " + contacts.error().detail);
  if (contacts->size() > kMaxContactsPerRegister) return Fail(403, "Too Many Contacts");
  const auto call_id = request.Get(HeaderId::kCallId);
  const auto cseq_text = request.Get(HeaderId::kCSeq);
  if (!call_id || !cseq_text) return Fail(400, "Missing Call-ID or CSeq");
  auto cseq = wire::ParseCSeq(*cseq_text);
  if (!cseq.ok()) return Fail(400, "Bad CSeq");
  std::optional<std::uint32_t> header_expires;
  if (auto expires = request.Get(HeaderId::kExpires)) {
    auto parsed = wire::ParseDeltaSeconds(*expires);
    if (!parsed.ok()) return Fail(400, "Bad Expires");
    header_expires = *parsed;
  }

  const Record* existing = Find(aor);
  const std::vector<Binding> before = existing ? existing->bindings : std::vector<Binding>{};
  RegisterResult result;
  result.gruu = policy.gruu && HasOptionTag(request, "gruu");

  // RFC 3261 10.2.1.1: a REGISTER without Contact asks for the current bindings.
  if (contacts->empty()) {
    result.type = before.empty() ? RegistrationType::kInitial : RegistrationType::kReRegistration;
    return result;
  }

  // RFC 3261 10.3 step 6: "*" removes every binding, only with Expires: 0.
  if (contacts->front().star) {
    if (contacts->size() != 1 || header_expires != 0u) return Fail(400, "Contact * Needs Expires 0");
    for (const Binding& binding : before) {
      if (binding.call_id == *call_id && cseq->number <= binding.cseq) return Fail(500, "Out Of Order CSeq");
    }
    result.type = RegistrationType::kDeRegistration;
    result.changes = RemoveAll(aor, ContactEvent::kUnregistered);
    return result;
  }

  // First pass: check every contact before changing anything (10.3 step 7: all or nothing).
  std::vector<ContactUpdate> updates;
  for (const wire::Contact& contact : *contacts) {
    if (contact.star) return Fail(400, "Contact * Must Be Alone");
    ContactUpdate update;
    update.contact = &contact;
    update.uri = contact.address.uri;
    update.instance = contact.instance().value_or("");
    std::uint32_t expires = contact.expires().value_or(header_expires.value_or(policy.default_expires));
    if (expires != 0 && expires < policy.min_expires) {
      RegisterResult brief = Fail(423, "Interval Too Brief");
      brief.min_expires = policy.min_expires;
      return brief;
    }
    update.expires = std::min(expires, policy.max_expires);
    auto features = wire::FeatureSetFromParams(contact.address.params);
    if (!features.ok()) return Fail(400, "Bad Feature Tag: " + features.error().detail);
    update.features = std::move(features).value();
    const std::size_t index = FindBinding(before, update);
    if (index < before.size() && before[index].call_id == *call_id && cseq->number <= before[index].cseq) {
      return Fail(500, "Out Of Order CSeq");
    }
    updates.push_back(std::move(update));
  }

  // Second pass: the new binding set.
  std::vector<Binding> after = before;
  std::vector<std::string> path;
  for (std::string_view value : request.GetAll(HeaderId::kPath)) path.emplace_back(wire::TrimLws(value));
  bool any_kept = false;
  for (ContactUpdate& update : updates) {
    const std::size_t index = FindBinding(after, update);
    const bool found = index < after.size();
    if (update.expires == 0) {
      if (found) {
        result.changes.push_back(ContactChange{ContactEvent::kUnregistered, after[index]});
        after.erase(after.begin() + static_cast<std::ptrdiff_t>(index));
      }
      continue;
    }
    any_kept = true;
    result.granted_expires = std::max(result.granted_expires, update.expires);
    Binding binding = found ? after[index] : Binding{};
    const bool same_call = found && binding.call_id == *call_id;
    if (!found) binding.id = "b" + std::to_string(++binding_counter_);
    binding.contact_uri = update.uri;
    binding.instance = update.instance;
    binding.contact_params.clear();
    for (const wire::Param& param : update.contact->address.params) {
      if (wire::EqualsIgnoreCase(param.name, "expires") || wire::EqualsIgnoreCase(param.name, "pub-gruu") ||
          wire::EqualsIgnoreCase(param.name, "temp-gruu")) {
        continue;
      }
      binding.contact_params.push_back(param);
    }
    binding.features = std::move(update.features);
    binding.q = update.contact->q().value_or(1.0);
    binding.expires_at = now + std::chrono::seconds(update.expires);
    binding.path = path;
    if (!same_call) {
      // RFC 5627 3.2: a new Call-ID (the UA restarted) invalidates the earlier temporary GRUUs.
      binding.old_temp_gruus.clear();
      if (!binding.temp_gruu.empty() && !result.gruu) binding.temp_gruu.clear();
    }
    if (result.gruu && !binding.instance.empty()) {
      binding.pub_gruu = PublicGruu(aor, binding.instance);
      if (same_call && !binding.temp_gruu.empty()) {
        binding.old_temp_gruus.push_back(binding.temp_gruu);
        if (binding.old_temp_gruus.size() > kMaxOldTempGruus)
          binding.old_temp_gruus.erase(binding.old_temp_gruus.begin());
      } else {
        binding.first_cseq = cseq->number;
      }
      binding.temp_gruu = MintTempGruu(aor, binding.instance);
    }
    binding.call_id = std::string(*call_id);
    binding.cseq = cseq->number;
    result.changes.push_back(ContactChange{found ? ContactEvent::kRefreshed : ContactEvent::kRegistered, binding});
    if (found) {
      after[index] = std::move(binding);
    } else {
      after.push_back(std::move(binding));
    }
  }
  if (after.size() > kMaxBindingsPerAor) return Fail(403, "Too Many Bindings");

  result.type = !any_kept ? RegistrationType::kDeRegistration
                          : (before.empty() ? RegistrationType::kInitial : RegistrationType::kReRegistration);
  // Commit.
  for (const Binding& binding : before) ForgetTempGruus(binding);
  if (after.empty()) {
    records_.erase(std::string(aor));
    return result;
  }
  Record& record = FindOrCreate(aor);
  record.bindings = std::move(after);
  for (const Binding& binding : record.bindings) {
    if (!binding.temp_gruu.empty()) temp_gruu_index_[std::string(UserPart(binding.temp_gruu))] = record.aor;
    for (const std::string& old : binding.old_temp_gruus) temp_gruu_index_[std::string(UserPart(old))] = record.aor;
  }
  return result;
}

}  // namespace pushsim::ims
