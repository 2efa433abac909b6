#include "common/strings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace finbrain {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
  }
  return out;
}

StatusOr<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgumentError("hex string has odd length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("invalid hex digit");
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return InvalidArgumentError("truncated percent-escape in " + Quote(text));
    }
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("bad percent-escape in " + Quote(text));
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHexDigits[u >> 4];
      out += kHexDigits[u & 0xf];
    }
  }
  return out;
}

std::string SortableKey(std::uint64_t n) {
  // Hot on the ingest path (one per event): digits right to left, no printf.
  std::string out(20, '0');
  for (size_t i = out.size(); n != 0; n /= 10) out[--i] = static_cast<char>('0' + n % 10);
  return out;
}

std::string Quote(std::string_view text, size_t max) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < max; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHexDigits[u >> 4];
      out += kHexDigits[u & 0xf];
    } else {
      out += text[i];
    }
  }
  if (text.size() > max) out += "...";
  out += "'";
  return out;
}

Status ValidateName(std::string_view name, std::string_view what, std::string field) {
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), ok) ||
      name.front() == '_' || name.front() == '-') {
    std::string message(what);
    message += " name ";
    message += Quote(name);
    message += " must be 1-64 characters of a-z, 0-9, '_' and '-'";
    return InvalidArgumentError(std::move(message), std::move(field));
  }
  return OkStatus();
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";  // and -0
  char buf[64];
  const double magnitude = std::fabs(value);
  const std::chars_format format = magnitude >= 1e21 || magnitude < 1e-7
                                       ? std::chars_format::scientific
                                       : std::chars_format::fixed;
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, format);
  return ec == std::errc() ? std::string(buf, end) : "null";
}

std::string CsvField(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string Ipv4Block(std::string_view ip) {
  int dots = 0;
  size_t third = 0;
  for (size_t i = 0; i < ip.size(); ++i) {
    if (ip[i] == '.') {
      if (++dots == 3) third = i;
    } else if (ip[i] < '0' || ip[i] > '9') {
      return {};
    }
  }
  if (dots != 3) return {};
  std::string block(ip.substr(0, third));
  block += ".0/24";
  return block;
}

}  // namespace finbrain
