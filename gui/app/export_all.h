// pushsim-dashboard --export DIR: every chart of the chosen runs and of every sweep written as
// DIR/<view>-<run or sweep>.png (kExportSize) and .csv, without a window. Needs a QApplication
// (the offscreen platform is enough).
#ifndef PUSHSIM_GUI_APP_EXPORT_ALL_H_
#define PUSHSIM_GUI_APP_EXPORT_ALL_H_

#include <ostream>

#include "command_line.h"

namespace pushsim::dashboard {

// Runs exported when no --run is given: the latest completed ones, at most this many.
inline constexpr std::size_t kMaxExportedRuns = 20;
inline constexpr std::size_t kMaxExportedSweeps = 20;

// Exit status: 0 everything written; 1 some chart could not be loaded or written; 2 the database
// cannot be used or a --run is not in it. Each written file is printed on out, problems on err.
int ExportAll(const CommandLine& command_line, std::ostream& out, std::ostream& err);

}  // namespace pushsim::dashboard

#endif  // PUSHSIM_GUI_APP_EXPORT_ALL_H_
