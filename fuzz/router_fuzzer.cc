// Routing: Router::Find and SplitPath (fcgi-app/router.h) over a route
// table like aegir-web's (fcgi-app/handlers.cc, AddRoutes), with every kind
// of pattern it uses: literals, "{id}" and other captures, several routes on
// one path with different methods.
//
// The input is "METHOD PATH" (just a path means GET). Checked:
// - SplitPath gives the non-empty '/'-separated parts, none holding '/';
// - a match is the first route of the table, in order, whose pattern a
//   reference matcher (a regular expression made from the pattern here)
//   accepts with the method (HEAD also matching GET), its captures are the
//   pattern's, an "id" capture is 1 to 18 digits, and putting the captures
//   back into the pattern gives the path again;
// - "method not allowed" exactly when the path matches some route but no
//   route with this method, and "not found" when no route matches the path.
#include <cstdint>
#include <string>
#include <vector>

#include "fcgi-app/router.h"
#include "fuzz/fuzz_check.h"

namespace {

using aegir::fuzz::Show;
using aegir::web::Route;
using aegir::web::Router;

struct Entry {
  const char* method;
  const char* pattern;
};

// As in AddRoutes, plus a capture not named id and a route whose literal
// follows a capture, so both kinds of segment are tried in every position.
const std::vector<Entry>& Table() {
  static const std::vector<Entry> table = {
      {"GET", "/login"},
      {"POST", "/login"},
      {"POST", "/logout"},
      {"GET", "/"},
      {"GET", "/servers"},
      {"GET", "/servers/add"},
      {"POST", "/servers/add"},
      {"GET", "/servers/{id}"},
      {"GET", "/servers/{id}/edit"},
      {"POST", "/servers/{id}/edit"},
      {"POST", "/servers/{id}/forget-host-key"},
      {"GET", "/platforms"},
      {"GET", "/platforms/add"},
      {"POST", "/platforms/add"},
      {"GET", "/platforms/{id}"},
      {"GET", "/sites"},
      {"GET", "/sites/add"},
      {"POST", "/sites/add"},
      {"GET", "/sites/{id}"},
      {"GET", "/sites/{id}/edit"},
      {"POST", "/sites/{id}/edit"},
      {"GET", "/servers/{id}/run/{operation}"},
      {"POST", "/servers/{id}/run/{operation}"},
      {"GET", "/platforms/{id}/run/{operation}"},
      {"POST", "/platforms/{id}/run/{operation}"},
      {"GET", "/sites/{id}/run/{operation}"},
      {"POST", "/sites/{id}/run/{operation}"},
      {"GET", "/clients"},
      {"POST", "/clients"},
      {"GET", "/tasks"},
      {"GET", "/tasks/{id}"},
      {"GET", "/tasks/{id}/log"},
      {"POST", "/tasks/{id}/cancel"},
      {"POST", "/api/tasks/{id}/start"},
      {"POST", "/api/tasks/{id}/log"},
      {"POST", "/api/tasks/{id}/finish"},
      {"POST", "/api/tasks/{id}/feedback"},
      {"GET", "/account"},
      {"POST", "/account/password"},
      {"GET", "/static/{file}"},
      {"GET", "/{page}/help"},
  };
  return table;
}

const Router& TheRouter() {
  static const Router router = [] {
    Router r;
    for (const auto& e : Table()) r.Add(Route{e.method, e.pattern, aegir::web::Access::kPublic, nullptr});
    return r;
  }();
  return router;
}

// The parts of a path, found by scanning for runs of non-'/' characters.
std::vector<std::string> Parts(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t b = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > b) out.push_back(path.substr(b, i - b));
  }
  return out;
}

std::string EscapeForRegex(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// The pattern as a regular expression over "/part/part" ("" for no parts).
std::string PatternRegex(const std::string& pattern) {
  std::string re;
  for (const auto& seg : Parts(pattern)) {
    re += "/";
    if (seg == "{id}") {
      re += "[0-9]{1,18}";
    } else if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      re += "[^/]+";
    } else {
      re += EscapeForRegex(seg);
    }
  }
  return re;
}

bool PathMatches(const std::string& pattern, const std::vector<std::string>& parts) {
  if (Parts(pattern).size() != parts.size()) return false;  // also keeps the regex input short
  std::string joined;
  for (const auto& p : parts) joined += "/" + p;
  return aegir::fuzz::FullMatch(joined, PatternRegex(pattern));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in = aegir::fuzz::Input(data, size);
  size_t space = in.find(' ');
  const std::string method = space == std::string::npos ? "GET" : in.substr(0, space);
  const std::string path = space == std::string::npos ? in : in.substr(space + 1);

  const auto split = aegir::web::SplitPath(path);
  const auto parts = Parts(path);
  FUZZ_CHECK_MSG(split == parts, "SplitPath(" + Show(path) + ")");
  for (const auto& p : split) FUZZ_CHECK(!p.empty() && p.find('/') == std::string::npos);

  const Router::Match m = TheRouter().Find(method, path);

  // The reference: the first route matching path and method, and whether
  // any route matches the path at all.
  const Entry* expected = nullptr;
  bool path_known = false;
  // Long paths have too many parts for any pattern; skip the regexes.
  if (parts.size() <= 8) {
    for (const auto& e : Table()) {
      if (!PathMatches(e.pattern, parts)) continue;
      path_known = true;
      if (e.method == method || (method == "HEAD" && std::string(e.method) == "GET")) {
        expected = &e;
        break;
      }
    }
  }
  if (!expected) {
    FUZZ_CHECK_MSG(m.route == nullptr, Show(method) + " " + Show(path) + " matched " + m.route->pattern);
    FUZZ_CHECK_MSG(m.method_not_allowed == path_known, Show(method) + " " + Show(path));
    return 0;
  }
  FUZZ_CHECK_MSG(m.route != nullptr, Show(method) + " " + Show(path) + " should match " + expected->pattern);
  FUZZ_CHECK_MSG(m.route->pattern == expected->pattern && m.route->method == expected->method,
                 Show(method) + " " + Show(path) + " matched " + m.route->method + " " + m.route->pattern +
                     ", expected " + expected->method + " " + expected->pattern);
  FUZZ_CHECK(!m.method_not_allowed);

  // The captures, put back into the pattern, give the path's parts.
  std::vector<std::string> rebuilt;
  size_t captured = 0;
  for (const auto& seg : Parts(m.route->pattern)) {
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      auto it = m.captures.find(seg.substr(1, seg.size() - 2));
      FUZZ_CHECK_MSG(it != m.captures.end(), "no capture for " + seg);
      FUZZ_CHECK(!it->second.empty() && it->second.find('/') == std::string::npos);
      if (seg == "{id}") {
        FUZZ_CHECK_MSG(it->second.size() <= 18 && aegir::fuzz::AllDigits(it->second), "id " + Show(it->second));
      }
      rebuilt.push_back(it->second);
      ++captured;
    } else {
      rebuilt.push_back(seg);
    }
  }
  FUZZ_CHECK(captured == m.captures.size());
  FUZZ_CHECK_MSG(rebuilt == parts, "captures of " + Show(path) + " do not give it back");
  return 0;
}
