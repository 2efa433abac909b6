#include "decision/internal/decision_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "common/strings.h"
#include "common/yaml_helpers.h"

namespace finbrain::decision {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct DecisionTable::Cell {
  bool any = false;
  bool missing_only = false;
  expr::Type type = expr::Type::kNumber;
  double lo = -kInf, hi = kInf;
  bool lo_closed = false, hi_closed = false;
  std::vector<std::string> texts;
  bool flag = false;

  bool Matches(const expr::Value& v) const {
    if (any) return true;
    if (missing_only || v.missing) return missing_only && v.missing;
    switch (type) {
      case expr::Type::kNumber:
        return (v.number > lo || (lo_closed && v.number == lo)) &&
               (v.number < hi || (hi_closed && v.number == hi));
      case expr::Type::kBool:
        return (v.number != 0) == flag;
      case expr::Type::kText:
        return std::find(texts.begin(), texts.end(), v.text) != texts.end();
    }
    return false;
  }
};

struct DecisionTable::Row {
  std::vector<Cell> cells;
  std::vector<expr::Expression> outputs;
  int line = 0;
};

DecisionTable::~DecisionTable() = default;

namespace {

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool ParseNumber(std::string_view text, double& out) {
  const std::string t = Trim(text);
  if (t == "inf" || t == "+inf") {
    out = kInf;
    return true;
  }
  if (t == "-inf") {
    out = -kInf;
    return true;
  }
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && ptr == t.data() + t.size() && !t.empty();
}

std::string NumberText(double v) { return FormatNumber(v); }

StatusOr<DecisionTable::Cell> ParseCell(const std::string& raw, expr::Type type) {
  DecisionTable::Cell cell;
  cell.type = type;
  const std::string text = Trim(raw);
  if (text == "-" || text == "any") {
    cell.any = true;
    return cell;
  }
  if (text == "missing") {
    cell.missing_only = true;
    return cell;
  }
  const auto bad = [&](std::string_view want) {
    return InvalidArgumentError(Quote(text) + " is not a " + std::string(want) + " cell");
  };
  switch (type) {
    case expr::Type::kBool:
      if (text != "true" && text != "false") return bad("bool (true, false, -, missing)");
      cell.flag = text == "true";
      return cell;
    case expr::Type::kText: {
      std::string current;
      bool quoted = false;
      char quote = 0;
      for (char c : text) {
        if (quoted) {
          if (c == quote) {
            quoted = false;
          } else {
            current += c;
          }
        } else if (c == '\'' || c == '"') {
          quoted = true;
          quote = c;
        } else if (c == ',') {
          cell.texts.push_back(Trim(current));
          current.clear();
        } else {
          current += c;
        }
      }
      if (quoted) return bad("text (unterminated quote)");
      cell.texts.push_back(Trim(current));
      for (const std::string& t : cell.texts) {
        if (t.empty()) return bad("text (empty value)");
      }
      return cell;
    }
    case expr::Type::kNumber:
      break;
  }
  double v = 0;
  if (text.front() == '[' || text.front() == '(') {
    const char close = text.back();
    const size_t comma = text.find(',');
    if ((close != ']' && close != ')') || comma == std::string::npos ||
        !ParseNumber(std::string_view(text).substr(1, comma - 1), cell.lo) ||
        !ParseNumber(std::string_view(text).substr(comma + 1, text.size() - comma - 2), cell.hi) ||
        cell.lo > cell.hi) {
      return bad("number interval (e.g. [600, 700))");
    }
    cell.lo_closed = text.front() == '[';
    cell.hi_closed = close == ']';
    return cell;
  }
  static constexpr std::string_view kOps[] = {"<=", ">=", "==", "<", ">", "="};
  for (std::string_view op : kOps) {
    if (!std::string_view(text).starts_with(op)) continue;
    if (!ParseNumber(std::string_view(text).substr(op.size()), v)) return bad("number");
    if (op == "<" || op == "<=") {
      cell.hi = v;
      cell.hi_closed = op == "<=";
    } else if (op == ">" || op == ">=") {
      cell.lo = v;
      cell.lo_closed = op == ">=";
    } else {
      cell.lo = cell.hi = v;
      cell.lo_closed = cell.hi_closed = true;
    }
    return cell;
  }
  if (!ParseNumber(text, v)) return bad("number (e.g. >= 700, [600, 700), 3, -, missing)");
  cell.lo = cell.hi = v;
  cell.lo_closed = cell.hi_closed = true;
  return cell;
}

// One value standing for each region the cells of a column distinguish.
struct Probe {
  expr::Value value;
  std::string text;  // for messages
};

// Every column also gets a missing probe: rows for missing inputs must be reachable, but no
// combination with a missing input counts as a gap.
void AddMissing(std::vector<Probe>& probes, expr::Type type) {
  probes.push_back({expr::Value::Missing(type), "missing"});
}

std::vector<Probe> Probes(const std::vector<const DecisionTable::Cell*>& column, expr::Type type,
                          std::vector<std::string>& storage) {
  std::vector<Probe> probes;
  if (type == expr::Type::kBool) {
    return {{expr::Value::Bool(true), "true"}, {expr::Value::Bool(false), "false"}};
  }
  if (type == expr::Type::kText) {
    std::set<std::string> seen;
    for (const auto* c : column) seen.insert(c->texts.begin(), c->texts.end());
    for (const std::string& t : seen) storage.push_back(t);
    storage.push_back("\x01");
    for (size_t i = storage.size() - seen.size() - 1; i < storage.size(); ++i) {
      const bool other = i + 1 == storage.size();
      probes.push_back(
          {expr::Value::Text(storage[i]), other ? "any other text" : "'" + storage[i] + "'"});
    }
    return probes;
  }
  std::set<double> bounds;
  for (const auto* c : column) {
    if (std::isfinite(c->lo)) bounds.insert(c->lo);
    if (std::isfinite(c->hi)) bounds.insert(c->hi);
  }
  if (bounds.empty()) return {{expr::Value::Number(0), "any number"}};
  const std::vector<double> b(bounds.begin(), bounds.end());
  probes.push_back({expr::Value::Number(b.front() - 1), "< " + NumberText(b.front())});
  for (size_t i = 0; i < b.size(); ++i) {
    probes.push_back({expr::Value::Number(b[i]), NumberText(b[i])});
    if (i + 1 < b.size()) {
      probes.push_back({expr::Value::Number((b[i] + b[i + 1]) / 2),
                        "(" + NumberText(b[i]) + ", " + NumberText(b[i + 1]) + ")"});
    }
  }
  probes.push_back({expr::Value::Number(b.back() + 1), "> " + NumberText(b.back())});
  return probes;
}

}  // namespace

StatusOr<std::shared_ptr<const DecisionTable>> DecisionTable::Compile(const YAML::Node& node,
                                                                      const std::string& path,
                                                                      expr::Scope& scope) {
  FB_RETURN_IF_ERROR(CheckKeys(node, path, {"name", "hit_policy", "inputs", "rows", "default"}));
  std::shared_ptr<DecisionTable> table(new DecisionTable());
  if (!node["name"]) return YamlError(node, path, "missing 'name'");
  FB_RETURN_IF_ERROR(ReadScalar(node, "name", path, table->name_));
  std::string policy = "first";
  FB_RETURN_IF_ERROR(ReadScalar(node, "hit_policy", path, policy));
  if (policy != "first" && policy != "unique") {
    return YamlError(node["hit_policy"], path + ".hit_policy", "must be first or unique");
  }
  table->unique_ = policy == "unique";
  const YAML::Node inputs = node["inputs"];
  if (!inputs || !inputs.IsSequence() || inputs.size() == 0) {
    return YamlError(inputs ? inputs : node, path + ".inputs", "must be a non-empty list");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto [line, column] = ScalarStart(inputs[i]);
    FB_ASSIGN_OR_RETURN(
        expr::Expression e,
        expr::Expression::Compile(inputs[i].as<std::string>(), scope,
                                  {line, column, path + ".inputs[" + std::to_string(i) + "]"}));
    table->inputs_.push_back(std::move(e));
  }
  const YAML::Node rows = node["rows"];
  if (!rows || !rows.IsSequence() || rows.size() == 0) {
    return YamlError(rows ? rows : node, path + ".rows", "must be a non-empty list");
  }
  std::vector<std::string> output_names;
  std::vector<expr::Type> output_types;
  const auto compile_outputs = [&](const YAML::Node& then, const std::string& where,
                                   std::vector<expr::Expression>& out) -> Status {
    if (!then || !then.IsMap() || then.size() == 0) {
      return YamlError(then ? then : node, where, "must map output names to values");
    }
    const bool first = output_names.empty();
    if (!first && then.size() != output_names.size()) {
      return YamlError(then, where, "must give the outputs " + Join(output_names, ", "));
    }
    for (const auto& entry : then) {
      const std::string name = entry.first.as<std::string>();
      size_t index = output_names.size();
      if (first) {
        output_names.push_back(name);
      } else {
        index = size_t(std::find(output_names.begin(), output_names.end(), name) -
                       output_names.begin());
        if (index == output_names.size()) {
          return YamlError(
              entry.first, where + "." + name,
              "unknown output (this table's outputs: " + Join(output_names, ", ") + ")");
        }
      }
      const auto [line, column] = ScalarStart(entry.second);
      const expr::Type* want = first ? nullptr : &output_types[index];
      FB_ASSIGN_OR_RETURN(expr::Expression e,
                          expr::Expression::Compile(entry.second.as<std::string>(), scope,
                                                    {line, column, where + "." + name}, want));
      if (first) output_types.push_back(e.type());
      out.resize(output_names.size());
      out[index] = std::move(e);
    }
    return OkStatus();
  };
  for (size_t r = 0; r < rows.size(); ++r) {
    const YAML::Node row_node = rows[r];
    const std::string where = path + ".rows[" + std::to_string(r) + "]";
    FB_RETURN_IF_ERROR(CheckKeys(row_node, where, {"when", "then"}));
    Row row;
    row.line = row_node.Mark().line + 1;
    const YAML::Node when = row_node["when"];
    if (!when || !when.IsSequence() || when.size() != table->inputs_.size()) {
      return YamlError(
          when ? when : row_node, where + ".when",
          "must be a list of " + std::to_string(table->inputs_.size()) + " cells, one per input");
    }
    for (size_t c = 0; c < when.size(); ++c) {
      StatusOr<Cell> cell = ParseCell(when[c].as<std::string>(), table->inputs_[c].type());
      if (!cell.ok()) {
        return YamlError(when[c], where + ".when[" + std::to_string(c) + "]",
                         cell.status().message());
      }
      row.cells.push_back(std::move(*cell));
    }
    FB_RETURN_IF_ERROR(compile_outputs(row_node["then"], where + ".then", row.outputs));
    table->rows_.push_back(std::move(row));
  }
  if (const YAML::Node def = node["default"]) {
    std::vector<expr::Expression> values;
    FB_RETURN_IF_ERROR(compile_outputs(def, path + ".default", values));
    for (auto& v : values) table->defaults_.emplace_back(std::move(v));
  }

  // Gaps, overlaps and unreachable rows, over every combination of the columns' regions.
  std::vector<std::vector<Probe>> probes;
  std::vector<std::string> storage;
  storage.reserve(1024);
  size_t combinations = 1;
  for (size_t c = 0; c < table->inputs_.size(); ++c) {
    std::vector<const Cell*> column;
    for (const Row& row : table->rows_) column.push_back(&row.cells[c]);
    probes.push_back(Probes(column, table->inputs_[c].type(), storage));
    AddMissing(probes.back(), table->inputs_[c].type());
    combinations *= probes.back().size();
    if (combinations > 100'000 || storage.size() > 1000) break;
  }
  if (combinations <= 100'000 && storage.size() <= 1000) {
    std::vector<bool> reached(table->rows_.size(), false);
    std::vector<size_t> index(probes.size(), 0);
    for (size_t n = 0; n < combinations; ++n) {
      std::vector<size_t> matches;
      for (size_t r = 0; r < table->rows_.size(); ++r) {
        bool all = true;
        for (size_t c = 0; c < probes.size() && all; ++c) {
          all = table->rows_[r].cells[c].Matches(probes[c][index[c]].value);
        }
        if (all) matches.push_back(r);
      }
      const auto describe = [&] {
        std::string s;
        for (size_t c = 0; c < probes.size(); ++c) {
          if (c) s += ", ";
          s += table->inputs_[c].text() + " = " + probes[c][index[c]].text;
        }
        return s;
      };
      bool any_missing = false;
      for (size_t c = 0; c < probes.size(); ++c) any_missing |= probes[c][index[c]].value.missing;
      if (matches.empty() && table->defaults_.empty() && !any_missing) {
        return YamlError(rows, path + ".rows",
                         "table " + Quote(table->name_) + " has a gap: no row matches " +
                             describe() + " (add rows or a default)");
      }
      if (table->unique_ && matches.size() > 1) {
        return YamlError(rows, path + ".rows",
                         "rows[" + std::to_string(matches[0]) + "] and rows[" +
                             std::to_string(matches[1]) + "] overlap at " + describe() +
                             " (hit_policy unique)");
      }
      if (!matches.empty()) reached[matches.front()] = true;
      for (size_t c = 0; c < index.size(); ++c) {  // next combination
        if (++index[c] < probes[c].size()) break;
        index[c] = 0;
      }
    }
    for (size_t r = 0; r < reached.size(); ++r) {
      if (!reached[r]) {
        return YamlError(rows[r], path + ".rows[" + std::to_string(r) + "]",
                         "this row is never reached: earlier rows match everything it matches");
      }
    }
  }
  for (size_t o = 0; o < output_names.size(); ++o) {
    StatusOr<int> slot =
        scope.Declare("tables." + table->name_ + "." + output_names[o], output_types[o]);
    if (!slot.ok()) return YamlError(node["name"], path + ".name", slot.status().message());
    table->output_slots_.push_back(*slot);
  }
  return std::shared_ptr<const DecisionTable>(std::move(table));
}

int DecisionTable::Apply(expr::Frame& frame) const {
  expr::Value values[16];
  std::vector<expr::Value> more;
  expr::Value* in = values;
  if (inputs_.size() > 16) {
    more.resize(inputs_.size());
    in = more.data();
  }
  for (size_t i = 0; i < inputs_.size(); ++i) in[i] = inputs_[i].Eval(frame);
  for (size_t r = 0; r < rows_.size(); ++r) {
    bool all = true;
    for (size_t c = 0; c < inputs_.size() && all; ++c) all = rows_[r].cells[c].Matches(in[c]);
    if (!all) continue;
    // Evaluated before any is written, so that outputs never see each other half-updated.
    std::vector<expr::Value> out;
    out.reserve(output_slots_.size());
    for (const expr::Expression& e : rows_[r].outputs) out.push_back(e.Eval(frame));
    for (size_t o = 0; o < out.size(); ++o) frame.values[size_t(output_slots_[o])] = out[o];
    return int(r);
  }
  for (size_t o = 0; o < output_slots_.size(); ++o) {
    frame.values[size_t(output_slots_[o])] =
        defaults_.empty() ? expr::Value::Missing(frame.values[size_t(output_slots_[o])].type)
                          : defaults_[o]->Eval(frame);
  }
  return -1;
}

}  // namespace finbrain::decision
