// Settings shared by every binary: command line, environment, config file.
//
// Each binary declares its settings (name, default, help). A setting is taken
// from "--name=value" on the command line, else from the environment variable
// AEGIR_<NAME> (upper case, '-' as '_'), else from the configuration file (for
// a daemon that calls UseConfigFile), else from its default. Unknown flags and
// flags without "=value" are errors, so a typo never passes silently.
// Secrets are never settings: they would show on a command line.
//
// The configuration file (docs/configuration.md) is YAML: one mapping per
// program ("web", "scheduler", "executor") plus "common" for the few keys
// several programs share (kCommonKeys); keys are named exactly like the
// settings, values are scalars:
//
//   common:
//     db-socket: /run/mysqld/mysqld.sock
//   web:
//     threads: 8
//
// A program checks the whole file's shape (a mapping of known sections, each
// a mapping of scalars, no key twice) and every key of its own section and of
// "common"; any mistake is an error naming the file, the line and the key. A
// key of its own section beats the same key in "common".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace aegir {

class Flags {
 public:
  // The sections a configuration file may have.
  static const std::vector<std::string>& kSections();
  // The keys the "common" section may hold; each applies to the programs that
  // have a setting of that name.
  static const std::vector<std::string>& kCommonKeys();

  // Declares a setting; call before Parse.
  void Define(const std::string& name, const std::string& default_value, const std::string& help);

  // Lets this program read its settings from a configuration file: defines
  // the setting "config" (--config=PATH, AEGIR_CONFIG; default: no file) and
  // names the program's section ("web", "scheduler" or "executor"). Call
  // before Parse.
  void UseConfigFile(const std::string& section);

  // Parses argv[first..argc) and, when a config file is named, reads it.
  // Words not starting with "--" are collected as positional arguments.
  // "--help" sets help_requested(). An error (an unknown flag, a missing or
  // invalid config file) says which flag, or which file, line and key.
  Status Parse(int argc, char** argv, int first = 1);

  const std::string& Get(const std::string& name) const;
  // Parses the value as a base-10 integer within [min, max].
  Result<long> GetInt(const std::string& name, long min, long max) const;
  // Where the value of a setting came from: "the command line",
  // "AEGIR_NAME", "FILE line N" or "the default".
  std::string Origin(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool help_requested() const { return help_; }
  std::string Usage(const std::string& program) const;
  // The names of the declared settings, sorted.
  std::vector<std::string> Names() const;

  static std::string EnvName(const std::string& name);

 private:
  struct Setting {
    std::string value;
    std::string default_value;
    std::string help;
    std::string origin;  // "" for the default
  };
  Status ReadConfigFile(const std::string& path);

  std::map<std::string, Setting> settings_;
  std::vector<std::string> positional_;
  std::string section_;  // "" unless UseConfigFile was called
  bool help_ = false;
};

}  // namespace aegir
