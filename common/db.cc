#include "common/db.h"

#include <errmsg.h>
#include <mysql.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace aegir::db {
namespace {

struct StmtCloser {
  void operator()(MYSQL_STMT* s) const { if (s) mysql_stmt_close(s); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtCloser>;

Status StatusFor(unsigned err, const std::string& msg) {
  switch (err) {
    case 1062: case 1451: case 1452: return Status::Conflict(msg);  // duplicate, foreign key
    case 2002: case 2003: case 2006: case 2013: case 1927: return Status::Unavailable(msg);
    default: return Status::Internal(msg);
  }
}

Status StmtError(MYSQL_STMT* stmt, const std::string& context) {
  return StatusFor(mysql_stmt_errno(stmt), context + ": " + mysql_stmt_error(stmt));
}

// A short form of the statement for error messages: the first line, cut.
std::string Brief(const std::string& sql) {
  std::string s = sql.substr(0, sql.find('\n'));
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace

const std::string& Row::Str(size_t i) const {
  static const std::string kEmpty;
  const auto& c = cols_.at(i);
  return c ? *c : kEmpty;
}

int64_t Row::Int(size_t i) const {
  const auto& c = cols_.at(i);
  if (!c) return 0;
  return std::strtoll(c->c_str(), nullptr, 10);
}

Connection::~Connection() { Close(); }

Connection::Connection(Connection&& other) noexcept
    : mysql_(other.mysql_),
      options_(std::move(other.options_)),
      last_insert_id_(other.last_insert_id_),
      statements_(std::move(other.statements_)) {
  other.mysql_ = nullptr;
  other.statements_.clear();
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    mysql_ = other.mysql_;
    options_ = std::move(other.options_);
    last_insert_id_ = other.last_insert_id_;
    statements_ = std::move(other.statements_);
    other.mysql_ = nullptr;
    other.statements_.clear();
  }
  return *this;
}

void Connection::DropStatements() {
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  statements_.clear();
}

// Statements first: they belong to the connection.
void Connection::Close() {
  DropStatements();
  if (mysql_) mysql_close(mysql_);
  mysql_ = nullptr;
}

void Connection::Recycle(const std::string& sql, MYSQL_STMT* stmt, Reuse reuse) {
  if (reuse != Reuse::kKeep || sql.size() > kMaxCachedSqlBytes || statements_.size() >= kMaxCachedStatements ||
      mysql_stmt_free_result(stmt) != 0) {
    mysql_stmt_close(stmt);
    return;
  }
  statements_.emplace(sql, stmt);
}

Status Connection::Error(const std::string& context) const {
  return StatusFor(mysql_errno(mysql_), context + ": " + mysql_error(mysql_));
}

Status Connection::Connect(const Options& options) {
  options_ = options;
  Close();
  // A new session has no transaction: any open one was rolled back with the
  // old session.
  if (transaction_depth_ > 0) transaction_broken_ = true;
  MYSQL* m = mysql_init(nullptr);
  if (!m) return Status::Internal("mysql_init: out of memory");
  unsigned timeout = options.connect_timeout_s;
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* pass = options.password.empty() ? nullptr : options.password.c_str();
  const char* sock = options.socket.empty() ? nullptr : options.socket.c_str();
  if (!mysql_real_connect(m, sock ? nullptr : options.host.c_str(), options.user.c_str(), pass,
                          options.database.c_str(), options.port, sock, CLIENT_MULTI_STATEMENTS)) {
    Status s = StatusFor(mysql_errno(m), std::string("connect to MariaDB at ") +
                                             (sock ? options.socket : options.host) + ": " + mysql_error(m));
    mysql_close(m);
    return s;
  }
  mysql_ = m;
  // Strict mode: a too-long value is an error, never silently cut.
  if (mysql_query(mysql_, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'") != 0) {
    return Error("set session mode");
  }
  return Status::Ok();
}

Status Connection::EnsureConnected() {
  if (mysql_ && mysql_ping(mysql_) == 0) return Status::Ok();
  if (options_.user.empty() && options_.socket.empty()) return Status::Unavailable("not connected to MariaDB");
  return Connect(options_);
}

Result<MYSQL_STMT*> Connection::PrepareAndExecute(const std::string& sql, const std::vector<Value>& params,
                                                  Reuse reuse) {
  if (!mysql_) AEGIR_RETURN_IF_ERROR(EnsureConnected());
  StmtPtr stmt;
  // A statement prepared before, executed again; while it is in use it is
  // out of the cache, and an error closes it instead of giving it back.
  if (auto cached = reuse == Reuse::kKeep ? statements_.find(sql) : statements_.end();
      cached != statements_.end()) {
    stmt.reset(cached->second);
    statements_.erase(cached);
  }
  if (stmt) {
    if (Status s = Execute(stmt.get(), sql, params); s.ok()) {
      return stmt.release();
    } else if (mysql_stmt_errno(stmt.get()) != 2006) {
      return s;
    }
    // The server went away since (restart, idle timeout), so nothing ran:
    // connect again and prepare afresh, below.
    stmt.reset();
    AEGIR_RETURN_IF_ERROR(Connect(options_));
  }
  // Prepared and executed in one round trip (mariadb_stmt_execute_direct
  // sends both before it reads either answer): a statement prepared afresh
  // costs no more round trips than a kept one. When the server went away
  // (2006, or 5014 from Connector/C: the request could not be sent, so
  // nothing ran), connect again and send it once more.
  for (int attempt = 0;; ++attempt) {
    stmt.reset(mysql_stmt_init(mysql_));
    if (!stmt) return Error("mysql_stmt_init");
    Status s = ExecuteDirect(stmt.get(), sql, params);
    if (s.ok()) return stmt.release();
    const unsigned err = mysql_stmt_errno(stmt.get());
    if (attempt > 0 || (err != CR_SERVER_GONE_ERROR && err != CR_ERR_NET_WRITE)) return s;
    stmt.reset();
    AEGIR_RETURN_IF_ERROR(Connect(options_));
  }
}

namespace {

// A statement's parameters bound as MariaDB reads them (the vectors hold
// what the binds point to, so this outlives the execution).
struct BoundParams {
  explicit BoundParams(const std::vector<Value>& params)
      : binds(params.size()), ints(params.size()), lengths(params.size()), nulls(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& b = binds[i];
      std::memset(&b, 0, sizeof b);
      const auto& v = params[i].get();
      if (std::holds_alternative<std::monostate>(v)) {
        b.buffer_type = MYSQL_TYPE_NULL;
        nulls[i] = 1;
        b.is_null = reinterpret_cast<my_bool*>(&nulls[i]);
      } else if (const int64_t* n = std::get_if<int64_t>(&v)) {
        ints[i] = *n;
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
      } else {
        const std::string& text = std::get<std::string>(v);
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = const_cast<char*>(text.data());
        b.buffer_length = text.size();
        lengths[i] = text.size();
        b.length = &lengths[i];
      }
    }
  }
  std::vector<MYSQL_BIND> binds;
  std::vector<long long> ints;
  std::vector<unsigned long> lengths;
  std::vector<char> nulls;
};

}  // namespace

Status Connection::ExecuteDirect(MYSQL_STMT* stmt, const std::string& sql, const std::vector<Value>& params) {
  BoundParams bound(params);
  // The parameters are bound before the statement is prepared: their count
  // is given, and the server refuses the statement when it has another.
  unsigned int count = static_cast<unsigned int>(params.size());
  if (count > 0) {
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_PREBIND_PARAMS, &count) != 0 ||
        mysql_stmt_bind_param(stmt, bound.binds.data()) != 0) {
      return StmtError(stmt, "bind " + Brief(sql));
    }
  }
  if (mariadb_stmt_execute_direct(stmt, sql.data(), sql.size()) != 0) return StmtError(stmt, Brief(sql));
  if (mysql_stmt_param_count(stmt) != params.size()) {
    return Status::Internal("prepare " + Brief(sql) + ": wrong number of parameters");
  }
  return Status::Ok();
}

Status Connection::Execute(MYSQL_STMT* stmt, const std::string& sql, const std::vector<Value>& params) {
  if (mysql_stmt_param_count(stmt) != params.size()) {
    return Status::Internal("prepare " + Brief(sql) + ": wrong number of parameters");
  }
  BoundParams bound(params);
  if (!params.empty() && mysql_stmt_bind_param(stmt, bound.binds.data()) != 0) {
    return StmtError(stmt, "bind " + Brief(sql));
  }
  if (mysql_stmt_execute(stmt) != 0) return StmtError(stmt, Brief(sql));
  return Status::Ok();
}

Result<uint64_t> Connection::Exec(const std::string& sql, const std::vector<Value>& params) {
  auto r = PrepareAndExecute(sql, params);
  if (!r.ok()) return r.status();
  uint64_t affected = mysql_stmt_affected_rows(*r);
  last_insert_id_ = mysql_stmt_insert_id(*r);
  Recycle(sql, *r);
  return affected;
}

Result<std::vector<Row>> Connection::Query(const std::string& sql, const std::vector<Value>& params, Reuse reuse) {
  auto r = PrepareAndExecute(sql, params, reuse);
  if (!r.ok()) return r.status();
  StmtPtr stmt(*r);
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt.get());
  if (!meta) return Status::Internal(Brief(sql) + ": statement returns no rows");
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> meta_guard(meta, mysql_free_result);
  // Fetch every column as text, with buffers sized from the stored result.
  my_bool update_max = 1;
  mysql_stmt_attr_set(stmt.get(), STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
  if (mysql_stmt_store_result(stmt.get()) != 0) return StmtError(stmt.get(), "fetch " + Brief(sql));
  unsigned ncols = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  std::vector<MYSQL_BIND> binds(ncols);
  std::vector<std::vector<char>> buffers(ncols);
  std::vector<unsigned long> lengths(ncols);
  std::vector<my_bool> nulls(ncols);
  for (unsigned i = 0; i < ncols; ++i) {
    buffers[i].resize(fields[i].max_length + 1);
    std::memset(&binds[i], 0, sizeof binds[i]);
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = buffers[i].data();
    binds[i].buffer_length = buffers[i].size();
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
  }
  if (ncols > 0 && mysql_stmt_bind_result(stmt.get(), binds.data()) != 0) {
    return StmtError(stmt.get(), "bind result " + Brief(sql));
  }
  std::vector<Row> rows;
  rows.reserve(mysql_stmt_num_rows(stmt.get()));
  while (true) {
    int rc = mysql_stmt_fetch(stmt.get());
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) return StmtError(stmt.get(), "fetch " + Brief(sql));
    // MYSQL_DATA_TRUNCATED cannot happen: buffers are max_length + 1.
    std::vector<std::optional<std::string>> cols(ncols);
    for (unsigned i = 0; i < ncols; ++i) {
      if (!nulls[i]) cols[i] = std::string(buffers[i].data(), lengths[i]);
    }
    rows.emplace_back(std::move(cols));
  }
  Recycle(sql, stmt.release(), reuse);
  return rows;
}

uint64_t Connection::LastInsertId() const { return last_insert_id_; }

Status Connection::ExecScript(const std::string& sql) {
  if (!mysql_) AEGIR_RETURN_IF_ERROR(EnsureConnected());
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return Error("run script");
  // Drain every result so the connection is usable again; report the first error.
  while (true) {
    if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
    int rc = mysql_next_result(mysql_);
    if (rc == -1) break;
    if (rc > 0) return Error("run script");
  }
  return Status::Ok();
}

Transaction::Transaction(Connection& conn) : conn_(conn) {}

namespace {
std::string SavepointName(int level) { return "aegir_level_" + std::to_string(level); }
}  // namespace

Transaction::~Transaction() {
  if (!active_) return;
  if (level_ == 1) {
    (void)conn_.ExecScript("ROLLBACK");
    conn_.transaction_broken_ = false;
  } else if (!savepoint_ || !conn_.ExecScript("ROLLBACK TO SAVEPOINT " + SavepointName(level_)).ok()) {
    // The server rolled the whole transaction back (a deadlock, a lost
    // connection): the outer one must not commit as if only this part failed.
    conn_.transaction_broken_ = true;
  }
  --conn_.transaction_depth_;
}

Status Transaction::Begin() {
  int level = conn_.transaction_depth_ + 1;
  savepoint_ = level > 1 && conn_.savepoints_;
  if (level == 1 || savepoint_) {
    AEGIR_RETURN_IF_ERROR(
        conn_.ExecScript(level == 1 ? std::string("START TRANSACTION") : "SAVEPOINT " + SavepointName(level)));
  }
  if (level == 1) conn_.transaction_broken_ = false;
  conn_.transaction_depth_ = level;
  level_ = level;
  active_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (level_ > 1) {
    // Kept for the outer transaction; the savepoint is released with it.
    active_ = false;
    --conn_.transaction_depth_;
    return Status::Ok();
  }
  if (conn_.transaction_broken_) {
    return Status::Unavailable("the transaction was rolled back by the server; nothing was stored");
  }
  AEGIR_RETURN_IF_ERROR(conn_.ExecScript("COMMIT"));
  active_ = false;
  --conn_.transaction_depth_;
  return Status::Ok();
}

void LibraryInit() { mysql_library_init(0, nullptr, nullptr); }
ThreadGuard::ThreadGuard() { mysql_thread_init(); }
ThreadGuard::~ThreadGuard() { mysql_thread_end(); }

}  // namespace aegir::db
