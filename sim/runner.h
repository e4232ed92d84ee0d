// `pushsim run`: runs a scenario and records every figure in the results database.
//
// One run (RunScenario):
//   * the network is built from the topology with static routes (topology.h);
//   * the IMS core is installed on the nodes with those roles: P-CSCF, S-CSCF, HSS, and the
//     I-CSCF only when the scenario has `core.icscf` and the topology an icscf node; the
//     scenario's pcscf/icscf/scscf/hss attributes are set on the core's factories;
//   * every user is added to the HSS from the scenario's profile template ({aor} replaced by the
//     user's public identity) or, without one, from kDefaultProfileTemplate;
//   * one SipUeApplication per terminal on its own UE node, registering its user's AOR with an
//     instance ID (RFC 5626, "<urn:uuid:...>" made from the UE's index), GRUU (RFC 5627) if the
//     scenario asks, and the application ids as the +g.oma.pusheventapp feature tag; the scenario's
//     `ue` attributes apply to every UE;
//   * registration arrivals from the first registration workload (all at once at `start`,
//     Poisson at `rate` from `start`, or evenly over `ramp` from `start`; none: all at once at 0),
//     with `reregister` as the Expires the UEs ask for;
//   * failure workloads cut the named node off the network from `down` to `up`: every device of
//     the node and the device at the other end of each of its links drops every packet it
//     receives (the node's applications keep their state, as behind a failed link);
//   * push, subscription, refer-subscription and refer-flood workloads are not run by this
//     version: each is reported as "not yet supported by the runner" and the rest runs.
//
// Randomness: ns-3's RngSeedManager gets the run's seed (run number 1) and every random variable
// of the run gets a fixed stream number, so a run does not depend on what ran before it in the
// process: the same scenario, parameters and seed give the same rows (Recorder::DumpRun).
//
// Rows (results/README.md): a `registrations` row per REGISTER attempt that ended (from the UE's
// "RegistrationState" trace: start = end - Registration Request Delay; attempts still in flight
// when the run ends are not recorded); an `element_samples` row per SIP element (P-CSCF, I-CSCF,
// S-CSCF) per sampling interval with the per-method split; `events` for each refused request
// (kind "503", or "dropped" when the element drops it) and element-down / element-up; `messages`
// for every message a SIP element or UE sends or receives when trace.messages is summary or full.
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

// The HSS profile used when the scenario has none: one private identity and the user's public
// identity ({aor}; {private} is the AOR without its scheme).
extern const char* const kDefaultProfileTemplate;

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
// Registration Request Delay), pushes, and per-element peak utilization.
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
