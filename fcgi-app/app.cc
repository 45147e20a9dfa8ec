#include "fcgi-app/app.h"

#include <ctemplate/template.h>

#include <chrono>
#include <filesystem>

#include "common/crypto.h"
#include "common/log.h"
#include "fcgi-app/shared_reading.h"
#include "fcgi-app/views.h"

namespace aegir::web {

Context::Context(const Config& cfg, const Catalogue& cat, zmq::context_t& zmq_ctx)
    : ModelContext(cat, cfg.public_url), config(cfg), submitter(zmq_ctx, cfg.scheduler_endpoint) {}

App::App(Config config, Catalogue catalogue)
    : config_(std::move(config)),
      catalogue_(std::move(catalogue)),
      metrics_(std::make_unique<metrics::Registry>(config_.metrics_access)) {
  AddRoutes(router_);
  router_.Add({"GET", "/metrics", Access::kMetrics, [this](Context& ctx, Request& req) { return Metrics(ctx, req); }});
}

bool SecureCookies(const Context& ctx, const Request& req) { return ctx.config.secure_cookies || req.https; }

Response App::Dispatch(Context& ctx, Request& req) const {
  const auto start = std::chrono::steady_clock::now();
  const Route* matched = nullptr;
  bool handled = false;  // the route's handler was called (past every filter)
  ctx.session.reset();
  ctx.new_session_token.clear();
  ctx.client_ids.clear();
  ctx.platform_ids.clear();
  ctx.scope = {};
  ctx.actor = Actor{std::nullopt, "anonymous", req.remote_addr};  // until the session says who
  Response r;
  try {
    r = Filtered(ctx, req, matched, handled);
  } catch (const std::exception& e) {
    log::Error(std::string("request ") + req.method + " " + req.path + " failed: " + e.what());
    r = views::Error(ctx, 500, "The request could not be completed; the details are in aegir-web's log.");
  }
  // Whatever it did, a request that may have written is over before its
  // answer goes out: the next page shows it (shared_reading.h). One refused
  // before its handler (no such page, no session, a bad CSRF token) wrote
  // nothing a page shows, and makes no one read the shared pages again.
  if (handled && req.method != "GET" && req.method != "HEAD" && matched->changes_pages) WriteGeneration::End();
  if (!ctx.new_session_token.empty()) {
    r.SetCookie(kSessionCookie, ctx.new_session_token, kAnonymousSessionTtlS, SecureCookies(ctx, req));
  }
  if (!ctx.metrics_shard) ctx.metrics_shard = metrics_->http().NewShard();
  metrics::HttpMetrics::Record(ctx.metrics_shard, matched, req.method, r.status,
                               std::chrono::steady_clock::now() - start);
  return r;
}

Response App::Filtered(Context& ctx, Request& req, const Route*& matched, bool& handled) const {
  if (req.refused_status != 0) return views::Error(ctx, req.refused_status, req.refused_message);
  Router::Match m = router_.Find(req.method, req.path);
  if (!m.route) {
    if (m.method_not_allowed) return views::Error(ctx, 405, "This address does not accept " + req.method + " requests.");
    return views::Error(ctx, 404, "There is no page at this address.");
  }
  req.route = std::move(m.captures);
  const Route& route = *m.route;
  matched = m.route;

  // Metrics filter: no session and no database, so a scrape is answered
  // (with aegir_database_up 0) while MariaDB is away. A refusal says nothing
  // more than 403; the log says why.
  if (route.access == Access::kMetrics) {
    if (!metrics_->access().Allows(req.remote_addr, req.Header("authorization"))) {
      metrics_->LogRefusal(req.remote_addr);
      Response r;
      r.status = 403;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "Forbidden\n";
      return r;
    }
    handled = true;
    return route.handler(ctx, req);
  }

  // The feedback API authenticates with the task's token, not a session.
  if (route.access == Access::kFeedback) {
    handled = true;
    return route.handler(ctx, req);
  }

  // Session filter.
  if (auto it = req.cookies.find(kSessionCookie); it != req.cookies.end() && it->second.size() == 64) {
    auto s = store::FindSession(ctx.db, crypto::Sha256Hex(it->second), kSessionIdleS);
    if (!s.ok()) {
      log::Error(s.status().ToString());
      return views::Error(ctx, 503, "The database is not reachable right now. Try again in a moment.");
    }
    ctx.session = *s;
    // At most one write a minute per session.
    if (ctx.session && !ctx.session->seen_lately) (void)store::TouchSession(ctx.db, ctx.session->id_hash);
  }
  bool logged_in = ctx.session && ctx.session->user_id;
  if (logged_in) {
    ctx.actor.user_id = ctx.session->user_id;
    ctx.actor.name = ctx.session->user_name;
    if (!ctx.session->is_admin) {
      // A client user: what they may see and use, read once per request (one query).
      ctx.scope.user_id = ctx.session->user_id;
      auto reach = store::ReachOfUser(ctx.db, *ctx.session->user_id);
      if (!reach.ok()) {
        log::Error(reach.status().ToString());
        return views::Error(ctx, 503, "The database is not reachable right now. Try again in a moment.");
      }
      ctx.client_ids.insert(reach->client_ids.begin(), reach->client_ids.end());
      ctx.scope.client_ids = reach->client_ids;
      ctx.platform_ids.insert(reach->platform_ids.begin(), reach->platform_ids.end());
    }
  }

  // Access filter.
  if ((route.access == Access::kUser || route.access == Access::kAdmin) && !logged_in) {
    if (req.method == "GET" || req.method == "HEAD") return Response::Redirect("/login");
    return views::Error(ctx, 403, "Your session has ended. Log in again, then repeat what you were doing.", "/login");
  }
  if (route.access == Access::kAdmin && !ctx.session->is_admin) {
    return views::Error(ctx, 403, "Only an administrator may open this page.");
  }

  // CSRF filter: every POST carries the session's token.
  if (req.method == "POST") {
    if (!ctx.session) {
      return views::Error(ctx, 403, "This form has expired (no session). Reload the page and try again.", "/login");
    }
    if (!crypto::ConstantTimeEquals(req.Form("csrf"), ctx.session->csrf_token)) {
      return views::Error(ctx, 403, "This form has expired or did not come from this site. Reload the page and try again.",
                          req.path);
    }
  }
  handled = true;
  Response r = route.handler(ctx, req);
  // The flash message is taken by the page that shows it (every HTML page
  // does), not by a redirect or the task page's log poll (JSON).
  if (ctx.session && !ctx.session->flash.empty() && (r.status < 300 || r.status >= 400) &&
      r.content_type.starts_with("text/html")) {
    if (Status s = store::TakeFlash(ctx.db, ctx.session->id_hash, ctx.session->flash); !s.ok()) {
      log::Error(s.ToString());
    }
  }
  return r;
}

Response App::Metrics(Context& ctx, Request&) const {
  auto status = ctx.submitter.SchedulerStatus();
  if (!status.ok()) log::Warn("metrics: no STATUS from the scheduler: " + status.status().message());
  Response r;
  r.content_type = metrics::kContentType;
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = metrics_->Render(ctx.db, status.ok() ? &*status : nullptr);
  return r;
}

Status LoadTemplates(const std::string& dir) {
  auto* cache = ctemplate::mutable_default_template_cache();
  cache->SetTemplateRootDirectory(dir);
  std::error_code ec;
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".tpl") continue;
    std::string name = entry.path().filename().string();
    if (!ctemplate::LoadTemplate(name, ctemplate::STRIP_BLANK_LINES)) {
      return Status::InvalidArgument("template " + entry.path().string() + " does not parse");
    }
    ++loaded;
  }
  if (ec) return Status::NotFound("templates directory " + dir + ": " + ec.message());
  if (loaded == 0) return Status::NotFound("no templates in " + dir);
  cache->Freeze();
  return Status::Ok();
}

}  // namespace aegir::web
