#include "executors/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <regex>

namespace aegir::executor {
namespace {

constexpr size_t kMinSecretBytes = 8;
constexpr size_t kMaxSecretBytes = 64 * 1024;
constexpr const char* kMask = "********";

}  // namespace

bool IsSecretReference(const std::string& var_name) {
  static const std::string kSuffix = "_secret";
  return var_name.size() > kSuffix.size() &&
         var_name.compare(var_name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

bool IsValidSecretName(const std::string& name) {
  static const std::regex kName("^[a-z0-9][a-z0-9._-]{0,63}$");
  return std::regex_match(name, kName) && name.find("..") == std::string::npos;
}

Status ResolveSecrets(Job& job, const std::filesystem::path& dir, std::vector<std::string>& values) {
  for (auto& [var, value] : job.vars) {
    if (!IsSecretReference(var)) continue;
    const std::string what = "variable " + var;
    if (!value.is_string() || !IsValidSecretName(value.get<std::string>())) {
      return Status::InvalidArgument(what + " must name a secret (lower-case letters, digits, '.', '_', '-')");
    }
    const std::string name = value.get<std::string>();
    if (dir.empty()) {
      return Status::InvalidArgument(what + " names the secret '" + name +
                                        "', but this executor has no secret store (--secrets-dir)");
    }
    const std::filesystem::path path = dir / name;
    // O_NOFOLLOW: a link planted in the store does not lead elsewhere.
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      int e = errno;
      if (e == ENOENT) {
        return Status::NotFound("the secret '" + name + "' (" + what + ") is not in the executor's secret store " +
                                dir.string());
      }
      return Status::FromErrno("open the secret '" + name + "'", e);
    }
    struct stat st {};
    std::string content;
    Status s = Status::Ok();
    if (::fstat(fd, &st) != 0) {
      s = Status::FromErrno("stat the secret '" + name + "'", errno);
    } else if (!S_ISREG(st.st_mode)) {
      s = Status::InvalidArgument("the secret '" + name + "' is not a regular file");
    } else if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
      s = Status::PermissionDenied("the secret '" + name +
                                     "' must belong to the executor's user and be readable by it alone (chmod 0600)");
    } else if (static_cast<size_t>(st.st_size) > kMaxSecretBytes) {
      s = Status::InvalidArgument("the secret '" + name + "' is larger than 64 KiB");
    } else {
      content.resize(static_cast<size_t>(st.st_size));
      ssize_t n = ::read(fd, content.data(), content.size());
      if (n < 0) s = Status::FromErrno("read the secret '" + name + "'", errno);
      else content.resize(static_cast<size_t>(n));
    }
    ::close(fd);
    if (!s.ok()) return s;
    if (!content.empty() && content.back() == '\n') content.pop_back();
    if (!content.empty() && content.back() == '\r') content.pop_back();
    if (content.size() < kMinSecretBytes) {
      return Status::InvalidArgument("the secret '" + name + "' is shorter than 8 bytes: too short to be a secret (and to be masked safely)");
    }
    value = content;
    values.push_back(std::move(content));
  }
  return Status::Ok();
}

void MaskValues(std::string& line, const std::vector<std::string>& values) {
  for (const auto& v : values) {
    if (v.empty()) continue;
    for (size_t at = line.find(v); at != std::string::npos; at = line.find(v, at + 8)) line.replace(at, v.size(), kMask);
  }
}

}  // namespace aegir::executor
