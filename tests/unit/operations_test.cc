// What aegir-web hands to the roles: the context variables built from the
// model, filtered by what the operation's roles declare, and which buttons
// an entity in a given state offers.
#define BOOST_TEST_MODULE operations
#include <boost/test/unit_test.hpp>

#include "fcgi-app/operations.h"

using namespace aegir::web;
using nlohmann::json;

namespace {

Operation Op(const std::string& name, const std::string& entity, std::vector<std::string> declared,
             const std::string& success = "") {
  Operation op;
  op.name = name;
  op.entity = entity;
  op.success_status = success;
  for (const auto& d : declared) op.declared[d] = VarSpec{d};
  return op;
}

Target SiteTarget() {
  Target t;
  t.entity_type = "site";
  t.entity_id = 7;
  t.server = {1, "web1", "localhost", "verified", "", "", "/var/aegir/config", "aegir", 22, ""};
  HttpService h;
  h.port = 8080;
  h.https_port = 8443;
  h.vhost_dir = "/var/aegir/config/web1/vhost.d";
  h.platforms_dir = "/var/aegir/platforms";
  h.php_fpm_socket = "/run/php/php8.2-fpm.sock";
  h.reload = {"/usr/sbin/nginx", "-s", "reload"};
  t.http = h;
  store::Platform p;
  p.id = 3;
  p.name = "wp61";
  p.installer = "wordpress";
  p.source = "path";
  p.source_path = "/usr/share/wordpress";
  t.platform = p;
  store::Site s;
  s.id = 7;
  s.domain = "blog.example.org";
  s.platform_id = 3;
  s.platform_name = "wp61";
  s.db_name = "blog_example_org_7";
  s.https = "required";
  s.status = "enabled";
  t.site = s;
  t.db = DbService{};
  t.aliases = {{"www.blog.example.org", false}, {"old.example.org", true}};
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_job_gets_only_the_variables_its_roles_declare) {
  Operation op = Op("site-backup", "site",
                    {"aegir_site_domain", "aegir_site_dir", "aegir_site_url", "aegir_site_aliases",
                     "aegir_site_redirects", "aegir_http_reload", "aegir_backups_dir", "aegir_backup_description"});
  auto vars = BuildVars(op, SiteTarget(), {{"aegir_backup_description", "nightly"},
                                               {"aegir_not_declared", "dropped"}},
                        std::nullopt);
  BOOST_TEST(vars.size() == op.declared.size());
  BOOST_TEST(vars["aegir_site_domain"] == "blog.example.org");
  BOOST_TEST(vars["aegir_site_dir"] == "/var/aegir/platforms/wp61/sites/blog.example.org");
  BOOST_TEST(vars["aegir_site_url"] == "https://blog.example.org:8443");  // HTTPS required
  BOOST_TEST(vars["aegir_site_aliases"] == json::array({"www.blog.example.org"}));
  BOOST_TEST(vars["aegir_site_redirects"] == json::array({"old.example.org"}));
  BOOST_TEST(vars["aegir_http_reload"] == json::array({"/usr/sbin/nginx", "-s", "reload"}));
  BOOST_TEST(vars["aegir_backups_dir"] == "/var/aegir/config/web1/backups");
  BOOST_TEST(vars["aegir_backup_description"] == "nightly");
  BOOST_TEST(!vars.count("aegir_not_declared"));
  BOOST_TEST(!vars.count("aegir_db_admin_user"));  // not declared by these roles
}

BOOST_AUTO_TEST_CASE(fixed_values_win_over_the_context_and_targets_are_derived) {
  Operation disable = Op("site-disable", "site", {"aegir_site_enabled"}, "disabled");
  disable.fixed_vars["aegir_site_enabled"] = false;
  BOOST_TEST(BuildVars(disable, SiteTarget(), {}, std::nullopt)["aegir_site_enabled"] == false);

  Operation migrate = Op("site-migrate", "site", {"aegir_new_site_dir", "aegir_new_site_url",
                                                  "aegir_target_platform_path", "aegir_target_platform"});
  store::Platform other;
  other.name = "wp62";
  other.installer = "wordpress";
  auto vars = BuildVars(migrate, SiteTarget(),
                        {{"aegir_target_platform", "wp62"}, {"aegir_new_domain", "new.example.org"}}, other);
  BOOST_TEST(vars["aegir_target_platform_path"] == "/var/aegir/platforms/wp62");
  BOOST_TEST(vars["aegir_new_site_dir"] == "/var/aegir/platforms/wp62/sites/new.example.org");
  BOOST_TEST(vars["aegir_new_site_url"] == "https://new.example.org:8443");  // a migrated site keeps HTTPS
  Operation clone = Op("site-clone", "site", {"aegir_new_site_url"});
  BOOST_TEST(BuildVars(clone, SiteTarget(), {{"aegir_new_domain", "copy.example.org"}}, std::nullopt)
                 ["aegir_new_site_url"] == "http://copy.example.org:8080");  // a clone starts without HTTPS
}

BOOST_AUTO_TEST_CASE(site_urls) {
  HttpService h;
  h.port = 80;
  h.https_port = 443;
  BOOST_TEST(SiteUrl("a.org", "off", h) == "http://a.org");
  BOOST_TEST(SiteUrl("a.org", "on", h) == "http://a.org");
  BOOST_TEST(SiteUrl("a.org", "required", h) == "https://a.org");
  h.https_port = 0;  // no HTTPS on this server: required cannot be honoured
  BOOST_TEST(SiteUrl("a.org", "required", h) == "http://a.org");
  h.port = 8080;
  BOOST_TEST(SiteUrl("a.org", "off", h) == "http://a.org:8080");
}

BOOST_AUTO_TEST_CASE(buttons_follow_the_state) {
  Operation install = Op(kSiteInstall, "site", {});
  install.when = {"queued", "failed"};
  Operation enable = Op("site-enable", "site", {}, "enabled");
  enable.when = {"disabled"};
  Operation disable = Op("site-disable", "site", {}, "disabled");
  disable.when = {"enabled"};
  Operation remove = Op(kSiteDelete, "site", {}, "deleted");
  remove.when = {"disabled", "failed"};
  Operation backup = Op("site-backup", "site", {});
  backup.when = {"enabled", "disabled"};
  BOOST_TEST(!Offered(install, "enabled"));
  BOOST_TEST(Offered(install, "failed"));
  BOOST_TEST(!Offered(enable, "enabled"));
  BOOST_TEST(Offered(enable, "disabled"));
  BOOST_TEST(Offered(disable, "enabled"));
  BOOST_TEST(!Offered(remove, "enabled"));
  BOOST_TEST(Offered(remove, "disabled"));
  BOOST_TEST(!Offered(backup, "queued"));
  BOOST_TEST(Offered(backup, "disabled"));
  Operation lock = Op("platform-lock", "platform", {}, "locked");
  lock.when = {"enabled"};
  Operation unlock = Op("platform-unlock", "platform", {}, "enabled");
  unlock.when = {"locked"};
  Operation drop = Op(kPlatformDelete, "platform", {}, "deleted");
  BOOST_TEST(Offered(lock, "enabled"));
  BOOST_TEST(!Offered(lock, "locked"));
  BOOST_TEST(Offered(unlock, "locked"));
  BOOST_TEST(!Offered(unlock, "enabled"));
  BOOST_TEST(!Offered(drop, "enabled", 2));
  BOOST_TEST(Offered(drop, "enabled", 0));
}

BOOST_AUTO_TEST_CASE(the_audit_log_gets_form_values_with_secrets_masked) {
  Operation op = Op("site-backup", "site", {});
  VarSpec declared_secret;
  declared_secret.name = "aegir_restore_passphrase";
  declared_secret.no_log = true;
  VarSpec plain;
  plain.name = "aegir_backup_description";
  op.fields = {declared_secret, plain};
  std::map<std::string, json> form = {{"aegir_restore_passphrase", "hunter2 hunter2"},
                                      {"aegir_backup_description", "before the upgrade"},
                                      {"aegir_smtp_password", "s3cret"},
                                      {"aegir_api_token", "abc"},
                                      {"aegir_ssh_key", "-----BEGIN"},
                                      {"aegir_keyword", "not a secret"},
                                      {"aegir_copies", 3}};
  json masked = MaskedValues(op, form);
  BOOST_TEST(masked["aegir_restore_passphrase"] == "********");  // declared no_log
  BOOST_TEST(masked["aegir_smtp_password"] == "********");       // named like a secret
  BOOST_TEST(masked["aegir_api_token"] == "********");
  BOOST_TEST(masked["aegir_ssh_key"] == "********");
  BOOST_TEST(masked["aegir_backup_description"] == "before the upgrade");
  BOOST_TEST(masked["aegir_keyword"] == "not a secret");
  BOOST_TEST(masked["aegir_copies"] == 3);
  BOOST_TEST(masked.dump().find("hunter2") == std::string::npos);
  BOOST_TEST(masked.dump().find("s3cret") == std::string::npos);
}
