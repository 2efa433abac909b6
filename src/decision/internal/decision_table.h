// DecisionTable (private to src/decision: the strategy compiler reads tables with it): rows of
// conditions on a few inputs giving output values, e.g. score band x product -> limit and APR.
//
//   - name: pricing
//     hit_policy: first            # first (earliest matching row) | unique (rows must not overlap)
//     inputs: [models.pd.score, app.product]
//     default: {limit: 0, apr: 0.36}   # optional: used when no row matches
//     rows:
//       - {when: [">= 700", "consumer_credit_line"], then: {limit: 50000, apr: 0.12}}
//       - {when: ["[600, 700)", "-"], then: {limit: "min(20000, app.declared_income * 2)", apr:
//       0.18}}
//       - {when: ["< 600", "-"], then: {limit: 0, apr: 0.36}}
//
// Cells: "-" (anything, missing included), "missing"; for numbers "< x", "<= x", "> x", ">= x",
// "x", or an interval "[a, b)", "(a, b]", ...; for text one or more values "a" / "'a', 'b'";
// for bools "true" / "false". Outputs are expressions over the strategy's scope.
//
// Checked when the strategy compiles, over every combination of the inputs' boundary values and
// mentioned texts: without a default, a combination that no row matches is a gap (an error
// naming it); with `unique`, a combination two rows match is an overlap; with `first`, a row
// that can never be the first match is unreachable. Missing inputs are not part of the check:
// at run time a row matches a missing input only through "-" or "missing", and no match gives
// the default (or missing outputs).
//
// Thread-safety: immutable once compiled.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "expr/expr.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace finbrain::decision {

class DecisionTable {
 public:
  // Compiles the table node at `path` ("tables[0]") against `scope`, and declares its outputs
  // there as "tables.<name>.<output>".
  static StatusOr<std::shared_ptr<const DecisionTable>> Compile(const YAML::Node& node,
                                                                const std::string& path,
                                                                expr::Scope& scope);

  const std::string& name() const { return name_; }
  // Evaluates the inputs, picks the row, writes the outputs into `frame`. Returns the matched
  // row (0-based) or -1 when none matched.
  int Apply(expr::Frame& frame) const;

  struct Cell;
  struct Row;
  ~DecisionTable();

 private:
  DecisionTable() = default;
  std::string name_;
  bool unique_ = false;
  std::vector<expr::Expression> inputs_;
  std::vector<int> output_slots_;
  std::vector<Row> rows_;
  std::vector<std::optional<expr::Expression>> defaults_;
};

}  // namespace finbrain::decision
