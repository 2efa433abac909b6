#include "tenancy/secrets.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

#include "common/strings.h"

namespace finbrain::tenancy {
namespace {

void EnsureSodium() {
  static const int initialized = sodium_init();
  (void)initialized;  // -1 only when no entropy source exists; randombytes then aborts loudly
}

SecretKey Derive(const SecretKey& master, std::uint64_t id, const char (&context)[9]) {
  SecretKey out;
  static_assert(crypto_kdf_CONTEXTBYTES == 8);
  crypto_kdf_derive_from_key(out.data(), out.size(), id, context, master.data());
  return out;
}

}  // namespace

void RandomBytes(std::uint8_t* out, size_t size) {
  EnsureSodium();
  randombytes_buf(out, size);
}

DeploymentKeys DeriveDeploymentKeys(const SecretKey& master) {
  EnsureSodium();
  return {Derive(master, 1, "fb_pii__"), Derive(master, 2, "fb_apike"),
          Derive(master, 3, "fb_audit")};
}

StatusOr<DeploymentKeys> LoadOrCreateDeploymentKeys(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return UnavailableError("cannot create data directory '" + data_dir + "': " + ec.message());
  const std::string path = data_dir + "/secret.key";
  SecretKey master;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    RandomBytes(master.data(), master.size());
    const std::string hex = HexEncode(master) + "\n";
    const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) {
      std::filesystem::remove(path, ec);
      return UnavailableError("cannot write " + path);
    }
    return DeriveDeploymentKeys(master);
  }
  if (errno != EEXIST)
    return UnavailableError("cannot create " + path + ": " + std::strerror(errno));

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return UnavailableError("cannot stat " + path);
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError(path + " is readable by group or others; run: chmod 600 " +
                                   path);
  }
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  std::string hex = content.str();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
    hex.pop_back();
  StatusOr<std::string> bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != master.size()) {
    return DataLossError(path + " is not a 64-character hex secret");
  }
  std::memcpy(master.data(), bytes->data(), master.size());
  return DeriveDeploymentKeys(master);
}

SecretKey RandomSecretKey() {
  SecretKey key;
  RandomBytes(key.data(), key.size());
  return key;
}

}  // namespace finbrain::tenancy
