#include <gtest/gtest.h>

#include "decision/credit_decisions.h"
#include "decision/testing/strategy_golden.h"
#include "lifecycle/account_lifecycle.h"

namespace finbrain::lifecycle {
namespace {

// Account strategies through the strategy language's golden runner: the subject is the account
// under review and its trigger, not an application.
TEST(AccountStrategyGolden, EveryCaseOfEveryFileDecidesAsExpected) {
  decision::StrategyKinds kinds;
  ASSERT_TRUE(kinds.Register(decision::CreditStrategyKind()).ok());
  ASSERT_TRUE(kinds.Register(AccountStrategyKind()).ok());
  EXPECT_EQ(kinds.Register(AccountStrategyKind()).code(), StatusCode::kAlreadyExists);
  decision::testing::RunStrategyGoldenFiles(
      std::string(FINBRAIN_SOURCE_DIR) + "/src/lifecycle/testdata", kinds, 5, 2);
}

}  // namespace
}  // namespace finbrain::lifecycle
