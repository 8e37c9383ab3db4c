// `strata repl [URI]`: an interactive console on one database.
//
// Each command is a word followed by EDN arguments; a command continues over
// lines until its EDN is complete (brackets and strings closed). On a
// terminal the console reads through libedit (line editing, history kept in
// $STRATA_HISTORY or ~/.strata_history); otherwise it reads the same commands
// from stdin without a prompt, so it can be scripted. An error is printed on
// stderr and the console goes on; a scripted run then exits 1 at its end.
// docs/cli.md lists the commands.
#ifndef STRATA_TOOLS_STRATA_REPL_H_
#define STRATA_TOOLS_STRATA_REPL_H_

#include <string>

namespace strata::cli {

struct ReplOptions {
  // Create the database with the sample data when it does not exist, show
  // the banner with the example commands, and (stdin not a terminal) run
  // them before reading stdin.
  bool sample = false;
};

// Runs the console on `uri` (empty: a new in-memory database). Returns the
// exit status.
int RunRepl(const std::string& uri, const ReplOptions& options);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_STRATA_REPL_H_
