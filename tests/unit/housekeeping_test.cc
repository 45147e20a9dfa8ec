// aegir-web's housekeeping on a real MariaDB (tests/support/mariadb.h):
// store::PurgeExpired removes sessions past their expiry and failed logins
// older than a day, in batches until none is left, and nothing else.
#define BOOST_TEST_MODULE housekeeping
#include <boost/test/unit_test.hpp>

#include <string>

#include "fcgi-app/store.h"
#include "tests/support/mariadb.h"

using aegir::db::Connection;

namespace {

int64_t Count(Connection& c, const std::string& sql) {
  auto rows = c.Query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  return (*rows)[0].Int(0);
}

void Exec(Connection& c, const std::string& sql) {
  auto r = c.Exec(sql);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString() << "\n" << sql);
}

}  // namespace

BOOST_AUTO_TEST_CASE(expired_sessions_and_old_failed_logins_go_the_rest_stays) {
  aegir::testing::TestMariaDb server;
  Connection c = server.Connect();
  // Five expired sessions (anonymous ones, as the login page makes), one
  // live one, one that expires in a minute.
  for (int i = 0; i < 5; ++i) {
    Exec(c, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('" +
                std::string(63, 'a') + std::to_string(i) +
                "', NULL, 't', UTC_TIMESTAMP() - INTERVAL 2 HOUR, UTC_TIMESTAMP() - INTERVAL 2 HOUR, "
                "UTC_TIMESTAMP() - INTERVAL 1 HOUR)");
  }
  Exec(c, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('" +
              std::string(64, 'b') + "', NULL, 't', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 HOUR)");
  Exec(c, "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('" +
              std::string(64, 'c') +
              "', NULL, 't', UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 MINUTE)");
  // Three failed logins from two days ago, one from an hour ago (still
  // counted by nothing, but within the day kept), one just now.
  for (int i = 0; i < 3; ++i) {
    Exec(c, "INSERT INTO login_failures (name, remote_addr, at) VALUES ('admin', '10.0.0.1', "
            "UTC_TIMESTAMP() - INTERVAL 2 DAY)");
  }
  Exec(c, "INSERT INTO login_failures (name, remote_addr, at) VALUES ('admin', '10.0.0.1', "
          "UTC_TIMESTAMP() - INTERVAL 1 HOUR)");
  Exec(c, "INSERT INTO login_failures (name, remote_addr, at) VALUES ('admin', '10.0.0.1', UTC_TIMESTAMP())");

  // A batch of 2 needs several statements per table: all expired rows go.
  auto removed = aegir::web::store::PurgeExpired(c, 2);
  BOOST_REQUIRE_MESSAGE(removed.ok(), removed.status().ToString());
  BOOST_TEST(*removed == 8u);
  BOOST_TEST(Count(c, "SELECT COUNT(*) FROM sessions") == 2);
  BOOST_TEST(Count(c, "SELECT COUNT(*) FROM sessions WHERE expires_at < UTC_TIMESTAMP()") == 0);
  BOOST_TEST(Count(c, "SELECT COUNT(*) FROM login_failures") == 2);
  BOOST_TEST(Count(c, "SELECT COUNT(*) FROM login_failures WHERE at < UTC_TIMESTAMP() - INTERVAL 1 DAY") == 0);

  // Nothing left to do: nothing more goes.
  auto again = aegir::web::store::PurgeExpired(c, 2);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(*again == 0u);
  BOOST_TEST(Count(c, "SELECT COUNT(*) FROM sessions") == 2);
}
