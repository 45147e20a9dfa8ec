#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace aegir {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kNotFound: return "NotFound";
    case Code::kConflict: return "Conflict";
    case Code::kPermissionDenied: return "PermissionDenied";
    case Code::kUnavailable: return "Unavailable";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

Status Status::FromErrno(const std::string& context, int err) {
  std::string msg = context + ": " + std::strerror(err);
  switch (err) {
    case ENOENT: return NotFound(msg);
    case EACCES: case EPERM: return PermissionDenied(msg);
    case EEXIST: return Conflict(msg);
    case EAGAIN: case ECONNREFUSED: case ETIMEDOUT: case EINTR: return Unavailable(msg);
    default: return Internal(msg);
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace aegir
