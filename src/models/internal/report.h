// The HTML evaluation report (inline SVG plots, no scripts, no external files).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/metrics.h"

namespace finbrain::models::internal {

struct ReportData {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // model facts shown on top
  std::map<std::string, double> headline;
  std::vector<CurvePoint> roc;
  std::vector<CurvePoint> ks;
  std::vector<GroupStats> gains;
  std::vector<GroupStats> calibration;
  Confusion confusion;
  std::vector<double> scores_good;
  std::vector<double> scores_bad;
  std::vector<std::pair<std::string, std::vector<FairnessGroup>>> fairness;
  std::vector<std::pair<std::string, double>> csi;
  std::vector<std::string> notes;
};

std::string RenderReport(const ReportData& data);

}  // namespace finbrain::models::internal
