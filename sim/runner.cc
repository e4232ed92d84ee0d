#include "runner.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "apps/content-server-app.h"
#include "apps/content-server-helper.h"
#include "apps/ims-core-helper.h"
#include "apps/push-apps.h"
#include "apps/push-helpers.h"
#include "apps/sip-element-app.h"
#include "apps/sip-ue-helper.h"
#include "ims/subscription.h"
#include "ns3/boolean.h"
#include "ns3/core-module.h"
#include "ns3/error-model.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-net-device.h"
#include "progress.h"
#include "push/outcome.h"
#include "push/receiver.h"
#include "push/sender.h"
#include "sip/user_agent.h"
#include "wire/sip_message.h"
#include "wire/sip_uri.h"
#include "wire/text.h"

namespace pushsim::runner {

const char* const kPushAsHost = "push-as.home1.net";

// TS 29.228 B.2.2 trigger: REGISTER (initial, re- and de-registration) whose Contact carries the
// push feature tag; the AS gets the UE's REGISTER and the 200, which lists the GRUUs (RFC 5627
// 5.1), in the body of the third-party REGISTER (TS 24.229 5.4.1.7).
const char* const kDefaultProfileTemplate =
    "<IMSSubscription><PrivateID>{private}</PrivateID><ServiceProfile><PublicIdentity>"
    "<Identity>{aor}</Identity></PublicIdentity>"
    "<InitialFilterCriteria><Priority>0</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF>"
    "<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>"
    "<SPT><ConditionNegated>0</ConditionNegated><Group>1</Group><SIPHeader><Header>Contact</Header>"
    "<Content>\\+g\\.oma\\.pusheventapp</Content></SIPHeader></SPT></TriggerPoint>"
    "<ApplicationServer><ServerName>sip:push-as.home1.net:5060;lr</ServerName><DefaultHandling>0</DefaultHandling>"
    "<Extension><IncludeRegisterRequest/><IncludeRegisterResponse/></Extension></ApplicationServer>"
    "</InitialFilterCriteria></ServiceProfile></IMSSubscription>";

namespace {

// Stream numbers of the run's random variables (ns-3 RngStream indices). Fixed blocks, so no
// variable takes its stream from ns-3's process-wide counter, which a previous run in the same
// process would have advanced.
constexpr std::int64_t kArrivalStream = 0;
constexpr std::int64_t kLinkStreams = 16;           // link loss models, one each
constexpr std::int64_t kStackStreams = 1 << 20;     // the internet stacks of all nodes
constexpr std::int64_t kElementStreams = 1 << 24;   // the SIP elements' service times
constexpr std::int64_t kUeStreams = 1 << 25;        // the UEs' service times
constexpr std::int64_t kPushStreams = 1 << 26;      // push workloads: kStreamsPerCampaign each
constexpr std::int64_t kStreamsPerCampaign = 4;     // arrival gaps, uniform and exponential sizes, users
constexpr const char* kContentHost = "content.home1.net";
constexpr const char* kFloodHost = "flood.home1.net";

double Seconds(ns3::Time time) { return time.GetSeconds(); }
double Seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : ",") + item;
  return list;
}

// The problem with setting ns-3 attribute `name` of `type` to `value`, if any: the scenario
// checker knows the core's and the UE's types; the push AS's, content server's and flood's
// attributes are checked here, before ns-3 would stop the process on them.
std::optional<std::string> AttributeProblem(ns3::TypeId type, const std::string& name, const std::string& value) {
  ns3::TypeId::AttributeInformation info;
  if (!type.LookupAttributeByName(name, &info)) return type.GetName() + " has no attribute " + name;
  if (!info.checker->CreateValidValue(ns3::StringValue(value))) {
    return "'" + value + "' is not a valid value of " + type.GetName() + "::" + name + " (" +
           info.checker->GetUnderlyingTypeInformation() + ")";
  }
  return std::nullopt;
}

// The public GRUU of a terminal (RFC 5627 3.1): the AOR with gr set to its instance URN.
std::string PublicGruu(const std::string& aor, const std::string& instance) {
  std::string urn = instance;
  if (urn.size() >= 2 && urn.front() == '<' && urn.back() == '>') urn = urn.substr(1, urn.size() - 2);
  return aor + ";gr=" + urn;
}

// Whether the profile has an iFC that sends REGISTERs to `host` (a third-party registration,
// TS 24.229 5.4.1.7): an application server on that host and a trigger point that can match
// REGISTER (none, or a REGISTER method condition).
bool HasThirdPartyRegistrationTo(const ims::ImsSubscription& subscription, std::string_view host) {
  for (const ims::ServiceProfile& profile : subscription.service_profiles) {
    for (const ims::InitialFilterCriteria& ifc : profile.initial_filter_criteria) {
      auto uri = wire::ParseSipUri(ifc.application_server.server_name);
      if (!uri.ok() || !wire::EqualsIgnoreCase(uri->host, host)) continue;
      if (!ifc.trigger_point) return true;
      for (const ims::ServicePointTrigger& spt : ifc.trigger_point->spts) {
        const auto* method = std::get_if<ims::MethodCondition>(&spt.condition);
        if (method && method->method == "REGISTER" && !spt.condition_negated) return true;
      }
    }
  }
  return false;
}

// The key of a push request: its Call-ID, and for a NOTIFY (which shares the Call-ID of its
// subscription dialog with every other NOTIFY of it) also its CSeq, as the receiver names it in
// PushDelivery::message_id.
std::string PushKey(const wire::SipMessage& message, wire::Method method) {
  std::string key(message.Get(wire::HeaderId::kCallId).value_or(""));
  if (method == wire::Method::kNotify) key += "/" + std::string(message.Get(wire::HeaderId::kCSeq).value_or(""));
  return key;
}

bool IsPushMethod(wire::Method method) {
  return method == wire::Method::kMessage || method == wire::Method::kInvite || method == wire::Method::kNotify ||
         method == wire::Method::kRefer;
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

  // Build steps after the core.
  std::optional<std::string> BuildPushServers(const std::function<void(ns3::Ptr<SipElementApplication>, std::string,
                                                                       std::string)>& add_element);
  std::optional<std::string> BuildUes(const RegistrationWorkload& registration);
  std::optional<std::string> BuildWorkloads();
  void AddNodes();

  // Push campaigns (one per push workload).
  struct Campaign {
    const PushWorkload* spec = nullptr;
    std::uint64_t sent = 0;
    std::uint64_t limit = 0;  // 0: until `stop`
    ns3::Time start;
    ns3::Time stop;
    ns3::Time last;
    ns3::Ptr<ns3::ExponentialRandomVariable> gaps;
    ns3::Ptr<ns3::UniformRandomVariable> uniform_sizes;
    ns3::Ptr<ns3::ExponentialRandomVariable> exponential_sizes;
    ns3::Ptr<ns3::UniformRandomVariable> picks;
    std::string app_id;
  };
  void StartCampaign(Campaign& campaign);
  void FirePush(Campaign& campaign);
  std::uint64_t DrawSize(Campaign& campaign);

  // Push bookkeeping: a record per push request sent, from the sender's Tx to its row.
  struct PushInfo {
    double created_s = 0;
    std::int64_t size = 0;
    std::string target_kind;
    std::string target_uri;
    std::size_t open_records = 0;
  };
  struct SentPush {
    push::PushId id = 0;
    std::string key;          // PushKey of the request
    std::string call_id;
    std::string request_uri;  // as sent by the AS
    std::string method;       // push::PushMethodName of the request actually sent
    std::optional<std::size_t> ue;           // the first UE the request reached
    std::optional<std::string> reached_uri;  // its Request-URI there
    std::optional<double> delivered_s;
    bool final_seen = false;  // a final response reached the AS
    std::optional<push::PushOutcome> outcome;
  };
  struct CapturedRequest {
    std::string key;
    std::string call_id;
    std::string request_uri;
    std::string method;
  };
  // Calls the sender (Push or ReferSubscribe) and ties the requests it sends to the push id.
  push::PushId CallSender(const PushInfo& info, const std::function<push::PushId()>& call);
  void OnSenderTx(const wire::SipMessage& message);
  void OnSenderRx(const wire::SipMessage& message);
  void OnOutcome(const push::PushOutcome& outcome);
  void OnUeRx(std::size_t ue, const wire::SipMessage& message);
  void OnUeDelivery(std::size_t ue, const push::PushDelivery& delivery);
  void WritePush(std::uint64_t record);
  void WriteUnsentPush(const push::PushOutcome& outcome);
  void FinishPushes();
  void ReleaseInfo(push::PushId id);

  std::string UeName(std::size_t ue) const {
    return "ue" + std::to_string(terminals_[ue].user) + "." + std::to_string(terminals_[ue].terminal);
  }

  const Scenario& scenario_;
  const RunSettings& settings_;
  Recorder& recorder_;
  std::ostream& diagnostics_;

  BuiltNetwork network_;
  std::vector<Terminal> terminals_;
  std::unique_ptr<ImsCoreHelper> core_;
  std::vector<ns3::Ptr<PushReceiverApplication>> ues_;
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

  ns3::Ptr<PushSenderApplication> sender_;
  std::string sender_node_;
  std::vector<ns3::Ptr<ReferFloodApplication>> floods_;
  std::string default_app_id_;
  // UEs subscribe to the sender's ua-profile package once registered (notify pushes need it).
  bool auto_profile_subscription_ = false;
  std::vector<bool> ue_profile_subscribed_;
  std::vector<std::unique_ptr<Campaign>> campaigns_;

  std::map<push::PushId, PushInfo> push_info_;
  std::map<std::uint64_t, SentPush> sent_;                  // by record number
  std::map<std::string, std::uint64_t> sent_by_key_;        // PushKey -> record
  std::map<push::PushId, std::vector<std::uint64_t>> sent_by_push_;
  std::uint64_t next_record_ = 0;
  bool in_sender_call_ = false;
  std::vector<CapturedRequest> captured_;
  std::vector<push::PushOutcome> deferred_outcomes_;
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
    } else if (setting.element != "ue" && setting.element != "as" && setting.element != "content") {
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
  const auto add_element = [&](ns3::Ptr<SipElementApplication> app, std::string name, std::string role) {
    if (!app) return;
    SampledElement element{std::move(name), std::move(role), app, {}};
    element_stream += app->AssignStreams(element_stream);
    element.previous = Snapshot(app->GetQueue());
    const std::string node = element.name;
    app->TraceConnectWithoutContext(
        "Refused", ns3::Callback<void, const std::string&, std::uint16_t>(
                       [this, node](const std::string& method, std::uint16_t code) {
                         recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), code == 503 ? "503" : "dropped",
                                                     node, method});
                       }));
    ConnectMessageTrace(app, node);
    elements_.push_back(std::move(element));
  };
  const auto add_core_element = [&](ns3::Ptr<SipElementApplication> app, NodeRole role) {
    if (!app) return;
    const auto holders = scenario_.topology.NodesWithRole(role);
    add_element(app, scenario_.topology.nodes[holders.front()].name, std::string(RoleName(role)));
  };
  add_core_element(core_->GetPCscf(), NodeRole::kPcscf);
  add_core_element(core_->GetICscf(), NodeRole::kIcscf);
  add_core_element(core_->GetScscf(), NodeRole::kScscf);
  if (auto problem = BuildPushServers(add_element)) return problem;

  // Registration workload: the first one; arrivals per UE.
  const RegistrationWorkload* registration = nullptr;
  RegistrationWorkload default_registration;
  for (const Workload& workload : scenario_.workloads) {
    const auto* spec = std::get_if<RegistrationWorkload>(&workload.spec);
    if (!spec) continue;
    if (registration) {
      Note(workload.where.file + ":" + std::to_string(workload.where.line) +
           ": only the first registration workload is run; this one is ignored");
    } else {
      registration = spec;
    }
  }
  if (!registration) registration = &default_registration;
  if (auto problem = BuildUes(*registration)) return problem;
  if (auto problem = BuildWorkloads()) return problem;
  AddNodes();

  if (!settings_.pcap_prefix.empty()) {
    ns3::PointToPointHelper().EnablePcapAll(settings_.pcap_prefix);
    EnableCellPcap(settings_.pcap_prefix, network_);
  }
  return std::nullopt;
}

// The push AS on the first `as` node, the content server, and a REFER flood per attacker node.
std::optional<std::string> Run::BuildPushServers(
    const std::function<void(ns3::Ptr<SipElementApplication>, std::string, std::string)>& add_element) {
  const Subscribers& subscribers = scenario_.subscribers;
  default_app_id_ = subscribers.app_ids.empty() ? std::string() : subscribers.app_ids.front();
  const std::size_t as_index = scenario_.topology.NodesWithRole(NodeRole::kAs).front();
  sender_node_ = scenario_.topology.nodes[as_index].name;

  PushSenderHelper senders(core_->GetResolver(), kPushAsHost);
  senders.SetAttribute("ContentBaseUrl", ns3::StringValue(std::string("http://") + kContentHost));
  // Without a push iFC in the profiles the AS learns nothing from the S-CSCF unless it asks.
  bool third_party = true;
  if (auto parsed = ims::ParseImsSubscription(ProfileOf(scenario_, subscribers.first_user)); parsed.ok()) {
    third_party = HasThirdPartyRegistrationTo(parsed.value(), kPushAsHost);
  }
  bool subscribe_reg_event = !third_party;
  for (const AttributeSetting& setting : scenario_.attributes) {
    if (setting.element != "as") continue;
    if (auto problem = AttributeProblem(PushSenderApplication::GetTypeId(), setting.attribute, setting.value)) {
      return setting.where.file + ":" + std::to_string(setting.where.line) + ": as." + setting.attribute + ": " +
             *problem;
    }
    if (setting.attribute == "SubscribeRegEvent") subscribe_reg_event = setting.value == "true" || setting.value == "1";
  }
  senders.SetAttribute("SubscribeRegEvent", ns3::BooleanValue(subscribe_reg_event));
  for (const AttributeSetting& setting : scenario_.attributes) {
    if (setting.element == "as" && setting.attribute != "SubscribeRegEvent") {
      senders.SetAttribute(setting.attribute, ns3::StringValue(setting.value));
    }
  }
  sender_ = senders.Install(network_.nodes[as_index].node);
  add_element(sender_, sender_node_, "as");
  sender_->TraceConnectWithoutContext(
      "Outcome", ns3::Callback<void, const push::PushOutcome&>([this](const push::PushOutcome& o) { OnOutcome(o); }));
  sender_->TraceConnectWithoutContext(
      "Tx", ns3::Callback<void, const wire::SipMessage&, std::size_t, const sip::Endpoint&>(
                [this](const wire::SipMessage& message, std::size_t, const sip::Endpoint&) { OnSenderTx(message); }));
  sender_->TraceConnectWithoutContext(
      "Rx", ns3::Callback<void, const wire::SipMessage&, std::size_t, const sip::Endpoint&>(
                [this](const wire::SipMessage& message, std::size_t, const sip::Endpoint&) { OnSenderRx(message); }));
  if (subscribe_reg_event) {
    // The agent exists once the application has started, at 0 s after this event: look again
    // at the same instant, after it.
    ns3::Simulator::Schedule(ns3::Seconds(0), [this] {
      ns3::Simulator::ScheduleNow([this] {
        push::PushSenderAgent* agent = sender_->GetAgent();
        if (!agent) return;
        for (std::uint64_t u = 0; u < scenario_.subscribers.users; ++u) {
          agent->Watch(scenario_.subscribers.AorOf(scenario_.subscribers.first_user + u));
        }
      });
    });
  }

  // The content server.
  const auto content_holders = scenario_.topology.NodesWithRole(NodeRole::kContent);
  const std::size_t content_index = content_holders.empty() ? as_index : content_holders.front();
  ContentServerHelper content(core_->GetResolver());
  content.SetAttribute("Host", ns3::StringValue(kContentHost));
  for (const AttributeSetting& setting : scenario_.attributes) {
    if (setting.element != "content") continue;
    if (auto problem = AttributeProblem(ContentServerApplication::GetTypeId(), setting.attribute, setting.value)) {
      return setting.where.file + ":" + std::to_string(setting.where.line) + ": content." + setting.attribute + ": " +
             *problem;
    }
    content.SetAttribute(setting.attribute, ns3::StringValue(setting.value));
  }
  content.Install(network_.nodes[content_index].node);

  // REFER floods: the first workload per attacker node (one SIP port per node).
  std::vector<std::string> attackers;
  for (const Workload& workload : scenario_.workloads) {
    const auto* flood = std::get_if<ReferFloodWorkload>(&workload.spec);
    if (!flood) continue;
    const std::string where = workload.where.file + ":" + std::to_string(workload.where.line);
    const auto index = network_.Find(flood->attacker);
    if (!index) return where + ": refer-flood: no node '" + flood->attacker + "' in the topology";
    if (std::find(attackers.begin(), attackers.end(), flood->attacker) != attackers.end()) {
      Note(where + ": only the first refer-flood workload of node " + flood->attacker + " is run");
      continue;
    }
    attackers.push_back(flood->attacker);
    ReferFloodHelper helper(core_->GetResolver(), subscribers.AorOf(flood->target), kFloodHost);
    helper.SetAttribute("Rate", ns3::DoubleValue(flood->rate));
    helper.SetAttribute("Start", ns3::TimeValue(ns3::NanoSeconds(flood->start.count())));
    helper.SetAttribute("Duration", ns3::TimeValue(ns3::NanoSeconds(flood->duration.count())));
    if (!default_app_id_.empty()) helper.SetAttribute("AppId", ns3::StringValue(default_app_id_));
    ns3::Ptr<ReferFloodApplication> app = helper.Install(network_.nodes[*index].node);
    add_element(app, flood->attacker, std::string(RoleName(network_.nodes[*index].role)));
    floods_.push_back(app);
  }
  return std::nullopt;
}

// UEs: one PushReceiverApplication per terminal.
std::optional<std::string> Run::BuildUes(const RegistrationWorkload& registration) {
  const Subscribers& subscribers = scenario_.subscribers;
  const std::vector<ns3::Time> register_at = RegistrationTimes(registration, terminals_.size());
  PushReceiverHelper ue_helper("", ImsCoreHelper::SipUriOf(*core_->GetPCscf()));
  ue_helper.SetAttribute("Resolver", ns3::PointerValue(core_->GetResolver()));
  ue_helper.SetAttribute("Gruu", ns3::BooleanValue(subscribers.gruu));
  ue_helper.SetAttribute("AppIds", ns3::StringValue(JoinComma(subscribers.app_ids)));
  ue_helper.SetAttribute("TrustedSenders",
                         ns3::StringValue(sender_->GetIdentity() + ",sip:" + std::string(kFloodHost)));
  const auto expires = std::chrono::duration_cast<std::chrono::seconds>(registration.reregister).count();
  ue_helper.SetAttribute("Expires", ns3::UintegerValue(static_cast<std::uint64_t>(std::max<std::int64_t>(expires, 1))));
  ue_helper.SetInstancePattern("<urn:uuid:{uuid}>");
  for (const AttributeSetting& setting : scenario_.attributes) {
    if (setting.element != "ue") continue;
    if (auto problem = AttributeProblem(PushReceiverApplication::GetTypeId(), setting.attribute, setting.value)) {
      Note(setting.where.file + ":" + std::to_string(setting.where.line) + ": ue." + setting.attribute +
           " is not used: " + *problem);
      continue;
    }
    ue_helper.SetAttribute(setting.attribute, ns3::StringValue(setting.value));
  }

  ns3::ApplicationContainer apps = ue_helper.Install(network_.ue_nodes);
  ues_.reserve(apps.GetN());
  ue_registered_.assign(apps.GetN(), false);
  ue_profile_subscribed_.assign(apps.GetN(), false);
  ue_attempts_.assign(apps.GetN(), OpenAttempt{});
  std::int64_t ue_stream = kUeStreams;
  for (std::uint32_t i = 0; i < apps.GetN(); ++i) {
    auto ue = ns3::DynamicCast<PushReceiverApplication>(apps.Get(i));
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
    ue->TraceConnectWithoutContext(
        "Rx", ns3::Callback<void, const wire::SipMessage&, std::size_t, const sip::Endpoint&>(
                  [this, index](const wire::SipMessage& message, std::size_t, const sip::Endpoint&) {
                    OnUeRx(index, message);
                  }));
    ue->TraceConnectWithoutContext("Delivery", ns3::Callback<void, const push::PushDelivery&>(
                                                   [this, index](const push::PushDelivery& delivery) {
                                                     OnUeDelivery(index, delivery);
                                                   }));
    const std::string name = UeName(i);
    const auto refer_event = [this, name](const char* kind) {
      return ns3::Callback<void, const push::ReferEvent&>([this, name, kind](const push::ReferEvent& event) {
        std::string detail = "REFER " + std::to_string(event.refer_id) + " from " + event.referrer;
        if (event.retry_after) detail += ", Retry-After " + std::to_string(event.retry_after);
        recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), kind, name, detail});
      });
    };
    ue->TraceConnectWithoutContext("LockoutEngaged", refer_event("lockout"));
    ue->TraceConnectWithoutContext("ReferDeferred", refer_event("refer-deferred"));
    ue->TraceConnectWithoutContext("ReferDiscarded", refer_event("refer-discarded"));
    ConnectMessageTrace(ue, name);
    ues_.push_back(ue);
  }
  return std::nullopt;
}

// Push, subscription, REFER and failure workloads.
std::optional<std::string> Run::BuildWorkloads() {
  const Subscribers& subscribers = scenario_.subscribers;
  // The terminals of each selected user, in UE order.
  const auto terminals_of = [this](const UserSelection& who) {
    std::vector<std::size_t> out;
    for (std::size_t ue = 0; ue < terminals_.size(); ++ue) {
      const std::uint64_t rank = terminals_[ue].user - scenario_.subscribers.first_user;
      if (who.all || rank < who.count) out.push_back(ue);
    }
    return out;
  };
  bool notify_pushes = false;
  bool profile_subscriptions = false;
  std::vector<std::string> floods_seen;
  std::int64_t push_stream = kPushStreams;
  for (const Workload& workload : scenario_.workloads) {
    const std::string where = workload.where.file + ":" + std::to_string(workload.where.line);
    if (const auto* spec = std::get_if<PushWorkload>(&workload.spec)) {
      auto campaign = std::make_unique<Campaign>();
      campaign->spec = spec;
      campaign->app_id = spec->app_id.empty() ? default_app_id_ : spec->app_id;
      campaign->gaps = ns3::CreateObject<ns3::ExponentialRandomVariable>();
      campaign->gaps->SetAttribute("Mean", ns3::DoubleValue(spec->rate > 0 ? 1.0 / spec->rate : 1.0));
      campaign->gaps->SetStream(push_stream);
      campaign->uniform_sizes = ns3::CreateObject<ns3::UniformRandomVariable>();
      campaign->uniform_sizes->SetStream(push_stream + 1);
      campaign->exponential_sizes = ns3::CreateObject<ns3::ExponentialRandomVariable>();
      const std::uint64_t mean = spec->size.values.empty() ? 0 : spec->size.values.front();
      campaign->exponential_sizes->SetAttribute("Mean", ns3::DoubleValue(static_cast<double>(mean)));
      campaign->exponential_sizes->SetStream(push_stream + 2);
      campaign->picks = ns3::CreateObject<ns3::UniformRandomVariable>();
      campaign->picks->SetStream(push_stream + 3);
      push_stream += kStreamsPerCampaign;
      notify_pushes = notify_pushes || spec->method == PushMethod::kNotify;
      Campaign* raw = campaign.get();
      campaigns_.push_back(std::move(campaign));
      StartCampaign(*raw);
    } else if (const auto* subscription = std::get_if<SubscriptionWorkload>(&workload.spec)) {
      profile_subscriptions = true;
      const auto expires = std::chrono::duration_cast<std::chrono::seconds>(subscription->expires).count();
      for (const std::size_t ue : terminals_of(subscription->who)) {
        ns3::Simulator::Schedule(ns3::NanoSeconds(subscription->at.count()), [this, ue, expires] {
          if (push::PushReceiverAgent* agent = ues_[ue]->GetAgent()) {
            agent->Subscribe(sender_->GetIdentity(), default_app_id_,
                             static_cast<std::uint32_t>(std::max<std::int64_t>(expires, 1)));
            ue_profile_subscribed_[ue] = true;
          }
        });
      }
    } else if (const auto* refer = std::get_if<ReferSubscriptionWorkload>(&workload.spec)) {
      if (!refer->from.empty() && refer->from != sender_node_) {
        Note(where + ": refer-subscription from " + refer->from + ": the push sender runs on " + sender_node_ +
             " only; the REFERs come from there");
      }
      std::vector<std::uint64_t> users;
      for (std::uint64_t u = 0; u < subscribers.users; ++u) {
        if (refer->who.all || u < refer->who.count) users.push_back(subscribers.first_user + u);
      }
      ns3::Simulator::Schedule(ns3::NanoSeconds(refer->at.count()), [this, users] {
        for (const std::uint64_t user : users) {
          PushInfo info;
          info.created_s = Seconds(ns3::Simulator::Now());
          info.target_kind = "user";
          info.target_uri = scenario_.subscribers.AorOf(user);
          CallSender(info, [this, &info] {
            push::PushSenderAgent* agent = sender_->GetAgent();
            return agent ? agent->ReferSubscribe(info.target_uri, default_app_id_) : push::PushId{0};
          });
        }
      });
    } else if (const auto* flood = std::get_if<ReferFloodWorkload>(&workload.spec)) {
      // The target's terminals: the workload's lockout (OMA 003 "Processing REFER requests").
      if (std::find(floods_seen.begin(), floods_seen.end(), flood->attacker) != floods_seen.end()) continue;
      floods_seen.push_back(flood->attacker);
      const char* mode = flood->lockout == Lockout::kNone ? "None" : flood->lockout == Lockout::kDefer ? "Defer" : "Discard";
      for (std::size_t ue = 0; ue < terminals_.size(); ++ue) {
        if (terminals_[ue].user != flood->target) continue;
        ues_[ue]->SetAttribute("ReferLockout", ns3::StringValue(mode));
        ues_[ue]->SetAttribute("LockoutDuration", ns3::TimeValue(ns3::NanoSeconds(flood->lockout_duration.count())));
      }
    } else if (const auto* failure = std::get_if<FailureWorkload>(&workload.spec)) {
      const auto index = network_.Find(failure->element);
      if (!index) return where + ": failure: no node '" + failure->element + "' in the topology";
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
  }
  auto_profile_subscription_ = notify_pushes && !profile_subscriptions;
  return std::nullopt;
}

// Every node that can appear in messages.node, with its address.
void Run::AddNodes() {
  for (const BuiltNode& node : network_.nodes) {
    std::ostringstream address;
    address << node.address;
    recorder_.AddNode(NodeRow{node.name, std::string(RoleName(node.role)), address.str()});
  }
  for (std::size_t ue = 0; ue < network_.ues.size() && ue < terminals_.size(); ++ue) {
    std::ostringstream address;
    address << network_.ues[ue].address;
    recorder_.AddNode(NodeRow{UeName(ue), "ue", address.str()});
  }
}

// Arrivals of a push workload, one event at a time (a campaign of a million pushes holds one
// pending event, not a million).
void Run::StartCampaign(Campaign& campaign) {
  const PushWorkload& spec = *campaign.spec;
  campaign.start = ns3::NanoSeconds(spec.start.count());
  const ns3::Time duration = ns3::NanoSeconds(scenario_.duration.count());
  campaign.stop = spec.stop ? std::min(ns3::NanoSeconds(spec.stop->count()), duration) : duration;
  campaign.limit = spec.count;
  if (spec.arrival == Arrival::kAllAtOnce && campaign.limit == 0) campaign.limit = scenario_.subscribers.users;
  if (spec.arrival == Arrival::kRamp && campaign.limit == 0) {
    const double window = std::max(0.0, Seconds(campaign.stop - campaign.start));
    campaign.limit = static_cast<std::uint64_t>(std::floor(spec.rate * window));
  }
  ns3::Time first = campaign.start;
  if (spec.arrival == Arrival::kPoisson) first += ns3::Seconds(campaign.gaps->GetValue());
  if (first >= campaign.stop && spec.arrival != Arrival::kAllAtOnce) return;
  if (spec.arrival == Arrival::kRamp && campaign.limit == 0) return;
  campaign.last = first;
  ns3::Simulator::Schedule(first, &Run::FirePush, this, std::ref(campaign));
}

std::uint64_t Run::DrawSize(Campaign& campaign) {
  const SizeDistribution& size = campaign.spec->size;
  if (size.values.empty()) return 0;
  switch (size.kind) {
    case SizeDistribution::Kind::kConstant:
      return size.values.front();
    case SizeDistribution::Kind::kUniform: {
      const std::uint64_t low = size.values.front();
      const std::uint64_t high = size.values.size() > 1 ? size.values[1] : low;
      return campaign.uniform_sizes->GetInteger(static_cast<std::uint32_t>(low), static_cast<std::uint32_t>(high));
    }
    case SizeDistribution::Kind::kExponential:
      return static_cast<std::uint64_t>(std::llround(campaign.exponential_sizes->GetValue()));
    case SizeDistribution::Kind::kList:
      return size.values[campaign.uniform_sizes->GetInteger(0, static_cast<std::uint32_t>(size.values.size() - 1))];
  }
  return size.values.front();
}

void Run::FirePush(Campaign& campaign) {
  const PushWorkload& spec = *campaign.spec;
  const Subscribers& subscribers = scenario_.subscribers;
  // The user: round robin from the first user, or uniformly at random.
  const std::uint64_t users = std::max<std::uint64_t>(subscribers.users, 1);
  const std::uint64_t rank =
      spec.pick == PushPick::kRandom
          ? campaign.picks->GetInteger(0, static_cast<std::uint32_t>(users - 1))
          : campaign.sent % users;
  const std::uint64_t user = subscribers.first_user + rank;
  ++campaign.sent;

  push::PushRequest request;
  request.app_id = campaign.app_id;
  request.content_type = "text/plain";
  request.size = DrawSize(campaign);  // content: push::SyntheticContent of this size, made by the agent
  request.delivery_report = spec.delivery_report;
  switch (spec.method) {
    case PushMethod::kAuto:
      request.method = push::PushRequest::kAuto;
      break;
    case PushMethod::kIndirection:
      request.method = push::PushRequest::kIndirection;
      break;
    case PushMethod::kMessage:
      request.method = push::PushRequest::kMessage;
      break;
    case PushMethod::kInviteMsrp:
      request.method = push::PushRequest::kInviteMsrp;
      break;
    case PushMethod::kNotify:
      request.method = push::PushRequest::kNotify;
      break;
  }
  PushInfo info;
  info.created_s = Seconds(ns3::Simulator::Now());
  info.size = static_cast<std::int64_t>(request.size);
  info.target_kind = std::string(PushTargetName(spec.target));
  const std::string aor = subscribers.AorOf(user);
  switch (spec.target) {
    case PushTarget::kUser:
      request.target = push::PushRequest::kUser;
      request.uri = aor;
      break;
    case PushTarget::kGruu: {
      // The user's first terminal.
      request.target = push::PushRequest::kTerminal;
      request.uri = aor;
      for (std::size_t ue = 0; ue < terminals_.size(); ++ue) {
        if (terminals_[ue].user == user) {
          request.uri = PublicGruu(aor, ue_instances_[ue]);
          break;
        }
      }
      break;
    }
    case PushTarget::kAllTerminals:
      request.target = push::PushRequest::kAllTerminals;
      request.uri = aor;
      break;
  }
  info.target_uri = request.uri;
  CallSender(info, [this, &request] { return sender_->Push(request); });

  // The next arrival.
  ns3::Time next;
  switch (spec.arrival) {
    case Arrival::kPeriodic:
      next = campaign.start + ns3::Seconds(spec.rate > 0 ? static_cast<double>(campaign.sent) / spec.rate : 0.0);
      break;
    case Arrival::kPoisson:
      next = campaign.last + ns3::Seconds(campaign.gaps->GetValue());
      break;
    case Arrival::kAllAtOnce:
      next = campaign.start;
      break;
    case Arrival::kRamp: {
      const std::int64_t window = (campaign.stop - campaign.start).GetNanoSeconds();
      next = campaign.start + ns3::NanoSeconds(static_cast<std::int64_t>(static_cast<long double>(window) *
                                                                          campaign.sent / campaign.limit));
      break;
    }
  }
  if (campaign.limit != 0 && campaign.sent >= campaign.limit) return;
  if (spec.arrival != Arrival::kAllAtOnce && next >= campaign.stop) return;
  campaign.last = next;
  ns3::Simulator::Schedule(next - ns3::Simulator::Now(), &Run::FirePush, this, std::ref(campaign));
}

push::PushId Run::CallSender(const PushInfo& info, const std::function<push::PushId()>& call) {
  in_sender_call_ = true;
  captured_.clear();
  deferred_outcomes_.clear();
  const push::PushId id = call();
  in_sender_call_ = false;
  if (id == 0) return 0;  // the sender is not running
  PushInfo& kept = push_info_[id];
  kept = info;
  for (CapturedRequest& request : captured_) {
    const std::uint64_t record = ++next_record_;
    SentPush& sent = sent_[record];
    sent.id = id;
    sent.key = std::move(request.key);
    sent.call_id = std::move(request.call_id);
    sent.request_uri = std::move(request.request_uri);
    sent.method = std::move(request.method);
    sent_by_key_[sent.key] = record;
    sent_by_push_[id].push_back(record);
    ++kept.open_records;
  }
  captured_.clear();
  std::vector<push::PushOutcome> outcomes;
  outcomes.swap(deferred_outcomes_);
  for (const push::PushOutcome& outcome : outcomes) OnOutcome(outcome);
  ReleaseInfo(id);
  return id;
}

void Run::OnSenderTx(const wire::SipMessage& message) {
  if (!in_sender_call_ || !message.IsRequest() || !IsPushMethod(message.method())) return;
  CapturedRequest request;
  request.key = PushKey(message, message.method());
  request.call_id = std::string(message.Get(wire::HeaderId::kCallId).value_or(""));
  request.request_uri = std::string(message.request_uri());
  switch (message.method()) {
    case wire::Method::kMessage: {
      const std::string_view type = message.Get(wire::HeaderId::kContentType).value_or("");
      const bool external = wire::StartsWithIgnoreCase(type, "message/external-body");
      request.method = std::string(push::PushMethodName(external ? push::PushMethod::kIndirection : push::PushMethod::kMessage));
      break;
    }
    case wire::Method::kInvite:
      request.method = std::string(push::PushMethodName(push::PushMethod::kInviteMsrp));
      break;
    case wire::Method::kNotify:
      request.method = std::string(push::PushMethodName(push::PushMethod::kNotify));
      break;
    default:
      request.method = std::string(push::PushMethodName(push::PushMethod::kRefer));
      break;
  }
  captured_.push_back(std::move(request));
}

void Run::OnSenderRx(const wire::SipMessage& message) {
  if (!message.IsResponse() || message.status_code() < 200 || !IsPushMethod(message.cseq_method())) return;
  auto it = sent_by_key_.find(PushKey(message, message.cseq_method()));
  if (it != sent_by_key_.end()) sent_[it->second].final_seen = true;
}

void Run::OnOutcome(const push::PushOutcome& outcome) {
  if (in_sender_call_) {
    deferred_outcomes_.push_back(outcome);
    return;
  }
  if (outcome.status != push::AppStatus::kAccepted) {
    recorder_.AddEvent(EventRow{Seconds(ns3::Simulator::Now()), "push-failed", sender_node_,
                                std::string(push::PushMethodName(outcome.method)) + " " + std::to_string(outcome.code)});
  }
  // The record of this request: the one sent to outcome.terminal, else the first still open.
  auto by_push = sent_by_push_.find(outcome.id);
  std::optional<std::uint64_t> match;
  if (by_push != sent_by_push_.end()) {
    for (const std::uint64_t record : by_push->second) {
      const SentPush& sent = sent_.at(record);
      if (!sent.outcome && sent.request_uri == outcome.terminal) {
        match = record;
        break;
      }
    }
    if (!match) {
      for (const std::uint64_t record : by_push->second) {
        if (!sent_.at(record).outcome) {
          match = record;
          break;
        }
      }
    }
  }
  if (!match) {
    WriteUnsentPush(outcome);
    return;
  }
  SentPush& sent = sent_.at(*match);
  sent.outcome = outcome;
  // An accepted push waits for its delivery at the UE (indirection: after the fetch); a REFER
  // delivers no content.
  if (outcome.status != push::AppStatus::kAccepted || sent.delivered_s || outcome.method == push::PushMethod::kRefer) {
    WritePush(*match);
  }
}

void Run::OnUeRx(std::size_t ue, const wire::SipMessage& message) {
  if (!message.IsRequest() || !IsPushMethod(message.method())) return;
  auto it = sent_by_key_.find(PushKey(message, message.method()));
  if (it == sent_by_key_.end()) return;
  SentPush& sent = sent_.at(it->second);
  if (sent.ue) return;
  sent.ue = ue;
  sent.reached_uri = std::string(message.request_uri());
}

void Run::OnUeDelivery(std::size_t ue, const push::PushDelivery& delivery) {
  std::optional<std::uint64_t> match;
  if (delivery.via == push::PushVia::kMsrp) {
    // The file-selector name the sender gives a single-file push: "push<id>".
    const std::string name = delivery.file && delivery.file->name ? *delivery.file->name : std::string();
    if (name.rfind("push", 0) != 0) return;
    const push::PushId id = std::strtoull(name.c_str() + 4, nullptr, 10);
    auto by_push = sent_by_push_.find(id);
    if (by_push == sent_by_push_.end()) return;
    for (const std::uint64_t record : by_push->second) {
      if (sent_.at(record).ue == ue) match = record;
    }
  } else {
    auto it = sent_by_key_.find(delivery.message_id);
    if (it != sent_by_key_.end()) match = it->second;
  }
  if (!match) return;
  SentPush& sent = sent_.at(*match);
  if (sent.delivered_s) return;
  sent.delivered_s = Seconds(ns3::Simulator::Now());
  if (!sent.ue) sent.ue = ue;
  if (sent.outcome) WritePush(*match);
}

void Run::WritePush(std::uint64_t record) {
  auto it = sent_.find(record);
  if (it == sent_.end()) return;
  SentPush& sent = it->second;
  const PushInfo& info = push_info_.at(sent.id);
  PushRow row;
  row.push_id = static_cast<std::int64_t>(sent.id);
  row.created_s = info.created_s;
  row.method = sent.method;
  row.size_bytes = info.size;
  row.target_kind = info.target_kind;
  row.target_uri = info.target_uri;
  if (sent.request_uri.find(";gr=") != std::string::npos) {
    row.terminal = sent.request_uri;
  } else if (sent.reached_uri) {
    row.terminal = sent.reached_uri;
  }
  row.app_status = std::string(push::AppStatusName(push::AppStatus::kPending));
  if (sent.outcome) {
    const push::PushOutcome& outcome = *sent.outcome;
    row.app_status = std::string(push::AppStatusName(outcome.status));
    row.retries = outcome.retries;
    // A timeout (the agent's 408) is no response: NULL code and delay.
    if (sent.final_seen && outcome.code >= 100) {
      row.final_code = outcome.code;
      row.response_delay_s = std::chrono::duration<double>(outcome.final_response - outcome.created).count();
    }
  }
  if (sent.delivered_s) row.delivery_delay_s = *sent.delivered_s - info.created_s;
  row.call_id = sent.call_id;
  recorder_.AddPush(std::move(row));

  const push::PushId id = sent.id;
  sent_by_key_.erase(sent.key);
  auto& records = sent_by_push_[id];
  records.erase(std::remove(records.begin(), records.end(), record), records.end());
  if (records.empty()) sent_by_push_.erase(id);
  sent_.erase(it);
  --push_info_.at(id).open_records;
  ReleaseInfo(id);
}

// An outcome without a request sent (no target, or the sender refused at once).
void Run::WriteUnsentPush(const push::PushOutcome& outcome) {
  auto info = push_info_.find(outcome.id);
  if (info == push_info_.end()) return;
  PushRow row;
  row.push_id = static_cast<std::int64_t>(outcome.id);
  row.created_s = info->second.created_s;
  row.method = std::string(push::PushMethodName(outcome.method));
  row.size_bytes = info->second.size;
  row.target_kind = info->second.target_kind;
  row.target_uri = info->second.target_uri;
  row.app_status = std::string(push::AppStatusName(outcome.status));
  row.retries = outcome.retries;
  recorder_.AddPush(std::move(row));
}

void Run::ReleaseInfo(push::PushId id) {
  auto it = push_info_.find(id);
  if (it != push_info_.end() && it->second.open_records == 0 && !in_sender_call_) push_info_.erase(it);
}

// Pushes still open when the run ends: accepted but not delivered, or without a final outcome.
void Run::FinishPushes() {
  while (!sent_.empty()) WritePush(sent_.begin()->first);
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
  if (registered && auto_profile_subscription_ && !ue_profile_subscribed_[ue]) {
    // OMA 004: notify pushes go in a ua-profile subscription of the terminal.
    ue_profile_subscribed_[ue] = true;
    ns3::Simulator::ScheduleNow([this, ue] {
      if (push::PushReceiverAgent* agent = ues_[ue]->GetAgent()) {
        agent->Subscribe(sender_->GetIdentity(), default_app_id_, 3600);
      }
    });
  }
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
  FinishPushes();
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
    // Building 100,000 UEs takes a while before the first simulated second: say so.
    const auto build_start = std::chrono::steady_clock::now();
    const std::uint64_t ues = scenario.subscribers.TotalTerminals();
    if (settings.progress && ues >= 10000) diagnostics << scenario.name << ": building the network and " << ues << " UEs\n";
    auto problem = run.Build();
    const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
    if (settings.progress && ues >= 10000) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.1f", build_s);
      diagnostics << scenario.name << ": built in " << seconds << " s\n";
    }
    if (problem) {
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
  // Per method: outcomes (push_success; failed: ended without being accepted, so a timeout is
  // both failed and unanswered) and the delivery delay percentiles (push_latency).
  Query methods(db,
                "SELECT s.method, s.pushes, s.accepted, s.delivered, "
                "(SELECT COUNT(*) FROM pushes p WHERE p.run_id = s.run_id AND p.method = s.method AND "
                "p.app_status NOT IN ('accepted', 'pending')), s.unanswered, l.p50_s, l.p95_s, l.p99_s "
                "FROM push_success s LEFT JOIN push_latency l ON l.run_id = s.run_id AND l.method = s.method AND "
                "l.metric = 'delivery' WHERE s.run_id = ? ORDER BY s.method");
  if (!summary.statement || !peaks.statement || !methods.statement) {
    return DbError{sqlite3_errcode(db), sqlite3_errmsg(db)};
  }
  std::ostringstream elements;
  std::ostringstream pushes;
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
    sqlite3_reset(methods.statement);
    sqlite3_bind_int64(methods.statement, 1, run_id);
    while (sqlite3_step(methods.statement) == SQLITE_ROW) {
      sqlite3_stmt* row = methods.statement;
      pushes << Pad(std::to_string(run_id), 5) << "  " << Pad(Column(row, 0), 22, false) << Pad(Column(row, 1), 8)
             << Pad(Column(row, 2), 10) << Pad(Column(row, 3), 11) << Pad(Column(row, 4), 8) << Pad(Column(row, 5), 12)
             << Pad(Column(row, 6, "%.1fms", 1000), 10) << Pad(Column(row, 7, "%.1fms", 1000), 10)
             << Pad(Column(row, 8, "%.1fms", 1000), 10) << "\n";
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
  const std::string push_rows = pushes.str();
  if (!push_rows.empty()) {
    out << "\n" << Pad("run", 5) << "  " << Pad("method", 22, false) << Pad("pushes", 8) << Pad("accepted", 10)
        << Pad("delivered", 11) << Pad("failed", 8) << Pad("unanswered", 12) << Pad("p50", 10) << Pad("p95", 10)
        << Pad("p99", 10) << "\n"
        << push_rows;
  }
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
