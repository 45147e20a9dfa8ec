#include "tests/integration/stack.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "common/crypto.h"

namespace aegir::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// The logs directory of the stack started last, so that a failed request can
// show what nginx and aegir-web said about it.
std::string g_logs_dir;

std::string LogTails() {
  if (g_logs_dir.empty()) return "";
  std::string out;
  for (const char* name : {"nginx-error.log", "aegir-web.log", "aegir-executor.log"}) {
    std::ifstream f(g_logs_dir + "/" + name);
    std::vector<std::string> lines;
    for (std::string line; std::getline(f, line);) lines.push_back(line);
    out += "\n--- last lines of " + std::string(name) + " ---\n";
    for (size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  }
  return out;
}

}  // namespace

Browser::Browser(std::string base_url) : base_(std::move(base_url)), curl_(curl_easy_init()) {
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_COOKIEFILE, "");  // in-memory cookie engine
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_TIMEOUT, 30L);
}

Browser::~Browser() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResult Browser::Perform(const std::string& path, const std::string* body, const std::vector<std::string>& headers) {
  CURL* c = static_cast<CURL*>(curl_);
  HttpResult r;
  std::string url = base_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  BOOST_REQUIRE_MESSAGE(rc == CURLE_OK, "HTTP request to " << url << " failed: " << curl_easy_strerror(rc) << LogTails());
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  if (auto it = r.headers.find("location"); it != r.headers.end()) {
    r.location = it->second;
    if (r.location.rfind(base_, 0) == 0) r.location = r.location.substr(base_.size());
  }
  return r;
}

HttpResult Browser::Get(const std::string& path) { return Perform(path, nullptr, {}); }

void Browser::AcceptAnyCertificate() {
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(static_cast<CURL*>(curl_), CURLOPT_SSL_VERIFYHOST, 0L);
}

HttpResult Browser::GetWith(const std::string& path, const std::vector<std::string>& headers) {
  return Perform(path, nullptr, headers);
}

HttpResult Browser::Post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields) {
  CURL* c = static_cast<CURL*>(curl_);
  std::string body;
  for (const auto& [k, v] : fields) {
    char* ek = curl_easy_escape(c, k.c_str(), static_cast<int>(k.size()));
    char* ev = curl_easy_escape(c, v.c_str(), static_cast<int>(v.size()));
    if (!body.empty()) body += '&';
    body += std::string(ek) + "=" + ev;
    curl_free(ek);
    curl_free(ev);
  }
  return Perform(path, &body, {"Content-Type: application/x-www-form-urlencoded"});
}

HttpResult Browser::PostRaw(const std::string& path, const std::string& body, const std::vector<std::string>& headers) {
  return Perform(path, &body, headers);
}

std::string Browser::CsrfToken(const std::string& html) {
  std::smatch m;
  static const std::regex re("name=\"csrf\" value=\"([0-9a-f]{64})\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

namespace {
Stack* suite_stack = nullptr;
}  // namespace

StackSuite::StackSuite() { suite_stack = new Stack(); }
StackSuite::~StackSuite() {
  delete suite_stack;
  suite_stack = nullptr;
}
Stack& StackSuite::Get() { return *suite_stack; }

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string LogIn(Browser& b, const Stack& stack) {
  HttpResult form = b.Get("/login");
  BOOST_REQUIRE_EQUAL(form.status, 200);
  std::string csrf = Browser::CsrfToken(form.body);
  BOOST_REQUIRE(!csrf.empty());
  HttpResult r = b.Post("/login", {{"csrf", csrf}, {"name", "admin"}, {"password", stack.admin_password()}});
  BOOST_REQUIRE_EQUAL(r.status, 303);
  BOOST_REQUIRE_EQUAL(r.location, "/");
  HttpResult dash = b.Get("/");
  BOOST_REQUIRE_EQUAL(dash.status, 200);
  return dash.body;
}

std::string ExecutorUser() {
  if (geteuid() == 0) return "aegir";
  passwd* me = getpwuid(geteuid());
  BOOST_REQUIRE(me);
  return me->pw_name;
}

SudoersRule::SudoersRule(const std::string& name, const std::string& rule) : path_("/etc/sudoers.d/" + name) {
  {
    std::ofstream out(path_ + ".new");
    out << rule << "\n";
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << path_ << ".new");
  }
  BOOST_REQUIRE(::chmod((path_ + ".new").c_str(), 0440) == 0);
  auto [code, out] = Run({"visudo", "-cqf", path_ + ".new"});
  BOOST_REQUIRE_MESSAGE(code == 0, "visudo refused '" << rule << "': " << out);
  BOOST_REQUIRE(::rename((path_ + ".new").c_str(), path_.c_str()) == 0);
}

SudoersRule::~SudoersRule() { ::unlink(path_.c_str()); }

std::string First(const std::string& html, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(html, m, std::regex(pattern)) ? m[1].str() : "";
}

HttpResult RunOperation(Browser& b, const std::string& entity, const std::string& op,
                        std::vector<std::pair<std::string, std::string>> fields) {
  HttpResult page = b.Get(entity);
  BOOST_REQUIRE_EQUAL(page.status, 200);
  fields.insert(fields.begin(), {"csrf", Browser::CsrfToken(page.body)});
  return b.Post(entity + "/run/" + op, fields);
}

std::string RunToSuccess(Browser& b, const std::string& entity, const std::string& op,
                         std::vector<std::pair<std::string, std::string>> fields) {
  HttpResult r = RunOperation(b, entity, op, std::move(fields));
  BOOST_REQUIRE_MESSAGE(r.status == 303 && r.location.rfind("/tasks/", 0) == 0,
                        op << " was not queued (HTTP " << r.status << "):\n" << r.body);
  std::string html = WaitForTask(b, r.location);
  BOOST_REQUIRE_MESSAGE(TaskState(html) == "succeeded", op << " did not succeed:\n" << html);
  return html;
}

std::string NewestTask(Browser& b, const std::string& entity) {
  std::string task = First(b.Get(entity).body, "href=\"(/tasks/[0-9]+)\"");
  BOOST_REQUIRE_MESSAGE(!task.empty(), entity << " has no task");
  return task;
}

std::string TaskState(const std::string& task_html) {
  std::smatch m;
  static const std::regex re("id=\"task-state\">([a-z]+)<");
  return std::regex_search(task_html, m, re) ? m[1].str() : "";
}

std::string WaitForTask(Browser& b, const std::string& task_path) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (true) {
    HttpResult r = b.Get(task_path);
    BOOST_REQUIRE_EQUAL(r.status, 200);
    std::string state = TaskState(r.body);
    if (state == "succeeded" || state == "failed" || state == "cancelled") return r.body;
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "task " << task_path << " still " << state << "; page:\n" << r.body);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

HttpResult Visit(const Stack& stack, const std::string& domain, const std::string& path) {
  Browser visitor(stack.url());
  return visitor.GetWith(path, {"Host: " + domain + ":" + std::to_string(stack.port())});
}

std::pair<int, std::string> Run(const std::vector<std::string>& argv) {
  auto p = Process::Spawn({argv, {}, "", false});
  BOOST_REQUIRE_MESSAGE(p.ok(), "start " << argv[0] << ": " << p.status().ToString());
  std::string out;
  while (p->output_open()) {
    pollfd pfd{p->output_fd(), POLLIN, 0};
    ::poll(&pfd, 1, 1000);
    (void)p->ReadAvailable(&out);
  }
  auto st = p->Wait();
  BOOST_REQUIRE(st.ok());
  return {st->exited ? st->exit_code : -1, out};
}

std::string Sql(const Stack& stack, const std::string& sql) {
  auto [code, out] = Run({"mariadb", "--no-defaults", "--socket=" + stack.var_dir() + "/run/mysqld.sock", "-N", "-B",
                          "-e", sql});
  BOOST_REQUIRE_MESSAGE(code == 0, "mariadb -e '" << sql << "' failed: " << out);
  return out;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int PidOf(const Stack& stack, const std::string& comm) {
  for (int pid : ProcessesMentioning(stack.var_dir())) {
    std::string c = ReadFile("/proc/" + std::to_string(pid) + "/comm");
    while (!c.empty() && c.back() == '\n') c.pop_back();
    if (c == comm) return pid;
  }
  return 0;
}

std::vector<int> ProcessesMentioning(const std::string& needle) {
  std::vector<int> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == ::getpid()) continue;
    std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
    if (s.find(needle) == std::string::npos) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string st;
    std::getline(stat, st);
    auto paren = st.rfind(')');
    if (paren != std::string::npos && paren + 2 < st.size() && st[paren + 2] == 'Z') continue;
    out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

Stack::Stack() {
  BOOST_REQUIRE(crypto::Init().ok());
  auto tmp = TempDir::Create("/tmp", "aegir-it-");
  BOOST_REQUIRE_MESSAGE(tmp.ok(), tmp.status().ToString());
  tmp_.emplace(std::move(*tmp));
  // As root the launcher runs the programs as unprivileged users, which must
  // be able to enter the state directory (mkdtemp makes it 0700).
  std::filesystem::permissions(tmp_->path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                 std::filesystem::perms::others_exec);
  var_dir_ = tmp_->path().string() + "/var";
  g_logs_dir = var_dir_ + "/log";
  int port = FreePort();
  port_ = port;
  do {
    https_port_ = FreePort();
  } while (https_port_ == port_);
  url_ = "http://127.0.0.1:" + std::to_string(port);
  admin_password_ = crypto::GeneratePassword(16);
  SpawnOptions opts;
  opts.argv = {std::string(AEGIR_SOURCE_DIR) + "/scripts/launch"};
  opts.env = {{"AEGIR_VAR", var_dir_},
              {"AEGIR_PORT", std::to_string(port)},
              {"AEGIR_HTTPS_PORT", std::to_string(https_port_)},
              {"AEGIR_BUILD_DIR", AEGIR_BINARY_DIR},
              {"AEGIR_ADMIN_PASSWORD", admin_password_}};
  auto p = Process::Spawn(opts);
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  launcher_.emplace(std::move(*p));
  // Bounded wait for readiness: a first run initialises MariaDB.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (output_.find("Aegir is running") == std::string::npos) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "the stack did not start in time; launcher said:\n" << output_);
    ReadOutput(std::chrono::milliseconds(200));
    auto done = launcher_->TryWait();
    BOOST_REQUIRE_MESSAGE(done.ok() && !done->has_value(), "the launcher ended early; it said:\n" << output_);
  }
}

void Stack::ReadOutput(std::chrono::milliseconds wait) {
  if (!launcher_ || !launcher_->output_open()) {
    std::this_thread::sleep_for(wait);
    return;
  }
  pollfd pfd{launcher_->output_fd(), POLLIN, 0};
  ::poll(&pfd, 1, static_cast<int>(wait.count()));
  (void)launcher_->ReadAvailable(&output_);
}

std::vector<int> Stack::Stop() {
  std::vector<int> left;
  if (!launcher_ || launcher_->reaped()) return left;
  ::kill(launcher_->pid(), SIGTERM);
  // Wait for the launcher to become a zombie without reaping it: reaping
  // would kill whatever is left in its process group and hide a leak.
  std::string stat_path = "/proc/" + std::to_string(launcher_->pid()) + "/stat";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    ReadOutput(std::chrono::milliseconds(100));
    std::ifstream stat(stat_path);
    std::string st;
    std::getline(stat, st);
    auto paren = st.rfind(')');
    if (st.empty() || (paren != std::string::npos && paren + 2 < st.size() && st[paren + 2] == 'Z')) break;
  }
  left = ProcessesMentioning(var_dir_);
  (void)launcher_->Terminate(std::chrono::milliseconds(1000));
  ReadOutput(std::chrono::milliseconds(0));
  return left;
}

Stack::~Stack() {
  if (launcher_ && !launcher_->reaped()) Stop();
  // Anything still alive would hold files in the temporary directory.
  for (int pid : ProcessesMentioning(var_dir_)) ::kill(pid, SIGKILL);
}

}  // namespace aegir::testing
