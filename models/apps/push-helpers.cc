#include "apps/push-helpers.h"

#include "apps/sip-ue-helper.h"
#include "ns3/boolean.h"
#include "ns3/pointer.h"
#include "ns3/string.h"

namespace pushsim {

PushReceiverHelper::PushReceiverHelper(std::string aor_pattern, std::string outbound_proxy)
    : aor_pattern_(std::move(aor_pattern)) {
  factory_.SetTypeId(PushReceiverApplication::GetTypeId());
  factory_.Set("OutboundProxy", ns3::StringValue(outbound_proxy));
  factory_.Set("Gruu", ns3::BooleanValue(true));
}

void PushReceiverHelper::SetAttribute(const std::string& name, const ns3::AttributeValue& value) {
  factory_.Set(name, value);
}

ns3::Ptr<PushReceiverApplication> PushReceiverHelper::Install(ns3::Ptr<ns3::Node> node) {
  const std::uint32_t index = next_index_++;
  ns3::Ptr<PushReceiverApplication> app = factory_.Create<PushReceiverApplication>();
  app->SetAttribute("Aor", ns3::StringValue(SipUeHelper::Expand(aor_pattern_, index)));
  app->SetAttribute("Instance", ns3::StringValue(SipUeHelper::Expand(instance_pattern_, index)));
  node->AddApplication(app);
  return app;
}

ns3::ApplicationContainer PushReceiverHelper::Install(const ns3::NodeContainer& nodes) {
  ns3::ApplicationContainer apps;
  for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
  return apps;
}

PushSenderHelper::PushSenderHelper(ns3::Ptr<SipResolver> resolver, std::string host) {
  factory_.SetTypeId(PushSenderApplication::GetTypeId());
  factory_.Set("Resolver", ns3::PointerValue(resolver));
  factory_.Set("Host", ns3::StringValue(host));
}

void PushSenderHelper::SetAttribute(const std::string& name, const ns3::AttributeValue& value) {
  factory_.Set(name, value);
}

ns3::Ptr<PushSenderApplication> PushSenderHelper::Install(ns3::Ptr<ns3::Node> node) const {
  ns3::Ptr<PushSenderApplication> app = factory_.Create<PushSenderApplication>();
  node->AddApplication(app);
  return app;
}

ReferFloodHelper::ReferFloodHelper(ns3::Ptr<SipResolver> resolver, std::string target, std::string host) {
  factory_.SetTypeId(ReferFloodApplication::GetTypeId());
  factory_.Set("Resolver", ns3::PointerValue(resolver));
  factory_.Set("Host", ns3::StringValue(host));
  factory_.Set("Target", ns3::StringValue(target));
}

void ReferFloodHelper::SetAttribute(const std::string& name, const ns3::AttributeValue& value) {
  factory_.Set(name, value);
}

ns3::Ptr<ReferFloodApplication> ReferFloodHelper::Install(ns3::Ptr<ns3::Node> node) const {
  ns3::Ptr<ReferFloodApplication> app = factory_.Create<ReferFloodApplication>();
  node->AddApplication(app);
  return app;
}

}  // namespace pushsim
