// Clock: the one source of "now" in FinBrain, injected so tests are deterministic.
//
// Time is an int64 count of microseconds since the Unix epoch (UTC) throughout the code base:
// cheap to store in keys, compare and serialize.
//
// Example:
//   ManualClock clock(ParseRfc3339("2026-01-01T00:00:00Z").value());
//   limiter.TryAcquire("acme", clock.NowMicros());
//   clock.AdvanceMicros(1'000'000);
//
// Thread-safety: all clocks are safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace finbrain {

using TimeMicros = std::int64_t;
inline constexpr TimeMicros kMicrosPerSecond = 1'000'000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMicros NowMicros() const = 0;
};

// The real wall clock. The returned reference lives for the whole program.
const Clock& SystemClock();

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMicros start = 0) : now_(start) {}
  TimeMicros NowMicros() const override { return now_.load(std::memory_order_relaxed); }
  void SetMicros(TimeMicros now) { now_.store(now, std::memory_order_relaxed); }
  void AdvanceMicros(TimeMicros delta) { now_.fetch_add(delta, std::memory_order_relaxed); }

 private:
  std::atomic<TimeMicros> now_;
};

// "2026-11-26T13:29:54.123456Z" (microseconds shown only when non-zero, as milliseconds when
// that is exact).
std::string FormatRfc3339(TimeMicros time);

// Parses RFC 3339 date-times: "2026-11-26T13:29:54Z", "...54.5+08:00". Lowercase 't'/'z' and
// a space separator are accepted, as RFC 3339 allows.
StatusOr<TimeMicros> ParseRfc3339(std::string_view text);

}  // namespace finbrain
