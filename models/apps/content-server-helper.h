// Installs ContentServerApplication on nodes, in the style of ns-3's application helpers:
//   ContentServerHelper content(resolver);
//   content.SetAttribute("Host", StringValue("content.home1.net"));
//   ApplicationContainer apps = content.Install(server_node);
#pragma once

#include <string>

#include "apps/sip-resolver.h"
#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

namespace pushsim {

class ContentServerHelper {
 public:
  // `resolver` (may be null) becomes the "Resolver" attribute of every installed server.
  explicit ContentServerHelper(ns3::Ptr<SipResolver> resolver = nullptr, std::uint16_t port = 80);

  void SetAttribute(const std::string& name, const ns3::AttributeValue& value);

  ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;
  ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes) const;

 private:
  ns3::ObjectFactory factory_;
};

}  // namespace pushsim
