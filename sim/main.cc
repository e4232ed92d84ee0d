// pushsim: the command-line program.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "demo.h"
#include "lint.h"
#include "runner.h"
#include "scenario.h"
#include "sweep.h"

namespace {

int Lint(const std::vector<std::string>& files, const pushsim::cli::LintOptions& options) {
  pushsim::cli::LintCounts total;
  auto lint_one = [&](const std::string& name, const std::string& text) {
    const auto counts = pushsim::cli::LintText(name, text, options, std::cout);
    total.valid += counts.valid;
    total.invalid += counts.invalid;
  };
  if (files.empty()) {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    lint_one("<stdin>", text);
  }
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cout << file << ": error: cannot open\n";
      ++total.invalid;
      continue;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    lint_one(file, buffer.str());
  }
  std::cout << total.valid << " valid, " << total.invalid << " invalid\n";
  return total.invalid == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pushsim: a network simulator for Push using SIP"};
  app.require_subcommand(1);

  std::vector<std::string> files;
  pushsim::cli::LintOptions lint_options;
  CLI::App* lint = app.add_subcommand("lint", "check SIP and MSRP messages (files, or standard input)");
  lint->add_option("files", files, "files holding one or more messages");
  lint->add_flag("--canonical", lint_options.canonical, "print each valid message as pushsim writes it");
  lint->add_flag("--strict", lint_options.strict, "require CRLF line ends");

  CLI::App* demo = app.add_subcommand("demo", "walk one push through every codec");

  // pushsim check: validates a scenario (and its --set overrides) without running it.
  std::string check_file;
  std::vector<std::string> check_overrides;
  CLI::App* check = app.add_subcommand("check", "validate a scenario without running it");
  check->add_option("scenario", check_file, "the scenario file (YAML)")->required();
  check->add_option("--set", check_overrides, "override a setting, e.g. scscf.QueueCapacity=200");

  // pushsim run: runs a scenario and records it in the results database.
  std::string run_file;
  pushsim::runner::RunOptions run_options;
  std::uint64_t run_seed = 0;
  CLI::App* run = app.add_subcommand("run", "run a scenario and record every figure in an SQLite database");
  run->add_option("scenario", run_file, "the scenario file (YAML)")->required();
  run->add_option("--set", run_options.overrides, "override a setting, e.g. scscf.QueueCapacity=200");
  CLI::Option* run_seed_option = run->add_option("--seed", run_seed, "the random seed (default: the scenario's)")
                                     ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{4294967295u}));
  run->add_option("--runs", run_options.runs, "replications, with seeds seed, seed+1, ...")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}));
  run->add_option("--db", run_options.database, "the results database (default: results/<scenario>.db)");
  run->add_option("--pcap", run_options.pcap_dir, "write a pcap file per link end into this directory");
  run->add_flag("--quiet", run_options.quiet, "no progress bar");

  // pushsim sweep: a run per value of one parameter and per replication, J processes at once.
  std::string sweep_file;
  pushsim::runner::SweepOptions sweep_options;
  std::string sweep_vary;
  std::uint64_t sweep_runs = 0;
  std::uint64_t sweep_jobs = 0;
  std::uint64_t sweep_seed = 0;
  CLI::App* sweep = app.add_subcommand("sweep", "run a scenario for each value of a parameter, several at once");
  sweep->add_option("scenario", sweep_file, "the scenario file (YAML)")->required();
  CLI::Option* sweep_vary_option =
      sweep->add_option("--vary", sweep_vary, "the parameter and its values, e.g. push.rate=50/s,100/s,200/s "
                                              "(default: the scenario's sweep section)");
  CLI::Option* sweep_runs_option = sweep->add_option("--runs", sweep_runs, "replications per value (seeds seed, seed+1, ...)")
                                       ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}));
  CLI::Option* sweep_jobs_option = sweep->add_option("--jobs", sweep_jobs, "processes at once (default: the number of cores)")
                                       ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1024}));
  CLI::Option* sweep_seed_option = sweep->add_option("--seed", sweep_seed, "the first seed (default: the scenario's)")
                                       ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{4294967295u}));
  sweep->add_option("--set", sweep_options.overrides, "override a setting, e.g. scscf.QueueCapacity=200");
  sweep->add_option("--db", sweep_options.database, "the results database (default: results/<scenario>.db)");
  sweep->add_flag("--quiet", sweep_options.quiet, "no progress line");

  CLI11_PARSE(app, argc, argv);
  if (sweep->parsed()) {
    if (*sweep_vary_option) sweep_options.vary = sweep_vary;
    if (*sweep_runs_option) sweep_options.runs = sweep_runs;
    if (*sweep_jobs_option) sweep_options.jobs = sweep_jobs;
    if (*sweep_seed_option) sweep_options.seed = sweep_seed;
    return pushsim::runner::SweepCommand(sweep_file, sweep_options, std::cout, std::cerr);
  }
  if (run->parsed()) {
    if (*run_seed_option) run_options.seed = run_seed;
    return pushsim::runner::RunCommand(run_file, run_options, std::cout, std::cerr);
  }
  if (check->parsed()) {
    auto scenario = pushsim::runner::LoadScenario(check_file);
    if (!scenario.ok()) {
      std::cout << scenario.error().ToString() << "\n";
      return 1;
    }
    for (const std::string& assignment : check_overrides) {
      if (const auto error = pushsim::runner::ApplyOverride(scenario.value(), assignment)) {
        std::cout << error->ToString() << " (in --set " << assignment << ")\n";
        return 1;
      }
    }
    std::cout << pushsim::runner::ScenarioSummary(scenario.value()) << "ok\n";
    return 0;
  }
  if (lint->parsed()) return Lint(files, lint_options);
  if (demo->parsed()) return pushsim::cli::RunDemo(std::cout) == 0 ? 0 : 1;
  return 2;
}
