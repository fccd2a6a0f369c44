// Errors as values: Status and Result<T>. No exception crosses a module boundary; adapters
// around third-party code (libpcap, libcurl, nlohmann/json, CLI11) convert failures to Status.
#ifndef LLMSTACK_BASE_STATUS_H_
#define LLMSTACK_BASE_STATUS_H_

#include <cassert>
#include <memory>
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
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::make_unique<std::string>(std::move(message))) {}
  Status(const Status& other) : code_(other.code_) {
    if (other.message_) message_ = std::make_unique<std::string>(*other.message_);
  }
  Status& operator=(const Status& other) {
    if (this != &other) *this = Status(other);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const {
    static const std::string kNoMessage;
    return message_ ? *message_ : kNoMessage;
  }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message());
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  // Only a failure has a message: an OK status, the one every parser returns per packet, is
  // made, moved and destroyed without touching the heap.
  std::unique_ptr<std::string> message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Malformed(std::string m) { return {StatusCode::kMalformed, std::move(m)}; }
inline Status Truncated(std::string m) { return {StatusCode::kTruncated, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }

// A value or the Status that explains why there is none.
//
// A parser on the hot path fills its result in place and names that one object in every
// return statement (GCC then builds it where the caller receives it, copying nothing):
//   Result<Header> out(std::in_place);
//   ... fill *out; on failure: out = Malformed("...");
//   return out;
// A struct assembled field by field on the stack and then copied into a Result is read back
// in wide loads before its narrow stores have landed, which costs more than the parsing.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  explicit Result(std::in_place_t) : value_(std::in_place) {}
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

#endif  // LLMSTACK_BASE_STATUS_H_
