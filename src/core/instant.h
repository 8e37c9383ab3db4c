// Instants: milliseconds since the Unix epoch, and their RFC 3339 text.
//
// The text form is what `#inst` reads and prints, as Clojure does for
// java.util.Date: "2020-01-02T03:04:05.678-00:00" when printing, and any of
// "2020", "2020-01", "2020-01-02", "2020-01-02T03:04", "...:05",
// "...:05.678901" (digits past milliseconds truncated), with "Z" or an offset
// "+hh:mm" / "-hh:mm" when reading. Years outside 0000-9999 use a sign and
// at least four digits ("+12345-01-01", "-0001-01-01"), as ISO 8601's
// expanded form.
#ifndef STRATA_CORE_INSTANT_H_
#define STRATA_CORE_INSTANT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

// Parses an RFC 3339 timestamp; on failure returns nullopt and sets *error
// to what was wrong.
std::optional<int64_t> ParseInstant(std::string_view text, std::string* error);

// The canonical text, e.g. "2020-01-02T03:04:05.678-00:00".
std::string FormatInstant(int64_t epoch_ms);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

}  // namespace strata

#endif  // STRATA_CORE_INSTANT_H_
