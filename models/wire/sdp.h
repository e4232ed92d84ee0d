// Session Description Protocol (RFC 4566) with the MSRP media of RFC 4975 section 8 and the file
// transfer attributes of RFC 5547.
//
// Parsing is strict: every line is `<type>=<value>` with a single lower-case letter as type and no
// space around '=' (RFC 4566 section 5); the lines follow the order of section 5 (v o s i u e p c
// b t r z k a, then media sections m i c b k a); v, o, s and t are mandatory; a type letter that
// is not defined, or that appears where it is not allowed, makes the whole description invalid
// ("An SDP parser MUST completely ignore any session description that contains a type letter that
// it does not understand", section 5). Field values are checked against the grammar of section 9.
// Unknown attributes are kept as they are.
//
// Leniencies, each deliberate:
//   - bare LF is accepted as a line end as well as CRLF (section 5: "parsers SHOULD be tolerant");
//   - an empty session name (`s=`) is accepted although section 5.3 says it MUST NOT be empty,
//     because RFC 5547's own examples and the SIP Push TS use it;
//   - a file size of 0 is accepted in file-selector (RFC 4566 `integer` starts at 1, but empty
//     files exist).
//
// Limits (exceeding one is kTooLarge): see the kMax* constants below.
//
// Errors carry the byte offset, line and column in the SDP text given to Parse().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/error.h"

namespace pushsim::wire {

inline constexpr std::size_t kMaxSdpSize = 64 * 1024;          // whole description, bytes
inline constexpr std::size_t kMaxSdpLineLength = 4096;         // one line without its line end
inline constexpr std::size_t kMaxSdpMediaSections = 64;        // m= lines
inline constexpr std::size_t kMaxSdpAttributesPerSection = 256;  // a= lines at one level
// e=, p=, b=, t=, r= (per t=) and media-level c= lines, each counted per section.
inline constexpr std::size_t kMaxSdpRepeatedFields = 64;
inline constexpr std::size_t kMaxFileHashBytes = 64;  // SHA-512 is the longest registered hash

// RFC 4566 section 9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E.
bool IsSdpTokenChar(char c);
bool IsSdpToken(std::string_view text);

// `a=<name>` (flag, no value) or `a=<name>:<value>` (RFC 4566 section 5.13).
struct SdpAttribute {
  std::string name;
  std::optional<std::string> value;

  bool operator==(const SdpAttribute& other) const { return name == other.name && value == other.value; }
  bool operator!=(const SdpAttribute& other) const { return !(*this == other); }
};

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (section 5.2).
// sess-id and sess-version are kept as digit strings: the grammar puts no bound on them.
struct SdpOrigin {
  std::string username = "-";
  std::string session_id = "0";
  std::string session_version = "0";
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address;

  bool operator==(const SdpOrigin& other) const;
  bool operator!=(const SdpOrigin& other) const { return !(*this == other); }
};

// c=<nettype> <addrtype> <connection-address> (section 5.7). The address (with any /ttl/count
// suffix) is kept as written.
struct SdpConnection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address;

  bool operator==(const SdpConnection& other) const;
  bool operator!=(const SdpConnection& other) const { return !(*this == other); }
};

// t=<start-time> <stop-time> with the r= lines that follow it (sections 5.9, 5.10). Times are NTP
// seconds; 0 means unbounded. Repeat lines are kept as their values ("604800 3600 0 90000").
struct SdpTime {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
  std::vector<std::string> repeats;

  bool operator==(const SdpTime& other) const;
  bool operator!=(const SdpTime& other) const { return !(*this == other); }
};

// a=sendrecv / sendonly / recvonly / inactive (RFC 4566 section 6; RFC 3264 section 5.1).
enum class SdpDirection : std::uint8_t { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view ToString(SdpDirection direction);
// The direction an answerer uses for a stream offered with `offered` (RFC 3264 section 6.1):
// sendonly <-> recvonly, sendrecv and inactive unchanged.
SdpDirection Reverse(SdpDirection offered);

// The first attribute named `name` (ASCII case-insensitive: ABNF literals are), or nullptr.
const SdpAttribute* FindSdpAttribute(const std::vector<SdpAttribute>& attributes, std::string_view name);
// The direction attribute in `attributes`, if there is one (the last one wins if several).
std::optional<SdpDirection> FindDirection(const std::vector<SdpAttribute>& attributes);
// Media-level direction if present, else session-level, else sendrecv (RFC 4566 section 6).
SdpDirection EffectiveDirection(const std::vector<SdpAttribute>& media_attributes,
                                const std::vector<SdpAttribute>& session_attributes);

// RFC 5547 section 6 file-selector: name:"..." type:t/s;p="v" size:N hash:alg:HH:HH...
struct FileSelector {
  std::optional<std::string> name;  // percent-decoded file name
  std::optional<std::string> type;  // media type with its parameters, as on the wire
  std::optional<std::uint64_t> size;
  // (hash algorithm, hash value as on the wire: upper-case hex bytes separated by ':').
  std::optional<std::pair<std::string, std::string>> hash;

  bool operator==(const FileSelector& other) const;
  bool operator!=(const FileSelector& other) const { return !(*this == other); }
};
// Parses the attribute value (what follows "file-selector:"). Each selector at most once,
// separated by single spaces; offsets in errors are relative to `value`.
Result<FileSelector> ParseFileSelector(std::string_view value);
// Writes selectors in the order name, type, size, hash. In the name, NUL, CR, LF, '"' and '%' are
// percent-encoded (RFC 5547 section 6, filename-string), so `"` becomes %22.
std::string ToString(const FileSelector& selector);

// RFC 5547 file-date: creation:"<date>" modification:"<date>" read:"<date>". Dates are RFC 5322
// date-time strings (without the quotes); RFC 5547 requires a numeric zone (+HHMM / -HHMM), which
// is checked.
struct FileDate {
  std::optional<std::string> creation;
  std::optional<std::string> modification;
  std::optional<std::string> read;

  bool operator==(const FileDate& other) const;
  bool operator!=(const FileDate& other) const { return !(*this == other); }
};
Result<FileDate> ParseFileDate(std::string_view value);
std::string ToString(const FileDate& date);

// RFC 5547 file-range: <start>-<stop> or <start>-*, 1-based and inclusive; stop absent means "to
// the end of the file".
struct FileRange {
  std::uint64_t start = 1;
  std::optional<std::uint64_t> stop;

  bool operator==(const FileRange& other) const { return start == other.start && stop == other.stop; }
  bool operator!=(const FileRange& other) const { return !(*this == other); }
};
Result<FileRange> ParseFileRange(std::string_view value);
std::string ToString(const FileRange& range);

// One media description: m=<media> <port>[/<count>] <proto> <fmt> ... and its i c b k a lines.
struct SdpMedia {
  std::string media;
  std::uint16_t port = 0;
  std::optional<std::uint16_t> port_count;
  std::string proto;
  std::vector<std::string> formats;
  std::optional<std::string> title;  // i=
  std::optional<SdpConnection> connection;  // the first c= line
  // Further c= lines (RFC 4566 allows several per media, e.g. for layered multicast).
  std::vector<SdpConnection> additional_connections;
  std::vector<std::string> bandwidths;  // b= values, "AS:64"
  std::optional<std::string> key;       // k= value
  std::vector<SdpAttribute> attributes;

  bool operator==(const SdpMedia& other) const;
  bool operator!=(const SdpMedia& other) const { return !(*this == other); }

  // A stream refused in an answer keeps its m-line with port 0 (RFC 3264 section 6).
  bool IsRefused() const { return port == 0; }
  // proto is TCP/MSRP or TCP/TLS/MSRP (RFC 4975 section 8.1).
  bool IsMsrp() const;

  // Value of the first attribute named `name`; an empty view for a flag attribute; nullopt if
  // absent.
  std::optional<std::string_view> Attribute(std::string_view name) const;
  std::vector<std::string_view> Attributes(std::string_view name) const;
  bool HasAttribute(std::string_view name) const { return FindSdpAttribute(attributes, name) != nullptr; }
  void AddAttribute(std::string name, std::optional<std::string> value = std::nullopt);
  // Replaces every attribute named `name` with one (at the position of the first, or at the end).
  void SetAttribute(std::string_view name, std::optional<std::string> value = std::nullopt);
  void RemoveAttributes(std::string_view name);

  // This section's own direction, or sendrecv; use the overload with the session attributes (or
  // SessionDescription::DirectionOf) to honour a session-level default.
  SdpDirection direction() const;
  SdpDirection direction(const std::vector<SdpAttribute>& session_attributes) const;
  // Removes every direction attribute and adds `direction` (sendrecv is written explicitly).
  void SetDirection(SdpDirection direction);

  // RFC 4975 section 8: a=path (space-separated MSRP URIs, first is the next hop), a=accept-types,
  // a=accept-wrapped-types (space-separated media types or "*"), a=max-size. Empty / nullopt when
  // the attribute is absent or, for max-size, not a number.
  std::vector<std::string> Path() const;
  std::vector<std::string> AcceptTypes() const;
  std::vector<std::string> AcceptWrappedTypes() const;
  std::optional<std::uint64_t> MaxSize() const;

  // RFC 5547 attributes. The Result-returning getters fail with kMissingHeader when the attribute
  // is absent and with kBadHeaderValue (offset within the attribute value) when it is malformed.
  Result<FileSelector> GetFileSelector() const;
  std::optional<std::string> FileTransferId() const;
  std::optional<std::string> FileDisposition() const;
  Result<FileDate> GetFileDate() const;
  std::optional<std::string> FileIcon() const;  // a cid: URL (RFC 2392)
  Result<FileRange> GetFileRange() const;
};

// RFC 4975 section 8 conformance of an MSRP media section: proto TCP/MSRP or TCP/TLS/MSRP, format
// list "*", a=path present with msrp: URIs (msrps: for TCP/TLS/MSRP), a=accept-types present.
// Returns what is wrong, or nullopt.
std::optional<std::string> CheckMsrpMedia(const SdpMedia& media);

struct SessionDescription {
  int version = 0;
  SdpOrigin origin;
  std::string session_name = "-";
  std::optional<std::string> information, uri;
  std::vector<std::string> emails, phones;
  std::optional<SdpConnection> connection;
  std::vector<std::string> bandwidths;
  std::vector<SdpTime> times = {SdpTime{}};  // t= with their r= lines; at least one
  std::optional<std::string> zone_adjustments, key;
  std::vector<SdpAttribute> attributes;
  std::vector<SdpMedia> media;

  bool operator==(const SessionDescription& other) const;
  bool operator!=(const SessionDescription& other) const { return !(*this == other); }

  static Result<SessionDescription> Parse(std::string_view text);
  // Canonical order of RFC 4566 section 5, CRLF line ends.
  std::string Serialize() const;
  std::size_t SerializedSize() const;

  std::optional<std::string_view> Attribute(std::string_view name) const;
  // Direction of media section `index` with the session-level default applied.
  SdpDirection DirectionOf(std::size_t index) const;
};

// An MSRP media section for an offer or answer (RFC 4975 section 8.1): m=message <port> TCP/MSRP *
// (TCP/TLS/MSRP when `path_uri` is an msrps: URI), a=accept-types, a=path, and the direction
// attribute unless it is sendrecv.
SdpMedia MakeMsrpMedia(std::uint16_t port, std::string path_uri, std::vector<std::string> accept_types,
                       SdpDirection direction = SdpDirection::kSendRecv);

// Refuses a stream in an answer: port 0, the m-line (media, proto, formats) kept (RFC 3264 section 6).
void RefuseMedia(SdpMedia& media);

// The skeleton of an answer to `offer` (RFC 3264 section 6): the given origin and session-level
// connection, the offer's t= lines, and one m-line per offered stream in the same order, each
// refused (port 0, same media, proto and formats). The answerer replaces the streams it accepts.
SessionDescription MakeAnswer(const SessionDescription& offer, SdpOrigin origin, SdpConnection connection);

}  // namespace pushsim::wire
