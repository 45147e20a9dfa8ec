#include "fcgi-app/operations.h"

#include "common/crypto.h"
#include "common/log.h"

namespace aegir::web {

Job BuildServerJob(const Config& config, const Operation& op, const store::Server& server) {
  Job job;
  job.operation = op.name;
  job.entity = "server:" + std::to_string(server.id);
  job.target.name = server.name;
  job.target.host = server.hostname;
  job.target.connection = (server.hostname == "localhost" || server.hostname == "127.0.0.1") ? "local" : "ssh";
  job.roles = op.tasks;
  job.vars["aegir_server_name"] = server.name;
  job.vars["aegir_config_root"] = config.config_root;
  return job;
}

Result<int64_t> QueueServerOperation(Context& ctx, const Operation& op, const store::Server& server,
                                     std::optional<int64_t> user_id) {
  Job job = BuildServerJob(ctx.config, op, server);
  std::string token = crypto::RandomHex(32);
  nlohmann::json vars = nlohmann::json::object();
  for (const auto& [k, v] : job.vars) vars[k] = v;
  auto id = store::CreateTask(ctx.db, op.name, "server", server.id, vars.dump(), crypto::Sha256Hex(token), user_id);
  if (!id.ok()) return id.status();
  job.job_id = *id;
  job.feedback_url = ctx.config.public_url + "/api/tasks/" + std::to_string(*id);
  job.feedback_token = token;
  Status s = job.Validate();
  if (s.ok()) s = ctx.submitter.Submit(job);
  if (!s.ok()) {
    log::Warn("task " + std::to_string(*id) + " not handed to the scheduler: " + s.message());
    auto f = store::FinishTask(ctx.db, *id, "failed", std::nullopt, "Not started: " + s.message());
    if (!f.ok()) return f.status();
  }
  return *id;
}

}  // namespace aegir::web
