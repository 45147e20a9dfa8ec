#define BOOST_TEST_MODULE operation_form
#include <boost/test/unit_test.hpp>

#include "fcgi-app/operation_form.h"

using namespace aegir::web;
using nlohmann::json;

namespace {

VarSpec Spec(const std::string& name, VarType type, bool required = false) {
  VarSpec v;
  v.name = name;
  v.type = type;
  v.required = required;
  return v;
}

VarSpec WithPattern(VarSpec v, const std::string& pattern) {
  v.pattern = pattern;
  v.re = std::make_shared<const std::regex>(pattern);
  return v;
}

FormResult Check(const std::vector<VarSpec>& fields, std::map<std::string, std::string> form,
                 const DynamicChoices& choices = {}) {
  return ValidateFields(fields, [&](const std::string& n) { return form.count(n) ? form[n] : ""; }, choices);
}

bool HasError(const FormResult& r, const std::string& field, const std::string& words) {
  for (const auto& e : r.errors) {
    if (e.field == field && e.message.find(words) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(typed_values_come_out) {
  std::vector<VarSpec> fields = {Spec("aegir_title", VarType::kStr), Spec("aegir_count", VarType::kInt),
                                 Spec("aegir_flag", VarType::kBool), Spec("aegir_file", VarType::kPath),
                                 Spec("aegir_names", VarType::kList)};
  auto r = Check(fields, {{"aegir_title", "  My blog "},
                          {"aegir_count", "-12"},
                          {"aegir_flag", "on"},
                          {"aegir_file", "/var/aegir/backups/a.tar.gz"},
                          {"aegir_names", "a.example.org\nb.example.org, c.example.org\n\n"}});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.values["aegir_title"] == "My blog");
  BOOST_TEST(r.values["aegir_count"] == -12);
  BOOST_TEST(r.values["aegir_flag"] == true);
  BOOST_TEST(r.values["aegir_file"] == "/var/aegir/backups/a.tar.gz");
  BOOST_TEST(r.values["aegir_names"] == json::array({"a.example.org", "b.example.org", "c.example.org"}));
}

BOOST_AUTO_TEST_CASE(required_default_and_absent) {
  VarSpec with_default = Spec("aegir_title", VarType::kStr);
  with_default.default_value = "My site";
  std::vector<VarSpec> fields = {Spec("aegir_email", VarType::kStr, true), with_default,
                                 Spec("aegir_optional", VarType::kStr)};
  auto r = Check(fields, {});
  BOOST_TEST(HasError(r, "aegir_email", "Email: this field is required."));
  BOOST_TEST(r.values["aegir_title"] == "My site");
  BOOST_TEST(!r.values.count("aegir_optional"));
}

BOOST_AUTO_TEST_CASE(hostile_and_malformed_values_are_refused_by_name) {
  std::vector<VarSpec> fields = {
      Spec("aegir_count", VarType::kInt), Spec("aegir_file", VarType::kPath), Spec("aegir_text", VarType::kStr),
      Spec("aegir_flag", VarType::kBool),
      WithPattern(Spec("aegir_new_domain", VarType::kStr), "^[a-z0-9-]+(\\.[a-z0-9-]+)+$")};
  auto r = Check(fields, {{"aegir_count", "12; DROP TABLE"},
                          {"aegir_file", "/var/aegir/backups/../../etc/shadow"},
                          {"aegir_text", "line\nbreak"},
                          {"aegir_flag", "maybe"},
                          {"aegir_new_domain", "evil.org; rm -rf /"}});
  BOOST_TEST(r.values.empty());
  BOOST_TEST(HasError(r, "aegir_count", "whole number"));
  BOOST_TEST(HasError(r, "aegir_file", "absolute path"));
  BOOST_TEST(HasError(r, "aegir_text", "line breaks"));
  BOOST_TEST(HasError(r, "aegir_flag", "tick the box"));
  BOOST_TEST(HasError(r, "aegir_new_domain", "not of the expected form"));
  for (const char* bad : {"relative/path", "/a//b", "/a/./b", "/a/", std::string(1100, 'a').c_str()}) {
    BOOST_TEST(!Check({Spec("p", VarType::kPath)}, {{"p", bad}}).ok(), bad);
  }
  // Invalid UTF-8 never reaches a job.
  BOOST_TEST(!Check({Spec("t", VarType::kStr)}, {{"t", "caf\xc3"}}).ok());
}

BOOST_AUTO_TEST_CASE(choices_static_and_dynamic) {
  VarSpec mode = Spec("aegir_mode", VarType::kStr);
  mode.choices = {"off", "on"};
  VarSpec backup = Spec("aegir_backup_file", VarType::kPath, true);
  DynamicChoices dyn = {{"aegir_backup_file", {"/b/site-1.tar.gz"}}};
  BOOST_TEST(Check({mode, backup}, {{"aegir_mode", "on"}, {"aegir_backup_file", "/b/site-1.tar.gz"}}, dyn).ok());
  auto r = Check({mode, backup}, {{"aegir_mode", "sideways"}, {"aegir_backup_file", "/b/other-site.tar.gz"}}, dyn);
  BOOST_TEST(HasError(r, "aegir_mode", "choose one of the values offered"));
  BOOST_TEST(HasError(r, "aegir_backup_file", "choose one of the values offered"));
  // A dynamic list that is empty refuses everything.
  auto none = Check({backup}, {{"aegir_backup_file", "/b/site-1.tar.gz"}}, {{"aegir_backup_file", {}}});
  BOOST_TEST(HasError(none, "aegir_backup_file", "nothing to choose from"));
}

BOOST_AUTO_TEST_CASE(list_items_each_match_the_pattern) {
  VarSpec aliases = WithPattern(Spec("aegir_names", VarType::kList), "^[a-z.]+$");
  BOOST_TEST(Check({aliases}, {{"aegir_names", "a.org\nb.org"}}).ok());
  auto r = Check({aliases}, {{"aegir_names", "a.org\n{{ lookup('pipe','id') }}"}});
  BOOST_TEST(HasError(r, "aegir_names", "not of the expected form"));
}

BOOST_AUTO_TEST_CASE(domain_names) {
  for (const char* ok : {"blog.example.org", "blog.localhost", "a-b.c"}) BOOST_TEST(IsDomainName(ok), ok);
  for (const char* bad : {"localhost", "Blog.example.org", "10.0.0.1", "a..b", "-a.b", "a b.c", ""}) {
    BOOST_TEST(!IsDomainName(bad), bad);
  }
}
