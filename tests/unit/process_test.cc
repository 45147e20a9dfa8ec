// Tests for common/process.h (Process, LineSplitter) and common/temp_dir.h.
#define BOOST_TEST_MODULE process
#include "common/process.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"

namespace aegir {
// Lets Boost.Test print a Code when a comparison fails.
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

using aegir::ExitStatus;
using aegir::LineSplitter;
using aegir::Process;
using aegir::SpawnOptions;
using aegir::TempDir;

namespace {

// Reads all output until EOF (with poll, as the daemons do) and reaps.
std::vector<std::string> ReadAll(Process& p, ExitStatus* status) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (p.output_open() && std::chrono::steady_clock::now() < deadline) {
    struct pollfd pfd = {p.output_fd(), POLLIN, 0};
    poll(&pfd, 1, 1000);
    std::string data;
    auto more = p.ReadAvailable(&data);
    BOOST_REQUIRE(more.ok());
    splitter.Feed(data, &lines);
  }
  if (auto rest = splitter.Finish()) lines.push_back(*rest);
  auto waited = p.Wait();
  BOOST_REQUIRE(waited.ok());
  *status = *waited;
  return lines;
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0; }

}  // namespace

BOOST_AUTO_TEST_CASE(echo_lines_and_exit_code) {
  auto p = Process::Spawn({{"/bin/echo", "hello", "world"}, {}, ""});
  BOOST_REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  ExitStatus status;
  auto lines = ReadAll(*p, &status);
  BOOST_TEST(lines == std::vector<std::string>{"hello world"});
  BOOST_TEST(status.exited);
  BOOST_TEST(status.exit_code == 0);
  BOOST_TEST(status.success());
}

BOOST_AUTO_TEST_CASE(stderr_is_merged_and_exit_code_reported) {
  auto p = Process::Spawn({{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {}, ""});
  BOOST_REQUIRE(p.ok());
  ExitStatus status;
  auto lines = ReadAll(*p, &status);
  BOOST_TEST(lines == (std::vector<std::string>{"out", "err"}));
  BOOST_TEST(status.exited);
  BOOST_TEST(status.exit_code == 3);
  BOOST_TEST(status.ToString() == "exited with code 3");
}

BOOST_AUTO_TEST_CASE(argv_with_spaces_and_quotes_arrives_unmodified) {
  std::vector<std::string> args = {"two words", "it's", "\"double\"", "$HOME", "; rm -rf /",
                                   "`id`",      ""};
  std::vector<std::string> argv = {"/usr/bin/printf", "%s\\n"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Process::Spawn({argv, {}, ""});
  BOOST_REQUIRE(p.ok());
  ExitStatus status;
  auto lines = ReadAll(*p, &status);
  BOOST_TEST(lines == args);
  BOOST_TEST(status.success());
}

BOOST_AUTO_TEST_CASE(environment_additions_and_working_directory) {
  auto dir = TempDir::Create(std::filesystem::temp_directory_path(), "process-test-");
  BOOST_REQUIRE(dir.ok());
  auto p = Process::Spawn({{"/bin/sh", "-c", "echo \"$AEGIR_TEST_VAR\"; pwd; echo \"$PATH\""},
                           {{"AEGIR_TEST_VAR", "a value with spaces"}},
                           dir->path().string()});
  BOOST_REQUIRE(p.ok());
  ExitStatus status;
  auto lines = ReadAll(*p, &status);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[0] == "a value with spaces");
  BOOST_TEST(std::filesystem::equivalent(lines[1], dir->path()));
  BOOST_TEST(lines[2] == std::string(getenv("PATH")));  // the parent's environment is kept
}

BOOST_AUTO_TEST_CASE(other_file_descriptors_are_closed_in_the_child) {
  // An fd open in the parent without close-on-exec must not reach the child.
  int fd = dup(0);
  BOOST_REQUIRE(fd > 2);
  auto p = Process::Spawn({{"/bin/sh", "-c", "ls /proc/self/fd"}, {}, ""});
  close(fd);
  BOOST_REQUIRE(p.ok());
  ExitStatus status;
  auto lines = ReadAll(*p, &status);
  // 0, 1, 2 and the fd ls opens to read the directory; never the parent's.
  for (const auto& l : lines) BOOST_TEST(l != std::to_string(fd));
  BOOST_TEST(lines.size() <= 4u);
}

BOOST_AUTO_TEST_CASE(missing_program_fails_at_spawn) {
  auto p = Process::Spawn({{"/nonexistent/aegir-no-such-program"}, {}, ""});
  BOOST_TEST(!p.ok());
  BOOST_TEST(p.status().code() == aegir::Code::kNotFound);
  BOOST_TEST(p.status().message().find("aegir-no-such-program") != std::string::npos);

  auto q = Process::Spawn({{"aegir-no-such-program-on-path"}, {}, ""});
  BOOST_TEST(!q.ok());
  auto r = Process::Spawn({{"/bin/true"}, {}, "/nonexistent-dir"});
  BOOST_TEST(!r.ok());
  auto s = Process::Spawn({{}, {}, ""});
  BOOST_TEST(!s.ok());
}

BOOST_AUTO_TEST_CASE(terminate_kills_the_whole_group) {
  // The shell starts a grandchild in the same group and prints its pid.
  auto p = Process::Spawn({{"/bin/sh", "-c", "sleep 300 & echo $!; wait"}, {}, ""});
  BOOST_REQUIRE(p.ok());
  struct pollfd pfd = {p->output_fd(), POLLIN, 0};
  BOOST_REQUIRE(poll(&pfd, 1, 5000) == 1);
  std::string data;
  for (int i = 0; i < 50 && data.find('\n') == std::string::npos; ++i) {
    BOOST_REQUIRE(p->ReadAvailable(&data).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_t grandchild = std::stoi(data);
  BOOST_TEST(Alive(grandchild));
  auto tw = p->TryWait();
  BOOST_REQUIRE(tw.ok());
  BOOST_TEST(!tw->has_value());  // still running

  auto status = p->Terminate(std::chrono::milliseconds(2000));
  BOOST_REQUIRE(status.ok());
  BOOST_TEST(!status->exited);
  BOOST_TEST(status->signal == SIGTERM);
  BOOST_TEST(status->ToString() == "killed by signal 15");
  // The grandchild got the signal too (it is reaped by init, so give it a moment).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !Alive(grandchild) ||
           std::ifstream("/proc/" + std::to_string(grandchild) + "/stat").peek() == EOF;
    if (!gone) {
      std::string stat;
      std::getline(std::ifstream("/proc/" + std::to_string(grandchild) + "/stat"), stat);
      gone = stat.find(") Z") != std::string::npos;  // a zombie waiting for init
    }
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(sigkill_after_grace_when_sigterm_is_ignored) {
  auto p = Process::Spawn(
      {{"/bin/sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done"}, {}, ""});
  BOOST_REQUIRE(p.ok());
  struct pollfd pfd = {p->output_fd(), POLLIN, 0};
  BOOST_REQUIRE(poll(&pfd, 1, 5000) == 1);  // the trap is set
  auto start = std::chrono::steady_clock::now();
  auto status = p->Terminate(std::chrono::milliseconds(300));
  BOOST_REQUIRE(status.ok());
  BOOST_TEST(status->signal == SIGKILL);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300)));
}

// A child that writes more than a pipe holds before it exits on SIGTERM
// ends by itself when Terminate reads its output meanwhile (without, it
// would block on the full pipe until the SIGKILL).
BOOST_AUTO_TEST_CASE(terminate_reads_the_output_a_stopping_child_writes) {
  auto p = Process::Spawn(
      {{"/bin/sh", "-c", "trap 'head -c 1000000 /dev/zero; exit 0' TERM; echo ready; while true; do sleep 0.05; done"},
       {},
       ""});
  BOOST_REQUIRE(p.ok());
  struct pollfd pfd = {p->output_fd(), POLLIN, 0};
  BOOST_REQUIRE(poll(&pfd, 1, 5000) == 1);  // the trap is set
  std::string out;
  auto status = p->Terminate(std::chrono::milliseconds(20000), &out);
  BOOST_REQUIRE(status.ok());
  BOOST_TEST(status->success(), status->ToString());
  BOOST_TEST(out.size() >= 1000000u);
}

BOOST_AUTO_TEST_CASE(destructor_kills_and_reaps) {
  pid_t pid;
  {
    auto p = Process::Spawn({{"/bin/sleep", "300"}, {}, ""});
    BOOST_REQUIRE(p.ok());
    pid = p->pid();
    BOOST_TEST(Alive(pid));
  }
  BOOST_TEST(!Alive(pid));  // killed and reaped: not even a zombie
}

BOOST_AUTO_TEST_CASE(move_keeps_one_owner) {
  auto p = Process::Spawn({{"/bin/echo", "x"}, {}, ""});
  BOOST_REQUIRE(p.ok());
  Process a = std::move(p).value();
  Process b = std::move(a);
  BOOST_TEST(a.pid() == -1);
  BOOST_TEST(b.pid() > 0);
  ExitStatus status;
  auto lines = ReadAll(b, &status);
  BOOST_TEST(lines == std::vector<std::string>{"x"});
}

BOOST_AUTO_TEST_CASE(line_splitter) {
  LineSplitter s(8);
  std::vector<std::string> lines;
  s.Feed("ab", &lines);
  BOOST_TEST(lines.empty());
  s.Feed("c\r\nde\n\nf", &lines);
  BOOST_TEST(lines == (std::vector<std::string>{"abc", "de", ""}));
  lines.clear();
  s.Feed("0123456789abcdefXYZ\n", &lines);  // "f" + 19 more bytes, cut at 8
  BOOST_TEST(lines == (std::vector<std::string>{"f0123456", "789abcde", "fXYZ"}));
  lines.clear();
  s.Feed("12345678\n", &lines);  // exactly the maximum: one line, no empty one
  BOOST_TEST(lines == (std::vector<std::string>{"12345678"}));
  s.Feed("tail", &lines);
  auto rest = s.Finish();
  BOOST_REQUIRE(rest.has_value());
  BOOST_TEST(*rest == "tail");
  BOOST_TEST(!s.Finish().has_value());
}

BOOST_AUTO_TEST_CASE(temp_dir_is_private_and_removed) {
  std::filesystem::path path;
  {
    auto dir = TempDir::Create(std::filesystem::temp_directory_path(), "temp-dir-test-");
    BOOST_REQUIRE(dir.ok());
    path = dir->path();
    struct stat st;
    BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);
    std::filesystem::create_directories(path / "a" / "b");
    std::ofstream(path / "a" / "b" / "f") << "x";
  }
  BOOST_TEST(!std::filesystem::exists(path));
  auto bad = TempDir::Create("/nonexistent-parent-dir", "x-");
  BOOST_TEST(!bad.ok());
}
