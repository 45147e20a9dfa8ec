// The operation catalogue: roles/operations.json names each operation a user
// can run, the entity type it applies to and its ordered task roles; each
// role declares its variables in roles/<role>/meta/argument_specs.yml
// (Ansible's format). docs/operations.md is the full contract.
//
//   {"operations": [{"name": "site-disable", "title": "Disable",
//                    "entity": "site", "tasks": ["site_vhost"],
//                    "vars": {"aegir_site_enabled": false},
//                    "success": {"status": "disabled"}, "failure": {},
//                    "danger": false, "when": ["enabled"]}]}
//
// Load() validates the file, reads every role's argument specs and derives
// each operation's form fields: the declared variables that are neither
// context (filled by aegir-web from the model, IsContextVariable) nor fixed
// by the operation. aegir-web refuses to start when any of it is wrong.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir::web {

enum class VarType { kStr, kInt, kBool, kPath, kList };
const char* VarTypeName(VarType t);

// One declared variable (an option of argument_specs.main).
struct VarSpec {
  std::string name;
  VarType type = VarType::kStr;
  bool required = false;
  std::optional<nlohmann::json> default_value;
  std::vector<std::string> choices;
  std::string pattern;                   // the whole value (each item of a list) must match
  std::shared_ptr<const std::regex> re;  // pattern, compiled; null without one
  std::string description;
  bool no_log = false;  // a secret: masked in the audit log (Ansible's no_log)
};

struct Operation {
  std::string name;
  std::string title;
  std::string entity;  // "server", "platform" or "site"
  std::vector<std::string> tasks;
  std::map<std::string, nlohmann::json> fixed_vars;  // "vars"
  std::string success_status;                        // "" leaves the status alone
  std::string failure_status;
  bool danger = false;
  // How long a run may take before the executor stops it ("timeout", seconds).
  int timeout_s = 3600;
  // The entity statuses in which its button is offered ("when"); empty: any.
  std::vector<std::string> when;
  // Every variable the tasks declare, by name (the same name declared by two
  // roles must agree on type).
  std::map<std::string, VarSpec> declared;
  // The declared variables a user fills in, in order of first declaration.
  std::vector<VarSpec> fields;
};

// True for the variables aegir-web fills from the model (docs/operations.md,
// "Context variables"); they are never form fields.
bool IsContextVariable(const std::string& name);

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

// Reads roles_dir/role/meta/argument_specs.yml. Exposed for tests.
Result<std::vector<VarSpec>> LoadArgumentSpecs(const std::string& roles_dir, const std::string& role);
Result<std::vector<VarSpec>> ParseArgumentSpecs(const std::string& yaml_text, const std::string& role);

}  // namespace aegir::web
