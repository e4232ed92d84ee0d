// Scenario files: what `pushsim run`, `sweep` and `check` read. A scenario is YAML, written by
// hand, with comments, units in values and a default for everything optional:
//
//   name: quickstart
//   duration: 30s
//   seed: 1
//   topology: {file: topologies/quickstart.dot}      # relative to this file
//   core:
//     icscf: true                                     # or false, or a map of attributes
//     scscf: {QueueCapacity: 200, RegisterServiceTime: "ns3::ConstantRandomVariable[Constant=0.002]"}
//   subscribers:
//     users: 6
//     terminals_per_user: 1
//     terminals: {3: 2}                               # user 3 has two terminals
//     aor: "sip:user{i}@home1.net"
//     app_ids: [mms.ua]
//     gruu: true
//     profile: profiles/user.xml                      # TS 29.228 template, {aor} replaced
//     cells: [cell1, cell2]                           # round robin; default: every cell
//   workloads:
//     - registration: {arrival: poisson, rate: 50/s, start: 0s}
//     - push: {arrival: poisson, rate: 2/s, start: 5s, method: auto, size: "uniform(100B, 8KiB)",
//              pick: round-robin}                   # or random: which user each push goes to
//     - failure: {element: pcscf, down: 10s, up: 12s}
//   set: {scscf.QueueCapacity: 100}                   # the keys --set takes
//   trace: {messages: summary, pcap: false}
//   sampling: {interval: 1s}
//   sweep:                                            # what `pushsim sweep` varies (run ignores it)
//     vary: {push.rate: [50/s, 100/s, 200/s]}         # exactly one key, any key --set takes
//     runs: 3                                         # replications per value
//
// Every error names the file, line and column and what was expected. `--set key=value`
// (ApplyOverride) and the file's `set:` section take the same keys:
//   duration, seed, core.icscf, trace.messages, trace.pcap, sampling.interval,
//   subscribers.users, subscribers.terminals_per_user, subscribers.gruu, subscribers.aor,
//   ELEMENT.Attribute  (ELEMENT: pcscf, icscf, scscf, hss, as, content, attacker, ue; an ns-3
//                       attribute),
//   KIND.field         (the only workload of that kind, e.g. push.rate=20/s),
//   workloads.N.field  (the N-th workload, counted from 0).
//
// ns-3 attribute values are checked against the element's ns-3 TypeId: the attribute must exist
// and the value convert. The types: pcscf, icscf, scscf, hss (the IMS core), as
// (PushSenderApplication), content (ContentServerApplication), attacker (ReferFloodApplication)
// and ue (PushReceiverApplication: every UE is a push receiver). Time values take this file's
// durations ("2ms"); random variables take "ns3::ConstantRandomVariable[Constant=1]".
//
// The sweep section: each value is checked as `--set KEY=VALUE` would be, against the whole
// scenario, and an error names the value's line and column. It is not part of ParametersJson (a
// run is one point of a sweep; the runs table records the value).
//
// Limits (kMax* below): scenario and profile text at most 1 MiB each; at most 10,000,000 users and
// terminals in all, 64 terminals per user, 1,000 workloads, 64 application ids; seeds 1 to 2^32-1.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "topology.h"

namespace pushsim::runner {

inline constexpr std::size_t kMaxScenarioBytes = 1u << 20;
inline constexpr std::uint64_t kMaxUsers = 10'000'000;
inline constexpr std::uint64_t kMaxTerminalsPerUser = 64;
inline constexpr std::uint64_t kMaxTerminals = 10'000'000;
inline constexpr std::size_t kMaxWorkloads = 1000;
inline constexpr std::size_t kMaxAppIds = 64;

// Where a value came from, for errors found after parsing (e.g. by the runner).
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Arrival { kAllAtOnce, kPoisson, kRamp, kPeriodic };
enum class PushMethod { kAuto, kMessage, kIndirection, kInviteMsrp, kNotify };
enum class PushTarget { kUser, kGruu, kAllTerminals };
// Which user each push of a campaign goes to: the users in turn from the first (so `count:
// <users>` pushes every user once), or one drawn uniformly for each push.
enum class PushPick { kRoundRobin, kRandom };
enum class Lockout { kNone, kDefer, kDiscard };
enum class MessageTrace { kOff, kSummary, kFull };

std::string_view ArrivalName(Arrival arrival);
std::string_view PushMethodName(PushMethod method);
std::string_view PushTargetName(PushTarget target);
std::string_view PushPickName(PushPick pick);  // round-robin | random
std::string_view LockoutName(Lockout lockout);
std::string_view MessageTraceName(MessageTrace trace);

// Content sizes in bytes: constant(v) | uniform(min, max) | exponential(mean) | list(v1, v2, ...)
// (each value of a list equally likely). A bare size ("4KiB") is constant.
struct SizeDistribution {
  enum class Kind { kConstant, kUniform, kExponential, kList };
  Kind kind = Kind::kConstant;
  std::vector<std::uint64_t> values = {1024};
  std::string Text() const;  // canonical, parses back to the same value
};

// Which users a subscription workload covers: all, or the first `count`.
struct UserSelection {
  bool all = true;
  std::uint64_t count = 0;
  std::string Text() const;
};

// Registration of every terminal: all at `start` (as after an outage), Poisson at `rate`, or
// spread evenly over `ramp` from `start`. `reregister` is the Expires the UE asks for; it
// refreshes before it runs out (TS 24.229 5.1.1.4).
struct RegistrationWorkload {
  Arrival arrival = Arrival::kAllAtOnce;
  double rate = 0;  // per second; required for poisson
  Duration start{0};
  Duration ramp{0};  // required for ramp
  Duration reregister = std::chrono::seconds(600000);  // TS 24.229 5.1.1.2: 600000 s
};

// A push campaign from the application server: pushes arrive by `arrival` at `rate` from `start`
// until `stop` (default: the end of the run) or `count` pushes (0: no limit).
struct PushWorkload {
  Arrival arrival = Arrival::kPoisson;
  double rate = 1.0;
  Duration start{0};
  std::optional<Duration> stop;
  std::uint64_t count = 0;
  PushMethod method = PushMethod::kAuto;
  SizeDistribution size;
  PushTarget target = PushTarget::kUser;
  PushPick pick = PushPick::kRoundRobin;
  std::string app_id;  // empty: the first of subscribers.app_ids
  bool delivery_report = false;
};

// Each terminal of the selected users SUBSCRIBEs at `at` to the push sender's ua-profile event
// package (RFC 6080), the Push subscription model of OMA 004; `event` accepts only ua-profile.
struct SubscriptionWorkload {
  UserSelection who;
  Duration at{0};
  std::string event = "ua-profile";
  Duration expires = std::chrono::seconds(3600);
};

// A REFER from node `from` (an application server; default the first) that makes each selected
// UE subscribe to its ua-profile package (OMA 003 6.2.3.3: REFER-triggered subscription).
struct ReferSubscriptionWorkload {
  UserSelection who;
  Duration at{0};
  std::string from;  // node name
  std::string event = "ua-profile";
};

// An attacker node sends REFERs for user `target` at `rate` from `start` for `duration`; the
// target's terminals apply `lockout` for `lockout_duration` once they detect the flood.
struct ReferFloodWorkload {
  std::string attacker;  // node name, role attacker
  std::uint64_t target = 0;  // user number
  double rate = 10.0;
  Duration start{0};
  Duration duration = std::chrono::seconds(10);
  Lockout lockout = Lockout::kNone;
  Duration lockout_duration = std::chrono::seconds(60);
};

// Node `element` stops at `down` and starts again at `up` (never when absent).
struct FailureWorkload {
  std::string element;  // node name
  Duration down{0};
  std::optional<Duration> up;
};

using WorkloadSpec = std::variant<RegistrationWorkload, PushWorkload, SubscriptionWorkload,
                                  ReferSubscriptionWorkload, ReferFloodWorkload, FailureWorkload>;
// The YAML key of each alternative: registration, push, subscription, refer-subscription,
// refer-flood, failure.
std::string_view WorkloadKind(const WorkloadSpec& spec);

struct Workload {
  WorkloadSpec spec;
  SourcePosition where;
};

// An ns-3 attribute of one element, its value as ns-3 reads it from a StringValue.
struct AttributeSetting {
  std::string element;  // pcscf, icscf, scscf, hss, as, content, ue
  std::string attribute;
  std::string value;
  SourcePosition where;
};

struct Subscribers {
  std::uint64_t users = 1;
  std::uint64_t terminals_per_user = 1;
  std::map<std::uint64_t, std::uint64_t> terminals;  // user number -> terminals, overriding the above
  std::uint64_t first_user = 1;                      // the {i} of the first user
  std::string aor = "sip:user{i}@home1.net";
  std::vector<std::string> app_ids = {"mms.ua"};
  bool gruu = true;
  std::string profile;       // absolute path, empty: the HSS default profile
  std::string profile_text;  // its contents
  std::vector<std::string> cells;  // empty: every cell of the topology, in DOT order

  std::uint64_t TerminalsOf(std::uint64_t user) const;
  std::uint64_t TotalTerminals() const;
  std::string AorOf(std::uint64_t user) const;  // {i} replaced by the user number
};

// One UE: a terminal of a user, and the cell it is attached to.
struct Terminal {
  std::uint64_t user = 0;      // user number
  std::uint64_t terminal = 0;  // 0-based among the user's terminals
  std::string aor;
  std::size_t cell = 0;  // index into Topology::nodes
};

// The `sweep:` section: one key varied over values, each run `runs` times.
struct SweepSpec {
  std::string key;                  // any key --set takes, e.g. push.rate
  std::vector<std::string> values;  // as written, e.g. "50/s"
  std::uint64_t runs = 1;           // replications per value
  SourcePosition where;             // the key's position in the file
};

inline constexpr std::size_t kMaxSweepValues = 1000;
inline constexpr std::uint64_t kMaxSweepRuns = 100000;

struct Scenario {
  std::string file;  // as given to LoadScenario
  std::string name;
  std::string description;
  Duration duration = std::chrono::seconds(60);
  std::uint64_t seed = 1;
  std::string topology_file;  // resolved against the scenario file's directory
  Topology topology;
  bool icscf = true;
  std::vector<AttributeSetting> attributes;  // file order, then `set:`, then --set; later wins
  Subscribers subscribers;
  std::vector<Workload> workloads;
  MessageTrace messages = MessageTrace::kSummary;
  bool pcap = false;
  Duration sample_interval = std::chrono::seconds(1);
  std::vector<std::string> overrides;  // the --set texts applied, in order
  std::optional<SweepSpec> sweep;      // what `pushsim sweep` varies; `pushsim run` ignores it

  // The scenario file as read, for the runs table.
  const std::string& Text() const { return text_; }
  // Every typed value as JSON with keys in a fixed order: equal scenarios give equal text.
  std::string ParametersJson() const;
  // The UEs in order (user by user, terminal by terminal), cells assigned round robin.
  std::vector<Terminal> Terminals() const;
  // The last value set for element.attribute, if any.
  std::optional<std::string> Attribute(std::string_view element, std::string_view attribute) const;

  std::string text_;
};

// `text` as a JSON string literal, quotes included (RFC 8259 section 7).
std::string JsonQuote(std::string_view text);

// Parses scenario text. `file` names it in errors and anchors relative paths (topology, profile).
Loaded<Scenario> ParseScenario(std::string_view text, const std::string& file);
// Reads and parses a file.
Loaded<Scenario> LoadScenario(const std::string& path);
// Applies "key=value" as --set does; on error the scenario is left unchanged and the error names
// "--set" with the column in `assignment`.
std::optional<SourceError> ApplyOverride(Scenario& scenario, std::string_view assignment);

// The one-screen summary `pushsim check` prints.
std::string ScenarioSummary(const Scenario& scenario);

}  // namespace pushsim::runner
