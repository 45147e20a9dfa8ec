// Hands a job to aegir-scheduler over ZeroMQ and waits for its ACK.
//
// One JobSubmitter per thread (a ZeroMQ socket belongs to one thread). The
// socket is a DEALER connected to the scheduler's submission endpoint; after
// a timeout it is closed and made anew, so a late reply can never be taken
// for the answer to the next job.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "common/job.h"
#include "common/status.h"

namespace aegir::web {

class JobSubmitter {
 public:
  JobSubmitter(zmq::context_t& ctx, std::string endpoint);
  // Tells the scheduler that the job, stored as a queued task, is there.
  // Ok once the scheduler acknowledged the job; Unavailable if it did not
  // answer in time; InvalidArgument if it refused the job (with its reason).
  Status Submit(const Job& job);
  // Asks the scheduler to stop a queued or running job (docs/protocol.md).
  Status Cancel(int64_t job_id);
  // The scheduler's STATUS reply (docs/protocol.md): queue, running jobs and
  // the executors connected with their last heartbeat. Unavailable if it did
  // not answer in time.
  Result<nlohmann::json> SchedulerStatus();

 private:
  // Sends [version, command, body?] and waits for the reply `expect` whose
  // argument `match` accepts (replies to earlier requests on this socket are
  // skipped); returns that argument. The scheduler's ERROR is InvalidArgument.
  Result<std::string> Exchange(std::string_view command, const std::optional<std::string>& body,
                               std::string_view expect, const std::function<bool(std::string_view)>& match);
  Status Request(std::string_view command, const std::string& body, const std::string& ack);
  zmq::context_t& ctx_;
  std::string endpoint_;
  std::unique_ptr<zmq::socket_t> socket_;
};

}  // namespace aegir::web
