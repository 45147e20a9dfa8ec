// Status and Result<T>: the one error type shared by every component.
//
// A Status is ok, or a Code plus a message that already carries its context
// ("insert server web1: Duplicate entry ..."). Result<T> holds a value or a
// non-ok Status. Both are cheap to move and safe to copy.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace aegir {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong; say what and where
  kNotFound,          // the thing named does not exist
  kConflict,          // it exists already, or its state forbids the change
  kPermissionDenied,  // not allowed for this caller
  kUnavailable,       // a peer is down or timed out; retrying may help
  kInternal,          // a bug or an unexpected library failure
};

const char* CodeName(Code code);

class Status {
 public:
  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  // From errno: "<context>: <strerror(err)>", categorised as Unavailable or Internal.
  static Status FromErrno(const std::string& context, int err);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;
  // A copy with "context: " put before the message.
  Status WithContext(const std::string& context) const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}       // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace aegir

// Return early from a function returning Status or Result<T>.
#define AEGIR_RETURN_IF_ERROR(expr)           \
  do {                                        \
    ::aegir::Status aegir_status_ = (expr);   \
    if (!aegir_status_.ok()) return aegir_status_; \
  } while (0)
