// Views: each function fills one template's dictionary and renders the page
// inside the common frame (page.tpl). Every template auto-escapes for HTML.
#pragma once

#include <string>
#include <vector>

#include "fcgi-app/app.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/http.h"
#include "fcgi-app/store.h"

namespace aegir::web::views {

Response Error(const Context& ctx, int status, const std::string& message, const std::string& back = "/");
Response Login(const Context& ctx, const std::string& csrf, const std::string& name, const std::string& error,
               int status = 200);
Response Dashboard(const Context& ctx, const store::Counts& counts, const std::vector<store::Task>& recent);
Response Servers(const Context& ctx, const std::vector<store::Server>& servers);
struct ServerForm {
  std::string name, hostname;
  std::vector<std::string> errors;
};
Response ServerFormPage(const Context& ctx, const ServerForm& form, int status = 200);
Response Server(const Context& ctx, const store::Server& server, const std::vector<const Operation*>& operations,
                const std::vector<store::Task>& tasks);
Response Sites(const Context& ctx, const std::vector<store::Site>& sites);
struct SiteForm {
  std::string domain;
  int64_t server_id = 0;
  std::vector<std::string> errors;
};
Response SiteFormPage(const Context& ctx, const SiteForm& form, const std::vector<store::Server>& servers,
                      int status = 200);
Response Site(const Context& ctx, const store::Site& site, const std::vector<store::Task>& tasks);
Response Tasks(const Context& ctx, const std::vector<store::Task>& tasks, int64_t older_before);
// Shows the log lines after `after`, a page of at most page_size; "Earlier
// lines" leads one page size back.
Response Task(const Context& ctx, const store::Task& task, const std::vector<store::LogLine>& lines, int64_t after,
              bool more, int page_size);
// The live log poll: {"state": ..., "lines": [{"seq": n, "text": ...}], "final": bool, ...}
Response TaskLogJson(const store::Task& task, const std::vector<store::LogLine>& lines);

bool IsFinalState(const std::string& state);

}  // namespace aegir::web::views
