// Support shared by the benchmark programs (bench/*_bench.cc).
#ifndef STRATA_BENCH_BENCH_UTIL_H_
#define STRATA_BENCH_BENCH_UTIL_H_

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace strata::bench {

// The process's temporary directory, /tmp/strata-NAME-XXXXXX, made on the
// first call (NAME is that call's `name`) and removed at exit: storages
// opened in it are made later, so destroyed earlier.
inline const std::filesystem::path& TempRoot(const char* name) {
  struct Dir {
    std::filesystem::path path;
    explicit Dir(const char* prefix) {
      std::string pattern = std::string("/tmp/strata-") + prefix + "-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) {
        std::fprintf(stderr, "%s: mkdtemp failed: %s\n", prefix, std::strerror(errno));
        std::exit(1);
      }
      path = pattern;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir(name);
  return dir.path;
}

}  // namespace strata::bench

#endif  // STRATA_BENCH_BENCH_UTIL_H_
