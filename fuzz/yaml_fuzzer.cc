// libFuzzer target: bytes -> the YAML documents tenants write: a feature set and a strategy of
// each registered kind (compiled against that feature set). Errors must be Status values with a
// position, never a crash, whatever the nesting or size.
#include <cstdint>
#include <string_view>

#include "decision/credit_decisions.h"
#include "decision/strategy.h"
#include "decision/transaction_decisions.h"
#include "features/feature_set.h"
#include "lifecycle/account_lifecycle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  using namespace finbrain;
  static const decision::StrategyKinds* kinds = [] {
    auto* k = new decision::StrategyKinds();
    (void)k->Register(decision::CreditStrategyKind());
    (void)k->Register(decision::TransactionStrategyKind());
    (void)k->Register(lifecycle::AccountStrategyKind());
    return k;
  }();
  static const std::shared_ptr<const features::FeatureSet> features =
      features::FeatureSet::Parse(
          "features: [{name: apps_7d, entity: phone, event: credit_application, aggregate: "
          "count, window: 7d}]\n")
          .value();
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  (void)features::FeatureSet::Parse(yaml);
  decision::StrategyEnvironment env{.kinds = kinds, .features = features};
  env.model = [](std::string_view) -> StatusOr<std::shared_ptr<models::ServingModel>> {
    return NotFoundError("no models in the fuzzer");
  };
  auto strategy = decision::Strategy::Compile(yaml, env);
  if (strategy.ok()) {
    decision::DecisionInput input{.subject_json = R"({"requested_amount":5000})"};
    (void)(*strategy)->Decide(input, env);
  }
  return 0;
}
