#define BOOST_TEST_MODULE catalogue
#include <boost/test/unit_test.hpp>

#include "fcgi-app/catalogue.h"

using aegir::web::Catalogue;

namespace {
const std::string kRoles = std::string(AEGIR_SOURCE_DIR) + "/roles";
}

BOOST_AUTO_TEST_CASE(the_shipped_catalogue_loads) {
  auto c = Catalogue::Load(kRoles + "/operations.json", kRoles);
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  const auto* op = c->Find("server-verify");
  BOOST_REQUIRE(op != nullptr);
  BOOST_TEST(op->entity == "server");
  BOOST_TEST(op->tasks.size() >= 2u);
  BOOST_TEST(c->ForEntity("server").size() >= 1u);
}

BOOST_AUTO_TEST_CASE(refuses_unknown_roles_and_bad_entries) {
  auto missing = Catalogue::Parse(
      R"({"operations":[{"name":"x","title":"X","entity":"server","tasks":["no_such_role"]}]})", kRoles);
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.status().message().find("no_such_role") != std::string::npos);
  BOOST_TEST(!Catalogue::Parse("not json", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(R"({"operations":{}})", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(
      R"({"operations":[{"name":"x","title":"X","entity":"planet","tasks":["server_config_dirs"]}]})", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(
      R"({"operations":[{"name":"x","title":"X","entity":"server","tasks":["../../etc"]}]})", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(
      R"({"operations":[{"name":"x","title":"X","entity":"server","tasks":[]}]})", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(R"({"operations":[
      {"name":"x","title":"X","entity":"server","tasks":["server_config_dirs"]},
      {"name":"x","title":"Y","entity":"server","tasks":["server_config_dirs"]}]})", kRoles).ok());
  BOOST_TEST(!Catalogue::Parse(R"({"operations":[{"name":"x","entity":"server","tasks":["server_config_dirs"]}]})",
                               kRoles).ok());
}
