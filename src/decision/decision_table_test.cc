#include "decision/internal/decision_table.h"

#include <gtest/gtest.h>

#include "common/yaml_helpers.h"

namespace finbrain::decision {
namespace {

class DecisionTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    score_ = *scope_.Declare("score", expr::Type::kNumber);
    product_ = *scope_.Declare("product", expr::Type::kText);
    income_ = *scope_.Declare("income", expr::Type::kNumber);
  }
  StatusOr<std::shared_ptr<const DecisionTable>> Compile(const std::string& yaml) {
    return DecisionTable::Compile(ParseYaml(yaml).value(), "tables[0]", scope_);
  }
  std::string Error(const std::string& yaml) {
    auto t = Compile(yaml);
    EXPECT_FALSE(t.ok()) << yaml;
    return t.ok() ? "" : t.status().message();
  }

  expr::Scope scope_;
  int score_ = 0, product_ = 0, income_ = 0;
};

constexpr const char* kPricing = R"yaml(name: pricing
hit_policy: first
inputs: [score, product]
rows:
  - {when: [">= 700", "consumer_credit_line"], then: {limit: 50000, apr: 0.12}}
  - {when: [">= 700", "'cash_loan', 'installment'"], then: {limit: "min(30000, income * 3)", apr: 0.15}}
  - {when: [">= 700", "-"], then: {limit: 20000, apr: 0.15}}
  - {when: ["[600, 700)", "-"], then: {limit: 10000, apr: 0.2}}
  - {when: ["< 600", "-"], then: {limit: 0, apr: 0.36}}
  - {when: ["missing", "-"], then: {limit: 0, apr: 0.36}}
)yaml";

TEST_F(DecisionTableTest, PicksTheMatchingRowAndEvaluatesOutputs) {
  // A second catch-all row for good scores could never be reached.
  EXPECT_FALSE(
      Compile(std::string(kPricing) + "  - {when: ['>= 700', '-'], then: {limit: 1, apr: 1}}\n")
          .ok());
  auto table = Compile(kPricing);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const int limit = scope_.Find("tables.pricing.limit")->slot;
  const int apr = scope_.Find("tables.pricing.apr")->slot;
  expr::Frame f(scope_);
  f.values[size_t(score_)] = expr::Value::Number(720);
  f.values[size_t(product_)] = expr::Value::Text("cash_loan");
  f.values[size_t(income_)] = expr::Value::Number(8000);
  EXPECT_EQ((*table)->Apply(f), 1);
  EXPECT_DOUBLE_EQ(f.values[size_t(limit)].number, 24000);
  EXPECT_DOUBLE_EQ(f.values[size_t(apr)].number, 0.15);
  f.values[size_t(score_)] = expr::Value::Number(700);  // the band's closed lower edge
  f.values[size_t(product_)] = expr::Value::Text("consumer_credit_line");
  EXPECT_EQ((*table)->Apply(f), 0);
  f.values[size_t(product_)] = expr::Value::Text("sme_loan");
  EXPECT_EQ((*table)->Apply(f), 2);
  f.values[size_t(score_)] = expr::Value::Number(699.5);
  EXPECT_EQ((*table)->Apply(f), 3);
  f.values[size_t(score_)] = expr::Value::Missing(expr::Type::kNumber);
  EXPECT_EQ((*table)->Apply(f), 5);
}

TEST_F(DecisionTableTest, GapsOverlapsAndUnreachableRowsAreCompileErrors) {
  EXPECT_EQ(Error(R"yaml(name: t
inputs: [score]
rows:
  - {when: ["< 600"], then: {limit: 0}}
  - {when: ["> 650"], then: {limit: 1}}
)yaml"),
            "line 4:3: tables[0].rows: table 't' has a gap: no row matches score = 600 (add "
            "rows or a default)");
  EXPECT_EQ(Error(R"yaml(name: t
hit_policy: unique
inputs: [score]
rows:
  - {when: ["<= 600"], then: {limit: 0}}
  - {when: [">= 600"], then: {limit: 1}}
)yaml"),
            "line 5:3: tables[0].rows: rows[0] and rows[1] overlap at score = 600 (hit_policy "
            "unique)");
  EXPECT_EQ(Error(R"yaml(name: t
inputs: [score, product]
rows:
  - {when: ["-", "-"], then: {limit: 0}}
  - {when: ["> 1", "a"], then: {limit: 1}}
)yaml"),
            "line 5:5: tables[0].rows[1]: this row is never reached: earlier rows match "
            "everything it matches");
  EXPECT_EQ(Error(R"yaml(name: t
inputs: [score]
rows:
  - {when: ["[1, x)"], then: {limit: 0}}
)yaml"),
            "line 4:13: tables[0].rows[0].when[0]: '[1, x)' is not a number interval (e.g. [600, "
            "700)) cell");
  EXPECT_EQ(Error(R"yaml(name: t
inputs: [score]
rows:
  - {when: ["-"], then: {limit: 0}}
  - {when: ["-"], then: {limit: "'x'"}}
)yaml"),
            "line 5:34: tables[0].rows[1].then.limit: the expression is text, expected number");
  EXPECT_EQ(Error("name: t\ninputs: [scor]\nrows: [{when: ['-'], then: {a: 1}}]\n"),
            "line 2:10: tables[0].inputs[0]: unknown name 'scor'");
  // A default closes gaps.
  EXPECT_TRUE(Compile("name: t\ninputs: [score]\ndefault: {limit: 0}\n"
                      "rows: [{when: ['> 650'], then: {limit: 1}}]\n")
                  .ok());
}

}  // namespace
}  // namespace finbrain::decision
