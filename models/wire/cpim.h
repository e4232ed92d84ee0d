// The message/cpim content type (RFC 3862): message headers (From, To, cc, DateTime, Subject,
// NS, Require and namespaced extensions such as "MyFeatures.WackyMessageOption"), an empty line,
// the MIME headers of the encapsulated content (Content-Type, Content-ID, ...), an empty line,
// and the content.
//
//   Header      = Header-name ":" *( ";" Parameter ) SP Header-value CRLF   (section 3)
//   Header-name = [ Name-prefix "." ] Name
//
// Message header names are matched exactly as RFC 3862 spells them (section 4: "cc" is lower
// case, "DateTime", "NS"); the MIME content
// headers follow RFC 2045 and are compared case-insensitively, and may be folded (a line starting
// with SP or HTAB continues the previous one; Parse unfolds it).
//
// Limits: every header line at most CpimLimits::max_line_length (4 KiB) bytes, at most
// CpimLimits::max_header_count (64) headers in each of the two header sections, content at most
// CpimLimits::max_content_size (64 MiB).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/error.h"

namespace pushsim::wire {

struct CpimLimits {
  std::size_t max_line_length = 4096;
  std::size_t max_header_count = 64;
  std::size_t max_content_size = 64u << 20;
};

// From-header / To-header / cc-header value: [ Formal-name ] "<" URI ">" (sections 4.1-4.3).
struct CpimAddress {
  std::string display_name;  // quotes removed
  std::string uri;
};
std::optional<CpimAddress> ParseCpimAddress(std::string_view value);

struct CpimMessage {
  // Message headers in order. The value is the text after ":" and its separating SP; header
  // parameters stay in front of it (";lang=fr beau temps" for "Subject:;lang=fr beau temps").
  std::vector<std::pair<std::string, std::string>> message_headers;
  // MIME headers of the content, in order, unfolded.
  std::vector<std::pair<std::string, std::string>> content_headers;
  std::string content;

  static Result<CpimMessage> Parse(std::string_view input, const CpimLimits& limits = {});
  std::string Serialize() const;

  // First message header with exactly this (case-sensitive) name, nullptr when absent.
  const std::string* MessageHeader(std::string_view name) const;
  std::vector<std::string> MessageHeaders(std::string_view name) const;
  // First content header with this name (case-insensitive), nullptr when absent.
  const std::string* ContentHeader(std::string_view name) const;

  std::optional<CpimAddress> From() const;
  std::vector<CpimAddress> To() const;  // To may repeat (section 4.2)
  std::vector<CpimAddress> Cc() const;
  std::optional<std::string> DateTime() const;
  // The Subject without language parameter, or the first one when all carry one.
  std::optional<std::string> Subject() const;
  // The URI that an NS header binds to `prefix` (section 4.6), nullopt when none does.
  std::optional<std::string> NamespaceUri(std::string_view prefix) const;
  std::vector<std::string> Require() const;
  std::optional<std::string> ContentType() const;
};

}  // namespace pushsim::wire
