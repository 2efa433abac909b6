// The simulated finance world: users, devices, shopping, credit, repayments, collections,
// customer service, wealth, a supply chain, and planted fraud with honest look-alikes, all with
// known ground truth.
//
// Output layout (the event schema of docs/events.md):
//   <out>/events/<event_type>.jsonl   one event per line
//   <out>/truth/*.jsonl               ground truth, for evaluations only
//   <out>/manifest.json               parameters and line counts per file
// The same configuration and seed give byte-identical output.
//
// Example:
//   SimConfig config{.users = 10'000, .days = 365, .seed = 7};
//   FB_ASSIGN_OR_RETURN(SimManifest m, Simulate(config, "world", [](double f) { ... }));
//
// Thread-safety: Simulate is reentrant (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace finbrain::sim {

struct SimConfig {
  int users = 10'000;
  int days = 365;
  std::uint64_t seed = 1;
  TimeMicros start = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
  // Planted fraud (0 = scale with the number of users).
  int fraud_rings = 0;
  int ring_size_min = 5;
  int ring_size_max = 15;
  int ring_burst_days = 3;  // members register and apply within this many days
  // Share of rings whose members apply from aged accounts with an ordinary applicant's bureau
  // record and amount, each on a phone and at an address of their own: only the contact phones
  // they name and their IP block give them away.
  double camouflaged_ring_share = 0.5;
  int device_farms = 0;
  int farm_accounts_min = 15;
  int farm_accounts_max = 40;
  int account_takeovers = 0;
  double application_rate = 0.35;   // share of users who apply for credit
  double base_default_rate = 0.03;  // target default rate of honest funded loans
};

struct SimManifest {
  std::map<std::string, std::uint64_t> event_counts;  // event type -> lines
  std::map<std::string, std::uint64_t> truth_counts;  // truth file -> lines
  std::uint64_t total_events = 0;
};

// Writes the world to `out_dir` (created if missing). `progress` gets the fraction done.
StatusOr<SimManifest> Simulate(const SimConfig& config, const std::string& out_dir,
                               const std::function<void(double)>& progress = nullptr);

}  // namespace finbrain::sim
