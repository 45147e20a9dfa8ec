#include "fcgi-app/job_submitter.h"

#include <vector>

#include "common/protocol.h"

namespace aegir::web {

JobSubmitter::JobSubmitter(zmq::context_t& ctx, std::string endpoint) : ctx_(ctx), endpoint_(std::move(endpoint)) {}

Status JobSubmitter::Submit(const Job& job) {
  return Request(protocol::kSubmit, job.ToJson(), std::to_string(job.job_id));
}

Status JobSubmitter::Cancel(int64_t job_id) {
  return Request(protocol::kCancel, std::to_string(job_id), std::to_string(job_id));
}

Result<nlohmann::json> JobSubmitter::SchedulerStatus() {
  auto body = Exchange(protocol::kStatus, std::nullopt, protocol::kStatusReply, [](std::string_view) { return true; });
  if (!body.ok()) return body.status();
  auto j = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Internal("the scheduler's STATUS-REPLY is not a JSON object");
  return j;
}

Status JobSubmitter::Request(std::string_view command, const std::string& body, const std::string& ack) {
  auto r = Exchange(command, body, protocol::kAck, [&ack](std::string_view arg) { return arg == ack; });
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::string> JobSubmitter::Exchange(std::string_view command, const std::optional<std::string>& body,
                                           std::string_view expect,
                                           const std::function<bool(std::string_view)>& match) {
  try {
    if (!socket_) {
      socket_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
      socket_->set(zmq::sockopt::linger, 0);
      socket_->connect(endpoint_);
    }
    socket_->send(zmq::buffer(protocol::kVersion), zmq::send_flags::sndmore);
    if (body) {
      socket_->send(zmq::buffer(command), zmq::send_flags::sndmore);
      socket_->send(zmq::buffer(*body), zmq::send_flags::none);
    } else {
      socket_->send(zmq::buffer(command), zmq::send_flags::none);
    }

    auto deadline = std::chrono::steady_clock::now() + protocol::kSubmitTimeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t items[] = {{socket_->handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, left);
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      do {
        zmq::message_t m;
        (void)socket_->recv(m, zmq::recv_flags::none);
        frames.push_back(std::move(m));
      } while (socket_->get(zmq::sockopt::rcvmore));
      if (frames.size() < 2 || frames[0].to_string_view() != protocol::kVersion) continue;
      auto cmd = frames[1].to_string_view();
      std::string arg = frames.size() > 2 ? frames[2].to_string() : "";
      if (cmd == expect && match(arg)) return arg;
      if (cmd == protocol::kError) return Status::InvalidArgument("the scheduler said: " + arg);
      // A reply to an earlier request on this socket: skip it.
    }
    socket_.reset();
    return Status::Unavailable("the scheduler did not answer within " +
                               std::to_string(protocol::kSubmitTimeout.count()) + " ms");
  } catch (const zmq::error_t& e) {
    socket_.reset();
    return Status::Unavailable(std::string("talk to the scheduler: ") + e.what());
  }
}

}  // namespace aegir::web
