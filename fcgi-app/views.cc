#include "fcgi-app/views.h"

#include <ctemplate/template.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "common/protocol.h"
#include "common/text.h"
#include "fcgi-app/services.h"

namespace aegir::web::views {
namespace {

using ctemplate::TemplateDictionary;

// The names the page frame and the site list set, made once: a name given
// as a plain string is hashed, and registered in ctemplate's global table
// of names under its lock, each time it is set (with 50 rows, most of the
// site list's rendering time went there). STS_INIT registers it at start.
#define AEGIR_TEMPLATE_NAME(var, text) const ctemplate::StaticTemplateString var = STS_INIT(var, text)
AEGIR_TEMPLATE_NAME(kTitle, "TITLE");
AEGIR_TEMPLATE_NAME(kUser, "USER");
AEGIR_TEMPLATE_NAME(kName, "NAME");
AEGIR_TEMPLATE_NAME(kCsrf, "CSRF");
AEGIR_TEMPLATE_NAME(kBody, "BODY");
AEGIR_TEMPLATE_NAME(kIsAdmin, "IS_ADMIN");
AEGIR_TEMPLATE_NAME(kIsClientUser, "IS_CLIENT_USER");
AEGIR_TEMPLATE_NAME(kQ, "Q");
AEGIR_TEMPLATE_NAME(kStatusOption, "STATUS_OPTION");
AEGIR_TEMPLATE_NAME(kValue, "VALUE");
AEGIR_TEMPLATE_NAME(kSelected, "SELECTED");
AEGIR_TEMPLATE_NAME(kPlatformFilter, "PLATFORM_FILTER");
AEGIR_TEMPLATE_NAME(kClientFilter, "CLIENT_FILTER");
AEGIR_TEMPLATE_NAME(kNarrowed, "NARROWED");
AEGIR_TEMPLATE_NAME(kWhat, "WHAT");
AEGIR_TEMPLATE_NAME(kHref, "HREF");
AEGIR_TEMPLATE_NAME(kNoSites, "NO_SITES");
AEGIR_TEMPLATE_NAME(kNoMatch, "NO_MATCH");
AEGIR_TEMPLATE_NAME(kNoMoreSites, "NO_MORE_SITES");
AEGIR_TEMPLATE_NAME(kHasSites, "HAS_SITES");
AEGIR_TEMPLATE_NAME(kSiteOfAdmin, "SITE_OF_ADMIN");
AEGIR_TEMPLATE_NAME(kSiteOfClientUser, "SITE_OF_CLIENT_USER");
AEGIR_TEMPLATE_NAME(kRows, "ROWS");
AEGIR_TEMPLATE_NAME(kId, "ID");
AEGIR_TEMPLATE_NAME(kDomain, "DOMAIN");
AEGIR_TEMPLATE_NAME(kPlatformId, "PLATFORM_ID");
AEGIR_TEMPLATE_NAME(kPlatformName, "PLATFORM_NAME");
AEGIR_TEMPLATE_NAME(kServerName, "SERVER_NAME");
AEGIR_TEMPLATE_NAME(kClientName, "CLIENT_NAME");
AEGIR_TEMPLATE_NAME(kStatus, "STATUS");
AEGIR_TEMPLATE_NAME(kCreatedAt, "CREATED_AT");
AEGIR_TEMPLATE_NAME(kCreatedIso, "CREATED_ISO");
AEGIR_TEMPLATE_NAME(kCreatedAgo, "CREATED_AGO");
AEGIR_TEMPLATE_NAME(kPager, "PAGER");
AEGIR_TEMPLATE_NAME(kFirst, "FIRST");
AEGIR_TEMPLATE_NAME(kPrevious, "PREVIOUS");
AEGIR_TEMPLATE_NAME(kNext, "NEXT");
#undef AEGIR_TEMPLATE_NAME

std::optional<int64_t> g_now_for_testing;

int64_t Now() { return g_now_for_testing ? *g_now_for_testing : static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

// By hand rather than with sscanf and timegm: every list shows a time or two
// per row, and those two took about 15% of aegir-web's CPU for a page of 50
// sites (perf, on the site list served without its queries). The day count
// is the proleptic Gregorian calendar's, as timegm's (views_test compares
// them day by day).
std::optional<int64_t> ParseUtc(const std::string& at) {
  if (at.size() != 19 || at[4] != '-' || at[7] != '-' || at[10] != ' ' || at[13] != ':' || at[16] != ':') {
    return std::nullopt;
  }
  int bad = 0;
  auto num = [&](size_t from, size_t len) {
    int v = 0;
    for (size_t i = from; i < from + len; ++i) {
      const char c = at[i];
      if (c < '0' || c > '9') ++bad;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), sec = num(17, 2);
  if (bad || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // Days since 1970-01-01 of the civil date, counting years from March so
  // that the leap day is the last of its year.
  const int64_t ym = mo <= 2 ? y - 1 : y;
  const int64_t era = (ym >= 0 ? ym : ym - 399) / 400;
  const int64_t year_of_era = ym - era * 400;
  const int64_t day_of_year = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const int64_t days = era * 146097 + day_of_era - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

void SetTime(TemplateDictionary& d, const std::string& name, const std::string& at) {
  if (at.empty()) return;
  TemplateDictionary* t = d.AddSectionDictionary(name);
  t->SetValue("AT", at);
  t->SetValue("ISO", IsoTime(at));
  t->SetValue("AGO", Ago(at));
}

void ShowRole(const Context& ctx, TemplateDictionary& d) {
  if (!ctx.session || !ctx.session->user_id) return;
  d.ShowSection(ctx.session->is_admin ? kIsAdmin : kIsClientUser);
}

namespace {


// "Verify server" for "server-verify"; the name itself if the catalogue no
// longer has the operation.
std::string OperationTitle(const Context& ctx, const std::string& name) {
  const Operation* op = ctx.catalogue.Find(name);
  return op ? op->title : name;
}

// A TASK row in `parent` with what every task row shows: its number,
// operation, entity and state.
TemplateDictionary* FillTaskRow(const Context& ctx, TemplateDictionary& parent, const store::Task& t) {
  TemplateDictionary* row = parent.AddSectionDictionary("TASK");
  row->SetIntValue("ID", t.id);
  row->SetValue("OPERATION", OperationTitle(ctx, t.operation));
  row->SetValue("ENTITY_TYPE", t.entity_type);
  row->SetIntValue("ENTITY_ID", t.entity_id);
  row->SetValue("ENTITY_LABEL", t.entity_label);
  row->SetValue("STATE", t.state);
  return row;
}

void FillTaskTable(const Context& ctx, TemplateDictionary& parent, const std::vector<store::Task>& tasks) {
  TemplateDictionary* table = parent.AddIncludeDictionary("TASK_TABLE");
  table->SetFilename("task_table.tpl");
  if (tasks.empty()) {
    table->ShowSection("NO_TASKS");
    return;
  }
  table->ShowSection("HAS_TASKS");
  for (const auto& t : tasks) {
    TemplateDictionary* row = FillTaskRow(ctx, *table, t);
    SetTime(*row, "CREATED", t.created_at);
    row->SetValue("CREATED_BY", t.created_by);
  }
}

// A short list of tasks (the dashboard's running, queued and failed ones):
// section `name` with a TASK row each, or `name`_NONE.
void FillTaskList(const Context& ctx, TemplateDictionary& b, const std::string& name,
                  const std::vector<store::Task>& tasks) {
  if (tasks.empty()) {
    b.ShowSection(name + "_NONE");
    return;
  }
  TemplateDictionary* list = b.AddSectionDictionary(name);
  for (const auto& t : tasks) {
    TemplateDictionary* row = FillTaskRow(ctx, *list, t);
    // Running: since it started; queued: since it was queued; ended: when it ended.
    SetTime(*row, "WHEN", !t.finished_at.empty() ? t.finished_at : !t.started_at.empty() ? t.started_at : t.created_at);
    if (!t.reason.empty()) row->AddSectionDictionary("REASON")->SetValue("TEXT", t.reason);
  }
}

// /sites with the filter's parameters, and a page key (key_name "after" or
// "before") when given.
std::string SitesHref(const store::SiteFilter& f, const std::string& key_name = "", const std::string& key = "") {
  std::vector<std::string> params;
  if (!f.prefix.empty()) params.push_back("q=" + UrlEncode(f.prefix));
  if (!f.status.empty()) params.push_back("status=" + UrlEncode(f.status));
  if (f.platform_id) params.push_back("platform=" + std::to_string(*f.platform_id));
  if (f.client_id) params.push_back("client=" + std::to_string(*f.client_id));
  if (!key_name.empty()) params.push_back(key_name + "=" + UrlEncode(key));
  return params.empty() ? "/sites" : "/sites?" + Join(params, "&");
}

// A platform's or a client's first sites (SITE rows), how many it has, and
// when there are more, the link to all of them on /sites (ALL_SITES).
void FillSomeSites(TemplateDictionary& b, const std::vector<store::Site>& sites, int64_t count,
                   const store::SiteFilter& all) {
  b.SetIntValue("SITE_COUNT", count);
  if (sites.empty()) b.ShowSection("NO_SITES");
  for (const auto& s : sites) {
    TemplateDictionary* row = b.AddSectionDictionary("SITE");
    row->SetIntValue("ID", s.id);
    row->SetValue("DOMAIN", s.domain);
    row->SetValue("STATUS", s.status);
  }
  if (count > static_cast<int64_t>(sites.size())) {
    TemplateDictionary* more = b.AddSectionDictionary("ALL_SITES");
    more->SetIntValue("SHOWN", static_cast<int64_t>(sites.size()));
    more->SetIntValue("COUNT", count);
    more->SetValue("HREF", SitesHref(all));
  }
}

// A form's field: the label its messages start with ("Domain: ...") and the
// id of its input.
struct FieldRef {
  const char* label;
  const char* id;
};

// The errors of a form: the summary at its top (ERRORS, each ERROR linking
// to its field when it names one), and next to each field named in
// `fields` its first message (section ERR_<ID>, upper case: the template
// marks the input aria-invalid and describes it by "<id>-error").
void FillErrors(TemplateDictionary& body, const std::vector<std::string>& errors,
                const std::vector<FieldRef>& fields = {}) {
  if (errors.empty()) return;
  TemplateDictionary* box = body.AddSectionDictionary("ERRORS");
  std::set<std::string> marked;
  for (const auto& e : errors) {
    TemplateDictionary* row = box->AddSectionDictionary("ERROR");
    row->SetValue("MESSAGE", e);
    for (const auto& f : fields) {
      const std::string prefix = std::string(f.label) + ": ";
      if (e.rfind(prefix, 0) != 0) continue;
      row->AddSectionDictionary("LINK")->SetValue("HREF", std::string("#") + f.id);
      if (marked.insert(f.id).second) {
        std::string section = std::string("ERR_") + f.id;
        for (auto& c : section) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        body.AddSectionDictionary(section)->SetValue("MESSAGE", e.substr(prefix.size()));
      }
      break;
    }
  }
}

const char* HeadingFor(int status) {
  switch (status) {
    case 400: case 422: return "That did not work";
    case 403: return "Not allowed";
    case 404: return "Not found";
    case 405: return "Not allowed";
    case 409: return "Conflict";
    case 413: return "Too large";
    case 503: return "Temporarily unavailable";
    default: return "Something went wrong";
  }
}

}  // namespace

Page::Page(const Context& ctx, const std::string& title, const std::string& nav, const std::string& body_template)
    : root_("page") {
  root_.SetValue(kTitle, title);
  if (ctx.session && ctx.session->user_id) {
    TemplateDictionary* user = root_.AddSectionDictionary(kUser);
    user->SetValue(kName, ctx.session->user_name);
    user->SetValue(kCsrf, ctx.session->csrf_token);
    if (!nav.empty()) user->ShowSection("NAV_" + nav);
    ShowRole(ctx, *user);
  }
  // The one-time message of the request before (a form that redirected).
  if (ctx.session && !ctx.session->flash.empty()) {
    root_.AddSectionDictionary("FLASH")->SetValue("MESSAGE", ctx.session->flash);
  }
  body_ = root_.AddIncludeDictionary(kBody);
  body_->SetFilename(body_template);
  ShowRole(ctx, *body_);
  // Template-global: included templates (operation buttons, fields) see it too.
  if (ctx.session) root_.SetTemplateGlobalValue(kCsrf, ctx.session->csrf_token);
}

Response Page::Finish(int status) {
  Response r;
  r.status = status;
  if (!ctemplate::ExpandTemplate("page.tpl", ctemplate::STRIP_BLANK_LINES, &root_, &r.body)) {
    r.status = 500;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "The page could not be rendered (template error); see aegir-web's log.\n";
  }
  return r;
}

// The values roles posted back, as the task page shows them. Only the keys a
// user reads; what aegir-web records for itself (on_success...) stays out.
static void FillResults(TemplateDictionary& b, const std::string& results_json) {
  if (results_json.empty()) return;
  auto j = nlohmann::json::parse(results_json, nullptr, false);
  if (!j.is_object()) return;
  static const std::pair<const char*, const char*> kShown[] = {
      {"backup_path", "Backup"},           {"backup_size", "Backup size (bytes)"},
      {"backup_deleted", "Deleted backup"}, {"deployed_commit", "Deployed commit"},
      {"db_name", "Database"},             {"login_url", "One-time login link"},
      {"sites_found", "Sites found"}};
  bool any = false;
  for (const auto& [key, label] : kShown) {
    if (!j.contains(key)) continue;
    const auto& v = j[key];
    std::string text;
    if (v.is_string()) {
      text = v.get<std::string>();
    } else if (v.is_array()) {
      for (const auto& item : v) text += (text.empty() ? "" : ", ") + (item.is_string() ? item.get<std::string>() : item.dump());
      if (v.empty()) text = "none";  // a platform with no sites yet
    } else {
      text = v.dump();
    }
    TemplateDictionary* row = b.AddSectionDictionary("RESULT");
    row->SetValue("LABEL", label);
    row->SetValue("VALUE", text);
    row->SetValue("KEY", key);
    if (std::string(key) == "login_url") row->AddSectionDictionary("LINK")->SetValue("URL", text);
    else row->ShowSection("PLAIN");
    any = true;
  }
  if (any) b.ShowSection("HAS_RESULTS");
}

bool IsFinalState(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled";
}

void SetNowForTesting(std::optional<int64_t> now) { g_now_for_testing = now; }

std::string Ago(const std::string& utc) {
  auto at = ParseUtc(utc);
  if (!at) return utc;
  int64_t s = Now() - *at;
  char buf[64];
  // A little ahead (clocks differ by a second or two) is "just now".
  if (s < -60) {
    int64_t ahead = -s;
    if (ahead < 3600) {
      std::snprintf(buf, sizeof buf, "in %lld min", static_cast<long long>(ahead / 60));
    } else if (ahead < 6 * 3600) {
      std::snprintf(buf, sizeof buf, "in %lld h %02lld min", static_cast<long long>(ahead / 3600),
                    static_cast<long long>(ahead / 60 % 60));
    } else if (ahead < 48 * 3600) {
      std::snprintf(buf, sizeof buf, "in %lld h", static_cast<long long>(ahead / 3600));
    } else {
      std::snprintf(buf, sizeof buf, "on %s", utc.substr(0, 10).c_str());
    }
    return buf;
  }
  if (s < 10) return "just now";
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lld s ago", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lld min ago", static_cast<long long>(s / 60));
  } else if (s < 6 * 3600) {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min ago", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  } else if (s < 24 * 3600) {
    std::snprintf(buf, sizeof buf, "%lld h ago", static_cast<long long>(s / 3600));
  } else if (s < 2 * 24 * 3600) {
    return "yesterday";
  } else if (s < 30 * 24 * 3600) {
    std::snprintf(buf, sizeof buf, "%lld days ago", static_cast<long long>(s / 86400));
  } else {
    std::snprintf(buf, sizeof buf, "on %s", utc.substr(0, 10).c_str());
  }
  return buf;
}

std::string IsoTime(const std::string& utc) {
  if (!ParseUtc(utc)) return utc;  // a check of its form, some nanoseconds
  return utc.substr(0, 10) + "T" + utc.substr(11) + "Z";
}

std::string HumanSize(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

bool NameListPage::filtered() const {
  if (!q.empty()) return true;
  for (const auto& [name, value] : filters) {
    if (!value.empty()) return true;
  }
  return false;
}

namespace {

// base ("/servers") with the list's search and filters, and a page key
// (key_name "after" or "before") when given.
std::string ListHref(const std::string& base, const NameListPage& page, const std::string& key_name = "",
                     const std::string& key = "") {
  std::vector<std::string> params;
  if (!page.q.empty()) params.push_back("q=" + UrlEncode(page.q));
  for (const auto& [name, value] : page.filters) {
    if (!value.empty()) params.push_back(name + "=" + UrlEncode(value));
  }
  if (!key_name.empty()) params.push_back(key_name + "=" + UrlEncode(key));
  return params.empty() ? base : base + "?" + Join(params, "&");
}

// The search box's value, a filter's options (section `section`, each
// VALUE, LABEL and SELECTED), the empty states and the pager of a list in
// name order. rows: how many the page shows.
void FillNameList(TemplateDictionary& b, const std::string& base, const NameListPage& page, size_t rows,
                  const std::string& noun) {
  b.SetValue("Q", page.q);
  if (rows == 0) {
    b.ShowSection(!page.first ? "NO_MORE" : page.filtered() ? "NO_MATCH" : "NONE_YET");
  } else {
    b.ShowSection("HAS_ROWS");
  }
  if (page.filtered()) {
    TemplateDictionary* n = b.AddSectionDictionary("NARROWED");
    n->SetValue("NOUN", noun);
    n->SetValue("HREF", base);
  }
  if (!page.first || !page.next_after.empty()) {
    TemplateDictionary* pager = b.AddSectionDictionary("PAGER");
    if (!page.first) pager->AddSectionDictionary("FIRST")->SetValue("HREF", ListHref(base, page));
    if (!page.prev_before.empty()) {
      pager->AddSectionDictionary("PREVIOUS")->SetValue("HREF", ListHref(base, page, "before", page.prev_before));
    }
    if (!page.next_after.empty()) {
      pager->AddSectionDictionary("NEXT")->SetValue("HREF", ListHref(base, page, "after", page.next_after));
    }
  }
}

void FillOptions(TemplateDictionary& b, const std::string& section,
                 const std::vector<std::pair<std::string, std::string>>& options, const std::string& chosen) {
  for (const auto& [value, label] : options) {
    TemplateDictionary* o = b.AddSectionDictionary(section);
    o->SetValue("VALUE", value);
    o->SetValue("LABEL", label);
    if (value == chosen) o->ShowSection("SELECTED");
  }
}

std::string FilterValue(const NameListPage& page, const std::string& name) {
  auto it = page.filters.find(name);
  return it == page.filters.end() ? "" : it->second;
}

}  // namespace

Response Error(const Context& ctx, int status, const std::string& message, const std::string& back) {
  Page p(ctx, HeadingFor(status), "", "error.tpl");
  p.body().SetValue("HEADING", HeadingFor(status));
  p.body().SetValue("MESSAGE", message);
  p.body().SetValue("BACK", back);
  return p.Finish(status);
}

Response Login(const Context& ctx, const std::string& csrf, const std::string& name, const std::string& error,
               int status) {
  Page p(ctx, "Log in", "", "login.tpl");
  p.body().SetValue("CSRF", csrf);
  p.body().SetValue("NAME", name);
  if (!error.empty()) p.body().AddSectionDictionary("ERROR")->SetValue("MESSAGE", error);
  return p.Finish(status);
}

Response Dashboard(const Context& ctx, const DashboardPage& page) {
  Page p(ctx, "Dashboard", "DASHBOARD", "dashboard.tpl");
  auto& b = p.body();
  const store::Counts& counts = page.counts;
  b.SetIntValue("SERVERS", counts.servers);
  b.SetIntValue("PLATFORMS", counts.platforms);
  b.SetIntValue("SITES", counts.sites);
  b.SetIntValue("QUEUED", counts.queued);
  b.SetIntValue("RUNNING", counts.running);
  b.SetIntValue("FAILED", counts.failed);
  FillTaskList(ctx, b, "RUNNING_LIST", page.running);
  FillTaskList(ctx, b, "QUEUED_LIST", page.queued);
  FillTaskList(ctx, b, "FAILED_LIST", page.failed);
  if (counts.running > static_cast<int64_t>(page.running.size())) b.ShowSection("MORE_RUNNING");
  if (counts.queued > static_cast<int64_t>(page.queued.size())) b.ShowSection("MORE_QUEUED");
  if (counts.failed > static_cast<int64_t>(page.failed.size())) b.ShowSection("MORE_FAILED");
  if (page.show_scheduler) {
    TemplateDictionary* sch = b.AddSectionDictionary("SCHEDULER");
    if (!page.scheduler) {
      sch->AddSectionDictionary("SCHEDULER_DOWN")->SetValue("MESSAGE", page.scheduler_error);
    } else {
      const SchedulerState& st = *page.scheduler;
      TemplateDictionary* up = sch->AddSectionDictionary("SCHEDULER_UP");
      up->SetIntValue("QUEUED", st.queued);
      up->SetIntValue("RUNNING", st.running);
      up->SetIntValue("ORPHANED", st.orphaned);
      if (st.orphaned > 0) up->ShowSection("HAS_ORPHANED");
      if (!st.tasks_read) up->ShowSection("TASKS_NOT_READ");
      if (st.executors.empty()) up->ShowSection("NO_EXECUTORS");
      else up->ShowSection("HAS_EXECUTORS");
      const int64_t now = Now();
      for (const auto& e : st.executors) {
        TemplateDictionary* row = up->AddSectionDictionary("EXECUTOR");
        row->SetValue("ID", e.id);
        row->SetValue("LABELS", e.labels.empty() ? "any server" : Join(e.labels, ", "));
        row->SetIntValue("RUNNING", e.running);
        row->SetIntValue("CAPACITY", e.capacity);
        // The heartbeat's time from its age: to the second, like the others.
        std::time_t at = static_cast<std::time_t>(now - e.heartbeat_ms_ago / 1000);
        char buf[32];
        std::tm tm{};
        gmtime_r(&at, &tm);
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
        SetTime(*row, "HEARTBEAT", buf);
        char ms[32];
        std::snprintf(ms, sizeof ms, "%.1f s", static_cast<double>(e.heartbeat_ms_ago) / 1000.0);
        row->SetValue("HEARTBEAT_AGE", ms);
        // Two heartbeats missed is worth a look (the scheduler forgets it after kHeartbeatLiveness).
        row->SetValue("HEALTH", e.heartbeat_ms_ago > 2 * protocol::kHeartbeatInterval.count() ? "late" : "online");
      }
    }
  }
  FillTaskTable(ctx, b, page.recent);
  return p.Finish();
}

Response Servers(const Context& ctx, const std::vector<store::Server>& servers, const NameListPage& page) {
  Page p(ctx, "Servers", "SERVERS", "servers.tpl");
  FillNameList(p.body(), "/servers", page, servers.size(), "servers");
  FillOptions(p.body(), "STATUS_OPTION", {{"new", "new"}, {"verified", "verified"}, {"failed", "failed"}},
              FilterValue(page, "status"));
  for (const auto& s : servers) {
    TemplateDictionary* row = p.body().AddSectionDictionary("SERVER");
    row->SetIntValue("ID", s.id);
    row->SetValue("NAME", s.name);
    row->SetValue("HOSTNAME", s.hostname);
    row->SetValue("STATUS", s.status);
    SetTime(*row, "VERIFIED", s.verified_at);
    if (s.verified_at.empty()) row->ShowSection("NEVER_VERIFIED");
  }
  return p.Finish();
}

Response ServerFormPage(const Context& ctx, const ServerForm& form, int status) {
  Page p(ctx, form.id ? "Edit " + form.name : "Add a server", "SERVERS", "server_form.tpl");
  auto& b = p.body();
  if (form.id) {
    b.AddSectionDictionary("EDIT")->SetIntValue("ID", form.id);
    b.SetValue("ACTION", "/servers/" + std::to_string(form.id) + "/edit");
    b.SetValue("HEADING", "Edit " + form.name);
    b.SetValue("SUBMIT", "Save and verify");
  } else {
    b.ShowSection("ADD");
    b.SetValue("ACTION", "/servers/add");
    b.SetValue("HEADING", "Add a server");
    b.SetValue("SUBMIT", "Add server");
  }
  const std::pair<const char*, const std::string*> values[] = {
      {"NAME", &form.name},           {"HOSTNAME", &form.hostname},
      {"CONFIG_ROOT", &form.config_root}, {"SSH_USER", &form.ssh_user},
      {"SSH_PORT", &form.ssh_port},   {"EXECUTOR_LABEL", &form.executor_label},   {"HTTP_ADDRESS", &form.http_address},
      {"HTTP_PORT", &form.http_port}, {"HTTPS_PORT", &form.https_port},
      {"VHOST_DIR", &form.vhost_dir}, {"RELOAD", &form.reload},
      {"PHP_FPM_SOCKET", &form.php_fpm_socket}, {"PLATFORMS_DIR", &form.platforms_dir},
      {"DB_HOST", &form.db_host},     {"DB_PORT", &form.db_port},
      {"DB_SOCKET", &form.db_socket}, {"DB_ADMIN_USER", &form.db_admin_user},
      {"DB_ADMIN_DEFAULTS_FILE", &form.db_admin_defaults_file}};
  for (const auto& [key, value] : values) b.SetValue(key, *value);
  for (const char* kind : {"", "nginx", "apache"}) {
    TemplateDictionary* o = b.AddSectionDictionary("HTTP_KIND");
    o->SetValue("VALUE", kind);
    o->SetValue("LABEL", *kind ? (std::string(kind) == "nginx" ? "nginx" : "Apache") : "none");
    if (form.http_kind == kind) o->ShowSection("SELECTED");
  }
  for (const char* kind : {"", "mariadb", "postgresql"}) {
    TemplateDictionary* o = b.AddSectionDictionary("DB_KIND");
    o->SetValue("VALUE", kind);
    o->SetValue("LABEL", *kind ? (std::string(kind) == "mariadb" ? "MariaDB / MySQL" : "PostgreSQL") : "none");
    if (form.db_kind == kind) o->ShowSection("SELECTED");
  }
  FillErrors(b, form.errors,
             {{"Name", "name"}, {"Host", "hostname"}, {"Configuration root", "config_root"}, {"SSH user", "ssh_user"},
              {"SSH port", "ssh_port"}, {"Executors", "executor_label"}, {"HTTP port", "http_port"},
              {"HTTPS port", "https_port"}, {"Database port", "db_port"}});
  return p.Finish(status);
}

namespace {

void FillOperations(TemplateDictionary& parent, const std::vector<OperationButton>& operations) {
  TemplateDictionary& b = *parent.AddIncludeDictionary("OPERATIONS");
  b.SetFilename("operations.tpl");
  if (operations.empty()) b.ShowSection("NO_OPERATIONS");
  for (const auto& o : operations) {
    TemplateDictionary* row = b.AddSectionDictionary("OPERATION");
    row->SetValue("PATH", o.path);
    row->SetValue("OP_NAME", o.op->name);
    row->SetValue("OP_TITLE", o.op->title);
    if (o.op->fields.empty() && !o.op->danger) {
      row->ShowSection("DIRECT");
    } else {
      row->AddSectionDictionary("WITH_FORM")->SetValue("CLASS", o.op->danger ? "button danger" : "button");
    }
  }
}

// Fills the FIELD sections of an operation's fields.
void FillFields(TemplateDictionary& parent, const FieldsForm& form) {
  TemplateDictionary& b = *parent.AddIncludeDictionary("FIELDS");
  b.SetFilename("fields.tpl");
  for (const auto& f : form.fields) {
    TemplateDictionary* row = b.AddSectionDictionary("FIELD");
    row->SetValue("NAME", f.name);
    row->SetValue("LABEL", FieldLabel(f.name));
    row->SetValue("HELP", f.description);
    auto typed = form.values.find(f.name);
    std::string value;
    if (typed != form.values.end()) {
      value = typed->second;
    } else if (f.default_value) {
      if (f.default_value->is_string()) {
        value = f.default_value->get<std::string>();
      } else if (f.default_value->is_array()) {
        for (const auto& item : *f.default_value) value += item.get<std::string>() + "\n";
      } else if (!f.default_value->is_boolean()) {
        value = f.default_value->dump();
      }
    }
    if (auto e = form.errors.find(f.name); e != form.errors.end()) {
      row->AddSectionDictionary("FIELD_ERROR")->SetValue("MESSAGE", e->second);
      row->ShowSection("INVALID");
    }
    const auto& choices = ChoicesOf(f, form.choices);
    if (f.type == VarType::kBool) {
      TemplateDictionary* c = row->AddSectionDictionary("CHECKBOX");
      bool on = typed != form.values.end() ? !typed->second.empty() && typed->second != "0"
                                           : (f.default_value && f.default_value->is_boolean() &&
                                              f.default_value->get<bool>());
      if (on) c->ShowSection("CHECKED");
    } else if (!choices.empty() || form.choices.count(f.name)) {
      TemplateDictionary* sel = row->AddSectionDictionary("SELECT");
      if (f.required) sel->ShowSection("REQUIRED");
      if (choices.empty()) sel->ShowSection("NO_CHOICES");
      for (const auto& c : choices) {
        TemplateDictionary* o = sel->AddSectionDictionary("CHOICE");
        o->SetValue("VALUE", c);
        // A file is known by its name (the whole path is the value).
        o->SetValue("LABEL", f.type == VarType::kPath && c.rfind('/') != std::string::npos ? c.substr(c.rfind('/') + 1) : c);
        if (c == value) o->ShowSection("SELECTED");
      }
    } else if (f.type == VarType::kList) {
      row->AddSectionDictionary("TEXTAREA")->SetValue("VALUE", value);
    } else {
      TemplateDictionary* t = row->AddSectionDictionary("TEXT");
      t->SetValue("VALUE", value);
      t->SetValue("INPUT_TYPE", f.type == VarType::kInt ? "number" : "text");
      if (f.required) t->ShowSection("REQUIRED");
    }
  }
}

}  // namespace

Response Server(const Context& ctx, const store::Server& server, const std::vector<store::Service>& services,
                const std::vector<store::Platform>& platforms, const std::vector<OperationButton>& operations,
                const std::vector<store::Task>& tasks) {
  Page p(ctx, server.name, "SERVERS", "server.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", server.id);
  b.SetValue("NAME", server.name);
  b.SetValue("HOSTNAME", server.hostname);
  b.SetValue("STATUS", server.status);
  b.SetValue("CONFIG_ROOT", server.config_root);
  b.SetValue("EXECUTOR_LABEL", server.executor_label.empty() ? "any" : server.executor_label);
  SetTime(b, "CREATED", server.created_at);
  SetTime(b, "VERIFIED", server.verified_at);
  if (server.verified_at.empty()) b.ShowSection("NEVER_VERIFIED");
  b.SetValue("ALL_TASKS", TasksHref({"", "", "server", server.id}));
  if (server.hostname == "localhost" || server.hostname == "127.0.0.1") {
    b.ShowSection("LOCAL");
  } else {
    TemplateDictionary* ssh = b.AddSectionDictionary("SSH");
    ssh->SetValue("SSH_USER", server.ssh_user);
    ssh->SetIntValue("SSH_PORT", server.ssh_port);
    if (server.host_key.empty()) {
      ssh->ShowSection("NO_HOST_KEY");
    } else {
      ssh->AddSectionDictionary("HOST_KEY")->SetValue("KEY", server.host_key);
    }
    if (!ctx.config.ssh_public_key.empty()) {
      ssh->AddSectionDictionary("PUBLIC_KEY")->SetValue("KEY", ctx.config.ssh_public_key);
    }
  }
  if (services.empty()) b.ShowSection("NO_SERVICES");
  for (const auto& sv : services) {
    TemplateDictionary* row = b.AddSectionDictionary("SERVICE");
    row->SetValue("TYPE", sv.type);
    row->SetValue("KIND", sv.kind);
    std::string summary;
    if (sv.type == "http") {
      if (auto h = HttpServiceFromJson(sv.kind, sv.settings_json); h.ok()) {
        summary = h->address + ":" + std::to_string(h->port) +
                  (h->https_port ? ", HTTPS on " + std::to_string(h->https_port) : "") + "; vhosts in " +
                  h->vhost_dir + "; platforms in " + h->platforms_dir + "; reload: " + JoinArgv(h->reload);
      }
    } else if (auto d = DbServiceFromJson(sv.kind, sv.settings_json); d.ok()) {
      summary = (d->socket.empty() ? d->host + ":" + std::to_string(d->port) : "socket " + d->socket) +
                "; administrator " + d->admin_user +
                (d->admin_defaults_file.empty() ? "" : " (credentials in " + d->admin_defaults_file + ")");
    }
    row->SetValue("SUMMARY", summary);
  }
  if (platforms.empty()) b.ShowSection("NO_PLATFORMS");
  for (const auto& pl : platforms) {
    TemplateDictionary* row = b.AddSectionDictionary("PLATFORM");
    row->SetIntValue("ID", pl.id);
    row->SetValue("NAME", pl.name);
    row->SetValue("STATUS", pl.status);
  }
  FillOperations(b, operations);
  FillTaskTable(ctx, b, tasks);
  return p.Finish();
}

Response Platforms(const Context& ctx, const std::vector<store::Platform>& platforms, const NameListPage& page) {
  Page p(ctx, "Platforms", "PLATFORMS", "platforms.tpl");
  FillNameList(p.body(), "/platforms", page, platforms.size(), "platforms");
  FillOptions(p.body(), "STATUS_OPTION",
              {{"new", "new"}, {"enabled", "enabled"}, {"locked", "locked"}, {"failed", "failed"}},
              FilterValue(page, "status"));
  for (const auto& pl : platforms) {
    TemplateDictionary* row = p.body().AddSectionDictionary("PLATFORM");
    row->SetIntValue("ID", pl.id);
    row->SetValue("NAME", pl.name);
    row->SetValue("DISTRIBUTION", pl.distribution_name);
    row->SetIntValue("SERVER_ID", pl.server_id);
    row->SetValue("SERVER_NAME", pl.server_name);
    row->SetValue("STATUS", pl.status);
    row->SetIntValue("SITES", pl.site_count);
  }
  return p.Finish();
}

Response PlatformFormPage(const Context& ctx, const PlatformForm& form, const std::vector<store::Server>& web_servers,
                          const std::vector<store::Distribution>& distributions, int status) {
  Page p(ctx, "Add a platform", "PLATFORMS", "platform_form.tpl");
  auto& b = p.body();
  b.SetValue("NAME", form.name);
  b.SetValue("GIT_URL", form.git_url);
  b.SetValue("GIT_REF", form.git_ref);
  b.SetValue("SOURCE_PATH", form.source_path);
  b.ShowSection(form.source == "git" ? "SOURCE_GIT" : "SOURCE_PATH_CHECKED");
  if (web_servers.empty()) b.ShowSection("NO_SERVERS");
  for (const auto& s : web_servers) {
    TemplateDictionary* o = b.AddSectionDictionary("SERVER");
    o->SetIntValue("ID", s.id);
    o->SetValue("NAME", s.name);
    if (s.id == form.server_id) o->ShowSection("SELECTED");
  }
  for (const auto& d : distributions) {
    TemplateDictionary* o = b.AddSectionDictionary("DISTRIBUTION");
    o->SetIntValue("ID", d.id);
    o->SetValue("NAME", d.name);
    if (d.id == form.distribution_id) o->ShowSection("SELECTED");
  }
  FillErrors(b, form.errors,
             {{"Name", "name"}, {"Web server", "server_id"}, {"Distribution", "distribution_id"},
              {"Repository URL", "git_url"}, {"Branch, tag or commit", "git_ref"}, {"Directory", "source_path"},
              {"Code from", "source"}});
  return p.Finish(status);
}

Response Platform(const Context& ctx, const store::Platform& pl, const std::vector<store::Site>& sites,
                  const std::vector<OperationButton>& operations, const std::vector<store::Task>& tasks) {
  Page p(ctx, pl.name, "PLATFORMS", "platform.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", pl.id);
  b.SetValue("NAME", pl.name);
  b.SetValue("DISTRIBUTION", pl.distribution_name);
  b.SetIntValue("SERVER_ID", pl.server_id);
  b.SetValue("SERVER_NAME", pl.server_name);
  b.SetValue("STATUS", pl.status);
  b.SetValue("SOURCE", pl.source == "git" ? pl.git_url + " @ " + pl.git_ref : pl.source_path);
  b.SetValue("COMMIT", pl.deployed_commit.empty() ? "-" : pl.deployed_commit);
  SetTime(b, "CREATED", pl.created_at);
  SetTime(b, "VERIFIED", pl.verified_at);
  if (pl.verified_at.empty()) b.ShowSection("NEVER_VERIFIED");
  b.SetValue("ALL_TASKS", TasksHref({"", "", "platform", pl.id}));
  store::SiteFilter on_platform;
  on_platform.platform_id = pl.id;
  FillSomeSites(b, sites, pl.site_count, on_platform);
  if (pl.status == "enabled") b.ShowSection("CAN_ADD_SITE");
  FillOperations(b, operations);
  FillTaskTable(ctx, b, tasks);
  return p.Finish();
}

std::string SiteRows(const std::vector<store::Site>& sites, bool admin) {
  // One row section per role (rather than IS_ADMIN shown in each row's own
  // dictionary: a second dictionary per row). The values are not copied:
  // sites outlives the expansion.
  TemplateDictionary d("site_rows");
  for (const auto& s : sites) {
    TemplateDictionary* row = d.AddSectionDictionary(admin ? kSiteOfAdmin : kSiteOfClientUser);
    row->SetIntValue(kId, s.id);
    row->SetValueWithoutCopy(kDomain, s.domain);
    if (admin) row->SetIntValue(kPlatformId, s.platform_id);
    row->SetValueWithoutCopy(kPlatformName, s.platform_name);
    if (admin) row->SetValueWithoutCopy(kServerName, s.server_name);
    row->SetValueWithoutCopy(kClientName, s.client_name);
    row->SetValueWithoutCopy(kStatus, s.status);
    row->SetValueWithoutCopy(kCreatedAt, s.created_at);
    row->SetValue(kCreatedIso, IsoTime(s.created_at));
    row->SetValue(kCreatedAgo, Ago(s.created_at));
  }
  std::string out;
  if (!ctemplate::ExpandTemplate("site_rows.tpl", ctemplate::STRIP_BLANK_LINES, &d, &out)) {
    return "<tr><td colspan=\"6\">The rows could not be rendered (template error); see aegir-web's log.</td></tr>\n";
  }
  return out;
}

Response Sites(const Context& ctx, const SiteListPage& page) {
  Page p(ctx, "Sites", "SITES", "sites.tpl");
  auto& b = p.body();
  const store::SiteFilter& f = page.filter;
  // The search form keeps the filters it does not show.
  b.SetValue(kQ, f.prefix);
  for (const auto& status : store::kListedSiteStatuses) {
    TemplateDictionary* o = b.AddSectionDictionary(kStatusOption);
    o->SetValueWithoutCopy(kValue, status);  // a constant
    if (status == f.status) o->ShowSection(kSelected);
  }
  if (f.platform_id) b.AddSectionDictionary(kPlatformFilter)->SetIntValue(kId, *f.platform_id);
  if (f.client_id) b.AddSectionDictionary(kClientFilter)->SetIntValue(kId, *f.client_id);
  // What the list is narrowed to, each with a link without it.
  auto narrowed = [&](const std::string& what, store::SiteFilter without) {
    TemplateDictionary* n = b.AddSectionDictionary(kNarrowed);
    n->SetValue(kWhat, what);
    n->SetValue(kHref, SitesHref(without));
  };
  if (!f.prefix.empty()) {
    store::SiteFilter g = f;
    g.prefix.clear();
    narrowed("whose domain starts with “" + f.prefix + "”", g);
  }
  if (!f.status.empty()) {
    store::SiteFilter g = f;
    g.status.clear();
    narrowed("with the status " + f.status, g);
  }
  // The platform's and the client's names are those the sites show (without
  // sites, their numbers): nothing more is read, and a client user learns
  // no name they do not see anyway.
  if (f.platform_id) {
    store::SiteFilter g = f;
    g.platform_id.reset();
    narrowed("on " + (page.sites.empty() ? "platform " + std::to_string(*f.platform_id)
                                         : "the platform " + page.sites.front().platform_name),
             g);
  }
  if (f.client_id) {
    store::SiteFilter g = f;
    g.client_id.reset();
    narrowed("of " + (page.sites.empty() ? "client " + std::to_string(*f.client_id)
                                         : "the client " + page.sites.front().client_name),
             g);
  }
  const bool filtered = !f.prefix.empty() || !f.status.empty() || f.platform_id || f.client_id;
  if (page.sites.empty()) {
    b.ShowSection(!page.first ? kNoMoreSites : filtered ? kNoMatch : kNoSites);
  } else {
    b.ShowSection(kHasSites);
  }
  // The rows as rendered with the page when it was read (a shared page's
  // requests do not render them again), or now.
  const bool admin = ctx.IsAdmin();
  std::string rendered;
  const std::string* rows = &page.rows_html;
  if (rows->empty() || page.rows_for_admin != admin) {
    rendered = SiteRows(page.sites, admin);
    rows = &rendered;
  }
  b.SetValueWithoutCopy(kRows, *rows);  // both outlive the expansion
  if (!page.first || !page.next_after.empty()) {
    TemplateDictionary* pager = b.AddSectionDictionary(kPager);
    if (!page.first) pager->AddSectionDictionary(kFirst)->SetValue(kHref, SitesHref(f));
    if (!page.prev_before.empty()) {
      pager->AddSectionDictionary(kPrevious)->SetValue(kHref, SitesHref(f, "before", page.prev_before));
    }
    if (!page.next_after.empty()) {
      pager->AddSectionDictionary(kNext)->SetValue(kHref, SitesHref(f, "after", page.next_after));
    }
  }
  return p.Finish();
}

Response SiteFormPage(const Context& ctx, const SiteForm& form, const SiteFormChoices& choices, int status) {
  Page p(ctx, form.id ? "Edit " + form.domain : "Add a site", "SITES", "site_form.tpl");
  auto& b = p.body();
  b.SetValue("DOMAIN", form.domain);
  b.SetValue("PROFILE", form.profile);
  b.SetValue("ALIASES", form.aliases);
  b.SetValue("REDIRECTS", form.redirects);
  if (form.id) {
    b.AddSectionDictionary("EDIT")->SetIntValue("ID", form.id);
    b.SetValue("ACTION", "/sites/" + std::to_string(form.id) + "/edit");
    b.SetValue("HEADING", "Edit " + form.domain);
    b.SetValue("SUBMIT", "Save and verify");
  } else {
    TemplateDictionary* add = b.AddSectionDictionary("ADD");
    ShowRole(ctx, *add);
    b.SetValue("ACTION", "/sites/add");
    b.SetValue("HEADING", "Add a site");
    b.SetValue("SUBMIT", "Add and install");
    if (choices.platforms.empty()) add->ShowSection("NO_PLATFORMS");
    for (const auto& pl : choices.platforms) {
      TemplateDictionary* o = add->AddSectionDictionary("PLATFORM");
      o->SetIntValue("ID", pl.id);
      o->SetValue("NAME", pl.name + " (" + pl.distribution_name + " on " + pl.server_name + ")");
      if (pl.id == form.platform_id) o->ShowSection("SELECTED");
    }
    if (choices.db_servers.empty()) add->ShowSection("NO_DB_SERVERS");
    for (const auto& s : choices.db_servers) {
      TemplateDictionary* o = add->AddSectionDictionary("DB_SERVER");
      o->SetIntValue("ID", s.id);
      o->SetValue("NAME", s.name);
      if (s.id == form.db_server_id) o->ShowSection("SELECTED");
    }
    FillFields(*add, form.install);
  }
  for (const auto& c : choices.clients) {
    TemplateDictionary* o = b.AddSectionDictionary("CLIENT");
    o->SetIntValue("ID", c.id);
    o->SetValue("NAME", c.name);
    if (c.id == form.client_id) o->ShowSection("SELECTED");
  }
  for (const char* mode : {"off", "on", "required"}) {
    TemplateDictionary* o = b.AddSectionDictionary("HTTPS");
    o->SetValue("VALUE", mode);
    o->SetValue("LABEL", std::string(mode) == "off" ? "off" : std::string(mode) == "on" ? "HTTP and HTTPS"
                                                                                           : "HTTPS only (HTTP redirects)");
    if (form.https == mode) o->ShowSection("SELECTED");
  }
  FillErrors(b, form.errors,
             {{"Domain", "domain"}, {"Platform", "platform_id"}, {"Database server", "db_server_id"},
              {"Install profile", "profile"}, {"HTTPS", "https"}, {"Client", "client_id"}, {"Aliases", "aliases"},
              {"Redirected aliases", "redirects"}});
  return p.Finish(status);
}

Response Site(const Context& ctx, const store::Site& site, const std::vector<store::Alias>& aliases,
              const std::vector<store::Backup>& backups, const std::vector<OperationButton>& operations,
              const std::vector<store::Task>& tasks) {
  Page p(ctx, site.domain, "SITES", "site.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", site.id);
  b.SetValue("DOMAIN", site.domain);
  b.SetIntValue("PLATFORM_ID", site.platform_id);
  b.SetValue("PLATFORM_NAME", site.platform_name);
  b.SetIntValue("SERVER_ID", site.server_id);
  b.SetValue("SERVER_NAME", site.server_name);
  b.SetIntValue("DB_SERVER_ID", site.db_server_id);
  b.SetValue("DB_SERVER_NAME", site.db_server_name);
  b.SetValue("DB_NAME", site.db_name);
  b.SetValue("CLIENT_NAME", site.client_name);
  b.SetValue("HTTPS", site.https);
  b.SetValue("STATUS", site.status);
  b.SetValue("CREATED_AT", site.created_at);
  if (aliases.empty()) b.ShowSection("NO_ALIASES");
  for (const auto& a : aliases) {
    TemplateDictionary* row = b.AddSectionDictionary("ALIAS");
    row->SetValue("ALIAS", a.alias);
    if (a.redirect) row->ShowSection("REDIRECT");
  }
  SetTime(b, "CREATED", site.created_at);
  // Each backup offers what the site's state allows: Restore straight away
  // (it takes a backup of the site as it is first), Delete through its
  // confirmation form with the backup chosen.
  std::string restore, remove;
  for (const auto& o : operations) {
    if (o.op->name == "site-restore") restore = o.path;
    if (o.op->name == "site-backup-delete") remove = o.path;
  }
  b.ShowSection(backups.empty() ? "NO_BACKUPS" : "HAS_BACKUPS");
  if (!restore.empty() || !remove.empty()) b.ShowSection("BACKUP_ACTIONS");
  for (const auto& bk : backups) {
    TemplateDictionary* row = b.AddSectionDictionary("BACKUP");
    row->SetIntValue("ID", bk.id);
    row->SetValue("PATH", bk.path);
    // The file's name; the whole path is in its title.
    row->SetValue("FILE", bk.path.rfind('/') == std::string::npos ? bk.path : bk.path.substr(bk.path.rfind('/') + 1));
    row->SetValue("SIZE", HumanSize(bk.size));
    row->SetIntValue("BYTES", bk.size);
    row->SetValue("DESCRIPTION", bk.description);
    row->SetValue("CREATED_AT", bk.created_at);
    SetTime(*row, "CREATED", bk.created_at);
    if (!restore.empty() || !remove.empty()) {
      TemplateDictionary* actions = row->AddSectionDictionary("ACTIONS");
      if (!restore.empty()) actions->AddSectionDictionary("RESTORE")->SetValue("ACTION", restore);
      if (!remove.empty()) {
        actions->AddSectionDictionary("DELETE")->SetValue("HREF", remove + "?aegir_backup_file=" + UrlEncode(bk.path));
      }
    }
  }
  FillOperations(b, operations);
  FillTaskTable(ctx, b, tasks);
  b.SetValue("ALL_TASKS", TasksHref({"", "", "site", site.id}));
  return p.Finish();
}

Response OperationPage(const Context& ctx, const Operation& op, const std::string& entity_label,
                       const std::string& entity_path, const FieldsForm& form,
                       const std::vector<std::string>& errors, int status) {
  Page p(ctx, op.title + " " + entity_label, "", "operation.tpl");
  auto& b = p.body();
  b.SetValue("TITLE", op.title);
  b.SetValue("ENTITY_LABEL", entity_label);
  b.SetValue("ENTITY_PATH", entity_path);
  b.SetValue("ACTION", entity_path + "/run/" + op.name);
  if (op.danger) b.ShowSection("DANGER");
  FillFields(b, form);
  FillErrors(b, errors);
  return p.Finish(status);
}

Response Clients(const Context& ctx, const std::vector<store::Client>& clients, const std::string& name,
                 const std::string& error, int status, const NameListPage& page) {
  Page p(ctx, "Clients", "CLIENTS", "clients.tpl");
  auto& b = p.body();
  FillNameList(b, "/clients", page, clients.size(), "clients");
  for (const auto& c : clients) {
    TemplateDictionary* row = b.AddSectionDictionary("CLIENT");
    row->SetValue("NAME", c.name);
    row->SetIntValue("ID", c.id);
  }
  b.SetValue("NAME", name);
  if (!error.empty()) FillErrors(b, {error}, {{"Name", "name"}});
  return p.Finish(status);
}

std::string TasksHref(const store::TaskFilter& f, int64_t before, int64_t after) {
  std::vector<std::string> params;
  if (!f.state.empty()) params.push_back("state=" + UrlEncode(f.state));
  if (!f.operation.empty()) params.push_back("operation=" + UrlEncode(f.operation));
  if (f.entity_id) params.push_back(f.entity_type + "=" + std::to_string(*f.entity_id));
  if (before > 0) params.push_back("before=" + std::to_string(before));
  if (after > 0) params.push_back("after=" + std::to_string(after));
  return params.empty() ? "/tasks" : "/tasks?" + Join(params, "&");
}

Response Tasks(const Context& ctx, const TaskListPage& page) {
  Page p(ctx, "Tasks", "TASKS", "tasks.tpl");
  auto& b = p.body();
  const store::TaskFilter& f = page.filter;
  for (const auto& state : store::kTaskStates) {
    TemplateDictionary* o = b.AddSectionDictionary("STATE_OPTION");
    o->SetValue("VALUE", state);
    if (state == f.state) o->ShowSection("SELECTED");
  }
  // A client user sees only site tasks: only site operations to choose from.
  for (const auto& op : ctx.catalogue.operations()) {
    if (!ctx.IsAdmin() && op.entity != "site") continue;
    TemplateDictionary* o = b.AddSectionDictionary("OPERATION_OPTION");
    o->SetValue("VALUE", op.name);
    o->SetValue("LABEL", op.title + " (" + op.entity + ")");
    if (op.name == f.operation) o->ShowSection("SELECTED");
  }
  if (f.entity_id) {
    TemplateDictionary* e = b.AddSectionDictionary("ENTITY_FILTER");
    e->SetValue("TYPE", f.entity_type);
    e->SetIntValue("ID", *f.entity_id);
  }
  // What the list is narrowed to, each with a link without it.
  auto narrowed = [&](const std::string& what, store::TaskFilter without) {
    TemplateDictionary* n = b.AddSectionDictionary("NARROWED");
    n->SetValue("WHAT", what);
    n->SetValue("HREF", TasksHref(without));
  };
  if (!f.state.empty()) {
    store::TaskFilter g = f;
    g.state.clear();
    narrowed("in the state " + f.state, g);
  }
  if (!f.operation.empty()) {
    store::TaskFilter g = f;
    g.operation.clear();
    narrowed("of the operation " + OperationTitle(ctx, f.operation) + " (" + f.operation + ")", g);
  }
  if (f.entity_id) {
    store::TaskFilter g = f;
    g.entity_id.reset();
    g.entity_type.clear();
    narrowed("on the " + f.entity_type + " " +
                 (page.entity_label.empty() ? std::to_string(*f.entity_id) : page.entity_label),
             g);
  }
  if (page.tasks.empty()) {
    b.ShowSection(!page.first ? "NO_MORE_TASKS" : f.empty() ? "NO_TASKS_AT_ALL" : "NO_MATCH");
  } else {
    FillTaskTable(ctx, b, page.tasks);
  }
  if (!page.first || page.older_before > 0) {
    TemplateDictionary* pager = b.AddSectionDictionary("PAGER");
    if (!page.first) pager->AddSectionDictionary("NEWEST")->SetValue("HREF", TasksHref(f));
    if (page.newer_after > 0) pager->AddSectionDictionary("NEWER")->SetValue("HREF", TasksHref(f, 0, page.newer_after));
    if (page.older_before > 0) {
      pager->AddSectionDictionary("OLDER")->SetValue("HREF", TasksHref(f, page.older_before));
    }
  }
  return p.Finish();
}

namespace {

// "850 ms", "12.4 s", "3 min 05 s", "1 h 02 min".
std::string FormatDuration(int64_t ms) {
  char buf[64];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lld ms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3'600'000) {
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  }
  return buf;
}

// The per-host recap table (hosts in name order).
void FillRecap(TemplateDictionary& b, const std::string& recap_json) {
  if (recap_json.empty()) return;
  auto recap = nlohmann::json::parse(recap_json, nullptr, false);
  if (!recap.is_object() || recap.empty()) return;
  auto* section = b.AddSectionDictionary("RECAP");
  for (const auto& [host, counts] : recap.items()) {
    auto* row = section->AddSectionDictionary("HOST");
    row->SetValue("NAME", host);
    for (const char* k : {"ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"}) {
      std::string key(k);
      for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      row->SetIntValue(key, counts.is_object() && counts.contains(k) && counts[k].is_number_integer()
                                ? counts[k].get<int64_t>()
                                : 0);
    }
    bool bad = counts.value("failed", 0) > 0 || counts.value("unreachable", 0) > 0;
    row->SetValue("CLASS", bad ? "failed" : "succeeded");
  }
}

}  // namespace

Response Task(const Context& ctx, const store::Task& task, const std::vector<store::LogLine>& lines, int64_t after,
              bool more, int page_size, int64_t last_page) {
  const std::string title = OperationTitle(ctx, task.operation);
  Page p(ctx, title + " #" + std::to_string(task.id), "TASKS", "task.tpl");
  bool live = !IsFinalState(task.state);
  if (live && !more) {
    // Without JavaScript the page reloads itself while the task runs; with
    // it, task.js appends new lines instead.
    p.root().AddSectionDictionary("REFRESH")->SetIntValue("SECONDS", 2);
    p.root().AddSectionDictionary("SCRIPT")->SetValue("NAME", "task.js");
  }
  auto& b = p.body();
  b.SetIntValue("ID", task.id);
  b.SetValue("OPERATION", title);
  b.SetValue("OPERATION_NAME", task.operation);
  b.SetValue("ENTITY_TYPE", task.entity_type);
  b.SetIntValue("ENTITY_ID", task.entity_id);
  b.SetValue("ENTITY_LABEL", task.entity_label);
  b.SetValue("STATE", task.state);
  SetTime(b, "CREATED", task.created_at);
  SetTime(b, "STARTED", task.started_at);
  SetTime(b, "FINISHED", task.finished_at);
  b.SetValue("EXIT_CODE", task.exit_code ? std::to_string(*task.exit_code) : "");
  b.SetValue("CREATED_BY", task.created_by);
  b.SetValue("LIVE", live && !more ? "1" : "0");
  if (!live && ctx.catalogue.Find(task.operation) && task.entity_type != "client") {
    b.AddSectionDictionary("AGAIN");  // "Run again" with the same values
  }
  if (live) {
    // A running task's button says what happens; once asked, it says so.
    std::string label = task.state == "queued" ? "Cancel" : task.cancel_requested ? "Stopping…" : "Stop";
    b.AddSectionDictionary("CANCEL")->SetValue("LABEL", label);
  }
  if (!task.reason.empty()) b.AddSectionDictionary("REASON")->SetValue("TEXT", task.reason);
  if (task.duration_ms) b.SetValue("DURATION", FormatDuration(*task.duration_ms));
  FillRecap(b, task.recap_json);
  FillResults(b, task.results_json);
  if (after > 0) {
    b.ShowSection("EARLIER");
    b.SetIntValue("PREV_AFTER", std::max<int64_t>(0, after - page_size));
  }
  int64_t last = after;
  for (const auto& l : lines) {
    TemplateDictionary* row = b.AddSectionDictionary("LINE");
    row->SetIntValue("SEQ", l.seq);
    row->SetValue("TEXT", l.line);
    last = l.seq;
  }
  b.SetIntValue("LAST_SEQ", last);
  if (lines.empty()) b.ShowSection("NO_LINES");
  if (more) b.AddSectionDictionary("MORE")->SetIntValue("LAST_PAGE", last_page);
  return p.Finish();
}

Response TaskLogJson(const store::Task& task, const std::vector<store::LogLine>& lines) {
  nlohmann::json j;
  j["state"] = task.state;
  j["final"] = IsFinalState(task.state);
  j["started_at"] = task.started_at;
  j["finished_at"] = task.finished_at;
  j["exit_code"] = task.exit_code ? nlohmann::json(*task.exit_code) : nlohmann::json(nullptr);
  j["reason"] = task.reason;
  j["lines"] = nlohmann::json::array();
  for (const auto& l : lines) j["lines"].push_back({{"seq", l.seq}, {"text", l.line}});
  return Response::Json(200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

namespace {

void FillClientChoices(TemplateDictionary& b, const std::vector<store::Client>& clients,
                       const std::set<int64_t>& chosen) {
  for (const auto& c : clients) {
    TemplateDictionary* row = b.AddSectionDictionary("CLIENT");
    row->SetIntValue("ID", c.id);
    row->SetValue("NAME", c.name);
    if (chosen.count(c.id)) row->ShowSection("CHECKED");
  }
}

}  // namespace

Response Users(const Context& ctx, const std::vector<store::User>& users, const std::vector<store::Client>& clients,
               const UserForm& form, int status, const NameListPage& page) {
  Page p(ctx, "Users", "USERS", "users.tpl");
  auto& b = p.body();
  FillNameList(b, "/users", page, users.size(), "users");
  FillOptions(b, "ROLE_OPTION", {{"admin", "administrators"}, {"client", "client users"}}, FilterValue(page, "role"));
  FillOptions(b, "STATE_OPTION", {{"active", "active"}, {"disabled", "disabled"}}, FilterValue(page, "state"));
  for (const auto& u : users) {
    TemplateDictionary* row = b.AddSectionDictionary("USER_ROW");
    row->SetIntValue("ID", u.id);
    row->SetValue("NAME", u.name);
    row->SetValue("ROLE", u.is_admin ? "admin" : "client user");
    row->SetValue("CLIENTS", u.is_admin ? "all" : u.client_names);
    row->SetValue("STATE", !u.active ? "disabled" : u.password_link_pending ? "link sent" : "active");
    SetTime(*row, "CREATED", u.created_at);
  }
  b.SetValue("NAME", form.name);
  if (form.is_admin) b.ShowSection("ADMIN_CHECKED");
  FillClientChoices(b, clients, form.client_ids);
  FillErrors(b, form.errors, {{"User name", "name"}, {"Clients", "clients"}});
  return p.Finish(status);
}

Response User(const Context& ctx, const store::User& user, const std::vector<store::Client>& clients,
              const UserForm& form, int status) {
  Page p(ctx, "User " + user.name, "USERS", "user.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", user.id);
  b.SetValue("NAME", user.name);
  SetTime(b, "CREATED", user.created_at);
  if (user.password_link_pending) b.ShowSection("LINK_PENDING");
  if (form.is_admin) b.ShowSection("ADMIN_CHECKED");
  if (form.active) b.ShowSection("ACTIVE_CHECKED");
  FillClientChoices(b, clients, form.client_ids);
  FillErrors(b, form.errors, {{"Clients", "clients"}});
  return p.Finish(status);
}

Response PasswordLink(const Context& ctx, int64_t user_id, const std::string& user_name, const std::string& url,
                      int valid_hours) {
  Page p(ctx, "Password link for " + user_name, "USERS", "password_link.tpl");
  p.body().SetIntValue("ID", user_id);
  p.body().SetValue("NAME", user_name);
  p.body().SetValue("URL", url);
  p.body().SetIntValue("HOURS", valid_hours);
  return p.Finish();
}

Response PasswordForm(const Context& ctx, const std::string& user_name, const std::string& action,
                      const std::string& error, int status) {
  Page p(ctx, "Set your password", "", "password.tpl");
  p.body().SetValue("NAME", user_name);
  p.body().SetValue("ACTION", action);
  if (ctx.session) p.body().SetValue("CSRF", ctx.session->csrf_token);
  if (!error.empty()) p.body().AddSectionDictionary("ERROR")->SetValue("MESSAGE", error);
  return p.Finish(status);
}

Response Account(const Context& ctx, const std::string& error, const std::string& notice, int status) {
  Page p(ctx, "Your account", "ACCOUNT", "account.tpl");
  p.body().SetValue("NAME", ctx.session ? ctx.session->user_name : "");
  if (!error.empty()) p.body().AddSectionDictionary("ERROR")->SetValue("MESSAGE", error);
  if (!notice.empty()) p.body().AddSectionDictionary("NOTICE")->SetValue("MESSAGE", notice);
  return p.Finish(status);
}

Response Client(const Context& ctx, const store::Client& client, const std::vector<store::User>& users,
                const std::vector<store::Platform>& platforms, const std::set<int64_t>& allowed,
                const std::vector<store::Site>& sites, int64_t site_count, int status) {
  Page p(ctx, "Client " + client.name, "CLIENTS", "client.tpl");
  auto& b = p.body();
  b.SetIntValue("ID", client.id);
  b.SetValue("NAME", client.name);
  if (users.empty()) b.ShowSection("NO_USERS");
  for (const auto& u : users) {
    TemplateDictionary* row = b.AddSectionDictionary("USER_ROW");
    row->SetIntValue("ID", u.id);
    row->SetValue("NAME", u.name);
    row->SetValue("STATE", u.active ? "active" : "disabled");
  }
  if (platforms.empty()) b.ShowSection("NO_PLATFORMS");
  for (const auto& pl : platforms) {
    TemplateDictionary* row = b.AddSectionDictionary("PLATFORM");
    row->SetIntValue("ID", pl.id);
    row->SetValue("NAME", pl.name);
    row->SetValue("SERVER", pl.server_name);
    row->SetValue("STATUS", pl.status);
    if (allowed.count(pl.id)) row->ShowSection("CHECKED");
  }
  store::SiteFilter of_client;
  of_client.client_id = client.id;
  FillSomeSites(b, sites, site_count, of_client);
  return p.Finish(status);
}

Response Audit(const Context& ctx, const std::vector<store::AuditEntry>& entries, int64_t newer_after,
               int64_t older_before, const store::AuditFilter& filter, bool first) {
  Page p(ctx, "Audit log", "AUDIT", "audit.tpl");
  auto& b = p.body();
  const bool filtered = filter.user_id || !filter.action.empty() || filter.entity_id;
  if (entries.empty()) {
    b.ShowSection(!first ? "NO_MORE" : filtered ? "NO_MATCH" : "NO_ENTRIES");
  } else {
    b.ShowSection("HAS_ENTRIES");
  }
  for (const auto& e : entries) {
    TemplateDictionary* row = b.AddSectionDictionary("ENTRY");
    row->SetIntValue("ID", e.id);
    SetTime(*row, "WHEN", e.at);
    row->SetValue("ACTOR", e.actor);
    row->SetValue("ADDRESS", e.address);
    row->SetValue("ACTION", e.action);
    std::string what = e.entity_type;
    if (e.entity_id) what += (what.empty() ? "" : " ") + std::to_string(*e.entity_id);
    row->SetValue("ENTITY", what);
    if (e.entity_id && (e.entity_type == "site" || e.entity_type == "server" || e.entity_type == "platform" ||
                        e.entity_type == "client" || e.entity_type == "user")) {
      row->AddSectionDictionary("ENTITY_LINK")->SetValue("HREF", "/" + e.entity_type + "s/" + std::to_string(*e.entity_id));
    } else {
      row->ShowSection("ENTITY_TEXT");
    }
    if (e.task_id) row->AddSectionDictionary("TASK")->SetIntValue("TASK_ID", *e.task_id);
    row->SetValue("DETAILS", e.details_json == "{}" ? "" : e.details_json);
  }
  // The filter's parameters, kept by the search form and the pager.
  std::vector<std::string> params;
  if (filter.user_id) params.push_back("user=" + std::to_string(*filter.user_id));
  if (!filter.action.empty()) params.push_back("action=" + UrlEncode(filter.action));
  if (filter.entity_id) params.push_back(filter.entity_type + "=" + std::to_string(*filter.entity_id));
  const std::string base = params.empty() ? "/audit" : "/audit?" + Join(params, "&");
  b.SetValue("ACTION_FILTER", filter.action);
  if (filter.user_id) b.AddSectionDictionary("USER_FILTER")->SetIntValue("USER", *filter.user_id);
  if (filter.entity_id) {
    TemplateDictionary* e = b.AddSectionDictionary("ENTITY_FILTER");
    e->SetValue("TYPE", filter.entity_type);
    e->SetIntValue("ID", *filter.entity_id);
  }
  auto narrowed = [&](const std::string& what, store::AuditFilter without) {
    std::vector<std::string> rest;
    if (without.user_id) rest.push_back("user=" + std::to_string(*without.user_id));
    if (!without.action.empty()) rest.push_back("action=" + UrlEncode(without.action));
    if (without.entity_id) rest.push_back(without.entity_type + "=" + std::to_string(*without.entity_id));
    TemplateDictionary* n = b.AddSectionDictionary("NARROWED");
    n->SetValue("WHAT", what);
    n->SetValue("HREF", rest.empty() ? "/audit" : "/audit?" + Join(rest, "&"));
  };
  if (filter.user_id) {
    store::AuditFilter g = filter;
    g.user_id.reset();
    narrowed("of user " + std::to_string(*filter.user_id), g);
  }
  if (!filter.action.empty()) {
    store::AuditFilter g = filter;
    g.action.clear();
    narrowed("with the action " + filter.action, g);
  }
  if (filter.entity_id) {
    store::AuditFilter g = filter;
    g.entity_id.reset();
    narrowed("on " + filter.entity_type + " " + std::to_string(*filter.entity_id), g);
  }
  if (!first || older_before > 0) {
    TemplateDictionary* pager = b.AddSectionDictionary("PAGER");
    auto keyed = [&](const char* name, int64_t id) {
      return base + (params.empty() ? "?" : "&") + name + "=" + std::to_string(id);
    };
    if (!first) pager->AddSectionDictionary("NEWEST")->SetValue("HREF", base);
    if (newer_after > 0) pager->AddSectionDictionary("NEWER")->SetValue("HREF", keyed("after", newer_after));
    if (older_before > 0) pager->AddSectionDictionary("OLDER")->SetValue("HREF", keyed("before", older_before));
  }
  return p.Finish();
}

Response Notice(const Context& ctx, const std::string& title, const std::string& message, const std::string& link,
                const std::string& link_text, int status) {
  Page p(ctx, title, "", "notice.tpl");
  p.body().SetValue("TITLE", title);
  p.body().SetValue("MESSAGE", message);
  p.body().SetValue("LINK", link);
  p.body().SetValue("LINK_TEXT", link_text);
  return p.Finish(status);
}

}  // namespace aegir::web::views
