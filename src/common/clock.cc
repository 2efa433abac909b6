#include "common/clock.h"

#include <chrono>
#include <cstdio>

namespace finbrain {
namespace {

class WallClock final : public Clock {
 public:
  TimeMicros NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

bool ParseDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

}  // namespace

const Clock& SystemClock() {
  static const WallClock clock;
  return clock;
}

std::string FormatRfc3339(TimeMicros time) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds(time)};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{tp - day};
  const auto micros = static_cast<long long>(hms.subseconds().count());
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                        int(hms.minutes().count()), int(hms.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  if (micros != 0) {
    if (micros % 1000 == 0) {
      std::snprintf(buf, sizeof buf, ".%03lld", micros / 1000);
    } else {
      std::snprintf(buf, sizeof buf, ".%06lld", micros);
    }
    out += buf;
  }
  out += 'Z';
  return out;
}

StatusOr<TimeMicros> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&] {
    return InvalidArgumentError("'" + std::string(text.substr(0, 64)) +
                                "' is not an RFC 3339 date-time (e.g. 2026-12-31T23:59:59Z)");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!ParseDigits(text, 0, 4, y) || !Expect(text, 4, '-') || !ParseDigits(text, 5, 2, mo) ||
      !Expect(text, 7, '-') || !ParseDigits(text, 8, 2, d)) {
    return bad();
  }
  if (text.size() < 11 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return bad();
  if (!ParseDigits(text, 11, 2, h) || !Expect(text, 13, ':') || !ParseDigits(text, 14, 2, mi) ||
      !Expect(text, 16, ':') || !ParseDigits(text, 17, 2, s)) {
    return bad();
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  // Leap seconds (60) are folded into the next second's start rather than rejected.
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  size_t pos = 19;
  TimeMicros frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    TimeMicros scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) {
        frac += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
  }
  TimeMicros offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!ParseDigits(text, pos + 1, 2, oh) || !Expect(text, pos + 3, ':') ||
        !ParseDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();  // RFC 3339 requires an offset
  }
  if (pos != text.size()) return bad();
  const TimeMicros days_since_epoch = sys_days(ymd).time_since_epoch().count();
  const TimeMicros seconds = days_since_epoch * 86400 + h * 3600 + mi * 60 + s - offset_seconds;
  return seconds * kMicrosPerSecond + frac;
}

}  // namespace finbrain
