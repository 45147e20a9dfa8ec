// ansible's PLAY RECAP lines: ParseRecapLine (executors/executor.h), which
// aegir-executor runs on each line a job prints after "PLAY RECAP"; the
// hosts it reads are posted to aegir-web's /finish, which checks them with
// CheckRecap (fcgi-app/feedback_values.h).
//
// The input is one output line. For every line ParseRecapLine reads,
// checked: the host is the line's first word (1 to 255 bytes, no spaces), the
// seven counts are the numbers written after "ok=" ... "ignored=" in that
// order, and the recap the executor would post, written out as it writes it
// (invalid UTF-8 replaced), is accepted by aegir-web's CheckRecap: a line
// the executor takes must never make aegir-web refuse the job's end.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executors/executor.h"
#include "fcgi-app/feedback_values.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/references.h"

namespace {

using namespace aegir::fuzz;  // the references and checks
using nlohmann::json;

// The line's words, split at the characters std::regex's \s matches.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line = Input(data, size);
  auto parsed = aegir::executor::ParseRecapLine(line);
  if (!parsed) return 0;
  const auto& [host, counts] = *parsed;

  const auto words = Words(line);
  FUZZ_CHECK_MSG(words.size() == 9 && words[1] == ":", "line " + Show(line));
  FUZZ_CHECK_MSG(host == words[0] && !host.empty() && host.size() <= 255, "host " + Show(host));
  const char* names[] = {"ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"};
  FUZZ_CHECK(counts.is_object() && counts.size() == 7);
  for (int i = 0; i < 7; ++i) {
    const std::string prefix = std::string(names[i]) + "=";
    const std::string& word = words[2 + i];
    FUZZ_CHECK_MSG(word.rfind(prefix, 0) == 0, "word " + Show(word));
    const std::string digits = word.substr(prefix.size());
    FUZZ_CHECK(!digits.empty() && digits.size() <= 9 && AllDigits(digits));
    FUZZ_CHECK(counts.contains(names[i]) && counts[names[i]].is_number_integer());
    FUZZ_CHECK_MSG(counts[names[i]].get<int64_t>() == std::stoll(digits), names[i] + std::string(" of ") + Show(line));
  }

  // What the executor posts to /finish, and what aegir-web makes of it.
  json recap = json::object();
  recap[host] = counts;
  const std::string posted =
      json{{"state", "succeeded"}, {"recap", recap}}.dump(-1, ' ', false, json::error_handler_t::replace);
  const json received = json::parse(posted);
  FUZZ_CHECK_MSG(RefRecap(received["recap"]), "the recap posted for " + Show(line) + " is " + Show(posted));
  auto status = aegir::web::CheckRecap(received["recap"]);
  FUZZ_CHECK_MSG(status.ok(), "aegir-web refuses the recap of " + Show(line) + ": " + status.message());
  return 0;
}
