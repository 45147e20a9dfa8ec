// Checks what a user typed into an operation's form against the variables its
// task roles declare (fcgi-app/catalogue.h): type, required, default, choices
// and pattern. Nothing is queued unless every field passes; each failure
// names its field in words a user understands.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fcgi-app/catalogue.h"

namespace aegir::web {

struct FieldError {
  std::string field;    // the variable name
  std::string message;  // "Backup file: choose one of the site's backups."
};

// Choices aegir-web fills from the model, by variable name
// (aegir_backup_file: the site's backups; aegir_target_platform: platforms).
using DynamicChoices = std::map<std::string, std::vector<std::string>>;

struct FormResult {
  std::map<std::string, nlohmann::json> values;  // typed, for the job
  std::vector<FieldError> errors;
  bool ok() const { return errors.empty(); }
};

// A value as its form field carries it (what ValidateFields reads): a
// string as it is, an integer in decimal, true/false as "1"/"0", a list one
// item per line. Nothing for any other value (null, an object, a list with
// something else than strings).
std::optional<std::string> FormText(const nlohmann::json& value);

// Validates the submitted strings (get(name) returns "" for a field that was
// not sent). An empty field takes the declared default, or is left out when
// it has none and is not required. A list is given one item per line (or
// separated by commas). Names not among fields are never looked at.
FormResult ValidateFields(const std::vector<VarSpec>& fields,
                          const std::function<std::string(const std::string&)>& get,
                          const DynamicChoices& dynamic = {});

// "Backup file" for aegir_backup_file.
std::string FieldLabel(const std::string& name);

// The choices a field offers: the dynamic ones when given, else the declared.
const std::vector<std::string>& ChoicesOf(const VarSpec& spec, const DynamicChoices& dynamic);

// Checks shared with the other forms.
bool IsCleanText(const std::string& s, size_t max_bytes);  // UTF-8, no control characters
bool IsCleanAbsolutePath(const std::string& s);           // /a/b: no '.', '..' or empty components
bool IsDomainName(const std::string& s);                  // lower case, with at least one dot or .localhost

}  // namespace aegir::web
