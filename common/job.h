// A job: one run of an operation, as aegir-web hands it to the scheduler and
// the scheduler hands it to an executor. Its wire form is one JSON object:
//
//   {"version": 1, "job_id": 42, "operation": "server-verify",
//    "entity": "server:7", "locks": [],
//    "target": {"name": "web1", "host": "localhost", "connection": "local",
//               "user": "aegir", "port": 22, "host_key": ""},
//    "roles": ["server_check_connection", "server_config_dirs"],
//    "vars": {"aegir_server_name": "web1"},
//    "feedback_url": "http://127.0.0.1:8080/api/tasks/42",
//    "feedback_token": "<64 hex digits>",
//    "timeout_s": 3600}
//
// target.label (optional) sends the job only to an executor announcing that
// label (docs/protocol.md). target.user, port and host_key matter for
// connection "ssh" only: the
// account and port to log in with, and the server's recorded SSH host key
// ("ssh-ed25519 AAAA...", one key per line), which the executor checks; an
// empty host_key means the key is not recorded yet (the server's first
// verification), and the executor reports the key it met.
// job_id is the task's row id in MariaDB. entity names what the job changes;
// locks (optional) names further entities it changes (a clone: the new site);
// the scheduler never runs two jobs sharing one of these keys at once.
// feedback_token is empty in a stored or submitted job: the scheduler mints a
// token each time it hands the job to an executor, and an executor refuses a
// job without one. Decoding validates
// every field (names, patterns, sizes) so an executor never runs a role or
// gets a variable that was not checked.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir {

struct JobTarget {
  std::string name;        // inventory host name, e.g. "web1"
  std::string host;        // address or DNS name to reach it
  std::string connection;  // "local" or "ssh"
  std::string user;        // ssh: the remote account; "" for the default
  int port = 22;           // ssh: the port
  std::string host_key;    // ssh: the recorded host key(s), "" if none yet
  std::string label;       // only an executor announcing this label runs it; "" any
};

struct Job {
  static constexpr int kVersion = 1;
  int64_t job_id = 0;
  std::string operation;
  std::string entity;
  std::vector<std::string> locks;  // besides entity, at most 8
  JobTarget target;
  std::vector<std::string> roles;
  // Values are JSON strings, integers, booleans or lists of strings only.
  std::map<std::string, nlohmann::json> vars;
  std::string feedback_url;
  std::string feedback_token;
  int timeout_s = 3600;

  std::string ToJson() const;
  static Result<Job> FromJson(const std::string& text);
  // The document a task row keeps (tasks.job), written with the row itself,
  // before its id is known: the job without job_id, and with feedback_url
  // the address the id is appended to ("http://host/api/tasks/").
  // FromStoredJson gives task `id`'s job back from it; a document stored
  // whole by an earlier version (job_id and feedback_url complete) is read
  // too, when its job_id is that id.
  std::string ToStoredJson() const;
  static Result<Job> FromStoredJson(const std::string& text, int64_t id);
  // Validates an already-built job (FromJson calls it too); ValidateStored
  // all but its id, which a job to be stored does not have yet.
  Status Validate() const;
  Status ValidateStored() const;
  // entity followed by locks: every key the job holds while it runs.
  std::vector<std::string> LockKeys() const;

 private:
  nlohmann::json ToJsonValue(bool stored) const;
  static Result<Job> FromJsonValue(const nlohmann::json& j);
};

// Name checks shared by the web application and the daemons.
bool IsValidRoleName(const std::string& s);      // [a-z][a-z0-9_]{0,63}
bool IsValidVarName(const std::string& s);       // [a-z_][a-z0-9_]{0,63}
bool IsValidHostName(const std::string& s);      // RFC 1123 host name or IPv4 address
bool IsValidOperationName(const std::string& s); // [a-z][a-z0-9-]{0,63}
bool IsValidEntityKey(const std::string& s);     // [A-Za-z0-9_.:-]{1,128}, e.g. "site:7"
bool IsValidLabel(const std::string& s);         // [a-z0-9][a-z0-9._-]{0,63}
bool IsValidUserName(const std::string& s);      // [a-z_][a-z0-9_-]{0,31}
// One or more lines "<key type> <base64>" (at most 16 KiB): what a
// known_hosts line holds after its host names.
bool IsValidHostKey(const std::string& s);

// The number a JSON value holds when it is an integer that fits int64_t;
// nothing for anything else. Read numbers from outside with it, not with
// get<int64_t>() or get<int>(): those truncate a float (1.5 is 1), wrap a
// number above the type's range around (4294967318 as an int is 22), and a
// float outside the range (1e300, or an integer too long for 64 bits, which
// JSON parsing makes a float) is undefined behaviour.
std::optional<int64_t> JsonInteger(const nlohmann::json& v);

}  // namespace aegir
