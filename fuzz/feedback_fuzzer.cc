// The feedback API's bodies (fcgi-app/feedback_values.h), which aegir-web
// takes from executors and from roles holding a task's token:
// ParseFeedbackValues (POST .../feedback), ParseLogPost (.../log),
// ParseFinishPost (.../finish) and CheckRecap.
//
// The input is one request body, given to every parser. Checked against the
// JSON read independently here and against references for each value:
// - feedback values: only the keys aegir-web takes, at most 20, each value
//   what its key may hold (docs/operations.md, "Feedback from roles"), the
//   normalised backup_size equal to the number sent, and the result can be
//   written out as JSON (it is stored);
// - a log post: first_seq and every line exactly as sent, within the limits;
// - a finish post: one of the three end states, exit_code and reason as
//   sent, a recap only when it passes the reference recap check;
// - CheckRecap agrees with that reference on any JSON value.
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "fcgi-app/feedback_values.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/references.h"

namespace {

using namespace aegir::fuzz;  // NOLINT: the references
using nlohmann::json;

// http:// or https:// and something, no whitespace, clean text of at most 2 KiB.
bool RefUrl(const std::string& s) {
  size_t scheme = s.rfind("https://", 0) == 0 ? 8 : s.rfind("http://", 0) == 0 ? 7 : 0;
  if (scheme == 0 || s.size() == scheme || !RefCleanText(s, 2048)) return false;
  return s.find_first_of(" \t\n\v\f\r") == std::string::npos;
}

void CheckFeedbackValues(const std::string& body, const json& j) {
  auto values = aegir::web::ParseFeedbackValues(body);
  if (!values.ok()) return;
  FUZZ_CHECK(j.is_object() && j.contains("values") && j["values"].is_object());
  const json& sent = j["values"];
  FUZZ_CHECK(sent.size() <= 20);
  FUZZ_CHECK(values->is_object() && values->size() == sent.size());
  for (const auto& [k, v] : sent.items()) {
    FUZZ_CHECK(values->contains(k));
    const json& out = (*values)[k];
    const std::string what = k + " = " + ShowJson(v);
    if (k == "backup_path" || k == "backup_deleted") {
      FUZZ_CHECK_MSG(v.is_string() && RefCleanAbsolutePath(v.get<std::string>()) && out == v, what);
    } else if (k == "backup_size") {
      FUZZ_CHECK_MSG(out.is_number_integer(), what);
      auto n = ExactInt64(out);
      FUZZ_CHECK_MSG(n && *n >= 0, what);
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        FUZZ_CHECK_MSG(s.size() >= 1 && s.size() <= 18 && aegir::fuzz::AllDigits(s), what);
        FUZZ_CHECK_MSG(std::to_string(*n) ==
                           (s.find_first_not_of('0') == std::string::npos ? "0" : s.substr(s.find_first_not_of('0'))),
                       what);
      } else {
        FUZZ_CHECK_MSG(ExactInt64(v) == n, what);
      }
    } else if (k == "host_key") {
      FUZZ_CHECK_MSG(v.is_string() && RefHostKey(v.get<std::string>()) && out == v, what);
    } else if (k == "deployed_commit") {
      FUZZ_CHECK_MSG(v.is_string() && v.get_ref<const std::string&>().size() <= 40 &&
                         FullMatch(v.get<std::string>(), "[0-9a-f]{7,40}") && out == v,
                     what);
    } else if (k == "db_name") {
      FUZZ_CHECK_MSG(v.is_string() && v.get_ref<const std::string&>().size() <= 64 &&
                         FullMatch(v.get<std::string>(), "[a-z0-9_]{1,64}") && out == v,
                     what);
    } else if (k == "login_url") {
      FUZZ_CHECK_MSG(v.is_string() && RefUrl(v.get<std::string>()) && out == v, what);
    } else if (k == "sites_found") {
      FUZZ_CHECK_MSG(v.is_array() && v.size() <= 10000 && out == v, what);
      for (const auto& d : v) FUZZ_CHECK_MSG(d.is_string() && RefHostName(d.get<std::string>()), what);
    } else {
      FUZZ_CHECK_MSG(false, "key " + Show(k) + " accepted");
    }
  }
  // Stored as JSON text: writing it out must not throw.
  (void)values->dump();
}

void CheckLogPost(const std::string& body, const json& j) {
  auto post = aegir::web::ParseLogPost(body);
  if (!post.ok()) return;
  FUZZ_CHECK(j.is_object() && j.contains("first_seq") && j.contains("lines"));
  auto seq = ExactInt64(j["first_seq"]);
  FUZZ_CHECK_MSG(seq && *seq == post->first_seq,
                 "first_seq " + ShowJson(j["first_seq"]) + " read as " + std::to_string(post->first_seq));
  FUZZ_CHECK(post->first_seq >= 1 && post->first_seq <= 2'000'000'000);
  const json& lines = j["lines"];
  FUZZ_CHECK(lines.is_array() && lines.size() <= 10000 && lines.size() == post->lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    FUZZ_CHECK(lines[i].is_string() && lines[i].get<std::string>() == post->lines[i]);
    FUZZ_CHECK(post->lines[i].size() <= 64 * 1024);
  }
}

void CheckFinishPost(const std::string& body, const json& j) {
  auto post = aegir::web::ParseFinishPost(body);
  if (!post.ok()) return;
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK_MSG(post->state == "succeeded" || post->state == "failed" || post->state == "cancelled",
                 "state " + Show(post->state));
  FUZZ_CHECK(j.contains("state") && j["state"] == post->state);
  std::optional<int64_t> code = j.contains("exit_code") ? ExactInt64(j["exit_code"]) : std::nullopt;
  FUZZ_CHECK_MSG(post->exit_code == code,
                 "exit_code " + (j.contains("exit_code") ? ShowJson(j["exit_code"]) : "absent") + " read as " +
                     (post->exit_code ? std::to_string(*post->exit_code) : std::string("none")));
  std::string reason = j.contains("reason") && j["reason"].is_string() ? j["reason"].get<std::string>() : "";
  FUZZ_CHECK(post->reason == reason);
  if (j.contains("recap")) {
    FUZZ_CHECK_MSG(RefRecap(j["recap"]), "recap " + ShowJson(j["recap"]));
    FUZZ_CHECK(post->recap == j["recap"]);
    (void)post->recap.dump();  // stored as JSON text
  } else {
    FUZZ_CHECK(post->recap.is_null());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = aegir::fuzz::Input(data, size);
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  CheckFeedbackValues(body, j);
  CheckLogPost(body, j);
  CheckFinishPost(body, j);
  if (!j.is_discarded()) {
    FUZZ_CHECK_MSG(aegir::web::CheckRecap(j).ok() == RefRecap(j), "CheckRecap(" + ShowJson(j) + ")");
    if (j.is_object() && j.contains("recap")) {
      FUZZ_CHECK_MSG(aegir::web::CheckRecap(j["recap"]).ok() == RefRecap(j["recap"]), "recap " + ShowJson(j["recap"]));
    }
  }
  return 0;
}
