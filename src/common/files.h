// Whole small files (models, specs, KBs) read into memory.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace finbrain {

// The bytes of `path`; kNotFound naming `field` when it cannot be read.
StatusOr<std::string> ReadTextFile(const std::string& path, std::string_view field = "path");

}  // namespace finbrain
