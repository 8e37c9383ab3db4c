// Registration of `strata import`, `strata export` and `strata repl`.
#include "repl_commands.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "import_export.h"
#include "repl.h"

namespace strata::cli {

struct ReplCommands {
  CLI::App* import = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* repl = nullptr;
  std::string uri;
  std::vector<std::string> files;
  std::string export_path;
  ImportOptions import_options;
  bool no_progress = false;
  ReplOptions repl_options;
};

std::shared_ptr<ReplCommands> AddReplCommands(CLI::App& app) {
  auto c = std::make_shared<ReplCommands>();
  const char* uri_help =
      "Database URI: strata:lmdb://NAME?dir=PATH, strata:postgres://NAME?CONNINFO";

  c->import = app.add_subcommand(
      "import",
      "Bulk load tx-data files, streamed and transacted in batches\n"
      "  Example: strata import 'strata:lmdb://shop?dir=data' schema.edn orders.edn");
  c->import->add_option("uri", c->uri, uri_help)->required();
  c->import
      ->add_option("files", c->files,
                   "EDN files: tx-data vectors, entity maps or tx forms ('-' for stdin)")
      ->required();
  c->import
      ->add_option("--batch", c->import_options.batch_datoms,
                   "Datoms per transaction, about (default 10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  c->import->add_option("--tempids", c->import_options.tempids_path,
                        "Write the resolved tempids to this file as an EDN map");
  c->import->add_flag("--no-progress", c->no_progress, "No progress bar, even on a terminal");

  c->export_ =
      app.add_subcommand("export",
                         "Write the database's current state as tx-data that import loads back\n"
                         "  Example: strata export 'strata:lmdb://shop?dir=data' shop.edn");
  c->export_->add_option("uri", c->uri, uri_help)->required();
  c->export_->add_option("file", c->export_path, "File to write; '-' for stdout")->required();

  c->repl = app.add_subcommand(
      "repl",
      "Interactive console: queries, transactions, pull, datoms, as-of, history\n"
      "  Example: strata repl 'strata:lmdb://shop?dir=data'   (then: help)");
  c->repl->add_option("uri", c->uri, std::string(uri_help) + "; none for an in-memory database");
  c->repl->add_flag("--sample", c->repl_options.sample,
                    "Create the database with sample data if absent, show example commands, "
                    "and run them when stdin is not a terminal (make run)");
  return c;
}

std::optional<int> RunReplCommands(const ReplCommands& c) {
  if (c.import->parsed()) {
    ImportOptions options = c.import_options;
    options.progress = !c.no_progress && ::isatty(STDERR_FILENO) != 0;
    return RunImport(c.uri, c.files, options);
  }
  if (c.export_->parsed()) return RunExport(c.uri, c.export_path);
  if (c.repl->parsed()) return RunRepl(c.uri, c.repl_options);
  return std::nullopt;
}

}  // namespace strata::cli
