// RFC 3339 instants (see instant.h). Calendar arithmetic after Howard
// Hinnant's public-domain civil date algorithms.
#include "core/instant.h"

#include <fmt/format.h>

namespace strata {

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2);
}

namespace {

__extension__ typedef __int128 Int128;

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly n digits.
  bool Digits(size_t n, int64_t* out) {
    if (s_.size() - i_ < n) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s_[i_ + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    *out = v;
    return true;
  }
  // One or more digits, at most max.
  size_t DigitRun(size_t max, int64_t* out, size_t keep) {
    size_t n = 0;
    int64_t v = 0;
    while (!done() && peek() >= '0' && peek() <= '9') {
      if (n < keep) v = v * 10 + (peek() - '0');
      ++n;
      ++i_;
      if (n > max) return 0;
    }
    *out = v;
    return n;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::optional<int64_t> ParseInstant(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view what) -> std::optional<int64_t> {
    *error = fmt::format(
        "\"{}\" is not an RFC 3339 instant: {}; write e.g. "
        "\"2020-01-02T03:04:05.678Z\"",
        text, what);
    return std::nullopt;
  };
  Cursor c(text);
  int64_t year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0;
  bool negative = false, is_signed = true;
  if (c.Eat('-')) {
    negative = true;
  } else if (!c.Eat('+')) {
    is_signed = false;
  }
  // Four digits, or with a sign (ISO 8601's expanded years) up to nine.
  size_t year_digits = c.DigitRun(is_signed ? 9 : 4, &year, 9);
  if (year_digits < 4) {
    return fail(is_signed ? "a signed year needs four to nine digits"
                          : "the year needs four digits");
  }
  if (negative) year = -year;
  if (c.Eat('-')) {
    if (!c.Digits(2, &month) || month < 1 || month > 12) return fail("bad month");
    if (c.Eat('-')) {
      if (!c.Digits(2, &day) || day < 1 || day > DaysInMonth(year, static_cast<unsigned>(month))) {
        return fail("bad day of month");
      }
      if (c.Eat('T') || c.Eat('t')) {
        if (!c.Digits(2, &hour) || hour > 23) return fail("bad hour");
        if (c.Eat(':')) {
          if (!c.Digits(2, &minute) || minute > 59) return fail("bad minute");
          if (c.Eat(':')) {
            // 60 is a leap second, as RFC 3339 allows.
            if (!c.Digits(2, &second) || second > 60) return fail("bad second");
            if (c.Eat('.')) {
              int64_t frac = 0;
              size_t n = c.DigitRun(64, &frac, 3);
              if (n == 0) return fail("bad fraction of a second");
              for (size_t k = n; k < 3; ++k) frac *= 10;
              ms = frac;
            }
          }
        }
      }
    }
  }
  int64_t offset_minutes = 0;
  if (c.Eat('Z') || c.Eat('z')) {
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '-' ? -1 : 1;
    c.Eat(c.peek());
    int64_t oh = 0, om = 0;
    if (!c.Digits(2, &oh) || oh > 23 || !c.Eat(':') || !c.Digits(2, &om) || om > 59) {
      return fail("bad offset: write Z, +hh:mm or -hh:mm");
    }
    offset_minutes = sign * (oh * 60 + om);
  }
  if (!c.done()) return fail("unexpected text after the timestamp");
  Int128 total = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  total = total * 86400 + hour * 3600 + (minute - offset_minutes) * 60 + second;
  total = total * 1000 + ms;
  if (total > INT64_MAX || total < INT64_MIN) return fail("out of range");
  return static_cast<int64_t>(total);
}

std::string FormatInstant(int64_t epoch_ms) {
  // Floor division, so instants before 1970 print their own date.
  int64_t ms = epoch_ms % 1000;
  int64_t secs = epoch_ms / 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  std::string y =
      year >= 0 && year <= 9999 ? fmt::format("{:04}", year) : fmt::format("{:+05}", year);
  return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}-00:00", y, month, day, sod / 3600,
                     sod % 3600 / 60, sod % 60, ms);
}

}  // namespace strata
