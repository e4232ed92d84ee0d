// The progress bar of `pushsim run`: one line on stderr, redrawn in place ("\r"), that shows the
// simulated time reached out of the total, the wall time, the simulator's events per second and
// an estimate of the time left:
//
//   [#########...........]  45%  sim 13.5s/30s  wall 4.1s  1.92M ev/s  ~5.0s left
//
// It stays silent for the first `delay` of wall time (short runs print nothing) and redraws at
// most every `min_redraw`, so it can be updated from a frequent simulator event. It is never
// drawn on stdout: the summary table goes there and may be piped.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace pushsim::runner {

struct ProgressFigures {
  double sim_reached_s = 0;
  double sim_total_s = 0;
  double wall_s = 0;
  double events_per_s = 0;
  std::optional<double> left_s;  // none until something has been simulated
};

// The line for these figures, `bar_width` cells of bar (without "\r" or a line end).
std::string FormatProgress(const ProgressFigures& figures, int bar_width = 20);

// The estimate of the wall time left: the wall time so far scaled by the simulated time still to
// go; none before any simulated time has passed.
std::optional<double> EstimateTimeLeft(double sim_reached_s, double sim_total_s, double wall_s);

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;

  // `enabled` false: every call does nothing (--quiet).
  ProgressBar(std::ostream& out, double sim_total_s, bool enabled,
              Clock::duration delay = std::chrono::seconds(2),
              Clock::duration min_redraw = std::chrono::milliseconds(250));

  // The simulation reached `sim_s` after `events` events in all.
  void Update(double sim_s, std::uint64_t events);
  // Erases the line if one was drawn.
  void Finish();

  bool drawn() const { return drawn_; }
  // Wall time since construction.
  double ElapsedSeconds() const;

 private:
  std::ostream& out_;
  double sim_total_s_;
  bool enabled_;
  Clock::duration delay_;
  Clock::duration min_redraw_;
  Clock::time_point started_;
  Clock::time_point last_draw_;
  std::uint64_t last_events_ = 0;
  Clock::time_point last_events_at_;
  double events_per_s_ = 0;
  bool drawn_ = false;
  std::size_t drawn_width_ = 0;
};

}  // namespace pushsim::runner
