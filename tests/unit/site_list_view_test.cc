#define BOOST_TEST_MODULE site_list_view
// The site list page (views::Sites) byte for byte: its HTML is compared with
// the pages kept in tests/unit/testdata/site_list/, which the renderer of
// commit c0aa6fd made from the same values. The page is rendered with care
// for its cost (static template names, one section per row); what it shows
// must not change with that. AEGIR_WRITE_GOLDEN=1 writes the files instead
// (only when the page is meant to change).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

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
  }
  void LogIn(bool admin) {
    store::Session s;
    s.user_id = admin ? 1 : 7;
    s.user_name = admin ? "admin" : "dora <&\"'>";
    s.is_admin = admin;
    s.csrf_token = std::string(64, admin ? 'a' : 'c');
    ctx.session = s;
  }
  Config config;
  Catalogue catalogue;
  zmq::context_t zmq_ctx;
  Context ctx;
};

std::vector<store::Site> SomeSites() {
  std::vector<store::Site> sites;
  for (int i = 0; i < 3; ++i) {
    store::Site s;
    s.id = 100 + i;
    s.domain = "site-" + std::to_string(i) + ".example.org";
    s.platform_id = 4;
    s.platform_name = "wordpress";
    s.server_id = 2;
    s.server_name = "web1";
    s.client_id = 3;
    s.client_name = "default";
    s.status = i == 1 ? "failed" : "enabled";
    s.created_at = "2026-11-27 13:06:3" + std::to_string(i);
    sites.push_back(s);
  }
  // Every value that is shown, with what HTML must escape.
  sites[1].domain = "x\"><script>alert(1)</script>.example.org";
  sites[1].platform_name = "<b>plat</b> & 'co'";
  sites[1].server_name = "web \"2\" <i>";
  sites[1].client_name = "Client & <Sons>";
  sites[1].created_at = "<now>";
  return sites;
}

void Check(const std::string& name, const Response& r) {
  BOOST_TEST(r.status == 200);
  const std::string path = kSrc + "/tests/unit/testdata/site_list/" + name + ".html";
  if (const char* w = std::getenv("AEGIR_WRITE_GOLDEN"); w && std::string(w) == "1") {
    std::ofstream(path, std::ios::binary) << r.body;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "missing " + path);
  std::stringstream want;
  want << in.rdbuf();
  BOOST_TEST(r.body == want.str(), name << ": the page differs from " << path);
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(admin_first_page, Fixture) {
  LogIn(true);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.next_after = page.sites.back().domain;
  Check("admin_first", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(admin_filtered_middle_page, Fixture) {
  LogIn(true);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.filter.prefix = "a\"<&b ";
  page.filter.status = "enabled";
  page.filter.platform_id = 4;
  page.filter.client_id = 3;
  page.first = false;
  page.prev_before = page.sites.front().domain;
  page.next_after = "z&<\"y";
  Check("admin_filtered", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(client_user_last_page, Fixture) {
  LogIn(false);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.filter.status = "failed";
  page.first = false;
  page.prev_before = page.sites.front().domain;
  Check("client_last", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(client_user_first_page, Fixture) {
  LogIn(false);
  views::SiteListPage page;
  page.sites = SomeSites();
  page.next_after = page.sites.back().domain;
  Check("client_first", views::Sites(ctx, page));
}

BOOST_FIXTURE_TEST_CASE(empty_lists, Fixture) {
  LogIn(true);
  views::SiteListPage none;
  Check("empty_none", views::Sites(ctx, none));
  views::SiteListPage no_match;
  no_match.filter.platform_id = 9;
  no_match.filter.client_id = 8;
  Check("empty_no_match", views::Sites(ctx, no_match));
  views::SiteListPage no_more;
  no_more.first = false;
  no_more.prev_before = "q.example.org";
  Check("empty_no_more", views::Sites(ctx, no_more));
}
