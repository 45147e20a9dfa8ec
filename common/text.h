// Small text helpers every component uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegir {

// The words joined with sep ("a b c").
std::string Join(const std::vector<std::string>& words, std::string_view sep = " ");
// At most max_bytes of s, never cutting a UTF-8 character in two (a cut one
// would be refused by MariaDB's strict mode).
std::string TruncateUtf8(const std::string& s, size_t max_bytes);
// A positive decimal id of at most 18 digits (a task, server, site... id).
std::optional<int64_t> ParsePositiveId(std::string_view s);

}  // namespace aegir
