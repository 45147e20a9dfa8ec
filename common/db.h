// MariaDB access through Connector/C: one owning type per handle, prepared
// statements with bound parameters only.
//
//   aegir::db::Connection conn;
//   AEGIR_RETURN_IF_ERROR(conn.Connect(options));
//   auto rows = conn.Query("SELECT id, name FROM servers WHERE id = ?", {db::Value(id)});
//   if (!rows.ok()) return rows.status();
//   for (const auto& row : *rows) use(row.Int(0), row.Str(1));
//
// A Connection is used by one thread at a time. Call db::LibraryInit() once in
// main before threads start; each thread that uses a connection calls
// db::ThreadInit() (ThreadGuard does both ends).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

struct st_mysql;
struct st_mysql_stmt;

namespace aegir::db {

struct Options {
  std::string socket;     // unix socket path; empty means host/port
  std::string host = "localhost";
  unsigned port = 0;
  std::string user;
  std::string password;   // empty: unix_socket authentication
  std::string database;
  unsigned connect_timeout_s = 5;
};

// A parameter: NULL, integer or string (binary-safe).
class Value {
 public:
  Value() = default;  // NULL
  Value(int64_t v) : v_(v) {}           // NOLINT
  Value(int v) : v_(int64_t{v}) {}      // NOLINT
  Value(std::string v) : v_(std::move(v)) {}  // NOLINT
  Value(const char* v) : v_(std::string(v)) {}  // NOLINT
  Value(std::optional<int64_t> v) { if (v) v_ = *v; }  // NOLINT
  Value(std::optional<std::string> v) { if (v) v_ = std::move(*v); }  // NOLINT
  const std::variant<std::monostate, int64_t, std::string>& get() const { return v_; }

 private:
  std::variant<std::monostate, int64_t, std::string> v_;
};

// One result row; every column is fetched as text (or NULL).
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cols) : cols_(std::move(cols)) {}
  size_t size() const { return cols_.size(); }
  bool IsNull(size_t i) const { return !cols_.at(i).has_value(); }
  // The text of column i; "" for NULL.
  const std::string& Str(size_t i) const;
  // Column i as an integer; 0 for NULL or non-numeric.
  int64_t Int(size_t i) const;

 private:
  std::vector<std::optional<std::string>> cols_;
};

// Whether a statement is kept for reuse after it ran (see Connection).
enum class Reuse {
  kKeep,
  // Prepared afresh each time: for a statement whose plan MariaDB 10.11 may
  // make worse when it executes a kept one again. Seen with a derived table
  // (executed again, the derived table's whole range was read instead of
  // stopping at its LIMIT: 5,459 rows examined for 51), and with an index-only
  // range read in order with a LIMIT: executed again after another
  // statement had read other columns of the same table, the index no longer
  // counted as covering, and MariaDB read the index by `ref` from the start
  // of the range instead (44,456 index entries for 51 rows).
  kPrepareEachTime,
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Connect(const Options& options);
  bool connected() const { return mysql_ != nullptr; }

  // Runs a statement that returns no rows. Returns the affected row count.
  Result<uint64_t> Exec(const std::string& sql, const std::vector<Value>& params = {});
  // Runs a query and returns all its rows.
  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params = {},
                                 Reuse reuse = Reuse::kKeep);
  // The AUTO_INCREMENT id of the last insert on this connection.
  uint64_t LastInsertId() const;
  // Runs trusted SQL text that may hold several statements (migrations only;
  // never user input).
  Status ExecScript(const std::string& sql);

  st_mysql* handle() { return mysql_; }

  // Whether a transaction begun inside another makes a savepoint (the
  // default). Without: it adds nothing, and its rollback leaves the outer
  // transaction unable to commit (transaction_broken()), one round trip
  // less per inner transaction for a caller that can redo the outer one.
  void set_savepoints(bool on) { savepoints_ = on; }
  bool transaction_broken() const { return transaction_broken_; }

  // Prepared statements are kept per connection and executed again the
  // next time the same SQL text comes; a statement not kept is prepared and
  // executed in one round trip (its close needs no answer). At most
  // kMaxCachedStatements are kept, each at most kMaxCachedSqlBytes of SQL (a
  // multi-row INSERT's many shapes are not kept), and none run with
  // Reuse::kPrepareEachTime.
  // Reconnecting drops them.
  static constexpr size_t kMaxCachedStatements = 128;
  static constexpr size_t kMaxCachedSqlBytes = 4096;

 private:
  // The statement, executed; the caller gives it back with Recycle.
  Result<st_mysql_stmt*> PrepareAndExecute(const std::string& sql, const std::vector<Value>& params,
                                           Reuse reuse = Reuse::kKeep);
  Status Execute(st_mysql_stmt* stmt, const std::string& sql, const std::vector<Value>& params);
  // Prepares and executes in one round trip.
  Status ExecuteDirect(st_mysql_stmt* stmt, const std::string& sql, const std::vector<Value>& params);
  void Recycle(const std::string& sql, st_mysql_stmt* stmt, Reuse reuse = Reuse::kKeep);
  void DropStatements();
  void Close();
  // Connects again if the server went away; statements are not retried.
  Status EnsureConnected();
  Status Error(const std::string& context) const;

  st_mysql* mysql_ = nullptr;
  Options options_;
  uint64_t last_insert_id_ = 0;
  std::map<std::string, st_mysql_stmt*, std::less<>> statements_;
  // Open Transactions on this connection (see Transaction), and whether an
  // inner one could not be undone (the outer one then cannot commit).
  int transaction_depth_ = 0;
  bool transaction_broken_ = false;
  bool savepoints_ = true;
  friend class Transaction;
};

// Rolls back unless Commit() was called.
//
// Transactions nest: one begun while another is open on the same connection
// is a savepoint of it. Its Commit() keeps its work for the outer one to
// commit (or roll back); its rollback undoes only its own work. This lets a
// caller commit many units of work with one flush to disk (the scheduler
// stores a turn's RUNs so) while each unit stays all or nothing.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin();
  Status Commit();

 private:
  Connection& conn_;
  bool active_ = false;
  int level_ = 0;  // 1 for the outermost
  bool savepoint_ = false;  // an inner one that made a savepoint
};

void LibraryInit();
class ThreadGuard {
 public:
  ThreadGuard();
  ~ThreadGuard();
};

// MariaDB error numbers callers care about.
inline constexpr unsigned kErrDuplicateEntry = 1062;

}  // namespace aegir::db
