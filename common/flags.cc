#include "common/flags.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace aegir {

void Flags::Define(const std::string& name, const std::string& default_value,
                   const std::string& help) {
  settings_[name] = Setting{default_value, default_value, help};
}

std::string Flags::EnvName(const std::string& name) {
  std::string env = "AEGIR_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

Status Flags::Parse(int argc, char** argv, int first) {
  for (auto& [name, s] : settings_) {
    if (const char* env = std::getenv(EnvName(name).c_str()); env != nullptr) s.value = env;
  }
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
    auto it = settings_.find(name);
    if (it == settings_.end()) return Status::InvalidArgument("unknown option --" + name);
    it->second.value = arg.substr(eq + 1);
  }
  return Status::Ok();
}

const std::string& Flags::Get(const std::string& name) const {
  auto it = settings_.find(name);
  if (it == settings_.end()) throw std::logic_error("undeclared setting " + name);
  return it->second.value;
}

Result<long> Flags::GetInt(const std::string& name, long min, long max) const {
  const std::string& v = Get(name);
  errno = 0;
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || errno != 0 || *end != '\0' || n < min || n > max) {
    return Status::InvalidArgument("--" + name + " must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max) +
                                   ", not '" + v + "'");
  }
  return n;
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
