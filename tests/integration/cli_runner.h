// Runs the `strata` binary for the integration tests: arguments, stdin,
// exit status, stdout and stderr.
#ifndef STRATA_TESTS_INTEGRATION_CLI_RUNNER_H_
#define STRATA_TESTS_INTEGRATION_CLI_RUNNER_H_

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace strata::cli_testing {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string SlurpFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// `s` quoted for the shell: '...' with each ' written '\''.
inline std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// Runs `strata ARGS` (ARGS as the shell reads them) with `input` on stdin.
// Thread-safe: each call has its own files.
inline CliResult RunCli(const std::string& args, const std::string& input = "") {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("strata_cli_run_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  auto in = dir / "in", out = dir / "out", err = dir / "err";
  std::ofstream(in, std::ios::binary) << input;
  std::string command = std::string(STRATA_BINARY_DIR) + "/tools/strata/strata " + args + " <" +
                        in.string() + " >" + out.string() + " 2>" + err.string();
  int raw = std::system(command.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = SlurpFile(out);
  r.err = SlurpFile(err);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace strata::cli_testing

#endif  // STRATA_TESTS_INTEGRATION_CLI_RUNNER_H_
