#include "fcgi-app/feedback_values.h"

#include <regex>

#include "common/job.h"
#include "fcgi-app/operation_form.h"

namespace aegir::web {
namespace {

constexpr size_t kMaxKeys = 20;

bool Matches(const nlohmann::json& v, const std::regex& re) {
  return v.is_string() && std::regex_match(v.get_ref<const std::string&>(), re);
}

// Checks one posted value against what its key may hold; "" when it fits.
std::string CheckValue(const std::string& key, const nlohmann::json& v) {
  static const std::regex kHex("^[0-9a-f]{7,40}$");
  static const std::regex kDigits("^[0-9]{1,18}$");
  static const std::regex kDbName("^[a-z0-9_]{1,64}$");
  static const std::regex kUrl("^https?://[^\\s]+$");
  if (key == "backup_path" || key == "backup_deleted") {
    return v.is_string() && IsCleanAbsolutePath(v.get<std::string>()) ? "" : "must be an absolute path";
  }
  if (key == "backup_size") {
    bool ok = (v.is_number_integer() && v.get<int64_t>() >= 0) || Matches(v, kDigits);
    return ok ? "" : "must be a whole number of bytes";
  }
  if (key == "host_key") return v.is_string() && IsValidHostKey(v.get<std::string>()) ? "" : "must be SSH host key lines";
  if (key == "deployed_commit") return Matches(v, kHex) ? "" : "must be 7 to 40 hex digits";
  if (key == "db_name") return Matches(v, kDbName) ? "" : "must be a database name";
  if (key == "login_url") {
    return Matches(v, kUrl) && IsCleanText(v.get<std::string>(), 2048) ? "" : "must be an http(s) URL";
  }
  if (key == "sites_found") {
    if (!v.is_array() || v.size() > 10000) return "must be a list of domains";
    for (const auto& d : v) {
      if (!d.is_string() || !IsValidHostName(d.get<std::string>())) return "must be a list of domains";
    }
    return "";
  }
  return "is not a value aegir-web takes";
}

}  // namespace

Result<nlohmann::json> ParseFeedbackValues(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body is not a JSON object");
  if (!j.contains("values") || !j["values"].is_object() || j["values"].size() > kMaxKeys) {
    return Status::InvalidArgument("values must be an object of at most 20 keys");
  }
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [k, v] : j["values"].items()) {
    std::string problem = CheckValue(k, v);
    if (!problem.empty()) return Status::InvalidArgument(k.substr(0, 64) + " " + problem);
    // Roles post numbers as text (Ansible templating makes strings).
    values[k] = k == "backup_size" && v.is_string() ? nlohmann::json(std::stoll(v.get<std::string>())) : v;
  }
  return values;
}

Result<LogPost> ParseLogPost(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body is not a JSON object");
  const auto seq = j.find("first_seq");
  if (seq == j.end() || !seq->is_number_integer() || seq->get<int64_t>() < 1 || seq->get<int64_t>() > 2'000'000'000) {
    return Status::InvalidArgument("first_seq must be a whole number from 1");
  }
  const auto lines = j.find("lines");
  if (lines == j.end() || !lines->is_array() || lines->size() > 10000) {
    return Status::InvalidArgument("lines must be an array of at most 10000 strings");
  }
  LogPost post;
  post.first_seq = seq->get<int64_t>();
  post.lines.reserve(lines->size());
  for (const auto& l : *lines) {
    if (!l.is_string()) return Status::InvalidArgument("lines must be strings");
    const auto& s = l.get_ref<const std::string&>();
    if (s.size() > 64 * 1024) return Status::InvalidArgument("a line is longer than 64 KiB");
    post.lines.push_back(s);
  }
  return post;
}

Result<FinishPost> ParseFinishPost(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("body is not a JSON object");
  FinishPost post;
  if (auto it = j.find("state"); it != j.end() && it->is_string()) post.state = it->get<std::string>();
  if (post.state != "succeeded" && post.state != "failed" && post.state != "cancelled") {
    return Status::InvalidArgument("state must be succeeded, failed or cancelled");
  }
  // Not get<int64_t>(): 18446744073709551615 would be stored as -1 (common/job.h, JsonInteger).
  if (auto it = j.find("exit_code"); it != j.end()) post.exit_code = JsonInteger(*it);
  if (auto it = j.find("reason"); it != j.end() && it->is_string()) post.reason = it->get<std::string>();
  if (auto it = j.find("recap"); it != j.end()) {
    if (Status s = CheckRecap(*it); !s.ok()) return s;
    post.recap = *it;
  }
  return post;
}

Status CheckRecap(const nlohmann::json& recap) {
  if (!recap.is_object() || recap.size() > 1000) return Status::InvalidArgument("recap must be an object of hosts");
  for (const auto& [host, counts] : recap.items()) {
    if (host.empty() || host.size() > 255) return Status::InvalidArgument("recap: bad host name");
    if (!counts.is_object() || counts.size() != 7) return Status::InvalidArgument("recap: counts of " + host);
    for (const char* k : {"ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"}) {
      if (!counts.contains(k) || !counts[k].is_number_unsigned() || counts[k].get<uint64_t>() > 1'000'000'000) {
        return Status::InvalidArgument(std::string("recap: ") + k + " of " + host.substr(0, 64) +
                                       " must be a count");
      }
    }
  }
  return Status::Ok();
}

}  // namespace aegir::web
