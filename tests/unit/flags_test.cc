#define BOOST_TEST_MODULE flags
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "common/flags.h"

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
