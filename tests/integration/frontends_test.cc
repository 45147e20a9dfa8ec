// The two web servers Aegir ships a configuration for, in front of the real
// aegir-web: the stack's own nginx (nginx-conf/aegir.conf.in with
// nginx-conf/aegir-site.conf.in, the control panel's site, filled in by
// scripts/launch) and an Apache started by this test with
// apache-conf/aegir.conf.in filled in, on a free loopback port, pointing at
// the stack's aegir-web socket and static files. For each: the pages come
// from aegir-web, the static files from the web server itself (aegir-web has
// no route for them), every answer carries the security headers, what
// compresses is gzipped on request, a login with its CSRF token works end to
// end, and a body over 4 MiB is refused by the web server before aegir-web
// sees it.
//
// As root, Apache's workers run as www-data (Apache refuses root workers):
// the stack makes aegir-web's socket 0660 for the group www-data, as it does
// for nginx's workers, and its temporary directories searchable.
#define BOOST_TEST_MODULE frontends
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/process.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(StackSuite);
Stack& S() { return StackSuite::Get(); }

const std::string kCsp =
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

// A file that must be there (the test fails when it is not).
std::string ReadRequired(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path);
}

// Where the stack's programs read www/ from: as root a copy in $AEGIR_VAR/app
// (docs/launch.md), else the checkout.
std::string Share() {
  std::string app = S().var_dir() + "/app";
  return fs::is_directory(app + "/www/static") ? app : std::string(AEGIR_SOURCE_DIR);
}

bool PortAnswers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// The Apache of this test, started on first use and stopped by the last case.
struct Apache {
  std::string dir;
  std::string conf;
  int port = 0;
  std::optional<aegir::Process> httpd;
};
Apache apache;

std::string ApacheUrl() {
  if (apache.httpd) return "http://127.0.0.1:" + std::to_string(apache.port);
  apache.dir = (fs::path(S().var_dir()).parent_path() / "apache").string();
  fs::create_directories(apache.dir + "/run");
  fs::create_directories(apache.dir + "/lock");
  apache.port = FreePort();

  // The shipped site configuration, filled in as an administrator would.
  std::string site = ReadRequired(std::string(AEGIR_SOURCE_DIR) + "/apache-conf/aegir.conf.in");
  const std::vector<std::pair<std::string, std::string>> values = {
      {"@AEGIR_PORT@", std::to_string(apache.port)},
      {"@AEGIR_SERVER_NAME@", "localhost"},
      {"@AEGIR_SHARE@", Share()},
      {"@AEGIR_WEB_SOCKET@", S().var_dir() + "/run/aegir-web.sock"}};
  for (const auto& [placeholder, value] : values) {
    for (size_t at; (at = site.find(placeholder)) != std::string::npos;) site.replace(at, placeholder.size(), value);
  }
  BOOST_REQUIRE_MESSAGE(!std::regex_search(site, std::regex("@[A-Z_]+@")), "placeholders left:\n" << site);
  WriteFile(apache.dir + "/aegir.conf", site);

  // A main configuration of its own (Debian's /etc/apache2/apache2.conf
  // would start the system's sites), with the modules the site file names.
  std::string modules;
  for (const char* m :
       {"mpm_event", "authz_core", "mime", "alias", "headers", "filter", "deflate", "expires", "proxy", "proxy_fcgi"}) {
    modules += std::string("LoadModule ") + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n";
  }
  apache.conf = apache.dir + "/apache2.conf";
  // clang-format off
  WriteFile(apache.conf, "ServerRoot /etc/apache2\n"
                         "DefaultRuntimeDir " + apache.dir + "/run\n"
                         "PidFile " + apache.dir + "/run/apache2.pid\n"
                         "Mutex file:" + apache.dir + "/lock default\n"
                         "ErrorLog " + apache.dir + "/error.log\n"
                         "LogLevel warn\n" +
                         (::geteuid() == 0 ? "User www-data\nGroup www-data\n" : "") + modules +
                         "TypesConfig /etc/mime.types\n"
                         "ServerName localhost\n"
                         "Listen 127.0.0.1:" + std::to_string(apache.port) + "\n"
                         "<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n"
                         "Include " + apache.dir + "/aegir.conf\n");
  // clang-format on
  auto [code, out] = Run({"/usr/sbin/apache2", "-t", "-f", apache.conf});
  BOOST_REQUIRE_MESSAGE(code == 0, "apache2 -t refused the configuration: " << out);
  auto p = aegir::Process::Spawn({{"/usr/sbin/apache2", "-f", apache.conf, "-DFOREGROUND"}, {}, "", false});
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  apache.httpd.emplace(std::move(*p));
  for (int i = 0; i < 100 && !PortAnswers(apache.port); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  BOOST_REQUIRE_MESSAGE(PortAnswers(apache.port), "Apache does not answer; its log:\n"
                                                      << ReadRequired(apache.dir + "/error.log"));
  return "http://127.0.0.1:" + std::to_string(apache.port);
}

struct FrontEnd {
  std::string name;
  std::string url;
  std::string server;  // what its Server header starts with
};

std::vector<FrontEnd> FrontEnds() { return {{"nginx", S().url(), "nginx"}, {"apache", ApacheUrl(), "Apache"}}; }

void HasSecurityHeaders(const HttpResult& r) {
  auto header = [&](const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("(missing)") : it->second;
  };
  BOOST_TEST(header("content-security-policy") == kCsp);
  BOOST_TEST(header("x-content-type-options") == "nosniff");
  BOOST_TEST(header("x-frame-options") == "DENY");
  BOOST_TEST(header("referrer-policy") == "same-origin");
}

// gunzip, with the real gzip.
std::string Gunzip(const std::string& data) {
  std::string path = apache.dir + "/body.gz";
  WriteFile(path, data);
  auto [code, out] = Run({"gzip", "-dc", path});
  BOOST_REQUIRE_MESSAGE(code == 0, "gzip -dc: " << out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pages_come_from_aegir_web) {
  for (const FrontEnd& f : FrontEnds()) {
    BOOST_TEST_CONTEXT(f.name) {
      Browser b(f.url);
      HttpResult login = b.Get("/login");
      BOOST_TEST(login.status == 200);
      BOOST_TEST(Contains(login.body, "name=\"csrf\""));
      BOOST_TEST(Contains(login.body, "name=\"password\""));
      BOOST_TEST(login.headers["server"].rfind(f.server, 0) == 0, login.headers["server"]);
      HasSecurityHeaders(login);
      // An unknown page is aegir-web's 404 (its layout links the stylesheet).
      HttpResult missing = b.Get("/no-such-page");
      BOOST_TEST(missing.status == 404);
      BOOST_TEST(Contains(missing.body, "/static/style.css"));
      HasSecurityHeaders(missing);
    }
  }
}

BOOST_AUTO_TEST_CASE(static_files_are_served_by_the_web_server_itself) {
  const std::string css = ReadRequired(Share() + "/www/static/style.css");
  const std::string js = ReadRequired(Share() + "/www/static/task.js");
  for (const FrontEnd& f : FrontEnds()) {
    BOOST_TEST_CONTEXT(f.name) {
      Browser b(f.url);
      // aegir-web has no route for /static/: only the web server answers it.
      HttpResult r = b.Get("/static/style.css");
      BOOST_TEST(r.status == 200);
      BOOST_TEST(r.body == css);
      BOOST_TEST(r.headers["content-type"].rfind("text/css", 0) == 0, r.headers["content-type"]);
      BOOST_TEST(r.headers["cache-control"] == "max-age=3600");
      BOOST_TEST(!r.headers["expires"].empty());
      HasSecurityHeaders(r);
      HttpResult s = b.Get("/static/task.js");
      BOOST_TEST(s.status == 200);
      BOOST_TEST(s.body == js);
      // A missing static file is the web server's own 404, not aegir-web's page.
      HttpResult missing = b.Get("/static/no-such-file.css");
      BOOST_TEST(missing.status == 404);
      BOOST_TEST(!Contains(missing.body, "/static/style.css"));
      HasSecurityHeaders(missing);
    }
  }
}

BOOST_AUTO_TEST_CASE(what_compresses_is_gzipped_when_asked) {
  const std::string css = ReadRequired(Share() + "/www/static/style.css");
  for (const FrontEnd& f : FrontEnds()) {
    BOOST_TEST_CONTEXT(f.name) {
      Browser b(f.url);
      HttpResult plain = b.Get("/static/style.css");
      BOOST_TEST(plain.headers.count("content-encoding") == 0u);
      HttpResult r = b.GetWith("/static/style.css", {"Accept-Encoding: gzip"});
      BOOST_TEST(r.status == 200);
      BOOST_TEST(r.headers["content-encoding"] == "gzip");
      BOOST_TEST(Contains(r.headers["vary"], "Accept-Encoding"), r.headers["vary"]);
      BOOST_TEST(r.body.size() < css.size());
      BOOST_TEST(Gunzip(r.body) == css);
      // A page of aegir-web too (the dashboard is well over gzip's minimum).
      std::string dashboard = LogIn(b, S());
      HttpResult page = b.GetWith("/", {"Accept-Encoding: gzip"});
      BOOST_TEST(page.status == 200);
      BOOST_TEST(page.headers["content-encoding"] == "gzip");
      BOOST_TEST(Contains(Gunzip(page.body), "</html>"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_login_with_its_csrf_token_works_end_to_end) {
  for (const FrontEnd& f : FrontEnds()) {
    BOOST_TEST_CONTEXT(f.name) {
      Browser b(f.url);
      // Without the token the form is refused...
      b.Get("/login");
      HttpResult forged = b.Post("/login", {{"name", "admin"}, {"password", S().admin_password()}});
      BOOST_TEST(forged.status == 403);
      HasSecurityHeaders(forged);
      // ...with it, the session cookie set through the web server opens the dashboard.
      std::string dashboard = LogIn(b, S());
      BOOST_TEST(Contains(dashboard, "admin"));
      HttpResult servers = b.Get("/servers");
      BOOST_TEST(servers.status == 200);
      BOOST_TEST(Contains(servers.body, "localhost"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_body_over_4_mib_is_refused_by_the_web_server) {
  const std::vector<std::string> headers = {"Content-Type: application/x-www-form-urlencoded", "Expect:"};
  for (const FrontEnd& f : FrontEnds()) {
    BOOST_TEST_CONTEXT(f.name) {
      Browser b(f.url);
      b.Get("/login");
      // 4 MiB passes the web server: aegir-web answers it with a page of its
      // own (the form is refused, not the size).
      HttpResult at_limit = b.PostRaw("/login", "name=" + std::string(4 * 1024 * 1024 - 5, 'a'), headers);
      BOOST_TEST((at_limit.status == 400 || at_limit.status == 403), at_limit.status);
      BOOST_TEST(Contains(at_limit.body, "/static/style.css"));
      // One byte more is refused by the web server itself: aegir-web, which
      // would answer 413 too, has its own message.
      HttpResult over = b.PostRaw("/login", "name=" + std::string(4 * 1024 * 1024 - 4, 'a'), headers);
      BOOST_TEST(over.status == 413);
      BOOST_TEST(!Contains(over.body, "larger than 4 MiB"));
      BOOST_TEST(!Contains(over.body, "/static/style.css"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_chunked_body_over_4_mib_never_reaches_aegir_web_whole) {
  const std::string body = "name=" + std::string(5 * 1024 * 1024, 'a');
  const std::vector<std::string> headers = {"Content-Type: application/x-www-form-urlencoded",
                                            "Transfer-Encoding: chunked", "Expect:"};
  // nginx counts a chunked body against client_max_body_size.
  Browser n(S().url());
  HttpResult refused = n.PostRaw("/login", body, headers);
  BOOST_TEST(refused.status == 413);
  BOOST_TEST(!Contains(refused.body, "/static/style.css"));
  // Apache passes it on without a length (its check is on Content-Length);
  // aegir-web reads CONTENT_LENGTH bytes, none here, and refuses the empty
  // form with a page of its own.
  Browser a(ApacheUrl());
  a.Get("/login");
  HttpResult passed = a.PostRaw("/login", body, headers);
  BOOST_TEST((passed.status == 400 || passed.status == 403), passed.status);
  BOOST_TEST(Contains(passed.body, "/static/style.css"));
}

BOOST_AUTO_TEST_CASE(everything_stops) {
  if (apache.httpd) BOOST_TEST(apache.httpd->Terminate(std::chrono::milliseconds(10000)).ok());
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
  if (!apache.dir.empty()) BOOST_TEST(ProcessesMentioning(apache.dir).empty());
}
