// aegir-web: the FastCGI web application, and its two set-up commands.
//
//   aegir-web migrate       apply the SQL migrations
//   aegir-web ensure-admin  create the user "admin" if it does not exist
//   aegir-web ensure-local  create or update the server "localhost" of the
//                           local stack (and, when it is new, a WordPress platform)
//   aegir-web serve         answer FastCGI requests on a unix socket
#include <fcgiapp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/crypto.h"
#include "common/db.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/migrations.h"
#include "fcgi-app/app.h"
#include "fcgi-app/fcgi_server.h"
#include "fcgi-app/services.h"
#include "fcgi-app/store.h"

namespace {

using namespace aegir;

int Fail(const Status& s) {
  log::Error(s.message());
  return 1;
}

db::Options DbOptions(const Flags& f) {
  db::Options o;
  o.socket = f.Get("db-socket");
  o.user = f.Get("db-user");
  o.database = f.Get("db-name");
  return o;
}

int Migrate(const Flags& f) {
  db::Connection conn;
  if (Status s = conn.Connect(DbOptions(f)); !s.ok()) return Fail(s);
  auto applied = migrations::Apply(conn, f.Get("migrations"));
  if (!applied.ok()) return Fail(applied.status());
  for (const auto& name : *applied) log::Info("applied migration " + name);
  if (applied->empty()) log::Info("the schema is up to date");
  return 0;
}

int EnsureAdmin(const Flags& f) {
  db::Connection conn;
  if (Status s = conn.Connect(DbOptions(f)); !s.ok()) return Fail(s);
  auto user = web::store::FindUserByName(conn, "admin");
  if (!user.ok()) return Fail(user.status());
  if (*user) return 0;
  const char* env = std::getenv("AEGIR_ADMIN_PASSWORD");
  std::string password = env && *env ? env : crypto::GeneratePassword(20);
  if (password.size() < 8) return Fail(Status::InvalidArgument("AEGIR_ADMIN_PASSWORD must have at least 8 characters"));
  auto hash = crypto::HashPassword(password);
  if (!hash.ok()) return Fail(hash.status());
  auto id = web::store::CreateUser(conn, "admin", *hash, true);
  if (!id.ok()) return Fail(id.status());
  if (env && *env) {
    std::cout << "Created the user admin with the password from AEGIR_ADMIN_PASSWORD.\n";
  } else {
    // Printed once, to the operator's terminal; it is stored only as a hash.
    std::cout << "Created the user admin with the password: " << password << "\n"
              << "It is shown only this once.\n";
  }
  return 0;
}

// The launcher's own machine as a managed server: nginx on the launcher's
// port serves the sites by name, php-fpm runs their PHP and the launcher's
// MariaDB holds their databases. The settings follow the flags at every
// launch (a new port, a moved state directory); the WordPress platform is
// made only with the server, so a user may delete it for good.
int EnsureLocal(const Flags& f) {
  db::Connection conn;
  if (Status s = conn.Connect(DbOptions(f)); !s.ok()) return Fail(s);
  auto port = f.GetInt("local-port", 1, 65535);
  if (!port.ok()) return Fail(port.status());
  auto https_port = f.GetInt("local-https-port", 0, 65535);
  if (!https_port.ok()) return Fail(https_port.status());
  web::store::Server server;
  server.name = "localhost";
  server.hostname = "localhost";
  server.config_root = f.Get("config-root");
  server.ssh_user = "aegir";
  server.ssh_port = 22;
  const std::string dir = server.config_root + "/" + server.name;
  web::HttpService http;
  http.kind = "nginx";
  http.address = "127.0.0.1";
  http.port = static_cast<int>(*port);
  http.https_port = static_cast<int>(*https_port);
  http.vhost_dir = dir + "/vhost.d";
  http.platforms_dir = dir + "/platforms";
  http.php_fpm_socket = f.Get("local-php-fpm-socket");
  http.reload = web::SplitArgv(f.Get("local-reload"));
  web::DbService db;
  db.kind = "mariadb";
  db.host = "localhost";
  db.socket = f.Get("db-socket");
  // Who administers the sites' databases: the executor's user (unix-socket
  // authentication), by default the one running this.
  db.admin_user = f.Get("local-db-admin-user").empty() ? f.Get("db-user") : f.Get("local-db-admin-user");
  std::vector<std::string> problems = web::Validate(http);
  for (const auto& p : web::Validate(db)) problems.push_back(p);
  if (!problems.empty()) return Fail(Status::InvalidArgument("local server settings: " + problems.front()));
  std::vector<web::store::Service> services = {{0, 0, "http", http.kind, web::ToJson(http).dump()},
                                               {0, 0, "db", db.kind, web::ToJson(db).dump()}};
  auto existing = web::store::GetServerByName(conn, server.name);
  if (!existing.ok()) return Fail(existing.status());
  if (*existing) {
    server.id = (*existing)->id;
    if (Status s = web::store::UpdateServer(conn, server, services); !s.ok()) return Fail(s);
    return 0;
  }
  auto id = web::store::CreateServer(conn, server, services);
  if (!id.ok()) return Fail(id.status());
  std::string source = f.Get("local-platform-source");
  if (!source.empty() && std::filesystem::is_directory(source)) {
    auto dists = web::store::ListDistributions(conn);
    if (!dists.ok()) return Fail(dists.status());
    for (const auto& d : *dists) {
      if (d.installer != "wordpress") continue;
      auto p = web::store::CreatePlatform(conn, {"wordpress", d.id, *id, "path", "", "", source});
      if (!p.ok() && p.status().code() != Code::kConflict) return Fail(p.status());
    }
  }
  log::Info("created the server localhost");
  return 0;
}

int Serve(const Flags& f) {
  auto threads = f.GetInt("threads", 1, 256);
  if (!threads.ok()) return Fail(threads.status());
  web::Config cfg;
  cfg.db = DbOptions(f);
  cfg.templates_dir = f.Get("templates");
  cfg.catalogue_path = f.Get("catalogue");
  cfg.roles_dir = std::filesystem::path(cfg.catalogue_path).parent_path().string();
  cfg.scheduler_endpoint = f.Get("scheduler");
  cfg.public_url = f.Get("public-url");
  while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();
  cfg.config_root = f.Get("config-root");
  if (std::string key_file = f.Get("ssh-public-key"); !key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) return Fail(Status::NotFound("cannot read the SSH public key " + key_file));
    std::getline(in, cfg.ssh_public_key);
  }
  cfg.secure_cookies = cfg.public_url.rfind("https://", 0) == 0;
  if (cfg.public_url.rfind("http://", 0) != 0 && !cfg.secure_cookies) {
    return Fail(Status::InvalidArgument("--public-url must start with http:// or https://"));
  }
  if (cfg.config_root.empty() || cfg.config_root[0] != '/') {
    return Fail(Status::InvalidArgument("--config-root must be an absolute path"));
  }
  auto metrics_access = web::metrics::AccessPolicy::Load(f.Get("metrics-allow"), f.Get("metrics-token-file"));
  if (!metrics_access.ok()) return Fail(metrics_access.status());
  cfg.metrics_access = std::move(*metrics_access);
  if (Status s = web::LoadTemplates(cfg.templates_dir); !s.ok()) return Fail(s);
  auto catalogue = web::Catalogue::Load(cfg.catalogue_path, cfg.roles_dir);
  if (!catalogue.ok()) return Fail(catalogue.status());
  {
    // Fail fast when the database is unreachable or not migrated.
    db::Connection probe;
    if (Status s = probe.Connect(cfg.db); !s.ok()) return Fail(s);
    auto v = probe.Query("SELECT COUNT(*) FROM schema_migrations");
    if (!v.ok()) return Fail(v.status().WithContext("the schema is missing; run aegir-web migrate"));
  }

  // Signals are taken by one thread with sigwait; every other thread has
  // them blocked (so libfcgi's own handler never runs).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Memory a request freed stays with its thread's heap, up to 1 MiB, for
  // the next request: by default glibc gave it back to the system after
  // nearly every page (madvise, then page faults again on the next one:
  // about 7% of aegir-web's time per site list request).
  mallopt(M_TRIM_THRESHOLD, 1 << 20);
  FCGX_Init();
  web::FcgiServer server;
  if (Status s = server.Listen(f.Get("socket"), f.Get("socket-group")); !s.ok()) return Fail(s);
  web::App app(cfg, std::move(*catalogue));
  zmq::context_t zmq_ctx(1);
  // Housekeeping: expired sessions (one is made for every visit to the login
  // page) and old failed logins, removed at start and every 10 minutes on a
  // connection of its own.
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread housekeeping([&] {
    db::Connection c;
    std::unique_lock lock(stop_mutex);
    while (!stopping) {
      lock.unlock();
      Status s = c.connected() ? Status::Ok() : c.Connect(cfg.db);
      if (s.ok()) {
        auto removed = web::store::PurgeExpired(c);
        if (!removed.ok()) s = removed.status();
        if (removed.ok() && *removed > 0) {
          log::Info("removed " + std::to_string(*removed) + " expired sessions and old failed logins");
        }
      }
      if (!s.ok()) log::Warn("housekeeping: " + s.ToString());
      lock.lock();
      stop_cv.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; });
    }
  });
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    log::Info(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    server.Stop();
  });
  log::Info("listening on " + f.Get("socket") + " with " + std::to_string(*threads) + " threads");
  server.Run(app, zmq_ctx, static_cast<int>(*threads));
  // Run returns only after Stop(), so the signal thread has ended its wait.
  signals.join();
  {
    std::lock_guard guard(stop_mutex);
    stopping = true;
  }
  stop_cv.notify_all();
  housekeeping.join();
  log::Info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  aegir::log::SetProgram("aegir-web");
  aegir::Flags f;
  f.UseConfigFile("web");
  f.Define("db-socket", "", "MariaDB unix socket");
  f.Define("db-user", "", "MariaDB user (unix_socket authentication)");
  f.Define("db-name", "aegir", "MariaDB database");
  f.Define("migrations", "sql", "directory of the NNNN_name.sql migrations (migrate)");
  f.Define("socket", "", "FastCGI unix socket to listen on (serve)");
  f.Define("socket-group", "", "give the socket to this group, mode 0660 (serve)");
  f.Define("threads", "8", "request threads (serve)");
  f.Define("templates", "www/templates", "ctemplate directory (serve)");
  f.Define("catalogue", "roles/operations.json", "operation catalogue; its folder holds the roles (serve)");
  f.Define("scheduler", "", "scheduler submission endpoint, e.g. ipc:///path/submit.ipc (serve)");
  f.Define("public-url", "http://127.0.0.1:8080", "the URL executors use to reach this application (serve)");
  f.Define("config-root", "", "absolute path of the managed servers' configuration directories (serve, ensure-local)");
  f.Define("ssh-public-key", "", "the executors' SSH public key file, shown on remote servers' pages (serve)");
  f.Define("metrics-allow", "127.0.0.1,::1", "client addresses or networks that may read /metrics, comma-separated; empty: none (serve)");
  f.Define("metrics-token-file", "", "file holding the bearer token /metrics also requires; empty: none (serve)");
  f.Define("local-port", "8080", "the port nginx serves the local sites on (ensure-local)");
  f.Define("local-https-port", "0", "the local HTTPS port, 0 for none (ensure-local)");
  f.Define("local-db-admin-user", "", "the MariaDB user the executor administers the local sites' databases as (ensure-local; default: --db-user)");
  f.Define("local-reload", "", "the command that reloads the local nginx, arguments separated by spaces (ensure-local)");
  f.Define("local-php-fpm-socket", "", "the local php-fpm socket (ensure-local)");
  f.Define("local-platform-source", "/usr/share/wordpress", "the directory of the WordPress platform made with the local server (ensure-local)");
  if (aegir::Status s = f.Parse(argc, argv, 1); !s.ok()) {
    std::cerr << "aegir-web: " << s.message() << "\n" << f.Usage("aegir-web migrate|ensure-admin|ensure-local|serve");
    return 2;
  }
  if (f.help_requested() || f.positional().size() != 1) {
    std::cerr << f.Usage("aegir-web migrate|ensure-admin|ensure-local|serve");
    return f.help_requested() ? 0 : 2;
  }
  if (aegir::Status s = aegir::crypto::Init(); !s.ok()) return Fail(s);
  aegir::db::LibraryInit();
  const std::string& cmd = f.positional()[0];
  try {
    if (cmd == "migrate") return Migrate(f);
    if (cmd == "ensure-admin") return EnsureAdmin(f);
    if (cmd == "ensure-local") return EnsureLocal(f);
    if (cmd == "serve") return Serve(f);
  } catch (const std::exception& e) {
    aegir::log::Error(std::string("unexpected error: ") + e.what());
    return 1;
  }
  std::cerr << "aegir-web: unknown command " << cmd << "\n" << f.Usage("aegir-web migrate|ensure-admin|ensure-local|serve");
  return 2;
}
