// Scenario files: every section, defaults, units, one bad file per kind of error (file, line,
// column and message), and --set overrides.
#include "scenario.h"

#include <gtest/gtest.h>

namespace pushsim::runner {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kDir = std::string(PUSHSIM_SOURCE_DIR) + "/tests/runner/scenarios/";

Scenario Load(const std::string& name) {
  auto loaded = LoadScenario(kDir + name);
  EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
  return loaded.ok() ? loaded.value() : Scenario{};
}

SourceError LoadError(const std::string& name) {
  auto loaded = LoadScenario(kDir + name);
  EXPECT_FALSE(loaded.ok()) << name << " loaded";
  return loaded.ok() ? SourceError{} : loaded.error();
}

TEST(Scenario, DefaultsOfAMinimalFile) {
  const Scenario s = Load("minimal.yaml");
  EXPECT_EQ(s.name, "minimal");  // from the file name
  EXPECT_EQ(s.duration, seconds(60));
  EXPECT_EQ(s.seed, 1u);
  EXPECT_TRUE(s.icscf);
  EXPECT_EQ(s.topology.nodes.size(), 10u);
  EXPECT_EQ(s.subscribers.users, 1u);
  EXPECT_EQ(s.subscribers.TotalTerminals(), 1u);
  EXPECT_EQ(s.subscribers.AorOf(1), "sip:user1@home1.net");
  EXPECT_EQ(s.subscribers.app_ids, std::vector<std::string>{"mms.ua"});
  EXPECT_TRUE(s.subscribers.gruu);
  EXPECT_TRUE(s.workloads.empty());
  EXPECT_EQ(s.messages, MessageTrace::kSummary);
  EXPECT_FALSE(s.pcap);
  EXPECT_EQ(s.sample_interval, seconds(1));
  const auto terminals = s.Terminals();
  ASSERT_EQ(terminals.size(), 1u);
  EXPECT_EQ(s.topology.nodes[terminals[0].cell].name, "c1");  // the first cell in the DOT file
  EXPECT_EQ(s.Text(), "topology: {file: small.dot}\n");
}

TEST(Scenario, EverySection) {
  const Scenario s = Load("every-section.yaml");
  EXPECT_EQ(s.name, "every-section");
  EXPECT_EQ(s.description, "a test of every key");
  EXPECT_EQ(s.duration, seconds(120));
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.topology_file, kDir + "small.dot");
  EXPECT_TRUE(s.icscf);  // a map of attributes turns it on
  EXPECT_EQ(s.Attribute("icscf", "QueueCapacity"), "50");
  EXPECT_EQ(s.Attribute("scscf", "QueueCapacity"), "300");  // set: wins over core:
  EXPECT_EQ(s.Attribute("scscf", "RegisterServiceTime"), "ns3::ConstantRandomVariable[Constant=0.002]");
  EXPECT_EQ(s.Attribute("scscf", "T1"), "250000000ns");
  EXPECT_EQ(s.Attribute("as", "MaxRetries"), "3");

  const Subscribers& subs = s.subscribers;
  EXPECT_EQ(subs.users, 10u);
  EXPECT_EQ(subs.terminals_per_user, 2u);
  EXPECT_EQ(subs.TerminalsOf(4), 3u);
  EXPECT_EQ(subs.TerminalsOf(5), 1u);
  EXPECT_EQ(subs.TotalTerminals(), 20u);  // 10 * 2, +1 for user 4, -1 for user 5
  EXPECT_EQ(subs.AorOf(7), "sip:u7@example.net");
  EXPECT_EQ(subs.app_ids, (std::vector<std::string>{"mms.ua", "urn:oma:xml:push"}));
  EXPECT_FALSE(subs.gruu);
  EXPECT_EQ(subs.profile, kDir + "profile.xml");
  EXPECT_NE(subs.profile_text.find("<Identity>{aor}</Identity>"), std::string::npos);
  EXPECT_EQ(subs.cells, (std::vector<std::string>{"c2", "c3"}));
  const auto terminals = s.Terminals();
  ASSERT_EQ(terminals.size(), 20u);
  // Users 1-3 take terminals 0-5; user 4's three are 6, 7, 8: round robin c2, c3, c2, ...
  EXPECT_EQ(terminals[8].user, 4u);
  EXPECT_EQ(terminals[8].terminal, 2u);
  EXPECT_EQ(s.topology.nodes[terminals[8].cell].name, "c2");
  EXPECT_EQ(s.topology.nodes[terminals[7].cell].name, "c3");
  EXPECT_EQ(terminals[9].user, 5u);
  EXPECT_EQ(terminals[10].user, 6u);

  ASSERT_EQ(s.workloads.size(), 8u);
  const auto& reg = std::get<RegistrationWorkload>(s.workloads[0].spec);
  EXPECT_EQ(reg.arrival, Arrival::kPoisson);
  EXPECT_DOUBLE_EQ(reg.rate, 50.0);
  EXPECT_EQ(reg.start, seconds(1));
  EXPECT_EQ(reg.reregister, seconds(3600));
  EXPECT_EQ(s.workloads[0].where.line, 22);
  EXPECT_EQ(s.workloads[0].where.column, 5);
  EXPECT_EQ(std::get<RegistrationWorkload>(s.workloads[1].spec).ramp, seconds(30));
  const auto& push = std::get<PushWorkload>(s.workloads[2].spec);
  EXPECT_EQ(push.arrival, Arrival::kPeriodic);
  EXPECT_DOUBLE_EQ(push.rate, 0.5);  // 30/min
  EXPECT_EQ(push.start, seconds(5));
  EXPECT_EQ(push.stop, seconds(90));
  EXPECT_EQ(push.count, 40u);
  EXPECT_EQ(push.method, PushMethod::kInviteMsrp);
  EXPECT_EQ(push.size.kind, SizeDistribution::Kind::kList);
  EXPECT_EQ(push.size.values, (std::vector<std::uint64_t>{1024, 4096, 1048576}));
  EXPECT_EQ(push.target, PushTarget::kGruu);
  EXPECT_EQ(push.app_id, "urn:oma:xml:push");
  EXPECT_TRUE(push.delivery_report);
  const auto& sub = std::get<SubscriptionWorkload>(s.workloads[3].spec);
  EXPECT_FALSE(sub.who.all);
  EXPECT_EQ(sub.who.count, 3u);
  EXPECT_EQ(sub.at, seconds(10));
  EXPECT_EQ(sub.expires, seconds(600));
  const auto& refer = std::get<ReferSubscriptionWorkload>(s.workloads[4].spec);
  EXPECT_TRUE(refer.who.all);
  EXPECT_EQ(refer.from, "as1");
  const auto& flood = std::get<ReferFloodWorkload>(s.workloads[5].spec);
  EXPECT_EQ(flood.attacker, "evil");
  EXPECT_EQ(flood.target, 7u);  // from its AoR
  EXPECT_DOUBLE_EQ(flood.rate, 100.0);
  EXPECT_EQ(flood.duration, seconds(15));
  EXPECT_EQ(flood.lockout, Lockout::kDefer);
  EXPECT_EQ(flood.lockout_duration, seconds(120));
  const auto& failure = std::get<FailureWorkload>(s.workloads[6].spec);
  EXPECT_EQ(failure.element, "p");
  EXPECT_EQ(failure.down, seconds(60));
  EXPECT_EQ(failure.up, milliseconds(61500));
  const auto& bare = std::get<RegistrationWorkload>(s.workloads[7].spec);
  EXPECT_EQ(bare.arrival, Arrival::kAllAtOnce);
  EXPECT_EQ(bare.reregister, seconds(600000));  // TS 24.229 default

  EXPECT_EQ(s.messages, MessageTrace::kFull);  // set: after trace:
  EXPECT_TRUE(s.pcap);
  EXPECT_EQ(s.sample_interval, milliseconds(250));
}

TEST(Scenario, ParametersJsonIsCanonical) {
  const Scenario a = Load("every-section.yaml");
  const Scenario b = Load("every-section.yaml");
  EXPECT_EQ(a.ParametersJson(), b.ParametersJson());
  const std::string json = a.ParametersJson();
  EXPECT_EQ(json.rfind("{\"name\":\"every-section\",\"duration\":\"2min\",\"seed\":42,", 0), 0u) << json;
  EXPECT_NE(json.find("\"size\":\"list(1KiB, 4KiB, 1MiB)\""), std::string::npos);
  EXPECT_NE(json.find("\"scscf\":{\"QueueCapacity\":\"300\""), std::string::npos);
  Scenario c = a;
  ASSERT_FALSE(ApplyOverride(c, "push.rate=2/s"));
  EXPECT_NE(c.ParametersJson(), json);
  EXPECT_NE(c.ParametersJson().find("\"rate\":\"2/s\""), std::string::npos);
}

TEST(Scenario, TheQuickstartChecks) {
  auto loaded = LoadScenario(std::string(PUSHSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const Scenario& s = loaded.value();
  EXPECT_EQ(s.subscribers.users, 6u);
  EXPECT_EQ(s.Terminals().size(), 7u);  // user 3 has two
  int methods = 0;
  for (const Workload& w : s.workloads) methods += std::holds_alternative<PushWorkload>(w.spec);
  EXPECT_EQ(methods, 4);
  const std::string summary = ScenarioSummary(s);
  EXPECT_NE(summary.find("6 users, 7 UEs"), std::string::npos) << summary;
  EXPECT_NE(summary.find("cell1=4 cell2=3"), std::string::npos) << summary;
}

// One bad file per kind of error; positions counted by hand in the files.
TEST(BadScenario, UnknownKey) {
  const SourceError e = LoadError("bad-unknown-key.yaml");
  EXPECT_EQ(e.ToString(), kDir +
                              "bad-unknown-key.yaml:5:7: error: unknown key 'rat' in push workload; expected one "
                              "of: arrival, rate, start, stop, count, method, size, target, pick, app_id, delivery_report");
}

TEST(BadScenario, BadUnit) {
  const SourceError e = LoadError("bad-unit.yaml");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 11);
  EXPECT_EQ(e.message, "duration: '30 seconds' is not a duration; expected e.g. 5s, 200ms or 1.5min (at most 365d)");
}

TEST(BadScenario, OutOfRange) {
  const SourceError e = LoadError("bad-range.yaml");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 23);
  EXPECT_EQ(e.message, "terminals_per_user: 65 is out of range; expected an integer from 1 to 64");
}

TEST(BadScenario, MissingRequiredSection) {
  const SourceError e = LoadError("bad-missing-topology.yaml");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "missing required section 'topology'; expected topology: {file: NAME.dot}");
}

TEST(BadScenario, NodeTheTopologyLacks) {
  const SourceError e = LoadError("bad-node-reference.yaml");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 24);
  EXPECT_EQ(e.message, "element: no node 'pcscf9' in " + kDir + "small.dot; expected one of: p, i, s, h, as1, r, "
                       "c1, c2, c3, evil");
}

TEST(BadScenario, WrongType) {
  const SourceError e = LoadError("bad-type.yaml");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 10);
  EXPECT_EQ(e.message, "users: expected a single value, not a list");
}

TEST(BadScenario, YamlSyntax) {
  const SourceError e = LoadError("bad-yaml.yaml");
  EXPECT_EQ(e.file, kDir + "bad-yaml.yaml");
  EXPECT_GE(e.line, 3);  // the unclosed flow map opens on line 3
  EXPECT_EQ(e.message.rfind("YAML: ", 0), 0u) << e.message;
}

TEST(BadScenario, AttributeValue) {
  const SourceError e = LoadError("bad-attribute.yaml");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 20);
  EXPECT_EQ(e.message.rfind("scscf.QueueCapacity: 'lots'; expected ", 0), 0u) << e.message;
}

TEST(BadScenario, TopologyErrorNamesTheDotFile) {
  const SourceError e = LoadError("bad-dot-reference.yaml");
  EXPECT_EQ(e.ToString(), kDir + "two-scscf.dot:3: error: 2 nodes with role scscf; expected exactly one");
}

Loaded<Scenario> Inline(const std::string& text) { return ParseScenario(text, kDir + "inline.yaml"); }

TEST(BadScenario, InlineCases) {
  struct Case {
    std::string text;
    int line;
    int column;
    std::string message_start;
  };
  const std::string topo = "topology: {file: small.dot}\n";
  const std::vector<Case> cases = {
      {topo + "color: red\n", 2, 1, "unknown key 'color' in the scenario; expected one of: name,"},
      {topo + "duration: 1s\nduration: 2s\n", 3, 1, "key 'duration' appears twice"},
      {topo + "seed: 0\n", 2, 7, "seed: 0 is out of range; expected an integer from 1 to 4294967295"},
      {topo + "core: {icscf: maybe}\n", 2, 15, "icscf: 'maybe'; expected true or false, or a map of attributes"},
      {topo + "core: {scscf: {Bogus: 1}}\n", 2, 16, "no attribute 'Bogus' in scscf (pushsim::ScscfApplication)"},
      {topo + "core: {scscf: {T1: 12abc}}\n", 2, 20, "scscf.T1: '12abc' is not a duration"},
      {topo + "core: {scscf: {QueueCapacity: 12abc}}\n", 2, 31, "scscf.QueueCapacity: '12abc'; expected"},
      {topo + "core: {scscf: {RegisterServiceTime: \"ns3::Nope[Constant=1]\"}}\n", 2, 37,
       "scscf.RegisterServiceTime: 'ns3::Nope' is not an ns-3 random variable type"},
      {topo + "core: {scscf: {RegisterServiceTime: \"ns3::ConstantRandomVariable[Constant=1\"}}\n", 2, 37,
       "scscf.RegisterServiceTime: 'ns3::ConstantRandomVariable[Constant=1' lacks its closing ']'"},
      {topo + "core: {scscf: {Resolver: x}}\n", 2, 16, "scscf.Resolver is wired by the program"},
      {topo + "workloads:\n  - gossip: {}\n", 3, 5, "unknown workload 'gossip'; expected one of: registration,"},
      {topo + "workloads:\n  - push: {size: \"uniform(8KiB, 1KiB)\"}\n", 3, 18,
       "size: uniform(8KiB, 1KiB) has its minimum above its maximum"},
      {topo + "workloads:\n  - push: {size: \"normal(1KiB)\"}\n", 3, 18, "size: unknown distribution 'normal'"},
      {topo + "workloads:\n  - push: {method: fax}\n", 3, 20,
       "method: 'fax'; expected one of: auto, message, indirection, invite-msrp, notify"},
      {topo + "workloads:\n  - push: {rate: fast}\n", 3, 18, "rate: 'fast' is not a rate"},
      {topo + "workloads:\n  - push: {start: 5s, stop: 2s}\n", 3, 5,
       "push workload: stop is not after start; expected stop > start"},
      {topo + "workloads:\n  - refer-flood: {attacker: p, target: 1}\n", 3, 29,
       "attacker: node 'p' has role pcscf; expected a node with role attacker"},
      {topo + "workloads:\n  - refer-flood: {attacker: evil, target: 5}\n", 3, 5,
       "refer-flood workload: target user 5 does not exist; expected 1 to 1"},
      {topo + "workloads:\n  - subscription: {event: reg}\n", 3, 27,
       "event: 'reg' is not an event package the Push Receiver Agent subscribes to; expected ua-profile"},
      {topo + "workloads:\n  - failure: {element: p, down: 5s, up: 5s}\n", 3, 5,
       "failure workload: up is not after down"},
      {topo + "subscribers: {aor: \"sip:fixed@home1.net\"}\n", 2, 20, "aor: 'sip:fixed@home1.net'; expected a SIP URI"},
      {topo + "subscribers: {cells: [r]}\n", 2, 23, "cells: node 'r' has role router; expected a node with role cell"},
      {topo + "subscribers: {profile: missing.xml}\n", 2, 24, "cannot open '" + kDir + "missing.xml'"},
      {topo + "subscribers: {users: 2, terminals: {3: 2}}\n", 0, 0, "subscribers.terminals names user 3"},
      {topo + "set: {scscf.QueueCapacity: -1}\n", 2, 28, "scscf.QueueCapacity: '-1'; expected"},
      {topo + "set: {speed: 3}\n", 2, 7, "unknown setting 'speed'"},
      {"topology: {file: two-scscf.dot}\ncore: {icscf: true}\n", 0, 0, ""},  // DOT error first
      {"topology: {file: small.dot, extra: 1}\n", 1, 29, "unknown key 'extra' in topology; expected one of: file"},
      {"- a\n- b\n", 1, 1, "expected a map of sections"},
  };
  for (const Case& c : cases) {
    const auto loaded = Inline(c.text);
    ASSERT_FALSE(loaded.ok()) << c.text;
    if (c.message_start.empty()) continue;
    EXPECT_EQ(loaded.error().line, c.line) << c.text << loaded.error().ToString();
    EXPECT_EQ(loaded.error().column, c.column) << c.text << loaded.error().ToString();
    EXPECT_EQ(loaded.error().message.rfind(c.message_start, 0), 0u) << c.text << loaded.error().ToString();
  }
}

TEST(BadScenario, IcscfRequiredWhenOn) {
  // A topology without an I-CSCF: an error with the default icscf: true, at the key when given.
  auto loaded = Inline("topology: {file: no-icscf.dot}\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().line, 1);
  EXPECT_EQ(loaded.error().message.rfind("core.icscf is true but " + kDir + "no-icscf.dot has no node with role icscf", 0),
            0u) << loaded.error().message;
  loaded = Inline("topology: {file: no-icscf.dot}\ncore:\n  icscf: true\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().line, 3);
  EXPECT_EQ(loaded.error().column, 3);
  loaded = Inline("topology: {file: no-icscf.dot}\ncore: {icscf: false}\n");
  EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
}

TEST(BadScenario, HostileText) {
  EXPECT_FALSE(Inline(std::string("\0\xff\xfe{[", 5)).ok());
  EXPECT_FALSE(Inline(std::string(5000, '[') + std::string(5000, ']')).ok());
  EXPECT_FALSE(Inline(std::string(kMaxScenarioBytes + 1, '#')).ok());
  EXPECT_FALSE(Inline("topology: {file: small.dot}\nworkloads: &a [*a]\n").ok());
  EXPECT_FALSE(Inline("topology: {file: small.dot}\nsubscribers: {users: 99999999999999999999999}\n").ok());
  const auto missing = LoadScenario("/nonexistent/s.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().ToString(), "/nonexistent/s.yaml: error: cannot open the scenario file");
}

TEST(Override, GoodValuesTakeEffect) {
  Scenario s = Load("every-section.yaml");
  ASSERT_FALSE(ApplyOverride(s, "push.rate=20/s"));
  EXPECT_DOUBLE_EQ(std::get<PushWorkload>(s.workloads[2].spec).rate, 20.0);
  ASSERT_FALSE(ApplyOverride(s, "workloads.0.rate=5/s"));
  EXPECT_DOUBLE_EQ(std::get<RegistrationWorkload>(s.workloads[0].spec).rate, 5.0);
  ASSERT_FALSE(ApplyOverride(s, "scscf.QueueCapacity=10"));
  EXPECT_EQ(s.Attribute("scscf", "QueueCapacity"), "10");
  ASSERT_FALSE(ApplyOverride(s, "ue.Expires=3600"));
  EXPECT_EQ(s.Attribute("ue", "Expires"), "3600");
  ASSERT_FALSE(ApplyOverride(s, "trace.messages=off"));
  EXPECT_EQ(s.messages, MessageTrace::kOff);
  ASSERT_FALSE(ApplyOverride(s, "duration=10min"));
  EXPECT_EQ(s.duration, seconds(600));
  ASSERT_FALSE(ApplyOverride(s, "failure.up=70s"));
  EXPECT_EQ(std::get<FailureWorkload>(s.workloads[6].spec).up, seconds(70));
  ASSERT_FALSE(ApplyOverride(s, "subscribers.users=20"));
  EXPECT_EQ(s.subscribers.users, 20u);
  EXPECT_EQ(s.overrides.size(), 8u);
}

TEST(Override, BadValuesNameTheColumnAndChangeNothing) {
  const Scenario original = Load("every-section.yaml");
  struct Case {
    std::string assignment;
    int column;
    std::string message_start;
  };
  const std::vector<Case> cases = {
      {"scscf.QueueCapacity=abc", 21, "scscf.QueueCapacity: 'abc'; expected"},
      {"scscf.QueueCapacity=12abc", 21, "scscf.QueueCapacity: '12abc'; expected"},
      {"scscf.Bogus=1", 7, "no attribute 'Bogus' in scscf"},
      {"push.rat=2/s", 6, "unknown key 'rat' in push workload"},
      {"registration.rate=1/s", 1, "'registration.rate': the scenario has 3 registration workloads"},
      {"workloads.99.rate=1/s", 1, "'workloads.99.rate': expected workloads.N.field"},
      {"failure.element=x", 17, "element: no node 'x'"},
      {"duration=5s", 1, "push workload: starts at or after the end of the run"},
      {"subscribers.users=3", 1, "subscribers.terminals names user 4"},
      {"no-equals", 1, "'no-equals': expected key=value"},
      {"=5", 1, "'=5': expected key=value"},
      {"seed=", 6, "seed: '' is not an integer"},
  };
  for (const Case& c : cases) {
    Scenario s = original;
    const auto error = ApplyOverride(s, c.assignment);
    ASSERT_TRUE(error) << c.assignment;
    EXPECT_EQ(error->file, "--set");
    EXPECT_EQ(error->line, 1);
    EXPECT_EQ(error->column, c.column) << c.assignment << ": " << error->message;
    EXPECT_EQ(error->message.rfind(c.message_start, 0), 0u) << c.assignment << ": " << error->message;
    EXPECT_EQ(s.ParametersJson(), original.ParametersJson()) << c.assignment;
    EXPECT_TRUE(s.overrides.empty());
  }
}

// ---------------------------------------------------------------------------------------------
// Which user a push goes to

TEST(Scenario, PushPickDefaultsToRoundRobinAndTakesRandom) {
  const std::string topo = "topology: {file: small.dot}\n";
  auto plain = Inline(topo + "workloads:\n  - push: {rate: 1/s}\n");
  ASSERT_TRUE(plain.ok()) << plain.error().ToString();
  EXPECT_EQ(std::get<PushWorkload>(plain.value().workloads[0].spec).pick, PushPick::kRoundRobin);
  EXPECT_NE(plain.value().ParametersJson().find("\"pick\":\"round-robin\""), std::string::npos);

  auto random = Inline(topo + "workloads:\n  - push: {rate: 1/s, pick: random}\n");
  ASSERT_TRUE(random.ok()) << random.error().ToString();
  EXPECT_EQ(std::get<PushWorkload>(random.value().workloads[0].spec).pick, PushPick::kRandom);
  EXPECT_NE(random.value().ParametersJson().find("\"target\":\"user\",\"pick\":\"random\""), std::string::npos)
      << random.value().ParametersJson();
  EXPECT_NE(ScenarioSummary(random.value()).find("\"pick\":\"random\""), std::string::npos);

  // --set reaches it too, and a bad value names the column of the value.
  Scenario s = plain.value();
  ASSERT_FALSE(ApplyOverride(s, "push.pick=random"));
  EXPECT_EQ(std::get<PushWorkload>(s.workloads[0].spec).pick, PushPick::kRandom);
  const auto error = ApplyOverride(s, "push.pick=sometimes");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 11);
  EXPECT_EQ(error->message, "pick: 'sometimes'; expected one of: round-robin, random");

  auto bad = Inline(topo + "workloads:\n  - push: {pick: lottery}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 3);
  EXPECT_EQ(bad.error().column, 18);
  EXPECT_EQ(bad.error().message, "pick: 'lottery'; expected one of: round-robin, random");
}

// ---------------------------------------------------------------------------------------------
// Attributes of the application server, content server, attacker and UEs: checked against the
// ns-3 types the runner installs.

TEST(Scenario, AttributesOfEveryElementAreCheckedAgainstItsType) {
  const std::string topo = "topology: {file: small.dot}\n";
  auto good = Inline(topo +
                     "core:\n"
                     "  as: {MaxRetries: 2, LargeContent: Indirection, T1: 100ms}\n"
                     "  content: {MaxObjectSize: 65536, IdleTimeout: 5s}\n"
                     "  attacker: {Rate: 25.5, AppId: mms.ua}\n"
                     "  ue: {ReferLockout: Discard, LockoutDuration: 30s, MsrpMaxSize: 1000}\n");
  ASSERT_TRUE(good.ok()) << good.error().ToString();
  const Scenario& s = good.value();
  EXPECT_EQ(s.Attribute("as", "MaxRetries"), "2");
  EXPECT_EQ(s.Attribute("as", "T1"), "100000000ns");  // durations in the scenario's units
  EXPECT_EQ(s.Attribute("content", "IdleTimeout"), "5000000000ns");
  EXPECT_EQ(s.Attribute("attacker", "Rate"), "25.5");
  EXPECT_EQ(s.Attribute("ue", "ReferLockout"), "Discard");

  struct Case {
    std::string core;
    int column;
    std::string message_start;
  };
  const std::vector<Case> cases = {
      {"  as: {PushTimeout: 3}\n", 8, "no attribute 'PushTimeout' in as (pushsim::PushSenderApplication); expected one of: "},
      {"  as: {LargeContent: Carrier}\n", 22, "as.LargeContent: 'Carrier'; expected"},
      {"  content: {MaxObjectSize: big}\n", 28, "content.MaxObjectSize: 'big'; expected"},
      {"  content: {Resolver: x}\n", 13, "content.Resolver is wired by the program"},
      {"  attacker: {Rate: fast}\n", 20, "attacker.Rate: 'fast'; expected"},
      {"  attacker: {Bogus: 1}\n", 14, "no attribute 'Bogus' in attacker (pushsim::ReferFloodApplication)"},
      {"  ue: {ReferLockout: Sometimes}\n", 22, "ue.ReferLockout: 'Sometimes'; expected"},
      {"  ue: {LockoutDuration: soon}\n", 25, "ue.LockoutDuration: 'soon' is not a duration"},
      {"  ue: {Bogus: 1}\n", 8, "no attribute 'Bogus' in ue (pushsim::PushReceiverApplication)"},
  };
  for (const Case& c : cases) {
    const auto loaded = Inline(topo + "core:\n" + c.core);
    ASSERT_FALSE(loaded.ok()) << c.core;
    EXPECT_EQ(loaded.error().line, 3) << c.core << loaded.error().ToString();
    EXPECT_EQ(loaded.error().column, c.column) << c.core << loaded.error().ToString();
    EXPECT_EQ(loaded.error().message.rfind(c.message_start, 0), 0u) << c.core << loaded.error().ToString();
  }
  // --set reaches the same attributes.
  Scenario set = s;
  ASSERT_FALSE(ApplyOverride(set, "attacker.Rate=10"));
  EXPECT_EQ(set.Attribute("attacker", "Rate"), "10");
  const auto error = ApplyOverride(set, "as.MaxRetries=-1");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 15);
}

// ---------------------------------------------------------------------------------------------
// The sweep section

TEST(Scenario, SweepSectionIsReadWithItsPosition) {
  const Scenario s = Load("sweep-rates.yaml");
  ASSERT_TRUE(s.sweep);
  EXPECT_EQ(s.sweep->key, "push.rate");
  EXPECT_EQ(s.sweep->values, (std::vector<std::string>{"2/s", "4/s"}));
  EXPECT_EQ(s.sweep->runs, 2u);
  EXPECT_EQ(s.sweep->where.file, kDir + "sweep-rates.yaml");
  EXPECT_EQ(s.sweep->where.line, 11);
  EXPECT_EQ(s.sweep->where.column, 10);
  // The scenario itself keeps its own value: `pushsim run` runs the base scenario.
  EXPECT_DOUBLE_EQ(std::get<PushWorkload>(s.workloads[1].spec).rate, 2.0);
  EXPECT_NE(ScenarioSummary(s).find("  sweep: push.rate over 2/s, 4/s (2 runs each)\n"), std::string::npos)
      << ScenarioSummary(s);
  // Not one of the run's parameters.
  EXPECT_EQ(s.ParametersJson().find("\"sweep\""), std::string::npos);
  EXPECT_EQ(s.ParametersJson().find("4/s"), std::string::npos);
  EXPECT_FALSE(Load("minimal.yaml").sweep);
}

TEST(Scenario, SweepValuesWithCommasAndDefaultRuns) {
  auto loaded = Inline(
      "topology: {file: small.dot}\n"
      "workloads: [push: {rate: 1/s}]\n"
      "sweep: {vary: {push.size: [\"uniform(1KiB, 2KiB)\", 4KiB, \"list(1KiB, 8KiB, 64KiB)\"]}}\n");
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  const auto& sweep = loaded.value().sweep;
  ASSERT_TRUE(sweep);
  EXPECT_EQ(sweep->values, (std::vector<std::string>{"uniform(1KiB, 2KiB)", "4KiB", "list(1KiB, 8KiB, 64KiB)"}));
  EXPECT_EQ(sweep->runs, 1u);
}

TEST(BadScenario, SweepValueThatIsNotARate) {
  const SourceError e = LoadError("sweep-bad-value.yaml");
  EXPECT_EQ(e.ToString(), kDir + "sweep-bad-value.yaml:9:9: error: rate: 'quickly' is not a rate; expected e.g. "
                                 "100/s, 30/min or 2/h");
}

TEST(BadScenario, SweepSectionCases) {
  struct Case {
    std::string sweep;  // the text after the topology and one push workload (lines 1-2)
    int line;
    int column;
    std::string message_start;
  };
  const std::vector<Case> cases = {
      {"sweep: {vary: {push.rate: [1/s, fast]}}\n", 3, 33, "rate: 'fast' is not a rate"},
      {"sweep: {vary: {push.rat: [1/s]}}\n", 3, 21, "unknown key 'rat' in push workload"},
      {"sweep: {vary: {speed: [1]}}\n", 3, 16, "unknown setting 'speed'"},
      {"sweep: {vary: {scscf.Bogus: [1]}}\n", 3, 22, "no attribute 'Bogus' in scscf"},
      {"sweep: {vary: {push.rate: [1/s], seed: [1, 2]}}\n", 3, 15,
       "vary: expected exactly one key and its list of values, e.g. vary: {push.rate: [50/s, 100/s]} (a sweep "
       "varies one key)"},
      {"sweep: {vary: push.rate}\n", 3, 15, "vary: expected exactly one key"},
      {"sweep: {vary: {push.rate: []}}\n", 3, 27, "push.rate: expected a non-empty list of values"},
      {"sweep: {vary: {push.rate: 1/s}}\n", 3, 27, "push.rate: expected a non-empty list of values"},
      {"sweep: {vary: {push.rate: [1/s, [2/s]]}}\n", 3, 33, "push.rate: expected a single value, not a list"},
      {"sweep: {vary: {push.rate: [1/s, 2/s, 1/s]}}\n", 3, 38, "push.rate: '1/s' appears twice"},
      {"sweep: {vary: {push.rate: [1/s]}, runs: 0}\n", 3, 41, "runs: 0 is out of range; expected an integer from 1"},
      {"sweep: {vary: {push.rate: [1/s]}, runs: many}\n", 3, 41, "runs: 'many' is not an integer"},
      {"sweep: {runs: 2}\n", 3, 1, "sweep: missing required key 'vary'"},
      {"sweep: {vary: {push.rate: [1/s]}, jobs: 2}\n", 3, 35, "unknown key 'jobs' in sweep; expected one of: vary, runs"},
      // A value that is well formed but makes the scenario inconsistent: placed at the value, with
      // the part of the file it clashes with.
      {"sweep: {vary: {duration: [10s, 2s]}}\n", 3, 32,
       "sweep value '2s': push workload: starts at or after the end of the run (see "},
  };
  const std::string head = "topology: {file: small.dot}\nworkloads: [push: {rate: 1/s, start: 5s}]\n";
  for (const Case& c : cases) {
    const auto loaded = Inline(head + c.sweep);
    ASSERT_FALSE(loaded.ok()) << c.sweep;
    EXPECT_EQ(loaded.error().line, c.line) << c.sweep << loaded.error().ToString();
    EXPECT_EQ(loaded.error().column, c.column) << c.sweep << loaded.error().ToString();
    EXPECT_EQ(loaded.error().message.rfind(c.message_start, 0), 0u) << c.sweep << loaded.error().ToString();
  }
}

}  // namespace
}  // namespace pushsim::runner
