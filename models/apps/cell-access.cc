#include "apps/cell-access.h"

#include <algorithm>

#include "ns3/ipv4-header.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace pushsim {

NS_LOG_COMPONENT_DEFINE("CellAccess");
NS_OBJECT_ENSURE_REGISTERED(CellAccessNetDevice);
NS_OBJECT_ENSURE_REGISTERED(CellAccessChannel);

namespace {
constexpr std::uint16_t kIpv4Protocol = 0x0800;
}  // namespace

// ---------------------------------------------------------------------------------------------
// CellAccessNetDevice

ns3::TypeId CellAccessNetDevice::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::CellAccessNetDevice")
          .SetParent<ns3::NetDevice>()
          .SetGroupName("pushsim")
          .AddConstructor<CellAccessNetDevice>()
          .AddAttribute("DataRate", "Serialization rate of the frames this device sends (per UE on the cell's side).",
                        ns3::DataRateValue(ns3::DataRate("100Mbps")),
                        ns3::MakeDataRateAccessor(&CellAccessNetDevice::rate_), ns3::MakeDataRateChecker())
          .AddAttribute("QueueLimit",
                        "Frames waiting or being serialized per direction and UE; a frame beyond it is dropped "
                        "(MacTxDrop).",
                        ns3::UintegerValue(100), ns3::MakeUintegerAccessor(&CellAccessNetDevice::queue_limit_),
                        ns3::MakeUintegerChecker<std::uint32_t>(1))
          .AddAttribute("Mtu", "Largest IPv4 packet this device carries, in bytes.", ns3::UintegerValue(1500),
                        ns3::MakeUintegerAccessor(&CellAccessNetDevice::SetMtu, &CellAccessNetDevice::GetMtu),
                        ns3::MakeUintegerChecker<std::uint16_t>(68))
          .AddAttribute("ReceiveErrorModel", "Decides which received frames are lost.", ns3::PointerValue(),
                        ns3::MakePointerAccessor(&CellAccessNetDevice::receive_error_model_),
                        ns3::MakePointerChecker<ns3::ErrorModel>())
          .AddTraceSource("MacTx", "A frame accepted for sending.",
                          ns3::MakeTraceSourceAccessor(&CellAccessNetDevice::mac_tx_trace_),
                          "ns3::Packet::TracedCallback")
          .AddTraceSource("MacTxDrop",
                          "A frame dropped before sending: the queue towards its UE is full, no UE holds its "
                          "destination address, or it is not IPv4.",
                          ns3::MakeTraceSourceAccessor(&CellAccessNetDevice::mac_tx_drop_trace_),
                          "ns3::Packet::TracedCallback")
          .AddTraceSource("MacRx", "A frame received and passed up the stack.",
                          ns3::MakeTraceSourceAccessor(&CellAccessNetDevice::mac_rx_trace_),
                          "ns3::Packet::TracedCallback")
          .AddTraceSource("PhyRxDrop", "A received frame lost by the ReceiveErrorModel.",
                          ns3::MakeTraceSourceAccessor(&CellAccessNetDevice::phy_rx_drop_trace_),
                          "ns3::Packet::TracedCallback")
          .AddTraceSource("Sniffer",
                          "Every frame sent (when accepted) and received (when not lost): an IPv4 packet, for pcap.",
                          ns3::MakeTraceSourceAccessor(&CellAccessNetDevice::sniffer_trace_),
                          "ns3::Packet::TracedCallback");
  return tid;
}

CellAccessNetDevice::CellAccessNetDevice() : address_(ns3::Mac48Address::Allocate()) {}

ns3::Ptr<ns3::Channel> CellAccessNetDevice::GetChannel() const { return channel_; }

bool CellAccessNetDevice::SetMtu(const std::uint16_t mtu) {
  if (mtu < 68) return false;  // RFC 791: every internet module must forward 68 octets unfragmented
  mtu_ = mtu;
  return true;
}

void CellAccessNetDevice::DoDispose() {
  node_ = nullptr;
  channel_ = nullptr;
  receive_error_model_ = nullptr;
  receive_callback_ = ReceiveCallback();
  promisc_callback_ = PromiscReceiveCallback();
  uplink_.finish_ns.clear();
  downlink_.finish_ns.clear();
  ns3::NetDevice::DoDispose();
}

bool CellAccessNetDevice::Send(ns3::Ptr<ns3::Packet> packet, const ns3::Address&, std::uint16_t protocol) {
  NS_LOG_FUNCTION(this << packet << protocol);
  if (!channel_ || protocol != kIpv4Protocol) {
    mac_tx_drop_trace_(packet);
    return false;
  }
  if (!cell_side_) return Transmit(packet, uplink_, channel_->GetCell());
  ns3::Ipv4Header header;
  packet->PeekHeader(header);
  ns3::Ptr<CellAccessNetDevice> ue = channel_->FindUe(header.GetDestination());
  if (!ue) {
    NS_LOG_LOGIC("no UE holds " << header.GetDestination() << ": dropped");
    mac_tx_drop_trace_(packet);
    return false;
  }
  return Transmit(packet, ue->downlink_, ue);
}

bool CellAccessNetDevice::Transmit(ns3::Ptr<ns3::Packet> packet, Transmitter& transmitter,
                                   ns3::Ptr<CellAccessNetDevice> to) {
  const std::int64_t now = ns3::Simulator::Now().GetNanoSeconds();
  auto& finish = transmitter.finish_ns;
  // Frames whose serialization ended have left the queue.
  finish.erase(finish.begin(), std::upper_bound(finish.begin(), finish.end(), now));
  if (finish.size() >= queue_limit_) {
    NS_LOG_LOGIC("queue full (" << finish.size() << " frames): dropped");
    mac_tx_drop_trace_(packet);
    return false;
  }
  const std::int64_t start = finish.empty() ? now : finish.back();
  const std::int64_t end = start + rate_.CalculateBytesTxTime(packet->GetSize()).GetNanoSeconds();
  finish.push_back(end);
  mac_tx_trace_(packet);
  sniffer_trace_(packet);
  const ns3::Time arrival = ns3::NanoSeconds(end - now) + channel_->GetDelay();
  ns3::Simulator::ScheduleWithContext(to->GetNode()->GetId(), arrival, &CellAccessNetDevice::Receive, to, packet,
                                      ns3::Ptr<CellAccessNetDevice>(this));
  return true;
}

void CellAccessNetDevice::Receive(ns3::Ptr<ns3::Packet> packet, ns3::Ptr<CellAccessNetDevice> from) {
  NS_LOG_FUNCTION(this << packet);
  if (!channel_) return;  // disposed while the frame was in flight
  if (receive_error_model_ && receive_error_model_->IsCorrupt(packet)) {
    phy_rx_drop_trace_(packet);
    return;
  }
  sniffer_trace_(packet);
  mac_rx_trace_(packet);
  if (!promisc_callback_.IsNull()) {
    promisc_callback_(this, packet, kIpv4Protocol, from->GetAddress(), GetAddress(), ns3::NetDevice::PACKET_HOST);
  }
  if (!receive_callback_.IsNull()) receive_callback_(this, packet, kIpv4Protocol, from->GetAddress());
}

// ---------------------------------------------------------------------------------------------
// CellAccessChannel

ns3::TypeId CellAccessChannel::GetTypeId() {
  static ns3::TypeId tid =
      ns3::TypeId("pushsim::CellAccessChannel")
          .SetParent<ns3::Channel>()
          .SetGroupName("pushsim")
          .AddConstructor<CellAccessChannel>()
          .AddAttribute("Delay", "Propagation delay of every UE's access link.", ns3::TimeValue(ns3::MilliSeconds(10)),
                        ns3::MakeTimeAccessor(&CellAccessChannel::delay_), ns3::MakeTimeChecker(ns3::Time(0)));
  return tid;
}

void CellAccessChannel::AttachCell(ns3::Ptr<CellAccessNetDevice> device) {
  if (cell_) NS_FATAL_ERROR("CellAccessChannel: a second cell device");
  cell_ = device;
  device->channel_ = this;
  device->cell_side_ = true;
}

void CellAccessChannel::AttachUe(ns3::Ptr<CellAccessNetDevice> device, ns3::Ipv4Address address) {
  if (!cell_) NS_FATAL_ERROR("CellAccessChannel: a UE attached before the cell");
  const auto index = static_cast<std::uint32_t>(ues_.size());
  if (!ue_by_address_.emplace(address.Get(), index).second) {
    NS_FATAL_ERROR("CellAccessChannel: address " << address << " attached twice");
  }
  ues_.push_back(device);
  device->channel_ = this;
  device->cell_side_ = false;
}

ns3::Ptr<CellAccessNetDevice> CellAccessChannel::FindUe(ns3::Ipv4Address address) const {
  const auto it = ue_by_address_.find(address.Get());
  return it == ue_by_address_.end() ? nullptr : ues_[it->second];
}

ns3::Ptr<ns3::NetDevice> CellAccessChannel::GetDevice(std::size_t i) const {
  if (!cell_ || i > ues_.size()) return nullptr;
  return i == 0 ? ns3::Ptr<ns3::NetDevice>(cell_) : ns3::Ptr<ns3::NetDevice>(ues_[i - 1]);
}

void CellAccessChannel::DoDispose() {
  // Devices and channel point at each other; this breaks the cycle.
  cell_ = nullptr;
  ues_.clear();
  ue_by_address_.clear();
  ns3::Channel::DoDispose();
}

// ---------------------------------------------------------------------------------------------
// CellAccessHelper

CellAccessHelper::CellAccessHelper() {
  device_factory_.SetTypeId(CellAccessNetDevice::GetTypeId());
  channel_factory_.SetTypeId(CellAccessChannel::GetTypeId());
}

void CellAccessHelper::SetDeviceAttribute(const std::string& name, const ns3::AttributeValue& value) {
  device_factory_.Set(name, value);
}

void CellAccessHelper::SetChannelAttribute(const std::string& name, const ns3::AttributeValue& value) {
  channel_factory_.Set(name, value);
}

ns3::Ptr<CellAccessNetDevice> CellAccessHelper::InstallCell(ns3::Ptr<ns3::Node> cell) const {
  ns3::Ptr<CellAccessChannel> channel = channel_factory_.Create<CellAccessChannel>();
  ns3::Ptr<CellAccessNetDevice> device = device_factory_.Create<CellAccessNetDevice>();
  cell->AddDevice(device);
  channel->AttachCell(device);
  return device;
}

ns3::Ptr<CellAccessNetDevice> CellAccessHelper::InstallUe(ns3::Ptr<ns3::Node> ue,
                                                          ns3::Ptr<CellAccessNetDevice> cell_device,
                                                          ns3::Ipv4Address address) const {
  auto channel = ns3::DynamicCast<CellAccessChannel>(cell_device->GetChannel());
  if (!channel || !cell_device->IsCellSide()) NS_FATAL_ERROR("CellAccessHelper::InstallUe: not a cell's device");
  ns3::Ptr<CellAccessNetDevice> device = device_factory_.Create<CellAccessNetDevice>();
  ue->AddDevice(device);
  channel->AttachUe(device, address);
  return device;
}

void CellAccessHelper::EnablePcapInternal(std::string prefix, ns3::Ptr<ns3::NetDevice> device, bool,
                                          bool explicit_filename) {
  ns3::Ptr<CellAccessNetDevice> access = ns3::DynamicCast<CellAccessNetDevice>(device);
  if (!access) {
    NS_LOG_INFO("not a CellAccessNetDevice: no pcap for device " << device->GetIfIndex());
    return;
  }
  ns3::PcapHelper pcap;
  const std::string file = explicit_filename ? prefix : pcap.GetFilenameFromDevice(prefix, device);
  ns3::Ptr<ns3::PcapFileWrapper> wrapper = pcap.CreateFile(file, std::ios::out, ns3::PcapHelper::DLT_RAW);
  pcap.HookDefaultSink<CellAccessNetDevice>(access, "Sniffer", wrapper);
}

}  // namespace pushsim
