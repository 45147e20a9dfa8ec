// The files one ansible-playbook run needs, written into a job's directory.
//
// For a Job (common/job.h) WritePlaybook() writes, each mode 0600 and built
// with nlohmann::json (JSON is valid YAML, and Ansible reads .json as such):
//
//   playbook.json   [{"name": "<operation> #<job_id>", "hosts": "<target.name>",
//                     "gather_facts": false, "roles": ["<role>", ...]}]
//   inventory.json  {"all": {"hosts": {"<target.name>": {"ansible_host": "<target.host>",
//                     "ansible_connection": "local"|"ssh",
//                     "ansible_python_interpreter": "/usr/bin/python3",
//                     and for ssh: "ansible_port", "ansible_user" (when given),
//                     "ansible_ssh_private_key_file" (when the executor has a key),
//                     "ansible_ssh_common_args": "-o UserKnownHostsFile=<job_dir>/known_hosts
//                       -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes|accept-new
//                       [-o IdentitiesOnly=yes]"}}}}
//   known_hosts     ssh with a recorded host key: "<host> <key>" per key line
//                   ("[<host>]:<port> <key>" off port 22). Only these keys are
//                   trusted (StrictHostKeyChecking=yes). Without a recorded key
//                   the file starts empty and ssh adds the key it meets
//                   (accept-new): the executor reports it (KnownHostKey()).
//   vars.json       the job's vars plus aegir_job_id and aegir_feedback_url.
//
// Every string in vars.json is written as {"__ansible_unsafe": "<value>"}:
// Ansible's JSON loader turns that into an "unsafe" string that is never
// templated. A plain string from -e would be templated when a role uses it,
// so a value such as "{{ lookup('pipe','id') }}" would run a command on the
// executor. A list of strings becomes a list of such objects. Integers and
// booleans are written as they are.
//
// The feedback token is never written: the executor keeps it in memory and
// uses it only in the Authorization header of its posts.
//
// It also returns the argv vector and the environment additions for
// ansible-playbook (see PlaybookRun). Role names are checked against the roles
// directory by CheckRoles(): the roles found there are the whitelist.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/job.h"
#include "common/status.h"

namespace aegir::executor {

struct PlaybookRun {
  std::filesystem::path playbook;   // <job_dir>/playbook.json
  std::filesystem::path inventory;  // <job_dir>/inventory.json
  std::filesystem::path vars;       // <job_dir>/vars.json
  // {ansible_playbook, "-i", <inventory>, "-e", "@<vars>", <playbook>}, paths absolute.
  std::vector<std::string> argv;
  // ANSIBLE_ROLES_PATH=<roles_dir>, ANSIBLE_NOCOLOR=1, ANSIBLE_FORCE_COLOR=0,
  // PYTHONUNBUFFERED=1, ANSIBLE_RETRY_FILES_ENABLED=0,
  // ANSIBLE_LOCAL_TEMP=<job_dir>/tmp, ANSIBLE_HOME=<job_dir>/home.
  // ANSIBLE_HOST_KEY_CHECKING is left to its default (on).
  // ANSIBLE_SSH_ARGS=-o ControlMaster=no (a persistent master would outlive
  // the job, outside its process group) and ANSIBLE_PIPELINING=True (one ssh
  // connection per task instead of several); TMPDIR=<job_dir>/tmp (and for a
  // job on this host ANSIBLE_REMOTE_TEMP too), so no temporary file outlives
  // the job.
  std::vector<std::pair<std::string, std::string>> env;
};

// Ok when every role of the job is a directory <roles_dir>/<role> holding
// tasks/main.yml; otherwise NotFound naming the first missing role.
Status CheckRoles(const Job& job, const std::filesystem::path& roles_dir);

// Writes the three files into job_dir (which must exist and be empty of them)
// and creates job_dir/tmp and job_dir/home (0700). Does not check roles.
Result<PlaybookRun> WritePlaybook(const Job& job, const std::filesystem::path& job_dir,
                                  const std::filesystem::path& roles_dir,
                                  const std::string& ansible_playbook,
                                  const std::string& ssh_private_key = "");

// The host key(s) ssh recorded in job_dir/known_hosts, without the host
// names, as Job::target.host_key holds them; "" when there are none.
std::string KnownHostKey(const std::filesystem::path& job_dir);

}  // namespace aegir::executor
