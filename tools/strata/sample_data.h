// The sample database of `make run` (`strata repl --sample URI`): a dozen
// people, the cities they live in (refs), their friends (cardinality-many
// refs) and languages (cardinality-many keywords), built in a few
// transactions so that it has history (birthdays, moves, a friendship
// ended), and the example commands the console's banner shows.
#ifndef STRATA_TOOLS_STRATA_SAMPLE_DATA_H_
#define STRATA_TOOLS_STRATA_SAMPLE_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "strata/connection.h"

namespace strata::cli {

// Transacts the sample schema and data into `conn` (an empty database), in
// several transactions; returns how many.
int64_t TransactSampleData(Connection& conn);

// One example of the banner: what it shows and the console command.
struct SampleExample {
  std::string title;
  std::string command;
};

// Three example commands over the sample data, the last over its history.
std::vector<SampleExample> SampleExamples();

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_SAMPLE_DATA_H_
