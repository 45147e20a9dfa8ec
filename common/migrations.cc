#include "common/migrations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace aegir::migrations {

namespace fs = std::filesystem;

Result<std::vector<Migration>> List(const std::string& dir) {
  std::vector<Migration> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::NotFound("migrations directory " + dir + ": " + ec.message());
  std::set<int> seen;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    if (name.size() < 10 || name[4] != '_' ||
        !std::all_of(name.begin(), name.begin() + 4, [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("migration file " + name + " is not named NNNN_verb_noun.sql");
    }
    int version = std::stoi(name.substr(0, 4));
    if (!seen.insert(version).second) {
      return Status::InvalidArgument("two migration files have the number " + name.substr(0, 4));
    }
    out.push_back({version, name, entry.path().string()});
  }
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

Result<std::vector<std::string>> Apply(db::Connection& conn, const std::string& dir) {
  auto list = List(dir);
  if (!list.ok()) return list.status();
  auto lock = conn.Query("SELECT GET_LOCK('aegir_migrations', 60)");
  if (!lock.ok()) return lock.status();
  if (lock->empty() || (*lock)[0].Int(0) != 1) return Status::Unavailable("another migration run holds the lock");
  struct Unlock {
    db::Connection& c;
    ~Unlock() { (void)c.Query("SELECT RELEASE_LOCK('aegir_migrations')"); }
  } unlock{conn};

  AEGIR_RETURN_IF_ERROR(conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INT NOT NULL PRIMARY KEY,"
      " name VARCHAR(200) NOT NULL,"
      " applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
      ") ENGINE=InnoDB"));
  auto done = conn.Query("SELECT version FROM schema_migrations");
  if (!done.ok()) return done.status();
  std::set<int> applied;
  for (const auto& row : *done) applied.insert(static_cast<int>(row.Int(0)));

  std::vector<std::string> names;
  for (const auto& m : *list) {
    if (applied.count(m.version)) continue;
    std::ifstream in(m.path);
    if (!in) return Status::NotFound("read migration " + m.path);
    std::stringstream ss;
    ss << in.rdbuf();
    // DDL commits implicitly in MariaDB, so a migration is not atomic: keep
    // each file to statements that can be re-run after a failure
    // (IF NOT EXISTS) and record it only when all of it ran.
    Status s = conn.ExecScript(ss.str());
    if (!s.ok()) return s.WithContext("migration " + m.name);
    auto rec = conn.Exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         {db::Value(int64_t{m.version}), db::Value(m.name)});
    if (!rec.ok()) return rec.status().WithContext("record migration " + m.name);
    names.push_back(m.name);
  }
  return names;
}

}  // namespace aegir::migrations
