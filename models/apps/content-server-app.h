// The content server of content indirection (RFC 4483) as an ns-3 application: push::ContentServer
// on the node's TCP streams (Ns3StreamHost). It serves
//   http://<Host>[:<Port>]/content/<id>?size=<octets>&type=<media-type>
// with `size` octets of push::ContentPattern(id, size).
//
// Attributes: "Port" (default 80), "Host" (a name added to "Resolver" with the node's address, so
// URLs can name the server), "Resolver" (the simulation's SipResolver), "MaxRequestsPerConnection",
// "IdleTimeout", "MaxObjectSize". Trace source: "Request" (path, status, body octets) for every
// response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "apps/sip-host.h"
#include "apps/sip-resolver.h"
#include "apps/stream-host.h"
#include "ns3/application.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"
#include "push/content.h"

namespace pushsim {

class ContentServerApplication : public ns3::Application {
 public:
  static ns3::TypeId GetTypeId();

  // Request: the request-target's path ("" for a request that could not be parsed), the response
  // status, and the octets of its body.
  typedef void (*RequestTracedCallback)(const std::string& path, std::uint16_t status, std::uint64_t bytes);

  ContentServerApplication();
  ~ContentServerApplication() override;

  // The server logic; nullptr while the application is not running.
  push::ContentServer* GetServer() { return server_.get(); }
  // The URL of an object on this server, named by "Host" (or the node's address when empty).
  std::string GetUrl(const std::string& id, std::uint64_t size, const std::string& type) const;
  std::string GetHostName() const;
  std::uint16_t GetPort() const { return port_; }
  ns3::Ptr<SipResolver> GetResolver() const { return resolver_; }

 protected:
  void DoInitialize() override;
  void DoDispose() override;

 private:
  void StartApplication() override;
  void StopApplication() override;
  void RegisterHostName();

  std::uint16_t port_ = 80;
  std::string host_name_;
  ns3::Ptr<SipResolver> resolver_;
  std::uint32_t max_requests_ = 100;
  ns3::Time idle_timeout_;
  std::uint64_t max_object_size_ = std::uint64_t{64} << 20;

  ns3::TracedCallback<const std::string&, std::uint16_t, std::uint64_t> request_trace_;

  std::unique_ptr<Ns3StreamHost> streams_;
  // The clock and timers of the node (idle timeouts); its SIP sockets are never opened.
  std::unique_ptr<Ns3SipHost> clock_;
  std::unique_ptr<push::ContentServer> server_;
};

}  // namespace pushsim
