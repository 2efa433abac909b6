#include "storage/durability.h"

#include <string>

namespace finbrain::storage {

std::string_view DurabilityName(Durability durability) {
  return durability == Durability::kSync ? "sync" : "process";
}

StatusOr<Durability> ParseDurability(std::string_view text, std::string_view field) {
  if (text == "sync") return Durability::kSync;
  if (text == "process") return Durability::kProcess;
  return InvalidArgumentError("must be sync or process, not '" + std::string(text) + "'",
                              std::string(field));
}

}  // namespace finbrain::storage
