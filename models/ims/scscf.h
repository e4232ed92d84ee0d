// The S-CSCF (3GPP TS 24.229 5.4): registrar, GRUU minting, initial filter criteria with
// third-party registration, originating and terminating routing, and the reg event package.
//
// REGISTER (TS 24.229 5.4.1.2): the user must be in the HSS (else 403, as the I-CSCF answers an
// unknown user in TS 24.229 5.3.1.2; a barred identity also gets 403, 5.4.1.2.1); the Cx SAR is
// modelled as `cx.sar_delay` before the answer. The registrar rules are in ims/registrar.h. The
// 200 (OK) carries every current Contact with its expires (and pub-gruu / temp-gruu when the UE
// sent "Supported: gruu", RFC 5627 5.1 — no "Require: gruu", which RFC 5627 dropped from its
// drafts), the Path received (RFC 3327 5.3, with "Supported: path"), a Service-Route naming this
// S-CSCF with the user part "orig" (RFC 3608 6, TS 24.229 5.4.1.2.2F) and the non-barred
// identities of the implicit registration set in P-Associated-URI (RFC 3455 4.1).
//
// Third-party registration (TS 24.229 5.4.1.7): after each successful REGISTER the iFCs of the
// user's profile are evaluated with session case ORIGINATING_REGISTERED and the registration type
// (TS 29.228 B.2.2); for each match a REGISTER goes to the application server: Request-URI the
// ServerName (without lr), From the S-CSCF's URI, To the public user identity, Contact the
// S-CSCF's URI, Expires the expiry granted to the UE (or `third_party_expires`), 0 when the
// identity has no contact left, and the incoming REGISTER and/or its 200 (OK) as message/sip
// bodies (multipart/mixed with both) when IncludeRegisterRequest / IncludeRegisterResponse say
// so. Each (identity, AS) pair keeps one Call-ID with increasing CSeq, so the AS sees refreshes.
// An AS that answered a registration also receives the de-registration (Expires: 0) when the
// identity loses its last contact, by REGISTER or by expiry. Without a 2xx within `as_timeout`
// (or with an error response), DefaultHandling SESSION_TERMINATED de-registers the user
// (network-initiated de-registration, TS 24.229 5.4.1.5: the contacts are reported
// "deactivated"); SESSION_CONTINUED changes nothing.
//
// Originating requests (top Route is this S-CSCF with user "orig" or the "orig" parameter, from
// the Service-Route): iFCs with ORIGINATING_REGISTERED (ORIGINATING_UNREGISTERED when the served
// user has no contact) in priority order; a match sends the request to the AS with the Route
// "<AS;lr>, <this S-CSCF;lr;odi=N>" so that the AS returns it and evaluation resumes after that
// filter (TS 24.229 5.4.3.2 and 5.4.3.3; the "odi" token stands for the original dialog
// identifier). Then, when the Request-URI is one of our users, terminating processing follows
// in the same S-CSCF; otherwise the request leaves for its Request-URI.
//
// Terminating requests: iFCs with TERMINATING_REGISTERED (or _UNREGISTERED); then a GRUU
// Request-URI reaches exactly its binding (RFC 5627 5.3: 404 for a GRUU we did not mint or whose
// temporary GRUU is no longer valid, 480 for a public GRUU whose instance is not registered);
// otherwise the AOR's bindings are filtered and ordered by RFC 3841 (Accept-Contact,
// Reject-Contact; the implicit preference of 7.2.2 without them) and forked in parallel, each
// branch to the binding's contact through its Path. 480 when nothing is registered or no contact
// survives the caller preferences (RFC 3841 7.2.4 leaves the target set empty: the user exists
// but has no usable location, RFC 3261 21.4.18), 404 for an unknown user of a home domain.
// Dialog-forming requests are record-routed.
//
// AS invocation of non-REGISTER requests is stateless: DefaultHandling is not applied to them
// (the AS's answer, or 408, goes upstream).
//
// Limits: at most kMaxServiceChains requests between an AS hop and their return are remembered
// (the oldest is forgotten first, and each is forgotten after kServiceChainLifetime).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ims/hss.h"
#include "ims/ifc.h"
#include "ims/registrar.h"
#include "sip/element.h"

namespace pushsim::ims {

class RegEventPackage;

struct ScscfConfig {
  sip::ElementConfig element;
  CxConfig cx;
  std::uint32_t min_expires = 60;                      // below: 423 Interval Too Brief with Min-Expires
  std::uint32_t max_expires = 600000;                  // above: lowered to this
  std::uint32_t default_expires = 3600;                // when neither Contact nor Expires says
  std::uint32_t third_party_expires = 0;               // Expires of third-party REGISTERs; 0 = the user's own
  sip::Duration as_timeout = std::chrono::seconds(4);  // DefaultHandling applies after this without answer
  bool gruu = true;                                    // mint GRUUs (RFC 5627) when the UE asks
  bool allow_as_reg_subscription = true;               // application servers may SUBSCRIBE to reg (Kamailio refuses)
  std::vector<std::string> trusted_as_hosts;           // hosts accepted as application servers
  // Domains whose users this S-CSCF serves: a Request-URI there with an unknown user gets 404.
  std::vector<std::string> home_domains = {"home1.net"};
};

inline constexpr std::size_t kMaxServiceChains = 4096;
inline constexpr sip::Duration kServiceChainLifetime = std::chrono::seconds(32);  // 64*T1

class Scscf : public sip::Element {
 public:
  Scscf(sip::Host& host, const sip::Resolver& resolver, ScscfConfig config, Hss& hss);
  ~Scscf() override;

  const ScscfConfig& scscf_config() const { return scscf_config_; }
  // The Service-Route value this S-CSCF returns at registration: <sip:orig@host[:port];lr>.
  std::string ServiceRoute() const;
  // Network-initiated de-registration (TS 24.229 5.4.1.5) of a public identity: removes its
  // bindings, reports them with `event` and de-registers it at the application servers, except
  // `exclude_as` (the AS whose failure caused it).
  void Deregister(const std::string& aor, ContactEvent event, const std::string& exclude_as = {});

  const Registrar& registrar() const { return registrar_; }
  RegEventPackage& reg_event() { return *reg_event_; }

  // Observers for traces (all optional).
  std::function<void(const std::string& aor, const ContactChange& change)> on_contact_change;
  // A third-party REGISTER sent (as_uri, the request) and its outcome (code, 408 on timeout).
  std::function<void(const std::string& as_uri, const wire::SipMessage& request)> on_third_party_register;
  std::function<void(const std::string& as_uri, int code)> on_third_party_result;

 protected:
  void HandleRequest(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source) override;
  void HandleAck(const wire::SipMessage& ack, const sip::Endpoint& source) override;

 private:
  // Rewrites a Request-URI that is one of our GRUUs to its registered contact (RFC 5627 5.3);
  // false when the GRUU names no current registration.
  bool RetargetGruu(wire::SipMessage& request) const;
  // Where a request is in its iFC evaluation (TS 24.229 5.4.3.2 / 5.4.3.3).
  struct ServiceChain {
    std::string served_user;  // AOR of the served user
    SessionCase session_case = SessionCase::kOriginating;
    std::size_t next_filter = 0;  // index into the profile's iFCs sorted by priority
    sip::TimePoint created{};
  };
  // The third-party registration state of one (public identity, AS) pair.
  struct ThirdParty {
    std::string call_id;
    std::uint32_t cseq = 0;
    bool registered = false;  // the AS answered a registration with 2xx
  };
  struct OwnRoute {
    bool orig = false;
    std::string odi;
  };

  void ProcessRegister(sip::TransactionId server, const wire::SipMessage& request);
  void HandleRegSubscribe(sip::TransactionId server, const wire::SipMessage& request, const sip::Endpoint& source);
  void ThirdPartyRegister(const std::string& aor, const wire::SipMessage& request, const wire::SipMessage* response,
                          RegistrationType type, std::uint32_t expires, const std::string& exclude_as = {});
  void SendThirdParty(const std::string& aor, const ApplicationServer& server, const wire::SipMessage* request,
                      const wire::SipMessage* response, std::uint32_t expires);
  void ThirdPartyFailed(const std::string& aor, const ApplicationServer& server);
  void ReportChanges(const std::string& aor, const std::vector<ContactChange>& changes);
  void ScheduleExpiry(const std::string& aor);
  void OnExpiryTimer(const std::string& aor);
  void RunServiceChain(sip::TransactionId server, wire::SipMessage request, ServiceChain chain);
  void RouteToTerminal(sip::TransactionId server, const wire::SipMessage& request, const std::string& aor);
  std::optional<OwnRoute> PopOwnServiceRoute(wire::SipMessage& request) const;
  bool IsHomeDomain(std::string_view host) const;
  // The AOR that holds the bindings of `identity` (any identity of its implicit set), or "".
  std::string RegisteredAor(std::string_view identity) const;
  // The public identity a Request-URI names: the AOR of a GRUU we minted, else the URI's AOR.
  std::string TerminatingIdentity(std::string_view request_uri) const;
  std::string OwnContact() const;

  ScscfConfig scscf_config_;
  Hss& hss_;
  Registrar registrar_;
  std::unique_ptr<RegEventPackage> reg_event_;
  std::map<std::string, sip::TimerId, std::less<>> expiry_timers_;  // per AOR
  std::map<std::string, ThirdParty, std::less<>> third_party_;      // "aor|as uri"
  std::map<std::uint64_t, ServiceChain> chains_;                    // by odi token, oldest first
  std::uint64_t odi_counter_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards delayed callbacks
};

}  // namespace pushsim::ims
