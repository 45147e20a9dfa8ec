#define BOOST_TEST_MODULE flags
#include "common/flags.h"

#include <poll.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/process.h"
#include "common/temp_dir.h"

using aegir::Flags;

namespace {
Flags Make() {
  Flags f;
  f.Define("db-socket", "/run/db.sock", "socket");
  f.Define("threads", "8", "threads");
  return f;
}
aegir::Status ParseArgs(Flags& f, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return f.Parse(static_cast<int>(argv.size()), argv.data(), 1);
}
}  // namespace

BOOST_AUTO_TEST_CASE(defaults_environment_and_flags) {
  ::unsetenv("AEGIR_DB_SOCKET");
  ::setenv("AEGIR_THREADS", "4", 1);
  Flags f = Make();
  BOOST_REQUIRE(ParseArgs(f, {"prog", "serve"}).ok());
  BOOST_TEST(f.Get("db-socket") == "/run/db.sock");
  BOOST_TEST(f.Get("threads") == "4");
  BOOST_TEST((f.positional() == std::vector<std::string>{"serve"}));
  Flags g = Make();
  BOOST_REQUIRE(ParseArgs(g, {"prog", "--threads=2"}).ok());
  BOOST_TEST(g.Get("threads") == "2");  // the flag beats the environment
  ::unsetenv("AEGIR_THREADS");
}

BOOST_AUTO_TEST_CASE(unknown_or_valueless_flags_are_errors) {
  Flags f = Make();
  auto s = ParseArgs(f, {"prog", "--thread=2"});
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.message().find("unknown option --thread") != std::string::npos);
  Flags g = Make();
  BOOST_TEST(!ParseArgs(g, {"prog", "--threads"}).ok());
}

BOOST_AUTO_TEST_CASE(integers_are_checked) {
  Flags f = Make();
  BOOST_REQUIRE(ParseArgs(f, {"prog", "--threads=abc"}).ok());
  BOOST_TEST(!f.GetInt("threads", 1, 64).ok());
  Flags g = Make();
  BOOST_REQUIRE(ParseArgs(g, {"prog", "--threads=65"}).ok());
  BOOST_TEST(!g.GetInt("threads", 1, 64).ok());
  Flags h = Make();
  BOOST_REQUIRE(ParseArgs(h, {"prog", "--threads=16"}).ok());
  BOOST_TEST(*h.GetInt("threads", 1, 64) == 16);
  BOOST_TEST(Flags::EnvName("db-socket") == "AEGIR_DB_SOCKET");
}

// ---------------------------------------------------------- config file --

namespace {

// A configuration file in a temporary directory, removed with the object.
struct ConfigFile {
  explicit ConfigFile(const std::string& text) : dir(aegir::TempDir::Create("/tmp", "aegir-flags-").value()) {
    path = (dir.path() / "aegir.yml").string();
    std::ofstream(path) << text;
  }
  aegir::TempDir dir;
  std::string path;
};

Flags MakeWeb() {
  Flags f = Make();
  f.UseConfigFile("web");
  f.Define("db-name", "aegir", "database");
  f.Define("templates", "www/templates", "templates");
  return f;
}

aegir::Status ParseConfig(Flags& f, const ConfigFile& c, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"prog", "--config=" + c.path};
  args.insert(args.end(), more.begin(), more.end());
  return ParseArgs(f, args);
}

// The error a file gives, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  ConfigFile c(text);
  Flags f = MakeWeb();
  aegir::Status s = ParseConfig(f, c);
  return s.ok() ? "" : s.message();
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_config_file_gives_what_the_environment_and_command_line_do_not) {
  ::unsetenv("AEGIR_THREADS");
  ::unsetenv("AEGIR_DB_SOCKET");
  ::unsetenv("AEGIR_CONFIG");
  ConfigFile c(
      "common:\n  db-socket: /common.sock\n  db-name: shared\n"
      "web:\n  threads: 3\n  db-name: own\n  templates: '/usr/share/aegir/www/templates'\n"
      "scheduler:\n  whatever-the-scheduler-has: 1\n");
  Flags f = MakeWeb();
  BOOST_REQUIRE(ParseConfig(f, c).ok());
  BOOST_TEST(f.Get("threads") == "3");
  BOOST_TEST(f.Get("db-socket") == "/common.sock");  // from common
  BOOST_TEST(f.Get("db-name") == "own");             // its own section beats common
  BOOST_TEST(f.Get("templates") == "/usr/share/aegir/www/templates");
  BOOST_TEST(f.Origin("threads") == c.path + " line 5");
  BOOST_TEST(f.Origin("config") == "the command line");

  // The environment beats the file, the command line beats both.
  ::setenv("AEGIR_THREADS", "4", 1);
  ::setenv("AEGIR_DB_SOCKET", "/env.sock", 1);
  Flags g = MakeWeb();
  BOOST_REQUIRE(ParseConfig(g, c, {"--db-socket=/flag.sock"}).ok());
  BOOST_TEST(g.Get("threads") == "4");
  BOOST_TEST(g.Origin("threads") == "AEGIR_THREADS");
  BOOST_TEST(g.Get("db-socket") == "/flag.sock");
  ::unsetenv("AEGIR_THREADS");
  ::unsetenv("AEGIR_DB_SOCKET");

  // AEGIR_CONFIG names the file; --config= (empty) reads none.
  ::setenv("AEGIR_CONFIG", c.path.c_str(), 1);
  Flags h = MakeWeb();
  BOOST_REQUIRE(ParseArgs(h, {"prog"}).ok());
  BOOST_TEST(h.Get("threads") == "3");
  Flags i = MakeWeb();
  BOOST_REQUIRE(ParseArgs(i, {"prog", "--config="}).ok());
  BOOST_TEST(i.Get("threads") == "8");
  BOOST_TEST(i.Origin("threads") == "the default");
  ::unsetenv("AEGIR_CONFIG");
}

BOOST_AUTO_TEST_CASE(a_bad_value_from_the_file_names_where_it_came_from) {
  ConfigFile c("web:\n  threads: many\n");
  Flags f = MakeWeb();
  BOOST_REQUIRE(ParseConfig(f, c).ok());
  auto n = f.GetInt("threads", 1, 64);
  BOOST_REQUIRE(!n.ok());
  BOOST_TEST(Has(n.status().message(), "--threads (from " + c.path + " line 2) must be a whole number"));
}

BOOST_AUTO_TEST_CASE(empty_files_and_sections_set_nothing) {
  BOOST_TEST(ErrorOf("") == "");
  BOOST_TEST(ErrorOf("# only comments\n") == "");
  BOOST_TEST(ErrorOf("web:\n  # threads: 2\nexecutor:\n") == "");
}

BOOST_AUTO_TEST_CASE(mistakes_in_the_file_stop_with_file_line_and_key) {
  std::string e = ErrorOf("web:\n  threads: 2\n  thread: 3\n");
  BOOST_TEST(Has(e, "line 3: unknown key 'thread' in section 'web'"), e);
  BOOST_TEST(Has(e, "aegir.yml line 3"), e);

  e = ErrorOf("web:\n  threads: 2\nwebb:\n  threads: 3\n");
  BOOST_TEST(Has(e, "line 3: unknown section 'webb'"), e);

  e = ErrorOf("web:\n  threads: [1, 2]\n");
  BOOST_TEST(Has(e, "line 2: the key 'threads' in section 'web' has a list as its value"), e);
  e = ErrorOf("web:\n  templates:\n    dir: /x\n");
  BOOST_TEST(Has(e, "line 2: the key 'templates' in section 'web' has a mapping"), e);
  e = ErrorOf("web:\n  templates:\n");
  BOOST_TEST(Has(e, "line 2: the key 'templates' in section 'web' has nothing as its value"), e);
  BOOST_TEST(Has(e, "write \"\" for an empty one"), e);

  e = ErrorOf("web:\n  threads: 2\n  threads: 3\n");
  BOOST_TEST(Has(e, "line 3: the key 'threads' appears twice"), e);
  e = ErrorOf("web:\n  threads: 2\nweb:\n  templates: /t\n");
  BOOST_TEST(Has(e, "line 3: the section 'web' appears twice"), e);

  e = ErrorOf("web:\n  threads: 2\n   templates: [unclosed\n");
  BOOST_TEST(Has(e, "not valid YAML"), e);
  BOOST_TEST(Has(e, "aegir.yml line "), e);
  e = ErrorOf("web: {threads: 2\n");
  BOOST_TEST(Has(e, "not valid YAML"), e);

  e = ErrorOf("- web\n- scheduler\n");
  BOOST_TEST(Has(e, "line 1: the file must be a mapping of sections"), e);
  e = ErrorOf("web: 8\n");
  BOOST_TEST(Has(e, "line 1: the section 'web' must be a mapping"), e);

  e = ErrorOf("web:\n  config: /etc/other.yml\n");
  BOOST_TEST(Has(e, "line 2: the key 'config' cannot be set"), e);

  e = ErrorOf("common:\n  threads: 2\n");
  BOOST_TEST(Has(e, "line 2: unknown key 'threads' in section 'common'"), e);

  // Another program's section: its shape is checked here, its keys by it.
  BOOST_TEST(ErrorOf("executor:\n  capacity: 2\n  anything: x\n") == "");
  e = ErrorOf("executor:\n  capacity: [2]\n");
  BOOST_TEST(Has(e, "line 2: the key 'capacity' in section 'executor' has a list"), e);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_error) {
  Flags f = MakeWeb();
  aegir::Status s = ParseArgs(f, {"prog", "--config=/nonexistent/aegir.yml"});
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(Has(s.message(), "cannot read the configuration file /nonexistent/aegir.yml"), s.message());
  Flags g = MakeWeb();
  s = ParseArgs(g, {"prog", "--config=/tmp"});
  BOOST_TEST(Has(s.message(), "is a directory"), s.message());
  // A typo on the command line is reported before any file is read.
  Flags h = MakeWeb();
  s = ParseArgs(h, {"prog", "--config=/nonexistent/aegir.yml", "--thread=2"});
  BOOST_TEST(Has(s.message(), "unknown option --thread"), s.message());
}

BOOST_AUTO_TEST_CASE(without_UseConfigFile_there_is_no_config_setting) {
  Flags f = Make();
  BOOST_TEST(!ParseArgs(f, {"prog", "--config=/etc/aegir/aegir.yml"}).ok());
}

// ------------------------------------------------- the example, per daemon --

namespace {

// Runs a program to its end; its exit code and output (stdout and stderr).
std::pair<int, std::string> Run(const std::vector<std::string>& argv) {
  auto p = aegir::Process::Spawn({argv, {{"AEGIR_CONFIG", ""}}, "", false});
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  std::string out;
  while (p->output_open()) {
    pollfd pfd{p->output_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    (void)p->ReadAvailable(&out);
  }
  auto st = p->Wait();
  BOOST_REQUIRE(st.ok());
  return {st->exited ? st->exit_code : -1, out};
}

// The settings a program's --help lists ("  --name  (AEGIR_NAME)  help").
std::set<std::string> SettingsOf(const std::string& binary) {
  auto [code, out] = Run({binary, "--help"});
  BOOST_REQUIRE_MESSAGE(code == 0, binary << " --help: " << out);
  std::set<std::string> names;
  std::regex re("^  --([a-z0-9-]+)  \\(AEGIR_");
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, re)) names.insert(m[1]);
  }
  return names;
}

// The keys of each section of the example, active ("key: v") or shown
// commented out ("#key: v", no space after '#'), with the line they are on.
std::map<std::string, std::map<std::string, int>> ExampleKeys(const std::string& path) {
  std::map<std::string, std::map<std::string, int>> keys;
  std::ifstream in(path);
  std::string section;
  std::regex section_re("^([a-z]+):\\s*$"), key_re("^  #?([a-z][a-z0-9-]*):( |$)");
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    std::smatch m;
    if (std::regex_match(line, m, section_re)) {
      section = m[1];
    } else if (std::regex_search(line, m, key_re)) {
      BOOST_TEST(keys[section].count(m[1]) == 0u, path << " line " << n << ": " << m[1] << " again in " << section);
      keys[section][m[1]] = n;
    }
  }
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_example_configuration_lists_every_setting_and_each_daemon_accepts_it) {
  const std::string example = std::string(AEGIR_SOURCE_DIR) + "/packaging/aegir.yml.example";
  auto keys = ExampleKeys(example);
  const std::string bin = AEGIR_BINARY_DIR;
  const std::vector<std::pair<std::string, std::string>> programs = {{"web", bin + "/fcgi-app/aegir-web"},
                                                                     {"scheduler", bin + "/scheduler/aegir-scheduler"},
                                                                     {"executor", bin + "/executors/aegir-executor"}};
  for (const auto& [section, binary] : programs) {
    std::set<std::string> settings = SettingsOf(binary);
    BOOST_TEST_REQUIRE(settings.count("config") == 1u, binary << " takes no --config");
    for (const std::string& name : settings) {
      if (name == "config") continue;
      bool shared =
          std::find(Flags::kCommonKeys().begin(), Flags::kCommonKeys().end(), name) != Flags::kCommonKeys().end();
      bool listed = keys[section].count(name) || (shared && keys["common"].count(name));
      BOOST_TEST(listed, example << " does not list the setting " << name << " of " << binary << " in section "
                                 << section << (shared ? " or common" : ""));
    }
    for (const auto& [name, line] : keys[section]) {
      BOOST_TEST(settings.count(name) == 1u,
                 example << " line " << line << ": " << binary << " has no setting " << name);
    }
    // The daemon itself reads and checks the example (--help: nothing starts).
    auto [code, out] = Run({binary, "--config=" + example, "--help"});
    BOOST_TEST(code == 0, binary << " refused " << example << ": " << out);
  }
  for (const auto& [name, line] : keys["common"]) {
    BOOST_TEST(
        (std::find(Flags::kCommonKeys().begin(), Flags::kCommonKeys().end(), name) != Flags::kCommonKeys().end()),
        example << " line " << line << ": " << name << " cannot be in common");
  }
  // And a daemon refuses a broken copy, naming the line (not only --help).
  ConfigFile broken("executor:\n  scheduler: ipc:///x\n  capacty: 2\n");
  auto [code, out] = Run({bin + "/executors/aegir-executor", "--config=" + broken.path});
  BOOST_TEST(code == 2);
  BOOST_TEST(Has(out, "ERROR " + broken.path + " line 3: unknown key 'capacty' in section 'executor'"), out);
}
