// Chinese customer-service questions from a small template grammar, with their intent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/internal/random.h"

namespace finbrain::sim {

struct ServiceQuestion {
  std::string intent;
  std::string text;
};

// The intents the grammar covers.
const std::vector<std::string>& ServiceIntents();

ServiceQuestion MakeServiceQuestion(Rng& rng);

// One text from a template: "{a|b|c}" picks one alternative, text outside braces is literal.
std::string ExpandTemplate(std::string_view pattern, Rng& rng);

}  // namespace finbrain::sim
