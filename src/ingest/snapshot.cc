#include "ingest/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace finbrain::ingest {
namespace {

constexpr std::string_view kMagic = "FBSNAP1\n";
// Fast enough to keep up with a multi-GB/s memory copy of the state; state is text-heavy (ids),
// so even level 1 shrinks it severalfold.
constexpr int kZstdLevel = 1;

std::string PathOf(const std::string& dir, std::string_view name) {
  return dir + "/" + std::string(name) + ".snap";
}

Status ErrnoError(const std::string& what, const std::string& path) {
  return InternalError(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? OkStatus() : ErrnoError("cannot fsync", path);
}

template <typename T>
void AppendFixed(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

Status WriteSnapshotFile(const std::string& dir, std::string_view name, std::string_view format,
                         std::uint64_t seq, std::string_view body, storage::KvStore* log) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InternalError("cannot create " + dir + ": " + ec.message());
  std::string file(kMagic);
  AppendFixed(file, static_cast<std::uint32_t>(format.size()));
  file.append(format);
  AppendFixed(file, seq);
  AppendFixed(file, static_cast<std::uint64_t>(body.size()));
  const size_t header = file.size();
  file.resize(header + ZSTD_compressBound(body.size()));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, kZstdLevel);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  const size_t packed =
      ZSTD_compress2(cctx, file.data() + header, file.size() - header, body.data(), body.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(packed)) {
    return InternalError(std::string("cannot compress a snapshot: ") + ZSTD_getErrorName(packed));
  }
  file.resize(header + packed);

  const std::string path = PathOf(dir, name);
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create", temp);
  Status written = WriteAll(fd, file, temp);
  if (written.ok() && ::fsync(fd) != 0) written = ErrnoError("cannot fsync", temp);
  ::close(fd);
  if (written.ok() && log != nullptr) written = log->SyncWal();
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = ErrnoError("cannot rename to", path);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  return SyncPath(dir, O_RDONLY | O_DIRECTORY);
}

StatusOr<std::optional<SnapshotFile>> ReadSnapshotFile(const std::string& dir,
                                                       std::string_view name) {
  const std::string path = PathOf(dir, name);
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return std::optional<SnapshotFile>();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  struct stat info {};
  std::string file;
  bool read_all = ::fstat(fd, &info) == 0;
  if (read_all) {
    file.resize(static_cast<size_t>(info.st_size));
    for (size_t done = 0; read_all && done < file.size();) {
      const ssize_t n = ::read(fd, file.data() + done, file.size() - done);
      if (n < 0 && errno == EINTR) continue;
      read_all = n > 0;
      done += read_all ? static_cast<size_t>(n) : 0;
    }
  }
  ::close(fd);
  if (!read_all) return ErrnoError("cannot read", path);
  const auto damaged = [&](const std::string& why) {
    return DataLossError("snapshot " + path + " is damaged: " + why);
  };
  SnapshotDecoder header(file);
  if (!std::string_view(file).starts_with(kMagic)) return damaged("not a snapshot file");
  for (size_t i = 0; i < kMagic.size(); ++i) header.U8();
  SnapshotFile snapshot;
  snapshot.format = header.Str();
  snapshot.seq = header.U64();
  const std::uint64_t body_size = header.U64();
  if (!header.ok()) return damaged("truncated header");
  const size_t offset = kMagic.size() + 4 + snapshot.format.size() + 8 + 8;
  const std::string_view frame = std::string_view(file).substr(offset);
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN ||
      content != body_size) {
    return damaged("the body's size does not match the header");
  }
  snapshot.body.resize(body_size);
  const size_t got =
      ZSTD_decompress(snapshot.body.data(), snapshot.body.size(), frame.data(), frame.size());
  if (ZSTD_isError(got)) return damaged(ZSTD_getErrorName(got));
  if (got != body_size) return damaged("truncated body");
  return std::optional<SnapshotFile>(std::move(snapshot));
}

}  // namespace finbrain::ingest
