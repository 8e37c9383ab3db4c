// The `strata` command.
//
// Exit status: 0 on success, 1 when an anomaly was reported (its EDN map is
// printed on stderr), 2 for a usage error.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "strata/anomaly.h"
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Strata: a database of immutable facts (datoms), queried with Datalog."};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(0, 1);

  std::string edn_path;
  CLI::App* edn =
      app.add_subcommand("edn", "Check EDN and print it back in canonical form, one value a line");
  edn->add_option("file", edn_path, "EDN file to read; '-' or none for stdin");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, the version or the usage error
    return code == 0 ? 0 : 2;
  }

  try {
    if (edn->parsed()) return RunEdn(edn_path);
    std::cout << app.help();
    return 0;
  } catch (const strata::Anomaly& e) {
    std::cerr << strata::PrintEdn(e.ToValue()) << "\n";
    return 1;
  }
}
