// libFuzzer target: bytes -> the expression language (parse, type-check, constant-fold, evaluate).
// Any crash, sanitizer report or stack overflow is a bug; deep nesting must be a compile error.
#include <cstdint>
#include <string_view>

#include "expr/expr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  using namespace finbrain::expr;
  static const Scope* scope = [] {
    auto* s = new Scope();
    (void)s->Declare("app.amount", Type::kNumber);
    (void)s->Declare("app.channel", Type::kText);
    (void)s->Declare("lists.blacklisted", Type::kBool);
    return s;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = Expression::Compile(text, *scope, {.line = 3, .column = 7, .source = "fuzz"});
  if (!compiled.ok()) return 0;
  Frame frame(*scope);
  (void)compiled->Eval(frame);  // all missing
  frame.values[0] = Value::Number(5000);
  frame.values[1] = Value::Text("app");
  frame.values[2] = Value::Bool(true);
  (void)compiled->Eval(frame);
  return 0;
}
