// Status and StatusOr<T>: how FinBrain reports expected errors.
//
// Expected failures (bad input, missing entries, I/O errors) are values, never exceptions.
// Third-party code that throws is caught at the module edge and turned into a Status.
// Every status carries a code, a human-readable message and, where the problem is in the
// caller's input, the path of the offending field ("expires_at", "events[3].amount").
//
// Example:
//   StatusOr<int> ParsePort(std::string_view text);
//   FB_ASSIGN_OR_RETURN(int port, ParsePort(flag));
//   if (port == 0) return InvalidArgumentError("port must be non-zero", "listen");
//
// Thread-safety: Status and StatusOr are values; const access from several threads is safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace finbrain {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  // A retry under a known idempotency key (application_id, event_id) with other content.
  kIdempotencyConflict,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kDeadlineExceeded,
  kUnavailable,
  kUnimplemented,
  kDataLoss,
  kInternal,
};

// "invalid_argument", "not_found", ...: the stable machine-readable name used in API errors.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the error is about, or empty.
  const std::string& field() const { return field_; }

  // "not_found: tenant 'acme' does not exist (field: tenant)".
  std::string ToString() const;

  // Returns a copy whose field is `prefix` + "." + field (or `prefix` when field is empty),
  // for errors raised deep inside a nested structure.
  Status WithFieldPrefix(std::string_view prefix) const;

  // Explicitly discards the status where ignoring it is correct (e.g. best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.field_ == b.field_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message, std::string field = {});
Status NotFoundError(std::string message, std::string field = {});
Status AlreadyExistsError(std::string message, std::string field = {});
Status IdempotencyConflictError(std::string message, std::string field = {});
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message, std::string field = {});
Status DeadlineExceededError(std::string message);
Status UnavailableError(std::string message);
Status UnimplementedError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

// StatusOr<T> holds either a T or a non-OK Status.
// REQUIRES: value() only when ok(); constructing from an OK Status is a programming error and
// is turned into an internal error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}             // NOLINT: implicit by design, like absl
  StatusOr(T&& value) : value_(std::move(value)) {}       // NOLINT
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace finbrain

#define FB_INTERNAL_CONCAT_(a, b) a##b
#define FB_INTERNAL_CONCAT(a, b) FB_INTERNAL_CONCAT_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define FB_RETURN_IF_ERROR(expr)                               \
  do {                                                         \
    ::finbrain::Status fb_status_internal_ = (expr);           \
    if (!fb_status_internal_.ok()) return fb_status_internal_; \
  } while (false)

// `lhs` = the value of `expr` (a StatusOr), or returns its status from the enclosing function.
#define FB_ASSIGN_OR_RETURN(lhs, expr) \
  FB_INTERNAL_ASSIGN_OR_RETURN(FB_INTERNAL_CONCAT(fb_statusor_, __LINE__), lhs, expr)
#define FB_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
