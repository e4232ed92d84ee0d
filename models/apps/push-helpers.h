// Installs the push applications on nodes, in the style of ns-3's application helpers.
//
//   PushReceiverHelper ues("sip:user{i}@home1.net", "sip:pcscf.home1.net");
//   ues.SetInstancePattern("<urn:uuid:{uuid}>");          // the default
//   ues.SetAttribute("AppIds", StringValue("mms.ua"));
//   ues.SetAttribute("TrustedSenders", StringValue("sip:push-as.home1.net"));
//   ApplicationContainer receivers = ues.Install(ue_nodes);
//
//   PushSenderHelper as(core.GetResolver());               // Host push-as.home1.net
//   Ptr<PushSenderApplication> sender = as.Install(as_node);
//
//   ReferFloodHelper flood(core.GetResolver(), "sip:user0@home1.net");
//   flood.SetAttribute("Rate", DoubleValue(50));
//   flood.Install(attacker_node);
//
// Patterns expand "{i}" (the UE's index) and "{uuid}" as SipUeHelper::Expand does.
#pragma once

#include <cstdint>
#include <string>

#include "apps/push-apps.h"
#include "apps/sip-resolver.h"
#include "ns3/application-container.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"

namespace pushsim {

class PushReceiverHelper {
 public:
  // Every receiver gets "Aor" from the pattern, "OutboundProxy", "Gruu" true and, unless
  // SetInstancePattern changes it, the instance "<urn:uuid:{uuid}>" (GRUUs need one, RFC 5627 4.1).
  PushReceiverHelper(std::string aor_pattern, std::string outbound_proxy);

  void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
  // Empty: no instance ID (and so no GRUU).
  void SetInstancePattern(std::string pattern) { instance_pattern_ = std::move(pattern); }
  // Index of the first UE installed by the next Install (default 0); Install advances it.
  void SetFirstIndex(std::uint32_t index) { next_index_ = index; }

  ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes);
  ns3::Ptr<PushReceiverApplication> Install(ns3::Ptr<ns3::Node> node);

 private:
  ns3::ObjectFactory factory_;
  std::string aor_pattern_;
  std::string instance_pattern_ = "<urn:uuid:{uuid}>";
  std::uint32_t next_index_ = 0;
};

class PushSenderHelper {
 public:
  // `resolver` becomes "Resolver"; "Host" is `host`, the name the S-CSCF trusts by default and the
  // push iFC of the HSS vectors names.
  explicit PushSenderHelper(ns3::Ptr<SipResolver> resolver, std::string host = "push-as.home1.net");

  void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
  ns3::Ptr<PushSenderApplication> Install(ns3::Ptr<ns3::Node> node) const;

 private:
  ns3::ObjectFactory factory_;
};

class ReferFloodHelper {
 public:
  // `target`: the AOR, GRUU or contact URI flooded. "Host" defaults to flood.home1.net.
  ReferFloodHelper(ns3::Ptr<SipResolver> resolver, std::string target, std::string host = "flood.home1.net");

  void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
  ns3::Ptr<ReferFloodApplication> Install(ns3::Ptr<ns3::Node> node) const;

 private:
  ns3::ObjectFactory factory_;
};

}  // namespace pushsim
