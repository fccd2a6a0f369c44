// Errors as values: Status and Result<T>. No exception crosses a module boundary; adapters
// around third-party code (libpcap, libcurl, nlohmann/json, CLI11) convert failures to Status.
#ifndef LLMSTACK_STATUS_H_
#define LLMSTACK_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace llmstack {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad flag, bad value given by the user
  kNotFound,         // a named file or item does not exist
  kIoError,          // the system refused a read or write
  kMalformed,        // bytes or text that do not follow their format
  kTruncated,        // a format cut short
  kUnsupported,      // a valid but unsupported variant (e.g. a link type)
  kBackend,          // a model backend failed for good (retries spent, HTTP error)
  kAuth,             // authentication or permission refused by a backend
  kBudget,           // --max-cost reached
  kCancelled,        // interrupted by the user
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Malformed(std::string m) { return {StatusCode::kMalformed, std::move(m)}; }
inline Status Truncated(std::string m) { return {StatusCode::kTruncated, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace llmstack

#endif  // LLMSTACK_STATUS_H_
