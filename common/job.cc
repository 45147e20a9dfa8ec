#include "common/job.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace aegir {
namespace {

bool AllOf(const std::string& s, size_t max, bool (*first)(char), bool (*rest)(char)) {
  if (s.empty() || s.size() > max || !first(s[0])) return false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (!rest(s[i])) return false;
  }
  return true;
}
bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool LowerDigitUnderscore(char c) { return Lower(c) || Digit(c) || c == '_'; }
bool LowerOrUnderscore(char c) { return Lower(c) || c == '_'; }
bool LowerDigitDash(char c) { return Lower(c) || Digit(c) || c == '-'; }
bool LowerOrDigit(char c) { return Lower(c) || Digit(c); }
bool LabelChar(char c) { return Lower(c) || Digit(c) || c == '.' || c == '_' || c == '-'; }
bool KeyChar(char c) {
  return Lower(c) || Digit(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.' || c == ':';
}

// An integer field of the job as an int (see JsonInteger).
int IntField(const nlohmann::json& v, const char* name) {
  auto n = JsonInteger(v);
  if (!n || *n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
    throw std::invalid_argument(std::string(name) + " must be an integer");
  }
  return static_cast<int>(*n);
}

constexpr size_t kMaxVars = 200;
constexpr size_t kMaxValueBytes = 4096;
constexpr size_t kMaxRoles = 50;
constexpr size_t kMaxListItems = 100;

}  // namespace

bool IsValidRoleName(const std::string& s) { return AllOf(s, 64, Lower, LowerDigitUnderscore); }
bool IsValidVarName(const std::string& s) { return AllOf(s, 64, LowerOrUnderscore, LowerDigitUnderscore); }
bool IsValidOperationName(const std::string& s) { return AllOf(s, 64, Lower, LowerDigitDash); }
bool IsValidEntityKey(const std::string& s) { return AllOf(s, 128, KeyChar, KeyChar); }
bool IsValidLabel(const std::string& s) { return AllOf(s, 64, LowerOrDigit, LabelChar); }
bool IsValidUserName(const std::string& s) {
  return AllOf(s, 32, LowerOrUnderscore, [](char c) { return LowerDigitUnderscore(c) || c == '-'; });
}

bool IsValidHostKey(const std::string& s) {
  if (s.empty() || s.size() > 16384) return false;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string line = s.substr(start, end - start);
    size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size()) return false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      bool type_char = Lower(c) || Digit(c) || c == '-' || c == '@' || c == '.';
      bool b64 = (c >= 'A' && c <= 'Z') || Lower(c) || Digit(c) || c == '+' || c == '/' || c == '=';
      if (i < space ? !type_char : (i > space && !b64)) return false;
    }
    start = end + 1;
  }
  return true;
}

std::optional<int64_t> JsonInteger(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

bool IsValidHostName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    if (dot == std::string::npos) dot = s.size();
    size_t len = dot - start;
    if (len == 0 || len > 63) return false;
    for (size_t i = start; i < dot; ++i) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
      if (!(Lower(c) || Digit(c) || c == '-')) return false;
    }
    if (s[start] == '-' || s[dot - 1] == '-') return false;
    start = dot + 1;
  }
  return true;
}

namespace {

std::string Dump(const nlohmann::json& j) {
  // A value with invalid UTF-8 is sent with U+FFFD in its place, never thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

nlohmann::json Job::ToJsonValue(bool stored) const {
  nlohmann::json j;
  j["version"] = kVersion;
  if (!stored) j["job_id"] = job_id;
  j["operation"] = operation;
  j["entity"] = entity;
  if (!locks.empty()) j["locks"] = locks;
  j["target"] = {{"name", target.name},
                 {"host", target.host},
                 {"connection", target.connection},
                 {"user", target.user},
                 {"port", target.port},
                 {"host_key", target.host_key}};
  if (!target.label.empty()) j["target"]["label"] = target.label;
  j["roles"] = roles;
  j["vars"] = nlohmann::json::object();
  for (const auto& [k, v] : vars) j["vars"][k] = v;
  j["feedback_url"] = feedback_url;
  if (!stored) j["feedback_token"] = feedback_token;
  j["timeout_s"] = timeout_s;
  return j;
}

std::string Job::ToJson() const { return Dump(ToJsonValue(false)); }

std::string Job::ToStoredJson() const { return Dump(ToJsonValue(true)); }

Status Job::Validate() const {
  if (job_id <= 0) return Status::InvalidArgument("job_id must be a positive number");
  return ValidateStored();
}

Status Job::ValidateStored() const {
  if (!IsValidOperationName(operation)) return Status::InvalidArgument("bad operation name");
  if (!IsValidEntityKey(entity)) return Status::InvalidArgument("bad entity");
  if (locks.size() > 8) return Status::InvalidArgument("a job holds at most 8 further locks");
  for (const auto& l : locks) {
    if (!IsValidEntityKey(l)) return Status::InvalidArgument("bad lock '" + l.substr(0, 64) + "'");
  }
  if (!IsValidRoleName(target.name) && !IsValidHostName(target.name)) {
    return Status::InvalidArgument("bad target name");
  }
  if (!IsValidHostName(target.host)) return Status::InvalidArgument("bad target host");
  if (target.connection != "local" && target.connection != "ssh") {
    return Status::InvalidArgument("target connection must be local or ssh");
  }
  if (!target.user.empty() && !IsValidUserName(target.user)) return Status::InvalidArgument("bad target user");
  if (target.port < 1 || target.port > 65535) return Status::InvalidArgument("target port out of range");
  if (!target.label.empty() && !IsValidLabel(target.label)) return Status::InvalidArgument("bad target label");
  if (!target.host_key.empty() && !IsValidHostKey(target.host_key)) {
    return Status::InvalidArgument("bad target host key");
  }
  if (roles.empty() || roles.size() > kMaxRoles) return Status::InvalidArgument("a job needs 1 to 50 roles");
  for (const auto& r : roles) {
    if (!IsValidRoleName(r)) return Status::InvalidArgument("bad role name '" + r + "'");
  }
  if (vars.size() > kMaxVars) return Status::InvalidArgument("too many variables");
  for (const auto& [k, v] : vars) {
    if (!IsValidVarName(k)) return Status::InvalidArgument("bad variable name '" + k + "'");
    if (v.is_array()) {
      if (v.size() > kMaxListItems) return Status::InvalidArgument("variable " + k + " has too many items");
      for (const auto& item : v) {
        if (!item.is_string()) return Status::InvalidArgument("variable " + k + " must be a list of strings");
        if (item.get_ref<const std::string&>().size() > kMaxValueBytes) {
          return Status::InvalidArgument("variable " + k + " has an item that is too long");
        }
      }
      continue;
    }
    if (!(v.is_string() || v.is_number_integer() || v.is_boolean())) {
      return Status::InvalidArgument("variable " + k + " must be a string, an integer, a boolean or a list of strings");
    }
    if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxValueBytes) {
      return Status::InvalidArgument("variable " + k + " is too long");
    }
  }
  if (feedback_url.rfind("http://", 0) != 0 && feedback_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("feedback_url must be http or https");
  }
  if (!feedback_token.empty() && feedback_token.size() != 64) {
    return Status::InvalidArgument("feedback_token must be 64 hex digits");
  }
  for (char c : feedback_token) {
    if (!(Digit(c) || (c >= 'a' && c <= 'f'))) return Status::InvalidArgument("feedback_token must be 64 hex digits");
  }
  if (timeout_s < 1 || timeout_s > 7 * 24 * 3600) return Status::InvalidArgument("timeout_s out of range");
  return Status::Ok();
}

std::vector<std::string> Job::LockKeys() const {
  std::vector<std::string> keys{entity};
  for (const auto& l : locks) {
    if (std::find(keys.begin(), keys.end(), l) == keys.end()) keys.push_back(l);
  }
  return keys;
}

Result<Job> Job::FromJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("job is not a JSON object");
  return FromJsonValue(j);
}

Result<Job> Job::FromStoredJson(const std::string& text, int64_t id) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("job is not a JSON object");
  if (j.contains("job_id")) {
    // Stored whole, by an earlier version.
    auto stored_id = JsonInteger(j["job_id"]);
    if (!stored_id || *stored_id != id) return Status::InvalidArgument("the stored job names another task");
  } else {
    auto url = j.find("feedback_url");
    if (url == j.end() || !url->is_string() || url->get_ref<const std::string&>().empty() ||
        url->get_ref<const std::string&>().back() != '/') {
      return Status::InvalidArgument("a stored job's feedback_url ends with '/'");
    }
    j["job_id"] = id;
    *url = url->get<std::string>() + std::to_string(id);
  }
  if (j.contains("feedback_token") && j["feedback_token"] != "") {
    return Status::InvalidArgument("a stored job has no feedback token");
  }
  return FromJsonValue(j);
}

Result<Job> Job::FromJsonValue(const nlohmann::json& j) {
  Job job;
  try {
    if (IntField(j.at("version"), "version") != kVersion) {
      return Status::InvalidArgument("unsupported job version " + j.at("version").dump());
    }
    auto job_id = JsonInteger(j.at("job_id"));
    if (!job_id) throw std::invalid_argument("job_id must be an integer");
    job.job_id = *job_id;
    job.operation = j.at("operation").get<std::string>();
    job.entity = j.at("entity").get<std::string>();
    if (j.contains("locks")) job.locks = j.at("locks").get<std::vector<std::string>>();
    const auto& t = j.at("target");
    job.target.name = t.at("name").get<std::string>();
    job.target.host = t.at("host").get<std::string>();
    job.target.connection = t.at("connection").get<std::string>();
    // Optional: a job of an older aegir-web has none of them.
    job.target.user = t.value("user", std::string());
    job.target.port = t.contains("port") ? IntField(t.at("port"), "target port") : 22;
    job.target.host_key = t.value("host_key", std::string());
    job.target.label = t.value("label", std::string());
    job.roles = j.at("roles").get<std::vector<std::string>>();
    const auto& vars = j.at("vars");
    if (!vars.is_object()) return Status::InvalidArgument("vars must be an object");
    for (const auto& [k, v] : vars.items()) job.vars[k] = v;
    job.feedback_url = j.at("feedback_url").get<std::string>();
    job.feedback_token = j.value("feedback_token", std::string());
    job.timeout_s = IntField(j.at("timeout_s"), "timeout_s");
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("job field missing or of the wrong type: ") + e.what());
  } catch (const std::invalid_argument& e) {
    return Status::InvalidArgument(std::string("job field missing or of the wrong type: ") + e.what());
  }
  AEGIR_RETURN_IF_ERROR(job.Validate());
  return job;
}

}  // namespace aegir
