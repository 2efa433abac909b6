#include "features/window_state.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "features/internal/bytes.h"

namespace finbrain::features {
namespace {

using internal::Append;
using internal::Take;

std::int64_t FloorDiv(TimeMicros t, TimeMicros width) {
  return t >= 0 ? t / width : -((-t + width - 1) / width);
}

constexpr std::uint8_t kFormat = 1;

}  // namespace

bool WindowState::Add(const FeatureDef& def, TimeMicros lateness, const Update& u) {
  const TimeMicros width = def.windowed() ? def.bucket_width() : 1;
  // Out-of-order events count while their bucket is still kept (one window plus the lateness
  // allowance behind the newest event); older ones can no longer fall in any window at or
  // after the newest event, so they are dropped.
  if (def.windowed() && last_ != kNever &&
      u.at < (FloorDiv(last_, width) - kBucketsPerWindow) * width - lateness) {
    return false;
  }
  first_ = first_ == kNever ? u.at : std::min(first_, u.at);
  last_ = last_ == kNever ? u.at : std::max(last_, u.at);
  if (!def.windowed()) return true;
  if (def.aggregate == Aggregate::kDistinct) {
    auto it = std::find_if(distinct_.begin(), distinct_.end(),
                           [&](const Seen& s) { return s.hash == u.distinct; });
    if (it != distinct_.end()) {
      it->last = std::max(it->last, u.at);
    } else {
      distinct_.push_back({u.distinct, u.at});
    }
    const TimeMicros keep_after = (FloorDiv(last_, width) - kBucketsPerWindow) * width - lateness;
    std::erase_if(distinct_, [&](const Seen& s) { return s.last < keep_after; });
    if (distinct_.size() > kMaxDistinct) {
      std::nth_element(distinct_.begin(), distinct_.end() - kMaxDistinct, distinct_.end(),
                       [](const Seen& a, const Seen& b) { return a.last < b.last; });
      distinct_.erase(distinct_.begin(), distinct_.end() - kMaxDistinct);
    }
    return true;
  }
  const std::int64_t index = FloorDiv(u.at, width);
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), index,
                             [](const Bucket& b, std::int64_t i) { return b.index < i; });
  if (it == buckets_.end() || it->index != index) {
    it = buckets_.insert(it, Bucket{.index = index, .min = u.value, .max = u.value});
  }
  ++it->count;
  it->sum += u.value;
  it->min = std::min(it->min, u.value);
  it->max = std::max(it->max, u.value);
  const std::int64_t oldest =
      FloorDiv(last_, width) - kBucketsPerWindow - (lateness + width - 1) / width;
  auto keep = std::lower_bound(buckets_.begin(), buckets_.end(), oldest,
                               [](const Bucket& b, std::int64_t i) { return b.index < i; });
  buckets_.erase(buckets_.begin(), keep);
  return true;
}

std::optional<double> WindowState::Value(const FeatureDef& def, TimeMicros at) const {
  constexpr double kMicrosPerSecond = 1e6;
  switch (def.aggregate) {
    case Aggregate::kSinceFirst:
      if (first_ == kNever || first_ >= at) return std::nullopt;
      return double(at - first_) / kMicrosPerSecond;
    case Aggregate::kSinceLast:
      if (last_ == kNever) return std::nullopt;
      // The latest event before `at` is what counts; later ones are not known yet at `at`.
      if (last_ >= at) return std::nullopt;
      return double(at - last_) / kMicrosPerSecond;
    default:
      break;
  }
  const TimeMicros width = def.bucket_width();
  const std::int64_t newest = FloorDiv(at, width);
  const std::int64_t oldest = newest - kBucketsPerWindow;
  if (def.aggregate == Aggregate::kDistinct) {
    const TimeMicros start = oldest * width;
    size_t n = 0;
    for (const Seen& s : distinct_) n += s.last >= start && s.last < at;
    return double(n);
  }
  std::uint64_t count = 0;
  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Bucket& b : buckets_) {
    if (b.index < oldest || b.index > newest) continue;
    count += b.count;
    sum += b.sum;
    lo = std::min(lo, b.min);
    hi = std::max(hi, b.max);
  }
  switch (def.aggregate) {
    case Aggregate::kCount:
      return double(count);
    case Aggregate::kSum:
      return sum;
    case Aggregate::kMean:
      return count == 0 ? std::nullopt : std::optional<double>(sum / double(count));
    case Aggregate::kMin:
      return count == 0 ? std::nullopt : std::optional<double>(lo);
    case Aggregate::kMax:
      return count == 0 ? std::nullopt : std::optional<double>(hi);
    default:
      return std::nullopt;
  }
}

bool WindowState::Expired(const FeatureDef& def, TimeMicros lateness, TimeMicros now) const {
  if (!def.windowed()) return false;  // first/last seen are kept for good (two numbers)
  return last_ == kNever || last_ + def.window + 2 * def.bucket_width() + lateness < now;
}

std::string WindowState::Serialize() const {
  std::string out;
  out.reserve(1 + 16 + 8 + buckets_.size() * 36 + distinct_.size() * 16);
  Append(out, kFormat);
  Append(out, first_);
  Append(out, last_);
  Append(out, std::uint32_t(buckets_.size()));
  for (const Bucket& b : buckets_) {
    Append(out, b.index);
    Append(out, b.count);
    Append(out, b.sum);
    Append(out, b.min);
    Append(out, b.max);
  }
  Append(out, std::uint32_t(distinct_.size()));
  for (const Seen& s : distinct_) {
    Append(out, s.hash);
    Append(out, s.last);
  }
  return out;
}

StatusOr<WindowState> WindowState::Deserialize(std::string_view in) {
  WindowState s;
  std::uint8_t format = 0;
  std::uint32_t n = 0;
  const auto corrupt = [] { return DataLossError("feature window state is corrupt"); };
  if (!Take(in, format) || format != kFormat || !Take(in, s.first_) || !Take(in, s.last_) ||
      !Take(in, n) || n > in.size() / 36) {
    return corrupt();
  }
  s.buckets_.resize(n);
  for (Bucket& b : s.buckets_) {
    if (!Take(in, b.index) || !Take(in, b.count) || !Take(in, b.sum) || !Take(in, b.min) ||
        !Take(in, b.max)) {
      return corrupt();
    }
  }
  if (!Take(in, n) || n != in.size() / 16 || in.size() % 16 != 0) return corrupt();
  s.distinct_.resize(n);
  for (Seen& seen : s.distinct_) {
    if (!Take(in, seen.hash) || !Take(in, seen.last)) return corrupt();
  }
  return s;
}

}  // namespace finbrain::features
