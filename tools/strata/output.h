// Output of the `strata` command: exit codes, the --format option, and the
// EDN, JSON and table renderings of results (docs/cli.md).
//
// JSON mapping (one JSON value per EDN value):
//   nil -> null, booleans -> true/false, longs and refs -> numbers,
//   doubles and floats -> numbers (##NaN, ##Inf, ##-Inf -> those strings),
//   big integers and big decimals -> strings of their EDN text ("1N",
//   "1.50M"), strings -> strings, characters -> one-character strings,
//   keywords -> ":ns/name" strings, symbols -> "ns/name" strings,
//   instants, UUIDs, URIs and bytes -> the string inside their tagged form
//   ("2020-01-02T03:04:05.006-00:00", the UUID text, the URI, base64),
//   vectors, lists, tuples and sets -> arrays (sets in EDN sort order),
//   maps whose keys are all keywords or strings -> objects (keyword keys as
//   ":ns/name"), other maps -> arrays of [key, value] pairs, other tagged
//   values -> {"#tag": value}.
#ifndef STRATA_TOOLS_STRATA_OUTPUT_H_
#define STRATA_TOOLS_STRATA_OUTPUT_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "strata/anomaly.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/value.h"

namespace CLI {
class App;
}  // namespace CLI

namespace strata::cli {

// The exit status of the `strata` command.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,  // an unexpected failure that is not an anomaly
  kExitUsage = 2,  // bad arguments or options (CLI11's parse errors)
  // An anomaly, by category.
  kExitIncorrect = 3,
  kExitNotFound = 4,
  kExitConflict = 5,
  kExitUnavailable = 6,
  kExitBusy = 7,
  kExitInterrupted = 8,
  kExitForbidden = 9,
  kExitUnsupported = 10,
  kExitFault = 11,
};

int ExitCodeFor(Category category);

// Prints the anomaly's EDN map on stderr; returns its exit code.
int ReportAnomaly(const Anomaly& anomaly);

enum class Format { kEdn, kJson, kTable };

// Adds `--format edn|json|table` (default edn) to `command`.
void AddFormatOption(CLI::App* command, Format* format);

// `v` as JSON, by the mapping of the file comment.
nlohmann::json ToJson(const Value& v);
// Compact JSON text of `v`; invalid UTF-8 in strings is replaced.
std::string JsonText(const Value& v);

// The text of a table cell: strings as they are, anything else as EDN.
std::string CellText(const Value& v);
// Aligned columns under a header and a rule, then "(N rows)".
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<Value>>& rows);
// A table of any value, by its shape: a collection of sequentials is a
// relation (`columns` name them when there are as many), a collection of
// maps has a column per key, a map a row per entry (key, value), a
// collection of other values one column (`columns[0]` or "value"), and
// anything else one cell.
std::string TableOf(const Value& v, const std::vector<std::string>& columns = {});

// A datom as EDN, [e :attr v tx added], its attribute by ident when `db`
// knows one.
Value DatomValue(const Database& db, const Datom& d);

// `v` in `format`, ending with a newline.
std::string Render(const Value& v, Format format, const std::vector<std::string>& columns = {});

// A duration such as 90s, 30m, 2h, 7d, 1w or 1h30m (units s, m, h, d, w;
// a plain number is minutes). Throws an incorrect Anomaly when `text` is
// not one.
std::chrono::seconds ParseDuration(std::string_view text);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_OUTPUT_H_
