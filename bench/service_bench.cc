// The FAQ bot's work per message on a large KB: 5,000 entries made of AFQMC's paraphrase pairs
// (a question and its paraphrase as the alternative), messages from other paraphrase pairs.
// Prints the build time (index + calibration) and Google Benchmark's time per message.
// Usage: service_bench [--afqmc DIR] [benchmark flags]; skips without ../shared/data/afqmc.
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "service/bot.h"

namespace finbrain::service {
namespace {

std::unique_ptr<FaqBot> bot;
std::vector<std::string> messages;

void BM_Respond(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    BotReply reply = bot->Respond(messages[i++ % messages.size()], {});
    benchmark::DoNotOptimize(reply);
  }
}
BENCHMARK(BM_Respond)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace finbrain::service

int main(int argc, char** argv) {
  using namespace finbrain::service;
  std::string dir = "../shared/data/afqmc";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--afqmc") dir = argv[i + 1];
  }
  if (!std::filesystem::exists(dir + "/train.csv")) {
    std::cout << "service_bench: " << dir << "/train.csv is absent (../shared/data), skipped\n";
    return 0;
  }
  auto pairs = ReadQuestionPairs(dir + "/train.csv");
  auto models = SharedBotModels();
  if (!pairs.ok() || !models.ok()) {
    std::cerr << "service_bench: cannot load the pairs or the models\n";
    return 1;
  }
  std::vector<KbEntry> kb;
  for (const QuestionPair& p : *pairs) {
    if (p.label != 1) continue;
    if (kb.size() < 5000) {
      kb.push_back({.id = "q" + std::to_string(kb.size()),
                    .question = p.a,
                    .answer = "a",
                    .alternatives = {p.b}});
    } else if (messages.size() < 2000) {
      messages.push_back(p.a);
    }
  }
  const auto start = std::chrono::steady_clock::now();
  auto built = FaqBot::Build(std::move(kb), *models, {});
  if (!built.ok()) {
    std::cerr << "service_bench: " << built.status().message() << "\n";
    return 1;
  }
  bot = std::move(*built);
  std::cout << "built the bot on 5,000 entries in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s (" << bot->calibration_size() << " calibration messages)\n";
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
