#include "models/binning.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "common/strings.h"

namespace finbrain::models {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxCategoricalPrebins = 50;

struct Counts {
  std::int64_t non_events = 0;
  std::int64_t events = 0;
  std::int64_t total() const { return non_events + events; }
  void Add(std::uint8_t y) { y ? ++events : ++non_events; }
};

// WOE and IV of a bin; half a count of smoothing keeps empty classes finite.
void Evidence(const Counts& bin, const Counts& all, double& woe, double& iv) {
  if (bin.total() == 0) {
    woe = iv = 0;
    return;
  }
  const double good = (double(bin.non_events) + 0.5) / double(all.non_events);
  const double bad = (double(bin.events) + 0.5) / double(all.events);
  woe = std::log(good / bad);
  iv = (double(bin.non_events) / double(all.non_events) - double(bin.events) / double(all.events)) *
       woe;
}

// The best partition of ordered pre-bins into contiguous groups under the trend constraint.
class MergeSearch {
 public:
  MergeSearch(const std::vector<Counts>& prebins, const Counts& all, std::int64_t min_count,
              int max_bins)
      : n_(static_cast<int>(prebins.size())),
        all_(all),
        min_count_(min_count),
        max_bins_(std::max(1, max_bins)) {
    ne_.assign(n_ + 1, 0);
    e_.assign(n_ + 1, 0);
    for (int i = 0; i < n_; ++i) {
      ne_[i + 1] = ne_[i] + prebins[i].non_events;
      e_[i + 1] = e_[i] + prebins[i].events;
    }
  }

  // Group boundaries (indices into pre-bins, first 0, last n) and the IV they achieve.
  std::vector<int> Solve(Trend trend, double& best_iv) const {
    const int phases = (trend == Trend::kPeak || trend == Trend::kValley) ? 2 : 1;
    const int k_max = std::min(max_bins_, n_);
    // value[k][phase][i][j]: best IV for pre-bins [0, j) in k+1 groups ending with group [i, j).
    const auto index = [&](int k, int p, int i, int j) {
      return ((size_t(k) * phases + p) * (n_ + 1) + i) * (n_ + 1) + j;
    };
    std::vector<double> value(size_t(k_max) * phases * (n_ + 1) * (n_ + 1), kNegInf);
    std::vector<int> parent(value.size(), -1);  // encoded (phase, h) of the previous group
    for (int j = 1; j <= n_; ++j) {
      if (Feasible(0, j)) value[index(0, 0, 0, j)] = Iv(0, j);
    }
    for (int k = 1; k < k_max; ++k) {
      for (int j = 1; j <= n_; ++j) {
        for (int i = 1; i < j; ++i) {
          if (!Feasible(i, j)) continue;
          const double rate = Rate(i, j);
          for (int p = 0; p < phases; ++p) {
            for (int h = 0; h < i; ++h) {
              const double prev = value[index(k - 1, p, h, i)];
              if (prev == kNegInf) continue;
              const double prev_rate = Rate(h, i);
              for (int q = p; q < phases; ++q) {
                if (!Allowed(trend, q, prev_rate, rate)) continue;
                const double candidate = prev + Iv(i, j);
                if (candidate > value[index(k, q, i, j)]) {
                  value[index(k, q, i, j)] = candidate;
                  parent[index(k, q, i, j)] = p * (n_ + 1) + h;
                }
              }
            }
          }
        }
      }
    }
    best_iv = kNegInf;
    int best_k = -1, best_p = 0, best_i = 0;
    for (int k = 0; k < k_max; ++k) {
      for (int p = 0; p < phases; ++p) {
        for (int i = 0; i < n_; ++i) {
          const double v = value[index(k, p, i, n_)];
          if (v > best_iv + 1e-12) {
            best_iv = v;
            best_k = k;
            best_p = p;
            best_i = i;
          }
        }
      }
    }
    if (best_k < 0) {  // nothing satisfies the constraints: one bin
      best_iv = 0;
      return {0, n_};
    }
    std::vector<int> cuts = {n_};
    int k = best_k, p = best_p, i = best_i, j = n_;
    while (k > 0) {
      cuts.push_back(i);
      const int code = parent[index(k, p, i, j)];
      j = i;
      p = code / (n_ + 1);
      i = code % (n_ + 1);
      --k;
    }
    cuts.push_back(0);
    std::reverse(cuts.begin(), cuts.end());
    return cuts;
  }

 private:
  bool Feasible(int i, int j) const { return ne_[j] - ne_[i] + e_[j] - e_[i] >= min_count_; }
  double Rate(int i, int j) const {
    return double(e_[j] - e_[i]) / double(ne_[j] - ne_[i] + e_[j] - e_[i]);
  }
  double Iv(int i, int j) const {
    double woe = 0, iv = 0;
    Evidence({ne_[j] - ne_[i], e_[j] - e_[i]}, all_, woe, iv);
    return iv;
  }
  // Whether a group with event rate `rate` may follow one with `prev` while in `phase`.
  static bool Allowed(Trend trend, int phase, double prev, double rate) {
    switch (trend) {
      case Trend::kAscending:
        return rate >= prev;
      case Trend::kDescending:
        return rate <= prev;
      case Trend::kPeak:
        return phase == 0 ? rate >= prev : rate <= prev;
      case Trend::kValley:
        return phase == 0 ? rate <= prev : rate >= prev;
      default:
        return true;
    }
  }

  int n_;
  Counts all_;
  std::int64_t min_count_;
  int max_bins_;
  std::vector<std::int64_t> ne_, e_;
};

std::vector<int> BestCuts(const std::vector<Counts>& prebins, const Counts& all,
                          std::int64_t min_count, int max_bins, Trend& trend) {
  MergeSearch search(prebins, all, min_count, max_bins);
  double iv = 0;
  if (trend != Trend::kAuto) return search.Solve(trend, iv);
  double iv_down = 0;
  std::vector<int> up = search.Solve(Trend::kAscending, iv);
  std::vector<int> down = search.Solve(Trend::kDescending, iv_down);
  trend = iv_down > iv ? Trend::kDescending : Trend::kAscending;
  return iv_down > iv ? down : up;
}

std::string FormatBound(double v) {
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  std::ostringstream out;
  out.precision(10);
  out << v;
  return out.str();
}

void Finish(FeatureBinning& binning, const Counts& all) {
  binning.iv = 0;
  for (Bin& bin : binning.bins) {
    Evidence({bin.count - bin.events, bin.events}, all, bin.woe, bin.iv);
    binning.iv += bin.iv;
  }
}

}  // namespace

StatusOr<Trend> ParseTrend(std::string_view text) {
  for (Trend t : {Trend::kAuto, Trend::kAscending, Trend::kDescending, Trend::kPeak, Trend::kValley,
                  Trend::kNone}) {
    if (TrendName(t) == text) return t;
  }
  if (text == "increasing") return Trend::kAscending;
  if (text == "decreasing") return Trend::kDescending;
  return InvalidArgumentError(Quote(text) +
                              " is not a trend (auto, ascending, descending, peak, valley, none)");
}

std::string_view TrendName(Trend trend) {
  switch (trend) {
    case Trend::kAuto:
      return "auto";
    case Trend::kAscending:
      return "ascending";
    case Trend::kDescending:
      return "descending";
    case Trend::kPeak:
      return "peak";
    case Trend::kValley:
      return "valley";
    case Trend::kNone:
      return "none";
  }
  return "none";
}

std::string Bin::Label() const {
  // Appended piecewise: GCC 12 warns (-Wrestrict, falsely) on "literal" + std::string chains.
  std::string out;
  switch (type) {
    case Type::kRange:
      out += '[';
      out += FormatBound(lower);
      out += ", ";
      out += FormatBound(upper);
      out += ')';
      break;
    case Type::kCategories:
      out += '{';
      out += Join(categories, ", ");
      out += '}';
      break;
    case Type::kSpecial:
      out += "special ";
      out += FormatBound(special);
      break;
    case Type::kMissing:
      out += "missing";
      break;
  }
  return out;
}

size_t FeatureBinning::MissingBin() const { return bins.size() - 1; }

size_t FeatureBinning::BinOfNumber(double x) const {
  if (std::isnan(x)) return MissingBin();
  size_t first_range = bins.size(), last_range = 0;
  for (size_t b = 0; b < bins.size(); ++b) {
    if (bins[b].type == Bin::Type::kSpecial && bins[b].special == x) return b;
    if (bins[b].type == Bin::Type::kRange) {
      first_range = std::min(first_range, b);
      last_range = b;
    }
  }
  if (first_range == bins.size()) return MissingBin();
  // Ranges are contiguous and ordered: find the first whose upper bound exceeds x.
  size_t lo = first_range, hi = last_range;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (x < bins[mid].upper) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

size_t FeatureBinning::BinOf(const Column& column, size_t row) const {
  if (column.IsMissing(row)) return MissingBin();
  if (kind == ColumnKind::kNumeric && column.kind == ColumnKind::kNumeric) {
    return BinOfNumber(column.numbers[row]);
  }
  return BinOfCategory(column.Text(row));
}

size_t FeatureBinning::BinOfCategory(std::string_view category) const {
  for (size_t b = 0; b < bins.size(); ++b) {
    const auto& cats = bins[b].categories;
    if (std::find(cats.begin(), cats.end(), category) != cats.end()) return b;
  }
  return MissingBin();
}

std::string FeatureBinning::TableCsv() const {
  std::int64_t total = 0, events = 0;
  for (const Bin& b : bins) {
    total += b.count;
    events += b.events;
  }
  std::ostringstream out;
  out.precision(6);
  out << "bin,count,count_share,non_events,events,event_rate,woe,iv\n";
  for (const Bin& b : bins) {
    out << CsvField(b.Label()) << ',' << b.count << ','
        << (total ? double(b.count) / double(total) : 0) << ',' << b.count - b.events << ','
        << b.events << ',' << b.EventRate() << ',' << b.woe << ',' << b.iv << '\n';
  }
  out << "\"totals\"," << total << ",1," << total - events << ',' << events << ','
      << (total ? double(events) / double(total) : 0) << ",," << iv << '\n';
  return out.str();
}

StatusOr<FeatureBinning> BinFeature(const Column& column, const std::vector<std::uint8_t>& y,
                                    const BinningOptions& options) {
  if (y.size() !=
      (column.kind == ColumnKind::kNumeric ? column.numbers.size() : column.codes.size())) {
    return InvalidArgumentError("column " + Quote(column.name) + " and target differ in length");
  }
  if (options.max_bins < 1) return InvalidArgumentError("max_bins must be at least 1", "max_bins");
  if (!(options.min_bin_share >= 0 && options.min_bin_share < 1)) {
    return InvalidArgumentError("min_bin_share must be in [0, 1)", "min_bin_share");
  }
  FeatureBinning binning;
  binning.feature = column.name;
  binning.kind = column.kind;
  Counts all, missing;
  for (size_t r = 0; r < y.size(); ++r) {
    all.Add(y[r]);
    if (column.IsMissing(r)) missing.Add(y[r]);
  }
  if (all.events == 0 || all.non_events == 0) {
    return InvalidArgumentError("binning " + Quote(column.name) + " needs both outcomes");
  }
  if (missing.total() == all.total()) {
    return InvalidArgumentError("column " + Quote(column.name) + " has no values (all missing)",
                                column.name);
  }
  const auto min_count =
      static_cast<std::int64_t>(std::ceil(options.min_bin_share * double(all.total())));
  Trend trend = options.trend;

  if (column.kind == ColumnKind::kNumeric) {
    std::map<double, Counts> specials;
    std::vector<std::pair<double, std::uint8_t>> values;
    values.reserve(y.size());
    for (size_t r = 0; r < y.size(); ++r) {
      const double x = column.numbers[r];
      if (std::isnan(x)) continue;
      if (std::find(options.special_values.begin(), options.special_values.end(), x) !=
          options.special_values.end()) {
        specials[x].Add(y[r]);
      } else {
        values.emplace_back(x, y[r]);
      }
    }
    std::sort(values.begin(), values.end());
    // Quantile pre-bins that never split a run of equal values.
    std::vector<Counts> prebins;
    std::vector<double> first, last;
    const size_t target = std::max<size_t>(1, values.size() / std::max(1, options.prebins));
    for (size_t i = 0; i < values.size();) {
      Counts c;
      const double lo = values[i].first;
      size_t j = i;
      while (j < values.size() && (j - i < target || values[j].first == values[j - 1].first)) {
        c.Add(values[j].second);
        ++j;
      }
      prebins.push_back(c);
      first.push_back(lo);
      last.push_back(values[j - 1].first);
      i = j;
    }
    if (prebins.empty()) {
      binning.bins.push_back(Bin{});  // only specials and missing: one empty range
    } else {
      const std::vector<int> cuts = BestCuts(prebins, all, min_count, options.max_bins, trend);
      for (size_t g = 0; g + 1 < cuts.size(); ++g) {
        Bin bin;
        bin.lower = g == 0 ? kNegInf : (last[cuts[g] - 1] + first[cuts[g]]) / 2;
        bin.upper = g + 2 == cuts.size() ? kInf : (last[cuts[g + 1] - 1] + first[cuts[g + 1]]) / 2;
        for (int p = cuts[g]; p < cuts[g + 1]; ++p) {
          bin.count += prebins[p].total();
          bin.events += prebins[p].events;
        }
        binning.bins.push_back(bin);
      }
    }
    for (const double special : options.special_values) {
      Bin bin{.type = Bin::Type::kSpecial, .special = special};
      if (auto it = specials.find(special); it != specials.end()) {
        bin.count = it->second.total();
        bin.events = it->second.events;
      }
      binning.bins.push_back(bin);
    }
  } else {
    std::vector<Counts> levels(column.levels.size());
    for (size_t r = 0; r < y.size(); ++r) {
      if (column.codes[r] >= 0) levels[column.codes[r]].Add(y[r]);
    }
    // Order by event rate; with many levels, the rare ones share one pre-bin.
    const std::int64_t rare = column.levels.size() > size_t(kMaxCategoricalPrebins)
                                  ? all.total() / kMaxCategoricalPrebins
                                  : 0;
    std::vector<std::vector<int>> members;
    std::vector<Counts> prebins;
    Counts rare_counts;
    std::vector<int> rare_levels;
    for (size_t l = 0; l < levels.size(); ++l) {
      if (levels[l].total() == 0) continue;
      if (levels[l].total() < rare) {
        rare_counts.non_events += levels[l].non_events;
        rare_counts.events += levels[l].events;
        rare_levels.push_back(int(l));
      } else {
        members.push_back({int(l)});
        prebins.push_back(levels[l]);
      }
    }
    if (!rare_levels.empty()) {
      members.push_back(rare_levels);
      prebins.push_back(rare_counts);
    }
    std::vector<size_t> order(prebins.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto rate = [&](size_t i) {
      return (double(prebins[i].events) + 0.5) / (double(prebins[i].total()) + 1.0);
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return rate(a) < rate(b); });
    std::vector<Counts> sorted;
    for (size_t i : order) sorted.push_back(prebins[i]);
    trend = Trend::kAscending;
    const std::vector<int> cuts = BestCuts(sorted, all, min_count, options.max_bins, trend);
    for (size_t g = 0; g + 1 < cuts.size(); ++g) {
      Bin bin{.type = Bin::Type::kCategories};
      for (int p = cuts[g]; p < cuts[g + 1]; ++p) {
        bin.count += sorted[p].total();
        bin.events += sorted[p].events;
        for (int l : members[order[p]]) bin.categories.push_back(column.levels[l]);
      }
      binning.bins.push_back(bin);
    }
  }
  binning.trend = trend;
  Bin missing_bin{.type = Bin::Type::kMissing, .count = missing.total(), .events = missing.events};
  binning.bins.push_back(missing_bin);
  Finish(binning, all);
  return binning;
}

}  // namespace finbrain::models
