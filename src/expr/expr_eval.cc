// Evaluation of compiled expressions: missing values, division by zero and domain errors as
// expr.h defines them.
#include <algorithm>
#include <cmath>

#include "expr/internal/node.h"

namespace finbrain::expr::internal {
namespace {

Value Compare(Op op, const Value& a, const Value& b) {
  if (a.missing || b.missing) return Value::Missing(Type::kBool);
  if (a.type == Type::kText) {
    const int c = a.text.compare(b.text);
    switch (op) {
      case Op::kEq:
        return Value::Bool(c == 0);
      case Op::kNe:
        return Value::Bool(c != 0);
      case Op::kLt:
        return Value::Bool(c < 0);
      case Op::kLe:
        return Value::Bool(c <= 0);
      case Op::kGt:
        return Value::Bool(c > 0);
      default:
        return Value::Bool(c >= 0);
    }
  }
  switch (op) {
    case Op::kEq:
      return Value::Bool(a.number == b.number);
    case Op::kNe:
      return Value::Bool(a.number != b.number);
    case Op::kLt:
      return Value::Bool(a.number < b.number);
    case Op::kLe:
      return Value::Bool(a.number <= b.number);
    case Op::kGt:
      return Value::Bool(a.number > b.number);
    default:
      return Value::Bool(a.number >= b.number);
  }
}

Value NumberOrMissing(double v) {
  return std::isfinite(v) ? Value::Number(v) : Value::Missing(Type::kNumber);
}

}  // namespace

Value Eval(const Node& n, const Frame& frame) {
  const auto kid = [&](size_t i) { return Eval(*n.kids[i], frame); };
  switch (n.op) {
    case Op::kConst:
      return n.constant;
    case Op::kSlot:
      return frame.values[size_t(n.slot)];
    case Op::kNeg: {
      Value a = kid(0);
      if (!a.missing) a.number = -a.number;
      return a;
    }
    case Op::kNot: {
      Value a = kid(0);
      if (!a.missing) a.number = a.number != 0 ? 0 : 1;
      return a;
    }
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kMod: {
      const Value a = kid(0), b = kid(1);
      if (a.missing || b.missing) return Value::Missing(Type::kNumber);
      switch (n.op) {
        case Op::kAdd:
          return NumberOrMissing(a.number + b.number);
        case Op::kSub:
          return NumberOrMissing(a.number - b.number);
        case Op::kMul:
          return NumberOrMissing(a.number * b.number);
        case Op::kDiv:
          return b.number == 0 ? Value::Missing(Type::kNumber)
                               : NumberOrMissing(a.number / b.number);
        default:
          return b.number == 0 ? Value::Missing(Type::kNumber)
                               : NumberOrMissing(std::fmod(a.number, b.number));
      }
    }
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      return Compare(n.op, kid(0), kid(1));
    case Op::kAnd: {
      const Value a = kid(0);
      if (!a.missing && a.number == 0) return Value::Bool(false);
      const Value b = kid(1);
      if (!b.missing && b.number == 0) return Value::Bool(false);
      if (a.missing || b.missing) return Value::Missing(Type::kBool);
      return Value::Bool(true);
    }
    case Op::kOr: {
      const Value a = kid(0);
      if (!a.missing && a.number != 0) return Value::Bool(true);
      const Value b = kid(1);
      if (!b.missing && b.number != 0) return Value::Bool(true);
      if (a.missing || b.missing) return Value::Missing(Type::kBool);
      return Value::Bool(false);
    }
    case Op::kIn:
    case Op::kNotIn: {
      const Value a = kid(0);
      if (a.missing) return Value::Missing(Type::kBool);
      bool found = false;
      for (const Value& m : n.list) {
        if (Compare(Op::kEq, a, m).truthy()) {
          found = true;
          break;
        }
      }
      return Value::Bool(found == (n.op == Op::kIn));
    }
    case Op::kMin:
    case Op::kMax: {
      Value best = Value::Missing(Type::kNumber);
      for (size_t i = 0; i < n.kids.size(); ++i) {
        const Value v = kid(i);
        if (v.missing) return Value::Missing(Type::kNumber);
        if (best.missing || (n.op == Op::kMin ? v.number < best.number : v.number > best.number))
          best = v;
      }
      return best;
    }
    case Op::kAbs:
    case Op::kLog:
    case Op::kExp:
    case Op::kSqrt:
    case Op::kFloor:
    case Op::kCeil: {
      const Value a = kid(0);
      if (a.missing) return a;
      switch (n.op) {
        case Op::kAbs:
          return Value::Number(std::fabs(a.number));
        case Op::kLog:
          return a.number > 0 ? Value::Number(std::log(a.number)) : Value::Missing(Type::kNumber);
        case Op::kExp:
          return NumberOrMissing(std::exp(a.number));
        case Op::kSqrt:
          return a.number >= 0 ? Value::Number(std::sqrt(a.number)) : Value::Missing(Type::kNumber);
        case Op::kFloor:
          return Value::Number(std::floor(a.number));
        default:
          return Value::Number(std::ceil(a.number));
      }
    }
    case Op::kRound: {
      const Value a = kid(0);
      const Value digits = n.kids.size() > 1 ? kid(1) : Value::Number(0);
      if (a.missing || digits.missing) return Value::Missing(Type::kNumber);
      const double scale = std::pow(10.0, std::clamp(std::round(digits.number), -12.0, 12.0));
      return NumberOrMissing(std::round(a.number * scale) / scale);
    }
    case Op::kClamp:
    case Op::kBetween: {
      const Value x = kid(0), lo = kid(1), hi = kid(2);
      if (x.missing || lo.missing || hi.missing) return Value::Missing(n.type);
      if (n.op == Op::kBetween) return Value::Bool(x.number >= lo.number && x.number <= hi.number);
      return Value::Number(std::max(lo.number, std::min(hi.number, x.number)));
    }
    case Op::kCoalesce: {
      for (size_t i = 0; i < n.kids.size(); ++i) {
        const Value v = kid(i);
        if (!v.missing) return v;
      }
      return Value::Missing(n.type);
    }
    case Op::kIsMissing:
      return Value::Bool(kid(0).missing);
    case Op::kIf:
      return kid(0).truthy() ? kid(1) : kid(2);
    case Op::kContains:
    case Op::kStartsWith:
    case Op::kEndsWith: {
      const Value s = kid(0), p = kid(1);
      if (s.missing || p.missing) return Value::Missing(Type::kBool);
      if (n.op == Op::kContains) return Value::Bool(s.text.find(p.text) != std::string_view::npos);
      if (n.op == Op::kStartsWith) return Value::Bool(s.text.starts_with(p.text));
      return Value::Bool(s.text.ends_with(p.text));
    }
    case Op::kLen: {
      const Value s = kid(0);
      if (s.missing) return Value::Missing(Type::kNumber);
      // Characters, not bytes: count UTF-8 lead bytes.
      size_t chars = 0;
      for (unsigned char c : s.text) chars += (c & 0xC0) != 0x80;
      return Value::Number(double(chars));
    }
  }
  return Value::Missing(n.type);
}

}  // namespace finbrain::expr::internal
