// The FastCGI listener: N threads, each in its own FCGX_Accept_r loop with its
// own Context (database connection, ZeroMQ socket).
//
// libfcgi's own SIGTERM handling only sets a flag that blocked threads never
// see, so shutdown is ours: Stop() shuts the listening socket down, which
// makes every blocked accept return, and each thread ends after its current
// request.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "common/status.h"
#include "fcgi-app/app.h"

namespace aegir::web {

// Copies a FastCGI request's parameters into name -> value pairs.
Request BuildRequest(const std::map<std::string, std::string>& params, std::string body);

// The whole answer to FastCGI request `request_id` as records: `out` in
// STDOUT records of at most 65,528 bytes each, the empty STDOUT record that
// ends the stream, and END_REQUEST (application status 0, request complete).
// aegir-web writes them with one write instead of libfcgi's one per 8 KB.
std::string FastCgiAnswer(int request_id, std::string_view out);

class FcgiServer {
 public:
  // Listens on a unix socket at path (a stale socket file is replaced).
  // With group non-empty the socket is given to that group with mode 0660,
  // else mode 0600.
  Status Listen(const std::string& path, const std::string& group);
  // Serves until Stop(); returns when every thread has ended.
  void Run(const App& app, zmq::context_t& zmq_ctx, int threads);
  // Safe to call from another thread.
  void Stop();

 private:
  void Worker(const App& app, zmq::context_t& zmq_ctx);
  int fd_ = -1;
  std::string path_;
  std::atomic<bool> stopping_{false};
};

}  // namespace aegir::web
