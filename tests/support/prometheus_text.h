// One sample line of the Prometheus text exposition format (0.0.4), as the
// metrics tests read /metrics: `name{label="value",...} value`.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace aegir::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped
  double value = 0;
};

// The sample on `line`; nullopt when the line is not a sample. A label value
// with an escape other than \\, \" and \n, or a label given twice, is read
// anyway and named in *problem (left as it is otherwise).
std::optional<Sample> ParseSampleLine(const std::string& line, std::string* problem);

}  // namespace aegir::testing
