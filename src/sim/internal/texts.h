// Chinese customer-service questions from a small template grammar, with their intent.
#pragma once

#include <string>
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

}  // namespace finbrain::sim
