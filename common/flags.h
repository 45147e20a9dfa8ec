// Command-line settings shared by every binary.
//
// Each binary declares its settings (name, default, help). A setting is taken
// from "--name=value" on the command line, else from the environment variable
// AEGIR_<NAME> (upper case, '-' as '_'), else from its default. Unknown flags
// and flags without "=value" are errors, so a typo never passes silently.
// Secrets are never settings: they would show on a command line.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace aegir {

class Flags {
 public:
  // Declares a setting; call before Parse.
  void Define(const std::string& name, const std::string& default_value, const std::string& help);

  // Parses argv[first..argc). Words not starting with "--" are collected as
  // positional arguments. "--help" sets help_requested().
  Status Parse(int argc, char** argv, int first = 1);

  const std::string& Get(const std::string& name) const;
  // Parses the value as a base-10 integer within [min, max].
  Result<long> GetInt(const std::string& name, long min, long max) const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool help_requested() const { return help_; }
  std::string Usage(const std::string& program) const;

  static std::string EnvName(const std::string& name);

 private:
  struct Setting {
    std::string value;
    std::string default_value;
    std::string help;
  };
  std::map<std::string, Setting> settings_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace aegir
