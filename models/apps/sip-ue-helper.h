// Installs SipUeApplication on nodes, one per node, in the style of ns-3's application helpers.
// Per-UE values come from patterns where "{i}" is the UE's index (first index + position in the
// container) and "{uuid}" a UUID made from it:
//   SipUeHelper ues("sip:user{i}@home1.net", "sip:pcscf.home1.net");
//   ues.SetInstancePattern("<urn:uuid:{uuid}>");
//   ues.SetAttribute("FeatureTags", StringValue("+g.oma.pusheventapp=\"mms.ua\""));
//   ApplicationContainer apps = ues.Install(nodes);
#pragma once

#include <cstdint>
#include <string>

#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

namespace pushsim {

class SipUeHelper {
 public:
  SipUeHelper(std::string aor_pattern, std::string outbound_proxy);

  void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
  // "<urn:uuid:{uuid}>" gives every UE its own instance ID; empty (the default): none.
  void SetInstancePattern(std::string pattern) { instance_pattern_ = std::move(pattern); }
  // Index of the first UE installed by the next Install (default 0); Install advances it.
  void SetFirstIndex(std::uint32_t index) { next_index_ = index; }

  ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes);
  ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node);

  // The pattern with "{i}" replaced by the index and "{uuid}" by a UUID derived from it
  // ("00000000-0000-4000-8000-" and the index as 12 hex digits).
  static std::string Expand(const std::string& pattern, std::uint32_t index);

 private:
  ns3::ObjectFactory factory_;
  std::string aor_pattern_;
  std::string instance_pattern_;
  std::uint32_t next_index_ = 0;
};

}  // namespace pushsim
