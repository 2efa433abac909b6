// The expression language of feature filters and decision strategies.
//
// An expression is parsed, type-checked against a Scope (the names it may read, with their
// types) and compiled once; evaluating it afterwards touches no text. Syntax:
//
//   bureau.score < 600 and features.apps_per_phone_7d >= 3
//   requested_amount / coalesce(declared_income, 1) > 20
//   channel in ['app', 'web'] and not is_missing(device_id)
//   if(model.pd > 0.1, 'high', 'low')
//
// Operators, loosest first: `or`, `and`, `not`, comparisons (== != < <= > >= in, not in),
// `+ -`, `* / %`, unary `-`. Also `&&`, `||`, `!`. Literals: numbers, 'text' or "text", true,
// false, [lists] after `in`. Functions: min, max, abs, log, exp, sqrt, floor, ceil,
// round(x[, digits]), clamp(x, lo, hi), between(x, lo, hi), coalesce(x, y, ...),
// is_missing(x), if(cond, a, b), contains(s, sub), starts_with(s, p), ends_with(s, p), len(s).
//
// Missing values (an absent field or feature) follow SQL's three-valued logic, so that every
// expression has a defined result and never fails at run time:
//   - arithmetic with a missing operand is missing; division or modulo by zero is missing;
//     log/sqrt outside their domain are missing;
//   - comparisons and `in` with a missing operand are missing;
//   - `false and missing` is false, `true or missing` is true, otherwise missing propagates;
//   - a condition (a rule, a filter, if()) holds only when it is true: missing counts as not
//     holding.
// Type errors (adding text to a number, `and` on numbers, an unknown name) are compile errors
// with line:column, computed from the origin the caller gives (the expression's place in its
// YAML file).
//
// Thread-safety: a compiled Expression is immutable; evaluate it from any number of threads,
// each with its own Frame.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace finbrain::expr {

enum class Type : std::uint8_t { kNumber, kBool, kText };
std::string_view TypeName(Type type);

// A runtime value. Text is a view: into the Frame's inputs (the caller keeps them alive for the
// evaluation) or into the compiled expression's constants.
struct Value {
  Type type = Type::kNumber;
  bool missing = true;
  double number = 0;  // kNumber; kBool as 0/1
  std::string_view text;

  static Value Missing(Type type) { return {.type = type}; }
  static Value Number(double v) { return {.type = Type::kNumber, .missing = false, .number = v}; }
  static Value Bool(bool v) {
    return {.type = Type::kBool, .missing = false, .number = v ? 1.0 : 0.0};
  }
  static Value Text(std::string_view v) {
    return {.type = Type::kText, .missing = false, .text = v};
  }
  bool truthy() const { return !missing && number != 0; }  // kBool: holds only when true
};

// The names an expression may read, each bound to a slot of the Frame.
class Scope {
 public:
  // Adds `name` (dotted names are one name: "bureau.score") and returns its slot. Declaring a
  // name twice with the same type returns the first slot; with another type it is an error.
  StatusOr<int> Declare(std::string_view name, Type type);
  struct Entry {
    int slot;
    Type type;
  };
  const Entry* Find(std::string_view name) const;
  size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  Type type_of(int slot) const { return types_[size_t(slot)]; }

 private:
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::string> names_;
  std::vector<Type> types_;
};

// Slot values for one evaluation; all missing until set.
struct Frame {
  explicit Frame(const Scope& scope) {
    values.reserve(scope.size());
    for (size_t i = 0; i < scope.size(); ++i)
      values.push_back(Value::Missing(scope.type_of(int(i))));
  }
  std::vector<Value> values;
};

// Where an expression's text starts in its source file, for error positions.
struct Origin {
  int line = 1;
  int column = 1;
  std::string source;  // "rules[2].when": named in errors ("line 7:12: rules[2].when: ...")
};

class Expression {
 public:
  // Parses and type-checks `text`. With `expected`, the result must have that type.
  static StatusOr<Expression> Compile(std::string_view text, const Scope& scope,
                                      const Origin& origin = {}, const Type* expected = nullptr);

  Value Eval(const Frame& frame) const;
  // For conditions: true only when the value is a true bool (missing does not hold).
  bool Holds(const Frame& frame) const { return Eval(frame).truthy(); }

  Type type() const;
  // The slots the expression reads (sorted, unique): dependency order of derived variables.
  const std::vector<int>& reads() const;
  const std::string& text() const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  std::shared_ptr<const std::vector<int>> reads_;
  std::shared_ptr<const std::string> text_;
};

}  // namespace finbrain::expr
