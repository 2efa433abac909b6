#include "common/status.h"

namespace finbrain {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kIdempotencyConflict:
      return "idempotency_conflict";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kUnimplemented:
      return "unimplemented";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  if (!field_.empty()) {
    out += " (field: ";
    out += field_;
    out += ")";
  }
  return out;
}

Status Status::WithFieldPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  std::string field(prefix);
  if (!field_.empty()) {
    if (field_.front() != '[') field += '.';
    field += field_;
  }
  return Status(code_, message_, std::move(field));
}

Status InvalidArgumentError(std::string message, std::string field) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
}
Status NotFoundError(std::string message, std::string field) {
  return Status(StatusCode::kNotFound, std::move(message), std::move(field));
}
Status IdempotencyConflictError(std::string message, std::string field) {
  return Status(StatusCode::kIdempotencyConflict, std::move(message), std::move(field));
}

Status AlreadyExistsError(std::string message, std::string field) {
  return Status(StatusCode::kAlreadyExists, std::move(message), std::move(field));
}
Status UnauthenticatedError(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}
Status PermissionDeniedError(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}
Status ResourceExhaustedError(std::string message) {
  return Status(StatusCode::kResourceExhausted, std::move(message));
}
Status FailedPreconditionError(std::string message, std::string field) {
  return Status(StatusCode::kFailedPrecondition, std::move(message), std::move(field));
}
Status DeadlineExceededError(std::string message) {
  return Status(StatusCode::kDeadlineExceeded, std::move(message));
}
Status UnavailableError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
Status UnimplementedError(std::string message) {
  return Status(StatusCode::kUnimplemented, std::move(message));
}
Status DataLossError(std::string message) {
  return Status(StatusCode::kDataLoss, std::move(message));
}
Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

}  // namespace finbrain
