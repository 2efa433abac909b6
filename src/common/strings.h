// Small string helpers shared by every module.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace finbrain {

// Lowercase hexadecimal of `bytes`.
std::string HexEncode(std::span<const std::uint8_t> bytes);
// Inverse of HexEncode; fails on odd length or non-hex characters.
StatusOr<std::string> HexDecode(std::string_view hex);

// Decodes %XX escapes (RFC 3986). '+' is left as is: it means space only in form bodies.
StatusOr<std::string> PercentDecode(std::string_view text);
// Encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view text);

// Prints `text` for an error message: truncated to `max` bytes, control bytes escaped.
std::string Quote(std::string_view text, size_t max = 80);

}  // namespace finbrain
