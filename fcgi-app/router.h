// The route table: method + path pattern -> handler.
//
// A pattern is a path whose segments are literals or "{name}" captures, e.g.
// "/servers/{id}/run/{operation}". A "{name}" matches one non-empty segment;
// captures named "id" must be decimal numbers of at most 18 digits.
// Match() tells apart "no such path" (404) from "path exists, method not
// allowed" (405).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fcgi-app/http.h"

namespace aegir::web {

struct Context;  // per-thread state, see app.h
using Handler = std::function<Response(Context&, Request&)>;

enum class Access {
  kPublic,    // anyone (login page, static health)
  kUser,      // a logged-in user (an admin, or a client user: handlers check the entity is theirs)
  kAdmin,     // a logged-in admin
  kFeedback,  // the feedback API: token checked by the handler, no CSRF
  kMetrics,   // GET /metrics: the metrics access policy (client address, bearer token), no session
};

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kUser;
  Handler handler;
  // A request other than GET or HEAD may change what a page shows: it ends
  // a write generation (shared_reading.h). False only for a route that
  // writes nothing any page shares (a task's log lines).
  bool changes_pages = true;
};

class Router {
 public:
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;  // null: not found or method not allowed
    bool method_not_allowed = false;
    std::map<std::string, std::string> captures;
  };
  Match Find(const std::string& method, const std::string& path) const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;
  };
  std::vector<Compiled> routes_;
};

// Splits "/a/b/" into {"a", "b"}.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace aegir::web
