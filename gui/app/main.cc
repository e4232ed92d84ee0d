// pushsim-dashboard: the window over a results database, or --export DIR to write every chart
// as PNG and CSV without a display.
#include <QApplication>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.h"
#include "export_all.h"
#include "main_window.h"

int main(int argc, char** argv) {
  using namespace pushsim::dashboard;
  std::vector<std::string> arguments(argv + 1, argv + argc);
  CommandLineResult parsed = ParseCommandLine(arguments);
  if (!parsed.command_line) {
    std::cerr << "pushsim-dashboard: " << parsed.error << "\n" << Usage();
    return 2;
  }
  const CommandLine& command_line = *parsed.command_line;
  if (command_line.help) {
    std::cout << Usage();
    return 0;
  }
  if (command_line.export_dir) {
    // No display needed: must be chosen before QApplication exists.
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("pushsim-dashboard");
  if (command_line.export_dir) return ExportAll(command_line, std::cout, std::cerr);
  MainWindow window(command_line);
  window.show();
  return QApplication::exec();
}
