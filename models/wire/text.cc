#include "wire/text.h"

#include <array>

namespace pushsim::wire {
namespace {

constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : {'-', '.', '!', '%', '*', '_', '+', '`', '\'', '~'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTokenTable = MakeTokenTable();

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsLws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t SkipLws(std::string_view text, std::size_t i) {
  while (i < text.size() && IsLws(text[i])) ++i;
  return i;
}

}  // namespace

bool IsTokenChar(char c) { return kTokenTable[static_cast<unsigned char>(c)]; }

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

std::string_view TrimLws(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && IsLws(text[begin])) ++begin;
  while (end > begin && IsLws(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::size_t FindUnquoted(std::string_view text, char c, std::size_t from) {
  bool in_quotes = false;
  int angle_depth = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_quotes) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_quotes = false;
      }
      continue;
    }
    if (ch == c && angle_depth == 0) return i;
    if (ch == '"') {
      in_quotes = true;
    } else if (ch == '<') {
      ++angle_depth;
    } else if (ch == '>' && angle_depth > 0) {
      --angle_depth;
    }
  }
  return std::string_view::npos;
}

std::vector<std::string_view> SplitCommaList(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = FindUnquoted(value, ',', start);
    if (comma == std::string_view::npos) {
      out.push_back(TrimLws(value.substr(start)));
      break;
    }
    out.push_back(TrimLws(value.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

Result<std::string> ParseQuotedString(std::string_view text, std::size_t& consumed) {
  if (text.empty() || text[0] != '"') return LocalError(ErrorCode::kBadQuotedString, 0, "expected '\"'");
  std::string content;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      consumed = i + 1;
      return content;
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (i + 1 >= text.size()) break;
      const char next = text[i + 1];
      if (next == '\r' || next == '\n' || static_cast<unsigned char>(next) > 0x7F) {
        return LocalError(ErrorCode::kBadQuotedString, i, "bad quoted-pair");
      }
      content.push_back(next);
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      return LocalError(ErrorCode::kBadQuotedString, i, "line break inside quoted string");
    }
    content.push_back(c);
  }
  return LocalError(ErrorCode::kBadQuotedString, text.size(), "unterminated quoted string");
}

std::string QuoteString(std::string_view content) {
  std::string out;
  out.reserve(content.size() + 2);
  out.push_back('"');
  for (char c : content) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Param::Unquoted() const {
  if (!value) return {};
  if (!IsQuoted()) return *value;
  std::size_t consumed = 0;
  auto content = ParseQuotedString(*value, consumed);
  return content.ok() ? std::move(content).value() : value->substr(1, value->size() - 2);
}

Result<Params> ParseParams(std::string_view text, std::size_t& consumed, char separator) {
  Params params;
  std::size_t i = 0;
  while (true) {
    const std::size_t before = i;
    i = SkipLws(text, i);
    if (i >= text.size() || text[i] != separator) {
      consumed = before;
      return params;
    }
    i = SkipLws(text, i + 1);
    const std::size_t name_begin = i;
    while (i < text.size() && IsTokenChar(text[i])) ++i;
    if (i == name_begin) return LocalError(ErrorCode::kBadHeaderValue, i, "expected a parameter name");
    Param param;
    param.name.assign(text.substr(name_begin, i - name_begin));
    const std::size_t after_name = i;
    i = SkipLws(text, i);
    if (i < text.size() && text[i] == '=') {
      i = SkipLws(text, i + 1);
      if (i < text.size() && text[i] == '"') {
        std::size_t used = 0;
        auto quoted = ParseQuotedString(text.substr(i), used);
        if (!quoted.ok()) {
          ParseError error = quoted.error();
          error.offset += i;
          error.column = static_cast<std::uint32_t>(error.offset + 1);
          return error;
        }
        param.value.emplace(text.substr(i, used));
        i += used;
      } else if (i < text.size() && text[i] == '[') {
        const std::size_t close = text.find(']', i);
        if (close == std::string_view::npos) {
          return LocalError(ErrorCode::kBadHeaderValue, i, "unterminated IPv6 reference");
        }
        param.value.emplace(text.substr(i, close + 1 - i));
        i = close + 1;
      } else {
        const std::size_t value_begin = i;
        while (i < text.size() && (IsTokenChar(text[i]) || text[i] == ':')) ++i;
        if (i == value_begin) return LocalError(ErrorCode::kBadHeaderValue, i, "expected a parameter value");
        param.value.emplace(text.substr(value_begin, i - value_begin));
      }
    } else {
      i = after_name;
    }
    params.push_back(std::move(param));
  }
}

const Param* FindParam(const Params& params, std::string_view name) {
  for (const Param& param : params) {
    if (EqualsIgnoreCase(param.name, name)) return &param;
  }
  return nullptr;
}

Param* FindParam(Params& params, std::string_view name) {
  for (Param& param : params) {
    if (EqualsIgnoreCase(param.name, name)) return &param;
  }
  return nullptr;
}

bool HasParam(const Params& params, std::string_view name) { return FindParam(params, name) != nullptr; }

void SetParam(Params& params, std::string_view name, std::optional<std::string> value) {
  if (Param* existing = FindParam(params, name)) {
    existing->value = std::move(value);
    return;
  }
  params.push_back(Param{std::string(name), std::move(value)});
}

void RemoveParam(Params& params, std::string_view name) {
  for (auto it = params.begin(); it != params.end();) {
    it = EqualsIgnoreCase(it->name, name) ? params.erase(it) : it + 1;
  }
}

void AppendParams(std::string& out, const Params& params, char separator) {
  for (const Param& param : params) {
    out.push_back(separator);
    out += param.name;
    if (param.value) {
      out.push_back('=');
      out += *param.value;
    }
  }
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return LocalError(ErrorCode::kBadEscape, i, "'%' needs two hex digits");
    }
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return LocalError(ErrorCode::kBadEscape, i, "'%' needs two hex digits");
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return out;
}

std::uint64_t StableHash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::optional<std::uint64_t> ParseDecimal(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (digit > max || value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace pushsim::wire
