// A radio cell's access network for thousands of UEs at a cost per packet that does not grow with
// their number.
//
// One CellAccessChannel per cell joins one CellAccessNetDevice on the cell node (all its UEs) and
// one on each UE node. A frame goes to its destination only: a UE's device always sends to the
// cell; the cell's device finds the UE by the packet's destination IPv4 address in a hash map.
// Nothing is ever broadcast to N devices, and IP on the cell node sees one interface and one
// connected route instead of one per UE (ns-3's Ipv4L3Protocol and Ipv4StaticRouting scan
// interfaces and routes linearly per packet).
//
// Each UE's access link behaves like a point-to-point link of the cell's access parameters:
//   * serialization at the device's DataRate, per direction and per UE: the uplink of each UE is
//     serialized by its own device, the downlink to each UE by the cell's device at the cell's
//     DataRate but independently per UE (the downlink is NOT shared among the UEs of a cell: a
//     busy UE does not delay another, as with one point-to-point link per UE);
//   * then the channel's Delay (propagation);
//   * a FIFO of at most QueueLimit packets waiting or being serialized per direction and UE
//     (a point-to-point device's default DropTail queue holds 100); beyond it MacTxDrop;
//   * the receiving device's ReceiveErrorModel (loss; a failure can install a drop-all model).
// One simulator event per packet (its arrival): the FIFO is kept as the finish times of the
// packets in it, so serialization needs no event of its own.
//
// The devices carry IPv4 only and need no ARP: from IP's view each is point-to-point-like. Frames
// have no link header; pcap files are DLT_RAW (IPv4 without link header), which tshark decodes.
//
//   CellAccessHelper access;
//   access.SetDeviceAttribute("DataRate", DataRateValue(DataRate("20Mbps")));
//   access.SetChannelAttribute("Delay", TimeValue(MilliSeconds(20)));
//   Ptr<CellAccessNetDevice> cell = access.InstallCell(cell_node);
//   Ptr<CellAccessNetDevice> ue = access.InstallUe(ue_node, cell, Ipv4Address("10.0.0.2"));
//   access.EnablePcap("cell", cell);   // "cell-<node>-<device>.pcap"
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ns3/channel.h"
#include "ns3/data-rate.h"
#include "ns3/error-model.h"
#include "ns3/ipv4-address.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/packet.h"
#include "ns3/trace-helper.h"
#include "ns3/traced-callback.h"

namespace pushsim {

class CellAccessChannel;

class CellAccessNetDevice : public ns3::NetDevice {
 public:
  static ns3::TypeId GetTypeId();
  CellAccessNetDevice();

  // True on the cell's device, false on a UE's (set when attached to a channel).
  bool IsCellSide() const { return cell_side_; }
  void SetDataRate(ns3::DataRate rate) { rate_ = rate; }
  ns3::DataRate GetDataRate() const { return rate_; }
  // Consulted for every frame this device receives; null: none is lost.
  void SetReceiveErrorModel(ns3::Ptr<ns3::ErrorModel> model) { receive_error_model_ = model; }
  ns3::Ptr<ns3::ErrorModel> GetReceiveErrorModel() const { return receive_error_model_; }

  // ns3::NetDevice.
  void SetIfIndex(const std::uint32_t index) override { if_index_ = index; }
  std::uint32_t GetIfIndex() const override { return if_index_; }
  ns3::Ptr<ns3::Channel> GetChannel() const override;
  void SetAddress(ns3::Address address) override { address_ = ns3::Mac48Address::ConvertFrom(address); }
  ns3::Address GetAddress() const override { return address_; }
  bool SetMtu(const std::uint16_t mtu) override;
  std::uint16_t GetMtu() const override { return mtu_; }
  bool IsLinkUp() const override { return channel_ != nullptr; }
  // The link is up from attachment to disposal and never changes, so no callback is kept (it
  // would cost memory on every UE for a call that never comes).
  void AddLinkChangeCallback(ns3::Callback<void>) override {}
  bool IsBroadcast() const override { return true; }
  ns3::Address GetBroadcast() const override { return ns3::Mac48Address::GetBroadcast(); }
  bool IsMulticast() const override { return false; }
  ns3::Address GetMulticast(ns3::Ipv4Address) const override { return ns3::Mac48Address::GetBroadcast(); }
  ns3::Address GetMulticast(ns3::Ipv6Address) const override { return ns3::Mac48Address::GetBroadcast(); }
  bool IsBridge() const override { return false; }
  bool IsPointToPoint() const override { return true; }
  // Accepts IPv4 (0x0800) only; `dest` is ignored: a UE sends to its cell, the cell to the UE
  // holding the packet's destination address. False (and MacTxDrop) when the frame is dropped.
  bool Send(ns3::Ptr<ns3::Packet> packet, const ns3::Address& dest, std::uint16_t protocol) override;
  bool SendFrom(ns3::Ptr<ns3::Packet>, const ns3::Address&, const ns3::Address&, std::uint16_t) override {
    return false;
  }
  ns3::Ptr<ns3::Node> GetNode() const override { return node_; }
  void SetNode(ns3::Ptr<ns3::Node> node) override { node_ = node; }
  bool NeedsArp() const override { return false; }
  void SetReceiveCallback(ReceiveCallback callback) override { receive_callback_ = callback; }
  void SetPromiscReceiveCallback(PromiscReceiveCallback callback) override { promisc_callback_ = callback; }
  bool SupportsSendFrom() const override { return false; }

 protected:
  void DoDispose() override;

 private:
  friend class CellAccessChannel;

  // One direction of one UE's link: when each frame waiting or being serialized finishes, in
  // nanoseconds, oldest first.
  struct Transmitter {
    std::vector<std::int64_t> finish_ns;
  };

  // Queues `packet` on `transmitter` at this device's rate and schedules its arrival at `to`.
  bool Transmit(ns3::Ptr<ns3::Packet> packet, Transmitter& transmitter, ns3::Ptr<CellAccessNetDevice> to);
  // At the end of propagation: the error model, the traces, then up the stack.
  void Receive(ns3::Ptr<ns3::Packet> packet, ns3::Ptr<CellAccessNetDevice> from);

  ns3::Ptr<ns3::Node> node_;
  ns3::Ptr<CellAccessChannel> channel_;
  ns3::Ptr<ns3::ErrorModel> receive_error_model_;
  ns3::DataRate rate_;
  std::uint32_t if_index_ = 0;
  std::uint32_t queue_limit_ = 100;
  std::uint16_t mtu_ = 1500;
  bool cell_side_ = false;
  ns3::Mac48Address address_;
  Transmitter uplink_;    // UE side: this UE's frames to the cell
  Transmitter downlink_;  // UE side: the cell's frames to this UE (serialized by the cell's device)
  ReceiveCallback receive_callback_;
  PromiscReceiveCallback promisc_callback_;

  ns3::TracedCallback<ns3::Ptr<const ns3::Packet>> mac_tx_trace_;
  ns3::TracedCallback<ns3::Ptr<const ns3::Packet>> mac_tx_drop_trace_;
  ns3::TracedCallback<ns3::Ptr<const ns3::Packet>> mac_rx_trace_;
  ns3::TracedCallback<ns3::Ptr<const ns3::Packet>> phy_rx_drop_trace_;
  ns3::TracedCallback<ns3::Ptr<const ns3::Packet>> sniffer_trace_;
};

class CellAccessChannel : public ns3::Channel {
 public:
  static ns3::TypeId GetTypeId();
  CellAccessChannel() = default;

  // The cell's device; exactly one per channel, attached first.
  void AttachCell(ns3::Ptr<CellAccessNetDevice> device);
  // A UE's device, reached by the cell for packets to `address`. Aborts (NS_FATAL_ERROR) when
  // the address is already attached or no cell is: both are programming errors.
  void AttachUe(ns3::Ptr<CellAccessNetDevice> device, ns3::Ipv4Address address);
  // The UE device holding `address`; null when none does.
  ns3::Ptr<CellAccessNetDevice> FindUe(ns3::Ipv4Address address) const;
  ns3::Ptr<CellAccessNetDevice> GetCell() const { return cell_; }
  ns3::Time GetDelay() const { return delay_; }

  // ns3::Channel: device 0 is the cell's, device i the (i-1)-th UE attached.
  std::size_t GetNDevices() const override { return cell_ ? 1 + ues_.size() : 0; }
  ns3::Ptr<ns3::NetDevice> GetDevice(std::size_t i) const override;

 protected:
  void DoDispose() override;

 private:
  ns3::Time delay_;
  ns3::Ptr<CellAccessNetDevice> cell_;
  std::vector<ns3::Ptr<CellAccessNetDevice>> ues_;
  std::unordered_map<std::uint32_t, std::uint32_t> ue_by_address_;  // IPv4 address -> index in ues_
};

// Builds cells and their UEs' access devices, and writes pcaps (DLT_RAW) of them.
class CellAccessHelper : public ns3::PcapHelperForDevice {
 public:
  CellAccessHelper();

  // Attributes of every device (DataRate, QueueLimit, Mtu, ReceiveErrorModel ...) and channel
  // (Delay) created from now on.
  void SetDeviceAttribute(const std::string& name, const ns3::AttributeValue& value);
  void SetChannelAttribute(const std::string& name, const ns3::AttributeValue& value);

  // A new channel and the cell's device on it, added to `cell`.
  ns3::Ptr<CellAccessNetDevice> InstallCell(ns3::Ptr<ns3::Node> cell) const;
  // A UE's device on the channel of `cell_device`, added to `ue`, reached at `address`.
  ns3::Ptr<CellAccessNetDevice> InstallUe(ns3::Ptr<ns3::Node> ue, ns3::Ptr<CellAccessNetDevice> cell_device,
                                          ns3::Ipv4Address address) const;

 private:
  // Both directions of the device's frames (the cell's device sees all of its UEs'), IPv4 from
  // its first byte. `promiscuous` changes nothing: every frame on a device is for it.
  void EnablePcapInternal(std::string prefix, ns3::Ptr<ns3::NetDevice> device, bool promiscuous,
                          bool explicit_filename) override;

  ns3::ObjectFactory device_factory_;
  ns3::ObjectFactory channel_factory_;
};

}  // namespace pushsim
