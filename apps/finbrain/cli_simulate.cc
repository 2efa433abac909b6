// `finbrain simulate`: write a reproducible simulated world (events + ground truth).
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "apps/finbrain/cli.h"
#include "common/progress.h"
#include "sim/simulator.h"

namespace finbrain::cli {

void AddSimulateCommand(CLI::App& app, GlobalOptions&, Action& run) {
  auto config = std::make_shared<sim::SimConfig>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Write a simulated finance world: events/*.jsonl, truth/*.jsonl, manifest.json");
  cmd->add_option("--users", config->users, "Number of honest users")
      ->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--days", config->days, "Days simulated, from 2026-01-01")
      ->check(CLI::Range(1, 3650));
  cmd->add_option("--seed", config->seed, "Random seed: the same seed gives byte-identical output");
  cmd->add_option("--out", *out, "Output directory (created if missing)")->required();
  cmd->add_flag("--force", *force, "Write into a non-empty directory (replacing its files)");
  cmd->add_option("--fraud-rings", config->fraud_rings,
                  "Number of fraud rings (default: users/2000, at least 2)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--ring-size-min", config->ring_size_min, "Smallest ring")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--ring-size-max", config->ring_size_max, "Largest ring")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--ring-burst-days", config->ring_burst_days,
                  "Days over which a ring's members register and apply")
      ->check(CLI::Range(1, 365));
  cmd->add_option("--camouflaged-ring-share", config->camouflaged_ring_share,
                  "Share of rings that apply with ordinary bureau records and amounts")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--device-farms", config->device_farms,
                  "Number of device farms (default: users/5000, at least 1)")
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--account-takeovers", config->account_takeovers,
                  "Number of account takeovers (default: users/1000)")
      ->check(CLI::Range(0, 10'000'000));
  cmd->callback([&run, config, out, force] {
    run = [config, out, force]() -> Status {
      namespace fs = std::filesystem;
      std::error_code ec;
      if (fs::exists(*out, ec) && !fs::is_empty(*out, ec) && !*force) {
        return FailedPreconditionError("'" + *out + "' is not empty; use --force to overwrite it",
                                       "out");
      }
      if (*force) {
        fs::remove_all(fs::path(*out) / "events", ec);
        fs::remove_all(fs::path(*out) / "truth", ec);
      }
      Progress progress("simulate", 1000);
      const auto start = std::chrono::steady_clock::now();
      FB_ASSIGN_OR_RETURN(sim::SimManifest manifest,
                          sim::Simulate(*config, *out, [&progress](double f) {
                            progress.Update(static_cast<std::uint64_t>(f * 1000));
                          }));
      progress.Finish();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "wrote " << manifest.total_events << " events (" << manifest.event_counts.size()
                << " types) to " << *out << " in " << std::fixed << std::setprecision(2) << seconds
                << " s ("
                << static_cast<long long>(static_cast<double>(manifest.total_events) / seconds)
                << " events/s)\n";
      for (const auto& [type, n] : manifest.event_counts)
        std::cerr << "  " << std::left << std::setw(22) << type << n << "\n";
      return OkStatus();
    };
  });
}

}  // namespace finbrain::cli
