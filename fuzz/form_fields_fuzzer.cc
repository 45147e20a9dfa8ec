// Operation forms: ValidateFields (fcgi-app/operation_form.h) over variable
// declarations of every type the catalogue supports (str, int, bool, path,
// list of str; with and without required, default, choices, pattern; and
// choices aegir-web fills from the model), parsed by ParseArgumentSpecs from
// the YAML below as a role's meta/argument_specs.yml would be. Also the
// name and text checks every form and the job share: IsValid* (common/job.h),
// IsCleanText, IsCleanAbsolutePath and IsDomainName.
//
// The input is a urlencoded form body, as a browser posts it. Checked, with
// references written here (regular expressions, a strict UTF-8 decoder), not
// with the functions under test:
// - every value ValidateFields accepts satisfies its declaration: the type,
//   at most 1024 bytes of well-formed UTF-8 without control characters, an
//   absolute path without '.', '..' or empty parts, one of the choices, the
//   pattern, at most 100 list items; and a field that is refused or left out
//   has a reason (an error, or empty without required);
// - each IsValid*/IsClean*/IsDomainName agrees with its reference on every
//   name and value of the form.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/job.h"
#include "fcgi-app/catalogue.h"
#include "fcgi-app/http.h"
#include "fcgi-app/operation_form.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/references.h"

namespace {

using namespace aegir::fuzz;  // NOLINT: the references
using aegir::web::VarSpec;
using aegir::web::VarType;
using nlohmann::json;

constexpr size_t kMaxValueBytes = 1024;  // fcgi-app/operation_form.cc
constexpr size_t kMaxListItems = 100;

const char kSpecs[] = R"(
argument_specs:
  main:
    options:
      aegir_title: {type: str, description: A title.}
      aegir_name: {type: str, required: true}
      aegir_prefix: {type: str, default: wp_}
      aegir_installer: {type: str, required: true, choices: [wordpress, drupal, php]}
      aegir_https: {type: str, choices: ["off", "on", "required"], default: "off"}
      aegir_domain: {type: str,
                     pattern: '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+'}
      aegir_commit: {type: str, pattern: '[0-9a-f]{7,40}', description: A commit.}
      aegir_target_platform: {type: str, required: true}
      aegir_count: {type: int}
      aegir_port: {type: int, default: 22}
      aegir_level: {type: int, choices: ["1", "2", "3"]}
      aegir_enabled: {type: bool}
      aegir_remove: {type: bool, default: false}
      aegir_keep: {type: bool, default: true}
      aegir_confirm: {type: bool, required: true}
      aegir_backup_file: {type: path, required: true}
      aegir_dir: {type: path}
      aegir_backups_path: {type: path, default: /var/aegir/backups}
      aegir_aliases: {type: list, elements: str,
                      pattern: '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+'}
      aegir_tags: {type: list, elements: str}
      aegir_modes: {type: list, elements: str, choices: [a, b, c], default: [a]}
      aegir_required_list: {type: list, elements: str, required: true}
)";

const std::vector<VarSpec>& Specs() {
  static const std::vector<VarSpec> specs = [] {
    auto parsed = aegir::web::ParseArgumentSpecs(kSpecs, "fuzz");
    if (!parsed.ok()) Fail(__FILE__, __LINE__, "the specs parse", parsed.status().message());
    return std::move(parsed).value();
  }();
  return specs;
}

// Choices aegir-web fills from the model: a site's backups, and a list that
// is empty (nothing to choose from).
const aegir::web::DynamicChoices& Dynamic() {
  static const aegir::web::DynamicChoices dynamic = {
      {"aegir_backup_file", {"/var/aegir/backups/blog-1.tar.gz", "/var/aegir/backups/blog-2.tar.gz"}},
      {"aegir_target_platform", {}},
  };
  return dynamic;
}

void CheckNameChecks(const std::string& s) {
#define AGREE(fn, ref) \
  FUZZ_CHECK_MSG(fn(s) == ref(s), std::string(#fn "(") + Show(s) + ") = " + (fn(s) ? "true" : "false"))
  AGREE(aegir::IsValidRoleName, RefRoleName);
  AGREE(aegir::IsValidVarName, RefVarName);
  AGREE(aegir::IsValidOperationName, RefOperationName);
  AGREE(aegir::IsValidEntityKey, RefEntityKey);
  AGREE(aegir::IsValidLabel, RefLabel);
  AGREE(aegir::IsValidUserName, RefUserName);
  AGREE(aegir::IsValidHostName, RefHostName);
  AGREE(aegir::IsValidHostKey, RefHostKey);
  AGREE(aegir::web::IsCleanAbsolutePath, RefCleanAbsolutePath);
  AGREE(aegir::web::IsDomainName, RefDomainName);
#undef AGREE
  for (size_t max : {size_t{0}, size_t{8}, kMaxValueBytes}) {
    FUZZ_CHECK_MSG(aegir::web::IsCleanText(s, max) == RefCleanText(s, max),
                   "IsCleanText(" + Show(s) + ", " + std::to_string(max) + ")");
  }
}

// --- the form -----------------------------------------------------------------

std::string Trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

const std::vector<std::string>& ChoicesFor(const VarSpec& spec) {
  auto it = Dynamic().find(spec.name);
  return it != Dynamic().end() ? it->second : spec.choices;
}

// A str or path value, or one list item, that was accepted.
void CheckText(const VarSpec& spec, const std::string& v) {
  const std::string what = spec.name + " = " + Show(v);
  FUZZ_CHECK_MSG(!v.empty(), what);
  FUZZ_CHECK_MSG(RefCleanText(v, kMaxValueBytes), what + " is not clean text");
  if (spec.type == VarType::kPath) FUZZ_CHECK_MSG(RefCleanAbsolutePath(v), what + " is not a clean absolute path");
  const auto& choices = ChoicesFor(spec);
  if (!choices.empty() || Dynamic().count(spec.name)) {
    FUZZ_CHECK_MSG(std::find(choices.begin(), choices.end(), v) != choices.end(), what + " is not a choice");
  }
  if (!spec.pattern.empty()) FUZZ_CHECK_MSG(FullMatch(v, spec.pattern), what + " does not match " + spec.pattern);
}

void CheckValue(const VarSpec& spec, const std::string& raw, const std::string& present, const json& value) {
  const std::string what =
      spec.name + " from " + Show(raw) + " = " + value.dump(-1, ' ', false, json::error_handler_t::replace);
  switch (spec.type) {
    case VarType::kBool: {
      FUZZ_CHECK_MSG(value.is_boolean(), what);
      const std::string v = Trimmed(raw);
      if (v == "1" || v == "on" || v == "true" || v == "yes") {
        FUZZ_CHECK_MSG(value.get<bool>(), what);
      } else if (v.empty() && spec.default_value && present.empty()) {
        FUZZ_CHECK_MSG(value == *spec.default_value, what);
      } else {
        FUZZ_CHECK_MSG(v.empty() || v == "0" || v == "off" || v == "false" || v == "no", what);
        FUZZ_CHECK_MSG(!value.get<bool>(), what);
      }
      return;
    }
    case VarType::kInt: {
      if (spec.default_value && value == *spec.default_value && Trimmed(raw).empty()) return;
      FUZZ_CHECK_MSG(value.is_number_integer(), what);
      const std::string v = Trimmed(raw);
      FUZZ_CHECK_MSG(v.size() <= 18 && FullMatch(v, "-?[0-9]+"), what);
      // The number is the text's, leading zeros aside.
      std::string digits = v[0] == '-' ? v.substr(1) : v;
      digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
      int64_t n = value.get<int64_t>();
      std::string expected = (v[0] == '-' && digits != "0" ? "-" : "") + digits;
      FUZZ_CHECK_MSG(std::to_string(n) == expected, what);
      if (!spec.choices.empty()) {
        FUZZ_CHECK_MSG(std::find(spec.choices.begin(), spec.choices.end(), v) != spec.choices.end(), what);
      }
      return;
    }
    case VarType::kList: {
      FUZZ_CHECK_MSG(value.is_array(), what);
      if (spec.default_value && value == *spec.default_value) return;
      FUZZ_CHECK_MSG(!value.empty() && value.size() <= kMaxListItems, what);
      for (const auto& item : value) {
        FUZZ_CHECK_MSG(item.is_string(), what);
        const auto& s = item.get_ref<const std::string&>();
        FUZZ_CHECK_MSG(s == Trimmed(s) && s.find_first_of(",\n") == std::string::npos, what);
        CheckText(spec, s);
      }
      return;
    }
    case VarType::kStr:
    case VarType::kPath: {
      FUZZ_CHECK_MSG(value.is_string(), what);
      if (spec.default_value && value == *spec.default_value && Trimmed(raw).empty()) return;
      FUZZ_CHECK_MSG(value.get<std::string>() == Trimmed(raw), what);
      CheckText(spec, value.get<std::string>());
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto form = aegir::web::ParseUrlEncoded(aegir::fuzz::Input(data, size));
  if (!form.ok()) return 0;
  auto get = [&](const std::string& name) {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  for (const auto& [k, v] : *form) {
    CheckNameChecks(k);
    CheckNameChecks(v);
  }

  const auto result = aegir::web::ValidateFields(Specs(), get, Dynamic());
  for (const auto& e : result.errors) {
    FUZZ_CHECK(!e.message.empty());
    FUZZ_CHECK_MSG(result.values.count(e.field) == 0, e.field + " has both a value and an error");
  }
  for (const auto& spec : Specs()) {
    bool refused =
        std::any_of(result.errors.begin(), result.errors.end(), [&](const auto& e) { return e.field == spec.name; });
    auto it = result.values.find(spec.name);
    if (it == result.values.end()) {
      // Left out: refused, or empty without a default and not required.
      const std::string raw = get(spec.name);
      bool empty = spec.type == VarType::kList ? Trimmed(raw).find_first_not_of(", \t\r\n") == std::string::npos
                                               : Trimmed(raw).empty();
      FUZZ_CHECK_MSG(refused || (empty && !spec.default_value && !spec.required), spec.name + " left out");
      continue;
    }
    CheckValue(spec, get(spec.name), get(spec.name + "__present"), it->second);
  }
  return 0;
}
