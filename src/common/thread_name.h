#pragma once

#include <string_view>

namespace finbrain {

// Names the calling thread (shown by top -H, perf and /proc/PID/task/*/comm), truncated to the
// 15 characters Linux keeps.
void SetThreadName(std::string_view name);

}  // namespace finbrain
