// Logging to stderr, one line per event. Thread-safe. Callers never log
// secrets (tokens, passwords, keys).
//
// On a terminal or into a file (scripts/launch's logs) a line is
//   2026-11-26T21:40:01Z aegir-web INFO message
// Under systemd, when stderr is the journal's stream (JOURNAL_STREAM names
// stderr's device and inode), the journal already records the time and the
// program, so a line is the level as a syslog prefix the journal turns into
// the entry's priority, then the level's name:
//   <6>INFO message
// (<6> info, <4> warning, <3> error; `journalctl -p warning` filters on it).
#pragma once

#include <string>

namespace aegir::log {

void SetProgram(const std::string& name);
void Info(const std::string& msg);
void Warn(const std::string& msg);
void Error(const std::string& msg);

// True when stderr is the journal's stream (decided once, at the first line).
bool ToJournal();

}  // namespace aegir::log
