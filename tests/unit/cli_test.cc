// Tests for cli/client.h: STATUS and ping against a real Scheduler, the
// timeout when nothing answers, and the human-readable report.
#define BOOST_TEST_MODULE cli
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "cli/client.h"
#include "common/temp_dir.h"
#include "scheduler/scheduler.h"

namespace aegir {
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

using nlohmann::json;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_CASE(status_and_ping_against_a_scheduler) {
  auto dir = aegir::TempDir::Create(std::filesystem::temp_directory_path(), "cli-test-");
  BOOST_REQUIRE(dir.ok());
  std::string submit = "ipc://" + (dir->path() / "submit.ipc").string();
  std::string executor = "ipc://" + (dir->path() / "executor.ipc").string();
  zmq::context_t context;
  // No database here: STATUS and HEARTBEAT are answered without one.
  aegir::scheduler::SchedulerOptions options;
  options.submit_endpoint = submit;
  options.executor_endpoint = executor;
  auto scheduler = aegir::scheduler::Scheduler::Create(context, options);
  BOOST_REQUIRE(scheduler.ok());
  std::atomic<bool> stop{false};
  std::thread t([&] { (void)(*scheduler)->Run(stop); });

  BOOST_TEST(aegir::cli::Ping(context, submit).ok());
  auto status = aegir::cli::QueryStatus(context, submit);
  BOOST_REQUIRE_MESSAGE(status.ok(), status.status().ToString());
  BOOST_TEST((*status)["queued"] == 0);
  BOOST_TEST((*status)["executors"].empty());
  BOOST_TEST(aegir::cli::FormatStatus(*status) ==
             "queued: 0  running: 0\nno executors connected\n");
  // Without a catalogue (and a database) the scheduler refuses RUN, and says why.
  auto run = aegir::cli::RunOperation(context, submit, "server-verify", "server:1", json::object());
  BOOST_TEST(!run.ok());
  BOOST_TEST(run.status().code() == aegir::Code::kInvalidArgument);
  BOOST_TEST(run.status().message().find("without the operation catalogue") != std::string::npos,
             run.status().message());
  auto log = aegir::cli::LogAfter(context, submit, 1, 0);
  BOOST_TEST(!log.ok());
  BOOST_TEST(log.status().message().find("database is unavailable") != std::string::npos, log.status().message());

  stop = true;
  t.join();
}

BOOST_AUTO_TEST_CASE(no_scheduler_is_unavailable_after_the_timeout) {
  auto dir = aegir::TempDir::Create(std::filesystem::temp_directory_path(), "cli-test-");
  BOOST_REQUIRE(dir.ok());
  zmq::context_t context;
  auto status = aegir::cli::QueryStatus(context, "ipc://" + (dir->path() / "none.ipc").string(),
                                        milliseconds(300));
  BOOST_TEST(!status.ok());
  BOOST_TEST(status.status().code() == aegir::Code::kUnavailable);
  BOOST_TEST(status.status().message().find("did not answer within 300 ms") != std::string::npos);
  BOOST_TEST(aegir::cli::Ping(context, "not-an-endpoint").code() == aegir::Code::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(format_status_table) {
  json st = {{"queued", 3},
             {"running", 2},
             {"orphaned", 1},
             {"executors",
              {{{"id", "web1-77-ab12"},
                {"capacity", 2},
                {"running", 1},
                {"last_heartbeat_ms_ago", 1500}}}}};
  std::string out = aegir::cli::FormatStatus(st);
  BOOST_TEST(out.find("queued: 3  running: 2  orphaned: 1\n") == 0u, out);
  BOOST_TEST(out.find("EXECUTOR") != std::string::npos, out);
  BOOST_TEST(out.find("web1-77-ab12") != std::string::npos, out);
  BOOST_TEST(out.find("1.5 s ago") != std::string::npos, out);
}
