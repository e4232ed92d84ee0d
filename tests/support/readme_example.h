// Keeps the C++ examples of README.md honest: a test compiles the example between the markers
// "// README-EXAMPLE-BEGIN" and "// README-EXAMPLE-END" of its own source (with `int ReadmeMain()`
// where the README says `int main()`), compares it with the README's code block, and runs it.
#pragma once

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace pushsim::testing {

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The text between the line holding `begin` and the next `end`; empty when either is missing.
inline std::string TextBetween(const std::string& text, const std::string& begin, const std::string& end) {
  const std::size_t start = text.find(begin);
  if (start == std::string::npos) return {};
  const std::size_t from = text.find('\n', start) + 1;
  const std::size_t to = text.find(end, from);
  if (to == std::string::npos) return {};
  return text.substr(from, to - from);
}

// The first ```cpp block of README.md's section with this heading; empty when there is none.
inline std::string ReadmeCodeBlock(const std::string& heading) {
  const std::string readme = ReadWholeFile(std::string(PUSHSIM_VECTORS_DIR) + "/../../README.md");
  const std::size_t section = readme.find(heading);
  if (section == std::string::npos) return {};
  return TextBetween(readme.substr(section), "```cpp", "```");
}

// The example compiled in `source_file`, as the README shows it.
inline std::string CompiledExample(const std::string& source_file) {
  std::string compiled = TextBetween(ReadWholeFile(source_file), "// README-EXAMPLE-BEGIN", "// README-EXAMPLE-END");
  const std::size_t renamed = compiled.find("int ReadmeMain() {");
  if (renamed != std::string::npos) compiled.replace(renamed, 18, "int main() {");
  return compiled;
}

// What `program` prints on standard output.
inline std::string CaptureStdout(int (*program)()) {
  std::ostringstream out;
  std::streambuf* saved = std::cout.rdbuf(out.rdbuf());
  program();
  std::cout.rdbuf(saved);
  return out.str();
}

}  // namespace pushsim::testing
