#include "apps/sip-resolver.h"

namespace pushsim {

NS_OBJECT_ENSURE_REGISTERED(SipResolver);

ns3::TypeId SipResolver::GetTypeId() {
  static ns3::TypeId tid = ns3::TypeId("pushsim::SipResolver")
                               .SetParent<ns3::Object>()
                               .SetGroupName("Pushsim")
                               .AddConstructor<SipResolver>();
  return tid;
}

void SipResolver::Add(const std::string& host, ns3::Ipv4Address address) { resolver_.Add(host, address.Get()); }

std::optional<ns3::Ipv4Address> SipResolver::Lookup(const std::string& host) const {
  const auto address = resolver_.Lookup(host);
  if (!address) return std::nullopt;
  return ns3::Ipv4Address(*address);
}

}  // namespace pushsim
