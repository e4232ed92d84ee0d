// Running tshark from tests: whether it is installed, and a command's standard output.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace pushsim::testing {

inline bool HaveTshark() { return std::system("tshark --version >/dev/null 2>&1") == 0; }

// Runs a command and returns its standard output (standard error discarded: tshark warns when
// run as root).
inline std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

}  // namespace pushsim::testing
