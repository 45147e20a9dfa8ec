#define BOOST_TEST_MODULE catalogue
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "fcgi-app/catalogue.h"

using aegir::web::Catalogue;
using aegir::web::VarTypeName;

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

namespace {

// A roles directory of our own: each role given as argument_specs text.
struct Roles {
  explicit Roles(const std::map<std::string, std::string>& specs) {
    dir = std::filesystem::temp_directory_path() / ("catalogue-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    for (const auto& [role, yaml] : specs) {
      std::filesystem::create_directories(dir / role / "tasks");
      std::filesystem::create_directories(dir / role / "meta");
      std::ofstream(dir / role / "tasks" / "main.yml") << "- ansible.builtin.debug: {msg: hi}\n";
      std::ofstream(dir / role / "meta" / "argument_specs.yml") << yaml;
    }
  }
  ~Roles() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

const char* kBackupSpecs = R"(argument_specs:
  main:
    short_description: Back a site up
    options:
      aegir_site_domain: {type: str, required: true, description: the site}
      aegir_backup_description:
        type: str
        default: ""
        description:
          - What this backup is for.
)";
const char* kRestoreSpecs = R"(argument_specs:
  main:
    short_description: Restore
    options:
      aegir_site_domain: {type: str, required: true}
      aegir_backup_file: {type: path, required: true, pattern: '^/.+\.tar\.gz$'}
      aegir_site_enabled: {type: bool, default: true}
      aegir_mode: {type: str, choices: [fast, careful], default: careful}
      aegir_names: {type: list, elements: str, default: [a, b]}
)";

}  // namespace

BOOST_AUTO_TEST_CASE(form_fields_are_the_declared_variables_that_are_not_context_or_fixed) {
  Roles roles({{"site_backup", kBackupSpecs}, {"site_restore", kRestoreSpecs}});
  auto c = Catalogue::Parse(R"({"operations":[{"name":"site-restore","title":"Restore","entity":"site",
      "tasks":["site_backup","site_restore"], "vars": {"aegir_mode": "fast"},
      "success": {"status": "enabled"}, "danger": true}]})", roles.dir.string());
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  const auto* op = c->Find("site-restore");
  BOOST_REQUIRE(op);
  BOOST_TEST(op->success_status == "enabled");
  BOOST_TEST(op->danger);
  std::vector<std::string> names;
  for (const auto& f : op->fields) names.push_back(f.name);
  // aegir_site_domain and aegir_site_enabled are context, aegir_mode is fixed.
  BOOST_TEST(names == (std::vector<std::string>{"aegir_backup_description", "aegir_backup_file", "aegir_names"}),
             boost::test_tools::per_element());
  BOOST_TEST(op->fields[0].description == "What this backup is for.");
  BOOST_TEST(std::string(VarTypeName(op->fields[1].type)) == "path");
  BOOST_TEST(op->fields[1].required);
  BOOST_TEST(std::regex_match("/b/x.tar.gz", *op->fields[1].re));
  BOOST_TEST(*op->fields[2].default_value == nlohmann::json::array({"a", "b"}));
  BOOST_TEST(op->declared.at("aegir_mode").choices.size() == 2u);
  BOOST_TEST(op->declared.count("aegir_site_domain") == 1u);
}

BOOST_AUTO_TEST_CASE(bad_declarations_stop_the_start) {
  auto parse = [](const std::map<std::string, std::string>& specs, const std::string& ops) {
    Roles roles(specs);
    return Catalogue::Parse(ops, roles.dir.string());
  };
  const std::string one = R"({"operations":[{"name":"x","title":"X","entity":"site","tasks":["r"]}]})";
  auto unsupported = parse({{"r", "argument_specs: {main: {options: {v: {type: dict}}}}"}}, one);
  BOOST_TEST(!unsupported.ok());
  BOOST_TEST(unsupported.status().message().find("unsupported type 'dict'") != std::string::npos);
  BOOST_TEST(!parse({{"r", "argument_specs: {main: {options: {v: {type: str, pattern: '(['}}}}"}}, one).ok());
  BOOST_TEST(!parse({{"r", "not: [valid"}}, one).ok());
  BOOST_TEST(!parse({{"r", "argument_specs: {}"}}, one).ok());
  // Two roles that disagree about one variable.
  auto clash = parse({{"r", "argument_specs: {main: {options: {v: {type: str}}}}"},
                      {"s", "argument_specs: {main: {options: {v: {type: int}}}}"}},
                     R"({"operations":[{"name":"x","title":"X","entity":"site","tasks":["r","s"]}]})");
  BOOST_TEST(!clash.ok());
  BOOST_TEST(clash.status().message().find("declare v differently") != std::string::npos);
  // A fixed value for a variable nobody declares, or of the wrong type.
  BOOST_TEST(!parse({{"r", "argument_specs: {main: {options: {v: {type: bool}}}}"}},
                    R"({"operations":[{"name":"x","title":"X","entity":"site","tasks":["r"],"vars":{"w":1}}]})")
                  .ok());
  BOOST_TEST(!parse({{"r", "argument_specs: {main: {options: {v: {type: bool}}}}"}},
                    R"({"operations":[{"name":"x","title":"X","entity":"site","tasks":["r"],"vars":{"v":"yes"}}]})")
                  .ok());
  // A role without argument specs.
  Roles bare({});
  std::filesystem::create_directories(bare.dir / "r" / "tasks");
  std::ofstream(bare.dir / "r" / "tasks" / "main.yml") << "[]\n";
  BOOST_TEST(!Catalogue::Parse(one, bare.dir.string()).ok());
  // An unknown status.
  BOOST_TEST(!parse({{"r", "argument_specs: {main: {options: {}}}"}},
                    R"({"operations":[{"name":"x","title":"X","entity":"site","tasks":["r"],"success":{"status":"gone"}}]})")
                  .ok());
}
