#include "ims/hss.h"

#include <utility>

#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::ims {

namespace {

// RFC 3966 section 5.1.1: visual separators carry no meaning and are ignored in comparisons.
bool IsVisualSeparator(char c) { return c == '-' || c == '.' || c == '(' || c == ')'; }

std::string NormalizeTel(std::string_view rest) {
  // rest: everything after "tel:". Parameters (;phone-context=..., ;ext=...) are dropped like
  // URI parameters of SIP identities; hex digits compare case-insensitively (RFC 3966 section 4).
  const std::size_t params = rest.find(';');
  const std::string_view number = rest.substr(0, params);
  std::string out = "tel:";
  for (char c : number) {
    if (IsVisualSeparator(c)) continue;
    out.push_back(wire::ToLowerAscii(c));
  }
  return out;
}

// An identity the SIP URI parser refuses (a wildcarded PSI such as sip:chat-!.*!@home1.net):
// lower-case the scheme and the host, cut the parameters.
std::string NormalizeLoosely(std::string_view scheme, std::string_view rest) {
  std::string out = wire::ToLower(scheme);
  out += ':';
  const std::size_t at = rest.rfind('@');
  std::string_view user = at == std::string_view::npos ? std::string_view() : rest.substr(0, at + 1);
  std::string_view host = at == std::string_view::npos ? rest : rest.substr(at + 1);
  host = host.substr(0, host.find_first_of(";?"));
  if (at == std::string_view::npos) {
    out += wire::ToLower(host);
    return out;
  }
  out += user;
  out += wire::ToLower(host);
  return out;
}

}  // namespace

std::string NormalizeIdentity(std::string_view identity) {
  std::string_view text = wire::TrimLws(identity);
  // A name-addr form "<sip:...>" names the same identity.
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
  std::size_t scheme_length = 0;
  if (!wire::HasUriScheme(text, &scheme_length)) return std::string(text);
  const std::string scheme = wire::ToLower(text.substr(0, scheme_length));
  const std::string_view rest = text.substr(scheme_length + 1);
  if (scheme == "tel") return NormalizeTel(rest);
  if (scheme == "sip" || scheme == "sips") {
    auto uri = wire::ParseSipUri(text);
    if (uri.ok()) {
      // AddressOfRecord: scheme, user, lower-case host; port and parameters dropped. A port is
      // never part of a public user identity (TS 23.003 13.4).
      return wire::AddressOfRecord(*uri);
    }
  }
  return NormalizeLoosely(scheme, rest);
}

wire::Result<bool> Hss::Add(ImsSubscription subscription) {
  std::vector<std::string> keys;
  for (const ServiceProfile& profile : subscription.service_profiles) {
    for (const PublicIdentity& identity : profile.public_identities) {
      std::string key = NormalizeIdentity(identity.identity);
      const bool known = by_identity_.count(key) != 0;
      bool repeated = false;
      for (const std::string& other : keys) repeated = repeated || other == key;
      if (known || repeated) {
        return wire::MakeError(wire::ErrorCode::kBadBody, "", 0,
                               "public identity " + identity.identity +
                                   (known ? " already belongs to another subscription"
                                          : " appears twice in the subscription"));
      }
      keys.push_back(std::move(key));
    }
  }
  const std::size_t index = subscriptions_.size();
  subscriptions_.push_back(std::move(subscription));
  for (std::string& key : keys) by_identity_.emplace(std::move(key), index);
  return true;
}

wire::Result<bool> Hss::AddXml(std::string_view xml) {
  auto parsed = ParseImsSubscription(xml);
  if (!parsed.ok()) return parsed.error();
  return Add(std::move(parsed).value());
}

const ImsSubscription* Hss::FindSubscription(std::string_view public_identity) const {
  const auto it = by_identity_.find(NormalizeIdentity(public_identity));
  return it == by_identity_.end() ? nullptr : &subscriptions_[it->second];
}

namespace {

const PublicIdentity* FindIdentity(const ServiceProfile& profile, const std::string& key) {
  for (const PublicIdentity& identity : profile.public_identities) {
    if (NormalizeIdentity(identity.identity) == key) return &identity;
  }
  return nullptr;
}

}  // namespace

const ServiceProfile* Hss::FindProfile(std::string_view public_identity) const {
  const ImsSubscription* subscription = FindSubscription(public_identity);
  if (subscription == nullptr) return nullptr;
  const std::string key = NormalizeIdentity(public_identity);
  for (const ServiceProfile& profile : subscription->service_profiles) {
    if (FindIdentity(profile, key) != nullptr) return &profile;
  }
  return nullptr;
}

std::vector<std::string> Hss::ImplicitSet(std::string_view public_identity) const {
  std::vector<std::string> out;
  const ServiceProfile* profile = FindProfile(public_identity);
  if (profile == nullptr) return out;
  const std::string key = NormalizeIdentity(public_identity);
  const PublicIdentity* self = FindIdentity(*profile, key);
  out.push_back(self->identity);
  for (const PublicIdentity& identity : profile->public_identities) {
    if (&identity != self) out.push_back(identity.identity);
  }
  return out;
}

bool Hss::IsBarred(std::string_view public_identity) const {
  const ServiceProfile* profile = FindProfile(public_identity);
  if (profile == nullptr) return false;
  const PublicIdentity* identity = FindIdentity(*profile, NormalizeIdentity(public_identity));
  return identity != nullptr && identity->barring_indication;
}

namespace {

// The S-CSCF serves a whole implicit registration set (TS 29.228 6.1.2: the SAR for one identity
// registers the set), so the assignment is filed under the set's first identity.
std::string SetKey(const ServiceProfile& profile) { return NormalizeIdentity(profile.public_identities.front().identity); }

}  // namespace

std::optional<std::string> Hss::AssignedScscf(std::string_view public_identity) const {
  const ServiceProfile* profile = FindProfile(public_identity);
  if (profile == nullptr) return std::nullopt;
  const auto it = assigned_.find(SetKey(*profile));
  if (it == assigned_.end()) return std::nullopt;
  return it->second;
}

void Hss::AssignScscf(std::string_view public_identity, std::string scscf_uri) {
  const ServiceProfile* profile = FindProfile(public_identity);
  if (profile == nullptr) return;
  assigned_[SetKey(*profile)] = std::move(scscf_uri);
}

void Hss::UnassignScscf(std::string_view public_identity) {
  const ServiceProfile* profile = FindProfile(public_identity);
  if (profile == nullptr) return;
  assigned_.erase(SetKey(*profile));
}

}  // namespace pushsim::ims
