// Running an operation: the one place that turns a catalogue entry and an
// entity into a task row and a job for the scheduler.
#pragma once

#include <cstdint>
#include <optional>

#include "common/job.h"
#include "fcgi-app/app.h"

namespace aegir::web {

// Builds the job for operation on server (without job id and token).
Job BuildServerJob(const Config& config, const Operation& op, const store::Server& server);

// Writes the task (queued) and then hands the job to the scheduler. If the
// scheduler cannot be reached the task ends failed with that reason, so
// nothing stays queued forever. Returns the task id either way; an error
// only when the task could not be written.
Result<int64_t> QueueServerOperation(Context& ctx, const Operation& op, const store::Server& server,
                                     std::optional<int64_t> user_id);

}  // namespace aegir::web
