// Logging set-up. Modules log through spdlog directly (spdlog::info(...)); this header only
// configures the process-wide logger.
//
// PII rule: never log a raw phone number, national ID or card number. Log tokens
// (tenancy/pii.h) or masked forms.
#pragma once

#include <string_view>

#include "common/status.h"

namespace finbrain {

// Sets the global level: trace, debug, info, warn, error, off. Logs go to stderr.
Status InitLogging(std::string_view level);

}  // namespace finbrain
