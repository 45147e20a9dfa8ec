#include "fcgi-app/router.h"

#include <algorithm>

namespace aegir::web {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

void Router::Add(Route route) {
  Compiled c{std::move(route), {}};
  c.segments = SplitPath(c.route.pattern);
  routes_.push_back(std::move(c));
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match result;
  std::vector<std::string> parts = SplitPath(path);
  for (const auto& c : routes_) {
    if (c.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> captures;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = c.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        std::string name = seg.substr(1, seg.size() - 2);
        if (name == "id" && (parts[i].size() > 18 ||
                             !std::all_of(parts[i].begin(), parts[i].end(), [](char ch) { return ch >= '0' && ch <= '9'; }))) {
          ok = false;
        }
        captures[name] = parts[i];
      } else if (seg != parts[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (c.route.method != method && !(method == "HEAD" && c.route.method == "GET")) {
      result.method_not_allowed = true;
      continue;
    }
    result.route = &c.route;
    result.method_not_allowed = false;
    result.captures = std::move(captures);
    return result;
  }
  return result;
}

}  // namespace aegir::web
