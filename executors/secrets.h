// The executor's secret store: a directory only the executor's user can read,
// holding one file per secret (its content is the secret; one trailing
// newline is dropped). An administrator puts secrets there over SSH; aegir-web
// and its database only ever hold a secret's name.
//
// A job variable whose name ends in "_secret" names a secret; the executor
// replaces the name with the secret's value just before it writes the job's
// variables file (0600, removed with the job), and masks that value in
// everything the job prints. A role declares such a variable like any other
// (docs/operations.md, "Secrets").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/job.h"
#include "common/status.h"

namespace aegir::executor {

// True for variable names that name a secret ("..._secret").
bool IsSecretReference(const std::string& var_name);

// A secret's name: [a-z0-9][a-z0-9._-]{0,63}, so it is a plain file name.
bool IsValidSecretName(const std::string& name);

// Replaces each secret reference in job.vars with the secret's value from
// dir, and appends the values to `values` (to be masked). Fails, naming the
// variable and the secret, when the store is not configured, a name is
// invalid, a secret is missing, is not a regular file of this user that only
// it can read (mode 0600 or stricter), is empty, shorter than 8 bytes or
// larger than 64 KiB.
Status ResolveSecrets(Job& job, const std::filesystem::path& dir, std::vector<std::string>& values);

// Replaces every occurrence of each value in line with "********".
void MaskValues(std::string& line, const std::vector<std::string>& values);

}  // namespace aegir::executor
