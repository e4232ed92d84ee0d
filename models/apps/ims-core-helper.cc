#include "apps/ims-core-helper.h"

#include "apps/sip-ue-helper.h"
#include "ims/subscription.h"
#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/pointer.h"
#include "ns3/string.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimImsCoreHelper");

namespace {

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

ImsCoreHelper::ImsCoreHelper() : resolver_(ns3::CreateObject<SipResolver>()) {
  pcscf_factory_.SetTypeId(PCscfApplication::GetTypeId());
  icscf_factory_.SetTypeId(ICscfApplication::GetTypeId());
  scscf_factory_.SetTypeId(ScscfApplication::GetTypeId());
  hss_factory_.SetTypeId(HssApplication::GetTypeId());
  pcscf_factory_.Set("Host", ns3::StringValue("pcscf.home1.net"));
  icscf_factory_.Set("Host", ns3::StringValue("icscf.home1.net"));
  scscf_factory_.Set("Host", ns3::StringValue("scscf.home1.net"));
  scscf_factory_.Set("TrustedAsHosts", ns3::StringValue("push-as.home1.net"));
}

void ImsCoreHelper::SetPCscfAttribute(const std::string& name, const ns3::AttributeValue& value) {
  if (name == "RegistrarUri") registrar_uri_set_ = true;
  pcscf_factory_.Set(name, value);
}

void ImsCoreHelper::SetIcscfAttribute(const std::string& name, const ns3::AttributeValue& value) {
  icscf_factory_.Set(name, value);
}

void ImsCoreHelper::SetScscfAttribute(const std::string& name, const ns3::AttributeValue& value) {
  scscf_factory_.Set(name, value);
}

void ImsCoreHelper::SetHssAttribute(const std::string& name, const ns3::AttributeValue& value) {
  if (name == "DefaultScscf") default_scscf_set_ = true;
  hss_factory_.Set(name, value);
}

wire::Result<bool> ImsCoreHelper::AddSubscriber(const std::string& xml) {
  auto parsed = ims::ParseImsSubscription(xml);
  if (!parsed.ok()) return parsed.error();
  subscribers_.push_back(std::move(parsed).value());
  return true;
}

wire::Result<bool> ImsCoreHelper::AddSubscriberFromTemplate(const std::string& user_pattern, std::uint32_t count,
                                                            const std::string& template_xml,
                                                            std::uint32_t first_index) {
  for (std::uint32_t n = 0; n < count; ++n) {
    const std::uint32_t index = first_index + n;
    const std::string user = SipUeHelper::Expand(user_pattern, index);
    const std::string xml = SipUeHelper::Expand(ReplaceAll(template_xml, "{user}", user), index);
    auto added = AddSubscriber(xml);
    if (!added.ok()) {
      wire::ParseError error = added.error();
      error.detail = "subscriber " + std::to_string(index) + ": " + error.detail;
      return error;
    }
  }
  return true;
}

std::string ImsCoreHelper::SipUriOf(const SipElementApplication& app) {
  std::string uri = "sip:" + app.GetHostName();
  const std::uint16_t port = app.GetLocalEndpoint().port;
  if (port != 5060) uri += ":" + std::to_string(port);
  return uri;
}

ns3::ApplicationContainer ImsCoreHelper::Install(ns3::Ptr<ns3::Node> pcscf, ns3::Ptr<ns3::Node> icscf,
                                                 ns3::Ptr<ns3::Node> scscf, ns3::Ptr<ns3::Node> hss) {
  NS_ABORT_MSG_IF(!pcscf || !scscf || !hss, "ImsCoreHelper::Install: the P-CSCF, S-CSCF and HSS need nodes");
  NS_ABORT_MSG_IF(pcscf_ != nullptr, "ImsCoreHelper::Install: called twice");
  const bool with_icscf = icscf_enabled_ && icscf != nullptr;

  hss_ = hss_factory_.Create<HssApplication>();
  for (ims::ImsSubscription& subscription : subscribers_) {
    const std::string private_id = subscription.private_id;
    auto added = hss_->GetHss().Add(std::move(subscription));
    NS_ABORT_MSG_IF(!added.ok(), "ImsCoreHelper: subscriber " << private_id << ": " << added.error().Describe());
  }
  subscribers_.clear();

  scscf_ = scscf_factory_.Create<ScscfApplication>();
  scscf_->SetAttribute("Resolver", ns3::PointerValue(resolver_));
  scscf_->SetAttribute("Hss", ns3::PointerValue(hss_));
  scscf->AddApplication(scscf_);
  if (!default_scscf_set_) hss_->SetAttribute("DefaultScscf", ns3::StringValue(SipUriOf(*scscf_)));

  if (with_icscf) {
    icscf_ = icscf_factory_.Create<ICscfApplication>();
    icscf_->SetAttribute("Resolver", ns3::PointerValue(resolver_));
    icscf_->SetAttribute("Hss", ns3::PointerValue(hss_));
    icscf->AddApplication(icscf_);
  }

  pcscf_ = pcscf_factory_.Create<PCscfApplication>();
  pcscf_->SetAttribute("Resolver", ns3::PointerValue(resolver_));
  if (!registrar_uri_set_) {
    // TS 24.229 5.2.2.1: REGISTER goes to the I-CSCF of the home network (the entry point);
    // without one the S-CSCF is the registrar directly.
    const std::string next = with_icscf ? SipUriOf(*icscf_) : SipUriOf(*scscf_);
    pcscf_->SetAttribute("RegistrarUri", ns3::StringValue(next + ";lr"));
  }
  pcscf->AddApplication(pcscf_);
  hss->AddApplication(hss_);

  NS_LOG_INFO("IMS core: " << hss_->GetHss().subscriber_count() << " subscribers, "
                           << (with_icscf ? "with" : "without") << " I-CSCF");
  ns3::ApplicationContainer apps(pcscf_);
  if (icscf_) apps.Add(icscf_);
  apps.Add(scscf_);
  apps.Add(hss_);
  return apps;
}

}  // namespace pushsim
