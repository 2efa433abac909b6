// The plain logistic-regression baseline that model developers compare a scorecard or GBDT with:
// raw numeric columns (standardised, missing values imputed with the mean plus a missing flag)
// and one-hot categories, no binning, no selection. `finbrain cv` scores it on the same folds as
// the model so the comparison does not depend on how the rows happened to be split.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "models/dataset.h"

namespace finbrain::models {

// Fits on `train` (feature columns by index) and returns the PD of every row of `test`.
StatusOr<std::vector<double>> PlainLogisticPd(const Dataset& train,
                                              const std::vector<std::uint8_t>& y,
                                              const Dataset& test,
                                              const std::vector<size_t>& columns);

}  // namespace finbrain::models
