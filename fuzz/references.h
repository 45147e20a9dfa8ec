// Reference checks the fuzz targets hold the parsers to: each says what a
// name, a path or a value must be, written from the documented contract
// (common/job.h, fcgi-app/operation_form.h, docs/feedback-api.md) with
// regular expressions and plain loops, never by calling the code under test.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"

namespace aegir::fuzz {

// Well-formed UTF-8 without control characters, at most max bytes.
inline bool RefCleanText(const std::string& s, size_t max) {
  return s.size() <= max && IsStrictUtf8(s) && !HasControl(s);
}

// "/" or "/a/b": clean text of at most 1024 bytes, no empty, '.' or '..' part.
inline bool RefCleanAbsolutePath(const std::string& s) {
  if (s.empty() || s[0] != '/' || !RefCleanText(s, 1024)) return false;
  if (s == "/") return true;
  for (const auto& part : Split(s.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

inline bool ShortEnough(const std::string& s, size_t max) { return !s.empty() && s.size() <= max; }

inline bool RefRoleName(const std::string& s) { return ShortEnough(s, 64) && FullMatch(s, "[a-z][a-z0-9_]*"); }
inline bool RefVarName(const std::string& s) { return ShortEnough(s, 64) && FullMatch(s, "[a-z_][a-z0-9_]*"); }
inline bool RefOperationName(const std::string& s) { return ShortEnough(s, 64) && FullMatch(s, "[a-z][a-z0-9-]*"); }
inline bool RefEntityKey(const std::string& s) { return ShortEnough(s, 128) && FullMatch(s, "[A-Za-z0-9_.:-]+"); }
inline bool RefLabel(const std::string& s) { return ShortEnough(s, 64) && FullMatch(s, "[a-z0-9][a-z0-9._-]*"); }
inline bool RefUserName(const std::string& s) { return ShortEnough(s, 32) && FullMatch(s, "[a-z_][a-z0-9_-]*"); }

// RFC 1123: dot-separated labels of 1 to 63 letters, digits and inner
// hyphens, 253 bytes in all (an IPv4 address is one too).
inline bool RefHostName(const std::string& s) {
  if (!ShortEnough(s, 253)) return false;
  for (const auto& label : Split(s, '.')) {
    if (!ShortEnough(label, 63) || !FullMatch(label, "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")) return false;
  }
  return true;
}

// A host name in lower case with a dot, whose last label is not a number.
inline bool RefDomainName(const std::string& s) {
  if (!RefHostName(s) || s.find('.') == std::string::npos) return false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return !AllDigits(s.substr(s.rfind('.') + 1));
}

// Lines "<type> <base64>" (a final newline allowed), 16 KiB in all.
inline bool RefHostKey(const std::string& s) {
  if (s.empty() || s.size() > 16384) return false;
  auto lines = Split(s, '\n');
  if (lines.size() > 1 && lines.back().empty()) lines.pop_back();
  for (const auto& line : lines) {
    size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size()) return false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      bool lower_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (i < space && !(lower_digit || c == '-' || c == '@' || c == '.')) return false;
      if (i > space && !(lower_digit || (c >= 'A' && c <= 'Z') || c == '+' || c == '/' || c == '=')) return false;
    }
  }
  return true;
}

// An integer JSON value that fits int64_t, as that number; nothing for
// anything else (a float, a larger unsigned number, not a number).
inline std::optional<int64_t> ExactInt64(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

// ansible's PLAY RECAP as aegir-web stores it: {host: {the 7 counts}}, at
// most 1000 hosts, names of 1 to 255 bytes, counts 0 to 10^9.
inline bool RefRecap(const nlohmann::json& recap) {
  if (!recap.is_object() || recap.size() > 1000) return false;
  static const std::set<std::string> kCounts = {"ok",      "changed", "unreachable", "failed",
                                                "skipped", "rescued", "ignored"};
  for (const auto& [host, counts] : recap.items()) {
    if (host.empty() || host.size() > 255 || !counts.is_object() || counts.size() != kCounts.size()) return false;
    for (const auto& [k, n] : counts.items()) {
      if (!kCounts.count(k) || !n.is_number_unsigned() || n.get<uint64_t>() > 1'000'000'000) return false;
    }
  }
  return true;
}

// A JSON value for a failure message: short, any bytes replaced.
inline std::string ShowJson(const nlohmann::json& j) {
  return Show(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 300);
}

}  // namespace aegir::fuzz
