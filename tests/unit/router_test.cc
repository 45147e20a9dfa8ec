#define BOOST_TEST_MODULE router
#include <boost/test/unit_test.hpp>

#include "fcgi-app/app.h"
#include "fcgi-app/router.h"

using namespace aegir::web;

namespace {
Handler Named(const std::string& name) {
  return [name](Context&, Request&) {
    Response r;
    r.body = name;
    return r;
  };
}
Router Sample() {
  Router r;
  r.Add({"GET", "/", Access::kUser, Named("home")});
  r.Add({"GET", "/servers", Access::kUser, Named("list")});
  r.Add({"GET", "/servers/add", Access::kUser, Named("add-form")});
  r.Add({"POST", "/servers/add", Access::kUser, Named("add")});
  r.Add({"GET", "/servers/{id}", Access::kUser, Named("view")});
  r.Add({"POST", "/servers/{id}/run/{operation}", Access::kUser, Named("run")});
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(split_path) {
  BOOST_TEST(SplitPath("/").empty());
  BOOST_TEST((SplitPath("/a//b/") == std::vector<std::string>{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(literal_before_capture_and_captures) {
  Router r = Sample();
  auto add = r.Find("GET", "/servers/add");
  BOOST_REQUIRE(add.route);
  BOOST_TEST(add.route->pattern == "/servers/add");
  auto view = r.Find("GET", "/servers/42");
  BOOST_REQUIRE(view.route);
  BOOST_TEST(view.captures["id"] == "42");
  auto run = r.Find("POST", "/servers/7/run/server-verify");
  BOOST_REQUIRE(run.route);
  BOOST_TEST(run.captures["id"] == "7");
  BOOST_TEST(run.captures["operation"] == "server-verify");
  BOOST_TEST(r.Find("GET", "/").route != nullptr);
  BOOST_TEST(r.Find("HEAD", "/servers").route != nullptr);
}

BOOST_AUTO_TEST_CASE(ids_must_be_numbers) {
  Router r = Sample();
  BOOST_TEST(r.Find("GET", "/servers/abc").route == nullptr);
  BOOST_TEST(r.Find("GET", "/servers/1;drop").route == nullptr);
  BOOST_TEST(r.Find("GET", "/servers/-1").route == nullptr);
  BOOST_TEST(r.Find("GET", "/servers/1234567890123456789").route == nullptr);
}

BOOST_AUTO_TEST_CASE(not_found_versus_method_not_allowed) {
  Router r = Sample();
  auto nf = r.Find("GET", "/nothing/here");
  BOOST_TEST(nf.route == nullptr);
  BOOST_TEST(!nf.method_not_allowed);
  auto mna = r.Find("DELETE", "/servers/3");
  BOOST_TEST(mna.route == nullptr);
  BOOST_TEST(mna.method_not_allowed);
  BOOST_TEST(r.Find("GET", "/servers/3/run/x").method_not_allowed);
}

BOOST_AUTO_TEST_CASE(application_route_table) {
  Router r;
  AddRoutes(r);
  struct Case { const char* method; const char* path; Access access; };
  for (const Case& c : {Case{"GET", "/login", Access::kPublic}, Case{"POST", "/login", Access::kPublic},
                        Case{"POST", "/logout", Access::kUser}, Case{"GET", "/servers/1", Access::kAdmin},
                        Case{"POST", "/servers/1/run/server-verify", Access::kAdmin},
                        Case{"POST", "/platforms/1/run/platform-deploy", Access::kAdmin},
                        Case{"POST", "/sites/1/run/site-backup", Access::kUser},
                        Case{"GET", "/sites/1", Access::kUser}, Case{"GET", "/clients", Access::kAdmin},
                        Case{"GET", "/users", Access::kAdmin}, Case{"POST", "/users/3", Access::kAdmin},
                        Case{"GET", "/audit", Access::kAdmin}, Case{"GET", "/account", Access::kUser},
                        Case{"GET", "/password/abc", Access::kPublic}, Case{"POST", "/password/abc", Access::kPublic},
                        Case{"GET", "/tasks/9", Access::kUser}, Case{"GET", "/tasks/9/log", Access::kUser},
                        Case{"POST", "/api/tasks/9/log", Access::kFeedback},
                        Case{"POST", "/api/tasks/9/finish", Access::kFeedback}}) {
    auto m = r.Find(c.method, c.path);
    BOOST_TEST_CONTEXT(c.method << " " << c.path) {
      BOOST_REQUIRE(m.route != nullptr);
      BOOST_TEST((m.route->access == c.access));
    }
  }
  // State changes are POST only; a GET of an operation's address is its form.
  BOOST_TEST(r.Find("DELETE", "/servers/1/run/server-verify").method_not_allowed);
  BOOST_TEST(r.Find("GET", "/sites/1/run/site-backup").route != nullptr);
  BOOST_TEST(r.Find("POST", "/sites/1/run/site-backup").route != nullptr);
  BOOST_TEST((r.Find("POST", "/api/tasks/9/feedback").route->access == Access::kFeedback));
  BOOST_TEST(r.Find("GET", "/api/tasks/9/feedback").method_not_allowed);
  BOOST_TEST(r.Find("GET", "/logout").method_not_allowed);
}
