#include "common/temp_dir.h"

#include <errno.h>
#include <stdlib.h>

#include <system_error>
#include <vector>

namespace aegir {

Result<TempDir> TempDir::Create(const std::filesystem::path& parent, const std::string& prefix) {
  if (prefix.find('/') != std::string::npos) {
    return Status::InvalidArgument("temporary directory prefix must not contain '/': " + prefix);
  }
  std::string pattern = (parent / (prefix + "XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return Status::FromErrno("create temporary directory under " + parent.string(), errno);
  }
  return TempDir(std::filesystem::path(buf.data()));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() { Remove(); }

Status TempDir::Remove() {
  if (path_.empty()) return Status::Ok();
  std::filesystem::path p = std::move(path_);
  path_.clear();
  std::error_code ec;
  std::filesystem::remove_all(p, ec);  // does not follow symbolic links
  if (ec) return Status::FromErrno("remove " + p.string(), ec.value());
  return Status::Ok();
}

}  // namespace aegir
