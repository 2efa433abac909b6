// The golden-file runner for strategies (test support, not a library): every *.yaml of a folder
// holds a strategy and cases (input, list hits, feature values, expected decision, reasons, rule
// hits and values), and/or compile_errors (a strategy and the error it must give).
//
//   RunStrategyGoldenFiles(FINBRAIN_SOURCE_DIR "/src/decision/testdata", kinds, 8, 10);
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/json_text.h"
#include "common/strings.h"
#include "common/yaml_helpers.h"
#include "decision/strategy.h"

namespace finbrain::decision::testing {

namespace json = boost::json;

// YAML -> JSON: quoted scalars are text; plain ones numbers or bools when they read as such.
inline json::value ToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    json::object o;
    for (const auto& e : node) o[e.first.as<std::string>()] = ToJson(e.second);
    return o;
  }
  if (node.IsSequence()) {
    json::array a;
    for (const auto& e : node) a.push_back(ToJson(e));
    return a;
  }
  if (node.IsNull()) return nullptr;
  const std::string text = node.as<std::string>();
  if (node.Tag() != "!") {
    if (text == "true" || text == "false") return text == "true";
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() && *end == '\0') return v;
  }
  return json::string(text);
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares an outcome with a case's `expect` mapping; returns what differs.
inline std::string Differences(const DecisionOutcome& out, const YAML::Node& expect) {
  std::string diff;
  const auto check_number = [&](const char* key, const std::optional<double>& got) {
    const YAML::Node want = expect[key];
    if (!want) return;
    if (want.IsNull()) {
      if (got) diff += std::string(key) + ": expected null, got " + std::to_string(*got) + "\n";
    } else if (!got || std::fabs(*got - want.as<double>()) > 1e-9) {
      diff += std::string(key) + ": expected " + want.as<std::string>() + ", got " +
              (got ? std::to_string(*got) : "null") + "\n";
    }
  };
  if (expect["decision"] && out.decision != expect["decision"].as<std::string>()) {
    diff += "decision: expected " + expect["decision"].as<std::string>() + ", got " + out.decision +
            "\n";
  }
  check_number("limit", out.limit);
  check_number("apr", out.apr);
  check_number("pd", out.pd);
  if (const YAML::Node want = expect["reasons"]) {
    std::vector<std::string> got, wanted;
    for (const auto& r : out.reasons) got.push_back(r.code);
    for (const auto& r : want) wanted.push_back(r.as<std::string>());
    if (got != wanted)
      diff += "reasons: expected [" + Join(wanted) + "], got [" + Join(got) + "]\n";
  }
  if (const YAML::Node want = expect["rule_hits"]) {
    std::vector<std::string> got, wanted;
    for (const auto& h : out.rule_hits) got.push_back(h.rule_set + "/" + h.rule);
    for (const auto& r : want) wanted.push_back(r.as<std::string>());
    if (got != wanted)
      diff += "rule_hits: expected [" + Join(wanted) + "], got [" + Join(got) + "]\n";
  }
  if (const YAML::Node want = expect["values"]) {
    for (const auto& e : want) {
      const std::string name = e.first.as<std::string>();
      auto it = std::find_if(out.values.begin(), out.values.end(),
                             [&](const auto& v) { return v.first == name; });
      const std::string wanted = ToJsonText(ToJson(e.second));
      if (it == out.values.end()) {
        diff += "values." + name + ": absent\n";
      } else if (json::parse(it->second) != json::parse(wanted)) {
        diff += "values." + name + ": expected " + wanted + ", got " + it->second + "\n";
      }
    }
  }
  return diff;
}

// Runs every file of `dir` against strategies compiled with `kinds`.
inline void RunStrategyGoldenFiles(const std::string& dir, const StrategyKinds& kinds,
                                   size_t min_cases, size_t min_errors) {
  size_t cases = 0, errors = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const YAML::Node golden = ParseYaml(ReadText(entry.path())).value();
    StrategyEnvironment env{.kinds = &kinds};
    if (golden["features"]) {
      auto set = features::FeatureSet::Parse(golden["features"].as<std::string>());
      ASSERT_TRUE(set.ok()) << set.status().ToString();
      env.features = *set;
    }
    env.model = [](std::string_view name) -> StatusOr<std::shared_ptr<models::ServingModel>> {
      return NotFoundError("no model named '" + std::string(name) + "' is registered");
    };
    for (const auto& bad : golden["compile_errors"]) {
      auto s = Strategy::Compile(bad["strategy"].as<std::string>(), env);
      ASSERT_FALSE(s.ok()) << bad["strategy"].as<std::string>();
      EXPECT_NE(s.status().message().find(bad["error"].as<std::string>()), std::string::npos)
          << "want: " << bad["error"].as<std::string>() << "\ngot:  " << s.status().message();
      ++errors;
    }
    if (!golden["strategy"]) continue;
    auto strategy = Strategy::Compile(golden["strategy"].as<std::string>(), env);
    ASSERT_TRUE(strategy.ok()) << strategy.status().ToString();
    for (const auto& c : golden["cases"]) {
      SCOPED_TRACE(c["name"].as<std::string>());
      DecisionInput input;
      const std::string app = ToJsonText(ToJson(c["application"]));
      input.subject_json = app;
      input.features = env.features;
      if (env.features) {
        for (const auto& f : env.features->features()) {
          const YAML::Node v = c["features"] ? c["features"][f.name] : YAML::Node();
          input.feature_values.push_back(
              v.IsDefined() && !v.IsNull() ? std::optional<double>(v.as<double>()) : std::nullopt);
        }
      }
      for (const auto& l : c["lists"])
        input.lists[l.first.as<std::string>()] = l.second.as<std::string>();
      const DecisionOutcome out = (*strategy)->Decide(input, env);
      EXPECT_EQ(Differences(out, c["expect"]), "");
      // The same with the application already parsed, as the credit API passes it.
      const json::value parsed = json::parse(app);
      input.subject = parsed.if_object();
      EXPECT_EQ(Differences((*strategy)->Decide(input, env), c["expect"]), "") << "parsed subject";
      ++cases;
    }
  }
  EXPECT_GE(cases, min_cases);
  EXPECT_GE(errors, min_errors);
}

}  // namespace finbrain::decision::testing
