// The reading subcommands of `strata`: q, pull, pull-many, entity, datoms,
// stats, schema and verify.
#include "query_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "output.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/edn.h"
#include "strata/entity.h"
#include "strata/pull.h"
#include "strata/query.h"
#include "verify.h"

namespace strata::cli {

void CommandSet::Add(CLI::App* command, std::function<int()> run) {
  commands_.emplace_back(command, std::move(run));
}

void CommandSet::AddWithEdnArguments(CLI::App* command, std::vector<std::string>* args,
                                     std::function<int()> run) {
  // CLI11 would take a positional "[a b]" for a list and split it; as
  // extras, arguments stay whole.
  command->allow_extras();
  commands_.emplace_back(command, [command, args, run = std::move(run)]() -> int {
    for (const std::string& arg : command->remaining()) {
      bool option_like = arg.size() > 1 && arg[0] == '-' &&
                         !std::isdigit(static_cast<unsigned char>(arg[1])) && arg[1] != '.';
      if (option_like) {
        return command->exit(CLI::ExtrasError({arg})) == 0 ? kExitOk : kExitUsage;
      }
      args->push_back(arg);
    }
    return run();
  });
}

std::optional<int> CommandSet::RunParsed() const {
  for (const auto& [command, run] : commands_) {
    if (command->parsed()) return run();
  }
  return std::nullopt;
}

namespace {

constexpr const char* kUriHelp =
    "Database URI: strata:lmdb://NAME?dir=PATH, strata:postgres://NAME?CONNINFO";

Value Kw(std::string_view name) { return Value::Keyword(name); }

// The text of an argument: `@FILE` is the file's contents, anything else
// the argument itself.
std::string ArgumentText(const std::string& arg) {
  if (arg.empty() || arg[0] != '@') return arg;
  std::string path = arg.substr(1);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Anomaly(Category::kNotFound, "cannot open " + path + ": check the path",
                  Value::Keyword("db.error", "file-not-found"),
                  Value::Map({{Kw("path"), Value::String(path)}}));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One EDN value from an argument (`what` names it in messages: "QUERY",
// "INPUT 2"); malformed EDN is an incorrect anomaly whose message and data
// give the line and column.
Value ReadArgument(const std::string& arg, const std::string& what) {
  std::string text = ArgumentText(arg);
  try {
    return ReadEdn(text);
  } catch (const Anomaly& a) {
    throw Anomaly(a.category(), what + ": " + a.message(), a.error(), a.data());
  }
}

// --as-of, --since (and --history where it applies) of a command.
struct TimeOptions {
  std::string as_of;
  std::string since;
  bool history = false;

  void Add(CLI::App* command, bool with_history) {
    command->add_option("--as-of", as_of,
                        "The database as of T: a t, a transaction id or an #inst (EDN)");
    command->add_option("--since", since,
                        "Only what was transacted after T: a t, a transaction id or an #inst");
    if (with_history) {
      command->add_flag("--history", history,
                        "Every assertion and retraction over time (the history database)");
    }
  }

  Database Apply(Database db) const {
    if (!as_of.empty()) db = db.AsOf(ReadArgument(as_of, "--as-of"));
    if (!since.empty()) db = db.Since(ReadArgument(since, "--since"));
    if (history) db = db.History();
    return db;
  }
};

// --time and --repeat N: runs a function N times and reports its wall
// time on stderr.
struct Timing {
  bool time = false;
  int repeat = 1;
  std::vector<double> millis;

  void Add(CLI::App* command) {
    command->add_flag("--time", time,
                      "After the result, print its own wall time on stderr (not counting "
                      "process start or opening the database)");
    command
        ->add_option("--repeat", repeat,
                     "Run it N times; print the result once and the minimum and median time")
        ->check(CLI::Range(1, 1000000));
  }

  template <typename F>
  Value Run(F&& run) {
    Value result;
    for (int i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      result = run();
      std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
      millis.push_back(took.count());
    }
    return result;
  }

  // "Time: 1.234 ms", or "Time: min 1.200 ms, median 1.234 ms, 5 runs".
  void Report() const {
    if (millis.empty() || (!time && repeat <= 1)) return;
    std::cout.flush();
    std::vector<double> sorted = millis;
    std::sort(sorted.begin(), sorted.end());
    size_t n = sorted.size();
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    char line[160];
    if (n == 1) {
      std::snprintf(line, sizeof(line), "Time: %.3f ms\n", sorted[0]);
    } else {
      std::snprintf(line, sizeof(line), "Time: min %.3f ms, median %.3f ms, %zu runs\n", sorted[0],
                    median, n);
    }
    std::cerr << line;
  }
};

void Print(const std::string& text) { std::cout << text; }

// ---- q -------------------------------------------------------------------------

// The query as a map from :find, :in, :where... to what follows each.
Value QueryParts(const Value& query) {
  if (query.is_map()) return query;
  if (!query.is_sequential()) {
    throw Anomaly(
        Category::kIncorrect,
        "QUERY must be a vector ([:find ...]) or a map ({:find ...}), not " + PrintEdn(query),
        Value::Keyword("db.error", "invalid-query"));
  }
  std::vector<ValuePair> parts;
  std::vector<Value> current;
  Value key;
  for (const Value& item : query.Items()) {
    if (item.is_keyword()) {
      if (!key.is_nil()) parts.emplace_back(key, Value::Vector(std::move(current)));
      current.clear();
      key = item;
    } else {
      current.push_back(item);
    }
  }
  if (!key.is_nil()) parts.emplace_back(key, Value::Vector(std::move(current)));
  return Value::Map(std::move(parts));
}

// The shape of a query's result, and the names of its columns.
struct FindShape {
  enum Kind { kRelation, kCollection, kTuple, kScalar, kMaps } kind = kRelation;
  std::vector<std::string> columns;
};

FindShape ShapeOf(const Value& parts) {
  FindShape shape;
  const Value* find = parts.Get(Kw("find"));
  if (find == nullptr || !find->is_sequential()) return shape;
  auto items = find->Items();
  if (items.size() == 2 && items[1].is_symbol() && items[1].QualifiedName() == ".") {
    shape.kind = FindShape::kScalar;
    shape.columns.push_back(PrintEdn(items[0]));
  } else if (items.size() == 1 && items[0].is_vector()) {
    auto inner = items[0].Items();
    if (!inner.empty() && inner.back().is_symbol() && inner.back().QualifiedName() == "...") {
      shape.kind = FindShape::kCollection;
      shape.columns.push_back(PrintEdn(inner[0]));
    } else {
      shape.kind = FindShape::kTuple;
      for (const Value& v : inner) shape.columns.push_back(PrintEdn(v));
    }
  } else {
    for (const Value& v : items) shape.columns.push_back(PrintEdn(v));
  }
  for (const char* k : {"keys", "strs", "syms"}) {
    if (parts.Get(Kw(k)) != nullptr) shape.kind = FindShape::kMaps;
  }
  return shape;
}

std::string QueryTable(const Value& result, const FindShape& shape) {
  std::vector<std::vector<Value>> rows;
  switch (shape.kind) {
    case FindShape::kRelation:
      if (!result.is_collection()) break;
      for (const Value& tuple : result.Items()) {
        if (tuple.is_sequential()) {
          rows.emplace_back(tuple.Items().begin(), tuple.Items().end());
        } else {
          rows.push_back({tuple});
        }
      }
      return RenderTable(shape.columns, rows);
    case FindShape::kCollection:
      if (!result.is_collection()) break;
      for (const Value& v : result.Items()) rows.push_back({v});
      return RenderTable(shape.columns, rows);
    case FindShape::kTuple:
      if (result.is_sequential()) rows.emplace_back(result.Items().begin(), result.Items().end());
      return RenderTable(shape.columns, rows);
    case FindShape::kScalar:
      if (!result.is_nil()) rows.push_back({result});
      return RenderTable(shape.columns, rows);
    case FindShape::kMaps:
      break;
  }
  return TableOf(result, shape.columns);
}

struct QOptions {
  std::string uri;
  std::string query;
  std::vector<std::string> inputs;
  TimeOptions time_options;
  Timing timing;
  bool explain = false;
  int64_t timeout_ms = 0;
  Format format = Format::kEdn;
};

int RunQ(QOptions& o) {
  Value query = ReadArgument(o.query, "QUERY");
  Value parts = QueryParts(query);
  std::vector<Value> bindings;
  if (const Value* in = parts.Get(Kw("in")); in != nullptr && in->is_sequential()) {
    bindings.assign(in->Items().begin(), in->Items().end());
  } else {
    bindings.push_back(Value::Symbol("$"));
  }
  size_t wanted = static_cast<size_t>(std::count_if(bindings.begin(), bindings.end(), [](auto& b) {
    return !(b.is_symbol() && b.QualifiedName() == "$");
  }));
  if (wanted != o.inputs.size()) {
    throw Anomaly(Category::kIncorrect,
                  "the query's :in takes " + std::to_string(wanted) +
                      " input(s) besides the database ($), but " + std::to_string(o.inputs.size()) +
                      " were given: pass one EDN value per binding, in order",
                  Value::Keyword("db.error", "invalid-query"),
                  Value::Map({{Kw("in"), Value::Vector(bindings)}}));
  }
  Connection conn = Connect(o.uri);
  Database db = o.time_options.Apply(conn.Db());
  std::vector<QueryInput> inputs;
  size_t next = 0;
  for (const Value& b : bindings) {
    if (b.is_symbol() && b.QualifiedName() == "$") {
      inputs.emplace_back(db);
    } else {
      inputs.emplace_back(ReadArgument(o.inputs[next], "INPUT " + std::to_string(next + 1)));
      ++next;
    }
  }
  QueryOptions options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  if (o.explain) {
    Value plan = o.timing.Run([&] { return Explain(query, inputs, options); });
    Print(Render(plan, o.format == Format::kTable ? Format::kEdn : o.format));
    o.timing.Report();
    return kExitOk;
  }
  Value result = o.timing.Run([&] { return Q(query, inputs, options); });
  if (o.format == Format::kTable) {
    Print(QueryTable(result, ShapeOf(parts)));
  } else {
    Print(Render(result, o.format));
  }
  o.timing.Report();
  return kExitOk;
}

void AddQ(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<QOptions>();
  CLI::App* q = app.add_subcommand(
      "q",
      "Run a Datalog query and print its result. Usage: q URI QUERY [INPUT ...]: each INPUT is "
      "one EDN value (or @FILE) for the next :in binding besides $, in order (scalars, "
      "collections, relations, a collection of tuples for a $name source, rules for %)");
  q->add_option("uri", o->uri, kUriHelp)->required();
  q->add_option("query", o->query, "The query as EDN text, or @FILE")->required();
  o->time_options.Add(q, /*with_history=*/true);
  q->add_flag("--explain", o->explain,
              "Print the plan (clauses in the order they ran, strategies, row counts) "
              "instead of the result");
  q->add_option("--timeout", o->timeout_ms, "Cancel the query after MS milliseconds (0: none)")
      ->check(CLI::NonNegativeNumber);
  o->timing.Add(q);
  AddFormatOption(q, &o->format);
  q->footer(
      "Examples:\n"
      "  strata q 'strata:lmdb://shop?dir=data' \\\n"
      "    '[:find ?name ?age :in $ ?min :where [?e :person/age ?age]\n"
      "      [(>= ?age ?min)] [?e :person/name ?name]]' 21\n"
      "  strata q URI @query.edn '[\"Alice\" \"Bob\"]' --as-of 1000 --format table --time");
  set.AddWithEdnArguments(q, &o->inputs, [o] { return RunQ(*o); });
}

// ---- pull, pull-many, entity ------------------------------------------------------

struct PullOptions {
  std::string uri;
  std::string pattern;
  std::string eid;                // pull
  std::vector<std::string> eids;  // pull-many
  TimeOptions time_options;
  Timing timing;
  Format format = Format::kEdn;
};

int RunPull(PullOptions& o, bool many) {
  Value pattern = ReadArgument(o.pattern, "PATTERN");
  std::vector<Value> eids;
  if (!many) eids.push_back(ReadArgument(o.eid, "EID"));
  for (size_t i = 0; i < o.eids.size(); ++i) {
    eids.push_back(ReadArgument(o.eids[i], "EID " + std::to_string(i + 1)));
  }
  Connection conn = Connect(o.uri);
  Database db = o.time_options.Apply(conn.Db());
  Value result;
  if (many) {
    Value all = Value::Vector(std::move(eids));
    result = o.timing.Run([&] { return PullMany(db, pattern, all); });
  } else {
    result = o.timing.Run([&] { return Pull(db, pattern, eids.at(0)); });
  }
  Print(Render(result, o.format));
  o.timing.Report();
  return kExitOk;
}

void AddPull(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<PullOptions>();
  CLI::App* pull =
      app.add_subcommand("pull", "Pull a pattern of one entity; prints one EDN map (nil if none)");
  pull->add_option("uri", o->uri, kUriHelp)->required();
  pull->add_option("pattern", o->pattern, "Pull pattern as EDN text, or @FILE")->required();
  pull->add_option("eid", o->eid, "Entity id, ident or lookup ref, as EDN")->required();
  o->time_options.Add(pull, /*with_history=*/false);
  o->timing.Add(pull);
  AddFormatOption(pull, &o->format);
  pull->footer(
      "Example:\n"
      "  strata pull 'strata:lmdb://shop?dir=data' \\\n"
      "    '[:person/name {:person/friend [:person/name]}]' '[:person/email \"a@example.com\"]'");
  set.Add(pull, [o] { return RunPull(*o, false); });

  auto m = std::make_shared<PullOptions>();
  CLI::App* many = app.add_subcommand(
      "pull-many",
      "Pull a pattern of several entities; prints a vector, in the order given. Usage: "
      "pull-many URI PATTERN [EID ...]: each EID an entity id, ident or lookup ref, as EDN");
  many->add_option("uri", m->uri, kUriHelp)->required();
  many->add_option("pattern", m->pattern, "Pull pattern as EDN text, or @FILE")->required();
  m->time_options.Add(many, /*with_history=*/false);
  m->timing.Add(many);
  AddFormatOption(many, &m->format);
  many->footer(
      "Example:\n"
      "  strata pull-many 'strata:lmdb://shop?dir=data' '[*]' \\\n"
      "    '[:person/name \"Alice\"]' '[:person/name \"Bob\"]' --format table");
  set.AddWithEdnArguments(many, &m->eids, [m] { return RunPull(*m, true); });
}

struct EntityOptions {
  std::string uri;
  std::string eid;
  TimeOptions time_options;
  Format format = Format::kEdn;
};

void AddEntity(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<EntityOptions>();
  CLI::App* entity = app.add_subcommand(
      "entity", "Print an entity with every attribute (touched), components nested; nil if none");
  entity->add_option("uri", o->uri, kUriHelp)->required();
  entity->add_option("eid", o->eid, "Entity id, ident or lookup ref, as EDN")->required();
  o->time_options.Add(entity, /*with_history=*/false);
  AddFormatOption(entity, &o->format);
  entity->footer(
      "Example:\n"
      "  strata entity 'strata:lmdb://shop?dir=data' '[:order/id \"o2\"]'");
  set.Add(entity, [o] {
    Value eid = ReadArgument(o->eid, "EID");
    Connection conn = Connect(o->uri);
    Database db = o->time_options.Apply(conn.Db());
    std::optional<Entity> e = Entity::Find(db, eid);
    Print(Render(e ? e->Touch() : Value(), o->format));
    return kExitOk;
  });
}

// ---- datoms, stats, schema, verify --------------------------------------------------

struct DatomsOptions {
  std::string uri;
  std::string index;
  std::vector<std::string> components;
  TimeOptions time_options;
  int64_t limit = -1;
  Format format = Format::kEdn;
};

int RunDatoms(const DatomsOptions& o) {
  std::string name = o.index;
  if (!name.empty() && name[0] == ':') name.erase(0, 1);
  std::optional<Index> index = ParseIndex(Value::Keyword(name));
  std::vector<Value> components;
  for (size_t i = 0; i < o.components.size(); ++i) {
    components.push_back(ReadArgument(o.components[i], "COMPONENT " + std::to_string(i + 1)));
  }
  Connection conn = Connect(o.uri);
  Database db = o.time_options.Apply(conn.Db());
  DatomIterator it = db.Datoms(*index, components);
  std::vector<std::vector<Value>> rows;
  std::string out;
  int64_t n = 0;
  while (const Datom* d = it.Next()) {
    if (o.limit >= 0 && n >= o.limit) break;
    ++n;
    Value v = DatomValue(db, *d);
    if (o.format == Format::kTable) {
      rows.emplace_back(v.Items().begin(), v.Items().end());
      continue;
    }
    out = o.format == Format::kJson ? JsonText(v) : PrintEdn(v);
    out.push_back('\n');
    std::cout << out;
  }
  if (o.format == Format::kTable) Print(RenderTable({"e", "a", "v", "tx", "added"}, rows));
  return kExitOk;
}

void AddDatoms(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<DatomsOptions>();
  CLI::App* datoms = app.add_subcommand(
      "datoms",
      "Print the datoms of an index, one [e a v tx added] a line, in index order. Usage: datoms "
      "URI INDEX [COMPONENT ...]: the leading components of the index, each as EDN (entity "
      "id, ident, lookup ref, attribute or value)");
  datoms->add_option("uri", o->uri, kUriHelp)->required();
  datoms->add_option("index", o->index, "eavt, aevt, avet or vaet")
      ->required()
      ->check(CLI::IsMember({"eavt", "aevt", "avet", "vaet", ":eavt", ":aevt", ":avet", ":vaet"}));
  datoms
      ->add_option("components", o->components,
                   "Leading components of the index, each as EDN (entity id, ident, lookup "
                   "ref, attribute or value)")
      ->expected(0, CLI::detail::expected_max_vector_size)
      ->allow_extra_args(false);  // keep [...] whole: it is EDN
  o->time_options.Add(datoms, /*with_history=*/true);
  datoms->add_option("--limit", o->limit, "Print at most N datoms")->check(CLI::NonNegativeNumber);
  AddFormatOption(datoms, &o->format);
  datoms->footer(
      "Examples:\n"
      "  strata datoms 'strata:lmdb://shop?dir=data' avet :person/age 42\n"
      "  strata datoms URI eavt '[:person/name \"Alice\"]' --history --format table");
  set.AddWithEdnArguments(datoms, &o->components, [o] { return RunDatoms(*o); });
}

struct DbOptions {
  std::string uri;
  Format format = Format::kEdn;
};

void AddStats(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<DbOptions>();
  CLI::App* stats = app.add_subcommand(
      "stats", "Print a database's basis t and its datom counts, in total and per attribute");
  stats->add_option("uri", o->uri, kUriHelp)->required();
  AddFormatOption(stats, &o->format);
  stats->footer("Example:\n  strata stats 'strata:lmdb://shop?dir=data' --format json");
  set.Add(stats, [o] {
    Connection conn = Connect(o->uri);
    Database db = conn.Db();
    Value counts = db.Stats();
    if (o->format == Format::kTable) {
      std::vector<std::vector<Value>> rows;
      if (const Value* attrs = counts.Get(Kw("attrs")); attrs != nullptr && attrs->is_map()) {
        for (size_t i = 0; i < attrs->Count(); ++i) {
          const Value* count = attrs->MapVal(i).Get(Kw("count"));
          rows.push_back({attrs->MapKey(i), count != nullptr ? *count : Value()});
        }
      }
      Print(RenderTable({"attribute", "datoms"}, rows));
      return kExitOk;
    }
    std::vector<ValuePair> entries{{Kw("basis-t"), Value::Long(db.basis_t())}};
    for (size_t i = 0; i < counts.Count(); ++i)
      entries.emplace_back(counts.MapKey(i), counts.MapVal(i));
    Print(Render(Value::Map(std::move(entries)), o->format));
    return kExitOk;
  });
}

// The attributes installed after the bootstrap transaction, each as the
// map that would install it ({:db/ident ... :db/valueType ...}), by ident.
Value InstalledSchema(const Database& db) {
  std::vector<std::pair<Value, Value>> attrs;
  DatomIterator it = db.Datoms(Index::kAevt, {Value::Keyword("db", "valueType")});
  std::vector<EntityId> ids;
  while (const Datom* d = it.Next()) {
    if (d->tx != TxFromT(0)) ids.push_back(d->e);
  }
  for (EntityId id : ids) {
    Value touched = Entity(db, id).Touch();
    std::vector<ValuePair> entries;
    Value ident;
    for (size_t i = 0; i < touched.Count(); ++i) {
      const Value& k = touched.MapKey(i);
      if (k == Value::Keyword("db", "id")) continue;
      if (k == Value::Keyword("db", "ident")) ident = touched.MapVal(i);
      entries.emplace_back(k, touched.MapVal(i));
    }
    // :db/ident first, as schema is written.
    std::stable_partition(entries.begin(), entries.end(), [](const ValuePair& e) {
      return e.first == Value::Keyword("db", "ident");
    });
    attrs.emplace_back(ident, Value::Map(std::move(entries)));
  }
  std::sort(attrs.begin(), attrs.end(),
            [](const auto& x, const auto& y) { return Compare(x.first, y.first) < 0; });
  std::vector<Value> out;
  for (auto& [ident, map] : attrs) out.push_back(std::move(map));
  return Value::Vector(std::move(out));
}

void AddSchema(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<DbOptions>();
  CLI::App* schema = app.add_subcommand(
      "schema", "Print the installed attributes as schema tx-data (a vector of maps)");
  schema->add_option("uri", o->uri, kUriHelp)->required();
  AddFormatOption(schema, &o->format);
  schema->footer("Example:\n  strata schema 'strata:lmdb://shop?dir=data' --format table");
  set.Add(schema, [o] {
    Connection conn = Connect(o->uri);
    Value attrs = InstalledSchema(conn.Db());
    if (o->format == Format::kTable && attrs.Count() == 0) {
      Print(RenderTable({":db/ident"}, {}));
    } else {
      Print(Render(attrs, o->format));
    }
    return kExitOk;
  });
}

void AddVerify(CLI::App& app, CommandSet& set) {
  auto o = std::make_shared<DbOptions>();
  CLI::App* verify = app.add_subcommand(
      "verify",
      "Check the four indexes against the log: rebuild them from the log and compare every "
      "datom");
  verify->add_option("uri", o->uri, kUriHelp)->required();
  verify->footer(
      "Example:\n  strata verify 'strata:lmdb://shop?dir=data'\n"
      "Prints {:ok true ...} and exits 0, or prints a fault anomaly naming the index and the\n"
      "first datom that differs and exits 11.");
  set.Add(verify, [o] {
    Connection conn = Connect(o->uri);
    Print(PrintEdn(VerifyIndexes(conn.Db(), conn.log())) + "\n");
    return kExitOk;
  });
}

}  // namespace

CommandSet AddQueryCommands(CLI::App& app) {
  CommandSet set;
  AddQ(app, set);
  AddPull(app, set);
  AddEntity(app, set);
  AddDatoms(app, set);
  AddStats(app, set);
  AddSchema(app, set);
  AddVerify(app, set);
  return set;
}

}  // namespace strata::cli
