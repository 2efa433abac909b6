#include "decision/strategy_kind.h"

#include "common/strings.h"

namespace finbrain::decision {

Status StrategyKinds::Register(StrategyKind kind) {
  if (kind.name.empty() || kind.subject_fields.empty()) {
    return InvalidArgumentError("a strategy kind needs a name and subject fields", "kind");
  }
  if (kinds_.contains(kind.name)) {
    return AlreadyExistsError("strategy kind " + Quote(kind.name) + " is registered twice", "kind");
  }
  std::string name = kind.name;
  kinds_.emplace(std::move(name), std::make_unique<const StrategyKind>(std::move(kind)));
  return OkStatus();
}

const StrategyKind* StrategyKinds::Find(std::string_view name) const {
  auto it = kinds_.find(name);
  return it == kinds_.end() ? nullptr : it->second.get();
}

std::vector<std::string> StrategyKinds::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, kind] : kinds_) names.push_back(name);
  return names;
}

}  // namespace finbrain::decision
