// Fixed-size values in and out of byte strings (little-endian hosts), for the stored feature
// window records.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace finbrain::features::internal {

template <typename T>
void Append(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Reads a T off the front of `in`; false when too few bytes are left.
template <typename T>
bool Take(std::string_view& in, T& v) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace finbrain::features::internal
