// The compiled form of an expression: a tree of typed nodes, shared by the parser (which
// folds constants by evaluating them) and evaluation. Private to src/expr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expr/expr.h"

namespace finbrain::expr {

enum class Op : std::uint8_t {
  kConst,
  kSlot,
  kNeg,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kIn,
  kNotIn,
  kMin,
  kMax,
  kAbs,
  kLog,
  kExp,
  kSqrt,
  kFloor,
  kCeil,
  kRound,
  kClamp,
  kBetween,
  kCoalesce,
  kIsMissing,
  kIf,
  kContains,
  kStartsWith,
  kEndsWith,
  kLen,
};

struct Expression::Node {
  Op op = Op::kConst;
  Type type = Type::kNumber;
  Value constant;  // kConst
  int slot = -1;   // kSlot
  int height = 1;  // levels from here to the deepest leaf (bounded by the parser)
  std::vector<std::shared_ptr<Node>> kids;
  std::vector<Value> list;           // kIn / kNotIn: the literal members
  std::vector<std::string> storage;  // text the constants view (never resized after views)
};

namespace internal {

using Node = Expression::Node;
using NodePtr = std::shared_ptr<Node>;

// The value of `node` for the slots of `frame` (total: never fails, see expr.h).
Value Eval(const Node& node, const Frame& frame);

}  // namespace internal
}  // namespace finbrain::expr
