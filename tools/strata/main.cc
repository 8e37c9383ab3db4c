// The `strata` command.
//
// Exit status (output.h, docs/cli.md): 0 on success, 2 for a usage error,
// 3 to 11 when an anomaly was reported (by category; its EDN map is printed
// on stderr), 1 for any other failure.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "output.h"
#include "query_commands.h"
#include "repl_commands.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/edn.h"

namespace {

constexpr const char* kVersion = "0.1.0";

std::string ReadInput(const std::string& path) {
  if (path.empty() || path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw strata::Anomaly(
        strata::Category::kNotFound, "cannot open " + path + ": check the path",
        strata::Value::Keyword("db.error", "file-not-found"),
        strata::Value::Map({{strata::Value::Keyword("path"), strata::Value::String(path)}}));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `strata edn [FILE]`: reads every EDN value of FILE (or stdin) and prints
// each in canonical form, one per line; an anomaly points at the first error.
int RunEdn(const std::string& path) {
  std::string text = ReadInput(path);
  strata::ReadOptions options;
  options.keep_unknown_tags = true;
  strata::EdnReader reader(text, options);
  strata::Value v;
  std::string out;
  while (reader.Next(&v)) {
    out.clear();
    strata::PrintEdn(v, &out);
    out.push_back('\n');
    std::cout << out;
  }
  return 0;
}

// A datom as EDN, [e :attr v tx added], its attribute by ident when `db`
// knows one.
strata::Value DatomEdn(const strata::Database& db, const strata::Datom& d) {
  strata::Value ident = db.Ident(d.a);
  return strata::Value::Vector({strata::Value::Long(d.e),
                                ident.is_nil() ? strata::Value::Long(d.a) : ident, d.v,
                                strata::Value::Long(d.tx), strata::Value::Boolean(d.added)});
}

strata::Value DatomsEdn(const strata::Database& db, const std::vector<strata::Datom>& datoms) {
  std::vector<strata::Value> out;
  out.reserve(datoms.size());
  for (const strata::Datom& d : datoms) out.push_back(DatomEdn(db, d));
  return strata::Value::Vector(std::move(out));
}

void PrintLine(const strata::Value& v) { std::cout << strata::PrintEdn(v) << "\n"; }

strata::Value Kw(std::string_view name) { return strata::Value::Keyword(name); }

// `strata transact URI [FILE]`: tx-data (one EDN vector) from FILE or stdin;
// prints {:t T :tempids {"tempid" eid ...} :datoms N}: the transaction's t,
// its resolved tempids and how many datoms it added (the transaction's own
// :db/txInstant included).
int RunTransact(const std::string& uri, const std::string& path) {
  std::string text = ReadInput(path);
  strata::Connection conn = strata::Connect(uri);
  strata::TxReport report = conn.Transact(text);
  std::vector<strata::ValuePair> tempids;
  for (const auto& [name, eid] : report.tempids) {
    tempids.emplace_back(strata::Value::String(name), strata::Value::Long(eid));
  }
  PrintLine(strata::Value::Map(
      {{Kw("t"), strata::Value::Long(report.db_after.basis_t())},
       {Kw("tempids"), strata::Value::Map(std::move(tempids))},
       {Kw("datoms"), strata::Value::Long(static_cast<int64_t>(report.tx_data.size()))}}));
  return 0;
}

// `strata log URI [--from T] [--to T]`: one EDN map {:t T :data [...]} a
// line, oldest first.
int RunLog(const std::string& uri, std::optional<int64_t> start, std::optional<int64_t> end) {
  strata::Connection conn = strata::Connect(uri);
  strata::Database db = conn.Db();
  for (const strata::LogEntry& e : conn.log().TxRange(start, end)) {
    PrintLine(strata::Value::Map(
        {{Kw("t"), strata::Value::Long(e.t)}, {Kw("data"), DatomsEdn(db, e.data)}}));
  }
  return 0;
}

// `strata info URI`: the database's basis t and datom counts, and the
// object cache's counters after counting them.
int RunInfo(const std::string& uri) {
  strata::Connection conn = strata::Connect(uri);
  strata::Database db = conn.Db();
  strata::Value stats = db.Stats();
  std::vector<strata::ValuePair> entries = {{Kw("uri"), strata::Value::String(uri)},
                                            {Kw("basis-t"), strata::Value::Long(db.basis_t())}};
  for (size_t i = 0; i < stats.Count(); ++i) entries.emplace_back(stats.MapKey(i), stats.MapVal(i));
  strata::CacheStats cache = conn.cache_stats();
  entries.emplace_back(
      Kw("cache"),
      strata::Value::Map({{Kw("hits"), strata::Value::Long(cache.hits)},
                          {Kw("misses"), strata::Value::Long(cache.misses)},
                          {Kw("evictions"), strata::Value::Long(cache.evictions)},
                          {Kw("entries"), strata::Value::Long(cache.entries)},
                          {Kw("bytes"), strata::Value::Long(cache.bytes)},
                          {Kw("capacity-bytes"), strata::Value::Long(cache.capacity_bytes)},
                          {Kw("loaded-bytes"), strata::Value::Long(cache.loaded_bytes)}}));
  PrintLine(strata::Value::Map(std::move(entries)));
  return 0;
}

// `strata gc URI [--older-than DURATION]`: deletes the storage's blobs
// that no database reaches and that were made longer than DURATION ago;
// prints what it found and did as an EDN map.
int RunGc(const std::string& uri, std::chrono::seconds age) {
  auto older_than = std::chrono::system_clock::now() - age;
  strata::GcStats stats = strata::GcStorage(uri, older_than);
  PrintLine(strata::Value::Map({{Kw("uri"), strata::Value::String(uri)},
                                {Kw("databases"), strata::Value::Long(stats.databases)},
                                {Kw("blobs"), strata::Value::Long(stats.blobs)},
                                {Kw("reachable"), strata::Value::Long(stats.reachable)},
                                {Kw("deleted"), strata::Value::Long(stats.deleted)},
                                {Kw("too-young"), strata::Value::Long(stats.too_young)},
                                {Kw("unknown-age"), strata::Value::Long(stats.unknown_age)}}));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Strata: a database of immutable facts (datoms), queried with Datalog."};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(0, 1);
  app.footer(
      "Examples:\n"
      "  strata create 'strata:lmdb://shop?dir=data'\n"
      "  strata transact 'strata:lmdb://shop?dir=data' schema.edn\n"
      "  strata q 'strata:lmdb://shop?dir=data' '[:find ?n :where [_ :person/name ?n]]'\n"
      "Each subcommand's --help shows its options and an example; docs/cli.md has them all,\n"
      "the JSON mapping of --format json and the exit codes.");

  std::string edn_path;
  CLI::App* edn =
      app.add_subcommand("edn", "Check EDN and print it back in canonical form, one value a line");
  edn->add_option("file", edn_path, "EDN file to read; '-' or none for stdin");
  edn->footer("Example:\n  echo '{:b 2 :a #{3 1}}' | strata edn");

  // Databases by URI: strata:mem://NAME, strata:lmdb://NAME?dir=PATH,
  // strata:postgres://NAME?CONNINFO.
  std::string uri;
  const char* uri_help =
      "Database URI: strata:lmdb://NAME?dir=PATH, strata:postgres://NAME?CONNINFO";
  CLI::App* create = app.add_subcommand("create", "Create a database; says whether it was new");
  create->add_option("uri", uri, uri_help)->required();
  create->footer("Example:\n  strata create 'strata:lmdb://shop?dir=data'");
  CLI::App* del = app.add_subcommand("delete", "Delete a database; says whether it existed");
  del->add_option("uri", uri, uri_help)->required();
  del->footer("Example:\n  strata delete 'strata:lmdb://shop?dir=data'");
  CLI::App* list =
      app.add_subcommand("list", "List the databases of a storage (URI with NAME *), one a line");
  list->add_option("uri", uri, "Storage URI with NAME *: strata:lmdb://*?dir=PATH")->required();
  list->footer("Example:\n  strata list 'strata:lmdb://*?dir=data'");
  std::string tx_path;
  CLI::App* transact =
      app.add_subcommand("transact", "Transact tx-data (an EDN vector) and print the report");
  transact->add_option("uri", uri, uri_help)->required();
  transact->add_option("file", tx_path, "EDN file of tx-data; '-' or none for stdin");
  transact->footer(
      "Example:\n  echo '[{:db/ident :person/name :db/valueType :db.type/string "
      ":db/cardinality :db.cardinality/one}]' | strata transact 'strata:lmdb://shop?dir=data' -");
  std::optional<int64_t> log_start, log_end;
  CLI::App* log = app.add_subcommand("log", "Print the transaction log, one transaction a line");
  log->add_option("uri", uri, uri_help)->required();
  log->add_option("--from,--start", log_start, "First t (or transaction id) to print");
  log->add_option("--to,--end", log_end, "t (or transaction id) to stop before");
  log->footer("Example:\n  strata log 'strata:lmdb://shop?dir=data' --from 1000 --to 1010");
  CLI::App* info = app.add_subcommand(
      "info", "Print a database's basis t, datom counts and the object cache's counters");
  info->add_option("uri", uri, uri_help)->required();
  info->footer("Example:\n  strata info 'strata:lmdb://shop?dir=data'");
  int64_t older_than_minutes = 60;
  CLI::App* gc = app.add_subcommand(
      "gc", "Delete the blobs of a storage that no database reaches, made long enough ago");
  gc->add_option("uri", uri,
                 "Storage URI (NAME * or any database's name): strata:lmdb://*?dir=PATH")
      ->required();
  gc->add_option("--older-than-minutes", older_than_minutes,
                 "Keep blobs made less than N minutes ago (default 60, at most 100 years; "
                 "docs/storage.md says how to choose)")
      ->check(CLI::Range(int64_t{0}, int64_t{100} * 365 * 24 * 60));
  std::string older_than;
  gc->add_option("--older-than", older_than,
                 "Keep blobs made less than DURATION ago: 90s, 30m, 2h, 7d, 1w, 1h30m")
      ->excludes("--older-than-minutes");
  gc->footer("Example:\n  strata gc 'strata:lmdb://*?dir=data' --older-than 2h");

  strata::cli::CommandSet query_commands = strata::cli::AddQueryCommands(app);

  auto repl_commands = strata::cli::AddReplCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, the version or the usage error
    return code == 0 ? 0 : 2;
  }

  try {
    if (edn->parsed()) return RunEdn(edn_path);
    if (create->parsed()) {
      std::cout << (strata::CreateDatabase(uri) ? "created " : "exists ") << uri << "\n";
      return 0;
    }
    if (del->parsed()) {
      std::cout << (strata::DeleteDatabase(uri) ? "deleted " : "absent ") << uri << "\n";
      return 0;
    }
    if (list->parsed()) {
      for (const std::string& name : strata::GetDatabaseNames(uri)) std::cout << name << "\n";
      return 0;
    }
    if (transact->parsed()) return RunTransact(uri, tx_path);
    if (log->parsed()) return RunLog(uri, log_start, log_end);
    if (info->parsed()) return RunInfo(uri);
    if (gc->parsed()) {
      return RunGc(uri, older_than.empty() ? std::chrono::minutes(older_than_minutes)
                                           : strata::cli::ParseDuration(older_than));
    }
    if (std::optional<int> code = query_commands.RunParsed()) return *code;
    if (auto status = strata::cli::RunReplCommands(*repl_commands)) return *status;
    std::cout << app.help();
    return 0;
  } catch (const strata::Anomaly& e) {
    return strata::cli::ReportAnomaly(e);
  }
}
