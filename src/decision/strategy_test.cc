#include "decision/strategy.h"

#include <gtest/gtest.h>

#include "decision/credit_decisions.h"
#include "decision/testing/strategy_golden.h"
#include "decision/transaction_decisions.h"

namespace finbrain::decision {
namespace {

TEST(StrategyGolden, EveryCaseOfEveryFileDecidesAsExpected) {
  StrategyKinds kinds;
  ASSERT_TRUE(kinds.Register(CreditStrategyKind()).ok());
  ASSERT_TRUE(kinds.Register(TransactionStrategyKind()).ok());
  testing::RunStrategyGoldenFiles(std::string(FINBRAIN_SOURCE_DIR) + "/src/decision/testdata",
                                  kinds, 8, 10);
}

}  // namespace
}  // namespace finbrain::decision
