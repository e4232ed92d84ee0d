#include "topology.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "apps/cell-access.h"
#include "ns3/data-rate.h"
#include "ns3/error-model.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-static-routing-helper.h"
#include "ns3/ipv4-static-routing.h"
#include "ns3/ipv4.h"
#include "ns3/nstime.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/pointer.h"
#include "ns3/string.h"
#include "ns3/uinteger.h"
#include "ns3/double.h"
#include "ns3/enum.h"

namespace pushsim::runner {

std::string SourceError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += ": error: " + message;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Units.

namespace {

// A plain non-negative decimal ("12", "0.5", "1.25"): no sign, no exponent, so "1e9s" and
// "-1s" are refused rather than read as something surprising. Returns the value and how many
// characters it took.
std::optional<std::pair<double, std::size_t>> LeadingDecimal(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0 || i > 18) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    const std::size_t fraction_start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == fraction_start || i > 32) return std::nullopt;
  }
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + i, value);
  if (result.ec != std::errc() || result.ptr != text.data() + i || !std::isfinite(value)) return std::nullopt;
  return std::make_pair(value, i);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

template <typename Unit>
std::optional<std::pair<double, Unit>> NumberWithUnit(std::string_view text,
                                                      std::initializer_list<std::pair<std::string_view, Unit>> units) {
  text = Trim(text);
  const auto number = LeadingDecimal(text);
  if (!number) return std::nullopt;
  const std::string_view unit = Trim(text.substr(number->second));
  for (const auto& [name, factor] : units) {
    if (unit == name) return std::make_pair(number->first, factor);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  text = Trim(text);
  if (text == "0") return Duration(0);
  const auto parsed = NumberWithUnit<double>(
      text, {{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"min", 60e9}, {"h", 3600e9}, {"d", 86400e9}});
  if (!parsed) return std::nullopt;
  const double nanoseconds = std::round(parsed->first * parsed->second);
  if (nanoseconds > 365.0 * 86400e9) return std::nullopt;
  return Duration(static_cast<std::int64_t>(nanoseconds));
}

std::optional<std::uint64_t> ParseDataRate(std::string_view text) {
  const auto parsed = NumberWithUnit<double>(text, {{"bps", 1.0}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}});
  if (!parsed) return std::nullopt;
  const double bits = std::round(parsed->first * parsed->second);
  if (bits < 1.0 || bits > 10e12) return std::nullopt;
  return static_cast<std::uint64_t>(bits);
}

std::optional<std::uint64_t> ParseSize(std::string_view text) {
  text = Trim(text);
  if (text == "0") return 0;
  const auto parsed = NumberWithUnit<double>(text, {{"B", 1.0},
                                                    {"kB", 1e3},
                                                    {"KiB", 1024.0},
                                                    {"MB", 1e6},
                                                    {"MiB", 1048576.0},
                                                    {"GB", 1e9},
                                                    {"GiB", 1073741824.0}});
  if (!parsed) return std::nullopt;
  const double bytes = parsed->first * parsed->second;
  if (bytes > 1073741824.0 || bytes != std::floor(bytes)) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<double> ParseEventRate(std::string_view text) {
  const auto parsed = NumberWithUnit<double>(text, {{"/s", 1.0}, {"/min", 1.0 / 60}, {"/h", 1.0 / 3600}});
  if (!parsed) return std::nullopt;
  const double per_second = parsed->first * parsed->second;
  if (per_second > 1e7) return std::nullopt;
  return per_second;
}

std::optional<double> ParseProbability(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.back() == '%') {
    const auto number = LeadingDecimal(text.substr(0, text.size() - 1));
    if (!number || number->second != text.size() - 1 || number->first > 100.0) return std::nullopt;
    return number->first / 100.0;
  }
  const auto number = LeadingDecimal(text);
  if (!number || number->second != text.size() || number->first > 1.0) return std::nullopt;
  return number->first;
}

std::string DurationText(Duration duration) {
  const std::int64_t ns = duration.count();
  if (ns == 0) return "0s";
  static constexpr std::pair<std::int64_t, const char*> kUnits[] = {
      {86400'000'000'000, "d"}, {3600'000'000'000, "h"}, {60'000'000'000, "min"}, {1'000'000'000, "s"},
      {1'000'000, "ms"},        {1'000, "us"},           {1, "ns"}};
  for (const auto& [factor, unit] : kUnits) {
    if (ns % factor == 0) return std::to_string(ns / factor) + unit;
  }
  return std::to_string(ns) + "ns";
}

// ---------------------------------------------------------------------------------------------
// Roles and lookups.

std::string_view RoleName(NodeRole role) {
  switch (role) {
    case NodeRole::kPcscf: return "pcscf";
    case NodeRole::kIcscf: return "icscf";
    case NodeRole::kScscf: return "scscf";
    case NodeRole::kHss: return "hss";
    case NodeRole::kAs: return "as";
    case NodeRole::kContent: return "content";
    case NodeRole::kRouter: return "router";
    case NodeRole::kCell: return "cell";
    case NodeRole::kAttacker: return "attacker";
  }
  return "router";
}

std::optional<NodeRole> RoleFromName(std::string_view name) {
  for (NodeRole role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::optional<std::size_t> Topology::Find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::size_t> Topology::NodesWithRole(NodeRole role) const {
  std::vector<std::size_t> found;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].role == role) found.push_back(i);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// DOT.

namespace {

struct DotVertex {
  std::string name;
  std::string role;
  std::string access_delay;
  std::string access_rate;
  std::string access_loss;
  std::string access_queue;
};

struct DotEdge {
  std::string delay;
  std::string rate;
  std::string loss;
  std::string queue;
};

// A queue limit in packets: a whole number from 1 to kMaxQueuePackets.
std::optional<std::uint32_t> ParseQueuePackets(const std::string& text) {
  std::uint32_t packets = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), packets);
  if (error != std::errc() || end != text.data() + text.size() || packets < 1 || packets > kMaxQueuePackets) {
    return std::nullopt;
  }
  return packets;
}

using DotGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, DotVertex, DotEdge>;

// Graphviz presentation attributes a hand-drawn file may carry; they do not change the network.
bool IsPresentationAttribute(const std::string& name) {
  static const std::set<std::string> kNames = {
      "label", "xlabel", "pos", "color", "fillcolor", "fontcolor", "fontname", "fontsize", "shape",
      "style", "width", "height", "penwidth", "weight", "len", "group", "rank", "comment", "tooltip",
      "headlabel", "taillabel", "arrowhead", "arrowtail", "dir", "constraint", "minlen", "fixedsize"};
  return kNames.count(name) > 0;
}

bool IsDnsLabel(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '"';
}

// Finds `word` as a whole identifier in `line`, from `from`; npos if absent.
std::size_t FindWord(std::string_view line, std::string_view word, std::size_t from = 0) {
  for (std::size_t at = line.find(word, from); at != std::string_view::npos; at = line.find(word, at + 1)) {
    const bool start_ok = at == 0 || !IsIdChar(line[at - 1]) || line[at - 1] == '"';
    const std::size_t end = at + word.size();
    const bool end_ok = end == line.size() || !IsIdChar(line[end]) || line[end] == '"';
    if (start_ok && end_ok) return at;
  }
  return std::string_view::npos;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// True when `at` is inside a // or # line comment or a /* */ block (a rough check: quotes that
// contain comment markers are rare in topology files).
bool IsInComment(std::string_view text, std::size_t at) {
  const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::string_view line = text.substr(line_start == std::string_view::npos ? 0 : line_start + 1);
  const std::size_t offset = at - (line_start == std::string_view::npos ? 0 : line_start + 1);
  const std::size_t slashes = line.find("//");
  if (slashes != std::string_view::npos && slashes < offset) return true;
  if (!line.empty() && line.front() == '#') return true;
  const std::size_t open = text.rfind("/*", at);
  if (open != std::string_view::npos) {
    const std::size_t close = text.find("*/", open);
    if (close == std::string_view::npos || close > at) return true;
  }
  return false;
}

// Boost's reader keeps no positions, so lines are found again in the text: the first line where
// the node appears with an attribute list, else the first where it appears at all.
int NodeLine(const std::vector<std::string_view>& lines, std::string_view name) {
  int fallback = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t at = FindWord(lines[i], name);
    if (at == std::string_view::npos) continue;
    if (fallback == 0) fallback = static_cast<int>(i + 1);
    std::string_view rest = Trim(lines[i].substr(at + name.size()));
    if (!rest.empty() && rest.front() == '"') rest = Trim(rest.substr(1));
    if (!rest.empty() && rest.front() == '[') return static_cast<int>(i + 1);
  }
  return fallback;
}

int EdgeLine(const std::vector<std::string_view>& lines, std::string_view a, std::string_view b) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t at_a = FindWord(lines[i], a);
    const std::size_t at_b = FindWord(lines[i], b);
    if (at_a == std::string_view::npos || at_b == std::string_view::npos) continue;
    const std::size_t first = std::min(at_a, at_b);
    const std::size_t second = std::max(at_a, at_b);
    if (lines[i].substr(first, second - first).find("--") != std::string_view::npos) return static_cast<int>(i + 1);
  }
  return 0;
}

// Rejects nesting the recursive-descent reader would have to follow too deep.
bool NestingWithinLimit(std::string_view text) {
  std::size_t depth = 0;
  bool in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '\\') ++i;
      else if (c == '"') in_quotes = false;
      continue;
    }
    if (c == '"') in_quotes = true;
    else if (c == '{' || c == '[' || c == '<') {
      if (++depth > kMaxDotNesting) return false;
    } else if ((c == '}' || c == ']' || c == '>') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// DOT splits an unquoted 2ms into the number 2 and an identifier, so a bare number usually means
// missing quotes.
std::string UnitHint(const std::string& value) {
  const bool bare_number = !value.empty() && value.find_first_not_of("0123456789.") == std::string::npos;
  return bare_number ? " in quotes (DOT reads an unquoted 2ms as the number 2)" : "";
}

}  // namespace

Loaded<Topology> ParseTopology(std::string_view dot_text, const std::string& file) {
  auto fail = [&file](int line, std::string message) { return SourceError{file, line, 0, std::move(message)}; };
  if (dot_text.size() > kMaxDotBytes) return fail(0, "file larger than 4 MiB; expected a topology of at most 2048 nodes");
  if (!NestingWithinLimit(dot_text)) return fail(0, "braces nested deeper than 64 levels");

  DotGraph graph;
  struct UnknownAttribute {
    std::string name;
    std::string owner;  // "node" or "link"
  };
  std::vector<UnknownAttribute> unknown;
  auto generator = [&unknown](const std::string& name, const boost::any& key,
                              const boost::any&) -> boost::shared_ptr<boost::dynamic_property_map> {
    if (IsPresentationAttribute(name)) return {};
    if (key.type() == typeid(boost::graph_traits<DotGraph>::vertex_descriptor)) {
      unknown.push_back({name, "node"});
    } else if (key.type() == typeid(boost::graph_traits<DotGraph>::edge_descriptor)) {
      unknown.push_back({name, "link"});
    }
    return {};  // graph-level attributes (rankdir, ...) are presentation
  };
  boost::dynamic_properties properties(generator);
  properties.property("node_id", boost::get(&DotVertex::name, graph));
  properties.property("role", boost::get(&DotVertex::role, graph));
  properties.property("access_delay", boost::get(&DotVertex::access_delay, graph));
  properties.property("access_rate", boost::get(&DotVertex::access_rate, graph));
  properties.property("access_loss", boost::get(&DotVertex::access_loss, graph));
  properties.property("access_queue", boost::get(&DotVertex::access_queue, graph));
  properties.property("delay", boost::get(&DotEdge::delay, graph));
  properties.property("rate", boost::get(&DotEdge::rate, graph));
  properties.property("loss", boost::get(&DotEdge::loss, graph));
  properties.property("queue", boost::get(&DotEdge::queue, graph));

  try {
    const std::string text(dot_text);
    if (!boost::read_graphviz(text, graph, properties, "node_id")) {
      return fail(0, "not a Graphviz graph; expected 'graph NAME { ... }'");
    }
  } catch (const boost::undirected_graph_error&) {
    return fail(0, "a 'digraph'; expected an undirected 'graph' (links carry traffic both ways)");
  } catch (const boost::bad_graphviz_syntax& error) {
    return fail(0, std::string("Graphviz syntax: ") + error.what());
  } catch (const std::exception& error) {
    if (std::string_view(error.what()).find("directed graph into an undirected") != std::string_view::npos) {
      return fail(0, "a 'digraph'; expected an undirected 'graph' (links carry traffic both ways)");
    }
    return fail(0, std::string("cannot read the graph: ") + error.what());
  }

  const std::vector<std::string_view> lines = SplitLines(dot_text);
  const std::size_t vertex_count = boost::num_vertices(graph);
  if (vertex_count > kMaxTopologyNodes) return fail(0, "more than 2048 nodes");
  if (boost::num_edges(graph) > kMaxTopologyLinks) return fail(0, "more than 16384 links");
  if (vertex_count == 0) return fail(0, "no nodes; expected nodes with a role and links between them");

  // Boost numbers vertices in name order; put them back in the order the file introduces them,
  // so node order (and with it addresses and the tie-breaks of routing) follows the file.
  std::vector<std::size_t> order(vertex_count);
  std::vector<std::size_t> first_seen(vertex_count);
  for (std::size_t v = 0; v < vertex_count; ++v) {
    order[v] = v;
    first_seen[v] = std::string_view::npos;
    for (std::size_t at = FindWord(dot_text, graph[v].name); at != std::string_view::npos;
         at = FindWord(dot_text, graph[v].name, at + 1)) {
      if (!IsInComment(dot_text, at)) {
        first_seen[v] = at;
        break;
      }
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return first_seen[x] < first_seen[y]; });
  std::vector<std::size_t> position(vertex_count);
  for (std::size_t i = 0; i < vertex_count; ++i) position[order[i]] = i;

  Topology topology;
  topology.file = file;
  for (std::size_t v : order) {
    const DotVertex& vertex = graph[v];
    TopologyNode node;
    node.name = vertex.name;
    node.line = NodeLine(lines, vertex.name);
    if (!IsDnsLabel(vertex.name)) {
      return fail(node.line, "node name '" + vertex.name +
                                 "' cannot be a host name; expected letters, digits and '-' (at most 63)");
    }
    if (vertex.role.empty()) {
      return fail(node.line, "node '" + vertex.name +
                                 "' has no role; expected role=pcscf, icscf, scscf, hss, as, content, router, "
                                 "cell or attacker");
    }
    const auto role = RoleFromName(vertex.role);
    if (!role) {
      return fail(node.line, "node '" + vertex.name + "': unknown role '" + vertex.role +
                                 "'; expected pcscf, icscf, scscf, hss, as, content, router, cell or attacker");
    }
    node.role = *role;
    const bool has_access = !vertex.access_delay.empty() || !vertex.access_rate.empty() || !vertex.access_loss.empty();
    if (has_access && node.role != NodeRole::kCell) {
      return fail(node.line, "node '" + vertex.name + "': access_delay, access_rate and access_loss belong to cells");
    }
    node.access.delay = std::chrono::milliseconds(10);
    node.access.rate_bps = 100'000'000;
    if (!vertex.access_delay.empty()) {
      const auto delay = ParseDuration(vertex.access_delay);
      if (!delay) return fail(node.line, "node '" + vertex.name + "': access_delay '" + vertex.access_delay +
                                             "'; expected a duration such as \"10ms\"" + UnitHint(vertex.access_delay));
      node.access.delay = *delay;
    }
    if (!vertex.access_rate.empty()) {
      const auto rate = ParseDataRate(vertex.access_rate);
      if (!rate) return fail(node.line, "node '" + vertex.name + "': access_rate '" + vertex.access_rate +
                                            "'; expected a data rate such as \"100Mbps\"" + UnitHint(vertex.access_rate));
      node.access.rate_bps = *rate;
    }
    if (!vertex.access_loss.empty()) {
      const auto loss = ParseProbability(vertex.access_loss);
      if (!loss) return fail(node.line, "node '" + vertex.name + "': access_loss '" + vertex.access_loss +
                                            "'; expected a probability between 0 and 1");
      node.access.loss = *loss;
    }
    if (!vertex.access_queue.empty()) {
      const auto packets = ParseQueuePackets(vertex.access_queue);
      if (!packets) return fail(node.line, "node '" + vertex.name + "': access_queue '" + vertex.access_queue +
                                               "'; expected a number of packets from 1 to " +
                                               std::to_string(kMaxQueuePackets));
      node.access.queue_packets = *packets;
    }
    topology.nodes.push_back(std::move(node));
  }
  if (!unknown.empty()) {
    static const std::set<std::string> kUnits = {"ns", "us", "ms", "s", "min", "h", "d", "bps", "kbps",
                                                 "Mbps", "Gbps", "B", "kB", "KiB", "MB", "MiB"};
    if (kUnits.count(unknown.front().name) > 0) {
      // "2ms" unquoted: DOT read the number 2, then "ms" as an attribute of its own.
      int line = 0;
      for (std::size_t i = 0; i < lines.size() && line == 0; ++i) {
        const std::string& unit = unknown.front().name;
        for (std::size_t at = lines[i].find(unit); at != std::string_view::npos; at = lines[i].find(unit, at + 1)) {
          const std::size_t end = at + unit.size();
          const bool after_digit = at > 0 && lines[i][at - 1] >= '0' && lines[i][at - 1] <= '9';
          if (after_digit && (end == lines[i].size() || !IsIdChar(lines[i][end]))) {
            line = static_cast<int>(i + 1);
            break;
          }
        }
      }
      return fail(line, "a value with the unit '" + unknown.front().name +
                            "' is not quoted; expected e.g. delay=\"2ms\" (DOT reads an unquoted 2ms as the "
                            "number 2 followed by an attribute 'ms')");
    }
    return fail(0, "unknown " + unknown.front().owner + " attribute '" + unknown.front().name +
                       "'; expected " +
                       (unknown.front().owner == "node" ? "role, access_delay, access_rate, access_loss, access_queue"
                                                        : "delay, rate, loss, queue") +
                       " or a Graphviz presentation attribute");
  }

  std::set<std::pair<std::size_t, std::size_t>> seen;
  boost::graph_traits<DotGraph>::edge_iterator edge, edge_end;
  for (std::tie(edge, edge_end) = boost::edges(graph); edge != edge_end; ++edge) {
    std::size_t a = position[boost::source(*edge, graph)];
    std::size_t b = position[boost::target(*edge, graph)];
    TopologyLink link;
    link.line = EdgeLine(lines, topology.nodes[a].name, topology.nodes[b].name);
    if (link.line > 0) {
      // Boost does not keep the written direction of an undirected edge; take it from the text.
      const std::string_view text_line = lines[static_cast<std::size_t>(link.line - 1)];
      if (FindWord(text_line, topology.nodes[b].name) < FindWord(text_line, topology.nodes[a].name)) std::swap(a, b);
    }
    link.a = a;
    link.b = b;
    const std::string& name_a = topology.nodes[a].name;
    const std::string& name_b = topology.nodes[b].name;
    const std::string what = "link " + name_a + " -- " + name_b;
    if (a == b) return fail(link.line, what + " joins a node to itself; expected two different nodes");
    if (!seen.insert({std::min(a, b), std::max(a, b)}).second) {
      return fail(link.line, what + " appears twice; expected at most one link between two nodes");
    }
    const DotEdge& attributes = graph[*edge];
    if (!attributes.delay.empty()) {
      const auto delay = ParseDuration(attributes.delay);
      if (!delay) return fail(link.line, what + ": delay '" + attributes.delay + "'; expected a duration such as \"2ms\"" + UnitHint(attributes.delay));
      link.params.delay = *delay;
    }
    if (!attributes.rate.empty()) {
      const auto rate = ParseDataRate(attributes.rate);
      if (!rate) return fail(link.line, what + ": rate '" + attributes.rate + "'; expected a data rate such as \"1Gbps\"" + UnitHint(attributes.rate));
      link.params.rate_bps = *rate;
    }
    if (!attributes.loss.empty()) {
      const auto loss = ParseProbability(attributes.loss);
      if (!loss) {
        return fail(link.line, what + ": loss '" + attributes.loss + "'; expected a probability between 0 and 1");
      }
      link.params.loss = *loss;
    }
    if (!attributes.queue.empty()) {
      const auto packets = ParseQueuePackets(attributes.queue);
      if (!packets) {
        return fail(link.line, what + ": queue '" + attributes.queue + "'; expected a number of packets from 1 to " +
                                   std::to_string(kMaxQueuePackets));
      }
      link.params.queue_packets = *packets;
    }
    topology.links.push_back(link);
  }

  // File order for links too (addresses are handed out in this order).
  std::stable_sort(topology.links.begin(), topology.links.end(),
                   [](const TopologyLink& x, const TopologyLink& y) { return x.line < y.line; });

  // Exactly one of the elements every registration and push passes through (TS 23.228 5.2).
  for (NodeRole role : {NodeRole::kPcscf, NodeRole::kScscf, NodeRole::kHss}) {
    const auto holders = topology.NodesWithRole(role);
    if (holders.size() != 1) {
      const int line = holders.size() > 1 ? topology.nodes[holders[1]].line : 0;
      return fail(line, std::to_string(holders.size()) + " nodes with role " + std::string(RoleName(role)) +
                            "; expected exactly one");
    }
  }
  if (const auto icscfs = topology.NodesWithRole(NodeRole::kIcscf); icscfs.size() > 1) {
    return fail(topology.nodes[icscfs[1]].line,
                std::to_string(icscfs.size()) + " nodes with role icscf; expected at most one");
  }
  if (topology.CountRole(NodeRole::kAs) == 0) return fail(0, "no node with role as; expected at least one");
  if (topology.CountRole(NodeRole::kCell) == 0) return fail(0, "no node with role cell; expected at least one");
  if (topology.CountRole(NodeRole::kCell) > 256) return fail(0, "more than 256 cells");

  std::vector<int> component(vertex_count);
  if (boost::connected_components(graph, component.data()) > 1) {
    for (std::size_t v = 0; v < vertex_count; ++v) {
      if (component[v] != component[0]) {
        return fail(topology.nodes[v].line, "node '" + topology.nodes[v].name + "' cannot reach node '" +
                                                topology.nodes[0].name + "'; expected a connected graph");
      }
    }
  }
  return topology;
}

Loaded<Topology> LoadTopologyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return SourceError{path, 0, 0, "cannot open the topology file"};
  std::string text;
  text.resize(kMaxDotBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return ParseTopology(text, path);
}

// ---------------------------------------------------------------------------------------------
// Routing.

NextHopTable NextHops(const Topology& topology) {
  using WeightGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                            boost::property<boost::edge_weight_t, std::int64_t>>;
  const std::size_t n = topology.nodes.size();
  WeightGraph graph(n);
  // Weight = delay scaled above any hop count, plus one per hop: shortest delay first, then
  // fewest hops. Delays are at most 365 days (3.2e16 ns) and n at most 2048 in a validated
  // topology; the scale is capped so the product stays far below 2^63 for hand-made ones too.
  const std::int64_t hop_scale = static_cast<std::int64_t>(std::min<std::size_t>(n, kMaxTopologyNodes)) + 1;
  for (const TopologyLink& link : topology.links) {
    if (link.a >= n || link.b >= n || link.a == link.b) continue;
    const std::int64_t delay = std::min<std::int64_t>(link.params.delay.count(), std::int64_t{1} << 48);
    boost::add_edge(link.a, link.b, delay * hop_scale + 1, graph);
  }
  NextHopTable next(n, std::vector<std::size_t>(n, kNoHop));
  std::vector<std::size_t> predecessor(n);
  std::vector<std::int64_t> distance(n);
  for (std::size_t destination = 0; destination < n; ++destination) {
    // From the destination outwards: on an undirected graph the predecessor of v on the tree
    // rooted at the destination is v's next hop towards it.
    boost::dijkstra_shortest_paths(graph, destination,
                                   boost::predecessor_map(predecessor.data()).distance_map(distance.data()));
    for (std::size_t from = 0; from < n; ++from) {
      if (from != destination && predecessor[from] != from) next[from][destination] = predecessor[from];
    }
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// ns-3 network.

std::optional<std::size_t> BuiltNetwork::Find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

void BuiltNetwork::FillResolver(SipResolver& resolver) const {
  for (const auto& [host, address] : hosts) resolver.Add(host, address);
}

namespace {

ns3::Ipv4Mask PrefixMask(int length) {
  const std::uint32_t bits = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
  return ns3::Ipv4Mask(bits);
}

struct LinkEnds {
  std::uint32_t interface_a = 0;
  std::uint32_t interface_b = 0;
  ns3::Ipv4Address address_a;
  ns3::Ipv4Address address_b;
};

ns3::NetDeviceContainer InstallLink(ns3::PointToPointHelper& helper, ns3::Ptr<ns3::Node> a, ns3::Ptr<ns3::Node> b,
                                    const LinkParams& params) {
  helper.SetDeviceAttribute("DataRate", ns3::DataRateValue(ns3::DataRate(params.rate_bps)));
  helper.SetChannelAttribute("Delay", ns3::TimeValue(ns3::NanoSeconds(params.delay.count())));
  helper.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                  ns3::QueueSizeValue(ns3::QueueSize(ns3::QueueSizeUnit::PACKETS, params.queue_packets)));
  ns3::NetDeviceContainer devices = helper.Install(a, b);
  if (params.loss > 0.0) {
    for (std::uint32_t i = 0; i < devices.GetN(); ++i) {
      ns3::Ptr<ns3::RateErrorModel> model = ns3::CreateObject<ns3::RateErrorModel>();
      model->SetUnit(ns3::RateErrorModel::ERROR_UNIT_PACKET);
      model->SetRate(params.loss);
      devices.Get(i)->SetAttribute("ReceiveErrorModel", ns3::PointerValue(model));
    }
  }
  return devices;
}

// Gives the two devices of a point-to-point link the first two host addresses of the /30 at
// `network`. Done by hand rather than with Ipv4AddressHelper: the helper records every address
// in ns-3's process-wide generator (so a second network in one process collides) and adds a
// queue disc per interface, which costs memory per UE for nothing here.
// An IPv4 interface on `device` with one address, up (which adds its connected route).
std::uint32_t AddInterface(ns3::Ptr<ns3::NetDevice> device, ns3::Ipv4Address address, ns3::Ipv4Mask mask) {
  ns3::Ptr<ns3::Ipv4> ipv4 = device->GetNode()->GetObject<ns3::Ipv4>();
  const std::uint32_t interface = static_cast<std::uint32_t>(ipv4->AddInterface(device));
  ipv4->AddAddress(interface, ns3::Ipv4InterfaceAddress(address, mask));
  ipv4->SetMetric(interface, 1);
  ipv4->SetUp(interface);
  return interface;
}

LinkEnds AssignSubnet(const ns3::NetDeviceContainer& devices, std::uint32_t network) {
  LinkEnds ends;
  const ns3::Ipv4Mask mask("255.255.255.252");
  for (std::uint32_t side = 0; side < 2; ++side) {
    const ns3::Ipv4Address address(network + 1 + side);
    const std::uint32_t interface = AddInterface(devices.Get(side), address, mask);
    (side == 0 ? ends.interface_a : ends.interface_b) = interface;
    (side == 0 ? ends.address_a : ends.address_b) = address;
  }
  return ends;
}

}  // namespace

Loaded<BuiltNetwork> BuildNetwork(const Topology& topology, const std::vector<std::size_t>& ue_cells,
                                  const BuildOptions& options) {
  const std::size_t n = topology.nodes.size();
  const std::vector<std::size_t> cells = topology.NodesWithRole(NodeRole::kCell);
  std::vector<std::size_t> cell_slot(n, kNoHop);  // topology index -> position among the cells
  for (std::size_t i = 0; i < cells.size(); ++i) cell_slot[cells[i]] = i;

  // 10.0.0.0/8 split evenly: 2^bits blocks, each a connected subnet of its cell: the block's
  // network and broadcast addresses unused, .1 the cell, the UEs from .2 on.
  int cell_bits = 0;
  while ((std::size_t{1} << cell_bits) < cells.size()) ++cell_bits;
  const int cell_prefix = 8 + cell_bits;
  const std::size_t ues_per_cell = (std::size_t{1} << (24 - cell_bits)) - 3;
  std::vector<std::size_t> cell_load(cells.size(), 0);
  for (std::size_t i = 0; i < ue_cells.size(); ++i) {
    if (ue_cells[i] >= n || cell_slot[ue_cells[i]] == kNoHop) {
      return SourceError{topology.file, 0, 0, "UE " + std::to_string(i) + " is attached to a node that is not a cell"};
    }
    if (++cell_load[cell_slot[ue_cells[i]]] > ues_per_cell) {
      return SourceError{topology.file, topology.nodes[ue_cells[i]].line, 0,
                         "cell '" + topology.nodes[ue_cells[i]].name + "' has more than " +
                             std::to_string(ues_per_cell) + " UEs; expected at most that many per cell with " +
                             std::to_string(cells.size()) + " cells"};
    }
  }

  BuiltNetwork network;
  network.topology_nodes.Create(static_cast<std::uint32_t>(n));
  network.ue_nodes.Create(static_cast<std::uint32_t>(ue_cells.size()));
  ns3::InternetStackHelper stack;
  ns3::Ipv4StaticRoutingHelper static_routing;
  stack.SetRoutingHelper(static_routing);  // replaces the default list that includes global routing
  stack.SetIpv6StackInstall(false);
  stack.Install(network.topology_nodes);
  stack.Install(network.ue_nodes);

  // Core links: a /30 each from 172.16.0.0/12.
  ns3::PointToPointHelper p2p;
  const std::uint32_t core_base = (172u << 24) | (16u << 16);
  std::vector<LinkEnds> ends;
  ends.reserve(topology.links.size());
  for (std::size_t l = 0; l < topology.links.size(); ++l) {
    const TopologyLink& link = topology.links[l];
    ns3::NetDeviceContainer devices =
        InstallLink(p2p, network.topology_nodes.Get(link.a), network.topology_nodes.Get(link.b), link.params);
    ends.push_back(AssignSubnet(devices, core_base + 4 * static_cast<std::uint32_t>(l)));
  }

  for (std::size_t i = 0; i < n; ++i) {
    BuiltNode built{topology.nodes[i].name, topology.nodes[i].role, network.topology_nodes.Get(i), {}};
    for (std::size_t l = 0; l < topology.links.size(); ++l) {
      if (topology.links[l].a == i || topology.links[l].b == i) {
        built.address = topology.links[l].a == i ? ends[l].address_a : ends[l].address_b;
        break;
      }
    }
    network.nodes.push_back(std::move(built));
  }

  // Access: one CellAccessNetDevice per cell for all its UEs and one per UE (cell-access.h), so a
  // packet costs the same whatever the number of UEs.
  auto cell_block = [cell_bits](std::size_t slot) {
    return (10u << 24) | (static_cast<std::uint32_t>(slot) << (24 - cell_bits));
  };
  const ns3::Ipv4Mask block_mask = PrefixMask(cell_prefix);
  std::int64_t loss_stream = options.access_loss_stream;
  auto loss_model = [&loss_stream](double loss) -> ns3::Ptr<ns3::ErrorModel> {
    if (loss <= 0.0) return nullptr;
    ns3::Ptr<ns3::RateErrorModel> model = ns3::CreateObject<ns3::RateErrorModel>();
    model->SetUnit(ns3::RateErrorModel::ERROR_UNIT_PACKET);
    model->SetRate(loss);
    loss_stream += model->AssignStreams(loss_stream);
    return model;
  };
  std::vector<ns3::Ptr<CellAccessNetDevice>> cell_devices(cells.size());
  std::vector<std::uint32_t> cell_interfaces(cells.size());
  std::vector<std::uint32_t> cell_next_address(cells.size());
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const LinkParams& access = topology.nodes[cells[c]].access;
    ns3::Ptr<ns3::Node> cell = network.topology_nodes.Get(static_cast<std::uint32_t>(cells[c]));
    CellAccessHelper helper;
    helper.SetChannelAttribute("Delay", ns3::TimeValue(ns3::NanoSeconds(access.delay.count())));
    helper.SetDeviceAttribute("DataRate", ns3::DataRateValue(ns3::DataRate(access.rate_bps)));
    helper.SetDeviceAttribute("QueueLimit", ns3::UintegerValue(access.queue_packets));
    cell_devices[c] = helper.InstallCell(cell);
    cell_devices[c]->SetReceiveErrorModel(loss_model(access.loss));
    cell_interfaces[c] = AddInterface(cell_devices[c], ns3::Ipv4Address(cell_block(c) + 1), block_mask);
    cell_next_address[c] = cell_block(c) + 2;
  }
  network.ues.reserve(ue_cells.size());
  CellAccessHelper ue_helper;
  for (std::size_t i = 0; i < ue_cells.size(); ++i) {
    const std::size_t cell = ue_cells[i];
    const std::size_t slot = cell_slot[cell];
    ns3::Ptr<ns3::Node> ue = network.ue_nodes.Get(static_cast<std::uint32_t>(i));
    const ns3::Ipv4Address address(cell_next_address[slot]++);
    ns3::Ptr<CellAccessNetDevice> device = ue_helper.InstallUe(ue, cell_devices[slot], address);
    device->SetDataRate(cell_devices[slot]->GetDataRate());
    device->SetReceiveErrorModel(loss_model(topology.nodes[cell].access.loss));
    const std::uint32_t interface = AddInterface(device, address, block_mask);
    const ns3::Ipv4Address gateway(cell_block(slot) + 1);
    network.ues.push_back(BuiltUe{ue, address, gateway, cell});
    ns3::Ptr<ns3::Ipv4StaticRouting> routing = static_routing.GetStaticRouting(ue->GetObject<ns3::Ipv4>());
    routing->SetDefaultRoute(gateway, interface);
    ++network.static_routes;
  }
  if (network.nodes.size() == 1 && network.ues.empty()) {
    // A lone node without links has no address; nothing to route.
    return network;
  }

  // Static routes on the topology nodes, from the next-hop table.
  const NextHopTable next = NextHops(topology);
  // link_to[u][v]: index of the link between neighbours u and v.
  std::vector<std::map<std::size_t, std::size_t>> link_to(n);
  for (std::size_t l = 0; l < topology.links.size(); ++l) {
    link_to[topology.links[l].a][topology.links[l].b] = l;
    link_to[topology.links[l].b][topology.links[l].a] = l;
  }
  // The gateway (the neighbour's address on the shared link) and the outgoing interface.
  auto via = [&](std::size_t from, std::size_t hop) {
    const std::size_t l = link_to[from].at(hop);
    const bool from_is_a = topology.links[l].a == from;
    return std::make_pair(from_is_a ? ends[l].address_b : ends[l].address_a,
                          from_is_a ? ends[l].interface_a : ends[l].interface_b);
  };
  for (std::size_t u = 0; u < n; ++u) {
    ns3::Ptr<ns3::Ipv4StaticRouting> routing =
        static_routing.GetStaticRouting(network.topology_nodes.Get(u)->GetObject<ns3::Ipv4>());
    for (std::size_t l = 0; l < topology.links.size(); ++l) {
      const TopologyLink& link = topology.links[l];
      if (link.a == u || link.b == u) continue;  // connected
      for (const auto& [owner, address] : {std::make_pair(link.a, ends[l].address_a),
                                           std::make_pair(link.b, ends[l].address_b)}) {
        const std::size_t hop = next[u][owner];
        if (hop == kNoHop) continue;
        const auto [gateway, interface] = via(u, hop);
        routing->AddHostRouteTo(address, gateway, interface);
        ++network.static_routes;
      }
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (cells[c] == u) continue;  // its own block is connected
      const std::size_t hop = next[u][cells[c]];
      if (hop == kNoHop) continue;
      const auto [gateway, interface] = via(u, hop);
      routing->AddNetworkRouteTo(ns3::Ipv4Address(cell_block(c)), PrefixMask(cell_prefix), gateway, interface);
      ++network.static_routes;
    }
  }

  // Host names.
  std::set<std::string> taken;
  for (const BuiltNode& node : network.nodes) {
    network.hosts.emplace_back(node.name + "." + options.domain, node.address);
    taken.insert(node.name);
  }
  for (NodeRole role : kAllRoles) {
    const auto holders = topology.NodesWithRole(role);
    const std::string role_name(RoleName(role));
    if (holders.size() == 1 && taken.count(role_name) == 0) {
      network.hosts.emplace_back(role_name + "." + options.domain, network.nodes[holders.front()].address);
    }
  }
  return network;
}

std::vector<ns3::Ptr<ns3::NetDevice>> CellAccessDevices(const BuiltNetwork& network) {
  std::vector<ns3::Ptr<ns3::NetDevice>> devices;
  for (const BuiltNode& node : network.nodes) {
    if (node.role != NodeRole::kCell) continue;
    for (std::uint32_t d = 0; d < node.node->GetNDevices(); ++d) {
      if (auto device = ns3::DynamicCast<CellAccessNetDevice>(node.node->GetDevice(d))) devices.push_back(device);
    }
  }
  return devices;
}

void EnableCellPcap(const std::string& prefix, const BuiltNetwork& network) {
  CellAccessHelper helper;
  for (const auto& device : CellAccessDevices(network)) helper.EnablePcap(prefix, device, false, false);
}

}  // namespace pushsim::runner
