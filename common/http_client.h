// HttpClient: a small blocking HTTP client over libcurl, for the executor's
// posts to aegir-web (docs/feedback-api.md).
//
// One HttpClient owns one CURL easy handle (connections are kept alive between
// requests). libcurl's global state is initialised once per process, on the
// first Create(). Every CURLcode becomes a Status with the URL as context:
// Unavailable when the peer could not be reached or timed out (retrying may
// help), InvalidArgument for a bad URL, Internal otherwise. An HTTP error
// status (4xx, 5xx) is not a Status error: it is returned in HttpResponse.
//
// The bearer token is sent only in the Authorization header; it never appears
// in a returned Status or a log line. Redirects are not followed (a token must
// not travel to another host) and only http and https are allowed.
//
// Move-only. One HttpClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"

typedef void CURL;  // as in <curl/curl.h>

namespace aegir {

struct HttpResponse {
  long status = 0;   // HTTP status code, e.g. 200
  std::string body;  // at most HttpOptions::max_response_bytes
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
  size_t max_response_bytes = 1 << 20;
};

class HttpClient {
 public:
  static Result<HttpClient> Create(HttpOptions options = {});

  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // POST body (JSON) to url with "Authorization: Bearer <bearer_token>" (left
  // out when the token is empty) and "Content-Type: application/json".
  Result<HttpResponse> PostJson(const std::string& url, const std::string& bearer_token,
                                const std::string& body);

  CURL* handle() const { return curl_.get(); }

 private:
  struct CurlDeleter {
    void operator()(CURL* c) const;
  };
  HttpClient(std::unique_ptr<CURL, CurlDeleter> curl, HttpOptions options)
      : curl_(std::move(curl)), options_(options) {}

  std::unique_ptr<CURL, CurlDeleter> curl_;
  HttpOptions options_;
};

}  // namespace aegir
