// The reading subcommands of `strata`: q, pull, pull-many, entity, datoms,
// stats, schema and verify (docs/cli.md).
#ifndef STRATA_TOOLS_STRATA_QUERY_COMMANDS_H_
#define STRATA_TOOLS_STRATA_QUERY_COMMANDS_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace strata::cli {

// Subcommands registered on an app, each with the function that runs it
// once the command line is parsed.
class CommandSet {
 public:
  void Add(CLI::App* command, std::function<int()> run);
  // Like Add, for a command whose trailing positional arguments are EDN
  // values: they are stored in *args, whole, before `run` runs (an unknown
  // option among them is a usage error). REQUIRES: *args outlives the set.
  void AddWithEdnArguments(CLI::App* command, std::vector<std::string>* args,
                           std::function<int()> run);
  // Runs the subcommand of this set that the command line chose and
  // returns its exit code; nullopt when it chose none of them. Anomalies
  // propagate to the caller.
  std::optional<int> RunParsed() const;

 private:
  std::vector<std::pair<CLI::App*, std::function<int()>>> commands_;
};

// Registers q, pull, pull-many, entity, datoms, stats, schema and verify on
// `app`; their options live as long as the returned set.
CommandSet AddQueryCommands(CLI::App& app);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_QUERY_COMMANDS_H_
