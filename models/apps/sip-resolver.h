// The host-name table of one simulation, shared by every SIP application in it: each element
// application adds its own host name with its node's address when it starts, and resolves the
// names of the others through it. Passed to applications as the "Resolver" attribute.
#pragma once

#include <cstdint>
#include <string>

#include "ns3/ipv4-address.h"
#include "ns3/object.h"
#include "sip/element.h"

namespace pushsim {

class SipResolver : public ns3::Object {
 public:
  static ns3::TypeId GetTypeId();

  SipResolver() = default;
  void Add(const std::string& host, ns3::Ipv4Address address);
  std::optional<ns3::Ipv4Address> Lookup(const std::string& host) const;

  const sip::Resolver& resolver() const { return resolver_; }
  sip::Resolver& resolver() { return resolver_; }

 private:
  sip::Resolver resolver_;
};

}  // namespace pushsim
