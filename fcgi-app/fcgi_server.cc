#include "fcgi-app/fcgi_server.h"

#include <fcgiapp.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <thread>
#include <vector>

#include "common/db.h"
#include "common/fd.h"
#include "common/log.h"

namespace aegir::web {

Request BuildRequest(const std::map<std::string, std::string>& params, std::string body) {
  auto get = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  Request req;
  req.method = get("REQUEST_METHOD");
  req.path = get("PATH_INFO");
  if (req.path.empty()) req.path = get("DOCUMENT_URI");
  if (req.path.empty()) {
    std::string uri = get("REQUEST_URI");
    req.path = uri.substr(0, uri.find('?'));
  }
  if (req.path.empty()) req.path.assign(1, '/');
  req.query_string = get("QUERY_STRING");
  req.content_type = get("CONTENT_TYPE");
  req.remote_addr = get("REMOTE_ADDR");
  req.https = get("HTTPS") == "on";
  for (const auto& [name, value] : params) {
    if (name.rfind("HTTP_", 0) != 0) continue;
    std::string h;
    for (char c : name.substr(5)) h += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[h] = value;
  }
  req.cookies = ParseCookies(req.Header("cookie"));
  req.body = std::move(body);
  return req;
}

std::string FastCgiAnswer(int request_id, std::string_view out) {
  constexpr size_t kMaxRecord = 65528;  // the largest multiple of 8 a record holds: no padding
  auto header = [&](std::string& to, unsigned char type, size_t length) {
    const unsigned char h[8] = {1,
                                type,
                                static_cast<unsigned char>((request_id >> 8) & 0xff),
                                static_cast<unsigned char>(request_id & 0xff),
                                static_cast<unsigned char>((length >> 8) & 0xff),
                                static_cast<unsigned char>(length & 0xff),
                                0,
                                0};
    to.append(reinterpret_cast<const char*>(h), sizeof h);
  };
  constexpr unsigned char kStdout = 6, kEndRequest = 3;
  std::string records;
  records.reserve(out.size() + 8 * (out.size() / kMaxRecord + 1) + 24);
  for (size_t at = 0; at < out.size(); at += kMaxRecord) {
    const size_t n = std::min(kMaxRecord, out.size() - at);
    header(records, kStdout, n);
    records.append(out.substr(at, n));
  }
  header(records, kStdout, 0);
  header(records, kEndRequest, 8);
  records.append(8, '\0');  // application status 0, FCGI_REQUEST_COMPLETE, reserved
  return records;
}

Status FcgiServer::Listen(const std::string& path, const std::string& group) {
  ::unlink(path.c_str());
  mode_t old = ::umask(0177);
  fd_ = FCGX_OpenSocket(path.c_str(), 256);
  ::umask(old);
  if (fd_ < 0) return Status::Unavailable("listen on " + path + ": cannot create the socket");
  path_ = path;
  if (!group.empty()) {
    struct group* g = ::getgrnam(group.c_str());
    if (!g) return Status::NotFound("socket group " + group + " does not exist");
    if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) return Status::FromErrno("chown " + path, errno);
    if (::chmod(path.c_str(), 0660) != 0) return Status::FromErrno("chmod " + path, errno);
  }
  return Status::Ok();
}

void FcgiServer::Run(const App& app, zmq::context_t& zmq_ctx, int threads) {
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back([&] { Worker(app, zmq_ctx); });
  for (auto& t : pool) t.join();
  if (!path_.empty()) ::unlink(path_.c_str());
}

void FcgiServer::Stop() {
  stopping_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void FcgiServer::Worker(const App& app, zmq::context_t& zmq_ctx) {
  db::ThreadGuard db_thread;
  Context ctx(app.config(), app.catalogue(), zmq_ctx);
  if (Status s = ctx.db.Connect(app.config().db); !s.ok()) {
    log::Warn(s.message() + " (will retry at the next request)");
  }
  FCGX_Request fr;
  FCGX_InitRequest(&fr, fd_, FCGI_FAIL_ACCEPT_ON_INTR);
  while (!stopping_) {
    if (FCGX_Accept_r(&fr) < 0) break;
    std::map<std::string, std::string> params;
    for (char** e = fr.envp; e && *e; ++e) {
      const char* eq = std::strchr(*e, '=');
      if (eq) params.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
    }
    // Read the whole body before answering, even one that is too large:
    // web servers reusing the connection fail otherwise.
    long length = 0;
    if (auto it = params.find("CONTENT_LENGTH"); it != params.end()) length = std::atol(it->second.c_str());
    std::string body;
    bool too_large = length > static_cast<long>(kMaxBodyBytes);
    char buf[16384];
    long left = length;
    while (left > 0) {
      int n = FCGX_GetStr(buf, static_cast<int>(std::min<long>(left, sizeof buf)), fr.in);
      if (n <= 0) break;
      if (!too_large) body.append(buf, n);
      left -= n;
    }
    Request req = BuildRequest(params, std::move(body));
    // Refused requests go through Dispatch too: it counts them, and renders
    // them with this request's context, not the previous one's (this
    // thread's last session: its user's name and CSRF token).
    if (too_large) {
      req.refused_status = 413;
      req.refused_message = "The request is larger than 4 MiB.";
    } else {
      bool form = req.content_type.rfind("application/x-www-form-urlencoded", 0) == 0;
      auto q = ParseUrlEncoded(req.query_string);
      Result<Params> f = form ? ParseUrlEncoded(req.body) : Result<Params>(Params{});
      if (!q.ok() || !f.ok()) {
        req.refused_status = 400;
        req.refused_message = "The request could not be read: " + (!q.ok() ? q.status() : f.status()).message();
      } else {
        req.query = std::move(*q);
        req.form = std::move(*f);
      }
    }
    Response resp = app.Dispatch(ctx, req);
    std::string out = resp.Serialize();
    if (req.method == "HEAD") out.resize(out.find("\r\n\r\n") + 4);
    // The answer and the records that end the request go in one write
    // (libfcgi writes one per 8 KB of its buffer, and its own end records
    // after them): libfcgi is then told its streams are closed, so that
    // FCGX_Finish_r only closes the connection. If the web server went
    // away meanwhile, the connection is not kept either.
    if (!WriteAll(fr.ipcFd, FastCgiAnswer(fr.requestId, out), "answer").ok()) fr.keepConnection = 0;
    for (FCGX_Stream* s : {fr.out, fr.err}) s->wasFCloseCalled = s->isClosed = 1;
    FCGX_Finish_r(&fr);
  }
  FCGX_Free(&fr, 0);
}

}  // namespace aegir::web
