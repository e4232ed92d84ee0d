#include "progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pushsim::runner {

namespace {

// "13.5s", "2m05s", "1h02m": short enough for one line whatever the run's length.
std::string Seconds(double seconds) {
  char buffer[32];
  if (!(seconds >= 0) || !std::isfinite(seconds)) seconds = 0;
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  } else if (seconds < 3600) {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", whole / 3600, (whole % 3600) / 60);
  }
  return buffer;
}

std::string Rate(double per_second) {
  char buffer[32];
  if (!(per_second >= 0) || !std::isfinite(per_second)) per_second = 0;
  if (per_second >= 1e6) {
    std::snprintf(buffer, sizeof buffer, "%.2fM ev/s", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buffer, sizeof buffer, "%.1fk ev/s", per_second / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f ev/s", per_second);
  }
  return buffer;
}

}  // namespace

std::optional<double> EstimateTimeLeft(double sim_reached_s, double sim_total_s, double wall_s) {
  if (!(sim_reached_s > 0) || !(sim_total_s > 0) || !(wall_s >= 0)) return std::nullopt;
  const double remaining = std::max(0.0, sim_total_s - sim_reached_s);
  return wall_s * remaining / sim_reached_s;
}

std::string FormatProgress(const ProgressFigures& figures, int bar_width) {
  bar_width = std::clamp(bar_width, 1, 200);
  double fraction = figures.sim_total_s > 0 ? figures.sim_reached_s / figures.sim_total_s : 0;
  if (!(fraction >= 0)) fraction = 0;
  fraction = std::min(fraction, 1.0);
  const int filled = static_cast<int>(std::floor(fraction * bar_width));
  std::string line = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                     std::string(static_cast<std::size_t>(bar_width - filled), '.') + "] ";
  char percent[16];
  std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(std::floor(fraction * 100)));
  line += percent;
  line += "  sim " + Seconds(figures.sim_reached_s) + "/" + Seconds(figures.sim_total_s);
  line += "  wall " + Seconds(figures.wall_s);
  line += "  " + Rate(figures.events_per_s);
  line += figures.left_s ? "  ~" + Seconds(*figures.left_s) + " left" : std::string("  ? left");
  return line;
}

ProgressBar::ProgressBar(std::ostream& out, double sim_total_s, bool enabled, Clock::duration delay,
                         Clock::duration min_redraw)
    : out_(out),
      sim_total_s_(sim_total_s),
      enabled_(enabled),
      delay_(delay),
      min_redraw_(min_redraw),
      started_(Clock::now()),
      last_draw_(started_),
      last_events_at_(started_) {}

double ProgressBar::ElapsedSeconds() const {
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

void ProgressBar::Update(double sim_s, std::uint64_t events) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now - started_ < delay_) return;
  if (drawn_ && now - last_draw_ < min_redraw_) return;
  // Events per second over the time since the last redraw, so the figure follows the load.
  const double since = std::chrono::duration<double>(now - last_events_at_).count();
  if (since > 0 && events >= last_events_) events_per_s_ = static_cast<double>(events - last_events_) / since;
  last_events_ = events;
  last_events_at_ = now;
  last_draw_ = now;

  ProgressFigures figures;
  figures.sim_reached_s = sim_s;
  figures.sim_total_s = sim_total_s_;
  figures.wall_s = std::chrono::duration<double>(now - started_).count();
  figures.events_per_s = events_per_s_;
  figures.left_s = EstimateTimeLeft(sim_s, sim_total_s_, figures.wall_s);
  std::string line = FormatProgress(figures);
  // Pad over the remains of a longer previous line.
  const std::size_t width = line.size();
  if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
  drawn_width_ = std::max(drawn_width_, width);
  out_ << '\r' << line << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  out_ << '\r' << std::string(drawn_width_, ' ') << '\r' << std::flush;
  drawn_ = false;
}

}  // namespace pushsim::runner
