// SDP codec (RFC 4566) with MSRP (RFC 4975 section 8) and file transfer (RFC 5547) attributes.
#include "wire/sdp.h"

#include <algorithm>

#include "wire/text.h"

namespace pushsim::wire {
namespace {

// ---------------------------------------------------------------------------------------------
// Character classes of RFC 4566 section 9 and RFC 5234.

bool IsNonWsChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 0x21 && byte <= 0x7E) || byte >= 0x80;
}

// non-ws-string = 1*(VCHAR/%x80-FF)
bool IsNonWsString(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsNonWsChar);
}

bool IsAllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

bool IsUpperHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F'); }

bool IsHex(char c) { return IsUpperHex(c) || (c >= 'a' && c <= 'f'); }

// RFC 2045 token: any CHAR except SPACE, CTLs and tspecials.
bool IsMimeTokenChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7F) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// fixed-len-time-unit = "d" / "h" / "m" / "s"
bool IsTimeUnit(char c) { return c == 'd' || c == 'h' || c == 'm' || c == 's'; }

// typed-time = 1*DIGIT [fixed-len-time-unit]; with `positive`, the first digit is POS-DIGIT
// (repeat-interval).
bool IsTypedTime(std::string_view text, bool positive) {
  if (!text.empty() && IsTimeUnit(text.back())) text.remove_suffix(1);
  if (!IsAllDigits(text)) return false;
  return !positive || text.front() != '0';
}

// time = POS-DIGIT 9*DIGIT (section 9); start-time and stop-time also allow "0".
std::optional<std::uint64_t> ParseNtpTime(std::string_view text, bool allow_zero) {
  if (allow_zero && text == "0") return 0;
  if (text.size() < 10 || text.front() == '0') return std::nullopt;
  return ParseDecimal(text, UINT64_MAX);
}

bool IsBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && text.size() > padding && text[text.size() - 1 - padding] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    if (!(IsAlpha(c) || IsDigit(c) || c == '+' || c == '/')) return false;
  }
  return true;
}

// Splits `text` on single spaces into its fields; `empty_at` receives the position of the first
// empty field (a leading, trailing or doubled space) if there is one.
std::vector<std::string_view> SplitOnSpace(std::string_view text, std::optional<std::size_t>& empty_at) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = text.find(' ', start);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    if (end == start && !empty_at) empty_at = start;
    fields.push_back(text.substr(start, end - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return fields;
}

std::size_t OffsetIn(std::string_view whole, std::string_view part) {
  return static_cast<std::size_t>(part.data() - whole.data());
}

// ---------------------------------------------------------------------------------------------
// The line parser.

// Section 5 order of the session-level types; t and r share a rank (r lines belong to a t line).
int SessionRank(char type) {
  switch (type) {
    case 'v': return 0;
    case 'o': return 1;
    case 's': return 2;
    case 'i': return 3;
    case 'u': return 4;
    case 'e': return 5;
    case 'p': return 6;
    case 'c': return 7;
    case 'b': return 8;
    case 't': case 'r': return 9;
    case 'z': return 10;
    case 'k': return 11;
    case 'a': return 12;
    case 'm': return 13;
    default: return -1;
  }
}

bool SessionRepeatable(char type) {
  return type == 'e' || type == 'p' || type == 'b' || type == 't' || type == 'r' || type == 'a' || type == 'm';
}

int MediaRank(char type) {
  switch (type) {
    case 'm': return 0;
    case 'i': return 1;
    case 'c': return 2;
    case 'b': return 3;
    case 'k': return 4;
    case 'a': return 5;
    default: return -1;
  }
}

bool MediaRepeatable(char type) { return type == 'c' || type == 'b' || type == 'a'; }

std::string TypeName(char type) { return std::string(1, type) + "="; }

class SdpParser {
 public:
  explicit SdpParser(std::string_view input) : input_(input) {}

  Result<SessionDescription> Run();

 private:
  using MaybeError = std::optional<ParseError>;

  ParseError Fail(ErrorCode code, std::size_t offset, std::string detail) const {
    return MakeError(code, input_, offset, std::move(detail));
  }
  // An error at `part`, a view into the input.
  ParseError FailAt(ErrorCode code, std::string_view part, std::string detail) const {
    return Fail(code, OffsetIn(input_, part), std::move(detail));
  }

  MaybeError CheckOrder(char type, std::size_t offset);
  MaybeError CheckMandatoryBefore(int rank, std::size_t offset, std::string_view what) const;
  MaybeError HandleSessionLine(char type, std::string_view value);
  MaybeError HandleMediaLine(char type, std::string_view value);

  MaybeError SplitFields(std::string_view value, std::size_t min, std::size_t max, std::string_view what,
                         std::vector<std::string_view>& fields) const;
  MaybeError ParseText(std::string_view value, std::string_view what, std::string& out) const;
  MaybeError ParseOrigin(std::string_view value, SdpOrigin& out) const;
  MaybeError ParseConnection(std::string_view value, SdpConnection& out) const;
  MaybeError ParseBandwidth(std::string_view value) const;
  MaybeError ParseTime(std::string_view value, SdpTime& out) const;
  MaybeError ParseRepeat(std::string_view value) const;
  MaybeError ParseZone(std::string_view value) const;
  MaybeError ParseKey(std::string_view value) const;
  MaybeError ParseAttribute(std::string_view value, SdpAttribute& out) const;
  MaybeError ParseMediaLine(std::string_view value, SdpMedia& out) const;
  MaybeError AddAttribute(std::string_view value, std::vector<SdpAttribute>& attributes) const;

  std::string_view input_;
  std::string_view line_;  // the current line, without its line end
  SessionDescription sdp_;
  int session_rank_ = -1;
  int media_rank_ = -1;
  char previous_type_ = 0;
  bool seen_v_ = false, seen_o_ = false, seen_s_ = false;
  std::vector<std::size_t> media_offsets_;
};

Result<SessionDescription> SdpParser::Run() {
  sdp_.times.clear();
  sdp_.session_name.clear();
  if (input_.size() > kMaxSdpSize) {
    return Fail(ErrorCode::kTooLarge, kMaxSdpSize,
                "session description longer than " + std::to_string(kMaxSdpSize) + " bytes");
  }
  std::size_t pos = 0;
  while (pos < input_.size()) {
    const std::size_t newline = input_.find('\n', pos);
    const std::size_t end_of_text = newline == std::string_view::npos ? input_.size() : newline;
    std::size_t end = end_of_text;
    if (newline != std::string_view::npos && end > pos && input_[end - 1] == '\r') --end;
    if (end - pos > kMaxSdpLineLength) {
      return Fail(ErrorCode::kTooLarge, pos + kMaxSdpLineLength,
                  "line longer than " + std::to_string(kMaxSdpLineLength) + " bytes");
    }
    if (newline == std::string_view::npos) {
      return Fail(ErrorCode::kTruncated, input_.size(), "last line not terminated by CRLF");
    }
    line_ = input_.substr(pos, end - pos);
    // text = byte-string: any byte but NUL, CR and LF (section 9).
    for (std::size_t i = 0; i < line_.size(); ++i) {
      if (line_[i] == '\0' || line_[i] == '\r') {
        return Fail(ErrorCode::kBadCharacter, pos + i,
                    line_[i] == '\0' ? "NUL byte in a line" : "CR not followed by LF");
      }
    }
    if (line_.empty()) return Fail(ErrorCode::kBadSdp, pos, "empty line; expected <type>=<value>");
    const char type = line_[0];
    if (type < 'a' || type > 'z') {
      return Fail(ErrorCode::kBadSdp, pos, "expected a lower-case type letter at the start of the line");
    }
    if (line_.size() < 2 || line_[1] != '=') {
      return Fail(ErrorCode::kBadSdp, pos + 1, "expected '=' directly after the type letter");
    }
    if (auto error = CheckOrder(type, pos)) return *std::move(error);
    const std::string_view value = line_.substr(2);
    auto error = media_rank_ >= 0 ? HandleMediaLine(type, value) : HandleSessionLine(type, value);
    if (error) return *std::move(error);
    previous_type_ = type;
    pos = newline + 1;
  }
  if (auto error = CheckMandatoryBefore(SessionRank('m') + 1, input_.size(), "the end")) return *std::move(error);

  // Section 5.7: a c= field in every media description or one at session level.
  if (!sdp_.connection) {
    for (std::size_t i = 0; i < sdp_.media.size(); ++i) {
      if (!sdp_.media[i].connection) {
        return Fail(ErrorCode::kMissingHeader, media_offsets_[i],
                    "media section has no c= line and there is none at session level");
      }
    }
  }
  return std::move(sdp_);
}

SdpParser::MaybeError SdpParser::CheckMandatoryBefore(int rank, std::size_t offset, std::string_view what) const {
  const std::string where = " before " + std::string(what);
  if (rank > 0 && !seen_v_) return Fail(ErrorCode::kMissingHeader, offset, "v= line missing" + where);
  if (rank > 1 && !seen_o_) return Fail(ErrorCode::kMissingHeader, offset, "o= line missing" + where);
  if (rank > 2 && !seen_s_) return Fail(ErrorCode::kMissingHeader, offset, "s= line missing" + where);
  if (rank > SessionRank('t') && sdp_.times.empty()) {
    return Fail(ErrorCode::kMissingHeader, offset, "t= line missing" + where);
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::CheckOrder(char type, std::size_t offset) {
  if (media_rank_ >= 0 && type != 'm') {
    const int rank = MediaRank(type);
    if (rank < 0) {
      return Fail(ErrorCode::kBadSdp, offset,
                  TypeName(type) + " line not allowed in a media section (expected i c b k a or m)");
    }
    if (rank < media_rank_) {
      return Fail(ErrorCode::kBadSdp, offset,
                  TypeName(type) + " line out of order after " + TypeName(previous_type_) + " (media order is m i c b k a)");
    }
    if (rank == media_rank_ && !MediaRepeatable(type)) {
      return Fail(ErrorCode::kDuplicateHeader, offset, "second " + TypeName(type) + " line in a media section");
    }
    media_rank_ = rank;
    return std::nullopt;
  }
  const int rank = SessionRank(type);
  if (rank < 0) return Fail(ErrorCode::kBadSdp, offset, "unknown type letter " + TypeName(type));
  if (rank < session_rank_) {
    return Fail(ErrorCode::kBadSdp, offset,
                TypeName(type) + " line out of order after " + TypeName(previous_type_) +
                    " (session order is v o s i u e p c b t r z k a m)");
  }
  if (rank == session_rank_ && !SessionRepeatable(type)) {
    return Fail(ErrorCode::kDuplicateHeader, offset, "second " + TypeName(type) + " line");
  }
  if (type == 'r' && previous_type_ != 't' && previous_type_ != 'r') {
    return Fail(ErrorCode::kBadSdp, offset, "r= line must follow a t= or r= line");
  }
  if (auto error = CheckMandatoryBefore(rank, offset, TypeName(type))) return error;
  session_rank_ = rank;
  if (type == 'm') media_rank_ = 0;
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::SplitFields(std::string_view value, std::size_t min, std::size_t max,
                                            std::string_view what, std::vector<std::string_view>& fields) const {
  std::optional<std::size_t> empty_at;
  fields = SplitOnSpace(value, empty_at);
  if (empty_at) {
    return Fail(ErrorCode::kBadSdp, OffsetIn(input_, value) + *empty_at,
                std::string(what) + ": expected exactly one space between fields");
  }
  if (fields.size() < min || fields.size() > max) {
    std::string expected = min == max ? std::to_string(min) : std::to_string(min) + " or more";
    return Fail(ErrorCode::kBadSdp, OffsetIn(input_, value),
                std::string(what) + ": expected " + expected + " space-separated fields, found " +
                    std::to_string(fields.size()));
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::HandleSessionLine(char type, std::string_view value) {
  auto count_check = [&](std::size_t count) -> MaybeError {
    if (count >= kMaxSdpRepeatedFields) {
      return FailAt(ErrorCode::kTooLarge, line_,
                    "more than " + std::to_string(kMaxSdpRepeatedFields) + " " + TypeName(type) + " lines");
    }
    return std::nullopt;
  };
  switch (type) {
    case 'v': {
      // Section 5.1: this memo defines version 0; there is no minor version.
      if (value != "0") return FailAt(ErrorCode::kBadSdp, value, "v= must be 0 (RFC 4566 section 5.1)");
      seen_v_ = true;
      sdp_.version = 0;
      return std::nullopt;
    }
    case 'o':
      seen_o_ = true;
      return ParseOrigin(value, sdp_.origin);
    case 's':
      seen_s_ = true;
      sdp_.session_name = std::string(value);  // may be empty: see the header
      return std::nullopt;
    case 'i':
      return ParseText(value, "i=", sdp_.information.emplace());
    case 'u':
      if (!IsNonWsString(value)) return FailAt(ErrorCode::kBadSdp, value, "u= expected a URI without spaces");
      sdp_.uri = std::string(value);
      return std::nullopt;
    case 'e':
      if (auto error = count_check(sdp_.emails.size())) return error;
      return ParseText(value, "e=", sdp_.emails.emplace_back());
    case 'p':
      if (auto error = count_check(sdp_.phones.size())) return error;
      return ParseText(value, "p=", sdp_.phones.emplace_back());
    case 'c':
      return ParseConnection(value, sdp_.connection.emplace());
    case 'b':
      if (auto error = count_check(sdp_.bandwidths.size())) return error;
      if (auto error = ParseBandwidth(value)) return error;
      sdp_.bandwidths.emplace_back(value);
      return std::nullopt;
    case 't':
      if (auto error = count_check(sdp_.times.size())) return error;
      return ParseTime(value, sdp_.times.emplace_back());
    case 'r':
      if (auto error = count_check(sdp_.times.back().repeats.size())) return error;
      if (auto error = ParseRepeat(value)) return error;
      sdp_.times.back().repeats.emplace_back(value);
      return std::nullopt;
    case 'z':
      if (auto error = ParseZone(value)) return error;
      sdp_.zone_adjustments = std::string(value);
      return std::nullopt;
    case 'k':
      if (auto error = ParseKey(value)) return error;
      sdp_.key = std::string(value);
      return std::nullopt;
    case 'a':
      return AddAttribute(value, sdp_.attributes);
    case 'm': {
      if (sdp_.media.size() >= kMaxSdpMediaSections) {
        return FailAt(ErrorCode::kTooLarge, line_,
                      "more than " + std::to_string(kMaxSdpMediaSections) + " media sections");
      }
      media_offsets_.push_back(OffsetIn(input_, line_));
      return ParseMediaLine(value, sdp_.media.emplace_back());
    }
    default:
      return FailAt(ErrorCode::kBadSdp, line_, "unknown type letter " + TypeName(type));
  }
}

SdpParser::MaybeError SdpParser::HandleMediaLine(char type, std::string_view value) {
  if (type == 'm') return HandleSessionLine(type, value);
  SdpMedia& media = sdp_.media.back();
  switch (type) {
    case 'i':
      return ParseText(value, "i=", media.title.emplace());
    case 'c':
      if (!media.connection) return ParseConnection(value, media.connection.emplace());
      if (media.additional_connections.size() + 1 >= kMaxSdpRepeatedFields) {
        return FailAt(ErrorCode::kTooLarge, line_,
                      "more than " + std::to_string(kMaxSdpRepeatedFields) + " c= lines in a media section");
      }
      return ParseConnection(value, media.additional_connections.emplace_back());
    case 'b':
      if (media.bandwidths.size() >= kMaxSdpRepeatedFields) {
        return FailAt(ErrorCode::kTooLarge, line_,
                      "more than " + std::to_string(kMaxSdpRepeatedFields) + " b= lines in a media section");
      }
      if (auto error = ParseBandwidth(value)) return error;
      media.bandwidths.emplace_back(value);
      return std::nullopt;
    case 'k':
      if (auto error = ParseKey(value)) return error;
      media.key = std::string(value);
      return std::nullopt;
    case 'a':
      return AddAttribute(value, media.attributes);
    default:
      return FailAt(ErrorCode::kBadSdp, line_, TypeName(type) + " line not allowed in a media section");
  }
}

SdpParser::MaybeError SdpParser::ParseText(std::string_view value, std::string_view what, std::string& out) const {
  // text = byte-string = 1*(...): the value must not be empty.
  if (value.empty()) return FailAt(ErrorCode::kBadSdp, value, std::string(what) + " value must not be empty");
  out = std::string(value);
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseOrigin(std::string_view value, SdpOrigin& out) const {
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 6, 6, "o=", fields)) return error;
  if (!IsNonWsString(fields[0])) return FailAt(ErrorCode::kBadSdp, fields[0], "o= username invalid");
  if (!IsAllDigits(fields[1])) return FailAt(ErrorCode::kBadNumber, fields[1], "o= sess-id must be digits");
  if (!IsAllDigits(fields[2])) return FailAt(ErrorCode::kBadNumber, fields[2], "o= sess-version must be digits");
  if (!IsSdpToken(fields[3])) return FailAt(ErrorCode::kBadSdp, fields[3], "o= nettype must be a token");
  if (!IsSdpToken(fields[4])) return FailAt(ErrorCode::kBadSdp, fields[4], "o= addrtype must be a token");
  if (!IsNonWsString(fields[5])) return FailAt(ErrorCode::kBadSdp, fields[5], "o= address invalid");
  out.username = std::string(fields[0]);
  out.session_id = std::string(fields[1]);
  out.session_version = std::string(fields[2]);
  out.net_type = std::string(fields[3]);
  out.addr_type = std::string(fields[4]);
  out.address = std::string(fields[5]);
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseConnection(std::string_view value, SdpConnection& out) const {
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 3, 3, "c=", fields)) return error;
  if (!IsSdpToken(fields[0])) return FailAt(ErrorCode::kBadSdp, fields[0], "c= nettype must be a token");
  if (!IsSdpToken(fields[1])) return FailAt(ErrorCode::kBadSdp, fields[1], "c= addrtype must be a token");
  if (!IsNonWsString(fields[2])) return FailAt(ErrorCode::kBadSdp, fields[2], "c= address invalid");
  out.net_type = std::string(fields[0]);
  out.addr_type = std::string(fields[1]);
  out.address = std::string(fields[2]);
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseBandwidth(std::string_view value) const {
  // bwtype ":" bandwidth, bandwidth = 1*DIGIT
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos) return FailAt(ErrorCode::kBadSdp, value, "b= expected <bwtype>:<bandwidth>");
  if (!IsSdpToken(value.substr(0, colon))) return FailAt(ErrorCode::kBadSdp, value, "b= bwtype must be a token");
  if (!IsAllDigits(value.substr(colon + 1))) {
    return FailAt(ErrorCode::kBadNumber, value.substr(colon + 1), "b= bandwidth must be digits");
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseTime(std::string_view value, SdpTime& out) const {
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 2, 2, "t=", fields)) return error;
  const auto start = ParseNtpTime(fields[0], true);
  if (!start) return FailAt(ErrorCode::kBadNumber, fields[0], "t= start-time must be 0 or a 10+ digit NTP time");
  const auto stop = ParseNtpTime(fields[1], true);
  if (!stop) return FailAt(ErrorCode::kBadNumber, fields[1], "t= stop-time must be 0 or a 10+ digit NTP time");
  out.start = *start;
  out.stop = *stop;
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseRepeat(std::string_view value) const {
  // repeat-interval SP typed-time 1*(SP typed-time)
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 3, SIZE_MAX, "r=", fields)) return error;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!IsTypedTime(fields[i], i == 0)) {
      return FailAt(ErrorCode::kBadNumber, fields[i], "r= expected a time: digits with an optional d/h/m/s unit");
    }
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseZone(std::string_view value) const {
  // time SP ["-"] typed-time *(SP time SP ["-"] typed-time)
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 2, SIZE_MAX, "z=", fields)) return error;
  if (fields.size() % 2 != 0) return FailAt(ErrorCode::kBadSdp, value, "z= expected pairs of <time> <offset>");
  for (std::size_t i = 0; i < fields.size(); i += 2) {
    if (!ParseNtpTime(fields[i], false)) {
      return FailAt(ErrorCode::kBadNumber, fields[i], "z= adjustment time must be a 10+ digit NTP time");
    }
    std::string_view offset = fields[i + 1];
    if (!offset.empty() && offset.front() == '-') offset.remove_prefix(1);
    if (!IsTypedTime(offset, false)) {
      return FailAt(ErrorCode::kBadNumber, fields[i + 1], "z= offset must be [-]digits with an optional unit");
    }
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseKey(std::string_view value) const {
  // key-type = "prompt" / "clear:" text / "base64:" base64 / "uri:" uri (section 5.12)
  if (value == "prompt") return std::nullopt;
  if (value.substr(0, 6) == "clear:" && value.size() > 6) return std::nullopt;
  if (value.substr(0, 7) == "base64:" && IsBase64(value.substr(7))) return std::nullopt;
  if (value.substr(0, 4) == "uri:" && IsNonWsString(value.substr(4))) return std::nullopt;
  return FailAt(ErrorCode::kBadSdp, value, "k= expected prompt, clear:<key>, base64:<base64> or uri:<uri>");
}

SdpParser::MaybeError SdpParser::ParseAttribute(std::string_view value, SdpAttribute& out) const {
  // attribute = (att-field ":" att-value) / att-field; att-value = byte-string (non-empty)
  const std::size_t colon = value.find(':');
  const std::string_view name = value.substr(0, colon);
  if (!IsSdpToken(name)) {
    for (std::size_t i = 0; i < name.size(); ++i) {
      if (!IsSdpTokenChar(name[i])) {
        return Fail(ErrorCode::kBadSdp, OffsetIn(input_, name) + i, "a= attribute name must be a token");
      }
    }
    return FailAt(ErrorCode::kBadSdp, name, "a= attribute name must not be empty");
  }
  out.name = std::string(name);
  if (colon != std::string_view::npos) {
    const std::string_view attribute_value = value.substr(colon + 1);
    if (attribute_value.empty()) {
      return FailAt(ErrorCode::kBadSdp, attribute_value, "a= value after ':' must not be empty");
    }
    out.value = std::string(attribute_value);
  }
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::AddAttribute(std::string_view value, std::vector<SdpAttribute>& attributes) const {
  if (attributes.size() >= kMaxSdpAttributesPerSection) {
    return FailAt(ErrorCode::kTooLarge, line_,
                  "more than " + std::to_string(kMaxSdpAttributesPerSection) + " a= lines in one section");
  }
  SdpAttribute attribute;
  if (auto error = ParseAttribute(value, attribute)) return error;
  attributes.push_back(std::move(attribute));
  return std::nullopt;
}

SdpParser::MaybeError SdpParser::ParseMediaLine(std::string_view value, SdpMedia& out) const {
  // media SP port ["/" integer] SP proto 1*(SP fmt)
  std::vector<std::string_view> fields;
  if (auto error = SplitFields(value, 4, SIZE_MAX, "m=", fields)) return error;
  if (!IsSdpToken(fields[0])) return FailAt(ErrorCode::kBadSdp, fields[0], "m= media must be a token");
  out.media = std::string(fields[0]);

  const std::string_view port_field = fields[1];
  const std::size_t slash = port_field.find('/');
  const std::string_view port_text = port_field.substr(0, slash);
  const auto port = IsAllDigits(port_text) ? ParseDecimal(port_text, 65535) : std::nullopt;
  if (!port) return FailAt(ErrorCode::kBadNumber, port_text, "m= port must be a number from 0 to 65535");
  out.port = static_cast<std::uint16_t>(*port);
  if (slash != std::string_view::npos) {
    const std::string_view count_text = port_field.substr(slash + 1);
    const auto count = IsAllDigits(count_text) ? ParseDecimal(count_text, 65535) : std::nullopt;
    if (!count || *count == 0) {
      return FailAt(ErrorCode::kBadNumber, count_text, "m= port count must be a number from 1 to 65535");
    }
    out.port_count = static_cast<std::uint16_t>(*count);
  }

  // proto = token *("/" token)
  const std::string_view proto = fields[2];
  std::size_t start = 0;
  while (true) {
    const std::size_t next = proto.find('/', start);
    const std::string_view part = proto.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    if (!IsSdpToken(part)) {
      return Fail(ErrorCode::kBadSdp, OffsetIn(input_, proto) + start, "m= proto must be tokens separated by '/'");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  out.proto = std::string(proto);

  for (std::size_t i = 3; i < fields.size(); ++i) {
    if (!IsSdpToken(fields[i])) return FailAt(ErrorCode::kBadSdp, fields[i], "m= format must be a token");
    out.formats.emplace_back(fields[i]);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Serialization, written once for a string and once for a byte count.

struct StringSink {
  std::string& out;
  void Append(std::string_view text) { out.append(text); }
};

struct CountSink {
  std::size_t size = 0;
  void Append(std::string_view text) { size += text.size(); }
};

template <typename Sink>
void Line(Sink& sink, char type, std::string_view value) {
  const char prefix[2] = {type, '='};
  sink.Append(std::string_view(prefix, 2));
  sink.Append(value);
  sink.Append("\r\n");
}

template <typename Sink>
void WriteConnection(Sink& sink, const SdpConnection& connection) {
  sink.Append("c=");
  sink.Append(connection.net_type);
  sink.Append(" ");
  sink.Append(connection.addr_type);
  sink.Append(" ");
  sink.Append(connection.address);
  sink.Append("\r\n");
}

template <typename Sink>
void WriteAttributes(Sink& sink, const std::vector<SdpAttribute>& attributes) {
  for (const SdpAttribute& attribute : attributes) {
    sink.Append("a=");
    sink.Append(attribute.name);
    if (attribute.value) {
      sink.Append(":");
      sink.Append(*attribute.value);
    }
    sink.Append("\r\n");
  }
}

template <typename Sink>
void WriteMedia(Sink& sink, const SdpMedia& media) {
  sink.Append("m=");
  sink.Append(media.media);
  sink.Append(" ");
  sink.Append(std::to_string(media.port));
  if (media.port_count) {
    sink.Append("/");
    sink.Append(std::to_string(*media.port_count));
  }
  sink.Append(" ");
  sink.Append(media.proto);
  for (const std::string& format : media.formats) {
    sink.Append(" ");
    sink.Append(format);
  }
  sink.Append("\r\n");
  if (media.title) Line(sink, 'i', *media.title);
  if (media.connection) WriteConnection(sink, *media.connection);
  for (const SdpConnection& connection : media.additional_connections) WriteConnection(sink, connection);
  for (const std::string& bandwidth : media.bandwidths) Line(sink, 'b', bandwidth);
  if (media.key) Line(sink, 'k', *media.key);
  WriteAttributes(sink, media.attributes);
}

template <typename Sink>
void WriteSession(Sink& sink, const SessionDescription& sdp) {
  Line(sink, 'v', std::to_string(sdp.version));
  const SdpOrigin& o = sdp.origin;
  sink.Append("o=");
  for (const std::string* field : {&o.username, &o.session_id, &o.session_version, &o.net_type, &o.addr_type}) {
    sink.Append(*field);
    sink.Append(" ");
  }
  sink.Append(o.address);
  sink.Append("\r\n");
  Line(sink, 's', sdp.session_name);
  if (sdp.information) Line(sink, 'i', *sdp.information);
  if (sdp.uri) Line(sink, 'u', *sdp.uri);
  for (const std::string& email : sdp.emails) Line(sink, 'e', email);
  for (const std::string& phone : sdp.phones) Line(sink, 'p', phone);
  if (sdp.connection) WriteConnection(sink, *sdp.connection);
  for (const std::string& bandwidth : sdp.bandwidths) Line(sink, 'b', bandwidth);
  for (const SdpTime& time : sdp.times) {
    sink.Append("t=");
    sink.Append(std::to_string(time.start));
    sink.Append(" ");
    sink.Append(std::to_string(time.stop));
    sink.Append("\r\n");
    for (const std::string& repeat : time.repeats) Line(sink, 'r', repeat);
  }
  if (sdp.zone_adjustments) Line(sink, 'z', *sdp.zone_adjustments);
  if (sdp.key) Line(sink, 'k', *sdp.key);
  WriteAttributes(sink, sdp.attributes);
  for (const SdpMedia& media : sdp.media) WriteMedia(sink, media);
}

// ---------------------------------------------------------------------------------------------
// RFC 5547 helpers.

ParseError ValueError(std::string_view value, std::size_t offset, std::string detail,
                      ErrorCode code = ErrorCode::kBadHeaderValue) {
  return MakeError(code, value, offset, std::move(detail));
}

std::vector<std::string> SplitSpaces(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t space = text.find(' ', start);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    if (end > start) items.emplace_back(text.substr(start, end - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return items;
}

bool IsDirectionName(std::string_view name) {
  return EqualsIgnoreCase(name, "sendrecv") || EqualsIgnoreCase(name, "sendonly") ||
         EqualsIgnoreCase(name, "recvonly") || EqualsIgnoreCase(name, "inactive");
}

}  // namespace

// -----------------------------------------------------------------------------------------------

bool IsSdpTokenChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte <= 0x27) || byte == 0x2A || byte == 0x2B || byte == 0x2D ||
         byte == 0x2E || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) ||
         (byte >= 0x5E && byte <= 0x7E);
}

bool IsSdpToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsSdpTokenChar);
}

bool SdpOrigin::operator==(const SdpOrigin& other) const {
  return username == other.username && session_id == other.session_id &&
         session_version == other.session_version && net_type == other.net_type &&
         addr_type == other.addr_type && address == other.address;
}

bool SdpConnection::operator==(const SdpConnection& other) const {
  return net_type == other.net_type && addr_type == other.addr_type && address == other.address;
}

bool SdpTime::operator==(const SdpTime& other) const {
  return start == other.start && stop == other.stop && repeats == other.repeats;
}

bool FileSelector::operator==(const FileSelector& other) const {
  return name == other.name && type == other.type && size == other.size && hash == other.hash;
}

bool FileDate::operator==(const FileDate& other) const {
  return creation == other.creation && modification == other.modification && read == other.read;
}

bool SdpMedia::operator==(const SdpMedia& other) const {
  return media == other.media && port == other.port && port_count == other.port_count && proto == other.proto &&
         formats == other.formats && title == other.title && connection == other.connection &&
         additional_connections == other.additional_connections && bandwidths == other.bandwidths &&
         key == other.key && attributes == other.attributes;
}

bool SessionDescription::operator==(const SessionDescription& other) const {
  return version == other.version && origin == other.origin && session_name == other.session_name &&
         information == other.information && uri == other.uri && emails == other.emails &&
         phones == other.phones && connection == other.connection && bandwidths == other.bandwidths &&
         times == other.times && zone_adjustments == other.zone_adjustments && key == other.key &&
         attributes == other.attributes && media == other.media;
}

std::string_view ToString(SdpDirection direction) {
  switch (direction) {
    case SdpDirection::kSendRecv: return "sendrecv";
    case SdpDirection::kSendOnly: return "sendonly";
    case SdpDirection::kRecvOnly: return "recvonly";
    case SdpDirection::kInactive: return "inactive";
  }
  return "sendrecv";
}

SdpDirection Reverse(SdpDirection offered) {
  switch (offered) {
    case SdpDirection::kSendOnly: return SdpDirection::kRecvOnly;
    case SdpDirection::kRecvOnly: return SdpDirection::kSendOnly;
    default: return offered;
  }
}

const SdpAttribute* FindSdpAttribute(const std::vector<SdpAttribute>& attributes, std::string_view name) {
  for (const SdpAttribute& attribute : attributes) {
    if (EqualsIgnoreCase(attribute.name, name)) return &attribute;
  }
  return nullptr;
}

std::optional<SdpDirection> FindDirection(const std::vector<SdpAttribute>& attributes) {
  std::optional<SdpDirection> found;
  for (const SdpAttribute& attribute : attributes) {
    if (attribute.value) continue;  // direction attributes are flags
    for (SdpDirection direction : {SdpDirection::kSendRecv, SdpDirection::kSendOnly, SdpDirection::kRecvOnly,
                                   SdpDirection::kInactive}) {
      if (EqualsIgnoreCase(attribute.name, ToString(direction))) found = direction;
    }
  }
  return found;
}

SdpDirection EffectiveDirection(const std::vector<SdpAttribute>& media_attributes,
                                const std::vector<SdpAttribute>& session_attributes) {
  if (auto direction = FindDirection(media_attributes)) return *direction;
  if (auto direction = FindDirection(session_attributes)) return *direction;
  return SdpDirection::kSendRecv;
}

// ---- FileSelector ----------------------------------------------------------------------------

Result<FileSelector> ParseFileSelector(std::string_view value) {
  // file-selector-attr = "file-selector" [":" selector *(SP selector)] (RFC 5547 section 6)
  FileSelector selector;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const std::string_view rest = value.substr(pos);
    std::size_t end = pos;  // where this selector ends
    if (StartsWithIgnoreCase(rest, "name:")) {
      if (selector.name) return ValueError(value, pos, "file-selector: second name selector");
      const std::size_t quote = pos + 5;
      if (quote >= value.size() || value[quote] != '"') {
        return ValueError(value, quote, "file-selector: expected '\"' after name:", ErrorCode::kBadQuotedString);
      }
      std::size_t close = quote + 1;
      while (close < value.size() && value[close] != '"') {
        const char c = value[close];
        if (c == '\0' || c == '\r' || c == '\n') {
          return ValueError(value, close, "file-selector: NUL, CR or LF in the file name", ErrorCode::kBadCharacter);
        }
        ++close;
      }
      if (close >= value.size()) {
        return ValueError(value, quote, "file-selector: file name has no closing '\"'", ErrorCode::kBadQuotedString);
      }
      const std::string_view encoded = value.substr(quote + 1, close - quote - 1);
      if (encoded.empty()) return ValueError(value, quote + 1, "file-selector: file name must not be empty");
      auto decoded = PercentDecode(encoded);
      if (!decoded.ok()) {
        return ValueError(value, quote + 1 + decoded.error().offset, "file-selector: bad %HH escape in the file name",
                          ErrorCode::kBadEscape);
      }
      selector.name = std::move(decoded).value();
      end = close + 1;
    } else if (StartsWithIgnoreCase(rest, "type:")) {
      // filetype-selector = "type:" type "/" subtype *(";" ft-parameter)
      if (selector.type) return ValueError(value, pos, "file-selector: second type selector");
      std::size_t i = pos + 5;
      const std::size_t type_start = i;
      while (i < value.size() && IsMimeTokenChar(value[i])) ++i;
      if (i == type_start || i >= value.size() || value[i] != '/') {
        return ValueError(value, i, "file-selector: type: expected <type>/<subtype>");
      }
      const std::size_t subtype_start = ++i;
      while (i < value.size() && IsMimeTokenChar(value[i])) ++i;
      if (i == subtype_start) return ValueError(value, i, "file-selector: type: subtype missing");
      while (i < value.size() && value[i] == ';') {
        const std::size_t name_start = ++i;
        while (i < value.size() && IsMimeTokenChar(value[i])) ++i;
        if (i == name_start || i >= value.size() || value[i] != '=') {
          return ValueError(value, i, "file-selector: type: expected ;<attribute>=<value>");
        }
        ++i;
        if (i < value.size() && value[i] == '"') {
          const std::size_t open = i++;
          while (i < value.size() && value[i] != '"' && value[i] != '\r' && value[i] != '\n' && value[i] != '\0') ++i;
          if (i >= value.size() || value[i] != '"') {
            return ValueError(value, open, "file-selector: type parameter value has no closing '\"'",
                              ErrorCode::kBadQuotedString);
          }
          ++i;
        } else {
          const std::size_t value_start = i;
          while (i < value.size() && IsMimeTokenChar(value[i])) ++i;
          if (i == value_start) return ValueError(value, i, "file-selector: type parameter value missing");
        }
      }
      selector.type = std::string(value.substr(pos + 5, i - pos - 5));
      end = i;
    } else if (StartsWithIgnoreCase(rest, "size:")) {
      if (selector.size) return ValueError(value, pos, "file-selector: second size selector");
      std::size_t i = pos + 5;
      while (i < value.size() && value[i] != ' ') ++i;
      const auto size = ParseDecimal(value.substr(pos + 5, i - pos - 5), UINT64_MAX);
      if (!size) return ValueError(value, pos + 5, "file-selector: size: expected a decimal number", ErrorCode::kBadNumber);
      selector.size = *size;
      end = i;
    } else if (StartsWithIgnoreCase(rest, "hash:")) {
      // hash-selector = "hash:" hash-algorithm ":" hash-value; hash-value = 2UHEX *(":" 2UHEX)
      if (selector.hash) return ValueError(value, pos, "file-selector: second hash selector");
      std::size_t i = pos + 5;
      const std::size_t algorithm_start = i;
      while (i < value.size() && IsSdpTokenChar(value[i])) ++i;
      if (i == algorithm_start || i >= value.size() || value[i] != ':') {
        return ValueError(value, i, "file-selector: hash: expected <algorithm>:<hex bytes>");
      }
      const std::string_view algorithm = value.substr(algorithm_start, i - algorithm_start);
      const std::size_t hex_start = ++i;
      std::size_t bytes = 0;
      while (true) {
        if (i + 1 >= value.size() || !IsUpperHex(value[i]) || !IsUpperHex(value[i + 1])) {
          const bool lower = i + 1 < value.size() && IsHex(value[i]) && IsHex(value[i + 1]);
          return ValueError(value, i,
                            lower ? "file-selector: hash bytes must be upper-case hex (RFC 5547 UHEX)"
                                  : "file-selector: hash: expected two upper-case hex digits");
        }
        i += 2;
        if (++bytes > kMaxFileHashBytes) {
          return ValueError(value, i, "file-selector: hash longer than " + std::to_string(kMaxFileHashBytes) + " bytes",
                            ErrorCode::kTooLarge);
        }
        if (i < value.size() && value[i] == ':') {
          ++i;
          continue;
        }
        break;
      }
      selector.hash.emplace(std::string(algorithm), std::string(value.substr(hex_start, i - hex_start)));
      end = i;
    } else {
      return ValueError(value, pos, "file-selector: expected name:, type:, size: or hash:");
    }
    if (end == value.size()) break;
    if (value[end] != ' ') return ValueError(value, end, "file-selector: expected a space between selectors");
    pos = end + 1;
    if (pos == value.size()) return ValueError(value, pos, "file-selector: trailing space");
  }
  return selector;
}

std::string ToString(const FileSelector& selector) {
  std::string out;
  auto separate = [&out] {
    if (!out.empty()) out.push_back(' ');
  };
  if (selector.name) {
    out += "name:\"";
    out += PercentEncode(*selector.name, [](char c) {
      return c != '\0' && c != '\r' && c != '\n' && c != '"' && c != '%';
    });
    out += '"';
  }
  if (selector.type) {
    separate();
    out += "type:" + *selector.type;
  }
  if (selector.size) {
    separate();
    out += "size:" + std::to_string(*selector.size);
  }
  if (selector.hash) {
    separate();
    out += "hash:" + selector.hash->first + ":" + selector.hash->second;
  }
  return out;
}

// ---- FileDate --------------------------------------------------------------------------------

Result<FileDate> ParseFileDate(std::string_view value) {
  // file-date-attr = "file-date:" date-param *(SP date-param)
  FileDate date;
  if (value.empty()) return ValueError(value, 0, "file-date: expected creation:, modification: or read:");
  std::size_t pos = 0;
  while (true) {
    const std::string_view rest = value.substr(pos);
    std::optional<std::string>* slot = nullptr;
    std::size_t prefix = 0;
    for (auto [name, target] : {std::pair<std::string_view, std::optional<std::string>*>{"creation:", &date.creation},
                                {"modification:", &date.modification},
                                {"read:", &date.read}}) {
      if (StartsWithIgnoreCase(rest, name)) {
        slot = target;
        prefix = name.size();
      }
    }
    if (!slot) return ValueError(value, pos, "file-date: expected creation:, modification: or read:");
    if (*slot) return ValueError(value, pos, "file-date: the same date appears twice");
    const std::size_t quote = pos + prefix;
    if (quote >= value.size() || value[quote] != '"') {
      return ValueError(value, quote, "file-date: expected a quoted date", ErrorCode::kBadQuotedString);
    }
    const std::size_t close = value.find('"', quote + 1);
    if (close == std::string_view::npos) {
      return ValueError(value, quote, "file-date: date has no closing '\"'", ErrorCode::kBadQuotedString);
    }
    const std::string_view text = value.substr(quote + 1, close - quote - 1);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\0' || text[i] == '\r' || text[i] == '\n') {
        return ValueError(value, quote + 1 + i, "file-date: NUL, CR or LF in a date", ErrorCode::kBadCharacter);
      }
    }
    // RFC 5547 section 6: numeric time zones (+HHMM or -HHMM) must be used.
    const bool numeric_zone = text.size() >= 6 && text[text.size() - 6] == ' ' &&
                              (text[text.size() - 5] == '+' || text[text.size() - 5] == '-') &&
                              IsAllDigits(text.substr(text.size() - 4));
    if (!numeric_zone) {
      return ValueError(value, quote + 1, "file-date: date must end with a numeric zone such as +0300");
    }
    *slot = std::string(text);
    pos = close + 1;
    if (pos == value.size()) break;
    if (value[pos] != ' ' || pos + 1 == value.size()) {
      return ValueError(value, pos, "file-date: expected a single space between dates");
    }
    ++pos;
  }
  return date;
}

std::string ToString(const FileDate& date) {
  std::string out;
  for (auto [name, slot] : {std::pair<std::string_view, const std::optional<std::string>*>{"creation:", &date.creation},
                            {"modification:", &date.modification},
                            {"read:", &date.read}}) {
    if (!*slot) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(name);
    out.push_back('"');
    out.append(**slot);
    out.push_back('"');
  }
  return out;
}

// ---- FileRange -------------------------------------------------------------------------------

Result<FileRange> ParseFileRange(std::string_view value) {
  // file-range-attr = "file-range:" start-offset "-" stop-offset; stop-offset = integer / "*"
  const std::size_t dash = value.find('-');
  if (dash == std::string_view::npos) return ValueError(value, 0, "file-range: expected <start>-<stop>");
  const std::string_view start_text = value.substr(0, dash);
  const auto start = start_text.empty() || start_text.front() == '0' ? std::nullopt : ParseDecimal(start_text, UINT64_MAX);
  if (!start) return ValueError(value, 0, "file-range: start offset must be a number from 1", ErrorCode::kBadNumber);
  FileRange range;
  range.start = *start;
  const std::string_view stop_text = value.substr(dash + 1);
  if (stop_text != "*") {
    const auto stop = stop_text.empty() || stop_text.front() == '0' ? std::nullopt : ParseDecimal(stop_text, UINT64_MAX);
    if (!stop) {
      return ValueError(value, dash + 1, "file-range: stop offset must be a number from 1 or '*'", ErrorCode::kBadNumber);
    }
    if (*stop < *start) return ValueError(value, dash + 1, "file-range: stop offset before start offset");
    range.stop = *stop;
  }
  return range;
}

std::string ToString(const FileRange& range) {
  return std::to_string(range.start) + "-" + (range.stop ? std::to_string(*range.stop) : std::string("*"));
}

// ---- SdpMedia --------------------------------------------------------------------------------

bool SdpMedia::IsMsrp() const {
  return EqualsIgnoreCase(proto, "TCP/MSRP") || EqualsIgnoreCase(proto, "TCP/TLS/MSRP");
}

std::optional<std::string_view> SdpMedia::Attribute(std::string_view name) const {
  const SdpAttribute* attribute = FindSdpAttribute(attributes, name);
  if (!attribute) return std::nullopt;
  return attribute->value ? std::string_view(*attribute->value) : std::string_view();
}

std::vector<std::string_view> SdpMedia::Attributes(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const SdpAttribute& attribute : attributes) {
    if (EqualsIgnoreCase(attribute.name, name)) {
      values.push_back(attribute.value ? std::string_view(*attribute.value) : std::string_view());
    }
  }
  return values;
}

void SdpMedia::AddAttribute(std::string name, std::optional<std::string> value) {
  attributes.push_back(SdpAttribute{std::move(name), std::move(value)});
}

void SdpMedia::SetAttribute(std::string_view name, std::optional<std::string> value) {
  auto first = std::find_if(attributes.begin(), attributes.end(),
                            [&](const SdpAttribute& a) { return EqualsIgnoreCase(a.name, name); });
  if (first == attributes.end()) {
    attributes.push_back(SdpAttribute{std::string(name), std::move(value)});
    return;
  }
  first->name = std::string(name);
  first->value = std::move(value);
  attributes.erase(std::remove_if(first + 1, attributes.end(),
                                  [&](const SdpAttribute& a) { return EqualsIgnoreCase(a.name, name); }),
                   attributes.end());
}

void SdpMedia::RemoveAttributes(std::string_view name) {
  attributes.erase(std::remove_if(attributes.begin(), attributes.end(),
                                  [&](const SdpAttribute& a) { return EqualsIgnoreCase(a.name, name); }),
                   attributes.end());
}

SdpDirection SdpMedia::direction() const { return FindDirection(attributes).value_or(SdpDirection::kSendRecv); }

SdpDirection SdpMedia::direction(const std::vector<SdpAttribute>& session_attributes) const {
  return EffectiveDirection(attributes, session_attributes);
}

void SdpMedia::SetDirection(SdpDirection new_direction) {
  attributes.erase(std::remove_if(attributes.begin(), attributes.end(),
                                  [](const SdpAttribute& a) { return !a.value && IsDirectionName(a.name); }),
                   attributes.end());
  attributes.push_back(SdpAttribute{std::string(ToString(new_direction)), std::nullopt});
}

std::vector<std::string> SdpMedia::Path() const { return SplitSpaces(Attribute("path").value_or("")); }

std::vector<std::string> SdpMedia::AcceptTypes() const { return SplitSpaces(Attribute("accept-types").value_or("")); }

std::vector<std::string> SdpMedia::AcceptWrappedTypes() const {
  return SplitSpaces(Attribute("accept-wrapped-types").value_or(""));
}

std::optional<std::uint64_t> SdpMedia::MaxSize() const {
  const auto value = Attribute("max-size");
  if (!value) return std::nullopt;
  return ParseDecimal(*value, UINT64_MAX);
}

Result<FileSelector> SdpMedia::GetFileSelector() const {
  const SdpAttribute* attribute = FindSdpAttribute(attributes, "file-selector");
  if (!attribute) return MakeError(ErrorCode::kMissingHeader, "", 0, "no a=file-selector attribute");
  if (!attribute->value) return FileSelector{};  // "file-selector" without selectors is allowed
  return ParseFileSelector(*attribute->value);
}

std::optional<std::string> SdpMedia::FileTransferId() const {
  const auto value = Attribute("file-transfer-id");
  if (!value || !IsSdpToken(*value)) return std::nullopt;
  return std::string(*value);
}

std::optional<std::string> SdpMedia::FileDisposition() const {
  const auto value = Attribute("file-disposition");
  if (!value || !IsSdpToken(*value)) return std::nullopt;
  return std::string(*value);
}

Result<FileDate> SdpMedia::GetFileDate() const {
  const auto value = Attribute("file-date");
  if (!value) return MakeError(ErrorCode::kMissingHeader, "", 0, "no a=file-date attribute");
  return ParseFileDate(*value);
}

std::optional<std::string> SdpMedia::FileIcon() const {
  const auto value = Attribute("file-icon");
  if (!value || !StartsWithIgnoreCase(*value, "cid:") || !IsNonWsString(*value) || value->size() <= 4) {
    return std::nullopt;
  }
  return std::string(*value);
}

Result<FileRange> SdpMedia::GetFileRange() const {
  const auto value = Attribute("file-range");
  if (!value) return MakeError(ErrorCode::kMissingHeader, "", 0, "no a=file-range attribute");
  return ParseFileRange(*value);
}

std::optional<std::string> CheckMsrpMedia(const SdpMedia& media) {
  const bool tls = EqualsIgnoreCase(media.proto, "TCP/TLS/MSRP");
  if (!tls && !EqualsIgnoreCase(media.proto, "TCP/MSRP")) return "proto is not TCP/MSRP or TCP/TLS/MSRP";
  if (media.formats != std::vector<std::string>{"*"}) return "the format list of an MSRP m-line must be \"*\"";
  const std::vector<std::string> path = media.Path();
  if (path.empty()) return "a=path missing";
  for (const std::string& uri : path) {
    const bool secure = StartsWithIgnoreCase(uri, "msrps://");
    if (!secure && !StartsWithIgnoreCase(uri, "msrp://")) return "a=path holds a URI that is not msrp: or msrps:";
    // RFC 4975 section 8.1: TCP/TLS/MSRP goes with msrps URIs, TCP/MSRP with msrp URIs.
    if (secure != tls) return "a=path URI scheme does not match the proto";
  }
  if (media.AcceptTypes().empty()) return "a=accept-types missing";
  return std::nullopt;
}

// ---- SessionDescription ----------------------------------------------------------------------

Result<SessionDescription> SessionDescription::Parse(std::string_view text) { return SdpParser(text).Run(); }

std::string SessionDescription::Serialize() const {
  std::string out;
  out.reserve(SerializedSize());
  StringSink sink{out};
  WriteSession(sink, *this);
  return out;
}

std::size_t SessionDescription::SerializedSize() const {
  CountSink sink;
  WriteSession(sink, *this);
  return sink.size;
}

std::optional<std::string_view> SessionDescription::Attribute(std::string_view name) const {
  const SdpAttribute* attribute = FindSdpAttribute(attributes, name);
  if (!attribute) return std::nullopt;
  return attribute->value ? std::string_view(*attribute->value) : std::string_view();
}

SdpDirection SessionDescription::DirectionOf(std::size_t index) const {
  if (index >= media.size()) return FindDirection(attributes).value_or(SdpDirection::kSendRecv);
  return media[index].direction(attributes);
}

// ---- Builders --------------------------------------------------------------------------------

SdpMedia MakeMsrpMedia(std::uint16_t port, std::string path_uri, std::vector<std::string> accept_types,
                       SdpDirection direction) {
  SdpMedia media;
  media.media = "message";
  media.port = port;
  media.proto = StartsWithIgnoreCase(path_uri, "msrps:") ? "TCP/TLS/MSRP" : "TCP/MSRP";
  media.formats = {"*"};
  if (direction != SdpDirection::kSendRecv) media.AddAttribute(std::string(ToString(direction)));
  std::string types;
  for (const std::string& type : accept_types) {
    if (type.empty()) continue;
    if (!types.empty()) types.push_back(' ');
    types += type;
  }
  // accept-types is mandatory (RFC 4975 section 8.6); "*" accepts anything.
  media.AddAttribute("accept-types", types.empty() ? std::string("*") : std::move(types));
  media.AddAttribute("path", std::move(path_uri));
  return media;
}

void RefuseMedia(SdpMedia& media) {
  media.port = 0;
  media.port_count.reset();
}

SessionDescription MakeAnswer(const SessionDescription& offer, SdpOrigin origin, SdpConnection connection) {
  SessionDescription answer;
  answer.origin = std::move(origin);
  answer.connection = std::move(connection);
  answer.times = offer.times;  // RFC 3264 section 6: the t= line of the answer matches the offer
  for (const SdpMedia& offered : offer.media) {
    SdpMedia& stream = answer.media.emplace_back();
    stream.media = offered.media;
    stream.proto = offered.proto;
    stream.formats = offered.formats;
    RefuseMedia(stream);
  }
  return answer;
}

}  // namespace pushsim::wire
