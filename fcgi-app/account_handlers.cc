// Route handlers for accounts: users and their roles (admin only), one-time
// password links, a user's own password, clients and the platforms their
// users may use, and the audit log.
//
// Aegir never shows, sends or stores a password: an admin adds a user and
// hands over a one-time link (only its SHA-256 is stored) with which the user
// chooses their password.
#include <algorithm>
#include <regex>
#include <set>

#include "common/crypto.h"
#include "common/job.h"
#include "common/log.h"
#include "common/text.h"
#include "fcgi-app/handlers.h"
#include "fcgi-app/operation_form.h"
#include "fcgi-app/views.h"

namespace aegir::web {
namespace {

constexpr int kPasswordLinkTtlS = 24 * 3600;
constexpr size_t kMinPasswordBytes = 12;
constexpr size_t kMaxPasswordBytes = 1024;
constexpr int kAuditPerPage = 100;

// A wrong current password on the account page counts as a failed login
// (handlers.h), so the form cannot be used to guess it.

// "" when the new password is acceptable, else what is wrong with it.
std::string CheckNewPassword(const std::string& user_name, const std::string& password, const std::string& repeat) {
  if (password.size() < kMinPasswordBytes) {
    return "The password is too short: use at least " + std::to_string(kMinPasswordBytes) + " characters.";
  }
  if (password.size() > kMaxPasswordBytes) return "The password is too long (at most 1024 characters).";
  if (password != repeat) return "The two passwords differ; type the same one twice.";
  if (password == user_name) return "The password must not be the user name.";
  return "";
}

// The clients ticked in a form (client_<id> checkboxes), among those that exist.
std::set<int64_t> TickedClients(const Request& req, const std::vector<store::Client>& clients) {
  std::set<int64_t> out;
  for (const auto& c : clients) {
    if (req.Form("client_" + std::to_string(c.id)) == "1") out.insert(c.id);
  }
  return out;
}

// A client user acts for at least one client; an admin for none (all).
void CheckClients(views::UserForm& form) {
  if (!form.is_admin && form.client_ids.empty()) {
    form.errors.push_back("Clients: a client user acts for at least one client; tick one (or make an administrator).");
  }
  if (form.is_admin) form.client_ids.clear();
}

// Makes a new one-time link for the user and shows it once.
Response NewPasswordLink(Context& ctx, int64_t user_id, const std::string& user_name) {
  std::string token = crypto::RandomHex(32);
  Status s = store::SetPasswordToken(ctx.db, user_id, crypto::Sha256Hex(token), kPasswordLinkTtlS);
  if (!s.ok()) return StoreError(ctx, s);
  Audit(ctx, "user-password-link", "user", user_id, {{"name", user_name}});
  return views::PasswordLink(ctx, user_id, user_name, ctx.config.public_url + "/password/" + token,
                             kPasswordLinkTtlS / 3600);
}

// ---- Users (admin) ----

// The users' list by name: q (the name starts with it), role (admin,
// client) and state (active, disabled) narrow it; after/before page.
Result<std::vector<store::User>> UserPage(Context& ctx, views::NameListPage& page) {
  return PageByName<store::User>(
      page,
      [&](const store::NamePage& q) {
        return store::ListUsersPage(ctx.db, q, page.filters["role"], page.filters["state"]);
      },
      [](const store::User& u) { return u.name; });
}

Response UserList(Context& ctx, Request& req) {
  views::NameListPage page;
  if (std::string bad = ReadNameList(req, page); !bad.empty()) return views::Error(ctx, 400, bad, "/users");
  for (auto [name, allowed] : {std::pair<const char*, std::vector<std::string>>{"role", {"admin", "client"}},
                               {"state", {"active", "disabled"}}}) {
    std::string v = req.Query(name);
    if (!v.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      return views::Error(ctx, 400, std::string("The '") + name + "' parameter must be " + Join(allowed, " or ") + ".",
                          "/users");
    }
    page.filters[name] = v;
  }
  auto users = UserPage(ctx, page);
  if (!users.ok()) return StoreError(ctx, users.status());
  auto clients = store::ListClients(ctx.db);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  return views::Users(ctx, *users, *clients, {}, 200, page);
}

Response UserAdd(Context& ctx, Request& req) {
  views::NameListPage page;
  auto users = UserPage(ctx, page);
  if (!users.ok()) return StoreError(ctx, users.status());
  auto clients = store::ListClients(ctx.db);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  views::UserForm form;
  form.name = req.Form("name");
  form.is_admin = req.Form("is_admin") == "1";
  form.client_ids = TickedClients(req, *clients);
  if (!IsValidUserName(form.name)) {
    form.errors.push_back("User name: 1 to 32 lower-case letters, digits, '_' and '-', starting with a letter or '_'.");
  }
  CheckClients(form);
  if (!form.errors.empty()) return views::Users(ctx, *users, *clients, form, 422, page);
  // No password: "" never verifies. The user chooses one through the link.
  auto id = store::CreateUser(ctx.db, form.name, "", form.is_admin);
  if (!id.ok()) {
    if (id.status().code() == Code::kConflict) {
      form.errors.push_back("User name: " + form.name + " exists already.");
      return views::Users(ctx, *users, *clients, form, 409, page);
    }
    return StoreError(ctx, id.status());
  }
  std::vector<int64_t> client_ids(form.client_ids.begin(), form.client_ids.end());
  if (Status s = store::UpdateUser(ctx.db, *id, form.is_admin, true, client_ids); !s.ok()) return StoreError(ctx, s);
  Audit(ctx, "user-add", "user", *id,
        {{"name", form.name}, {"admin", form.is_admin}, {"client_ids", client_ids}});
  log::Info("user " + form.name + " added by " + ctx.actor.name);
  return NewPasswordLink(ctx, *id, form.name);
}

std::optional<Response> FindUser(Context& ctx, Request& req, store::User& out) {
  return FindById(ctx, req, store::GetUser, "user", out);
}

Response UserView(Context& ctx, Request& req) {
  store::User user;
  if (auto missing = FindUser(ctx, req, user)) return *missing;
  auto clients = store::ListClients(ctx.db);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  views::UserForm form;
  form.id = user.id;
  form.is_admin = user.is_admin;
  form.active = user.active;
  form.client_ids.insert(user.client_ids.begin(), user.client_ids.end());
  return views::User(ctx, user, *clients, form);
}

Response UserEdit(Context& ctx, Request& req) {
  store::User user;
  if (auto missing = FindUser(ctx, req, user)) return *missing;
  auto clients = store::ListClients(ctx.db);
  if (!clients.ok()) return StoreError(ctx, clients.status());
  views::UserForm form;
  form.id = user.id;
  form.is_admin = req.Form("is_admin") == "1";
  form.active = req.Form("active") == "1";
  form.client_ids = TickedClients(req, *clients);
  if (ctx.session->user_id == user.id && (!form.is_admin || !form.active)) {
    form.errors.push_back(
        "You cannot take your own administrator role away or disable yourself; another administrator can.");
  }
  CheckClients(form);
  if (!form.errors.empty()) return views::User(ctx, user, *clients, form, 422);
  std::vector<int64_t> client_ids(form.client_ids.begin(), form.client_ids.end());
  Status s = store::UpdateUser(ctx.db, user.id, form.is_admin, form.active, client_ids);
  if (!s.ok()) return StoreError(ctx, s);
  Audit(ctx, "user-edit", "user", user.id,
        {{"name", user.name}, {"admin", form.is_admin}, {"active", form.active}, {"client_ids", client_ids}});
  Flash(ctx, "User " + user.name + " saved" + (form.active ? "." : ": disabled, and logged out everywhere."));
  return Response::Redirect("/users/" + std::to_string(user.id));
}

Response UserPasswordLink(Context& ctx, Request& req) {
  store::User user;
  if (auto missing = FindUser(ctx, req, user)) return *missing;
  if (!user.active) {
    return views::Error(ctx, 409, "User " + user.name + " is disabled; enable the account first.",
                        "/users/" + std::to_string(user.id));
  }
  return NewPasswordLink(ctx, user.id, user.name);
}

// ---- Password links (anyone holding one) ----

// The user whose live link the route's token is; otherwise the page to answer.
std::optional<Response> FindLinkUser(Context& ctx, Request& req, store::User& out) {
  static const std::regex kToken("^[0-9a-f]{64}$");
  const std::string& token = req.route["token"];
  auto gone = [&]() {
    return views::Error(ctx, 404,
                        "This password link is not valid: it was used already, replaced by a newer one, or it "
                        "expired. Ask an administrator for a new one.",
                        "/login");
  };
  if (!std::regex_match(token, kToken)) return gone();
  auto user = store::FindUserByPasswordToken(ctx.db, crypto::Sha256Hex(token));
  if (!user.ok()) return StoreError(ctx, user.status());
  if (!*user) return gone();
  out = **user;
  return std::nullopt;
}

Response PasswordLinkForm(Context& ctx, Request& req) {
  store::User user;
  if (auto bad = FindLinkUser(ctx, req, user)) return *bad;
  if (Status st = EnsureSession(ctx); !st.ok()) return StoreError(ctx, st);
  return views::PasswordForm(ctx, user.name, req.path, "");
}

Response PasswordLinkSubmit(Context& ctx, Request& req) {
  store::User user;
  if (auto bad = FindLinkUser(ctx, req, user)) return *bad;
  std::string password = req.Form("password");
  if (std::string error = CheckNewPassword(user.name, password, req.Form("repeat")); !error.empty()) {
    return views::PasswordForm(ctx, user.name, req.path, error, 422);
  }
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) return StoreError(ctx, hash.status());
  Status s = store::SetPassword(ctx.db, user.id, *hash);
  if (!s.ok()) return StoreError(ctx, s);
  ctx.actor.user_id = user.id;
  ctx.actor.name = user.name;
  Audit(ctx, "password-set", "user", user.id, {{"by", "link"}});
  return views::Notice(ctx, "Password set", "You can now log in as " + user.name + ".", "/login", "Log in");
}

// ---- The user's own account ----

Response AccountPage(Context& ctx, Request& req) { return views::Account(ctx, "", ""); }

Response AccountPassword(Context& ctx, Request& req) {
  const std::string& name = ctx.session->user_name;
  auto failures = store::CountLoginFailures(ctx.db, name, req.remote_addr, kFailureWindowMin);
  if (!failures.ok()) return StoreError(ctx, failures.status());
  if (failures->for_name >= kMaxFailuresPerName) {
    return views::Account(ctx,
                          "Too many wrong passwords. Wait " + std::to_string(kFailureWindowMin) +
                              " minutes, then try again.",
                          "", 429);
  }
  auto user = store::FindUserByName(ctx.db, name);
  if (!user.ok()) return StoreError(ctx, user.status());
  if (!*user || !crypto::VerifyPassword((*user)->password_hash, req.Form("current"))) {
    if (Status s = store::RecordLoginFailure(ctx.db, name, req.remote_addr); !s.ok()) return StoreError(ctx, s);
    Audit(ctx, "password-change-failed", "user", ctx.session->user_id, {{"why", "wrong current password"}});
    return views::Account(ctx, "The current password is wrong; nothing was changed.", "", 403);
  }
  std::string password = req.Form("password");
  if (std::string error = CheckNewPassword(name, password, req.Form("repeat")); !error.empty()) {
    return views::Account(ctx, error + " Nothing was changed.", "", 422);
  }
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) return StoreError(ctx, hash.status());
  Status s = store::SetPassword(ctx.db, (*user)->id, *hash, ctx.session->id_hash);
  if (!s.ok()) return StoreError(ctx, s);
  Audit(ctx, "password-set", "user", (*user)->id, {{"by", "account"}});
  return views::Account(ctx, "", "Your password was changed; your other sessions have ended.");
}

// ---- Clients (admin) ----

std::optional<Response> FindClient(Context& ctx, Request& req, store::Client& out) {
  return FindById(ctx, req, store::GetClient, "client", out);
}

Response ClientPage(Context& ctx, const store::Client& client) {
  auto users = store::ListClientUsers(ctx.db, client.id);
  if (!users.ok()) return StoreError(ctx, users.status());
  auto platforms = store::ListPlatforms(ctx.db);
  if (!platforms.ok()) return StoreError(ctx, platforms.status());
  auto allowed = store::ListClientPlatforms(ctx.db, client.id);
  if (!allowed.ok()) return StoreError(ctx, allowed.status());
  // Its first sites by domain, and how many it has: /sites?client= lists them all.
  store::SiteFilter of_client;
  of_client.client_id = client.id;
  auto sites = store::ListSites(ctx.db, of_client, "", "", kSitesShownOnPage);
  if (!sites.ok()) return StoreError(ctx, sites.status());
  auto site_count = store::CountClientSites(ctx.db, client.id);
  if (!site_count.ok()) return StoreError(ctx, site_count.status());
  return views::Client(ctx, client, *users, *platforms, std::set<int64_t>(allowed->begin(), allowed->end()), *sites,
                       *site_count);
}

Response ClientView(Context& ctx, Request& req) {
  store::Client client;
  if (auto missing = FindClient(ctx, req, client)) return *missing;
  return ClientPage(ctx, client);
}

Response ClientPlatforms(Context& ctx, Request& req) {
  store::Client client;
  if (auto missing = FindClient(ctx, req, client)) return *missing;
  auto platforms = store::ListPlatforms(ctx.db);
  if (!platforms.ok()) return StoreError(ctx, platforms.status());
  std::vector<int64_t> chosen;
  for (const auto& p : *platforms) {
    if (req.Form("platform_" + std::to_string(p.id)) == "1") chosen.push_back(p.id);
  }
  if (Status s = store::SetClientPlatforms(ctx.db, client.id, chosen); !s.ok()) return StoreError(ctx, s);
  Audit(ctx, "client-platforms", "client", client.id, {{"name", client.name}, {"platform_ids", chosen}});
  // Answered with a redirect (and the message shown once there), so that
  // reloading the page does not post the form again.
  Flash(ctx, "Saved: its users may use " + std::to_string(chosen.size()) + " platform(s).");
  return Response::Redirect("/clients/" + std::to_string(client.id));
}

// ---- The audit log (admin) ----

Response AuditList(Context& ctx, Request& req) {
  IdPageKeys keys;
  if (std::string wrong = ReadIdPageKeys(req, "an entry number", keys); !wrong.empty()) {
    return views::Error(ctx, 400, wrong, "/audit");
  }
  store::AuditFilter filter;
  if (std::string u = req.Query("user"); !u.empty()) {
    filter.user_id = ParseId(u);
    if (!filter.user_id) return views::Error(ctx, 400, "The 'user' parameter must be a user number.", "/audit");
  }
  filter.action = req.Query("action");
  filter.action.erase(0, filter.action.find_first_not_of(' '));
  filter.action.erase(filter.action.find_last_not_of(' ') + 1);
  if (!IsCleanText(filter.action, 64)) {
    return views::Error(ctx, 400, "Action: give an action's name, at most 64 characters.", "/audit");
  }
  for (const char* type : {"server", "platform", "site", "client"}) {
    std::string v = req.Query(type);
    if (v.empty()) continue;
    if (filter.entity_id) return views::Error(ctx, 400, "Give one entity to narrow to, not two.", "/audit");
    filter.entity_id = ParseId(v);
    if (!filter.entity_id) {
      return views::Error(ctx, 400, std::string("The '") + type + "' parameter must be a number.", "/audit");
    }
    filter.entity_type = type;
  }
  auto entries = store::ListAudit(ctx.db, filter, keys.before, kAuditPerPage + 1, keys.after);
  if (!entries.ok()) return StoreError(ctx, entries.status());
  int64_t newer = 0, older = 0;
  TrimIdPage(*entries, kAuditPerPage, keys, newer, older);
  return views::Audit(ctx, *entries, newer, older, filter, keys.first());
}

}  // namespace

void AddAccountRoutes(Router& r) {
  r.Add({"GET", "/users", Access::kAdmin, UserList});
  r.Add({"POST", "/users", Access::kAdmin, UserAdd});
  r.Add({"GET", "/users/{id}", Access::kAdmin, UserView});
  r.Add({"POST", "/users/{id}", Access::kAdmin, UserEdit});
  r.Add({"POST", "/users/{id}/password-link", Access::kAdmin, UserPasswordLink});
  r.Add({"GET", "/password/{token}", Access::kPublic, PasswordLinkForm});
  r.Add({"POST", "/password/{token}", Access::kPublic, PasswordLinkSubmit});
  r.Add({"GET", "/account", Access::kUser, AccountPage});
  r.Add({"POST", "/account/password", Access::kUser, AccountPassword});
  r.Add({"GET", "/clients/{id}", Access::kAdmin, ClientView});
  r.Add({"POST", "/clients/{id}/platforms", Access::kAdmin, ClientPlatforms});
  r.Add({"GET", "/audit", Access::kAdmin, AuditList});
}

}  // namespace aegir::web
