#define BOOST_TEST_MODULE views
#include <boost/test/unit_test.hpp>

#include "fcgi-app/app.h"
#include "fcgi-app/views.h"

using namespace aegir;
using namespace aegir::web;

namespace {
const std::string kSrc = AEGIR_SOURCE_DIR;

struct Fixture {
  Fixture() : zmq_ctx(1), ctx(config, catalogue, zmq_ctx) {
    static bool loaded = [] { return LoadTemplates(kSrc + "/www/templates").ok(); }();
    BOOST_REQUIRE(loaded);
    store::Session s;
    s.user_id = 1;
    s.user_name = "admin";
    s.csrf_token = std::string(64, 'c');
    ctx.session = s;
  }
  Config config;
  Catalogue catalogue;
  zmq::context_t zmq_ctx;
  Context ctx;
};
}  // namespace

BOOST_FIXTURE_TEST_CASE(values_are_html_escaped, Fixture) {
  store::Server server;
  server.id = 3;
  server.name = "<script>alert(1)</script>";
  server.hostname = "\"onmouseover=x";
  server.status = "new";
  Response r = views::Server(ctx, server, {}, {});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.find("<script>alert(1)") == std::string::npos);
  BOOST_TEST(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(r.body.find("\"onmouseover") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(every_form_page_carries_the_csrf_token, Fixture) {
  std::string token(64, 'c');
  BOOST_TEST(views::ServerFormPage(ctx, {}).body.find("value=\"" + token + "\"") != std::string::npos);
  BOOST_TEST(views::SiteFormPage(ctx, {}, {}).body.find("value=\"" + token + "\"") != std::string::npos);
  // The logout form in the page frame.
  BOOST_TEST(views::Servers(ctx, {}).body.find("action=\"/logout\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(task_page_shows_log_lines_and_reason, Fixture) {
  store::Task t;
  t.id = 12;
  t.operation = "server-verify";
  t.entity_type = "server";
  t.entity_id = 3;
  t.entity_label = "web1";
  t.state = "failed";
  t.reason = "ansible-playbook exited with code 2: fatal: [web1]: UNREACHABLE!";
  std::vector<store::LogLine> lines = {{1, "PLAY [web1] ****"}, {2, "fatal: <b>bold</b>"}};
  Response r = views::Task(ctx, t, lines, 0, false, 2000);
  BOOST_TEST(r.body.find("PLAY [web1] ****") != std::string::npos);
  BOOST_TEST(r.body.find("fatal: &lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
  BOOST_TEST(r.body.find("UNREACHABLE!") != std::string::npos);
  BOOST_TEST(r.body.find("data-live=\"0\"") != std::string::npos);
  BOOST_TEST(r.body.find("http-equiv=\"refresh\"") == std::string::npos);  // ended: no reload
  t.state = "running";
  Response live = views::Task(ctx, t, lines, 0, false, 2000);
  BOOST_TEST(live.body.find("http-equiv=\"refresh\"") != std::string::npos);
  BOOST_TEST(live.body.find("/static/task.js") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(earlier_lines_go_back_one_whole_page, Fixture) {
  store::Task t;
  t.id = 5;
  t.state = "succeeded";
  // The last, short page of a long log: 2 lines after line 4000, pages of 2000.
  std::vector<store::LogLine> tail = {{4001, "a"}, {4002, "b"}};
  Response r = views::Task(ctx, t, tail, 4000, false, 2000);
  BOOST_TEST(r.body.find("href=\"/tasks/5?after=2000\">Earlier lines") != std::string::npos);
  Response second = views::Task(ctx, t, tail, 1500, false, 2000);
  BOOST_TEST(second.body.find("href=\"/tasks/5?after=0\">Earlier lines") != std::string::npos);
  Response first = views::Task(ctx, t, tail, 0, false, 2000);
  BOOST_TEST(first.body.find("Earlier lines") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(error_page_has_status_and_message, Fixture) {
  Response r = views::Error(ctx, 404, "Server 9 does not exist.", "/servers");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(r.body.find("Server 9 does not exist.") != std::string::npos);
  BOOST_TEST(r.body.find("href=\"/servers\"") != std::string::npos);
}
