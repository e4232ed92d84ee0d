// `pushsim run` with push, REFER-flood and mixed workloads on the small network of
// tests/runner/scenarios/workload-net.dot, rows checked against figures derived by hand.
//
// Path delays (workload-net.dot): a push goes AS -> core 4 ms -> S-CSCF 3 ms -> core 3 ms ->
// P-CSCF 2 ms -> cell 6 ms -> UE 10 ms: 28 ms one way; the final response comes back the same
// way, so a MESSAGE is answered after 56 ms. Every element's service time is 0 (the core's
// defaults) and every link but the 100 Mbps access runs at 1 Gbps, so transmission adds well under
// a millisecond to a message of a few hundred bytes: a MESSAGE push is delivered within
// [28 ms, 29 ms] of its creation and answered within [56 ms, 58 ms].
// The UE to the content server: UE -> cell 10 ms -> P-CSCF 6 ms -> core 2 ms -> content 5 ms:
// 23 ms one way, 46 ms a round trip.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runner.h"
#include "support/runner_db.h"

namespace pushsim::runner {
namespace {

using testing::Numbers;
using testing::Rows;

const std::string kScenarios = std::string(PUSHSIM_SOURCE_DIR) + "/tests/runner/scenarios/";

class WorkloadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Recorder::Open((dir_.path() / "results.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    recorder_ = std::make_unique<Recorder>(std::move(opened.value()));
  }

  // Runs tests/runner/scenarios/<name>.yaml with the overrides; the run id.
  std::string Run(const std::string& name, const std::vector<std::string>& overrides = {}, std::uint64_t seed = 1) {
    const Scenario scenario = testing::LoadWithOverrides(kScenarios + name + ".yaml", overrides);
    RunSettings settings;
    settings.seed = seed;
    settings.parameters_json = OverridesJson(overrides);
    diagnostics_.str("");
    const RunOutcome outcome = RunScenario(scenario, settings, *recorder_, diagnostics_);
    EXPECT_EQ(outcome.status, RunStatus::kCompleted) << outcome.error;
    return std::to_string(outcome.run_id);
  }

  sqlite3* Db() { return recorder_->handle(); }

  testing::TempDir dir_{"pushsim-workloads"};
  std::unique_ptr<Recorder> recorder_;
  std::ostringstream diagnostics_;
};

// Six MESSAGE pushes (TS 9.1.2) to three registered users, 10 a second from 1 s: six rows, one per
// push, each accepted with 200 (Appendix D row 1), delivered after at least the 28 ms path, round
// robin over users 1, 2, 3, 1, 2, 3.
TEST_F(WorkloadsTest, TS_9_1_2_PeriodicMessagePushesGiveOneAcceptedRowEach) {
  const std::string run = Run("workload-message");
  EXPECT_EQ(Rows(Db(), "SELECT push_id, created_s, method, size_bytes, target_kind, target_uri, final_code, app_status, "
                       "retries FROM pushes WHERE run_id = " + run + " ORDER BY push_id"),
            (std::vector<std::string>{
                "1|1.0|MESSAGE|100|user|sip:user1@home1.net|200|accepted|0",
                "2|1.1|MESSAGE|100|user|sip:user2@home1.net|200|accepted|0",
                "3|1.2|MESSAGE|100|user|sip:user3@home1.net|200|accepted|0",
                "4|1.3|MESSAGE|100|user|sip:user1@home1.net|200|accepted|0",
                "5|1.4|MESSAGE|100|user|sip:user2@home1.net|200|accepted|0",
                "6|1.5|MESSAGE|100|user|sip:user3@home1.net|200|accepted|0"}));
  for (const double delay : Numbers(Db(), "SELECT delivery_delay_s FROM pushes WHERE run_id = " + run)) {
    EXPECT_GE(delay, 0.028);
    EXPECT_LE(delay, 0.029);
  }
  for (const double delay : Numbers(Db(), "SELECT response_delay_s FROM pushes WHERE run_id = " + run)) {
    EXPECT_GE(delay, 0.056);
    EXPECT_LE(delay, 0.058);
  }
  // The S-CSCF retargets the public identity to the registered contact (RFC 3261 10.3), so the
  // terminal reached is the UE's contact; the Call-ID is that of the MESSAGE in the message log.
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*) FROM pushes WHERE run_id = " + run +
                           " AND terminal LIKE 'sip:user_@10.%:5060' AND call_id IS NOT NULL"),
            std::vector<std::string>{"6"});
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*) FROM pushes p WHERE run_id = " + run +
                           " AND (SELECT COUNT(*) FROM messages m WHERE m.run_id = p.run_id AND m.call_id = p.call_id "
                           "AND m.node = 'as' AND m.direction = 'out' AND m.first_line LIKE 'MESSAGE %') = 1"),
            std::vector<std::string>{"6"});
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*) FROM events WHERE run_id = " + run), std::vector<std::string>{"0"});
  // Every node of the topology (8) and every UE, by the names of the message log.
  EXPECT_EQ(Rows(Db(), "SELECT name, role FROM nodes WHERE run_id = " + run + " AND role IN ('ue', 'as', 'attacker') "
                       "ORDER BY name"),
            (std::vector<std::string>{"as|as", "evil|attacker", "ue1.0|ue", "ue2.0|ue", "ue3.0|ue"}));
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*), COUNT(address) FROM nodes WHERE run_id = " + run),
            std::vector<std::string>{"11|11"});
}

// Round robin with count = users (decisions: starting with the first user): each user once.
TEST_F(WorkloadsTest, RoundRobinWithCountOfUsersPushesEachUserOnce) {
  const std::string run = Run("workload-message", {"push.count=3", "push.rate=100/s"});
  EXPECT_EQ(Rows(Db(), "SELECT target_uri, COUNT(*) FROM pushes WHERE run_id = " + run +
                           " GROUP BY target_uri ORDER BY target_uri"),
            (std::vector<std::string>{"sip:user1@home1.net|1", "sip:user2@home1.net|1", "sip:user3@home1.net|1"}));
}

// A ramp spreads `count` pushes evenly over [start, stop): 4 pushes over [1 s, 3 s) at 1.0, 1.5,
// 2.0 and 2.5 s.
TEST_F(WorkloadsTest, RampSpreadsCountPushesEvenlyOverStartToStop) {
  const std::string run =
      Run("workload-message", {"push.arrival=ramp", "push.count=4", "push.start=1s", "push.stop=3s"});
  EXPECT_EQ(Rows(Db(), "SELECT created_s FROM pushes WHERE run_id = " + run + " ORDER BY created_s"),
            (std::vector<std::string>{"1.0", "1.5", "2.0", "2.5"}));
}

// Forced methods are recorded with that method: content indirection (RFC 4483) of 4000 bytes is
// fetched over HTTP after the MESSAGE, so it is delivered after the MESSAGE's 28 ms plus the TCP
// handshake and the GET, two round trips of 46 ms: at least 120 ms. INVITE + MSRP (TS 9.3) of
// 2000 bytes. `auto` (TS 9.1.2 step 8): 200 bytes fit a 1300-byte MESSAGE, 5000 bytes do not and
// go by indirection (as.LargeContent's default). A forced indirection of 300 bytes goes by reference
// although a MESSAGE would carry it.
TEST_F(WorkloadsTest, TS_9_1_2_Step8_ForcedAndAutomaticMethods) {
  const std::string run = Run("workload-methods");
  EXPECT_EQ(Rows(Db(), "SELECT created_s, method, size_bytes, final_code, app_status, delivery_delay_s IS NOT NULL "
                       "FROM pushes WHERE run_id = " + run + " ORDER BY created_s"),
            (std::vector<std::string>{"1.0|MESSAGE+external-body|4000|200|accepted|1",
                                      "2.0|INVITE+MSRP|2000|200|accepted|1", "3.0|MESSAGE|200|200|accepted|1",
                                      "4.0|MESSAGE+external-body|5000|200|accepted|1",
                                      "5.0|MESSAGE+external-body|300|200|accepted|1"}));
  const auto first_fetch = Numbers(Db(), "SELECT delivery_delay_s FROM pushes WHERE run_id = " + run +
                                             " AND created_s = 1.0");
  ASSERT_EQ(first_fetch.size(), 1u);
  EXPECT_GE(first_fetch[0], 0.028 + 2 * 0.046);
  // INVITE + MSRP: the INVITE's 28 ms, the 200 back (28 ms), then a TCP connection from the AS to
  // the UE (AS -> core 4 ms -> P-CSCF 2 ms -> cell 6 ms -> UE 10 ms: 22 ms, so 44 ms for the
  // handshake) and the SEND's 22 ms: at least 122 ms.
  const auto msrp = Numbers(Db(), "SELECT delivery_delay_s FROM pushes WHERE run_id = " + run +
                                      " AND method = 'INVITE+MSRP'");
  ASSERT_EQ(msrp.size(), 1u);
  EXPECT_GE(msrp[0], 0.028 * 2 + 2 * 0.022 + 0.022);
}

// A push to a user that has not registered yet: the S-CSCF answers 480 (TS 24.229 5.4.3.3, no
// contact), which Appendix D's reference to RFC 3261 21.4.18 makes "undeliverable", with no
// retry; the runner records a push-failed event with the method and code. The first push, to the
// registered user, is accepted.
TEST_F(WorkloadsTest, AppendixD_PushToUnregisteredUserIsUndeliverable) {
  const std::string run = Run("workload-unregistered");
  EXPECT_EQ(Rows(Db(), "SELECT created_s, target_uri, final_code, app_status, retries, delivery_delay_s IS NULL, "
                       "terminal IS NULL FROM pushes WHERE run_id = " + run + " ORDER BY created_s"),
            (std::vector<std::string>{"2.0|sip:user1@home1.net|200|accepted|0|0|0",
                                      "3.0|sip:user2@home1.net|480|undeliverable|0|1|1"}));
  // The 480 comes from the S-CSCF: AS -> core -> S-CSCF and back, 2 * (4 + 3) ms.
  const auto delay = Numbers(Db(), "SELECT response_delay_s FROM pushes WHERE run_id = " + run + " AND final_code = 480");
  ASSERT_EQ(delay.size(), 1u);
  EXPECT_GE(delay[0], 0.014);
  EXPECT_LE(delay[0], 0.015);
  EXPECT_EQ(Rows(Db(), "SELECT kind, element, detail FROM events WHERE run_id = " + run),
            std::vector<std::string>{"push-failed|as|MESSAGE 480"});
}

// all-terminals (TS 9.1.2 step 11): one request per terminal the sender learnt from the
// third-party REGISTER, each to the terminal's public GRUU (RFC 5627 3.1), so two rows with the
// same push id, both accepted and delivered.
TEST_F(WorkloadsTest, TS_9_1_2_Step11_AllTerminalsReachesEveryTerminal) {
  const std::string run = Run("workload-all-terminals");
  EXPECT_EQ(Rows(Db(), "SELECT push_id, target_kind, target_uri, terminal, final_code, app_status FROM pushes "
                       "WHERE run_id = " + run + " ORDER BY terminal"),
            (std::vector<std::string>{
                "1|all-terminals|sip:user1@home1.net|sip:user1@home1.net;gr=urn:uuid:00000000-0000-4000-8000-"
                "000000000000|200|accepted",
                "1|all-terminals|sip:user1@home1.net|sip:user1@home1.net;gr=urn:uuid:00000000-0000-4000-8000-"
                "000000000001|200|accepted"}));
  for (const double delay : Numbers(Db(), "SELECT delivery_delay_s FROM pushes WHERE run_id = " + run)) {
    EXPECT_GE(delay, 0.028);
    EXPECT_LE(delay, 0.029);
  }
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(DISTINCT call_id) FROM pushes WHERE run_id = " + run),
            std::vector<std::string>{"2"});
}

// Without a push iFC in the profile no third-party REGISTER reaches the AS, so it subscribes to
// each user's reg event (RFC 3680) at the start and learns both terminals from the NOTIFYs: the
// all-terminals push still reaches both, and the AS never sees a REGISTER.
TEST_F(WorkloadsTest, RFC3680_WithoutPushIfcTheAsLearnsTerminalsFromTheRegEvent) {
  const std::string run = Run("workload-reg-event");
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*), COUNT(DISTINCT terminal), SUM(app_status = 'accepted') FROM pushes "
                       "WHERE run_id = " + run),
            std::vector<std::string>{"2|2|2"});
  EXPECT_EQ(Rows(Db(), "SELECT direction, first_line FROM messages WHERE run_id = " + run +
                           " AND node = 'as' AND (first_line LIKE 'SUBSCRIBE %' OR first_line LIKE 'REGISTER %')"),
            std::vector<std::string>{"out|SUBSCRIBE sip:user1@home1.net SIP/2.0"});
}

// The REFER flood (OMA 003 "Processing REFER requests"): five REFERs reach the UE within 4 ms.
// With lockout defer the first takes the lockout at once and the four others are deferred; each
// of them takes the lockout in turn when the previous one's processing ends: 5 lockout and 4
// refer-deferred events, in that order of the first two. Without lockout: none of either.
TEST_F(WorkloadsTest, Refer003_FloodWithLockoutDeferVersusNone) {
  const std::string defer = Run("workload-flood");
  EXPECT_EQ(Rows(Db(), "SELECT kind, element, COUNT(*) FROM events WHERE run_id = " + defer +
                           " GROUP BY kind, element ORDER BY kind"),
            (std::vector<std::string>{"lockout|ue1.0|5", "refer-deferred|ue1.0|4"}));
  EXPECT_EQ(Rows(Db(), "SELECT kind FROM events WHERE run_id = " + defer + " ORDER BY time_s, id LIMIT 2"),
            (std::vector<std::string>{"lockout", "refer-deferred"}));
  // One at a time: the deferred ones take the lockout after the first one's processing.
  EXPECT_EQ(Rows(Db(), "SELECT MAX(time_s) < (SELECT MIN(time_s) FROM events WHERE run_id = " + defer +
                           " AND kind = 'lockout' AND time_s > 1.05) FROM events WHERE run_id = " + defer +
                           " AND kind = 'refer-deferred'"),
            std::vector<std::string>{"1"});

  const std::string none = Run("workload-flood", {"refer-flood.lockout=none"});
  EXPECT_EQ(Rows(Db(), "SELECT COUNT(*) FROM events WHERE run_id = " + none +
                           " AND kind IN ('lockout', 'refer-deferred', 'refer-discarded')"),
            std::vector<std::string>{"0"});
  // The flood's REFERs went through the core and reached the UE either way: five each.
  for (const std::string& run : {defer, none}) {
    EXPECT_EQ(Rows(Db(), "SELECT COUNT(*) FROM messages WHERE run_id = " + run +
                             " AND node = 'ue1.0' AND direction = 'in' AND first_line LIKE 'REFER %'"),
              std::vector<std::string>{"5"});
  }
}

// The same scenario, parameters and seed: identical rows (Poisson arrivals, uniform sizes and a
// random user pick draw from the run's streams); another seed draws other ones.
TEST_F(WorkloadsTest, SameSeedGivesIdenticalPushRows) {
  const std::vector<std::string> overrides = {"push.arrival=poisson", "push.rate=20/s", "push.count=8",
                                              "push.size=uniform(100B, 3000B)", "push.method=auto",
                                              "push.pick=random"};
  const std::string first = Run("workload-message", overrides, 5);
  const std::string second = Run("workload-message", overrides, 5);
  const std::string other = Run("workload-message", overrides, 6);
  const std::string columns =
      "SELECT push_id, created_s, method, size_bytes, target_uri, terminal, final_code, app_status, response_delay_s, "
      "delivery_delay_s, retries, call_id FROM pushes WHERE run_id = ";
  const auto a = Rows(Db(), columns + first + " ORDER BY push_id, terminal");
  EXPECT_EQ(a.size(), 8u);
  EXPECT_EQ(a, Rows(Db(), columns + second + " ORDER BY push_id, terminal"));
  EXPECT_NE(a, Rows(Db(), columns + other + " ORDER BY push_id, terminal"));
  auto dump = [&](const std::string& id) {
    auto text = recorder_->DumpRun(std::stoll(id));
    EXPECT_TRUE(text.ok());
    return text.ok() ? text.value() : std::string();
  };
  EXPECT_EQ(dump(first), dump(second));
}

// The summary table (SummaryTable over the push_success and push_latency views): one line per
// method with pushes, accepted, delivered, failed, unanswered and the delivery percentiles.
TEST_F(WorkloadsTest, SummaryTableHasPushLinesPerMethod) {
  const std::string message = Run("workload-message");
  const std::string unregistered = Run("workload-unregistered");
  auto table = SummaryTable(*recorder_, {std::stoll(message), std::stoll(unregistered)});
  ASSERT_TRUE(table.ok()) << table.error().message;
  const std::string& text = table.value();
  EXPECT_EQ(text.find("not yet supported"), std::string::npos) << text;
  // Six MESSAGE pushes all accepted and delivered; delivery p50 = p95 = p99 = 28.1 ms (each is
  // within [28, 29] ms, printed to 0.1 ms).
  std::istringstream lines(text);
  std::vector<std::vector<std::string>> message_lines;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string word; words >> word;) fields.push_back(word);
    if (fields.size() == 10 && fields[1] == "MESSAGE") message_lines.push_back(fields);
  }
  ASSERT_EQ(message_lines.size(), 2u) << text;
  EXPECT_EQ(std::vector<std::string>(message_lines[0].begin(), message_lines[0].begin() + 7),
            (std::vector<std::string>{message, "MESSAGE", "6", "6", "6", "0", "0"}));
  for (int p = 7; p < 10; ++p) EXPECT_EQ(message_lines[0][p].substr(0, 3), "28.") << text;
  // Two pushes: one accepted, one failed with 480 (answered, so not unanswered).
  EXPECT_EQ(std::vector<std::string>(message_lines[1].begin(), message_lines[1].begin() + 7),
            (std::vector<std::string>{unregistered, "MESSAGE", "2", "1", "1", "1", "0"}));
}

}  // namespace
}  // namespace pushsim::runner
