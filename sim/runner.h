// `pushsim run`: runs a scenario and records every figure in the results database.
//
// One run (RunScenario):
//   * the network is built from the topology with static routes (topology.h), and every node is
//     recorded in `nodes`: topology nodes by DOT name and role, UEs as "ue<user>.<terminal>";
//   * the IMS core is installed on the nodes with those roles: P-CSCF, S-CSCF, HSS, and the
//     I-CSCF only when the scenario has `core.icscf` and the topology an icscf node; the
//     scenario's pcscf/icscf/scscf/hss attributes are set on the core's factories;
//   * every user is added to the HSS from the scenario's profile template ({aor} replaced by the
//     user's public identity) or, without one, from kDefaultProfileTemplate, which carries the
//     push iFC: every REGISTER whose Contact has +g.oma.pusheventapp is reported to the push AS by
//     a third-party REGISTER with the UE's REGISTER and the 200 in its body (TS 24.229 5.4.1.7,
//     TS 29.228 B.2.2), so the sender learns terminals, GRUUs and application ids (TS 6.1 items
//     1-3);
//   * the Push Sender Agent (PushSenderApplication, host kPushAsHost) on the first `as` node, with
//     the scenario's `as` attributes. When the first user's profile has no iFC naming kPushAsHost
//     for REGISTER, no third-party REGISTER will come, so the sender's SubscribeRegEvent defaults
//     to true and it subscribes to every user's reg event (RFC 3680) at the start of the run
//     (`as.SubscribeRegEvent` overrides either default);
//   * the content server of content indirection (RFC 4483, host content.home1.net) on the
//     `content` node, or on the `as` node when there is none, with the `content` attributes;
//   * one PushReceiverApplication per terminal on its own UE node, registering its user's AOR with
//     an instance ID (RFC 5626, "<urn:uuid:...>" made from the UE's index), GRUU (RFC 5627) if the
//     scenario asks, and the application ids in +g.oma.pusheventapp (TS 7.2); it trusts the push
//     AS and the REFER flood's identity as senders (TS 12.3.2); the scenario's `ue` attributes
//     apply to every UE (an attribute the receiver does not have is reported and skipped);
//   * registration arrivals from the first registration workload (all at once at `start`,
//     Poisson at `rate` from `start`, or evenly over `ramp` from `start`; none: all at once at 0),
//     with `reregister` as the Expires the UEs ask for;
//   * push workloads: arrivals from `start` while before `stop` (default: the end of the run) and
//     until `count` pushes (0: no limit): periodic at `rate`, Poisson at `rate`, all at once at
//     `start` (`count` pushes, default one per user) or a ramp (`count` pushes, default
//     rate x (stop - start), evenly over [start, stop)). Each push goes to one user by `pick`:
//     round robin from the first user (so `count: <users>` reaches every user once) or uniformly
//     at random; its content is real bytes (push::SyntheticContent) whose size is drawn from
//     `size`. Each random draw (arrival gaps, sizes, users) comes from a stream of its own per
//     workload. `target: user` addresses the
//     public identity (the S-CSCF forks, RFC 3841), `gruu` the public GRUU of the user's first
//     terminal (RFC 5627 3.1), `all-terminals` one request per terminal the sender knows. Method
//     `auto` is the sender's choice (TS 9.1.2 step 8: MESSAGE while the request stays within
//     1300 bytes, else `as.LargeContent`, indirection by default); message, indirection,
//     invite-msrp and notify are forced whatever the size;
//   * notify pushes need a ua-profile subscription (OMA 004): when a push workload uses notify and
//     no subscription workload subscribes to ua-profile, every UE subscribes to the sender's
//     ua-profile package for the push application as soon as it is first registered;
//   * subscription workloads: at `at`, each terminal of the selected users subscribes to the push
//     AS's ua-profile package (OMA 004) for `expires`;
//   * refer-subscription workloads: at `at`, the push AS sends each selected user a REFER that
//     makes the UE subscribe to its ua-profile package (OMA 003 6.2.3.3); a row in `pushes` with
//     method REFER per REFER;
//   * the first refer-flood workload per attacker node: a ReferFloodApplication (host
//     flood.home1.net) on the attacker sends REFERs to the target user at `rate` from `start`
//     for `duration`; the target's terminals get the workload's `lockout` (ReferLockout) and
//     `lockout_duration` (LockoutDuration);
//   * failure workloads cut the named node off the network from `down` to `up`: every device of
//     the node and the device at the other end of each of its links drops every packet it
//     receives (the node's applications keep their state, as behind a failed link).
//
// Randomness: ns-3's RngSeedManager gets the run's seed (run number 1) and every random variable
// of the run gets a fixed stream number, so a run does not depend on what ran before it in the
// process: the same scenario, parameters and seed give the same rows (Recorder::DumpRun).
//
// Rows (results/README.md): a `registrations` row per REGISTER attempt that ended (from the UE's
// "RegistrationState" trace: start = end - Registration Request Delay; attempts still in flight
// when the run ends are not recorded); an `element_samples` row per SIP element (P-CSCF, I-CSCF,
// S-CSCF, the push AS) per sampling interval with the per-method split; a `pushes` row per push
// request and target (an all-terminals push gives one per terminal): created when the push was
// asked for, the method of the request actually sent, the final code as the sender received it
// (NULL when none came: a timeout the agent reports as 408 stays NULL), the Appendix D status
// ("pending" when the run ended first), the response delay, the delivery delay from the UE's
// Delivery trace (the push is matched by the Call-ID of its request, the Call-ID and CSeq of a
// NOTIFY, or the file-selector name "push<id>" of an MSRP transfer; the first delivery counts),
// the retries and the Call-ID; `events` for each refused request (kind "503", or "dropped" when
// the element drops it), element-down / element-up, lockout / refer-deferred / refer-discarded at
// a UE (element = the UE's node name) and push-failed (a push ended without being accepted;
// detail = method and code); `messages` for every message a SIP element, the push AS, the flood
// or a UE sends or receives when trace.messages is summary or full.
//
// Limits: a run holds the network in memory (about what ns-3 needs per node); rows are written
// in batches by the recorder, so the message log does not accumulate in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "recorder.h"
#include "scenario.h"

namespace pushsim::runner {

// The HSS profile used when the scenario has none: one private identity, the user's public
// identity ({aor}; {private} is the AOR without its scheme), and the push iFC (third-party
// REGISTER to kPushAsHost with the REGISTER and its 200, TS 24.229 5.4.1.7).
extern const char* const kDefaultProfileTemplate;

// The push AS's host name: the name the S-CSCF trusts as an application server by default
// (ImsCoreHelper) and its asserted identity is sip:<this>.
extern const char* const kPushAsHost;

// The options of `pushsim run` besides the scenario file.
struct RunOptions {
  std::vector<std::string> overrides;    // --set key=value, in order
  std::optional<std::uint64_t> seed;     // --seed: replaces the scenario's seed
  std::uint64_t runs = 1;                // --runs: replications, seeds seed, seed + 1, ...
  std::string database;                  // --db; empty: DefaultDatabasePath
  std::string pcap_dir;                  // --pcap; empty: results/pcap if the scenario's trace.pcap
  bool quiet = false;                    // --quiet: no progress bar
};

// What one run left behind.
struct RunOutcome {
  std::int64_t run_id = 0;
  RunStatus status = RunStatus::kFailed;
  std::string error;
  std::uint64_t seed = 0;
  double sim_reached_s = 0;
  std::uint64_t events = 0;  // simulator events executed
  double wall_s = 0;
};

// Settings of one run that are not in the scenario.
struct RunSettings {
  std::uint64_t seed = 1;
  std::int64_t replication = 0;
  std::string parameters_json = "{}";
  std::string pcap_prefix;  // empty: no pcap; else a file per device, "<prefix>-<node>-<device>.pcap"
  bool progress = false;    // draw the progress bar on `diagnostics`
};

// "results/<scenario name>.db".
std::string DefaultDatabasePath(const Scenario& scenario);

// The --set assignments as a JSON object, keys in the order given (a later one for the same key
// replaces the earlier value): {"scscf.QueueCapacity":"200"}.
std::string OverridesJson(const std::vector<std::string>& overrides);

// Runs the scenario once into `recorder` (BeginRun ... FinishRun). Notes (workloads not run,
// attributes not used) and the progress bar go to `diagnostics`. Failures of the run are in the
// outcome (status kFailed and the error), never thrown.
RunOutcome RunScenario(const Scenario& scenario, const RunSettings& settings, Recorder& recorder,
                       std::ostream& diagnostics);

// The summary of runs `run_ids` from the database: registrations (attempts, successes, p50/p95
// Registration Request Delay), pushes by method and outcome with the delivery delay percentiles
// (views push_success and push_latency), and per-element peak utilization.
DbResult<std::string> SummaryTable(Recorder& recorder, const std::vector<std::int64_t>& run_ids);

// Checks the HSS profile template by parsing the first user's document; the error names the
// profile file (or the scenario for the default profile).
std::optional<std::string> CheckProfile(const Scenario& scenario);

// The whole `pushsim run` command: loads the scenario, applies the overrides, opens the database
// (creating results/ if needed), runs every replication, prints the summary on `out`. Errors go
// to `err`. Returns the exit status: 0 when every run completed, 1 otherwise, 2 on a scenario
// error (an override, the profile, the seeds) or a database that cannot be opened: then nothing
// is written.
int RunCommand(const std::string& scenario_file, const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace pushsim::runner
