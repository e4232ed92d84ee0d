// `pushsim run`: registrations on the quickstart network into a temporary database, with the rows
// checked against figures derived by hand from the topology (scenarios/topologies/quickstart.dot)
// and the core's defaults; the quickstart's pushes by every method; determinism; an S-CSCF failure
// window; an overloaded S-CSCF; the progress line and the --set parameters JSON. Push workloads in
// detail: workloads_test.cc.
//
// Hand derivations use the core's defaults (models/apps/ims-apps.cc): Cx UAR and SAR round trips
// of 5 ms each, zero service time in every element, SIP T1 = 500 ms.
#include "runner.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "progress.h"
#include "support/runner_db.h"

#include <sys/wait.h>
#include <unistd.h>

namespace pushsim::runner {
namespace {

namespace fs = std::filesystem;
using testing::Number;
using testing::Rows;

const std::string kSource = PUSHSIM_SOURCE_DIR;
const std::string kQuickstart = kSource + "/scenarios/quickstart.yaml";

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pushsim-runner-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  Scenario Load(const std::string& file, const std::vector<std::string>& overrides) {
    return testing::LoadWithOverrides(file, overrides);
  }

  Recorder& Db() {
    if (!recorder_) {
      auto opened = Recorder::Open((dir_ / "results.db").string());
      if (!opened.ok()) {
        ADD_FAILURE() << opened.error().message;
        std::abort();
      }
      recorder_ = std::make_unique<Recorder>(std::move(opened.value()));
    }
    return *recorder_;
  }

  RunOutcome RunIt(const Scenario& scenario, std::uint64_t seed, const std::vector<std::string>& overrides = {}) {
    RunSettings settings;
    settings.seed = seed;
    settings.parameters_json = OverridesJson(overrides);
    diagnostics_.str("");
    RunOutcome outcome = RunScenario(scenario, settings, Db(), diagnostics_);
    EXPECT_EQ(outcome.status, RunStatus::kCompleted) << outcome.error;
    return outcome;
  }

  std::string WriteScenario(const std::string& name, const std::string& body) {
    const fs::path path = dir_ / (name + ".yaml");
    std::ofstream(path) << "name: " << name << "\ntopology: {file: " << kSource
                        << "/scenarios/topologies/quickstart.dot}\n"
                        << body;
    return path.string();
  }

  fs::path dir_;
  std::unique_ptr<Recorder> recorder_;
  std::ostringstream diagnostics_;
};

// The quickstart's subscribers and registration ramp on its network, without its push
// workloads, for 21 s: six users, user 3 with two terminals: 7 UEs, round robin over cell1 and
// cell2 (UEs 0, 2, 4, 6 in cell1; 1, 3, 5 in cell2), registering on a ramp of 2 s from 0: UE i at
// 2 s * i / 7.
constexpr const char* kRampScenario = R"(duration: 21s
seed: 1
core: {icscf: true, scscf: {QueueCapacity: 200}}
subscribers: {users: 6, terminals_per_user: 1, terminals: {3: 2}, app_ids: [mms.ua], gruu: true}
workloads:
  - registration: {arrival: ramp, start: 0s, ramp: 2s}
trace: {messages: summary}
sampling: {interval: 1s}
)";

TEST_F(RunnerTest, TS24229_5_1_1_2_RampRegistersEveryTerminalOnce) {
  const std::string file = WriteScenario("ramp", kRampScenario);
  const Scenario scenario = Load(file, {});
  const RunOutcome outcome = RunIt(scenario, 1);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);

  // The runs row.
  EXPECT_EQ(Rows(db, "SELECT scenario, seed, replication, parameters, status, sim_duration_s, sim_reached_s, "
                     "error FROM runs WHERE id = " + run),
            std::vector<std::string>{R"(ramp|1|0|{}|completed|21.0|21.0|NULL)"});
  std::ifstream text_file(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(text_file)), std::istreambuf_iterator<char>());
  EXPECT_EQ(Rows(db, "SELECT scenario_text FROM runs WHERE id = " + run), std::vector<std::string>{text});

  // One successful initial registration per terminal, in ramp order.
  const auto registrations =
      Rows(db, "SELECT user, kind, final_code, retransmissions FROM registrations WHERE run_id = " + run +
                   " ORDER BY start_s");
  EXPECT_EQ(registrations, (std::vector<std::string>{
                               "sip:user1@home1.net|initial|200|0", "sip:user2@home1.net|initial|200|0",
                               "sip:user3@home1.net|initial|200|0", "sip:user3@home1.net|initial|200|0",
                               "sip:user4@home1.net|initial|200|0", "sip:user5@home1.net|initial|200|0",
                               "sip:user6@home1.net|initial|200|0"}));
  // User 3's two terminals are two instances (RFC 5626), each registered once.
  EXPECT_EQ(Number(db, "SELECT COUNT(DISTINCT terminal) FROM registrations WHERE user = 'sip:user3@home1.net'"), 2);
  for (int i = 0; i < 7; ++i) {
    const double start = Number(db, "SELECT start_s FROM registrations WHERE run_id = " + run +
                                        " ORDER BY start_s LIMIT 1 OFFSET " + std::to_string(i));
    EXPECT_NEAR(start, 2.0 * i / 7, 1e-6) << "UE " << i;
  }
  // RFC 6076 Registration Request Delay. Cell 1 UE: access 20 ms + cell1-pcscf 5 ms, pcscf-core-
  // icscf 2 ms, UAR 5 ms, icscf-core-scscf 2 ms, SAR 5 ms, then back 2 + 2 + 25 ms: 68 ms of
  // propagation and Cx, plus transmission (about 0.2 ms each way on the 20 Mbps access link).
  // Cell 2 UE: access 40 ms + 10 ms each way instead of 25: 118 ms, plus about 0.7 ms per
  // direction on its 5 Mbps access link.
  const auto delays = Rows(db, "SELECT end_s - start_s FROM registrations WHERE run_id = " + run + " ORDER BY start_s");
  ASSERT_EQ(delays.size(), 7u);
  for (std::size_t i = 0; i < delays.size(); ++i) {
    const double delay = std::atof(delays[i].c_str());
    if (i % 2 == 0) {
      EXPECT_GT(delay, 0.068) << i;
      EXPECT_LT(delay, 0.0695) << i;
    } else {
      EXPECT_GT(delay, 0.118) << i;
      EXPECT_LT(delay, 0.1215) << i;
    }
  }

  // Samples every second (sampling.interval 1s) for P-CSCF, I-CSCF, S-CSCF and the push AS: 21
  // each. The default profile's push iFC (TS 24.229 5.4.1.7) makes the S-CSCF send a third-party
  // REGISTER to the AS for each registration and receive the AS's 200.
  EXPECT_EQ(Rows(db, "SELECT element, role, COUNT(*), MIN(time_s), MAX(time_s), SUM(messages_in), SUM(refused) "
                     "FROM element_samples WHERE run_id = " + run + " GROUP BY element ORDER BY element"),
            (std::vector<std::string>{"as|as|21|1.0|21.0|7|0", "icscf|icscf|21|1.0|21.0|14|0",
                                      "pcscf|pcscf|21|1.0|21.0|14|0", "scscf|scscf|21|1.0|21.0|14|0"}));
  // Per method: each REGISTER passes each element once; the P-CSCF and I-CSCF also see its 200,
  // the S-CSCF the AS's 200.
  EXPECT_EQ(Rows(db, "SELECT element, method, SUM(messages_in), SUM(messages_out) FROM element_method_samples "
                     "WHERE run_id = " + run + " GROUP BY element, method ORDER BY element, method"),
            (std::vector<std::string>{"as|REGISTER|7|7", "icscf|REGISTER|7|7", "icscf|response|7|7",
                                      "pcscf|REGISTER|7|7", "pcscf|response|7|7", "scscf|REGISTER|7|7",
                                      "scscf|response|7|7"}));
  // Message log (trace.messages: summary): per registration the REGISTER leaves the UE, enters
  // and leaves the P-CSCF and the I-CSCF, enters the S-CSCF; the 200 goes the same way back: 12
  // rows; the third-party REGISTER leaves the S-CSCF and enters the AS, its 200 leaves the AS and
  // enters the S-CSCF: 4 more, 16 per registration, and no full text.
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM messages WHERE run_id = " + run), 112);
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM messages WHERE run_id = " + run +
                           " AND node = 'as' AND first_line LIKE 'REGISTER %'"),
            7);
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM messages WHERE text IS NOT NULL"), 0);
  EXPECT_EQ(Rows(db, "SELECT node, direction, first_line, cseq FROM messages WHERE run_id = " + run +
                         " ORDER BY time_s, id LIMIT 2"),
            (std::vector<std::string>{"ue1.0|out|REGISTER sip:home1.net SIP/2.0|1 REGISTER",
                                      "pcscf|in|REGISTER sip:home1.net SIP/2.0|1 REGISTER"}));
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM events WHERE run_id = " + run), 0);
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM pushes WHERE run_id = " + run), 0);
}

// The quickstart as bundled (30 s): pushes one a second from 5 s to 10 s by MESSAGE, 10 s to 15 s
// by indirection, 15 s to 20 s by INVITE + MSRP and 20 s to 25 s by NOTIFY to all terminals, each
// workload round robin over users 1 to 5: five pushes each, and six NOTIFY rows since user 3 has
// two terminals. Every one is accepted and delivered; nothing is reported as not run.
TEST_F(RunnerTest, QuickstartPushesByEveryMethod) {
  const RunOutcome outcome = RunIt(Load(kQuickstart, {}), 1);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);
  EXPECT_EQ(Rows(db, "SELECT method, COUNT(*), COUNT(DISTINCT push_id), SUM(app_status = 'accepted'), "
                     "COUNT(delivery_delay_s), MIN(created_s), MAX(created_s) FROM pushes WHERE run_id = " + run +
                     " GROUP BY method ORDER BY MIN(created_s)"),
            (std::vector<std::string>{"MESSAGE|5|5|5|5|5.0|9.0", "MESSAGE+external-body|5|5|5|5|10.0|14.0",
                                      "INVITE+MSRP|5|5|5|5|15.0|19.0", "NOTIFY|6|5|6|6|20.0|24.0"}));
  EXPECT_EQ(Rows(db, "SELECT target_uri, COUNT(*) FROM pushes WHERE run_id = " + run +
                     " AND method = 'MESSAGE' GROUP BY target_uri ORDER BY target_uri"),
            (std::vector<std::string>{"sip:user1@home1.net|1", "sip:user2@home1.net|1", "sip:user3@home1.net|1",
                                      "sip:user4@home1.net|1", "sip:user5@home1.net|1"}));
  EXPECT_EQ(diagnostics_.str().find("not yet supported"), std::string::npos) << diagnostics_.str();
}

TEST_F(RunnerTest, FullMessageTraceKeepsTheText) {
  const std::vector<std::string> overrides = {"duration=21s", "trace.messages=full"};
  const RunOutcome outcome = RunIt(Load(kQuickstart, overrides), 1, overrides);
  sqlite3* db = Db().handle();
  const auto first = Rows(db, "SELECT text, size_bytes = length(text) FROM messages WHERE run_id = " +
                                  std::to_string(outcome.run_id) + " ORDER BY time_s, id LIMIT 1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].rfind("REGISTER sip:home1.net SIP/2.0\r\n", 0), 0u) << first[0];
  EXPECT_NE(first[0].find("\r\n\r\n|1"), std::string::npos) << "the size is that of the whole text: " << first[0];
}

TEST_F(RunnerTest, SameScenarioParametersAndSeedGiveIdenticalRows) {
  // Poisson arrivals, so the seed matters; messages logged, so every message must match.
  const std::vector<std::string> overrides = {"duration=21s", "workloads.0.rate=5/s",
                                              "workloads.0.arrival=poisson"};
  const Scenario scenario = Load(kQuickstart, overrides);
  const RunOutcome first = RunIt(scenario, 7, overrides);
  const RunOutcome second = RunIt(scenario, 7, overrides);
  const RunOutcome other_seed = RunIt(scenario, 8, overrides);
  auto dump = [&](std::int64_t id) {
    auto text = Db().DumpRun(id);
    EXPECT_TRUE(text.ok());
    return text.ok() ? text.value() : std::string();
  };
  const std::string a = dump(first.run_id);
  EXPECT_NE(a.find("registrations"), std::string::npos);
  EXPECT_EQ(a, dump(second.run_id));
  // Another seed draws other Poisson arrival times.
  sqlite3* db = Db().handle();
  const auto starts = [&](std::int64_t id) {
    return Rows(db, "SELECT start_s FROM registrations WHERE run_id = " + std::to_string(id) + " ORDER BY start_s");
  };
  EXPECT_EQ(starts(first.run_id), starts(second.run_id));
  EXPECT_NE(starts(first.run_id), starts(other_seed.run_id));
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM runs WHERE seed = 7 AND status = 'completed'"), 2);
}

// S-CSCF cut off from 2 s to 40 s; four users register all at once at 5 s. Their REGISTERs never
// reach the S-CSCF: each UE's transaction times out after Timer F = 64 * T1 = 32 s (RFC 3261
// 17.1.2.2), at 37 s, with 408 (the code the UE reports for a timeout). After 40 s the UE retries
// after the RFC 5626 4.5 back-off (one failure: uniformly within [30 s, 60 s]) and succeeds.
TEST_F(RunnerTest, RFC3261_17_1_2_2_FailureWindowFailsRegistrationsInIt) {
  const std::string file = WriteScenario("failure", R"(duration: 100s
seed: 3
subscribers: {users: 4}
workloads:
  - registration: {arrival: all-at-once, start: 5s}
  - failure: {element: scscf, down: 2s, up: 40s}
trace: {messages: off}
)");
  const RunOutcome outcome = RunIt(Load(file, {}), 3);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);
  EXPECT_EQ(Rows(db, "SELECT kind, element, time_s FROM events WHERE run_id = " + run + " ORDER BY time_s"),
            (std::vector<std::string>{"element-down|scscf|2.0", "element-up|scscf|40.0"}));
  EXPECT_EQ(Rows(db, "SELECT COUNT(*), MIN(start_s), MAX(start_s), MIN(end_s), MAX(end_s), MIN(final_code), "
                     "MAX(final_code), MIN(retransmissions) > 0 FROM registrations WHERE run_id = " + run +
                     " AND start_s < 40"),
            std::vector<std::string>{"4|5.0|5.0|37.0|37.0|408|408|1"});
  // After the window: each user registers, starting 30 s to 60 s after its failure.
  EXPECT_EQ(Rows(db, "SELECT COUNT(DISTINCT user), MIN(final_code), MAX(final_code), MIN(start_s) >= 67, "
                     "MAX(start_s) <= 97 FROM registrations WHERE run_id = " + run + " AND start_s >= 40"),
            std::vector<std::string>{"4|200|200|1|1"});
  // No message reached the S-CSCF while it was cut off.
  EXPECT_EQ(Number(db, "SELECT COALESCE(SUM(messages_in), 0) FROM element_samples WHERE run_id = " + run +
                           " AND element = 'scscf' AND time_s <= 40"),
            0);
}

// The S-CSCF fails at 2 s for good; the REGISTERs sent at 5 s are unanswered when the run ends at
// 20 s: rows with no end and no code. Timer E (RFC 3261 17.1.2.2, no provisional response to a
// REGISTER here) retransmits after 0.5, 1.5, 3.5, 7.5, 11.5 and 15.5 s (intervals doubling from
// T1 = 0.5 s up to T2 = 4 s): 5 retransmissions before 20 s.
TEST_F(RunnerTest, RFC6076_4_2_UnansweredAttemptsAtTheEndAreRecorded) {
  const std::string file = WriteScenario("failure-end", R"(duration: 20s
subscribers: {users: 4}
workloads:
  - registration: {arrival: all-at-once, start: 5s}
  - failure: {element: scscf, down: 2s}
trace: {messages: off}
)");
  const RunOutcome outcome = RunIt(Load(file, {}), 1);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);
  EXPECT_EQ(Rows(db, "SELECT user, kind, start_s, end_s, final_code, retransmissions FROM registrations WHERE run_id = " +
                         run + " ORDER BY user"),
            (std::vector<std::string>{"sip:user1@home1.net|initial|5.0|NULL|NULL|5",
                                      "sip:user2@home1.net|initial|5.0|NULL|NULL|5",
                                      "sip:user3@home1.net|initial|5.0|NULL|NULL|5",
                                      "sip:user4@home1.net|initial|5.0|NULL|NULL|5"}));
  EXPECT_EQ(Rows(db, "SELECT attempts, ineffective FROM registration_delay WHERE run_id = " + run),
            std::vector<std::string>{"4|4"});
  EXPECT_EQ(Rows(db, "SELECT registrations, registrations_successful FROM run_summary WHERE run_id = " + run),
            std::vector<std::string>{"4|0"});
  EXPECT_EQ(Rows(db, "SELECT kind FROM events WHERE run_id = " + run), std::vector<std::string>{"element-down"});
}

// An S-CSCF with room for 2 messages and 50 ms per REGISTER; all 7 quickstart UEs register at 0.
// The 4 cell-1 REGISTERs reach the S-CSCF together at about 34 ms (25 + 2 + UAR 5 + 2): 2 are
// admitted, 2 refused with 503 (RFC 3261 21.5.4). The 3 cell-2 REGISTERs arrive at about 59 ms,
// while both admitted ones are still there (service ends at about 84 and 134 ms): refused too.
// Samples every 50 ms: at 50 ms two messages are in the S-CSCF (2 in, 2 refused in the interval,
// busy from about 34 ms: utilization about 16/50), at 100 ms one (3 refused in (50, 100] ms),
// and from 50 ms to 100 ms it is busy the whole interval.
TEST_F(RunnerTest, RFC3261_21_5_4_OverloadedScscfRefusesWith503) {
  const std::vector<std::string> overrides = {
      "duration=21s", "sampling.interval=50ms", "workloads.0.arrival=all-at-once", "scscf.QueueCapacity=2",
      "scscf.RegisterServiceTime=ns3::ConstantRandomVariable[Constant=0.05]", "trace.messages=off"};
  const RunOutcome outcome = RunIt(Load(kQuickstart, overrides), 1, overrides);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);
  EXPECT_EQ(Rows(db, "SELECT kind, element, detail, COUNT(*) FROM events WHERE run_id = " + run +
                         " AND kind = '503' GROUP BY kind, element, detail"),  // (push-failed: workloads_test)
            std::vector<std::string>{"503|scscf|REGISTER|5"});
  EXPECT_EQ(Number(db, "SELECT COUNT(*) FROM events WHERE run_id = " + run + " AND kind = '503' AND time_s < 0.034"),
            0);
  EXPECT_EQ(Rows(db, "SELECT time_s, queue_length, messages_in, refused FROM element_samples WHERE run_id = " + run +
                         " AND element = 'scscf' AND time_s <= 0.1 ORDER BY time_s"),
            (std::vector<std::string>{"0.05|2|2|2", "0.1|1|0|3"}));
  EXPECT_EQ(Number(db, "SELECT utilization FROM element_samples WHERE run_id = " + run +
                           " AND element = 'scscf' AND time_s = 0.1"),
            1.0);
  const double first_busy = Number(db, "SELECT utilization FROM element_samples WHERE run_id = " + run +
                                           " AND element = 'scscf' AND time_s = 0.05");
  EXPECT_GT(first_busy, (0.05 - 0.035) / 0.05);
  EXPECT_LT(first_busy, (0.05 - 0.033) / 0.05);
  EXPECT_EQ(Number(db, "SELECT peak_queue_length FROM element_peaks WHERE run_id = " + run + " AND element = 'scscf'"),
            2);
}

// reregister 120 s is the Expires the UEs ask for; the registrar grants it (MinExpires 60 s,
// MaxExpires 600000 s) and the UE refreshes at half the lifetime, as TS 24.229 5.1.1.4 asks for
// lifetimes under 1200 s: 60 s after each success. Registered by about 0.07 s (cell 1) or 0.12 s
// (cell 2), each UE refreshes at about 60, 120, 180 and 240 s within a 250 s run.
TEST_F(RunnerTest, TS24229_5_1_1_4_ReregistrationIntervalFromTheWorkload) {
  const std::vector<std::string> overrides = {"duration=250s", "workloads.0.arrival=all-at-once",
                                              "workloads.0.reregister=120s", "trace.messages=off"};
  const RunOutcome outcome = RunIt(Load(kQuickstart, overrides), 1, overrides);
  sqlite3* db = Db().handle();
  const std::string run = std::to_string(outcome.run_id);
  EXPECT_EQ(Rows(db, "SELECT kind, COUNT(*), COUNT(DISTINCT terminal), MIN(final_code), MAX(final_code) "
                     "FROM registrations WHERE run_id = " + run + " GROUP BY kind ORDER BY kind"),
            (std::vector<std::string>{"initial|7|7|200|200", "refresh|28|7|200|200"}));
  // The first refresh of the first UE (cell 1): 60 s after its initial registration ended.
  const auto first = Rows(db, "SELECT start_s FROM registrations WHERE run_id = " + run +
                                  " AND kind = 'refresh' AND terminal = (SELECT terminal FROM registrations WHERE run_id = " +
                                  run + " AND kind = 'initial' ORDER BY end_s LIMIT 1) ORDER BY start_s LIMIT 1");
  ASSERT_EQ(first.size(), 1u);
  const double initial_end = Number(db, "SELECT MIN(end_s) FROM registrations WHERE run_id = " + run);
  EXPECT_NEAR(std::atof(first[0].c_str()), initial_end + 60, 1e-6);
}

// --pcap: a capture file per link end, named after the scenario.
TEST_F(RunnerTest, PcapDirectoryGetsACaptureOfEveryLink) {
  RunOptions options;
  options.overrides = {"duration=21s", "trace.messages=off"};
  options.database = (dir_ / "p.db").string();
  options.pcap_dir = (dir_ / "pcap").string();
  options.quiet = true;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(RunCommand(kQuickstart, options, out, err), 0) << err.str();
  // quickstart.dot: 8 links, 16 link ends, and the access device of each of its 2 cells, which
  // carries every frame of the cell's UEs (topology.h): 18 files.
  std::size_t files = 0;
  std::uintmax_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(options.pcap_dir)) {
    EXPECT_EQ(entry.path().filename().string().rfind("quickstart-", 0), 0u) << entry.path();
    EXPECT_EQ(entry.path().extension(), ".pcap");
    ++files;
    bytes += entry.file_size();
  }
  EXPECT_EQ(files, 18u);
  EXPECT_GT(bytes, 18u * 24u) << "more than the pcap file headers alone";
}

// Ctrl-C during a run: the run is marked aborted, its committed rows stay, the process exits
// with 130 (results/README.md).
TEST_F(RunnerTest, SigintMarksTheRunAbortedAndExits130) {
  const std::string database = (dir_ / "int.db").string();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RunOptions options;
    options.overrides = {"duration=3600s", "subscribers.users=3000", "workloads.0.ramp=3000s",
                         "trace.messages=full"};
    options.database = database;
    options.quiet = true;
    std::ostringstream out;
    std::ostringstream err;
    _exit(RunCommand(kQuickstart, options, out, err));
  }
  // Wait for the run to start, then interrupt it.
  bool running = false;
  for (int i = 0; i < 600 && !running; ++i) {
    usleep(100 * 1000);
    if (!fs::exists(database)) continue;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 1000);
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM runs WHERE status = 'running'", -1, &statement, nullptr) ==
              SQLITE_OK &&
          sqlite3_step(statement) == SQLITE_ROW) {
        running = sqlite3_column_int(statement, 0) == 1;
      }
      sqlite3_finalize(statement);
    }
    sqlite3_close(db);
  }
  ASSERT_TRUE(running);
  usleep(500 * 1000);
  kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  auto opened = Recorder::Open(database);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(Rows(opened->handle(), "SELECT status, error, finished_at IS NOT NULL FROM runs"),
            std::vector<std::string>{"aborted|interrupted by SIGINT|1"});
  EXPECT_EQ(Rows(opened->handle(), "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(RunnerTest, RunCommandAppendsRunsAndPrintsTheSummary) {
  RunOptions options;
  options.overrides = {"duration=21s"};
  options.runs = 2;
  options.seed = 11;
  options.database = (dir_ / "sub" / "q.db").string();
  options.quiet = true;
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(RunCommand(kQuickstart, options, out, err), 0) << err.str();
  EXPECT_EQ(RunCommand(kQuickstart, options, out, err), 0) << err.str();
  auto opened = Recorder::Open(options.database);
  ASSERT_TRUE(opened.ok());
  // Two commands of two replications: four runs, seeds 11 and 12 twice.
  EXPECT_EQ(Rows(opened->handle(), "SELECT seed, replication, status FROM runs ORDER BY id"),
            (std::vector<std::string>{"11|0|completed", "12|1|completed", "11|0|completed", "12|1|completed"}));
  const std::string summary = out.str();
  EXPECT_NE(summary.find("completed              7       7"), std::string::npos) << summary;
  EXPECT_NE(summary.find("scscf"), std::string::npos) << summary;
  EXPECT_EQ(err.str().find('\r'), std::string::npos) << "no progress bar with --quiet";
}

TEST_F(RunnerTest, RunCommandRefusesABadOverrideAndWritesNothing) {
  RunOptions options;
  options.overrides = {"scscf.QueueCapacity=lots"};
  options.database = (dir_ / "bad.db").string();
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCommand(kQuickstart, options, out, err), 2);
  EXPECT_NE(err.str().find("--set"), std::string::npos) << err.str();
  EXPECT_FALSE(fs::exists(options.database));
  EXPECT_EQ(out.str(), "");
}

// A profile that is not an IMSSubscription document: `pushsim run` refuses the scenario before
// writing anything; a run started anyway (RunScenario) is recorded as failed with the reason.
TEST_F(RunnerTest, BrokenProfileIsRefusedBeforeAndFailsARun) {
  std::ofstream(dir_ / "broken.xml") << "<IMSSubscription><PrivateID>x</PrivateID><ServiceProfile>{aor}</Broken>\n";
  const std::string file = WriteScenario("broken", "duration: 2s\nsubscribers: {users: 2, profile: broken.xml}\n");
  RunOptions options;
  options.database = (dir_ / "broken.db").string();
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunCommand(file, options, out, err), 2);
  EXPECT_EQ(err.str().rfind((dir_ / "broken.xml").string() + ": error: the HSS profile of sip:user1@home1.net", 0), 0u)
      << err.str();
  EXPECT_FALSE(fs::exists(options.database));

  RunSettings settings;
  const RunOutcome outcome = RunScenario(Load(file, {}), settings, Db(), diagnostics_);
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  const auto rows = Rows(Db().handle(), "SELECT status, error FROM runs WHERE id = " + std::to_string(outcome.run_id));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].rfind("failed|subscriber sip:user1@home1.net: the HSS profile does not parse", 0), 0u) << rows[0];
  EXPECT_EQ(Number(Db().handle(), "SELECT COUNT(*) FROM registrations"), 0);
}

TEST(OverridesJson, KeysInOrderLaterWinsAndEscaped) {
  EXPECT_EQ(OverridesJson({}), "{}");
  EXPECT_EQ(OverridesJson({"scscf.QueueCapacity=200"}), R"({"scscf.QueueCapacity":"200"})");
  EXPECT_EQ(OverridesJson({"duration=5s", "seed=2", "duration=6s"}), R"({"duration":"6s","seed":"2"})");
  EXPECT_EQ(OverridesJson({"subscribers.aor=\"sip:a\\b\"=x\n"}), R"({"subscribers.aor":"\"sip:a\\b\"=x\n"})");
}

TEST(Progress, LineShowsSimulatedWallRateAndTimeLeft) {
  ProgressFigures figures;
  figures.sim_reached_s = 15;
  figures.sim_total_s = 30;
  figures.wall_s = 5;
  figures.events_per_s = 1'920'000;
  // Half the simulated time in 5 s of wall time: 5 s left at that pace.
  figures.left_s = EstimateTimeLeft(15, 30, 5);
  ASSERT_TRUE(figures.left_s);
  EXPECT_DOUBLE_EQ(*figures.left_s, 5.0);
  EXPECT_EQ(FormatProgress(figures, 10), "[#####.....]  50%  sim 15.0s/30.0s  wall 5.0s  1.92M ev/s  ~5.0s left");
  figures.sim_reached_s = 30;
  figures.wall_s = 125;
  figures.events_per_s = 1500;
  figures.left_s = EstimateTimeLeft(30, 30, 125);
  EXPECT_EQ(FormatProgress(figures, 4), "[####] 100%  sim 30.0s/30.0s  wall 2m05s  1.5k ev/s  ~0.0s left");
  EXPECT_FALSE(EstimateTimeLeft(0, 30, 1));
  EXPECT_FALSE(EstimateTimeLeft(1, 0, 1));
  // Beyond the end (a last event after the stop) the bar stays full.
  figures.sim_reached_s = 45;
  EXPECT_EQ(FormatProgress(figures, 4).substr(0, 11), "[####] 100%");
}

TEST(Progress, BarIsSilentWhenQuietOrShortAndErasesItself) {
  std::ostringstream quiet;
  ProgressBar off(quiet, 10, false, std::chrono::seconds(0), std::chrono::seconds(0));
  off.Update(5, 100);
  off.Finish();
  EXPECT_EQ(quiet.str(), "");

  std::ostringstream short_run;
  ProgressBar delayed(short_run, 10, true, std::chrono::hours(1), std::chrono::seconds(0));
  delayed.Update(5, 100);
  delayed.Finish();
  EXPECT_EQ(short_run.str(), "");

  std::ostringstream shown;
  ProgressBar bar(shown, 10, true, std::chrono::seconds(0), std::chrono::seconds(0));
  bar.Update(5, 100);
  EXPECT_TRUE(bar.drawn());
  const std::string line = shown.str();
  EXPECT_EQ(line.rfind("\r[##########..........]  50%  sim 5.0s/10.0s", 0), 0u) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  bar.Finish();
  const std::string erased = shown.str().substr(line.size());
  EXPECT_EQ(erased, "\r" + std::string(line.size() - 1, ' ') + "\r");
}

}  // namespace
}  // namespace pushsim::runner
