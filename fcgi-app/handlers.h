// What the route handlers share (handlers.cc: the hosting model and tasks;
// account_handlers.cc: users, clients, passwords and the audit log).
#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fcgi-app/app.h"
#include "fcgi-app/views.h"

namespace aegir::web {

// Throttling of password guesses (the login form, and the current password
// on one's account page): after kMaxFailuresPerName failures for one account
// name, or kMaxFailuresPerAddress from one address, within kFailureWindowMin
// minutes, passwords are not checked.
inline constexpr int kMaxFailuresPerName = 5;
inline constexpr int kMaxFailuresPerAddress = 20;
inline constexpr int kFailureWindowMin = 15;

// A platform's or a client's page lists at most this many of its sites, and
// links to /sites filtered to it for all of them.
inline constexpr int kSitesShownOnPage = 50;

std::optional<int64_t> ParseId(const std::string& s);
// A store failure as an error page; the details go to the log only.
Response StoreError(const Context& ctx, const Status& s);
// 404: "<what> does not exist."
Response NotFound(const Context& ctx, const std::string& what, const std::string& back);
// Appends to the audit log as the request's actor; a failure is logged.
void Audit(Context& ctx, const std::string& action, const std::string& entity_type, std::optional<int64_t> entity_id,
           const nlohmann::json& details);
// Sets the message the next page shows once ("Backup of blog.example.org
// queued as task #12."), after a form that redirects; a failure is logged.
void Flash(Context& ctx, const std::string& text);
// Makes an anonymous session (for the CSRF token of a form shown before login)
// unless the request has a session; false if it could not be stored.
Status EnsureSession(Context& ctx);

// The row the route's {id} names (name: "user", "client", "site", ...; its
// list is at /<name>s), read with get into out; otherwise the page to answer:
// 404 when the id is malformed or unknown, or when shown(row) is false (a row
// this user may not see looks exactly like one that does not exist).
template <typename T, typename Shown>
std::optional<Response> FindById(Context& ctx, Request& req, Result<std::optional<T>> (*get)(db::Connection&, int64_t),
                                 const std::string& name, T& out, Shown shown) {
  const std::string list = "/" + name + "s";
  auto id = ParseId(req.route["id"]);
  if (!id) return NotFound(ctx, "That " + name, list);
  auto found = get(ctx.db, *id);
  if (!found.ok()) return StoreError(ctx, found.status());
  if (!*found || !shown(**found)) {
    std::string label = name;
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    return NotFound(ctx, label + " " + std::to_string(*id), list);
  }
  out = **found;
  return std::nullopt;
}
template <typename T>
std::optional<Response> FindById(Context& ctx, Request& req, Result<std::optional<T>> (*get)(db::Connection&, int64_t),
                                 const std::string& name, T& out) {
  return FindById(ctx, req, get, name, out, [](const T&) { return true; });
}

// A list newest first by id (tasks, the audit log): its page keys, before=<id>
// (Older: the page below that id) and after=<id> (Newer: the page above it).
struct IdPageKeys {
  int64_t before = 0, after = 0;
  bool first() const { return before == 0 && after == 0; }
};
// Reads them from the query; "" or what is wrong with them (`what`: "a task
// number").
std::string ReadIdPageKeys(const Request& req, const std::string& what, IdPageKeys& keys);
// A page read one row past its far end (the store reads `per_page + 1`,
// newest first either way): drops that row and gives the keys of the Newer
// and Older links (0: none).
template <typename T>
void TrimIdPage(std::vector<T>& rows, size_t per_page, const IdPageKeys& keys, int64_t& newer_after,
                int64_t& older_before) {
  const bool more = rows.size() > per_page;
  newer_after = older_before = 0;
  if (keys.after > 0) {
    if (more) {
      rows.erase(rows.begin());
      newer_after = rows.front().id;
    }
    if (!rows.empty()) older_before = rows.back().id;
  } else {
    if (more) {
      rows.pop_back();
      older_before = rows.back().id;
    }
    if (keys.before > 0 && !rows.empty()) newer_after = rows.front().id;
  }
}

// A list in name order (servers, platforms, clients, users), 50 rows a page.
inline constexpr int kNamesPerPage = 50;

// Reads a list's search (q: the name starts with it) and page keys (after,
// before) from the query; "" or what is wrong with them.
std::string ReadNameList(const Request& req, views::NameListPage& page);

// A page of a list in name order: reads one row more than a page with
// fetch(store::NamePage), and sets the keys of the pages around it in page
// (as the site list does: Previous from a page read backwards that reaches
// the start shows the first page).
template <typename T, typename Fetch, typename Key>
Result<std::vector<T>> PageByName(views::NameListPage& page, Fetch fetch, Key key) {
  store::NamePage q;
  q.prefix = page.q;
  q.limit = kNamesPerPage + 1;
  q.after = page.next_after;    // as read by ReadNameList
  q.before = page.prev_before;
  page.next_after.clear();
  page.prev_before.clear();
  page.first = q.after.empty() && q.before.empty();
  Result<std::vector<T>> rows = fetch(q);
  if (!rows.ok()) return rows;
  const bool more = rows->size() > static_cast<size_t>(kNamesPerPage);
  if (!q.before.empty() && !more) {
    // Back at the start: the first page, full.
    q.before.clear();
    page.first = true;
    rows = fetch(q);
    if (!rows.ok()) return rows;
    if (rows->size() > static_cast<size_t>(kNamesPerPage)) {
      rows->pop_back();
      page.next_after = key(rows->back());
    }
  } else if (!q.before.empty()) {
    rows->erase(rows->begin());  // the extra one is before this page
    page.prev_before = key(rows->front());
    page.next_after = key(rows->back());
  } else {
    if (more) {
      rows->pop_back();
      page.next_after = key(rows->back());
    }
    if (!q.after.empty()) page.prev_before = rows->empty() ? q.after : key(rows->front());
  }
  return rows;
}

void AddAccountRoutes(Router& router);

}  // namespace aegir::web
