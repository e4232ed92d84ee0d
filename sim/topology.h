// Topologies for pushsim scenarios: a Graphviz DOT file read with Boost.Graph, validated, routed
// on with Boost.Graph, and built into an ns-3 network with static routes.
//
// The DOT file is an undirected `graph`. Nodes carry a `role`; links (edges) carry `delay`, `rate`,
// `loss` and `queue` (the packets each end's transmit queue holds; a full queue drops, as a router
// port does); cells may carry the parameters of their UEs' access links (access_delay,
// access_rate, access_loss, access_queue):
//
//   graph quickstart {
//     pcscf  [role=pcscf];   scscf [role=scscf];   hss [role=hss];
//     as     [role=as];      core  [role=router];  cell1 [role=cell, access_delay="10ms"];
//     pcscf -- core [delay="2ms", rate="1Gbps"];
//     core -- cell1 [delay="5ms", rate="100Mbps", loss=0.001];
//
// Values with units are quoted: DOT reads an unquoted 2ms as the number 2 followed by a stray
// identifier.
//   }
//
// Roles: pcscf, icscf, scscf, hss, as, content, router, cell, attacker. A valid topology has
// exactly one pcscf, scscf and hss, at most one icscf, at least one as and one cell, no link from
// a node to itself, at most one link between two nodes, and every node reachable from every
// other. Node names become host names (`<name>.<domain>`), so they are DNS labels: letters,
// digits and '-'. Graphviz presentation attributes (label, pos, color, ...) are allowed and
// ignored; any other attribute is an error, so a misspelt `dealy` does not silently vanish.
//
// Defaults: link delay 1ms, rate 1Gbps, loss 0, queue 100 packets (ns-3's drop-tail default: a
// burst of a thousand REGISTERs in one instant loses some at a 100-packet port; raise `queue` to
// model deeper router buffers); access links 10ms, 100Mbps, loss 0, queue 100 packets.
//
// Routing (NextHops): Dijkstra on link delay, run once per destination; among paths of equal
// delay the one with fewer hops wins, and among those the one Dijkstra settles first (DOT order),
// so the table is deterministic.
//
// The ns-3 network (BuildNetwork): one Node per DOT node, a point-to-point link per edge (its
// DataRate and Delay, a RateErrorModel per packet on both receivers when loss > 0), a /30 per link
// from 172.16.0.0/12, and each UE its own Node. The UEs reach their cell over the cell's access
// network (apps/cell-access.h): one CellAccessNetDevice on the cell for all its UEs and one on each
// UE, each UE's link with the cell's access delay, rate (serialized per UE and direction: the
// downlink is not shared among a cell's UEs) and loss (a RateErrorModel per packet on the cell's
// device for the uplinks and on each UE's device for its downlink). 10.0.0.0/8 is split evenly
// among the cells (so every router needs one route per cell); each cell's block is one connected
// subnet of the cell's access interface: the cell is .1 of its block, its UEs take .2, .3, ... in
// the order of ue_cells. Routing is ns-3's Ipv4StaticRouting only (never global routing, whose
// set-up is cubic in the node count): each topology node gets a /32 route to every other topology
// node's link addresses and one route per other cell's block, each through the next hop from
// NextHops; a cell reaches its own block by its connected route; UEs get a default route to their
// cell. Per packet nothing scans the UEs: the cell node has one access interface and one route
// for its block whatever their number.
//
// The internet stacks are IPv4 only (UDP, TCP, ICMP; no IPv6: nothing in pushsim uses it, and it
// is the largest part of a UE node's memory) and no queue disc is installed on any device.
//
// Limits (hostile files are refused, not trusted): DOT text at most 4 MiB, brace nesting at most
// 64, at most 2,048 nodes and 16,384 links.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "apps/sip-resolver.h"
#include "ns3/ipv4-address.h"
#include "ns3/node-container.h"
#include "ns3/node.h"
#include "ns3/ptr.h"

namespace pushsim::runner {

using Duration = std::chrono::nanoseconds;

// An error in an input file: the file, 1-based line and column (0 when unknown) and a message
// that says what was expected.
struct SourceError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  // "file:line:column: error: message" (line and column left out when unknown).
  std::string ToString() const;
};

// A value or the error that prevented it.
template <typename T>
class Loaded {
 public:
  Loaded(T value) : content_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Loaded(SourceError error) : content_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(content_); }
  const T& value() const& { return std::get<T>(content_); }
  T& value() & { return std::get<T>(content_); }
  T&& value() && { return std::get<T>(std::move(content_)); }
  const SourceError& error() const { return std::get<SourceError>(content_); }

 private:
  std::variant<T, SourceError> content_;
};

// Values with units, shared by DOT and scenario files. Each returns nullopt on anything but the
// documented forms or out of range; callers say what was expected.
//
// Durations: a non-negative decimal and a unit: ns, us, ms, s, min, h, d ("200ms", "1.5s"); "0"
// alone is allowed. At most 365 days.
std::optional<Duration> ParseDuration(std::string_view text);
// Data rates: a decimal and bps, kbps, Mbps, Gbps (SI: k = 1000); at most 10 Tbps, at least 1 bps.
std::optional<std::uint64_t> ParseDataRate(std::string_view text);
// Sizes: a non-negative integer or decimal and B, kB, KiB, MB, MiB, GB, GiB; at most 1 GiB;
// a whole number of bytes.
std::optional<std::uint64_t> ParseSize(std::string_view text);
// Event rates: a decimal, '/', and s, min or h ("100/s", "30/min"); at most 10,000,000/s.
std::optional<double> ParseEventRate(std::string_view text);
// Probabilities: a decimal in [0, 1], or a percentage in [0%, 100%].
std::optional<double> ParseProbability(std::string_view text);
// Canonical text of a duration (the largest unit that keeps it whole: "2ms", "1500us", "5s").
std::string DurationText(Duration duration);

enum class NodeRole { kPcscf, kIcscf, kScscf, kHss, kAs, kContent, kRouter, kCell, kAttacker };
inline constexpr NodeRole kAllRoles[] = {NodeRole::kPcscf, NodeRole::kIcscf,   NodeRole::kScscf,
                                         NodeRole::kHss,   NodeRole::kAs,      NodeRole::kContent,
                                         NodeRole::kRouter, NodeRole::kCell,   NodeRole::kAttacker};
std::string_view RoleName(NodeRole role);
std::optional<NodeRole> RoleFromName(std::string_view name);

inline constexpr std::uint32_t kMaxQueuePackets = 1'000'000;

struct LinkParams {
  Duration delay = std::chrono::milliseconds(1);
  std::uint64_t rate_bps = 1'000'000'000;
  double loss = 0.0;
  std::uint32_t queue_packets = 100;  // per transmitting end, 1 to kMaxQueuePackets
};

struct TopologyNode {
  std::string name;
  NodeRole role = NodeRole::kRouter;
  int line = 0;       // in the DOT file; 0 when not found
  LinkParams access;  // cells only: the access link of each UE attached to the cell
};

struct TopologyLink {
  std::size_t a = 0;  // indices into Topology::nodes
  std::size_t b = 0;
  LinkParams params;
  int line = 0;
};

struct Topology {
  std::string file;  // as given to the parser, for messages
  std::vector<TopologyNode> nodes;
  std::vector<TopologyLink> links;

  std::optional<std::size_t> Find(std::string_view name) const;
  std::vector<std::size_t> NodesWithRole(NodeRole role) const;
  std::size_t CountRole(NodeRole role) const { return NodesWithRole(role).size(); }
};

inline constexpr std::size_t kMaxDotBytes = 4u << 20;
inline constexpr std::size_t kMaxDotNesting = 64;
inline constexpr std::size_t kMaxTopologyNodes = 2048;
inline constexpr std::size_t kMaxTopologyLinks = 16384;

// Parses and validates DOT text; `file` names it in errors.
Loaded<Topology> ParseTopology(std::string_view dot_text, const std::string& file);
// Reads the file and parses it.
Loaded<Topology> LoadTopologyFile(const std::string& path);

// next[from][to]: the neighbour of `from` on the chosen path to `to`; kNoHop when from == to or
// `to` is unreachable. Pure: depends on the nodes and links only.
inline constexpr std::size_t kNoHop = static_cast<std::size_t>(-1);
using NextHopTable = std::vector<std::vector<std::size_t>>;
NextHopTable NextHops(const Topology& topology);

struct BuildOptions {
  std::string domain = "home1.net";  // host names are <node name>.<domain> and <role>.<domain>
  // The first ns-3 random stream of the access loss models (cells in topology order, each cell's
  // device then its UEs' devices in ue_cells order; one stream each, only where access_loss > 0).
  // Fixed, so that losses do not depend on what ran before in the process; the default lies
  // above the streams `pushsim run` gives the core links' loss models (16 on, one per device)
  // and below those of the internet stacks (2^20 on).
  std::int64_t access_loss_stream = std::int64_t{1} << 19;
};

struct BuiltNode {
  std::string name;
  NodeRole role = NodeRole::kRouter;
  ns3::Ptr<ns3::Node> node;
  ns3::Ipv4Address address;  // the node's first address, the one SIP applications bind to
};

struct BuiltUe {
  ns3::Ptr<ns3::Node> node;
  ns3::Ipv4Address address;
  ns3::Ipv4Address gateway;  // the cell's address on its access network (.1 of its block)
  std::size_t cell = 0;      // index into Topology::nodes
};

struct BuiltNetwork {
  std::vector<BuiltNode> nodes;  // Topology::nodes order
  std::vector<BuiltUe> ues;      // the order of the ue_cells argument
  ns3::NodeContainer topology_nodes;
  ns3::NodeContainer ue_nodes;
  // Host name -> address: "<name>.<domain>" for every topology node, and "<role>.<domain>" for
  // each role held by exactly one node (so "pcscf.home1.net" works whatever the node is called),
  // unless a node already has that name.
  std::vector<std::pair<std::string, ns3::Ipv4Address>> hosts;
  std::size_t static_routes = 0;  // routes added, UE default routes included

  std::optional<std::size_t> Find(std::string_view name) const;
  void FillResolver(SipResolver& resolver) const;
};

// Builds the network in the current ns-3 simulation. ue_cells[i] is the topology index of UE i's
// cell. Fails (nothing usable built) when an index is not a cell or a cell has more UEs than its
// address block holds (2^(24 - b) - 3 with 2^b blocks for the cells: 16,777,213 with one cell,
// 65,533 with 256).
Loaded<BuiltNetwork> BuildNetwork(const Topology& topology, const std::vector<std::size_t>& ue_cells,
                                  const BuildOptions& options = {});

// The cells' access devices of `network` (Topology::nodes order, one per cell).
std::vector<ns3::Ptr<ns3::NetDevice>> CellAccessDevices(const BuiltNetwork& network);

// Pcap files of every cell's access device, both directions of all its UEs' frames, as DLT_RAW
// (IPv4 without link header): "<prefix>-<node id>-<device index>.pcap", as ns-3 names a device's
// pcap. The core links' pcaps are PointToPointHelper's (EnablePcapAll); UE nodes get none, their
// frames all being in their cell's.
void EnableCellPcap(const std::string& prefix, const BuiltNetwork& network);

}  // namespace pushsim::runner
