// A remote server managed over SSH, end to end: the real stack started by
// scripts/launch, and a second "machine" made by this test: a network
// namespace with its own address (a veth pair), running sshd, nginx, php-fpm
// and MariaDB. The server is added in the UI as a user would, and Aegir's
// executor reaches it with the real ansible-playbook over Ansible's ssh
// connection, logged in as an unprivileged user with the key the launcher
// generated ($AEGIR_VAR/ssh/id_ed25519). A WordPress site is installed there
// over SSH and fetched from this side at the namespace's address.
//
// What the remote machine is made of (all made and removed by the fixture):
//   - the user aegir-remote (useradd --system --create-home): the account
//     Aegir logs in as. It is LEFT ON THE MACHINE after the test (creating
//     and deleting system accounts on every run is worse than keeping one);
//     later runs reuse it.
//   - the network namespace aegir-it-<pid> and the veth pair ae<pid>h (this
//     side, 10.213.N.1/30) / ae<pid>r (inside, 10.213.N.2/30), N = pid % 250
//     moved on while taken. Inside it net.ipv4.ip_unprivileged_port_start is
//     0 (the sysctl is per namespace), so the unprivileged user's nginx can
//     listen on port 80 there: no sudo rule and no root web server needed.
//   - /tmp/aegir-remote-XXXXXX (owned by aegir-remote; outside the stack's
//     0700 directory, which that user cannot enter): the configuration root
//     (config/), nginx's prefix (nginx/), php-fpm's configuration and socket,
//     MariaDB's data directory and socket, authorized_keys, and sshd/ (root's:
//     its configuration, host key, pid file and log).
//   - sshd (as root: it must switch to the logged-in user), and as
//     aegir-remote: nginx (master and workers), php-fpm, mariadbd. MariaDB is
//     made with --auth-root-authentication-method=socket --user=aegir-remote,
//     so that account is its administrator by unix-socket authentication;
//     the server's reload command is nginx -s reload run as that user.
//   - /run/sshd (sshd's privilege separation directory) when it is missing;
//     removed again afterwards.
//
// The cases build on each other in the order written.
#define BOOST_TEST_MODULE remote
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <shadow.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "common/process.h"
#include "common/temp_dir.h"
#include "tests/integration/netns.h"
#include "tests/integration/stack.h"

using namespace aegir::testing;
namespace fs = std::filesystem;
using aegir::Process;
using aegir::SpawnOptions;
using aegir::TempDir;
using Fields = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kUser = "aegir-remote";
const std::string kServer = "remote1";
const std::string kEarlyPlatform = "too-early";
const std::string kPlatform = "wordpress-remote";
const std::string kDomain = "blog.remote.test";
const std::string kTitle = "Aegir Remote Blog";
const std::string kVerifyFirst = "Verify server " + kServer + " first";

// ---- small helpers (none of them asserts: the fixture's teardown uses them) ----

std::string Join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Runs argv to its end without asserting; {-1, why} when it cannot start.
std::pair<int, std::string> Exec(const std::vector<std::string>& argv) {
  auto p = Process::Spawn({argv, {}, "", false});
  if (!p.ok()) return {-1, p.status().ToString()};
  std::string out;
  while (p->output_open()) {
    pollfd pfd{p->output_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    if (!p->ReadAvailable(&out).ok()) break;
  }
  auto st = p->Wait();
  if (!st.ok()) return {-1, out + st.status().ToString()};
  return {st->exited ? st->exit_code : -1, out};
}


std::string Tail(const fs::path& p, size_t n = 2500) {
  std::string s = ReadFile(p);
  return s.size() > n ? "..." + s.substr(s.size() - n) : s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The text of an HTML-escaped element.
std::string Unescape(std::string s) {
  const std::pair<std::string, std::string> entities[] = {{"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""},
                                                          {"&#39;", "'"}, {"&#x27;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

// "type base64" of an OpenSSH public key line (without its comment), as
// aegir-web records host keys.
std::string KeyOf(const std::string& line) {
  std::istringstream in(line);
  std::string type, key;
  in >> type >> key;
  return key.empty() ? "" : type + " " + key;
}

bool CanConnect(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

uid_t OwnerOf(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? st.st_uid : static_cast<uid_t>(-1);
}

std::string CmdLine(int pid) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(s.begin(), s.end(), '\0', ' ');
  return Trim(s);
}

// Pids of the live (not zombie) processes whose real uid is uid.
std::vector<int> ProcessesOf(uid_t uid) {
  std::vector<int> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::istringstream status(ReadFile("/proc/" + std::to_string(pid) + "/status"));
    std::string line, state;
    long real_uid = -1;
    while (std::getline(status, line)) {
      if (line.rfind("State:", 0) == 0) state = line;
      if (line.rfind("Uid:", 0) == 0) real_uid = std::strtol(line.c_str() + 4, nullptr, 10);
    }
    if (real_uid == static_cast<long>(uid) && !Contains(state, "zombie")) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// Runs argv; fails the test with its output when it fails.
std::string Must(const std::vector<std::string>& argv) {
  auto [code, out] = Exec(argv);
  BOOST_REQUIRE_MESSAGE(code == 0, "`" << Join(argv) << "` failed (exit " << code << "):\n" << out);
  return out;
}

// ---- the remote machine ----

class Remote {
 public:
  Remote() {
    try {
      Setup();
    } catch (...) {
      Stop();
      throw;
    }
  }
  ~Remote() { Stop(); }
  Remote(const Remote&) = delete;
  Remote& operator=(const Remote&) = delete;

  // Stops the daemons, removes the namespace (with its veth pair), the
  // directory and /run/sshd if it was made here. Returns what was still
  // running in the namespace or as the user after the daemons were stopped
  // (and was then killed): the test expects nothing. Idempotent.
  std::vector<std::string> Stop() {
    using namespace std::chrono_literals;
    std::vector<std::string> left;
    for (auto* p : {&sshd_, &nginx_, &php_fpm_}) {
      if (*p && !(*p)->reaped()) (void)(*p)->Terminate(10s);
      p->reset();
    }
    if (mariadbd_ && !mariadbd_->reaped()) (void)mariadbd_->Terminate(60s);
    mariadbd_.reset();
    if (net_) {
      for (auto& l : net_->Remove()) left.push_back(std::move(l));
      net_.reset();
    }
    if (uid_ != static_cast<uid_t>(-1)) {
      for (int pid : ProcessesOf(uid_)) {
        left.push_back("as " + kUser + ": " + std::to_string(pid) + " " + CmdLine(pid));
        ::kill(pid, SIGKILL);
      }
    }
    tmp_.reset();
    if (made_run_sshd_) {
      ::rmdir("/run/sshd");
      made_run_sshd_ = false;
    }
    return left;
  }

  // Stops sshd, gives it a new host key and starts it again.
  void RestartSshdWithNewHostKey() {
    using namespace std::chrono_literals;
    if (sshd_) (void)sshd_->Terminate(10s);
    sshd_.reset();
    fs::remove(HostKeyFile());
    fs::remove(HostKeyFile() + ".pub");
    Must({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", HostKeyFile()});
    StartSshd();
  }

  // argv run as root inside the namespace.
  std::vector<std::string> InNs(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    return argv;
  }
  // argv run as the unprivileged user inside the namespace.
  std::vector<std::string> AsUser(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"setpriv", "--reuid=" + std::to_string(uid_), "--regid=" + std::to_string(gid_),
                               "--init-groups", "--"});
    return InNs(argv);
  }

  // Runs SQL as root on the remote MariaDB (over its socket).
  std::string Sql(const std::string& sql) const {
    return Must({"mariadb", "--no-defaults", "--socket=" + db_socket(), "-N", "-B", "-e", sql});
  }

  // The tails of the daemons' logs, for failure messages.
  std::string Logs() const {
    if (dir.empty()) return "";
    std::string out;
    for (const auto& [name, log] :
         std::vector<std::pair<std::string, std::string>>{{"sshd", dir + "/sshd/sshd.log"},
                                                          {"nginx", dir + "/nginx/error.log"},
                                                          {"php-fpm", dir + "/php-fpm.log"},
                                                          {"mariadbd", dir + "/mariadb.log"}}) {
      out += "\n--- " + name + " (" + log + ") ---\n" + Tail(log, 1500);
    }
    return out;
  }

  std::string HostKeyFile() const { return dir + "/sshd/ssh_host_ed25519_key"; }
  // The host key sshd offers now, "type base64".
  std::string HostKey() const { return KeyOf(ReadFile(HostKeyFile() + ".pub")); }
  std::string config_root() const { return dir + "/config"; }
  std::string server_dir() const { return config_root() + "/" + kServer; }
  std::string php_fpm_socket() const { return dir + "/php-fpm.sock"; }
  std::string db_socket() const { return dir + "/mysqld.sock"; }
  std::string authorized_keys() const { return dir + "/authorized_keys"; }
  std::vector<std::string> NginxArgs() const {
    return {"/usr/sbin/nginx", "-p", dir + "/nginx", "-c", dir + "/nginx/nginx.conf", "-e", dir + "/nginx/error.log"};
  }
  // The server's reload command: run over SSH as the user (no sudo).
  std::string Reload() const { return Join(NginxArgs()) + " -s reload"; }
  uid_t uid() const { return uid_; }

  std::string ns, host_ip, ns_ip;
  std::string dir;  // the remote root

 private:
  void Setup() {
    BOOST_REQUIRE_MESSAGE(::geteuid() == 0,
                          "remote_test needs root: it makes a network namespace, a veth pair, "
                          "a system user, and runs sshd (CI runs it as root)");
    EnsureUser();
    MakeNamespace();
    // sshd's privilege separation directory (sshd -t checks it too).
    if (!fs::exists("/run/sshd")) {
      fs::create_directories("/run/sshd");
      fs::permissions("/run/sshd", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                       fs::perms::others_read | fs::perms::others_exec);
      made_run_sshd_ = true;
    }
    MakeDirectory();
    StartMariaDb();
    StartPhpFpm();
    StartNginx();
    StartSshd();
  }

  void EnsureUser() {
    if (::getpwnam(kUser.c_str()) == nullptr) {
      Must({"useradd", "--system", "--create-home", "--shell", "/bin/bash", "--password", "*", kUser});
    }
    const passwd* pw = ::getpwnam(kUser.c_str());
    BOOST_REQUIRE_MESSAGE(pw, "the user " << kUser << " could not be made");
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    home_ = pw->pw_dir;
    // Ansible keeps its remote temporary files in ~/.ansible.
    if (!fs::is_directory(home_)) {
      fs::create_directories(home_);
      Must({"chown", std::to_string(uid_) + ":" + std::to_string(gid_), home_});
    }
    // With UsePAM no, sshd refuses an account whose password is locked
    // ("!", useradd's default); "*" only means no password login.
    if (const spwd* sp = ::getspnam(kUser.c_str()); sp && sp->sp_pwdp && sp->sp_pwdp[0] == '!') {
      Must({"usermod", "--password", "*", kUser});
    }
  }

  void MakeNamespace() {
    net_.emplace("10.213.");
    ns = net_->name;
    host_ip = net_->host_ip;
    ns_ip = net_->ns_ip;
    // Per namespace: the unprivileged user's nginx may take port 80 here.
    Must(InNs({"sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=0"}));
  }

  // A configuration file's text with @DIR@, @IP@, @NS@, @SERVER@,
  // @SERVER_DIR@ and @USER@ filled in.
  std::string Fill(std::string text) const {
    const std::pair<std::string, std::string> values[] = {{"@SERVER_DIR@", server_dir()},
                                                          {"@SERVER@", kServer},
                                                          {"@DIR@", dir},
                                                          {"@IP@", ns_ip},
                                                          {"@NS@", ns},
                                                          {"@USER@", kUser}};
    for (const auto& [key, value] : values) {
      for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
      }
    }
    return text;
  }

  void Write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path);
  }

  void MakeDirectory() {
    auto t = TempDir::Create("/tmp", "aegir-remote-");
    BOOST_REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    tmp_.emplace(std::move(*t));
    dir = tmp_->path().string();
    fs::create_directories(dir + "/nginx/tmp");
    Write(dir + "/nginx/nginx.conf", Fill(R"(# remote_test: the web server of @SERVER@, run as @USER@.
daemon off;
master_process on;
worker_processes 1;
pid @DIR@/nginx/nginx.pid;
error_log @DIR@/nginx/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log @DIR@/nginx/access.log;
    client_body_temp_path @DIR@/nginx/tmp/client_body;
    fastcgi_temp_path @DIR@/nginx/tmp/fastcgi;
    proxy_temp_path @DIR@/nginx/tmp/proxy;
    scgi_temp_path @DIR@/nginx/tmp/scgi;
    uwsgi_temp_path @DIR@/nginx/tmp/uwsgi;
    server_tokens off;
    # A name no site claims: 404.
    server {
        listen @IP@:80 default_server;
        server_name _;
        return 404;
    }
    # The vhosts Aegir writes (the server's default vhost directory).
    include @SERVER_DIR@/vhost.d/*.conf;
}
)"));
    // As an ordinary user php-fpm runs its pool as that user: no user= line.
    Write(dir + "/php-fpm.conf", Fill(R"([global]
pid = @DIR@/php-fpm.pid
error_log = @DIR@/php-fpm.log
daemonize = no

[sites]
listen = @DIR@/php-fpm.sock
listen.mode = 0660
pm = ondemand
pm.max_children = 4
pm.process_idle_timeout = 30s
catch_workers_output = yes
)"));
    // Filled in by the first case with the key the server's page shows.
    Write(authorized_keys(), "");
    fs::permissions(authorized_keys(), fs::perms::owner_read | fs::perms::owner_write);
    Must({"chown", "-R", std::to_string(uid_) + ":" + std::to_string(gid_), dir});

    // sshd's own files stay root's.
    fs::create_directories(dir + "/sshd");
    fs::permissions(dir + "/sshd", fs::perms::owner_all);
    Must({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", HostKeyFile()});
    // StrictModes no: authorized_keys lives under /tmp (world-writable), not
    // in the user's home. UsePAM no: no PAM session for a test daemon (which
    // is why EnsureUser() unlocks the account's password field).
    Write(dir + "/sshd/sshd_config", Fill(R"(# remote_test: sshd of @SERVER@ in @NS@.
ListenAddress @IP@:22
HostKey @DIR@/sshd/ssh_host_ed25519_key
PidFile @DIR@/sshd/sshd.pid
AuthorizedKeysFile @DIR@/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers @USER@
Subsystem sftp internal-sftp
LogLevel VERBOSE
)"));
    Must({"/usr/sbin/sshd", "-t", "-f", dir + "/sshd/sshd_config"});
  }

  std::optional<Process> Start(const std::string& what, const std::vector<std::string>& argv, bool as_user) {
    SpawnOptions o;
    o.argv = as_user ? AsUser(argv) : InNs(argv);
    if (as_user) o.env = {{"HOME", home_}, {"USER", kUser}, {"LOGNAME", kUser}};
    o.working_dir = dir;
    o.die_with_parent = true;
    auto p = Process::Spawn(o);
    BOOST_REQUIRE_MESSAGE(p.ok(), "cannot start " << what << ": " << p.status().ToString());
    return std::move(*p);
  }

  // Bounded wait for a daemon to be ready; fails with its log when it exits
  // or takes too long.
  void WaitReady(const std::string& what, std::optional<Process>& p, const std::function<bool()>& ready,
                 const std::string& log) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string out;
    while (!ready()) {
      (void)p->ReadAvailable(&out);
      auto done = p->TryWait();
      BOOST_REQUIRE_MESSAGE(done.ok() && !done->has_value(),
                            what << " ended at start (" << (done.ok() && done->has_value() ? (*done)->ToString() : "?")
                                 << "):\n"
                                 << out << "\n"
                                 << Tail(log));
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, what << " was not ready within 60 s:\n"
                                                                              << out << "\n"
                                                                              << Tail(log));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void StartMariaDb() {
    Must({"mariadb-install-db", "--no-defaults", "--auth-root-authentication-method=socket", "--user=" + kUser,
          "--datadir=" + dir + "/mysql", "--skip-test-db"});
    mariadbd_ = Start("mariadbd",
                      {"/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + dir + "/mysql", "--socket=" + db_socket(),
                       "--skip-networking", "--pid-file=" + dir + "/mysqld.pid", "--log-error=" + dir + "/mariadb.log"},
                      true);
    WaitReady(
        "mariadbd", mariadbd_,
        [&] {
          return Exec({"mariadb-admin", "--no-defaults", "--socket=" + db_socket(), "--connect-timeout=2", "ping"})
                     .first == 0;
        },
        dir + "/mariadb.log");
  }

  void StartPhpFpm() {
    std::string fpm;
    for (const auto& e : fs::directory_iterator("/usr/sbin")) {
      std::string name = e.path().filename().string();
      if (std::regex_match(name, std::regex("php-fpm[0-9.]*")) && e.path().string() > fpm) fpm = e.path().string();
    }
    BOOST_REQUIRE_MESSAGE(!fpm.empty(),
                          "php-fpm is not installed (/usr/sbin/php-fpm*; scripts/install-deps installs it)");
    php_fpm_ = Start("php-fpm", {fpm, "--nodaemonize", "--fpm-config", dir + "/php-fpm.conf"}, true);
    WaitReady(
        "php-fpm", php_fpm_, [&] { return fs::is_socket(php_fpm_socket()); }, dir + "/php-fpm.log");
  }

  void StartNginx() {
    std::vector<std::string> test = NginxArgs();
    test.insert(test.end(), {"-t", "-q"});
    Must(AsUser(test));
    nginx_ = Start("nginx", NginxArgs(), true);
    WaitReady(
        "nginx", nginx_, [&] { return CanConnect(ns_ip, 80); }, dir + "/nginx/error.log");
  }

  void StartSshd() {
    // An absolute path: sshd re-executes itself. -E: its log goes to a file.
    sshd_ =
        Start("sshd", {"/usr/sbin/sshd", "-D", "-E", dir + "/sshd/sshd.log", "-f", dir + "/sshd/sshd_config"}, false);
    WaitReady(
        "sshd", sshd_, [&] { return CanConnect(ns_ip, 22); }, dir + "/sshd/sshd.log");
  }

  uid_t uid_ = static_cast<uid_t>(-1);
  gid_t gid_ = static_cast<gid_t>(-1);
  std::string home_;
  std::optional<NetNamespace> net_;
  bool made_run_sshd_ = false;
  std::optional<TempDir> tmp_;
  std::optional<Process> sshd_, nginx_, php_fpm_, mariadbd_;
};

// The stack and the remote machine, once for the module. The remote is
// stopped first (members are destroyed after the body, in reverse order).
Remote* remote = nullptr;
struct RemoteSuite {
  RemoteSuite() { remote = new Remote(); }
  ~RemoteSuite() {
    delete remote;
    remote = nullptr;
  }
  StackSuite stack;
};
BOOST_TEST_GLOBAL_FIXTURE(RemoteSuite);

Stack& S() { return StackSuite::Get(); }
Remote& R() { return *remote; }

// What the cases share, as they find it.
struct World {
  std::string server;    // /servers/N of remote1
  std::string site;      // /sites/N of blog.remote.test
  std::string host_key;  // the key recorded at the first verification
};
World w;

std::string IdOf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string HostKeyShown(const std::string& server_page) {
  return Unescape(First(server_page, "<pre class=\"key\" id=\"host-key\">([^<]*)</pre>"));
}
const std::string kNoHostKey = "<span id=\"host-key\">not recorded yet</span>";

// Posts an operation's form (fields may be empty); returns the answer.
// Waits for a task that must succeed; on failure shows its page and the
// remote daemons' logs.
std::string MustSucceed(Browser& b, const std::string& task, const std::string& what) {
  std::string html = WaitForTask(b, task);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", what << " did not succeed:\n" << html << R().Logs());
  return html;
}

std::string RunRemoteToSuccess(Browser& b, const std::string& entity, const std::string& op, Fields fields = {}) {
  HttpResult r = RunOperation(b, entity, op, std::move(fields));
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0, op << " was not queued (HTTP "
                                                                                   << r.status << "):\n"
                                                                                   << r.body);
  return MustSucceed(b, r.location, op);
}

// The newest task of an entity page's task table, "" when it has none.
std::string NewestTaskOrNone(Browser& b, const std::string& entity) {
  return First(b.Get(entity).body, "href=\"(/tasks/[0-9]+)\"");
}

// An operation queued by a form (a platform's deploy, a site's verify after
// an edit) while remote1 has no recorded host key must not run there: either
// nothing was queued, or its task failed saying why. The task page is what
// the user sees.
void ExpectNotRun(Browser& b, const std::string& entity, const std::string& what,
                  const std::string& previous_task = "") {
  std::string task = NewestTaskOrNone(b, entity);
  if (task.empty() || task == previous_task) return;
  std::string html = WaitForTask(b, task);
  BOOST_TEST(TaskState(html) == "failed", what << " (" << task << ") ran on " << kServer
                                               << " although its host key is not recorded: it ended "
                                               << TaskState(html));
  BOOST_TEST(Contains(html, kVerifyFirst),
             what << " (" << task << ") does not say that " << kServer
                  << " must be verified first; reason: " << First(html, "id=\"task-reason\">([^<]*)<"));
}

// Adds a platform on remote1 from Debian's WordPress; returns the answer.
HttpResult AddPlatform(Browser& b, const std::string& name) {
  HttpResult form = b.Get("/platforms/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string dist = First(form.body, "<option value=\"([0-9]+)\"[^>]*>WordPress<");
  BOOST_REQUIRE(!dist.empty());
  return b.Post("/platforms/add", {{"csrf", Browser::CsrfToken(form.body)},
                                   {"name", name},
                                   {"server_id", IdOf(w.server)},
                                   {"distribution_id", dist},
                                   {"source", "path"},
                                   {"source_path", "/usr/share/wordpress"}});
}

std::string PlatformDir(const std::string& name) { return R().server_dir() + "/platforms/" + name; }

// A visitor on this side of the veth pair, fetching a page of remote1's
// nginx by name (port 80: no port in Host).
HttpResult Visit(const std::string& host, const std::string& path = "/") {
  Browser visitor("http://" + R().ns_ip);
  return visitor.GetWith(path, {"Host: " + host});
}

}  // namespace

BOOST_AUTO_TEST_CASE(add_the_remote_server_and_authorize_aegirs_key) {
  Browser b(S().url());
  LogIn(b, S());
  HttpResult form = b.Get("/servers/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  HttpResult added = b.Post("/servers/add", {{"csrf", Browser::CsrfToken(form.body)},
                                             {"name", kServer},
                                             {"hostname", R().ns_ip},
                                             {"config_root", R().config_root()},
                                             {"ssh_user", kUser},
                                             {"ssh_port", "22"},
                                             {"http_kind", "nginx"},
                                             {"http_address", R().ns_ip},
                                             {"http_port", "80"},
                                             {"https_port", "0"},
                                             {"vhost_dir", ""},
                                             {"reload", R().Reload()},
                                             {"php_fpm_socket", R().php_fpm_socket()},
                                             {"platforms_dir", ""},
                                             {"db_kind", "mariadb"},
                                             {"db_host", ""},
                                             {"db_port", ""},
                                             {"db_socket", R().db_socket()},
                                             {"db_admin_user", kUser},
                                             {"db_admin_defaults_file", ""}});
  BOOST_REQUIRE_MESSAGE(added.status == 303 && added.location.rfind("/servers/", 0) == 0, "HTTP " << added.status
                                                                                                  << ":\n"
                                                                                                  << added.body);
  w.server = added.location;

  std::string page = b.Get(w.server).body;
  BOOST_TEST(Contains(page, "SSH as <code>" + kUser + "</code>, port 22"));
  BOOST_TEST(Contains(page, kNoHostKey));
  BOOST_TEST(Contains(page, R().server_dir() + "/vhost.d"));  // the default vhost directory
  // The key to authorize is on the page, and it is the launcher's key.
  std::string shown = Trim(Unescape(First(page, "<pre class=\"key\" id=\"public-key\">([^<]*)</pre>")));
  std::string file = Trim(ReadFile(S().var_dir() + "/ssh/id_ed25519.pub"));
  BOOST_REQUIRE_MESSAGE(!shown.empty(), "the server's page shows no public key:\n" << page);
  BOOST_TEST(shown == file);
  BOOST_TEST(KeyOf(shown).rfind("ssh-ed25519 ", 0) == 0);
  // The administrator puts it into the user's authorized keys.
  std::ofstream(R().authorized_keys(), std::ios::trunc) << shown << "\n";
}

BOOST_AUTO_TEST_CASE(nothing_but_verify_runs_before_the_host_key_is_recorded) {
  Browser b(S().url());
  LogIn(b, S());
  // Adding a platform queues its deploy: it must not reach the server.
  HttpResult added = AddPlatform(b, kEarlyPlatform);
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  std::string platform = added.location;
  ExpectNotRun(b, platform, "the deploy queued with the platform");
  BOOST_TEST(!fs::exists(PlatformDir(kEarlyPlatform)),
             PlatformDir(kEarlyPlatform) << " was written on " << kServer << " before the server was verified");
  // The deploy button is refused, with the reason, and queues nothing.
  std::string before = NewestTaskOrNone(b, platform);
  HttpResult run = RunOperation(b, platform, "platform-deploy");
  BOOST_TEST(run.status == 409);
  BOOST_TEST(Contains(run.body, kVerifyFirst), run.body);
  BOOST_TEST(NewestTaskOrNone(b, platform) == before);
  BOOST_TEST(Contains(b.Get(w.server).body, kNoHostKey));
}

BOOST_AUTO_TEST_CASE(verify_over_ssh_records_the_host_key) {
  Browser b(S().url());
  LogIn(b, S());
  std::string html = RunRemoteToSuccess(b, w.server, "server-verify");
  BOOST_TEST(Contains(html, kServer + ": connected as " + kUser), html);
  std::string page = b.Get(w.server).body;
  BOOST_TEST(Contains(page, "badge verified"));
  w.host_key = HostKeyShown(page);
  BOOST_REQUIRE_MESSAGE(!w.host_key.empty(), "no host key on the page after the verification:\n" << page);
  BOOST_TEST(w.host_key == R().HostKey());
  BOOST_TEST(!Contains(page, kNoHostKey));
  // The directories were made over SSH, as the user.
  for (const char* sub : {"", "/vhost.d", "/platforms", "/backups", "/ssl"}) {
    std::string d = R().server_dir() + sub;
    BOOST_TEST_CONTEXT(d) {
      BOOST_TEST(fs::is_directory(d));
      BOOST_TEST(OwnerOf(d) == R().uid());
    }
  }
}

BOOST_AUTO_TEST_CASE(deploy_a_platform_over_ssh) {
  Browser b(S().url());
  LogIn(b, S());
  HttpResult added = AddPlatform(b, kPlatform);
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  std::string task = NewestTaskOrNone(b, added.location);
  BOOST_REQUIRE_MESSAGE(!task.empty(), "no deploy was queued with the platform");
  MustSucceed(b, task, "the deploy of " + kPlatform);
  BOOST_TEST(Contains(b.Get(added.location).body, "id=\"platform-status\">enabled<"));
  std::string dir = PlatformDir(kPlatform);
  for (const std::string& f : {dir, dir + "/wp-includes/version.php", dir + "/wp-config.php", dir + "/sites"}) {
    BOOST_TEST_CONTEXT(f) {
      BOOST_TEST(fs::exists(f));
      BOOST_TEST(OwnerOf(f) == R().uid());
    }
  }
}

BOOST_AUTO_TEST_CASE(install_a_site_over_ssh_and_fetch_it_at_the_remote_address) {
  Browser b(S().url());
  LogIn(b, S());
  HttpResult form = b.Get("/sites/add");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string platform_id = First(form.body, "<option value=\"([0-9]+)\"[^>]*>" + kPlatform + "[ <]");
  std::string db_select = form.body.substr(std::min(form.body.size(), form.body.find("id=\"db_server_id\"")));
  std::string db_server_id = First(db_select, "<option value=\"([0-9]+)\"[^>]*>" + kServer + "<");
  std::string client_id = First(form.body, "<select id=\"client_id\"[^>]*><option value=\"([0-9]+)\"");
  BOOST_REQUIRE_MESSAGE(!platform_id.empty() && !db_server_id.empty() && !client_id.empty(), form.body);
  HttpResult added = b.Post("/sites/add", {{"csrf", Browser::CsrfToken(form.body)},
                                           {"domain", kDomain},
                                           {"platform_id", platform_id},
                                           {"db_server_id", db_server_id},
                                           {"client_id", client_id},
                                           {"https", "off"},
                                           {"aegir_site_title", kTitle},
                                           {"aegir_site_admin_user", "admin"},
                                           {"aegir_site_admin_email", "admin@example.org"}});
  BOOST_REQUIRE_MESSAGE(added.status == 303, added.body);
  w.site = added.location;
  std::string task = NewestTaskOrNone(b, w.site);
  BOOST_REQUIRE_MESSAGE(!task.empty(), "no install was queued with the site");
  MustSucceed(b, task, "the install of " + kDomain);
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, "id=\"site-status\">enabled<"));
  std::string db = First(page, "<dt>Database</dt><dd>([a-z0-9_]+) on");
  BOOST_REQUIRE(!db.empty());

  // Served by remote1's nginx at its own address, by name.
  HttpResult front = Visit(kDomain);
  BOOST_TEST(front.status == 200);
  BOOST_TEST(Contains(front.body, kTitle), front.body.substr(0, 2000));
  BOOST_TEST(Visit("nothing.remote.test").status == 404);
  // The database is on remote1's MariaDB, not on the control panel's.
  BOOST_TEST(Trim(R().Sql("SHOW DATABASES LIKE '" + db + "'")) == db);
  BOOST_TEST(Trim(R().Sql("SELECT option_value FROM `" + db + "`.wp_options WHERE option_name = 'blogname'")) ==
             kTitle);
  BOOST_TEST(Sql(S(), "SHOW DATABASES LIKE '" + db + "'").empty());
  // Its files and vhost belong to the user.
  std::string site_dir = PlatformDir(kPlatform) + "/sites/" + kDomain;
  BOOST_TEST(OwnerOf(site_dir + "/wp-config.php") == R().uid());
  BOOST_TEST(OwnerOf(R().server_dir() + "/vhost.d/" + kDomain + ".conf") == R().uid());
}

BOOST_AUTO_TEST_CASE(a_changed_host_key_is_refused_until_it_is_forgotten) {
  Browser b(S().url());
  LogIn(b, S());
  R().RestartSshdWithNewHostKey();
  std::string new_key = R().HostKey();
  BOOST_REQUIRE(new_key != w.host_key);

  HttpResult r = RunOperation(b, w.server, "server-verify");
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0, r.body);
  std::string html = WaitForTask(b, r.location);
  BOOST_TEST(TaskState(html) == "failed", "a verification against a changed host key ended " << TaskState(html));
  BOOST_TEST(
      (Contains(html, "Host key verification failed") || Contains(html, "REMOTE HOST IDENTIFICATION HAS CHANGED")),
      "the failed verification does not name the host key:\n"
          << html);
  std::string page = b.Get(w.server).body;
  BOOST_TEST(HostKeyShown(page) == w.host_key);  // unchanged

  // Forgetting needs the form's token.
  HttpResult forged = b.Post(w.server + "/forget-host-key", {});
  BOOST_TEST(forged.status == 403);
  BOOST_TEST(HostKeyShown(b.Get(w.server).body) == w.host_key);
  HttpResult forget = b.Post(w.server + "/forget-host-key", {{"csrf", Browser::CsrfToken(page)}});
  BOOST_TEST(forget.status == 303);
  BOOST_TEST(forget.location == w.server);
  BOOST_TEST(Contains(b.Get(w.server).body, kNoHostKey));
  // Without a recorded key only verify runs: an operation's button is
  // refused...
  std::string before = NewestTaskOrNone(b, w.site);
  HttpResult refused = RunOperation(b, w.site, "site-backup", {{"aegir_backup_description", "refused"}});
  BOOST_TEST(refused.status == 409);
  BOOST_TEST(Contains(refused.body, kVerifyFirst), refused.body);
  BOOST_TEST(NewestTaskOrNone(b, w.site) == before);
  // ...and so is the verify an edit of the site queues.
  HttpResult edit = b.Get(w.site + "/edit");
  BOOST_REQUIRE_EQUAL(edit.status, 200);
  HttpResult saved =
      b.Post(w.site + "/edit", {{"csrf", Browser::CsrfToken(edit.body)},
                                {"client_id", First(edit.body, "<option value=\"([0-9]+)\" selected>default<")},
                                {"https", "off"},
                                {"aliases", ""},
                                {"redirects", ""}});
  BOOST_TEST(saved.status == 303, saved.body);
  ExpectNotRun(b, w.site, "the verify queued by the site's edit", before);

  RunRemoteToSuccess(b, w.server, "server-verify");
  page = b.Get(w.server).body;
  BOOST_TEST(HostKeyShown(page) == new_key);
  w.host_key = new_key;
}

BOOST_AUTO_TEST_CASE(back_up_the_remote_site_over_ssh) {
  Browser b(S().url());
  LogIn(b, S());
  std::string task = RunRemoteToSuccess(b, w.site, "site-backup", {{"aegir_backup_description", "remote backup"}});
  std::string path = Unescape(First(task, "id=\"result-backup_path\">([^<]+)<"));
  BOOST_REQUIRE_MESSAGE(!path.empty(), task);
  BOOST_TEST(fs::path(path).parent_path() == fs::path(R().server_dir() + "/backups"));
  BOOST_TEST(fs::is_regular_file(path));
  BOOST_TEST(OwnerOf(path) == R().uid());
  auto [code, listing] = Exec({"tar", "-tzf", path});
  BOOST_TEST(code == 0);
  BOOST_TEST(Contains(listing, "database.sql"));
  BOOST_TEST(Contains(listing, "site/wp-config.php"));
  std::string page = b.Get(w.site).body;
  BOOST_TEST(Contains(page, path));
  BOOST_TEST(Contains(page, "remote backup"));
  // The site still serves.
  BOOST_TEST(Contains(Visit(kDomain).body, kTitle));
}

BOOST_AUTO_TEST_CASE(everything_stops_and_nothing_is_left) {
  // Tasks queued by others (a verified server verifies its platforms) end
  // first, so that no job is cut off halfway on remote1.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  for (std::string busy; (busy = Trim(Sql(S(),
                                          "SELECT COUNT(*) FROM aegir.tasks WHERE state IN "
                                          "('queued', 'running')"))) != "0";) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, busy << " task(s) still queued or running");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  std::vector<int> left = S().Stop();
  BOOST_TEST(left.empty(), "processes left running after the launcher ended: " << left.size());
  std::string ns = R().ns, dir = R().dir;
  std::vector<std::string> remote_left = R().Stop();
  BOOST_TEST(remote_left.empty(), "left on the remote after its daemons stopped:\n" << Join(remote_left));
  BOOST_TEST(!Contains(Exec({"ip", "netns", "list"}).second, ns));
  BOOST_TEST(!fs::exists(dir));
  BOOST_TEST(ProcessesMentioning(dir).empty());
  BOOST_TEST(ProcessesOf(R().uid()).empty());
}
