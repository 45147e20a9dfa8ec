// Numbered, append-only schema migrations.
//
// A migration is a file "NNNN_verb_noun.sql" in the migrations directory.
// Apply() runs, in number order, each file whose number is not yet recorded in
// the schema_migrations table, and records it. Applying twice changes nothing.
// A MariaDB named lock makes concurrent runs wait for each other. A file is
// never edited once it has landed: fix forward with a new file.
#pragma once

#include <string>
#include <vector>

#include "common/db.h"
#include "common/status.h"

namespace aegir::migrations {

struct Migration {
  int version = 0;
  std::string name;  // file name
  std::string path;
};

// The migrations found in dir, sorted; a file name not of the form
// NNNN_name.sql, or two files with one number, is an error.
Result<std::vector<Migration>> List(const std::string& dir);

// Applies what is missing; returns the names applied.
Result<std::vector<std::string>> Apply(db::Connection& conn, const std::string& dir);

}  // namespace aegir::migrations
