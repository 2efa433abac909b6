// Durability: when a commit counts as done, as PostgreSQL's synchronous_commit says it.
//
//   kSync     the answer waits until the write-ahead log holding the change is fsynced:
//             survives a power loss or kernel crash.
//   kProcess  the answer waits until the change is in the write-ahead log in the operating
//             system (written, not fsynced): survives a crash or kill -9 of the server; a
//             background sync makes it power-safe within `sync_interval` (storage/commit_queue.h),
//             so a power loss can lose at most the last interval of answered changes.
//
// Example:
//   FB_ASSIGN_OR_RETURN(Durability level, ParseDurability(text));
//   commits.Submit(std::move(batch), done, nullptr, level);
#pragma once

#include <string_view>

#include "common/status.h"

namespace finbrain::storage {

enum class Durability { kSync, kProcess };

std::string_view DurabilityName(Durability durability);  // "sync", "process"
// kInvalidArgument naming `field` for anything but "sync" and "process".
StatusOr<Durability> ParseDurability(std::string_view text, std::string_view field = "durability");

}  // namespace finbrain::storage
