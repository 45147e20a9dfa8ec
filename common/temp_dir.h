// TempDir: an owning temporary directory.
//
// Create() makes a fresh directory "<parent>/<prefix>XXXXXX" with mkdtemp
// (mode 0700, a name no other process can predict or have taken). The
// destructor removes it and everything in it; Remove() does the same early
// and reports failure. Move-only; not thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace aegir {

class TempDir {
 public:
  // The parent must exist. prefix must not contain '/'.
  static Result<TempDir> Create(const std::filesystem::path& parent,
                                const std::string& prefix = "tmp-");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  // Empty after Remove() or a move.
  const std::filesystem::path& path() const { return path_; }

  // Removes the tree now. Afterwards path() is empty whatever the outcome.
  Status Remove();

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace aegir
