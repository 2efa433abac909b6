// Live monitoring of a served model version in memory: ModelMonitor counts each score's PD bin
// and each feature's bin (lock-free, on the decision path), and CompareWithBaseline gives the
// PSI of the score and the CSI of each feature against the training baseline. ServingModel is
// a version as served: the model with its monitor. Persisting the counts is the registry's
// (models/monitoring.h).
//
// Example:
//   ModelMonitor monitor(model);
//   monitor.Record(pd, model.FeatureBins(row));
//   MonitorReport r = CompareWithBaseline(model, monitor.Pending());
//
// Thread-safety: ModelMonitor's methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"

namespace finbrain::models {

// Live counts of a model version: scores per baseline PD bin, rows per bin of each feature.
struct MonitorCounts {
  std::uint64_t scored = 0;
  std::vector<std::uint64_t> score;              // per PD bin of the training baseline
  std::vector<std::vector<std::uint64_t>> bins;  // per feature, per bin
  void Add(const MonitorCounts& other);
};

struct MonitorReport {
  std::uint64_t scored = 0;
  double psi = 0;                                   // score against the training baseline
  std::vector<std::pair<std::string, double>> csi;  // per feature
  std::vector<double> score_shares;                 // live share per baseline PD bin
};

// PSI of the score and CSI of each feature of `counts` against `model`'s training baseline.
MonitorReport CompareWithBaseline(const Model& model, const MonitorCounts& counts);

class ModelMonitor {
 public:
  explicit ModelMonitor(const Model& model);
  void Record(double pd, const std::vector<size_t>& feature_bins);
  // The counts recorded since the last TakePending, without taking them.
  MonitorCounts Pending() const;
  // Takes the counts recorded since the last call (each counter is exchanged with zero, so a
  // concurrent Record is counted in this take or the next, never twice or not at all).
  MonitorCounts TakePending();
  // Gives counts back after a failed flush.
  void Restore(const MonitorCounts& counts);

 private:
  MonitorCounts Collect(bool take) const;

  const Model& model_;
  // Mutable: Collect(take = true) exchanges them; Pending only loads.
  mutable std::atomic<std::uint64_t> scored_{0};
  mutable std::vector<std::atomic<std::uint64_t>> score_counts_;
  mutable std::vector<std::vector<std::atomic<std::uint64_t>>> bin_counts_;
};

// A model version as served.
struct ServingModel {
  std::string name;
  int version = 0;
  std::unique_ptr<const Model> model;
  std::unique_ptr<ModelMonitor> monitor;
};

}  // namespace finbrain::models
