// Reading a simulated world's ground truth back (<world>/truth/*.jsonl), for evaluations and
// tests: the one reader of those files. Errors name the file (and line) and the field "world".
//
// Example:
//   FB_ASSIGN_OR_RETURN(std::vector<sim::ApplicationTruth> apps, sim::ReadApplications("world"));
//   FB_ASSIGN_OR_RETURN(sim::DeviceTruth devices, sim::ReadDeviceTruth("world"));
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace finbrain::sim {

// truth/applications.jsonl: every credit application's outcome.
struct ApplicationTruth {
  std::string application_id;
  std::string user_id;
  double pd = 0;  // the true probability of default the simulator drew from
  bool defaulted = false;
  bool fraud = false;
};
StatusOr<std::vector<ApplicationTruth>> ReadApplications(const std::string& world);

// truth/users.jsonl: the planted fraudsters' user ids.
StatusOr<std::unordered_set<std::string>> ReadFraudUsers(const std::string& world);

// truth/account_takeovers.jsonl: the sessions of planted account takeovers.
StatusOr<std::unordered_set<std::string>> ReadTakeoverSessions(const std::string& world);

// truth/device_reports.jsonl and truth/fraud_rings.jsonl: the physical phone behind every
// device report, and the install ids of the planted device farms.
struct DeviceTruth {
  std::unordered_map<std::string, std::string> hardware;  // report event id -> phone
  std::vector<std::string> farm_install_ids;
};
StatusOr<DeviceTruth> ReadDeviceTruth(const std::string& world);

}  // namespace finbrain::sim
