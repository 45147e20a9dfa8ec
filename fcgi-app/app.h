// aegir-web's application: its settings, the per-thread context, the route
// table and the filters every request passes before its handler.
//
// Request flow: Dispatch() -> (a request refused before routing, as too
// large or unreadable: its error page) -> route -> metrics filter (GET /metrics only:
// client address and token, then its handler) -> session filter (loads the
// session from its cookie, and a client user's clients and platforms) ->
// access filter (login required? admin only?) -> CSRF filter (every POST but
// the token-authenticated feedback API) -> route handler -> Response.
// Any exception or unexpected error becomes an error page, never a blank
// response. Dispatch() counts every answer (route pattern, method, status,
// time taken) for GET /metrics (metrics.h).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include <zmq.hpp>

#include "common/db.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/http.h"
#include "fcgi-app/job_submitter.h"
#include "fcgi-app/metrics.h"
#include "fcgi-app/operations.h"
#include "fcgi-app/router.h"
#include "fcgi-app/store.h"

namespace aegir::web {

struct Config {
  db::Options db;
  std::string templates_dir;
  std::string catalogue_path;
  std::string roles_dir;
  std::string scheduler_endpoint;
  std::string public_url;   // how executors reach this application, e.g. http://127.0.0.1:8080
  std::string config_root;  // where servers' configuration directories go
  std::string ssh_public_key;  // the executors' SSH public key, shown for remote servers ("" if unknown)
  bool secure_cookies = false;
  // Who may read GET /metrics (the default refuses everyone; aegir-web serve
  // sets it from --metrics-allow and --metrics-token-file).
  metrics::AccessPolicy metrics_access;
};

inline constexpr const char* kSessionCookie = "aegir_session";
inline constexpr int kSessionTtlS = 12 * 3600;  // absolute: a login lasts at most this long
inline constexpr int kSessionIdleS = 3600;      // a session unused this long ends
inline constexpr int kFeedbackGraceS = 300;     // a task's token is refused this long after it ended
inline constexpr int kAnonymousSessionTtlS = 3600;
inline constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;

// Everything one worker thread owns.
struct Context : ModelContext {
  Context(const Config& config, const Catalogue& catalogue, zmq::context_t& zmq_ctx);
  const Config& config;
  JobSubmitter submitter;
  // Set by the session filter for the current request.
  std::optional<store::Session> session;
  // The browser token of a session made during this request (login page).
  std::string new_session_token;
  // A client user's clients (ModelContext::platform_ids holds their platforms).
  std::set<int64_t> client_ids;
  // This thread's HTTP counts (made at its first request).
  metrics::HttpMetrics::Shard* metrics_shard = nullptr;

  bool IsAdmin() const { return session && session->user_id && session->is_admin; }
  // Whether the current user may see and act on the site / put sites on the platform.
  bool MaySee(const store::Site& site) const { return IsAdmin() || client_ids.count(site.client_id) > 0; }
  bool MayUsePlatform(int64_t platform_id) const { return IsAdmin() || platform_ids.count(platform_id) > 0; }
};

// Neither copied nor moved: its routes refer to it.
class App {
 public:
  App(Config config, Catalogue catalogue);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  const Config& config() const { return config_; }
  const Catalogue& catalogue() const { return catalogue_; }
  const Router& router() const { return router_; }
  // Shared by every thread; internally synchronized.
  metrics::Registry& metrics() const { return *metrics_; }

  // Runs the filters and the handler, and counts the answer. Never throws.
  Response Dispatch(Context& ctx, Request& req) const;

 private:
  // matched: set to the route that matched, if any; handled: set when its
  // handler was called (the request passed every filter).
  Response Filtered(Context& ctx, Request& req, const Route*& matched, bool& handled) const;
  Response Metrics(Context& ctx, Request& req) const;
  Config config_;
  Catalogue catalogue_;
  Router router_;
  std::unique_ptr<metrics::Registry> metrics_;
};

// Cookies carry Secure when the public URL is https:// or the request came
// over HTTPS.
bool SecureCookies(const Context& ctx, const Request& req);

// Registers every route (handlers.cc).
void AddRoutes(Router& router);

// Loads and checks every template under dir; the cache is then frozen.
Status LoadTemplates(const std::string& dir);

}  // namespace aegir::web
