// The console of `strata repl` (see repl.h).
#include "repl.h"

#include <editline/readline.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sample_data.h"
#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/entity.h"
#include "strata/pull.h"
#include "strata/query.h"
#include "strata/value.h"

namespace strata::cli {
namespace {

constexpr size_t kMaxDatomRows = 1000;

constexpr std::string_view kHelp = R"(Commands (arguments are EDN; a command may span lines):
  q QUERY [INPUT ...]        run a query; INPUTs bind the :in names after $
  explain QUERY [INPUT ...]  run a query and show its plan
  transact TX-DATA           transact a vector of tx forms
  pull PATTERN EID           pull an entity (EID: id, ident or lookup ref)
  entity EID                 every attribute of an entity
  datoms INDEX [C ...]       datoms of :eavt :aevt :avet or :vaet (first 1000)
  schema                     the attributes of the database
  as-of T | as-of now        read the database as of t, tx id or #inst / the latest
  history on | off           read the history database (every assertion and
                             retraction) / the current one
  history COMMAND            one command (q, explain, datoms) over history
  status                     the URI, basis t and the view in use
  help                       this text
  quit | exit                leave (also end of input, Ctrl-D)
Examples:
  q [:find ?e ?name :where [?e :person/name ?name]]
  q [:find ?e :in $ ?n :where [?e :person/name ?n]] "Ada Lovelace"
  transact [{:person/name "Alan" :person/age 41}]
  pull [* {:person/friend [:person/name]}] [:person/name "Ada Lovelace"]
  datoms :avet :person/name
  as-of 1003
)";

Value Kw(std::string_view name) { return Value::Keyword(name); }

// Whether `text` holds complete EDN: every bracket closed, no open string.
bool IsComplete(std::string_view text) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '\\') {
      ++i;  // a character literal: \( is not a bracket
    } else if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return false;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
  return depth <= 0;
}

// A table cell: strings bare, everything else as EDN.
std::string Cell(const Value& v) { return v.is_string() ? std::string(v.AsString()) : PrintEdn(v); }

// Prints rows as an aligned table under `header`, psql-style.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      s += (i == 0 ? " " : " | ") + cell;
      if (i + 1 < width.size()) s.append(width[i] - cell.size(), ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  line(header);
  std::string rule;
  for (size_t i = 0; i < width.size(); ++i) {
    rule += (i == 0 ? "" : "+") + std::string(width[i] + 2, '-');
  }
  out << rule << "\n";
  for (const auto& row : rows) line(row);
  out << "(" << rows.size() << (rows.size() == 1 ? " row)\n" : " rows)\n");
}

// The find elements of a relation find spec (`:find ?a ?b`), or nullopt for
// the other find specs and :keys/:strs/:syms.
std::optional<std::vector<Value>> RelationFind(const Value& query) {
  std::vector<Value> find;
  if (query.is_map()) {
    for (const char* k : {"keys", "strs", "syms"}) {
      if (query.Get(Kw(k)) != nullptr) return std::nullopt;
    }
    const Value* f = query.Get(Kw("find"));
    if (f == nullptr || !f->is_sequential()) return std::nullopt;
    find.assign(f->Items().begin(), f->Items().end());
  } else if (query.is_sequential()) {
    bool in_find = false;
    for (const Value& item : query.Items()) {
      if (item.is_keyword()) {
        if (in_find) break;
        if (item == Kw("keys") || item == Kw("strs") || item == Kw("syms")) return std::nullopt;
        in_find = item == Kw("find");
      } else if (in_find) {
        find.push_back(item);
      }
    }
    for (const Value& item : query.Items()) {
      if (item == Kw("keys") || item == Kw("strs") || item == Kw("syms")) return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (find.empty()) return std::nullopt;
  for (const Value& f : find) {
    if (f.is_vector() || (f.is_symbol() && f.QualifiedName() == ".")) return std::nullopt;
  }
  return find;
}

class Console {
 public:
  Console(std::string uri, Connection conn) : uri_(std::move(uri)), conn_(std::move(conn)) {}

  // Runs one command; false when it asks to quit. Errors are printed.
  bool Execute(std::string_view text) {
    try {
      return Dispatch(text, history_);
    } catch (const Anomaly& e) {
      ++errors_;
      std::cout.flush();
      std::cerr << "error (" << CategoryName(e.category()) << "): " << e.message() << "\n";
      std::cerr.flush();
      return true;
    }
  }

  int errors() const { return errors_; }
  const std::string& uri() const { return uri_; }
  const Connection& conn() const { return conn_; }

 private:
  Database Db(bool history) const {
    Database db = conn_.Db();
    if (as_of_) db = db.AsOf(*as_of_);
    if (history) db = db.History();
    return db;
  }

  static std::pair<std::string_view, std::string_view> SplitWord(std::string_view text) {
    size_t b = text.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {"", ""};
    text.remove_prefix(b);
    size_t e = text.find_first_of(" \t\r\n");
    if (e == std::string_view::npos) return {text, ""};
    return {text.substr(0, e), text.substr(e)};
  }

  static std::vector<Value> Args(std::string_view rest) { return ReadAllEdn(rest); }

  [[noreturn]] static void Usage(std::string_view usage) {
    ThrowIncorrect("", fmt::format("usage: {}", usage));
  }

  bool Dispatch(std::string_view text, bool history) {
    auto [word, rest] = SplitWord(text);
    std::string command(word);
    if (command.empty()) return true;
    if (command == "quit" || command == "exit") return false;
    if (command == "help") {
      std::cout << kHelp;
    } else if (command == "q" || command == "explain") {
      std::vector<Value> args = Args(rest);
      if (args.empty()) Usage(command + " QUERY [INPUT ...]");
      std::vector<QueryInput> inputs = {Db(history)};
      for (size_t i = 1; i < args.size(); ++i) inputs.emplace_back(args[i]);
      if (command == "explain") {
        PrintValue(Explain(args[0], inputs));
      } else {
        PrintQueryResult(args[0], Q(args[0], inputs));
      }
    } else if (command == "transact") {
      std::vector<Value> args = Args(rest);
      if (args.size() != 1) Usage("transact [tx-form ...]");
      TxReport report = conn_.Transact(args[0]);
      std::vector<ValuePair> tempids;
      for (const auto& [name, eid] : report.tempids) {
        tempids.emplace_back(Value::String(name), Value::Long(eid));
      }
      PrintValue(
          Value::Map({{Kw("basis-t"), Value::Long(report.db_after.basis_t())},
                      {Kw("datoms"), Value::Long(static_cast<int64_t>(report.tx_data.size()))},
                      {Kw("tempids"), Value::Map(std::move(tempids))}}));
      if (as_of_) std::cout << "(reads stay as of " << PrintEdn(*as_of_) << ": as-of now)\n";
    } else if (command == "pull") {
      std::vector<Value> args = Args(rest);
      if (args.size() != 2) Usage("pull PATTERN EID");
      PrintValue(Pull(Db(false), args[0], args[1]));
    } else if (command == "entity") {
      std::vector<Value> args = Args(rest);
      if (args.size() != 1) Usage("entity EID");
      std::optional<Entity> e = Entity::Find(Db(false), args[0]);
      PrintValue(e ? e->Touch() : Value());
    } else if (command == "datoms") {
      PrintDatoms(Args(rest), history);
    } else if (command == "schema") {
      PrintSchema();
    } else if (command == "as-of") {
      std::vector<Value> args = Args(rest);
      if (args.size() != 1) Usage("as-of T | as-of now");
      if (args[0] == Value::Symbol("now")) {
        as_of_.reset();
      } else {
        conn_.Db().AsOf(args[0]);  // checks the point
        as_of_ = args[0];
      }
      PrintStatus();
    } else if (command == "history") {
      auto [sub, sub_rest] = SplitWord(rest);
      if (sub == "on" || sub == "off") {
        history_ = sub == "on";
        PrintStatus();
      } else if (sub == "q" || sub == "explain" || sub == "datoms") {
        return Dispatch(rest, true);
      } else {
        Usage("history on | history off | history q|explain|datoms ...");
      }
    } else if (command == "status") {
      PrintStatus();
    } else {
      ThrowIncorrect("", fmt::format("unknown command '{}'; type help for the commands", command));
    }
    return true;
  }

  static void PrintValue(const Value& v) { std::cout << PrintEdn(v) << "\n"; }

  void PrintStatus() const {
    Database db = Db(history_);
    std::cout << uri_ << "  basis-t " << conn_.Db().basis_t();
    if (as_of_) std::cout << "  as-of " << PrintEdn(*as_of_);
    if (history_) std::cout << "  history";
    std::cout << "\n";
  }

  static void PrintQueryResult(const Value& query_arg, const Value& result) {
    Value query = query_arg.is_string() ? ReadEdn(query_arg.AsString()) : query_arg;
    std::optional<std::vector<Value>> find = RelationFind(query);
    if (!find || !(result.is_set() || result.is_vector())) {
      PrintValue(result);
      return;
    }
    std::vector<std::string> header;
    for (const Value& f : *find) header.push_back(PrintEdn(f));
    std::vector<std::vector<std::string>> rows;
    for (const Value& tuple : result.Items()) {
      std::vector<std::string> row;
      if (tuple.is_sequential()) {
        for (const Value& v : tuple.Items()) row.push_back(Cell(v));
      } else {
        row.push_back(Cell(tuple));
      }
      rows.push_back(std::move(row));
    }
    PrintTable(header, rows, std::cout);
  }

  void PrintDatoms(const std::vector<Value>& args, bool history) const {
    if (args.empty() || !args[0].is_keyword())
      Usage("datoms :eavt|:aevt|:avet|:vaet [COMPONENT ...]");
    std::optional<Index> index = ParseIndex(args[0]);
    if (!index) Usage("datoms :eavt|:aevt|:avet|:vaet [COMPONENT ...]");
    Database db = Db(history);
    DatomIterator it = db.Datoms(*index, std::vector<Value>(args.begin() + 1, args.end()));
    std::vector<std::vector<std::string>> rows;
    bool more = false;
    while (const Datom* d = it.Next()) {
      if (rows.size() == kMaxDatomRows) {
        more = true;
        break;
      }
      Value a = db.Ident(d->a);
      rows.push_back({std::to_string(d->e), a.is_nil() ? std::to_string(d->a) : PrintEdn(a),
                      PrintEdn(d->v), std::to_string(d->tx), d->added ? "true" : "false"});
    }
    PrintTable({"e", "a", "v", "tx", "added"}, rows, std::cout);
    if (more) std::cout << "(the first " << kMaxDatomRows << " shown; give more components)\n";
  }

  void PrintSchema() const {
    Database db = conn_.Db();
    std::vector<std::vector<std::string>> rows;
    DatomIterator it = db.Datoms(Index::kAevt, {Kw("db/valueType")});
    while (const Datom* d = it.Next()) {
      Entity e(db, d->e);
      Value ident = e.Get("db/ident");
      std::string_view ns = ident.is_keyword() ? ident.Namespace() : "";
      if (ns == "db" || ns.starts_with("db.") || ns == "fressian") continue;
      auto name = [](const Value& v) { return v.is_keyword() ? std::string(v.Name()) : ""; };
      Value doc = e.Get("db/doc");
      rows.push_back({PrintEdn(ident), name(e.Get("db/valueType")), name(e.Get("db/cardinality")),
                      name(e.Get("db/unique")),
                      e.Get("db/isComponent") == Value::Boolean(true) ? "yes" : "",
                      doc.is_string() ? std::string(doc.AsString()) : ""});
    }
    std::sort(rows.begin(), rows.end());
    PrintTable({"attribute", "type", "cardinality", "unique", "component", "doc"}, rows, std::cout);
  }

  std::string uri_;
  Connection conn_;
  std::optional<Value> as_of_;
  bool history_ = false;
  int errors_ = 0;
};

std::string HistoryPath() {
  if (const char* p = std::getenv("STRATA_HISTORY"); p != nullptr && *p != '\0') return p;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.strata_history";
}

// Reads commands (complete EDN) from the terminal through libedit, or from
// stdin; runs each. Returns at quit or the end of input.
void ReadLoop(Console& console, bool interactive) {
  std::string history_path = HistoryPath();
  if (interactive) {
    using_history();
    read_history(history_path.c_str());
  }
  std::string buffer;
  for (;;) {
    std::string line;
    bool got;
    if (interactive) {
      char* raw = readline(buffer.empty() ? "strata> " : "   ...> ");
      got = raw != nullptr;
      if (got) {
        line = raw;
        std::free(raw);
      } else {
        std::cout << "\n";
      }
    } else {
      got = static_cast<bool>(std::getline(std::cin, line));
    }
    if (!got) {
      if (!buffer.empty()) console.Execute(buffer);
      break;
    }
    buffer += line;
    buffer += "\n";
    if (!IsComplete(buffer)) continue;
    std::string command = std::move(buffer);
    buffer.clear();
    if (command.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    if (interactive) {
      std::string entry = command;
      while (!entry.empty() && entry.back() == '\n') entry.pop_back();
      add_history(entry.c_str());
      write_history(history_path.c_str());
    }
    bool go_on = console.Execute(command);
    std::cout.flush();
    if (!go_on) break;
  }
}

// `text` with every line after the first indented by `n` spaces.
std::string Indent(std::string_view text, size_t n) {
  std::string out;
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out.append(n, ' ');
  }
  return out;
}

}  // namespace

int RunRepl(const std::string& uri_arg, const ReplOptions& options) {
  std::string uri = uri_arg.empty() ? "strata:mem://repl" : uri_arg;
  bool interactive = ::isatty(STDIN_FILENO) != 0;
  bool created = false;
  if (uri_arg.empty() || options.sample) created = CreateDatabase(uri);
  Connection conn = Connect(uri);
  // A new database, or one that holds no transaction yet (made by an
  // earlier `strata create`), gets the sample data.
  if (options.sample && (created || conn.Db().basis_t() == 0)) {
    int64_t n = TransactSampleData(conn);
    std::cout << "Created the sample database " << uri << " (" << n << " transactions).\n";
  }
  Console console(uri, conn);
  if (options.sample) {
    std::cout << "Strata console on " << uri << " (basis-t " << conn.Db().basis_t() << ").\n"
              << "Sample data: people, their cities, friends and languages, with a few\n"
              << "transactions of history. Three example commands:\n";
    std::vector<SampleExample> examples = SampleExamples();
    for (const SampleExample& ex : examples) {
      std::cout << "\n  ;; " << ex.title << "\n  " << Indent(ex.command, 2) << "\n";
    }
    std::cout << "\nType help for every command, quit to leave.\n";
    if (!interactive) {
      for (const SampleExample& ex : examples) {
        std::cout << "\nstrata> " << Indent(ex.command, 8) << "\n";
        console.Execute(ex.command);
      }
    }
  } else if (interactive) {
    std::cout << "Strata console on " << uri << " (basis-t " << conn.Db().basis_t()
              << "). Type help for the commands, quit to leave.\n";
  }
  std::cout.flush();
  ReadLoop(console, interactive);
  return console.errors() == 0 || interactive ? 0 : 1;
}

}  // namespace strata::cli
