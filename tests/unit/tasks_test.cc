// The task rows' state changes (common/tasks.h) on a real MariaDB
// (tests/support/mariadb.h): whoever ends a task first wins, with its
// entity's status in the same transaction; a later end changes nothing.
#define BOOST_TEST_MODULE tasks
#include <boost/test/unit_test.hpp>

#include <string>

#include "common/tasks.h"
#include "tests/support/mariadb.h"

using aegir::db::Connection;
using aegir::db::Value;
namespace tasks = aegir::tasks;

namespace {

std::string Str(Connection& c, const std::string& sql) {
  auto rows = c.Query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE(!rows->empty());
  return (*rows)[0].Str(0);
}

int64_t Insert(Connection& c, const std::string& sql, const std::vector<Value>& params) {
  auto r = c.Exec(sql, params);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return static_cast<int64_t>(c.LastInsertId());
}

// A server-verify task on `server` in `state`.
int64_t AddTask(Connection& c, int64_t server, const std::string& state) {
  return Insert(c,
                "INSERT INTO tasks (operation, entity_type, entity_id, vars, job, locks, state, success_status, "
                "failure_status) VALUES ('server-verify', 'server', ?, '{}', '{}', '', ?, 'verified', 'failed')",
                {Value(server), Value(state)});
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_first_end_wins_and_sets_the_entity_status_later_ends_change_nothing) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  const int64_t web = Insert(c, "INSERT INTO servers (name, hostname) VALUES ('web-t', 'web-t.example.org')", {});
  const std::string sid = std::to_string(web);

  const int64_t running = AddTask(c, web, "running");
  auto ended = tasks::Finish(c, running, "succeeded", 0, "");
  BOOST_REQUIRE_MESSAGE(ended.ok(), ended.status().ToString());
  BOOST_TEST(*ended);
  const std::string id = std::to_string(running);
  BOOST_TEST(Str(c, "SELECT state FROM tasks WHERE id = " + id) == "succeeded");
  BOOST_TEST(Str(c, "SELECT exit_code FROM tasks WHERE id = " + id) == "0");
  BOOST_TEST(Str(c, "SELECT finished_at IS NOT NULL FROM tasks WHERE id = " + id) == "1");
  BOOST_TEST(Str(c, "SELECT status FROM servers WHERE id = " + sid) == "verified");

  // A second report of its end (the scheduler's, after aegir-web's): false,
  // and neither the task nor its server changes.
  auto again = tasks::Finish(c, running, "failed", 2, "late");
  BOOST_REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  BOOST_TEST(!*again);
  BOOST_TEST(Str(c, "SELECT CONCAT(state, '/', exit_code, '/', COALESCE(reason, '-')) FROM tasks WHERE id = " + id) ==
             "succeeded/0/-");
  BOOST_TEST(Str(c, "SELECT status FROM servers WHERE id = " + sid) == "verified");

  // A queued task can be ended (cancelled) too; its server gets the failure
  // status; an unknown task is not ended.
  const int64_t queued = AddTask(c, web, "queued");
  auto cancelled = tasks::Finish(c, queued, "cancelled", std::nullopt, "Cancelled before it started.");
  BOOST_REQUIRE(cancelled.ok());
  BOOST_TEST(*cancelled);
  BOOST_TEST(Str(c, "SELECT state FROM tasks WHERE id = " + std::to_string(queued)) == "cancelled");
  BOOST_TEST(Str(c, "SELECT status FROM servers WHERE id = " + sid) == "failed");
  auto unknown = tasks::Finish(c, queued + 1000, "failed", 1, "");
  BOOST_REQUIRE(unknown.ok());
  BOOST_TEST(!*unknown);

  // No transaction is left open by an end that changed nothing: what this
  // connection writes next is seen by another one at once.
  (void)Insert(c, "INSERT INTO clients (name) VALUES ('after the ends')", {});
  Connection other = server.Connect();
  BOOST_TEST(Str(other, "SELECT COUNT(*) FROM clients WHERE name = 'after the ends'") == "1");
}

BOOST_AUTO_TEST_CASE(a_deleted_site_loses_its_schedules_a_failed_delete_keeps_them) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  const int64_t web = Insert(c, "INSERT INTO servers (name, hostname) VALUES ('web-s', 'web-s.example.org')", {});
  const int64_t platform = Insert(c,
                                  "INSERT INTO platforms (name, distribution_id, server_id, source, source_path, status) "
                                  "SELECT 'p', id, ?, 'path', '/srv/p', 'enabled' FROM distributions LIMIT 1",
                                  {Value(web)});
  const int64_t client = Insert(c, "INSERT INTO clients (name) VALUES ('c-s')", {});
  auto site = [&](const std::string& domain) {
    return Insert(c,
                  "INSERT INTO sites (domain, platform_id, db_server_id, db_name, client_id, status) "
                  "VALUES (?, ?, ?, ?, ?, 'enabled')",
                  {Value(domain), Value(platform), Value(web), Value("db_" + domain.substr(0, 1)), Value(client)});
  };
  auto schedule = [&](int64_t s) {
    (void)Insert(c,
                 "INSERT INTO schedules (site_id, operation, frequency, next_run_at) "
                 "VALUES (?, 'site-backup', 'daily', UTC_TIMESTAMP())",
                 {Value(s)});
  };
  auto delete_task = [&](int64_t s) {
    return Insert(c,
                  "INSERT INTO tasks (operation, entity_type, entity_id, vars, job, locks, state, success_status, "
                  "failure_status) VALUES ('site-delete', 'site', ?, '{}', '{}', '', 'running', 'deleted', '')",
                  {Value(s)});
  };
  const int64_t kept = site("kept.example.org"), gone = site("gone.example.org");
  for (int64_t s : {kept, kept, gone, gone}) schedule(s);
  auto count = [&](int64_t s) {
    return Str(c, "SELECT COUNT(*) FROM schedules WHERE site_id = " + std::to_string(s));
  };

  // A delete that failed leaves the site and its schedules alone.
  auto failed = tasks::Finish(c, delete_task(kept), "failed", 2, "could not");
  BOOST_REQUIRE_MESSAGE(failed.ok(), failed.status().ToString());
  BOOST_TEST(Str(c, "SELECT status FROM sites WHERE id = " + std::to_string(kept)) == "enabled");
  BOOST_TEST(count(kept) == "2");

  // One that succeeded takes the site's schedules, and no other site's.
  auto done = tasks::Finish(c, delete_task(gone), "succeeded", 0, "");
  BOOST_REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  BOOST_TEST(*done);
  BOOST_TEST(Str(c, "SELECT status FROM sites WHERE id = " + std::to_string(gone)) == "deleted");
  BOOST_TEST(count(gone) == "0");
  BOOST_TEST(count(kept) == "2");
}
