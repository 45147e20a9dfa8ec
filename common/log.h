// Logging to stderr, one line per event: "2026-11-26T21:40:01Z aegir-web INFO message".
// Thread-safe. Callers never log secrets (tokens, passwords, keys).
#pragma once

#include <string>

namespace aegir::log {

void SetProgram(const std::string& name);
void Info(const std::string& msg);
void Warn(const std::string& msg);
void Error(const std::string& msg);

}  // namespace aegir::log
