// `pushsim sweep`: runs a scenario once per value of one parameter (and per replication), several
// processes at once, all into one results database.
//
//   pushsim sweep SCENARIO [--vary key=v1,v2,...] [--runs R] [--jobs J] [--seed N] [--set k=v ...]
//                 [--db FILE] [--quiet]
//
// The key and values come from --vary, else from the scenario's `sweep:` section; --runs replaces
// its `runs`. Every value is checked (as --set checks it) before anything is written. Then one
// `sweeps` row, and a run per value and replication: replication r of every value has seed
// seed + r, so replications are paired across values (common random numbers).
//
// Processes: the sweep process never runs ns-3 itself. For each run it forks a child (at most J
// at once; default the number of cores) while nothing has been simulated in it; the child opens
// its own connection to the database (an SQLite connection must never cross a fork), tags its run
// with the sweep (Recorder::SetSweepTag), runs it with RunScenario and exits 0 when the run
// completed. Each child is in its own process group, so a Ctrl-C at the terminal reaches the
// sweep process only: it passes the signal on to every running child once (each marks its run
// 'aborted' and exits), starts nothing more, marks the sweep 'aborted' and exits with 128 +
// signal. The parameters column of each run holds the --set overrides and key=value.
//
// Output: a progress line on stderr (runs done of the total, failures, elapsed, estimated time
// left; --quiet turns it off) and, at the end, the sweep's summary on stdout: per value, the
// runs, the mean goodput, success ratio and delivery p95 over the completed runs (from the
// sweep_points view).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "recorder.h"

namespace pushsim::runner {

struct SweepOptions {
  std::optional<std::string> vary;     // --vary key=v1,v2,...; none: the scenario's sweep section
  std::optional<std::uint64_t> runs;   // --runs: replications per value
  std::optional<std::uint64_t> jobs;   // --jobs: processes at once; none: the number of cores
  std::optional<std::uint64_t> seed;   // --seed: the first seed
  std::vector<std::string> overrides;  // --set key=value, in order
  std::string database;                // --db; empty: results/<scenario name>.db
  bool quiet = false;                  // --quiet: no progress line
};

// The values of "v1,v2,...": split at the commas outside parentheses and brackets, so that
// "uniform(1KiB, 2KiB),4KiB" is two values. Blanks around each value are dropped. Empty values
// are kept (as "") so that the caller can refuse them with their position.
std::vector<std::string> SplitSweepValues(std::string_view text);

// A value as a number in base units for runs.sweep_x: event rates per second ("2/min"), durations
// in seconds ("200ms"), sizes in bytes ("4KiB"), probabilities as fractions ("5%"), plain numbers
// as they are ("200", "0.5"); none for anything else (a distribution, a name, true/false).
std::optional<double> SweepX(std::string_view value);

// The summary printed at the end: per value, in the sweep's order, the runs (completed / all)
// and the means over the completed runs of goodput, success ratio and delivery p95.
DbResult<std::string> SweepSummaryTable(Recorder& recorder, std::int64_t sweep_id);

// The whole command. Returns 0 when every run completed, 1 when one did not, 2 on an error in
// the scenario or the arguments or a database that cannot be opened (then nothing is written),
// 128 + signal when interrupted.
int SweepCommand(const std::string& scenario_file, const SweepOptions& options, std::ostream& out,
                 std::ostream& err);

}  // namespace pushsim::runner
