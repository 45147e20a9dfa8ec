// What the scheduler accepts from submitters and executors (common/messages.h)
// and the integer reading every JSON number from outside goes through
// (JsonInteger): the valid forms, and each refusal with its message.
#define BOOST_TEST_MODULE messages
#include <boost/test/unit_test.hpp>

#include "common/job.h"
#include "common/messages.h"
#include "common/protocol.h"

using namespace aegir;
using nlohmann::json;

BOOST_AUTO_TEST_CASE(json_integers_are_whole_numbers_that_fit) {
  BOOST_TEST(JsonInteger(json(42)).value() == 42);
  BOOST_TEST(JsonInteger(json(-7)).value() == -7);
  BOOST_TEST(JsonInteger(json::parse("9223372036854775807")).value() == INT64_MAX);
  BOOST_TEST(!JsonInteger(json::parse("18446744073709551615")));  // unsigned, above int64
  BOOST_TEST(!JsonInteger(json::parse("1e300")));
  BOOST_TEST(!JsonInteger(json::parse("1.5")));
  BOOST_TEST(!JsonInteger(json::parse("99999999999999999999999")));  // a float after parsing
  BOOST_TEST(!JsonInteger(json("12")));
  BOOST_TEST(!JsonInteger(json(true)));
  BOOST_TEST(!JsonInteger(json()));
}

BOOST_AUTO_TEST_CASE(envelopes) {
  BOOST_TEST(!protocol::SplitEnvelope({"id", "AEGIR1"}));
  auto e = protocol::SplitEnvelope({"id", std::string(protocol::kVersion), "CANCEL", "7"});
  BOOST_REQUIRE(e);
  BOOST_TEST(e->identity == "id");
  BOOST_TEST(e->command == "CANCEL");
  BOOST_TEST(protocol::CheckSubmitterEnvelope(*e).ok());
  auto old = protocol::SplitEnvelope({"id", "AEGIR0", "STATUS"});
  BOOST_REQUIRE(old);
  BOOST_TEST(!protocol::CheckSubmitterEnvelope(*old).ok());
  BOOST_TEST(!protocol::CheckExecutorEnvelope(*old).ok());
  // A command that takes a body needs exactly one.
  auto bare = protocol::SplitEnvelope({"id", std::string(protocol::kVersion), "RUN"});
  BOOST_REQUIRE(bare);
  BOOST_TEST(!protocol::CheckSubmitterEnvelope(*bare).ok());
}

BOOST_AUTO_TEST_CASE(job_ids) {
  BOOST_TEST(protocol::ParseJobId("12") == 12);
  for (const char* bad : {"", "0", "-1", "1.0", "12a", " 12", "1234567890123456789"}) {
    BOOST_TEST(protocol::ParseJobId(bad) == 0, bad);
  }
}

BOOST_AUTO_TEST_CASE(ready) {
  auto r = protocol::ParseReady(R"({"capacity": 4, "labels": ["dmz"], "running": [3, 9]})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->capacity == 4);
  BOOST_TEST(r->labels == std::vector<std::string>{"dmz"});
  BOOST_TEST((r->running == std::vector<int64_t>{3, 9}));
  for (const char* bad : {R"({"capacity": 4294967297})", R"({"capacity": 1.5})", R"({"capacity": -1})",
                          R"({"capacity": 2, "labels": ["Bad Label"]})", R"({"capacity": 2, "running": ["x"]})",
                          "[]", "not json"}) {
    BOOST_TEST(!protocol::ParseReady(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(done) {
  auto d = protocol::ParseDone(R"({"job_id": 5, "state": "failed", "exit_code": 2, "reason": "boom"})");
  BOOST_REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  BOOST_TEST(d->job_id == 5);
  BOOST_TEST(d->state == "failed");
  BOOST_TEST(d->exit_code.value() == 2);
  BOOST_TEST(d->reason == "boom");
  for (const char* bad : {R"({"job_id": "5", "state": "failed"})", R"({"job_id": 5, "state": "exploded"})",
                          R"({"job_id": 1e300, "state": "failed"})", R"({"state": "failed"})"}) {
    BOOST_TEST(!protocol::ParseDone(bad).ok(), bad);
  }
}

BOOST_AUTO_TEST_CASE(run_and_log_requests) {
  auto r = protocol::ParseRun(R"({"operation": "site-backup", "target": "site:blog.example.org", "vars": {"a": 1}})");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->type == "site");
  BOOST_TEST(r->ref == "blog.example.org");
  BOOST_TEST(r->vars["a"] == 1);
  BOOST_TEST(!protocol::ParseRun(R"({"operation": 3, "target": "site:1"})").ok());
  BOOST_TEST(!protocol::ParseRun(R"({"operation": "x", "target": "site:1", "vars": []})").ok());
  auto l = protocol::ParseLogRequest(R"({"job_id": 4, "after": -3})");
  BOOST_REQUIRE(l.ok());
  BOOST_TEST(l->job_id == 4);
  BOOST_TEST(l->after == 0);
  BOOST_TEST(!protocol::ParseLogRequest(R"({"job_id": 4, "after": 18446744073709551615})").ok());
  BOOST_TEST(!protocol::ParseLogRequest(R"({"after": 1})").ok());
}
