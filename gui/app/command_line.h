// The command line of pushsim-dashboard, parsed before any Qt object exists (--export must pick
// the offscreen platform before QApplication is created).
#ifndef PUSHSIM_GUI_APP_COMMAND_LINE_H_
#define PUSHSIM_GUI_APP_COMMAND_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pushsim::dashboard {

// The default capacity criterion: a mean failure ratio of at most 1 % (the design objective
// capacity of ETSI TS 186 008 is defined against such a threshold).
inline constexpr double kDefaultFailureThreshold = 0.01;

struct CommandLine {
  std::string database;                  // empty: the window asks for one
  std::optional<std::string> export_dir; // --export DIR: render every chart, no window
  std::vector<int64_t> runs;             // --run ID (repeatable): the runs to show or export
  double threshold = kDefaultFailureThreshold;  // --threshold R: failure ratio for the capacity point
  bool help = false;
};

struct CommandLineResult {
  std::optional<CommandLine> command_line;
  std::string error;  // when command_line is empty
};

CommandLineResult ParseCommandLine(const std::vector<std::string>& arguments);  // without argv[0]

std::string Usage();

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_COMMAND_LINE_H_
