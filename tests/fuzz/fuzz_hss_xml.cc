// Fuzz target for the HSS subscriber data (3GPP TS 29.228 IMSSubscription XML): whatever parses
// must serialize, re-parse to an equal subscription and serialize to the same text. Every parsed
// profile is also evaluated against fixed requests, so compiled trigger points get exercised.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ims/ifc.h"
#include "ims/subscription.h"
#include "wire/sip_message.h"

namespace {

using pushsim::ims::IfcContext;
using pushsim::ims::ImsSubscription;
using pushsim::ims::RegistrationType;
using pushsim::ims::ServiceProfile;
using pushsim::ims::SessionCase;
using pushsim::wire::SipMessage;

const SipMessage& Register() {
  static const SipMessage message = [] {
    SipMessage m = SipMessage::MakeRequest("REGISTER", "sip:home1.net");
    m.Add("Contact", "<sip:user2@192.0.2.4:5060>;+g.oma.pusheventapp=\"ua-profile\", <sip:user2@192.0.2.5>");
    m.Add("Subject", "hello");
    return m;
  }();
  return message;
}

const SipMessage& Invite() {
  static const SipMessage message = [] {
    SipMessage m = SipMessage::MakeRequest("INVITE", "sip:chatroom-1@home1.net");
    m.SetBody("v=0\r\ns=-\r\nm=message 7394 TCP/MSRP *\r\na=accept-types:text/plain\r\n", "application/sdp");
    return m;
  }();
  return message;
}

void Evaluate(const ImsSubscription& subscription) {
  for (const ServiceProfile& profile : subscription.service_profiles) {
    (void)pushsim::ims::MatchingFilters(profile, IfcContext{&Register(), SessionCase::kOriginating,
                                                            RegistrationType::kInitial});
    (void)pushsim::ims::MatchingFilters(profile, IfcContext{&Invite(), SessionCase::kTerminatingUnregistered, {}});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = pushsim::ims::ParseImsSubscription(input);
  if (!parsed.ok()) return 0;
  Evaluate(*parsed);
  const std::string written = pushsim::ims::SerializeImsSubscription(*parsed);
  auto reparsed = pushsim::ims::ParseImsSubscription(written);
  if (!reparsed.ok() || *reparsed != *parsed) __builtin_trap();
  if (pushsim::ims::SerializeImsSubscription(*reparsed) != written) __builtin_trap();
  return 0;
}
