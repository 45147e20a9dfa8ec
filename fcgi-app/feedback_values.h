// The values roles post back to a task (POST {feedback_url}/feedback, body
// {"values": {...}}): which keys aegir-web takes and what each may hold
// (docs/operations.md, "Feedback from roles"). Everything else is refused,
// so a role can never write a field it was not meant to.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir::web {

// Parses and checks a feedback body. Returns the values, normalised
// (backup_size as an integer even when posted as digits in a string), or
// InvalidArgument naming the first key that is wrong and why.
Result<nlohmann::json> ParseFeedbackValues(const std::string& body);

}  // namespace aegir::web
