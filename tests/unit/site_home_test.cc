// store::GetSiteHome and GetSiteHomes (fcgi-app/store.h) on a real MariaDB
// (tests/support/mariadb.h): a site read with its platform, its web server,
// its aliases and the services of both its servers in one statement, as a
// RUN reads it, without a temporary table on disk.
#define BOOST_TEST_MODULE site_home
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <tuple>

#include "fcgi-app/store.h"
#include "tests/support/mariadb.h"

using aegir::db::Connection;
using aegir::db::Value;
namespace store = aegir::web::store;

namespace {

int64_t Insert(Connection& c, const std::string& sql, const std::vector<Value>& params) {
  auto r = c.Exec(sql, params);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return static_cast<int64_t>(c.LastInsertId());
}

int64_t Number(Connection& c, const std::string& sql) {
  auto rows = c.Query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE(!rows->empty());
  return (*rows)[0].Int(1);
}

struct Data {
  int64_t web = 0, dbs = 0, bare = 0;  // servers: two with services, one without
  int64_t split = 0, together = 0, lonely = 0, gone = 0;  // sites
};

Data Fill(Connection& c) {
  Data d;
  d.web = Insert(c, "INSERT INTO servers (name, hostname) VALUES ('web-h', 'web-h.example.org')", {});
  d.dbs = Insert(c, "INSERT INTO servers (name, hostname) VALUES ('db-h', 'db-h.example.org')", {});
  d.bare = Insert(c, "INSERT INTO servers (name, hostname) VALUES ('bare-h', 'bare-h.example.org')", {});
  // Inserted in the opposite of the order they come back in.
  const std::string long_settings = R"({"port": 8080, "note": ")" + std::string(3000, 'x') + R"("})";
  for (auto [server, type, kind, settings] :
       {std::tuple{d.dbs, "db", "mariadb", std::string(R"({"port": 3306})")},
        std::tuple{d.web, "http", "nginx", long_settings},
        std::tuple{d.web, "db", "mariadb", std::string(R"({"port": 3307})")}}) {
    Insert(c, "INSERT INTO services (server_id, type, kind, settings) VALUES (?, ?, ?, ?)",
           {Value(server), Value(type), Value(kind), Value(settings)});
  }
  const int64_t client = Insert(c, "INSERT INTO clients (name) VALUES ('c-h')", {});
  auto platform = [&](const std::string& name, int64_t server) {
    return Insert(c,
                  "INSERT INTO platforms (name, distribution_id, server_id, source, source_path, status) "
                  "SELECT ?, id, ?, 'path', '/srv/p', 'enabled' FROM distributions LIMIT 1",
                  {Value(name), Value(server)});
  };
  const int64_t on_web = platform("p-web", d.web), on_bare = platform("p-bare", d.bare);
  auto site = [&](const std::string& domain, int64_t p, int64_t db_server, const std::string& status) {
    return Insert(c,
                  "INSERT INTO sites (domain, platform_id, db_server_id, db_name, client_id, status) "
                  "VALUES (?, ?, ?, ?, ?, ?)",
                  {Value(domain), Value(p), Value(db_server), Value("db" + std::to_string(p)), Value(client),
                   Value(status)});
  };
  d.split = site("split.example.org", on_web, d.dbs, "enabled");
  d.together = site("together.example.org", on_web, d.web, "enabled");
  d.lonely = site("lonely.example.org", on_bare, d.bare, "enabled");
  d.gone = site("gone.example.org", on_web, d.web, "deleted");
  for (auto [alias, redirect] : {std::pair{"www.split.example.org", 0}, std::pair{"old.split.example.org", 1}}) {
    Insert(c, "INSERT INTO site_aliases (site_id, alias, redirect) VALUES (?, ?, ?)",
           {Value(d.split), Value(alias), Value(redirect)});
  }
  return d;
}

std::string Kinds(const store::SiteHome& h) {
  std::string out;
  for (const auto& s : h.services) out += std::to_string(s.server_id) + ":" + s.type + ":" + s.kind + " ";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_site_comes_with_its_aliases_and_both_servers_services_in_order) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  const Data d = Fill(c);
  const std::string web = std::to_string(d.web), dbs = std::to_string(d.dbs);

  const int64_t disk_before = Number(c, "SHOW SESSION STATUS LIKE 'Created_tmp_disk_tables'");
  auto split = store::GetSiteHome(c, d.split);
  BOOST_REQUIRE_MESSAGE(split.ok(), split.status().ToString());
  BOOST_REQUIRE(split->has_value());
  // No temporary table on disk for it (its services' settings are long text).
  BOOST_TEST(Number(c, "SHOW SESSION STATUS LIKE 'Created_tmp_disk_tables'") == disk_before);
  const store::SiteHome& h = **split;
  BOOST_TEST(h.site.id == d.split);
  BOOST_TEST(h.site.domain == "split.example.org");
  BOOST_TEST(h.platform.name == "p-web");
  BOOST_TEST(h.server.id == d.web);
  BOOST_TEST(h.server.name == "web-h");
  BOOST_REQUIRE(h.aliases.size() == 2u);
  BOOST_TEST(h.aliases[0].alias == "old.split.example.org");
  BOOST_TEST(h.aliases[0].redirect);
  BOOST_TEST(h.aliases[1].alias == "www.split.example.org");
  BOOST_TEST(!h.aliases[1].redirect);
  BOOST_TEST(h.services_read);
  // By server, then type (in the ENUM's order, as ListServices gives them);
  // the web server's and the database server's.
  std::string want = web + ":http:nginx " + web + ":db:mariadb ";
  want = d.web < d.dbs ? want + dbs + ":db:mariadb " : dbs + ":db:mariadb " + want;
  BOOST_TEST(Kinds(h) == want);
  for (const auto& s : h.services) {
    if (s.type == "http") BOOST_TEST(s.settings_json.size() > 3000u);  // whole
  }

  // Web and database on one server: its services once each.
  auto together = store::GetSiteHome(c, 0, "together.example.org");
  BOOST_REQUIRE(together.ok() && together->has_value());
  BOOST_TEST(Kinds(**together) == web + ":http:nginx " + web + ":db:mariadb ");
  BOOST_TEST((*together)->aliases.empty());

  // Servers without services: none, and known to be none.
  auto lonely = store::GetSiteHome(c, d.lonely);
  BOOST_REQUIRE(lonely.ok() && lonely->has_value());
  BOOST_TEST((*lonely)->services.empty());
  BOOST_TEST((*lonely)->services_read);
  BOOST_TEST((*lonely)->site.domain == "lonely.example.org");

  // A deleted site by id, but not by its domain; an unknown one not at all.
  auto by_id = store::GetSiteHome(c, d.gone);
  BOOST_REQUIRE(by_id.ok() && by_id->has_value());
  BOOST_TEST((*by_id)->site.status == "deleted");
  auto by_domain = store::GetSiteHome(c, 0, "gone.example.org");
  BOOST_REQUIRE(by_domain.ok());
  BOOST_TEST(!by_domain->has_value());
  auto unknown = store::GetSiteHome(c, d.gone + 1000);
  BOOST_REQUIRE(unknown.ok());
  BOOST_TEST(!unknown->has_value());
}

BOOST_AUTO_TEST_CASE(sites_read_together_come_once_each_without_services) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  const Data d = Fill(c);
  auto homes = store::GetSiteHomes(c, {d.split, d.lonely}, {"together.example.org", "gone.example.org"});
  BOOST_REQUIRE_MESSAGE(homes.ok(), homes.status().ToString());
  BOOST_REQUIRE(homes->size() == 3u);
  std::set<std::string> domains;
  for (const auto& h : *homes) {
    domains.insert(h.site.domain);
    BOOST_TEST(!h.services_read);
    BOOST_TEST(h.services.empty());
    if (h.site.id == d.split) BOOST_TEST(h.aliases.size() == 2u);
  }
  BOOST_TEST((domains == std::set<std::string>{"split.example.org", "lonely.example.org", "together.example.org"}));
}
