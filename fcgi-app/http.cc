#include "fcgi-app/http.h"

#include <cctype>

namespace aegir::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

constexpr size_t kMaxFieldBytes = 64 * 1024;

}  // namespace

Result<std::string> UrlDecode(const std::string& in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return Status::InvalidArgument("incomplete %-escape");
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return Status::InvalidArgument("invalid %-escape");
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return Status::InvalidArgument("NUL byte in input");
      out += d;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '\0') {
      return Status::InvalidArgument("NUL byte in input");
    } else {
      out += c;
    }
  }
  return out;
}

Result<Params> ParseUrlEncoded(const std::string& in, size_t max_pairs) {
  Params out;
  size_t start = 0;
  while (start <= in.size()) {
    size_t amp = in.find('&', start);
    if (amp == std::string::npos) amp = in.size();
    std::string pair = in.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    if (out.size() >= max_pairs) return Status::InvalidArgument("too many fields");
    size_t eq = pair.find('=');
    std::string raw_key = pair.substr(0, eq);
    std::string raw_val = eq == std::string::npos ? "" : pair.substr(eq + 1);
    auto key = UrlDecode(raw_key, true);
    if (!key.ok()) return key.status().WithContext("field name");
    auto val = UrlDecode(raw_val, true);
    if (!val.ok()) return val.status().WithContext("field " + *key);
    if (key->size() > kMaxFieldBytes || val->size() > kMaxFieldBytes) {
      return Status::InvalidArgument("field " + key->substr(0, 64) + " is too long");
    }
    out.emplace(std::move(*key), std::move(*val));
  }
  return out;
}

std::map<std::string, std::string> ParseCookies(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < header.size()) {
    size_t semi = header.find(';', start);
    if (semi == std::string::npos) semi = header.size();
    std::string piece = header.substr(start, semi - start);
    start = semi + 1;
    size_t eq = piece.find('=');
    if (eq == std::string::npos) continue;
    std::string name = Trim(piece.substr(0, eq));
    std::string value = Trim(piece.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name.empty()) continue;
    out.emplace(name, value);  // emplace keeps the first
  }
  return out;
}

std::string UrlEncode(const std::string& in) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {
std::string First(const Params& p, const std::string& name) {
  auto it = p.find(name);
  return it == p.end() ? "" : it->second;
}
}  // namespace

std::string Request::Form(const std::string& name) const { return First(form, name); }
std::string Request::Query(const std::string& name) const { return First(query, name); }
std::string Request::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

Response Response::Redirect(const std::string& location, int status) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Location", location);
  r.content_type = "text/plain; charset=utf-8";
  r.body = "See " + location + "\n";
  return r;
}

Response Response::Json(int status, const std::string& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body;
  return r;
}

void Response::SetCookie(const std::string& name, const std::string& value, int max_age_s, bool secure) {
  std::string c = name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (secure) c += "; Secure";
  headers.emplace_back("Set-Cookie", c);
}

void Response::ClearCookie(const std::string& name, bool secure) { SetCookie(name, "", 0, secure); }

const char* StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string Response::Serialize() const {
  std::string out = "Status: " + std::to_string(status) + " " + StatusText(status) + "\r\n";
  out += "Content-Type: " + content_type + "\r\n";
  out += "Cache-Control: no-store\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace aegir::web
