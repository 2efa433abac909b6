// Serve: runs `finbrain serve` until SIGTERM or SIGINT, then shuts down gracefully (readiness
// turns false, no new connections, in-flight requests finish, pending writes are committed).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "server/config.h"

namespace finbrain::server {

// `on_listening` is called with the bound port once the server accepts connections.
// REQUIRES: called from the main thread before any other thread is started (signals are
// blocked in every thread and awaited here).
Status Serve(const ServerConfig& config, const std::function<void(std::uint16_t)>& on_listening);

}  // namespace finbrain::server
