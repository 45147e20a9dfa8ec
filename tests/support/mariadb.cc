#include "tests/support/mariadb.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/migrations.h"

namespace aegir::testing {

TestMariaDb::TestMariaDb() {
  auto dir = TempDir::Create(std::filesystem::temp_directory_path(), "aegir-mariadb-");
  BOOST_REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  dir_.emplace(std::move(dir).value());
  struct passwd* pw = ::getpwuid(::geteuid());
  BOOST_REQUIRE(pw != nullptr);
  user_ = pw->pw_name;
  const std::string data = (dir_->path() / "data").string();
  // unix_socket authentication for this user: no password anywhere.
  auto install = Process::Spawn({{"mariadb-install-db", "--no-defaults", "--datadir=" + data,
                                  "--auth-root-authentication-method=socket", "--skip-test-db", "--user=" + user_},
                                 {},
                                 "",
                                 false});
  BOOST_REQUIRE_MESSAGE(install.ok(), install.status().ToString());
  std::string out;
  while (install->output_open()) {
    auto more = install->ReadAvailable(&out);
    if (!more.ok() || !*more) break;
  }
  auto done = install->Wait();
  BOOST_REQUIRE_MESSAGE(done.ok() && done->success(), "mariadb-install-db failed:\n" << out);
  options_.socket = (dir_->path() / "mysqld.sock").string();
  options_.user = user_;
  Start();
  db::Connection admin;
  db::Options o = options_;
  o.database.clear();
  BOOST_REQUIRE(admin.Connect(o).ok());
  BOOST_REQUIRE(admin.Exec("CREATE DATABASE aegir CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").ok());
  options_.database = "aegir";
  db::Connection c = Connect();
  auto applied = migrations::Apply(c, std::string(AEGIR_SOURCE_DIR) + "/sql");
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.status().ToString());
}

TestMariaDb::~TestMariaDb() { Stop(); }

void TestMariaDb::Start() {
  const std::string base = dir_->path().string();
  std::vector<std::string> argv = {"mariadbd",
                                   "--no-defaults",
                                   "--datadir=" + base + "/data",
                                   "--socket=" + options_.socket,
                                   "--skip-networking",
                                   "--pid-file=" + base + "/mysqld.pid",
                                   "--log-error=" + base + "/mariadb.log",
                                   "--innodb-buffer-pool-size=32M"};
  if (::geteuid() == 0) argv.push_back("--user=root");
  auto p = Process::Spawn({argv, {}, "", true});
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  server_.emplace(std::move(p).value());
  db::Options o = options_;
  o.database.clear();
  o.connect_timeout_s = 2;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    db::Connection probe;
    if (probe.Connect(o).ok()) return;
    auto exited = server_->TryWait();
    BOOST_REQUIRE_MESSAGE(exited.ok() && !exited->has_value(), "mariadbd exited; see " << base << "/mariadb.log");
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "mariadbd did not answer within 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void TestMariaDb::Stop() {
  if (!server_ || server_->reaped()) return;
  (void)server_->Terminate(std::chrono::milliseconds(30000));
  server_.reset();
}

db::Connection TestMariaDb::Connect() const {
  db::Connection c;
  Status s = c.Connect(options_);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  return c;
}

}  // namespace aegir::testing
