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

// "a, b, c": the items of any range of strings, for error messages.
template <typename Range>
std::string Join(const Range& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += std::string_view(item);
  }
  return out;
}

// `n` as 20 zero-padded decimal digits, so that byte order is numeric order (sequence keys).
std::string SortableKey(std::uint64_t n);

// Prints `text` for an error message: truncated to `max` bytes, control bytes escaped.
std::string Quote(std::string_view text, size_t max = 80);

// Names of models, strategies and the like: 1-64 characters of a-z, 0-9, '_' and '-', not
// starting with '_' or '-'. The error says "<what> name '...' must be ..." and names `field`.
Status ValidateName(std::string_view name, std::string_view what, std::string field = "name");

// One CSV field, always quoted (RFC 4180: inner quotes doubled).
std::string CsvField(std::string_view text);

// The one number format of everything FinBrain writes for people and programs (JSON, CSV):
// the shortest text that reads back as the same double, in plain decimals ("0.0001",
// "1000000", "0.125"), with an exponent only beyond JavaScript's own thresholds (|v| >= 1e21 or
// < 1e-7: "1e+21", "5e-08"). Not-a-number and infinities give "null" (they have no JSON form).
std::string FormatNumber(double value);

// The /24 block of an IPv4 address ("36.112.4.0/24"); empty when `ip` is not dotted IPv4.
std::string Ipv4Block(std::string_view ip);

}  // namespace finbrain
