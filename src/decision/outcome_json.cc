#include "decision/outcome_json.h"

#include <boost/json.hpp>

namespace finbrain::decision {

namespace json = boost::json;

boost::json::value OptionalJson(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

boost::json::array ReasonsJson(const std::vector<DecisionReason>& reasons) {
  json::array out;
  for (const DecisionReason& r : reasons) {
    out.push_back({{"code", r.code}, {"text", r.text}, {"source", r.source}});
  }
  return out;
}

boost::json::object OutcomeJson(const DecisionOutcome& o) {
  json::array hits, models;
  for (const RuleHit& h : o.rule_hits) {
    hits.push_back({{"rule_set", h.rule_set},
                    {"rule", h.rule},
                    {"action", h.action},
                    {"code", h.code},
                    {"text", h.text},
                    {"score", h.score}});
  }
  for (const ModelOutput& m : o.models) {
    json::object model{{"node", m.node},
                       {"name", m.model},
                       {"version", m.version},
                       {"pd", OptionalJson(m.pd)},
                       {"score", OptionalJson(m.score)}};
    if (!m.error.empty()) model["error"] = m.error;
    models.push_back(std::move(model));
  }
  json::object values, tables;
  for (const auto& [name, text] : o.values) values[name] = json::parse(text);
  for (const auto& [name, row] : o.table_rows) tables[name] = row;
  return {{"decision", o.decision},         {"limit", OptionalJson(o.limit)},
          {"apr", OptionalJson(o.apr)},     {"pd", OptionalJson(o.pd)},
          {"score", OptionalJson(o.score)}, {"reasons", ReasonsJson(o.reasons)},
          {"rule_hits", std::move(hits)},   {"models", std::move(models)},
          {"values", std::move(values)},    {"table_rows", std::move(tables)}};
}

}  // namespace finbrain::decision
