#include "wire/feature_tags.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace pushsim::wire {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

ParseError Error(ErrorCode code, std::string_view input, std::size_t offset, std::string detail) {
  return MakeError(code, input, offset, std::move(detail));
}

// Moves an error found inside a part of `source` that starts at `base` into `source` coordinates.
ParseError Rebase(const ParseError& error, std::string_view source, std::size_t base) {
  return MakeError(error.code, source, base + error.offset, error.detail);
}

bool IsWspOnly(char c) { return c == ' ' || c == '\t'; }

// token-nobang (RFC 3840 section 9): a token character other than '!'.
bool IsTokenNoBangChar(char c) { return c != '!' && IsTokenChar(c); }

bool IsTokenNoBang(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), IsTokenNoBangChar);
}

std::string Printable(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte <= 0x7E) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xF];
}

// Length of the UTF8-NONASCII sequence (RFC 3261 section 25.1) that starts at text[i], or 0.
std::size_t Utf8NonAsciiLength(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t continuation = 0;
  if (lead >= 0xC0 && lead <= 0xDF) {
    continuation = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuation = 2;
  } else if (lead >= 0xF0 && lead <= 0xF7) {
    continuation = 3;
  } else if (lead >= 0xF8 && lead <= 0xFB) {
    continuation = 4;
  } else if (lead >= 0xFC && lead <= 0xFD) {
    continuation = 5;
  } else {
    return 0;
  }
  if (text.size() - i <= continuation) return 0;
  for (std::size_t k = 1; k <= continuation; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if (byte < 0x80 || byte > 0xBF) return 0;
  }
  return continuation + 1;
}

// qdtext-no-abkt (RFC 3840 section 9) for one ASCII byte: LWS / %x21 / %x23-3B / %x3D / %x3F-5B /
// %x5D-7E. Everything but '"', '<', '>', '\' and controls.
bool IsQdtextNoAbktAscii(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (IsWspOnly(c)) return true;
  if (byte < 0x21 || byte > 0x7E) return false;
  return c != '"' && c != '<' && c != '>' && c != '\\';
}

// number = [ "+" / "-" ] 1*DIGIT ["." 0*DIGIT] (RFC 3840 section 9), reading text[i, end).
// Stops at the first character that cannot continue the number and stores where in `next`.
Result<double> ParseNumber(std::string_view text, std::size_t i, std::size_t end, std::size_t& next) {
  std::string normalized;
  std::size_t p = i;
  if (p < end && (text[p] == '+' || text[p] == '-')) {
    if (text[p] == '-') normalized.push_back('-');
    ++p;
  }
  std::size_t digits = 0;
  const std::size_t int_begin = p;
  while (p < end && IsDigit(text[p])) {
    normalized.push_back(text[p]);
    ++p;
    ++digits;
  }
  if (p == int_begin) return Error(ErrorCode::kBadNumber, text, p, "expected a digit");
  if (p < end && text[p] == '.') {
    ++p;
    bool first_fraction_digit = true;
    while (p < end && IsDigit(text[p])) {
      if (first_fraction_digit) normalized.push_back('.');
      first_fraction_digit = false;
      normalized.push_back(text[p]);
      ++p;
      ++digits;
    }
  }
  if (digits > kMaxNumberDigits) {
    return Error(ErrorCode::kBadNumber, text, i,
                 "a number may have at most " + std::to_string(kMaxNumberDigits) + " digits");
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(normalized.data(), normalized.data() + normalized.size(), value);
  if (ec != std::errc() || ptr != normalized.data() + normalized.size()) {
    return Error(ErrorCode::kBadNumber, text, i, "number out of range");
  }
  next = p;
  return value;
}

// One tag-value of a tag-value-list in text[begin, end): ["!"] (token-nobang / boolean / numeric).
Result<FeatureAtom> ParseTagValue(std::string_view text, std::size_t begin, std::size_t end) {
  std::size_t p = begin;
  const bool negated = text[p] == '!';
  if (negated) ++p;
  if (p == end) return Error(ErrorCode::kBadHeaderValue, text, p, "expected a value after '!'");
  if (text[p] == '#') {
    ++p;
    if (p == end) return Error(ErrorCode::kBadNumber, text, p, "expected '=', '>=', '<=' or a number after '#'");
    FeatureAtom::Relation relation = FeatureAtom::Relation::kRange;
    if (text[p] == '=') {
      relation = FeatureAtom::Relation::kEqual;
      ++p;
    } else if (end - p >= 2 && text[p] == '>' && text[p + 1] == '=') {
      relation = FeatureAtom::Relation::kAtLeast;
      p += 2;
    } else if (end - p >= 2 && text[p] == '<' && text[p + 1] == '=') {
      relation = FeatureAtom::Relation::kAtMost;
      p += 2;
    }
    std::size_t next = p;
    auto first = ParseNumber(text, p, end, next);
    if (!first.ok()) return first.error();
    double low = *first;
    double high = *first;
    if (relation == FeatureAtom::Relation::kRange) {
      if (next == end || text[next] != ':') {
        return Error(ErrorCode::kBadNumber, text, next, "expected ':' between the bounds of a numeric range");
      }
      auto second = ParseNumber(text, next + 1, end, next);
      if (!second.ok()) return second.error();
      high = *second;
      // RFC 2533: a range a..b denotes a <= x <= b, so a > b is no range at all.
      if (low > high) return Error(ErrorCode::kBadNumber, text, begin, "numeric range has its lower bound above its upper bound");
    } else if (relation == FeatureAtom::Relation::kAtLeast) {
      high = kInfinity;
    } else if (relation == FeatureAtom::Relation::kAtMost) {
      low = -kInfinity;
    }
    if (next != end) return Error(ErrorCode::kBadNumber, text, next, "unexpected " + Printable(text[next]) + " after number");
    return FeatureAtom::Numeric(relation, low, high, negated);
  }
  for (std::size_t k = p; k < end; ++k) {
    if (!IsTokenNoBangChar(text[k])) {
      return Error(ErrorCode::kBadCharacter, text, k,
                   Printable(text[k]) + " is not allowed in a feature value (token, TRUE/FALSE or #number)");
    }
  }
  const std::string_view token = text.substr(p, end - p);
  // boolean = "TRUE" / "FALSE"; ABNF literals are case-insensitive.
  if (EqualsIgnoreCase(token, "TRUE") || EqualsIgnoreCase(token, "FALSE")) {
    FeatureAtom atom = FeatureAtom::Boolean(EqualsIgnoreCase(token, "TRUE"));
    atom.negated = negated;
    return atom;
  }
  return FeatureAtom::Token(std::string(token), negated);
}

// tag-value-list = tag-value *("," tag-value), in text[begin, end).
Result<FeatureValue> ParseTagValueList(std::string_view text, std::size_t begin, std::size_t end) {
  if (begin == end) return Error(ErrorCode::kBadHeaderValue, text, begin, "empty feature value");
  FeatureValue value;
  std::size_t p = begin;
  while (true) {
    std::size_t element_end = p;
    while (element_end < end && text[element_end] != ',') ++element_end;
    if (element_end == p) return Error(ErrorCode::kBadHeaderValue, text, p, "empty element in feature value list");
    if (value.atoms.size() == kMaxValuesPerTag) {
      return Error(ErrorCode::kTooLarge, text, p,
                   "more than " + std::to_string(kMaxValuesPerTag) + " values in one feature value");
    }
    auto atom = ParseTagValue(text, p, element_end);
    if (!atom.ok()) return atom.error();
    value.atoms.push_back(std::move(atom).value());
    if (element_end == end) return value;
    p = element_end + 1;
  }
}

// string-value = "<" *(qdtext-no-abkt / quoted-pair ) ">" starting at text[begin] == '<'. Sets
// `next` past the '>'.
Result<FeatureAtom> ParseStringValue(std::string_view text, std::size_t begin, std::size_t& next) {
  std::string content;
  std::size_t i = begin + 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '>') {
      next = i + 1;
      return FeatureAtom::String(std::move(content));
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (i + 1 >= text.size()) break;
      const char escaped = text[i + 1];
      if (escaped == '\r' || escaped == '\n' || static_cast<unsigned char>(escaped) > 0x7F) {
        return Error(ErrorCode::kBadQuotedString, text, i, "bad quoted-pair in string value");
      }
      content.push_back(escaped);
      i += 2;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t length = Utf8NonAsciiLength(text, i);
      if (length == 0) return Error(ErrorCode::kBadCharacter, text, i, "malformed UTF-8 in string value");
      content.append(text.substr(i, length));
      i += length;
      continue;
    }
    if (c == '"') return Error(ErrorCode::kBadHeaderValue, text, i, "string value lacks its closing '>'");
    if (!IsQdtextNoAbktAscii(c)) {
      return Error(ErrorCode::kBadCharacter, text, i, Printable(c) + " is not allowed in a string value");
    }
    content.push_back(c);
    ++i;
  }
  return Error(ErrorCode::kBadQuotedString, text, text.size(), "unterminated string value");
}

std::string FormatNumber(double value) {
  std::array<char, 64> buffer{};
  const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buffer.data(), ptr);
}

void AppendAtom(std::string& out, const FeatureAtom& atom) {
  if (atom.negated) out.push_back('!');
  switch (atom.kind) {
    case FeatureAtom::Kind::kBoolean:
      out += atom.boolean ? "TRUE" : "FALSE";
      break;
    case FeatureAtom::Kind::kToken:
      // Application ids may hold '\\' (%x5C), which needs a quoted-pair inside the quotes.
      for (char c : atom.text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      break;
    case FeatureAtom::Kind::kString:
      out.push_back('<');
      for (char c : atom.text) {
        // Whatever qdtext-no-abkt does not take travels as a quoted-pair (controls included);
        // bytes from 0x80 are UTF8-NONASCII and go as they are.
        const bool ascii = static_cast<unsigned char>(c) < 0x80;
        if (ascii && !IsQdtextNoAbktAscii(c) && c != '\r' && c != '\n') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('>');
      break;
    case FeatureAtom::Kind::kNumeric:
      out.push_back('#');
      switch (atom.relation) {
        case FeatureAtom::Relation::kEqual:
          out += "=" + FormatNumber(atom.low);
          break;
        case FeatureAtom::Relation::kAtLeast:
          out += ">=" + FormatNumber(atom.low);
          break;
        case FeatureAtom::Relation::kAtMost:
          out += "<=" + FormatNumber(atom.high);
          break;
        case FeatureAtom::Relation::kRange:
          out += FormatNumber(atom.low) + ":" + FormatNumber(atom.high);
          break;
      }
      break;
  }
}

// ftag-name = ALPHA *( ALPHA / DIGIT / "!" / "'" / "." / "-" / "%" ) (RFC 3840 section 9). '_' is
// accepted too: registered tags such as g.3gpp.app_ref use it.
bool IsFtagName(std::string_view name) {
  if (name.empty() || !IsAlpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '!' || c == '\'' || c == '.' || c == '-' || c == '%' || c == '_';
  });
}

// Where a parameter's name and value sit in the text it was parsed from.
struct ParamPosition {
  std::size_t name = 0;
  std::size_t value = 0;
};

// ParseParams keeps names and values verbatim and in order, so each can be found after the
// previous one.
std::vector<ParamPosition> LocateParams(std::string_view text, std::size_t from, const Params& params) {
  std::vector<ParamPosition> positions;
  positions.reserve(params.size());
  std::size_t cursor = from;
  for (const Param& param : params) {
    ParamPosition position;
    position.name = std::min(text.find(param.name, cursor), text.size());
    cursor = std::min(position.name + param.name.size(), text.size());
    position.value = cursor;
    if (param.value) {
      position.value = std::min(text.find(*param.value, cursor), text.size());
      cursor = std::min(position.value + param.value->size(), text.size());
    }
    positions.push_back(position);
  }
  return positions;
}

// Adds one feature parameter to `set`. `source`/`position` place errors; without a source the
// error offset is relative to the value and the detail names the parameter.
std::optional<ParseError> AddFeature(FeatureSet& set, const Param& param, std::string_view source,
                                     const ParamPosition* position) {
  const auto fail = [&](const ParseError& inner, bool in_value) -> ParseError {
    if (position == nullptr) {
      ParseError error = inner;
      error.detail = param.name + ": " + error.detail;
      return error;
    }
    return Rebase(inner, source, in_value ? position->value : position->name);
  };
  if (param.name[0] == '+' && !IsFtagName(std::string_view(param.name).substr(1))) {
    return fail(Error(ErrorCode::kBadHeaderValue, param.name, 0,
                      "a feature tag after '+' starts with a letter and holds letters, digits, ! ' . - %"),
                false);
  }
  if (set.Find(param.name) != nullptr) {
    return fail(Error(ErrorCode::kBadHeaderValue, param.name, 0, "feature tag given twice"), false);
  }
  if (set.tags.size() == kMaxFeatureTags) {
    return fail(Error(ErrorCode::kTooLarge, param.name, 0,
                      "more than " + std::to_string(kMaxFeatureTags) + " feature tags"),
                false);
  }
  std::optional<std::string_view> raw;
  if (param.value) raw = *param.value;
  auto value = ParseFeatureParam(param.name, raw);
  if (!value.ok()) return fail(value.error(), param.value.has_value());
  set.tags.push_back(FeatureTag{param.name, std::move(value).value()});
  return std::nullopt;
}

Result<ContactPredicate> ParsePredicate(std::string_view element, bool accept) {
  if (element.size() > kMaxPredicateLength) {
    return Error(ErrorCode::kTooLarge, element, kMaxPredicateLength,
                 "a caller preference element may be at most " + std::to_string(kMaxPredicateLength) + " bytes");
  }
  std::size_t i = 0;
  while (i < element.size() && IsWsp(element[i])) ++i;
  if (i >= element.size() || element[i] != '*') {
    return Error(ErrorCode::kBadHeaderValue, element, i, "expected '*' (RFC 3841 section 9)");
  }
  const std::size_t params_begin = i + 1;
  std::size_t consumed = 0;
  auto params = ParseParams(element.substr(params_begin), consumed);
  if (!params.ok()) return Rebase(params.error(), element, params_begin);
  std::size_t end = params_begin + consumed;
  while (end < element.size() && (IsWsp(element[end]) || element[end] == '\r' || element[end] == '\n')) ++end;
  if (end != element.size()) {
    return Error(ErrorCode::kBadCharacter, element, end,
                 "unexpected " + Printable(element[end]) + "; expected ';' and a parameter");
  }
  const std::vector<ParamPosition> positions = LocateParams(element, params_begin, *params);

  ContactPredicate predicate;
  for (std::size_t k = 0; k < params->size(); ++k) {
    const Param& param = (*params)[k];
    const bool is_require = EqualsIgnoreCase(param.name, "require");
    const bool is_explicit = EqualsIgnoreCase(param.name, "explicit");
    if (accept && (is_require || is_explicit)) {
      // req-param = "require", explicit-param = "explicit"; at most one of each (section 9).
      if (param.value) {
        return Error(ErrorCode::kBadHeaderValue, element, positions[k].name, param.name + " takes no value");
      }
      bool& flag = is_require ? predicate.require : predicate.explicit_tag;
      if (flag) return Error(ErrorCode::kBadHeaderValue, element, positions[k].name, param.name + " given twice");
      flag = true;
      continue;
    }
    if (!IsFeatureParamName(param.name)) continue;  // generic-param: no meaning for matching
    if (auto error = AddFeature(predicate.features, param, element, &positions[k])) return *error;
  }
  return predicate;
}

// Some value satisfies both atoms (RFC 2533 matching, one feature tag at a time).
bool SameKind(const FeatureAtom& a, const FeatureAtom& b) { return a.kind == b.kind; }

bool ValuesOverlap(const FeatureAtom& a, const FeatureAtom& b) {
  if (!SameKind(a, b)) return false;
  switch (a.kind) {
    case FeatureAtom::Kind::kBoolean: return a.boolean == b.boolean;
    case FeatureAtom::Kind::kToken: return EqualsIgnoreCase(a.text, b.text);
    case FeatureAtom::Kind::kString: return a.text == b.text;
    case FeatureAtom::Kind::kNumeric: return a.low <= b.high && b.low <= a.high;
  }
  return false;
}

// Every value `positive` admits is one that `negated` (without its '!') admits too.
bool ValuesContained(const FeatureAtom& positive, const FeatureAtom& negated) {
  if (!SameKind(positive, negated)) return false;
  if (positive.kind == FeatureAtom::Kind::kNumeric) {
    return negated.low <= positive.low && positive.high <= negated.high;
  }
  return ValuesOverlap(positive, negated);
}

bool AtomsCompatible(const FeatureAtom& a, const FeatureAtom& b) {
  if (!a.negated && !b.negated) return ValuesOverlap(a, b);
  // Two exclusions leave infinitely many values of other kinds that satisfy both.
  if (a.negated && b.negated) return true;
  const FeatureAtom& positive = a.negated ? b : a;
  const FeatureAtom& negated = a.negated ? a : b;
  return !ValuesContained(positive, negated);
}

// Two terms on the same tag, each a disjunction, can hold together iff some pair of atoms can.
bool TermsCompatible(const FeatureValue& a, const FeatureValue& b) {
  for (const FeatureAtom& x : a.atoms) {
    for (const FeatureAtom& y : b.atoms) {
      if (AtomsCompatible(x, y)) return true;
    }
  }
  return false;
}

double SanitizedQ(double q) {
  if (!std::isfinite(q)) return 0;
  return std::clamp(q, 0.0, 1.0);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool IsEventAppIdChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte <= 0x2B) || (byte >= 0x2D && byte <= 0x7E);
}

bool IsEventAppId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), IsEventAppIdChar);
}

Result<std::vector<std::string>> ParseEventAppIds(std::string_view value) {
  if (value.size() > kMaxFeatureValueLength) {
    return Error(ErrorCode::kTooLarge, value, kMaxFeatureValueLength,
                 "feature value longer than " + std::to_string(kMaxFeatureValueLength) + " bytes");
  }
  if (value.empty()) return Error(ErrorCode::kBadHeaderValue, value, 0, "expected an event-app-id");
  const auto bad_char = [&](std::size_t at, char c) {
    return Error(ErrorCode::kBadCharacter, value, at,
                 Printable(c) + " is not allowed in an event-app-id (%x21 / %x23-2B / %x2D-7E)");
  };
  std::vector<std::string> ids;
  if (value[0] != '"') {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!IsEventAppIdChar(value[i])) return bad_char(i, value[i]);
    }
    ids.emplace_back(value);
    return ids;
  }
  std::string current;
  for (std::size_t i = 1; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '"') {
      if (current.empty()) return Error(ErrorCode::kBadHeaderValue, value, i, "empty event-app-id");
      if (i + 1 != value.size()) {
        return Error(ErrorCode::kBadCharacter, value, i + 1, "unexpected text after the closing quote");
      }
      ids.push_back(std::move(current));
      return ids;
    }
    if (c == ',') {
      if (current.empty()) return Error(ErrorCode::kBadHeaderValue, value, i, "empty event-app-id");
      if (ids.size() + 2 > kMaxValuesPerTag) {  // this id and the one after the comma
        return Error(ErrorCode::kTooLarge, value, i,
                     "more than " + std::to_string(kMaxValuesPerTag) + " event-app-ids");
      }
      ids.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (c == '\\') {
      // A quoted-pair inside the quoted-string stands for the character it escapes.
      if (i + 1 >= value.size()) break;
      if (!IsEventAppIdChar(value[i + 1])) return bad_char(i, value[i + 1]);
      current.push_back(value[i + 1]);
      ++i;
      continue;
    }
    if (!IsEventAppIdChar(c)) return bad_char(i, c);
    current.push_back(c);
  }
  return Error(ErrorCode::kBadQuotedString, value, value.size(), "unterminated quoted string");
}

Result<std::string> FormatEventAppIds(const std::vector<std::string>& ids) {
  std::string out = "\"";
  if (ids.empty()) return Error(ErrorCode::kBadHeaderValue, out, out.size(), "at least one event-app-id is needed");
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (k > 0) out.push_back(',');
    if (ids[k].empty()) return Error(ErrorCode::kBadCharacter, out, out.size(), "empty event-app-id");
    for (char c : ids[k]) {
      if (!IsEventAppIdChar(c)) {
        return Error(ErrorCode::kBadCharacter, out, out.size(),
                     Printable(c) + " is not allowed in an event-app-id (%x21 / %x23-2B / %x2D-7E)");
      }
      if (c == '\\') out.push_back('\\');  // keep the quoted-string well formed
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// ---------------------------------------------------------------------------------------------

FeatureAtom FeatureAtom::Boolean(bool value) {
  FeatureAtom atom;
  atom.kind = Kind::kBoolean;
  atom.boolean = value;
  return atom;
}

FeatureAtom FeatureAtom::Token(std::string token, bool negated) {
  FeatureAtom atom;
  atom.kind = Kind::kToken;
  atom.text = std::move(token);
  atom.negated = negated;
  return atom;
}

FeatureAtom FeatureAtom::String(std::string content) {
  FeatureAtom atom;
  atom.kind = Kind::kString;
  atom.text = std::move(content);
  return atom;
}

FeatureAtom FeatureAtom::Numeric(Relation relation, double low, double high, bool negated) {
  FeatureAtom atom;
  atom.kind = Kind::kNumeric;
  atom.relation = relation;
  atom.low = low;
  atom.high = high;
  atom.negated = negated;
  return atom;
}

bool FeatureAtom::operator==(const FeatureAtom& other) const {
  if (kind != other.kind || negated != other.negated) return false;
  switch (kind) {
    case Kind::kBoolean: return boolean == other.boolean;
    case Kind::kToken: return EqualsIgnoreCase(text, other.text);
    case Kind::kString: return text == other.text;
    case Kind::kNumeric: return relation == other.relation && low == other.low && high == other.high;
  }
  return false;
}

FeatureValue FeatureValue::Tokens(const std::vector<std::string>& tokens) {
  FeatureValue value;
  value.atoms.reserve(tokens.size());
  for (const std::string& token : tokens) value.atoms.push_back(FeatureAtom::Token(token));
  return value;
}

bool FeatureValue::HasToken(std::string_view token) const {
  return std::any_of(atoms.begin(), atoms.end(), [&](const FeatureAtom& atom) {
    return atom.kind == FeatureAtom::Kind::kToken && !atom.negated && EqualsIgnoreCase(atom.text, token);
  });
}

Result<FeatureValue> ParseFeatureValue(std::optional<std::string_view> raw) {
  // RFC 3840 section 9: a feature parameter without a value is the boolean TRUE.
  if (!raw) return FeatureValue::True();
  const std::string_view text = *raw;
  if (text.size() > kMaxFeatureValueLength) {
    return Error(ErrorCode::kTooLarge, text, kMaxFeatureValueLength,
                 "feature value longer than " + std::to_string(kMaxFeatureValueLength) + " bytes");
  }
  if (text.empty()) return Error(ErrorCode::kBadHeaderValue, text, 0, "expected a feature value");
  if (text[0] != '"') {
    // An unquoted generic-param value: one tag-value, never a list.
    const std::size_t comma = text.find(',');
    if (comma != std::string_view::npos) {
      return Error(ErrorCode::kBadCharacter, text, comma, "a list of feature values must be quoted");
    }
    return ParseTagValueList(text, 0, text.size());
  }
  if (text.size() >= 2 && text[1] == '<') {
    std::size_t next = 0;
    auto atom = ParseStringValue(text, 1, next);
    if (!atom.ok()) return atom.error();
    if (next >= text.size()) return Error(ErrorCode::kBadQuotedString, text, next, "unterminated quoted string");
    if (text[next] != '"') return Error(ErrorCode::kBadCharacter, text, next, "expected '\"' after '>'");
    if (next + 1 != text.size()) {
      return Error(ErrorCode::kBadCharacter, text, next + 1, "unexpected text after the closing quote");
    }
    FeatureValue value;
    value.atoms.push_back(std::move(atom).value());
    return value;
  }
  const std::size_t close = text.find('"', 1);
  if (close == std::string_view::npos) {
    return Error(ErrorCode::kBadQuotedString, text, text.size(), "unterminated quoted string");
  }
  if (close + 1 != text.size()) {
    return Error(ErrorCode::kBadCharacter, text, close + 1, "unexpected text after the closing quote");
  }
  return ParseTagValueList(text, 1, close);
}

Result<FeatureValue> ParseFeatureParam(std::string_view tag, std::optional<std::string_view> raw) {
  if (!EqualsIgnoreCase(tag, kPushEventAppTag)) return ParseFeatureValue(raw);
  // TS 8.1.1: the tag is name=value; the value is the list of Application Resource Identifiers.
  if (!raw) return Error(ErrorCode::kBadHeaderValue, "", 0, "+g.oma.pusheventapp needs a value");
  auto ids = ParseEventAppIds(*raw);
  if (!ids.ok()) return ids.error();
  return FeatureValue::Tokens(*ids);
}

std::string ToParamValue(const FeatureValue& value) {
  std::string out = "\"";
  for (std::size_t k = 0; k < value.atoms.size(); ++k) {
    if (k > 0) out.push_back(',');
    AppendAtom(out, value.atoms[k]);
  }
  out.push_back('"');
  return out;
}

std::string FormatFeatureParam(std::string_view name, const FeatureValue& value) {
  std::string out(name);
  if (value == FeatureValue::True()) return out;
  out.push_back('=');
  out += ToParamValue(value);
  return out;
}

// ---------------------------------------------------------------------------------------------

bool IsBaseFeatureTag(std::string_view name) {
  static constexpr std::array<std::string_view, 20> kBaseTags = {
      "audio",  "automata", "class",       "duplex",  "data",    "control",     "mobility",
      "description", "events", "priority", "methods", "schemes", "application", "video",
      "language", "type",   "isfocus",     "actor",   "text",    "extensions"};
  return std::any_of(kBaseTags.begin(), kBaseTags.end(),
                     [&](std::string_view tag) { return EqualsIgnoreCase(tag, name); });
}

bool IsFeatureParamName(std::string_view name) {
  if (IsBaseFeatureTag(name)) return true;
  return name.size() > 1 && name[0] == '+' && !EqualsIgnoreCase(name, "+sip.instance");
}

const FeatureValue* FeatureSet::Find(std::string_view name) const {
  for (const FeatureTag& tag : tags) {
    if (EqualsIgnoreCase(tag.name, name)) return &tag.value;
  }
  return nullptr;
}

Result<FeatureSet> FeatureSetFromParams(const Params& contact_params) {
  FeatureSet set;
  for (const Param& param : contact_params) {
    if (!IsFeatureParamName(param.name)) continue;
    if (auto error = AddFeature(set, param, {}, nullptr)) return *error;
  }
  return set;
}

bool SupportsPushApp(const FeatureSet& features, std::string_view app_id) {
  const FeatureValue* value = features.Find(kPushEventAppTag);
  return value != nullptr && value->HasToken(app_id);
}

// ---------------------------------------------------------------------------------------------

Result<ContactPredicate> ParseAcceptContact(std::string_view element) { return ParsePredicate(element, true); }

Result<ContactPredicate> ParseRejectContact(std::string_view element) { return ParsePredicate(element, false); }

Result<ContactPredicate> ImplicitPreference(std::string_view method, std::optional<std::string_view> event_package) {
  if (!IsTokenNoBang(method)) return Error(ErrorCode::kBadCharacter, method, 0, "method must be a token");
  ContactPredicate predicate;
  predicate.require = true;
  predicate.features.tags.push_back(FeatureTag{"methods", FeatureValue::Tokens({std::string(method)})});
  if (event_package) {
    if (!IsTokenNoBang(*event_package)) {
      return Error(ErrorCode::kBadCharacter, *event_package, 0, "event package must be a token");
    }
    predicate.features.tags.push_back(FeatureTag{"events", FeatureValue::Tokens({std::string(*event_package)})});
  }
  return predicate;
}

MatchResult MatchAcceptContact(const ContactPredicate& predicate, const FeatureSet& contact) {
  MatchResult result;
  result.predicate_terms = predicate.features.size();
  bool satisfiable = true;
  for (const FeatureTag& term : predicate.features.tags) {
    const FeatureValue* stated = contact.Find(term.name);
    // A term on a tag the contact does not state is set aside: the contact said nothing about it.
    if (stated == nullptr) continue;
    ++result.stated_terms;
    if (!TermsCompatible(*stated, term.value)) satisfiable = false;
  }
  if (!satisfiable) return result;
  result.counts = true;
  if (predicate.explicit_tag && result.stated_terms < result.predicate_terms) return result;
  result.matches = true;
  result.score = result.predicate_terms == 0
                     ? 1.0
                     : static_cast<double>(result.stated_terms) / static_cast<double>(result.predicate_terms);
  return result;
}

bool MatchesRejectContact(const ContactPredicate& predicate, const FeatureSet& contact) {
  if (predicate.features.empty()) return false;
  for (const FeatureTag& term : predicate.features.tags) {
    const FeatureValue* stated = contact.Find(term.name);
    if (stated == nullptr || !TermsCompatible(*stated, term.value)) return false;
  }
  return true;
}

std::vector<ContactChoice> SelectContacts(const std::vector<FeatureSet>& targets, const std::vector<double>& q_values,
                                          const std::vector<ContactPredicate>& accept,
                                          const std::vector<ContactPredicate>& reject) {
  std::vector<ContactChoice> chosen;
  chosen.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const FeatureSet& contact = targets[i];
    ContactChoice choice;
    choice.index = i;
    choice.q = SanitizedQ(i < q_values.size() ? q_values[i] : 1.0);
    if (contact.empty()) {
      choice.immune = true;
      choice.score = 1.0;
      chosen.push_back(choice);
      continue;
    }
    const bool rejected = std::any_of(reject.begin(), reject.end(), [&](const ContactPredicate& predicate) {
      return MatchesRejectContact(predicate, contact);
    });
    if (rejected) continue;
    if (accept.empty()) {
      choice.score = 1.0;
      chosen.push_back(choice);
      continue;
    }
    double sum = 0;
    std::size_t counted = 0;
    bool dropped = false;
    for (const ContactPredicate& predicate : accept) {
      const MatchResult match = MatchAcceptContact(predicate, contact);
      if (predicate.require && !match.matches) {
        dropped = true;
        break;
      }
      if (match.counts) {
        sum += match.score;
        ++counted;
      }
    }
    if (dropped) continue;
    choice.score = counted == 0 ? 0.0 : sum / static_cast<double>(counted);
    chosen.push_back(choice);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const ContactChoice& a, const ContactChoice& b) {
    if (a.q != b.q) return a.q > b.q;
    return a.score > b.score;
  });
  return chosen;
}

std::vector<ContactChoice> SelectContacts(const std::vector<FeatureSet>& targets,
                                          const std::vector<ContactPredicate>& accept,
                                          const std::vector<ContactPredicate>& reject) {
  return SelectContacts(targets, {}, accept, reject);
}

}  // namespace pushsim::wire
