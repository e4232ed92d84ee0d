#include "command_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace pushsim::dashboard {

namespace {

std::optional<int64_t> ParseRunId(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || value <= 0) return std::nullopt;
  return static_cast<int64_t>(value);
}

std::optional<double> ParseRatio(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(value) || value < 0 || value > 1) return std::nullopt;
  return value;
}

}  // namespace

std::string Usage() {
  return "usage: pushsim-dashboard [--export DIR] [--run ID ...] [--threshold R] [DB]\n"
         "  DB              a results database written by pushsim (e.g. results/quickstart.db)\n"
         "  --export DIR    write every chart of the selected runs and sweeps to DIR as PNG and CSV,\n"
         "                  without opening a window\n"
         "  --run ID        show or export this run (repeatable; default: the completed runs)\n"
         "  --threshold R   failure ratio (0..1) that defines the sweep's capacity point (default 0.01)\n";
}

CommandLineResult ParseCommandLine(const std::vector<std::string>& arguments) {
  CommandLine parsed;
  auto fail = [](std::string message) { return CommandLineResult{std::nullopt, std::move(message)}; };
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    auto value_of = [&](const std::string& option) -> std::optional<std::string> {
      std::string prefix = option + "=";
      if (argument.rfind(prefix, 0) == 0) return argument.substr(prefix.size());
      if (argument == option && i + 1 < arguments.size()) return arguments[++i];
      return std::nullopt;
    };
    auto is_option = [&](const std::string& option) {
      return argument == option || argument.rfind(option + "=", 0) == 0;
    };
    if (argument == "-h" || argument == "--help") {
      parsed.help = true;
    } else if (is_option("--export")) {
      auto dir = value_of("--export");
      if (!dir || dir->empty()) return fail("--export needs a directory");
      parsed.export_dir = *dir;
    } else if (is_option("--run")) {
      auto text = value_of("--run");
      if (!text) return fail("--run needs a run id");
      auto id = ParseRunId(*text);
      if (!id) return fail("--run: '" + *text + "' is not a run id (a positive integer)");
      parsed.runs.push_back(*id);
    } else if (is_option("--threshold")) {
      auto text = value_of("--threshold");
      if (!text) return fail("--threshold needs a failure ratio");
      auto ratio = ParseRatio(*text);
      if (!ratio) return fail("--threshold: '" + *text + "' is not a failure ratio between 0 and 1");
      parsed.threshold = *ratio;
    } else if (!argument.empty() && argument[0] == '-' && argument != "-") {
      return fail("unknown option '" + argument + "'");
    } else if (parsed.database.empty()) {
      parsed.database = argument;
    } else {
      return fail("more than one database given ('" + parsed.database + "' and '" + argument + "')");
    }
  }
  if (parsed.export_dir && parsed.database.empty() && !parsed.help) {
    return fail("--export needs a database");
  }
  return {parsed, {}};
}

}  // namespace pushsim::dashboard
