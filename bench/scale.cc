// pushsim-scale: registration plus one push per UE at growing numbers of UEs, side by side with
// the same packets carried by bare UDP relays (no SIP at all), so the cost of SIP over bare ns-3
// is measured on the same topology (issue 5, "Scale and benchmark"; figures in bench/README.md).
//
//   pushsim-scale [--ues 1000,10000,100000] [--out FILE] [--rate 1000] [--only sip|bare]
//
// For each size N, in a child process of its own (so its peak RSS is its own):
//   * SIP: a generated scenario (bench/scale_scenario) run by RunScenario into a temporary
//     database: N users of one terminal each, registrations evenly over N / rate seconds, then N
//     MESSAGE pushes (periodic at the same rate, count N, pick round-robin: every user once);
//   * bare: the same topology built by the same BuildNetwork, one UDP socket per node relaying
//     the packets of one registration and one push per UE: the hops and byte sizes of every SIP
//     message of the same scenario run with one user and its message log, in the same order,
//     each sent when the packet it follows (the last one its sender received) arrives; no SIP is
//     parsed or built.
// Then a table: UEs, wall s, events, events/s, peak RSS, bytes per UE (peak RSS / UEs), per-push
// cost (wall / pushes), that cost relative to the first size, and the ratio SIP / bare.
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ns3/inet-socket-address.h"
#include "ns3/ipv4.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/socket.h"
#include "ns3/udp-socket-factory.h"
#include "recorder.h"
#include "runner.h"
#include "scenario.h"
#include "topology.h"

namespace pushsim::runner {
namespace {

// Two cells behind the P-CSCF, the core behind one router; every link on its own line.
constexpr const char* kTopology = R"(graph scale {
  pcscf [role=pcscf];
  icscf [role=icscf];
  scscf [role=scscf];
  hss [role=hss];
  as [role=as];
  core [role=router];
  cell1 [role=cell, access_delay="20ms", access_rate="20Mbps"];
  cell2 [role=cell, access_delay="20ms", access_rate="20Mbps"];
  pcscf -- core [delay="1ms"];
  icscf -- core [delay="1ms"];
  scscf -- core [delay="1ms"];
  hss -- scscf [delay="500us"];
  as -- core [delay="2ms"];
  cell1 -- pcscf [delay="5ms"];
  cell2 -- pcscf [delay="5ms"];
}
)";

constexpr std::uint16_t kRelayPort = 5060;

struct Plan {
  std::uint64_t ues = 0;
  double rate = 1000;  // registrations and pushes per second
  double ramp_s() const { return static_cast<double>(ues) / rate; }
  double push_start_s() const { return ramp_s() + 5; }
  double duration_s() const { return push_start_s() + ramp_s() + 10; }
};

std::string ScenarioText(const Plan& plan, const std::string& topology_file, bool message_log) {
  std::ostringstream yaml;
  yaml << std::setprecision(12);
  yaml << "name: scale\n"
       << "duration: " << plan.duration_s() << "s\n"
       << "seed: 1\n"
       << "topology: {file: " << topology_file << "}\n"
       << "core: {icscf: true}\n"
       << "subscribers: {users: " << plan.ues
       << ", terminals_per_user: 1, aor: \"sip:user{i}@home1.net\", app_ids: [mms.ua], gruu: true}\n"
       << "workloads:\n"
       << "  - registration: {arrival: ramp, start: 0s, ramp: " << plan.ramp_s() << "s}\n"
       << "  - push: {arrival: periodic, rate: " << plan.rate << "/s, start: " << plan.push_start_s()
       << "s, count: " << plan.ues << ", pick: round-robin, method: message, size: 200B}\n"
       << "trace: {messages: " << (message_log ? "summary" : "off") << "}\n"
       << "sampling: {interval: 1s}\n";
  return yaml.str();
}

// What a child measured.
struct Measure {
  double wall_s = 0;
  std::uint64_t events = 0;
  long peak_rss_kib = 0;
  std::uint64_t pushes = 0;    // pushes accepted (SIP) or push exchanges completed (bare)
  std::uint64_t messages = 0;  // bare: packets relayed
  std::string error;
};

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// One hop of a replayed exchange: `from` sends `bytes` to `to` when step `after` reached `from`
// (-1: at the exchange's start). Nodes are topology indices, or kUe for the exchange's UE.
constexpr std::size_t kUe = static_cast<std::size_t>(-2);
struct Hop {
  std::size_t from = 0;
  std::size_t to = 0;
  std::uint32_t bytes = 0;
  int after = -1;
};
using Exchange = std::vector<Hop>;

struct Script {
  Exchange registration;
  Exchange push;
};

std::optional<std::vector<std::vector<std::string>>> Query(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) return std::nullopt;
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(statement); ++c) {
      const auto* text = sqlite3_column_text(statement, c);
      row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  return rows;
}

// Runs the scenario with one user and its message log, and turns the log into the two
// exchanges: every message sent before the push phase is the registration's, the rest the push's.
std::optional<std::string> ExtractScript(const std::filesystem::path& dir, const Topology& topology, Script& script) {
  Plan one;
  one.ues = 1;
  const std::string scenario_file = (dir / "script.yaml").string();
  std::ofstream(scenario_file) << ScenarioText(one, (dir / "scale.dot").string(), true);
  auto scenario = LoadScenario(scenario_file);
  if (!scenario.ok()) return scenario.error().ToString();
  const std::string db_file = (dir / "script.db").string();
  {
    auto recorder = Recorder::Open(db_file);
    if (!recorder.ok()) return "cannot open " + db_file;
    std::ostringstream notes;
    RunSettings settings;
    const RunOutcome outcome = RunScenario(scenario.value(), settings, recorder.value(), notes);
    if (outcome.status != RunStatus::kCompleted) return "the one-user run failed: " + outcome.error;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(db_file.c_str(), &db) != SQLITE_OK) return "cannot read " + db_file;
  auto nodes = Query(db, "SELECT name, role, address FROM nodes");
  auto sent = Query(db, "SELECT time_s, node, peer, size_bytes FROM messages WHERE direction = 'out' ORDER BY time_s, id");
  sqlite3_close(db);
  if (!nodes || !sent) return "the message log cannot be read";
  // Every address of every node (elements may be reached on any of their links): from the same
  // network built again, now that the run's simulation is gone.
  std::map<std::string, std::size_t> by_address;  // "10.0.0.2" -> node
  std::map<std::string, std::size_t> by_name;
  for (const auto& row : *nodes) by_name[row[0]] = row[1] == "ue" ? kUe : topology.Find(row[0]).value_or(kNoHop);
  std::vector<std::size_t> ue_cells;
  for (const Terminal& terminal : scenario.value().Terminals()) ue_cells.push_back(terminal.cell);
  auto built = BuildNetwork(topology, ue_cells);
  if (!built.ok()) return built.error().ToString();
  auto add_addresses = [&by_address](ns3::Ptr<ns3::Node> node, std::size_t index) {
    ns3::Ptr<ns3::Ipv4> ipv4 = node->GetObject<ns3::Ipv4>();
    for (std::uint32_t i = 0; i < ipv4->GetNInterfaces(); ++i) {
      for (std::uint32_t a = 0; a < ipv4->GetNAddresses(i); ++a) {
        std::ostringstream text;
        text << ipv4->GetAddress(i, a).GetLocal();
        by_address[text.str()] = index;
      }
    }
  };
  for (std::size_t i = 0; i < built.value().nodes.size(); ++i) add_addresses(built.value().nodes[i].node, i);
  for (const BuiltUe& ue : built.value().ues) add_addresses(ue.node, kUe);
  ns3::Simulator::Destroy();
  for (const auto& row : *sent) {
    const double time = std::atof(row[0].c_str());
    const std::string peer_address = row[2].substr(0, row[2].find(':'));  // "10.0.0.2:5060/UDP"
    if (!by_name.count(row[1]) || !by_address.count(peer_address)) return "unknown node in the message log: " + row[1] + " -> " + row[2];
    Exchange& exchange = time < one.push_start_s() ? script.registration : script.push;
    Hop hop{by_name[row[1]], by_address[peer_address], static_cast<std::uint32_t>(std::stoul(row[3])), -1};
    for (int j = static_cast<int>(exchange.size()) - 1; j >= 0; --j) {
      if (exchange[static_cast<std::size_t>(j)].to == hop.from) {
        hop.after = j;
        break;
      }
    }
    exchange.push_back(hop);
  }
  if (script.registration.empty() || script.push.empty()) return "the one-user run sent no registration or no push";
  return std::nullopt;
}

// The scenario of `plan` written to DIR/<prefix>-<UEs>.yaml and read back as pushsim reads it.
Loaded<Scenario> WriteAndLoad(const std::filesystem::path& dir, const std::string& prefix, const Plan& plan) {
  const std::string file = (dir / (prefix + "-" + std::to_string(plan.ues) + ".yaml")).string();
  std::ofstream(file) << ScenarioText(plan, (dir / "scale.dot").string(), false);
  return LoadScenario(file);
}

Measure RunSip(const std::filesystem::path& dir, const Plan& plan) {
  Measure measure;
  auto scenario = WriteAndLoad(dir, "sip", plan);
  if (!scenario.ok()) {
    measure.error = scenario.error().ToString();
    return measure;
  }
  const std::string db_file = (dir / ("sip-" + std::to_string(plan.ues) + ".db")).string();
  auto recorder = Recorder::Open(db_file);
  if (!recorder.ok()) {
    measure.error = "cannot open " + db_file;
    return measure;
  }
  std::ostringstream notes;
  const RunOutcome outcome = RunScenario(scenario.value(), RunSettings{}, recorder.value(), notes);
  measure.peak_rss_kib = PeakRssKib();
  measure.wall_s = outcome.wall_s;
  measure.events = outcome.events;
  if (outcome.status != RunStatus::kCompleted) measure.error = "run failed: " + outcome.error;
  sqlite3* db = nullptr;
  if (sqlite3_open(db_file.c_str(), &db) == SQLITE_OK) {
    if (auto rows = Query(db, "SELECT COUNT(*) FROM pushes WHERE app_status = 'accepted'"); rows && !rows->empty()) {
      measure.pushes = std::stoull(rows->front().front());
    }
    sqlite3_close(db);
  }
  return measure;
}

// The bare baseline: a UDP socket per node; a packet carries (UE, exchange, step) in its first
// 8 bytes and is padded to the SIP message's size.
class Relays {
 public:
  Relays(const BuiltNetwork& network, const Script& script) : network_(network) {
    exchanges_ = {&script.registration, &script.push};
    for (const Exchange* exchange : exchanges_) {
      std::vector<std::vector<std::uint16_t>> next(exchange->size() + 1);  // [after + 1] -> steps
      for (std::size_t s = 0; s < exchange->size(); ++s) {
        next[static_cast<std::size_t>((*exchange)[s].after + 1)].push_back(static_cast<std::uint16_t>(s));
      }
      next_.push_back(std::move(next));
    }
    for (std::size_t i = 0; i < network.nodes.size(); ++i) node_sockets_.push_back(Listen(network.nodes[i].node));
    for (const BuiltUe& ue : network.ues) ue_sockets_.push_back(Listen(ue.node));
  }

  // Starts exchange `which` (0 registration, 1 push) of UE `ue`.
  void Start(std::uint32_t ue, std::uint16_t which) { Follow(ue, which, -1); }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t relayed() const { return relayed_; }

 private:
  ns3::Ptr<ns3::Socket> Listen(ns3::Ptr<ns3::Node> node) {
    ns3::Ptr<ns3::Socket> socket = ns3::Socket::CreateSocket(node, ns3::UdpSocketFactory::GetTypeId());
    socket->Bind(ns3::InetSocketAddress(ns3::Ipv4Address::GetAny(), kRelayPort));
    socket->SetRecvCallback(ns3::MakeCallback(&Relays::Receive, this));
    return socket;
  }

  void Receive(ns3::Ptr<ns3::Socket> socket) {
    while (ns3::Ptr<ns3::Packet> packet = socket->Recv()) {
      std::uint8_t tag[8] = {};
      packet->CopyData(tag, sizeof tag);
      std::uint32_t ue = 0;
      std::uint16_t which = 0;
      std::uint16_t step = 0;
      std::memcpy(&ue, tag, 4);
      std::memcpy(&which, tag + 4, 2);
      std::memcpy(&step, tag + 6, 2);
      if (which == 1 && step + 1u == exchanges_[which]->size()) ++completed_;
      Follow(ue, which, step);
    }
  }

  void Follow(std::uint32_t ue, std::uint16_t which, int after) {
    for (std::uint16_t step : next_[which][static_cast<std::size_t>(after + 1)]) {
      const Hop& hop = (*exchanges_[which])[step];
      ns3::Ptr<ns3::Socket> from = hop.from == kUe ? ue_sockets_[ue] : node_sockets_[hop.from];
      const ns3::Ipv4Address to = hop.to == kUe ? network_.ues[ue].address : network_.nodes[hop.to].address;
      std::vector<std::uint8_t> bytes(std::max<std::uint32_t>(hop.bytes, 8), 0);
      std::memcpy(bytes.data(), &ue, 4);
      std::memcpy(bytes.data() + 4, &which, 2);
      std::memcpy(bytes.data() + 6, &step, 2);
      from->SendTo(ns3::Create<ns3::Packet>(bytes.data(), static_cast<std::uint32_t>(bytes.size())), 0,
                   ns3::InetSocketAddress(to, kRelayPort));
      ++relayed_;
    }
  }

  const BuiltNetwork& network_;
  std::vector<const Exchange*> exchanges_;
  std::vector<std::vector<std::vector<std::uint16_t>>> next_;
  std::vector<ns3::Ptr<ns3::Socket>> node_sockets_;
  std::vector<ns3::Ptr<ns3::Socket>> ue_sockets_;
  std::uint64_t completed_ = 0;
  std::uint64_t relayed_ = 0;
};

Measure RunBare(const std::filesystem::path& dir, const Plan& plan, const Script& script) {
  Measure measure;
  auto scenario = WriteAndLoad(dir, "bare", plan);
  if (!scenario.ok()) {
    measure.error = scenario.error().ToString();
    return measure;
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::size_t> ue_cells;
  for (const Terminal& terminal : scenario.value().Terminals()) ue_cells.push_back(terminal.cell);
  auto built = BuildNetwork(scenario.value().topology, ue_cells);
  if (!built.ok()) {
    measure.error = built.error().ToString();
    return measure;
  }
  {
    Relays relays(built.value(), script);
    // The runner's arrivals: registration i at i * ramp / N, push j (to user j) at
    // push_start + j * ramp / N.
    const double gap = plan.ramp_s() / static_cast<double>(plan.ues);
    for (std::uint32_t i = 0; i < plan.ues; ++i) {
      ns3::Simulator::Schedule(ns3::Seconds(i * gap), &Relays::Start, &relays, i, std::uint16_t{0});
      ns3::Simulator::Schedule(ns3::Seconds(plan.push_start_s() + i * gap), &Relays::Start, &relays, i,
                               std::uint16_t{1});
    }
    ns3::Simulator::Stop(ns3::Seconds(plan.duration_s()));
    ns3::Simulator::Run();
    measure.events = ns3::Simulator::GetEventCount();
    measure.pushes = relays.completed();
    measure.messages = relays.relayed();
  }
  measure.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  measure.peak_rss_kib = PeakRssKib();
  ns3::Simulator::Destroy();
  return measure;
}

// Runs `work` in a child process and reads its Measure back through a pipe.
template <typename Work>
Measure InChild(Work work) {
  int fds[2];
  if (pipe(fds) != 0) return Measure{0, 0, 0, 0, 0, "pipe failed"};
  std::cout.flush();
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const Measure m = work();
    std::ostringstream line;
    line << std::setprecision(17) << m.wall_s << ' ' << m.events << ' ' << m.peak_rss_kib << ' ' << m.pushes << ' '
         << m.messages << ' ' << m.error;
    const std::string text = line.str();
    if (write(fds[1], text.data(), text.size()) < 0) _exit(2);
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  Measure m;
  std::istringstream in(text);
  if (!(in >> m.wall_s >> m.events >> m.peak_rss_kib >> m.pushes >> m.messages)) {
    m.error = "the child process died (status " + std::to_string(status) + ")";
    return m;
  }
  std::getline(in >> std::ws, m.error);
  return m;
}

struct Options {
  std::vector<std::uint64_t> ues = {1000, 10000, 100000};
  std::string out;
  double rate = 1000;
  bool sip = true;
  bool bare = true;
};

std::optional<Options> ParseArguments(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--ues" && has_value) {
      options.ues.clear();
      std::istringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) {
        char* end = nullptr;
        const unsigned long long n = std::strtoull(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || n == 0 || n > 1'000'000) return std::nullopt;
        options.ues.push_back(n);
      }
    } else if (arg == "--out" && has_value) {
      options.out = argv[++i];
    } else if (arg == "--only" && has_value) {
      const std::string which = argv[++i];
      if (which != "sip" && which != "bare") return std::nullopt;
      options.sip = which == "sip";
      options.bare = which == "bare";
    } else if (arg == "--rate" && has_value) {
      options.rate = std::atof(argv[++i]);
      if (!(options.rate > 0 && options.rate <= 1e6)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (options.ues.empty()) return std::nullopt;
  return options;
}

int Main(int argc, char** argv) {
  const auto options = ParseArguments(argc, argv);
  if (!options) {
    std::cerr << "usage: pushsim-scale [--ues 1000,10000,100000] [--out FILE] [--rate REGISTRATIONS_PER_S] "
                 "[--only sip|bare]\n";
    return 2;
  }
  char pattern[] = "/tmp/pushsim-scale-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::cerr << "pushsim-scale: cannot create a temporary directory\n";
    return 1;
  }
  const std::filesystem::path dir(pattern);
  std::ofstream(dir / "scale.dot") << kTopology;
  auto topology = LoadTopologyFile((dir / "scale.dot").string());
  if (!topology.ok()) {
    std::cerr << topology.error().ToString() << "\n";
    return 1;
  }

  // The hops and sizes of one registration and one push, from a one-user SIP run (in a child,
  // so the parent holds no simulation when it forks the measured ones).
  Script script;
  {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    const pid_t child = fork();
    if (child == 0) {
      close(fds[0]);
      Script extracted;
      std::ostringstream text;
      if (auto error = ExtractScript(dir, topology.value(), extracted)) {
        text << "error " << *error;
      } else {
        for (const Exchange* exchange : {&extracted.registration, &extracted.push}) {
          text << exchange->size();
          for (const Hop& hop : *exchange) text << ' ' << static_cast<long long>(hop.from) << ' ' << static_cast<long long>(hop.to) << ' ' << hop.bytes << ' ' << hop.after;
          text << '\n';
        }
      }
      const std::string out = text.str();
      if (write(fds[1], out.data(), out.size()) < 0) _exit(2);
      _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    waitpid(child, nullptr, 0);
    if (text.empty() || text.rfind("error", 0) == 0) {
      std::cerr << "pushsim-scale: " << (text.empty() ? "the one-user run died" : text) << "\n";
      return 1;
    }
    std::istringstream in(text);
    for (Exchange* exchange : {&script.registration, &script.push}) {
      std::size_t count = 0;
      in >> count;
      for (std::size_t s = 0; s < count; ++s) {
        long long from = 0, to = 0;
        Hop hop;
        in >> from >> to >> hop.bytes >> hop.after;
        hop.from = static_cast<std::size_t>(from);
        hop.to = static_cast<std::size_t>(to);
        exchange->push_back(hop);
      }
    }
  }
  auto describe = [&](const Exchange& exchange) {
    std::uint64_t bytes = 0;
    for (const Hop& hop : exchange) bytes += hop.bytes;
    return std::to_string(exchange.size()) + " messages, " + std::to_string(bytes) + " bytes";
  };
  std::ostringstream table;
  table << "registration: " << describe(script.registration) << "; push (MESSAGE, 200 B): " << describe(script.push)
        << "; " << options->rate << " registrations/s then " << options->rate << " pushes/s\n\n";
  table << "| UEs | run | wall s | events | events/s | peak RSS MiB | bytes/UE | pushes | per-push ms | vs first | SIP/bare |\n"
        << "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  std::cout << table.str() << std::flush;
  std::optional<double> first_sip;
  std::optional<double> first_bare;
  for (const std::uint64_t ues : options->ues) {
    Plan plan;
    plan.ues = ues;
    plan.rate = options->rate;
    const Measure sip = options->sip ? InChild([&] { return RunSip(dir, plan); }) : Measure{};
    const Measure bare = options->bare ? InChild([&] { return RunBare(dir, plan, script); }) : Measure{};
    const double sip_cost = sip.wall_s / static_cast<double>(ues);
    const double bare_cost = bare.wall_s / static_cast<double>(ues);
    if (!first_sip) first_sip = sip_cost;
    if (!first_bare) first_bare = bare_cost;
    for (const auto& [name, m, cost, first] :
         {std::make_tuple("SIP", sip, sip_cost, *first_sip), std::make_tuple("bare", bare, bare_cost, *first_bare)}) {
      if ((std::string(name) == "SIP" && !options->sip) || (std::string(name) == "bare" && !options->bare)) continue;
      std::ostringstream row;
      row << std::fixed << "| " << ues << " | " << name << " | " << std::setprecision(1) << m.wall_s << " | " << m.events
          << " | " << std::setprecision(0) << (m.wall_s > 0 ? static_cast<double>(m.events) / m.wall_s : 0) << " | "
          << std::setprecision(0) << static_cast<double>(m.peak_rss_kib) / 1024 << " | "
          << static_cast<double>(m.peak_rss_kib) * 1024 / static_cast<double>(ues) << " | " << m.pushes << " | "
          << std::setprecision(3) << cost * 1e3 << " | " << std::setprecision(2) << cost / first << " | "
          << (std::string(name) == "SIP" && bare_cost > 0 ? sip_cost / bare_cost : 1.0) << " |";
      if (std::string(name) == "SIP" && !options->bare) row << " (no bare run)";
      if (!m.error.empty()) row << " error: " << m.error;
      table << row.str() << "\n";
      std::cout << row.str() << std::endl;
    }
  }
  std::filesystem::remove_all(dir);
  if (!options->out.empty()) std::ofstream(options->out) << table.str();
  return 0;
}

}  // namespace
}  // namespace pushsim::runner

int main(int argc, char** argv) { return pushsim::runner::Main(argc, argv); }
