// What an administrator installs: `cmake --install` of this build into a
// temporary prefix (the layout, the example configuration made the real one
// with that prefix's paths, the systemd units checked by systemd-analyze),
// into a DESTDIR with the prefix /usr (the absolute /etc), and the Debian
// package CPack builds (its metadata, maintainer scripts and contents). The
// installed daemons read the installed configuration. Nothing is installed
// on this machine itself.
#define BOOST_TEST_MODULE packaging
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/temp_dir.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

const std::string kSource = AEGIR_SOURCE_DIR;
const std::string kBuild = AEGIR_BINARY_DIR;
const std::vector<std::string> kUnits = {"aegir-web.service", "aegir-scheduler.service", "aegir-executor.service"};

// A file that must be there (the test fails when it is not).
std::string ReadRequired(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p); }

// The temporary directory of the whole module.
struct Tmp {
  Tmp() : dir(aegir::TempDir::Create("/tmp", "aegir-pkg-").value()) {}
  aegir::TempDir dir;
};
Tmp& T() {
  static Tmp t;
  return t;
}

// `cmake --install` of this build with a prefix (and a DESTDIR, if not "").
void Install(const std::string& prefix, const std::string& destdir) {
  std::vector<std::string> argv = {"cmake", "--install", kBuild, "--prefix", prefix};
  if (!destdir.empty()) argv = {"env", "DESTDIR=" + destdir, "cmake", "--install", kBuild, "--prefix", prefix};
  auto [code, out] = Run(argv);
  BOOST_REQUIRE_MESSAGE(code == 0, "cmake --install failed:\n" << out);
}

// The value of "  key: value" in a section of a YAML file we wrote ("" if absent).
std::string ConfigValue(const std::string& yaml, const std::string& section, const std::string& key) {
  std::istringstream in(yaml);
  std::string current;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex("^([a-z]+):\\s*$"))) current = m[1];
    if (current == section && std::regex_match(line, m, std::regex("^  " + key + ": (.*)$"))) return m[1];
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(cmake_install_lays_out_binaries_data_config_units_and_docs) {
  const fs::path pfx = T().dir.path() / "pfx";
  Install(pfx.string(), "");
  for (const char* bin : {"sbin/aegir-web", "sbin/aegir-scheduler", "sbin/aegir-executor", "bin/aegir"}) {
    BOOST_TEST(Executable(pfx / bin), bin);
  }
  const fs::path share = pfx / "share/aegir";
  BOOST_TEST(ReadRequired(share / "www/static/style.css") == ReadRequired(kSource + "/www/static/style.css"));
  BOOST_TEST(fs::is_regular_file(share / "www/templates/page.tpl"));
  BOOST_TEST(ReadRequired(share / "roles/operations.json") == ReadRequired(kSource + "/roles/operations.json"));
  BOOST_TEST(fs::is_regular_file(share / "roles/site_install/meta/argument_specs.yml"));
  BOOST_TEST(fs::is_regular_file(share / "sql/0001_create_core_tables.sql"));
  BOOST_TEST(fs::is_regular_file(share / "nginx-conf/aegir.conf.in"));
  BOOST_TEST(fs::is_regular_file(share / "apache-conf/aegir.conf.in"));

  // The web servers' site files, filled in for this prefix and the units'
  // socket; nginx accepts its own inside an http block (nginx -t).
  const std::string nginx_site = ReadRequired(share / "nginx-conf/aegir-site.conf");
  const std::string apache_site = ReadRequired(share / "apache-conf/aegir-site.conf");
  for (const std::string* site : {&nginx_site, &apache_site}) {
    BOOST_TEST(!std::regex_search(*site, std::regex("@[A-Z_]+@")), *site);
    BOOST_TEST(Contains(*site, "/run/aegir/web/aegir-web.sock"));
    BOOST_TEST(Contains(*site, (share / "www/static").string()));
  }
  BOOST_TEST(Contains(nginx_site, "listen 80 default_server;"));
  BOOST_TEST(Contains(apache_site, "<VirtualHost *:80>"));
  {
    const fs::path ngx = T().dir.path() / "nginx-check";
    fs::create_directories(ngx);
    std::ofstream(ngx / "nginx.conf") << "pid " << (ngx / "nginx.pid").string() << ";\n"
                                      << "error_log " << (ngx / "error.log").string() << ";\n"
                                      << "events {}\nhttp {\n  include " << (share / "nginx-conf/aegir-site.conf").string()
                                      << ";\n}\n";
    auto [ncode, nout] = Run({"nginx", "-t", "-q", "-p", ngx.string(), "-c", (ngx / "nginx.conf").string(), "-e",
                              (ngx / "error.log").string()});
    BOOST_TEST(ncode == 0, nout);
  }
  BOOST_TEST(fs::is_regular_file(pfx / "share/doc/aegir/configuration.md"));
  BOOST_TEST(fs::is_regular_file(pfx / "share/doc/aegir/aegir.yml.example"));
  BOOST_TEST(fs::is_regular_file(pfx / "share/doc/aegir/aegir-executor-local-reload.conf"));

  // The configuration names this prefix's files, and they are there.
  const fs::path config = pfx / "etc/aegir/aegir.yml";
  const std::string yaml = ReadRequired(config);
  BOOST_TEST(ConfigValue(yaml, "web", "templates") == (share / "www/templates").string());
  for (auto [section, key] : std::vector<std::pair<std::string, std::string>>{{"web", "templates"},
                                                                              {"web", "catalogue"},
                                                                              {"web", "migrations"},
                                                                              {"scheduler", "catalogue"},
                                                                              {"scheduler", "roles"},
                                                                              {"executor", "roles"}}) {
    std::string path = ConfigValue(yaml, section, key);
    BOOST_TEST(fs::exists(path), section << "." << key << " = '" << path << "' does not exist");
  }
  // Each installed daemon accepts the installed configuration.
  for (const char* bin : {"sbin/aegir-web", "sbin/aegir-scheduler", "sbin/aegir-executor"}) {
    auto [code, out] = Run({(pfx / bin).string(), "--config=" + config.string(), "--help"});
    BOOST_TEST(code == 0, bin << ": " << out);
  }

  // The units start the installed binaries with the installed configuration.
  const fs::path units = pfx / "lib/systemd/system";
  for (const std::string& unit : kUnits) {
    std::string text = ReadRequired(units / unit);
    std::string program = unit.substr(0, unit.find('.'));
    BOOST_TEST(Contains(text, "ExecStart=" + (pfx / "sbin" / program).string()), unit);
    BOOST_TEST(Contains(text, "--config=" + config.string()), unit);
  }

  // An administrator's aegir.yml survives the next install.
  { std::ofstream(config, std::ios::app) << "# edited by the administrator\n"; }
  Install(pfx.string(), "");
  BOOST_TEST(Contains(ReadRequired(config), "# edited by the administrator"));
}

BOOST_AUTO_TEST_CASE(the_units_pass_systemd_analyze) {
  const fs::path units = T().dir.path() / "pfx/lib/systemd/system";
  BOOST_REQUIRE(fs::is_regular_file(units / kUnits[0]));
  std::vector<std::string> verify = {"systemd-analyze", "verify"};
  for (const std::string& u : kUnits) verify.push_back((units / u).string());
  // verify exits 0 even for unknown keys or bad values; it prints them.
  auto [code, out] = Run(verify);
  BOOST_TEST(code == 0);
  BOOST_TEST(out.empty(), "systemd-analyze verify:\n" << out);
  // The executor with the drop-in for a local web server's reload (its
  // [Service] lines appended, as systemd merges a drop-in).
  std::string merged = ReadRequired(units / "aegir-executor.service") + "\n" +
                       ReadRequired(kSource + "/packaging/systemd/aegir-executor-local-reload.conf");
  fs::path with_dropin = T().dir.path() / "aegir-executor.service";
  { std::ofstream(with_dropin) << merged; }
  auto [dcode, dout] = Run({"systemd-analyze", "verify", with_dropin.string()});
  BOOST_TEST(dcode == 0);
  BOOST_TEST(dout.empty(), "systemd-analyze verify, with the drop-in:\n" << dout);
  // The sandboxing, as systemd rates it (0 best, 10 worst; 2.0 here).
  std::vector<std::string> security = {"systemd-analyze", "security", "--offline=yes", "--threshold=20"};
  for (const std::string& u : kUnits) security.push_back((units / u).string());
  auto [scode, sout] = Run(security);
  BOOST_TEST(scode == 0, "systemd-analyze security rates a unit above 2.0:\n" << sout);
}

BOOST_AUTO_TEST_CASE(a_destdir_install_for_usr_puts_the_configuration_in_etc) {
  const fs::path dest = T().dir.path() / "dest";
  Install("/usr", dest.string());
  BOOST_TEST(fs::is_regular_file(dest / "etc/aegir/aegir.yml"));
  BOOST_TEST(ConfigValue(ReadRequired(dest / "etc/aegir/aegir.yml"), "web", "templates") ==
             "/usr/share/aegir/www/templates");
  std::string unit = ReadRequired(dest / "usr/lib/systemd/system/aegir-web.service");
  BOOST_TEST(Contains(unit, "ExecStart=/usr/sbin/aegir-web serve --config=/etc/aegir/aegir.yml"));
  BOOST_TEST(Executable(dest / "usr/sbin/aegir-web"));
}

BOOST_AUTO_TEST_CASE(cpack_builds_a_debian_package) {
  const fs::path out = T().dir.path() / "deb";
  auto [code, log] = Run({"cpack", "-G", "DEB", "--config", kBuild + "/CPackConfig.cmake", "-B", out.string()});
  BOOST_REQUIRE_MESSAGE(code == 0, "cpack failed:\n" << log);
  fs::path deb;
  for (const auto& e : fs::directory_iterator(out)) {
    if (e.path().extension() == ".deb") deb = e.path();
  }
  BOOST_REQUIRE_MESSAGE(!deb.empty(), "no .deb in " << out << ":\n" << log);

  auto [icode, info] = Run({"dpkg-deb", "--info", deb.string()});
  BOOST_REQUIRE(icode == 0);
  BOOST_TEST(Contains(info, "Package: aegir\n"), info);
  BOOST_TEST(Contains(info, "Section: admin"), info);
  std::string depends = First(info, "\n Depends: ([^\n]*)");
  // The libraries the binaries link (dpkg-shlibdeps) and what they run.
  for (const char* pkg : {"libfcgi0ldbl", "libmariadb3", "libzmq5", "libctemplate3", "libcurl4", "libyaml-cpp0.7",
                          "libsodium23", "ansible-core", "adduser", "openssh-client"}) {
    BOOST_TEST(Contains(depends, pkg), pkg << " is not in Depends: " << depends);
  }
  BOOST_TEST(Contains(info, "Recommends: "), info);
  for (const char* script : {"postinst", "prerm", "conffiles"}) BOOST_TEST(Contains(info, script), script);

  auto [ccode, control] = Run({"dpkg-deb", "--field", deb.string(), "Version"});
  BOOST_TEST(Contains(control, "0.1.0"));
  fs::path ctl = T().dir.path() / "control";
  Run({"dpkg-deb", "--control", deb.string(), ctl.string()});
  BOOST_TEST(ReadRequired(ctl / "conffiles") == "/etc/aegir/aegir.yml\n");
  auto [pcode, pout] = Run({"sh", "-n", (ctl / "postinst").string()});
  BOOST_TEST(pcode == 0, pout);
  BOOST_TEST(Executable(ctl / "postinst"));

  auto [lcode, contents] = Run({"dpkg-deb", "--contents", deb.string()});
  BOOST_REQUIRE(lcode == 0);
  for (const char* file :
       {"./usr/sbin/aegir-web", "./usr/sbin/aegir-scheduler", "./usr/sbin/aegir-executor", "./usr/bin/aegir",
        "./etc/aegir/aegir.yml", "./usr/lib/systemd/system/aegir-web.service",
        "./usr/lib/systemd/system/aegir-scheduler.service", "./usr/lib/systemd/system/aegir-executor.service",
        "./usr/share/aegir/www/static/style.css", "./usr/share/aegir/roles/operations.json", "./usr/share/aegir/sql/",
        "./usr/share/aegir/apache-conf/aegir.conf.in", "./usr/share/aegir/nginx-conf/aegir-site.conf",
        "./usr/share/aegir/apache-conf/aegir-site.conf", "./usr/share/doc/aegir/configuration.md"}) {
    BOOST_TEST(Contains(contents, std::string(file) + (file[std::strlen(file) - 1] == '/' ? "" : "\n")),
               file << " is not in the package");
  }
  // Stripped: the build's debugging information stays out of the package.
  fs::path x = T().dir.path() / "x";
  auto [xcode, xout] = Run({"dpkg-deb", "-x", deb.string(), x.string()});
  BOOST_REQUIRE(xcode == 0);
  BOOST_TEST(fs::file_size(x / "usr/sbin/aegir-web") < fs::file_size(kBuild + "/fcgi-app/aegir-web"));
  BOOST_TEST(Contains(ReadRequired(x / "usr/lib/systemd/system/aegir-executor.service"),
                      "ExecStart=/usr/sbin/aegir-executor --config=/etc/aegir/aegir.yml"));
}

BOOST_AUTO_TEST_CASE(under_the_journal_a_log_line_has_a_priority_and_no_time) {
  const std::string executor = kBuild + "/executors/aegir-executor";
  // As systemd starts it: JOURNAL_STREAM names stderr's device and inode
  // (bash finds them for the pipe that is its stderr, then becomes the daemon).
  auto [code, out] =
      Run({"bash", "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\"", executor,
           "--scheduler=ipc:///nonexistent", "--roles=/nonexistent", "--work-dir=/nonexistent", "--capacity=0"});
  BOOST_TEST(code == 2);
  BOOST_TEST(out == "<3>ERROR --capacity must be a whole number from 1 to 256, not '0'\n", out);
  // A JOURNAL_STREAM inherited by a program whose stderr goes elsewhere: the
  // ordinary line, with the time and the program.
  auto [code2, out2] = Run({"env", "JOURNAL_STREAM=1:1", executor, "--scheduler=ipc:///nonexistent",
                            "--roles=/nonexistent", "--work-dir=/nonexistent", "--capacity=0"});
  BOOST_TEST(code2 == 2);
  BOOST_TEST(std::regex_match(out2, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z aegir-executor ERROR --capacity "
                                               "must be a whole number from 1 to 256, not '0'\n")),
             out2);
}
