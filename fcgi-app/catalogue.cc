#include "fcgi-app/catalogue.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/job.h"

namespace aegir::web {

Result<Catalogue> Catalogue::Load(const std::string& path, const std::string& roles_dir) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("operation catalogue " + path + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = Parse(ss.str(), roles_dir);
  if (!c.ok()) return c.status().WithContext("operation catalogue " + path);
  return c;
}

Result<Catalogue> Catalogue::Parse(const std::string& json_text, const std::string& roles_dir) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("operations") || !j["operations"].is_array()) {
    return Status::InvalidArgument("expected {\"operations\": [...]}");
  }
  Catalogue cat;
  std::set<std::string> names;
  for (const auto& op : j["operations"]) {
    Operation o;
    try {
      o.name = op.at("name").get<std::string>();
      o.title = op.at("title").get<std::string>();
      o.entity = op.at("entity").get<std::string>();
      o.tasks = op.at("tasks").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      return Status::InvalidArgument(std::string("an operation lacks a field: ") + e.what());
    }
    if (!IsValidOperationName(o.name)) return Status::InvalidArgument("bad operation name '" + o.name + "'");
    if (!names.insert(o.name).second) return Status::InvalidArgument("operation " + o.name + " is listed twice");
    if (o.entity != "server" && o.entity != "site") {
      return Status::InvalidArgument("operation " + o.name + ": entity must be server or site");
    }
    if (o.tasks.empty()) return Status::InvalidArgument("operation " + o.name + " has no tasks");
    for (const auto& t : o.tasks) {
      if (!IsValidRoleName(t)) return Status::InvalidArgument("operation " + o.name + ": bad role name '" + t + "'");
      auto main = std::filesystem::path(roles_dir) / t / "tasks" / "main.yml";
      if (!std::filesystem::exists(main)) {
        return Status::NotFound("operation " + o.name + ": role " + t + " not found (" + main.string() + ")");
      }
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
