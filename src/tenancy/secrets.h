// Per-deployment secrets.
//
// One 256-bit master secret lives in `<data_dir>/secret.key` (mode 0600), created on first start.
// Purpose-specific keys are derived from it (libsodium KDF), so a key used to hash API keys is
// never the one that tokenizes phone numbers or chains the audit log.
//
// Example:
//   FB_ASSIGN_OR_RETURN(DeploymentKeys keys, LoadOrCreateDeploymentKeys(data_dir));
//   PiiTokenizer tokenizer(keys.pii);
//
// Thread-safety: DeploymentKeys is an immutable value.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace finbrain::tenancy {

using SecretKey = std::array<std::uint8_t, 32>;

struct DeploymentKeys {
  SecretKey pii;      // PII tokenization
  SecretKey api_key;  // keyed hash of API key secrets
  SecretKey audit;    // audit-log hash chain
};

// Reads `<data_dir>/secret.key`, creating it (and the directory) when missing. Fails if the
// file is malformed or readable by group/others.
StatusOr<DeploymentKeys> LoadOrCreateDeploymentKeys(const std::string& data_dir);

// Keys derived from a given master secret (tests, tools).
DeploymentKeys DeriveDeploymentKeys(const SecretKey& master);

// Fills `out` with cryptographically secure random bytes. Initializes libsodium on first use.
void RandomBytes(std::uint8_t* out, size_t size);

// A fresh random key: for tools that tokenize files whose tokens only need to agree with each
// other (training tables, backtests), never stored.
SecretKey RandomSecretKey();

}  // namespace finbrain::tenancy
