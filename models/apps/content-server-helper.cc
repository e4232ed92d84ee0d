#include "apps/content-server-helper.h"

#include "apps/content-server-app.h"
#include "ns3/pointer.h"
#include "ns3/uinteger.h"

namespace pushsim {

ContentServerHelper::ContentServerHelper(ns3::Ptr<SipResolver> resolver, std::uint16_t port) {
  factory_.SetTypeId(ContentServerApplication::GetTypeId());
  factory_.Set("Port", ns3::UintegerValue(port));
  if (resolver) factory_.Set("Resolver", ns3::PointerValue(resolver));
}

void ContentServerHelper::SetAttribute(const std::string& name, const ns3::AttributeValue& value) {
  factory_.Set(name, value);
}

ns3::ApplicationContainer ContentServerHelper::Install(ns3::Ptr<ns3::Node> node) const {
  ns3::Ptr<ContentServerApplication> app = factory_.Create<ContentServerApplication>();
  node->AddApplication(app);
  return ns3::ApplicationContainer(app);
}

ns3::ApplicationContainer ContentServerHelper::Install(const ns3::NodeContainer& nodes) const {
  ns3::ApplicationContainer apps;
  for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
  return apps;
}

}  // namespace pushsim
