#include "scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <set>
#include <sstream>

#include "apps/content-server-app.h"
#include "apps/ims-apps.h"
#include "apps/push-apps.h"
#include "ns3/attribute.h"
#include "ns3/pointer.h"
#include "ns3/random-variable-stream.h"
#include "ns3/type-id.h"
#include "wire/text.h"

namespace pushsim::runner {

// ---------------------------------------------------------------------------------------------
// Names.

std::string_view ArrivalName(Arrival arrival) {
  switch (arrival) {
    case Arrival::kAllAtOnce: return "all-at-once";
    case Arrival::kPoisson: return "poisson";
    case Arrival::kRamp: return "ramp";
    case Arrival::kPeriodic: return "periodic";
  }
  return "poisson";
}

std::string_view PushMethodName(PushMethod method) {
  switch (method) {
    case PushMethod::kAuto: return "auto";
    case PushMethod::kMessage: return "message";
    case PushMethod::kIndirection: return "indirection";
    case PushMethod::kInviteMsrp: return "invite-msrp";
    case PushMethod::kNotify: return "notify";
  }
  return "auto";
}

std::string_view PushTargetName(PushTarget target) {
  switch (target) {
    case PushTarget::kUser: return "user";
    case PushTarget::kGruu: return "gruu";
    case PushTarget::kAllTerminals: return "all-terminals";
  }
  return "user";
}

std::string_view PushPickName(PushPick pick) {
  switch (pick) {
    case PushPick::kRoundRobin: return "round-robin";
    case PushPick::kRandom: return "random";
  }
  return "round-robin";
}

std::string_view LockoutName(Lockout lockout) {
  switch (lockout) {
    case Lockout::kNone: return "none";
    case Lockout::kDefer: return "defer";
    case Lockout::kDiscard: return "discard";
  }
  return "none";
}

std::string_view MessageTraceName(MessageTrace trace) {
  switch (trace) {
    case MessageTrace::kOff: return "off";
    case MessageTrace::kSummary: return "summary";
    case MessageTrace::kFull: return "full";
  }
  return "summary";
}

std::string_view WorkloadKind(const WorkloadSpec& spec) {
  static constexpr std::string_view kKinds[] = {"registration",  "push",        "subscription",
                                                "refer-subscription", "refer-flood", "failure"};
  return kKinds[spec.index()];
}

namespace {

std::string SizeText(std::uint64_t bytes) {
  if (bytes != 0 && bytes % 1048576 == 0) return std::to_string(bytes / 1048576) + "MiB";
  if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + "KiB";
  return std::to_string(bytes) + "B";
}

std::string NumberText(double value) {
  std::ostringstream out;
  out << std::setprecision(15) << value;
  return out.str();
}

std::string RateText(double per_second) { return NumberText(per_second) + "/s"; }

}  // namespace

std::string SizeDistribution::Text() const {
  std::string out;
  switch (kind) {
    case Kind::kConstant: out = "constant("; break;
    case Kind::kUniform: out = "uniform("; break;
    case Kind::kExponential: out = "exponential("; break;
    case Kind::kList: out = "list("; break;
  }
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + SizeText(values[i]);
  return out + ")";
}

std::string UserSelection::Text() const { return all ? "all" : std::to_string(count); }

std::uint64_t Subscribers::TerminalsOf(std::uint64_t user) const {
  const auto found = terminals.find(user);
  return found != terminals.end() ? found->second : terminals_per_user;
}

std::uint64_t Subscribers::TotalTerminals() const {
  std::uint64_t total = users * terminals_per_user;
  for (const auto& [user, count] : terminals) {
    if (user >= first_user && user - first_user < users) total = total - terminals_per_user + count;
  }
  return total;
}

std::string Subscribers::AorOf(std::uint64_t user) const {
  std::string out = aor;
  const std::string number = std::to_string(user);
  for (std::size_t at = out.find("{i}"); at != std::string::npos; at = out.find("{i}", at + number.size())) {
    out.replace(at, 3, number);
  }
  return out;
}

std::vector<Terminal> Scenario::Terminals() const {
  std::vector<std::size_t> cells;
  for (const std::string& cell_name : subscribers.cells) {
    if (const auto index = topology.Find(cell_name)) cells.push_back(*index);
  }
  if (cells.empty()) cells = topology.NodesWithRole(NodeRole::kCell);
  std::vector<Terminal> out;
  if (cells.empty()) return out;
  out.reserve(subscribers.TotalTerminals());
  for (std::uint64_t u = 0; u < subscribers.users; ++u) {
    const std::uint64_t user = subscribers.first_user + u;
    const std::string aor = subscribers.AorOf(user);
    for (std::uint64_t t = 0; t < subscribers.TerminalsOf(user); ++t) {
      out.push_back(Terminal{user, t, aor, cells[out.size() % cells.size()]});
    }
  }
  return out;
}

std::optional<std::string> Scenario::Attribute(std::string_view element, std::string_view attribute) const {
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
    if (it->element == element && it->attribute == attribute) return it->value;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

namespace {

// A value as written, and where: a YAML scalar, or the value of a --set assignment.
struct Scalar {
  std::string text;
  SourcePosition where;
};

SourceError ErrorAt(const SourcePosition& where, std::string message) {
  return SourceError{where.file, where.line, where.column, std::move(message)};
}

SourcePosition PositionOf(const YAML::Node& node, const std::string& file) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return SourcePosition{file, 0, 0};
  return SourcePosition{file, mark.line + 1, mark.column + 1};
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

// ---- Scalar converters: nullopt + message, or the value.

using Problem = std::optional<std::string>;

Problem ToDuration(const Scalar& value, Duration& out) {
  const auto parsed = ParseDuration(value.text);
  if (!parsed) return "'" + value.text + "' is not a duration; expected e.g. 5s, 200ms or 1.5min (at most 365d)";
  out = *parsed;
  return std::nullopt;
}

Problem ToRate(const Scalar& value, double& out) {
  const auto parsed = ParseEventRate(value.text);
  if (!parsed) return "'" + value.text + "' is not a rate; expected e.g. 100/s, 30/min or 2/h";
  out = *parsed;
  return std::nullopt;
}

Problem ToUnsigned(const Scalar& value, std::uint64_t low, std::uint64_t high, std::uint64_t& out) {
  const std::string range = "an integer from " + std::to_string(low) + " to " + std::to_string(high);
  std::uint64_t parsed = 0;
  const char* begin = value.text.data();
  const char* end = begin + value.text.size();
  const auto result = std::from_chars(begin, end, parsed);
  if (value.text.empty() || result.ec != std::errc() || result.ptr != end) {
    return "'" + value.text + "' is not " + range;
  }
  if (parsed < low || parsed > high) return std::to_string(parsed) + " is out of range; expected " + range;
  out = parsed;
  return std::nullopt;
}

Problem ToBool(const Scalar& value, bool& out) {
  if (value.text == "true") out = true;
  else if (value.text == "false") out = false;
  else return "'" + value.text + "'; expected true or false";
  return std::nullopt;
}

template <typename Enum, typename NameOf>
Problem ToEnum(const Scalar& value, std::initializer_list<Enum> allowed, NameOf name_of, Enum& out) {
  std::vector<std::string> names;
  for (Enum candidate : allowed) {
    if (name_of(candidate) == value.text) {
      out = candidate;
      return std::nullopt;
    }
    names.emplace_back(name_of(candidate));
  }
  return "'" + value.text + "'; expected one of: " + JoinNames(names);
}

Problem ToUserSelection(const Scalar& value, UserSelection& out) {
  if (value.text == "all") {
    out = UserSelection{};
    return std::nullopt;
  }
  std::uint64_t count = 0;
  if (ToUnsigned(value, 1, kMaxUsers, count)) return "'" + value.text + "'; expected all or a number of users";
  out = UserSelection{false, count};
  return std::nullopt;
}

// "4KiB", "constant(4KiB)", "uniform(1KiB, 64KiB)", "exponential(8KiB)", "list(1KiB, 4KiB)".
Problem ToSizeDistribution(const Scalar& value, SizeDistribution& out) {
  const std::string expected =
      "; expected a size (4KiB) or constant(SIZE), uniform(MIN, MAX), exponential(MEAN) or list(SIZE, ...)";
  std::string_view text = value.text;
  if (const auto bare = ParseSize(text)) {
    out = SizeDistribution{SizeDistribution::Kind::kConstant, {*bare}};
    return std::nullopt;
  }
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return "'" + value.text + "'" + expected;
  const std::string_view kind = text.substr(0, open);
  SizeDistribution parsed;
  std::size_t low = 1;
  std::size_t high = 1;
  if (kind == "constant") {
    parsed.kind = SizeDistribution::Kind::kConstant;
  } else if (kind == "uniform") {
    parsed.kind = SizeDistribution::Kind::kUniform;
    low = high = 2;
  } else if (kind == "exponential") {
    parsed.kind = SizeDistribution::Kind::kExponential;
  } else if (kind == "list") {
    parsed.kind = SizeDistribution::Kind::kList;
    high = 1000;
  } else {
    return "unknown distribution '" + std::string(kind) + "'" + expected;
  }
  parsed.values.clear();
  std::string_view arguments = text.substr(open + 1, text.size() - open - 2);
  while (true) {
    const std::size_t comma = arguments.find(',');
    const std::string_view item = arguments.substr(0, comma);
    const auto size = ParseSize(item);
    if (!size) return "'" + std::string(item) + "' in '" + value.text + "' is not a size; expected e.g. 512B or 4KiB";
    if (parsed.values.size() == high) break;
    parsed.values.push_back(*size);
    if (comma == std::string_view::npos) break;
    arguments.remove_prefix(comma + 1);
  }
  if (parsed.values.size() < low || parsed.values.size() > high ||
      (parsed.kind != SizeDistribution::Kind::kList && arguments.find(',') != std::string_view::npos &&
       parsed.values.size() == high)) {
    return std::string(kind) + " takes " + (low == high ? std::to_string(low) : "1 to 1000") + " size" +
           (high > 1 ? "s" : "") + expected;
  }
  if (parsed.kind == SizeDistribution::Kind::kUniform && parsed.values[0] > parsed.values[1]) {
    return "uniform(" + SizeText(parsed.values[0]) + ", " + SizeText(parsed.values[1]) +
           ") has its minimum above its maximum; expected uniform(MIN, MAX) with MIN <= MAX";
  }
  out = std::move(parsed);
  return std::nullopt;
}

Problem ToNodeName(const Scalar& value, const Topology& topology, std::optional<NodeRole> role, std::string& out) {
  const auto index = topology.Find(value.text);
  if (!index) {
    std::vector<std::string> names;
    for (const TopologyNode& node : topology.nodes) {
      if (!role || node.role == *role) names.push_back(node.name);
    }
    return "no node '" + value.text + "' in " + topology.file + "; expected one of: " + JoinNames(names);
  }
  if (role && topology.nodes[*index].role != *role) {
    return "node '" + value.text + "' has role " + std::string(RoleName(topology.nodes[*index].role)) +
           "; expected a node with role " + std::string(RoleName(*role));
  }
  out = value.text;
  return std::nullopt;
}

bool IsAppIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ':' ||
         c == '-' || c == '_' || c == '+';
}

Problem ToAppId(const Scalar& value, std::string& out) {
  if (value.text.empty() || value.text.size() > 256 ||
      !std::all_of(value.text.begin(), value.text.end(), IsAppIdChar)) {
    return "'" + value.text + "' is not an application id; expected letters, digits and . : - _ + (e.g. mms.ua)";
  }
  out = value.text;
  return std::nullopt;
}

// The Push subscription model (OMA 004) and REFER-triggered subscriptions (003 6.2.3.3) use the
// sender's ua-profile package (RFC 6080); the Push Receiver Agent subscribes to nothing else.
Problem ToEventPackage(const Scalar& value, std::string& out) {
  if (!wire::EqualsIgnoreCase(value.text, "ua-profile")) {
    return "'" + value.text + "' is not an event package the Push Receiver Agent subscribes to; expected ua-profile "
           "(the Push subscription model, OMA 004)";
  }
  out = "ua-profile";
  return std::nullopt;
}

// ---- Fields of the workload kinds, shared by YAML maps and --set.

template <typename Spec>
struct Field {
  const char* name;
  std::function<Problem(Spec&, const Scalar&, const Scenario&)> set;
};

template <typename Spec>
const std::vector<Field<Spec>>& FieldsOf();

template <>
const std::vector<Field<RegistrationWorkload>>& FieldsOf() {
  using W = RegistrationWorkload;
  static const std::vector<Field<W>> fields = {
      {"arrival",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v, {Arrival::kAllAtOnce, Arrival::kPoisson, Arrival::kRamp}, ArrivalName, w.arrival);
       }},
      {"rate", [](W& w, const Scalar& v, const Scenario&) { return ToRate(v, w.rate); }},
      {"start", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.start); }},
      {"ramp", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.ramp); }},
      {"reregister", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.reregister); }},
  };
  return fields;
}

template <>
const std::vector<Field<PushWorkload>>& FieldsOf() {
  using W = PushWorkload;
  static const std::vector<Field<W>> fields = {
      {"arrival",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v, {Arrival::kPoisson, Arrival::kPeriodic, Arrival::kAllAtOnce, Arrival::kRamp}, ArrivalName,
                       w.arrival);
       }},
      {"rate", [](W& w, const Scalar& v, const Scenario&) { return ToRate(v, w.rate); }},
      {"start", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.start); }},
      {"stop",
       [](W& w, const Scalar& v, const Scenario&) {
         Duration stop{0};
         if (auto problem = ToDuration(v, stop)) return problem;
         w.stop = stop;
         return Problem{};
       }},
      {"count", [](W& w, const Scalar& v, const Scenario&) { return ToUnsigned(v, 0, 1'000'000'000, w.count); }},
      {"method",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v,
                       {PushMethod::kAuto, PushMethod::kMessage, PushMethod::kIndirection, PushMethod::kInviteMsrp,
                        PushMethod::kNotify},
                       PushMethodName, w.method);
       }},
      {"size", [](W& w, const Scalar& v, const Scenario&) { return ToSizeDistribution(v, w.size); }},
      {"target",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v, {PushTarget::kUser, PushTarget::kGruu, PushTarget::kAllTerminals}, PushTargetName,
                       w.target);
       }},
      {"pick",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v, {PushPick::kRoundRobin, PushPick::kRandom}, PushPickName, w.pick);
       }},
      {"app_id", [](W& w, const Scalar& v, const Scenario&) { return ToAppId(v, w.app_id); }},
      {"delivery_report", [](W& w, const Scalar& v, const Scenario&) { return ToBool(v, w.delivery_report); }},
  };
  return fields;
}

template <>
const std::vector<Field<SubscriptionWorkload>>& FieldsOf() {
  using W = SubscriptionWorkload;
  static const std::vector<Field<W>> fields = {
      {"who", [](W& w, const Scalar& v, const Scenario&) { return ToUserSelection(v, w.who); }},
      {"at", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.at); }},
      {"event", [](W& w, const Scalar& v, const Scenario&) { return ToEventPackage(v, w.event); }},
      {"expires", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.expires); }},
  };
  return fields;
}

template <>
const std::vector<Field<ReferSubscriptionWorkload>>& FieldsOf() {
  using W = ReferSubscriptionWorkload;
  static const std::vector<Field<W>> fields = {
      {"who", [](W& w, const Scalar& v, const Scenario&) { return ToUserSelection(v, w.who); }},
      {"at", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.at); }},
      {"from",
       [](W& w, const Scalar& v, const Scenario& s) { return ToNodeName(v, s.topology, NodeRole::kAs, w.from); }},
      {"event", [](W& w, const Scalar& v, const Scenario&) { return ToEventPackage(v, w.event); }},
  };
  return fields;
}

template <>
const std::vector<Field<ReferFloodWorkload>>& FieldsOf() {
  using W = ReferFloodWorkload;
  static const std::vector<Field<W>> fields = {
      {"attacker",
       [](W& w, const Scalar& v, const Scenario& s) {
         return ToNodeName(v, s.topology, NodeRole::kAttacker, w.attacker);
       }},
      {"target",
       [](W& w, const Scalar& v, const Scenario& s) -> Problem {
         if (!v.text.empty() && v.text[0] >= '0' && v.text[0] <= '9') return ToUnsigned(v, 0, ~0ull, w.target);
         const std::uint64_t limit = std::min<std::uint64_t>(s.subscribers.users, 1'000'000);
         for (std::uint64_t u = 0; u < limit; ++u) {
           if (s.subscribers.AorOf(s.subscribers.first_user + u) == v.text) {
             w.target = s.subscribers.first_user + u;
             return std::nullopt;
           }
         }
         return "'" + v.text + "' is not a subscriber; expected a user number or an AoR such as " +
                s.subscribers.AorOf(s.subscribers.first_user);
       }},
      {"rate", [](W& w, const Scalar& v, const Scenario&) { return ToRate(v, w.rate); }},
      {"start", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.start); }},
      {"duration", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.duration); }},
      {"lockout",
       [](W& w, const Scalar& v, const Scenario&) {
         return ToEnum(v, {Lockout::kNone, Lockout::kDefer, Lockout::kDiscard}, LockoutName, w.lockout);
       }},
      {"lockout_duration", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.lockout_duration); }},
  };
  return fields;
}

template <>
const std::vector<Field<FailureWorkload>>& FieldsOf() {
  using W = FailureWorkload;
  static const std::vector<Field<W>> fields = {
      {"element",
       [](W& w, const Scalar& v, const Scenario& s) { return ToNodeName(v, s.topology, std::nullopt, w.element); }},
      {"down", [](W& w, const Scalar& v, const Scenario&) { return ToDuration(v, w.down); }},
      {"up",
       [](W& w, const Scalar& v, const Scenario&) {
         Duration up{0};
         if (auto problem = ToDuration(v, up)) return problem;
         w.up = up;
         return Problem{};
       }},
  };
  return fields;
}

template <typename Spec>
std::vector<std::string> FieldNames() {
  std::vector<std::string> names;
  for (const auto& field : FieldsOf<Spec>()) names.emplace_back(field.name);
  return names;
}

// Sets one field of a workload; the key's position for an unknown key, the value's for a bad
// value.
template <typename Spec>
std::optional<SourceError> SetWorkloadField(Spec& spec, const Scalar& key, const Scalar& value,
                                            const Scenario& scenario) {
  for (const auto& field : FieldsOf<Spec>()) {
    if (key.text != field.name) continue;
    if (auto problem = field.set(spec, value, scenario)) {
      return ErrorAt(value.where, key.text + ": " + *problem);
    }
    return std::nullopt;
  }
  return ErrorAt(key.where, "unknown key '" + key.text + "' in " + std::string(WorkloadKind(WorkloadSpec(spec))) +
                                " workload; expected one of: " + JoinNames(FieldNames<Spec>()));
}

std::optional<SourceError> SetWorkloadField(WorkloadSpec& spec, const Scalar& key, const Scalar& value,
                                            const Scenario& scenario) {
  return std::visit([&](auto& typed) { return SetWorkloadField(typed, key, value, scenario); }, spec);
}

std::optional<WorkloadSpec> NewWorkload(std::string_view kind) {
  if (kind == "registration") return WorkloadSpec(RegistrationWorkload{});
  if (kind == "push") return WorkloadSpec(PushWorkload{});
  if (kind == "subscription") return WorkloadSpec(SubscriptionWorkload{});
  if (kind == "refer-subscription") return WorkloadSpec(ReferSubscriptionWorkload{});
  if (kind == "refer-flood") return WorkloadSpec(ReferFloodWorkload{});
  if (kind == "failure") return WorkloadSpec(FailureWorkload{});
  return std::nullopt;
}

constexpr const char* kWorkloadKinds =
    "registration, push, subscription, refer-subscription, refer-flood, failure";

// ---- ns-3 attributes.

const char* const kElements[] = {"pcscf", "icscf", "scscf", "hss", "as", "content", "attacker", "ue"};

bool IsElement(std::string_view name) {
  return std::any_of(std::begin(kElements), std::end(kElements), [&](const char* e) { return name == e; });
}

std::optional<ns3::TypeId> ElementType(std::string_view element) {
  if (element == "pcscf") return PCscfApplication::GetTypeId();
  if (element == "icscf") return ICscfApplication::GetTypeId();
  if (element == "scscf") return ScscfApplication::GetTypeId();
  if (element == "hss") return HssApplication::GetTypeId();
  if (element == "as") return PushSenderApplication::GetTypeId();
  if (element == "content") return ContentServerApplication::GetTypeId();
  if (element == "attacker") return ReferFloodApplication::GetTypeId();
  // The runner installs every UE as a push receiver.
  if (element == "ue") return PushReceiverApplication::GetTypeId();
  return std::nullopt;
}

bool IsAttributeName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'A' || name[0] > 'Z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

bool IsIntegerText(std::string_view text, bool allow_sign) {
  if (allow_sign && !text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  return !text.empty() && text.size() <= 19 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsRealText(std::string_view text) {
  if (text.empty() || text.size() > 40) return false;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && std::isfinite(value);
}

Problem CheckPlainValue(const ns3::TypeId::AttributeInformation& info, const std::string& text, std::string& canonical);

// "ns3::ExponentialRandomVariable[Mean=0.002|Bound=0.01]": the random-variable type must exist and
// derive from RandomVariableStream, each attribute must exist and hold a plain value. ns-3 aborts
// the process on a malformed factory string, so it is checked completely here first.
Problem CheckRandomVariable(const std::string& text) {
  const std::string expected = "; expected e.g. ns3::ConstantRandomVariable[Constant=0.002]";
  const std::size_t open = text.find('[');
  const std::string type_name = text.substr(0, open);
  ns3::TypeId type;
  if (!ns3::TypeId::LookupByNameFailSafe(type_name, &type) ||
      !type.IsChildOf(ns3::RandomVariableStream::GetTypeId())) {
    return "'" + type_name + "' is not an ns-3 random variable type" + expected;
  }
  if (open == std::string::npos) return std::nullopt;
  if (text.back() != ']') return "'" + text + "' lacks its closing ']'" + expected;
  std::string_view list(text);
  list = list.substr(open + 1, list.size() - open - 2);
  while (!list.empty()) {
    const std::size_t bar = list.find('|');
    const std::string_view item = list.substr(0, bar);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) return "'" + std::string(item) + "' is not NAME=VALUE" + expected;
    const std::string name(item.substr(0, equals));
    const std::string value(item.substr(equals + 1));
    ns3::TypeId::AttributeInformation info;
    if (!type.LookupAttributeByName(name, &info)) return type_name + " has no attribute '" + name + "'" + expected;
    std::string canonical;
    if (auto problem = CheckPlainValue(info, value, canonical)) return type_name + " " + name + ": " + *problem;
    if (bar == std::string_view::npos) break;
    list.remove_prefix(bar + 1);
  }
  return std::nullopt;
}

Problem CheckPlainValue(const ns3::TypeId::AttributeInformation& info, const std::string& text, std::string& canonical) {
  std::string type = info.checker->GetValueTypeName();
  // ns-3 names some value types without their namespace (StringValue's checker says "StringValue").
  if (type.rfind("ns3::", 0) != 0) type = "ns3::" + type;
  canonical = text;
  if (type == "ns3::TimeValue") {
    const auto duration = ParseDuration(text);
    if (!duration) return "'" + text + "' is not a duration; expected e.g. 500ms or 2s";
    canonical = std::to_string(duration->count()) + "ns";
    return std::nullopt;
  }
  // ns-3's stream-based conversion of numbers aborts on trailing characters: check first.
  if ((type == "ns3::UintegerValue" && !IsIntegerText(text, false)) ||
      (type == "ns3::IntegerValue" && !IsIntegerText(text, true)) || (type == "ns3::DoubleValue" && !IsRealText(text))) {
    return "'" + text + "'; expected " + info.checker->GetUnderlyingTypeInformation();
  }
  if (type != "ns3::UintegerValue" && type != "ns3::IntegerValue" && type != "ns3::DoubleValue" &&
      type != "ns3::BooleanValue" && type != "ns3::StringValue" && type != "ns3::EnumValue") {
    return "values of type " + type + " cannot be set from a scenario";
  }
  ns3::Ptr<ns3::AttributeValue> value = info.checker->Create();
  if (!value->DeserializeFromString(text, info.checker) || !info.checker->Check(*value)) {
    return "'" + text + "'; expected " + info.checker->GetUnderlyingTypeInformation();
  }
  return std::nullopt;
}

std::vector<std::string> AttributeNames(ns3::TypeId type) {
  std::vector<std::string> names;
  for (ns3::TypeId t = type;; t = t.GetParent()) {
    for (std::size_t i = 0; i < t.GetAttributeN(); ++i) {
      const auto& info = t.GetAttribute(i);
      if ((info.flags & ns3::TypeId::ATTR_CONSTRUCT) && info.name != "Resolver" && info.name != "Hss") {
        names.push_back(info.name);
      }
    }
    if (t == t.GetParent()) break;
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Validates element.attribute = value and records it.
std::optional<SourceError> SetAttribute(Scenario& scenario, const std::string& element, const Scalar& attribute,
                                        const Scalar& value) {
  if (!IsAttributeName(attribute.text)) {
    return ErrorAt(attribute.where, "'" + attribute.text + "' is not an ns-3 attribute name; expected e.g. " +
                                        "QueueCapacity or RegisterServiceTime");
  }
  std::string canonical = value.text;
  if (const auto type = ElementType(element)) {
    ns3::TypeId::AttributeInformation info;
    if (!type->LookupAttributeByName(attribute.text, &info) || !(info.flags & ns3::TypeId::ATTR_CONSTRUCT)) {
      return ErrorAt(attribute.where, "no attribute '" + attribute.text + "' in " + element +
                                          " (" + type->GetName() + "); expected one of: " +
                                          JoinNames(AttributeNames(*type)));
    }
    if (info.checker->GetValueTypeName() == "ns3::PointerValue") {
      const auto* pointer = dynamic_cast<const ns3::PointerChecker*>(ns3::PeekPointer(info.checker));
      if (!pointer || !pointer->GetPointeeTypeId().IsChildOf(ns3::RandomVariableStream::GetTypeId()) ) {
        if (!(pointer && pointer->GetPointeeTypeId() == ns3::RandomVariableStream::GetTypeId())) {
          return ErrorAt(attribute.where, element + "." + attribute.text +
                                              " is wired by the program; expected an attribute holding a value");
        }
      }
      if (auto problem = CheckRandomVariable(value.text)) {
        return ErrorAt(value.where, element + "." + attribute.text + ": " + *problem);
      }
    } else if (auto problem = CheckPlainValue(info, value.text, canonical)) {
      return ErrorAt(value.where, element + "." + attribute.text + ": " + *problem);
    }
  }
  scenario.attributes.push_back(AttributeSetting{element, attribute.text, canonical, value.where});
  return std::nullopt;
}

// ---- Keys shared by `set:` and --set.

std::optional<SourceError> ApplySetting(Scenario& scenario, const Scalar& key, const Scalar& value) {
  const std::string& k = key.text;
  auto at_value = [&](Problem problem) -> std::optional<SourceError> {
    if (!problem) return std::nullopt;
    return ErrorAt(value.where, k + ": " + *problem);
  };
  if (k == "duration") return at_value(ToDuration(value, scenario.duration));
  if (k == "seed") return at_value(ToUnsigned(value, 1, 4294967295u, scenario.seed));
  if (k == "core.icscf") return at_value(ToBool(value, scenario.icscf));
  if (k == "trace.messages") {
    return at_value(ToEnum(value, {MessageTrace::kOff, MessageTrace::kSummary, MessageTrace::kFull}, MessageTraceName,
                           scenario.messages));
  }
  if (k == "trace.pcap") return at_value(ToBool(value, scenario.pcap));
  if (k == "sampling.interval") return at_value(ToDuration(value, scenario.sample_interval));
  if (k == "subscribers.users") return at_value(ToUnsigned(value, 1, kMaxUsers, scenario.subscribers.users));
  if (k == "subscribers.terminals_per_user") {
    return at_value(ToUnsigned(value, 1, kMaxTerminalsPerUser, scenario.subscribers.terminals_per_user));
  }
  if (k == "subscribers.gruu") return at_value(ToBool(value, scenario.subscribers.gruu));

  const std::size_t dot = k.find('.');
  const std::string head = k.substr(0, dot);
  const std::string rest = dot == std::string::npos ? std::string() : k.substr(dot + 1);
  if (dot != std::string::npos && IsElement(head)) {
    Scalar attribute{rest, key.where};
    if (attribute.where.line > 0) attribute.where.column += static_cast<int>(dot + 1);
    return SetAttribute(scenario, head, attribute, value);
  }
  auto field_key = [&](std::size_t offset) {
    Scalar field{k.substr(offset), key.where};
    if (field.where.line > 0) field.where.column += static_cast<int>(offset);
    return field;
  };
  if (head == "workloads" && dot != std::string::npos) {
    const std::size_t second = rest.find('.');
    std::uint64_t index = 0;
    const Scalar index_text{rest.substr(0, second), key.where};
    if (second == std::string::npos || ToUnsigned(index_text, 0, kMaxWorkloads, index) ||
        index >= scenario.workloads.size()) {
      return ErrorAt(key.where, "'" + k + "': expected workloads.N.field with N from 0 to " +
                                    std::to_string(scenario.workloads.size()) + " - 1");
    }
    return SetWorkloadField(scenario.workloads[index].spec, field_key(dot + 1 + second + 1), value, scenario);
  }
  if (dot != std::string::npos && NewWorkload(head)) {
    Workload* only = nullptr;
    std::size_t matches = 0;
    for (Workload& workload : scenario.workloads) {
      if (WorkloadKind(workload.spec) == head) {
        only = &workload;
        ++matches;
      }
    }
    if (matches != 1) {
      return ErrorAt(key.where, "'" + k + "': the scenario has " + std::to_string(matches) + " " + head +
                                    " workloads; expected exactly one, or use workloads.N." + rest);
    }
    return SetWorkloadField(only->spec, field_key(dot + 1), value, scenario);
  }
  return ErrorAt(key.where, "unknown setting '" + k +
                                "'; expected duration, seed, core.icscf, trace.messages, trace.pcap, "
                                "sampling.interval, subscribers.users, subscribers.terminals_per_user, "
                                "subscribers.gruu, ELEMENT.Attribute (ELEMENT: pcscf, icscf, scscf, hss, as, "
                                "content, attacker, ue), KIND.field or workloads.N.field");
}

// ---- Consistency of the whole scenario, checked after the file and after each override.

std::optional<SourceError> CheckConsistency(const Scenario& s, const SourcePosition& icscf_where) {
  const Topology& topology = s.topology;
  if (s.icscf && topology.CountRole(NodeRole::kIcscf) == 0) {
    return ErrorAt(icscf_where, "core.icscf is true but " + topology.file +
                                    " has no node with role icscf; expected one, or icscf: false");
  }
  if (s.duration.count() == 0) return ErrorAt(SourcePosition{s.file, 0, 0}, "duration is 0; expected a positive duration");
  if (s.sample_interval.count() == 0) {
    return ErrorAt(SourcePosition{s.file, 0, 0}, "sampling.interval is 0; expected a positive duration");
  }
  const Subscribers& subs = s.subscribers;
  if (subs.first_user > kMaxUsers) return ErrorAt(SourcePosition{s.file, 0, 0}, "subscribers.first_user too large");
  if (subs.TotalTerminals() > kMaxTerminals) {
    return ErrorAt(SourcePosition{s.file, 0, 0}, std::to_string(subs.TotalTerminals()) +
                                                     " terminals in all; expected at most 10000000");
  }
  for (const auto& [user, count] : subs.terminals) {
    if (user < subs.first_user || user - subs.first_user >= subs.users) {
      return ErrorAt(SourcePosition{s.file, 0, 0},
                     "subscribers.terminals names user " + std::to_string(user) + "; expected a user from " +
                         std::to_string(subs.first_user) + " to " + std::to_string(subs.first_user + subs.users - 1));
    }
    (void)count;
  }
  for (const Workload& workload : s.workloads) {
    const std::string kind(WorkloadKind(workload.spec));
    auto fail = [&](const std::string& message) { return ErrorAt(workload.where, kind + " workload: " + message); };
    std::optional<SourceError> problem;
    std::visit(
        [&](const auto& w) {
          using W = std::decay_t<decltype(w)>;
          if constexpr (std::is_same_v<W, RegistrationWorkload>) {
            if (w.arrival == Arrival::kPoisson && w.rate <= 0) problem = fail("poisson arrival needs rate > 0");
            if (w.arrival == Arrival::kRamp && w.ramp.count() == 0) problem = fail("ramp arrival needs ramp > 0");
            if (w.reregister < std::chrono::seconds(1)) problem = fail("reregister below 1s");
          } else if constexpr (std::is_same_v<W, PushWorkload>) {
            if (w.arrival != Arrival::kAllAtOnce && w.rate <= 0) problem = fail("rate must be above 0/s");
            if (w.stop && *w.stop <= w.start) problem = fail("stop is not after start; expected stop > start");
            if (w.arrival == Arrival::kAllAtOnce && w.count == 0) {
              problem = fail("all-at-once arrival needs count; expected count: N");
            }
            if (!w.app_id.empty() &&
                std::find(subs.app_ids.begin(), subs.app_ids.end(), w.app_id) == subs.app_ids.end()) {
              problem = fail("app_id '" + w.app_id + "' is not in subscribers.app_ids; expected one of: " +
                             JoinNames(subs.app_ids));
            }
            if (w.start >= s.duration) problem = fail("starts at or after the end of the run");
          } else if constexpr (std::is_same_v<W, SubscriptionWorkload> || std::is_same_v<W, ReferSubscriptionWorkload>) {
            if (!w.who.all && w.who.count > subs.users) {
              problem = fail("who: " + std::to_string(w.who.count) + " users but the scenario has " +
                             std::to_string(subs.users));
            }
            if constexpr (std::is_same_v<W, ReferSubscriptionWorkload>) {
              if (w.from.empty() && topology.CountRole(NodeRole::kAs) == 0) problem = fail("no as node");
            }
          } else if constexpr (std::is_same_v<W, ReferFloodWorkload>) {
            if (w.attacker.empty()) problem = fail("missing required key 'attacker'; expected a node with role attacker");
            if (w.target < subs.first_user || w.target - subs.first_user >= subs.users) {
              problem = fail("target user " + std::to_string(w.target) + " does not exist; expected " +
                             std::to_string(subs.first_user) + " to " +
                             std::to_string(subs.first_user + subs.users - 1));
            }
            if (w.rate <= 0) problem = fail("rate must be above 0/s");
          } else if constexpr (std::is_same_v<W, FailureWorkload>) {
            if (w.element.empty()) problem = fail("missing required key 'element'; expected a node name");
            if (w.up && *w.up <= w.down) problem = fail("up is not after down; expected up > down");
          }
        },
        workload.spec);
    if (problem) return problem;
  }
  return std::nullopt;
}

// ---- YAML walking.

class Parser {
 public:
  Parser(std::string file, std::string directory) : file_(std::move(file)), directory_(std::move(directory)) {}

  Loaded<Scenario> Run(std::string_view text);

 private:
  SourcePosition Where(const YAML::Node& node) const { return PositionOf(node, file_); }

  std::optional<SourceError> RequireScalar(const YAML::Node& node, const std::string& what, Scalar& out) const {
    if (!node.IsScalar()) {
      return ErrorAt(Where(node), what + ": expected a single value, not a " +
                                      (node.IsMap() ? "map" : node.IsSequence() ? "list" : "empty value"));
    }
    out = Scalar{node.Scalar(), Where(node)};
    return std::nullopt;
  }

  // Walks a map: each key once, each key among `allowed`.
  std::optional<SourceError> ForEachKey(
      const YAML::Node& map, const std::string& what, const std::vector<std::string>& allowed,
      const std::function<std::optional<SourceError>(const Scalar& key, const YAML::Node& value)>& visit) const {
    if (map.IsNull()) return std::nullopt;
    if (!map.IsMap()) return ErrorAt(Where(map), what + ": expected a map of key: value");
    std::set<std::string> seen;
    for (const auto& entry : map) {
      Scalar key;
      if (auto error = RequireScalar(entry.first, what + " key", key)) return error;
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key.text) == allowed.end()) {
        return ErrorAt(key.where, "unknown key '" + key.text + "' in " + what + "; expected one of: " +
                                      JoinNames(allowed));
      }
      if (!seen.insert(key.text).second) return ErrorAt(key.where, "key '" + key.text + "' appears twice in " + what);
      if (auto error = visit(key, entry.second)) return error;
    }
    return std::nullopt;
  }

  std::optional<SourceError> ScalarSetting(Scenario& scenario, const std::string& setting, const Scalar& key,
                                           const YAML::Node& node) {
    Scalar value;
    if (auto error = RequireScalar(node, key.text, value)) return error;
    auto error = ApplySetting(scenario, Scalar{setting, key.where}, value);
    if (error && error->message.rfind(setting + ": ", 0) == 0) {
      error->message = key.text + error->message.substr(setting.size());  // name the key as written
    }
    return error;
  }

  std::optional<SourceError> ParseTopologySection(Scenario& scenario, const Scalar& key, const YAML::Node& node);
  std::optional<SourceError> ParseCore(Scenario& scenario, const YAML::Node& node);
  std::optional<SourceError> ParseSubscribers(Scenario& scenario, const YAML::Node& node);
  std::optional<SourceError> ParseWorkloads(Scenario& scenario, const YAML::Node& node);
  std::optional<SourceError> ParseSweep(Scenario& scenario, const Scalar& section, const YAML::Node& node);
  std::optional<SourceError> ReadFile(const Scalar& value, std::string& path, std::string& text) const;

  std::string file_;
  std::string directory_;
  SourcePosition icscf_where_;
};

std::optional<SourceError> Parser::ReadFile(const Scalar& value, std::string& path, std::string& text) const {
  if (value.text.empty()) return ErrorAt(value.where, "empty path; expected a file name");
  path = (!value.text.empty() && value.text[0] == '/') || directory_.empty() ? value.text
                                                                            : directory_ + "/" + value.text;
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrorAt(value.where, "cannot open '" + path + "'; expected a readable file");
  text.assign(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxScenarioBytes) return ErrorAt(value.where, "'" + path + "' is larger than 1 MiB");
  return std::nullopt;
}

std::optional<SourceError> Parser::ParseTopologySection(Scenario& scenario, const Scalar& key, const YAML::Node& node) {
  Scalar file;
  bool have_file = false;
  auto error = ForEachKey(node, "topology", {"file"}, [&](const Scalar&, const YAML::Node& value) {
    have_file = true;
    return RequireScalar(value, "file", file);
  });
  if (error) return error;
  if (!have_file) return ErrorAt(key.where, "topology: missing required key 'file'; expected file: a DOT file path");
  std::string text;
  if (auto read_error = ReadFile(file, scenario.topology_file, text)) return read_error;
  auto topology = ParseTopology(text, scenario.topology_file);
  if (!topology.ok()) return topology.error();
  scenario.topology = std::move(topology).value();
  return std::nullopt;
}

std::optional<SourceError> Parser::ParseCore(Scenario& scenario, const YAML::Node& node) {
  std::vector<std::string> allowed(std::begin(kElements), std::end(kElements));
  return ForEachKey(node, "core", allowed, [&](const Scalar& element, const YAML::Node& value) {
    if (element.text == "icscf") {
      icscf_where_ = element.where;
      if (value.IsScalar()) {
        if (auto problem = ToBool(Scalar{value.Scalar(), Where(value)}, scenario.icscf)) {
          return std::optional<SourceError>(ErrorAt(Where(value), "icscf: " + *problem + ", or a map of attributes"));
        }
        return std::optional<SourceError>();
      }
      scenario.icscf = true;
    }
    return ForEachKey(value, element.text, {}, [&](const Scalar& attribute, const YAML::Node& setting) {
      Scalar text;
      if (auto error = RequireScalar(setting, attribute.text, text)) return error;
      return SetAttribute(scenario, element.text, attribute, text);
    });
  });
}

std::optional<SourceError> Parser::ParseSubscribers(Scenario& scenario, const YAML::Node& node) {
  Subscribers& subs = scenario.subscribers;
  return ForEachKey(
      node, "subscribers",
      {"users", "terminals_per_user", "terminals", "first_user", "aor", "app_ids", "gruu", "profile", "cells"},
      [&](const Scalar& key, const YAML::Node& value) -> std::optional<SourceError> {
        if (key.text == "users" || key.text == "terminals_per_user" || key.text == "gruu") {
          return ScalarSetting(scenario, "subscribers." + key.text, key, value);
        }
        if (key.text == "first_user") {
          Scalar text;
          if (auto error = RequireScalar(value, key.text, text)) return error;
          if (auto problem = ToUnsigned(text, 0, kMaxUsers, subs.first_user)) return ErrorAt(text.where, "first_user: " + *problem);
          return std::nullopt;
        }
        if (key.text == "terminals") {
          return ForEachKey(value, "terminals", {}, [&](const Scalar& user, const YAML::Node& count) {
            std::uint64_t number = 0;
            std::uint64_t terminals = 0;
            if (auto problem = ToUnsigned(user, 0, kMaxUsers + kMaxUsers, number)) {
              return std::optional<SourceError>(ErrorAt(user.where, "terminals: " + *problem + " (a user number)"));
            }
            Scalar text;
            if (auto error = RequireScalar(count, "terminals", text)) return error;
            if (auto problem = ToUnsigned(text, 0, kMaxTerminalsPerUser, terminals)) {
              return std::optional<SourceError>(ErrorAt(text.where, "terminals: " + *problem));
            }
            if (subs.terminals.size() >= 100000) return std::optional<SourceError>(ErrorAt(user.where, "too many entries"));
            subs.terminals[number] = terminals;
            return std::optional<SourceError>();
          });
        }
        if (key.text == "aor") {
          Scalar text;
          if (auto error = RequireScalar(value, key.text, text)) return error;
          const bool sip = text.text.rfind("sip:", 0) == 0 || text.text.rfind("sips:", 0) == 0;
          if (!sip || text.text.find("{i}") == std::string::npos || text.text.size() > 256 ||
              text.text.find_first_of(" <>\"") != std::string::npos) {
            return ErrorAt(text.where, "aor: '" + text.text +
                                           "'; expected a SIP URI with {i} for the user number, e.g. "
                                           "sip:user{i}@home1.net");
          }
          subs.aor = text.text;
          return std::nullopt;
        }
        if (key.text == "app_ids" || key.text == "cells") {
          if (!value.IsSequence()) return ErrorAt(Where(value), key.text + ": expected a list, e.g. [a, b]");
          if (value.size() > (key.text == "cells" ? kMaxTopologyNodes : kMaxAppIds)) {
            return ErrorAt(Where(value), key.text + ": too many entries");
          }
          std::vector<std::string> items;
          for (const auto& item : value) {
            Scalar text;
            if (auto error = RequireScalar(item, key.text, text)) return error;
            std::string checked;
            auto problem = key.text == "cells" ? ToNodeName(text, scenario.topology, NodeRole::kCell, checked)
                                               : ToAppId(text, checked);
            if (problem) return ErrorAt(text.where, key.text + ": " + *problem);
            items.push_back(checked);
          }
          if (key.text == "app_ids" && items.empty()) {
            return ErrorAt(Where(value), "app_ids: empty; expected at least one application id");
          }
          (key.text == "cells" ? subs.cells : subs.app_ids) = items;
          return std::nullopt;
        }
        // profile
        Scalar text;
        if (auto error = RequireScalar(value, key.text, text)) return error;
        if (auto error = ReadFile(text, subs.profile, subs.profile_text)) return error;
        if (subs.profile_text.find("{aor}") == std::string::npos) {
          return ErrorAt(text.where, "profile: '" + subs.profile +
                                         "' has no {aor}; expected a TS 29.228 IMSSubscription template with {aor} "
                                         "where each user's identity goes");
        }
        return std::nullopt;
      });
}

std::optional<SourceError> Parser::ParseWorkloads(Scenario& scenario, const YAML::Node& node) {
  if (node.IsNull()) return std::nullopt;
  if (!node.IsSequence()) return ErrorAt(Where(node), "workloads: expected a list of workloads ('- push: {...}')");
  if (node.size() > kMaxWorkloads) return ErrorAt(Where(node), "workloads: more than 1000");
  for (const auto& item : node) {
    Scalar kind;
    YAML::Node body;
    if (item.IsScalar()) {
      kind = Scalar{item.Scalar(), Where(item)};
    } else if (item.IsMap() && item.size() == 1) {
      const auto entry = item.begin();
      if (auto error = RequireScalar(entry->first, "workload kind", kind)) return error;
      body = entry->second;
    } else {
      return ErrorAt(Where(item), std::string("workload: expected one of ") + kWorkloadKinds +
                                      " followed by its settings, e.g. '- push: {rate: 2/s}'");
    }
    auto spec = NewWorkload(kind.text);
    if (!spec) {
      return ErrorAt(kind.where, "unknown workload '" + kind.text + "'; expected one of: " + kWorkloadKinds);
    }
    Workload workload{*spec, kind.where};
    if (body) {
      auto error = ForEachKey(body, kind.text + " workload", {}, [&](const Scalar& key, const YAML::Node& value) {
        Scalar text;
        if (auto scalar_error = RequireScalar(value, key.text, text)) return scalar_error;
        return SetWorkloadField(workload.spec, key, text, scenario);
      });
      if (error) return error;
    }
    scenario.workloads.push_back(std::move(workload));
  }
  return std::nullopt;
}

// Checks one sweep value as `--set key=value` would be checked, on a copy of the finished
// scenario; every error is placed at the key (an unknown key) or at the value.
std::optional<SourceError> CheckSweepValue(const Scenario& scenario, const Scalar& key, const Scalar& value) {
  Scenario trial = scenario;
  if (auto error = ApplySetting(trial, key, value)) return error;
  if (auto error = CheckConsistency(trial, value.where)) {
    SourceError at_value = ErrorAt(value.where, "sweep value '" + value.text + "': " + error->message);
    const bool elsewhere = error->file != value.where.file || error->line != value.where.line ||
                           error->column != value.where.column;
    if (elsewhere && error->line > 0) {
      at_value.message += " (see " + error->file + ":" + std::to_string(error->line) + ":" +
                          std::to_string(error->column) + ")";
    }
    return at_value;
  }
  return std::nullopt;
}

std::optional<SourceError> Parser::ParseSweep(Scenario& scenario, const Scalar& section, const YAML::Node& node) {
  SweepSpec sweep;
  bool have_vary = false;
  YAML::Node values;
  Scalar key;
  auto error = ForEachKey(node, "sweep", {"vary", "runs"}, [&](const Scalar& entry, const YAML::Node& value) {
    if (entry.text == "runs") {
      Scalar text;
      if (auto scalar_error = RequireScalar(value, "runs", text)) return scalar_error;
      if (auto problem = ToUnsigned(text, 1, kMaxSweepRuns, sweep.runs)) {
        return std::optional<SourceError>(ErrorAt(text.where, "runs: " + *problem + " (replications per value)"));
      }
      return std::optional<SourceError>();
    }
    have_vary = true;
    if (!value.IsMap() || value.size() != 1) {
      return std::optional<SourceError>(
          ErrorAt(value.IsMap() || value.IsSequence() || value.IsScalar() ? Where(value) : entry.where,
                  "vary: expected exactly one key and its list of values, e.g. vary: {push.rate: [50/s, 100/s]}" +
                      std::string(value.IsMap() && value.size() > 1 ? " (a sweep varies one key)" : "")));
    }
    const auto only = value.begin();
    if (auto scalar_error = RequireScalar(only->first, "vary key", key)) return scalar_error;
    values = only->second;
    return std::optional<SourceError>();
  });
  if (error) return error;
  if (!have_vary) return ErrorAt(section.where, "sweep: missing required key 'vary'; expected vary: {KEY: [V1, V2, ...]}");
  if (!values.IsSequence() || values.size() == 0) {
    return ErrorAt(values.IsNull() ? key.where : Where(values),
                   key.text + ": expected a non-empty list of values, e.g. [50/s, 100/s]");
  }
  if (values.size() > kMaxSweepValues) return ErrorAt(Where(values), key.text + ": more than 1000 values");
  sweep.key = key.text;
  sweep.where = key.where;
  for (const auto& item : values) {
    Scalar value;
    if (auto scalar_error = RequireScalar(item, key.text, value)) return scalar_error;
    if (std::find(sweep.values.begin(), sweep.values.end(), value.text) != sweep.values.end()) {
      return ErrorAt(value.where, key.text + ": '" + value.text + "' appears twice; expected each value once");
    }
    if (auto value_error = CheckSweepValue(scenario, key, value)) return value_error;
    sweep.values.push_back(value.text);
  }
  scenario.sweep = std::move(sweep);
  return std::nullopt;
}

Loaded<Scenario> Parser::Run(std::string_view text) {
  Scenario scenario;
  scenario.file = file_;
  scenario.text_ = std::string(text);
  if (text.size() > kMaxScenarioBytes) return SourceError{file_, 0, 0, "larger than 1 MiB; expected a scenario file"};
  YAML::Node root;
  try {
    root = YAML::Load(scenario.text_);
  } catch (const YAML::Exception& error) {
    SourcePosition where{file_, error.mark.is_null() ? 0 : error.mark.line + 1,
                         error.mark.is_null() ? 0 : error.mark.column + 1};
    return ErrorAt(where, "YAML: " + error.msg);
  }
  if (!root.IsMap()) return ErrorAt(Where(root), "expected a map of sections (name, duration, topology, ...)");

  const std::vector<std::string> sections = {"name",        "description", "duration", "seed",  "topology",
                                             "core",        "subscribers", "workloads", "set",  "trace",
                                             "sampling",    "sweep"};
  std::map<std::string, std::pair<Scalar, YAML::Node>> found;
  auto error = ForEachKey(root, "the scenario", sections, [&](const Scalar& key, const YAML::Node& value) {
    found.emplace(key.text, std::make_pair(key, value));
    return std::optional<SourceError>();
  });
  if (error) return *error;

  // Sections in dependency order: the topology first (others name its nodes), `set:` after
  // everything it can change.
  const auto topology = found.find("topology");
  if (topology == found.end()) {
    return ErrorAt(SourcePosition{file_, 1, 1}, "missing required section 'topology'; expected topology: {file: NAME.dot}");
  }
  if (auto e = ParseTopologySection(scenario, topology->second.first, topology->second.second)) return *e;
  icscf_where_ = topology->second.first.where;

  for (const char* key : {"name", "description"}) {
    if (const auto it = found.find(key); it != found.end()) {
      Scalar value;
      if (auto e = RequireScalar(it->second.second, key, value)) return *e;
      if (value.text.size() > 4096) return ErrorAt(value.where, std::string(key) + ": longer than 4096 characters");
      (std::string(key) == "name" ? scenario.name : scenario.description) = value.text;
    }
  }
  if (scenario.name.empty()) {
    const std::size_t slash = file_.find_last_of('/');
    std::string stem = file_.substr(slash == std::string::npos ? 0 : slash + 1);
    if (const std::size_t dot = stem.rfind('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
    scenario.name = stem;
  }
  for (const char* key : {"duration", "seed"}) {
    if (const auto it = found.find(key); it != found.end()) {
      if (auto e = ScalarSetting(scenario, key, it->second.first, it->second.second)) return *e;
    }
  }
  if (const auto it = found.find("core"); it != found.end()) {
    if (auto e = ParseCore(scenario, it->second.second)) return *e;
  }
  if (const auto it = found.find("subscribers"); it != found.end()) {
    if (auto e = ParseSubscribers(scenario, it->second.second)) return *e;
  }
  if (const auto it = found.find("workloads"); it != found.end()) {
    if (auto e = ParseWorkloads(scenario, it->second.second)) return *e;
  }
  if (const auto it = found.find("trace"); it != found.end()) {
    auto e = ForEachKey(it->second.second, "trace", {"messages", "pcap"}, [&](const Scalar& key, const YAML::Node& value) {
      return ScalarSetting(scenario, "trace." + key.text, key, value);
    });
    if (e) return *e;
  }
  if (const auto it = found.find("sampling"); it != found.end()) {
    auto e = ForEachKey(it->second.second, "sampling", {"interval"}, [&](const Scalar& key, const YAML::Node& value) {
      return ScalarSetting(scenario, "sampling." + key.text, key, value);
    });
    if (e) return *e;
  }
  if (const auto it = found.find("set"); it != found.end()) {
    auto e = ForEachKey(it->second.second, "set", {}, [&](const Scalar& key, const YAML::Node& value) {
      Scalar text;
      if (auto scalar_error = RequireScalar(value, key.text, text)) return scalar_error;
      return ApplySetting(scenario, key, text);
    });
    if (e) return *e;
  }
  if (auto e = CheckConsistency(scenario, icscf_where_)) return *e;
  // Last: each value is checked against the scenario as it now stands.
  if (const auto it = found.find("sweep"); it != found.end()) {
    if (auto e = ParseSweep(scenario, it->second.first, it->second.second)) return *e;
  }
  return scenario;
}

}  // namespace

Loaded<Scenario> ParseScenario(std::string_view text, const std::string& file) {
  const std::size_t slash = file.find_last_of('/');
  const std::string directory = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  Parser parser(file, directory);
  return parser.Run(text);
}

Loaded<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return SourceError{path, 0, 0, "cannot open the scenario file"};
  std::string text(kMaxScenarioBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return ParseScenario(text, path);
}

std::optional<SourceError> ApplyOverride(Scenario& scenario, std::string_view assignment) {
  const std::size_t equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    return SourceError{"--set", 1, 1, "'" + std::string(assignment) + "': expected key=value, e.g. scscf.QueueCapacity=200"};
  }
  Scalar key{std::string(assignment.substr(0, equals)), SourcePosition{"--set", 1, 1}};
  Scalar value{std::string(assignment.substr(equals + 1)), SourcePosition{"--set", 1, static_cast<int>(equals) + 2}};
  Scenario changed = scenario;
  if (auto error = ApplySetting(changed, key, value)) return error;
  if (auto error = CheckConsistency(changed, SourcePosition{"--set", 1, 1})) {
    // The override made the scenario inconsistent: report it against the override, naming the
    // part of the file it clashes with.
    if (error->file != "--set") {
      SourceError clash{"--set", 1, 1, error->message};
      if (error->line > 0) {
        clash.message += " (see " + error->file + ":" + std::to_string(error->line) + ":" +
                         std::to_string(error->column) + ")";
      }
      return clash;
    }
    return error;
  }
  changed.overrides.emplace_back(assignment);
  scenario = std::move(changed);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escape;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

// Builds {"k": v, ...} in insertion order.
class JsonObject {
 public:
  JsonObject& Raw(std::string_view key, const std::string& value) {
    text_ += (text_.empty() ? "{" : ",") + JsonQuote(key) + ":" + value;
    return *this;
  }
  JsonObject& Str(std::string_view key, std::string_view value) { return Raw(key, JsonQuote(value)); }
  JsonObject& Num(std::string_view key, std::uint64_t value) { return Raw(key, std::to_string(value)); }
  JsonObject& Bool(std::string_view key, bool value) { return Raw(key, value ? "true" : "false"); }
  std::string Text() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string WorkloadJson(const Workload& workload) {
  JsonObject out;
  out.Str("kind", WorkloadKind(workload.spec));
  std::visit(
      [&](const auto& w) {
        using W = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<W, RegistrationWorkload>) {
          out.Str("arrival", ArrivalName(w.arrival)).Str("rate", RateText(w.rate)).Str("start", DurationText(w.start));
          out.Str("ramp", DurationText(w.ramp)).Str("reregister", DurationText(w.reregister));
        } else if constexpr (std::is_same_v<W, PushWorkload>) {
          out.Str("arrival", ArrivalName(w.arrival)).Str("rate", RateText(w.rate)).Str("start", DurationText(w.start));
          out.Raw("stop", w.stop ? JsonQuote(DurationText(*w.stop)) : "null").Num("count", w.count);
          out.Str("method", PushMethodName(w.method)).Str("size", w.size.Text());
          out.Str("target", PushTargetName(w.target)).Str("pick", PushPickName(w.pick)).Str("app_id", w.app_id);
          out.Bool("delivery_report", w.delivery_report);
        } else if constexpr (std::is_same_v<W, SubscriptionWorkload>) {
          out.Str("who", w.who.Text()).Str("at", DurationText(w.at)).Str("event", w.event);
          out.Str("expires", DurationText(w.expires));
        } else if constexpr (std::is_same_v<W, ReferSubscriptionWorkload>) {
          out.Str("who", w.who.Text()).Str("at", DurationText(w.at)).Str("from", w.from).Str("event", w.event);
        } else if constexpr (std::is_same_v<W, ReferFloodWorkload>) {
          out.Str("attacker", w.attacker).Num("target", w.target).Str("rate", RateText(w.rate));
          out.Str("start", DurationText(w.start)).Str("duration", DurationText(w.duration));
          out.Str("lockout", LockoutName(w.lockout)).Str("lockout_duration", DurationText(w.lockout_duration));
        } else {
          out.Str("element", w.element).Str("down", DurationText(w.down));
          out.Raw("up", w.up ? JsonQuote(DurationText(*w.up)) : "null");
        }
      },
      workload.spec);
  return out.Text();
}

}  // namespace

std::string Scenario::ParametersJson() const {
  JsonObject out;
  out.Str("name", name).Str("duration", DurationText(duration)).Num("seed", seed);
  out.Str("topology", topology_file).Bool("icscf", icscf);
  // Attributes: the value in force for each element.attribute, sorted.
  std::map<std::string, std::map<std::string, std::string>> in_force;
  for (const AttributeSetting& setting : attributes) in_force[setting.element][setting.attribute] = setting.value;
  JsonObject elements;
  for (const auto& [element, values] : in_force) {
    JsonObject element_json;
    for (const auto& [attribute, value] : values) element_json.Str(attribute, value);
    elements.Raw(element, element_json.Text());
  }
  out.Raw("attributes", elements.Text());
  JsonObject subs;
  subs.Num("users", subscribers.users).Num("terminals_per_user", subscribers.terminals_per_user);
  JsonObject terminals;
  for (const auto& [user, count] : subscribers.terminals) terminals.Num(std::to_string(user), count);
  subs.Raw("terminals", terminals.Text()).Num("first_user", subscribers.first_user).Str("aor", subscribers.aor);
  std::string app_ids = "[";
  for (std::size_t i = 0; i < subscribers.app_ids.size(); ++i) app_ids += (i ? "," : "") + JsonQuote(subscribers.app_ids[i]);
  subs.Raw("app_ids", app_ids + "]").Bool("gruu", subscribers.gruu).Str("profile", subscribers.profile);
  std::string cells = "[";
  for (std::size_t i = 0; i < subscribers.cells.size(); ++i) cells += (i ? "," : "") + JsonQuote(subscribers.cells[i]);
  subs.Raw("cells", cells + "]");
  out.Raw("subscribers", subs.Text());
  std::string workload_list = "[";
  for (std::size_t i = 0; i < workloads.size(); ++i) workload_list += (i ? "," : "") + WorkloadJson(workloads[i]);
  out.Raw("workloads", workload_list + "]");
  out.Raw("trace", JsonObject().Str("messages", MessageTraceName(messages)).Bool("pcap", pcap).Text());
  out.Raw("sampling", JsonObject().Str("interval", DurationText(sample_interval)).Text());
  return out.Text();
}

std::string ScenarioSummary(const Scenario& s) {
  std::ostringstream out;
  out << s.file << ": " << s.name << (s.description.empty() ? "" : " - " + s.description) << "\n";
  out << "  duration " << DurationText(s.duration) << ", seed " << s.seed << ", trace " << MessageTraceName(s.messages)
      << (s.pcap ? " + pcap" : "") << ", samples every " << DurationText(s.sample_interval) << "\n";
  out << "  topology " << s.topology_file << ": " << s.topology.nodes.size() << " nodes (";
  bool first = true;
  for (NodeRole role : kAllRoles) {
    const std::size_t count = s.topology.CountRole(role);
    if (count == 0) continue;
    out << (first ? "" : ", ") << count << " " << RoleName(role);
    first = false;
  }
  out << "), " << s.topology.links.size() << " links; I-CSCF " << (s.icscf ? "on" : "off") << "\n";
  const auto terminals = s.Terminals();
  out << "  subscribers: " << s.subscribers.users << " users, " << terminals.size() << " UEs ("
      << s.subscribers.AorOf(s.subscribers.first_user) << " ...), GRUU " << (s.subscribers.gruu ? "on" : "off")
      << ", app ids " << JoinNames(s.subscribers.app_ids) << "\n";
  std::map<std::size_t, std::size_t> per_cell;
  for (const Terminal& t : terminals) ++per_cell[t.cell];
  out << "  UEs per cell:";
  for (const auto& [cell, count] : per_cell) out << " " << s.topology.nodes[cell].name << "=" << count;
  out << "\n  workloads: " << s.workloads.size() << "\n";
  for (const Workload& w : s.workloads) {
    std::string json = WorkloadJson(w);
    out << "    " << WorkloadKind(w.spec) << " (line " << w.where.line << ") " << json << "\n";
  }
  if (s.sweep) {
    out << "  sweep: " << s.sweep->key << " over " << JoinNames(s.sweep->values) << " (" << s.sweep->runs
        << (s.sweep->runs == 1 ? " run" : " runs") << " each)\n";
  }
  if (!s.attributes.empty()) {
    out << "  attributes:";
    for (const AttributeSetting& a : s.attributes) out << " " << a.element << "." << a.attribute << "=" << a.value;
    out << "\n";
  }
  return out.str();
}

}  // namespace pushsim::runner
