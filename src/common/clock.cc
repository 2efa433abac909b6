#include "common/clock.h"

#include <chrono>
#include <cstdio>

#include "common/strings.h"

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

namespace {
// Writes `value` as exactly `width` decimal digits ending just before `end`.
char* PutDigits(char* end, unsigned value, int width) {
  for (int i = 0; i < width; ++i, value /= 10) *--end = static_cast<char>('0' + value % 10);
  return end;
}
}  // namespace

std::string FormatRfc3339(TimeMicros time) {
  // Hot on the ingest path (every event's occurred_at): formatted by hand, no printf.
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds(time)};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{tp - day};
  const auto micros = static_cast<unsigned>(hms.subseconds().count());
  const int y = int(ymd.year());
  if (y < 0 || y > 9999) {  // not representable in RFC 3339; rare, so printf is fine here
    char wide[64];
    std::snprintf(wide, sizeof wide, "%d-%02u-%02uT%02d:%02d:%02dZ", y, unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
    return wide;
  }
  char buf[32] = "0000-00-00T00:00:00";
  PutDigits(buf + 4, static_cast<unsigned>(y), 4);
  PutDigits(buf + 7, unsigned(ymd.month()), 2);
  PutDigits(buf + 10, unsigned(ymd.day()), 2);
  PutDigits(buf + 13, static_cast<unsigned>(hms.hours().count()), 2);
  PutDigits(buf + 16, static_cast<unsigned>(hms.minutes().count()), 2);
  PutDigits(buf + 19, static_cast<unsigned>(hms.seconds().count()), 2);
  size_t n = 19;
  if (micros != 0) {
    buf[n++] = '.';
    const bool millis = micros % 1000 == 0;
    const int width = millis ? 3 : 6;
    PutDigits(buf + n + width, millis ? micros / 1000 : micros, width);
    n += width;
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

StatusOr<TimeMicros> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&] {
    return InvalidArgumentError(Quote(text, 64) +
                                " is not an RFC 3339 date-time (e.g. 2026-12-31T23:59:59Z)");
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
