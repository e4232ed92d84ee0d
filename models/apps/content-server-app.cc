#include "apps/content-server-app.h"

#include "ns3/ipv4.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("PushsimContentServerApplication");
NS_OBJECT_ENSURE_REGISTERED(ContentServerApplication);

ns3::TypeId ContentServerApplication::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::ContentServerApplication")
          .SetParent<ns3::Application>()
          .SetGroupName("Pushsim")
          .AddConstructor<ContentServerApplication>()
          .AddAttribute("Port", "The TCP port the server listens on.", ns3::UintegerValue(80),
                        ns3::MakeUintegerAccessor(&ContentServerApplication::port_),
                        ns3::MakeUintegerChecker<std::uint16_t>(1))
          .AddAttribute("Host",
                        "The server's host name in content URLs; added to the resolver with the node's "
                        "address. Empty: URLs carry the node's address.",
                        ns3::StringValue(""), ns3::MakeStringAccessor(&ContentServerApplication::host_name_),
                        ns3::MakeStringChecker())
          .AddAttribute("Resolver", "The host-name table shared by the simulation's applications.",
                        ns3::PointerValue(), ns3::MakePointerAccessor(&ContentServerApplication::resolver_),
                        ns3::MakePointerChecker<SipResolver>())
          .AddAttribute("MaxRequestsPerConnection", "Requests served on one connection before it is closed.",
                        ns3::UintegerValue(100), ns3::MakeUintegerAccessor(&ContentServerApplication::max_requests_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("IdleTimeout", "A connection without traffic for this long is closed; 0: never.",
                        ns3::TimeValue(ns3::Seconds(60)),
                        ns3::MakeTimeAccessor(&ContentServerApplication::idle_timeout_), ns3::MakeTimeChecker())
          .AddAttribute("MaxObjectSize", "The largest object served, in octets; larger sizes get 400.",
                        ns3::UintegerValue(std::uint64_t{64} << 20),
                        ns3::MakeUintegerAccessor(&ContentServerApplication::max_object_size_),
                        ns3::MakeUintegerChecker<std::uint64_t>())
          .AddTraceSource("Request", "A response sent: the request path, the status and the body octets.",
                          ns3::MakeTraceSourceAccessor(&ContentServerApplication::request_trace_),
                          "pushsim::ContentServerApplication::RequestTracedCallback");
  return tid;
}

ContentServerApplication::ContentServerApplication() = default;
ContentServerApplication::~ContentServerApplication() = default;

std::string ContentServerApplication::GetHostName() const {
  if (!host_name_.empty()) return host_name_;
  Ns3StreamHost streams(GetNode());
  return streams.LocalEndpoint(port_).HostText();
}

std::string ContentServerApplication::GetUrl(const std::string& id, std::uint64_t size,
                                             const std::string& type) const {
  return push::ContentUrl(GetHostName(), port_, id, size, type);
}

void ContentServerApplication::RegisterHostName() {
  if (!resolver_) resolver_ = ns3::CreateObject<SipResolver>();
  if (host_name_.empty() || !GetNode()) return;
  Ns3StreamHost streams(GetNode());
  const std::uint32_t address = streams.LocalEndpoint(port_).address;
  if (address != 0) resolver_->Add(host_name_, ns3::Ipv4Address(address));
}

void ContentServerApplication::DoInitialize() {
  // Names are known before any application starts, so a client starting at the same instant can
  // already resolve the server.
  RegisterHostName();
  ns3::Application::DoInitialize();
}

void ContentServerApplication::DoDispose() {
  StopApplication();
  resolver_ = nullptr;
  ns3::Application::DoDispose();
}

void ContentServerApplication::StartApplication() {
  if (server_) return;
  RegisterHostName();
  streams_ = std::make_unique<Ns3StreamHost>(GetNode());
  clock_ = std::make_unique<Ns3SipHost>(GetNode(), port_);
  push::ContentServerConfig config;
  config.port = port_;
  config.max_requests_per_connection = max_requests_;
  config.idle_timeout = sip::Duration(idle_timeout_.GetNanoSeconds());
  config.max_object_size = max_object_size_;
  server_ = std::make_unique<push::ContentServer>(*streams_, config, clock_.get());
  server_->set_request_observer([this](const std::string& path, int status, std::uint64_t bytes) {
    request_trace_(path, static_cast<std::uint16_t>(status), bytes);
  });
  if (!server_->Start()) {
    NS_LOG_WARN("content server cannot listen on port " << port_);
  } else {
    NS_LOG_INFO("content server " << GetHostName() << " listening on " << streams_->LocalEndpoint(port_).ToString());
  }
}

void ContentServerApplication::StopApplication() {
  if (!server_) return;
  // The server closes its connections on the stream host and cancels its timers on the clock.
  server_.reset();
  streams_.reset();
  clock_.reset();
}

}  // namespace pushsim
