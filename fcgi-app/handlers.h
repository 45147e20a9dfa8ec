// What the route handlers share (handlers.cc: the hosting model and tasks;
// account_handlers.cc: users, clients, passwords and the audit log).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fcgi-app/app.h"

namespace aegir::web {

std::optional<int64_t> ParseId(const std::string& s);
// A store failure as an error page; the details go to the log only.
Response StoreError(const Context& ctx, const Status& s);
// 404: "<what> does not exist."
Response NotFound(const Context& ctx, const std::string& what, const std::string& back);
// Appends to the audit log as the request's actor; a failure is logged.
void Audit(Context& ctx, const std::string& action, const std::string& entity_type, std::optional<int64_t> entity_id,
           const nlohmann::json& details);
// Makes an anonymous session (for the CSRF token of a form shown before login)
// unless the request has a session; false if it could not be stored.
Status EnsureSession(Context& ctx);

void AddAccountRoutes(Router& router);

}  // namespace aegir::web
