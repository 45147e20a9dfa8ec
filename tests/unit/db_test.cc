// The MariaDB connection (common/db.h) on a real MariaDB
// (tests/support/mariadb.h): statements kept for reuse and statements
// prepared afresh each time (prepared and executed in one round trip) bind
// their parameters, answer errors without spoiling the connection, and
// reconnect when the server ended the connection.
#define BOOST_TEST_MODULE db
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/db.h"
#include "tests/support/mariadb.h"

using aegir::db::Connection;
using aegir::db::Reuse;
using aegir::db::Value;

namespace {

const char* kEcho = "SELECT ?, ? + 1, ? IS NULL";

// The three columns kEcho answers for (text, n, NULL).
std::vector<std::string> Echo(Connection& c, const std::string& text, int64_t n, Reuse reuse) {
  auto rows = c.Query(kEcho, {Value(text), Value(n), Value()}, reuse);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE_EQUAL(rows->size(), 1u);
  const auto& r = (*rows)[0];
  return {r.Str(0), std::to_string(r.Int(1)), std::to_string(r.Int(2))};
}

int64_t ConnectionId(Connection& c) {
  auto rows = c.Query("SELECT CONNECTION_ID()");
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  return (*rows)[0].Int(0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(kept_and_fresh_statements_bind_their_parameters_and_survive_errors) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  for (Reuse reuse : {Reuse::kKeep, Reuse::kPrepareEachTime}) {
    for (int round = 0; round < 3; ++round) {  // the first prepares, the next reuse (when kept)
      const std::string text = "it's \"quoted\"; DROP TABLE x -- " + std::to_string(round);
      BOOST_TEST(Echo(c, text, 41 + round, reuse) == (std::vector<std::string>{text, std::to_string(42 + round), "1"}));
    }
  }
  // A write prepared afresh, its affected rows and insert id.
  auto n = c.Exec("INSERT INTO clients (name) VALUES (?)", {Value("db test client")});
  BOOST_REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  BOOST_TEST(*n == 1u);
  BOOST_TEST(c.LastInsertId() > 0u);

  // Errors: a syntax error, a parameter too many, a parameter too few, a
  // refused value (strict mode). Each is an error naming the statement, and
  // the next statement on the same connection works.
  struct Bad {
    std::string sql;
    std::vector<Value> params;
  };
  for (const Bad& bad : std::vector<Bad>{{"SELEC ?", {Value(int64_t{1})}},
                                         {"SELECT ?", {Value(int64_t{1}), Value(int64_t{2})}},
                                         {"SELECT ?, ?", {Value(int64_t{1})}},
                                         {"INSERT INTO clients (name) VALUES (?)", {Value(std::string(300, 'x'))}}}) {
    for (Reuse reuse : {Reuse::kKeep, Reuse::kPrepareEachTime}) {
      auto r = c.Query(bad.sql, bad.params, reuse);
      BOOST_TEST(!r.ok(), bad.sql << " was accepted");
      if (!r.ok()) BOOST_TEST(r.status().message().find(bad.sql.substr(0, 6)) != std::string::npos, r.status().ToString());
      BOOST_TEST(Echo(c, "after " + bad.sql, 1, reuse)[0] == "after " + bad.sql);
    }
  }
  auto rows = c.Query("SELECT COUNT(*) FROM clients WHERE name LIKE 'xxx%'");
  BOOST_REQUIRE(rows.ok());
  BOOST_TEST((*rows)[0].Int(0) == 0);
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_ended_is_made_again_for_kept_and_fresh_statements) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  Connection killer = server.Connect();
  for (Reuse reuse : {Reuse::kKeep, Reuse::kPrepareEachTime}) {
    BOOST_TEST(Echo(c, "before", 1, reuse)[0] == "before");  // kept: prepared now
    const int64_t id = ConnectionId(c);
    auto k = killer.Exec("KILL CONNECTION " + std::to_string(id));
    BOOST_REQUIRE_MESSAGE(k.ok(), k.status().ToString());
    // KILL returns before the connection is gone.
    for (int i = 0; i < 500; ++i) {
      auto left = killer.Query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", {Value(id)});
      BOOST_REQUIRE(left.ok());
      if ((*left)[0].Int(0) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // The killed connection is noticed when the statement is sent; it is
    // made again and the statement runs once.
    BOOST_TEST(Echo(c, "after", 2, reuse) == (std::vector<std::string>{"after", "3", "1"}));
    BOOST_TEST(ConnectionId(c) != id);
  }
  // A server restarted meanwhile, too.
  server.Stop();
  server.Start();
  BOOST_TEST(Echo(c, "restarted", 5, Reuse::kPrepareEachTime)[1] == "6");
}
