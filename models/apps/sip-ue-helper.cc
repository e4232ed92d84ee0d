#include "apps/sip-ue-helper.h"

#include <cstdio>

#include "apps/sip-ue-app.h"
#include "ns3/string.h"

namespace pushsim {

SipUeHelper::SipUeHelper(std::string aor_pattern, std::string outbound_proxy) : aor_pattern_(std::move(aor_pattern)) {
  factory_.SetTypeId(SipUeApplication::GetTypeId());
  factory_.Set("OutboundProxy", ns3::StringValue(outbound_proxy));
}

void SipUeHelper::SetAttribute(const std::string& name, const ns3::AttributeValue& value) { factory_.Set(name, value); }

std::string SipUeHelper::Expand(const std::string& pattern, std::uint32_t index) {
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012x", index);
  std::string out;
  out.reserve(pattern.size() + 32);
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 3, "{i}") == 0) {
      out += std::to_string(index);
      i += 3;
    } else if (pattern.compare(i, 6, "{uuid}") == 0) {
      out += uuid;
      i += 6;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

ns3::ApplicationContainer SipUeHelper::Install(ns3::Ptr<ns3::Node> node) {
  const std::uint32_t index = next_index_++;
  ns3::Ptr<SipUeApplication> app = factory_.Create<SipUeApplication>();
  app->SetAttribute("Aor", ns3::StringValue(Expand(aor_pattern_, index)));
  if (!instance_pattern_.empty()) app->SetAttribute("Instance", ns3::StringValue(Expand(instance_pattern_, index)));
  node->AddApplication(app);
  return ns3::ApplicationContainer(app);
}

ns3::ApplicationContainer SipUeHelper::Install(const ns3::NodeContainer& nodes) {
  ns3::ApplicationContainer apps;
  for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
  return apps;
}

}  // namespace pushsim
