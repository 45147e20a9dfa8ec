#define BOOST_TEST_MODULE http
#include <boost/test/unit_test.hpp>

#include "fcgi-app/fcgi_server.h"
#include "fcgi-app/http.h"

using namespace aegir::web;

BOOST_AUTO_TEST_CASE(url_decode_handles_escapes_and_plus) {
  BOOST_TEST(*UrlDecode("a%20b+c", true) == "a b c");
  BOOST_TEST(*UrlDecode("a%20b+c", false) == "a b+c");
  BOOST_TEST(*UrlDecode("%C3%A9t%c3%a9", true) == "\xC3\xA9t\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(url_decode_refuses_bad_escapes_and_nul) {
  BOOST_TEST(!UrlDecode("%", true).ok());
  BOOST_TEST(!UrlDecode("%4", true).ok());
  BOOST_TEST(!UrlDecode("abc%", true).ok());
  BOOST_TEST(!UrlDecode("%zz", true).ok());
  BOOST_TEST(!UrlDecode("a%00b", true).ok());
  BOOST_TEST(!UrlDecode(std::string("a\0b", 3), true).ok());
}

BOOST_AUTO_TEST_CASE(form_parsing) {
  auto p = ParseUrlEncoded("name=web1&hostname=local+host&empty=&flag&&x=%26%3D");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->find("name")->second == "web1");
  BOOST_TEST(p->find("hostname")->second == "local host");
  BOOST_TEST(p->find("empty")->second == "");
  BOOST_TEST(p->find("flag")->second == "");
  BOOST_TEST(p->find("x")->second == "&=");
  BOOST_TEST(p->size() == 5u);
}

BOOST_AUTO_TEST_CASE(form_keeps_repeated_fields_in_order) {
  auto p = ParseUrlEncoded("a=1&a=2");
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->count("a") == 2u);
  BOOST_TEST(p->find("a")->second == "1");
}

BOOST_AUTO_TEST_CASE(form_limits) {
  std::string many;
  for (int i = 0; i < 11; ++i) many += "k" + std::to_string(i) + "=v&";
  BOOST_TEST(!ParseUrlEncoded(many, 10).ok());
  BOOST_TEST(ParseUrlEncoded(many, 11).ok());
  BOOST_TEST(!ParseUrlEncoded("a=" + std::string(70000, 'x')).ok());
  auto bad = ParseUrlEncoded("a=%G1");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().find("field a") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cookies) {
  auto c = ParseCookies("aegir_session=abc; theme=\"dark\";broken; =x;  other = 2 ; aegir_session=second");
  BOOST_TEST(c["aegir_session"] == "abc");
  BOOST_TEST(c["theme"] == "dark");
  BOOST_TEST(c["other"] == "2");
  BOOST_TEST(c.count("broken") == 0u);
  BOOST_TEST(c.count("") == 0u);
  BOOST_TEST(ParseCookies("").empty());
}

BOOST_AUTO_TEST_CASE(session_cookie_flags) {
  Response r;
  r.SetCookie("aegir_session", "tok", 60, false);
  BOOST_REQUIRE(r.headers.size() == 1u);
  const std::string& v = r.headers[0].second;
  BOOST_TEST(v.find("HttpOnly") != std::string::npos);
  BOOST_TEST(v.find("SameSite=Strict") != std::string::npos);
  BOOST_TEST(v.find("Secure") == std::string::npos);
  Response s;
  s.SetCookie("aegir_session", "tok", 60, true);
  BOOST_TEST(s.headers[0].second.find("; Secure") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(response_serialization) {
  Response r = Response::Redirect("/servers/3");
  std::string out = r.Serialize();
  BOOST_TEST(out.rfind("Status: 303 See Other\r\n", 0) == 0);
  BOOST_TEST(out.find("Location: /servers/3\r\n") != std::string::npos);
  BOOST_TEST(out.find("Cache-Control: no-store\r\n") != std::string::npos);
  BOOST_TEST(out.find("\r\n\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(request_from_fastcgi_params) {
  std::map<std::string, std::string> params = {
      {"REQUEST_METHOD", "POST"},           {"PATH_INFO", "/servers/add"},
      {"QUERY_STRING", "x=1"},              {"CONTENT_TYPE", "application/x-www-form-urlencoded"},
      {"HTTP_COOKIE", "aegir_session=abc"}, {"HTTP_AUTHORIZATION", "Bearer t"},
      {"HTTP_X_FORWARDED_FOR", "1.2.3.4"},  {"REMOTE_ADDR", "127.0.0.1"}};
  Request r = BuildRequest(params, "a=b");
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.path == "/servers/add");
  BOOST_TEST(r.query_string == "x=1");
  BOOST_TEST(r.cookies["aegir_session"] == "abc");
  BOOST_TEST(r.Header("authorization") == "Bearer t");
  BOOST_TEST(r.Header("x-forwarded-for") == "1.2.3.4");
  BOOST_TEST(r.body == "a=b");
}

BOOST_AUTO_TEST_CASE(request_path_falls_back_to_request_uri) {
  Request r = BuildRequest({{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/tasks/4?after=10"}}, "");
  BOOST_TEST(r.path == "/tasks/4");
  Request empty = BuildRequest({{"REQUEST_METHOD", "GET"}}, "");
  BOOST_TEST(empty.path == "/");
}

BOOST_AUTO_TEST_CASE(url_encode_round_trip) {
  std::string s = "a b&c=d/é";
  BOOST_TEST(UrlEncode(s) == "a%20b%26c%3Dd%2F%C3%A9");
  BOOST_TEST(*UrlDecode(UrlEncode(s), false) == s);
}

// FastCgiAnswer's records, read back as a web server reads them: each
// header's version, type, request id and lengths; the STDOUT contents
// together are the answer; the empty STDOUT record, then END_REQUEST
// (status 0, complete), end it; nothing follows.
BOOST_AUTO_TEST_CASE(a_fastcgi_answer_is_the_output_in_records_then_its_end) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{87}, size_t{8192}, size_t{65528}, size_t{65529}, size_t{200000}}) {
    std::string out(size, 'x');
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + i % 26);
    const int id = size % 2 ? 258 : 1;
    const std::string records = FastCgiAnswer(id, out);
    std::string content;
    size_t at = 0, stdout_records = 0;
    bool ended_stdout = false, ended = false;
    while (at < records.size()) {
      BOOST_REQUIRE_MESSAGE(records.size() - at >= 8, "a header cut short at " << at << " (size " << size << ")");
      auto byte = [&](size_t i) { return static_cast<unsigned char>(records[at + i]); };
      BOOST_TEST(byte(0) == 1);
      BOOST_TEST((byte(2) << 8 | byte(3)) == id);
      const size_t length = byte(4) << 8 | byte(5), padding = byte(6);
      BOOST_REQUIRE(records.size() - at - 8 >= length + padding);
      BOOST_TEST(!ended, "a record after END_REQUEST");
      if (byte(1) == 6) {
        BOOST_TEST(!ended_stdout, "STDOUT after its end");
        if (length == 0) ended_stdout = true;
        content.append(records, at + 8, length);
        ++stdout_records;
      } else {
        BOOST_TEST(byte(1) == 3);
        BOOST_TEST(ended_stdout);
        BOOST_TEST(length == 8u);
        BOOST_TEST(records.substr(at + 8, 8) == std::string(8, '\0'));
        ended = true;
      }
      at += 8 + length + padding;
    }
    BOOST_TEST(ended);
    BOOST_TEST(content == out);
    BOOST_TEST(stdout_records == (size + 65527) / 65528 + 1);
  }
}
