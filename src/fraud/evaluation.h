// Evaluation harnesses of the fraud models against a simulated world's ground truth, each with
// its report (JSON for machines, an HTML page with the plot for people):
//
//   - device fingerprints: how well they recover the physical phones behind device reports,
//     against the naive answer (one device per install id), across match thresholds;
//   - behaviour sequences: flag rates by reason of honest users' sessions, fraud accounts'
//     sessions and account takeovers, each session scored before it is learned, as the server
//     does.
//
// The truth comes from the caller (sim/truth.h reads a simulated world's), the events from JSONL.
//
// Example:
//   FB_ASSIGN_OR_RETURN(auto reports, ReadDeviceReports("world/events/device_report.jsonl"));
//   FB_ASSIGN_OR_RETURN(sim::DeviceTruth truth, sim::ReadDeviceTruth("world"));
//   DeviceEvaluation e = EvaluateFingerprints(reports, truth.hardware, truth.farm_install_ids);
//   std::cout << DeviceEvaluationJson(e);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status.h"
#include "fraud/behaviour.h"
#include "fraud/device_fingerprint.h"

namespace finbrain::fraud {

// Pairwise accuracy of a grouping of reports into devices: of all pairs of reports put on one
// device, the share that truly came from one phone (precision); of all pairs that truly came
// from one phone, the share put on one device (recall).
struct PairAccuracy {
  double precision = 0, recall = 0;
  std::uint64_t devices = 0;  // distinct predicted ids
};
// `predicted[i]` is the device id given to `reports[i]`; `hardware` maps a report's event id to
// its phone (a report without one is its own phone).
PairAccuracy ScorePairs(const std::vector<DeviceReport>& reports,
                        const std::vector<std::string>& predicted,
                        const std::unordered_map<std::string, std::string>& hardware);

struct DeviceEvaluation {
  std::uint64_t reports = 0, phones = 0;
  double threshold = 0;  // the default match threshold
  PairAccuracy fingerprint, install_id_baseline;
  std::vector<std::pair<double, PairAccuracy>> by_threshold;
  std::uint64_t farms_planted = 0, farms_found = 0, devices_with_many_accounts = 0;
};

// The device reports of a JSONL file, in event time (as the server sees them).
StatusOr<std::vector<DeviceReport>> ReadDeviceReports(const std::string& path);
// REQUIRES: `reports` in event time, not empty.
DeviceEvaluation EvaluateFingerprints(const std::vector<DeviceReport>& reports,
                                      const std::unordered_map<std::string, std::string>& hardware,
                                      const std::vector<std::string>& farm_install_ids);
std::string DeviceEvaluationJson(const DeviceEvaluation& e);
std::string DeviceEvaluationHtml(const DeviceEvaluation& e);

// Flag rates of one group of sessions.
struct SessionGroupStats {
  std::uint64_t sessions = 0, flagged = 0;  // flagged: any reason but B04 (a new device alone)
  std::map<std::string, std::uint64_t> by_reason;
  std::vector<std::uint64_t> z_histogram = std::vector<std::uint64_t>(14);  // z in [-2, 12)
};

struct BehaviourEvaluation {
  double unusual_z = 0;  // the B01 threshold
  SessionGroupStats honest, fraud_accounts, account_takeovers;
};

// The login sessions of a JSONL file, in event time.
StatusOr<std::vector<Session>> ReadSessions(const std::string& path);
BehaviourEvaluation EvaluateBehaviour(const std::vector<Session>& sessions,
                                      const std::unordered_set<std::string>& fraud_users,
                                      const std::unordered_set<std::string>& takeover_sessions,
                                      const BehaviourOptions& options = {});
std::string BehaviourEvaluationJson(const BehaviourEvaluation& e);
std::string BehaviourEvaluationHtml(const BehaviourEvaluation& e);

}  // namespace finbrain::fraud
