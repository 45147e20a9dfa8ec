#define BOOST_TEST_MODULE feedback_values
#include <boost/test/unit_test.hpp>

#include "fcgi-app/feedback_values.h"

using aegir::web::ParseFeedbackValues;
using nlohmann::json;

namespace {

// The message of the refusal of body, or "" when it was accepted.
std::string Refusal(const std::string& body) {
  auto r = ParseFeedbackValues(body);
  return r.ok() ? "" : r.status().message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_values_roles_send_are_taken) {
  auto r = ParseFeedbackValues(R"({"values": {
      "backup_path": "/var/aegir/config/web1/backups/blog.example.org-20261127.101500.tar.gz",
      "backup_size": "123456", "deployed_commit": "0123456789abcdef0123456789abcdef01234567",
      "db_name": "blog_example_org_3", "login_url": "http://blog.localhost:8080/wp-login.php?action=rp&key=x",
      "sites_found": ["a.example.org", "b.example.org"],
      "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST((*r)["backup_size"] == 123456);  // digits in a string become a number
  BOOST_TEST((*r)["sites_found"].size() == 2u);
  BOOST_TEST(ParseFeedbackValues(R"({"values": {"backup_size": 7}})").ok());
  BOOST_TEST(ParseFeedbackValues(R"({"values": {}})").ok());
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused_with_the_key_named) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"values": {"status": "enabled"}})", "status is not a value aegir-web takes"},
      {R"({"values": {"backup_path": "relative/x.tar.gz"}})", "backup_path must be an absolute path"},
      {R"({"values": {"backup_path": "/b/../../etc/shadow"}})", "backup_path must be an absolute path"},
      {R"({"values": {"backup_deleted": 5}})", "backup_deleted must be an absolute path"},
      {R"({"values": {"backup_size": -1}})", "backup_size must be a whole number"},
      {R"({"values": {"backup_size": "12; DROP TABLE"}})", "backup_size must be a whole number"},
      {R"({"values": {"backup_size": 1.5}})", "backup_size must be a whole number"},
      {R"({"values": {"deployed_commit": "HEAD"}})", "deployed_commit must be 7 to 40 hex digits"},
      {R"({"values": {"db_name": "x`; DROP DATABASE y"}})", "db_name must be a database name"},
      {R"j({"values": {"login_url": "javascript:alert(1)"}})j", "login_url must be an http(s) URL"},
      {R"({"values": {"login_url": "http://a b"}})", "login_url must be an http(s) URL"},
      {R"({"values": {"sites_found": ["ok.org", "<b>"]}})", "sites_found must be a list of domains"},
      {R"({"values": {"host_key": "ssh-ed25519 AAAA\n@cert-authority * ssh-rsa AAAA"}})", "host_key must be SSH"},
      {R"({"values": []})", "values must be an object"},
      {R"({"other": {}})", "values must be an object"},
      {R"([1])", "not a JSON object"},
      {R"j({"values": {"backup_path": "/x)j", "not a JSON object"},
  };
  for (const auto& [body, says] : cases) {
    std::string why = Refusal(body);
    BOOST_TEST(why.find(says) != std::string::npos, body << " -> '" << why << "'");
  }
  json many = {{"values", json::object()}};
  for (int i = 0; i < 21; ++i) many["values"]["db_name" + std::to_string(i)] = "x";
  BOOST_TEST(Refusal(many.dump()).find("at most 20 keys") != std::string::npos);
}
