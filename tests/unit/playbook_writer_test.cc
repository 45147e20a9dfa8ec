// Tests for executors/playbook_writer.h.
#define BOOST_TEST_MODULE playbook_writer
#include "executors/playbook_writer.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/job.h"
#include "common/temp_dir.h"

namespace aegir {
// Lets Boost.Test print a Code when a comparison fails.
inline std::ostream& operator<<(std::ostream& out, Code code) { return out << CodeName(code); }
}  // namespace aegir

using aegir::Job;
using aegir::TempDir;
using aegir::executor::CheckRoles;
using aegir::executor::KnownHostKey;
using aegir::executor::WritePlaybook;
using nlohmann::json;

namespace {

const std::string kToken(64, 'a');
const std::string kHostileTemplate = "{{ lookup('pipe','id') }}";
const std::string kHostileShell = "'; rm -rf /";

Job MakeJob() {
  Job job;
  job.job_id = 42;
  job.operation = "server-verify";
  job.entity = "server:7";
  job.target = {"web1", "localhost", "local"};
  job.roles = {"server_check", "server_dirs"};
  job.vars = {{"aegir_server_name", "web1"},
              {"evil_template", kHostileTemplate},
              {"evil_shell", kHostileShell},
              {"port", 8080},
              {"enabled", true},
              {"aliases", nlohmann::json::array({"a.example.org", kHostileTemplate})}};
  job.feedback_url = "http://127.0.0.1:8080/api/tasks/42";
  job.feedback_token = kToken;
  job.timeout_s = 60;
  return job;
}

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  Fixture() {
    auto d = TempDir::Create(std::filesystem::temp_directory_path(), "playbook-test-");
    BOOST_REQUIRE(d.ok());
    root.emplace(std::move(d).value());
    job_dir = root->path() / "job";
    roles = root->path() / "roles";
    std::filesystem::create_directories(job_dir);
    for (const char* r : {"server_check", "server_dirs"}) {
      std::filesystem::create_directories(roles / r / "tasks");
      std::ofstream(roles / r / "tasks" / "main.yml") << "- ansible.builtin.debug: {msg: hi}\n";
    }
  }
  std::optional<TempDir> root;
  std::filesystem::path job_dir;
  std::filesystem::path roles;
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(writes_the_three_files, Fixture) {
  auto run = WritePlaybook(MakeJob(), job_dir, roles, "/usr/bin/ansible-playbook");
  BOOST_REQUIRE_MESSAGE(run.ok(), run.status().ToString());

  json playbook = json::parse(Slurp(job_dir / "playbook.json"));
  json expected_playbook = json::array({{{"name", "server-verify #42"},
                                         {"hosts", "web1"},
                                         {"gather_facts", false},
                                         {"roles", {"server_check", "server_dirs"}}}});
  BOOST_TEST(playbook == expected_playbook);

  json inventory = json::parse(Slurp(job_dir / "inventory.json"));
  json expected_inventory = {{"all",
                              {{"hosts",
                                {{"web1",
                                  {{"ansible_host", "localhost"},
                                   {"ansible_connection", "local"},
                                   {"ansible_python_interpreter", "/usr/bin/python3"}}}}}}}};
  BOOST_TEST(inventory == expected_inventory);

  json vars = json::parse(Slurp(job_dir / "vars.json"));
  BOOST_TEST(vars["aegir_job_id"] == 42);
  BOOST_TEST(vars["aegir_feedback_url"]["__ansible_unsafe"] ==
             "http://127.0.0.1:8080/api/tasks/42");
  BOOST_TEST(vars["aegir_server_name"]["__ansible_unsafe"] == "web1");
  BOOST_TEST(vars["port"] == 8080);
  BOOST_TEST(vars["enabled"] == true);
  BOOST_TEST(!vars.contains("feedback_token"));
  BOOST_TEST(vars.size() == 8u);
}

BOOST_FIXTURE_TEST_CASE(hostile_values_are_stored_verbatim_as_unsafe_strings, Fixture) {
  auto run = WritePlaybook(MakeJob(), job_dir, roles, "ansible-playbook");
  BOOST_REQUIRE(run.ok());
  json vars = json::parse(Slurp(job_dir / "vars.json"));
  BOOST_TEST(vars["evil_template"].is_object());
  BOOST_TEST(vars["evil_template"]["__ansible_unsafe"].is_string());
  BOOST_TEST(vars["evil_template"]["__ansible_unsafe"] == kHostileTemplate);
  BOOST_TEST(vars["evil_shell"]["__ansible_unsafe"] == kHostileShell);
  // Every item of a list is wrapped too.
  BOOST_TEST(vars["aliases"] == json::array({{{"__ansible_unsafe", "a.example.org"}},
                                             {{"__ansible_unsafe", kHostileTemplate}}}));
}

BOOST_FIXTURE_TEST_CASE(files_are_mode_0600_and_never_hold_the_token, Fixture) {
  auto run = WritePlaybook(MakeJob(), job_dir, roles, "ansible-playbook");
  BOOST_REQUIRE(run.ok());
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(job_dir)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    struct stat st;
    BOOST_REQUIRE(stat(entry.path().c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u, entry.path());
    BOOST_TEST(Slurp(entry.path()).find(kToken) == std::string::npos, entry.path());
  }
  BOOST_TEST(files == 3);
  for (const char* d : {"tmp", "home"}) {
    struct stat st;
    BOOST_REQUIRE(stat((job_dir / d).c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);
  }
  for (const auto& a : run->argv) BOOST_TEST(a.find(kToken) == std::string::npos);
  for (const auto& [k, v] : run->env) BOOST_TEST(v.find(kToken) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(argv_and_environment_exact, Fixture) {
  auto run = WritePlaybook(MakeJob(), job_dir, roles, "/opt/ansible/bin/ansible-playbook");
  BOOST_REQUIRE(run.ok());
  std::string dir = std::filesystem::absolute(job_dir).string();
  std::vector<std::string> expected = {"/opt/ansible/bin/ansible-playbook",
                                       "-i",
                                       dir + "/inventory.json",
                                       "-e",
                                       "@" + dir + "/vars.json",
                                       dir + "/playbook.json"};
  BOOST_TEST(run->argv == expected, boost::test_tools::per_element());
  std::vector<std::pair<std::string, std::string>> expected_env = {
      {"ANSIBLE_ROLES_PATH", std::filesystem::absolute(roles).string()},
      {"ANSIBLE_NOCOLOR", "1"},
      {"ANSIBLE_FORCE_COLOR", "0"},
      {"PYTHONUNBUFFERED", "1"},
      {"ANSIBLE_RETRY_FILES_ENABLED", "0"},
      {"ANSIBLE_LOCAL_TEMP", dir + "/tmp"},
      {"ANSIBLE_HOME", dir + "/home"},
      {"ANSIBLE_SSH_ARGS", "-o ControlMaster=no"},
      {"ANSIBLE_PIPELINING", "True"},
      {"TMPDIR", dir + "/tmp"},
      // A job on this host: Ansible's "remote" temporary files go with the job's.
      {"ANSIBLE_REMOTE_TEMP", dir + "/tmp"},
  };
  BOOST_TEST((run->env == expected_env));
  for (const auto& [k, v] : run->env) BOOST_TEST(k != "ANSIBLE_HOST_KEY_CHECKING");
}

BOOST_FIXTURE_TEST_CASE(refuses_to_overwrite, Fixture) {
  BOOST_REQUIRE(WritePlaybook(MakeJob(), job_dir, roles, "ansible-playbook").ok());
  auto again = WritePlaybook(MakeJob(), job_dir, roles, "ansible-playbook");
  BOOST_TEST(!again.ok());
}

BOOST_FIXTURE_TEST_CASE(roles_are_the_whitelist, Fixture) {
  Job job = MakeJob();
  BOOST_TEST(CheckRoles(job, roles).ok());
  job.roles.push_back("not_installed");
  auto s = CheckRoles(job, roles);
  BOOST_TEST(!s.ok());
  BOOST_TEST(s.code() == aegir::Code::kNotFound);
  BOOST_TEST(s.message().find("unknown role 'not_installed'") != std::string::npos);

  // A directory without tasks/main.yml is not a role.
  std::filesystem::create_directories(roles / "half_role" / "tasks");
  job.roles = {"half_role"};
  BOOST_TEST(!CheckRoles(job, roles).ok());
  // Names that would leave the roles directory are refused.
  job.roles = {"../server_check"};
  BOOST_TEST(!CheckRoles(job, roles).ok());
}

namespace {
const std::string kKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
}  // namespace

BOOST_FIXTURE_TEST_CASE(ssh_targets_trust_only_the_recorded_host_key, Fixture) {
  Job job = MakeJob();
  job.target = {"web2", "10.0.0.2", "ssh", "aegir", 2222, kKey};
  auto run = WritePlaybook(job, job_dir, roles, "ansible-playbook", "/var/aegir/ssh/id_ed25519");
  BOOST_REQUIRE_MESSAGE(run.ok(), run.status().ToString());
  json host = json::parse(Slurp(job_dir / "inventory.json"))["all"]["hosts"]["web2"];
  BOOST_TEST(host["ansible_connection"] == "ssh");
  BOOST_TEST(host["ansible_port"] == 2222);
  BOOST_TEST(host["ansible_user"] == "aegir");
  BOOST_TEST(host["ansible_ssh_private_key_file"] == "/var/aegir/ssh/id_ed25519");
  std::string args = host["ansible_ssh_common_args"];
  BOOST_TEST(args.find("-o StrictHostKeyChecking=yes") != std::string::npos, args);
  BOOST_TEST(args.find("-o UserKnownHostsFile=" + std::filesystem::absolute(job_dir).string() + "/known_hosts") !=
                 std::string::npos, args);
  BOOST_TEST(args.find("-o GlobalKnownHostsFile=/dev/null") != std::string::npos, args);
  BOOST_TEST(Slurp(job_dir / "known_hosts") == "[10.0.0.2]:2222 " + kKey + "\n");
  struct stat st;
  BOOST_REQUIRE(stat((job_dir / "known_hosts").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  // The master connection must not outlive the job.
  bool no_master = false;
  for (const auto& [k, v] : run->env) no_master |= k == "ANSIBLE_SSH_ARGS" && v == "-o ControlMaster=no";
  BOOST_TEST(no_master);
  // Ansible's temporary files on the remote host stay where it puts them there.
  for (const auto& [k, v] : run->env) BOOST_TEST(k != "ANSIBLE_REMOTE_TEMP");
  // What ssh would have written reads back as the recorded key.
  BOOST_TEST(KnownHostKey(job_dir) == kKey);
}

BOOST_FIXTURE_TEST_CASE(an_unrecorded_host_key_is_accepted_once_and_read_back, Fixture) {
  Job job = MakeJob();
  job.target = {"web2", "10.0.0.2", "ssh", "", 22, ""};
  auto run = WritePlaybook(job, job_dir, roles, "ansible-playbook");
  BOOST_REQUIRE(run.ok());
  json host = json::parse(Slurp(job_dir / "inventory.json"))["all"]["hosts"]["web2"];
  BOOST_TEST(!host.contains("ansible_user"));
  BOOST_TEST(!host.contains("ansible_ssh_private_key_file"));
  std::string args = host["ansible_ssh_common_args"];
  BOOST_TEST(args.find("StrictHostKeyChecking=accept-new") != std::string::npos, args);
  BOOST_TEST(Slurp(job_dir / "known_hosts").empty());
  BOOST_TEST(KnownHostKey(job_dir).empty());
  // ssh appends "<host> <type> <key>"; comments and markers are skipped,
  // and a key met twice is reported once.
  std::ofstream(job_dir / "known_hosts", std::ios::app) << "# a comment\n"
                                                          << "10.0.0.2 " << kKey << "\n"
                                                          << "@revoked * ssh-rsa AAAAB3\n"
                                                          << "|1|hashed= " << kKey << "\n"
                                                          << "10.0.0.2 ecdsa-sha2-nistp256 AAAAE2VjZHNh\n";
  BOOST_TEST(KnownHostKey(job_dir) == kKey + "\necdsa-sha2-nistp256 AAAAE2VjZHNh");
}
