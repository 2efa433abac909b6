// The mapping from Status to HTTP, and the JSON error body every API error uses:
//   {"error": {"code": "invalid_argument", "message": "...", "field": "expires_at"}}
#pragma once

#include "common/status.h"
#include "server/http_types.h"

namespace finbrain::server {

// The one place a StatusCode becomes an HTTP status.
int HttpStatusFor(StatusCode code);

// A JSON error response for a non-OK status.
HttpResponse ErrorResponse(const Status& status);

// A JSON response with the given status and already-serialized body.
HttpResponse JsonResponse(int status, std::string body);

}  // namespace finbrain::server
