#include "common/flags.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace aegir {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// "PATH line N": yaml-cpp counts lines from 0.
std::string Where(const std::string& path, const YAML::Mark& mark) {
  return path + " line " + std::to_string(mark.line + 1);
}

const char* KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined node";
  }
}

}  // namespace

const std::vector<std::string>& Flags::kSections() {
  static const std::vector<std::string> k = {"common", "web", "scheduler", "executor"};
  return k;
}

const std::vector<std::string>& Flags::kCommonKeys() {
  static const std::vector<std::string> k = {"db-name", "db-socket", "db-user", "public-url"};
  return k;
}

void Flags::Define(const std::string& name, const std::string& default_value, const std::string& help) {
  settings_[name] = Setting{default_value, default_value, help, ""};
}

void Flags::UseConfigFile(const std::string& section) {
  section_ = section;
  Define("config", "",
         "the configuration file (YAML, docs/configuration.md); its section '" + section +
             "' and 'common' give settings the environment and the command line did not");
}

std::string Flags::EnvName(const std::string& name) {
  std::string env = "AEGIR_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

Status Flags::Parse(int argc, char** argv, int first) {
  // The command line is read first so that a typo is reported before any
  // file is opened, but applied last: it beats everything.
  std::vector<std::pair<std::string, std::string>> given;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      positional_.push_back(arg);
      continue;
    }
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("option " + arg + " needs a value: " + arg + "=VALUE");
    }
    std::string name = arg.substr(2, eq - 2);
    if (settings_.find(name) == settings_.end()) return Status::InvalidArgument("unknown option --" + name);
    given.emplace_back(name, arg.substr(eq + 1));
  }

  if (!section_.empty()) {
    std::string path;
    if (const char* env = std::getenv(EnvName("config").c_str()); env != nullptr) path = env;
    for (const auto& [name, value] : given) {
      if (name == "config") path = value;
    }
    if (!path.empty()) {
      if (Status s = ReadConfigFile(path); !s.ok()) return s;
    }
  }
  for (auto& [name, s] : settings_) {
    std::string env_name = EnvName(name);
    if (const char* env = std::getenv(env_name.c_str()); env != nullptr) {
      s.value = env;
      s.origin = env_name;
    }
  }
  for (const auto& [name, value] : given) {
    settings_[name].value = value;
    settings_[name].origin = "the command line";
  }
  return Status::Ok();
}

Status Flags::ReadConfigFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument("the configuration file " + path + " is a directory");
  }
  std::ifstream in(path);
  if (!in) return Status::FromErrno("cannot read the configuration file " + path, errno);
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::ParserException& e) {
    return Status::InvalidArgument(Where(path, e.mark) + ": not valid YAML: " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();  // an empty file sets nothing
  if (!root.IsMap()) {
    return Status::InvalidArgument(Where(path, root.Mark()) + ": the file must be a mapping of sections (" +
                                   Join(kSections()) + "), not " + KindName(root));
  }
  // common first, then this program's section, which beats it.
  std::map<std::string, std::pair<std::string, std::string>> from_common, from_section;  // name -> value, origin
  std::set<std::string> seen_sections;
  for (const auto& entry : root) {
    const YAML::Node& key = entry.first;
    const YAML::Node& body = entry.second;
    if (!key.IsScalar()) {
      return Status::InvalidArgument(Where(path, key.Mark()) + ": a section's name must be a word, not " +
                                     KindName(key));
    }
    const std::string section = key.Scalar();
    if (std::find(kSections().begin(), kSections().end(), section) == kSections().end()) {
      return Status::InvalidArgument(Where(path, key.Mark()) + ": unknown section '" + section +
                                     "' (the sections are " + Join(kSections()) + ")");
    }
    if (!seen_sections.insert(section).second) {
      return Status::InvalidArgument(Where(path, key.Mark()) + ": the section '" + section + "' appears twice");
    }
    if (body.IsNull()) continue;  // "executor:" with every key commented out
    if (!body.IsMap()) {
      return Status::InvalidArgument(Where(path, key.Mark()) + ": the section '" + section +
                                     "' must be a mapping of settings (key: value), not " + KindName(body));
    }
    std::set<std::string> seen_keys;
    for (const auto& kv : body) {
      const YAML::Node& k = kv.first;
      const YAML::Node& v = kv.second;
      if (!k.IsScalar()) {
        return Status::InvalidArgument(Where(path, k.Mark()) + ": in section '" + section +
                                       "', a key must be a setting's name, not " + KindName(k));
      }
      const std::string name = k.Scalar();
      const std::string at = Where(path, k.Mark());
      if (!seen_keys.insert(name).second) {
        return Status::InvalidArgument(at + ": the key '" + name + "' appears twice in section '" + section + "'");
      }
      if (!v.IsScalar()) {
        return Status::InvalidArgument(at + ": the key '" + name + "' in section '" + section + "' has " + KindName(v) +
                                       " as its value; it needs a single value" +
                                       (v.IsNull() ? " (write \"\" for an empty one)" : ""));
      }
      if (section == "common") {
        const auto& common = kCommonKeys();
        if (std::find(common.begin(), common.end(), name) == common.end()) {
          return Status::InvalidArgument(at + ": unknown key '" + name + "' in section 'common' (it may hold " +
                                         Join(common) + "; other settings go in their program's section)");
        }
        if (settings_.count(name)) from_common[name] = {v.Scalar(), at};
      } else if (section == section_) {
        if (name == "config") {
          return Status::InvalidArgument(at + ": the key 'config' cannot be set in the configuration file itself");
        }
        if (!settings_.count(name)) {
          return Status::InvalidArgument(at + ": unknown key '" + name + "' in section '" + section +
                                         "' (--help lists the settings)");
        }
        from_section[name] = {v.Scalar(), at};
      }
      // Another program's section: that program checks its keys.
    }
  }
  for (auto* values : {&from_common, &from_section}) {
    for (const auto& [name, vo] : *values) {
      settings_[name].value = vo.first;
      settings_[name].origin = vo.second;
    }
  }
  return Status::Ok();
}

const std::string& Flags::Get(const std::string& name) const {
  auto it = settings_.find(name);
  if (it == settings_.end()) throw std::logic_error("undeclared setting " + name);
  return it->second.value;
}

std::string Flags::Origin(const std::string& name) const {
  auto it = settings_.find(name);
  if (it == settings_.end()) throw std::logic_error("undeclared setting " + name);
  return it->second.origin.empty() ? "the default" : it->second.origin;
}

Result<long> Flags::GetInt(const std::string& name, long min, long max) const {
  const std::string& v = Get(name);
  errno = 0;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || errno != 0 || *end != '\0' || n < min || n > max) {
    std::string from;
    if (Origin(name) != "the command line" && Origin(name) != "the default") from = " (from " + Origin(name) + ")";
    return Status::InvalidArgument("--" + name + from + " must be a whole number from " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", not '" + v + "'");
  }
  return n;
}

std::vector<std::string> Flags::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : settings_) out.push_back(name);
  return out;
}

std::string Flags::Usage(const std::string& program) const {
  std::string out = "usage: " + program + " [--option=value ...]\n";
  for (const auto& [name, s] : settings_) {
    out += "  --" + name + "  (" + EnvName(name) + ")  " + s.help;
    if (!s.default_value.empty()) out += " [default: " + s.default_value + "]";
    out += "\n";
  }
  return out;
}

}  // namespace aegir
