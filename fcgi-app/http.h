// HTTP request and response values for aegir-web, and the parsers for what
// arrives from outside: query strings, urlencoded forms and cookies.
//
// libfcgi frees a request's parameters at the next accept, so Request owns
// copies of everything a handler may read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace aegir::web {

using Params = std::multimap<std::string, std::string>;

// Decodes %XX escapes and, when plus_is_space, '+' as ' '. Invalid escapes
// or a decoded NUL byte are errors.
Result<std::string> UrlDecode(const std::string& in, bool plus_is_space);
// "a=1&b=x+y" -> {a: 1, b: "x y"}. Empty pairs are skipped. Errors on bad
// escapes, more than max_pairs pairs, or keys/values over 64 KiB.
Result<Params> ParseUrlEncoded(const std::string& in, size_t max_pairs = 1000);
// "a=1; b=2" -> {a: 1, b: 2}. Malformed pieces are skipped (browsers send
// what they were given); the first cookie of a name wins.
std::map<std::string, std::string> ParseCookies(const std::string& header);
// Percent-encodes everything but unreserved characters.
std::string UrlEncode(const std::string& in);

struct Request {
  std::string method;        // "GET", "POST", ...
  std::string path;          // decoded path, without the query string
  std::string query_string;  // raw
  std::string content_type;
  std::string body;
  std::string remote_addr;
  bool https = false;
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> headers;  // lower-case names: "authorization"
  Params query;              // parsed query string
  Params form;               // parsed body for application/x-www-form-urlencoded
  std::map<std::string, std::string> route;  // values captured by the route, e.g. {"id": "7"}
  // Set when the request cannot be handled at all (a body over the limit, a
  // query or form that cannot be read): Dispatch answers with this status
  // and message instead of routing it (counted, and rendered without
  // anyone's session, as every answer).
  int refused_status = 0;
  std::string refused_message;

  // The first value of name in the form (or query), or "".
  std::string Form(const std::string& name) const;
  std::string Query(const std::string& name) const;
  std::string Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response Redirect(const std::string& location, int status = 303);
  static Response Json(int status, const std::string& body);
  void SetCookie(const std::string& name, const std::string& value, int max_age_s, bool secure);
  void ClearCookie(const std::string& name, bool secure);
  // The CGI/FastCGI form: "Status: 200 OK\r\nContent-Type: ...\r\n\r\n<body>".
  std::string Serialize() const;
};

const char* StatusText(int status);

}  // namespace aegir::web
