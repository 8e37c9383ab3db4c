// The subcommands `import`, `export` and `repl` of the `strata` command:
// registered on the CLI11 app by AddReplCommands, run by RunReplCommands.
#ifndef STRATA_TOOLS_STRATA_REPL_COMMANDS_H_
#define STRATA_TOOLS_STRATA_REPL_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>

namespace strata::cli {

struct ReplCommands;

// Adds the subcommands to `app`. The result holds their parsed options; it
// must live until RunReplCommands.
std::shared_ptr<ReplCommands> AddReplCommands(CLI::App& app);

// After app.parse: runs the subcommand of this group that was given and
// returns its exit status, or nullopt when none was. Throws what the
// subcommand throws (an Anomaly).
std::optional<int> RunReplCommands(const ReplCommands& commands);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_REPL_COMMANDS_H_
