#include "expr/expr.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "expr/internal/node.h"

namespace finbrain::expr {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNumber:
      return "number";
    case Type::kBool:
      return "bool";
    case Type::kText:
      return "text";
  }
  return "?";
}

StatusOr<int> Scope::Declare(std::string_view name, Type type) {
  std::string key(name);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.type != type) {
      return InvalidArgumentError("'" + key + "' is declared as " +
                                  std::string(TypeName(it->second.type)) + " and as " +
                                  std::string(TypeName(type)));
    }
    return it->second.slot;
  }
  const int slot = int(names_.size());
  entries_.emplace(key, Entry{slot, type});
  names_.push_back(std::move(key));
  types_.push_back(type);
  return slot;
}

const Scope::Entry* Scope::Find(std::string_view name) const {
  auto it = entries_.find(std::string(name));
  return it == entries_.end() ? nullptr : &it->second;
}

namespace {

using internal::Eval;
using internal::Node;
using internal::NodePtr;

// ---- Lexer -------------------------------------------------------------------------------

enum class Tok { kNumber, kText, kName, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // names, punctuation, decoded text literals
  double number = 0;
  size_t offset = 0;
};

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Nesting beyond this is refused with a compile error: parsing, constant folding, evaluation
// and destruction all recurse on it, so unbounded user input could overflow the stack. Real
// rules nest a handful of levels.
constexpr int kMaxNesting = 256;

class Parser {
 public:
  Parser(std::string_view text, const Scope& scope, const Origin& origin)
      : text_(text), scope_(scope), origin_(origin) {}

  StatusOr<NodePtr> Parse() {
    FB_RETURN_IF_ERROR(Lex());
    FB_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    if (Peek().kind != Tok::kEnd) return Error(Peek().offset, "unexpected '" + Peek().text + "'");
    return root;
  }

  Status Error(size_t offset, std::string what) const {
    int line = origin_.line, column = origin_.column;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    std::string message = "line " + std::to_string(line) + ":" + std::to_string(column) + ": ";
    if (!origin_.source.empty()) message += origin_.source + ": ";
    message += what;
    return InvalidArgumentError(std::move(message), origin_.source);
  }

 private:
  Status Lex() {
    size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      Token t;
      t.offset = i;
      if (i == text_.size()) {
        tokens_.push_back(t);
        return OkStatus();
      }
      const char c = text_[i];
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && i + 1 < text_.size() &&
           std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t end = i;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                      text_[end] == '.' || text_[end] == '_' ||
                                      ((text_[end] == '+' || text_[end] == '-') &&
                                       (text_[end - 1] == 'e' || text_[end - 1] == 'E')))) {
          ++end;
        }
        std::string digits;
        for (size_t k = i; k < end; ++k) {
          if (text_[k] != '_') digits += text_[k];
        }
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), t.number);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(t.number))
          return Error(i, "'" + std::string(text_.substr(i, end - i)) + "' is not a number");
        t.kind = Tok::kNumber;
        t.text = std::string(text_.substr(i, end - i));
        i = end;
      } else if (c == '\'' || c == '"') {
        size_t k = i + 1;
        std::string value;
        while (k < text_.size() && text_[k] != c) {
          if (text_[k] == '\\' && k + 1 < text_.size()) ++k;
          value += text_[k++];
        }
        if (k == text_.size()) return Error(i, "unterminated text literal");
        t.kind = Tok::kText;
        t.text = std::move(value);
        i = k + 1;
      } else if (NameStart(c)) {
        size_t end = i;
        while (end < text_.size()) {
          if (NameChar(text_[end])) {
            ++end;
          } else if (text_[end] == '.' && end + 1 < text_.size() && NameStart(text_[end + 1])) {
            ++end;
          } else {
            break;
          }
        }
        t.kind = Tok::kName;
        t.text = std::string(text_.substr(i, end - i));
        i = end;
      } else {
        static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "&&", "||"};
        t.kind = Tok::kPunct;
        for (std::string_view two : kTwo) {
          if (text_.substr(i, 2) == two) t.text = std::string(two);
        }
        if (t.text.empty()) {
          if (std::string_view("+-*/%<>!()[],=").find(c) == std::string_view::npos) {
            return Error(i, "unexpected character '" + std::string(1, c) + "'");
          }
          if (c == '=') return Error(i, "'=' is not an operator; compare with '=='");
          t.text = std::string(1, c);
        }
        i += t.text.size();
      }
      tokens_.push_back(std::move(t));
    }
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsPunct(std::string_view p) const { return Peek().kind == Tok::kPunct && Peek().text == p; }
  bool IsWord(std::string_view w) const { return Peek().kind == Tok::kName && Peek().text == w; }
  Status Expect(std::string_view p) {
    if (!IsPunct(p)) {
      const std::string got = Peek().kind == Tok::kEnd ? "the end" : "'" + Peek().text + "'";
      return Error(Peek().offset, "expected '" + std::string(p) + "', found " + got);
    }
    Next();
    return OkStatus();
  }

  StatusOr<NodePtr> Make(Op op, Type type, std::vector<NodePtr> kids, size_t at) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->type = type;
    for (const NodePtr& kid : kids) n->height = std::max(n->height, kid->height + 1);
    if (n->height > kMaxNesting) return TooDeep(at);
    n->kids = std::move(kids);
    return Fold(std::move(n));
  }

  Status TooDeep(size_t at) const {
    return Error(at, "the expression nests more than " + std::to_string(kMaxNesting) +
                         " levels deep; split it into variables");
  }

  // Counts the parser's own recursion (parentheses, `not`, unary minus, call arguments).
  class Nesting {
   public:
    explicit Nesting(int& depth) : depth_(depth) { ++depth_; }
    ~Nesting() { --depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool too_deep() const { return depth_ > kMaxNesting; }

   private:
    int& depth_;
  };

  // Operations on constants are done once, here.
  static NodePtr Fold(NodePtr n) {
    if (n->op == Op::kConst || n->op == Op::kSlot) return n;
    for (const NodePtr& k : n->kids) {
      if (k->op != Op::kConst) return n;
    }
    Scope empty;
    const Value v = Eval(*n, Frame(empty));
    auto folded = std::make_shared<Node>();
    folded->type = n->type;
    folded->constant = v;
    if (v.type == Type::kText && !v.missing) {
      folded->storage.emplace_back(v.text);
      folded->constant.text = folded->storage.front();
    }
    return folded;
  }

  Status Want(const NodePtr& n, Type type, size_t offset, std::string_view what) {
    if (n->type == type) return OkStatus();
    return Error(offset, std::string(what) + " needs " + std::string(TypeName(type)) + ", got " +
                             std::string(TypeName(n->type)));
  }

  StatusOr<NodePtr> ParseOr() {
    FB_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    while (IsWord("or") || IsPunct("||")) {
      const size_t at = Next().offset;
      FB_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      FB_RETURN_IF_ERROR(Want(left, Type::kBool, at, "'or'"));
      FB_RETURN_IF_ERROR(Want(right, Type::kBool, at, "'or'"));
      FB_ASSIGN_OR_RETURN(left, Make(Op::kOr, Type::kBool, {left, right}, at));
    }
    return left;
  }

  StatusOr<NodePtr> ParseAnd() {
    FB_ASSIGN_OR_RETURN(NodePtr left, ParseNot());
    while (IsWord("and") || IsPunct("&&")) {
      const size_t at = Next().offset;
      FB_ASSIGN_OR_RETURN(NodePtr right, ParseNot());
      FB_RETURN_IF_ERROR(Want(left, Type::kBool, at, "'and'"));
      FB_RETURN_IF_ERROR(Want(right, Type::kBool, at, "'and'"));
      FB_ASSIGN_OR_RETURN(left, Make(Op::kAnd, Type::kBool, {left, right}, at));
    }
    return left;
  }

  StatusOr<NodePtr> ParseNot() {
    if (IsWord("not") || IsPunct("!")) {
      const Nesting nesting(depth_);
      const size_t at = Next().offset;
      if (nesting.too_deep()) return TooDeep(at);
      FB_ASSIGN_OR_RETURN(NodePtr operand, ParseNot());
      FB_RETURN_IF_ERROR(Want(operand, Type::kBool, at, "'not'"));
      return Make(Op::kNot, Type::kBool, {operand}, at);
    }
    return ParseComparison();
  }

  StatusOr<NodePtr> ParseComparison() {
    FB_ASSIGN_OR_RETURN(NodePtr left, ParseSum());
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::kEq}, {"!=", Op::kNe},
                                                               {"<", Op::kLt},  {"<=", Op::kLe},
                                                               {">", Op::kGt},  {">=", Op::kGe}};
    for (const auto& [symbol, op] : kOps) {
      if (!IsPunct(symbol)) continue;
      const size_t at = Next().offset;
      FB_ASSIGN_OR_RETURN(NodePtr right, ParseSum());
      if (left->type != right->type) {
        return Error(at, "cannot compare " + std::string(TypeName(left->type)) + " with " +
                             std::string(TypeName(right->type)));
      }
      if (left->type == Type::kBool && op != Op::kEq && op != Op::kNe) {
        return Error(at, "'" + std::string(symbol) + "' does not order bools");
      }
      return Make(op, Type::kBool, {left, right}, at);
    }
    const bool negated =
        IsWord("not") && tokens_[pos_ + 1].kind == Tok::kName && tokens_[pos_ + 1].text == "in";
    if (negated || IsWord("in")) {
      const size_t at = Next().offset;
      if (negated) Next();
      return ParseList(left, negated ? Op::kNotIn : Op::kIn, at);
    }
    return left;
  }

  StatusOr<NodePtr> ParseList(NodePtr left, Op op, size_t at) {
    FB_RETURN_IF_ERROR(Expect("["));
    auto n = std::make_shared<Node>();
    n->op = op;
    n->type = Type::kBool;
    n->height = left->height + 1;
    if (n->height > kMaxNesting) return TooDeep(at);
    n->kids = {left};
    std::vector<Token> members;
    while (!IsPunct("]")) {
      const Token& t = Next();
      const bool negative = t.kind == Tok::kPunct && t.text == "-" && Peek().kind == Tok::kNumber;
      Token member = negative ? Next() : t;
      if (negative) member.number = -member.number;
      if (member.kind != Tok::kNumber && member.kind != Tok::kText) {
        return Error(t.offset, "a list after 'in' holds only number or text literals");
      }
      const Type type = member.kind == Tok::kNumber ? Type::kNumber : Type::kText;
      if (type != left->type) {
        return Error(t.offset, "list member is " + std::string(TypeName(type)) +
                                   ", but the value is " + std::string(TypeName(left->type)));
      }
      members.push_back(std::move(member));
      if (!IsPunct("]")) FB_RETURN_IF_ERROR(Expect(","));
    }
    Next();
    if (members.empty()) return Error(at, "'in' needs a non-empty list");
    n->storage.reserve(members.size());
    for (const Token& m : members) {
      if (m.kind == Tok::kNumber) {
        n->list.push_back(Value::Number(m.number));
      } else {
        n->storage.push_back(m.text);
        n->list.push_back(Value::Text(n->storage.back()));
      }
    }
    return Fold(n);
  }

  StatusOr<NodePtr> ParseSum() {
    FB_ASSIGN_OR_RETURN(NodePtr left, ParseProduct());
    while (IsPunct("+") || IsPunct("-")) {
      const Token& t = Next();
      const Op op = t.text == "+" ? Op::kAdd : Op::kSub;
      const size_t at = t.offset;
      FB_ASSIGN_OR_RETURN(NodePtr right, ParseProduct());
      FB_RETURN_IF_ERROR(Arithmetic(left, right, at, op == Op::kAdd ? "'+'" : "'-'"));
      FB_ASSIGN_OR_RETURN(left, Make(op, Type::kNumber, {left, right}, at));
    }
    return left;
  }

  StatusOr<NodePtr> ParseProduct() {
    FB_ASSIGN_OR_RETURN(NodePtr left, ParseUnary());
    while (IsPunct("*") || IsPunct("/") || IsPunct("%")) {
      const Token& t = Next();
      const Op op = t.text == "*" ? Op::kMul : t.text == "/" ? Op::kDiv : Op::kMod;
      const std::string what = "'" + t.text + "'";
      const size_t at = t.offset;
      FB_ASSIGN_OR_RETURN(NodePtr right, ParseUnary());
      FB_RETURN_IF_ERROR(Arithmetic(left, right, at, what));
      FB_ASSIGN_OR_RETURN(left, Make(op, Type::kNumber, {left, right}, at));
    }
    return left;
  }

  Status Arithmetic(const NodePtr& a, const NodePtr& b, size_t at, std::string_view what) {
    FB_RETURN_IF_ERROR(Want(a, Type::kNumber, at, what));
    return Want(b, Type::kNumber, at, what);
  }

  StatusOr<NodePtr> ParseUnary() {
    if (IsPunct("-")) {
      const Nesting nesting(depth_);
      const size_t at = Next().offset;
      if (nesting.too_deep()) return TooDeep(at);
      FB_ASSIGN_OR_RETURN(NodePtr operand, ParseUnary());
      FB_RETURN_IF_ERROR(Want(operand, Type::kNumber, at, "'-'"));
      return Make(Op::kNeg, Type::kNumber, {operand}, at);
    }
    return ParsePrimary();
  }

  StatusOr<NodePtr> ParsePrimary() {
    const Token t = Next();
    switch (t.kind) {
      case Tok::kNumber: {
        auto n = std::make_shared<Node>();
        n->constant = Value::Number(t.number);
        return n;
      }
      case Tok::kText: {
        auto n = std::make_shared<Node>();
        n->type = Type::kText;
        n->storage.push_back(t.text);
        n->constant = Value::Text(n->storage.front());
        return n;
      }
      case Tok::kName: {
        if (t.text == "true" || t.text == "false") {
          auto n = std::make_shared<Node>();
          n->type = Type::kBool;
          n->constant = Value::Bool(t.text == "true");
          return n;
        }
        if (IsPunct("(")) return ParseCall(t);
        const Scope::Entry* entry = scope_.Find(t.text);
        if (entry == nullptr) return Error(t.offset, "unknown name '" + t.text + "'");
        auto n = std::make_shared<Node>();
        n->op = Op::kSlot;
        n->slot = entry->slot;
        n->type = entry->type;
        reads_.insert(entry->slot);
        return n;
      }
      case Tok::kPunct:
        if (t.text == "(") {
          const Nesting nesting(depth_);
          if (nesting.too_deep()) return TooDeep(t.offset);
          FB_ASSIGN_OR_RETURN(NodePtr inner, ParseOr());
          FB_RETURN_IF_ERROR(Expect(")"));
          return inner;
        }
        return Error(t.offset, "unexpected '" + t.text + "'");
      case Tok::kEnd:
        break;
    }
    return Error(t.offset, "expression ends too early");
  }

  struct Function {
    std::string_view name;
    Op op;
    size_t min_args, max_args;
  };

  StatusOr<NodePtr> ParseCall(const Token& name) {
    static constexpr Function kFunctions[] = {{"min", Op::kMin, 1, 64},
                                              {"max", Op::kMax, 1, 64},
                                              {"abs", Op::kAbs, 1, 1},
                                              {"log", Op::kLog, 1, 1},
                                              {"exp", Op::kExp, 1, 1},
                                              {"sqrt", Op::kSqrt, 1, 1},
                                              {"floor", Op::kFloor, 1, 1},
                                              {"ceil", Op::kCeil, 1, 1},
                                              {"round", Op::kRound, 1, 2},
                                              {"clamp", Op::kClamp, 3, 3},
                                              {"between", Op::kBetween, 3, 3},
                                              {"coalesce", Op::kCoalesce, 1, 64},
                                              {"is_missing", Op::kIsMissing, 1, 1},
                                              {"if", Op::kIf, 3, 3},
                                              {"contains", Op::kContains, 2, 2},
                                              {"starts_with", Op::kStartsWith, 2, 2},
                                              {"ends_with", Op::kEndsWith, 2, 2},
                                              {"len", Op::kLen, 1, 1}};
    const Function* fn = nullptr;
    for (const Function& f : kFunctions) {
      if (f.name == name.text) fn = &f;
    }
    if (fn == nullptr) return Error(name.offset, "unknown function '" + name.text + "'");
    const Nesting nesting(depth_);
    if (nesting.too_deep()) return TooDeep(name.offset);
    FB_RETURN_IF_ERROR(Expect("("));
    std::vector<NodePtr> args;
    std::vector<size_t> at;
    while (!IsPunct(")")) {
      at.push_back(Peek().offset);
      FB_ASSIGN_OR_RETURN(NodePtr arg, ParseOr());
      args.push_back(std::move(arg));
      if (!IsPunct(")")) FB_RETURN_IF_ERROR(Expect(","));
    }
    Next();
    if (args.size() < fn->min_args || args.size() > fn->max_args) {
      std::string want = std::to_string(fn->min_args);
      if (fn->max_args != fn->min_args) {
        want += fn->max_args > 8 ? " or more" : " to " + std::to_string(fn->max_args);
      }
      return Error(name.offset, name.text + "() takes " + want + " argument" +
                                    (fn->max_args == 1 ? "" : "s") + ", got " +
                                    std::to_string(args.size()));
    }
    const std::string what = name.text + "()";
    Type type = Type::kNumber;
    switch (fn->op) {
      case Op::kCoalesce:
        type = args[0]->type;
        for (size_t i = 1; i < args.size(); ++i)
          FB_RETURN_IF_ERROR(Want(args[i], type, at[i], what));
        break;
      case Op::kIsMissing:
        type = Type::kBool;
        break;
      case Op::kIf:
        FB_RETURN_IF_ERROR(Want(args[0], Type::kBool, at[0], what + "'s condition"));
        FB_RETURN_IF_ERROR(Want(args[2], args[1]->type, at[2], what + "'s else branch"));
        type = args[1]->type;
        break;
      case Op::kContains:
      case Op::kStartsWith:
      case Op::kEndsWith:
        for (size_t i = 0; i < args.size(); ++i)
          FB_RETURN_IF_ERROR(Want(args[i], Type::kText, at[i], what));
        type = Type::kBool;
        break;
      case Op::kLen:
        FB_RETURN_IF_ERROR(Want(args[0], Type::kText, at[0], what));
        break;
      default:
        for (size_t i = 0; i < args.size(); ++i)
          FB_RETURN_IF_ERROR(Want(args[i], Type::kNumber, at[i], what));
        type = fn->op == Op::kBetween ? Type::kBool : Type::kNumber;
    }
    return Make(fn->op, type, std::move(args), name.offset);
  }

 public:
  std::set<int> reads_;

 private:
  std::string_view text_;
  const Scope& scope_;
  const Origin& origin_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

StatusOr<Expression> Expression::Compile(std::string_view text, const Scope& scope,
                                         const Origin& origin, const Type* expected) {
  Parser parser(text, scope, origin);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return parser.Error(0, "empty expression");
  }
  FB_ASSIGN_OR_RETURN(NodePtr root, parser.Parse());
  if (expected != nullptr && root->type != *expected) {
    return parser.Error(0, "the expression is " + std::string(TypeName(root->type)) +
                               ", expected " + std::string(TypeName(*expected)));
  }
  Expression e;
  e.root_ = std::move(root);
  e.reads_ = std::make_shared<const std::vector<int>>(parser.reads_.begin(), parser.reads_.end());
  e.text_ = std::make_shared<const std::string>(text);
  return e;
}

Value Expression::Eval(const Frame& frame) const { return internal::Eval(*root_, frame); }
Type Expression::type() const { return root_->type; }
const std::vector<int>& Expression::reads() const { return *reads_; }
const std::string& Expression::text() const { return *text_; }

}  // namespace finbrain::expr
