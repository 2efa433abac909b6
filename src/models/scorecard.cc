#include "models/scorecard.h"

#include <Eigen/Dense>
#include <algorithm>
#include <numeric>
#include <sstream>

namespace finbrain::models {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Columns `picked` of row-major `x`, plus a leading column of ones.
Matrix Design(const std::vector<double>& x, size_t columns, const std::vector<size_t>& picked) {
  const size_t rows = columns ? x.size() / columns : 0;
  Matrix m(rows, picked.size() + 1);
  for (size_t r = 0; r < rows; ++r) {
    m(r, 0) = 1;
    for (size_t j = 0; j < picked.size(); ++j) m(r, j + 1) = x[r * columns + picked[j]];
  }
  return m;
}

// Negative log-likelihood of the logistic model, computed stably: log(1 + e^m) - y*m.
double NegLogLikelihood(const Eigen::VectorXd& margin, const Eigen::VectorXd& target) {
  double nll = 0;
  for (Eigen::Index i = 0; i < margin.size(); ++i) {
    const double m = margin(i);
    nll += (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m))) - target(i) * m;
  }
  return nll;
}

StatusOr<LogisticFit> Fit(const Matrix& design, const std::vector<std::uint8_t>& y, double l2) {
  const Eigen::Index n = design.rows(), k = design.cols();
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(k);
  Eigen::VectorXd target(n);
  for (Eigen::Index i = 0; i < n; ++i) target(i) = y[i];
  const double mean = target.mean();
  beta(0) = std::log(std::clamp(mean, 1e-6, 1 - 1e-6) / (1 - std::clamp(mean, 1e-6, 1 - 1e-6)));
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(k, l2);
  penalty(0) = 0;
  const auto objective = [&](const Eigen::VectorXd& b) {
    return NegLogLikelihood(design * b, target) +
           0.5 * (penalty.array() * b.array().square()).sum();
  };
  LogisticFit fit;
  double current = objective(beta);
  for (int iter = 0; iter < 100; ++iter) {
    const Eigen::VectorXd margin = design * beta;
    const Eigen::VectorXd p = (1.0 + (-margin.array()).exp()).inverse().matrix();
    const Eigen::VectorXd w = (p.array() * (1 - p.array())).max(1e-10).matrix();
    const Eigen::VectorXd gradient =
        design.transpose() * (p - target) + (penalty.array() * beta.array()).matrix();
    Eigen::MatrixXd hessian = design.transpose() * w.asDiagonal() * design;
    hessian.diagonal() += penalty;
    Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    if (!step.allFinite()) return InvalidArgumentError("logistic regression did not converge");
    // Step halving: a full Newton step on nearly collinear columns can overshoot into a region
    // where the weights vanish and the iteration runs away; never accept a worse objective.
    double next = objective(beta - step);
    for (int halvings = 0; !(next <= current) && halvings < 40; ++halvings) {
      step *= 0.5;
      next = objective(beta - step);
    }
    if (!(next <= current)) break;  // no descent left: converged as far as doubles allow
    beta -= step;
    const double gain = current - next;
    current = next;
    fit.iterations = iter + 1;
    if (step.cwiseAbs().maxCoeff() < 1e-9 || gain < 1e-12 * (1 + std::abs(current))) break;
  }
  fit.neg_log_likelihood = NegLogLikelihood(design * beta, target);
  fit.intercept = beta(0);
  fit.coef.assign(beta.data() + 1, beta.data() + k);
  return fit;
}

double Correlation(const std::vector<double>& x, size_t columns, size_t a, size_t b) {
  const size_t rows = x.size() / columns;
  double ma = 0, mb = 0;
  for (size_t r = 0; r < rows; ++r) {
    ma += x[r * columns + a];
    mb += x[r * columns + b];
  }
  ma /= double(rows);
  mb /= double(rows);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t r = 0; r < rows; ++r) {
    const double da = x[r * columns + a] - ma, db = x[r * columns + b] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

std::string Fixed(double v, int digits = 3) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

}  // namespace

double ScoreScaling::ScoreFromPd(double pd) const {
  const double p = std::clamp(pd, 1e-12, 1 - 1e-12);
  return Offset() + Factor() * std::log((1 - p) / p);
}

double ScoreScaling::PdFromScore(double score) const {
  return 1.0 / (1.0 + std::exp((score - Offset()) / Factor()));
}

StatusOr<LogisticFit> FitLogistic(const std::vector<double>& x, size_t columns,
                                  const std::vector<std::uint8_t>& y, double l2) {
  if (columns == 0 || x.size() != columns * y.size()) {
    return InvalidArgumentError("logistic regression: matrix and labels differ in size");
  }
  std::vector<size_t> all(columns);
  std::iota(all.begin(), all.end(), 0);
  return Fit(Design(x, columns, all), y, l2);
}

StatusOr<Selection> SelectFeatures(const std::vector<double>& woe, const std::vector<double>& ivs,
                                   const std::vector<std::uint8_t>& y,
                                   const SelectionOptions& options) {
  const size_t columns = ivs.size();
  Selection selection;
  std::vector<size_t> by_iv(columns);
  std::iota(by_iv.begin(), by_iv.end(), 0);
  std::stable_sort(by_iv.begin(), by_iv.end(), [&](size_t a, size_t b) { return ivs[a] > ivs[b]; });
  std::vector<size_t> candidates;
  for (size_t c : by_iv) {
    if (ivs[c] < options.min_iv) {
      selection.dropped.push_back({c, "IV " + Fixed(ivs[c]) + " below " + Fixed(options.min_iv)});
      continue;
    }
    bool correlated = false;
    for (size_t kept : candidates) {
      const double r = Correlation(woe, columns, c, kept);
      if (std::abs(r) > options.max_correlation) {
        selection.dropped.push_back({c, "correlation " + Fixed(r, 2) +
                                            " with a feature of higher IV (column " +
                                            std::to_string(kept) + ")"});
        correlated = true;
        break;
      }
    }
    if (!correlated) candidates.push_back(c);
  }

  std::vector<size_t> kept;
  if (!options.stepwise) {
    kept = candidates;
  } else {
    // Forward selection: add the candidate that lowers AIC most, while one does.
    FB_ASSIGN_OR_RETURN(LogisticFit base, Fit(Design(woe, columns, {}), y, options.l2));
    double best_aic = 2 * base.neg_log_likelihood + 2;
    std::vector<size_t> remaining = candidates;
    while (!remaining.empty() && kept.size() < options.max_features) {
      double step_aic = best_aic;
      size_t step_pick = remaining.size();
      for (size_t i = 0; i < remaining.size(); ++i) {
        std::vector<size_t> trial = kept;
        trial.push_back(remaining[i]);
        FB_ASSIGN_OR_RETURN(LogisticFit fit, Fit(Design(woe, columns, trial), y, options.l2));
        const double aic = 2 * fit.neg_log_likelihood + 2 * double(trial.size() + 1);
        if (aic < step_aic - 1e-9) {
          step_aic = aic;
          step_pick = i;
        }
      }
      if (step_pick == remaining.size()) break;
      kept.push_back(remaining[step_pick]);
      remaining.erase(remaining.begin() + long(step_pick));
      best_aic = step_aic;
    }
    for (size_t c : remaining) selection.dropped.push_back({c, "did not improve AIC (stepwise)"});
  }
  // A positive coefficient on WOE means the feature's effect is reversed by the others
  // (collinearity); drop the worst offender and refit until all signs are right.
  while (!kept.empty()) {
    FB_ASSIGN_OR_RETURN(LogisticFit fit, Fit(Design(woe, columns, kept), y, options.l2));
    size_t worst = kept.size();
    for (size_t i = 0; i < kept.size(); ++i) {
      if (fit.coef[i] > 0 && (worst == kept.size() || fit.coef[i] > fit.coef[worst])) worst = i;
    }
    if (worst == kept.size()) break;
    selection.dropped.push_back({kept[worst], "coefficient has the wrong sign"});
    kept.erase(kept.begin() + long(worst));
  }
  if (kept.empty()) {
    return InvalidArgumentError(
        "no feature is predictive enough for a scorecard (all below min_iv, correlated or "
        "with reversed effects)");
  }
  selection.kept = kept;
  return selection;
}

}  // namespace finbrain::models
