#include "common/http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace aegir {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Status GlobalInit() {
  static std::once_flag once;
  static CURLcode rc = CURLE_OK;
  std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (rc != CURLE_OK)
    return Status::Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  return Status::Ok();
}

// The one place a CURLcode becomes a Status. detail is libcurl's error buffer.
Status FromCurl(CURLcode rc, const std::string& context, const char* detail) {
  std::string msg = context + ": " + curl_easy_strerror(rc);
  if (detail != nullptr && detail[0] != '\0') msg += " (" + std::string(detail) + ")";
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_AGAIN:
      return Status::Unavailable(msg);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(msg);
    default:
      return Status::Internal(msg);
  }
}

struct Sink {
  std::string* body;
  size_t max;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (sink->body->size() + n > sink->max) {
    sink->overflow = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

}  // namespace

void HttpClient::CurlDeleter::operator()(CURL* c) const { curl_easy_cleanup(c); }

Result<HttpClient> HttpClient::Create(HttpOptions options) {
  AEGIR_RETURN_IF_ERROR(GlobalInit());
  CURL* c = curl_easy_init();
  if (c == nullptr) return Status::Internal("curl_easy_init failed");
  return HttpClient(std::unique_ptr<CURL, CurlDeleter>(c), options);
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::PostJson(const std::string& url, const std::string& bearer_token,
                                          const std::string& body) {
  const std::string context = "POST " + url;
  CURL* c = curl_.get();
  if (c == nullptr) return Status::Internal(context + ": no curl handle (moved from)");
  curl_easy_reset(c);  // keeps the connection cache, drops the previous request's options

  Slist headers;
  auto add_header = [&headers](const std::string& h) -> bool {
    curl_slist* l = curl_slist_append(headers.get(), h.c_str());
    if (l == nullptr) return false;
    headers.release();
    headers.reset(l);
    return true;
  };
  if (!add_header("Content-Type: application/json") || !add_header("Accept: application/json") ||
      !add_header("Expect:") ||
      (!bearer_token.empty() && !add_header("Authorization: Bearer " + bearer_token))) {
    return Status::Internal(context + ": out of memory building headers");
  }

  HttpResponse response;
  Sink sink{&response.body, options_.max_response_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode r) {
    if (rc == CURLE_OK) rc = r;
  };
  set(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf));
  set(curl_easy_setopt(c, CURLOPT_URL, url.c_str()));
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));  // no SIGALRM in a threaded daemon
  set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.connect_timeout.count())));
  set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count())));
  set(curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get()));
  set(curl_easy_setopt(c, CURLOPT_POST, 1L));
  set(curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data()));
  set(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
  set(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody));
  set(curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink));
  if (rc != CURLE_OK) return FromCurl(rc, context + ": set options", errbuf);

  rc = curl_easy_perform(c);
  // Drop our pointers into this stack frame from the handle.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (sink.overflow) {
    return Status::Internal(context + ": response larger than " +
                            std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return FromCurl(rc, context, errbuf);
  long code = 0;
  rc = curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (rc != CURLE_OK) return FromCurl(rc, context + ": read status", errbuf);
  response.status = code;
  return response;
}

}  // namespace aegir
