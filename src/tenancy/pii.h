// PII tokenization: phone numbers, national ID numbers and bank card numbers become keyed
// tokens before they are stored or logged.
//
// A token is "tok_<kind>_<32 hex>", a keyed BLAKE2b hash of the normalized value with the
// deployment's PII key: the same number always gives the same token inside one deployment (so
// lookups by the raw value work), and tokens cannot be reversed or recomputed without the key.
// Normalization makes "+86 138-0013-8000" and "13800138000" the same phone.
//
// Example:
//   PiiTokenizer tokenizer(keys.pii);
//   FB_ASSIGN_OR_RETURN(std::string token, tokenizer.Tokenize(PiiKind::kPhone, raw));
//   spdlog::info("blacklisted {}", MaskPii(PiiKind::kPhone, raw));  // 138****8000
//
// Thread-safety: PiiTokenizer is immutable after construction; share it freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "tenancy/secrets.h"

namespace finbrain::tenancy {

enum class PiiKind { kPhone, kIdNumber, kCard };

// "phone", "id_number", "card" map to their kinds; other entity types are not PII.
std::optional<PiiKind> PiiKindForEntityType(std::string_view entity_type);

// Canonical form of a raw value, or kInvalidArgument naming what is wrong.
StatusOr<std::string> NormalizePii(PiiKind kind, std::string_view raw);

// A display form that reveals only a few characters: "138****8000", "1101**********123X",
// "**** **** **** 1234". Never fails: malformed input is masked entirely.
std::string MaskPii(PiiKind kind, std::string_view raw);

class PiiTokenizer {
 public:
  explicit PiiTokenizer(const SecretKey& key) : key_(key) {}

  // The token of `raw`; a value that already is a token of `kind` is returned unchanged, so
  // callers may pass either.
  StatusOr<std::string> Tokenize(PiiKind kind, std::string_view raw) const;

  static bool IsToken(PiiKind kind, std::string_view value);

 private:
  SecretKey key_;
};

}  // namespace finbrain::tenancy
