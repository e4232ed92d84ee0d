// Installs a small IMS core: P-CSCF, optional I-CSCF, S-CSCF and HSS on four nodes, wired to one
// shared SipResolver and to each other:
//
//   ImsCoreHelper core;
//   core.AddSubscriberFromTemplate("user{i}", 100, template_xml);  // "{user}" in the template
//   ns3::ApplicationContainer apps = core.Install(pcscf_node, icscf_node, scscf_node, hss_node);
//   SipUeHelper ues("sip:user{i}@home1.net", "sip:pcscf.home1.net");
//   ues.SetAttribute("Resolver", ns3::PointerValue(core.GetResolver()));
//
// Defaults: host names pcscf.home1.net, icscf.home1.net, scscf.home1.net and hss.home1.net
// (the "Host" attribute of each application; the HSS has no SIP address, its name is kept for
// traces); the P-CSCF's "RegistrarUri" names the I-CSCF when one is installed, else the
// S-CSCF; the HSS's "DefaultScscf" names the S-CSCF; the S-CSCF trusts push-as.home1.net as an
// application server. Any of these can be overridden with the Set*Attribute calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apps/ims-apps.h"
#include "apps/sip-resolver.h"
#include "ns3/application-container.h"
#include "ns3/node.h"
#include "ns3/object-factory.h"
#include "wire/error.h"

namespace pushsim {

class ImsCoreHelper {
 public:
  ImsCoreHelper();

  void SetPCscfAttribute(const std::string& name, const ns3::AttributeValue& value);
  void SetIcscfAttribute(const std::string& name, const ns3::AttributeValue& value);
  void SetScscfAttribute(const std::string& name, const ns3::AttributeValue& value);
  void SetHssAttribute(const std::string& name, const ns3::AttributeValue& value);
  // With false, Install leaves the I-CSCF out even when given a node: the P-CSCF sends REGISTER
  // straight to the S-CSCF. Default true.
  void SetIcscfEnabled(bool enabled) { icscf_enabled_ = enabled; }
  // The name kept for the HSS (default hss.home1.net).
  void SetHssHostName(std::string host) { hss_host_ = std::move(host); }
  const std::string& GetHssHostName() const { return hss_host_; }

  // Adds an IMSSubscription document (TS 29.228 Annex B). It is parsed here, so a broken
  // document is reported at once; a public identity already given fails at Install.
  wire::Result<bool> AddSubscriber(const std::string& xml);
  // Adds `count` subscribers from a template: for index i (from `first_index`), every "{user}"
  // in the template becomes `user_pattern` expanded with i, then "{i}" and "{uuid}" are expanded
  // as by SipUeHelper::Expand (so a tel URI can be "tel:+1555{i}"). Stops at the first document
  // that does not parse and returns its error (with the index in the detail).
  wire::Result<bool> AddSubscriberFromTemplate(const std::string& user_pattern, std::uint32_t count,
                                               const std::string& template_xml, std::uint32_t first_index = 0);
  std::size_t subscriber_documents() const { return subscribers_.size(); }

  // Creates the applications on the nodes (one each; `icscf` may be null) and returns them in
  // the order P-CSCF, I-CSCF (when installed), S-CSCF, HSS. Install once per helper.
  ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> pcscf, ns3::Ptr<ns3::Node> icscf, ns3::Ptr<ns3::Node> scscf,
                                    ns3::Ptr<ns3::Node> hss);

  // The host-name table of the core; give it to the UEs and application servers ("Resolver").
  ns3::Ptr<SipResolver> GetResolver() const { return resolver_; }
  // The installed applications (null before Install; the I-CSCF also when not installed).
  ns3::Ptr<PCscfApplication> GetPCscf() const { return pcscf_; }
  ns3::Ptr<ICscfApplication> GetICscf() const { return icscf_; }
  ns3::Ptr<ScscfApplication> GetScscf() const { return scscf_; }
  ns3::Ptr<HssApplication> GetHss() const { return hss_; }

  // "sip:host" or "sip:host:port" of an installed element application.
  static std::string SipUriOf(const SipElementApplication& app);

 private:
  ns3::ObjectFactory pcscf_factory_;
  ns3::ObjectFactory icscf_factory_;
  ns3::ObjectFactory scscf_factory_;
  ns3::ObjectFactory hss_factory_;
  bool icscf_enabled_ = true;
  bool registrar_uri_set_ = false;
  bool default_scscf_set_ = false;
  std::string hss_host_ = "hss.home1.net";
  std::vector<ims::ImsSubscription> subscribers_;  // parsed, added to the HSS at Install
  ns3::Ptr<SipResolver> resolver_;
  ns3::Ptr<PCscfApplication> pcscf_;
  ns3::Ptr<ICscfApplication> icscf_;
  ns3::Ptr<ScscfApplication> scscf_;
  ns3::Ptr<HssApplication> hss_;
};

}  // namespace pushsim
