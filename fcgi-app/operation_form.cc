#include "fcgi-app/operation_form.h"

#include <algorithm>
#include <cstdint>

#include "common/job.h"

namespace aegir::web {
namespace {

using nlohmann::json;

constexpr size_t kMaxValueBytes = 1024;
constexpr size_t kMaxListItems = 100;

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Well-formed UTF-8 (RFC 3629): overlong forms ("\xC0\xAF" for '/'), UTF-16
// surrogates and code points above U+10FFFF are refused, as MariaDB's utf8mb4
// and JSON output refuse them.
bool ValidUtf8(const std::string& s) {
  static const uint32_t kMinCodePoint[] = {0, 0, 0x80, 0x800, 0x10000};  // by sequence length
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < kMinCodePoint[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n' || c == ',') {
      if (auto t = Trim(cur); !t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (auto t = Trim(cur); !t.empty()) out.push_back(t);
  return out;
}

// Checks one string (a str or path value, or one list item). Returns the
// problem, or "" when it is fine.
std::string CheckText(const VarSpec& spec, const std::string& v, const DynamicChoices& dynamic) {
  if (!IsCleanText(v, kMaxValueBytes)) {
    return "use at most " + std::to_string(kMaxValueBytes) + " characters, without line breaks or control characters.";
  }
  if (spec.type == VarType::kPath && !IsCleanAbsolutePath(v)) {
    return "give an absolute path such as /var/aegir/backups/file.tar.gz, without '.' or '..' parts.";
  }
  const auto& choices = ChoicesOf(spec, dynamic);
  if ((!choices.empty() || dynamic.count(spec.name)) &&
      std::find(choices.begin(), choices.end(), v) == choices.end()) {
    return choices.empty() ? "there is nothing to choose from." : "choose one of the values offered.";
  }
  if (spec.re && !std::regex_match(v, *spec.re)) {
    return "'" + v + "' is not of the expected form" + (spec.description.empty() ? "." : " (" + spec.description + ")");
  }
  return "";
}

}  // namespace

bool IsCleanText(const std::string& s, size_t max_bytes) {
  if (s.size() > max_bytes || !ValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsCleanAbsolutePath(const std::string& s) {
  if (s.empty() || s[0] != '/' || s.size() > kMaxValueBytes || !IsCleanText(s, kMaxValueBytes)) return false;
  if (s == "/") return true;
  if (s.back() == '/') return false;
  size_t start = 1;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string::npos) slash = s.size();
    std::string part = s.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

bool IsDomainName(const std::string& s) {
  if (!IsValidHostName(s) || s.find('.') == std::string::npos) return false;
  if (std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return false;
  // The last label is a name, not a number: "10.0.0.1" is an address.
  std::string last = s.substr(s.rfind('.') + 1);
  return std::any_of(last.begin(), last.end(), [](char c) { return c < '0' || c > '9'; });
}

std::string FieldLabel(const std::string& name) {
  std::string n = name.rfind("aegir_", 0) == 0 ? name.substr(6) : name;
  // Site and new are implied by the page.
  for (const char* prefix : {"site_"}) {
    if (n.rfind(prefix, 0) == 0) n = n.substr(std::char_traits<char>::length(prefix));
  }
  std::replace(n.begin(), n.end(), '_', ' ');
  if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
  return n;
}

const std::vector<std::string>& ChoicesOf(const VarSpec& spec, const DynamicChoices& dynamic) {
  auto it = dynamic.find(spec.name);
  return it != dynamic.end() ? it->second : spec.choices;
}

std::optional<std::string> FormText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return std::string(value.get<bool>() ? "1" : "0");
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (!value.is_array()) return std::nullopt;
  std::string lines;
  for (const auto& item : value) {
    if (!item.is_string()) return std::nullopt;
    lines += (lines.empty() ? "" : "\n") + item.get<std::string>();
  }
  return lines;
}

FormResult ValidateFields(const std::vector<VarSpec>& fields,
                          const std::function<std::string(const std::string&)>& get,
                          const DynamicChoices& dynamic) {
  FormResult r;
  for (const auto& spec : fields) {
    const std::string label = FieldLabel(spec.name);
    auto fail = [&](const std::string& why) { r.errors.push_back({spec.name, label + ": " + why}); };
    std::string raw = get(spec.name);
    if (spec.type == VarType::kBool) {
      std::string v = Trim(raw);
      if (v.empty() && spec.default_value && spec.default_value->is_boolean()) {
        // An unticked checkbox is not sent: absent means no, unless the form
        // was built without the field (then the default applies).
        r.values[spec.name] = get(spec.name + "__present").empty() ? *spec.default_value : json(false);
        continue;
      }
      if (v.empty() || v == "0" || v == "off" || v == "false" || v == "no") {
        r.values[spec.name] = false;
      } else if (v == "1" || v == "on" || v == "true" || v == "yes") {
        r.values[spec.name] = true;
      } else {
        fail("tick the box or leave it empty.");
      }
      continue;
    }
    std::string v = spec.type == VarType::kList ? raw : Trim(raw);
    if (spec.type == VarType::kList ? SplitList(v).empty() : v.empty()) {
      if (spec.default_value) {
        r.values[spec.name] = *spec.default_value;
      } else if (spec.required) {
        fail("this field is required.");
      }
      continue;
    }
    switch (spec.type) {
      case VarType::kInt: {
        bool digits = v.size() <= 18 && std::all_of(v.begin() + (v[0] == '-' ? 1 : 0), v.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || v == "-") {
          fail("give a whole number.");
          break;
        }
        int64_t n = std::stoll(v);
        std::string problem = spec.choices.empty() ? "" : CheckText(spec, v, dynamic);
        if (!problem.empty()) {
          fail(problem);
          break;
        }
        r.values[spec.name] = n;
        break;
      }
      case VarType::kList: {
        auto items = SplitList(v);
        if (items.size() > kMaxListItems) {
          fail("give at most " + std::to_string(kMaxListItems) + " items.");
          break;
        }
        json list = json::array();
        std::string problem;
        for (const auto& item : items) {
          problem = CheckText(spec, item, dynamic);
          if (!problem.empty()) break;
          list.push_back(item);
        }
        if (!problem.empty()) {
          fail(problem);
          break;
        }
        r.values[spec.name] = list;
        break;
      }
      default: {
        std::string problem = CheckText(spec, v, dynamic);
        if (!problem.empty()) {
          fail(problem);
          break;
        }
        r.values[spec.name] = v;
      }
    }
  }
  return r;
}

}  // namespace aegir::web
