// Hands a job to aegir-scheduler over ZeroMQ and waits for its ACK.
//
// One JobSubmitter per thread (a ZeroMQ socket belongs to one thread). The
// socket is a DEALER connected to the scheduler's submission endpoint; after
// a timeout it is closed and made anew, so a late reply can never be taken
// for the answer to the next job.
#pragma once

#include <memory>
#include <string>
#include <string_view>

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

 private:
  Status Request(std::string_view command, const std::string& body, const std::string& ack);
  zmq::context_t& ctx_;
  std::string endpoint_;
  std::unique_ptr<zmq::socket_t> socket_;
};

}  // namespace aegir::web
