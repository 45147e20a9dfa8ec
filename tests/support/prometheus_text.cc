#include "tests/support/prometheus_text.h"

#include <cmath>
#include <regex>

namespace aegir::testing {

std::optional<Sample> ParseSampleLine(const std::string& line, std::string* problem) {
  static const std::regex kSample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
  static const std::regex kLabel(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\"(,|$))");
  std::smatch m;
  if (!std::regex_match(line, m, kSample)) return std::nullopt;
  Sample s;
  s.name = m[1];
  std::string labels = m[3];
  for (auto it = std::sregex_iterator(labels.begin(), labels.end(), kLabel); it != std::sregex_iterator(); ++it) {
    std::string raw = (*it)[2], v;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        char c = raw[++i];
        if (c != '\\' && c != '"' && c != 'n') *problem = "bad escape in " + line;
        v += c == 'n' ? '\n' : c;
      } else {
        v += raw[i];
      }
    }
    if (!s.labels.emplace((*it)[1], v).second) *problem = "label twice in " + line;
  }
  std::string value = m[4];
  s.value = value == "+Inf" ? INFINITY : value == "-Inf" ? -INFINITY : value == "NaN" ? NAN : std::stod(value);
  return s;
}

}  // namespace aegir::testing
