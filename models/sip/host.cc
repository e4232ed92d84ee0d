#include "sip/host.h"

#include "wire/text.h"

namespace pushsim::sip {

std::string_view TransportName(Transport transport) { return transport == Transport::kTcp ? "TCP" : "UDP"; }

std::string Endpoint::HostText() const {
  return std::to_string((address >> 24) & 0xFF) + "." + std::to_string((address >> 16) & 0xFF) + "." +
         std::to_string((address >> 8) & 0xFF) + "." + std::to_string(address & 0xFF);
}

std::string Endpoint::ToString() const {
  return HostText() + ":" + std::to_string(port) + "/" + std::string(TransportName(transport));
}

Transport ChooseTransport(std::size_t message_size, std::size_t path_mtu) {
  const std::size_t limit = path_mtu == 0 ? 1300 : (path_mtu > 200 ? path_mtu - 200 : 0);
  return message_size > limit ? Transport::kTcp : Transport::kUdp;
}

bool ParseIpv4(std::string_view text, std::uint32_t& address) {
  std::uint32_t result = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t dot = octet < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos || dot == 0 || dot > 3) return false;
    const auto value = wire::ParseDecimal(text.substr(0, dot), 255);
    if (!value) return false;
    result = (result << 8) | static_cast<std::uint32_t>(*value);
    text = octet < 3 ? text.substr(dot + 1) : std::string_view{};
  }
  address = result;
  return true;
}

}  // namespace pushsim::sip
