// The browser walk (tests/browser/walk.js) on the real stack: headless
// Chromium, driven by playwright-core under node, logs in, verifies a second
// server, deploys a platform, installs a site while following its task page's
// live log, and opens the site; it saves screenshots of the main pages into
// the build tree (tests/browser/screenshots). This test starts the stack,
// runs the walk (an argv vector; the panel's address, the admin password and
// the screenshot directory go in its environment), and checks its exit
// status, the screenshots, and from outside the browser what the walk made.
//
// Skipped, with a message, only when node or Chromium is not installed
// (scripts/install-deps installs both, and the walk's npm packages).
#define BOOST_TEST_MODULE browser
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;

namespace {

const std::string kWalkDir = std::string(AEGIR_SOURCE_DIR) + "/tests/browser";
const std::string kScreenshots = std::string(AEGIR_BINARY_DIR) + "/tests/browser/screenshots";
// The suffix of the names the walk gives what it adds.
const std::string kName = "ctest";
const std::string kDomain = "walk-" + kName + ".localhost";

// The screenshots the walk must leave, one per main page.
const char* const kShots[] = {
    "01-login",          "02-login-wrong-password", "03-dashboard",      "04-servers",
    "05-server-add-error", "06-server-verify-task", "07-server",         "08-platform-deploy-task",
    "09-platform",       "10-platforms",            "11-site-add-form",  "12-site-add-error",
    "13-site-queued",    "14-site-install-task-running", "15-site-install-task", "16-site",
    "17-sites",          "18-site-front-page",      "19-dashboard-after",
};

// The first of names that is an executable file on PATH, or "".
std::string OnPath(std::initializer_list<const char*> names) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::vector<std::string> list;
  for (std::string d; std::getline(dirs, d, ':');) list.push_back(d.empty() ? "." : d);
  for (const char* name : names) {
    for (const auto& d : list) {
      std::string candidate = d + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
    }
  }
  return "";
}

std::string Node() { return OnPath({"node", "nodejs"}); }

std::string Chromium() {
  const char* env = std::getenv("CHROMIUM");
  std::string path = env && *env ? env : "/usr/bin/chromium";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

boost::test_tools::assertion_result NodeAndChromium(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(true);
  if (Node().empty()) {
    r = false;
    r.message() << "node is not installed (scripts/install-deps installs the Debian package nodejs)";
  } else if (Chromium().empty()) {
    r = false;
    r.message() << "Chromium is not installed at /usr/bin/chromium or $CHROMIUM "
                   "(scripts/install-deps installs the Debian package chromium)";
  }
  if (!r) std::cout << "SKIPPED browser walk: " << r.message().str() << std::endl;
  return r;
}

bool IsPng(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char sig[8] = {};
  f.read(sig, sizeof sig);
  return f.gcount() == 8 && std::string(sig, 8) == "\x89PNG\r\n\x1a\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(walk_through_the_panel_in_chromium, *boost::unit_test::precondition(NodeAndChromium)) {
  BOOST_REQUIRE_MESSAGE(fs::exists(kWalkDir + "/node_modules/playwright-core/package.json"),
                        "playwright-core is not installed in " << kWalkDir
                                                               << "/node_modules: run scripts/install-deps");
  Stack stack;
  fs::create_directories(kScreenshots);

  aegir::SpawnOptions opts;
  opts.argv = {Node(), kWalkDir + "/walk.js"};
  opts.working_dir = kWalkDir;
  opts.env = {{"AEGIR_URL", stack.url()},
              {"AEGIR_ADMIN_PASSWORD", stack.admin_password()},
              {"AEGIR_SCREENSHOTS", kScreenshots},
              {"AEGIR_WALK_NAME", kName},
              {"CHROMIUM", Chromium()}};
  auto p = aegir::Process::Spawn(opts);
  BOOST_REQUIRE_MESSAGE(p.ok(), "start node: " << p.status().ToString());
  // The walk's output as it comes (ctest --output-on-failure shows it), and
  // kept for the failure message. Bounded: the walk's own waits end sooner.
  std::string out;
  size_t shown = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(8);
  bool timed_out = false;
  while (p->output_open()) {
    if (std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      break;
    }
    pollfd pfd{p->output_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    (void)p->ReadAvailable(&out);
    if (auto nl = out.rfind('\n'); nl != std::string::npos && nl + 1 > shown) {
      std::cout << out.substr(shown, nl + 1 - shown) << std::flush;
      shown = nl + 1;
    }
  }
  // SIGTERM first: playwright-core then closes Chromium (its own process group).
  if (timed_out) (void)p->Terminate(std::chrono::milliseconds(10000));
  auto st = p->Wait();
  BOOST_REQUIRE(st.ok());
  std::cout << out.substr(shown) << std::flush;
  BOOST_REQUIRE_MESSAGE(!timed_out, "the walk did not end within 8 minutes; it said:\n" << out);
  BOOST_REQUIRE_MESSAGE(st->success(), "the walk " << st->ToString() << " (its output is above; a failing step "
                                                   << "leaves failure-*.png and .html in " << kScreenshots << ")");

  for (const char* name : kShots) {
    std::string file = kScreenshots + "/" + name + ".png";
    BOOST_TEST(fs::exists(file), "screenshot " << file << " is missing");
    BOOST_TEST((fs::exists(file) && IsPng(file) && fs::file_size(file) > 5000), file << " is not a PNG of a page");
  }
  BOOST_TEST(Contains(out, "walk: every step passed"));

  // What the walk did, seen from outside the browser: the site is enabled,
  // its database is on the server the walk added (whose directory its verify
  // made), the platform's code is in place, and nginx serves the site.
  std::string row = Sql(stack, "SELECT s.status, d.name FROM aegir.sites s JOIN aegir.servers d ON d.id = s.db_server_id "
                               "WHERE s.domain = '" + kDomain + "'");
  BOOST_TEST(row == "enabled\tdb-" + kName + "\n", "the site's row: '" << row << "'");
  // Its own configuration root (localhost's with /walk): made by its verify.
  BOOST_TEST(fs::is_directory(stack.var_dir() + "/servers/walk/db-" + kName + "/backups"),
             "the verify of db-" << kName << " made its configuration directory");
  BOOST_TEST(fs::exists(stack.var_dir() + "/servers/localhost/platforms/wp-" + kName + "/wp-includes/version.php"));
  HttpResult front = Visit(stack, kDomain);
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, "Browser walk " + kName));
  std::cout << "browser walk: screenshots in " << kScreenshots << std::endl;

  BOOST_TEST(stack.Stop().empty(), "processes left after the stack stopped");
}
