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
