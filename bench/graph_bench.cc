// Entity-graph benchmarks (docs/benchmarks.md, issue 6): the cost of one event (JSON parse,
// links, streaming groups) and 2-hop neighbourhood latency on a large graph with a heavy-tailed
// degree distribution (shared devices, family and courier addresses, office and public IPs).
//   build/release/bench/graph_bench [--users=N]   (default 200,000 users)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "graph/entity_graph.h"
#include "graph/graph_analytics.h"

namespace finbrain::graph {
namespace {

size_t g_users = 200'000;

// Index drawn from a Zipf-like law over `n` items: a few very popular (hubs), a long tail.
size_t Zipf(std::mt19937_64& rng, size_t n, double skew) {
  std::uniform_real_distribution<double> u(0, 1);
  return std::min(n - 1, size_t(std::pow(u(rng), skew) * double(n)));
}

// Events of a world of `users`: each has logins from 1-3 devices and a few IPs, an
// application with phone, address and a contact phone, and orders shipped to an address.
// Appended piecewise: GCC 12 warns (-Wrestrict, falsely) on "literal" + std::string chains.
std::string Json(std::initializer_list<std::pair<const char*, std::string>> fields) {
  std::string json = "{";
  for (const auto& [name, value] : fields) {
    if (json.size() > 1) json += ',';
    json += '"';
    json += name;
    json += "\":";
    if (value.starts_with('[')) {
      json += value;
    } else {
      json += '"';
      json += value;
      json += '"';
    }
  }
  json += '}';
  return json;
}

std::vector<ingest::ValidatedEvent> World(size_t users, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<ingest::ValidatedEvent> events;
  const size_t devices = users, ips = users / 2, addresses = users / 2;
  TimeMicros at = 1'780'000'000'000'000;
  const auto id = [](char prefix, size_t n) {
    std::string out(1, prefix);
    out += std::to_string(n);
    return out;
  };
  for (size_t u = 0; u < users; ++u) {
    const std::string user = id('u', u);
    const int n_devices = 1 + int(rng() % 3);
    for (int d = 0; d < n_devices; ++d) {
      for (int l = 0; l < 2; ++l) {
        std::string ip = "10.";
        ip += std::to_string(Zipf(rng, ips, 4) % 250);
        ip += '.';
        ip += std::to_string(rng() % 250);
        ip += '.';
        ip += std::to_string(rng() % 250);
        events.push_back({"e", "login", at += 1'000'000,
                          Json({{"user_id", user},
                                {"device_id", id('d', d == 0 ? u : Zipf(rng, devices, 6))},
                                {"ip", ip}})});
      }
    }
    std::string contacts = "[{\"phone\":\"";
    contacts += id('p', rng() % users);
    contacts += "\"}]";
    events.push_back({"e", "credit_application", at += 1'000'000,
                      Json({{"user_id", user},
                            {"application_id", id('a', u)},
                            {"phone", id('p', u)},
                            {"address", id('h', Zipf(rng, addresses, 3))},
                            {"contacts", contacts}})});
    events.push_back(
        {"e", "order", at += 1'000'000,
         Json({{"user_id", user}, {"consignee_address", id('h', Zipf(rng, addresses, 8))}})});
  }
  return events;
}

long ResidentKb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kb = std::atol(line + 6);
  }
  std::fclose(f);
  return kb;
}

// Adds `events` one per iteration, starting a new graph after the last.
void AddEvents(benchmark::State& state, const std::vector<ingest::ValidatedEvent>& events) {
  auto g = std::make_unique<EntityGraph>();
  size_t i = 0;
  for (auto _ : state) {
    g->AddEvent(events[i]);
    if (++i == events.size()) {
      state.PauseTiming();
      i = 0;
      g = std::make_unique<EntityGraph>();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}

void BM_AddEvent(benchmark::State& state) { AddEvents(state, World(50'000, 1)); }
BENCHMARK(BM_AddEvent);

// The same with each event's parsed object travelling along, as live events carry it
// (ValidatedEvent::fields): the graph's own cost without the JSON parse.
void BM_AddParsedEvent(benchmark::State& state) {
  std::vector<ingest::ValidatedEvent> events = World(50'000, 1);
  for (ingest::ValidatedEvent& e : events) {
    e.fields = std::make_shared<const boost::json::object>(
        boost::json::parse(e.canonical_json).as_object());
  }
  AddEvents(state, events);
}
BENCHMARK(BM_AddParsedEvent);

// One large graph, built once and shared by the benchmarks below.
long g_kb_per_million_edges = 0;
EntityGraph& LargeGraph() {
  static EntityGraph* graph = nullptr;
  if (graph == nullptr) {
    std::vector<ingest::ValidatedEvent> events = World(g_users, 2);
    const long with_events = ResidentKb();
    graph = new EntityGraph();
    for (const auto& e : events) graph->AddEvent(e);
    g_kb_per_million_edges =
        long(double(ResidentKb() - with_events) / (double(graph->edge_count()) / 1e6));
  }
  return *graph;
}

// 2-hop neighbourhoods of random users, with percentiles.
void BM_Neighborhood2Hop(benchmark::State& state) {
  EntityGraph* graph = &LargeGraph();
  const long kb_per_million_edges = g_kb_per_million_edges;
  std::mt19937_64 rng(3);
  std::vector<double> micros;
  for (auto _ : state) {
    std::string user = "u";
    user += std::to_string(rng() % g_users);
    const auto start = std::chrono::steady_clock::now();
    auto sub = graph->Neighborhood({"user", user}, 2, 500);
    benchmark::DoNotOptimize(sub);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(micros.begin(), micros.end());
  const auto pct = [&](double p) { return micros[size_t(p * double(micros.size() - 1))]; };
  state.counters["p50_us"] = pct(0.5);
  state.counters["p99_us"] = pct(0.99);
  state.counters["nodes"] = double(graph->node_count());
  state.counters["edges"] = double(graph->edge_count());
  state.counters["MiB_per_M_edges"] = double(kb_per_million_edges) / 1024;
}
BENCHMARK(BM_Neighborhood2Hop)->Iterations(20'000)->Unit(benchmark::kMicrosecond);

// The batch job on the same graph: snapshot, components, Leiden, PageRank from 100 seeds.
void BM_BatchAnalysis(benchmark::State& state) {
  EntityGraph& graph = LargeGraph();
  AnalysisOptions options;
  for (std::uint64_t i = 0; i < 100; ++i) {
    std::string user = "u";
    user += std::to_string(i * 97);
    options.seeds.push_back({"user", std::move(user)});
  }
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const GraphSnapshot snapshot = graph.Snapshot();
    const double snapshot_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    StatusOr<GraphAnalysis> a = Analyze(snapshot, options);
    if (!a.ok()) {
      state.SkipWithError(a.status().ToString().c_str());
      return;
    }
    state.counters["snapshot_s"] = snapshot_s;
    state.counters["components_s"] = a->components_seconds;
    state.counters["leiden_s"] = a->leiden_seconds;
    state.counters["pagerank_s"] = a->pagerank_seconds;
    state.counters["communities"] = double(a->communities);
    state.counters["modularity"] = a->modularity;
    state.counters["users_off_group"] = double(a->users_outside_their_group);
  }
}
BENCHMARK(BM_BatchAnalysis)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace finbrain::graph

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--users=", 8) == 0) {
      finbrain::graph::g_users = std::stoul(argv[i] + 8);
      argv[i--] = argv[--argc];
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
