// A server's services and their settings, as stored in services.settings
// (JSON) and as the server form shows them. docs/operations.md lists the
// variables each becomes for the roles.
//
//   http (nginx | apache): {"address": "127.0.0.1", "port": 80, "https_port": 0,
//        "vhost_dir": "/var/aegir/config/web1/vhost.d",
//        "reload": ["sudo", "/usr/sbin/nginx", "-s", "reload"],
//        "php_fpm_socket": "/run/php/php8.2-fpm.sock",
//        "platforms_dir": "/var/aegir/platforms"}
//   db (mariadb | postgresql): {"host": "localhost", "port": 3306, "socket": "/run/mysqld/mysqld.sock",
//        "admin_user": "root", "admin_defaults_file": ""}
//
// No secret is ever part of the settings: a database password reaches a role
// only through admin_defaults_file, a file an administrator placed on the
// server.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace aegir::web {

struct HttpService {
  std::string kind = "nginx";  // nginx | apache
  std::string address = "127.0.0.1";
  int port = 80;
  int https_port = 0;  // 0: no HTTPS
  std::string vhost_dir;
  std::vector<std::string> reload;  // argv
  std::string php_fpm_socket;
  std::string platforms_dir;
};

struct DbService {
  std::string kind = "mariadb";  // mariadb | postgresql
  std::string host = "localhost";
  int port = 3306;
  std::string socket;
  std::string admin_user = "root";
  std::string admin_defaults_file;
};

nlohmann::json ToJson(const HttpService& s);
nlohmann::json ToJson(const DbService& s);
// Reads stored settings back; InvalidArgument names what is wrong.
Result<HttpService> HttpServiceFromJson(const std::string& kind, const std::string& settings_json);
Result<DbService> DbServiceFromJson(const std::string& kind, const std::string& settings_json);

// Checks the settings; returns the problems as form messages ("HTTP port: ...").
std::vector<std::string> Validate(const HttpService& s);
std::vector<std::string> Validate(const DbService& s);

// Splits a command line typed into the form ("sudo /usr/sbin/nginx -s reload")
// into argv on spaces. There is no quoting: an argument with a space cannot
// be given, and a shell never sees it.
std::vector<std::string> SplitArgv(const std::string& text);
std::string JoinArgv(const std::vector<std::string>& argv);

}  // namespace aegir::web
