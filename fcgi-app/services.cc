#include "fcgi-app/services.h"

#include <algorithm>
#include <arpa/inet.h>

#include "common/job.h"
#include "common/text.h"
#include "fcgi-app/operation_form.h"

namespace aegir::web {
namespace {

using nlohmann::json;

bool IsIpv4(const std::string& s) {
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool ValidPort(int p) { return p >= 1 && p <= 65535; }

// An argv item: printable, no whitespace; anything else is refused so that
// what runs is exactly what the form showed.
bool CleanArg(const std::string& a) {
  return !a.empty() && a.size() <= 512 && IsCleanText(a, 512) &&
         std::none_of(a.begin(), a.end(), [](char c) { return c == ' '; });
}

template <typename T>
Status Get(const json& j, const char* key, T& out) {
  if (!j.contains(key)) return Status::Ok();  // keeps the default
  try {
    out = j.at(key).get<T>();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("setting ") + key + " has the wrong type");
  }
  return Status::Ok();
}

}  // namespace

json ToJson(const HttpService& s) {
  return {{"address", s.address},     {"port", s.port},
          {"https_port", s.https_port}, {"vhost_dir", s.vhost_dir},
          {"reload", s.reload},       {"php_fpm_socket", s.php_fpm_socket},
          {"platforms_dir", s.platforms_dir}};
}

json ToJson(const DbService& s) {
  return {{"host", s.host},
          {"port", s.port},
          {"socket", s.socket},
          {"admin_user", s.admin_user},
          {"admin_defaults_file", s.admin_defaults_file}};
}

Result<HttpService> HttpServiceFromJson(const std::string& kind, const std::string& settings_json) {
  json j = json::parse(settings_json, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("http settings are not a JSON object");
  HttpService s;
  s.kind = kind;
  for (Status st : {Get(j, "address", s.address), Get(j, "port", s.port), Get(j, "https_port", s.https_port),
                    Get(j, "vhost_dir", s.vhost_dir), Get(j, "reload", s.reload),
                    Get(j, "php_fpm_socket", s.php_fpm_socket), Get(j, "platforms_dir", s.platforms_dir)}) {
    if (!st.ok()) return st;
  }
  return s;
}

Result<DbService> DbServiceFromJson(const std::string& kind, const std::string& settings_json) {
  json j = json::parse(settings_json, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("db settings are not a JSON object");
  DbService s;
  s.kind = kind;
  for (Status st : {Get(j, "host", s.host), Get(j, "port", s.port), Get(j, "socket", s.socket),
                    Get(j, "admin_user", s.admin_user), Get(j, "admin_defaults_file", s.admin_defaults_file)}) {
    if (!st.ok()) return st;
  }
  return s;
}

std::vector<std::string> Validate(const HttpService& s) {
  std::vector<std::string> e;
  if (s.kind != "nginx" && s.kind != "apache") e.push_back("Web server: choose nginx or Apache.");
  if (!IsIpv4(s.address)) e.push_back("Listen address: give an IPv4 address such as 127.0.0.1 or 0.0.0.0.");
  if (!ValidPort(s.port)) e.push_back("HTTP port: give a number from 1 to 65535.");
  if (s.https_port != 0 && (!ValidPort(s.https_port) || s.https_port == s.port)) {
    e.push_back("HTTPS port: give a number from 1 to 65535 other than the HTTP port, or 0 for no HTTPS.");
  }
  if (!IsCleanAbsolutePath(s.vhost_dir)) e.push_back("Vhost directory: give an absolute path.");
  if (!IsCleanAbsolutePath(s.platforms_dir)) e.push_back("Platforms directory: give an absolute path.");
  if (!IsCleanAbsolutePath(s.php_fpm_socket)) e.push_back("PHP-FPM socket: give the absolute path of the socket.");
  if (s.reload.empty() || s.reload.size() > 32 || !std::all_of(s.reload.begin(), s.reload.end(), CleanArg) ||
      (!IsCleanAbsolutePath(s.reload[0]) && s.reload[0] != "sudo")) {
    e.push_back(
        "Reload command: give the program's absolute path (or sudo) and its arguments, separated by spaces "
        "(no shell: quotes and ; | & $ have no special meaning).");
  }
  return e;
}

std::vector<std::string> Validate(const DbService& s) {
  std::vector<std::string> e;
  if (s.kind != "mariadb" && s.kind != "postgresql") e.push_back("Database: choose MariaDB or PostgreSQL.");
  if (!IsValidHostName(s.host)) e.push_back("Database host: give a host name or an IPv4 address.");
  if (!ValidPort(s.port)) e.push_back("Database port: give a number from 1 to 65535.");
  if (!s.socket.empty() && !IsCleanAbsolutePath(s.socket)) {
    e.push_back("Database socket: give an absolute path, or leave it empty to connect over TCP.");
  }
  if (s.admin_user.empty() || s.admin_user.size() > 80 ||
      !std::all_of(s.admin_user.begin(), s.admin_user.end(),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; })) {
    e.push_back("Administrative user: use letters, digits, '_' and '-' (at most 80).");
  }
  if (!s.admin_defaults_file.empty() && !IsCleanAbsolutePath(s.admin_defaults_file)) {
    e.push_back("Credentials file: give an absolute path, or leave it empty for socket authentication.");
  }
  return e;
}

std::vector<std::string> SplitArgv(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string JoinArgv(const std::vector<std::string>& argv) { return Join(argv, " "); }

}  // namespace aegir::web
