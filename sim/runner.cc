#include "runner.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "apps/ims-core-helper.h"
#include "apps/sip-element-app.h"
#include "apps/sip-ue-app.h"
#include "apps/sip-ue-helper.h"
#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/error-model.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-net-device.h"
#include "progress.h"
#include "sip/user_agent.h"
#include "wire/sip_message.h"

namespace pushsim::runner {

const char* const kDefaultProfileTemplate =
    "<IMSSubscription><PrivateID>{private}</PrivateID><ServiceProfile><PublicIdentity>"
    "<Identity>{aor}</Identity></PublicIdentity></ServiceProfile></IMSSubscription>";

namespace {

// Stream numbers of the run's random variables (ns-3 RngStream indices). Fixed blocks, so no
// variable takes its stream from ns-3's process-wide counter, which a previous run in the same
// process would have advanced.
constexpr std::int64_t kArrivalStream = 0;
constexpr std::int64_t kLinkStreams = 16;           // link loss models, one each
constexpr std::int64_t kStackStreams = 1 << 20;     // the internet stacks of all nodes
constexpr std::int64_t kElementStreams = 1 << 24;   // the SIP elements' service times
constexpr std::int64_t kUeStreams = 1 << 25;        // the UEs' service times

double Seconds(ns3::Time time) { return time.GetSeconds(); }
double Seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The +g.oma.pusheventapp feature tag (OMA Push using SIP: the Push Event Application ids the
// terminal accepts, in a Contact parameter, RFC 3840 9).
std::string FeatureTags(const std::vector<std::string>& app_ids) {
  if (app_ids.empty()) return {};
  std::string list;
  for (const std::string& id : app_ids) list += (list.empty() ? "" : ",") + id;
  return "+g.oma.pusheventapp=\"" + list + "\"";
}

// The per-method counters of an element at one instant.
struct CounterSnapshot {
  std::vector<sip::ProcessingCounters> methods;  // by wire::Method
  sip::ProcessingCounters responses;
  sip::ProcessingCounters totals;
};

constexpr int kMethodCount = static_cast<int>(wire::Method::kUpdate) + 1;

CounterSnapshot Snapshot(const sip::ProcessingQueue& queue) {
  CounterSnapshot snapshot;
  snapshot.methods.reserve(kMethodCount);
  for (int m = 0; m < kMethodCount; ++m) snapshot.methods.push_back(queue.counters(static_cast<wire::Method>(m)));
  snapshot.responses = queue.responses();
  snapshot.totals = queue.totals();
  return snapshot;
}

std::int64_t Delta(std::uint64_t now, std::uint64_t before) {
  return now >= before ? static_cast<std::int64_t>(now - before) : 0;
}

struct SampledElement {
  std::string name;
  std::string role;
  ns3::Ptr<SipElementApplication> app;
  CounterSnapshot previous;
};

// A node cut off the network: each affected device drops every packet it receives. Several
// failures may overlap on one device (two neighbours down at once), hence the count.
struct CutDevice {
  int cuts = 0;
  ns3::Ptr<ns3::ErrorModel> saved;
};

class NetworkCutter {
 public:
  void Cut(ns3::Ptr<ns3::Node> node) {
    for (ns3::Ptr<ns3::PointToPointNetDevice> device : Devices(node)) {
      CutDevice& state = devices_[ns3::PeekPointer(device)];
      if (state.cuts++ == 0) {
        ns3::PointerValue saved;
        device->GetAttribute("ReceiveErrorModel", saved);
        state.saved = saved.Get<ns3::ErrorModel>();
        device->SetReceiveErrorModel(DropAll());
      }
    }
  }
  void Restore(ns3::Ptr<ns3::Node> node) {
    for (ns3::Ptr<ns3::PointToPointNetDevice> device : Devices(node)) {
      auto it = devices_.find(ns3::PeekPointer(device));
      if (it == devices_.end() || it->second.cuts == 0) continue;
      if (--it->second.cuts == 0) device->SetReceiveErrorModel(it->second.saved);
    }
  }

 private:
  // The node's point-to-point devices and those at the other end of their links.
  static std::vector<ns3::Ptr<ns3::PointToPointNetDevice>> Devices(ns3::Ptr<ns3::Node> node) {
    std::vector<ns3::Ptr<ns3::PointToPointNetDevice>> devices;
    for (std::uint32_t i = 0; i < node->GetNDevices(); ++i) {
      auto device = ns3::DynamicCast<ns3::PointToPointNetDevice>(node->GetDevice(i));
      if (!device) continue;
      devices.push_back(device);
      auto channel = ns3::DynamicCast<ns3::PointToPointChannel>(device->GetChannel());
      if (!channel) continue;
      for (std::size_t end = 0; end < channel->GetNDevices(); ++end) {
        auto peer = ns3::DynamicCast<ns3::PointToPointNetDevice>(channel->GetDevice(end));
        if (peer && peer != device) devices.push_back(peer);
      }
    }
    return devices;
  }
  // A rate-1 packet error model whose random variable is the constant 0 (< 1: always an error),
  // so cutting a node draws no random numbers.
  static ns3::Ptr<ns3::ErrorModel> DropAll() {
    auto model = ns3::CreateObject<ns3::RateErrorModel>();
    model->SetUnit(ns3::RateErrorModel::ERROR_UNIT_PACKET);
    model->SetRate(1.0);
    auto zero = ns3::CreateObject<ns3::ConstantRandomVariable>();
    zero->SetAttribute("Constant", ns3::DoubleValue(0.0));
    model->SetRandomVariable(zero);
    return model;
  }

  std::map<ns3::NetDevice*, CutDevice> devices_;
};

// Registration start times of `count` terminals per the workload (TS 24.229 leaves arrivals to
// the scenario: all at once as after an outage, Poisson, or a ramp).
std::vector<ns3::Time> RegistrationTimes(const RegistrationWorkload& workload, std::size_t count) {
  std::vector<ns3::Time> times;
  times.reserve(count);
  const ns3::Time start = ns3::NanoSeconds(workload.start.count());
  switch (workload.arrival) {
    case Arrival::kAllAtOnce:
      times.assign(count, start);
      break;
    case Arrival::kPoisson: {
      auto gap = ns3::CreateObject<ns3::ExponentialRandomVariable>();
      gap->SetAttribute("Mean", ns3::DoubleValue(workload.rate > 0 ? 1.0 / workload.rate : 1.0));
      gap->SetStream(kArrivalStream);
      double at = Seconds(start);
      for (std::size_t i = 0; i < count; ++i) {
        at += gap->GetValue();
        times.push_back(ns3::Seconds(at));
      }
      break;
    }
    case Arrival::kRamp: {
      const std::int64_t ramp = workload.ramp.count();
      for (std::size_t i = 0; i < count; ++i) {
        // Evenly over [start, start + ramp): the i-th at start + ramp * i / count, in integers.
        const auto offset = static_cast<std::int64_t>(static_cast<long double>(ramp) * i / count);
        times.push_back(start + ns3::NanoSeconds(offset));
      }
      break;
    }
    case Arrival::kPeriodic:
      for (std::size_t i = 0; i < count; ++i) {
        times.push_back(start + ns3::Seconds(workload.rate > 0 ? static_cast<double>(i) / workload.rate : 0.0));
      }
      break;
  }
  return times;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find("\r\n")); }

std::optional<std::string> HeaderText(const wire::SipMessage& message, wire::HeaderId id) {
  if (auto value = message.Get(id)) return std::string(*value);
  return std::nullopt;
}

// The HSS document of user number `user`: the profile template with {aor} and {private}
// replaced.
std::string ProfileOf(const Scenario& scenario, std::uint64_t user) {
  const std::string& text = scenario.subscribers.profile_text;
  const std::string aor = scenario.subscribers.AorOf(user);
  const std::size_t colon = aor.find(':');
  const std::string private_id = colon == std::string::npos ? aor : aor.substr(colon + 1);
  return ReplaceAll(ReplaceAll(text.empty() ? std::string(kDefaultProfileTemplate) : text, "{aor}", aor), "{private}",
                    private_id);
}

// Everything one run needs while the simulator runs; lives on RunScenario's stack.
class Run {
 public:
  Run(const Scenario& scenario, const RunSettings& settings, Recorder& recorder, std::ostream& diagnostics)
      : scenario_(scenario), settings_(settings), recorder_(recorder), diagnostics_(diagnostics) {}
  // The simulation is torn down while this object, which its trace callbacks point to, is alive.
  ~Run() { ns3::Simulator::Destroy(); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // Builds the simulation; an error message when it cannot be.
  std::optional<std::string> Build();
  void Execute(RunOutcome& outcome);

 private:
  void Note(const std::string& text) { diagnostics_ << scenario_.name << ": note: " << text << "\n"; }
  void ConnectMessageTrace(ns3::Ptr<SipElementApplication> app, const std::string& node);
  void OnRegistration(std::size_t ue, const std::string& state, std::uint16_t code, ns3::Time delay,
                      std::uint32_t retransmissions);
  void OnUeSent(std::size_t ue, const wire::SipMessage& message);
  void RecordOpenAttempts();
  void Sample();
  void Tick();

  const Scenario& scenario_;
  const RunSettings& settings_;
  Recorder& recorder_;
  std::ostream& diagnostics_;

  BuiltNetwork network_;
  std::vector<Terminal> terminals_;
  std::unique_ptr<ImsCoreHelper> core_;
  std::vector<ns3::Ptr<SipUeApplication>> ues_;
  std::vector<std::string> ue_instances_;
  std::vector<bool> ue_registered_;
  // The REGISTER attempt each UE has under way: when its first REGISTER left, how many were sent.
  struct OpenAttempt {
    bool open = false;
    double start_s = 0;
    int sent = 0;
  };
  std::vector<OpenAttempt> ue_attempts_;
  std::vector<SampledElement> elements_;
  ns3::Time last_sample_;
  NetworkCutter cutter_;
  std::unique_ptr<ProgressBar> progress_;
  ns3::Time tick_interval_ = ns3::MilliSeconds(10);
  std::chrono::steady_clock::time_point last_tick_wall_;
};

std::optional<std::string> Run::Build() {
  terminals_ = scenario_.Terminals();
  std::vector<std::size_t> ue_cells;
  ue_cells.reserve(terminals_.size());
  for (const Terminal& terminal : terminals_) ue_cells.push_back(terminal.cell);
  auto built = BuildNetwork(scenario_.topology, ue_cells);
  if (!built.ok()) return built.error().ToString();
  network_ = std::move(built).value();

  // Fixed random streams for everything built so far (see the top of runner.h).
  std::int64_t link_stream = kLinkStreams;
  for (const ns3::NodeContainer* nodes : {&network_.topology_nodes, &network_.ue_nodes}) {
    for (std::uint32_t n = 0; n < nodes->GetN(); ++n) {
      ns3::Ptr<ns3::Node> node = nodes->Get(n);
      for (std::uint32_t d = 0; d < node->GetNDevices(); ++d) {
        auto device = ns3::DynamicCast<ns3::PointToPointNetDevice>(node->GetDevice(d));
        if (!device) continue;
        ns3::PointerValue model;
        device->GetAttribute("ReceiveErrorModel", model);
        if (auto rate = model.Get<ns3::RateErrorModel>()) link_stream += rate->AssignStreams(link_stream);
      }
    }
  }
  ns3::InternetStackHelper stack;
  std::int64_t stack_stream = kStackStreams;
  stack_stream += stack.AssignStreams(network_.topology_nodes, stack_stream);
  stack.AssignStreams(network_.ue_nodes, stack_stream);

  // The core on the nodes with those roles.
  auto node_of = [&](NodeRole role) -> ns3::Ptr<ns3::Node> {
    const auto holders = scenario_.topology.NodesWithRole(role);
    return holders.empty() ? nullptr : network_.nodes[holders.front()].node;
  };
  core_ = std::make_unique<ImsCoreHelper>();
  ns3::Ptr<ns3::Node> icscf_node = scenario_.icscf ? node_of(NodeRole::kIcscf) : nullptr;
  if (scenario_.icscf && !icscf_node) Note("core.icscf is on but the topology has no icscf node: running without one");
  core_->SetIcscfEnabled(icscf_node != nullptr);
  network_.FillResolver(*core_->GetResolver());

  // The scenario's attributes of the core elements (those of `ue` are set on the UE helper below).
  for (const AttributeSetting& setting : scenario_.attributes) {
    const ns3::StringValue value(setting.value);
    if (setting.element == "pcscf") {
      core_->SetPCscfAttribute(setting.attribute, value);
    } else if (setting.element == "icscf") {
      core_->SetIcscfAttribute(setting.attribute, value);
    } else if (setting.element == "scscf") {
      core_->SetScscfAttribute(setting.attribute, value);
    } else if (setting.element == "hss") {
      core_->SetHssAttribute(setting.attribute, value);
    } else if (setting.element != "ue") {
      Note(setting.element + "." + setting.attribute + " is not used by this version of the runner");
    }
  }

  // Subscribers: one IMSSubscription per user (TS 29.228 Annex B).
  const Subscribers& subscribers = scenario_.subscribers;
  for (std::uint64_t i = 0; i < subscribers.users; ++i) {
    auto added = core_->AddSubscriber(ProfileOf(scenario_, subscribers.first_user + i));
    if (!added.ok()) {
      return "subscriber " + subscribers.AorOf(subscribers.first_user + i) +
             ": the HSS profile does not parse: " + added.error().Describe();
    }
  }
  const auto role_node = [&](NodeRole role) { return node_of(role); };
  core_->Install(role_node(NodeRole::kPcscf), icscf_node, role_node(NodeRole::kScscf), role_node(NodeRole::kHss));

  // The SIP elements to sample, and their traces.
  std::int64_t element_stream = kElementStreams;
  const auto add_element = [&](ns3::Ptr<SipElementApplication> app, NodeRole role) {
    if (!app) return;
    const auto holders = scenario_.topology.NodesWithRole(role);
    SampledElement element{scenario_.topology.nodes[holders.front()].name, std::string(RoleName(role)), app, {}};
    element_stream += app->AssignStreams(element_stream);
    element.previous = Snapshot(app->GetQueue());
    const std::string name = element.name;
    app->TraceConnectWithoutContext(
        "Refused", ns3::Callback<void, const std::string&, std::uint16_t>(
                       [this, name](const std::string& method, std::uint16_t code) {
                         recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), code == 503 ? "503" : "dropped",
                                                     name, method});
                       }));
    ConnectMessageTrace(app, name);
    elements_.push_back(std::move(element));
  };
  add_element(core_->GetPCscf(), NodeRole::kPcscf);
  add_element(core_->GetICscf(), NodeRole::kIcscf);
  add_element(core_->GetScscf(), NodeRole::kScscf);

  // Registration workload: the first one; arrivals per UE.
  const RegistrationWorkload* registration = nullptr;
  RegistrationWorkload default_registration;
  for (const Workload& workload : scenario_.workloads) {
    const std::string where = workload.where.file + ":" + std::to_string(workload.where.line);
    if (const auto* spec = std::get_if<RegistrationWorkload>(&workload.spec)) {
      if (registration) {
        Note(where + ": only the first registration workload is run; this one is ignored");
      } else {
        registration = spec;
      }
    } else if (!std::holds_alternative<FailureWorkload>(workload.spec)) {
      Note(where + ": " + std::string(WorkloadKind(workload.spec)) +
           " workloads are not yet supported by the runner: this one is not run, the rest of the run goes on");
    }
  }
  if (!registration) registration = &default_registration;
  const std::vector<ns3::Time> register_at = RegistrationTimes(*registration, terminals_.size());

  // UEs: one application per terminal.
  SipUeHelper ue_helper("", ImsCoreHelper::SipUriOf(*core_->GetPCscf()));
  ue_helper.SetAttribute("Resolver", ns3::PointerValue(core_->GetResolver()));
  ue_helper.SetAttribute("Gruu", ns3::BooleanValue(subscribers.gruu));
  ue_helper.SetAttribute("FeatureTags", ns3::StringValue(FeatureTags(subscribers.app_ids)));
  const auto expires = std::chrono::duration_cast<std::chrono::seconds>(registration->reregister).count();
  ue_helper.SetAttribute("Expires", ns3::UintegerValue(static_cast<std::uint64_t>(std::max<std::int64_t>(expires, 1))));
  ue_helper.SetInstancePattern("<urn:uuid:{uuid}>");
  for (const AttributeSetting& setting : scenario_.attributes) {
    if (setting.element == "ue") ue_helper.SetAttribute(setting.attribute, ns3::StringValue(setting.value));
  }

  ns3::ApplicationContainer apps = ue_helper.Install(network_.ue_nodes);
  ues_.reserve(apps.GetN());
  ue_registered_.assign(apps.GetN(), false);
  ue_attempts_.assign(apps.GetN(), OpenAttempt{});
  std::int64_t ue_stream = kUeStreams;
  for (std::uint32_t i = 0; i < apps.GetN(); ++i) {
    auto ue = ns3::DynamicCast<SipUeApplication>(apps.Get(i));
    ue->SetAttribute("Aor", ns3::StringValue(terminals_[i].aor));
    ue->SetAttribute("RegisterAt", ns3::TimeValue(register_at[i]));
    ue_stream += ue->AssignStreams(ue_stream);
    ue_instances_.push_back(SipUeHelper::Expand("<urn:uuid:{uuid}>", i));
    const std::size_t index = i;
    ue->TraceConnectWithoutContext(
        "RegistrationState",
        ns3::Callback<void, const std::string&, std::uint16_t, ns3::Time, std::uint32_t>(
            [this, index](const std::string& state, std::uint16_t code, ns3::Time delay, std::uint32_t retransmissions) {
              OnRegistration(index, state, code, delay, retransmissions);
            }));
    ue->TraceConnectWithoutContext(
        "Tx", ns3::Callback<void, const wire::SipMessage&, std::size_t, const sip::Endpoint&>(
                  [this, index](const wire::SipMessage& message, std::size_t, const sip::Endpoint&) {
                    OnUeSent(index, message);
                  }));
    ConnectMessageTrace(ue, "ue" + std::to_string(terminals_[i].user) + "." + std::to_string(terminals_[i].terminal));
    ues_.push_back(ue);
  }

  // Failures.
  for (const Workload& workload : scenario_.workloads) {
    const auto* failure = std::get_if<FailureWorkload>(&workload.spec);
    if (!failure) continue;
    const auto index = network_.Find(failure->element);
    if (!index) {
      return workload.where.file + ":" + std::to_string(workload.where.line) + ": failure: no node '" +
             failure->element + "' in the topology";
    }
    ns3::Ptr<ns3::Node> node = network_.nodes[*index].node;
    const std::string name = failure->element;
    ns3::Simulator::Schedule(ns3::NanoSeconds(failure->down.count()), [this, node, name] {
      cutter_.Cut(node);
      recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), "element-down", name, std::nullopt});
    });
    if (failure->up) {
      ns3::Simulator::Schedule(ns3::NanoSeconds(failure->up->count()), [this, node, name] {
        cutter_.Restore(node);
        recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), "element-up", name, std::nullopt});
      });
    }
  }

  if (!settings_.pcap_prefix.empty()) ns3::PointToPointHelper().EnablePcapAll(settings_.pcap_prefix);
  return std::nullopt;
}

void Run::ConnectMessageTrace(ns3::Ptr<SipElementApplication> app, const std::string& node) {
  if (scenario_.messages == MessageTrace::kOff) return;
  const bool full = scenario_.messages == MessageTrace::kFull;
  for (const char* direction : {"in", "out"}) {
    const std::string dir = direction;
    app->TraceConnectWithoutContext(
        dir == "in" ? "Rx" : "Tx",
        ns3::Callback<void, const wire::SipMessage&, std::size_t, const sip::Endpoint&>(
            [this, node, dir, full](const wire::SipMessage& message, std::size_t size, const sip::Endpoint& peer) {
              MessageRow row;
              row.time_s = Seconds(ns3::Simulator::Now());
              row.node = node;
              row.direction = dir;
              row.peer = peer.ToString();
              std::string text = message.Serialize();
              row.first_line = FirstLine(text);
              row.call_id = HeaderText(message, wire::HeaderId::kCallId);
              row.cseq = HeaderText(message, wire::HeaderId::kCSeq);
              row.size_bytes = static_cast<std::int64_t>(size);
              if (full) row.text = std::move(text);
              recorder_.AddMessage(std::move(row));
            }));
  }
}

void Run::OnUeSent(std::size_t ue, const wire::SipMessage& message) {
  if (!message.IsRequest() || message.method() != wire::Method::kRegister) return;
  OpenAttempt& attempt = ue_attempts_[ue];
  if (!attempt.open) attempt = OpenAttempt{true, Seconds(ns3::Simulator::Now()), 0};
  ++attempt.sent;
}

// Attempts without a final response when the run ends: rows with no end and no code (RFC 6076
// 4.2 counts them among the Ineffective Registration Attempts).
void Run::RecordOpenAttempts() {
  for (std::size_t ue = 0; ue < ue_attempts_.size(); ++ue) {
    const OpenAttempt& attempt = ue_attempts_[ue];
    if (!attempt.open) continue;
    RegistrationRow row;
    row.user = terminals_[ue].aor;
    row.terminal = ue_instances_[ue];
    row.kind = ue_registered_[ue] ? "refresh" : "initial";
    row.start_s = attempt.start_s;
    row.retransmissions = std::max(0, attempt.sent - 1);
    recorder_.AddRegistration(std::move(row));
  }
}

void Run::OnRegistration(std::size_t ue, const std::string& state, std::uint16_t code, ns3::Time delay,
                         std::uint32_t retransmissions) {
  const bool registered = state == sip::RegistrationStateName(sip::RegistrationState::kRegistered);
  const bool was_registered = ue_registered_[ue];
  ue_registered_[ue] = registered;
  if (code == 0) return;  // the binding ran out: a change of state, not a REGISTER attempt
  ue_attempts_[ue].open = false;
  RegistrationRow row;
  row.user = terminals_[ue].aor;
  row.terminal = ue_instances_[ue];
  if (!registered && code / 100 == 2) {
    row.kind = "deregister";
  } else {
    row.kind = was_registered ? "refresh" : "initial";
  }
  const ns3::Time now = ns3::Simulator::Now();
  row.start_s = Seconds(now - delay);
  row.end_s = Seconds(now);
  row.final_code = code;
  row.retransmissions = static_cast<int>(retransmissions);
  recorder_.AddRegistration(std::move(row));
}

void Run::Sample() {
  const ns3::Time now = ns3::Simulator::Now();
  if (now <= last_sample_) return;
  const sip::TimePoint from(last_sample_.GetNanoSeconds());
  const sip::TimePoint to(now.GetNanoSeconds());
  for (SampledElement& element : elements_) {
    const sip::ProcessingQueue& queue = element.app->GetQueue();
    CounterSnapshot current = Snapshot(queue);
    ElementSample sample;
    sample.element = element.name;
    sample.role = element.role;
    sample.time_s = Seconds(now);
    sample.interval_s = Seconds(now - last_sample_);
    sample.queue_length = static_cast<std::int64_t>(queue.length());
    sample.utilization = queue.Utilization(from, to);
    sample.messages_in = Delta(current.totals.in, element.previous.totals.in);
    sample.messages_out = Delta(current.totals.out, element.previous.totals.out);
    sample.refused = Delta(current.totals.refused, element.previous.totals.refused);
    const auto add_method = [&](std::string name, const sip::ProcessingCounters& now_counts,
                                const sip::ProcessingCounters& before) {
      MethodCounts counts{std::move(name), Delta(now_counts.in, before.in), Delta(now_counts.out, before.out),
                          Delta(now_counts.refused, before.refused)};
      if (counts.messages_in || counts.messages_out || counts.refused) sample.per_method.push_back(std::move(counts));
    };
    for (int m = 0; m < kMethodCount; ++m) {
      const std::string_view name = wire::MethodName(static_cast<wire::Method>(m));
      add_method(name.empty() ? "other" : std::string(name), current.methods[m], element.previous.methods[m]);
    }
    add_method("response", current.responses, element.previous.responses);
    recorder_.AddElementSample(std::move(sample));
    element.previous = std::move(current);
  }
  last_sample_ = now;
}

// Progress and interrupts: a simulator event whose spacing in simulated time adapts so that it
// runs a few times a second of wall time whatever the load.
void Run::Tick() {
  recorder_.CheckInterrupt();
  if (progress_) progress_->Update(Seconds(ns3::Simulator::Now()), ns3::Simulator::GetEventCount());
  const auto now = std::chrono::steady_clock::now();
  const auto wall = now - last_tick_wall_;
  last_tick_wall_ = now;
  if (wall < std::chrono::milliseconds(50) && tick_interval_ < ns3::Seconds(10)) {
    tick_interval_ = tick_interval_ * 2;
  } else if (wall > std::chrono::milliseconds(200) && tick_interval_ > ns3::MicroSeconds(1)) {
    tick_interval_ = ns3::NanoSeconds(tick_interval_.GetNanoSeconds() / 2);
  }
  ns3::Simulator::Schedule(tick_interval_, &Run::Tick, this);
}

void Run::Execute(RunOutcome& outcome) {
  const ns3::Time duration = ns3::NanoSeconds(scenario_.duration.count());
  const ns3::Time interval = ns3::NanoSeconds(scenario_.sample_interval.count());
  if (interval.IsStrictlyPositive()) {
    for (ns3::Time at = interval; at <= duration; at += interval) ns3::Simulator::Schedule(at, &Run::Sample, this);
  }
  progress_ = std::make_unique<ProgressBar>(diagnostics_, Seconds(duration), settings_.progress);
  last_tick_wall_ = std::chrono::steady_clock::now();
  ns3::Simulator::Schedule(ns3::Seconds(0), &Run::Tick, this);
  const auto wall_start = std::chrono::steady_clock::now();
  ns3::Simulator::Stop(duration);
  ns3::Simulator::Run();
  RecordOpenAttempts();
  // The last interval, when the duration is not a whole number of intervals.
  if (interval.IsStrictlyPositive()) Sample();
  progress_->Finish();
  outcome.sim_reached_s = Seconds(ns3::Simulator::Now());
  outcome.events = ns3::Simulator::GetEventCount();
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
}

}  // namespace

std::string DefaultDatabasePath(const Scenario& scenario) { return "results/" + scenario.name + ".db"; }

std::string OverridesJson(const std::vector<std::string>& overrides) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& assignment : overrides) {
    const std::size_t equals = assignment.find('=');
    std::string key = assignment.substr(0, equals);
    std::string value = equals == std::string::npos ? std::string() : assignment.substr(equals + 1);
    auto same = std::find_if(pairs.begin(), pairs.end(), [&](const auto& pair) { return pair.first == key; });
    if (same != pairs.end()) {
      same->second = std::move(value);
    } else {
      pairs.emplace_back(std::move(key), std::move(value));
    }
  }
  std::string json = "{";
  for (const auto& [key, value] : pairs) json += (json.size() > 1 ? "," : "") + JsonQuote(key) + ":" + JsonQuote(value);
  return json + "}";
}

RunOutcome RunScenario(const Scenario& scenario, const RunSettings& settings, Recorder& recorder,
                       std::ostream& diagnostics) {
  RunOutcome outcome;
  outcome.seed = settings.seed;
  RunInfo info;
  info.scenario = scenario.name;
  info.scenario_text = scenario.Text();
  info.parameters_json = settings.parameters_json;
  info.seed = static_cast<std::int64_t>(settings.seed);
  info.replication = settings.replication;
  info.sim_duration_s = Seconds(scenario.duration);
  auto run_id = recorder.BeginRun(info);
  if (!run_id.ok()) {
    outcome.error = run_id.error().message;
    return outcome;
  }
  outcome.run_id = run_id.value();

  ns3::Simulator::Destroy();  // a clean simulator, whatever ran before in this process
  ns3::RngSeedManager::SetSeed(static_cast<std::uint32_t>(settings.seed));
  ns3::RngSeedManager::SetRun(1);
  std::string error;
  try {
    Run run(scenario, settings, recorder, diagnostics);
    if (auto problem = run.Build()) {
      error = *problem;
    } else {
      run.Execute(outcome);
    }
  } catch (const std::exception& exception) {
    error = exception.what();
  }
  ns3::Simulator::Destroy();

  outcome.status = error.empty() ? RunStatus::kCompleted : RunStatus::kFailed;
  outcome.error = error;
  auto finished = recorder.FinishRun(outcome.status, error,
                                     error.empty() ? std::optional<double>(outcome.sim_reached_s) : std::nullopt);
  if (!finished.ok()) {
    outcome.status = RunStatus::kFailed;
    outcome.error = (error.empty() ? "" : error + "; ") + finished.error().message;
  }
  return outcome;
}

namespace {

// A prepared query, finalized on scope exit.
struct Query {
  sqlite3_stmt* statement = nullptr;
  Query(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement, nullptr); }
  ~Query() { sqlite3_finalize(statement); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
};

std::string Column(sqlite3_stmt* statement, int column, const char* format = nullptr, double scale = 1) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return "-";
  if (format) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, sqlite3_column_double(statement, column) * scale);
    return buffer;
  }
  const unsigned char* text = sqlite3_column_text(statement, column);
  return text ? reinterpret_cast<const char*>(text) : "";
}

std::string Pad(std::string text, std::size_t width, bool right = true) {
  if (text.size() >= width) return text;
  return right ? std::string(width - text.size(), ' ') + text : text + std::string(width - text.size(), ' ');
}

}  // namespace

DbResult<std::string> SummaryTable(Recorder& recorder, const std::vector<std::int64_t>& run_ids) {
  sqlite3* db = recorder.handle();
  std::ostringstream out;
  out << Pad("run", 5) << Pad("seed", 7) << "  " << Pad("status", 10, false) << Pad("registrations", 14)
      << Pad("ok", 8) << Pad("RRD p50", 10) << Pad("RRD p95", 10) << Pad("pushes", 8) << Pad("refused", 9)
      << Pad("events", 8) << "\n";
  Query summary(db,
                "SELECT run_id, seed, status, registrations, registrations_successful, registration_delay_p50_s, "
                "registration_delay_p95_s, pushes, refused, events FROM run_summary WHERE run_id = ?");
  Query peaks(db,
              "SELECT element, role, peak_utilization, peak_queue_length, messages_in, refused FROM element_peaks "
              "WHERE run_id = ? ORDER BY element");
  if (!summary.statement || !peaks.statement) return DbError{sqlite3_errcode(db), sqlite3_errmsg(db)};
  std::ostringstream elements;
  for (const std::int64_t run_id : run_ids) {
    sqlite3_reset(summary.statement);
    sqlite3_bind_int64(summary.statement, 1, run_id);
    while (sqlite3_step(summary.statement) == SQLITE_ROW) {
      sqlite3_stmt* row = summary.statement;
      out << Pad(Column(row, 0), 5) << Pad(Column(row, 1), 7) << "  " << Pad(Column(row, 2), 10, false)
          << Pad(Column(row, 3), 14) << Pad(Column(row, 4), 8) << Pad(Column(row, 5, "%.1fms", 1000), 10)
          << Pad(Column(row, 6, "%.1fms", 1000), 10) << Pad(Column(row, 7), 8) << Pad(Column(row, 8), 9)
          << Pad(Column(row, 9), 8) << "\n";
    }
    sqlite3_reset(peaks.statement);
    sqlite3_bind_int64(peaks.statement, 1, run_id);
    while (sqlite3_step(peaks.statement) == SQLITE_ROW) {
      sqlite3_stmt* row = peaks.statement;
      elements << Pad(std::to_string(run_id), 5) << "  "
               << Pad(Column(row, 0), 10, false) << Pad(Column(row, 1), 7, false)
               << Pad(Column(row, 2, "%.1f%%", 100), 10) << Pad(Column(row, 3), 12) << Pad(Column(row, 4), 12)
               << Pad(Column(row, 5), 9) << "\n";
    }
  }
  out << "pushes: none (push workloads are not yet supported by the runner)\n";
  const std::string element_rows = elements.str();
  if (!element_rows.empty()) {
    out << "\n" << Pad("run", 5) << "  " << Pad("element", 10, false) << Pad("role", 7, false)
        << Pad("peak util", 10) << Pad("peak queue", 12) << Pad("messages", 12) << Pad("refused", 9) << "\n"
        << element_rows;
  }
  return out.str();
}

std::optional<std::string> CheckProfile(const Scenario& scenario) {
  ImsCoreHelper core;
  auto added = core.AddSubscriber(ProfileOf(scenario, scenario.subscribers.first_user));
  if (added.ok()) return std::nullopt;
  const std::string file = scenario.subscribers.profile.empty() ? scenario.file : scenario.subscribers.profile;
  return file + ": error: the HSS profile of " + scenario.subscribers.AorOf(scenario.subscribers.first_user) +
         " is not a TS 29.228 IMSSubscription document: " + added.error().Describe();
}

int RunCommand(const std::string& scenario_file, const RunOptions& options, std::ostream& out, std::ostream& err) {
  auto loaded = LoadScenario(scenario_file);
  if (!loaded.ok()) {
    err << loaded.error().ToString() << "\n";
    return 2;
  }
  Scenario scenario = std::move(loaded).value();
  for (const std::string& assignment : options.overrides) {
    if (const auto error = ApplyOverride(scenario, assignment)) {
      err << error->ToString() << " (in --set " << assignment << ")\n";
      return 2;
    }
  }
  if (auto problem = CheckProfile(scenario)) {
    err << *problem << "\n";
    return 2;
  }
  if (options.runs < 1) {
    err << "--runs: expected at least 1\n";
    return 2;
  }
  const std::uint64_t first_seed = options.seed.value_or(scenario.seed);
  if (first_seed < 1 || first_seed + options.runs - 1 > 4294967295u) {
    err << "--seed: seeds " << first_seed << " to " << first_seed + options.runs - 1
        << " are out of range; expected 1 to 4294967295\n";
    return 2;
  }

  const std::string database = options.database.empty() ? DefaultDatabasePath(scenario) : options.database;
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(database).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) {
    err << database << ": cannot create " << parent.string() << ": " << error.message() << "\n";
    return 2;
  }
  std::string pcap_prefix;
  if (!options.pcap_dir.empty() || scenario.pcap) {
    const std::string dir = options.pcap_dir.empty() ? std::string("results/pcap") : options.pcap_dir;
    std::filesystem::create_directories(dir, error);
    if (error) {
      err << dir << ": cannot create: " << error.message() << "\n";
      return 2;
    }
    pcap_prefix = (std::filesystem::path(dir) / scenario.name).string();
  }

  auto recorder = Recorder::Open(database);
  if (!recorder.ok()) {
    err << database << ": " << recorder.error().message << "\n";
    return 2;
  }
  Recorder::InstallSignalHandlers();

  std::vector<std::int64_t> run_ids;
  bool all_completed = true;
  for (std::uint64_t r = 0; r < options.runs; ++r) {
    RunSettings settings;
    settings.seed = first_seed + r;
    settings.replication = static_cast<std::int64_t>(r);
    settings.parameters_json = OverridesJson(options.overrides);
    settings.pcap_prefix = pcap_prefix.empty() ? "" : pcap_prefix + (options.runs > 1 ? "-r" + std::to_string(r) : "");
    settings.progress = !options.quiet;
    const RunOutcome outcome = RunScenario(scenario, settings, recorder.value(), err);
    if (outcome.run_id != 0) run_ids.push_back(outcome.run_id);
    if (outcome.status != RunStatus::kCompleted) {
      all_completed = false;
      err << scenario.name << ": run " << outcome.run_id << " (seed " << outcome.seed << ") "
          << RunStatusName(outcome.status) << ": " << outcome.error << "\n";
    }
  }
  auto table = SummaryTable(recorder.value(), run_ids);
  if (table.ok()) {
    out << table.value();
  } else {
    err << database << ": summary: " << table.error().message << "\n";
  }
  out << "results: " << database << "\n";
  return all_completed ? 0 : 1;
}

}  // namespace pushsim::runner
