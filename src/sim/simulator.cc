#include "sim/simulator.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "common/json_text.h"
#include "sim/internal/world.h"

namespace finbrain::sim {

namespace fs = std::filesystem;

StatusOr<SimManifest> Simulate(const SimConfig& config, const std::string& out_dir,
                               const std::function<void(double)>& progress) {
  if (config.users < 1) return InvalidArgumentError("users must be at least 1", "users");
  if (config.days < 1) return InvalidArgumentError("days must be at least 1", "days");
  if (config.ring_size_min < 2 || config.ring_size_max < config.ring_size_min) {
    return InvalidArgumentError("ring sizes must satisfy 2 <= min <= max", "ring_size");
  }
  std::error_code ec;
  fs::create_directories(out_dir + "/events", ec);
  if (!ec) fs::create_directories(out_dir + "/truth", ec);
  if (ec) return UnavailableError("cannot create '" + out_dir + "': " + ec.message());

  SimManifest manifest;
  {
    Output out(out_dir);
    World world(config, out);
    world.Run(progress);
    FB_RETURN_IF_ERROR(out.Close());
    for (const auto& [name, n] : out.event_counts()) {
      manifest.event_counts[name] = n;
      manifest.total_events += n;
    }
    for (const auto& [name, n] : out.truth_counts()) manifest.truth_counts[name] = n;
  }
  boost::json::object m;
  m["generator"] = "finbrain simulate";
  m["schema_version"] = 1;
  m["parameters"] = {{"users", config.users},
                     {"days", config.days},
                     {"seed", config.seed},
                     {"start", FormatRfc3339(config.start)},
                     {"fraud_rings", config.fraud_rings},
                     {"ring_size_min", config.ring_size_min},
                     {"ring_size_max", config.ring_size_max},
                     {"device_farms", config.device_farms},
                     {"account_takeovers", config.account_takeovers}};
  boost::json::object events, truth;
  for (const auto& [name, n] : manifest.event_counts) events["events/" + name + ".jsonl"] = n;
  for (const auto& [name, n] : manifest.truth_counts) truth["truth/" + name + ".jsonl"] = n;
  m["events"] = std::move(events);
  m["truth"] = std::move(truth);
  m["total_events"] = manifest.total_events;
  std::ofstream(out_dir + "/manifest.json") << ToJsonText(m) << "\n";
  return manifest;
}

}  // namespace finbrain::sim
