// Snapshots of state derived from the event log: a binary encoding of a consumer's state, and
// the file that keeps it with the log position it reflects, so a restart replays only the log
// after that position instead of all of it.
//
//   <dir>/<name>.snap   "FBSNAP1\n", u32 format length, format, u64 seq, u64 body length,
//                       then the body as one zstd frame with its content checksum
//
// A snapshot is replaced atomically (written beside, fsynced, renamed), and only once the log up
// to its position is synced, so a power loss never leaves a snapshot ahead of the log.
//
// Example:
//   SnapshotEncoder out;
//   out.U64(count); out.Str(name);
//   FB_RETURN_IF_ERROR(WriteSnapshotFile(dir, "graph", "graph/1", seq, out.bytes(), &store));
//   FB_ASSIGN_OR_RETURN(std::optional<SnapshotFile> file, ReadSnapshotFile(dir, "graph"));
//   SnapshotDecoder in(file->body);
//   const std::uint64_t count = in.U64();
//   if (!in.ok()) ...  // the body is shorter than what was read
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"

namespace finbrain::ingest {

// Appends fixed-width values in the machine's byte order: a snapshot is read back by a finbrain
// of the same format on the same kind of machine (the header's format string names the layout).
class SnapshotEncoder {
 public:
  void U8(std::uint8_t v) { Raw(&v, sizeof v); }
  void U32(std::uint32_t v) { Raw(&v, sizeof v); }
  void U64(std::uint64_t v) { Raw(&v, sizeof v); }
  void I64(std::int64_t v) { Raw(&v, sizeof v); }
  void F64(double v) { Raw(&v, sizeof v); }
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    bytes_.append(s);
  }
  // A vector of plain values, as its length and its bytes.
  template <typename T>
  void Pods(const std::vector<T>& items) {
    static_assert(std::is_trivially_copyable_v<T>);
    U64(items.size());
    Raw(items.data(), items.size() * sizeof(T));
  }
  // Room for `size` bytes up front: growing a buffer of hundreds of MB copies it again and again.
  void Reserve(size_t size) { bytes_.reserve(size); }
  const std::string& bytes() const { return bytes_; }

 private:
  void Raw(const void* data, size_t size) { bytes_.append(static_cast<const char*>(data), size); }
  std::string bytes_;
};

// Writes a hash map's size, then each entry in key order through `save(key, value)`: the same
// state gives the same bytes, whatever order the map happens to hold its entries in.
template <typename Map, typename SaveEntry>
void SaveInKeyOrder(SnapshotEncoder& out, const Map& map, const SaveEntry& save) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto a, auto b) { return a->first < b->first; });
  out.U64(entries.size());
  for (const auto* entry : entries) save(entry->first, entry->second);
}

// Reads what SnapshotEncoder wrote. Reading past the end yields zeros and clears ok(), so a
// loader reads on and checks once; a count is checked against the bytes left before anything is
// reserved for it (Count), so a corrupt length cannot ask for terabytes.
class SnapshotDecoder {
 public:
  explicit SnapshotDecoder(std::string_view bytes) : rest_(bytes) {}

  std::uint8_t U8() { return Fixed<std::uint8_t>(); }
  std::uint32_t U32() { return Fixed<std::uint32_t>(); }
  std::uint64_t U64() { return Fixed<std::uint64_t>(); }
  std::int64_t I64() { return Fixed<std::int64_t>(); }
  double F64() { return Fixed<double>(); }
  std::string Str() {
    const std::uint32_t size = U32();
    if (!Has(size)) return {};
    std::string s(rest_.substr(0, size));
    rest_.remove_prefix(size);
    return s;
  }
  template <typename T>
  void Pods(std::vector<T>& items) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::uint64_t n = Count(sizeof(T));
    items.resize(n);
    if (n > 0) std::memcpy(items.data(), rest_.data(), n * sizeof(T));
    rest_.remove_prefix(n * sizeof(T));
  }
  // A count of items that take at least `min_item_bytes` each; 0 (and not ok) when the bytes
  // left cannot hold that many.
  std::uint64_t Count(size_t min_item_bytes) {
    const std::uint64_t n = U64();
    if (min_item_bytes > 0 && n > rest_.size() / min_item_bytes) {
      ok_ = false;
      rest_ = {};
      return 0;
    }
    return n;
  }

  bool ok() const { return ok_; }
  // Every byte read and nothing overran: the state is whole.
  bool done() const { return ok_ && rest_.empty(); }

 private:
  bool Has(size_t size) {
    if (rest_.size() >= size) return true;
    ok_ = false;
    rest_ = {};
    return false;
  }
  template <typename T>
  T Fixed() {
    T v{};
    if (!Has(sizeof v)) return v;
    std::memcpy(&v, rest_.data(), sizeof v);
    rest_.remove_prefix(sizeof v);
    return v;
  }
  std::string_view rest_;
  bool ok_ = true;
};

struct SnapshotFile {
  std::string format;
  std::uint64_t seq = 0;  // the last event the state reflects
  std::string body;
};

// Writes `body` as `<dir>/<name>.snap` (creating `dir`), replacing the previous one atomically.
// When `log` is given its WAL is synced before the rename: the events up to `seq` are then on
// disk before a snapshot that reflects them is.
Status WriteSnapshotFile(const std::string& dir, std::string_view name, std::string_view format,
                         std::uint64_t seq, std::string_view body, storage::KvStore* log);

// The snapshot `<dir>/<name>.snap`; nullopt when there is none. kDataLoss when it is damaged
// (a bad header, a truncated body, a checksum that does not match).
StatusOr<std::optional<SnapshotFile>> ReadSnapshotFile(const std::string& dir,
                                                       std::string_view name);

}  // namespace finbrain::ingest
