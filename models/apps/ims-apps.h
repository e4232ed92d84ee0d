// The IMS core elements as ns-3 applications: each wraps the protocol logic of models/ims/ in a
// SipElementApplication (transport, CPU queue, Rx/Tx/QueueLength/Refused/Processed traces) and
// turns every field of the element's configuration into an attribute.
//
//   HssApplication    the subscriber data (ims::Hss). It sends nothing: Cx is a function call
//                     made by the CSCFs, followed by their "UarDelay" / "LirDelay" / "SarDelay".
//   PCscfApplication  TS 24.229 5.2. Attributes "RegistrarUri", "TerminatingUser",
//                     "Convert503To500". Trace "IdentityReplaced".
//   ICscfApplication  TS 24.229 5.3. Attributes "Hss", "UarDelay", "LirDelay", "Convert503To500".
//   ScscfApplication  TS 24.229 5.4. Attributes "Hss", "MinExpires", "MaxExpires",
//                     "DefaultExpires", "ThirdPartyExpires", "Gruu", "AllowAsRegSubscription",
//                     "TrustedAsHosts", "HomeDomains", "AsTimeout", "SarDelay",
//                     "Convert503To500". Traces "ContactChange", "ThirdPartyRegister",
//                     "ThirdPartyResult", "RegNotify".
//
// The HSS must be installed (its "Hss" pointer set on the I-CSCF and S-CSCF) before the CSCFs
// start; ImsCoreHelper does all the wiring.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "apps/sip-element-app.h"
#include "ims/hss.h"
#include "ims/icscf.h"
#include "ims/pcscf.h"
#include "ims/registrar.h"
#include "ims/scscf.h"
#include "ns3/application.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

namespace pushsim {

class HssApplication : public ns3::Application {
 public:
  static ns3::TypeId GetTypeId();

  HssApplication();
  ~HssApplication() override;

  // Adds one IMSSubscription document (TS 29.228 Annex B). Fails without adding anything when
  // the document does not parse or one of its public identities is already known.
  wire::Result<bool> AddSubscriptionXml(const std::string& xml);
  // Reads and adds the documents of "ProfileFiles" that are not loaded yet. Called when the
  // application is initialized; a file that cannot be read or parsed is a fatal configuration
  // error.
  void LoadProfileFiles();

  ims::Hss& GetHss() { return hss_; }
  const ims::Hss& GetHss() const { return hss_; }

  // Splits a "ProfileFiles" value: paths separated by ',' (ns-3's list convention), blanks
  // around each trimmed, empty entries skipped.
  static std::vector<std::string> SplitList(const std::string& text);

 protected:
  void DoInitialize() override;

 private:
  void StartApplication() override {}
  void StopApplication() override {}

  std::string profile_files_;
  std::string default_scscf_;
  std::size_t files_loaded_ = 0;
  ims::Hss hss_;
};

class PCscfApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();
  // IdentityReplaced: the request as the UE sent it, and the P-Asserted-Identity value the P-CSCF
  // removed from it (RFC 3325 9.1: an identity the UE wrote itself is not trusted).
  typedef void (*IdentityReplacedTracedCallback)(const wire::SipMessage& request, const std::string& removed);

  PCscfApplication();
  ~PCscfApplication() override;

  ims::PCscf* GetPCscf() { return static_cast<ims::PCscf*>(GetElement()); }

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;

 private:
  std::string registrar_uri_;
  std::string terminating_user_;
  bool convert_503_ = true;
  ns3::TracedCallback<const wire::SipMessage&, const std::string&> identity_replaced_trace_;
};

class ICscfApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();

  ICscfApplication();
  ~ICscfApplication() override;

  ims::ICscf* GetICscf() { return static_cast<ims::ICscf*>(GetElement()); }

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void DoDispose() override;

 private:
  ns3::Ptr<HssApplication> hss_;
  ns3::Time uar_delay_;
  ns3::Time lir_delay_;
  bool convert_503_ = true;
};

class ScscfApplication : public SipElementApplication {
 public:
  static ns3::TypeId GetTypeId();
  // ContactChange: the AOR and the change of one of its bindings (event and the binding).
  typedef void (*ContactChangeTracedCallback)(const std::string& aor, const ims::ContactChange& change);
  // ThirdPartyRegister: the application server's ServerName and the REGISTER sent to it.
  typedef void (*ThirdPartyRegisterTracedCallback)(const std::string& as_uri, const wire::SipMessage& request);
  // ThirdPartyResult: the application server and its final answer (408 on timeout).
  typedef void (*ThirdPartyResultTracedCallback)(const std::string& as_uri, std::uint16_t code);
  // RegNotify: a NOTIFY of the reg event package (RFC 3680) as it leaves the S-CSCF.
  typedef void (*RegNotifyTracedCallback)(const wire::SipMessage& notify);

  ScscfApplication();
  ~ScscfApplication() override;

  ims::Scscf* GetScscf() { return static_cast<ims::Scscf*>(GetElement()); }

 protected:
  std::unique_ptr<sip::Element> CreateElement(sip::Host& host, const sip::Resolver& resolver,
                                              sip::ElementConfig config) override;
  void DoDispose() override;

 private:
  ns3::Ptr<HssApplication> hss_;
  std::uint32_t min_expires_ = 60;
  std::uint32_t max_expires_ = 600000;
  std::uint32_t default_expires_ = 3600;
  std::uint32_t third_party_expires_ = 0;
  bool gruu_ = true;
  bool allow_as_reg_subscription_ = true;
  std::string trusted_as_hosts_;
  std::string home_domains_;
  ns3::Time as_timeout_;
  ns3::Time sar_delay_;
  bool convert_503_ = true;

  ns3::TracedCallback<const std::string&, const ims::ContactChange&> contact_change_trace_;
  ns3::TracedCallback<const std::string&, const wire::SipMessage&> third_party_register_trace_;
  ns3::TracedCallback<const std::string&, std::uint16_t> third_party_result_trace_;
  ns3::TracedCallback<const wire::SipMessage&> reg_notify_trace_;
};

}  // namespace pushsim
