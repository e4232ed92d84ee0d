#include "ims/icscf.h"

#include <memory>
#include <utility>

#include "wire/sip_headers.h"
#include "wire/sip_uri.h"

namespace pushsim::ims {

using wire::HeaderId;
using wire::Method;
using wire::SipMessage;

namespace {

// The Route entry that sends a request to an S-CSCF name from the HSS: name-addr with lr
// (RFC 3261 16.12.1.1, loose routing), whatever form the HSS stored the name in.
std::string ScscfRoute(const std::string& scscf) {
  std::string_view text = scscf;
  if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
  std::string route = "<" + std::string(text);
  auto uri = wire::ParseSipUri(text);
  if (uri.ok() && !uri->Param("lr")) route += ";lr";
  route += ">";
  return route;
}

}  // namespace

ICscf::ICscf(sip::Host& host, const sip::Resolver& resolver, ICscfConfig config, const Hss& hss)
    : sip::Element(host, resolver, config.element), icscf_config_(std::move(config)), hss_(hss) {}

ICscf::~ICscf() {
  for (sip::TimerId timer : pending_cx_) host().CancelTimer(timer);
}

void ICscf::AfterCx(sip::Duration delay, std::function<void()> action) {
  auto id = std::make_shared<sip::TimerId>(sip::kNoTimer);
  *id = host().StartTimer(delay, [this, id, action = std::move(action)] {
    pending_cx_.erase(*id);
    action();
  });
  pending_cx_.insert(*id);
}

void ICscf::HandleRequest(sip::TransactionId server, const SipMessage& request, const sip::Endpoint&) {
  SipMessage forward = request;
  PopOwnRoute(forward, *this);
  if (request.method() == Method::kRegister) {
    HandleRegister(server, std::move(forward));
    return;
  }
  if (!forward.GetAll(HeaderId::kRoute).empty()) {
    // Already routed further (a preloaded route beyond this I-CSCF): no location query needed.
    Forward(server, forward, {sip::ForwardTarget{std::string(forward.request_uri()), {}, std::nullopt}});
    return;
  }
  HandleTerminating(server, std::move(forward));
}

void ICscf::HandleRegister(sip::TransactionId server, SipMessage request) {
  // TS 24.229 5.3.1.2: the public user identity is the To header field of the REGISTER; the
  // User-Authorization-Request asks the HSS whether it may register and which S-CSCF serves it.
  std::string identity;
  if (auto to = request.Get(HeaderId::kTo)) {
    auto parsed = wire::ParseFromTo(*to);
    if (parsed.ok()) identity = parsed->uri;
  }
  int refusal = 0;
  std::string scscf;
  if (identity.empty() || hss_.FindSubscription(identity) == nullptr || hss_.IsBarred(identity)) {
    refusal = 403;  // TS 24.229 5.3.1.2: the UAA says the user is unknown or not allowed
  } else {
    scscf = hss_.AssignedScscf(identity).value_or(hss_.default_scscf());
    if (scscf.empty()) refusal = 600;  // TS 24.229 5.3.1.2: no S-CSCF could be selected
  }
  AfterCx(icscf_config_.cx.uar_delay, [this, server, refusal, scscf, request = std::move(request)] {
    if (refusal != 0) {
      Respond(server, refusal);
      return;
    }
    ForwardToScscf(server, request, scscf);
  });
}

void ICscf::HandleTerminating(sip::TransactionId server, SipMessage request) {
  // TS 24.229 5.3.2.1: the Location-Info-Request for the Request-URI. An unknown identity gives
  // 404; a known one without an S-CSCF (not registered, no unregistered services) gives 480.
  const std::string identity(request.request_uri());
  int refusal = 0;
  std::string scscf;
  if (hss_.FindSubscription(identity) == nullptr) {
    refusal = 404;
  } else if (auto assigned = hss_.AssignedScscf(identity)) {
    scscf = *assigned;
  } else {
    refusal = 480;
  }
  AfterCx(icscf_config_.cx.lir_delay, [this, server, refusal, scscf, request = std::move(request)] {
    if (refusal != 0) {
      Respond(server, refusal);
      return;
    }
    ForwardToScscf(server, request, scscf);
  });
}

void ICscf::ForwardToScscf(sip::TransactionId server, const SipMessage& request, const std::string& scscf) {
  // TS 24.229 5.3.1.2 / 5.3.2.1: the S-CSCF goes in front of the Route header field, the
  // Request-URI stays; the I-CSCF does not Record-Route (it is not on the dialog's path).
  std::vector<sip::ForwardTarget> targets;
  targets.push_back(sip::ForwardTarget{std::string(request.request_uri()), {ScscfRoute(scscf)}, std::nullopt});
  Forward(server, request, std::move(targets));
}

}  // namespace pushsim::ims
