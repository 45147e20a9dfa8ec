// A real MariaDB server for tests that need one without the whole stack:
// its own data directory under a temporary directory, a unix socket, no
// network, the project's migrations applied to the database "aegir".
//
//   TestMariaDb db;                       // starts it (fails the test if it cannot)
//   aegir::db::Connection c;
//   c.Connect(db.options());
//
// The server stops (SIGTERM, then SIGKILL) and its files are removed when the
// object is destroyed. Restart() stops and starts it on the same data, for
// tests of what happens while the database is away.
#pragma once

#include <optional>
#include <string>

#include "common/db.h"
#include "common/process.h"
#include "common/temp_dir.h"

namespace aegir::testing {

class TestMariaDb {
 public:
  TestMariaDb();
  ~TestMariaDb();
  TestMariaDb(const TestMariaDb&) = delete;
  TestMariaDb& operator=(const TestMariaDb&) = delete;

  const db::Options& options() const { return options_; }
  void Stop();
  void Start();
  // A connection to the database aegir (fails the test if it cannot).
  db::Connection Connect() const;

 private:
  std::optional<TempDir> dir_;
  std::optional<Process> server_;
  db::Options options_;
  std::string user_;
};

}  // namespace aegir::testing
