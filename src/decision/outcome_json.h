// The JSON form of a decision outcome, shared by credit decision records and account reviews.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <vector>

#include "decision/strategy.h"

namespace finbrain::decision {

// A number, or null when absent.
boost::json::value OptionalJson(const std::optional<double>& v);
// [{"code", "text", "source"}, ...]
boost::json::array ReasonsJson(const std::vector<DecisionReason>& reasons);
// What a strategy decided and why: decision, limit, apr, pd, score, reasons, rule_hits, models,
// values, table_rows (the parts that differ between champion and challenger).
boost::json::object OutcomeJson(const DecisionOutcome& outcome);

}  // namespace finbrain::decision
