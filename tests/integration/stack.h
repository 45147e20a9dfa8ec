// The real stack for integration tests: scripts/launch started with a
// temporary AEGIR_VAR and a free port, so MariaDB, nginx, aegir-web,
// aegir-scheduler and aegir-executor all run for real on loopback; and a
// small cookie-keeping HTTP client that talks to it through nginx as a
// browser would.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/process.h"
#include "common/temp_dir.h"

namespace aegir::testing {

struct HttpResult {
  long status = 0;
  std::string body;
  std::string location;  // the Location header of a redirect
  std::map<std::string, std::string> headers;  // lower-case names
};

// A browser stand-in: keeps cookies, never follows redirects by itself.
class Browser {
 public:
  explicit Browser(std::string base_url);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  HttpResult Get(const std::string& path);
  // Accepts any TLS certificate (for the self-signed ones of managed sites).
  void AcceptAnyCertificate();
  // A GET with extra headers ("Host: blog.localhost").
  HttpResult GetWith(const std::string& path, const std::vector<std::string>& headers);
  // Posts an urlencoded form.
  HttpResult Post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields);
  // Posts raw bytes with extra headers ("Name: value").
  HttpResult PostRaw(const std::string& path, const std::string& body, const std::vector<std::string>& headers);
  // The value of the first hidden csrf field in html, or "".
  static std::string CsrfToken(const std::string& html);

 private:
  HttpResult Perform(const std::string& path, const std::string* body, const std::vector<std::string>& headers);
  std::string base_;
  void* curl_;  // CURL*, kept across requests for its cookie engine
};

class Stack {
 public:
  // Starts scripts/launch and waits until it prints that Aegir is running.
  // Fails the calling test with the launcher's output when it does not.
  Stack();
  ~Stack();

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  int https_port() const { return https_port_; }
  const std::string& var_dir() const { return var_dir_; }
  const std::string& admin_password() const { return admin_password_; }
  // Everything the launcher printed so far.
  const std::string& output() const { return output_; }

  // SIGTERM to the launcher and wait for it to exit. Returns the pids of the
  // processes whose command line names var_dir and that were still alive at
  // the moment the launcher exited (the test expects none).
  std::vector<int> Stop();

 private:
  void ReadOutput(std::chrono::milliseconds wait);
  std::optional<TempDir> tmp_;
  std::optional<Process> launcher_;
  std::string var_dir_;
  std::string url_;
  int port_ = 0;
  int https_port_ = 0;
  std::string admin_password_;
  std::string output_;
};

// One stack for a whole test module (starting MariaDB is the slow part):
//   BOOST_TEST_GLOBAL_FIXTURE(StackSuite);  ...  StackSuite::Get().url()
struct StackSuite {
  StackSuite();
  ~StackSuite();
  static Stack& Get();
};

bool Contains(const std::string& haystack, const std::string& needle);

// The user the stack's executor (and so Ansible) runs as: "aegir" when the
// tests run as root (scripts/launch then runs each program as its own user),
// else the current user.
std::string ExecutorUser();

// A sudoers rule (/etc/sudoers.d/<name>, checked with visudo) for the
// object's lifetime: what a test's own web server needs so that the
// executor's user may reload it, as an administrator would set it up.
class SudoersRule {
 public:
  SudoersRule(const std::string& name, const std::string& rule);
  ~SudoersRule();
  SudoersRule(const SudoersRule&) = delete;
  SudoersRule& operator=(const SudoersRule&) = delete;

 private:
  std::string path_;
};
// Logs in as admin through the login form; returns the dashboard's HTML.
std::string LogIn(Browser& b, const Stack& stack);
// The first capture group of pattern's first match in html, or "".
std::string First(const std::string& html, const std::string& pattern);
// Posts an operation's form on an entity page ("/sites/7"), with the page's
// CSRF token and the given fields; returns the answer.
HttpResult RunOperation(Browser& b, const std::string& entity, const std::string& op,
                        std::vector<std::pair<std::string, std::string>> fields = {});
// Runs an operation that must succeed (fails the test otherwise); returns the
// ended task's page.
std::string RunToSuccess(Browser& b, const std::string& entity, const std::string& op,
                         std::vector<std::pair<std::string, std::string>> fields = {});
// The newest task in an entity page's task table ("/tasks/N"); fails the test without one.
std::string NewestTask(Browser& b, const std::string& entity);
// The state a task page shows ("queued", "running", "succeeded", ...).
std::string TaskState(const std::string& task_html);
// Reloads the task page until the task has ended (bounded); returns the page.
std::string WaitForTask(Browser& b, const std::string& task_path);
// A page of a site the stack's nginx serves, fetched by host name as a
// visitor would: no cookies of the control panel, the port in Host (as
// browsers send it; WordPress redirects to its canonical address otherwise).
HttpResult Visit(const Stack& stack, const std::string& domain, const std::string& path = "/");
// Runs SQL with the mariadb client over the stack's socket as the unix user;
// returns its output (tab-separated, no column names). Fails the test when
// the client fails.
std::string Sql(const Stack& stack, const std::string& sql);
// Runs a program (argv, no shell) to its end; returns its exit code and output.
std::pair<int, std::string> Run(const std::vector<std::string>& argv);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// Pids (other than self) whose /proc cmdline contains needle and that are not zombies.
std::vector<int> ProcessesMentioning(const std::string& needle);
// The pid of the stack's program whose command name is `comm` (as
// /proc/<pid>/comm shows it) and whose command line names the stack's
// directory; 0 when there is none.
int PidOf(const Stack& stack, const std::string& comm);
// A file's bytes; "" when it cannot be read (a /proc entry of a process
// that has just ended, a log not written yet).
std::string ReadFile(const std::string& path);

}  // namespace aegir::testing
