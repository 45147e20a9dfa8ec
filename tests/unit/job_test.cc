// Tests for common/job.h: the wire form round-trips and every validation rule
// refuses bad input.
#define BOOST_TEST_MODULE job
#include "common/job.h"

#include <boost/test/unit_test.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace aegir {
// Lets Boost.Test print a Code when a comparison fails.
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

using aegir::Job;
using nlohmann::json;

namespace {

json GoodJson() {
  return json::parse(R"({
    "version": 1, "job_id": 42, "operation": "server-verify", "entity": "server:7",
    "target": {"name": "web1", "host": "localhost", "connection": "local", "user": "aegir", "port": 22,
               "host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"},
    "roles": ["server_check_connection", "server_config_dirs"],
    "vars": {"aegir_server_name": "web1", "port": 8080, "enabled": true, "aliases": ["a.example.org", "b.example.org"]},
    "feedback_url": "http://127.0.0.1:8080/api/tasks/42",
    "feedback_token": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "timeout_s": 3600})");
}

// Decoding j after applying change must fail, with `expect` in the message.
void ExpectRefused(const std::function<void(json&)>& change, const std::string& expect) {
  json j = GoodJson();
  change(j);
  auto r = Job::FromJson(j.dump());
  BOOST_TEST(!r.ok(), "accepted: " << j.dump());
  if (!r.ok()) {
    BOOST_TEST(r.status().code() == aegir::Code::kInvalidArgument);
    BOOST_TEST(r.status().message().find(expect) != std::string::npos,
               "'" << r.status().message() << "' lacks '" << expect << "'");
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip) {
  auto job = Job::FromJson(GoodJson().dump());
  BOOST_REQUIRE_MESSAGE(job.ok(), job.status().ToString());
  BOOST_TEST(job->job_id == 42);
  BOOST_TEST(job->operation == "server-verify");
  BOOST_TEST(job->entity == "server:7");
  BOOST_TEST(job->target.name == "web1");
  BOOST_TEST(job->target.host == "localhost");
  BOOST_TEST(job->target.connection == "local");
  BOOST_TEST(job->roles.size() == 2u);
  BOOST_TEST(job->vars.at("port") == 8080);
  BOOST_TEST(job->vars.at("aliases") == json::array({"a.example.org", "b.example.org"}));
  BOOST_TEST(job->timeout_s == 3600);

  auto again = Job::FromJson(job->ToJson());
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(json::parse(again->ToJson()) == json::parse(job->ToJson()));
  BOOST_TEST(json::parse(job->ToJson()) == GoodJson());
}

BOOST_AUTO_TEST_CASE(hostile_strings_survive_as_data) {
  json j = GoodJson();
  j["vars"]["evil"] = "{{ lookup('pipe','id') }}";
  j["vars"]["shell"] = "'; rm -rf /";
  auto job = Job::FromJson(j.dump());
  BOOST_REQUIRE(job.ok());
  BOOST_TEST(job->vars.at("evil") == "{{ lookup('pipe','id') }}");
  BOOST_TEST(job->vars.at("shell") == "'; rm -rf /");
}

BOOST_AUTO_TEST_CASE(not_json) {
  for (const char* text : {"", "not json", "{", "[1,2]", "42", "\"job\"", "null"}) {
    auto r = Job::FromJson(text);
    BOOST_TEST(!r.ok(), text);
    BOOST_TEST(r.status().message().find("not a JSON object") != std::string::npos, text);
  }
}

BOOST_AUTO_TEST_CASE(missing_fields) {
  for (const char* field : {"version", "job_id", "operation", "entity", "target", "roles", "vars",
                            "feedback_url", "timeout_s"}) {
    BOOST_TEST_CONTEXT("field " << field) {
      ExpectRefused([field](json& j) { j.erase(field); }, "");
    }
  }
  for (const char* field : {"name", "host", "connection"}) {
    BOOST_TEST_CONTEXT("target." << field) {
      ExpectRefused([field](json& j) { j["target"].erase(field); }, "missing or of the wrong type");
    }
  }
}

// A stored or submitted job has no token (the scheduler mints one per run);
// one without is read as such, and written without one.
BOOST_AUTO_TEST_CASE(a_job_without_a_token_and_with_locks) {
  json j = GoodJson();
  j.erase("feedback_token");
  j["locks"] = {"site:9", "platform:2"};
  auto r = Job::FromJson(j.dump());
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->feedback_token.empty());
  BOOST_TEST((r->LockKeys() == std::vector<std::string>{"server:7", "site:9", "platform:2"}));
  auto again = Job::FromJson(r->ToJson());
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->locks == r->locks);
  ExpectRefused([](json& j) { j["locks"] = {"site 9"}; }, "bad lock");
  ExpectRefused([](json& j) { j["locks"] = json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i"}); }, "at most 8");
  ExpectRefused([](json& j) { j["entity"] = "site:1;drop"; }, "bad entity");
  ExpectRefused([](json& j) { j["target"]["label"] = "Has Space"; }, "bad target label");
  json labelled = GoodJson();
  labelled["target"]["label"] = "dmz-1";
  auto l = Job::FromJson(labelled.dump());
  BOOST_REQUIRE(l.ok());
  BOOST_TEST(l->target.label == "dmz-1");
  BOOST_TEST(Job::FromJson(l->ToJson())->target.label == "dmz-1");
}

// A task row keeps its job without the id (written with the row, before the
// id is known): read back as the job of that row, also when stored whole by
// an earlier version, but never as another task's.
BOOST_AUTO_TEST_CASE(stored_form_takes_the_row_id) {
  auto job = Job::FromJson(GoodJson().dump());
  BOOST_REQUIRE(job.ok());
  job->feedback_token.clear();
  job->job_id = 0;
  job->feedback_url = "http://127.0.0.1:8080/api/tasks/";
  BOOST_REQUIRE(job->ValidateStored().ok());
  BOOST_TEST(!job->Validate().ok());  // no id yet
  std::string stored = job->ToStoredJson();
  BOOST_TEST(!json::parse(stored).contains("job_id"));
  BOOST_TEST(!json::parse(stored).contains("feedback_token"));
  auto back = Job::FromStoredJson(stored, 42);
  BOOST_REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  BOOST_TEST(back->job_id == 42);
  BOOST_TEST(back->feedback_url == "http://127.0.0.1:8080/api/tasks/42");
  BOOST_TEST(back->vars == job->vars);
  BOOST_TEST(back->target.host_key == job->target.host_key);
  // Stored whole (with its id): only as that task's.
  json whole = GoodJson();
  whole.erase("feedback_token");
  auto old = Job::FromStoredJson(whole.dump(), 42);
  BOOST_REQUIRE_MESSAGE(old.ok(), old.status().ToString());
  BOOST_TEST(old->feedback_url == "http://127.0.0.1:8080/api/tasks/42");
  auto other = Job::FromStoredJson(whole.dump(), 43);
  BOOST_REQUIRE(!other.ok());
  BOOST_TEST(other.status().message().find("another task") != std::string::npos);
  // A stored job never carries a token; its address ends where the id goes.
  json with_token = json::parse(stored);
  with_token["feedback_token"] = GoodJson()["feedback_token"];
  BOOST_TEST(!Job::FromStoredJson(with_token.dump(), 42).ok());
  json bad_url = json::parse(stored);
  bad_url["feedback_url"] = "http://127.0.0.1:8080/api/tasks/7";
  BOOST_TEST(!Job::FromStoredJson(bad_url.dump(), 42).ok());
  BOOST_TEST(!Job::FromStoredJson("[]", 42).ok());
  BOOST_TEST(!Job::FromStoredJson(stored, 0).ok());  // not a task's id
}

BOOST_AUTO_TEST_CASE(wrong_types_and_version) {
  ExpectRefused([](json& j) { j["version"] = 2; }, "unsupported job version");
  ExpectRefused([](json& j) { j["job_id"] = "42"; }, "wrong type");
  ExpectRefused([](json& j) { j["roles"] = "server_check"; }, "wrong type");
  ExpectRefused([](json& j) { j["vars"] = json::array(); }, "vars must be an object");
  ExpectRefused([](json& j) { j["target"]["user"] = "root; id"; }, "bad target user");
  ExpectRefused([](json& j) { j["target"]["user"] = "-oProxyCommand=x"; }, "bad target user");
  ExpectRefused([](json& j) { j["target"]["port"] = 0; }, "target port out of range");
  ExpectRefused([](json& j) { j["target"]["port"] = 70000; }, "target port out of range");
  ExpectRefused([](json& j) { j["target"]["host_key"] = "ssh-ed25519"; }, "bad target host key");
  ExpectRefused([](json& j) { j["target"]["host_key"] = "ssh-ed25519 AAAA\n@cert-authority * ssh-rsa AAAA"; },
                "bad target host key");
  ExpectRefused([](json& j) { j["target"]["host_key"] = "ssh-ed25519 AAAA command=\"x\""; }, "bad target host key");
  ExpectRefused([](json& j) { j["timeout_s"] = "soon"; }, "wrong type");
}

BOOST_AUTO_TEST_CASE(bad_ids_operation_entity) {
  ExpectRefused([](json& j) { j["job_id"] = 0; }, "job_id");
  ExpectRefused([](json& j) { j["job_id"] = -5; }, "job_id");
  ExpectRefused([](json& j) { j["operation"] = "Server-Verify"; }, "operation");
  ExpectRefused([](json& j) { j["operation"] = "verify; rm"; }, "operation");
  ExpectRefused([](json& j) { j["entity"] = ""; }, "entity");
  ExpectRefused([](json& j) { j["entity"] = std::string(129, 'x'); }, "entity");
}

BOOST_AUTO_TEST_CASE(bad_target) {
  ExpectRefused([](json& j) { j["target"]["name"] = "web 1"; }, "target name");
  ExpectRefused([](json& j) { j["target"]["host"] = "-bad-.example"; }, "target host");
  ExpectRefused([](json& j) { j["target"]["host"] = "host;id"; }, "target host");
  ExpectRefused([](json& j) { j["target"]["connection"] = "docker"; }, "connection");
}

BOOST_AUTO_TEST_CASE(bad_role_names) {
  for (const char* role :
       {"", "Server", "1role", "../etc", "a/b", "role-name", "role name", "rôle"}) {
    BOOST_TEST_CONTEXT("role '" << role << "'") {
      ExpectRefused([role](json& j) { j["roles"] = {role}; }, "role");
    }
  }
  ExpectRefused([](json& j) { j["roles"] = {std::string(65, 'a')}; }, "bad role name");
  ExpectRefused([](json& j) { j["roles"] = json::array(); }, "1 to 50 roles");
  ExpectRefused([](json& j) { j["roles"] = std::vector<std::string>(51, "r"); }, "1 to 50 roles");
  ExpectRefused([](json& j) { j["roles"] = {1, 2}; }, "wrong type");
}

BOOST_AUTO_TEST_CASE(bad_var_names_and_values) {
  for (const char* name : {"", "Name", "9lives", "a-b", "a b", "a.b", "$x"}) {
    BOOST_TEST_CONTEXT("var '" << name << "'") {
      ExpectRefused([name](json& j) { j["vars"][name] = "x"; }, "variable name");
    }
  }
  ExpectRefused(
      [](json& j) {
        j["vars"]["nested"] = {{"a", 1}};
      },
      "string, an integer, a boolean");
  ExpectRefused([](json& j) { j["vars"]["list"] = {1, 2}; }, "must be a list of strings");
  ExpectRefused([](json& j) { j["vars"]["list"] = std::vector<std::string>(101, "a"); }, "too many items");
  ExpectRefused([](json& j) { j["vars"]["list"] = {std::string(4097, 'x')}; }, "too long");
  ExpectRefused([](json& j) { j["vars"]["nothing"] = nullptr; }, "string, an integer, a boolean");
  ExpectRefused([](json& j) { j["vars"]["real"] = 1.5; }, "string, an integer, a boolean");
  ExpectRefused([](json& j) { j["vars"]["long"] = std::string(4097, 'x'); }, "too long");
  ExpectRefused(
      [](json& j) {
        for (int i = 0; i < 201; ++i) j["vars"]["v" + std::to_string(i)] = i;
      },
      "too many variables");
}

BOOST_AUTO_TEST_CASE(bad_feedback) {
  ExpectRefused([](json& j) { j["feedback_url"] = "ftp://x/y"; }, "feedback_url");
  ExpectRefused([](json& j) { j["feedback_url"] = "file:///etc/passwd"; }, "feedback_url");
  ExpectRefused([](json& j) { j["feedback_token"] = "short"; }, "feedback_token");
  ExpectRefused([](json& j) { j["feedback_token"] = std::string(64, 'A'); }, "feedback_token");
  ExpectRefused([](json& j) { j["feedback_token"] = std::string(64, 'g'); }, "feedback_token");
  ExpectRefused([](json& j) { j["feedback_token"] = std::string(65, 'a'); }, "feedback_token");
}

BOOST_AUTO_TEST_CASE(bad_timeout) {
  ExpectRefused([](json& j) { j["timeout_s"] = 0; }, "timeout_s");
  ExpectRefused([](json& j) { j["timeout_s"] = 7 * 24 * 3600 + 1; }, "timeout_s");
}
