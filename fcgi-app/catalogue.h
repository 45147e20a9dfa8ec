// The operation catalogue: roles/operations.json names each operation a user
// can run, the entity type it applies to and its ordered task roles.
//
//   {"operations": [{"name": "server-verify", "title": "Verify server",
//                    "entity": "server",
//                    "tasks": ["server_check_connection", "server_config_dirs"]}]}
//
// Load() validates the file and that every task role exists in the roles
// directory (roles/<name>/tasks/main.yml); aegir-web refuses to start otherwise.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace aegir::web {

struct Operation {
  std::string name;
  std::string title;
  std::string entity;  // "server" or "site"
  std::vector<std::string> tasks;
};

class Catalogue {
 public:
  static Result<Catalogue> Load(const std::string& path, const std::string& roles_dir);
  static Result<Catalogue> Parse(const std::string& json_text, const std::string& roles_dir);

  const Operation* Find(const std::string& name) const;
  std::vector<const Operation*> ForEntity(const std::string& entity) const;
  const std::vector<Operation>& operations() const { return operations_; }

 private:
  std::vector<Operation> operations_;
};

}  // namespace aegir::web
