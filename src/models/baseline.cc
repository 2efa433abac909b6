#include "models/baseline.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/scorecard.h"

namespace finbrain::models {
namespace {

// One design column: how to read it from a row of a dataset.
struct Term {
  std::string column;
  enum class Kind { kValue, kMissing, kLevel } kind = Kind::kValue;
  double mean = 0, scale = 1;  // kValue: standardisation
  std::string level;           // kLevel: the category ("" for missing)

  // `code` is the level's code in the dataset being read (-1: missing, -2: not there).
  double Read(const Column& c, size_t row, std::int32_t code) const {
    switch (kind) {
      case Kind::kValue:
        return c.IsMissing(row) ? 0 : (c.numbers[row] - mean) / scale;
      case Kind::kMissing:
        return c.IsMissing(row) ? 1 : 0;
      case Kind::kLevel:
        return c.codes[row] == code ? 1 : 0;
    }
    return 0;
  }
};

std::vector<Term> Terms(const Dataset& train, const std::vector<size_t>& columns) {
  std::vector<Term> terms;
  for (size_t index : columns) {
    const Column& c = train.columns[index];
    if (c.kind == ColumnKind::kNumeric) {
      double sum = 0, squares = 0;
      size_t present = 0;
      for (size_t r = 0; r < train.rows; ++r) {
        if (c.IsMissing(r)) continue;
        sum += c.numbers[r];
        squares += c.numbers[r] * c.numbers[r];
        ++present;
      }
      if (present == 0) continue;
      Term value{.column = c.name};
      value.mean = sum / double(present);
      const double variance = squares / double(present) - value.mean * value.mean;
      value.scale = variance > 1e-12 ? std::sqrt(variance) : 1;
      terms.push_back(value);
      if (present < train.rows) terms.push_back({.column = c.name, .kind = Term::Kind::kMissing});
      continue;
    }
    // One-hot with the most frequent level as the reference; missing is its own level.
    std::vector<size_t> counts(c.levels.size() + 1);
    for (size_t r = 0; r < train.rows; ++r) ++counts[size_t(c.codes[r] + 1)];
    size_t reference = 0;
    for (size_t l = 1; l < counts.size(); ++l) {
      if (counts[l] > counts[reference]) reference = l;
    }
    for (size_t l = 0; l < counts.size(); ++l) {
      if (l == reference || counts[l] == 0) continue;
      terms.push_back({.column = c.name,
                       .kind = Term::Kind::kLevel,
                       .level = l == 0 ? std::string() : c.levels[l - 1]});
    }
  }
  return terms;
}

StatusOr<std::vector<double>> Design(const Dataset& d, const std::vector<Term>& terms) {
  std::vector<double> x(d.rows * terms.size());
  for (size_t t = 0; t < terms.size(); ++t) {
    const Term& term = terms[t];
    const Column* column = d.Find(term.column);
    if (column == nullptr) return InvalidArgumentError("baseline: no column " + term.column);
    const Column& c = *column;
    std::int32_t code = -1;
    if (term.kind == Term::Kind::kLevel && !term.level.empty()) {
      const auto it = std::find(c.levels.begin(), c.levels.end(), term.level);
      code = it == c.levels.end() ? -2 : std::int32_t(it - c.levels.begin());
    }
    for (size_t r = 0; r < d.rows; ++r) x[r * terms.size() + t] = term.Read(c, r, code);
  }
  return x;
}

}  // namespace

StatusOr<std::vector<double>> PlainLogisticPd(const Dataset& train,
                                              const std::vector<std::uint8_t>& y,
                                              const Dataset& test,
                                              const std::vector<size_t>& columns) {
  const std::vector<Term> terms = Terms(train, columns);
  if (terms.empty()) return InvalidArgumentError("baseline: no usable columns");
  // A whisper of L2 only keeps separable levels (a category seen with one class) finite; it is
  // otherwise the unpenalised regression R's glm fits.
  FB_ASSIGN_OR_RETURN(const std::vector<double> train_x, Design(train, terms));
  FB_ASSIGN_OR_RETURN(LogisticFit fit, FitLogistic(train_x, terms.size(), y, 1e-4));
  FB_ASSIGN_OR_RETURN(const std::vector<double> x, Design(test, terms));
  std::vector<double> pd(test.rows);
  for (size_t r = 0; r < test.rows; ++r) {
    double margin = fit.intercept;
    for (size_t t = 0; t < terms.size(); ++t) margin += fit.coef[t] * x[r * terms.size() + t];
    pd[r] = 1 / (1 + std::exp(-margin));
  }
  return pd;
}

}  // namespace finbrain::models
