#include "fcgi-app/catalogue.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/job.h"

namespace aegir::web {
namespace {

using nlohmann::json;

const std::set<std::string>& ContextVariables() {
  static const std::set<std::string> names = {
      // always
      "aegir_server_name", "aegir_config_root", "aegir_server_dir", "aegir_backups_dir", "aegir_job_id",
      "aegir_feedback_url",
      // http service
      "aegir_http_type", "aegir_http_address", "aegir_http_port", "aegir_https_port", "aegir_http_vhost_dir",
      "aegir_http_reload", "aegir_php_fpm_socket", "aegir_platforms_dir",
      // db service
      "aegir_db_type", "aegir_db_host", "aegir_db_port", "aegir_db_socket", "aegir_db_admin_user",
      "aegir_db_admin_defaults_file",
      // platform
      "aegir_platform_name", "aegir_platform_path", "aegir_platform_installer", "aegir_platform_source",
      "aegir_platform_git_url", "aegir_platform_git_ref", "aegir_platform_source_path",
      // site
      "aegir_site_domain", "aegir_site_url", "aegir_site_dir", "aegir_site_aliases", "aegir_site_redirects",
      "aegir_site_https", "aegir_site_profile", "aegir_site_db_name", "aegir_site_db_user", "aegir_site_enabled",
      // derived from form fields
      "aegir_new_site_dir", "aegir_new_site_url", "aegir_new_db_name", "aegir_new_db_user",
      "aegir_target_platform_path", "aegir_target_platform_installer"};
  return names;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<VarType> ParseType(const std::string& type, const std::string& elements) {
  if (type == "str") return VarType::kStr;
  if (type == "int") return VarType::kInt;
  if (type == "bool") return VarType::kBool;
  if (type == "path") return VarType::kPath;
  if (type == "list") {
    if (elements != "str") return Status::InvalidArgument("a list must have elements: str");
    return VarType::kList;
  }
  return Status::InvalidArgument("unsupported type '" + type + "' (str, int, bool, path or list of str)");
}

// A YAML scalar or sequence as JSON of the declared type.
Result<json> DefaultOf(const YAML::Node& n, VarType type) {
  try {
    switch (type) {
      case VarType::kInt: return json(n.as<int64_t>());
      case VarType::kBool: return json(n.as<bool>());
      case VarType::kList: {
        json items = json::array();
        for (const auto& item : n) items.push_back(item.as<std::string>());
        return items;
      }
      default: return json(n.as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("default does not fit the type: ") + e.what());
  }
}

bool SameDeclaration(const VarSpec& a, const VarSpec& b) {
  return a.type == b.type && a.choices == b.choices && a.pattern == b.pattern;
}

// The value of fixed var `name` must fit its declaration.
Status CheckFixed(const VarSpec& spec, const json& value) {
  bool ok = false;
  switch (spec.type) {
    case VarType::kInt: ok = value.is_number_integer(); break;
    case VarType::kBool: ok = value.is_boolean(); break;
    case VarType::kList: ok = value.is_array(); break;
    default: ok = value.is_string(); break;
  }
  if (!ok) return Status::InvalidArgument("fixed value of " + spec.name + " is not a " + VarTypeName(spec.type));
  return Status::Ok();
}

}  // namespace

const char* VarTypeName(VarType t) {
  switch (t) {
    case VarType::kStr: return "str";
    case VarType::kInt: return "int";
    case VarType::kBool: return "bool";
    case VarType::kPath: return "path";
    case VarType::kList: return "list";
  }
  return "?";
}

bool IsContextVariable(const std::string& name) { return ContextVariables().count(name) != 0; }

Result<std::vector<VarSpec>> ParseArgumentSpecs(const std::string& yaml_text, const std::string& role) {
  std::vector<VarSpec> out;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    YAML::Node main = root["argument_specs"]["main"];
    if (!main || !main.IsMap()) return Status::InvalidArgument("no argument_specs.main");
    YAML::Node options = main["options"];
    if (!options) return out;  // a role without variables
    if (!options.IsMap()) return Status::InvalidArgument("argument_specs.main.options is not a mapping");
    for (const auto& kv : options) {
      VarSpec v;
      v.name = kv.first.as<std::string>();
      const YAML::Node& o = kv.second;
      if (!IsValidVarName(v.name)) return Status::InvalidArgument("bad variable name '" + v.name + "'");
      if (!o.IsMap()) return Status::InvalidArgument(v.name + ": not a mapping");
      auto type = ParseType(o["type"] ? o["type"].as<std::string>() : "str",
                            o["elements"] ? o["elements"].as<std::string>() : "");
      if (!type.ok()) return type.status().WithContext(v.name);
      v.type = *type;
      v.required = o["required"] && o["required"].as<bool>();
      v.no_log = o["no_log"] && o["no_log"].as<bool>();
      if (o["default"] && !o["default"].IsNull()) {
        auto d = DefaultOf(o["default"], v.type);
        if (!d.ok()) return d.status().WithContext(v.name);
        v.default_value = *d;
      }
      if (o["choices"]) {
        for (const auto& c : o["choices"]) v.choices.push_back(c.as<std::string>());
      }
      if (o["pattern"]) {
        v.pattern = o["pattern"].as<std::string>();
        try {
          v.re = std::make_shared<const std::regex>(v.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          return Status::InvalidArgument(v.name + ": pattern does not compile: " + e.what());
        }
      }
      if (o["description"]) {
        if (o["description"].IsSequence()) {
          for (const auto& line : o["description"]) {
            if (!v.description.empty()) v.description += " ";
            v.description += line.as<std::string>();
          }
        } else {
          v.description = o["description"].as<std::string>();
        }
      }
      out.push_back(std::move(v));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("argument specs of ") + role + ": " + e.what());
  }
  return out;
}

Result<std::vector<VarSpec>> LoadArgumentSpecs(const std::string& roles_dir, const std::string& role) {
  std::string path = (std::filesystem::path(roles_dir) / role / "meta" / "argument_specs.yml").string();
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto specs = ParseArgumentSpecs(*text, role);
  if (!specs.ok()) return specs.status().WithContext(path);
  return specs;
}

Result<Catalogue> Catalogue::Load(const std::string& path, const std::string& roles_dir) {
  auto text = ReadFile(path);
  if (!text.ok()) return Status::NotFound("operation catalogue " + path + " cannot be read");
  auto c = Parse(*text, roles_dir);
  if (!c.ok()) return c.status().WithContext("operation catalogue " + path);
  return c;
}

Result<Catalogue> Catalogue::Parse(const std::string& json_text, const std::string& roles_dir) {
  auto j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("operations") || !j["operations"].is_array()) {
    return Status::InvalidArgument("expected {\"operations\": [...]}");
  }
  static const std::set<std::string> kStatuses = {"new",    "queued", "enabled", "disabled", "locked",
                                                  "verified", "failed", "deleted"};
  Catalogue cat;
  std::set<std::string> names;
  std::map<std::string, std::vector<VarSpec>> role_specs;  // read each role once
  for (const auto& op : j["operations"]) {
    Operation o;
    try {
      o.name = op.at("name").get<std::string>();
      o.title = op.at("title").get<std::string>();
      o.entity = op.at("entity").get<std::string>();
      o.tasks = op.at("tasks").get<std::vector<std::string>>();
      if (op.contains("vars")) {
        if (!op["vars"].is_object()) return Status::InvalidArgument("operation " + o.name + ": vars is not an object");
        for (const auto& [k, v] : op["vars"].items()) o.fixed_vars[k] = v;
      }
      if (op.contains("success")) o.success_status = op["success"].value("status", "");
      if (op.contains("failure")) o.failure_status = op["failure"].value("status", "");
      o.danger = op.value("danger", false);
      o.timeout_s = op.value("timeout", 3600);
      if (op.contains("when")) o.when = op["when"].get<std::vector<std::string>>();
    } catch (const json::exception& e) {
      return Status::InvalidArgument(std::string("an operation lacks a field or has one of the wrong type: ") +
                                     e.what());
    }
    if (!IsValidOperationName(o.name)) return Status::InvalidArgument("bad operation name '" + o.name + "'");
    if (!names.insert(o.name).second) return Status::InvalidArgument("operation " + o.name + " is listed twice");
    if (o.entity != "server" && o.entity != "platform" && o.entity != "site") {
      return Status::InvalidArgument("operation " + o.name + ": entity must be server, platform or site");
    }
    std::vector<const std::string*> statuses = {&o.success_status, &o.failure_status};
    for (const auto& w : o.when) statuses.push_back(&w);
    for (const auto* st : statuses) {
      if (!st->empty() && !kStatuses.count(*st)) {
        return Status::InvalidArgument("operation " + o.name + ": unknown status '" + *st + "'");
      }
    }
    if (o.timeout_s < 1 || o.timeout_s > 7 * 24 * 3600) {
      return Status::InvalidArgument("operation " + o.name + ": timeout must be 1 to 604800 seconds");
    }
    if (o.tasks.empty()) return Status::InvalidArgument("operation " + o.name + " has no tasks");
    for (const auto& t : o.tasks) {
      if (!IsValidRoleName(t)) return Status::InvalidArgument("operation " + o.name + ": bad role name '" + t + "'");
      auto main = std::filesystem::path(roles_dir) / t / "tasks" / "main.yml";
      if (!std::filesystem::exists(main)) {
        return Status::NotFound("operation " + o.name + ": role " + t + " not found (" + main.string() + ")");
      }
      if (!role_specs.count(t)) {
        auto specs = LoadArgumentSpecs(roles_dir, t);
        if (!specs.ok()) return specs.status().WithContext("operation " + o.name);
        role_specs[t] = std::move(specs).value();
      }
      for (const auto& v : role_specs[t]) {
        auto [it, inserted] = o.declared.emplace(v.name, v);
        if (!inserted && !SameDeclaration(it->second, v)) {
          return Status::InvalidArgument("operation " + o.name + ": roles declare " + v.name + " differently");
        }
        if (inserted && !IsContextVariable(v.name) && !o.fixed_vars.count(v.name)) o.fields.push_back(v);
      }
    }
    for (const auto& [k, v] : o.fixed_vars) {
      auto it = o.declared.find(k);
      if (it == o.declared.end()) {
        return Status::InvalidArgument("operation " + o.name + ": vars names " + k + ", which no task declares");
      }
      Status s = CheckFixed(it->second, v);
      if (!s.ok()) return s.WithContext("operation " + o.name);
    }
    cat.operations_.push_back(std::move(o));
  }
  return cat;
}

const Operation* Catalogue::Find(const std::string& name) const {
  for (const auto& o : operations_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::vector<const Operation*> Catalogue::ForEntity(const std::string& entity) const {
  std::vector<const Operation*> out;
  for (const auto& o : operations_) {
    if (o.entity == entity) out.push_back(&o);
  }
  return out;
}

}  // namespace aegir::web
