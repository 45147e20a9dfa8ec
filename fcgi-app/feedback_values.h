// The values roles post back to a task (POST {feedback_url}/feedback, body
// {"values": {...}}): which keys aegir-web takes and what each may hold
// (docs/operations.md, "Feedback from roles"). Everything else is refused,
// so a role can never write a field it was not meant to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir::web {

// Parses and checks a feedback body. Returns the values, normalised
// (backup_size as an integer even when posted as digits in a string), or
// InvalidArgument naming the first key that is wrong and why.
Result<nlohmann::json> ParseFeedbackValues(const std::string& body);

// POST /api/tasks/{id}/log: {"first_seq": N (from 1), "lines": [strings]}.
struct LogPost {
  int64_t first_seq = 0;
  std::vector<std::string> lines;
};
Result<LogPost> ParseLogPost(const std::string& body);

// POST /api/tasks/{id}/finish: {"state", "exit_code"?, "reason"?, "recap"?}.
struct FinishPost {
  std::string state;  // succeeded, failed or cancelled
  std::optional<int64_t> exit_code;
  std::string reason;
  nlohmann::json recap;  // null when not posted; else checked by CheckRecap
};
Result<FinishPost> ParseFinishPost(const std::string& body);

// {"host": {"ok": N, "changed": N, "unreachable": N, "failed": N,
// "skipped": N, "rescued": N, "ignored": N}, ...}: at most 1000 hosts.
Status CheckRecap(const nlohmann::json& recap);

}  // namespace aegir::web
