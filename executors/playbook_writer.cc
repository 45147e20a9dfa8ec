#include "executors/playbook_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/fd.h"

namespace aegir::executor {
namespace {

using nlohmann::json;

// Creates path exclusively (never through a symbolic link) with mode 0600.
Status WriteFile0600(const std::filesystem::path& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + path.string(), errno);
  Status status;
  if (fchmod(fd, 0600) != 0) status = Status::FromErrno("chmod " + path.string(), errno);
  if (status.ok()) status = WriteAll(fd, content, "write " + path.string());
  if (close(fd) != 0 && status.ok()) status = Status::FromErrno("close " + path.string(), errno);
  return status;
}

Result<std::string> Dump(const json& j, const std::string& what) {
  try {
    return j.dump(2) + "\n";
  } catch (const json::exception& e) {  // invalid UTF-8 in a string
    return Status::InvalidArgument(what + ": " + e.what());
  }
}

json Unsafe(const json& value) {
  if (value.is_string()) return json{{"__ansible_unsafe", value}};
  if (value.is_array()) {
    json items = json::array();
    for (const auto& item : value) items.push_back(Unsafe(item));
    return items;
  }
  return value;
}

Status MakeDir0700(const std::filesystem::path& path) {
  if (mkdir(path.c_str(), 0700) != 0) return Status::FromErrno("mkdir " + path.string(), errno);
  return Status::Ok();
}

}  // namespace

Status CheckRoles(const Job& job, const std::filesystem::path& roles_dir) {
  for (const auto& role : job.roles) {
    // Decoding already refused names with '/', '.' or upper case, so the
    // name is one path component.
    if (!IsValidRoleName(role)) return Status::InvalidArgument("bad role name '" + role + "'");
    std::error_code ec;
    auto dir = roles_dir / role;
    if (!std::filesystem::is_directory(dir, ec) ||
        !std::filesystem::is_regular_file(dir / "tasks" / "main.yml", ec)) {
      return Status::NotFound("unknown role '" + role + "' (no " +
                              (dir / "tasks" / "main.yml").string() + ")");
    }
  }
  return Status::Ok();
}

Result<PlaybookRun> WritePlaybook(const Job& job, const std::filesystem::path& job_dir,
                                  const std::filesystem::path& roles_dir,
                                  const std::string& ansible_playbook,
                                  const std::string& ssh_private_key) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(job_dir, ec);
  if (ec) return Status::FromErrno("resolve " + job_dir.string(), ec.value());
  std::filesystem::path roles = std::filesystem::absolute(roles_dir, ec);
  if (ec) return Status::FromErrno("resolve " + roles_dir.string(), ec.value());
  if (roles.string().find(':') != std::string::npos) {
    return Status::InvalidArgument(
        "roles directory must not contain ':' (ANSIBLE_ROLES_PATH is ':'-separated): " +
        roles.string());
  }

  json play = {
      {"name", job.operation + " #" + std::to_string(job.job_id)},
      {"hosts", job.target.name},
      {"gather_facts", false},
      {"roles", job.roles},
  };
  json playbook = json::array({play});

  json host = {
      {"ansible_host", job.target.host},
      {"ansible_connection", job.target.connection},
      {"ansible_python_interpreter", "/usr/bin/python3"},
  };
  std::string known_hosts;
  if (job.target.connection == "ssh") {
    host["ansible_port"] = job.target.port;
    if (!job.target.user.empty()) host["ansible_user"] = job.target.user;
    std::string args = "-o UserKnownHostsFile=" + (dir / "known_hosts").string() +
                       " -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=" +
                       (job.target.host_key.empty() ? "accept-new" : "yes");
    if (!ssh_private_key.empty()) {
      host["ansible_ssh_private_key_file"] = ssh_private_key;
      args += " -o IdentitiesOnly=yes";
    }
    host["ansible_ssh_common_args"] = args;
    std::string name = job.target.port == 22 ? job.target.host
                                             : "[" + job.target.host + "]:" + std::to_string(job.target.port);
    size_t start = 0;
    while (start < job.target.host_key.size()) {
      size_t end = job.target.host_key.find('\n', start);
      if (end == std::string::npos) end = job.target.host_key.size();
      known_hosts += name + " " + job.target.host_key.substr(start, end - start) + "\n";
      start = end + 1;
    }
  }
  json inventory = {{"all", {{"hosts", {{job.target.name, host}}}}}};

  json vars = json::object();
  for (const auto& [name, value] : job.vars) vars[name] = Unsafe(value);
  vars["aegir_job_id"] = job.job_id;
  vars["aegir_feedback_url"] = Unsafe(job.feedback_url);

  PlaybookRun run;
  run.playbook = dir / "playbook.json";
  run.inventory = dir / "inventory.json";
  run.vars = dir / "vars.json";

  auto playbook_text = Dump(playbook, "playbook");
  if (!playbook_text.ok()) return playbook_text.status();
  auto inventory_text = Dump(inventory, "inventory");
  if (!inventory_text.ok()) return inventory_text.status();
  auto vars_text = Dump(vars, "vars");
  if (!vars_text.ok()) return vars_text.status();
  AEGIR_RETURN_IF_ERROR(WriteFile0600(run.playbook, *playbook_text));
  AEGIR_RETURN_IF_ERROR(WriteFile0600(run.inventory, *inventory_text));
  AEGIR_RETURN_IF_ERROR(WriteFile0600(run.vars, *vars_text));
  if (job.target.connection == "ssh") AEGIR_RETURN_IF_ERROR(WriteFile0600(dir / "known_hosts", known_hosts));
  AEGIR_RETURN_IF_ERROR(MakeDir0700(dir / "tmp"));
  AEGIR_RETURN_IF_ERROR(MakeDir0700(dir / "home"));

  run.argv = {ansible_playbook,     "-i", run.inventory.string(), "-e", "@" + run.vars.string(),
              run.playbook.string()};
  run.env = {
      {"ANSIBLE_ROLES_PATH", roles.string()},
      {"ANSIBLE_NOCOLOR", "1"},
      {"ANSIBLE_FORCE_COLOR", "0"},
      {"PYTHONUNBUFFERED", "1"},
      {"ANSIBLE_RETRY_FILES_ENABLED", "0"},
      {"ANSIBLE_LOCAL_TEMP", (dir / "tmp").string()},
      {"ANSIBLE_HOME", (dir / "home").string()},
      {"ANSIBLE_SSH_ARGS", "-o ControlMaster=no"},
      {"ANSIBLE_PIPELINING", "True"},
      // Everything else that makes temporary files here (Ansible's module
      // payloads among them, left behind when a job is killed mid-module)
      // makes them in the job's directory, removed with it.
      {"TMPDIR", (dir / "tmp").string()},
  };
  // On this host Ansible's "remote" temporary files go with the job's too:
  // its default (~/.ansible/tmp) is in the home of the target user, which a
  // system user running the executor may not have.
  if (job.target.connection == "local") run.env.push_back({"ANSIBLE_REMOTE_TEMP", (dir / "tmp").string()});
  return run;
}

std::string KnownHostKey(const std::filesystem::path& job_dir) {
  std::ifstream in(job_dir / "known_hosts");
  std::string line, keys;
  while (std::getline(in, line)) {
    // "<hosts> <type> <base64> [comment]": keep type and key.
    std::istringstream fields(line);
    std::string hosts, type, key;
    if (!(fields >> hosts >> type >> key) || hosts[0] == '#' || hosts[0] == '@') continue;
    std::string entry = type + " " + key;
    if (keys.find(entry) != std::string::npos) continue;
    if (!keys.empty()) keys += "\n";
    keys += entry;
  }
  return IsValidHostKey(keys) ? keys : "";
}

}  // namespace aegir::executor
