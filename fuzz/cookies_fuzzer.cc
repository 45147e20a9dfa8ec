// Cookie headers: ParseCookies (fcgi-app/http.h), run on every request's
// Cookie header before the session is looked up.
//
// The input is the header's value. Checked against a reference parser
// written here: the same cookies come out (the first of a name wins, names
// and values trimmed of spaces and tabs, one pair of surrounding quotes
// dropped), no name is empty or holds ';' or '=', and no value holds ';'
// (one cookie can never smuggle in another).
#include <cstdint>
#include <map>
#include <string>

#include "fcgi-app/http.h"
#include "fuzz/fuzz_check.h"

namespace {

using aegir::fuzz::Show;

std::string Strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

std::map<std::string, std::string> Reference(const std::string& header) {
  std::map<std::string, std::string> out;
  for (const std::string& piece : aegir::fuzz::Split(header, ';')) {
    size_t eq = piece.find('=');
    if (eq == std::string::npos) continue;
    std::string name = Strip(piece.substr(0, eq));
    std::string value = Strip(piece.substr(eq + 1));
    if (value.size() >= 2 && value[0] == '"' && value[value.size() - 1] == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name.empty() || out.count(name)) continue;
    out[name] = value;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string header = aegir::fuzz::Input(data, size);
  const auto cookies = aegir::web::ParseCookies(header);
  for (const auto& [name, value] : cookies) {
    FUZZ_CHECK_MSG(!name.empty() && name.find_first_of(";=") == std::string::npos, "name " + Show(name));
    FUZZ_CHECK_MSG(name.front() != ' ' && name.front() != '\t' && name.back() != ' ' && name.back() != '\t',
                   "untrimmed name " + Show(name));
    FUZZ_CHECK_MSG(value.find(';') == std::string::npos, "value " + Show(value));
    FUZZ_CHECK(name.size() + value.size() <= header.size());
  }
  const auto expected = Reference(header);
  FUZZ_CHECK_MSG(cookies == expected, "header " + Show(header) + ": " + std::to_string(cookies.size()) +
                                          " cookies, the reference finds " + std::to_string(expected.size()));
  return 0;
}
