#include "expr/expr.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <deque>
#include <map>

namespace finbrain::expr {
namespace {

class ExprTest : public ::testing::Test {
 protected:
  void SetUp() override {
    score_ = *scope_.Declare("bureau.score", Type::kNumber);
    income_ = *scope_.Declare("declared_income", Type::kNumber);
    amount_ = *scope_.Declare("requested_amount", Type::kNumber);
    channel_ = *scope_.Declare("channel", Type::kText);
    new_device_ = *scope_.Declare("new_device", Type::kBool);
  }

  Value Run(std::string_view text, const Frame& frame) {
    auto e = Expression::Compile(text, scope_);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
    return e.ok() ? e->Eval(frame) : Value::Missing(Type::kNumber);
  }
  double Num(std::string_view text, const Frame& frame) {
    const Value v = Run(text, frame);
    EXPECT_EQ(v.type, Type::kNumber) << text;
    EXPECT_FALSE(v.missing) << text;
    return v.number;
  }
  std::string CompileError(std::string_view text, Origin origin = {}) {
    auto e = Expression::Compile(text, scope_, origin);
    EXPECT_FALSE(e.ok()) << text;
    return e.ok() ? "" : e.status().message();
  }

  Scope scope_;
  int score_ = 0, income_ = 0, amount_ = 0, channel_ = 0, new_device_ = 0;
};

TEST_F(ExprTest, ArithmeticAndPrecedence) {
  Frame f(scope_);
  f.values[size_t(income_)] = Value::Number(12000);
  f.values[size_t(amount_)] = Value::Number(30000);
  EXPECT_DOUBLE_EQ(Num("1 + 2 * 3", f), 7);
  EXPECT_DOUBLE_EQ(Num("(1 + 2) * 3", f), 9);
  EXPECT_DOUBLE_EQ(Num("-2 * -3 - 1", f), 5);
  EXPECT_DOUBLE_EQ(Num("10 % 4 + 2.5e1", f), 27);
  EXPECT_DOUBLE_EQ(Num("requested_amount / declared_income", f), 2.5);
  EXPECT_DOUBLE_EQ(Num("min(3, requested_amount, 7) + max(1, 2)", f), 5);
  EXPECT_DOUBLE_EQ(Num("round(2.345, 2) + floor(1.9) + ceil(0.1) + abs(-1)", f), 2.35 + 3);
  EXPECT_DOUBLE_EQ(Num("clamp(requested_amount, 0, 20000)", f), 20000);
  EXPECT_DOUBLE_EQ(Num("if(requested_amount > 1000, 1, 2)", f), 1);
  EXPECT_DOUBLE_EQ(Num("len('杭州ab')", f), 4);
}

TEST_F(ExprTest, ConditionsAndText) {
  Frame f(scope_);
  f.values[size_t(channel_)] = Value::Text("app");
  f.values[size_t(score_)] = Value::Number(580);
  f.values[size_t(new_device_)] = Value::Bool(true);
  auto holds = [&](std::string_view text) {
    auto e = Expression::Compile(text, scope_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() && e->Holds(f);
  };
  EXPECT_TRUE(holds("bureau.score < 600 and channel == 'app'"));
  EXPECT_TRUE(holds("channel in ['app', \"web\"] && new_device"));
  EXPECT_TRUE(holds("channel not in ['web'] or false"));
  EXPECT_FALSE(holds("not new_device"));
  EXPECT_TRUE(holds("!(bureau.score >= 600) && between(bureau.score, 500, 600)"));
  EXPECT_TRUE(
      holds("starts_with(channel, 'a') and ends_with(channel, 'p') and contains(channel, 'pp')"));
  EXPECT_TRUE(holds("bureau.score in [500, 580, -1]"));
}

TEST_F(ExprTest, MissingValuesFollowThreeValuedLogic) {
  Frame f(scope_);  // everything missing
  f.values[size_t(amount_)] = Value::Number(5000);
  EXPECT_TRUE(Run("declared_income + 1", f).missing);
  EXPECT_TRUE(Run("bureau.score < 600", f).missing);
  EXPECT_TRUE(Run("channel in ['app']", f).missing);
  EXPECT_FALSE(Run("bureau.score < 600", f).truthy());
  EXPECT_FALSE(Run("not (bureau.score < 600)", f).truthy());  // unknown stays unknown
  // false and unknown = false; true or unknown = true
  EXPECT_TRUE(Run("requested_amount < 0 and bureau.score < 600", f).number == 0);
  EXPECT_FALSE(Run("requested_amount < 0 and bureau.score < 600", f).missing);
  EXPECT_TRUE(Run("requested_amount > 0 or bureau.score < 600", f).truthy());
  EXPECT_TRUE(Run("requested_amount > 0 and bureau.score < 600", f).missing);
  EXPECT_TRUE(Run("is_missing(bureau.score)", f).truthy());
  EXPECT_DOUBLE_EQ(Num("coalesce(bureau.score, declared_income, 600)", f), 600);
  EXPECT_DOUBLE_EQ(Num("if(bureau.score < 600, 1, 2)", f), 2);  // unknown takes the else branch
}

TEST_F(ExprTest, DivisionByZeroAndDomainErrorsAreMissing) {
  Frame f(scope_);
  f.values[size_t(income_)] = Value::Number(0);
  EXPECT_TRUE(Run("100 / declared_income", f).missing);
  EXPECT_TRUE(Run("100 % declared_income", f).missing);
  EXPECT_TRUE(Run("log(declared_income)", f).missing);
  EXPECT_TRUE(Run("sqrt(declared_income - 1)", f).missing);
  EXPECT_TRUE(Run("exp(1000)", f).missing);  // overflow, not inf
  EXPECT_FALSE(Run("100 / declared_income > 5", f).truthy());
}

TEST_F(ExprTest, ReadsListsTheSlotsUsed) {
  auto e = Expression::Compile("coalesce(declared_income, 0) + bureau.score * 2", scope_);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->reads(), (std::vector<int>{score_, income_}));
  auto constant = Expression::Compile("1 + 2 * 3", scope_);
  ASSERT_TRUE(constant.ok());
  EXPECT_TRUE(constant->reads().empty());
}

TEST_F(ExprTest, CompileErrorsNameLineColumnAndProblem) {
  EXPECT_EQ(CompileError("bureau.scor < 600"), "line 1:1: unknown name 'bureau.scor'");
  EXPECT_EQ(CompileError("channel + 1"), "line 1:9: '+' needs number, got text");
  EXPECT_EQ(CompileError("bureau.score == 'x'"), "line 1:14: cannot compare number with text");
  EXPECT_EQ(CompileError("bureau.score and new_device"), "line 1:14: 'and' needs bool, got number");
  EXPECT_EQ(CompileError("bureau.score = 600"),
            "line 1:14: '=' is not an operator; compare with '=='");
  EXPECT_EQ(CompileError("(1 + 2"), "line 1:7: expected ')', found the end");
  EXPECT_EQ(CompileError("foo(1)"), "line 1:1: unknown function 'foo'");
  EXPECT_EQ(CompileError("clamp(1, 2)"), "line 1:1: clamp() takes 3 arguments, got 2");
  EXPECT_EQ(CompileError("channel in ['a', 1]"),
            "line 1:18: list member is number, but the value is text");
  EXPECT_EQ(CompileError("'open"), "line 1:1: unterminated text literal");
  EXPECT_EQ(CompileError("1 2"), "line 1:3: unexpected '2'");
  EXPECT_EQ(CompileError("  "), "line 1:1: empty expression");
  EXPECT_EQ(CompileError("1 $ 2"), "line 1:3: unexpected character '$'");
  // Positions are relative to where the expression sits in its file.
  EXPECT_EQ(CompileError("1 +\n  chanel", {.line = 7, .column = 11, .source = "s.yaml"}),
            "line 8:3: s.yaml: unknown name 'chanel'");
  const Type want = Type::kBool;
  auto typed = Expression::Compile("bureau.score + 1", scope_, {}, &want);
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.status().message(), "line 1:1: the expression is number, expected bool");
}

std::string Repeat(std::string_view piece, size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// Regression: 10,000 nested parentheses or 100,000 `not`s overflowed the stack of the server's
// thread in the recursive parser. Nesting is bounded and answered with a compile error.
TEST_F(ExprTest, DeepNestingIsACompileErrorNotACrash) {
  constexpr size_t kLevels = 100'000;
  const std::string parens = Repeat("(", kLevels) + "1" + Repeat(")", kLevels) + " > 0";
  EXPECT_EQ(CompileError(parens),
            "line 1:257: the expression nests more than 256 levels deep; split it into variables");
  EXPECT_EQ(CompileError(Repeat("not ", kLevels) + "new_device"),
            "line 1:1025: the expression nests more than 256 levels deep; split it into variables");
  EXPECT_EQ(CompileError(Repeat("!", kLevels) + "new_device"),
            "line 1:257: the expression nests more than 256 levels deep; split it into variables");
  EXPECT_EQ(CompileError(Repeat("-", kLevels) + "1 > 0"),
            "line 1:257: the expression nests more than 256 levels deep; split it into variables");
  EXPECT_EQ(CompileError(Repeat("abs(", kLevels) + "1" + Repeat(")", kLevels) + " > 0"),
            "line 1:1025: the expression nests more than 256 levels deep; split it into variables");
  // A long flat chain builds a deep tree too: evaluation and destruction recurse on it.
  const std::string sum = "bureau.score" + Repeat(" + bureau.score", kLevels) + " > 0";
  EXPECT_EQ(CompileError(sum),
            "line 1:3839: the expression nests more than 256 levels deep; split it into "
            "variables");
  EXPECT_EQ(CompileError("new_device" + Repeat(" or new_device", kLevels)),
            "line 1:3582: the expression nests more than 256 levels deep; split it into "
            "variables");
  // Positions count from the expression's place in its file, as for any other error.
  EXPECT_EQ(CompileError(parens, {.line = 4, .column = 15, .source = "rules[0].when"}),
            "line 4:271: rules[0].when: the expression nests more than 256 levels deep; split it "
            "into variables");

  // Nesting up to the limit compiles and evaluates.
  Frame f(scope_);
  f.values[size_t(score_)] = Value::Number(2);
  EXPECT_DOUBLE_EQ(Num(Repeat("(", 200) + "bureau.score" + Repeat(")", 200), f), 2);
  EXPECT_DOUBLE_EQ(Num(Repeat("-", 200) + "bureau.score", f), 2);
  EXPECT_DOUBLE_EQ(Num("bureau.score" + Repeat(" + bureau.score", 200), f), 402);
}

// The golden cases of src/expr/testdata: each expression's value for its inputs, or its error.
TEST(ExprGolden, EveryCaseGivesItsValueOrError) {
  const YAML::Node golden =
      YAML::LoadFile(std::string(FINBRAIN_SOURCE_DIR) + "/src/expr/testdata/expressions.yaml");
  Scope scope;
  std::map<std::string, int> slots;
  for (const auto& entry : golden["scope"]) {
    const std::string type = entry.second.as<std::string>();
    const Type t = type == "number" ? Type::kNumber : type == "bool" ? Type::kBool : Type::kText;
    slots[entry.first.as<std::string>()] = scope.Declare(entry.first.as<std::string>(), t).value();
  }
  size_t cases = 0;
  for (const YAML::Node& c : golden["cases"]) {
    const std::string text = c["expr"].as<std::string>();
    SCOPED_TRACE(text);
    ++cases;
    auto e = Expression::Compile(text, scope);
    if (c["error"]) {
      ASSERT_FALSE(e.ok());
      EXPECT_EQ(e.status().message(), c["error"].as<std::string>());
      continue;
    }
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    Frame frame(scope);
    std::deque<std::string> texts;  // the frame's text values view into these
    for (const auto& input : c["inputs"]) {
      const int slot = slots.at(input.first.as<std::string>());
      const std::string raw = input.second.as<std::string>();
      switch (scope.type_of(slot)) {
        case Type::kNumber:
          frame.values[size_t(slot)] = Value::Number(input.second.as<double>());
          break;
        case Type::kBool:
          frame.values[size_t(slot)] = Value::Bool(raw == "true");
          break;
        case Type::kText:
          frame.values[size_t(slot)] = Value::Text(texts.emplace_back(raw));
      }
    }
    const Value v = e->Eval(frame);
    const YAML::Node want = c["value"];
    if (want.IsNull()) {
      EXPECT_TRUE(v.missing);
    } else if (v.missing) {
      ADD_FAILURE() << "missing, expected " << want.as<std::string>();
    } else if (v.type == Type::kNumber) {
      EXPECT_NEAR(v.number, want.as<double>(), 1e-9);
    } else if (v.type == Type::kBool) {
      EXPECT_EQ(v.truthy(), want.as<std::string>() == "true");
    } else {
      EXPECT_EQ(v.text, want.as<std::string>());
    }
  }
  EXPECT_GE(cases, 60u);
}

TEST_F(ExprTest, ScopeRejectsConflictingTypes) {
  EXPECT_EQ(*scope_.Declare("channel", Type::kText), channel_);
  EXPECT_FALSE(scope_.Declare("channel", Type::kNumber).ok());
}

}  // namespace
}  // namespace finbrain::expr
