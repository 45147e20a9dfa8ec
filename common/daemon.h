// What every binary's main() shares: stop signals, the outermost exception
// guard, and the last log line of a daemon's run.
#pragma once

#include <atomic>

#include "common/status.h"

namespace aegir {

// SIGTERM and SIGINT set the returned flag (a poll loop checks it every
// turn); SIGPIPE is ignored so a vanished peer is an error, not a death.
std::atomic<bool>& InstallStopSignals();

// Runs main_fn; an exception that escapes it becomes one line on stderr,
// "<program>: <what>", and exit code 1.
int GuardedMain(const char* program, int (*main_fn)(int, char**), int argc, char** argv);

// Logs how a daemon's Run() ended and returns its exit code (0 or 1).
int FinishRun(const Status& status);

}  // namespace aegir
